/*
 * ref_eval.c - the reference evaluator (see ref_eval.h). Every function here
 * follows one sentence of docs/language.md; nothing is precomputed, nothing
 * is optimised. Names are resolved by their text, not by the compiler's
 * indices, so a wrong index in the model shows up as a disagreement.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/limits.h"
#include "glob_ref.h"
#include "ref_eval.h"

/* ------------------------------------------------------------------ */
/* three-valued logic (3.4)                                            */

typedef enum { NO = 0, YES = 1, UNKNOWN = 2 } tv;

static tv tv_and(tv a, tv b)
{
	if (a == NO || b == NO)
		return NO;
	if (a == UNKNOWN || b == UNKNOWN)
		return UNKNOWN;
	return YES;
}

static tv tv_or(tv a, tv b)
{
	if (a == YES || b == YES)
		return YES;
	if (a == UNKNOWN || b == UNKNOWN)
		return UNKNOWN;
	return NO;
}

static tv tv_not(tv a)
{
	if (a == UNKNOWN)
		return UNKNOWN;
	return a == YES ? NO : YES;
}

static tv tv_of(bool b)
{
	return b ? YES : NO;
}

/* ------------------------------------------------------------------ */
/* small helpers                                                       */

static bool bytes_eq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Set by a reader that could not parse a literal of the model. */
static const char *ref_failure;

/* globs (3.1) are tests/ref/glob_ref.h: ref_glob. */

/* ------------------------------------------------------------------ */
/* civil time, UTC, proleptic Gregorian                                */

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t year_days(int64_t y)
{
	return leap(y) ? 366 : 365;
}

static int month_days(int64_t y, int m)
{
	static const int d[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m];
}

typedef struct rciv {
	int64_t year;
	int month, day, hour, min, sec, wday;
} rciv;

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Any int64 t: whole 400-year cycles (146097 days, a whole number of
 * weeks) are counted off first, then the years one by one. */
static void to_civil(int64_t t, rciv *c)
{
	int64_t days = floor_div(t, 86400);
	int64_t rem = ((t % 86400) + 86400) % 86400;
	c->hour = (int)(rem / 3600);
	c->min = (int)(rem / 60 % 60);
	c->sec = (int)(rem % 60);
	/* 1970-01-01 was a Thursday (4). */
	c->wday = (int)(((days % 7) + 7 + 4) % 7);
	int64_t cycles = floor_div(days, 146097);
	days -= cycles * 146097;
	int64_t y = 1970 + 400 * cycles;
	while (days < 0) {
		y--;
		days += year_days(y);
	}
	while (days >= year_days(y)) {
		days -= year_days(y);
		y++;
	}
	int m = 1;
	while (days >= month_days(y, m)) {
		days -= month_days(y, m);
		m++;
	}
	c->year = y;
	c->month = m;
	c->day = (int)days + 1;
}

static int64_t from_civil(int64_t y, int mo, int d, int h, int mi, int s)
{
	int64_t days = 0;
	for (int64_t k = 1970; k < y; k++)
		days += year_days(k);
	for (int64_t k = y; k < 1970; k++)
		days -= year_days(k);
	for (int k = 1; k < mo; k++)
		days += month_days(y, k);
	days += d - 1;
	return days * 86400 + h * 3600 + mi * 60 + s;
}

/* ------------------------------------------------------------------ */
/* schedules (3.3), parsed again from the window's source text         */

typedef struct rfield {
	int lo, hi;
	const char *const *names; /* names[i] is value lo_name + i */
	int name_base, name_count;
} rfield;

static const char *const MONTHS[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                     "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const DAYS[] = {"SUN", "MON", "TUE", "WED",
                                   "THU", "FRI", "SAT"};

static const rfield FIELDS[7] = {
	{0, 59, NULL, 0, 0},     /* second */
	{0, 59, NULL, 0, 0},     /* minute */
	{0, 23, NULL, 0, 0},     /* hour */
	{1, 31, NULL, 0, 0},     /* day of month */
	{1, 12, MONTHS, 1, 12},  /* month */
	{0, 7, DAYS, 0, 7},      /* day of week, 7 = Sunday */
	{1970, 2199, NULL, 0, 0} /* year */
};

typedef struct rsched {
	bool ok[7][2200]; /* ok[field][value] */
	bool any_year;    /* the year field has a bare `*`: every year */
} rsched;

/* A number or (month, day-of-week) a name; -1 when neither. */
static int field_value(const rfield *f, const char *s, size_t n)
{
	if (n == 0)
		return -1;
	bool digits = true;
	for (size_t i = 0; i < n; i++)
		digits = digits && s[i] >= '0' && s[i] <= '9';
	if (digits) {
		if (n > 6)
			return -1;
		int v = 0;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		return v;
	}
	for (int i = 0; i < f->name_count; i++)
		if (bytes_eq(s, n, f->names[i], 3))
			return f->name_base + i;
	return -1;
}

