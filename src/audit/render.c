/*
 * render.c - a rule's conditions written back in the policy language's YAML
 * flow syntax (docs/language.md sections 3, 6, 7 and 9), from the image tables:
 * contexts (window source text, CIDRs, countries, circles), the
 * authenticated flag, objects and `when` trees (post-order SEC_CONDS).
 * What is printed compiles back to the same condition.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "audit/render.h"
#include "common/prims.h"

void sb_putn(sb *b, const char *s, size_t n)
{
	if (b->len < b->size) {
		size_t room = b->size - 1 - b->len;
		size_t k = n < room ? n : room;
		memcpy(b->buf + b->len, s, k);
		b->buf[b->len + k] = '\0';
	}
	b->len += n;
}

void sb_puts(sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void sb_printf(sb *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_putn(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static bool word_eq(pdp_str s, const char *w)
{
	size_t n = strlen(w);
	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s.ptr[i]) != w[i])
			return false;
	return true;
}

/* A plain YAML scalar unless it could read as something else (number,
 * bool, null) or holds an indicator; then a double-quoted string. */
static bool needs_quotes(pdp_str s)
{
	static const char *const WORDS[] = {"true", "false", "yes", "no", "on",
	                                    "off", "null", "y", "n", "~"};
	if (s.len == 0)
		return true;
	for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (word_eq(s, WORDS[i]))
			return true;
	unsigned char c0 = (unsigned char)s.ptr[0];
	if (isdigit(c0) || c0 == '+' || c0 == '-' || c0 == '.' || c0 == '?' ||
	    isspace((unsigned char)s.ptr[s.len - 1]) || isspace(c0))
		return true;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c < 0x20 || c == 0x7f || strchr(":,[]{}#&*!|>'\"%@`\\", c) != NULL)
			return true;
	}
	return false;
}

void sb_scalar(sb *b, pdp_str s)
{
	if (!needs_quotes(s)) {
		sb_putn(b, s.ptr, s.len);
		return;
	}
	sb_puts(b, "\"");
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			sb_putn(b, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			sb_printf(b, "\\x%02x", c);
		} else {
			sb_putn(b, (const char *)&c, 1);
		}
	}
	sb_puts(b, "\"");
}

static void sb_cstr(sb *b, const char *s)
{
	pdp_str x = {s, strlen(s)};
	sb_scalar(b, x);
}

static bool v4_mapped(const pdp_ip *ip)
{
	for (int i = 0; i < 10; i++)
		if (ip->b[i] != 0)
			return false;
	return ip->b[10] == 0xff && ip->b[11] == 0xff;
}

/* A CIDRS record: the address, and "/len" unless with_prefix is false. */
static void sb_cidr(sb *b, const img_cidr_rec *c, bool with_prefix)
{
	pdp_ip ip;
	img_cidr_addr(c, &ip);
	char tmp[64];
	ip_format(&ip, tmp, sizeof(tmp));
	uint32_t prefix = c->prefix;
	bool v4 = v4_mapped(&ip) && prefix >= 96;
	bool colon = strchr(tmp, ':') != NULL;
	if (colon)
		sb_puts(b, "\"");
	sb_puts(b, tmp);
	if (with_prefix)
		sb_printf(b, "/%u", v4 ? prefix - 96 : prefix);
	if (colon)
		sb_puts(b, "\"");
}

void sb_rtype(sb *b, uint32_t ty)
{
	const char *n = rtype_name((int32_t)ty);
	if (n != NULL)
		sb_puts(b, n);
	else
		sb_printf(b, "%u", ty);
}

/* ---- contexts ---- */

/* A context in flow syntax: windows by their source text (the compiled
 * form is a bitset, the text is what the author wrote), CIDRs, countries
 * and circles. Only the parts the context has are printed, so the text
 * compiles back to the same record. */
