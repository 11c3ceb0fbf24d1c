/*
 * test_values.c - the public parsers of request values (pdp_time_parse,
 * pdp_ip_parse) and pdp_operation_from_name: values, bad input with the
 * code and the byte the message names, counted strings read only within
 * their length, and agreement with the request reader (pdpc_requests_read),
 * whose rules they must share.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/pdp.h"
#include "pdp/pdpc.h"

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

/* The text in a heap block of exactly its length (no NUL after it), so
 * that ASan catches a read past the counted string. */
static pdp_str own(const char *s, char **block)
{
	size_t n = strlen(s);
	*block = malloc(n ? n : 1);
	cr_assert_not_null(*block);
	memcpy(*block, s, n);
	pdp_str r = {*block, n};
	return r;
}

static pdp_time time_ok(const char *s)
{
	char *b;
	pdp_time t = {-1, -1};
	pdp_error err;
	pdp_status st = pdp_time_parse(own(s, &b), &t, &err);
	cr_assert_eq(st, PDP_OK, "\"%s\": %s", s, err.message);
	free(b);
	return t;
}

/* Parsing s fails with PDP_ERR_SYNTAX, leaves *out alone, and the message
 * names byte `at` and contains what. */
static void time_bad(const char *s, size_t at, const char *what)
{
	char *b;
	pdp_time t = {42, 7};
	pdp_error err;
	memset(&err, 0, sizeof(err));
	cr_assert_eq(pdp_time_parse(own(s, &b), &t, &err), PDP_ERR_SYNTAX,
	             "\"%s\" should not parse", s);
	free(b);
	cr_expect_eq(err.code, PDP_ERR_SYNTAX);
	cr_expect(t.sec == 42 && t.nsec == 7, "\"%s\": out changed", s);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "at byte %zu: ", at);
	cr_expect_eq(strncmp(err.message, prefix, strlen(prefix)), 0,
	             "\"%s\": \"%s\" does not start with \"%s\"", s, err.message,
	             prefix);
	cr_expect(strstr(err.message, what) != NULL,
	          "\"%s\": \"%s\" lacks \"%s\"", s, err.message, what);
}

Test(time_parse, instants)
{
	pdp_time t = time_ok("2026-12-05T10:00:00Z");
	cr_expect_eq(t.sec, 1796464800);
	cr_expect_eq(t.nsec, 0);
	t = time_ok("1970-01-01T00:00:00Z");
	cr_expect(t.sec == 0 && t.nsec == 0);
	/* offsets east and west land on the same instant */
	cr_expect_eq(time_ok("2026-12-05T11:30:00+01:30").sec, 1796464800);
	cr_expect_eq(time_ok("2026-12-05T08:00:00-02:00").sec, 1796464800);
	/* the accepted spellings of T and Z */
	cr_expect_eq(time_ok("2026-12-05t10:00:00z").sec, 1796464800);
	cr_expect_eq(time_ok("2026-12-05 10:00:00Z").sec, 1796464800);
	/* fractions: 1 and 9 digits */
	cr_expect_eq(time_ok("2026-12-05T10:00:00.5Z").nsec, 500000000);
	cr_expect_eq(time_ok("2026-12-05T10:00:00.000000001Z").nsec, 1);
	/* before the epoch, and the ends of the four-digit years */
	cr_expect_eq(time_ok("1969-12-31T23:59:59Z").sec, -1);
	cr_expect_eq(time_ok("0000-01-01T00:00:00Z").sec, -62167219200);
	cr_expect_eq(time_ok("9999-12-31T23:59:59Z").sec, 253402300799);
	/* leap day only in leap years */
	cr_expect_eq(time_ok("2024-02-29T00:00:00Z").sec, 1709164800);
}

