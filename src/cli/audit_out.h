/*
 * audit_out.h - `pdp audit` in three parts: audit_query.c reads the command
 * line and asks include/pdp/audit.h; audit_text.c prints the answers as
 * aligned tables; audit_json.c as JSON (schemas/audit.schema.json) through
 * the one JSON writer (json_out.h). This header holds what they share: the
 * answers of the queries, and the texts of rules and conditions that both
 * outputs print.
 */
#ifndef PDP_CLI_AUDIT_OUT_H
#define PDP_CLI_AUDIT_OUT_H

#include <stdio.h>

#include "cli/cli.h"
#include "pdp/audit.h"

/* ---- a growing string (out of memory exits with EXIT_IO) ---- */

typedef struct dstr {
	char *p;
	size_t n, cap;
} dstr;

void ds_putn(dstr *d, const char *s, size_t n);
void ds_puts(dstr *d, const char *s);
void ds_str(dstr *d, pdp_str s);
void ds_printf(dstr *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text, malloc'd (never NULL); d is empty again. */
char *ds_take(dstr *d);

/* ---- aligned tables (audit_text.c) ---- */

#define MAX_COLS 10

typedef struct table {
	size_t ncols, nrows, cap;
	char **cells; /* nrows x ncols, row 0 the header */
} table;

void table_header(table *t, size_t ncols, const char *const *names);
/* Add a row of ncols malloc'd cells (NULL: empty); the table owns them. */
void table_row(table *t, char **cells);
/* Two spaces between columns; frees the table. */
void table_print(table *t, FILE *out);

/* ---- texts both outputs print (audit_query.c) ---- */

/* The condition parts a rule can have, in the order they are printed. */
extern const uint32_t AUDIT_PARTS[4];

/* The text of one condition part of rule, malloc'd. */
char *cond_text(const pdp_image *img, uint32_t rule, uint32_t part);
/* Where residual texts come from: the permissions result of a subject or
 * role query, or the result of an ACP query (one of them set). */
typedef struct residuals {
	const pdp_audit_perms *perms;
	const pdp_audit_acp *acp;
} residuals;

/* The residual text of one part of rule for op, malloc'd ("" when none). */
char *residual_text(const residuals *r, uint32_t rule, uint32_t op,
                    uint32_t part);
/* The condition parts in mask, joined by "; " ("-" when none): as written
 * (r NULL), or the residual for op; malloc'd. */
char *conds_joined(const pdp_image *img, const residuals *r, uint32_t rule,
                   uint32_t op, uint32_t mask);
/* The parts of rule that are residual conditions for op. */
uint32_t residual_parts(const residuals *r, uint32_t rule, uint32_t op);
/* Is rule k of entry e (permits first, then denies) shown?
 * --unconditional-only: only permit rules that grant unconditionally. */
bool acp_rule_shown(const residuals *r, const pdp_audit_acp_entry *e,
                    size_t k, bool uncond_only);
/* Every condition part the rule has, residual or not. */
uint32_t rule_parts(const pdp_image *img, uint32_t rule);
/* rule:ACP:SECTION:I, and with_id " <rule id>" when it has one; malloc'd. */
char *rule_token(const pdp_image *img, uint32_t rule, bool with_id);
/* An originator as the policy names it: "group:g", "role:r" or the id. */
void orig_text(dstr *d, const pdp_audit_originator *o);
const char *section_name(bool self);
const char *status_name(pdp_audit_status s);
const char *via_name(pdp_audit_via v);

/* The roles r[0..n) sorted by name, malloc'd. */
uint32_t *roles_by_name(const pdp_image *img, const uint32_t *r, size_t n);

/* Is permission x shown (--unconditional-only: only unconditional ones)? */
static inline bool perm_shown(const pdp_audit_perm *x, bool uncond_only)
{
	return !uncond_only || x->status == PDP_AUDIT_UNCONDITIONAL;
}

/* Lists from the count-returning review calls, malloc'd. */
pdp_str *users_of(size_t (*fn)(const pdp_image *, uint32_t, pdp_str *,
                               size_t),
                  const pdp_image *img, uint32_t idx, size_t *n);
/* Report an ACP id (role false) or role name the image does not hold,
 * with "did you mean" for a near one; returns EXIT_USAGE. */
int unknown_name(const pdp_image *img, bool role, pdp_str name);
uint32_t *constraint_roles(const pdp_image *img, uint32_t k, size_t *n);

/* ---- the answers ---- */

/* The options of a subject query (NULL: not given). */
typedef struct subject_opts {
	const char *roles;   /* --roles R,... */
	const char *type;    /* --type T */
	const char *acps;    /* --acps A,B,... */
	const char *attrs;   /* --attrs FILE */
	bool unconditional_only;
	bool role_sets;      /* --role-sets */
} subject_opts;

/* --attrs FILE: the subject's attribute values (audit_attrs.c). */
typedef struct subject_attrs {
	pdpc_compiler *doc;      /* holds the tree the values point into */
	bool found;              /* the file names the subject */
	const pdp_attr *attrs;
	size_t n_attrs;
} subject_attrs;

/* Read FILE and find subj in it; EXIT_OK (found false when the file does
 * not name it), or an exit code after a message on stderr. Free with
 * subject_attrs_free in any case. */
int subject_attrs_load(const char *path, const pdp_image *img, pdp_str subj,
                       subject_attrs *out);
void subject_attrs_free(subject_attrs *a);
/* Every subject id FILE names (malloc'd copies, free each .ptr and the
 * array); EXIT_OK or an exit code after a message. */
int attrs_file_subjects(const char *path, pdp_str **out, size_t *n);

/* --who --acp A --operation OP [--attrs FILE] (audit_who.c). */
int query_who(FILE *out, const pdp_image *img, const char *acp,
              const char *op, const subject_opts *o, bool json);

/* --subject ID [--roles R,...] */
typedef struct subject_answer {
	pdp_str subject;
	bool roles_given;            /* --roles */
	const uint32_t *assigned;    /* the subject's assigned roles */
	size_t n_assigned;
	const uint32_t *authorized;  /* assigned roles and their juniors */
	size_t n_authorized;
	bool unconditional_only;     /* --unconditional-only */
	const char *attrs_file;      /* --attrs: the file, or NULL */
	bool attrs_found;            /* it names the subject */
	const uint32_t *acps;        /* --acps: the union asked for, or NULL */
	size_t n_acps;
	const char *activation;      /* "ok", "role-not-authorized",
	                                "dsd-violation" */
	pdp_str detail;              /* the refused role or the DSD set */
	const pdp_audit_perms *perms;
} subject_answer;

/* --role R: juniors, all juniors, seniors, all seniors. */
enum { ROLE_JUNIORS, ROLE_ALL_JUNIORS, ROLE_SENIORS, ROLE_ALL_SENIORS,
       ROLE_LISTS };

typedef struct role_answer {
	pdp_str role;
	uint32_t *roles[ROLE_LISTS];
	size_t n_roles[ROLE_LISTS];
	pdp_str *assigned_users, *authorized_users;
	size_t n_assigned_users, n_authorized_users;
	const pdp_audit_perms *perms;
	bool unconditional_only;     /* --unconditional-only */
} role_answer;

/* Pieces the role-set answer (audit_role_sets.c) shares: a role list
 * sorted by name ("-" when empty); a permission table with the deny rules
 * below it; the JSON role list, permissions and per-ACP grouping. */
struct json_out;
void ds_role_list(dstr *d, const pdp_image *img, const uint32_t *r,
                  size_t n);
void perms_text(FILE *out, const pdp_image *img, const pdp_audit_perms *p,
                bool uncond_only);
void j_role_list(struct json_out *j, const pdp_image *img, const uint32_t *r,
                 size_t n);
void j_perms(struct json_out *j, const pdp_image *img,
             const pdp_audit_perms *p, bool uncond_only);
void j_by_acp(struct json_out *j, const pdp_image *img,
              const pdp_audit_perms *p, bool uncond_only);

/* The subject's first lines (id, assigned and authorized roles), and the
 * JSON `acps` member of a union query (nothing without --acps). */
void subject_head_text(FILE *out, const pdp_image *img,
                       const subject_answer *a);
void j_acps(struct json_out *j, const pdp_image *img,
            const subject_answer *a);

/* --subject ID --role-sets (audit_role_sets.c): the maximal role sets a
 * session may activate under DSD, each with its permissions. */
void role_sets_text(FILE *out, const pdp_image *img,
                    const subject_answer *a, const pdp_audit_role_sets *rs);
void role_sets_json(FILE *out, const pdp_image *img,
                    const subject_answer *a, const pdp_audit_role_sets *rs);

void subject_text(FILE *out, const pdp_image *img, const subject_answer *a);
void subject_json(FILE *out, const pdp_image *img, const subject_answer *a);
/* uncond_only: only the permit rules that grant unconditionally. */
void acp_text(FILE *out, const pdp_image *img, pdp_str id,
              const pdp_audit_acp *a, bool uncond_only);
void acp_json(FILE *out, const pdp_image *img, pdp_str id,
              const pdp_audit_acp *a, bool uncond_only);
void role_text(FILE *out, const pdp_image *img, const role_answer *a);
void role_json(FILE *out, const pdp_image *img, const role_answer *a);
void constraints_text(FILE *out, const pdp_image *img);
void constraints_json(FILE *out, const pdp_image *img);

#endif
