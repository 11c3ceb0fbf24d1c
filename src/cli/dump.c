/*
 * dump.c - the compiled image as readable text (`pdp compile --dump`):
 * every table with names resolved, so the compiled form can be inspected,
 * diffed and tested.
 *
 * The one part of the pdp tool that reads the image's records directly
 * (src/image/image.h) rather than through the public headers, as Lua's
 * luac lists bytecode with the VM's own opcode tables: a listing of every
 * word of the format is the format's business, and a public call for it
 * would make the internal layout a contract. It lives here rather than in
 * libpdp because no embedder needs it and libpdp's size is budgeted
 * (docs/architecture.md, "What is not public").
 */
#include <string.h>

#include "cli/dump.h"
#include "common/prims.h"
#include "image/image.h"

static void put_str(FILE *out, const pdp_image *img, uint32_t id)
{
	pdp_str s = img_str(img, id);
	fprintf(out, "%.*s", (int)s.len, s.ptr ? s.ptr : "");
}

/* The n entries of list section `list` from `first`, each as
 * " <prefix><name>": an entry indexes a record of `target` whose word 0 is
 * its name, or is itself a string id when target is SEC_STRTAB. */
static void put_names(FILE *out, const pdp_image *img, const char *prefix,
                      enum img_section list, uint32_t first, uint32_t n,
                      enum img_section target)
{
	for (uint32_t j = 0; j < n; j++) {
		uint32_t x = img_rec(img, list, first + j)[0];
		fprintf(out, " %s", prefix);
		put_str(out, img, target == SEC_STRTAB ? x : img_rec(img, target, x)[0]);
	}
}

static void put_ops(FILE *out, uint32_t ops)
{
	if (ops == PDP_OP_ALL) {
		fputs("all", out);
		return;
	}
	bool first = true;
	for (uint32_t b = 1; b <= PDP_OP_DISCOVER; b <<= 1)
		if (ops & b) {
			fprintf(out, "%s%s", first ? "" : ",", pdp_operation_name(b));
			first = false;
		}
}

static void put_ip(FILE *out, const uint32_t *w)
{
	pdp_ip ip;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			ip.b[4 * i + j] = (uint8_t)(w[i] >> (8 * j));
	char buf[64];
	ip_format(&ip, buf, sizeof(buf));
	static const uint8_t v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	uint32_t p = w[4];
	if (memcmp(ip.b, v4, 12) == 0 && p >= 96)
		p -= 96;
	fprintf(out, "%s/%u", buf, p);
}

