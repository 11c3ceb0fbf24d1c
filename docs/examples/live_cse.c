/*
 * live_cse.c - live ACPs in a CSE: a policy store (pdp/store.h) over the
 * deployment's base policy, worker threads that decide every request on
 * the store's current image, and the CSE's resource handlers feeding it
 * the accessControlPolicy and <group> resources as AEs create, update and
 * delete them. Build:
 *   cc live_cse.c $(pkg-config --cflags --libs pdpc) -lpthread -o live_cse
 * Run: ./live_cse BASE_POLICY... (prints what it checks; exit 0 when all
 * held)
 */
#include <pdp/store.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pdp_str str(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static int failures;

static void expect(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failures += !ok;
}

/* ---- the CSE's resource handlers ---- */

/* An AE created or updated an ACP resource: the CSE hands the store the
 * representation it keeps (JSON, as a CSE stores m2m:acp). A refusal is
 * the CSE's 4000 BAD_REQUEST with pdp's message; nothing is stored. */
static int on_acp_write(pdp_store *s, const char *ri, const char *json)
{
	pdp_error err;
	if (pdp_store_put_acp(s, str(ri), json, strlen(json), &err) != PDPC_OK) {
		printf("4000 BAD_REQUEST: %s\n", err.message);
		return 4000;
	}
	return 2001;
}

static int on_acp_delete(pdp_store *s, const char *ri)
{
	pdp_error err;
	return pdp_store_remove_acp(s, str(ri), &err) == PDPC_OK ? 2002 : 4004;
}

/* A <group> resource was created or its member list (mid) changed. */
static int on_group_write(pdp_store *s, const char *ri, const char **mid,
                          size_t n)
{
	pdp_str m[16];
	for (size_t i = 0; i < n && i < 16; i++)
		m[i] = str(mid[i]);
	pdp_error err;
	return pdp_store_set_group(s, str(ri), m, n, &err) == PDPC_OK ? 2004
	                                                              : 4000;
}

/* ---- the request path: one reader and one scratch per worker ---- */

typedef struct worker {
	pdp_store *store;
	atomic_int *stop;
	atomic_long decisions;
	long permits;
} worker;

/* A CSE worker deciding requests for the resource whose acpi is
 * acp-meter-data: the image comes from the worker's reader just before
 * each decision (lock-free), so a change published a moment ago holds. */
static void *work(void *arg)
{
	worker *w = arg;
	pdp_store_reader *reader = NULL;
	pdp_scratch *scratch = NULL;
	if (pdp_store_reader_new(w->store, &reader, NULL) != PDP_OK ||
	    pdp_scratch_new_any(&scratch, NULL) != PDP_OK)
		return NULL;
	pdp_str acpi[1] = {str("acp-live")};
	while (!atomic_load(w->stop)) {
		pdp_request q;
		pdp_request_init(&q);
		q.originator = str("CAE-meter-0001");
		q.operation = PDP_OP_RETRIEVE;
		q.acps = acpi;
		q.n_acps = 1;
		pdp_decision d;
		pdp_decide(pdp_store_reader_image(reader), scratch, &q, &d);
		atomic_fetch_add(&w->decisions, 1);
		w->permits += d.effect == PDP_PERMIT;
	}
	pdp_scratch_free(scratch);
	pdp_store_reader_free(reader);
	return NULL;
}

