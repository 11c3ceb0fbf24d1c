/*
 * test_store.c - the live policy store's API (include/pdp/store.h): puts,
 * replacements and removals by id, revocation on the very next request,
 * transactions all or nothing, diagnostics that name the resource and the
 * place in its JSON, groups (members, creation, removal, rebinding of bare
 * acor names), readers, ACP indices, sessions across changes, persistence
 * (reopen, torn log tail, damage, checkpoints). Equivalence with a
 * from-scratch compile over random change sequences is tests/
 * test_store_diff.c; threads deciding during changes is store_threads.c.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pdp/store.h"

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static const pdp_str NO_ID = {NULL, 0};

static const char *BASE =
	"pdp: 1\n"
	"attributes: { originator.level: int }\n"
	"roles: { viewer: {}, operator: { inherits: [viewer] }, approver: {} }\n"
	"assignments: { CAE-op: [operator], CAE-both: [operator, approver] }\n"
	"constraints: { dsd: [{ name: d, roles: [operator, approver], n: 2 }] }\n"
	"groups: { meters: [CAE-m1, 'CAE-m9*'] }\n"
	"acps:\n"
	"  - id: base-acp\n"
	"    privileges:\n"
	"      - { originators: [CAE-b], operations: [retrieve] }\n"
	"      - { originators: ['group:meters'], operations: [retrieve], id: meters-read }\n"
	"  - {\"m2m:acp\": {ri: native-acp, pv: {acr: [{acor: [grpX, CAE-n], acop: 2}]}}}\n";

static pdp_store *open_store(const char *dir)
{
	pdp_store *s = pdp_store_new();
	cr_assert_not_null(s);
	cr_assert_eq(pdp_store_add_base_buffer(s, "base.yaml", BASE, strlen(BASE)),
	             PDPC_OK);
	if (dir != NULL)
		cr_assert_eq(pdp_store_set_dir(s, dir), PDPC_OK);
	pdpc_status st = pdp_store_open(s);
	for (size_t i = 0; st != PDPC_OK && i < pdp_store_diag_count(s); i++)
		cr_log_error("%s", pdp_store_diag_get(s, i)->message);
	cr_assert_eq(st, PDPC_OK);
	return s;
}

/* "permit rule:..." or "deny <reason>" for one retrieve request. */
static char ans[600];
static const char *decide_on(const pdp_image *img, const char *orig,
                             const char *acp, uint32_t op)
{
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S(orig);
	q.operation = op;
	pdp_str a = S(acp);
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	char tok[512];
	pdp_reason_format(img, &d, true, tok, sizeof(tok));
	snprintf(ans, sizeof(ans), "%s %s",
	         d.effect == PDP_PERMIT ? "permit" : "deny", tok);
	return ans;
}

static const char *decide(pdp_store *s, const char *orig, const char *acp)
{
	pdp_image *img = pdp_store_image(s);
	cr_assert_not_null(img);
	decide_on(img, orig, acp, PDP_OP_RETRIEVE);
	pdp_image_release(img);
	return ans;
}

static void put(pdp_store *s, const char *id, const char *text)
{
	pdp_error err;
	pdpc_status st = pdp_store_put_acp(s, id ? S(id) : NO_ID, text,
	                                   strlen(text), &err);
	cr_assert_eq(st, PDPC_OK, "put %s: %s", id ? id : "", err.message);
}

static const char *ACP1 =
	"{\"m2m:acp\": {\"ri\": \"acp-1\", \"pv\": {\"acr\": [{\"acor\": "
	"[\"CAE-x\", \"role:viewer\"], \"acop\": 2}]}}}";

Test(store, base_decides_as_compiled)
{
	pdp_store *s = open_store(NULL);
	cr_expect_str_eq(decide(s, "CAE-b", "base-acp"),
	                 "permit rule:base-acp:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-m93", "base-acp"),
	                 "permit rule:base-acp:privileges:1 meters-read");
	cr_expect_str_eq(decide(s, "CAE-n", "native-acp"),
	                 "permit rule:native-acp:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-b", "nope"), "deny unknown-acp");
	cr_expect_eq(pdp_store_acp_count(s), 2u);
	cr_expect_eq(pdp_store_group_count(s), 1u);
	pdp_store_free(s);
}

