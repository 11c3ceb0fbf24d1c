/*
 * index.c - layer 4 of the loader, the tables derived from a verified
 * image: name hash indexes (with what a decision needs next copied into
 * each slot), originator strings straight into the blob, role closures and
 * constraint sets as bitsets, compiled regexes; and the lookups over the
 * indexes.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "common/regex.h"
#include "image/load_internal.h"

void img_lookup_start(const pdp_image *img, img_lookup_op *op,
                      const hash_index *h, enum img_section s, pdp_str name)
{
	(void)img;
	op->h = h;
	op->sec = s;
	op->name = name;
	op->rec = IMG_NONE;
	op->hit = NULL;
	if (h->slots == NULL || name.ptr == NULL) {
		op->slot = IMG_NONE;
		return;
	}
	op->hash = str_hash(name.ptr, name.len);
	op->slot = (uint32_t)op->hash & h->mask;
	__builtin_prefetch(&h->slots[op->slot]);
}

/* Advance to the next slot whose tag matches (or the end of the run). */
void img_lookup_probe(const pdp_image *img, img_lookup_op *op)
{
	op->rec = IMG_NONE;
	if (op->slot == IMG_NONE)
		return;
	uint32_t tag = (uint32_t)(op->hash >> 32);
	for (;;) {
		const hash_slot *sl = &op->h->slots[op->slot];
		if (sl->rec == IMG_NONE) {
			op->slot = IMG_NONE;
			return;
		}
		if (sl->tag == tag && sl->key_len == op->name.len) {
			op->rec = sl->rec;
			if (sl->key_len > HASH_KEY_HEAD)
				__builtin_prefetch(img->blob + sl->key_off);
			return;
		}
		op->slot = (op->slot + 1) & op->h->mask;
	}
}

/* Whether n bytes at a and b are equal: keys are short ids, and a call to
 * memcmp cost more than the comparison. */
static bool key_equal(const char *a, const char *b, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a0, b0, a1, b1;
		memcpy(&a0, a, 8);
		memcpy(&b0, b, 8);
		memcpy(&a1, a + n - 8, 8); /* overlaps a0 when n < 16 */
		memcpy(&b1, b + n - 8, 8);
		return ((a0 ^ b0) | (a1 ^ b1)) == 0;
	}
	if (n > 16)
		return memcmp(a, b, n) == 0;
	if (n >= 4) {
		uint32_t a0, b0, a1, b1;
		memcpy(&a0, a, 4);
		memcpy(&b0, b, 4);
		memcpy(&a1, a + n - 4, 4);
		memcpy(&b1, b + n - 4, 4);
		return ((a0 ^ b0) | (a1 ^ b1)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

uint32_t img_lookup_finish(const pdp_image *img, img_lookup_op *op)
{
	while (op->rec != IMG_NONE) {
		const hash_slot *sl = &op->h->slots[op->slot];
		/* a short key is all in the slot; a long one is read from
		 * the blob (prefetched by the probe) */
		const char *key = sl->key_len <= HASH_KEY_HEAD
		                          ? sl->key_head
		                          : img->blob + sl->key_off;
		if (key_equal(key, op->name.ptr, sl->key_len)) {
			op->hit = sl;
			return op->rec;
		}
		/* a tag collision: keep probing after this slot */
		op->slot = (op->slot + 1) & op->h->mask;
		img_lookup_probe(img, op);
	}
	return PDP_NONE;
}

uint32_t img_lookup(const pdp_image *img, const hash_index *h,
                    enum img_section s, pdp_str name)
{
	img_lookup_op op = {0}; /* gcc -O3 cannot see that start sets hash
	                           wherever probe reads it */
	img_lookup_start(img, &op, h, s, name);
	img_lookup_probe(img, &op);
	return img_lookup_finish(img, &op);
}


static pdp_status build_index(verifier *v, hash_index *h, enum img_section s,
                              const char *what)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[s];
	uint32_t size = 8;
	while (size < n * 2u)
		size *= 2;
	/* aligned: one slot, one cache line */
	h->slots = img_alloc_lines((size_t)size * sizeof(hash_slot));
	if (h->slots == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	memset(h->slots, 0xff, (size_t)size * sizeof(hash_slot));
	h->mask = size - 1;
	for (uint32_t i = 0; i < n; i++) {
		pdp_str name = img_str(img, img_rec_name(img, s, i));
		CHECK(img_lookup(img, h, s, name) == PDP_NONE,
		      "duplicate %s name '%.*s'", what,
		      (int)(name.len > 60 ? 60 : name.len), name.ptr);
		uint64_t hv = str_hash(name.ptr, name.len);
		uint32_t j = (uint32_t)hv & h->mask;
		while (h->slots[j].rec != IMG_NONE)
			j = (j + 1) & h->mask;
		h->slots[j].tag = (uint32_t)(hv >> 32);
		h->slots[j].rec = i;
		h->slots[j].key_off = (uint32_t)(name.ptr - img->blob);
		h->slots[j].key_len = (uint32_t)name.len;
		memset(h->slots[j].key_head, 0, HASH_KEY_HEAD);
		if (name.len > 0)
			memcpy(h->slots[j].key_head, name.ptr,
			       name.len < HASH_KEY_HEAD ? name.len : HASH_KEY_HEAD);
		if (s == SEC_ACPS) {
			const img_acp_rec *a = img_acp(img, i);
			h->slots[j].aux.acp.priv_first = a->priv_first;
			h->slots[j].aux.acp.self_first = a->self_first;
			h->slots[j].aux.acp.orig_first = a->orig_first;
			h->slots[j].aux.acp.counts =
				a->priv_count <= 0xffffu && a->self_count <= 0xffffu
					? a->priv_count | a->self_count << 16
					: ACP_COUNTS_FAR;
			h->slots[j].aux.acp.ctx_first = a->ctx_first;
			h->slots[j].aux.acp.win_first = a->win_first;
			h->slots[j].aux.acp.cidr_first = a->cidr_first;
			h->slots[j].aux.acp.cond_first = a->cond_first;
		} else if (s == SEC_PRINCIPALS) {
			const img_principal_rec *p = img_principal(img, i);
			h->slots[j].aux.principal.role_first = p->role_first;
			h->slots[j].aux.principal.role_count = p->role_count;
			h->slots[j].aux.principal.name = p->name;
			h->slots[j].aux.principal.spare = 0;
			for (uint32_t k = 0; k < HASH_INLINE_ROLES; k++)
				h->slots[j].aux.principal.roles[k] =
					k < p->role_count
						? img_word(img, SEC_PRINROLES,
						           p->role_first + k)
						: IMG_NONE;
		}
	}
	return PDP_OK;
}

/* Where each originator entry's string is, straight into the blob. */
pdp_status img_build_orig_text(verifier *v)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[SEC_ORIGS];
	img->orig_text = calloc((size_t)n + 1u, sizeof(orig_text_rec));
	if (img->orig_text == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		const img_orig_rec *o = img_orig(img, i);
		if (o->kind != ORIG_EXACT && o->kind != ORIG_GLOB)
			continue;
		const img_strtab_rec *t = img_strtab(img, o->value);
		orig_text_set(&img->orig_text[i], img->blob, t->off, t->len);
	}
	return PDP_OK;
}

/* The evaluator matches an exact originator entry by comparing its string
 * id with the request's principal's name id: every exact entry must name a
 * principal through that very string id. */
IMG_LOAD_ONCE pdp_status img_build_roles(verifier *v)
{
	pdp_image *img = v->img;
	uint32_t nr = img->count[SEC_ROLES], w = (nr + 63) / 64;
	img->role_words = w;
	size_t words = (size_t)w * (nr + img->count[SEC_CONSTRAINTS]) + 1;
	uint64_t *bits = calloc(words, sizeof(uint64_t));
	if (bits == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	img->role_closure = bits;
	img->constraint_sets = bits + (size_t)w * nr;
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t *c = img->role_closure + (size_t)i * w;
		c[i / 64] |= UINT64_C(1) << (i % 64);
		const img_role_rec *r = img_role(img, i);
		for (uint32_t j = 0; j < r->jr_count; j++) {
			uint32_t jr = img_word(img, SEC_ROLEJR, r->jr_first + j);
			const uint64_t *jc = img->role_closure + (size_t)jr * w;
			for (uint32_t k = 0; k < w; k++)
				c[k] |= jc[k];
		}
	}
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const img_constraint_rec *k = img_constraint(img, i);
		uint64_t *set = img->constraint_sets + (size_t)i * w;
		img->n_dsd += k->kind == CONSTRAINT_DSD;
		for (uint32_t j = 0; j < k->mem_count; j++) {
			uint32_t r = img_word(img, SEC_CONSTRMEM, k->mem_first + j);
			CHECK(!(set[r / 64] >> (r % 64) & 1),
			      "constraint %u lists a role twice", i);
			set[r / 64] |= UINT64_C(1) << (r % 64);
		}
	}
	return PDP_OK;
}

