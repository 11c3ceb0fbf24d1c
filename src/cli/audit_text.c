/*
 * audit_text.c - `pdp audit`'s answers as aligned text tables
 * (docs/audit.md), and the texts of rules and conditions that the JSON
 * output shares (audit_out.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/audit_out.h"

/* ---- a growing string ---- */

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

void ds_putn(dstr *d, const char *s, size_t n)
{
	ds_reserve(d, n);
	memcpy(d->p + d->n, s, n);
	d->n += n;
	d->p[d->n] = '\0';
}

void ds_puts(dstr *d, const char *s)
{
	ds_putn(d, s, strlen(s));
}

void ds_str(dstr *d, pdp_str s)
{
	ds_putn(d, s.ptr ? s.ptr : "", s.ptr ? s.len : 0);
}

void ds_printf(dstr *d, const char *fmt, ...)
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

char *ds_take(dstr *d)
{
	char *p = d->p ? d->p : strdup("");
	d->p = NULL;
	d->n = d->cap = 0;
	return p;
}

/* ---- aligned tables ---- */

void table_row(table *t, char **cells)
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

void table_header(table *t, size_t ncols, const char *const *names)
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
void table_print(table *t, FILE *out)
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

/* ---- texts shared with the JSON output ---- */

const uint32_t AUDIT_PARTS[4] = {PDP_AUDIT_COND_CONTEXTS,
                                 PDP_AUDIT_COND_AUTHENTICATED,
                                 PDP_AUDIT_COND_OBJECTS, PDP_AUDIT_COND_WHEN};

char *cond_text(const pdp_image *img, uint32_t rule, uint32_t part)
{
	size_t n = pdp_audit_format_condition(img, rule, part, NULL, 0);
	char *s = malloc(n + 1);
	if (s == NULL)
		exit(EXIT_IO);
	pdp_audit_format_condition(img, rule, part, s, n + 1);
	return s;
}

static size_t residual_fill(const residuals *r, uint32_t rule, uint32_t op,
                            uint32_t part, char *buf, size_t size)
{
	return r->perms != NULL
	               ? pdp_audit_residual(r->perms, rule, op, part, buf, size)
	               : pdp_audit_acp_residual(r->acp, rule, op, part, buf, size);
}

char *residual_text(const residuals *r, uint32_t rule, uint32_t op,
                    uint32_t part)
{
	size_t n = residual_fill(r, rule, op, part, NULL, 0);
	char *s = malloc(n + 1);
	if (s == NULL)
		exit(EXIT_IO);
	s[0] = '\0';
	residual_fill(r, rule, op, part, s, n + 1);
	return s;
}

uint32_t residual_parts(const residuals *r, uint32_t rule, uint32_t op)
{
	uint32_t m = 0;
	for (int i = 0; i < 4; i++)
		if (residual_fill(r, rule, op, AUDIT_PARTS[i], NULL, 0) > 0)
			m |= AUDIT_PARTS[i];
	return m;
}

bool acp_rule_shown(const residuals *r, const pdp_audit_acp_entry *e,
                    size_t k, bool uncond_only)
{
	if (!uncond_only)
		return true;
	return k < e->n_permits && e->n_denies == 0 &&
	       residual_parts(r, e->permits[k], e->operation) == 0;
}

/* The condition parts in mask, joined by "; " ("-" when none): as written
 * (r NULL), or the residual for op. */
