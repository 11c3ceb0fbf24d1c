/*
 * values.c - request values from text for embedders (pdp.h: pdp_time_parse,
 * pdp_ip_parse). The parsers are the ones the compiler and the request
 * reader use (common/timeutil.c, common/ipaddr.c): one copy of the rules,
 * so a time or address a CSE parses here is read exactly as `pdp decide`
 * reads it. Only the error is turned into the public form.
 */
#include "image/image.h"

/* The parser's message with its byte offset, as a pdp_error. */
static pdp_status syntax_error(pdp_error *err, const prim_err *e)
{
	return img_fail(err, PDP_ERR_SYNTAX, "at byte %zu: %s", e->offset,
	                e->message);
}

pdp_status pdp_time_parse(pdp_str text, pdp_time *out, pdp_error *err)
{
	prim_err e;
	pdp_time t;
	if (out == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	if (!time_parse_rfc3339(text.ptr, text.len, &t, &e))
		return syntax_error(err, &e);
	*out = t;
	return PDP_OK;
}

pdp_status pdp_ip_parse(pdp_str text, pdp_ip *out, pdp_error *err)
{
	prim_err e;
	pdp_ip ip;
	if (out == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	if (!ip_parse(text.ptr, text.len, &ip, NULL, &e))
		return syntax_error(err, &e);
	*out = ip;
	return PDP_OK;
}