Test(store, put_replace_remove_and_revocation)
{
	pdp_store *s = open_store(NULL);
	put(s, NULL, ACP1); /* id from ri */
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-op", "acp-1"),
	                 "permit rule:acp-1:privileges:0"); /* role:viewer */
	/* an image held from before keeps deciding as it did */
	pdp_image *before = pdp_store_image(s);
	/* revoke: replace with a rule for someone else */
	put(s, "acp-1", "{\"m2m:acp\": {\"pv\": {\"acr\": [{\"acor\": "
	                "[\"CAE-y\"], \"acop\": 2}]}}}");
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"), "deny no-rule-matched");
	cr_expect_str_eq(decide(s, "CAE-y", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	cr_expect_str_eq(decide_on(before, "CAE-x", "acp-1", PDP_OP_RETRIEVE),
	                 "permit rule:acp-1:privileges:0");
	pdp_image_release(before);
	/* a pdp: 1 document with one ACP, replacing a base ACP */
	put(s, "base-acp", "pdp: 1\nacps:\n  - id: ignored\n    privileges:\n"
	                   "      - { originators: [CAE-z], operations: all }\n");
	cr_expect_str_eq(decide(s, "CAE-z", "base-acp"),
	                 "permit rule:base-acp:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-b", "base-acp"), "deny no-rule-matched");
	pdp_error err;
	cr_assert_eq(pdp_store_remove_acp(s, S("acp-1"), &err), PDPC_OK);
	cr_expect_str_eq(decide(s, "CAE-y", "acp-1"), "deny unknown-acp");
	cr_expect_eq(pdp_store_remove_acp(s, S("acp-1"), &err), PDPC_ERR_POLICY);
	cr_expect(strstr(err.message, "no ACP 'acp-1'") != NULL, "%s", err.message);
	pdp_store_free(s);
}

Test(store, refused_changes_say_where_and_change_nothing)
{
	pdp_store *s = open_store(NULL);
	put(s, NULL, ACP1);
	pdp_error err;
	const char *bad = "{\"m2m:acp\": {\"pv\": {\"acr\": [\n"
	                  "  {\"acor\": [\"CAE-x\"], \"acop\": 99}]}}}";
	cr_assert_eq(pdp_store_put_acp(s, S("acp-1"), bad, strlen(bad), &err),
	             PDPC_ERR_POLICY);
	cr_expect(strncmp(err.message, "acp:acp-1:2:", 12) == 0, "%s",
	          err.message);
	cr_expect(strstr(err.message, "acop 99") != NULL, "%s", err.message);
	cr_assert_gt(pdp_store_diag_count(s), 0u);
	const pdpc_diag *d = pdp_store_diag_get(s, 0);
	cr_expect_str_eq(d->file, "acp:acp-1");
	cr_expect_eq(d->line, 2u);
	/* the old version still decides */
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	/* declarations belong to the base */
	const char *decl = "pdp: 1\nroles: { r: {} }\nacps:\n  - id: q\n"
	                   "    privileges: []\n";
	cr_assert_eq(pdp_store_put_acp(s, NO_ID, decl, strlen(decl), &err),
	             PDPC_ERR_POLICY);
	cr_expect(strstr(err.message, "cannot declare 'roles'") != NULL, "%s",
	          err.message);
	/* undeclared role, two ACPs in one put */
	const char *role = "{\"m2m:acp\": {\"ri\": \"r\", \"pv\": {\"acr\": "
	                   "[{\"acor\": [\"role:nope\"], \"acop\": 2}]}}}";
	cr_expect_eq(pdp_store_put_acp(s, NO_ID, role, strlen(role), &err),
	             PDPC_ERR_POLICY);
	cr_expect(strstr(err.message, "undeclared role 'nope'") != NULL, "%s",
	          err.message);
	const char *two = "pdp: 1\nacps:\n  - { id: a, privileges: [] }\n"
	                  "  - { id: b, privileges: [] }\n";
	cr_expect_eq(pdp_store_put_acp(s, NO_ID, two, strlen(two), &err),
	             PDPC_ERR_POLICY);
	cr_expect_eq(pdp_store_acp_count(s), 3u);
	pdp_store_free(s);
}

