/*
 * cc.h - the compiler's state: sources, parsed YAML trees, the policy model
 * with source positions, and diagnostics. The driver, compiler.c, runs the
 * passes in this order:
 *   yaml_load.c  bytes -> ynode trees (positions, limits)
 *   read_*.c     ynode trees -> model (syntax and value checks)
 *   resolve.c    names, groups, role hierarchy, SSD, attribute types
 *   lint.c       warnings beyond errors
 *   emit_lower.c model -> image records; emit_write.c records -> bytes
 * Below the passes: cc.c (arena memory, diagnostics, absolute ids, the
 * rule walk), diag.c (the table of codes), name_index.c, base.c. A pass
 * calls down into those, never up into the driver; segment.c is the live
 * store's driver for one ACP.
 */
#ifndef PDP_COMPILER_CC_H
#define PDP_COMPILER_CC_H

#include "common/prims.h"
#include "compiler/base.h"
#include "compiler/diag.h"
#include "image/format.h"
#include "image/identity.h"
#include "pdp/pdpc.h"

/* ---- YAML tree ---- */

typedef enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP } ynode_kind;

typedef struct ynode ynode;
struct ynode {
	ynode_kind kind;
	bool plain;        /* scalar written without quotes */
	srcpos pos;
	const char *str;   /* scalar text (NUL-terminated copy) */
	const char *tag;   /* explicit tag as libyaml resolves it, or NULL */
	size_t len;
	ynode **items;     /* seq: items; map: key0, val0, key1, val1, ... */
	size_t n;          /* item count (maps: 2 * pairs) */
};

/* ---- model ---- */

typedef struct m_orig {
	uint32_t kind;     /* img_orig_kind */
	const char *name;  /* id, glob, group or role name */
	size_t len;
	uint32_t ref;      /* resolved group or role index */
	bool native;       /* from an m2m:acp acor: a group or role name
	                      means that group or role */
	bool bare;         /* read as an exact id (before resolve may turn a
	                      native one into a group or role). A native bare
	                      name's meaning depends on the declarations, so a
	                      live store rebinds it when they change */
	uint32_t seg_at;   /* segment mode: its ORIGS index and the string id
	                      of its name in the segment (the store patches a
	                      native bare entry between id and group: apply.c) */
	uint32_t seg_str;
	srcpos pos;
} m_orig;

typedef struct m_window {
	sched s;
	const char *src;
	srcpos pos;
} m_window;

typedef struct m_cidr {
	pdp_ip net;
	uint32_t prefix;
	bool host_bits;
	srcpos pos;
} m_cidr;

typedef struct m_circle {
	double lat, lon, radius;
	srcpos pos;
} m_circle;

typedef struct m_context {
	VEC(m_window) windows;
	VEC(m_cidr) cidrs;
	VEC(uint32_t) countries;
	VEC(m_circle) circles;
	srcpos pos;
} m_context;

typedef struct m_object {
	VEC(int32_t) types;
	VEC(const char *) specs;
	VEC(int32_t) child_types;
	srcpos pos;
} m_object;

typedef struct m_cond m_cond;
struct m_cond {
	uint32_t op;            /* img_cond_op */
	const char *attr;       /* attribute name (leaves) */
	uint32_t attr_id;       /* resolved */
	pdp_type type;          /* resolved attribute type */
	uint32_t rhs_kind;      /* img_rhs_kind */
	/* right side, by kind and type */
	int64_t i;
	bool b;
	const char *s;
	size_t slen;
	pdp_time t;
	pdp_ip ip;
	const char *rhs_attr;
	uint32_t rhs_attr_id;
	ynode *rhs_node;        /* literal node, typed during resolve */
	VEC(ynode *) list;      /* `in` / `in_cidr` literal nodes */
	VEC(int64_t) ints;      /* typed `in` list */
	VEC(const char *) strs;
	VEC(m_cidr) cidrs;
	VEC(m_cond *) kids;
	srcpos pos, attr_pos, rhs_pos, op_pos;
};

typedef struct m_rule {
	bool deny, auth, self;
	uint32_t ops;
	VEC(m_orig) origs;
	VEC(m_context) contexts;
	VEC(m_object) objects;
	m_cond *when;
	const char *id;
	uint32_t index;
	srcpos pos;
} m_rule;

typedef struct m_acp {
	const char *id;
	const char *rn;
	bool native;
	VEC(m_rule *) priv;
	VEC(m_rule *) self;
	ynode *node;       /* native: the m2m:acp object (segment.c) */
	srcpos pos;
} m_acp;

typedef struct m_name_ref {
	const char *name;
	srcpos pos;
	uint32_t ref;
} m_name_ref;