char *conds_joined(const pdp_image *img, const residuals *r,
                          uint32_t rule, uint32_t op, uint32_t mask)
{
	dstr d = {0};
	for (int i = 0; i < 4; i++) {
		if (!(mask & AUDIT_PARTS[i]))
			continue;
		char *s = r != NULL ? residual_text(r, rule, op, AUDIT_PARTS[i])
		                    : cond_text(img, rule, AUDIT_PARTS[i]);
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
uint32_t rule_parts(const pdp_image *img, uint32_t rule)
{
	uint32_t m = 0;
	for (int i = 0; i < 4; i++)
		if (pdp_audit_format_condition(img, rule, AUDIT_PARTS[i], NULL, 0) > 0)
			m |= AUDIT_PARTS[i];
	return m;
}

char *rule_token(const pdp_image *img, uint32_t rule, bool with_id)
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

void orig_text(dstr *d, const pdp_audit_originator *o)
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

const char *section_name(bool self)
{
	return self ? "self" : "privileges";
}

const char *status_name(pdp_audit_status s)
{
	return s == PDP_AUDIT_UNCONDITIONAL ? "unconditional"
	       : s == PDP_AUDIT_CONDITIONAL ? "conditional"
	                                    : "overridden";
}

const char *via_name(pdp_audit_via v)
{
	static const char *const N[] = {"all", "exact", "glob", "group", "role"};
	return (unsigned)v < 5 ? N[v] : "?";
}

/* Lists from the count-returning review calls, malloc'd. */
pdp_str *users_of(size_t (*fn)(const pdp_image *, uint32_t, pdp_str *,
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

/* ---- the answers as text ---- */

/* Role names compare byte for byte (docs/language.md): that order. */
static bool name_before(pdp_str a, pdp_str b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
	return c < 0 || (c == 0 && a.len < b.len);
}

uint32_t *roles_by_name(const pdp_image *img, const uint32_t *r, size_t n)
{
	uint32_t *v = malloc((n + 1) * sizeof(uint32_t));
	if (v == NULL)
		exit(EXIT_IO);
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		while (k > 0 && name_before(pdp_audit_role_name(img, r[i]),
		                            pdp_audit_role_name(img, v[k - 1]))) {
			v[k] = v[k - 1];
			k--;
		}
		v[k] = r[i];
	}
	return v;
}

void ds_role_list(dstr *d, const pdp_image *img, const uint32_t *r,
                  size_t n)
{
	if (n == 0)
		ds_puts(d, "-");
	uint32_t *v = roles_by_name(img, r, n);
	for (size_t i = 0; i < n; i++) {
		if (i)
			ds_puts(d, ", ");
		ds_str(d, pdp_audit_role_name(img, v[i]));
	}
	free(v);
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
			ds_str(&d, pdp_audit_role_name(img, g->through_role));
			ds_puts(&d, ")");
		}
		break;
	}
	return ds_take(&d);
}

/* The ACP column: the ACP's id; for a union (--acps) the id of the ACP
 * that holds the rule. */
static char *acp_cell(const pdp_image *img, uint32_t acp, uint32_t rule)
{
	pdp_audit_rule r;
	if (acp == PDP_NONE && pdp_audit_rule_get(img, rule, &r) == PDP_OK)
		acp = r.acp;
	dstr a = {0};
	ds_str(&a, pdp_acp_name(img, acp));
	return ds_take(&a);
}

/* A deny rule that could override, as the table below the permissions
 * shows it: the operations it overrides with the same residual text. */
typedef struct deny_row {
	uint32_t rule, ops;
	char *conds;
} deny_row;

typedef struct deny_rows {
	deny_row *v;
	size_t n;
} deny_rows;

static void deny_rows_add(deny_rows *d, const pdp_image *img,
                          const residuals *res, uint32_t rule, uint32_t op)
{
	char *c = conds_joined(img, res, rule, op, residual_parts(res, rule, op));
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].rule == rule && strcmp(d->v[i].conds, c) == 0) {
			d->v[i].ops |= op;
			free(c);
			return;
		}
	deny_row *nv = realloc(d->v, (d->n + 1) * sizeof(deny_row));
	if (nv == NULL)
		exit(EXIT_IO);
	d->v = nv;
	d->v[d->n++] = (deny_row){rule, op, c};
}

static char *ops_text(uint32_t ops)
{
	dstr o = {0};
	for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1)
		if (ops & op) {
			if (o.n)
				ds_puts(&o, ",");
			ds_puts(&o, pdp_operation_name(op));
		}
	return ds_take(&o);
}

/* The deny rules below a permission table: originators as written, the
 * operations they could override and their residual conditions. */
