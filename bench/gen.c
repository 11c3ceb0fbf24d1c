/*
 * gen.c - deterministic workload generator for the pdp benchmarks.
 *
 *   pdp-bench-gen SCALE OUTDIR [--seed N]
 *
 * The workload (scales S, M, L; see docs/performance.md):
 * - roles r0..r(R-1) in a hierarchy: role i sits on level floor(6i/R); every
 *   role above level 0 inherits 1-2 juniors (one from the level just below,
 *   the other from any lower level), so chains are up to 6 deep;
 * - users CAE-u<N>, member of group g<N mod 50>, assigned 1-3 roles, with
 *   the int attribute originator.clearance 0..5;
 * - ACPs acp-<i> with 10 privileges rules each: originators a role (60%), a
 *   user id (30%) or a glob CAE-u<prefix>* (10%); operations a random
 *   non-empty subset; with p=0.3 a weekday working-hours window, p=0.3 an
 *   IPv4 CIDR (/16 or /24 in 10.0.0.0/8), p=0.2 `originator.clearance ge k`;
 * - requests: one target ACP; aim_pct of them (50% at M and L, 10% at S,
 *   where random requests already permit about half the time) are aimed at
 *   a random rule of that ACP (an originator, operation, time and address
 *   the rule accepts), the others are uniformly random; this keeps the
 *   permit rate between 30% and 60% at every scale.
 *
 * The expected decision of each request is computed here from the in-memory
 * model with this file's own glob, CIDR, window and role-closure code:
 * libpdp is not used, so the benchmark checks the evaluator against an
 * independent implementation.
 *
 * Built twice: as the pdp-bench-gen program, and into pdp-bench with
 * -DPDP_BENCH_NO_MAIN (bench.c calls bench_generate).
 */
#include "gen.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- PRNG: splitmix64 (no rand()) ---- */

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the modulo bias is irrelevant here). */
static uint32_t rng_below(rng *r, uint32_t n)
{
	return (uint32_t)(rng_next(r) % n);
}

/* True with probability pct/100. */
static bool rng_pct(rng *r, uint32_t pct)
{
	return rng_below(r, 100) < pct;
}

/* ---- scales ---- */

static const bench_scale scales[] = {
	{"S", 10, 10, 20, 100, 10000, 10},
	{"M", 1000, 10, 200, 10000, 100000, 50},
	{"L", 10000, 10, 1000, 100000, 100000, 50},
};

const bench_scale *bench_scale_get(const char *name)
{
	for (size_t i = 0; i < sizeof(scales) / sizeof(scales[0]); i++)
		if (strcasecmp(name, scales[i].name) == 0)
			return &scales[i];
	return NULL;
}

/* ---- civil time (days from 1970-01-01, proleptic Gregorian) ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* 0 = Sunday .. 6 = Saturday; 1970-01-01 was a Thursday. */
static unsigned weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;
	return (unsigned)(w < 0 ? w + 7 : w);
}

static void format_time(int64_t t, char *buf, size_t size)
{
	int64_t days = t / 86400, rem = t % 86400;
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m,
	         d, (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60),
	         (unsigned)(rem % 60));
}

/* The window "* * 8-17 * * 1-5 *": hours 8..17 UTC, Monday..Friday. */
static bool in_window(int64_t t)
{
	int64_t days = t / 86400;
	unsigned hour = (unsigned)(t % 86400 / 3600);
	unsigned wd = weekday(days);
	return hour >= 8 && hour <= 17 && wd >= 1 && wd <= 5;
}

/* ---- glob: '*' = any run without '/', '?' = one char other than '/' ---- */

