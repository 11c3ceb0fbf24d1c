/*
 * decide.c - the decision: request checks, ACP lookup, role activation
 * (authorization and DSD), then every applicable rule of the target ACPs
 * with three-valued logic and deny-overrides (docs/language.md section 11).
 *
 * No allocation, no lock, no clock; the stack holds two role bitsets and
 * the ACP indices, and conditions recurse at most PDP_MAX_COND_DEPTH deep
 * (verified at load).
 */
#include <math.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "eval/eval.h"
#include "eval/match.h"
#include "image/view.h"

/* The decision's state. img holds the declarations (principals, roles,
 * constraints, attributes); seg the records of the ACP being walked: img
 * itself for a loaded image, a segment or the base for a store view. */
typedef struct dctx {
	const pdp_image *img;
	const pdp_image *seg;
	pdp_scratch *scratch;
	const pdp_request *req;
	eval_who who;             /* originator, principal, active roles */
	int country;              /* ISO numeric, -1 absent, -2 invalid */
	bool have_civil;          /* civil: the request's time, converted at
	                             the first window tested */
	civil_time civil;
	rule_result *rr;
} dctx;

static tri and3(tri a, tri b)
{
	if (a == T_FALSE || b == T_FALSE)
		return T_FALSE;
	if (a == T_INDET || b == T_INDET)
		return T_INDET;
	return T_TRUE;
}

static tri or3(tri a, tri b)
{
	if (a == T_TRUE || b == T_TRUE)
		return T_TRUE;
	if (a == T_INDET || b == T_INDET)
		return T_INDET;
	return T_FALSE;
}

