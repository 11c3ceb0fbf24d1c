/*
 * loghook.h - pdp-bench's decision-log hook (loghook.c): what an audit
 * trail in a CSE would do per decision without allocating, for measuring
 * the hook's cost (include/pdp/trust.h).
 */
#ifndef PDP_BENCH_LOGHOOK_H
#define PDP_BENCH_LOGHOOK_H

#include "pdp/trust.h"

/* Entries kept in memory, overwritten round-robin (a real trail would
 * have a thread write them out). */
#define LOG_RING 4096u

typedef struct log_entry {
	const uint8_t *image_id;
	uint64_t revision;
	int64_t sec;
	int32_t nsec;
	uint32_t operation, acp, rule;
	uint8_t effect, reason;
	uint8_t originator_len;
	char originator[64];
} log_entry;

typedef struct log_ring {
	log_entry e[LOG_RING];
	uint64_t n;
} log_ring;

/* The hook (pdp_decision_hook): stamp the time, copy the decision and
 * the first 64 bytes of the originator into the next ring slot. */
void loghook_record(void *ring, const pdp_image *img, const pdp_request *req,
                    const pdp_decision *d);

#endif
