/*
 * cmd_test.c - `pdp test`: YAML test files (schemas/pdptest.schema.json)
 * that name the policies or an image and list cases (a request and the
 * decision, reason or rule id expected of it). Every case is decided; a
 * failing one is shown with its request, what was expected, what came out
 * and the explain trace. Text, JSON or JUnit XML.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "cli/opts.h"
#include "request/request.h"

static const char TEST_HELP[] =
	"usage: pdp test [--format text|json|junit] TESTFILE...\n"
	"Run policy test files (docs/cli.md, schemas/pdptest.schema.json): each\n"
	"names `policies:` (paths relative to the test file) or an `image:` and\n"
	"lists `cases:` (name, request, expect: permit|deny, optional reason and\n"
	"rule_id). A failing case prints its request, the expected and actual\n"
	"answer and the explain trace. The last line is `N passed, M failed`\n"
	"(on standard error with json and junit). A TESTFILE named - is read\n"
	"from standard input (its paths are then relative to the working\n"
	"directory).\n"
	"  --format json   one JSON object with every case\n"
	"  --format junit  JUnit XML for CI systems\n"
	"Exit: 0 all passed, 1 a case failed or the policies have errors, 2 a\n"
	"test file is malformed, 64 usage, 65 image rejected, 66 I/O.\n";

typedef enum test_format { FMT_TEXT, FMT_JSON, FMT_JUNIT } test_format;

/* One decided case, kept until the file's report is written. */
typedef struct case_result {
	const char *name;
	unsigned line;
	bool passed;
	char *expected;   /* "permit", "deny rule:x:privileges:0 id", ... */
	char *got;        /* the decision line as `pdp decide` prints it */
	char *request;    /* the request as one YAML flow line */
	char *trace;      /* explain trace (failing cases only), or NULL */
} case_result;

typedef struct file_run {
	const char *path;     /* for messages: <stdin> for - */
	const char *source;   /* as given: a file, or - */
	case_result *cases;
	size_t n, passed, failed;
	char *error;      /* the file could not be run: why */
	int rc;
} file_run;

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (d == NULL) {
		fputs("pdp: out of memory\n", stderr);
		exit(EXIT_IO);
	}
	return d;
}

/* A scalar that YAML would read back as the same plain string. */
static bool plain_ok(const ynode *n)
{
	if (!n->plain || n->len == 0)
		return false;
	return strpbrk(n->str, ",:[]{}#&*!|>'\"%@`\n") == NULL;
}

/* n as YAML flow text: how a failing case shows its request. */
static void yn_flow(FILE *out, const ynode *n)
{
	if (n->kind == YN_SCALAR) {
		if (plain_ok(n))
			fputs(n->str, out);
		else
			json_write_string(out, n->str, n->len);
		return;
	}
	bool map = n->kind == YN_MAP;
	fputc(map ? '{' : '[', out);
	for (size_t i = 0; i < n->n; i += map ? 2 : 1) {
		if (i > 0)
			fputs(", ", out);
		yn_flow(out, n->items[i]);
		if (map) {
			fputs(": ", out);
			yn_flow(out, n->items[i + 1]);
		}
	}
	fputc(map ? '}' : ']', out);
}

static char *flow_text(const ynode *n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return xstrdup("?");
	yn_flow(f, n);
	fclose(f);
	return buf;
}

/* The first key of map not in known, or NULL. */
static const ynode *unknown_key(const ynode *map, const char *const *known)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const ynode *k = map->items[i];
		bool found = false;
		for (size_t j = 0; known[j] && k->kind == YN_SCALAR; j++)
			found = found || strcmp(k->str, known[j]) == 0;
		if (!found)
			return k;
	}
	return NULL;
}

static char *err_at(const char *path, srcpos pos, const char *fmt,
                    const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof(msg), fmt, arg);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return xstrdup(msg);
	fprintf(f, "%s:%u:%u: error: %s", path, pos.line, pos.col, msg);
	fclose(f);
	return buf;
}

