/*
 * residual.c - partial evaluation of rule conditions for audit
 * (residual.h). A `when` leaf whose attributes the query fixes is
 * evaluated by the evaluator's own code (eval_cond_node) on a request
 * holding just those facts; every other leaf stays open. Combinators then
 * fold with the three-valued logic of docs/language.md section 9: an
 * `all` with a false child is false, true children drop out, and so on.
 * An indeterminate subtree is kept as written: it is indeterminate in every
 * request the facts describe, and the policy syntax has no literal for it.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/render.h"
#include "audit/residual.h"
#include "eval/eval.h"

/* A node's possible values for the facts, as a set of the evaluator's tri
 * values: one bit for a decided node, several for one that depends on the
 * request. Children are taken as independent, so the set may hold a value
 * no request can produce, never miss one that a request does: "cannot be
 * true" is always safe to conclude. */
enum { V_FALSE = 1, V_TRUE = 2, V_INDET = 4, V_ANY = 7 };

static int vbit(tri t)
{
	return t == T_TRUE ? V_TRUE : t == T_FALSE ? V_FALSE : V_INDET;
}

void aud_facts_done(aud_facts *f)
{
	pdp_scratch_free(f->scratch);
	f->scratch = NULL;
}

static bool attr_given(const aud_facts *f, uint32_t attr)
{
	for (size_t i = 0; i < f->n_attrs; i++)
		if (f->attrs[i].id == attr)
			return true;
	return false;
}

/* Does the query fix attribute attr's value (or its absence)? */
static bool attr_fixed(const aud_facts *f, uint32_t attr)
{
	switch (attr) {
	case BATTR_ORIGINATOR_ID:
		return f->orig.ptr != NULL;
	case BATTR_OPERATION:
		return true;
	case BATTR_RESOURCE_TYPE:
		return f->type >= 0;
	default:
		break;
	}
	if (attr < IMG_BUILTIN_ATTRS || attr >= f->img->count[SEC_ATTRS])
		return false;
	if (attr_given(f, attr))
		return true;
	pdp_str name = img_str(f->img, img_attr(f->img, attr)->name);
	static const char PFX[] = "originator.";
	return f->attrs_fixed && name.len > sizeof(PFX) - 1 &&
	       memcmp(name.ptr, PFX, sizeof(PFX) - 1) == 0;
}

/* A leaf whose attributes are fixed, evaluated on a request that carries
 * exactly the facts; every value it can take when it reads anything else
 * (`present` is never indeterminate). */
static int leaf_value(aud_facts *f, uint32_t op, uint32_t idx)
{
	const img_cond_rec *k = img_cond(f->img, idx);
	int open = k->op == COP_PRESENT ? V_TRUE | V_FALSE : V_ANY;
	if (!attr_fixed(f, k->attr) ||
	    (k->rhs_kind == RHS_ATTR && !attr_fixed(f, k->rhs)))
		return open;
	if (k->op == COP_MATCHES && f->scratch == NULL) {
		if (f->no_scratch ||
		    pdp_scratch_new_any(&f->scratch, NULL) != PDP_OK) {
			f->no_scratch = true;
			return open;
		}
	}
	pdp_request q;
	pdp_request_init(&q);
	q.originator = f->orig;
	q.operation = op;
	q.type = f->type;
	q.attrs = f->attrs;
	q.n_attrs = f->n_attrs;
	return vbit(eval_cond_node(f->img, f->scratch, &q, f->orig, idx));
}

/* The possible values of condition node idx for the facts, by the
 * three-valued tables of docs/language.md: `all` can be true when every
 * child can, false when one can, indeterminate when every child can be
 * other than false and one can be indeterminate; `any` dually. Depth is
 * bounded by the loader's PDP_MAX_COND_DEPTH check. */
static int node_value(aud_facts *f, uint32_t op, uint32_t idx)
{
	const img_cond_rec *k = img_cond(f->img, idx);
	switch (k->op) {
	case COP_TRUE:
		return V_TRUE;
	case COP_FALSE:
		return V_FALSE;
	case COP_ALL:
	case COP_ANY: {
		/* all: "win" is true, "lose" false; any: the other way round */
		int win = k->op == COP_ALL ? V_TRUE : V_FALSE;
		int lose = V_TRUE + V_FALSE - win;
		bool every_win = true, some_lose = false, every_not_lose = true,
		     some_indet = false;
		for (uint32_t i = 0; i < k->count; i++) {
			int v = node_value(f, op, img_word(f->img, SEC_CONDKIDS,
			                                   k->first + i));
			every_win = every_win && (v & win);
			some_lose = some_lose || (v & lose);
			every_not_lose = every_not_lose && (v & ~lose);
			some_indet = some_indet || (v & V_INDET);
		}
		return (every_win ? win : 0) | (some_lose ? lose : 0) |
		       (every_not_lose && some_indet ? V_INDET : 0);
	}
	case COP_NOT: {
		int v = node_value(f, op, img_word(f->img, SEC_CONDKIDS, k->first));
		return (v & V_INDET) | (v & V_TRUE ? V_FALSE : 0) |
		       (v & V_FALSE ? V_TRUE : 0);
	}
	default:
		return leaf_value(f, op, idx);
	}
}

