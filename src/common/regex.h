/*
 * regex.h - `matches` patterns: how they are compiled (one set of options
 * for the compiler, the loader and nothing else, so validation and
 * evaluation cannot disagree), which constructs are refused, and a bounded
 * search whose whole cost, over every start position, is charged to one
 * budget.
 */
#ifndef PDP_COMMON_REGEX_H
#define PDP_COMMON_REGEX_H

#include <stddef.h>
#include <stdint.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "common/prims.h"

/* A value is one string, not lines: `$` is its end only (never before a
 * final newline) and `.` is any byte, newline included, so an appended
 * newline can neither satisfy nor escape an anchored pattern. Byte mode
 * only: (*UTF) would make a value's UTF-8 validity part of the answer, and
 * \X over regional indicators costs time quadratic in the value inside
 * one step. Automatic callouts let the search charge every step to the
 * budget below. */
#define REGEX_COMPILE_OPTIONS                                            \
	(PCRE2_DOLLAR_ENDONLY | PCRE2_DOTALL | PCRE2_NEVER_UTF |           \
	 PCRE2_AUTO_CALLOUT)

/* Compile a pattern as every part of pdp does: refuse the constructs that
 * would let an anchor match at a newline inside the value ((?m), \Z), then
 * pcre2_compile with REGEX_COMPILE_OPTIONS. NULL with err filled (offset
 * into the pattern, message) on failure. */
pcre2_code *regex_compile(const char *pattern, size_t len, prim_err *err);

/* What one search may still spend, in sixteenths of an interpreter step.
 * Lives in the scratch: a search never allocates. */
typedef struct regex_budget {
	uint64_t left;
	size_t last;          /* subject offset at the previous step */
	uint64_t step_cost;   /* sixteenths per step: grows with captures */
	const char *pattern;  /* the source the code was compiled from */
	size_t pattern_len;
} regex_budget;

/* The callout that charges each step; install it on the match context with
 * the budget as its data. */
int regex_charge(pcre2_callout_block *b, void *budget);

typedef enum regex_result {
	REGEX_NO_MATCH = 0,
	REGEX_MATCH = 1,
	REGEX_LIMIT = 2 /* a limit tripped: the answer is unknown */
} regex_result;

/* Search the subject anywhere for the pattern (compiled by regex_compile
 * from pattern/pattern_len) with the match context mc, whose callout is
 * regex_charge(budget). A subject longer than PDP_MAX_REGEX_SUBJECT_BYTES,
 * an exhausted budget or any other PCRE2 limit gives REGEX_LIMIT. */
regex_result regex_search(const pcre2_code *re, const char *pattern,
                          size_t pattern_len, const char *subject,
                          size_t len, pcre2_match_data *md,
                          pcre2_match_context *mc, regex_budget *budget);

#endif
