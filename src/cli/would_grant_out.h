/*
 * would_grant_out.h - `pdp explain`'s "what would grant it" for a denied
 * request (audit_would_grant.c): nothing is printed for a permitted one.
 */
#ifndef PDP_CLI_WOULD_GRANT_OUT_H
#define PDP_CLI_WOULD_GRANT_OUT_H

#include <stdio.h>

#include "cli/json_out.h"
#include "pdp/pdp.h"

/* Lines below the decision: the candidates, their unmet conditions and
 * changes, or why nothing can grant the request. */
void would_grant_text(FILE *out, const pdp_image *img, pdp_scratch *scratch,
                      const pdp_request *req);
/* The `would_grant` member of the request's JSON object. */
void would_grant_json(json_out *j, const pdp_image *img, pdp_scratch *scratch,
                      const pdp_request *req);

#endif
