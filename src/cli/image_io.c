/*
 * image_io.c - get an image for decide/explain/audit: load -i IMAGE, or
 * compile the -p policies in memory.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/file_read.h"
#include "common/limits.h"
#include "image/format.h"

/* Every image starts with a CBOR array of four (format 1), seven or eight
 * (format 2, image/identity.h) and the text "pdp-image"
 * (src/image/format.h): input that does not is rejected after its first
 * bytes rather than read to the size limit (pdp decide -i /dev/zero). */
static bool looks_like_image(const uint8_t *buf, size_t len)
{
	static const uint8_t magic_head = 0x60 + sizeof(IMG_MAGIC) - 1;
	size_t m = sizeof(IMG_MAGIC) - 1;
	if (len < 2 + m)
		return true; /* too short to tell: the loader will */
	return (buf[0] == 0x84 || buf[0] == 0x87 || buf[0] == 0x88) &&
	       buf[1] == magic_head && memcmp(buf + 2, IMG_MAGIC, m) == 0;
}

static int too_large(const char *path)
{
	fprintf(stderr, "pdp: image %s is larger than the %u MiB limit "
	                "(docs/limits.md)\n",
	        path, PDP_MAX_IMAGE_BYTES >> 20);
	return EXIT_IMAGE;
}

/* Read an image file's bytes; a file larger than the image limit, or
 * whose first bytes are not an image's, is not read to the end. */
int read_image_file(const char *path, uint8_t **out, size_t *len)
{
	int eno = 0;
	bool is_stdin = strcmp(path, "-") == 0;
	const char *file = is_stdin ? "/dev/stdin" : path;
	if (is_stdin)
		path = "standard input";
	switch (file_read_all(file, PDP_MAX_IMAGE_BYTES, looks_like_image, out,
	                      len, &eno)) {
	case FILE_READ_OK:
		break;
	case FILE_READ_OPEN:
		fprintf(stderr, "pdp: cannot open image %s\n", path);
		return EXIT_IO;
	case FILE_READ_TOO_LARGE:
		return too_large(path);
	case FILE_READ_NOMEM:
		fprintf(stderr, "pdp: out of memory reading image %s\n", path);
		return EXIT_IO;
	case FILE_READ_IO:
		fprintf(stderr, "pdp: cannot read image %s\n", path);
		return EXIT_IO;
	}
	return EXIT_OK;
}

int read_stdin_policy(uint8_t **buf, size_t *len)
{
	int eno = 0;
	switch (file_read_all("/dev/stdin", PDPC_MAX_FILE_BYTES, NULL, buf, len,
	                      &eno)) {
	case FILE_READ_OK:
		return EXIT_OK;
	case FILE_READ_TOO_LARGE:
		fprintf(stderr, "pdp: the policy on standard input is larger than "
		                "%u bytes (docs/limits.md)\n", PDPC_MAX_FILE_BYTES);
		return EXIT_IO;
	case FILE_READ_NOMEM:
		fputs("pdp: out of memory reading standard input\n", stderr);
		return EXIT_IO;
	default:
		fprintf(stderr, "pdp: cannot read standard input: %s\n",
		        strerror(eno));
		return EXIT_IO;
	}
}

/* Standard input can be read once; a verb that compiles a policy twice
 * (pdp report: the image, then the lint findings) gets the same bytes. The
 * CLI is one process with one standard input, so one cached copy. */
static struct {
	uint8_t *buf;
	size_t len;
	bool read;
} stdin_policy;

pdpc_status cli_add_policy(pdpc_compiler *c, const char *path)
{
	if (strcmp(path, "-") != 0)
		return pdpc_add_file(c, path);
	if (!stdin_policy.read) {
		if (read_stdin_policy(&stdin_policy.buf, &stdin_policy.len) !=
		    EXIT_OK)
			return PDPC_ERR_IO;
		stdin_policy.read = true;
	}
	return pdpc_add_buffer(c, "<stdin>", (const char *)stdin_policy.buf,
	                       stdin_policy.len);
}

