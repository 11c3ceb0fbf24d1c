/*
 * texts.c - answer texts shared by decide, explain and audit. Texts that
 * hold policy ids are sized from the length the formatter says it needs:
 * an id may be as long as the string limit (64 KiB), so no fixed buffer
 * would do.
 */
#include <stdlib.h>

#include "cli/cli.h"
#include "pdp/audit.h"

static char *alloc_text(size_t len)
{
	char *s = malloc(len + 1);
	if (s == NULL) {
		fputs("pdp: out of memory\n", stderr);
		exit(EXIT_IO);
	}
	return s;
}

char *reason_text(const pdp_image *img, const pdp_decision *d, bool with_id)
{
	size_t n = pdp_reason_format(img, d, with_id, NULL, 0);
	char *s = alloc_text(n);
	pdp_reason_format(img, d, with_id, s, n + 1);
	return s;
}

char *rule_token_text(const pdp_image *img, uint32_t rule)
{
	size_t n = pdp_audit_rule_token(img, rule, NULL, 0);
	char *s = alloc_text(n);
	pdp_audit_rule_token(img, rule, s, n + 1);
	return s;
}

const char *bad_request_text(pdp_bad why)
{
	switch (why) {
	case PDP_BAD_NO_ORIGINATOR:
		return "no originator";
	case PDP_BAD_OPERATION:
		return "not exactly one known operation";
	case PDP_BAD_LIMIT:
		return "too many ACPs or roles, or an originator too long "
		       "(docs/limits.md)";
	default:
		return "the request could not be decided";
	}
}