Test(time_parse, bad_input_says_where)
{
	time_bad("", 0, "digits for the year");
	time_bad("2026", 4, "'-' after the year");
	time_bad("2026-13-01T00:00:00Z", 5, "month 13 is out of range");
	time_bad("2025-02-29T00:00:00Z", 8, "does not exist");
	time_bad("2026-12-05T24:00:00Z", 11, "hour 24 is out of range");
	time_bad("2026-12-05T23:60:00Z", 14, "minute 60");
	time_bad("2026-12-31T23:59:60Z", 17, "second 60"); /* no leap second */
	time_bad("2026-12-05T10:00:00", 19, "'Z' or a +HH:MM offset");
	time_bad("2026-12-05T10:00:00Zjunk", 20, "unexpected text");
	time_bad("2026-12-05T10:00:00.Z", 20, "digits after '.'");
	time_bad("2026-12-05T10:00:00.1234567890Z", 29, "more than 9 digits");
	time_bad("2026-12-05T10:00:00+24:00", 20, "offset hour 24");
	time_bad("2026-12-05X10:00:00Z", 10, "'T' between date and time");
	time_bad("+2026-12-05T10:00:00Z", 0, "digits for the year");
	/* an embedded NUL is a byte like any other, not an end */
	pdp_time t;
	pdp_error err;
	cr_expect_eq(pdp_time_parse((pdp_str){"2026-12-05T10:00:00Z\0", 21}, &t,
	                            &err),
	             PDP_ERR_SYNTAX);
}

Test(time_parse, reads_only_within_len)
{
	/* the first 20 bytes are a time; what follows is not read */
	const char *s = "2026-12-05T10:00:00Z trailing";
	pdp_time t;
	pdp_error err;
	cr_assert_eq(pdp_time_parse((pdp_str){s, 20}, &t, &err), PDP_OK);
	cr_expect_eq(t.sec, 1796464800);
	/* cut short: an error at the end, not a read past it */
	cr_assert_eq(pdp_time_parse((pdp_str){s, 13}, &t, &err), PDP_ERR_SYNTAX);
	cr_expect_eq(strncmp(err.message, "at byte 13: ", 12), 0, "%s",
	             err.message);
}

Test(time_parse, arguments)
{
	pdp_time t;
	pdp_error err;
	cr_expect_eq(pdp_time_parse(S("2026-12-05T10:00:00Z"), NULL, &err),
	             PDP_ERR_ARG);
	cr_expect_eq(err.code, PDP_ERR_ARG);
	/* an absent string is no time; a NULL err is allowed */
	cr_expect_eq(pdp_time_parse((pdp_str){NULL, 0}, &t, NULL),
	             PDP_ERR_SYNTAX);
	cr_expect_eq(pdp_time_parse((pdp_str){NULL, 5}, &t, NULL),
	             PDP_ERR_SYNTAX);
	cr_expect_eq(pdp_time_parse(S("2026-12-05T10:00:00Z"), &t, NULL), PDP_OK);
}

static pdp_ip ip_ok(const char *s)
{
	char *b;
	pdp_ip ip;
	pdp_error err;
	memset(&ip, 0xee, sizeof(ip));
	cr_assert_eq(pdp_ip_parse(own(s, &b), &ip, &err), PDP_OK, "\"%s\": %s",
	             s, err.message);
	free(b);
	return ip;
}

static void ip_bad(const char *s, size_t len, size_t at)
{
	pdp_ip ip;
	pdp_error err;
	memset(&ip, 0xee, sizeof(ip));
	cr_assert_eq(pdp_ip_parse((pdp_str){s, len}, &ip, &err), PDP_ERR_SYNTAX,
	             "\"%.*s\" should not parse", (int)len, s);
	for (size_t i = 0; i < sizeof(ip.b); i++)
		cr_expect_eq(ip.b[i], 0xee, "\"%.*s\": out changed", (int)len, s);
	char prefix[32];
	snprintf(prefix, sizeof(prefix), "at byte %zu: ip: ", at);
	cr_expect_eq(strncmp(err.message, prefix, strlen(prefix)), 0,
	             "\"%.*s\": \"%s\" does not start with \"%s\"", (int)len, s,
	             err.message, prefix);
}

