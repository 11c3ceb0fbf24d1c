/*
 * utf8.c - well-formed UTF-8 (RFC 3629; Unicode 15, table 3-7): shortest
 * form only, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF. A glob's
 * `?` is one such character, and decide refuses an originator that is not
 * well-formed, so that no id can hide a character from a pattern.
 */
#include <string.h>

#include "common/prims.h"

#define ASCII_END 0x80u
#define CONT_LO 0x80u /* continuation bytes are 10xxxxxx */
#define CONT_HI 0xbfu
#define CONT_MASK 0xc0u

/* The lead byte fixes the length and, for a few leads, narrows the range of
 * the second byte: that is where overlong forms (E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..BF) would
 * start. */
static size_t lead_info(uint8_t b, uint8_t *lo, uint8_t *hi)
{
	*lo = CONT_LO;
	*hi = CONT_HI;
	if (b >= 0xc2u && b <= 0xdfu)
		return 2;
	if (b >= 0xe0u && b <= 0xefu) {
		if (b == 0xe0u)
			*lo = 0xa0u;
		else if (b == 0xedu)
			*hi = 0x9fu;
		return 3;
	}
	if (b >= 0xf0u && b <= 0xf4u) {
		if (b == 0xf0u)
			*lo = 0x90u;
		else if (b == 0xf4u)
			*hi = 0x8fu;
		return 4;
	}
	return 0; /* a continuation byte, C0, C1 or F5..FF cannot lead */
}

size_t utf8_char_len(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	uint8_t b0 = (uint8_t)s[0];
	if (b0 < ASCII_END)
		return 1;
	uint8_t lo, hi;
	size_t len = lead_info(b0, &lo, &hi);
	if (len == 0 || n < len)
		return 0;
	uint8_t b1 = (uint8_t)s[1];
	if (b1 < lo || b1 > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (((uint8_t)s[i] & CONT_MASK) != CONT_LO)
			return 0;
	return len;
}

/* Whether none of the n bytes at p has its high bit set: ids are nearly
 * always ASCII, so a few word tests (overlapping at the end) settle most
 * strings without the byte loop. */
static bool all_ascii(const char *p, size_t n)
{
	const uint64_t HIGH8 = 0x8080808080808080ull;
	if (n >= 8) {
		uint64_t acc = 0, w;
		for (size_t i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, 8);
			acc |= w;
		}
		memcpy(&w, p + n - 8, 8);
		return ((acc | w) & HIGH8) == 0;
	}
	if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		return ((a | b) & (uint32_t)HIGH8) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)p[i] >= ASCII_END)
			return false;
	return true;
}

bool utf8_valid(pdp_str s)
{
	if (s.ptr == NULL)
		return s.len == 0;
	if (all_ascii(s.ptr, s.len))
		return true;
	size_t i = 0;
	while (i < s.len) {
		if ((uint8_t)s.ptr[i] < ASCII_END) { /* the usual case, no call */
			i++;
			continue;
		}
		size_t k = utf8_char_len(s.ptr + i, s.len - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}
