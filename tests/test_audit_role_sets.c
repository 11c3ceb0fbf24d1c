/*
 * test_audit_role_sets.c - pdp_audit_subject_role_sets against pdp_decide
 * on real policies (docs/examples/audit-dsd.yaml, a hierarchy with a
 * three-role DSD set) and the differential generator's random policies
 * (role DAGs, assignments, DSD sets). For every subject:
 *   - every listed set is what its `activate` roles give: their closure,
 *     all authorized, and decide accepts a session of them (no
 *     role-not-authorized, no dsd-violation);
 *   - every listed set is maximal: decide refuses (dsd-violation) the
 *     session with any other authorized role added;
 *   - every role set decide accepts (each subset of the authorized roles
 *     activated) has its closure within some listed set;
 *   - the permissions of each set are SessionPermissions of its roles,
 *     and agree with decide under random environments: decide permits =>
 *     listed and not overridden; unconditional => decide permits.
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
#define ENVS 16
#define MAX_AUTH 12 /* subsets enumerated up to 2^12 */

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

typedef struct stats {
	unsigned long subjects, sets, multi, subsets, permits;
} stats;

/* decide's activation answer for subject with exactly roles active (on
 * the first ACP: activation is checked before any rule). */
static pdp_reason activation(const pdp_image *img, pdp_str subj,
                             const pdp_str *roles, size_t n)
{
	pdp_request q;
	pdp_request_init(&q);
	q.originator = subj;
	q.roles_given = true;
	q.roles = roles;
	q.n_roles = n;
	q.operation = PDP_OP_RETRIEVE;
	pdp_str acp = pdp_acp_name(img, 0);
	q.acps = &acp;
	q.n_acps = 1;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	return d.reason;
}

static bool refused(pdp_reason r)
{
	return r == PDP_REASON_DSD_VIOLATION ||
	       r == PDP_REASON_ROLE_NOT_AUTHORIZED;
}

/* The closure of roles r[0..n) as a bit mask over role indices (the test
 * policies have at most 64 roles). */
static uint64_t closure_mask(const pdp_image *img, const uint32_t *r,
                             size_t n)
{
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t j[64];
		size_t k = pdp_audit_role_juniors(img, r[i], false, j, 64);
		m |= UINT64_C(1) << r[i];
		for (size_t x = 0; x < k && x < 64; x++)
			m |= UINT64_C(1) << j[x];
	}
	return m;
}

static uint64_t mask_of(const uint32_t *r, size_t n)
{
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++)
		m |= UINT64_C(1) << r[i];
	return m;
}

static void names_of(const pdp_image *img, const uint32_t *r, size_t n,
                     pdp_str *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = pdp_audit_role_name(img, r[i]);
}

static const pdp_audit_perm *find_perm(const pdp_audit_perms *p, uint32_t a,
                                       bool self, uint32_t op)
{
	for (size_t i = 0; i < p->n_perms; i++)
		if (p->perms[i].acp == a && p->perms[i].self == self &&
		    p->perms[i].operation == op)
			return &p->perms[i];
	return NULL;
}

