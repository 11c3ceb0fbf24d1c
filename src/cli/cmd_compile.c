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

int cmd_compile(int argc, char **argv)
{
	const char *out = "policy.pdpi";
	diag_format fmt = DIAG_TEXT;
	bool dump = false;
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	int nfiles = 0;
	if (files == NULL)
		return EXIT_IO;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dump") == 0) {
			dump = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(COMPILE_HELP, stdout);
			free(files);
			return EXIT_OK;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (!parse_format(argv[++i], &fmt) || fmt == DIAG_SARIF) {
				fprintf(stderr, "pdp compile: unknown format '%s'\n", argv[i]);
				free(files);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "pdp compile: unknown option '%s'\n%s", argv[i],
			        COMPILE_HELP);
			free(files);
			return EXIT_USAGE;
		} else
			files[nfiles++] = argv[i];
	}
	if (nfiles == 0) {
		fputs(COMPILE_HELP, stderr);
		free(files);
		return EXIT_USAGE;
	}
	pdpc_compiler *c = pdpc_new();
	if (c == NULL) {
		free(files);
		return EXIT_IO;
	}
	int rc = add_policies(c, files, nfiles);
	const uint8_t *img = NULL;
	size_t len = 0;
	pdpc_status st = pdpc_compile(c, &img, &len);
	print_diags(stderr, c, fmt, false);
	if (st == PDPC_OK && rc == EXIT_OK && dump) {
		pdp_image *loaded = NULL;
		pdp_error err;
		if (pdp_image_load(img, len, &loaded, &err) != PDP_OK) {
			fprintf(stderr, "pdp compile: %s\n", err.message);
			rc = EXIT_IMAGE;
		} else {
			dump_image(stdout, loaded);
			pdp_image_free(loaded);
		}
	} else if (st == PDPC_OK && rc == EXIT_OK) {
		FILE *f = fopen(out, "wb");
		if (f == NULL || fwrite(img, 1, len, f) != len || fclose(f) != 0) {
			fprintf(stderr, "pdp compile: cannot write %s: %s\n", out,
			        strerror(errno));
			rc = EXIT_IO;
		}
	} else if (rc == EXIT_OK)
		rc = st == PDPC_ERR_NOMEM ? EXIT_IO : EXIT_POLICY;
	pdpc_free(c);
	free(files);
	return rc;
}

int cmd_lint(int argc, char **argv)
{
	diag_format fmt = DIAG_TEXT;
	bool werror = false;
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	int nfiles = 0;
	if (files == NULL)
		return EXIT_IO;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(LINT_HELP, stdout);
			free(files);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--werror") == 0) {
			werror = true;
		} else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
			if (!parse_format(argv[++i], &fmt)) {
				fprintf(stderr, "pdp lint: unknown format '%s'\n", argv[i]);
				free(files);
				return EXIT_USAGE;
			}
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "pdp lint: unknown option '%s'\n%s", argv[i],
			        LINT_HELP);
			free(files);
			return EXIT_USAGE;
		} else
			files[nfiles++] = argv[i];
	}
	if (nfiles == 0) {
		fputs(LINT_HELP, stderr);
		free(files);
		return EXIT_USAGE;
	}
	pdpc_compiler *c = pdpc_new();
	if (c == NULL) {
		free(files);
		return EXIT_IO;
	}
	int rc = add_policies(c, files, nfiles);
	pdpc_status st = pdpc_lint(c);
	print_diags(fmt == DIAG_TEXT ? stderr : stdout, c, fmt, false);
	if (rc == EXIT_OK) {
		if (st != PDPC_OK)
			rc = EXIT_POLICY;
		else if (werror && pdpc_diag_count_severity(c, PDPC_WARNING) > 0)
			rc = EXIT_POLICY;
	}
	pdpc_free(c);
	free(files);
	return rc;
}
