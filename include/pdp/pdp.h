/*
 * pdp.h - the pdp evaluator (libpdp): load a compiled policy image, decide.
 *
 * Conventions
 * -----------
 * - Ownership: every object this header creates is released by the matching
 *   *_free / *_release call. Pointers passed in (requests, strings) are only
 *   read during the call and never kept, except where a function says so.
 * - Strings: pdp_str is a pointer and a length; strings are compared byte for
 *   byte and are never assumed to be NUL-terminated. A pdp_str whose ptr is
 *   NULL is "absent".
 * - Images are immutable after pdp_image_load and may be shared by any number
 *   of threads. Reference counting (pdp_image_retain / pdp_image_release) lets
 *   a CSE swap in a new image while other threads still decide on the old one.
 * - Scratch: a decision needs a little per-thread working memory (PCRE2 match
 *   data). Without a scratch (NULL), `matches` conditions are indeterminate. Each thread creates one pdp_scratch per image with pdp_scratch_new
 *   and passes it to every decision; a scratch is not shared between threads.
 * - pdp_decide never allocates, takes no lock, uses a bounded stack, and reads
 *   no clock: time is an input.
 * - Errors: functions return a pdp_status; where an error struct is accepted
 *   (it may be NULL) it is filled with the code and a message for a person.
 *   The library never prints and never exits.
 * - Fail closed: anything the evaluator cannot decide yields PDP_DENY with a
 *   reason; pdp_decide itself never fails open.
 */
#ifndef PDP_PDP_H
#define PDP_PDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PDP_BUILDING) && defined(__GNUC__)
#define PDP_API __attribute__((visibility("default")))
#else
#define PDP_API
#endif

/* The version of this header (docs/abi.md): MAJOR.MINOR.PATCH. */
#define PDP_VERSION_MAJOR 0
#define PDP_VERSION_MINOR 1
#define PDP_VERSION_PATCH 0
#define PDP_VERSION_STRING "0.1.0"
/* One number that orders versions: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define PDP_VERSION_NUMBER                                                    \
	(PDP_VERSION_MAJOR * 10000 + PDP_VERSION_MINOR * 100 + PDP_VERSION_PATCH)

/* The version of the library actually linked, "MAJOR.MINOR.PATCH" (static
 * storage); compare with PDP_VERSION_STRING, the header's. */
PDP_API const char *pdp_version(void);

/* Stable error codes. Numbers never change meaning between releases. */
typedef enum pdp_status {
	PDP_OK = 0,
	PDP_ERR_ARG = 1,            /* invalid argument (NULL, bad size) */
	PDP_ERR_NOMEM = 2,          /* allocation failed */
	PDP_ERR_FORMAT = 3,         /* image is not a pdp image (CBOR shape, magic) */
	PDP_ERR_VERSION = 4,        /* image format version not supported */
	PDP_ERR_CHECKSUM = 5,       /* image body does not match its checksum */
	PDP_ERR_INVALID = 6,        /* image fails semantic validation */
	PDP_ERR_LIMIT = 7,          /* a named limit would be exceeded */
	PDP_ERR_REGEX = 8,          /* a pattern failed to compile at load */
	PDP_ERR_NOT_FOUND = 9,      /* no such name (role, ACP, attribute) */
	PDP_ERR_NOT_AUTHORIZED = 10, /* session: role not authorized for user */
	PDP_ERR_DSD = 11,           /* session: activation would violate DSD */
	PDP_ERR_BUFFER = 12,        /* reserved: no call returns it (calls that
	                               fill a buffer return the size they
	                               need, snprintf-style); the value stays
	                               so that codes keep their numbers */
	PDP_ERR_SIGNATURE = 13,     /* image unsigned or not signed by a
	                               trusted key (trust.h) */
	PDP_ERR_ROLLBACK = 14,      /* image revision below the minimum */
	PDP_ERR_SYNTAX = 15         /* text is not the value asked for
	                               (pdp_time_parse, pdp_ip_parse) */
} pdp_status;

/* Filled by calls that can fail; message is NUL-terminated. */
typedef struct pdp_error {
	pdp_status code;
	char message[256];
} pdp_error;

