/*
 * read.c - layers 1 and 2 of the loader: untrusted bytes -> the outer CBOR
 * (magic, version, checksum, body) and the body's section list, read in
 * place after a bounds pre-check (no CBOR item is decoded into memory of
 * its own), then each section's length checked against its record width
 * and the section copied into one arena of host-order words, or, for a
 * borrowed load (pdp_image_load_borrowed), used where it lies when the host
 * can read it there. Nothing here looks inside a record: that is verify.c's
 * job.
 */
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "image/identity.h"
#include "image/load_internal.h"

/* Refuse CBOR whose declared lengths exceed the input, and any item our
 * format does not use, before anything reads an item where it lies. Walks
 * item headers iteratively with an explicit count of pending items. */
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
			 * never nests them */
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

/* One item of a prescanned envelope or body: its head, and where a
 * string's bytes lie in the input. */
typedef struct cbor_at {
	uint8_t major;
	uint64_t val;
	const uint8_t *data;
} cbor_at;

/* The item at *pos of bytes the prescan accepted (so its head and its
 * string's bytes lie inside len). */
static void item_at(const uint8_t *p, size_t len, size_t *pos, cbor_at *it)
{
	if (!img_cbor_head(p, len, pos, &it->major, &it->val)) {
		it->major = 7; /* cannot happen after the prescan: no such item */
		it->val = 0;
	}
	it->data = p + *pos;
	if (it->major == 2 || it->major == 3)
		*pos += (size_t)it->val;
}

/* The envelope: [magic, version, CRC-32, body, ...]. The checksum is
 * checked before the body is looked at, so a corrupt file is reported as
 * corrupt rather than as whatever malformation the corruption produced;
 * the body is prescanned like the envelope. Nothing is decoded into new
 * memory: the items are read where they lie. Out: the body's bytes, which
 * hold the section array. */
static pdp_status decode_outer(const uint8_t *bytes, size_t len,
                               const char *magic, const uint8_t **out_body,
                               size_t *out_body_len, uint32_t *out_version,
                               pdp_error *err)
{
	if (!cbor_prescan(bytes, len))
		return img_fail(err, PDP_ERR_FORMAT,
		            "not a pdp image: malformed or truncated CBOR");
	size_t pos = 0;
	cbor_at top;
	item_at(bytes, len, &pos, &top);
	/* format 2 adds revision, note, id and a signature (identity.h) */
	size_t n_top = top.major == 4 ? (size_t)top.val : 0;
	bool ident = strcmp(magic, IMG_MAGIC) == 0 && (n_top == 7 || n_top == 8);
	if (n_top != 4 && !ident)
		return img_fail(err, PDP_ERR_FORMAT, "not a pdp image: expected a "
		                                 "4-element array");
	cbor_at it[4];
	for (int i = 0; i < 4; i++)
		item_at(bytes, len, &pos, &it[i]);
	if (it[0].major != 3 || it[0].val != strlen(magic) ||
	    memcmp(it[0].data, magic, strlen(magic)) != 0)
		return img_fail(err, PDP_ERR_FORMAT, "not a pdp image: bad magic");
	/* formats 1 and 2 have no decision records (SEC_DECIDE), 3 and 4 no
	 * section padding */
	uint64_t ver = it[1].major == 0 ? it[1].val : 0;
	if (!(ident ? img_version_ident(ver) : img_version_plain(ver)))
		return img_fail(err, PDP_ERR_VERSION,
		          "image format version %llu with %zu items is not "
		          "supported (this library reads versions %u to %u); "
		          "recompile the policy",
		          (unsigned long long)ver, n_top, IMG_VERSION_OLD,
		          IMG_VERSION_ID);
	if (it[2].major != 0 || it[3].major != 2)
		return img_fail(err, PDP_ERR_FORMAT, "not a pdp image: bad header");
	const uint8_t *body = it[3].data;
	size_t body_len = (size_t)it[3].val;
	if (it[2].val != crc32_ieee(body, body_len))
		return img_fail(err, PDP_ERR_CHECKSUM,
		          "image checksum mismatch: the file is corrupt");
	if (!cbor_prescan(body, body_len))
		return img_fail(err, PDP_ERR_FORMAT, "image body is malformed CBOR");
	*out_body = body;
	*out_body_len = body_len;
	*out_version = (uint32_t)(ident ? ver - 1 : ver); /* the plain form */
	return PDP_OK;
}

/* Whether a section's words can be used where they lie: the host reads
 * the format's little-endian words natively and they are aligned for
 * uint32_t (the record structs of format.h are all uint32_t). */
static bool usable_in_place(const uint8_t *src)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return ((uintptr_t)src & (sizeof(uint32_t) - 1)) == 0;
#else
	(void)src;
	return false;
#endif
}

/* The sections of the body: each length checked against its record width,
 * then each section either used where it lies (borrow, when
 * usable_in_place) or copied into one arena of host-order words. */
