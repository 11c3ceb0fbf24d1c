/*
 * prims.h - small, allocation-free parsing and matching primitives shared by
 * the compiler (parse and validate) and the evaluator (match): schedules,
 * IP/CIDR, globs, great-circle distance, country codes, oneM2M resource type
 * names, RFC 3339 time. Every parser takes a counted string (never assumes a
 * NUL) and reports the byte offset of the first problem.
 */
#ifndef PDP_COMMON_PRIMS_H
#define PDP_COMMON_PRIMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdp.h"

/* Why a parse failed: offset of the offending byte within the input and a
 * static message a person can act on ("hour 24 is out of range 0-23"). */
typedef struct prim_err {
	size_t offset;
	char message[160];
	bool nomem;        /* the parser ran out of memory (regex_compile) */
} prim_err;

/* Record a parse error at offset (err may be NULL); always returns false,
 * so parsers can `return prim_fail(...)`. */
bool prim_fail(prim_err *err, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- schedules (acco/actw): 7 fields "sec min hour dom month dow year" --- */

#define SCHED_YEAR_MIN 1970
#define SCHED_YEAR_MAX 2199
#define SCHED_YEAR_WORDS 4 /* 230 years as a bitset, and the flag below */
/* A bare `*` year matches every year, not only 1970-2199: an "always"
 * window must hold at any time a request can carry. The flag is the last
 * bit of the year bitset, which no year uses, so the image layout stays. */
#define SCHED_YEAR_ANY_BIT (SCHED_YEAR_WORDS * 64 - 1)

typedef struct sched {
	uint64_t sec;     /* bit s for second s, 0-59 */
	uint64_t min;     /* bit m, 0-59 */
	uint32_t hour;    /* bit h, 0-23 */
	uint32_t dom;     /* bit d, 1-31 */
	uint32_t month;   /* bit m, 1-12 */
	uint32_t dow;     /* bit d, 0-6 (0 = Sunday; 7 folds onto 0) */
	uint64_t year[SCHED_YEAR_WORDS]; /* bit (y - 1970); SCHED_YEAR_ANY_BIT */
} sched;

/* Parse one schedule entry. Fields are separated by runs of spaces/tabs;
 * each field is a comma list of `*`, `N`, `A-B`, `*\/S`, `A-B/S` (and `N/S`
 * is an error); month and day-of-week also take JAN-DEC / SUN-SAT (upper
 * case). Returns false and fills err on any error. */
bool sched_parse(const char *s, size_t len, sched *out, prim_err *err);

/* True when the UTC instant t lies in a second that the schedule selects.
 * Any t.sec is evaluated (t.nsec is not read): a year outside 1970-2199
 * matches a bare `*` year only. */
bool sched_match(const sched *s, pdp_time t);

/* True when no instant can match (e.g. only Feb 30, or no valid date in the
 * year set). Used by lint. */
bool sched_never_matches(const sched *s);

/* ---- time ---- */

typedef struct civil_time {
	int64_t year;
	int month, day, hour, min, sec, wday; /* wday 0 = Sunday */
} civil_time;

/* Any int64 second converts (years about -2.9e11 to 2.9e11). */
void civil_from_unix(int64_t sec, civil_time *out);
/* sched_match of the instant c (from civil_from_unix): a decision converts
 * its time once for all the windows it tests. */
bool sched_match_civil(const struct sched *s, const civil_time *c);
/* Seconds since the epoch for a UTC civil date-time (fields assumed valid,
 * the result assumed to fit: years 0-9999 and far beyond do). */
int64_t unix_from_civil(int64_t year, int month, int day, int hour, int min,
                        int sec);

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); 't' and
 * ' ' accepted for 'T', 'z' for 'Z'. Leap second 60 is rejected. */
bool time_parse_rfc3339(const char *s, size_t len, pdp_time *out,
                        prim_err *err);
/* True when t is an instant: nsec in 0..999999999 (every sec is). */
bool time_valid(pdp_time t);
/* Format as "YYYY-MM-DDTHH:MM:SSZ" (with .fraction when nsec != 0). Years
 * outside 0000-9999 (a parsed time with an offset can land in -0001 or
 * 10000) are written with a sign or a fifth digit, which do not parse.
 * Returns the length needed, like snprintf. */
