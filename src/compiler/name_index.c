/*
 * name_index.c - which exact ids and globs of a set match an originator id,
 * without trying each (cc.h). Lint asks this once per rule, so a linear scan
 * would make it quadratic in the rules of an ACP.
 *
 * A glob can only match ids that start with its literal prefix (the bytes
 * before its first wildcard): globs are sorted by prefix length, then
 * prefix, and a lookup binary-searches the id's own prefix of each length
 * present. Exact ids are one binary search.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"

static int cmp_post(const void *a, const void *b)
{
	const name_post *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	int r = x->key ? memcmp(x->s, y->s, x->key) : 0;
	if (r != 0)
		return r;
	return x->val < y->val ? -1 : x->val > y->val;
}

/* Bytes before the first wildcard. */
static uint32_t literal_prefix(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] != '*' && s[i] != '?')
		i++;
	return (uint32_t)i;
}

void name_index_add(cc *c, name_index *ix, const char *s, size_t len,
                    uint32_t val)
{
	name_post p = {s, (uint32_t)len, (uint32_t)len, val};
	p.key = literal_prefix(s, len);
	if (p.key == len)
		VEC_PUSH_HEAP(c, ix->ids, p);
	else
		VEC_PUSH_HEAP(c, ix->globs, p);
}

void name_index_finish(cc *c, name_index *ix)
{
	if (ix->ids.n > 1)
		qsort(ix->ids.items, ix->ids.n, sizeof(name_post), cmp_post);
	if (ix->globs.n > 1)
		qsort(ix->globs.items, ix->globs.n, sizeof(name_post), cmp_post);
	for (size_t i = 0; i < ix->globs.n; i++)
		if (i == 0 || ix->globs.items[i].key != ix->globs.items[i - 1].key)
			VEC_PUSH_HEAP(c, ix->blocks, i);
	VEC_PUSH_HEAP(c, ix->blocks, ix->globs.n);
}

void name_index_free(name_index *ix)
{
	VEC_FREE(ix->ids);
	VEC_FREE(ix->globs);
	VEC_FREE(ix->blocks);
}

/* How a post's key compares with text's first key bytes, in cmp_post's
 * order. */
static int cmp_key(const name_post *p, const char *text, uint32_t key)
{
	if (p->key != key)
		return p->key < key ? -1 : 1;
	return key ? memcmp(p->s, text, key) : 0;
}

/* The run of the sorted posts[lo, hi) whose key is text's first key bytes:
 * returns its start, *end its end. */
static size_t equal_run(const name_post *posts, size_t lo, size_t hi,
                        const char *text, uint32_t key, size_t *end)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_key(&posts[mid], text, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t e = lo;
	while (e < *end && cmp_key(&posts[e], text, key) == 0)
		e++;
	*end = e;
	return lo;
}

void name_index_runs(const name_index *ix, const char *text, size_t len,
                     name_run_fn fn, void *ctx)
{
	size_t end = ix->ids.n;
	size_t first = equal_run(ix->ids.items, 0, end, text, (uint32_t)len,
	                         &end);
	if (first < end)
		fn(ctx, ix->ids.items + first, end - first, true);
	for (size_t b = 0; b + 1 < ix->blocks.n; b++) {
		size_t start = ix->blocks.items[b];
		uint32_t key = ix->globs.items[start].key;
		if (key > len)
			break; /* blocks are sorted by prefix length */
		end = ix->blocks.items[b + 1];
		first = equal_run(ix->globs.items, start, end, text, key, &end);
		if (first < end)
			fn(ctx, ix->globs.items + first, end - first, false);
	}
}

typedef struct match_ctx {
	cc *c;
	pdp_str text;
	u32_vec *out;
} match_ctx;

static void push_matches(void *ctx, const name_post *posts, size_t n,
                         bool exact)
{
	match_ctx *m = ctx;
	for (size_t i = 0; i < n; i++) {
		pdp_str pat = {posts[i].s, posts[i].len};
		if (exact || glob_match(pat, m->text))
			VEC_PUSH_HEAP(m->c, *m->out, posts[i].val);
	}
}

void name_index_match(cc *c, const name_index *ix, const char *text,
                      size_t len, u32_vec *out)
{
	match_ctx m = {c, {text, len}, out};
	name_index_runs(ix, text, len, push_matches, &m);
}

const name_post *name_index_glob_run(const name_index *ix, const char *pat,
                                     size_t len, size_t *n)
{
	uint32_t key = literal_prefix(pat, len);
	*n = 0;
	for (size_t b = 0; b + 1 < ix->blocks.n; b++) {
		size_t start = ix->blocks.items[b], end = ix->blocks.items[b + 1];
		if (ix->globs.items[start].key != key)
			continue;
		size_t first = equal_run(ix->globs.items, start, end, pat, key,
		                         &end);
		*n = end - first;
		return ix->globs.items + first;
	}
	return NULL;
}
