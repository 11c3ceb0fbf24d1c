/*
 * cmd_decide.c - `pdp decide` (one line per request) and `pdp explain` (the
 * evaluation trace: every rule of the target ACPs and which test held).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/opts.h"
#include "cli/would_grant_out.h"

static const char DECIDE_HELP[] =
	"usage: pdp decide (-p POLICY [-p POLICY]... | -i IMAGE) [--json]\n"
	"                  [--no-clock] [--jsonl] [--log FILE] [REQUEST_FILE...]\n"
	"Decide each request: one line per request, `permit <reason>` or\n"
	"`deny <reason>`. A file holds one request, several YAML documents, a\n"
	"list or JSON Lines. No file or `-` reads standard input. An absent\n"
	"env.time is now.\n"
	"  -p, --policy POLICY  compile POLICY (- for standard input)\n"
	"  -i, --image IMAGE    load IMAGE (- for standard input)\n"
	"  --json      one JSON object per line: decision, reason, rule_id,\n"
	"              indeterminate, error, image (the image id)\n"
	"  --no-clock  leave an absent env.time absent (windows indeterminate)\n"
	"  --jsonl     every input is JSON Lines (as are *.jsonl and *.ndjson\n"
	"              files): each non-blank line is one request\n"
	"  --log FILE  append every decision to FILE as JSON Lines (time,\n"
	"              image id and revision, request, decision, reason)\n"
	"Exit: 0 decided, 1 policy errors, 2 some request was bad (answered\n"
	"deny bad-request), 64 usage, 65 image rejected, 66 I/O.\n";

static const char EXPLAIN_HELP[] =
	"usage: pdp explain (-p POLICY [-p POLICY]... | -i IMAGE) [--json]\n"
	"                   [--no-clock] [--jsonl] [REQUEST_FILE...]\n"
	"Show how each request was decided: every rule of the target ACPs, which\n"
	"tests held, failed or were indeterminate, and the decision; for a\n"
	"denied request, what would grant it: per permit rule that could apply,\n"
	"its unmet conditions and the smallest changes found (roles, time, ip,\n"
	"region, attributes, authentication), checked with pdp decide.\n"
	"  -p, --policy POLICY  compile POLICY (- for standard input)\n"
	"  -i, --image IMAGE    load IMAGE (- for standard input)\n"
	"  --json      one JSON object per request and output line: line, col,\n"
	"              rules (each test's result), decision (as pdp decide\n"
	"              --json prints it), would_grant (denied requests)\n"
	"  --no-clock  leave an absent env.time absent (windows indeterminate)\n"
	"  --jsonl     every input is JSON Lines\n"
	"Exit codes as for pdp decide.\n";

static const char *test_word(pdp_test t)
{
	return t == PDP_TEST_HELD ? "held"
	       : t == PDP_TEST_FAILED ? "failed" : "indeterminate";
}

/* The rule's result, in the words of the text and the JSON trace. */
static const char *result_word(pdp_test t, bool json)
{
	return t == PDP_TEST_HELD ? "applies"
	       : t == PDP_TEST_INDETERMINATE ? "indeterminate"
	       : json ? "does-not-apply" : "does not apply";
}

typedef struct explain_ctx {
	const pdp_image *img;
	FILE *out;
	json_out *json;  /* NULL: text */
} explain_ctx;

/* The rule's token ("rule:ACP:SECTION:I"), sized to its ids: the reason
 * a decision by this rule would give. */
static char *trace_token(const pdp_image *img, const pdp_rule_trace *t)
{
	pdp_decision d;
	memset(&d, 0, sizeof(d));
	d.reason = PDP_REASON_RULE;
	d.acp = t->acp;
	d.self = t->self;
	d.rule = t->rule;
	return reason_text(img, &d, false);
}

