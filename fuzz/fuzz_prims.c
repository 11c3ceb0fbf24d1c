/*
 * fuzz_prims.c - the allocation-free parsers and matchers of
 * src/common/prims.h. The first byte selects the primitive, the rest is its
 * input (never NUL-terminated: the parsers take counted strings):
 *   0 sched_parse (+ sched_match at a few times, sched_never_matches)
 *   1 cidr_parse (+ cidr_contains of its own network)
 *   2 ip_parse (+ ip_format round trip; pdp_ip_parse agrees)
 *   3 glob_match (input split in two at the first NUL, else in the middle)
 *   4 time_parse_rfc3339 (+ time_format_rfc3339 round trip;
 *     pdp_time_parse agrees)
 *   5 country_code (+ country_alpha2 round trip)
 *   6 rtype_from_name (+ rtype_name), pdp_operation_from_name (+ the
 *     name of its bit)
 *   7 geo_distance_m / civil_from_unix on raw numbers (any int64 second)
 * Schedules are also matched at the ends of int64 and around years 0000,
 * 1969, 2200 and 9999: a bare `*` year must match every year alike (the
 * calendar repeats every 400 years), other years only 1970-2199.
 */
#include <math.h>

#include "common/prims.h"
#include "fuzz.h"

static void check_err(const prim_err *e, size_t len)
{
	FUZZ_CHECK(memchr(e->message, 0, sizeof(e->message)) != NULL,
	           "message not terminated");
	FUZZ_CHECK(e->message[0] != 0, "empty message");
	FUZZ_CHECK(e->offset <= len, "offset %zu past %zu", e->offset, len);
}

/* The input in a buffer of its own, so that reading one byte past the
 * counted string is caught by ASan. */
static char *own(const uint8_t *p, size_t n)
{
	char *s = malloc(n ? n : 1);
	if (s != NULL && n)
		memcpy(s, p, n);
	return s;
}

#define CYCLE_SECS (INT64_C(146097) * 86400) /* 400 Gregorian years */
#define YEARS_SECS_LO INT64_C(0)              /* 1970-01-01 */
#define YEARS_SECS_HI INT64_C(7258118399)     /* 2199-12-31T23:59:59 */

/* A schedule matched t (m) or not. Whole 400-year cycles away (the
 * Gregorian calendar and the weekdays repeat), a bare `*` year gives the
 * same answer in any year, and listed years never match outside
 * 1970-2199. */
static void check_outside_years(const sched *sc, pdp_time t, bool m)
{
	bool any_year = (sc->year[SCHED_YEAR_ANY_BIT / 64] >>
	                 (SCHED_YEAR_ANY_BIT % 64)) & 1u;
	for (int64_t k = -2; k <= 2; k++) {
		pdp_time u = t;
		if (__builtin_mul_overflow(k, CYCLE_SECS, &u.sec) ||
		    __builtin_add_overflow(u.sec, t.sec, &u.sec))
			continue;
		bool mu = sched_match(sc, u);
		if (any_year)
			FUZZ_CHECK(mu == m, "bare * year: %lld and %lld differ",
			           (long long)t.sec, (long long)u.sec);
		else if (u.sec < YEARS_SECS_LO || u.sec > YEARS_SECS_HI)
			FUZZ_CHECK(!mu, "listed years matched %lld",
			           (long long)u.sec);
	}
}

static void do_sched(const char *s, size_t n)
{
	sched sc;
	prim_err e;
	memset(&e, 0, sizeof(e));
	if (!sched_parse(s, n, &sc, &e)) {
		check_err(&e, n);
		return;
	}
	FUZZ_CHECK(sc.sec >> 60 == 0 && sc.min >> 60 == 0 && sc.hour >> 24 == 0 &&
	           (sc.dom & 1u) == 0 && (sc.month & 1u) == 0 &&
	           sc.month >> 13 == 0 && sc.dow >> 7 == 0,
	           "field bits out of range");
	static const int64_t times[] = {
		0, 1, 59, 86399, 951782400 /* 2000-02-29 */, 1795000000,
		4102444799 /* 2099-12-31T23:59:59 */, 7258118399 /* 2199 end */,
		7258118400, -1, -86400 * 366, INT64_MAX / 2, INT64_MIN / 2,
		INT64_MIN, INT64_MIN + 86399, INT64_MAX, INT64_MAX - 86399,
		-62167219200 /* 0000-01-01 */, -62167219201,
		253402300799 /* 9999 end */,
	};
	bool any = false;
	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++) {
		pdp_time t = {times[i], 0};
		bool m = sched_match(&sc, t);
		check_outside_years(&sc, t, m);
		any |= m && times[i] >= 0 && times[i] <= 7258118399;
		t.nsec = 999999999;
		any |= sched_match(&sc, t) && times[i] >= 0 &&
		       times[i] <= 7258118399;
	}
	/* derive a few more from the text itself */
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211u;
	for (int i = 0; i < 4; i++) {
		pdp_time t = {(int64_t)(h % 7258118400u), 0};
		bool m = sched_match(&sc, t);
		any |= m;
		check_outside_years(&sc, t, m);
		h = h * 6364136223846793005u + 1442695040888963407u;
	}
	bool never = sched_never_matches(&sc);
	FUZZ_CHECK(!(any && never), "matched, but never_matches says it cannot");
}

