/*
 * audit_query.c - `pdp audit`: what a subject may do, who may do what on an
 * ACP, a role's place in the hierarchy and its permissions, and the SSD/DSD
 * sets. This file reads the command line and asks include/pdp/audit.h over
 * a loaded image (so -p and -i give the same answers for the same policy);
 * audit_text.c and audit_json.c print the answers.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/audit_out.h"
#include "cli/opts.h"
#include "compiler/cc.h"
#include "common/limits.h"
#include "common/prims.h"

static const char AUDIT_HELP[] =
	"usage: pdp audit (-p POLICY [-p POLICY]... | -i IMAGE) QUERY [--json]\n"
	"queries:\n"
	"  --subject ID [--roles R,...]  every ACP, section and operation ID may\n"
	"                    be granted: how, under which conditions, and which\n"
	"                    deny rules could override. --roles activates exactly\n"
	"                    those roles (default: the assigned roles); --roles ''\n"
	"                    activates none. Conditions on what the query fixes\n"
	"                    (the subject, the operation, --type) are evaluated;\n"
	"                    what remains is shown reduced.\n"
	"    --type T        the target's resource type (name or number)\n"
	"    --attrs FILE   subjects' attributes (YAML/JSON: subject id ->\n"
	"                    attribute values, as a user directory exports them)\n"
	"    --acps A,B,...  the ACPs of one resource (its acpi): answer for\n"
	"                    their union, as pdp decide combines them\n"
	"    --role-sets     under DSD: each maximal role set a session of ID\n"
	"                    may activate, with its permissions\n"
	"  --acp ID [--operation OP]     who may be granted the ACP's operations\n"
	"  --who --acp ID --operation OP [--attrs FILE]  every subject the\n"
	"                    policy or FILE names that may do OP on the ACP:\n"
	"                    unconditionally, or under which residual condition\n"
	"  --role R          juniors, seniors, assigned and authorized users and\n"
	"                    the role's permissions\n"
	"  --constraints     the SSD and DSD role sets\n"
	"  --unconditional-only  with --subject, --role, --acp: only what is\n"
	"                    granted under every environment\n"
	"  --json            one JSON document (schemas/audit.schema.json)\n"
	"docs/audit.md describes the answers.\n"
	"Exit: 0 answered, 1 policy errors, 64 usage (or an unknown ACP, role\n"
	"or operation name, or a subject pdp decide refuses as a bad request),\n"
	"65 image rejected, 66 I/O.\n";

uint32_t *constraint_roles(const pdp_image *img, uint32_t k, size_t *n)
{
	*n = pdp_audit_constraint_roles(img, k, NULL, 0);
	uint32_t *r = malloc((*n + 1) * sizeof(uint32_t));
	if (r == NULL)
		exit(EXIT_IO);
	pdp_audit_constraint_roles(img, k, r, *n);
	return r;
}

/* "no ACP 'x' in the policy" (or role), with the closest name the image
 * holds when one is near: a misspelt id is the usual reason. */
int unknown_name(const pdp_image *img, bool role, pdp_str name)
{
	cc_suggest sg;
	cc_suggest_init(&sg, name.ptr, name.len);
	uint32_t n = role ? pdp_audit_role_count(img) : pdp_acp_count(img);
	for (uint32_t i = 0; i < n; i++) {
		pdp_str c = role ? pdp_audit_role_name(img, i) : pdp_acp_name(img, i);
		if (c.ptr != NULL)
			cc_suggest_try(&sg, c.ptr, c.len);
	}
	char hint[320];
	const char *h = cc_suggest_hint(&sg, hint, sizeof(hint));
	fprintf(stderr, "pdp audit: no %s '%.*s' in the policy%s%s\n",
	        role ? "role" : "ACP", (int)name.len, name.ptr, h ? "; " : "",
	        h ? h : "");
	return EXIT_USAGE;
}

/* ---- --subject ---- */

/* "--roles a,b": the names, pointing into arg (empty names skipped). */
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

/* A subject's assigned or authorized roles, malloc'd. */
static uint32_t *subject_roles(size_t (*fn)(const pdp_image *, pdp_str,
                                            uint32_t *, size_t),
                               const pdp_image *img, pdp_str subj, size_t *n)
{
	*n = fn(img, subj, NULL, 0);
	uint32_t *v = malloc((*n + 1) * sizeof(uint32_t));
	if (v == NULL)
		exit(EXIT_IO);
	fn(img, subj, v, *n);
	return v;
}

