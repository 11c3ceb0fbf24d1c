/*
 * emit.c - model -> image bytes (src/image/format.h). Everything is emitted
 * in an order fixed by sorted names and rule positions, and strings are
 * interned in first-use order of that walk, so the same policy set always
 * gives the same bytes whatever the order of YAML maps or files.
 */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "compiler/cc.h"

typedef VEC(uint32_t) words;

typedef struct emitter {
	cc *c;
	words sec[IMG_SECTION_COUNT];
	VEC(char) blob;
	/* string interner: open addressing over STRTAB ids */
	uint32_t *slots;
	size_t nslots;
	uint32_t *topo_to_model;
	uint32_t nstr;
} emitter;

static void put(emitter *e, enum img_section s, uint32_t w)
{
	VEC_PUSH_HEAP(e->c, e->sec[s], w);
}

static uint32_t count(const emitter *e, enum img_section s)
{
	return (uint32_t)(e->sec[s].n / IMG_RECORD_WORDS[s]);
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static bool interner_grow(emitter *e)
{
	size_t n = e->nslots ? e->nslots * 2 : 1024;
	uint32_t *slots = malloc(n * sizeof(uint32_t));
	if (slots == NULL)
		return false;
	memset(slots, 0xff, n * sizeof(uint32_t));
	for (size_t i = 0; i < e->nslots; i++) {
		uint32_t id = e->slots[i];
		if (id == IMG_NONE)
			continue;
		uint32_t off = e->sec[SEC_STRTAB].items[2 * id];
		uint32_t len = e->sec[SEC_STRTAB].items[2 * id + 1];
		size_t h = (size_t)hash_bytes(e->blob.items + off, len) & (n - 1);
		while (slots[h] != IMG_NONE)
			h = (h + 1) & (n - 1);
		slots[h] = id;
	}
	free(e->slots);
	e->slots = slots;
	e->nslots = n;
	return true;
}

static uint32_t intern(emitter *e, const char *s, size_t len)
{
	if (s == NULL)
		return IMG_NONE;
	if ((e->nstr + 1) * 2 > e->nslots && !interner_grow(e)) {
		e->c->oom = true;
		return 0;
	}
	size_t h = (size_t)hash_bytes(s, len) & (e->nslots - 1);
	while (e->slots[h] != IMG_NONE && e->sec[SEC_STRTAB].items != NULL) {
		uint32_t id = e->slots[h];
		uint32_t off = e->sec[SEC_STRTAB].items[2 * id];
		uint32_t l = e->sec[SEC_STRTAB].items[2 * id + 1];
		if (l == len && memcmp(e->blob.items + off, s, len) == 0)
			return id;
		h = (h + 1) & (e->nslots - 1);
	}
	uint32_t id = e->nstr++;
	e->slots[h] = id;
	put(e, SEC_STRTAB, (uint32_t)e->blob.n);
	put(e, SEC_STRTAB, (uint32_t)len);
	for (size_t i = 0; i < len; i++)
		VEC_PUSH_HEAP(e->c, e->blob, s[i]);
	return id;
}

static uint32_t intern_z(emitter *e, const char *s)
{
	return s ? intern(e, s, strlen(s)) : IMG_NONE;
}

static void put_u64(emitter *e, enum img_section s, uint64_t v)
{
	put(e, s, (uint32_t)v);
	put(e, s, (uint32_t)(v >> 32));
}

static void put_ip(emitter *e, const pdp_ip *ip, uint32_t prefix)
{
	for (int i = 0; i < 4; i++) {
		uint32_t w = (uint32_t)ip->b[4 * i] |
		             (uint32_t)ip->b[4 * i + 1] << 8 |
		             (uint32_t)ip->b[4 * i + 2] << 16 |
		             (uint32_t)ip->b[4 * i + 3] << 24;
		put(e, SEC_CIDRS, w);
	}
	put(e, SEC_CIDRS, prefix);
}

static void put_double(emitter *e, double d)
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof(bits));
	put_u64(e, SEC_CIRCLES, bits);
}

