/*
 * perms.c - what a subject (or a role) may be granted, and who may be
 * granted an ACP's operations. Originators are matched, and roles
 * authorized and checked against DSD, by the evaluator's own code
 * (eval/match.h), but the query stops
 * before the environment: whatever the environment decides (contexts,
 * authenticated, objects, when) is reported as a residual condition.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "audit/residual.h"
#include "common/limits.h"
#include "common/prims.h"

/* ---- residual conditions of a rule ---- */

/* 1 when the condition tree is constantly true, 0 constantly false, -1
 * when the request decides. Depth is bounded by the loader's check. */
static int cond_const(const pdp_image *img, uint32_t idx)
{
	const img_cond_rec *k = img_cond(img, idx);
	switch (k->op) {
	case COP_TRUE:
		return 1;
	case COP_FALSE:
		return 0;
	case COP_ALL:
	case COP_ANY: {
		bool all = k->op == COP_ALL;
		int r = all ? 1 : 0;
		for (uint32_t i = 0; i < k->count; i++) {
			int v = cond_const(img, img_word(img, SEC_CONDKIDS, k->first + i));
			if (v == (all ? 0 : 1))
				return v;
			if (v < 0)
				r = -1;
		}
		return r;
	}
	case COP_NOT: {
		int v = cond_const(img, img_word(img, SEC_CONDKIDS, k->first));
		return v < 0 ? -1 : !v;
	}
	default:
		return -1;
	}
}

static bool context_empty(const img_context_rec *x)
{
	return x->win_count == 0 && x->ip_count == 0 && x->cc_count == 0 &&
	       x->circ_count == 0;
}

/* A context whose windows select no instant can never hold. */
static bool context_never(const pdp_image *img, const img_context_rec *x)
{
	if (x->win_count == 0)
		return false;
	for (uint32_t i = 0; i < x->win_count; i++) {
		sched s;
		img_window_sched(img_window(img, x->win_first + i), &s);
		if (!sched_never_matches(&s))
			return false;
	}
	return true;
}

uint32_t pdp_audit_rule_conditions(const pdp_image *img, uint32_t rule,
                                   uint32_t op)
{
	if (img == NULL || rule >= img->count[SEC_RULES])
		return 0;
	const img_rule_rec *r = img_rule(img, rule);
	uint32_t c = 0;
	if (r->ctx_count > 0) {
		bool always = false, never = true;
		for (uint32_t i = 0; i < r->ctx_count; i++) {
			const img_context_rec *x = img_context(img, r->ctx_first + i);
			if (context_empty(x))
				always = true;
			if (!context_never(img, x))
				never = false;
		}
		if (!always)
			c |= PDP_AUDIT_COND_CONTEXTS;
		if (never && !(r->flags & RULE_FLAG_DENY))
			c |= PDP_AUDIT_COND_NEVER;
	}
	if (r->flags & RULE_FLAG_AUTH)
		c |= PDP_AUDIT_COND_AUTHENTICATED;
	if (r->obj_count > 0) {
		bool always = false;
		for (uint32_t i = 0; i < r->obj_count; i++) {
			const img_object_rec *o = img_object(img, r->obj_first + i);
			if (o->ty_count == 0 && o->sp_count == 0 &&
			    (op != PDP_OP_CREATE || o->ch_count == 0))
				always = true;
		}
		if (!always)
			c |= PDP_AUDIT_COND_OBJECTS;
	}
	if (r->cond != IMG_NONE) {
		int v = cond_const(img, r->cond);
		if (v < 0)
			c |= PDP_AUDIT_COND_WHEN;
		else if (v == 0)
			c |= PDP_AUDIT_COND_NEVER;
	}
	return c;
}

/* ---- growable arrays for results ---- */

typedef struct u32vec {
	uint32_t *v;
	size_t n, cap;
} u32vec;

static bool u32_push(u32vec *a, uint32_t x)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		uint32_t *nv = realloc(a->v, nc * sizeof(uint32_t));
		if (nv == NULL)
			return false;
		a->v = nv;
		a->cap = nc;
	}
	a->v[a->n++] = x;
	return true;
}

