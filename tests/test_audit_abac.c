/*
 * test_audit_abac.c - the audit tie-in for ABAC: random policies from the
 * differential generator (tests/ref/gen.c: conditions on every built-in
 * and declared attribute, contexts, objects, roles, groups, DSD) and
 * random requests as the environments. For every subject (with its
 * assigned roles, or a session of one role; with or without its
 * attributes and the resource type fixed), ACP, section, operation and
 * environment:
 *   - pdp_decide permits  =>  audit lists the permission, not overridden,
 *     and the residual conditions of one of its grants hold there;
 *   - a grant's residual holds and no override's residual applies there
 *     =>  pdp_decide permits (the residual is not stronger than the rule);
 *   - unconditional  =>  pdp_decide permits.
 * "The residual holds" is decided by compiling the residual text back
 * into a one-rule policy (originators [all], operations all) and asking
 * pdp_decide, so the printed text itself is what is checked.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/audit.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"
#include "ref/compile.h"
#include "ref/gen.h"
#include "ref/text_buf.h"

/* Append printf-style to t (via tput). */
static void tprintf(text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tprintf(text *t, const char *fmt, ...)
{
	char buf[16384];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof(buf));
	tput(t, buf);
}

#define SEEDS 40
#define ENVS 24
#define MAX_SUBJECTS 24

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

/* ---- residual policies: the printed residual compiled back ---- */

#define MAX_CACHED 1024

typedef struct residual_cache {
	const pdp_image *img;   /* the generated policy */
	char *decls;            /* its attribute declarations */
	char *key[MAX_CACHED];
	pdp_image *res[MAX_CACHED];
	size_t n;
	pdp_scratch *sc;
} residual_cache;

static void cache_init(residual_cache *c, const pdp_image *img)
{
	memset(c, 0, sizeof(*c));
	c->img = img;
	text b = {0};
	tprintf(&b, "pdp: 1\n");
	uint32_t n = pdp_attr_count(img);
	bool any = false;
	for (uint32_t i = 0; i < n; i++) {
		pdp_str name = pdp_attr_name(img, i);
		if (pdp_attr_id(img, name) != i || i < 6)
			continue; /* built-ins */
		if (!any)
			tprintf(&b, "attributes:\n");
		any = true;
		tprintf(&b, "  %.*s: %s\n", (int)name.len, name.ptr,
		          gen_type_word(pdp_attr_type(img, i)));
	}
	c->decls = b.p;
	pdp_error err;
	cr_assert_eq(pdp_scratch_new_any(&c->sc, &err), PDP_OK);
}

static void cache_free(residual_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->key[i]);
		pdp_image_free(c->res[i]);
	}
	free(c->decls);
	pdp_scratch_free(c->sc);
}

/* The residual of rule for op as a policy of one rule with that effect. */
static char *residual_policy(const residual_cache *c, const pdp_audit_perms *p,
                             uint32_t rule, uint32_t op, bool deny)
{
	text b = {0};
	tprintf(&b, "%sacps:\n  - id: r\n    privileges:\n"
	              "      - originators: [all]\n        operations: all\n"
	              "        effect: %s\n",
	          c->decls, deny ? "deny" : "permit");
	for (uint32_t part = 1; part <= PDP_AUDIT_COND_WHEN; part <<= 1) {
		char t[8192];
		size_t n = pdp_audit_residual(p, rule, op, part, t, sizeof(t));
		cr_assert_lt(n, sizeof(t));
		if (n > 0)
			tprintf(&b, "        %s\n", t);
	}
	return b.p;
}

static pdp_image *residual_image(residual_cache *c, const pdp_audit_perms *p,
                                 uint32_t rule, uint32_t op, bool deny)
{
	char *pol = residual_policy(c, p, rule, op, deny);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->key[i], pol) == 0) {
			free(pol);
			return c->res[i];
		}
	cr_assert_lt(c->n, MAX_CACHED);
	c->key[c->n] = pol;
	c->res[c->n] = compile_policy(pol);
	cr_assert_not_null(c->res[c->n], "the residual does not compile:\n%s", pol);
	return c->res[c->n++];
}

