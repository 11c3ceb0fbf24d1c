/*
 * test_api.c - the C API beyond the decision tables: sessions (ANSI RBAC),
 * large and deep role hierarchies, regex limits, image validation
 * (truncation, bit flips, bad indices behind a valid checksum),
 * determinism, limits. Threads sharing and swapping an image are tested by
 * tests/unit/threads.c (also run under ThreadSanitizer).
 */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/limits.h"
#include "common/prims.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

/* Compile policy text; returns a malloc'd copy of the image bytes. */
static uint8_t *compile_text(const char *text, size_t *len)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	cr_assert_eq(pdpc_add_buffer(c, "test.yaml", text, strlen(text)), PDPC_OK);
	const uint8_t *img;
	pdpc_status st = pdpc_compile(c, &img, len);
	if (st != PDPC_OK) {
		for (size_t i = 0; i < pdpc_diag_count(c); i++) {
			const pdpc_diag *d = pdpc_diag_get(c, i);
			cr_log_error("%u:%u: %s", d->line, d->col, d->message);
		}
	}
	cr_assert_eq(st, PDPC_OK, "policy does not compile");
	uint8_t *copy = malloc(*len);
	memcpy(copy, img, *len);
	pdpc_free(c);
	return copy;
}

static pdp_image *load_text(const char *text)
{
	size_t len;
	uint8_t *bytes = compile_text(text, &len);
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_OK, "%s",
	             err.message);
	free(bytes);
	return img;
}

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static pdp_decision decide(pdp_image *img, pdp_scratch *sc, const char *orig,
                           uint32_t op, const char *acp)
{
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {S(acp)};
	q.originator = S(orig);
	q.operation = op;
	q.acps = acps;
	q.n_acps = 1;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, sc, &q, &d), PDP_OK);
	return d;
}

static const char RBAC_POLICY[] =
	"pdp: 1\n"
	"roles:\n"
	"  viewer: {}\n"
	"  operator: { inherits: [viewer] }\n"
	"  approver: {}\n"
	"  auditor: {}\n"
	"  admin: { inherits: [operator, auditor] }\n"
	"assignments:\n"
	"  CAE-alice: [operator, approver]\n"
	"  CAE-root: [admin]\n"
	"constraints:\n"
	"  dsd:\n"
	"    - { name: no-self-approve, roles: [operator, approver], n: 2 }\n"
	"acps:\n"
	"  - id: acp\n"
	"    privileges:\n"
	"      - { originators: ['role:viewer'], operations: [retrieve] }\n"
	"      - { originators: ['role:approver'], operations: [update] }\n"
	"      - { originators: ['role:admin'], operations: [delete] }\n";

Test(session, add_drop_and_decide)
{
	pdp_image *img = load_text(RBAC_POLICY);
	size_t size = pdp_session_size(img);
	cr_assert_gt(size, 0);
	void *mem = aligned_alloc(alignof(max_align_t),
	                          (size + alignof(max_align_t) - 1) /
	                                  alignof(max_align_t) * alignof(max_align_t));
	pdp_session *s = NULL;
	pdp_error err;
	cr_assert_eq(pdp_session_init(mem, size, img, S("CAE-alice"), &s, &err),
	             PDP_OK);
	cr_assert_eq(pdp_session_role_count(s), 0);
	/* unknown and unauthorized roles */
	cr_assert_eq(pdp_session_add_role(s, S("nope"), &err), PDP_ERR_NOT_FOUND);
	cr_assert_eq(pdp_session_add_role(s, S("admin"), &err),
	             PDP_ERR_NOT_AUTHORIZED);
	/* a junior of an assigned senior may be activated */
	cr_assert_eq(pdp_session_add_role(s, S("viewer"), &err), PDP_OK);
	cr_assert_eq(pdp_session_add_role(s, S("approver"), &err), PDP_OK);
	/* operator + approver breaks DSD: refused, state unchanged */
	cr_assert_eq(pdp_session_add_role(s, S("operator"), &err), PDP_ERR_DSD);
	cr_assert_eq(pdp_session_role_count(s), 2);

	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {S("acp")};
	q.acps = acps;
	q.n_acps = 1;
	q.originator = S("someone-else"); /* replaced by the session user */
	q.operation = PDP_OP_RETRIEVE;
	pdp_decision d;
	cr_assert_eq(pdp_session_decide(s, NULL, &q, &d), PDP_OK);
	cr_assert_eq(d.effect, PDP_PERMIT);
	q.operation = PDP_OP_UPDATE;
	pdp_session_decide(s, NULL, &q, &d);
	cr_assert_eq(d.effect, PDP_PERMIT);
	cr_assert_eq(pdp_session_drop_role(s, S("approver"), &err), PDP_OK);
	cr_assert_eq(pdp_session_drop_role(s, S("approver"), &err),
	             PDP_ERR_NOT_FOUND);
	pdp_session_decide(s, NULL, &q, &d);
	cr_assert_eq(d.effect, PDP_DENY);
	cr_assert_eq(d.reason, PDP_REASON_NO_RULE_MATCHED);
	/* now operator fits */
	cr_assert_eq(pdp_session_add_role(s, S("operator"), &err), PDP_OK);
	free(mem);
	pdp_image_free(img);
}

Test(session, too_small_memory_is_refused)
{
	pdp_image *img = load_text(RBAC_POLICY);
	alignas(max_align_t) unsigned char buf[8];
	pdp_session *s = NULL;
	cr_assert_eq(pdp_session_init(buf, sizeof(buf), img, S("x"), &s, NULL),
	             PDP_ERR_ARG);
	pdp_image_free(img);
}

Test(rbac, default_activation_applies_dsd)
{
	/* CAE-alice is assigned operator and approver: activating both by
	 * default breaks DSD, so every request of hers denies. */
	pdp_image *img = load_text(RBAC_POLICY);
	pdp_decision d = decide(img, NULL, "CAE-alice", PDP_OP_RETRIEVE, "acp");
	cr_assert_eq(d.reason, PDP_REASON_DSD_VIOLATION);
	d = decide(img, NULL, "CAE-root", PDP_OP_RETRIEVE, "acp");
	cr_assert_eq(d.effect, PDP_PERMIT, "admin inherits viewer");
	pdp_image_free(img);
}

/* A chain r0 <- r1 <- ... <- r24 (r24 most senior): a senior gets every
 * junior's permission, never the reverse. */
Test(rbac, deep_hierarchy)
{
	char *buf = malloc(65536);
	size_t o = (size_t)sprintf(buf, "pdp: 1\nroles:\n  r0: {}\n");
	for (int i = 1; i < 25; i++)
		o += (size_t)sprintf(buf + o, "  r%d: { inherits: [r%d] }\n", i, i - 1);
	sprintf(buf + o, "assignments:\n  top: [r24]\n  mid: [r12]\n"
	                              "  low: [r0]\nacps:\n  - id: a\n    privileges:\n"
	                              "      - { originators: ['role:r0'], operations: [retrieve] }\n"
	                              "      - { originators: ['role:r12'], operations: [update] }\n"
	                              "      - { originators: ['role:r24'], operations: [delete] }\n");
	pdp_image *img = load_text(buf);
	const char *who[3] = {"low", "mid", "top"};
	uint32_t ops[3] = {PDP_OP_RETRIEVE, PDP_OP_UPDATE, PDP_OP_DELETE};
	for (int u = 0; u < 3; u++)
		for (int p = 0; p < 3; p++) {
			pdp_decision d = decide(img, NULL, who[u], ops[p], "a");
			cr_assert_eq(d.effect == PDP_PERMIT, p <= u,
			             "%s op %u: got %d", who[u], ops[p], d.effect);
		}
	pdp_image_free(img);
	free(buf);
}

/* 1,000 roles in a tree and 10,000 assignments compile and decide. */
Test(rbac, large_policy, .timeout = 120)
{
	size_t cap = 2 * 1024 * 1024;
	char *buf = malloc(cap);
	size_t o = (size_t)sprintf(buf, "pdp: 1\nroles:\n  r0: {}\n");
	for (int i = 1; i < 1000; i++)
		o += (size_t)sprintf(buf + o, "  r%d: { inherits: [r%d] }\n", i,
		                     (i - 1) / 2);
	o += (size_t)sprintf(buf + o, "assignments:\n");
	for (int u = 0; u < 10000; u++)
		o += (size_t)sprintf(buf + o, "  u%d: [r%d]\n", u, u % 1000);
	o += (size_t)sprintf(buf + o, "acps:\n  - id: a\n    privileges:\n"
	                              "      - { originators: ['role:r3'], operations: [retrieve] }\n");
	cr_assert_lt(o, cap);
	pdp_image *img = load_text(buf);
	/* r3's seniors: its descendants in the tree (7, 8, 15..18, ...). */
	for (int u = 0; u < 10000; u += 7) {
		int r = u % 1000;
		bool senior = false;
		for (int x = r; x > 0; x = (x - 1) / 2)
			senior |= x == 3;
		char name[16];
		snprintf(name, sizeof(name), "u%d", u);
		pdp_decision d = decide(img, NULL, name, PDP_OP_RETRIEVE, "a");
		cr_assert_eq(d.effect == PDP_PERMIT, senior, "%s (r%d)", name, r);
	}
	pdp_image_free(img);
	free(buf);
}