/* The directory part of path plus name, unless name is absolute. */
static char *relative_to(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	if (name[0] == '/' || slash == NULL)
		return xstrdup(name);
	size_t dlen = (size_t)(slash - path) + 1;
	char *out = malloc(dlen + strlen(name) + 1);
	if (out == NULL)
		return xstrdup(name);
	memcpy(out, path, dlen);
	strcpy(out + dlen, name);
	return out;
}

/* ---- loading the file's policies ---- */

/* The image the test file names (`image:` or `policies:`); NULL with
 * *rc set when it cannot be had (the reasons are on standard error). */
static pdp_image *test_image(file_run *fr, const ynode *top)
{
	const ynode *img_n = yn_get(top, "image"), *pols = yn_get(top, "policies");
	pdp_image *img = NULL;
	if ((img_n == NULL) == (pols == NULL)) {
		fr->error = err_at(fr->path, top->pos, "%s",
		                   "a test file names either `policies:` or `image:`");
		fr->rc = 2;
		return NULL;
	}
	if (img_n != NULL) {
		if (img_n->kind != YN_SCALAR) {
			fr->error = err_at(fr->path, img_n->pos, "%s",
			                   "`image:` is a path");
			fr->rc = 2;
			return NULL;
		}
		char *p = relative_to(fr->path, img_n->str);
		fr->rc = obtain_image(p, NULL, 0, &img);
		free(p);
		return img;
	}
	if (pols->kind != YN_SEQ || pols->n == 0) {
		fr->error = err_at(fr->path, pols->pos, "%s",
		                   "`policies:` is a non-empty list of paths");
		fr->rc = 2;
		return NULL;
	}
	char **paths = calloc(pols->n, sizeof(*paths));
	if (paths == NULL)
		exit(EXIT_IO);
	for (size_t i = 0; i < pols->n; i++) {
		if (pols->items[i]->kind != YN_SCALAR) {
			if (fr->error == NULL)
				fr->error = err_at(fr->path, pols->items[i]->pos,
				                   "%s", "a policy is a path");
			fr->rc = 2;
		} else
			paths[i] = relative_to(fr->path, pols->items[i]->str);
	}
	if (fr->rc == 0)
		fr->rc = obtain_image(NULL, paths, (int)pols->n, &img);
	for (size_t i = 0; i < pols->n; i++)
		free(paths[i]);
	free(paths);
	return img;
}

/* ---- one case ---- */

static const ynode *scalar_field(file_run *fr, const ynode *cs,
                                 const char *key)
{
	const ynode *v = yn_get(cs, key);
	if (v != NULL && v->kind != YN_SCALAR && fr->error == NULL) {
		fr->error = err_at(fr->path, v->pos, "`%s` is a string", key);
		fr->rc = 2;
		return NULL;
	}
	return v;
}

/* Decide case cs and record the result; false: the case is malformed
 * (fr->error says where). */