static bool str_eq(pdp_str a, pdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* ---- objects (acod) ---- */

static bool u32_in(const pdp_image *img, enum img_section s, uint32_t first,
                   uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (img_word(img, s, first + i) == v)
			return true;
	return false;
}

static bool object_entry(const dctx *d, const img_object_rec *o)
{
	const pdp_request *q = d->req;
	const pdp_image *img = d->seg;
	if (o->ty_count > 0 &&
	    (q->type < 0 || !u32_in(img, SEC_OBJTYPES, o->ty_first, o->ty_count,
	                            (uint32_t)q->type)))
		return false;
	if (o->sp_count > 0) {
		if (q->specialization.ptr == NULL)
			return false;
		bool found = false;
		for (uint32_t i = 0; i < o->sp_count && !found; i++)
			found = str_eq(img_str(img, img_word(img, SEC_OBJSPECS,
			                                     o->sp_first + i)),
			               q->specialization);
		if (!found)
			return false;
	}
	if (o->ch_count > 0 && q->operation == PDP_OP_CREATE &&
	    (q->child_type < 0 ||
	     !u32_in(img, SEC_OBJTYPES, o->ch_first, o->ch_count,
	             (uint32_t)q->child_type)))
		return false;
	return true;
}

static bool objects_hold(const dctx *d, const img_rule_rec *rule)
{
	if (rule->obj_count == 0)
		return true;
	for (uint32_t i = 0; i < rule->obj_count; i++)
		if (object_entry(d, img_object(d->seg, rule->obj_first + i)))
			return true;
	return false;
}

/* ---- contexts (acco) ---- */

static bool location_ok(const pdp_request *q)
{
	return q->has_location && isfinite(q->lat) && isfinite(q->lon) &&
	       fabs(q->lat) <= 90.0 && fabs(q->lon) <= 180.0;
}

/* One context (acco) of a rule: its time windows, IP ranges and region
 * must all hold, the region by country or by circle. A missing time, IP,
 * country or location makes the context indeterminate rather than false
 * (docs/language.md sections 6 and 11), unless another part is false:
 * a certain "no" wins over an unknown. */
static tri context_holds(dctx *d, const img_context_rec *x)
{
	const pdp_image *img = d->seg;
	const pdp_request *q = d->req;
	tri r = T_TRUE;
	if (x->win_count > 0) {
		/* any second is a date; a time that is no instant (nsec out of
		 * range) is as undecidable as a missing one */
		if (!q->has_time || !time_valid(q->time)) {
			d->rr->missing_env |= MISS_TIME;
			r = T_INDET;
		} else {
			if (!d->have_civil) {
				civil_from_unix(q->time.sec, &d->civil);
				d->have_civil = true;
			}
			bool m = false;
			for (uint32_t i = 0; i < x->win_count && !m; i++) {
				sched s;
				img_window_sched(img_window(img, x->win_first + i), &s);
				m = sched_match_civil(&s, &d->civil);
			}
			if (!m)
				return T_FALSE;
		}
	}
	if (x->ip_count > 0) {
		if (!q->has_ip) {
			d->rr->missing_env |= MISS_IP;
			r = and3(r, T_INDET);
		} else {
			bool m = false;
			for (uint32_t i = 0; i < x->ip_count && !m; i++) {
				const img_cidr_rec *c = img_cidr(img, x->ip_first + i);
				pdp_ip net;
				img_cidr_addr(c, &net);
				m = cidr_contains(&net, c->prefix, &q->ip);
			}
			if (!m)
				return T_FALSE;
		}
	}
	if (x->cc_count > 0 || x->circ_count > 0) {
		tri reg = T_FALSE;
		if (x->cc_count > 0) {
			if (d->country < 0) {
				d->rr->missing_env |= MISS_COUNTRY;
				reg = T_INDET;
			} else if (u32_in(img, SEC_COUNTRIES, x->cc_first, x->cc_count,
			                  (uint32_t)d->country))
				reg = T_TRUE;
		}
		if (x->circ_count > 0 && reg != T_TRUE) {
			if (!location_ok(q)) {
				d->rr->missing_env |= MISS_LOCATION;
				reg = or3(reg, T_INDET);
			} else {
				for (uint32_t i = 0; i < x->circ_count; i++) {
					const img_circle_rec *c =
						img_circle(img, x->circ_first + i);
					double dist = geo_distance_m(img_double(c->lat),
					                             img_double(c->lon), q->lat,
					                             q->lon);
					if (dist <= img_double(c->radius)) {
						reg = T_TRUE;
						break;
					}
				}
			}
		}
		r = and3(r, reg);
	}
	return r;
}

static tri contexts_hold(dctx *d, const img_rule_rec *rule)
{
	if (rule->ctx_count == 0)
		return T_TRUE;
	tri r = T_FALSE;
	for (uint32_t i = 0; i < rule->ctx_count && r != T_TRUE; i++)
		r = or3(r, context_holds(d, img_context(d->seg, rule->ctx_first + i)));
	return r;
}

/* ---- conditions (when) ---- */

/* The value of attribute id in the request; false when absent. */
static bool get_attr(const dctx *d, uint32_t id, pdp_value *v)
{
	const pdp_request *q = d->req;
	memset(v, 0, sizeof(*v));
	switch (id) {
	case BATTR_ORIGINATOR_ID:
		v->type = PDP_TYPE_STRING;
		v->u.s = d->who.orig;
		return true;
	case BATTR_OPERATION: {
		const char *n = pdp_operation_name(q->operation);
		v->type = PDP_TYPE_STRING;
		v->u.s.ptr = n;
		v->u.s.len = n ? strlen(n) : 0;
		return n != NULL;
	}
	case BATTR_RESOURCE_TYPE: {
		const char *n = q->type >= 0 ? rtype_name(q->type) : NULL;
		v->type = PDP_TYPE_STRING;
		v->u.s.ptr = n;
		v->u.s.len = n ? strlen(n) : 0;
		return n != NULL;
	}
	case BATTR_ENV_TIME:
		v->type = PDP_TYPE_TIME;
		v->u.t = q->time;
		return q->has_time;
	case BATTR_ENV_IP:
		v->type = PDP_TYPE_IP;
		v->u.ip = q->ip;
		return q->has_ip;
	case BATTR_ENV_COUNTRY:
		if (q->country.ptr == NULL)
			return false;
		v->type = PDP_TYPE_STRING;
		if (d->country >= 0) {
			const char *a2 = country_alpha2(d->country);
			v->u.s.ptr = a2;
			v->u.s.len = a2 ? strlen(a2) : 0;
			return a2 != NULL;
		}
		v->u.s = q->country;
		return true;
	default:
		break;
	}
	for (size_t i = 0; i < q->n_attrs; i++)
		if (q->attrs[i].id == id) {
			*v = q->attrs[i].value;
			return true;
		}
	return false;
}

/* Fetch a value that must have the attribute's declared type. */
static bool get_typed(dctx *d, uint32_t id, pdp_value *v)
{
	pdp_type want = (pdp_type)img_attr(d->img, id)->type;
	bool present = get_attr(d, id, v);
	if (!present || v->type != want ||
	    (want == PDP_TYPE_STRING && v->u.s.ptr == NULL && v->u.s.len > 0) ||
	    (want == PDP_TYPE_TIME && !time_valid(v->u.t)) ||
	    (want == PDP_TYPE_SET && v->u.set.items == NULL && v->u.set.count > 0)) {
		if (d->rr->missing_attr == PDP_NONE) {
			d->rr->missing_attr = id;
			d->rr->wrong_type = present;
		}
		return false;
	}
	return true;
}

static int cmp_time(pdp_time a, pdp_time b)
{
	if (a.sec != b.sec)
		return a.sec < b.sec ? -1 : 1;
	if (a.nsec != b.nsec)
		return a.nsec < b.nsec ? -1 : 1;
	return 0;
}

static tri ordered(uint32_t op, int c)
{
	bool r;
	switch (op) {
	case COP_EQ: r = c == 0; break;
	case COP_NE: r = c != 0; break;
	case COP_LT: r = c < 0; break;
	case COP_LE: r = c <= 0; break;
	case COP_GT: r = c > 0; break;
	case COP_GE: r = c >= 0; break;
	default: return T_INDET;
	}
	return r ? T_TRUE : T_FALSE;
}

static tri match_regex(dctx *d, uint32_t re, pdp_str s)
{
	pdp_scratch *sc = d->scratch;
	if (sc == NULL || sc->md == NULL || d->seg->regex == NULL) {
		d->rr->missing_env |= MISS_SCRATCH;
		return T_INDET;
	}
	pdp_str pat = img_str(d->seg, img_word(d->seg, SEC_REGEXES, re));
	switch (regex_search(d->seg->regex[re], pat.ptr, pat.len, s.ptr, s.len,
	                     sc->md, sc->mc, &sc->budget)) {
	case REGEX_MATCH:
		return T_TRUE;
	case REGEX_NO_MATCH:
		return T_FALSE;
	default:
		d->rr->missing_env |= MISS_REGEX_LIMIT;
		return T_INDET;
	}
}

/* A condition leaf: the attribute's value against a literal, another
 * attribute or a list. The loader verified that operator, attribute type
 * and right-side kind fit together (verify.c, cond_shape_ok), so the
 * value's type alone chooses how `rhs` is read; a missing or wrongly
 * typed value makes the leaf indeterminate (get_typed). */
static tri leaf(dctx *d, const img_cond_rec *k)
{
	const pdp_image *img = d->seg;
	uint32_t op = k->op, attr = k->attr, rk = k->rhs_kind, rhs = k->rhs;
	pdp_value v;
	if (op == COP_PRESENT) {
		bool present = get_attr(d, attr, &v);
		return present == (rhs == 1) ? T_TRUE : T_FALSE;
	}
	if (!get_typed(d, attr, &v))
		return T_INDET;
	pdp_value w;
	bool have_w = false;
	if (rk == RHS_ATTR) {
		if (!get_typed(d, rhs, &w))
			return T_INDET;
		have_w = true;
	}
	switch (v.type) {
	case PDP_TYPE_INT: {
		if (op == COP_IN) {
			for (uint32_t i = 0; i < k->count; i++) {
				uint32_t ix = img_word(img, SEC_LISTITEMS, k->first + i);
				if (img_int(img, ix) == v.u.i)
					return T_TRUE;
			}
			return T_FALSE;
		}
		int64_t r = have_w ? w.u.i : img_int(img, rhs);
		return ordered(op, v.u.i < r ? -1 : v.u.i > r ? 1 : 0);
	}
	case PDP_TYPE_STRING: {
		if (op == COP_MATCHES)
			return match_regex(d, rhs, v.u.s);
		if (op == COP_IN) {
			for (uint32_t i = 0; i < k->count; i++)
				if (str_eq(img_str(img, img_word(img, SEC_LISTITEMS,
				                                 k->first + i)),
				           v.u.s))
					return T_TRUE;
			return T_FALSE;
		}
		pdp_str r = have_w ? w.u.s : img_str(img, rhs);
		if (op == COP_PREFIX)
			return v.u.s.len >= r.len &&
			               (r.len == 0 || memcmp(v.u.s.ptr, r.ptr, r.len) == 0)
			           ? T_TRUE
			           : T_FALSE;
		bool eq = str_eq(v.u.s, r);
		return ordered(op, eq ? 0 : 1);
	}
	case PDP_TYPE_BOOL: {
		bool r = have_w ? w.u.b : rhs == 1;
		return ordered(op, v.u.b == r ? 0 : 1);
	}
	case PDP_TYPE_IP: {
		if (op == COP_IN_CIDR) {
			for (uint32_t i = 0; i < k->count; i++) {
				const img_cidr_rec *c = img_cidr(img, k->first + i);
				pdp_ip net;
				img_cidr_addr(c, &net);
				if (cidr_contains(&net, c->prefix, &v.u.ip))
					return T_TRUE;
			}
			return T_FALSE;
		}
		pdp_ip r;
		if (have_w)
			r = w.u.ip;
		else
			img_cidr_addr(img_cidr(img, rhs), &r);
		return ordered(op, memcmp(v.u.ip.b, r.b, 16) == 0 ? 0 : 1);
	}
	case PDP_TYPE_TIME: {
		pdp_time r = have_w ? w.u.t : img_time(img, rhs);
		return ordered(op, cmp_time(v.u.t, r));
	}
	case PDP_TYPE_SET: {
		pdp_str r = have_w ? w.u.s : img_str(img, rhs);
		for (size_t i = 0; i < v.u.set.count; i++)
			if (str_eq(v.u.set.items[i], r))
				return T_TRUE;
		return T_FALSE;
	}
	default:
		return T_INDET;
	}
}

/* Depth is bounded by PDP_MAX_COND_DEPTH, verified at load. */
static tri cond_eval(dctx *d, uint32_t idx)
{
	const img_cond_rec *k = img_cond(d->seg, idx);
	switch (k->op) {
	case COP_TRUE:
		return T_TRUE;
	case COP_FALSE:
		return T_FALSE;
	case COP_ALL:
	case COP_ANY: {
		bool all = k->op == COP_ALL;
		tri r = all ? T_TRUE : T_FALSE;
		for (uint32_t i = 0; i < k->count; i++) {
			tri v = cond_eval(d, img_word(d->seg, SEC_CONDKIDS, k->first + i));
			r = all ? and3(r, v) : or3(r, v);
			if (r == (all ? T_FALSE : T_TRUE))
				break;
		}
		return r;
	}
	case COP_NOT: {
		tri v = cond_eval(d, img_word(d->seg, SEC_CONDKIDS, k->first));
		return v == T_INDET ? T_INDET : v == T_TRUE ? T_FALSE : T_TRUE;
	}
	default:
		return leaf(d, k);
	}
}

/* The request's country as ISO numeric: -1 absent, -2 invalid. */
static int request_country(const pdp_request *q)
{
	if (q->country.ptr == NULL)
		return -1;
	int c = country_code(q->country);
	return c < 0 ? -2 : c;
}

tri eval_cond_node(const pdp_image *img, pdp_scratch *scratch,
                   const pdp_request *q, pdp_str orig, uint32_t node)
{
	rule_result rr;
	memset(&rr, 0, sizeof(rr));
	rr.missing_attr = PDP_NONE;
	dctx d;
	memset(&d, 0, sizeof(d));
	d.img = d.seg = img;
	d.scratch = scratch;
	d.req = q;
	d.who.img = img;
	d.who.orig = orig;
	d.rr = &rr;
	d.country = request_country(q);
	return cond_eval(&d, node);
}

/* ---- rules ---- */

static tri rule_eval(dctx *d, const img_rule_rec *rule, rule_result *rr,
                     bool full)
{
	const pdp_request *q = d->req;
	memset(rr, 0, sizeof(*rr));
	rr->missing_attr = PDP_NONE;
	rr->ctx = rr->when = T_TRUE;
	d->rr = rr;
	rr->ops = (rule->ops & q->operation) != 0;
	rr->orig = eval_orig_match(&d->who, d->seg, rule) != PDP_NONE;
	rr->auth = !(rule->flags & RULE_FLAG_AUTH) || q->authenticated;
	rr->obj = objects_hold(d, rule);
	bool base = rr->ops && rr->orig && rr->auth && rr->obj;
	if (!base && !full) {
		rr->all = T_FALSE;
		return T_FALSE;
	}
	rr->ctx = contexts_hold(d, rule);
	if (rule->cond != IMG_NONE && (full || rr->ctx != T_FALSE))
		rr->when = cond_eval(d, rule->cond);
	rr->all = and3(and3(base ? T_TRUE : T_FALSE, rr->ctx), rr->when);
	return rr->all;
}

/* ---- the decision ---- */

static void set_reason(pdp_decision *out, pdp_reason r, uint32_t detail)
{
	memset(out, 0, sizeof(*out));
	out->effect = PDP_DENY;
	out->reason = r;
	out->acp = PDP_NONE;
	out->rule = PDP_NONE;
	out->detail = detail;
}

/* Fill `active` with the closure of the activated roles: the session's,
 * the requested ones (each must be authorized: in the closure of an
 * assigned role) or the assigned ones; then check DSD. Returns a reason
 * other than RULE when activation is refused. */
static pdp_reason activate(const pdp_image *img, const pdp_request *q,
                           uint32_t principal, const uint64_t *session,
                           uint64_t *active, uint32_t *detail)
{
	uint32_t w = img->role_words;
	memset(active, 0, w * sizeof(uint64_t));
	if (w == 0) {
		if (session == NULL && q->roles_given && q->n_roles > 0) {
			*detail = 0;
			return PDP_REASON_ROLE_NOT_AUTHORIZED;
		}
		return PDP_REASON_RULE;
	}
	if (session != NULL) {
		eval_add_closures(img, session, active);
	} else if (!q->roles_given) {
		eval_authorized(img, principal, active);
	} else {
		uint64_t authorized[PDP_ROLE_WORDS_MAX];
		memset(authorized, 0, w * sizeof(uint64_t));
		eval_authorized(img, principal, authorized);
		for (size_t i = 0; i < q->n_roles; i++) {
			uint32_t r = img_lookup(img, &img->h_role, SEC_ROLES, q->roles[i]);
			if (r == PDP_NONE || !role_bit(authorized, r)) {
				*detail = (uint32_t)i;
				return PDP_REASON_ROLE_NOT_AUTHORIZED;
			}
			eval_add_closure(img, r, active);
		}
	}
	uint32_t k = eval_dsd_violated(img, active);
	if (k != PDP_NONE) {
		*detail = k;
		return PDP_REASON_DSD_VIOLATION;
	}
	return PDP_REASON_RULE;
}

static pdp_bad check_request(const pdp_request *q)
{
	/* one layout so far (docs/abi.md): a zeroed request or this size */
	if (q->struct_size != 0 && q->struct_size != sizeof(*q))
		return PDP_BAD_STRUCT_SIZE;
	if (q->originator.ptr == NULL || q->originator.len == 0)
		return PDP_BAD_NO_ORIGINATOR;
	if (q->originator.len > PDP_MAX_ID_BYTES)
		return PDP_BAD_LIMIT;
	/* globs count characters: bytes that are no UTF-8 character would
	 * let an id slip past a `?` */
	if (!utf8_valid(q->originator))
		return PDP_BAD_ENCODING;
	uint32_t op = q->operation;
	if (op == 0 || op > PDP_OP_DISCOVER || (op & (op - 1)) != 0)
		return PDP_BAD_OPERATION;
	if ((q->n_acps > 0 && q->acps == NULL && q->acp_ids == NULL) ||
	    (q->roles_given && q->n_roles > 0 && q->roles == NULL) ||
	    (q->n_attrs > 0 && q->attrs == NULL) ||
	    (q->specialization.ptr == NULL && q->specialization.len > 0) ||
	    (q->country.ptr == NULL && q->country.len > 0))
		return PDP_BAD_ARGUMENT;
	if (q->n_acps > PDP_MAX_REQ_ACPS ||
	    (q->roles_given && q->n_roles > PDP_MAX_REQ_ROLES))
		return PDP_BAD_LIMIT;
	for (size_t i = 0; q->acp_ids == NULL && i < q->n_acps; i++)
		if (q->acps[i].ptr == NULL && q->acps[i].len > 0)
			return PDP_BAD_ARGUMENT;
	for (size_t i = 0; q->roles_given && i < q->n_roles; i++)
		if (q->roles[i].ptr == NULL && q->roles[i].len > 0)
			return PDP_BAD_ARGUMENT;
	return PDP_BAD_NONE;
}

/* Where one target ACP's rules are: the image holding its records, the
 * number a decision reports, and the rule range of the section asked for. */
typedef struct acp_span {
	const pdp_image *seg;
	uint32_t acp;        /* image ACP index (pdp_acp_index) */
	uint32_t local;      /* the ACP's index within seg */
	uint32_t first, n;   /* rules of privileges or self, in seg */
	uint32_t orig_first; /* first originator entry of its rules, in seg */
	/* where its rules' contexts, windows, CIDRs and condition nodes
	 * start in seg: prefetched with the rules */
	uint32_t ctx_first, win_first, cidr_first, cond_first;
	const img_decide_rec *dec; /* the section's decision record, NULL in
	                              images of formats 1 and 2 */
} acp_span;

static const img_decide_rec *decide_rec(const pdp_image *seg, uint32_t local,
                                        bool self)
{
	return seg->decide ? img_decide(seg, 2 * local + (self ? 1u : 0u)) : NULL;
}

static void span_from_record(acp_span *sp, const pdp_image *seg,
                             uint32_t local, bool self)
{
	const img_acp_rec *a = img_acp(seg, local);
	sp->seg = seg;
	sp->local = local;
	sp->first = self ? a->self_first : a->priv_first;
	sp->n = self ? a->self_count : a->priv_count;
	sp->orig_first = a->orig_first;
	sp->ctx_first = a->ctx_first;
	sp->win_first = a->win_first;
	sp->cidr_first = a->cidr_first;
	sp->cond_first = a->cond_first;
	sp->dec = decide_rec(seg, local, self);
}

/* The span of ACP a from its hash slot (a loaded image), without reading
 * the ACP's record. */
static void span_from_slot(acp_span *sp, const pdp_image *img, uint32_t a,
                           const hash_slot *sl, bool self)
{
	sp->seg = img;
	sp->acp = a;
	sp->local = a;
	sp->first = self ? sl->aux.acp.self_first : sl->aux.acp.priv_first;
	sp->n = self ? sl->aux.acp.counts >> 16 : sl->aux.acp.counts & 0xffffu;
	sp->orig_first = sl->aux.acp.orig_first;
	sp->ctx_first = sl->aux.acp.ctx_first;
	sp->win_first = sl->aux.acp.win_first;
	sp->cidr_first = sl->aux.acp.cidr_first;
	sp->cond_first = sl->aux.acp.cond_first;
	sp->dec = decide_rec(img, a, self);
}

/* A loaded image: the ACP lookups run in lock-step with the principal's
 * (started by the caller in lk[0]) so that their cache misses overlap; the
 * hash slots carry the rule ranges, so the records are not waited for.
 * started: lk holds the ACPs' lookups already (a batch started them).
 * Returns the request index of an unknown ACP, or PDP_NONE. */
static uint32_t resolve_flat(const pdp_image *img, const pdp_request *q,
                             img_lookup_op *lk, bool started, acp_span *sp)
{
	bool by_id = q->acp_ids != NULL;
	for (size_t i = 0; !by_id && !started && i < q->n_acps; i++)
		img_lookup_start(img, &lk[i + 1], &img->h_acp, SEC_ACPS, q->acps[i]);
	for (size_t i = 0; i < (by_id ? 1 : q->n_acps + 1); i++)
		img_lookup_probe(img, &lk[i]);
	for (size_t i = 0; i < q->n_acps; i++) {
		uint32_t a = by_id ? (q->acp_ids[i] < img->count[SEC_ACPS]
		                              ? q->acp_ids[i]
		                              : PDP_NONE)
		                   : img_lookup_finish(img, &lk[i + 1]);
		if (a == PDP_NONE)
			return (uint32_t)i;
		sp[i].acp = a;
		if (by_id || lk[i + 1].hit->aux.acp.counts == ACP_COUNTS_FAR) {
			span_from_record(&sp[i], img, a, q->self);
			continue;
		}
		span_from_slot(&sp[i], img, a, lk[i + 1].hit, q->self);
	}
	return PDP_NONE;
}

/* A store view: ACPs by name from the view's shards (the slot carries the
 * rule ranges), or by number from its chunks. */
static uint32_t resolve_view(const pdp_image *img, const pdp_request *q,
                             acp_span *sp)
{
	const img_view *v = img->view;
	for (size_t i = 0; i < q->n_acps; i++) {
		if (q->acp_ids != NULL) {
			view_acp va;
			if (!view_acp_at(v, q->acp_ids[i], &va))
				return (uint32_t)i;
			span_from_record(&sp[i], va.seg, va.local, q->self);
			sp[i].acp = q->acp_ids[i];
			continue;
		}
		const view_slot *sl = view_find(v, q->acps[i]);
		if (sl == NULL)
			return (uint32_t)i;
		/* the record gives what the slot does not carry (where the
		 * rule data starts, for the prefetch); it lies in the segment
		 * beside its rules */
		span_from_record(&sp[i], sl->seg, sl->local, q->self);
		sp[i].acp = sl->number;
	}
	return PDP_NONE;
}

/* Start loading all that a decision may read of the ACPs: decision
 * records, rules, their originator entries and strings, contexts,
 * windows, CIDRs and condition nodes, at once (large images only:
 * img->prefetch). The span came from the ACP's hash slot, so these loads
 * wait on nothing but the slot, and overlap with the principal's roles:
 * two dependent misses per decision where each table read after the one
 * before it took four. Lines per table: what a section of ten rules
 * typically spans (the whole rule array up to 1 KiB). */
static void prefetch_acp(const acp_span *sp)
{
	const pdp_image *seg = sp->seg;
	if (sp->dec != NULL)
		__builtin_prefetch(sp->dec);
	const char *r0 = (const char *)img_rec(seg, SEC_RULES, sp->first);
	size_t bytes = (size_t)sp->n * sizeof(img_rule_rec);
	for (size_t off = 0; off < bytes && off < 1024; off += 64)
		__builtin_prefetch(r0 + off);
	const struct {
		const void *at;
		uint32_t lines;
	} MORE[] = {
		{img_rec(seg, SEC_ORIGS, sp->orig_first), 2},
		{seg->orig_text + sp->orig_first, 3},
		{img_rec(seg, SEC_CONTEXTS, sp->ctx_first), 2},
		{img_rec(seg, SEC_WINDOWS, sp->win_first), 2},
		{img_rec(seg, SEC_CIDRS, sp->cidr_first), 1},
		{img_rec(seg, SEC_CONDS, sp->cond_first), 1},
	};
	for (size_t k = 0; k < sizeof(MORE) / sizeof(MORE[0]); k++)
		for (uint32_t l = 0; l < MORE[k].lines; l++)
			__builtin_prefetch((const char *)MORE[k].at + 64 * l);
}

static void prefetch_acps(const acp_span *sp, size_t n)
{
	for (size_t i = 0; i < n && i < 4; i++)
		prefetch_acp(&sp[i]);
}

/* The closure rows of the principal's assigned roles, named in its slot. */
static void prefetch_roles(const pdp_image *img, const hash_slot *sl)
{
	uint32_t n = sl->aux.principal.role_count;
	for (uint32_t k = 0; k < n && k < HASH_INLINE_ROLES; k++) {
		const uint64_t *row = role_closure_of(img, sl->aux.principal.roles[k]);
		for (uint32_t i = 0; i < img->role_words; i += 8)
			__builtin_prefetch(row + i);
	}
}

/* Stage 1: the arguments and the request's shape. Returns true when the
 * decision is already made (a bad request, or no ACP to consult). */
static bool refuse_request(const pdp_image *img, const pdp_scratch *scratch,
                           const pdp_request *q, pdp_decision *out)
{
	if (img == NULL || q == NULL) {
		set_reason(out, PDP_REASON_BAD_REQUEST, PDP_BAD_ARGUMENT);
		return true;
	}
	pdp_bad bad = check_request(q);
	/* a scratch from pdp_scratch_new is for its image only; one from
	 * pdp_scratch_new_any (img NULL) fits every image */
	if (bad == PDP_BAD_NONE && scratch != NULL && scratch->img != NULL &&
	    scratch->img != img)
		bad = PDP_BAD_NO_SCRATCH;
	if (bad != PDP_BAD_NONE) {
		set_reason(out, PDP_REASON_BAD_REQUEST, bad);
		return true;
	}
	if (q->n_acps == 0) {
		set_reason(out, PDP_REASON_NO_ACP, PDP_NONE);
		return true;
	}
	return false;
}

/* Stage 3: the principal (its lookup was started with the ACPs'), and the
 * active roles: lazily the assigned ones when nothing else is asked for and
 * no DSD constraint exists, else activated in full into `active`. Returns
 * a reason other than RULE when activation is refused. */
static pdp_reason identify(dctx *d, const uint64_t *session,
                           img_lookup_op *lk, uint64_t *active,
                           uint32_t *detail)
{
	const pdp_image *img = d->img;
	const pdp_request *q = d->req;
	eval_who *w = &d->who;
	w->img = img;
	w->principal = img_lookup_finish(img, lk);
	w->principal_name = IMG_NONE;
	const hash_slot *hit = lk->hit;
	if (w->principal != PDP_NONE) {
		w->principal_name = hit->aux.principal.name;
		if (img->prefetch && img->role_words > 0)
			prefetch_roles(img, hit);
	}
	if (session == NULL && !q->roles_given && img->n_dsd == 0) {
		w->active = NULL;
		if (w->principal != PDP_NONE) {
			w->n_assigned = hit->aux.principal.role_count;
			w->assigned = w->n_assigned <= HASH_INLINE_ROLES
			                      ? hit->aux.principal.roles
			                      : img_rec(img, SEC_PRINROLES,
			                                hit->aux.principal.role_first);
		}
		return PDP_REASON_RULE;
	}
	pdp_reason why = activate(img, q, w->principal, session, active, detail);
	w->active = active;
	return why;
}

/* Whether one rule applies, as rule_eval without a trace decides it (the
 * same result), with the cheap tests first and no per-rule bookkeeping:
 * what the contexts and conditions report goes to d->rr, which nothing
 * reads without a trace. */
static tri rule_holds(dctx *d, const img_rule_rec *rule)
{
	if ((rule->flags & RULE_FLAG_AUTH) && !d->req->authenticated)
		return T_FALSE;
	if (eval_orig_match(&d->who, d->seg, rule) == PDP_NONE ||
	    !objects_hold(d, rule))
		return T_FALSE;
	tri ctx = contexts_hold(d, rule);
	if (ctx == T_FALSE)
		return T_FALSE;
	return rule->cond == IMG_NONE ? ctx : and3(ctx, cond_eval(d, rule->cond));
}

static uint64_t mask64(const uint32_t w[2])
{
	return (uint64_t)w[1] << 32 | w[0];
}

/* The first rule of span sp, in order, that is a deny rule (deny) or a
 * permit rule (!deny) of the request's operation and that decides: a deny
 * that holds or may hold, a permit that holds. With a decision record only
 * the rules of its operation's mask are read; without one (or for a wide
 * section) the rules are walked, and a section without deny rules is
 * skipped for denies. Returns the rule's index in the section or PDP_NONE;
 * *t its value. */
static uint32_t first_deciding(dctx *d, const acp_span *sp, bool deny, tri *t)
{
	const pdp_request *q = d->req;
	const img_decide_rec *dc = sp->dec;
	d->seg = sp->seg;
	if (dc != NULL && !(dc->flags & DECIDE_WIDE)) {
		/* check_request admits one operation bit of six */
		uint32_t k = (uint32_t)__builtin_ctz(q->operation);
		uint64_t den = mask64(dc->deny);
		uint64_t m = mask64(dc->ops[k]) & (deny ? den : ~den);
		for (; m != 0; m &= m - 1) {
			uint32_t j = (uint32_t)__builtin_ctzll(m);
			*t = rule_holds(d, img_rule(d->seg, sp->first + j));
			if (deny ? *t != T_FALSE : *t == T_TRUE)
				return j;
		}
		return PDP_NONE;
	}
	if (deny && dc != NULL && (dc->flags & DECIDE_NO_DENY))
		return PDP_NONE;
	for (uint32_t j = 0; j < sp->n; j++) {
		const img_rule_rec *rule = img_rule(d->seg, sp->first + j);
		if (!(rule->ops & q->operation) ||
		    ((rule->flags & RULE_FLAG_DENY) != 0) != deny)
			continue;
		*t = rule_holds(d, rule);
		if (deny ? *t != T_FALSE : *t == T_TRUE)
			return j;
	}
	return PDP_NONE;
}

/* Stage 4 without a trace: deny-overrides as walk_rules below has it, by
 * candidates. The first deny rule (over the ACPs in order, each's rules in
 * order) that holds or may hold is the one walk_rules would meet first;
 * only when there is none, the first permit that holds is its answer too.
 * Evaluating a rule has no effect on another's value, so the order of
 * evaluation changes nothing but the time: every deny is looked at before
 * any permit, and the first permit that holds ends the decision. */
static void decide_by_candidates(dctx *d, const acp_span *spans,
                                 size_t n_spans, pdp_decision *out)
{
	const pdp_request *q = d->req;
	tri t = T_FALSE;
	for (int deny = 1; deny >= 0; deny--)
		for (size_t i = 0; i < n_spans; i++) {
			uint32_t j = first_deciding(d, &spans[i], deny != 0, &t);
			if (j == PDP_NONE)
				continue;
			set_reason(out, PDP_REASON_RULE, PDP_NONE);
			out->effect = deny ? PDP_DENY : PDP_PERMIT;
			out->acp = spans[i].acp;
			out->self = q->self;
			out->rule = j;
			out->indeterminate = t == T_INDET;
			return;
		}
	set_reason(out, PDP_REASON_NO_RULE_MATCHED, PDP_NONE);
}

/* Stage 4: every rule of the target ACPs for the operation, in order, with
 * deny-overrides: the first deny that holds (or may hold: indeterminate)
 * decides at once; otherwise the first permit that holds; otherwise no
 * rule matched. With a trace every rule is evaluated in full and reported. */
static void walk_rules(dctx *d, const acp_span *spans, size_t n_spans,
                       pdp_decision *out, const eval_trace *trace)
{
	const pdp_request *q = d->req;
	bool full = trace != NULL && trace->on_rule != NULL;
	bool have_permit = false;
	size_t permit_acp = 0;
	uint32_t permit_rule = 0;
	for (size_t i = 0; i < n_spans; i++) {
		d->seg = spans[i].seg;
		uint32_t first = spans[i].first, n = spans[i].n;
		for (uint32_t j = 0; j < n; j++) {
			const img_rule_rec *rule = img_rule(d->seg, first + j);
			if (!full && !(rule->ops & q->operation))
				continue;
			rule_result rr;
			tri t = rule_eval(d, rule, &rr, full);
			if (full)
				trace->on_rule(trace->ctx, d->seg, spans[i].acp, first + j,
				               &rr);
			if (rule->flags & RULE_FLAG_DENY) {
				if (t != T_FALSE) {
					set_reason(out, PDP_REASON_RULE, PDP_NONE);
					out->acp = spans[i].acp;
					out->self = q->self;
					out->rule = j;
					out->indeterminate = t == T_INDET;
					return;
				}
			} else if (t == T_TRUE && !have_permit) {
				have_permit = true;
				permit_acp = i;
				permit_rule = j;
			}
		}
	}
	if (have_permit) {
		set_reason(out, PDP_REASON_RULE, PDP_NONE);
		out->effect = PDP_PERMIT;
		out->acp = spans[permit_acp].acp;
		out->self = q->self;
		out->rule = permit_rule;
		return;
	}
	set_reason(out, PDP_REASON_NO_RULE_MATCHED, PDP_NONE);
}

/*
 * The decision, in stages (docs/language.md section 11, "How a decision is made"):
 * 1. refuse a malformed request; 2. find the target ACPs (and, overlapped
 * with them, the originator's principal record); 3. identify the
 * originator and activate its roles; 4. walk the rules with
 * deny-overrides. Large images prefetch between the stages what the next
 * one reads.
 */
static pdp_status decide_with(const pdp_image *img, pdp_scratch *scratch,
                              const pdp_request *q, const uint64_t *session,
                              pdp_decision *out, const eval_trace *trace,
                              const img_lookup_op *pre);

pdp_status eval_decide(const pdp_image *img, pdp_scratch *scratch,
                       const pdp_request *q, const uint64_t *session,
                       pdp_decision *out, const eval_trace *trace)
{
	return decide_with(img, scratch, q, session, out, trace, NULL);
}

/* eval_decide; pre, when not NULL, holds the started lookups of the
 * originator (pre[0]) and of the request's ACPs by name (pre[1..n_acps]),
 * as pdp_decide_batch prepares them (batch_can_start). */
static pdp_status decide_with(const pdp_image *img, pdp_scratch *scratch,
                              const pdp_request *q, const uint64_t *session,
                              pdp_decision *out, const eval_trace *trace,
                              const img_lookup_op *pre)
{
	if (out == NULL)
		return PDP_ERR_ARG;
	if (refuse_request(img, scratch, q, out))
		return img == NULL ? PDP_ERR_ARG : PDP_OK;
	/* every form of an id names the same entity when the policy declares
	 * the hosting CSE: match in absolute form (common/origin.c) */
	char abs[PDP_MAX_ABS_ID_BYTES];
	pdp_str orig = q->originator;
	if (img->host) {
		orig.len = origin_absolute(img->host_sp, img->host_cse, q->originator,
		                           abs, sizeof(abs));
		orig.ptr = abs;
		if (orig.len > sizeof(abs)) {
			set_reason(out, PDP_REASON_BAD_REQUEST, PDP_BAD_LIMIT);
			return PDP_OK;
		}
	}
	/* stage 2: spans[i] for every i below n_acps */
	const size_t n_acps = q->n_acps;
	acp_span spans[PDP_MAX_REQ_ACPS];
	img_lookup_op lk[PDP_MAX_REQ_ACPS + 1];
	if (pre != NULL)
		memcpy(lk, pre, (n_acps + 1) * sizeof(lk[0]));
	else
		img_lookup_start(img, &lk[0], &img->h_principal, SEC_PRINCIPALS,
		                 orig);
	uint32_t unknown;
	if (img->view != NULL) {
		img_lookup_probe(img, &lk[0]);
		unknown = resolve_view(img, q, spans);
	} else
		unknown = resolve_flat(img, q, lk, pre != NULL, spans);
	if (unknown != PDP_NONE) {
		set_reason(out, PDP_REASON_UNKNOWN_ACP, PDP_NONE);
		out->acp = unknown;
		return PDP_OK;
	}
	if (img->prefetch)
		prefetch_acps(spans, n_acps);
	/* stage 3 */
	dctx d;
	memset(&d, 0, sizeof(d));
	d.img = img;
	d.scratch = scratch;
	d.req = q;
	d.who.orig = orig;
	uint64_t active[PDP_ROLE_WORDS_MAX];
	uint32_t detail = PDP_NONE;
	pdp_reason why = identify(&d, session, &lk[0], active, &detail);
	if (why != PDP_REASON_RULE) {
		set_reason(out, why, detail);
		return PDP_OK;
	}
	d.country = request_country(q);
	/* stage 4 */
	if (trace != NULL && trace->on_rule != NULL) {
		walk_rules(&d, spans, n_acps, out, trace);
		return PDP_OK;
	}
	rule_result sink;
	memset(&sink, 0, sizeof(sink));
	d.rr = &sink;
	decide_by_candidates(&d, spans, n_acps, out);
	return PDP_OK;
}

pdp_status pdp_decide(const pdp_image *img, pdp_scratch *scratch,
                      const pdp_request *req, pdp_decision *out)
{
	pdp_status st = eval_decide(img, scratch, req, NULL, out, NULL);
	eval_log(scratch, img, req, out, st);
	return st;
}

/* ---- batches ---- */

/* Requests in flight in pdp_decide_batch: the lookups of request i + AHEAD
 * are started (strings hashed, hash slots prefetched) while request i is
 * decided, and those of request i + AHEAD / 2 probed (their keys, rules
 * and decision records prefetched). A request of more than BATCH_ACPS
 * ACPs, by number, on a store view or with a hosting CSE is decided as
 * pdp_decide does it, without that head start. */
#define BATCH_AHEAD 16u
#define BATCH_ACPS 4u

typedef struct batch_slot {
	bool started;
	img_lookup_op lk[BATCH_ACPS + 1];
} batch_slot;

/* Whether request q's lookups can be started ahead. Reads only fields
 * every request layout has, and those check_request reads. */
static bool batch_can_start(const pdp_image *img, const pdp_request *q)
{
	return q != NULL && img->view == NULL && !img->host &&
	       (q->struct_size == 0 || q->struct_size == sizeof(*q)) &&
	       q->originator.ptr != NULL && q->acp_ids == NULL &&
	       q->n_acps >= 1 && q->n_acps <= BATCH_ACPS && q->acps != NULL;
}

static void batch_start(const pdp_image *img, const pdp_request *q,
                        batch_slot *b)
{
	b->started = batch_can_start(img, q);
	if (!b->started)
		return;
	img_lookup_start(img, &b->lk[0], &img->h_principal, SEC_PRINCIPALS,
	                 q->originator);
	for (size_t i = 0; i < q->n_acps; i++)
		img_lookup_start(img, &b->lk[i + 1], &img->h_acp, SEC_ACPS,
		                 q->acps[i]);
}

/* The slots are (nearly) in cache now: find each key's slot, and start
 * loading what the decision reads next, the ACPs' rules and decision
 * records and the originator's first role closure row. */
/* The span of request q's i-th ACP (1-based, as in b->lk) from the slot
 * its probe found; false when there is none or its counts are far. */
static bool batch_span(const pdp_image *img, const pdp_request *q,
                       const batch_slot *b, size_t i, acp_span *sp)
{
	if (b->lk[i].rec == IMG_NONE)
		return false;
	const hash_slot *sl = &img->h_acp.slots[b->lk[i].slot];
	if (sl->aux.acp.counts == ACP_COUNTS_FAR)
		return false;
	span_from_slot(sp, img, b->lk[i].rec, sl, q->self);
	return true;
}

static void batch_probe(const pdp_image *img, const pdp_request *q,
                        batch_slot *b)
{
	if (!b->started)
		return;
	for (size_t i = 0; i <= q->n_acps; i++)
		img_lookup_probe(img, &b->lk[i]);
	if (b->lk[0].rec != IMG_NONE && img->role_words > 0)
		prefetch_roles(img, &img->h_principal.slots[b->lk[0].slot]);
	acp_span sp;
	for (size_t i = 1; i <= q->n_acps; i++) {
		if (!batch_span(img, q, b, i, &sp))
			continue;
		/* the decision record and the first rules only: with
		 * BATCH_AHEAD / 2 requests in flight, all of each ACP's
		 * tables would be more lines than the core has misses in
		 * flight (measured: batches fell to single-call speed at L);
		 * batch_aim and decide_with prefetch the rest */
		if (sp.dec != NULL)
			__builtin_prefetch(sp.dec);
		__builtin_prefetch(img_rule(img, sp.first));
		__builtin_prefetch(img_orig(img, sp.orig_first));
	}
}

/* Two requests ahead, the decision records are in cache: start loading
 * exactly the rules of the request's operation (deny and permit), with
 * the first lines of the tables their entries point into. Reads only what
 * batch_can_start and the probe made safe; an operation that is not one
 * bit of six (the decision will refuse it) prefetches nothing. */
static void batch_aim(const pdp_image *img, const pdp_request *q,
                      const batch_slot *b)
{
	if (!b->started || !img->decide) /* not started: q may be NULL */
		return;
	uint32_t op = q->operation;
	if (op == 0 || op > PDP_OP_DISCOVER || (op & (op - 1)) != 0)
		return;
	uint32_t k = (uint32_t)__builtin_ctz(op);
	acp_span sp;
	for (size_t i = 1; i <= q->n_acps; i++) {
		if (!batch_span(img, q, b, i, &sp) || (sp.dec->flags & DECIDE_WIDE))
			continue;
		for (uint64_t m = mask64(sp.dec->ops[k]); m != 0; m &= m - 1)
			__builtin_prefetch(
				img_rule(img, sp.first + (uint32_t)__builtin_ctzll(m)));
		__builtin_prefetch(img->orig_text + sp.orig_first);
		__builtin_prefetch(img_rec(img, SEC_CONTEXTS, sp.ctx_first));
		__builtin_prefetch(img_rec(img, SEC_WINDOWS, sp.win_first));
		__builtin_prefetch(img_rec(img, SEC_CIDRS, sp.cidr_first));
	}
}

pdp_status pdp_decide_batch(const pdp_image *img, pdp_scratch *scratch,
                            const pdp_request *const *reqs, size_t n,
                            pdp_decision *out)
{
	if (n == 0)
		return PDP_OK;
	if (img == NULL || reqs == NULL || out == NULL)
		return PDP_ERR_ARG;
	batch_slot ring[BATCH_AHEAD];
	for (size_t i = 0; i < n && i < BATCH_AHEAD; i++)
		batch_start(img, reqs[i], &ring[i]);
	for (size_t i = 0; i < n && i < BATCH_AHEAD / 2; i++)
		batch_probe(img, reqs[i], &ring[i]);
	for (size_t i = 0; i < n && i < BATCH_AHEAD / 4; i++)
		batch_aim(img, reqs[i], &ring[i]);
	for (size_t i = 0; i < n; i++) {
		batch_slot *b = &ring[i % BATCH_AHEAD];
		const pdp_request *q = reqs[i];
		pdp_status st = decide_with(img, scratch, q, NULL, &out[i], NULL,
		                            b->started ? b->lk : NULL);
		eval_log(scratch, img, q, &out[i], st);
		if (i + BATCH_AHEAD < n)
			batch_start(img, reqs[i + BATCH_AHEAD], b);
		size_t k = i + BATCH_AHEAD / 2;
		if (k < n)
			batch_probe(img, reqs[k], &ring[k % BATCH_AHEAD]);
		size_t a = i + BATCH_AHEAD / 4;
		if (a < n)
			batch_aim(img, reqs[a], &ring[a % BATCH_AHEAD]);
	}
	return PDP_OK;
}
