/*
 * grant_solve.c - the working request of a what-would-grant search and
 * the `when` solver (grant.h). The solver walks a condition tree and
 * picks, leaf by leaf, a value that makes the leaf what the tree needs:
 * the literal of `eq`, one past the bound of `lt`, the first item of
 * `in`, the network address of `in_cidr`, a string built from the
 * pattern of `matches`, and so on. Whether the leaf then holds is never
 * assumed: the evaluator's own code decides it (eval_cond_node), so a
 * value the solver gets wrong is a value it does not offer. A leaf that
 * holds locks what it read, so that a later leaf cannot undo it; `any`
 * tries its children from a snapshot and keeps the first that works.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/grant.h"
#include "common/prims.h"

struct gr_block {
	gr_block *next;
	max_align_t data[];
};

void *gr_alloc(gr_arena *a, size_t n)
{
	gr_block *b = malloc(sizeof(gr_block) + n + 1);
	if (b == NULL)
		return NULL;
	b->next = a->head;
	a->head = b;
	return b->data;
}

void gr_arena_free(gr_arena *a)
{
	while (a->head != NULL) {
		gr_block *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

/* ---- the working request ---- */

bool gr_work_init(gr_work *w, const pdp_image *img, pdp_scratch *scratch,
                  pdp_str orig, const pdp_request *base, gr_arena *arena)
{
	memset(w, 0, sizeof(*w));
	w->img = img;
	w->scratch = scratch;
	w->orig = orig;
	w->base = base;
	w->arena = arena;
	w->n_vals = img->count[SEC_ATTRS];
	w->vals = calloc(w->n_vals + 1, sizeof(gr_val));
	w->attrs = calloc(w->n_vals + 1, sizeof(pdp_attr));
	if (w->vals == NULL || w->attrs == NULL) {
		gr_work_free(w);
		return false;
	}
	gr_work_reset(w);
	return true;
}

void gr_work_reset(gr_work *w)
{
	const pdp_request *b = w->base;
	w->req = *b;
	w->loc_locked = false;
	memset(w->vals, 0, w->n_vals * sizeof(gr_val));
	for (uint32_t id = 0; id < IMG_BUILTIN_ATTRS && id < w->n_vals; id++)
		w->vals[id].lock = GR_FIXED;
	if (w->n_vals > BATTR_ENV_COUNTRY) {
		gr_val *t = &w->vals[BATTR_ENV_TIME], *ip = &w->vals[BATTR_ENV_IP],
		       *cc = &w->vals[BATTR_ENV_COUNTRY];
		t->present = b->has_time;
		t->v.type = PDP_TYPE_TIME;
		t->v.u.t = b->time;
		ip->present = b->has_ip;
		ip->v.type = PDP_TYPE_IP;
		ip->v.u.ip = b->ip;
		cc->present = b->country.ptr != NULL;
		cc->v.type = PDP_TYPE_STRING;
		cc->v.u.s = b->country;
		t->lock = ip->lock = cc->lock = GR_FREE;
	}
	/* the first value of an attribute is the one a decision reads */
	for (size_t i = b->n_attrs; i-- > 0;) {
		uint32_t id = b->attrs[i].id;
		if (id >= IMG_BUILTIN_ATTRS && id < w->n_vals) {
			w->vals[id].present = true;
			w->vals[id].v = b->attrs[i].value;
		}
	}
	gr_sync(w);
}

void gr_work_free(gr_work *w)
{
	free(w->vals);
	free(w->attrs);
	w->vals = NULL;
	w->attrs = NULL;
}

void gr_sync(gr_work *w)
{
	if (w->n_vals > BATTR_ENV_COUNTRY) {
		const gr_val *t = &w->vals[BATTR_ENV_TIME],
		             *ip = &w->vals[BATTR_ENV_IP],
		             *cc = &w->vals[BATTR_ENV_COUNTRY];
		w->req.has_time = t->present;
		w->req.time = t->v.u.t;
		w->req.has_ip = ip->present;
		w->req.ip = ip->v.u.ip;
		w->req.country = cc->present ? cc->v.u.s : (pdp_str){NULL, 0};
	}
	size_t n = 0;
	for (uint32_t id = IMG_BUILTIN_ATTRS; id < w->n_vals; id++)
		if (w->vals[id].present) {
			w->attrs[n].id = id;
			w->attrs[n++].value = w->vals[id].v;
		}
	w->req.attrs = w->attrs;
	w->req.n_attrs = n;
}