static bool run_case(file_run *fr, pdpc_compiler *doc, const pdp_image *img,
                     pdp_scratch *scratch, const ynode *cs, size_t i)
{
	static const char *const keys[] = {"name", "request", "expect", "reason",
	                                   "rule_id", NULL};
	if (cs->kind != YN_MAP) {
		fr->error = err_at(fr->path, cs->pos, "%s", "a case is a mapping");
		return false;
	}
	const ynode *bad = unknown_key(cs, keys);
	if (bad != NULL) {
		fr->error = err_at(fr->path, bad->pos,
		                   "unknown case key '%s' (name, request, expect, "
		                   "reason, rule_id)",
		                   bad->kind == YN_SCALAR ? bad->str : "?");
		return false;
	}
	const ynode *req = yn_get(cs, "request");
	const ynode *name = scalar_field(fr, cs, "name");
	const ynode *expect = scalar_field(fr, cs, "expect");
	const ynode *reason = scalar_field(fr, cs, "reason");
	const ynode *rule_id = scalar_field(fr, cs, "rule_id");
	if (fr->error != NULL)
		return false;
	if (req == NULL || expect == NULL) {
		fr->error = err_at(fr->path, cs->pos, "%s",
		                   "a case needs `request:` and `expect:`");
		return false;
	}
	if (strcmp(expect->str, "permit") != 0 && strcmp(expect->str, "deny") != 0) {
		fr->error = err_at(fr->path, expect->pos, "%s",
		                   "`expect:` is permit or deny");
		return false;
	}
	parsed_request parsed;
	request_from_node(doc, (ynode *)req, img, &parsed);
	pdpc_request pr;
	request_to_public(&parsed, &pr);
	pdp_decision d;
	memset(&d, 0, sizeof(d));
	char refused[160];
	if (pr.ok) {
		pdp_decide(img, scratch, &pr.req, &d);
		library_refused(&pr, &d, refused, sizeof(refused));
	} else {
		d.effect = PDP_DENY;
		d.reason = PDP_REASON_BAD_REQUEST;
	}
	char *token = NULL, *id = NULL;
	if (pr.ok) {
		char *full = reason_text(img, &d, true);
		size_t tlen = pdp_reason_format(img, &d, false, NULL, 0);
		token = strndup(full, tlen);
		id = xstrdup(full[tlen] == ' ' ? full + tlen + 1 : "");
		free(full);
	} else {
		token = xstrdup("bad-request");
		id = xstrdup("");
	}
	const char *eff = d.effect == PDP_PERMIT ? "permit" : "deny";
	bool passed = strcmp(eff, expect->str) == 0 &&
	              (reason == NULL || strcmp(reason->str, token) == 0) &&
	              (rule_id == NULL || strcmp(rule_id->str, id) == 0);
	case_result *r = &fr->cases[fr->n++];
	char buf[128];
	snprintf(buf, sizeof(buf), "case %zu", i + 1);
	r->name = name ? name->str : NULL;
	r->name = xstrdup(r->name ? r->name : buf);
	r->line = cs->pos.line;
	r->passed = passed;
	char *txt = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&txt, &len);
	if (f == NULL)
		exit(EXIT_IO);
	fputs(expect->str, f);
	if (reason)
		fprintf(f, " %s", reason->str);
	if (rule_id)
		fprintf(f, "%s%s", reason ? " " : " (rule id) ", rule_id->str);
	fclose(f);
	r->expected = txt;
	f = open_memstream(&txt, &len);
	if (f == NULL)
		exit(EXIT_IO);
	print_decision(f, img, &pr, &d, false);
	fclose(f);
	if (len > 0 && txt[len - 1] == '\n')
		txt[len - 1] = '\0';
	r->got = txt;
	r->request = flow_text(req);
	r->trace = NULL;
	if (!passed && pr.ok) {
		f = open_memstream(&txt, &len);
		if (f == NULL)
			exit(EXIT_IO);
		pdp_decision d2;
		explain_text(f, img, scratch, &pr.req, &d2);
		fclose(f);
		r->trace = txt;
	}
	if (passed)
		fr->passed++;
	else
		fr->failed++;
	free(token);
	free(id);
	return true;
}