/* ---- ABAC: regex limits make a catastrophic pattern fail safe ---- */

Test(abac, catastrophic_regex_is_indeterminate, .timeout = 30)
{
	pdp_image *img = load_text(
		"pdp: 1\n"
		"attributes: { originator.note: string }\n"
		"acps:\n"
		"  - id: p\n"
		"    privileges:\n"
		"      - originators: [all]\n"
		"        operations: [retrieve]\n"
		"        when: { attr: originator.note, matches: '^(a+)+$' }\n"
		"  - id: d\n"
		"    privileges:\n"
		"      - { originators: [all], operations: [retrieve] }\n"
		"      - originators: [all]\n"
		"        operations: [retrieve]\n"
		"        effect: deny\n"
		"        when: { attr: originator.note, matches: '^(a+)+$' }\n");
	pdp_scratch *sc = NULL;
	cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
	size_t n = 100000;
	char *subject = malloc(n + 2);
	memset(subject, 'a', n);
	subject[n] = 'b';
	subject[n + 1] = '\0';
	uint32_t id = pdp_attr_id(img, S("originator.note"));
	cr_assert_neq(id, PDP_NONE);
	pdp_attr attr = {id, {.type = PDP_TYPE_STRING}};
	attr.value.u.s.ptr = subject;
	attr.value.u.s.len = n + 1;
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {S("p")};
	q.originator = S("x");
	q.operation = PDP_OP_RETRIEVE;
	q.acps = acps;
	q.n_acps = 1;
	q.attrs = &attr;
	q.n_attrs = 1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pdp_decision d;
	pdp_decide(img, sc, &q, &d);
	cr_assert_eq(d.effect, PDP_DENY, "permit rule must not grant");
	acps[0] = S("d");
	pdp_decide(img, sc, &q, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(d.effect, PDP_DENY);
	cr_assert_eq(d.reason, PDP_REASON_RULE);
	cr_assert_eq(d.rule, 1);
	cr_assert(d.indeterminate, "the deny rule denies as indeterminate");
	/* a generous bound: the point is "returns", not speed */
	double secs = (double)(t1.tv_sec - t0.tv_sec) +
	              (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_lt(secs, 20.0);
	/* a matching subject still matches */
	attr.value.u.s.len = 1000;
	acps[0] = S("p");
	pdp_decide(img, sc, &q, &d);
	cr_assert_eq(d.effect, PDP_PERMIT);
	free(subject);
	pdp_scratch_free(sc);
	pdp_image_free(img);
}

/* ---- image validation ---- */

static const char SMALL_POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.level: int }\n"
	"groups: { g: [CAE-a, 'CAE-b*'] }\n"
	"roles: { r: {}, s: { inherits: [r] } }\n"
	"assignments: { CAE-a: [s] }\n"
	"acps:\n"
	"  - id: acp\n"
	"    privileges:\n"
	"      - originators: [group:g, 'role:r']\n"
	"        operations: [retrieve]\n"
	"        contexts: [{ window: ['* * 8-17 * * * *'], ip: [10.0.0.0/8] }]\n"
	"        when: { any: [{ attr: originator.level, ge: 2 }, { attr: originator.id, matches: '^CAE' }] }\n";

Test(image, truncated_images_are_rejected)
{
	size_t len;
	uint8_t *bytes = compile_text(SMALL_POLICY, &len);
	for (size_t cut = 0; cut < len; cut++) {
		pdp_image *img = NULL;
		pdp_error err;
		pdp_status st = pdp_image_load(bytes, cut, &img, &err);
		cr_assert_neq(st, PDP_OK, "truncated at %zu loaded", cut);
		cr_assert_null(img);
		cr_assert_neq(err.message[0], '\0');
	}
	free(bytes);
}

Test(image, bit_flips_are_rejected)
{
	size_t len;
	uint8_t *bytes = compile_text(SMALL_POLICY, &len);
	for (size_t i = 0; i < len; i++)
		for (int b = 0; b < 8; b++) {
			bytes[i] ^= (uint8_t)(1u << b);
			pdp_image *img = NULL;
			pdp_status st = pdp_image_load(bytes, len, &img, NULL);
			cr_assert_neq(st, PDP_OK, "flip of byte %zu bit %d loaded", i, b);
			bytes[i] ^= (uint8_t)(1u << b);
		}
	free(bytes);
}

/* Turn a compiled (format 6) image into the format-5 image it extends, in
 * place: array of four, version 5, no identity items. Tampering tests use
 * it so that the semantic verifier, not the id check, must catch them
 * (test_trust.c covers the id). Returns the new length. */
static size_t as_format1(uint8_t *bytes, size_t len)
{
	cr_assert_eq(bytes[0], 0x87, "a compiled image is format 6");
	size_t p = 1 + 1 + 9;
	cr_assert_eq(bytes[p], 0x06);
	p += 1 + 5; /* version, crc uint32 */
	uint8_t hb = bytes[p];
	size_t n = (size_t)1 << ((hb & 31) - 24), blen = 0;
	cr_assert((hb & 31) >= 24 && (hb & 31) <= 26);
	for (size_t i = 0; i < n; i++)
		blen = blen << 8 | bytes[p + 1 + i];
	cr_assert_leq(p + 1 + n + blen, len);
	bytes[0] = 0x84;
	bytes[1 + 1 + 9] = 0x05;
	return p + 1 + n + blen;
}

/* Find the body byte string inside the outer array and fix its CRC after
 * a change, so the semantic verifier (not the checksum) must catch it. */
static void refresh_crc(uint8_t *bytes, size_t len, size_t body_off,
                        size_t body_len, size_t crc_off)
{
	(void)len;
	uint32_t crc = crc32_ieee(bytes + body_off, body_len);
	bytes[crc_off] = (uint8_t)(crc >> 24);
	bytes[crc_off + 1] = (uint8_t)(crc >> 16);
	bytes[crc_off + 2] = (uint8_t)(crc >> 8);
	bytes[crc_off + 3] = (uint8_t)crc;
}

/* Where an image's body and its CRC are: the outer array is 0x84, text(9)
 * "pdp-image", uint 1, uint32 crc (0x1a + 4), then the body's byte string
 * header and the body, up to the end. */
typedef struct image_parts {
	size_t crc_off, body_off, body_len;
} image_parts;

static image_parts image_find_body(const uint8_t *bytes, size_t len)
{
	image_parts ip;
	cr_assert_eq(bytes[0], 0x84);
	size_t p = 1 + 1 + 9 + 1;
	cr_assert_eq(bytes[p], 0x1a, "crc encoded as uint32");
	ip.crc_off = p + 1;
	p = ip.crc_off + 4;
	uint8_t hb = bytes[p];
	if ((hb & 31) < 24) {
		ip.body_len = hb & 31;
		ip.body_off = p + 1;
	} else if ((hb & 31) == 24) {
		ip.body_len = bytes[p + 1];
		ip.body_off = p + 2;
	} else if ((hb & 31) == 25) {
		ip.body_len = (size_t)bytes[p + 1] << 8 | bytes[p + 2];
		ip.body_off = p + 3;
	} else {
		cr_assert_eq(hb & 31, 26, "format 5: the body's length in 4 bytes");
		ip.body_len = (size_t)bytes[p + 1] << 24 | (size_t)bytes[p + 2] << 16 |
		              (size_t)bytes[p + 3] << 8 | bytes[p + 4];
		ip.body_off = p + 5;
	}
	cr_assert_eq(ip.body_off + ip.body_len, len);
	return ip;
}

Test(image, bad_indices_behind_valid_checksum_are_rejected)
{
	size_t len;
	uint8_t *bytes = compile_text(SMALL_POLICY, &len);
	len = as_format1(bytes, len);
	image_parts ip = image_find_body(bytes, len);
	size_t body_off = ip.body_off, body_len = ip.body_len,
	       crc_off = ip.crc_off;
	size_t rejected = 0, tried = 0;
	/* flip every 4th byte of the body with a valid checksum: each either
	 * is rejected or still verifies (e.g. a changed bitmask), never crashes */
	for (size_t i = body_off; i < len; i += 3) {
		uint8_t old = bytes[i];
		bytes[i] = (uint8_t)(old ^ 0xff);
		refresh_crc(bytes, len, body_off, body_len, crc_off);
		pdp_image *img = NULL;
		pdp_status st = pdp_image_load(bytes, len, &img, NULL);
		tried++;
		if (st != PDP_OK)
			rejected++;
		else {
			pdp_decision d = decide(img, NULL, "CAE-a", PDP_OP_RETRIEVE, "acp");
			(void)d;
			pdp_image_free(img);
		}
		bytes[i] = old;
	}
	refresh_crc(bytes, len, body_off, body_len, crc_off);
	cr_assert_gt(rejected, tried / 2, "only %zu of %zu rejected", rejected,
	             tried);
	pdp_image *img = NULL;
	cr_assert_eq(pdp_image_load(bytes, len, &img, NULL), PDP_OK);
	pdp_image_free(img);
	free(bytes);
}

/* Where the body byte string and the CRC of an image are. */
typedef struct image_layout {
	size_t crc_off, body_off, body_len;
} image_layout;

static size_t cbor_head(const uint8_t *p, uint64_t *val)
{
	uint8_t info = p[0] & 31;
	if (info < 24) {
		*val = info;
		return 1;
	}
	size_t n = (size_t)1 << (info - 24);
	*val = 0;
	for (size_t i = 0; i < n; i++)
		*val = *val << 8 | p[1 + i];
	return 1 + n;
}

static image_layout image_layout_of(const uint8_t *bytes, size_t len)
{
	image_layout l;
	size_t p = 1 + 1 + 9 + 1; /* array(4), text(9) magic, uint version */
	cr_assert_eq(bytes[p], 0x1a, "crc encoded as uint32");
	l.crc_off = p + 1;
	p = l.crc_off + 4;
	uint64_t blen;
	p += cbor_head(bytes + p, &blen);
	l.body_off = p;
	l.body_len = (size_t)blen;
	cr_assert_eq(l.body_off + l.body_len, len);
	return l;
}

/* The words of section sec inside the body (little-endian uint32). */
static size_t last_pad; /* padding before the words section_words found */

static uint8_t *section_words(uint8_t *bytes, const image_layout *l, int sec,
                              size_t *n_bytes)
{
	uint64_t v;
	size_t p = l->body_off + cbor_head(bytes + l->body_off, &v);
	for (int s = 0;; s++) {
		p += cbor_head(bytes + p, &v);
		/* format 5: a record section's words start on an 8-byte
		 * boundary of the image, after zero padding */
		size_t pad = s == 0 ? 0 : (8 - p % 8) % 8;
		if (s == sec) {
			*n_bytes = (size_t)v - pad;
			last_pad = pad;
			return bytes + p + pad;
		}
		p += (size_t)v;
	}
}


static uint32_t word_at(const uint8_t *w, size_t i)
{
	return (uint32_t)w[4 * i] | (uint32_t)w[4 * i + 1] << 8 |
	       (uint32_t)w[4 * i + 2] << 16 | (uint32_t)w[4 * i + 3] << 24;
}

static void set_word(uint8_t *w, size_t i, uint32_t v)
{
	for (int b = 0; b < 4; b++)
		w[4 * i + (size_t)b] = (uint8_t)(v >> (8 * b));
}

/* An ACP whose deny rule comes last: lowering its rule count (checksum
 * recomputed) must not load, or the deny would silently vanish. */
static const char *ORPHAN_POLICY =
	"pdp: 1\n"
	"groups: { g: [CAE-g1, 'CAE-x*'] }\n"
	"acps:\n"
	"  - id: acp\n"
	"    privileges:\n"
	"      - { originators: [all], operations: [retrieve] }\n"
	"      - { originators: [CAE-evil, group:g], operations: [retrieve], effect: deny,\n"
	"          contexts: [{ ip: [10.0.0.0/8] }], when: { attr: env.ip, in_cidr: [10.0.0.0/8] } }\n";

static pdp_status load_tampered(uint8_t *bytes, size_t len,
                                const image_layout *l, pdp_error *err)
{
	refresh_crc(bytes, len, l->body_off, l->body_len, l->crc_off);
	pdp_image *img = NULL;
	pdp_status st = pdp_image_load(bytes, len, &img, err);
	pdp_image_free(img);
	return st;
}

/* Format 5's padding is part of the format: a padding byte that is not
 * zero is refused, and every record section's words start on a line. */
Test(image, section_padding_is_zero_and_aligns_the_words)
{
	size_t len;
	uint8_t *bytes = compile_text(ORPHAN_POLICY, &len);
	len = as_format1(bytes, len);
	image_layout l = image_layout_of(bytes, len);
	pdp_error err;
	size_t padded = 0;
	for (int s = 1; s < 32; s++) {
		size_t nb;
		uint8_t *w = section_words(bytes, &l, s, &nb);
		cr_assert_eq((size_t)(w - bytes) % 8, 0, "section %d aligned", s);
		if (last_pad == 0)
			continue; /* the head ends on a line */
		cr_assert_eq(w[-1], 0);
		padded++;
		w[-1] = 1;
		cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_FORMAT,
		             "section %d", s);
		cr_assert_not_null(strstr(err.message, "padding"), "%s", err.message);
		w[-1] = 0;
	}
	cr_assert_gt(padded, 10u, "most sections have padding");
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_OK, "%s", err.message);
	free(bytes);
}