/* --acps A,B,C: the ACP indices of a resource's acpi, each known, at most
 * as many as a request may name. */
static int acp_list(const pdp_image *img, const char *arg, uint32_t *out,
                    size_t *n)
{
	pdp_str *names = NULL;
	size_t k = 0;
	if (split_roles(arg, &names, &k) != EXIT_OK)
		return EXIT_IO;
	int rc = EXIT_OK;
	if (k == 0 || k > PDP_MAX_REQ_ACPS) {
		fprintf(stderr, "pdp audit: --acps takes 1 to %d ACP ids, "
		                "comma-separated\n", PDP_MAX_REQ_ACPS);
		rc = EXIT_USAGE;
	}
	for (size_t i = 0; i < k && rc == EXIT_OK; i++) {
		out[i] = pdp_acp_index(img, names[i]);
		if (out[i] == PDP_NONE)
			rc = unknown_name(img, false, names[i]);
	}
	*n = k;
	free(names);
	return rc;
}

/* --type: a resource type name or number, as requests write it. */
static bool parse_type(const char *arg, int32_t *out)
{
	*out = rtype_from_name((pdp_str){arg, strlen(arg)});
	if (*out >= 0)
		return true;
	fprintf(stderr, "pdp audit: unknown resource type '%s' (a name such as "
	                "container, or its number)\n", arg);
	return false;
}

/* The subject's permissions with its assigned roles, or with exactly the
 * --roles given, with what the options fix (--type), and why an
 * activation was refused. */
static int query_subject(FILE *out, const pdp_image *img, const char *id,
                         const subject_opts *o, bool json)
{
	pdp_str subj = {id, strlen(id)};
	pdp_str *roles = NULL;
	size_t nroles = 0;
	pdp_audit_perms *p = NULL;
	pdp_error err;
	const char *roles_arg = o->roles;
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	if (o->type != NULL && !parse_type(o->type, &q.type))
		return EXIT_USAGE;
	if (roles_arg != NULL) {
		if (split_roles(roles_arg, &roles, &nroles) != EXIT_OK)
			return EXIT_IO;
	}
	if (decide_refuses(img, subj, roles, nroles, roles_arg != NULL)) {
		free(roles);
		return EXIT_USAGE;
	}
	q.subject = subj;
	q.roles_given = roles_arg != NULL;
	q.roles = roles;
	q.n_roles = nroles;
	uint32_t acps[PDP_MAX_REQ_ACPS];
	if (o->acps != NULL) {
		int rc = acp_list(img, o->acps, acps, &q.n_acps);
		if (rc != EXIT_OK) {
			free(roles);
			return rc;
		}
		q.acps = acps;
	}
	subject_attrs sa = {0};
	if (o->attrs != NULL) {
		int rc = subject_attrs_load(o->attrs, img, subj, &sa);
		if (rc != EXIT_OK) {
			subject_attrs_free(&sa);
			free(roles);
			return rc;
		}
		/* a subject the file names has exactly those originator.*
		 * attributes; one it does not name is not known */
		q.attrs = sa.attrs;
		q.n_attrs = sa.n_attrs;
		q.attrs_complete = sa.found;
	}
	pdp_audit_role_sets *rs = NULL;
	pdp_status st = o->role_sets
	                        ? pdp_audit_subject_role_sets(img, &q, 0, &rs, &err)
	                        : pdp_audit_subject_permissions(img, &q, &p, &err);
	subject_attrs_free(&sa);
	if (st != PDP_OK) {
		fprintf(stderr, "pdp audit: %s\n", err.message);
		free(roles);
		return EXIT_IO;
	}
	size_t na, nz;
	uint32_t *assigned = subject_roles(pdp_audit_assigned_roles, img, subj,
	                                   &na);
	uint32_t *authorized = subject_roles(pdp_audit_authorized_roles, img,
	                                     subj, &nz);
	subject_answer a = {subj, roles_arg != NULL, assigned, na, authorized,
	                    nz, o->unconditional_only, o->attrs, q.attrs_complete,
	                    q.acps, q.n_acps, "ok", {NULL, 0}, p};
	if (rs != NULL) {
		if (json)
			role_sets_json(out, img, &a, rs);
		else
			role_sets_text(out, img, &a, rs);
		pdp_audit_role_sets_free(rs);
		free(assigned);
		free(authorized);
		free(roles);
		return EXIT_OK;
	}
	if (p->activation == PDP_AUDIT_ROLE_NOT_AUTHORIZED) {
		a.activation = "role-not-authorized";
		if (roles != NULL)
			a.detail = roles[p->activation_detail];
	} else if (p->activation == PDP_AUDIT_DSD_VIOLATION) {
		pdp_audit_constraint k;
		a.activation = "dsd-violation";
		pdp_audit_constraint_get(img, p->activation_detail, &k);
		a.detail = k.name;
	}
	if (json)
		subject_json(out, img, &a);
	else
		subject_text(out, img, &a);
	free(assigned);
	free(authorized);
	free(roles);
	pdp_audit_perms_free(p);
	return EXIT_OK;
}

