/*
 * schedule.c - the oneM2M accessControlTimeWindow (actw) schedule entries:
 * seven whitespace-separated fields "sec min hour dom month dow year", each
 * compiled to a bitset so that matching is a handful of bit tests.
 *
 * Unlike Vixie cron, day-of-month and day-of-week are ANDed: every field
 * must match (docs/language.md 6.1).
 */
#include <stdio.h>
#include <string.h>

#include "common/prims.h"

#define SCHED_FIELDS 7
#define NUM_SATURATE 1000000u /* numbers beyond this are all "too big" */
#define NAME_LEN 3            /* JAN, MON, ... */
#define ECHO_MAX 24           /* at most this much of a bad token is quoted */

enum sched_field {
	F_SEC,
	F_MIN,
	F_HOUR,
	F_DOM,
	F_MONTH,
	F_DOW,
	F_YEAR
};

/* How one field is spelled: its legal range, the range `*` stands for, and
 * the names it accepts (names[i] means name_base + i). */
typedef struct field_spec {
	const char *label;
	unsigned lo, hi;           /* legal numbers */
	unsigned star_lo, star_hi; /* what `*` (and the end of `N/S`) means */
	const char *const *names;
	unsigned n_names;
	unsigned name_base;
} field_spec;

static const char *const month_names[] = {"JAN", "FEB", "MAR", "APR",
                                          "MAY", "JUN", "JUL", "AUG",
                                          "SEP", "OCT", "NOV", "DEC"};
static const char *const dow_names[] = {"SUN", "MON", "TUE", "WED",
                                        "THU", "FRI", "SAT"};

/* dow accepts 7 as a second Sunday, but `*` and `N/S` stop at Saturday so
 * that `*\/2` does not select Sunday twice. */
static const field_spec specs[SCHED_FIELDS] = {
	{"second", 0, 59, 0, 59, NULL, 0, 0},
	{"minute", 0, 59, 0, 59, NULL, 0, 0},
	{"hour", 0, 23, 0, 23, NULL, 0, 0},
	{"day-of-month", 1, 31, 1, 31, NULL, 0, 0},
	{"month", 1, 12, 1, 12, month_names, 12, 1},
	{"day-of-week", 0, 7, 0, 6, dow_names, 7, 0},
	{"year", SCHED_YEAR_MIN, SCHED_YEAR_MAX, SCHED_YEAR_MIN, SCHED_YEAR_MAX,
	 NULL, 0, 0},
};


static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Cursor over one field: the text, the field's [pos, end) and its spec. */
typedef struct cursor {
	const char *s;
	size_t pos, end;
	const field_spec *spec;
	prim_err *err;
} cursor;

static bool at_end(const cursor *c)
{
	return c->pos >= c->end;
}

/* A run of digits as an unsigned number, saturating at NUM_SATURATE so
 * absurdly long numbers still report as out of range. */
static unsigned read_number(cursor *c)
{
	unsigned v = 0;
	while (!at_end(c) && is_digit(c->s[c->pos])) {
		v = v * 10 + (unsigned)(c->s[c->pos] - '0');
		if (v > NUM_SATURATE)
			v = NUM_SATURATE;
		c->pos++;
	}
	return v;
}

static int echo_len(size_t n)
{
	return (int)(n < ECHO_MAX ? n : ECHO_MAX);
}

/* A month or weekday name at the cursor. Names are upper case only, like
 * every other name in the language (docs/language.md 14). */
static bool read_name(cursor *c, unsigned *out)
{
	size_t start = c->pos;
	while (!at_end(c) && is_alpha(c->s[c->pos]))
		c->pos++;
	size_t n = c->pos - start;
	const field_spec *f = c->spec;
	if (f->names == NULL)
		return prim_fail(c->err, start,
		                  "%s: names are only allowed for month and "
		                  "day-of-week",
		                  f->label);
	for (unsigned i = 0; n == NAME_LEN && i < f->n_names; i++) {
		const char *name = f->names[i];
		if (memcmp(c->s + start, name, NAME_LEN) == 0) {
			*out = f->name_base + i;
			return true;
		}
	}
	return prim_fail(c->err, start,
	                  "%s: unknown name '%.*s' (use %s-%s, upper case)",
	                  f->label, echo_len(n), c->s + start, f->names[0],
	                  f->names[f->n_names - 1]);
}