IMG_LOAD_ONCE static pdp_status read_sections(verifier *v, const uint8_t *base,
                                const uint8_t *body, size_t body_len,
                                bool borrow, uint32_t version)
{
	pdp_image *img = v->img;
	bool old = version == IMG_VERSION_OLD;
	size_t pos = 0;
	cbor_at arr;
	item_at(body, body_len, &pos, &arr);
	/* formats 1 and 2 end before SEC_DECIDE; the first of their images,
	 * from before SEC_HOST existed, one section earlier */
	if (arr.major != 4 || (old ? arr.val != SEC_DECIDE && arr.val != SEC_HOST
	                           : arr.val != IMG_SECTION_COUNT))
		return img_fail(v->err, PDP_ERR_FORMAT,
		          "image body must hold %d sections",
		          old ? SEC_DECIDE : IMG_SECTION_COUNT);
	int present = (int)arr.val;
	cbor_at sec[IMG_SECTION_COUNT];
	size_t total = 0;
	for (int i = 0; i < present; i++) {
		item_at(body, body_len, &pos, &sec[i]);
		if (sec[i].major != 2)
			return img_fail(v->err, PDP_ERR_FORMAT,
			            "section %d is not a byte string", i);
		size_t len = (size_t)sec[i].val;
		uint32_t rw = IMG_RECORD_WORDS[i];
		if (rw != 0 && version == IMG_VERSION) {
			/* format 5: zero bytes up to the next line of the image,
			 * then the words */
			size_t pad = img_section_pad((size_t)(sec[i].data - base));
			if (len < pad)
				return img_fail(v->err, PDP_ERR_FORMAT,
				            "section %d is shorter than its padding", i);
			for (size_t k = 0; k < pad; k++)
				if (sec[i].data[k] != 0)
					return img_fail(v->err, PDP_ERR_FORMAT,
					            "section %d has a nonzero padding byte",
					            i);
			sec[i].data += pad;
			sec[i].val -= pad;
			len -= pad;
		}
		if (rw != 0 && len % (rw * 4u) != 0)
			return img_fail(v->err, PDP_ERR_INVALID,
			            "section %d length %zu is not a multiple of its "
			            "record size",
			            i, len);
		if (len / 4 > PDP_MAX_TABLE)
			return img_fail(v->err, PDP_ERR_LIMIT, "section %d too large", i);
		if (rw == 0 && len > UINT32_MAX)
			return img_fail(v->err, PDP_ERR_LIMIT, "string blob too large");
		if (!borrow || (rw != 0 && !usable_in_place(sec[i].data)))
			total += (len + 63) & ~(size_t)63;
	}
	/* sections on 64-byte lines: a decision record is one line */
	img->arena = img_alloc_lines(total + 64);
	img->arena_size = total + 64;
	if (img->arena == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	uint8_t *p = img->arena;
	for (int i = 0; i < present; i++) {
		size_t len = (size_t)sec[i].val;
		const uint8_t *src = sec[i].data;
		uint32_t rw = IMG_RECORD_WORDS[i];
		if (rw == 0) {
			if (!borrow) {
				memcpy(p, src, len);
				src = p;
				p += (len + 63) & ~(size_t)63;
			}
			img->blob = (const char *)src;
			img->blob_len = (uint32_t)len;
			continue;
		}
		img->count[i] = (uint32_t)(len / (rw * 4u));
		if (borrow && usable_in_place(src)) {
			img->sec[i] = (const uint32_t *)(const void *)src;
			continue;
		}
		uint32_t *w = (uint32_t *)(void *)p;
		for (size_t j = 0; j < len / 4; j++)
			w[j] = (uint32_t)src[4 * j] |
			       (uint32_t)src[4 * j + 1] << 8 |
			       (uint32_t)src[4 * j + 2] << 16 |
			       (uint32_t)src[4 * j + 3] << 24;
		img->sec[i] = w;
		p += (len + 63) & ~(size_t)63;
	}
	return PDP_OK;
}

IMG_LOAD_ONCE pdp_status img_read(const uint8_t *bytes, size_t len, const char *magic,
                    bool borrow, pdp_image **out, pdp_error *err)
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
	const uint8_t *body = NULL;
	size_t body_len = 0;
	uint32_t version = 0;
	pdp_status st = decode_outer(bytes, len, magic, &body, &body_len, &version,
	                             err);
	if (st != PDP_OK)
		return st;
	pdp_image *img = calloc(1, sizeof(*img));
	if (img == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "out of memory");
	img->decide = version != IMG_VERSION_OLD;
	img->version = version;
	verifier v = {img, err, img, 0};
	st = read_sections(&v, bytes, body, body_len, borrow, version);
	if (st != PDP_OK) {
		img_destroy(img);
		return st;
	}
	atomic_init(&img->refs, 1u);
	*out = img;
	return PDP_OK;
}
