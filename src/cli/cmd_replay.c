/*
 * cmd_replay.c - `pdp replay`: a live store (include/pdp/store.h) driven
 * by a JSON Lines stream of changes and decisions, so that a CSE's
 * sequence of ACP and group changes can be replayed and tested from the
 * shell (docs/cli.md).
 *
 * One object per line, by "op":
 *   put      {"op":"put", "id":"ID"?, "acp":{...}} or "text":"..." (one
 *            m2m:acp object, or a `pdp: 1` document with one ACP)
 *   remove   {"op":"remove", "id":"ID"}
 *   group    {"op":"group", "id":"ID", "members":["CAE-a", "CAE-m*"]}
 *   ungroup  {"op":"ungroup", "id":"ID"}
 *   begin, commit, abort   a transaction around the changes between them
 *   checkpoint             write the store's snapshot now (with --dir)
 *   decide   {"op":"decide", "request":{...}} (the request format of
 *            pdp decide), answered on the store's current image
 * One output line per input line: `ok`, `error FILE:LINE: ...` (and one
 * line per further diagnostic), or the decision as pdp decide prints it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "request/request.h"
#include "pdp/store.h"

static const char REPLAY_HELP[] =
	"usage: pdp replay -p POLICY [-p POLICY]... [--dir DIR] [--json]\n"
	"                  [--no-clock] [STREAM...]\n"
	"Open a live policy store on the POLICY files (its base policy) and\n"
	"apply a JSON Lines stream of changes and decisions, one object per\n"
	"line: put, remove, group, ungroup, begin, commit, abort, checkpoint,\n"
	"decide (docs/cli.md). One output line per input line. No STREAM or `-`\n"
	"reads standard input.\n"
	"  -p, --policy POLICY  a base policy file (- for standard input)\n"
	"  --dir DIR   persist the store in DIR (reopened with its changes)\n"
	"  --json      decisions as JSON objects (as pdp decide --json)\n"
	"  --no-clock  leave an absent env.time absent\n"
	"Exit: 0 all applied, 1 a change was refused or the base has errors,\n"
	"2 a line could not be read, 64 usage, 66 I/O.\n";

typedef struct replay {
	pdp_store *store;
	pdp_store_txn *txn;      /* open transaction, or NULL */
	pdp_scratch *scratch;
	const char *file;
	unsigned long line;
	bool json, clock;
	int rc;
} replay;

/* The exit status is the worst outcome: I/O, then unreadable lines, then
 * refused changes. */
static int rank(int rc)
{
	return rc == EXIT_IO ? 3 : rc == EXIT_BAD_REQUEST ? 2 : rc == EXIT_POLICY;
}

static void worse(replay *r, int rc)
{
	if (rank(rc) > rank(r->rc))
		r->rc = rc;
}

static void bad_line(replay *r, const char *fmt, const char *arg)
{
	printf("error %s:%lu: ", r->file, r->line);
	printf(fmt, arg);
	putchar('\n');
	worse(r, EXIT_BAD_REQUEST);
}

/* Print a refused change's diagnostics (errors first line "error"). */
static void print_refusal(replay *r, const pdpc_diag *(*get)(const void *, size_t),
                          const void *from, size_t n)
{
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *d = get(from, i);
		if (d->severity != PDPC_ERROR)
			continue;
		printf("%s %s:%lu: %s", first ? "error" : "     ", r->file, r->line,
		       d->file);
		if (d->line > 0)
			printf(":%u:%u", d->line, d->col);
		printf(": %s [%s]", d->message, d->code);
		if (d->hint)
			printf(" (%s)", d->hint);
		putchar('\n');
		first = false;
	}
	if (first)
		printf("error %s:%lu: the change was refused\n", r->file, r->line);
	worse(r, EXIT_POLICY);
}

static const pdpc_diag *txn_diag(const void *t, size_t i)
{
	return pdp_store_txn_diag_get(t, i);
}

static const pdpc_diag *store_diag_of(const void *s, size_t i)
{
	return pdp_store_diag_get(s, i);
}

static bool scalar(const ynode *n)
{
	return n != NULL && n->kind == YN_SCALAR;
}

