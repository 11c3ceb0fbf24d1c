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
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdp/store.h"
#include "store_family.h"

#define N_READERS 8

static atomic_ulong committed;
static atomic_int done;
static atomic_ulong decisions;
static unsigned long changes = 10000;
static pdp_store *store;

static void fail(const char *what, unsigned long a, unsigned long b)
{
	fprintf(stderr, "store_threads: %s (%lu, %lu)\n", what, a, b);
	exit(1);
}

static void *writer(void *arg)
{
	(void)arg;
	for (unsigned long i = 1; i <= changes; i++) {
		if (!family_change(store, i))
			fail("commit", i, 0);
		atomic_store(&committed, i);
	}
	atomic_store(&done, 1);
	return NULL;
}

static void *reader(void *arg)
{
	unsigned long seed = (unsigned long)(uintptr_t)arg, n = 0;
	pdp_store_reader *r = NULL;
	pdp_scratch *sc = NULL;
	if (pdp_store_reader_new(store, &r, NULL) != PDP_OK ||
	    pdp_scratch_new_any(&sc, NULL) != PDP_OK)
		fail("reader setup", seed, 0);
	unsigned long last = 0, loops = 0;
	while (!atomic_load(&done)) {
		unsigned long c = atomic_load(&committed);
		const pdp_image *img = pdp_store_reader_image(r);
		unsigned long v = family_version(img, sc);
		if (v < c)
			fail("an image older than a returned commit", v, c);
		if (v < last)
			fail("a reader went back in time", v, last);
		last = v;
		for (int k = 0; k < 16; k++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			uint32_t x = (uint32_t)(seed >> 33);
			if (!family_check(img, sc, v, x % FAMILY_ACPS, (x >> 8) % 7u,
			                  1u << ((x >> 12) % 6u)))
				fail("a decision from another version", v, x);
			n += 2;
		}
		/* leave the writer some of the two cores */
		if (++loops % 8 == 0)
			sched_yield();
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
	store = pdp_store_new();
	if (store == NULL ||
	    pdp_store_add_base_buffer(store, "base.yaml", FAMILY_BASE,
	                              strlen(FAMILY_BASE)) !=
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
