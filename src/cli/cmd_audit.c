/*
 * cmd_audit.c - `pdp audit`: what a subject may do, who may do what on an
 * ACP, a role's place in the hierarchy and its permissions, and the SSD/DSD
 * sets; as aligned text tables or JSON (schemas/audit.schema.json). The
 * answers come from include/pdp/audit.h over a loaded image, so -p and -i
 * give the same output for the same policy.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pdp/audit.h"

static const char AUDIT_HELP[] =
	"usage: pdp audit (-p POLICY [-p POLICY]... | -i IMAGE) QUERY [--json]\n"
	"queries:\n"
	"  --subject ID [--roles R,...]  every ACP, section and operation ID may\n"
	"                    be granted: how, under which conditions, and which\n"
	"                    deny rules could override. --roles activates exactly\n"
	"                    those roles (default: the assigned roles); --roles ''\n"
	"                    activates none.\n"
	"  --acp ID [--operation OP]     who may be granted the ACP's operations\n"
	"  --role R          juniors, seniors, assigned and authorized users and\n"
	"                    the role's permissions\n"
	"  --constraints     the SSD and DSD role sets\n"
	"  --json            one JSON document (schemas/audit.schema.json)\n"
	"docs/audit.md describes the answers.\n"
	"Exit: 0 answered, 1 policy errors, 64 usage (or an unknown ACP, role\n"
	"or operation name, or a subject pdp decide refuses as a bad request),\n"
	"65 image rejected, 66 I/O.\n";

/* ---- small string helpers ---- */

typedef struct dstr {
	char *p;
	size_t n, cap;
} dstr;

/* Room for n more bytes and a NUL. */
static void ds_reserve(dstr *d, size_t n)
{
	if (d->n + n + 1 > d->cap || d->p == NULL) {
		size_t nc = d->cap ? d->cap : 64;
		while (nc < d->n + n + 1)
			nc *= 2;
		char *np = realloc(d->p, nc);
		if (np == NULL) {
			fputs("pdp audit: out of memory\n", stderr);
			exit(EXIT_IO);
		}
		d->p = np;
		d->cap = nc;
	}
}

static void ds_putn(dstr *d, const char *s, size_t n)
{
	ds_reserve(d, n);
	memcpy(d->p + d->n, s, n);
	d->n += n;
	d->p[d->n] = '\0';
}

static void ds_puts(dstr *d, const char *s)
{
	ds_putn(d, s, strlen(s));
}

