/*
 * cmd_compile.c - `pdp compile` and `pdp lint`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/dump.h"

static const char COMPILE_HELP[] =
	"usage: pdp compile [-o OUT] [--dump] [--format text|json] POLICY...\n"
	"Compile policy files (merged into one set) into an image.\n"
	"  -o OUT      write the image to OUT (default: policy.pdpi)\n"
	"  --dump      print the compiled image as text instead of writing it\n"
	"  --format F  diagnostics as text (default) or json\n"
	"Exit: 0 image written, 1 policy errors (no image), 64 usage, 66 I/O.\n";

static const char LINT_HELP[] =
	"usage: pdp lint [--format text|json|sarif] [--werror] POLICY...\n"
	"Report every problem in the policy files: errors and warnings.\n"
	"  --format F  text (default), json (one object per line) or sarif\n"
	"  --werror    treat warnings as errors\n"
	"Exit: 0 clean (warnings allowed), 1 errors (or warnings with --werror),\n"
	"64 usage, 66 I/O.\n";

static bool parse_format(const char *s, diag_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = DIAG_TEXT;
	else if (strcmp(s, "json") == 0)
		*f = DIAG_JSON;
	else if (strcmp(s, "sarif") == 0)
		*f = DIAG_SARIF;
	else
		return false;
	return true;
}

static int add_policies(pdpc_compiler *c, char **files, int n)
{
	int rc = EXIT_OK;
	for (int i = 0; i < n; i++) {
		pdpc_status st = pdpc_add_file(c, files[i]);
		if (st == PDPC_ERR_NOMEM)
			return EXIT_IO;
		if (st != PDPC_OK)
			rc = EXIT_IO;
	}
	return rc;
}

/* Options of compile and lint. */
typedef struct policy_opts {
	const char *out;
	bool dump, werror;
	diag_format fmt;
	char **files;
	int nfiles;
} policy_opts;

/* Parse the command line of `pdp compile` (lint == false) or `pdp lint`.
 * Returns -1 to go on, or the exit code to return now. */
static int parse_policy_args(int argc, char **argv, bool lint,
                             policy_opts *o)
{
	const char *verb = lint ? "lint" : "compile";
	const char *help = lint ? LINT_HELP : COMPILE_HELP;
	memset(o, 0, sizeof(*o));
	o->out = "policy.pdpi";
	o->fmt = DIAG_TEXT;
	o->files = calloc((size_t)argc + 1, sizeof(char *));
	if (o->files == NULL)
		return EXIT_IO;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(help, stdout);
			return EXIT_OK;
		} else if (!lint && strcmp(a, "--dump") == 0) {
			o->dump = true;
		} else if (lint && strcmp(a, "--werror") == 0) {
			o->werror = true;
		} else if (!lint && strcmp(a, "-o") == 0 && i + 1 < argc) {
			o->out = argv[++i];
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			if (!parse_format(argv[++i], &o->fmt) ||
			    (!lint && o->fmt == DIAG_SARIF)) {
				fprintf(stderr, "pdp %s: unknown format '%s'\n", verb,
				        argv[i]);
				return EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "pdp %s: unknown option '%s'\n%s", verb, a,
			        help);
			return EXIT_USAGE;
		} else
			o->files[o->nfiles++] = argv[i];
	}
	if (o->nfiles == 0) {
		fputs(help, stderr);
		return EXIT_USAGE;
	}
	return -1;
}

static int write_or_dump(const policy_opts *o, const uint8_t *img, size_t len)
{
	if (o->dump) {
		pdp_image *loaded = NULL;
		pdp_error err;
		if (pdp_image_load(img, len, &loaded, &err) != PDP_OK) {
			fprintf(stderr, "pdp compile: %s\n", err.message);
			return EXIT_IMAGE;
		}
		dump_image(stdout, loaded);
		pdp_image_free(loaded);
		return EXIT_OK;
	}
	FILE *f = fopen(o->out, "wb");
	bool ok = f != NULL && fwrite(img, 1, len, f) == len;
	if (f != NULL && fclose(f) != 0)
		ok = false;
	if (!ok) {
		fprintf(stderr, "pdp compile: cannot write %s: %s\n", o->out,
		        strerror(errno));
		return EXIT_IO;
	}
	return EXIT_OK;
}

int cmd_compile(int argc, char **argv)
{
	policy_opts o;
	int rc = parse_policy_args(argc, argv, false, &o);
	pdpc_compiler *c = rc < 0 ? pdpc_new() : NULL;
	if (rc < 0 && c == NULL)
		rc = EXIT_IO;
	if (rc < 0) {
		rc = add_policies(c, o.files, o.nfiles);
		const uint8_t *img = NULL;
		size_t len = 0;
		pdpc_status st = pdpc_compile(c, &img, &len);
		print_diags(stderr, c, o.fmt, false);
		if (st == PDPC_OK && rc == EXIT_OK)
			rc = write_or_dump(&o, img, len);
		else if (rc == EXIT_OK)
			rc = st == PDPC_ERR_NOMEM ? EXIT_IO : EXIT_POLICY;
	}
	pdpc_free(c);
	free(o.files);
	return rc;
}

int cmd_lint(int argc, char **argv)
{
	policy_opts o;
	int rc = parse_policy_args(argc, argv, true, &o);
	pdpc_compiler *c = rc < 0 ? pdpc_new() : NULL;
	if (rc < 0 && c == NULL)
		rc = EXIT_IO;
	if (rc < 0) {
		rc = add_policies(c, o.files, o.nfiles);
		pdpc_status st = pdpc_lint(c);
		print_diags(o.fmt == DIAG_TEXT ? stderr : stdout, c, o.fmt, false);
		if (rc == EXIT_OK &&
		    (st != PDPC_OK ||
		     (o.werror && pdpc_diag_count_severity(c, PDPC_WARNING) > 0)))
			rc = EXIT_POLICY;
	}
	pdpc_free(c);
	free(o.files);
	return rc;
}
