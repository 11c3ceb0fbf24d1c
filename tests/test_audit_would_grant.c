/*
 * test_audit_would_grant.c - pdp_audit_what_would_grant against
 * pdp_decide. Random policies and requests of the differential generator
 * (tests/ref/gen.c: roles, DSD, contexts, objects, `when` on every
 * attribute type), and the examples of docs/audit.md:
 *   - a request decide permits reports PERMITTED and nothing to change;
 *   - every candidate that GRANTS, its changes applied to the request by
 *     this test (from the public change records only), is permitted by
 *     decide, and has at least one change;
 *   - every BLOCKED candidate, its changes applied, is denied by a deny
 *     rule that the candidate names;
 *   - the outcome agrees with the candidates (CAN_GRANT iff one grants,
 *     NO_CANDIDATE iff there is none), REFUSED iff decide refused the
 *     request before any rule;
 *   - few candidates stay UNRESOLVED.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/audit.h"
#include "pdp/pdp.h"
#include "ref/compile.h"
#include "ref/gen.h"

#define SEEDS 60
#define REQUESTS 40

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static bool name_is(pdp_str n, const char *s)
{
	return n.len == strlen(s) && memcmp(n.ptr, s, n.len) == 0;
}

/* Storage of a changed request. */
typedef struct applied {
	pdp_request req;
	pdp_attr attrs[GEN_MAX_REQ_ATTRS + 64];
	pdp_str roles[256];
} applied;

/* in with candidate c's changes, as a caller would apply them. */
static void apply(const pdp_image *img, const pdp_request *in,
                  const pdp_audit_candidate *c, applied *out)
{
	out->req = *in;
	size_t n = 0;
	for (size_t i = 0; i < in->n_attrs; i++)
		out->attrs[n++] = in->attrs[i];
	for (size_t k = 0; k < c->n_changes; k++) {
		const pdp_audit_change *ch = &c->changes[k];
		switch (ch->kind) {
		case PDP_AUDIT_SET_ROLES:
			cr_assert_leq(ch->n_roles, 256);
			for (size_t i = 0; i < ch->n_roles; i++)
				out->roles[i] = pdp_audit_role_name(img, ch->roles[i]);
			out->req.roles_given = true;
			out->req.roles = out->roles;
			out->req.n_roles = ch->n_roles;
			break;
		case PDP_AUDIT_SET_AUTHENTICATED:
			cr_assert_eq(ch->value.type, PDP_TYPE_BOOL);
			out->req.authenticated = ch->value.u.b;
			break;
		case PDP_AUDIT_SET_LOCATION:
			out->req.has_location = true;
			out->req.lat = ch->lat;
			out->req.lon = ch->lon;
			break;
		case PDP_AUDIT_SET_ATTR:
		case PDP_AUDIT_DROP_ATTR: {
			bool set = ch->kind == PDP_AUDIT_SET_ATTR;
			pdp_str name = pdp_attr_name(img, ch->attr);
			if (name_is(name, "env.time")) {
				out->req.has_time = set;
				if (set)
					out->req.time = ch->value.u.t;
			} else if (name_is(name, "env.ip")) {
				out->req.has_ip = set;
				if (set)
					out->req.ip = ch->value.u.ip;
			} else if (name_is(name, "env.country")) {
				out->req.country = set ? ch->value.u.s : (pdp_str){NULL, 0};
			} else {
				size_t m = 0;
				for (size_t i = 0; i < n; i++)
					if (out->attrs[i].id != ch->attr)
						out->attrs[m++] = out->attrs[i];
				n = m;
				if (set) {
					cr_assert_lt(n, sizeof(out->attrs) / sizeof(out->attrs[0]));
					out->attrs[n].id = ch->attr;
					out->attrs[n++].value = ch->value;
				}
			}
			break;
		}
		}
	}
	out->req.attrs = out->attrs;
	out->req.n_attrs = n;
}

typedef struct stats {
	unsigned long requests, permitted, refused, none, grants, blocked,
		unresolved, cands, roles, times, attrs;
} stats;