/* One comma-separated item: `*`, `a`, `a-b`, `*\/n`, `a-b/n`. *bare is
 * set for a `*` without a step. */
static bool parse_item(const rfield *f, const char *s, size_t n, bool *ok,
                       bool *bare)
{
	size_t slash = n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/') {
			slash = i;
			break;
		}
	int step = 1;
	if (slash < n) {
		step = field_value(&FIELDS[0], s + slash + 1, n - slash - 1);
		if (step < 1)
			return false;
	}
	size_t bn = slash;
	int a, b;
	if (bn == 1 && s[0] == '*') {
		a = f->lo;
		b = f->hi;
		*bare = *bare || slash == n;
	} else {
		size_t dash = bn;
		for (size_t i = 0; i < bn; i++)
			if (s[i] == '-') {
				dash = i;
				break;
			}
		if (dash == bn) {
			if (slash < n)
				return false; /* `a/n` is not in the syntax */
			a = b = field_value(f, s, bn);
		} else {
			a = field_value(f, s, dash);
			b = field_value(f, s + dash + 1, bn - dash - 1);
		}
		if (a < f->lo || b > f->hi || a < 0 || b < 0 || a > b)
			return false;
	}
	for (int v = a; v <= b; v += step)
		ok[v] = true;
	return true;
}

static bool parse_sched(const char *s, rsched *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = strlen(s), i = 0;
	int field = 0;
	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		size_t start = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		if (field >= 7)
			return false;
		/* split the field at commas */
		size_t a = start;
		for (size_t k = start; k <= i; k++) {
			if (k == i || s[k] == ',') {
				bool bare = false;
				if (k == a ||
				    !parse_item(&FIELDS[field], s + a, k - a,
				                out->ok[field], &bare))
					return false;
				if (field == 6 && bare)
					out->any_year = true;
				a = k + 1;
			}
		}
		field++;
	}
	if (field != 7)
		return false;
	if (out->ok[5][7])
		out->ok[5][0] = true; /* 7 is Sunday too */
	return true;
}

static bool sched_holds(const rsched *s, pdp_time t)
{
	rciv c;
	to_civil(t.sec, &c);
	bool year = s->any_year ||
	            (c.year >= 1970 && c.year <= 2199 && s->ok[6][c.year]);
	return year && s->ok[0][c.sec] && s->ok[1][c.min] && s->ok[2][c.hour] &&
	       s->ok[3][c.day] && s->ok[4][c.month] && s->ok[5][c.wday];
}

/* ------------------------------------------------------------------ */
/* RFC 3339 literals                                                   */

static bool digits_at(const char *s, size_t n, size_t at, size_t k, int *v)
{
	if (at + k > n)
		return false;
	*v = 0;
	for (size_t i = 0; i < k; i++) {
		char ch = s[at + i];
		if (ch < '0' || ch > '9')
			return false;
		*v = *v * 10 + (ch - '0');
	}
	return true;
}

static bool parse_time(const char *s, pdp_time *out)
{
	size_t n = strlen(s);
	int y, mo, d, h, mi, se;
	if (!digits_at(s, n, 0, 4, &y) || n < 19 || s[4] != '-' ||
	    !digits_at(s, n, 5, 2, &mo) || s[7] != '-' ||
	    !digits_at(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits_at(s, n, 11, 2, &h) || s[13] != ':' ||
	    !digits_at(s, n, 14, 2, &mi) || s[16] != ':' ||
	    !digits_at(s, n, 17, 2, &se))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || se > 59)
		return false;
	size_t i = 19;
	int32_t nsec = 0;
	if (i < n && s[i] == '.') {
		i++;
		int digits = 0;
		int32_t scale = 100000000;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (digits < 9)
				nsec += (s[i] - '0') * scale;
			scale /= 10;
			digits++;
			i++;
		}
		if (digits == 0)
			return false;
	}
	int64_t offset = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int oh, om;
		if (!digits_at(s, n, i + 1, 2, &oh) || i + 3 >= n ||
		    s[i + 3] != ':' || !digits_at(s, n, i + 4, 2, &om))
			return false;
		offset = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
		i += 6;
	} else {
		return false;
	}
	if (i != n)
		return false;
	out->sec = from_civil(y, mo, d, h, mi, se) - offset;
	out->nsec = nsec;
	return true;
}

/* A time is an instant when its nanoseconds are in range. */
static bool time_ok(pdp_time t)
{
	return t.nsec >= 0 && t.nsec <= 999999999;
}

