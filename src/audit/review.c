/*
 * review.c - the ANSI RBAC review functions over an image (users, roles,
 * hierarchy, groups, SSD/DSD sets) and the description of single rules.
 * Everything reads the verified image tables; nothing allocates.
 */
#include <stdio.h>
#include <stdlib.h>

#include "audit/audit_internal.h"
#include "common/limits.h"
#include "common/prims.h"

uint32_t aud_principal(const pdp_image *img, pdp_str id)
{
	if (id.ptr == NULL)
		return PDP_NONE;
	char abs[PDP_MAX_ABS_ID_BYTES];
	if (img->host) {
		id.len = origin_absolute(img->host_sp, img->host_cse, id, abs,
		                         sizeof(abs));
		id.ptr = abs;
		if (id.len > sizeof(abs))
			return PDP_NONE;
	}
	return img_lookup(img, &img->h_principal, SEC_PRINCIPALS, id);
}

/* Append to a caller-sized list: count always, write while room. */
#define PUT(out, cap, n, v)                 \
	do {                                \
		if ((n) < (cap) && (out) != NULL) \
			(out)[(n)] = (v);   \
		(n)++;                      \
	} while (0)

/* ---- names ---- */

uint32_t pdp_audit_role_count(const pdp_image *img)
{
	return img ? img->count[SEC_ROLES] : 0;
}

pdp_str pdp_audit_role_name(const pdp_image *img, uint32_t role)
{
	pdp_str none = {NULL, 0};
	if (img == NULL || role >= img->count[SEC_ROLES])
		return none;
	return img_str(img, img_role(img, role)->name);
}

uint32_t pdp_audit_role_index(const pdp_image *img, pdp_str name)
{
	if (img == NULL || name.ptr == NULL)
		return PDP_NONE;
	return img_lookup(img, &img->h_role, SEC_ROLES, name);
}

uint32_t pdp_audit_group_count(const pdp_image *img)
{
	return img ? img->count[SEC_GROUPS] : 0;
}

pdp_str pdp_audit_group_name(const pdp_image *img, uint32_t group)
{
	pdp_str none = {NULL, 0};
	if (img == NULL || group >= img->count[SEC_GROUPS])
		return none;
	return img_str(img, img_group(img, group)->name);
}

/* Groups are few and have no hash index: a linear scan. */
uint32_t pdp_audit_group_index(const pdp_image *img, pdp_str name)
{
	if (img == NULL || name.ptr == NULL)
		return PDP_NONE;
	for (uint32_t g = 0; g < img->count[SEC_GROUPS]; g++)
		if (aud_str_eq(pdp_audit_group_name(img, g), name))
			return g;
	return PDP_NONE;
}

/* ---- users and roles ---- */

/* Names of the principals whose list (assigned roles: PRINROLES, or
 * exact group memberships: PRINGROUPS) holds value. */
static size_t principals_listing(const pdp_image *img, enum img_section list,
                                 uint32_t value, pdp_str *out, size_t cap)
{
	size_t n = 0;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const img_principal_rec *p = img_principal(img, i);
		bool roles = list == SEC_PRINROLES;
		uint32_t first = roles ? p->role_first : p->group_first;
		uint32_t count = roles ? p->role_count : p->group_count;
		for (uint32_t j = 0; j < count; j++)
			if (img_word(img, list, first + j) == value) {
				PUT(out, cap, n, img_str(img, p->name));
				break;
			}
	}
	return n;
}

size_t pdp_audit_assigned_users(const pdp_image *img, uint32_t role,
                                pdp_str *out, size_t cap)
{
	if (img == NULL || role >= img->count[SEC_ROLES])
		return 0;
	return principals_listing(img, SEC_PRINROLES, role, out, cap);
}

size_t pdp_audit_authorized_users(const pdp_image *img, uint32_t role,
                                  pdp_str *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || role >= img->count[SEC_ROLES])
		return 0;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const img_principal_rec *p = img_principal(img, i);
		for (uint32_t j = 0; j < p->role_count; j++) {
			uint32_t r = img_word(img, SEC_PRINROLES, p->role_first + j);
			if (role_bit(role_closure_of(img, r), role)) {
				PUT(out, cap, n, img_str(img, p->name));
				break;
			}
		}
	}
	return n;
}

size_t pdp_audit_assigned_roles(const pdp_image *img, pdp_str user,
                                uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL)
		return 0;
	uint32_t pi = aud_principal(img, user);
	if (pi == PDP_NONE)
		return 0;
	const img_principal_rec *p = img_principal(img, pi);
	/* stored sorted by role index, de-duplicated (compiler/emit_lower.c) */
	for (uint32_t j = 0; j < p->role_count; j++)
		PUT(out, cap, n, img_word(img, SEC_PRINROLES, p->role_first + j));
	return n;
}

size_t pdp_audit_authorized_roles(const pdp_image *img, pdp_str user,
                                  uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || img->role_words == 0)
		return 0;
	uint32_t pi = aud_principal(img, user);
	if (pi == PDP_NONE)
		return 0;
	uint64_t *bits = calloc(img->role_words, sizeof(uint64_t));
	if (bits == NULL)
		return 0;
	eval_authorized(img, pi, bits);
	for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
		if (role_bit(bits, r))
			PUT(out, cap, n, r);
	free(bits);
	return n;
}

static bool direct_junior(const pdp_image *img, uint32_t senior, uint32_t jr)
{
	const img_role_rec *r = img_role(img, senior);
	for (uint32_t j = 0; j < r->jr_count; j++)
		if (img_word(img, SEC_ROLEJR, r->jr_first + j) == jr)
			return true;
	return false;
}