/* Does the residual of rule hold (permit: is true; deny: applies, true or
 * indeterminate) in request q? */
static bool residual_applies(residual_cache *c, const pdp_audit_perms *p,
                             uint32_t rule, uint32_t op, bool deny,
                             const pdp_request *q)
{
	pdp_image *ri = residual_image(c, p, rule, op, deny);
	pdp_request r = *q;
	pdp_str acp = S("r");
	r.acps = &acp;
	r.acp_ids = NULL;
	r.n_acps = 1;
	r.self = false;
	r.roles_given = false;
	r.n_roles = 0;
	r.roles = NULL;
	/* the same declarations in the same order: the same attribute ids */
	pdp_attr attrs[GEN_MAX_REQ_ATTRS + 8];
	for (size_t i = 0; i < q->n_attrs; i++) {
		attrs[i] = q->attrs[i];
		attrs[i].id = pdp_attr_id(ri, pdp_attr_name(c->img, q->attrs[i].id));
	}
	r.attrs = attrs;
	pdp_decision d;
	cr_assert_eq(pdp_decide(ri, c->sc, &r, &d), PDP_OK);
	return deny ? d.reason == PDP_REASON_RULE : d.effect == PDP_PERMIT;
}

/* ---- the property ---- */

typedef struct stats {
	unsigned long permits, listed, uncond, reduced, when_residuals;
} stats;

/* What one audit query fixes, and how the environments are made to agree
 * with it. */
typedef struct session {
	pdp_audit_subject q;
	pdp_str role;                        /* for a one-role session */
	pdp_attr attrs[GEN_MAX_REQ_ATTRS];   /* the subject's originator.* */
} session;

static bool is_originator_attr(const pdp_image *img, uint32_t id)
{
	pdp_str n = pdp_attr_name(img, id);
	return n.len > 11 && memcmp(n.ptr, "originator.", 11) == 0;
}

/* The environment e made a request of the session for acp, section and
 * op: its originator, roles, type and originator.* attributes replaced. */
