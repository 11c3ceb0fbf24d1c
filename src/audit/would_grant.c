/*
 * would_grant.c - what would grant a denied request
 * (pdp_audit_what_would_grant, audit.h). For each permit rule of the
 * target ACPs that the request's fixed facts (originator, operation,
 * target) leave possible, the search changes a working copy of the
 * request until the rule holds: a session of authorized roles that
 * respects DSD and reaches the rule's `role:` originator, authentication,
 * one context made to hold (a time its window selects, an address of its
 * range, a country or location of its region), then the `when` tree
 * (grant_solve.c). The changed request is decided by pdp_decide: the
 * answer is what decide says, not what the search believes. Deny rules
 * that apply to it are tried once more with their `when` made false, and
 * reported when they still apply.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/grant.h"
#include "audit/render.h"
#include "audit/residual.h"
#include "common/limits.h"
#include "common/prims.h"

/* Rounds of "a deny rule applies: make its `when` false", each of which
 * may reveal the next deny rule; a policy rarely stacks more. */
#define UNBLOCK_ROUNDS 8

typedef struct report_impl {
	pdp_audit_grant_report pub;
	pdp_audit_candidate *cands;
	size_t n_cands, cap_cands;
	gr_arena arena;
} report_impl;

void pdp_audit_grant_report_free(pdp_audit_grant_report *r)
{
	if (r == NULL)
		return;
	report_impl *m = (report_impl *)r;
	free(m->cands);
	gr_arena_free(&m->arena);
	free(m);
}

/* The search's state for one request. */
typedef struct search {
	const pdp_image *img;
	const pdp_request *req;
	uint32_t acps[PDP_MAX_REQ_ACPS];
	size_t n_acps;
	eval_who who;             /* originator; active set per session */
	uint32_t words;
	uint64_t *authorized;     /* the originator's authorized roles */
	uint64_t *closure;        /* the request's active closure */
	uint64_t *scratch_set;    /* a session's closure being tried */
	uint64_t *none;           /* no role active */
	uint32_t *roots;          /* the request's activated roles (authorized
	                             ones), in order */
	size_t n_roots;
	bool activation_ok;       /* decide accepted the request's roles */
	bool direct;              /* the rule matches without any role */
	uint32_t need;            /* the `role:` entry's role it needs */
	gr_work w;
	report_impl *m;
	/* the candidate being built */
	uint32_t *new_roots;
	size_t n_new_roots;
	bool roles_changed;
	pdp_str *role_names;
	double lat, lon;
	bool loc_changed;
} search;

/* ---- sessions ---- */

static void closure_of(const search *s, const uint32_t *roots, size_t n,
                       uint64_t *set)
{
	memset(set, 0, (s->words + 1) * sizeof(uint64_t));
	for (size_t i = 0; i < n; i++)
		eval_add_closure(s->img, roots[i], set);
}

static bool in_list(const uint32_t *v, size_t n, uint32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

/* A session with as many of the request's roles as DSD lets stay beside
 * role need (PDP_NONE: none), those that reach need first, and need
 * itself first when none of them does. False when need's own closure breaks DSD. */
static bool session_with(search *s, uint32_t need)
{
	s->n_new_roots = 0;
	uint32_t *kept = s->new_roots + 1;
	size_t n = 0;
	if (need != PDP_NONE) {
		closure_of(s, &need, 1, s->scratch_set);
		if (eval_dsd_violated(s->img, s->scratch_set) != PDP_NONE)
			return false;
	}
	/* the roles that reach need first, then the others */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < s->n_roots; i++) {
			uint32_t r = s->roots[i];
			bool reaches = need != PDP_NONE &&
			               role_bit(role_closure_of(s->img, r), need);
			if ((pass == 0) != reaches || in_list(kept, n, r))
				continue;
			kept[n] = r;
			closure_of(s, kept, n + 1, s->scratch_set);
			if (need != PDP_NONE)
				eval_add_closure(s->img, need, s->scratch_set);
			if (eval_dsd_violated(s->img, s->scratch_set) == PDP_NONE)
				n++;
		}
	}
	/* a role another kept role inherits adds nothing: leave it out */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		bool inherited = false;
		for (size_t j = 0; j < n && !inherited; j++)
			inherited = j != i && kept[j] != kept[i] &&
			            role_bit(role_closure_of(s->img, kept[j]), kept[i]);
		if (!inherited)
			kept[m++] = kept[i];
	}
	n = m;
	closure_of(s, kept, n, s->scratch_set);
	if (need != PDP_NONE && !role_bit(s->scratch_set, need)) {
		/* need first, without the kept roles it inherits */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (!role_bit(role_closure_of(s->img, need), kept[i]))
				kept[k++] = kept[i];
		s->new_roots[0] = need;
		s->n_new_roots = k + 1;
	} else {
		memmove(s->new_roots, kept, n * sizeof(uint32_t));
		s->n_new_roots = n;
	}
	s->need = need;
	return true;
}

/* The roles under which rule's originators match: the request's, or a
 * session reaching one of its `role:` entries. False: none can. Sets
 * s->who.active for the rest of the candidate. */
