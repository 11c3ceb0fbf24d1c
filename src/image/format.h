/*
 * format.h - the compiled image layout (format version 1), shared by the
 * emitter (src/compiler/emit.c) and the loader (src/image/load.c).
 * schemas/image.cddl describes the same layout for readers outside C.
 *
 *   image   = [ magic: "pdp-image", version: 1, crc32: uint, body: bstr ]
 *   body    = CBOR array of IMG_SECTION_COUNT byte strings, one per section
 *
 * The checksum is CRC-32 (IEEE) of the body bytes. Section 0 is the string
 * blob (raw bytes); every other section is an array of fixed-size records of
 * little-endian uint32 words (IMG_RECORD_WORDS gives the record width), so an
 * image loads with one pass of bounds checks and no per-item CBOR decoding.
 * "NONE" (0xffffffff) marks an absent index. Every index is checked against
 * its table's size by the loader before anything uses it.
 *
 * Ordering rules that the loader verifies (they make the image acyclic by
 * construction):
 *   - roles are in topological order: every junior's index < the senior's;
 *   - condition nodes are in post-order: every child's index < its parent's;
 *   - ids 0..IMG_BUILTIN_ATTRS-1 of the ATTRS section are the built-ins.
 */
#ifndef PDP_IMAGE_FORMAT_H
#define PDP_IMAGE_FORMAT_H

#include <stdint.h>

#define IMG_MAGIC "pdp-image"
/* One ACP's records compiled for a live store (image/view.h): the same
 * layout, another magic, so neither loads as the other. */
#define IMG_SEGMENT_MAGIC "pdp-segment"
#define IMG_VERSION 1u
#define IMG_NONE 0xffffffffu

enum img_section {
	SEC_STRBLOB = 0,  /* bytes: all strings, back to back */
	SEC_STRTAB,       /* offset, length */
	SEC_ACPS,         /* id str, rn str|NONE, priv_first, priv_count,
	                     self_first, self_count (rule indices),
	                     orig_first, orig_count (the originator entries of
	                     all its rules, contiguous: prefetched with them),
	                     ctx_first, win_first, cidr_first, cond_first (where
	                     its rules' contexts, windows, CIDRs and condition
	                     nodes start: prefetched before the rule walk) */
	SEC_RULES,        /* see enum img_rule_word */
	SEC_ORIGS,        /* kind (img_orig_kind), value (str|group|role) */
	SEC_CONTEXTS,     /* win_first, win_count, ip_first, ip_count,
	                     cc_first, cc_count, circ_first, circ_count */
	SEC_WINDOWS,      /* sec lo,hi, min lo,hi, hour, dom, month, dow,
	                     year[4] as lo,hi pairs (8 words; bit 255 is
	                     SCHED_YEAR_ANY_BIT), source str */
	SEC_CIDRS,        /* 4 words of address bytes (big-endian order within
	                     the 16 bytes, stored as LE words of 4 bytes each),
	                     prefix (0-128) */
	SEC_COUNTRIES,    /* ISO 3166-1 numeric code */
	SEC_CIRCLES,      /* lat, lon, radius as IEEE doubles (lo,hi words) */
	SEC_OBJECTS,      /* ty_first, ty_count, sp_first, sp_count,
	                     ch_first, ch_count */
	SEC_OBJTYPES,     /* resource type integer (ty and chty lists) */
	SEC_OBJSPECS,     /* specialization str */
	SEC_PRINCIPALS,   /* name str, role_first, role_count, group_first,
	                     group_count: every exact originator id the policy
	                     names (assignments, group members) */
	SEC_PRINROLES,    /* role index (assigned roles) */
	SEC_PRINGROUPS,   /* group index (exact memberships) */
	SEC_GROUPS,       /* name str, glob_first, glob_count */
	SEC_GROUPGLOBS,   /* glob str */
	SEC_ROLES,        /* name str, jr_first, jr_count */
	SEC_ROLEJR,       /* role index (direct juniors) */
	SEC_CONSTRAINTS,  /* kind (0 ssd, 1 dsd), name str, n, mem_first,
	                     mem_count */
	SEC_CONSTRMEM,    /* role index */
	SEC_ATTRS,        /* name str, type (pdp_type) */
	SEC_CONDS,        /* op, attr, rhs_kind, rhs, first, count */
	SEC_CONDKIDS,     /* condition node index */
	SEC_INTS,         /* int64 as lo, hi */
	SEC_TIMES,        /* sec lo, sec hi, nsec */
	SEC_LISTITEMS,    /* index into INTS or STRTAB (for `in`) */
	SEC_REGEXES,      /* pattern str */
	SEC_SOURCES,      /* file name str (for rule locations) */
	SEC_HOST,         /* at most one: the hosting CSE's SP-ID str and
	                     CSE-ID str (a policy's `cse:`): originators and
	                     the policy's ids are compared in absolute form
	                     (common/origin.c). Added after the first images:
	                     a body without it has no host. */
	IMG_SECTION_COUNT
};

