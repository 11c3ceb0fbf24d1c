/*
 * audit_json.c - `pdp audit --json`: one JSON document per query, in the
 * shape of schemas/audit.schema.json, written with the CLI's one JSON
 * writer (json_out.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/audit_out.h"
#include "cli/json_out.h"

/* A name from the image; an absent one (ptr NULL) is null. */
static void j_pstr(json_out *j, pdp_str s)
{
	json_strn(j, s.ptr, s.len);
}

/* A role list, sorted by name. */
void j_role_list(json_out *j, const pdp_image *img, const uint32_t *r,
                 size_t n)
{
	uint32_t *v = roles_by_name(img, r, n);
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		j_pstr(j, pdp_audit_role_name(img, v[i]));
	json_end_array(j);
	free(v);
}

static void j_str_list(json_out *j, const pdp_str *s, size_t n)
{
	json_begin_array(j);
	for (size_t i = 0; i < n; i++)
		j_pstr(j, s[i]);
	json_end_array(j);
}

/* The condition parts in mask, each as its text: as written (res NULL),
 * or the residual for op. */
static void j_conds(json_out *j, const pdp_image *img, const residuals *res,
                    uint32_t rule, uint32_t op, uint32_t mask)
{
	json_begin_array(j);
	for (int i = 0; i < 4; i++) {
		if (!(mask & AUDIT_PARTS[i]))
			continue;
		char *s = res != NULL ? residual_text(res, rule, op, AUDIT_PARTS[i])
		                      : cond_text(img, rule, AUDIT_PARTS[i]);
		json_str(j, s);
		free(s);
	}
	json_end_array(j);
}

static void j_ops(json_out *j, uint32_t ops)
{
	json_begin_array(j);
	for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1)
		if (ops & op)
			json_str(j, pdp_operation_name(op));
	json_end_array(j);
}

/* The rule object of the schema; with res, also its residual conditions
 * for op. */
static void j_rule(json_out *j, const pdp_image *img, uint32_t rule,
                   const residuals *res, uint32_t op)
{
	pdp_audit_rule r;
	pdp_audit_rule_get(img, rule, &r);
	char *tok = rule_token(img, rule, false);
	json_begin(j);
	json_key_str(j, "rule", tok);
	free(tok);
	json_key(j, "id");
	j_pstr(j, r.id);
	json_key(j, "file");
	j_pstr(j, r.file);
	json_key_uint(j, "line", r.line);
	json_key_str(j, "effect", r.deny ? "deny" : "permit");
	json_key(j, "acp");
	j_pstr(j, pdp_acp_name(img, r.acp));
	json_key_str(j, "section", section_name(r.self));
	json_key_uint(j, "index", r.index);
	json_key(j, "operations");
	j_ops(j, r.operations);
	json_key(j, "originators");
	json_begin_array(j);
	for (uint32_t i = 0; i < r.n_originators; i++) {
		pdp_audit_originator o;
		pdp_audit_rule_originator(img, rule, i, &o);
		dstr d = {0};
		orig_text(&d, &o);
		json_strn(j, d.p != NULL ? d.p : "", d.n);
		free(d.p);
	}
	json_end_array(j);
	json_key(j, "conditions");
	j_conds(j, img, NULL, rule, 0, rule_parts(img, rule));
	if (res != NULL) {
		json_key(j, "residual");
		j_conds(j, img, res, rule, op, residual_parts(res, rule, op));
	}
	json_end(j);
}

/* Permissions (subject and role queries): per ACP, section and operation,
 * the grants and the deny rules that could override them. */
void j_perms(json_out *j, const pdp_image *img, const pdp_audit_perms *p,
             bool uncond_only)
{
	residuals res = {p, NULL};
	json_begin_array(j);
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		if (!perm_shown(x, uncond_only))
			continue;
		json_begin(j);
		json_key(j, "acp");
		if (x->acp == PDP_NONE)
			json_null(j);
		else
			j_pstr(j, pdp_acp_name(img, x->acp));
		json_key_str(j, "section", section_name(x->self));
		json_key_str(j, "operation", pdp_operation_name(x->operation));
		json_key_str(j, "status", status_name(x->status));
		json_key(j, "grants");
		json_begin_array(j);
		for (size_t k = 0; k < x->n_grants; k++) {
			const pdp_audit_grant *g = &x->grants[k];
			pdp_audit_originator o;
			pdp_audit_rule_originator(img, g->rule, g->originator, &o);
			json_begin(j);
			json_key_str(j, "via", via_name(g->via));
			json_key(j, "name");
			j_pstr(j, o.name);
			json_key(j, "through_role");
			if (g->through_role != PDP_NONE)
				j_pstr(j, pdp_audit_role_name(img, g->through_role));
			else
				json_null(j);
			json_key_bool(j, "unconditional", g->unconditional);
			json_key(j, "conditions");
			j_conds(j, img, &res, g->rule, x->operation, g->conditions);
			json_key(j, "rule");
			j_rule(j, img, g->rule, NULL, 0);
			json_end(j);
		}
		json_end_array(j);
		json_key(j, "overrides");
		json_begin_array(j);
		for (size_t k = 0; k < x->n_overrides; k++)
			j_rule(j, img, x->overrides[k], &res, x->operation);
		json_end_array(j);
		json_end(j);
	}
	json_end_array(j);
}

