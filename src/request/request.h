/*
 * request.h - the request format of docs/language.md section 10, read
 * from YAML/JSON into pdp_request values: the module behind libpdpc's
 * pdpc_requests_read (pdpc.h), and its parts that work on the compiler's
 * YAML trees (pdp replay's stream, the decision tables, fuzz_request). Values are
 * typed by the YAML 1.2 core schema (docs/language.md section 10), never
 * coerced to the type the policy declares.
 */
#ifndef PDP_REQUEST_REQUEST_H
#define PDP_REQUEST_REQUEST_H

#include <stdio.h>

#include "compiler/cc.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

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

/* Only an `attrs:` mapping n, read as a request's (typed by the YAML core
 * schema, resolved against img; undeclared and null attributes are notes):
 * into out->req.attrs. False (out->error says why) when n is no mapping
 * or a value does not fit. pdp audit --attrs reads subjects' attributes
 * with it. */
bool request_attrs_from_node(cc *c, const ynode *n, const pdp_image *img,
                             parsed_request *out);

/* A bad request at pos: its error is "line:col: " and the formatted text
 * (storage from c's arena). */
void request_bad(cc *c, srcpos pos, parsed_request *out, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Where request text comes from (pdpc.h). */
typedef pdpc_request_input request_input;

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

/* The public view of a parsed request (pdpc.h), pointing into pr. */
void request_to_public(const parsed_request *pr, pdpc_request *out);

#endif
