/*
 * timeutil.c - UTC civil time conversions and RFC 3339 parsing/formatting.
 *
 * The evaluator never calls gmtime or reads the clock: the conversions here
 * are pure arithmetic on the proleptic Gregorian calendar (Howard Hinnant's
 * days-from-civil / civil-from-days algorithms), valid for negative times.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/prims.h"

#define SECS_PER_DAY 86400
#define SECS_PER_HOUR 3600
#define SECS_PER_MIN 60
#define DAYS_PER_ERA 146097 /* days in 400 Gregorian years */
#define YEARS_PER_ERA 400
#define EPOCH_SHIFT 719468 /* days from 0000-03-01 to 1970-01-01 */
#define EPOCH_WDAY 4       /* 1970-01-01 was a Thursday */
#define NSEC_PER_SEC 1000000000
#define FRAC_DIGITS_MAX 9

/* Floor division: C division truncates toward zero, which is wrong for the
 * negative day counts of times before 1970. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Hinnant). The year
 * is shifted to start in March so the leap day is the last day of the year. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, YEARS_PER_ERA);
	int64_t yoe = y - era * YEARS_PER_ERA;                  /* [0, 399] */
	int64_t mp = (m + 9) % 12;                              /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;               /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;    /* [0, 146096] */
	return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

/* Inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += EPOCH_SHIFT;
	int64_t era = floor_div(z, DAYS_PER_ERA);
	int64_t doe = z - era * DAYS_PER_ERA;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * YEARS_PER_ERA + (*m <= 2);
}

/* Total over int64: the remainder is taken directly, since
 * `sec - days * 86400` overflows for the first day before INT64_MIN's
 * midnight, and every later step stays far inside int64 (|days| < 2^47,
 * years < 2^39). */
void civil_from_unix(int64_t sec, civil_time *out)
{
	int64_t days = floor_div(sec, SECS_PER_DAY);
	int64_t rem = sec % SECS_PER_DAY;
	if (rem < 0)
		rem += SECS_PER_DAY; /* [0, 86399] */
	civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(rem / SECS_PER_HOUR);
	out->min = (int)(rem % SECS_PER_HOUR / SECS_PER_MIN);
	out->sec = (int)(rem % SECS_PER_MIN);
	int64_t wd = (days + EPOCH_WDAY) % 7;
	out->wday = (int)(wd < 0 ? wd + 7 : wd);
}

int64_t unix_from_civil(int64_t year, int month, int day, int hour, int min,
                        int sec)
{
	return days_from_civil(year, month, day) * SECS_PER_DAY +
	       (int64_t)hour * SECS_PER_HOUR + (int64_t)min * SECS_PER_MIN + sec;
}

/* ---- RFC 3339 ---- */

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30,
	                              31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return (m == 2 && is_leap(y)) ? 29 : mdays[m - 1];
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The fixed-width fields of a date-time and of its offset, in text order,
 * each with what must follow it. One loop reads them all: the parser is
 * exported by libpdp (pdp_time_parse), whose code size is budgeted, and a
 * table keeps it a fraction of the size of a function per field. The
 * messages and offsets are those of the field it names.
 */
typedef struct time_field {
	const char *digits_what; /* "expected N digits for the <this>" */
	const char *range_what;  /* "<this> NN is out of range", NULL: the
	                            day, checked against its month */
	uint8_t width, lo, hi;
	const char *next;        /* accepted characters after it, NULL none */
	const char *next_what;   /* "expected <this>" */
} time_field;

enum { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MIN, F_SEC, F_OFF_H, F_OFF_M,
       F_COUNT };

static const time_field TIME_FIELDS[F_COUNT] = {
	[F_YEAR] = {"year", "", 4, 0, 0, "-", "'-' after the year"},
	[F_MONTH] = {"month", "month", 2, 1, 12, "-", "'-' after the month"},
	[F_DAY] = {"day", NULL, 2, 0, 0, "Tt ", "'T' between date and time"},
	[F_HOUR] = {"hour", "hour", 2, 0, 23, ":", "':' after the hour"},
	[F_MIN] = {"minute", "minute", 2, 0, 59, ":", "':' after the minute"},
	[F_SEC] = {"second", "second", 2, 0, 59, NULL, NULL},
	[F_OFF_H] = {"offset hours", "offset hour", 2, 0, 23, ":",
	             "':' in the offset"},
	[F_OFF_M] = {"offset minutes", "offset minute", 2, 0, 59, NULL, NULL},
};

/* Fields first..last at *pos into v[], each checked and followed by its
 * separator. */
