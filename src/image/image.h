/*
 * image.h - the loaded, verified image (internal). Section words are kept
 * as uint32 arrays in one arena; derived tables (hash indexes, role closure
 * bitsets, DSD bitsets, compiled regexes) are built once at load.
 */
#ifndef PDP_IMAGE_IMAGE_H
#define PDP_IMAGE_IMAGE_H

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/prims.h"
#include "image/format.h"
#include "image/identity.h"
#include "pdp/pdp.h"

/* Open addressing; each slot keeps 32 bits of the key's hash, the key's
 * first bytes and where the rest is, beside the record index: probes past
 * other keys never touch their records, and verifying a hit of a key of up
 * to HASH_KEY_HEAD bytes reads nothing but the slot (on a large image every
 * other read is a cache miss). A slot is one cache line, aligned, and
 * carries what a decision reads next, so that all of it can be prefetched
 * as soon as the slot arrives: at most two dependent misses per lookup
 * (docs/performance.md). */
#define HASH_KEY_HEAD 16u
#define HASH_INLINE_ROLES 4u

typedef struct hash_slot {
	uint32_t tag;     /* upper 32 bits of the 64-bit hash */
	uint32_t rec;     /* record index or NONE */
	uint32_t key_off; /* key bytes in the string blob */
	uint32_t key_len;
	char key_head[HASH_KEY_HEAD]; /* the key's first bytes, zero-padded */
	/* What a decision needs next, copied from the record so that it does
	 * not wait for the record. */
	union {
		struct {
			uint32_t priv_first, self_first, orig_first;
			uint32_t counts; /* privileges count | self count << 16,
			                    or ACP_COUNTS_FAR when either needs
			                    more bits */
			/* where its rules' contexts, windows, CIDRs and
			 * condition nodes start (img_acp_rec) */
			uint32_t ctx_first, win_first, cidr_first, cond_first;
		} acp;
		struct {
			uint32_t role_first, role_count; /* PRINROLES */
			uint32_t name;       /* interned name string id */
			uint32_t spare;
			/* the assigned roles themselves when there are at
			 * most HASH_INLINE_ROLES: their closure rows are
			 * prefetched without reading PRINROLES first */
			uint32_t roles[HASH_INLINE_ROLES];
		} principal;
	} aux;
} hash_slot;

_Static_assert(sizeof(hash_slot) == 64, "a hash slot is one cache line");

#define ACP_COUNTS_FAR 0xffffffffu

/* An originator entry's string (glob pattern or exact id): where it is in
 * the blob and, when it is short, the bytes themselves, so that matching
 * a glob does not wait for the blob after the entry (a dependent miss on a
 * large image). */
#define ORIG_TEXT_HEAD 16u

typedef struct orig_text_rec {
	uint32_t off, len;
	char head[ORIG_TEXT_HEAD]; /* the string when len <= ORIG_TEXT_HEAD */
} orig_text_rec;

/* Fill t for the len bytes at blob + off. */
static inline void orig_text_set(orig_text_rec *t, const char *blob,
                                 uint32_t off, uint32_t len)
{
	t->off = off;
	t->len = len;
	memset(t->head, 0, ORIG_TEXT_HEAD);
	if (len <= ORIG_TEXT_HEAD)
		memcpy(t->head, blob + off, len);
}

static inline pdp_str orig_text_str(const orig_text_rec *t, const char *blob)
{
	return (pdp_str){t->len <= ORIG_TEXT_HEAD ? t->head : blob + t->off,
	                 t->len};
}

/* size bytes on cache-line boundaries, on huge pages when large
 * (alloc.c); released with free(). NULL when out of memory. */
void *img_alloc_lines(size_t size);

/* Above this many image bytes, decisions issue prefetches for the rule
 * data they are about to walk: on smaller images everything is already in
 * cache and the prefetches would only cost instructions (measured: S and M
 * slower with them, L faster). */
