/*
 * test_trust.c - image identity, signatures, anti-rollback and the
 * decision hook (include/pdp/trust.h): tampered, unsigned, wrongly signed
 * and rolled-back images are refused with a message that says so, and
 * format-1 images (from before identities) still load.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "image/identity.h"
#include "pdp/pdpc.h"
#include "pdp/trust.h"

#define S(lit) ((pdp_str){(lit), sizeof(lit) - 1})

static const char POLICY[] =
	"pdp: 1\n"
	"roles: { reader: {} }\n"
	"assignments: { CAE-alice: [reader] }\n"
	"acps:\n"
	"  - id: acp-a\n"
	"    privileges:\n"
	"      - { originators: ['role:reader'], operations: [retrieve] }\n";

/* Compile POLICY with an identity; a malloc'd copy of the image. */
static uint8_t *compile_rev(uint64_t rev, const char *note, size_t *len)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	cr_assert_eq(pdpc_add_buffer(c, "t.yaml", POLICY, strlen(POLICY)),
	             PDPC_OK);
	cr_assert_eq(pdpc_set_identity(c, rev, note), PDPC_OK);
	const uint8_t *img;
	cr_assert_eq(pdpc_compile(c, &img, len), PDPC_OK);
	uint8_t *copy = malloc(*len);
	memcpy(copy, img, *len);
	pdpc_free(c);
	return copy;
}

typedef struct keypair {
	uint8_t pk[PDP_PUBLIC_KEY_SIZE], sk[PDP_SECRET_KEY_SIZE];
} keypair;

static keypair new_keys(void)
{
	keypair k;
	cr_assert_geq(sodium_init(), 0);
	crypto_sign_keypair(k.pk, k.sk);
	return k;
}

static uint8_t *signed_image(uint64_t rev, const keypair *k, size_t *len)
{
	size_t n;
	uint8_t *plain = compile_rev(rev, "test", &n);
	uint8_t *out = NULL;
	cr_assert(img_sign(plain, n, k->sk, &out, len));
	free(plain);
	return out;
}

/* A trusted load; the image is released, the status returned. */
static pdp_status load_with(const uint8_t *b, size_t len, const pdp_trust *t,
                            pdp_error *err)
{
	pdp_image *img = NULL;
	pdp_status st = pdp_image_load_trusted(b, len, t, &img, err);
	cr_assert_eq(img == NULL, st != PDP_OK);
	pdp_image_release(img);
	return st;
}

Test(identity, revision_note_and_id_are_carried)
{
	size_t len;
	uint8_t *b = compile_rev(42, "made by test", &len);
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(b, len, &img, &err), PDP_OK, "%s", err.message);
	cr_assert_eq(pdp_image_revision(img), 42);
	pdp_str note = pdp_image_build_note(img);
	cr_assert_eq(note.len, strlen("made by test"));
	cr_assert_eq(memcmp(note.ptr, "made by test", note.len), 0);
	cr_assert_not(pdp_image_signed(img));
	/* the id is the SHA-256 of the body through the note, as carried */
	const uint8_t *id = pdp_image_id(img);
	cr_assert_eq(memcmp(id, b + len - PDP_IMAGE_ID_SIZE, PDP_IMAGE_ID_SIZE), 0);
	char hex[PDP_IMAGE_ID_HEX];
	pdp_image_id_hex(img, hex);
	cr_assert_eq(strlen(hex), 64);
	pdp_image_release(img);
	free(b);
}

Test(identity, same_input_same_id_other_revision_other_id)
{
	size_t n1, n2, n3;
	uint8_t *a = compile_rev(1, "x", &n1);
	uint8_t *b = compile_rev(1, "x", &n2);
	uint8_t *c = compile_rev(2, "x", &n3);
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(a, b, n1), 0, "compiles are deterministic");
	cr_assert_neq(memcmp(a + n1 - 32, c + n3 - 32, 32), 0);
	free(a);
	free(b);
	free(c);
}

/* The plain image inside one with an identity: format 5 inside format 6
 * (as format 1 inside format 2 is what older compilers wrote). */
static size_t to_format1(uint8_t *b, size_t len)
{
	cr_assert(b[0] == 0x87 || b[0] == 0x88);
	size_t pos = 1;
	uint8_t major;
	uint64_t val;
	for (int i = 0; i < 4; i++) {
		cr_assert(img_cbor_head(b, len, &pos, &major, &val));
		if (major == 2 || major == 3)
			pos += (size_t)val;
	}
	b[0] = 0x84;
	b[11] = IMG_VERSION;
	return pos;
}

