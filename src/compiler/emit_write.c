/*
 * emit_write.c - image records -> bytes: each section as one CBOR byte
 * string of little-endian words (the string blob as it is), the body as an
 * array of them, and the envelope [magic, version, CRC-32 of the body,
 * body] (src/image/format.h). The result replaces c->image.
 *
 * The bytes are written straight into one buffer of their exact size:
 * building a libcbor item tree and serializing it held the image three
 * times over (sections, body, envelope) at the compiler's peak. Heads are
 * the shortest, except the CRC (always a four-byte integer) and, since
 * format 5, the body's and the record sections' (always four-byte
 * lengths), whose words follow zero padding up to the next 8-byte boundary
 * of the image (format.h, img_section_pad).
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/emit_write.h"

#define CBOR_UINT 0
#define CBOR_BYTES 2
#define CBOR_TEXT 3
#define CBOR_ARRAY 4
#define CBOR_HEAD_MAX 9
#define CBOR_UINT32_HEAD 0x1a /* major 0, four-byte argument */

/* Bytes of section s's words (or the blob's bytes), without padding. */
static size_t section_len(const emit_words *sec, size_t blob_len, int s)
{
	return s == SEC_STRBLOB ? blob_len : sec[s].n * 4;
}

static size_t head_len(uint64_t val)
{
	uint8_t tmp[CBOR_HEAD_MAX];
	return img_cbor_put_head(tmp, CBOR_UINT, val);
}

/* A head with a four-byte argument whatever its value: the body's and
 * the record sections' heads have a fixed size, so that where each
 * section's words fall is known before the lengths are (format 5 pads
 * them to lines of the image). */
static size_t put_head32(uint8_t *p, uint8_t major, size_t val)
{
	p[0] = (uint8_t)(major << 5 | 26);
	for (int i = 0; i < 4; i++)
		p[1 + i] = (uint8_t)(val >> (24 - 8 * i));
	return 5;
}

/* The layout of the body when it starts at offset body_at of the image:
 * each record section's padding (img_section_pad of where its words
 * would start), and the body's length. */
static size_t body_layout(const emit_words *sec, size_t blob_len,
                          size_t body_at, size_t pad[IMG_SECTION_COUNT])
{
	size_t at = body_at + head_len(IMG_SECTION_COUNT);
	for (int s = 0; s < IMG_SECTION_COUNT; s++) {
		size_t n = section_len(sec, blob_len, s);
		if (s == SEC_STRBLOB) {
			pad[s] = 0;
			at += head_len(n) + n;
			continue;
		}
		pad[s] = img_section_pad(at + 5);
		at += 5 + pad[s] + n;
	}
	return at - body_at;
}

/* The body (the section array) at p, which has room for it. */
static uint8_t *put_body(uint8_t *p, const emit_words *sec, const char *blob,
                         size_t blob_len, const size_t pad[IMG_SECTION_COUNT])
{
	p += img_cbor_put_head(p, CBOR_ARRAY, IMG_SECTION_COUNT);
	for (int s = 0; s < IMG_SECTION_COUNT; s++) {
		size_t n = section_len(sec, blob_len, s);
		if (s == SEC_STRBLOB) {
			p += img_cbor_put_head(p, CBOR_BYTES, n);
			if (n > 0)
				memcpy(p, blob, n);
			p += n;
			continue;
		}
		p += put_head32(p, CBOR_BYTES, pad[s] + n);
		memset(p, 0, pad[s]);
		p += pad[s];
		for (size_t i = 0; i < sec[s].n; i++) {
			uint32_t w = sec[s].items[i];
			p[0] = (uint8_t)w;
			p[1] = (uint8_t)(w >> 8);
			p[2] = (uint8_t)(w >> 16);
			p[3] = (uint8_t)(w >> 24);
			p += 4;
		}
	}
	return p;
}

bool emit_write(cc *c, const emit_words *sec, const char *blob,
                size_t blob_len, const char *magic_text)
{
	size_t magic_len = strlen(magic_text);
	size_t prefix = head_len(4) + head_len(magic_len) + magic_len +
	                head_len(IMG_VERSION) + 5 + 5;
	size_t pad[IMG_SECTION_COUNT];
	size_t body_len = body_layout(sec, blob_len, prefix, pad);
	size_t total = prefix + body_len;
	uint8_t *buf = malloc(total), *p = buf;
	if (buf == NULL) {
		c->oom = true;
		return false;
	}
	p += img_cbor_put_head(p, CBOR_ARRAY, 4);
	p += img_cbor_put_head(p, CBOR_TEXT, magic_len);
	memcpy(p, magic_text, magic_len);
	p += magic_len;
	p += img_cbor_put_head(p, CBOR_UINT, IMG_VERSION);
	uint8_t *crc_at = p;
	p += 5;
	p += put_head32(p, CBOR_BYTES, body_len);
	uint8_t *body = p;
	p = put_body(p, sec, blob, blob_len, pad);
	uint32_t crc = crc32_ieee(body, body_len);
	crc_at[0] = CBOR_UINT32_HEAD;
	for (int i = 0; i < 4; i++)
		crc_at[1 + i] = (uint8_t)(crc >> (24 - 8 * i));
	free(c->image);
	c->image = buf;
	c->image_len = (size_t)(p - buf);
	return true;
}