static void ds_str(dstr *d, pdp_str s)
{
	ds_putn(d, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}

static void ds_printf(dstr *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void ds_printf(dstr *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	ds_reserve(d, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(d->p + d->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->n += (size_t)n;
}

static char *ds_take(dstr *d)
{
	char *p = d->p ? d->p : strdup("");
	d->p = NULL;
	d->n = d->cap = 0;
	return p;
}

/* ---- aligned tables ---- */

#define MAX_COLS 10

typedef struct table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows x ncols, row 0 the header */
} table;

static void table_row(table *t, char **cells)
{
	if (t->nrows == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		char **np = realloc(t->cells, nc * t->ncols * sizeof(char *));
		if (np == NULL) {
			fputs("pdp audit: out of memory\n", stderr);
			exit(EXIT_IO);
		}
		t->cells = np;
		t->cap = nc;
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = cells[c] ? cells[c] : strdup("");
	t->nrows++;
}

static void table_header(table *t, size_t ncols, const char *const *names)
{
	char *cells[MAX_COLS];
	t->ncols = ncols;
	for (size_t c = 0; c < ncols; c++)
		cells[c] = strdup(names[c]);
	table_row(t, cells);
}

static void table_free(table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Two spaces between columns; the last column is not padded. */
static void table_print(table *t, FILE *out)
{
	size_t w[MAX_COLS] = {0};
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c + 1 == t->ncols)
				fprintf(out, "%s\n", s);
			else
				fprintf(out, "%-*s  ", (int)w[c], s);
		}
	}
	table_free(t);
}

/* ---- pieces shared by the queries ---- */

static const uint32_t PARTS[4] = {PDP_AUDIT_COND_CONTEXTS,
                                  PDP_AUDIT_COND_AUTHENTICATED,
                                  PDP_AUDIT_COND_OBJECTS, PDP_AUDIT_COND_WHEN};

static char *cond_text(const pdp_image *img, uint32_t rule, uint32_t part)
{
	size_t n = pdp_audit_format_condition(img, rule, part, NULL, 0);
	char *s = malloc(n + 1);
	if (s == NULL)
		exit(EXIT_IO);
	pdp_audit_format_condition(img, rule, part, s, n + 1);
	return s;
}

/* The condition parts in mask, joined by "; " ("-" when none). */
static char *conds_joined(const pdp_image *img, uint32_t rule, uint32_t mask)
{
	dstr d = {0};
	for (int i = 0; i < 4; i++) {
		if (!(mask & PARTS[i]))
			continue;
		char *s = cond_text(img, rule, PARTS[i]);
		if (d.n)
			ds_puts(&d, "; ");
		ds_puts(&d, s);
		free(s);
	}
	if (d.n == 0)
		ds_puts(&d, "-");
	return ds_take(&d);
}

/* Every part the rule has, residual or not. */
static uint32_t rule_parts(const pdp_image *img, uint32_t rule)
{
	uint32_t m = 0;
	for (int i = 0; i < 4; i++)
		if (pdp_audit_format_condition(img, rule, PARTS[i], NULL, 0) > 0)
			m |= PARTS[i];
	return m;
}

static char *rule_token(const pdp_image *img, uint32_t rule, bool with_id)
{
	char *tok = rule_token_text(img, rule);
	dstr d = {0};
	ds_puts(&d, tok);
	free(tok);
	pdp_audit_rule r;
	if (with_id && pdp_audit_rule_get(img, rule, &r) == PDP_OK && r.id.ptr) {
		ds_puts(&d, " ");
		ds_str(&d, r.id);
	}
	return ds_take(&d);
}

static void orig_text(dstr *d, const pdp_audit_originator *o)
{
	if (o->kind == PDP_AUDIT_VIA_GROUP)
		ds_puts(d, "group:");
	else if (o->kind == PDP_AUDIT_VIA_ROLE)
		ds_puts(d, "role:");
	ds_str(d, o->name);
}

static char *rule_originators(const pdp_image *img, uint32_t rule)
{
	pdp_audit_rule r;
	dstr d = {0};
	ds_puts(&d, "[");
	if (pdp_audit_rule_get(img, rule, &r) == PDP_OK)
		for (uint32_t i = 0; i < r.n_originators; i++) {
			pdp_audit_originator o;
			pdp_audit_rule_originator(img, rule, i, &o);
			if (i)
				ds_puts(&d, ", ");
			orig_text(&d, &o);
		}
	ds_puts(&d, "]");
	return ds_take(&d);
}

static const char *section_name(bool self)
{
	return self ? "self" : "privileges";
}

static const char *status_name(pdp_audit_status s)
{
	return s == PDP_AUDIT_UNCONDITIONAL ? "unconditional"
	       : s == PDP_AUDIT_CONDITIONAL ? "conditional"
	                                    : "overridden";
}

static const char *via_name(pdp_audit_via v)
{
	static const char *const N[] = {"all", "exact", "glob", "group", "role"};
	return (unsigned)v < 5 ? N[v] : "?";
}

static pdp_str role_name(const pdp_image *img, uint32_t r)
{
	return pdp_audit_role_name(img, r);
}

static void ds_role_list(dstr *d, const pdp_image *img, const uint32_t *r,
                         size_t n)
{
	if (n == 0)
		ds_puts(d, "-");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ds_puts(d, ", ");
		ds_str(d, role_name(img, r[i]));
	}
}

static void ds_str_list(dstr *d, const pdp_str *s, size_t n)
{
	if (n == 0)
		ds_puts(d, "-");
	for (size_t i = 0; i < n; i++) {
		if (i)
			ds_puts(d, ", ");
		ds_str(d, s[i]);
	}
}

/* Lists from the count-returning review calls, malloc'd. */
static uint32_t *roles_of(size_t (*fn)(const pdp_image *, uint32_t, bool,
                                       uint32_t *, size_t),
                          const pdp_image *img, uint32_t role, bool direct,
                          size_t *n)
{
	*n = fn(img, role, direct, NULL, 0);
	uint32_t *v = malloc((*n + 1) * sizeof(uint32_t));
	if (v == NULL)
		exit(EXIT_IO);
	fn(img, role, direct, v, *n);
	return v;
}

static pdp_str *users_of(size_t (*fn)(const pdp_image *, uint32_t, pdp_str *,
                                      size_t),
                         const pdp_image *img, uint32_t idx, size_t *n)
{
	*n = fn(img, idx, NULL, 0);
	pdp_str *v = malloc((*n + 1) * sizeof(pdp_str));
	if (v == NULL)
		exit(EXIT_IO);
	fn(img, idx, v, *n);
	return v;
}

/* ---- JSON helpers ---- */

static void jpstr(FILE *out, pdp_str s)
{
	if (s.ptr == NULL)
		fputs("null", out);
	else
		json_string(out, s.ptr, s.len);
}

static void jcstr(FILE *out, const char *s)
{
	json_string(out, s, strlen(s));
}

static void j_role_list(FILE *out, const pdp_image *img, const uint32_t *r,
                        size_t n)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		jpstr(out, role_name(img, r[i]));
	}
	fputc(']', out);
}

