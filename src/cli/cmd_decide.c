/*
 * cmd_decide.c - `pdp decide` (one line per request) and `pdp explain` (the
 * evaluation trace: every rule of the target ACPs and which test held).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/request.h"
#include "eval/eval.h"

static const char DECIDE_HELP[] =
	"usage: pdp decide (-p POLICY [-p POLICY]... | -i IMAGE) [--json]\n"
	"                  [--no-clock] [REQUEST_FILE...]\n"
	"Decide each request: one line per request, `permit <reason>` or\n"
	"`deny <reason>`. A file holds one request, several YAML documents, a\n"
	"list or JSON Lines. No file or `-` reads standard input. An absent\n"
	"env.time is now.\n"
	"  --json      one JSON object per line: decision, reason, rule_id,\n"
	"              indeterminate, error\n"
	"  --no-clock  leave an absent env.time absent (windows indeterminate)\n"
	"Exit: 0 decided, 1 policy errors, 2 some request was bad (answered\n"
	"deny bad-request), 64 usage, 65 image rejected, 66 I/O.\n";

static const char EXPLAIN_HELP[] =
	"usage: pdp explain (-p POLICY [-p POLICY]... | -i IMAGE) [--json]\n"
	"                   [--no-clock] [REQUEST_FILE...]\n"
	"Show how each request was decided: every rule of the target ACPs, which\n"
	"tests held, failed or were indeterminate, and the decision.\n"
	"  --json      one JSON object per request: line, rules (each test's\n"
	"              result), decision (as pdp decide --json prints it)\n"
	"  --no-clock  leave an absent env.time absent (windows indeterminate)\n"
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
static void explain_rule_json(explain_ctx *x, const pdp_image *seg,
                              pdp_str acp, const uint32_t *rule,
                              const rule_result *r)
{
	const pdp_image *img = x->img;
	FILE *out = x->out;
	char tok[600];
	int n = snprintf(tok, sizeof(tok), "rule:%.*s:%s:%u", (int)acp.len,
	                 acp.ptr,
	                 (rule[RW_FLAGS] & RULE_FLAG_SELF) ? "self" : "privileges",
	                 rule[RW_INDEX]);
	fprintf(out, "%s{\"rule\":", x->n++ ? "," : "");
	json_string(out, tok, n > 0 ? (size_t)n : 0);
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
	pdp_str acp = pdp_acp_name(img, acp_index);
	if (x->json) {
		explain_rule_json(x, seg, acp, rule, r);
		return;
	}
	fprintf(x->out, "  rule:%.*s:%s:%u", (int)acp.len, acp.ptr,
	        (rule[RW_FLAGS] & RULE_FLAG_SELF) ? "self" : "privileges",
	        rule[RW_INDEX]);
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
			fputs(" regex hit its match limit", x->out);
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

static void print_decision(FILE *out, const pdp_image *img,
                           const parsed_request *pr, const pdp_decision *d,
                           bool json, bool newline)
{
	char reason[512], token[512];
	pdp_reason_format(img, d, true, reason, sizeof(reason));
	pdp_reason_format(img, d, false, token, sizeof(token));
	const char *eff = d->effect == PDP_PERMIT ? "permit" : "deny";
	if (!json) {
		if (!pr->ok)
			fprintf(out, "%s bad-request %s\n", eff, pr->error);
		else
			fprintf(out, "%s %s\n", eff, reason);
		return;
	}
	fprintf(out, "{\"decision\":\"%s\",\"reason\":", eff);
	if (!pr->ok) {
		json_string(out, "bad-request", 11);
		fputs(",\"error\":", out);
		json_string(out, pr->error, strlen(pr->error));
	} else {
		json_string(out, token, strlen(token));
		if (strcmp(token, reason) != 0) {
			const char *id = reason + strlen(token) + 1;
			fputs(",\"rule_id\":", out);
			json_string(out, id, strlen(id));
		}
		if (d->indeterminate)
			fputs(",\"indeterminate\":true", out);
	}
	fputs(newline ? "}\n" : "}", out);
}

/* A request the CLI could read but the library refused (a limit of
 * docs/limits.md): turn it into a bad request with the reason. */
static bool library_refused(parsed_request *pr, const pdp_decision *d)
{
	if (!pr->ok || d->reason != PDP_REASON_BAD_REQUEST)
		return false;
	const char *why = "the request could not be decided";
	switch ((pdp_bad)d->detail) {
	case PDP_BAD_NO_ORIGINATOR:
		why = "no originator";
		break;
	case PDP_BAD_OPERATION:
		why = "not exactly one known operation";
		break;
	case PDP_BAD_LIMIT:
		why = "too many ACPs or roles, or an originator too long "
		      "(docs/limits.md)";
		break;
	default:
		break;
	}
	pr->ok = false;
	snprintf(pr->error, sizeof(pr->error), "%u:%u: %s", pr->pos.line,
	         pr->pos.col, why);
	return true;
}

static pdp_time now_utc(void)
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
	if (pr->notes[0])
		fprintf(out, "  note: %s\n", pr->notes);
	(void)img;
}

