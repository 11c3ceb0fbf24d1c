/*
 * emit_write.c - image records -> bytes: each section as one CBOR byte
 * string of little-endian words (the string blob as it is), the body as an
 * array of them, and the envelope [magic, version, CRC-32 of the body,
 * body] (src/image/format.h). The result replaces c->image.
 */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/emit_write.h"

static cbor_item_t *section_bytes(const emit_words *sec, const char *blob,
                                  size_t blob_len, int s)
{
	if (s == SEC_STRBLOB)
		return cbor_build_bytestring((const unsigned char *)blob, blob_len);
	size_t n = sec[s].n;
	unsigned char *buf = malloc(n * 4 + 1);
	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		uint32_t w = sec[s].items[i];
		buf[4 * i] = (unsigned char)w;
		buf[4 * i + 1] = (unsigned char)(w >> 8);
		buf[4 * i + 2] = (unsigned char)(w >> 16);
		buf[4 * i + 3] = (unsigned char)(w >> 24);
	}
	cbor_item_t *it = cbor_build_bytestring(buf, n * 4);
	free(buf);
	return it;
}

/* Serialize item into a malloc'd buffer; 0 on failure. */
static size_t serialize(cbor_item_t *item, unsigned char **out)
{
	size_t cap = 0;
	return cbor_serialize_alloc(item, out, &cap);
}

bool emit_write(cc *c, const emit_words *sec, const char *blob,
                size_t blob_len, const char *magic_text)
{
	bool ok = false;
	cbor_item_t *body = cbor_new_definite_array(IMG_SECTION_COUNT);
	unsigned char *body_buf = NULL, *img_buf = NULL;
	cbor_item_t *top = NULL;
	if (body == NULL)
		goto out;
	for (int s = 0; s < IMG_SECTION_COUNT; s++) {
		cbor_item_t *b = section_bytes(sec, blob, blob_len, s);
		if (b == NULL || !cbor_array_push(body, cbor_move(b)))
			goto out;
	}
	size_t body_len = serialize(body, &body_buf);
	if (body_len == 0)
		goto out;
	top = cbor_new_definite_array(4);
	if (top == NULL)
		goto out;
	cbor_item_t *magic = cbor_build_string(magic_text);
	cbor_item_t *ver = cbor_build_uint8((uint8_t)IMG_VERSION);
	cbor_item_t *crc = cbor_build_uint32(crc32_ieee(body_buf, body_len));
	cbor_item_t *bb = cbor_build_bytestring(body_buf, body_len);
	if (!magic || !ver || !crc || !bb) {
		if (magic) cbor_decref(&magic);
		if (ver) cbor_decref(&ver);
		if (crc) cbor_decref(&crc);
		if (bb) cbor_decref(&bb);
		goto out;
	}
	cbor_array_push(top, cbor_move(magic));
	cbor_array_push(top, cbor_move(ver));
	cbor_array_push(top, cbor_move(crc));
	cbor_array_push(top, cbor_move(bb));
	size_t img_len = serialize(top, &img_buf);
	if (img_len == 0)
		goto out;
	free(c->image);
	c->image = (uint8_t *)img_buf;
	c->image_len = img_len;
	img_buf = NULL;
	ok = true;
out:
	if (body)
		cbor_decref(&body);
	if (top)
		cbor_decref(&top);
	free(body_buf);
	free(img_buf);
	if (!ok)
		c->oom = true;
	return ok;
}