static void j_str_list(FILE *out, const pdp_str *s, size_t n)
{
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		jpstr(out, s[i]);
	}
	fputc(']', out);
}

static void j_conds(FILE *out, const pdp_image *img, uint32_t rule,
                    uint32_t mask)
{
	fputc('[', out);
	bool first = true;
	for (int i = 0; i < 4; i++) {
		if (!(mask & PARTS[i]))
			continue;
		char *s = cond_text(img, rule, PARTS[i]);
		if (!first)
			fputc(',', out);
		jcstr(out, s);
		free(s);
		first = false;
	}
	fputc(']', out);
}

static void j_ops(FILE *out, uint32_t ops)
{
	fputc('[', out);
	bool first = true;
	for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1)
		if (ops & op) {
			if (!first)
				fputc(',', out);
			jcstr(out, pdp_operation_name(op));
			first = false;
		}
	fputc(']', out);
}

/* The rule object of the schema. */
static void j_rule(FILE *out, const pdp_image *img, uint32_t rule)
{
	pdp_audit_rule r;
	pdp_audit_rule_get(img, rule, &r);
	char *tok = rule_token(img, rule, false);
	fputs("{\"rule\":", out);
	jcstr(out, tok);
	free(tok);
	fputs(",\"id\":", out);
	jpstr(out, r.id);
	fputs(",\"file\":", out);
	jpstr(out, r.file);
	fprintf(out, ",\"line\":%u,\"effect\":\"%s\",\"acp\":", r.line,
	        r.deny ? "deny" : "permit");
	jpstr(out, pdp_acp_name(img, r.acp));
	fprintf(out, ",\"section\":\"%s\",\"index\":%u,\"operations\":",
	        section_name(r.self), r.index);
	j_ops(out, r.operations);
	fputs(",\"originators\":[", out);
	for (uint32_t i = 0; i < r.n_originators; i++) {
		pdp_audit_originator o;
		pdp_audit_rule_originator(img, rule, i, &o);
		dstr d = {0};
		orig_text(&d, &o);
		if (i)
			fputc(',', out);
		json_string(out, d.p, d.n);
		free(d.p);
	}
	fputs("],\"conditions\":", out);
	j_conds(out, img, rule, rule_parts(img, rule));
	fputc('}', out);
}

/* ---- permissions (subject and role queries) ---- */

static char *via_text(const pdp_image *img, const pdp_audit_grant *g)
{
	dstr d = {0};
	pdp_audit_originator o;
	pdp_audit_rule_originator(img, g->rule, g->originator, &o);
	switch (g->via) {
	case PDP_AUDIT_VIA_ALL:
		ds_puts(&d, "all");
		break;
	case PDP_AUDIT_VIA_EXACT:
		ds_puts(&d, "id ");
		ds_str(&d, o.name);
		break;
	case PDP_AUDIT_VIA_GLOB:
		ds_puts(&d, "glob ");
		ds_str(&d, o.name);
		break;
	case PDP_AUDIT_VIA_GROUP:
		ds_puts(&d, "group ");
		ds_str(&d, o.name);
		break;
	case PDP_AUDIT_VIA_ROLE:
		ds_puts(&d, "role ");
		ds_str(&d, o.name);
		if (g->through_role != PDP_NONE && g->through_role != g->via_index) {
			ds_puts(&d, " (inherited from ");
			ds_str(&d, role_name(img, g->through_role));
			ds_puts(&d, ")");
		}
		break;
	}
	return ds_take(&d);
}

