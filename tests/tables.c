/*
 * tables.c - the spec as tables: every tests/decide/ (YAML) file holds
 * policies and cases (request + expected `pdp decide` line); every
 * tests/errors/ YAML file is a policy that must fail to compile with the
 * diagnostics its `# expect-error: LINE:COL keyword` comments name.
 * Files named NAME.1.yaml, NAME.2.yaml, ... are compiled together.
 */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request/request.h"
#include "compiler/cc.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

static char *root_path(const char *rel)
{
	const char *root = getenv("PDP_SOURCE_ROOT");
	if (root == NULL)
		root = ".";
	size_t n = strlen(root) + strlen(rel) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", root, rel);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted list of *.yaml names in dir. */
static size_t list_yaml(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0)
			continue;
		names = realloc(names, (n + 1) * sizeof(char *));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_str);
	*out = names;
	return n;
}

static void format_line(const pdp_image *img, const parsed_request *pr,
                        const pdp_decision *d, char *buf, size_t size)
{
	char reason[512];
	if (!pr->ok) {
		snprintf(buf, size, "deny bad-request");
		return;
	}
	pdp_reason_format(img, d, true, reason, sizeof(reason));
	snprintf(buf, size, "%s %s", d->effect == PDP_PERMIT ? "permit" : "deny",
	         reason);
}

/* Run one decision table file; returns the number of failed cases. */
static size_t run_table(const char *dir, const char *name, size_t *ncases)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	pdpc_compiler *doc = pdpc_new();
	cr_assert_eq(pdpc_add_file(doc, path), PDPC_OK, "%s unreadable", path);
	ynode_vec docs = {0};
	cr_assert(yaml_load_docs(doc, 0, &docs) && docs.n == 1,
	          "%s is not one YAML document", path);
	ynode *top = docs.items[0];
	ynode *pols = yn_get(top, "policies"), *cases = yn_get(top, "cases");
	cr_assert(pols && pols->kind == YN_SEQ && cases && cases->kind == YN_SEQ,
	          "%s needs policies: and cases: lists", path);
	pdpc_compiler *pc = pdpc_new();
	for (size_t i = 0; i < pols->n; i++) {
		char pname[1100];
		snprintf(pname, sizeof(pname), "%s#policy%zu", name, i);
		pdpc_add_buffer(pc, pname, pols->items[i]->str, pols->items[i]->len);
	}
	const uint8_t *bytes;
	size_t len;
	pdpc_status st = pdpc_compile(pc, &bytes, &len);
	if (st != PDPC_OK) {
		for (size_t i = 0; i < pdpc_diag_count(pc); i++) {
			const pdpc_diag *dg = pdpc_diag_get(pc, i);
			cr_log_error("%s:%u:%u: %s", dg->file, dg->line, dg->col,
			             dg->message);
		}
		cr_expect_fail("%s: policies do not compile", name);
		return 1;
	}
	pdp_image *img = NULL;
	cr_assert_eq(pdp_image_load(bytes, len, &img, NULL), PDP_OK);
	pdp_scratch *scratch = NULL;
	cr_assert_eq(pdp_scratch_new(img, &scratch, NULL), PDP_OK);
	size_t failed = 0;
	for (size_t i = 0; i < cases->n; i++) {
		ynode *cs = cases->items[i];
		ynode *cname = yn_get(cs, "name"), *req = yn_get(cs, "request"),
		      *expect = yn_get(cs, "expect");
		cr_assert(req && expect && expect->kind == YN_SCALAR,
		          "%s case %zu needs request and expect", name, i);
		parsed_request pr;
		request_from_node(doc, req, img, &pr);
		pdp_decision d;
		pdp_decide(img, scratch, &pr.req, &d);
		char got[600];
		format_line(img, &pr, &d, got, sizeof(got));
		bool ok = strcmp(got, expect->str) == 0 ||
		          (strncmp(expect->str, "deny bad-request", 16) == 0 &&
		           strcmp(got, "deny bad-request") == 0);
		(*ncases)++;
		if (!ok) {
			failed++;
			cr_log_error("%s:%u: case '%s': expected '%s', got '%s'%s%s",
			             name, cs->pos.line, cname ? cname->str : "?",
			             expect->str, got, pr.ok ? "" : " -- ",
			             pr.ok ? "" : pr.error);
		}
	}
	pdp_scratch_free(scratch);
	pdp_image_free(img);
	pdpc_free(pc);
	pdpc_free(doc);
	return failed;
}

