/*
 * request.c - YAML request -> pdp_request. A request that cannot be
 * understood is marked bad with the first problem and its position, so the
 * caller answers deny bad-request for it and goes on with the next one.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/request.h"
#include "common/limits.h"
#include "image/format.h"

typedef struct rctx {
	cc *c;
	parsed_request *out;
} rctx;

static bool bad(rctx *r, const ynode *n, const char *fmt, const char *arg)
{
	if (!r->out->ok)
		return false;
	r->out->ok = false;
	char msg[200];
	snprintf(msg, sizeof(msg), fmt, arg ? arg : "");
	snprintf(r->out->error, sizeof(r->out->error), "%u:%u: %s",
	         n ? n->pos.line : 0, n ? n->pos.col : 0, msg);
	return false;
}

static void note(rctx *r, const char *fmt, const char *arg)
{
	size_t o = strlen(r->out->notes);
	if (o + 2 >= sizeof(r->out->notes))
		return;
	snprintf(r->out->notes + o, sizeof(r->out->notes) - o, "%s", o ? "; " : "");
	o = strlen(r->out->notes);
	snprintf(r->out->notes + o, sizeof(r->out->notes) - o, fmt, arg);
}

/* A YAML null: empty plain scalar, ~ or null. */
static bool is_null(const ynode *n)
{
	return n->kind == YN_SCALAR && n->plain &&
	       (n->len == 0 || yn_is(n, "~") || yn_is(n, "null") ||
	        yn_is(n, "Null") || yn_is(n, "NULL"));
}

/* A request with a key given twice is ambiguous: refuse it rather than
 * pick one (the policy loader does the same for policies). */
static bool no_duplicate_keys(rctx *r, const ynode *map)
{
	if (map->kind != YN_MAP)
		return true;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		for (size_t j = 0; j < i; j += 2) {
			const ynode *a = map->items[j], *b = map->items[i];
			if (a->kind == YN_SCALAR && b->kind == YN_SCALAR &&
			    a->len == b->len && memcmp(a->str, b->str, a->len) == 0)
				return bad(r, b, "duplicate key '%s'", b->str);
		}
	return true;
}

static bool scalar(rctx *r, const ynode *n, const char *what)
{
	if (n->kind == YN_SCALAR)
		return true;
	return bad(r, n, "%s must be a scalar", what);
}

static bool get_str(rctx *r, const ynode *n, const char *what, pdp_str *out)
{
	if (!scalar(r, n, what))
		return false;
	out->ptr = n->str;
	out->len = n->len;
	return true;
}

static bool str_list(rctx *r, const ynode *n, const char *what,
                     const pdp_str **items, size_t *count)
{
	if (n->kind != YN_SEQ)
		return bad(r, n, "%s must be a list", what);
	pdp_str *v = cc_alloc(r->c, (n->n + 1) * sizeof(pdp_str));
	if (v == NULL)
		return bad(r, n, "out of memory%s", "");
	for (size_t i = 0; i < n->n; i++)
		if (!get_str(r, n->items[i], what, &v[i]))
			return false;
	*items = v;
	*count = n->n;
	return true;
}

static bool parse_bool(const ynode *n, bool *out)
{
	if (n->kind != YN_SCALAR)
		return false;
	if (yn_is(n, "true") || yn_is(n, "True") || yn_is(n, "TRUE")) {
		*out = true;
		return true;
	}
	if (yn_is(n, "false") || yn_is(n, "False") || yn_is(n, "FALSE")) {
		*out = false;
		return true;
	}
	return false;
}

static bool parse_i64(const ynode *n, int64_t *out)
{
	if (n->kind != YN_SCALAR || n->len == 0 || n->len > 20)
		return false;
	char buf[32];
	memcpy(buf, n->str, n->len);
	buf[n->len] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (*end != '\0' || end == buf || errno != 0)
		return false;
	*out = v;
	return true;
}

