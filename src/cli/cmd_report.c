/*
 * cmd_report.c - `pdp report --html OUT.html`: one self-contained page for
 * auditors (no network, no external scripts or styles): the permission
 * matrix, the role hierarchy, SSD/DSD constraints and lint findings.
 *
 * The matrix is aggregated so that it stays usable at L (10,000 ACPs,
 * 100,000 users): its rows are the roles and the entries rules name
 * directly (ids, groups, globs, `all`), never every user; a user is found
 * with the search box, which shows the rows of the roles assigned to it.
 * The page carries the data as JSON and renders one page of rows and ACP
 * columns at a time. Role cells come from the audit's role permissions;
 * id, group, glob and `all` rows show what the rules naming exactly that
 * entry grant (src/audit/diff.c pdiff_entry_level): an id's grants through
 * its roles are in the role rows, not repeated (`pdp audit --subject`
 * has an id's whole set).
 */
#include <stdlib.h>
#include <string.h>

#include "audit/diff.h"
#include "cli/cli.h"
#include "cli/report_page.h"
#include "cli/opts.h"

static const char REPORT_HELP[] =
	"usage: pdp report (-p POLICY [-p POLICY]... | -i IMAGE) --html OUT.html\n"
	"Write the permission matrix (roles and the ids, groups, globs and `all`\n"
	"that rules name, by ACP and operation: granted, conditional with its\n"
	"condition, denied by a deny rule), the role hierarchy, the SSD/DSD\n"
	"constraints and the lint findings (with -p) as one self-contained HTML\n"
	"page with filters, search and paging.\n"
	"  -p, --policy POLICY  compile POLICY (- for standard input)\n"
	"  -i, --image IMAGE    load IMAGE (- for standard input)\n"
	"  --html OUT  write the page to OUT (- for standard output)\n"
	"Exit: 0 written, 1 policy errors, 64 usage, 65 image rejected, 66 I/O.\n";

#define NSLOT 12

/* Condition texts are shared by many cells: each is written once. */
typedef struct cond_table {
	char **v;
	size_t n, cap;
} cond_table;

static size_t cond_id(cond_table *t, const char *s)
{
	for (size_t i = t->n; i > 0 && i + 64 > t->n; i--)
		if (strcmp(t->v[i - 1], s) == 0)
			return i - 1;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (t->v == NULL)
			exit(EXIT_IO);
	}
	t->v[t->n] = strdup(s);
	if (t->v[t->n] == NULL)
		exit(EXIT_IO);
	return t->n++;
}

static void jstr(FILE *f, const char *s, size_t len)
{
	/* JSON inside a <script> element: "<" escaped too, so that no "</"
	 * can end the element */
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == '<' || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void jpstr(FILE *f, pdp_str s)
{
	jstr(f, s.ptr, s.len);
}

static void jcstr(FILE *f, const char *s)
{
	jstr(f, s, strlen(s));
}

/* The residual conditions of a grant (one text per part) joined. */
static char *grant_text(const pdp_image *img, uint32_t rule, uint32_t op)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (m == NULL)
		exit(EXIT_IO);
	uint32_t bits = pdp_audit_rule_conditions(img, rule, op);
	bool first = true;
	for (uint32_t part = 1; part <= PDP_AUDIT_COND_WHEN; part <<= 1) {
		if (!(bits & part))
			continue;
		size_t n = pdp_audit_format_condition(img, rule, part, NULL, 0);
		char *t = malloc(n + 1);
		if (t == NULL)
			exit(EXIT_IO);
		pdp_audit_format_condition(img, rule, part, t, n + 1);
		fprintf(m, "%s%s", first ? "" : ", ", t);
		free(t);
		first = false;
	}
	fclose(m);
	return buf;
}

/* One row's cells from an audit answer: per ACP a 12-character state
 * string ('.' none, g granted, c conditional, d denied by a deny rule) and
 * the condition ids of its conditional slots. */
