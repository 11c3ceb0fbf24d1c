/*
 * audit_who.c - `pdp audit --who --acp A --operation OP [--attrs FILE]`:
 * every subject the policy or the attributes file names (assigned users,
 * exact group members, ids rules name, the file's subjects), and whether it may do OP on
 * A: unconditionally, or under which residual condition. Each subject is
 * the subject query of docs/audit.md with A alone, so its answer is that
 * query's, partial evaluation included. Subjects that only `all` or a glob
 * names are not listed: they are everybody (see --acp).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/audit_out.h"
#include "cli/json_out.h"

typedef struct names {
	pdp_str *v;
	size_t n, cap;
	bool *owned; /* v[i].ptr was malloc'd here */
} names;

static void names_add(names *s, pdp_str x, bool owned)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].len == x.len && memcmp(s->v[i].ptr, x.ptr, x.len) == 0) {
			if (owned)
				free((char *)x.ptr);
			return;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = realloc(s->v, s->cap * sizeof(pdp_str));
		s->owned = realloc(s->owned, s->cap * sizeof(bool));
		if (s->v == NULL || s->owned == NULL)
			exit(EXIT_IO);
	}
	s->owned[s->n] = owned;
	s->v[s->n++] = x;
}

static int name_cmp(const void *a, const void *b)
{
	const pdp_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->ptr, y->ptr, n) : 0;
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Assigned users of every role, exact members of every group, exact ids
 * that rules name, and the subjects of the attributes file, each once. */
static int candidates(const pdp_image *img, const char *attrs, names *s)
{
	size_t k;
	for (uint32_t r = 0; r < pdp_audit_role_count(img); r++) {
		pdp_str *u = users_of(pdp_audit_assigned_users, img, r, &k);
		for (size_t i = 0; i < k; i++)
			names_add(s, u[i], false);
		free(u);
	}
	for (uint32_t g = 0; g < pdp_audit_group_count(img); g++) {
		pdp_str *u = users_of(pdp_audit_group_members, img, g, &k);
		for (size_t i = 0; i < k; i++)
			names_add(s, u[i], false);
		free(u);
	}
	for (uint32_t r = 0; r < pdp_audit_rule_count(img); r++) {
		pdp_audit_rule ru;
		pdp_audit_rule_get(img, r, &ru);
		for (uint32_t i = 0; i < ru.n_originators; i++) {
			pdp_audit_originator o;
			pdp_audit_rule_originator(img, r, i, &o);
			if (o.kind == PDP_AUDIT_VIA_EXACT)
				names_add(s, o.name, false);
		}
	}
	if (attrs != NULL) {
		pdp_str *f;
		int rc = attrs_file_subjects(attrs, &f, &k);
		for (size_t i = 0; i < k; i++)
			names_add(s, f[i], true);
		free(f);
		if (rc != EXIT_OK)
			return rc;
	}
	/* sorting moves the owned flags with the names: sort pairs */
	for (size_t i = 1; i < s->n; i++)
		for (size_t j = i; j > 0 && name_cmp(&s->v[j - 1], &s->v[j]) > 0; j--) {
			pdp_str t = s->v[j];
			s->v[j] = s->v[j - 1];
			s->v[j - 1] = t;
			bool o = s->owned[j];
			s->owned[j] = s->owned[j - 1];
			s->owned[j - 1] = o;
		}
	return EXIT_OK;
}

/* The grants of one permission as "RULE: residual", joined by " | ". */
static char *grants_text(const pdp_image *img, const pdp_audit_perms *p,
                         const pdp_audit_perm *x, bool overrides)
{
	residuals res = {p, NULL};
	dstr d = {0};
	size_t n = overrides ? x->n_overrides : x->n_grants;
	for (size_t k = 0; k < n; k++) {
		uint32_t rule = overrides ? x->overrides[k] : x->grants[k].rule;
		char *tok = rule_token(img, rule, false);
		char *c = conds_joined(img, &res, rule, x->operation,
		                       residual_parts(&res, rule, x->operation));
		ds_printf(&d, "%s%s: %s", k ? " | " : "", tok, c);
		free(tok);
		free(c);
	}
	if (d.n == 0)
		ds_puts(&d, "-");
	return ds_take(&d);
}

/* One subject's answer for the ACP and operation, in both sections. */
typedef struct who_row {
	pdp_str subject;
	bool self;
	const char *status;
	char *grants, *overrides;
} who_row;

