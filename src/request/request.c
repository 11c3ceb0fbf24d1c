/*
 * request.c - YAML request -> pdp_request. A request that cannot be
 * understood is marked bad with the first problem and its position, so the
 * caller answers deny bad-request for it and goes on with the next one.
 *
 * Values are typed by the YAML 1.2 core schema, as a JSON or YAML reader
 * would type them: a plain 3 is an integer, a plain true a boolean, a quoted
 * "3" a string. An attribute value keeps its own type; when that is not the
 * declared type, the evaluator makes every test reading it indeterminate
 * (docs/language.md 9.4). Nothing is coerced.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request/request.h"
#include "common/limits.h"
#include "image/format.h"

/* Notes kept in full for one request; more are counted. */
#define REQ_MAX_NOTES 8u

typedef struct rctx {
	cc *c;
	parsed_request *out;
	size_t extra_notes;
} rctx;

/* printf into c's arena; a fixed text when memory runs out. */
static const char *arena_vprintf(cc *c, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	char *s = n >= 0 ? cc_alloc(c, (size_t)n + 1) : NULL;
	if (s == NULL)
		return "out of memory";
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static const char *arena_printf(cc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *arena_printf(cc *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *s = arena_vprintf(c, fmt, ap);
	va_end(ap);
	return s;
}

static bool bad(rctx *r, const ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool bad(rctx *r, const ynode *n, const char *fmt, ...)
{
	if (!r->out->ok)
		return false;
	r->out->ok = false;
	va_list ap;
	va_start(ap, fmt);
	const char *msg = arena_vprintf(r->c, fmt, ap);
	va_end(ap);
	r->out->error = arena_printf(r->c, "%u:%u: %s", n ? n->pos.line : 0,
	                             n ? n->pos.col : 0, msg);
	return false;
}

static void note(rctx *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(rctx *r, const char *fmt, ...)
{
	parsed_request *pr = r->out;
	if (pr->n_notes >= REQ_MAX_NOTES) {
		r->extra_notes++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	const char *s = arena_vprintf(r->c, fmt, ap);
	va_end(ap);
	pr->notes = pr->notes ? arena_printf(r->c, "%s; %s", pr->notes, s) : s;
	pr->n_notes++;
}

/* ---- the YAML 1.2 core schema (YAML 1.2.2 section 10.3.2) ---- */

typedef enum ykind {
	Y_NULL, Y_BOOL, Y_INT, Y_BIG_INT, Y_FLOAT, Y_STRING, Y_LIST, Y_MAP
} ykind;

typedef struct yvalue {
	ykind kind;
	bool b;
	int64_t i;
	double f;
} yvalue;

static const char *ykind_name(ykind k)
{
	static const char *const N[] = {
		"null", "a boolean", "an integer", "an integer outside 64 bits",
		"a float", "a string", "a list", "a mapping"};
	return N[k];
}

static bool one_of(const ynode *n, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (yn_is(n, words[i]))
			return true;
	return false;
}

static int digit_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return 99;
}

/* [-+]?[0-9]+, 0o[0-7]+ or 0x[0-9a-fA-F]+. *big when it does not fit in
 * int64. */
static bool core_int(const char *s, size_t len, int64_t *out, bool *big)
{
	unsigned base = 10;
	bool neg = false;
	size_t i = 0;
	if (len > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		base = s[1] == 'o' ? 8 : 16;
		i = 2;
	} else if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return false;
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	*big = false;
	for (; i < len; i++) {
		int d = digit_value(s[i]);
		if (d < 0 || (unsigned)d >= base)
			return false;
		if (v > (lim - (unsigned)d) / base)
			*big = true;
		else
			v = v * base + (unsigned)d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static size_t digits(const char *s, size_t len, size_t i)
{
	size_t n = 0;
	while (i + n < len && s[i + n] >= '0' && s[i + n] <= '9')
		n++;
	return n;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, .inf, .nan. */
static bool core_float(const ynode *n, double *out)
{
	static const char *const INF[] = {".inf", ".Inf", ".INF", "+.inf",
	                                  "+.Inf", "+.INF", NULL};
	static const char *const NINF[] = {"-.inf", "-.Inf", "-.INF", NULL};
	static const char *const NAN_[] = {".nan", ".NaN", ".NAN", NULL};
	if (one_of(n, INF) || one_of(n, NINF) || one_of(n, NAN_)) {
		*out = one_of(n, NAN_) ? NAN : one_of(n, INF) ? INFINITY : -INFINITY;
		return true;
	}
	const char *s = n->str;
	size_t len = n->len, i = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	size_t whole = digits(s, len, i), frac = 0;
	i += whole;
	if (i < len && s[i] == '.') {
		frac = digits(s, len, i + 1);
		i += 1 + frac;
		if (whole == 0 && frac == 0)
			return false;
	} else if (whole == 0)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = digits(s, len, i);
		if (e == 0)
			return false;
		i += e;
	}
	if (i != len)
		return false;
	*out = strtod(s, NULL);
	return true;
}

/* The type a YAML 1.2 (or JSON) reader gives the node. */
static yvalue core_value(const ynode *n)
{
	static const char *const NUL[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const TRUE_[] = {"true", "True", "TRUE", NULL};
	static const char *const FALSE_[] = {"false", "False", "FALSE", NULL};
	yvalue v;
	memset(&v, 0, sizeof(v));
	bool big;
	if (n->kind != YN_SCALAR)
		v.kind = n->kind == YN_SEQ ? Y_LIST : Y_MAP;
	else if (!n->plain)
		v.kind = Y_STRING;
	else if (n->len == 0 || one_of(n, NUL))
		v.kind = Y_NULL;
	else if (one_of(n, TRUE_) || one_of(n, FALSE_)) {
		v.kind = Y_BOOL;
		v.b = one_of(n, TRUE_);
	} else if (core_int(n->str, n->len, &v.i, &big))
		v.kind = big ? Y_BIG_INT : Y_INT;
	else if (core_float(n, &v.f))
		v.kind = Y_FLOAT;
	else
		v.kind = Y_STRING;
	return v;
}

/* ---- keys ---- */

static int cmp_key_text(const void *a, const void *b)
{
	const ynode *x = *(const ynode *const *)a, *y = *(const ynode *const *)b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int r = x->len ? memcmp(x->str, y->str, x->len) : 0;
	if (r != 0)
		return r;
	/* equal keys: the earlier one first, so the later is reported */
	return x->pos.line != y->pos.line ? (x->pos.line < y->pos.line ? -1 : 1)
	                                  : (x->pos.col > y->pos.col) -
	                                            (x->pos.col < y->pos.col);
}

/* A request with a key given twice is ambiguous: refuse it rather than
 * pick one (the policy loader does the same for policies). Sorted, so a
 * mapping with many keys costs n log n. */
static bool no_duplicate_keys(rctx *r, const ynode *map)
{
	size_t pairs = map->n / 2, n = 0;
	if (map->kind != YN_MAP || pairs < 2)
		return true;
	const ynode **keys = cc_alloc(r->c, pairs * sizeof(*keys));
	if (keys == NULL)
		return bad(r, map, "out of memory");
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->items[i]->kind == YN_SCALAR)
			keys[n++] = map->items[i];
	qsort(keys, n, sizeof(*keys), cmp_key_text);
	for (size_t i = 1; i < n; i++)
		if (keys[i]->len == keys[i - 1]->len &&
		    memcmp(keys[i]->str, keys[i - 1]->str, keys[i]->len) == 0)
			return bad(r, keys[i], "duplicate key '%s'", keys[i]->str);
	return true;
}

/* Every key of map is one of known (where: "in target", or NULL for the
 * request itself), each once. */
static bool known_keys(rctx *r, const ynode *map, const char *const *known,
                       const char *where)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const ynode *k = map->items[i];
		const char *name = k->kind == YN_SCALAR ? k->str : "?";
		if (one_of(k, known))
			continue;
		if (where == NULL)
			return bad(r, k, "unknown request key '%s'", name);
		return bad(r, k, "unknown key '%s' in %s", name, where);
	}
	return no_duplicate_keys(r, map);
}

/* ---- built-in fields ---- */

static bool get_str(rctx *r, const ynode *n, const char *what, pdp_str *out)
{
	yvalue v = core_value(n);
	if (v.kind != Y_STRING)
		return bad(r, n, "%s must be a string, not %s%s", what,
		           ykind_name(v.kind),
		           n->kind == YN_SCALAR ? " (quote it)" : "");
	out->ptr = n->str;
	out->len = n->len;
	return true;
}

static bool str_list(rctx *r, const ynode *n, const char *what,
                     const pdp_str **items, size_t *count)
{
	if (n->kind != YN_SEQ)
		return bad(r, n, "%s must be a list of strings", what);
	pdp_str *v = cc_alloc(r->c, (n->n + 1) * sizeof(pdp_str));
	if (v == NULL)
		return bad(r, n, "out of memory");
	for (size_t i = 0; i < n->n; i++)
		if (!get_str(r, n->items[i], what, &v[i]))
			return false;
	*items = v;
	*count = n->n;
	return true;
}

static bool get_bool(rctx *r, const ynode *n, const char *what, bool *out)
{
	yvalue v = core_value(n);
	if (v.kind != Y_BOOL)
		return bad(r, n, "%s must be true or false, not %s", what,
		           ykind_name(v.kind));
	*out = v.b;
	return true;
}

static bool get_number(rctx *r, const ynode *n, const char *what, double *out)
{
	yvalue v = core_value(n);
	if (v.kind == Y_INT)
		v.f = (double)v.i;
	if ((v.kind != Y_INT && v.kind != Y_FLOAT) || !isfinite(v.f))
		return bad(r, n, "%s must be a finite number, not %s", what,
		           v.kind == Y_FLOAT ? "infinite or NaN" : ykind_name(v.kind));
	*out = v.f;
	return true;
}

static bool read_operation(rctx *r, const ynode *n)
{
	yvalue v = core_value(n);
	uint32_t op = 0;
	if (v.kind == Y_STRING)
		op = pdp_operation_from_name((pdp_str){n->str, n->len});
	else if (v.kind == Y_INT && v.i > 0 && v.i <= 32 && (v.i & (v.i - 1)) == 0)
		op = (uint32_t)v.i;
	if (op != 0) {
		r->out->req.operation = op;
		return true;
	}
	if (v.kind == Y_STRING && n->len > 0 && digit_value(n->str[0]) < 10)
		return bad(r, n, "operation '%s' is a string: write a bit value as "
		                 "a number, without quotes",
		           n->str);
	return bad(r, n,
	           "unknown operation '%s' (create, retrieve, update, delete, "
	           "notify, discover or 1,2,4,8,16,32)",
	           n->kind == YN_SCALAR ? n->str : ykind_name(v.kind));
}

static bool read_type(rctx *r, const ynode *n, int32_t *out, const char *what)
{
	yvalue v = core_value(n);
	int32_t t = -1;
	if (v.kind == Y_STRING && n->len > 0 && digit_value(n->str[0]) < 10)
		return bad(r, n, "%s '%s' is a string: write a type number as a "
		                 "number, without quotes",
		           what, n->str);
	if (v.kind == Y_STRING)
		t = rtype_from_name((pdp_str){n->str, n->len});
	else if (v.kind == Y_INT && v.i >= 1 && v.i <= INT32_MAX)
		t = (int32_t)v.i;
	if (t < 0)
		return bad(r, n, "unknown resource type '%s' in %s",
		           n->kind == YN_SCALAR ? n->str : ykind_name(v.kind), what);
	*out = t;
	return true;
}

static bool read_target(rctx *r, const ynode *n)
{
	static const char *const keys[] = {"acps", "type", "child_type",
	                                   "specialization", "self", NULL};
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP)
		return bad(r, n, "target must be a mapping");
	if (!known_keys(r, n, keys, "target"))
		return false;
	ynode *v;
	if ((v = yn_get(n, "acps")) == NULL)
		return bad(r, n, "target has no 'acps'");
	if (!str_list(r, v, "target.acps", &q->acps, &q->n_acps))
		return false;
	if ((v = yn_get(n, "type")) != NULL &&
	    !read_type(r, v, &q->type, "target.type"))
		return false;
	if ((v = yn_get(n, "child_type")) != NULL &&
	    !read_type(r, v, &q->child_type, "target.child_type"))
		return false;
	if ((v = yn_get(n, "specialization")) != NULL &&
	    !get_str(r, v, "target.specialization", &q->specialization))
		return false;
	if ((v = yn_get(n, "self")) != NULL &&
	    !get_bool(r, v, "target.self", &q->self))
		return false;
	return true;
}

static bool read_location(rctx *r, const ynode *v)
{
	static const char *const keys[] = {"lat", "lon", NULL};
	pdp_request *q = &r->out->req;
	ynode *lat = yn_get(v, "lat"), *lon = yn_get(v, "lon");
	if (v->kind != YN_MAP || lat == NULL || lon == NULL)
		return bad(r, v, "env.location must be {lat: .., lon: ..}");
	if (!known_keys(r, v, keys, "env.location") ||
	    !get_number(r, lat, "env.location.lat", &q->lat) ||
	    !get_number(r, lon, "env.location.lon", &q->lon))
		return false;
	q->has_location = true;
	return true;
}

static bool read_env(rctx *r, const ynode *n)
{
	static const char *const keys[] = {"time", "ip", "country", "location",
	                                   NULL};
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP)
		return bad(r, n, "env must be a mapping");
	if (!known_keys(r, n, keys, "env"))
		return false;
	ynode *v;
	prim_err e;
	pdp_str s = {NULL, 0};
	if ((v = yn_get(n, "time")) != NULL) {
		if (!get_str(r, v, "env.time", &s))
			return false;
		if (!time_parse_rfc3339(s.ptr, s.len, &q->time, &e))
			return bad(r, v, "env.time is not an RFC 3339 date-time: %s",
			           e.message);
		q->has_time = true;
	}
	if ((v = yn_get(n, "ip")) != NULL) {
		if (!get_str(r, v, "env.ip", &s))
			return false;
		if (!ip_parse(s.ptr, s.len, &q->ip, NULL, &e))
			return bad(r, v, "env.ip is not an IP address: %s", e.message);
		q->has_ip = true;
	}
	if ((v = yn_get(n, "country")) != NULL &&
	    !get_str(r, v, "env.country", &q->country))
		return false;
	if ((v = yn_get(n, "location")) != NULL && !read_location(r, v))
		return false;
	return true;
}

/* ---- attributes ---- */

static const char *type_name(pdp_type t)
{
	static const char *const N[] = {"none", "int", "string", "bool",
	                                "ip", "time", "set<string>"};
	return (unsigned)t < 7 ? N[t] : "?";
}

/* A list of strings is a set<string>; a list of other scalars a value of
 * no type (NONE); a list holding lists or mappings is no value at all. */
static bool list_value(rctx *r, const ynode *key, const ynode *n,
                       pdp_value *v)
{
	pdp_str *items = cc_alloc(r->c, (n->n + 1) * sizeof(pdp_str));
	if (items == NULL)
		return bad(r, n, "out of memory");
	bool strings = true;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *it = n->items[i];
		if (it->kind != YN_SCALAR)
			return bad(r, it, "attribute '%s': a list holds strings, not %s",
			           key->str, ykind_name(core_value(it).kind));
		strings &= core_value(it).kind == Y_STRING;
		items[i].ptr = it->str;
		items[i].len = it->len;
	}
	v->type = strings ? PDP_TYPE_SET : PDP_TYPE_NONE;
	v->u.set.items = items;
	v->u.set.count = n->n;
	return true;
}

/* A string is an ip or time when the attribute is declared so and the text
 * parses as one; otherwise it stays a string. */
static void string_value(const ynode *n, pdp_type declared, pdp_value *v)
{
	prim_err e;
	if (declared == PDP_TYPE_IP && ip_parse(n->str, n->len, &v->u.ip, NULL, &e))
		v->type = PDP_TYPE_IP;
	else if (declared == PDP_TYPE_TIME &&
	         time_parse_rfc3339(n->str, n->len, &v->u.t, &e))
		v->type = PDP_TYPE_TIME;
	else {
		v->type = PDP_TYPE_STRING;
		v->u.s.ptr = n->str;
		v->u.s.len = n->len;
	}
}

/* The value as its own type says (the core schema), not as declared: a
 * value of another type makes the tests reading it indeterminate. */
static bool read_attr_value(rctx *r, const ynode *key, const ynode *n,
                            pdp_type declared, pdp_value *v)
{
	memset(v, 0, sizeof(*v));
	yvalue y = core_value(n);
	switch (y.kind) {
	case Y_MAP:
		return bad(r, n, "attribute '%s' is a mapping: a value is a scalar "
		                 "or a list of strings",
		           key->str);
	case Y_LIST:
		if (!list_value(r, key, n, v))
			return false;
		break;
	case Y_STRING:
		string_value(n, declared, v);
		break;
	case Y_INT:
		v->type = PDP_TYPE_INT;
		v->u.i = y.i;
		break;
	case Y_BOOL:
		v->type = PDP_TYPE_BOOL;
		v->u.b = y.b;
		break;
	default: /* a float, an integer beyond 64 bits: no pdp type */
		v->type = PDP_TYPE_NONE;
		break;
	}
	if (v->type != declared)
		note(r, "attribute '%s' is %s%s, not %s: tests reading it are "
		        "indeterminate",
		     key->str, ykind_name(y.kind),
		     y.kind == Y_LIST && v->type == PDP_TYPE_NONE ? " of non-strings"
		     : y.kind == Y_STRING && declared == PDP_TYPE_IP
		             ? " that is not an IP address"
		     : y.kind == Y_STRING && declared == PDP_TYPE_TIME
		             ? " that is not an RFC 3339 date-time"
		             : "",
		     type_name(declared));
	return true;
}

/* attrs: resolve each name against the image once, here, so the decision
 * compares ids. What the policy cannot use (null, undeclared, built in) is
 * a note, not an error: a CSE sends the same attributes to every policy
 * version, and a request must not turn bad because a policy stopped
 * declaring one. */
static bool read_attrs(rctx *r, const ynode *n, const pdp_image *img)
{
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP)
		return bad(r, n, "attrs must be a mapping");
	if (!no_duplicate_keys(r, n))
		return false;
	pdp_attr *a = cc_alloc(r->c, (n->n / 2 + 1) * sizeof(pdp_attr));
	if (a == NULL)
		return bad(r, n, "out of memory");
	size_t k = 0;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const ynode *key = n->items[i], *val = n->items[i + 1];
		if (key->kind != YN_SCALAR)
			return bad(r, key, "attribute names must be strings");
		if (core_value(val).kind == Y_NULL) {
			note(r, "attribute '%s' is null: treated as absent", key->str);
			continue;
		}
		uint32_t id = pdp_attr_id(img, (pdp_str){key->str, key->len});
		if (id == PDP_NONE) {
			note(r, "attribute '%s' is not declared by the policy; ignored",
			     key->str);
			continue;
		}
		if (id < IMG_BUILTIN_ATTRS) {
			note(r, "'%s' is built in and comes from the request fields; "
			        "ignored in attrs",
			     key->str);
			continue;
		}
		a[k].id = id;
		if (!read_attr_value(r, key, val, pdp_attr_type(img, id), &a[k].value))
			return false;
		k++;
	}
	q->attrs = a;
	q->n_attrs = k;
	return true;
}

