/*
 * pdpc.h - the pdp policy compiler (libpdpc): YAML policies -> image bytes,
 * and lint diagnostics.
 *
 * Conventions
 * -----------
 * - A pdpc_compiler collects sources (files or buffers), then compiles them
 *   as one policy set. It owns every diagnostic and image it returns; they
 *   stay valid until the next compile/lint call or pdpc_free.
 * - Nothing is half-applied: a compile that reports any error returns
 *   PDPC_ERR_POLICY and produces no image.
 * - Diagnostics carry file, line and column (1-based, as libyaml counts),
 *   a stable code ("E-SCHED", "W-GROUP-LOOKALIKE", ...; docs/diagnostics.md
 *   lists them), a severity and a message a person can act on.
 * - The library never prints and never exits; a compiler object is used by
 *   one thread at a time (separate objects may be used concurrently).
 */
#ifndef PDP_PDPC_H
#define PDP_PDPC_H

#include <stddef.h>
#include <stdint.h>

#include "pdp/pdp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pdpc_status {
	PDPC_OK = 0,
	PDPC_ERR_ARG = 1,      /* invalid argument */
	PDPC_ERR_NOMEM = 2,
	PDPC_ERR_IO = 3,       /* a file could not be read (a diagnostic says) */
	PDPC_ERR_POLICY = 4    /* the policy has errors (see diagnostics) */
} pdpc_status;

typedef enum pdpc_severity {
	PDPC_NOTE = 0,
	PDPC_WARNING = 1,
	PDPC_ERROR = 2
} pdpc_severity;

typedef struct pdpc_diag {
	pdpc_severity severity;
	const char *code;     /* stable code, e.g. "E-SCHED" */
	const char *message;
	const char *hint;     /* NULL or a suggestion ("did you mean ...") */
	const char *file;     /* as given to pdpc_add_file / pdpc_add_buffer */
	uint32_t line, col;   /* 0 when the problem has no position */
} pdpc_diag;

typedef struct pdpc_compiler pdpc_compiler;

/* A new, empty compiler, or NULL when out of memory. */
PDP_API pdpc_compiler *pdpc_new(void);
PDP_API void pdpc_free(pdpc_compiler *c);

/* Add a policy file (read now; a read error becomes a diagnostic and
 * PDPC_ERR_IO). Files are merged into one policy set. */
PDP_API pdpc_status pdpc_add_file(pdpc_compiler *c, const char *path);

/* Add a policy from memory; name is used in diagnostics. data is copied. */
PDP_API pdpc_status pdpc_add_buffer(pdpc_compiler *c, const char *name,
                                    const char *data, size_t len);

/*
 * The identity of the images compiled from now on (trust.h): a revision
 * (anti-rollback compares it; default 0) and a note saying how the image
 * was made (cut at 256 bytes; NULL for none). Both are part of the id.
 */
PDP_API pdpc_status pdpc_set_identity(pdpc_compiler *c, uint64_t revision,
                                      const char *note);

/*
 * Compile every source added so far into an image. On PDPC_OK *image and
 * *len describe the image bytes (owned by c). On errors *image is NULL and
 * the diagnostics say why. Warnings of the lint checks are not produced here.
 */
PDP_API pdpc_status pdpc_compile(pdpc_compiler *c, const uint8_t **image,
                                 size_t *len);

/* Run every check, compile errors and lint warnings, without keeping an
 * image. PDPC_OK when there are no errors (warnings may exist). */
PDP_API pdpc_status pdpc_lint(pdpc_compiler *c);

PDP_API size_t pdpc_diag_count(const pdpc_compiler *c);
PDP_API const pdpc_diag *pdpc_diag_get(const pdpc_compiler *c, size_t i);

/* Count of diagnostics of the given severity. */
PDP_API size_t pdpc_diag_count_severity(const pdpc_compiler *c,
                                        pdpc_severity s);

/* The text of source line `line` of `file` (without newline), for carets;
 * NULL when unknown. *len receives its length. */
PDP_API const char *pdpc_source_line(const pdpc_compiler *c,
                                     const char *file, uint32_t line,
                                     size_t *len);

#ifdef __cplusplus
}
#endif

#endif
