/*
 * glob.c - originator globs (policy-language.md 3.1): '*' is any run of
 * characters other than '/', '?' is one character other than '/', and every
 * other byte is literal. As in oneM2M TS-0003 the scope of a '*' ends at the
 * next '/', so the pattern "/cse-in/" followed by "*" does not match
 * "/cse-in/a/b".
 */
#include <string.h>

#include "common/prims.h"

#define SEP '/'

/* Length of the segment starting at s (up to the next '/' or the end). */
static size_t segment_len(const char *s, size_t len)
{
	const char *slash = memchr(s, SEP, len);
	return slash != NULL ? (size_t)(slash - s) : len;
}

/* Match one '/'-free segment with the classic single-backtrack algorithm:
 * on a mismatch, retry from the last '*' having it swallow one more byte.
 * Only the most recent '*' ever needs revisiting, so this is
 * O(plen * tlen) in the worst case with no recursion. */
static bool match_segment(const char *p, size_t plen, const char *t,
                          size_t tlen)
{
	size_t pi = 0, ti = 0;
	size_t star = SIZE_MAX, mark = 0;
	while (ti < tlen) {
		if (pi < plen && (p[pi] == '?' || p[pi] == t[ti])) {
			pi++;
			ti++;
		} else if (pi < plen && p[pi] == '*') {
			star = pi++;
			mark = ti;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			ti = ++mark;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

/* Since wildcards never match '/', the i-th '/' of the text must meet the
 * i-th '/' of the pattern: match segment by segment. An absent (NULL)
 * pattern or text never matches. */
bool glob_match(pdp_str pattern, pdp_str text)
{
	if (pattern.ptr == NULL || text.ptr == NULL)
		return false;
	const char *p = pattern.ptr, *t = text.ptr;
	size_t plen = pattern.len, tlen = text.len;
	for (;;) {
		size_t ps = segment_len(p, plen), ts = segment_len(t, tlen);
		if (!match_segment(p, ps, t, ts))
			return false;
		bool p_more = ps < plen, t_more = ts < tlen;
		if (p_more != t_more)
			return false;
		if (!p_more)
			return true;
		p += ps + 1;
		plen -= ps + 1;
		t += ts + 1;
		tlen -= ts + 1;
	}
}

bool glob_has_wildcard(pdp_str s)
{
	if (s.ptr == NULL)
		return false;
	return memchr(s.ptr, '*', s.len) != NULL ||
	       memchr(s.ptr, '?', s.len) != NULL;
}