Test(store, transactions_apply_whole_or_not_at_all)
{
	pdp_store *s = open_store(NULL);
	pdp_store_txn *t = pdp_store_begin(s);
	cr_assert_not_null(t);
	cr_assert_eq(pdp_store_txn_put_acp(t, NO_ID, ACP1, strlen(ACP1)), PDPC_OK);
	pdp_str m[] = {S("CAE-g1")};
	cr_assert_eq(pdp_store_txn_set_group(t, S("grpY"), m, 1), PDPC_OK);
	const char *uses = "pdp: 1\nacps:\n  - id: acp-2\n    privileges:\n"
	                   "      - { originators: ['group:grpY'], operations: "
	                   "[retrieve] }\n";
	cr_assert_eq(pdp_store_txn_put_acp(t, NO_ID, uses, strlen(uses)), PDPC_OK);
	/* nothing visible before commit */
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"), "deny unknown-acp");
	cr_assert_eq(pdp_store_commit(t), PDPC_OK);
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-g1", "acp-2"),
	                 "permit rule:acp-2:privileges:0");
	/* a transaction with one refused change applies none of them */
	t = pdp_store_begin(s);
	cr_assert_eq(pdp_store_txn_remove_acp(t, S("acp-1")), PDPC_OK);
	cr_assert_eq(pdp_store_txn_remove_acp(t, S("no-such")), PDPC_ERR_POLICY);
	cr_expect_gt(pdp_store_txn_diag_count(t), 0u);
	cr_expect_eq(pdp_store_commit(t), PDPC_ERR_POLICY);
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	/* abort drops staged changes */
	t = pdp_store_begin(s);
	cr_assert_eq(pdp_store_txn_remove_acp(t, S("acp-1")), PDPC_OK);
	pdp_store_abort(t);
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	pdp_store_free(s);
}

Test(store, groups_members_creation_removal_and_rebinding)
{
	pdp_store *s = open_store(NULL);
	pdp_error err;
	/* base group: members replaced */
	pdp_str m1[] = {S("CAE-new"), S("CAE-q*")};
	cr_assert_eq(pdp_store_set_group(s, S("meters"), m1, 2, &err), PDPC_OK);
	cr_expect_str_eq(decide(s, "CAE-m1", "base-acp"), "deny no-rule-matched");
	cr_expect_str_eq(decide(s, "CAE-qq", "base-acp"),
	                 "permit rule:base-acp:privileges:1 meters-read");
	cr_expect_eq(pdp_store_remove_group(s, S("meters"), &err),
	             PDPC_ERR_POLICY);
	/* native acor entry grpX is an id until a group of that name exists */
	cr_expect_str_eq(decide(s, "grpX", "native-acp"),
	                 "permit rule:native-acp:privileges:0");
	pdp_str m2[] = {S("CAE-member")};
	cr_assert_eq(pdp_store_set_group(s, S("grpX"), m2, 1, &err), PDPC_OK,
	             "%s", err.message);
	cr_expect_str_eq(decide(s, "grpX", "native-acp"), "deny no-rule-matched");
	cr_expect_str_eq(decide(s, "CAE-member", "native-acp"),
	                 "permit rule:native-acp:privileges:0");
	/* an ACP put later binds to it too */
	const char *later = "{\"m2m:acp\": {\"ri\": \"later\", \"pv\": {\"acr\": "
	                    "[{\"acor\": [\"grpX\"], \"acop\": 2}]}}}";
	put(s, NULL, later);
	cr_expect_str_eq(decide(s, "CAE-member", "later"),
	                 "permit rule:later:privileges:0");
	cr_assert_eq(pdp_store_remove_group(s, S("grpX"), &err), PDPC_OK);
	cr_expect_str_eq(decide(s, "CAE-member", "native-acp"),
	                 "deny no-rule-matched");
	cr_expect_str_eq(decide(s, "grpX", "later"),
	                 "permit rule:later:privileges:0");
	/* a group named by group: cannot be removed; one named like a role
	 * cannot be created; members are ids or globs */
	pdp_str m3[] = {S("CAE-a")};
	cr_assert_eq(pdp_store_set_group(s, S("grpZ"), m3, 1, &err), PDPC_OK);
	put(s, "zref", "pdp: 1\nacps:\n  - id: x\n    privileges:\n      - "
	               "{ originators: ['group:grpZ'], operations: all }\n");
	cr_expect_eq(pdp_store_remove_group(s, S("grpZ"), &err), PDPC_ERR_POLICY);
	cr_expect(strstr(err.message, "group: reference") != NULL, "%s",
	          err.message);
	cr_expect_eq(pdp_store_set_group(s, S("viewer"), m3, 1, &err),
	             PDPC_ERR_POLICY);
	pdp_str bad[] = {S("CAE-ok"), S("role:viewer")};
	cr_expect_eq(pdp_store_set_group(s, S("grpW"), bad, 2, &err),
	             PDPC_ERR_POLICY);
	cr_expect(strstr(err.message, "member 2") != NULL, "%s", err.message);
	pdp_store_free(s);
}

