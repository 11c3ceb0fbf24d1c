/*
 * diag_runner.c - the diagnostics against their fixtures, and the table of
 * codes (src/compiler/diag.c) against the fixtures and the documentation.
 *
 * Every fixture names the code it expects, in leading comment lines:
 *
 *   tests/errors/NAME.yaml        # expect-error: LINE:COL CODE [words]
 *                                 # expect-error-any: LINE:COL CODE [words]
 *       a policy that must fail to compile with an error of CODE at
 *       LINE:COL of this file whose message contains the words (any case);
 *       of the -any lines one must match. NAME.1.yaml, NAME.2.yaml, ... are
 *       compiled together. Inside a schedule, CIDR or regex the error may
 *       point further right, at the offending character.
 *   tests/errors/store/NAME.yaml  (same comments) a change put into a live
 *       store (include/pdp/store.h) that the store must refuse.
 *   tests/lint/NAME.yaml          # expect-warning: LINE:COL CODE
 *                                 # expect-no: CODE
 *       a valid policy whose lint reports each expected warning at exactly
 *       that place and no other of its code; NAME_ok.yaml fixtures must
 *       not report the code.
 *
 * Then every code of the table must have fired somewhere (E-INTERNAL, a
 * compiler bug, cannot be provoked by input), every W- code must also have
 * a fixture where it stays quiet, and docs/diagnostics.md must document
 * every code under its anchor and no code the table does not have.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/diag.h"
#include "pdp/pdpc.h"
#include "pdp/store.h"

#define MAX_EXPECT 64
#define MAX_FIXTURES 256

typedef struct expect {
	bool any, no;
	unsigned line, col;
	diag_code code;
	char words[128];
	char file[256];
} expect;

/* What the fixtures showed of each code. */
static bool fired[DIAG_COUNT], quiet[DIAG_COUNT];

