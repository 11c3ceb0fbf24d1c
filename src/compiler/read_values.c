/*
 * read_values.c - typed scalar readers shared by both policy forms. Each
 * reports its own error at the node's position and returns false.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/limits.h"
#include "compiler/cc.h"

static bool is_null(const ynode *n)
{
	return n->kind == YN_SCALAR && n->plain &&
	       (n->len == 0 || yn_is(n, "~") || yn_is(n, "null") ||
	        yn_is(n, "Null") || yn_is(n, "NULL"));
}

bool read_string(cc *c, ynode *n, const char **out)
{
	if (n->kind != YN_SCALAR || is_null(n)) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a string, found %s",
		         is_null(n) ? "null" : yn_kind_name(n));
		return false;
	}
	if (n->len > PDP_MAX_STRING_BYTES) {
		cc_error(c, n->pos, DIAG_E_LIMIT, "string longer than %u bytes",
		         PDP_MAX_STRING_BYTES);
		return false;
	}
	if (memchr(n->str, '\0', n->len) != NULL) {
		cc_error(c, n->pos, DIAG_E_TYPE, "string contains a NUL byte");
		return false;
	}
	*out = n->str;
	return true;
}

bool read_int(cc *c, ynode *n, int64_t *out)
{
	if (n->kind != YN_SCALAR || n->len == 0 || n->len > 24) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected an integer, found %s",
		         yn_kind_name(n));
		return false;
	}
	const char *s = n->str;
	size_t i = 0;
	bool neg = false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n->len)
		goto bad;
	uint64_t v = 0;
	for (; i < n->len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_C(9223372036854775808) - d) / 10)
			goto range;
		v = v * 10 + d;
	}
	if (!neg && v > INT64_MAX)
		goto range;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
bad:
	cc_error(c, n->pos, DIAG_E_TYPE, "expected an integer, found '%s'", n->str);
	return false;
range:
	cc_error(c, n->pos, DIAG_E_RANGE, "integer '%s' is out of the 64-bit range",
	         n->str);
	return false;
}

bool read_double(cc *c, ynode *n, double *out)
{
	char buf[64];
	if (n->kind != YN_SCALAR || n->len == 0 || n->len >= sizeof(buf)) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a number, found %s",
		         yn_kind_name(n));
		return false;
	}
	memcpy(buf, n->str, n->len);
	buf[n->len] = '\0';
	char *end = NULL;
	errno = 0;
	double v = strtod(buf, &end);
	if (end != buf + n->len || errno != 0 || !isfinite(v)) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a finite number, found '%s'",
		         n->str);
		return false;
	}
	*out = v;
	return true;
}

bool read_bool(cc *c, ynode *n, bool *out)
{
	/* true/false only (any case): YAML 1.1's yes/no/on/off are refused
	 * rather than guessed, so a typo cannot flip a security flag */
	static const char *const yes[] = {"true"};
	static const char *const no[] = {"false"};
	if (n->kind == YN_SCALAR) {
		for (size_t i = 0; i < 1; i++) {
			if (n->len == strlen(yes[i]) &&
			    strncasecmp(n->str, yes[i], n->len) == 0) {
				*out = true;
				return true;
			}
			if (n->len == strlen(no[i]) &&
			    strncasecmp(n->str, no[i], n->len) == 0) {
				*out = false;
				return true;
			}
		}
	}
	cc_error(c, n->pos, DIAG_E_TYPE, "expected true or false, found %s%s%s",
	         n->kind == YN_SCALAR ? "'" : "",
	         n->kind == YN_SCALAR ? n->str : yn_kind_name(n),
	         n->kind == YN_SCALAR ? "'" : "");
	return false;
}

bool read_cidr_node(cc *c, ynode *n, m_cidr *out)
{
	const char *s;
	if (!read_string(c, n, &s))
		return false;
	prim_err e;
	memset(out, 0, sizeof(*out));
	out->pos = n->pos;
	if (!cidr_parse(s, n->len, &out->net, &out->prefix, &out->host_bits,
	                &e)) {
		srcpos p = n->pos;
		if (!n->plain)
			p.col++;
		p.col += (uint32_t)e.offset;
		cc_error(c, p, DIAG_E_CIDR, "invalid CIDR '%s': %s", s, e.message);
		return false;
	}
	return true;
}