static void do_cidr(const char *s, size_t n)
{
	pdp_ip net;
	uint32_t prefix = 999;
	bool host = false;
	prim_err e;
	memset(&e, 0, sizeof(e));
	if (!cidr_parse(s, n, &net, &prefix, &host, &e)) {
		check_err(&e, n);
		return;
	}
	FUZZ_CHECK(prefix <= 128, "prefix %u", prefix);
	FUZZ_CHECK(cidr_contains(&net, prefix, &net), "net not in itself");
	char buf[64];
	size_t len = ip_format(&net, buf, sizeof(buf));
	FUZZ_CHECK(len < sizeof(buf), "ip text %zu", len);
}

/* The public parser (pdp.h) answered st for a text the internal one
 * accepted (ok) or refused: they must agree, and a refusal must say where. */
static void check_public(pdp_status st, bool ok, const pdp_error *pe)
{
	FUZZ_CHECK((st == PDP_OK) == ok, "public parser disagrees (%d)", (int)st);
	if (st != PDP_OK) {
		FUZZ_CHECK(st == PDP_ERR_SYNTAX && pe->code == PDP_ERR_SYNTAX,
		           "code %d", (int)st);
		FUZZ_CHECK(memchr(pe->message, 0, sizeof(pe->message)) != NULL &&
		                   strncmp(pe->message, "at byte ", 8) == 0,
		           "message '%.40s'", pe->message);
	}
}

static void do_ip(const char *s, size_t n)
{
	pdp_ip ip;
	bool v4 = false;
	prim_err e;
	memset(&e, 0, sizeof(e));
	pdp_ip pub;
	pdp_error pe;
	bool ok = ip_parse(s, n, &ip, &v4, &e);
	check_public(pdp_ip_parse((pdp_str){s, n}, &pub, &pe), ok, &pe);
	if (!ok) {
		check_err(&e, n);
		return;
	}
	FUZZ_CHECK(memcmp(&pub, &ip, sizeof(ip)) == 0, "public ip differs");
	char buf[64];
	size_t len = ip_format(&ip, buf, sizeof(buf));
	FUZZ_CHECK(len < sizeof(buf) && strlen(buf) == len, "ip text %zu", len);
	pdp_ip back;
	FUZZ_CHECK(ip_parse(buf, len, &back, NULL, &e), "'%s' does not parse: %s",
	           buf, e.message);
	FUZZ_CHECK(memcmp(&back, &ip, sizeof(ip)) == 0, "'%s' round trip", buf);
	char small[4];
	FUZZ_CHECK(ip_format(&ip, small, sizeof(small)) == len, "cut length");
	FUZZ_CHECK(memchr(small, 0, sizeof(small)) != NULL, "cut text");
}

static void do_glob(const char *s, size_t n)
{
	const char *nul = memchr(s, 0, n);
	size_t pl = nul ? (size_t)(nul - s) : n / 2;
	size_t toff = nul ? pl + 1 : pl;
	pdp_str pat = {s, pl}, text = {s + toff, n - toff};
	/* separate buffers so that overreads of either side are caught */
	char *p2 = own((const uint8_t *)pat.ptr, pat.len);
	char *t2 = own((const uint8_t *)text.ptr, text.len);
	if (p2 == NULL || t2 == NULL) {
		free(p2);
		free(t2);
		return;
	}
	pat.ptr = p2;
	text.ptr = t2;
	bool m = glob_match(pat, text);
	if (!glob_has_wildcard(pat))
		FUZZ_CHECK(m == (pat.len == text.len &&
		                 memcmp(pat.ptr, text.ptr, pat.len) == 0),
		           "glob without wildcard is not byte equality");
	FUZZ_CHECK(glob_match(pat, pat) || glob_has_wildcard(pat),
	           "literal pattern does not match itself");
	(void)glob_match(text, pat);
	free(p2);
	free(t2);
}

static void do_time(const char *s, size_t n)
{
	pdp_time t, pub;
	prim_err e;
	pdp_error pe;
	memset(&e, 0, sizeof(e));
	bool ok = time_parse_rfc3339(s, n, &t, &e);
	check_public(pdp_time_parse((pdp_str){s, n}, &pub, &pe), ok, &pe);
	if (!ok) {
		check_err(&e, n);
		return;
	}
	FUZZ_CHECK(pub.sec == t.sec && pub.nsec == t.nsec, "public time differs");
	FUZZ_CHECK(t.nsec >= 0 && t.nsec <= 999999999, "nsec %d", (int)t.nsec);
	char buf[64];
	size_t len = time_format_rfc3339(t, buf, sizeof(buf));
	FUZZ_CHECK(len < sizeof(buf) && strlen(buf) == len, "time text %zu", len);
	/* years 0000-9999 round trip; an offset can move the instant to
	 * -0001 or 10000, which RFC 3339 cannot write */
	pdp_time back;
	bool four_digits = len > 4 && buf[0] != '-' && buf[4] == '-';
	FUZZ_CHECK(!four_digits || time_parse_rfc3339(buf, len, &back, &e),
	           "'%s' does not parse: %s", buf, e.message);
	FUZZ_CHECK(!four_digits || (back.sec == t.sec && back.nsec == t.nsec),
	           "'%s' round trip", buf);
	char small[8];
	FUZZ_CHECK(time_format_rfc3339(t, small, sizeof(small)) == len, "cut");
	FUZZ_CHECK(memchr(small, 0, sizeof(small)) != NULL, "cut text");
}

