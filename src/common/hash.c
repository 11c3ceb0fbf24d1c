/*
 * hash.c - the one string hash of the tree: image indexes (image/index.c),
 * store views and their group sets (image/view.c, store/), and the
 * compiler's string interner (compiler/emit_lower.c).
 *
 * FNV-1a over the bytes, then the high bits folded into the low ones:
 * tables take their slot from the low bits and keep the upper 32 bits as a
 * tag, so both halves should depend on every byte.
 */
#include "common/prims.h"

uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}