bool read_window_node(cc *c, ynode *n, m_window *out)
{
	const char *s;
	if (!read_string(c, n, &s))
		return false;
	prim_err e;
	memset(out, 0, sizeof(*out));
	out->src = s;
	out->pos = n->pos;
	sched_memo *m = NULL;
	if (n->len > 0 && n->len <= CC_SCHED_MEMO_TEXT) {
		uint32_t h = 2166136261u; /* FNV-1a */
		for (size_t i = 0; i < n->len; i++)
			h = (h ^ (uint8_t)s[i]) * 16777619u;
		m = &c->sched_memo[h % CC_SCHED_MEMO];
		if (m->len == n->len && memcmp(m->text, s, n->len) == 0) {
			out->s = m->s;
			return true;
		}
	}
	if (!sched_parse(s, n->len, &out->s, &e)) {
		srcpos p = n->pos;
		if (!n->plain)
			p.col++;
		p.col += (uint32_t)e.offset;
		cc_error(c, p, DIAG_E_SCHED, "invalid schedule '%s': %s", s,
		         e.message);
		return false;
	}
	if (m != NULL) { /* only schedules that parse are remembered */
		m->len = (uint8_t)n->len;
		memcpy(m->text, s, n->len);
		m->s = out->s;
	}
	return true;
}

bool read_country_node(cc *c, ynode *n, uint32_t *out)
{
	if (n->kind != YN_SCALAR || n->len == 0) {
		cc_error(c, n->pos, DIAG_E_COUNTRY,
		         "expected an ISO 3166-1 country code, found %s",
		         yn_kind_name(n));
		return false;
	}
	pdp_str s = {n->str, n->len};
	int code = country_code(s);
	if (code < 0) {
		cc_error(c, n->pos, DIAG_E_COUNTRY,
		         "'%s' is not an ISO 3166-1 country code (use alpha-2 "
		         "like DE or numeric like 276)",
		         n->str);
		return false;
	}
	*out = (uint32_t)code;
	return true;
}

bool read_rtype_node(cc *c, ynode *n, int32_t *out)
{
	if (n->kind != YN_SCALAR || n->len == 0) {
		cc_error(c, n->pos, DIAG_E_RTYPE,
		         "expected a resource type name or number, found %s",
		         yn_kind_name(n));
		return false;
	}
	pdp_str s = {n->str, n->len};
	int32_t t = rtype_from_name(s);
	if (t < 0) {
		cc_error(c, n->pos, DIAG_E_RTYPE,
		         "unknown resource type '%s' (use a oneM2M name such as "
		         "contentInstance, or its number)",
		         n->str);
		return false;
	}
	*out = t;
	return true;
}

bool read_circle(cc *c, ynode *lat, ynode *lon, ynode *rad, srcpos pos,
                 m_circle *out)
{
	memset(out, 0, sizeof(*out));
	out->pos = pos;
	if (!read_double(c, lat, &out->lat) || !read_double(c, lon, &out->lon) ||
	    !read_double(c, rad, &out->radius))
		return false;
	if (out->lat < -90.0 || out->lat > 90.0) {
		cc_error(c, lat->pos, DIAG_E_RANGE,
		         "latitude %g is out of range -90..90", out->lat);
		return false;
	}
	if (out->lon < -180.0 || out->lon > 180.0) {
		cc_error(c, lon->pos, DIAG_E_RANGE,
		         "longitude %g is out of range -180..180", out->lon);
		return false;
	}
	if (out->radius < 0.0) {
		cc_error(c, rad->pos, DIAG_E_RANGE,
		         "radius %g is negative; give metres >= 0", out->radius);
		return false;
	}
	return true;
}

/* Every key of map must be in known (NULL-terminated); others are errors
 * with a did-you-mean hint. Keys must be scalars. */
void check_keys(cc *c, const ynode *map, const char *const *known,
                const char *what)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const ynode *k = map->items[i];
		if (k->kind != YN_SCALAR) {
			cc_error(c, k->pos, DIAG_E_KEY, "%s keys must be strings", what);
			continue;
		}
		bool found = false;
		for (size_t j = 0; known[j] != NULL && !found; j++)
			found = yn_is(k, known[j]);
		if (found)
			continue;
		/* edit distances only for a key that is not known */
		cc_suggest sg;
		cc_suggest_init(&sg, k->str, k->len);
		for (size_t j = 0; known[j] != NULL; j++)
			cc_suggest_try(&sg, known[j], strlen(known[j]));
		char hint[128];
		if (cc_suggest_hint(&sg, hint, sizeof(hint)) == NULL) {
			size_t o = (size_t)snprintf(hint, sizeof(hint), "expected one of:");
			for (size_t j = 0; known[j] != NULL && o < sizeof(hint); j++)
				o += (size_t)snprintf(hint + o, sizeof(hint) - o, " %s",
				                      known[j]);
		}
		cc_report(c, k->pos, DIAG_E_UNKNOWN_KEY, hint,
		          "unknown key '%s' in %s", k->str, what);
	}
}