Test(ip_parse, addresses)
{
	static const uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0,
	                               0, 0, 0xff, 0xff, 10, 1, 2, 3};
	pdp_ip ip = ip_ok("10.1.2.3");
	cr_expect_arr_eq(ip.b, v4, 16);
	/* the IPv4-mapped IPv6 text is the same address */
	ip = ip_ok("::ffff:10.1.2.3");
	cr_expect_arr_eq(ip.b, v4, 16);
	ip = ip_ok("::FFFF:a01:203");
	cr_expect_arr_eq(ip.b, v4, 16);
	static const uint8_t db8[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                                0,    0,    0,    0,    0, 0, 0, 1};
	ip = ip_ok("2001:db8::1");
	cr_expect_arr_eq(ip.b, db8, 16);
	ip = ip_ok("2001:0db8:0000:0000:0000:0000:0000:0001");
	cr_expect_arr_eq(ip.b, db8, 16);
	ip = ip_ok("::");
	for (int i = 0; i < 16; i++)
		cr_expect_eq(ip.b[i], 0);
	ip = ip_ok("255.255.255.255");
	cr_expect_eq(ip.b[15], 255);
}

Test(ip_parse, bad_input)
{
	ip_bad("", 0, 0);
	ip_bad("10.1.2.256", 10, 0);
	ip_bad("10.01.2.3", 9, 0);   /* a leading zero (octal elsewhere) */
	ip_bad("10.1.2", 6, 0);
	ip_bad("10.1.2.3.4", 10, 0);
	ip_bad(" 10.1.2.3", 9, 0);   /* the space is the first bad byte */
	ip_bad("10.1.2.3 ", 9, 8);
	ip_bad("10.0.0.0/8", 10, 8); /* a range, not an address */
	ip_bad("fe80::1%eth0", 12, 7); /* no zones */
	ip_bad("[::1]", 5, 0);
	ip_bad("1:2:3:4:5:6:7:8:9", 17, 0);
	ip_bad("10.1.2.3\0", 9, 8);  /* an embedded NUL */
	ip_bad("x", 1, 0);
	char longer[100];
	memset(longer, '1', sizeof(longer));
	ip_bad(longer, sizeof(longer), 45); /* too long for any address */
	pdp_ip ip;
	cr_expect_eq(pdp_ip_parse((pdp_str){NULL, 0}, &ip, NULL), PDP_ERR_SYNTAX);
	cr_expect_eq(pdp_ip_parse(S("10.1.2.3"), NULL, NULL), PDP_ERR_ARG);
}

Test(ip_parse, reads_only_within_len)
{
	pdp_ip ip;
	cr_assert_eq(pdp_ip_parse((pdp_str){"10.1.2.3/24", 8}, &ip, NULL), PDP_OK);
	cr_expect_eq(ip.b[15], 3);
	cr_assert_eq(pdp_ip_parse((pdp_str){"10.1.2.34", 8}, &ip, NULL), PDP_OK);
	cr_expect_eq(ip.b[15], 3);
}

Test(operation_from_name, every_name_and_near_misses)
{
	static const char *const names[] = {"create", "retrieve", "update",
	                                    "delete", "notify", "discover"};
	for (uint32_t i = 0; i < 6; i++) {
		char *b;
		pdp_str s = own(names[i], &b);
		cr_expect_eq(pdp_operation_from_name(s), 1u << i, "%s", names[i]);
		cr_expect_str_eq(pdp_operation_name(1u << i), names[i]);
		/* each byte changed, one shorter, one longer: no operation */
		for (size_t k = 0; k < s.len; k++) {
			char saved = b[k];
			b[k] = (char)(saved ^ 0x20); /* also catches upper case */
			cr_expect_eq(pdp_operation_from_name(s), 0, "%s byte %zu",
			             names[i], k);
			b[k] = saved;
		}
		cr_expect_eq(pdp_operation_from_name((pdp_str){b, s.len - 1}), 0);
		free(b);
		char longer[16];
		snprintf(longer, sizeof(longer), "%ss", names[i]);
		cr_expect_eq(pdp_operation_from_name(S(longer)), 0, "%s", longer);
	}
	/* right length and first letter, another name */
	cr_expect_eq(pdp_operation_from_name(S("deleta")), 0);
	cr_expect_eq(pdp_operation_from_name(S("discovar")), 0);
	cr_expect_eq(pdp_operation_from_name(S("dddddd")), 0);
	cr_expect_eq(pdp_operation_from_name(S("")), 0);
	cr_expect_eq(pdp_operation_from_name((pdp_str){NULL, 6}), 0);
	cr_expect_eq(pdp_operation_from_name(S("all")), 0);
	cr_expect_eq(pdp_operation_from_name(S("RETRIEVE")), 0);
}