/* ---- one request ---- */

/* One request mapping, key by key in the order of docs/language.md
 * section 10; the first problem marks it bad at its position and stops
 * (the caller answers deny bad-request and reads on). */
static void read_request(rctx *r, ynode *n, const pdp_image *img)
{
	static const char *const keys[] = {"originator", "roles", "authenticated",
	                                   "operation", "target", "env", "attrs",
	                                   NULL};
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP) {
		bad(r, n, "a request is a mapping (a JSON object), not %s",
		    ykind_name(core_value(n).kind));
		return;
	}
	if (!known_keys(r, n, keys, NULL))
		return;
	ynode *v;
	if ((v = yn_get(n, "originator")) == NULL) {
		bad(r, n, "request has no 'originator'");
		return;
	}
	if (core_value(v).kind == Y_NULL || (v->kind == YN_SCALAR && v->len == 0)) {
		bad(r, v, "originator is empty");
		return;
	}
	if (!get_str(r, v, "originator", &q->originator))
		return;
	if ((v = yn_get(n, "roles")) != NULL) {
		if (!str_list(r, v, "roles", &q->roles, &q->n_roles))
			return;
		q->roles_given = true;
	}
	if ((v = yn_get(n, "authenticated")) != NULL &&
	    !get_bool(r, v, "authenticated", &q->authenticated))
		return;
	if ((v = yn_get(n, "operation")) == NULL) {
		bad(r, n, "request has no 'operation'");
		return;
	}
	if (!read_operation(r, v))
		return;
	if ((v = yn_get(n, "target")) == NULL) {
		bad(r, n, "request has no 'target'");
		return;
	}
	if (!read_target(r, v))
		return;
	if ((v = yn_get(n, "env")) != NULL && !read_env(r, v))
		return;
	if ((v = yn_get(n, "attrs")) != NULL)
		read_attrs(r, v, img);
}

