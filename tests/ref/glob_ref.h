/*
 * glob_ref.h - the reference glob matcher, shared by the reference
 * evaluator (tests/ref/ref_eval.c), the glob unit tests
 * (tests/unit/test_prims.c) and the differential fuzz target
 * (fuzz/fuzz_glob.c). It is docs/language.md section 4 written as directly as
 * possible, a recursion over characters, and shares no code with
 * src/common: it decodes UTF-8 itself, by computing the code point.
 *
 *   - '*' in the pattern: any run (possibly empty) of characters other
 *     than '/';
 *   - '?' in the pattern: exactly one character other than '/';
 *   - any other pattern character: the same character in the text. Every
 *     character of the text is literal, '*' and '?' too.
 * A character is a well-formed UTF-8 sequence (shortest form, no
 * surrogates, at most U+10FFFF); a byte that does not start one is a
 * character by itself.
 *
 * Failed (pattern, text) positions are remembered, so a match costs at most
 * (REF_GLOB_MAX + 1)^2 steps; longer inputs run without the memo
 * (exponential in the number of stars: keep them short).
 */
#ifndef PDP_TESTS_GLOB_REF_H
#define PDP_TESTS_GLOB_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define REF_GLOB_MAX 64 /* longest pattern and text the memo covers */

/* Bytes of the well-formed UTF-8 character at s (n bytes left), or 0. */
static inline size_t ref_utf8_len(const char *s, size_t n)
{
	static const uint32_t SMALLEST[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (n == 0)
		return 0;
	unsigned char c = (unsigned char)s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		cp = c & 0x1fu;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		cp = c & 0x0fu;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		cp = c & 0x07u;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		unsigned char k = (unsigned char)s[i];
		if ((k & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (k & 0x3fu);
	}
	if (cp < SMALLEST[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Whether all of s is well-formed UTF-8. */
static inline bool ref_utf8_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = ref_utf8_len(s + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

/* One character: a UTF-8 sequence or a lone byte. */
static inline size_t ref_char(const char *s, size_t n)
{
	size_t k = ref_utf8_len(s, n);
	return k ? k : 1;
}

typedef struct ref_glob_ctx {
	const char *p, *s;
	size_t pn, sn;
	bool memo; /* both fit: use `failed` */
	unsigned char failed[(REF_GLOB_MAX + 1) * (REF_GLOB_MAX + 1)];
} ref_glob_ctx;

static inline bool ref_glob_from(ref_glob_ctx *x, size_t pi, size_t si);

static inline bool ref_glob_step(ref_glob_ctx *x, size_t pi, size_t si)
{
	const char *p = x->p + pi, *s = x->s + si;
	size_t pn = x->pn - pi, sn = x->sn - si;
	if (pn == 0)
		return sn == 0;
	if (p[0] == '*') {
		if (ref_glob_from(x, pi + 1, si))
			return true; /* the star stops here */
		return sn > 0 && s[0] != '/' &&
		       ref_glob_from(x, pi, si + ref_char(s, sn)); /* one more */
	}
	if (sn == 0)
		return false;
	size_t sc = ref_char(s, sn);
	if (p[0] == '?')
		return s[0] != '/' && ref_glob_from(x, pi + 1, si + sc);
	size_t pc = ref_char(p, pn);
	return pc == sc && memcmp(p, s, pc) == 0 &&
	       ref_glob_from(x, pi + pc, si + sc);
}

static inline bool ref_glob_from(ref_glob_ctx *x, size_t pi, size_t si)
{
	size_t k = pi * (REF_GLOB_MAX + 1) + si;
	if (x->memo && x->failed[k])
		return false;
	bool r = ref_glob_step(x, pi, si);
	if (x->memo && !r)
		x->failed[k] = 1;
	return r;
}

/* Whether text s matches pattern p. */
static inline bool ref_glob(const char *p, size_t pn, const char *s, size_t sn)
{
	static ref_glob_ctx x; /* large: off the stack; tests are one thread */
	x.p = p;
	x.s = s;
	x.pn = pn;
	x.sn = sn;
	x.memo = pn <= REF_GLOB_MAX && sn <= REF_GLOB_MAX;
	if (x.memo) /* the cells this pair can reach */
		memset(x.failed, 0, pn * (REF_GLOB_MAX + 1) + sn + 1);
	return ref_glob_from(&x, 0, 0);
}

#endif
