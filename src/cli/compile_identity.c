/*
 * compile_identity.c - what `pdp compile` stamps on an image besides the
 * policy (include/pdp/trust.h): the revision and a note on how it was
 * made.
 *
 * The default revision must grow when the policy is edited, or
 * anti-rollback would refuse the next image: the newest modification time
 * (seconds) of the policy files does, without a counter to keep anywhere.
 * SOURCE_DATE_EPOCH (the reproducible-builds convention) replaces it, so
 * that a build from a fresh checkout gives the same bytes; fleets set
 * --revision from their release numbering (docs/deployment.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

/* A decimal uint64 that is all of text, or false. */
static bool parse_u64(const char *text, uint64_t *out)
{
	if (text == NULL || *text < '0' || *text > '9')
		return false;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static uint64_t newest_mtime(char **files, int nfiles)
{
	uint64_t newest = 0;
	for (int i = 0; i < nfiles; i++) {
		struct stat st;
		if (stat(files[i], &st) == 0 && st.st_mtime > 0 &&
		    (uint64_t)st.st_mtime > newest)
			newest = (uint64_t)st.st_mtime;
	}
	return newest;
}

int compile_identity(pdpc_compiler *c, const char *revision, char **files,
                     int nfiles)
{
	uint64_t rev = 0;
	const char *how = "--revision";
	if (revision != NULL) {
		if (!parse_u64(revision, &rev)) {
			fprintf(stderr, "pdp compile: --revision '%s' is not a whole "
			                "number from 0 to 18446744073709551615\n",
			        revision);
			return EXIT_USAGE;
		}
	} else if (parse_u64(getenv("SOURCE_DATE_EPOCH"), &rev))
		how = "SOURCE_DATE_EPOCH";
	else {
		rev = newest_mtime(files, nfiles);
		how = "newest policy file mtime";
	}
	char note[257];
	int n = snprintf(note, sizeof(note), "pdp compile %s; revision %llu "
	                 "from %s; policies:", pdp_version(),
	                 (unsigned long long)rev, how);
	for (int i = 0; i < nfiles && n > 0 && (size_t)n < sizeof(note); i++) {
		const char *base = strrchr(files[i], '/');
		n += snprintf(note + n, sizeof(note) - (size_t)n, " %s",
		              base ? base + 1 : files[i]);
	}
	return pdpc_set_identity(c, rev, note) == PDPC_OK ? EXIT_OK : EXIT_IO;
}
