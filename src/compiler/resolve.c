/*
 * resolve.c - after every file is read: sort the declarations (so output
 * never depends on input order), reject duplicates naming both places,
 * resolve group/role/attribute references, check the role hierarchy for
 * cycles, compute role closures, check SSD over authorized roles, and type
 * the conditions.
 */
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/regex.h"
#include "compiler/cc.h"

static const char *file_name(const cc *c, srcpos p)
{
	return p.file < c->sources.n ? c->sources.items[p.file].name : "?";
}

static int pos_cmp(srcpos a, srcpos b)
{
	if (a.file != b.file)
		return a.file < b.file ? -1 : 1;
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	if (a.col != b.col)
		return a.col < b.col ? -1 : 1;
	return 0;
}

/* Each declaration kind is sorted by name, ties by position, so that the
 * first occurrence stays first and duplicates are adjacent. */
#define DEFINE_SORT(T, field)                                              \
	static int cmp_##T(const void *a, const void *b)                   \
	{                                                                   \
		const T *x = *(T *const *)a, *y = *(T *const *)b;          \
		int r = strcmp(x->field, y->field);                         \
		return r != 0 ? r : pos_cmp(x->pos, y->pos);                \
	}
DEFINE_SORT(m_acp, id)
DEFINE_SORT(m_role, name)
DEFINE_SORT(m_group, name)
DEFINE_SORT(m_assign, user)
DEFINE_SORT(m_attr, name)

static int cmp_constraint(const void *a, const void *b)
{
	const m_constraint *x = *(m_constraint *const *)a,
	                   *y = *(m_constraint *const *)b;
	if (x->dsd != y->dsd)
		return x->dsd ? 1 : -1;
	int r = strcmp(x->name, y->name);
	return r != 0 ? r : pos_cmp(x->pos, y->pos);
}

static void dup_error(cc *c, const char *what, const char *name, srcpos here,
                      srcpos first)
{
	cc_error(c, here, "E-DUPLICATE",
	         "duplicate %s '%s': already defined at %s:%u:%u", what, name,
	         file_name(c, first), first.line, first.col);
}

/* Sort items and drop duplicates (reporting each). */
#define SORT_UNIQUE(c, vec, T, field, what)                                \
	do {                                                                \
		if ((vec).n > 1)                                            \
			qsort((vec).items, (vec).n, sizeof(T *), cmp_##T);  \
		size_t w_ = 0;                                              \
		for (size_t i_ = 0; i_ < (vec).n; i_++) {                    \
			if (w_ > 0 && strcmp((vec).items[w_ - 1]->field,     \
			                     (vec).items[i_]->field) == 0) {   \
				dup_error((c), (what), (vec).items[i_]->field, \
				          (vec).items[i_]->pos,               \
				          (vec).items[w_ - 1]->pos);          \
				continue;                                   \
			}                                                   \
			(vec).items[w_++] = (vec).items[i_];                \
		}                                                           \
		(vec).n = w_;                                               \
	} while (0)

/* Binary search of a name-sorted declaration table (m_role, m_group). */
static uint32_t find_by_name(const void *const *items, size_t n,
                             size_t name_off, const char *name, size_t len)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *s = *(const char *const *)((const char *)items[mid] +
		                                       name_off);
		size_t sl = strlen(s);
		int r = memcmp(s, name, sl < len ? sl : len);
		if (r == 0)
			r = sl < len ? -1 : sl > len ? 1 : 0;
		if (r == 0)
			return (uint32_t)mid;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return IMG_NONE;
}

uint32_t resolve_find_role(const cc *c, const char *name, size_t len)
{
	return find_by_name((const void *const *)c->roles.items, c->roles.n,
	                    offsetof(m_role, name), name, len);
}

uint32_t resolve_find_group(const cc *c, const char *name, size_t len)
{
	return find_by_name((const void *const *)c->groups.items, c->groups.n,
	                    offsetof(m_group, name), name, len);
}


