/*
 * hash.c - the one string hash of the tree: image indexes (image/index.c),
 * store views and their group sets (image/view.c, store/), and the
 * compiler's string interner (compiler/emit_lower.c). Hashes live only in
 * memory (no image or file holds one), so the function may change.
 *
 * Eight bytes per step (a decision hashes the originator and each ACP id:
 * byte-at-a-time FNV-1a cost about 45 instructions for a 10-byte id), each
 * word folded in by a multiply whose high half is fed back, and a final
 * mix so that both the low bits (the slot) and the upper 32 (the tag)
 * depend on every byte. The length goes into the seed, so "a" and "a\0"
 * differ.
 */
#include <string.h>

#include "common/prims.h"

#define MUL_A 0x9e3779b97f4a7c15ull
#define MUL_B 0xbf58476d1ce4e5b9ull

static uint64_t fold(uint64_t h, uint64_t w)
{
	h = (h ^ w) * MUL_A;
	return h ^ (h >> 32);
}

/* The last 1-7 bytes as one word, without reading past them. */
static uint64_t tail_word(const unsigned char *p, size_t n)
{
	uint64_t w = 0;
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4); /* overlaps lo when n < 8 */
		return (uint64_t)hi << 32 | lo;
	}
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

uint64_t str_hash(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint64_t h = 0x243f6a8885a308d3ull ^ ((uint64_t)len * MUL_B);
	size_t n = len;
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = fold(h, w);
	}
	if (n > 0)
		h = fold(h, tail_word(p, n));
	h ^= h >> 31;
	h *= MUL_B;
	return h ^ (h >> 29);
}