static bool match_originators(search *s, const img_rule_rec *rule)
{
	s->roles_changed = false;
	s->who.active = s->none;
	bool direct = eval_orig_match(&s->who, s->img, rule) != PDP_NONE;
	s->direct = direct;
	if (s->activation_ok) {
		s->who.active = s->closure;
		if (eval_orig_match(&s->who, s->img, rule) != PDP_NONE)
			return true;
	}
	s->need = PDP_NONE;
	if (direct) {
		/* the request's roles are refused: a session decide accepts */
		session_with(s, PDP_NONE);
		s->roles_changed = true;
	} else {
		bool found = false;
		for (uint32_t i = 0; i < rule->orig_count && !found; i++) {
			const img_orig_rec *o = img_orig(s->img, rule->orig_first + i);
			found = o->kind == ORIG_ROLE && o->value < s->img->count[SEC_ROLES] &&
			        role_bit(s->authorized, o->value) &&
			        session_with(s, o->value);
		}
		if (!found)
			return false;
		s->roles_changed = true;
	}
	closure_of(s, s->new_roots, s->n_new_roots, s->scratch_set);
	s->who.active = s->scratch_set;
	return true;
}

/* ---- objects and contexts on the working request ---- */

static bool u32_in(const pdp_image *img, enum img_section sec, uint32_t first,
                   uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (img_word(img, sec, first + i) == v)
			return true;
	return false;
}

