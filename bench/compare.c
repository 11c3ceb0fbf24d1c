/*
 * compare.c - pdp-bench-compare: two libpdp builds side by side in one run.
 *
 *   pdp-bench-compare BUILD_A BUILD_B [--scales S,M,L] [--runs N]
 *                     [--workdir DIR] [--seed N] [--check]
 *   pdp-bench-compare --ir BUILD [--scale S] [--passes N] [--workdir DIR]
 *   pdp-bench-compare --chase [--mib N]
 *
 * A BUILD is a meson build directory of pdp (any revision that has
 * src/libpdp.so.0 and src/libpdpc.so.0 with today's public API). Each
 * library is opened with dlmopen in a namespace of its own, so the two
 * builds' symbols never meet; each build compiles the workload (gen.c) with
 * its own compiler, so images of different formats are compared too.
 *
 * Per scale, runs rounds; each round measures build A then B (B then A
 * every other round, so that neither always runs on a warmer machine):
 *   - latency: clock_gettime around each pdp_decide over every request
 *     (at least LAT_SAMPLES), p50 and p99 of the round;
 *   - single-call throughput: thread CPU time of whole passes;
 *   - batch throughput (builds that export pdp_decide_batch): the same
 *     passes in batches of BATCH requests.
 * Every decision of every loop is checked against expected.txt; one wrong
 * decision exits 1. Prints the medians over the rounds and the ratios B/A.
 *
 * --ir: decide every request of a scale `passes` times with one build and
 * nothing else, for an instruction count of pdp_decide under callgrind
 * (bench/compare-ir.sh runs it).
 * --chase: the latency of one dependent load that misses every cache (a
 * pointer chase over N MiB, default 256, cache lines in random cyclic
 * order) and of one that hits L1, to read decision latencies as counts of
 * dependent misses (docs/performance.md).
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gen.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"
#include "workload.h"

#define LAT_SAMPLES 300000u
#define BATCH 16u

typedef pdp_status (*decide_batch_fn)(const pdp_image *img,
                                      pdp_scratch *scratch,
                                      const pdp_request *const *reqs,
                                      size_t n, pdp_decision *out);

/* One build's entry points, from its own namespace. */
typedef struct build {
	const char *dir;
	char label;
	__typeof__(&pdp_image_load) image_load;
	__typeof__(&pdp_image_release) image_release;
	__typeof__(&pdp_scratch_new) scratch_new;
	__typeof__(&pdp_scratch_free) scratch_free;
	__typeof__(&pdp_decide) decide;
	__typeof__(&pdp_attr_id) attr_id;
	decide_batch_fn decide_batch; /* NULL when the build has none */
	__typeof__(&pdpc_new) c_new;
	__typeof__(&pdpc_add_file) c_add_file;
	__typeof__(&pdpc_compile) c_compile;
	__typeof__(&pdpc_free) c_free;
	/* per scale */
	pdp_image *img;
	pdp_scratch *scratch;
	uint32_t clearance;
	size_t image_bytes;
} build;

static void *sym(void *h, const char *lib, const char *name, bool required)
{
	void *p = dlsym(h, name);
	if (p == NULL && required) {
		fprintf(stderr, "pdp-bench-compare: %s has no %s\n", lib, name);
		exit(2);
	}
	return p;
}

static void *open_ns(const char *dir, const char *rel, char *path, size_t size)
{
	snprintf(path, size, "%s/%s", dir, rel);
	void *h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "pdp-bench-compare: cannot open %s: %s\n", path,
		        dlerror());
		exit(2);
	}
	return h;
}