static bool glob_match(const char *p, const char *s)
{
	const char *star_p = NULL, *star_s = NULL;
	while (*s) {
		if (*p == '*') {
			star_p = ++p;
			star_s = s;
		} else if (*p != '\0' && ((*p == '?' && *s != '/') || *p == *s)) {
			p++;
			s++;
		} else if (star_p != NULL && *star_s != '/') {
			p = star_p;
			s = ++star_s;
		} else
			return false;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

/* ---- CIDR (IPv4 as host-order uint32) ---- */

static bool in_cidr(uint32_t ip, uint32_t net, unsigned plen)
{
	uint32_t mask = plen == 0 ? 0 : 0xffffffffu << (32 - plen);
	return (ip & mask) == (net & mask);
}

/* ---- the model ---- */

enum { ORIG_ROLE, ORIG_USER, ORIG_GLOB };

typedef struct rule {
	uint8_t okind;
	uint32_t ref;       /* role or user index */
	char glob[24];      /* ORIG_GLOB: "CAE-u12*" */
	uint8_t ops;        /* PDP_OP_* bits */
	bool window;
	bool cidr;
	uint32_t net;
	uint8_t plen;
	uint8_t cond_k;     /* 0: no condition; else clearance >= k */
} rule;

typedef struct model {
	const bench_scale *sc;
	uint32_t words;       /* 64-bit words of a role bitset */
	uint64_t *closure;    /* roles x words: the role and every junior */
	uint8_t *level;
	uint32_t (*juniors)[2];
	uint8_t *n_juniors;
	uint32_t (*uroles)[3];
	uint8_t *n_uroles;
	uint8_t *clearance;
	uint64_t *ucl;        /* users x words: authorized roles */
	uint32_t *by_role_start; /* roles + 1: CSR of users authorized for a role */
	uint32_t *by_role;
	rule *rules;          /* acps x rules_per_acp */
	uint64_t assignments, group_members;
} model;

static const char *const op_names[6] = {"create", "retrieve", "update",
                                        "delete", "notify", "discover"};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL) {
		fprintf(stderr, "pdp-bench-gen: out of memory\n");
		exit(2);
	}
	return p;
}

static bool bit(const uint64_t *set, uint32_t i)
{
	return (set[i / 64] >> (i % 64)) & 1u;
}

static void user_id(uint32_t u, char *buf, size_t size)
{
	snprintf(buf, size, "CAE-u%u", u);
}

static void build_roles(model *m, rng *r)
{
	uint32_t R = m->sc->roles;
	m->words = (R + 63) / 64;
	m->closure = xcalloc((size_t)R * m->words, sizeof(uint64_t));
	m->level = xcalloc(R, 1);
	m->juniors = xcalloc(R, sizeof(*m->juniors));
	m->n_juniors = xcalloc(R, 1);
	uint32_t first[7] = {0}; /* first role index of each level */
	for (uint32_t i = R; i-- > 0;) {
		m->level[i] = (uint8_t)((uint64_t)i * 6 / R);
		first[m->level[i]] = i;
	}
	first[6] = R;
	for (uint32_t i = 0; i < R; i++) {
		uint64_t *c = m->closure + (size_t)i * m->words;
		c[i / 64] |= 1ull << (i % 64);
		unsigned l = m->level[i];
		if (l == 0)
			continue;
		/* one junior from the level just below, maybe one from any lower */
		uint32_t lo = first[l - 1], hi = first[l];
		m->juniors[i][0] = lo + rng_below(r, hi - lo);
		m->n_juniors[i] = 1;
		if (rng_pct(r, 50)) {
			uint32_t j = rng_below(r, hi);
			if (j != m->juniors[i][0])
				m->juniors[i][m->n_juniors[i]++] = j;
		}
		for (unsigned k = 0; k < m->n_juniors[i]; k++) {
			const uint64_t *jc = m->closure + (size_t)m->juniors[i][k] * m->words;
			for (uint32_t w = 0; w < m->words; w++)
				c[w] |= jc[w];
		}
	}
}

