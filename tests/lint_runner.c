/*
 * lint_runner.c - the lint checks against the fixtures tests/lint/NAME.yaml.
 * Each fixture starts with comment lines that say what `pdp lint` must
 * report:
 *
 *   # expect-warning: LINE:COL CODE   (several lines allowed)
 *   # expect-no: CODE
 *
 * A fixture must lint without errors; every expected warning must be
 * reported at exactly LINE:COL, and no other diagnostic of an expected
 * code may appear (so a check that fires twice, or at the wrong place,
 * fails). `expect-no` fixtures (NAME_ok.yaml) must not report the code.
 * Every W- code that docs/diagnostics.md documents must have a fixture that
 * triggers it and one that does not, and every E-/W- code string in src/
 * must be documented there.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/pdpc.h"

#define MAX_EXPECT 32
#define MAX_FIXTURES 256
#define MAX_CODES 128
#define CODE_LEN 48

typedef struct expect {
	unsigned line, col;
	char code[CODE_LEN];
	bool no;
} expect;

typedef struct code_seen {
	char code[CODE_LEN];
	bool trig, ok;
} code_seen;

static code_seen seen[MAX_CODES];
static size_t n_seen;

static void note_code(const char *code, bool no)
{
	for (size_t i = 0; i < n_seen; i++)
		if (strcmp(seen[i].code, code) == 0) {
			if (no)
				seen[i].ok = true;
			else
				seen[i].trig = true;
			return;
		}
	if (n_seen == MAX_CODES)
		return;
	snprintf(seen[n_seen].code, CODE_LEN, "%s", code);
	seen[n_seen].trig = !no;
	seen[n_seen].ok = no;
	n_seen++;
}

static const char *root(void)
{
	const char *r = getenv("PDP_SOURCE_ROOT");
	return r != NULL ? r : ".";
}

/* Read the leading comment lines of a fixture. Returns the count, or -1
 * when a line cannot be parsed. */
static int read_expectations(const char *path, expect *ex)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f) != NULL && line[0] == '#') {
		expect e;
		memset(&e, 0, sizeof(e));
		if (sscanf(line, "# expect-warning: %u:%u %47s", &e.line, &e.col,
		           e.code) == 3) {
			e.no = false;
		} else if (sscanf(line, "# expect-no: %47s", e.code) == 1) {
			e.no = true;
		} else if (strncmp(line, "# expect", 8) == 0) {
			fclose(f);
			return -1;
		} else
			continue;
		if (n == MAX_EXPECT)
			break;
		ex[n++] = e;
	}
	fclose(f);
	return n;
}

