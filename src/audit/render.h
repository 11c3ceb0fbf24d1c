/*
 * render.h - the condition writer of render.c, shared with residual.c,
 * which prints conditions reduced by what an audit query fixes.
 */
#ifndef PDP_AUDIT_RENDER_H
#define PDP_AUDIT_RENDER_H

#include "image/image.h"

/* Bounded text builder with snprintf's contract: len counts everything. */
typedef struct sb {
	char *buf;
	size_t size, len;
} sb;

void sb_putn(sb *b, const char *s, size_t n);
void sb_puts(sb *b, const char *s);
void sb_printf(sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A YAML scalar, quoted when it could read as something else. */
void sb_scalar(sb *b, pdp_str s);
/* A resource type by name (its number when it has none). */
void sb_rtype(sb *b, uint32_t ty);

/* An objects entry in flow syntax; without its `types` when with_types is
 * false (a query that fixes the type found them to hold). */
void render_object(sb *b, const pdp_image *img, const img_object_rec *o,
                   bool with_types);
/* A condition node (leaf or combinator) in flow syntax, as written. */
void render_cond(sb *b, const pdp_image *img, uint32_t idx);
/* A condition leaf `{attr: A, op: value}`. */
void render_leaf(sb *b, const pdp_image *img, const img_cond_rec *k);

#endif