/* The rule index of a decision by a rule. */
static uint32_t deciding_rule(const pdp_image *img, const pdp_decision *d)
{
	for (uint32_t r = 0; r < pdp_audit_rule_count(img); r++) {
		pdp_audit_rule info;
		pdp_audit_rule_get(img, r, &info);
		if (info.acp == d->acp && info.self == d->self && info.index == d->rule)
			return r;
	}
	return PDP_NONE;
}

static void check_request(const pdp_image *img, pdp_scratch *sc,
                          const pdp_request *q, const char *what, stats *st)
{
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, sc, q, &d), PDP_OK);
	pdp_audit_grant_report *r = NULL;
	pdp_error err;
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, q, &r, &err), PDP_OK,
	             "%s", err.message);
	st->requests++;
	cr_assert_eq(r->decision.effect, d.effect);
	cr_assert_eq(r->decision.reason, d.reason);
	if (d.effect == PDP_PERMIT) {
		st->permitted++;
		cr_assert_eq(r->outcome, PDP_AUDIT_PERMITTED, "%s", what);
		cr_assert_eq(r->n_candidates, 0);
		pdp_audit_grant_report_free(r);
		return;
	}
	bool refused = d.reason == PDP_REASON_BAD_REQUEST ||
	               d.reason == PDP_REASON_NO_ACP ||
	               d.reason == PDP_REASON_UNKNOWN_ACP;
	cr_assert_eq(r->outcome == PDP_AUDIT_REFUSED, refused, "%s", what);
	st->refused += refused;
	st->none += r->outcome == PDP_AUDIT_NO_CANDIDATE;
	cr_assert_eq(r->outcome == PDP_AUDIT_NO_CANDIDATE,
	             !refused && r->n_candidates == 0);
	bool any_grants = false;
	for (size_t i = 0; i < r->n_candidates; i++) {
		const pdp_audit_candidate *c = &r->candidates[i];
		pdp_audit_rule info;
		cr_assert_eq(pdp_audit_rule_get(img, c->rule, &info), PDP_OK);
		cr_assert(!info.deny && (info.operations & q->operation));
		st->cands++;
		for (size_t k = 0; k < c->n_changes; k++) {
			st->roles += c->changes[k].kind == PDP_AUDIT_SET_ROLES;
			st->attrs += c->changes[k].kind == PDP_AUDIT_SET_ATTR;
			st->times += c->changes[k].kind == PDP_AUDIT_SET_ATTR &&
			             name_is(pdp_attr_name(img, c->changes[k].attr),
			                     "env.time");
		}
		for (size_t k = 0; k < c->n_cleared; k++) {
			pdp_audit_rule dinfo;
			cr_assert_eq(pdp_audit_rule_get(img, c->cleared[k], &dinfo), PDP_OK);
			cr_assert(dinfo.deny, "a cleared rule is a deny rule");
		}
		applied a;
		apply(img, q, c, &a);
		pdp_decision e;
		cr_assert_eq(pdp_decide(img, sc, &a.req, &e), PDP_OK);
		if (c->status == PDP_AUDIT_GRANTS) {
			any_grants = true;
			st->grants++;
			cr_assert_gt(c->n_changes, 0, "%s", what);
			cr_assert_eq(e.effect, PDP_PERMIT,
			             "the changes of candidate %zu do not grant (%s): %s",
			             i, pdp_reason_name(e.reason), what);
			cr_assert_eq(i == 0 || r->candidates[i - 1].status == PDP_AUDIT_GRANTS,
			             true, "granting candidates come first");
		} else if (c->status == PDP_AUDIT_BLOCKED) {
			st->blocked++;
			cr_assert_gt(c->n_blockers, 0);
			cr_assert_eq(e.effect, PDP_DENY, "%s", what);
			cr_assert_eq(e.reason, PDP_REASON_RULE, "%s", what);
			uint32_t dr = deciding_rule(img, &e);
			bool named = false;
			for (size_t k = 0; k < c->n_blockers; k++)
				named |= c->blockers[k] == dr;
			cr_assert(named, "the deny rule that decides is not named: %s",
			          what);
		} else {
			st->unresolved++;
			if (getenv("WG_DEBUG") != NULL) {
				fprintf(stderr, "UNRESOLVED rule %u: %s\n", c->rule, what);
				for (size_t k = 0; k < c->n_unmet; k++)
					fprintf(stderr, "   unmet %.*s\n", (int)c->unmet[k].len,
					        c->unmet[k].ptr);
				fprintf(stderr, "   decide after: %s\n", pdp_reason_name(e.reason));
			}
		}
	}
	if (!refused && r->n_candidates > 0)
		cr_assert_eq(r->outcome == PDP_AUDIT_CAN_GRANT, any_grants, "%s",
		             what);
	pdp_audit_grant_report_free(r);
}

