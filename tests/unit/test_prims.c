/*
 * test_prims.c - unit tests for src/common (schedules, time, IP/CIDR, globs,
 * geography, countries, resource types, CRC-32). Each test asserts concrete
 * values, with the boundaries on both sides.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "common/prims.h"
#include "../ref/glob_ref.h"

/* ---- helpers ---- */

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static pdp_time T(int64_t y, int mo, int d, int h, int mi, int s)
{
	pdp_time t = {unix_from_civil(y, mo, d, h, mi, s), 0};
	return t;
}

static sched SP(const char *s)
{
	sched sc;
	prim_err e = {0, "", false};
	bool ok = sched_parse(s, strlen(s), &sc, &e);
	cr_assert(ok, "sched_parse(\"%s\") failed: %s at %zu", s, e.message,
	          e.offset);
	return sc;
}

static bool SM(const char *s, pdp_time t)
{
	sched sc = SP(s);
	return sched_match(&sc, t);
}

/* Parsing s must fail at offset with a message containing msg. */
static void sched_err(const char *s, size_t offset, const char *msg)
{
	sched sc;
	prim_err e = {0, "", false};
	cr_assert_not(sched_parse(s, strlen(s), &sc, &e),
	              "sched_parse(\"%s\") should fail", s);
	cr_expect_eq(e.offset, offset, "\"%s\": offset %zu, expected %zu (%s)",
	             s, e.offset, offset, e.message);
	cr_expect(strstr(e.message, msg) != NULL,
	          "\"%s\": message \"%s\" lacks \"%s\"", s, e.message, msg);
}

static bool NEVER(const char *s)
{
	sched sc = SP(s);
	return sched_never_matches(&sc);
}

/* ---- schedules: windows and boundaries ---- */

Test(schedule, hour_window_edges)
{
	const char *w = "* * 8-17 * * * *";
	cr_expect(SM(w, T(2026, 11, 27, 8, 0, 0)));
	cr_expect(SM(w, T(2026, 11, 27, 17, 59, 59)));
	cr_expect_not(SM(w, T(2026, 11, 27, 18, 0, 0)));
	cr_expect_not(SM(w, T(2026, 11, 27, 7, 59, 59)));
}

Test(schedule, weekday_office_hours)
{
	/* 2024-01-01 is a Monday, 2024-01-06 a Saturday. */
	const char *w = "* * 8-17 * * 1-5 *";
	cr_expect(SM(w, T(2024, 1, 1, 9, 0, 0)));
	cr_expect(SM(w, T(2024, 1, 5, 17, 59, 59)));
	cr_expect_not(SM(w, T(2024, 1, 6, 9, 0, 0)));
	cr_expect_not(SM(w, T(2024, 1, 7, 9, 0, 0)));
}

Test(schedule, minute_step)
{
	const char *w = "0 */15 * * * * *";
	cr_expect(SM(w, T(2025, 3, 3, 10, 0, 0)));
	cr_expect(SM(w, T(2025, 3, 3, 10, 15, 0)));
	cr_expect(SM(w, T(2025, 3, 3, 10, 30, 0)));
	cr_expect(SM(w, T(2025, 3, 3, 10, 45, 0)));
	cr_expect_not(SM(w, T(2025, 3, 3, 10, 14, 0)));
	cr_expect_not(SM(w, T(2025, 3, 3, 10, 16, 0)));
	cr_expect_not(SM(w, T(2025, 3, 3, 10, 15, 1)));
	sched sc = SP(w);
	cr_expect_eq(sc.min, (UINT64_C(1) << 0) | (UINT64_C(1) << 15) |
	                         (UINT64_C(1) << 30) | (UINT64_C(1) << 45));
	cr_expect_eq(sc.sec, UINT64_C(1));
}

Test(schedule, dom_step_counts_from_one)
{
	sched sc = SP("* * * */2 * * *");
	uint32_t odd = 0;
	for (int d = 1; d <= 31; d += 2)
		odd |= UINT32_C(1) << d;
	cr_expect_eq(sc.dom, odd);
	cr_expect(SM("* * * */2 * * *", T(2025, 5, 1, 0, 0, 0)));
	cr_expect(SM("* * * */2 * * *", T(2025, 5, 31, 0, 0, 0)));
	cr_expect_not(SM("* * * */2 * * *", T(2025, 5, 2, 0, 0, 0)));
}

Test(schedule, range_step)
{
	sched sc = SP("10-20/5 * * * * * *");
	cr_expect_eq(sc.sec, (UINT64_C(1) << 10) | (UINT64_C(1) << 15) |
	                         (UINT64_C(1) << 20));
	cr_expect(SM("10-20/5 * * * * * *", T(2025, 1, 1, 0, 0, 20)));
	cr_expect_not(SM("10-20/5 * * * * * *", T(2025, 1, 1, 0, 0, 11)));
	cr_expect_not(SM("10-20/5 * * * * * *", T(2025, 1, 1, 0, 0, 25)));
	/* a step larger than the range keeps just the start */
	sc = SP("* 7-9/100 * * * * *");
	cr_expect_eq(sc.min, UINT64_C(1) << 7);
}

Test(schedule, step_needs_star_or_range)
{
	/* `N/S` is an error (docs/language.md 14); `A-B/S` spells it out */
	sched_err("* 50/5 * * * * *", 4,
	          "minute: a step needs '*' or a range before it");
	sched_err("* * * * * MON/2 *", 13, "day-of-week: a step needs");
	sched sc = SP("* 50-59/5 * * * * *");
	cr_expect_eq(sc.min, (UINT64_C(1) << 50) | (UINT64_C(1) << 55));
	sc = SP("* * * * * * 2190-2199/4");
	/* 2190, 2194, 2198 -> bits 220, 224, 228 -> word 3 bits 28, 32, 36 */
	cr_expect_eq(sc.year[3], (UINT64_C(1) << 28) | (UINT64_C(1) << 32) |
	                             (UINT64_C(1) << 36));
	cr_expect_eq(sc.year[0] | sc.year[1] | sc.year[2], 0u);
}

Test(schedule, lists)
{
	sched sc = SP("0,30 * 1,3-5,20-22/2 * * * *");
	cr_expect_eq(sc.sec, (UINT64_C(1) << 0) | (UINT64_C(1) << 30));
	cr_expect_eq(sc.hour, (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) |
	                          (1u << 20) | (1u << 22));
}

Test(schedule, names)
{
	/* 2024-01-01 Monday ... 2024-01-05 Friday, in January. */
	const char *w = "* * * * JAN MON-FRI *";
	cr_expect(SM(w, T(2024, 1, 1, 12, 0, 0)));
	cr_expect(SM(w, T(2024, 1, 5, 12, 0, 0)));
	cr_expect_not(SM(w, T(2024, 1, 6, 12, 0, 0)));
	cr_expect_not(SM(w, T(2024, 2, 1, 12, 0, 0))); /* Thursday, February */
	sched a = SP("* * * * JAN,DEC MON-FRI *");
	sched b = SP("* * * * 1,12 1-5 *");
	cr_expect_eq(a.month, b.month);
	cr_expect_eq(a.dow, b.dow);
	sched c = SP("* * * * * SUN,SAT *");
	cr_expect_eq(c.dow, (1u << 0) | (1u << 6));
	sched d = SP("* * * * JAN-MAR,DEC WED-6 *");
	cr_expect_eq(d.month, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 12));
	cr_expect_eq(d.dow, (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6));
	/* names are upper case only */
	sched_err("* * * * jan * *", 8, "month: unknown name 'jan'");
	sched_err("* * * * * Mon-FRI *", 10, "day-of-week: unknown name 'Mon'");
}