static void print_perms_text(FILE *out, const pdp_image *img,
                             const pdp_audit_perms *p)
{
	if (p->n_perms == 0) {
		fputs("no permissions\n", out);
		return;
	}
	static const char *const H[] = {"ACP", "SECTION", "OPERATION", "GRANT",
	                                "VIA", "RULE", "OVERRIDES",
	                                "CONDITIONS"};
	table t = {0};
	table_header(&t, 8, H);
	/* deny rules to describe below, in first-seen order */
	uint32_t *denies = NULL;
	size_t nd = 0;
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		dstr ov = {0};
		for (size_t k = 0; k < x->n_overrides; k++) {
			char *tok = rule_token(img, x->overrides[k], false);
			if (k)
				ds_puts(&ov, ", ");
			ds_puts(&ov, tok);
			free(tok);
			bool seen = false;
			for (size_t m = 0; m < nd && !seen; m++)
				seen = denies[m] == x->overrides[k];
			if (!seen) {
				uint32_t *nv = realloc(denies, (nd + 1) * sizeof(uint32_t));
				if (nv == NULL) {
					free(ov.p);
					free(denies);
					exit(EXIT_IO);
				}
				denies = nv;
				denies[nd++] = x->overrides[k];
			}
		}
		if (ov.n == 0)
			ds_puts(&ov, "-");
		char *ovs = ds_take(&ov);
		for (size_t j = 0; j < x->n_grants; j++) {
			const pdp_audit_grant *g = &x->grants[j];
			char *cells[8];
			dstr a = {0};
			ds_str(&a, pdp_acp_name(img, x->acp));
			cells[0] = ds_take(&a);
			cells[1] = strdup(section_name(x->self));
			cells[2] = strdup(pdp_operation_name(x->operation));
			cells[3] = strdup(x->status == PDP_AUDIT_OVERRIDDEN
			                          ? "overridden"
			                  : g->unconditional ? "unconditional"
			                                     : "conditional");
			cells[4] = via_text(img, g);
			cells[5] = rule_token(img, g->rule, true);
			cells[6] = strdup(ovs);
			cells[7] = conds_joined(img, g->rule, g->conditions);
			table_row(&t, cells);
		}
		free(ovs);
	}
	table_print(&t, out);
	if (nd > 0) {
		fputs("\ndeny rules that could override:\n", out);
		static const char *const D[] = {"RULE", "ORIGINATORS",
		                                "OPERATIONS", "CONDITIONS"};
		table_header(&t, 4, D);
		for (size_t i = 0; i < nd; i++) {
			pdp_audit_rule r;
			pdp_audit_rule_get(img, denies[i], &r);
			char *cells[4];
			cells[0] = rule_token(img, denies[i], true);
			cells[1] = rule_originators(img, denies[i]);
			dstr o = {0};
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1)
				if (r.operations & op) {
					if (o.n)
						ds_puts(&o, ",");
					ds_puts(&o, pdp_operation_name(op));
				}
			cells[2] = ds_take(&o);
			cells[3] = conds_joined(img, denies[i], rule_parts(img, denies[i]));
			table_row(&t, cells);
		}
		table_print(&t, out);
	}
	free(denies);
}

static void print_perms_json(FILE *out, const pdp_image *img,
                             const pdp_audit_perms *p)
{
	fputc('[', out);
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		if (i)
			fputc(',', out);
		fputs("{\"acp\":", out);
		jpstr(out, pdp_acp_name(img, x->acp));
		fprintf(out, ",\"section\":\"%s\",\"operation\":\"%s\",\"status\":\"%s\","
		             "\"grants\":[",
		        section_name(x->self), pdp_operation_name(x->operation),
		        status_name(x->status));
		for (size_t j = 0; j < x->n_grants; j++) {
			const pdp_audit_grant *g = &x->grants[j];
			pdp_audit_originator o;
			pdp_audit_rule_originator(img, g->rule, g->originator, &o);
			if (j)
				fputc(',', out);
			fprintf(out, "{\"via\":\"%s\",\"name\":", via_name(g->via));
			jpstr(out, o.name);
			fputs(",\"through_role\":", out);
			if (g->through_role != PDP_NONE)
				jpstr(out, role_name(img, g->through_role));
			else
				fputs("null", out);
			fprintf(out, ",\"unconditional\":%s,\"conditions\":",
			        g->unconditional ? "true" : "false");
			j_conds(out, img, g->rule, g->conditions);
			fputs(",\"rule\":", out);
			j_rule(out, img, g->rule);
			fputc('}', out);
		}
		fputs("],\"overrides\":[", out);
		for (size_t k = 0; k < x->n_overrides; k++) {
			if (k)
				fputc(',', out);
			j_rule(out, img, x->overrides[k]);
		}
		fputs("]}", out);
	}
	fputc(']', out);
}

/* ---- --subject ---- */

static int split_roles(const char *arg, pdp_str **out, size_t *n)
{
	size_t cap = 1;
	for (const char *c = arg; *c; c++)
		cap += *c == ',';
	pdp_str *v = calloc(cap, sizeof(pdp_str));
	if (v == NULL)
		return EXIT_IO;
	*n = 0;
	const char *s = arg;
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len > 0) {
			v[*n].ptr = s;
			v[(*n)++].len = len;
		}
		if (e == NULL)
			break;
		s = e + 1;
	}
	*out = v;
	return EXIT_OK;
}

/* A subject (and --roles) that pdp decide would refuse as a bad request
 * (empty, longer than the originator limit, too many roles): decide never
 * grants it anything, so listing grants would mislead. The check is
 * decide's own, on a request with no ACP. */
static bool decide_refuses(const pdp_image *img, pdp_str subj,
                           const pdp_str *roles, size_t nroles,
                           bool roles_given)
{
	pdp_request q;
	pdp_request_init(&q);
	q.originator = subj;
	q.roles = roles;
	q.n_roles = nroles;
	q.roles_given = roles_given;
	q.operation = PDP_OP_RETRIEVE;
	pdp_decision d;
	pdp_decide(img, NULL, &q, &d);
	if (d.reason != PDP_REASON_BAD_REQUEST)
		return false;
	fprintf(stderr, "pdp audit: pdp decide answers every request of this "
	                "subject%s deny bad-request: %s; no grants to list\n",
	        roles_given ? " with these --roles" : "",
	        bad_request_text((pdp_bad)d.detail));
	return true;
}

