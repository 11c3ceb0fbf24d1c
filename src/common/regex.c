/*
 * regex.c - compiling and searching `matches` patterns (see regex.h).
 */
#include <string.h>

#include "common/limits.h"
#include "common/regex.h"

/* ---- refused constructs ---- */

/* The end of the escape starting at p[i] == '\\'. \cX takes the next byte
 * whatever it is (\c\ is a control character), so the byte after it is not
 * an escape. Over-reading a \Q...\E quote or a comment as escapes only ever
 * finds more constructs, never fewer. */
static size_t escape_end(const char *p, size_t n, size_t i)
{
	size_t e = i + (i + 1 < n && p[i + 1] == 'c' ? 3 : 2);
	return e < n ? e : n;
}

/* Whether the option letters after "(?" at p[k] set m: (?m), (?im),
 * (?^m), (?m:...). Letters after '-' unset. */
static bool sets_multiline(const char *p, size_t n, size_t k)
{
	bool unset = false;
	for (; k < n; k++) {
		char ch = p[k];
		if (ch == '-')
			unset = true;
		else if (ch == '^')
			unset = false;
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
			return false;
		else if (ch == 'm' && !unset)
			return true;
	}
	return false;
}

/* A construct that lets an anchor match before a newline inside the value:
 * multiline mode, or \Z (end or before a final newline). The scan is
 * deliberately coarse: it may refuse such text inside a character class or
 * a quote, never miss it where PCRE2 would read it. */
static bool refused(const char *p, size_t n, prim_err *err)
{
	for (size_t i = 0; i < n;) {
		if (p[i] == '\\') {
			if (i + 1 < n && p[i + 1] == 'Z')
				return !prim_fail(err, i,
				                  "\\Z also matches before a final "
				                  "newline; write \\z or $ for the end "
				                  "of the value");
			i = escape_end(p, n, i);
			continue;
		}
		if (p[i] == '(' && i + 1 < n && p[i + 1] == '?' &&
		    sets_multiline(p, n, i + 2))
			return !prim_fail(err, i,
			                  "(?m) would let ^ and $ match at a newline "
			                  "inside the value; remove it");
		i++;
	}
	return false;
}

pcre2_code *regex_compile(const char *pattern, size_t len, prim_err *err)
{
	if (refused(pattern, len, err))
		return NULL;
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, len,
	                               REGEX_COMPILE_OPTIONS, &code, &off, NULL);
	if (re == NULL && err != NULL) {
		PCRE2_UCHAR msg[sizeof(err->message)];
		pcre2_get_error_message(code, msg, sizeof(msg));
		prim_fail(err, off, "%s", (const char *)msg);
		err->nomem = code == PCRE2_ERROR_HEAP_FAILED;
	}
	return re;
}

/* ---- the step budget ----
 *
 * PCRE2's match limit counts per start position, so an unanchored search
 * on n bytes may take n times the limit: quadratic in the subject. Every
 * item of the pattern is preceded by an automatic callout, which charges:
 *  - one step, heavier with many captures (each backtracking frame copies
 *    the capture vector);
 *  - the bytes consumed since the previous callout: a repetition scans
 *    them inside one item, with no step counted;
 *  - for an item that can scan and then fail without reaching another
 *    callout, the most it can scan: a counted repetition {m,..} its first
 *    m bytes, a backreference the longest capture (m times when counted),
 *    neither more than what is left of the subject.
 * Costs are in sixteenths of a step (a step is about 15-20 ns in the
 * interpreter). A byte costs a quarter of a step: most items scan a byte
 * in about 1 ns, but \X and \p{..} take up to 4 ns, and one item's scan
 * cannot be interrupted, only charged afterwards. */
#define BYTE_COST 4u

/* m of a trailing {m}, {m,} or {m,n} quantifier (lazy or possessive too),
 * 0 if none. \x{41}-like escapes read as a quantifier: they only overcharge
 * a little. */
static size_t min_repeat(const char *it, size_t n)
{
	while (n > 0 && (it[n - 1] == '+' || it[n - 1] == '?' ||
	                 it[n - 1] == ' ' || it[n - 1] == '\n'))
		n--;
	if (n == 0 || it[n - 1] != '}')
		return 0;
	size_t i = n - 1;
	while (i > 0 && n - i < 16 && it[i - 1] != '{')
		i--;
	if (i == 0 || it[i - 1] != '{')
		return 0;
	size_t m = 0;
	for (; i < n && it[i] >= '0' && it[i] <= '9'; i++)
		m = m < 65536 ? m * 10 + (size_t)(it[i] - '0') : m;
	return m;
}

/* \1..\9, \g (not \g<...> or \g'...', which are calls), \k, (?P=...). */
static bool is_backref(const char *it, size_t n)
{
	if (n >= 2 && it[0] == '\\') {
		char e = it[1];
		if (e >= '1' && e <= '9')
			return true;
		if (e == 'k')
			return true;
		return e == 'g' && !(n >= 3 && (it[2] == '<' || it[2] == '\''));
	}
	return n >= 4 && memcmp(it, "(?P=", 4) == 0;
}

static size_t longest_capture(const pcre2_callout_block *b)
{
	size_t longest = 0;
	for (uint32_t g = 1; g < b->capture_top; g++) {
		PCRE2_SIZE s = b->offset_vector[2 * g], e = b->offset_vector[2 * g + 1];
		if (s != PCRE2_UNSET && e != PCRE2_UNSET && e > s && e - s > longest)
			longest = e - s;
	}
	return longest;
}

/* What the next item may scan before failing silently, charged. */
static uint64_t silent_scan(const regex_budget *g, const pcre2_callout_block *b)
{
	size_t at = b->pattern_position, n = b->next_item_length;
	if (at > g->pattern_len || n > g->pattern_len - at || n == 0)
		return 0;
	const char *it = g->pattern + at;
	if (it[0] == ')')
		return 0; /* a group's repetitions reach callouts inside it */
	uint64_t left = b->subject_length - b->current_position;
	uint64_t m = min_repeat(it, n);
	uint64_t scan = m;
	if (is_backref(it, n))
		scan = (uint64_t)longest_capture(b) * (m ? m : 1);
	return (scan < left ? scan : left) * BYTE_COST;
}

int regex_charge(pcre2_callout_block *b, void *budget)
{
	regex_budget *g = budget;
	uint64_t cost = g->step_cost;
	size_t at = b->current_position;
	if (at > g->last)
		cost += (uint64_t)(at - g->last) * BYTE_COST;
	g->last = at;
	cost += silent_scan(g, b);
	if (cost > g->left) {
		g->left = 0;
		return PCRE2_ERROR_CALLOUT;
	}
	g->left -= cost;
	return 0;
}

regex_result regex_search(const pcre2_code *re, const char *pattern,
                          size_t pattern_len, const char *subject,
                          size_t len, pcre2_match_data *md,
                          pcre2_match_context *mc, regex_budget *budget)
{
	if (len > PDP_MAX_REGEX_SUBJECT_BYTES)
		return REGEX_LIMIT;
	uint32_t caps = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &caps);
	budget->left = (uint64_t)PDP_REGEX_STEP_BUDGET * 16u;
	budget->last = 0;
	budget->step_cost = 16u + caps / 4u;
	budget->pattern = pattern;
	budget->pattern_len = pattern_len;
	int rc = pcre2_match(re, (PCRE2_SPTR)(subject ? subject : ""), len, 0, 0,
	                     md, mc);
	if (rc >= 0)
		return REGEX_MATCH;
	return rc == PCRE2_ERROR_NOMATCH ? REGEX_NO_MATCH : REGEX_LIMIT;
}