/* One rule of the trace as a JSON object (schemas/explain.schema.json). */
static void explain_rule_json(explain_ctx *x, const pdp_rule_trace *t)
{
	json_out *j = x->json;
	char *tok = trace_token(x->img, t);
	json_begin(j);
	json_key_str(j, "rule", tok);
	free(tok);
	if (t->id.ptr != NULL)
		json_key_strn(j, "id", t->id.ptr, t->id.len);
	json_key_str(j, "effect", t->effect == PDP_DENY ? "deny" : "permit");
	json_key_str(j, "operations", test_word(t->operations));
	json_key_str(j, "originators", test_word(t->originators));
	json_key_str(j, "authenticated", test_word(t->authenticated));
	json_key_str(j, "objects", test_word(t->objects));
	json_key_str(j, "contexts", test_word(t->contexts));
	json_key_str(j, "when", test_word(t->when));
	json_key_str(j, "result", result_word(t->result, true));
	if (t->missing_attr != PDP_NONE) {
		pdp_str a = pdp_attr_name(x->img, t->missing_attr);
		json_key_strn(j, t->wrong_type ? "wrong_type_attr" : "missing_attr",
		              a.ptr, a.len);
	}
	if (t->undecidable) {
		static const char *const what[] = {"env.time", "env.ip",
		                                   "env.country", "env.location",
		                                   "regex-limit", "no-scratch"};
		json_key(j, "undecidable");
		json_begin_array(j);
		for (unsigned i = 0; i < 6; i++)
			if (t->undecidable & (1u << i))
				json_str(j, what[i]);
		json_end_array(j);
	}
	json_end(j);
}

/* One rule of the trace as text: its token and id, each test, the result. */
static void explain_rule(void *vctx, const pdp_rule_trace *t)
{
	explain_ctx *x = vctx;
	if (x->json != NULL) {
		explain_rule_json(x, t);
		return;
	}
	char *tok = trace_token(x->img, t);
	fprintf(x->out, "  %s", tok);
	free(tok);
	if (t->id.ptr != NULL)
		fprintf(x->out, " %.*s", (int)t->id.len, t->id.ptr);
	fprintf(x->out, " (%s)\n", t->effect == PDP_DENY ? "deny" : "permit");
	fprintf(x->out, "    operations %s, originators %s, authenticated %s, "
	                "objects %s, contexts %s, when %s",
	        test_word(t->operations), test_word(t->originators),
	        test_word(t->authenticated), test_word(t->objects),
	        test_word(t->contexts), test_word(t->when));
	fputc('\n', x->out);
	if (t->undecidable) {
		fputs("    undecidable:", x->out);
		if (t->undecidable & PDP_UNDECIDABLE_TIME)
			fputs(" no env.time", x->out);
		if (t->undecidable & PDP_UNDECIDABLE_IP)
			fputs(" no env.ip", x->out);
		if (t->undecidable & PDP_UNDECIDABLE_COUNTRY)
			fputs(" no valid env.country", x->out);
		if (t->undecidable & PDP_UNDECIDABLE_LOCATION)
			fputs(" no valid env.location", x->out);
		if (t->undecidable & PDP_UNDECIDABLE_REGEX_LIMIT)
			fputs(" regex hit a limit (steps or value length)", x->out);
		if (t->undecidable & PDP_UNDECIDABLE_NO_SCRATCH)
			fputs(" no regex scratch", x->out);
		fputc('\n', x->out);
	}
	if (t->missing_attr != PDP_NONE) {
		pdp_str n = pdp_attr_name(x->img, t->missing_attr);
		fprintf(x->out, "    attribute %.*s %s\n", (int)n.len, n.ptr,
		        t->wrong_type ? "has a value of the wrong type"
		                      : "is missing from the request");
	}
	fprintf(x->out, "    => %s\n", result_word(t->result, false));
}

void decision_json(json_out *j, const pdp_image *img,
                   const pdpc_request *pr, const pdp_decision *d)
{
	json_begin(j);
	json_key_str(j, "decision", d->effect == PDP_PERMIT ? "permit" : "deny");
	if (!pr->ok) {
		json_key_str(j, "reason", "bad-request");
		json_key_str(j, "error", pr->error);
		json_image_id(j, img);
		json_end(j);
		return;
	}
	/* the reason with the rule id is the token, a space and the id */
	char *reason = reason_text(img, d, true);
	size_t tlen = pdp_reason_format(img, d, false, NULL, 0);
	json_key_strn(j, "reason", reason, tlen);
	if (reason[tlen] == ' ')
		json_key_str(j, "rule_id", reason + tlen + 1);
	if (d->indeterminate)
		json_key_bool(j, "indeterminate", true);
	json_image_id(j, img);
	json_end(j);
	free(reason);
}