/* Fold constant sub-expressions before emitting: `all` drops true
 * children and is false with a false child, `any` the reverse, an empty
 * `all` is true and an empty `any` false, `not` of a constant is its
 * negation, and a combinator left with one child is that child. Three-valued
 * logic is preserved: only constants are removed, never indeterminates. */
static m_cond *fold_cond(cc *c, m_cond *k)
{
	if (k->op != COP_ALL && k->op != COP_ANY && k->op != COP_NOT)
		return k;
	size_t w = 0;
	for (size_t i = 0; i < k->kids.n; i++) {
		m_cond *kid = fold_cond(c, k->kids.items[i]);
		if (k->op == COP_NOT) {
			if (kid->op == COP_TRUE || kid->op == COP_FALSE) {
				k->op = kid->op == COP_TRUE ? COP_FALSE : COP_TRUE;
				k->kids.n = 0;
				return k;
			}
			k->kids.items[w++] = kid;
			continue;
		}
		uint32_t neutral = k->op == COP_ALL ? COP_TRUE : COP_FALSE;
		uint32_t absorbing = k->op == COP_ALL ? COP_FALSE : COP_TRUE;
		if (kid->op == neutral)
			continue;
		if (kid->op == absorbing) {
			k->op = absorbing;
			k->kids.n = 0;
			return k;
		}
		k->kids.items[w++] = kid;
	}
	k->kids.n = w;
	if (k->op != COP_NOT && w == 0)
		k->op = k->op == COP_ALL ? COP_TRUE : COP_FALSE;
	else if (k->op != COP_NOT && w == 1)
		return k->kids.items[0];
	(void)c;
	return k;
}

/* Post-order: children first, so every child index is below its parent's
 * (the loader checks this and so needs no cycle detection). Empty all/any
 * fold to constants. */
static uint32_t emit_cond(emitter *e, const m_cond *k)
{
	uint32_t kids[64];
	uint32_t nk = 0;
	uint32_t op = k->op, attr = IMG_NONE, rk = RHS_NONE, rhs = 0,
	         first = 0, cnt = 0;
	if (op == COP_ALL || op == COP_ANY || op == COP_NOT) {
		uint32_t start;
		uint32_t *tmp = k->kids.n > 64 ? malloc(k->kids.n * sizeof(uint32_t))
		                               : kids;
		if (tmp == NULL) {
			e->c->oom = true;
			return 0;
		}
		for (size_t i = 0; i < k->kids.n; i++)
			tmp[nk++] = emit_cond(e, k->kids.items[i]);
		start = (uint32_t)e->sec[SEC_CONDKIDS].n;
		for (uint32_t i = 0; i < nk; i++)
			put(e, SEC_CONDKIDS, tmp[i]);
		if (tmp != kids)
			free(tmp);
		first = start;
		cnt = nk;
	} else {
		attr = k->attr_id;
		rk = k->rhs_kind;
		switch (rk) {
		case RHS_ATTR:
			rhs = k->rhs_attr_id;
			break;
		case RHS_REGEX:
			rhs = count(e, SEC_REGEXES);
			put(e, SEC_REGEXES, intern(e, k->s, k->slen));
			break;
		case RHS_LIST:
			if (op == COP_IN_CIDR) {
				first = count(e, SEC_CIDRS);
				cnt = (uint32_t)k->cidrs.n;
				for (size_t i = 0; i < k->cidrs.n; i++)
					put_ip(e, &k->cidrs.items[i].net,
					       k->cidrs.items[i].prefix);
			} else {
				first = count(e, SEC_LISTITEMS);
				if (k->type == PDP_TYPE_INT) {
					cnt = (uint32_t)k->ints.n;
					for (size_t i = 0; i < k->ints.n; i++) {
						put(e, SEC_LISTITEMS, count(e, SEC_INTS));
						put_u64(e, SEC_INTS, (uint64_t)k->ints.items[i]);
					}
				} else {
					cnt = (uint32_t)k->strs.n;
					for (size_t i = 0; i < k->strs.n; i++)
						put(e, SEC_LISTITEMS,
						    intern_z(e, k->strs.items[i]));
				}
			}
			break;
		case RHS_LIT:
			if (op == COP_PRESENT) {
				rhs = k->b ? 1 : 0;
				break;
			}
			if (op == COP_CONTAINS || op == COP_PREFIX) {
				rhs = intern(e, k->s, k->slen);
				break;
			}
			switch (k->type) {
			case PDP_TYPE_INT:
				rhs = count(e, SEC_INTS);
				put_u64(e, SEC_INTS, (uint64_t)k->i);
				break;
			case PDP_TYPE_STRING:
				rhs = intern(e, k->s, k->slen);
				break;
			case PDP_TYPE_BOOL:
				rhs = k->b ? 1 : 0;
				break;
			case PDP_TYPE_IP:
				rhs = count(e, SEC_CIDRS);
				put_ip(e, &k->ip, 128);
				break;
			case PDP_TYPE_TIME:
				rhs = count(e, SEC_TIMES);
				put_u64(e, SEC_TIMES, (uint64_t)k->t.sec);
				put(e, SEC_TIMES, (uint32_t)k->t.nsec);
				break;
			default:
				break;
			}
			break;
		default:
			break;
		}
	}
	uint32_t id = count(e, SEC_CONDS);
	put(e, SEC_CONDS, op);
	put(e, SEC_CONDS, attr);
	put(e, SEC_CONDS, rk);
	put(e, SEC_CONDS, rhs);
	put(e, SEC_CONDS, first);
	put(e, SEC_CONDS, cnt);
	return id;
}

