/*
 * fuzz_request.c - request files (docs/language.md section 10, YAML/JSON)
 * read the way `pdp decide` does (pdpc.h pdpc_requests_read, handed
 * over in pieces), then decided on a fixed image compiled once from the policy below (roles with
 * a hierarchy, DSD, groups, attributes of every type, a regex condition,
 * contexts, objects, self rules).
 *
 * Two ACPs are traps with a known answer: `acp-always` denies every request
 * (its deny rule's window is "always", and a request without a time makes
 * it indeterminate), and `acp-glob-trap` permits exactly the originators
 * that none of its deny globs matches by the reference matcher
 * (tests/ref/glob_ref.h). A request naming only one of them must get that
 * answer, whatever its time or originator.
 */
#include "../tests/ref/glob_ref.h"
#include "pdp/pdpc.h"
#include "fuzz.h"

static const char policy[] =
	"pdp: 1\n"
	"attributes:\n"
	"  originator.clearance: int\n"
	"  originator.department: string\n"
	"  originator.vip: bool\n"
	"  originator.home: ip\n"
	"  resource.labels: set<string>\n"
	"  resource.owner: string\n"
	"  resource.expires: time\n"
	"  env.threat: int\n"
	"groups:\n"
	"  meters: [CAE-meter-01, \"CAE-meter-9*\", \"/cse-in/*\"]\n"
	"  trap: [\"??\\u00e9*\"]\n"
	"roles:\n"
	"  viewer: {}\n"
	"  operator: { inherits: [viewer] }\n"
	"  auditor: { inherits: [viewer] }\n"
	"  approver: {}\n"
	"  admin: { inherits: [operator, auditor] }\n"
	"assignments:\n"
	"  CAE-alice: [operator, approver]\n"
	"  CAE-bob: [auditor]\n"
	"  CAE-admin: [admin]\n"
	"constraints:\n"
	"  dsd:\n"
	"    - name: no-self-approve\n"
	"      roles: [operator, approver]\n"
	"      n: 2\n"
	"acps:\n"
	"  - id: acp-main\n"
	"    privileges:\n"
	"      - originators: [\"group:meters\"]\n"
	"        operations: [retrieve, discover]\n"
	"        contexts:\n"
	"          - window: [\"* * 8-17 * * MON-FRI *\", \"*/15 0-59/2 * 1-31/3 JAN-DEC * 2020-2199\"]\n"
	"            ip: [\"10.1.0.0/16\", \"2001:db8::/32\"]\n"
	"            region: { countries: [DE, \"250\"], circles: [{lat: 52.52, lon: 13.40, radius: 5000}] }\n"
	"        objects:\n"
	"          - { types: [contentInstance, container], specializations: [org.example.meter], child_types: [4] }\n"
	"      - originators: [\"role:viewer\"]\n"
	"        operations: [retrieve]\n"
	"        when:\n"
	"          all:\n"
	"            - { attr: originator.id, matches: \"^CAE-[a-z]+(-[0-9]{2})?$\" }\n"
	"            - { attr: originator.clearance, ge: 2 }\n"
	"            - any:\n"
	"                - { attr: resource.labels, contains: public }\n"
	"                - { attr: originator.department, in: [ops, maintenance] }\n"
	"                - not: { attr: originator.vip, eq: false }\n"
	"            - { attr: originator.home, in_cidr: [\"10.0.0.0/8\", \"::1/128\"] }\n"
	"            - { attr: resource.owner, eq: { attr: originator.id } }\n"
	"            - { attr: resource.expires, gt: \"2026-01-01T00:00:00Z\" }\n"
	"            - { attr: env.threat, present: true }\n"
	"            - { attr: originator.department, prefix: op }\n"
	"      - originators: [\"role:operator\", \"CAE-x*\"]\n"
	"        operations: [update, create]\n"
	"        authenticated: true\n"
	"      - originators: [\"role:approver\"]\n"
	"        operations: all\n"
	"        when: { attr: env.threat, lt: 3 }\n"
	"      - originators: [all]\n"
	"        operations: [delete]\n"
	"        effect: deny\n"
	"        id: never-delete\n"
	"        when: { attr: env.country, ne: DE }\n"
	"    self:\n"
	"      - originators: [\"role:admin\"]\n"
	"        operations: all\n"
	"  - id: acp-always\n"
	"    privileges:\n"
	"      - { originators: [all], operations: all }\n"
	"      - originators: [all]\n"
	"        operations: all\n"
	"        effect: deny\n"
	"        contexts: [{ window: [\"* * * * * * *\"] }]\n"
	"  - id: acp-glob-trap\n"
	"    privileges:\n"
	"      - { originators: [all], operations: all }\n"
	"      - originators: [\"CAE-evil*\", \"CAE-?\", \"*?x\", \"/*/*a\", \"group:trap\"]\n"
	"        operations: all\n"
	"        effect: deny\n"
	"  - {\"m2m:acp\": {\"ri\": \"acp-native\", \"rn\": \"nat\", \"pv\": {\"acr\": [{\"acor\": [\"meters\", \"CAE-bob\"], \"acop\": 34, \"acco\": [{\"actw\": [\"* * * * * * *\"], \"acip\": {\"ipv4\": [\"192.168.0.0/16\"]}}], \"acod\": [{\"ty\": 4, \"chty\": [4]}]}]}, \"pvs\": {\"acr\": [{\"acor\": [\"CAE-admin\"], \"acop\": 63}]}}}\n";

static pdp_image *img;
static pdp_scratch *scratch;

/* The deny globs of acp-glob-trap, its group's member included. */
static const char *const trap_globs[] = {"CAE-evil*", "CAE-?", "*?x", "/*/*a",
                                         "??\xc3\xa9*"};