Test(schedule, dow_seven_is_sunday)
{
	sched a = SP("* * * * * 7 *");
	sched b = SP("* * * * * 0 *");
	cr_expect_eq(a.dow, 1u);
	cr_expect_eq(b.dow, 1u);
	cr_expect(SM("* * * * * 7 *", T(2024, 1, 7, 0, 0, 0))); /* Sunday */
	cr_expect_not(SM("* * * * * 7 *", T(2024, 1, 6, 23, 59, 59)));
	sched c = SP("* * * * * 5-7 *");
	cr_expect_eq(c.dow, (1u << 5) | (1u << 6) | 1u);
	sched star = SP("* * * * * * *");
	cr_expect_eq(star.dow, 0x7fu);
}

Test(schedule, dom_and_dow_are_anded)
{
	const char *w = "* * * 13 * FRI *";
	cr_expect(SM(w, T(2024, 9, 13, 0, 0, 0)));      /* Friday 13th */
	cr_expect_not(SM(w, T(2024, 9, 6, 0, 0, 0)));   /* a Friday */
	cr_expect_not(SM(w, T(2024, 5, 13, 0, 0, 0)));  /* a Monday 13th */
}

Test(schedule, year_field_and_boundaries)
{
	cr_expect(SM("* * * * * * 2025", T(2025, 1, 1, 0, 0, 0)));
	cr_expect_not(SM("* * * * * * 2025", T(2024, 12, 31, 23, 59, 59)));
	cr_expect(SM("* * * * * * 2025", T(2025, 12, 31, 23, 59, 59)));
	cr_expect_not(SM("* * * * * * 2025", T(2026, 1, 1, 0, 0, 0)));
	cr_expect(SM("* * * * * * 2199", T(2199, 12, 31, 23, 59, 59)));
	cr_expect(SM("* * * * * * 1970", T(1970, 1, 1, 0, 0, 0)));
	cr_expect_not(SM("* * * * * * 1970-2199", T(2200, 1, 1, 0, 0, 0)));
	cr_expect_not(SM("* * * * * * 1970-2199", T(1969, 12, 31, 23, 59, 59)));
	sched all = SP("* * * * * * *");
	cr_expect_eq(all.year[0], UINT64_MAX);
	cr_expect_eq(all.year[3], ((UINT64_C(1) << (230 - 192)) - 1) |
	                                  (UINT64_C(1) << 63));
}

/* A bare `*` year matches every year a pdp_time can hold; explicit years
 * (and `*\/n`) stay within 1970-2199 (issue 11, item 3). */
Test(schedule, bare_star_year_matches_every_year)
{
	const char *always = "* * * * * * *";
	static const int64_t years[] = {0, 1, 1969, 2200, 9999, 10000, -1,
	                                -4713};
	for (size_t i = 0; i < sizeof(years) / sizeof(*years); i++) {
		cr_expect(SM(always, T(years[i], 1, 1, 0, 0, 0)), "year %lld",
		          (long long)years[i]);
		cr_expect(SM(always, T(years[i], 12, 31, 23, 59, 59)), "year %lld",
		          (long long)years[i]);
		cr_expect_not(SM("* * * * * * 1970-2199", T(years[i], 6, 1, 0, 0, 0)));
		cr_expect_not(SM("* * * * * * */1", T(years[i], 6, 1, 0, 0, 0)));
	}
	static const int64_t extremes[] = {INT64_MIN, INT64_MIN + 1,
	                                   INT64_MIN + 86399, INT64_MAX,
	                                   INT64_MAX - 86399};
	for (size_t i = 0; i < sizeof(extremes) / sizeof(*extremes); i++) {
		pdp_time t = {extremes[i], 0};
		cr_expect(SM(always, t), "sec %lld", (long long)extremes[i]);
		cr_expect_not(SM("* * * * * * 2026", t));
	}
	/* the other fields still count outside 1970-2199 */
	cr_expect(SM("* * * 29 2 * *", T(0, 2, 29, 12, 0, 0))); /* 0000 is leap */
	cr_expect_not(SM("* * * 29 2 * *", T(1900, 3, 1, 12, 0, 0)));
	cr_expect(SM("* * 8-17 * * MON *", T(1969, 12, 29, 9, 0, 0)));
	cr_expect_not(SM("* * 8-17 * * MON *", T(1969, 12, 30, 9, 0, 0)));
	cr_expect(SM("* * * * * * 2020,*", T(2500, 1, 1, 0, 0, 0)));
	cr_expect(SM("* * * * * * */2", T(2198, 1, 1, 0, 0, 0)));
	cr_expect_not(SM("* * * * * * */2", T(2200, 1, 1, 0, 0, 0)));
}

Test(schedule, whitespace)
{
	sched a = SP("  0\t0  8-17 * *\t* *  ");
	sched b = SP("0 0 8-17 * * * *");
	cr_expect_eq(memcmp(&a, &b, sizeof a), 0);
}

Test(schedule, counted_string_not_nul_terminated)
{
	const char buf[] = "* * 8 * * * *9";
	sched sc;
	prim_err e;
	cr_assert(sched_parse(buf, 13, &sc, &e));
	cr_expect_eq(sc.hour, 1u << 8);
}

Test(schedule, feb_29)
{
	const char *w = "* * * 29 2 * *";
	cr_expect(SM(w, T(2024, 2, 29, 12, 0, 0)));
	cr_expect_not(SM(w, T(2025, 3, 1, 12, 0, 0)));
	cr_expect_not(SM(w, T(2024, 2, 28, 12, 0, 0)));
	cr_expect_not(NEVER(w));
	cr_expect(NEVER("* * * 29 2 * 2025"));
	cr_expect(NEVER("* * * 29 2 * 2100")); /* not a leap year */
	cr_expect_not(NEVER("* * * 29 2 * 2000,2100"));
	cr_expect_not(NEVER("* * * 29 2 * 2024"));
}

Test(schedule, never_matches)
{
	cr_expect(NEVER("* * * 30 2 * *"));
	cr_expect(NEVER("* * * 31 4,6,9,11 * *"));
	cr_expect_not(NEVER("* * * 31 4,6,9,12 * *"));
	cr_expect_not(NEVER("* * 8-17 * * 1-5 *"));
	cr_expect_not(NEVER("* * * 13 * FRI 2024"));
	/* 2024-02-29 is a Thursday */
	cr_expect(NEVER("0 0 0 29 2 MON 2024"));
	cr_expect_not(NEVER("0 0 0 29 2 THU 2024"));
	sched zero;
	memset(&zero, 0, sizeof zero);
	cr_expect(sched_never_matches(&zero));
}

/* ---- schedules: errors ---- */

Test(schedule_errors, out_of_range)
{
	sched_err("* * 24 * * * *", 4, "hour: 24 is out of range 0-23");
	sched_err("60 * * * * * *", 0, "second: 60 is out of range 0-59");
	sched_err("* 60 * * * * *", 2, "minute: 60 is out of range 0-59");
	sched_err("* * * 0 * * *", 6, "day-of-month: 0 is out of range 1-31");
	sched_err("* * * 32 * * *", 6, "day-of-month: 32 is out of range");
	sched_err("* * * * 13 * *", 8, "month: 13 is out of range 1-12");
	sched_err("* * * * 0 * *", 8, "month: 0 is out of range 1-12");
	sched_err("* * * * * 8 *", 10, "day-of-week: 8 is out of range 0-7");
	sched_err("* * * * * * 1969", 12, "year: 1969 is out of range 1970-2199");
	sched_err("* * * * * * 2200", 12, "year: 2200 is out of range");
	sched_err("* * 1-99999999999 * * * *", 6,
	          "hour: 99999999999 is out of range 0-23");
	sched_err("* * 1,2,25 * * * *", 8, "hour: 25");
}

Test(schedule_errors, reversed_range)
{
	sched_err("* * 17-8 * * * *", 7, "hour: range 17-8 is reversed");
	sched_err("* * * * * SAT-SUN *", 14, "day-of-week: range 6-0");
	sched_err("* * * * * * 2030-2025", 17, "year: range 2030-2025");
}

Test(schedule_errors, bad_step)
{
	sched_err("*/0 * * * * * *", 2, "second: step must be at least 1");
	sched_err("* * 1-5/0 * * * *", 8, "hour: step must be at least 1");
	sched_err("* * */ * * * *", 6, "hour: expected a step number");
	sched_err("* * */x * * * *", 6, "hour: expected a step number");
}