size_t time_format_rfc3339(pdp_time t, char *buf, size_t size);

/* ---- IP addresses and CIDR ---- */

/* An IPv4 dotted quad or IPv6 text address (no zone). IPv4 is stored mapped
 * (::ffff:a.b.c.d). *is_v4 tells which form the text was (may be NULL). */
bool ip_parse(const char *s, size_t len, pdp_ip *out, bool *is_v4,
              prim_err *err);

/* "addr/len" or a bare address (/32 or /128). The prefix is returned in the
 * 128-bit space (IPv4 /16 -> 112). Host bits are cleared; *host_bits_set
 * tells whether any were set (lint warns). */
bool cidr_parse(const char *s, size_t len, pdp_ip *net, uint32_t *prefix128,
                bool *host_bits_set, prim_err *err);

/* True when ip lies in net/prefix128. */
bool cidr_contains(const pdp_ip *net, uint32_t prefix128, const pdp_ip *ip);

/* Format an address (IPv4-mapped as dotted quad). Returns length needed. */
size_t ip_format(const pdp_ip *ip, char *buf, size_t size);

/* ---- UTF-8 ---- */

/* Length (1-4) of the well-formed UTF-8 character at s, which has n bytes
 * left; 0 when the bytes there are not one (or n is 0). */
size_t utf8_char_len(const char *s, size_t n);
/* True when every byte of s belongs to a well-formed UTF-8 character (an
 * absent string is valid only with length 0). */
bool utf8_valid(pdp_str s);

/* ---- globs: '*' any run without '/', '?' one char other than '/' ---- */

/* Whether text matches pattern (docs/language.md section 4). Characters are
 * UTF-8; where the bytes are not well-formed UTF-8, each such byte counts
 * as one character, so every input has one answer. An absent pattern or
 * text never matches. */
bool glob_match(pdp_str pattern, pdp_str text);
/* True when the string contains '*' or '?'. */
bool glob_has_wildcard(pdp_str s);

/* origin.c: oneM2M originator ID forms. A host SP-ID is a name without
 * '/' (and without the leading "//"); a host CSE-ID is "/" and such a
 * name. origin_absolute writes the absolute form of id (at most cap
 * bytes) and returns its length, which may exceed cap (nothing past cap
 * is written): like snprintf, without the NUL. */
bool origin_sp_valid(pdp_str sp);
bool origin_cse_valid(pdp_str cse);
size_t origin_absolute(pdp_str sp, pdp_str cse, pdp_str id, char *out,
                       size_t cap);

/* utf8.c: length of the well-formed UTF-8 character at s (0: not one), and
 * whether all of s is well-formed UTF-8. */
size_t utf8_char_len(const char *s, size_t n);
bool utf8_valid(pdp_str s);

/* ---- geography ---- */

/* Great-circle (haversine) distance in metres on a sphere of the IUGG mean
 * Earth radius 6371008.8 m. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* ---- ISO 3166-1 countries ---- */

/* Numeric code (e.g. 276) for alpha-2 ("DE", case-insensitive) or a numeric
 * string ("276", "040"); -1 when not an assigned code. */
int country_code(pdp_str s);
/* Alpha-2 for a numeric code, or NULL. */
const char *country_alpha2(int code);

/* ---- oneM2M resource types (TS-0004 m2m:resourceType) ---- */

/* Integer for a long name ("contentInstance"), short name ("cin") or a
 * decimal integer string; -1 when unknown. */
int32_t rtype_from_name(pdp_str s);
/* Long name for an integer, or NULL. */
const char *rtype_name(int32_t ty);

/* ---- checksums ---- */

/* CRC-32/IEEE (reflected polynomial 0xEDB88320, init and xorout 0xffffffff;
 * the zlib crc32). crc32_ieee("123456789") == 0xCBF43926. */
uint32_t crc32_ieee(const uint8_t *data, size_t len);

/* The string hash of every hash table (hash.c). */
uint64_t str_hash(const char *s, size_t len);

#endif