IMG_LOAD_ONCE pdp_status img_build_regexes(verifier *v)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[SEC_REGEXES];
	if (n == 0)
		return PDP_OK;
	img->regex = calloc(n, sizeof(pcre2_code *));
	if (img->regex == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	/* No JIT: the JIT applies the match limit per start position, so a
	 * backtracking pattern on a 4 KiB subject ran for seconds under the
	 * same limits that stop the interpreter in under a millisecond
	 * (fuzz/regressions/fuzz_regex_cond). Bounded time wins over speed. */
	for (uint32_t i = 0; i < n; i++) {
		pdp_str pat = img_str(img, img_word(img, SEC_REGEXES, i));
		CHECK(pat.len <= PDP_MAX_REGEX_BYTES, "regex %u too long", i);
		prim_err e;
		img->regex[i] = regex_compile(pat.ptr, pat.len, &e);
		if (img->regex[i] == NULL && e.nomem)
			return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
		if (img->regex[i] == NULL)
			return img_fail(v->err, PDP_ERR_REGEX,
			            "regex %u does not compile (offset %zu)", i,
			            e.offset);
		uint32_t caps = 0;
		pcre2_pattern_info(img->regex[i], PCRE2_INFO_CAPTURECOUNT, &caps);
		CHECK(caps <= PDP_MAX_REGEX_CAPTURES,
		      "regex %u has more than %u capture groups", i,
		      PDP_MAX_REGEX_CAPTURES);
		if (caps > img->max_regex_captures)
			img->max_regex_captures = caps;
	}
	return PDP_OK;
}


pdp_status img_build_indexes(verifier *v)
{
	pdp_image *img = v->img;
	TRY(build_index(v, &img->h_principal, SEC_PRINCIPALS, "principal"));
	TRY(build_index(v, &img->h_acp, SEC_ACPS, "ACP"));
	TRY(build_index(v, &img->h_attr, SEC_ATTRS, "attribute"));
	return build_index(v, &img->h_role, SEC_ROLES, "role");
}