static pdp_str str_of(const ynode *n)
{
	pdp_str s = {n->str, n->len};
	return s;
}

/* Stage one change: in the open transaction, or in one of its own. */
static void change(replay *r, const char *op, ynode *obj)
{
	ynode *id = yn_get(obj, "id");
	pdp_str sid = {NULL, 0};
	if (id != NULL) {
		if (!scalar(id))
			return bad_line(r, "'id' must be a string%s", "");
		sid = str_of(id);
	}
	bool own = r->txn == NULL;
	pdp_store_txn *t = own ? pdp_store_begin(r->store) : r->txn;
	if (t == NULL) {
		printf("error %s:%lu: out of memory\n", r->file, r->line);
		worse(r, EXIT_IO);
		return;
	}
	pdpc_status st = PDPC_ERR_ARG;
	if (strcmp(op, "put") == 0) {
		ynode *acp = yn_get(obj, "acp"), *text = yn_get(obj, "text");
		char *json = NULL;
		size_t len = 0;
		if (acp != NULL && acp->kind == YN_MAP)
			json = cc_node_json(acp, &len);
		if (json != NULL)
			st = pdp_store_txn_put_acp(t, sid, json, len);
		else if (scalar(text))
			st = pdp_store_txn_put_acp(t, sid, text->str, text->len);
		free(json);
	} else if (sid.ptr != NULL && strcmp(op, "remove") == 0) {
		st = pdp_store_txn_remove_acp(t, sid);
	} else if (sid.ptr != NULL && strcmp(op, "ungroup") == 0) {
		st = pdp_store_txn_remove_group(t, sid);
	} else if (sid.ptr != NULL && strcmp(op, "group") == 0) {
		ynode *m = yn_get(obj, "members");
		if (m != NULL && m->kind == YN_SEQ) {
			pdp_str *members = calloc(m->n + 1, sizeof(pdp_str));
			bool ok = members != NULL;
			for (size_t i = 0; ok && i < m->n; i++) {
				ok = scalar(m->items[i]);
				if (ok)
					members[i] = str_of(m->items[i]);
			}
			if (ok)
				st = pdp_store_txn_set_group(t, sid, members, m->n);
			free(members);
		}
	}
	if (st == PDPC_ERR_ARG) {
		if (own)
			pdp_store_abort(t);
		return bad_line(r, "'%s' needs its fields (see pdp replay --help)", op);
	}
	if (st != PDPC_OK) {
		print_refusal(r, txn_diag, t, pdp_store_txn_diag_count(t));
		if (own)
			pdp_store_abort(t);
		return;
	}
	if (own && (st = pdp_store_commit(t)) != PDPC_OK) {
		print_refusal(r, store_diag_of, r->store,
		              pdp_store_diag_count(r->store));
		return;
	}
	puts("ok");
}

static void transaction(replay *r, const char *op)
{
	if (strcmp(op, "begin") == 0) {
		if (r->txn != NULL)
			return bad_line(r, "a transaction is already open%s", "");
		r->txn = pdp_store_begin(r->store);
		puts(r->txn ? "ok" : "error: out of memory");
		return;
	}
	if (r->txn == NULL)
		return bad_line(r, "'%s' without begin", op);
	pdp_store_txn *t = r->txn;
	r->txn = NULL;
	if (strcmp(op, "abort") == 0) {
		pdp_store_abort(t);
		puts("ok");
		return;
	}
	if (pdp_store_txn_diag_count(t) > 0) {
		/* a change inside was refused: nothing of it applies */
		bool refused = false;
		for (size_t i = 0; i < pdp_store_txn_diag_count(t); i++)
			refused |= pdp_store_txn_diag_get(t, i)->severity == PDPC_ERROR;
		if (refused) {
			printf("error %s:%lu: the transaction holds a refused change; "
			       "nothing of it was applied\n",
			       r->file, r->line);
			pdp_store_abort(t);
			worse(r, EXIT_POLICY);
			return;
		}
	}
	if (pdp_store_commit(t) != PDPC_OK) {
		print_refusal(r, store_diag_of, r->store,
		              pdp_store_diag_count(r->store));
		return;
	}
	puts("ok");
}