size_t pdp_audit_role_juniors(const pdp_image *img, uint32_t role,
                              bool direct, uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || role >= img->count[SEC_ROLES])
		return 0;
	const uint64_t *c = role_closure_of(img, role);
	for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
		if (r != role && (direct ? direct_junior(img, role, r) : role_bit(c, r)))
			PUT(out, cap, n, r);
	return n;
}

size_t pdp_audit_role_seniors(const pdp_image *img, uint32_t role,
                              bool direct, uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || role >= img->count[SEC_ROLES])
		return 0;
	for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
		if (r != role && (direct ? direct_junior(img, r, role)
		                         : role_bit(role_closure_of(img, r), role)))
			PUT(out, cap, n, r);
	return n;
}

/* ---- groups ---- */

size_t pdp_audit_group_members(const pdp_image *img, uint32_t group,
                               pdp_str *out, size_t cap)
{
	if (img == NULL || group >= img->count[SEC_GROUPS])
		return 0;
	return principals_listing(img, SEC_PRINGROUPS, group, out, cap);
}

size_t pdp_audit_group_globs(const pdp_image *img, uint32_t group,
                             pdp_str *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || group >= img->count[SEC_GROUPS])
		return 0;
	const img_group_rec *g = img_group(img, group);
	for (uint32_t j = 0; j < g->glob_count; j++)
		PUT(out, cap, n,
		    img_str(img, img_word(img, SEC_GROUPGLOBS, g->glob_first + j)));
	return n;
}

/* ---- constraints ---- */

uint32_t pdp_audit_constraint_count(const pdp_image *img)
{
	return img ? img->count[SEC_CONSTRAINTS] : 0;
}

pdp_status pdp_audit_constraint_get(const pdp_image *img, uint32_t i,
                                    pdp_audit_constraint *out)
{
	if (img == NULL || out == NULL)
		return PDP_ERR_ARG;
	if (i >= img->count[SEC_CONSTRAINTS])
		return PDP_ERR_NOT_FOUND;
	const img_constraint_rec *k = img_constraint(img, i);
	out->dynamic = k->kind == CONSTRAINT_DSD;
	out->name = img_str(img, k->name);
	out->n = k->n;
	out->n_roles = k->mem_count;
	return PDP_OK;
}

size_t pdp_audit_constraint_roles(const pdp_image *img, uint32_t i,
                                  uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || i >= img->count[SEC_CONSTRAINTS])
		return 0;
	const img_constraint_rec *k = img_constraint(img, i);
	for (uint32_t j = 0; j < k->mem_count; j++)
		PUT(out, cap, n, img_word(img, SEC_CONSTRMEM, k->mem_first + j));
	return n;
}

/* ---- rules ---- */

uint32_t pdp_audit_rule_count(const pdp_image *img)
{
	return img ? img->count[SEC_RULES] : 0;
}

pdp_status pdp_audit_rule_get(const pdp_image *img, uint32_t rule,
                              pdp_audit_rule *out)
{
	if (img == NULL || out == NULL)
		return PDP_ERR_ARG;
	if (rule >= img->count[SEC_RULES])
		return PDP_ERR_NOT_FOUND;
	const img_rule_rec *r = img_rule(img, rule);
	pdp_str none = {NULL, 0};
	out->acp = r->acp;
	out->self = (r->flags & RULE_FLAG_SELF) != 0;
	out->index = r->index;
	out->deny = (r->flags & RULE_FLAG_DENY) != 0;
	out->operations = r->ops;
	out->id = r->id != IMG_NONE ? img_str(img, r->id) : none;
	out->file = r->source != IMG_NONE
	                    ? img_str(img, img_word(img, SEC_SOURCES, r->source))
	                    : none;
	out->line = r->source != IMG_NONE ? r->line : 0;
	out->n_originators = r->orig_count;
	return PDP_OK;
}

pdp_status pdp_audit_rule_originator(const pdp_image *img, uint32_t rule,
                                     uint32_t i, pdp_audit_originator *out)
{
	if (img == NULL || out == NULL)
		return PDP_ERR_ARG;
	if (rule >= img->count[SEC_RULES])
		return PDP_ERR_NOT_FOUND;
	const img_rule_rec *r = img_rule(img, rule);
	if (i >= r->orig_count)
		return PDP_ERR_NOT_FOUND;
	const img_orig_rec *o = img_orig(img, r->orig_first + i);
	static const char ALL[] = "all";
	out->kind = (pdp_audit_via)o->kind;
	out->index = PDP_NONE;
	switch (o->kind) {
	case ORIG_EXACT:
	case ORIG_GLOB:
		out->name = img_str(img, o->value);
		break;
	case ORIG_GROUP:
		out->index = o->value;
		out->name = pdp_audit_group_name(img, o->value);
		break;
	case ORIG_ROLE:
		out->index = o->value;
		out->name = pdp_audit_role_name(img, o->value);
		break;
	default:
		out->kind = PDP_AUDIT_VIA_ALL;
		out->name.ptr = ALL;
		out->name.len = 3;
		break;
	}
	return PDP_OK;
}

size_t pdp_audit_rule_token(const pdp_image *img, uint32_t rule, char *buf,
                            size_t size)
{
	char tmp[2];
	if (buf == NULL || size == 0) {
		buf = tmp;
		size = sizeof(tmp);
	}
	if (img == NULL || rule >= img->count[SEC_RULES]) {
		buf[0] = '\0';
		return 0;
	}
	const img_rule_rec *r = img_rule(img, rule);
	pdp_str acp = img_str(img, img_acp(img, r->acp)->id);
	int n = snprintf(buf, size, "rule:%.*s:%s:%u", (int)acp.len, acp.ptr,
	                 (r->flags & RULE_FLAG_SELF) ? "self" : "privileges",
	                 r->index);
	return n < 0 ? 0 : (size_t)n;
}