static bool resolve_role_refs(cc *c, void *vec_ptr, const char *ctx)
{
	VEC(m_name_ref) *v = vec_ptr;
	bool ok = true;
	for (size_t i = 0; i < v->n; i++) {
		m_name_ref *r = &v->items[i];
		r->ref = resolve_find_role(c, r->name, strlen(r->name));
		if (r->ref == IMG_NONE) {
			cc_error(c, r->pos, "E-UNDECLARED",
			         "undeclared role '%s' in %s; declare it under roles:",
			         r->name, ctx);
			ok = false;
		}
	}
	return ok;
}

/* ---- role hierarchy ---- */

static size_t role_words(const cc *c)
{
	return (c->roles.n + 63) / 64;
}

static void bit_set(uint64_t *b, uint32_t i)
{
	b[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool bit_get(const uint64_t *b, uint32_t i)
{
	return (b[i / 64] >> (i % 64)) & 1u;
}

typedef struct topo_state {
	srcpos cycle_pos;
	bool has_cycle_pos;
	uint32_t next;
	uint32_t *path;
	size_t path_n;
} topo_state;

/* Depth-first post-order: juniors get image indices before seniors, and a
 * role met again while on the path closes a cycle. Depth is bounded by the
 * role count limit. */
static bool visit_role(cc *c, uint32_t r, topo_state *ts)
{
	m_role *role = c->roles.items[r];
	if (role->state == 2)
		return true;
	if (role->state == 1) {
		char buf[512];
		size_t o = 0;
		size_t start = ts->path_n;
		while (start > 0 && ts->path[start - 1] != r)
			start--;
		if (start > 0)
			start--;
		for (size_t i = start; i < ts->path_n && o < sizeof(buf); i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s -> ",
			                      c->roles.items[ts->path[i]]->name);
		if (o < sizeof(buf))
			snprintf(buf + o, sizeof(buf) - o, "%s", role->name);
		cc_error(c, ts->has_cycle_pos ? ts->cycle_pos : role->pos,
		         "E-ROLE-CYCLE",
		         "role hierarchy has a cycle: %s; remove one inherits "
		         "entry",
		         buf);
		return false;
	}
	role->state = 1;
	ts->path[ts->path_n++] = r;
	size_t w = role_words(c);
	role->closure = cc_alloc(c, w * sizeof(uint64_t));
	if (role->closure == NULL)
		return false;
	bit_set(role->closure, r);
	for (size_t i = 0; i < role->inherits.n; i++) {
		uint32_t j = role->inherits.items[i].ref;
		if (j == IMG_NONE)
			continue;
		if (c->roles.items[j]->state == 1) {
			/* report at the inherits entry that closes the cycle */
			ts->cycle_pos = role->inherits.items[i].pos;
			ts->has_cycle_pos = true;
		}
		if (!visit_role(c, j, ts))
			return false;
		const uint64_t *jc = c->roles.items[j]->closure;
		for (size_t k = 0; k < w; k++)
			role->closure[k] |= jc[k];
	}
	ts->path_n--;
	role->state = 2;
	role->topo = ts->next++;
	return true;
}

static bool resolve_roles(cc *c)
{
	if (c->roles.n > PDP_MAX_ROLES) {
		cc_error(c, c->roles.items[PDP_MAX_ROLES]->pos, "E-LIMIT",
		         "more than %u roles", PDP_MAX_ROLES);
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < c->roles.n; i++) {
		char ctx[300];
		snprintf(ctx, sizeof(ctx), "inherits of '%s'",
		         c->roles.items[i]->name);
		ok &= resolve_role_refs(c, &c->roles.items[i]->inherits, ctx);
	}
	if (!ok)
		return false;
	topo_state ts = {{0, 0, 0}, false, 0, NULL, 0};
	ts.path = calloc(c->roles.n + 1, sizeof(uint32_t));
	if (ts.path == NULL && c->roles.n > 0) {
		c->oom = true;
		return false;
	}
	for (size_t i = 0; i < c->roles.n && ok; i++)
		ok = visit_role(c, (uint32_t)i, &ts);
	free(ts.path);
	return ok;
}

/* Authorized roles of a user: the closure of every assigned role. */
static void authorized_of(const cc *c, const m_assign *a, uint64_t *out)
{
	size_t w = role_words(c);
	memset(out, 0, w * sizeof(uint64_t));
	for (size_t i = 0; i < a->roles.n; i++) {
		uint32_t r = a->roles.items[i].ref;
		if (r == IMG_NONE || c->roles.items[r]->closure == NULL)
			continue;
		for (size_t k = 0; k < w; k++)
			out[k] |= c->roles.items[r]->closure[k];
	}
}

static void check_ssd(cc *c)
{
	size_t w = role_words(c);
	uint64_t *auth = calloc(w ? w : 1, sizeof(uint64_t));
	if (auth == NULL) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < c->assigns.n; i++) {
		const m_assign *a = c->assigns.items[i];
		authorized_of(c, a, auth);
		for (size_t j = 0; j < c->constraints.n; j++) {
			const m_constraint *k = c->constraints.items[j];
			if (k->dsd)
				continue;
			char held[512];
			size_t o = 0;
			uint32_t count = 0;
			held[0] = '\0';
			for (size_t m = 0; m < k->roles.n; m++) {
				uint32_t r = k->roles.items[m].ref;
				if (r == IMG_NONE || !bit_get(auth, r))
					continue;
				count++;
				if (o < sizeof(held))
					o += (size_t)snprintf(held + o, sizeof(held) - o,
					                      "%s%s", count > 1 ? ", " : "",
					                      k->roles.items[m].name);
			}
			if (count >= k->n)
				cc_error(c, a->pos, "E-SSD",
				         "SSD constraint '%s' violated: '%s' is "
				         "authorized for %u of its roles (%s), the "
				         "limit is fewer than %u",
				         k->name, a->user, count, held, k->n);
		}
	}
	free(auth);
}

static void resolve_constraints(cc *c)
{
	for (size_t i = 0; i < c->constraints.n; i++) {
		m_constraint *k = c->constraints.items[i];
		char ctx[300];
		snprintf(ctx, sizeof(ctx), "constraint '%s'", k->name);
		resolve_role_refs(c, &k->roles, ctx);
		for (size_t a = 0; a < k->roles.n; a++)
			for (size_t b = 0; b < a; b++)
				if (strcmp(k->roles.items[a].name,
				           k->roles.items[b].name) == 0)
					cc_error(c, k->roles.items[a].pos,
					         "E-CONSTRAINT",
					         "constraint '%s' lists role '%s' twice",
					         k->name, k->roles.items[a].name);
	}
}

/* ---- originators ---- */

/* oneM2M lets acor hold a <group> resource ID or a Role-ID, so a bare
 * native entry equal to a declared group's or role's name means it. A name
 * that is both would be a guess either way. */
static void resolve_native_name(cc *c, m_orig *o)
{
	uint32_t g = resolve_find_group(c, o->name, o->len),
	         r = resolve_find_role(c, o->name, o->len);
	if (g != IMG_NONE && r != IMG_NONE) {
		cc_diag(c, PDPC_ERROR, o->pos, "E-ORIGINATOR",
		        "write group:NAME or role:NAME to say which one is meant",
		        "acor entry '%.*s' names both a declared group and a "
		        "declared role",
		        (int)o->len, o->name);
	} else if (g != IMG_NONE) {
		o->kind = ORIG_GROUP;
		o->ref = g;
	} else if (r != IMG_NONE) {
		o->kind = ORIG_ROLE;
		o->ref = r;
	}
}

static void resolve_origs(cc *c, m_rule *r)
{
	for (size_t i = 0; i < r->origs.n; i++) {
		m_orig *o = &r->origs.items[i];
		if (o->kind == ORIG_GROUP) {
			o->ref = resolve_find_group(c, o->name, o->len);
			if (o->ref == IMG_NONE)
				cc_error(c, o->pos, "E-UNDECLARED",
				         "undeclared group '%.*s'; declare it under "
				         "groups:",
				         (int)o->len, o->name);
		} else if (o->kind == ORIG_ROLE) {
			o->ref = resolve_find_role(c, o->name, o->len);
			if (o->ref == IMG_NONE)
				cc_error(c, o->pos, "E-UNDECLARED",
				         "undeclared role '%.*s'; declare it under "
				         "roles:",
				         (int)o->len, o->name);
		} else if (o->kind == ORIG_EXACT && o->native) {
			resolve_native_name(c, o);
		}
	}
}

/* ---- attributes and conditions ---- */

static const struct {
	const char *name;
	pdp_type type;
} BUILTINS[IMG_BUILTIN_ATTRS] = {
	{"originator.id", PDP_TYPE_STRING}, {"operation", PDP_TYPE_STRING},
	{"resource.type", PDP_TYPE_STRING}, {"env.time", PDP_TYPE_TIME},
	{"env.ip", PDP_TYPE_IP},            {"env.country", PDP_TYPE_STRING},
};

const char *resolve_builtin_name(uint32_t i)
{
	return i < IMG_BUILTIN_ATTRS ? BUILTINS[i].name : NULL;
}
pdp_type resolve_builtin_type(uint32_t i)
{
	return i < IMG_BUILTIN_ATTRS ? BUILTINS[i].type : PDP_TYPE_NONE;
}

static uint32_t find_attr(cc *c, const char *name, pdp_type *type)
{
	for (uint32_t i = 0; i < IMG_BUILTIN_ATTRS; i++)
		if (strcmp(BUILTINS[i].name, name) == 0) {
			*type = BUILTINS[i].type;
			return i;
		}
	size_t lo = 0, hi = c->attrs.n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = strcmp(c->attrs.items[mid]->name, name);
		if (r == 0) {
			*type = c->attrs.items[mid]->type;
			if (c->decl == NULL) /* a store's tables are read-only */
				c->attrs.items[mid]->used = true;
			return (uint32_t)(IMG_BUILTIN_ATTRS + mid);
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return IMG_NONE;
}

static const char *type_name(pdp_type t)
{
	switch (t) {
	case PDP_TYPE_INT: return "int";
	case PDP_TYPE_STRING: return "string";
	case PDP_TYPE_BOOL: return "bool";
	case PDP_TYPE_IP: return "ip";
	case PDP_TYPE_TIME: return "time";
	case PDP_TYPE_SET: return "set<string>";
	default: return "none";
	}
}

static const char *op_name(uint32_t op)
{
	static const char *const names[COP_COUNT] = {
		[COP_EQ] = "eq", [COP_NE] = "ne", [COP_LT] = "lt", [COP_LE] = "le",
		[COP_GT] = "gt", [COP_GE] = "ge", [COP_IN] = "in",
		[COP_CONTAINS] = "contains", [COP_MATCHES] = "matches",
		[COP_PREFIX] = "prefix", [COP_IN_CIDR] = "in_cidr",
		[COP_PRESENT] = "present", [COP_ALL] = "all", [COP_ANY] = "any",
		[COP_NOT] = "not"};
	return op < COP_COUNT && names[op] ? names[op] : "?";
}

/* Which operators fit which type (docs/language.md 9.2). */
static bool op_fits(uint32_t op, pdp_type t)
{
	switch (op) {
	case COP_PRESENT:
		return true;
	case COP_EQ:
	case COP_NE:
		return t != PDP_TYPE_SET;
	case COP_LT:
	case COP_LE:
	case COP_GT:
	case COP_GE:
		return t == PDP_TYPE_INT || t == PDP_TYPE_TIME;
	case COP_IN:
		return t == PDP_TYPE_INT || t == PDP_TYPE_STRING;
	case COP_PREFIX:
	case COP_MATCHES:
		return t == PDP_TYPE_STRING;
	case COP_IN_CIDR:
		return t == PDP_TYPE_IP;
	case COP_CONTAINS:
		return t == PDP_TYPE_SET;
	default:
		return false;
	}
}

/* A string literal, typed by the YAML core schema as the contract says: a
 * plain 3, true or ~ is not a string, a quoted "3" is. */
static bool expect_string_literal(cc *c, const m_cond *k, const ynode *n)
{
	yn_core t = yn_core_type(n);
	if (t == YC_STRING)
		return true;
	cc_diag(c, PDPC_ERROR, n->pos, "E-COND-TYPE",
	        "quote the value to make it a string",
	        "type mismatch: '%s' (%s) takes a string here, but %s%s%s is %s",
	        k->attr, type_name(k->type), n->len > 0 ? "'" : "",
	        n->len > 0 ? n->str : "the empty value", n->len > 0 ? "'" : "",
	        yn_core_name(t));
	return false;
}

/* Type one scalar literal for an attribute of type t into k. */
static bool type_literal(cc *c, m_cond *k, ynode *n, pdp_type t)
{
	if (n->kind != YN_SCALAR) {
		cc_error(c, n->pos, "E-COND-TYPE",
		         "type mismatch: '%s' is %s, expected a %s literal, found "
		         "%s",
		         k->attr, type_name(t), type_name(t), yn_kind_name(n));
		return false;
	}
	prim_err e;
	switch (t) {
	case PDP_TYPE_INT: {
		int64_t v;
		size_t before = cc_error_count(c);
		(void)before;
		const char *s = n->str;
		size_t i = (n->len > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
		bool digits = n->len > i;
		for (; i < n->len; i++)
			digits &= s[i] >= '0' && s[i] <= '9';
		if (!digits || !n->plain) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "type mismatch: '%s' is int, but %s%s%s is not an "
			         "integer",
			         k->attr, n->plain ? "'" : "\"", n->str,
			         n->plain ? "'" : "\"");
			return false;
		}
		if (!read_int(c, n, &v))
			return false;
		k->i = v;
		return true;
	}
	case PDP_TYPE_STRING:
		if (!expect_string_literal(c, k, n))
			return false;
		if (memchr(n->str, '\0', n->len) != NULL) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "string literal contains a NUL byte");
			return false;
		}
		k->s = n->str;
		k->slen = n->len;
		if (k->attr_id == BATTR_ENV_COUNTRY) {
			/* the request's env.country is normalized to alpha-2, so
			 * literals are too: "276" and "DE" compare equal */
			pdp_str cs = {n->str, n->len};
			const char *a2 = country_alpha2(country_code(cs));
			if (a2 != NULL) {
				k->s = a2;
				k->slen = strlen(a2);
			}
		}
		return true;
	case PDP_TYPE_BOOL: {
		bool ok = n->plain && (yn_is(n, "true") || yn_is(n, "false"));
		if (!ok) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "type mismatch: '%s' is bool, but '%s' is not true "
			         "or false",
			         k->attr, n->str);
			return false;
		}
		k->b = yn_is(n, "true");
		return true;
	}
	case PDP_TYPE_IP: {
		if (!ip_parse(n->str, n->len, &k->ip, NULL, &e)) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "type mismatch: '%s' is ip, but '%s' is not an IP "
			         "address: %s",
			         k->attr, n->str, e.message);
			return false;
		}
		return true;
	}
	case PDP_TYPE_TIME:
		if (!time_parse_rfc3339(n->str, n->len, &k->t, &e)) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "type mismatch: '%s' is time, but '%s' is not an "
			         "RFC 3339 date-time: %s",
			         k->attr, n->str, e.message);
			return false;
		}
		return true;
	default:
		cc_error(c, n->pos, "E-COND-TYPE",
		         "'%s' (%s) cannot be compared with a literal", k->attr,
		         type_name(t));
		return false;
	}
}

