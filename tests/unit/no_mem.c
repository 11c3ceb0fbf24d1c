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

int main(void)
{
	uint8_t *bytes = NULL;
	size_t len = 0;
	unsigned long c = sweep_compile(&bytes, &len);
	unsigned long l = bytes ? sweep_load(bytes, len) : 0;
	printf("out of memory reported: %lu compiles, %lu loads\n", c, l);
	if (c == 0 || l == 0) {
		fprintf(stderr, "no_mem: no run ran out of memory\n");
		failures++;
	}
	free(bytes);
	return failures == 0 ? 0 : 1;
}
