/*
 * error.c - the one way the image layer reports a failure: the status code
 * and a message for a person, in the caller's error struct (which may be
 * NULL). Shared by the reader, the verifiers and the index builders.
 */
#include <stdarg.h>
#include <stdio.h>

#include "image/image.h"

void img_set_error(pdp_error *err, pdp_status code, const char *fmt, ...)
{
	if (err != NULL) {
		err->code = code;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
}