static const char *root(void)
{
	const char *r = getenv("PDP_SOURCE_ROOT");
	return r != NULL ? r : ".";
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted *.yaml names (malloc'd) of the fixture folder sub, which
 * must hold some; dir receives its path. Returns the count. */
static size_t list_fixtures(const char *sub, char *dir, size_t size,
                            char **names)
{
	snprintf(dir, size, "%s/%s", root(), sub);
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s (set PDP_SOURCE_ROOT)", dir);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && n < MAX_FIXTURES) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".yaml") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), cmp_str);
	cr_assert_gt(n, 0, "no fixtures in %s", dir);
	return n;
}

static bool icontains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++) {
		size_t i = 0;
		while (i < n && p[i] &&
		       tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return n == 0;
}

/* One expectation line, or false when line is none. A code the table does
 * not have fails the test. */
static bool parse_expect(const char *line, const char *fname, expect *e)
{
	memset(e, 0, sizeof(*e));
	char code[64] = "";
	int end = 0;
	if (sscanf(line, "# expect-error: %u:%u %63s %n", &e->line, &e->col,
	           code, &end) == 3)
		;
	else if (sscanf(line, "# expect-error-any: %u:%u %63s %n", &e->line,
	                &e->col, code, &end) == 3)
		e->any = true;
	else if (sscanf(line, "# expect-warning: %u:%u %63s", &e->line, &e->col,
	                code) == 3)
		end = 0;
	else if (sscanf(line, "# expect-no: %63s", code) == 1)
		e->no = true;
	else {
		cr_assert(strncmp(line, "# expect", 8) != 0,
		          "%s: malformed line: %s", fname, line);
		return false;
	}
	e->code = diag_find(code);
	cr_assert_lt(e->code, DIAG_COUNT, "%s: %s is not a diagnostic code",
	             fname, code);
	if (end > 0) {
		snprintf(e->words, sizeof(e->words), "%s", line + end);
		e->words[strcspn(e->words, "\r\n")] = '\0';
	}
	snprintf(e->file, sizeof(e->file), "%s", fname);
	return true;
}

static size_t read_expects(const char *path, const char *fname, expect *out,
                           size_t max)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	char buf[512];
	size_t n = 0;
	while (fgets(buf, sizeof(buf), f) && n < max)
		if (parse_expect(buf, fname, &out[n]))
			n++;
	fclose(f);
	return n;
}

typedef const pdpc_diag *(*diag_at)(const void *owner, size_t i);

static const pdpc_diag *compiler_diag(const void *c, size_t i)
{
	return pdpc_diag_get(c, i);
}

static const pdpc_diag *txn_diag(const void *t, size_t i)
{
	return pdp_store_txn_diag_get(t, i);
}

/* Does an error of e's code, place and words stand among the diagnostics?
 * check_file: the diagnostic names e's file (a store names the resource). */
static bool diag_matches(const void *owner, diag_at get, const expect *e,
                         bool check_file)
{
	bool inner = e->code == DIAG_E_SCHED || e->code == DIAG_E_CIDR ||
	             e->code == DIAG_E_REGEX;
	for (size_t i = 0; get(owner, i) != NULL; i++) {
		const pdpc_diag *d = get(owner, i);
		const char *base = strrchr(d->file, '/');
		base = base ? base + 1 : d->file;
		bool col_ok = d->col == e->col || (inner && d->col > e->col);
		if (d->severity == PDPC_ERROR && d->line == e->line && col_ok &&
		    strcmp(d->code, diag_get(e->code)->code) == 0 &&
		    (!check_file || strcmp(base, e->file) == 0) &&
		    icontains(d->message, e->words))
			return true;
	}
	return false;
}

static void log_diags(const char *name, const void *owner, diag_at get)
{
	for (size_t k = 0; get(owner, k) != NULL; k++) {
		const pdpc_diag *d = get(owner, k);
		cr_log_error("  %s: %s:%u:%u: %s [%s]", name, d->file, d->line,
		             d->col, d->message, d->code);
	}
}

/* Check the expectations of one fixture (set); true when all hold. */
static bool check_expects(const char *name, const void *owner, diag_at get,
                          const expect *ex, size_t nex, bool check_file)
{
	bool ok = nex > 0, any_seen = false, any_ok = false;
	if (nex == 0)
		cr_log_error("%s: no expect-error line", name);
	for (size_t k = 0; k < nex; k++) {
		bool m = diag_matches(owner, get, &ex[k], check_file);
		if (m)
			fired[ex[k].code] = true;
		if (ex[k].any) {
			any_seen = true;
			any_ok |= m;
		} else if (!m) {
			ok = false;
			cr_log_error("%s: expected %s at %u:%u containing '%s'",
			             ex[k].file, diag_get(ex[k].code)->code, ex[k].line,
			             ex[k].col, ex[k].words);
		}
	}
	if (any_seen && !any_ok) {
		ok = false;
		cr_log_error("%s: none of the expect-error-any lines matched", name);
	}
	if (!ok)
		log_diags(name, owner, get);
	return ok;
}

/* tests/errors: each set must fail to compile as its comments say. */
static size_t run_error_fixtures(size_t *sets)
{
	char dir[1024], *names[MAX_FIXTURES];
	size_t n = list_fixtures("tests/errors", dir, sizeof(dir), names), failed = 0;
	for (size_t i = 0; i < n;) {
		/* group NAME.1.yaml, NAME.2.yaml ... */
		size_t j = i + 1;
		const char *dot = strstr(names[i], ".1.yaml");
		size_t stem = dot ? (size_t)(dot - names[i]) : 0;
		while (dot && j < n && strncmp(names[j], names[i], stem) == 0 &&
		       names[j][stem] == '.' &&
		       isdigit((unsigned char)names[j][stem + 1]))
			j++;
		pdpc_compiler *c = pdpc_new();
		cr_assert_not_null(c);
		expect ex[MAX_EXPECT];
		size_t nex = 0;
		for (size_t k = i; k < j; k++) {
			char path[1400];
			snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
			pdpc_add_file(c, path);
			nex += read_expects(path, names[k], ex + nex, MAX_EXPECT - nex);
		}
		const uint8_t *img;
		size_t len;
		pdpc_status st = pdpc_compile(c, &img, &len);
		(*sets)++;
		bool ok = st == PDPC_ERR_POLICY && img == NULL;
		if (!ok)
			cr_log_error("%s: compile status %d, expected a refusal",
			             names[i], st);
		if (!check_expects(names[i], c, compiler_diag, ex, nex, true))
			ok = false;
		failed += !ok;
		pdpc_free(c);
		for (size_t k = i; k < j; k++)
			free(names[k]);
		i = j;
	}
	return failed;
}

/* tests/errors/store: each file, put as an ACP into a store whose base
 * declares nothing, must be refused as its comments say. */
static size_t run_store_fixtures(size_t *sets)
{
	char dir[1024], *names[MAX_FIXTURES];
	size_t n = list_fixtures("tests/errors/store", dir, sizeof(dir), names), failed = 0;
	pdp_store *s = pdp_store_new();
	cr_assert_not_null(s);
	static const char base[] = "pdp: 1\n";
	cr_assert_eq(pdp_store_add_base_buffer(s, "base", base, sizeof(base) - 1),
	             PDPC_OK);
	cr_assert_eq(pdp_store_open(s), PDPC_OK);
	for (size_t i = 0; i < n; i++) {
		char path[1400];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		expect ex[MAX_EXPECT];
		size_t nex = read_expects(path, names[i], ex, MAX_EXPECT);
		FILE *f = fopen(path, "rb");
		cr_assert_not_null(f);
		char text[4096];
		size_t len = fread(text, 1, sizeof(text), f);
		fclose(f);
		pdp_store_txn *t = pdp_store_begin(s);
		cr_assert_not_null(t);
		pdp_str id = {"acp-a", 5};
		pdpc_status st = pdp_store_txn_put_acp(t, id, text, len);
		(*sets)++;
		bool ok = st == PDPC_ERR_POLICY;
		if (!ok)
			cr_log_error("%s: put status %d, expected a refusal", names[i],
			             st);
		if (!check_expects(names[i], t, txn_diag, ex, nex, false))
			ok = false;
		failed += !ok;
		pdp_store_abort(t);
		free(names[i]);
	}
	pdp_store_free(s);
	return failed;
}

/* A policy file that does not exist: E-IO, without a position. */
static bool run_missing_file(void)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/errors/no-such-file.yaml", root());
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	bool ok = pdpc_add_file(c, path) == PDPC_ERR_IO &&
	          pdpc_diag_count(c) == 1 &&
	          strcmp(pdpc_diag_get(c, 0)->code, "E-IO") == 0 &&
	          pdpc_diag_get(c, 0)->line == 0;
	if (ok)
		fired[DIAG_E_IO] = true;
	else
		cr_log_error("a missing file is not reported as E-IO");
	pdpc_free(c);
	return ok;
}

