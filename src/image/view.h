/*
 * view.h - images published by a live store (internal).
 *
 * A store view is a pdp_image whose declaration tables (principals, roles,
 * constraints, attributes: everything but ACPs and group members) are the
 * base image's, shared, and whose ACPs and groups come from the view:
 *
 *   - ACPs by name: VIEW_SHARDS open-addressing hash tables ("shards"),
 *     picked by bits of the name's hash. A slot carries what a decision
 *     needs next (segment, rule spans), as the flat image's hash slots do.
 *   - ACPs by number (pdp_acp_index, request acp_ids, decision reasons):
 *     chunks of VIEW_CHUNK entries. A removed ACP leaves a gap.
 *   - Groups by index: one block of group objects (exact members hashed,
 *     globs listed). Base groups keep their base index; groups created in
 *     the store are appended.
 *
 * Every shard, chunk, group block and group object is immutable once
 * built and reference counted, and each holds references to the segments
 * (or the base image) its entries point into. A change copies only the
 * shard, chunk or group block it touches; the next view shares all the
 * rest, so publishing costs in proportion to the change, not to the set.
 *
 * A segment is a small image holding one ACP's records (rules, originator
 * entries, contexts, conditions, strings), loaded and verified against the
 * base's declarations (img_load_segment). Exact originator entries in a
 * segment are compared by bytes: its strings are not interned with the
 * base's principals.
 */
#ifndef PDP_IMAGE_VIEW_H
#define PDP_IMAGE_VIEW_H

#include "image/image.h"

#define VIEW_SHARD_BITS 8u
#define VIEW_SHARDS (1u << VIEW_SHARD_BITS)
#define VIEW_CHUNK_BITS 6u
#define VIEW_CHUNK (1u << VIEW_CHUNK_BITS)

/* One ACP of a view, as a decision finds it by name. */
typedef struct view_slot {
	uint32_t tag;        /* upper 32 bits of the name hash */
	uint32_t number;     /* ACP number (pdp_acp_index), NONE: empty */
	const char *name;    /* in seg's string blob */
	uint32_t name_len;
	uint32_t local;      /* the ACP's index in seg */
	const pdp_image *seg; /* its rule ranges are in the segment's ACP
	                         record, next to its rules */
} view_slot;

typedef struct view_shard {
	atomic_uint refs;
	uint32_t mask;       /* slots - 1 */
	uint32_t n;          /* ACPs held */
	view_slot slots[];
} view_shard;

/* ACPs by number. seg NULL: a gap. */
typedef struct view_acp {
	const pdp_image *seg;
	uint32_t local;
} view_acp;

typedef struct view_chunk {
	atomic_uint refs;
	view_acp acp[VIEW_CHUNK];
} view_chunk;

/* One group's members: exact ids in an open-addressing set, globs listed. */
typedef struct view_group {
	atomic_uint refs;
	pdp_str name;
	uint32_t n_exact, mask;     /* set slots - 1 */
	uint32_t n_globs;
	const pdp_str *globs;
	const pdp_str *exact;       /* mask + 1 slots; ptr NULL: empty */
	const uint32_t *exact_tag;  /* upper hash bits per slot */
	/* names and arrays follow in the same allocation */
} view_group;

typedef struct view_groups {
	atomic_uint refs;
	uint32_t n;
	const view_group *g[];      /* NULL: a removed group; VIEW_GROUP_IN_BASE:
	                               a base group the store never changed,
	                               whose members the base image holds */
} view_groups;

/* A marker, never dereferenced: the base image's own group (its exact
 * members in the principals' memberships, its globs in GROUPGLOBS), so
 * that a store copies no member list it was not asked to change. */
#define VIEW_GROUP_IN_BASE ((const view_group *)(uintptr_t)1)

typedef struct img_view {
	view_shard *shard[VIEW_SHARDS];
	view_chunk **chunk;
	uint32_t n_chunks;
	uint32_t acp_bound;         /* ACP numbers are below this */
	uint32_t n_acps;            /* ACPs held (numbers in use) */
	view_groups *groups;
} img_view;

/* ---- reading (the decision path) ---- */

/* The slot of ACP `name`, or NULL. */
const view_slot *view_find(const img_view *v, pdp_str name);

/* The ACP with this number, or false for a gap or out of range. */
bool view_acp_at(const img_view *v, uint32_t number, view_acp *out);

/* Is originator (whose str_hash is h) a member of group g? */
bool view_in_group(const img_view *v, uint32_t g, pdp_str originator,
                   uint64_t h);

/* ---- building (the store's writer) ---- */

/* A shard holding exactly these slots (their segments retained). */
view_shard *view_shard_build(const view_slot *slots, uint32_t n);
/* A chunk holding these VIEW_CHUNK entries (their segments retained). */
view_chunk *view_chunk_build(const view_acp *entries);
/* A group object; members are copied. NULL when out of memory. */
view_group *view_group_build(pdp_str name, const pdp_str *exact, size_t n_exact,
                             const pdp_str *globs, size_t n_globs);
view_groups *view_groups_build(const view_group *const *g, uint32_t n);

void view_shard_release(view_shard *s);
void view_chunk_release(view_chunk *c);
void view_group_release(const view_group *g);
void view_groups_release(view_groups *g);

/*
 * A new view image over base (retained): shards, chunks and groups are
 * retained, not copied. n_chunks chunk pointers are copied. Returns NULL
 * when out of memory.
 */
pdp_image *view_image_new(pdp_image *base, view_shard *const *shards,
                          view_chunk *const *chunks, uint32_t n_chunks,
                          uint32_t acp_bound, uint32_t n_acps,
                          view_groups *groups);

/* Free a view image's own parts (called when its last reference goes). */
void view_image_destroy(pdp_image *img);

/* Which shard a name hash belongs to. */
static inline uint32_t view_shard_of(uint64_t h)
{
	return (uint32_t)(h >> 24) & (VIEW_SHARDS - 1u);
}

#endif