#define IMG_PREFETCH_MIN_BYTES (4u * 1024u * 1024u)

typedef struct hash_index {
	hash_slot *slots;
	uint32_t mask;    /* slots - 1 (power of two) */
} hash_index;

struct pdp_image {
	atomic_uint refs;
	void *arena;
	size_t arena_size;
	const char *blob;
	uint32_t blob_len;
	const uint32_t *sec[IMG_SECTION_COUNT];
	uint32_t count[IMG_SECTION_COUNT];   /* records per section */
	uint32_t role_words;                 /* 64-bit words per role bitset */
	uint64_t *role_closure;              /* roles x role_words */
	uint64_t *constraint_sets;           /* constraints x role_words */
	orig_text_rec *orig_text;            /* per ORIGS entry: its string
	                                        (globs and exact ids), so a glob
	                                        reads its pattern without the
	                                        string table */
	uint32_t n_dsd;                      /* DSD constraints among them */
	bool prefetch;                       /* image too big for the caches:
	                                        decisions prefetch what they
	                                        will read next */
	hash_index h_principal, h_acp, h_attr, h_role;
	pcre2_code **regex;
	uint32_t max_regex_captures;
	/* Live store views (view.h): ACPs and groups come from `view`, every
	 * other table is view_base's, shared (this struct is a copy of the
	 * base's with these fields set). NULL for a loaded image. */
	const struct img_view *view;
	pdp_image *view_base;
	/* The body carries the decision records (SEC_DECIDE, format 3 on);
	 * without them (formats 1 and 2) decisions walk every rule. */
	bool decide;
	uint32_t version;                    /* plain format version: 1, 3 or 5 */
	/* A segment: one ACP's records, verified against a base's
	 * declarations; its exact originators are compared by bytes. */
	bool segment;
	/* The hosting CSE (SEC_HOST), when the policy declares it: request
	 * originators are turned into absolute form before matching. */
	bool host;
	pdp_str host_sp, host_cse;
	/* Id, revision, note and signature (identity.h): read at load, last
	 * in the struct and never read by a decision. */
	img_identity ident;
};

static inline const uint32_t *img_rec(const pdp_image *img,
                                      enum img_section s, uint32_t i)
{
	return img->sec[s] + (size_t)i * IMG_RECORD_WORDS[s];
}

/*
 * Typed record accessors: img_acp(img, i)->priv_first and the like, one
 * per record struct of format.h. Callers pass an index the loader has
 * verified (or that they check against img->count first). Every section
 * starts on a 64-byte line of the arena (a decision record is one line)
 * and every record is a whole number of uint32 words, so the cast is to
 * memory laid out exactly as the struct.
 */
#define IMG_ACCESSOR(fn, type, section)                                     \
	static inline const type *fn(const pdp_image *img, uint32_t i)     \
	{                                                                   \
		return (const type *)(const void *)img_rec(img, section, i); \
	}
IMG_ACCESSOR(img_strtab, img_strtab_rec, SEC_STRTAB)
IMG_ACCESSOR(img_acp, img_acp_rec, SEC_ACPS)
IMG_ACCESSOR(img_rule, img_rule_rec, SEC_RULES)
IMG_ACCESSOR(img_orig, img_orig_rec, SEC_ORIGS)
IMG_ACCESSOR(img_context, img_context_rec, SEC_CONTEXTS)
IMG_ACCESSOR(img_window, img_window_rec, SEC_WINDOWS)
IMG_ACCESSOR(img_cidr, img_cidr_rec, SEC_CIDRS)
IMG_ACCESSOR(img_circle, img_circle_rec, SEC_CIRCLES)
IMG_ACCESSOR(img_object, img_object_rec, SEC_OBJECTS)
IMG_ACCESSOR(img_principal, img_principal_rec, SEC_PRINCIPALS)
IMG_ACCESSOR(img_group, img_group_rec, SEC_GROUPS)
IMG_ACCESSOR(img_role, img_role_rec, SEC_ROLES)
IMG_ACCESSOR(img_constraint, img_constraint_rec, SEC_CONSTRAINTS)
IMG_ACCESSOR(img_attr, img_attr_rec, SEC_ATTRS)
IMG_ACCESSOR(img_cond, img_cond_rec, SEC_CONDS)
IMG_ACCESSOR(img_time_at, img_time_rec, SEC_TIMES)
IMG_ACCESSOR(img_host_at, img_host_rec, SEC_HOST)
IMG_ACCESSOR(img_decide, img_decide_rec, SEC_DECIDE)
#undef IMG_ACCESSOR