static int query_subject(FILE *out, const pdp_image *img, const char *id,
                         const char *roles_arg, bool json)
{
	pdp_str subj = {id, strlen(id)};
	pdp_str *roles = NULL;
	size_t nroles = 0;
	pdp_audit_perms *p = NULL;
	pdp_error err;
	pdp_status st;
	if (roles_arg != NULL) {
		if (split_roles(roles_arg, &roles, &nroles) != EXIT_OK)
			return EXIT_IO;
	}
	if (decide_refuses(img, subj, roles, nroles, roles_arg != NULL)) {
		free(roles);
		return EXIT_USAGE;
	}
	if (roles_arg != NULL) {
		st = pdp_audit_session_permissions(img, subj, roles, nroles, PDP_NONE,
		                                   &p, &err);
	} else {
		st = pdp_audit_user_permissions(img, subj, PDP_NONE, &p, &err);
	}
	if (st != PDP_OK) {
		fprintf(stderr, "pdp audit: %s\n", err.message);
		free(roles);
		return EXIT_IO;
	}
	size_t na = pdp_audit_assigned_roles(img, subj, NULL, 0);
	uint32_t *assigned = malloc((na + 1) * sizeof(uint32_t));
	if (assigned == NULL)
		exit(EXIT_IO);
	pdp_audit_assigned_roles(img, subj, assigned, na);
	const char *act = p->activation == PDP_AUDIT_ACTIVATION_OK ? "ok"
	                  : p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED
	                          ? "role-not-authorized"
	                          : "dsd-violation";
	pdp_str detail = {NULL, 0};
	if (p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED && roles != NULL)
		detail = roles[p->activation_detail];
	else if (p->activation == PDP_AUDIT_DSD_VIOLATION) {
		pdp_audit_constraint k;
		pdp_audit_constraint_get(img, p->activation_detail, &k);
		detail = k.name;
	}
	if (json) {
		fputs("{\"query\":\"subject\",\"subject\":", out);
		jpstr(out, subj);
		fprintf(out, ",\"roles_given\":%s,\"assigned_roles\":",
		        roles_arg ? "true" : "false");
		j_role_list(out, img, assigned, na);
		fputs(",\"active_roles\":", out);
		j_role_list(out, img, p->active_roles, p->n_active_roles);
		fputs(",\"active_closure\":", out);
		j_role_list(out, img, p->active_closure, p->n_active_closure);
		fprintf(out, ",\"activation\":{\"status\":\"%s\"", act);
		if (p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED) {
			fputs(",\"role\":", out);
			jpstr(out, detail);
		} else if (p->activation == PDP_AUDIT_DSD_VIOLATION) {
			fputs(",\"constraint\":", out);
			jpstr(out, detail);
		}
		fputs("},\"permissions\":", out);
		print_perms_json(out, img, p);
		fputs("}\n", out);
	} else {
		dstr d = {0};
		fprintf(out, "subject %s\n", id);
		ds_role_list(&d, img, assigned, na);
		fprintf(out, "assigned roles: %s\n", d.p);
		d.n = 0;
		ds_role_list(&d, img, p->active_roles, p->n_active_roles);
		fprintf(out, "active roles:   %s%s\n", d.p,
		        roles_arg ? " (--roles)" : " (assigned)");
		d.n = 0;
		ds_role_list(&d, img, p->active_closure, p->n_active_closure);
		fprintf(out, "with juniors:   %s\n", d.p);
		free(d.p);
		if (p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED)
			fprintf(out, "activation refused: role %.*s is not authorized for "
			             "this subject (role-not-authorized): every request is "
			             "denied\n",
			        (int)detail.len, detail.ptr);
		else if (p->activation == PDP_AUDIT_DSD_VIOLATION)
			fprintf(out, "activation refused: the active roles break DSD set "
			             "%.*s (dsd-violation): every request is denied\n",
			        (int)detail.len, detail.ptr ? detail.ptr : "");
		fputc('\n', out);
		print_perms_text(out, img, p);
	}
	free(assigned);
	free(roles);
	pdp_audit_perms_free(p);
	return EXIT_OK;
}

/* ---- --acp ---- */