/* One value: a number in the field's range, or a name. */
static bool read_value(cursor *c, unsigned *out)
{
	const field_spec *f = c->spec;
	if (at_end(c))
		return prim_fail(c->err, c->pos,
		                  "%s: expected a number at the end of the field",
		                  f->label);
	char ch = c->s[c->pos];
	if (is_alpha(ch))
		return read_name(c, out);
	if (!is_digit(ch))
		return prim_fail(c->err, c->pos,
		                  "%s: expected a number, a range or '*', "
		                  "found '%c'",
		                  f->label, ch);
	size_t start = c->pos;
	unsigned v = read_number(c);
	if (v < f->lo || v > f->hi)
		return prim_fail(c->err, start, "%s: %.*s is out of range %u-%u",
		                  f->label, echo_len(c->pos - start),
		                  c->s + start, f->lo, f->hi);
	*out = v;
	return true;
}

/* The step after '/': a number >= 1. */
static bool read_step(cursor *c, unsigned *out)
{
	const field_spec *f = c->spec;
	if (at_end(c) || !is_digit(c->s[c->pos]))
		return prim_fail(c->err, c->pos,
		                  "%s: expected a step number after '/'",
		                  f->label);
	size_t start = c->pos;
	unsigned v = read_number(c);
	if (v == 0)
		return prim_fail(c->err, start,
		                  "%s: step must be at least 1", f->label);
	*out = v;
	return true;
}

static void year_bit_set(sched *out, unsigned bit)
{
	out->year[bit / 64] |= UINT64_C(1) << (bit % 64);
}

static bool year_bit(const sched *s, unsigned bit)
{
	return (s->year[bit / 64] >> (bit % 64)) & 1u;
}

static void year_set(sched *out, unsigned y)
{
	year_bit_set(out, y - SCHED_YEAR_MIN);
}

/* A bare `*` holds for every year; any other year item names years of
 * 1970-2199 only, so a year outside that range is known not to match. */
static bool year_has(const sched *s, int64_t y)
{
	if (year_bit(s, SCHED_YEAR_ANY_BIT))
		return true;
	if (y < SCHED_YEAR_MIN || y > SCHED_YEAR_MAX)
		return false;
	return year_bit(s, (unsigned)(y - SCHED_YEAR_MIN));
}

/* Set bit v of the field; day-of-week 7 folds onto Sunday. */
static void field_set(sched *out, enum sched_field f, unsigned v)
{
	/* values were range-checked by the parser; this keeps every shift
	 * below its type's width whatever the caller */
	if (v > (f == F_YEAR ? (unsigned)SCHED_YEAR_MAX : 63u))
		return;
	if (f != F_SEC && f != F_MIN && f != F_YEAR && v > 31)
		return;
	switch (f) {
	case F_SEC: out->sec |= UINT64_C(1) << v; break;
	case F_MIN: out->min |= UINT64_C(1) << v; break;
	case F_HOUR: out->hour |= UINT32_C(1) << v; break;
	case F_DOM: out->dom |= UINT32_C(1) << v; break;
	case F_MONTH: out->month |= UINT32_C(1) << v; break;
	case F_DOW: out->dow |= UINT32_C(1) << (v % 7); break;
	case F_YEAR: year_set(out, v); break;
	}
}

/* One list item: `*`, `N`, `A-B`, `*\/S` or `A-B/S`. */
static bool parse_item(cursor *c, enum sched_field fid, sched *out)
{
	const field_spec *f = c->spec;
	unsigned a = 0, b = 0, step = 1;
	bool ranged = true, star = false;
	if (at_end(c) || c->s[c->pos] == ',')
		return prim_fail(c->err, c->pos, "%s: empty list item",
		                  f->label);
	if (c->s[c->pos] == '*') {
		c->pos++;
		star = true;
		a = f->star_lo;
		b = f->star_hi;
	} else {
		if (!read_value(c, &a))
			return false;
		b = a;
		ranged = false;
		if (!at_end(c) && c->s[c->pos] == '-') {
			c->pos++;
			size_t at_b = c->pos;
			if (!read_value(c, &b))
				return false;
			if (a > b)
				return prim_fail(c->err, at_b,
				                  "%s: range %u-%u is reversed "
				                  "(the start must not exceed "
				                  "the end)",
				                  f->label, a, b);
			ranged = true;
		}
	}
	if (fid == F_YEAR && star && (at_end(c) || c->s[c->pos] != '/'))
		year_bit_set(out, SCHED_YEAR_ANY_BIT); /* a bare `*` */
	if (!at_end(c) && c->s[c->pos] == '/') {
		/* the language has `*\/S` and `A-B/S` only: `N/S` is ambiguous
		 * between cron dialects, so it is an error */
		if (!ranged)
			return prim_fail(c->err, c->pos,
			                  "%s: a step needs '*' or a range before "
			                  "it ('*/n' or 'a-b/n')",
			                  f->label);
		c->pos++;
		if (!read_step(c, &step))
			return false;
	}
	for (unsigned v = a; v <= b; v += step) {
		field_set(out, fid, v);
		if (b - v < step)
			break; /* no wrap-around on huge steps */
	}
	return true;
}

