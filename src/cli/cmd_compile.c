/*
 * cmd_compile.c - `pdp compile` and `pdp lint`.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/dump.h"
#include "cli/opts.h"

static const char COMPILE_HELP[] =
	"usage: pdp compile [-o OUT] [--dump] [--format text|json]\n"
	"                   [--revision N] [--sign KEY] POLICY...\n"
	"Compile policy files (merged into one set) into an image. A POLICY\n"
	"named - is read from standard input.\n"
	"  -o, --output OUT  write the image to OUT (default: policy.pdpi;\n"
	"              - for standard output)\n"
	"  --dump      print the compiled image as text instead of writing it\n"
	"  --format F  diagnostics as text (default) or json\n"
	"  --revision N  the image's revision (anti-rollback; default: the\n"
	"              newest policy file's mtime, or SOURCE_DATE_EPOCH)\n"
	"  --sign KEY  sign the image with the secret key file KEY (pdp keygen)\n"
	"Exit: 0 image written, 1 policy errors (no image), 64 usage, 66 I/O.\n";

static const char LINT_HELP[] =
	"usage: pdp lint [--format text|json|sarif] [--werror] POLICY...\n"
	"Report every problem in the policy files: errors and warnings. A\n"
	"POLICY named - is read from standard input.\n"
	"  --format F  text (default), json (one object per line) or sarif\n"
	"  --werror    treat warnings as errors\n"
	"Exit: 0 clean (warnings allowed), 1 errors (or warnings with --werror),\n"
	"64 usage, 66 I/O.\n";

static int add_policies(pdpc_compiler *c, char **files, int n)
{
	int rc = EXIT_OK;
	for (int i = 0; i < n; i++) {
		pdpc_status st = cli_add_policy(c, files[i]);
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
	const char *revision; /* --revision text, or NULL */
	const char *sign;     /* --sign secret key file, or NULL */
	bool dump, werror;
	diag_format fmt;
	char **files;
	int nfiles;
} policy_opts;

enum { OPT_DUMP = OPT_FIRST, OPT_FORMAT, OPT_REVISION, OPT_SIGN,
       OPT_WERROR };

static const struct option COMPILE_OPTIONS[] = {
	{"output", required_argument, NULL, 'o'},
	{"dump", no_argument, NULL, OPT_DUMP},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"revision", required_argument, NULL, OPT_REVISION},
	{"sign", required_argument, NULL, OPT_SIGN},
	CLI_COMMON_OPTIONS
};

static const struct option LINT_OPTIONS[] = {
	{"format", required_argument, NULL, OPT_FORMAT},
	{"werror", no_argument, NULL, OPT_WERROR},
	CLI_COMMON_OPTIONS
};

/* Parse the command line of `pdp compile` (lint == false) or `pdp lint`.
 * Returns -1 to go on, or the exit code to return now. */
static int parse_policy_args(int argc, char **argv, bool lint,
                             policy_opts *o)
{
	static const char *const compile_formats[] = {"text", "json", NULL};
	static const char *const lint_formats[] = {"text", "json", "sarif",
	                                           NULL};
	memset(o, 0, sizeof(*o));
	o->out = "policy.pdpi";
	o->fmt = DIAG_TEXT;
	cli_parser p;
	cli_parser_init(&p, lint ? "lint" : "compile",
	                lint ? LINT_HELP : COMPILE_HELP, lint ? "" : "o:",
	                lint ? LINT_OPTIONS : COMPILE_OPTIONS, argc, argv);
	int c, f;
	while ((c = cli_next(&p)) != CLI_END) {
		switch (c) {
		case CLI_EXIT:
			return p.exit_code;
		case 'o':
			o->out = p.arg;
			break;
		case OPT_DUMP:
			o->dump = true;
			break;
		case OPT_WERROR:
			o->werror = true;
			break;
		case OPT_REVISION:
			o->revision = p.arg;
			break;
		case OPT_SIGN:
			o->sign = p.arg;
			break;
		case OPT_FORMAT:
			f = cli_choice(&p, "--format", p.arg,
			               lint ? lint_formats : compile_formats);
			if (f < 0)
				return EXIT_USAGE;
			o->fmt = (diag_format)f;
			break;
		}
	}
	o->files = cli_operands(&p, &o->nfiles);
	if (o->nfiles == 0)
		return cli_usage_error(&p, "no policy file given (a file, or - "
		                           "for standard input)");
	if (!cli_stdin_once(&p, o->files, o->nfiles, NULL, 0, NULL))
		return EXIT_USAGE;
	return -1;
}

/* Write all of buf to fd. */
static bool write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* The directory part of path ("." when there is none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return strdup(".");
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	char *d = malloc(n + 1);
	if (d != NULL) {
		memcpy(d, path, n);
		d[n] = '\0';
	}
	return d;
}

/* Make the rename durable: fsync the directory that holds the entry. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Write the image next to out under a temporary name, fsync it and rename
 * it over out: a CSE restarting at any moment finds the old image or the
 * new one, never a fragment (a full disk or a file-size limit only costs
 * the temporary file). The new file gets out's permissions, or the ones a
 * new file gets. Returns 0 or an errno. */