/* A counted byte string. ptr == NULL means absent. */
typedef struct pdp_str {
	const char *ptr;
	size_t len;
} pdp_str;

/* oneM2M operations (the acop bits). A request carries exactly one. */
enum {
	PDP_OP_CREATE = 1,
	PDP_OP_RETRIEVE = 2,
	PDP_OP_UPDATE = 4,
	PDP_OP_DELETE = 8,
	PDP_OP_NOTIFY = 16,
	PDP_OP_DISCOVER = 32,
	PDP_OP_ALL = 63
};

/* Attribute types, as declared in the policy's `attributes:`. */
typedef enum pdp_type {
	PDP_TYPE_NONE = 0,
	PDP_TYPE_INT = 1,
	PDP_TYPE_STRING = 2,
	PDP_TYPE_BOOL = 3,
	PDP_TYPE_IP = 4,
	PDP_TYPE_TIME = 5,
	PDP_TYPE_SET = 6 /* set<string> */
} pdp_type;

/* UTC instant: seconds since 1970-01-01T00:00:00Z plus nanoseconds. Every
 * sec is a date (proleptic Gregorian); a time whose nsec is out of range
 * makes the windows and comparisons that read it indeterminate. */
typedef struct pdp_time {
	int64_t sec;
	int32_t nsec; /* 0 .. 999999999 */
} pdp_time;

/* An IP address as 16 bytes; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d). */
typedef struct pdp_ip {
	uint8_t b[16];
} pdp_ip;

/* A typed attribute value. A value whose type differs from the declared
 * type makes every comparison that reads it indeterminate (fail safe). */
typedef struct pdp_value {
	pdp_type type;
	union {
		int64_t i;
		pdp_str s;
		bool b;
		pdp_ip ip;
		pdp_time t;
		struct {
			const pdp_str *items;
			size_t count;
		} set;
	} u;
} pdp_value;

/* One request attribute: id from pdp_attr_id, and its value. */
typedef struct pdp_attr {
	uint32_t id;
	pdp_value value;
} pdp_attr;

#define PDP_NONE UINT32_MAX

/* A decision request (docs/language.md section 10). Initialise it with
 * pdp_request_init (or zero it), then set what the request has.
 * ABI (docs/abi.md): later versions only append fields. struct_size says
 * which layout the caller was compiled with; the library reads no field
 * beyond it, and denies (bad-request, PDP_BAD_STRUCT_SIZE) a request from a
 * newer header than its own, whose fields it cannot honour. */
typedef struct pdp_request {
	uint32_t struct_size;     /* sizeof(pdp_request) of the caller's header,
	                             set by pdp_request_init; 0 (a zeroed
	                             request) is the layout of version 0.1 */
	pdp_str originator;       /* required; well-formed UTF-8 */
	const pdp_str *roles;     /* activated roles, when roles_given */
	size_t n_roles;
	bool roles_given;         /* false: the originator's assigned roles */
	bool authenticated;
	uint32_t operation;       /* one PDP_OP_* bit */
	const pdp_str *acps;      /* target accessControlPolicyIDs */
	size_t n_acps;
	const uint32_t *acp_ids;  /* optional, n_acps entries: the same ACPs
	                             resolved once with pdp_acp_index (PDP_NONE
	                             for an unknown one); when set, acps is not
	                             read and may be NULL. Ids belong to the
	                             image they came from: resolve again after
	                             swapping images */
	int32_t type;             /* target resource type (oneM2M int), -1 absent */
	int32_t child_type;       /* for create: type being created, -1 absent */
	pdp_str specialization;   /* flexContainer specialization, ptr NULL absent */
	bool self;                /* addresses the ACP itself: self rules apply */
	bool has_time;
	pdp_time time;
	bool has_ip;
	pdp_ip ip;
	pdp_str country;          /* ISO 3166-1 alpha-2 or numeric; NULL absent */
	bool has_location;
	double lat, lon;          /* degrees */
	const pdp_attr *attrs;
	size_t n_attrs;
} pdp_request;