/* ---- --acp ---- */

static int query_acp(FILE *out, const pdp_image *img, const char *id,
                     const char *opname, bool uncond_only, bool json)
{
	pdp_str name = {id, strlen(id)};
	uint32_t acp = pdp_acp_index(img, name);
	if (acp == PDP_NONE)
		return unknown_name(img, false, name);
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
	if (json)
		acp_json(out, img, name, a, uncond_only);
	else
		acp_text(out, img, name, a, uncond_only);
	pdp_audit_acp_free(a);
	return EXIT_OK;
}

/* ---- --role ---- */

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

static int query_role(FILE *out, const pdp_image *img, const char *rname,
                      bool uncond_only, bool json)
{
	role_answer a;
	memset(&a, 0, sizeof(a));
	a.unconditional_only = uncond_only;
	a.role = (pdp_str){rname, strlen(rname)};
	uint32_t role = pdp_audit_role_index(img, a.role);
	if (role == PDP_NONE)
		return unknown_name(img, true, a.role);
	pdp_audit_perms *p;
	pdp_error err;
	if (pdp_audit_role_permissions(img, role, PDP_NONE, &p, &err) != PDP_OK) {
		fprintf(stderr, "pdp audit: %s\n", err.message);
		return EXIT_IO;
	}
	a.perms = p;
	for (int i = 0; i < ROLE_LISTS; i++)
		a.roles[i] = roles_of(i < ROLE_SENIORS ? pdp_audit_role_juniors
		                                       : pdp_audit_role_seniors,
		                      img, role,
		                      i == ROLE_JUNIORS || i == ROLE_SENIORS,
		                      &a.n_roles[i]);
	a.assigned_users = users_of(pdp_audit_assigned_users, img, role,
	                            &a.n_assigned_users);
	a.authorized_users = users_of(pdp_audit_authorized_users, img, role,
	                              &a.n_authorized_users);
	if (json)
		role_json(out, img, &a);
	else
		role_text(out, img, &a);
	pdp_audit_perms_free(p);
	for (int i = 0; i < ROLE_LISTS; i++)
		free(a.roles[i]);
	free(a.assigned_users);
	free(a.authorized_users);
	return EXIT_OK;
}

/* An option that takes one value: given twice, the command would answer
 * only one of them, so it is refused (ask again for the other). */
static int once(const char **slot, const char *value, const char *opt)
{
	if (*slot != NULL) {
		fprintf(stderr, "pdp audit: %s given twice ('%s', '%s'): one query "
		                "answers one; run pdp audit once for each\n",
		        opt, *slot, value);
		return EXIT_USAGE;
	}
	*slot = value;
	return EXIT_OK;
}

enum { OPT_SUBJECT = OPT_FIRST, OPT_ROLES, OPT_ACPS, OPT_ATTRS, OPT_TYPE,
       OPT_ACP, OPT_OPERATION, OPT_ROLE, OPT_CONSTRAINTS, OPT_WHO,
       OPT_UNCOND, OPT_JSON, OPT_ROLE_SETS };

static const struct option AUDIT_OPTIONS[] = {
	{"policy", required_argument, NULL, 'p'},
	{"image", required_argument, NULL, 'i'},
	{"subject", required_argument, NULL, OPT_SUBJECT},
	{"roles", required_argument, NULL, OPT_ROLES},
	{"acps", required_argument, NULL, OPT_ACPS},
	{"attrs", required_argument, NULL, OPT_ATTRS},
	{"type", required_argument, NULL, OPT_TYPE},
	{"acp", required_argument, NULL, OPT_ACP},
	{"operation", required_argument, NULL, OPT_OPERATION},
	{"role", required_argument, NULL, OPT_ROLE},
	{"constraints", no_argument, NULL, OPT_CONSTRAINTS},
	{"who", no_argument, NULL, OPT_WHO},
	{"unconditional-only", no_argument, NULL, OPT_UNCOND},
	{"role-sets", no_argument, NULL, OPT_ROLE_SETS},
	{"json", no_argument, NULL, OPT_JSON},
	CLI_COMMON_OPTIONS
};