/* An undecided node, simplified: an `all` loses its children that are
 * true for the facts and an `any` those that are false (and3(T, x) = x,
 * or3(F, x) = x), and one left with a single child becomes it; a child
 * that is indeterminate for the facts is printed as written (it is
 * indeterminate in every request the facts describe). */
static void render_open(sb *b, aud_facts *f, uint32_t op, uint32_t idx)
{
	const img_cond_rec *k = img_cond(f->img, idx);
	if (k->op == COP_NOT) {
		sb_puts(b, "{not: ");
		render_open(b, f, op, img_word(f->img, SEC_CONDKIDS, k->first));
		sb_puts(b, "}");
		return;
	}
	if (k->op != COP_ALL && k->op != COP_ANY) {
		render_leaf(b, f->img, k);
		return;
	}
	int neutral = k->op == COP_ALL ? V_TRUE : V_FALSE;
	uint32_t kept = 0, only = 0;
	for (uint32_t i = 0; i < k->count; i++) {
		uint32_t c = img_word(f->img, SEC_CONDKIDS, k->first + i);
		if (node_value(f, op, c) != neutral) {
			kept++;
			only = c;
		}
	}
	if (kept == 1) {
		render_open(b, f, op, only);
		return;
	}
	sb_puts(b, k->op == COP_ALL ? "{all: [" : "{any: [");
	bool sep = false;
	for (uint32_t i = 0; i < k->count; i++) {
		uint32_t c = img_word(f->img, SEC_CONDKIDS, k->first + i);
		int v = node_value(f, op, c);
		if (v == neutral)
			continue;
		if (sep)
			sb_puts(b, ", ");
		sep = true;
		if (v == V_INDET)
			render_cond(b, f->img, c);
		else
			render_open(b, f, op, c);
	}
	sb_puts(b, "]}");
}

/* ---- objects with the type fixed ---- */

static bool type_listed(const pdp_image *img, const img_object_rec *o,
                        int32_t type)
{
	for (uint32_t i = 0; i < o->ty_count; i++)
		if (img_word(img, SEC_OBJTYPES, o->ty_first + i) == (uint32_t)type)
			return true;
	return false;
}

/* One objects entry: false when its types exclude the fixed type, true
 * when nothing else of it can fail, else either. */
static int object_value(const aud_facts *f, const img_object_rec *o,
                        uint32_t op)
{
	if (o->ty_count > 0 && !type_listed(f->img, o, f->type))
		return V_FALSE;
	return o->sp_count > 0 || (o->ch_count > 0 && op == PDP_OP_CREATE)
	               ? V_TRUE | V_FALSE
	               : V_TRUE;
}

/* Objects hold when an entry does (never indeterminate). */
static int objects_value(const aud_facts *f, const img_rule_rec *r,
                         uint32_t op)
{
	int v = V_FALSE;
	for (uint32_t i = 0; i < r->obj_count; i++) {
		int e = object_value(f, img_object(f->img, r->obj_first + i), op);
		if (e == V_TRUE)
			return V_TRUE;
		if (e & V_TRUE)
			v = V_TRUE | V_FALSE;
	}
	return v;
}

uint32_t aud_residual(aud_facts *f, uint32_t rule, uint32_t op)
{
	uint32_t c = pdp_audit_rule_conditions(f->img, rule, op);
	const img_rule_rec *r = img_rule(f->img, rule);
	/* a permit rule grants when `when` is true; a deny rule denies unless
	 * it is false */
	int holds = (r->flags & RULE_FLAG_DENY) ? V_TRUE | V_INDET : V_TRUE;
	if (c & PDP_AUDIT_COND_WHEN) {
		int v = node_value(f, op, r->cond);
		if (!(v & holds))
			c |= PDP_AUDIT_COND_NEVER;
		else if (!(v & ~holds))
			c &= ~(uint32_t)PDP_AUDIT_COND_WHEN;
	}
	if ((c & PDP_AUDIT_COND_OBJECTS) && f->type >= 0) {
		int v = objects_value(f, r, op);
		if (v == V_TRUE)
			c &= ~(uint32_t)PDP_AUDIT_COND_OBJECTS;
		else if (v == V_FALSE)
			c |= PDP_AUDIT_COND_NEVER;
	}
	return c;
}

