/*
 * ownership.c - every record of an image is owned exactly once.
 *
 * The bounds checks of verify.c make every range point inside its table, but
 * they say nothing of what lies between the ranges. A crafted image (or a
 * tampered one with its checksum recomputed) could lower an ACP's rule
 * count by one: the last rule would then belong to no ACP, and its deny
 * would vanish from decisions and from audit while the image still loads.
 * Two owners sharing one record would likewise make audit and the
 * evaluator disagree on what a rule contains. So, as libsepol's validator
 * does for policydb, the loader accounts for every record: each table
 * below must be covered by its owners' ranges exactly once, no gap, no
 * overlap. Strings are the one shared table (the emitter interns them).
 *
 *   ACPS        -> RULES (privileges range, self range)
 *   RULES       -> ORIGS, CONTEXTS, OBJECTS, root CONDS
 *   CONDS       -> CONDKIDS (combinators), LISTITEMS (`in`), CIDRS
 *                  (`in_cidr` lists, ip literals), INTS, TIMES, REGEXES
 *   CONDKIDS    -> CONDS (child nodes)
 *   LISTITEMS   -> INTS (int `in` lists; string lists point at strings)
 *   CONTEXTS    -> WINDOWS, CIDRS, COUNTRIES, CIRCLES
 *   OBJECTS     -> OBJTYPES (ty and chty ranges), OBJSPECS
 *   PRINCIPALS  -> PRINROLES, PRINGROUPS
 *   GROUPS      -> GROUPGLOBS;  ROLES -> ROLEJR;  CONSTRAINTS -> CONSTRMEM
 *
 * An ACP's originator range (the prefetch span of its rules' originator
 * entries) must also be exactly the union of its rules' ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

/* Owner counts, one byte per record of every owned table. */
typedef struct owners {
	const pdp_image *img;
	const pdp_image *decl;  /* whose attribute table types conditions */
	pdp_error *err;
	uint8_t *seen[IMG_SECTION_COUNT];
} owners;

static const char *const SECTION_NAMES[IMG_SECTION_COUNT] = {
	[SEC_STRBLOB] = "string blob", [SEC_STRTAB] = "string",
	[SEC_ACPS] = "ACP", [SEC_RULES] = "rule", [SEC_ORIGS] = "originator",
	[SEC_CONTEXTS] = "context", [SEC_WINDOWS] = "window",
	[SEC_CIDRS] = "CIDR", [SEC_COUNTRIES] = "country",
	[SEC_CIRCLES] = "circle", [SEC_OBJECTS] = "object",
	[SEC_OBJTYPES] = "object type", [SEC_OBJSPECS] = "specialization",
	[SEC_PRINCIPALS] = "principal", [SEC_PRINROLES] = "assigned role",
	[SEC_PRINGROUPS] = "group membership", [SEC_GROUPS] = "group",
	[SEC_GROUPGLOBS] = "group glob", [SEC_ROLES] = "role",
	[SEC_ROLEJR] = "junior role", [SEC_CONSTRAINTS] = "constraint",
	[SEC_CONSTRMEM] = "constraint role", [SEC_ATTRS] = "attribute",
	[SEC_CONDS] = "condition", [SEC_CONDKIDS] = "condition child",
	[SEC_INTS] = "integer", [SEC_TIMES] = "time",
	[SEC_LISTITEMS] = "list item", [SEC_REGEXES] = "regex",
	[SEC_SOURCES] = "source", [SEC_HOST] = "host",
	[SEC_DECIDE] = "decision record",
};

const char *img_section_name(enum img_section s)
{
	return (unsigned)s < IMG_SECTION_COUNT ? SECTION_NAMES[s] : "?";
}

/* The tables whose records must each have exactly one owner. */
static const enum img_section OWNED[] = {
	SEC_RULES, SEC_ORIGS, SEC_CONTEXTS, SEC_OBJECTS, SEC_CONDS,
	SEC_CONDKIDS, SEC_LISTITEMS, SEC_CIDRS, SEC_INTS, SEC_TIMES,
	SEC_REGEXES, SEC_WINDOWS, SEC_COUNTRIES, SEC_CIRCLES, SEC_OBJTYPES,
	SEC_OBJSPECS, SEC_PRINROLES, SEC_PRINGROUPS, SEC_GROUPGLOBS,
	SEC_ROLEJR, SEC_CONSTRMEM,
};
#define N_OWNED (sizeof(OWNED) / sizeof(OWNED[0]))