/* The set's permissions: SessionPermissions of its roles, and decide. */
static void check_perms(const pdp_image *img, pdp_scratch *sc, pdp_str subj,
                        const pdp_audit_role_set *s, const gen_request *envs,
                        int n_envs, stats *st)
{
	pdp_str names[64];
	names_of(img, s->activate, s->n_activate, names);
	pdp_audit_perms *sp = NULL;
	cr_assert_eq(pdp_audit_session_permissions(img, subj, names,
	                                           s->n_activate, PDP_NONE, &sp,
	                                           NULL),
	             PDP_OK);
	cr_assert_eq(s->perms->activation, PDP_AUDIT_ACTIVATION_OK);
	cr_assert_eq(s->perms->n_perms, sp->n_perms);
	for (size_t i = 0; i < sp->n_perms; i++) {
		const pdp_audit_perm *a = &s->perms->perms[i], *b = &sp->perms[i];
		cr_assert(a->acp == b->acp && a->self == b->self &&
		          a->operation == b->operation && a->status == b->status &&
		          a->n_grants == b->n_grants);
	}
	pdp_audit_perms_free(sp);
	for (uint32_t a = 0; a < pdp_acp_count(img); a++) {
		pdp_str acp = pdp_acp_name(img, a);
		for (int self = 0; self < 2; self++)
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1) {
				const pdp_audit_perm *perm =
					find_perm(s->perms, a, self != 0, op);
				for (int k = 0; k < n_envs; k++) {
					pdp_request q = envs[k].req;
					q.originator = subj;
					q.roles_given = true;
					q.roles = names;
					q.n_roles = s->n_activate;
					q.operation = op;
					q.acps = &acp;
					q.acp_ids = NULL;
					q.n_acps = 1;
					q.self = self != 0;
					pdp_decision d;
					cr_assert_eq(pdp_decide(img, sc, &q, &d), PDP_OK);
					if (d.effect == PDP_PERMIT) {
						st->permits++;
						cr_assert(perm != NULL &&
						          perm->status != PDP_AUDIT_OVERRIDDEN);
					}
					if (perm != NULL &&
					    perm->status == PDP_AUDIT_UNCONDITIONAL)
						cr_assert_eq(d.effect, PDP_PERMIT);
				}
			}
	}
}

static void check_subject(const pdp_image *img, pdp_scratch *sc,
                          pdp_str subj, const gen_request *envs, int n_envs,
                          stats *st)
{
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	q.subject = subj;
	pdp_audit_role_sets *rs = NULL;
	pdp_error err;
	cr_assert_eq(pdp_audit_subject_role_sets(img, &q, 0, &rs, &err), PDP_OK,
	             "%s", err.message);
	cr_assert_eq(rs->truncated, PDP_AUDIT_COMPLETE);
	cr_assert_gt(rs->n_sets, 0);
	st->subjects++;
	st->sets += rs->n_sets;
	st->multi += rs->n_sets > 1;
	uint64_t auth = mask_of(rs->authorized, rs->n_authorized);
	cr_assert_eq(auth, closure_mask(img, rs->authorized, rs->n_authorized),
	             "authorized roles are closed under juniors");
	uint64_t *sets = calloc(rs->n_sets, sizeof(uint64_t));
	for (size_t i = 0; i < rs->n_sets; i++) {
		const pdp_audit_role_set *s = &rs->sets[i];
		uint64_t m = mask_of(s->roles, s->n_roles);
		sets[i] = m;
		cr_assert_eq(m, closure_mask(img, s->activate, s->n_activate),
		             "a set is the closure of its activate roles");
		cr_assert_eq(m & ~auth, 0, "a set holds authorized roles only");
		for (size_t k = 0; k < i; k++)
			cr_assert_neq(sets[k], m, "a set is listed twice");
		pdp_str names[65];
		names_of(img, s->activate, s->n_activate, names);
		cr_assert(!refused(activation(img, subj, names, s->n_activate)),
		          "decide refuses a listed set");
		/* maximal: any other authorized role breaks DSD */
		for (size_t r = 0; r < rs->n_authorized; r++) {
			if (m >> rs->authorized[r] & 1)
				continue;
			names[s->n_activate] = pdp_audit_role_name(img, rs->authorized[r]);
			cr_assert_eq(activation(img, subj, names, s->n_activate + 1),
			             PDP_REASON_DSD_VIOLATION,
			             "a set is not maximal: %.*s can be added",
			             (int)names[s->n_activate].len,
			             names[s->n_activate].ptr);
		}
		check_perms(img, sc, subj, s, envs, n_envs, st);
	}
	/* complete: every session decide accepts lies within a listed set */
	if (rs->n_authorized <= MAX_AUTH) {
		for (uint32_t bits = 0; bits < (1u << rs->n_authorized); bits++) {
			uint32_t pick[MAX_AUTH];
			pdp_str names[MAX_AUTH];
			size_t n = 0;
			for (size_t r = 0; r < rs->n_authorized; r++)
				if (bits >> r & 1)
					pick[n++] = rs->authorized[r];
			names_of(img, pick, n, names);
			if (refused(activation(img, subj, names, n)))
				continue;
			st->subsets++;
			uint64_t c = closure_mask(img, pick, n);
			bool within = false;
			for (size_t i = 0; i < rs->n_sets && !within; i++)
				within = (c & ~sets[i]) == 0;
			cr_assert(within, "a valid session is in no listed set");
		}
	}
	free(sets);
	pdp_audit_role_sets_free(rs);
}