static bool str_eq(pdp_str a, pdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Objects (acod) on the request's target, which the search never changes. */
static bool objects_hold(const pdp_image *img, const pdp_request *q,
                         const img_rule_rec *rule)
{
	for (uint32_t i = 0; i < rule->obj_count; i++) {
		const img_object_rec *o = img_object(img, rule->obj_first + i);
		bool ok = o->ty_count == 0 ||
		          (q->type >= 0 && u32_in(img, SEC_OBJTYPES, o->ty_first,
		                                  o->ty_count, (uint32_t)q->type));
		if (ok && o->sp_count > 0) {
			bool found = false;
			for (uint32_t k = 0; k < o->sp_count && !found &&
			                     q->specialization.ptr != NULL; k++)
				found = str_eq(img_str(img, img_word(img, SEC_OBJSPECS,
				                                     o->sp_first + k)),
				               q->specialization);
			ok = found;
		}
		if (ok && o->ch_count > 0 && q->operation == PDP_OP_CREATE)
			ok = q->child_type >= 0 &&
			     u32_in(img, SEC_OBJTYPES, o->ch_first, o->ch_count,
			            (uint32_t)q->child_type);
		if (ok)
			return true;
	}
	return rule->obj_count == 0;
}

static bool location_ok(const pdp_request *q)
{
	return q->has_location && q->lat == q->lat && q->lon == q->lon &&
	       q->lat >= -90.0 && q->lat <= 90.0 && q->lon >= -180.0 &&
	       q->lon <= 180.0;
}

/* The three context tests on the working request, each true, false or
 * (a value missing) indeterminate, as a decision has them. */
static tri window_tri(const pdp_image *img, const pdp_request *q,
                      const img_context_rec *x)
{
	if (x->win_count == 0)
		return T_TRUE;
	if (!q->has_time || !time_valid(q->time))
		return T_INDET;
	for (uint32_t i = 0; i < x->win_count; i++) {
		sched sc;
		img_window_sched(img_window(img, x->win_first + i), &sc);
		if (sched_match(&sc, q->time))
			return T_TRUE;
	}
	return T_FALSE;
}

static tri ip_tri(const pdp_image *img, const pdp_request *q,
                  const img_context_rec *x)
{
	if (x->ip_count == 0)
		return T_TRUE;
	if (!q->has_ip)
		return T_INDET;
	for (uint32_t i = 0; i < x->ip_count; i++) {
		const img_cidr_rec *c = img_cidr(img, x->ip_first + i);
		pdp_ip net;
		img_cidr_addr(c, &net);
		if (cidr_contains(&net, c->prefix, &q->ip))
			return T_TRUE;
	}
	return T_FALSE;
}

static tri region_tri(const pdp_image *img, const pdp_request *q,
                      const img_context_rec *x)
{
	if (x->cc_count == 0 && x->circ_count == 0)
		return T_TRUE;
	tri r = T_FALSE;
	if (x->cc_count > 0) {
		int cc = q->country.ptr != NULL ? country_code(q->country) : -1;
		if (cc < 0)
			r = T_INDET;
		else if (u32_in(img, SEC_COUNTRIES, x->cc_first, x->cc_count,
		                (uint32_t)cc))
			return T_TRUE;
	}
	if (x->circ_count > 0) {
		if (!location_ok(q))
			return T_INDET;
		for (uint32_t i = 0; i < x->circ_count; i++) {
			const img_circle_rec *c = img_circle(img, x->circ_first + i);
			if (geo_distance_m(img_double(c->lat), img_double(c->lon), q->lat,
			                   q->lon) <= img_double(c->radius))
				return T_TRUE;
		}
	}
	return r;
}

static tri and3(tri a, tri b)
{
	return a == T_FALSE || b == T_FALSE ? T_FALSE
	       : a == T_INDET || b == T_INDET ? T_INDET
	                                      : T_TRUE;
}

static tri contexts_tri(const pdp_image *img, const pdp_request *q,
                        const img_rule_rec *rule)
{
	if (rule->ctx_count == 0)
		return T_TRUE;
	tri r = T_FALSE;
	for (uint32_t i = 0; i < rule->ctx_count; i++) {
		const img_context_rec *x = img_context(img, rule->ctx_first + i);
		tri t = and3(and3(window_tri(img, q, x), ip_tri(img, q, x)),
		             region_tri(img, q, x));
		if (t == T_TRUE)
			return T_TRUE;
		if (t == T_INDET)
			r = T_INDET;
	}
	return r;
}

/* Does rule apply to the working request (true or, for a deny rule,
 * indeterminate)? As a decision evaluates it, with the active set in
 * s->who. */
static tri rule_tri(search *s, const img_rule_rec *rule)
{
	gr_work *w = &s->w;
	gr_sync(w);
	const pdp_request *q = &w->req;
	if (!(rule->ops & q->operation) ||
	    ((rule->flags & RULE_FLAG_AUTH) && !q->authenticated) ||
	    eval_orig_match(&s->who, s->img, rule) == PDP_NONE ||
	    !objects_hold(s->img, q, rule))
		return T_FALSE;
	tri t = contexts_tri(s->img, q, rule);
	if (t != T_FALSE && rule->cond != IMG_NONE)
		t = and3(t, gr_eval(w, rule->cond));
	return t;
}

/* ---- making a context hold ---- */

/* The first instant at or after from that schedule sc selects; false when
 * none before the end of the schedule's years. Walks days (at most the
 * 230 years of schedules, or 28 years), and within a day the selected
 * hours, minutes and seconds. */
static bool next_instant(const sched *sc, int64_t from, int64_t *out)
{
	/* times a request can name with a date of four digits: before 1970
	 * the first instant is 1970's (schedules start there), after 9999
	 * there is none to offer */
	if (from > unix_from_civil(9999, 12, 31, 23, 59, 59))
		return false;
	if (from < 0)
		from = 0;
	int64_t day0 = from / 86400;
	/* the schedules' last year; past it a `*` year still selects, and
	 * every date and weekday comes round within 28 years */
	int64_t last = unix_from_civil(SCHED_YEAR_MAX, 12, 31, 0, 0, 0) / 86400;
	if (last < day0 + 28 * 366)
		last = day0 + 28 * 366;
	for (int64_t day = day0; day <= last; day++) {
		civil_time c;
		civil_from_unix(day * 86400, &c);
		for (c.hour = 0; c.hour < 24; c.hour++) {
			if (!((sc->hour >> c.hour) & 1u))
				continue;
			for (c.min = 0; c.min < 60; c.min++) {
				if (!((sc->min >> c.min) & 1u))
					continue;
				for (c.sec = 0; c.sec < 60; c.sec++) {
					if (!((sc->sec >> c.sec) & 1u))
						continue;
					int64_t t = day * 86400 + c.hour * 3600 + c.min * 60 + c.sec;
					if (t < from)
						continue;
					if (!sched_match_civil(sc, &c))
						goto next_day; /* the date is not selected */
					*out = t;
					return true;
				}
			}
		}
	next_day:;
	}
	return false;
}

static bool set_env(gr_work *w, uint32_t id, const pdp_value *v)
{
	gr_val *x = &w->vals[id];
	if (x->lock >= GR_VALUE)
		return false;
	x->present = true;
	x->v = *v;
	x->lock = GR_VALUE;
	return true;
}

/* Make context x hold in the working request, each of its tests that does
 * not hold by a value it accepts; false when a locked value is in the way
 * or no instant fits. *changes counts what changed. */
static bool make_context(search *s, const img_context_rec *x, int *changes)
{
	gr_work *w = &s->w;
	const pdp_image *img = s->img;
	*changes = 0;
	gr_sync(w);
	if (window_tri(img, &w->req, x) != T_TRUE) {
		int64_t from = w->req.has_time && time_valid(w->req.time)
		                       ? w->req.time.sec
		                       : 0;
		int64_t best = 0;
		bool found = false;
		for (uint32_t i = 0; i < x->win_count; i++) {
			sched sc;
			int64_t t;
			img_window_sched(img_window(img, x->win_first + i), &sc);
			/* the next instant, else (a window of past years only)
			 * the first one */
			if ((next_instant(&sc, from, &t) || next_instant(&sc, 0, &t)) &&
			    (!found || t < best)) {
				best = t;
				found = true;
			}
		}
		pdp_value v = {.type = PDP_TYPE_TIME};
		v.u.t.sec = best;
		if (!found || !set_env(w, BATTR_ENV_TIME, &v))
			return false;
		(*changes)++;
	} else if (x->win_count > 0)
		w->vals[BATTR_ENV_TIME].lock = GR_VALUE;
	if (ip_tri(img, &w->req, x) != T_TRUE) {
		pdp_value v = {.type = PDP_TYPE_IP};
		img_cidr_addr(img_cidr(img, x->ip_first), &v.u.ip);
		if (!set_env(w, BATTR_ENV_IP, &v))
			return false;
		(*changes)++;
	} else if (x->ip_count > 0)
		w->vals[BATTR_ENV_IP].lock = GR_VALUE;
	if (region_tri(img, &w->req, x) != T_TRUE) {
		if (x->cc_count > 0) {
			const char *a2 = country_alpha2(
				(int)img_word(img, SEC_COUNTRIES, x->cc_first));
			pdp_value v = {.type = PDP_TYPE_STRING};
			v.u.s = (pdp_str){a2, a2 != NULL ? strlen(a2) : 0};
			if (a2 == NULL || !set_env(w, BATTR_ENV_COUNTRY, &v))
				return false;
		} else {
			if (w->loc_locked)
				return false;
			const img_circle_rec *c = img_circle(img, x->circ_first);
			w->req.has_location = true;
			w->req.lat = s->lat = img_double(c->lat);
			w->req.lon = s->lon = img_double(c->lon);
			s->loc_changed = true;
		}
		(*changes)++;
	} else if (x->cc_count > 0 || x->circ_count > 0) {
		w->vals[BATTR_ENV_COUNTRY].lock = GR_VALUE;
	}
	if (x->circ_count > 0)
		w->loc_locked = true;
	gr_sync(w);
	return true;
}

/* One context of rule made to hold: the one needing fewest changes, each
 * tried on a copy. */
static bool make_contexts(search *s, const img_rule_rec *rule)
{
	gr_work *w = &s->w;
	gr_sync(w);
	if (contexts_tri(s->img, &w->req, rule) == T_TRUE) {
		/* keep what the contexts that hold read */
		for (uint32_t i = 0; i < rule->ctx_count; i++) {
			const img_context_rec *x = img_context(s->img, rule->ctx_first + i);
			if (and3(and3(window_tri(s->img, &w->req, x),
			              ip_tri(s->img, &w->req, x)),
			         region_tri(s->img, &w->req, x)) != T_TRUE)
				continue;
			if (x->win_count > 0)
				w->vals[BATTR_ENV_TIME].lock = GR_VALUE;
			if (x->ip_count > 0)
				w->vals[BATTR_ENV_IP].lock = GR_VALUE;
			if (x->cc_count > 0)
				w->vals[BATTR_ENV_COUNTRY].lock = GR_VALUE;
			if (x->circ_count > 0)
				w->loc_locked = true;
		}
		return true;
	}
	gr_val saved[IMG_BUILTIN_ATTRS];
	memcpy(saved, w->vals, sizeof(saved));
	pdp_request sreq = w->req;
	bool sloc = s->loc_changed, slocked = w->loc_locked;
	int best = -1, best_changes = 0;
	for (uint32_t i = 0; i < rule->ctx_count; i++) {
		int n;
		if (make_context(s, img_context(s->img, rule->ctx_first + i), &n) &&
		    (best < 0 || n < best_changes)) {
			best = (int)i;
			best_changes = n;
		}
		memcpy(w->vals, saved, sizeof(saved));
		w->req = sreq;
		s->loc_changed = sloc;
		w->loc_locked = slocked;
	}
	int n;
	return best >= 0 &&
	       make_context(s, img_context(s->img, rule->ctx_first + (uint32_t)best),
	                    &n);
}

/* ---- the report ---- */

/* The unmet part of a `when` that does not hold for the request: an `all`
 * without its children that hold, a combinator of one child that child;
 * the rest as written. */
static void render_unmet(sb *b, gr_work *w, uint32_t idx)
{
	const img_cond_rec *k = img_cond(w->img, idx);
	if (k->op != COP_ALL && k->op != COP_ANY) {
		render_cond(b, w->img, idx);
		return;
	}
	uint32_t kept = 0, only = 0;
	for (uint32_t i = 0; i < k->count; i++) {
		uint32_t c = img_word(w->img, SEC_CONDKIDS, k->first + i);
		if (k->op == COP_ANY || gr_eval(w, c) != T_TRUE) {
			kept++;
			only = c;
		}
	}
	if (kept == 1) {
		render_unmet(b, w, only);
		return;
	}
	sb_puts(b, k->op == COP_ALL ? "{all: [" : "{any: [");
	bool sep = false;
	for (uint32_t i = 0; i < k->count; i++) {
		uint32_t c = img_word(w->img, SEC_CONDKIDS, k->first + i);
		if (k->op == COP_ALL && gr_eval(w, c) == T_TRUE)
			continue;
		if (sep)
			sb_puts(b, ", ");
		sep = true;
		render_unmet(b, w, c);
	}
	sb_puts(b, "]}");
}

typedef struct strs {
	pdp_str v[4];
	size_t n;
} strs;

/* Keep the text of an sb-writer in the arena (two passes). */
typedef void (*writer)(sb *b, search *s, uint32_t rule, uint32_t arg);

static void keep_text(search *s, strs *out, writer fn, uint32_t rule,
                      uint32_t arg)
{
	sb b = {NULL, 0, 0};
	fn(&b, s, rule, arg);
	char *p = gr_alloc(&s->m->arena, b.len + 1);
	if (p == NULL) {
		s->w.nomem = true;
		return;
	}
	sb c = {p, b.len + 1, 0};
	fn(&c, s, rule, arg);
	out->v[out->n++] = (pdp_str){p, b.len};
}

static void w_role(sb *b, search *s, uint32_t rule, uint32_t role)
{
	(void)rule;
	sb_puts(b, "originators: [role:");
	sb_scalar(b, pdp_audit_role_name(s->img, role));
	sb_puts(b, "]");
}

static void w_auth(sb *b, search *s, uint32_t rule, uint32_t arg)
{
	(void)s;
	(void)rule;
	(void)arg;
	sb_puts(b, "authenticated: true");
}

static void w_contexts(sb *b, search *s, uint32_t rule, uint32_t arg)
{
	(void)arg;
	size_t n = pdp_audit_format_condition(s->img, rule,
	                                      PDP_AUDIT_COND_CONTEXTS, NULL, 0);
	char *t = malloc(n + 1);
	if (t == NULL) {
		s->w.nomem = true;
		return;
	}
	pdp_audit_format_condition(s->img, rule, PDP_AUDIT_COND_CONTEXTS, t,
	                           n + 1);
	sb_putn(b, t, n);
	free(t);
}

static void w_when(sb *b, search *s, uint32_t rule, uint32_t arg)
{
	(void)arg;
	sb_puts(b, "when: ");
	render_unmet(b, &s->w, img_rule(s->img, rule)->cond);
}

/* What the request does not meet of rule (the working request is the
 * request itself here). */
static void unmet_of(search *s, uint32_t ri, uint32_t need_role, strs *out)
{
	const img_rule_rec *rule = img_rule(s->img, ri);
	gr_work *w = &s->w;
	out->n = 0;
	if (need_role != PDP_NONE)
		keep_text(s, out, w_role, ri, need_role);
	if ((rule->flags & RULE_FLAG_AUTH) && !w->base->authenticated)
		keep_text(s, out, w_auth, ri, 0);
	if (contexts_tri(s->img, w->base, rule) != T_TRUE)
		keep_text(s, out, w_contexts, ri, 0);
	if (rule->cond != IMG_NONE && gr_eval(w, rule->cond) != T_TRUE)
		keep_text(s, out, w_when, ri, 0);
}

static bool value_eq(const pdp_value *a, const pdp_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case PDP_TYPE_INT: return a->u.i == b->u.i;
	case PDP_TYPE_STRING: return str_eq(a->u.s, b->u.s);
	case PDP_TYPE_BOOL: return a->u.b == b->u.b;
	case PDP_TYPE_IP: return memcmp(a->u.ip.b, b->u.ip.b, 16) == 0;
	case PDP_TYPE_TIME:
		return a->u.t.sec == b->u.t.sec && a->u.t.nsec == b->u.t.nsec;
	case PDP_TYPE_SET:
		if (a->u.set.count != b->u.set.count)
			return false;
		for (size_t i = 0; i < a->u.set.count; i++)
			if (!str_eq(a->u.set.items[i], b->u.set.items[i]))
				return false;
		return true;
	default:
		return false;
	}
}

