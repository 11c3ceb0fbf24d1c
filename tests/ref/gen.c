/*
 * gen.c - random policies and requests for the differential test (gen.h).
 *
 * Policies draw their names and values from small pools so that requests hit
 * them often: originator ids CAE-a..CAE-h and a few look-alikes, globs over
 * them (and "g1" and "r0", which native acor entries name as a group or role),
 * groups g0..g2, roles with a random DAG hierarchy, declared attributes
 * of every type, windows whose field values are remembered so that request
 * times land on and next to their edges, CIDRs and circles whose edges
 * requests probe, and so on.
 */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* ------------------------------------------------------------------ */
/* splitmix64                                                          */

void gen_seed(gen_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t gen_u64(gen_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint32_t gen_below(gen_rng *r, uint32_t n)
{
	return (uint32_t)(gen_u64(r) % n);
}

/* true with probability pct/100 */
static bool pct(gen_rng *r, uint32_t p)
{
	return gen_below(r, 100) < p;
}

static int64_t range_i(gen_rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(gen_u64(r) % (uint64_t)(hi - lo + 1));
}

/* ------------------------------------------------------------------ */
/* text builder                                                        */

typedef struct sb {
	char *p;
	size_t n, cap;
} sb;

__attribute__((format(printf, 2, 3))) static void sb_printf(sb *b,
                                                            const char *fmt,
                                                            ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0,
		                  fmt, ap);
		va_end(ap);
		if (k < 0)
			abort();
		if (b->p && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->n + (size_t)k + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (np == NULL)
			abort();
		b->p = np;
		b->cap = cap;
	}
}

/* ------------------------------------------------------------------ */
/* pools                                                               */

static const char *const IDS[] = {
	"CAE-a", "CAE-b", "CAE-c", "CAE-d", "CAE-e", "CAE-f", "CAE-g", "CAE-h",
	"CAE-ax", "CAE-bx", "CAE-", "/cse-in/CAE-a", "/cse-in/a/b",
	"/cse-mn/CAE-c", "S-root", "g1", "r0"};
#define N_IDS (sizeof(IDS) / sizeof(IDS[0]))
/* request-only originators, never named by a policy: some hold '*' or
 * '?' (literal in an originator) or multi-byte characters (one '?' each) */
static const char *const UNKNOWN_IDS[] = {
	"CAE-zz", "CAE-a/b", "zzz", "CAE-A", "/cse-in/", "CAE-a*", "*", "**",
	"CAE-*x", "CAE-?", "/cse-in/*", "CAE-\xc3\xa9", "CAE-\xc3\xa9x",
	"CAE-\xf0\x9f\x98\x80"};
#define N_UNKNOWN_IDS (sizeof(UNKNOWN_IDS) / sizeof(UNKNOWN_IDS[0]))
/* originators that are not UTF-8: bad requests (never in a policy text,
 * which the YAML reader would refuse) */
static const char *const NOT_UTF8_IDS[] = {"CAE-\xc3", "CAE-\xed\xa0\x80",
                                           "\xff"};
#define N_NOT_UTF8_IDS (sizeof(NOT_UTF8_IDS) / sizeof(NOT_UTF8_IDS[0]))

static const char *const GLOBS[] = {
	"CAE-*", "CAE-?x", "/cse-in/*", "CAE-?", "*", "/cse-*/*", "CAE-a*",
	"?AE-*", "*-b", "CAE-**", "*x", "/*/*/*", "C*-?", "/cse-in/CAE-?",
	"CAE-\xc3\xa9*", "*\xc3\xa9?", "CAE-??", "*\\*"};
#define N_GLOBS (sizeof(GLOBS) / sizeof(GLOBS[0]))

static const char *const STRS[] = {"ops", "maint", "sales", "CAE-a",
                                   "/cse-in/x", "", "public", "secret",
                                   "op", "OPS"};
#define N_STRS (sizeof(STRS) / sizeof(STRS[0]))

static const char *const PREFIXES[] = {"CAE-", "/cse-in/", "S-", "", "CAE-a",
                                       "op", "g"};
#define N_PREFIXES (sizeof(PREFIXES) / sizeof(PREFIXES[0]))

static const char *const REGEXES[] = {
	"^CAE-[a-d]$", "x$", "^/cse-in/", "a|b", "^$", "[0-9]", "^(ops|maint)$",
	"CAE-.x", "^[A-Z]", "(?i)^ops$", "e.*e", "\\d", "^.{5}$"};
#define N_REGEXES (sizeof(REGEXES) / sizeof(REGEXES[0]))

static const int64_t INTS[] = {-1, 0, 1, 2, 3, 4, 5, 100};
#define N_INTS (sizeof(INTS) / sizeof(INTS[0]))

static const char *const OPS[] = {"create", "retrieve", "update",
                                  "delete", "notify", "discover"};

static const struct {
	int32_t ty;
	const char *name, *shortname;
} TYPES[] = {
	{2, "AE", "ae"},           {3, "container", "cnt"},
	{4, "contentInstance", "cin"}, {9, "group", "grp"},
	{23, "subscription", "sub"}, {28, "flexContainer", "fcnt"},
	{29, "timeSeries", "ts"},  {14, "node", "nod"}};
#define N_TYPES (sizeof(TYPES) / sizeof(TYPES[0]))

static const char *const SPECS[] = {"org.example.meter", "org.example.light",
                                    "mio:sdt"};
#define N_SPECS (sizeof(SPECS) / sizeof(SPECS[0]))

static const struct {
	const char *a2;
	int num;
} COUNTRIES[] = {
	{"DE", 276}, {"FR", 250}, {"US", 840}, {"JP", 392}, {"KR", 410},
	{"IT", 380}, {"GB", 826}, {"AT", 40},  {"ES", 724}, {"NL", 528},
	{"CN", 156}, {"IN", 356}, {"BR", 76},  {"CH", 756}, {"SE", 752}};
#define N_COUNTRIES (sizeof(COUNTRIES) / sizeof(COUNTRIES[0]))

typedef struct attr_def {
	const char *name;
	pdp_type t;
	bool builtin;
} attr_def;

static const attr_def ATTRS[] = {
	{"originator.id", PDP_TYPE_STRING, true},
	{"operation", PDP_TYPE_STRING, true},
	{"resource.type", PDP_TYPE_STRING, true},
	{"env.time", PDP_TYPE_TIME, true},
	{"env.ip", PDP_TYPE_IP, true},
	{"env.country", PDP_TYPE_STRING, true},
	{"originator.clearance", PDP_TYPE_INT, false},
	{"env.threat", PDP_TYPE_INT, false},
	{"originator.department", PDP_TYPE_STRING, false},
	{"resource.owner", PDP_TYPE_STRING, false},
	{"env.maintenance", PDP_TYPE_BOOL, false},
	{"env.badge", PDP_TYPE_BOOL, false},
	{"originator.addr", PDP_TYPE_IP, false},
	{"resource.created", PDP_TYPE_TIME, false},
	{"env.deadline", PDP_TYPE_TIME, false},
	{"resource.labels", PDP_TYPE_SET, false},
	{"originator.tags", PDP_TYPE_SET, false},
};
#define N_ATTRS (sizeof(ATTRS) / sizeof(ATTRS[0]))

const char *gen_type_word(pdp_type t)
{
	switch (t) {
	case PDP_TYPE_INT: return "int";
	case PDP_TYPE_STRING: return "string";
	case PDP_TYPE_BOOL: return "bool";
	case PDP_TYPE_IP: return "ip";
	case PDP_TYPE_TIME: return "time";
	case PDP_TYPE_SET: return "set<string>";
	default: return "?";
	}
}

/* ------------------------------------------------------------------ */
/* the policy                                                          */

#define MAX_ROLES 160 /* usually 1-8; sometimes 65-150 (multi-word role sets) */
#define MAX_ACPS 24
#define MAX_POOL 48

typedef struct win_info {
	int n[7];
	int v[7][32]; /* interesting values per field */
} win_info;

struct gen_policy {
	sb text;
	sb decls;  /* the text's declarations without groups and ACPs */
	int n_roles;
	char role[MAX_ROLES][8];
	bool junior[MAX_ROLES][MAX_ROLES]; /* direct: i inherits j */
	int n_groups;
	int n_acps;
	char acp[MAX_ACPS][16];
	bool decl[N_ATTRS];
	int n_assign;
	const char *assign_user[8];
	int assign_n[8];
	int assign_role[8][3];
	int n_cidr;
	pdp_ip cidr_net[MAX_POOL];
	int cidr_prefix[MAX_POOL]; /* 128-bit space */
	int n_circle;
	double circ_lat[MAX_POOL], circ_lon[MAX_POOL], circ_rad[MAX_POOL];
	int n_win;
	win_info win[MAX_POOL];
	int n_time;
	pdp_time times[MAX_POOL];
	int n_iplit;
	pdp_ip iplit[MAX_POOL];
	int rule_ids;
};

/* ---- civil time (generator's own; not the reference's) ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int mdays(int64_t y, int m)
{
	static const int d[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool lp = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && lp ? 29 : d[m];
}

/* RFC 3339 text of t, written in a zone offset_min minutes east of UTC. */
static void print_time(sb *b, pdp_time t, int offset_min, int frac_style)
{
	int64_t local = t.sec + offset_min * 60;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int64_t rem = local - days * 86400;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	sb_printf(b, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)y, m, d,
	          (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	if (t.nsec != 0 || frac_style == 1) {
		char f[16];
		snprintf(f, sizeof(f), "%09d", (int)t.nsec);
		if (frac_style != 2) {
			/* drop trailing zeros but keep one digit */
			size_t k = 9;
			while (k > 1 && f[k - 1] == '0')
				k--;
			f[k] = '\0';
		}
		sb_printf(b, ".%s", f);
	}
	if (offset_min == 0) {
		sb_printf(b, "Z");
	} else {
		int a = offset_min < 0 ? -offset_min : offset_min;
		sb_printf(b, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60,
		          a % 60);
	}
}

/* ---- IP text ---- */

static void set_v4(pdp_ip *ip, uint32_t a)
{
	memset(ip, 0, sizeof(*ip));
	ip->b[10] = 0xff;
	ip->b[11] = 0xff;
	ip->b[12] = (uint8_t)(a >> 24);
	ip->b[13] = (uint8_t)(a >> 16);
	ip->b[14] = (uint8_t)(a >> 8);
	ip->b[15] = (uint8_t)a;
}

static bool is_mapped(const pdp_ip *ip)
{
	for (int i = 0; i < 10; i++)
		if (ip->b[i])
			return false;
	return ip->b[10] == 0xff && ip->b[11] == 0xff;
}

/* style 0: compressed, 1: full, 2: mapped as ::ffff:a.b.c.d when mapped,
 * upper-case hex with style 3 */
static void print_ip6(sb *b, const pdp_ip *ip, int style)
{
	if (style == 2 && is_mapped(ip)) {
		sb_printf(b, "::ffff:%d.%d.%d.%d", ip->b[12], ip->b[13], ip->b[14],
		          ip->b[15]);
		return;
	}
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)(ip->b[2 * i] << 8 | ip->b[2 * i + 1]);
	int best = -1, best_len = 0;
	if (style != 1) {
		for (int i = 0; i < 8;) {
			int j = i;
			while (j < 8 && w[j] == 0)
				j++;
			if (j - i > best_len && j - i >= 2) {
				best = i;
				best_len = j - i;
			}
			i = j > i ? j : i + 1;
		}
	}
	const char *fmt = style == 3 ? "%X" : "%x";
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			sb_printf(b, "::");
			i += best_len - 1;
			continue;
		}
		if (i > 0 && i != best + best_len)
			sb_printf(b, ":");
		sb_printf(b, fmt, w[i]);
	}
}