Test(store, readers_and_acp_indices)
{
	pdp_store *s = open_store(NULL);
	pdp_store_reader *r = NULL;
	cr_assert_eq(pdp_store_reader_new(s, &r, NULL), PDP_OK);
	const pdp_image *a = pdp_store_reader_image(r);
	cr_assert_not_null(a);
	cr_expect_eq(pdp_store_reader_image(r), a, "unchanged: same image");
	uint32_t base_ix = pdp_acp_index(a, S("base-acp"));
	cr_assert_neq(base_ix, PDP_NONE);
	put(s, NULL, ACP1);
	const pdp_image *b = pdp_store_reader_image(r);
	cr_expect_neq(b, a, "a change: a new image");
	uint32_t ix = pdp_acp_index(b, S("acp-1"));
	cr_assert_neq(ix, PDP_NONE);
	cr_expect_eq(pdp_acp_index(b, S("base-acp")), base_ix);
	pdp_str name = pdp_acp_name(b, ix);
	cr_expect(name.len == 5 && memcmp(name.ptr, "acp-1", 5) == 0);
	/* an ACP keeps its index across replacement; a removed index is
	 * never given to another ACP */
	put(s, "acp-1", ACP1);
	b = pdp_store_reader_image(r);
	cr_expect_eq(pdp_acp_index(b, S("acp-1")), ix);
	pdp_error err;
	cr_assert_eq(pdp_store_remove_acp(s, S("acp-1"), &err), PDPC_OK);
	put(s, NULL, "{\"m2m:acp\": {\"ri\": \"acp-2\", \"pv\": {\"acr\": "
	             "[{\"acor\": [\"all\"], \"acop\": 63}]}}}");
	b = pdp_store_reader_image(r);
	cr_expect_neq(pdp_acp_index(b, S("acp-2")), ix);
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S("CAE-x");
	q.operation = PDP_OP_RETRIEVE;
	q.acp_ids = &ix;
	q.n_acps = 1;
	pdp_decision d;
	pdp_decide(b, NULL, &q, &d);
	cr_expect_eq(d.reason, PDP_REASON_UNKNOWN_ACP, "a stale index denies");
	cr_expect_eq(pdp_acp_name(b, ix).ptr, NULL);
	pdp_store_reader_free(r);
	pdp_store_free(s);
}

Test(store, readers_outlive_the_store)
{
	pdp_store *s = open_store(NULL);
	pdp_store_reader *r = NULL;
	cr_assert_eq(pdp_store_reader_new(s, &r, NULL), PDP_OK);
	const pdp_image *img = pdp_store_reader_image(r);
	pdp_store_free(s);
	cr_expect_str_eq(decide_on(img, "CAE-b", "base-acp", PDP_OP_RETRIEVE),
	                 "permit rule:base-acp:privileges:0");
	cr_expect_eq(pdp_store_reader_image(r), img);
	pdp_store_reader_free(r);
}