static void cells_from_perms(FILE *f, const pdp_image *img,
                             const pdp_audit_perms *p, cond_table *ct)
{
	size_t i = 0;
	bool first = true;
	while (i < p->n_perms) {
		uint32_t acp = p->perms[i].acp;
		char st[NSLOT + 1];
		memset(st, '.', NSLOT);
		st[NSLOT] = '\0';
		long cid[NSLOT];
		for (int k = 0; k < NSLOT; k++)
			cid[k] = -1;
		for (; i < p->n_perms && p->perms[i].acp == acp; i++) {
			const pdp_audit_perm *q = &p->perms[i];
			int k = (q->self ? 6 : 0) + __builtin_ctz(q->operation);
			st[k] = q->status == PDP_AUDIT_UNCONDITIONAL ? 'g'
			        : q->status == PDP_AUDIT_CONDITIONAL ? 'c'
			                                             : 'd';
			if (st[k] != 'c')
				continue;
			/* the first grant's conditions, and whether a deny may
			 * override: enough for a hover; pdp audit has the rest */
			char *t = grant_text(img, q->grants[0].rule, q->operation);
			char *full = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&full, &len);
			if (m == NULL)
				exit(EXIT_IO);
			fputs(t[0] ? t : "(always)", m);
			if (q->n_grants > 1)
				fprintf(m, " (or %zu more grants)", q->n_grants - 1);
			if (q->n_overrides > 0)
				fprintf(m, "; unless %zu deny rule%s apply", q->n_overrides,
				        q->n_overrides == 1 ? "" : "s");
			fclose(m);
			cid[k] = (long)cond_id(ct, full);
			free(t);
			free(full);
		}
		fprintf(f, "%s[%u,\"%s\"", first ? "" : ",", acp, st);
		for (int k = 0; k < NSLOT; k++)
			if (cid[k] >= 0)
				fprintf(f, ",%d,%ld", k, cid[k]);
		fputc(']', f);
		first = false;
	}
}

typedef struct acp_rules {
	uint32_t **v;
	uint32_t *n;
} acp_rules;

static acp_rules index_rules(const pdp_image *img)
{
	uint32_t na = pdp_acp_count(img), nr = pdp_audit_rule_count(img);
	acp_rules ar = {calloc(na + 1, sizeof(uint32_t *)),
	                calloc(na + 1, sizeof(uint32_t))};
	if (ar.v == NULL || ar.n == NULL)
		exit(EXIT_IO);
	pdp_audit_rule r;
	for (uint32_t i = 0; i < nr; i++)
		if (pdp_audit_rule_get(img, i, &r) == PDP_OK && r.acp < na) {
			uint32_t *v = realloc(ar.v[r.acp], (ar.n[r.acp] + 1) * sizeof(*v));
			if (v == NULL)
				exit(EXIT_IO);
			v[ar.n[r.acp]++] = i;
			ar.v[r.acp] = v;
		}
	return ar;
}

/* A group, glob, id or `all` row: what the rules naming it grant, on the
 * ACPs acps[0..n) that name it. */
static void cells_of_entry(FILE *f, const pdp_image *img, const acp_rules *ar,
                           const char *entry, const uint32_t *acps, size_t n,
                           cond_table *ct)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		uint32_t a = acps[i];
		char st[NSLOT + 1];
		memset(st, '.', NSLOT);
		st[NSLOT] = '\0';
		long cid[NSLOT];
		bool any = false;
		for (int k = 0; k < NSLOT; k++) {
			cid[k] = -1;
			char *terms = NULL;
			int lv = pdiff_entry_level(img, ar->v[a], ar->n[a], entry, k >= 6,
			                           1u << (k % 6), &terms);
			if (lv == 2)
				st[k] = 'g';
			else if (lv == 1) {
				st[k] = 'c';
				cid[k] = (long)cond_id(ct, terms ? terms : "");
			}
			any = any || lv > 0;
			free(terms);
		}
		if (!any)
			continue;
		fprintf(f, "%s[%u,\"%s\"", first ? "" : ",", a, st);
		for (int k = 0; k < NSLOT; k++)
			if (cid[k] >= 0)
				fprintf(f, ",%d,%ld", k, cid[k]);
		fputc(']', f);
		first = false;
	}
}

/* An entry a rule names ("id:X", "group:G", "glob:P", "all", or
 * "role:R" with its role index) and the ACP of that rule. */
typedef struct named {
	char *entry;
	uint32_t acp, role;
} named;

static int cmp_named(const void *pa, const void *pb)
{
	const named *a = pa, *b = pb;
	int c = strcmp(a->entry, b->entry);
	return c ? c : a->acp < b->acp ? -1 : a->acp > b->acp;
}