size_t aud_residual_text(aud_facts *f, uint32_t rule, uint32_t op,
                         uint32_t part, char *buf, size_t size)
{
	sb b = {buf, buf != NULL ? size : 0, 0};
	if (b.size > 0)
		buf[0] = '\0';
	uint32_t c = aud_residual(f, rule, op);
	if (!(c & part) || part == PDP_AUDIT_COND_NEVER)
		return 0;
	const img_rule_rec *r = img_rule(f->img, rule);
	if (part == PDP_AUDIT_COND_WHEN) {
		sb_puts(&b, "when: ");
		render_open(&b, f, op, r->cond);
		return b.len;
	}
	if (part == PDP_AUDIT_COND_OBJECTS && f->type >= 0) {
		sb_puts(&b, "objects: [");
		bool sep = false;
		for (uint32_t i = 0; i < r->obj_count; i++) {
			const img_object_rec *o = img_object(f->img, r->obj_first + i);
			if (object_value(f, o, op) == V_FALSE)
				continue;
			if (sep)
				sb_puts(&b, ", ");
			sep = true;
			render_object(&b, f->img, o, false);
		}
		sb_puts(&b, "]");
		return b.len;
	}
	return pdp_audit_format_condition(f->img, rule, part, buf, size);
}

/* ---- the texts a result keeps ---- */

#define RES_PARTS 4

struct aud_res_row {
	uint32_t rule, op;
	char *text[RES_PARTS]; /* contexts, authenticated, objects, when */
};

static int part_slot(uint32_t part)
{
	switch (part) {
	case PDP_AUDIT_COND_CONTEXTS: return 0;
	case PDP_AUDIT_COND_AUTHENTICATED: return 1;
	case PDP_AUDIT_COND_OBJECTS: return 2;
	case PDP_AUDIT_COND_WHEN: return 3;
	default: return -1;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const aud_res_row *x = a, *y = b;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->op < y->op ? -1 : x->op > y->op ? 1 : 0;
}

void aud_restab_seal(aud_restab *t)
{
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), row_cmp);
}

static const aud_res_row *restab_find(const aud_restab *t, uint32_t rule,
                                      uint32_t op)
{
	aud_res_row key;
	key.rule = rule;
	key.op = op;
	if (t->n == 0)
		return NULL;
	return bsearch(&key, t->rows, t->n, sizeof(*t->rows), row_cmp);
}

bool aud_restab_add(aud_restab *t, aud_facts *f, uint32_t rule, uint32_t op)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		aud_res_row *nr = realloc(t->rows, nc * sizeof(*nr));
		if (nr == NULL)
			return false;
		t->rows = nr;
		t->cap = nc;
	}
	aud_res_row *row = &t->rows[t->n];
	memset(row, 0, sizeof(*row));
	row->rule = rule;
	row->op = op;
	t->n++;
	for (uint32_t part = 1; part <= PDP_AUDIT_COND_WHEN; part <<= 1) {
		size_t n = aud_residual_text(f, rule, op, part, NULL, 0);
		if (n == 0)
			continue;
		char *s = malloc(n + 1);
		if (s == NULL)
			return false;
		aud_residual_text(f, rule, op, part, s, n + 1);
		row->text[part_slot(part)] = s;
	}
	return true;
}

size_t aud_restab_get(const aud_restab *t, uint32_t rule, uint32_t op,
                      uint32_t part, char *buf, size_t size)
{
	if (buf != NULL && size > 0)
		buf[0] = '\0';
	const aud_res_row *row = restab_find(t, rule, op);
	int slot = part_slot(part);
	if (row == NULL || slot < 0 || row->text[slot] == NULL)
		return 0;
	const char *s = row->text[slot];
	size_t n = strlen(s);
	if (buf != NULL && size > 0) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(buf, s, k);
		buf[k] = '\0';
	}
	return n;
}

void aud_restab_free(aud_restab *t)
{
	for (size_t i = 0; i < t->n; i++)
		for (int k = 0; k < RES_PARTS; k++)
			free(t->rows[i].text[k]);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}
