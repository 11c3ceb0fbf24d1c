/*
 * scratch.c - per-thread working memory for decisions: PCRE2 match data
 * (with its backtracking frames grown up front) and a match context
 * carrying the limits and the step budget that make every regex search
 * bounded. Created once per thread, so pdp_decide never allocates.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "eval/eval.h"

/* Grow the match data's backtracking frame vector now, to what the
 * deepest allowed match needs, so that no later match makes PCRE2 allocate.
 * Frames are as large as the pattern has captures, and a match uses at most
 * the depth limit's worth of them or the heap limit's bytes: the warm-up
 * pattern has as many captures as the image's largest and backtracks until
 * it hits one of those limits. */
EVAL_RARE static bool warm_up(pdp_scratch *s, uint32_t captures)
{
	char pattern[16 + 2 * 1024];
	size_t o = 0;
	memcpy(pattern + o, "(a|aa)+", 7);
	o += 7;
	for (uint32_t i = 1; i < captures && i < 1024; i++) {
		memcpy(pattern + o, "()", 2);
		o += 2;
	}
	memcpy(pattern + o, "\\W\\w", 4);
	o += 4;
	int ec;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, o, 0, &ec, &off, NULL);
	if (re == NULL)
		return false;
	size_t n = 64u * 1024u;
	char *subject = malloc(n);
	if (subject == NULL) {
		pcre2_code_free(re);
		return false;
	}
	memset(subject, 'a', n);
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, n, 0, 0, s->md, s->mc);
	free(subject);
	pcre2_code_free(re);
	return rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_MATCHLIMIT;
}

/* A scratch whose match data is warmed up for patterns of up to `captures`
 * capture groups (regex: false when no pattern will ever run). */
EVAL_RARE static pdp_status scratch_make(pdp_image *img, bool regex, uint32_t captures,
                               pdp_scratch **out, pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (out == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	*out = NULL;
	pdp_scratch *s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	if (regex) {
		s->md = pcre2_match_data_create(captures + 1, NULL);
		s->mc = pcre2_match_context_create(NULL);
		if (s->md == NULL || s->mc == NULL)
			goto nomem;
		pcre2_set_match_limit(s->mc, PDP_REGEX_MATCH_LIMIT);
		pcre2_set_depth_limit(s->mc, PDP_REGEX_DEPTH_LIMIT);
		pcre2_set_heap_limit(s->mc, PDP_REGEX_HEAP_LIMIT_KIB);
		pcre2_set_callout(s->mc, regex_charge, &s->budget);
		if (!warm_up(s, captures))
			goto nomem;
	}
	s->img = pdp_image_retain(img);
	*out = s;
	return PDP_OK;
nomem:
	if (s) {
		pcre2_match_data_free(s->md);
		pcre2_match_context_free(s->mc);
		free(s);
	}
	return img_fail(err, PDP_ERR_NOMEM, "out of memory");
}

pdp_status pdp_scratch_new(pdp_image *img, pdp_scratch **out, pdp_error *err)
{
	if (img == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	/* a store view's segments may hold patterns: size for any */
	bool regex = img->count[SEC_REGEXES] > 0 || img->view != NULL;
	return scratch_make(img, regex, img->max_regex_captures, out, err);
}

pdp_status pdp_scratch_new_any(pdp_scratch **out, pdp_error *err)
{
	return scratch_make(NULL, true, PDP_MAX_REGEX_CAPTURES, out, err);
}

void pdp_scratch_free(pdp_scratch *s)
{
	if (s == NULL)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pdp_image_release(s->img);
	free(s);
}