static bool lint_one(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/lint/%s", root(), name);
	expect ex[MAX_EXPECT];
	int n = read_expectations(path, ex);
	if (n <= 0) {
		cr_log_error("%s: no (or a malformed) expect-warning / expect-no "
		             "header",
		             name);
		return false;
	}
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	bool ok = true;
	if (pdpc_add_file(c, path) != PDPC_OK) {
		cr_log_error("%s: cannot read", name);
		pdpc_free(c);
		return false;
	}
	pdpc_status st = pdpc_lint(c);
	size_t nd = pdpc_diag_count(c);
	if (st != PDPC_OK) {
		cr_log_error("%s: lint reports errors (a fixture must be a valid "
		             "policy)",
		             name);
		ok = false;
	}
	for (int i = 0; i < n; i++) {
		note_code(ex[i].code, ex[i].no);
		size_t same_code = 0, expected_here = 0;
		bool found = false;
		for (size_t k = 0; k < nd; k++) {
			const pdpc_diag *d = pdpc_diag_get(c, k);
			if (strcmp(d->code, ex[i].code) != 0)
				continue;
			same_code++;
			if (!ex[i].no && d->severity == PDPC_WARNING &&
			    d->line == ex[i].line && d->col == ex[i].col)
				found = true;
		}
		for (int j = 0; j < n; j++)
			expected_here += !ex[j].no &&
			                 strcmp(ex[j].code, ex[i].code) == 0;
		if (ex[i].no && same_code > 0) {
			cr_log_error("%s: %s reported but expect-no", name,
			             ex[i].code);
			ok = false;
		} else if (!ex[i].no && !found) {
			cr_log_error("%s: expected %s at %u:%u", name, ex[i].code,
			             ex[i].line, ex[i].col);
			ok = false;
		} else if (!ex[i].no && same_code != expected_here) {
			cr_log_error("%s: %s reported %zu times, expected %zu", name,
			             ex[i].code, same_code, expected_here);
			ok = false;
		}
	}
	if (!ok)
		for (size_t k = 0; k < nd; k++) {
			const pdpc_diag *d = pdpc_diag_get(c, k);
			cr_log_info("  %s:%u:%u: %s [%s]", name, d->line, d->col,
			            d->message, d->code);
		}
	pdpc_free(c);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(lint, fixtures, .timeout = 120)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/tests/lint", root());
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s (set PDP_SOURCE_ROOT)", dir);
	char *names[MAX_FIXTURES];
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
	size_t failed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!lint_one(names[i]))
			failed++;
		free(names[i]);
	}
	cr_expect_eq(failed, 0, "%zu of %zu lint fixtures failed", failed, n);

	/* every documented warning has both kinds of fixture */
	char doc[1024];
	snprintf(doc, sizeof(doc), "%s/docs/diagnostics.md", root());
	FILE *f = fopen(doc, "r");
	cr_assert_not_null(f, "cannot open %s", doc);
	char line[512];
	size_t documented = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char code[CODE_LEN];
		if (sscanf(line, "### %47[A-Z0-9-]", code) != 1 ||
		    strncmp(code, "W-", 2) != 0)
			continue;
		documented++;
		bool trig = false, okf = false;
		for (size_t i = 0; i < n_seen; i++)
			if (strcmp(seen[i].code, code) == 0) {
				trig = seen[i].trig;
				okf = seen[i].ok;
			}
		cr_expect(trig, "%s: no tests/lint fixture triggers it", code);
		cr_expect(okf, "%s: no tests/lint fixture checks it stays quiet",
		          code);
	}
	fclose(f);
	cr_expect_gt(documented, 0, "no W- codes found in docs/diagnostics.md");
}

/* ---- every code in the sources is documented ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf != NULL && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			char *nb = realloc(buf, 2 * cap + 1);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf != NULL)
		buf[len] = '\0';
	return buf;
}

/* Check each "E-..." / "W-..." string literal of the C files under dir
 * against the documentation text; returns the number missing. */
static size_t check_dir(const char *dir, const char *doc, int depth)
{
	size_t missing = 0;
	DIR *d = opendir(dir);
	if (d == NULL || depth > 4) {
		if (d != NULL)
			closedir(d);
		return 0;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		if ((size_t)snprintf(path, sizeof(path), "%.2047s/%.255s", dir,
		                     e->d_name) >= sizeof(path))
			continue;
		size_t l = strlen(e->d_name);
		if (l < 3 || strcmp(e->d_name + l - 2, ".c") != 0) {
			missing += check_dir(path, doc, depth + 1);
			continue;
		}
		char *src = slurp(path);
		if (src == NULL)
			continue;
		for (const char *p = src; (p = strchr(p, '"')) != NULL; p++) {
			if ((p[1] != 'E' && p[1] != 'W') || p[2] != '-')
				continue;
			size_t n = 3;
			while ((p[n] >= 'A' && p[n] <= 'Z') ||
			       (p[n] >= '0' && p[n] <= '9') || p[n] == '-')
				n++;
			if (p[n] != '"' || n < 4 || n - 1 >= CODE_LEN)
				continue;
			char heading[CODE_LEN + 8];
			snprintf(heading, sizeof(heading), "### %.*s\n", (int)(n - 1),
			         p + 1);
			if (strstr(doc, heading) == NULL) {
				cr_log_error("%s: code %.*s is not documented in "
				             "docs/diagnostics.md",
				             path, (int)(n - 1), p + 1);
				missing++;
			}
			p += n;
		}
		free(src);
	}
	closedir(d);
	return missing;
}

Test(lint, codes_documented)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/docs/diagnostics.md", root());
	char *doc = slurp(path);
	cr_assert_not_null(doc, "cannot read %s", path);
	snprintf(path, sizeof(path), "%s/src", root());
	size_t missing = check_dir(path, doc, 0);
	free(doc);
	cr_expect_eq(missing, 0, "%zu diagnostic codes are not documented",
	             missing);
}
