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
#include "cli/request.h"
#include "eval/eval.h"

static const char DECIDE_HELP[] =
	"usage: pdp decide (-p POLICY [-p POLICY]... | -i IMAGE) [--json]\n"
	"                  [--no-clock] [--jsonl] [--log FILE] [REQUEST_FILE...]\n"
	"Decide each request: one line per request, `permit <reason>` or\n"
	"`deny <reason>`. A file holds one request, several YAML documents, a\n"
	"list or JSON Lines. No file or `-` reads standard input. An absent\n"
	"env.time is now.\n"
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
	"tests held, failed or were indeterminate, and the decision.\n"
	"  --json      one JSON object per request: line, rules (each test's\n"
	"              result), decision (as pdp decide --json prints it)\n"
	"  --no-clock  leave an absent env.time absent (windows indeterminate)\n"
	"  --jsonl     every input is JSON Lines\n"
	"Exit codes as for pdp decide.\n";

static const char *tri_word(tri t)
{
	return t == T_TRUE ? "held" : t == T_FALSE ? "failed" : "indeterminate";
}

static const char *bool_word(bool b)
{
	return b ? "held" : "failed";
}

typedef struct explain_ctx {
	const pdp_image *img;
	const pdp_request *req;
	FILE *out;
	bool json;
	unsigned n;
} explain_ctx;

static void jkey_str(FILE *out, const char *key, const char *s, size_t len)
{
	fprintf(out, ",\"%s\":", key);
	json_string(out, s, len);
}

/* One rule of the trace as a JSON object (schemas/explain.schema.json). */
/* The rule's token ("rule:ACP:SECTION:I"), sized to its ids: the reason
 * a decision by this rule would give. Works for a store's view too, whose
 * rules live in segments. */
static char *trace_token(const pdp_image *img, uint32_t acp,
                         const uint32_t *rule)
{
	pdp_decision d;
	memset(&d, 0, sizeof(d));
	d.reason = PDP_REASON_RULE;
	d.acp = acp;
	d.self = (rule[RW_FLAGS] & RULE_FLAG_SELF) != 0;
	d.rule = rule[RW_INDEX];
	return reason_text(img, &d, false);
}

static void explain_rule_json(explain_ctx *x, const pdp_image *seg,
                              uint32_t acp, const uint32_t *rule,
                              const rule_result *r)
{
	const pdp_image *img = x->img;
	FILE *out = x->out;
	char *tok = trace_token(img, acp, rule);
	fprintf(out, "%s{\"rule\":", x->n++ ? "," : "");
	json_string(out, tok, strlen(tok));
	free(tok);
	if (rule[RW_ID] != IMG_NONE) {
		pdp_str id = img_str(seg, rule[RW_ID]);
		jkey_str(out, "id", id.ptr, id.len);
	}
	fprintf(out, ",\"effect\":\"%s\",\"operations\":\"%s\","
	             "\"originators\":\"%s\",\"authenticated\":\"%s\","
	             "\"objects\":\"%s\",\"contexts\":\"%s\",\"when\":\"%s\","
	             "\"result\":\"%s\"",
	        (rule[RW_FLAGS] & RULE_FLAG_DENY) ? "deny" : "permit",
	        bool_word(r->ops), bool_word(r->orig), bool_word(r->auth),
	        bool_word(r->obj), tri_word(r->ctx), tri_word(r->when),
	        r->all == T_TRUE ? "applies"
	        : r->all == T_INDET ? "indeterminate" : "does-not-apply");
	if (r->missing_attr != PDP_NONE) {
		pdp_str a = pdp_attr_name(img, r->missing_attr);
		jkey_str(out, r->wrong_type ? "wrong_type_attr" : "missing_attr",
		         a.ptr, a.len);
	}
	if (r->missing_env) {
		fputs(",\"undecidable\":[", out);
		static const char *const what[] = {"env.time", "env.ip",
		                                   "env.country", "env.location",
		                                   "regex-limit", "no-scratch"};
		bool first = true;
		for (int i = 0; i < 6; i++)
			if (r->missing_env & (1u << i)) {
				fprintf(out, "%s\"%s\"", first ? "" : ",", what[i]);
				first = false;
			}
		fputc(']', out);
	}
	fputc('}', out);
}

