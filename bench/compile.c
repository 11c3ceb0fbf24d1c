/*
 * compile.c - pdp-bench-compile: what `pdp compile` and `pdp lint` cost on
 * the S/M/L workloads (gen.h), as a person running them sees it: CPU time
 * (user + system), wall time and peak resident memory of each run, the
 * child's own figures (wait4, as /usr/bin/time -v reports them), medians
 * of the runs.
 *
 *   pdp-bench-compile [--runs N] [--scales S,M,L] [--workdir DIR] PDP [PDP2]
 *
 * PDP is a built `pdp` program. With PDP2 (another build) the two run
 * alternately, side by side in one run, their images must be byte for byte
 * the same, and the table gives PDP2's figures over PDP's.
 */
#define _DEFAULT_SOURCE /* wait4: the child's own rusage */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "gen.h"
#include "stats.h"
#include "workload.h"

#define MAX_RUNS 100

/* One command's figures over the runs. */
typedef struct figures {
	double cpu[MAX_RUNS], wall[MAX_RUNS], rss_mb[MAX_RUNS];
} figures;

typedef struct scale_figures {
	const char *scale;
	figures compile[2], lint[2];
} scale_figures;

_Noreturn static void usage(void)
{
	fprintf(stderr, "usage: pdp-bench-compile [--runs N] [--scales S,M,L] "
	                "[--workdir DIR] PDP [PDP2]\n");
	exit(64);
}

static double tv_s(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* Run argv with stdout and stderr to /dev/null and a fixed image revision;
 * record its CPU, wall time and peak RSS at run r; its exit status is
 * returned. */
static int measure(char *const argv[], figures *f, size_t r)
{
	uint64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		bench_die("cannot fork for %s", argv[0]);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			bench_die("wait4 failed for %s", argv[0]);
	f->wall[r] = (double)(bench_now_ns() - t0) / 1e9;
	f->cpu[r] = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
	f->rss_mb[r] = (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static bool same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = bench_read_file(a, &la), *y = bench_read_file(b, &lb);
	bool same = la == lb && memcmp(x, y, la) == 0;
	free(x);
	free(y);
	return same;
}

/* The workload of sc under base/NAME, generated unless already there. */
static char *workload(const bench_scale *sc, const char *base)
{
	char *dir = bench_path_join(base, sc->name);
	meta m;
	if (!bench_read_meta(dir, &m)) {
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			bench_die("cannot create %s", dir);
		if (bench_generate(sc, 0, dir) != 0)
			bench_die("cannot generate the workload in %s", dir);
	}
	return dir;
}

static void run_scale(const bench_scale *sc, const char *base,
                      char *const pdp[], size_t nb, size_t runs,
                      scale_figures *out)
{
	char *dir = workload(sc, base);
	char *policy = bench_path_join(dir, "policy.yaml");
	char *img[2] = {bench_path_join(dir, "a.pdpi"),
	                bench_path_join(dir, "b.pdpi")};
	out->scale = sc->name;
	for (size_t r = 0; r < runs; r++)
		for (size_t b = 0; b < nb; b++) {
			char *cargv[] = {pdp[b], "compile", "-o", img[b], policy, NULL};
			char *largv[] = {pdp[b], "lint", policy, NULL};
			if (measure(cargv, &out->compile[b], r) != 0)
				bench_die("compile failed: %s", pdp[b]);
			/* lint exits 0 or 1 (warnings are not failures) */
			if (measure(largv, &out->lint[b], r) > 1)
				bench_die("lint failed: %s", pdp[b]);
		}
	if (nb == 2 && !same_file(img[0], img[1]))
		bench_die("the two builds' images differ at scale %s", sc->name);
	free(img[0]);
	free(img[1]);
	free(policy);
	free(dir);
}

static void print_cmd(const char *scale, const char *cmd, figures *f,
                      size_t nb, size_t runs)
{
	double cpu[2], wall[2], rss[2];
	for (size_t b = 0; b < nb; b++) {
		cpu[b] = bench_median(f[b].cpu, runs);
		wall[b] = bench_median(f[b].wall, runs);
		rss[b] = bench_median(f[b].rss_mb, runs);
	}
	printf("%-5s %-7s", scale, cmd);
	for (size_t b = 0; b < nb; b++)
		printf(" | %8.3f %8.3f %8.1f", cpu[b], wall[b], rss[b]);
	if (nb == 2)
		printf(" | %5.2f %5.2f %5.2f", cpu[1] / cpu[0], wall[1] / wall[0],
		       rss[1] / rss[0]);
	printf("\n");
}

int main(int argc, char **argv)
{
	size_t runs = 3, nb = 0;
	const char *scales = "S,M,L", *base = NULL;
	char *pdp[2];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--runs") == 0 && i + 1 < argc)
			runs = (size_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--scales") == 0 && i + 1 < argc)
			scales = argv[++i];
		else if (strcmp(a, "--workdir") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (a[0] != '-' && nb < 2)
			pdp[nb++] = argv[i];
		else
			usage();
	}
	if (nb == 0 || runs == 0 || runs > MAX_RUNS)
		usage();
	if (base == NULL)
		base = bench_tmp_dir("pdp-bench-compile");
	static scale_figures res[3];
	size_t nres = 0;
	char list[64];
	snprintf(list, sizeof(list), "%s", scales);
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t && nres < 3;
	     t = strtok_r(NULL, ",", &save)) {
		const bench_scale *sc = bench_scale_get(t);
		if (sc == NULL)
			usage();
		fprintf(stderr, "pdp-bench-compile: scale %s\n", sc->name);
		run_scale(sc, base, pdp, nb, runs, &res[nres++]);
	}
	printf("medians of %zu runs: CPU s (user + system), wall s, peak RSS "
	       "MiB\n", runs);
	printf("%-13s", "scale command");
	for (size_t b = 0; b < nb; b++)
		printf(" | %s", pdp[b]);
	if (nb == 2)
		printf(" | second / first (cpu wall rss)");
	printf("\n");
	for (size_t i = 0; i < nres; i++) {
		print_cmd(res[i].scale, "compile", res[i].compile, nb, runs);
		print_cmd(res[i].scale, "lint", res[i].lint, nb, runs);
	}
	if (nb == 2)
		printf("images of the two builds identical at every scale\n");
	return 0;
}
