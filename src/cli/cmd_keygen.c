/*
 * cmd_keygen.c - `pdp keygen NAME` (an Ed25519 key pair for signing
 * images) and `pdp verify --key PUB IMAGE` (is this image signed by one of
 * these keys, recent enough, and intact: exactly what a CSE's
 * pdp_image_load_trusted will decide).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

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
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	                  strcmp(argv[1], "--help") == 0)) {
		fputs(KEYGEN_HELP, stdout);
		return EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs(KEYGEN_HELP, stderr);
		return EXIT_USAGE;
	}
	return write_key_pair(argv[1]);
}

/* Parse verify's command line into trust (keys read from their files). */
static int verify_args(int argc, char **argv, uint8_t *keys, pdp_trust *t,
                       const char **path)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(VERIFY_HELP, stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--key") == 0 && i + 1 < argc) {
			int rc = read_key_file(argv[++i], false,
			                       keys + t->n_keys * PDP_PUBLIC_KEY_SIZE);
			if (rc != EXIT_OK)
				return rc;
			t->n_keys++;
		} else if (strcmp(a, "--min-revision") == 0 && i + 1 < argc) {
			char *end = NULL;
			const char *v = argv[++i];
			unsigned long long n = strtoull(v, &end, 10);
			if (*v < '0' || *v > '9' || *end != '\0') {
				fprintf(stderr, "pdp verify: --min-revision '%s' is not a "
				                "whole number\n", v);
				return EXIT_USAGE;
			}
			t->min_revision = n;
		} else if ((a[0] == '-' && a[1] != '\0') || *path != NULL) {
			fprintf(stderr, "pdp verify: unexpected '%s'\n%s", a,
			        VERIFY_HELP);
			return EXIT_USAGE;
		} else
			*path = a;
	}
	if (*path == NULL || t->n_keys == 0) {
		fputs(VERIFY_HELP, stderr);
		return EXIT_USAGE;
	}
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
