/*
 * request.h - the request format of policy-language.md section 2, read
 * from YAML/JSON into pdp_request values (CLI, tests, fuzzers).
 */
#ifndef PDP_CLI_REQUEST_H
#define PDP_CLI_REQUEST_H

#include <stdio.h>

#include "compiler/cc.h"
#include "pdp/pdp.h"

typedef struct parsed_request {
	pdp_request req;
	bool ok;                 /* false: bad request, see error */
	char error[300];         /* "line:col: problem" */
	bool time_defaulted;     /* env.time was absent and filled with now */
	char notes[512];         /* ignored attributes, failed conversions */
	srcpos pos;
} parsed_request;

typedef VEC(parsed_request) parsed_requests;

/*
 * Parse every request in source `file` of c (added with pdpc_add_buffer or
 * pdpc_add_file): one request, several documents, lists of requests, or
 * JSON Lines (each line a document; an unreadable line is one bad request).
 * Storage comes from c's arena. Attribute names are resolved against img.
 * When fill_now is set, an absent env.time becomes `now`. Returns false
 * when the YAML itself cannot be read (c's diagnostics say why).
 */
bool requests_parse(cc *c, uint32_t file, const pdp_image *img,
                    bool fill_now, pdp_time now, parsed_requests *out);

/* cmd_decide.c, shared with cmd_replay.c: one decision as `pdp decide`
 * prints it (text or JSON); a request the library refused turned into a
 * bad request with the reason; the wall clock for an absent env.time. */
void print_decision(FILE *out, const pdp_image *img,
                    const parsed_request *pr, const pdp_decision *d,
                    bool json, bool newline);
bool library_refused(parsed_request *pr, const pdp_decision *d);
pdp_time now_utc(void);

/* Parse one request node. */
void request_from_node(cc *c, ynode *n, const pdp_image *img, bool fill_now,
                       pdp_time now, parsed_request *out);

#endif