void print_decision(FILE *out, const pdp_image *img,
                    const pdpc_request *pr, const pdp_decision *d,
                    bool json)
{
	const char *eff = d->effect == PDP_PERMIT ? "permit" : "deny";
	if (json) {
		json_out j = json_on(out);
		decision_json(&j, img, pr, d);
		fputc('\n', out);
	} else if (!pr->ok)
		fprintf(out, "%s bad-request %s\n", eff, pr->error);
	else {
		char *reason = reason_text(img, d, true);
		fprintf(out, "%s %s\n", eff, reason);
		free(reason);
	}
}

/* A request the CLI could read but the library refused (a limit of
 * docs/limits.md): turn it into a bad request with the reason, written to
 * buf (the text is short and has no names in it). */
bool library_refused(pdpc_request *pr, const pdp_decision *d,
                     char *buf, size_t size)
{
	if (!pr->ok || d->reason != PDP_REASON_BAD_REQUEST)
		return false;
	pr->ok = false;
	snprintf(buf, size, "%u:%u: %s", pr->line, pr->col,
	         bad_request_text((pdp_bad)d->detail));
	pr->error = buf;
	return true;
}

pdp_time now_utc(void)
{
	struct timespec ts;
	pdp_time t = {0, 0};
	if (clock_gettime(CLOCK_REALTIME, &ts) == 0) {
		t.sec = (int64_t)ts.tv_sec;
		t.nsec = 0;
	}
	return t;
}

/* now_utc's time as RFC 3339 text (whole seconds, UTC). */
static void rfc3339_text(pdp_time t, char *buf, size_t size)
{
	time_t sec = (time_t)t.sec;
	struct tm tm;
	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)t.sec);
}

static void explain_header(FILE *out, const pdp_image *img,
                           const pdpc_request *pr)
{
	const pdp_request *q = &pr->req;
	fprintf(out, "request at line %u: originator %.*s, operation %s\n",
	        pr->line, (int)q->originator.len, q->originator.ptr,
	        pdp_operation_name(q->operation));
	if (pr->time_defaulted) {
		char buf[64];
		rfc3339_text(q->time, buf, sizeof(buf));
		fprintf(out, "  env.time not given: using now (%s)\n", buf);
	}
	if (pr->notes)
		fprintf(out, "  note: %s\n", pr->notes);
	(void)img;
}

void explain_text(FILE *out, const pdp_image *img, pdp_scratch *scratch,
                  const pdp_request *req, pdp_decision *d)
{
	explain_ctx e = {img, out, NULL};
	pdp_explain(img, scratch, req, d, explain_rule, &e);
}

/* What every request of a run is decided with. */
typedef struct decide_run {
	const pdp_image *img;
	pdp_scratch *scratch;
	bool json, explain, clock, jsonl;
	int rc;
} decide_run;

static void explain_extra(const decide_run *x, const pdpc_request *pr,
                          const pdp_decision *d)
{
	if (d->reason == PDP_REASON_ROLE_NOT_AUTHORIZED &&
	    d->detail < pr->req.n_roles)
		printf("  role '%.*s' is not authorized for %.*s\n",
		       (int)pr->req.roles[d->detail].len, pr->req.roles[d->detail].ptr,
		       (int)pr->req.originator.len, pr->req.originator.ptr);
	if (d->reason == PDP_REASON_UNKNOWN_ACP && d->acp < pr->req.n_acps)
		printf("  ACP '%.*s' is not in the policy set\n",
		       (int)pr->req.acps[d->acp].len, pr->req.acps[d->acp].ptr);
	if (d->reason == PDP_REASON_DSD_VIOLATION)
		printf("  the active roles break DSD constraint %u\n", d->detail);
	if (pr->ok && d->effect != PDP_PERMIT)
		would_grant_text(stdout, x->img, x->scratch, &pr->req);
	fputc('\n', stdout);
}

