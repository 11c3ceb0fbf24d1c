/*
 * test_diff.c - differential test: random policies (tests/ref/gen.c) are
 * compiled and loaded, then random requests are decided by the compiled
 * evaluator (pdp_decide + pdp_reason_format) and by the reference evaluator
 * (tests/ref/ref_eval.c, a plain reading of docs/language.md over the
 * compiler's model); every answer must agree, effect and reason token.
 *
 * Environment:
 *   PDP_DIFF_SCALE=k   k times as many policies (default 1: 400 policies,
 *                      600 requests each, 240,000 requests)
 *   PDP_DIFF_SEED=s    first policy seed (default 1); policy i uses seed s+i
 *   PDP_DIFF_REQS=n    requests per policy (default 600)
 *   PDP_DIFF_DUMP=1    log every generated policy (with --verbose)
 * See docs/testing.md.
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"
#include "ref/gen.h"
#include "ref/ref_eval.h"

#define BASE_POLICIES 400u
#define BASE_REQUESTS 600u
#define MAX_REPORTS 8u

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return dflt;
	char *end;
	unsigned long long x = strtoull(v, &end, 0);
	return *end == '\0' ? (uint64_t)x : dflt;
}

static void report_compile_failure(pdpc_compiler *c, uint64_t seed,
                                   const char *text)
{
	size_t n = pdpc_diag_count(c);
	for (size_t i = 0; i < n; i++) {
		const pdpc_diag *d = pdpc_diag_get(c, i);
		if (d->severity == PDPC_ERROR)
			cr_log_error("seed %llu: %u:%u %s %s",
			             (unsigned long long)seed, d->line, d->col, d->code,
			             d->message);
	}
	cr_log_error("seed %llu: generated policy does not compile:\n%s",
	             (unsigned long long)seed, text);
}

static const char *status_name(pdp_status s)
{
	switch (s) {
	case PDP_OK: return "ok";
	case PDP_ERR_NOT_FOUND: return "not-found";
	case PDP_ERR_NOT_AUTHORIZED: return "not-authorized";
	case PDP_ERR_DSD: return "dsd";
	case PDP_ERR_ARG: return "arg";
	default: return "other";
	}
}

/*
 * The session API (3.6): a random series of add/drop calls for the
 * request's originator, each status checked against the reference, then
 * pdp_session_decide compared with the reference deciding the same request
 * with roles = the session's active roles. Returns the number of
 * disagreements; descriptions go to log (NUL-terminated, may be cut).
 */