Test(schedule_errors, field_count)
{
	sched_err("* * * * * *", 11, "6 fields, expected 7");
	sched_err("* * * * * * * *", 14, "too many fields");
	sched_err("", 0, "0 fields");
	sched_err("   ", 3, "0 fields");
	sched_err("*", 1, "1 field,");
}

Test(schedule_errors, syntax)
{
	sched_err("* * 8- * * * *", 6, "hour: expected a number");
	sched_err("* * 8,,9 * * * *", 6, "hour: empty list item");
	sched_err("* * 8, * * * *", 6, "hour: empty list item after ','");
	sched_err("* * ,8 * * * *", 4, "hour: empty list item");
	sched_err("* * 8x * * * *", 5, "hour: unexpected character 'x'");
	sched_err("* * *-5 * * * *", 5, "hour: unexpected character '-'");
	sched_err("* * -5 * * * *", 4, "hour: expected a number");
	sched_err("* * 8-9-10 * * * *", 7, "hour: unexpected character '-'");
	sched_err("* * 1/2/3 * * * *", 5, "hour: a step needs");
	sched_err("* * */2/3 * * * *", 7, "hour: unexpected character '/'");
	sched_err("* * * * FOO * *", 8, "month: unknown name 'FOO'");
	sched_err("* * * * JANUARY * *", 8, "month: unknown name 'JANUARY'");
	sched_err("* * * * * MON-FRX *", 14, "day-of-week: unknown name 'FRX'");
	sched_err("* * MON * * * *", 4, "hour: names are only allowed");
	sched_err("* * * * * * MMXX", 12, "year: names are only allowed");
}

Test(schedule_errors, null_err_is_allowed)
{
	sched sc;
	cr_expect_not(sched_parse("* * 24 * * * *", 14, &sc, NULL));
}

/* ---- civil time ---- */

Test(timeutil, epoch_and_negative)
{
	civil_time c;
	civil_from_unix(0, &c);
	cr_expect(c.year == 1970 && c.month == 1 && c.day == 1 && c.hour == 0 &&
	          c.min == 0 && c.sec == 0 && c.wday == 4);
	civil_from_unix(-1, &c);
	cr_expect(c.year == 1969 && c.month == 12 && c.day == 31 &&
	          c.hour == 23 && c.min == 59 && c.sec == 59 && c.wday == 3);
	civil_from_unix(-62135596800, &c); /* 0001-01-01, a Monday */
	cr_expect(c.year == 1 && c.month == 1 && c.day == 1 && c.wday == 1);
	civil_from_unix(INT64_C(2147483648), &c);
	cr_expect(c.year == 2038 && c.month == 1 && c.day == 19 &&
	          c.hour == 3 && c.min == 14 && c.sec == 8);
}

/* Every int64 second converts without overflow (UBSan checks the
 * arithmetic), and the calendar repeats every 400 years. */
Test(timeutil, extreme_seconds)
{
	civil_time c;
	civil_from_unix(INT64_MIN, &c);
	cr_expect(c.year == INT64_C(-292277022657) && c.month == 1 &&
	          c.day == 27 && c.hour == 8 && c.min == 29 && c.sec == 52 &&
	          c.wday >= 0 && c.wday <= 6);
	civil_from_unix(INT64_MAX, &c);
	cr_expect(c.year == INT64_C(292277026596) && c.month == 12 &&
	          c.day == 4 && c.hour == 15 && c.min == 30 && c.sec == 7 &&
	          c.wday == 0);
	civil_from_unix(-62167219200, &c); /* 0000-01-01, a Saturday */
	cr_expect(c.year == 0 && c.month == 1 && c.day == 1 && c.wday == 6);
	civil_from_unix(253402300799, &c); /* 9999-12-31T23:59:59, a Friday */
	cr_expect(c.year == 9999 && c.month == 12 && c.day == 31 &&
	          c.hour == 23 && c.sec == 59 && c.wday == 5);
	const int64_t cycle = INT64_C(146097) * 86400;
	for (int64_t s = INT64_MIN; s < INT64_MIN + 3 * 86400; s += 3607) {
		civil_time a, b;
		civil_from_unix(s, &a);
		civil_from_unix(s + cycle, &b);
		cr_assert(a.year + 400 == b.year && a.month == b.month &&
		          a.day == b.day && a.hour == b.hour && a.min == b.min &&
		          a.sec == b.sec && a.wday == b.wday, "sec %lld",
		          (long long)s);
	}
}

Test(timeutil, valid_times)
{
	pdp_time t = {INT64_MIN, 0};
	cr_expect(time_valid(t));
	t.nsec = 999999999;
	cr_expect(time_valid(t));
	t.nsec = 1000000000;
	cr_expect_not(time_valid(t));
	t.nsec = -1;
	cr_expect_not(time_valid(t));
}

Test(timeutil, known_dates)
{
	cr_expect_eq(unix_from_civil(1970, 1, 1, 0, 0, 0), 0);
	cr_expect_eq(unix_from_civil(2000, 2, 29, 0, 0, 0), 951782400);
	cr_expect_eq(unix_from_civil(2000, 3, 1, 0, 0, 0), 951868800);
	cr_expect_eq(unix_from_civil(1969, 12, 31, 23, 59, 59), -1);
	cr_expect_eq(unix_from_civil(1900, 3, 1, 0, 0, 0), -2203891200);
	cr_expect_eq(unix_from_civil(2199, 12, 31, 23, 59, 59), 7258118399);
}

Test(timeutil, round_trip)
{
	for (int64_t s = -INT64_C(300000) * 86400; s < INT64_C(300000) * 86400;
	     s += 86400 * 997 + 3607) {
		civil_time c;
		civil_from_unix(s, &c);
		cr_assert_eq(unix_from_civil(c.year, c.month, c.day, c.hour,
		                             c.min, c.sec),
		             s);
		int64_t days = (s - (c.hour * 3600 + c.min * 60 + c.sec)) / 86400;
		int64_t wd = ((days + 4) % 7 + 7) % 7;
		cr_assert_eq(c.wday, (int)wd);
	}
}

static pdp_time RP(const char *s)
{
	pdp_time t = {0, 0};
	prim_err e = {0, "", false};
	cr_assert(time_parse_rfc3339(s, strlen(s), &t, &e),
	          "parse \"%s\": %s at %zu", s, e.message, e.offset);
	return t;
}

static void rfc_err(const char *s, size_t offset, const char *msg)
{
	pdp_time t;
	prim_err e = {0, "", false};
	cr_assert_not(time_parse_rfc3339(s, strlen(s), &t, &e),
	              "\"%s\" should fail", s);
	cr_expect_eq(e.offset, offset, "\"%s\": offset %zu, expected %zu (%s)",
	             s, e.offset, offset, e.message);
	cr_expect(strstr(e.message, msg) != NULL,
	          "\"%s\": message \"%s\" lacks \"%s\"", s, e.message, msg);
}

Test(rfc3339, offsets)
{
	int64_t want = unix_from_civil(2026, 11, 28, 9, 15, 0);
	cr_expect_eq(RP("2026-11-28T09:15:00Z").sec, want);
	cr_expect_eq(RP("2026-11-28T10:15:00+01:00").sec, want);
	cr_expect_eq(RP("2026-11-28T04:15:00-05:00").sec, want);
	cr_expect_eq(RP("2026-11-28T14:45:00+05:30").sec, want);
	cr_expect_eq(RP("2026-11-28t09:15:00z").sec, want);
	cr_expect_eq(RP("2026-11-28 09:15:00-00:00").sec, want);
	cr_expect_eq(RP("2026-11-29T00:15:00+15:00").sec, want);
	cr_expect_eq(RP("1970-01-01T00:00:00Z").sec, 0);
	cr_expect_eq(RP("1970-01-01T00:59:59+01:00").sec, -1);
	cr_expect_eq(RP("0000-01-01T00:00:00Z").sec, -62167219200);
}