static bool parse_f64(const ynode *n, double *out)
{
	if (n->kind != YN_SCALAR || n->len == 0 || n->len > 60)
		return false;
	char buf[64];
	memcpy(buf, n->str, n->len);
	buf[n->len] = '\0';
	char *end;
	double v = strtod(buf, &end);
	if (*end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

static bool read_operation(rctx *r, const ynode *n)
{
	if (!scalar(r, n, "operation"))
		return false;
	pdp_str s = {n->str, n->len};
	uint32_t op = pdp_operation_from_name(s);
	int64_t v;
	if (op == 0 && parse_i64(n, &v) && v > 0 && v <= 32 && (v & (v - 1)) == 0)
		op = (uint32_t)v;
	if (op == 0)
		return bad(r, n,
		           "unknown operation '%s' (create, retrieve, update, "
		           "delete, notify, discover or 1,2,4,8,16,32)",
		           n->str);
	r->out->req.operation = op;
	return true;
}

static bool read_type(rctx *r, const ynode *n, int32_t *out, const char *what)
{
	if (!scalar(r, n, what))
		return false;
	pdp_str s = {n->str, n->len};
	int32_t t = rtype_from_name(s);
	if (t < 0)
		return bad(r, n, "unknown resource type '%s'", n->str);
	*out = t;
	return true;
}

static bool read_target(rctx *r, const ynode *n)
{
	static const char *const keys[] = {"acps", "type", "child_type",
	                                   "specialization", "self", NULL};
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP)
		return bad(r, n, "target must be a mapping%s", "");
	if (!no_duplicate_keys(r, n))
		return false;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const ynode *k = n->items[i];
		bool known = false;
		for (size_t j = 0; keys[j]; j++)
			known |= yn_is(k, keys[j]);
		if (!known)
			return bad(r, k, "unknown key '%s' in target", k->str);
	}
	ynode *v;
	if ((v = yn_get(n, "acps")) == NULL)
		return bad(r, n, "target has no 'acps'%s", "");
	if (!str_list(r, v, "target.acps", &q->acps, &q->n_acps))
		return false;
	if ((v = yn_get(n, "type")) != NULL && !read_type(r, v, &q->type, "type"))
		return false;
	if ((v = yn_get(n, "child_type")) != NULL &&
	    !read_type(r, v, &q->child_type, "child_type"))
		return false;
	if ((v = yn_get(n, "specialization")) != NULL &&
	    !get_str(r, v, "specialization", &q->specialization))
		return false;
	if ((v = yn_get(n, "self")) != NULL && !parse_bool(v, &q->self))
		return bad(r, v, "self must be true or false%s", "");
	return true;
}

static bool read_env(rctx *r, const ynode *n)
{
	static const char *const keys[] = {"time", "ip", "country", "location",
	                                   NULL};
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP)
		return bad(r, n, "env must be a mapping%s", "");
	if (!no_duplicate_keys(r, n))
		return false;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		bool known = false;
		for (size_t j = 0; keys[j]; j++)
			known |= yn_is(n->items[i], keys[j]);
		if (!known)
			return bad(r, n->items[i], "unknown key '%s' in env",
			           n->items[i]->str);
	}
	ynode *v;
	prim_err e;
	if ((v = yn_get(n, "time")) != NULL) {
		if (!scalar(r, v, "env.time"))
			return false;
		if (!time_parse_rfc3339(v->str, v->len, &q->time, &e))
			return bad(r, v, "env.time is not an RFC 3339 date-time: %s",
			           e.message);
		q->has_time = true;
	}
	if ((v = yn_get(n, "ip")) != NULL) {
		if (!scalar(r, v, "env.ip"))
			return false;
		if (!ip_parse(v->str, v->len, &q->ip, NULL, &e))
			return bad(r, v, "env.ip is not an IP address: %s", e.message);
		q->has_ip = true;
	}
	if ((v = yn_get(n, "country")) != NULL &&
	    !get_str(r, v, "env.country", &q->country))
		return false;
	if ((v = yn_get(n, "location")) != NULL) {
		ynode *lat = yn_get(v, "lat"), *lon = yn_get(v, "lon");
		if (v->kind != YN_MAP || lat == NULL || lon == NULL || v->n != 4 ||
		    !no_duplicate_keys(r, v))
			return bad(r, v, "env.location must be {lat: .., lon: ..}%s", "");
		if (!parse_f64(lat, &q->lat) || !parse_f64(lon, &q->lon))
			return bad(r, v, "env.location needs numeric lat and lon%s", "");
		q->has_location = true;
	}
	return true;
}

/* Convert one attribute value to its declared type. A value that does not
 * convert is kept with type NONE: every comparison reading it is then
 * indeterminate (fail safe), and the note says why. */