/* The result object: the public struct first, its storage behind it. */
typedef struct perms_impl {
	pdp_audit_perms pub;
	pdp_audit_perm *perms;
	size_t n_perms, cap_perms;
	pdp_audit_grant *grants;
	size_t n_grants, cap_grants;
	u32vec overrides, active, closure;
	size_t *grant_first, *ovr_first; /* per perm, offsets (fixed at end) */
	aud_restab residuals;            /* texts of grants and overrides */
} perms_impl;

void pdp_audit_perms_free(pdp_audit_perms *p)
{
	if (p == NULL)
		return;
	perms_impl *m = (perms_impl *)p;
	free(m->perms);
	free(m->grants);
	free(m->overrides.v);
	free(m->active.v);
	free(m->closure.v);
	free(m->grant_first);
	free(m->ovr_first);
	aud_restab_free(&m->residuals);
	free(m);
}

size_t pdp_audit_residual(const pdp_audit_perms *p, uint32_t rule,
                          uint32_t op, uint32_t part, char *buf, size_t size)
{
	if (p == NULL) {
		if (buf != NULL && size > 0)
			buf[0] = '\0';
		return 0;
	}
	return aud_restab_get(&((const perms_impl *)p)->residuals, rule, op, part,
	                      buf, size);
}

/* ---- matching a subject ---- */

/* The subject as the evaluator's matcher sees it (who.orig ptr NULL: a
 * role query, no identity), and the roles it activated directly. */
typedef struct subject {
	const pdp_image *img;
	eval_who who;
	const u32vec *roots;      /* directly active roles */
	aud_facts facts;          /* what partial evaluation may use */
} subject;

/* The first originator entry of rule that matches s, or PDP_NONE. */
static uint32_t orig_match(subject *s, const img_rule_rec *rule)
{
	return eval_orig_match(&s->who, s->img, rule);
}

/* For a role query: does a deny rule certainly apply to every holder
 * (it names `all` or an active role)? */
static bool deny_hits_every_holder(const subject *s, const img_rule_rec *rule)
{
	const pdp_image *img = s->img;
	for (uint32_t i = 0; i < rule->orig_count; i++) {
		const img_orig_rec *o = img_orig(img, rule->orig_first + i);
		if (o->kind == ORIG_ALL ||
		    (o->kind == ORIG_ROLE && role_bit(s->who.active, o->value)))
			return true;
	}
	return false;
}

static uint32_t through_role(const subject *s, uint32_t role)
{
	for (size_t i = 0; i < s->roots->n; i++)
		if (role_bit(role_closure_of(s->img, s->roots->v[i]), role))
			return s->roots->v[i];
	return PDP_NONE;
}

static bool add_perm(perms_impl *m, const pdp_audit_perm *p, size_t gfirst,
                     size_t ofirst)
{
	if (m->n_perms == m->cap_perms) {
		size_t nc = m->cap_perms ? m->cap_perms * 2 : 16;
		pdp_audit_perm *np = realloc(m->perms, nc * sizeof(*np));
		size_t *ng = realloc(m->grant_first, nc * sizeof(size_t));
		if (ng != NULL)
			m->grant_first = ng;
		size_t *no = realloc(m->ovr_first, nc * sizeof(size_t));
		if (no != NULL)
			m->ovr_first = no;
		if (np != NULL)
			m->perms = np;
		if (np == NULL || ng == NULL || no == NULL)
			return false;
		m->cap_perms = nc;
	}
	m->grant_first[m->n_perms] = gfirst;
	m->ovr_first[m->n_perms] = ofirst;
	m->perms[m->n_perms++] = *p;
	return true;
}

static bool add_grant(perms_impl *m, const pdp_audit_grant *g)
{
	if (m->n_grants == m->cap_grants) {
		size_t nc = m->cap_grants ? m->cap_grants * 2 : 16;
		pdp_audit_grant *ng = realloc(m->grants, nc * sizeof(*ng));
		if (ng == NULL)
			return false;
		m->grants = ng;
		m->cap_grants = nc;
	}
	m->grants[m->n_grants++] = *g;
	return true;
}