/* explain --json: one object per request, the trace and the decision. */
static void explain_json(decide_run *x, pdpc_request *pr, pdp_decision *d)
{
	char refused[160];
	json_out j = json_on(stdout);
	json_begin(&j);
	json_key_uint(&j, "line", pr->line);
	/* requests of a one-line JSON array share the line: col tells them
	 * apart */
	json_key_uint(&j, "col", pr->col);
	if (pr->ok) {
		json_key_bool(&j, "time_defaulted", pr->time_defaulted);
		if (pr->notes)
			json_key_str(&j, "notes", pr->notes);
	}
	json_key(&j, "rules");
	json_begin_array(&j);
	if (pr->ok) {
		explain_ctx e = {x->img, stdout, &j};
		pdp_explain(x->img, x->scratch, &pr->req, d, explain_rule, &e);
		if (library_refused(pr, d, refused, sizeof(refused)))
			x->rc = EXIT_BAD_REQUEST;
	}
	json_end_array(&j);
	json_key(&j, "decision");
	decision_json(&j, x->img, pr, d);
	if (pr->ok && d->effect != PDP_PERMIT)
		would_grant_json(&j, x->img, x->scratch, &pr->req);
	json_end(&j);
	fputc('\n', stdout);
}

/* Decide one request as soon as it is read and print the answer (with
 * explain, the trace before it). */
static bool decide_one(void *ctx, pdpc_request *pr)
{
	decide_run *x = ctx;
	pdp_decision d;
	char refused[160];
	if (x->clock)
		pdpc_request_default_time(pr, now_utc());
	if (!pr->ok) {
		memset(&d, 0, sizeof(d));
		d.effect = PDP_DENY;
		d.reason = PDP_REASON_BAD_REQUEST;
		x->rc = EXIT_BAD_REQUEST;
	}
	if (x->explain && x->json) {
		explain_json(x, pr, &d);
		return true;
	}
	if (!pr->ok) {
		if (x->explain)
			printf("request: bad request: %s\n", pr->error);
		print_decision(stdout, x->img, pr, &d, x->json);
		return true;
	}
	if (x->explain) {
		explain_ctx e = {x->img, stdout, NULL};
		explain_header(stdout, x->img, pr);
		pdp_explain(x->img, x->scratch, &pr->req, &d, explain_rule, &e);
		fputs("decision: ", stdout);
	} else
		pdp_decide(x->img, x->scratch, &pr->req, &d);
	if (library_refused(pr, &d, refused, sizeof(refused)))
		x->rc = EXIT_BAD_REQUEST;
	print_decision(stdout, x->img, pr, &d, x->json);
	if (x->explain)
		explain_extra(x, pr, &d);
	return true;
}

typedef struct fd_input {
	int fd;
	int err;
} fd_input;

/* read(2), not stdio: a request piped in is answered as soon as it is
 * complete, without waiting for a buffer to fill. The answers so far go out
 * before waiting for more input, so a client sees each answer. */
