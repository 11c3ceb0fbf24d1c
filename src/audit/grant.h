/*
 * grant.h - what would grant a denied request (internal): the working copy
 * of the request that the search changes and the `when` solver
 * that finds attribute values (grant_solve.c), and the search over the
 * permit rules that could apply (would_grant.c, pdp_audit_what_would_grant).
 */
#ifndef PDP_AUDIT_GRANT_H
#define PDP_AUDIT_GRANT_H

#include "audit/audit_internal.h"
#include "eval/eval.h"

/* Memory for the values the search makes up (strings, sets, role lists):
 * blocks freed together with the result that points into them. */
typedef struct gr_block gr_block;
typedef struct gr_arena {
	gr_block *head;
} gr_arena;

void *gr_alloc(gr_arena *a, size_t n);
void gr_arena_free(gr_arena *a);

/* How far the search may still change a value: a value a satisfied
 * condition relies on stays; one whose presence it relies on may take
 * another value; the request's identity and target never change. */
enum { GR_FREE = 0, GR_PRESENT, GR_VALUE, GR_ABSENT, GR_FIXED };

/* One attribute as the working request has it. The built-ins env.time,
 * env.ip and env.country stand for the request's fields. */
typedef struct gr_val {
	bool present;
	pdp_value v;
	int lock;
} gr_val;

typedef struct gr_work {
	const pdp_image *img;
	pdp_scratch *scratch;
	pdp_str orig;             /* the originator as rules compare it */
	const pdp_request *base;  /* the request asked about */
	pdp_request req;          /* base with the changes (gr_sync) */
	gr_val *vals;             /* per attribute id */
	uint32_t n_vals;
	pdp_attr *attrs;          /* req.attrs: the present declared attrs */
	bool loc_locked;          /* env.location chosen by a context */
	gr_arena *arena;
	bool nomem;
} gr_work;

/* Set w up for base (vals from its fields and attrs, nothing locked but
 * the built-ins the request fixes); false: no memory. */
bool gr_work_init(gr_work *w, const pdp_image *img, pdp_scratch *scratch,
                  pdp_str orig, const pdp_request *base, gr_arena *arena);
/* Back to base, keeping the storage. */
void gr_work_reset(gr_work *w);
void gr_work_free(gr_work *w);
/* Write vals into req (env fields and attrs) before it is evaluated. */
void gr_sync(gr_work *w);

/* The value of condition node idx in the working request. */
tri gr_eval(gr_work *w, uint32_t idx);

/* Change the working request so that node idx is true (want) or false,
 * keeping what satisfied conditions rely on: false when no value was
 * found (the request may then be partly changed: snapshot before). */
bool gr_make(gr_work *w, uint32_t idx, bool want);

#endif
