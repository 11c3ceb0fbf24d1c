/*
 * json_out.h - the one JSON writer of the pdp tool: every JSON text the CLI
 * prints (decide/explain --json, audit --json, lint's JSON and SARIF, replay)
 * goes through it, so that escaping is done in one place and every output
 * is valid JSON whatever bytes a policy or request holds.
 *
 * Compact output (no spaces), keys in the order written. The writer tracks
 * commas: write a key, then its value; items of an array one after the
 * other. Nesting deeper than JSON_MAX_DEPTH is a programming error (the
 * CLI's documents are a few levels deep).
 */
#ifndef PDP_CLI_JSON_OUT_H
#define PDP_CLI_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_out {
	FILE *f;
	unsigned depth;
	uint32_t more;   /* bit d: level d holds an item already (a comma
	                    goes before the next) */
	bool after_key;  /* the next value is a key's: no comma */
} json_out;

/* A writer on f, at the top level. */
json_out json_on(FILE *f);

/*
 * A JSON string of the bytes s[0, len): '"', '\\' and control characters
 * escaped; well-formed UTF-8 is copied as it is; every byte that is not
 * part of a well-formed UTF-8 character (a policy or request may hold any
 * bytes) is written as U+FFFD, so the text stays valid JSON and UTF-8.
 */
void json_write_string(FILE *f, const char *s, size_t len);

void json_begin(json_out *j);        /* { */
void json_end(json_out *j);          /* } */
void json_begin_array(json_out *j);  /* [ */
void json_end_array(json_out *j);    /* ] */
void json_key(json_out *j, const char *key);
void json_str(json_out *j, const char *s);      /* NULL: null */
void json_strn(json_out *j, const char *s, size_t len); /* s NULL: null */
void json_uint(json_out *j, uint64_t v);
void json_int(json_out *j, int64_t v);
void json_double(json_out *j, double v); /* not finite: null */
void json_bool(json_out *j, bool b);
void json_null(json_out *j);

/* A key and its value. */
void json_key_str(json_out *j, const char *key, const char *s);
void json_key_strn(json_out *j, const char *key, const char *s, size_t len);
void json_key_uint(json_out *j, const char *key, uint64_t v);
void json_key_bool(json_out *j, const char *key, bool b);

#endif
