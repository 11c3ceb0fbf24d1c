/*
 * cmd_keygen.c - `pdp keygen NAME` (an Ed25519 key pair for signing
 * images) and `pdp verify --key PUB IMAGE` (is this image signed by one of
 * these keys, recent enough, and intact: exactly what a CSE's
 * pdp_image_load_trusted will decide).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"

static const char KEYGEN_HELP[] =
	"usage: pdp keygen NAME\n"
	"Make an Ed25519 key pair for signing images: NAME.key (secret, mode\n"
	"0600: for pdp compile --sign) and NAME.pub (for pdp verify --key and\n"
	"the CSEs). Existing files are never overwritten.\n"
	"Exit: 0 written, 64 usage, 66 I/O.\n";

static const char VERIFY_HELP[] =
	"usage: pdp verify --key PUB [--key PUB]... [--min-revision N] IMAGE\n"
	"Check that IMAGE is intact, signed by one of the public keys and (with\n"
	"--min-revision) not older than revision N, as a CSE that loads it with\n"
	"those keys would; print its id and revision.\n"
	"Exit: 0 trusted, 64 usage, 65 refused (the message says why), 66 I/O.\n";

int cmd_keygen(int argc, char **argv)
{
	static const struct option options[] = {CLI_COMMON_OPTIONS};
	cli_parser p;
	cli_parser_init(&p, "keygen", KEYGEN_HELP, "", options, argc, argv);
	int c, n;
	while ((c = cli_next(&p)) != CLI_END)
		if (c == CLI_EXIT)
			return p.exit_code;
	char **names = cli_operands(&p, &n);
	if (n != 1)
		return cli_usage_error(&p, "give one NAME (NAME.key and NAME.pub "
		                           "are written)");
	return write_key_pair(names[0]);
}

enum { OPT_KEY = OPT_FIRST, OPT_MIN_REVISION };

static const struct option VERIFY_OPTIONS[] = {
	{"key", required_argument, NULL, OPT_KEY},
	{"min-revision", required_argument, NULL, OPT_MIN_REVISION},
	CLI_COMMON_OPTIONS
};

/* Parse verify's command line into trust (keys read from their files). */
static int verify_args(int argc, char **argv, uint8_t *keys, pdp_trust *t,
                       const char **path)
{
	cli_parser p;
	cli_parser_init(&p, "verify", VERIFY_HELP, "", VERIFY_OPTIONS, argc,
	                argv);
	int c, n, rc;
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_EXIT)
			return p.exit_code;
		if (c == OPT_KEY) {
			rc = read_key_file(p.arg, false,
			                   keys + t->n_keys * PDP_PUBLIC_KEY_SIZE);
			if (rc != EXIT_OK)
				return rc;
			t->n_keys++;
			continue;
		}
		char *end = NULL;
		const char *v = p.arg;
		errno = 0;
		unsigned long long r = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno == ERANGE)
			return cli_usage_error(&p, "--min-revision '%s' is not a "
			                           "whole number", v);
		t->min_revision = r;
	}
	char **ops = cli_operands(&p, &n);
	if (n != 1)
		return cli_usage_error(&p, "give one IMAGE (- for standard input)");
	if (t->n_keys == 0)
		return cli_usage_error(&p, "give the public key(s) with --key PUB");
	*path = ops[0];
	return -1;
}

int cmd_verify(int argc, char **argv)
{
	uint8_t *keys = calloc((size_t)argc, PDP_PUBLIC_KEY_SIZE);
	if (keys == NULL)
		return EXIT_IO;
	pdp_trust trust = {keys, 0, 0};
	const char *path = NULL;
	int rc = verify_args(argc, argv, keys, &trust, &path);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (rc < 0)
		rc = read_image_file(path, &buf, &len);
	if (rc == EXIT_OK && buf != NULL) {
		pdp_image *img = NULL;
		pdp_error err;
		if (pdp_image_load_trusted(buf, len, &trust, &img, &err) != PDP_OK) {
			fprintf(stderr, "pdp verify: %s: refused: %s\n", path,
			        err.message);
			rc = EXIT_IMAGE;
		} else {
			char hex[PDP_IMAGE_ID_HEX];
			printf("%s: trusted: id %s, revision %llu\n", path,
			       pdp_image_id_hex(img, hex),
			       (unsigned long long)pdp_image_revision(img));
		}
		pdp_image_free(img);
	}
	free(buf);
	free(keys);
	return rc;
}
