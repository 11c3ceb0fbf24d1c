/*
 * regex.c - pdp-bench-regex: the time of one `matches` condition on
 * adversarial pattern/subject pairs (docs/limits.md, "regex time").
 *
 *   pdp-bench-regex [--runs N] [--quick]
 *
 * For each pair, a policy whose ACP permits everything (rule 0) and then
 * denies when `{attr: originator.note, matches: PATTERN}` (rule 1) is
 * compiled and loaded; the
 * subject (head, then a unit repeated, then tail) is decided as the
 * request's originator.note at sizes from 1 KiB to the longest value a
 * regex test reads (PDP_MAX_REGEX_SUBJECT_BYTES), a little more, and the
 * request size limit of the CLI (64 MiB). Each size is decided --runs
 * times (default 51) after one warm-up; the table gives the answer
 * (match, no match, indeterminate) and the median and maximum time of one
 * pdp_decide, which here is one condition evaluation plus a lookup of the
 * ACP and the originator (about 0.1 us). Times are the deciding thread's
 * CPU time (CLOCK_THREAD_CPUTIME_ID): on a shared machine the wall clock
 * also counts the other processes that ran meanwhile (the maximum then
 * jumps by whole 4 ms scheduler ticks); the wall-clock median is shown
 * beside it.
 *
 * --quick: two sizes and three runs, for the test suite (suite bench):
 * every pair must give the same answer on every run; no time is asserted.
 *
 * Exit: 0 ok, 1 an answer changed between runs, 2 setup failure.
 */
#define _GNU_SOURCE 1
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/limits.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

/* The CLI reads a request file of at most this many bytes (the policy file
 * limit, PDPC_MAX_FILE_BYTES): the longest value a request can carry. */
#define REQUEST_LIMIT (64u * 1024u * 1024u)

typedef struct pair {
	const char *what;
	const char *pattern;
	const char *head;
	const char *unit; /* repeated to the size */
	const char *tail;
} pair;

static char spaces29a[31], a249b[251], caps250[600];
static char nested_caps[620];

static pair PAIRS[] = {
	{"rescan before $", "\\s+$", "", " ", "x"},
	{"possessive rescan", "\\s++$", "", " ", "x"},
	{"lookahead to the end", "(?=.*x)", "", "a", "y"},
	{"nested quantifiers", "(a+)+$", "", "a", "b"},
	{"nested, 250 captures", nested_caps, "", "a", "b"},
	{"equal alternatives", "(a|a)*b", "", "a", "cb"},
	{"three .* in a row", ".*.*.*x", "x", "a", ""},
	{"adjacent overlapping", "\\w+\\d+x", "", "1", "!x"},
	{"backreference", "(a+)\\1x", "", "a", "yx"},
	{"repeated backreference", "(.+)\\1+x", "", "ab", "yx"},
	{"counted repeat retried", "(?:||||||||)\\s{30}x", "", spaces29a, "x"},
	{"lookbehind", "(?<=a{250})\\w", "", a249b, ""},
	{"negative lookahead", "(?:(?!x).)+y", "", "a", "xy"},
	{"byte-mode clusters", "\\X++[!?][xy]", "", "a", "!"},
	{"byte-mode properties", "\\p{L}++[!?][xy]", "", "a", "!"},
	{"plain search (control)", "meter", "", "a", "meter"},
	{"anchored id (control)", "^CAE-meter-[0-9]+$", "CAE-meter-", "7", ""},
};
#define N_PAIRS (sizeof(PAIRS) / sizeof(PAIRS[0]))

static void init_pairs(void)
{
	memset(spaces29a, ' ', 29);
	spaces29a[29] = 'a';
	memset(a249b, 'a', 249);
	a249b[249] = 'b';
	size_t o = 0;
	for (int i = 0; i < 250; i++) {
		memcpy(caps250 + o, "()", 2);
		o += 2;
	}
	snprintf(nested_caps, sizeof(nested_caps), "(a+)+$%s", caps250);
}

