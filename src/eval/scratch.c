/*
 * scratch.c - per-thread working memory for decisions: PCRE2 match data, a
 * match context carrying the limits that make every regex match bounded,
 * and a JIT stack. Created once per thread, so pdp_decide never allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "eval/eval.h"

pdp_status pdp_scratch_new(pdp_image *img, pdp_scratch **out, pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (img == NULL || out == NULL) {
		if (err) {
			err->code = PDP_ERR_ARG;
			strcpy(err->message, "NULL argument");
		}
		return PDP_ERR_ARG;
	}
	*out = NULL;
	pdp_scratch *s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->img = img;
	if (img->count[SEC_REGEXES] > 0) {
		s->md = pcre2_match_data_create(img->max_regex_captures + 1, NULL);
		s->mc = pcre2_match_context_create(NULL);
		if (s->md == NULL || s->mc == NULL)
			goto nomem;
		pcre2_set_match_limit(s->mc, PDP_REGEX_MATCH_LIMIT);
		pcre2_set_depth_limit(s->mc, PDP_REGEX_DEPTH_LIMIT);
		pcre2_set_heap_limit(s->mc, PDP_REGEX_HEAP_LIMIT_KIB);
		if (img->jit) {
			s->js = pcre2_jit_stack_create(32 * 1024,
			                               PDP_REGEX_JIT_STACK_BYTES, NULL);
			if (s->js == NULL)
				goto nomem;
			pcre2_jit_stack_assign(s->mc, NULL, s->js);
		}
	}
	pdp_image_retain(img);
	*out = s;
	return PDP_OK;
nomem:
	if (s) {
		pcre2_match_data_free(s->md);
		pcre2_match_context_free(s->mc);
		free(s);
	}
	if (err) {
		err->code = PDP_ERR_NOMEM;
		strcpy(err->message, "out of memory");
	}
	return PDP_ERR_NOMEM;
}

void pdp_scratch_free(pdp_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->js);
	pdp_image_release(s->img);
	free(s);
}