static bool fd_read(void *ctx, char *buf, size_t cap, size_t *got)
{
	fd_input *in = ctx;
	fflush(stdout);
	ssize_t n;
	do
		n = read(in->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	in->err = n < 0 ? errno : 0;
	*got = n > 0 ? (size_t)n : 0;
	return n >= 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int decide_file(decide_run *x, const char *path)
{
	const char *verb = x->explain ? "explain" : "decide";
	bool is_stdin = strcmp(path, "-") == 0;
	fd_input fin = {is_stdin ? STDIN_FILENO : open(path, O_RDONLY), 0};
	if (fin.fd < 0) {
		fprintf(stderr, "pdp %s: cannot open %s: %s\n", verb, path,
		        strerror(errno));
		return EXIT_IO;
	}
	pdpc_request_input in = {fd_read, &fin, is_stdin ? "<stdin>" : path,
	                    x->jsonl || ends_with(path, ".jsonl") ||
	                            ends_with(path, ".ndjson")};
	x->rc = EXIT_OK;
	pdpc_status st = pdpc_requests_read(&in, x->img, decide_one, x);
	if (!is_stdin)
		close(fin.fd);
	if (st == PDPC_ERR_IO) {
		fprintf(stderr, "pdp %s: cannot read %s: %s\n", verb,
		        is_stdin ? "standard input" : path, strerror(fin.err));
		return EXIT_IO;
	}
	if (st != PDPC_OK) {
		fprintf(stderr, "pdp %s: out of memory reading %s\n", verb, path);
		return EXIT_IO;
	}
	return x->rc;
}

enum { OPT_JSON = OPT_FIRST, OPT_NO_CLOCK, OPT_JSONL, OPT_LOG };

static const struct option DECIDE_OPTIONS[] = {
	{"policy", required_argument, NULL, 'p'},
	{"image", required_argument, NULL, 'i'},
	{"json", no_argument, NULL, OPT_JSON},
	{"no-clock", no_argument, NULL, OPT_NO_CLOCK},
	{"jsonl", no_argument, NULL, OPT_JSONL},
	{"log", required_argument, NULL, OPT_LOG},
	CLI_COMMON_OPTIONS
};

/* explain has no --log: its table is decide's without that entry */
static const struct option EXPLAIN_OPTIONS[] = {
	{"policy", required_argument, NULL, 'p'},
	{"image", required_argument, NULL, 'i'},
	{"json", no_argument, NULL, OPT_JSON},
	{"no-clock", no_argument, NULL, OPT_NO_CLOCK},
	{"jsonl", no_argument, NULL, OPT_JSONL},
	CLI_COMMON_OPTIONS
};

/* decide and explain share everything but the printing: options, the
 * image (-i or compiled -p), one scratch, then each request file in turn;
 * the exit code is the worst of the files'. */
int cmd_decide(int argc, char **argv, bool explain)
{
	const char *verb = explain ? "explain" : "decide";
	const char *image = NULL, *log_path = NULL;
	bool json = false, clock = true, jsonl = false;
	char **pols = calloc((size_t)argc + 1, sizeof(char *));
	char **files = NULL;
	int npols = 0, nfiles = 0, rc = EXIT_OK, c;
	if (pols == NULL)
		return EXIT_IO;
	cli_parser p;
	cli_parser_init(&p, verb, explain ? EXPLAIN_HELP : DECIDE_HELP, "p:i:",
	                explain ? EXPLAIN_OPTIONS : DECIDE_OPTIONS, argc, argv);
	while ((c = cli_next(&p)) != CLI_END) {
		switch (c) {
		case CLI_EXIT:
			rc = p.exit_code;
			goto out;
		case 'p':
			pols[npols++] = (char *)p.arg;
			break;
		case 'i':
			image = p.arg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_NO_CLOCK:
			clock = false;
			break;
		case OPT_JSONL:
			jsonl = true;
			break;
		case OPT_LOG:
			log_path = p.arg;
			break;
		}
	}
	if ((image == NULL) == (npols == 0)) {
		rc = cli_usage_error(&p, "give -p POLICY... or -i IMAGE (not both)");
		goto out;
	}
	files = cli_operands(&p, &nfiles);
	if (!cli_stream_inputs(&p, pols, npols, image, &files, &nfiles)) {
		rc = EXIT_USAGE;
		goto out;
	}
	pdp_image *img = NULL;
	rc = obtain_image(image, pols, npols, &img);
	if (rc != EXIT_OK)
		goto out;
	pdp_scratch *scratch = NULL;
	pdp_error err;
	if (pdp_scratch_new(img, &scratch, &err) != PDP_OK) {
		fprintf(stderr, "pdp %s: %s\n", verb, err.message);
		pdp_image_free(img);
		rc = EXIT_IO;
		goto out;
	}
	decision_log *log = NULL;
	if (log_path != NULL)
		rc = decision_log_open(log_path, scratch, &log);
	decide_run run = {img, scratch, json, explain, clock, jsonl, EXIT_OK};
	if (rc != EXIT_OK)
		nfiles = 0; /* the log could not be opened: decide nothing */
	for (int i = 0; i < nfiles; i++) {
		int r = decide_file(&run, files[i]);
		if (r > rc)
			rc = r;
	}
	fflush(stdout);
	int log_rc = decision_log_close(log);
	if (log_rc > rc)
		rc = log_rc;
	pdp_scratch_free(scratch);
	pdp_image_free(img);
out:
	free(pols);
	return rc;
}