static char *who_members(const pdp_image *img, const pdp_audit_originator *o)
{
	dstr d = {0};
	size_t n;
	if (o->kind == PDP_AUDIT_VIA_ALL) {
		ds_puts(&d, "anyone");
	} else if (o->kind == PDP_AUDIT_VIA_GROUP) {
		pdp_str *m = users_of(pdp_audit_group_members, img, o->index, &n);
		ds_puts(&d, "members: ");
		ds_str_list(&d, m, n);
		free(m);
		m = users_of(pdp_audit_group_globs, img, o->index, &n);
		if (n > 0) {
			ds_puts(&d, "; globs: ");
			ds_str_list(&d, m, n);
		}
		free(m);
	} else if (o->kind == PDP_AUDIT_VIA_ROLE) {
		pdp_str *m = users_of(pdp_audit_authorized_users, img, o->index, &n);
		ds_puts(&d, "authorized users: ");
		ds_str_list(&d, m, n);
		free(m);
	} else {
		ds_puts(&d, "-");
	}
	return ds_take(&d);
}

static void j_who(FILE *out, const pdp_image *img, uint32_t rule)
{
	pdp_audit_rule r;
	pdp_audit_rule_get(img, rule, &r);
	fputc('[', out);
	for (uint32_t i = 0; i < r.n_originators; i++) {
		pdp_audit_originator o;
		pdp_audit_rule_originator(img, rule, i, &o);
		if (i)
			fputc(',', out);
		fprintf(out, "{\"kind\":\"%s\",\"name\":", via_name(o.kind));
		jpstr(out, o.name);
		size_t n;
		if (o.kind == PDP_AUDIT_VIA_GROUP) {
			pdp_str *m = users_of(pdp_audit_group_members, img, o.index, &n);
			fputs(",\"members\":", out);
			j_str_list(out, m, n);
			free(m);
			m = users_of(pdp_audit_group_globs, img, o.index, &n);
			fputs(",\"globs\":", out);
			j_str_list(out, m, n);
			free(m);
		} else if (o.kind == PDP_AUDIT_VIA_ROLE) {
			pdp_str *m = users_of(pdp_audit_authorized_users, img, o.index, &n);
			fputs(",\"authorized_users\":", out);
			j_str_list(out, m, n);
			free(m);
		}
		fputc('}', out);
	}
	fputc(']', out);
}

static int query_acp(FILE *out, const pdp_image *img, const char *id,
                     const char *opname, bool json)
{
	pdp_str name = {id, strlen(id)};
	uint32_t acp = pdp_acp_index(img, name);
	if (acp == PDP_NONE) {
		fprintf(stderr, "pdp audit: no ACP '%s' in the policy\n", id);
		return EXIT_USAGE;
	}
	uint32_t ops = 0;
	if (opname != NULL) {
		pdp_str o = {opname, strlen(opname)};
		ops = pdp_operation_from_name(o);
		if (ops == 0 && strcmp(opname, "all") != 0) {
			fprintf(stderr, "pdp audit: unknown operation '%s'\n", opname);
			return EXIT_USAGE;
		}
	}
	pdp_audit_acp *a;
	pdp_error err;
	if (pdp_audit_acp_query(img, acp, ops, &a, &err) != PDP_OK) {
		fprintf(stderr, "pdp audit: %s\n", err.message);
		return EXIT_IO;
	}
	if (json) {
		fputs("{\"query\":\"acp\",\"acp\":", out);
		jpstr(out, name);
		fputs(",\"entries\":[", out);
		for (size_t i = 0; i < a->n_entries; i++) {
			const pdp_audit_acp_entry *e = &a->entries[i];
			if (i)
				fputc(',', out);
			fprintf(out, "{\"section\":\"%s\",\"operation\":\"%s\",\"permits\":[",
			        section_name(e->self), pdp_operation_name(e->operation));
			for (size_t k = 0; k < e->n_permits; k++) {
				uint32_t c = pdp_audit_rule_conditions(img, e->permits[k],
				                                       e->operation);
				if (k)
					fputc(',', out);
				fprintf(out, "{\"unconditional\":%s,\"conditions\":",
				        c == 0 && e->n_denies == 0 ? "true" : "false");
				j_conds(out, img, e->permits[k], c);
				fputs(",\"who\":", out);
				j_who(out, img, e->permits[k]);
				fputs(",\"rule\":", out);
				j_rule(out, img, e->permits[k]);
				fputc('}', out);
			}
			fputs("],\"denies\":[", out);
			for (size_t k = 0; k < e->n_denies; k++) {
				uint32_t c = pdp_audit_rule_conditions(img, e->denies[k],
				                                       e->operation);
				if (k)
					fputc(',', out);
				fputs("{\"conditions\":", out);
				j_conds(out, img, e->denies[k], c);
				fputs(",\"who\":", out);
				j_who(out, img, e->denies[k]);
				fputs(",\"rule\":", out);
				j_rule(out, img, e->denies[k]);
				fputc('}', out);
			}
			fputs("]}", out);
		}
		fputs("]}\n", out);
		pdp_audit_acp_free(a);
		return EXIT_OK;
	}
	fprintf(out, "acp %s\n\n", id);
	if (a->n_entries == 0) {
		fputs("no rules\n", out);
		pdp_audit_acp_free(a);
		return EXIT_OK;
	}
	static const char *const H[] = {"SECTION", "OPERATION", "EFFECT",
	                                "GRANT", "WHO", "MEMBERS", "RULE",
	                                "CONDITIONS"};
	table t = {0};
	table_header(&t, 8, H);
	for (size_t i = 0; i < a->n_entries; i++) {
		const pdp_audit_acp_entry *e = &a->entries[i];
		for (int deny = 0; deny < 2; deny++) {
			const uint32_t *rules = deny ? e->denies : e->permits;
			size_t n = deny ? e->n_denies : e->n_permits;
			for (size_t k = 0; k < n; k++) {
				uint32_t c = pdp_audit_rule_conditions(img, rules[k], e->operation);
				pdp_audit_rule r;
				pdp_audit_rule_get(img, rules[k], &r);
				for (uint32_t oi = 0; oi < r.n_originators; oi++) {
					pdp_audit_originator o;
					pdp_audit_rule_originator(img, rules[k], oi, &o);
					char *cells[8];
					cells[0] = strdup(section_name(e->self));
					cells[1] = strdup(pdp_operation_name(e->operation));
					cells[2] = strdup(deny ? "deny" : "permit");
					cells[3] = strdup(deny ? "could override"
					                  : (c == 0 && e->n_denies == 0)
					                          ? "unconditional"
					                          : "conditional");
					dstr w = {0};
					orig_text(&w, &o);
					cells[4] = ds_take(&w);
					cells[5] = who_members(img, &o);
					cells[6] = rule_token(img, rules[k], true);
					cells[7] = conds_joined(img, rules[k], c);
					table_row(&t, cells);
				}
			}
		}
	}
	table_print(&t, out);
	pdp_audit_acp_free(a);
	return EXIT_OK;
}

