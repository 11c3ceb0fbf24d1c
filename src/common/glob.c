/*
 * glob.c - originator globs (docs/language.md section 4): '*' is any run of
 * characters other than '/', '?' is one character other than '/', and every
 * other character is literal. '*' and '?' in the pattern are always
 * wildcards; every character of the text is literal, '*' and '?' included.
 * As in oneM2M TS-0003 the scope of a '*' ends at the next '/', so the
 * pattern "/cse-in/" followed by "*" does not match "/cse-in/a/b".
 *
 * Characters are UTF-8, so that `?` cannot be escaped by a two-byte
 * character. A byte that is not part of a well-formed character is a
 * character of its own (decide never gets that far: it refuses such
 * originators, and policies are checked UTF-8).
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

/* Bytes of the character at s (n > 0 bytes left): a well-formed UTF-8
 * sequence, else the single byte. Neither '/', '*' nor '?' is ever inside
 * a longer character, since UTF-8 never uses ASCII bytes in a sequence.
 * ASCII, the usual case, takes no call. */
static inline size_t char_len(const char *s, size_t n)
{
	if ((unsigned char)s[0] < 0x80u)
		return 1;
	size_t k = utf8_char_len(s, n);
	return k > 0 ? k : 1;
}

/* Bytes of text matched by the literal pattern character at p, or 0: the
 * text must hold the same character. An ASCII pattern byte equal to the
 * text byte is a whole character on both sides. */
static inline size_t literal_len(const char *p, size_t pn, const char *t,
                                 size_t tn)
{
	if ((unsigned char)p[0] < 0x80u)
		return p[0] == t[0] ? 1 : 0;
	size_t pc = char_len(p, pn), tc = char_len(t, tn);
	return pc == tc && memcmp(p, t, pc) == 0 ? pc : 0;
}

/* Match one '/'-free segment with the classic single-backtrack algorithm.
 * The pattern is L0 * L1 * ... * Lk with star-free Li. Matching each Li at
 * the earliest place after the previous star never loses a match: what
 * follows begins with a star, which can take any run (a segment has no
 * '/'), so ending Li earlier only leaves more choice. On a mismatch only
 * the most recent star is retried, swallowing one more character: the
 * work is O(plen * tlen) at worst, with no recursion.
 * The pattern's '*' is tested first: it is a wildcard even where the text
 * holds a '*' too. The text position only ever moves by whole characters
 * from the segment start, so '?', literals and the star all see the same
 * characters. */
static bool match_segment(const char *p, size_t plen, const char *t,
                          size_t tlen)
{
	size_t pi = 0, ti = 0;
	size_t star = SIZE_MAX, mark = 0; /* after the last '*'; its text */
	while (ti < tlen) {
		if (pi < plen && p[pi] == '*') {
			star = ++pi;
			mark = ti;
			continue;
		}
		if (pi < plen && p[pi] == '?') {
			pi++;
			ti += char_len(t + ti, tlen - ti);
			continue;
		}
		size_t n = pi < plen ? literal_len(p + pi, plen - pi, t + ti,
		                                   tlen - ti)
		                     : 0;
		if (n > 0) {
			pi += n;
			ti += n;
			continue;
		}
		if (star == SIZE_MAX)
			return false;
		mark += char_len(t + mark, tlen - mark);
		pi = star;
		ti = mark;
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