static void render_context(sb *b, const pdp_image *img,
                           const img_context_rec *x)
{
	bool sep = false;
	sb_puts(b, "{");
	if (x->win_count > 0) {
		sb_puts(b, "window: [");
		for (uint32_t i = 0; i < x->win_count; i++) {
			const img_window_rec *w = img_window(img, x->win_first + i);
			if (i)
				sb_puts(b, ", ");
			pdp_str src = img_str(img, w->source);
			sb_puts(b, "\"");
			sb_putn(b, src.ptr ? src.ptr : "", src.len);
			sb_puts(b, "\"");
		}
		sb_puts(b, "]");
		sep = true;
	}
	if (x->ip_count > 0) {
		sb_puts(b, sep ? ", ip: [" : "ip: [");
		for (uint32_t i = 0; i < x->ip_count; i++) {
			if (i)
				sb_puts(b, ", ");
			sb_cidr(b, img_cidr(img, x->ip_first + i), true);
		}
		sb_puts(b, "]");
		sep = true;
	}
	if (x->cc_count > 0 || x->circ_count > 0) {
		sb_puts(b, sep ? ", region: {" : "region: {");
		if (x->cc_count > 0) {
			sb_puts(b, "countries: [");
			for (uint32_t i = 0; i < x->cc_count; i++) {
				uint32_t code = img_word(img, SEC_COUNTRIES, x->cc_first + i);
				const char *a2 = country_alpha2((int)code);
				if (i)
					sb_puts(b, ", ");
				if (a2 != NULL)
					sb_cstr(b, a2);
				else
					sb_printf(b, "%03u", code);
			}
			sb_puts(b, "]");
		}
		if (x->circ_count > 0) {
			sb_puts(b, x->cc_count > 0 ? ", circles: [" : "circles: [");
			for (uint32_t i = 0; i < x->circ_count; i++) {
				const img_circle_rec *c = img_circle(img, x->circ_first + i);
				if (i)
					sb_puts(b, ", ");
				sb_printf(b, "{lat: %.15g, lon: %.15g, radius: %.15g}",
				          img_double(c->lat), img_double(c->lon),
				          img_double(c->radius));
			}
			sb_puts(b, "]");
		}
		sb_puts(b, "}");
	}
	sb_puts(b, "}");
}

/* ---- objects ---- */

void render_object(sb *b, const pdp_image *img, const img_object_rec *o,
                   bool with_types)
{
	static const char *const NAMES[3] = {"types", "specializations",
	                                     "child_types"};
	const uint32_t firsts[3] = {o->ty_first, o->sp_first, o->ch_first};
	const uint32_t counts[3] = {o->ty_count, o->sp_count, o->ch_count};
	bool sep = false;
	sb_puts(b, "{");
	for (int f = 0; f < 3; f++) {
		uint32_t first = firsts[f], n = counts[f];
		if (n == 0 || (f == 0 && !with_types))
			continue;
		sb_printf(b, "%s%s: [", sep ? ", " : "", NAMES[f]);
		for (uint32_t i = 0; i < n; i++) {
			if (i)
				sb_puts(b, ", ");
			if (f == 1)
				sb_scalar(b, img_str(img, img_word(img, SEC_OBJSPECS,
				                                   first + i)));
			else
				sb_rtype(b, img_word(img, SEC_OBJTYPES, first + i));
		}
		sb_puts(b, "]");
		sep = true;
	}
	sb_puts(b, "}");
}

/* ---- when ---- */

static void sb_attr(sb *b, const pdp_image *img, uint32_t attr)
{
	if (attr < img->count[SEC_ATTRS])
		sb_scalar(b, img_str(img, img_attr(img, attr)->name));
	else
		sb_puts(b, "\"?\"");
}

static pdp_type attr_type(const pdp_image *img, uint32_t attr)
{
	return attr < img->count[SEC_ATTRS]
	               ? (pdp_type)img_attr(img, attr)->type
	               : PDP_TYPE_NONE;
}

static void sb_int(sb *b, const pdp_image *img, uint32_t ix)
{
	sb_printf(b, "%lld", (long long)img_int(img, ix));
}

/* A condition leaf as `{attr: A, op: value}`: the right side is printed
 * by its kind and, for literals, by the attribute's type, exactly as the
 * compiler reads it back (strings quoted when needed, regexes always,
 * times in RFC 3339, IPv4-mapped addresses as IPv4). */
