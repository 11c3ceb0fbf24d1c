/*
 * residual.h - partial evaluation for audit (internal): a rule's conditions
 * with what a query fixes (the originator, the operation, the resource
 * type when given, the subject's attributes when known) evaluated, and the
 * rest simplified with the evaluator's three-valued logic. What remains is
 * the residual condition: it holds in a request exactly when the rule's
 * condition does, for every request the query's facts describe.
 */
#ifndef PDP_AUDIT_RESIDUAL_H
#define PDP_AUDIT_RESIDUAL_H

#include "audit/audit_internal.h"

/* What a query fixes. */
typedef struct aud_facts {
	const pdp_image *img;
	pdp_str orig;          /* the subject in the form rules compare; ptr
	                          NULL: any originator (role and ACP queries) */
	int32_t type;          /* the resource type, or -1: any */
	const pdp_attr *attrs; /* the subject's attribute values */
	size_t n_attrs;
	bool attrs_fixed;      /* attrs are ALL the subject's originator.*
	                          attributes: the others are absent */
	pdp_scratch *scratch;  /* for `matches` leaves, made on first use */
	bool no_scratch;       /* making it failed: such leaves stay open */
} aud_facts;

void aud_facts_done(aud_facts *f);

/* The PDP_AUDIT_COND_* bits of rule for op (one PDP_OP_* bit) once the
 * facts are applied: pdp_audit_rule_conditions, with `when` (and, when the
 * type is fixed, `objects`) reduced: a part that holds for these facts is
 * no condition; one that cannot hold (for a permit rule: false or
 * indeterminate; for a deny rule: false) sets PDP_AUDIT_COND_NEVER. */
uint32_t aud_residual(aud_facts *f, uint32_t rule, uint32_t op);

/* The residual text of one part (a PDP_AUDIT_COND_* bit) of rule for op,
 * in the policy's flow syntax, snprintf-style; 0 when the part is no
 * residual condition. */
size_t aud_residual_text(aud_facts *f, uint32_t rule, uint32_t op,
                         uint32_t part, char *buf, size_t size);

/* The residual texts a result keeps, per rule and operation, so that they
 * can be printed after the query's facts (attribute values the caller
 * owns) are gone. */
typedef struct aud_res_row aud_res_row;
typedef struct aud_restab {
	aud_res_row *rows;
	size_t n, cap;
} aud_restab;

/* Compute and keep the texts of rule for op; false: no memory. Each rule
 * and operation is added once; seal the table before reading it. */
bool aud_restab_add(aud_restab *t, aud_facts *f, uint32_t rule, uint32_t op);
void aud_restab_seal(aud_restab *t);
/* A kept text, snprintf-style (0 and "" when not kept or no such part). */
size_t aud_restab_get(const aud_restab *t, uint32_t rule, uint32_t op,
                      uint32_t part, char *buf, size_t size);
void aud_restab_free(aud_restab *t);

#endif