/* The rule indices of one section of the ACPs acps[0..n): their rules in
 * the order pdp_decide walks them. */
static uint32_t section_rule(const pdp_image *img, const uint32_t *acps,
                             size_t n, bool self, uint32_t k)
{
	for (size_t i = 0; i < n; i++) {
		const img_acp_rec *a = img_acp(img, acps[i]);
		uint32_t first = self ? a->self_first : a->priv_first,
		         cnt = self ? a->self_count : a->priv_count;
		if (k < cnt)
			return first + k;
		k -= cnt;
	}
	return PDP_NONE;
}

/* One section and operation of the ACPs acps[0..n) (one ACP, or the union
 * a resource's acpi makes): collect grants and overrides. acp is what the
 * permission reports: the ACP, or PDP_NONE for a union. */
static bool section_op(perms_impl *m, subject *s, const uint32_t *acps,
                       size_t n, uint32_t acp, bool self, uint32_t op)
{
	const pdp_image *img = s->img;
	size_t g0 = m->n_grants, o0 = m->overrides.n;
	bool blocked = false, any_uncond = false;
	for (uint32_t j = 0;; j++) {
		uint32_t ri = section_rule(img, acps, n, self, j);
		if (ri == PDP_NONE)
			break;
		const img_rule_rec *r = img_rule(img, ri);
		if (!(r->ops & op))
			continue;
		if (r->flags & RULE_FLAG_DENY) {
			bool applies = s->who.orig.ptr == NULL ||
			               orig_match(s, r) != PDP_NONE;
			if (!applies)
				continue;
			uint32_t conds = aud_residual(&s->facts, ri, op);
			if (conds & PDP_AUDIT_COND_NEVER)
				continue;
			if (!u32_push(&m->overrides, ri) ||
			    !aud_restab_add(&m->residuals, &s->facts, ri, op))
				return false;
			if (conds == 0 &&
			    (s->who.orig.ptr != NULL || deny_hits_every_holder(s, r)))
				blocked = true;
			continue;
		}
		uint32_t oi = orig_match(s, r);
		if (oi == PDP_NONE)
			continue;
		uint32_t conds = aud_residual(&s->facts, ri, op);
		if (conds & PDP_AUDIT_COND_NEVER)
			continue;
		const img_orig_rec *o = img_orig(img, r->orig_first + oi);
		pdp_audit_grant g;
		g.rule = ri;
		g.originator = oi;
		g.via = (pdp_audit_via)o->kind;
		g.via_index = (o->kind == ORIG_GROUP || o->kind == ORIG_ROLE)
		                      ? o->value
		                      : PDP_NONE;
		g.through_role = o->kind == ORIG_ROLE ? through_role(s, o->value)
		                                      : PDP_NONE;
		g.conditions = conds;
		g.unconditional = false;
		if (conds == 0)
			any_uncond = true;
		if (!add_grant(m, &g) ||
		    !aud_restab_add(&m->residuals, &s->facts, ri, op))
			return false;
	}
	if (m->n_grants == g0) {
		m->overrides.n = o0; /* no grant: the denies are no override */
		return true;
	}
	bool no_ovr = m->overrides.n == o0;
	for (size_t i = g0; i < m->n_grants; i++)
		m->grants[i].unconditional = no_ovr && m->grants[i].conditions == 0;
	pdp_audit_perm p;
	p.acp = acp;
	p.self = self;
	p.operation = op;
	p.status = blocked ? PDP_AUDIT_OVERRIDDEN
	           : (no_ovr && any_uncond) ? PDP_AUDIT_UNCONDITIONAL
	                                    : PDP_AUDIT_CONDITIONAL;
	p.grants = NULL;
	p.n_grants = m->n_grants - g0;
	p.overrides = NULL;
	p.n_overrides = m->overrides.n - o0;
	return add_perm(m, &p, g0, o0);
}

/* Activation as a decision does it (eval/match.h: authorization, closure,
 * DSD), keeping the directly activated roles (m->active) and the closure
 * (m->closure) for the report. mode 0: assigned roles; 1: given roles; 2:
 * one role (role query, no checks). */
