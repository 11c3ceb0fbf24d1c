/*
 * emit_lower.c - the resolved model -> image records (src/image/format.h),
 * each record a struct filled by name; emit_write.c then writes them as
 * CBOR. Everything is emitted in an order fixed by sorted names and rule
 * positions, and strings are interned in first-use order of that walk, so
 * the same policy set always gives the same bytes whatever the order of
 * YAML maps or files.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "compiler/emit_write.h"

typedef struct emitter {
	cc *c;
	emit_words sec[IMG_SECTION_COUNT];
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

/* Append one record of section s (a struct of format.h, filled by name). */
static void put_rec(emitter *e, enum img_section s, const void *rec)
{
	const uint32_t *w = rec;
	for (uint32_t i = 0; i < IMG_RECORD_WORDS[s]; i++)
		put(e, s, w[i]);
}

static uint32_t count(const emitter *e, enum img_section s)
{
	return (uint32_t)(e->sec[s].n / IMG_RECORD_WORDS[s]);
}

/* String id's table record, as written so far. */
static img_strtab_rec strtab_at(const emitter *e, uint32_t id)
{
	img_strtab_rec r;
	memcpy(&r, e->sec[SEC_STRTAB].items + (size_t)id * IMG_WORDS_OF(r),
	       sizeof(r));
	return r;
}

/* A 64-bit value as the lo, hi words of a record. */
static void split_u64(uint64_t v, uint32_t w[2])
{
	w[0] = (uint32_t)v;
	w[1] = (uint32_t)(v >> 32);
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
		img_strtab_rec t = strtab_at(e, id);
		size_t h = (size_t)str_hash(e->blob.items + t.off, t.len) & (n - 1);
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
	size_t h = (size_t)str_hash(s, len) & (e->nslots - 1);
	while (e->slots[h] != IMG_NONE && e->sec[SEC_STRTAB].items != NULL) {
		uint32_t id = e->slots[h];
		img_strtab_rec t = strtab_at(e, id);
		if (t.len == len && memcmp(e->blob.items + t.off, s, len) == 0)
			return id;
		h = (h + 1) & (e->nslots - 1);
	}
	uint32_t id = e->nstr++;
	e->slots[h] = id;
	img_strtab_rec t = {.off = (uint32_t)e->blob.n, .len = (uint32_t)len};
	put_rec(e, SEC_STRTAB, &t);
	for (size_t i = 0; i < len; i++)
		VEC_PUSH_HEAP(e->c, e->blob, s[i]);
	return id;
}

static uint32_t intern_z(emitter *e, const char *s)
{
	return s ? intern(e, s, strlen(s)) : IMG_NONE;
}

static void put_int(emitter *e, int64_t v)
{
	img_int_rec r;
	split_u64((uint64_t)v, r.v);
	put_rec(e, SEC_INTS, &r);
}

static void put_ip(emitter *e, const pdp_ip *ip, uint32_t prefix)
{
	img_cidr_rec r = {.prefix = prefix};
	for (int i = 0; i < 4; i++)
		r.addr[i] = (uint32_t)ip->b[4 * i] |
		            (uint32_t)ip->b[4 * i + 1] << 8 |
		            (uint32_t)ip->b[4 * i + 2] << 16 |
		            (uint32_t)ip->b[4 * i + 3] << 24;
	put_rec(e, SEC_CIDRS, &r);
}

static void split_double(double d, uint32_t w[2])
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof(bits));
	split_u64(bits, w);
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
						put_int(e, k->ints.items[i]);
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
				put_int(e, k->i);
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
				img_time_rec t = {.nsec = (uint32_t)k->t.nsec};
				split_u64((uint64_t)k->t.sec, t.sec);
				put_rec(e, SEC_TIMES, &t);
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
	img_cond_rec rec = {.op = op, .attr = attr, .rhs_kind = rk, .rhs = rhs,
	                    .first = first, .count = cnt};
	put_rec(e, SEC_CONDS, &rec);
	return id;
}

