/*
 * identity.h - an image's identity envelope (internal): format version 2
 * adds, after the body, the revision, the build note, the id (SHA-256 of
 * body, revision and note as encoded) and optionally an Ed25519 signature
 * of the id. identity.c reads it, stamp.c writes it, signature.c checks
 * signatures. schemas/image.cddl describes the layout.
 */
#ifndef PDP_IMAGE_IDENTITY_H
#define PDP_IMAGE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/format.h"
#include "pdp/trust.h"

#define IMG_VERSION_ID 6u        /* the format version with an identity */
#define IMG_VERSION_ID_REC 4u    /* the same with unpadded sections (3) */
#define IMG_VERSION_ID_OLD 2u    /* the same before the DECIDE section */

/* Versions come in pairs: a plain image (1, 3, 5) and the same body with
 * an identity (2, 4, 6). */
static inline bool img_version_plain(uint64_t v)
{
	return v == IMG_VERSION || v == IMG_VERSION_REC || v == IMG_VERSION_OLD;
}

static inline bool img_version_ident(uint64_t v)
{
	return v == IMG_VERSION_ID || v == IMG_VERSION_ID_REC ||
	       v == IMG_VERSION_ID_OLD;
}
#define IMG_NOTE_MAX 256u        /* bytes of build note kept */

/* What the signature signs: this text, then the 32-byte id. */
#define IMG_SIG_CONTEXT "pdp-image-signature-v1:"

typedef struct img_identity {
	uint8_t id[PDP_IMAGE_ID_SIZE];
	uint64_t revision;
	uint32_t version;           /* IMG_VERSION(_OLD) or IMG_VERSION_ID(_OLD) */
	bool has_signature;
	uint8_t signature[PDP_SIGNATURE_SIZE];
	uint32_t note_len;
	char note[IMG_NOTE_MAX + 1];
} img_identity;

/* Read the envelope of image bytes already accepted by the CBOR pre-scan
 * of load.c: compute the id, check the carried one (PDP_ERR_CHECKSUM when
 * it differs), fill out. */
pdp_status img_identity_read(const uint8_t *bytes, size_t len,
                             img_identity *out, pdp_error *err);

/* Check out's signature and revision against trust (signature.c). */
pdp_status img_identity_trust(const img_identity *id, const pdp_trust *trust,
                              pdp_error *err);

/* The message Ed25519 signs for an id: IMG_SIG_CONTEXT then the id. */
#define IMG_SIG_MSG_SIZE (sizeof(IMG_SIG_CONTEXT) - 1 + PDP_IMAGE_ID_SIZE)
void img_sig_message(const uint8_t *id, uint8_t msg[IMG_SIG_MSG_SIZE]);

/* stamp.c: turn a format-1 image (emit.c's output) into a format-2 image
 * with revision and note (cut at IMG_NOTE_MAX bytes); or sign a format-2
 * image with a secret key (replacing a signature it has). New buffers are
 * malloc'd; false when out of memory or the input is not of that form.
 * img_stamp fills *ident (when not NULL) with the identity it wrote, which
 * img_load_known accepts instead of hashing the image again. */
bool img_stamp(const uint8_t *v1, size_t len, uint64_t revision,
               const char *note, uint8_t **out, size_t *out_len,
               img_identity *ident);
bool img_sign(const uint8_t *img, size_t len,
              const uint8_t sk[PDP_SECRET_KEY_SIZE], uint8_t **out,
              size_t *out_len);

/* identity.c helpers shared with stamp.c: one CBOR item header
 * at *pos (false when it runs past len or is not a definite uint, bstr,
 * tstr or array head); and a header written into buf (9 bytes at most),
 * returning its length. */
bool img_cbor_head(const uint8_t *p, size_t len, size_t *pos, uint8_t *major,
                   uint64_t *val);
size_t img_cbor_put_head(uint8_t *buf, uint8_t major, uint64_t val);

#endif