/* The address as text: IPv4 dotted quad when mapped (usually). */
static void print_ip(sb *b, const pdp_ip *ip, gen_rng *r)
{
	if (is_mapped(ip) && !pct(r, 10))
		sb_printf(b, "%d.%d.%d.%d", ip->b[12], ip->b[13], ip->b[14],
		          ip->b[15]);
	else
		print_ip6(b, ip, (int)gen_below(r, 4));
}

static void random_ip(gen_rng *r, pdp_ip *ip)
{
	switch (gen_below(r, 5)) {
	case 0: set_v4(ip, 0x0a000000u | (uint32_t)gen_below(r, 1u << 24)); break;
	case 1: set_v4(ip, 0xc0a80000u | (uint32_t)gen_below(r, 1u << 16)); break;
	case 2: set_v4(ip, (uint32_t)gen_u64(r)); break;
	case 3:
		memset(ip, 0, sizeof(*ip));
		ip->b[0] = 0x20;
		ip->b[1] = 0x01;
		ip->b[2] = 0x0d;
		ip->b[3] = 0xb8;
		ip->b[5] = (uint8_t)gen_below(r, 4);
		ip->b[15] = (uint8_t)gen_below(r, 256);
		break;
	default:
		for (int i = 0; i < 16; i++)
			ip->b[i] = (uint8_t)gen_u64(r);
		if (pct(r, 50)) {
			ip->b[0] = 0xfe;
			ip->b[1] = 0x80;
		}
		break;
	}
}