static void build_users(model *m, rng *r)
{
	uint32_t U = m->sc->users, R = m->sc->roles, W = m->words;
	m->uroles = xcalloc(U, sizeof(*m->uroles));
	m->n_uroles = xcalloc(U, 1);
	m->clearance = xcalloc(U, 1);
	m->ucl = xcalloc((size_t)U * W, sizeof(uint64_t));
	for (uint32_t u = 0; u < U; u++) {
		unsigned n = 1 + rng_below(r, 3);
		for (unsigned k = 0; k < n; k++) {
			uint32_t role = rng_below(r, R);
			bool dup = false;
			for (unsigned j = 0; j < m->n_uroles[u]; j++)
				dup |= m->uroles[u][j] == role;
			if (!dup)
				m->uroles[u][m->n_uroles[u]++] = role;
		}
		m->assignments += m->n_uroles[u];
		m->clearance[u] = (uint8_t)rng_below(r, 6);
		uint64_t *uc = m->ucl + (size_t)u * W;
		for (unsigned j = 0; j < m->n_uroles[u]; j++) {
			const uint64_t *rc = m->closure + (size_t)m->uroles[u][j] * W;
			for (uint32_t w = 0; w < W; w++)
				uc[w] |= rc[w];
		}
	}
	m->group_members = U;
	/* CSR index: users authorized for each role */
	m->by_role_start = xcalloc((size_t)R + 1, sizeof(uint32_t));
	for (uint32_t u = 0; u < U; u++)
		for (uint32_t i = 0; i < R; i++)
			if (bit(m->ucl + (size_t)u * W, i))
				m->by_role_start[i + 1]++;
	for (uint32_t i = 0; i < R; i++)
		m->by_role_start[i + 1] += m->by_role_start[i];
	m->by_role = xcalloc(m->by_role_start[R], sizeof(uint32_t));
	uint32_t *fill = xcalloc(R, sizeof(uint32_t));
	for (uint32_t u = 0; u < U; u++)
		for (uint32_t i = 0; i < R; i++)
			if (bit(m->ucl + (size_t)u * W, i))
				m->by_role[m->by_role_start[i] + fill[i]++] = u;
	free(fill);
}

static void build_rules(model *m, rng *r)
{
	size_t n = (size_t)m->sc->acps * m->sc->rules_per_acp;
	m->rules = xcalloc(n, sizeof(rule));
	for (size_t i = 0; i < n; i++) {
		rule *x = &m->rules[i];
		uint32_t k = rng_below(r, 100);
		if (k < 60) {
			x->okind = ORIG_ROLE;
			x->ref = rng_below(r, m->sc->roles);
		} else if (k < 90) {
			x->okind = ORIG_USER;
			x->ref = rng_below(r, m->sc->users);
		} else {
			x->okind = ORIG_GLOB;
			x->ref = rng_below(r, m->sc->users);
			char digits[16];
			int len = snprintf(digits, sizeof(digits), "%u", x->ref);
			/* keep all digits or drop the last: ~1 or ~11 users match */
			int keep = len > 1 && rng_pct(r, 50) ? len - 1 : len;
			snprintf(x->glob, sizeof(x->glob), "CAE-u%.*s*", keep, digits);
		}
		x->ops = (uint8_t)(1 + rng_below(r, 63));
		x->window = rng_pct(r, 30);
		x->cidr = rng_pct(r, 30);
		if (x->cidr) {
			uint32_t a = rng_below(r, 256), b = rng_below(r, 256);
			if (rng_pct(r, 50)) {
				x->net = 10u << 24 | a << 16;
				x->plen = 16;
			} else {
				x->net = 10u << 24 | a << 16 | b << 8;
				x->plen = 24;
			}
		}
		if (rng_pct(r, 20))
			x->cond_k = (uint8_t)(1 + rng_below(r, 5));
	}
}