static void who_json(FILE *out, const char *acp, uint32_t op,
                     const who_row *rows, size_t n)
{
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "query", "who");
	json_key_str(&j, "acp", acp);
	json_key_str(&j, "operation", pdp_operation_name(op));
	json_key(&j, "subjects");
	json_begin_array(&j);
	for (size_t i = 0; i < n; i++) {
		json_begin(&j);
		json_key_strn(&j, "subject", rows[i].subject.ptr, rows[i].subject.len);
		json_key_str(&j, "section", section_name(rows[i].self));
		json_key_str(&j, "status", rows[i].status);
		json_key_str(&j, "grants", rows[i].grants);
		json_key_str(&j, "overrides", rows[i].overrides);
		json_end(&j);
	}
	json_end_array(&j);
	json_end(&j);
	fputc('\n', out);
}

static void who_text(FILE *out, const char *acp, uint32_t op,
                     const who_row *rows, size_t n)
{
	fprintf(out, "who may %s on acp %s\n\n", pdp_operation_name(op), acp);
	if (n == 0) {
		fputs("no named subject\n", out);
		return;
	}
	static const char *const H[] = {"SUBJECT", "SECTION", "GRANT",
	                                "GRANTS (RULE: RESIDUAL)",
	                                "OVERRIDES (RULE: RESIDUAL)"};
	table t = {0};
	table_header(&t, 5, H);
	for (size_t i = 0; i < n; i++) {
		char *cells[5];
		dstr d = {0};
		ds_str(&d, rows[i].subject);
		cells[0] = ds_take(&d);
		cells[1] = strdup(section_name(rows[i].self));
		cells[2] = strdup(rows[i].status);
		cells[3] = strdup(rows[i].grants);
		cells[4] = strdup(rows[i].overrides);
		table_row(&t, cells);
	}
	table_print(&t, out);
}

int query_who(FILE *out, const pdp_image *img, const char *acp_id,
              const char *opname, const subject_opts *o, bool json)
{
	pdp_str acp_name = {acp_id, strlen(acp_id)};
	uint32_t acp = pdp_acp_index(img, acp_name);
	uint32_t op = pdp_operation_from_name((pdp_str){opname, strlen(opname)});
	if (acp == PDP_NONE)
		return unknown_name(img, false, acp_name);
	if (op == 0) {
		fputs("pdp audit: --who needs one operation name\n", stderr);
		return EXIT_USAGE;
	}
	names s = {0};
	int rc = candidates(img, o->attrs, &s);
	who_row *rows = calloc(2 * s.n + 1, sizeof(who_row));
	if (rows == NULL)
		exit(EXIT_IO);
	size_t nr = 0;
	for (size_t i = 0; i < s.n && rc == EXIT_OK; i++) {
		pdp_audit_subject q;
		pdp_audit_subject_init(&q);
		q.subject = s.v[i];
		q.acps = &acp;
		q.n_acps = 1;
		subject_attrs sa = {0};
		if (o->attrs != NULL) {
			rc = subject_attrs_load(o->attrs, img, s.v[i], &sa);
			q.attrs = sa.attrs;
			q.n_attrs = sa.n_attrs;
			q.attrs_complete = sa.found;
		}
		pdp_audit_perms *p = NULL;
		pdp_error err;
		if (rc == EXIT_OK &&
		    pdp_audit_subject_permissions(img, &q, &p, &err) != PDP_OK) {
			fprintf(stderr, "pdp audit: %s\n", err.message);
			rc = EXIT_IO;
		}
		subject_attrs_free(&sa);
		for (size_t k = 0; p != NULL && k < p->n_perms; k++) {
			const pdp_audit_perm *x = &p->perms[k];
			if (x->operation != op || !perm_shown(x, o->unconditional_only))
				continue;
			who_row *w = &rows[nr++];
			w->subject = s.v[i];
			w->self = x->self;
			w->status = status_name(x->status);
			w->grants = grants_text(img, p, x, false);
			w->overrides = grants_text(img, p, x, true);
		}
		pdp_audit_perms_free(p);
	}
	if (rc == EXIT_OK) {
		if (json)
			who_json(out, acp_id, op, rows, nr);
		else
			who_text(out, acp_id, op, rows, nr);
	}
	for (size_t i = 0; i < nr; i++) {
		free(rows[i].grants);
		free(rows[i].overrides);
	}
	free(rows);
	for (size_t i = 0; i < s.n; i++)
		if (s.owned[i])
			free((char *)s.v[i].ptr);
	free(s.v);
	free(s.owned);
	return rc;
}
