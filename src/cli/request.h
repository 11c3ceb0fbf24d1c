/*
 * request.h - the request format of policy-language.md section 2, read
 * from YAML/JSON into pdp_request values (CLI, tests, fuzzers). Values are
 * typed by the YAML 1.2 core schema (docs/language.md section 10), never
 * coerced to the type the policy declares.
 */
#ifndef PDP_CLI_REQUEST_H
#define PDP_CLI_REQUEST_H

#include <stdio.h>

#include "compiler/cc.h"
#include "pdp/pdp.h"

typedef struct parsed_request {
	pdp_request req;
	bool ok;                 /* false: bad request, see error */
	const char *error;       /* bad request: "line:col: problem" */
	bool time_defaulted;     /* env.time was absent and filled with now */
	const char *notes;       /* NULL, or ignored attributes and values of
	                            another type than declared, "; "-joined */
	size_t n_notes;
	srcpos pos;
} parsed_request;

/*
 * Parse one request node. Strings and arrays of the result point into the
 * tree and c's arena. Attribute names are resolved against img.
 */
void request_from_node(cc *c, ynode *n, const pdp_image *img,
                       parsed_request *out);

/* A bad request at pos: its error is "line:col: " and the formatted text
 * (storage from c's arena). */
void request_bad(cc *c, srcpos pos, parsed_request *out, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* An absent env.time becomes now (the CLI's clock; the library has none). */
void request_default_time(parsed_request *pr, pdp_time now);

/* Where request text comes from. read() stores up to cap bytes in buf and
 * their count in *got (0 at the end); it returns false on a read error. */
typedef struct request_input {
	bool (*read)(void *ctx, char *buf, size_t cap, size_t *got);
	void *ctx;
	const char *name;       /* in diagnostics */
	bool json_lines;        /* every line is one request, whatever it holds */
} request_input;

/* Receives each request in input order; pr and everything it points to
 * live until the call returns. Return false to stop reading. */
typedef bool (*request_fn)(void *ctx, parsed_request *pr);

typedef enum requests_status {
	REQUESTS_OK = 0,         /* every request was handed to fn (or fn
	                            stopped the reading) */
	REQUESTS_IO,             /* in->read failed */
	REQUESTS_NOMEM
} requests_status;

/*
 * Read requests from in one at a time and hand each to fn as soon as it is
 * read, so memory is bounded by the largest request, not by the input:
 * JSON Lines (in->json_lines, or a first non-blank line that is a complete
 * JSON object by itself): one request per non-blank line, a line that is
 * not a request object is one bad request at its line. Otherwise YAML:
 * each document is a request, or a list of requests read item by item; a
 * YAML error ends the input with one bad request at its position.
 */
requests_status requests_read(const request_input *in, const pdp_image *img,
                              request_fn fn, void *ctx);

/* cmd_decide.c, shared with cmd_replay.c: one decision as `pdp decide`
 * prints it (text or JSON); a request the library refused turned into a
 * bad request with the reason; the wall clock for an absent env.time. */
void print_decision(FILE *out, const pdp_image *img,
                    const parsed_request *pr, const pdp_decision *d,
                    bool json, bool newline);
bool library_refused(parsed_request *pr, const pdp_decision *d, char *buf,
                     size_t size);
pdp_time now_utc(void);

/* `pdp explain`'s text trace of req (each rule considered, each test's
 * result) written to out, and the decision in *d (pdp test, on failure). */
void explain_text(FILE *out, const pdp_image *img, pdp_scratch *scratch,
                  const pdp_request *req, pdp_decision *d);

#endif
