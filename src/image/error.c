/*
 * error.c - the one way a library call reports a failure: the status code
 * and a message for a person, in the caller's error struct (which may be
 * NULL). Used by the image reader and verifiers, the evaluator's sessions
 * and scratch, the audit queries and the live store (image.h).
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
