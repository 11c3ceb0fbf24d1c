/*
 * fuzz.h - helpers shared by the libFuzzer targets in fuzz/ and by the
 * regression replay driver (fuzz/replay.c): a byte reader over the fuzz input
 * and a request generator that decides "a handful" of requests on an image
 * and checks the invariants every decision must keep.
 *
 * Everything here is static inline so that each target is one translation
 * unit plus the internal library.
 */
#ifndef PDP_FUZZ_H
#define PDP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/pdp.h"
#include "pdp/pdpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with a message: the fuzzer (or the replay test) reports the input. */
#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s: ",   \
			        __FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/* ---- reading the input as a stream of choices ---- */

typedef struct fuzz_reader {
	const uint8_t *p;
	size_t n;
} fuzz_reader;

static inline uint8_t fr_u8(fuzz_reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static inline uint32_t fr_u32(fuzz_reader *r)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = (v << 8) | fr_u8(r);
	return v;
}

static inline uint64_t fr_u64(fuzz_reader *r)
{
	return ((uint64_t)fr_u32(r) << 32) | fr_u32(r);
}

static inline bool fr_bool(fuzz_reader *r)
{
	return (fr_u8(r) & 1u) != 0;
}

/* Up to max bytes, taken as they are (any byte values). */
static inline pdp_str fr_bytes(fuzz_reader *r, size_t max)
{
	size_t len = fr_u8(r) % (max + 1);
	if (len > r->n)
		len = r->n;
	pdp_str s = {(const char *)r->p, len};
	r->p += len;
	r->n -= len;
	return s;
}

static inline pdp_str fz_cstr(const char *s)
{
	pdp_str p = {s, strlen(s)};
	return p;
}

/* ---- request generation ---- */

#define FZ_MAX_ROLES 4
#define FZ_MAX_ACPS 4
#define FZ_MAX_ATTRS 8
#define FZ_MAX_SET 3

static const char *const fz_origs[] = {
	"CAE-alice", "CAE-bob", "CAE-admin", "CAE-meter-01", "CAE-meter-99",
	"/cse-in/CAE-x", "/cse-in/a/b", "CAE-vic", "CAE-olga", "CAE-ada",
	"", "all",
};
static const char *const fz_roles[] = {
	"viewer", "operator", "auditor", "admin", "super", "approver",
	"billing", "guest", "",
};
static const char *const fz_strs[] = {
	"ops", "billing", "public", "secret", "CAE-meter-7", "aaaaaaaaaaaaaaaa",
	"retrieve", "contentInstance", "DE", "",
};

/* A request time: mostly plausible (1970..2223), sometimes any int64,
 * sometimes one of the edges below; now and then with nanoseconds that
 * make it no instant (windows and comparisons are then indeterminate). */
static inline pdp_time fz_time(fuzz_reader *r)
{
	static const int64_t edges[] = {
		INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, -1, 0,
		-62167219200 /* 0000-01-01 */, -62167219201,
		253402300799 /* 9999-12-31T23:59:59 */, 253402300800,
		7258118399 /* 2199 end */, 7258118400,
	};
	pdp_time t;
	uint8_t how = fr_u8(r);
	if (how < 0x80)
		t.sec = (int64_t)(fr_u32(r) % 8000000000u);
	else if (how < 0xe0)
		t.sec = (int64_t)fr_u64(r);
	else
		t.sec = edges[how % (sizeof(edges) / sizeof(*edges))];
	uint32_t ns = fr_u32(r);
	if (ns >= 0xfff00000u)
		t.nsec = (int32_t)ns; /* negative */
	else if (ns >= 0xffe00000u)
		t.nsec = 1000000000 + (int32_t)(ns & 0xffffu);
	else
		t.nsec = (int32_t)(ns % 1000000000u);
	return t;
}

/* Everything one generated request points to. */
typedef struct fz_req {
	pdp_request req;
	pdp_str roles[FZ_MAX_ROLES];
	pdp_str acps[FZ_MAX_ACPS];
	pdp_attr attrs[FZ_MAX_ATTRS];
	pdp_str sets[FZ_MAX_ATTRS][FZ_MAX_SET];
} fz_req;

static inline pdp_str fz_pick_str(fuzz_reader *r, const char *const *tab,
                                  size_t n)
{
	uint8_t b = fr_u8(r);
	if (b >= 0xe0)
		return fr_bytes(r, 24);
	return fz_cstr(tab[b % n]);
}

