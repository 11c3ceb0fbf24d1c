/*
 * log.c - the decision log's switch (trust.h). The hook is called from
 * pdp_decide and pdp_session_decide (eval_log in eval.h); the library
 * only passes pointers to what it already has, so logging allocates
 * nothing and the cost with the hook off is one test per decision
 * (pdp-bench reports both).
 */
#include "eval/eval.h"

void pdp_scratch_set_log(pdp_scratch *s, pdp_decision_hook fn, void *ctx)
{
	if (s == NULL)
		return;
	s->log = fn;
	s->log_ctx = ctx;
}