static void clear_host(pdp_ip *ip, int prefix)
{
	for (int i = prefix; i < 128; i++)
		ip->b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/* A CIDR entry (text into b), remembered in the pool. */
static void gen_cidr(gen_policy *p, gen_rng *r, sb *b)
{
	pdp_ip ip;
	int prefix;
	bool v4 = pct(r, 60);
	if (v4) {
		static const int P4[] = {0, 8, 12, 16, 20, 24, 28, 31, 32};
		int p4 = P4[gen_below(r, sizeof(P4) / sizeof(P4[0]))];
		uint32_t a = gen_below(r, 3) == 0 ? (uint32_t)gen_u64(r)
		             : pct(r, 50) ? 0x0a000000u | gen_below(r, 1u << 24)
		                          : 0xc0a80000u | gen_below(r, 1u << 16);
		set_v4(&ip, a);
		prefix = 96 + p4;
		if (!pct(r, 20))
			clear_host(&ip, prefix);
		if (p4 == 32 && pct(r, 50))
			sb_printf(b, "'%d.%d.%d.%d'", ip.b[12], ip.b[13], ip.b[14],
			          ip.b[15]);
		else
			sb_printf(b, "'%d.%d.%d.%d/%d'", ip.b[12], ip.b[13], ip.b[14],
			          ip.b[15], p4);
	} else {
		static const int P6[] = {0, 10, 32, 48, 64, 100, 104, 120, 127, 128};
		prefix = P6[gen_below(r, sizeof(P6) / sizeof(P6[0]))];
		if (prefix == 104 || pct(r, 10)) {
			set_v4(&ip, 0x0a000000u | gen_below(r, 1u << 24));
			if (prefix < 96)
				prefix = 96 + 8 * (int)gen_below(r, 5);
		} else {
			random_ip(r, &ip);
			if (is_mapped(&ip))
				ip.b[10] = 0x12;
		}
		if (!pct(r, 20))
			clear_host(&ip, prefix);
		sb_printf(b, "'");
		print_ip6(b, &ip, (int)gen_below(r, 4));
		if (prefix != 128 || pct(r, 50))
			sb_printf(b, "/%d", prefix);
		sb_printf(b, "'");
	}
	if (p->n_cidr < MAX_POOL) {
		p->cidr_net[p->n_cidr] = ip;
		p->cidr_prefix[p->n_cidr] = prefix;
		p->n_cidr++;
	}
}

/* ---- windows ---- */

static const char *const MON_NAMES[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                        "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const DOW_NAMES[] = {"SUN", "MON", "TUE", "WED",
                                        "THU", "FRI", "SAT", "SUN"};

static void remember(win_info *w, int f, int v)
{
	if (w->n[f] < 32)
		w->v[f][w->n[f]++] = v;
}

static void print_fv(sb *b, gen_rng *r, int f, int v)
{
	if (f == 4 && pct(r, 30))
		sb_printf(b, "%s", MON_NAMES[v - 1]);
	else if (f == 5 && v < 7 && pct(r, 30))
		sb_printf(b, "%s", DOW_NAMES[v]);
	else
		sb_printf(b, "%d", v);
}

static void gen_field(sb *b, gen_rng *r, win_info *w, int f)
{
	static const int LO[7] = {0, 0, 0, 1, 1, 0, 1970};
	static const int HI[7] = {59, 59, 23, 31, 12, 7, 2199};
	int lo = LO[f], hi = HI[f];
	/* years: stay near the request times most of the time */
	int vlo = f == 6 ? 2022 : lo, vhi = f == 6 ? 2034 : hi;
	if (pct(r, f == 6 ? 55 : 40)) {
		sb_printf(b, "*");
		return;
	}
	int items = pct(r, 25) ? 2 + (int)gen_below(r, 2) : 1;
	for (int it = 0; it < items; it++) {
		if (it > 0)
			sb_printf(b, ",");
		int kind = (int)gen_below(r, 4);
		if (kind == 0) {
			int v = (int)range_i(r, vlo, vhi);
			print_fv(b, r, f, v);
			remember(w, f, v);
			remember(w, f, v - 1);
			remember(w, f, v + 1);
		} else if (kind == 1) {
			int a = (int)range_i(r, vlo, vhi), c = (int)range_i(r, a, vhi);
			print_fv(b, r, f, a);
			sb_printf(b, "-");
			print_fv(b, r, f, c);
			remember(w, f, a);
			remember(w, f, c);
			remember(w, f, a - 1);
			remember(w, f, c + 1);
		} else if (kind == 2) {
			int n = (int)range_i(r, 1, f == 6 ? 5 : (hi - lo) / 2 + 1);
			sb_printf(b, "*/%d", n);
			for (int k = 0; k < 3; k++) {
				remember(w, f, lo + k * n);
				remember(w, f, lo + k * n + 1);
			}
		} else {
			int a = (int)range_i(r, vlo, vhi), c = (int)range_i(r, a, vhi);
			int n = (int)range_i(r, 1, (c - a) / 2 + 2);
			print_fv(b, r, f, a);
			sb_printf(b, "-");
			print_fv(b, r, f, c);
			sb_printf(b, "/%d", n);
			remember(w, f, a);
			remember(w, f, a + n);
			remember(w, f, a + n - 1);
			remember(w, f, c);
			remember(w, f, c + 1);
		}
	}
}

static void gen_window(gen_policy *p, gen_rng *r, sb *b)
{
	win_info tmp, *w = p->n_win < MAX_POOL ? &p->win[p->n_win++] : &tmp;
	memset(w, 0, sizeof(*w));
	sb_printf(b, "'");
	for (int f = 0; f < 7; f++) {
		if (f > 0)
			sb_printf(b, pct(r, 10) ? "  " : " ");
		gen_field(b, r, w, f);
	}
	sb_printf(b, "'");
}

/* ---- circles ---- */

static void gen_circle(gen_policy *p, gen_rng *r, sb *b)
{
	long lat_u = (long)range_i(r, -80000000, 80000000);
	long lon_u = (long)range_i(r, -180000000, 180000000);
	static const int RADII[] = {50, 1000, 5000, 250000, 2000000, 0};
	int rad = pct(r, 70) ? RADII[gen_below(r, 6)] : (int)range_i(r, 100, 900000);
	char la[32], lo[32];
	snprintf(la, sizeof(la), "%s%ld.%06ld", lat_u < 0 ? "-" : "",
	         labs(lat_u) / 1000000, labs(lat_u) % 1000000);
	snprintf(lo, sizeof(lo), "%s%ld.%06ld", lon_u < 0 ? "-" : "",
	         labs(lon_u) / 1000000, labs(lon_u) % 1000000);
	sb_printf(b, "{lat: %s, lon: %s, radius: %d}", la, lo, rad);
	if (p->n_circle < MAX_POOL) {
		p->circ_lat[p->n_circle] = strtod(la, NULL);
		p->circ_lon[p->n_circle] = strtod(lo, NULL);
		p->circ_rad[p->n_circle] = rad;
		p->n_circle++;
	}
}

/* ---- conditions ---- */

static int pick_attr(const gen_policy *p, gen_rng *r, int want_type)
{
	int cand[N_ATTRS], n = 0;
	for (int i = 0; i < (int)N_ATTRS; i++)
		if ((ATTRS[i].builtin || p->decl[i]) &&
		    (want_type < 0 || (int)ATTRS[i].t == want_type))
			cand[n++] = i;
	return n ? cand[gen_below(r, (uint32_t)n)] : -1;
}

static void quoted(sb *b, const char *s)
{
	sb_printf(b, "'%s'", s);
}

static void time_literal(gen_policy *p, gen_rng *r, sb *b)
{
	pdp_time t;
	if (p->n_time > 0 && pct(r, 60)) {
		t = p->times[gen_below(r, (uint32_t)p->n_time)];
	} else {
		t.sec = range_i(r, 1704067200, 1924992000); /* 2024..2031 */
		t.nsec = pct(r, 70) ? 0 : pct(r, 50) ? 500000000 : 123456789;
		if (p->n_time < MAX_POOL)
			p->times[p->n_time++] = t;
	}
	static const int OFFS[] = {0, 0, 0, 60, -300, 330, -720, 840};
	sb_printf(b, "'");
	print_time(b, t, OFFS[gen_below(r, 8)], (int)gen_below(r, 3));
	sb_printf(b, "'");
}

static void ip_literal(gen_policy *p, gen_rng *r, sb *b)
{
	pdp_ip ip;
	if (p->n_cidr > 0 && pct(r, 40)) {
		int k = (int)gen_below(r, (uint32_t)p->n_cidr);
		ip = p->cidr_net[k];
	} else {
		random_ip(r, &ip);
	}
	if (p->n_iplit < MAX_POOL)
		p->iplit[p->n_iplit++] = ip;
	sb_printf(b, "'");
	print_ip(b, &ip, r);
	sb_printf(b, "'");
}

/* A string literal fitting attribute a. */
static void string_literal(gen_rng *r, int a, sb *b)
{
	const char *name = ATTRS[a].name;
	if (strcmp(name, "originator.id") == 0)
		quoted(b, pct(r, 85) ? IDS[gen_below(r, N_IDS)]
		                     : UNKNOWN_IDS[gen_below(r, N_UNKNOWN_IDS)]);
	else if (strcmp(name, "operation") == 0)
		quoted(b, OPS[gen_below(r, 6)]);
	else if (strcmp(name, "resource.type") == 0)
		quoted(b, TYPES[gen_below(r, N_TYPES)].name);
	else if (strcmp(name, "env.country") == 0) {
		int c = (int)gen_below(r, N_COUNTRIES);
		if (pct(r, 70))
			quoted(b, COUNTRIES[c].a2);
		else
			sb_printf(b, "'%03d'", COUNTRIES[c].num); /* 3.3: equal forms */
	}
	else
		quoted(b, STRS[gen_below(r, N_STRS)]);
}

static void literal(gen_policy *p, gen_rng *r, int a, sb *b)
{
	switch (ATTRS[a].t) {
	case PDP_TYPE_INT:
		sb_printf(b, "%lld", (long long)INTS[gen_below(r, N_INTS)]);
		break;
	case PDP_TYPE_STRING:
		string_literal(r, a, b);
		break;
	case PDP_TYPE_BOOL:
		sb_printf(b, pct(r, 50) ? "true" : "false");
		break;
	case PDP_TYPE_IP:
		ip_literal(p, r, b);
		break;
	case PDP_TYPE_TIME:
		time_literal(p, r, b);
		break;
	default:
		quoted(b, STRS[gen_below(r, N_STRS)]);
		break;
	}
}

static void gen_leaf(gen_policy *p, gen_rng *r, sb *b)
{
	int a = pick_attr(p, r, -1);
	pdp_type t = ATTRS[a].t;
	sb_printf(b, "{attr: %s, ", ATTRS[a].name);
	if (pct(r, 8)) {
		sb_printf(b, "present: %s}", pct(r, 50) ? "true" : "false");
		return;
	}
	const char *op;
	switch (t) {
	case PDP_TYPE_INT: {
		static const char *const o[] = {"eq", "ne", "lt", "le", "gt", "ge", "in"};
		op = o[gen_below(r, 7)];
		break;
	}
	case PDP_TYPE_STRING: {
		static const char *const o[] = {"eq", "ne", "in", "prefix", "matches"};
		op = o[gen_below(r, 5)];
		break;
	}
	case PDP_TYPE_BOOL:
		op = pct(r, 50) ? "eq" : "ne";
		break;
	case PDP_TYPE_IP: {
		static const char *const o[] = {"eq", "ne", "in_cidr", "in_cidr"};
		op = o[gen_below(r, 4)];
		break;
	}
	case PDP_TYPE_TIME: {
		static const char *const o[] = {"eq", "ne", "lt", "le", "gt", "ge"};
		op = o[gen_below(r, 6)];
		break;
	}
	default:
		op = "contains";
		break;
	}
	sb_printf(b, "%s: ", op);
	bool list = strcmp(op, "in") == 0 || strcmp(op, "in_cidr") == 0;
	bool can_attr = !list && strcmp(op, "matches") != 0;
	if (can_attr && pct(r, 20)) {
		int want = t == PDP_TYPE_SET ? PDP_TYPE_STRING : (int)t;
		int other = pick_attr(p, r, want);
		sb_printf(b, "{attr: %s}}", ATTRS[other].name);
		return;
	}
	if (strcmp(op, "in") == 0) {
		int n = (int)gen_below(r, 4);
		sb_printf(b, "[");
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			literal(p, r, a, b);
		}
		sb_printf(b, "]}");
	} else if (strcmp(op, "in_cidr") == 0) {
		int n = 1 + (int)gen_below(r, 3);
		sb_printf(b, "[");
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			gen_cidr(p, r, b);
		}
		sb_printf(b, "]}");
	} else if (strcmp(op, "matches") == 0) {
		quoted(b, REGEXES[gen_below(r, N_REGEXES)]);
		sb_printf(b, "}");
	} else if (strcmp(op, "prefix") == 0) {
		quoted(b, PREFIXES[gen_below(r, N_PREFIXES)]);
		sb_printf(b, "}");
	} else if (t == PDP_TYPE_SET) {
		quoted(b, STRS[gen_below(r, N_STRS)]);
		sb_printf(b, "}");
	} else {
		literal(p, r, a, b);
		sb_printf(b, "}");
	}
}