static bool parse_fields(const char *s, size_t len, size_t *pos, int first,
                         int last, int *v, prim_err *err)
{
	for (int i = first; i <= last; i++) {
		const time_field *f = &TIME_FIELDS[i];
		size_t at = *pos;
		int x = 0;
		for (size_t k = at; k < at + f->width; k++) {
			if (k >= len || !is_digit(s[k]))
				return prim_fail(err, k < len ? k : len,
				                 "time: expected %d digits for the %s",
				                 f->width, f->digits_what);
			x = x * 10 + (s[k] - '0');
		}
		*pos = at + f->width;
		if (f->range_what == NULL) {
			int dim = days_in_month(v[F_YEAR], v[F_MONTH]);
			if (x < 1 || x > dim)
				return prim_fail(err, at,
				                 "time: day %02d does not exist in "
				                 "%04d-%02d (1-%d)",
				                 x, v[F_YEAR], v[F_MONTH], dim);
		} else if (f->hi != 0 && (x < f->lo || x > f->hi))
			return prim_fail(err, at,
			                 "time: %s %02d is out of range %02d-%02d",
			                 f->range_what, x, f->lo, f->hi);
		v[i] = x;
		if (f->next == NULL)
			continue;
		if (*pos >= len || s[*pos] == '\0' ||
		    strchr(f->next, s[*pos]) == NULL)
			return prim_fail(err, *pos < len ? *pos : len,
			                 "time: expected %s", f->next_what);
		(*pos)++;
	}
	return true;
}

/* Optional ".digits" (1 to 9 of them) as nanoseconds. */
static bool parse_fraction(const char *s, size_t len, size_t *pos,
                           int32_t *nsec, prim_err *err)
{
	*nsec = 0;
	if (*pos >= len || s[*pos] != '.')
		return true;
	(*pos)++;
	int n = 0;
	int32_t v = 0;
	while (*pos < len && is_digit(s[*pos])) {
		if (n == FRAC_DIGITS_MAX)
			return prim_fail(err, *pos,
			                 "time: fraction has more than %d digits",
			                 FRAC_DIGITS_MAX);
		v = v * 10 + (s[*pos] - '0');
		n++;
		(*pos)++;
	}
	if (n == 0)
		return prim_fail(err, *pos, "time: expected digits after '.'");
	for (; n < FRAC_DIGITS_MAX; n++)
		v *= 10;
	*nsec = v;
	return true;
}

/* "Z" or "+HH:MM" / "-HH:MM": the offset in seconds east of UTC. */
static bool parse_offset(const char *s, size_t len, size_t *pos,
                         int64_t *offset, prim_err *err)
{
	char c = *pos < len ? s[*pos] : '\0';
	if (c == 'Z' || c == 'z') {
		(*pos)++;
		*offset = 0;
		return true;
	}
	if (c != '+' && c != '-')
		return prim_fail(err, *pos < len ? *pos : len,
		                 "time: expected 'Z' or a +HH:MM offset");
	(*pos)++;
	int v[F_COUNT] = {0};
	if (!parse_fields(s, len, pos, F_OFF_H, F_OFF_M, v, err))
		return false;
	int64_t off = (int64_t)v[F_OFF_H] * SECS_PER_HOUR +
	              (int64_t)v[F_OFF_M] * SECS_PER_MIN;
	*offset = c == '-' ? -off : off;
	return true;
}

bool time_parse_rfc3339(const char *s, size_t len, pdp_time *out,
                        prim_err *err)
{
	int v[F_COUNT] = {0};
	int32_t nsec = 0;
	size_t pos = 0;
	int64_t offset = 0;
	if (s == NULL)
		return prim_fail(err, 0, "time: missing value");
	if (!parse_fields(s, len, &pos, F_YEAR, F_SEC, v, err) ||
	    !parse_fraction(s, len, &pos, &nsec, err) ||
	    !parse_offset(s, len, &pos, &offset, err))
		return false;
	if (pos != len)
		return prim_fail(err, pos,
		                 "time: unexpected text after the offset");
	out->sec = unix_from_civil(v[F_YEAR], v[F_MONTH], v[F_DAY], v[F_HOUR],
	                           v[F_MIN], v[F_SEC]) -
	           offset;
	out->nsec = nsec;
	return true;
}

/* Copy a formatted text into buf with snprintf-like truncation. */
static size_t copy_out(const char *text, size_t n, char *buf, size_t size)
{
	if (size > 0) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(buf, text, k);
		buf[k] = '\0';
	}
	return n;
}

bool time_valid(pdp_time t)
{
	return t.nsec >= 0 && t.nsec < NSEC_PER_SEC;
}

size_t time_format_rfc3339(pdp_time t, char *buf, size_t size)
{
	char tmp[96];
	civil_time c;
	civil_from_unix(t.sec, &c);
	/* a year before 0000 keeps four digits after its sign ("-0001"), as
	 * ISO 8601's expanded years do */
	int n = snprintf(tmp, sizeof tmp,
	                 "%s%04" PRId64 "-%02d-%02dT%02d:%02d:%02d",
	                 c.year < 0 ? "-" : "",
	                 c.year < 0 ? -c.year : c.year, c.month, c.day, c.hour,
	                 c.min, c.sec);
	if (n < 0)
		return copy_out("", 0, buf, size);
	size_t used = (size_t)n;
	if (t.nsec > 0 && t.nsec < NSEC_PER_SEC) {
		char frac[16];
		snprintf(frac, sizeof frac, ".%09" PRId32, t.nsec);
		size_t fl = strlen(frac);
		while (fl > 1 && frac[fl - 1] == '0')
			fl--; /* shortest exact fraction */
		memcpy(tmp + used, frac, fl);
		used += fl;
	}
	tmp[used++] = 'Z';
	tmp[used] = '\0';
	return copy_out(tmp, used, buf, size);
}
