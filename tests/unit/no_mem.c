/*
 * no_mem.c - out of memory is an answer, not a crash: each call below is
 * run again and again with its first, second, third, ... allocation made
 * to fail (alloc_hook.c), until it needs no more. Every run must return
 * success or the out-of-memory code of its API (PDPC_ERR_NOMEM,
 * PDP_ERR_NOMEM with a message), never another code or a crash (a call may
 * also succeed without an allocation it can do without). Built only
 * without sanitizers, which bring their own allocator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_hook.h"
#include "pdp/audit.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

static const char POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.level: int }\n"
	"groups: { meters: [CAE-m1, 'CAE-m9*'] }\n"
	"roles: { viewer: {}, operator: { inherits: [viewer] } }\n"
	"assignments: { CAE-op: [operator] }\n"
	"acps:\n"
	"  - id: a\n"
	"    privileges:\n"
	"      - originators: [group:meters, 'role:viewer']\n"
	"        operations: [retrieve]\n"
	"        contexts: [{ window: ['* * 8-17 * * 1-5 *'], ip: [10.0.0.0/8] }]\n"
	"        when: { any: [{ attr: originator.level, ge: 2 },\n"
	"                      { attr: originator.id, matches: '^CAE-m' }] }\n"
	"    self: [{ originators: [CAE-admin], operations: all }]\n";

static int failures;

static void fail(const char *what, unsigned long n, int code)
{
	fprintf(stderr, "no_mem: %s with allocation %lu failing returned %d\n",
	        what, n, code);
	failures++;
}

/* Arm the n-th allocation to fail; returns whether one did. */
static void arm(unsigned long n)
{
	alloc_failed = 0;
	alloc_fail_in = (long)n;
}

static int disarm(void)
{
	alloc_fail_in = -1;
	return alloc_failed;
}

/* Compile POLICY with each allocation failing in turn; returns how many
 * runs ran out of memory. *image gets the image of a run without failure
 * (malloc'd). */
static unsigned long sweep_compile(uint8_t **image, size_t *image_len)
{
	unsigned long nomem = 0;
	for (unsigned long n = 0;; n++) {
		pdpc_compiler *c = pdpc_new();
		if (c == NULL)
			return nomem;
		arm(n);
		pdpc_status st = pdpc_add_buffer(c, "p.yaml", POLICY, strlen(POLICY));
		const uint8_t *img = NULL;
		size_t len = 0;
		if (st == PDPC_OK)
			st = pdpc_compile(c, &img, &len);
		int failed = disarm();
		if (!failed) {
			if (st != PDPC_OK)
				fail("pdpc_compile (no failure)", n, st);
			*image = malloc(len);
			memcpy(*image, img, len);
			*image_len = len;
			pdpc_free(c);
			return nomem;
		}
		if (st == PDPC_ERR_NOMEM)
			nomem++;
		else if (st != PDPC_OK) { /* OK: an allocation it can do without */
			fail("pdpc_compile", n, st);
			for (size_t i = 0; i < pdpc_diag_count(c); i++)
				fprintf(stderr, "  %s [%s]\n", pdpc_diag_get(c, i)->message,
				        pdpc_diag_get(c, i)->code);
		}
		pdpc_free(c);
	}
}

static unsigned long sweep_load(const uint8_t *bytes, size_t len)
{
	unsigned long nomem = 0;
	for (unsigned long n = 0;; n++) {
		pdp_image *img = NULL;
		pdp_error err;
		arm(n);
		pdp_status st = pdp_image_load(bytes, len, &img, &err);
		pdp_scratch *sc = NULL;
		if (st == PDP_OK)
			st = pdp_scratch_new(img, &sc, &err);
		int failed = disarm();
		if (st == PDP_ERR_NOMEM && failed && err.code == PDP_ERR_NOMEM &&
		    err.message[0] != '\0')
			nomem++;
		else if (st != PDP_OK)
			fail("pdp_image_load + pdp_scratch_new", n, st);
		pdp_scratch_free(sc);
		pdp_image_free(img);
		if (!failed)
			return nomem;
	}
}

/* The audit calls that allocate results: the role sets of a subject and
 * what would grant a denied request (a window, a range and a `when` to
 * meet). */
static unsigned long sweep_audit(const uint8_t *bytes, size_t len)
{
	pdp_image *img = NULL;
	pdp_scratch *sc = NULL;
	if (pdp_image_load(bytes, len, &img, NULL) != PDP_OK ||
	    pdp_scratch_new(img, &sc, NULL) != PDP_OK) {
		fail("audit setup", 0, -1);
		return 0;
	}
	pdp_str acp = {"a", 1};
	pdp_request q;
	pdp_request_init(&q);
	q.originator = (pdp_str){"CAE-m1", 6};
	q.operation = PDP_OP_RETRIEVE;
	q.acps = &acp;
	q.n_acps = 1;
	pdp_audit_subject subj;
	pdp_audit_subject_init(&subj);
	subj.subject = (pdp_str){"CAE-op", 6};
	unsigned long nomem = 0;
	for (int call = 0; call < 2; call++)
		for (unsigned long n = 0;; n++) {
			pdp_error err;
			pdp_audit_role_sets *rs = NULL;
			pdp_audit_grant_report *r = NULL;
			arm(n);
			pdp_status st =
				call == 0 ? pdp_audit_subject_role_sets(img, &subj, 0, &rs, &err)
				          : pdp_audit_what_would_grant(img, sc, &q, &r, &err);
			int failed = disarm();
			if (st == PDP_ERR_NOMEM && failed && err.code == PDP_ERR_NOMEM &&
			    (rs == NULL && r == NULL))
				nomem++;
			else if (st != PDP_OK)
				fail(call == 0 ? "pdp_audit_subject_role_sets"
				               : "pdp_audit_what_would_grant",
				     n, st);
			else if (!failed && call == 1 &&
			         r->outcome != PDP_AUDIT_CAN_GRANT)
				fail("pdp_audit_what_would_grant (outcome)", n, (int)r->outcome);
			pdp_audit_role_sets_free(rs);
			pdp_audit_grant_report_free(r);
			if (!failed)
				break;
		}
	pdp_scratch_free(sc);
	pdp_image_free(img);
	return nomem;
}

int main(void)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	unsigned long c = sweep_compile(&bytes, &len);
	unsigned long l = bytes ? sweep_load(bytes, len) : 0;
	unsigned long a = bytes ? sweep_audit(bytes, len) : 0;
	printf("out of memory reported: %lu compiles, %lu loads, %lu audit "
	       "calls\n", c, l, a);
	if (c == 0 || l == 0 || a == 0) {
		fprintf(stderr, "no_mem: no run ran out of memory\n");
		failures++;
	}
	free(bytes);
	return failures == 0 ? 0 : 1;
}