static void request_for(const pdp_image *img, const session *s,
                        const gen_request *e, const pdp_str *acp,
                        size_t n_acps, bool self,
                        uint32_t op, pdp_request *q, pdp_attr *attrs)
{
	*q = e->req;
	q->originator = s->q.subject;
	q->roles_given = s->q.roles_given;
	q->roles = s->q.roles;
	q->n_roles = s->q.n_roles;
	q->operation = op;
	q->acps = acp;
	q->acp_ids = NULL;
	q->n_acps = n_acps;
	q->self = self;
	if (s->q.type >= 0)
		q->type = s->q.type;
	size_t n = 0;
	for (size_t i = 0; i < e->req.n_attrs; i++)
		if (!s->q.attrs_complete ||
		    !is_originator_attr(img, e->req.attrs[i].id))
			attrs[n++] = e->req.attrs[i];
	if (s->q.attrs_complete)
		for (size_t i = 0; i < s->q.n_attrs; i++)
			attrs[n++] = s->q.attrs[i];
	q->attrs = attrs;
	q->n_attrs = n;
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

static void check_session(const pdp_image *img, pdp_scratch *sc,
                          residual_cache *rc, const session *s,
                          const gen_request *envs, uint64_t seed, stats *st)
{
	pdp_audit_perms *p = NULL;
	pdp_error err;
	cr_assert_eq(pdp_audit_subject_permissions(img, &s->q, &p, &err), PDP_OK,
	             "%s", err.message);
	for (size_t i = 0; i < p->n_perms; i++)
		for (size_t g = 0; g < p->perms[i].n_grants; g++) {
			const pdp_audit_grant *gr = &p->perms[i].grants[g];
			uint32_t full = pdp_audit_rule_conditions(img, gr->rule,
			                                          p->perms[i].operation);
			st->reduced += full != gr->conditions;
			st->when_residuals +=
				(gr->conditions & PDP_AUDIT_COND_WHEN) != 0;
		}
	char desc[4096];
	/* each ACP alone, or the session's union (--acps) */
	uint32_t targets = s->q.acps != NULL ? 1 : pdp_acp_count(img);
	for (uint32_t a = 0; a < targets; a++) {
		pdp_str acp[GEN_MAX_REQ_ACPS];
		size_t n_acps = s->q.acps != NULL ? s->q.n_acps : 1;
		for (size_t i = 0; i < n_acps; i++)
			acp[i] = pdp_acp_name(img, s->q.acps != NULL ? s->q.acps[i] : a);
		/* a union's permissions have acp PDP_NONE */
		uint32_t perm_acp = s->q.acps != NULL ? PDP_NONE : a;
		for (int self = 0; self < 2; self++)
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1) {
				const pdp_audit_perm *perm = find_perm(p, perm_acp, self != 0, op);
				for (int k = 0; k < ENVS; k++) {
					pdp_request q;
					pdp_attr attrs[2 * GEN_MAX_REQ_ATTRS];
					request_for(img, s, &envs[k], acp, n_acps, self != 0, op, &q,
					            attrs);
					pdp_decision d;
					cr_assert_eq(pdp_decide(img, sc, &q, &d), PDP_OK);
					gen_request shown = envs[k];
					shown.req = q;
					gen_request_describe(&shown, img, desc, sizeof(desc));
					bool holds = false;
					for (size_t g = 0; perm != NULL && g < perm->n_grants &&
					                   !holds;
					     g++)
						holds = residual_applies(rc, p, perm->grants[g].rule,
						                         op, false, &q);
					if (d.effect == PDP_PERMIT) {
						st->permits++;
						cr_assert(perm != NULL &&
						              perm->status != PDP_AUDIT_OVERRIDDEN,
						          "decide permits, audit lists nothing: "
						          "seed %llu, %s", (unsigned long long)seed,
						          desc);
						cr_assert(holds,
						          "decide permits but no grant's residual "
						          "holds: seed %llu, %s",
						          (unsigned long long)seed, desc);
					}
					if (perm == NULL)
						continue;
					st->listed++;
					bool denied = false;
					for (size_t o = 0; o < perm->n_overrides && !denied; o++)
						denied = residual_applies(rc, p, perm->overrides[o], op,
						                          true, &q);
					if (holds && !denied)
						cr_assert_eq(d.effect, PDP_PERMIT,
						             "a grant's residual holds and no "
						             "override applies, but decide denies "
						             "(%s): seed %llu, %s",
						             pdp_reason_name(d.reason),
						             (unsigned long long)seed, desc);
					if (perm->status == PDP_AUDIT_UNCONDITIONAL) {
						st->uncond++;
						cr_assert_eq(d.effect, PDP_PERMIT,
						             "unconditional but decide denies: "
						             "seed %llu, %s",
						             (unsigned long long)seed, desc);
					}
				}
			}
	}
	pdp_audit_perms_free(p);
}

/* Does pdp_decide take o as an originator (not a bad request)? Audit
 * answers for such subjects only (the CLI refuses the others). */
static bool decidable(const pdp_image *img, pdp_str o)
{
	pdp_request q;
	pdp_request_init(&q);
	q.originator = o;
	q.operation = PDP_OP_RETRIEVE;
	pdp_decision d;
	pdp_decide(img, NULL, &q, &d);
	return d.reason != PDP_REASON_BAD_REQUEST;
}

/* Subjects: every assigned user and exact group member, and ids from the
 * generator's pools (requests' originators) that decide accepts. */
