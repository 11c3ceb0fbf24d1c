/*
 * ipaddr.c - IP addresses and CIDR ranges in one 128-bit space: IPv4 is held
 * IPv4-mapped (::ffff:a.b.c.d), so an IPv4 range and an IPv4-mapped IPv6
 * request address compare without special cases (docs/language.md 6.2).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/prims.h"

#define IP_TEXT_MAX 46 /* INET6_ADDRSTRLEN: longest text plus NUL */
#define IP_BITS 128
#define V4_BITS 32
#define V4_PREFIX_SHIFT 96 /* an IPv4 /p is a /(96+p) in the mapped space */
#define V4_OFFSET 12       /* the IPv4 bytes start here when mapped */
#define PREFIX_DIGITS_MAX 3


static bool is_addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/* inet_pton gives no position; point at the first byte that can never be
 * part of an address, else at the start. */
static size_t bad_offset(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_addr_char(s[i]))
			return i;
	return 0;
}

static void map_v4(const uint8_t v4[4], pdp_ip *out)
{
	memset(out->b, 0, sizeof out->b);
	out->b[10] = 0xff;
	out->b[11] = 0xff;
	memcpy(out->b + V4_OFFSET, v4, 4);
}

static bool is_v4_mapped(const pdp_ip *ip)
{
	static const uint8_t prefix[V4_OFFSET] = {0, 0, 0, 0, 0,    0,
	                                          0, 0, 0, 0, 0xff, 0xff};
	return memcmp(ip->b, prefix, V4_OFFSET) == 0;
}

bool ip_parse(const char *s, size_t len, pdp_ip *out, bool *is_v4,
              prim_err *err)
{
	char buf[IP_TEXT_MAX];
	if (s == NULL || len == 0)
		return prim_fail(err, 0, "ip: empty address");
	if (len >= sizeof buf)
		return prim_fail(err, sizeof buf - 1, "ip: address is too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	bool v6 = memchr(s, ':', len) != NULL;
	uint8_t raw[16];
	bool ok = strlen(buf) == len && /* no embedded NUL */
	          inet_pton(v6 ? AF_INET6 : AF_INET, buf, raw) == 1;
	if (!ok)
		return prim_fail(err, bad_offset(s, len),
		               "ip: '%.*s' is not an %s address", (int)len, s,
		               v6 ? "IPv6" : "IPv4");
	if (v6)
		memcpy(out->b, raw, sizeof out->b);
	else
		map_v4(raw, out);
	if (is_v4 != NULL)
		*is_v4 = !v6;
	return true;
}

/* The prefix length after '/': 1 to 3 plain digits, no sign or space. */
static bool parse_prefix(const char *s, size_t len, size_t at,
                         uint32_t max, uint32_t *out, prim_err *err)
{
	if (at == len)
		return prim_fail(err, at, "cidr: missing prefix length after '/'");
	uint32_t v = 0;
	for (size_t i = at; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return prim_fail(err, i,
			               "cidr: prefix length must be digits only");
		if (i - at == PREFIX_DIGITS_MAX)
			return prim_fail(err, at,
			               "cidr: prefix length is out of range "
			               "0-%u",
			               max);
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > max)
		return prim_fail(err, at,
		               "cidr: prefix length %u is out of range 0-%u", v,
		               max);
	*out = v;
	return true;
}

/* Clear the bits after the prefix; true when any was set. */
static bool clear_host_bits(pdp_ip *ip, uint32_t prefix)
{
	bool any = false;
	for (uint32_t i = 0; i < 16; i++) {
		uint32_t first = i * 8;
		uint8_t keep;
		if (prefix >= first + 8)
			keep = 0xff;
		else if (prefix <= first)
			keep = 0;
		else
			keep = (uint8_t)(0xff << (8 - (prefix - first)));
		if (ip->b[i] & (uint8_t)~keep)
			any = true;
		ip->b[i] &= keep;
	}
	return any;
}

bool cidr_parse(const char *s, size_t len, pdp_ip *net, uint32_t *prefix128,
                bool *host_bits_set, prim_err *err)
{
	if (s == NULL || len == 0)
		return prim_fail(err, 0, "cidr: empty range");
	const char *slash = memchr(s, '/', len);
	size_t alen = slash != NULL ? (size_t)(slash - s) : len;
	bool v4 = false;
	if (!ip_parse(s, alen, net, &v4, err))
		return false;
	uint32_t p = v4 ? V4_BITS : IP_BITS;
	if (slash != NULL &&
	    !parse_prefix(s, len, alen + 1, v4 ? V4_BITS : IP_BITS, &p, err))
		return false;
	if (v4)
		p += V4_PREFIX_SHIFT;
	bool host = clear_host_bits(net, p);
	if (host_bits_set != NULL)
		*host_bits_set = host;
	*prefix128 = p;
	return true;
}

bool cidr_contains(const pdp_ip *net, uint32_t prefix128, const pdp_ip *ip)
{
	if (prefix128 > IP_BITS)
		return false;
	uint32_t full = prefix128 / 8, rest = prefix128 % 8;
	if (memcmp(net->b, ip->b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((net->b[full] ^ ip->b[full]) & mask) == 0;
}

size_t ip_format(const pdp_ip *ip, char *buf, size_t size)
{
	char tmp[IP_TEXT_MAX];
	if (is_v4_mapped(ip)) {
		snprintf(tmp, sizeof tmp, "%u.%u.%u.%u", ip->b[12], ip->b[13],
		         ip->b[14], ip->b[15]);
	} else if (inet_ntop(AF_INET6, ip->b, tmp, sizeof tmp) == NULL) {
		tmp[0] = '\0';
	}
	size_t n = strlen(tmp);
	if (size > 0) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(buf, tmp, k);
		buf[k] = '\0';
	}
	return n;
}
