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

void aud_authorized_bits(const pdp_image *img, uint32_t principal,
                         uint64_t *bits)
{
	if (principal == PDP_NONE)
		return;
	const uint32_t *p = img_rec(img, SEC_PRINCIPALS, principal);
	for (uint32_t i = 0; i < p[2]; i++) {
		const uint64_t *c = aud_closure(img, img_rec(img, SEC_PRINROLES, p[1] + i)[0]);
		for (uint32_t k = 0; k < img->role_words; k++)
			bits[k] |= c[k];
	}
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
	return img_str(img, img_rec(img, SEC_ROLES, role)[0]);
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
	return img_str(img, img_rec(img, SEC_GROUPS, group)[0]);
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

/* Names of the principals whose list (assigned roles: words 1-2 of the
 * record into PRINROLES; exact group memberships: words 3-4 into
 * PRINGROUPS) holds value. */
static size_t principals_listing(const pdp_image *img, enum img_section list,
                                 unsigned word, uint32_t value, pdp_str *out,
                                 size_t cap)
{
	size_t n = 0;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const uint32_t *p = img_rec(img, SEC_PRINCIPALS, i);
		for (uint32_t j = 0; j < p[word + 1]; j++)
			if (img_rec(img, list, p[word] + j)[0] == value) {
				PUT(out, cap, n, img_str(img, p[0]));
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
	return principals_listing(img, SEC_PRINROLES, 1, role, out, cap);
}

size_t pdp_audit_authorized_users(const pdp_image *img, uint32_t role,
                                  pdp_str *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || role >= img->count[SEC_ROLES])
		return 0;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const uint32_t *p = img_rec(img, SEC_PRINCIPALS, i);
		for (uint32_t j = 0; j < p[2]; j++) {
			uint32_t r = img_rec(img, SEC_PRINROLES, p[1] + j)[0];
			if (aud_bit(aud_closure(img, r), role)) {
				PUT(out, cap, n, img_str(img, p[0]));
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
	const uint32_t *p = img_rec(img, SEC_PRINCIPALS, pi);
	/* stored sorted by role index, de-duplicated (emit.c) */
	for (uint32_t j = 0; j < p[2]; j++)
		PUT(out, cap, n, img_rec(img, SEC_PRINROLES, p[1] + j)[0]);
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
	aud_authorized_bits(img, pi, bits);
	for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
		if (aud_bit(bits, r))
			PUT(out, cap, n, r);
	free(bits);
	return n;
}

static bool direct_junior(const pdp_image *img, uint32_t senior, uint32_t jr)
{
	const uint32_t *r = img_rec(img, SEC_ROLES, senior);
	for (uint32_t j = 0; j < r[2]; j++)
		if (img_rec(img, SEC_ROLEJR, r[1] + j)[0] == jr)
			return true;
	return false;
}

size_t pdp_audit_role_juniors(const pdp_image *img, uint32_t role,
                              bool direct, uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || role >= img->count[SEC_ROLES])
		return 0;
	const uint64_t *c = aud_closure(img, role);
	for (uint32_t r = 0; r < img->count[SEC_ROLES]; r++)
		if (r != role && (direct ? direct_junior(img, role, r) : aud_bit(c, r)))
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
		                         : aud_bit(aud_closure(img, r), role)))
			PUT(out, cap, n, r);
	return n;
}

/* ---- groups ---- */

size_t pdp_audit_group_members(const pdp_image *img, uint32_t group,
                               pdp_str *out, size_t cap)
{
	if (img == NULL || group >= img->count[SEC_GROUPS])
		return 0;
	return principals_listing(img, SEC_PRINGROUPS, 3, group, out, cap);
}

size_t pdp_audit_group_globs(const pdp_image *img, uint32_t group,
                             pdp_str *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || group >= img->count[SEC_GROUPS])
		return 0;
	const uint32_t *g = img_rec(img, SEC_GROUPS, group);
	for (uint32_t j = 0; j < g[2]; j++)
		PUT(out, cap, n, img_str(img, img_rec(img, SEC_GROUPGLOBS, g[1] + j)[0]));
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
	const uint32_t *k = img_rec(img, SEC_CONSTRAINTS, i);
	out->dynamic = k[0] == 1;
	out->name = img_str(img, k[1]);
	out->n = k[2];
	out->n_roles = k[4];
	return PDP_OK;
}

size_t pdp_audit_constraint_roles(const pdp_image *img, uint32_t i,
                                  uint32_t *out, size_t cap)
{
	size_t n = 0;
	if (img == NULL || i >= img->count[SEC_CONSTRAINTS])
		return 0;
	const uint32_t *k = img_rec(img, SEC_CONSTRAINTS, i);
	for (uint32_t j = 0; j < k[4]; j++)
		PUT(out, cap, n, img_rec(img, SEC_CONSTRMEM, k[3] + j)[0]);
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
	const uint32_t *r = img_rec(img, SEC_RULES, rule);
	pdp_str none = {NULL, 0};
	out->acp = r[RW_ACP];
	out->self = (r[RW_FLAGS] & RULE_FLAG_SELF) != 0;
	out->index = r[RW_INDEX];
	out->deny = (r[RW_FLAGS] & RULE_FLAG_DENY) != 0;
	out->operations = r[RW_OPS];
	out->id = r[RW_ID] != IMG_NONE ? img_str(img, r[RW_ID]) : none;
	out->file = r[RW_SOURCE] != IMG_NONE
	                    ? img_str(img, img_rec(img, SEC_SOURCES, r[RW_SOURCE])[0])
	                    : none;
	out->line = r[RW_SOURCE] != IMG_NONE ? r[RW_LINE] : 0;
	out->n_originators = r[RW_ORIG_COUNT];
	return PDP_OK;
}

pdp_status pdp_audit_rule_originator(const pdp_image *img, uint32_t rule,
                                     uint32_t i, pdp_audit_originator *out)
{
	if (img == NULL || out == NULL)
		return PDP_ERR_ARG;
	if (rule >= img->count[SEC_RULES])
		return PDP_ERR_NOT_FOUND;
	const uint32_t *r = img_rec(img, SEC_RULES, rule);
	if (i >= r[RW_ORIG_COUNT])
		return PDP_ERR_NOT_FOUND;
	const uint32_t *o = img_rec(img, SEC_ORIGS, r[RW_ORIG_FIRST] + i);
	static const char ALL[] = "all";
	out->kind = (pdp_audit_via)o[0];
	out->index = PDP_NONE;
	switch (o[0]) {
	case ORIG_EXACT:
	case ORIG_GLOB:
		out->name = img_str(img, o[1]);
		break;
	case ORIG_GROUP:
		out->index = o[1];
		out->name = pdp_audit_group_name(img, o[1]);
		break;
	case ORIG_ROLE:
		out->index = o[1];
		out->name = pdp_audit_role_name(img, o[1]);
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
	const uint32_t *r = img_rec(img, SEC_RULES, rule);
	pdp_str acp = img_str(img, img_rec(img, SEC_ACPS, r[RW_ACP])[0]);
	int n = snprintf(buf, size, "rule:%.*s:%s:%u", (int)acp.len, acp.ptr,
	                 (r[RW_FLAGS] & RULE_FLAG_SELF) ? "self" : "privileges",
	                 r[RW_INDEX]);
	return n < 0 ? 0 : (size_t)n;
}
