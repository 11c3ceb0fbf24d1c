/*
 * bench.c - pdp-bench: the performance figures of docs/performance.md.
 *
 *   pdp-bench S|M|L [--runs N] [--threads T] [--workdir DIR] [--seed N]
 *                   [--check] [--lib PATH]
 *
 * 1. Generates the workload of the scale (gen.c) into a fresh temporary
 *    directory (removed at exit), or reuses DIR when --workdir names one that
 *    holds a complete workload of that scale (meta.txt), else generates there.
 * 2. Measures, each figure the bench_median of --runs (default 5):
 *    - compile: pdpc_new + pdpc_add_file(policy.yaml) + pdpc_compile;
 *    - image bytes, and bytes per policy element (rules + roles + user-role
 *      assignments + group members);
 *    - load: pdp_image_load of the bytes;
 *    - decisions/s on 1 thread and on T threads (default 2), each thread with
 *      its own scratch, all over the same image;
 *    - latency p50/p99/p99.9: clock_gettime(CLOCK_MONOTONIC) around each
 *      pdp_decide; the requests were prepared beforehand as pdp_request
 *      structs whose pdp_str fields point into the request file's bytes, so
 *      a decision starts from the strings (originator id, ACP id). The
 *      timer's own cost (back-to-back clock_gettime) is reported and also
 *      subtracted in the "net" figures;
 *    - heap allocations (and frees) per decision, counted by this program's
 *      own malloc/calloc/realloc/free (forwarding to glibc's __libc_*),
 *      counting only inside the decision loops;
 *    - peak RSS (getrusage) and the heap the loaded image holds (mallinfo2);
 *    - libpdp's text size, read from the ELF section headers of the built
 *      libpdp.so (path from meson, or --lib).
 * 3. Checks EVERY decision of every loop against expected.txt (computed by
 *    the generator's independent model) and exits 1 on any mismatch.
 *
 * --check: correctness mode for the test suite: one pass per loop, no
 *    minimum durations (figures are then only indicative).
 *
 * Then the live update part (live.c; --no-live skips it): a live store
 * over the same policy, its change latencies, reader cost and memory.
 *
 * Prints one Markdown table. Exit: 0 ok, 1 wrong decision, 2 usage or setup
 * failure.
 */
#define _GNU_SOURCE 1
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/prims.h"
#include "gen.h"
#include "live.h"
#include "loghook.h"
#include "from_text.h"
#include "workload.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

#ifndef PDP_LIBPDP_SO
#define PDP_LIBPDP_SO ""
#endif

/* ------------------------------------------------------------------ */
/* heap interposition: count allocations made while `counting` is set  */

/* Sanitizers bring their own allocator: no interposition there (meson also
 * defines PDP_BENCH_NO_INTERPOSE when b_sanitize is set). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PDP_BENCH_NO_INTERPOSE 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define PDP_BENCH_NO_INTERPOSE 1
#endif
#endif

static _Thread_local int counting;
static atomic_ulong n_allocs, n_frees;

#ifndef PDP_BENCH_NO_INTERPOSE
#define COUNTING_ALLOCS 1

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);

static inline void count_alloc(void)
{
	if (counting)
		atomic_fetch_add_explicit(&n_allocs, 1, memory_order_relaxed);
}

void *malloc(size_t size)
{
	count_alloc();
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	count_alloc();
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	count_alloc();
	return __libc_realloc(p, size);
}

void free(void *p)
{
	if (counting && p != NULL)
		atomic_fetch_add_explicit(&n_frees, 1, memory_order_relaxed);
	__libc_free(p);
}

void *aligned_alloc(size_t align, size_t size)
{
	count_alloc();
	return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	count_alloc();
	void *p = __libc_memalign(align, size);
	if (p == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

static void *volatile sink;

/* Proves the counter sees both direct calls and libc-internal ones. */
static bool interposition_works(void)
{
	void *(*volatile mf)(size_t) = malloc;
	unsigned long before = atomic_load(&n_allocs);
	counting = 1;
	void *p = mf(16);
	char *s = strdup("x");
	counting = 0;
	sink = p; /* escape, so the compiler cannot elide the allocations */
	sink = s;
	free(p);
	free(s);
	return atomic_load(&n_allocs) - before == 2;
}
#else
#define COUNTING_ALLOCS 0
static bool interposition_works(void)
{
	return true;
}
#endif

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

