/*
 * eval.h - the decision engine (internal): three-valued evaluation of rules
 * against a request, shared by pdp_decide, sessions and explain.
 */
#ifndef PDP_EVAL_EVAL_H
#define PDP_EVAL_EVAL_H

#include "common/regex.h"
#include "image/image.h"
#include "pdp/trust.h"

typedef enum tri { T_FALSE = 0, T_TRUE = 1, T_INDET = 2 } tri;

struct pdp_scratch {
	pdp_image *img;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	regex_budget budget; /* the callout's charge of the current search */
	pdp_decision_hook log; /* decision log (log.c), NULL when off */
	void *log_ctx;
};

/* The decision log's one test on the decide path: a hook set on the
 * scratch hears about every decision that returned PDP_OK. */
static inline void eval_log(pdp_scratch *s, const pdp_image *img,
                            const pdp_request *req, const pdp_decision *d,
                            pdp_status st)
{
	if (s != NULL && s->log != NULL && st == PDP_OK)
		s->log(s->log_ctx, img, req, d);
}

/* Why a context or condition could not be decided (explain detail). */
enum {
	MISS_TIME = 1, MISS_IP = 2, MISS_COUNTRY = 4, MISS_LOCATION = 8,
	MISS_REGEX_LIMIT = 16, MISS_SCRATCH = 32
};

/* The outcome of one rule, part by part. */
typedef struct rule_result {
	bool ops, orig, auth, obj;
	tri ctx, when, all;
	uint32_t missing_attr;   /* first attribute that made `when` indeterminate,
	                            or PDP_NONE */
	bool wrong_type;         /* it was present with the wrong type */
	uint32_t missing_env;    /* MISS_* bits */
} rule_result;

/* Called for every rule evaluated (explain). seg holds the rule's records
 * (the image itself, or a store view's segment), rule is its RULES index
 * there, acp the image ACP index it belongs to. */
typedef struct eval_trace {
	void (*on_rule)(void *ctx, const pdp_image *seg, uint32_t acp,
	                uint32_t rule, const rule_result *r);
	void *ctx;
} eval_trace;

/* The engine. active: NULL to take the roles from the request, else the
 * session's directly activated roles (already checked). */
pdp_status eval_decide(const pdp_image *img, pdp_scratch *scratch,
                       const pdp_request *req, const uint64_t *active,
                       pdp_decision *out, const eval_trace *trace);

/* One condition node (a leaf or a combinator) of img evaluated against q,
 * as pdp_decide evaluates it, with orig as the originator in the form rules
 * compare (absolute when the image declares its host). For audit's partial
 * evaluation (src/audit/residual.c), never on the decide path. */
tri eval_cond_node(const pdp_image *img, pdp_scratch *scratch,
                   const pdp_request *q, pdp_str orig, uint32_t node);

/* On a call made per session or per operator request, not per decision
 * (session setup, role changes, reason texts): compiled for size, so that
 * libpdp's text stays within its budget (docs/performance.md) with the
 * decision path compiled for speed. */
#if defined(__GNUC__)
#define EVAL_RARE __attribute__((cold))
#else
#define EVAL_RARE
#endif

#endif