static void explain_rule(void *vctx, const pdp_image *seg, uint32_t acp_index,
                         uint32_t idx, const rule_result *r)
{
	explain_ctx *x = vctx;
	const pdp_image *img = x->img;
	const uint32_t *rule = img_rec(seg, SEC_RULES, idx);
	if (x->json) {
		explain_rule_json(x, seg, acp_index, rule, r);
		return;
	}
	char *tok = trace_token(img, acp_index, rule);
	fprintf(x->out, "  %s", tok);
	free(tok);
	if (rule[RW_ID] != IMG_NONE) {
		pdp_str id = img_str(seg, rule[RW_ID]);
		fprintf(x->out, " %.*s", (int)id.len, id.ptr);
	}
	fprintf(x->out, " (%s", (rule[RW_FLAGS] & RULE_FLAG_DENY) ? "deny" : "permit");
	if (rule[RW_SOURCE] != IMG_NONE) {
		pdp_str src = img_str(seg, img_rec(seg, SEC_SOURCES, rule[RW_SOURCE])[0]);
		fprintf(x->out, ", %.*s:%u", (int)src.len, src.ptr, rule[RW_LINE]);
	}
	fputs(")\n", x->out);
	fprintf(x->out, "    operations %s, originators %s, authenticated %s, "
	                "objects %s, contexts %s, when %s",
	        bool_word(r->ops), bool_word(r->orig), bool_word(r->auth),
	        bool_word(r->obj), tri_word(r->ctx), tri_word(r->when));
	fputc('\n', x->out);
	if (r->missing_env) {
		fputs("    undecidable:", x->out);
		if (r->missing_env & MISS_TIME)
			fputs(" no env.time", x->out);
		if (r->missing_env & MISS_IP)
			fputs(" no env.ip", x->out);
		if (r->missing_env & MISS_COUNTRY)
			fputs(" no valid env.country", x->out);
		if (r->missing_env & MISS_LOCATION)
			fputs(" no valid env.location", x->out);
		if (r->missing_env & MISS_REGEX_LIMIT)
			fputs(" regex hit a limit (steps or value length)", x->out);
		if (r->missing_env & MISS_SCRATCH)
			fputs(" no regex scratch", x->out);
		fputc('\n', x->out);
	}
	if (r->missing_attr != PDP_NONE) {
		pdp_str n = pdp_attr_name(img, r->missing_attr);
		fprintf(x->out, "    attribute %.*s %s\n", (int)n.len, n.ptr,
		        r->wrong_type ? "has a value of the wrong type"
		                      : "is missing from the request");
	}
	fprintf(x->out, "    => %s\n",
	        r->all == T_TRUE ? "applies"
	        : r->all == T_INDET ? "indeterminate"
	                            : "does not apply");
}

void print_decision(FILE *out, const pdp_image *img,
                    const parsed_request *pr, const pdp_decision *d,
                    bool json, bool newline)
{
	const char *eff = d->effect == PDP_PERMIT ? "permit" : "deny";
	if (!pr->ok) {
		if (!json)
			fprintf(out, "%s bad-request %s\n", eff, pr->error);
		else {
			fprintf(out, "{\"decision\":\"%s\",\"reason\":\"bad-request\","
			             "\"error\":",
			        eff);
			json_string(out, pr->error, strlen(pr->error));
			json_image_id(out, img);
			fputs(newline ? "}\n" : "}", out);
		}
		return;
	}
	char *reason = reason_text(img, d, true);
	if (!json) {
		fprintf(out, "%s %s\n", eff, reason);
		free(reason);
		return;
	}
	/* the reason with the rule id is the token, a space and the id */
	size_t tlen = pdp_reason_format(img, d, false, NULL, 0);
	fprintf(out, "{\"decision\":\"%s\",\"reason\":", eff);
	json_string(out, reason, tlen);
	if (reason[tlen] == ' ') {
		fputs(",\"rule_id\":", out);
		json_string(out, reason + tlen + 1, strlen(reason + tlen + 1));
	}
	if (d->indeterminate)
		fputs(",\"indeterminate\":true", out);
	json_image_id(out, img);
	fputs(newline ? "}\n" : "}", out);
	free(reason);
}

/* A request the CLI could read but the library refused (a limit of
 * docs/limits.md): turn it into a bad request with the reason, written to
 * buf (the text is short and has no names in it). */