Test(store, regex_conditions_with_a_scratch_for_any_image)
{
	pdp_store *s = open_store(NULL);
	put(s, NULL, "pdp: 1\nacps:\n  - id: rx\n    privileges:\n      - "
	             "{ originators: [all], operations: [retrieve], when: "
	             "{ attr: originator.id, matches: '^CAE-(a|b)+$' } }\n");
	pdp_scratch *sc = NULL;
	cr_assert_eq(pdp_scratch_new_any(&sc, NULL), PDP_OK);
	pdp_image *img = pdp_store_image(s);
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S("CAE-abab");
	q.operation = PDP_OP_RETRIEVE;
	pdp_str a = S("rx");
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	pdp_decide(img, sc, &q, &d);
	cr_expect_eq(d.effect, PDP_PERMIT);
	q.originator = S("CAE-abc");
	pdp_decide(img, sc, &q, &d);
	cr_expect_eq(d.effect, PDP_DENY);
	/* a scratch made for one image only is refused on another */
	pdp_scratch *own = NULL;
	pdp_image *img2 = NULL;
	put(s, "other", "pdp: 1\nacps:\n  - { id: o, privileges: [] }\n");
	img2 = pdp_store_image(s);
	cr_assert_eq(pdp_scratch_new(img, &own, NULL), PDP_OK);
	q.originator = S("CAE-abab");
	pdp_decide(img2, own, &q, &d);
	cr_expect_eq(d.reason, PDP_REASON_BAD_REQUEST);
	pdp_decide(img, own, &q, &d);
	cr_expect_eq(d.effect, PDP_PERMIT);
	pdp_scratch_free(own);
	pdp_scratch_free(sc);
	pdp_image_release(img);
	pdp_image_release(img2);
	pdp_store_free(s);
}

/* ---- sessions ---- */

static pdp_image *compile_image(const char *text)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_eq(pdpc_add_buffer(c, "p.yaml", text, strlen(text)), PDPC_OK);
	const uint8_t *bytes;
	size_t len;
	cr_assert_eq(pdpc_compile(c, &bytes, &len), PDPC_OK);
	pdp_image *img = NULL;
	cr_assert_eq(pdp_image_load(bytes, len, &img, NULL), PDP_OK);
	pdpc_free(c);
	return img;
}

Test(store, sessions_survive_changes)
{
	pdp_store *s = open_store(NULL);
	put(s, "ops", "pdp: 1\nacps:\n  - id: x\n    privileges:\n      - "
	              "{ originators: ['role:operator'], operations: [update] }\n");
	pdp_image *img = pdp_store_image(s);
	void *mem = aligned_alloc(alignof(max_align_t),
	                          (pdp_session_size(img) + 15) & ~(size_t)15);
	pdp_session *ses = NULL;
	cr_assert_eq(pdp_session_init(mem, pdp_session_size(img), img,
	                              S("CAE-op"), &ses, NULL), PDP_OK);
	cr_assert_eq(pdp_session_add_role(ses, S("operator"), NULL), PDP_OK);
	pdp_request q;
	pdp_request_init(&q);
	q.operation = PDP_OP_UPDATE;
	pdp_str a = S("ops");
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	pdp_session_decide(ses, NULL, &q, &d);
	cr_expect_eq(d.effect, PDP_PERMIT);
	/* the ACP changes: the rebound session sees the change */
	put(s, "ops", "pdp: 1\nacps:\n  - id: x\n    privileges:\n      - "
	              "{ originators: ['role:approver'], operations: [update] }\n");
	pdp_image *img2 = pdp_store_image(s);
	cr_assert_eq(pdp_session_rebind(ses, img2, NULL), PDP_OK);
	pdp_image_release(img);
	pdp_session_decide(ses, NULL, &q, &d);
	cr_expect_eq(d.effect, PDP_DENY);
	cr_expect_eq(d.reason, PDP_REASON_NO_RULE_MATCHED);
	pdp_image_release(img2);
	pdp_store_free(s);
	free(mem);
}