typedef struct m_role {
	const char *name;
	VEC(m_name_ref) inherits;
	srcpos pos;
	uint32_t topo;     /* index in the image (topological order) */
	int state;         /* DFS colour during resolve */
	uint64_t *closure; /* role + all juniors, by model index */
} m_role;

typedef struct m_group {
	const char *name;
	VEC(m_name_ref) members;
	srcpos pos;
	uint32_t index;    /* index in the image (a live store's group table) */
} m_group;

typedef struct m_assign {
	const char *user;
	VEC(m_name_ref) roles;
	srcpos pos;
} m_assign;

typedef struct m_constraint {
	bool dsd;
	const char *name;
	VEC(m_name_ref) roles;
	uint32_t n;
	srcpos pos, n_pos;
} m_constraint;

typedef struct m_attr {
	const char *name;
	pdp_type type;
	srcpos pos;
	bool used;
} m_attr;

/* The start of a source line, kept for every 64th line and wherever 4 KiB
 * have passed since the previous mark, so that finding any line reads at
 * most 4 KiB and the marks take at most 1/256 of the text. */
typedef struct line_mark {
	size_t line, off;
} line_mark;

typedef struct source {
	char *name;
	char *data;
	size_t len;
	VEC(line_mark) marks;  /* sorted; the first is line 1 at offset 0 */
	size_t lines;          /* newlines + 1 */
} source;

/* The declarations a live store compiles one ACP against (segment.c):
 * name-sorted tables whose entries carry their image indices (m_role.topo,
 * m_group.index; attribute ids follow the built-ins in this order). Owned
 * by the store; a compile only reads them. */
typedef struct cc_decl {
	pdp_str host_sp, host_cse;   /* ptr NULL: no hosting CSE declared */
	m_role **roles;
	size_t n_roles;
	m_group **groups;
	size_t n_groups;
	m_attr **attrs;
	size_t n_attrs;
} cc_decl;

/* A parsed schedule by its text (read_window_node): policies repeat a few
 * windows in thousands of rules, and parsing one costs thousands of
 * instructions. Held by value, so that no arena release can leave it
 * pointing at freed text. */
#define CC_SCHED_MEMO 64u
#define CC_SCHED_MEMO_TEXT 63u
typedef struct sched_memo {
	uint8_t len;                       /* 0: empty slot */
	char text[CC_SCHED_MEMO_TEXT];
	sched s;
} sched_memo;

struct pdpc_compiler {
	arena ar;             /* per-compile model and trees */
	arena yar;            /* a policy file's YAML nodes while it is read
	                         (yaml_load_policy); its strings are in ar */
	bool oom;
	VEC(source) sources;
	VEC(pdpc_diag) diags;
	arena diag_ar;        /* diagnostic strings */
	/* model */
	VEC(m_acp *) acps;
	VEC(m_role *) roles;
	VEC(m_group *) groups;
	VEC(m_assign *) assigns;
	VEC(m_constraint *) constraints;
	VEC(m_attr *) attrs;
	bool seen_version;
	bool lint;            /* produce warnings too */
	bool whole_trees;     /* read each policy file only after loading it
	                         whole (no `acps:` items read as they load):
	                         tests compare the two ways */
	const cc_decl *decl;  /* segment mode: compile one ACP against these */
	/* the hosting CSE (`cse:`, or a store's base): ids are emitted in
	 * absolute form (common/origin.c); ptr NULL when not declared */
	pdp_str host_sp, host_cse;
	srcpos host_pos;
	bool id_given;        /* segment mode: the store names the ACP */
	/* identity stamped on images (identity.c, pdpc_set_identity) */
	uint64_t revision;
	char note[IMG_NOTE_MAX + 1];
	img_identity ident; /* what cc_stamp_image wrote into the image */
	sched_memo sched_memo[CC_SCHED_MEMO];
	/* pdpc_set_progress */
	pdpc_progress_fn progress;
	void *progress_ctx;
	/* output */
	uint8_t *image;
	size_t image_len;
};

typedef pdpc_compiler cc;

/* Record a diagnostic at pos (pos.line 0 = no position): code names its
 * row in the table of diag.c, which gives its text and severity; hint may
 * be NULL. cc_error and cc_warn read better where there is no hint. */
