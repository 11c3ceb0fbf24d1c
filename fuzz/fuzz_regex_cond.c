/*
 * fuzz_regex_cond.c - a fuzzed PCRE2 pattern in a `matches:` condition.
 * Input: pattern bytes, then (after the first NUL) subjects separated by
 * NULs. A subject that starts with the byte 0x01 is a repeat: 0x01, a count
 * byte R, a unit, and optionally 0x02 and a tail of up to 64 bytes; the unit
 * is repeated to (R + 1) * 128 bytes (128 to 32,768: both sides of the
 * 16 KiB regex subject limit), then the tail follows. Any other subject is
 * taken as it is. The pattern goes into a fixed policy template as a YAML
 * double-quoted scalar (every byte escaped as needed); if the policy
 * compiles, the image must load, and on every subject (as a declared string
 * attribute and as the built-in originator.id):
 *  - each decision takes under 20 ms of CPU time: the step budget bounds the
 *    whole search, whatever the pattern and the subject length;
 *  - a subject over the subject limit never lets the permit rule grant;
 *  - when pdp's answer is determinate it is PCRE2's own answer for the same
 *    pattern with the same options and no budget (so the budget's callouts
 *    never change an answer, and `$` is the end of the value).
 */
#include <time.h>

#include "common/limits.h"
#include "common/regex.h"
#include "fuzz.h"
#include "image/image.h"

#define MAX_PATTERN 512
#define MAX_SUBJECTS 8
#define SLOW_NS 20000000LL /* 20 ms of CPU for one decision */
#define REPEAT_MARK 0x01
#define TAIL_MARK 0x02
#define REPEAT_UNIT 128u
#define MAX_TAIL 64u

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
static const char mid2[] =
	"\" } }\n"
	"      - { originators: [all], operations: [delete] }\n"
	"      - originators: [all]\n"
	"        operations: [delete]\n"
	"        effect: deny\n"
	"        when: { attr: originator.department, matches: \"";
static const char tail[] = "\" }\n";

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

static size_t append(char *out, size_t o, const char *s, size_t n)
{
	memcpy(out + o, s, n);
	return o + n;
}

static long long cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The subject a chunk of the input stands for (see the header), built in
 * buf when it is a repeat. */
static pdp_str make_subject(const uint8_t *p, size_t n, char *buf)
{
	if (n < 3 || p[0] != REPEAT_MARK)
		return (pdp_str){(const char *)p, n};
	const uint8_t *mark = memchr(p + 3, TAIL_MARK, n - 3);
	size_t unit = (mark ? (size_t)(mark - p) : n) - 2;
	size_t tail_len = mark ? n - (size_t)(mark - p) - 1 : 0;
	if (tail_len > MAX_TAIL)
		tail_len = MAX_TAIL;
	size_t len = ((size_t)p[1] + 1u) * REPEAT_UNIT;
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)p[2 + i % unit];
	if (tail_len > 0)
		memcpy(buf + len, mark + 1, tail_len);
	return (pdp_str){buf, len + tail_len};
}

/* PCRE2's answer with pdp's options but no callouts and no budget: 1
 * match, 0 no match, -1 it hit one of PCRE2's own limits. */
static int plain_pcre2(pdp_str pattern, pdp_str subject)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile(
		(PCRE2_SPTR)pattern.ptr, pattern.len,
		REGEX_COMPILE_OPTIONS & ~(uint32_t)PCRE2_AUTO_CALLOUT, &code, &off,
		NULL);
	FUZZ_CHECK(re != NULL, "pattern compiles with callouts, not without");
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = md ? pcre2_match(re, (PCRE2_SPTR)subject.ptr, subject.len, 0, 0,
	                          md, NULL)
	            : PCRE2_ERROR_NOMEMORY;
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* Decide op with the subject as originator.department and, when
 * as_originator, as the originator too. */
