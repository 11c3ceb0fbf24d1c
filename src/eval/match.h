/*
 * match.h - who a request is, as rules see it (internal): originator
 * matching and role activation, shared by the decision (decide.c), sessions
 * (session.c) and the audit queries (src/audit/perms.c), so that what audit
 * reports is what pdp_decide does.
 */
#ifndef PDP_EVAL_MATCH_H
#define PDP_EVAL_MATCH_H

#include "image/image.h"

static inline bool role_bit(const uint64_t *b, uint32_t i)
{
	return (b[i / 64] >> (i % 64)) & 1u;
}

/* The closure bitset of role r: r and all its juniors. */
static inline const uint64_t *role_closure_of(const pdp_image *img, uint32_t r)
{
	return img->role_closure + (size_t)r * img->role_words;
}

/* The requester as originator entries see it. img holds the declarations
 * (principals, roles, groups: a loaded image or a store view). */
typedef struct eval_who {
	const pdp_image *img;
	pdp_str orig;             /* in absolute form when the image declares
	                             its hosting CSE; ptr NULL: a role query
	                             (audit), which only `role:` entries match */
	uint32_t principal;       /* PRINCIPALS index or NONE */
	uint32_t principal_name;  /* its interned name string, or NONE */
	const uint64_t *active;   /* active closure bitset, or NULL when lazy */
	/* Lazy activation (no session, no requested roles, no DSD set): the
	 * active roles are the assigned ones, and `role:R` asks whether R is in
	 * the closure of one of them, one word per assigned role. */
	const uint32_t *assigned; /* PRINROLES entries, or NULL */
	uint32_t n_assigned;
	bool orig_hashed;         /* orig_hash computed (views' group sets) */
	uint64_t orig_hash;
} eval_who;

/* The first originator entry of rule (a record of seg: the image itself or
 * a store view's segment) that matches w, as an offset from the rule's
 * first entry; PDP_NONE when none does. */
uint32_t eval_orig_match(eval_who *w, const pdp_image *seg,
                         const img_rule_rec *rule);

/* OR into set the closure of every role assigned to principal (PDP_NONE:
 * none): the roles it is authorized for. set has img->role_words words. */
void eval_authorized(const pdp_image *img, uint32_t principal, uint64_t *set);

/* OR role r's closure into set. */
void eval_add_closure(const pdp_image *img, uint32_t r, uint64_t *set);

/* OR into set the closure of every role in roots. */
void eval_add_closures(const pdp_image *img, const uint64_t *roots,
                       uint64_t *set);

/* The first DSD constraint that the active closure violates, or PDP_NONE. */
uint32_t eval_dsd_violated(const pdp_image *img, const uint64_t *active);

#endif
