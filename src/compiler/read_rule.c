/*
 * read_rule.c - one rule of the `pdp: 1` form (originators, operations,
 * contexts, authenticated, objects, when, effect, id) and the `when`
 * condition tree. Literals in conditions are kept as nodes and typed during
 * resolve, when every file's attribute declarations are known.
 */
#include <stdio.h>
#include <string.h>

#include "common/limits.h"
#include "compiler/cc.h"

static bool read_one_op(cc *c, ynode *n, bool allow_mask, uint32_t *ops)
{
	if (n->kind != YN_SCALAR || n->len == 0) {
		cc_error(c, n->pos, DIAG_E_OPERATION,
		         "expected an operation name or number, found %s",
		         yn_kind_name(n));
		return false;
	}
	if (yn_is(n, "all")) {
		*ops |= PDP_OP_ALL;
		return true;
	}
	/* the operation names are the evaluator's (eval/names.c) */
	uint32_t bit = pdp_operation_from_name((pdp_str){n->str, n->len});
	if (bit != 0) {
		*ops |= bit;
		return true;
	}
	if (n->str[0] >= '0' && n->str[0] <= '9') {
		int64_t v;
		if (!read_int(c, n, &v))
			return false;
		bool single = v > 0 && (v & (v - 1)) == 0;
		if (v < 1 || v > 63 || (!allow_mask && !single)) {
			cc_error(c, n->pos, DIAG_E_OPERATION,
			         "operation %s is out of range: use 1-63 (create=1, "
			         "retrieve=2, update=4, delete=8, notify=16, "
			         "discover=32)",
			         n->str);
			return false;
		}
		*ops |= (uint32_t)v;
		return true;
	}
	cc_suggest sg;
	cc_suggest_init(&sg, n->str, n->len);
	for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1)
		cc_suggest_try(&sg, pdp_operation_name(op),
		               strlen(pdp_operation_name(op)));
	cc_suggest_try(&sg, "all", 3);
	char hint[64];
	cc_report(c, n->pos, DIAG_E_OPERATION,
	          cc_suggest_hint(&sg, hint, sizeof(hint))
	              ? hint
	              : "expected one of: create retrieve update delete notify "
	                "discover all",
	          "unknown operation '%s'", n->str);
	return false;
}

bool read_operations(cc *c, ynode *n, uint32_t *ops)
{
	*ops = 0;
	if (n->kind == YN_SCALAR)
		return read_one_op(c, n, true, ops);
	if (n->kind != YN_SEQ) {
		cc_error(c, n->pos, DIAG_E_TYPE,
		         "expected a list of operation names, 'all' or a bitmask "
		         "for operations");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n->n; i++)
		ok &= read_one_op(c, n->items[i], true, ops);
	if (n->n == 0) {
		cc_error(c, n->pos, DIAG_E_OPERATION,
		         "operations is empty: the rule could never apply; list "
		         "operations or remove the rule");
		return false;
	}
	return ok;
}

static bool expect_seq(cc *c, ynode *n, const char *what)
{
	if (n->kind == YN_SEQ)
		return true;
	cc_error(c, n->pos, DIAG_E_TYPE, "expected a list for %s, found %s", what,
	         yn_kind_name(n));
	return false;
}

static bool expect_map(cc *c, ynode *n, const char *what)
{
	if (n->kind == YN_MAP)
		return true;
	cc_error(c, n->pos, DIAG_E_TYPE, "expected a mapping for %s, found %s", what,
	         yn_kind_name(n));
	return false;
}

