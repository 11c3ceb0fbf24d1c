/*
 * store.h - the live policy store (in libpdpc): a CSE's accessControlPolicy
 * resources and <group> member lists change at runtime; the store applies
 * each change incrementally and publishes a new immutable image while other
 * threads keep deciding on the images they hold.
 *
 * Conventions
 * -----------
 * - A store holds a base policy (the `pdp: 1` files: roles, assignments,
 *   constraints, attributes, groups, ACPs) plus ACP resources put, replaced
 *   and removed one at a time by id, and group member lists set by group
 *   id. What it decides is exactly what a from-scratch compile of the same
 *   set would decide (docs/store.md says what "the same set" is).
 * - Changes: every change is validated on its own (only what changed is
 *   compiled) and either applies whole or not at all. A transaction
 *   (pdp_store_begin ... pdp_store_commit) applies several changes as one:
 *   readers see all of them or none. Transactions are serialized: begin
 *   waits for the transaction in progress on another thread, if any.
 * - Diagnostics of a change name the resource (the "file" of a pdpc_diag
 *   is "acp:<id>" or "group:<id>") and the line:col in its JSON. They belong
 *   to the transaction and stay valid until it is committed or aborted.
 * - Publishing: a committed change is visible to every image obtained after
 *   pdp_store_commit (or the one-shot calls) returned: revocation takes
 *   effect for the very next decision.
 * - Readers never wait: pdp_store_reader_image is lock-free (one atomic load
 *   when nothing changed). Images obtained from a store are ordinary
 *   pdp_image objects for pdp_decide, pdp_reason_format, pdp_acp_index and
 *   sessions; audit queries need a compiled image of the same set.
 *   Their ACP indices may have gaps (a removed ACP's index is not reused
 *   within an image; pdp_acp_name returns an absent string for a gap).
 * - Persistence: with pdp_store_set_dir, every commit is written to a log
 *   in that directory and fsynced before pdp_store_commit returns, and a
 *   snapshot replaces the log from time to time (written to a temporary
 *   file, fsynced, renamed). After a crash (kill -9 included) the store
 *   opens with every acknowledged change and no half-applied one.
 * - The library never prints and never exits. Functions returning
 *   pdpc_status say PDPC_ERR_POLICY when the change was refused (see the
 *   diagnostics), PDPC_ERR_IO for persistence failures (nothing applied),
 *   PDPC_ERR_ARG and PDPC_ERR_NOMEM as elsewhere.
 */
#ifndef PDP_STORE_H
#define PDP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdp.h"
#include "pdp/pdpc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pdp_store pdp_store;
typedef struct pdp_store_txn pdp_store_txn;
typedef struct pdp_store_reader pdp_store_reader;

/* ---- setting up ----------------------------------------------------- */

/* A new store with no base policy, or NULL when out of memory. */
PDP_API pdp_store *pdp_store_new(void);

/* Free the store. Images, readers and scratches obtained from it stay
 * usable until released; a transaction in progress is aborted. */
PDP_API void pdp_store_free(pdp_store *s);

/* Add a base policy file or buffer (read now). Before pdp_store_open. */
PDP_API pdpc_status pdp_store_add_base_file(pdp_store *s, const char *path);
PDP_API pdpc_status pdp_store_add_base_buffer(pdp_store *s, const char *name,
                                              const char *data, size_t len);

/* Persist in directory dir (created if missing). Before pdp_store_open. */
PDP_API pdpc_status pdp_store_set_dir(pdp_store *s, const char *dir);

/*
 * Compile the base policy and, with a directory, recover what was
 * committed there: when base files were added they are the base (the
 * persisted ACPs and groups are compiled against them), else the persisted
 * base is used, else an empty policy (no roles, groups or ACPs). Then
 * publish the first image. On PDPC_ERR_POLICY the
 * diagnostics (pdp_store_diag_*) say why and the store stays closed.
 */
PDP_API pdpc_status pdp_store_open(pdp_store *s);

/* Diagnostics of pdp_store_open and of the one-shot change calls below
 * (valid until the next such call on the store). */
PDP_API size_t pdp_store_diag_count(const pdp_store *s);
PDP_API const pdpc_diag *pdp_store_diag_get(const pdp_store *s, size_t i);

/* ---- transactions ---------------------------------------------------- */

/* Begin a transaction (waits for one in progress on another thread).
 * NULL when the store is not open, out of memory, or this thread's own
 * transaction is still open (the one-shot changes and pdp_store_checkpoint
 * refuse then too: they would wait for it forever). */
PDP_API pdp_store_txn *pdp_store_begin(pdp_store *s);