static void decide(replay *r, cc *c, ynode *obj)
{
	ynode *rq = yn_get(obj, "request");
	if (rq == NULL || rq->kind != YN_MAP)
		return bad_line(r, "'decide' needs a \"request\" object%s", "");
	pdp_image *img = pdp_store_image(r->store);
	parsed_request parsed;
	request_from_node(c, rq, img, &parsed);
	pdpc_request pr;
	request_to_public(&parsed, &pr);
	if (r->clock)
		pdpc_request_default_time(&pr, now_utc());
	pdp_decision d;
	pdp_decide(img, r->scratch, &pr.req, &d);
	char why[128];
	if (!pr.ok || library_refused(&pr, &d, why, sizeof(why))) {
		memset(&d, 0, sizeof(d));
		d.effect = PDP_DENY;
		d.reason = PDP_REASON_BAD_REQUEST;
		worse(r, EXIT_BAD_REQUEST);
	}
	print_decision(stdout, img, &pr, &d, r->json);
	pdp_image_release(img);
}

static void one_line(replay *r, cc *c, const char *text, size_t len)
{
	cc_reset(c);
	if (pdpc_add_buffer(c, r->file, text, len) != PDPC_OK) {
		worse(r, EXIT_IO);
		return;
	}
	ynode_vec docs = {0};
	if (!yaml_load_docs(c, 0, &docs) || docs.n != 1 ||
	    docs.items[0]->kind != YN_MAP)
		return bad_line(r, "not one JSON object%s", "");
	ynode *obj = docs.items[0], *op = yn_get(obj, "op");
	if (!scalar(op))
		return bad_line(r, "no \"op\"%s", "");
	const char *o = op->str;
	if (strcmp(o, "decide") == 0)
		decide(r, c, obj);
	else if (strcmp(o, "begin") == 0 || strcmp(o, "commit") == 0 ||
	         strcmp(o, "abort") == 0)
		transaction(r, o);
	else if (strcmp(o, "checkpoint") == 0) {
		if (pdp_store_checkpoint(r->store) == PDPC_OK)
			puts("ok");
		else
			print_refusal(r, store_diag_of, r->store,
			              pdp_store_diag_count(r->store));
	} else if (strcmp(o, "put") == 0 || strcmp(o, "remove") == 0 ||
	           strcmp(o, "group") == 0 || strcmp(o, "ungroup") == 0)
		change(r, o, obj);
	else
		bad_line(r, "unknown op '%s'", o);
}

static void replay_stream(replay *r, FILE *in)
{
	cc *c = pdpc_new();
	if (c == NULL) {
		worse(r, EXIT_IO);
		return;
	}
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	r->line = 0;
	while ((n = getline(&buf, &cap, in)) >= 0) {
		r->line++;
		size_t len = (size_t)n;
		while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
			len--;
		size_t lead = 0;
		while (lead < len && (buf[lead] == ' ' || buf[lead] == '\t'))
			lead++;
		if (lead == len)
			continue; /* blank lines separate nothing */
		one_line(r, c, buf, len);
		fflush(stdout);
	}
	if (ferror(in)) {
		fprintf(stderr, "pdp replay: %s: read error: %s\n", r->file,
		        strerror(errno));
		worse(r, EXIT_IO);
	}
	free(buf);
	pdpc_free(c);
}

/* A base policy file, or standard input for "-". */
static int add_base(pdp_store *s, const char *path)
{
	if (strcmp(path, "-") != 0)
		return pdp_store_add_base_file(s, path) == PDPC_OK ? EXIT_OK
		                                                  : EXIT_IO;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_stdin_policy(&buf, &len);
	if (rc == EXIT_OK &&
	    pdp_store_add_base_buffer(s, "<stdin>", (const char *)buf, len) !=
	            PDPC_OK)
		rc = EXIT_IO;
	free(buf);
	return rc;
}