static inline void fz_value(fuzz_reader *r, pdp_type t, pdp_value *v,
                            pdp_str *set)
{
	/* now and then the wrong type on purpose: must be indeterminate */
	if (fr_u8(r) >= 0xf0)
		t = (pdp_type)(fr_u8(r) % 8);
	v->type = t;
	switch (t) {
	case PDP_TYPE_INT:
		v->u.i = fr_bool(r) ? (int64_t)(int8_t)fr_u8(r) : (int64_t)fr_u64(r);
		break;
	case PDP_TYPE_STRING:
		v->u.s = fz_pick_str(r, fz_strs, sizeof(fz_strs) / sizeof(*fz_strs));
		break;
	case PDP_TYPE_BOOL:
		v->u.b = fr_bool(r);
		break;
	case PDP_TYPE_IP:
		memset(&v->u.ip, 0, sizeof(v->u.ip));
		if (fr_bool(r)) {
			v->u.ip.b[10] = v->u.ip.b[11] = 0xff;
			for (int i = 12; i < 16; i++)
				v->u.ip.b[i] = fr_u8(r);
		} else {
			for (int i = 0; i < 16; i++)
				v->u.ip.b[i] = fr_u8(r);
		}
		break;
	case PDP_TYPE_TIME:
		v->u.t = fz_time(r);
		break;
	case PDP_TYPE_SET: {
		size_t n = set ? fr_u8(r) % (FZ_MAX_SET + 1) : 0;
		for (size_t i = 0; i < n; i++)
			set[i] = fz_pick_str(r, fz_strs, sizeof(fz_strs) / sizeof(*fz_strs));
		v->u.set.items = n ? set : NULL;
		v->u.set.count = n;
		break;
	}
	default:
		break;
	}
}

/* Build one request on img from the reader's bytes. */
static inline void fz_make_request(const pdp_image *img, fuzz_reader *r,
                                   fz_req *q, bool strict)
{
	memset(q, 0, sizeof(*q));
	pdp_request *req = &q->req;
	pdp_request_init(req);
	req->originator = fz_pick_str(r, fz_origs, sizeof(fz_origs) / sizeof(*fz_origs));
	if (fr_u8(r) == 0xff)
		req->originator.ptr = NULL; /* absent: bad request */
	uint8_t b = fr_u8(r);
	req->roles_given = (b & 1u) != 0;
	if (req->roles_given) {
		req->n_roles = (b >> 1) % (FZ_MAX_ROLES + 1);
		for (size_t i = 0; i < req->n_roles; i++)
			q->roles[i] = fz_pick_str(r, fz_roles, sizeof(fz_roles) / sizeof(*fz_roles));
		req->roles = req->n_roles ? q->roles : NULL;
	}
	req->authenticated = (b & 0x80u) != 0;
	b = fr_u8(r);
	req->operation = b >= 0xf8 ? fr_u32(r) : 1u << (b % 6);
	uint32_t nacp = pdp_acp_count(img);
	req->n_acps = fr_u8(r) % (FZ_MAX_ACPS + 1);
	for (size_t i = 0; i < req->n_acps; i++) {
		uint32_t k = fr_u8(r);
		if (nacp > 0 && k % (nacp + 1) < nacp)
			q->acps[i] = pdp_acp_name(img, k % (nacp + 1));
		else
			q->acps[i] = k & 1u ? fz_cstr("acp-unknown") : fr_bytes(r, 16);
	}
	req->acps = req->n_acps ? q->acps : NULL;
	b = fr_u8(r);
	req->type = b & 1u ? (int32_t)(fr_u8(r) % 64) - 1 : -1;
	req->child_type = b & 2u ? (int32_t)(fr_u8(r) % 64) - 1 : -1;
	if (b & 4u)
		req->specialization = fr_bytes(r, 24);
	req->self = (b & 8u) != 0;
	req->has_time = (b & 16u) != 0;
	if (req->has_time)
		req->time = fz_time(r);
	req->has_ip = (b & 32u) != 0;
	if (req->has_ip) {
		pdp_value v;
		fz_value(r, PDP_TYPE_IP, &v, NULL);
		req->ip = v.type == PDP_TYPE_IP ? v.u.ip : req->ip;
	}
	if (b & 64u)
		req->country = fz_pick_str(r, fz_strs, sizeof(fz_strs) / sizeof(*fz_strs));
	req->has_location = (b & 128u) != 0;
	if (req->has_location) {
		if (fr_bool(r)) {
			req->lat = (double)fr_u32(r) / 4294967295.0 * 180.0 - 90.0;
			req->lon = (double)fr_u32(r) / 4294967295.0 * 360.0 - 180.0;
		} else {
			uint64_t a = fr_u64(r), c = fr_u64(r);
			memcpy(&req->lat, &a, sizeof(a));
			memcpy(&req->lon, &c, sizeof(c));
		}
	}
	uint32_t nattr = pdp_attr_count(img);
	req->n_attrs = fr_u8(r) % (FZ_MAX_ATTRS + 1);
	for (size_t i = 0; i < req->n_attrs; i++) {
		uint32_t id = fr_u8(r);
		if (nattr > 0 && id != 0xff) {
			id %= nattr;
			/* round-trip through the name lookup, as a CSE would */
			pdp_str name = pdp_attr_name(img, id);
			uint32_t id2 = pdp_attr_id(img, name);
			FUZZ_CHECK(!strict || id2 == id, "attr %u '%.*s' looks up as %u",
			           id, (int)name.len, name.ptr ? name.ptr : "", id2);
		} else
			id = fr_u8(r) & 1u ? PDP_NONE : fr_u32(r);
		q->attrs[i].id = id;
		fz_value(r, pdp_attr_type(img, id), &q->attrs[i].value, q->sets[i]);
	}
	req->attrs = req->n_attrs ? q->attrs : NULL;
}

