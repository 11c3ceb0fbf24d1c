/*
 * cmd_diff.c - `pdp diff OLD NEW`: what a policy change grants or takes
 * away (src/audit/diff.c computes it), as text, JSON or SARIF, with
 * `--fail-on widen` as a CI gate.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/diff.h"
#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/opts.h"

static const char DIFF_HELP[] =
	"usage: pdp diff [--format text|json|sarif] [--fail-on widen] OLD NEW\n"
	"Every (subject, ACP, section, operation) whose grant changes between\n"
	"OLD and NEW (each a policy file or a compiled image): gained, lost,\n"
	"now-conditional, now-unconditional, condition-changed; and the roles,\n"
	"assignments, groups, constraints and attributes that changed. One of\n"
	"them may be - (standard input).\n"
	"  --format json    one JSON object\n"
	"  --format sarif   SARIF 2.1.0 for code-scanning tools\n"
	"  --fail-on widen  exit 1 when anything was gained, became\n"
	"                   unconditional or changed its condition\n"
	"Exit: 0 compared, 1 widened with --fail-on widen or policy errors,\n"
	"64 usage, 65 image rejected, 66 I/O.\n";

typedef enum diff_format { DF_TEXT, DF_JSON, DF_SARIF } diff_format;

static const char *subject_prefix(pdp_audit_via via)
{
	return via == PDP_AUDIT_VIA_ROLE ? "role:" : via == PDP_AUDIT_VIA_GROUP
	                                                 ? "group:"
	                                                 : "";
}

static const char *via_name(pdp_audit_via via)
{
	static const char *const N[] = {"all", "id", "glob", "group", "role"};
	return (unsigned)via < 5 ? N[via] : "?";
}

static void print_text(const pdiff_result *r)
{
	const char *acp = NULL;
	for (size_t i = 0; i < r->n_changes; i++) {
		const pdiff_change *c = &r->changes[i];
		if (acp == NULL || strcmp(acp, c->acp) != 0) {
			printf("acp %s\n", c->acp);
			acp = c->acp;
		}
		printf("  %-17s %s%s %s %s: %s -> %s\n", pdiff_kind_name(c->kind),
		       subject_prefix(c->via), c->subject,
		       c->self ? "self" : "privileges",
		       pdp_operation_name(c->operation), c->old_text, c->new_text);
	}
	for (size_t i = 0; i < r->n_decls; i++) {
		const pdiff_decl *d = &r->decls[i];
		printf("%s %s: %s -> %s\n", d->what, d->name,
		       d->old_text ? d->old_text : "(absent)",
		       d->new_text ? d->new_text : "(absent)");
	}
}

static void print_counts(FILE *out, const pdiff_result *r)
{
	size_t k[5] = {0};
	for (size_t i = 0; i < r->n_changes; i++)
		k[r->changes[i].kind]++;
	fprintf(out, "%zu grant changes (%zu gained, %zu lost, %zu "
	             "now-conditional, %zu now-unconditional, %zu "
	             "condition-changed) in %zu changed ACPs; %zu declaration "
	             "changes\n",
	        r->n_changes, k[PDIFF_GAINED], k[PDIFF_LOST],
	        k[PDIFF_NOW_CONDITIONAL], k[PDIFF_NOW_UNCONDITIONAL],
	        k[PDIFF_CONDITION_CHANGED], r->acps_changed, r->n_decls);
}

static void jstr(const char *key, const char *v, bool comma)
{
	printf("%s\"%s\":", comma ? "," : "", key);
	if (v == NULL)
		fputs("null", stdout);
	else
		json_write_string(stdout, v, strlen(v));
}

static void print_json(const pdiff_result *r)
{
	fputs("{\"changes\":[", stdout);
	for (size_t i = 0; i < r->n_changes; i++) {
		const pdiff_change *c = &r->changes[i];
		printf("%s{", i ? "," : "");
		jstr("kind", pdiff_kind_name(c->kind), false);
		jstr("subject_kind", via_name(c->via), true);
		jstr("subject", c->subject, true);
		jstr("acp", c->acp, true);
		jstr("section", c->self ? "self" : "privileges", true);
		jstr("operation", pdp_operation_name(c->operation), true);
		jstr("old", c->old_text, true);
		jstr("new", c->new_text, true);
		printf(",\"widens\":%s}", pdiff_widens(c->kind) ? "true" : "false");
	}
	fputs("],\"declarations\":[", stdout);
	for (size_t i = 0; i < r->n_decls; i++) {
		const pdiff_decl *d = &r->decls[i];
		printf("%s{", i ? "," : "");
		jstr("what", d->what, false);
		jstr("name", d->name, true);
		jstr("old", d->old_text, true);
		jstr("new", d->new_text, true);
		fputc('}', stdout);
	}
	printf("],\"acps_changed\":%zu}\n", r->acps_changed);
}

/* SARIF 2.1.0: one result per change, the rule id its kind; widening
 * changes are warnings, the rest notes. */