static double dbl(const uint32_t *w)
{
	uint64_t b = img_u64(w);
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static const char *const COP_NAMES[COP_COUNT] = {
	"true", "false", "all", "any", "not", "eq", "ne", "lt", "le", "gt",
	"ge", "in", "contains", "matches", "prefix", "in_cidr", "present"};

/* A condition tree on one line, operators around their operands, with
 * attribute names and literal values resolved from their tables. */
static void put_cond(FILE *out, const pdp_image *img, uint32_t idx)
{
	const uint32_t *k = img_rec(img, SEC_CONDS, idx);
	uint32_t op = k[0];
	if (op == COP_TRUE || op == COP_FALSE) {
		fputs(COP_NAMES[op], out);
		return;
	}
	if (op == COP_ALL || op == COP_ANY || op == COP_NOT) {
		fprintf(out, "(%s", COP_NAMES[op]);
		for (uint32_t i = 0; i < k[5]; i++) {
			fputc(' ', out);
			put_cond(out, img, img_rec(img, SEC_CONDKIDS, k[4] + i)[0]);
		}
		fputc(')', out);
		return;
	}
	fprintf(out, "(%s ", COP_NAMES[op]);
	put_str(out, img, img_rec(img, SEC_ATTRS, k[1])[0]);
	fputc(' ', out);
	pdp_type t = (pdp_type)img_rec(img, SEC_ATTRS, k[1])[1];
	switch (k[2]) {
	case RHS_ATTR:
		fputs("attr:", out);
		put_str(out, img, img_rec(img, SEC_ATTRS, k[3])[0]);
		break;
	case RHS_REGEX:
		fputc('/', out);
		put_str(out, img, img_rec(img, SEC_REGEXES, k[3])[0]);
		fputc('/', out);
		break;
	case RHS_LIST:
		fputc('[', out);
		for (uint32_t i = 0; i < k[5]; i++) {
			if (i)
				fputc(' ', out);
			if (op == COP_IN_CIDR)
				put_ip(out, img_rec(img, SEC_CIDRS, k[4] + i));
			else if (t == PDP_TYPE_INT)
				fprintf(out, "%lld",
				        (long long)img_u64(img_rec(
				                img, SEC_INTS,
				                img_rec(img, SEC_LISTITEMS, k[4] + i)[0])));
			else
				put_str(out, img, img_rec(img, SEC_LISTITEMS, k[4] + i)[0]);
		}
		fputc(']', out);
		break;
	default:
		if (op == COP_PRESENT || t == PDP_TYPE_BOOL)
			fputs(k[3] ? "true" : "false", out);
		else if (op == COP_CONTAINS || op == COP_PREFIX || t == PDP_TYPE_STRING)
			put_str(out, img, k[3]);
		else if (t == PDP_TYPE_INT)
			fprintf(out, "%lld",
			        (long long)img_u64(img_rec(img, SEC_INTS, k[3])));
		else if (t == PDP_TYPE_IP)
			put_ip(out, img_rec(img, SEC_CIDRS, k[3]));
		else if (t == PDP_TYPE_TIME) {
			const uint32_t *w = img_rec(img, SEC_TIMES, k[3]);
			pdp_time tm = {(int64_t)img_u64(w), (int32_t)w[2]};
			char buf[64];
			time_format_rfc3339(tm, buf, sizeof(buf));
			fputs(buf, out);
		}
	}
	fputc(')', out);
}

/* One rule on a line and its parts on the next ones: operations,
 * originators (ids, globs, groups, roles), contexts (windows, CIDRs,
 * countries, circles), objects and the condition. */
static void dump_rule(FILE *out, const pdp_image *img, uint32_t r)
{
	const uint32_t *w = img_rec(img, SEC_RULES, r);
	fprintf(out, "    [%u] %s ops=", w[RW_INDEX],
	        (w[RW_FLAGS] & RULE_FLAG_DENY) ? "deny" : "permit");
	put_ops(out, w[RW_OPS]);
	if (w[RW_ID] != IMG_NONE) {
		fputs(" id=", out);
		put_str(out, img, w[RW_ID]);
	}
	if (w[RW_FLAGS] & RULE_FLAG_AUTH)
		fputs(" authenticated", out);
	fputs("\n      originators:", out);
	for (uint32_t i = 0; i < w[RW_ORIG_COUNT]; i++) {
		const uint32_t *o = img_rec(img, SEC_ORIGS, w[RW_ORIG_FIRST] + i);
		fputc(' ', out);
		switch (o[0]) {
		case ORIG_ALL: fputs("all", out); break;
		case ORIG_EXACT: put_str(out, img, o[1]); break;
		case ORIG_GLOB: fputs("glob:", out); put_str(out, img, o[1]); break;
		case ORIG_GROUP:
			fputs("group:", out);
			put_str(out, img, img_rec(img, SEC_GROUPS, o[1])[0]);
			break;
		case ORIG_ROLE:
			fputs("role:", out);
			put_str(out, img, img_rec(img, SEC_ROLES, o[1])[0]);
			break;
		}
	}
	fputc('\n', out);
	for (uint32_t i = 0; i < w[RW_CTX_COUNT]; i++) {
		const uint32_t *x = img_rec(img, SEC_CONTEXTS, w[RW_CTX_FIRST] + i);
		fprintf(out, "      context %u:", i);
		for (uint32_t j = 0; j < x[1]; j++) {
			fputs(" window=\"", out);
			put_str(out, img, img_rec(img, SEC_WINDOWS, x[0] + j)[16]);
			fputc('"', out);
		}
		for (uint32_t j = 0; j < x[3]; j++) {
			fputs(" ip=", out);
			put_ip(out, img_rec(img, SEC_CIDRS, x[2] + j));
		}
		for (uint32_t j = 0; j < x[5]; j++) {
			uint32_t code = img_rec(img, SEC_COUNTRIES, x[4] + j)[0];
			const char *a2 = country_alpha2((int)code);
			fprintf(out, " country=%s", a2 ? a2 : "?");
		}
		for (uint32_t j = 0; j < x[7]; j++) {
			const uint32_t *c = img_rec(img, SEC_CIRCLES, x[6] + j);
			fprintf(out, " circle=(%g,%g,%gm)", dbl(c), dbl(c + 2), dbl(c + 4));
		}
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < w[RW_OBJ_COUNT]; i++) {
		const uint32_t *o = img_rec(img, SEC_OBJECTS, w[RW_OBJ_FIRST] + i);
		fprintf(out, "      object %u:", i);
		for (uint32_t j = 0; j < o[1]; j++) {
			int32_t ty = (int32_t)img_rec(img, SEC_OBJTYPES, o[0] + j)[0];
			const char *n = rtype_name(ty);
			fprintf(out, " type=%s", n ? n : "?");
		}
		for (uint32_t j = 0; j < o[3]; j++) {
			fputs(" spec=", out);
			put_str(out, img, img_rec(img, SEC_OBJSPECS, o[2] + j)[0]);
		}
		for (uint32_t j = 0; j < o[5]; j++) {
			int32_t ty = (int32_t)img_rec(img, SEC_OBJTYPES, o[4] + j)[0];
			const char *n = rtype_name(ty);
			fprintf(out, " child=%s", n ? n : "?");
		}
		fputc('\n', out);
	}
	if (w[RW_COND] != IMG_NONE) {
		fputs("      when: ", out);
		put_cond(out, img, w[RW_COND]);
		fputc('\n', out);
	}
}

/* The header's counts, then each table in turn: attributes, roles,
 * constraints, groups, principals, and every ACP with its privileges and
 * self rules (dump_rule). */
void dump_image(FILE *out, const pdp_image *img)
{
	fprintf(out, "pdp image format %u\n", IMG_VERSION);
	fprintf(out, "strings %u (%u bytes), acps %u, rules %u, roles %u, "
	             "principals %u, groups %u, constraints %u, attributes %u, "
	             "conditions %u, regexes %u\n",
	        img->count[SEC_STRTAB], img->blob_len, img->count[SEC_ACPS],
	        img->count[SEC_RULES], img->count[SEC_ROLES],
	        img->count[SEC_PRINCIPALS], img->count[SEC_GROUPS],
	        img->count[SEC_CONSTRAINTS], img->count[SEC_ATTRS],
	        img->count[SEC_CONDS], img->count[SEC_REGEXES]);
	static const char *const TYPES[] = {"none", "int", "string", "bool",
	                                    "ip", "time", "set<string>"};
	fputs("attributes:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_ATTRS]; i++) {
		const uint32_t *a = img_rec(img, SEC_ATTRS, i);
		fprintf(out, "  %u ", i);
		put_str(out, img, a[0]);
		fprintf(out, ": %s%s\n", a[1] <= 6 ? TYPES[a[1]] : "?",
		        i < IMG_BUILTIN_ATTRS ? " (built-in)" : "");
	}
	fputs("roles (juniors first):\n", out);
	for (uint32_t i = 0; i < img->count[SEC_ROLES]; i++) {
		const uint32_t *r = img_rec(img, SEC_ROLES, i);
		fprintf(out, "  %u ", i);
		put_str(out, img, r[0]);
		if (r[2] > 0) {
			fputs(" inherits", out);
			put_names(out, img, "", SEC_ROLEJR, r[1], r[2], SEC_ROLES);
		}
		fputc('\n', out);
	}
	fputs("constraints:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const uint32_t *k = img_rec(img, SEC_CONSTRAINTS, i);
		fprintf(out, "  %s ", k[0] ? "dsd" : "ssd");
		put_str(out, img, k[1]);
		fprintf(out, " n=%u:", k[2]);
		put_names(out, img, "", SEC_CONSTRMEM, k[3], k[4], SEC_ROLES);
		fputc('\n', out);
	}
	fputs("groups:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_GROUPS]; i++) {
		const uint32_t *g = img_rec(img, SEC_GROUPS, i);
		fputs("  ", out);
		put_str(out, img, g[0]);
		fputs(":", out);
		put_names(out, img, "", SEC_GROUPGLOBS, g[1], g[2], SEC_STRTAB);
		fputs(" (+ exact members below)\n", out);
	}
	fputs("principals:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const uint32_t *p = img_rec(img, SEC_PRINCIPALS, i);
		fputs("  ", out);
		put_str(out, img, p[0]);
		fputs(":", out);
		put_names(out, img, "role:", SEC_PRINROLES, p[1], p[2], SEC_ROLES);
		put_names(out, img, "group:", SEC_PRINGROUPS, p[3], p[4], SEC_GROUPS);
		fputc('\n', out);
	}
	fputs("acps:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_ACPS]; i++) {
		const uint32_t *a = img_rec(img, SEC_ACPS, i);
		fputs("  ", out);
		put_str(out, img, a[0]);
		if (a[1] != IMG_NONE) {
			fputs(" (rn ", out);
			put_str(out, img, a[1]);
			fputc(')', out);
		}
		fputc('\n', out);
		fprintf(out, "   privileges: %u\n", a[3]);
		for (uint32_t j = 0; j < a[3]; j++)
			dump_rule(out, img, a[2] + j);
		fprintf(out, "   self: %u\n", a[5]);
		for (uint32_t j = 0; j < a[5]; j++)
			dump_rule(out, img, a[4] + j);
	}
}