static bool resolve_cond(cc *c, m_cond *k)
{
	if (k->op == COP_ALL || k->op == COP_ANY || k->op == COP_NOT) {
		bool ok = true;
		for (size_t i = 0; i < k->kids.n; i++)
			ok &= resolve_cond(c, k->kids.items[i]);
		return ok;
	}
	k->attr_id = find_attr(c, k->attr, &k->type);
	if (k->attr_id == IMG_NONE) {
		cc_error(c, k->attr_pos, "E-UNDECLARED",
		         "undeclared attribute '%s'; declare it under attributes: "
		         "with its type",
		         k->attr);
		return false;
	}
	if (!op_fits(k->op, k->type)) {
		cc_error(c, k->op_pos, "E-COND-TYPE",
		         "type mismatch: operator '%s' does not apply to '%s' of "
		         "type %s",
		         op_name(k->op), k->attr, type_name(k->type));
		return false;
	}
	ynode *n = k->rhs_node;
	if (k->op == COP_PRESENT) {
		if (n->kind != YN_SCALAR || !n->plain ||
		    !(yn_is(n, "true") || yn_is(n, "false"))) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "present takes true or false");
			return false;
		}
		k->b = yn_is(n, "true");
		k->rhs_kind = RHS_LIT;
		return true;
	}
	/* {attr: other} on the right. */
	if (n->kind == YN_MAP) {
		ynode *ra = yn_get(n, "attr");
		bool attr_ok = k->op != COP_IN && k->op != COP_IN_CIDR &&
		               k->op != COP_MATCHES;
		if (ra == NULL || n->n != 2 || !attr_ok) {
			cc_error(c, n->pos, "E-COND-TYPE",
			         "operator '%s' takes %s", op_name(k->op),
			         attr_ok ? "a literal or {attr: NAME}"
			                 : "a literal list or pattern");
			return false;
		}
		if (!read_string(c, ra, &k->rhs_attr))
			return false;
		pdp_type rt;
		k->rhs_attr_id = find_attr(c, k->rhs_attr, &rt);
		if (k->rhs_attr_id == IMG_NONE) {
			cc_error(c, ra->pos, "E-UNDECLARED",
			         "undeclared attribute '%s'", k->rhs_attr);
			return false;
		}
		pdp_type want = k->op == COP_CONTAINS ? PDP_TYPE_STRING : k->type;
		if (rt != want) {
			cc_error(c, ra->pos, "E-COND-TYPE",
			         "type mismatch: '%s' is %s but '%s' is %s",
			         k->attr, type_name(k->type), k->rhs_attr,
			         type_name(rt));
			return false;
		}
		k->rhs_kind = RHS_ATTR;
		return true;
	}
	if (k->op == COP_IN || k->op == COP_IN_CIDR) {
		if (n->kind != YN_SEQ) {
			cc_error(c, n->pos, "E-COND-TYPE", "'%s' takes a list",
			         op_name(k->op));
			return false;
		}
		k->rhs_kind = RHS_LIST;
		bool ok = true;
		for (size_t i = 0; i < n->n; i++) {
			if (k->op == COP_IN_CIDR) {
				m_cidr cd;
				if (!read_cidr_node(c, n->items[i], &cd)) {
					ok = false;
					continue;
				}
				VEC_PUSH(c, k->cidrs, cd);
				continue;
			}
			if (!type_literal(c, k, n->items[i], k->type)) {
				ok = false;
				continue;
			}
			if (k->type == PDP_TYPE_INT)
				VEC_PUSH(c, k->ints, k->i);
			else
				VEC_PUSH(c, k->strs, k->s);
		}
		return ok;
	}
	if (k->op == COP_MATCHES) {
		const char *pat;
		if (!read_string(c, n, &pat) || !expect_string_literal(c, k, n))
			return false;
		if (n->len > PDP_MAX_REGEX_BYTES) {
			cc_error(c, n->pos, "E-LIMIT",
			         "pattern longer than %u bytes", PDP_MAX_REGEX_BYTES);
			return false;
		}
		prim_err e;
		pcre2_code *re = regex_compile(pat, n->len, &e);
		if (re == NULL) {
			srcpos p = n->pos;
			p.col += (uint32_t)e.offset + (n->plain ? 0u : 1u);
			cc_error(c, p, "E-REGEX", "invalid regex at offset %zu: %s",
			         e.offset, e.message);
			return false;
		}
		uint32_t caps = 0;
		pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &caps);
		pcre2_code_free(re);
		if (caps > PDP_MAX_REGEX_CAPTURES) {
			cc_error(c, n->pos, "E-LIMIT",
			         "pattern has %u capture groups, more than %u; use "
			         "(?:...) for grouping",
			         caps, PDP_MAX_REGEX_CAPTURES);
			return false;
		}
		k->s = pat;
		k->slen = n->len;
		k->rhs_kind = RHS_REGEX;
		return true;
	}
	if (k->op == COP_CONTAINS || k->op == COP_PREFIX) {
		if (n->kind != YN_SCALAR || memchr(n->str, '\0', n->len) != NULL) {
			cc_error(c, n->pos, "E-COND-TYPE", "'%s' takes a string",
			         op_name(k->op));
			return false;
		}
		if (!expect_string_literal(c, k, n))
			return false;
		k->s = n->str;
		k->slen = n->len;
		k->rhs_kind = RHS_LIT;
		return true;
	}
	if (!type_literal(c, k, n, k->type))
		return false;
	k->rhs_kind = RHS_LIT;
	return true;
}