/* The changes: the working request against the request, in a fixed order
 * (roles, authentication, location, attributes by id). */
static pdp_audit_change *changes_of(search *s, const gr_val *base_vals,
                                    size_t *n)
{
	gr_work *w = &s->w;
	size_t cap = 3 + w->n_vals;
	pdp_audit_change *c = gr_alloc(&s->m->arena, cap * sizeof(*c));
	*n = 0;
	if (c == NULL) {
		w->nomem = true;
		return NULL;
	}
	memset(c, 0, cap * sizeof(*c));
	if (s->roles_changed) {
		uint32_t *r = gr_alloc(&s->m->arena,
		                       (s->n_new_roots + 1) * sizeof(uint32_t));
		if (r == NULL) {
			w->nomem = true;
			return NULL;
		}
		memcpy(r, s->new_roots, s->n_new_roots * sizeof(uint32_t));
		c[*n] = (pdp_audit_change){.kind = PDP_AUDIT_SET_ROLES,
		                           .attr = PDP_NONE,
		                           .roles = r,
		                           .n_roles = s->n_new_roots};
		(*n)++;
	}
	if (w->req.authenticated != w->base->authenticated) {
		c[*n] = (pdp_audit_change){.kind = PDP_AUDIT_SET_AUTHENTICATED,
		                           .attr = PDP_NONE};
		c[*n].value.type = PDP_TYPE_BOOL;
		c[(*n)++].value.u.b = w->req.authenticated;
	}
	if (s->loc_changed)
		c[(*n)++] = (pdp_audit_change){.kind = PDP_AUDIT_SET_LOCATION,
		                               .attr = PDP_NONE,
		                               .lat = s->lat,
		                               .lon = s->lon};
	for (uint32_t id = BATTR_ENV_TIME; id < w->n_vals; id++) {
		const gr_val *a = &base_vals[id], *b = &w->vals[id];
		if (a->present == b->present &&
		    (!a->present || value_eq(&a->v, &b->v)))
			continue;
		c[*n].attr = id;
		c[*n].kind = b->present ? PDP_AUDIT_SET_ATTR : PDP_AUDIT_DROP_ATTR;
		if (b->present)
			c[*n].value = b->v;
		(*n)++;
	}
	return c;
}