static bool rule_holds(const model *m, const rule *x, uint32_t user,
                       const char *uid, uint8_t op, int64_t t, uint32_t ip)
{
	switch (x->okind) {
	case ORIG_ROLE:
		if (!bit(m->ucl + (size_t)user * m->words, x->ref))
			return false;
		break;
	case ORIG_USER:
		if (x->ref != user)
			return false;
		break;
	default:
		if (!glob_match(x->glob, uid))
			return false;
		break;
	}
	if ((x->ops & op) == 0)
		return false;
	if (x->window && !in_window(t))
		return false;
	if (x->cidr && !in_cidr(ip, x->net, x->plen))
		return false;
	if (x->cond_k && m->clearance[user] < x->cond_k)
		return false;
	return true;
}

/* ---- writing ---- */

static FILE *open_out(const char *dir, const char *name, char **path)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	*path = xcalloc(n, 1);
	snprintf(*path, n, "%s/%s", dir, name);
	FILE *f = fopen(*path, "w");
	if (f == NULL)
		fprintf(stderr, "pdp-bench-gen: cannot write %s: %s\n", *path,
		        strerror(errno));
	else
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static int close_out(FILE *f, char *path)
{
	int bad = ferror(f) | fclose(f);
	if (bad)
		fprintf(stderr, "pdp-bench-gen: write error on %s\n", path);
	free(path);
	return bad ? -1 : 0;
}

static void write_ops(FILE *f, uint8_t ops)
{
	fputc('[', f);
	bool first = true;
	for (unsigned i = 0; i < 6; i++)
		if (ops & (1u << i)) {
			fprintf(f, "%s%s", first ? "" : ", ", op_names[i]);
			first = false;
		}
	fputc(']', f);
}

static int write_policy(const model *m, const char *dir, uint64_t seed)
{
	char *path;
	FILE *f = open_out(dir, "policy.yaml", &path);
	if (f == NULL)
		return -1;
	const bench_scale *sc = m->sc;
	fprintf(f, "# pdp benchmark workload, scale %s, seed %llu "
	           "(generated by pdp-bench-gen v%d)\n",
	        sc->name, (unsigned long long)seed, BENCH_GEN_VERSION);
	fputs("pdp: 1\n\nattributes:\n  originator.clearance: int\n\ngroups:\n", f);
	uint32_t ngroups = sc->users < 50 ? sc->users : 50;
	for (uint32_t g = 0; g < ngroups; g++) {
		fprintf(f, "  g%u: [", g);
		for (uint32_t u = g; u < sc->users; u += 50)
			fprintf(f, "%sCAE-u%u", u == g ? "" : ", ", u);
		fputs("]\n", f);
	}
	fputs("\nroles:\n", f);
	for (uint32_t i = 0; i < sc->roles; i++) {
		if (m->n_juniors[i] == 0)
			fprintf(f, "  r%u: {}\n", i);
		else if (m->n_juniors[i] == 1)
			fprintf(f, "  r%u: { inherits: [r%u] }\n", i, m->juniors[i][0]);
		else
			fprintf(f, "  r%u: { inherits: [r%u, r%u] }\n", i,
			        m->juniors[i][0], m->juniors[i][1]);
	}
	fputs("\nassignments:\n", f);
	for (uint32_t u = 0; u < sc->users; u++) {
		fprintf(f, "  CAE-u%u: [", u);
		for (unsigned j = 0; j < m->n_uroles[u]; j++)
			fprintf(f, "%sr%u", j ? ", " : "", m->uroles[u][j]);
		fputs("]\n", f);
	}
	fputs("\nacps:\n", f);
	for (uint32_t a = 0; a < sc->acps; a++) {
		fprintf(f, "  - id: acp-%u\n    privileges:\n", a);
		for (uint32_t k = 0; k < sc->rules_per_acp; k++) {
			const rule *x = &m->rules[(size_t)a * sc->rules_per_acp + k];
			switch (x->okind) {
			case ORIG_ROLE:
				fprintf(f, "      - originators: [\"role:r%u\"]\n", x->ref);
				break;
			case ORIG_USER:
				fprintf(f, "      - originators: [CAE-u%u]\n", x->ref);
				break;
			default:
				fprintf(f, "      - originators: [\"%s\"]\n", x->glob);
				break;
			}
			fputs("        operations: ", f);
			write_ops(f, x->ops);
			fputc('\n', f);
			if (x->window || x->cidr) {
				fputs("        contexts:\n", f);
				const char *lead = "          - ";
				if (x->window) {
					fprintf(f, "%swindow: [\"* * 8-17 * * 1-5 *\"]\n", lead);
					lead = "            ";
				}
				if (x->cidr)
					fprintf(f, "%sip: [\"%u.%u.%u.%u/%u\"]\n", lead,
					        x->net >> 24, (x->net >> 16) & 255,
					        (x->net >> 8) & 255, x->net & 255, x->plen);
			}
			if (x->cond_k)
				fprintf(f, "        when: { attr: originator.clearance, "
				           "ge: %u }\n",
				        x->cond_k);
		}
	}
	return close_out(f, path);
}