static void emit_context(emitter *e, const m_context *x)
{
	uint32_t wf = count(e, SEC_WINDOWS);
	for (size_t i = 0; i < x->windows.n; i++) {
		const sched *s = &x->windows.items[i].s;
		put_u64(e, SEC_WINDOWS, s->sec);
		put_u64(e, SEC_WINDOWS, s->min);
		put(e, SEC_WINDOWS, s->hour);
		put(e, SEC_WINDOWS, s->dom);
		put(e, SEC_WINDOWS, s->month);
		put(e, SEC_WINDOWS, s->dow);
		for (int y = 0; y < SCHED_YEAR_WORDS; y++)
			put_u64(e, SEC_WINDOWS, s->year[y]);
		put(e, SEC_WINDOWS, intern_z(e, x->windows.items[i].src));
	}
	uint32_t cf = count(e, SEC_CIDRS);
	for (size_t i = 0; i < x->cidrs.n; i++)
		put_ip(e, &x->cidrs.items[i].net, x->cidrs.items[i].prefix);
	uint32_t kf = count(e, SEC_COUNTRIES);
	for (size_t i = 0; i < x->countries.n; i++)
		put(e, SEC_COUNTRIES, x->countries.items[i]);
	uint32_t rf = count(e, SEC_CIRCLES);
	for (size_t i = 0; i < x->circles.n; i++) {
		put_double(e, x->circles.items[i].lat);
		put_double(e, x->circles.items[i].lon);
		put_double(e, x->circles.items[i].radius);
	}
	put(e, SEC_CONTEXTS, wf);
	put(e, SEC_CONTEXTS, (uint32_t)x->windows.n);
	put(e, SEC_CONTEXTS, cf);
	put(e, SEC_CONTEXTS, (uint32_t)x->cidrs.n);
	put(e, SEC_CONTEXTS, kf);
	put(e, SEC_CONTEXTS, (uint32_t)x->countries.n);
	put(e, SEC_CONTEXTS, rf);
	put(e, SEC_CONTEXTS, (uint32_t)x->circles.n);
}