static int time_cmp(pdp_time a, pdp_time b)
{
	if (a.sec != b.sec)
		return a.sec < b.sec ? -1 : 1;
	if (a.nsec != b.nsec)
		return a.nsec < b.nsec ? -1 : 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* IP addresses: 16 bytes, IPv4 as ::ffff:a.b.c.d                      */

static bool parse_v4(const char *s, size_t n, uint8_t out[4])
{
	int part = 0;
	size_t i = 0;
	while (part < 4) {
		size_t start = i;
		int v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
			v = v * 10 + (s[i] - '0');
			i++;
		}
		if (i == start || v > 255)
			return false;
		out[part++] = (uint8_t)v;
		if (part < 4) {
			if (i >= n || s[i] != '.')
				return false;
			i++;
		}
	}
	return i == n;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Groups of "h:h:h" (possibly ending in a dotted quad) into words; returns
 * the number of 16-bit words, -1 on error. */
static int parse_groups(const char *s, size_t n, uint16_t *w, int max)
{
	if (n == 0)
		return 0;
	int k = 0;
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < n && s[i] != ':')
			i++;
		size_t len = i - start;
		bool last = i == n;
		bool dotted = false;
		for (size_t j = start; j < i; j++)
			dotted = dotted || s[j] == '.';
		if (dotted) {
			uint8_t q[4];
			if (!last || k + 2 > max || !parse_v4(s + start, len, q))
				return -1;
			w[k++] = (uint16_t)(q[0] << 8 | q[1]);
			w[k++] = (uint16_t)(q[2] << 8 | q[3]);
			return k;
		}
		if (len == 0 || len > 4 || k >= max)
			return -1;
		unsigned v = 0;
		for (size_t j = start; j < i; j++) {
			int h = hexval(s[j]);
			if (h < 0)
				return -1;
			v = v * 16 + (unsigned)h;
		}
		w[k++] = (uint16_t)v;
		if (last)
			return k;
		i++; /* the ':' */
	}
}

static bool parse_ip(const char *s, size_t n, pdp_ip *out)
{
	memset(out, 0, sizeof(*out));
	bool colon = false;
	for (size_t i = 0; i < n; i++)
		colon = colon || s[i] == ':';
	if (!colon) {
		uint8_t q[4];
		if (!parse_v4(s, n, q))
			return false;
		out->b[10] = 0xff;
		out->b[11] = 0xff;
		memcpy(out->b + 12, q, 4);
		return true;
	}
	uint16_t words[8] = {0};
	size_t dbl = n;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == ':' && s[i + 1] == ':') {
			dbl = i;
			break;
		}
	if (dbl == n) {
		if (parse_groups(s, n, words, 8) != 8)
			return false;
	} else {
		uint16_t head[8], tail[8];
		int hn = parse_groups(s, dbl, head, 8);
		int tn = parse_groups(s + dbl + 2, n - dbl - 2, tail, 8);
		if (hn < 0 || tn < 0 || hn + tn > 7)
			return false;
		for (int i = 0; i < hn; i++)
			words[i] = head[i];
		for (int i = 0; i < tn; i++)
			words[8 - tn + i] = tail[i];
	}
	for (int i = 0; i < 8; i++) {
		out->b[2 * i] = (uint8_t)(words[i] >> 8);
		out->b[2 * i + 1] = (uint8_t)words[i];
	}
	return true;
}

/* "addr/len" or a bare address; the prefix in the 128-bit space. */
static bool parse_cidr(const char *s, pdp_ip *net, int *prefix)
{
	size_t n = strlen(s), slash = n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/')
			slash = i;
	if (!parse_ip(s, slash, net))
		return false;
	bool v4 = true;
	for (size_t i = 0; i < slash; i++)
		v4 = v4 && s[i] != ':';
	int max = v4 ? 32 : 128;
	int p = max;
	if (slash < n) {
		int v;
		size_t k = n - slash - 1;
		if (k < 1 || k > 3 || !digits_at(s, n, slash + 1, k, &v) || v > max)
			return false;
		p = v;
	}
	*prefix = v4 ? p + 96 : p;
	return true;
}

static bool ip_bit(const pdp_ip *a, int i)
{
	return (a->b[i / 8] >> (7 - i % 8)) & 1;
}

/* ip is in net/prefix when their first prefix bits agree (host bits of net
 * are ignored, as the spec accepts them as the network). */
static bool in_net(const pdp_ip *net, int prefix, const pdp_ip *ip)
{
	for (int i = 0; i < prefix; i++)
		if (ip_bit(net, i) != ip_bit(ip, i))
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* geography: haversine on a sphere of radius 6371008.8 m              */

static double great_circle_m(double lat1, double lon1, double lat2,
                             double lon2)
{
	const double R = 6371008.8;
	const double rad = 3.14159265358979323846 / 180.0;
	double p1 = lat1 * rad, p2 = lat2 * rad;
	double dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
	double a = sin(dp / 2) * sin(dp / 2) +
	           cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	if (a > 1)
		a = 1;
	return 2 * R * atan2(sqrt(a), sqrt(1 - a));
}

/* ------------------------------------------------------------------ */
/* countries and resource types: own small tables                      */

static const struct {
	const char *a2;
	int num;
} COUNTRIES[] = {
	{"DE", 276}, {"FR", 250}, {"US", 840}, {"JP", 392}, {"KR", 410},
	{"IT", 380}, {"GB", 826}, {"AT", 40},  {"ES", 724}, {"NL", 528},
	{"CN", 156}, {"IN", 356}, {"BR", 76},  {"CH", 756}, {"SE", 752},
};

int ref_country_code(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(COUNTRIES) / sizeof(COUNTRIES[0]); i++) {
		char num[8];
		snprintf(num, sizeof(num), "%03d", COUNTRIES[i].num);
		if (bytes_eq(s, len, COUNTRIES[i].a2, 2) ||
		    bytes_eq(s, len, num, 3))
			return COUNTRIES[i].num;
	}
	return -1;
}