enum img_rule_word {
	RW_FLAGS = 0,  /* bit 0: deny; bit 1: authenticated required; bit 2: self */
	RW_OPS,        /* operation bitmask 1-63 */
	RW_ORIG_FIRST, RW_ORIG_COUNT,
	RW_CTX_FIRST, RW_CTX_COUNT,
	RW_OBJ_FIRST, RW_OBJ_COUNT,
	RW_COND,       /* root condition node or NONE */
	RW_ID,         /* rule id str or NONE */
	RW_ACP,        /* owning ACP index */
	RW_INDEX,      /* index within privileges or self */
	RW_SOURCE,     /* reserved: NONE (locations stay out of the image so
	                  that moving a rule does not change the bytes) */
	RW_LINE,       /* reserved: 0 */
	RW_WORDS
};

#define RULE_FLAG_DENY 1u
#define RULE_FLAG_AUTH 2u
#define RULE_FLAG_SELF 4u

enum img_orig_kind {
	ORIG_ALL = 0,
	ORIG_EXACT = 1,  /* value: str */
	ORIG_GLOB = 2,   /* value: str */
	ORIG_GROUP = 3,  /* value: group index */
	ORIG_ROLE = 4    /* value: role index */
};

/* Condition operators. Leaves read attribute `attr`; combinators use
 * first/count into CONDKIDS. */
enum img_cond_op {
	COP_TRUE = 0, COP_FALSE,
	COP_ALL, COP_ANY, COP_NOT,
	COP_EQ, COP_NE, COP_LT, COP_LE, COP_GT, COP_GE,
	COP_IN,        /* rhs: LIST, first/count into LISTITEMS */
	COP_CONTAINS,  /* set<string> contains rhs string */
	COP_MATCHES,   /* rhs: REGEX index */
	COP_PREFIX,
	COP_IN_CIDR,   /* first/count into CIDRS */
	COP_PRESENT,   /* rhs: 1 present: true, 0 present: false */
	COP_COUNT
};

enum img_rhs_kind {
	RHS_NONE = 0,
	RHS_LIT = 1,   /* rhs indexes the pool of the attribute's type:
	                  int INTS, string STRTAB, bool 0/1, ip CIDRS (/128),
	                  time TIMES, set: not allowed */
	RHS_ATTR = 2,  /* rhs is another attribute id of the same type */
	RHS_LIST = 3,  /* first/count */
	RHS_REGEX = 4  /* rhs is a REGEXES index */
};

/* Built-in attribute ids (ATTRS section entries 0..5, in this order). */
enum img_builtin_attr {
	BATTR_ORIGINATOR_ID = 0, /* string */
	BATTR_OPERATION,         /* string: operation name */
	BATTR_RESOURCE_TYPE,     /* string: resource type name */
	BATTR_ENV_TIME,          /* time */
	BATTR_ENV_IP,            /* ip */
	BATTR_ENV_COUNTRY,       /* string: alpha-2 when known */
	IMG_BUILTIN_ATTRS
};

/* Words per record of each section (0 for the raw string blob). */
static const uint32_t IMG_RECORD_WORDS[IMG_SECTION_COUNT] = {
	[SEC_STRBLOB] = 0, [SEC_STRTAB] = 2, [SEC_ACPS] = 12,
	[SEC_RULES] = RW_WORDS, [SEC_ORIGS] = 2, [SEC_CONTEXTS] = 8,
	[SEC_WINDOWS] = 17, [SEC_CIDRS] = 5, [SEC_COUNTRIES] = 1,
	[SEC_CIRCLES] = 6, [SEC_OBJECTS] = 6, [SEC_OBJTYPES] = 1,
	[SEC_OBJSPECS] = 1, [SEC_PRINCIPALS] = 5, [SEC_PRINROLES] = 1,
	[SEC_PRINGROUPS] = 1, [SEC_GROUPS] = 3, [SEC_GROUPGLOBS] = 1,
	[SEC_ROLES] = 3, [SEC_ROLEJR] = 1, [SEC_CONSTRAINTS] = 5,
	[SEC_CONSTRMEM] = 1, [SEC_ATTRS] = 2, [SEC_CONDS] = 6,
	[SEC_CONDKIDS] = 1, [SEC_INTS] = 2, [SEC_TIMES] = 3,
	[SEC_LISTITEMS] = 1, [SEC_REGEXES] = 1, [SEC_SOURCES] = 1,
	[SEC_HOST] = 2,
};

#endif
