/*
 * no_alloc.c - counts heap allocations made inside pdp_decide (and session
 * decisions, and pdp_explain's traced ones) with alloc_hook.c, over
 * requests that exercise roles, groups, globs,
 * windows, CIDRs, regions, conditions and regex matches (JIT or not). Any
 * allocation in a decision is a failure. Built only without sanitizers,
 * which bring their own allocator.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "pdp/trust.h"
#include "common/prims.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

static const char POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.note: string, originator.level: int, resource.labels: set<string> }\n"
	"groups: { meters: [CAE-m1, 'CAE-m9*'] }\n"
	"roles: { viewer: {}, operator: { inherits: [viewer] }, approver: {} }\n"
	"assignments: { CAE-op: [operator], CAE-m1: [viewer] }\n"
	"constraints: { dsd: [{ name: d, roles: [operator, approver], n: 2 }] }\n"
	"acps:\n"
	"  - id: a\n"
	"    privileges:\n"
	"      - originators: [group:meters, 'role:viewer', 'CAE-x*']\n"
	"        operations: [retrieve, update]\n"
	"        contexts:\n"
	"          - window: ['* * 8-17 * * 1-5 *']\n"
	"            ip: [10.0.0.0/8, '2001:db8::/32']\n"
	"          - region: { countries: [DE], circles: [{lat: 52.5, lon: 13.4, radius: 5000}] }\n"
	"        objects: [{ types: [container, contentInstance] }]\n"
	"        when:\n"
	"          all:\n"
	"            - { attr: originator.note, matches: '^(a|b)+c$' }\n"
	"            - { attr: originator.level, ge: 2 }\n"
	"            - { attr: resource.labels, contains: public }\n"
	"      - { originators: [CAE-evil], operations: all, effect: deny }\n"
	"      - originators: [all]\n"
	"        operations: [delete]\n"
	"        effect: deny\n"
	"        when: { attr: originator.note, matches: '^(a+)+$' }\n";

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

/* A decision log hook as an audit trail would start: read the image id
 * and count (tests that the hook path allocates nothing). */
static void count_hook(void *ctx, const pdp_image *img, const pdp_request *req,
                       const pdp_decision *d)
{
	unsigned long *n = ctx;
	(void)req;
	(void)d;
	char hex[PDP_IMAGE_ID_HEX];
	pdp_image_id_hex(img, hex);
	if (hex[0] != '\0')
		(*n)++;
}

/* pdp_explain's callback: the trace entry is on the library's stack. */
static unsigned long traced;
static void count_rule(void *ctx, const pdp_rule_trace *t)
{
	(void)ctx;
	traced += t->result == PDP_TEST_HELD;
}

