/*
 * load.c - pdp-bench-load IMAGE [--runs N]: an image file loaded the two
 * ways libpdp offers, each run in a fresh process (so that peak memory is
 * the load's own):
 *   copy      read the file into memory, pdp_image_load (which copies the
 *             tables into the image), free the file's bytes;
 *   borrowed  mmap the file, pdp_image_load_borrowed (tables read where
 *             they lie in the mapping).
 * Prints, per way, the median time of the load call, of file-to-image
 * (read or mmap included), the heap the loaded image holds (mallinfo2) and
 * the process's peak RSS (getrusage). The file is read once beforehand so
 * that both ways find it in the page cache.
 */
#include <fcntl.h>
#include <stddef.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pdp/pdp.h"
#include "stats.h"

typedef struct load_result {
	double load_ms, total_ms, heap_mib, peak_mib;
	int ok;
} load_result;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* One load in this (child) process. */
static load_result load_once(const char *path, int borrowed)
{
	load_result r = {0, 0, 0, 0, 0};
	size_t heap0 = (mallinfo2().uordblks + mallinfo2().hblkhd);
	double t0 = now_ms();
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return r;
	size_t len = (size_t)st.st_size;
	uint8_t *bytes;
	if (borrowed) {
		void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			return r;
		bytes = m;
	} else {
		bytes = malloc(len);
		size_t got = 0;
		while (bytes != NULL && got < len) {
			ssize_t k = read(fd, bytes + got, len - got);
			if (k <= 0)
				return r;
			got += (size_t)k;
		}
	}
	close(fd);
	pdp_image *img = NULL;
	pdp_error err;
	double t1 = now_ms();
	pdp_status s = borrowed ? pdp_image_load_borrowed(bytes, len, &img, &err)
	                        : pdp_image_load(bytes, len, &img, &err);
	double t2 = now_ms();
	if (s != PDP_OK) {
		fprintf(stderr, "pdp-bench-load: %s\n", err.message);
		return r;
	}
	if (!borrowed)
		free(bytes);
	r.load_ms = t2 - t1;
	r.total_ms = t2 - t0;
	r.heap_mib = (double)((mallinfo2().uordblks + mallinfo2().hblkhd) - heap0) / 1048576.0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	r.peak_mib = (double)ru.ru_maxrss / 1024.0;
	r.ok = 1;
	pdp_image_release(img);
	return r;
}

/* load_once in a child; its result through a pipe. */
static load_result load_in_child(const char *path, int borrowed)
{
	load_result r = {0, 0, 0, 0, 0};
	int fds[2];
	if (pipe(fds) != 0)
		return r;
	pid_t pid = fork();
	if (pid == 0) {
		load_result c = load_once(path, borrowed);
		ssize_t w = write(fds[1], &c, sizeof(c));
		_exit(w == (ssize_t)sizeof(c) ? 0 : 1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		r.ok = 0;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return r;
}

static double median_of(load_result *v, unsigned n, size_t field)
{
	double *d = malloc(n * sizeof(double));
	if (d == NULL)
		return 0;
	for (unsigned i = 0; i < n; i++)
		memcpy(&d[i], (const char *)&v[i] + field, sizeof(double));
	double m = bench_median(d, n);
	free(d);
	return m;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	unsigned runs = 5;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (path == NULL || runs == 0 || runs > 1000) {
		fprintf(stderr, "usage: pdp-bench-load IMAGE [--runs N]\n");
		return 2;
	}
	load_result warm = load_in_child(path, 0); /* page cache, and a check */
	if (!warm.ok)
		return 2;
	load_result *v = malloc(2 * runs * sizeof(load_result));
	if (v == NULL)
		return 2;
	/* the two ways alternated, so that both see the same machine */
	for (unsigned r = 0; r < runs; r++)
		for (int b = 0; b < 2; b++) {
			v[b * runs + r] = load_in_child(path, b);
			if (!v[b * runs + r].ok)
				return 2;
		}
	struct stat st;
	if (stat(path, &st) != 0)
		return 2;
	printf("\n### pdp-bench-load %s (%lld bytes), median of %u runs\n\n"
	       "| way | load call | file to image | heap held by the image | "
	       "peak RSS |\n|---|---|---|---|---|\n",
	       path, (long long)st.st_size, runs);
	static const char *const names[2] = {
		"copy: read + pdp_image_load", "borrowed: mmap + pdp_image_load_borrowed"};
	for (int b = 0; b < 2; b++) {
		load_result *w = v + b * runs;
		printf("| %s | %.1f ms | %.1f ms | %.1f MiB | %.1f MiB |\n", names[b],
		       median_of(w, runs, offsetof(load_result, load_ms)),
		       median_of(w, runs, offsetof(load_result, total_ms)),
		       median_of(w, runs, offsetof(load_result, heap_mib)),
		       median_of(w, runs, offsetof(load_result, peak_mib)));
	}
	free(v);
	return 0;
}