/* Initialise a request to "nothing present" (type and child_type -1) and
 * record the caller's struct size. Call it through the macro, which passes
 * sizeof as the caller's header knows it. */
PDP_API void pdp_request_init_sized(pdp_request *req, size_t size);
#define pdp_request_init(req) pdp_request_init_sized((req), sizeof(*(req)))

typedef enum pdp_effect {
	PDP_DENY = 0,
	PDP_PERMIT = 1
} pdp_effect;

/* Why a decision came out as it did (the reason token, docs/language.md section 11). */
typedef enum pdp_reason {
	PDP_REASON_RULE = 0,                /* rule:<acp>:<privileges|self>:<i> */
	PDP_REASON_NO_ACP = 1,
	PDP_REASON_UNKNOWN_ACP = 2,
	PDP_REASON_ROLE_NOT_AUTHORIZED = 3,
	PDP_REASON_DSD_VIOLATION = 4,
	PDP_REASON_NO_RULE_MATCHED = 5,
	PDP_REASON_BAD_REQUEST = 6,
	PDP_REASON_SESSION_ROLE_REMOVED = 7 /* a session's active role no
	                                       longer exists in the image it
	                                       was rebound to */
} pdp_reason;

/* What went wrong in a bad request (detail of PDP_REASON_BAD_REQUEST). */
typedef enum pdp_bad {
	PDP_BAD_NONE = 0,
	PDP_BAD_NO_ORIGINATOR = 1,
	PDP_BAD_OPERATION = 2,   /* not exactly one known operation bit */
	PDP_BAD_NO_SCRATCH = 3,  /* scratch made for another image */
	PDP_BAD_ARGUMENT = 4,    /* NULL pointer, count without array */
	PDP_BAD_LIMIT = 5,       /* too many roles, ACPs or attributes */
	PDP_BAD_ENCODING = 6,    /* originator is not well-formed UTF-8 */
	PDP_BAD_STRUCT_SIZE = 7  /* pdp_request from another header (ABI) */
} pdp_bad;

typedef struct pdp_decision {
	pdp_effect effect;
	pdp_reason reason;
	uint32_t acp;          /* RULE: image ACP index; UNKNOWN_ACP: index into
	                          request acps; else PDP_NONE */
	bool self;             /* RULE: the rule is a self (pvs) rule */
	uint32_t rule;         /* RULE: index within privileges or self */
	bool indeterminate;    /* RULE: a deny rule denied because a test could
	                          not be decided */
	uint32_t detail;       /* ROLE_NOT_AUTHORIZED: index into request roles;
	                          DSD_VIOLATION: DSD constraint index;
	                          BAD_REQUEST: a pdp_bad; else PDP_NONE */
} pdp_decision;

typedef struct pdp_image pdp_image;
typedef struct pdp_scratch pdp_scratch;

/*
 * Load and validate an image. The bytes are untrusted: every count, index and
 * offset is checked, and on any problem nothing is loaded (*out stays NULL)
 * and err says what is wrong. The bytes are copied; the caller keeps them.
 * The new image has one reference.
 */
PDP_API pdp_status pdp_image_load(const uint8_t *bytes, size_t len,
                                  pdp_image **out, pdp_error *err);

/*
 * Load and validate an image without copying it: the image reads its
 * tables where they lie in bytes (for example a file the caller mapped
 * with mmap), so loading costs the checks and the derived tables, not a
 * second copy of the image. Validated exactly as pdp_image_load; the same
 * errors, and on any of them nothing is kept.
 *
 * Lifetime: the image borrows bytes. The caller keeps them valid, readable
 * and unchanged until the image's last reference is gone (the last
 * pdp_image_release or pdp_image_free; every scratch made for the image
 * holds a reference until pdp_scratch_free). Writing to them or unmapping
 * them earlier is undefined behaviour: the validation would no longer hold
 * for what a decision reads. A mapped file must therefore never be
 * rewritten in place while mapped; replace it by rename (as `pdp compile
 * -o` does), and the mapping keeps the old file.
 *
 * Where the host cannot read a table in place (a big-endian host, or a
 * table whose 32-bit words are not 4-byte aligned in memory), that table is
 * copied; the result is the same image. bytes from mmap (page aligned) or
 * malloc suit it.
 */