Test(store, session_role_removed_or_unauthorized_after_rebind)
{
	pdp_image *v1 = compile_image(
		"pdp: 1\nroles: { a: {}, b: {} }\nassignments: { CAE-u: [a, b] }\n"
		"acps:\n  - id: x\n    privileges:\n      - { originators: [all], "
		"operations: all }\n");
	pdp_image *v2 = compile_image(
		"pdp: 1\nroles: { b: {} }\nassignments: { CAE-u: [b] }\n"
		"acps:\n  - id: x\n    privileges:\n      - { originators: [all], "
		"operations: all }\n");
	pdp_image *v3 = compile_image(
		"pdp: 1\nroles: { a: {}, b: {} }\nassignments: { CAE-u: [b] }\n"
		"acps:\n  - id: x\n    privileges:\n      - { originators: [all], "
		"operations: all }\n");
	size_t size = pdp_session_size(v1);
	void *mem = aligned_alloc(alignof(max_align_t), (size + 15) & ~(size_t)15);
	pdp_session *ses = NULL;
	pdp_request q;
	pdp_request_init(&q);
	q.operation = PDP_OP_RETRIEVE;
	pdp_str a = S("x");
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	/* role b survives, a is gone */
	cr_assert_eq(pdp_session_init(mem, size, v1, S("CAE-u"), &ses, NULL), PDP_OK);
	cr_assert_eq(pdp_session_add_role(ses, S("b"), NULL), PDP_OK);
	cr_assert_eq(pdp_session_rebind(ses, v2, NULL), PDP_OK);
	pdp_session_decide(ses, NULL, &q, &d);
	cr_expect_eq(d.effect, PDP_PERMIT);
	cr_assert_eq(pdp_session_init(mem, size, v1, S("CAE-u"), &ses, NULL), PDP_OK);
	cr_assert_eq(pdp_session_add_role(ses, S("a"), NULL), PDP_OK);
	pdp_error err;
	cr_expect_eq(pdp_session_rebind(ses, v2, &err), PDP_ERR_NOT_FOUND);
	pdp_session_decide(ses, NULL, &q, &d);
	cr_expect_eq(d.effect, PDP_DENY);
	cr_expect_eq(d.reason, PDP_REASON_SESSION_ROLE_REMOVED);
	char tok[64];
	pdp_reason_format(v2, &d, false, tok, sizeof(tok));
	cr_expect_str_eq(tok, "session-role-removed");
	/* a still exists but is no longer assigned */
	cr_assert_eq(pdp_session_init(mem, size, v1, S("CAE-u"), &ses, NULL), PDP_OK);
	cr_assert_eq(pdp_session_add_role(ses, S("a"), NULL), PDP_OK);
	cr_expect_eq(pdp_session_rebind(ses, v3, NULL), PDP_ERR_NOT_AUTHORIZED);
	pdp_session_decide(ses, NULL, &q, &d);
	cr_expect_eq(d.reason, PDP_REASON_ROLE_NOT_AUTHORIZED);
	free(mem);
	pdp_image_release(v1);
	pdp_image_release(v2);
	pdp_image_release(v3);
}

/* ---- persistence ---- */

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/pdp-store-XXXXXX";
	char *d = mkdtemp(tmpl);
	cr_assert_not_null(d);
	return strdup(d);
}

static void remove_dir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

static off_t file_size(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0 ? st.st_size : -1;
}

static pdp_store *reopen(const char *dir, bool with_base)
{
	pdp_store *s = pdp_store_new();
	if (with_base)
		pdp_store_add_base_buffer(s, "base.yaml", BASE, strlen(BASE));
	pdp_store_set_dir(s, dir);
	return s;
}