/* The same permissions grouped per ACP: for each section, the operation
 * sets by status (the perms come ordered by ACP, then section). */
void j_by_acp(json_out *j, const pdp_image *img, const pdp_audit_perms *p,
              bool uncond_only)
{
	static const char *const ST[3] = {"unconditional", "conditional",
	                                  "overridden"};
	json_begin_array(j);
	for (size_t i = 0; i < p->n_perms;) {
		uint32_t acp = p->perms[i].acp;
		uint32_t ops[2][3] = {{0}};
		for (; i < p->n_perms && p->perms[i].acp == acp; i++) {
			const pdp_audit_perm *x = &p->perms[i];
			if (perm_shown(x, uncond_only))
				ops[x->self][x->status] |= x->operation;
		}
		json_begin(j);
		json_key(j, "acp");
		if (acp == PDP_NONE)
			json_null(j);
		else
			j_pstr(j, pdp_acp_name(img, acp));
		for (int self = 0; self < 2; self++) {
			json_key(j, section_name(self != 0));
			json_begin(j);
			for (int st = 0; st < 3; st++) {
				json_key(j, ST[st]);
				j_ops(j, ops[self][st]);
			}
			json_end(j);
		}
		json_end(j);
	}
	json_end_array(j);
}

void j_acps(json_out *j, const pdp_image *img, const subject_answer *a)
{
	if (a->acps == NULL)
		return;
	json_key(j, "acps");
	json_begin_array(j);
	for (size_t i = 0; i < a->n_acps; i++)
		j_pstr(j, pdp_acp_name(img, a->acps[i]));
	json_end_array(j);
}

void subject_json(FILE *out, const pdp_image *img, const subject_answer *a)
{
	const pdp_audit_perms *p = a->perms;
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "query", "subject");
	json_key(&j, "subject");
	j_pstr(&j, a->subject);
	json_key_bool(&j, "roles_given", a->roles_given);
	json_key(&j, "assigned_roles");
	j_role_list(&j, img, a->assigned, a->n_assigned);
	json_key(&j, "authorized_roles");
	j_role_list(&j, img, a->authorized, a->n_authorized);
	json_key(&j, "active_roles");
	j_role_list(&j, img, p->active_roles, p->n_active_roles);
	json_key(&j, "active_closure");
	j_role_list(&j, img, p->active_closure, p->n_active_closure);
	json_key(&j, "activation");
	json_begin(&j);
	json_key_str(&j, "status", a->activation);
	if (p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED) {
		json_key(&j, "role");
		j_pstr(&j, a->detail);
	} else if (p->activation == PDP_AUDIT_DSD_VIOLATION) {
		json_key(&j, "constraint");
		j_pstr(&j, a->detail);
	}
	json_end(&j);
	if (a->attrs_file != NULL)
		json_key_bool(&j, "attrs_known", a->attrs_found);
	j_acps(&j, img, a);
	json_key_bool(&j, "unconditional_only", a->unconditional_only);
	json_key(&j, "by_acp");
	j_by_acp(&j, img, p, a->unconditional_only);
	json_key(&j, "permissions");
	j_perms(&j, img, p, a->unconditional_only);
	json_end(&j);
	fputc('\n', out);
}

/* Who an originator stands for: a group's members and globs, a role's
 * authorized users. */
static void j_who(json_out *j, const pdp_image *img, uint32_t rule)
{
	pdp_audit_rule r;
	pdp_audit_rule_get(img, rule, &r);
	json_begin_array(j);
	for (uint32_t i = 0; i < r.n_originators; i++) {
		pdp_audit_originator o;
		pdp_audit_rule_originator(img, rule, i, &o);
		json_begin(j);
		json_key_str(j, "kind", via_name(o.kind));
		json_key(j, "name");
		j_pstr(j, o.name);
		size_t n;
		if (o.kind == PDP_AUDIT_VIA_GROUP) {
			pdp_str *m = users_of(pdp_audit_group_members, img, o.index, &n);
			json_key(j, "members");
			j_str_list(j, m, n);
			free(m);
			m = users_of(pdp_audit_group_globs, img, o.index, &n);
			json_key(j, "globs");
			j_str_list(j, m, n);
			free(m);
		} else if (o.kind == PDP_AUDIT_VIA_ROLE) {
			pdp_str *m = users_of(pdp_audit_authorized_users, img, o.index, &n);
			json_key(j, "authorized_users");
			j_str_list(j, m, n);
			free(m);
		}
		json_end(j);
	}
	json_end_array(j);
}