PDP_API pdp_status pdp_image_load_borrowed(const uint8_t *bytes, size_t len,
                                           pdp_image **out, pdp_error *err);

/* Take another reference (thread-safe). Returns img. */
PDP_API pdp_image *pdp_image_retain(pdp_image *img);

/* Drop a reference (thread-safe); the last one frees. NULL is ignored. */
PDP_API void pdp_image_release(pdp_image *img);

/* Same as pdp_image_release: for callers that never retain. */
PDP_API void pdp_image_free(pdp_image *img);

/*
 * Create per-thread scratch for decisions on img (PCRE2 match data with its
 * backtracking frames allocated up front, the match limits and the step
 * budget of every regex search). The scratch holds a reference to img
 * until pdp_scratch_free.
 */
PDP_API pdp_status pdp_scratch_new(pdp_image *img, pdp_scratch **out,
                                   pdp_error *err);
PDP_API void pdp_scratch_free(pdp_scratch *s);

/*
 * Create per-thread scratch that fits every image, sized for the largest
 * pattern the limits allow (docs/limits.md): for threads that decide on
 * images which change under them, such as a live store's (store.h). It
 * holds no image reference.
 */
PDP_API pdp_status pdp_scratch_new_any(pdp_scratch **out, pdp_error *err);

/*
 * Decide a request. Always fills *out; the effect is PDP_PERMIT only when a
 * permit rule held and no deny rule held or was indeterminate. Returns PDP_OK,
 * or PDP_ERR_ARG when img or out is NULL (then nothing can be filled). A
 * malformed request is a deny with PDP_REASON_BAD_REQUEST, not an error.
 */
PDP_API pdp_status pdp_decide(const pdp_image *img, pdp_scratch *scratch,
                              const pdp_request *req, pdp_decision *out);

/*
 * Decide n requests at once: out[i] is exactly what pdp_decide(img,
 * scratch, reqs[i], &out[i]) gives (a NULL reqs[i] is a bad request), and
 * a decision log hook of the scratch sees each in order. The call
 * interleaves the requests: while one is decided, the hash lookups of the
 * next ones are started and what they will read is prefetched, so that on
 * an image larger than the caches the memory waits of several requests
 * overlap (docs/performance.md). No allocation; the stack use is bounded
 * and independent of n. Returns PDP_OK (n == 0 included), or PDP_ERR_ARG
 * when img, reqs or out is NULL and n > 0 (nothing is filled).
 */
PDP_API pdp_status pdp_decide_batch(const pdp_image *img, pdp_scratch *scratch,
                                    const pdp_request *const *reqs, size_t n,
                                    pdp_decision *out);

/*
 * Write the reason token of d (e.g. "rule:acp-meter:privileges:0", "no-acp")
 * into buf, NUL-terminated, followed by " <rule id>" when with_rule_id and the
 * rule has an id. Returns the length the full text needs (excluding the NUL),
 * like snprintf; a result >= size means it was cut.
 */
PDP_API size_t pdp_reason_format(const pdp_image *img, const pdp_decision *d,
                                 bool with_rule_id, char *buf, size_t size);

/* The bare token of a reason code ("no-acp", ...; "rule" for RULE). */
PDP_API const char *pdp_reason_name(pdp_reason r);

/*
 * Explain: the same decision as pdp_decide, and on the way a trace of every
 * rule of the target ACPs (privileges or self, as the request addresses),
 * in the order they are evaluated, each with the result of each of its
 * tests. For audit tools and a "why" view (`pdp explain` is built on it);
 * a CSE's hot path calls pdp_decide, which skips the rules the operation
 * rules out.
 */

/* The result of one test of a rule. */
typedef enum pdp_test {
	PDP_TEST_FAILED = 0,
	PDP_TEST_HELD = 1,
	PDP_TEST_INDETERMINATE = 2   /* could not be decided (see undecidable,
	                                missing_attr): never grants, lets a
	                                deny rule deny */
} pdp_test;

