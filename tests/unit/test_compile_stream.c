/*
 * test_compile_stream.c - a policy's `acps:` items are read one by one
 * while its YAML loads (yaml_load_policy), and their trees freed: the
 * diagnostics must be those of reading the whole tree after loading.
 * Each case gives every diagnostic it expects, in order, as LINE:COL CODE;
 * then every policy file of the repository compiles and lints to the same
 * diagnostics and image read both ways (cc.h: whole_trees).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

/* Compile (or lint) text and list its diagnostics as "L:C CODE;...". */
static void diags_of(const char *text, bool lint, char *out, size_t n)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	cr_assert_eq(pdpc_add_buffer(c, "p.yaml", text, strlen(text)), PDPC_OK);
	if (lint) {
		pdpc_lint(c);
	} else {
		const uint8_t *img;
		size_t len;
		pdpc_compile(c, &img, &len);
	}
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < pdpc_diag_count(c) && o < n; i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		o += (size_t)snprintf(out + o, n - o, "%u:%u %s;", d->line, d->col,
		                      d->code);
	}
	pdpc_free(c);
}

static void expect_diags(const char *text, const char *want)
{
	char got[2048];
	diags_of(text, false, got, sizeof(got));
	cr_assert_str_eq(got, want, "got %s for:\n%s", got, text);
}

/* A YAML error after streamed items: only the load's diagnostics, as when
 * nothing of a file that does not load is read. */
Test(compile_stream, yaml_error_after_items_drops_their_diagnostics)
{
	expect_diags("pdp: 1\n"
	             "acps:\n"
	             "  - id: a\n"
	             "    privileges:\n"
	             "      - {originators: [x], operations: [bogus]}\n"
	             "  - id: b\n"
	             "    privileges:\n"
	             "      - {originators: [x], operations: [retrieve]\n",
	             "9:1 E-YAML;");
}

/* Duplicate keys found while loading stay when the YAML fails later. */
Test(compile_stream, load_diagnostics_stay_on_failure)
{
	expect_diags("pdp: 1\n"
	             "acps:\n"
	             "  - id: a\n"
	             "    id: b\n"
	             "    privileges: [{originators: [x], operations: [nope]}]\n"
	             "  - [\n",
	             "4:5 E-YAML-DUPKEY;7:1 E-YAML;");
}

/* Errors of streamed items, in source order, with the document's own. */
Test(compile_stream, item_errors_in_order)
{
	expect_diags("pdp: 1\n"
	             "acps:\n"
	             "  - id: a\n"
	             "    privileges: [{originators: [x], operations: [nope]}]\n"
	             "  - id: b\n"
	             "    privileges: [{originators: [x], operations: [017]}]\n"
	             "  - privileges: []\n"
	             "bogus: 1\n",
	             "4:50 E-OPERATION;6:50 E-YAML-NUMBER;"
	             "7:5 E-MISSING;8:1 E-UNKNOWN-KEY;");
}

/* Only the first `acps:` list is read (as yn_get finds it); only a list
 * after a first `pdp` of 1 is streamed, others read after loading. */
Test(compile_stream, which_lists_are_read)
{
	expect_diags("pdp: 1\n"
	             "acps:\n"
	             "  - {id: a, privileges: [{originators: [x], operations: [x1]}]}\n"
	             "acps:\n"
	             "  - {id: b, privileges: [{originators: [x], operations: [x2]}]}\n",
	             "3:58 E-OPERATION;4:1 E-YAML-DUPKEY;");
	expect_diags("acps:\n"
	             "  - {id: a, privileges: [{originators: [x], operations: [x1]}]}\n"
	             "pdp: 1\n",
	             "2:58 E-OPERATION;");
	expect_diags("pdp: 2\n"
	             "acps:\n"
	             "  - {id: a, privileges: [{originators: [x], operations: [x1]}]}\n",
	             "1:6 E-VERSION;");
}