/* The image held in buf (or the report of why not) */
static int load_bytes(const char *name, const uint8_t *buf, size_t len,
                      pdp_image **out)
{
	pdp_error err;
	if (pdp_image_load(buf, len, out, &err) != PDP_OK) {
		fprintf(stderr, "pdp: %s: image rejected: %s\n", name, err.message);
		return EXIT_IMAGE;
	}
	return EXIT_OK;
}

/* Load a regular file's image where it lies: mapped, and loaded with
 * pdp_image_load_borrowed, so a large image is neither read into memory of
 * its own nor copied by the loader. The mapping is never unmapped: the
 * image borrows it, and a command releases its image only when it is done,
 * just before the process exits. Images are replaced by rename (pdp compile
 * -o), which leaves a mapped file as it was. Returns -1 when the file
 * cannot be mapped (a pipe, a device, an empty file): the caller reads it
 * instead. */
static int load_mapped(const char *path, pdp_image **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size > PDP_MAX_IMAGE_BYTES) {
		close(fd);
		return too_large(path);
	}
	size_t len = (size_t)st.st_size;
	void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	pdp_error err;
	if (pdp_image_load_borrowed(map, len, out, &err) != PDP_OK) {
		munmap(map, len);
		fprintf(stderr, "pdp: %s: image rejected: %s\n", path, err.message);
		return EXIT_IMAGE;
	}
	return EXIT_OK;
}

/* Read and load an image file: mapped where it can be, else read. */
static int load_file(const char *path, pdp_image **out)
{
	int rc = load_mapped(path, out);
	if (rc >= 0)
		return rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	rc = read_image_file(path, &buf, &len);
	if (rc != EXIT_OK)
		return rc;
	rc = load_bytes(strcmp(path, "-") == 0 ? "standard input" : path, buf,
	                len, out);
	free(buf);
	return rc;
}

/* A compiled image starts with the CBOR text "pdp-image" within its first
 * bytes (schemas/image.cddl); a policy never does. */
static bool has_image_magic(const uint8_t *buf, size_t len)
{
	size_t m = sizeof(IMG_MAGIC) - 1;
	for (size_t i = 0; i + m <= len && i < 32; i++)
		if (memcmp(buf + i, IMG_MAGIC, m) == 0)
			return true;
	return false;
}

static int compile_and_load(pdpc_compiler *c, int rc, pdp_image **out);

int obtain_policy_or_image(const char *path, pdp_image **out)
{
	*out = NULL;
	bool is_stdin = strcmp(path, "-") == 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	int eno = 0;
	/* the larger of the two limits, so either kind is read whole */
	size_t max = PDP_MAX_IMAGE_BYTES > PDPC_MAX_FILE_BYTES
	                     ? PDP_MAX_IMAGE_BYTES
	                     : PDPC_MAX_FILE_BYTES;
	file_read_status st = file_read_all(is_stdin ? "/dev/stdin" : path, max,
	                                    NULL, &buf, &len, &eno);
	if (st != FILE_READ_OK) {
		fprintf(stderr, "pdp: cannot read %s: %s\n",
		        is_stdin ? "standard input" : path,
		        st == FILE_READ_TOO_LARGE ? "larger than the size limit "
		                                    "(docs/limits.md)"
		        : st == FILE_READ_NOMEM   ? "out of memory"
		                                  : strerror(eno));
		return st == FILE_READ_TOO_LARGE ? EXIT_IMAGE : EXIT_IO;
	}
	int rc;
	if (has_image_magic(buf, len)) {
		rc = load_bytes(is_stdin ? "standard input" : path, buf, len, out);
	} else {
		pdpc_compiler *c = pdpc_new();
		if (c == NULL) {
			free(buf);
			return EXIT_IO;
		}
		rc = pdpc_add_buffer(c, is_stdin ? "<stdin>" : path,
		                     (const char *)buf, len) == PDPC_OK
		             ? EXIT_OK
		             : EXIT_IO;
		rc = compile_and_load(c, rc, out);
	}
	free(buf);
	return rc;
}

/* Compile what c holds and load the image (c is freed); rc is the
 * outcome of adding the sources. */
static int compile_and_load(pdpc_compiler *c, int rc, pdp_image **out)
{
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
		if (cli_add_policy(c, policies[i]) != PDPC_OK)
			rc = EXIT_IO;
	return compile_and_load(c, rc, out);
}