bool library_refused(parsed_request *pr, const pdp_decision *d,
                     char *buf, size_t size)
{
	if (!pr->ok || d->reason != PDP_REASON_BAD_REQUEST)
		return false;
	pr->ok = false;
	snprintf(buf, size, "%u:%u: %s", pr->pos.line, pr->pos.col,
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

static void explain_header(FILE *out, const pdp_image *img,
                           const parsed_request *pr)
{
	const pdp_request *q = &pr->req;
	fprintf(out, "request at line %u: originator %.*s, operation %s\n",
	        pr->pos.line, (int)q->originator.len, q->originator.ptr,
	        pdp_operation_name(q->operation));
	if (pr->time_defaulted) {
		char buf[64];
		time_format_rfc3339(q->time, buf, sizeof(buf));
		fprintf(out, "  env.time not given: using now (%s)\n", buf);
	}
	if (pr->notes)
		fprintf(out, "  note: %s\n", pr->notes);
	(void)img;
}

/* What every request of a run is decided with. */
typedef struct decide_run {
	const pdp_image *img;
	pdp_scratch *scratch;
	bool json, explain, clock, jsonl;
	int rc;
} decide_run;

static void explain_extra(const parsed_request *pr, const pdp_decision *d)
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
	fputc('\n', stdout);
}

/* Decide one request as soon as it is read and print the answer. */
static bool decide_one(void *ctx, parsed_request *pr)
{
	decide_run *x = ctx;
	pdp_decision d;
	char refused[160];
	if (x->clock)
		request_default_time(pr, now_utc());
	if (!pr->ok) {
		memset(&d, 0, sizeof(d));
		d.effect = PDP_DENY;
		d.reason = PDP_REASON_BAD_REQUEST;
		x->rc = EXIT_BAD_REQUEST;
		if (x->explain && x->json) {
			printf("{\"line\":%u,\"rules\":[],\"decision\":", pr->pos.line);
			print_decision(stdout, x->img, pr, &d, true, false);
			fputs("}\n", stdout);
			return true;
		}
		if (x->explain)
			printf("request: bad request: %s\n", pr->error);
		print_decision(stdout, x->img, pr, &d, x->json, true);
		return true;
	}
	if (x->explain && x->json) {
		explain_ctx e = {x->img, &pr->req, stdout, true, 0};
		eval_trace tr = {explain_rule, &e};
		printf("{\"line\":%u,\"time_defaulted\":%s", pr->pos.line,
		       pr->time_defaulted ? "true" : "false");
		if (pr->notes)
			jkey_str(stdout, "notes", pr->notes, strlen(pr->notes));
		fputs(",\"rules\":[", stdout);
		eval_decide(x->img, x->scratch, &pr->req, NULL, &d, &tr);
		if (library_refused(pr, &d, refused, sizeof(refused)))
			x->rc = EXIT_BAD_REQUEST;
		fputs("],\"decision\":", stdout);
		print_decision(stdout, x->img, pr, &d, true, false);
		fputs("}\n", stdout);
		return true;
	}
	if (x->explain) {
		explain_ctx e = {x->img, &pr->req, stdout, false, 0};
		eval_trace tr = {explain_rule, &e};
		explain_header(stdout, x->img, pr);
		eval_decide(x->img, x->scratch, &pr->req, NULL, &d, &tr);
		fputs("decision: ", stdout);
	} else
		pdp_decide(x->img, x->scratch, &pr->req, &d);
	if (library_refused(pr, &d, refused, sizeof(refused)))
		x->rc = EXIT_BAD_REQUEST;
	print_decision(stdout, x->img, pr, &d, x->json, true);
	if (x->explain)
		explain_extra(pr, &d);
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
	request_input in = {fd_read, &fin, is_stdin ? "<stdin>" : path,
	                    x->jsonl || ends_with(path, ".jsonl") ||
	                            ends_with(path, ".ndjson")};
	x->rc = EXIT_OK;
	requests_status st = requests_read(&in, x->img, decide_one, x);
	if (!is_stdin)
		close(fin.fd);
	if (st == REQUESTS_IO) {
		fprintf(stderr, "pdp %s: cannot read %s: %s\n", verb,
		        is_stdin ? "standard input" : path, strerror(fin.err));
		return EXIT_IO;
	}
	if (st == REQUESTS_NOMEM) {
		fprintf(stderr, "pdp %s: out of memory reading %s\n", verb, path);
		return EXIT_IO;
	}
	return x->rc;
}

int cmd_decide(int argc, char **argv, bool explain)
{
	const char *verb = explain ? "explain" : "decide";
	const char *help = explain ? EXPLAIN_HELP : DECIDE_HELP;
	const char *image = NULL, *log_path = NULL;
	bool json = false, clock = true, jsonl = false;
	char **pols = calloc((size_t)argc + 1, sizeof(char *));
	char **files = calloc((size_t)argc + 2, sizeof(char *));
	int npols = 0, nfiles = 0, rc = EXIT_OK;
	if (pols == NULL || files == NULL) {
		free(pols);
		free(files);
		return EXIT_IO;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(help, stdout);
			goto out;
		} else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc) {
			pols[npols++] = argv[++i];
		} else if (strcmp(argv[i], "-i") == 0 && i + 1 < argc) {
			image = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--no-clock") == 0) {
			clock = false;
		} else if (strcmp(argv[i], "--jsonl") == 0) {
			jsonl = true;
		} else if (!explain && strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
			log_path = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "pdp %s: unknown option '%s'\n%s", verb, argv[i],
			        help);
			rc = EXIT_USAGE;
			goto out;
		} else
			files[nfiles++] = argv[i];
	}
	if ((image == NULL) == (npols == 0)) {
		fprintf(stderr, "pdp %s: give -p POLICY... or -i IMAGE (not both)\n%s",
		        verb, help);
		rc = EXIT_USAGE;
		goto out;
	}
	if (nfiles == 0)
		files[nfiles++] = "-";
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
	free(files);
	return rc;
}