#define SESSION_MAX 8
static unsigned session_check(const pdpc_compiler *c, const pdp_image *img,
                              pdp_scratch *scratch, const gen_policy *p,
                              gen_rng *r, const gen_request *g, char *log,
                              size_t log_size)
{
	unsigned bad = 0;
	size_t used = 0;
	log[0] = '\0';
	void *mem = malloc(pdp_session_size(img));
	cr_assert_not_null(mem);
	pdp_session *s = NULL;
	pdp_error err;
	cr_assert_eq(pdp_session_init(mem, pdp_session_size(img), img,
	                              g->req.originator, &s, &err),
	             PDP_OK);
	pdp_str active[SESSION_MAX];
	size_t n = 0;
	int nroles = gen_policy_role_count(p);
	int steps = 1 + (int)gen_below(r, 5);
	for (int k = 0; k < steps; k++) {
		bool add = gen_below(r, 4) != 0;
		pdp_str role;
		if (nroles == 0 || gen_below(r, 10) == 0)
			role = (pdp_str){"rZ", 2};
		else if (!add && n > 0 && gen_below(r, 3) != 0)
			role = active[gen_below(r, (uint32_t)n)];
		else {
			const char *name = gen_policy_role(p, (int)gen_below(r, (uint32_t)nroles));
			role = (pdp_str){name, strlen(name)};
		}
		size_t at = n;
		for (size_t i = 0; i < n; i++)
			if (active[i].len == role.len &&
			    memcmp(active[i].ptr, role.ptr, role.len) == 0)
				at = i;
		pdp_status want, got;
		if (add) {
			if (at < n)
				continue; /* re-adding an active role: not specified */
			if (n == SESSION_MAX)
				continue;
			want = ref_session_add(c, g->req.originator, active, n, role);
			got = pdp_session_add_role(s, role, &err);
			if (want == PDP_OK)
				active[n++] = role;
		} else {
			want = at < n ? PDP_OK : PDP_ERR_NOT_FOUND;
			got = pdp_session_drop_role(s, role, &err);
			if (at < n)
				active[at] = active[--n];
		}
		if (got != want) {
			bad++;
			used += (size_t)snprintf(log + used, used < log_size ? log_size - used : 0,
			         "  session %s %.*s: compiled %s, reference %s\n",
			         add ? "add" : "drop", (int)role.len, role.ptr,
			         status_name(got), status_name(want));
			if (used >= log_size)
				used = log_size - 1;
			break; /* the two sessions no longer agree on the state */
		}
	}
	if (bad == 0) {
		if (pdp_session_role_count(s) != n) {
			bad++;
			used += (size_t)snprintf(log + used, log_size - used,
			         "  session role count: compiled %u, reference %zu\n",
			         pdp_session_role_count(s), n);
		}
		pdp_decision d;
		cr_assert_eq(pdp_session_decide(s, scratch, &g->req, &d), PDP_OK);
		char tok[600], got[640], want[640];
		pdp_reason_format(img, &d, true, tok, sizeof(tok));
		snprintf(got, sizeof(got), "%s %s",
		         d.effect == PDP_PERMIT ? "permit" : "deny", tok);
		pdp_request q = g->req;
		q.roles_given = true;
		q.roles = active;
		q.n_roles = n;
		ref_decide(c, img, &q, want, sizeof(want));
		if (strcmp(got, want) != 0) {
			bad++;
			used += (size_t)snprintf(log + used, used < log_size ? log_size - used : 0,
			         "  session decide with active roles [");
			for (size_t i = 0; i < n && used < log_size; i++)
				used += (size_t)snprintf(log + used, log_size - used, "%s%.*s",
				                         i ? ", " : "", (int)active[i].len,
				                         active[i].ptr);
			if (used < log_size)
				snprintf(log + used, log_size - used,
				         "]:\n    compiled:  %s\n    reference: %s\n", got,
				         want);
		}
	}
	free(mem);
	return bad;
}

