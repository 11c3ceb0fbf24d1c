/*
 * store_threads.c - threads deciding on a live store while it changes
 * (also run under ThreadSanitizer by CI).
 *
 * One writer commits PDP_STORE_CHANGES transactions (default 10,000); the
 * i-th replaces ACP a<i % 20> (acor CAE-<h(i) % 7>, acop from h(i)), sets
 * the version ACP's rule id to v<i>, and every third one sets the members
 * of group G. Eight readers decide random requests on the image their
 * reader hands them and check each answer against the policy of that
 * image's version, computed from the version number alone: so every
 * decision equals the answer of the image before or after the change in
 * flight, never a mix. Each reader also checks that its image is at least
 * as new as the last commit that had returned before it asked
 * (revocation takes effect for the very next request).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/store.h"

#define N_ACPS 20u
#define N_READERS 8

static atomic_ulong committed;
static atomic_int done;
static atomic_ulong decisions;
static unsigned long changes = 10000;
static pdp_store *store;

static uint32_t h(unsigned long i)
{
	uint64_t z = i * 0x9e3779b97f4a7c15ull;
	z ^= z >> 31;
	z *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(z >> 32);
}

static uint32_t acop_of(unsigned long i)
{
	return 1u + h(i) % 63u;
}

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static void fail(const char *what, unsigned long a, unsigned long b)
{
	fprintf(stderr, "store_threads: %s (%lu, %lu)\n", what, a, b);
	exit(1);
}

static void change(unsigned long i)
{
	char acp[256], id[16], ver[256];
	snprintf(id, sizeof(id), "a%lu", i % N_ACPS);
	snprintf(acp, sizeof(acp),
	         "{\"m2m:acp\": {\"pv\": {\"acr\": [{\"acor\": [\"CAE-%u\"], "
	         "\"acop\": %u}]}}}",
	         h(i) % 7u, acop_of(i));
	snprintf(ver, sizeof(ver),
	         "pdp: 1\nacps:\n  - id: ver\n    privileges:\n      - "
	         "{ originators: [all], operations: [retrieve], id: v%lu }\n", i);
	pdp_store_txn *t = pdp_store_begin(store);
	if (t == NULL ||
	    pdp_store_txn_put_acp(t, S(id), acp, strlen(acp)) != PDPC_OK ||
	    pdp_store_txn_put_acp(t, S("ver"), ver, strlen(ver)) != PDPC_OK)
		fail("staging a change", i, 0);
	if (i % 3 == 0) {
		char m[16];
		snprintf(m, sizeof(m), "CAE-%lu", i % 5);
		pdp_str member = S(m);
		if (pdp_store_txn_set_group(t, S("G"), &member, 1) != PDPC_OK)
			fail("staging a group change", i, 0);
	}
	if (pdp_store_commit(t) != PDPC_OK)
		fail("commit", i, 0);
	atomic_store(&committed, i);
}

static void *writer(void *arg)
{
	(void)arg;
	for (unsigned long i = 1; i <= changes; i++)
		change(i);
	atomic_store(&done, 1);
	return NULL;
}

static pdp_decision decide(const pdp_image *img, pdp_scratch *sc,
                           const char *orig, const char *acp, uint32_t op)
{
	pdp_request q;
	pdp_request_init(&q);
	q.originator = S(orig);
	q.operation = op;
	pdp_str a = S(acp);
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	pdp_decide(img, sc, &q, &d);
	return d;
}

/* The image's version: the rule id of its version ACP. */
static unsigned long version_of(const pdp_image *img, pdp_scratch *sc)
{
	pdp_decision d = decide(img, sc, "CAE-0", "ver", PDP_OP_RETRIEVE);
	if (d.effect != PDP_PERMIT)
		return 0; /* before the first change */
	char buf[128];
	pdp_reason_format(img, &d, true, buf, sizeof(buf));
	const char *v = strstr(buf, " v");
	if (v == NULL)
		fail("version ACP without version", 0, 0);
	return strtoul(v + 2, NULL, 10);
}

static void *reader(void *arg)
{
	unsigned long seed = (unsigned long)(uintptr_t)arg, n = 0;
	pdp_store_reader *r = NULL;
	pdp_scratch *sc = NULL;
	if (pdp_store_reader_new(store, &r, NULL) != PDP_OK ||
	    pdp_scratch_new_any(&sc, NULL) != PDP_OK)
		fail("reader setup", seed, 0);
	unsigned long last = 0;
	while (!atomic_load(&done)) {
		unsigned long c = atomic_load(&committed);
		const pdp_image *img = pdp_store_reader_image(r);
		unsigned long v = version_of(img, sc);
		if (v < c)
			fail("an image older than a returned commit", v, c);
		if (v < last)
			fail("a reader went back in time", v, last);
		last = v;
		for (int k = 0; k < 16; k++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			uint32_t x = (uint32_t)(seed >> 33);
			unsigned long m = x % N_ACPS;
			uint32_t j = (x >> 8) % 7u, op = 1u << ((x >> 12) % 6u);
			char orig[16], acp[16];
			snprintf(orig, sizeof(orig), "CAE-%u", j);
			snprintf(acp, sizeof(acp), "a%lu", m);
			pdp_decision d = decide(img, sc, orig, acp, op);
			/* the last change to a<m> at or before version v */
			bool exists = v >= m && (m != 0 || v >= N_ACPS);
			unsigned long i = exists ? v - (v - m) % N_ACPS : 0;
			bool want = exists && h(i) % 7u == j && (acop_of(i) & op);
			if (!exists && d.reason != PDP_REASON_UNKNOWN_ACP)
				fail("an ACP that does not exist yet decided", v, m);
			if ((d.effect == PDP_PERMIT) != want)
				fail("a decision from another version", v, i);
			/* group G: members of the last group change */
			snprintf(orig, sizeof(orig), "CAE-%u", j % 5u);
			d = decide(img, sc, orig, "grp", PDP_OP_RETRIEVE);
			unsigned long g = v - v % 3;
			bool member = g > 0 && g % 5 == j % 5u;
			if ((d.effect == PDP_PERMIT) != member)
				fail("a group decision from another version", v, g);
			n += 2;
		}
	}
	pdp_scratch_free(sc);
	pdp_store_reader_free(r);
	atomic_fetch_add(&decisions, n);
	return NULL;
}

int main(void)
{
	const char *env = getenv("PDP_STORE_CHANGES");
	if (env != NULL && *env)
		changes = strtoul(env, NULL, 10);
	const char *base =
		"pdp: 1\ngroups: { G: [] }\nacps:\n  - id: grp\n    privileges:\n"
		"      - { originators: ['group:G'], operations: [retrieve] }\n";
	store = pdp_store_new();
	if (store == NULL ||
	    pdp_store_add_base_buffer(store, "base.yaml", base, strlen(base)) !=
	            PDPC_OK ||
	    pdp_store_open(store) != PDPC_OK)
		fail("open", 0, 0);
	pthread_t w, rd[N_READERS];
	for (uintptr_t i = 0; i < N_READERS; i++)
		if (pthread_create(&rd[i], NULL, reader, (void *)(i + 1)) != 0)
			fail("thread", i, 0);
	if (pthread_create(&w, NULL, writer, NULL) != 0)
		fail("thread", 0, 0);
	pthread_join(w, NULL);
	for (int i = 0; i < N_READERS; i++)
		pthread_join(rd[i], NULL);
	pdp_store_free(store);
	printf("store_threads: %lu changes, %lu decisions checked by %d readers\n",
	       changes, (unsigned long)atomic_load(&decisions), N_READERS);
	return 0;
}