/* Heap bytes in use (glibc mallinfo2: arena + mmapped chunks). */
static uint64_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}

/* ------------------------------------------------------------------ */
/* ELF text size of libpdp.so                                           */

typedef struct text_size {
	bool ok;
	uint64_t code;     /* sections that are ALLOC + EXECINSTR */
	uint64_t text;     /* `size`'s text: every ALLOC, non-WRITE section */
} text_size;

static text_size elf_text_size(const char *path)
{
	text_size r = {0};
	if (path == NULL || path[0] == '\0')
		return r;
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return r;
	Elf64_Ehdr eh;
	if (fread(&eh, sizeof(eh), 1, f) == 1 &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum > 0 &&
	    fseek(f, (long)eh.e_shoff, SEEK_SET) == 0) {
		r.ok = true;
		for (unsigned i = 0; i < eh.e_shnum; i++) {
			Elf64_Shdr sh;
			if (fread(&sh, sizeof(sh), 1, f) != 1) {
				r.ok = false;
				break;
			}
			if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS)
				continue;
			if (sh.sh_flags & SHF_EXECINSTR)
				r.code += sh.sh_size;
			if (!(sh.sh_flags & SHF_WRITE))
				r.text += sh.sh_size;
		}
	}
	fclose(f);
	return r;
}

/* ------------------------------------------------------------------ */
/* workload                                                             */


/* ------------------------------------------------------------------ */
/* decision loops                                                       */

static atomic_ulong n_wrong;

static void report_wrong(const pdp_image *img, const reqset *rs, size_t i,
                         const pdp_decision *d)
{
	if (atomic_fetch_add(&n_wrong, 1) >= 10)
		return;
	char reason[200];
	pdp_reason_format(img, d, true, reason, sizeof(reason));
	const pdp_request *q = &rs->req[i];
	fprintf(stderr,
	        "pdp-bench: WRONG decision for request %zu (%.*s %s %.*s): got "
	        "%s %s, expected %s\n",
	        i, (int)q->originator.len, q->originator.ptr,
	        pdp_operation_name(q->operation), (int)q->acps[0].len,
	        q->acps[0].ptr, d->effect == PDP_PERMIT ? "permit" : "deny",
	        reason, rs->expect[i] == PDP_PERMIT ? "permit" : "deny");
}

/* Decide every request `passes` times starting at `start`; returns the
 * number of wrong decisions (each is reported). */
static uint64_t decide_passes(const pdp_image *img, pdp_scratch *s,
                              const reqset *rs, size_t start, uint64_t passes)
{
	uint64_t wrong = 0;
	for (uint64_t p = 0; p < passes; p++) {
		size_t i = start;
		for (size_t k = 0; k < rs->n; k++) {
			pdp_decision d;
			pdp_decide(img, s, &rs->req[i], &d);
			if (__builtin_expect(d.effect != rs->expect[i], 0)) {
				wrong++;
				report_wrong(img, rs, i, &d);
			}
			if (++i == rs->n)
				i = 0;
		}
	}
	return wrong;
}

typedef struct worker {
	pthread_t th;
	const pdp_image *img;
	const reqset *rs;
	size_t start;
	uint64_t passes;
	pthread_barrier_t *bar;
	uint64_t t0, t1, cpu, wrong;
} worker;

static void *worker_main(void *arg)
{
	worker *w = arg;
	pdp_scratch *s = NULL;
	pdp_error err;
	if (pdp_scratch_new((pdp_image *)w->img, &s, &err) != PDP_OK)
		bench_die("pdp_scratch_new: %s", err.message);
	/* warm this thread's scratch and caches on a slice */
	pthread_barrier_wait(w->bar);
	w->t0 = bench_now_ns();
	uint64_t c0 = bench_cpu_ns();
	counting = 1;
	w->wrong = decide_passes(w->img, s, w->rs, w->start, w->passes);
	counting = 0;
	w->cpu = bench_cpu_ns() - c0;
	w->t1 = bench_now_ns();
	pdp_scratch_free(s);
	return NULL;
}

/* decisions/s with T threads, each deciding every request `passes` times
 * (wall clock); *per_cpu: decisions per CPU-second of the threads, times T */
