/*
 * gen.h - the deterministic benchmark workload (scales S, M, L).
 *
 * bench_generate writes into outdir:
 *   policy.yaml    the policy set (pdp: 1 form)
 *   requests.yaml  a YAML list of requests (docs/language.md section 10)
 *   expected.txt   one `permit` / `deny` per request, computed by the
 *                  generator's own model (own glob, CIDR, window and role
 *                  closure logic; libpdp is not used)
 *   meta.txt       `key value` lines: scale, seed, counts of policy elements,
 *                  permits; written last, so its presence means "complete"
 */
#ifndef PDP_BENCH_GEN_H
#define PDP_BENCH_GEN_H

#include <stdint.h>

#define BENCH_GEN_VERSION 1

typedef struct bench_scale {
	const char *name;
	uint32_t acps, rules_per_acp, roles, users, requests;
	uint32_t aim_pct; /* % of requests aimed at a rule of their ACP */
} bench_scale;

/* The scale called name ("S", "M", "L"; case-insensitive), or NULL. */
const bench_scale *bench_scale_get(const char *name);

/* Generate the workload. seed 0 = the default seed. Returns 0 on success;
 * on failure prints why to stderr and returns -1. */
int bench_generate(const bench_scale *sc, uint64_t seed, const char *outdir);

#endif
