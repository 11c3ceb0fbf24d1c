/*
 * store_family.c - changes with known effects (store_family.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_family.h"

const char FAMILY_BASE[] =
	"pdp: 1\ngroups: { G: [] }\nacps:\n  - id: grp\n    privileges:\n"
	"      - { originators: ['group:G'], operations: [retrieve] }\n";

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

bool family_change(pdp_store *s, unsigned long i)
{
	char acp[256], id[16], ver[256];
	snprintf(id, sizeof(id), "a%lu", i % FAMILY_ACPS);
	snprintf(acp, sizeof(acp),
	         "{\"m2m:acp\": {\"pv\": {\"acr\": [{\"acor\": [\"CAE-%u\"], "
	         "\"acop\": %u}]}}}",
	         h(i) % 7u, acop_of(i));
	snprintf(ver, sizeof(ver),
	         "pdp: 1\nacps:\n  - id: ver\n    privileges:\n      - "
	         "{ originators: [all], operations: [retrieve], id: v%lu }\n", i);
	pdp_store_txn *t = pdp_store_begin(s);
	bool ok = t != NULL &&
	          pdp_store_txn_put_acp(t, S(id), acp, strlen(acp)) == PDPC_OK &&
	          pdp_store_txn_put_acp(t, S("ver"), ver, strlen(ver)) == PDPC_OK;
	if (ok && i % 3 == 0) {
		char m[16];
		snprintf(m, sizeof(m), "CAE-%lu", i % 5);
		pdp_str member = S(m);
		ok = pdp_store_txn_set_group(t, S("G"), &member, 1) == PDPC_OK;
	}
	if (t != NULL && !ok)
		pdp_store_abort(t);
	if (ok)
		ok = pdp_store_commit(t) == PDPC_OK;
	if (!ok)
		fprintf(stderr, "change %lu failed\n", i);
	return ok;
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

unsigned long family_version(const pdp_image *img, pdp_scratch *sc)
{
	pdp_decision d = decide(img, sc, "CAE-0", "ver", PDP_OP_RETRIEVE);
	if (d.effect != PDP_PERMIT)
		return 0;
	char buf[128];
	pdp_reason_format(img, &d, true, buf, sizeof(buf));
	const char *v = strstr(buf, " v");
	return v ? strtoul(v + 2, NULL, 10) : 0;
}

bool family_check(const pdp_image *img, pdp_scratch *sc, unsigned long v,
                  unsigned m, unsigned j, unsigned op)
{
	char orig[16], acp[16];
	snprintf(orig, sizeof(orig), "CAE-%u", j);
	snprintf(acp, sizeof(acp), "a%u", m);
	pdp_decision d = decide(img, sc, orig, acp, op);
	/* the last change to a<m> at or before version v */
	bool exists = v >= m && (m != 0 || v >= FAMILY_ACPS);
	unsigned long i = exists ? v - (v - m) % FAMILY_ACPS : 0;
	bool want = exists && h(i) % 7u == j && (acop_of(i) & op);
	if (!exists && d.reason != PDP_REASON_UNKNOWN_ACP)
		return false;
	if ((d.effect == PDP_PERMIT) != want)
		return false;
	/* group G: the members of the last group change */
	snprintf(orig, sizeof(orig), "CAE-%u", j % 5u);
	d = decide(img, sc, orig, "grp", PDP_OP_RETRIEVE);
	unsigned long g = v - v % 3;
	bool member = g > 0 && g % 5 == j % 5u;
	return (d.effect == PDP_PERMIT) == member;
}