static double run_threads(const pdp_image *img, const reqset *rs, unsigned t,
                          uint64_t passes, uint64_t *wrong, double *per_cpu)
{
	uint64_t cpu = 0;
	worker *w = calloc(t, sizeof(worker));
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, t);
	for (unsigned i = 0; i < t; i++) {
		w[i] = (worker){.img = img, .rs = rs, .start = rs->n * i / t,
		                .passes = passes, .bar = &bar};
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			bench_die("pthread_create failed%s", "");
	}
	uint64_t t0 = UINT64_MAX, t1 = 0;
	for (unsigned i = 0; i < t; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].t0 < t0)
			t0 = w[i].t0;
		if (w[i].t1 > t1)
			t1 = w[i].t1;
		*wrong += w[i].wrong;
		cpu += w[i].cpu;
	}
	*per_cpu = (double)t * (double)t * (double)passes * (double)rs->n /
	           ((double)cpu / 1e9);
	pthread_barrier_destroy(&bar);
	free(w);
	return (double)t * (double)passes * (double)rs->n / ((double)(t1 - t0) / 1e9);
}

/* Median cost of one clock_gettime pair as the latency loop uses it. */
static double timer_overhead(size_t n)
{
	uint64_t *v = bench_xmalloc(n * sizeof(uint64_t));
	for (size_t i = 0; i < n; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		clock_gettime(CLOCK_MONOTONIC, &b);
		v[i] = (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000 +
		                  (b.tv_nsec - a.tv_nsec));
	}
	qsort(v, n, sizeof(uint64_t), bench_cmp_u64);
	double r = (double)v[n / 2];
	free(v);
	return r;
}