static size_t subjects_of(const pdp_image *img, const gen_request *envs,
                          pdp_str *out)
{
	size_t n = 0;
	uint32_t nr = pdp_audit_role_count(img), ng = pdp_audit_group_count(img);
	for (uint32_t r = 0; r < nr + ng; r++) {
		pdp_str u[32];
		size_t k = r < nr ? pdp_audit_assigned_users(img, r, u, 32)
		                  : pdp_audit_group_members(img, r - nr, u, 32);
		for (size_t i = 0; i < k && i < 32 && n < MAX_SUBJECTS - 4; i++)
			out[n++] = u[i];
	}
	for (int k = 0; k < ENVS && n < MAX_SUBJECTS; k++) {
		pdp_str o = envs[k].req.originator;
		bool dup = !decidable(img, o);
		for (size_t i = 0; i < n && !dup; i++)
			dup = out[i].len == o.len && memcmp(out[i].ptr, o.ptr, o.len) == 0;
		if (!dup)
			out[n++] = o;
	}
	return n;
}

Test(tie_abac, generated_policies, .timeout = 900)
{
	stats st = {0};
	for (uint64_t seed = 1; seed <= SEEDS; seed++) {
		gen_policy *gp = gen_policy_make(seed);
		cr_assert_not_null(gp);
		pdp_image *img = compile_policy(gen_policy_text(gp));
		if (img == NULL) { /* the differential test reports these */
			gen_policy_free(gp);
			continue;
		}
		pdp_scratch *sc;
		cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
		gen_rng r;
		gen_seed(&r, seed * 0x2545f4914f6cdd1dull + 7);
		static gen_request envs[ENVS];
		for (int k = 0; k < ENVS; k++)
			gen_request_make(gp, img, &r, &envs[k]);
		residual_cache rc;
		cache_init(&rc, img);
		pdp_str subj[MAX_SUBJECTS];
		size_t ns = subjects_of(img, envs, subj);
		for (size_t i = 0; i < ns; i++) {
			if (subj[i].len == 0)
				continue;
			for (int variant = 0; variant < 4; variant++) {
				session s;
				memset(&s, 0, sizeof(s));
				pdp_audit_subject_init(&s.q);
				s.q.subject = subj[i];
				/* 0: assigned roles; 1: one authorized role, attributes
				 * and type fixed; 2: no role, type fixed; 3: a union */
				if (variant == 1 || variant == 2) {
					uint32_t auth[16];
					size_t na = pdp_audit_authorized_roles(img, subj[i], auth,
					                                       16);
					s.q.roles_given = true;
					if (variant == 1 && na > 0) {
						uint32_t pick = gen_below(&r, (uint32_t)(na < 16 ? na : 16));
						s.role = pdp_audit_role_name(img, auth[pick]);
						s.q.roles = &s.role;
						s.q.n_roles = 1;
					}
					const gen_request *src = &envs[gen_below(&r, ENVS)];
					s.q.type = src->req.type;
				}
				/* 3: the union of two or three ACPs, one listed twice
				 * at times (decide walks it twice: no difference) */
				uint32_t union_acps[3];
				if (variant == 3) {
					uint32_t na = pdp_acp_count(img);
					if (na < 2)
						continue;
					s.q.n_acps = 2 + gen_below(&r, 2);
					for (size_t k = 0; k < s.q.n_acps; k++)
						union_acps[k] = gen_below(&r, na);
					s.q.acps = union_acps;
				}
				if (variant == 1) {
					const gen_request *src = &envs[gen_below(&r, ENVS)];
					for (size_t k = 0; k < src->req.n_attrs; k++)
						if (is_originator_attr(img, src->req.attrs[k].id))
							s.attrs[s.q.n_attrs++] = src->req.attrs[k];
					s.q.attrs = s.attrs;
					s.q.attrs_complete = true;
				}
				check_session(img, sc, &rc, &s, envs, seed, &st);
			}
		}
		cache_free(&rc);
		pdp_scratch_free(sc);
		pdp_image_free(img);
		gen_policy_free(gp);
	}
	cr_log_info("abac tie-in: %lu permits, %lu listed, %lu unconditional, "
	            "%lu grants reduced, %lu with a when residual",
	            st.permits, st.listed, st.uncond, st.reduced,
	            st.when_residuals);
	cr_assert_gt(st.permits, 100);
	cr_assert_gt(st.uncond, 10);
	cr_assert_gt(st.reduced, 10);
	cr_assert_gt(st.when_residuals, 10);
}