static bool add_cand(report_impl *m, const pdp_audit_candidate *c)
{
	if (m->n_cands == m->cap_cands) {
		size_t nc = m->cap_cands ? m->cap_cands * 2 : 8;
		pdp_audit_candidate *v = realloc(m->cands, nc * sizeof(*v));
		if (v == NULL)
			return false;
		m->cands = v;
		m->cap_cands = nc;
	}
	m->cands[m->n_cands++] = *c;
	return true;
}

/* The deny rules of the target that apply to the working request. */
static size_t blockers_of(search *s, uint32_t *out, size_t cap)
{
	size_t n = 0;
	const pdp_request *q = s->req;
	for (size_t a = 0; a < s->n_acps; a++) {
		const img_acp_rec *acp = img_acp(s->img, s->acps[a]);
		uint32_t first = q->self ? acp->self_first : acp->priv_first;
		uint32_t cnt = q->self ? acp->self_count : acp->priv_count;
		for (uint32_t j = 0; j < cnt; j++) {
			const img_rule_rec *r = img_rule(s->img, first + j);
			if ((r->flags & RULE_FLAG_DENY) && rule_tri(s, r) != T_FALSE &&
			    n < cap && !in_list(out, n, first + j))
				out[n++] = first + j;
		}
	}
	return n;
}

