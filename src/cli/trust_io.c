/*
 * trust_io.c - the CLI's side of image trust (include/pdp/trust.h): key
 * files, signing compiled images, and the image id in JSON answers.
 *
 * Key files are one line of text: "pdp-ed25519-public " or
 * "pdp-ed25519-secret " and the key in lowercase hex (32 and 64 bytes),
 * so that they survive copy and paste through configuration channels.
 */
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "image/identity.h"

#define PUBLIC_TAG "pdp-ed25519-public "
#define SECRET_TAG "pdp-ed25519-secret "

bool image_has_id(const pdp_image *img)
{
	const uint8_t *id = pdp_image_id(img);
	for (size_t i = 0; i < PDP_IMAGE_ID_SIZE; i++)
		if (id[i] != 0)
			return true;
	return false;
}

void json_image_id(json_out *j, const pdp_image *img)
{
	if (!image_has_id(img))
		return; /* a live store's image has no id */
	char hex[PDP_IMAGE_ID_HEX];
	json_key_str(j, "image", pdp_image_id_hex(img, hex));
}

int read_key_file(const char *path, bool secret, uint8_t *key)
{
	const char *tag = secret ? SECRET_TAG : PUBLIC_TAG;
	size_t size = secret ? PDP_SECRET_KEY_SIZE : PDP_PUBLIC_KEY_SIZE;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "pdp: cannot open key %s\n", path);
		return EXIT_IO;
	}
	char line[256];
	bool got = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	size_t tl = strlen(tag), hexlen = 0;
	if (got && strncmp(line, tag, tl) == 0) {
		hexlen = strcspn(line + tl, "\r\n");
		got = hexlen == 2 * size &&
		      sodium_hex2bin(key, size, line + tl, hexlen, NULL, NULL,
		                     NULL) == 0;
	} else
		got = false;
	sodium_memzero(line, sizeof(line));
	if (!got) {
		fprintf(stderr, "pdp: %s:1:1: not a %s key file: expected '%s' "
		                "and %zu hex digits (pdp keygen writes them)\n",
		        path, secret ? "secret" : "public", tag, 2 * size);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Write one key line to path; the secret key only for its owner. */
static int write_key(const char *path, const char *tag, const uint8_t *key,
                     size_t size, bool secret)
{
	char hex[2 * PDP_SECRET_KEY_SIZE + 1];
	sodium_bin2hex(hex, sizeof(hex), key, size);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, secret ? 0600 : 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "pdp keygen: cannot create %s (an existing key is "
		                "never overwritten)\n", path);
		return EXIT_IO;
	}
	int ok = fprintf(f, "%s%s\n", tag, hex) > 0;
	ok = fclose(f) == 0 && ok;
	sodium_memzero(hex, sizeof(hex));
	if (!ok) {
		fprintf(stderr, "pdp keygen: cannot write %s\n", path);
		return EXIT_IO;
	}
	return EXIT_OK;
}

int write_key_pair(const char *base)
{
	uint8_t pk[PDP_PUBLIC_KEY_SIZE], sk[PDP_SECRET_KEY_SIZE];
	if (sodium_init() < 0) {
		fputs("pdp keygen: libsodium failed to start\n", stderr);
		return EXIT_IO;
	}
	crypto_sign_keypair(pk, sk);
	size_t n = strlen(base) + 5;
	char *sec_path = malloc(n), *pub_path = malloc(n);
	int rc = EXIT_IO;
	if (sec_path != NULL && pub_path != NULL) {
		snprintf(sec_path, n, "%s.key", base);
		snprintf(pub_path, n, "%s.pub", base);
		rc = write_key(sec_path, SECRET_TAG, sk, sizeof(sk), true);
		if (rc == EXIT_OK)
			rc = write_key(pub_path, PUBLIC_TAG, pk, sizeof(pk), false);
		if (rc == EXIT_OK)
			printf("secret key %s (keep it where images are built), "
			       "public key %s (give it to every CSE)\n",
			       sec_path, pub_path);
	}
	sodium_memzero(sk, sizeof(sk));
	free(sec_path);
	free(pub_path);
	return rc;
}

int sign_image_bytes(const char *key_path, const uint8_t *img, size_t len,
                     uint8_t **out, size_t *out_len)
{
	uint8_t sk[PDP_SECRET_KEY_SIZE];
	int rc = read_key_file(key_path, true, sk);
	if (rc != EXIT_OK)
		return rc;
	bool ok = img_sign(img, len, sk, out, out_len);
	sodium_memzero(sk, sizeof(sk));
	if (!ok) {
		fputs("pdp: cannot sign the image (out of memory)\n", stderr);
		return EXIT_IO;
	}
	return EXIT_OK;
}