/* ---- --role ---- */

static int query_role(FILE *out, const pdp_image *img, const char *rname,
                      bool json)
{
	pdp_str name = {rname, strlen(rname)};
	uint32_t role = pdp_audit_role_index(img, name);
	if (role == PDP_NONE) {
		fprintf(stderr, "pdp audit: no role '%s' in the policy\n", rname);
		return EXIT_USAGE;
	}
	size_t ndj, naj, nds, nas, nau, nzu;
	uint32_t *dj = roles_of(pdp_audit_role_juniors, img, role, true, &ndj);
	uint32_t *aj = roles_of(pdp_audit_role_juniors, img, role, false, &naj);
	uint32_t *ds = roles_of(pdp_audit_role_seniors, img, role, true, &nds);
	uint32_t *as = roles_of(pdp_audit_role_seniors, img, role, false, &nas);
	pdp_str *au = users_of(pdp_audit_assigned_users, img, role, &nau);
	pdp_str *zu = users_of(pdp_audit_authorized_users, img, role, &nzu);
	pdp_audit_perms *p;
	pdp_error err;
	if (pdp_audit_role_permissions(img, role, PDP_NONE, &p, &err) != PDP_OK) {
		fprintf(stderr, "pdp audit: %s\n", err.message);
		return EXIT_IO;
	}
	if (json) {
		fputs("{\"query\":\"role\",\"role\":", out);
		jpstr(out, name);
		fputs(",\"juniors\":", out);
		j_role_list(out, img, dj, ndj);
		fputs(",\"all_juniors\":", out);
		j_role_list(out, img, aj, naj);
		fputs(",\"seniors\":", out);
		j_role_list(out, img, ds, nds);
		fputs(",\"all_seniors\":", out);
		j_role_list(out, img, as, nas);
		fputs(",\"assigned_users\":", out);
		j_str_list(out, au, nau);
		fputs(",\"authorized_users\":", out);
		j_str_list(out, zu, nzu);
		fputs(",\"permissions\":", out);
		print_perms_json(out, img, p);
		fputs("}\n", out);
	} else {
		dstr d = {0};
		fprintf(out, "role %s\n", rname);
#define LINE(label, fill)                                 \
	do {                                              \
		d.n = 0;                                  \
		ds_puts(&d, "");                          \
		fill;                                     \
		fprintf(out, "%-18s%s\n", label, d.p);    \
	} while (0)
		LINE("juniors:", ds_role_list(&d, img, dj, ndj));
		LINE("all juniors:", ds_role_list(&d, img, aj, naj));
		LINE("seniors:", ds_role_list(&d, img, ds, nds));
		LINE("all seniors:", ds_role_list(&d, img, as, nas));
		LINE("assigned users:", ds_str_list(&d, au, nau));
		LINE("authorized users:", ds_str_list(&d, zu, nzu));
#undef LINE
		free(d.p);
		fputs("\npermissions of whoever has the role active:\n", out);
		print_perms_text(out, img, p);
	}
	pdp_audit_perms_free(p);
	free(dj);
	free(aj);
	free(ds);
	free(as);
	free(au);
	free(zu);
	return EXIT_OK;
}