/* Run every case of one test file. */
static void run_file(file_run *fr)
{
	static const char *const top_keys[] = {"policies", "image", "cases",
	                                       "description", NULL};
	pdpc_compiler *doc = pdpc_new();
	if (doc == NULL)
		exit(EXIT_IO);
	if (cli_add_policy(doc, fr->source) != PDPC_OK) {
		print_diags(stderr, doc, DIAG_TEXT, false);
		fr->rc = EXIT_IO;
		pdpc_free(doc);
		return;
	}
	ynode_vec docs = {0};
	if (!yaml_load_docs(doc, 0, &docs) || docs.n != 1) {
		if (docs.n != 1 && cc_error_count(doc) == 0)
			fr->error = err_at(fr->path, (srcpos){0, 1, 1}, "%s",
			                   "a test file is one YAML document");
		else
			print_diags(stderr, doc, DIAG_TEXT, false);
		fr->rc = 2;
		pdpc_free(doc);
		return;
	}
	ynode *top = docs.items[0];
	const ynode *bad, *cases = yn_get(top, "cases");
	if (top->kind != YN_MAP)
		fr->error = err_at(fr->path, top->pos, "%s",
		                   "a test file is a mapping with `cases:`");
	else if ((bad = unknown_key(top, top_keys)) != NULL)
		fr->error = err_at(fr->path, bad->pos,
		                   "unknown key '%s' (policies, image, cases, "
		                   "description)",
		                   bad->kind == YN_SCALAR ? bad->str : "?");
	else if (cases == NULL || cases->kind != YN_SEQ)
		fr->error = err_at(fr->path, top->pos, "%s",
		                   "`cases:` is a list of cases");
	if (fr->error != NULL) {
		fr->rc = 2;
		pdpc_free(doc);
		return;
	}
	pdp_image *img = test_image(fr, top);
	pdp_scratch *scratch = NULL;
	if (img != NULL && pdp_scratch_new(img, &scratch, NULL) != PDP_OK)
		fr->rc = EXIT_IO;
	if (fr->rc == 0) {
		fr->cases = calloc(cases->n + 1, sizeof(*fr->cases));
		if (fr->cases == NULL)
			exit(EXIT_IO);
		for (size_t i = 0; i < cases->n; i++)
			if (!run_case(fr, doc, img, scratch, cases->items[i], i)) {
				fr->rc = 2;
				break;
			}
	}
	pdp_scratch_free(scratch);
	pdp_image_free(img);
	pdpc_free(doc);
}

/* ---- reports ---- */

static void indent_lines(FILE *out, const char *text, const char *pad)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0)
			fprintf(out, "%s%.*s\n", pad, (int)n, p);
		p += n + (nl != NULL);
	}
}

static void report_text(const file_run *fr)
{
	for (size_t i = 0; i < fr->n; i++) {
		const case_result *r = &fr->cases[i];
		if (r->passed)
			continue;
		printf("FAIL %s:%u: %s\n", fr->path, r->line, r->name);
		printf("  request:  %s\n  expected: %s\n  got:      %s\n",
		       r->request, r->expected, r->got);
		if (r->trace) {
			puts("  trace:");
			indent_lines(stdout, r->trace, "    ");
		}
	}
}

static void jfield(const char *key, const char *v, bool comma)
{
	printf("%s\"%s\":", comma ? "," : "", key);
	json_write_string(stdout, v, strlen(v));
}

static void report_json(const file_run *runs, size_t n)
{
	fputs("{\"files\":[", stdout);
	for (size_t f = 0; f < n; f++) {
		const file_run *fr = &runs[f];
		printf("%s{", f ? "," : "");
		jfield("file", fr->path, false);
		if (fr->error)
			jfield("error", fr->error, true);
		printf(",\"passed\":%zu,\"failed\":%zu,\"cases\":[", fr->passed,
		       fr->failed);
		for (size_t i = 0; i < fr->n; i++) {
			const case_result *r = &fr->cases[i];
			printf("%s{", i ? "," : "");
			jfield("name", r->name, false);
			printf(",\"line\":%u,\"passed\":%s", r->line,
			       r->passed ? "true" : "false");
			jfield("expected", r->expected, true);
			jfield("got", r->got, true);
			if (!r->passed) {
				jfield("request", r->request, true);
				if (r->trace)
					jfield("trace", r->trace, true);
			}
			fputc('}', stdout);
		}
		fputs("]}", stdout);
	}
	fputs("]", stdout);
}