static void emit_object(emitter *e, const m_object *o)
{
	uint32_t tf = count(e, SEC_OBJTYPES);
	for (size_t i = 0; i < o->types.n; i++)
		put(e, SEC_OBJTYPES, (uint32_t)o->types.items[i]);
	uint32_t sf = count(e, SEC_OBJSPECS);
	for (size_t i = 0; i < o->specs.n; i++)
		put(e, SEC_OBJSPECS, intern_z(e, o->specs.items[i]));
	uint32_t cf = count(e, SEC_OBJTYPES);
	for (size_t i = 0; i < o->child_types.n; i++)
		put(e, SEC_OBJTYPES, (uint32_t)o->child_types.items[i]);
	put(e, SEC_OBJECTS, tf);
	put(e, SEC_OBJECTS, (uint32_t)o->types.n);
	put(e, SEC_OBJECTS, sf);
	put(e, SEC_OBJECTS, (uint32_t)o->specs.n);
	put(e, SEC_OBJECTS, cf);
	put(e, SEC_OBJECTS, (uint32_t)o->child_types.n);
}

static uint32_t role_index(const cc *c, uint32_t model)
{
	return c->roles.items[model]->topo;
}

static void emit_rule(emitter *e, const m_rule *r, uint32_t acp)
{
	cc *c = e->c;
	uint32_t of = count(e, SEC_ORIGS);
	for (size_t i = 0; i < r->origs.n; i++) {
		m_orig *o = (m_orig *)(uintptr_t)&r->origs.items[i];
		size_t alen;
		const char *abs = cc_abs_id(c, o->name, o->len, &alen);
		if (c->decl != NULL && o->bare) {
			/* a live store may turn this entry into a group reference
			 * and back (store/apply.c): remember where it is, and keep
			 * the id it stands for in the segment's strings either way */
			o->seg_at = count(e, SEC_ORIGS);
			o->seg_str = intern(e, abs, alen);
		}
		put(e, SEC_ORIGS, o->kind);
		switch (o->kind) {
		case ORIG_EXACT:
		case ORIG_GLOB:
			put(e, SEC_ORIGS, intern(e, abs, alen));
			break;
		case ORIG_GROUP:
			put(e, SEC_ORIGS, c->groups.items[o->ref]->index);
			break;
		case ORIG_ROLE:
			put(e, SEC_ORIGS, role_index(c, o->ref));
			break;
		default:
			put(e, SEC_ORIGS, 0);
		}
	}
	uint32_t xf = count(e, SEC_CONTEXTS);
	for (size_t i = 0; i < r->contexts.n; i++)
		emit_context(e, &r->contexts.items[i]);
	uint32_t bf = count(e, SEC_OBJECTS);
	for (size_t i = 0; i < r->objects.n; i++)
		emit_object(e, &r->objects.items[i]);
	uint32_t cond = r->when ? emit_cond(e, fold_cond(c, r->when)) : IMG_NONE;
	uint32_t flags = (r->deny ? RULE_FLAG_DENY : 0) |
	                 (r->auth ? RULE_FLAG_AUTH : 0) |
	                 (r->self ? RULE_FLAG_SELF : 0);
	uint32_t w[RW_WORDS] = {
		[RW_FLAGS] = flags, [RW_OPS] = r->ops,
		[RW_ORIG_FIRST] = of, [RW_ORIG_COUNT] = (uint32_t)r->origs.n,
		[RW_CTX_FIRST] = xf, [RW_CTX_COUNT] = (uint32_t)r->contexts.n,
		[RW_OBJ_FIRST] = bf, [RW_OBJ_COUNT] = (uint32_t)r->objects.n,
		[RW_COND] = cond, [RW_ID] = intern_z(e, r->id), [RW_ACP] = acp,
		/* Source locations are left out of the image: moving a rule
		 * within its file must not change the compiled bytes. */
		[RW_INDEX] = r->index, [RW_SOURCE] = IMG_NONE, [RW_LINE] = 0,
	};
	for (int i = 0; i < RW_WORDS; i++)
		put(e, SEC_RULES, w[i]);
}

typedef struct prin_ref {
	const char *name;
	uint32_t kind; /* 0 role, 1 group, 2 only a name */
	uint32_t ref;
} prin_ref;

static int cmp_prin(const void *a, const void *b)
{
	const prin_ref *x = a, *y = b;
	int r = strcmp(x->name, y->name);
	if (r != 0)
		return r;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref ? 1 : 0;
}