static char *read_source(const char *rel)
{
	const char *root = getenv("PDP_SOURCE_ROOT");
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

/* A hierarchy (chief inherits operator and approver) and a DSD set of
 * three roles with n 3, besides the pair. */
static const char HIERARCHY[] =
	"pdp: 1\n"
	"roles:\n"
	"  viewer: {}\n"
	"  operator: { inherits: [viewer] }\n"
	"  approver: {}\n"
	"  requester: {}\n"
	"  clerk: {}\n"
	"  chief: { inherits: [operator, approver] }\n"
	"assignments:\n"
	"  CAE-carol: [operator, approver]\n"
	"  CAE-dave: [chief]\n"
	"  CAE-fay: [requester, approver, clerk, viewer]\n"
	"constraints:\n"
	"  dsd:\n"
	"    - { name: no-self-approve, roles: [operator, approver], n: 2 }\n"
	"    - { name: triad, roles: [requester, approver, clerk], n: 3 }\n"
	"acps:\n"
	"  - id: acp-d\n"
	"    privileges:\n"
	"      - { originators: ['role:viewer'], operations: [retrieve] }\n"
	"      - { originators: ['role:approver'], operations: [update] }\n"
	"      - { originators: ['role:clerk'], operations: [create] }\n"
	"      - { originators: ['role:chief'], operations: [delete] }\n";

static void check_policy_text(const char *txt, const char *const *subjects,
                              stats *st)
{
	pdp_image *img = compile_policy(txt);
	cr_assert_not_null(img);
	pdp_scratch *sc;
	cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
	gen_request env;
	memset(&env, 0, sizeof(env));
	pdp_request_init(&env.req);
	for (size_t i = 0; subjects[i] != NULL; i++)
		check_subject(img, sc, S(subjects[i]), &env, 1, st);
	pdp_scratch_free(sc);
	pdp_image_free(img);
}

Test(role_sets, example_policies)
{
	stats st = {0};
	char *doc = read_source("docs/examples/audit-dsd.yaml");
	static const char *const doc_subjects[] = {"CAE-carol", "CAE-x", NULL};
	check_policy_text(doc, doc_subjects, &st);
	free(doc);
	static const char *const subjects[] = {"CAE-carol", "CAE-dave",
	                                       "CAE-fay", "CAE-nobody", NULL};
	check_policy_text(HIERARCHY, subjects, &st);
	/* carol: 2 sets in the docs' policy; in this one carol 2, dave 2
	 * (chief itself breaks the pair), fay 3 (one of the triad out) */
	cr_assert_eq(st.sets, 2 + 1 + 2 + 2 + 3 + 1);
}

/* The search's caps: with max_sets 1, one set and TRUNCATED_SETS. */
Test(role_sets, truncation_reported)
{
	pdp_image *img = compile_policy(HIERARCHY);
	cr_assert_not_null(img);
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	q.subject = S("CAE-fay");
	pdp_audit_role_sets *rs = NULL;
	cr_assert_eq(pdp_audit_subject_role_sets(img, &q, 1, &rs, NULL), PDP_OK);
	cr_assert_eq(rs->n_sets, 1);
	cr_assert_eq(rs->truncated, PDP_AUDIT_TRUNCATED_SETS);
	pdp_audit_role_sets_free(rs);
	cr_assert_eq(pdp_audit_subject_role_sets(img, &q, 3, &rs, NULL), PDP_OK);
	cr_assert_eq(rs->n_sets, 3);
	cr_assert_eq(rs->truncated, PDP_AUDIT_COMPLETE);
	pdp_audit_role_sets_free(rs);
	/* roles given is a session query, not this one */
	pdp_str r = S("viewer");
	q.roles_given = true;
	q.roles = &r;
	q.n_roles = 1;
	cr_assert_eq(pdp_audit_subject_role_sets(img, &q, 0, &rs, NULL),
	             PDP_ERR_ARG);
	cr_assert_null(rs);
	pdp_image_free(img);
}

/* Thirty roles in one DSD set with n 30: the maximal sets are the 30
 * sets of 29, but the valid sets number 2^30 - 1: the search stops at its
 * step limit and says so, with only valid, maximal sets listed. */
Test(role_sets, step_limit_reported)
{
	char pol[8192];
	size_t n = (size_t)snprintf(pol, sizeof(pol), "pdp: 1\nroles:\n");
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(pol + n, sizeof(pol) - n, "  r%d: {}\n", i);
	n += (size_t)snprintf(pol + n, sizeof(pol) - n, "assignments:\n  CAE-u: [");
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(pol + n, sizeof(pol) - n, "%sr%d", i ? ", " : "", i);
	n += (size_t)snprintf(pol + n, sizeof(pol) - n,
	                      "]\nconstraints:\n  dsd:\n    - { roles: [");
	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(pol + n, sizeof(pol) - n, "%sr%d", i ? ", " : "", i);
	snprintf(pol + n, sizeof(pol) - n,
	         "], n: 30 }\nacps:\n  - { id: a, privileges: "
	         "[{ originators: ['role:r0'], operations: [retrieve] }] }\n");
	pdp_image *img = compile_policy(pol);
	cr_assert_not_null(img, "%s", pol);
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	q.subject = S("CAE-u");
	pdp_audit_role_sets *rs = NULL;
	cr_assert_eq(pdp_audit_subject_role_sets(img, &q, 0, &rs, NULL), PDP_OK);
	cr_assert_eq(rs->truncated, PDP_AUDIT_TRUNCATED_STEPS);
	cr_assert_eq(rs->n_contested, 30);
	cr_assert_gt(rs->n_sets, 0);
	for (size_t i = 0; i < rs->n_sets; i++)
		cr_assert_eq(rs->sets[i].n_roles, 29);
	pdp_audit_role_sets_free(rs);
	pdp_image_free(img);
}

Test(role_sets, generated_policies, .timeout = 600)
{
	stats st = {0};
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		gen_policy *gp = gen_policy_make(seed);
		cr_assert_not_null(gp);
		pdp_image *img = compile_policy(gen_policy_text(gp));
		if (img == NULL || pdp_audit_role_count(img) > 64) {
			pdp_image_free(img);
			gen_policy_free(gp);
			continue;
		}
		pdp_scratch *sc;
		cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
		gen_rng r;
		gen_seed(&r, seed * 0x9e3779b97f4a7c15ull + 3);
		static gen_request envs[ENVS];
		for (int k = 0; k < ENVS; k++)
			gen_request_make(gp, img, &r, &envs[k]);
		/* every assigned user, and one id without roles */
		for (uint32_t role = 0; role < pdp_audit_role_count(img); role++) {
			pdp_str u[16];
			size_t k = pdp_audit_assigned_users(img, role, u, 16);
			for (size_t i = 0; i < k && i < 16; i++)
				check_subject(img, sc, u[i], envs, ENVS, &st);
		}
		check_subject(img, sc, S("CAE-nobody"), envs, 2, &st);
		pdp_scratch_free(sc);
		pdp_image_free(img);
		gen_policy_free(gp);
	}
	cr_log_info("role sets: %lu subjects, %lu sets, %lu with several, "
	            "%lu valid sessions checked, %lu permits",
	            st.subjects, st.sets, st.multi, st.subsets, st.permits);
	cr_assert_gt(st.multi, 10, "DSD splits too few subjects' sets");
	cr_assert_gt(st.subsets, 500);
	cr_assert_gt(st.permits, 100);
}
