/*
 * origin.c - oneM2M originator ID forms (TS-0001 clause 7.2).
 *
 * An originator reaches a CSE in one of three forms, and ACP entries may
 * use any of them:
 *   absolute       //SP-ID/CSE-ID/C-stem   //SP-ID/S-stem   //SP-ID/CSE-ID
 *   SP-relative    /CSE-ID/C-stem          /S-stem          /CSE-ID
 *   CSE-relative   C-stem (an AE registered at the hosting CSE), S-stem
 * Given the hosting CSE's SP-ID and CSE-ID, the three name the same
 * entity, and the absolute form is the one that every other form extends:
 * an SP-relative id gains the SP-ID, a CSE-relative one the SP-ID and,
 * unless it is an S-type stem (starting with 'S'), the hosting CSE-ID.
 * Ids of other service providers are absolute and stay as they are.
 *
 * Comparing absolute forms byte for byte makes every form of an id match
 * every other; it is done once for the policy (compile) and once per
 * request (decide), only when the policy declares the hosting CSE.
 */
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"

bool origin_sp_valid(pdp_str sp)
{
	if (sp.ptr == NULL || sp.len == 0 || sp.len > PDP_MAX_HOST_ID_BYTES)
		return false;
	for (size_t i = 0; i < sp.len; i++) {
		char ch = sp.ptr[i];
		if (ch == '/' || ch == '*' || ch == '?' || (unsigned char)ch <= ' ')
			return false;
	}
	return true;
}

bool origin_cse_valid(pdp_str cse)
{
	if (cse.ptr == NULL || cse.len < 2 || cse.len > PDP_MAX_HOST_ID_BYTES ||
	    cse.ptr[0] != '/')
		return false;
	pdp_str rest = {cse.ptr + 1, cse.len - 1};
	return origin_sp_valid(rest);
}

static size_t add(char *out, size_t cap, size_t at, const char *s, size_t n)
{
	if (at <= cap && n <= cap - at)
		memcpy(out + at, s, n);
	return at + n;
}

size_t origin_absolute(pdp_str sp, pdp_str cse, pdp_str id, char *out,
                       size_t cap)
{
	size_t n = 0;
	if (id.len >= 2 && id.ptr[0] == '/' && id.ptr[1] == '/')
		return add(out, cap, 0, id.ptr, id.len);
	n = add(out, cap, n, "//", 2);
	n = add(out, cap, n, sp.ptr, sp.len);
	if (id.len > 0 && id.ptr[0] == '/')
		return add(out, cap, n, id.ptr, id.len);
	if (id.len == 0 || id.ptr[0] != 'S')
		n = add(out, cap, n, cse.ptr, cse.len);
	n = add(out, cap, n, "/", 1);
	return add(out, cap, n, id.ptr, id.len);
}