Test(would_grant, generated_policies, .timeout = 600)
{
	stats st = {0};
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		gen_policy *gp = gen_policy_make(seed);
		cr_assert_not_null(gp);
		pdp_image *img = compile_policy(gen_policy_text(gp));
		if (img == NULL) {
			gen_policy_free(gp);
			continue;
		}
		pdp_scratch *sc;
		cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
		gen_rng r;
		gen_seed(&r, seed * 0x2545f4914f6cdd1dull + 11);
		for (int k = 0; k < REQUESTS; k++) {
			static gen_request g;
			gen_request_make(gp, img, &r, &g);
			char desc[4096];
			gen_request_describe(&g, img, desc, sizeof(desc));
			char what[4200];
			snprintf(what, sizeof(what), "seed %llu: %s",
			         (unsigned long long)seed, desc);
			check_request(img, sc, &g.req, what, &st);
		}
		pdp_scratch_free(sc);
		pdp_image_free(img);
		gen_policy_free(gp);
	}
	cr_log_info("would grant: %lu requests (%lu permitted, %lu refused, "
	            "%lu with no candidate), %lu candidates: %lu grant, %lu "
	            "blocked, %lu unresolved; changes: %lu roles, %lu attrs "
	            "(%lu env.time)",
	            st.requests, st.permitted, st.refused, st.none, st.cands,
	            st.grants, st.blocked, st.unresolved, st.roles, st.attrs,
	            st.times);
	cr_assert_gt(st.grants, 200);
	cr_assert_gt(st.blocked, 10);
	cr_assert_gt(st.roles, 10);
	cr_assert_gt(st.times, 10);
	cr_assert_gt(st.none, 10);
	cr_assert_lt(st.unresolved * 10, st.cands, "too many unresolved");
}

/* ---- the examples ---- */

static const char POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.clearance: int, originator.dept: string,\n"
	"              env.badge: string }\n"
	"roles: { viewer: {}, operator: { inherits: [viewer] }, approver: {} }\n"
	"assignments: { CAE-alice: [operator, approver] }\n"
	"constraints:\n"
	"  dsd: [{ name: pair, roles: [operator, approver], n: 2 }]\n"
	"acps:\n"
	"  - id: acp-m\n"
	"    privileges:\n"
	"      - { originators: ['role:viewer'], operations: [retrieve] }\n"
	"      - originators: [all]\n"
	"        operations: [update]\n"
	"        contexts: [{ window: ['* * 8-17 * * 1-5 *'], ip: [10.1.0.0/16] },\n"
	"                   { region: { countries: [FR] } }]\n"
	"        when: { all: [ { attr: originator.clearance, ge: 2 },\n"
	"                       { any: [ { attr: originator.dept, in: [ops, lab] },\n"
	"                                { attr: originator.id, matches: '^CAE-z[0-9]+$' } ] } ] }\n"
	"      - { originators: [all], operations: [update], effect: deny,\n"
	"          when: { attr: env.badge, eq: revoked } }\n"
	"      - { originators: [CAE-bob], operations: [delete], authenticated: true }\n"
	"      - { originators: [all], operations: [delete], effect: deny,\n"
	"          when: { not: { attr: env.badge, present: true } } }\n";

static pdp_request base(const pdp_image *img, const char *orig, uint32_t op,
                        const pdp_str *acp)
{
	(void)img;
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S(orig);
	q.operation = op;
	q.acps = acp;
	q.n_acps = 1;
	return q;
}

