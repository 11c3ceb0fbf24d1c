/*
 * load.c - untrusted image bytes -> verified pdp_image, in layers: read.c
 * (the CBOR envelope and the sections, layers 1-2), verify.c (every index,
 * count and ordering rule of format.h, layer 3), ownership.c (every record
 * owned exactly once), index.c (derived tables, layer 4). Only when all
 * pass is the image returned; otherwise everything is freed and err says
 * what failed. Also the image's reference counting.
 */
#include <stdlib.h>

#include "image/load_internal.h"
#include "image/view.h"

IMG_LOAD_ONCE void img_destroy(pdp_image *img)
{
	if (img == NULL)
		return;
	if (img->view != NULL) {
		view_image_destroy(img);
		return;
	}
	for (uint32_t i = 0; img->regex && i < img->count[SEC_REGEXES]; i++)
		pcre2_code_free(img->regex[i]);
	free(img->regex);
	free(img->h_principal.slots);
	free(img->h_acp.slots);
	free(img->h_attr.slots);
	free(img->h_role.slots);
	free(img->role_closure);
	free(img->orig_text);
	free(img->arena);
	free(img);
}

pdp_status pdp_image_load(const uint8_t *bytes, size_t len, pdp_image **out,
                          pdp_error *err)
{
	return img_load_known(bytes, len, NULL, false, out, err);
}

pdp_status pdp_image_load_borrowed(const uint8_t *bytes, size_t len,
                                   pdp_image **out, pdp_error *err)
{
	return img_load_known(bytes, len, NULL, true, out, err);
}

/* Read, verify and index an image; its identity (id, revision, signature:
 * identity.c) is `known` when the caller has already read it from these
 * bytes (a trusted load), else read here. */
IMG_LOAD_ONCE pdp_status img_load_known(const uint8_t *bytes, size_t len,
                          const img_identity *known, bool borrow,
                          pdp_image **out, pdp_error *err)
{
	pdp_image *img = NULL;
	pdp_status st = img_read(bytes, len, IMG_MAGIC, borrow, &img, err);
	if (st != PDP_OK)
		return st;
	verifier v = {img, err, img, img->count[SEC_GROUPS]};
	if (known != NULL)
		img->ident = *known;
	else
		st = img_identity_read(bytes, len, &img->ident, err);
	if (st == PDP_OK)
		st = img_verify_tables(&v);
	if (st == PDP_OK)
		st = img_verify_ownership(img, v.decl, err);
	if (st == PDP_OK)
		st = img_build_indexes(&v);
	if (st == PDP_OK)
		st = img_verify_exact_origs(&v);
	if (st == PDP_OK)
		st = img_build_orig_text(&v);
	if (st == PDP_OK)
		st = img_build_roles(&v);
	if (st == PDP_OK)
		st = img_build_regexes(&v);
	if (st != PDP_OK) {
		img_destroy(img);
		return st;
	}
	img->prefetch = len >= IMG_PREFETCH_MIN_BYTES;
	*out = img;
	return PDP_OK;
}

/* The tables a segment must leave empty: what it refers to belongs to its
 * base (roles, attributes, principals) or to the store (groups). */
static const enum img_section SEGMENT_EMPTY[] = {
	SEC_PRINCIPALS, SEC_PRINROLES, SEC_PRINGROUPS, SEC_GROUPS,
	SEC_GROUPGLOBS, SEC_ROLES, SEC_ROLEJR, SEC_CONSTRAINTS, SEC_CONSTRMEM,
	SEC_ATTRS, SEC_SOURCES, SEC_HOST,
};

pdp_status img_load_segment(const uint8_t *bytes, size_t len,
                            const pdp_image *base, uint32_t n_groups,
                            pdp_image **out, pdp_error *err)
{
	pdp_image *img = NULL;
	pdp_status st = img_read(bytes, len, IMG_SEGMENT_MAGIC, false, &img, err);
	if (st != PDP_OK)
		return st;
	verifier v = {img, err, base, n_groups};
	for (size_t i = 0; i < sizeof(SEGMENT_EMPTY) / sizeof(SEGMENT_EMPTY[0]);
	     i++)
		if (img->count[SEGMENT_EMPTY[i]] != 0)
			st = img_fail(err, PDP_ERR_INVALID,
			              "a segment must not hold section %d",
			              (int)SEGMENT_EMPTY[i]);
	if (st == PDP_OK && img->count[SEC_ACPS] != 1)
		st = img_fail(err, PDP_ERR_INVALID, "a segment holds one ACP");
	if (st == PDP_OK)
		st = img_verify_segment_tables(&v);
	if (st == PDP_OK)
		st = img_verify_ownership(img, v.decl, err);
	if (st == PDP_OK)
		st = img_build_orig_text(&v);
	if (st == PDP_OK)
		st = img_build_regexes(&v);
	if (st != PDP_OK) {
		img_destroy(img);
		return st;
	}
	img->segment = true;
	*out = img;
	return PDP_OK;
}

pdp_image *pdp_image_retain(pdp_image *img)
{
	if (img != NULL)
		atomic_fetch_add_explicit(&img->refs, 1u, memory_order_relaxed);
	return img;
}

void pdp_image_release(pdp_image *img)
{
	if (img == NULL)
		return;
	if (atomic_fetch_sub_explicit(&img->refs, 1u, memory_order_acq_rel) == 1u)
		img_destroy(img);
}

void pdp_image_free(pdp_image *img)
{
	pdp_image_release(img);
}
