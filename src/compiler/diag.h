/*
 * diag.h - every diagnostic code of the compiler and the live store, named
 * once. An emitter passes a diag_code (cc_error(c, pos, DIAG_E_CIDR, ...));
 * the table in diag.c gives its stable text ("E-CIDR", what users, scripts
 * and SARIF see), its severity, a one-line meaning and its anchor in
 * docs/diagnostics.md. Adding a code: an enum entry here, its row in
 * diag.c, a section in docs/diagnostics.md, and a fixture in tests/errors
 * (E-) or tests/lint (W-) that fires it; tests/diag_runner.c checks all
 * four.
 */
#ifndef PDP_COMPILER_DIAG_H
#define PDP_COMPILER_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdpc.h"

/* In the order of docs/diagnostics.md: errors, then warnings. */
typedef enum diag_code {
	DIAG_E_IO,
	DIAG_E_LIMIT,
	DIAG_E_YAML,
	DIAG_E_YAML_TAG,
	DIAG_E_YAML_NUMBER,
	DIAG_E_YAML_MERGE,
	DIAG_E_YAML_ALIAS,
	DIAG_E_YAML_DUPKEY,
	DIAG_E_VERSION,
	DIAG_E_DOCUMENT,
	DIAG_E_KEY,
	DIAG_E_UNKNOWN_KEY,
	DIAG_E_MISSING,
	DIAG_E_TYPE,
	DIAG_E_RANGE,
	DIAG_E_OPERATION,
	DIAG_E_ORIGINATOR,
	DIAG_E_GROUP_MEMBER,
	DIAG_E_ASSIGNMENT,
	DIAG_E_EFFECT,
	DIAG_E_SCHED,
	DIAG_E_CIDR,
	DIAG_E_COUNTRY,
	DIAG_E_RTYPE,
	DIAG_E_ATTR_TYPE,
	DIAG_E_COND,
	DIAG_E_COND_TYPE,
	DIAG_E_REGEX,
	DIAG_E_UNDECLARED,
	DIAG_E_DUPLICATE,
	DIAG_E_ROLE_CYCLE,
	DIAG_E_CONSTRAINT,
	DIAG_E_SSD,
	DIAG_E_NATIVE,
	DIAG_E_UNSUPPORTED,
	DIAG_E_HOST,
	DIAG_E_STORE,
	DIAG_E_INTERNAL,
	DIAG_W_GROUP_LOOKALIKE,
	DIAG_W_ROLE_LOOKALIKE,
	DIAG_W_DENY_ROLE,
	DIAG_W_CIDR_HOST_BITS,
	DIAG_W_SCHED_NEVER,
	DIAG_W_BROAD,
	DIAG_W_NO_ORIGINATOR,
	DIAG_W_EMPTY_ACP,
	DIAG_W_UNUSED,
	DIAG_W_REDUNDANT,
	DIAG_W_DEAD_PERMIT,
	DIAG_W_SSD_UNASSIGNED,
	DIAG_W_DSD_ROLE_NEVER,
	DIAG_W_REGEX_BACKTRACK,
	DIAG_W_REGEX_NEVER,
	DIAG_W_SELF_LOCKOUT,
	DIAG_W_NATIVE_IGNORED,
	DIAG_COUNT
} diag_code;

/* A row: the public pdpc_code_info (pdp/pdpc.h), whose code text is
 * stable and never reused. */
typedef pdpc_code_info diag_def;

/* The row of code (code < DIAG_COUNT). */
const diag_def *diag_get(diag_code code);

/* The code whose text is text, or DIAG_COUNT when there is none. */
diag_code diag_find(const char *text);

/* The one place a pdpc_diag is made: code's text and severity, the message
 * formatted into buf (size bytes), the position. The caller keeps the
 * diagnostic where it belongs (a compile, a transaction, the store) and
 * copies buf if it outlives the call. */
void diag_fill(pdpc_diag *d, diag_code code, const char *file, uint32_t line,
               uint32_t col, char *buf, size_t size, const char *fmt,
               va_list ap) __attribute__((format(printf, 8, 0)));

#endif
