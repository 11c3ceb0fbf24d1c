/*
 * image_io.c - get an image for decide/explain/audit: load -i IMAGE, or
 * compile the -p policies in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/limits.h"

static int load_file(const char *path, pdp_image **out)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "pdp: cannot open image %s\n", path);
		return EXIT_IO;
	}
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)PDP_MAX_IMAGE_BYTES * 2) {
				free(buf);
				fclose(f);
				fprintf(stderr, "pdp: image %s is too large\n", path);
				return EXIT_IMAGE;
			}
			uint8_t *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return EXIT_IO;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	pdp_error err;
	pdp_status st = pdp_image_load(buf, len, out, &err);
	free(buf);
	if (st != PDP_OK) {
		fprintf(stderr, "pdp: %s: image rejected: %s\n", path, err.message);
		return EXIT_IMAGE;
	}
	return EXIT_OK;
}

int obtain_image(const char *image_path, char **policies, int npolicies,
                 pdp_image **out)
{
	*out = NULL;
	if (image_path != NULL)
		return load_file(image_path, out);
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return EXIT_IO;
	int rc = EXIT_OK;
	for (int i = 0; i < npolicies; i++)
		if (pdpc_add_file(c, policies[i]) != PDPC_OK)
			rc = EXIT_IO;
	const uint8_t *img = NULL;
	size_t len = 0;
	pdpc_status st = pdpc_compile(c, &img, &len);
	if (st != PDPC_OK || rc != EXIT_OK) {
		print_diags(stderr, c, DIAG_TEXT, false);
		pdpc_free(c);
		return rc != EXIT_OK ? rc : EXIT_POLICY;
	}
	pdp_error err;
	if (pdp_image_load(img, len, out, &err) != PDP_OK) {
		fprintf(stderr, "pdp: internal error: image rejected: %s\n",
		        err.message);
		rc = EXIT_IMAGE;
	}
	pdpc_free(c);
	return rc;
}