static void report_junit(const file_run *runs, size_t n, size_t passed,
                         size_t failed, size_t errors)
{
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<testsuites name=\"pdp test\" tests=\"%zu\" failures=\"%zu\" "
	       "errors=\"%zu\">\n",
	       passed + failed, failed, errors);
	for (size_t f = 0; f < n; f++) {
		const file_run *fr = &runs[f];
		fputs("  <testsuite name=\"", stdout);
		xml_text(stdout, fr->path, strlen(fr->path));
		printf("\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n", fr->n,
		       fr->failed, fr->error || (fr->rc != 0 && fr->n == 0));
		if (fr->error) {
			fputs("    <error message=\"", stdout);
			xml_text(stdout, fr->error, strlen(fr->error));
			fputs("\"/>\n", stdout);
		}
		for (size_t i = 0; i < fr->n; i++) {
			const case_result *r = &fr->cases[i];
			fputs("    <testcase classname=\"", stdout);
			xml_text(stdout, fr->path, strlen(fr->path));
			fputs("\" name=\"", stdout);
			xml_text(stdout, r->name, strlen(r->name));
			if (r->passed) {
				fputs("\"/>\n", stdout);
				continue;
			}
			fputs("\">\n      <failure message=\"expected ", stdout);
			xml_text(stdout, r->expected, strlen(r->expected));
			fputs(", got ", stdout);
			xml_text(stdout, r->got, strlen(r->got));
			fputs("\">request: ", stdout);
			xml_text(stdout, r->request, strlen(r->request));
			fputc('\n', stdout);
			if (r->trace)
				xml_text(stdout, r->trace, strlen(r->trace));
			fputs("</failure>\n    </testcase>\n", stdout);
		}
		fputs("  </testsuite>\n", stdout);
	}
	fputs("</testsuites>\n", stdout);
}

static void free_run(file_run *fr)
{
	for (size_t i = 0; i < fr->n; i++) {
		case_result *r = &fr->cases[i];
		free((char *)r->name);
		free(r->expected);
		free(r->got);
		free(r->request);
		free(r->trace);
	}
	free(fr->cases);
	free(fr->error);
}

int cmd_test(int argc, char **argv)
{
	static const char *const formats[] = {"text", "json", "junit", NULL};
	static const struct option options[] = {
		{"format", required_argument, NULL, OPT_FIRST},
		CLI_COMMON_OPTIONS
	};
	test_format fmt = FMT_TEXT;
	cli_parser p;
	cli_parser_init(&p, "test", TEST_HELP, "", options, argc, argv);
	int c, f, nfiles;
	while ((c = cli_next(&p)) != CLI_END) {
		if (c == CLI_EXIT)
			return p.exit_code;
		if ((f = cli_choice(&p, "--format", p.arg, formats)) < 0)
			return EXIT_USAGE;
		fmt = (test_format)f;
	}
	char **files = cli_operands(&p, &nfiles);
	if (nfiles <= 0)
		return cli_usage_error(&p, "no test file given (a file, or - for "
		                           "standard input)");
	if (!cli_stdin_once(&p, files, nfiles, NULL, 0, NULL))
		return EXIT_USAGE;
	size_t n = (size_t)nfiles, passed = 0, failed = 0, errors = 0;
	file_run *runs = calloc(n, sizeof(*runs));
	if (runs == NULL)
		return EXIT_IO;
	int rc = EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		file_run *fr = &runs[i];
		fr->source = files[i];
		fr->path = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
		run_file(fr);
		if (fr->error) {
			fflush(stdout);
			fprintf(stderr, "%s\n", fr->error);
		}
		passed += fr->passed;
		failed += fr->failed;
		if (fr->rc != 0) {
			errors++;
			if (rc == EXIT_OK || fr->rc > rc)
				rc = fr->rc;
		}
		if (fmt == FMT_TEXT)
			report_text(fr);
	}
	if (rc == EXIT_OK && failed > 0)
		rc = EXIT_POLICY;
	if (fmt == FMT_JSON) {
		report_json(runs, n);
		printf(",\"passed\":%zu,\"failed\":%zu,\"errors\":%zu}\n", passed,
		       failed, errors);
	} else if (fmt == FMT_JUNIT)
		report_junit(runs, n, passed, failed, errors);
	FILE *summary = fmt == FMT_TEXT ? stdout : stderr;
	fprintf(summary, "%zu passed, %zu failed", passed, failed);
	if (errors > 0)
		fprintf(summary, " (%zu test file%s could not be run)", errors,
		        errors == 1 ? "" : "s");
	fputc('\n', summary);
	for (size_t i = 0; i < n; i++)
		free_run(&runs[i]);
	free(runs);
	return rc;
}
