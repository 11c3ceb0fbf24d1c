/*
 * audit_internal.h - helpers shared by the audit files (role bitsets and
 * matching are the evaluator's: eval/match.h), and the error filler.
 */
#ifndef PDP_AUDIT_INTERNAL_H
#define PDP_AUDIT_INTERNAL_H

#include <string.h>

#include "eval/match.h"
#include "image/image.h"
#include "pdp/audit.h"

static inline void aud_set(uint64_t *b, uint32_t i)
{
	b[i / 64] |= UINT64_C(1) << (i % 64);
}

static inline bool aud_str_eq(pdp_str a, pdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Principal index of an exact id, or PDP_NONE. */
uint32_t aud_principal(const pdp_image *img, pdp_str id);

/* Audit reads an image's tables; a live store's view keeps its ACPs and
 * group members elsewhere (image/view.h), so queries on one are refused. */
#define AUDIT_VIEW_REFUSED                                                 \
	"audit: this image is a live store's view; audit a compiled image "  \
	"(pdp_store_export)"

#endif