Test(store, persisted_changes_survive_reopen)
{
	char *dir = temp_dir();
	pdp_store *s = open_store(dir);
	put(s, NULL, ACP1);
	pdp_error err;
	pdp_str m[] = {S("CAE-member")};
	cr_assert_eq(pdp_store_set_group(s, S("grpX"), m, 1, &err), PDPC_OK);
	cr_assert_eq(pdp_store_remove_acp(s, S("base-acp"), &err), PDPC_OK);
	cr_expect_eq(pdp_store_revision(s), 3u);
	cr_expect_gt(file_size(dir, "store.log"), 0);
	pdp_store_free(s);
	/* reopen without base files: the snapshot's base is used */
	s = reopen(dir, false);
	cr_assert_eq(pdp_store_open(s), PDPC_OK);
	cr_expect_eq(pdp_store_revision(s), 3u);
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-member", "native-acp"),
	                 "permit rule:native-acp:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-b", "base-acp"), "deny unknown-acp");
	/* opening folded the log into the snapshot */
	cr_expect_eq(file_size(dir, "store.log"), 0);
	put(s, "acp-1", "{\"m2m:acp\": {\"pv\": {\"acr\": [{\"acor\": "
	                "[\"CAE-y\"], \"acop\": 2}]}}}");
	cr_assert_eq(pdp_store_checkpoint(s), PDPC_OK);
	cr_expect_eq(file_size(dir, "store.log"), 0);
	pdp_store_free(s);
	s = reopen(dir, true);
	cr_assert_eq(pdp_store_open(s), PDPC_OK);
	cr_expect_str_eq(decide(s, "CAE-y", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	cr_expect_eq(pdp_store_revision(s), 4u);
	pdp_store_free(s);
	remove_dir(dir);
	free(dir);
}

static void append_bytes(const char *dir, const char *name, const void *p,
                         size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, p, n), (ssize_t)n);
	close(fd);
}

Test(store, torn_log_tail_is_cut_and_damage_refused)
{
	char *dir = temp_dir();
	pdp_store *s = open_store(dir);
	put(s, NULL, ACP1);
	pdp_store_free(s);
	off_t good = file_size(dir, "store.log");
	cr_assert_gt(good, 0);
	/* a record cut short: its commit never returned */
	const uint8_t torn[] = {'P', 'D', 'P', 'L', 200, 0, 0, 0, 1, 2, 3, 4, 9};
	append_bytes(dir, "store.log", torn, sizeof(torn));
	s = reopen(dir, false);
	cr_assert_eq(pdp_store_open(s), PDPC_OK);
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	pdp_store_free(s);
	/* damage inside the snapshot is refused, never half-loaded */
	char path[512];
	snprintf(path, sizeof(path), "%s/store.snap", dir);
	int fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "X", 1, 40), 1);
	close(fd);
	s = reopen(dir, false);
	cr_expect_eq(pdp_store_open(s), PDPC_ERR_IO);
	cr_assert_gt(pdp_store_diag_count(s), 0u);
	cr_expect(strstr(pdp_store_diag_get(s, 0)->message, "damaged") != NULL);
	pdp_store_free(s);
	remove_dir(dir);
	free(dir);
}

/* ---- originator ID forms in a store ---- */

Test(store, originator_forms_in_changes)
{
	const char *base = "pdp: 1\ncse: { sp_id: sp.example.com, cse_id: /id-in }\n"
	                   "groups: { g: [] }\n";
	pdp_store *s = pdp_store_new();
	cr_assert_eq(pdp_store_add_base_buffer(s, "b.yaml", base, strlen(base)),
	             PDPC_OK);
	cr_assert_eq(pdp_store_open(s), PDPC_OK);
	put(s, NULL, "{\"m2m:acp\": {\"ri\": \"f\", \"pv\": {\"acr\": [{\"acor\": "
	             "[\"CAE-x\", \"grpQ\"], \"acop\": 2}]}}}");
	cr_expect_str_eq(decide(s, "/id-in/CAE-x", "f"), "permit rule:f:privileges:0");
	cr_expect_str_eq(decide(s, "//sp.example.com/id-in/CAE-x", "f"),
	                 "permit rule:f:privileges:0");
	cr_expect_str_eq(decide(s, "/id-mn/CAE-x", "f"), "deny no-rule-matched");
	/* a bare name is an id until a group of that name exists */
	cr_expect_str_eq(decide(s, "/id-in/grpQ", "f"), "permit rule:f:privileges:0");
	pdp_error err;
	pdp_str m[] = {S("/id-in/CAE-m"), S("CAE-n*")};
	cr_assert_eq(pdp_store_set_group(s, S("grpQ"), m, 2, &err), PDPC_OK, "%s",
	             err.message);
	cr_expect_str_eq(decide(s, "grpQ", "f"), "deny no-rule-matched");
	cr_expect_str_eq(decide(s, "CAE-m", "f"), "permit rule:f:privileges:0");
	cr_expect_str_eq(decide(s, "//sp.example.com/id-in/CAE-nn", "f"),
	                 "permit rule:f:privileges:0");
	cr_assert_eq(pdp_store_remove_group(s, S("grpQ"), &err), PDPC_OK);
	cr_expect_str_eq(decide(s, "//sp.example.com/id-in/grpQ", "f"),
	                 "permit rule:f:privileges:0");
	cr_expect_str_eq(decide(s, "CAE-m", "f"), "deny no-rule-matched");
	pdp_store_free(s);
}

