/*
 * audit_role_sets.c - `pdp audit --subject ID --role-sets`: the maximal
 * role sets a session of the subject may activate under dynamic
 * separation of duty, each with what it may do (docs/audit.md). The
 * library finds the sets (pdp_audit_subject_role_sets); this file prints
 * them as text and as JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/audit_out.h"
#include "cli/json_out.h"

/* The DSD sets that limit some contested role, by name: "a, b". */
static char *dsd_names(const pdp_image *img, const pdp_audit_role_sets *rs)
{
	dstr d = {0};
	for (uint32_t i = 0; i < pdp_audit_constraint_count(img); i++) {
		pdp_audit_constraint k;
		if (pdp_audit_constraint_get(img, i, &k) != PDP_OK || !k.dynamic)
			continue;
		size_t nr;
		uint32_t *r = constraint_roles(img, i, &nr);
		bool touches = false;
		for (size_t a = 0; a < nr && !touches; a++)
			for (size_t c = 0; c < rs->n_authorized && !touches; c++)
				touches = r[a] == rs->authorized[c];
		free(r);
		if (!touches)
			continue;
		if (d.n)
			ds_puts(&d, ", ");
		if (k.name.ptr != NULL)
			ds_str(&d, k.name);
		else
			ds_printf(&d, "#%u", i);
	}
	if (d.n == 0)
		ds_puts(&d, "-");
	return ds_take(&d);
}

static const char *truncation_text(pdp_audit_truncation t)
{
	return t == PDP_AUDIT_TRUNCATED_SETS    ? "sets"
	       : t == PDP_AUDIT_TRUNCATED_STEPS ? "steps"
	                                        : NULL;
}

void role_sets_text(FILE *out, const pdp_image *img, const subject_answer *a,
                    const pdp_audit_role_sets *rs)
{
	dstr d = {0};
	subject_head_text(out, img, a);
	ds_role_list(&d, img, rs->contested, rs->n_contested);
	char *dsd = dsd_names(img, rs);
	fprintf(out, "contested roles:  %s (DSD: %s)\n", d.p, dsd);
	free(dsd);
	if (rs->truncated == PDP_AUDIT_COMPLETE)
		fprintf(out, "role sets:        %zu maximal set%s a session may "
		             "activate (all of them)\n",
		        rs->n_sets, rs->n_sets == 1 ? "" : "s");
	else
		fprintf(out, "role sets:        %zu maximal set%s listed; TRUNCATED "
		             "(%s): more may exist\n",
		        rs->n_sets, rs->n_sets == 1 ? "" : "s",
		        rs->truncated == PDP_AUDIT_TRUNCATED_SETS
		                ? "the listing stopped at its cap"
		                : "the search stopped at its step limit");
	for (size_t i = 0; i < rs->n_sets; i++) {
		const pdp_audit_role_set *s = &rs->sets[i];
		/* as the --roles option of a subject query takes them */
		uint32_t *v = roles_by_name(img, s->activate, s->n_activate);
		d.n = 0;
		ds_puts(&d, s->n_activate == 0 ? "''" : "");
		for (size_t k = 0; k < s->n_activate; k++) {
			if (k)
				ds_puts(&d, ",");
			ds_str(&d, pdp_audit_role_name(img, v[k]));
		}
		free(v);
		fprintf(out, "\nrole set %zu: --roles %s\n", i + 1, d.p);
		d.n = 0;
		ds_role_list(&d, img, s->roles, s->n_roles);
		fprintf(out, "active closure:   %s\n\n", d.p);
		perms_text(out, img, s->perms, a->unconditional_only);
	}
	free(d.p);
}

void role_sets_json(FILE *out, const pdp_image *img, const subject_answer *a,
                    const pdp_audit_role_sets *rs)
{
	json_out j = json_on(out);
	json_begin(&j);
	json_key_str(&j, "query", "role_sets");
	json_key(&j, "subject");
	json_strn(&j, a->subject.ptr, a->subject.len);
	json_key(&j, "assigned_roles");
	j_role_list(&j, img, a->assigned, a->n_assigned);
	json_key(&j, "authorized_roles");
	j_role_list(&j, img, rs->authorized, rs->n_authorized);
	json_key(&j, "contested_roles");
	j_role_list(&j, img, rs->contested, rs->n_contested);
	json_key_bool(&j, "complete", rs->truncated == PDP_AUDIT_COMPLETE);
	json_key(&j, "truncated");
	json_str(&j, truncation_text(rs->truncated));
	j_acps(&j, img, a);
	json_key_bool(&j, "unconditional_only", a->unconditional_only);
	json_key(&j, "sets");
	json_begin_array(&j);
	for (size_t i = 0; i < rs->n_sets; i++) {
		const pdp_audit_role_set *s = &rs->sets[i];
		json_begin(&j);
		json_key(&j, "activate");
		j_role_list(&j, img, s->activate, s->n_activate);
		json_key(&j, "active_closure");
		j_role_list(&j, img, s->roles, s->n_roles);
		json_key(&j, "by_acp");
		j_by_acp(&j, img, s->perms, a->unconditional_only);
		json_key(&j, "permissions");
		j_perms(&j, img, s->perms, a->unconditional_only);
		json_end(&j);
	}
	json_end_array(&j);
	json_end(&j);
	fputc('\n', out);
}