/* The name string id of record i of a section whose records begin with
 * their name (ACPS, PRINCIPALS, GROUPS, ROLES, ATTRS): the hash indexes are
 * built over it. */
static inline uint32_t img_rec_name(const pdp_image *img, enum img_section s,
                                    uint32_t i)
{
	_Static_assert(offsetof(img_acp_rec, id) == 0 &&
	                       offsetof(img_principal_rec, name) == 0 &&
	                       offsetof(img_group_rec, name) == 0 &&
	                       offsetof(img_role_rec, name) == 0 &&
	                       offsetof(img_attr_rec, name) == 0,
	               "named records begin with their name");
	return img_rec(img, s, i)[0];
}

/* Entry i of a one-word section (COUNTRIES, OBJTYPES, OBJSPECS, PRINROLES,
 * PRINGROUPS, GROUPGLOBS, ROLEJR, CONSTRMEM, CONDKIDS, LISTITEMS, REGEXES,
 * SOURCES). */
static inline uint32_t img_word(const pdp_image *img, enum img_section s,
                                uint32_t i)
{
	return img->sec[s][i];
}

static inline pdp_str img_str(const pdp_image *img, uint32_t id)
{
	pdp_str s = {NULL, 0};
	if (id < img->count[SEC_STRTAB]) {
		const img_strtab_rec *r = img_strtab(img, id);
		s.ptr = img->blob + r->off;
		s.len = r->len;
	}
	return s;
}

/* A 64-bit value stored as lo, hi words. */
static inline uint64_t img_u64(const uint32_t w[2])
{
	return (uint64_t)w[0] | (uint64_t)w[1] << 32;
}

static inline double img_double(const uint32_t w[2])
{
	uint64_t b = img_u64(w);
	double d;
	memcpy(&d, &b, sizeof(d));
	return d;
}

static inline int64_t img_int(const pdp_image *img, uint32_t i)
{
	return (int64_t)img_u64(img_rec(img, SEC_INTS, i));
}

static inline pdp_time img_time(const pdp_image *img, uint32_t i)
{
	const img_time_rec *t = img_time_at(img, i);
	pdp_time r = {(int64_t)img_u64(t->sec), (int32_t)t->nsec};
	return r;
}

/* A window record as the schedule matcher takes it. */
static inline void img_window_sched(const img_window_rec *w, sched *s)
{
	s->sec = img_u64(w->sec);
	s->min = img_u64(w->min);
	s->hour = w->hour;
	s->dom = w->dom;
	s->month = w->month;
	s->dow = w->dow;
	for (int i = 0; i < SCHED_YEAR_WORDS; i++)
		s->year[i] = img_u64(w->year + 2 * i);
}

/* The 16 bytes of a CIDR record's address. */
static inline void img_cidr_addr(const img_cidr_rec *c, pdp_ip *ip)
{
	for (int i = 0; i < 4; i++) {
		ip->b[4 * i] = (uint8_t)c->addr[i];
		ip->b[4 * i + 1] = (uint8_t)(c->addr[i] >> 8);
		ip->b[4 * i + 2] = (uint8_t)(c->addr[i] >> 16);
		ip->b[4 * i + 3] = (uint8_t)(c->addr[i] >> 24);
	}
}