Test(tables, decide)
{
	char *dir = root_path("tests/decide");
	char **names;
	size_t n = list_yaml(dir, &names), failed = 0, cases = 0;
	cr_assert_gt(n, 0, "no decision tables in %s", dir);
	for (size_t i = 0; i < n; i++) {
		failed += run_table(dir, names[i], &cases);
		free(names[i]);
	}
	free(names);
	free(dir);
	cr_log_info("%zu decision cases", cases);
	cr_expect_eq(failed, 0, "%zu of %zu decision cases failed", failed, cases);
}

/* ---- compile errors ---- */

typedef struct expect_line {
	bool any;
	unsigned line, col;
	char word[64];
	char file[256];
} expect_line;

static size_t read_expects(const char *path, const char *fname,
                           expect_line *out, size_t max)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char buf[512];
	size_t n = 0;
	while (fgets(buf, sizeof(buf), f) && n < max) {
		expect_line e;
		memset(&e, 0, sizeof(e));
		const char *p = NULL;
		if (strncmp(buf, "# expect-error: ", 16) == 0)
			p = buf + 16;
		else if (strncmp(buf, "# expect-error-any: ", 20) == 0) {
			p = buf + 20;
			e.any = true;
		}
		if (p == NULL)
			continue;
		if (sscanf(p, "%u:%u %63s", &e.line, &e.col, e.word) < 2)
			continue;
		snprintf(e.file, sizeof(e.file), "%s", fname);
		out[n++] = e;
	}
	fclose(f);
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

static bool diag_matches(const pdpc_compiler *c, const expect_line *e)
{
	for (size_t i = 0; i < pdpc_diag_count(c); i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		const char *base = strrchr(d->file, '/');
		base = base ? base + 1 : d->file;
		/* errors inside a scalar (schedule, CIDR, regex) point at the
		 * offending character, at or after the scalar's start */
		bool inner = strcmp(d->code, "E-SCHED") == 0 ||
		             strcmp(d->code, "E-CIDR") == 0 ||
		             strcmp(d->code, "E-REGEX") == 0;
		bool col_ok = d->col == e->col || (inner && d->col > e->col);
		if (d->severity == PDPC_ERROR && d->line == e->line && col_ok &&
		    strcmp(base, e->file) == 0 && icontains(d->message, e->word))
			return true;
	}
	return false;
}

Test(tables, compile_errors)
{
	char *dir = root_path("tests/errors");
	char **names;
	size_t n = list_yaml(dir, &names), failed = 0, sets = 0;
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n;) {
		/* group NAME.1.yaml, NAME.2.yaml ... */
		size_t j = i + 1;
		const char *dot = strstr(names[i], ".1.yaml");
		size_t stem = dot ? (size_t)(dot - names[i]) : 0;
		while (dot && j < n && strncmp(names[j], names[i], stem) == 0 &&
		       names[j][stem] == '.' && isdigit((unsigned char)names[j][stem + 1]))
			j++;
		pdpc_compiler *c = pdpc_new();
		expect_line ex[64];
		size_t nex = 0;
		for (size_t k = i; k < j; k++) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
			pdpc_add_file(c, path);
			nex += read_expects(path, names[k], ex + nex, 64 - nex);
		}
		const uint8_t *img;
		size_t len;
		pdpc_status st = pdpc_compile(c, &img, &len);
		sets++;
		bool ok = st == PDPC_ERR_POLICY && img == NULL && nex > 0;
		bool any_seen = false, any_ok = false;
		for (size_t k = 0; k < nex; k++) {
			bool m = diag_matches(c, &ex[k]);
			if (ex[k].any) {
				any_seen = true;
				any_ok |= m;
			} else if (!m) {
				ok = false;
				cr_log_error("%s: expected error at %u:%u containing '%s'",
				             ex[k].file, ex[k].line, ex[k].col, ex[k].word);
			}
		}
		if (any_seen && !any_ok) {
			ok = false;
			cr_log_error("%s: none of the expect-error-any positions matched",
			             names[i]);
		}
		if (!ok) {
			failed++;
			cr_log_error("%s: compile status %d; diagnostics:", names[i], st);
			for (size_t k = 0; k < pdpc_diag_count(c); k++) {
				const pdpc_diag *d = pdpc_diag_get(c, k);
				cr_log_error("  %s:%u:%u: %s [%s]", d->file, d->line, d->col,
				             d->message, d->code);
			}
		}
		pdpc_free(c);
		for (size_t k = i; k < j; k++)
			free(names[k]);
		i = j;
	}
	free(names);
	free(dir);
	cr_expect_eq(failed, 0, "%zu of %zu error fixtures failed", failed, sets);
}