int main(void)
{
	pdpc_compiler *c = pdpc_new();
	pdpc_add_buffer(c, "p.yaml", POLICY, strlen(POLICY));
	const uint8_t *bytes;
	size_t len;
	if (pdpc_compile(c, &bytes, &len) != PDPC_OK) {
		fprintf(stderr, "policy does not compile\n");
		return 1;
	}
	pdp_image *img = NULL;
	pdp_scratch *sc = NULL;
	if (pdp_image_load(bytes, len, &img, NULL) != PDP_OK ||
	    pdp_scratch_new(img, &sc, NULL) != PDP_OK) {
		fprintf(stderr, "image does not load\n");
		return 1;
	}
	pdpc_free(c);
	static char longnote[20001], midnote[8002];
	memset(longnote, 'a', 20000);
	memset(midnote, 'a', 8000);
	midnote[8000] = 'b'; /* runs '^(a+)+$' out of its step budget */
	const char *notes[] = {"abac", "ababababc", midnote, longnote, "ac"};
	const char *origs[] = {"CAE-m1", "CAE-m977", "CAE-op", "CAE-xy", "CAE-evil", "nobody"};
	uint32_t ops[] = {PDP_OP_RETRIEVE, PDP_OP_UPDATE, PDP_OP_DELETE};
	pdp_str labels[2] = {S("private"), S("public")};
	uint32_t note_id = pdp_attr_id(img, S("originator.note"));
	uint32_t level_id = pdp_attr_id(img, S("originator.level"));
	uint32_t labels_id = pdp_attr_id(img, S("resource.labels"));
	unsigned long decisions = 0, permits = 0;
	pdp_str acps[1] = {S("a")};
	pdp_str roles[2] = {S("operator"), S("approver")};
	alignas(max_align_t) unsigned char session_mem[1024];
	pdp_session *session = NULL;
	if (pdp_session_size(img) > sizeof(session_mem) ||
	    pdp_session_init(session_mem, sizeof(session_mem), img, S("CAE-op"),
	                     &session, NULL) != PDP_OK ||
	    pdp_session_add_role(session, S("viewer"), NULL) != PDP_OK) {
		fprintf(stderr, "session setup failed\n");
		return 1;
	}
	unsigned long hooked = 0, hookable = 0;
	for (int round = 0; round < 3; round++) {
		if (round == 1) /* the decision log on: still no allocation */
			pdp_scratch_set_log(sc, count_hook, &hooked);
		for (size_t o = 0; o < 6; o++)
			for (size_t n = 0; n < 5; n++)
				for (size_t p = 0; p < 3; p++)
					for (int env = 0; env < 4; env++) {
						pdp_attr attrs[3] = {
							{note_id, {.type = PDP_TYPE_STRING}},
							{level_id, {.type = PDP_TYPE_INT}},
							{labels_id, {.type = PDP_TYPE_SET}}};
						attrs[0].value.u.s = S(notes[n]);
						attrs[1].value.u.i = env + 1;
						attrs[2].value.u.set.items = labels;
						attrs[2].value.u.set.count = 2;
						pdp_request q;
						pdp_request_init(&q);
						q.originator = S(origs[o]);
						q.operation = ops[p];
						q.acps = acps;
						q.n_acps = 1;
						q.type = 4;
						q.has_time = env != 3;
						q.time.sec = 1764579600 + env * 3600;
						q.has_ip = env != 2;
						prim_err e;
						ip_parse(env == 1 ? "2001:db8::1" : "10.1.2.3",
						         env == 1 ? 11 : 8, &q.ip, NULL, &e);
						q.country = env == 2 ? S("276") : S("FR");
						q.has_location = env == 0;
						q.lat = 52.51;
						q.lon = 13.41;
						q.attrs = attrs;
						q.n_attrs = 3;
						if (o == 2 && env == 0) {
							q.roles = roles;
							q.n_roles = p == 0 ? 1 : 2;
							q.roles_given = true;
						}
						pdp_decision d;
						alloc_counting = 1;
						pdp_decide(img, sc, &q, &d);
						pdp_session_decide(session, sc, &q, &d);
						pdp_explain(img, sc, &q, &d, count_rule, NULL);
						char buf[256];
						pdp_reason_format(img, &d, true, buf, sizeof(buf));
						alloc_counting = 0;
						decisions += 3;
						hookable += round >= 1 ? 2 : 0;
						permits += d.effect == PDP_PERMIT;
					}
	}
	pdp_scratch_free(sc);
	pdp_image_free(img);
	printf("%lu decisions (%lu heard by the decision log hook), %lu permits, "
	       "%lu rules traced as held, %lu heap allocations inside them\n",
	       decisions, hooked, permits, traced, alloc_count);
	/* the hook hears pdp_decide and pdp_session_decide, not explain */
	if (hooked != hookable) {
		fprintf(stderr, "the hook heard %lu decisions, not %lu\n", hooked,
		        hookable);
		return 1;
	}
	if (permits == 0) {
		fprintf(stderr, "no permit at all: the workload is not exercising rules\n");
		return 1;
	}
	return alloc_count == 0 ? 0 : 1;
}