/* ------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
	        "usage: pdp-bench S|M|L [--runs N] [--threads T] [--workdir DIR]\n"
	        "                 [--seed N] [--check] [--lib PATH] [--no-live]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *scale_name = NULL, *workdir = NULL, *lib = PDP_LIBPDP_SO;
	unsigned runs = 5, threads = 2;
	uint64_t seed = 0;
	bool check = false, live = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--runs") == 0 && i + 1 < argc)
			runs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--threads") == 0 && i + 1 < argc)
			threads = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--workdir") == 0 && i + 1 < argc)
			workdir = argv[++i];
		else if (strcmp(a, "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (strcmp(a, "--lib") == 0 && i + 1 < argc)
			lib = argv[++i];
		else if (strcmp(a, "--check") == 0)
			check = true;
		else if (strcmp(a, "--no-live") == 0)
			live = false;
		else if (a[0] != '-' && scale_name == NULL)
			scale_name = a;
		else
			usage();
	}
	const bench_scale *sc = scale_name ? bench_scale_get(scale_name) : NULL;
	if (sc == NULL || runs == 0 || runs > 1000 || threads == 0 ||
	    threads > 256)
		usage();
	if (!interposition_works())
		bench_die("the malloc interposition does not see allocations%s", "");

	/* ---- workload ---- */
	meta mt;
	uint64_t t_gen = bench_now_ns();
	bool reused = false;
	const char *dir = workdir;
	if (dir == NULL) {
		dir = bench_tmp_dir("pdp-bench");
	} else if (bench_read_meta(dir, &mt) && strcmp(mt.scale, sc->name) == 0)
		reused = true;
	if (!reused && (bench_generate(sc, seed, dir) != 0 || !bench_read_meta(dir, &mt)))
		bench_die("cannot generate the workload in %s", dir);
	double gen_ms = (double)(bench_now_ns() - t_gen) / 1e6;
	fprintf(stderr, "pdp-bench: workload %s in %s (%s, %.0f ms)\n", sc->name,
	        dir, reused ? "reused" : "generated", gen_ms);

	char *policy = bench_path_join(dir, "policy.yaml");
	double *v = bench_xmalloc(runs * sizeof(double));
	double *v2 = bench_xmalloc(runs * sizeof(double));
	double *v3 = bench_xmalloc(runs * sizeof(double));
	double *v4 = bench_xmalloc(runs * sizeof(double));

	/* ---- compile ---- */
	uint8_t *bytes = NULL;
	size_t nbytes = 0;
	for (unsigned r = 0; r < runs; r++) {
		uint64_t t0 = bench_now_ns();
		pdpc_compiler *c = pdpc_new();
		const uint8_t *img_bytes = NULL;
		pdpc_status st = c ? pdpc_add_file(c, policy) : PDPC_ERR_NOMEM;
		if (st == PDPC_OK)
			st = pdpc_compile(c, &img_bytes, &nbytes);
		uint64_t t1 = bench_now_ns();
		if (st != PDPC_OK) {
			for (size_t i = 0; c && i < pdpc_diag_count(c) && i < 10; i++) {
				const pdpc_diag *d = pdpc_diag_get(c, i);
				fprintf(stderr, "%s:%u:%u: %s [%s]\n", d->file, d->line,
				        d->col, d->message, d->code);
			}
			bench_die("the policy does not compile (%s)", policy);
		}
		v[r] = (double)(t1 - t0) / 1e6;
		if (bytes == NULL) {
			bytes = bench_xmalloc(nbytes);
			memcpy(bytes, img_bytes, nbytes);
		} else if (memcmp(bytes, img_bytes, nbytes) != 0)
			bench_die("compiling twice gave different bytes%s", "");
		pdpc_free(c);
	}
	double compile_ms = bench_median(v, runs);

	/* ---- load ---- */
	pdp_image *img = NULL;
	uint64_t heap_before = heap_in_use(), heap_image = 0;
	for (unsigned r = 0; r < runs; r++) {
		pdp_error err;
		pdp_image *im = NULL;
		uint64_t t0 = bench_now_ns();
		pdp_status st = pdp_image_load(bytes, nbytes, &im, &err);
		uint64_t t1 = bench_now_ns();
		if (st != PDP_OK)
			bench_die("pdp_image_load: %s", err.message);
		v[r] = (double)(t1 - t0) / 1e6;
		if (img == NULL) {
			img = im;
			heap_image = heap_in_use() - heap_before;
		} else
			pdp_image_release(im);
	}
	double load_ms = bench_median(v, runs);

	/* ---- requests ---- */
	reqset rs = {0};
	static const char clr[] = "originator.clearance";
	uint32_t clearance_id = pdp_attr_id(img, (pdp_str){clr, sizeof(clr) - 1});
	if (clearance_id == PDP_NONE)
		bench_die("image lacks attribute %s", clr);
	bench_read_requests(dir, clearance_id, &rs, mt.requests);
	pdp_scratch *scratch = NULL;
	pdp_error err;
	if (pdp_scratch_new(img, &scratch, &err) != PDP_OK)
		bench_die("pdp_scratch_new: %s", err.message);

	/* ---- correctness pass (also the warm-up) ---- */
	uint64_t t0 = bench_now_ns();
	uint64_t wrong = decide_passes(img, scratch, &rs, 0, 1);
	double pass_ns = (double)(bench_now_ns() - t0);
	uint64_t permits = 0;
	for (size_t i = 0; i < rs.n; i++)
		permits += rs.expect[i] == PDP_PERMIT;
	if (wrong) {
		fprintf(stderr, "pdp-bench: %llu of %zu decisions are WRONG\n",
		        (unsigned long long)wrong, rs.n);
		return 1;
	}

	/* passes per loop: >= 0.5 s of deciding, >= 10^6 latency samples */
	uint64_t tp_passes = check ? 1 : (uint64_t)(5e8 / pass_ns) + 1;
	uint64_t lat_passes = check ? 1 : (1000000 + rs.n - 1) / rs.n;
	uint64_t *lat = bench_xmalloc(lat_passes * rs.n * sizeof(uint64_t));
	double *p50 = bench_xmalloc(runs * sizeof(double));
	double *p99 = bench_xmalloc(runs * sizeof(double));
	double *p999 = bench_xmalloc(runs * sizeof(double));
	double *ovh = bench_xmalloc(runs * sizeof(double));
	double *log_off = bench_xmalloc(runs * sizeof(double));
	double *log_on = bench_xmalloc(runs * sizeof(double));
	log_ring *ring = bench_xmalloc(sizeof(log_ring));
	ring->n = 0;
	uint64_t counted_decisions = 0;
	unsigned long allocs0 = atomic_load(&n_allocs);
	unsigned long frees0 = atomic_load(&n_frees);

	for (unsigned r = 0; r < runs; r++) {
		/* 1 thread */
		t0 = bench_now_ns();
		uint64_t c0 = bench_cpu_ns();
		counting = 1;
		wrong += decide_passes(img, scratch, &rs, 0, tp_passes);
		counting = 0;
		v3[r] = (double)tp_passes * (double)rs.n /
		        ((double)(bench_cpu_ns() - c0) / 1e9);
		v[r] = (double)tp_passes * (double)rs.n /
		       ((double)(bench_now_ns() - t0) / 1e9);
		counted_decisions += tp_passes * rs.n;

		/* the decision-log hook off and on (loghook.c), alternated in
		 * quarters so that both see the same machine; thread CPU time,
		 * which other processes on the host disturb less than wall time */
		uint64_t hook_cpu[2] = {0, 0}, quarter = tp_passes / 4 + 1;
		counting = 1;
		for (int k = 0; k < 8; k++) {
			int on = k & 1;
			pdp_scratch_set_log(scratch, on ? loghook_record : NULL, ring);
			uint64_t c1 = bench_cpu_ns();
			wrong += decide_passes(img, scratch, &rs, 0, quarter);
			hook_cpu[on] += bench_cpu_ns() - c1;
		}
		counting = 0;
		pdp_scratch_set_log(scratch, NULL, NULL);
		counted_decisions += 8 * quarter * rs.n;
		log_off[r] = (double)hook_cpu[0] / (4.0 * (double)quarter * (double)rs.n);
		log_on[r] = (double)hook_cpu[1] / (4.0 * (double)quarter * (double)rs.n);

		/* T threads */
		v2[r] = run_threads(img, &rs, threads, tp_passes, &wrong, &v4[r]);
		counted_decisions += threads * tp_passes * rs.n;

		/* latency */
		size_t k = 0;
		counting = 1;
		for (uint64_t p = 0; p < lat_passes; p++)
			for (size_t i = 0; i < rs.n; i++) {
				struct timespec a, b;
				pdp_decision d;
				clock_gettime(CLOCK_MONOTONIC, &a);
				pdp_decide(img, scratch, &rs.req[i], &d);
				clock_gettime(CLOCK_MONOTONIC, &b);
				lat[k++] = (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000 +
				                      (b.tv_nsec - a.tv_nsec));
				if (__builtin_expect(d.effect != rs.expect[i], 0)) {
					wrong++;
					report_wrong(img, &rs, i, &d);
				}
			}
		counting = 0;
		counted_decisions += k;
		qsort(lat, k, sizeof(uint64_t), bench_cmp_u64);
		p50[r] = (double)lat[k / 2];
		p99[r] = (double)lat[(size_t)((double)k * 0.99)];
		p999[r] = (double)lat[(size_t)((double)k * 0.999)];
		ovh[r] = timer_overhead(check ? 1000 : 200000);
	}
	if (wrong) {
		fprintf(stderr, "pdp-bench: %llu WRONG decisions in the timed loops\n",
		        (unsigned long long)wrong);
		return 1;
	}
	double allocs = (double)(atomic_load(&n_allocs) - allocs0) /
	                (double)counted_decisions;
	double frees = (double)(atomic_load(&n_frees) - frees0) /
	               (double)counted_decisions;
	/* zero counted: make sure the counter still works */
	if (COUNTING_ALLOCS && allocs == 0 && !interposition_works())
		bench_die("the malloc interposition stopped counting%s", "");
	double dps1 = bench_median(v, runs), dpsT = bench_median(v2, runs);
	double lat50 = bench_median(p50, runs), lat99 = bench_median(p99, runs),
	       lat999 = bench_median(p999, runs), timer = bench_median(ovh, runs);
	double cpu1 = bench_median(v3, runs), cpuT = bench_median(v4, runs);

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	text_size ts = elf_text_size(lib);

	/* ---- the table ---- */
	double per_elem = (double)nbytes / (double)mt.elements;
	bool is_l = strcmp(sc->name, "L") == 0;
	printf("\n### pdp-bench scale %s%s\n\n", sc->name,
	       check ? " (--check: single passes, figures indicative only)" : "");
	printf("%u ACPs x %u rules, %u roles, %u users (%llu role assignments, "
	       "%llu group members), %zu requests, %.1f%% permit; bench_median of %u "
	       "run%s; every decision checked against expected.txt (0 wrong).\n\n",
	       sc->acps, sc->rules_per_acp, sc->roles, sc->users,
	       (unsigned long long)mt.assignments,
	       (unsigned long long)mt.group_members, rs.n,
	       100.0 * (double)permits / (double)rs.n, runs, runs == 1 ? "" : "s");
	printf("| figure | value | target | |\n|---|---|---|---|\n");