/* ---- the same rules as the request reader ---- */

static const char POLICY[] =
	"pdp: 1\n"
	"acps:\n"
	"  - id: acp-x\n"
	"    privileges:\n"
	"      - originators: [CAE-a]\n"
	"        operations: [retrieve]\n";

typedef struct one_request {
	bool ok;
	pdp_request req;
} one_request;

static bool keep_request(void *ctx, pdpc_request *r)
{
	one_request *o = ctx;
	o->ok = r->ok;
	o->req = r->req;
	return false;
}

typedef struct mem_input {
	const char *text;
	size_t at;
} mem_input;

static bool mem_read(void *ctx, char *buf, size_t cap, size_t *got)
{
	mem_input *m = ctx;
	size_t n = strlen(m->text + m->at);
	if (n > cap)
		n = cap;
	memcpy(buf, m->text + m->at, n);
	m->at += n;
	*got = n;
	return true;
}

/* What `pdp decide` makes of env.time and env.ip given as these texts. */
static one_request read_env(const pdp_image *img, const char *time,
                            const char *ip)
{
	char text[512];
	snprintf(text, sizeof(text),
	         "{\"originator\": \"CAE-a\", \"operation\": \"retrieve\", "
	         "\"target\": {\"acps\": [\"acp-x\"]}, \"env\": {\"time\": "
	         "\"%s\", \"ip\": \"%s\"}}\n",
	         time, ip);
	mem_input m = {text, 0};
	pdpc_request_input in = {mem_read, &m, "mem.jsonl", true};
	one_request o = {false, {0}};
	cr_assert_eq(pdpc_requests_read(&in, img, keep_request, &o), PDPC_OK);
	return o;
}

Test(values, same_rules_as_the_request_reader)
{
	pdpc_compiler *c = pdpc_new();
	const uint8_t *bytes;
	size_t len;
	cr_assert_eq(pdpc_add_buffer(c, "p.yaml", POLICY, strlen(POLICY)),
	             PDPC_OK);
	cr_assert_eq(pdpc_compile(c, &bytes, &len), PDPC_OK);
	pdp_image *img = NULL;
	cr_assert_eq(pdp_image_load(bytes, len, &img, NULL), PDP_OK);
	pdpc_free(c);
	static const char *const times[] = {
		"2026-12-05T10:00:00Z", "2026-12-05t10:00:00.25+01:00",
		"2026-12-05 10:00:00-00:30", "2026-02-29T00:00:00Z",
		"2026-12-05T24:00:00Z", "2026-12-05T10:00:00", "2026-12-05",
		"2026-12-05T10:00:60Z", "1900-01-01T00:00:00.123456789Z",
	};
	static const char *const ips[] = {
		"10.1.2.3", "::1", "::ffff:1.2.3.4", "10.01.2.3", "10.1.2.3/32",
		"fe80::1%eth0", "1.2.3", "2001:db8::", "256.0.0.1",
	};
	const char *good_ip = "10.1.2.3", *good_time = "2026-12-05T10:00:00Z";
	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++) {
		one_request o = read_env(img, times[i], good_ip);
		pdp_time t;
		pdp_status st = pdp_time_parse(S(times[i]), &t, NULL);
		cr_expect_eq(st == PDP_OK, o.ok, "%s: reader %d, parser %d",
		             times[i], o.ok, st);
		if (o.ok && st == PDP_OK)
			cr_expect(t.sec == o.req.time.sec &&
			                  t.nsec == o.req.time.nsec,
			          "%s: another instant", times[i]);
	}
	for (size_t i = 0; i < sizeof(ips) / sizeof(*ips); i++) {
		one_request o = read_env(img, good_time, ips[i]);
		pdp_ip ip;
		pdp_status st = pdp_ip_parse(S(ips[i]), &ip, NULL);
		cr_expect_eq(st == PDP_OK, o.ok, "%s: reader %d, parser %d", ips[i],
		             o.ok, st);
		if (o.ok && st == PDP_OK)
			cr_expect_arr_eq(ip.b, o.req.ip.b, 16, "%s", ips[i]);
	}
	pdp_image_free(img);
}
