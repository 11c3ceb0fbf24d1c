/*
 * text_buf.h - a growing NUL-terminated text, for tests that build policy
 * YAML piece by piece (test_store_diff.c, test_policy_diff.c).
 */
#ifndef PDP_TESTS_TEXT_BUF_H
#define PDP_TESTS_TEXT_BUF_H

#include <stdlib.h>
#include <string.h>

typedef struct text {
	char *p;
	size_t n, cap;
} text;

/* Append s; aborts when out of memory (a test cannot go on). */
static inline void tput(text *t, const char *s)
{
	size_t len = strlen(s);
	if (t->n + len + 1 > t->cap) {
		t->cap = (t->n + len + 1) * 2;
		t->p = realloc(t->p, t->cap);
		if (t->p == NULL)
			abort();
	}
	memcpy(t->p + t->n, s, len + 1);
	t->n += len;
}

#endif