static bool activate(perms_impl *m, const pdp_image *img, uint32_t principal,
                     int mode, const pdp_str *roles, size_t n_roles,
                     uint32_t role, uint64_t *active)
{
	uint32_t w = img->role_words;
	m->pub.activation = PDP_AUDIT_ACTIVATION_OK;
	m->pub.activation_detail = PDP_NONE;
	if (w == 0) {
		if (mode == 1 && n_roles > 0) {
			m->pub.activation = PDP_AUDIT_ROLE_NOT_AUTHORIZED;
			m->pub.activation_detail = 0;
		}
		return true;
	}
	uint64_t *roots = calloc(w, sizeof(uint64_t));
	if (roots == NULL)
		return false;
	if (mode == 0) {
		if (principal != PDP_NONE) {
			const img_principal_rec *p = img_principal(img, principal);
			for (uint32_t i = 0; i < p->role_count; i++)
				aud_set(roots, img_word(img, SEC_PRINROLES,
				                        p->role_first + i));
		}
	} else if (mode == 1) {
		uint64_t *auth = calloc(w, sizeof(uint64_t));
		if (auth == NULL) {
			free(roots);
			return false;
		}
		eval_authorized(img, principal, auth);
		for (size_t i = 0; i < n_roles; i++) {
			uint32_t r = img_lookup(img, &img->h_role, SEC_ROLES, roles[i]);
			if (r == PDP_NONE || !role_bit(auth, r)) {
				m->pub.activation = PDP_AUDIT_ROLE_NOT_AUTHORIZED;
				m->pub.activation_detail = (uint32_t)i;
				break;
			}
			aud_set(roots, r);
		}
		free(auth);
	} else {
		aud_set(roots, role);
	}
	bool ok = true;
	for (uint32_t r = 0; r < img->count[SEC_ROLES] && ok; r++)
		if (role_bit(roots, r)) {
			ok = u32_push(&m->active, r);
			eval_add_closure(img, r, active);
		}
	for (uint32_t r = 0; r < img->count[SEC_ROLES] && ok; r++)
		if (role_bit(active, r))
			ok = u32_push(&m->closure, r);
	free(roots);
	if (!ok)
		return false;
	if (mode == 2 || m->pub.activation != PDP_AUDIT_ACTIVATION_OK)
		return true;
	uint32_t k = eval_dsd_violated(img, active);
	if (k != PDP_NONE) {
		m->pub.activation = PDP_AUDIT_DSD_VIOLATION;
		m->pub.activation_detail = k;
	}
	return true;
}

/* The subject as a decision sees it: the absolute originator when the
 * image declares its hosting CSE (common/origin.c), its principal record. */
static bool identify(subject *s, const pdp_image *img, pdp_str id,
                     char *abs, size_t cap)
{
	if (img->host && id.ptr != NULL) {
		size_t n = origin_absolute(img->host_sp, img->host_cse, id, abs, cap);
		if (n > cap)
			return false;
		id.ptr = abs;
		id.len = n;
	}
	s->who.orig = id;
	s->who.principal = aud_principal(img, id);
	s->who.principal_name = s->who.principal != PDP_NONE
	                                ? img_principal(img, s->who.principal)->name
	                                : IMG_NONE;
	return true;
}

/* Every section and operation of one ACP (acp), of every ACP (PDP_NONE),
 * or of the union of q_acps. */
static bool all_sections(perms_impl *m, subject *s, uint32_t acp,
                         const uint32_t *q_acps, size_t n_q)
{
	const pdp_image *img = s->img;
	bool ok = true;
	if (q_acps != NULL) {
		for (int self = 0; self < 2 && ok; self++)
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER && ok; op <<= 1)
				ok = section_op(m, s, q_acps, n_q, PDP_NONE, self != 0, op);
		return ok;
	}
	uint32_t a0 = acp == PDP_NONE ? 0 : acp;
	uint32_t a1 = acp == PDP_NONE ? img->count[SEC_ACPS] : acp + 1;
	for (uint32_t a = a0; a < a1 && ok; a++)
		for (int self = 0; self < 2 && ok; self++)
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER && ok; op <<= 1)
				ok = section_op(m, s, &a, 1, a, self != 0, op);
	return ok;
}