static void resolve_attrs(cc *c)
{
	for (size_t i = 0; i < c->attrs.n; i++) {
		pdp_type t;
		const m_attr *a = c->attrs.items[i];
		for (uint32_t b = 0; b < IMG_BUILTIN_ATTRS; b++)
			if (strcmp(BUILTINS[b].name, a->name) == 0) {
				(void)t;
				cc_error(c, a->pos, "E-DUPLICATE",
				         "'%s' is a built-in attribute; do not declare "
				         "it",
				         a->name);
			}
	}
}

/* With a hosting CSE declared, assignment keys and group members become
 * absolute ids (and rules' ids do when emitted), so that two forms of one
 * id are one principal: duplicates are then found as such. */
static void absolute_ids(cc *c)
{
	if (c->host_sp.ptr == NULL)
		return;
	size_t n;
	for (size_t i = 0; i < c->assigns.n; i++) {
		m_assign *a = c->assigns.items[i];
		a->user = cc_abs_id(c, a->user, strlen(a->user), &n);
	}
	for (size_t g = 0; g < c->groups.n; g++) {
		m_group *gr = c->groups.items[g];
		for (size_t j = 0; j < gr->members.n; j++) {
			const char *m = gr->members.items[j].name;
			gr->members.items[j].name = cc_abs_id(c, m, strlen(m), &n);
		}
	}
}