static void read_attr_value(rctx *r, const ynode *n, pdp_type t, pdp_value *v)
{
	memset(v, 0, sizeof(*v));
	prim_err e;
	bool ok = false;
	switch (t) {
	case PDP_TYPE_INT:
		ok = parse_i64(n, &v->u.i);
		break;
	case PDP_TYPE_STRING:
		ok = n->kind == YN_SCALAR;
		v->u.s.ptr = n->str;
		v->u.s.len = n->len;
		break;
	case PDP_TYPE_BOOL:
		ok = parse_bool(n, &v->u.b);
		break;
	case PDP_TYPE_IP:
		ok = n->kind == YN_SCALAR && ip_parse(n->str, n->len, &v->u.ip, NULL, &e);
		break;
	case PDP_TYPE_TIME:
		ok = n->kind == YN_SCALAR &&
		     time_parse_rfc3339(n->str, n->len, &v->u.t, &e);
		break;
	case PDP_TYPE_SET:
		if (n->kind == YN_SEQ) {
			pdp_str *items = cc_alloc(r->c, (n->n + 1) * sizeof(pdp_str));
			ok = items != NULL;
			for (size_t i = 0; ok && i < n->n; i++) {
				ok = n->items[i]->kind == YN_SCALAR;
				if (ok) {
					items[i].ptr = n->items[i]->str;
					items[i].len = n->items[i]->len;
				}
			}
			v->u.set.items = items;
			v->u.set.count = n->n;
		}
		break;
	default:
		break;
	}
	v->type = ok ? t : PDP_TYPE_NONE;
}

static bool read_attrs(rctx *r, const ynode *n, const pdp_image *img)
{
	pdp_request *q = &r->out->req;
	if (n->kind != YN_MAP)
		return bad(r, n, "attrs must be a mapping%s", "");
	if (!no_duplicate_keys(r, n))
		return false;
	pdp_attr *a = cc_alloc(r->c, (n->n / 2 + 1) * sizeof(pdp_attr));
	if (a == NULL)
		return bad(r, n, "out of memory%s", "");
	size_t k = 0;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const ynode *key = n->items[i], *val = n->items[i + 1];
		if (key->kind != YN_SCALAR)
			return bad(r, key, "attribute names must be strings%s", "");
		pdp_str name = {key->str, key->len};
		if (is_null(val)) {
			note(r, "attribute '%s' is null: treated as absent", key->str);
			continue;
		}
		uint32_t id = pdp_attr_id(img, name);
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
		read_attr_value(r, val, pdp_attr_type(img, id), &a[k].value);
		if (a[k].value.type == PDP_TYPE_NONE)
			note(r, "attribute '%s' does not convert to its declared type; "
			        "comparisons reading it are indeterminate",
			     key->str);
		k++;
	}
	q->attrs = a;
	q->n_attrs = k;
	return true;
}

void request_from_node(cc *c, ynode *n, const pdp_image *img, bool fill_now,
                       pdp_time now, parsed_request *out)
{
	static const char *const keys[] = {"originator", "roles", "authenticated",
	                                   "operation", "target", "env", "attrs",
	                                   "name", "expect", NULL};
	memset(out, 0, sizeof(*out));
	pdp_request_init(&out->req);
	out->ok = true;
	out->pos = n->pos;
	rctx r = {c, out};
	pdp_request *q = &out->req;
	if (n->kind != YN_MAP) {
		bad(&r, n, "a request must be a mapping%s", "");
		return;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const ynode *k = n->items[i];
		bool known = false;
		for (size_t j = 0; keys[j]; j++)
			known |= yn_is(k, keys[j]);
		if (!known) {
			bad(&r, k, "unknown request key '%s'",
			    k->kind == YN_SCALAR ? k->str : "?");
			return;
		}
	}
	if (!no_duplicate_keys(&r, n))
		return;
	ynode *v;
	if ((v = yn_get(n, "originator")) == NULL) {
		bad(&r, n, "request has no 'originator'%s", "");
		return;
	}
	if (is_null(v) || (v->kind == YN_SCALAR && v->len == 0)) {
		bad(&r, v, "originator is empty%s", "");
		return;
	}
	if (!get_str(&r, v, "originator", &q->originator))
		return;
	if ((v = yn_get(n, "roles")) != NULL) {
		if (!str_list(&r, v, "roles", &q->roles, &q->n_roles))
			return;
		q->roles_given = true;
	}
	if ((v = yn_get(n, "authenticated")) != NULL &&
	    !parse_bool(v, &q->authenticated)) {
		bad(&r, v, "authenticated must be true or false%s", "");
		return;
	}
	if ((v = yn_get(n, "operation")) == NULL) {
		bad(&r, n, "request has no 'operation'%s", "");
		return;
	}
	if (!read_operation(&r, v))
		return;
	if ((v = yn_get(n, "target")) == NULL) {
		bad(&r, n, "request has no 'target'%s", "");
		return;
	}
	if (!read_target(&r, v))
		return;
	if ((v = yn_get(n, "env")) != NULL && !read_env(&r, v))
		return;
	if ((v = yn_get(n, "attrs")) != NULL && !read_attrs(&r, v, img))
		return;
	if (!q->has_time && fill_now) {
		q->has_time = true;
		q->time = now;
		out->time_defaulted = true;
	}
}