Test(rfc3339, fractions)
{
	pdp_time t = RP("2026-11-28T09:15:00.5Z");
	cr_expect_eq(t.nsec, 500000000);
	cr_expect_eq(t.sec, unix_from_civil(2026, 11, 28, 9, 15, 0));
	cr_expect_eq(RP("2026-11-28T09:15:00.123456789Z").nsec, 123456789);
	cr_expect_eq(RP("2026-11-28T09:15:00.000000001+02:00").nsec, 1);
	cr_expect_eq(RP("2026-11-28T09:15:00.000Z").nsec, 0);
	cr_expect_eq(RP("2026-11-28T09:15:00Z").nsec, 0);
	rfc_err("2026-11-28T09:15:00.1234567890Z", 29, "more than 9 digits");
	rfc_err("2026-11-28T09:15:00.Z", 20, "expected digits after '.'");
}

Test(rfc3339, leap_years)
{
	cr_expect_eq(RP("2024-02-29T00:00:00Z").sec,
	             unix_from_civil(2024, 2, 29, 0, 0, 0));
	cr_expect_eq(RP("2000-02-29T00:00:00Z").sec, 951782400);
	rfc_err("2025-02-29T00:00:00Z", 8, "day 29 does not exist in 2025-02");
	rfc_err("1900-02-29T00:00:00Z", 8, "day 29 does not exist");
	rfc_err("2024-02-30T00:00:00Z", 8, "day 30 does not exist");
	rfc_err("2026-04-31T00:00:00Z", 8, "day 31 does not exist in 2026-04");
	rfc_err("2026-01-00T00:00:00Z", 8, "day 00 does not exist");
	cr_expect_eq(RP("2026-01-31T00:00:00Z").sec,
	             unix_from_civil(2026, 1, 31, 0, 0, 0));
}

Test(rfc3339, invalid)
{
	rfc_err("2026-13-01T00:00:00Z", 5, "month 13 is out of range");
	rfc_err("2026-00-01T00:00:00Z", 5, "month 00 is out of range");
	rfc_err("2026-11-28T24:00:00Z", 11, "hour 24 is out of range");
	rfc_err("2026-11-28T23:60:00Z", 14, "minute 60 is out of range");
	rfc_err("2026-11-28T23:59:60Z", 17, "second 60 is out of range");
	rfc_err("2026-11-28T09:15:00", 19, "expected 'Z'");
	rfc_err("2026-11-28T09:15:00Zx", 20, "unexpected text");
	rfc_err("2026-11-28T09:15:00+01", 22, "':' in the offset");
	rfc_err("2026-11-28T09:15:00+24:00", 20, "offset hour 24");
	rfc_err("2026-11-28T09:15:00+01:60", 23, "offset minute 60");
	rfc_err("2026-11-28X09:15:00Z", 10, "'T'");
	rfc_err("26-11-28T09:15:00Z", 2, "4 digits for the year");
	rfc_err("2026/11/28T09:15:00Z", 4, "'-' after the year");
	rfc_err("2026-1-28T09:15:00Z", 6, "2 digits for the month");
	rfc_err("2026-11-28T9:15:00Z", 12, "2 digits for the hour");
	rfc_err("", 0, "4 digits for the year");
	rfc_err("2026-11-28", 10, "'T'");
	rfc_err(" 2026-11-28T09:15:00Z", 0, "year");
}

Test(rfc3339, format)
{
	char buf[64];
	pdp_time t = {0, 0};
	cr_expect_eq(time_format_rfc3339(t, buf, sizeof buf), 20u);
	cr_expect_str_eq(buf, "1970-01-01T00:00:00Z");
	t.sec = -1;
	time_format_rfc3339(t, buf, sizeof buf);
	cr_expect_str_eq(buf, "1969-12-31T23:59:59Z");
	t = RP("2026-11-28T09:15:00.5Z");
	cr_expect_eq(time_format_rfc3339(t, buf, sizeof buf), 22u);
	cr_expect_str_eq(buf, "2026-11-28T09:15:00.5Z");
	t.nsec = 123456789;
	time_format_rfc3339(t, buf, sizeof buf);
	cr_expect_str_eq(buf, "2026-11-28T09:15:00.123456789Z");
	t.nsec = 1000;
	time_format_rfc3339(t, buf, sizeof buf);
	cr_expect_str_eq(buf, "2026-11-28T09:15:00.000001Z");
	/* truncation reports the full length */
	t.nsec = 0;
	cr_expect_eq(time_format_rfc3339(t, buf, 5), 20u);
	cr_expect_str_eq(buf, "2026");
	cr_expect_eq(time_format_rfc3339(t, NULL, 0), 20u);
	/* round trip */
	pdp_time u = RP("2024-02-29T23:59:59.25+01:00");
	time_format_rfc3339(u, buf, sizeof buf);
	cr_expect_str_eq(buf, "2024-02-29T22:59:59.25Z");
	/* years 0000-9999 as written; an offset can move the instant out */
	time_format_rfc3339(RP("0000-01-01T00:00:00Z"), buf, sizeof buf);
	cr_expect_str_eq(buf, "0000-01-01T00:00:00Z");
	time_format_rfc3339(RP("0000-01-01T00:00:00+01:00"), buf, sizeof buf);
	cr_expect_str_eq(buf, "-0001-12-31T23:00:00Z");
	time_format_rfc3339(RP("9999-12-31T23:59:59-00:01"), buf, sizeof buf);
	cr_expect_str_eq(buf, "10000-01-01T00:00:59Z");
	t.sec = INT64_MIN;
	time_format_rfc3339(t, buf, sizeof buf);
	cr_expect_str_eq(buf, "-292277022657-01-27T08:29:52Z");
}

/* ---- IP and CIDR ---- */

static pdp_ip IP(const char *s)
{
	pdp_ip ip;
	prim_err e = {0, "", false};
	cr_assert(ip_parse(s, strlen(s), &ip, NULL, &e), "ip \"%s\": %s", s,
	          e.message);
	return ip;
}

typedef struct net {
	pdp_ip ip;
	uint32_t prefix;
	bool host;
} net;

static net NET(const char *s)
{
	net n;
	prim_err e = {0, "", false};
	cr_assert(cidr_parse(s, strlen(s), &n.ip, &n.prefix, &n.host, &e),
	          "cidr \"%s\": %s", s, e.message);
	return n;
}

static bool IN(const char *cidr, const char *ip)
{
	net n = NET(cidr);
	pdp_ip a = IP(ip);
	return cidr_contains(&n.ip, n.prefix, &a);
}

static void ip_err(const char *s, size_t len, size_t offset)
{
	pdp_ip ip;
	prim_err e = {0, "", false};
	cr_expect_not(ip_parse(s, len, &ip, NULL, &e), "\"%s\" should fail", s);
	cr_expect_eq(e.offset, offset, "\"%s\": offset %zu, expected %zu (%s)",
	             s, e.offset, offset, e.message);
}

static void cidr_err(const char *s, size_t offset, const char *msg)
{
	net n;
	prim_err e = {0, "", false};
	cr_assert_not(cidr_parse(s, strlen(s), &n.ip, &n.prefix, &n.host, &e),
	              "\"%s\" should fail", s);
	cr_expect_eq(e.offset, offset, "\"%s\": offset %zu, expected %zu (%s)",
	             s, e.offset, offset, e.message);
	cr_expect(strstr(e.message, msg) != NULL,
	          "\"%s\": message \"%s\" lacks \"%s\"", s, e.message, msg);
}

Test(ip, parse_v4_is_mapped)
{
	pdp_ip ip;
	bool v4 = false;
	cr_assert(ip_parse("10.1.7.9", 8, &ip, &v4, NULL));
	const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0,
	                          0, 0, 0xff, 0xff, 10, 1, 7, 9};
	cr_expect_eq(memcmp(ip.b, want, 16), 0);
	cr_expect(v4);
	pdp_ip m;
	cr_assert(ip_parse("::ffff:10.1.7.9", 15, &m, &v4, NULL));
	cr_expect_not(v4);
	cr_expect_eq(memcmp(m.b, want, 16), 0);
	pdp_ip h = IP("::FFFF:a01:709");
	cr_expect_eq(memcmp(h.b, want, 16), 0);
}