/* Check what every decision must satisfy, then format its reason. */
static inline void fz_check_decision(const pdp_image *img, const pdp_request *req,
                                     const pdp_decision *d, fuzz_reader *r)
{
	FUZZ_CHECK(d->effect == PDP_DENY || d->effect == PDP_PERMIT,
	           "effect %d", (int)d->effect);
	FUZZ_CHECK(d->effect == PDP_DENY || (d->reason == PDP_REASON_RULE &&
	                                     !d->indeterminate),
	           "permit with reason %d", (int)d->reason);
	FUZZ_CHECK((unsigned)d->reason <= PDP_REASON_BAD_REQUEST, "reason %d",
	           (int)d->reason);
	FUZZ_CHECK(pdp_reason_name(d->reason) != NULL, "no reason name");
	if (d->reason == PDP_REASON_RULE)
		FUZZ_CHECK(d->acp < pdp_acp_count(img), "rule acp %u of %u", d->acp,
		           pdp_acp_count(img));
	if (d->reason == PDP_REASON_UNKNOWN_ACP)
		FUZZ_CHECK(d->acp < req->n_acps, "unknown acp %u of %zu", d->acp,
		           req->n_acps);
	if (d->reason == PDP_REASON_ROLE_NOT_AUTHORIZED)
		FUZZ_CHECK(d->detail < req->n_roles, "role %u of %zu", d->detail,
		           req->n_roles);
	if (d->reason == PDP_REASON_NO_ACP)
		FUZZ_CHECK(req->n_acps == 0, "no-acp with %zu acps", req->n_acps);
	char buf[512];
	bool with_id = fr_bool(r);
	size_t need = pdp_reason_format(img, d, with_id, buf, sizeof(buf));
	FUZZ_CHECK(need < sizeof(buf) ? strlen(buf) == need : true,
	           "reason length %zu vs %zu", need, strlen(buf));
	/* a small buffer must be cut, NUL-terminated, and ask for the same */
	size_t small = fr_u8(r) % 16;
	char cut[16];
	memset(cut, 'x', sizeof(cut));
	size_t need2 = pdp_reason_format(img, d, with_id, small ? cut : NULL, small);
	FUZZ_CHECK(need2 == need, "reason length %zu vs %zu with size %zu", need2,
	           need, small);
	if (small)
		FUZZ_CHECK(memchr(cut, 0, small) != NULL, "not NUL-terminated");
}

/* Decide count requests generated from r on img (and the same through a
 * session when the reader says so). */
static inline void fz_decide_some(const pdp_image *img, pdp_scratch *scratch,
                                  fuzz_reader *r, unsigned count, bool strict)
{
	static fz_req q; /* large: keep it off the fuzzer's stack */
	for (unsigned k = 0; k < count; k++) {
		fz_make_request(img, r, &q, strict);
		pdp_decision d;
		memset(&d, 0xa5, sizeof(d));
		FUZZ_CHECK(pdp_decide(img, scratch, &q.req, &d) == PDP_OK, "decide");
		fz_check_decision(img, &q.req, &d, r);
		/* deciding is a pure function of its inputs */
		pdp_decision d2;
		memset(&d2, 0x5a, sizeof(d2));
		pdp_decide(img, scratch, &q.req, &d2);
		FUZZ_CHECK(d.effect == d2.effect && d.reason == d2.reason &&
		           d.acp == d2.acp && d.rule == d2.rule &&
		           d.self == d2.self && d.detail == d2.detail &&
		           d.indeterminate == d2.indeterminate,
		           "same request, different decision");
		if (!fr_bool(r) || q.req.originator.ptr == NULL)
			continue;
		/* the same user through a session */
		size_t sz = pdp_session_size(img);
		void *mem = malloc(sz ? sz : 1);
		if (mem == NULL)
			continue;
		pdp_session *s = NULL;
		pdp_error err;
		if (pdp_session_init(mem, sz, img, q.req.originator, &s, &err) ==
		    PDP_OK) {
			for (size_t i = 0; i < q.req.n_roles; i++)
				(void)pdp_session_add_role(s, q.req.roles[i], &err);
			uint32_t nr = pdp_session_role_count(s);
			for (uint32_t i = 0; i < nr; i++)
				(void)pdp_session_role(s, i);
			FUZZ_CHECK(pdp_session_decide(s, scratch, &q.req, &d) == PDP_OK,
			           "session decide");
			FUZZ_CHECK(d.effect == PDP_DENY || d.reason == PDP_REASON_RULE,
			           "session permit with reason %d", (int)d.reason);
			if (q.req.n_roles > 0)
				(void)pdp_session_drop_role(s, q.req.roles[0], &err);
		}
		free(mem);
	}
}

#endif
