/*
 * test_policy_diff.c - `pdp diff` is exact (src/audit/diff.c): for random
 * policy pairs (tests/ref/gen.c: the same declarations, some ACPs replaced,
 * added or removed, some group members changed), every id x ACP x section
 * x operation is decided on both sides under a set of environments:
 *   - when some environment decides differently, the diff reports that
 *     id (or `all`, for an id the ACP reaches only through `all`) for that
 *     ACP, section and operation: nothing real goes unreported;
 *   - a reported gain never permitted before, a reported loss never
 *     permits after, and a side reported unconditional permits under every
 *     environment: each reported gain or loss is real.
 * Seeds: PDP_POLICY_DIFF_SEED (first), PDP_POLICY_DIFF_SCALE (x pairs).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/diff.h"
#include "common/prims.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"
#include "ref/compile.h"
#include "ref/gen.h"
#include "ref/text_buf.h"

#define N_PAIRS 60
#define N_ACPS 5
#define N_ENVS 24
#define N_IDS 24
#define N_GROUPS 3


/* One side: declarations, groups g0..g2 with members, ACP documents. */
static char *side_text(const gen_policy *p, const char *members[N_GROUPS][3],
                       char *const acps[N_ACPS])
{
	text t = {0};
	tput(&t, gen_policy_decls(p));
	tput(&t, "---\npdp: 1\ngroups:\n");
	for (int g = 0; g < N_GROUPS; g++) {
		char line[64];
		snprintf(line, sizeof(line), "  g%d: [", g);
		tput(&t, line);
		for (int i = 0; i < 3; i++) {
			tput(&t, i ? ", '" : "'");
			tput(&t, members[g][i]);
			tput(&t, "'");
		}
		tput(&t, "]\n");
	}
	for (int a = 0; a < N_ACPS; a++)
		if (acps[a] != NULL) {
			tput(&t, "---\n");
			tput(&t, acps[a]);
			tput(&t, "\n");
		}
	return t.p;
}

static const pdiff_change *find_change(const pdiff_result *r, const char *acp,
                                       pdp_audit_via via, const char *subject,
                                       bool self, uint32_t op)
{
	for (size_t i = 0; i < r->n_changes; i++) {
		const pdiff_change *c = &r->changes[i];
		if (c->via == via && c->self == self && c->operation == op &&
		    strcmp(c->acp, acp) == 0 && strcmp(c->subject, subject) == 0)
			return c;
	}
	return NULL;
}

/* A decision change of an id the ACP does not name exactly is reported
 * under what reaches it: `all`, a glob it matches, a group (its rules or
 * a change of its members). */
static bool covered(const pdiff_result *r, const char *acp, const char *id,
                    bool self, uint32_t op)
{
	for (size_t i = 0; i < r->n_decls; i++)
		if (strcmp(r->decls[i].what, "group") == 0)
			return true;
	for (size_t i = 0; i < r->n_changes; i++) {
		const pdiff_change *c = &r->changes[i];
		if (c->self != self || c->operation != op || strcmp(c->acp, acp) != 0)
			continue;
		if (c->via == PDP_AUDIT_VIA_ALL || c->via == PDP_AUDIT_VIA_GROUP)
			return true;
		if (c->via == PDP_AUDIT_VIA_GLOB &&
		    glob_match((pdp_str){c->subject, strlen(c->subject)},
		               (pdp_str){id, strlen(id)}))
			return true;
	}
	return false;
}

/* Effects of id on acp/self/op under every environment: bit e set when
 * environment e permits. */
static uint32_t permits(const pdp_image *img, pdp_scratch *s,
                        const gen_request *envs, const char *id,
                        const char *acp, bool self, uint32_t op)
{
	uint32_t bits = 0;
	for (int e = 0; e < N_ENVS; e++) {
		pdp_request q = envs[e].req;
		pdp_str a = {acp, strlen(acp)};
		q.originator = (pdp_str){id, strlen(id)};
		q.roles = NULL;
		q.n_roles = 0;
		q.roles_given = false;
		q.operation = op;
		q.acps = &a;
		q.n_acps = 1;
		q.self = self;
		pdp_decision d;
		pdp_decide(img, s, &q, &d);
		if (d.effect == PDP_PERMIT)
			bits |= 1u << e;
	}
	return bits;
}

