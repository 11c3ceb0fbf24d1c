/*
 * store_internal.h - the live policy store's state (include/pdp/store.h).
 *
 * Two sides. The writer side (everything below but `st_pub`) is touched
 * only under the store's writer lock: the ACPs and groups as the store
 * knows them, the declarations new ACPs compile against, and the pieces of
 * the last published view. The reader side (`st_pub`) is the published
 * image pointer plus hazard slots, shared with readers that may outlive
 * the store.
 *
 * Files: store.c (API, transactions), apply.c (changes and their undo),
 * publish.c (building views), decl.c (declarations from the base image),
 * reader.c (lock-free readers), persist.c (log and snapshot).
 */
#ifndef PDP_STORE_INTERNAL_H
#define PDP_STORE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "compiler/cc.h"
#include "image/view.h"
#include "pdp/store.h"

/* ---- reader side ---- */

/* What readers share with the store; reference counted so that readers
 * may outlive pdp_store_free. */
typedef struct st_pub {
	atomic_uint refs;
	_Atomic(pdp_image *) current;  /* holds one reference of its own */
	pthread_mutex_t lock;          /* reader list, retired list */
	pdp_store_reader *readers;
	pdp_image **retired;           /* published once, not yet released */
	size_t n_retired, cap_retired;
} st_pub;

struct pdp_store_reader {
	st_pub *pub;
	_Atomic(pdp_image *) hazard;   /* the image being taken, if any */
	pdp_image *held;               /* one reference */
	pdp_store_reader *next;
};

st_pub *pub_new(void);
void pub_publish(st_pub *p, pdp_image *img); /* takes img's reference */
void pub_release(st_pub *p);

/* ---- writer side ---- */

/* One ACP of the store. */
typedef struct st_acp {
	char *id;
	size_t id_len;
	uint64_t hash;             /* str_hash of id */
	uint32_t number;           /* its index in images (never reused) */
	pdp_image *seg;            /* a segment, or the base image: one ref */
	uint32_t local;            /* its index in seg */
	char *source;              /* the text it compiles from: a put's text
	                              when the store persists (snapshots), a
	                              base native ACP's JSON (rebinding);
	                              else NULL */
	size_t source_len;
	bool put;                  /* put through the store (persisted) */
	char **bare;               /* bare native acor names (rebinding) */
	size_t n_bare;
	uint32_t *bare_at;         /* segments: ORIGS index and name string of */
	uint32_t *bare_str;        /* each bare entry (img_segment_patch) */
	size_t n_bare_at;
	char **grefs;              /* names of its explicit group: references */
	size_t n_grefs;
} st_acp;

/* One group of the store. */
typedef struct st_group {
	char *name;
	size_t name_len;
	uint32_t index;            /* group index in images */
	bool from_base;            /* declared by the base policy */
	bool set;                  /* members set through the store (persisted) */
	bool removed;
	view_group *obj;           /* members (one reference); NULL: a base
	                              group's own, never set */
	pdp_str *members;          /* as given (persisted, exported) */
	size_t n_members;
	uint32_t grefs;            /* explicit group: references to it */
	m_group decl;              /* its entry in the declarations table */
} st_group;

/* ACPs in one of VIEW_SHARDS buckets (by id hash), unordered. */
typedef struct st_bucket {
	st_acp **acp;
	size_t n, cap;
} st_bucket;

/* Undo log of a transaction: each entry restores one thing. */
typedef enum st_undo_kind {
	UNDO_ACP,      /* bucket slot held old (NULL: the id was absent) */
	UNDO_GROUP     /* group index's previous state */
} st_undo_kind;

typedef struct st_undo {
	st_undo_kind kind;
	st_acp *old_acp;           /* UNDO_ACP: previous entry (or NULL) */
	st_acp *new_acp;           /* UNDO_ACP: entry put (or NULL) */
	st_group *old_group;       /* UNDO_GROUP: copy of the previous state */
	uint32_t group;            /* UNDO_GROUP: index; NONE for "appended" */
} st_undo;

/* A staged operation, kept for the log. */
typedef struct st_op {
	uint8_t kind;              /* OP_* below */
	char *id;
	size_t id_len;
	char *text;                /* put: the text */
	size_t text_len;
	pdp_str *members;          /* set_group */
	size_t n_members;
} st_op;

enum { OP_PUT = 1, OP_REMOVE = 2, OP_SET_GROUP = 3, OP_REMOVE_GROUP = 4 };

struct pdp_store_txn {
	pdp_store *s;
	st_undo *undo;
	size_t n_undo, cap_undo;
	st_op *ops;
	size_t n_ops, cap_ops;
	pdpc_diag *diags;          /* copies; strings in diag_text */
	size_t n_diags, cap_diags;
	char **diag_text;
	size_t n_text, cap_text;
	bool failed;               /* a change was refused: commit refuses */
	bool replay;               /* recovering: do not log */
};