static void deny_table(FILE *out, const pdp_image *img, deny_rows *d)
{
	if (d->n == 0)
		return;
	fputs("\ndeny rules that could override:\n", out);
	static const char *const D[] = {"RULE", "ORIGINATORS", "OPERATIONS",
	                                "CONDITIONS"};
	table t = {0};
	table_header(&t, 4, D);
	for (size_t i = 0; i < d->n; i++) {
		char *cells[4];
		cells[0] = rule_token(img, d->v[i].rule, true);
		cells[1] = rule_originators(img, d->v[i].rule);
		cells[2] = ops_text(d->v[i].ops);
		cells[3] = d->v[i].conds;
		table_row(&t, cells);
	}
	table_print(&t, out);
	free(d->v);
}

/* A permission table (subject and role queries): one row per grant, and
 * below it the deny rules that could override any of them. */
void perms_text(FILE *out, const pdp_image *img, const pdp_audit_perms *p,
                bool uncond_only)
{
	size_t shown = 0;
	for (size_t i = 0; i < p->n_perms; i++)
		shown += perm_shown(&p->perms[i], uncond_only);
	if (shown == 0) {
		fputs(uncond_only ? "no unconditional permissions\n"
		                  : "no permissions\n",
		      out);
		return;
	}
	static const char *const H[] = {"ACP", "SECTION", "OPERATION", "GRANT",
	                                "VIA", "RULE", "OVERRIDES",
	                                "CONDITIONS"};
	residuals res = {p, NULL};
	table t = {0};
	table_header(&t, 8, H);
	deny_rows denies = {0};
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		if (!perm_shown(x, uncond_only))
			continue;
		dstr ov = {0};
		for (size_t k = 0; k < x->n_overrides; k++) {
			char *tok = rule_token(img, x->overrides[k], false);
			if (k)
				ds_puts(&ov, ", ");
			ds_puts(&ov, tok);
			free(tok);
			deny_rows_add(&denies, img, &res, x->overrides[k], x->operation);
		}
		if (ov.n == 0)
			ds_puts(&ov, "-");
		char *ovs = ds_take(&ov);
		for (size_t j = 0; j < x->n_grants; j++) {
			const pdp_audit_grant *g = &x->grants[j];
			char *cells[8];
			cells[0] = acp_cell(img, x->acp, g->rule);
			cells[1] = strdup(section_name(x->self));
			cells[2] = strdup(pdp_operation_name(x->operation));
			cells[3] = strdup(x->status == PDP_AUDIT_OVERRIDDEN
			                          ? "overridden"
			                  : g->unconditional ? "unconditional"
			                                     : "conditional");
			cells[4] = via_text(img, g);
			cells[5] = rule_token(img, g->rule, true);
			cells[6] = strdup(ovs);
			cells[7] = conds_joined(img, &res, g->rule, x->operation,
			                        g->conditions);
			table_row(&t, cells);
		}
		free(ovs);
	}
	table_print(&t, out);
	deny_table(out, img, &denies);
}


/* Who an originator of an ACP's rule stands for: a group's members and
 * globs, a role's authorized users. */
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

void subject_head_text(FILE *out, const pdp_image *img,
                       const subject_answer *a)
{
	dstr d = {0};
	fprintf(out, "subject %.*s\n", (int)a->subject.len, a->subject.ptr);
	ds_role_list(&d, img, a->assigned, a->n_assigned);
	fprintf(out, "assigned roles:   %s\n", d.p);
	d.n = 0;
	ds_role_list(&d, img, a->authorized, a->n_authorized);
	fprintf(out, "authorized roles: %s\n", d.p);
	free(d.p);
}