/* Why a context or condition could not be decided: bits of
 * pdp_rule_trace.undecidable. */
enum {
	PDP_UNDECIDABLE_TIME = 1,        /* a window, but no env.time */
	PDP_UNDECIDABLE_IP = 2,          /* an ipAddresses context, no env.ip */
	PDP_UNDECIDABLE_COUNTRY = 4,     /* no valid env.country */
	PDP_UNDECIDABLE_LOCATION = 8,    /* no valid env.location */
	PDP_UNDECIDABLE_REGEX_LIMIT = 16, /* a regex hit its step or length
	                                     limit */
	PDP_UNDECIDABLE_NO_SCRATCH = 32  /* a regex, but no scratch */
};

/* One rule as the evaluator saw it. Valid during the callback only; the
 * strings point into the image and live as long as it does. */
typedef struct pdp_rule_trace {
	uint32_t acp;             /* image ACP index (pdp_acp_name) */
	bool self;                /* a self rule (else privileges) */
	uint32_t rule;            /* index within privileges or self */
	pdp_effect effect;        /* what the rule grants or denies */
	pdp_str id;               /* the rule's id; ptr NULL when it has none */
	pdp_test operations;      /* held or failed */
	pdp_test originators;     /* held or failed */
	pdp_test authenticated;   /* held or failed (held when not required) */
	pdp_test objects;         /* held or failed */
	pdp_test contexts;        /* may be indeterminate */
	pdp_test when;            /* may be indeterminate */
	pdp_test result;          /* held: the rule applies */
	uint32_t missing_attr;    /* the first attribute that made `when`
	                             indeterminate (pdp_attr_name), or
	                             PDP_NONE */
	bool wrong_type;          /* missing_attr was given with another type
	                             than declared (else it was absent) */
	uint32_t undecidable;     /* PDP_UNDECIDABLE_* bits */
} pdp_rule_trace;

/* Receives each rule of the trace; ctx is pdp_explain's. */
typedef void (*pdp_trace_fn)(void *ctx, const pdp_rule_trace *rule);

/*
 * Decide req as pdp_decide does (same *out, same return) and call on_rule
 * for every rule evaluated. No allocation: the trace entry lives on the
 * stack during the callback. A request that is refused before any rule is
 * read (bad request, no ACP, unknown ACP, role not authorized, DSD) calls
 * on_rule never. on_rule NULL is pdp_decide.
 */
PDP_API pdp_status pdp_explain(const pdp_image *img, pdp_scratch *scratch,
                               const pdp_request *req, pdp_decision *out,
                               pdp_trace_fn on_rule, void *ctx);

/* Name lookups, for resolving once up front. Return PDP_NONE if absent. */
PDP_API uint32_t pdp_attr_id(const pdp_image *img, pdp_str name);
PDP_API pdp_type pdp_attr_type(const pdp_image *img, uint32_t attr_id);
PDP_API uint32_t pdp_acp_index(const pdp_image *img, pdp_str id);

/* Counts and names, for listing what an image holds. Names point into the
 * image and live as long as it does. */
PDP_API uint32_t pdp_acp_count(const pdp_image *img);
PDP_API pdp_str pdp_acp_name(const pdp_image *img, uint32_t acp);
PDP_API uint32_t pdp_attr_count(const pdp_image *img);
PDP_API pdp_str pdp_attr_name(const pdp_image *img, uint32_t attr_id);

/* Operation name ("retrieve") for one bit, or NULL. */
PDP_API const char *pdp_operation_name(uint32_t op_bit);
/* Operation bit for a name ("create", "retrieve", "update", "delete",
 * "notify", "discover": lower case, exactly), or 0. A few instructions:
 * cheap enough to call for every request. */
PDP_API uint32_t pdp_operation_from_name(pdp_str name);

