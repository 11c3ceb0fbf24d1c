/*
 * diff.h - what a policy change grants or takes away: the difference of two
 * loaded images as changes of (subject, ACP, section, operation) grants and
 * of declarations (roles, assignments, groups, constraints, attributes).
 * `pdp diff` prints it; tests/test_policy_diff.c checks it against
 * decisions. Built on the audit queries (pdp/audit.h): no second evaluator.
 *
 * Subjects: every exact originator id either image names (rule entries,
 * assignments, group members), every role, and every group, glob and `all`
 * entry of a rule (a group, glob or `all` subject stands for the rules that
 * name that entry). An id is reported for an ACP only when that ACP names
 * it on one side (exactly, through a group or glob it matches, or through
 * a role it holds); an id the ACP reaches only through `all` is covered by
 * the `all` subject's line.
 */
#ifndef PDP_AUDIT_DIFF_H
#define PDP_AUDIT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/audit.h"

typedef enum pdiff_kind {
	PDIFF_GAINED,            /* never granted before, granted now */
	PDIFF_LOST,              /* granted before, never now */
	PDIFF_NOW_CONDITIONAL,   /* unconditional before, conditional now */
	PDIFF_NOW_UNCONDITIONAL, /* conditional before, unconditional now */
	PDIFF_CONDITION_CHANGED  /* conditional on both sides, other terms */
} pdiff_kind;

/* One grant change. Strings are owned by the result. old_text / new_text
 * say how it is granted: "denied", "unconditional", or the conditions. */
typedef struct pdiff_change {
	pdiff_kind kind;
	pdp_audit_via via;       /* EXACT: an id; ROLE; GROUP; GLOB; ALL */
	char *subject;
	char *acp;
	bool self;
	uint32_t operation;      /* one PDP_OP_* bit */
	char *old_text, *new_text;
} pdiff_change;

/* One declaration change: what ("role", "assignment", "group",
 * "constraint", "attribute"), its name, and its text on each side (NULL:
 * absent there). */
typedef struct pdiff_decl {
	const char *what;
	char *name;
	char *old_text, *new_text;
} pdiff_decl;

typedef struct pdiff_result {
	pdiff_change *changes;   /* sorted by ACP, subject, section, operation */
	size_t n_changes;
	pdiff_decl *decls;       /* sorted by what and name */
	size_t n_decls;
	size_t acps_changed;     /* ACP ids whose rules differ */
} pdiff_result;

/* Compare old and new. Returns false when out of memory (out is then
 * empty). Free with pdiff_free. */
bool pdiff_compute(const pdp_image *old, const pdp_image *new_img,
                   pdiff_result *out);
void pdiff_free(pdiff_result *r);

/* What the rules (rule indices of one ACP) grant a rule entry (`all`,
 * "group:G", "glob:P", "id:X": the rules naming exactly that entry) for
 * one section and operation: 0 denied (nothing,
 * or a deny rule naming the entry or `all` without conditions), 1
 * conditional (*terms: malloc'd "if C; unless D" text), 2 unconditional. */
int pdiff_entry_level(const pdp_image *img, const uint32_t *rules,
                      uint32_t n_rules, const char *entry, bool self,
                      uint32_t op, char **terms);

/* The image's principals (every exact id with assigned roles or exact
 * group memberships), by index 0 .. count - 1. */
uint32_t pdiff_principal_count(const pdp_image *img);
pdp_str pdiff_principal_name(const pdp_image *img, uint32_t i);

const char *pdiff_kind_name(pdiff_kind k);
/* Does k widen what is granted? Gains, grants that became unconditional,
 * and changed conditions (the new ones may be weaker: not solved). */
bool pdiff_widens(pdiff_kind k);

#endif