static int decide_file(const pdp_image *img, pdp_scratch *scratch,
                       const char *path, bool json, bool explain, bool clock)
{
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return EXIT_IO;
	pdpc_status st = strcmp(path, "-") == 0 ? PDPC_ERR_IO
	                                        : pdpc_add_file(c, path);
	if (strcmp(path, "-") == 0) {
		size_t cap = 65536, len = 0;
		char *buf = malloc(cap);
		while (buf != NULL) {
			size_t got = fread(buf + len, 1, cap - len, stdin);
			len += got;
			if (got == 0)
				break;
			if (len == cap) {
				char *nb = cap < (64u << 20) ? realloc(buf, cap *= 2) : NULL;
				if (nb == NULL) {
					free(buf);
					buf = NULL;
				}
				buf = nb;
			}
		}
		if (buf != NULL)
			st = pdpc_add_buffer(c, "<stdin>", buf, len);
		free(buf);
	}
	if (st != PDPC_OK) {
		print_diags(stderr, c, DIAG_TEXT, false);
		pdpc_free(c);
		return EXIT_IO;
	}
	parsed_requests reqs = {0};
	int rc = EXIT_OK;
	bool parsed = requests_parse(c, 0, img, clock, now_utc(), &reqs);
	if (!parsed) {
		/* the file is not readable YAML: one bad-request line */
		const pdpc_diag *d = pdpc_diag_get(c, 0);
		if (json) {
			fputs("{\"decision\":\"deny\",\"reason\":\"bad-request\","
			      "\"error\":",
			      stdout);
			char msg[600];
			snprintf(msg, sizeof(msg), "%s:%u:%u: %s", path, d ? d->line : 0,
			         d ? d->col : 0, d ? d->message : "unreadable");
			json_string(stdout, msg, strlen(msg));
			fputs("}\n", stdout);
		} else
			printf("deny bad-request %s:%u:%u: %s\n", path, d ? d->line : 0,
			       d ? d->col : 0, d ? d->message : "unreadable");
		pdpc_free(c);
		return EXIT_BAD_REQUEST;
	}
	for (size_t i = 0; i < reqs.n; i++) {
		parsed_request *pr = &reqs.items[i];
		pdp_decision d;
		if (!pr->ok) {
			memset(&d, 0, sizeof(d));
			d.effect = PDP_DENY;
			d.reason = PDP_REASON_BAD_REQUEST;
			rc = EXIT_BAD_REQUEST;
			if (explain && json) {
				fprintf(stdout, "{\"line\":%u,\"rules\":[],\"decision\":",
				        pr->pos.line);
				print_decision(stdout, img, pr, &d, true, false);
				fputs("}\n", stdout);
				continue;
			}
			if (explain)
				fprintf(stdout, "request: bad request: %s\n", pr->error);
			print_decision(stdout, img, pr, &d, json, true);
			continue;
		}
		if (explain && json) {
			explain_ctx x = {img, &pr->req, stdout, true, 0};
			eval_trace tr = {explain_rule, &x};
			fprintf(stdout, "{\"line\":%u,\"time_defaulted\":%s",
			        pr->pos.line, pr->time_defaulted ? "true" : "false");
			if (pr->notes[0])
				jkey_str(stdout, "notes", pr->notes, strlen(pr->notes));
			fputs(",\"rules\":[", stdout);
			eval_decide(img, scratch, &pr->req, NULL, &d, &tr);
			if (library_refused(pr, &d))
				rc = EXIT_BAD_REQUEST;
			fputs("],\"decision\":", stdout);
			print_decision(stdout, img, pr, &d, true, false);
			fputs("}\n", stdout);
			continue;
		}
		if (explain) {
			explain_ctx x = {img, &pr->req, stdout, false, 0};
			eval_trace tr = {explain_rule, &x};
			explain_header(stdout, img, pr);
			eval_decide(img, scratch, &pr->req, NULL, &d, &tr);
			fputs("decision: ", stdout);
		} else
			pdp_decide(img, scratch, &pr->req, &d);
		if (library_refused(pr, &d))
			rc = EXIT_BAD_REQUEST;
		print_decision(stdout, img, pr, &d, json, true);
		if (explain) {
			if (d.reason == PDP_REASON_ROLE_NOT_AUTHORIZED &&
			    d.detail < pr->req.n_roles)
				printf("  role '%.*s' is not authorized for %.*s\n",
				       (int)pr->req.roles[d.detail].len,
				       pr->req.roles[d.detail].ptr,
				       (int)pr->req.originator.len, pr->req.originator.ptr);
			if (d.reason == PDP_REASON_UNKNOWN_ACP && d.acp < pr->req.n_acps)
				printf("  ACP '%.*s' is not in the policy set\n",
				       (int)pr->req.acps[d.acp].len, pr->req.acps[d.acp].ptr);
			if (d.reason == PDP_REASON_DSD_VIOLATION)
				printf("  the active roles break DSD constraint %u\n",
				       d.detail);
			fputc('\n', stdout);
		}
	}
	pdpc_free(c);
	return rc;
}

int cmd_decide(int argc, char **argv, bool explain)
{
	const char *verb = explain ? "explain" : "decide";
	const char *help = explain ? EXPLAIN_HELP : DECIDE_HELP;
	const char *image = NULL;
	bool json = false, clock = true;
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
	for (int i = 0; i < nfiles; i++) {
		int r = decide_file(img, scratch, files[i], json, explain, clock);
		if (r > rc)
			rc = r;
	}
	fflush(stdout);
	pdp_scratch_free(scratch);
	pdp_image_free(img);
out:
	free(pols);
	free(files);
	return rc;
}
