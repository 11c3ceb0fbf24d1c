/*
 * fuzz_compile.c - policy bytes -> compiler. Whatever the input, the compiler
 * must not crash; when it compiles:
 *   - a second compile of the same sources gives the same bytes;
 *   - the image loads (pdp_image_load == PDP_OK);
 *   - a few fixed requests decide without crashing, keeping the invariants
 *     of fz_check_decision.
 * An input holding the line "---8<---" is split there into two files, which
 * exercises merging (duplicate ids across files and so on). Lint runs too.
 * Read with the whole YAML tree first (cc.h: whole_trees) instead of the
 * `acps:` items as they load, the outcome must be the same: status,
 * diagnostics and image.
 */
#include "compiler/cc.h"
#include "fuzz.h"

static const char SPLIT[] = "\n---8<---\n";

static void add_sources(pdpc_compiler *c, const char *data, size_t size)
{
	const char *cut = NULL;
	size_t sl = sizeof(SPLIT) - 1;
	for (size_t i = 0; i + sl <= size; i++)
		if (memcmp(data + i, SPLIT, sl) == 0) {
			cut = data + i;
			break;
		}
	if (cut == NULL) {
		(void)pdpc_add_buffer(c, "fuzz.yaml", data, size);
		return;
	}
	size_t first = (size_t)(cut - data);
	(void)pdpc_add_buffer(c, "a.yaml", data, first + 1);
	(void)pdpc_add_buffer(c, "b.yaml", cut + sl, size - first - sl);
}

static void check_diags(const pdpc_compiler *c)
{
	size_t n = pdpc_diag_count(c), errs = 0;
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		FUZZ_CHECK(d != NULL, "diag %zu of %zu", i, n);
		FUZZ_CHECK(d->code != NULL && d->message != NULL, "diag text");
		FUZZ_CHECK(d->severity <= PDPC_ERROR, "severity");
		errs += d->severity == PDPC_ERROR;
		(void)strlen(d->code);
		(void)strlen(d->message);
		if (d->hint)
			(void)strlen(d->hint);
		if (d->file && d->line) {
			size_t len = 0;
			const char *l = pdpc_source_line(c, d->file, d->line, &len);
			if (l)
				(void)memchr(l, 0, len); /* readable */
		}
	}
	FUZZ_CHECK(errs == pdpc_diag_count_severity(c, PDPC_ERROR),
	           "error count %zu", errs);
}

/* A second compile of the same input read the other way reports the same,
 * in the same order, and writes the same image. */
static void check_whole_trees(const uint8_t *data, size_t size,
                              const pdpc_compiler *c, pdpc_status st,
                              const uint8_t *img, size_t len)
{
	pdpc_compiler *w = pdpc_new();
	if (w == NULL)
		return;
	w->whole_trees = true;
	add_sources(w, (const char *)data, size);
	const uint8_t *wimg = NULL;
	size_t wlen = 0;
	pdpc_status wst = pdpc_compile(w, &wimg, &wlen);
	if (wst == PDPC_ERR_NOMEM || st == PDPC_ERR_NOMEM) {
		pdpc_free(w);
		return;
	}
	FUZZ_CHECK(wst == st, "status %d read whole, %d streamed", (int)wst,
	           (int)st);
	FUZZ_CHECK(wlen == len && (len == 0 || memcmp(wimg, img, len) == 0),
	           "images differ read whole and streamed");
	size_t n = pdpc_diag_count(c);
	FUZZ_CHECK(pdpc_diag_count(w) == n, "%zu diagnostics read whole, %zu "
	           "streamed", pdpc_diag_count(w), n);
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *a = pdpc_diag_get(c, i), *b = pdpc_diag_get(w, i);
		FUZZ_CHECK(a->line == b->line && a->col == b->col &&
		           strcmp(a->code, b->code) == 0 &&
		           strcmp(a->message, b->message) == 0,
		           "diagnostic %zu differs: %s %s / %s %s", i, a->code,
		           a->message, b->code, b->message);
	}
	pdpc_free(w);
}

