/*
 * pdpc.h - the pdp policy compiler (libpdpc): YAML policies -> image bytes,
 * lint diagnostics, and requests read from YAML, JSON or JSON Lines.
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

/* Receives the stage a compile or lint is entering: "reading" (once per
 * source, with its name in what), "resolving", "linting", "writing the
 * image", "checking the image" (what is NULL for those). Called on the
 * calling thread, between stages; for a progress display, since the
 * library never prints. */
typedef void (*pdpc_progress_fn)(void *ctx, const char *stage,
                                 const char *what);

/* Call fn at every stage of later pdpc_compile / pdpc_lint calls on c
 * (fn NULL: no calls). */
PDP_API void pdpc_set_progress(pdpc_compiler *c, pdpc_progress_fn fn,
                               void *ctx);

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

/* Every diagnostic code the compiler and the store can report (the same
 * table they report from): for listings, SARIF rules and links to the
 * documentation. Static data, valid for the life of the program. */
typedef struct pdpc_code_info {
	const char *code;        /* "E-SCHED", as in pdpc_diag.code */
	pdpc_severity severity;  /* PDPC_ERROR (E-) or PDPC_WARNING (W-) */
	const char *meaning;     /* one line */
	const char *anchor;      /* its section: docs/diagnostics.md#anchor */
} pdpc_code_info;

/* Code i of the table (in the order of docs/diagnostics.md), or NULL when
 * i is past the last. */
PDP_API const pdpc_code_info *pdpc_code_get(size_t i);
/* The entry of code (e.g. a pdpc_diag's), or NULL when there is none. */
PDP_API const pdpc_code_info *pdpc_code_find(const char *code);

/*
 * Reading requests
 * ----------------
 * The request format of docs/language.md section 10 (YAML, JSON, or JSON
 * Lines), read into pdp_request values for pdp_decide / pdp_explain, as
 * `pdp decide` reads them. Values are typed by the YAML 1.2 core schema and
 * never coerced to the declared type; attribute names are resolved against
 * the image once, here. Requests are handed over one at a time as soon as
 * each is read, so memory is bounded by the largest request, not by the
 * input. A request that cannot be understood is handed over too, marked
 * bad with its position and the first problem, so the caller can answer
 * deny bad-request and go on.
 */

/* One request as read. Everything it points to is valid during the
 * callback only. */
typedef struct pdpc_request {
	pdp_request req;        /* what to decide (when ok) */
	bool ok;                /* false: a bad request; error says why */
	const char *error;      /* bad request: "line:col: problem" */
	uint32_t line, col;     /* where the request starts in its input */
	bool time_defaulted;    /* pdpc_request_default_time filled env.time */
	const char *notes;      /* NULL, or what was ignored (undeclared or
	                           null attributes, ...), "; "-joined */
} pdpc_request;

/* Where request text comes from. read() stores up to cap bytes in buf and
 * their count in *got (0 at the end of the input); it returns false on a
 * read error. */
typedef struct pdpc_request_input {
	bool (*read)(void *ctx, char *buf, size_t cap, size_t *got);
	void *ctx;
	const char *name;       /* of the input, in problems */
	bool json_lines;        /* every line is one request, whatever it holds
	                           (else JSON Lines when the first non-blank line
	                           is a whole JSON object, YAML otherwise) */
} pdpc_request_input;

/* Receives each request in input order; return false to stop reading. */
typedef bool (*pdpc_request_fn)(void *ctx, pdpc_request *r);

/*
 * Read every request of in, resolving names against img, and hand each to
 * fn as soon as it is read. JSON Lines: one request per non-blank line; a
 * line that is not a request is one bad request at its line. YAML: each
 * document is a request, or a list of requests read item by item; a YAML
 * error ends the input with one bad request at its position. Returns
 * PDPC_OK when every request was handed over (or fn stopped the reading),
 * PDPC_ERR_IO when in->read failed, PDPC_ERR_NOMEM, PDPC_ERR_ARG.
 */
PDP_API pdpc_status pdpc_requests_read(const pdpc_request_input *in,
                                       const pdp_image *img,
                                       pdpc_request_fn fn, void *ctx);

/* A good request without env.time gets now (the library reads no clock:
 * the caller gives it) and time_defaulted; others are left alone. */
PDP_API void pdpc_request_default_time(pdpc_request *r, pdp_time now);

#ifdef __cplusplus
}
#endif

#endif
