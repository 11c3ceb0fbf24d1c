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
 * " <prefix><name>": an entry indexes a record of `target` that begins
 * with its name, or is itself a string id when target is SEC_STRTAB. */
static void put_names(FILE *out, const pdp_image *img, const char *prefix,
                      enum img_section list, uint32_t first, uint32_t n,
                      enum img_section target)
{
	for (uint32_t j = 0; j < n; j++) {
		uint32_t x = img_word(img, list, first + j);
		fprintf(out, " %s", prefix);
		put_str(out, img, target == SEC_STRTAB ? x : img_rec_name(img, target, x));
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

static void put_ip(FILE *out, const img_cidr_rec *c)
{
	pdp_ip ip;
	img_cidr_addr(c, &ip);
	char buf[64];
	ip_format(&ip, buf, sizeof(buf));
	static const uint8_t v4[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	uint32_t p = c->prefix;
	if (memcmp(ip.b, v4, 12) == 0 && p >= 96)
		p -= 96;
	fprintf(out, "%s/%u", buf, p);
}

/* A condition tree on one line, operators around their operands, with
 * attribute names and literal values resolved from their tables. */
static void put_cond(FILE *out, const pdp_image *img, uint32_t idx)
{
	const img_cond_rec *k = img_cond(img, idx);
	uint32_t op = k->op;
	if (op == COP_TRUE || op == COP_FALSE) {
		fputs(img_cond_op_name(op), out);
		return;
	}
	if (op == COP_ALL || op == COP_ANY || op == COP_NOT) {
		fprintf(out, "(%s", img_cond_op_name(op));
		for (uint32_t i = 0; i < k->count; i++) {
			fputc(' ', out);
			put_cond(out, img, img_word(img, SEC_CONDKIDS, k->first + i));
		}
		fputc(')', out);
		return;
	}
	fprintf(out, "(%s ", img_cond_op_name(op));
	put_str(out, img, img_attr(img, k->attr)->name);
	fputc(' ', out);
	pdp_type t = (pdp_type)img_attr(img, k->attr)->type;
	switch (k->rhs_kind) {
	case RHS_ATTR:
		fputs("attr:", out);
		put_str(out, img, img_attr(img, k->rhs)->name);
		break;
	case RHS_REGEX:
		fputc('/', out);
		put_str(out, img, img_word(img, SEC_REGEXES, k->rhs));
		fputc('/', out);
		break;
	case RHS_LIST:
		fputc('[', out);
		for (uint32_t i = 0; i < k->count; i++) {
			uint32_t item = k->first + i;
			if (i)
				fputc(' ', out);
			if (op == COP_IN_CIDR)
				put_ip(out, img_cidr(img, item));
			else if (t == PDP_TYPE_INT)
				fprintf(out, "%lld",
				        (long long)img_int(img, img_word(img, SEC_LISTITEMS,
				                                         item)));
			else
				put_str(out, img, img_word(img, SEC_LISTITEMS, item));
		}
		fputc(']', out);
		break;
	default:
		if (op == COP_PRESENT || t == PDP_TYPE_BOOL)
			fputs(k->rhs ? "true" : "false", out);
		else if (op == COP_CONTAINS || op == COP_PREFIX || t == PDP_TYPE_STRING)
			put_str(out, img, k->rhs);
		else if (t == PDP_TYPE_INT)
			fprintf(out, "%lld", (long long)img_int(img, k->rhs));
		else if (t == PDP_TYPE_IP)
			put_ip(out, img_cidr(img, k->rhs));
		else if (t == PDP_TYPE_TIME) {
			pdp_time tm = img_time(img, k->rhs);
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
	const img_rule_rec *w = img_rule(img, r);
	fprintf(out, "    [%u] %s ops=", w->index,
	        (w->flags & RULE_FLAG_DENY) ? "deny" : "permit");
	put_ops(out, w->ops);
	if (w->id != IMG_NONE) {
		fputs(" id=", out);
		put_str(out, img, w->id);
	}
	if (w->flags & RULE_FLAG_AUTH)
		fputs(" authenticated", out);
	fputs("\n      originators:", out);
	for (uint32_t i = 0; i < w->orig_count; i++) {
		const img_orig_rec *o = img_orig(img, w->orig_first + i);
		fputc(' ', out);
		switch (o->kind) {
		case ORIG_ALL: fputs("all", out); break;
		case ORIG_EXACT: put_str(out, img, o->value); break;
		case ORIG_GLOB: fputs("glob:", out); put_str(out, img, o->value); break;
		case ORIG_GROUP:
			fputs("group:", out);
			put_str(out, img, img_group(img, o->value)->name);
			break;
		case ORIG_ROLE:
			fputs("role:", out);
			put_str(out, img, img_role(img, o->value)->name);
			break;
		}
	}
	fputc('\n', out);
	for (uint32_t i = 0; i < w->ctx_count; i++) {
		const img_context_rec *x = img_context(img, w->ctx_first + i);
		fprintf(out, "      context %u:", i);
		for (uint32_t j = 0; j < x->win_count; j++) {
			fputs(" window=\"", out);
			put_str(out, img, img_window(img, x->win_first + j)->source);
			fputc('"', out);
		}
		for (uint32_t j = 0; j < x->ip_count; j++) {
			fputs(" ip=", out);
			put_ip(out, img_cidr(img, x->ip_first + j));
		}
		for (uint32_t j = 0; j < x->cc_count; j++) {
			uint32_t code = img_word(img, SEC_COUNTRIES, x->cc_first + j);
			const char *a2 = country_alpha2((int)code);
			fprintf(out, " country=%s", a2 ? a2 : "?");
		}
		for (uint32_t j = 0; j < x->circ_count; j++) {
			const img_circle_rec *c = img_circle(img, x->circ_first + j);
			fprintf(out, " circle=(%g,%g,%gm)", img_double(c->lat),
			        img_double(c->lon), img_double(c->radius));
		}
		fputc('\n', out);
	}
	for (uint32_t i = 0; i < w->obj_count; i++) {
		const img_object_rec *o = img_object(img, w->obj_first + i);
		fprintf(out, "      object %u:", i);
		for (uint32_t j = 0; j < o->ty_count; j++) {
			int32_t ty = (int32_t)img_word(img, SEC_OBJTYPES, o->ty_first + j);
			const char *n = rtype_name(ty);
			fprintf(out, " type=%s", n ? n : "?");
		}
		for (uint32_t j = 0; j < o->sp_count; j++) {
			fputs(" spec=", out);
			put_str(out, img, img_word(img, SEC_OBJSPECS, o->sp_first + j));
		}
		for (uint32_t j = 0; j < o->ch_count; j++) {
			int32_t ty = (int32_t)img_word(img, SEC_OBJTYPES, o->ch_first + j);
			const char *n = rtype_name(ty);
			fprintf(out, " child=%s", n ? n : "?");
		}
		fputc('\n', out);
	}
	if (w->cond != IMG_NONE) {
		fputs("      when: ", out);
		put_cond(out, img, w->cond);
		fputc('\n', out);
	}
}

/* The header's counts, then each table in turn: attributes, roles,
 * constraints, groups, principals, and every ACP with its privileges and
 * self rules (dump_rule). */
void dump_image(FILE *out, const pdp_image *img)
{
	fprintf(out, "pdp image format %u\n", img->version);
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
		const img_attr_rec *a = img_attr(img, i);
		fprintf(out, "  %u ", i);
		put_str(out, img, a->name);
		fprintf(out, ": %s%s\n", a->type <= 6 ? TYPES[a->type] : "?",
		        i < IMG_BUILTIN_ATTRS ? " (built-in)" : "");
	}
	fputs("roles (juniors first):\n", out);
	for (uint32_t i = 0; i < img->count[SEC_ROLES]; i++) {
		const img_role_rec *r = img_role(img, i);
		fprintf(out, "  %u ", i);
		put_str(out, img, r->name);
		if (r->jr_count > 0) {
			fputs(" inherits", out);
			put_names(out, img, "", SEC_ROLEJR, r->jr_first, r->jr_count,
			          SEC_ROLES);
		}
		fputc('\n', out);
	}
	fputs("constraints:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const img_constraint_rec *k = img_constraint(img, i);
		fprintf(out, "  %s ", k->kind == CONSTRAINT_DSD ? "dsd" : "ssd");
		put_str(out, img, k->name);
		fprintf(out, " n=%u:", k->n);
		put_names(out, img, "", SEC_CONSTRMEM, k->mem_first, k->mem_count,
		          SEC_ROLES);
		fputc('\n', out);
	}
	fputs("groups:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_GROUPS]; i++) {
		const img_group_rec *g = img_group(img, i);
		fputs("  ", out);
		put_str(out, img, g->name);
		fputs(":", out);
		put_names(out, img, "", SEC_GROUPGLOBS, g->glob_first, g->glob_count,
		          SEC_STRTAB);
		fputs(" (+ exact members below)\n", out);
	}
	fputs("principals:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const img_principal_rec *p = img_principal(img, i);
		fputs("  ", out);
		put_str(out, img, p->name);
		fputs(":", out);
		put_names(out, img, "role:", SEC_PRINROLES, p->role_first,
		          p->role_count, SEC_ROLES);
		put_names(out, img, "group:", SEC_PRINGROUPS, p->group_first,
		          p->group_count, SEC_GROUPS);
		fputc('\n', out);
	}
	fputs("acps:\n", out);
	for (uint32_t i = 0; i < img->count[SEC_ACPS]; i++) {
		const img_acp_rec *a = img_acp(img, i);
		fputs("  ", out);
		put_str(out, img, a->id);
		if (a->rn != IMG_NONE) {
			fputs(" (rn ", out);
			put_str(out, img, a->rn);
			fputc(')', out);
		}
		fputc('\n', out);
		fprintf(out, "   privileges: %u\n", a->priv_count);
		for (uint32_t j = 0; j < a->priv_count; j++)
			dump_rule(out, img, a->priv_first + j);
		fprintf(out, "   self: %u\n", a->self_count);
		for (uint32_t j = 0; j < a->self_count; j++)
			dump_rule(out, img, a->self_first + j);
	}
}
