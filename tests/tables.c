/*
 * tables.c - the spec as tables: every tests/decide/ (YAML) file holds
 * policies and cases (request + expected `pdp decide` line). The
 * tests/errors/ fixtures are run by diag_runner.c.
 */
#include <criterion/criterion.h>
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
