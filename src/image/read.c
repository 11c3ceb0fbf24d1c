/*
 * read.c - layers 1 and 2 of the loader: untrusted bytes -> the outer CBOR
 * (magic, version, checksum, body) and the body's section list, decoded
 * with libcbor after a bounds pre-check, then each section's length
 * checked against its record width and copied into one arena of host-order
 * words. Nothing here looks inside a record: that is verify.c's job.
 */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "image/load_internal.h"

/* Refuse CBOR whose declared lengths exceed the input before handing it to
 * cbor_load, which would otherwise size allocations from them. Walks item
 * headers iteratively with an explicit count of pending items. */
static bool cbor_prescan(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	uint64_t pending = 1;
	while (pending > 0) {
		if (pos >= len)
			return false;
		uint8_t ib = p[pos++];
		uint8_t major = ib >> 5, info = ib & 31;
		uint64_t val;
		if (info < 24)
			val = info;
		else if (info <= 27) {
			size_t n = (size_t)1 << (info - 24);
			if (len - pos < n)
				return false;
			val = 0;
			for (size_t i = 0; i < n; i++)
				val = val << 8 | p[pos++];
		} else
			return false; /* indefinite lengths and reserved: unused */
		pending--;
		switch (major) {
		case 0:
		case 1:
			break;
		case 2:
		case 3:
			if (val > len - pos)
				return false;
			pos += (size_t)val;
			break;
		case 4:
			/* only the outermost item may be an array: our format
			 * never nests them, and libcbor frees nested items
			 * recursively */
			if (pos - 1 - (info < 24 ? 0 : ((size_t)1 << (info - 24))) != 0)
				return false;
			if (val > len - pos)
				return false;
			pending += val;
			break;
		default:
			return false; /* maps, tags, floats: not in our format */
		}
	}
	return pos == len;
}

/* The envelope: [magic, version, CRC-32, body]. The checksum is checked
 * before the body is decoded, so a corrupt file is reported as corrupt
 * rather than as whatever malformation the corruption produced; the body
 * is prescanned like the envelope before libcbor sees it. Out: the body's
 * section array (the caller owns it). */
static pdp_status decode_outer(const uint8_t *bytes, size_t len,
                               const char *magic, cbor_item_t **out_body_item,
                               bool *out_old, pdp_error *err)
{
	if (!cbor_prescan(bytes, len))
		return img_fail(err, PDP_ERR_FORMAT,
		            "not a pdp image: malformed or truncated CBOR");
	struct cbor_load_result res;
	cbor_item_t *top = cbor_load(bytes, len, &res);
	if (top == NULL || res.error.code != CBOR_ERR_NONE) {
		if (top)
			cbor_decref(&top);
		if (res.error.code == CBOR_ERR_MEMERROR)
			return img_fail(err, PDP_ERR_NOMEM, "out of memory");
		return img_fail(err, PDP_ERR_FORMAT,
		            "not a pdp image: CBOR error at byte %zu",
		            res.error.position);
	}
	pdp_status st = PDP_OK;
	/* formats 2 and 4 add revision, note, id and a signature
	 * (identity.h) */
	size_t n_top = cbor_isa_array(top) ? cbor_array_size(top) : 0;
	bool ident = strcmp(magic, IMG_MAGIC) == 0 && (n_top == 7 || n_top == 8);
	if (n_top != 4 && !ident) {
		st = img_fail(err, PDP_ERR_FORMAT, "not a pdp image: expected a "
		                               "4-element array");
		goto out;
	}
	cbor_item_t **it = cbor_array_handle(top);
	if (!cbor_isa_string(it[0]) || !cbor_string_is_definite(it[0]) ||
	    cbor_string_length(it[0]) != strlen(magic) ||
	    memcmp(cbor_string_handle(it[0]), magic, strlen(magic)) != 0) {
		st = img_fail(err, PDP_ERR_FORMAT, "not a pdp image: bad magic");
		goto out;
	}
	uint64_t ver = cbor_isa_uint(it[1]) ? cbor_get_int(it[1]) : 0;
	bool old = ver == (ident ? IMG_VERSION_ID_OLD : IMG_VERSION_OLD);
	if (!old && ver != (ident ? IMG_VERSION_ID : IMG_VERSION)) {
		st = img_fail(err, PDP_ERR_VERSION,
		          "image format version %llu with %zu items is not "
		          "supported (this library reads versions %u to %u); "
		          "recompile the policy",
		          (unsigned long long)ver, n_top, IMG_VERSION_OLD,
		          IMG_VERSION_ID);
		goto out;
	}
	if (!cbor_isa_uint(it[2]) || !cbor_isa_bytestring(it[3]) ||
	    !cbor_bytestring_is_definite(it[3])) {
		st = img_fail(err, PDP_ERR_FORMAT, "not a pdp image: bad header");
		goto out;
	}
	const uint8_t *body = cbor_bytestring_handle(it[3]);
	size_t body_len = cbor_bytestring_length(it[3]);
	uint32_t crc = crc32_ieee(body, body_len);
	if (cbor_get_int(it[2]) != crc) {
		st = img_fail(err, PDP_ERR_CHECKSUM,
		          "image checksum mismatch: the file is corrupt");
		goto out;
	}
	if (!cbor_prescan(body, body_len)) {
		st = img_fail(err, PDP_ERR_FORMAT, "image body is malformed CBOR");
		goto out;
	}
	cbor_item_t *b = cbor_load(body, body_len, &res);
	if (b == NULL || res.error.code != CBOR_ERR_NONE) {
		if (b)
			cbor_decref(&b);
		st = res.error.code == CBOR_ERR_MEMERROR
		             ? img_fail(err, PDP_ERR_NOMEM, "out of memory")
		             : img_fail(err, PDP_ERR_FORMAT,
		                        "image body is malformed CBOR");
		goto out;
	}
	/* formats 1 and 2 end before SEC_DECIDE; the first of their images,
	 * from before SEC_HOST existed, one section earlier */
	size_t n_sec = cbor_isa_array(b) ? cbor_array_size(b) : 0;
	if (old ? n_sec != SEC_DECIDE && n_sec != SEC_HOST
	        : n_sec != IMG_SECTION_COUNT) {
		cbor_decref(&b);
		st = img_fail(err, PDP_ERR_FORMAT,
		          "image body must hold %d sections",
		          old ? SEC_DECIDE : IMG_SECTION_COUNT);
		goto out;
	}
	*out_body_item = b;
	*out_old = old;
out:
	cbor_decref(&top);
	return st;
}