/* Claim records [first, first + n) of table s for one owner. The ranges
 * were bounds-checked by verify.c; a record claimed twice fails. */
static pdp_status claim(owners *o, enum img_section s, uint32_t first,
                        uint32_t n)
{
	uint8_t *seen = o->seen[s];
	for (uint32_t i = 0; i < n; i++) {
		if (seen[first + i] != 0)
			return img_fail(o->err, PDP_ERR_INVALID,
			                "%s %u has two owners", SECTION_NAMES[s],
			                first + i);
		seen[first + i] = 1;
	}
	return PDP_OK;
}

static pdp_status claim_acps(owners *o)
{
	const pdp_image *img = o->img;
	for (uint32_t i = 0; i < img->count[SEC_ACPS]; i++) {
		const img_acp_rec *a = img_acp(img, i);
		TRY(claim(o, SEC_RULES, a->priv_first, a->priv_count));
		TRY(claim(o, SEC_RULES, a->self_first, a->self_count));
		/* the originator span must be exactly its rules' entries */
		uint64_t total = 0;
		for (uint32_t s = 0; s < 2; s++) {
			uint32_t first = s ? a->self_first : a->priv_first,
			         count = s ? a->self_count : a->priv_count;
			for (uint32_t j = 0; j < count; j++) {
				const img_rule_rec *r = img_rule(img, first + j);
				uint64_t f = r->orig_first, n = r->orig_count;
				if (n > 0 && (f < a->orig_first ||
				              f + n > (uint64_t)a->orig_first + a->orig_count))
					return img_fail(o->err, PDP_ERR_INVALID,
					                "ACP %u: rule %u's originators lie "
					                "outside the ACP's span", i, j);
				total += n;
			}
		}
		if (total != a->orig_count)
			return img_fail(o->err, PDP_ERR_INVALID,
			                "ACP %u: originator span of %u entries, its "
			                "rules have %llu", i, a->orig_count,
			                (unsigned long long)total);
	}
	return PDP_OK;
}

static pdp_status claim_rules(owners *o)
{
	const pdp_image *img = o->img;
	for (uint32_t i = 0; i < img->count[SEC_RULES]; i++) {
		const img_rule_rec *r = img_rule(img, i);
		TRY(claim(o, SEC_ORIGS, r->orig_first, r->orig_count));
		TRY(claim(o, SEC_CONTEXTS, r->ctx_first, r->ctx_count));
		TRY(claim(o, SEC_OBJECTS, r->obj_first, r->obj_count));
		if (r->cond != IMG_NONE)
			TRY(claim(o, SEC_CONDS, r->cond, 1));
	}
	for (uint32_t i = 0; i < img->count[SEC_CONTEXTS]; i++) {
		const img_context_rec *x = img_context(img, i);
		TRY(claim(o, SEC_WINDOWS, x->win_first, x->win_count));
		TRY(claim(o, SEC_CIDRS, x->ip_first, x->ip_count));
		TRY(claim(o, SEC_COUNTRIES, x->cc_first, x->cc_count));
		TRY(claim(o, SEC_CIRCLES, x->circ_first, x->circ_count));
	}
	for (uint32_t i = 0; i < img->count[SEC_OBJECTS]; i++) {
		const img_object_rec *b = img_object(img, i);
		TRY(claim(o, SEC_OBJTYPES, b->ty_first, b->ty_count));
		TRY(claim(o, SEC_OBJSPECS, b->sp_first, b->sp_count));
		TRY(claim(o, SEC_OBJTYPES, b->ch_first, b->ch_count));
	}
	return PDP_OK;
}

/* What a condition node owns follows from its operator, right-side kind
 * and attribute type, exactly as the evaluator reads it (shapes were
 * checked by verify.c's verify_conds). */
