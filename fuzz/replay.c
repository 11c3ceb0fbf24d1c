/*
 * replay.c - main() for replaying fuzz inputs without libFuzzer: calls the
 * linked target's LLVMFuzzerTestOneInput once per file. Arguments are files
 * or directories (read one level deep; names starting with '.' and README*
 * are skipped). A crash or abort in the target fails the run, naming the
 * file on stderr first. Exit status: 0 ok, 1 an argument could not be read.
 *
 *   replay_fuzz_compile fuzz/corpus/fuzz_compile fuzz/regressions/fuzz_compile
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		if (buf == NULL) {
			fclose(f);
			fprintf(stderr, "%s: out of memory\n", path);
			return 1;
		}
		len += fread(buf + len, 1, cap - len, f);
		if (len < cap)
			break;
		uint8_t *nb = realloc(buf, cap *= 2);
		if (nb == NULL)
			free(buf);
		buf = nb;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		return 1;
	}
	fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
	/* an exact-size copy, so that ASan sees reads past the input */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(buf);
		return 1;
	}
	if (len)
		memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		perror(dir);
		return 1;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL) {
				rc = 1;
				break;
			}
			names = nn;
		}
		size_t l = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(l);
		if (names[n] == NULL) {
			rc = 1;
			break;
		}
		snprintf(names[n], l, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			rc |= run_file(names[i]);
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;
	size_t count = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode))
			rc |= run_dir(argv[i], &count);
		else {
			rc |= run_file(argv[i]);
			count++;
		}
	}
	printf("replayed %zu inputs\n", count);
	return rc;
}