/* ---- --constraints ---- */

static int query_constraints(FILE *out, const pdp_image *img, bool json)
{
	uint32_t n = pdp_audit_constraint_count(img);
	table t = {0};
	static const char *const H[] = {"KIND", "NAME", "N", "ROLES"};
	if (json)
		fputs("{\"query\":\"constraints\",\"constraints\":[", out);
	else
		table_header(&t, 4, H);
	for (uint32_t i = 0; i < n; i++) {
		pdp_audit_constraint k;
		pdp_audit_constraint_get(img, i, &k);
		size_t nr = pdp_audit_constraint_roles(img, i, NULL, 0);
		uint32_t *r = malloc((nr + 1) * sizeof(uint32_t));
		if (r == NULL)
			exit(EXIT_IO);
		pdp_audit_constraint_roles(img, i, r, nr);
		if (json) {
			fprintf(out, "%s{\"kind\":\"%s\",\"name\":", i ? "," : "",
			        k.dynamic ? "dsd" : "ssd");
			jpstr(out, k.name);
			fprintf(out, ",\"n\":%u,\"roles\":", k.n);
			j_role_list(out, img, r, nr);
			fputc('}', out);
		} else {
			char *cells[4];
			dstr d = {0};
			cells[0] = strdup(k.dynamic ? "dsd" : "ssd");
			ds_str(&d, k.name);
			cells[1] = ds_take(&d);
			ds_printf(&d, "%u", k.n);
			cells[2] = ds_take(&d);
			ds_role_list(&d, img, r, nr);
			cells[3] = ds_take(&d);
			table_row(&t, cells);
		}
		free(r);
	}
	if (json)
		fputs("]}\n", out);
	else if (n == 0) {
		table_free(&t);
		fputs("no constraints\n", out);
	} else
		table_print(&t, out);
	return EXIT_OK;
}

int cmd_audit(int argc, char **argv)
{
	const char *image = NULL, *subject = NULL, *roles = NULL, *acp = NULL,
	           *op = NULL, *role = NULL;
	bool json = false, constraints = false;
	char **pols = calloc((size_t)argc + 1, sizeof(char *));
	int npols = 0, rc = EXIT_OK;
	if (pols == NULL)
		return EXIT_IO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(AUDIT_HELP, stdout);
			goto out;
		} else if (strcmp(a, "-p") == 0 && has) {
			pols[npols++] = argv[++i];
		} else if (strcmp(a, "-i") == 0 && has) {
			image = argv[++i];
		} else if (strcmp(a, "--subject") == 0 && has) {
			subject = argv[++i];
		} else if (strcmp(a, "--roles") == 0 && has) {
			roles = argv[++i];
		} else if (strcmp(a, "--acp") == 0 && has) {
			acp = argv[++i];
		} else if (strcmp(a, "--operation") == 0 && has) {
			op = argv[++i];
		} else if (strcmp(a, "--role") == 0 && has) {
			role = argv[++i];
		} else if (strcmp(a, "--constraints") == 0) {
			constraints = true;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else {
			fprintf(stderr, "pdp audit: unknown or incomplete option '%s'\n%s",
			        a, AUDIT_HELP);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	int queries = (subject != NULL) + (acp != NULL) + (role != NULL) +
	              (constraints ? 1 : 0);
	const char *problem = NULL;
	if ((image == NULL) == (npols == 0))
		problem = "give -p POLICY... or -i IMAGE (not both)";
	else if (queries != 1)
		problem = "give exactly one of --subject, --acp, --role, --constraints";
	else if (roles != NULL && subject == NULL)
		problem = "--roles goes with --subject";
	else if (op != NULL && acp == NULL)
		problem = "--operation goes with --acp";
	if (problem != NULL) {
		fprintf(stderr, "pdp audit: %s\n%s", problem, AUDIT_HELP);
		rc = EXIT_USAGE;
		goto out;
	}
	pdp_image *img = NULL;
	rc = obtain_image(image, pols, npols, &img);
	if (rc != EXIT_OK)
		goto out;
	if (subject != NULL)
		rc = query_subject(stdout, img, subject, roles, json);
	else if (acp != NULL)
		rc = query_acp(stdout, img, acp, op, json);
	else if (role != NULL)
		rc = query_role(stdout, img, role, json);
	else
		rc = query_constraints(stdout, img, json);
	fflush(stdout);
	pdp_image_free(img);
out:
	free(pols);
	return rc;
}