/* Fixed request material (fuzz.h reads it as a stream of choices). */
static const uint8_t fixed[] = {
	0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x01, 0x00, 0xff, 0x03, 0x00, 0x02, 0x07, 0x02, 0x40,
	0x01, 0x09, 0x02, 0x05, 0x11, 0x7f, 0x10, 0x31, 0x00, 0x61, 0x62,
	0x02, 0x03, 0x03, 0x04, 0x01, 0x1f, 0x00, 0x01, 0x00, 0x07, 0x00,
	0x03, 0x21, 0x01, 0x02, 0xe1, 0x05, 0x0a, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return 0;
	add_sources(c, (const char *)data, size);
	const uint8_t *img_bytes = NULL;
	size_t img_len = 0;
	pdpc_status st = pdpc_compile(c, &img_bytes, &img_len);
	check_diags(c);
	check_whole_trees(data, size, c, st, img_bytes, img_len);
	if (st != PDPC_OK) {
		FUZZ_CHECK(img_bytes == NULL, "image on failure");
		FUZZ_CHECK(st != PDPC_ERR_POLICY ||
		           pdpc_diag_count_severity(c, PDPC_ERROR) > 0,
		           "policy error without an error diagnostic");
		(void)pdpc_lint(c);
		check_diags(c);
		pdpc_free(c);
		return 0;
	}
	FUZZ_CHECK(img_bytes != NULL && img_len > 0, "no image");
	FUZZ_CHECK(pdpc_diag_count_severity(c, PDPC_ERROR) == 0,
	           "compiled with errors");
	uint8_t *copy = malloc(img_len);
	if (copy == NULL) {
		pdpc_free(c);
		return 0;
	}
	memcpy(copy, img_bytes, img_len);

	/* determinism: a fresh compiler, same sources, same bytes */
	pdpc_compiler *c2 = pdpc_new();
	if (c2 != NULL) {
		add_sources(c2, (const char *)data, size);
		const uint8_t *b2 = NULL;
		size_t l2 = 0;
		FUZZ_CHECK(pdpc_compile(c2, &b2, &l2) == PDPC_OK,
		           "second compile failed");
		FUZZ_CHECK(l2 == img_len && memcmp(b2, copy, l2) == 0,
		           "compile is not deterministic (%zu vs %zu bytes)", l2,
		           img_len);
		/* lint may warn but must agree that there are no errors */
		FUZZ_CHECK(pdpc_lint(c2) == PDPC_OK, "lint finds errors that "
		                                     "compile did not");
		check_diags(c2);
		pdpc_free(c2);
	}
	pdpc_free(c);

	pdp_image *img = NULL;
	pdp_error err;
	pdp_status ls = pdp_image_load(copy, img_len, &img, &err);
	FUZZ_CHECK(ls == PDP_OK, "compiled image does not load: %d %s", (int)ls,
	           err.message);
	pdp_scratch *scratch = NULL;
	FUZZ_CHECK(pdp_scratch_new(img, &scratch, &err) == PDP_OK, "scratch: %s",
	           err.message);
	uint32_t nacp = pdp_acp_count(img);
	for (uint32_t i = 0; i < nacp; i++) {
		pdp_str name = pdp_acp_name(img, i);
		FUZZ_CHECK(name.ptr != NULL, "acp %u has no name", i);
		FUZZ_CHECK(pdp_acp_index(img, name) == i, "acp %u lookup", i);
	}
	uint32_t nattr = pdp_attr_count(img);
	for (uint32_t i = 0; i < nattr; i++) {
		pdp_str name = pdp_attr_name(img, i);
		FUZZ_CHECK(pdp_attr_id(img, name) == i, "attr %u lookup", i);
	}
	fuzz_reader r = {fixed, sizeof(fixed)};
	fz_decide_some(img, scratch, &r, 6, true);
	/* then a few more shaped by the policy text itself */
	fuzz_reader r2 = {data, size < 512 ? size : 512};
	fz_decide_some(img, scratch, &r2, 2, true);
	pdp_scratch_free(scratch);
	pdp_image_release(img);
	free(copy);
	return 0;
}