/* Reads the options (exactly one query), gets the image, runs the query. */
int cmd_audit(int argc, char **argv)
{
	const char *image = NULL, *subject = NULL, *acp = NULL, *op = NULL,
	           *role = NULL;
	subject_opts so = {0};
	bool json = false, constraints = false, who = false;
	char **pols = calloc((size_t)argc + 1, sizeof(char *));
	int npols = 0, rc = EXIT_OK, c, nops;
	if (pols == NULL)
		return EXIT_IO;
	cli_parser p;
	cli_parser_init(&p, "audit", AUDIT_HELP, "p:i:", AUDIT_OPTIONS, argc,
	                argv);
	while ((c = cli_next(&p)) != CLI_END) {
		const char *v = p.arg;
		switch (c) {
		case CLI_EXIT:
			rc = p.exit_code;
			goto out;
		case 'p':
			pols[npols++] = (char *)v;
			break;
		case 'i':
			rc = once(&image, v, "-i");
			break;
		case OPT_SUBJECT:
			rc = once(&subject, v, "--subject");
			break;
		case OPT_ROLES:
			rc = once(&so.roles, v, "--roles");
			break;
		case OPT_ACPS:
			rc = once(&so.acps, v, "--acps");
			break;
		case OPT_ATTRS:
			rc = once(&so.attrs, v, "--attrs");
			break;
		case OPT_TYPE:
			rc = once(&so.type, v, "--type");
			break;
		case OPT_ACP:
			rc = once(&acp, v, "--acp");
			break;
		case OPT_OPERATION:
			rc = once(&op, v, "--operation");
			break;
		case OPT_ROLE:
			rc = once(&role, v, "--role");
			break;
		case OPT_CONSTRAINTS:
			constraints = true;
			break;
		case OPT_WHO:
			who = true;
			break;
		case OPT_UNCOND:
			so.unconditional_only = true;
			break;
		case OPT_ROLE_SETS:
			so.role_sets = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		}
		if (rc != EXIT_OK)
			goto out;
	}
	cli_operands(&p, &nops);
	if (nops > 0) {
		rc = cli_usage_error(&p, "unexpected operand '%s' (policies go "
		                         "with -p POLICY)", argv[argc - nops]);
		goto out;
	}
	if (!cli_stdin_once(&p, pols, npols, NULL, 0, image)) {
		rc = EXIT_USAGE;
		goto out;
	}
	int queries = (subject != NULL) + (acp != NULL) + (role != NULL) +
	              (constraints ? 1 : 0);
	const char *problem = NULL;
	if ((image == NULL) == (npols == 0))
		problem = "give -p POLICY... or -i IMAGE (not both)";
	else if (queries != 1)
		problem = "give exactly one of --subject, --acp, --role, --constraints";
	else if (who && (acp == NULL || op == NULL))
		problem = "--who goes with --acp ID --operation OP";
	else if (so.attrs != NULL && subject == NULL && !who)
		problem = "--attrs goes with --subject or --who";
	else if ((so.roles != NULL || so.type != NULL || so.acps != NULL) &&
	         subject == NULL)
		problem = "--roles, --type and --acps go with --subject";
	else if (so.role_sets && (subject == NULL || so.roles != NULL))
		problem = "--role-sets goes with --subject, without --roles (it "
		          "lists the role sets a session may activate)";
	else if (so.unconditional_only && constraints)
		problem = "--unconditional-only goes with --subject, --role or --acp";
	else if (op != NULL && acp == NULL)
		problem = "--operation goes with --acp";
	if (problem != NULL) {
		rc = cli_usage_error(&p, "%s", problem);
		goto out;
	}
	pdp_image *img = NULL;
	rc = obtain_image(image, pols, npols, &img);
	if (rc != EXIT_OK)
		goto out;
	if (subject != NULL)
		rc = query_subject(stdout, img, subject, &so, json);
	else if (who)
		rc = query_who(stdout, img, acp, op, &so, json);
	else if (acp != NULL)
		rc = query_acp(stdout, img, acp, op, so.unconditional_only, json);
	else if (role != NULL)
		rc = query_role(stdout, img, role, so.unconditional_only, json);
	else if (json)
		constraints_json(stdout, img);
	else
		constraints_text(stdout, img);
	fflush(stdout);
	pdp_image_free(img);
out:
	free(pols);
	return rc;
}
