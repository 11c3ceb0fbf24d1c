/*
 * load_internal.h - the loader's layers (internal to src/image): read.c
 * turns bytes into an unverified image, verify.c checks every index, count
 * and ordering rule of format.h, index.c builds the derived tables; load.c
 * runs them in order and returns only an image that passed them all.
 */
#ifndef PDP_IMAGE_LOAD_INTERNAL_H
#define PDP_IMAGE_LOAD_INTERNAL_H

#include "image/image.h"

/* The state of one load. decl is the image whose roles and attributes the records refer to: the
 * image itself, or a segment's base; n_groups bounds group indices. */
typedef struct verifier {
	pdp_image *img;
	pdp_error *err;
	const pdp_image *decl;
	uint32_t n_groups;
} verifier;

#define CHECK(cond, ...)                                                   \
	do {                                                                \
		if (!(cond))                                                \
			return img_fail(v->err, PDP_ERR_INVALID, __VA_ARGS__);  \
	} while (0)



/* read.c: layers 1 and 2, the CBOR envelope with the given magic and the
 * sections of a fresh image (not yet verified): copied, or with borrow
 * used where they lie in bytes when the host can read them there (the
 * rest copied). */
pdp_status img_read(const uint8_t *bytes, size_t len, const char *magic,
                    bool borrow, pdp_image **out, pdp_error *err);

/* verify.c: layer 3. The tables of a full image; the tables a segment
 * holds (its declarations are its base's); the exact originator entries
 * against the principals (after img_build_indexes). */
pdp_status img_verify_tables(verifier *v);
pdp_status img_verify_segment_tables(verifier *v);
pdp_status img_verify_exact_origs(verifier *v);

/* index.c: layer 4, the derived tables. */
pdp_status img_build_indexes(verifier *v);
pdp_status img_build_orig_text(verifier *v);
pdp_status img_build_roles(verifier *v);
pdp_status img_build_regexes(verifier *v);

/* load.c: free an image and everything it owns. */
void img_destroy(pdp_image *img);

#endif
