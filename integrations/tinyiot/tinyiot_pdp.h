/*
 * tinyiot_pdp.h - tinyIoT's side of the pdp integration: what the patched
 * tinyIoT calls where it used to evaluate ACPs itself (util.c, acp.c,
 * grp.c, the discovery query, the resource deletion path, main.c).
 *
 * Conventions
 * -----------
 * - One store per process, set up by tinyiot_pdp_start and
 *   tinyiot_pdp_load in main() before the HTTP server accepts requests.
 * - ACP ids in the store are the ACP resources' resource IDs (ri); an acpi
 *   or macp entry is resolved to the ri of the <accessControlPolicy> it
 *   addresses, and passed unchanged when it addresses none (a base-policy
 *   ACP, or an ACP that no longer exists: unknown-acp, deny).
 * - Group ids are the <group> resources' ri; members are the originator
 *   ids of the member resources (an <AE>'s AE-ID, a <remoteCSE>'s CSE-ID,
 *   else the member id as written).
 * - Requests are unauthenticated: tinyIoT's HTTP binding takes
 *   X-M2M-Origin at face value (no TLS client certificates, no tokens), so
 *   rules that need an authenticated originator (acaf: true) never grant.
 * - Return values follow tinyIoT: 0 allowed, -1 denied; RSC_OK or the
 *   response status code already set with handle_error.
 */
#ifndef TINYIOT_PDP_H
#define TINYIOT_PDP_H

#include <stdbool.h>
#include <stddef.h>

#include "cJSON.h"
#include "onem2m.h"

/* Create the store with these base policy files and open it. The CSE
 * adds a document declaring itself (cse: its SP-ID and CSE-ID), so base
 * files must not declare cse:. 0, or -1 with the reason logged. */
int tinyiot_pdp_start(char *const *policies, size_t n);

/* Put every <accessControlPolicy> and <group> of the resource tree into
 * the store, in one transaction. An ACP the store refuses is logged and
 * left out (resources naming it are denied). 0, or -1 when the store
 * cannot commit. */
int tinyiot_pdp_load(RTNode *cb);

/* Whether ACPs alone decide access to target: it is an ACP (its own
 * selfPrivileges), or it carries accessControlPolicyIDs. Otherwise
 * tinyIoT's own rules for resources without acpi apply first. */
bool tinyiot_pdp_governed(const RTNode *target);

/*
 * Ask pdp whether origin may do every operation in acop on target, whose
 * ACPs are those of holder (target itself when governed, else the nearest
 * ancestor with acpi). 0 permitted, -1 denied (logged with the reason;
 * no error is set on o2pt).
 */
int tinyiot_pdp_decide(oneM2MPrimitive *o2pt, const char *origin,
                       RTNode *target, RTNode *holder, int acop);

/* The same for a list of ACP references (macp; acpi whose
 * selfPrivileges govern an acpi update when self is true). */
int tinyiot_pdp_decide_refs(oneM2MPrimitive *o2pt, const char *origin,
                            cJSON *refs, int acop, bool self, int type);

/* A created or updated ACP (its complete attributes, ri included) goes
 * into the store. RSC_OK, or 4000 with pdp's message (5000 when the store
 * fails otherwise) set on o2pt: then nothing changed. */
int tinyiot_pdp_put_acp(oneM2MPrimitive *o2pt, cJSON *acp);

/* Undo a put whose resource could not be stored after all. */
void tinyiot_pdp_drop_acp(const char *ri);

/* A created or updated <group> (its ri and final mid) sets the group's
 * members. RSC_OK, or 5000 set on o2pt. */
int tinyiot_pdp_put_group(oneM2MPrimitive *o2pt, cJSON *grp);

/* Undo a group put whose resource could not be stored after all. */
void tinyiot_pdp_drop_group(const char *ri);

/* rtnode and everything below it is being deleted: its ACPs leave the
 * store and its groups lose their members. */
void tinyiot_pdp_forget(RTNode *rtnode);

/* Whether id names an ACP of the store (a base-policy ACP that resources
 * may list in acpi without a resource of that name). */
bool tinyiot_pdp_knows_acp(const char *id);

/* Whether the discovery result may hold the resource at addr (an ri or a
 * hierarchical address from the database): the originator may discover
 * it, and do every operation in ops (filter criterion), 0 for none. */
bool tinyiot_pdp_discoverable(oneM2MPrimitive *o2pt, const char *addr,
                              int ops);

#endif
