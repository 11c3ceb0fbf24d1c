/*
 * format.h - the compiled image layout (format version 5), shared by the
 * emitter (src/compiler/emit_lower.c, emit_write.c) and the loader
 * (src/image/load.c: read.c, verify.c, index.c).
 * schemas/image.cddl describes the same layout for readers outside C.
 *
 *   image   = [ magic: "pdp-image", version: 5, crc32: uint, body: bstr ]
 *
 * (version 6 adds the identity after the body: image/identity.h.) Versions
 * 3 and 4 are the same without the section padding (img_section_pad):
 * they load, copying what is not aligned. Versions 1 and 2 are the same
 * envelopes around a body without the DECIDE section (and, for the oldest,
 * without HOST): they still load, and their decisions walk the rules in
 * order.
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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMG_MAGIC "pdp-image"
/* One ACP's records compiled for a live store (image/view.h): the same
 * layout, another magic, so neither loads as the other. */
#define IMG_SEGMENT_MAGIC "pdp-segment"
/* Format 5: as 3, with every record section padded so that its words
 * start on an 8-byte boundary of the image (IMG_SECTION_ALIGN): an image
 * mmapped or read to an aligned buffer is used where it lies
 * (pdp_image_load_borrowed), no section copied. 8, not a cache line: the
 * padding costs at most 7 bytes per section (64 would have tripled a small
 * image), and a copying load puts every section on a line anyway. */
#define IMG_VERSION 5u
/* Format 3: decision records, sections unpadded (identity form: 4). */
#define IMG_VERSION_REC 3u
/* The format before the DECIDE section (its identity form: 2). */
#define IMG_VERSION_OLD 1u
#define IMG_SECTION_ALIGN 8u

/* The zero bytes before a record section's words in format 5: what brings
 * the words at offset `at` of the image to the next IMG_SECTION_ALIGN
 * boundary. The one definition, for the writer and the reader. */
static inline size_t img_section_pad(size_t at)
{
	return (IMG_SECTION_ALIGN - at % IMG_SECTION_ALIGN) % IMG_SECTION_ALIGN;
}
#define IMG_NONE 0xffffffffu