static bool acps_valid(const pdp_image *img, const pdp_audit_subject *q)
{
	if (q == NULL || q->acps == NULL)
		return true;
	if (q->n_acps == 0 || q->n_acps > PDP_MAX_REQ_ACPS)
		return false;
	for (size_t i = 0; i < q->n_acps; i++)
		if (q->acps[i] >= img->count[SEC_ACPS])
			return false;
	return true;
}

/* The one query behind the user, session and role permission calls: the
 * subject as a decision would see it (absolute originator, principal,
 * activated roles), then every section and operation of the ACPs asked
 * for, with what q fixes applied to the conditions. q NULL: the role
 * query for role. A refused activation is a result, not an error: it is
 * reported in the result's activation fields with no permissions. */
static pdp_status run(const pdp_image *img, const pdp_audit_subject *q,
                      uint32_t role, uint32_t acp, pdp_audit_perms **out,
                      pdp_error *err)
{
	if (out != NULL)
		*out = NULL;
	int mode = q == NULL ? 2 : q->roles_given ? 1 : 0;
	if (img == NULL || out == NULL || (q != NULL && q->subject.ptr == NULL) ||
	    (q != NULL && q->roles_given && q->n_roles > 0 && q->roles == NULL) ||
	    (q != NULL && q->n_attrs > 0 && q->attrs == NULL))
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument");
	if (img->view != NULL)
		return img_fail(err, PDP_ERR_ARG, AUDIT_VIEW_REFUSED);
	if ((acp != PDP_NONE && acp >= img->count[SEC_ACPS]) ||
	    !acps_valid(img, q))
		return img_fail(err, PDP_ERR_NOT_FOUND, "audit: no such ACP");
	if (mode == 2 && role >= img->count[SEC_ROLES])
		return img_fail(err, PDP_ERR_NOT_FOUND, "audit: no such role");
	perms_impl *m = calloc(1, sizeof(*m));
	uint64_t *active = calloc(img->role_words + 1, sizeof(uint64_t));
	if (m == NULL || active == NULL) {
		free(m);
		free(active);
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	}
	subject s;
	memset(&s, 0, sizeof(s));
	s.img = img;
	s.who.img = img;
	char abs[PDP_MAX_ABS_ID_BYTES];
	if (!identify(&s, img, q != NULL ? q->subject : (pdp_str){NULL, 0}, abs,
	              sizeof(abs))) {
		free(m);
		free(active);
		return img_fail(err, PDP_ERR_LIMIT, "audit: subject too long");
	}
	s.who.active = active;
	s.roots = &m->active;
	s.facts.img = img;
	s.facts.orig = s.who.orig;
	s.facts.type = q != NULL ? q->type : -1;
	if (q != NULL) {
		s.facts.attrs = q->attrs;
		s.facts.n_attrs = q->n_attrs;
		s.facts.attrs_fixed = q->attrs_complete;
	}
	bool ok = activate(m, img, s.who.principal, mode,
	                   q != NULL ? q->roles : NULL,
	                   q != NULL && q->roles_given ? q->n_roles : 0, role,
	                   active);
	if (ok && m->pub.activation == PDP_AUDIT_ACTIVATION_OK)
		ok = all_sections(m, &s, acp, q != NULL ? q->acps : NULL,
		                  q != NULL ? q->n_acps : 0);
	aud_facts_done(&s.facts);
	free(active);
	if (!ok) {
		pdp_audit_perms_free(&m->pub);
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	}
	aud_restab_seal(&m->residuals);
	/* the arrays no longer move: point into them */
	for (size_t i = 0; i < m->n_perms; i++) {
		m->perms[i].grants = m->grants + m->grant_first[i];
		m->perms[i].overrides = m->overrides.v + m->ovr_first[i];
	}
	m->pub.subject = s.who.orig;
	m->pub.perms = m->perms;
	m->pub.n_perms = m->n_perms;
	m->pub.active_roles = m->active.v;
	m->pub.n_active_roles = m->active.n;
	m->pub.active_closure = m->closure.v;
	m->pub.n_active_closure = m->closure.n;
	*out = &m->pub;
	return PDP_OK;
}