static void emit_context(emitter *e, const m_context *x)
{
	uint32_t wf = count(e, SEC_WINDOWS);
	for (size_t i = 0; i < x->windows.n; i++) {
		const sched *s = &x->windows.items[i].s;
		img_window_rec w = {.hour = s->hour, .dom = s->dom,
		                    .month = s->month, .dow = s->dow,
		                    .source = intern_z(e, x->windows.items[i].src)};
		split_u64(s->sec, w.sec);
		split_u64(s->min, w.min);
		for (int y = 0; y < SCHED_YEAR_WORDS; y++)
			split_u64(s->year[y], w.year + 2 * y);
		put_rec(e, SEC_WINDOWS, &w);
	}
	uint32_t cf = count(e, SEC_CIDRS);
	for (size_t i = 0; i < x->cidrs.n; i++)
		put_ip(e, &x->cidrs.items[i].net, x->cidrs.items[i].prefix);
	uint32_t kf = count(e, SEC_COUNTRIES);
	for (size_t i = 0; i < x->countries.n; i++)
		put(e, SEC_COUNTRIES, x->countries.items[i]);
	uint32_t rf = count(e, SEC_CIRCLES);
	for (size_t i = 0; i < x->circles.n; i++) {
		img_circle_rec c;
		split_double(x->circles.items[i].lat, c.lat);
		split_double(x->circles.items[i].lon, c.lon);
		split_double(x->circles.items[i].radius, c.radius);
		put_rec(e, SEC_CIRCLES, &c);
	}
	img_context_rec rec = {
		.win_first = wf, .win_count = (uint32_t)x->windows.n,
		.ip_first = cf, .ip_count = (uint32_t)x->cidrs.n,
		.cc_first = kf, .cc_count = (uint32_t)x->countries.n,
		.circ_first = rf, .circ_count = (uint32_t)x->circles.n,
	};
	put_rec(e, SEC_CONTEXTS, &rec);
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
	img_object_rec rec = {
		.ty_first = tf, .ty_count = (uint32_t)o->types.n,
		.sp_first = sf, .sp_count = (uint32_t)o->specs.n,
		.ch_first = cf, .ch_count = (uint32_t)o->child_types.n,
	};
	put_rec(e, SEC_OBJECTS, &rec);
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
		if (c->decl != NULL && o->bare && o->native) {
			/* a live store may turn this entry into a group reference
			 * and back (store/apply.c): remember where it is, and keep
			 * the id it stands for in the segment's strings either way */
			o->seg_at = count(e, SEC_ORIGS);
			o->seg_str = intern(e, abs, alen);
		}
		img_orig_rec rec = {.kind = o->kind, .value = 0};
		switch (o->kind) {
		case ORIG_EXACT:
		case ORIG_GLOB:
			rec.value = intern(e, abs, alen);
			break;
		case ORIG_GROUP:
			rec.value = c->groups.items[o->ref]->index;
			break;
		case ORIG_ROLE:
			rec.value = role_index(c, o->ref);
			break;
		default:
			break;
		}
		put_rec(e, SEC_ORIGS, &rec);
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
	img_rule_rec rec = {
		.flags = flags, .ops = r->ops,
		.orig_first = of, .orig_count = (uint32_t)r->origs.n,
		.ctx_first = xf, .ctx_count = (uint32_t)r->contexts.n,
		.obj_first = bf, .obj_count = (uint32_t)r->objects.n,
		.cond = cond, .id = intern_z(e, r->id), .acp = acp,
		/* Source locations are left out of the image: moving a rule
		 * within its file must not change the compiled bytes. */
		.index = r->index, .source = IMG_NONE, .line = 0,
	};
	put_rec(e, SEC_RULES, &rec);
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
		img_principal_rec rec = {
			.name = intern_z(e, refs.items[i].name),
			.role_first = rf, .role_count = rc,
			.group_first = gf, .group_count = gc,
		};
		put_rec(e, SEC_PRINCIPALS, &rec);
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

/* Every table of a full image, in the order the loader's checks rely on:
 * built-in attributes first (ids 0..IMG_BUILTIN_ATTRS-1), roles in
 * topological order (juniors before seniors), then groups, principals,
 * the host, constraints and the ACPs with their rules. Lists inside a
 * record are sorted and de-duplicated so that the bytes depend only on
 * the policy. */
static void emit_tables(emitter *e)
{
	cc *c = e->c;
	const char *bn;
	for (uint32_t i = 0; (bn = resolve_builtin_name(i)) != NULL; i++) {
		img_attr_rec rec = {.name = intern_z(e, bn),
		                    .type = resolve_builtin_type(i)};
		put_rec(e, SEC_ATTRS, &rec);
	}
	for (size_t i = 0; i < c->attrs.n; i++) {
		img_attr_rec rec = {.name = intern_z(e, c->attrs.items[i]->name),
		                    .type = c->attrs.items[i]->type};
		put_rec(e, SEC_ATTRS, &rec);
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
		img_role_rec rec = {.name = intern_z(e, r->name), .jr_first = jf,
		                    .jr_count = jc};
		put_rec(e, SEC_ROLES, &rec);
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
		img_group_rec rec = {.name = intern_z(e, gr->name), .glob_first = gf,
		                     .glob_count = gc};
		put_rec(e, SEC_GROUPS, &rec);
	}
	emit_principals(e);
	if (c->host_sp.ptr != NULL) {
		/* interned in this order: initializers are unsequenced */
		uint32_t sp = intern(e, c->host_sp.ptr, c->host_sp.len);
		uint32_t cse = intern(e, c->host_cse.ptr, c->host_cse.len);
		img_host_rec rec = {.sp = sp, .cse = cse};
		put_rec(e, SEC_HOST, &rec);
	}
	for (size_t i = 0; i < c->constraints.n; i++) {
		const m_constraint *k = c->constraints.items[i];
		uint32_t mf = count(e, SEC_CONSTRMEM);
		for (size_t j = 0; j < k->roles.n; j++)
			put(e, SEC_CONSTRMEM, role_index(c, k->roles.items[j].ref));
		img_constraint_rec rec = {
			.kind = k->dsd ? CONSTRAINT_DSD : CONSTRAINT_SSD,
			.name = intern_z(e, k->name), .n = k->n,
			.mem_first = mf, .mem_count = (uint32_t)k->roles.n,
		};
		put_rec(e, SEC_CONSTRAINTS, &rec);
	}
	emit_acps(e);
}

/* The decision record (format.h) of the n rules emitted from `first`. */
static void emit_decide(emitter *e, uint32_t first, uint32_t n)
{
	img_decide_rec d = {.n = n};
	/* after a failed allocation the rules may be missing: the image is
	 * discarded anyway (c->oom) */
	if (count(e, SEC_RULES) >= first + n && n > 0)
		d = img_decide_of((const img_rule_rec *)(const void *)(
		                          e->sec[SEC_RULES].items +
		                          (size_t)first * IMG_WORDS_OF(img_rule_rec)),
		                  n);
	else
		d.flags = DECIDE_NO_DENY;
	put_rec(e, SEC_DECIDE, &d);
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
		/* interned in this order: initializers are unsequenced */
		uint32_t id = intern_z(e, a->id);
		uint32_t rn = intern_z(e, a->rn);
		img_acp_rec rec = {
			.id = id, .rn = rn,
			.priv_first = pf, .priv_count = (uint32_t)a->priv.n,
			.self_first = sf, .self_count = (uint32_t)a->self.n,
			.orig_first = of, .orig_count = count(e, SEC_ORIGS) - of,
			.ctx_first = xf, .win_first = wf, .cidr_first = cf,
			.cond_first = kf,
		};
		put_rec(e, SEC_ACPS, &rec);
		emit_decide(e, pf, (uint32_t)a->priv.n);
		emit_decide(e, sf, (uint32_t)a->self.n);
	}
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
	bool ok = !c->oom && emit_write(c, e.sec, e.blob.items, e.blob.n, IMG_MAGIC);
	emitter_free(&e);
	return ok;
}

bool emit_segment(cc *c)
{
	emitter e;
	memset(&e, 0, sizeof(e));
	e.c = c;
	emit_acps(&e);
	bool ok = !c->oom && emit_write(c, e.sec, e.blob.items, e.blob.n,
	                                 IMG_SEGMENT_MAGIC);
	emitter_free(&e);
	return ok;
}