/* One originator entry: all, group:NAME, role:NAME, a glob or an exact id. */
static bool read_orig(cc *c, ynode *n, bool native, m_orig *o)
{
	const char *s;
	if (!read_string(c, n, &s))
		return false;
	memset(o, 0, sizeof(*o));
	o->pos = n->pos;
	o->native = native;
	o->name = s;
	o->len = n->len;
	if (n->len == 0) {
		cc_error(c, n->pos, DIAG_E_ORIGINATOR, "empty originator");
		return false;
	}
	if (n->len > PDP_MAX_ID_BYTES) {
		cc_error(c, n->pos, DIAG_E_LIMIT,
		         "originator longer than %u bytes", PDP_MAX_ID_BYTES);
		return false;
	}
	if (yn_is(n, "group:") || yn_is(n, "role:")) {
		cc_error(c, n->pos, DIAG_E_ORIGINATOR,
		         "'%s' names no %s; write %sNAME", s,
		         s[0] == 'g' ? "group" : "role", s);
		return false;
	}
	pdp_str str = {s, n->len};
	if (yn_is(n, "all")) {
		o->kind = ORIG_ALL;
	} else if (n->len > 6 && memcmp(s, "group:", 6) == 0) {
		o->kind = ORIG_GROUP;
		o->name = s + 6;
		o->len = n->len - 6;
	} else if (n->len > 5 && memcmp(s, "role:", 5) == 0) {
		o->kind = ORIG_ROLE;
		o->name = s + 5;
		o->len = n->len - 5;
	} else if (glob_has_wildcard(str)) {
		o->kind = ORIG_GLOB;
	} else {
		o->kind = ORIG_EXACT;
		o->bare = true;
	}
	return true;
}

bool read_originators(cc *c, ynode *n, bool native, m_rule *r)
{
	if (!expect_seq(c, n, native ? "acor" : "originators"))
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		m_orig o;
		if (read_orig(c, n->items[i], native, &o))
			VEC_PUSH(c, r->origs, o);
		else
			ok = false;
	}
	return ok;
}

static bool read_string_list(cc *c, ynode *n, const char *what,
                             bool (*each)(cc *, ynode *, void *), void *ctx)
{
	if (!expect_seq(c, n, what))
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->n; i++)
		ok &= each(c, n->items[i], ctx);
	return ok;
}

static bool push_window(cc *c, ynode *n, void *ctx)
{
	m_context *x = ctx;
	m_window w;
	if (!read_window_node(c, n, &w))
		return false;
	VEC_PUSH(c, x->windows, w);
	return true;
}

static bool push_cidr(cc *c, ynode *n, void *ctx)
{
	m_context *x = ctx;
	m_cidr w;
	if (!read_cidr_node(c, n, &w))
		return false;
	VEC_PUSH(c, x->cidrs, w);
	return true;
}

static bool push_country(cc *c, ynode *n, void *ctx)
{
	m_context *x = ctx;
	uint32_t code;
	if (!read_country_node(c, n, &code))
		return false;
	VEC_PUSH(c, x->countries, code);
	return true;
}

static bool push_circle_map(cc *c, ynode *n, void *ctx)
{
	m_context *x = ctx;
	static const char *const keys[] = {"lat", "lon", "radius", NULL};
	if (!expect_map(c, n, "a circle"))
		return false;
	check_keys(c, n, keys, "circle");
	ynode *lat = yn_get(n, "lat"), *lon = yn_get(n, "lon"),
	      *rad = yn_get(n, "radius");
	if (lat == NULL || lon == NULL || rad == NULL) {
		cc_error(c, n->pos, DIAG_E_MISSING,
		         "a circle needs lat, lon and radius (metres)");
		return false;
	}
	m_circle ci;
	if (!read_circle(c, lat, lon, rad, n->pos, &ci))
		return false;
	VEC_PUSH(c, x->circles, ci);
	return true;
}

static bool read_context(cc *c, ynode *n, m_context *x)
{
	static const char *const keys[] = {"window", "ip", "region", NULL};
	static const char *const rkeys[] = {"countries", "circles", NULL};
	memset(x, 0, sizeof(*x));
	x->pos = n->pos;
	if (!expect_map(c, n, "a context"))
		return false;
	check_keys(c, n, keys, "context");
	bool ok = true;
	ynode *v;
	if ((v = yn_get(n, "window")) != NULL)
		ok &= read_string_list(c, v, "window", push_window, x);
	if ((v = yn_get(n, "ip")) != NULL)
		ok &= read_string_list(c, v, "ip", push_cidr, x);
	if ((v = yn_get(n, "region")) != NULL) {
		if (!expect_map(c, v, "region"))
			return false;
		check_keys(c, v, rkeys, "region");
		ynode *w;
		if ((w = yn_get(v, "countries")) != NULL)
			ok &= read_string_list(c, w, "countries", push_country, x);
		if ((w = yn_get(v, "circles")) != NULL)
			ok &= read_string_list(c, w, "circles", push_circle_map, x);
	}
	return ok;
}