/* Principals: every exact id with assigned roles or exact group
 * memberships, sorted by name, each with its sorted, de-duplicated lists. */
static void emit_principals(emitter *e)
{
	cc *c = e->c;
	VEC(prin_ref) refs = {0};
	for (size_t i = 0; i < c->assigns.n; i++) {
		const m_assign *a = c->assigns.items[i];
		for (size_t j = 0; j < a->roles.n; j++) {
			prin_ref p = {a->user, 0, role_index(c, a->roles.items[j].ref)};
			VEC_PUSH_HEAP(c, refs, p);
		}
		if (a->roles.n == 0) {
			prin_ref p = {a->user, 2, 0};
			VEC_PUSH_HEAP(c, refs, p);
		}
	}
	for (size_t g = 0; g < c->groups.n; g++) {
		const m_group *gr = c->groups.items[g];
		for (size_t j = 0; j < gr->members.n; j++) {
			pdp_str s = {gr->members.items[j].name,
			             strlen(gr->members.items[j].name)};
			if (glob_has_wildcard(s))
				continue;
			prin_ref p = {s.ptr, 1, (uint32_t)g};
			VEC_PUSH_HEAP(c, refs, p);
		}
	}
	/* Every exact originator id of a rule is a principal too, so the
	 * evaluator matches exact entries by comparing interned string ids
	 * with the request's principal instead of comparing bytes. */
	rule_iter it = {0, 0, 0};
	for (const m_rule *r; (r = rule_next(c, &it)) != NULL;)
		for (size_t k = 0; k < r->origs.n; k++) {
			const m_orig *o = &r->origs.items[k];
			if (o->kind != ORIG_EXACT)
				continue;
			size_t alen;
			const char *abs = cc_abs_id(c, o->name, o->len, &alen);
			const char *name = cc_strndup(c, abs, alen);
			if (name == NULL) {
				VEC_FREE(refs);
				return;
			}
			prin_ref p = {name, 2, 0};
			VEC_PUSH_HEAP(c, refs, p);
		}
	if (refs.n > 1)
		qsort(refs.items, refs.n, sizeof(prin_ref), cmp_prin);
	size_t i = 0;
	while (i < refs.n) {
		size_t j = i;
		while (j < refs.n && strcmp(refs.items[j].name, refs.items[i].name) == 0)
			j++;
		uint32_t rf = count(e, SEC_PRINROLES), rc = 0;
		uint32_t gf = count(e, SEC_PRINGROUPS), gc = 0;
		for (size_t k = i; k < j; k++) {
			const prin_ref *p = &refs.items[k];
			if (k > i && p->kind == refs.items[k - 1].kind &&
			    p->ref == refs.items[k - 1].ref)
				continue;
			if (p->kind == 0) {
				put(e, SEC_PRINROLES, p->ref);
				rc++;
			} else if (p->kind == 1) {
				put(e, SEC_PRINGROUPS, p->ref);
				gc++;
			}
		}
		put(e, SEC_PRINCIPALS, intern_z(e, refs.items[i].name));
		put(e, SEC_PRINCIPALS, rf);
		put(e, SEC_PRINCIPALS, rc);
		put(e, SEC_PRINCIPALS, gf);
		put(e, SEC_PRINCIPALS, gc);
		i = j;
	}
	VEC_FREE(refs);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void emit_acps(emitter *e);

static void emit_tables(emitter *e)
{
	cc *c = e->c;
	const char *bn;
	for (uint32_t i = 0; (bn = resolve_builtin_name(i)) != NULL; i++) {
		put(e, SEC_ATTRS, intern_z(e, bn));
		put(e, SEC_ATTRS, resolve_builtin_type(i));
	}
	for (size_t i = 0; i < c->attrs.n; i++) {
		put(e, SEC_ATTRS, intern_z(e, c->attrs.items[i]->name));
		put(e, SEC_ATTRS, c->attrs.items[i]->type);
	}
	/* roles in topological order */
	e->topo_to_model = calloc(c->roles.n + 1, sizeof(uint32_t));
	if (e->topo_to_model == NULL) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < c->roles.n; i++)
		e->topo_to_model[c->roles.items[i]->topo] = (uint32_t)i;
	for (size_t t = 0; t < c->roles.n; t++) {
		const m_role *r = c->roles.items[e->topo_to_model[t]];
		uint32_t jf = count(e, SEC_ROLEJR);
		uint32_t tmp[PDP_MAX_ROLES];
		size_t nj = 0;
		for (size_t j = 0; j < r->inherits.n && nj < PDP_MAX_ROLES; j++)
			tmp[nj++] = role_index(c, r->inherits.items[j].ref);
		qsort(tmp, nj, sizeof(uint32_t), cmp_u32);
		uint32_t jc = 0;
		for (size_t j = 0; j < nj; j++) {
			if (j > 0 && tmp[j] == tmp[j - 1])
				continue;
			put(e, SEC_ROLEJR, tmp[j]);
			jc++;
		}
		put(e, SEC_ROLES, intern_z(e, r->name));
		put(e, SEC_ROLES, jf);
		put(e, SEC_ROLES, jc);
	}
	for (size_t g = 0; g < c->groups.n; g++) {
		const m_group *gr = c->groups.items[g];
		uint32_t gf = count(e, SEC_GROUPGLOBS), gc = 0;
		for (size_t j = 0; j < gr->members.n; j++) {
			pdp_str s = {gr->members.items[j].name,
			             strlen(gr->members.items[j].name)};
			if (!glob_has_wildcard(s))
				continue;
			put(e, SEC_GROUPGLOBS, intern(e, s.ptr, s.len));
			gc++;
		}
		put(e, SEC_GROUPS, intern_z(e, gr->name));
		put(e, SEC_GROUPS, gf);
		put(e, SEC_GROUPS, gc);
	}
	emit_principals(e);
	if (c->host_sp.ptr != NULL) {
		put(e, SEC_HOST, intern(e, c->host_sp.ptr, c->host_sp.len));
		put(e, SEC_HOST, intern(e, c->host_cse.ptr, c->host_cse.len));
	}
	for (size_t i = 0; i < c->constraints.n; i++) {
		const m_constraint *k = c->constraints.items[i];
		uint32_t mf = count(e, SEC_CONSTRMEM);
		for (size_t j = 0; j < k->roles.n; j++)
			put(e, SEC_CONSTRMEM, role_index(c, k->roles.items[j].ref));
		put(e, SEC_CONSTRAINTS, k->dsd ? 1 : 0);
		put(e, SEC_CONSTRAINTS, intern_z(e, k->name));
		put(e, SEC_CONSTRAINTS, k->n);
		put(e, SEC_CONSTRAINTS, mf);
		put(e, SEC_CONSTRAINTS, (uint32_t)k->roles.n);
	}
	emit_acps(e);
}

