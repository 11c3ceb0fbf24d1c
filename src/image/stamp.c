/*
 * stamp.c - write an image's identity envelope (identity.h): the compiler
 * stamps revision, note and id onto what emit.c wrote, and `pdp compile
 * --sign` appends a signature. Not part of any decision; libpdp's link
 * drops it (--gc-sections), the compiler and the CLI use it.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "image/identity.h"
#include "image/image.h"

/* Bytes of a bstr item holding a signature: head 0x58 0x40, then 64. */
#define SIG_ITEM_SIZE (2u + PDP_SIGNATURE_SIZE)

/* Skip one item at *pos (a string's content too). */
static bool skip_item(const uint8_t *p, size_t len, size_t *pos,
                      uint8_t *major)
{
	uint64_t val;
	if (!img_cbor_head(p, len, pos, major, &val))
		return false;
	if (*major == 2 || *major == 3) {
		if (val > len - *pos)
			return false;
		*pos += (size_t)val;
	}
	return true;
}

bool img_stamp(const uint8_t *v1, size_t len, uint64_t revision,
               const char *note, uint8_t **out, size_t *out_len,
               img_identity *ident)
{
	*out = NULL;
	size_t pos = 1, magic_start = 1, crc_start, body_start;
	uint8_t major;
	if (len < 1 || v1[0] != 0x84 || !skip_item(v1, len, &pos, &major))
		return false;
	size_t magic_end = pos;
	uint64_t version;
	if (!img_cbor_head(v1, len, &pos, &major, &version) || major != 0 ||
	    !img_version_plain(version))
		return false;
	/* the identity form of the same body format (versions pair up) */
	uint32_t id_version = (uint32_t)version + 1u;
	crc_start = pos;
	if (!skip_item(v1, len, &pos, &major))
		return false;
	body_start = pos;
	if (!skip_item(v1, len, &pos, &major) || major != 2 || pos != len)
		return false;
	size_t note_len = note ? strlen(note) : 0;
	if (note_len > IMG_NOTE_MAX)
		note_len = IMG_NOTE_MAX;
	/* head, magic, version, crc, body, revision, note, id */
	size_t n = 1 + (magic_end - magic_start) + 1 + (len - crc_start) + 9 +
	           9 + note_len + 2 + PDP_IMAGE_ID_SIZE;
	uint8_t *b = malloc(n);
	if (b == NULL)
		return false;
	size_t w = 0;
	b[w++] = 0x87;
	memcpy(b + w, v1 + magic_start, magic_end - magic_start);
	w += magic_end - magic_start;
	w += img_cbor_put_head(b + w, 0, id_version);
	memcpy(b + w, v1 + crc_start, len - crc_start);
	size_t covered = w + (body_start - crc_start);
	w += len - crc_start;
	w += img_cbor_put_head(b + w, 0, revision);
	w += img_cbor_put_head(b + w, 3, note_len);
	if (note_len > 0)
		memcpy(b + w, note, note_len);
	w += note_len;
	uint8_t id[PDP_IMAGE_ID_SIZE];
	if (sodium_init() < 0) {
		free(b);
		return false;
	}
	crypto_hash_sha256(id, b + covered, w - covered);
	w += img_cbor_put_head(b + w, 2, PDP_IMAGE_ID_SIZE);
	memcpy(b + w, id, PDP_IMAGE_ID_SIZE);
	w += PDP_IMAGE_ID_SIZE;
	if (ident != NULL) {
		memset(ident, 0, sizeof(*ident));
		memcpy(ident->id, id, PDP_IMAGE_ID_SIZE);
		ident->revision = revision;
		ident->version = id_version;
		ident->note_len = (uint32_t)note_len;
		if (note_len > 0)
			memcpy(ident->note, note, note_len);
	}
	*out = b;
	*out_len = w;
	return true;
}

bool img_sign(const uint8_t *img, size_t len,
              const uint8_t sk[PDP_SECRET_KEY_SIZE], uint8_t **out,
              size_t *out_len)
{
	*out = NULL;
	img_identity id;
	if (img_identity_read(img, len, &id, NULL) != PDP_OK ||
	    !img_version_ident(id.version))
		return false;
	/* everything after the array head, without a signature it has */
	size_t keep = len - 1 - (id.has_signature ? SIG_ITEM_SIZE : 0);
	uint8_t *b = malloc(1 + keep + SIG_ITEM_SIZE);
	if (b == NULL)
		return false;
	b[0] = 0x88;
	memcpy(b + 1, img + 1, keep);
	size_t w = 1 + keep;
	w += img_cbor_put_head(b + w, 2, PDP_SIGNATURE_SIZE);
	uint8_t msg[IMG_SIG_MSG_SIZE];
	img_sig_message(id.id, msg);
	crypto_sign_detached(b + w, NULL, msg, sizeof(msg), sk);
	w += PDP_SIGNATURE_SIZE;
	*out = b;
	*out_len = w;
	return true;
}