/* Bind b to BUILD dir's libpdp (decisions) and libpdpc (compiling). */
static void build_open(build *b, const char *dir, char label)
{
	char lp[4096], lc[4096];
	memset(b, 0, sizeof(*b));
	b->dir = dir;
	b->label = label;
	void *hp = open_ns(dir, "src/libpdp.so.0", lp, sizeof(lp));
	void *hc = open_ns(dir, "src/libpdpc.so.0", lc, sizeof(lc));
	/* object pointers to function pointers: POSIX guarantees dlsym's */
	*(void **)&b->image_load = sym(hp, lp, "pdp_image_load", true);
	*(void **)&b->image_release = sym(hp, lp, "pdp_image_release", true);
	*(void **)&b->scratch_new = sym(hp, lp, "pdp_scratch_new", true);
	*(void **)&b->scratch_free = sym(hp, lp, "pdp_scratch_free", true);
	*(void **)&b->decide = sym(hp, lp, "pdp_decide", true);
	*(void **)&b->attr_id = sym(hp, lp, "pdp_attr_id", true);
	*(void **)&b->decide_batch = sym(hp, lp, "pdp_decide_batch", false);
	*(void **)&b->c_new = sym(hc, lc, "pdpc_new", true);
	*(void **)&b->c_add_file = sym(hc, lc, "pdpc_add_file", true);
	*(void **)&b->c_compile = sym(hc, lc, "pdpc_compile", true);
	*(void **)&b->c_free = sym(hc, lc, "pdpc_free", true);
}

/* Compile policy.yaml of dir with b's compiler and load it with b's
 * library; the attribute id of originator.clearance in that image. */
static void build_prepare(build *b, const char *dir)
{
	char *policy = bench_path_join(dir, "policy.yaml");
	pdpc_compiler *c = b->c_new();
	const uint8_t *bytes = NULL;
	size_t n = 0;
	if (c == NULL || b->c_add_file(c, policy) != PDPC_OK ||
	    b->c_compile(c, &bytes, &n) != PDPC_OK)
		bench_die("the policy does not compile with build %s", b->dir);
	pdp_error err;
	if (b->image_load(bytes, n, &b->img, &err) != PDP_OK)
		bench_die("pdp_image_load: %s", err.message);
	b->image_bytes = n;
	b->c_free(c);
	free(policy);
	if (b->scratch_new(b->img, &b->scratch, &err) != PDP_OK)
		bench_die("pdp_scratch_new: %s", err.message);
	static const char clr[] = "originator.clearance";
	b->clearance = b->attr_id(b->img, (pdp_str){clr, sizeof(clr) - 1});
	if (b->clearance == PDP_NONE)
		bench_die("image lacks attribute %s", clr);
}

static void build_release(build *b)
{
	b->scratch_free(b->scratch);
	b->image_release(b->img);
	b->scratch = NULL;
	b->img = NULL;
}


static void check(const build *b, const reqset *rs, size_t i,
                  const pdp_decision *d)
{
	if (__builtin_expect(d->effect != rs->expect[i], 0)) {
		fprintf(stderr,
		        "pdp-bench-compare: build %c (%s): WRONG decision for "
		        "request %zu\n",
		        b->label, b->dir, i);
		exit(1);
	}
}

/* One round's figures of one build. */
typedef struct round_fig {
	double p50, p99;       /* ns, raw (timer included) */
	double single, batch;  /* decisions per CPU-second; batch 0: none */
} round_fig;

static void measure(const build *b, const reqset *rs, uint64_t passes,
                    uint64_t *lat, const pdp_request **ptrs,
                    pdp_decision *outs, round_fig *f)
{
	size_t k = 0;
	uint64_t lat_passes = (LAT_SAMPLES + rs->n - 1) / rs->n;
	for (uint64_t p = 0; p < lat_passes; p++)
		for (size_t i = 0; i < rs->n; i++) {
			struct timespec t0, t1;
			pdp_decision d;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			b->decide(b->img, b->scratch, &rs->req[i], &d);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			lat[k++] = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000 +
			                      (t1.tv_nsec - t0.tv_nsec));
			check(b, rs, i, &d);
		}
	qsort(lat, k, sizeof(uint64_t), bench_cmp_u64);
	f->p50 = (double)lat[k / 2];
	f->p99 = (double)lat[(size_t)((double)k * 0.99)];

	uint64_t c0 = bench_cpu_ns();
	for (uint64_t p = 0; p < passes; p++)
		for (size_t i = 0; i < rs->n; i++) {
			pdp_decision d;
			b->decide(b->img, b->scratch, &rs->req[i], &d);
			check(b, rs, i, &d);
		}
	f->single = (double)passes * (double)rs->n / ((double)(bench_cpu_ns() - c0) / 1e9);

	f->batch = 0;
	if (b->decide_batch == NULL)
		return;
	c0 = bench_cpu_ns();
	for (uint64_t p = 0; p < passes; p++)
		for (size_t i = 0; i < rs->n; i += BATCH) {
			size_t n = rs->n - i < BATCH ? rs->n - i : BATCH;
			b->decide_batch(b->img, b->scratch, ptrs + i, n, outs);
			for (size_t j = 0; j < n; j++)
				check(b, rs, i + j, &outs[j]);
		}
	f->batch = (double)passes * (double)rs->n / ((double)(bench_cpu_ns() - c0) / 1e9);
}

