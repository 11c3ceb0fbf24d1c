/*
 * live.c - pdp-bench's live update part: a live policy store
 * (include/pdp/store.h) over the scale's policy, measured as a CSE uses it.
 *
 *   - open: the base compile of the whole policy, and the heap the store
 *     holds, against the heap of the same set's loaded image;
 *   - every request of the workload decided on the store's first image,
 *     checked against expected.txt (the view decides as the image does);
 *   - getting the current image before each decision (a reader): its cost
 *     per decision, uncontended and with 2 threads;
 *   - replacing one ACP (10 rules, native m2m:acp JSON) and publishing,
 *     p50 / p99 / max over many replacements of random ACPs; after each,
 *     the new ACP's first rule must grant on the very next image;
 *   - setting a group's member list with one member more, p50 / p99;
 *   - the same replacement made durable (a store directory: log append
 *     and fdatasync), p50 / p99;
 *   - the store's heap after every ACP was replaced once (the worst
 *     steady state: the base's own ACP records are all dead weight).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "pdp/store.h"

static uint64_t ns_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "pdp-bench live: %s%s%s\n", what, detail ? ": " : "",
	        detail ? detail : "");
	exit(2);
}

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A replacement ACP of the workload's shape: 10 rules of roles, users and
 * globs, some with a window or an address range; its first rule grants
 * CAE-live<i> retrieve, so that the change can be seen on the next image. */
static int acp_text(char *buf, size_t size, const bench_scale *sc,
                    unsigned long i)
{
	int n = snprintf(buf, size, "{\"m2m:acp\": {\"pv\": {\"acr\": ["
	                            "{\"acor\": [\"CAE-live%lu\"], \"acop\": 2}",
	                 i);
	for (unsigned k = 1; k < sc->rules_per_acp && (size_t)n < size; k++) {
		uint64_t h = mix(i * 131 + k);
		uint32_t kind = (uint32_t)(h % 10);
		char who[32];
		if (kind < 6)
			snprintf(who, sizeof(who), "role:r%u",
			         (uint32_t)(h >> 8) % sc->roles);
		else if (kind < 9)
			snprintf(who, sizeof(who), "CAE-u%u",
			         (uint32_t)(h >> 8) % sc->users);
		else
			snprintf(who, sizeof(who), "CAE-u%u*",
			         (uint32_t)(h >> 8) % 1000);
		n += snprintf(buf + n, size - (size_t)n,
		              ", {\"acor\": [\"%s\"], \"acop\": %u", who,
		              1u + (uint32_t)(h >> 20) % 63u);
		if ((h >> 30) % 10 < 3)
			n += snprintf(buf + n, size - (size_t)n,
			              ", \"acco\": [{\"actw\": [\"* * 8-17 * * 1-5 *\"], "
			              "\"acip\": {\"ipv4\": [\"10.%u.0.0/16\"]}}]",
			              (uint32_t)(h >> 40) % 256);
		n += snprintf(buf + n, size - (size_t)n, "}");
	}
	n += snprintf(buf + n, size - (size_t)n, "]}}}");
	return n;
}

static bool grants_live(const pdp_image *img, unsigned long i, const char *acp)
{
	char orig[32];
	snprintf(orig, sizeof(orig), "CAE-live%lu", i);
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S(orig);
	q.operation = PDP_OP_RETRIEVE;
	pdp_str a = S(acp);
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	pdp_decide(img, NULL, &q, &d);
	return d.effect == PDP_PERMIT;
}

typedef struct pct {
	double p50, p99, max;
} pct;

static pct percentiles(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(uint64_t), cmp_u64);
	pct p = {(double)v[n / 2] / 1e3, (double)v[(size_t)((double)n * 0.99)] / 1e3,
	         (double)v[n - 1] / 1e3};
	return p;
}

/* Replace `count` random ACPs of s, one change each; microseconds. */
static pct replace_acps(pdp_store *s, const bench_scale *sc, size_t count,
                        unsigned long *serial, bool sequential)
{
	uint64_t *t = malloc(count * sizeof(uint64_t));
	char *text = malloc(8192), id[32];
	if (t == NULL || text == NULL)
		fail("out of memory", NULL);
	for (size_t k = 0; k < count; k++) {
		unsigned long i = ++*serial;
		uint32_t a = sequential ? (uint32_t)(k % sc->acps)
		                        : (uint32_t)(mix(i) % sc->acps);
		snprintf(id, sizeof(id), "acp-%u", a);
		int len = acp_text(text, 8192, sc, i);
		pdp_error err;
		uint64_t t0 = ns_now();
		if (pdp_store_put_acp(s, S(id), text, (size_t)len, &err) != PDPC_OK)
			fail("put", err.message);
		t[k] = ns_now() - t0;
		pdp_image *img = pdp_store_image(s);
		if (!grants_live(img, i, id))
			fail("a replaced ACP is not in the next image", id);
		pdp_image_release(img);
	}
	pct p = percentiles(t, count);
	free(t);
	free(text);
	return p;
}