/* Every ACP of the model with its rules, in model (sorted id) order. */
static void emit_acps(emitter *e)
{
	cc *c = e->c;
	for (size_t i = 0; i < c->acps.n; i++) {
		const m_acp *a = c->acps.items[i];
		uint32_t of = count(e, SEC_ORIGS);
		uint32_t xf = count(e, SEC_CONTEXTS), wf = count(e, SEC_WINDOWS),
		         cf = count(e, SEC_CIDRS), kf = count(e, SEC_CONDS);
		uint32_t pf = count(e, SEC_RULES);
		for (size_t j = 0; j < a->priv.n; j++)
			emit_rule(e, a->priv.items[j], (uint32_t)i);
		uint32_t sf = count(e, SEC_RULES);
		for (size_t j = 0; j < a->self.n; j++)
			emit_rule(e, a->self.items[j], (uint32_t)i);
		put(e, SEC_ACPS, intern_z(e, a->id));
		put(e, SEC_ACPS, intern_z(e, a->rn));
		put(e, SEC_ACPS, pf);
		put(e, SEC_ACPS, (uint32_t)a->priv.n);
		put(e, SEC_ACPS, sf);
		put(e, SEC_ACPS, (uint32_t)a->self.n);
		put(e, SEC_ACPS, of);
		put(e, SEC_ACPS, count(e, SEC_ORIGS) - of);
		put(e, SEC_ACPS, xf);
		put(e, SEC_ACPS, wf);
		put(e, SEC_ACPS, cf);
		put(e, SEC_ACPS, kf);
	}
}