/* The decision records (SEC_DECIDE, two per ACP): each must be exactly
 * what its section's rules make of it, or the image does not load (a
 * record that dropped the deny rule would turn its denies into permits). */
Test(image, decision_records_must_match_the_rules)
{
	size_t len;
	uint8_t *bytes = compile_text(ORPHAN_POLICY, &len);
	len = as_format1(bytes, len);
	image_layout l = image_layout_of(bytes, len);
	pdp_error err;
	size_t nb;
	uint8_t *dec = section_words(bytes, &l, 31 /* SEC_DECIDE */, &nb);
	cr_assert_eq(nb, 2 * 64, "two records of 64 bytes for one ACP");
	cr_assert_eq(word_at(dec, 0), 0u, "privileges: not wide, a deny rule");
	cr_assert_eq(word_at(dec, 1), 2u, "two privileges");
	cr_assert_eq(word_at(dec, 2), 2u, "rule 1 is the deny");
	cr_assert_eq(word_at(dec, 4 + 2 * 1), 3u, "both rules retrieve (bit 1)");
	cr_assert_eq(word_at(dec, 16), 2u, "self: no rule, no deny");
	/* every word of both records, changed alone, is refused */
	for (size_t w = 0; w < 32; w++) {
		uint32_t old = word_at(dec, w);
		set_word(dec, w, old ^ 1u);
		cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID,
		             "word %zu", w);
		cr_assert_not_null(strstr(err.message, "decision record"), "%s",
		                   err.message);
		set_word(dec, w, old);
	}
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_OK, "%s",
	             err.message);
	free(bytes);
}

/* pdp_decide_batch decides each request as pdp_decide does, whatever the
 * batch size, bad and NULL requests included. */
Test(decide, batch_equals_one_by_one)
{
	static const char policy[] =
		"pdp: 1\n"
		"roles: { r: {}, s: { inherits: [r] } }\n"
		"assignments: { CAE-a: [s], CAE-b: [r] }\n"
		"acps:\n"
		"  - id: p1\n"
		"    privileges:\n"
		"      - { originators: ['role:r'], operations: [retrieve, update] }\n"
		"      - { originators: [CAE-b], operations: [update], effect: deny }\n"
		"      - { originators: ['CAE-*'], operations: [delete],\n"
		"          when: { attr: originator.id, matches: '^CAE-a' } }\n"
		"  - id: p2\n"
		"    privileges:\n"
		"      - { originators: [all], operations: all }\n"
		"      - { originators: [CAE-a], operations: [create], effect: deny }\n";
	pdp_image *img = load_text(policy);
	pdp_scratch *sc = NULL;
	pdp_error err;
	cr_assert_eq(pdp_scratch_new(img, &sc, &err), PDP_OK);
	static const char *const origs[] = {"CAE-a", "CAE-b", "CAE-c", ""};
	static const uint32_t ops[] = {PDP_OP_CREATE, PDP_OP_RETRIEVE,
	                               PDP_OP_UPDATE, PDP_OP_DELETE, 3};
	pdp_str acp_sets[3][2] = {{(pdp_str){"p1", 2}, (pdp_str){"p2", 2}},
	                          {(pdp_str){"p2", 2}, (pdp_str){"p1", 2}},
	                          {(pdp_str){"p3", 2}, (pdp_str){"p1", 2}}};
	enum { N = 4 * 5 * 3 * 2 + 1 };
	pdp_request reqs[N];
	const pdp_request *ptr[N];
	size_t n = 0;
	for (size_t o = 0; o < 4; o++)
		for (size_t k = 0; k < 5; k++)
			for (size_t a = 0; a < 3; a++)
				for (size_t m = 1; m <= 2; m++) {
					pdp_request *q = &reqs[n];
					pdp_request_init(q);
					q->originator = (pdp_str){origs[o], strlen(origs[o])};
					q->operation = ops[k];
					q->acps = acp_sets[a];
					q->n_acps = m;
					ptr[n] = q;
					n++;
				}
	ptr[n++] = NULL;
	pdp_decision one[N], batch[N];
	memset(one, 0xa5, sizeof(one));
	memset(batch, 0x5a, sizeof(batch));
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(pdp_decide(img, sc, ptr[i], &one[i]), PDP_OK);
	size_t permits = 0;
	for (size_t size = 1; size <= n; size += 6) {
		for (size_t i = 0; i < n; i += size) {
			size_t m = n - i < size ? n - i : size;
			cr_assert_eq(pdp_decide_batch(img, sc, ptr + i, m, batch + i),
			             PDP_OK);
		}
		for (size_t i = 0; i < n; i++) {
			cr_assert_eq(batch[i].effect, one[i].effect, "request %zu", i);
			cr_assert_eq(batch[i].reason, one[i].reason, "request %zu", i);
			cr_assert_eq(batch[i].acp, one[i].acp, "request %zu", i);
			cr_assert_eq(batch[i].rule, one[i].rule, "request %zu", i);
			cr_assert_eq(batch[i].detail, one[i].detail, "request %zu", i);
			cr_assert_eq(batch[i].indeterminate, one[i].indeterminate);
			permits += batch[i].effect == PDP_PERMIT;
		}
	}
	cr_assert_gt(permits, 0);
	cr_assert_eq(one[n - 1].reason, PDP_REASON_BAD_REQUEST);
	cr_assert_eq(pdp_decide_batch(img, sc, ptr, 0, NULL), PDP_OK);
	cr_assert_eq(pdp_decide_batch(NULL, sc, ptr, 1, batch), PDP_ERR_ARG);
	cr_assert_eq(pdp_decide_batch(img, sc, NULL, 1, batch), PDP_ERR_ARG);
	pdp_scratch_free(sc);
	pdp_image_free(img);
}