Test(identity, format1_images_load_unsigned_at_revision_0)
{
	size_t len;
	uint8_t *b = compile_rev(9, "x", &len);
	len = to_format1(b, len);
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(b, len, &img, &err), PDP_OK, "%s", err.message);
	cr_assert_eq(pdp_image_revision(img), 0);
	cr_assert_not(pdp_image_signed(img));
	cr_assert_eq(pdp_image_build_note(img).len, 0);
	pdp_image_release(img);
	/* nothing demanded: loads; a key or a minimum revision: refused */
	pdp_trust none = {0};
	cr_assert_eq(load_with(b, len, &none, &err), PDP_OK);
	keypair k = new_keys();
	pdp_trust keyed = {k.pk, 1, 0};
	cr_assert_eq(load_with(b, len, &keyed, &err), PDP_ERR_SIGNATURE);
	cr_assert(strstr(err.message, "format 1") != NULL, "%s", err.message);
	pdp_trust newer = {NULL, 0, 1};
	cr_assert_eq(load_with(b, len, &newer, &err), PDP_ERR_ROLLBACK);
	free(b);
}

Test(signature, signed_by_a_trusted_key_loads)
{
	keypair k = new_keys(), other = new_keys();
	size_t len;
	uint8_t *b = signed_image(3, &k, &len);
	uint8_t keys[2 * PDP_PUBLIC_KEY_SIZE];
	memcpy(keys, other.pk, PDP_PUBLIC_KEY_SIZE);
	memcpy(keys + PDP_PUBLIC_KEY_SIZE, k.pk, PDP_PUBLIC_KEY_SIZE);
	pdp_trust t = {keys, 2, 3};
	pdp_error err;
	pdp_image *img = NULL;
	cr_assert_eq(pdp_image_load_trusted(b, len, &t, &img, &err), PDP_OK, "%s",
	             err.message);
	cr_assert(pdp_image_signed(img));
	cr_assert_eq(pdp_image_revision(img), 3);
	pdp_image_release(img);
	free(b);
}

Test(signature, unsigned_image_refused_when_a_key_is_demanded)
{
	keypair k = new_keys();
	size_t len;
	uint8_t *b = compile_rev(1, "x", &len);
	pdp_trust t = {k.pk, 1, 0};
	pdp_error err;
	cr_assert_eq(load_with(b, len, &t, &err), PDP_ERR_SIGNATURE);
	cr_assert(strstr(err.message, "not signed") != NULL, "%s", err.message);
	free(b);
}

Test(signature, wrongly_signed_image_refused)
{
	keypair k = new_keys(), other = new_keys();
	size_t len;
	uint8_t *b = signed_image(1, &other, &len);
	pdp_trust t = {k.pk, 1, 0};
	pdp_error err;
	cr_assert_eq(load_with(b, len, &t, &err), PDP_ERR_SIGNATURE);
	cr_assert(strstr(err.message, "another key") != NULL, "%s", err.message);
	/* a plain load does not check signatures */
	cr_assert_eq(load_with(b, len, NULL, &err), PDP_OK);
	free(b);
}

Test(signature, tampered_images_refused)
{
	keypair k = new_keys();
	size_t len;
	uint8_t *b = signed_image(5, &k, &len);
	pdp_trust t = {k.pk, 1, 0};
	pdp_error err;
	/* any byte of body, revision, note or id changed: the id no longer
	 * matches (or the envelope breaks) */
	size_t rejected = 0;
	for (size_t i = 20; i < len - PDP_SIGNATURE_SIZE - 2; i += 7) {
		b[i] ^= 0x10;
		pdp_status st = load_with(b, len, &t, &err);
		cr_assert_neq(st, PDP_OK, "byte %zu changed and still trusted", i);
		rejected++;
		b[i] ^= 0x10;
	}
	cr_assert_gt(rejected, 10);
	/* a changed signature byte */
	b[len - 1] ^= 1;
	cr_assert_eq(load_with(b, len, &t, &err), PDP_ERR_SIGNATURE);
	b[len - 1] ^= 1;
	cr_assert_eq(load_with(b, len, &t, &err), PDP_OK, "%s", err.message);
	free(b);
}

/* An attacker who re-stamps a signed image with a higher revision (the id
 * recomputed, so it is intact) keeps the old signature: refused. */
