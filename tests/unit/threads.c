/*
 * threads.c - several threads decide on one shared image while another
 * thread keeps swapping in freshly loaded images (retain under a short lock,
 * release after use), checking every answer. Built in every configuration
 * and run by CI under ThreadSanitizer: no data race, no decision on a freed
 * or half-loaded image.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/prims.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

enum { WORKERS = 4, DECISIONS = 3000, SWAPS = 40 };

static const char POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.note: string }\n"
	"groups: { g: [CAE-a, 'CAE-b*'] }\n"
	"roles: { r: {}, s: { inherits: [r] } }\n"
	"assignments: { CAE-a: [s] }\n"
	"acps:\n"
	"  - id: acp\n"
	"    privileges:\n"
	"      - originators: [group:g, 'role:r']\n"
	"        operations: [retrieve]\n"
	"        contexts: [{ window: ['* * 8-17 * * * *'], ip: [10.0.0.0/8] }]\n"
	"        when: { attr: originator.note, matches: '^ok' }\n"
	"      - { originators: [CAE-evil], operations: all, effect: deny }\n";

typedef struct shared {
	pthread_mutex_t lock; /* guards `current` while a reference is taken */
	pdp_image *current;
	uint8_t *bytes;
	size_t len;
	atomic_int errors;
	atomic_int done;
} shared;

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static void *worker(void *arg)
{
	shared *sh = arg;
	pdp_scratch *sc = NULL;
	pdp_image *sc_img = NULL; /* the image sc was made for (sc holds a ref) */
	for (int i = 0; i < DECISIONS; i++) {
		pthread_mutex_lock(&sh->lock);
		pdp_image *img = pdp_image_retain(sh->current);
		pthread_mutex_unlock(&sh->lock);
		/* a scratch belongs to one image: make a new one after a swap */
		if (img != sc_img) {
			pdp_scratch_free(sc);
			sc = NULL;
			sc_img = NULL;
			if (pdp_scratch_new(img, &sc, NULL) != PDP_OK) {
				atomic_fetch_add(&sh->errors, 1);
				pdp_image_release(img);
				continue;
			}
			sc_img = img;
		}
		uint32_t note = pdp_attr_id(img, S("originator.note"));
		pdp_attr attrs[1] = {{note, {.type = PDP_TYPE_STRING}}};
		attrs[0].value.u.s = S(i % 3 ? "ok go" : "no");
		pdp_str acps[1] = {S("acp")};
		const char *who = i % 2 ? "CAE-a" : "CAE-evil";
		pdp_request q;
		pdp_request_init(&q);
		q.originator = S(who);
		q.operation = PDP_OP_RETRIEVE;
		q.acps = acps;
		q.n_acps = 1;
		q.has_time = true;
		q.time.sec = 1764320400; /* 2025-11-28T09:00:00Z */
		q.has_ip = true;
		prim_err e;
		ip_parse("10.1.2.3", 8, &q.ip, NULL, &e);
		q.attrs = attrs;
		q.n_attrs = 1;
		pdp_decision d;
		pdp_decide(img, sc, &q, &d);
		bool want = i % 2 == 1 && i % 3 != 0;
		if ((d.effect == PDP_PERMIT) != want)
			atomic_fetch_add(&sh->errors, 1);
		pdp_image_release(img);
	}
	pdp_scratch_free(sc);
	atomic_fetch_add(&sh->done, 1);
	return NULL;
}

int main(void)
{
	pdpc_compiler *c = pdpc_new();
	const uint8_t *img;
	shared sh;
	memset(&sh, 0, sizeof(sh));
	pdpc_add_buffer(c, "p.yaml", POLICY, strlen(POLICY));
	if (pdpc_compile(c, &img, &sh.len) != PDPC_OK) {
		fprintf(stderr, "policy does not compile\n");
		return 1;
	}
	sh.bytes = malloc(sh.len);
	memcpy(sh.bytes, img, sh.len);
	pdpc_free(c);
	pthread_mutex_init(&sh.lock, NULL);
	if (pdp_image_load(sh.bytes, sh.len, &sh.current, NULL) != PDP_OK)
		return 1;
	pthread_t t[WORKERS];
	for (int i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, worker, &sh);
	int swaps = 0;
	while (atomic_load(&sh.done) < WORKERS || swaps < SWAPS) {
		pdp_image *next = NULL;
		if (pdp_image_load(sh.bytes, sh.len, &next, NULL) != PDP_OK) {
			atomic_fetch_add(&sh.errors, 1);
			break;
		}
		pthread_mutex_lock(&sh.lock);
		pdp_image *old = sh.current;
		sh.current = next;
		pthread_mutex_unlock(&sh.lock);
		pdp_image_release(old);
		swaps++;
		if (swaps > 20000)
			break;
		struct timespec pause = {0, 100000}; /* let the workers run */
		nanosleep(&pause, NULL);
	}
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	pdp_image_release(sh.current);
	pthread_mutex_destroy(&sh.lock);
	free(sh.bytes);
	int errors = atomic_load(&sh.errors);
	printf("%d threads x %d decisions, %d image swaps, %d wrong answers\n",
	       WORKERS, DECISIONS, swaps, errors);
	return errors == 0 ? 0 : 1;
}