void pdp_audit_subject_init(pdp_audit_subject *q)
{
	if (q == NULL)
		return;
	memset(q, 0, sizeof(*q));
	q->type = -1;
}

pdp_status pdp_audit_subject_permissions(const pdp_image *img,
                                         const pdp_audit_subject *q,
                                         pdp_audit_perms **out,
                                         pdp_error *err)
{
	if (q == NULL) {
		if (out != NULL)
			*out = NULL;
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument");
	}
	return run(img, q, PDP_NONE, PDP_NONE, out, err);
}

pdp_status pdp_audit_user_permissions(const pdp_image *img, pdp_str user,
                                      uint32_t acp, pdp_audit_perms **out,
                                      pdp_error *err)
{
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	q.subject = user;
	return run(img, &q, PDP_NONE, acp, out, err);
}

pdp_status pdp_audit_session_permissions(const pdp_image *img, pdp_str user,
                                         const pdp_str *roles, size_t n_roles,
                                         uint32_t acp, pdp_audit_perms **out,
                                         pdp_error *err)
{
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	q.subject = user;
	q.roles_given = true;
	q.roles = roles;
	q.n_roles = n_roles;
	return run(img, &q, PDP_NONE, acp, out, err);
}

pdp_status pdp_audit_role_permissions(const pdp_image *img, uint32_t role,
                                      uint32_t acp, pdp_audit_perms **out,
                                      pdp_error *err)
{
	return run(img, NULL, role, acp, out, err);
}

static void ops_of(const pdp_audit_perms *p, bool self, uint32_t *ops,
                   uint32_t *uncond)
{
	*ops = 0;
	if (uncond)
		*uncond = 0;
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		if (x->self != self || x->status == PDP_AUDIT_OVERRIDDEN)
			continue;
		*ops |= x->operation;
		if (uncond && x->status == PDP_AUDIT_UNCONDITIONAL)
			*uncond |= x->operation;
	}
}

/* The operations one section of permissions p (just computed with status
 * st) grants; frees p. */
static pdp_status ops_from(pdp_status st, pdp_audit_perms *p, bool self,
                           uint32_t *ops, uint32_t *unconditional)
{
	if (st != PDP_OK)
		return st;
	if (p == NULL)
		return PDP_ERR_NOMEM;
	ops_of(p, self, ops, unconditional);
	pdp_audit_perms_free(p);
	return PDP_OK;
}

pdp_status pdp_audit_role_operations_on_object(const pdp_image *img,
                                               uint32_t role, uint32_t acp,
                                               bool self, uint32_t *ops,
                                               uint32_t *unconditional,
                                               pdp_error *err)
{
	if (ops == NULL || acp == PDP_NONE)
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument");
	pdp_audit_perms *p = NULL;
	pdp_status st = pdp_audit_role_permissions(img, role, acp, &p, err);
	return ops_from(st, p, self, ops, unconditional);
}

pdp_status pdp_audit_user_operations_on_object(const pdp_image *img,
                                               pdp_str user, uint32_t acp,
                                               bool self, uint32_t *ops,
                                               uint32_t *unconditional,
                                               pdp_error *err)
{
	if (ops == NULL || acp == PDP_NONE)
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument");
	pdp_audit_perms *p = NULL;
	pdp_status st = pdp_audit_user_permissions(img, user, acp, &p, err);
	return ops_from(st, p, self, ops, unconditional);
}

/* ---- who may be granted an ACP ---- */

typedef struct acp_impl {
	pdp_audit_acp pub;
	pdp_audit_acp_entry *entries;
	size_t n_entries;
	u32vec rules;
	size_t *offs; /* per entry: permits first, denies first */
	aud_restab residuals;
} acp_impl;

