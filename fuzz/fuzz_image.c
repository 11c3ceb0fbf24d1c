/*
 * fuzz_image.c - untrusted image bytes -> pdp_image_load. Loading must never
 * crash, whatever the bytes. When the image loads, a handful of requests
 * derived from the input's tail bytes (originators, operations, ACP names
 * from pdp_acp_name, attributes by pdp_attr_id) are decided and their reasons
 * formatted.
 *
 * Images carry a CRC-32 of their body, which random mutations almost never
 * keep right. So when a load fails with PDP_ERR_CHECKSUM, the harness fixes
 * the checksum (decode the outer CBOR array, replace element 2, re-encode)
 * and loads again: that lets the fuzzer reach the semantic validation.
 *
 * Input layout: [image bytes][request bytes]["RQ"][u16 BE: request byte
 * count]. Without that trailer the whole input is the image and the
 * requests come from its last 64 bytes.
 */
#include <cbor.h>

#include "common/prims.h"
#include "pdp/trust.h"
#include "fuzz.h"

static uint8_t *fix_checksum(const uint8_t *data, size_t size, size_t *out_len)
{
	struct cbor_load_result res;
	cbor_item_t *top = cbor_load(data, size, &res);
	if (top == NULL)
		return NULL;
	uint8_t *out = NULL;
	if (res.error.code == CBOR_ERR_NONE && cbor_isa_array(top) &&
	    cbor_array_size(top) == 4) {
		cbor_item_t **it = cbor_array_handle(top);
		if (cbor_isa_bytestring(it[3]) && cbor_bytestring_is_definite(it[3])) {
			uint32_t crc = crc32_ieee(cbor_bytestring_handle(it[3]),
			                          cbor_bytestring_length(it[3]));
			cbor_item_t *ci = cbor_build_uint32(crc);
			if (ci != NULL && cbor_array_replace(top, 2, cbor_move(ci))) {
				size_t cap = 0;
				*out_len = cbor_serialize_alloc(top, &out, &cap);
				if (*out_len == 0) {
					free(out);
					out = NULL;
				}
			}
		}
	}
	cbor_decref(&top);
	return out;
}

static void use_image(pdp_image *img, fuzz_reader *r)
{
	uint32_t nacp = pdp_acp_count(img), nattr = pdp_attr_count(img);
	for (uint32_t i = 0; i < nacp && i < 64; i++) {
		pdp_str name = pdp_acp_name(img, i);
		(void)pdp_acp_index(img, name);
	}
	for (uint32_t i = 0; i < nattr && i < 64; i++) {
		pdp_str name = pdp_attr_name(img, i);
		(void)pdp_attr_id(img, name);
		(void)pdp_attr_type(img, i);
	}
	(void)pdp_acp_name(img, nacp);
	(void)pdp_attr_name(img, nattr);
	(void)pdp_attr_type(img, nattr);
	(void)pdp_attr_type(img, PDP_NONE);

	pdp_scratch *scratch = NULL;
	pdp_error err;
	if (pdp_scratch_new(img, &scratch, &err) != PDP_OK)
		return;
	/* another reference, as a CSE swapping images would hold */
	pdp_image *ref = pdp_image_retain(img);
	fz_decide_some(img, scratch, r, 6, false);
	pdp_image_release(ref);
	pdp_scratch_free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t img_len = size, req_len = 0;
	if (size >= 4 && data[size - 4] == 'R' && data[size - 3] == 'Q') {
		size_t t = (size_t)data[size - 2] << 8 | data[size - 1];
		if (t + 4 <= size) {
			img_len = size - 4 - t;
			req_len = t;
		}
	}
	fuzz_reader r;
	if (req_len > 0) {
		r.p = data + img_len;
		r.n = req_len;
	} else {
		size_t tail = img_len < 64 ? img_len : 64;
		r.p = data + img_len - tail;
		r.n = tail;
	}

	pdp_image *img = NULL;
	pdp_error err;
	/* a trusted load reads the identity envelope first: any key, and a
	 * minimum revision from the input, refuse or accept but never crash */
	static const uint8_t key[PDP_PUBLIC_KEY_SIZE] = {1};
	pdp_trust trust = {key, size & 1, r.n > 0 ? r.p[0] : 0};
	pdp_status tst = pdp_image_load_trusted(data, img_len, &trust, &img, &err);
	FUZZ_CHECK((tst == PDP_OK) == (img != NULL), "trusted load %d", (int)tst);
	FUZZ_CHECK(tst != PDP_OK || trust.n_keys == 0, "signed by a made-up key");
	pdp_image_free(img);
	img = NULL;
	memset(&err, 0, sizeof(err));
	pdp_status st = pdp_image_load(data, img_len, &img, &err);
	FUZZ_CHECK(memchr(err.message, 0, sizeof(err.message)) != NULL,
	           "error message not terminated");
	if (st == PDP_ERR_CHECKSUM) {
		FUZZ_CHECK(img == NULL, "image on failure");
		size_t fixed_len = 0;
		uint8_t *fixed = fix_checksum(data, img_len, &fixed_len);
		if (fixed != NULL) {
			st = pdp_image_load(fixed, fixed_len, &img, &err);
			free(fixed);
		}
	}
	if (st != PDP_OK) {
		FUZZ_CHECK(img == NULL, "image on failure (%d)", (int)st);
		FUZZ_CHECK(err.code == st, "error code %d vs status %d",
		           (int)err.code, (int)st);
		return 0;
	}
	FUZZ_CHECK(img != NULL, "PDP_OK without an image");
	use_image(img, &r);
	pdp_image_free(img);
	return 0;
}