static void gen_cond(gen_policy *p, gen_rng *r, sb *b, int depth)
{
	uint32_t k = depth >= 3 ? 0 : gen_below(r, depth == 1 ? 3 : 6);
	if (k == 1 || k == 2) {
		sb_printf(b, "{%s: [", k == 1 ? "all" : "any");
		int n = 1 + (int)gen_below(r, 3);
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			gen_cond(p, r, b, depth + 1);
		}
		sb_printf(b, "]}");
	} else if (k == 3) {
		sb_printf(b, "{not: ");
		gen_cond(p, r, b, depth + 1);
		sb_printf(b, "}");
	} else {
		gen_leaf(p, r, b);
	}
}

/* ---- rules ---- */

static void gen_originator(gen_policy *p, gen_rng *r, sb *b)
{
	uint32_t k = gen_below(r, 100);
	if (k < 22)
		sb_printf(b, "all");
	else if (k < 45)
		quoted(b, IDS[gen_below(r, N_IDS)]);
	else if (k < 65)
		quoted(b, GLOBS[gen_below(r, N_GLOBS)]);
	else if (k < 80 && p->n_groups > 0)
		sb_printf(b, "'group:g%u'", gen_below(r, (uint32_t)p->n_groups));
	else if (p->n_roles > 0)
		sb_printf(b, "'role:%s'", p->role[gen_below(r, (uint32_t)p->n_roles)]);
	else
		quoted(b, IDS[gen_below(r, N_IDS)]);
}

static void gen_type(gen_rng *r, sb *b)
{
	int t = (int)gen_below(r, N_TYPES);
	switch (gen_below(r, 3)) {
	case 0: sb_printf(b, "%s", TYPES[t].name); break;
	case 1: sb_printf(b, "%s", TYPES[t].shortname); break;
	default: sb_printf(b, "%d", TYPES[t].ty); break;
	}
}

static void gen_object(gen_rng *r, sb *b)
{
	sb_printf(b, "{");
	bool any = false;
	const char *keys[3] = {"types", "specializations", "child_types"};
	for (int f = 0; f < 3; f++) {
		if (pct(r, 45))
			continue;
		sb_printf(b, "%s%s: [", any ? ", " : "", keys[f]);
		any = true;
		int n = (int)gen_below(r, f == 1 ? 3 : 4);
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			if (f == 1)
				quoted(b, SPECS[gen_below(r, N_SPECS)]);
			else
				gen_type(r, b);
		}
		sb_printf(b, "]");
	}
	sb_printf(b, "}");
}

static void gen_context(gen_policy *p, gen_rng *r, sb *b)
{
	sb_printf(b, "{");
	bool any = false;
	if (pct(r, 45)) {
		sb_printf(b, "window: [");
		int n = pct(r, 10) ? 0 : 1 + (int)gen_below(r, 2);
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			gen_window(p, r, b);
		}
		sb_printf(b, "]");
		any = true;
	}
	if (pct(r, 40)) {
		sb_printf(b, "%sip: [", any ? ", " : "");
		int n = pct(r, 10) ? 0 : 1 + (int)gen_below(r, 3);
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			gen_cidr(p, r, b);
		}
		sb_printf(b, "]");
		any = true;
	}
	if (pct(r, 40)) {
		sb_printf(b, "%sregion: {", any ? ", " : "");
		bool rany = false;
		if (pct(r, 65)) {
			sb_printf(b, "countries: [");
			int n = (int)gen_below(r, 4);
			for (int i = 0; i < n; i++) {
				int c = (int)gen_below(r, N_COUNTRIES);
				if (i)
					sb_printf(b, ", ");
				if (pct(r, 70))
					sb_printf(b, "%s", COUNTRIES[c].a2);
				else
					sb_printf(b, "'%03d'", COUNTRIES[c].num);
			}
			sb_printf(b, "]");
			rany = true;
		}
		if (pct(r, 60)) {
			sb_printf(b, "%scircles: [", rany ? ", " : "");
			int n = (int)gen_below(r, 3);
			for (int i = 0; i < n; i++) {
				if (i)
					sb_printf(b, ", ");
				gen_circle(p, r, b);
			}
			sb_printf(b, "]");
		}
		sb_printf(b, "}");
	}
	sb_printf(b, "}");
}

static void gen_rule(gen_policy *p, gen_rng *r, sb *b)
{
	sb_printf(b, "      - originators: [");
	int n = 1 + (int)gen_below(r, 3);
	for (int i = 0; i < n; i++) {
		if (i)
			sb_printf(b, ", ");
		gen_originator(p, r, b);
	}
	sb_printf(b, "]\n");
	uint32_t k = gen_below(r, 100);
	if (k < 15) {
		sb_printf(b, "        operations: all\n");
	} else if (k < 35) {
		sb_printf(b, "        operations: %u\n", 1 + gen_below(r, 63));
	} else {
		sb_printf(b, "        operations: [");
		int m = 1 + (int)gen_below(r, 3);
		for (int i = 0; i < m; i++)
			sb_printf(b, "%s%s", i ? ", " : "", OPS[gen_below(r, 6)]);
		sb_printf(b, "]\n");
	}
	if (pct(r, 45)) {
		sb_printf(b, "        contexts: [");
		int m = pct(r, 10) ? 0 : 1 + (int)gen_below(r, 2);
		for (int i = 0; i < m; i++) {
			if (i)
				sb_printf(b, ", ");
			gen_context(p, r, b);
		}
		sb_printf(b, "]\n");
	}
	if (pct(r, 40))
		sb_printf(b, "        authenticated: %s\n",
		          pct(r, 60) ? "true" : "false");
	if (pct(r, 35)) {
		sb_printf(b, "        objects: [");
		int m = 1 + (int)gen_below(r, 2);
		for (int i = 0; i < m; i++) {
			if (i)
				sb_printf(b, ", ");
			gen_object(r, b);
		}
		sb_printf(b, "]\n");
	}
	if (pct(r, 55)) {
		sb_printf(b, "        when: ");
		gen_cond(p, r, b, 1);
		sb_printf(b, "\n");
	}
	if (pct(r, 20))
		sb_printf(b, "        effect: deny\n");
	else if (pct(r, 10))
		sb_printf(b, "        effect: permit\n");
	if (pct(r, 30))
		sb_printf(b, "        id: rule-%d\n", p->rule_ids++);
}

/* ---- the oneM2M native form (m2m:acp inside acps:) ---- */