tri gr_eval(gr_work *w, uint32_t idx)
{
	gr_sync(w);
	return eval_cond_node(w->img, w->scratch, &w->req, w->orig, idx);
}

/* ---- values ---- */

static pdp_type attr_type(const gr_work *w, uint32_t attr)
{
	return (pdp_type)img_attr(w->img, attr)->type;
}

static pdp_str str_dup2(gr_work *w, pdp_str a, const char *suffix)
{
	size_t n = strlen(suffix);
	char *p = gr_alloc(w->arena, a.len + n);
	if (p == NULL) {
		w->nomem = true;
		return (pdp_str){"", 0};
	}
	if (a.len > 0)
		memcpy(p, a.ptr, a.len);
	memcpy(p + a.len, suffix, n);
	return (pdp_str){p, a.len + n};
}

static bool str_eq(pdp_str a, pdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* A string other than every item of list k (an `in` list): the first item
 * with "-x" appended until it is no item. */
static pdp_str string_not_in(gr_work *w, const img_cond_rec *k)
{
	pdp_str s = k->count > 0 ? img_str(w->img, img_word(w->img, SEC_LISTITEMS,
	                                                    k->first))
	                         : (pdp_str){"x", 1};
	for (int tries = 0; tries <= (int)k->count; tries++) {
		bool hit = false;
		for (uint32_t i = 0; i < k->count && !hit; i++)
			hit = str_eq(img_str(w->img, img_word(w->img, SEC_LISTITEMS,
			                                      k->first + i)),
			             s);
		if (!hit)
			return s;
		s = str_dup2(w, s, "-x");
	}
	return s;
}

/* A string the pattern may match, read off its text: literal characters
 * and escapes kept, `.` and classes as one character of theirs, `?` and
 * `*` dropping what they repeat, the first branch of `|`. Good for the
 * patterns policies use (prefixes, anchored ids, digit runs); the caller
 * checks the result with the real regex, so a miss is only a miss. */
static bool string_matching(gr_work *w, pdp_str pat, pdp_str *out)
{
	char *p = gr_alloc(w->arena, pat.len + 1);
	if (p == NULL) {
		w->nomem = true;
		return false;
	}
	size_t n = 0, last = 0; /* last: where the latest atom starts */
	int depth = 0;
	for (size_t i = 0; i < pat.len; i++) {
		char c = pat.ptr[i];
		if (c == '^' && i == 0)
			continue;
		if (c == '$' && i + 1 == pat.len)
			break;
		if (c == '|') {
			if (depth == 0)
				break;
			/* the rest of this group's branches */
			int d = depth;
			while (i + 1 < pat.len && d >= depth) {
				i++;
				d += pat.ptr[i] == '(' ? 1 : pat.ptr[i] == ')' ? -1 : 0;
			}
			depth--;
			continue;
		}
		if (c == '(') {
			depth++;
			if (i + 2 < pat.len && pat.ptr[i + 1] == '?' && pat.ptr[i + 2] == ':')
				i += 2;
			continue;
		}
		if (c == ')') {
			depth--;
			continue;
		}
		if (c == '?' || c == '*') {
			n = last; /* zero of the atom */
			continue;
		}
		if (c == '+')
			continue;
		if (c == '{' || c == '$' || c == '^')
			return false;
		last = n;
		if (c == '\\' && i + 1 < pat.len) {
			char e = pat.ptr[++i];
			p[n++] = e == 'd' ? '0' : e == 'w' ? 'a' : e == 's' ? ' ' : e;
			if (e == 'D' || e == 'W' || e == 'S' || e == 'b' || e == 'B')
				return false;
		} else if (c == '.') {
			p[n++] = 'a';
		} else if (c == '[') {
			if (i + 1 >= pat.len || pat.ptr[i + 1] == '^')
				return false;
			p[n++] = pat.ptr[++i];
			while (i + 1 < pat.len && pat.ptr[i] != ']')
				i++;
			if (pat.ptr[i] != ']')
				return false;
		} else {
			p[n++] = c;
		}
	}
	*out = (pdp_str){p, n};
	return true;
}

/* The right side of leaf k as a value of the attribute's type: a literal,
 * or the working value of the attribute it names. */
static bool rhs_value(gr_work *w, const img_cond_rec *k, pdp_type t,
                      pdp_value *v)
{
	memset(v, 0, sizeof(*v));
	v->type = t;
	if (k->rhs_kind == RHS_ATTR) {
		if (k->rhs >= w->n_vals || k->rhs < IMG_BUILTIN_ATTRS ||
		    !w->vals[k->rhs].present ||
		    w->vals[k->rhs].v.type != t)
			return false;
		*v = w->vals[k->rhs].v;
		return true;
	}
	switch (t) {
	case PDP_TYPE_INT: v->u.i = img_int(w->img, k->rhs); break;
	case PDP_TYPE_STRING:
	case PDP_TYPE_SET: v->u.s = img_str(w->img, k->rhs); break;
	case PDP_TYPE_BOOL: v->u.b = k->rhs == 1; break;
	case PDP_TYPE_IP: img_cidr_addr(img_cidr(w->img, k->rhs), &v->u.ip); break;
	case PDP_TYPE_TIME: v->u.t = img_time(w->img, k->rhs); break;
	default: return false;
	}
	return true;
}

/* The comparison that holds exactly when op does not (for present
 * values): eq/ne, lt/ge, le/gt. */
static uint32_t negated(uint32_t op)
{
	switch (op) {
	case COP_EQ: return COP_NE;
	case COP_NE: return COP_EQ;
	case COP_LT: return COP_GE;
	case COP_GE: return COP_LT;
	case COP_LE: return COP_GT;
	case COP_GT: return COP_LE;
	default: return op;
	}
}

/* An int satisfying `x op r`. */
static bool int_for(uint32_t op, int64_t r, int64_t *x)
{
	switch (op) {
	case COP_EQ: case COP_LE: case COP_GE: *x = r; return true;
	case COP_NE: *x = r == INT64_MAX ? r - 1 : r + 1; return true;
	case COP_LT: *x = r - 1; return r != INT64_MIN;
	case COP_GT: *x = r + 1; return r != INT64_MAX;
	default: return false;
	}
}

/* A value x of type t with `x op r` (op one of eq ne lt le gt ge; strings,
 * bools and addresses only eq and ne). */
static bool relative(gr_work *w, pdp_type t, uint32_t op, const pdp_value *r,
                     pdp_value *x)
{
	memset(x, 0, sizeof(*x));
	x->type = t;
	bool eq_ne = op == COP_EQ || op == COP_NE;
	switch (t) {
	case PDP_TYPE_INT:
		return int_for(op, r->u.i, &x->u.i);
	case PDP_TYPE_STRING:
		x->u.s = op == COP_EQ ? r->u.s : str_dup2(w, r->u.s, "-x");
		return eq_ne;
	case PDP_TYPE_BOOL:
		x->u.b = op == COP_EQ ? r->u.b : !r->u.b;
		return eq_ne;
	case PDP_TYPE_IP:
		x->u.ip = r->u.ip;
		if (op == COP_NE)
			x->u.ip.b[15] ^= 1;
		return eq_ne;
	case PDP_TYPE_TIME: {
		int64_t sec;
		if (!int_for(op, r->u.t.sec, &sec))
			return false;
		x->u.t.sec = sec;
		x->u.t.nsec = op == COP_EQ || op == COP_LE || op == COP_GE
		                      ? r->u.t.nsec
		                      : 0;
		return true;
	}
	default:
		return false;
	}
}

/* `a op b` as `b mirrored(op) a`. */
static uint32_t mirrored(uint32_t op)
{
	switch (op) {
	case COP_LT: return COP_GT;
	case COP_GT: return COP_LT;
	case COP_LE: return COP_GE;
	case COP_GE: return COP_LE;
	default: return op;
	}
}

/* A value for the attribute of leaf k that makes the leaf want (true or
 * false), given that it is present with its declared type. */
static bool value_for(gr_work *w, const img_cond_rec *k, bool want,
                      pdp_value *v)
{
	pdp_type t = attr_type(w, k->attr);
	const pdp_image *img = w->img;
	uint32_t op = want ? k->op : negated(k->op);
	pdp_value r;
	memset(v, 0, sizeof(*v));
	v->type = t;
	bool have_r = k->rhs_kind == RHS_LIT || k->rhs_kind == RHS_ATTR
	                      ? rhs_value(w, k, t, &r)
	                      : false;
	switch (t) {
	case PDP_TYPE_INT:
		if (k->op == COP_IN) {
			if (k->count == 0) {
				v->u.i = 0;
				return !want;
			}
			if (want) {
				v->u.i = img_int(img, img_word(img, SEC_LISTITEMS, k->first));
				return true;
			}
			int64_t hi = INT64_MIN;
			for (uint32_t i = 0; i < k->count; i++) {
				int64_t x = img_int(img, img_word(img, SEC_LISTITEMS, k->first + i));
				hi = x > hi ? x : hi;
			}
			if (hi == INT64_MAX)
				return false;
			v->u.i = hi + 1;
			return true;
		}
		return have_r && relative(w, t, op, &r, v);
	case PDP_TYPE_STRING:
		switch (k->op) {
		case COP_IN:
			if (want && k->count == 0)
				return false;
			v->u.s = want ? img_str(img, img_word(img, SEC_LISTITEMS, k->first))
			              : string_not_in(w, k);
			return true;
		case COP_PREFIX:
			if (!have_r || (!want && r.u.s.len == 0))
				return false;
			v->u.s = want ? r.u.s : (pdp_str){"", 0};
			return true;
		case COP_MATCHES:
			if (want)
				return string_matching(w, img_str(img, img_word(img, SEC_REGEXES,
				                                               k->rhs)),
				                       &v->u.s);
			v->u.s = (pdp_str){"", 0};
			return true;
		default:
			return have_r && relative(w, t, op, &r, v);
		}
	case PDP_TYPE_BOOL:
		return have_r && relative(w, t, op, &r, v);
	case PDP_TYPE_IP:
		if (k->op == COP_IN_CIDR) {
			if (want) {
				if (k->count == 0)
					return false;
				img_cidr_addr(img_cidr(img, k->first), &v->u.ip);
				return true;
			}
			/* an address in none of the ranges: try a few far apart */
			static const uint8_t far[4] = {0, 255, 127, 1};
			for (int a = 0; a < 4; a++) {
				memset(&v->u.ip, far[a], sizeof(v->u.ip));
				v->u.ip.b[15] ^= 1;
				bool in = false;
				for (uint32_t i = 0; i < k->count && !in; i++) {
					const img_cidr_rec *c = img_cidr(img, k->first + i);
					pdp_ip net;
					img_cidr_addr(c, &net);
					in = cidr_contains(&net, c->prefix, &v->u.ip);
				}
				if (!in)
					return true;
			}
			return false;
		}
		return have_r && relative(w, t, op, &r, v);
	case PDP_TYPE_TIME:
		return have_r && relative(w, t, op, &r, v);
	case PDP_TYPE_SET: {
		if (!have_r)
			return false;
		const gr_val *cur = &w->vals[k->attr];
		size_t n = cur->present && cur->v.type == PDP_TYPE_SET
		                   ? cur->v.u.set.count
		                   : 0;
		pdp_str *items = gr_alloc(w->arena, (n + 1) * sizeof(pdp_str));
		if (items == NULL) {
			w->nomem = true;
			return false;
		}
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (!str_eq(cur->v.u.set.items[i], r.u.s))
				items[m++] = cur->v.u.set.items[i];
		if (want)
			items[m++] = r.u.s;
		v->u.set.items = items;
		v->u.set.count = m;
		return true;
	}
	default:
		return false;
	}
}

/* Some value of type t, for `present: true`. */
static pdp_value any_value(pdp_type t)
{
	pdp_value v;
	memset(&v, 0, sizeof(v));
	v.type = t;
	if (t == PDP_TYPE_STRING)
		v.u.s = (pdp_str){"x", 1};
	if (t == PDP_TYPE_IP)
		v.u.ip.b[10] = v.u.ip.b[11] = 0xff; /* 0.0.0.0 */
	return v;
}

/* ---- the solver ---- */

/* Lock at least at level what leaf k reads (both sides). */
static void lock_leaf(gr_work *w, const img_cond_rec *k, int level)
{
	uint32_t ids[2] = {k->attr, k->rhs_kind == RHS_ATTR ? k->rhs : PDP_NONE};
	for (int i = 0; i < 2; i++)
		if (ids[i] < w->n_vals && w->vals[ids[i]].lock < level)
			w->vals[ids[i]].lock = level;
}

/* Lock what every leaf under idx reads: it holds as it should, keep it. */
static void lock_tree(gr_work *w, uint32_t idx)
{
	const img_cond_rec *k = img_cond(w->img, idx);
	if (img_cond_op(k->op)->form == COP_FORM_LEAF) {
		lock_leaf(w, k, k->op == COP_PRESENT ? (k->rhs == 1 ? GR_PRESENT
		                                                    : GR_ABSENT)
		                                     : GR_VALUE);
		return;
	}
	for (uint32_t i = 0; i < k->count; i++)
		lock_tree(w, img_word(w->img, SEC_CONDKIDS, k->first + i));
}

/* Snapshots of the attribute values, for the branches of any/all. */
static gr_val *snapshot(gr_work *w)
{
	gr_val *s = malloc((w->n_vals + 1) * sizeof(gr_val));
	if (s == NULL)
		w->nomem = true;
	else
		memcpy(s, w->vals, w->n_vals * sizeof(gr_val));
	return s;
}

static void restore(gr_work *w, const gr_val *s)
{
	memcpy(w->vals, s, w->n_vals * sizeof(gr_val));
}

/* Is attribute id's value of the declared type (what a comparison needs)? */
static bool typed(const gr_work *w, uint32_t id)
{
	return id < w->n_vals && w->vals[id].present &&
	       w->vals[id].v.type == attr_type(w, id);
}

static bool changeable(const gr_work *w, uint32_t id)
{
	return id < w->n_vals && w->vals[id].lock < GR_VALUE;
}

/* Set attribute id to v, locked. */
static void set_locked(gr_work *w, uint32_t id, const pdp_value *v)
{
	w->vals[id].present = true;
	w->vals[id].v = *v;
	w->vals[id].lock = GR_VALUE;
}

/* A leaf comparing two attributes: the left one set against the right
 * one's value; else the right one against the left's; else both, the
 * right one first to some value of the type. */
static bool make_pair(gr_work *w, const img_cond_rec *k, uint32_t idx,
                      bool want)
{
	pdp_type t = attr_type(w, k->attr);
	uint32_t op = want ? k->op : negated(k->op);
	tri goal = want ? T_TRUE : T_FALSE;
	uint32_t a = k->attr, b = k->rhs;
	if (b >= w->n_vals)
		return false;
	gr_val sa = w->vals[a], sbv = w->vals[b];
	pdp_value v;
	for (int way = 0; way < 3; way++) {
		bool ok = false;
		if (way == 0 && changeable(w, a) && typed(w, b)) {
			ok = relative(w, t, op, &w->vals[b].v, &v);
			if (ok)
				set_locked(w, a, &v);
		} else if (way == 1 && changeable(w, b) && typed(w, a)) {
			ok = relative(w, t, mirrored(op), &w->vals[a].v, &v);
			if (ok)
				set_locked(w, b, &v);
		} else if (way == 2 && changeable(w, a) && changeable(w, b)) {
			pdp_value r = any_value(t);
			set_locked(w, b, &r);
			ok = relative(w, t, op, &r, &v);
			if (ok)
				set_locked(w, a, &v);
		}
		if (ok && gr_eval(w, idx) == goal) {
			lock_leaf(w, k, GR_VALUE);
			return true;
		}
		w->vals[a] = sa;
		w->vals[b] = sbv;
	}
	return false;
}

static bool make_leaf(gr_work *w, uint32_t idx, bool want)
{
	const img_cond_rec *k = img_cond(w->img, idx);
	if (k->attr >= w->n_vals)
		return false;
	if (k->rhs_kind == RHS_ATTR && k->op != COP_PRESENT)
		return make_pair(w, k, idx, want);
	gr_val *x = &w->vals[k->attr];
	gr_val saved = *x;
	if (k->op == COP_PRESENT) {
		bool present = (k->rhs == 1) == want;
		if (x->lock == GR_FIXED || (present && x->lock == GR_ABSENT) ||
		    (!present && x->lock >= GR_PRESENT))
			return false;
		x->present = present;
		if (present)
			x->v = any_value(attr_type(w, k->attr));
		x->lock = present ? GR_PRESENT : GR_ABSENT;
	} else {
		if (x->lock >= GR_VALUE)
			return false;
		pdp_value v;
		if (!value_for(w, k, want, &v))
			return false;
		x->present = true;
		x->v = v;
		x->lock = GR_VALUE;
	}
	if (gr_eval(w, idx) == (want ? T_TRUE : T_FALSE))
		return true;
	*x = saved;
	return false;
}

/* Every child of combinator k to want. First the children already there
 * are kept (locked) and the others made so in turn; when that fails (a
 * kept child reads what another must change), from the snapshot again in
 * child order, each child kept or made so as it comes. */
static bool make_every_pass(gr_work *w, const img_cond_rec *k, bool want,
                            bool lock_first)
{
	tri goal = want ? T_TRUE : T_FALSE;
	for (uint32_t i = 0; i < k->count && lock_first; i++) {
		uint32_t c = img_word(w->img, SEC_CONDKIDS, k->first + i);
		if (gr_eval(w, c) == goal)
			lock_tree(w, c);
	}
	for (uint32_t i = 0; i < k->count; i++) {
		uint32_t c = img_word(w->img, SEC_CONDKIDS, k->first + i);
		if (gr_eval(w, c) == goal)
			lock_tree(w, c);
		else if (!gr_make(w, c, want))
			return false;
	}
	return true;
}

static bool make_every(gr_work *w, const img_cond_rec *k, bool want)
{
	gr_val *s = snapshot(w);
	if (s == NULL)
		return false;
	bool ok = make_every_pass(w, k, want, true);
	if (!ok) {
		restore(w, s);
		ok = make_every_pass(w, k, want, false);
	}
	if (!ok)
		restore(w, s);
	free(s);
	return ok;
}

/* One child of combinator k to want: one that is already, else the first
 * that can be made so (each tried from the same snapshot). */
static bool make_one(gr_work *w, const img_cond_rec *k, bool want)
{
	tri goal = want ? T_TRUE : T_FALSE;
	for (uint32_t i = 0; i < k->count; i++) {
		uint32_t c = img_word(w->img, SEC_CONDKIDS, k->first + i);
		if (gr_eval(w, c) == goal) {
			lock_tree(w, c);
			return true;
		}
	}
	gr_val *s = snapshot(w);
	if (s == NULL)
		return false;
	bool ok = false;
	for (uint32_t i = 0; i < k->count && !ok; i++) {
		ok = gr_make(w, img_word(w->img, SEC_CONDKIDS, k->first + i), want);
		if (!ok)
			restore(w, s);
	}
	free(s);
	return ok;
}

/* Depth is bounded by the loader's PDP_MAX_COND_DEPTH check. */
bool gr_make(gr_work *w, uint32_t idx, bool want)
{
	if (w->nomem)
		return false;
	if (gr_eval(w, idx) == (want ? T_TRUE : T_FALSE)) {
		lock_tree(w, idx);
		return true;
	}
	const img_cond_rec *k = img_cond(w->img, idx);
	bool ok;
	switch (k->op) {
	case COP_TRUE:
	case COP_FALSE:
		return false;
	case COP_NOT:
		return gr_make(w, img_word(w->img, SEC_CONDKIDS, k->first), !want);
	case COP_ALL:
		ok = want ? make_every(w, k, true) : make_one(w, k, false);
		break;
	case COP_ANY:
		ok = want ? make_one(w, k, true) : make_every(w, k, false);
		break;
	default:
		return make_leaf(w, idx, want);
	}
	/* children made one after another: check the whole */
	return ok && gr_eval(w, idx) == (want ? T_TRUE : T_FALSE);
}