Test(ip, parse_v6)
{
	pdp_ip ip = IP("2001:db8::1");
	const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                          0,    0,    0,    0,    0, 0, 0, 1};
	cr_expect_eq(memcmp(ip.b, want, 16), 0);
	pdp_ip any = IP("::");
	const uint8_t zero[16] = {0};
	cr_expect_eq(memcmp(any.b, zero, 16), 0);
}

Test(ip, parse_errors)
{
	ip_err("", 0, 0);
	ip_err("10.1.7", 6, 0);
	ip_err("10.1.7.256", 10, 0);
	ip_err("1.2.3.4 ", 8, 7);
	ip_err(" 1.2.3.4", 8, 0);
	ip_err("fe80::1%eth0", 12, 7);
	ip_err("1.2.3.4\0", 8, 7);
	ip_err("2001:db8:::1", 12, 0);
	ip_err("hello", 5, 0); /* 'h' is the first non-address byte */
	ip_err("1.2.x.4", 7, 4);
	ip_err("0000:0000:0000:0000:0000:0000:0000:0000:0000:0000", 49, 45);
	/* counted: the text after len is not read */
	pdp_ip ip;
	cr_expect(ip_parse("1.2.3.45", 7, &ip, NULL, NULL));
	cr_expect_eq(ip.b[15], 4);
}

Test(cidr, v4_edges)
{
	net n = NET("10.1.0.0/16");
	cr_expect_eq(n.prefix, 112u);
	cr_expect_not(n.host);
	cr_expect(IN("10.1.0.0/16", "10.1.0.0"));
	cr_expect(IN("10.1.0.0/16", "10.1.255.255"));
	cr_expect_not(IN("10.1.0.0/16", "10.0.255.255"));
	cr_expect_not(IN("10.1.0.0/16", "10.2.0.0"));
	cr_expect_not(IN("10.1.0.0/16", "2001:db8::1"));
	cr_expect(IN("192.168.1.64/26", "192.168.1.127"));
	cr_expect_not(IN("192.168.1.64/26", "192.168.1.128"));
	cr_expect_not(IN("192.168.1.64/26", "192.168.1.63"));
}

Test(cidr, v4_zero_and_full)
{
	net z = NET("0.0.0.0/0");
	cr_expect_eq(z.prefix, 96u);
	cr_expect(IN("0.0.0.0/0", "0.0.0.0"));
	cr_expect(IN("0.0.0.0/0", "255.255.255.255"));
	cr_expect_not(IN("0.0.0.0/0", "2001:db8::1"));
	cr_expect_not(IN("0.0.0.0/0", "::1"));
	net f = NET("1.2.3.4/32");
	cr_expect_eq(f.prefix, 128u);
	net bare = NET("1.2.3.4");
	cr_expect_eq(bare.prefix, 128u);
	cr_expect(IN("1.2.3.4", "1.2.3.4"));
	cr_expect_not(IN("1.2.3.4", "1.2.3.5"));
	cr_expect_not(IN("1.2.3.4/32", "1.2.3.3"));
}