static double timer_overhead(void)
{
	enum { N = 100000 };
	static uint64_t v[N];
	for (size_t i = 0; i < N; i++) {
		uint64_t a = bench_now_ns();
		v[i] = bench_now_ns() - a;
	}
	qsort(v, N, sizeof(uint64_t), bench_cmp_u64);
	return (double)v[N / 2];
}

/* The workload of scale sc in base/NAME (generated when absent). */
static char *workload_dir(const char *base, const bench_scale *sc,
                          uint64_t seed, meta *mt)
{
	char *dir = bench_path_join(base, sc->name);
	mkdir(dir, 0700);
	if (!bench_read_meta(dir, mt) || strcmp(mt->scale, sc->name) != 0) {
		if (bench_generate(sc, seed, dir) != 0 || !bench_read_meta(dir, mt))
			bench_die("cannot generate the workload in %s", dir);
	}
	return dir;
}

typedef struct scale_result {
	const char *name;
	double p50[2], p99[2], single[2], batch[2];
	size_t bytes[2];
} scale_result;

/* Alternate the two builds over `runs` rounds of scale sc. */
static void compare_scale(build *bs, const bench_scale *sc, const char *base,
                          uint64_t seed, unsigned runs, bool quick,
                          scale_result *out)
{
	meta mt;
	char *dir = workload_dir(base, sc, seed, &mt);
	reqset rs[2];
	for (int k = 0; k < 2; k++) {
		build_prepare(&bs[k], dir);
		bench_read_requests(dir, bs[k].clearance, &rs[k], mt.requests);
	}
	size_t n = rs[0].n;
	const pdp_request **ptrs[2];
	for (int k = 0; k < 2; k++) {
		ptrs[k] = bench_xmalloc(n * sizeof(*ptrs[k]));
		for (size_t i = 0; i < n; i++)
			ptrs[k][i] = &rs[k].req[i];
	}
	pdp_decision *outs = bench_xmalloc(BATCH * sizeof(pdp_decision));
	uint64_t *lat = bench_xmalloc((LAT_SAMPLES + n) * sizeof(uint64_t));
	/* about 0.3 s of single calls per build and round */
	uint64_t passes = quick ? 1 : (uint64_t)(3e8 / 400.0 / (double)n) + 1;
	double *v[2][4];
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 4; j++)
			v[k][j] = bench_xmalloc(runs * sizeof(double));
	for (unsigned r = 0; r < runs; r++)
		for (int o = 0; o < 2; o++) {
			int k = (int)(r & 1u) ^ o;
			round_fig f;
			measure(&bs[k], &rs[k], passes, lat, ptrs[k], outs, &f);
			v[k][0][r] = f.p50;
			v[k][1][r] = f.p99;
			v[k][2][r] = f.single;
			v[k][3][r] = f.batch;
		}
	out->name = sc->name;
	for (int k = 0; k < 2; k++) {
		out->p50[k] = bench_median(v[k][0], runs);
		out->p99[k] = bench_median(v[k][1], runs);
		out->single[k] = bench_median(v[k][2], runs);
		out->batch[k] = bench_median(v[k][3], runs);
		out->bytes[k] = bs[k].image_bytes;
		for (int j = 0; j < 4; j++)
			free(v[k][j]);
		free(ptrs[k]);
		bench_reqset_free(&rs[k]);
		build_release(&bs[k]);
	}
	free(outs);
	free(lat);
	free(dir);
}