void subject_text(FILE *out, const pdp_image *img, const subject_answer *a)
{
	const pdp_audit_perms *p = a->perms;
	dstr d = {0};
	subject_head_text(out, img, a);
	ds_role_list(&d, img, p->active_roles, p->n_active_roles);
	fprintf(out, "active roles:     %s%s\n", d.p,
	        a->roles_given ? " (--roles)" : " (assigned)");
	d.n = 0;
	ds_role_list(&d, img, p->active_closure, p->n_active_closure);
	fprintf(out, "active closure:   %s\n", d.p);
	if (a->attrs_file != NULL)
		fprintf(out, "attributes:       %s\n",
		        a->attrs_found ? "from --attrs (the originator.* "
		                         "attributes it gives, no others)"
		                       : "not in --attrs (left to the request)");
	if (a->acps != NULL) {
		d.n = 0;
		ds_puts(&d, "");
		for (size_t i = 0; i < a->n_acps; i++) {
			if (i)
				ds_puts(&d, ", ");
			ds_str(&d, pdp_acp_name(img, a->acps[i]));
		}
		fprintf(out, "acps (union):     %s\n", d.p);
	}
	free(d.p);
	if (p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED)
		fprintf(out, "activation refused: role %.*s is not authorized for "
		             "this subject (role-not-authorized): every request is "
		             "denied\n",
		        (int)a->detail.len, a->detail.ptr);
	else if (p->activation == PDP_AUDIT_DSD_VIOLATION)
		fprintf(out, "activation refused: the active roles break DSD set "
		             "%.*s (dsd-violation): every request is denied\n",
		        (int)a->detail.len, a->detail.ptr ? a->detail.ptr : "");
	fputc('\n', out);
	perms_text(out, img, p, a->unconditional_only);
}

/* One row per originator of each rule of the ACP, permits before denies
 * for each section and operation. */
void acp_text(FILE *out, const pdp_image *img, pdp_str id,
              const pdp_audit_acp *a, bool uncond_only)
{
	fprintf(out, "acp %.*s\n\n", (int)id.len, id.ptr);
	residuals res = {NULL, a};
	size_t shown = 0;
	for (size_t i = 0; i < a->n_entries; i++)
		for (size_t k = 0; k < a->entries[i].n_permits + a->entries[i].n_denies; k++)
			shown += acp_rule_shown(&res, &a->entries[i], k, uncond_only);
	if (shown == 0) {
		fputs(uncond_only ? "no unconditional grants\n" : "no rules\n", out);
		return;
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
				if (!acp_rule_shown(&res, e, deny ? e->n_permits + k : k,
				                    uncond_only))
					continue;
				uint32_t c = residual_parts(&res, rules[k], e->operation);
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
					cells[7] = conds_joined(img, &res, rules[k], e->operation, c);
					table_row(&t, cells);
				}
			}
		}
	}
	table_print(&t, out);
}

void role_text(FILE *out, const pdp_image *img, const role_answer *a)
{
	static const char *const LABEL[ROLE_LISTS] = {
		"juniors:", "all juniors:", "seniors:", "all seniors:"};
	dstr d = {0};
	fprintf(out, "role %.*s\n", (int)a->role.len, a->role.ptr);
	for (int i = 0; i < ROLE_LISTS; i++) {
		d.n = 0;
		ds_puts(&d, "");
		ds_role_list(&d, img, a->roles[i], a->n_roles[i]);
		fprintf(out, "%-18s%s\n", LABEL[i], d.p);
	}
	d.n = 0;
	ds_puts(&d, "");
	ds_str_list(&d, a->assigned_users, a->n_assigned_users);
	fprintf(out, "%-18s%s\n", "assigned users:", d.p);
	d.n = 0;
	ds_puts(&d, "");
	ds_str_list(&d, a->authorized_users, a->n_authorized_users);
	fprintf(out, "%-18s%s\n", "authorized users:", d.p);
	free(d.p);
	fputs("\npermissions of whoever has the role active:\n", out);
	perms_text(out, img, a->perms, a->unconditional_only);
}

void constraints_text(FILE *out, const pdp_image *img)
{
	uint32_t n = pdp_audit_constraint_count(img);
	if (n == 0) {
		fputs("no constraints\n", out);
		return;
	}
	static const char *const H[] = {"KIND", "NAME", "N", "ROLES"};
	table t = {0};
	table_header(&t, 4, H);
	for (uint32_t i = 0; i < n; i++) {
		pdp_audit_constraint k;
		pdp_audit_constraint_get(img, i, &k);
		size_t nr;
		uint32_t *r = constraint_roles(img, i, &nr);
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
		free(r);
	}
	table_print(&t, out);
}