static bool push_type(cc *c, ynode *n, void *ctx)
{
	VEC(int32_t) *v = ctx;
	int32_t t;
	if (!read_rtype_node(c, n, &t))
		return false;
	VEC_PUSH(c, *v, t);
	return true;
}

static bool push_spec(cc *c, ynode *n, void *ctx)
{
	VEC(const char *) *v = ctx;
	const char *s;
	if (!read_string(c, n, &s))
		return false;
	VEC_PUSH(c, *v, s);
	return true;
}

static bool read_object(cc *c, ynode *n, m_object *o)
{
	static const char *const keys[] = {"types", "specializations",
	                                   "child_types", NULL};
	memset(o, 0, sizeof(*o));
	o->pos = n->pos;
	if (!expect_map(c, n, "an object entry"))
		return false;
	check_keys(c, n, keys, "objects entry");
	bool ok = true;
	ynode *v;
	if ((v = yn_get(n, "types")) != NULL)
		ok &= read_string_list(c, v, "types", push_type, &o->types);
	if ((v = yn_get(n, "specializations")) != NULL)
		ok &= read_string_list(c, v, "specializations", push_spec,
		                       &o->specs);
	if ((v = yn_get(n, "child_types")) != NULL)
		ok &= read_string_list(c, v, "child_types", push_type,
		                       &o->child_types);
	return ok;
}

/* One rule of the pdp: 1 form. Unknown keys are errors (a misspelt
 * restriction would otherwise widen access), `originators` and
 * `operations` are required, and each part is read even after an error in
 * another, so that one run reports every problem of the rule. */