/* A pattern that PCRE2 refuses, behind a valid checksum (the compiler
 * never writes one): PDP_ERR_REGEX, and nothing is loaded. */
Test(image, pattern_that_does_not_compile_is_refused)
{
	static const char policy[] =
		"pdp: 1\n"
		"acps:\n"
		"  - id: acp\n"
		"    privileges:\n"
		"      - originators: [all]\n"
		"        operations: [retrieve]\n"
		"        when: { attr: originator.id, matches: '^CAE-zq' }\n";
	size_t len;
	uint8_t *bytes = compile_text(policy, &len);
	len = as_format1(bytes, len); /* format 1: no id to recompute */
	image_parts ip = image_find_body(bytes, len);
	uint8_t *pat = NULL;
	for (size_t i = ip.body_off; pat == NULL && i + 7 <= len; i++)
		if (memcmp(bytes + i, "^CAE-zq", 7) == 0)
			pat = bytes + i;
	cr_assert_not_null(pat, "the pattern is not in the image");
	memcpy(pat, "^CAE(zq", 7); /* an unclosed group */
	refresh_crc(bytes, len, ip.body_off, ip.body_len, ip.crc_off);
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_ERR_REGEX, "%s",
	             err.message);
	cr_assert_eq(err.code, PDP_ERR_REGEX);
	cr_assert_null(img);
	cr_assert_not_null(strstr(err.message, "does not compile"), "%s",
	                   err.message);
	free(bytes);
}

/* The size limit is checked before any byte is read. */
Test(image, image_over_the_size_limit_is_refused)
{
	static const uint8_t one = 0x84;
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(&one, (size_t)PDP_MAX_IMAGE_BYTES + 1, &img,
	                            &err),
	             PDP_ERR_LIMIT);
	cr_assert_eq(err.code, PDP_ERR_LIMIT);
	cr_assert_null(img);
	cr_assert_not_null(strstr(err.message, "larger than"), "%s", err.message);
}

Test(image, orphan_records_are_rejected)
{
	size_t len;
	uint8_t *bytes = compile_text(ORPHAN_POLICY, &len);
	len = as_format1(bytes, len);
	image_layout l = image_layout_of(bytes, len);
	pdp_error err;
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_OK, "%s",
	             err.message);
	size_t nb;
	uint8_t *acps = section_words(bytes, &l, 2 /* SEC_ACPS */, &nb);
	cr_assert_eq(nb, 12 * 4, "one ACP record");
	cr_assert_eq(word_at(acps, 3), 2u, "two privileges");
	/* drop the last rule (the deny) */
	set_word(acps, 3, 1);
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID);
	cr_assert(strstr(err.message, "ACP 0") != NULL ||
	              strstr(err.message, "owned by nothing") != NULL,
	          "%s", err.message);
	/* drop the first rule instead */
	set_word(acps, 2, word_at(acps, 2) + 1);
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID);
	set_word(acps, 2, word_at(acps, 2) - 1);
	set_word(acps, 3, 2);
	/* the ACP's originator span must match its rules' entries */
	set_word(acps, 7, word_at(acps, 7) - 1);
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID);
	set_word(acps, 7, word_at(acps, 7) + 1);
	/* a rule with one originator entry less leaves the entry orphaned */
	uint8_t *rules = section_words(bytes, &l, 3 /* SEC_RULES */, &nb);
	size_t rw = nb / 2 / 4, deny = rw; /* second rule */
	set_word(rules, deny + 3 /* img_rule_rec.orig_count */, 1);
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID);
	set_word(rules, deny + 3, 2);
	/* a context that drops its CIDR, a group that drops its glob */
	uint8_t *ctx = section_words(bytes, &l, 5 /* SEC_CONTEXTS */, &nb);
	set_word(ctx, 3, 0);
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID);
	set_word(ctx, 3, 1);
	uint8_t *groups = section_words(bytes, &l, 16 /* SEC_GROUPS */, &nb);
	set_word(groups, 2, 0);
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_ERR_INVALID);
	set_word(groups, 2, 1);
	/* untouched again: loads */
	cr_assert_eq(load_tampered(bytes, len, &l, &err), PDP_OK, "%s",
	             err.message);
	free(bytes);
}

Test(image, version_and_magic_checked)
{
	size_t len;
	uint8_t *bytes = compile_text(SMALL_POLICY, &len);
	pdp_error err;
	pdp_image *img = NULL;
	bytes[11] = 0x03; /* version 2 -> 3 */
	cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_ERR_VERSION);
	bytes[11] = 0x02;
	bytes[3] = 'X';
	cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_ERR_FORMAT);
	free(bytes);
}

/* ---- determinism ---- */

Test(compile, same_input_same_bytes_whatever_the_order)
{
	const char *a =
		"pdp: 1\nroles: { b: {}, a: { inherits: [b] } }\n"
		"groups: { g2: [x], g1: [y, 'z*'] }\n"
		"assignments: { u2: [a], u1: [b] }\n"
		"acps:\n  - { id: z, privileges: [{ originators: [group:g1], operations: [retrieve] }] }\n"
		"  - { id: y, privileges: [{ originators: ['role:b'], operations: all }] }\n";
	const char *b =
		"acps:\n  - { id: y, privileges: [{ originators: ['role:b'], operations: all }] }\n"
		"  - { id: z, privileges: [{ originators: [group:g1], operations: [retrieve] }] }\n"
		"assignments: { u1: [b], u2: [a] }\n"
		"groups: { g1: [y, 'z*'], g2: [x] }\n"
		"roles: { a: { inherits: [b] }, b: {} }\npdp: 1\n";
	size_t la, la2, lb;
	uint8_t *ia = compile_text(a, &la);
	uint8_t *ia2 = compile_text(a, &la2);
	uint8_t *ib = compile_text(b, &lb);
	cr_assert_eq(la, la2);
	cr_assert_eq(memcmp(ia, ia2, la), 0, "compile twice: same bytes");
	cr_assert_eq(la, lb);
	cr_assert_eq(memcmp(ia, ib, la), 0, "reordered maps: same bytes");
	free(ia);
	free(ia2);
	free(ib);
}

Test(compile, failed_compile_produces_no_image)
{
	pdpc_compiler *c = pdpc_new();
	const char *bad = "pdp: 1\nacps:\n  - id: a\n    privileges:\n"
	                  "      - { originators: [all], operations: [fly] }\n";
	pdpc_add_buffer(c, "bad.yaml", bad, strlen(bad));
	const uint8_t *img = (const uint8_t *)"x";
	size_t len = 99;
	cr_assert_eq(pdpc_compile(c, &img, &len), PDPC_ERR_POLICY);
	cr_assert_null(img);
	cr_assert_eq(len, 0);
	cr_assert_eq(pdpc_diag_count_severity(c, PDPC_ERROR), 1);
	const pdpc_diag *d = pdpc_diag_get(c, 0);
	cr_assert_eq(d->line, 5);
	cr_assert_eq(d->col, 44);
	pdpc_free(c);
}

/* ---- limits: hostile shapes fail cleanly ---- */