/* Whether the request names exactly one ACP, that one. */
static bool only_acp(const pdp_request *q, const char *id)
{
	return q->n_acps == 1 && q->acps != NULL &&
	       q->acps[0].len == strlen(id) &&
	       memcmp(q->acps[0].ptr, id, q->acps[0].len) == 0;
}

/* The known answers of the two trap ACPs (see the top of the file). */
static void check_traps(const pdp_request *q, const pdp_decision *d)
{
	if (d->reason == PDP_REASON_BAD_REQUEST)
		return;
	if (only_acp(q, "acp-always"))
		FUZZ_CHECK(d->effect == PDP_DENY, "acp-always permitted");
	if (!only_acp(q, "acp-glob-trap"))
		return;
	bool caught = false;
	for (size_t i = 0; i < sizeof(trap_globs) / sizeof(*trap_globs); i++)
		caught |= ref_glob(trap_globs[i], strlen(trap_globs[i]),
		                   q->originator.ptr, q->originator.len);
	if (caught)
		FUZZ_CHECK(d->effect == PDP_DENY,
		           "originator '%.*s' escaped a deny glob",
		           (int)q->originator.len, q->originator.ptr);
	if (d->reason == PDP_REASON_RULE)
		FUZZ_CHECK(caught == (d->effect == PDP_DENY),
		           "originator '%.*s': deny glob held %d, effect %d",
		           (int)q->originator.len, q->originator.ptr, caught,
		           (int)d->effect);
}

static void init(void)
{
	pdpc_compiler *c = pdpc_new();
	const uint8_t *bytes = NULL;
	size_t len = 0;
	pdp_error err;
	if (c == NULL || pdpc_add_buffer(c, "policy.yaml", policy,
	                                 sizeof(policy) - 1) != PDPC_OK ||
	    pdpc_compile(c, &bytes, &len) != PDPC_OK) {
		for (size_t i = 0; c && i < pdpc_diag_count(c); i++) {
			const pdpc_diag *d = pdpc_diag_get(c, i);
			fprintf(stderr, "policy.yaml:%u:%u: %s %s\n", d->line, d->col,
			        d->code, d->message);
		}
		FUZZ_CHECK(false, "the embedded policy does not compile");
	}
	FUZZ_CHECK(pdp_image_load(bytes, len, &img, &err) == PDP_OK, "load: %s",
	           err.message);
	FUZZ_CHECK(pdp_scratch_new(img, &scratch, &err) == PDP_OK, "scratch: %s",
	           err.message);
	pdpc_free(c);
}

/* The input handed over in pieces of a size the first byte picks, so
 * requests and lines cross read boundaries. */
typedef struct mem_input {
	const uint8_t *data;
	size_t size, pos, piece;
} mem_input;

static bool mem_read(void *ctx, char *buf, size_t cap, size_t *got)
{
	mem_input *m = ctx;
	size_t n = m->size - m->pos;
	if (n > cap)
		n = cap;
	if (n > m->piece)
		n = m->piece;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	*got = n;
	return true;
}

typedef struct run {
	bool fill_now;
	size_t answers;
} run;

static bool check_request(void *ctx, pdpc_request *pr)
{
	run *x = ctx;
	/* the time the CLI would fill in for an absent env.time */
	pdp_time now = {1795000000, 123456789};
	x->answers++;
	FUZZ_CHECK(pr->ok == (pr->error == NULL), "error iff bad");
	FUZZ_CHECK(pr->notes == NULL || strlen(pr->notes) > 0, "notes");
	FUZZ_CHECK(pr->line > 0, "a request has a line");
	if (!pr->ok) {
		FUZZ_CHECK(strlen(pr->error) > 0, "a bad request says why");
		return true;
	}
	if (x->fill_now)
		pdpc_request_default_time(pr, now);
	FUZZ_CHECK(!pr->time_defaulted || x->fill_now, "time filled in");
	uint8_t fmt_bytes[2] = {1, 7};
	pdp_decision d;
	FUZZ_CHECK(pdp_decide(img, scratch, &pr->req, &d) == PDP_OK, "decide");
	fuzz_reader r = {fmt_bytes, sizeof(fmt_bytes)};
	fz_check_decision(img, &pr->req, &d, &r);
	check_traps(&pr->req, &d);
	return true;
}

/* Lines holding something other than spaces, tabs and CRs. */
static size_t non_blank_lines(const uint8_t *data, size_t size)
{
	size_t n = 0;
	bool content = false;
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n') {
			n += content;
			content = false;
		} else if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r')
			content = true;
	}
	return n + content;
}

/* The whole input is the request file; its first byte also picks: bit 0
 * leaves env.time absent, bits 1-6 the read piece size, bit 7 (never set
 * in ASCII text, so the seeds stay YAML or detected JSON Lines) forces
 * JSON Lines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (img == NULL)
		init();
	uint8_t flags = size > 0 ? data[0] : 0;
	mem_input m = {data, size, 0, (size_t)((flags >> 1) & 63u) * 97u + 1u};
	run x = {(flags & 1u) == 0, 0};
	pdpc_request_input in = {mem_read, &m, "req.yaml", (flags & 0x80u) != 0};
	pdpc_status st = pdpc_requests_read(&in, img, check_request, &x);
	FUZZ_CHECK(st == PDPC_OK, "reading from memory cannot fail");
	if (in.json_lines)
		FUZZ_CHECK(x.answers == non_blank_lines(data, size),
		           "JSON Lines: %zu answers for %zu lines", x.answers,
		           non_blank_lines(data, size));
	return 0;
}