/*
 * Put an ACP resource: create it, or replace the ACP with the same id.
 * text is one ACP: an `m2m:acp` (or `m2m:acpA`) object as a CSE stores it,
 * JSON or YAML, or a `pdp: 1` document whose `acps:` holds exactly one ACP
 * and nothing else. id names the ACP (ri); when id.ptr is NULL the id is
 * the text's ri, else its rn. The text is compiled now, against the
 * store's roles, groups and attributes; on PDPC_ERR_POLICY nothing of it
 * is staged and the transaction's diagnostics say why. A transaction that
 * holds a refused change commits nothing (pdp_store_commit returns
 * PDPC_ERR_POLICY): abort it, or leave the refused change out of a new one.
 */
PDP_API pdpc_status pdp_store_txn_put_acp(pdp_store_txn *t, pdp_str id,
                                          const char *text, size_t len);

/* Remove the ACP with this id (PDPC_ERR_POLICY when there is none).
 * Resources that still name it are then denied (unknown-acp). */
PDP_API pdpc_status pdp_store_txn_remove_acp(pdp_store_txn *t, pdp_str id);

/*
 * Set the member list of group id (oneM2M <group> mid): exact originator
 * ids and globs, as in a `groups:` entry. A group the base does not
 * declare is created. An ACP entry (native acor) that names the group
 * means its members from now on, as a from-scratch compile would read it.
 */
PDP_API pdpc_status pdp_store_txn_set_group(pdp_store_txn *t, pdp_str id,
                                            const pdp_str *members,
                                            size_t n);

/* Remove a group created through the store (a base group can only be
 * emptied; a group that a `group:` reference names cannot be removed). */
PDP_API pdpc_status pdp_store_txn_remove_group(pdp_store_txn *t, pdp_str id);

/* Diagnostics of the transaction's staged changes so far. */
PDP_API size_t pdp_store_txn_diag_count(const pdp_store_txn *t);
PDP_API const pdpc_diag *pdp_store_txn_diag_get(const pdp_store_txn *t,
                                                size_t i);

/*
 * Apply every staged change at once and publish the new image (persisting
 * it first when the store has a directory). Frees t. On an error nothing
 * is applied; the store's diagnostics say why.
 */
PDP_API pdpc_status pdp_store_commit(pdp_store_txn *t);

/* Drop every staged change. Frees t. */
PDP_API void pdp_store_abort(pdp_store_txn *t);

/* ---- one-shot changes: a transaction of one change ------------------- */

/* Each returns as its transaction would; on failure err (may be NULL)
 * holds the first error as "acp:<id>:line:col: message" and the store's
 * diagnostics hold them all. */
PDP_API pdpc_status pdp_store_put_acp(pdp_store *s, pdp_str id,
                                      const char *text, size_t len,
                                      pdp_error *err);
PDP_API pdpc_status pdp_store_remove_acp(pdp_store *s, pdp_str id,
                                         pdp_error *err);
PDP_API pdpc_status pdp_store_set_group(pdp_store *s, pdp_str id,
                                        const pdp_str *members, size_t n,
                                        pdp_error *err);
PDP_API pdpc_status pdp_store_remove_group(pdp_store *s, pdp_str id,
                                           pdp_error *err);

/* ---- reading --------------------------------------------------------- */

/* The current image, with a reference for the caller (release it with
 * pdp_image_release); NULL before pdp_store_open. Takes a short lock: for
 * threads that decide continuously, a reader is cheaper. */
PDP_API pdp_image *pdp_store_image(pdp_store *s);

/*
 * A reader: one per deciding thread. pdp_store_reader_image returns the
 * current image without a lock or a wait; the image stays valid until the
 * next call on the same reader (or pdp_store_reader_free). Use it with a
 * scratch from pdp_scratch_new_any, which fits every image.
 */
PDP_API pdp_status pdp_store_reader_new(pdp_store *s, pdp_store_reader **out,
                                        pdp_error *err);
PDP_API const pdp_image *pdp_store_reader_image(pdp_store_reader *r);
PDP_API void pdp_store_reader_free(pdp_store_reader *r);

/* Counts of what the current image holds (no writer lock: safe inside a
 * transaction, which they do not see until it commits). */
PDP_API uint32_t pdp_store_acp_count(const pdp_store *s);
PDP_API uint32_t pdp_store_group_count(const pdp_store *s);

/* Number of committed transactions of the current image since the store's
 * directory was created (without a directory: since open). */
PDP_API uint64_t pdp_store_revision(const pdp_store *s);

/* Write a snapshot of the current state now and start a new log
 * (PDPC_ERR_ARG without a directory). */
PDP_API pdpc_status pdp_store_checkpoint(pdp_store *s);

#ifdef __cplusplus
}
#endif

#endif