void pdp_audit_acp_free(pdp_audit_acp *a)
{
	if (a == NULL)
		return;
	acp_impl *m = (acp_impl *)a;
	free(m->entries);
	free(m->rules.v);
	free(m->offs);
	aud_restab_free(&m->residuals);
	free(m);
}

size_t pdp_audit_acp_residual(const pdp_audit_acp *a, uint32_t rule,
                              uint32_t op, uint32_t part, char *buf,
                              size_t size)
{
	if (a == NULL) {
		if (buf != NULL && size > 0)
			buf[0] = '\0';
		return 0;
	}
	return aud_restab_get(&((const acp_impl *)a)->residuals, rule, op, part,
	                      buf, size);
}

/* Who may be granted ACP acp's operations: per section and operation, the
 * permit rules first, then the deny rules that may override them, leaving
 * out rules whose conditions can never hold. Offsets are collected while
 * the arrays grow and turned into pointers once they no longer move. */
pdp_status pdp_audit_acp_query(const pdp_image *img, uint32_t acp,
                               uint32_t ops, pdp_audit_acp **out,
                               pdp_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (img == NULL || out == NULL)
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument");
	if (img->view != NULL)
		return img_fail(err, PDP_ERR_ARG, AUDIT_VIEW_REFUSED);
	if (acp >= img->count[SEC_ACPS])
		return img_fail(err, PDP_ERR_NOT_FOUND, "audit: no such ACP");
	if (ops == 0)
		ops = PDP_OP_ALL;
	acp_impl *m = calloc(1, sizeof(*m));
	pdp_audit_acp_entry *ent = calloc(12, sizeof(*ent));
	size_t *offs = calloc(24, sizeof(size_t));
	if (m != NULL) {
		m->entries = ent;
		m->offs = offs;
	}
	bool ok = m != NULL && ent != NULL && offs != NULL;
	const img_acp_rec *a = ok ? img_acp(img, acp) : NULL;
	aud_facts facts; /* the operation only */
	memset(&facts, 0, sizeof(facts));
	facts.img = img;
	facts.type = -1;
	for (int self = 0; self < 2 && ok; self++) {
		uint32_t first = self ? a->self_first : a->priv_first,
		         cnt = self ? a->self_count : a->priv_count;
		for (uint32_t op = 1; op <= PDP_OP_DISCOVER && ok; op <<= 1) {
			if (!(ops & op))
				continue;
			size_t p0 = m->rules.n;
			for (int deny = 0; deny < 2 && ok; deny++) {
				if (deny)
					offs[2 * m->n_entries + 1] = m->rules.n;
				for (uint32_t j = 0; j < cnt && ok; j++) {
					const img_rule_rec *r = img_rule(img, first + j);
					bool is_deny = (r->flags & RULE_FLAG_DENY) != 0;
					if (!(r->ops & op) || is_deny != (deny != 0))
						continue;
					uint32_t c = aud_residual(&facts, first + j, op);
					if (c & PDP_AUDIT_COND_NEVER)
						continue;
					ok = u32_push(&m->rules, first + j) &&
					     aud_restab_add(&m->residuals, &facts, first + j, op);
				}
			}
			if (m->rules.n == p0)
				continue;
			pdp_audit_acp_entry *e = &ent[m->n_entries];
			offs[2 * m->n_entries] = p0;
			e->self = self != 0;
			e->operation = op;
			e->n_permits = offs[2 * m->n_entries + 1] - p0;
			e->n_denies = m->rules.n - offs[2 * m->n_entries + 1];
			m->n_entries++;
		}
	}
	aud_facts_done(&facts);
	if (!ok) {
		if (m != NULL)
			pdp_audit_acp_free(&m->pub);
		else {
			free(ent);
			free(offs);
		}
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	}
	aud_restab_seal(&m->residuals);
	for (size_t i = 0; i < m->n_entries; i++) {
		ent[i].permits = m->rules.v + offs[2 * i];
		ent[i].denies = m->rules.v + offs[2 * i + 1];
	}
	m->pub.acp = acp;
	m->pub.entries = ent;
	m->pub.n_entries = m->n_entries;
	*out = &m->pub;
	return PDP_OK;
}