static void print_results(const build *bs, const scale_result *res,
                          size_t n, unsigned runs, double timer)
{
	printf("\n### pdp-bench-compare: A = %s, B = %s\n\n", bs[0].dir, bs[1].dir);
	printf("Median of %u alternating rounds; latency raw (timer pair %.0f ns "
	       "included); throughput per CPU-second of one thread; every "
	       "decision checked against expected.txt (0 wrong).\n\n",
	       runs, timer);
	printf("| scale | A p50 / p99 ns | B p50 / p99 ns | B/A p50 | B/A p99 | "
	       "A image bytes | B image bytes |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++)
		printf("| %s | %.0f / %.0f | %.0f / %.0f | %.2f | %.2f | %zu | %zu |\n",
		       res[i].name, res[i].p50[0], res[i].p99[0], res[i].p50[1],
		       res[i].p99[1], res[i].p50[1] / res[i].p50[0],
		       res[i].p99[1] / res[i].p99[0], res[i].bytes[0],
		       res[i].bytes[1]);
	printf("\n| scale | A single M/s | B single M/s | B/A single | A batch M/s "
	       "| B batch M/s | B batch / B single |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		char ab[32] = "-", bb[32] = "-", rb[32] = "-";
		if (res[i].batch[0] > 0)
			snprintf(ab, sizeof(ab), "%.2f", res[i].batch[0] / 1e6);
		if (res[i].batch[1] > 0) {
			snprintf(bb, sizeof(bb), "%.2f", res[i].batch[1] / 1e6);
			snprintf(rb, sizeof(rb), "%.2f", res[i].batch[1] / res[i].single[1]);
		}
		printf("| %s | %.2f | %.2f | %.2f | %s | %s | %s |\n", res[i].name,
		       res[i].single[0] / 1e6, res[i].single[1] / 1e6,
		       res[i].single[1] / res[i].single[0], ab, bb, rb);
	}
	const scale_result *s = NULL, *l = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(res[i].name, "S") == 0)
			s = &res[i];
		if (strcmp(res[i].name, "L") == 0)
			l = &res[i];
	}
	if (s && l)
		printf("\nL p50 / S p50 (net of the timer): A %.2f, B %.2f\n",
		       (l->p50[0] - timer) / (s->p50[0] - timer),
		       (l->p50[1] - timer) / (s->p50[1] - timer));
	printf("\n");
}


/* ---- --ir: one build only, for callgrind ---- */

static int run_ir(const char *dir_build, const char *scale, uint64_t passes,
                  const char *base, uint64_t seed)
{
	const bench_scale *sc = bench_scale_get(scale);
	if (sc == NULL)
		bench_die("unknown scale %s", scale);
	build b;
	build_open(&b, dir_build, 'A');
	meta mt;
	char *dir = workload_dir(base, sc, seed, &mt);
	build_prepare(&b, dir);
	reqset rs;
	bench_read_requests(dir, b.clearance, &rs, mt.requests);
	for (uint64_t p = 0; p < passes; p++)
		for (size_t i = 0; i < rs.n; i++) {
			pdp_decision d;
			b.decide(b.img, b.scratch, &rs.req[i], &d);
			check(&b, &rs, i, &d);
		}
	printf("decisions %llu\n", (unsigned long long)(passes * rs.n));
	bench_reqset_free(&rs);
	build_release(&b);
	free(dir);
	return 0;
}

/* ---- --chase: dependent-load latency of this host ---- */

static uint64_t chase_state = 0x2545f4914f6cdd1dull;

static uint64_t chase_rand(void)
{
	chase_state ^= chase_state << 13;
	chase_state ^= chase_state >> 7;
	chase_state ^= chase_state << 17;
	return chase_state;
}

/* ns per step of a chase through `bytes` of 64-byte lines in one random
 * cycle (Sattolo's shuffle): each load's address is the previous load's
 * value, so the loads cannot overlap. */
static double chase_ns(size_t bytes, uint64_t steps)
{
	size_t n = bytes / 64;
	void **lines = aligned_alloc(64, n * 64);
	size_t *order = bench_xmalloc(n * sizeof(size_t));
	if (lines == NULL)
		bench_die("out of memory%s", "");
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(chase_rand() % i);
		size_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		lines[order[i] * 8] = &lines[order[(i + 1) % n] * 8];
	/* volatile loads: the compiler may neither drop nor move them past
	 * the clock reads */
	void *volatile *p = (void *volatile *)&lines[order[0] * 8];
	for (size_t i = 0; i < n; i++) /* touch every page once */
		p = (void *volatile *)*p;
	uint64_t t0 = bench_now_ns();
	for (uint64_t i = 0; i < steps; i++)
		p = (void *volatile *)*p;
	double ns = (double)(bench_now_ns() - t0) / (double)steps;
	free(order);
	free(lines);
	return ns;
}