static int replace_file(const char *out, const uint8_t *img, size_t len)
{
	struct stat st;
	mode_t mode;
	if (stat(out, &st) == 0)
		mode = st.st_mode & 07777;
	else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	char *dir = dir_of(out);
	size_t n = dir ? strlen(dir) + sizeof("/.pdpi-XXXXXX") : 0;
	char *tmp = dir ? malloc(n) : NULL;
	if (tmp == NULL) {
		free(dir);
		return ENOMEM;
	}
	snprintf(tmp, n, "%s/.pdpi-XXXXXX", dir);
	int fd = mkstemp(tmp), err = 0;
	if (fd < 0)
		err = errno;
	else if (fchmod(fd, mode) != 0 || !write_all(fd, img, len) ||
	         fsync(fd) != 0)
		err = errno;
	if (fd >= 0 && close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, out) != 0)
		err = errno;
	if (err != 0 && fd >= 0)
		unlink(tmp);
	else if (err == 0)
		sync_dir(dir);
	free(tmp);
	free(dir);
	return err;
}

/* A device or pipe (-o /dev/stdout) cannot be replaced: write to it. */
static int write_in_place(const char *out, const uint8_t *img, size_t len)
{
	int fd = open(out, O_WRONLY | O_TRUNC);
	int err = fd < 0 || !write_all(fd, img, len) ? errno : 0;
	if (fd >= 0 && close(fd) != 0 && err == 0)
		err = errno;
	return err;
}

/* -o -: the image goes to standard output, never to a terminal (CBOR
 * bytes there help nobody and may upset it). */
static int write_stdout(const uint8_t *img, size_t len)
{
	if (isatty(STDOUT_FILENO)) {
		fputs("pdp compile: not writing an image to a terminal; redirect "
		      "standard output or give -o FILE\n", stderr);
		return EXIT_USAGE;
	}
	if (!write_all(STDOUT_FILENO, img, len)) {
		fprintf(stderr, "pdp compile: cannot write the image to standard "
		                "output: %s\n", strerror(errno));
		return EXIT_IO;
	}
	return EXIT_OK;
}

static int write_image(const char *out, const uint8_t *img, size_t len)
{
	if (strcmp(out, "-") == 0)
		return write_stdout(img, len);
	/* past a file-size limit, write() fails with EFBIG and the old image
	 * stays; the default action of SIGXFSZ would kill pdp mid-write */
	signal(SIGXFSZ, SIG_IGN);
	struct stat st;
	int err;
	if (stat(out, &st) == 0 && !S_ISREG(st.st_mode))
		err = write_in_place(out, img, len);
	else {
		/* a symbolic link stays a link: its target is replaced */
		char *target = realpath(out, NULL);
		err = replace_file(target ? target : out, img, len);
		free(target);
	}
	if (err != 0) {
		fprintf(stderr, "pdp compile: cannot write %s: %s; %s\n", out,
		        strerror(err),
		        access(out, F_OK) == 0 ? "the file there is unchanged"
		                               : "no image written");
		return EXIT_IO;
	}
	return EXIT_OK;
}

static int write_or_dump(const policy_opts *o, const uint8_t *img, size_t len)
{
	if (o->sign != NULL) {
		uint8_t *signed_img = NULL;
		size_t signed_len = 0;
		int rc = sign_image_bytes(o->sign, img, len, &signed_img,
		                          &signed_len);
		if (rc == EXIT_OK) {
			policy_opts plain = *o;
			plain.sign = NULL;
			rc = write_or_dump(&plain, signed_img, signed_len);
		}
		free(signed_img);
		return rc;
	}
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
	return write_image(o->out, img, len);
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
		if (rc == EXIT_OK)
			rc = compile_identity(c, o.revision, o.files, o.nfiles);
		const uint8_t *img = NULL;
		size_t len = 0;
		progress pg;
		progress_start(&pg, c, "compile");
		pdpc_status st = pdpc_compile(c, &img, &len);
		progress_end(&pg);
		print_diags(stderr, c, o.fmt, false);
		if (st == PDPC_OK && rc == EXIT_OK)
			rc = write_or_dump(&o, img, len);
		else if (rc == EXIT_OK)
			rc = st == PDPC_ERR_NOMEM ? EXIT_IO : EXIT_POLICY;
	}
	pdpc_free(c);
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
		progress pg;
		progress_start(&pg, c, "lint");
		pdpc_status st = pdpc_lint(c);
		progress_end(&pg);
		print_diags(o.fmt == DIAG_TEXT ? stderr : stdout, c, o.fmt, false);
		if (rc == EXIT_OK &&
		    (st != PDPC_OK ||
		     (o.werror && pdpc_diag_count_severity(c, PDPC_WARNING) > 0)))
			rc = EXIT_POLICY;
	}
	pdpc_free(c);
	return rc;
}