Test(store, a_thread_inside_its_transaction_cannot_wait_for_itself)
{
	pdp_store *s = open_store(NULL);
	pdp_store_txn *t = pdp_store_begin(s);
	cr_assert_not_null(t);
	cr_expect_null(pdp_store_begin(s), "a second begin on the same thread");
	pdp_error err;
	cr_expect_eq(pdp_store_remove_acp(s, S("base-acp"), &err), PDPC_ERR_ARG);
	cr_expect_eq(pdp_store_acp_count(s), 2u, "counts take no writer lock");
	cr_assert_eq(pdp_store_txn_remove_acp(t, S("base-acp")), PDPC_OK);
	cr_expect_eq(pdp_store_acp_count(s), 2u, "not before commit");
	cr_assert_eq(pdp_store_commit(t), PDPC_OK);
	cr_expect_eq(pdp_store_acp_count(s), 1u);
	pdp_store_free(s);
}

Test(store, a_put_is_read_as_policy_text)
{
	pdp_store *s = open_store(NULL);
	pdp_error err;
	const char *tagged = "{\"m2m:acp\": {\"ri\": \"t\", \"pv\": {\"acr\": "
	                     "[{\"acor\": [!!str CAE-x], \"acop\": 2}]}}}";
	cr_expect_eq(pdp_store_put_acp(s, NO_ID, tagged, strlen(tagged), &err),
	             PDPC_ERR_POLICY);
	cr_expect(strstr(err.message, "tag") != NULL, "%s", err.message);
	const char *octal = "{\"m2m:acp\": {\"ri\": \"o\", \"pv\": {\"acr\": "
	                    "[{\"acor\": [all], \"acop\": 017}]}}}";
	cr_expect_eq(pdp_store_put_acp(s, NO_ID, octal, strlen(octal), &err),
	             PDPC_ERR_POLICY);
	cr_expect_eq(pdp_store_acp_count(s), 2u);
	pdp_store_free(s);
}

Test(store, no_base_files_is_an_empty_policy)
{
	pdp_store *s = pdp_store_new();
	cr_assert_eq(pdp_store_open(s), PDPC_OK);
	cr_expect_eq(pdp_store_acp_count(s), 0u);
	put(s, NULL, "{\"m2m:acp\": {\"ri\": \"acp-1\", \"pv\": {\"acr\": "
	             "[{\"acor\": [\"CAE-x\"], \"acop\": 2}]}}}");
	cr_expect_str_eq(decide(s, "CAE-x", "acp-1"),
	                 "permit rule:acp-1:privileges:0");
	pdp_error err;
	const char *role = "{\"m2m:acp\": {\"ri\": \"r\", \"pv\": {\"acr\": "
	                   "[{\"acor\": [\"role:viewer\"], \"acop\": 2}]}}}";
	cr_expect_eq(pdp_store_put_acp(s, NO_ID, role, strlen(role), &err),
	             PDPC_ERR_POLICY);
	pdp_store_free(s);
}