static pdp_status copy_sections(verifier *v, cbor_item_t *body)
{
	pdp_image *img = v->img;
	cbor_item_t **s = cbor_array_handle(body);
	int present = (int)cbor_array_size(body); /* checked by decode_outer */
	size_t total = 0;
	for (int i = 0; i < present; i++) {
		if (!cbor_isa_bytestring(s[i]) || !cbor_bytestring_is_definite(s[i]))
			return img_fail(v->err, PDP_ERR_FORMAT,
			            "section %d is not a byte string", i);
		size_t len = cbor_bytestring_length(s[i]);
		uint32_t rw = IMG_RECORD_WORDS[i];
		if (rw != 0 && len % (rw * 4u) != 0)
			return img_fail(v->err, PDP_ERR_INVALID,
			            "section %d length %zu is not a multiple of its "
			            "record size",
			            i, len);
		if (len / 4 > PDP_MAX_TABLE)
			return img_fail(v->err, PDP_ERR_LIMIT, "section %d too large", i);
		total += (len + 63) & ~(size_t)63;
	}
	/* sections on 64-byte lines: a decision record is one line */
	img->arena = aligned_alloc(64, total + 64);
	img->arena_size = total + 64;
	if (img->arena == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	uint8_t *p = img->arena;
	for (int i = 0; i < present; i++) {
		size_t len = cbor_bytestring_length(s[i]);
		const uint8_t *src = cbor_bytestring_handle(s[i]);
		uint32_t rw = IMG_RECORD_WORDS[i];
		if (rw == 0) {
			if (len > UINT32_MAX)
				return img_fail(v->err, PDP_ERR_LIMIT, "string blob too large");
			memcpy(p, src, len);
			img->blob = (const char *)p;
			img->blob_len = (uint32_t)len;
		} else {
			uint32_t *w = (uint32_t *)(void *)p;
			for (size_t j = 0; j < len / 4; j++)
				w[j] = (uint32_t)src[4 * j] |
				       (uint32_t)src[4 * j + 1] << 8 |
				       (uint32_t)src[4 * j + 2] << 16 |
				       (uint32_t)src[4 * j + 3] << 24;
			img->sec[i] = w;
			img->count[i] = (uint32_t)(len / (rw * 4u));
		}
		p += (len + 63) & ~(size_t)63;
	}
	return PDP_OK;
}

pdp_status img_read(const uint8_t *bytes, size_t len,
                             const char *magic, pdp_image **out,
                             pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (out == NULL || (bytes == NULL && len > 0))
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	*out = NULL;
	if (len > PDP_MAX_IMAGE_BYTES)
		return img_fail(err, PDP_ERR_LIMIT, "image larger than %u bytes",
		                PDP_MAX_IMAGE_BYTES);
	if (len == 0)
		return img_fail(err, PDP_ERR_FORMAT, "empty image");
	cbor_item_t *body = NULL;
	bool old = false;
	pdp_status st = decode_outer(bytes, len, magic, &body, &old, err);
	if (st != PDP_OK)
		return st;
	pdp_image *img = calloc(1, sizeof(*img));
	if (img == NULL) {
		cbor_decref(&body);
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	}
	img->decide = !old;
	verifier v = {img, err, img, 0};
	st = copy_sections(&v, body);
	cbor_decref(&body);
	if (st != PDP_OK) {
		img_destroy(img);
		return st;
	}
	atomic_init(&img->refs, 1u);
	*out = img;
	return PDP_OK;
}