const char *ref_country_alpha2(int code)
{
	for (size_t i = 0; i < sizeof(COUNTRIES) / sizeof(COUNTRIES[0]); i++)
		if (COUNTRIES[i].num == code)
			return COUNTRIES[i].a2;
	return NULL;
}

static const struct {
	int32_t ty;
	const char *name;
} RTYPES[] = {
	{1, "accessControlPolicy"}, {2, "AE"}, {3, "container"},
	{4, "contentInstance"}, {5, "CSEBase"}, {9, "group"}, {14, "node"},
	{16, "remoteCSE"}, {23, "subscription"}, {28, "flexContainer"},
	{29, "timeSeries"}, {30, "timeSeriesInstance"},
};

const char *ref_rtype_name(int32_t ty)
{
	for (size_t i = 0; i < sizeof(RTYPES) / sizeof(RTYPES[0]); i++)
		if (RTYPES[i].ty == ty)
			return RTYPES[i].name;
	return NULL;
}

static const char *op_name(uint32_t op)
{
	switch (op) {
	case 1: return "create";
	case 2: return "retrieve";
	case 4: return "update";
	case 8: return "delete";
	case 16: return "notify";
	case 32: return "discover";
	default: return NULL;
	}
}

/* ------------------------------------------------------------------ */
/* roles (3.6)                                                         */

typedef struct rctx {
	const pdpc_compiler *c;
	const pdp_image *img;
	const pdp_request *q;
	bool *active; /* by model role index: the active closure */
	int country;  /* numeric, -1 absent or unknown */
} rctx;

static long role_index(const pdpc_compiler *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->roles.n; i++)
		if (bytes_eq(c->roles.items[i]->name,
		             strlen(c->roles.items[i]->name), name, len))
			return (long)i;
	return -1;
}

/* Mark role r and every role junior to it (what it inherits, transitively). */
static void mark_closure(const pdpc_compiler *c, size_t r, bool *set)
{
	if (set[r])
		return;
	set[r] = true;
	const m_role *role = c->roles.items[r];
	for (size_t i = 0; i < role->inherits.n; i++) {
		const char *jn = role->inherits.items[i].name;
		long j = role_index(c, jn, strlen(jn));
		if (j >= 0)
			mark_closure(c, (size_t)j, set);
	}
}