#define ROW(name, fmt, val, target, ok)                                       \
	printf("| %s | " fmt " | %s | %s |\n", name, val, target,              \
	       (ok) ? "met" : "**missed**")
#define INFO(name, fmt, val) printf("| %s | " fmt " | | |\n", name, val)
	if (is_l)
		ROW("compile (pdpc, YAML file to image)", "%.1f ms", compile_ms,
		    "<= 2000 ms (L)", compile_ms <= 2000);
	else
		INFO("compile (pdpc, YAML file to image)", "%.1f ms", compile_ms);
	INFO("image size", "%zu bytes", nbytes);
	INFO("policy elements (rules+roles+assignments+group members)", "%llu",
	     (unsigned long long)mt.elements);
	ROW("image bytes per policy element", "%.1f", per_elem, "<= 64",
	    per_elem <= 64);
	if (is_l)
		ROW("image load (pdp_image_load)", "%.2f ms", load_ms,
		    "<= 100 ms (L)", load_ms <= 100);
	else
		INFO("image load (pdp_image_load)", "%.2f ms", load_ms);
	printf("| decisions/s, 1 thread (wall; per CPU-second) | %.2f M; %.2f M "
	       "| | |\n",
	       dps1 / 1e6, cpu1 / 1e6);
	printf("| decisions/s, %u threads (wall; %u x per CPU-second) | %.2f M; "
	       "%.2f M | | |\n",
	       threads, threads, dpsT / 1e6, cpuT / 1e6);
	INFO("timer overhead (clock_gettime pair)", "%.0f ns", timer);
	ROW("latency p50 (raw, incl. timer)", "%.0f ns", lat50, "<= 200 ns",
	    lat50 <= 200);
	ROW("latency p99 (raw, incl. timer)", "%.0f ns", lat99, "<= 1000 ns",
	    lat99 <= 1000);
	INFO("latency p99.9 (raw, incl. timer)", "%.0f ns", lat999);
	printf("| latency net of timer p50 / p99 / p99.9 | %.0f / %.0f / %.0f ns "
	       "| | |\n",
	       lat50 - timer, lat99 - timer, lat999 - timer);
	double log0 = bench_median(log_off, runs), log1 = bench_median(log_on, runs);
	printf("| decision log hook off / on, 1 thread (pdp_scratch_set_log, "
	       "bench/loghook.c; CPU time) | %.1f / %.1f ns per decision "
	       "(%+.1f ns) | | |\n",
	       log0, log1, log1 - log0);
	if (COUNTING_ALLOCS) {
		ROW("heap allocations per decision", "%.4f", allocs, "0", allocs == 0);
		INFO("heap frees per decision", "%.4f", frees);
	} else
		INFO("heap allocations per decision", "%s",
		     "not counted (sanitizer build)");
	INFO("peak RSS (whole process, incl. compiler)", "%.1f MiB",
	     (double)ru.ru_maxrss / 1024.0);
	INFO("heap held by the loaded image", "%.0f KiB",
	     (double)heap_image / 1024.0);
	if (ts.ok) {
		ROW("libpdp.so text (`size` text: code + rodata + ELF tables)",
		    "%.1f KiB", (double)ts.text / 1024.0, "<= 64 KiB",
		    ts.text <= 65536);
		INFO("libpdp.so executable sections (.text, .plt, ...)", "%.1f KiB",
		     (double)ts.code / 1024.0);
	} else
		INFO("libpdp.so text", "%s", "unknown (pass --lib PATH)");
	printf("\n");
	strings_input si = {img, scratch, rs.req, rs.fields, rs.expect, rs.n, runs,
	                    check};
	if (bench_strings(&si) != 0)
		return 1;

	pdp_scratch_free(scratch);
	pdp_image_release(img);
	if (live) {
		live_input li = {policy, sc, rs.req, rs.expect, rs.n, heap_image,
		                 heap_in_use, check};
		bench_live(&li);
	}
	free(lat);
	free(policy);
	free(bytes);
	free(v);
	free(v2);
	free(v3);
	free(v4);
	free(p50);
	free(p99);
	free(p999);
	free(ovh);
	free(log_off);
	free(log_on);
	free(ring);
	bench_reqset_free(&rs);
	return 0;
}
