/*
 * match.c - originator matching and role activation (match.h): the one
 * copy, read by decisions, sessions and audit.
 */
#include <string.h>

#include "common/prims.h"
#include "eval/match.h"
#include "image/view.h"

static bool str_eq(pdp_str a, pdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Group g of a loaded image (or of a store's base): the principal's exact
 * memberships, then the group's globs. */
static bool in_base_group(const eval_who *w, const pdp_image *img, uint32_t g)
{
	if (w->principal != PDP_NONE) {
		const img_principal_rec *p = img_principal(img, w->principal);
		for (uint32_t i = 0; i < p->group_count; i++)
			if (img_word(img, SEC_PRINGROUPS, p->group_first + i) == g)
				return true;
	}
	const img_group_rec *gr = img_group(img, g);
	for (uint32_t i = 0; i < gr->glob_count; i++) {
		pdp_str pat = img_str(img, img_word(img, SEC_GROUPGLOBS,
		                                    gr->glob_first + i));
		if (glob_match(pat, w->orig))
			return true;
	}
	return false;
}

static bool in_group(eval_who *w, uint32_t g)
{
	const pdp_image *img = w->img;
	if (img->view == NULL)
		return in_base_group(w, img, g);
	const view_groups *vg = img->view->groups;
	if (g >= vg->n || vg->g[g] == NULL)
		return false;
	if (vg->g[g] == VIEW_GROUP_IN_BASE)
		return in_base_group(w, img->view_base, g);
	/* a group the store changed: its members live in the view, the
	 * originator hashed once per decision */
	if (!w->orig_hashed) {
		w->orig_hash = str_hash(w->orig.ptr, w->orig.len);
		w->orig_hashed = true;
	}
	return view_in_group(img->view, g, w->orig, w->orig_hash);
}

static bool has_role(const eval_who *w, uint32_t role)
{
	if (w->active != NULL)
		return role_bit(w->active, role);
	for (uint32_t k = 0; k < w->n_assigned; k++)
		if (role_bit(role_closure_of(w->img, w->assigned[k]), role))
			return true;
	return false;
}

/* Entry `at` of seg's originator entries. Exact ids: in a loaded image
 * every exact entry names a principal through the very string id of its
 * name (checked at load) and strings are interned, so ids are compared; a
 * segment's strings are its own, so bytes are. */
static bool entry_matches(eval_who *w, const pdp_image *seg, uint32_t at)
{
	const img_orig_rec *o = img_orig(seg, at);
	if (o->kind == ORIG_ROLE)
		return has_role(w, o->value);
	if (w->orig.ptr == NULL)
		return false;
	const orig_text_rec *t = &seg->orig_text[at];
	switch (o->kind) {
	case ORIG_ALL:
		return true;
	case ORIG_EXACT:
		if (seg->segment)
			return str_eq(orig_text_str(t, seg->blob), w->orig);
		return o->value == w->principal_name;
	case ORIG_GLOB:
		return glob_match(orig_text_str(t, seg->blob), w->orig);
	case ORIG_GROUP:
		return in_group(w, o->value);
	default:
		return false;
	}
}

uint32_t eval_orig_match(eval_who *w, const pdp_image *seg,
                         const img_rule_rec *rule)
{
	for (uint32_t i = 0; i < rule->orig_count; i++)
		if (entry_matches(w, seg, rule->orig_first + i))
			return i;
	return PDP_NONE;
}

void eval_add_closure(const pdp_image *img, uint32_t r, uint64_t *set)
{
	const uint64_t *c = role_closure_of(img, r);
	for (uint32_t k = 0; k < img->role_words; k++)
		set[k] |= c[k];
}

void eval_add_closures(const pdp_image *img, const uint64_t *roots,
                       uint64_t *set)
{
	for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
		if (role_bit(roots, r))
			eval_add_closure(img, r, set);
}

void eval_authorized(const pdp_image *img, uint32_t principal, uint64_t *set)
{
	if (principal == PDP_NONE)
		return;
	const img_principal_rec *p = img_principal(img, principal);
	for (uint32_t i = 0; i < p->role_count; i++)
		eval_add_closure(img, img_word(img, SEC_PRINROLES, p->role_first + i),
		                 set);
}

uint32_t eval_dsd_violated(const pdp_image *img, const uint64_t *active)
{
	uint32_t w = img->role_words;
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const img_constraint_rec *k = img_constraint(img, i);
		if (k->kind != CONSTRAINT_DSD)
			continue;
		const uint64_t *set = img->constraint_sets + (size_t)i * w;
		uint32_t n = 0;
		for (uint32_t j = 0; j < w; j++)
			n += (uint32_t)__builtin_popcountll(active[j] & set[j]);
		if (n >= k->n)
			return i;
	}
	return PDP_NONE;
}
