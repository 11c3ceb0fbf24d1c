/*
 * names.c - name lookups and reason formatting.
 */
#include <stdio.h>
#include <string.h>

#include "eval/eval.h"
#include "image/view.h"

void pdp_request_init_sized(pdp_request *req, size_t size)
{
	/* the caller's object is `size` bytes: clear all of it (a newer header
	 * has more fields), set only the fields this version knows, and keep
	 * the size so that pdp_decide can tell the layouts apart */
	if (req == NULL || size < sizeof(uint32_t))
		return;
	memset(req, 0, size);
	if (size >= sizeof(*req)) {
		req->type = -1;
		req->child_type = -1;
	}
	req->struct_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}

const char *pdp_version(void)
{
	return PDP_VERSION_STRING;
}

static const char *const OP_NAMES[6] = {"create", "retrieve", "update",
                                        "delete", "notify", "discover"};
static const size_t OP_NAME_LEN[6] = {6, 8, 6, 6, 6, 8};

const char *pdp_operation_name(uint32_t op)
{
	for (int i = 0; i < 6; i++)
		if (op == (1u << i))
			return OP_NAMES[i];
	return NULL;
}

/* Called for every request a CSE decides from text: the length and one
 * letter pick the only candidate, one memcmp confirms it (the loop over
 * the six names with strlen cost about 150 instructions). */
uint32_t pdp_operation_from_name(pdp_str name)
{
	if (name.ptr == NULL || (name.len != 6 && name.len != 8))
		return 0;
	int i;
	switch (name.ptr[0]) {
	case 'c': i = 0; break; /* create */
	case 'r': i = 1; break; /* retrieve */
	case 'u': i = 2; break; /* update */
	case 'd': i = name.len == 6 ? 3 : 5; break; /* delete, discover */
	case 'n': i = 4; break; /* notify */
	default: return 0;
	}
	/* every name of length 6 or 8 differs from the others in its first
	 * letter and length, so the one memcmp decides */
	const char *want = OP_NAMES[i];
	return OP_NAME_LEN[i] == name.len &&
	               memcmp(want, name.ptr, name.len) == 0
	       ? 1u << i
	       : 0;
}

const char *pdp_reason_name(pdp_reason r)
{
	switch (r) {
	case PDP_REASON_RULE: return "rule";
	case PDP_REASON_NO_ACP: return "no-acp";
	case PDP_REASON_UNKNOWN_ACP: return "unknown-acp";
	case PDP_REASON_ROLE_NOT_AUTHORIZED: return "role-not-authorized";
	case PDP_REASON_DSD_VIOLATION: return "dsd-violation";
	case PDP_REASON_NO_RULE_MATCHED: return "no-rule-matched";
	case PDP_REASON_BAD_REQUEST: return "bad-request";
	case PDP_REASON_SESSION_ROLE_REMOVED: return "session-role-removed";
	}
	return "bad-request";
}

/* Which image holds ACP `acp`'s records, and its index there: the image
 * itself, or for a store view the segment (or base) the view points to. */
static bool acp_at(const pdp_image *img, uint32_t acp, const pdp_image **seg,
                   uint32_t *local)
{
	if (img->view != NULL) {
		view_acp va;
		if (!view_acp_at(img->view, acp, &va))
			return false;
		*seg = va.seg;
		*local = va.local;
		return true;
	}
	if (acp >= img->count[SEC_ACPS])
		return false;
	*seg = img;
	*local = acp;
	return true;
}

EVAL_RARE size_t pdp_reason_format(const pdp_image *img, const pdp_decision *d,
                         bool with_rule_id, char *buf, size_t size)
{
	char tmp[8];
	if (buf == NULL || size == 0) {
		buf = tmp;
		size = sizeof(tmp);
	}
	if (d == NULL)
		return (size_t)snprintf(buf, size, "bad-request");
	const pdp_image *seg = NULL;
	uint32_t local = 0;
	if (d->reason != PDP_REASON_RULE || img == NULL ||
	    !acp_at(img, d->acp, &seg, &local))
		return (size_t)snprintf(buf, size, "%s",
		                        d->reason == PDP_REASON_RULE
		                                ? "bad-request"
		                                : pdp_reason_name(d->reason));
	const img_acp_rec *a = img_acp(seg, local);
	pdp_str id = img_str(seg, a->id);
	int n = snprintf(buf, size, "rule:%.*s:%s:%u", (int)id.len, id.ptr,
	                 d->self ? "self" : "privileges", d->rule);
	uint32_t first = d->self ? a->self_first : a->priv_first,
	         cnt = d->self ? a->self_count : a->priv_count;
	if (with_rule_id && d->rule < cnt) {
		uint32_t rid = img_rule(seg, first + d->rule)->id;
		if (rid != IMG_NONE) {
			pdp_str s = img_str(seg, rid);
			size_t used = n > 0 && (size_t)n < size ? (size_t)n : size - 1;
			int m = snprintf(buf + used, size - used, " %.*s", (int)s.len,
			                 s.ptr);
			n += m;
		}
	}
	return n < 0 ? 0 : (size_t)n;
}

uint32_t pdp_attr_id(const pdp_image *img, pdp_str name)
{
	return img ? img_lookup(img, &img->h_attr, SEC_ATTRS, name) : PDP_NONE;
}

pdp_type pdp_attr_type(const pdp_image *img, uint32_t id)
{
	if (img == NULL || id >= img->count[SEC_ATTRS])
		return PDP_TYPE_NONE;
	return (pdp_type)img_attr(img, id)->type;
}

uint32_t pdp_acp_index(const pdp_image *img, pdp_str id)
{
	if (img != NULL && img->view != NULL) {
		const view_slot *sl = view_find(img->view, id);
		return sl ? sl->number : PDP_NONE;
	}
	return img ? img_lookup(img, &img->h_acp, SEC_ACPS, id) : PDP_NONE;
}

uint32_t pdp_acp_count(const pdp_image *img)
{
	if (img != NULL && img->view != NULL)
		return img->view->acp_bound;
	return img ? img->count[SEC_ACPS] : 0;
}

pdp_str pdp_acp_name(const pdp_image *img, uint32_t acp)
{
	pdp_str none = {NULL, 0};
	const pdp_image *seg;
	uint32_t local;
	if (img == NULL || !acp_at(img, acp, &seg, &local))
		return none;
	return img_str(seg, img_acp(seg, local)->id);
}

uint32_t pdp_attr_count(const pdp_image *img)
{
	return img ? img->count[SEC_ATTRS] : 0;
}

pdp_str pdp_attr_name(const pdp_image *img, uint32_t id)
{
	pdp_str none = {NULL, 0};
	if (img == NULL || id >= img->count[SEC_ATTRS])
		return none;
	return img_str(img, img_attr(img, id)->name);
}