Test(would_grant, examples)
{
	pdp_image *img = compile_policy(POLICY);
	cr_assert_not_null(img);
	pdp_scratch *sc;
	cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
	stats st = {0};
	pdp_str acp = S("acp-m"), other = S("acp-none");
	/* alice's assigned roles break DSD: a session of operator reads */
	pdp_request q = base(img, "CAE-alice", PDP_OP_RETRIEVE, &acp);
	check_request(img, sc, &q, "alice retrieve", &st);
	pdp_audit_grant_report *r;
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, &q, &r, NULL), PDP_OK);
	cr_assert_eq(r->outcome, PDP_AUDIT_CAN_GRANT);
	cr_assert_eq(r->candidates[0].n_changes, 1);
	cr_assert_eq(r->candidates[0].changes[0].kind, PDP_AUDIT_SET_ROLES);
	cr_assert_eq(r->candidates[0].changes[0].n_roles, 1);
	cr_assert(name_is(pdp_audit_role_name(img, r->candidates[0].changes[0].roles[0]),
	                  "operator"));
	pdp_audit_grant_report_free(r);
	/* bob's update: a time and address, or France, and two attributes;
	 * the country alternative needs fewer changes */
	q = base(img, "CAE-bob", PDP_OP_UPDATE, &acp);
	q.has_time = true;
	q.time.sec = 1764356100; /* 2025-11-28T18:55:00Z, a Friday evening */
	check_request(img, sc, &q, "bob update", &st);
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, &q, &r, NULL), PDP_OK);
	cr_assert_eq(r->outcome, PDP_AUDIT_CAN_GRANT);
	cr_assert_eq(r->candidates[0].n_unmet, 2);
	/* country, clearance, dept, and a badge: without one the deny rule
	 * on env.badge is indeterminate, and denies */
	cr_assert_eq(r->candidates[0].n_changes, 4);
	pdp_audit_grant_report_free(r);
	/* the deny on a missing badge: made false by giving one */
	q = base(img, "CAE-bob", PDP_OP_DELETE, &acp);
	check_request(img, sc, &q, "bob delete", &st);
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, &q, &r, NULL), PDP_OK);
	cr_assert_eq(r->outcome, PDP_AUDIT_CAN_GRANT);
	cr_assert_eq(r->candidates[0].n_changes, 2); /* authenticated, badge */
	pdp_audit_grant_report_free(r);
	/* nobody may discover: no candidate; no ACP known: refused */
	q = base(img, "CAE-bob", PDP_OP_DISCOVER, &acp);
	check_request(img, sc, &q, "discover", &st);
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, &q, &r, NULL), PDP_OK);
	cr_assert_eq(r->outcome, PDP_AUDIT_NO_CANDIDATE);
	pdp_audit_grant_report_free(r);
	q = base(img, "CAE-bob", PDP_OP_DISCOVER, &other);
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, &q, &r, NULL), PDP_OK);
	cr_assert_eq(r->outcome, PDP_AUDIT_REFUSED);
	pdp_audit_grant_report_free(r);
	/* a revoked badge blocks bob's update whatever else changes: the
	 * deny's `when` reads a value the request gives, which the search
	 * may change: it does, to another badge */
	pdp_attr badge = {pdp_attr_id(img, S("env.badge")),
	                  {.type = PDP_TYPE_STRING, .u.s = S("revoked")}};
	q = base(img, "CAE-z7", PDP_OP_UPDATE, &acp);
	q.attrs = &badge;
	q.n_attrs = 1;
	check_request(img, sc, &q, "z7 update", &st);
	/* permitted already: nothing */
	q = base(img, "CAE-alice", PDP_OP_RETRIEVE, &acp);
	pdp_str viewer = S("viewer");
	q.roles = &viewer;
	q.n_roles = 1;
	q.roles_given = true;
	cr_assert_eq(pdp_audit_what_would_grant(img, sc, &q, &r, NULL), PDP_OK);
	cr_assert_eq(r->outcome, PDP_AUDIT_PERMITTED);
	cr_assert_eq(r->n_candidates, 0);
	pdp_audit_grant_report_free(r);
	cr_assert_eq(pdp_audit_what_would_grant(NULL, sc, &q, &r, NULL),
	             PDP_ERR_ARG);
	cr_assert_null(r);
	pdp_scratch_free(sc);
	pdp_image_free(img);
}