static void expect_compile_error(const char *text, size_t len, const char *code)
{
	pdpc_compiler *c = pdpc_new();
	pdpc_add_buffer(c, "deep.yaml", text, len);
	const uint8_t *img;
	size_t ilen;
	cr_assert_eq(pdpc_compile(c, &img, &ilen), PDPC_ERR_POLICY);
	bool found = false;
	for (size_t i = 0; i < pdpc_diag_count(c); i++)
		found |= strcmp(pdpc_diag_get(c, i)->code, code) == 0;
	cr_assert(found, "expected a %s diagnostic", code);
	pdpc_free(c);
}

Test(limits, yaml_nested_100000_levels)
{
	size_t depth = 100000;
	char *s = malloc(2 * depth + 16);
	size_t o = 0;
	for (size_t i = 0; i < depth; i++)
		s[o++] = '[';
	for (size_t i = 0; i < depth; i++)
		s[o++] = ']';
	s[o++] = '\n';
	expect_compile_error(s, o, "E-LIMIT");
	/* the same depth of block mappings */
	o = 0;
	for (size_t i = 0; i < depth; i++)
		s[o++] = '{';
	for (size_t i = 0; i < depth; i++)
		s[o++] = '}';
	expect_compile_error(s, o, "E-LIMIT");
	free(s);
}

Test(limits, condition_deeper_than_32_levels)
{
	char *s = malloc(65536);
	size_t o = (size_t)sprintf(s, "pdp: 1\nattributes: { a.x: int }\nacps:\n"
	                              "  - id: a\n    privileges:\n"
	                              "      - originators: [all]\n"
	                              "        operations: [retrieve]\n"
	                              "        when: ");
	for (int i = 0; i < 40; i++)
		o += (size_t)sprintf(s + o, "{not: ");
	o += (size_t)sprintf(s + o, "{attr: a.x, eq: 1}");
	for (int i = 0; i < 40; i++)
		s[o++] = '}';
	s[o++] = '\n';
	expect_compile_error(s, o, "E-LIMIT");
	free(s);
}

Test(limits, long_originator_is_a_bad_request)
{
	pdp_image *img = load_text("pdp: 1\nacps:\n  - id: a\n    privileges:\n"
	                           "      - { originators: ['CAE-*'], operations: all }\n");
	char *id = malloc(70000);
	memcpy(id, "CAE-", 4);
	memset(id + 4, 'x', 70000 - 5);
	id[70000 - 1] = '\0';
	pdp_decision d = decide(img, NULL, id, PDP_OP_RETRIEVE, "a");
	cr_assert_eq(d.reason, PDP_REASON_BAD_REQUEST);
	cr_assert_eq(d.detail, PDP_BAD_LIMIT);
	free(id);
	pdp_image_free(img);
}

/* Each way a request can be malformed denies with its own detail, even
 * where a rule would permit anyone. */