void resolve_policy(cc *c)
{
	absolute_ids(c);
	SORT_UNIQUE(c, c->acps, m_acp, id, "ACP id");
	SORT_UNIQUE(c, c->roles, m_role, name, "role");
	SORT_UNIQUE(c, c->groups, m_group, name, "group");
	for (size_t i = 0; i < c->groups.n; i++)
		c->groups.items[i]->index = (uint32_t)i;
	SORT_UNIQUE(c, c->assigns, m_assign, user, "assignment for");
	SORT_UNIQUE(c, c->attrs, m_attr, name, "attribute");
	if (c->constraints.n > 1)
		qsort(c->constraints.items, c->constraints.n,
		      sizeof(m_constraint *), cmp_constraint);
	for (size_t i = 1; i < c->constraints.n; i++) {
		const m_constraint *a = c->constraints.items[i - 1],
		                   *b = c->constraints.items[i];
		if (a->dsd == b->dsd && strcmp(a->name, b->name) == 0)
			dup_error(c, b->dsd ? "dsd constraint" : "ssd constraint",
			          b->name, b->pos, a->pos);
	}
	resolve_attrs(c);
	bool roles_ok = resolve_roles(c);
	for (size_t i = 0; i < c->assigns.n; i++) {
		char ctx[300];
		snprintf(ctx, sizeof(ctx), "assignment of '%s'",
		         c->assigns.items[i]->user);
		resolve_role_refs(c, &c->assigns.items[i]->roles, ctx);
	}
	resolve_constraints(c);
	if (roles_ok && cc_error_count(c) == 0)
		check_ssd(c);
	resolve_acps(c);
}

void resolve_acps(cc *c)
{
	rule_iter it = {0, 0, 0};
	for (m_rule *r; (r = rule_next(c, &it)) != NULL;) {
		resolve_origs(c, r);
		if (r->when != NULL)
			resolve_cond(c, r->when);
	}
}
