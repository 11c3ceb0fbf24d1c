/*
 * emit_write.h - the writing half of the emitter (internal): emit_lower.c
 * builds each section's records, emit_write.c writes them as image bytes.
 */
#ifndef PDP_COMPILER_EMIT_WRITE_H
#define PDP_COMPILER_EMIT_WRITE_H

#include "compiler/cc.h"

/* One section's words, in file order. */
typedef VEC(uint32_t) emit_words;

/* Write IMG_SECTION_COUNT sections (sec[SEC_STRBLOB] unused: blob is the
 * string blob) under magic_text into c->image. False when out of memory
 * (c->oom is then set). */
bool emit_write(cc *c, const emit_words *sec, const char *blob,
                size_t blob_len, const char *magic_text);

#endif
