/*
 * identity.c - an image's id, revision and build note, read from its
 * envelope (identity.h), and the public accessors of trust.h.
 *
 * The id is computed here, at load, by hashing the encoded bytes from the
 * body item to the end of the note item (the body alone for a format-1
 * image), so what the id names is exactly what the evaluator runs plus
 * the revision that anti-rollback compares. Nothing in this file runs
 * during a decision.
 */
#include <sodium.h>
#include <string.h>

#include "image/identity.h"
#include "image/image.h"

bool img_cbor_head(const uint8_t *p, size_t len, size_t *pos, uint8_t *major,
                   uint64_t *val)
{
	if (*pos >= len)
		return false;
	uint8_t ib = p[(*pos)++];
	uint8_t info = ib & 31;
	*major = ib >> 5;
	if (*major > 4)
		return false;
	if (info < 24) {
		*val = info;
		return true;
	}
	if (info > 27)
		return false;
	size_t n = (size_t)1 << (info - 24);
	if (len - *pos < n)
		return false;
	*val = 0;
	for (size_t i = 0; i < n; i++)
		*val = *val << 8 | p[(*pos)++];
	return true;
}

size_t img_cbor_put_head(uint8_t *buf, uint8_t major, uint64_t val)
{
	uint8_t mt = (uint8_t)(major << 5);
	size_t n;
	if (val < 24) {
		buf[0] = (uint8_t)(mt | val);
		return 1;
	}
	if (val <= 0xff) {
		buf[0] = mt | 24;
		n = 1;
	} else if (val <= 0xffff) {
		buf[0] = mt | 25;
		n = 2;
	} else if (val <= 0xffffffffu) {
		buf[0] = mt | 26;
		n = 4;
	} else {
		buf[0] = mt | 27;
		n = 8;
	}
	for (size_t i = 0; i < n; i++)
		buf[1 + i] = (uint8_t)(val >> (8 * (n - 1 - i)));
	return 1 + n;
}

/* One item of the envelope: its head, then (strings) its content. */
typedef struct env_item {
	uint8_t major;
	uint64_t val;
	const uint8_t *data; /* string content, else NULL */
} env_item;

static bool next_item(const uint8_t *p, size_t len, size_t *pos, env_item *it)
{
	if (!img_cbor_head(p, len, pos, &it->major, &it->val))
		return false;
	it->data = NULL;
	if (it->major == 2 || it->major == 3) {
		if (it->val > len - *pos)
			return false;
		it->data = p + *pos;
		*pos += (size_t)it->val;
	}
	return it->major != 4;
}

static pdp_status bad_envelope(pdp_error *err, const char *what)
{
	return img_fail(err, PDP_ERR_FORMAT,
	                "not a pdp image: %s in the identity envelope; "
	                "recompile the policy", what);
}

/* Items 4.. of a format-2 envelope (revision, note, id, signature). */
static pdp_status read_v2(const uint8_t *p, size_t len, size_t pos,
                          uint64_t n_items, size_t body_start,
                          img_identity *out, pdp_error *err)
{
	env_item rev, note, id, sig;
	if (!next_item(p, len, &pos, &rev) || rev.major != 0)
		return bad_envelope(err, "no revision");
	if (!next_item(p, len, &pos, &note) || note.major != 3 ||
	    note.val > IMG_NOTE_MAX)
		return bad_envelope(err, "no build note");
	size_t covered_end = pos;
	if (!next_item(p, len, &pos, &id) || id.major != 2 ||
	    id.val != PDP_IMAGE_ID_SIZE)
		return bad_envelope(err, "no 32-byte id");
	out->revision = rev.val;
	out->note_len = (uint32_t)note.val;
	memcpy(out->note, note.data, (size_t)note.val);
	out->note[note.val] = '\0';
	if (n_items == 8) {
		if (!next_item(p, len, &pos, &sig) || sig.major != 2 ||
		    sig.val != PDP_SIGNATURE_SIZE)
			return bad_envelope(err, "a signature that is not 64 bytes");
		memcpy(out->signature, sig.data, PDP_SIGNATURE_SIZE);
		out->has_signature = true;
	}
	if (pos != len)
		return bad_envelope(err, "trailing bytes");
	crypto_hash_sha256(out->id, p + body_start, covered_end - body_start);
	if (sodium_memcmp(out->id, id.data, PDP_IMAGE_ID_SIZE) != 0)
		return img_fail(err, PDP_ERR_CHECKSUM,
		                "image id does not match its contents: the image "
		                "was altered or corrupted after it was compiled; "
		                "get it again from its source");
	return PDP_OK;
}

IMG_LOAD_ONCE pdp_status img_identity_read(const uint8_t *p, size_t len, img_identity *out,
                             pdp_error *err)
{
	memset(out, 0, sizeof(*out));
	if (sodium_init() < 0)
		return img_fail(err, PDP_ERR_NOMEM, "libsodium failed to start");
	size_t pos = 0;
	uint8_t major;
	uint64_t n_items;
	env_item magic, ver, crc, body;
	if (!img_cbor_head(p, len, &pos, &major, &n_items) || major != 4 ||
	    !next_item(p, len, &pos, &magic) || !next_item(p, len, &pos, &ver) ||
	    !next_item(p, len, &pos, &crc))
		return bad_envelope(err, "a bad header");
	size_t body_start = pos;
	if (!next_item(p, len, &pos, &body) || body.major != 2)
		return bad_envelope(err, "no body");
	if (ver.major != 0 || ver.val > UINT32_MAX)
		return bad_envelope(err, "a bad version");
	out->version = (uint32_t)ver.val;
	if (img_version_ident(ver.val) && (n_items == 7 || n_items == 8))
		return read_v2(p, len, pos, n_items, body_start, out, err);
	if (!img_version_plain(ver.val) || n_items != 4 || pos != len)
		return bad_envelope(err, "an item count that fits no version");
	crypto_hash_sha256(out->id, p + body_start, pos - body_start);
	return PDP_OK;
}

/* ---- accessors (trust.h) ---- */

static const uint8_t NO_ID[PDP_IMAGE_ID_SIZE];

const uint8_t *pdp_image_id(const pdp_image *img)
{
	if (img == NULL || img->view != NULL)
		return NO_ID;
	return img->ident.id;
}

char *pdp_image_id_hex(const pdp_image *img, char buf[PDP_IMAGE_ID_HEX])
{
	static const char HEX[] = "0123456789abcdef";
	const uint8_t *id = pdp_image_id(img);
	for (size_t i = 0; i < PDP_IMAGE_ID_SIZE; i++) {
		buf[2 * i] = HEX[id[i] >> 4];
		buf[2 * i + 1] = HEX[id[i] & 15];
	}
	buf[2 * PDP_IMAGE_ID_SIZE] = '\0';
	return buf;
}

uint64_t pdp_image_revision(const pdp_image *img)
{
	return img != NULL && img->view == NULL ? img->ident.revision : 0;
}

bool pdp_image_signed(const pdp_image *img)
{
	return img != NULL && img->view == NULL && img->ident.has_signature;
}

pdp_str pdp_image_build_note(const pdp_image *img)
{
	pdp_str s = {"", 0};
	if (img != NULL && img->view == NULL) {
		s.ptr = img->ident.note;
		s.len = img->ident.note_len;
	}
	return s;
}
