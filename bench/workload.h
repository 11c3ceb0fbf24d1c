/*
 * workload.h - reading a generated workload (gen.h) back: its meta.txt, and
 * its requests prepared as pdp_request structs with their expected effects.
 * Shared by pdp-bench (bench.c) and pdp-bench-compare (compare.c).
 */
#ifndef PDP_BENCH_WORKLOAD_H
#define PDP_BENCH_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "from_text.h"
#include "stats.h"
#include "pdp/pdp.h"

typedef struct meta {
	char scale[64];
	int version;
	uint64_t rules, roles, assignments, group_members, elements, requests,
	    permits;
} meta;

/* The requests, prepared before any timing: pdp_str fields point into the
 * bytes of requests.yaml, which stay in memory (text). */
typedef struct reqset {
	char *text;
	size_t n;
	pdp_request *req;
	pdp_str *acp;      /* one target ACP per request */
	pdp_attr *attr;    /* one attribute per request */
	bench_text *fields; /* operation, time and IP as text (from_text.c) */
	uint8_t *expect;   /* PDP_PERMIT / PDP_DENY */
} reqset;

/* Print "pdp-bench: " fmt (with arg) to stderr and exit 2. */
_Noreturn void bench_die(const char *fmt, const char *arg);
void *bench_xmalloc(size_t n);
/* dir/name in a new allocation */
char *bench_path_join(const char *dir, const char *name);
/* The whole file, NUL-terminated; dies when it cannot be read. */
char *bench_read_file(const char *path, size_t *len);

/* A new directory /tmp/PREFIX-XXXXXX for a generated workload, removed
 * with its contents when the program exits (one per program). */
const char *bench_tmp_dir(const char *prefix);

/* Monotonic and calling-thread CPU clocks in ns. */
uint64_t bench_now_ns(void);
uint64_t bench_cpu_ns(void);
/* bench_cmp_u64 and bench_median: stats.h */

/* meta.txt of dir; false when absent, incomplete or of another version. */
bool bench_read_meta(const char *dir, meta *m);

/* requests.yaml and expected.txt of dir (count requests). The attribute
 * originator.clearance is given the id clearance_id (pdp_attr_id of the
 * image the requests are for); bench_reqset_set_attr changes it. */
void bench_read_requests(const char *dir, uint32_t clearance_id, reqset *rs,
                         uint64_t count);
void bench_reqset_set_attr(reqset *rs, uint32_t clearance_id);
void bench_reqset_free(reqset *rs);

#endif