/* Set group g0's members to the workload's plus one; microseconds. */
static pct group_puts(pdp_store *s, const bench_scale *sc, size_t count)
{
	uint32_t n = 0;
	for (uint32_t u = 0; u < sc->users; u += 50)
		n++;
	pdp_str *m = calloc(n + 1, sizeof(pdp_str));
	char *names = malloc((size_t)(n + 1) * 24);
	uint64_t *t = malloc(count * sizeof(uint64_t));
	if (m == NULL || names == NULL || t == NULL)
		fail("out of memory", NULL);
	uint32_t k = 0;
	for (uint32_t u = 0; u < sc->users; u += 50, k++) {
		snprintf(names + 24 * k, 24, "CAE-u%u", u);
		m[k] = S(names + 24 * k);
	}
	for (size_t i = 0; i < count; i++) {
		snprintf(names + 24 * n, 24, "CAE-new%u", (unsigned)(i % 1000000u));
		m[n] = S(names + 24 * n);
		pdp_error err;
		uint64_t t0 = ns_now();
		if (pdp_store_set_group(s, S("g0"), m, n + 1, &err) != PDPC_OK)
			fail("set group", err.message);
		t[i] = ns_now() - t0;
	}
	pct p = percentiles(t, count);
	free(m);
	free(names);
	free(t);
	return p;
}

typedef struct acq_arg {
	pdp_store *s;
	const live_input *in;
	size_t start;
	uint64_t passes;
	bool reader;
	pthread_barrier_t *bar;
	uint64_t ns, wrong;
} acq_arg;

/* Decide every request `passes` times, getting the image from a reader
 * before each decision (or once, when !reader). */
static void *acquire_loop(void *arg)
{
	acq_arg *a = arg;
	pdp_store_reader *r = NULL;
	pdp_scratch *sc = NULL;
	if (pdp_store_reader_new(a->s, &r, NULL) != PDP_OK ||
	    pdp_scratch_new_any(&sc, NULL) != PDP_OK)
		fail("reader", NULL);
	const pdp_image *img = pdp_store_reader_image(r);
	if (a->bar)
		pthread_barrier_wait(a->bar);
	const live_input *in = a->in;
	uint64_t t0 = ns_now();
	for (uint64_t p = 0; p < a->passes; p++)
		for (size_t k = 0, i = a->start; k < in->n; k++) {
			if (a->reader)
				img = pdp_store_reader_image(r);
			pdp_decision d;
			pdp_decide(img, sc, &in->req[i], &d);
			a->wrong += d.effect != in->expect[i];
			if (++i == in->n)
				i = 0;
		}
	a->ns = ns_now() - t0;
	pdp_scratch_free(sc);
	pdp_store_reader_free(r);
	return NULL;
}

/* ns per decision with T threads, each deciding all requests `passes`
 * times, with or without a reader call before each decision. */
static double per_decision(pdp_store *s, const live_input *in, unsigned t,
                           uint64_t passes, bool reader)
{
	acq_arg a[2];
	pthread_t th[2];
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, t);
	for (unsigned i = 0; i < t; i++) {
		a[i] = (acq_arg){s, in, in->n * i / t, passes, reader, &bar, 0, 0};
		pthread_create(&th[i], NULL, acquire_loop, &a[i]);
	}
	uint64_t ns = 0, wrong = 0;
	for (unsigned i = 0; i < t; i++) {
		pthread_join(th[i], NULL);
		ns = a[i].ns > ns ? a[i].ns : ns;
		wrong += a[i].wrong;
	}
	pthread_barrier_destroy(&bar);
	if (wrong)
		fail("the store's image decided a request wrongly", NULL);
	return (double)ns / ((double)passes * (double)in->n);
}