/* The chase at working sets from L1 size to mib MiB. An L-scale image is
 * about 26 MiB: the 32 MiB row is the miss a decision at L pays (TLB
 * misses included, as a decision has them too). */
static int run_chase(size_t mib)
{
	static const size_t kib[] = {16, 256, 4096, 32768};
	printf("\n### pointer chase (one dependent load per step)\n\n");
	printf("| working set | ns per load |\n|---|---|\n");
	for (size_t i = 0; i < sizeof(kib) / sizeof(kib[0]); i++)
		if (kib[i] < mib * 1024)
			printf("| %zu KiB | %.1f |\n", kib[i],
			       chase_ns(kib[i] * 1024, kib[i] <= 256 ? 20000000 : 5000000));
	printf("| %zu MiB | %.1f |\n\n", mib, chase_ns(mib << 20, 5000000));
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: pdp-bench-compare BUILD_A BUILD_B [--scales S,M,L] "
	        "[--runs N] [--workdir DIR] [--seed N] [--check]\n"
	        "       pdp-bench-compare --ir BUILD [--scale S] [--passes N] "
	        "[--workdir DIR]\n"
	        "       pdp-bench-compare --chase [--mib N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *builds[2] = {NULL, NULL}, *scales = "S,M,L", *workdir = NULL;
	const char *ir = NULL, *ir_scale = "S";
	unsigned runs = 5;
	uint64_t seed = 0, passes = 10;
	size_t mib = 256;
	bool quick = false, chase = false;
	int nb = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (strcmp(a, "--scales") == 0 && more)
			scales = argv[++i];
		else if (strcmp(a, "--runs") == 0 && more)
			runs = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "--workdir") == 0 && more)
			workdir = argv[++i];
		else if (strcmp(a, "--seed") == 0 && more)
			seed = strtoull(argv[++i], NULL, 0);
		else if (strcmp(a, "--ir") == 0 && more)
			ir = argv[++i];
		else if (strcmp(a, "--scale") == 0 && more)
			ir_scale = argv[++i];
		else if (strcmp(a, "--passes") == 0 && more)
			passes = strtoull(argv[++i], NULL, 10);
		else if (strcmp(a, "--mib") == 0 && more)
			mib = (size_t)strtoull(argv[++i], NULL, 10);
		else if (strcmp(a, "--check") == 0)
			quick = true;
		else if (strcmp(a, "--chase") == 0)
			chase = true;
		else if (a[0] != '-' && nb < 2)
			builds[nb++] = a;
		else
			usage();
	}
	if (chase)
		return run_chase(mib == 0 ? 256 : mib);
	const char *base = workdir;
	if (base == NULL)
		base = bench_tmp_dir("pdp-compare");
	if (ir != NULL)
		return run_ir(ir, ir_scale, passes == 0 ? 1 : passes, base, seed);
	if (nb != 2 || runs == 0 || runs > 1000)
		usage();
	if (quick)
		runs = 1;
	build bs[2];
	build_open(&bs[0], builds[0], 'A');
	build_open(&bs[1], builds[1], 'B');
	scale_result res[3];
	size_t nres = 0;
	char list[64];
	snprintf(list, sizeof(list), "%s", scales);
	char *save = NULL; /* strtok_r: the request reader uses strtok */
	for (char *t = strtok_r(list, ",", &save); t && nres < 3;
	     t = strtok_r(NULL, ",", &save)) {
		const bench_scale *sc = bench_scale_get(t);
		if (sc == NULL)
			usage();
		fprintf(stderr, "pdp-bench-compare: scale %s\n", sc->name);
		compare_scale(bs, sc, base, seed, runs, quick, &res[nres++]);
	}
	print_results(bs, res, nres, runs, timer_overhead());
	return 0;
}