static pdp_decision decide(const pdp_image *img, pdp_scratch *scratch,
                           uint32_t dept, pdp_str subject, uint32_t op,
                           bool as_originator)
{
	pdp_str acp = fz_cstr("acp-re");
	pdp_request req;
	pdp_request_init(&req);
	req.originator = as_originator && subject.len ? subject : fz_cstr("CAE-x");
	req.operation = op;
	req.acps = &acp;
	req.n_acps = 1;
	pdp_attr a = {dept, {.type = PDP_TYPE_STRING}};
	a.value.u.s = subject;
	req.attrs = &a;
	req.n_attrs = 1;
	pdp_decision d;
	/* a slow search is slow every time; a loaded machine (a VM's stolen
	 * time shows as CPU time) only now and then: the best of three */
	long long dt = SLOW_NS;
	for (int i = 0; i < 3 && dt >= SLOW_NS; i++) {
		long long t0 = cpu_ns();
		FUZZ_CHECK(pdp_decide(img, scratch, &req, &d) == PDP_OK, "decide");
		dt = cpu_ns() - t0;
	}
	FUZZ_CHECK(dt < SLOW_NS, "a decision on %zu bytes took %lld ms",
	           subject.len, dt / 1000000);
	FUZZ_CHECK(d.effect == PDP_DENY || d.reason == PDP_REASON_RULE,
	           "permit with reason %d", (int)d.reason);
	char buf[128];
	(void)pdp_reason_format(img, &d, true, buf, sizeof(buf));
	return d;
}

/* Check the decisions on one subject. */
static void check_subject(const pdp_image *img, pdp_scratch *scratch,
                          uint32_t dept, pdp_str pattern, pdp_str subject)
{
	pdp_decision d = decide(img, scratch, dept, subject, PDP_OP_RETRIEVE, true);
	if (subject.len > PDP_MAX_REGEX_SUBJECT_BYTES)
		FUZZ_CHECK(d.effect == PDP_DENY,
		           "a %zu-byte value granted past the subject limit",
		           subject.len);
	(void)decide(img, scratch, dept, subject, PDP_OP_UPDATE, true);
	/* delete: rule 0 permits, rule 1 denies on a match (as indeterminate
	 * when a limit tripped) */
	d = decide(img, scratch, dept, subject, PDP_OP_DELETE, false);
	FUZZ_CHECK(d.reason == PDP_REASON_RULE, "delete: reason %d", (int)d.reason);
	if (d.effect == PDP_DENY && d.indeterminate)
		return;
	int plain = plain_pcre2(pattern, subject);
	FUZZ_CHECK(plain < 0 || plain == (d.effect == PDP_DENY),
	           "pdp says %s, PCRE2 says %s on %zu bytes",
	           d.effect == PDP_DENY ? "match" : "no match",
	           plain ? "match" : "no match", subject.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	if (plen > MAX_PATTERN)
		return 0;
	static char yaml[sizeof(head) + sizeof(mid) + sizeof(mid2) +
	                 sizeof(tail) + 12 * MAX_PATTERN];
	size_t o = append(yaml, 0, head, sizeof(head) - 1);
	o += quote(yaml + o, data, plen);
	o = append(yaml, o, mid, sizeof(mid) - 1);
	o += quote(yaml + o, data, plen);
	o = append(yaml, o, mid2, sizeof(mid2) - 1);
	o += quote(yaml + o, data, plen);
	o = append(yaml, o, tail, sizeof(tail) - 1);

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
	FUZZ_CHECK(img->count[SEC_REGEXES] >= 1, "no regex");
	pdp_str pattern = img_str(img, img_word(img, SEC_REGEXES, 0));

	/* subjects: the NUL-separated rest, then some fixed troublemakers */
	static char built[MAX_SUBJECTS][256u * REPEAT_UNIT + MAX_TAIL];
	pdp_str subj[MAX_SUBJECTS + 5];
	size_t ns = 0;
	if (nul != NULL) {
		const uint8_t *p = nul + 1, *end = data + size;
		while (p <= end && ns < MAX_SUBJECTS) {
			const uint8_t *q = memchr(p, 0, (size_t)(end - p));
			if (q == NULL)
				q = end;
			subj[ns] = make_subject(p, (size_t)(q - p), built[ns]);
			ns++;
			p = q + 1;
		}
	}
	static char longa[4097], spaces[PDP_MAX_REGEX_SUBJECT_BYTES];
	if (longa[0] == 0) {
		memset(longa, 'a', sizeof(longa) - 1);
		longa[sizeof(longa) - 2] = '!';
		memset(spaces, ' ', sizeof(spaces));
		spaces[sizeof(spaces) - 1] = 'x';
	}
	subj[ns++] = fz_cstr("ops");
	subj[ns++] = (pdp_str){longa, sizeof(longa) - 1};
	subj[ns++] = (pdp_str){spaces, sizeof(spaces)};
	subj[ns++] = (pdp_str){(const char *)data, plen};
	subj[ns++] = (pdp_str){"", 0};

	for (size_t i = 0; i < ns; i++)
		check_subject(img, scratch, dept, pattern, subj[i]);
	pdp_scratch_free(scratch);
	pdp_image_release(img);
	return 0;
}
