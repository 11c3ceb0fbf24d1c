/*
 * signature.c - trusted loads: an image's Ed25519 signature and revision
 * checked against what the caller demands (trust.h), before the policy
 * inside is parsed.
 *
 * Why here and why libsodium: verification runs once per load, never per
 * decision, so it stays out of the evaluator's code and memory (pdp_decide
 * reads no field this file touches). libsodium is a small library (about
 * 350 KiB, against OpenSSL libcrypto's 4.5 MiB) whose Ed25519 and SHA-256
 * are one call each, constant-time, with no configuration to get wrong.
 */
#include <sodium.h>
#include <string.h>

#include "image/identity.h"
#include "image/image.h"

void img_sig_message(const uint8_t *id, uint8_t msg[IMG_SIG_MSG_SIZE])
{
	size_t n = sizeof(IMG_SIG_CONTEXT) - 1;
	memcpy(msg, IMG_SIG_CONTEXT, n);
	memcpy(msg + n, id, PDP_IMAGE_ID_SIZE);
}

IMG_LOAD_ONCE pdp_status img_identity_trust(const img_identity *id, const pdp_trust *trust,
                              pdp_error *err)
{
	if (trust == NULL)
		return PDP_OK;
	if (trust->n_keys > 0 && trust->keys == NULL)
		return img_fail(err, PDP_ERR_ARG, "trust has keys but no key bytes");
	if (trust->n_keys > 0) {
		if (!id->has_signature)
			return img_fail(err, PDP_ERR_SIGNATURE,
			                "image is not signed, and a signature is "
			                "required: %s",
			                img_version_ident(id->version)
			                        ? "compile it with `pdp compile --sign "
			                          "KEY`"
			                        : "it is a format 1, 3 or 5 image (no "
			                          "identity), which cannot be signed; "
			                          "recompile it with `pdp compile "
			                          "--sign KEY`");
		uint8_t msg[IMG_SIG_MSG_SIZE];
		img_sig_message(id->id, msg);
		bool ok = false;
		for (size_t k = 0; k < trust->n_keys && !ok; k++)
			ok = crypto_sign_verify_detached(
			             id->signature, msg, sizeof(msg),
			             trust->keys + k * PDP_PUBLIC_KEY_SIZE) == 0;
		if (!ok)
			return img_fail(err, PDP_ERR_SIGNATURE,
			                "image signature is not valid for any of the "
			                "%zu trusted key%s: it was signed with another "
			                "key or altered after signing",
			                trust->n_keys, trust->n_keys == 1 ? "" : "s");
	}
	if (id->revision < trust->min_revision)
		return img_fail(err, PDP_ERR_ROLLBACK,
		                "image revision %llu is older than the minimum "
		                "revision %llu: refusing a rollback; deploy revision "
		                "%llu or newer",
		                (unsigned long long)id->revision,
		                (unsigned long long)trust->min_revision,
		                (unsigned long long)trust->min_revision);
	return PDP_OK;
}

pdp_status pdp_image_load_trusted(const uint8_t *bytes, size_t len,
                                  const pdp_trust *trust, pdp_image **out,
                                  pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (out == NULL || (bytes == NULL && len > 0))
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	*out = NULL;
	img_identity id;
	pdp_status st = img_identity_read(bytes, len, &id, err);
	if (st == PDP_OK)
		st = img_identity_trust(&id, trust, err);
	if (st != PDP_OK)
		return st;
	return img_load_known(bytes, len, &id, false, out, err);
}
