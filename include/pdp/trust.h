/*
 * trust.h - which policy a PDP runs, and whether to believe it (libpdp):
 * image identity, Ed25519 signatures, anti-rollback and the decision log.
 * docs/deployment.md shows how a fleet of CSEs uses them.
 *
 * Conventions
 * -----------
 * - Identity: every image has an id, the SHA-256 of its compiled content
 *   (policy sections, revision and build note; see schemas/image.cddl), and
 *   a revision number set at compile time (`pdp compile --revision N`).
 *   Images written before identities existed (format version 1) still load:
 *   their id is the SHA-256 of their body, their revision is 0 and they are
 *   unsigned, so a load that demands a signature or a minimum revision
 *   refuses them.
 * - Signatures are Ed25519 (libsodium) over the id; a signed image carries
 *   one signature. Keys are 32 raw bytes; `pdp keygen` writes them as hex.
 * - Nothing here is read by pdp_decide: identity and signature are checked
 *   once, at load.
 */
#ifndef PDP_TRUST_H
#define PDP_TRUST_H

#include "pdp/pdp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PDP_IMAGE_ID_SIZE 32     /* bytes of an image id (SHA-256) */
#define PDP_IMAGE_ID_HEX 65      /* buffer for its hex text and the NUL */
#define PDP_PUBLIC_KEY_SIZE 32   /* Ed25519 public key */
#define PDP_SECRET_KEY_SIZE 64   /* Ed25519 secret key (seed and public) */
#define PDP_SIGNATURE_SIZE 64

/*
 * The id of img: PDP_IMAGE_ID_SIZE bytes that live as long as img. An
 * image published by a live store (store.h) is not a compiled image and
 * has an all-zero id.
 */
PDP_API const uint8_t *pdp_image_id(const pdp_image *img);

/* The id as 64 lowercase hex digits and a NUL in buf (PDP_IMAGE_ID_HEX
 * bytes); returns buf. */
PDP_API char *pdp_image_id_hex(const pdp_image *img,
                               char buf[PDP_IMAGE_ID_HEX]);

/* The revision set when img was compiled (0 for a format-1 image). */
PDP_API uint64_t pdp_image_revision(const pdp_image *img);

/* Whether img carried a signature (checked or not: a plain pdp_image_load
 * does not check it; pdp_image_load_trusted does). */
PDP_API bool pdp_image_signed(const pdp_image *img);

/* How img was compiled (the compiler's note: tool, revision source, policy
 * files), "" when it has none; lives as long as img. */
PDP_API pdp_str pdp_image_build_note(const pdp_image *img);

/* What a trusted load demands. Zero-initialise, then set what you need. */
typedef struct pdp_trust {
	/* n_keys public keys (PDP_PUBLIC_KEY_SIZE bytes each, back to back);
	 * with n_keys > 0 the image must be signed by one of them. */
	const uint8_t *keys;
	size_t n_keys;
	/* images whose revision is lower are refused (anti-rollback) */
	uint64_t min_revision;
} pdp_trust;

/*
 * pdp_image_load, after checking the image against trust (NULL: nothing
 * demanded, same as pdp_image_load). Refusals, each with a message that
 * says what to do:
 *   PDP_ERR_CHECKSUM   the content does not match its id (tampered or
 *                      corrupt);
 *   PDP_ERR_SIGNATURE  keys were given and the image is unsigned, or its
 *                      signature is not by one of them, or does not match;
 *   PDP_ERR_ROLLBACK   its revision is below trust->min_revision.
 * The signature and revision are checked before the policy is parsed.
 */
PDP_API pdp_status pdp_image_load_trusted(const uint8_t *bytes, size_t len,
                                          const pdp_trust *trust,
                                          pdp_image **out, pdp_error *err);

/*
 * Decision log: with a hook set on a scratch, every pdp_decide and
 * pdp_session_decide that uses the scratch calls fn(ctx, img, req, d) on
 * the deciding thread after the decision is made, with the image the
 * decision was made on (pdp_image_id, pdp_image_revision), the request and
 * the decision (pdp_reason_format gives its reason token). The library
 * allocates nothing for it and reads no clock: the hook stamps the time.
 * The pointers are valid during the call only. The hook must not decide on
 * the same scratch. fn NULL turns the log off (the default).
 */
typedef void (*pdp_decision_hook)(void *ctx, const pdp_image *img,
                                  const pdp_request *req,
                                  const pdp_decision *d);

PDP_API void pdp_scratch_set_log(pdp_scratch *s, pdp_decision_hook fn,
                                 void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* PDP_TRUST_H */