/* One permit or deny rule of an ACP entry: its conditions for the
 * operation, who it names, the rule. */
static void j_acp_rule(json_out *j, const pdp_image *img,
                       const residuals *res, const pdp_audit_acp_entry *e,
                       uint32_t rule, bool deny)
{
	uint32_t c = residual_parts(res, rule, e->operation);
	json_begin(j);
	if (!deny)
		json_key_bool(j, "unconditional", c == 0 && e->n_denies == 0);
	json_key(j, "conditions");
	j_conds(j, img, res, rule, e->operation, c);
	json_key(j, "who");
	j_who(j, img, rule);
	json_key(j, "rule");
	j_rule(j, img, rule, NULL, 0);
	json_end(j);
}

void acp_json(FILE *out, const pdp_image *img, pdp_str id,
              const pdp_audit_acp *a, bool uncond_only)
{
	residuals res = {NULL, a};
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "query", "acp");
	json_key(&j, "acp");
	j_pstr(&j, id);
	json_key_bool(&j, "unconditional_only", uncond_only);
	json_key(&j, "entries");
	json_begin_array(&j);
	for (size_t i = 0; i < a->n_entries; i++) {
		const pdp_audit_acp_entry *e = &a->entries[i];
		size_t n = e->n_permits + e->n_denies, shown = 0;
		for (size_t k = 0; k < n; k++)
			shown += acp_rule_shown(&res, e, k, uncond_only);
		if (shown == 0)
			continue;
		json_begin(&j);
		json_key_str(&j, "section", section_name(e->self));
		json_key_str(&j, "operation", pdp_operation_name(e->operation));
		for (int deny = 0; deny < 2; deny++) {
			json_key(&j, deny ? "denies" : "permits");
			json_begin_array(&j);
			size_t first = deny ? e->n_permits : 0;
			size_t cnt = deny ? e->n_denies : e->n_permits;
			for (size_t k = 0; k < cnt; k++)
				if (acp_rule_shown(&res, e, first + k, uncond_only))
					j_acp_rule(&j, img, &res, e,
					           deny ? e->denies[k] : e->permits[k],
					           deny != 0);
			json_end_array(&j);
		}
		json_end(&j);
	}
	json_end_array(&j);
	json_end(&j);
	fputc('\n', out);
}

void role_json(FILE *out, const pdp_image *img, const role_answer *a)
{
	static const char *const KEY[ROLE_LISTS] = {
		"juniors", "all_juniors", "seniors", "all_seniors"};
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "query", "role");
	json_key(&j, "role");
	j_pstr(&j, a->role);
	for (int i = 0; i < ROLE_LISTS; i++) {
		json_key(&j, KEY[i]);
		j_role_list(&j, img, a->roles[i], a->n_roles[i]);
	}
	json_key(&j, "assigned_users");
	j_str_list(&j, a->assigned_users, a->n_assigned_users);
	json_key(&j, "authorized_users");
	j_str_list(&j, a->authorized_users, a->n_authorized_users);
	json_key_bool(&j, "unconditional_only", a->unconditional_only);
	json_key(&j, "by_acp");
	j_by_acp(&j, img, a->perms, a->unconditional_only);
	json_key(&j, "permissions");
	j_perms(&j, img, a->perms, a->unconditional_only);
	json_end(&j);
	fputc('\n', out);
}

void constraints_json(FILE *out, const pdp_image *img)
{
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "query", "constraints");
	json_key(&j, "constraints");
	json_begin_array(&j);
	for (uint32_t i = 0; i < pdp_audit_constraint_count(img); i++) {
		pdp_audit_constraint k;
		pdp_audit_constraint_get(img, i, &k);
		size_t nr;
		uint32_t *r = constraint_roles(img, i, &nr);
		json_begin(&j);
		json_key_str(&j, "kind", k.dynamic ? "dsd" : "ssd");
		json_key(&j, "name");
		j_pstr(&j, k.name);
		json_key_uint(&j, "n", k.n);
		json_key(&j, "roles");
		j_role_list(&j, img, r, nr);
		json_end(&j);
		free(r);
	}
	json_end_array(&j);
	json_end(&j);
	fputc('\n', out);
}