static void print_sarif(const pdiff_result *r)
{
	fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
	      "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":"
	      "\"pdp diff\",\"rules\":[",
	      stdout);
	for (int k = PDIFF_GAINED; k <= PDIFF_CONDITION_CHANGED; k++)
		printf("%s{\"id\":\"%s\"}", k ? "," : "",
		       pdiff_kind_name((pdiff_kind)k));
	fputs("]}},\"results\":[", stdout);
	for (size_t i = 0; i < r->n_changes; i++) {
		const pdiff_change *c = &r->changes[i];
		char *msg = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&msg, &len);
		if (m == NULL)
			exit(EXIT_IO);
		fprintf(m, "%s%s %s %s on %s: %s -> %s", subject_prefix(c->via),
		        c->subject, pdiff_kind_name(c->kind),
		        pdp_operation_name(c->operation), c->acp, c->old_text,
		        c->new_text);
		fclose(m);
		printf("%s{\"ruleId\":\"%s\",\"level\":\"%s\",\"message\":{",
		       i ? "," : "", pdiff_kind_name(c->kind),
		       pdiff_widens(c->kind) ? "warning" : "note");
		jstr("text", msg, false);
		fputs("},\"locations\":[{\"logicalLocations\":[{", stdout);
		jstr("name", c->acp, false);
		fputs(",\"kind\":\"object\"}]}]}", stdout);
		free(msg);
	}
	fputs("]}]}\n", stdout);
}

int cmd_diff(int argc, char **argv)
{
	static const char *const formats[] = {"text", "json", "sarif", NULL};
	static const char *const fail_on[] = {"widen", NULL};
	enum { OPT_FORMAT = OPT_FIRST, OPT_FAIL_ON };
	static const struct option options[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		CLI_COMMON_OPTIONS
	};
	diff_format fmt = DF_TEXT;
	bool fail_widen = false;
	cli_parser p;
	cli_parser_init(&p, "diff", DIFF_HELP, "", options, argc, argv);
	int c, f, np;
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_EXIT)
			return p.exit_code;
		if (c == OPT_FORMAT) {
			if ((f = cli_choice(&p, "--format", p.arg, formats)) < 0)
				return EXIT_USAGE;
			fmt = (diff_format)f;
		} else {
			if (cli_choice(&p, "--fail-on", p.arg, fail_on) < 0)
				return EXIT_USAGE;
			fail_widen = true;
		}
	}
	char **paths = cli_operands(&p, &np);
	if (np != 2)
		return cli_usage_error(&p, "give exactly two files, OLD and NEW "
		                           "(one of them may be - for standard "
		                           "input)");
	if (!cli_stdin_once(&p, paths, np, NULL, 0, NULL))
		return EXIT_USAGE;
	pdp_image *old = NULL, *new_img = NULL;
	int rc = obtain_policy_or_image(paths[0], &old);
	if (rc == EXIT_OK)
		rc = obtain_policy_or_image(paths[1], &new_img);
	if (rc != EXIT_OK) {
		pdp_image_free(old);
		pdp_image_free(new_img);
		return rc;
	}
	pdiff_result r;
	if (!pdiff_compute(old, new_img, &r)) {
		fputs("pdp diff: out of memory\n", stderr);
		pdp_image_free(old);
		pdp_image_free(new_img);
		return EXIT_IO;
	}
	if (fmt == DF_TEXT) {
		print_text(&r);
		print_counts(stdout, &r);
	} else if (fmt == DF_JSON)
		print_json(&r);
	else
		print_sarif(&r);
	bool widened = false;
	for (size_t i = 0; i < r.n_changes; i++)
		widened = widened || pdiff_widens(r.changes[i].kind);
	if (fail_widen && widened) {
		fflush(stdout); /* the report, then why the status is 1 */
		fputs("pdp diff: the new policy widens access (--fail-on widen)\n",
		      stderr);
		rc = EXIT_POLICY;
	}
	pdiff_free(&r);
	pdp_image_free(old);
	pdp_image_free(new_img);
	return rc;
}
