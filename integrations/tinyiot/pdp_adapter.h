/*
 * pdp_adapter.h - the CSE-independent half of embedding pdp's live policy
 * store in a CSE: one store, one (reader, scratch) pair per request thread,
 * requests built from what a CSE knows (originator, operation, ACP ids,
 * resource types, peer address as text, the clock).
 *
 * Conventions
 * -----------
 * - One pdpa per CSE process. Set up (pdpa_new, pdpa_add_base, pdpa_open,
 *   the initial load) on one thread before requests are served; after that
 *   every call may come from any thread.
 * - Changes (pdpa_put_acp, pdpa_remove_acp, pdpa_set_group, ...) are the
 *   store's one-shot transactions: they apply whole or not at all, and a
 *   decision that starts after one returned sees it.
 * - Decisions never take a lock: each thread gets a reader and a scratch
 *   the first time it decides and keeps them until it exits, when they go
 *   back to a pool for the next thread (thread-per-connection servers
 *   create a thread per request; creating a scratch each time would cost
 *   more than the decision).
 * - Messages (pdp_error) are for people: the first diagnostic of a refused
 *   change, "acp:<id>:line:col: message".
 * - Nothing here prints or exits.
 */
#ifndef PDP_ADAPTER_H
#define PDP_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdp.h"
#include "pdp/store.h"

typedef struct pdpa pdpa;

/* What a CSE knows about one request, for one operation bit. */
typedef struct pdpa_query {
	pdp_str originator;     /* as the CSE identified it; absent: bad-request */
	uint32_t operation;     /* one PDP_OP_* bit */
	const pdp_str *acps;    /* the ACP ids that govern the target */
	size_t n_acps;
	int32_t type;           /* target resource type, -1 absent */
	int32_t child_type;     /* create: type being created, -1 absent */
	bool self;              /* the target is the ACP itself (pvs rules) */
	const char *peer_ip;    /* textual IPv4 or IPv6 address, NULL unknown */
	bool authenticated;     /* the originator was authenticated */
} pdpa_query;

/* A new adapter with an empty store, or NULL when out of memory. */
pdpa *pdpa_new(void);

/* Free the adapter, its store and the pooled readers. Threads that still
 * hold a reader must have ended. */
void pdpa_free(pdpa *a);

/* Add a base policy file (before pdpa_open). */
pdpc_status pdpa_add_base(pdpa *a, const char *path, pdp_error *err);

/* Add a base policy from memory (before pdpa_open); name is used in
 * diagnostics. */
pdpc_status pdpa_add_base_text(pdpa *a, const char *name, const char *text,
                               pdp_error *err);

/* Compile the base policy and publish the first image. */
pdpc_status pdpa_open(pdpa *a, pdp_error *err);

/* The store itself, for a bulk load in one transaction at start. */
pdp_store *pdpa_store(pdpa *a);

/* Format diagnostic i of a transaction into err (for logging a refused
 * change of a bulk load). */
void pdpa_txn_error(const pdp_store_txn *t, size_t i, pdp_error *err);

/* One-shot changes (see store.h). id and members are NUL-terminated. */
pdpc_status pdpa_put_acp(pdpa *a, const char *id, const char *json,
                         size_t len, pdp_error *err);
pdpc_status pdpa_remove_acp(pdpa *a, const char *id, pdp_error *err);
pdpc_status pdpa_set_group(pdpa *a, const char *id, const pdp_str *members,
                           size_t n, pdp_error *err);
pdpc_status pdpa_remove_group(pdpa *a, const char *id, pdp_error *err);

/* Whether the current image holds an ACP with this id (a base ACP that
 * resources may name in acpi). */
bool pdpa_has_acp(pdpa *a, const char *id);

/*
 * Decide q now, on the current image, at the current time of the realtime
 * clock. Writes the reason token (and rule id) into reason when it is not
 * NULL. Anything that keeps the adapter from deciding (no reader or scratch
 * for this thread: out of memory) is a deny with reason "pdp-unavailable".
 */
pdp_effect pdpa_decide(pdpa *a, const pdpa_query *q, char *reason,
                       size_t reason_size);

/* Parse a textual address into pdp's form (IPv4 as IPv4-mapped IPv6).
 * false when text is not an address. */
bool pdpa_parse_ip(const char *text, pdp_ip *out);

#endif