Test(api, malformed_requests_say_why)
{
	static const char policy[] = "pdp: 1\nacps:\n  - id: a\n    privileges:\n"
	                             "      - { originators: [all], operations: all }\n";
	pdp_image *img = load_text(policy), *other = load_text(policy);
	pdp_str acps[1] = {S("a")};
	pdp_request q;
	pdp_decision d;
	struct {
		const char *what;
		pdp_bad want;
	} cases[] = {
		{"no originator", PDP_BAD_NO_ORIGINATOR},
		{"empty originator", PDP_BAD_NO_ORIGINATOR},
		{"no operation", PDP_BAD_OPERATION},
		{"two operations", PDP_BAD_OPERATION},
		{"operation past discover", PDP_BAD_OPERATION},
		{"attribute count without array", PDP_BAD_ARGUMENT},
		{"ACP count without array", PDP_BAD_ARGUMENT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		pdp_request_init(&q);
		q.originator = S("CAE-a");
		q.operation = PDP_OP_RETRIEVE;
		q.acps = acps;
		q.n_acps = 1;
		switch (i) {
		case 0: q.originator = (pdp_str){NULL, 0}; break;
		case 1: q.originator = S(""); break;
		case 2: q.operation = 0; break;
		case 3: q.operation = PDP_OP_RETRIEVE | PDP_OP_UPDATE; break;
		case 4: q.operation = PDP_OP_DISCOVER << 1; break;
		case 5: q.n_attrs = 1; break;
		default: q.acps = NULL; break;
		}
		cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
		cr_expect_eq(d.effect, PDP_DENY, "%s", cases[i].what);
		cr_expect_eq(d.reason, PDP_REASON_BAD_REQUEST, "%s", cases[i].what);
		cr_expect_eq(d.detail, (uint32_t)cases[i].want, "%s", cases[i].what);
	}
	/* a scratch made for another image */
	pdp_scratch *sc = NULL;
	cr_assert_eq(pdp_scratch_new(other, &sc, NULL), PDP_OK);
	d = decide(img, sc, "CAE-a", PDP_OP_RETRIEVE, "a");
	cr_expect_eq(d.effect, PDP_DENY);
	cr_expect_eq(d.reason, PDP_REASON_BAD_REQUEST);
	cr_expect_eq(d.detail, PDP_BAD_NO_SCRATCH);
	/* with its own image the same scratch permits */
	d = decide(other, sc, "CAE-a", PDP_OP_RETRIEVE, "a");
	cr_expect_eq(d.effect, PDP_PERMIT);
	pdp_scratch_free(sc);
	pdp_image_free(other);
	pdp_image_free(img);
}

/* ACP ids resolved once (pdp_acp_index) decide exactly like the names. */
Test(api, pre_resolved_acp_ids)
{
	pdp_image *img = load_text(RBAC_POLICY);
	pdp_request q;
	pdp_request_init(&q);
	uint32_t ids[2] = {pdp_acp_index(img, S("acp")), PDP_NONE};
	cr_assert_neq(ids[0], PDP_NONE);
	cr_assert_eq(pdp_acp_index(img, S("nope")), PDP_NONE);
	q.originator = S("CAE-root");
	q.operation = PDP_OP_DELETE;
	q.acp_ids = ids;
	q.n_acps = 1;
	pdp_decision by_id, by_name;
	pdp_decide(img, NULL, &q, &by_id);
	pdp_str names[1] = {S("acp")};
	q.acp_ids = NULL;
	q.acps = names;
	pdp_decide(img, NULL, &q, &by_name);
	cr_assert_eq(by_id.effect, PDP_PERMIT);
	cr_assert_eq(by_id.effect, by_name.effect);
	cr_assert_eq(by_id.rule, by_name.rule);
	cr_assert_eq(by_id.acp, by_name.acp);
	/* an unknown id is unknown-acp, at its position */
	q.acps = NULL;
	q.acp_ids = ids;
	q.n_acps = 2;
	pdp_decide(img, NULL, &q, &by_id);
	cr_assert_eq(by_id.reason, PDP_REASON_UNKNOWN_ACP);
	cr_assert_eq(by_id.acp, 1);
	ids[1] = 12345; /* out of range is unknown too */
	pdp_decide(img, NULL, &q, &by_id);
	cr_assert_eq(by_id.reason, PDP_REASON_UNKNOWN_ACP);
	pdp_image_free(img);
}

/* ---- originators are UTF-8; times are any int64 second ---- */

/* An originator that is not well-formed UTF-8 is a bad request, whether or
 * not a pattern could have told it apart (issue 11, item 2). */
Test(api, originator_not_utf8_is_a_bad_request)
{
	pdp_image *img = load_text("pdp: 1\nacps:\n  - id: a\n    privileges:\n"
	                           "      - { originators: [all], operations: all }\n"
	                           "      - { originators: ['CAE-?'], operations: all, "
	                           "effect: deny }\n");
	static const char *const bad[] = {
		"CAE-\xc3",             /* truncated */
		"CAE-\xa9",             /* continuation byte alone */
		"CAE-\xc0\xaf",         /* overlong '/' */
		"CAE-\xed\xa0\x80",     /* surrogate */
		"CAE-\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xff",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		pdp_decision d = decide(img, NULL, bad[i], PDP_OP_RETRIEVE, "a");
		cr_expect_eq(d.effect, PDP_DENY);
		cr_expect_eq(d.reason, PDP_REASON_BAD_REQUEST, "case %zu", i);
		cr_expect_eq(d.detail, PDP_BAD_ENCODING, "case %zu", i);
	}
	/* the same through a session */
	size_t sz = pdp_session_size(img);
	void *mem = malloc(sz);
	pdp_session *s = NULL;
	cr_assert_eq(pdp_session_init(mem, sz, img, S(bad[0]), &s, NULL), PDP_OK);
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {S("a")};
	q.operation = PDP_OP_RETRIEVE;
	q.acps = acps;
	q.n_acps = 1;
	pdp_decision d;
	cr_assert_eq(pdp_session_decide(s, NULL, &q, &d), PDP_OK);
	cr_expect_eq(d.reason, PDP_REASON_BAD_REQUEST);
	cr_expect_eq(d.detail, PDP_BAD_ENCODING);
	free(mem);
	/* well-formed multi-byte ids are decided, and '?' takes one */
	pdp_decision e = decide(img, NULL, "CAE-\xc3\xa9", PDP_OP_RETRIEVE, "a");
	cr_expect_eq(e.effect, PDP_DENY);
	cr_expect_eq(e.reason, PDP_REASON_RULE);
	cr_expect_eq(e.rule, 1u);
	e = decide(img, NULL, "CAE-\xc3\xa9\xc3\xa9", PDP_OP_RETRIEVE, "a");
	cr_expect_eq(e.effect, PDP_PERMIT);
	pdp_image_free(img);
}

/* A policy pattern must be UTF-8 too: the YAML reader refuses other bytes
 * anywhere in the file, quoted patterns included. */
Test(compile, pattern_not_utf8_is_an_error)
{
	static const char text[] = "pdp: 1\nacps:\n  - id: a\n    privileges:\n"
	                           "      - { originators: [\"CAE-\xc3*\"], "
	                           "operations: all }\n";
	pdpc_compiler *c = pdpc_new();
	pdpc_add_buffer(c, "utf8.yaml", text, sizeof(text) - 1);
	const uint8_t *img = NULL;
	size_t len = 0;
	cr_expect_eq(pdpc_compile(c, &img, &len), PDPC_ERR_POLICY);
	cr_expect_gt(pdpc_diag_count(c), 0u);
	pdpc_free(c);
}

static const char WINDOW_POLICY[] =
	"pdp: 1\n"
	"attributes: { resource.expires: time }\n"
	"acps:\n"
	"  - id: always\n"
	"    privileges:\n"
	"      - { originators: [all], operations: all }\n"
	"      - originators: [all]\n"
	"        operations: all\n"
	"        effect: deny\n"
	"        contexts: [{ window: ['* * * * * * *'] }]\n"
	"  - id: listed\n"
	"    privileges:\n"
	"      - originators: [all]\n"
	"        operations: all\n"
	"        contexts: [{ window: ['* * * * * * 1970-2199'] }]\n"
	"  - id: expiry\n"
	"    privileges:\n"
	"      - { originators: [all], operations: all }\n"
	"      - originators: [all]\n"
	"        operations: all\n"
	"        effect: deny\n"
	"        when: { attr: resource.expires, lt: '2026-01-01T00:00:00Z' }\n";

static pdp_decision decide_at(pdp_image *img, const char *acp, pdp_time t,
                              const pdp_attr *attr)
{
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {S(acp)};
	q.originator = S("CAE-x");
	q.operation = PDP_OP_RETRIEVE;
	q.acps = acps;
	q.n_acps = 1;
	q.has_time = true;
	q.time = t;
	q.attrs = attr;
	q.n_attrs = attr != NULL;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	return d;
}

/* Every int64 second is a date: an "always" window denies at any of them
 * (INT64_MIN was signed overflow before), and listed years 1970-2199 are
 * plainly false outside (issue 11, item 3). */
Test(api, extreme_times_are_evaluated_by_windows)
{
	pdp_image *img = load_text(WINDOW_POLICY);
	static const int64_t secs[] = {INT64_MIN, INT64_MIN + 1, -62167219201,
	                               -1, 0, 7258118400, 253402300800,
	                               INT64_MAX};
	for (size_t i = 0; i < sizeof(secs) / sizeof(*secs); i++) {
		pdp_time t = {secs[i], 999999999};
		pdp_decision d = decide_at(img, "always", t, NULL);
		cr_expect_eq(d.effect, PDP_DENY, "sec %lld", (long long)secs[i]);
		cr_expect_eq(d.reason, PDP_REASON_RULE);
		cr_expect_not(d.indeterminate, "sec %lld", (long long)secs[i]);
		d = decide_at(img, "listed", t, NULL);
		bool inside = secs[i] >= 0 && secs[i] < 7258118400;
		cr_expect_eq(d.effect, inside ? PDP_PERMIT : PDP_DENY, "sec %lld",
		             (long long)secs[i]);
		if (!inside)
			cr_expect_eq(d.reason, PDP_REASON_NO_RULE_MATCHED);
	}
	pdp_image_free(img);
}

/* A time that is no instant (nsec outside 0..999999999) cannot be placed
 * in a window or compared: indeterminate, so a deny rule denies. */
Test(api, time_with_bad_nanoseconds_is_indeterminate)
{
	pdp_image *img = load_text(WINDOW_POLICY);
	static const int32_t nsecs[] = {-1, 1000000000, INT32_MIN, INT32_MAX};
	uint32_t expires = pdp_attr_id(img, S("resource.expires"));
	cr_assert_neq(expires, PDP_NONE);
	for (size_t i = 0; i < sizeof(nsecs) / sizeof(*nsecs); i++) {
		pdp_time t = {1795000000, nsecs[i]};
		pdp_decision d = decide_at(img, "always", t, NULL);
		cr_expect_eq(d.effect, PDP_DENY);
		cr_expect(d.indeterminate, "nsec %d", (int)nsecs[i]);
		d = decide_at(img, "listed", t, NULL);
		cr_expect_eq(d.reason, PDP_REASON_NO_RULE_MATCHED);
		pdp_attr a = {expires, {.type = PDP_TYPE_TIME}};
		a.value.u.t.sec = 4102444800; /* 2100: not before 2026 */
		a.value.u.t.nsec = nsecs[i];
		d = decide_at(img, "expiry", t, &a);
		cr_expect_eq(d.effect, PDP_DENY);
		cr_expect(d.indeterminate, "nsec %d", (int)nsecs[i]);
		a.value.u.t.nsec = 0;
		d = decide_at(img, "expiry", t, &a);
		cr_expect_eq(d.effect, PDP_PERMIT);
	}
	pdp_image_free(img);
}

/* The line as the naive scan finds it: the reference for
 * pdpc_source_line, which jumps to sparse marks. */
static const char *naive_line(const char *text, size_t n, uint32_t line,
                              size_t *len)
{
	const char *p = text, *end = text + n;
	for (uint32_t l = 1; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	const char *e = memchr(p, '\n', (size_t)(end - p));
	if (e == NULL)
		e = end;
	if (e > p && e[-1] == '\r')
		e--;
	*len = (size_t)(e - p);
	return p;
}

Test(api, source_line_any_line)
{
	/* short lines, lines longer than the 4 KiB mark spacing (also two
	 * in a row), CR LF, empty lines, and a last line without newline */
	size_t cap = 64 * 1024, n = 0;
	char *text = malloc(cap);
	cr_assert_not_null(text);
	for (int i = 0; i < 300; i++) {
		size_t w = i % 97 == 5 || i % 97 == 6 ? 5000 + (size_t)i : (size_t)(i % 7);
		for (size_t k = 0; k < w; k++)
			text[n++] = (char)('a' + (i + (int)k) % 26);
		if (i % 11 == 3)
			text[n++] = '\r';
		if (i < 299)
			text[n++] = '\n';
	}
	pdpc_compiler *c = pdpc_new();
	cr_assert_eq(pdpc_add_buffer(c, "lines.yaml", text, n), PDPC_OK);
	for (uint32_t line = 0; line <= 302; line++) {
		size_t got_len = 0, want_len = 0;
		const char *got = pdpc_source_line(c, "lines.yaml", line, &got_len);
		const char *want = line ? naive_line(text, n, line, &want_len) : NULL;
		if (want == NULL) {
			cr_expect_null(got, "line %u", line);
			continue;
		}
		cr_assert_not_null(got, "line %u", line);
		cr_expect_eq(got_len, want_len, "line %u", line);
		cr_expect_eq(memcmp(got, want, want_len), 0, "line %u", line);
	}
	pdpc_free(c);
	free(text);
}

/* ---- pdp_explain: the public rule trace ---- */

static const char EXPLAIN_POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.clearance: int }\n"
	"acps:\n"
	"  - id: acp-x\n"
	"    privileges:\n"
	"      - { originators: [CAE-a], operations: [retrieve], id: read-a }\n"
	"      - originators: [all]\n"
	"        operations: [retrieve, update]\n"
	"        contexts: [{ window: [\"* * 8-17 * * * *\"] }]\n"
	"        effect: deny\n"
	"      - originators: [all]\n"
	"        operations: [retrieve]\n"
	"        when: { attr: originator.clearance, ge: 2 }\n"
	"        id: cleared\n"
	"      - { originators: [CAE-b], operations: [delete] }\n"
	"    self:\n"
	"      - { originators: [CAE-a], operations: all }\n";

typedef struct trace_log {
	pdp_rule_trace t[8];
	size_t n;
} trace_log;

/* A retrieve by orig on one ACP (acps holds it). */
static void one_acp_request(pdp_request *q, pdp_str *acps, const char *orig,
                            const char *acp)
{
	pdp_request_init(q);
	acps[0] = S(acp);
	q->originator = S(orig);
	q->operation = PDP_OP_RETRIEVE;
	q->acps = acps;
	q->n_acps = 1;
}

static void log_rule(void *ctx, const pdp_rule_trace *t)
{
	trace_log *l = ctx;
	cr_assert_lt(l->n, 8);
	l->t[l->n++] = *t;
}

Test(explain, traces_every_rule_with_each_test)
{
	pdp_image *img = load_text(EXPLAIN_POLICY);
	pdp_request q;
	pdp_str acps[1];
	/* no env.time: the deny's window is indeterminate */
	one_acp_request(&q, acps, "CAE-a", "acp-x");
	trace_log l = {.n = 0};
	pdp_decision d, plain;
	cr_assert_eq(pdp_explain(img, NULL, &q, &d, log_rule, &l), PDP_OK);
	cr_assert_eq(pdp_decide(img, NULL, &q, &plain), PDP_OK);
	/* the same decision as pdp_decide: the indeterminate deny denies */
	cr_assert_eq(d.effect, plain.effect);
	cr_assert_eq(d.reason, plain.reason);
	cr_assert_eq(d.rule, plain.rule);
	cr_assert_eq(d.effect, PDP_DENY);
	cr_assert_eq(d.rule, 1);
	cr_assert(d.indeterminate);
	/* the trace stops at the deciding deny rule */
	cr_assert_eq(l.n, 2);
	cr_assert_eq(l.t[0].acp, pdp_acp_index(img, S("acp-x")));
	cr_assert_not(l.t[0].self);
	cr_assert_eq(l.t[0].rule, 0);
	cr_assert_eq(l.t[0].effect, PDP_PERMIT);
	cr_assert_eq(l.t[0].id.len, 6);
	cr_assert_eq(memcmp(l.t[0].id.ptr, "read-a", 6), 0);
	cr_assert_eq(l.t[0].originators, PDP_TEST_HELD);
	cr_assert_eq(l.t[0].operations, PDP_TEST_HELD);
	cr_assert_eq(l.t[0].result, PDP_TEST_HELD);
	cr_assert_eq(l.t[1].rule, 1);
	cr_assert_eq(l.t[1].effect, PDP_DENY);
	cr_assert_null(l.t[1].id.ptr);
	cr_assert_eq(l.t[1].contexts, PDP_TEST_INDETERMINATE);
	cr_assert_eq(l.t[1].result, PDP_TEST_INDETERMINATE);
	cr_assert_eq(l.t[1].undecidable, PDP_UNDECIDABLE_TIME);
	cr_assert_eq(l.t[1].missing_attr, PDP_NONE);
	pdp_image_free(img);
}

Test(explain, reports_the_missing_attribute_and_failed_tests)
{
	pdp_image *img = load_text(EXPLAIN_POLICY);
	pdp_request q;
	pdp_str acps[1];
	one_acp_request(&q, acps, "CAE-z", "acp-x");
	q.has_time = true;
	q.time.sec = 1700000000 - 1700000000 % 86400 + 3 * 3600; /* 03:00 */
	trace_log l = {.n = 0};
	pdp_decision d;
	cr_assert_eq(pdp_explain(img, NULL, &q, &d, log_rule, &l), PDP_OK);
	cr_assert_eq(d.effect, PDP_DENY);
	cr_assert_eq(d.reason, PDP_REASON_NO_RULE_MATCHED);
	/* every rule of the section is traced, also those the operation
	 * rules out */
	cr_assert_eq(l.n, 4);
	cr_assert_eq(l.t[0].originators, PDP_TEST_FAILED);
	cr_assert_eq(l.t[0].result, PDP_TEST_FAILED);
	cr_assert_eq(l.t[1].contexts, PDP_TEST_FAILED);
	cr_assert_eq(l.t[1].undecidable, 0);
	cr_assert_eq(l.t[2].when, PDP_TEST_INDETERMINATE);
	cr_assert_eq(l.t[2].result, PDP_TEST_INDETERMINATE);
	cr_assert_eq(l.t[2].missing_attr,
	             pdp_attr_id(img, S("originator.clearance")));
	cr_assert_not(l.t[2].wrong_type);
	cr_assert_eq(l.t[3].operations, PDP_TEST_FAILED);
	/* a self request traces the self rules */
	q.originator = S("CAE-a");
	q.self = true;
	l.n = 0;
	cr_assert_eq(pdp_explain(img, NULL, &q, &d, log_rule, &l), PDP_OK);
	cr_assert_eq(d.effect, PDP_PERMIT);
	cr_assert_eq(l.n, 1);
	cr_assert(l.t[0].self);
	pdp_image_free(img);
}

Test(explain, calls_back_never_for_a_request_refused_before_the_rules)
{
	pdp_image *img = load_text(EXPLAIN_POLICY);
	pdp_request q;
	pdp_str acps[1];
	one_acp_request(&q, acps, "CAE-a", "acp-nope");
	trace_log l = {.n = 0};
	pdp_decision d;
	cr_assert_eq(pdp_explain(img, NULL, &q, &d, log_rule, &l), PDP_OK);
	cr_assert_eq(d.reason, PDP_REASON_UNKNOWN_ACP);
	cr_assert_eq(l.n, 0);
	q.operation = 0;
	cr_assert_eq(pdp_explain(img, NULL, &q, &d, log_rule, &l), PDP_OK);
	cr_assert_eq(d.reason, PDP_REASON_BAD_REQUEST);
	cr_assert_eq(l.n, 0);
	/* without a callback it is pdp_decide */
	q.operation = PDP_OP_RETRIEVE;
	acps[0] = S("acp-x");
	cr_assert_eq(pdp_explain(img, NULL, &q, &d, NULL, NULL), PDP_OK);
	cr_assert_eq(d.effect, PDP_DENY);
	cr_assert_eq(pdp_explain(NULL, NULL, &q, &d, log_rule, &l), PDP_ERR_ARG);
	pdp_image_free(img);
}

/* ---- pdpc_requests_read: requests from text, as pdp decide reads them ---- */

typedef struct text_input {
	const char *text;
	size_t at;
	bool fail;
} text_input;

/* Hands the text over three bytes at a time, to cross every boundary. */
static bool text_read(void *ctx, char *buf, size_t cap, size_t *got)
{
	text_input *t = ctx;
	if (t->fail)
		return false;
	size_t n = strlen(t->text + t->at);
	if (n > 3)
		n = 3;
	if (n > cap)
		n = cap;
	memcpy(buf, t->text + t->at, n);
	t->at += n;
	*got = n;
	return true;
}

typedef struct seen_requests {
	pdp_image *img;
	char lines[8][80];
	size_t n;
} seen_requests;

/* Each request as "line:col ok|error decision [notes]". */
static bool note_request(void *ctx, pdpc_request *r)
{
	seen_requests *s = ctx;
	cr_assert_lt(s->n, 8);
	pdp_decision d = {0};
	if (r->ok)
		pdp_decide(s->img, NULL, &r->req, &d);
	snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%u:%u %s %s%s%s",
	         r->line, r->col, r->ok ? "ok" : r->error,
	         r->ok ? (d.effect == PDP_PERMIT ? "permit" : "deny") : "-",
	         r->notes ? " " : "", r->notes ? r->notes : "");
	return true;
}