static void gen_native_rule(gen_policy *p, gen_rng *r, sb *b)
{
	sb_printf(b, "{acor: [");
	int n = 1 + (int)gen_below(r, 3);
	for (int i = 0; i < n; i++) {
		if (i)
			sb_printf(b, ", ");
		if (p->n_groups > 0 && pct(r, 25))
			sb_printf(b, "'g%u'", gen_below(r, (uint32_t)p->n_groups)); /* a group */
		else if (p->n_roles > 0 && pct(r, 20)) /* a role */
			sb_printf(b, "'%s'", p->role[gen_below(r, (uint32_t)p->n_roles)]);
		else
			gen_originator(p, r, b);
	}
	sb_printf(b, "], acop: %u", 1 + gen_below(r, 63));
	if (pct(r, 50)) {
		sb_printf(b, ", acco: [");
		int m = 1 + (int)gen_below(r, 2);
		for (int i = 0; i < m; i++) {
			sb_printf(b, "%s{", i ? ", " : "");
			bool any = false;
			if (pct(r, 50)) {
				sb_printf(b, "actw: [");
				int w = 1 + (int)gen_below(r, 2);
				for (int k = 0; k < w; k++) {
					if (k)
						sb_printf(b, ", ");
					gen_window(p, r, b);
				}
				sb_printf(b, "]");
				any = true;
			}
			if (pct(r, 45)) {
				/* generate into scratch text and sort by family */
				sb v4 = {0}, v6 = {0};
				int w = 1 + (int)gen_below(r, 3);
				for (int k = 0; k < w; k++) {
					sb one = {0};
					gen_cidr(p, r, &one);
					bool is4 = strchr(one.p, ':') == NULL;
					sb *dst = is4 ? &v4 : &v6;
					sb_printf(dst, "%s%s", dst->n ? ", " : "", one.p);
					free(one.p);
				}
				sb_printf(b, "%sacip: {ipv4: [%s], ipv6: [%s]}", any ? ", " : "",
				          v4.p ? v4.p : "", v6.p ? v6.p : "");
				free(v4.p);
				free(v6.p);
				any = true;
			}
			if (pct(r, 40)) {
				sb_printf(b, "%saclr: {", any ? ", " : "");
				bool a2 = false;
				if (pct(r, 70)) {
					sb_printf(b, "accc: [");
					int w = 1 + (int)gen_below(r, 3);
					for (int k = 0; k < w; k++)
						sb_printf(b, "%s%s", k ? ", " : "",
						          COUNTRIES[gen_below(r, N_COUNTRIES)].a2);
					sb_printf(b, "]");
					a2 = true;
				}
				if (pct(r, 60)) {
					/* accr: [lat, lon, radius] */
					sb one = {0};
					gen_circle(p, r, &one);
					double la = p->circ_lat[p->n_circle - 1],
					       lo = p->circ_lon[p->n_circle - 1],
					       ra = p->circ_rad[p->n_circle - 1];
					sb_printf(b, "%saccr: [%.6f, %.6f, %.0f]", a2 ? ", " : "",
					          la, lo, ra);
					free(one.p);
				}
				sb_printf(b, "}");
			}
			sb_printf(b, "}");
		}
		sb_printf(b, "]");
	}
	if (pct(r, 40))
		sb_printf(b, ", acaf: %s", pct(r, 60) ? "true" : "false");
	if (pct(r, 35)) {
		sb_printf(b, ", acod: [{");
		int t = (int)gen_below(r, N_TYPES);
		if (pct(r, 50))
			sb_printf(b, "ty: %d", TYPES[t].ty);
		else
			sb_printf(b, "ty: [%d, %d]", TYPES[t].ty,
			          TYPES[gen_below(r, N_TYPES)].ty);
		if (pct(r, 40))
			sb_printf(b, ", chty: [%d]", TYPES[gen_below(r, N_TYPES)].ty);
		if (pct(r, 30))
			sb_printf(b, ", spty: ['%s']", SPECS[gen_below(r, N_SPECS)]);
		sb_printf(b, "}]");
	}
	sb_printf(b, "}");
}

static void gen_native_acp(gen_policy *p, gen_rng *r, sb *b, const char *id)
{
	sb_printf(b, "  - {\"m2m:acp\": {ri: %s, rn: %sName, pv: {acr: [", id, id);
	int np = 1 + (int)gen_below(r, 4);
	for (int i = 0; i < np; i++) {
		if (i)
			sb_printf(b, ", ");
		gen_native_rule(p, r, b);
	}
	sb_printf(b, "]}");
	if (pct(r, 50)) {
		sb_printf(b, ", pvs: {acr: [");
		gen_native_rule(p, r, b);
		sb_printf(b, "]}");
	}
	sb_printf(b, "}}\n");
}

/* ---- RBAC ---- */

static void closure(const gen_policy *p, int role, bool *set)
{
	if (set[role])
		return;
	set[role] = true;
	for (int j = 0; j < p->n_roles; j++)
		if (p->junior[role][j])
			closure(p, j, set);
}