Test(signature, restamped_revision_keeps_a_signature_that_no_longer_fits)
{
	keypair k = new_keys();
	size_t len;
	uint8_t *b = signed_image(5, &k, &len);
	uint8_t sig_item[2 + PDP_SIGNATURE_SIZE];
	memcpy(sig_item, b + len - sizeof(sig_item), sizeof(sig_item));
	size_t v1_len = to_format1(b, len - sizeof(sig_item));
	uint8_t *forged = NULL;
	size_t flen;
	cr_assert(img_stamp(b, v1_len, 1000, "test", &forged, &flen, NULL));
	forged = realloc(forged, flen + sizeof(sig_item));
	forged[0] = 0x88;
	memcpy(forged + flen, sig_item, sizeof(sig_item));
	flen += sizeof(sig_item);
	pdp_trust t = {k.pk, 1, 100};
	pdp_error err;
	cr_assert_eq(load_with(forged, flen, &t, &err), PDP_ERR_SIGNATURE, "%s",
	             err.message);
	free(forged);
	free(b);
}

Test(rollback, older_revisions_refused)
{
	keypair k = new_keys();
	size_t len;
	uint8_t *b = signed_image(7, &k, &len);
	pdp_error err;
	pdp_trust at7 = {k.pk, 1, 7}, at8 = {k.pk, 1, 8}, unsigned8 = {NULL, 0, 8};
	cr_assert_eq(load_with(b, len, &at7, &err), PDP_OK, "%s", err.message);
	cr_assert_eq(load_with(b, len, &at8, &err), PDP_ERR_ROLLBACK);
	cr_assert(strstr(err.message, "revision 7 is older than the minimum "
	                              "revision 8") != NULL, "%s", err.message);
	cr_assert_eq(load_with(b, len, &unsigned8, &err), PDP_ERR_ROLLBACK);
	free(b);
}

/* ---- decision hook ---- */

typedef struct seen {
	unsigned calls;
	uint8_t id[PDP_IMAGE_ID_SIZE];
	pdp_effect last;
	char originator[32];
} seen;

static void hook(void *ctx, const pdp_image *img, const pdp_request *req,
                 const pdp_decision *d)
{
	seen *s = ctx;
	s->calls++;
	memcpy(s->id, pdp_image_id(img), PDP_IMAGE_ID_SIZE);
	s->last = d->effect;
	snprintf(s->originator, sizeof(s->originator), "%.*s",
	         (int)req->originator.len, req->originator.ptr);
}

Test(decision_log, hook_hears_every_decision_until_turned_off)
{
	size_t len;
	uint8_t *b = compile_rev(1, "x", &len);
	pdp_image *img = NULL;
	cr_assert_eq(pdp_image_load(b, len, &img, NULL), PDP_OK);
	pdp_scratch *sc = NULL;
	cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
	seen s = {0};
	pdp_scratch_set_log(sc, hook, &s);
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[] = {S("acp-a")};
	q.originator = S("CAE-alice");
	q.operation = PDP_OP_RETRIEVE;
	q.acps = acps;
	q.n_acps = 1;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, sc, &q, &d), PDP_OK);
	cr_assert_eq(s.calls, 1);
	cr_assert_eq(s.last, PDP_PERMIT);
	cr_assert_str_eq(s.originator, "CAE-alice");
	cr_assert_eq(memcmp(s.id, pdp_image_id(img), PDP_IMAGE_ID_SIZE), 0);
	q.operation = PDP_OP_DELETE;
	pdp_decide(img, sc, &q, &d);
	cr_assert_eq(s.calls, 2);
	cr_assert_eq(s.last, PDP_DENY);
	/* sessions log too, with the session's user */
	size_t size = pdp_session_size(img);
	void *mem = malloc(size);
	pdp_session *ses = NULL;
	cr_assert_eq(pdp_session_init(mem, size, img, S("CAE-alice"), &ses, NULL),
	             PDP_OK);
	cr_assert_eq(pdp_session_add_role(ses, S("reader"), NULL), PDP_OK);
	q.originator = S("someone-else");
	q.operation = PDP_OP_RETRIEVE;
	pdp_session_decide(ses, sc, &q, &d);
	cr_assert_eq(s.calls, 3);
	cr_assert_str_eq(s.originator, "CAE-alice");
	pdp_scratch_set_log(sc, NULL, NULL);
	pdp_decide(img, sc, &q, &d);
	cr_assert_eq(s.calls, 3, "the hook is off");
	free(mem);
	pdp_scratch_free(sc);
	pdp_image_release(img);
	free(b);
}