Test(cidr, v6_edges)
{
	net n = NET("2001:db8::/32");
	cr_expect_eq(n.prefix, 32u);
	cr_expect(IN("2001:db8::/32", "2001:db8::"));
	cr_expect(IN("2001:db8::/32",
	             "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
	cr_expect_not(IN("2001:db8::/32", "2001:db9::"));
	cr_expect_not(IN("2001:db8::/32",
	                 "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"));
	cr_expect(IN("::/0", "2001:db8::1"));
	cr_expect(IN("::/0", "10.0.0.1"));
	net b = NET("2001:db8::1");
	cr_expect_eq(b.prefix, 128u);
	cr_expect(IN("2001:db8::1/128", "2001:db8::1"));
	cr_expect_not(IN("2001:db8::1/128", "2001:db8::2"));
	cr_expect_not(IN("2001:db8::1/128", "2001:db8::"));
	cr_expect(IN("2001:db8::80/121", "2001:db8::ff"));
	cr_expect_not(IN("2001:db8::80/121", "2001:db8::100"));
}

Test(cidr, v4_mapped_request_matches_v4_range)
{
	cr_expect(IN("10.1.0.0/16", "::ffff:10.1.7.9"));
	cr_expect_not(IN("10.1.0.0/16", "::ffff:10.2.7.9"));
	cr_expect(IN("::ffff:10.1.0.0/112", "10.1.7.9"));
	/* an IPv4-compatible (not mapped) address is a different address */
	cr_expect_not(IN("10.1.0.0/16", "::10.1.7.9"));
}

Test(cidr, host_bits_cleared_and_reported)
{
	net n = NET("10.1.2.3/16");
	cr_expect(n.host);
	cr_expect_eq(memcmp(n.ip.b, IP("10.1.0.0").b, 16), 0);
	cr_expect(IN("10.1.2.3/16", "10.1.200.1"));
	net v6 = NET("2001:db8::1/64");
	cr_expect(v6.host);
	cr_expect_eq(memcmp(v6.ip.b, IP("2001:db8::").b, 16), 0);
	net ok = NET("10.1.0.0/16");
	cr_expect_not(ok.host);
	net odd = NET("10.1.2.3/31");
	cr_expect(odd.host);
	cr_expect_eq(odd.ip.b[15], 2);
	cr_expect_not(NET("0.0.0.0/0").host);
	cr_expect(NET("1.0.0.0/0").host);
}

Test(cidr, errors)
{
	cidr_err("10.0.0.0/33", 9, "prefix length 33 is out of range 0-32");
	cidr_err("2001:db8::/129", 11, "prefix length 129 is out of range 0-128");
	cidr_err("10.0.0.0/", 9, "missing prefix length");
	cidr_err("10.0.0.0/+8", 9, "digits only");
	cidr_err("10.0.0.0/-8", 9, "digits only");
	cidr_err("10.0.0.0/ 8", 9, "digits only");
	cidr_err("10.0.0.0/8 ", 10, "digits only");
	cidr_err("10.0.0.0/8/8", 10, "digits only");
	cidr_err("10.0.0.0/abc", 9, "digits only");
	cidr_err("10.0.0.0/0008", 9, "out of range");
	cidr_err("10.0.0.0 /8", 8, "not an IPv4 address");
	cidr_err(" 10.0.0.0/8", 0, "not an IPv4 address");
	cidr_err("/8", 0, "empty address");
	cidr_err("", 0, "empty");
	cidr_err("10.0.0/8", 0, "not an IPv4 address");
	cidr_err("2001:db8::/3x", 12, "digits only");
}

Test(cidr, contains_rejects_bad_prefix)
{
	pdp_ip a = IP("1.2.3.4");
	cr_expect_not(cidr_contains(&a, 129, &a));
	cr_expect(cidr_contains(&a, 128, &a));
}

Test(ip, format)
{
	char buf[64];
	pdp_ip a = IP("10.1.7.9");
	cr_expect_eq(ip_format(&a, buf, sizeof buf), 8u);
	cr_expect_str_eq(buf, "10.1.7.9");
	pdp_ip b = IP("2001:0db8:0:0:0:0:0:1");
	ip_format(&b, buf, sizeof buf);
	cr_expect_str_eq(buf, "2001:db8::1");
	pdp_ip c = IP("::ffff:192.0.2.1");
	ip_format(&c, buf, sizeof buf);
	cr_expect_str_eq(buf, "192.0.2.1");
	cr_expect_eq(ip_format(&b, buf, 5), 11u);
	cr_expect_str_eq(buf, "2001");
	cr_expect_eq(ip_format(&a, NULL, 0), 8u);
}

/* ---- globs ---- */

static bool G(const char *p, const char *t)
{
	return glob_match(S(p), S(t));
}

Test(glob, path_scope)
{
	cr_expect(G("/cse-in/*", "/cse-in/a"));
	cr_expect(G("/cse-in/*", "/cse-in/"));
	cr_expect_not(G("/cse-in/*", "/cse-in/a/b"));
	cr_expect_not(G("/cse-in/*", "/cse-in"));
	cr_expect(G("/cse-in/*/b", "/cse-in/a/b"));
	cr_expect(G("*/*", "a/b"));
	cr_expect(G("*/*", "/"));
	cr_expect_not(G("*", "a/b"));
	cr_expect_not(G("*", "/"));
	cr_expect_not(G("a/*", "a"));
}

Test(glob, question_mark)
{
	cr_expect(G("CAE-?", "CAE-1"));
	cr_expect_not(G("CAE-?", "CAE-12"));
	cr_expect_not(G("CAE-?", "CAE-"));
	cr_expect_not(G("a?b", "a/b"));
	cr_expect(G("a?b", "a?b"));
	cr_expect(G("???", "abc"));
	cr_expect_not(G("???", "ab"));
}

Test(glob, stars)
{
	cr_expect(G("CAE-meter-*", "CAE-meter-01"));
	cr_expect(G("CAE-meter-*", "CAE-meter-"));
	cr_expect_not(G("CAE-meter-*", "CAE-other-01"));
	cr_expect(G("CAE-meter-9*", "CAE-meter-99"));
	cr_expect_not(G("CAE-meter-9*", "CAE-meter-19"));
	cr_expect(G("*a*b*c*", "xxaxxbxxcxx"));
	cr_expect_not(G("*a*b*c*", "xxaxxcxxbxx"));
	cr_expect(G("a*b*c", "abc"));
	cr_expect_not(G("a*b*c", "acb"));
	cr_expect(G("a**b", "ab"));
	cr_expect(G("*x", "xxxx"));
	cr_expect_not(G("*x", "xxxy"));
	cr_expect(G("*ab", "aab"));
	cr_expect(G("a*?c", "abc"));
	cr_expect_not(G("a*?c", "ac"));
}

Test(glob, literals_and_empty)
{
	cr_expect(G("", ""));
	cr_expect_not(G("", "a"));
	cr_expect_not(G("a", ""));
	cr_expect(G("*", ""));
	cr_expect(G("**", ""));
	cr_expect_not(G("?", ""));
	cr_expect(G("CAE-admin", "CAE-admin"));
	cr_expect_not(G("CAE-admin", "cae-admin"));
	cr_expect_not(G("CAE-admin", "CAE-admin2"));
	cr_expect(G("[a]\\.+", "[a]\\.+"));
	cr_expect_not(G("[a]", "a"));
	pdp_str absent = {NULL, 0};
	cr_expect_not(glob_match(absent, S("")));
	cr_expect_not(glob_match(S("*"), absent));
	/* counted strings: bytes past len are not part of the text */
	pdp_str t = {"abcdef", 3};
	cr_expect(glob_match(S("abc"), t));
	cr_expect_not(glob_match(S("abcd*"), t));
}

/* '*' and '?' in the text are literal characters: the pattern's '*' is
 * still a wildcard where the text holds a '*' (issue 11, item 1). */
Test(glob, wildcards_in_the_text_are_literal)
{
	cr_expect(G("CAE-evil*", "CAE-evil*x"));
	cr_expect(G("CAE-evil*", "CAE-evil*"));
	cr_expect(G("CAE-evil*", "CAE-evil**"));
	cr_expect(G("*", "*a"));
	cr_expect(G("*", "**"));
	cr_expect(G("*a", "*a"));
	cr_expect(G("*a", "**a"));
	cr_expect(G("a*b", "a*xb"));
	cr_expect(G("?", "*"));
	cr_expect(G("*?", "*"));
	cr_expect(G("/cse-in/*", "/cse-in/*x"));
	cr_expect_not(G("*", "*/a"));
	cr_expect_not(G("a*", "*a"));
	cr_expect_not(G("CAE-?", "CAE-*x"));
}

/* '?' is one UTF-8 character, not one byte (issue 11, item 2). */
Test(glob, question_mark_is_one_utf8_character)
{
	cr_expect(G("CAE-?", "CAE-\xc3\xa9"));            /* e acute, 2 bytes */
	cr_expect(G("CAE-?", "CAE-\xe2\x82\xac"));        /* euro, 3 bytes */
	cr_expect(G("CAE-?", "CAE-\xf0\x9f\x98\x80"));    /* emoji, 4 bytes */
	cr_expect_not(G("CAE-??", "CAE-\xc3\xa9"));
	cr_expect(G("CAE-??", "CAE-\xc3\xa9\xc3\xa9"));
	cr_expect(G("?x", "\xc3\xa9x"));
	cr_expect(G("*\xc3\xa9", "ab\xc3\xa9"));
	cr_expect(G("*?", "\xc3\xa9"));
	cr_expect_not(G("*??", "\xc3\xa9"));
	/* a literal multi-byte character matches itself only */
	cr_expect(G("\xc3\xa9*", "\xc3\xa9t\xc3\xa9"));
	cr_expect_not(G("\xc3\xa9", "\xc3\xa8"));
}

/* Bytes that are not well-formed UTF-8 are one character each (decide
 * refuses such originators; the matcher still gives one answer). */
Test(glob, ill_formed_bytes_are_single_characters)
{
	cr_expect(G("?", "\xc3"));
	cr_expect(G("??", "\xc3x"));
	cr_expect(G("??", "\xe2\x82"));        /* truncated: two lone bytes */
	cr_expect_not(G("??", "\xed\xa0\x80")); /* a surrogate: three */
	cr_expect(G("???", "\xed\xa0\x80"));
	cr_expect(G("??", "\xc0\xaf"));        /* overlong '/' is no '/' */
	cr_expect_not(G("\xc3?", "\xc3\xa9")); /* a lone lead byte is not e acute's */
}

/* Every pattern and text up to 5 characters over {a * ? / e-acute},
 * against the reference matcher of tests/ref/glob_ref.h. */
#define ALPHA 5
#define MAXC 5

static size_t spell(unsigned code, unsigned nchars, char *out)
{
	static const char *const SYM[ALPHA] = {"a", "*", "?", "/", "\xc3\xa9"};
	size_t len = 0;
	for (unsigned i = 0; i < nchars; i++, code /= ALPHA) {
		const char *c = SYM[code % ALPHA];
		memcpy(out + len, c, strlen(c));
		len += strlen(c);
	}
	return len;
}

Test(glob, exhaustive_small_alphabet_against_reference)
{
	static char pats[3906][2 * MAXC], texts[3906][2 * MAXC];
	static size_t plen[3906], tlen[3906];
	size_t n = 0;
	for (unsigned len = 0, count = 1; len <= MAXC; len++, count *= ALPHA)
		for (unsigned code = 0; code < count; code++, n++) {
			plen[n] = spell(code, len, pats[n]);
			tlen[n] = plen[n];
			memcpy(texts[n], pats[n], plen[n]);
		}
	cr_assert_eq(n, 3906u);
	size_t disagree = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			pdp_str p = {pats[i], plen[i]}, t = {texts[j], tlen[j]};
			bool got = glob_match(p, t);
			bool want = ref_glob(p.ptr, p.len, t.ptr, t.len);
			if (got != want && disagree++ < 10)
				cr_log_error("pattern \"%.*s\" text \"%.*s\": %d, "
				             "reference %d",
				             (int)p.len, p.ptr, (int)t.len, t.ptr,
				             got, want);
		}
	cr_expect_eq(disagree, 0u, "%zu disagreements", disagree);
}

Test(glob, pathological_is_fast, .timeout = 2)
{
	static char text[20001];
	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	cr_expect_not(G("*a*a*a*a*a*a*a*a*b", text));
	cr_expect(G("*a*a*a*a*a*a*a*a*a", text));
}

Test(glob, has_wildcard)
{
	cr_expect(glob_has_wildcard(S("CAE-*")));
	cr_expect(glob_has_wildcard(S("CAE-?")));
	cr_expect_not(glob_has_wildcard(S("CAE-admin")));
	cr_expect_not(glob_has_wildcard(S("")));
	pdp_str absent = {NULL, 0};
	cr_expect_not(glob_has_wildcard(absent));
	pdp_str cut = {"ab*", 2};
	cr_expect_not(glob_has_wildcard(cut));
}

/* ---- UTF-8 ---- */

static size_t UL(const char *s)
{
	return utf8_char_len(s, strlen(s));
}

Test(utf8, boundaries_of_well_formed_sequences)
{
	cr_expect_eq(UL("a"), 1u);
	cr_expect_eq(UL("\x7f"), 1u);
	cr_expect_eq(UL("\x80"), 0u);           /* continuation byte */
	cr_expect_eq(UL("\xc1\xbf"), 0u);       /* overlong */
	cr_expect_eq(UL("\xc2\x80"), 2u);
	cr_expect_eq(UL("\xdf\xbf"), 2u);
	cr_expect_eq(UL("\xc2"), 0u);           /* truncated */
	cr_expect_eq(UL("\xc2\xc0"), 0u);       /* not a continuation */
	cr_expect_eq(UL("\xe0\x9f\xbf"), 0u);   /* overlong */
	cr_expect_eq(UL("\xe0\xa0\x80"), 3u);
	cr_expect_eq(UL("\xed\x9f\xbf"), 3u);   /* U+D7FF */
	cr_expect_eq(UL("\xed\xa0\x80"), 0u);   /* U+D800, a surrogate */
	cr_expect_eq(UL("\xee\x80\x80"), 3u);   /* U+E000 */
	cr_expect_eq(UL("\xf0\x8f\xbf\xbf"), 0u); /* overlong */
	cr_expect_eq(UL("\xf0\x90\x80\x80"), 4u);
	cr_expect_eq(UL("\xf4\x8f\xbf\xbf"), 4u); /* U+10FFFF */
	cr_expect_eq(UL("\xf4\x90\x80\x80"), 0u); /* above U+10FFFF */
	cr_expect_eq(UL("\xf5\x80\x80\x80"), 0u);
	cr_expect_eq(UL("\xff"), 0u);
	cr_expect_eq(utf8_char_len("\xc3\xa9", 1), 0u); /* counted string */
	cr_expect_eq(utf8_char_len("", 0), 0u);
}

/* Every sequence of up to three bytes, and four-byte ones over the
 * interesting continuation values, agree with the reference decoder. */
Test(utf8, agrees_with_reference_decoder)
{
	char b[4];
	for (unsigned v = 0; v < (1u << 24); v++) {
		b[0] = (char)(v >> 16);
		b[1] = (char)(v >> 8);
		b[2] = (char)v;
		for (size_t n = 1; n <= 3; n++)
			if (utf8_char_len(b, n) != ref_utf8_len(b, n))
				cr_assert_fail("%02x %02x %02x (n %zu): %zu, reference %zu",
				               (unsigned)(v >> 16), (unsigned)(v >> 8) & 0xffu,
				               v & 0xffu, n, utf8_char_len(b, n),
				               ref_utf8_len(b, n));
	}
	static const unsigned char K[] = {0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xff};
	for (unsigned lead = 0xf0; lead <= 0xff; lead++)
		for (unsigned second = 0; second < 256; second++)
			for (size_t i = 0; i < sizeof(K); i++)
				for (size_t j = 0; j < sizeof(K); j++) {
					b[0] = (char)lead;
					b[1] = (char)second;
					b[2] = (char)K[i];
					b[3] = (char)K[j];
					cr_assert_eq(utf8_char_len(b, 4), ref_utf8_len(b, 4),
					             "%02x %02x %02x %02x", lead, second,
					             K[i], K[j]);
				}
}

Test(utf8, valid_strings)
{
	cr_expect(utf8_valid(S("")));
	cr_expect(utf8_valid(S("CAE-admin")));
	cr_expect(utf8_valid(S("CAE-\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")));
	cr_expect_not(utf8_valid(S("CAE-\xc3")));
	cr_expect_not(utf8_valid(S("\xc3(")));
	cr_expect_not(utf8_valid(S("CAE-\xed\xa0\x80")));
	pdp_str cut = {"\xc3\xa9", 1};
	cr_expect_not(utf8_valid(cut));
	pdp_str absent = {NULL, 0};
	cr_expect(utf8_valid(absent));
	pdp_str bad = {NULL, 3};
	cr_expect_not(utf8_valid(bad));
}

/* ---- geography ---- */

#define EARTH_R 6371008.8
#define DEG(m) ((m) / EARTH_R * 180.0 / 3.14159265358979323846)

Test(geo, berlin_circle_edges)
{
	const double lat = 52.52, lon = 13.40;
	cr_expect_float_eq(geo_distance_m(lat, lon, lat, lon), 0.0, 1e-9);
	/* due north along the meridian the distance is exact */
	double in = geo_distance_m(lat, lon, lat + DEG(4999.0), lon);
	double out = geo_distance_m(lat, lon, lat + DEG(5001.0), lon);
	cr_expect_float_eq(in, 4999.0, 1e-3);
	cr_expect_float_eq(out, 5001.0, 1e-3);
	cr_expect(in <= 5000.0);
	cr_expect(out > 5000.0);
	/* due east: a degree of longitude is cos(lat) shorter */
	double dlon = DEG(4990.0) / cos(lat * 3.14159265358979323846 / 180.0);
	double east = geo_distance_m(lat, lon, lat, lon + dlon);
	cr_expect(east > 4980.0 && east < 5000.0, "east %f", east);
	cr_expect(geo_distance_m(lat, lon, lat, lon + 2 * dlon) > 5000.0);
}

Test(geo, known_distances)
{
	/* one degree of latitude */
	cr_expect_float_eq(geo_distance_m(0, 0, 1, 0), EARTH_R * 3.14159265358979323846 / 180.0, 1e-6);
	/* Berlin - Paris, about 878 km */
	double bp = geo_distance_m(52.52, 13.40, 48.8566, 2.3522);
	cr_expect(bp > 876000.0 && bp < 880000.0, "Berlin-Paris %f", bp);
	/* symmetric */
	cr_expect_float_eq(bp, geo_distance_m(48.8566, 2.3522, 52.52, 13.40), 1e-6);
	/* antipodes: half the circumference, no NaN */
	double anti = geo_distance_m(0, 0, 0, 180);
	cr_expect_float_eq(anti, EARTH_R * 3.14159265358979323846, 1e-3);
	cr_expect_float_eq(geo_distance_m(90, 0, -90, 0), EARTH_R * 3.14159265358979323846, 1e-3);
	/* across the antimeridian */
	double am = geo_distance_m(0, 179.99, 0, -179.99);
	cr_expect(am > 2200.0 && am < 2250.0, "antimeridian %f", am);
}

/* ---- countries ---- */

Test(country, alpha2_and_numeric)
{
	cr_expect_eq(country_code(S("DE")), 276);
	cr_expect_eq(country_code(S("de")), 276);
	cr_expect_eq(country_code(S("dE")), 276);
	cr_expect_eq(country_code(S("276")), 276);
	cr_expect_eq(country_code(S("FR")), 250);
	cr_expect_eq(country_code(S("AT")), 40);
	cr_expect_eq(country_code(S("040")), 40);
	cr_expect_eq(country_code(S("40")), 40);
	cr_expect_eq(country_code(S("004")), 4);
	cr_expect_eq(country_code(S("4")), 4);
	cr_expect_eq(country_code(S("AF")), 4);
	cr_expect_eq(country_code(S("AD")), 20);   /* first alpha-2 */
	cr_expect_eq(country_code(S("ZW")), 716);  /* last alpha-2 */
	cr_expect_eq(country_code(S("894")), 894); /* Zambia, last numeric */
	cr_expect_eq(country_code(S("US")), 840);
}

Test(country, unknown)
{
	cr_expect_eq(country_code(S("XX")), -1);
	cr_expect_eq(country_code(S("AA")), -1);
	cr_expect_eq(country_code(S("ZZ")), -1);
	cr_expect_eq(country_code(S("999")), -1);
	cr_expect_eq(country_code(S("0")), -1);
	cr_expect_eq(country_code(S("000")), -1);
	cr_expect_eq(country_code(S("1")), -1);
	cr_expect_eq(country_code(S("0276")), -1);
	cr_expect_eq(country_code(S("DEU")), -1);
	cr_expect_eq(country_code(S("D")), -1);
	cr_expect_eq(country_code(S("")), -1);
	cr_expect_eq(country_code(S("D1")), -1);
	cr_expect_eq(country_code(S("+76")), -1);
	cr_expect_eq(country_code(S(" DE")), -1);
	pdp_str absent = {NULL, 0};
	cr_expect_eq(country_code(absent), -1);
	pdp_str cut = {"DEU", 2};
	cr_expect_eq(country_code(cut), 276);
}

Test(country, alpha2_of_numeric)
{
	cr_expect_str_eq(country_alpha2(276), "DE");
	cr_expect_str_eq(country_alpha2(40), "AT");
	cr_expect_str_eq(country_alpha2(4), "AF");
	cr_expect_str_eq(country_alpha2(894), "ZM");
	cr_expect_null(country_alpha2(0));
	cr_expect_null(country_alpha2(999));
	cr_expect_null(country_alpha2(-1));
	/* every assigned numeric maps back through its alpha-2 */
	int seen = 0;
	for (int n = 0; n < 1000; n++) {
		const char *a = country_alpha2(n);
		if (a == NULL)
			continue;
		seen++;
		cr_assert_eq(country_code(S(a)), n, "%s", a);
	}
	cr_expect_eq(seen, 249);
}

/* ---- resource types ---- */

Test(rtype, long_names)
{
	cr_expect_eq(rtype_from_name(S("accessControlPolicy")), 1);
	cr_expect_eq(rtype_from_name(S("AE")), 2);
	cr_expect_eq(rtype_from_name(S("container")), 3);
	cr_expect_eq(rtype_from_name(S("contentInstance")), 4);
	cr_expect_eq(rtype_from_name(S("CSEBase")), 5);
	cr_expect_eq(rtype_from_name(S("group")), 9);
	cr_expect_eq(rtype_from_name(S("mgmtObj")), 13);
	cr_expect_eq(rtype_from_name(S("subscription")), 23);
	cr_expect_eq(rtype_from_name(S("flexContainer")), 28);
	cr_expect_eq(rtype_from_name(S("timeSeriesInstance")), 30);
	cr_expect_eq(rtype_from_name(S("trafficPattern")), 33);
	cr_expect_eq(rtype_from_name(S("dynamicAuthorizationConsultation")), 34);
	cr_expect_eq(rtype_from_name(S("crossResourceSubscription")), 48);
	cr_expect_eq(rtype_from_name(S("accessControlPolicyAnnc")), 10001);
	cr_expect_eq(rtype_from_name(S("AEAnnc")), 10002);
	cr_expect_eq(rtype_from_name(S("containerAnnc")), 10003);
	cr_expect_eq(rtype_from_name(S("contentInstanceAnnc")), 10004);
	cr_expect_eq(rtype_from_name(S("flexContainerAnnc")), 10028);
}

Test(rtype, short_names)
{
	cr_expect_eq(rtype_from_name(S("acp")), 1);
	cr_expect_eq(rtype_from_name(S("ae")), 2);
	cr_expect_eq(rtype_from_name(S("cnt")), 3);
	cr_expect_eq(rtype_from_name(S("cin")), 4);
	cr_expect_eq(rtype_from_name(S("cb")), 5);
	cr_expect_eq(rtype_from_name(S("grp")), 9);
	cr_expect_eq(rtype_from_name(S("mgo")), 13);
	cr_expect_eq(rtype_from_name(S("nod")), 14);
	cr_expect_eq(rtype_from_name(S("csr")), 16);
	cr_expect_eq(rtype_from_name(S("sub")), 23);
	cr_expect_eq(rtype_from_name(S("fcnt")), 28);
	cr_expect_eq(rtype_from_name(S("ts")), 29);
	cr_expect_eq(rtype_from_name(S("tsi")), 30);
	cr_expect_eq(rtype_from_name(S("acpA")), 10001);
	cr_expect_eq(rtype_from_name(S("cntA")), 10003);
	/* case-sensitive */
	cr_expect_eq(rtype_from_name(S("CIN")), -1);
	cr_expect_eq(rtype_from_name(S("ContentInstance")), -1);
	cr_expect_eq(rtype_from_name(S("ae ")), -1);
	cr_expect_eq(rtype_from_name(S("acpa")), -1);
	cr_expect_eq(rtype_from_name(S("nosuchtype")), -1);
	cr_expect_eq(rtype_from_name(S("")), -1);
	pdp_str absent = {NULL, 0};
	cr_expect_eq(rtype_from_name(absent), -1);
	pdp_str cut = {"cinX", 3};
	cr_expect_eq(rtype_from_name(cut), 4);
}

Test(rtype, integers)
{
	cr_expect_eq(rtype_from_name(S("4")), 4);
	cr_expect_eq(rtype_from_name(S("10001")), 10001);
	cr_expect_eq(rtype_from_name(S("777")), 777); /* unknown but valid */
	cr_expect_eq(rtype_from_name(S("1")), 1);
	cr_expect_eq(rtype_from_name(S("2147483647")), INT32_MAX);
	cr_expect_eq(rtype_from_name(S("2147483648")), -1);
	cr_expect_eq(rtype_from_name(S("99999999999")), -1);
	cr_expect_eq(rtype_from_name(S("0")), -1);
	cr_expect_eq(rtype_from_name(S("-1")), -1);
	cr_expect_eq(rtype_from_name(S("+4")), -1);
	cr_expect_eq(rtype_from_name(S("4 ")), -1);
	cr_expect_eq(rtype_from_name(S("4a")), -1);
}

Test(rtype, names_of_numbers)
{
	cr_expect_str_eq(rtype_name(1), "accessControlPolicy");
	cr_expect_str_eq(rtype_name(4), "contentInstance");
	cr_expect_str_eq(rtype_name(5), "CSEBase");
	cr_expect_str_eq(rtype_name(28), "flexContainer");
	cr_expect_str_eq(rtype_name(10002), "AEAnnc");
	cr_expect_null(rtype_name(0));
	cr_expect_null(rtype_name(-1));
	cr_expect_null(rtype_name(777));
	cr_expect_null(rtype_name(INT32_MAX));
	/* 1..34 are all named and round-trip */
	for (int32_t ty = 1; ty <= 34; ty++) {
		const char *n = rtype_name(ty);
		cr_assert_not_null(n, "type %d", ty);
		cr_assert_eq(rtype_from_name(S(n)), ty, "%s", n);
	}
	for (int32_t ty = 10001; ty <= 10004; ty++)
		cr_assert_eq(rtype_from_name(S(rtype_name(ty))), ty);
}

/* ---- CRC-32 ---- */

Test(crc32, check_values)
{
	cr_expect_eq(crc32_ieee((const uint8_t *)"123456789", 9), 0xCBF43926u);
	cr_expect_eq(crc32_ieee((const uint8_t *)"", 0), 0u);
	cr_expect_eq(crc32_ieee(NULL, 0), 0u);
	cr_expect_eq(crc32_ieee((const uint8_t *)"a", 1), 0xE8B7BE43u);
	const char *fox = "The quick brown fox jumps over the lazy dog";
	cr_expect_eq(crc32_ieee((const uint8_t *)fox, strlen(fox)), 0x414FA339u);
	uint8_t zeros[32] = {0};
	cr_expect_eq(crc32_ieee(zeros, sizeof zeros), 0x190A55ADu);
}
