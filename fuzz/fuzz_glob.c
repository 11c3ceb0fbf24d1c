/*
 * fuzz_glob.c - differential: the glob matcher of src/common/glob.c against
 * the reference matcher of tests/ref/glob_ref.h (docs/language.md section 4
 * written as a plain recursion), on any bytes. The input is
 * "pattern NUL text" (without a NUL: split in the middle); each side is
 * cut to REF_GLOB_MAX bytes so that the reference stays polynomial.
 *
 * Checked: both matchers give the same answer, with the pattern's '*' and
 * '?' as wildcards, the text's as literal characters, '?' as one UTF-8
 * character, neither crossing '/'; and utf8_char_len / utf8_valid agree
 * with the reference decoder. Both sides live in exact-size heap buffers,
 * so a read past either counted string is caught by ASan.
 */
#include "../tests/ref/glob_ref.h"
#include "common/prims.h"
#include "fuzz.h"

static char *own(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);
	if (s != NULL && n)
		memcpy(s, p, n);
	return s;
}

static void check_utf8(const char *s, size_t n)
{
	pdp_str str = {s, n};
	FUZZ_CHECK(utf8_valid(str) == ref_utf8_ok(s, n),
	           "utf8_valid of %zu bytes disagrees with the reference", n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(utf8_char_len(s + i, n - i) == ref_utf8_len(s + i, n - i),
		           "utf8_char_len at %zu: %zu, reference %zu", i,
		           utf8_char_len(s + i, n - i), ref_utf8_len(s + i, n - i));
}

static void check_glob(const char *p, size_t pn, const char *t, size_t tn)
{
	pdp_str pat = {p, pn}, text = {t, tn};
	bool got = glob_match(pat, text);
	bool want = ref_glob(p, pn, t, tn);
	FUZZ_CHECK(got == want, "pattern \"%.*s\" text \"%.*s\": %d, reference %d",
	           (int)pn, p, (int)tn, t, got, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t pn = nul ? (size_t)(nul - data) : size / 2;
	size_t toff = nul ? pn + 1 : pn;
	size_t tn = size - toff;
	if (pn > REF_GLOB_MAX)
		pn = REF_GLOB_MAX;
	if (tn > REF_GLOB_MAX)
		tn = REF_GLOB_MAX;
	char *p = own(data, pn), *t = own(data + toff, tn);
	if (p != NULL && t != NULL) {
		check_glob(p, pn, t, tn);
		check_glob(t, tn, p, pn); /* each side as the other */
		check_glob(p, pn, p, pn);
		check_utf8(p, pn);
		check_utf8(t, tn);
	}
	free(p);
	free(t);
	return 0;
}