static cbor_item_t *section_bytes(emitter *e, int s)
{
	if (s == SEC_STRBLOB)
		return cbor_build_bytestring((const unsigned char *)e->blob.items,
		                             e->blob.n);
	size_t n = e->sec[s].n;
	unsigned char *buf = malloc(n * 4 + 1);
	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t w = e->sec[s].items[i];
		buf[4 * i] = (unsigned char)w;
		buf[4 * i + 1] = (unsigned char)(w >> 8);
		buf[4 * i + 2] = (unsigned char)(w >> 16);
		buf[4 * i + 3] = (unsigned char)(w >> 24);
	}
	cbor_item_t *it = cbor_build_bytestring(buf, n * 4);
	free(buf);
	return it;
}

/* Serialize item into a malloc'd buffer; 0 on failure. */
static size_t serialize(cbor_item_t *item, unsigned char **out)
{
	size_t cap = 0;
	return cbor_serialize_alloc(item, out, &cap);
}

static bool encode(emitter *e, const char *magic_text)
{
	cc *c = e->c;
	bool ok = false;
	cbor_item_t *body = cbor_new_definite_array(IMG_SECTION_COUNT);
	unsigned char *body_buf = NULL, *img_buf = NULL;
	cbor_item_t *top = NULL;
	if (body == NULL)
		goto out;
	for (int s = 0; s < IMG_SECTION_COUNT; s++) {
		cbor_item_t *b = section_bytes(e, s);
		if (b == NULL || !cbor_array_push(body, cbor_move(b)))
			goto out;
	}
	size_t body_len = serialize(body, &body_buf);
	if (body_len == 0)
		goto out;
	top = cbor_new_definite_array(4);
	if (top == NULL)
		goto out;
	cbor_item_t *magic = cbor_build_string(magic_text);
	cbor_item_t *ver = cbor_build_uint8((uint8_t)IMG_VERSION);
	cbor_item_t *crc = cbor_build_uint32(crc32_ieee(body_buf, body_len));
	cbor_item_t *bb = cbor_build_bytestring(body_buf, body_len);
	if (!magic || !ver || !crc || !bb) {
		if (magic) cbor_decref(&magic);
		if (ver) cbor_decref(&ver);
		if (crc) cbor_decref(&crc);
		if (bb) cbor_decref(&bb);
		goto out;
	}
	cbor_array_push(top, cbor_move(magic));
	cbor_array_push(top, cbor_move(ver));
	cbor_array_push(top, cbor_move(crc));
	cbor_array_push(top, cbor_move(bb));
	size_t img_len = serialize(top, &img_buf);
	if (img_len == 0)
		goto out;
	free(c->image);
	c->image = (uint8_t *)img_buf;
	c->image_len = img_len;
	img_buf = NULL;
	ok = true;
out:
	if (body)
		cbor_decref(&body);
	if (top)
		cbor_decref(&top);
	free(body_buf);
	free(img_buf);
	if (!ok)
		c->oom = true;
	return ok;
}

static void emitter_free(emitter *e)
{
	for (int s = 0; s < IMG_SECTION_COUNT; s++)
		VEC_FREE(e->sec[s]);
	VEC_FREE(e->blob);
	free(e->slots);
	free(e->topo_to_model);
}

bool emit_image(cc *c)
{
	emitter e;
	memset(&e, 0, sizeof(e));
	e.c = c;
	emit_tables(&e);
	bool ok = !c->oom && encode(&e, IMG_MAGIC);
	emitter_free(&e);
	return ok;
}

bool emit_segment(cc *c)
{
	emitter e;
	memset(&e, 0, sizeof(e));
	e.c = c;
	emit_acps(&e);
	bool ok = !c->oom && encode(&e, IMG_SEGMENT_MAGIC);
	emitter_free(&e);
	return ok;
}