/* A user the rule's originators accept (for aimed requests). */
static uint32_t pick_user_for(const model *m, const rule *x, rng *r)
{
	if (x->okind == ORIG_USER || x->okind == ORIG_GLOB)
		return x->ref;
	uint32_t lo = m->by_role_start[x->ref], hi = m->by_role_start[x->ref + 1];
	if (lo == hi)
		return rng_below(r, m->sc->users);
	uint32_t u = m->by_role[lo + rng_below(r, hi - lo)];
	/* prefer somebody who also passes the condition */
	for (int tries = 0; x->cond_k && m->clearance[u] < x->cond_k && tries < 8;
	     tries++)
		u = m->by_role[lo + rng_below(r, hi - lo)];
	return u;
}

static int write_requests(const model *m, const char *dir, rng *r,
                          uint64_t *permits)
{
	char *rpath, *epath;
	FILE *f = open_out(dir, "requests.yaml", &rpath);
	if (f == NULL)
		return -1;
	FILE *e = open_out(dir, "expected.txt", &epath);
	if (e == NULL) {
		fclose(f);
		free(rpath);
		return -1;
	}
	const bench_scale *sc = m->sc;
	fprintf(f, "# pdp benchmark requests, scale %s; expected decisions in "
	           "expected.txt\n",
	        sc->name);
	const int64_t year0 = days_from_civil(2026, 1, 1);
	*permits = 0;
	for (uint32_t q = 0; q < sc->requests; q++) {
		uint32_t acp = rng_below(r, sc->acps);
		const rule *rules = &m->rules[(size_t)acp * sc->rules_per_acp];
		uint32_t user;
		uint8_t op;
		int64_t t;
		uint32_t ip = 10u << 24 | rng_below(r, 1u << 24);
		if (rng_pct(r, sc->aim_pct)) {
			/* aimed at one rule: its originator, an operation, time and
			 * address it accepts (the condition may still fail) */
			const rule *x = &rules[rng_below(r, sc->rules_per_acp)];
			user = pick_user_for(m, x, r);
			unsigned nops = (unsigned)__builtin_popcount(x->ops);
			unsigned pick = rng_below(r, nops);
			op = 0;
			for (unsigned i = 0; i < 6; i++)
				if ((x->ops & (1u << i)) && pick-- == 0) {
					op = (uint8_t)(1u << i);
					break;
				}
			if (x->window) {
				int64_t day;
				do
					day = year0 + rng_below(r, 365);
				while (weekday(day) < 1 || weekday(day) > 5);
				t = day * 86400 + (8 + rng_below(r, 10)) * 3600 +
				    rng_below(r, 3600);
			} else
				t = year0 * 86400 + rng_below(r, 365u * 86400u);
			if (x->cidr) {
				uint32_t host = x->plen == 16 ? rng_below(r, 1u << 16)
				                              : rng_below(r, 256);
				ip = x->net | host;
			}
		} else {
			user = rng_below(r, sc->users);
			op = (uint8_t)(1u << rng_below(r, 6));
			t = year0 * 86400 + rng_below(r, 365u * 86400u);
		}
		char uid[32], ts[40];
		user_id(user, uid, sizeof(uid));
		format_time(t, ts, sizeof(ts));
		unsigned opi = (unsigned)__builtin_ctz(op);
		fprintf(f,
		        "- originator: %s\n"
		        "  operation: %s\n"
		        "  target: { acps: [acp-%u] }\n"
		        "  env: { time: \"%s\", ip: %u.%u.%u.%u }\n"
		        "  attrs: { originator.clearance: %u }\n",
		        uid, op_names[opi], acp, ts, ip >> 24, (ip >> 16) & 255,
		        (ip >> 8) & 255, ip & 255, m->clearance[user]);
		bool permit = false;
		for (uint32_t k = 0; k < sc->rules_per_acp && !permit; k++)
			permit = rule_holds(m, &rules[k], user, uid, op, t, ip);
		fputs(permit ? "permit\n" : "deny\n", e);
		*permits += permit;
	}
	int rc = close_out(f, rpath);
	if (close_out(e, epath) != 0)
		rc = -1;
	return rc;
}