void render_leaf(sb *b, const pdp_image *img, const img_cond_rec *k)
{
	uint32_t op = k->op, attr = k->attr, rk = k->rhs_kind, rhs = k->rhs;
	pdp_type t = attr_type(img, attr);
	sb_puts(b, "{attr: ");
	sb_attr(b, img, attr);
	sb_printf(b, ", %s: ", img_cond_op_name(op));
	switch (rk) {
	case RHS_ATTR:
		sb_puts(b, "{attr: ");
		sb_attr(b, img, rhs);
		sb_puts(b, "}");
		break;
	case RHS_REGEX:
		if (rhs < img->count[SEC_REGEXES]) {
			pdp_str pat = img_str(img, img_word(img, SEC_REGEXES, rhs));
			pdp_str q = {pat.ptr, pat.len};
			/* always quoted: patterns are full of indicators */
			sb_puts(b, "\"");
			for (size_t i = 0; i < q.len; i++) {
				char c = q.ptr[i];
				if (c == '"' || c == '\\')
					sb_puts(b, "\\");
				sb_putn(b, &c, 1);
			}
			sb_puts(b, "\"");
		}
		break;
	case RHS_LIST:
		sb_puts(b, "[");
		for (uint32_t i = 0; i < k->count; i++) {
			if (i)
				sb_puts(b, ", ");
			if (op == COP_IN_CIDR) {
				sb_cidr(b, img_cidr(img, k->first + i), true);
				continue;
			}
			uint32_t ix = img_word(img, SEC_LISTITEMS, k->first + i);
			if (t == PDP_TYPE_INT)
				sb_int(b, img, ix);
			else
				sb_scalar(b, img_str(img, ix));
		}
		sb_puts(b, "]");
		break;
	case RHS_LIT:
		if (op == COP_PRESENT) {
			sb_puts(b, rhs == 1 ? "true" : "false");
			break;
		}
		if (op == COP_CONTAINS || op == COP_PREFIX) {
			sb_scalar(b, img_str(img, rhs));
			break;
		}
		switch (t) {
		case PDP_TYPE_INT:
			sb_int(b, img, rhs);
			break;
		case PDP_TYPE_STRING:
			sb_scalar(b, img_str(img, rhs));
			break;
		case PDP_TYPE_BOOL:
			sb_puts(b, rhs == 1 ? "true" : "false");
			break;
		case PDP_TYPE_IP:
			sb_cidr(b, img_cidr(img, rhs), false);
			break;
		case PDP_TYPE_TIME: {
			pdp_time v = img_time(img, rhs);
			char tmp[64];
			time_format_rfc3339(v, tmp, sizeof(tmp));
			sb_puts(b, "\"");
			sb_puts(b, tmp);
			sb_puts(b, "\"");
			break;
		}
		default:
			sb_puts(b, "\"?\"");
		}
		break;
	default:
		sb_puts(b, "null");
	}
	sb_puts(b, "}");
}

/* Post-order nodes: children have lower indices, so depth is bounded by
 * the loader's PDP_MAX_COND_DEPTH check. */
void render_cond(sb *b, const pdp_image *img, uint32_t idx)
{
	const img_cond_rec *k = img_cond(img, idx);
	switch (k->op) {
	case COP_TRUE:
		sb_puts(b, "{all: []}");
		return;
	case COP_FALSE:
		sb_puts(b, "{any: []}");
		return;
	case COP_ALL:
	case COP_ANY:
		sb_puts(b, k->op == COP_ALL ? "{all: [" : "{any: [");
		for (uint32_t i = 0; i < k->count; i++) {
			if (i)
				sb_puts(b, ", ");
			render_cond(b, img, img_word(img, SEC_CONDKIDS, k->first + i));
		}
		sb_puts(b, "]}");
		return;
	case COP_NOT:
		sb_puts(b, "{not: ");
		render_cond(b, img, img_word(img, SEC_CONDKIDS, k->first));
		sb_puts(b, "}");
		return;
	default:
		render_leaf(b, img, k);
	}
}

/* The public entry (audit.h): one condition part of a rule as flow YAML,
 * snprintf-style, so the CLI sizes its buffer from a first call. */
size_t pdp_audit_format_condition(const pdp_image *img, uint32_t rule,
                                  uint32_t part, char *buf, size_t size)
{
	sb b = {buf, buf != NULL ? size : 0, 0};
	if (b.size > 0)
		buf[0] = '\0';
	if (img == NULL || rule >= img->count[SEC_RULES])
		return 0;
	const img_rule_rec *r = img_rule(img, rule);
	switch (part) {
	case PDP_AUDIT_COND_CONTEXTS:
		if (r->ctx_count == 0)
			return 0;
		sb_puts(&b, "contexts: [");
		for (uint32_t i = 0; i < r->ctx_count; i++) {
			if (i)
				sb_puts(&b, ", ");
			render_context(&b, img, img_context(img, r->ctx_first + i));
		}
		sb_puts(&b, "]");
		break;
	case PDP_AUDIT_COND_AUTHENTICATED:
		if (!(r->flags & RULE_FLAG_AUTH))
			return 0;
		sb_puts(&b, "authenticated: true");
		break;
	case PDP_AUDIT_COND_OBJECTS:
		if (r->obj_count == 0)
			return 0;
		sb_puts(&b, "objects: [");
		for (uint32_t i = 0; i < r->obj_count; i++) {
			if (i)
				sb_puts(&b, ", ");
			render_object(&b, img, img_object(img, r->obj_first + i), true);
		}
		sb_puts(&b, "]");
		break;
	case PDP_AUDIT_COND_WHEN:
		if (r->cond == IMG_NONE)
			return 0;
		sb_puts(&b, "when: ");
		render_cond(&b, img, r->cond);
		break;
	default:
		return 0;
	}
	return b.len;
}