/* Fill err (may be NULL) with code and a printf-style message: the one way
 * a pdp_error is filled, in libpdp (image, evaluator, sessions) and in
 * libpdpc (audit, store), so that every failure of the public API reads
 * alike. Compiler diagnostics have their own path (compiler/diag.h). */
void img_set_error(pdp_error *err, pdp_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* img_set_error, then the code itself, so that a check reads
 * `return img_fail(err, PDP_ERR_..., ...)`. A macro rather than a function
 * so that the static analyzer sees a failure is never PDP_OK; code is
 * evaluated twice (a constant, or a variable already known not PDP_OK). */
#define img_fail(err, code, ...) (img_set_error((err), (code), __VA_ARGS__), (code))

/* Run a step that returns pdp_status; return its status unless PDP_OK. */
#define TRY(expr)                                                          \
	do {                                                                \
		pdp_status st_ = (expr);                                    \
		if (st_ != PDP_OK)                                          \
			return st_;                                         \
	} while (0)

/* On a verifier function that runs once per load, over every record:
 * compiled for size (GCC and clang's `cold`), so that the checks, which
 * are most of the loader's code, leave room in libpdp's text budget
 * (docs/performance.md) for what decisions and embedders run often. */
#if defined(__GNUC__)
#define IMG_LOAD_ONCE __attribute__((cold))
#else
#define IMG_LOAD_ONCE
#endif

/* Every record of every table is owned exactly once (ownership.c): an
 * image whose counts and ranges leave a record to no owner, or to two, is
 * not loaded. Runs after the bounds checks of verify.c; decl is the image
 * whose attribute table types img's conditions (img itself, or a
 * segment's base). */
pdp_status img_verify_ownership(const pdp_image *img, const pdp_image *decl,
                                pdp_error *err);

/* What a record of section s is, for messages ("ACP", "rule"). */
const char *img_section_name(enum img_section s);

/* Load a segment (view.h): one ACP's records, verified like an image
 * except that role and attribute references are checked against base and
 * group references against n_groups. */
pdp_status img_load_segment(const uint8_t *bytes, size_t len,
                            const pdp_image *base, uint32_t n_groups,
                            pdp_image **out, pdp_error *err);

/* A copy of segment seg with originator entries changed (patch.c): entry
 * at[i] becomes kind[i] with value val[i] (ORIG_EXACT with a string id of
 * seg, or ORIG_GROUP with a group index below n_groups). Everything else
 * is shared by value; the result is verified like a loaded segment. */
pdp_status img_segment_patch(const pdp_image *seg, const uint32_t *at,
                             const uint32_t *kind, const uint32_t *val,
                             size_t n, uint32_t n_groups, pdp_image **out,
                             pdp_error *err);

/* pdp_image_load with the identity already read from these bytes (NULL:
 * read it here); with borrow, pdp_image_load_borrowed. */
pdp_status img_load_known(const uint8_t *bytes, size_t len,
                          const img_identity *known, bool borrow,
                          pdp_image **out, pdp_error *err);
/* Look a name up in an index whose records start with a name str. */
uint32_t img_lookup(const pdp_image *img, const hash_index *h,
                    enum img_section s, pdp_str name);

/* A lookup in steps, so that several independent lookups can overlap their
 * cache misses: start (hash, prefetch slot), probe (find the tagged slot,
 * prefetch the key bytes), finish (verify; `hit` is the slot). */
typedef struct img_lookup_op {
	const hash_index *h;
	enum img_section sec;
	pdp_str name;
	uint64_t hash;
	uint32_t slot;
	uint32_t rec;
	const hash_slot *hit; /* after finish: the matching slot, or NULL */
} img_lookup_op;

void img_lookup_start(const pdp_image *img, img_lookup_op *op,
                      const hash_index *h, enum img_section s, pdp_str name);
void img_lookup_probe(const pdp_image *img, img_lookup_op *op);
uint32_t img_lookup_finish(const pdp_image *img, img_lookup_op *op);

#endif