static double now_us(clockid_t clock)
{
	struct timespec t;
	clock_gettime(clock, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* YAML single-quoted: a quote is written twice. */
static size_t yaml_single(char *out, size_t cap, const char *s)
{
	size_t o = 0;
	for (; *s && o + 2 < cap; s++) {
		if (*s == '\'')
			out[o++] = '\'';
		out[o++] = *s;
	}
	out[o] = '\0';
	return o;
}

static pdp_image *load_pair(const pair *p)
{
	char quoted[1400], text[2048];
	yaml_single(quoted, sizeof(quoted), p->pattern);
	snprintf(text, sizeof(text),
	         "pdp: 1\n"
	         "attributes: { originator.note: string }\n"
	         "acps:\n"
	         "  - id: p\n"
	         "    privileges:\n"
	         "      - { originators: [all], operations: [retrieve] }\n"
	         "      - originators: [all]\n"
	         "        operations: [retrieve]\n"
	         "        effect: deny\n"
	         "        when: { attr: originator.note, matches: '%s' }\n",
	         quoted);
	pdpc_compiler *c = pdpc_new();
	const uint8_t *bytes;
	size_t len;
	pdp_image *img = NULL;
	if (c == NULL || pdpc_add_buffer(c, "regex.yaml", text, strlen(text)) !=
	                         PDPC_OK ||
	    pdpc_compile(c, &bytes, &len) != PDPC_OK ||
	    pdp_image_load(bytes, len, &img, NULL) != PDP_OK) {
		fprintf(stderr, "pdp-bench-regex: '%s' does not compile or load\n",
		        p->pattern);
		img = NULL;
	}
	pdpc_free(c);
	return img;
}

/* head + whole units up to n bytes + tail, into buf (large enough); a
 * unit is never cut, so UTF-8 subjects stay valid. */
static size_t make_subject(char *buf, const pair *p, size_t n)
{
	size_t hl = strlen(p->head), ul = strlen(p->unit), tl = strlen(p->tail);
	n -= n % ul;
	memcpy(buf, p->head, hl);
	for (size_t i = 0; i < n; i++)
		buf[hl + i] = p->unit[i % ul];
	memcpy(buf + hl + n, p->tail, tl);
	return hl + n + tl;
}

/* Rule 1 denies on a match and, as indeterminate, when a limit tripped. */
static const char *answer(const pdp_decision *d)
{
	if (d->effect == PDP_PERMIT)
		return "no match";
	return d->indeterminate ? "indeterminate" : "match";
}

/* The CPU model, for the record beside the figures. */
static void print_cpu(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) == 0) {
			char *v = strchr(line, ':');
			printf("CPU:%s", v ? v + 1 : line);
			break;
		}
	}
	if (f != NULL)
		fclose(f);
}

int main(int argc, char **argv)
{
	int runs = 51;
	bool quick = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--quick") == 0)
			quick = true;
		else {
			fprintf(stderr, "usage: pdp-bench-regex [--runs N] [--quick]\n");
			return 2;
		}
	}
	if (quick)
		runs = 3;
	if (runs < 1)
		runs = 1;
	init_pairs();
	const size_t cap = PDP_MAX_REGEX_SUBJECT_BYTES;
	size_t sizes[] = {1024, 2048, 4096, 8192, cap - 16, cap + 256,
	                  REQUEST_LIMIT - 256};
	size_t n_sizes = quick ? 2 : sizeof(sizes) / sizeof(sizes[0]);
	if (quick)
		sizes[1] = cap + 256;
	char *buf = malloc(REQUEST_LIMIT);
	double *t = malloc((size_t)runs * sizeof(double));
	double *w = malloc((size_t)runs * sizeof(double));
	if (buf == NULL || t == NULL || w == NULL)
		return 2;
	print_cpu();
	printf("runs per size: %d; times of one pdp_decide in microseconds "
	       "(thread CPU time; wall clock median)\n\n",
	       runs);
	printf("| pair | pattern | subject bytes | answer | median us | max us "
	       "| wall median us |\n");
	printf("|---|---|---|---|---|---|---|\n");
	int status = 0;
	double worst_median = 0, worst_max = 0;
	for (size_t k = 0; k < N_PAIRS; k++) {
		const pair *p = &PAIRS[k];
		pdp_image *img = load_pair(p);
		pdp_scratch *sc = NULL;
		if (img == NULL || pdp_scratch_new(img, &sc, NULL) != PDP_OK)
			return 2;
		pdp_attr attr = {pdp_attr_id(img, (pdp_str){"originator.note", 15}),
		                 {.type = PDP_TYPE_STRING}};
		pdp_str acp = {"p", 1};
		pdp_request q;
		pdp_request_init(&q);
		q.originator = (pdp_str){"CAE-x", 5};
		q.operation = PDP_OP_RETRIEVE;
		q.acps = &acp;
		q.n_acps = 1;
		q.attrs = &attr;
		q.n_attrs = 1;
		for (size_t s = 0; s < n_sizes; s++) {
			attr.value.u.s.ptr = buf;
			attr.value.u.s.len = make_subject(buf, p, sizes[s]);
			pdp_decision d, first;
			pdp_decide(img, sc, &q, &first); /* warm-up */
			for (int r = 0; r < runs; r++) {
				double w0 = now_us(CLOCK_MONOTONIC);
				double t0 = now_us(CLOCK_THREAD_CPUTIME_ID);
				pdp_decide(img, sc, &q, &d);
				t[r] = now_us(CLOCK_THREAD_CPUTIME_ID) - t0;
				w[r] = now_us(CLOCK_MONOTONIC) - w0;
				if (d.effect != first.effect ||
				    d.indeterminate != first.indeterminate)
					status = 1;
			}
			qsort(t, (size_t)runs, sizeof(double), cmp_double);
			qsort(w, (size_t)runs, sizeof(double), cmp_double);
			double med = t[runs / 2], max = t[runs - 1];
			printf("| %s | `%.24s%s` | %zu | %s | %.1f | %.1f | %.1f |\n",
			       p->what, p->pattern,
			       strlen(p->pattern) > 24 ? "..." : "",
			       attr.value.u.s.len, answer(&first), med, max,
			       w[runs / 2]);
			if (med > worst_median)
				worst_median = med;
			if (max > worst_max)
				worst_max = max;
		}
		pdp_scratch_free(sc);
		pdp_image_free(img);
	}
	printf("\nworst median %.1f us, worst single run %.1f us (CPU time)\n",
	       worst_median, worst_max);
	if (status != 0)
		fprintf(stderr, "pdp-bench-regex: an answer changed between runs\n");
	free(w);
	free(t);
	free(buf);
	return status;
}