static int open_store(pdp_store **out, char **pols, int npols,
                      const char *dir)
{
	pdp_store *s = pdp_store_new();
	if (s == NULL)
		return EXIT_IO;
	int rc = EXIT_OK;
	for (int i = 0; i < npols && rc == EXIT_OK; i++)
		if (add_base(s, pols[i]) != EXIT_OK)
			rc = EXIT_IO;
	if (rc == EXIT_OK && dir != NULL && pdp_store_set_dir(s, dir) != PDPC_OK)
		rc = EXIT_IO;
	pdpc_status st = rc == EXIT_OK ? pdp_store_open(s) : PDPC_ERR_IO;
	for (size_t i = 0; i < pdp_store_diag_count(s); i++) {
		const pdpc_diag *d = pdp_store_diag_get(s, i);
		fprintf(stderr, "%s", d->file);
		if (d->line > 0)
			fprintf(stderr, ":%u:%u", d->line, d->col);
		fprintf(stderr, ": %s: %s [%s]\n",
		        d->severity == PDPC_ERROR ? "error" : "warning", d->message,
		        d->code);
	}
	if (st != PDPC_OK) {
		pdp_store_free(s);
		return st == PDPC_ERR_POLICY ? EXIT_POLICY : EXIT_IO;
	}
	*out = s;
	return EXIT_OK;
}

/* Options, the store (opened on --dir, seeded with the -p policies), one
 * scratch that fits every image the store publishes, then each stream in
 * turn; a transaction left open at the end is aborted and reported. */
enum { OPT_DIR = OPT_FIRST, OPT_JSON, OPT_NO_CLOCK };

static const struct option REPLAY_OPTIONS[] = {
	{"policy", required_argument, NULL, 'p'},
	{"dir", required_argument, NULL, OPT_DIR},
	{"json", no_argument, NULL, OPT_JSON},
	{"no-clock", no_argument, NULL, OPT_NO_CLOCK},
	CLI_COMMON_OPTIONS
};

int cmd_replay(int argc, char **argv)
{
	char **pols = calloc((size_t)argc + 1, sizeof(char *));
	char **files = NULL;
	const char *dir = NULL;
	int npols = 0, nfiles = 0, rc = EXIT_OK, c;
	replay r;
	memset(&r, 0, sizeof(r));
	r.clock = true;
	if (pols == NULL)
		return EXIT_IO;
	cli_parser p;
	cli_parser_init(&p, "replay", REPLAY_HELP, "p:", REPLAY_OPTIONS, argc,
	                argv);
	while ((c = cli_next(&p)) != CLI_END) {
		switch (c) {
		case CLI_EXIT:
			rc = p.exit_code;
			goto out;
		case 'p':
			pols[npols++] = (char *)p.arg;
			break;
		case OPT_DIR:
			dir = p.arg;
			break;
		case OPT_JSON:
			r.json = true;
			break;
		case OPT_NO_CLOCK:
			r.clock = false;
			break;
		}
	}
	if (npols == 0 && dir == NULL) {
		rc = cli_usage_error(&p, "give the base policy with -p POLICY (or "
		                         "--dir DIR of a persisted store)");
		goto out;
	}
	files = cli_operands(&p, &nfiles);
	if (!cli_stream_inputs(&p, pols, npols, NULL, &files, &nfiles)) {
		rc = EXIT_USAGE;
		goto out;
	}
	rc = open_store(&r.store, pols, npols, dir);
	if (rc != EXIT_OK)
		goto out;
	pdp_error err;
	if (pdp_scratch_new_any(&r.scratch, &err) != PDP_OK) {
		fprintf(stderr, "pdp replay: %s\n", err.message);
		rc = EXIT_IO;
		goto done;
	}
	for (int i = 0; i < nfiles; i++) {
		bool std = strcmp(files[i], "-") == 0;
		FILE *in = std ? stdin : fopen(files[i], "rb");
		if (in == NULL) {
			fprintf(stderr, "pdp replay: %s: %s\n", files[i], strerror(errno));
			worse(&r, EXIT_IO);
			continue;
		}
		r.file = std ? "<stdin>" : files[i];
		replay_stream(&r, in);
		if (!std)
			fclose(in);
	}
	if (r.txn != NULL) {
		printf("error %s: the stream ended inside a transaction; it was "
		       "not committed\n", r.file);
		pdp_store_abort(r.txn);
		worse(&r, EXIT_BAD_REQUEST);
	}
	rc = r.rc;
done:
	pdp_scratch_free(r.scratch);
	pdp_store_free(r.store);
out:
	free(pols);
	return rc;
}
