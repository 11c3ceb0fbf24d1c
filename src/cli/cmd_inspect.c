/*
 * cmd_inspect.c - `pdp inspect IMAGE`: what an image is without deciding
 * anything: format, id, revision, signature, how it was compiled, what it
 * holds and how big each section is. Loading it checks every byte first,
 * so what is shown is what a CSE would run.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "image/image.h"

static const char INSPECT_HELP[] =
	"usage: pdp inspect IMAGE\n"
	"IMAGE - reads standard input.\n"
	"Show an image's format, id, revision, signature, build note, counts\n"
	"(ACPs, rules, roles, users, groups) and section sizes. The signature\n"
	"is not checked here: pdp verify --key PUB IMAGE does.\n"
	"Exit: 0 shown, 64 usage, 65 image rejected, 66 I/O.\n";

static void show(const char *path, size_t len, const pdp_image *img)
{
	char hex[PDP_IMAGE_ID_HEX];
	pdp_str note = pdp_image_build_note(img);
	printf("image     %s (%zu bytes, format %u)\n", path, len,
	       img->ident.version);
	printf("id        %s\n", pdp_image_id_hex(img, hex));
	printf("revision  %llu\n", (unsigned long long)pdp_image_revision(img));
	printf("signed    %s\n", pdp_image_signed(img)
	                             ? "yes (check it: pdp verify --key PUB)"
	                             : "no");
	printf("compiled  %.*s\n", (int)note.len,
	       note.len ? note.ptr : "(no build note: a format 1 image)");
	printf("counts    ACPs %u, rules %u, roles %u, users %u, groups %u, "
	       "constraints %u, attributes %u\n",
	       img->count[SEC_ACPS], img->count[SEC_RULES], img->count[SEC_ROLES],
	       img->count[SEC_PRINCIPALS], img->count[SEC_GROUPS],
	       img->count[SEC_CONSTRAINTS],
	       img->count[SEC_ATTRS] - IMG_BUILTIN_ATTRS);
	printf("sections  (record kind, records, bytes)\n");
	for (int s = 0; s < IMG_SECTION_COUNT; s++) {
		size_t bytes = s == SEC_STRBLOB
		                       ? img->blob_len
		                       : (size_t)img->count[s] * IMG_RECORD_WORDS[s] * 4u;
		if (s == SEC_STRBLOB)
			printf("  %-20s %10s %10zu\n", img_section_name((enum img_section)s), "-", bytes);
		else
			printf("  %-20s %10u %10zu\n", img_section_name((enum img_section)s), img->count[s],
			       bytes);
	}
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option options[] = {CLI_COMMON_OPTIONS};
	cli_parser p;
	cli_parser_init(&p, "inspect", INSPECT_HELP, "", options, argc, argv);
	int c, n;
	while ((c = cli_next(&p)) != CLI_END)
		if (c == CLI_EXIT)
			return p.exit_code;
	char **ops = cli_operands(&p, &n);
	if (n != 1)
		return cli_usage_error(&p, "give one IMAGE (- for standard input)");
	const char *path = ops[0];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_image_file(path, &buf, &len);
	if (rc != EXIT_OK)
		return rc;
	pdp_image *img = NULL;
	pdp_error err;
	if (pdp_image_load(buf, len, &img, &err) != PDP_OK) {
		fprintf(stderr, "pdp inspect: %s: image rejected: %s\n", path,
		        err.message);
		rc = EXIT_IMAGE;
	} else
		show(path, len, img);
	pdp_image_free(img);
	free(buf);
	return rc;
}
