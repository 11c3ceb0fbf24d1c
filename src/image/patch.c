/*
 * patch.c - a segment copied with some originator entries changed.
 *
 * A live store's bare acor names change meaning when a group of that name
 * is created or removed (docs/store.md): the entry turns from an exact id
 * into a group reference or back. Rather than keeping every ACP's source
 * text to compile it again, the store copies the segment and rewrites those
 * entries (their positions and name strings were recorded at compile).
 * The copy shares nothing with the original, and the changed entries are
 * checked as the loader checks them: a patch cannot produce what the
 * verifier would refuse.
 */
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

static void *rebase(const pdp_image *from, void *arena, const void *p)
{
	return (char *)arena + ((const char *)p - (const char *)from->arena);
}

/* The copy shares nothing mutable with seg: other views may still decide
 * with seg while the store builds the next one, so the arena, the
 * originator text table and the compiled regexes are duplicated and only
 * the copy's originator entries are written. */
pdp_status img_segment_patch(const pdp_image *seg, const uint32_t *at,
                             const uint32_t *kind, const uint32_t *val,
                             size_t n, uint32_t n_groups, pdp_image **out,
                             pdp_error *err)
{
	*out = NULL;
	if (!seg->segment)
		return img_fail(err, PDP_ERR_ARG, "only a segment can be patched");
	for (size_t i = 0; i < n; i++) {
		bool ok = at[i] < seg->count[SEC_ORIGS] &&
		          ((kind[i] == ORIG_EXACT && val[i] < seg->count[SEC_STRTAB]) ||
		           (kind[i] == ORIG_GROUP && val[i] < n_groups));
		if (!ok)
			return img_fail(err, PDP_ERR_INVALID,
			                "patch %zu does not fit the segment", i);
	}
	pdp_image *img = calloc(1, sizeof(*img));
	if (img == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	atomic_init(&img->refs, 1u);
	img->segment = true;
	img->max_regex_captures = seg->max_regex_captures;
	img->decide = seg->decide;
	img->version = seg->version;
	/* the same 64-byte section lines as the loader's (read.c) */
	img->arena = aligned_alloc(64, seg->arena_size);
	uint32_t no = seg->count[SEC_ORIGS];
	img->orig_text = malloc(((size_t)no + 1u) * sizeof(orig_text_rec));
	uint32_t nr = seg->count[SEC_REGEXES];
	img->regex = nr ? calloc(nr, sizeof(pcre2_code *)) : NULL;
	if (img->arena == NULL || img->orig_text == NULL || (nr && !img->regex)) {
		pdp_image_release(img);
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	}
	img->arena_size = seg->arena_size;
	memcpy(img->arena, seg->arena, seg->arena_size);
	img->blob = rebase(seg, img->arena, seg->blob);
	img->blob_len = seg->blob_len;
	for (int s = 0; s < IMG_SECTION_COUNT; s++) {
		img->count[s] = seg->count[s];
		if (seg->sec[s] != NULL)
			img->sec[s] = rebase(seg, img->arena, seg->sec[s]);
	}
	memcpy(img->orig_text, seg->orig_text,
	       ((size_t)no + 1u) * sizeof(orig_text_rec));
	for (uint32_t i = 0; i < nr; i++) {
		img->regex[i] = pcre2_code_copy(seg->regex[i]);
		if (img->regex[i] == NULL) {
			pdp_image_release(img);
			return img_fail(err, PDP_ERR_NOMEM, "out of memory");
		}
	}
	/* the copy is this function's own until it returns: its records may
	 * be written */
	img_orig_rec *origs = (img_orig_rec *)(uintptr_t)img->sec[SEC_ORIGS];
	for (size_t i = 0; i < n; i++) {
		origs[at[i]] = (img_orig_rec){.kind = kind[i], .value = val[i]};
		if (kind[i] == ORIG_EXACT) {
			const img_strtab_rec *t = img_strtab(img, val[i]);
			orig_text_set(&img->orig_text[at[i]], img->blob, t->off,
			              t->len);
		}
	}
	*out = img;
	return PDP_OK;
}