/* A good empty request at n's position, and the reading context. */
static rctx start(cc *c, const ynode *n, parsed_request *out)
{
	memset(out, 0, sizeof(*out));
	pdp_request_init(&out->req);
	out->ok = true;
	out->pos = n->pos;
	return (rctx){c, out, 0};
}

/* Notes beyond REQ_MAX_NOTES, counted. */
static void finish(rctx *r)
{
	if (r->extra_notes > 0)
		r->out->notes = arena_printf(r->c, "%s; and %zu more", r->out->notes,
		                             r->extra_notes);
}

void request_from_node(cc *c, ynode *n, const pdp_image *img,
                       parsed_request *out)
{
	rctx r = start(c, n, out);
	read_request(&r, n, img);
	finish(&r);
}

bool request_attrs_from_node(cc *c, const ynode *n, const pdp_image *img,
                             parsed_request *out)
{
	rctx r = start(c, n, out);
	read_attrs(&r, n, img);
	finish(&r);
	return out->ok;
}

void request_bad(cc *c, srcpos pos, parsed_request *out, const char *fmt, ...)
{
	memset(out, 0, sizeof(*out));
	pdp_request_init(&out->req);
	out->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	const char *msg = arena_vprintf(c, fmt, ap);
	va_end(ap);
	out->error = arena_printf(c, "%u:%u: %s", pos.line, pos.col, msg);
}