/* A comma list of items filling one field. */
static bool parse_field(cursor *c, enum sched_field fid, sched *out)
{
	for (;;) {
		if (!parse_item(c, fid, out))
			return false;
		if (at_end(c))
			return true;
		if (c->s[c->pos] != ',')
			return prim_fail(c->err, c->pos,
			                  "%s: unexpected character '%c'",
			                  c->spec->label, c->s[c->pos]);
		c->pos++;
		if (at_end(c))
			return prim_fail(c->err, c->pos,
			                  "%s: empty list item after ','",
			                  c->spec->label);
	}
}

bool sched_parse(const char *s, size_t len, sched *out, prim_err *err)
{
	size_t pos = 0;
	int n = 0;
	memset(out, 0, sizeof *out);
	if (s == NULL)
		len = 0;
	/* count the fields first, so a wrong count is reported as such
	 * rather than as a bad value in a shifted field */
	int fields = 0;
	size_t extra_at = len;
	for (size_t i = 0; i < len;) {
		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		if (++fields == SCHED_FIELDS + 1)
			extra_at = i;
		while (i < len && !is_space(s[i]))
			i++;
	}
	if (fields > SCHED_FIELDS)
		return prim_fail(err, extra_at,
		                  "schedule: too many fields (%d, expected 7: sec "
		                  "min hour day-of-month month day-of-week year)",
		                  fields);
	if (fields < SCHED_FIELDS)
		return prim_fail(err, len,
		                  "schedule: %d field%s, expected 7 (sec min hour "
		                  "day-of-month month day-of-week year)",
		                  fields, fields == 1 ? "" : "s");
	while (pos < len && is_space(s[pos]))
		pos++;
	while (pos < len) {
		size_t start = pos;
		while (pos < len && !is_space(s[pos]))
			pos++;
		if (n == SCHED_FIELDS)
			return prim_fail(err, start,
			                  "schedule: too many fields (expected 7: "
			                  "sec min hour day-of-month month "
			                  "day-of-week year)");
		cursor c = {s, start, pos, &specs[n], err};
		if (!parse_field(&c, (enum sched_field)n, out))
			return false;
		n++;
		while (pos < len && is_space(s[pos]))
			pos++;
	}
	if (n < SCHED_FIELDS)
		return prim_fail(err, len,
		                  "schedule: %d field%s, expected 7 (sec min "
		                  "hour day-of-month month day-of-week year)",
		                  n, n == 1 ? "" : "s");
	return true;
}

bool sched_match_civil(const sched *s, const civil_time *c)
{
	return year_has(s, c->year) && ((s->month >> c->month) & 1u) &&
	       ((s->dom >> c->day) & 1u) && ((s->dow >> c->wday) & 1u) &&
	       ((s->hour >> c->hour) & 1u) && ((s->min >> c->min) & 1u) &&
	       ((s->sec >> c->sec) & 1u);
}

bool sched_match(const sched *s, pdp_time t)
{
	civil_time c;
	civil_from_unix(t.sec, &c);
	return sched_match_civil(s, &c);
}

static int month_days(int64_t y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
	                              31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return (m == 2 && leap) ? 29 : mdays[m - 1];
}

/* Whether some selected day of this month exists and has a selected
 * weekday. */
static bool month_has_day(const sched *s, int64_t y, int m)
{
	civil_time first;
	civil_from_unix(unix_from_civil(y, m, 1, 0, 0, 0), &first);
	int dim = month_days(y, m);
	for (int d = 1; d <= dim; d++) {
		int wd = (first.wday + d - 1) % 7;
		if (((s->dom >> d) & 1u) && ((s->dow >> wd) & 1u))
			return true;
	}
	return false;
}

/* Lint helper: an exhaustive walk over the selected years and months (at
 * most 230 * 12 * 31 steps) looking for one real date. */
bool sched_never_matches(const sched *s)
{
	if (s->sec == 0 || s->min == 0 || s->hour == 0)
		return true;
	for (int64_t y = SCHED_YEAR_MIN; y <= SCHED_YEAR_MAX; y++) {
		if (!year_has(s, y))
			continue;
		for (int m = 1; m <= 12; m++)
			if (((s->month >> m) & 1u) && month_has_day(s, y, m))
				return false;
	}
	return true;
}
