/*
 * store_family.h - a family of store changes whose effect is known from
 * the change number alone, for tests that cannot keep a model of their
 * own (threads deciding during changes, processes killed mid-change).
 *
 * Change i (from 1) replaces ACP a<i % 20> (acor CAE-<h(i) % 7>, acop
 * from h(i)), sets the rule id of ACP `ver` to v<i>, and when i % 3 == 0
 * sets the members of group G to CAE-<i % 5>. The base policy
 * (FAMILY_BASE) declares G and ACP `grp` that grants G's members retrieve.
 * An image at version v therefore decides every request in a way
 * family_expect computes from v.
 */
#ifndef PDP_TESTS_STORE_FAMILY_H
#define PDP_TESTS_STORE_FAMILY_H

#include <stdbool.h>

#include "pdp/store.h"

#define FAMILY_ACPS 20u
extern const char FAMILY_BASE[];

/* Stage and commit change i; false (with a message on stderr) on error. */
bool family_change(pdp_store *s, unsigned long i);

/* The version of an image: the rule id of its `ver` ACP (0: none yet). */
unsigned long family_version(const pdp_image *img, pdp_scratch *sc);

/* Does the image decide (originator CAE-<j>, op, ACP a<m>) and the group
 * request (CAE-<j % 5>, retrieve, grp) as version v must? */
bool family_check(const pdp_image *img, pdp_scratch *sc, unsigned long v,
                  unsigned m, unsigned j, unsigned op);

#endif
