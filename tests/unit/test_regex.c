/*
 * test_regex.c - `matches` on adversarial pattern/subject pairs, through
 * pdp_decide: every pair whose matching work grows faster than the subject
 * must come back indeterminate (a permit rule does not grant, a deny rule
 * denies), whatever the subject length; ordinary searches keep working up to
 * the longest subject a regex test takes. Functional assertions only: the
 * time these take is measured by bench/pdp-bench-regex (docs/limits.md).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

/* ACP "p": one permit rule on the pattern. ACP "d": permit everything, then
 * a deny rule on the pattern (rule 1). The pattern is a YAML single-quoted
 * scalar, so it must not hold a quote. */
static pdp_image *load_pattern(const char *pattern)
{
	char text[1024];
	snprintf(text, sizeof(text),
	         "pdp: 1\n"
	         "attributes: { originator.note: string }\n"
	         "acps:\n"
	         "  - id: p\n"
	         "    privileges:\n"
	         "      - originators: [all]\n"
	         "        operations: [retrieve]\n"
	         "        when: { attr: originator.note, matches: '%s' }\n"
	         "  - id: d\n"
	         "    privileges:\n"
	         "      - { originators: [all], operations: [retrieve] }\n"
	         "      - originators: [all]\n"
	         "        operations: [retrieve]\n"
	         "        effect: deny\n"
	         "        when: { attr: originator.note, matches: '%s' }\n",
	         pattern, pattern);
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	cr_assert_eq(pdpc_add_buffer(c, "regex.yaml", text, strlen(text)), PDPC_OK);
	const uint8_t *bytes;
	size_t len;
	cr_assert_eq(pdpc_compile(c, &bytes, &len), PDPC_OK, "'%s' does not compile",
	             pattern);
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_OK, "%s",
	             err.message);
	pdpc_free(c);
	return img;
}

/* head, then fill repeated to n bytes, then tail; malloc'd, *len set. */
static char *subject(const char *head, const char *fill, size_t n,
                     const char *tail, size_t *len)
{
	size_t hl = strlen(head), fl = strlen(fill), tl = strlen(tail);
	char *s = malloc(hl + n + tl + 1);
	cr_assert_not_null(s);
	memcpy(s, head, hl);
	for (size_t i = 0; i < n; i++)
		s[hl + i] = fill[i % fl];
	memcpy(s + hl + n, tail, tl + 1);
	*len = hl + n + tl;
	return s;
}

static pdp_decision decide_note(pdp_image *img, pdp_scratch *sc, const char *acp,
                                const char *note, size_t len)
{
	pdp_attr attr = {pdp_attr_id(img, S("originator.note")),
	                 {.type = PDP_TYPE_STRING}};
	cr_assert_neq(attr.id, PDP_NONE);
	attr.value.u.s.ptr = note;
	attr.value.u.s.len = len;
	pdp_str acps[1] = {S(acp)};
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S("CAE-x");
	q.operation = PDP_OP_RETRIEVE;
	q.acps = acps;
	q.n_acps = 1;
	q.attrs = &attr;
	q.n_attrs = 1;
	pdp_decision d;
	cr_assert_eq(pdp_decide(img, sc, &q, &d), PDP_OK);
	return d;
}

/* The test on the note is indeterminate: "p" does not grant, "d" denies by
 * its deny rule, as indeterminate. */
static void expect_indeterminate(pdp_image *img, pdp_scratch *sc,
                                 const char *pattern, const char *note,
                                 size_t len)
{
	pdp_decision d = decide_note(img, sc, "p", note, len);
	cr_assert_eq(d.effect, PDP_DENY,
	             "'%s' on %zu bytes: the permit rule granted", pattern, len);
	d = decide_note(img, sc, "d", note, len);
	cr_assert(d.effect == PDP_DENY && d.reason == PDP_REASON_RULE &&
	          d.rule == 1 && d.indeterminate,
	          "'%s' on %zu bytes: the deny rule did not deny as indeterminate "
	          "(effect %d, reason %d, rule %u)",
	          pattern, len, (int)d.effect, (int)d.reason, d.rule);
}

static void expect_match(pdp_image *img, pdp_scratch *sc, const char *pattern,
                         const char *note, size_t len, bool match)
{
	pdp_decision d = decide_note(img, sc, "p", note, len);
	cr_assert_eq(d.effect, match ? PDP_PERMIT : PDP_DENY,
	             "'%s' on %zu bytes: expected %s", pattern, len,
	             match ? "a match" : "no match");
	d = decide_note(img, sc, "d", note, len);
	cr_assert_eq(d.effect, match ? PDP_DENY : PDP_PERMIT);
	cr_assert(!d.indeterminate);
}

typedef struct adversarial {
	const char *pattern, *head, *fill, *tail;
} adversarial;

/* Each pair's work grows at least with the square of the subject when the
 * engine retries every start position, or exponentially by backtracking. */
static const adversarial PAIRS[] = {
	{"\\s+$", "", " ", "x"},           /* rescans the spaces from every start */
	{"(?=.*x)", "", "a", "y"},          /* a lookahead scanning to the end */
	{"\\s++$", "", " ", "x"},          /* possessive: no backtracking, still n^2 */
	{"(a+)+$", "", "a", "b"},           /* nested quantifiers */
	{"(a|a)*b", "", "a", "cb"},         /* equal alternatives */
	{".*.*.*x", "x", "a", ""},          /* overlapping quantifiers: n^3 */
	{"(a+)\\1x", "", "a", "yx"},       /* backreference */
	{"(.+)\\1+x", "", "ab", "yx"},     /* repeated backreference */
	/* a counted repeat that scans 29 bytes and fails, nine times a start */
	{"(?:||||||||)\\s{30}x", "", "                             a", "x"},
	{"\\w+\\d+x", "", "1", "!x"},        /* overlapping adjacent quantifiers */
};

static const size_t SIZES[] = {2000, 8000, 16000, 30000, 70000, 300000};

Test(regex, adversarial_pairs_are_indeterminate, .timeout = 120)
{
	for (size_t i = 0; i < sizeof(PAIRS) / sizeof(PAIRS[0]); i++) {
		const adversarial *a = &PAIRS[i];
		pdp_image *img = load_pattern(a->pattern);
		pdp_scratch *sc = NULL;
		cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
		for (size_t k = 0; k < sizeof(SIZES) / sizeof(SIZES[0]); k++) {
			size_t len;
			char *s = subject(a->head, a->fill, SIZES[k], a->tail, &len);
			expect_indeterminate(img, sc, a->pattern, s, len);
			free(s);
		}
		pdp_scratch_free(sc);
		pdp_image_free(img);
	}
}

/* `matches` stays a search anywhere in the value, and a short value that
 * does not match is plainly false. */
Test(regex, ordinary_searches_keep_their_answer)
{
	pdp_image *img = load_pattern("(a+)+$");
	pdp_scratch *sc = NULL;
	cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
	expect_match(img, sc, "(a+)+$", "xyzaaaa", 7, true);
	expect_match(img, sc, "(a+)+$", "aaab", 4, false);
	pdp_scratch_free(sc);
	pdp_image_free(img);

	img = load_pattern("\\s+$");
	cr_assert_eq(pdp_scratch_new(img, &sc, NULL), PDP_OK);
	expect_match(img, sc, "\\s+$", "trailing  ", 10, true);
	expect_match(img, sc, "\\s+$", "a b c", 5, false);
	pdp_scratch_free(sc);
	pdp_image_free(img);
}