static pdp_status claim_conds(owners *o)
{
	const pdp_image *img = o->img;
	for (uint32_t i = 0; i < img->count[SEC_CONDS]; i++) {
		const img_cond_rec *k = img_cond(img, i);
		uint32_t op = k->op, rk = k->rhs_kind, rhs = k->rhs, first = k->first,
		         cnt = k->count;
		if (op == COP_TRUE || op == COP_FALSE)
			continue;
		if (op == COP_ALL || op == COP_ANY || op == COP_NOT) {
			TRY(claim(o, SEC_CONDKIDS, first, cnt));
			for (uint32_t j = 0; j < cnt; j++)
				TRY(claim(o, SEC_CONDS,
				          img_word(img, SEC_CONDKIDS, first + j), 1));
			continue;
		}
		pdp_type t = (pdp_type)img_attr(o->decl, k->attr)->type;
		if (rk == RHS_REGEX) {
			TRY(claim(o, SEC_REGEXES, rhs, 1));
		} else if (rk == RHS_LIST && op == COP_IN_CIDR) {
			TRY(claim(o, SEC_CIDRS, first, cnt));
		} else if (rk == RHS_LIST) {
			TRY(claim(o, SEC_LISTITEMS, first, cnt));
			for (uint32_t j = 0; t == PDP_TYPE_INT && j < cnt; j++)
				TRY(claim(o, SEC_INTS,
				          img_word(img, SEC_LISTITEMS, first + j), 1));
		} else if (rk == RHS_LIT && op != COP_PRESENT) {
			if (t == PDP_TYPE_INT)
				TRY(claim(o, SEC_INTS, rhs, 1));
			else if (t == PDP_TYPE_TIME)
				TRY(claim(o, SEC_TIMES, rhs, 1));
			else if (t == PDP_TYPE_IP)
				TRY(claim(o, SEC_CIDRS, rhs, 1));
		}
	}
	return PDP_OK;
}

static pdp_status claim_rbac(owners *o)
{
	const pdp_image *img = o->img;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const img_principal_rec *p = img_principal(img, i);
		TRY(claim(o, SEC_PRINROLES, p->role_first, p->role_count));
		TRY(claim(o, SEC_PRINGROUPS, p->group_first, p->group_count));
	}
	for (uint32_t i = 0; i < img->count[SEC_GROUPS]; i++) {
		const img_group_rec *g = img_group(img, i);
		TRY(claim(o, SEC_GROUPGLOBS, g->glob_first, g->glob_count));
	}
	for (uint32_t i = 0; i < img->count[SEC_ROLES]; i++) {
		const img_role_rec *r = img_role(img, i);
		TRY(claim(o, SEC_ROLEJR, r->jr_first, r->jr_count));
	}
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const img_constraint_rec *k = img_constraint(img, i);
		TRY(claim(o, SEC_CONSTRMEM, k->mem_first, k->mem_count));
	}
	return PDP_OK;
}

static pdp_status check_all_owned(owners *o)
{
	for (size_t t = 0; t < N_OWNED; t++) {
		enum img_section s = OWNED[t];
		const uint8_t *seen = o->seen[s];
		for (uint32_t i = 0; i < o->img->count[s]; i++)
			if (seen[i] == 0)
				return img_fail(o->err, PDP_ERR_INVALID,
				                "%s %u is owned by nothing (a count or "
				                "range was altered)", SECTION_NAMES[s], i);
	}
	return PDP_OK;
}

IMG_LOAD_ONCE pdp_status img_verify_ownership(const pdp_image *img,
                                             const pdp_image *decl,
                                             pdp_error *err)
{
	owners o;
	memset(&o, 0, sizeof(o));
	o.img = img;
	o.decl = decl;
	o.err = err;
	size_t total = 0;
	for (size_t t = 0; t < N_OWNED; t++)
		total += img->count[OWNED[t]];
	uint8_t *bytes = calloc(total + 1, 1);
	if (bytes == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	size_t off = 0;
	for (size_t t = 0; t < N_OWNED; t++) {
		o.seen[OWNED[t]] = bytes + off;
		off += img->count[OWNED[t]];
	}
	pdp_status st = claim_acps(&o);
	if (st == PDP_OK)
		st = claim_rules(&o);
	if (st == PDP_OK)
		st = claim_conds(&o);
	if (st == PDP_OK)
		st = claim_rbac(&o);
	if (st == PDP_OK)
		st = check_all_owned(&o);
	free(bytes);
	return st;
}