Test(requests, json_lines_and_yaml_into_pdp_request)
{
	pdp_image *img = load_text(EXPLAIN_POLICY);
	seen_requests s = {img, {{0}}, 0};
	text_input t = {
		"{\"originator\": \"CAE-a\", \"operation\": \"retrieve\", "
		"\"target\": {\"acps\": [\"acp-x\"]}, \"env\": "
		"{\"time\": \"2025-01-01T03:00:00Z\"}}\n"
		"\n"
		"[1, 2]\n"
		"{\"originator\": \"CAE-a\", \"operation\": \"fly\", "
		"\"target\": {\"acps\": [\"acp-x\"]}}\n",
		0, false};
	pdpc_request_input in = {text_read, &t, "mem.jsonl", false};
	cr_assert_eq(pdpc_requests_read(&in, img, note_request, &s), PDPC_OK);
	cr_assert_eq(s.n, 3); /* the blank line is no request */
	cr_assert_str_eq(s.lines[0], "1:1 ok permit");
	cr_assert_eq(strncmp(s.lines[1], "3:1 3:1: ", 9), 0, "%s", s.lines[1]);
	cr_assert_eq(strncmp(s.lines[2], "4:1 4:", 6), 0, "%s", s.lines[2]);
	cr_assert(strstr(s.lines[2], "unknown operation 'fly'") != NULL, "%s",
	          s.lines[2]);
	/* YAML: a list of requests, an undeclared attribute is a note */
	s.n = 0;
	text_input y = {
		"- originator: CAE-z\n"
		"  operation: retrieve\n"
		"  target: { acps: [acp-x] }\n"
		"  attrs: { nope: 1 }\n"
		"- { originator: CAE-a, operation: retrieve, target: { acps: [acp-x] } }\n",
		0, false};
	in.ctx = &y;
	in.name = "mem.yaml";
	cr_assert_eq(pdpc_requests_read(&in, img, note_request, &s), PDPC_OK);
	cr_assert_eq(s.n, 2);
	cr_assert(strstr(s.lines[0], "'nope' is not declared") != NULL, "%s",
	          s.lines[0]);
	cr_assert_eq(strncmp(s.lines[1], "5:3 ok deny", 11), 0, "%s",
	             s.lines[1]);
	pdp_image_free(img);
}

