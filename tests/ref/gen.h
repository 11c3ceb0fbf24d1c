/*
 * gen.h - seeded random policies (YAML text in the `pdp: 1` form) and
 * matching requests (pdp_request structs), for differential testing of the
 * compiled evaluator against tests/ref/ref_eval.c.
 *
 * Everything is a pure function of the seed (own splitmix64), so a failing
 * seed reproduces exactly. Every generated policy is meant to compile; a
 * policy that does not is a generator bug (or a compiler bug).
 */
#ifndef PDP_TESTS_REF_GEN_H
#define PDP_TESTS_REF_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdp.h"

typedef struct gen_rng {
	uint64_t state;
} gen_rng;

void gen_seed(gen_rng *r, uint64_t seed);
uint64_t gen_u64(gen_rng *r);
/* Uniform in 0 .. n-1 (n > 0). */
uint32_t gen_below(gen_rng *r, uint32_t n);

typedef struct gen_policy gen_policy;

/* A random policy for seed; NULL only when out of memory. */
gen_policy *gen_policy_make(uint64_t seed);
const char *gen_policy_text(const gen_policy *p);
void gen_policy_free(gen_policy *p);

/* An attribute type as the `attributes:` section writes it. */
const char *gen_type_word(pdp_type t);

/* The policy's declared role names (for session tests). */
int gen_policy_role_count(const gen_policy *p);
const char *gen_policy_role(const gen_policy *p, int i);

#define GEN_MAX_REQ_ROLES 6
#define GEN_MAX_REQ_ACPS 4
#define GEN_MAX_REQ_ATTRS 16
#define GEN_MAX_SET 4

/* For the live store's differential test: the policy's declarations
 * (attributes, roles, assignments, constraints) as a `pdp: 1` document
 * without groups or ACPs; the number of groups g0..g(n-1) rules may name
 * and of ACP ids acp-a.. requests name; a random group member (id or
 * glob); and a random one-ACP document (malloc'd): a `pdp: 1` document
 * with one ACP, or a native m2m:acp object. */
const char *gen_policy_decls(const gen_policy *p);
void gen_policy_set_groups(gen_policy *p, int n);
void gen_policy_set_acps(gen_policy *p, int n);
const char *gen_policy_acp(const gen_policy *p, int i);
const char *gen_member(gen_rng *r);
char *gen_acp_doc(gen_policy *p, gen_rng *r, const char *id, bool native);

/* A request and the storage its pointers refer to (besides the policy's
 * strings and static pools: keep the policy alive while using it). */
typedef struct gen_request {
	pdp_request req;
	pdp_str roles[GEN_MAX_REQ_ROLES];
	pdp_str acps[GEN_MAX_REQ_ACPS];
	pdp_attr attrs[GEN_MAX_REQ_ATTRS];
	pdp_str sets[GEN_MAX_REQ_ATTRS][GEN_MAX_SET];
	char country[8];
} gen_request;

/* A random request for policy p; attribute ids come from img. */
void gen_request_make(const gen_policy *p, const pdp_image *img, gen_rng *r,
                      gen_request *out);

/* A one-line, YAML-like description of a request (for failure reports).
 * Returns the length needed, like snprintf. */
size_t gen_request_describe(const gen_request *g, const pdp_image *img,
                            char *buf, size_t size);

#endif