static named *rule_entries(const pdp_image *img, size_t *n_out)
{
	size_t n = 0, cap = 64;
	named *v = malloc(cap * sizeof(*v));
	if (v == NULL)
		exit(EXIT_IO);
	for (uint32_t i = 0; i < pdp_audit_rule_count(img); i++) {
		pdp_audit_rule r;
		pdp_audit_rule_get(img, i, &r);
		for (uint32_t j = 0; j < r.n_originators; j++) {
			pdp_audit_originator o;
			if (pdp_audit_rule_originator(img, i, j, &o) != PDP_OK)
				continue;
			const char *pre = o.kind == PDP_AUDIT_VIA_EXACT   ? "id:"
			                  : o.kind == PDP_AUDIT_VIA_GROUP ? "group:"
			                  : o.kind == PDP_AUDIT_VIA_GLOB  ? "glob:"
			                  : o.kind == PDP_AUDIT_VIA_ROLE  ? "role:"
			                                                  : "";
			if (n == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof(*v));
				if (v == NULL)
					exit(EXIT_IO);
			}
			size_t pl = strlen(pre);
			char *e = malloc(pl + o.name.len + 1);
			if (e == NULL)
				exit(EXIT_IO);
			memcpy(e, pre, pl);
			memcpy(e + pl, o.name.ptr, o.name.len);
			e[pl + o.name.len] = '\0';
			v[n].entry = e;
			v[n].acp = r.acp;
			v[n].role = o.kind == PDP_AUDIT_VIA_ROLE ? o.index : PDP_NONE;
			n++;
		}
	}
	qsort(v, n, sizeof(*v), cmp_named);
	*n_out = n;
	return v;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* A role row: role_permissions on each ACP that names the role or one of
 * its juniors (the only ACPs where it can be granted), not on all. */
static void role_row(FILE *f, const pdp_image *img, uint32_t r,
                     uint32_t *const *role_acps, const size_t *n_role_acps,
                     cond_table *ct)
{
	uint32_t nr = pdp_audit_role_count(img);
	uint32_t *jr = malloc((nr + 1) * sizeof(*jr));
	if (jr == NULL)
		exit(EXIT_IO);
	size_t nj = pdp_audit_role_juniors(img, r, false, jr, nr);
	jr[nj++] = r;
	size_t total = 0;
	for (size_t i = 0; i < nj; i++)
		total += n_role_acps[jr[i]];
	uint32_t *acps = malloc((total + 1) * sizeof(*acps));
	if (acps == NULL)
		exit(EXIT_IO);
	size_t k = 0;
	for (size_t i = 0; i < nj; i++)
		for (size_t j = 0; j < n_role_acps[jr[i]]; j++)
			acps[k++] = role_acps[jr[i]][j];
	qsort(acps, k, sizeof(*acps), cmp_u32);
	bool first = true;
	for (size_t i = 0; i < k; i++) {
		if (i > 0 && acps[i] == acps[i - 1])
			continue;
		pdp_audit_perms *p = NULL;
		if (pdp_audit_role_permissions(img, r, acps[i], &p, NULL) != PDP_OK)
			continue;
		if (p->n_perms > 0) {
			fputs(first ? "" : ",", f);
			cells_from_perms(f, img, p, ct);
			first = false;
		}
		pdp_audit_perms_free(p);
	}
	free(acps);
	free(jr);
}

