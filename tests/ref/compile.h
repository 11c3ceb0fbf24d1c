/*
 * compile.h - policy text to a loaded image, for tests that build policies
 * as text (test_store_diff.c, test_policy_diff.c, test_audit_abac.c).
 */
#ifndef PDP_TESTS_COMPILE_H
#define PDP_TESTS_COMPILE_H

#include <criterion/criterion.h>
#include <string.h>

#include "pdp/pdp.h"
#include "pdp/pdpc.h"

/* Compile txt; NULL when it does not compile. */
static inline pdp_image *compile_policy(const char *txt)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	cr_assert_eq(pdpc_add_buffer(c, "set.yaml", txt, strlen(txt)), PDPC_OK);
	const uint8_t *bytes;
	size_t len;
	pdp_image *img = NULL;
	if (pdpc_compile(c, &bytes, &len) == PDPC_OK) {
		pdp_error err;
		cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_OK, "%s",
		             err.message);
	}
	pdpc_free(c);
	return img;
}

#endif
