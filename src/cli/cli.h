/*
 * cli.h - shared pieces of the pdp command-line tool.
 */
#ifndef PDP_CLI_CLI_H
#define PDP_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "pdp/pdp.h"
#include "pdp/pdpc.h"

/* Exit codes (docs/cli.md). */
enum {
	EXIT_OK = 0,
	EXIT_POLICY = 1,     /* policy errors (compile, lint) */
	EXIT_BAD_REQUEST = 2,/* decide/explain: a request could not be read */
	EXIT_USAGE = 64,     /* bad command line */
	EXIT_IO = 66,        /* a file could not be read or written */
	EXIT_IMAGE = 65      /* an image failed to load */
};

typedef enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF } diag_format;

/* Print the compiler's diagnostics; min severity filters notes/warnings. */
/* Every diagnostic of c as one SARIF 2.1.0 log (sarif.c): rules from the
 * table of codes, locations relative to the working directory. */
void print_diags_sarif(FILE *out, const pdpc_compiler *c);
/* A file name as a URI reference: relative names stay relative
 * (percent-encoded), absolute ones become file:// URIs. Returns a malloc'd
 * string, or NULL when out of memory. */
char *path_uri(const char *path);
void print_diags(FILE *out, const pdpc_compiler *c, diag_format fmt,
                 bool color);

/* Load an image from -i IMAGE or compile the -p policies; on failure prints
 * why and returns the exit code. */
int obtain_image(const char *image_path, char **policies, int npolicies,
                 pdp_image **out);

/* OLD or NEW of pdp diff: an image when it starts as one, else a policy
 * to compile; "-" reads standard input. Prints why not and returns the
 * exit code. */
int obtain_policy_or_image(const char *path, pdp_image **out);

/* Add a policy file to c; "-" reads standard input (named <stdin> in
 * diagnostics). */
pdpc_status cli_add_policy(pdpc_compiler *c, const char *path);
/* A policy on standard input, read whole (malloc'd, NUL-terminated);
 * prints why not and returns the exit code. */
int read_stdin_policy(uint8_t **buf, size_t *len);

/* Texts that name policy ids, malloc'd at the size they need (an id may be
 * as long as the string limit, 64 KiB): pdp_reason_format's text of d, and
 * the rule token (rule:ACP:SECTION:INDEX) of image rule idx. Out of memory
 * exits (EXIT_IO). */
char *reason_text(const pdp_image *img, const pdp_decision *d, bool with_id);
char *rule_token_text(const pdp_image *img, uint32_t rule);

/* Why the library refused a request (a pdp_bad detail), for a person. */
const char *bad_request_text(pdp_bad why);

/* cmd_decide.c, shared with cmd_replay.c: one decision as `pdp decide`
 * prints it (text, or JSON as one line, or JSON inside a larger document);
 * a request the library refused turned into a bad request with the reason;
 * the wall clock for an absent env.time. */
struct json_out;
void print_decision(FILE *out, const pdp_image *img,
                    const pdpc_request *pr, const pdp_decision *d,
                    bool json);
void decision_json(struct json_out *j, const pdp_image *img,
                   const pdpc_request *pr, const pdp_decision *d);
bool library_refused(pdpc_request *pr, const pdp_decision *d, char *buf,
                     size_t size);
pdp_time now_utc(void);

/* `pdp explain`'s text trace of req (each rule considered, each test's
 * result) written to out, and the decision in *d (pdp test, on failure). */
void explain_text(FILE *out, const pdp_image *img, pdp_scratch *scratch,
                  const pdp_request *req, pdp_decision *d);

/* Write text escaped for XML/HTML element content and attribute values. */
void xml_text(FILE *out, const char *s, size_t len);

/* trust_io.c: image trust for the CLI (include/pdp/trust.h). */
#include "pdp/trust.h"
/* Whether img has an id (a live store's images have none). */
bool image_has_id(const pdp_image *img);
/* `,"image":"<hex id>"` when img has an id: for JSON answers. */
void json_image_id(struct json_out *j, const pdp_image *img);
/* Read a key file of pdp keygen (secret: 64 bytes, else 32) into key;
 * prints why not and returns the exit code. */
int read_key_file(const char *path, bool secret, uint8_t *key);
/* pdp keygen: BASE.key (secret, mode 0600) and BASE.pub, never over
 * existing files. */
int write_key_pair(const char *base);
/* Sign a compiled image with the secret key in key_path: *out (malloc'd)
 * is the signed image. */
int sign_image_bytes(const char *key_path, const uint8_t *img, size_t len,
                     uint8_t **out, size_t *out_len);
/* image_io.c: read an image file's bytes (malloc'd; size limit checked);
 * "-" reads standard input. */
int read_image_file(const char *path, uint8_t **out, size_t *len);
/* decision_log.c: pdp decide --log FILE, JSON Lines through the decision
 * hook of scratch; close it with decision_log_close. */
typedef struct decision_log decision_log;
int decision_log_open(const char *path, pdp_scratch *scratch,
                      decision_log **out);
int decision_log_close(decision_log *log);

/* progress.c: the stage of a compile or lint on stderr, when it is a
 * terminal and the run has taken over a second; erased by progress_end
 * (call it before printing diagnostics). */
typedef struct progress {
	const char *verb;
	double start;
	bool shown;
} progress;
void progress_start(progress *p, pdpc_compiler *c, const char *verb);
void progress_end(progress *p);

/* compile_identity.c: the revision (revision text, or derived from the
 * files) and build note of the images c compiles. */
int compile_identity(pdpc_compiler *c, const char *revision, char **files,
                     int nfiles);

int cmd_compile(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_decide(int argc, char **argv, bool explain);
int cmd_audit(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
