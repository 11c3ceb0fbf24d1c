/*
 * explain.c - pdp_explain: the engine's rule trace (eval.h) turned into the
 * public pdp_rule_trace, so tools outside the library (the CLI's
 * `pdp explain`, a CSE's audit log) need none of the image's internals.
 */
#include "eval/eval.h"

/* The public bits are the engine's MISS_* bits, passed through unchanged. */
_Static_assert((int)PDP_UNDECIDABLE_TIME == (int)MISS_TIME &&
               (int)PDP_UNDECIDABLE_IP == (int)MISS_IP &&
               (int)PDP_UNDECIDABLE_COUNTRY == (int)MISS_COUNTRY &&
               (int)PDP_UNDECIDABLE_LOCATION == (int)MISS_LOCATION &&
               (int)PDP_UNDECIDABLE_REGEX_LIMIT == (int)MISS_REGEX_LIMIT &&
               (int)PDP_UNDECIDABLE_NO_SCRATCH == (int)MISS_SCRATCH,
               "PDP_UNDECIDABLE_* must match eval.h's MISS_*");
_Static_assert(PDP_TEST_FAILED == (int)T_FALSE &&
               PDP_TEST_HELD == (int)T_TRUE &&
               PDP_TEST_INDETERMINATE == (int)T_INDET,
               "pdp_test must match eval.h's tri");

typedef struct explain_ctx {
	pdp_trace_fn fn;
	void *ctx;
} explain_ctx;

static pdp_test held(bool b)
{
	return b ? PDP_TEST_HELD : PDP_TEST_FAILED;
}

static void on_rule(void *vctx, const pdp_image *seg, uint32_t acp,
                    uint32_t idx, const rule_result *r)
{
	const explain_ctx *x = vctx;
	const uint32_t *rule = img_rec(seg, SEC_RULES, idx);
	pdp_rule_trace t = {
		.acp = acp,
		.self = (rule[RW_FLAGS] & RULE_FLAG_SELF) != 0,
		.rule = rule[RW_INDEX],
		.effect = (rule[RW_FLAGS] & RULE_FLAG_DENY) ? PDP_DENY : PDP_PERMIT,
		.id = rule[RW_ID] != IMG_NONE ? img_str(seg, rule[RW_ID])
		                              : (pdp_str){NULL, 0},
		.operations = held(r->ops),
		.originators = held(r->orig),
		.authenticated = held(r->auth),
		.objects = held(r->obj),
		.contexts = (pdp_test)r->ctx,
		.when = (pdp_test)r->when,
		.result = (pdp_test)r->all,
		.missing_attr = r->missing_attr,
		.wrong_type = r->wrong_type,
		.undecidable = r->missing_env,
	};
	x->fn(x->ctx, &t);
}

pdp_status pdp_explain(const pdp_image *img, pdp_scratch *scratch,
                       const pdp_request *req, pdp_decision *out,
                       pdp_trace_fn fn, void *ctx)
{
	if (fn == NULL)
		return eval_decide(img, scratch, req, NULL, out, NULL);
	explain_ctx x = {fn, ctx};
	eval_trace tr = {on_rule, &x};
	return eval_decide(img, scratch, req, NULL, out, &tr);
}