/* One tests/lint fixture; true when its expectations hold. */
static bool lint_one(const char *dir, const char *name)
{
	char path[1400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	expect ex[MAX_EXPECT];
	size_t n = read_expects(path, name, ex, MAX_EXPECT);
	if (n == 0) {
		cr_log_error("%s: no expect-warning / expect-no line", name);
		return false;
	}
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	bool ok = true;
	if (pdpc_add_file(c, path) != PDPC_OK || pdpc_lint(c) != PDPC_OK) {
		cr_log_error("%s: unreadable, or lint reports errors (a fixture "
		             "must be a valid policy)",
		             name);
		ok = false;
	}
	size_t nd = pdpc_diag_count(c);
	for (size_t i = 0; i < n; i++) {
		const char *code = diag_get(ex[i].code)->code;
		size_t same_code = 0, expected_here = 0;
		bool found = false;
		for (size_t k = 0; k < nd; k++) {
			const pdpc_diag *d = pdpc_diag_get(c, k);
			if (strcmp(d->code, code) != 0)
				continue;
			same_code++;
			found |= !ex[i].no && d->severity == PDPC_WARNING &&
			         d->line == ex[i].line && d->col == ex[i].col;
		}
		for (size_t j = 0; j < n; j++)
			expected_here += !ex[j].no && ex[j].code == ex[i].code;
		if (ex[i].no && same_code > 0) {
			cr_log_error("%s: %s reported but expect-no", name, code);
			ok = false;
		} else if (!ex[i].no && !found) {
			cr_log_error("%s: expected %s at %u:%u", name, code, ex[i].line,
			             ex[i].col);
			ok = false;
		} else if (!ex[i].no && same_code != expected_here) {
			cr_log_error("%s: %s reported %zu times, expected %zu", name,
			             code, same_code, expected_here);
			ok = false;
		} else if (ex[i].no)
			quiet[ex[i].code] = true;
		else
			fired[ex[i].code] = true;
	}
	if (!ok)
		log_diags(name, c, compiler_diag);
	pdpc_free(c);
	return ok;
}

static size_t run_lint_fixtures(size_t *sets)
{
	char dir[1024], *names[MAX_FIXTURES];
	size_t n = list_fixtures("tests/lint", dir, sizeof(dir), names), failed = 0;
	for (size_t i = 0; i < n; i++) {
		failed += !lint_one(dir, names[i]);
		(*sets)++;
		free(names[i]);
	}
	return failed;
}

Test(diagnostics, fixtures_fire_every_code, .timeout = 120)
{
	size_t sets = 0, failed = run_error_fixtures(&sets);
	failed += run_store_fixtures(&sets);
	failed += run_lint_fixtures(&sets);
	failed += !run_missing_file();
	cr_expect_eq(failed, 0, "%zu of %zu fixtures failed", failed, sets);
	for (size_t i = 0; i < DIAG_COUNT; i++) {
		const diag_def *d = diag_get((diag_code)i);
		if (i == DIAG_E_INTERNAL)
			continue; /* a compiler bug: no input provokes it */
		cr_expect(fired[i], "%s: no fixture fires it (tests/errors, "
		          "tests/errors/store or tests/lint)",
		          d->code);
		if (d->severity == PDPC_WARNING)
			cr_expect(quiet[i], "%s: no tests/lint fixture checks it stays "
			          "quiet",
			          d->code);
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
	size_t len = buf ? fread(buf, 1, (size_t)size, f) : 0;
	fclose(f);
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/* The table's rows are all filled and agree with their codes; the
 * documentation has a section for each code (the heading GitHub turns
 * into the anchor) and none for a code the table lacks. */
Test(diagnostics, table_matches_documentation)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/docs/diagnostics.md", root());
	char *doc = slurp(path);
	cr_assert_not_null(doc, "cannot read %s", path);
	for (size_t i = 0; i < DIAG_COUNT; i++) {
		const diag_def *d = diag_get((diag_code)i);
		cr_assert(d->code != NULL && d->meaning != NULL && d->anchor != NULL,
		          "row %zu of the diagnostic table is empty", i);
		cr_expect(d->severity == (d->code[0] == 'E' ? PDPC_ERROR
		                                            : PDPC_WARNING),
		          "%s: severity does not fit its letter", d->code);
		cr_expect_eq(diag_find(d->code), (diag_code)i, "%s: listed twice",
		             d->code);
		char want[64];
		size_t k = 0;
		for (; d->code[k] != '\0' && k + 1 < sizeof(want); k++)
			want[k] = (char)tolower((unsigned char)d->code[k]);
		want[k] = '\0';
		cr_expect_str_eq(d->anchor, want, "%s: anchor is not its heading's",
		                 d->code);
		char heading[80];
		snprintf(heading, sizeof(heading), "\n### %s\n", d->code);
		cr_expect_not_null(strstr(doc, heading),
		                   "%s is not documented in docs/diagnostics.md",
		                   d->code);
	}
	for (const char *p = doc; (p = strstr(p, "\n### ")) != NULL; p++) {
		char code[64];
		if (sscanf(p + 5, "%63[A-Z0-9-]", code) == 1 && code[1] == '-')
			cr_expect_lt(diag_find(code), DIAG_COUNT,
			             "docs/diagnostics.md documents %s, which the "
			             "table does not have",
			             code);
	}
	free(doc);
}

/* The table as the public API lists it (pdpc_code_get, pdpc_code_find). */
Test(diagnostics, public_listing_is_the_table)
{
	size_t n = 0;
	for (const pdpc_code_info *e; (e = pdpc_code_get(n)) != NULL; n++) {
		cr_expect_eq(e, diag_get((diag_code)n), "entry %zu", n);
		cr_expect_eq(pdpc_code_find(e->code), e, "%s", e->code);
	}
	cr_expect_eq(n, (size_t)DIAG_COUNT);
	const pdpc_code_info *s = pdpc_code_find("E-SCHED");
	cr_assert_not_null(s);
	cr_expect_eq(s->severity, PDPC_ERROR);
	cr_expect_str_eq(s->anchor, "e-sched");
	cr_expect_eq(pdpc_code_find("W-REDUNDANT")->severity, PDPC_WARNING);
	cr_expect_null(pdpc_code_find("E-NOPE"));
	cr_expect_null(pdpc_code_find("e-sched"));
	cr_expect_null(pdpc_code_find(NULL));
}