static unsigned check_pair(uint64_t seed)
{
	gen_policy *p = gen_policy_make(seed);
	cr_assert_not_null(p);
	gen_policy_set_acps(p, N_ACPS);
	gen_policy_set_groups(p, N_GROUPS);
	gen_rng r;
	gen_seed(&r, seed * 0x9e3779b97f4a7c15ull + 3);
	const char *mo[N_GROUPS][3], *mn[N_GROUPS][3];
	for (int g = 0; g < N_GROUPS; g++)
		for (int i = 0; i < 3; i++)
			mo[g][i] = mn[g][i] = gen_member(&r);
	if (gen_below(&r, 100) < 30)
		mn[gen_below(&r, N_GROUPS)][gen_below(&r, 3)] = gen_member(&r);
	char *ao[N_ACPS] = {0}, *an[N_ACPS] = {0};
	for (int a = 0; a < N_ACPS; a++) {
		if (gen_below(&r, 100) < 85)
			ao[a] = gen_acp_doc(p, &r, gen_policy_acp(p, a), false);
		uint32_t x = gen_below(&r, 100);
		if (x < 50 && ao[a] != NULL)
			an[a] = strdup(ao[a]);
		else if (x < 90)
			an[a] = gen_acp_doc(p, &r, gen_policy_acp(p, a), false);
	}
	char *to = side_text(p, mo, ao), *tn = side_text(p, mn, an);
	pdp_image *io = compile_policy(to), *in = compile_policy(tn);
	unsigned bad = 0;
	if (io == NULL || in == NULL)
		goto out;
	pdiff_result res;
	cr_assert(pdiff_compute(io, in, &res));
	pdp_scratch *so = NULL, *sn = NULL;
	cr_assert_eq(pdp_scratch_new(io, &so, NULL), PDP_OK);
	cr_assert_eq(pdp_scratch_new(in, &sn, NULL), PDP_OK);
	static gen_request envs[N_ENVS];
	for (int e = 0; e < N_ENVS; e++)
		gen_request_make(p, io, &r, &envs[e]);
	/* ids: request originators (exact ids, glob and group matches) */
	const char *ids[N_IDS];
	static gen_request idreq[N_IDS];
	for (int i = 0; i < N_IDS; i++) {
		gen_request_make(p, io, &r, &idreq[i]);
		/* a generated bad request may have no originator: "" (decided
		 * as bad-request on both sides) */
		pdp_str o = idreq[i].req.originator;
		ids[i] = o.ptr ? strndup(o.ptr, o.len) : strdup("");
	}
	for (int i = 0; i < N_IDS; i++)
		for (int a = 0; a < N_ACPS; a++)
			for (int self = 0; self < 2; self++)
				for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1) {
					const char *acp = gen_policy_acp(p, a);
					uint32_t po = permits(io, so, envs, ids[i], acp, self, op);
					uint32_t pn = permits(in, sn, envs, ids[i], acp, self, op);
					const pdiff_change *c = find_change(
						&res, acp, PDP_AUDIT_VIA_EXACT, ids[i], self, op);
					if (po != pn && c == NULL &&
					    !covered(&res, acp, ids[i], self, op)) {
						cr_log_error("seed %llu: %s %s %s %s decides "
						             "differently (%x -> %x), not reported",
						             (unsigned long long)seed, ids[i], acp,
						             self ? "self" : "privileges",
						             pdp_operation_name(op), po, pn);
						bad++;
					}
					if (c == NULL)
						continue;
					uint32_t every = (1u << N_ENVS) - 1;
					bool ok = true;
					if (c->kind == PDIFF_GAINED)
						ok = po == 0;
					if (c->kind == PDIFF_LOST)
						ok = pn == 0;
					if (strcmp(c->old_text, "unconditional") == 0)
						ok = ok && po == every;
					if (strcmp(c->new_text, "unconditional") == 0)
						ok = ok && pn == every;
					if (!ok) {
						cr_log_error("seed %llu: %s %s %s %s reported %s "
						             "(%s -> %s) but decides %x -> %x",
						             (unsigned long long)seed, ids[i], acp,
						             self ? "self" : "privileges",
						             pdp_operation_name(op),
						             pdiff_kind_name(c->kind), c->old_text,
						             c->new_text, po, pn);
						bad++;
					}
				}
	for (int i = 0; i < N_IDS; i++)
		free((char *)ids[i]);
	pdp_scratch_free(so);
	pdp_scratch_free(sn);
	pdiff_free(&res);
out:
	pdp_image_free(io);
	pdp_image_free(in);
	free(to);
	free(tn);
	for (int a = 0; a < N_ACPS; a++) {
		free(ao[a]);
		free(an[a]);
	}
	gen_policy_free(p);
	return bad;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

Test(policy_diff, exact_on_random_pairs)
{
	uint64_t first = env_u64("PDP_POLICY_DIFF_SEED", 1);
	uint64_t n = N_PAIRS * env_u64("PDP_POLICY_DIFF_SCALE", 1);
	unsigned bad = 0;
	for (uint64_t s = first; s < first + n && bad < 8; s++)
		bad += check_pair(s);
	cr_assert_eq(bad, 0, "%u disagreements between pdp diff and decisions",
	             bad);
}

Test(policy_diff, identical_sets_have_no_changes)
{
	gen_policy *p = gen_policy_make(42);
	cr_assert_not_null(p);
	pdp_image *a = compile_policy(gen_policy_text(p)), *b = compile_policy(gen_policy_text(p));
	cr_assert(a && b);
	pdiff_result res;
	cr_assert(pdiff_compute(a, b, &res));
	cr_expect_eq(res.n_changes, 0);
	cr_expect_eq(res.n_decls, 0);
	pdiff_free(&res);
	pdp_image_free(a);
	pdp_image_free(b);
	gen_policy_free(p);
}
