/*
 * live.h - pdp-bench's live update part (live.c): a live policy store over
 * the scale's policy, its change latencies, reader cost and memory.
 */
#ifndef PDP_BENCH_LIVE_H
#define PDP_BENCH_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen.h"
#include "pdp/pdp.h"

typedef struct live_input {
	const char *policy;            /* the scale's policy file: the base */
	const bench_scale *sc;
	const pdp_request *req;        /* the workload's requests, prepared */
	const uint8_t *expect;         /* PDP_PERMIT / PDP_DENY per request */
	size_t n;
	uint64_t heap_image;           /* heap of the same set's loaded image */
	uint64_t (*heap_in_use)(void);
	bool check;                    /* --check: few iterations */
} live_input;

/* Measure and print the live update table (exits 2 on a wrong answer). */
void bench_live(const live_input *in);

#endif