enum img_section {
	SEC_STRBLOB = 0,  /* bytes: all strings, back to back */
	SEC_STRTAB,       /* offset, length */
	SEC_ACPS,         /* img_acp_rec */
	SEC_RULES,        /* img_rule_rec */
	SEC_ORIGS,        /* img_orig_rec */
	SEC_CONTEXTS,     /* img_context_rec */
	SEC_WINDOWS,      /* img_window_rec */
	SEC_CIDRS,        /* img_cidr_rec */
	SEC_COUNTRIES,    /* ISO 3166-1 numeric code */
	SEC_CIRCLES,      /* img_circle_rec */
	SEC_OBJECTS,      /* img_object_rec */
	SEC_OBJTYPES,     /* resource type integer (ty and chty lists) */
	SEC_OBJSPECS,     /* specialization str */
	SEC_PRINCIPALS,   /* img_principal_rec */
	SEC_PRINROLES,    /* role index (assigned roles) */
	SEC_PRINGROUPS,   /* group index (exact memberships) */
	SEC_GROUPS,       /* img_group_rec */
	SEC_GROUPGLOBS,   /* glob str */
	SEC_ROLES,        /* img_role_rec */
	SEC_ROLEJR,       /* role index (direct juniors) */
	SEC_CONSTRAINTS,  /* img_constraint_rec */
	SEC_CONSTRMEM,    /* role index */
	SEC_ATTRS,        /* img_attr_rec */
	SEC_CONDS,        /* img_cond_rec */
	SEC_CONDKIDS,     /* condition node index */
	SEC_INTS,         /* img_int_rec */
	SEC_TIMES,        /* img_time_rec */
	SEC_LISTITEMS,    /* index into INTS or STRTAB (for `in`) */
	SEC_REGEXES,      /* pattern str */
	SEC_SOURCES,      /* file name str (for rule locations) */
	SEC_HOST,         /* img_host_rec, at most one: the hosting CSE's
	                     ids (a policy's `cse:`): originators and
	                     the policy's ids are compared in absolute form
	                     (common/origin.c). Added after the first images:
	                     a body without it has no host. */
	SEC_DECIDE,       /* img_decide_rec, two per ACP (privileges, self):
	                     the decision structure. Format 3 on; the
	                     bodies of formats 1 and 2 end before it. */
	IMG_SECTION_COUNT
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

/*
 * Condition operators: the one table of their numbers and names (the
 * policy's spelling, used by the compiler's reader and its messages, the
 * dump and the audit). X(enum, name, form): form COP_FORM_LEAF is an
 * operator a policy writes as `{op: [attr, value]}` (it reads attribute
 * `attr`), COP_FORM_LOGIC a combinator (first/count into CONDKIDS) or a
 * constant. The enum below is generated from this list, so a name can only
 * sit at its operator's number; the numbers are part of the image format:
 * add new operators at the end.
 */
#define IMG_COND_OPS(X)                                                     \
	X(COP_TRUE, "true", COP_FORM_LOGIC)                                  \
	X(COP_FALSE, "false", COP_FORM_LOGIC)                                \
	X(COP_ALL, "all", COP_FORM_LOGIC)                                    \
	X(COP_ANY, "any", COP_FORM_LOGIC)                                    \
	X(COP_NOT, "not", COP_FORM_LOGIC)                                    \
	X(COP_EQ, "eq", COP_FORM_LEAF)                                       \
	X(COP_NE, "ne", COP_FORM_LEAF)                                       \
	X(COP_LT, "lt", COP_FORM_LEAF)                                       \
	X(COP_LE, "le", COP_FORM_LEAF)                                       \
	X(COP_GT, "gt", COP_FORM_LEAF)                                       \
	X(COP_GE, "ge", COP_FORM_LEAF)                                       \
	X(COP_IN, "in", COP_FORM_LEAF)             /* rhs: LIST into LISTITEMS */ \
	X(COP_CONTAINS, "contains", COP_FORM_LEAF) /* set<string> has rhs */  \
	X(COP_MATCHES, "matches", COP_FORM_LEAF)   /* rhs: REGEX index */     \
	X(COP_PREFIX, "prefix", COP_FORM_LEAF)                               \
	X(COP_IN_CIDR, "in_cidr", COP_FORM_LEAF)   /* first/count into CIDRS */ \
	X(COP_PRESENT, "present", COP_FORM_LEAF)   /* rhs: 1 present: true,  \
	                                              0 present: false */

enum img_cond_form { COP_FORM_LOGIC = 0, COP_FORM_LEAF = 1 };

enum img_cond_op {
#define IMG_COND_OP_ENUM(e, name, form) e,
	IMG_COND_OPS(IMG_COND_OP_ENUM)
#undef IMG_COND_OP_ENUM
	COP_COUNT
};

typedef struct img_cond_op_desc {
	const char *name;
	enum img_cond_form form;
} img_cond_op_desc;

/* Operator op's name and form; {"?", COP_FORM_LOGIC} for a number that is
 * no operator. */
static inline const img_cond_op_desc *img_cond_op(uint32_t op)
{
	static const img_cond_op_desc ops[] = {
#define IMG_COND_OP_DESC(e, name, form) [e] = {name, form},
		IMG_COND_OPS(IMG_COND_OP_DESC)
#undef IMG_COND_OP_DESC
	};
	static const img_cond_op_desc bad = {"?", COP_FORM_LOGIC};
	_Static_assert(sizeof(ops) / sizeof(ops[0]) == COP_COUNT,
	               "one entry per condition operator");
	return op < COP_COUNT ? &ops[op] : &bad;
}

static inline const char *img_cond_op_name(uint32_t op)
{
	return img_cond_op(op)->name;
}

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

/*
 * The records. Each multi-word section's record is a struct of uint32
 * words in file order: the struct is where a word is named, and the only
 * place (the emitter fills it with designated initializers, readers go
 * through the accessors of image/image.h, and IMG_RECORD_WORDS is its
 * size). Adding a word is one line here; the compiler then finds every
 * writer that does not set it by name. Sections of one word per record
 * (lists of indices, strings or codes) have no struct: img_word() reads
 * them.
 */
#define IMG_WORDS_OF(type) ((uint32_t)(sizeof(type) / sizeof(uint32_t)))

typedef struct img_strtab_rec {
	uint32_t off, len;            /* bytes in the string blob */
} img_strtab_rec;

typedef struct img_acp_rec {
	uint32_t id;                  /* str */
	uint32_t rn;                  /* str or NONE */
	uint32_t priv_first, priv_count; /* rule indices: privileges */
	uint32_t self_first, self_count; /* rule indices: selfPrivileges */
	uint32_t orig_first, orig_count; /* the originator entries of all its
	                                    rules, contiguous: prefetched with
	                                    them */
	/* where its rules' contexts, windows, CIDRs and condition nodes
	 * start: prefetched before the rule walk */
	uint32_t ctx_first, win_first, cidr_first, cond_first;
} img_acp_rec;

typedef struct img_rule_rec {
	uint32_t flags;               /* RULE_FLAG_* */
	uint32_t ops;                 /* operation bitmask 1-63 */
	uint32_t orig_first, orig_count;  /* ORIGS */
	uint32_t ctx_first, ctx_count;    /* CONTEXTS */
	uint32_t obj_first, obj_count;    /* OBJECTS */
	uint32_t cond;                /* root condition node or NONE */
	uint32_t id;                  /* rule id str or NONE */
	uint32_t acp;                 /* owning ACP index */
	uint32_t index;               /* index within privileges or self */
	uint32_t source;              /* reserved: NONE (locations stay out of
	                                 the image so that moving a rule does
	                                 not change the bytes) */
	uint32_t line;                /* reserved: 0 */
} img_rule_rec;

typedef struct img_orig_rec {
	uint32_t kind;                /* img_orig_kind */
	uint32_t value;               /* str, group index or role index */
} img_orig_rec;

typedef struct img_context_rec {
	uint32_t win_first, win_count;    /* WINDOWS */
	uint32_t ip_first, ip_count;      /* CIDRS */
	uint32_t cc_first, cc_count;      /* COUNTRIES */
	uint32_t circ_first, circ_count;  /* CIRCLES */
} img_context_rec;

/* A schedule window (common/prims.h sched), 64-bit masks as lo,hi pairs. */
typedef struct img_window_rec {
	uint32_t sec[2], min[2];
	uint32_t hour, dom, month, dow;
	uint32_t year[8];             /* SCHED_YEAR_WORDS masks; bit 255 is
	                                 SCHED_YEAR_ANY_BIT */
	uint32_t source;              /* the window's text, str or NONE */
} img_window_rec;

typedef struct img_cidr_rec {
	uint32_t addr[4];             /* the 16 address bytes in order, four
	                                 to a little-endian word */
	uint32_t prefix;              /* 0-128 */
} img_cidr_rec;

typedef struct img_circle_rec {
	uint32_t lat[2], lon[2], radius[2]; /* IEEE doubles, lo,hi words */
} img_circle_rec;

typedef struct img_object_rec {
	uint32_t ty_first, ty_count;  /* OBJTYPES: resource types */
	uint32_t sp_first, sp_count;  /* OBJSPECS: specializations */
	uint32_t ch_first, ch_count;  /* OBJTYPES: child types */
} img_object_rec;

/* Every exact originator id the policy names (assignments, group
 * members, exact originator entries). */
typedef struct img_principal_rec {
	uint32_t name;                /* str */
	uint32_t role_first, role_count;   /* PRINROLES: assigned roles */
	uint32_t group_first, group_count; /* PRINGROUPS: exact memberships */
} img_principal_rec;

typedef struct img_group_rec {
	uint32_t name;                /* str */
	uint32_t glob_first, glob_count;   /* GROUPGLOBS */
} img_group_rec;

typedef struct img_role_rec {
	uint32_t name;                /* str */
	uint32_t jr_first, jr_count;  /* ROLEJR: direct juniors */
} img_role_rec;

#define CONSTRAINT_SSD 0u
#define CONSTRAINT_DSD 1u

typedef struct img_constraint_rec {
	uint32_t kind;                /* CONSTRAINT_SSD or CONSTRAINT_DSD */
	uint32_t name;                /* str */
	uint32_t n;                   /* at most n-1 of the roles together */
	uint32_t mem_first, mem_count;     /* CONSTRMEM */
} img_constraint_rec;

typedef struct img_attr_rec {
	uint32_t name;                /* str */
	uint32_t type;                /* pdp_type */
} img_attr_rec;

/* Leaves read attribute `attr`; combinators use first/count into
 * CONDKIDS, `in` and `in_cidr` into LISTITEMS or CIDRS. */
typedef struct img_cond_rec {
	uint32_t op;                  /* img_cond_op */
	uint32_t attr;                /* attribute id or NONE */
	uint32_t rhs_kind;            /* img_rhs_kind */
	uint32_t rhs;                 /* see img_rhs_kind */
	uint32_t first, count;
} img_cond_rec;

typedef struct img_int_rec {
	uint32_t v[2];                /* int64 as lo, hi */
} img_int_rec;

typedef struct img_time_rec {
	uint32_t sec[2];              /* int64 seconds as lo, hi */
	uint32_t nsec;
} img_time_rec;

typedef struct img_host_rec {
	uint32_t sp, cse;             /* SP-ID str, CSE-ID str */
} img_host_rec;

/*
 * The decision structure of one rule section (privileges or
 * selfPrivileges) of one ACP: record 2 * acp + (self ? 1 : 0) of DECIDE,
 * so a segment's records sit in the segment, and its address is known as
 * soon as the ACP's index is (no extra dependent load). Bit j of a mask is
 * rule j of the section. A decision takes the mask of its operation:
 * first the deny rules in it, in order (the first that holds or may hold
 * decides), then the permit rules, in order, up to the first that holds;
 * rules of other operations are never read. A section of more than
 * IMG_DECIDE_MAX_RULES rules has DECIDE_WIDE and zero masks: its rules are
 * walked in order, and DECIDE_NO_DENY still lets that walk stop at the
 * first permit. The loader recomputes every record from the rules and
 * refuses an image whose records differ.
 */
#define IMG_DECIDE_MAX_RULES 64u
#define DECIDE_WIDE 1u                /* more than 64 rules: masks unused */
#define DECIDE_NO_DENY 2u             /* the section has no deny rule */
#define IMG_DECIDE_OPS 6u             /* operation bits 1, 2, 4, 8, 16, 32 */

typedef struct img_decide_rec {
	uint32_t flags;               /* DECIDE_* */
	uint32_t n;                   /* rules in the section */
	uint32_t deny[2];             /* deny rules, lo, hi */
	uint32_t ops[IMG_DECIDE_OPS][2]; /* [k]: rules of operation bit k */
} img_decide_rec;

/* The decision record of the n rules of one section starting at rules:
 * what the compiler writes and what the loader demands (the one
 * definition). */
static inline img_decide_rec img_decide_of(const img_rule_rec *rules,
                                           uint32_t n)
{
	img_decide_rec d = {.n = n};
	uint64_t deny = 0, ops[IMG_DECIDE_OPS] = {0};
	bool any_deny = false;
	for (uint32_t j = 0; j < n; j++) {
		bool is_deny = (rules[j].flags & RULE_FLAG_DENY) != 0;
		any_deny |= is_deny;
		if (n > IMG_DECIDE_MAX_RULES)
			continue;
		uint64_t bit = (uint64_t)1 << j;
		if (is_deny)
			deny |= bit;
		for (uint32_t k = 0; k < IMG_DECIDE_OPS; k++)
			if (rules[j].ops & (1u << k))
				ops[k] |= bit;
	}
	d.flags = (n > IMG_DECIDE_MAX_RULES ? DECIDE_WIDE : 0u) |
	          (any_deny ? 0u : DECIDE_NO_DENY);
	d.deny[0] = (uint32_t)deny;
	d.deny[1] = (uint32_t)(deny >> 32);
	for (uint32_t k = 0; k < IMG_DECIDE_OPS; k++) {
		d.ops[k][0] = (uint32_t)ops[k];
		d.ops[k][1] = (uint32_t)(ops[k] >> 32);
	}
	return d;
}

/* Words per record of each section (0 for the raw string blob). */
static const uint32_t IMG_RECORD_WORDS[IMG_SECTION_COUNT] = {
	[SEC_STRBLOB] = 0,
	[SEC_STRTAB] = IMG_WORDS_OF(img_strtab_rec),
	[SEC_ACPS] = IMG_WORDS_OF(img_acp_rec),
	[SEC_RULES] = IMG_WORDS_OF(img_rule_rec),
	[SEC_ORIGS] = IMG_WORDS_OF(img_orig_rec),
	[SEC_CONTEXTS] = IMG_WORDS_OF(img_context_rec),
	[SEC_WINDOWS] = IMG_WORDS_OF(img_window_rec),
	[SEC_CIDRS] = IMG_WORDS_OF(img_cidr_rec),
	[SEC_COUNTRIES] = 1,
	[SEC_CIRCLES] = IMG_WORDS_OF(img_circle_rec),
	[SEC_OBJECTS] = IMG_WORDS_OF(img_object_rec),
	[SEC_OBJTYPES] = 1,
	[SEC_OBJSPECS] = 1,
	[SEC_PRINCIPALS] = IMG_WORDS_OF(img_principal_rec),
	[SEC_PRINROLES] = 1,
	[SEC_PRINGROUPS] = 1,
	[SEC_GROUPS] = IMG_WORDS_OF(img_group_rec),
	[SEC_GROUPGLOBS] = 1,
	[SEC_ROLES] = IMG_WORDS_OF(img_role_rec),
	[SEC_ROLEJR] = 1,
	[SEC_CONSTRAINTS] = IMG_WORDS_OF(img_constraint_rec),
	[SEC_CONSTRMEM] = 1,
	[SEC_ATTRS] = IMG_WORDS_OF(img_attr_rec),
	[SEC_CONDS] = IMG_WORDS_OF(img_cond_rec),
	[SEC_CONDKIDS] = 1,
	[SEC_INTS] = IMG_WORDS_OF(img_int_rec),
	[SEC_TIMES] = IMG_WORDS_OF(img_time_rec),
	[SEC_LISTITEMS] = 1,
	[SEC_REGEXES] = 1,
	[SEC_SOURCES] = 1,
	[SEC_HOST] = IMG_WORDS_OF(img_host_rec),
	[SEC_DECIDE] = IMG_WORDS_OF(img_decide_rec),
};

/* Format version 3 widths: a struct above that changes size changes the
 * format, which must then change IMG_VERSION too. The decision record is
 * one cache line. */
_Static_assert(sizeof(img_acp_rec) == 12 * 4 && sizeof(img_rule_rec) == 14 * 4 &&
               sizeof(img_window_rec) == 17 * 4 &&
               sizeof(img_context_rec) == 8 * 4 && sizeof(img_cidr_rec) == 5 * 4 &&
               sizeof(img_circle_rec) == 6 * 4 && sizeof(img_object_rec) == 6 * 4 &&
               sizeof(img_principal_rec) == 5 * 4 &&
               sizeof(img_constraint_rec) == 5 * 4 && sizeof(img_cond_rec) == 6 * 4 &&
               sizeof(img_time_rec) == 3 * 4 && sizeof(img_decide_rec) == 64,
               "record widths of image format version 3");

#endif