static void free_model(model *m)
{
	free(m->closure);
	free(m->level);
	free(m->juniors);
	free(m->n_juniors);
	free(m->uroles);
	free(m->n_uroles);
	free(m->clearance);
	free(m->ucl);
	free(m->by_role_start);
	free(m->by_role);
	free(m->rules);
}

int bench_generate(const bench_scale *sc, uint64_t seed, const char *outdir)
{
	if (seed == 0)
		seed = 0x7064702d62656e63ull ^ (uint64_t)(unsigned char)sc->name[0];
	if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "pdp-bench-gen: cannot create %s: %s\n", outdir,
		        strerror(errno));
		return -1;
	}
	/* meta.txt marks a complete workload: remove it first */
	size_t n = strlen(outdir) + 16;
	char *meta = xcalloc(n, 1);
	snprintf(meta, n, "%s/meta.txt", outdir);
	remove(meta);
	free(meta);

	rng r = {seed};
	model m = {0};
	m.sc = sc;
	build_roles(&m, &r);
	build_users(&m, &r);
	build_rules(&m, &r);
	uint64_t permits = 0;
	int rc = write_policy(&m, outdir, seed);
	if (rc == 0)
		rc = write_requests(&m, outdir, &r, &permits);
	if (rc == 0) {
		char *path;
		FILE *f = open_out(outdir, "meta.txt", &path);
		if (f == NULL)
			rc = -1;
		else {
			uint64_t rules = (uint64_t)sc->acps * sc->rules_per_acp;
			fprintf(f,
			        "version %d\nscale %s\nseed %llu\nacps %u\nrules %llu\n"
			        "roles %u\nusers %u\nassignments %llu\n"
			        "group_members %llu\nelements %llu\nrequests %u\n"
			        "permits %llu\n",
			        BENCH_GEN_VERSION, sc->name, (unsigned long long)seed,
			        sc->acps, (unsigned long long)rules, sc->roles, sc->users,
			        (unsigned long long)m.assignments,
			        (unsigned long long)m.group_members,
			        (unsigned long long)(rules + sc->roles + m.assignments +
			                             m.group_members),
			        sc->requests, (unsigned long long)permits);
			rc = close_out(f, path);
		}
	}
	free_model(&m);
	return rc;
}

#ifndef PDP_BENCH_NO_MAIN
int main(int argc, char **argv)
{
	const char *scale = NULL, *dir = NULL;
	uint64_t seed = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (scale == NULL)
			scale = argv[i];
		else if (dir == NULL)
			dir = argv[i];
		else
			scale = NULL, i = argc;
	}
	const bench_scale *sc = scale ? bench_scale_get(scale) : NULL;
	if (sc == NULL || dir == NULL) {
		fprintf(stderr, "usage: pdp-bench-gen S|M|L OUTDIR [--seed N]\n");
		return 2;
	}
	if (bench_generate(sc, seed, dir) != 0)
		return 1;
	return 0;
}
#endif