Test(requests, default_time_read_errors_and_arguments)
{
	pdp_image *img = load_text(EXPLAIN_POLICY);
	seen_requests s = {img, {{0}}, 0};
	text_input t = {"", 0, true};
	pdpc_request_input in = {text_read, &t, "broken", false};
	cr_assert_eq(pdpc_requests_read(&in, img, note_request, &s), PDPC_ERR_IO);
	cr_assert_eq(pdpc_requests_read(NULL, img, note_request, &s),
	             PDPC_ERR_ARG);
	cr_assert_eq(pdpc_requests_read(&in, NULL, note_request, &s),
	             PDPC_ERR_ARG);
	cr_assert_eq(pdpc_requests_read(&in, img, NULL, &s), PDPC_ERR_ARG);
	pdpc_request r;
	memset(&r, 0, sizeof(r));
	pdp_request_init(&r.req);
	r.ok = true;
	pdp_time now = {1700000000, 0};
	pdpc_request_default_time(&r, now);
	cr_assert(r.req.has_time);
	cr_assert_eq(r.req.time.sec, 1700000000);
	cr_assert(r.time_defaulted);
	/* a given time stays; a bad request is left alone */
	pdp_time later = {1800000000, 0};
	r.time_defaulted = false;
	pdpc_request_default_time(&r, later);
	cr_assert_eq(r.req.time.sec, 1700000000);
	cr_assert_not(r.time_defaulted);
	memset(&r, 0, sizeof(r));
	pdpc_request_default_time(&r, now);
	cr_assert_not(r.req.has_time);
	pdp_image_free(img);
}

/* ---- versions and the request's ABI (docs/abi.md) ---- */

Test(api, version_of_library_header_and_build_agree)
{
	cr_assert_str_eq(pdp_version(), PDP_VERSION_STRING);
#ifdef PDP_MESON_VERSION
	cr_assert_str_eq(pdp_version(), PDP_MESON_VERSION);
#endif
	char expect[32];
	snprintf(expect, sizeof(expect), "%d.%d.%d", PDP_VERSION_MAJOR,
	         PDP_VERSION_MINOR, PDP_VERSION_PATCH);
	cr_assert_str_eq(pdp_version(), expect);
	cr_assert_eq(PDP_VERSION_NUMBER, PDP_VERSION_MAJOR * 10000 +
	                                     PDP_VERSION_MINOR * 100 +
	                                     PDP_VERSION_PATCH);
}

/* A request laid out by another header is refused, never misread: a newer
 * header's request (larger) is a bad request; a zeroed one is this
 * version's layout; pdp_request_init records the caller's size and clears
 * the whole of a larger object. */
Test(api, request_struct_size_is_checked)
{
	pdp_image *img = load_text("pdp: 1\nacps:\n  - id: a\n    privileges:\n"
	                           "      - { originators: [all], operations: all }\n");
	pdp_str acps[1] = {S("a")};
	pdp_request q;
	pdp_request_init(&q);
	cr_assert_eq(q.struct_size, sizeof(pdp_request));
	cr_assert_eq(q.type, -1);
	q.originator = S("CAE-x");
	q.operation = PDP_OP_RETRIEVE;
	q.acps = acps;
	q.n_acps = 1;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	cr_expect_eq(d.effect, PDP_PERMIT);

	q.struct_size = 0; /* a zeroed request, as before struct_size existed */
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	cr_expect_eq(d.effect, PDP_PERMIT);

	q.struct_size = (uint32_t)sizeof(pdp_request) + 16; /* a newer header */
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	cr_expect_eq(d.effect, PDP_DENY);
	cr_expect_eq(d.reason, PDP_REASON_BAD_REQUEST);
	cr_expect_eq(d.detail, PDP_BAD_STRUCT_SIZE);

	q.struct_size = (uint32_t)sizeof(pdp_request) - 8; /* an unknown older one */
	cr_assert_eq(pdp_decide(img, NULL, &q, &d), PDP_OK);
	cr_expect_eq(d.detail, PDP_BAD_STRUCT_SIZE);

	/* a caller whose pdp_request is larger: all of it cleared */
	struct {
		pdp_request r;
		unsigned char tail[32];
	} big;
	memset(&big, 0xab, sizeof(big));
	pdp_request_init_sized(&big.r, sizeof(big));
	cr_expect_eq(big.r.struct_size, sizeof(big));
	cr_expect_eq(big.r.type, -1);
	cr_expect_null(big.r.originator.ptr);
	for (size_t i = 0; i < sizeof(big.tail); i++)
		cr_assert_eq(big.tail[i], 0, "tail byte %zu not cleared", i);
	pdp_image_free(img);
}

/* ---- pdp_image_load_borrowed: the image reads the caller's bytes ---- */

/* The same policy loaded by copy and borrowed, from bytes at each of the
 * four alignments (misaligned tables are copied, aligned ones read in
 * place): the same decisions, the caller's bytes untouched, and a
 * corrupted copy refused with the same code as pdp_image_load. */
Test(image, load_borrowed_matches_load)
{
	size_t len;
	uint8_t *bytes = compile_text(RBAC_POLICY, &len);
	pdp_image *copy = NULL;
	cr_assert_eq(pdp_image_load(bytes, len, &copy, NULL), PDP_OK);
	static const char *const origs[] = {"CAE-alice", "CAE-root", "CAE-x"};
	static const uint32_t ops[] = {PDP_OP_RETRIEVE, PDP_OP_UPDATE,
	                               PDP_OP_DELETE};
	for (size_t shift = 0; shift < 4; shift++) {
		uint8_t *block = malloc(len + shift);
		cr_assert_not_null(block);
		memcpy(block + shift, bytes, len);
		pdp_image *img = NULL;
		pdp_error err;
		cr_assert_eq(pdp_image_load_borrowed(block + shift, len, &img, &err),
		             PDP_OK, "%s", err.message);
		for (size_t o = 0; o < 3; o++)
			for (size_t k = 0; k < 3; k++) {
				pdp_decision a = decide(copy, NULL, origs[o], ops[k], "acp");
				pdp_decision b = decide(img, NULL, origs[o], ops[k], "acp");
				cr_expect(a.effect == b.effect && a.reason == b.reason &&
				                  a.rule == b.rule,
				          "shift %zu: %s op %u differs", shift, origs[o],
				          ops[k]);
			}
		cr_expect_eq(pdp_acp_index(img, S("acp")), 0);
		pdp_image_release(img);
		cr_expect_eq(memcmp(block + shift, bytes, len), 0,
		             "the borrowed bytes changed");
		/* a flipped byte in the body: refused alike, nothing kept */
		block[shift + len / 2] ^= 0x40;
		pdp_image *bad = NULL, *bad_copy = NULL;
		pdp_status s1 = pdp_image_load_borrowed(block + shift, len, &bad,
		                                        &err);
		pdp_status s2 = pdp_image_load(block + shift, len, &bad_copy, NULL);
		cr_expect_neq(s1, PDP_OK);
		cr_expect_eq(s1, s2);
		cr_expect_null(bad);
		free(block);
	}
	cr_expect_eq(pdp_image_load_borrowed(NULL, 4, &copy, NULL), PDP_ERR_ARG);
	pdp_image_release(copy);
	free(bytes);
}

/* ---- pdpc_set_progress: the stages of a compile and of a lint ---- */

static void note_stage(void *ctx, const char *stage, const char *what)
{
	char *log = ctx;
	size_t n = strlen(log);
	snprintf(log + n, 512 - n, "%s%s%s;", stage, what ? " " : "",
	         what ? what : "");
}

Test(compiler, progress_stages_in_order)
{
	char log[512] = "";
	pdpc_compiler *c = pdpc_new();
	cr_assert_eq(pdpc_add_buffer(c, "p.yaml", RBAC_POLICY, strlen(RBAC_POLICY)),
	             PDPC_OK);
	pdpc_set_progress(c, note_stage, log);
	const uint8_t *img;
	size_t len;
	cr_assert_eq(pdpc_compile(c, &img, &len), PDPC_OK);
	cr_expect_str_eq(log, "reading p.yaml;resolving;writing the image;"
	                      "checking the image;");
	log[0] = '\0';
	cr_assert_eq(pdpc_lint(c), PDPC_OK);
	cr_expect_str_eq(log, "reading p.yaml;resolving;linting;");
	/* off again */
	pdpc_set_progress(c, NULL, NULL);
	log[0] = '\0';
	cr_assert_eq(pdpc_lint(c), PDPC_OK);
	cr_expect_str_eq(log, "");
	pdpc_set_progress(NULL, note_stage, log); /* ignored */
	pdpc_free(c);
}