m_rule *read_rule(cc *c, ynode *n, bool self)
{
	static const char *const keys[] = {
		"originators", "operations", "contexts", "authenticated",
		"objects", "when", "effect", "id", "description", NULL};
	if (!expect_map(c, n, "a rule"))
		return NULL;
	check_keys(c, n, keys, "rule");
	m_rule *r = cc_alloc(c, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->pos = n->pos;
	r->self = self;
	bool ok = true;
	ynode *v;
	if ((v = yn_get(n, "originators")) != NULL)
		ok &= read_originators(c, v, false, r);
	else {
		cc_error(c, n->pos, DIAG_E_MISSING,
		         "rule has no 'originators' (use [all] for anyone)");
		ok = false;
	}
	if ((v = yn_get(n, "operations")) != NULL)
		ok &= read_operations(c, v, &r->ops);
	else {
		cc_error(c, n->pos, DIAG_E_MISSING,
		         "rule has no 'operations' (e.g. [retrieve] or all)");
		ok = false;
	}
	if ((v = yn_get(n, "contexts")) != NULL && expect_seq(c, v, "contexts")) {
		for (size_t i = 0; i < v->n; i++) {
			m_context x;
			if (read_context(c, v->items[i], &x))
				VEC_PUSH(c, r->contexts, x);
			else
				ok = false;
		}
	} else if (v != NULL)
		ok = false;
	if ((v = yn_get(n, "authenticated")) != NULL)
		ok &= read_bool(c, v, &r->auth);
	if ((v = yn_get(n, "objects")) != NULL && expect_seq(c, v, "objects")) {
		for (size_t i = 0; i < v->n; i++) {
			m_object o;
			if (read_object(c, v->items[i], &o))
				VEC_PUSH(c, r->objects, o);
			else
				ok = false;
		}
	} else if (v != NULL)
		ok = false;
	if ((v = yn_get(n, "when")) != NULL) {
		r->when = read_cond(c, v, 1);
		ok &= r->when != NULL;
	}
	if ((v = yn_get(n, "effect")) != NULL) {
		if (yn_is(v, "deny"))
			r->deny = true;
		else if (!yn_is(v, "permit")) {
			cc_report(c, v->pos, DIAG_E_EFFECT,
			          "expected one of: permit deny",
			          "unknown effect '%s'",
			          v->kind == YN_SCALAR ? v->str : yn_kind_name(v));
			ok = false;
		}
	}
	if ((v = yn_get(n, "id")) != NULL)
		ok &= read_string(c, v, &r->id);
	if ((v = yn_get(n, "description")) != NULL && v->kind != YN_SCALAR) {
		cc_error(c, v->pos, DIAG_E_TYPE, "description must be a string");
		ok = false;
	}
	return ok ? r : NULL;
}

/* ---- conditions ---- */


/* One `when` node: a combinator (all, any, not) or a test (attr plus one
 * operator). The right side is kept as a YAML node: its type depends on
 * the attribute's declaration, which resolve knows and the reader does
 * not. Depth is bounded so that the evaluator's recursion is. */
m_cond *read_cond(cc *c, ynode *n, unsigned depth)
{
	if (depth > PDP_MAX_COND_DEPTH) {
		cc_error(c, n->pos, DIAG_E_LIMIT,
		         "condition nested deeper than %u levels; simplify it",
		         PDP_MAX_COND_DEPTH);
		return NULL;
	}
	if (!expect_map(c, n, "a condition"))
		return NULL;
	m_cond *k = cc_alloc(c, sizeof(*k));
	if (k == NULL)
		return NULL;
	k->pos = n->pos;
	ynode *v;
	if (n->n == 2 && ((v = yn_get(n, "all")) != NULL ||
	                  (v = yn_get(n, "any")) != NULL)) {
		k->op = yn_get(n, "all") != NULL ? COP_ALL : COP_ANY;
		if (!expect_seq(c, v, k->op == COP_ALL ? "all" : "any"))
			return NULL;
		bool ok = true;
		for (size_t i = 0; i < v->n; i++) {
			m_cond *kid = read_cond(c, v->items[i], depth + 1);
			if (kid == NULL)
				ok = false;
			else
				VEC_PUSH(c, k->kids, kid);
		}
		return ok ? k : NULL;
	}
	if (n->n == 2 && (v = yn_get(n, "not")) != NULL) {
		k->op = COP_NOT;
		m_cond *kid = read_cond(c, v, depth + 1);
		if (kid == NULL)
			return NULL;
		VEC_PUSH(c, k->kids, kid);
		return k;
	}
	ynode *attr = yn_get(n, "attr");
	if (attr == NULL) {
		cc_report(c, n->pos, DIAG_E_COND,
		          "write {attr: NAME, OP: VALUE}, {all: [...]}, {any: [...]} "
		          "or {not: ...}",
		          "condition needs 'attr' and one operator, or all/any/not");
		return NULL;
	}
	if (!read_string(c, attr, &k->attr))
		return NULL;
	k->attr_pos = attr->pos;
	bool have_op = false;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		ynode *key = n->items[i], *val = n->items[i + 1];
		if (yn_is(key, "attr"))
			continue;
		bool known = false;
		/* the operators a policy writes as `{op: ...}`: format.h's
		 * table, its leaf entries */
		for (uint32_t j = 0; j < COP_COUNT; j++) {
			if (img_cond_op(j)->form != COP_FORM_LEAF ||
			    !yn_is(key, img_cond_op_name(j)))
				continue;
			known = true;
			if (have_op) {
				cc_error(c, key->pos, DIAG_E_COND,
				         "a condition takes exactly one operator; "
				         "combine several with all: [...]");
				return NULL;
			}
			have_op = true;
			k->op = j;
			k->rhs_node = val;
			k->rhs_pos = val->pos;
			k->op_pos = key->pos;
		}
		if (!known) {
			cc_report(c, key->pos, DIAG_E_UNKNOWN_KEY,
			          "operators: eq ne lt le gt ge in contains matches "
			          "prefix in_cidr present",
			          "unknown condition operator '%s'",
			          key->kind == YN_SCALAR ? key->str : "?");
			return NULL;
		}
	}
	if (!have_op) {
		cc_error(c, n->pos, DIAG_E_COND,
		         "condition on '%s' has no operator (eq, ge, in, ...)",
		         k->attr);
		return NULL;
	}
	return k;
}
