/*
 * fuzz_regex_cond.c - a fuzzed PCRE2 pattern in a `matches:` condition.
 * Input: pattern bytes, then (after the first NUL) subject strings separated
 * by NULs. The pattern goes into a fixed policy template as a YAML
 * double-quoted scalar (every byte escaped as needed); if the policy
 * compiles, the image must load and every decision on the subjects (as a
 * declared string attribute and as the built-in originator.id) must come
 * back quickly: the match, depth and heap limits of the scratch bound
 * catastrophic backtracking, which then counts as indeterminate.
 */
#include <time.h>

#include "fuzz.h"

#define MAX_PATTERN 512
#define MAX_SUBJECTS 8
#define SLOW_NS 2000000000LL /* 2 s: a decision must never take this long */

static const char head[] =
	"pdp: 1\n"
	"attributes:\n"
	"  originator.department: string\n"
	"acps:\n"
	"  - id: acp-re\n"
	"    privileges:\n"
	"      - originators: [all]\n"
	"        operations: [retrieve]\n"
	"        when: { attr: originator.department, matches: \"";
static const char mid[] =
	"\" }\n"
	"      - originators: [all]\n"
	"        operations: [update]\n"
	"        effect: deny\n"
	"        when: { not: { attr: originator.id, matches: \"";
static const char tail[] = "\" } }\n";

/* YAML double-quoted escaping of raw bytes. Bytes >= 0x80 cannot be given
 * one by one (\xNN means the code point U+00NN), so they become '.', which
 * keeps the pattern's shape. Returns the length written. */
static size_t quote(char *out, const uint8_t *p, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];
		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch >= 0x20 && ch < 0x7f)
			out[o++] = (char)ch;
		else if (ch >= 0x80)
			out[o++] = '.';
		else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	return o;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	if (plen > MAX_PATTERN)
		return 0;
	static char yaml[sizeof(head) + sizeof(mid) + sizeof(tail) +
	                 8 * MAX_PATTERN];
	size_t o = 0;
	memcpy(yaml + o, head, sizeof(head) - 1);
	o += sizeof(head) - 1;
	o += quote(yaml + o, data, plen);
	memcpy(yaml + o, mid, sizeof(mid) - 1);
	o += sizeof(mid) - 1;
	o += quote(yaml + o, data, plen);
	memcpy(yaml + o, tail, sizeof(tail) - 1);
	o += sizeof(tail) - 1;

	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return 0;
	const uint8_t *bytes = NULL;
	size_t len = 0;
	if (pdpc_add_buffer(c, "regex.yaml", yaml, o) != PDPC_OK ||
	    pdpc_compile(c, &bytes, &len) != PDPC_OK) {
		pdpc_free(c);
		return 0;
	}
	pdp_image *img = NULL;
	pdp_error err;
	FUZZ_CHECK(pdp_image_load(bytes, len, &img, &err) == PDP_OK,
	           "a pattern the compiler accepts does not load: %s",
	           err.message);
	pdpc_free(c);
	pdp_scratch *scratch = NULL;
	FUZZ_CHECK(pdp_scratch_new(img, &scratch, &err) == PDP_OK, "scratch: %s",
	           err.message);
	uint32_t dept = pdp_attr_id(img, fz_cstr("originator.department"));
	FUZZ_CHECK(dept != PDP_NONE, "attribute missing");

	/* subjects: the NUL-separated rest, then some fixed troublemakers */
	pdp_str subj[MAX_SUBJECTS + 4];
	size_t ns = 0;
	if (nul != NULL) {
		const uint8_t *p = nul + 1, *end = data + size;
		while (p <= end && ns < MAX_SUBJECTS) {
			const uint8_t *q = memchr(p, 0, (size_t)(end - p));
			if (q == NULL)
				q = end;
			subj[ns].ptr = (const char *)p;
			subj[ns].len = (size_t)(q - p);
			ns++;
			p = q + 1;
		}
	}
	static char longa[4097];
	if (longa[0] == 0) {
		memset(longa, 'a', sizeof(longa) - 1);
		longa[sizeof(longa) - 2] = '!';
	}
	subj[ns++] = fz_cstr("ops");
	subj[ns++] = (pdp_str){longa, sizeof(longa) - 1};
	subj[ns++] = (pdp_str){(const char *)data, plen};
	subj[ns++] = (pdp_str){"", 0};

	static const uint32_t ops[2] = {PDP_OP_RETRIEVE, PDP_OP_UPDATE};
	pdp_str acp = fz_cstr("acp-re");
	for (size_t i = 0; i < ns; i++) {
		for (int k = 0; k < 2; k++) {
			pdp_request req;
			pdp_request_init(&req);
			req.originator = subj[i];
			if (req.originator.len == 0)
				req.originator = fz_cstr("CAE-x");
			req.operation = ops[k];
			req.acps = &acp;
			req.n_acps = 1;
			pdp_attr a = {dept, {.type = PDP_TYPE_STRING}};
			a.value.u.s = subj[i];
			req.attrs = &a;
			req.n_attrs = 1;
			pdp_decision d;
			long long t0 = now_ns();
			FUZZ_CHECK(pdp_decide(img, scratch, &req, &d) == PDP_OK,
			           "decide");
			long long dt = now_ns() - t0;
			FUZZ_CHECK(dt < SLOW_NS, "decision took %lld ms", dt / 1000000);
			FUZZ_CHECK(d.effect == PDP_DENY || d.reason == PDP_REASON_RULE,
			           "permit with reason %d", (int)d.reason);
			char buf[128];
			(void)pdp_reason_format(img, &d, true, buf, sizeof(buf));
		}
	}
	pdp_scratch_free(scratch);
	pdp_image_release(img);
	return 0;
}