static void requests_from_docs(cc *c, const ynode_vec *docs,
                               const pdp_image *img, bool fill_now,
                               pdp_time now, parsed_requests *out)
{
	for (size_t d = 0; d < docs->n; d++) {
		ynode *doc = docs->items[d];
		size_t n = doc->kind == YN_SEQ ? doc->n : 1;
		for (size_t i = 0; i < n; i++) {
			ynode *item = doc->kind == YN_SEQ ? doc->items[i] : doc;
			parsed_request pr;
			request_from_node(c, item, img, fill_now, now, &pr);
			VEC_PUSH(c, *out, pr);
		}
	}
}

/* True when every non-blank line starts with '{' and there are several:
 * JSON Lines, a common way to stream requests, which is not one YAML
 * document. */
static bool looks_like_json_lines(const char *data, size_t len)
{
	size_t objects = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *q = p;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < e) {
			if (*q != '{')
				return false;
			objects++;
		}
		p = nl ? nl + 1 : end;
	}
	return objects > 1;
}

/* Move a tree parsed from one line to that line of its file. The depth is
 * bounded by the YAML loader's limit. */
static void shift_lines(ynode *n, uint32_t by)
{
	n->pos.line += by;
	for (size_t i = 0; i < n->n; i++)
		shift_lines(n->items[i], by);
}

/* JSON Lines: each non-blank line is its own document; a line that is not
 * readable is one bad request at its own line, and the others are still
 * read. */
static bool requests_from_lines(cc *c, uint32_t file, const pdp_image *img,
                                bool fill_now, pdp_time now,
                                parsed_requests *out)
{
	/* copies: adding sources may move the source table */
	size_t len = c->sources.items[file].len;
	char *data = malloc(len + 1);
	char *name = strdup(c->sources.items[file].name);
	bool ok = data != NULL && name != NULL;
	if (ok)
		memcpy(data, c->sources.items[file].data, len);
	const char *p = data, *end = data + len;
	uint32_t line = 1;
	while (ok && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		bool blank = true;
		for (const char *q = p; q < e; q++)
			blank &= *q == ' ' || *q == '\t' || *q == '\r';
		if (!blank) {
			size_t diags = pdpc_diag_count(c);
			ynode_vec docs = {0};
			ok = pdpc_add_buffer(c, name, p, (size_t)(e - p)) == PDPC_OK;
			if (ok && yaml_load_docs(c, (uint32_t)(c->sources.n - 1), &docs)) {
				for (size_t d = 0; d < docs.n; d++)
					shift_lines(docs.items[d], line - 1);
				requests_from_docs(c, &docs, img, fill_now, now, out);
			} else if (ok) {
				const pdpc_diag *dg = pdpc_diag_count(c) > diags
				                              ? pdpc_diag_get(c, diags)
				                              : NULL;
				parsed_request bad;
				memset(&bad, 0, sizeof(bad));
				pdp_request_init(&bad.req);
				bad.pos.line = line;
				snprintf(bad.error, sizeof(bad.error), "%u:%u: %s", line,
				         dg ? dg->col : 0,
				         dg ? dg->message : "unreadable line");
				VEC_PUSH(c, *out, bad);
			}
			ok = ok && !c->oom;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	free(data);
	free(name);
	return ok;
}

bool requests_parse(cc *c, uint32_t file, const pdp_image *img,
                    bool fill_now, pdp_time now, parsed_requests *out)
{
	ynode_vec docs = {0};
	if (yaml_load_docs(c, file, &docs)) {
		requests_from_docs(c, &docs, img, fill_now, now, out);
		return !c->oom;
	}
	if (c->oom || !looks_like_json_lines(c->sources.items[file].data,
	                                     c->sources.items[file].len))
		return false;
	return requests_from_lines(c, file, img, fill_now, now, out);
}