/*
 * Request values from text, by the rules of the CLI and of the request
 * reader (docs/language.md section 10), so that a CSE that receives times
 * and addresses as text needs no parser of its own. Neither allocates,
 * locks or reads the clock; text need not be NUL-terminated and is read
 * only within text.len. Both return PDP_OK and fill *out; PDP_ERR_ARG when
 * out is NULL; PDP_ERR_SYNTAX when the text is not such a value: then *out
 * is unchanged and err (may be NULL) says what is wrong and at which byte
 * ("at byte 11: time: hour 24 is out of range 00-23"). An error costs a
 * formatted message; the success path formats nothing.
 *
 * pdp_time_parse: an RFC 3339 date-time, YYYY-MM-DDTHH:MM:SS[.frac] then
 * Z or +HH:MM / -HH:MM ('t' or ' ' for 'T', 'z' for 'Z' also accepted),
 * 1 to 9 fraction digits, years 0000-9999, the day checked against its
 * month, no leap second (60). The result is UTC.
 */
PDP_API pdp_status pdp_time_parse(pdp_str text, pdp_time *out,
                                  pdp_error *err);

/*
 * pdp_ip_parse: an IPv4 dotted quad ("10.1.2.3", four decimal parts, no
 * leading zeros) or an IPv6 text address (RFC 4291 forms, with "::" and an
 * embedded dotted quad; no zone "%eth0", no brackets, no prefix "/64").
 * IPv4 is stored IPv4-mapped (::ffff:a.b.c.d), as pdp_request.ip expects.
 */
PDP_API pdp_status pdp_ip_parse(pdp_str text, pdp_ip *out, pdp_error *err);

/*
 * Sessions (ANSI RBAC CreateSession / AddActiveRole / DropActiveRole /
 * CheckAccess) in caller-provided memory: pdp_session_size(img) bytes,
 * aligned for any object (malloc, or alignas(max_align_t) storage); the
 * size is enough for any image, so a session can be rebound to another. The
 * session keeps pointers to img (which must outlive its use by the session)
 * and copies the user id only by reference: user.ptr must stay valid while
 * the session is used. A session is used by one thread at a time; it needs
 * no free.
 */
typedef struct pdp_session pdp_session;

PDP_API size_t pdp_session_size(const pdp_image *img);

/* Start a session for user with no active role. */
PDP_API pdp_status pdp_session_init(void *mem, size_t size,
                                    const pdp_image *img, pdp_str user,
                                    pdp_session **out, pdp_error *err);

/* Activate role. PDP_ERR_NOT_FOUND: no such role; PDP_ERR_NOT_AUTHORIZED:
 * the user is not authorized for it; PDP_ERR_DSD: activating it would put n
 * roles of a DSD set in the active closure. On error nothing changes. */
PDP_API pdp_status pdp_session_add_role(pdp_session *s, pdp_str role,
                                        pdp_error *err);

/* Deactivate role. PDP_ERR_NOT_FOUND if it is not active. */
PDP_API pdp_status pdp_session_drop_role(pdp_session *s, pdp_str role,
                                         pdp_error *err);

/* Number of active roles, and the name of the i-th (in image role order). */
PDP_API uint32_t pdp_session_role_count(const pdp_session *s);
PDP_API pdp_str pdp_session_role(const pdp_session *s, uint32_t i);

/*
 * Move a session to another image of the same policy (a live store's next
 * image, store.h), keeping its user and active roles: roles are found again
 * by name in img, and their authorization checked against img's
 * assignments (DSD is checked by every decision against the image's
 * constraints). The session's old image must still be alive during the
 * call. PDP_OK when every active role still exists and is authorized;
 * otherwise the session is bound to img but denies every request:
 * PDP_ERR_NOT_FOUND (a role no longer exists: reason
 * session-role-removed) or PDP_ERR_NOT_AUTHORIZED (no longer authorized:
 * reason role-not-authorized), until it is initialised again.
 */
PDP_API pdp_status pdp_session_rebind(pdp_session *s, const pdp_image *img,
                                      pdp_error *err);

/* Decide within the session: the request's originator, roles and
 * roles_given are replaced by the session's user and active roles. */
PDP_API pdp_status pdp_session_decide(const pdp_session *s,
                                      pdp_scratch *scratch,
                                      const pdp_request *req,
                                      pdp_decision *out);

#ifdef __cplusplus
}
#endif

#endif /* PDP_PDP_H */