/* Decide the working request (with the candidate's session). */
static pdp_effect decide_work(search *s)
{
	gr_work *w = &s->w;
	gr_sync(w);
	if (s->roles_changed) {
		for (size_t i = 0; i < s->n_new_roots; i++)
			s->role_names[i] = pdp_audit_role_name(s->img, s->new_roots[i]);
		w->req.roles_given = true;
		w->req.roles = s->role_names;
		w->req.n_roles = s->n_new_roots;
	}
	pdp_decision d;
	pdp_decide(s->img, w->scratch, &w->req, &d);
	return d.effect;
}

/* Make permit rule hold in the working request (authentication, one
 * context, `when`): contexts first, so that `when` reads the time or place
 * they need; failing that, `when` first and the contexts from where it
 * left the time (a window's next instant after a `ge` bound). */
static bool solve(search *s, const img_rule_rec *rule)
{
	gr_work *w = &s->w;
	for (int order = 0; order < 2; order++) {
		if (order == 1) {
			gr_work_reset(w);
			s->loc_changed = false;
		}
		if (rule->flags & RULE_FLAG_AUTH)
			w->req.authenticated = true;
		if (order == 0 && make_contexts(s, rule) &&
		    (rule->cond == IMG_NONE || gr_make(w, rule->cond, true)))
			return true;
		if (order == 1 && rule->cond != IMG_NONE &&
		    gr_make(w, rule->cond, true)) {
			for (uint32_t id = BATTR_ENV_TIME; id <= BATTR_ENV_COUNTRY; id++)
				if (w->vals[id].lock == GR_VALUE)
					w->vals[id].lock = GR_FREE;
			if (make_contexts(s, rule) && gr_eval(w, rule->cond) == T_TRUE)
				return true;
		}
	}
	return false;
}

/* Make deny rule d stop applying to the working request with what the
 * permit rule leaves free: its `when` made false, or, when it needs an
 * authenticated request and the permit rule does not, no authentication
 * (such a deny rule only binds authenticated requests). */
static bool unblock(search *s, const img_rule_rec *permit,
                    const img_rule_rec *d)
{
	gr_work *w = &s->w;
	if (d->cond != IMG_NONE && gr_make(w, d->cond, false))
		return true;
	if ((d->flags & RULE_FLAG_AUTH) && !(permit->flags & RULE_FLAG_AUTH) &&
	    w->req.authenticated) {
		w->req.authenticated = false;
		return true;
	}
	return false;
}

/* One permit rule as a candidate: the changes that make it hold, then
 * decide; deny rules in the way are tried once more with their `when`
 * made false. */