static void write_rows(FILE *f, const pdp_image *img, cond_table *ct)
{
	size_t ne;
	named *en = rule_entries(img, &ne);
	acp_rules ar = index_rules(img);
	uint32_t nr = pdp_audit_role_count(img);
	/* per role: the ACPs whose rules name it */
	uint32_t **role_acps = calloc(nr + 1, sizeof(*role_acps));
	size_t *n_role_acps = calloc(nr + 1, sizeof(*n_role_acps));
	if (role_acps == NULL || n_role_acps == NULL)
		exit(EXIT_IO);
	for (size_t i = 0; i < ne; i++)
		if (en[i].role != PDP_NONE && en[i].role < nr) {
			uint32_t r = en[i].role;
			uint32_t *v = realloc(role_acps[r],
			                      (n_role_acps[r] + 1) * sizeof(*v));
			if (v == NULL)
				exit(EXIT_IO);
			v[n_role_acps[r]++] = en[i].acp;
			role_acps[r] = v;
		}
	fputs("\"rows\":[", f);
	bool first = true;
	for (uint32_t r = 0; r < nr; r++) {
		fputs(first ? "{\"k\":\"role\",\"n\":" : ",{\"k\":\"role\",\"n\":", f);
		jpstr(f, pdp_audit_role_name(img, r));
		fputs(",\"c\":[", f);
		role_row(f, img, r, role_acps, n_role_acps, ct);
		fputs("]}", f);
		first = false;
	}
	uint32_t *acps = malloc((ne + 1) * sizeof(*acps));
	if (acps == NULL)
		exit(EXIT_IO);
	for (size_t i = 0; i < ne;) {
		size_t j = i, n = 0;
		for (; j < ne && strcmp(en[j].entry, en[i].entry) == 0; j++)
			if (n == 0 || acps[n - 1] != en[j].acp)
				acps[n++] = en[j].acp;
		const char *e = en[i].entry;
		if (en[i].role == PDP_NONE) {
			const char *kind = strncmp(e, "id:", 3) == 0      ? "id"
			                   : strncmp(e, "group:", 6) == 0 ? "group"
			                   : strncmp(e, "glob:", 5) == 0  ? "glob"
			                                                  : "all";
			const char *name = strchr(e, ':') ? strchr(e, ':') + 1 : e;
			fprintf(f, ",{\"k\":\"%s\",\"n\":", kind);
			jcstr(f, name);
			fputs(",\"c\":[", f);
			cells_of_entry(f, img, &ar, e, acps, n, ct);
			fputs("]}", f);
		}
		i = j;
	}
	for (size_t i = 0; i < ne; i++)
		free(en[i].entry);
	for (uint32_t r = 0; r < nr; r++)
		free(role_acps[r]);
	for (uint32_t a = 0; a < pdp_acp_count(img); a++)
		free(ar.v[a]);
	free(role_acps);
	free(n_role_acps);
	free(acps);
	free(ar.v);
	free(ar.n);
	free(en);
	fputs("]", f);
}

static void write_roles(FILE *f, const pdp_image *img)
{
	uint32_t nr = pdp_audit_role_count(img);
	uint32_t *buf = malloc((nr + 1) * sizeof(*buf));
	if (buf == NULL)
		exit(EXIT_IO);
	fputs("\"roles\":[", f);
	for (uint32_t r = 0; r < nr; r++) {
		fputs(r ? ",{\"n\":" : "{\"n\":", f);
		jpstr(f, pdp_audit_role_name(img, r));
		fputs(",\"j\":[", f);
		size_t n = pdp_audit_role_juniors(img, r, true, buf, nr);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s%u", i ? "," : "", buf[i]);
		fprintf(f, "],\"u\":%zu}",
		        pdp_audit_assigned_users(img, r, NULL, 0));
	}
	fputs("],\"users\":[", f);
	/* [user, assigned role index] pairs, for the search box */
	bool first = true;
	for (uint32_t r = 0; r < nr; r++) {
		size_t n = pdp_audit_assigned_users(img, r, NULL, 0);
		pdp_str *u = malloc((n + 1) * sizeof(*u));
		if (u == NULL)
			exit(EXIT_IO);
		pdp_audit_assigned_users(img, r, u, n);
		for (size_t i = 0; i < n; i++) {
			/* a user holding several roles appears once per role: the
			 * page merges the lists */
			fputs(first ? "[" : ",[", f);
			jstr(f, u[i].ptr, u[i].len);
			fprintf(f, ",%u]", r);
			first = false;
		}
		free(u);
	}
	fputs("]", f);
	free(buf);
}

static void write_constraints(FILE *f, const pdp_image *img)
{
	uint32_t nr = pdp_audit_role_count(img);
	uint32_t *buf = malloc((nr + 1) * sizeof(*buf));
	if (buf == NULL)
		exit(EXIT_IO);
	fputs("\"constraints\":[", f);
	for (uint32_t c = 0; c < pdp_audit_constraint_count(img); c++) {
		pdp_audit_constraint k;
		pdp_audit_constraint_get(img, c, &k);
		fprintf(f, "%s{\"t\":\"%s\",\"n\":%u,\"name\":", c ? "," : "",
		        k.dynamic ? "DSD" : "SSD", k.n);
		if (k.name.ptr)
			jpstr(f, k.name);
		else
			fputs("null", f);
		fputs(",\"r\":[", f);
		size_t n = pdp_audit_constraint_roles(img, c, buf, nr);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s%u", i ? "," : "", buf[i]);
		fputs("]}", f);
	}
	fputs("]", f);
	free(buf);
}

