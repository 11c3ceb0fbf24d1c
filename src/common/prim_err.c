/* prim_err.c - error reporting shared by the primitive parsers. */
#include <stdarg.h>
#include <stdio.h>

#include "common/prims.h"

bool prim_fail(prim_err *err, size_t offset, const char *fmt, ...)
{
	if (err != NULL) {
		va_list ap;
		va_start(ap, fmt);
		err->offset = offset;
		err->nomem = false;
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return false;
}