void cc_report(cc *c, srcpos pos, diag_code code, const char *hint,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define cc_error(c, pos, code, ...) \
	cc_report((c), (pos), (code), NULL, __VA_ARGS__)
#define cc_warn(c, pos, code, ...) \
	cc_report((c), (pos), (code), NULL, __VA_ARGS__)
size_t cc_error_count(const cc *c);
/* Forget sources, model, diagnostics and image (a store's compiler is
 * reused for every change). */
void cc_reset(cc *c);

void *cc_alloc(cc *c, size_t size);
/* An originator id (or glob) in absolute form when the policy declares
 * its hosting CSE (common/origin.c), else id itself; in the arena. */
const char *cc_abs_id(cc *c, const char *id, size_t len, size_t *out_len);
const char *cc_strndup(cc *c, const char *s, size_t len);

/* Every rule of the model, ACP by ACP, privileges before self:
 *   rule_iter it = {0}; for (m_rule *r; (r = rule_next(c, &it));) ...
 * it.acp is the current rule's ACP index. */
typedef struct rule_iter {
	size_t acp, sec, idx;
} rule_iter;
m_rule *rule_next(const cc *c, rule_iter *it);

/* yaml_load.c: parse one source into documents (appended to docs). */
typedef VEC(ynode *) ynode_vec;
bool yaml_load_docs(cc *c, uint32_t file, ynode_vec *docs);
/* A policy file: like yaml_load_docs, with the nodes in c->yar (the
 * scalars' text in c->ar), except that in the file's first non-empty
 * document, once the root mapping's first `pdp` key has the value 1, the
 * items of its first `acps` list go to item() one at a time as each is
 * complete, and their nodes are released when item() returns (the list
 * stays in the tree, empty): a large policy is never one whole tree in
 * memory. item() keeps no pointer to those nodes (yn_copy makes lasting
 * copies). */
typedef void (*yaml_item_fn)(void *ctx, ynode *item);
bool yaml_load_policy(cc *c, uint32_t file, ynode_vec *docs,
                      yaml_item_fn item, void *ctx);
/* A deep copy of n in c->ar (the text of scalars and tags is shared). */
ynode *yn_copy(cc *c, const ynode *n);
/* What only policies refuse (requests are read by their own rules): explicit
 * tags, plain scalars whose number value YAML 1.1 and 1.2 readers disagree
 * on (017, 0x1F, 1_000, 1:30), and merge keys '<<' (removed from the tree
 * once reported). */
void yaml_check_policy(cc *c, ynode *n);

/* Streaming (request files): every document root, or with split_lists
 * every item of a root sequence, goes to tree() as soon as it is complete,
 * and its memory is released when tree() returns; the node limit counts
 * per tree and limit messages name `what`. Mapping keys are not checked
 * for duplicates: the sink does it. parser's input must be set. Returns
 * false on a YAML error (c's diagnostics say why) or when tree() returned
 * false. */
typedef struct yaml_sink {
	bool (*tree)(void *ctx, ynode *n);
	void *ctx;
	bool split_lists;
	const char *what;
} yaml_sink;
struct yaml_parser_s;
bool yaml_load_stream(cc *c, uint32_t file, struct yaml_parser_s *parser,
                      const yaml_sink *sink);

/* ynode helpers (yaml_load.c) */
ynode *yn_get(const ynode *map, const char *key);
bool yn_is(const ynode *n, const char *s);
const char *yn_kind_name(const ynode *n);
/* What the YAML 1.2 core schema reads a scalar as: a quoted scalar is a
 * string; a plain one may be null, a bool, an int or a float. */
typedef enum yn_core {
	YC_STRING, YC_NULL, YC_BOOL, YC_INT, YC_FLOAT
} yn_core;
yn_core yn_core_type(const ynode *n);
const char *yn_core_name(yn_core t);

/* read_policy.c: the pdp: 1 form; read_native.c: m2m:acp objects;
 * read_rule.c: pieces shared by both. */
void read_document(cc *c, ynode *doc);
/* One item of a `pdp: 1` document's `acps:` list, as read_document reads
 * it (yaml_load_policy hands them over one by one). */
void read_acps_item(cc *c, ynode *item);
void read_native_acp(cc *c, ynode *obj, srcpos key_pos);
m_rule *read_rule(cc *c, ynode *n, bool self);
m_cond *read_cond(cc *c, ynode *n, unsigned depth);
bool read_operations(cc *c, ynode *n, uint32_t *ops);
bool read_bool(cc *c, ynode *n, bool *out);
bool read_int(cc *c, ynode *n, int64_t *out);
bool read_double(cc *c, ynode *n, double *out);
bool read_string(cc *c, ynode *n, const char **out);
bool read_cidr_node(cc *c, ynode *n, m_cidr *out);
bool read_window_node(cc *c, ynode *n, m_window *out);
bool read_country_node(cc *c, ynode *n, uint32_t *out);
bool read_rtype_node(cc *c, ynode *n, int32_t *out);
bool read_circle(cc *c, ynode *lat, ynode *lon, ynode *rad, srcpos pos,
                 m_circle *out);
/* "Did you mean" (cc.c): offer each known name to cc_suggest_try, then
 * cc_suggest_hint writes "did you mean 'x'?" into buf for the closest one
 * within two edits, or returns NULL when none is that close. */
typedef struct cc_suggest {
	const char *want;
	size_t want_len;
	const char *best;
	size_t best_len, best_d;
} cc_suggest;
void cc_suggest_init(cc_suggest *s, const char *want, size_t len);
void cc_suggest_try(cc_suggest *s, const char *cand, size_t len);
const char *cc_suggest_hint(const cc_suggest *s, char *buf, size_t n);

void check_keys(cc *c, const ynode *map, const char *const *known,
                const char *what);

bool read_originators(cc *c, ynode *n, bool native, m_rule *r);

/* resolve.c */
void resolve_policy(cc *c);
/* Resolve the rules of every ACP (originators, conditions) against the
 * declarations: part of resolve_policy, and all of a segment's resolve. */
void resolve_acps(cc *c);
/* Index of a declared role or group (the tables are sorted by then), or
 * IMG_NONE. */
uint32_t resolve_find_role(const cc *c, const char *name, size_t len);
uint32_t resolve_find_group(const cc *c, const char *name, size_t len);
/* Name and type of built-in attribute i (NULL / NONE past the last). */
const char *resolve_builtin_name(uint32_t i);
pdp_type resolve_builtin_type(uint32_t i);
/* name_index.c: exact ids and globs (each with a value) that match an id,
 * found without trying each. Scratch arrays on the heap. */
typedef VEC(uint32_t) u32_vec;
typedef struct name_post {
	const char *s;
	uint32_t len;      /* bytes of s */
	uint32_t key;      /* bytes compared when looking up: all of an id,
	                      the literal prefix of a glob */
	uint32_t val;
} name_post;
typedef struct name_index {
	VEC(name_post) ids;   /* sorted by (key, bytes, val) */
	VEC(name_post) globs; /* likewise */
	VEC(size_t) blocks;   /* start of each run of globs with one key
	                         length, then globs.n */
} name_index;
void name_index_add(cc *c, name_index *ix, const char *s, size_t len,
                    uint32_t val);
/* After the last add, before any lookup. */
void name_index_finish(cc *c, name_index *ix);
void name_index_free(name_index *ix);
/* Calls fn with each run of posts that may match text, each run sorted by
 * value: the ids equal to text (exact), then for each literal prefix
 * length the globs whose prefix text starts with (not exact: each still
 * has to glob_match text). */
typedef void (*name_run_fn)(void *ctx, const name_post *posts, size_t n,
                            bool exact);
void name_index_runs(const name_index *ix, const char *text, size_t len,
                     name_run_fn fn, void *ctx);
/* Append to out the value of every id equal to text and every glob that
 * matches it (a value may repeat). */
void name_index_match(cc *c, const name_index *ix, const char *text,
                      size_t len, u32_vec *out);
/* The run of globs (sorted by value) with pattern's literal prefix, among
 * them every glob that is pattern; *n receives its length. */
const name_post *name_index_glob_run(const name_index *ix, const char *pat,
                                     size_t len, size_t *n);

/* lint.c */
void lint_policy(cc *c);
/* emit_lower.c */
bool emit_image(cc *c);
/* identity.c: c->image (format 1, from emit_image) stamped with c's
 * revision and note (format 2). False when out of memory. */
bool cc_stamp_image(cc *c);
/* One ACP (c->acps.items[0]) as a segment (image/view.h). */
bool emit_segment(cc *c);

/* segment.c: the live store's side of the compiler (src/store). */
/* Compile text (one ACP) against decl into c->image as a segment; id, when
 * id.ptr is set, replaces the ACP's own id. PDPC_ERR_POLICY with
 * diagnostics when it does not compile. The model (c->acps.items[0])
 * stays until the next compile. */
pdpc_status cc_compile_segment(cc *c, const cc_decl *decl, const char *name,
                               const char *text, size_t len, pdp_str id);
/* A native ACP's source as JSON text (malloc'd, NUL-terminated), from its
 * parsed tree: what a store recompiles it from. NULL when not native. */
char *cc_acp_source(const cc *c, size_t acp, size_t *len);
/* Any parsed tree as JSON text (malloc'd): `pdp replay` hands a change's
 * object to the store this way. */
char *cc_node_json(const ynode *n, size_t *len);

#endif