static void write_lint(FILE *f, char **policies, int np)
{
	fputs("\"lint\":", f);
	if (np == 0) {
		fputs("null", f);
		return;
	}
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		exit(EXIT_IO);
	for (int i = 0; i < np; i++)
		cli_add_policy(c, policies[i]);
	pdpc_lint(c);
	fputc('[', f);
	for (size_t i = 0; i < pdpc_diag_count(c); i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		fprintf(f, "%s{\"f\":", i ? "," : "");
		jcstr(f, d->file ? d->file : "");
		fprintf(f, ",\"l\":%u,\"col\":%u,\"s\":\"%s\",\"code\":", d->line,
		        d->col,
		        d->severity == PDPC_ERROR     ? "error"
		        : d->severity == PDPC_WARNING ? "warning"
		                                      : "note");
		jcstr(f, d->code ? d->code : "");
		fputs(",\"m\":", f);
		jcstr(f, d->message ? d->message : "");
		fputc('}', f);
	}
	fputc(']', f);
	pdpc_free(c);
}

/* The page's data: ACP names, rows and their cells, conditions, roles,
 * users, constraints, lint. */
static void write_data(FILE *f, const pdp_image *img, char **policies,
                       int np)
{
	cond_table ct = {0};
	fputs("{\"acps\":[", f);
	for (uint32_t a = 0; a < pdp_acp_count(img); a++) {
		fputs(a ? "," : "", f);
		jpstr(f, pdp_acp_name(img, a));
	}
	fputs("],", f);
	write_rows(f, img, &ct);
	fputs(",\"conds\":[", f);
	for (size_t i = 0; i < ct.n; i++) {
		fputs(i ? "," : "", f);
		jcstr(f, ct.v[i]);
		free(ct.v[i]);
	}
	free(ct.v);
	fputs("],", f);
	write_roles(f, img);
	fputs(",", f);
	write_constraints(f, img);
	fputs(",", f);
	write_lint(f, policies, np);
	fputs("}", f);
}

static const struct option REPORT_OPTIONS[] = {
	{"policy", required_argument, NULL, 'p'},
	{"image", required_argument, NULL, 'i'},
	{"html", required_argument, NULL, OPT_FIRST},
	CLI_COMMON_OPTIONS
};

int cmd_report(int argc, char **argv)
{
	const char *image = NULL, *out = NULL;
	char **policies = calloc((size_t)argc + 1, sizeof(char *));
	int np = 0, c, nops = 0;
	if (policies == NULL)
		return EXIT_IO;
	cli_parser p;
	cli_parser_init(&p, "report", REPORT_HELP, "p:i:", REPORT_OPTIONS, argc,
	                argv);
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_EXIT) {
			free(policies);
			return p.exit_code;
		}
		if (c == 'p')
			policies[np++] = (char *)p.arg;
		else if (c == 'i')
			image = p.arg;
		else
			out = p.arg;
	}
	char **ops = cli_operands(&p, &nops);
	const char *problem = NULL;
	if (nops > 0)
		problem = "unexpected operand (policies go with -p POLICY)";
	else if (out == NULL)
		problem = "give --html OUT.html (- for standard output)";
	else if ((image == NULL) == (np == 0))
		problem = "give -p POLICY... or -i IMAGE (not both)";
	if (problem == NULL &&
	    !cli_stdin_once(&p, policies, np, NULL, 0, image))
		problem = ""; /* reported */
	if (problem != NULL) {
		if (nops > 0)
			cli_usage_error(&p, "%s: '%s'", problem, ops[0]);
		else if (*problem != '\0')
			cli_usage_error(&p, "%s", problem);
		free(policies);
		return EXIT_USAGE;
	}
	pdp_image *img = NULL;
	int rc = obtain_image(image, policies, np, &img);
	if (rc != EXIT_OK) {
		free(policies);
		return rc;
	}
	FILE *f = strcmp(out, "-") == 0 ? stdout : fopen(out, "w");
	if (f == NULL) {
		fprintf(stderr, "pdp report: cannot write %s\n", out);
		pdp_image_free(img);
		free(policies);
		return EXIT_IO;
	}
	fputs(REPORT_PAGE_HEAD, f);
	write_data(f, img, policies, np);
	fputs(REPORT_PAGE_TAIL, f);
	if ((f != stdout && fclose(f) != 0) || (f == stdout && fflush(f) != 0)) {
		fprintf(stderr, "pdp report: cannot write %s\n", out);
		rc = EXIT_IO;
	}
	pdp_image_free(img);
	free(policies);
	return rc;
}