/* The effect of who retrieving under acp with clearance (0: none). */
static pdp_effect retrieve(const pdp_image *img, const char *who,
                           const char *acp, uint32_t clearance, int64_t v)
{
	pdp_attr attr = {.id = clearance,
	                 .value = {.type = PDP_TYPE_INT, .u.i = v}};
	pdp_str target = {acp, strlen(acp)};
	pdp_request rq;
	pdp_request_init(&rq);
	rq.originator = (pdp_str){who, strlen(who)};
	rq.operation = PDP_OP_RETRIEVE;
	rq.acps = &target;
	rq.n_acps = 1;
	rq.attrs = &attr;
	rq.n_attrs = v != 0;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, NULL, &rq, &d), PDP_OK);
	return d.effect;
}

/* Condition literals and native objects outlive the freed item trees:
 * the compiled image decides by them. */
Test(compile_stream, kept_nodes_decide)
{
	const char *text =
		"pdp: 1\n"
		"attributes: {originator.clearance: int}\n"
		"acps:\n"
		"  - id: a\n"
		"    privileges:\n"
		"      - originators: [CAE-x]\n"
		"        operations: [retrieve]\n"
		"        when: {attr: originator.clearance, in: [3, 5]}\n"
		"  - {m2m:acp: {ri: n, pv: {acr: [{acor: [CAE-y], acop: 2}]}}}\n";
	pdpc_compiler *c = pdpc_new();
	cr_assert_eq(pdpc_add_buffer(c, "p.yaml", text, strlen(text)), PDPC_OK);
	const uint8_t *bytes;
	size_t len;
	cr_assert_eq(pdpc_compile(c, &bytes, &len), PDPC_OK);
	pdp_image *img;
	pdp_error err;
	cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_OK);
	uint32_t clearance = pdp_attr_id(img, (pdp_str){"originator.clearance", 20});
	for (int64_t v = 2; v <= 5; v++)
		cr_assert_eq(retrieve(img, "CAE-x", "a", clearance, v),
		             v == 3 || v == 5 ? PDP_PERMIT : PDP_DENY,
		             "clearance %lld", (long long)v);
	cr_assert_eq(retrieve(img, "CAE-y", "n", clearance, 0), PDP_PERMIT);
	pdp_image_free(img);
	pdpc_free(c);
}

/* Everything a compile or lint reports, and its image, as one text. */
static char *outcome(const char *path, bool lint, bool whole)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	c->whole_trees = whole;
	size_t cap = 1 << 16, o = 0;
	char *out = malloc(cap);
	cr_assert_not_null(out);
	int st;
	const uint8_t *img = NULL;
	size_t len = 0;
	if (pdpc_add_file(c, path) != PDPC_OK)
		st = -1;
	else if (lint)
		st = (int)pdpc_lint(c);
	else
		st = (int)pdpc_compile(c, &img, &len);
	uint32_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = sum * 31u + img[i];
	o += (size_t)snprintf(out + o, cap - o,
	                      "status %d, image of %zu bytes, sum %u\n",
	                      st, len, sum);
	for (size_t i = 0; i < pdpc_diag_count(c) && o < cap; i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		o += (size_t)snprintf(out + o, cap - o, "%d %s:%u:%u %s %s | %s\n",
		                      (int)d->severity, d->file, d->line, d->col,
		                      d->code, d->message, d->hint ? d->hint : "");
	}
	pdpc_free(c);
	return out;
}

static size_t compare_dir(const char *sub)
{
	const char *root = getenv("PDP_SOURCE_ROOT");
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/%s", root ? root : ".", sub);
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	size_t files = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		char path[2048];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		for (int lint = 0; lint < 2; lint++) {
			char *streamed = outcome(path, lint, false);
			char *whole = outcome(path, lint, true);
			cr_assert_str_eq(streamed, whole, "%s (%s)", path,
			                 lint ? "lint" : "compile");
			free(streamed);
			free(whole);
		}
		files++;
	}
	closedir(d);
	return files;
}

Test(compile_stream, fixtures_read_alike_both_ways)
{
	size_t n = compare_dir("tests/errors") + compare_dir("tests/lint") +
	           compare_dir("policies") + compare_dir("docs/examples");
	cr_assert_gt(n, 150, "only %zu policy files found", n);
}
