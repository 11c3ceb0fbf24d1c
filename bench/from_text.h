/*
 * from_text.h - pdp-bench's "from the request's strings" part (from_text.c):
 * the latency of a decision as a CSE makes it when the operation name, the
 * time and the IP address arrive as text, side by side with pdp_decide
 * alone on the same requests prepared beforehand.
 */
#ifndef PDP_BENCH_FROM_TEXT_H
#define PDP_BENCH_FROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdp.h"

/* One request's text fields as requests.yaml has them. */
typedef struct bench_text {
	pdp_str op, time, ip;
} bench_text;

typedef struct strings_input {
	const pdp_image *img;
	pdp_scratch *scratch;
	const pdp_request *req;   /* prepared: operation, time, ip parsed */
	const bench_text *text;   /* the same requests' text fields */
	const uint8_t *expect;    /* PDP_PERMIT / PDP_DENY per request */
	size_t n;
	unsigned runs;
	bool check;               /* --check: one pass per run */
} strings_input;

/* Measure and print the table; returns the number of wrong decisions
 * (each reported on stderr). */
uint64_t bench_strings(const strings_input *in);

#endif