static bool candidate(search *s, uint32_t ri, const gr_val *base_vals)
{
	const img_rule_rec *rule = img_rule(s->img, ri);
	gr_work *w = &s->w;
	gr_work_reset(w);
	s->loc_changed = false;
	if (!match_originators(s, rule) || !objects_hold(s->img, s->req, rule))
		return true;
	/* a role the rule needs and the request does not have active */
	uint32_t need_role = PDP_NONE;
	if (s->roles_changed && !s->direct && s->need != PDP_NONE &&
	    !role_bit(s->closure, s->need))
		need_role = s->need;
	pdp_audit_candidate c;
	memset(&c, 0, sizeof(c));
	c.rule = ri;
	strs unmet;
	unmet_of(s, ri, need_role, &unmet);
	/* the deny rules that apply before the changes (in the session) */
	uint32_t before[64];
	size_t n_before = blockers_of(s, before, 64);
	bool solved = solve(s, rule);
	uint32_t blockers[64];
	size_t nb = 0;
	pdp_effect e = PDP_DENY;
	if (solved) {
		e = decide_work(s);
		for (int round = 0; e != PDP_PERMIT && round < UNBLOCK_ROUNDS; round++) {
			nb = blockers_of(s, blockers, 64);
			bool progress = false;
			for (size_t i = 0; i < nb; i++)
				progress |= unblock(s, rule, img_rule(s->img, blockers[i]));
			if (!progress)
				break;
			e = decide_work(s);
		}
		if (e != PDP_PERMIT)
			nb = blockers_of(s, blockers, 64);
	}
	if (w->nomem)
		return false;
	c.status = e == PDP_PERMIT ? PDP_AUDIT_GRANTS
	           : solved && nb > 0 ? PDP_AUDIT_BLOCKED
	                              : PDP_AUDIT_UNRESOLVED;
	pdp_str *u = gr_alloc(&s->m->arena, (unmet.n + 1) * sizeof(pdp_str));
	uint32_t *bl = gr_alloc(&s->m->arena, (nb + 1) * sizeof(uint32_t));
	if (u == NULL || bl == NULL)
		return false;
	memcpy(u, unmet.v, unmet.n * sizeof(pdp_str));
	c.unmet = u;
	c.n_unmet = unmet.n;
	if (c.status == PDP_AUDIT_BLOCKED) {
		memcpy(bl, blockers, nb * sizeof(uint32_t));
		c.blockers = bl;
		c.n_blockers = nb;
	}
	/* those the changes clear: every one when decide permits, else those
	 * no longer among the blockers */
	uint32_t *cl = gr_alloc(&s->m->arena, (n_before + 1) * sizeof(uint32_t));
	if (cl == NULL)
		return false;
	for (size_t i = 0; i < n_before && c.status != PDP_AUDIT_UNRESOLVED; i++)
		if (!in_list(c.blockers, c.n_blockers, before[i]))
			cl[c.n_cleared++] = before[i];
	c.cleared = cl;
	c.changes = changes_of(s, base_vals, &c.n_changes);
	return !w->nomem && add_cand(s->m, &c);
}