static void gen_rbac(gen_policy *p, gen_rng *r, sb *b)
{
	bool big = pct(r, 6);
	p->n_roles = big ? (int)range_i(r, 65, 150)
	             : pct(r, 20) ? 0 : 1 + (int)gen_below(r, 8);
	if (p->n_roles == 0)
		return;
	/* role i may inherit from j < i; names are shuffled so that the file
	 * order is not the topological order */
	int perm[MAX_ROLES];
	for (int i = 0; i < MAX_ROLES; i++)
		perm[i] = i;
	for (int i = MAX_ROLES - 1; i > 0; i--) {
		int j = (int)gen_below(r, (uint32_t)i + 1);
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (int i = 0; i < p->n_roles; i++)
		snprintf(p->role[i], sizeof(p->role[i]), "r%d", perm[i]);
	memset(p->junior, 0, sizeof(p->junior));
	sb_printf(b, "roles:\n");
	/* write seniors first sometimes (forward references) */
	bool reverse = pct(r, 50);
	for (int k = 0; k < p->n_roles; k++) {
		int i = reverse ? p->n_roles - 1 - k : k;
		sb_printf(b, "  %s: ", p->role[i]);
		int nj = 0;
		if (big) {
			int want = i > 0 ? (int)gen_below(r, 4) : 0;
			for (int t = 0; t < want; t++) {
				int j = (int)gen_below(r, (uint32_t)i);
				if (!p->junior[i][j])
					p->junior[i][j] = true, nj++;
			}
		} else {
			for (int j = 0; j < i; j++)
				if (pct(r, 30))
					p->junior[i][j] = true, nj++;
		}
		if (nj == 0 && pct(r, 50)) {
			sb_printf(b, "{}\n");
			continue;
		}
		sb_printf(b, "{ inherits: [");
		bool first = true;
		for (int j = 0; j < i; j++)
			if (p->junior[i][j]) {
				sb_printf(b, "%s%s", first ? "" : ", ", p->role[j]);
				first = false;
			}
		sb_printf(b, "] }\n");
	}
	/* assignments */
	p->n_assign = (int)gen_below(r, 6);
	if (p->n_assign > 0)
		sb_printf(b, "assignments:\n");
	bool used[N_IDS] = {false};
	for (int a = 0; a < p->n_assign; a++) {
		int u;
		do
			u = (int)gen_below(r, N_IDS);
		while (used[u]);
		used[u] = true;
		p->assign_user[a] = IDS[u];
		p->assign_n[a] = 1 + (int)gen_below(r, p->n_roles >= 3 ? 3 : (uint32_t)p->n_roles);
		sb_printf(b, "  '%s': [", IDS[u]);
		for (int k = 0; k < p->assign_n[a]; k++) {
			int role;
			bool dup;
			do {
				role = (int)gen_below(r, (uint32_t)p->n_roles);
				dup = false;
				for (int q = 0; q < k; q++)
					dup = dup || p->assign_role[a][q] == role;
			} while (dup);
			p->assign_role[a][k] = role;
			sb_printf(b, "%s%s", k ? ", " : "", p->role[role]);
		}
		sb_printf(b, "]\n");
	}
	if (p->n_roles < 2)
		return;
	/* constraints */
	bool header = false;
	if (pct(r, 40)) {
		/* an SSD set that holds: n above every user's authorized count */
		int set[4], ns = 2 + (int)gen_below(r, p->n_roles >= 4 ? 3 : (uint32_t)p->n_roles - 1);
		bool in[MAX_ROLES] = {false};
		for (int k = 0; k < ns; k++) {
			int role;
			do
				role = (int)gen_below(r, (uint32_t)p->n_roles);
			while (in[role]);
			in[role] = true;
			set[k] = role;
		}
		int most = 0;
		for (int a = 0; a < p->n_assign; a++) {
			bool auth[MAX_ROLES] = {false};
			for (int k = 0; k < p->assign_n[a]; k++)
				closure(p, p->assign_role[a][k], auth);
			int cnt = 0;
			for (int k = 0; k < ns; k++)
				cnt += auth[set[k]];
			if (cnt > most)
				most = cnt;
		}
		int nmin = most + 1 < 2 ? 2 : most + 1;
		if (nmin <= ns) {
			sb_printf(b, "constraints:\n  ssd:\n    - { name: s0, roles: [");
			for (int k = 0; k < ns; k++)
				sb_printf(b, "%s%s", k ? ", " : "", p->role[set[k]]);
			sb_printf(b, "], n: %d }\n", (int)range_i(r, nmin, ns));
			header = true;
		}
	}
	int nd = (int)gen_below(r, 3);
	for (int d = 0; d < nd; d++) {
		if (!header)
			sb_printf(b, "constraints:\n");
		if (d == 0)
			sb_printf(b, "  dsd:\n");
		header = true;
		int ns = 2 + (int)gen_below(r, p->n_roles >= 4 ? 3 : (uint32_t)p->n_roles - 1);
		bool in[MAX_ROLES] = {false};
		/* draw from the closure of a random role when it is big enough,
		 * so that the constraint can bite */
		bool pool[MAX_ROLES] = {false};
		int npool = 0;
		closure(p, (int)gen_below(r, (uint32_t)p->n_roles), pool);
		for (int k = 0; k < p->n_roles; k++)
			npool += pool[k];
		bool from_pool = npool >= ns && pct(r, 60);
		sb_printf(b, "    - { name: d%d, roles: [", d);
		for (int k = 0; k < ns; k++) {
			int role;
			do
				role = (int)gen_below(r, (uint32_t)p->n_roles);
			while (in[role] || (from_pool && !pool[role]));
			in[role] = true;
			sb_printf(b, "%s%s", k ? ", " : "", p->role[role]);
		}
		sb_printf(b, "], n: %d }\n", (int)range_i(r, 2, ns));
	}
}

gen_policy *gen_policy_make(uint64_t seed)
{
	gen_policy *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	gen_rng rr, *r = &rr;
	gen_seed(r, seed);
	sb *b = &p->text;
	sb_printf(b, "pdp: 1\n");
	bool any_attr = false;
	for (int i = 0; i < (int)N_ATTRS; i++) {
		if (ATTRS[i].builtin || !pct(r, 70))
			continue;
		if (!any_attr)
			sb_printf(b, "attributes:\n");
		any_attr = true;
		p->decl[i] = true;
		sb_printf(b, "  %s: %s\n", ATTRS[i].name, gen_type_word(ATTRS[i].t));
	}
	sb_printf(&p->decls, "%s", b->p);
	p->n_groups = (int)gen_below(r, 4);
	if (p->n_groups > 0)
		sb_printf(b, "groups:\n");
	for (int g = 0; g < p->n_groups; g++) {
		sb_printf(b, "  g%d: [", g);
		int n = 1 + (int)gen_below(r, 3);
		for (int i = 0; i < n; i++) {
			if (i)
				sb_printf(b, ", ");
			quoted(b, pct(r, 60) ? IDS[gen_below(r, N_IDS)]
			                     : GLOBS[gen_below(r, N_GLOBS)]);
		}
		sb_printf(b, "]\n");
	}
	sb rb = {0};
	gen_rbac(p, r, &rb);
	if (rb.p != NULL) {
		sb_printf(b, "%s", rb.p);
		sb_printf(&p->decls, "%s", rb.p);
		free(rb.p);
	}
	/* time literals first, so that requests know them */
	int nt = (int)gen_below(r, 3);
	for (int i = 0; i < nt; i++) {
		pdp_time t = {range_i(r, 1704067200, 1924992000), 0};
		p->times[p->n_time++] = t;
	}
	p->n_acps = pct(r, 5) ? (int)range_i(r, 6, MAX_ACPS) : 1 + (int)gen_below(r, 4);
	sb_printf(b, "acps:\n");
	for (int a = 0; a < p->n_acps; a++) {
		snprintf(p->acp[a], sizeof(p->acp[a]), "acp-%c", 'a' + a);
		if (pct(r, 15)) {
			gen_native_acp(p, r, b, p->acp[a]);
			continue;
		}
		sb_printf(b, "  - id: %s\n", p->acp[a]);
		int np = pct(r, 5) ? 0 : 1 + (int)gen_below(r, 5);
		sb_printf(b, "    privileges:%s\n", np == 0 ? " []" : "");
		for (int i = 0; i < np; i++)
			gen_rule(p, r, b);
		int ns = (int)gen_below(r, 3);
		if (ns > 0)
			sb_printf(b, "    self:\n");
		for (int i = 0; i < ns; i++)
			gen_rule(p, r, b);
	}
	return p;
}

const char *gen_policy_text(const gen_policy *p)
{
	return p->text.p;
}

/* ---- live store (tests/test_store_diff.c) ---- */

const char *gen_policy_decls(const gen_policy *p)
{
	return p->decls.p;
}

void gen_policy_set_groups(gen_policy *p, int n)
{
	p->n_groups = n;
}

void gen_policy_set_acps(gen_policy *p, int n)
{
	if (n > MAX_ACPS)
		n = MAX_ACPS;
	p->n_acps = n;
	for (int a = 0; a < n; a++)
		snprintf(p->acp[a], sizeof(p->acp[a]), "acp-%c", 'a' + a);
}

const char *gen_policy_acp(const gen_policy *p, int i)
{
	return p->acp[i];
}

const char *gen_member(gen_rng *r)
{
	return pct(r, 60) ? IDS[gen_below(r, N_IDS)] : GLOBS[gen_below(r, N_GLOBS)];
}

char *gen_acp_doc(gen_policy *p, gen_rng *r, const char *id, bool native)
{
	sb b = {0};
	if (native) {
		sb item = {0};
		gen_native_acp(p, r, &item, id);
		/* a list item "  - {...}\n": the object alone */
		sb_printf(&b, "%s", item.p + 4);
		free(item.p);
		return b.p;
	}
	sb_printf(&b, "pdp: 1\nacps:\n  - id: %s\n", id);
	int np = pct(r, 5) ? 0 : 1 + (int)gen_below(r, 5);
	sb_printf(&b, "    privileges:%s\n", np == 0 ? " []" : "");
	for (int i = 0; i < np; i++)
		gen_rule(p, r, &b);
	int ns = (int)gen_below(r, 3);
	if (ns > 0)
		sb_printf(&b, "    self:\n");
	for (int i = 0; i < ns; i++)
		gen_rule(p, r, &b);
	return b.p;
}

int gen_policy_role_count(const gen_policy *p)
{
	return p->n_roles;
}

const char *gen_policy_role(const gen_policy *p, int i)
{
	return p->role[i];
}

void gen_policy_free(gen_policy *p)
{
	if (p == NULL)
		return;
	free(p->text.p);
	free(p->decls.p);
	free(p);
}

/* ------------------------------------------------------------------ */
/* requests                                                            */

static pdp_str zs(const char *s)
{
	pdp_str v = {s, strlen(s)};
	return v;
}

static void gen_time(const gen_policy *p, gen_rng *r, pdp_time *t)
{
	uint32_t k = gen_below(r, 100);
	if (k < 45 && p->n_win > 0) {
		const win_info *w = &p->win[gen_below(r, (uint32_t)p->n_win)];
		static const int LO[7] = {0, 0, 0, 1, 1, 0, 2020};
		static const int HI[7] = {59, 59, 23, 31, 12, 7, 2036};
		int v[7];
		for (int f = 0; f < 7; f++) {
			if (w->n[f] > 0 && pct(r, 70))
				v[f] = w->v[f][gen_below(r, (uint32_t)w->n[f])];
			else
				v[f] = (int)range_i(r, LO[f], HI[f]);
			if (f != 5 && v[f] < LO[f])
				v[f] = LO[f];
			if (f != 5 && v[f] > HI[f])
				v[f] = HI[f];
		}
		if (v[3] > mdays(v[6], v[4]))
			v[3] = mdays(v[6], v[4]);
		int64_t days = days_from_civil(v[6], v[4], v[3]);
		/* steer the day of week towards a remembered one sometimes */
		if (w->n[5] > 0 && pct(r, 50)) {
			int want = ((w->v[5][gen_below(r, (uint32_t)w->n[5])] % 7) + 7) % 7;
			int have = (int)(((days % 7) + 7 + 4) % 7);
			days += (want - have + 7) % 7;
		}
		t->sec = days * 86400 + v[2] * 3600 + v[1] * 60 + v[0];
		if (pct(r, 15))
			t->sec += pct(r, 50) ? 1 : -1;
	} else if (k < 70 && p->n_time > 0) {
		*t = p->times[gen_below(r, (uint32_t)p->n_time)];
		static const int64_t D[] = {0, 0, -1, 1, 3600, -86400};
		t->sec += D[gen_below(r, 6)];
		if (pct(r, 20)) {
			t->nsec += pct(r, 50) ? 1 : -1;
			if (t->nsec < 0) {
				t->nsec += 1000000000;
				t->sec--;
			} else if (t->nsec >= 1000000000) {
				t->nsec -= 1000000000;
				t->sec++;
			}
		}
		return;
	} else if (k < 72) {
		t->sec = range_i(r, -400000000, -1); /* before 1970 */
	} else if (k < 73) {
		t->sec = range_i(r, -86400, 40000000); /* around the epoch */
	} else if (k < 74) {
		t->sec = range_i(r, 7226582400, 7258118399); /* in 2199 */
	} else if (k < 75) {
		t->sec = range_i(r, 7258118400, 7289654400); /* 2200 */
	} else if (k < 77) {
		/* anything RFC 3339 can write: years 0000-9999 */
		t->sec = range_i(r, -62167219200, 253402300799);
	} else if (k < 78) {
		/* the ends of int64: still a date, and `*` years match them */
		static const int64_t E[] = {INT64_MIN, INT64_MIN + 1, INT64_MAX,
		                            INT64_MAX - 86400, -62167219201,
		                            253402300800};
		t->sec = E[gen_below(r, sizeof(E) / sizeof(E[0]))];
	} else {
		t->sec = range_i(r, 1577836800, 2082758400); /* 2020..2036 */
	}
	uint32_t n = gen_below(r, 10);
	t->nsec = n < 7 ? 0 : n == 7 ? 999999999 : (int32_t)gen_below(r, 1000000000);
	if (gen_below(r, 100) == 0) /* no instant: windows and tests are `?` */
		t->nsec = pct(r, 50) ? -1 : 1000000000;
}

static void gen_req_ip(const gen_policy *p, gen_rng *r, pdp_ip *ip)
{
	uint32_t k = gen_below(r, 100);
	if (k < 55 && p->n_cidr > 0) {
		int c = (int)gen_below(r, (uint32_t)p->n_cidr);
		int prefix = p->cidr_prefix[c];
		*ip = p->cidr_net[c];
		/* random host bits */
		for (int i = prefix; i < 128; i++)
			if (pct(r, 50))
				ip->b[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
		if (is_mapped(&p->cidr_net[c]) && prefix >= 96 && pct(r, 20)) {
			/* keep the IPv4 bits but not the mapping */
			ip->b[10] = ip->b[11] = 0;
			return;
		}
		if (prefix > 0 && pct(r, 35)) {
			/* flip a bit inside the prefix: just outside */
			int i = pct(r, 50) ? prefix - 1 : (int)gen_below(r, (uint32_t)prefix);
			ip->b[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
		}
	} else if (k < 75 && p->n_iplit > 0) {
		*ip = p->iplit[gen_below(r, (uint32_t)p->n_iplit)];
		if (pct(r, 30))
			ip->b[15] ^= 1;
		if (is_mapped(ip) && pct(r, 15))
			ip->b[10] = ip->b[11] = 0; /* same low bits, not mapped */
	} else {
		random_ip(r, ip);
	}
}

static void gen_location(const gen_policy *p, gen_rng *r, double *lat,
                         double *lon)
{
	if (p->n_circle > 0 && pct(r, 75)) {
		int c = (int)gen_below(r, (uint32_t)p->n_circle);
		static const double F[] = {0, 0.5, 0.999, 1.001, 0.9999, 1.0001, 1.5, 3};
		double f = F[gen_below(r, 8)];
		const double R = 6371008.8;
		if (pct(r, 15)) {
			/* east or west by a clear margin, wrapping at +-180 */
			double dl = (pct(r, 50) ? 0.5 : 2.0) * p->circ_rad[c] / R *
			            180.0 / 3.14159265358979323846 /
			            cos(p->circ_lat[c] * 3.14159265358979323846 / 180.0);
			if (dl > 170)
				dl = 170;
			*lat = p->circ_lat[c];
			*lon = p->circ_lon[c] + (pct(r, 50) ? dl : -dl);
			if (*lon > 180)
				*lon -= 360;
			if (*lon < -180)
				*lon += 360;
			return;
		}
		double dlat = f * p->circ_rad[c] / R * 180.0 / 3.14159265358979323846;
		if (pct(r, 50))
			dlat = -dlat;
		*lat = p->circ_lat[c] + dlat;
		if (*lat > 90 || *lat < -90)
			*lat = p->circ_lat[c] - dlat;
		*lon = p->circ_lon[c];
		return;
	}
	*lat = (double)range_i(r, -90000, 90000) / 1000.0;
	*lon = (double)range_i(r, -180000, 180000) / 1000.0;
}

static const char *const STR_VALUES[] = {"ops", "maint", "sales", "CAE-a",
                                         "/cse-in/x", "", "public", "secret",
                                         "op", "OPS", "CAE-ab", "opsx",
                                         "ops\n", "CAE-\nx", "CAE-a\n"};
#define N_STR_VALUES (sizeof(STR_VALUES) / sizeof(STR_VALUES[0]))

static void gen_value(const gen_policy *p, gen_rng *r, pdp_type t,
                      pdp_value *v, pdp_str *set_store)
{
	memset(v, 0, sizeof(*v));
	v->type = t;
	switch (t) {
	case PDP_TYPE_INT:
		v->u.i = pct(r, 85) ? INTS[gen_below(r, N_INTS)] : range_i(r, -5, 10);
		break;
	case PDP_TYPE_STRING:
		v->u.s = zs(pct(r, 25) ? IDS[gen_below(r, N_IDS)]
		                       : STR_VALUES[gen_below(r, N_STR_VALUES)]);
		break;
	case PDP_TYPE_BOOL:
		v->u.b = pct(r, 50);
		break;
	case PDP_TYPE_IP:
		gen_req_ip(p, r, &v->u.ip);
		break;
	case PDP_TYPE_TIME:
		gen_time(p, r, &v->u.t);
		break;
	case PDP_TYPE_SET: {
		size_t n = gen_below(r, GEN_MAX_SET + 1);
		for (size_t i = 0; i < n; i++)
			set_store[i] = zs(STR_VALUES[gen_below(r, N_STR_VALUES)]);
		v->u.set.items = n ? set_store : NULL;
		v->u.set.count = n;
		break;
	}
	default:
		break;
	}
}

void gen_request_make(const gen_policy *p, const pdp_image *img, gen_rng *r,
                      gen_request *g)
{
	memset(g, 0, sizeof(*g));
	pdp_request *q = &g->req;
	pdp_request_init(q);
	/* originator: mostly from the pool the policy names */
	q->originator = zs(pct(r, 88) ? IDS[gen_below(r, N_IDS)]
	                              : UNKNOWN_IDS[gen_below(r, N_UNKNOWN_IDS)]);
	if (gen_below(r, 1000) < 3)
		q->originator.ptr = NULL, q->originator.len = 0;
	else if (gen_below(r, 100) == 0)
		q->originator = zs(NOT_UTF8_IDS[gen_below(r, N_NOT_UTF8_IDS)]);
	/* roles */
	uint32_t k = gen_below(r, 100);
	if (k < 40) {
		q->roles_given = false;
	} else if (k < 50 || p->n_roles == 0) {
		q->roles_given = true;
		if (p->n_roles == 0 && pct(r, 30)) {
			g->roles[0] = zs("r0");
			q->n_roles = 1;
		}
	} else {
		q->roles_given = true;
		/* the originator's authorized roles, mostly */
		bool auth[MAX_ROLES] = {false};
		for (int a = 0; a < p->n_assign; a++)
			if (strcmp(p->assign_user[a], q->originator.ptr ? q->originator.ptr : "") == 0)
				for (int j = 0; j < p->assign_n[a]; j++)
					closure(p, p->assign_role[a][j], auth);
		int cand[MAX_ROLES], nc = 0;
		for (int i = 0; i < p->n_roles; i++)
			if (auth[i])
				cand[nc++] = i;
		int n = 1 + (int)gen_below(r, 3);
		if (nc == 0 && pct(r, 75)) {
			/* nothing authorized: mostly ask for nothing */
			q->roles_given = pct(r, 50);
			n = 0;
		}
		for (int i = 0; i < n; i++) {
			uint32_t w = gen_below(r, 100);
			if (w < 85 && nc > 0)
				g->roles[i] = zs(p->role[cand[gen_below(r, (uint32_t)nc)]]);
			else if (w < 95)
				g->roles[i] = zs(p->role[gen_below(r, (uint32_t)p->n_roles)]);
			else
				g->roles[i] = zs(pct(r, 50) ? "rZ" : "R0");
		}
		q->n_roles = (size_t)n;
	}
	q->roles = g->roles;
	q->authenticated = pct(r, 50);
	/* operation */
	q->operation = 1u << gen_below(r, 6);
	if (gen_below(r, 1000) < 4)
		q->operation = pct(r, 50) ? 0 : pct(r, 50) ? 3 : 64;
	/* target */
	k = gen_below(r, 100);
	size_t na = k < 2 ? 0 : k < 70 ? 1 : k < 90 ? 2 : 3;
	for (size_t i = 0; i < na; i++)
		g->acps[i] = gen_below(r, 1000) < 15 ? zs("acp-zz")
		                       : zs(p->acp[gen_below(r, (uint32_t)p->n_acps)]);
	q->acps = g->acps;
	q->n_acps = na;
	if (pct(r, 75))
		q->type = pct(r, 96) ? TYPES[gen_below(r, N_TYPES)].ty : 55;
	if (pct(r, 60))
		q->child_type = TYPES[gen_below(r, N_TYPES)].ty;
	if (pct(r, 50))
		q->specialization = zs(pct(r, 85) ? SPECS[gen_below(r, N_SPECS)]
		                                  : "org.example.other");
	q->self = pct(r, 20);
	/* environment */
	if (pct(r, 85)) {
		q->has_time = true;
		gen_time(p, r, &q->time);
	}
	if (pct(r, 80)) {
		q->has_ip = true;
		gen_req_ip(p, r, &q->ip);
	}
	if (pct(r, 75)) {
		int c = (int)gen_below(r, N_COUNTRIES);
		if (pct(r, 3))
			snprintf(g->country, sizeof(g->country), "%s",
			         pct(r, 50) ? "XX" : "999"); /* unknown: carried as given */
		else if (pct(r, 60))
			snprintf(g->country, sizeof(g->country), "%s", COUNTRIES[c].a2);
		else
			snprintf(g->country, sizeof(g->country), "%03d", COUNTRIES[c].num);
		q->country = zs(g->country);
	}
	if (pct(r, 75)) {
		q->has_location = true;
		gen_location(p, r, &q->lat, &q->lon);
	}
	/* declared attributes: absent, typed or of a wrong type */
	size_t n = 0;
	for (int i = 0; i < (int)N_ATTRS && n < GEN_MAX_REQ_ATTRS; i++) {
		if (ATTRS[i].builtin || !p->decl[i] || pct(r, 25))
			continue;
		uint32_t id = pdp_attr_id(img, zs(ATTRS[i].name));
		if (id == PDP_NONE)
			continue;
		pdp_type t = ATTRS[i].t;
		if (pct(r, 12))
			t = (pdp_type)(1 + (t % 6)); /* the next type: wrong */
		g->attrs[n].id = id;
		gen_value(p, r, t, &g->attrs[n].value, g->sets[n]);
		n++;
	}
	/* shuffle so that attribute order does not matter (set items point
	 * into g->sets rows, which do not move) */
	for (size_t i = n; i > 1; i--) {
		size_t j = gen_below(r, (uint32_t)i);
		pdp_attr t = g->attrs[i - 1];
		g->attrs[i - 1] = g->attrs[j];
		g->attrs[j] = t;
	}
	q->attrs = g->attrs;
	q->n_attrs = n;
}

/* ------------------------------------------------------------------ */
/* description                                                         */

static void put_str(sb *b, pdp_str s)
{
	if (s.ptr == NULL)
		sb_printf(b, "null");
	else
		sb_printf(b, "'%.*s'", (int)s.len, s.ptr);
}

static void put_time(sb *b, pdp_time t)
{
	/* floor division that cannot overflow, for INT64_MIN too */
	int64_t rem = t.sec % 86400;
	int64_t days = t.sec / 86400 - (rem < 0);
	if (rem < 0)
		rem += 86400;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	sb_printf(b, "%04lld-%02d-%02dT%02d:%02d:%02d.%09dZ (dow %d, sec %lld)",
	          (long long)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
	          (int)(rem % 60), (int)t.nsec, (int)(((days % 7) + 11) % 7),
	          (long long)t.sec);
}

static void put_ip(sb *b, const pdp_ip *ip)
{
	print_ip6(b, ip, 1);
	if (is_mapped(ip))
		sb_printf(b, " (%d.%d.%d.%d)", ip->b[12], ip->b[13], ip->b[14],
		          ip->b[15]);
}

size_t gen_request_describe(const gen_request *g, const pdp_image *img,
                            char *buf, size_t size)
{
	const pdp_request *q = &g->req;
	sb b = {0};
	sb_printf(&b, "{originator: ");
	put_str(&b, q->originator);
	if (q->roles_given) {
		sb_printf(&b, ", roles: [");
		for (size_t i = 0; i < q->n_roles; i++) {
			if (i)
				sb_printf(&b, ", ");
			put_str(&b, q->roles[i]);
		}
		sb_printf(&b, "]");
	}
	sb_printf(&b, ", authenticated: %s, operation: %u, target: {acps: [",
	          q->authenticated ? "true" : "false", q->operation);
	for (size_t i = 0; i < q->n_acps; i++) {
		if (i)
			sb_printf(&b, ", ");
		put_str(&b, q->acps[i]);
	}
	sb_printf(&b, "]");
	if (q->type >= 0)
		sb_printf(&b, ", type: %d", q->type);
	if (q->child_type >= 0)
		sb_printf(&b, ", child_type: %d", q->child_type);
	if (q->specialization.ptr) {
		sb_printf(&b, ", specialization: ");
		put_str(&b, q->specialization);
	}
	sb_printf(&b, ", self: %s}, env: {", q->self ? "true" : "false");
	if (q->has_time) {
		sb_printf(&b, "time: ");
		put_time(&b, q->time);
		sb_printf(&b, ", ");
	}
	if (q->has_ip) {
		sb_printf(&b, "ip: ");
		put_ip(&b, &q->ip);
		sb_printf(&b, ", ");
	}
	if (q->country.ptr) {
		sb_printf(&b, "country: ");
		put_str(&b, q->country);
		sb_printf(&b, ", ");
	}
	if (q->has_location)
		sb_printf(&b, "location: {lat: %.17g, lon: %.17g}", q->lat, q->lon);
	sb_printf(&b, "}, attrs: {");
	for (size_t i = 0; i < q->n_attrs; i++) {
		const pdp_value *v = &q->attrs[i].value;
		pdp_str name = pdp_attr_name(img, q->attrs[i].id);
		sb_printf(&b, "%s%.*s: ", i ? ", " : "", (int)name.len,
		          name.ptr ? name.ptr : "?");
		switch (v->type) {
		case PDP_TYPE_INT: sb_printf(&b, "(int) %lld", (long long)v->u.i); break;
		case PDP_TYPE_STRING: sb_printf(&b, "(string) "); put_str(&b, v->u.s); break;
		case PDP_TYPE_BOOL: sb_printf(&b, "(bool) %s", v->u.b ? "true" : "false"); break;
		case PDP_TYPE_IP: sb_printf(&b, "(ip) "); put_ip(&b, &v->u.ip); break;
		case PDP_TYPE_TIME: sb_printf(&b, "(time) "); put_time(&b, v->u.t); break;
		case PDP_TYPE_SET:
			sb_printf(&b, "(set) [");
			for (size_t k = 0; k < v->u.set.count; k++) {
				if (k)
					sb_printf(&b, ", ");
				put_str(&b, v->u.set.items[k]);
			}
			sb_printf(&b, "]");
			break;
		default: sb_printf(&b, "(none)"); break;
		}
	}
	sb_printf(&b, "}}");
	size_t need = b.n;
	if (size > 0) {
		size_t k = need < size - 1 ? need : size - 1;
		memcpy(buf, b.p, k);
		buf[k] = '\0';
	}
	free(b.p);
	return need;
}