static void do_country(const char *s, size_t n)
{
	pdp_str str = {s, n};
	int code = country_code(str);
	if (code < 0)
		return;
	const char *a2 = country_alpha2(code);
	FUZZ_CHECK(a2 != NULL, "code %d has no alpha-2", code);
	FUZZ_CHECK(country_code(fz_cstr(a2)) == code, "'%s' round trip", a2);
}

/* An operation name is found exactly when the text is one of the six. */
static void do_operation(pdp_str str)
{
	uint32_t op = pdp_operation_from_name(str);
	bool named = false;
	for (uint32_t bit = 1; bit <= PDP_OP_DISCOVER; bit <<= 1) {
		const char *name = pdp_operation_name(bit);
		if (strlen(name) == str.len && memcmp(name, str.ptr, str.len) == 0) {
			FUZZ_CHECK(op == bit, "'%s' gave %u", name, op);
			named = true;
		}
	}
	FUZZ_CHECK(named || op == 0, "a non-name gave %u", op);
}

static void do_rtype(const char *s, size_t n)
{
	pdp_str str = {s, n};
	do_operation(str);
	int32_t ty = rtype_from_name(str);
	if (ty < 0)
		return;
	const char *name = rtype_name(ty);
	if (name != NULL)
		FUZZ_CHECK(rtype_from_name(fz_cstr(name)) == ty, "'%s' round trip",
		           name);
}

static void do_numbers(const uint8_t *p, size_t n)
{
	fuzz_reader r = {p, n};
	double v[4];
	for (int i = 0; i < 4; i++) {
		uint64_t u = fr_u64(&r);
		memcpy(&v[i], &u, sizeof(u));
	}
	double d = geo_distance_m(v[0], v[1], v[2], v[3]);
	if (isfinite(v[0]) && isfinite(v[1]) && isfinite(v[2]) && isfinite(v[3]))
		FUZZ_CHECK(isnan(d) || d >= 0, "negative distance");
	/* any int64 second converts; the ends of int64 now and then */
	static const int64_t ends[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX,
	                               INT64_MAX - 1};
	uint8_t how = fr_u8(&r);
	uint64_t u = fr_u64(&r);
	int64_t sec = how < 0x40   ? (int64_t)(u % 20000000000u) - 5000000000
	              : how < 0xf0 ? (int64_t)u
	                           : ends[how % 4] + (int64_t)(u % 86400u) *
	                                                 (how % 4 < 2 ? 1 : -1);
	civil_time ct;
	civil_from_unix(sec, &ct);
	FUZZ_CHECK(ct.month >= 1 && ct.month <= 12 && ct.day >= 1 &&
	           ct.day <= 31 && ct.hour >= 0 && ct.hour <= 23 &&
	           ct.min >= 0 && ct.min <= 59 && ct.sec >= 0 && ct.sec <= 59,
	           "civil fields of %lld", (long long)sec);
	FUZZ_CHECK(ct.wday >= 0 && ct.wday <= 6, "wday %d", ct.wday);
	/* unix_from_civil needs the result to fit: stay a day inside */
	if (sec > INT64_MIN + 2 * 86400 && sec < INT64_MAX - 2 * 86400)
		FUZZ_CHECK(unix_from_civil(ct.year, ct.month, ct.day, ct.hour,
		                           ct.min, ct.sec) == sec,
		           "civil round trip of %lld", (long long)sec);
	/* an "always" window holds at every second there is */
	sched always;
	FUZZ_CHECK(sched_parse("* * * * * * *", 13, &always, NULL), "always");
	pdp_time t = {sec, 0};
	FUZZ_CHECK(sched_match(&always, t), "always misses %lld",
	           (long long)sec);
	(void)crc32_ieee(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *s = own(data + 1, size - 1);
	if (s == NULL)
		return 0;
	size_t n = size - 1;
	switch (data[0] % 8) {
	case 0: do_sched(s, n); break;
	case 1: do_cidr(s, n); break;
	case 2: do_ip(s, n); break;
	case 3: do_glob(s, n); break;
	case 4: do_time(s, n); break;
	case 5: do_country(s, n); break;
	case 6: do_rtype(s, n); break;
	default: do_numbers(data + 1, n); break;
	}
	free(s);
	return 0;
}