static int cand_cmp(const void *pa, const void *pb)
{
	const pdp_audit_candidate *a = pa, *b = pb;
	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	if (a->n_changes != b->n_changes)
		return a->n_changes < b->n_changes ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

/* ---- setting up ---- */

/* The request's ACPs, originator as rules see it, authorized roles and
 * the session it asks for. */
static bool setup(search *s, const pdp_image *img, const pdp_request *req,
                  const pdp_decision *d, char *abs, size_t cap)
{
	s->img = img;
	s->req = req;
	for (size_t i = 0; i < req->n_acps; i++)
		s->acps[s->n_acps++] = req->acp_ids != NULL
		                               ? req->acp_ids[i]
		                               : pdp_acp_index(img, req->acps[i]);
	pdp_str id = req->originator;
	if (img->host) {
		size_t n = origin_absolute(img->host_sp, img->host_cse, id, abs, cap);
		if (n > cap)
			return false;
		id = (pdp_str){abs, n};
	}
	s->who.img = img;
	s->who.orig = id;
	s->who.principal = aud_principal(img, req->originator);
	s->who.principal_name = s->who.principal != PDP_NONE
	                                ? img_principal(img, s->who.principal)->name
	                                : IMG_NONE;
	uint32_t nr = img->count[SEC_ROLES];
	s->words = img->role_words;
	size_t w1 = s->words + 1;
	s->authorized = calloc(w1, sizeof(uint64_t));
	s->closure = calloc(w1, sizeof(uint64_t));
	s->scratch_set = calloc(w1, sizeof(uint64_t));
	s->none = calloc(w1, sizeof(uint64_t));
	size_t maxr = nr + (req->roles_given ? req->n_roles : 0) + 1;
	s->roots = calloc(maxr, sizeof(uint32_t));
	s->new_roots = calloc(maxr, sizeof(uint32_t));
	s->role_names = calloc(maxr, sizeof(pdp_str));
	if (s->authorized == NULL || s->closure == NULL || s->none == NULL ||
	    s->scratch_set == NULL || s->roots == NULL || s->new_roots == NULL ||
	    s->role_names == NULL)
		return false;
	eval_authorized(img, s->who.principal, s->authorized);
	if (req->roles_given) {
		for (size_t i = 0; i < req->n_roles; i++) {
			uint32_t r = img_lookup(img, &img->h_role, SEC_ROLES, req->roles[i]);
			if (r != PDP_NONE && role_bit(s->authorized, r) &&
			    !in_list(s->roots, s->n_roots, r))
				s->roots[s->n_roots++] = r;
		}
	} else if (s->who.principal != PDP_NONE) {
		const img_principal_rec *p = img_principal(img, s->who.principal);
		for (uint32_t i = 0; i < p->role_count; i++)
			s->roots[s->n_roots++] = img_word(img, SEC_PRINROLES,
			                                  p->role_first + i);
	}
	closure_of(s, s->roots, s->n_roots, s->closure);
	s->activation_ok = d->reason != PDP_REASON_ROLE_NOT_AUTHORIZED &&
	                   d->reason != PDP_REASON_DSD_VIOLATION;
	return true;
}

static void search_free(search *s)
{
	free(s->authorized);
	free(s->closure);
	free(s->scratch_set);
	free(s->none);
	free(s->roots);
	free(s->new_roots);
	free(s->role_names);
	gr_work_free(&s->w);
}

/* Every permit rule of the target ACPs for the operation whose residual
 * under the fixed facts (originator, operation, resource type) is not
 * false is a candidate. */
static bool all_candidates(search *s)
{
	const pdp_request *q = s->req;
	aud_facts f;
	memset(&f, 0, sizeof(f));
	f.img = s->img;
	f.orig = s->who.orig;
	f.type = q->type;
	gr_val *base_vals = malloc((s->w.n_vals + 1) * sizeof(gr_val));
	bool ok = base_vals != NULL;
	if (ok)
		memcpy(base_vals, s->w.vals, s->w.n_vals * sizeof(gr_val));
	for (size_t a = 0; a < s->n_acps && ok; a++) {
		const img_acp_rec *acp = img_acp(s->img, s->acps[a]);
		uint32_t first = q->self ? acp->self_first : acp->priv_first;
		uint32_t cnt = q->self ? acp->self_count : acp->priv_count;
		for (uint32_t j = 0; j < cnt && ok; j++) {
			const img_rule_rec *r = img_rule(s->img, first + j);
			if ((r->flags & RULE_FLAG_DENY) || !(r->ops & q->operation) ||
			    (aud_residual(&f, first + j, q->operation) &
			     PDP_AUDIT_COND_NEVER))
				continue;
			/* the same rule reached through an ACP listed twice */
			bool seen = false;
			for (size_t k = 0; k < s->m->n_cands && !seen; k++)
				seen = s->m->cands[k].rule == first + j;
			if (!seen)
				ok = candidate(s, first + j, base_vals);
		}
	}
	aud_facts_done(&f);
	free(base_vals);
	return ok;
}

pdp_status pdp_audit_what_would_grant(const pdp_image *img,
                                      pdp_scratch *scratch,
                                      const pdp_request *req,
                                      pdp_audit_grant_report **out,
                                      pdp_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (img == NULL || req == NULL || out == NULL)
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument");
	if (img->view != NULL)
		return img_fail(err, PDP_ERR_ARG, AUDIT_VIEW_REFUSED);
	report_impl *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	pdp_scratch *own = NULL;
	if (scratch == NULL && pdp_scratch_new_any(&own, err) != PDP_OK) {
		free(m);
		return err != NULL ? err->code : PDP_ERR_NOMEM;
	}
	if (scratch == NULL)
		scratch = own;
	pdp_decision *d = &m->pub.decision;
	pdp_decide(img, scratch, req, d);
	m->pub.outcome = PDP_AUDIT_PERMITTED;
	bool ok = true;
	if (d->effect != PDP_PERMIT &&
	    (d->reason == PDP_REASON_BAD_REQUEST || d->reason == PDP_REASON_NO_ACP ||
	     d->reason == PDP_REASON_UNKNOWN_ACP))
		m->pub.outcome = PDP_AUDIT_REFUSED;
	else if (d->effect != PDP_PERMIT) {
		search s;
		memset(&s, 0, sizeof(s));
		s.m = m;
		char abs[PDP_MAX_ABS_ID_BYTES];
		ok = setup(&s, img, req, d, abs, sizeof(abs));
		if (ok)
			ok = gr_work_init(&s.w, img, scratch, s.who.orig, req, &m->arena);
		if (ok)
			ok = all_candidates(&s);
		search_free(&s);
		if (ok && m->n_cands > 1)
			qsort(m->cands, m->n_cands, sizeof(*m->cands), cand_cmp);
		m->pub.outcome = m->n_cands == 0 ? PDP_AUDIT_NO_CANDIDATE
		                 : m->cands[0].status == PDP_AUDIT_GRANTS
		                         ? PDP_AUDIT_CAN_GRANT
		                         : PDP_AUDIT_CANNOT_GRANT;
	}
	pdp_scratch_free(own);
	if (!ok) {
		pdp_audit_grant_report_free(&m->pub);
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	}
	m->pub.candidates = m->cands;
	m->pub.n_candidates = m->n_cands;
	*out = &m->pub;
	return PDP_OK;
}