static double median3(double a, double b, double c)
{
	return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

void bench_live(const live_input *in)
{
	const bench_scale *sc = in->sc;
	bool quick = in->check;
	/* ---- open ---- */
	uint64_t heap0 = in->heap_in_use();
	uint64_t t0 = ns_now();
	pdp_store *s = pdp_store_new();
	if (s == NULL || pdp_store_add_base_file(s, in->policy) != PDPC_OK ||
	    pdp_store_open(s) != PDPC_OK)
		fail("cannot open a store on", in->policy);
	double open_ms = (double)(ns_now() - t0) / 1e6;
	double heap_open = (double)(in->heap_in_use() - heap0);

	/* ---- the store's image decides as the compiled image ---- */
	uint64_t passes = quick ? 1 : (uint64_t)(2e6 / (double)in->n) + 1;
	double plain[3], read1[3], plain2[3], read2[3];
	for (int r = 0; r < 3; r++) {
		plain[r] = per_decision(s, in, 1, passes, false);
		read1[r] = per_decision(s, in, 1, passes, true);
		plain2[r] = per_decision(s, in, 2, passes, false);
		read2[r] = per_decision(s, in, 2, passes, true);
	}
	double p1 = median3(plain[0], plain[1], plain[2]);
	double r1 = median3(read1[0], read1[1], read1[2]);
	double p2 = median3(plain2[0], plain2[1], plain2[2]);
	double r2 = median3(read2[0], read2[1], read2[2]);

	/* ---- changes ---- */
	size_t reps = quick ? 20 : sc->acps < 2000 ? 2000 : sc->acps / 4;
	unsigned long serial = 0;
	pct rep = replace_acps(s, sc, reps, &serial, false);
	pct grp = group_puts(s, sc, quick ? 10 : 500);
	/* worst steady state: every ACP replaced once */
	pct all = replace_acps(s, sc, quick ? 20 : sc->acps, &serial, true);
	double heap_steady = (double)(in->heap_in_use() - heap0);
	pdp_store_free(s);

	/* ---- durable changes ---- */
	char dir[] = "/tmp/pdp-bench-store-XXXXXX";
	pct dur = {0, 0, 0};
	if (mkdtemp(dir) != NULL) {
		pdp_store *d = pdp_store_new();
		if (d == NULL || pdp_store_add_base_file(d, in->policy) != PDPC_OK ||
		    pdp_store_set_dir(d, dir) != PDPC_OK ||
		    pdp_store_open(d) != PDPC_OK)
			fail("cannot open a persisted store in", dir);
		dur = replace_acps(d, sc, quick ? 10 : 300, &serial, false);
		pdp_store_free(d);
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "pdp-bench live: could not remove %s\n", dir);
	}

	printf("#### live update (pdp_store, %s)\n\n", sc->name);
	printf("| figure | value | target | |\n|---|---|---|---|\n");
	printf("| store open (base compile of the whole set) | %.0f ms | | |\n",
	       open_ms);
	printf("| every request on the store's image | same decisions as "
	       "expected.txt | | met |\n");
	printf("| decide, image held / reader before each (1 thread) | %.0f / "
	       "%.0f ns: +%.1f ns per decision | | |\n",
	       p1, r1, r1 - p1);
	printf("| decide, image held / reader before each (2 threads) | %.0f / "
	       "%.0f ns: +%.1f ns per decision | | |\n",
	       p2, r2, r2 - p2);
	printf("| replace one ACP and publish (%zu, random ACPs) p50 / p99 / max "
	       "| %.0f / %.0f / %.0f us | p50 <= 1000, p99 <= 5000 us | %s |\n",
	       reps, rep.p50, rep.p99, rep.max,
	       rep.p50 <= 1000 && rep.p99 <= 5000 ? "met" : "**missed**");
	printf("| set a group's members (one more; g0) p50 / p99 | %.0f / %.0f "
	       "us | p50 <= 1000 us | %s |\n",
	       grp.p50, grp.p99, grp.p50 <= 1000 ? "met" : "**missed**");
	printf("| replace every ACP once p50 / p99 | %.0f / %.0f us | | |\n",
	       all.p50, all.p99);
	printf("| durable replace (log append + fdatasync) p50 / p99 | %.0f / "
	       "%.0f us | | |\n",
	       dur.p50, dur.p99);
	double ratio_open = heap_open / (double)in->heap_image;
	double ratio = heap_steady / (double)in->heap_image;
	printf("| store heap after open / loaded image heap | %.1f / %.1f MiB "
	       "(%.2fx) | | |\n",
	       heap_open / 1048576.0, (double)in->heap_image / 1048576.0,
	       ratio_open);
	printf("| store heap, every ACP replaced / loaded image heap | %.1f MiB "
	       "(%.2fx) | <= 2x | %s |\n\n",
	       heap_steady / 1048576.0, ratio, ratio <= 2.0 ? "met" : "**missed**");
}