struct pdp_store {
	pthread_mutex_t write_lock;  /* held from begin to commit/abort */
	bool open;
	/* setup */
	source *base;                /* base sources (name, data) */
	size_t n_base;
	char *dir;
	/* the base */
	pdp_image *base_img;
	cc_decl decl;                /* roles, groups, attrs for compiles */
	m_role *roles_mem;
	m_attr *attrs_mem;
	pdpc_compiler *cc;           /* compiles one ACP at a time */
	/* ACPs */
	st_bucket bucket[VIEW_SHARDS];
	st_acp **by_number;          /* NULL: a gap */
	uint32_t n_numbers;          /* numbers handed out so far */
	uint32_t n_acps;
	/* groups by index; name-sorted m_group table in decl */
	st_group **groups;
	uint32_t n_groups, cap_groups;
	uint32_t n_base_groups;
	/* the published view's pieces (one reference each) */
	view_shard *shard[VIEW_SHARDS];
	view_chunk **chunk;
	uint32_t n_chunks;
	view_groups *groups_obj;
	bool dirty_shard[VIEW_SHARDS];
	bool *dirty_chunk;           /* n_chunks entries */
	bool dirty_groups;
	st_pub *pub;
	/* persistence */
	int log_fd;
	uint64_t revision;
	_Atomic uint64_t published_rev; /* revision of the published image */
	uint64_t snapshot_rev;
	uint64_t log_bytes, snapshot_bytes;
	/* diagnostics of open and the one-shot calls */
	pdp_store_txn *last;         /* kept for its diagnostics */
	pdpc_diag *open_diags;
	size_t n_open_diags;
	char **open_text;
	size_t n_open_text;
};

/* decl.c: the declarations new ACPs compile against. */
bool decl_build(pdp_store *s);
void decl_free(pdp_store *s);
bool decl_add_group(pdp_store *s, st_group *g);
void decl_remove_group(pdp_store *s, const st_group *g);

/* apply.c: changes on the writer state, with undo entries in t. */
pdpc_status apply_put(pdp_store_txn *t, pdp_str id, const char *text,
                      size_t len, bool put);
pdpc_status apply_remove(pdp_store_txn *t, pdp_str id);
pdpc_status apply_set_group(pdp_store_txn *t, pdp_str id,
                            const pdp_str *members, size_t n);
pdpc_status apply_remove_group(pdp_store_txn *t, pdp_str id);
void apply_undo(pdp_store_txn *t);
void apply_forget(pdp_store_txn *t); /* commit: drop the old entries */
st_acp *acp_find(const pdp_store *s, pdp_str id);
st_group *group_find(const pdp_store *s, pdp_str name);
void acp_free(st_acp *a);
void group_free(st_group *g);
void txn_diag(pdp_store_txn *t, const char *file, diag_code code,
              const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Copy the store compiler's diagnostics into t (errors and warnings). */
void txn_take_diags(pdp_store_txn *t, const pdpc_compiler *c);
/* Register an ACP from the base image (open). */
bool acp_add_base(pdp_store *s, uint32_t local, char *src, size_t src_len,
                  const m_acp *model);

/* publish.c: a new view from the dirty parts, in two steps so that a
 * commit can still fail (persisting) after the view is built. */
typedef struct st_prepared {
	view_shard *shard[VIEW_SHARDS];  /* rebuilt shards (dirty ones) */
	view_chunk **chunk;              /* rebuilt chunks (dirty ones) */
	view_groups *groups;             /* rebuilt when dirty_groups */
	pdp_image *view;
} st_prepared;

bool publish_prepare(pdp_store *s, st_prepared *p);
void publish_install(pdp_store *s, st_prepared *p);
void publish_discard(pdp_store *s, st_prepared *p);
void publish_free(pdp_store *s);
void mark_acp_dirty(pdp_store *s, const st_acp *a);

/* persist.c: the directory holds store.snap (base sources and the state
 * as a list of changes, written whole and renamed into place) and
 * store.log (one record per committed transaction, fsynced before the
 * commit returns). */
typedef struct st_snapshot {
	uint8_t *bytes;            /* the file, or NULL when there is none */
	size_t len;
	uint64_t rev;
	const uint8_t *ops;        /* the state's changes inside bytes */
	size_t ops_len;
	uint32_t n_ops;
} st_snapshot;

/* Read the snapshot (if any) and, when the store has no base sources,
 * take the snapshot's. */
pdpc_status persist_read_snapshot(pdp_store *s, st_snapshot *snap);
/* Apply the snapshot's changes, then the log's records after it, into t
 * (a recovery transaction); truncate a torn last record. */
pdpc_status persist_replay(pdp_store *s, pdp_store_txn *t,
                           const st_snapshot *snap, bool *log_had_records);
void persist_snapshot_free(st_snapshot *snap);
pdpc_status persist_commit(pdp_store *s, const pdp_store_txn *t);
pdpc_status persist_checkpoint(pdp_store *s);
void persist_close(pdp_store *s);
/* Apply one staged change (as the txn API does) without logging it. */
pdpc_status txn_apply_op(pdp_store_txn *t, const st_op *op);
/* A diagnostic of the store itself (open, persistence). */
void store_diag(pdp_store *s, diag_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
