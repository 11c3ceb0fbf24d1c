/*
 * ref_eval.h - a reference evaluator for differential testing: a direct,
 * plain interpretation of docs/language.md sections 3-11 over the compiler's
 * resolved model (the pdpc_compiler after a successful pdpc_compile).
 *
 * It shares no matching code with src/eval or src/common: globs, CIDR
 * containment, IP and RFC 3339 literal parsing, schedules (re-parsed from
 * each window's source text), civil time, great-circle distance, country
 * codes, resource type names, role closures and three-valued logic are all
 * written again here, for clarity rather than speed. Regular expressions use
 * PCRE2 directly.
 */
#ifndef PDP_TESTS_REF_EVAL_H
#define PDP_TESTS_REF_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/cc.h"
#include "pdp/pdp.h"

/*
 * Decide req against the model held by c. img is used only to name the
 * request's attribute ids (pdp_attr_name); everything else comes from the
 * model. Writes "permit <token>" or "deny <token>" into out, where token is
 * the text pdp_reason_format gives with the rule id ("rule:acp:privileges:0
 * my-id", "no-rule-matched", ...). Returns true for permit.
 *
 * A literal in the model that the reference cannot read itself (window,
 * time, IP) yields the token "ref-error:<what>", which never equals the
 * compiled evaluator's answer, so it shows up as a disagreement.
 */
bool ref_decide(const pdpc_compiler *c, const pdp_image *img,
                const pdp_request *req, char *out, size_t size);

/* What pdp_session_add_role should answer when user's session, whose
 * directly activated roles are active[0..n-1], activates role: PDP_OK,
 * PDP_ERR_NOT_FOUND (no such role), PDP_ERR_NOT_AUTHORIZED or PDP_ERR_DSD
 * (the active closure would hold n roles of a DSD set). */
pdp_status ref_session_add(const pdpc_compiler *c, pdp_str user,
                           const pdp_str *active, size_t n, pdp_str role);

/* ISO 3166-1 numeric code for the request country strings the generator
 * uses (alpha-2 or 3-digit numeric); -1 when not in the reference table. */
int ref_country_code(const char *s, size_t len);
/* Alpha-2 for a numeric code of the reference table, or NULL. */
const char *ref_country_alpha2(int code);
/* oneM2M resource type name for the numbers the generator uses, or NULL. */
const char *ref_rtype_name(int32_t ty);

#endif
