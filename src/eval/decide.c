/*
 * decide.c - the decision: request checks, ACP lookup, role activation
 * (authorization and DSD), then every applicable rule of the target ACPs
 * with three-valued logic and deny-overrides (policy-language.md 3.5).
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
#include "image/view.h"

/* The decision's state. img holds the declarations (principals, roles,
 * constraints, attributes); seg the records of the ACP being walked: img
 * itself for a loaded image, a segment or the base for a store view. */
typedef struct dctx {
	const pdp_image *img;
	const pdp_image *seg;
	pdp_scratch *scratch;
	const pdp_request *req;
	pdp_str orig;             /* the originator, in absolute form when the
	                             image declares its hosting CSE */
	uint32_t principal;       /* PRINCIPALS index or NONE */
	uint32_t principal_name;  /* its interned name string, or NONE */
	const uint64_t *active;   /* active closure bitset, or NULL when lazy */
	/* Lazy activation (no session, no requested roles, no DSD set): the
	 * active roles are the assigned ones, and `role:R` asks whether R is in
	 * the closure of one of them, one word per assigned role. */
	const uint32_t *assigned; /* PRINROLES entries, or NULL */
	uint32_t n_assigned;
	int country;              /* ISO numeric, -1 absent, -2 invalid */
	bool orig_hashed;         /* orig_hash computed (views' group sets) */
	uint64_t orig_hash;
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

static bool bit(const uint64_t *b, uint32_t i)
{
	return (b[i / 64] >> (i % 64)) & 1u;
}

/* ---- originators ---- */

static bool in_base_group(const dctx *d, const pdp_image *img, uint32_t g);

static bool in_group(dctx *d, uint32_t g)
{
	const pdp_image *img = d->img;
	if (img->view != NULL) {
		const view_groups *vg = img->view->groups;
		if (g >= vg->n || vg->g[g] == NULL)
			return false;
		if (vg->g[g] == VIEW_GROUP_IN_BASE)
			return in_base_group(d, img->view_base, g);
		/* a group the store changed: its members live in the view,
		 * the originator hashed once per decision */
		if (!d->orig_hashed) {
			d->orig_hash = img_hash(d->orig.ptr,
			                        d->orig.len);
			d->orig_hashed = true;
		}
		return view_in_group(img->view, g, d->orig,
		                     d->orig_hash);
	}
	return in_base_group(d, img, g);
}

/* Group g of a loaded image (or of a store's base): the principal's exact
 * memberships, then the group's globs. */
static bool in_base_group(const dctx *d, const pdp_image *img, uint32_t g)
{
	if (d->principal != PDP_NONE) {
		const uint32_t *p = img_rec(img, SEC_PRINCIPALS, d->principal);
		for (uint32_t i = 0; i < p[4]; i++)
			if (img_rec(img, SEC_PRINGROUPS, p[3] + i)[0] == g)
				return true;
	}
	const uint32_t *gr = img_rec(img, SEC_GROUPS, g);
	for (uint32_t i = 0; i < gr[2]; i++) {
		pdp_str pat = img_str(img, img_rec(img, SEC_GROUPGLOBS, gr[1] + i)[0]);
		if (glob_match(pat, d->orig))
			return true;
	}
	return false;
}

static bool orig_match(dctx *d, const uint32_t *rule)
{
	const pdp_image *img = d->img, *seg = d->seg;
	for (uint32_t i = 0; i < rule[RW_ORIG_COUNT]; i++) {
		const uint32_t *o = img_rec(seg, SEC_ORIGS, rule[RW_ORIG_FIRST] + i);
		const uint32_t *t = seg->orig_text + 2u * (rule[RW_ORIG_FIRST] + i);
		switch (o[0]) {
		case ORIG_ALL:
			return true;
		case ORIG_EXACT:
			if (seg->segment) {
				/* a segment's strings are its own: compare bytes */
				pdp_str id = {seg->blob + t[0], t[1]};
				if (str_eq(id, d->orig))
					return true;
			} else if (o[1] == d->principal_name) {
				/* every exact originator id is a principal (checked
				 * at load) and strings are interned: compare ids */
				return true;
			}
			break;
		case ORIG_GLOB: {
			pdp_str pat = {seg->blob + t[0], t[1]};
			if (glob_match(pat, d->orig))
				return true;
			break;
		}
		case ORIG_GROUP:
			if (in_group(d, o[1]))
				return true;
			break;
		case ORIG_ROLE:
			if (d->active != NULL) {
				if (bit(d->active, o[1]))
					return true;
			} else {
				uint32_t w = img->role_words;
				for (uint32_t k = 0; k < d->n_assigned; k++) {
					uint32_t a = d->assigned[k];
					if (bit(img->role_closure + (size_t)a * w, o[1]))
						return true;
				}
			}
			break;
		default:
			break;
		}
	}
	return false;
}

/* ---- objects (acod) ---- */

static bool u32_in(const pdp_image *img, enum img_section s, uint32_t first,
                   uint32_t n, uint32_t v)
{
	for (uint32_t i = 0; i < n; i++)
		if (img_rec(img, s, first + i)[0] == v)
			return true;
	return false;
}

static bool object_entry(const dctx *d, const uint32_t *o)
{
	const pdp_request *q = d->req;
	const pdp_image *img = d->seg;
	if (o[1] > 0 && (q->type < 0 ||
	                 !u32_in(img, SEC_OBJTYPES, o[0], o[1], (uint32_t)q->type)))
		return false;
	if (o[3] > 0) {
		if (q->specialization.ptr == NULL)
			return false;
		bool found = false;
		for (uint32_t i = 0; i < o[3] && !found; i++)
			found = str_eq(img_str(img, img_rec(img, SEC_OBJSPECS, o[2] + i)[0]),
			               q->specialization);
		if (!found)
			return false;
	}
	if (o[5] > 0 && q->operation == PDP_OP_CREATE &&
	    (q->child_type < 0 ||
	     !u32_in(img, SEC_OBJTYPES, o[4], o[5], (uint32_t)q->child_type)))
		return false;
	return true;
}

static bool objects_hold(const dctx *d, const uint32_t *rule)
{
	if (rule[RW_OBJ_COUNT] == 0)
		return true;
	for (uint32_t i = 0; i < rule[RW_OBJ_COUNT]; i++)
		if (object_entry(d, img_rec(d->seg, SEC_OBJECTS, rule[RW_OBJ_FIRST] + i)))
			return true;
	return false;
}

/* ---- contexts (acco) ---- */

static void load_sched(const uint32_t *w, sched *s)
{
	s->sec = img_u64(w);
	s->min = img_u64(w + 2);
	s->hour = w[4];
	s->dom = w[5];
	s->month = w[6];
	s->dow = w[7];
	for (int i = 0; i < SCHED_YEAR_WORDS; i++)
		s->year[i] = img_u64(w + 8 + 2 * i);
}

static void load_ip(const uint32_t *w, pdp_ip *ip)
{
	for (int i = 0; i < 4; i++) {
		ip->b[4 * i] = (uint8_t)w[i];
		ip->b[4 * i + 1] = (uint8_t)(w[i] >> 8);
		ip->b[4 * i + 2] = (uint8_t)(w[i] >> 16);
		ip->b[4 * i + 3] = (uint8_t)(w[i] >> 24);
	}
}

static double load_double(const uint32_t *w)
{
	uint64_t b = img_u64(w);
	double v;
	memcpy(&v, &b, sizeof(v));
	return v;
}

static bool location_ok(const pdp_request *q)
{
	return q->has_location && isfinite(q->lat) && isfinite(q->lon) &&
	       fabs(q->lat) <= 90.0 && fabs(q->lon) <= 180.0;
}

static tri context_holds(dctx *d, const uint32_t *x)
{
	const pdp_image *img = d->seg;
	const pdp_request *q = d->req;
	tri r = T_TRUE;
	if (x[1] > 0) {
		/* any second is a date; a time that is no instant (nsec out of
		 * range) is as undecidable as a missing one */
		if (!q->has_time || !time_valid(q->time)) {
			d->rr->missing_env |= MISS_TIME;
			r = T_INDET;
		} else {
			bool m = false;
			for (uint32_t i = 0; i < x[1] && !m; i++) {
				sched s;
				load_sched(img_rec(img, SEC_WINDOWS, x[0] + i), &s);
				m = sched_match(&s, q->time);
			}
			if (!m)
				return T_FALSE;
		}
	}
	if (x[3] > 0) {
		if (!q->has_ip) {
			d->rr->missing_env |= MISS_IP;
			r = and3(r, T_INDET);
		} else {
			bool m = false;
			for (uint32_t i = 0; i < x[3] && !m; i++) {
				const uint32_t *c = img_rec(img, SEC_CIDRS, x[2] + i);
				pdp_ip net;
				load_ip(c, &net);
				m = cidr_contains(&net, c[4], &q->ip);
			}
			if (!m)
				return T_FALSE;
		}
	}
	if (x[5] > 0 || x[7] > 0) {
		tri reg = T_FALSE;
		if (x[5] > 0) {
			if (d->country < 0) {
				d->rr->missing_env |= MISS_COUNTRY;
				reg = T_INDET;
			} else if (u32_in(img, SEC_COUNTRIES, x[4], x[5],
			                  (uint32_t)d->country))
				reg = T_TRUE;
		}
		if (x[7] > 0 && reg != T_TRUE) {
			if (!location_ok(q)) {
				d->rr->missing_env |= MISS_LOCATION;
				reg = or3(reg, T_INDET);
			} else {
				for (uint32_t i = 0; i < x[7]; i++) {
					const uint32_t *c = img_rec(img, SEC_CIRCLES, x[6] + i);
					double dist = geo_distance_m(load_double(c),
					                             load_double(c + 2), q->lat,
					                             q->lon);
					if (dist <= load_double(c + 4)) {
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

static tri contexts_hold(dctx *d, const uint32_t *rule)
{
	if (rule[RW_CTX_COUNT] == 0)
		return T_TRUE;
	tri r = T_FALSE;
	for (uint32_t i = 0; i < rule[RW_CTX_COUNT] && r != T_TRUE; i++)
		r = or3(r, context_holds(d, img_rec(d->seg, SEC_CONTEXTS,
		                                     rule[RW_CTX_FIRST] + i)));
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
		v->u.s = d->orig;
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
	pdp_type want = (pdp_type)img_rec(d->img, SEC_ATTRS, id)[1];
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
	pdp_str pat = img_str(d->seg, img_rec(d->seg, SEC_REGEXES, re)[0]);
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

static tri leaf(dctx *d, const uint32_t *k)
{
	const pdp_image *img = d->seg;
	uint32_t op = k[0], attr = k[1], rk = k[2], rhs = k[3];
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
			for (uint32_t i = 0; i < k[5]; i++) {
				uint32_t ix = img_rec(img, SEC_LISTITEMS, k[4] + i)[0];
				if ((int64_t)img_u64(img_rec(img, SEC_INTS, ix)) == v.u.i)
					return T_TRUE;
			}
			return T_FALSE;
		}
		int64_t r = have_w ? w.u.i : (int64_t)img_u64(img_rec(img, SEC_INTS, rhs));
		return ordered(op, v.u.i < r ? -1 : v.u.i > r ? 1 : 0);
	}
	case PDP_TYPE_STRING: {
		if (op == COP_MATCHES)
			return match_regex(d, rhs, v.u.s);
		if (op == COP_IN) {
			for (uint32_t i = 0; i < k[5]; i++)
				if (str_eq(img_str(img, img_rec(img, SEC_LISTITEMS, k[4] + i)[0]),
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
			for (uint32_t i = 0; i < k[5]; i++) {
				const uint32_t *c = img_rec(img, SEC_CIDRS, k[4] + i);
				pdp_ip net;
				load_ip(c, &net);
				if (cidr_contains(&net, c[4], &v.u.ip))
					return T_TRUE;
			}
			return T_FALSE;
		}
		pdp_ip r;
		if (have_w)
			r = w.u.ip;
		else
			load_ip(img_rec(img, SEC_CIDRS, rhs), &r);
		return ordered(op, memcmp(v.u.ip.b, r.b, 16) == 0 ? 0 : 1);
	}
	case PDP_TYPE_TIME: {
		pdp_time r;
		if (have_w)
			r = w.u.t;
		else {
			const uint32_t *t = img_rec(img, SEC_TIMES, rhs);
			r.sec = (int64_t)img_u64(t);
			r.nsec = (int32_t)t[2];
		}
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
	const uint32_t *k = img_rec(d->seg, SEC_CONDS, idx);
	switch (k[0]) {
	case COP_TRUE:
		return T_TRUE;
	case COP_FALSE:
		return T_FALSE;
	case COP_ALL:
	case COP_ANY: {
		bool all = k[0] == COP_ALL;
		tri r = all ? T_TRUE : T_FALSE;
		for (uint32_t i = 0; i < k[5]; i++) {
			tri v = cond_eval(d, img_rec(d->seg, SEC_CONDKIDS, k[4] + i)[0]);
			r = all ? and3(r, v) : or3(r, v);
			if (r == (all ? T_FALSE : T_TRUE))
				break;
		}
		return r;
	}
	case COP_NOT: {
		tri v = cond_eval(d, img_rec(d->seg, SEC_CONDKIDS, k[4])[0]);
		return v == T_INDET ? T_INDET : v == T_TRUE ? T_FALSE : T_TRUE;
	}
	default:
		return leaf(d, k);
	}
}

/* ---- rules ---- */

static tri rule_eval(dctx *d, const uint32_t *rule, rule_result *rr,
                     bool full)
{
	const pdp_request *q = d->req;
	memset(rr, 0, sizeof(*rr));
	rr->missing_attr = PDP_NONE;
	rr->ctx = rr->when = T_TRUE;
	d->rr = rr;
	rr->ops = (rule[RW_OPS] & q->operation) != 0;
	rr->orig = orig_match(d, rule);
	rr->auth = !(rule[RW_FLAGS] & RULE_FLAG_AUTH) || q->authenticated;
	rr->obj = objects_hold(d, rule);
	bool base = rr->ops && rr->orig && rr->auth && rr->obj;
	if (!base && !full) {
		rr->all = T_FALSE;
		return T_FALSE;
	}
	rr->ctx = contexts_hold(d, rule);
	if (rule[RW_COND] != IMG_NONE && (full || rr->ctx != T_FALSE))
		rr->when = cond_eval(d, rule[RW_COND]);
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

static uint32_t popcount_and(const uint64_t *a, const uint64_t *b, uint32_t w)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < w; i++)
		n += (uint32_t)__builtin_popcountll(a[i] & b[i]);
	return n;
}

/* Fill `active` with the closure of the activated roles; return a reason
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
	const uint32_t *p = principal != PDP_NONE
	                            ? img_rec(img, SEC_PRINCIPALS, principal)
	                            : NULL;
	if (session != NULL) {
		for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
			if (bit(session, r)) {
				const uint64_t *c = img->role_closure + (size_t)r * w;
				for (uint32_t k = 0; k < w; k++)
					active[k] |= c[k];
			}
	} else if (!q->roles_given) {
		for (uint32_t i = 0; p != NULL && i < p[2]; i++) {
			uint32_t r = img_rec(img, SEC_PRINROLES, p[1] + i)[0];
			const uint64_t *c = img->role_closure + (size_t)r * w;
			for (uint32_t k = 0; k < w; k++)
				active[k] |= c[k];
		}
	} else {
		uint64_t authorized[PDP_ROLE_WORDS_MAX];
		memset(authorized, 0, w * sizeof(uint64_t));
		for (uint32_t i = 0; p != NULL && i < p[2]; i++) {
			uint32_t r = img_rec(img, SEC_PRINROLES, p[1] + i)[0];
			const uint64_t *c = img->role_closure + (size_t)r * w;
			for (uint32_t k = 0; k < w; k++)
				authorized[k] |= c[k];
		}
		for (size_t i = 0; i < q->n_roles; i++) {
			uint32_t r = img_lookup(img, &img->h_role, SEC_ROLES, q->roles[i]);
			if (r == PDP_NONE || !bit(authorized, r)) {
				*detail = (uint32_t)i;
				return PDP_REASON_ROLE_NOT_AUTHORIZED;
			}
			const uint64_t *c = img->role_closure + (size_t)r * w;
			for (uint32_t k = 0; k < w; k++)
				active[k] |= c[k];
		}
	}
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const uint32_t *k = img_rec(img, SEC_CONSTRAINTS, i);
		if (k[0] != 1)
			continue;
		if (popcount_and(active, img->constraint_sets + (size_t)i * w, w) >= k[2]) {
			*detail = i;
			return PDP_REASON_DSD_VIOLATION;
		}
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
} acp_span;

static void span_from_record(acp_span *sp, const pdp_image *seg,
                             uint32_t local, bool self)
{
	const uint32_t *a = img_rec(seg, SEC_ACPS, local);
	sp->seg = seg;
	sp->local = local;
	sp->first = self ? a[4] : a[2];
	sp->n = self ? a[5] : a[3];
	sp->orig_first = a[6];
}

/* A loaded image: the ACP lookups run in lock-step with the principal's
 * (started by the caller in lk[0]) so that their cache misses overlap; the
 * hash slots carry the rule ranges, so the records are not waited for.
 * Returns the request index of an unknown ACP, or PDP_NONE. */
static uint32_t resolve_flat(const pdp_image *img, const pdp_request *q,
                             img_lookup_op *lk, acp_span *sp)
{
	bool by_id = q->acp_ids != NULL;
	for (size_t i = 0; !by_id && i < q->n_acps; i++)
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
		const uint32_t *aux = by_id ? NULL : lk[i + 1].hit->aux;
		if (aux == NULL || aux[3] == ACP_COUNTS_FAR) {
			span_from_record(&sp[i], img, a, q->self);
			continue;
		}
		sp[i].seg = img;
		sp[i].local = a;
		sp[i].first = q->self ? aux[1] : aux[0];
		sp[i].n = q->self ? aux[3] >> 16 : aux[3] & 0xffffu;
		sp[i].orig_first = aux[2];
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
		sp[i].seg = sl->seg;
		sp[i].acp = sl->number;
		sp[i].local = sl->local;
		sp[i].first = q->self ? sl->self_first : sl->priv_first;
		sp[i].n = q->self ? sl->self_n : sl->priv_n;
		sp[i].orig_first = sl->orig_first;
	}
	return PDP_NONE;
}

/* Start loading the rules and their originator entries while the
 * principal's roles are fetched (large images only: img->prefetch). */
static void prefetch_rules(const acp_span *sp, size_t n)
{
	for (size_t i = 0; i < n && i < 4; i++) {
		const pdp_image *seg = sp[i].seg;
		const char *r0 = (const char *)img_rec(seg, SEC_RULES, sp[i].first);
		size_t bytes = (size_t)sp[i].n * RW_WORDS * sizeof(uint32_t);
		for (size_t off = 0; off < bytes && off < 1024; off += 64)
			__builtin_prefetch(r0 + off);
		const char *o0 = (const char *)img_rec(seg, SEC_ORIGS, sp[i].orig_first);
		const char *t0 = (const char *)(seg->orig_text + 2u * sp[i].orig_first);
		for (size_t off = 0; off < 256; off += 64) {
			__builtin_prefetch(o0 + off);
			__builtin_prefetch(t0 + off);
		}
		__builtin_prefetch(img_rec(seg, SEC_ACPS, sp[i].local) + 8);
	}
}

/* The rules' contexts, windows, CIDRs and condition nodes follow the rule
 * records: start loading their first lines before the walk. */
static void prefetch_rule_data(const acp_span *sp, size_t n)
{
	static const struct {
		enum img_section sec;
		uint32_t word, lines;
	} SPANS[] = {{SEC_CONTEXTS, 8, 4}, {SEC_WINDOWS, 9, 4},
	             {SEC_CIDRS, 10, 2}, {SEC_CONDS, 11, 2}};
	for (size_t i = 0; i < n && i < 4; i++) {
		const uint32_t *a = img_rec(sp[i].seg, SEC_ACPS, sp[i].local);
		for (size_t k = 0; k < sizeof(SPANS) / sizeof(SPANS[0]); k++) {
			const char *p0 = (const char *)img_rec(sp[i].seg, SPANS[k].sec,
			                                       a[SPANS[k].word]);
			for (uint32_t l = 0; l < SPANS[k].lines; l++)
				__builtin_prefetch(p0 + 64 * l);
		}
	}
}

pdp_status eval_decide(const pdp_image *img, pdp_scratch *scratch,
                       const pdp_request *q, const uint64_t *session,
                       pdp_decision *out, const eval_trace *trace)
{
	if (out == NULL)
		return PDP_ERR_ARG;
	if (img == NULL || q == NULL) {
		set_reason(out, PDP_REASON_BAD_REQUEST, PDP_BAD_ARGUMENT);
		return img == NULL ? PDP_ERR_ARG : PDP_OK;
	}
	pdp_bad bad = check_request(q);
	/* a scratch from pdp_scratch_new is for its image only; one from
	 * pdp_scratch_new_any (img NULL) fits every image */
	if (bad == PDP_BAD_NONE && scratch != NULL && scratch->img != NULL &&
	    scratch->img != img)
		bad = PDP_BAD_NO_SCRATCH;
	if (bad != PDP_BAD_NONE) {
		set_reason(out, PDP_REASON_BAD_REQUEST, bad);
		return PDP_OK;
	}
	if (q->n_acps == 0) {
		set_reason(out, PDP_REASON_NO_ACP, PDP_NONE);
		return PDP_OK;
	}
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
	acp_span spans[PDP_MAX_REQ_ACPS];
	img_lookup_op lk[PDP_MAX_REQ_ACPS + 1];
	img_lookup_start(img, &lk[0], &img->h_principal, SEC_PRINCIPALS, orig);
	uint32_t unknown;
	if (img->view != NULL) {
		img_lookup_probe(img, &lk[0]);
		unknown = resolve_view(img, q, spans);
	} else
		unknown = resolve_flat(img, q, lk, spans);
	if (unknown != PDP_NONE) {
		set_reason(out, PDP_REASON_UNKNOWN_ACP, PDP_NONE);
		out->acp = unknown;
		return PDP_OK;
	}
	if (img->prefetch)
		prefetch_rules(spans, q->n_acps);
	dctx d;
	memset(&d, 0, sizeof(d));
	d.img = img;
	d.scratch = scratch;
	d.req = q;
	d.orig = orig;
	d.principal = img_lookup_finish(img, &lk[0]);
	d.principal_name = d.principal != PDP_NONE ? lk[0].hit->aux[2] : IMG_NONE;
	if (img->prefetch && d.principal != PDP_NONE &&
	    lk[0].hit->aux[3] != IMG_NONE && img->role_words > 0) {
		const uint64_t *row = img->role_closure +
		                      (size_t)lk[0].hit->aux[3] * img->role_words;
		for (uint32_t w = 0; w < img->role_words; w += 8)
			__builtin_prefetch(row + w);
	}
	uint64_t active[PDP_ROLE_WORDS_MAX];
	if (session == NULL && !q->roles_given && img->n_dsd == 0) {
		d.active = NULL;
		if (d.principal != PDP_NONE) {
			d.assigned = img_rec(img, SEC_PRINROLES, lk[0].hit->aux[0]);
			d.n_assigned = lk[0].hit->aux[1];
		}
	} else {
		uint32_t detail = PDP_NONE;
		pdp_reason why = activate(img, q, d.principal, session, active,
		                          &detail);
		if (why != PDP_REASON_RULE) {
			set_reason(out, why, detail);
			return PDP_OK;
		}
		d.active = active;
	}
	if (img->prefetch)
		prefetch_rule_data(spans, q->n_acps);
	d.country = -1;
	if (q->country.ptr != NULL) {
		d.country = country_code(q->country);
		if (d.country < 0)
			d.country = -2;
	}
	bool full = trace != NULL && trace->on_rule != NULL;
	bool have_permit = false;
	size_t permit_acp = 0;
	uint32_t permit_rule = 0;
	for (size_t i = 0; i < q->n_acps; i++) {
		d.seg = spans[i].seg;
		uint32_t first = spans[i].first, n = spans[i].n;
		for (uint32_t j = 0; j < n; j++) {
			const uint32_t *rule = img_rec(d.seg, SEC_RULES, first + j);
			if (!full && !(rule[RW_OPS] & q->operation))
				continue;
			rule_result rr;
			tri t = rule_eval(&d, rule, &rr, full);
			if (full)
				trace->on_rule(trace->ctx, d.seg, spans[i].acp, first + j,
				               &rr);
			if (rule[RW_FLAGS] & RULE_FLAG_DENY) {
				if (t != T_FALSE) {
					set_reason(out, PDP_REASON_RULE, PDP_NONE);
					out->acp = spans[i].acp;
					out->self = q->self;
					out->rule = j;
					out->indeterminate = t == T_INDET;
					return PDP_OK;
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
		return PDP_OK;
	}
	set_reason(out, PDP_REASON_NO_RULE_MATCHED, PDP_NONE);
	return PDP_OK;
}

pdp_status pdp_decide(const pdp_image *img, pdp_scratch *scratch,
                      const pdp_request *req, pdp_decision *out)
{
	pdp_status st = eval_decide(img, scratch, req, NULL, out, NULL);
	eval_log(scratch, img, req, out, st);
	return st;
}
