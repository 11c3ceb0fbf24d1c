/*
 * limits.h - every maximum pdp enforces, with why. Exceeding one is a clear
 * error (compile) or a rejected image (load) or a bad-request deny (decide),
 * never an overflow.
 */
#ifndef PDP_COMMON_LIMITS_H
#define PDP_COMMON_LIMITS_H

/* Role bitsets live on the decision stack (two of them): 4096 roles cost
 * 1 KiB, which keeps pdp_decide's stack bounded and small. */
#define PDP_MAX_ROLES 4096u
#define PDP_ROLE_WORDS_MAX (PDP_MAX_ROLES / 64u)

/* Conditions are evaluated recursively; the depth is verified at load. */
#define PDP_MAX_COND_DEPTH 32u

/* A request names few ACPs (a resource's acpi); the indices are kept on the
 * stack. */
#define PDP_MAX_REQ_ACPS 64u

/* Active roles named by one request. */
#define PDP_MAX_REQ_ROLES 256u

/* Largest image accepted by the loader; the L benchmark image is 17 MB. */
#define PDP_MAX_IMAGE_BYTES (256u * 1024u * 1024u)

/* Any string in an image or a policy (ids, patterns): keeps lengths in
 * 32 bits with room and bounds glob and regex work. */
#define PDP_MAX_STRING_BYTES 65536u

/* PCRE2 limits for `matches`: a match that hits them is indeterminate, so
 * no pattern/input pair can hang a decision (fail safe). PCRE2 counts its
 * match limit per start position (the interpreter as well as the JIT), so
 * it alone lets an unanchored search take time quadratic in the subject;
 * the step budget below bounds the whole search. Patterns run in the
 * interpreter, whose callouts the budget needs. */
#define PDP_REGEX_MATCH_LIMIT 100000u
#define PDP_REGEX_DEPTH_LIMIT 1000u
#define PDP_REGEX_HEAP_LIMIT_KIB 256u
/* Largest pattern source accepted, and most capture groups in one pattern
 * (the scratch sizes PCRE2's backtracking frames for the largest). */
#define PDP_MAX_REGEX_BYTES 4096u
#define PDP_MAX_REGEX_CAPTURES 255u
/* Steps one `matches` test may take over all start positions together
 * (src/common/regex.c says what a step costs): about 0.5 ms of matching
 * whatever the pattern (bench/regex.c measures it; docs/limits.md). */
#define PDP_REGEX_STEP_BUDGET 20000u
/* Longest value a `matches` test reads; a longer one is indeterminate.
 * Attribute values are short, and this bounds the work PCRE2 does outside
 * the budget (start-of-match scans, the UTF check of (*UTF) patterns) and
 * the bytes any one step can scan. */
#define PDP_MAX_REGEX_SUBJECT_BYTES 16384u

/* Originator ids and originator patterns (exact ids, globs, group
 * members): oneM2M ids are short, and a glob match costs pattern length x
 * id length, so both are capped; a longer request originator is a bad
 * request. */
#define PDP_MAX_ID_BYTES 1024u

/* The hosting CSE's SP-ID and CSE-ID (a policy's `cse:`), and the
 * longest absolute originator id they make of an id: requests are turned
 * into that form in a buffer on the decision's stack. */
#define PDP_MAX_HOST_ID_BYTES 255u
#define PDP_MAX_ABS_ID_BYTES (PDP_MAX_ID_BYTES + 2u * PDP_MAX_HOST_ID_BYTES + 4u)

/* Policy sources: file size, YAML nesting and node count. Deeper nesting
 * than any sensible policy needs is rejected before it can exhaust the
 * stack of a recursive walk. */
#define PDPC_MAX_FILE_BYTES (64u * 1024u * 1024u)
#define PDPC_MAX_YAML_DEPTH 64u
#define PDPC_MAX_YAML_NODES 20000000u

/* One request as text (a JSON Lines line, or the YAML read for one
 * document or list item): `pdp decide` reads a request file one request at
 * a time, so this, not the file size, bounds its memory (a request builds a
 * tree of at most some tens of bytes per input byte). */
#define PDP_MAX_REQUEST_TEXT_BYTES (1024u * 1024u)

/* Rules, ACPs and other table sizes: indices are 32-bit with NONE reserved. */
#define PDP_MAX_TABLE 0x7fffffffu

#endif