Test(diff, compiled_matches_reference, .timeout = 600)
{
	uint64_t scale = env_u64("PDP_DIFF_SCALE", 1);
	uint64_t first = env_u64("PDP_DIFF_SEED", 1);
	uint64_t per = env_u64("PDP_DIFF_REQS", BASE_REQUESTS);
	bool dump = env_u64("PDP_DIFF_DUMP", 0) != 0;
	if (scale == 0)
		scale = 1;
	uint64_t policies = BASE_POLICIES * scale;
	uint64_t compared = 0, mismatches = 0, compile_failures = 0;
	uint64_t permits = 0, by_reason[8] = {0}, sessions = 0;
	char *desc = malloc(16384);
	cr_assert_not_null(desc);

	for (uint64_t i = 0; i < policies; i++) {
		uint64_t seed = first + i;
		gen_policy *p = gen_policy_make(seed);
		cr_assert_not_null(p);
		const char *text = gen_policy_text(p);
		if (dump)
			cr_log_info("seed %llu policy:\n%s", (unsigned long long)seed,
			            text);
		pdpc_compiler *c = pdpc_new();
		cr_assert_not_null(c);
		cr_assert_eq(pdpc_add_buffer(c, "gen.yaml", text, strlen(text)),
		             PDPC_OK);
		const uint8_t *bytes = NULL;
		size_t len = 0;
		if (pdpc_compile(c, &bytes, &len) != PDPC_OK) {
			if (compile_failures++ < MAX_REPORTS)
				report_compile_failure(c, seed, text);
			pdpc_free(c);
			gen_policy_free(p);
			continue;
		}
		pdp_image *img = NULL;
		pdp_error err;
		cr_assert_eq(pdp_image_load(bytes, len, &img, &err), PDP_OK,
		             "seed %llu: image load: %s", (unsigned long long)seed,
		             err.message);
		pdp_scratch *scratch = NULL;
		cr_assert_eq(pdp_scratch_new(img, &scratch, &err), PDP_OK);

		gen_rng r;
		gen_seed(&r, seed * 0x9e3779b97f4a7c15ull + 0x5151);
		bool reported_policy = false;
		for (uint64_t j = 0; j < per; j++) {
			gen_request g;
			gen_request_make(p, img, &r, &g);
			pdp_decision d;
			cr_assert_eq(pdp_decide(img, scratch, &g.req, &d), PDP_OK);
			/* every third request also decided with its ACPs resolved
			 * up front (acp_ids): the answer must be the same */
			if (j % 3 == 0 && g.req.n_acps > 0 && g.req.n_acps <= 64 &&
			    g.req.acps != NULL) {
				uint32_t ids[64];
				for (size_t k = 0; k < g.req.n_acps; k++)
					ids[k] = pdp_acp_index(img, g.req.acps[k]);
				pdp_request q2 = g.req;
				q2.acp_ids = ids;
				q2.acps = NULL;
				pdp_decision d2;
				pdp_decide(img, scratch, &q2, &d2);
				cr_expect(d2.effect == d.effect && d2.reason == d.reason &&
				              d2.acp == d.acp && d2.rule == d.rule,
				          "seed %llu: acp_ids decided differently",
				          (unsigned long long)seed);
			}
			char tok[600], got[640], want[640];
			pdp_reason_format(img, &d, true, tok, sizeof(tok));
			snprintf(got, sizeof(got), "%s %s",
			         d.effect == PDP_PERMIT ? "permit" : "deny", tok);
			bool ref_permit = ref_decide(c, img, &g.req, want, sizeof(want));
			compared++;
			permits += ref_permit;
			if (d.reason < 8)
				by_reason[d.reason]++;
			if (g.req.originator.ptr != NULL && gen_below(&r, 100) < 15) {
				char slog[2048];
				sessions++;
				if (session_check(c, img, scratch, p, &r, &g, slog,
				                  sizeof(slog)) != 0 &&
				    mismatches++ < MAX_REPORTS) {
					gen_request_describe(&g, img, desc, 16384);
					if (!reported_policy)
						cr_log_error("seed %llu policy:\n%s",
						             (unsigned long long)seed, text);
					reported_policy = true;
					cr_log_error("seed %llu request #%llu (session): %s\n%s",
					             (unsigned long long)seed,
					             (unsigned long long)j, desc, slog);
				}
			}
			if (strcmp(got, want) == 0)
				continue;
			if (mismatches++ < MAX_REPORTS) {
				gen_request_describe(&g, img, desc, 16384);
				if (!reported_policy)
					cr_log_error("seed %llu policy:\n%s",
					             (unsigned long long)seed, text);
				reported_policy = true;
				cr_log_error("seed %llu request #%llu: %s\n"
				             "  compiled:  %s\n  reference: %s",
				             (unsigned long long)seed,
				             (unsigned long long)j, desc, got, want);
			}
		}
		pdp_scratch_free(scratch);
		pdp_image_release(img);
		pdpc_free(c);
		gen_policy_free(p);
	}
	free(desc);
	cr_log_info("diff: %llu sessions checked", (unsigned long long)sessions);
	cr_log_info("diff: %llu policies, %llu requests compared, %llu permits; "
	            "reasons rule %llu no-acp %llu unknown-acp %llu "
	            "role-not-authorized %llu dsd %llu no-rule %llu bad %llu",
	            (unsigned long long)policies, (unsigned long long)compared,
	            (unsigned long long)permits, (unsigned long long)by_reason[0],
	            (unsigned long long)by_reason[1],
	            (unsigned long long)by_reason[2],
	            (unsigned long long)by_reason[3],
	            (unsigned long long)by_reason[4],
	            (unsigned long long)by_reason[5],
	            (unsigned long long)by_reason[6]);
	cr_expect_eq(compile_failures, 0,
	             "%llu generated policies did not compile",
	             (unsigned long long)compile_failures);
	cr_expect_eq(mismatches, 0,
	             "%llu of %llu requests: compiled evaluator and reference "
	             "disagree",
	             (unsigned long long)mismatches, (unsigned long long)compared);
}