static const m_assign *assignment_of(const pdpc_compiler *c, pdp_str user)
{
	for (size_t i = 0; i < c->assigns.n; i++) {
		const m_assign *a = c->assigns.items[i];
		if (bytes_eq(a->user, strlen(a->user), user.ptr, user.len))
			return a;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* originators (3.1)                                                   */

static bool in_group(const rctx *x, const char *name, size_t len)
{
	const pdpc_compiler *c = x->c;
	for (size_t i = 0; i < c->groups.n; i++) {
		const m_group *g = c->groups.items[i];
		if (!bytes_eq(g->name, strlen(g->name), name, len))
			continue;
		for (size_t k = 0; k < g->members.n; k++) {
			const char *m = g->members.items[k].name;
			/* an exact member is a glob without wildcards */
			if (ref_glob(m, strlen(m), x->q->originator.ptr,
			             x->q->originator.len))
				return true;
		}
	}
	return false;
}

static bool has_group(const pdpc_compiler *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->groups.n; i++)
		if (bytes_eq(c->groups.items[i]->name,
		             strlen(c->groups.items[i]->name), name, len))
			return true;
	return false;
}

static bool originator_matches(const rctx *x, const m_orig *o)
{
	pdp_str who = x->q->originator;
	if (o->native && o->bare) {
		/* native acor: a declared group's name means the group, a
		 * declared role's name the role (a name that is both does not
		 * compile) */
		long r = role_index(x->c, o->name, o->len);
		if (has_group(x->c, o->name, o->len))
			return in_group(x, o->name, o->len);
		if (r >= 0)
			return x->active[r];
		return bytes_eq(o->name, o->len, who.ptr, who.len);
	}
	switch (o->kind) {
	case ORIG_ALL:
		return true;
	case ORIG_EXACT:
		return bytes_eq(o->name, o->len, who.ptr, who.len);
	case ORIG_GLOB:
		return ref_glob(o->name, o->len, who.ptr, who.len);
	case ORIG_GROUP:
		return in_group(x, o->name, o->len);
	case ORIG_ROLE: {
		long r = role_index(x->c, o->name, o->len);
		/* active closure holds R exactly when R or a senior is active */
		return r >= 0 && x->active[r];
	}
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* objects (3.5)                                                       */

static bool int_listed(const int32_t *v, size_t n, int32_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static bool object_entry_holds(const rctx *x, const m_object *o)
{
	const pdp_request *q = x->q;
	if (o->types.n > 0) {
		if (q->type < 0 || !int_listed(o->types.items, o->types.n, q->type))
			return false;
	}
	if (o->specs.n > 0) {
		if (q->specialization.ptr == NULL)
			return false;
		bool found = false;
		for (size_t i = 0; i < o->specs.n; i++)
			if (bytes_eq(o->specs.items[i], strlen(o->specs.items[i]),
			             q->specialization.ptr, q->specialization.len))
				found = true;
		if (!found)
			return false;
	}
	if (o->child_types.n > 0 && q->operation == PDP_OP_CREATE) {
		if (q->child_type < 0 ||
		    !int_listed(o->child_types.items, o->child_types.n,
		                q->child_type))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* contexts (3.3)                                                      */

static tv context_holds(const rctx *x, const m_context *ctx)
{
	const pdp_request *q = x->q;
	tv window = YES, ip = YES, region = YES;
	if (ctx->windows.n > 0) {
		if (!q->has_time || !time_ok(q->time)) {
			window = UNKNOWN;
		} else {
			window = NO;
			for (size_t i = 0; i < ctx->windows.n; i++) {
				static rsched s; /* large; not reentrant, fine here */
				if (!parse_sched(ctx->windows.items[i].src, &s)) {
					ref_failure = "window";
					return UNKNOWN;
				}
				if (sched_holds(&s, q->time))
					window = YES;
			}
		}
	}
	if (ctx->cidrs.n > 0) {
		if (!q->has_ip) {
			ip = UNKNOWN;
		} else {
			ip = NO;
			for (size_t i = 0; i < ctx->cidrs.n; i++)
				if (in_net(&ctx->cidrs.items[i].net,
				           (int)ctx->cidrs.items[i].prefix, &q->ip))
					ip = YES;
		}
	}
	if (ctx->countries.n > 0 || ctx->circles.n > 0) {
		tv by_country = NO, by_circle = NO;
		if (ctx->countries.n > 0) {
			if (x->country < 0) {
				by_country = UNKNOWN;
			} else {
				for (size_t i = 0; i < ctx->countries.n; i++)
					if ((int)ctx->countries.items[i] == x->country)
						by_country = YES;
			}
		}
		if (ctx->circles.n > 0) {
			bool loc_ok = q->has_location && isfinite(q->lat) &&
			              isfinite(q->lon) && q->lat >= -90 &&
			              q->lat <= 90 && q->lon >= -180 && q->lon <= 180;
			if (!loc_ok) {
				by_circle = UNKNOWN;
			} else {
				for (size_t i = 0; i < ctx->circles.n; i++) {
					const m_circle *ci = &ctx->circles.items[i];
					if (great_circle_m(ci->lat, ci->lon, q->lat, q->lon) <=
					    ci->radius)
						by_circle = YES;
				}
			}
		}
		region = tv_or(by_country, by_circle);
	}
	return tv_and(tv_and(window, ip), region);
}

static tv contexts_hold(const rctx *x, const m_rule *r)
{
	if (r->contexts.n == 0)
		return YES;
	tv any = NO;
	for (size_t i = 0; i < r->contexts.n; i++)
		any = tv_or(any, context_holds(x, &r->contexts.items[i]));
	return any;
}

/* ------------------------------------------------------------------ */
/* attributes and conditions (3.4)                                     */

static pdp_type declared_type(const pdpc_compiler *c, const char *name)
{
	static const struct {
		const char *name;
		pdp_type t;
	} B[] = {{"originator.id", PDP_TYPE_STRING}, {"operation", PDP_TYPE_STRING},
	         {"resource.type", PDP_TYPE_STRING}, {"env.time", PDP_TYPE_TIME},
	         {"env.ip", PDP_TYPE_IP},            {"env.country", PDP_TYPE_STRING}};
	for (size_t i = 0; i < 6; i++)
		if (strcmp(B[i].name, name) == 0)
			return B[i].t;
	for (size_t i = 0; i < c->attrs.n; i++)
		if (strcmp(c->attrs.items[i]->name, name) == 0)
			return c->attrs.items[i]->type;
	return PDP_TYPE_NONE;
}

static pdp_str zstr(const char *z)
{
	pdp_str s = {z, z ? strlen(z) : 0};
	return s;
}

/* The request's value of attribute `name`; false when it has none. */
static bool lookup(const rctx *x, const char *name, pdp_value *v)
{
	const pdp_request *q = x->q;
	memset(v, 0, sizeof(*v));
	if (strcmp(name, "originator.id") == 0) {
		v->type = PDP_TYPE_STRING;
		v->u.s = q->originator;
		return true;
	}
	if (strcmp(name, "operation") == 0) {
		v->type = PDP_TYPE_STRING;
		v->u.s = zstr(op_name(q->operation));
		return v->u.s.ptr != NULL;
	}
	if (strcmp(name, "resource.type") == 0) {
		v->type = PDP_TYPE_STRING;
		v->u.s = zstr(q->type >= 0 ? ref_rtype_name(q->type) : NULL);
		return v->u.s.ptr != NULL;
	}
	if (strcmp(name, "env.time") == 0) {
		v->type = PDP_TYPE_TIME;
		v->u.t = q->time;
		return q->has_time;
	}
	if (strcmp(name, "env.ip") == 0) {
		v->type = PDP_TYPE_IP;
		v->u.ip = q->ip;
		return q->has_ip;
	}
	if (strcmp(name, "env.country") == 0) {
		if (q->country.ptr == NULL)
			return false;
		v->type = PDP_TYPE_STRING;
		const char *a2 = x->country >= 0 ? ref_country_alpha2(x->country) : NULL;
		v->u.s = a2 ? zstr(a2) : q->country;
		return true;
	}
	for (size_t i = 0; i < q->n_attrs; i++) {
		pdp_str an = pdp_attr_name(x->img, q->attrs[i].id);
		if (an.ptr != NULL && bytes_eq(an.ptr, an.len, name, strlen(name))) {
			*v = q->attrs[i].value;
			return true;
		}
	}
	return false;
}

/* Present and of the declared type (a time must be an instant). */
static bool typed(const rctx *x, const char *name, pdp_value *v)
{
	return lookup(x, name, v) && v->type == declared_type(x->c, name) &&
	       (v->type != PDP_TYPE_TIME || time_ok(v->u.t));
}

static tv compare(uint32_t op, int c)
{
	switch (op) {
	case COP_EQ: return tv_of(c == 0);
	case COP_NE: return tv_of(c != 0);
	case COP_LT: return tv_of(c < 0);
	case COP_LE: return tv_of(c <= 0);
	case COP_GT: return tv_of(c > 0);
	case COP_GE: return tv_of(c >= 0);
	default: return UNKNOWN;
	}
}

/* 3.4: a PCRE2 search anywhere in the value; `$` is the end of the value
 * only and `.` any byte (the value is one string, not lines); a value
 * longer than the regex subject limit is unknown. */
static tv regex_search(const char *pat, size_t plen, pdp_str s)
{
	if (s.len > PDP_MAX_REGEX_SUBJECT_BYTES)
		return UNKNOWN;
	int err;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, plen,
	                               PCRE2_DOLLAR_ENDONLY | PCRE2_DOTALL, &err,
	                               &off, NULL);
	if (re == NULL) {
		ref_failure = "regex";
		return UNKNOWN;
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)(s.ptr ? s.ptr : ""), s.len, 0, 0,
	                     md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (rc >= 0)
		return YES;
	if (rc == PCRE2_ERROR_NOMATCH)
		return NO;
	return UNKNOWN;
}

/* A country value and a literal: equal as codes when both are codes. */
static bool same_country(pdp_str v, const char *lit)
{
	int a = ref_country_code(v.ptr, v.len);
	int b = ref_country_code(lit, strlen(lit));
	if (a >= 0 && b >= 0)
		return a == b;
	return bytes_eq(v.ptr, v.len, lit, strlen(lit));
}

static tv leaf(const rctx *x, const m_cond *k)
{
	pdp_value v;
	if (k->op == COP_PRESENT) {
		bool want = k->b;
		return tv_of(lookup(x, k->attr, &v) == want);
	}
	if (!typed(x, k->attr, &v))
		return UNKNOWN;
	pdp_value w;
	bool other = k->rhs_kind == RHS_ATTR;
	if (other && !typed(x, k->rhs_attr, &w))
		return UNKNOWN;
	pdp_type t = declared_type(x->c, k->attr);
	switch (t) {
	case PDP_TYPE_INT:
		if (k->op == COP_IN) {
			for (size_t i = 0; i < k->ints.n; i++)
				if (k->ints.items[i] == v.u.i)
					return YES;
			return NO;
		} else {
			int64_t r = other ? w.u.i : k->i;
			return compare(k->op, v.u.i < r ? -1 : v.u.i > r ? 1 : 0);
		}
	case PDP_TYPE_STRING: {
		if (k->op == COP_MATCHES)
			return regex_search(k->s, k->slen, v.u.s);
		/* 3.3: country codes in alpha-2 or numeric form compare equal,
		 * so env.country against a literal code compares the codes */
		bool country = strcmp(k->attr, "env.country") == 0 && !other;
		if (k->op == COP_IN) {
			for (size_t i = 0; i < k->strs.n; i++)
				if (country ? same_country(v.u.s, k->strs.items[i])
				            : bytes_eq(k->strs.items[i],
				                       strlen(k->strs.items[i]), v.u.s.ptr,
				                       v.u.s.len))
					return YES;
			return NO;
		}
		pdp_str r = other ? w.u.s : (pdp_str){k->s, k->slen};
		if (k->op == COP_PREFIX)
			return tv_of(v.u.s.len >= r.len &&
			             bytes_eq(v.u.s.ptr, r.len, r.ptr, r.len));
		bool eq = country ? same_country(v.u.s, k->s)
		                  : bytes_eq(v.u.s.ptr, v.u.s.len, r.ptr, r.len);
		return compare(k->op, eq ? 0 : 1);
	}
	case PDP_TYPE_BOOL: {
		bool r = other ? w.u.b : k->b;
		return compare(k->op, v.u.b == r ? 0 : 1);
	}
	case PDP_TYPE_IP: {
		if (k->op == COP_IN_CIDR) {
			const ynode *list = k->rhs_node;
			tv found = NO;
			for (size_t i = 0; list != NULL && i < list->n; i++) {
				pdp_ip net;
				int prefix;
				if (!parse_cidr(list->items[i]->str, &net, &prefix)) {
					ref_failure = "cidr";
					return UNKNOWN;
				}
				if (in_net(&net, prefix, &v.u.ip))
					found = YES;
			}
			return found;
		}
		pdp_ip r;
		if (other) {
			r = w.u.ip;
		} else if (!parse_ip(k->rhs_node->str, k->rhs_node->len, &r)) {
			ref_failure = "ip";
			return UNKNOWN;
		}
		return compare(k->op, memcmp(v.u.ip.b, r.b, 16) == 0 ? 0 : 1);
	}
	case PDP_TYPE_TIME: {
		pdp_time r;
		if (other) {
			r = w.u.t;
		} else if (!parse_time(k->rhs_node->str, &r)) {
			ref_failure = "time";
			return UNKNOWN;
		}
		return compare(k->op, time_cmp(v.u.t, r));
	}
	case PDP_TYPE_SET: {
		pdp_str r = other ? w.u.s : (pdp_str){k->s, k->slen};
		for (size_t i = 0; i < v.u.set.count; i++)
			if (bytes_eq(v.u.set.items[i].ptr, v.u.set.items[i].len, r.ptr,
			             r.len))
				return YES;
		return NO;
	}
	default:
		return UNKNOWN;
	}
}

static tv cond(const rctx *x, const m_cond *k)
{
	switch (k->op) {
	case COP_TRUE:
		return YES;
	case COP_FALSE:
		return NO;
	case COP_ALL: {
		tv r = YES;
		for (size_t i = 0; i < k->kids.n; i++)
			r = tv_and(r, cond(x, k->kids.items[i]));
		return r;
	}
	case COP_ANY: {
		tv r = NO;
		for (size_t i = 0; i < k->kids.n; i++)
			r = tv_or(r, cond(x, k->kids.items[i]));
		return r;
	}
	case COP_NOT:
		return tv_not(cond(x, k->kids.items[0]));
	default:
		return leaf(x, k);
	}
}

/* ------------------------------------------------------------------ */
/* one rule (3.5): a three-valued AND of all its parts                 */

static tv rule_holds(const rctx *x, const m_rule *r)
{
	const pdp_request *q = x->q;
	bool orig = false;
	for (size_t i = 0; i < r->origs.n; i++)
		if (originator_matches(x, &r->origs.items[i]))
			orig = true;
	bool ops = (r->ops & q->operation) != 0;
	bool auth = !r->auth || q->authenticated;
	bool obj = r->objects.n == 0;
	for (size_t i = 0; i < r->objects.n; i++)
		if (object_entry_holds(x, &r->objects.items[i]))
			obj = true;
	tv all = tv_of(orig && ops && auth && obj);
	all = tv_and(all, contexts_hold(x, r));
	if (r->when != NULL)
		all = tv_and(all, cond(x, r->when));
	return all;
}

/* ------------------------------------------------------------------ */
/* sessions and DSD (3.6)                                              */

/* Fill active (by model role index) with the active closure of user's
 * session: the closure of `roles` when given, else of the assigned roles.
 * Returns NULL, "role-not-authorized" or "dsd-violation". */
static const char *activate(const pdpc_compiler *c, pdp_str user, bool given,
                            const pdp_str *roles, size_t n_roles, bool *active)
{
	bool authorized[256];
	memset(authorized, 0, sizeof(authorized));
	memset(active, 0, 256 * sizeof(bool));
	const m_assign *as = assignment_of(c, user);
	for (size_t i = 0; as != NULL && i < as->roles.n; i++) {
		const char *rn = as->roles.items[i].name;
		long r = role_index(c, rn, strlen(rn));
		if (r >= 0)
			mark_closure(c, (size_t)r, authorized);
	}
	if (!given) {
		memcpy(active, authorized, sizeof(authorized));
	} else {
		for (size_t i = 0; i < n_roles; i++) {
			long r = role_index(c, roles[i].ptr, roles[i].len);
			if (r < 0 || !authorized[r])
				return "role-not-authorized";
			mark_closure(c, (size_t)r, active);
		}
	}
	for (size_t i = 0; i < c->constraints.n; i++) {
		const m_constraint *k = c->constraints.items[i];
		if (!k->dsd)
			continue;
		uint32_t count = 0;
		bool seen[256];
		memset(seen, 0, sizeof(seen));
		for (size_t j = 0; j < k->roles.n; j++) {
			const char *rn = k->roles.items[j].name;
			long r = role_index(c, rn, strlen(rn));
			if (r >= 0 && active[r] && !seen[r]) {
				seen[r] = true;
				count++;
			}
		}
		if (count >= k->n)
			return "dsd-violation";
	}
	return NULL;
}

pdp_status ref_session_add(const pdpc_compiler *c, pdp_str user,
                           const pdp_str *active, size_t n, pdp_str role)
{
	if (c->roles.n > 256 || n >= 64)
		return PDP_ERR_ARG;
	if (role_index(c, role.ptr, role.len) < 0)
		return PDP_ERR_NOT_FOUND;
	pdp_str next[64];
	for (size_t i = 0; i < n; i++)
		next[i] = active[i];
	next[n] = role;
	bool closure[256];
	const char *why = activate(c, user, true, next, n + 1, closure);
	if (why == NULL)
		return PDP_OK;
	return strcmp(why, "dsd-violation") == 0 ? PDP_ERR_DSD
	                                          : PDP_ERR_NOT_AUTHORIZED;
}

/* ------------------------------------------------------------------ */
/* the decision                                                        */

static bool finish(char *out, size_t size, bool permit, const char *token)
{
	if (ref_failure != NULL)
		snprintf(out, size, "%s ref-error:%s (%s)", permit ? "permit" : "deny",
		         ref_failure, token);
	else
		snprintf(out, size, "%s %s", permit ? "permit" : "deny", token);
	return permit;
}

static const m_acp *find_acp(const pdpc_compiler *c, pdp_str id)
{
	for (size_t i = 0; i < c->acps.n; i++)
		if (bytes_eq(c->acps.items[i]->id, strlen(c->acps.items[i]->id),
		             id.ptr, id.len))
			return c->acps.items[i];
	return NULL;
}

bool ref_decide(const pdpc_compiler *c, const pdp_image *img,
                const pdp_request *q, char *out, size_t size)
{
	ref_failure = NULL;
	/* bad-request: no originator, one that is not UTF-8 text, or not
	 * exactly one known operation */
	if (q->originator.ptr == NULL ||
	    !ref_utf8_ok(q->originator.ptr, q->originator.len) ||
	    op_name(q->operation) == NULL)
		return finish(out, size, false, "bad-request");
	if (q->n_acps == 0)
		return finish(out, size, false, "no-acp");
	for (size_t i = 0; i < q->n_acps; i++)
		if (find_acp(c, q->acps[i]) == NULL)
			return finish(out, size, false, "unknown-acp");

	enum { REF_MAX_ROLES = 256 };
	if (c->roles.n > REF_MAX_ROLES) {
		ref_failure = "too-many-roles";
		return finish(out, size, false, "?");
	}
	bool active[REF_MAX_ROLES];
	const char *why = activate(c, q->originator, q->roles_given, q->roles,
	                           q->n_roles, active);
	if (why != NULL)
		return finish(out, size, false, why);

	rctx x = {c, img, q, active, -1};
	if (q->country.ptr != NULL)
		x.country = ref_country_code(q->country.ptr, q->country.len);

	/* deny-overrides in target.acps order, then rule order */
	const m_acp *permit_acp = NULL;
	size_t permit_rule = 0;
	for (size_t i = 0; i < q->n_acps; i++) {
		const m_acp *a = find_acp(c, q->acps[i]);
		size_t n = q->self ? a->self.n : a->priv.n;
		for (size_t j = 0; j < n; j++) {
			const m_rule *r = q->self ? a->self.items[j] : a->priv.items[j];
			tv t = rule_holds(&x, r);
			if (r->deny && t != NO) {
				char tok[512];
				snprintf(tok, sizeof(tok), "rule:%s:%s:%zu%s%s", a->id,
				         q->self ? "self" : "privileges", j,
				         r->id ? " " : "", r->id ? r->id : "");
				return finish(out, size, false, tok);
			}
			if (!r->deny && t == YES && permit_acp == NULL) {
				permit_acp = a;
				permit_rule = j;
			}
		}
	}
	if (permit_acp != NULL) {
		const m_rule *r = q->self ? permit_acp->self.items[permit_rule]
		                          : permit_acp->priv.items[permit_rule];
		char tok[512];
		snprintf(tok, sizeof(tok), "rule:%s:%s:%zu%s%s", permit_acp->id,
		         q->self ? "self" : "privileges", permit_rule,
		         r->id ? " " : "", r->id ? r->id : "");
		return finish(out, size, true, tok);
	}
	return finish(out, size, false, "no-rule-matched");
}