/* One decision on the current image, as a request handler makes it. */
static pdp_effect decide(pdp_store *s, const char *originator, uint32_t op,
                         const char *acp, char *why, size_t size)
{
	pdp_image *img = pdp_store_image(s);
	pdp_request q;
	pdp_request_init(&q);
	q.originator = str(originator);
	q.operation = op;
	pdp_str a = str(acp);
	q.acps = &a;
	q.n_acps = 1;
	pdp_decision d;
	pdp_decide(img, NULL, &q, &d);
	pdp_reason_format(img, &d, true, why, size);
	pdp_image_release(img);
	return d.effect;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: live_cse BASE_POLICY...\n");
		return 2;
	}
	pdp_store *s = pdp_store_new();
	for (int i = 1; i < argc; i++)
		pdp_store_add_base_file(s, argv[i]);
	if (pdp_store_open(s) != PDPC_OK) {
		for (size_t i = 0; i < pdp_store_diag_count(s); i++)
			fprintf(stderr, "%s\n", pdp_store_diag_get(s, i)->message);
		return 1;
	}
	char why[256];
	/* an AE creates an ACP that lets its meters read */
	int rsc = on_acp_write(s, "acp-live",
	                       "{\"m2m:acp\": {\"rn\": \"liveACP\", \"pv\": {\"acr\": "
	                       "[{\"acor\": [\"group:meters\"], \"acop\": 34}]},"
	                       " \"pvs\": {\"acr\": [{\"acor\": [\"CAE-admin\"], "
	                       "\"acop\": 63}]}}}");
	expect(rsc == 2001, "ACP created");
	atomic_int stop = 0;
	worker w[2] = {{s, &stop, 0, 0}, {s, &stop, 0, 0}};
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, work, &w[i]);
	/* let both workers be deciding before the changes start */
	while (atomic_load(&w[0].decisions) == 0 ||
	       atomic_load(&w[1].decisions) == 0)
		sched_yield();
	expect(decide(s, "CAE-meter-0001", PDP_OP_RETRIEVE, "acp-live", why,
	              sizeof(why)) == PDP_PERMIT,
	       "a meter may read");
	/* a malformed update is refused and changes nothing */
	rsc = on_acp_write(s, "acp-live", "{\"m2m:acp\": {\"pv\": {\"acr\": "
	                                  "[{\"acor\": [\"all\"], \"acop\": 64}]}}}");
	expect(rsc == 4000, "an ACP with acop 64 is refused");
	expect(decide(s, "CAE-meter-0001", PDP_OP_RETRIEVE, "acp-live", why,
	              sizeof(why)) == PDP_PERMIT,
	       "the refused update changed nothing");
	/* the owner revokes: the very next request is denied */
	rsc = on_acp_write(s, "acp-live", "{\"m2m:acp\": {\"pv\": {\"acr\": "
	                                  "[{\"acor\": [\"CAE-admin\"], \"acop\": 63}]}}}");
	expect(rsc == 2001 && decide(s, "CAE-meter-0001", PDP_OP_RETRIEVE,
	                             "acp-live", why, sizeof(why)) == PDP_DENY,
	       "revoked: the next request is denied");
	/* a <group> resource named in acor brings its members */
	const char *mid[] = {"CAE-meter-0001", "CAE-meter-0002"};
	rsc = on_group_write(s, "grp-meters-east", mid, 2);
	rsc = rsc == 2004 ? on_acp_write(s, "acp-live",
	                                 "{\"m2m:acp\": {\"pv\": {\"acr\": [{\"acor\": "
	                                 "[\"grp-meters-east\"], \"acop\": 2}]}}}")
	                  : rsc;
	expect(rsc == 2001 && decide(s, "CAE-meter-0002", PDP_OP_RETRIEVE,
	                             "acp-live", why, sizeof(why)) == PDP_PERMIT,
	       "a member of a <group> named in acor may read");
	/* the ACP resource is deleted: resources naming it are denied */
	expect(on_acp_delete(s, "acp-live") == 2002, "ACP deleted");
	expect(decide(s, "CAE-meter-0002", PDP_OP_RETRIEVE, "acp-live", why,
	              sizeof(why)) == PDP_DENY && strcmp(why, "unknown-acp") == 0,
	       "a resource naming a deleted ACP is denied (unknown-acp)");
	atomic_store(&stop, 1);
	long decisions = 0;
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		decisions += atomic_load(&w[i].decisions);
	}
	printf("%ld decisions by 2 workers during the changes\n", decisions);
	expect(decisions > 0, "workers decided while the store changed");
	pdp_store_free(s);
	return failures ? 1 : 0;
}
