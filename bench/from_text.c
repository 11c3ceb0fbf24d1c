/*
 * from_text.c - the whole path from strings, as a CSE sees it: for each
 * request, the operation name, env.time and env.ip are turned from text
 * into a pdp_request (pdp_operation_from_name, pdp_time_parse,
 * pdp_ip_parse; the originator and target ACP ids stay strings, which
 * pdp_decide looks up) and decided. Timed per decision with
 * clock_gettime, alternated run by run with pdp_decide alone on the same
 * requests prepared beforehand, so that both columns see the same
 * machine. Every decision is checked against expected.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "stats.h"
#include "from_text.h"

static uint64_t elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (uint64_t)((b->tv_sec - a->tv_sec) * 1000000000 +
	                  (b->tv_nsec - a->tv_nsec));
}


/* Request i built from its text, as a CSE would: false when a field does
 * not parse (the workload's never fail). */
static bool from_text(const strings_input *in, size_t i, pdp_request *q)
{
	const pdp_request *p = &in->req[i];
	const bench_text *t = &in->text[i];
	pdp_request_init(q);
	q->originator = p->originator;
	q->acps = p->acps;
	q->n_acps = p->n_acps;
	q->attrs = p->attrs;
	q->n_attrs = p->n_attrs;
	q->operation = pdp_operation_from_name(t->op);
	q->has_time = pdp_time_parse(t->time, &q->time, NULL) == PDP_OK;
	q->has_ip = pdp_ip_parse(t->ip, &q->ip, NULL) == PDP_OK;
	return q->operation != 0 && q->has_time && q->has_ip;
}

/* One latency pass over every request: from text (strings) or prepared.
 * Samples go to lat; returns the wrong decisions. */
static uint64_t pass(const strings_input *in, bool strings, uint64_t *lat)
{
	uint64_t wrong = 0;
	for (size_t i = 0; i < in->n; i++) {
		struct timespec a, b;
		pdp_decision d;
		pdp_request q;
		bool ok = true;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (strings) {
			ok = from_text(in, i, &q);
			pdp_decide(in->img, in->scratch, &q, &d);
		} else
			pdp_decide(in->img, in->scratch, &in->req[i], &d);
		clock_gettime(CLOCK_MONOTONIC, &b);
		lat[i] = elapsed_ns(&a, &b);
		if (!ok || d.effect != in->expect[i]) {
			if (wrong++ < 5)
				fprintf(stderr, "pdp-bench: WRONG decision for request "
				                "%zu %s\n",
				        i, strings ? "from its strings" : "prepared");
		}
	}
	return wrong;
}

uint64_t bench_strings(const strings_input *in)
{
	/* at least 10^6 samples per column and run, as the main latency */
	size_t passes = in->check ? 1 : (1000000 + in->n - 1) / in->n;
	uint64_t *lat = malloc(passes * in->n * sizeof(uint64_t));
	double *p[2][2]; /* [strings][p50, p99] per run */
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < 2; k++)
			p[s][k] = malloc(in->runs * sizeof(double));
	uint64_t wrong = 0;
	if (lat == NULL)
		return 1;
	for (unsigned r = 0; r < in->runs; r++)
		for (int s = 0; s < 2; s++) {
			for (size_t k = 0; k < passes; k++)
				wrong += pass(in, s == 1, lat + k * in->n);
			size_t m = passes * in->n;
			qsort(lat, m, sizeof(uint64_t), bench_cmp_u64);
			p[s][0][r] = (double)lat[m / 2];
			p[s][1][r] = (double)lat[(size_t)((double)m * 0.99)];
		}
	double d50 = bench_median(p[0][0], in->runs), d99 = bench_median(p[0][1], in->runs);
	double s50 = bench_median(p[1][0], in->runs), s99 = bench_median(p[1][1], in->runs);
	printf("#### From the request's strings\n\n"
	       "Latency per decision (raw, incl. timer), median of %u runs, the "
	       "two alternated in each run; every decision checked.\n\n"
	       "| path | p50 | p99 |\n|---|---|---|\n"
	       "| pdp_decide only, prepared requests | %.0f ns | %.0f ns |\n"
	       "| from strings: operation name, env.time and env.ip text "
	       "parsed (pdp_operation_from_name, pdp_time_parse, pdp_ip_parse), "
	       "then pdp_decide | %.0f ns | %.0f ns |\n"
	       "| cost of the parsing (difference) | %+.0f ns | %+.0f ns |\n\n",
	       in->runs, d50, d99, s50, s99, s50 - d50, s99 - d99);
	free(lat);
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < 2; k++)
			free(p[s][k]);
	return wrong;
}
