/*
 * test_audit.c - the audit queries (include/pdp/audit.h) tied to the
 * evaluator: for example policies and seeded random ones, for every subject
 * (and session), ACP, section and operation, audit lists an unconditional
 * grant exactly when pdp_decide permits under every environment of a pool,
 * nothing (or an overridden grant) exactly when it never permits, and a
 * conditional grant otherwise. The pool varies time, ip, country,
 * authenticated, target type and the attributes; generated conditions are
 * drawn so that the pool holds requests that satisfy and that violate them.
 * Also: the RBAC review functions, condition rendering (rendered text
 * compiles back to the same text) and sources vs image giving the same
 * answers.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prims.h"
#include "pdp/audit.h"
#include "pdp/pdp.h"
#include "pdp/pdpc.h"

/* ---- helpers ---- */

static pdp_str S(const char *s)
{
	pdp_str r = {s, strlen(s)};
	return r;
}

static bool str_is(pdp_str a, const char *b)
{
	return a.ptr != NULL && a.len == strlen(b) && memcmp(a.ptr, b, a.len) == 0;
}

static uint8_t *compile_text(const char *text, size_t *len)
{
	pdpc_compiler *c = pdpc_new();
	cr_assert_not_null(c);
	cr_assert_eq(pdpc_add_buffer(c, "audit.yaml", text, strlen(text)), PDPC_OK);
	const uint8_t *img;
	pdpc_status st = pdpc_compile(c, &img, len);
	if (st != PDPC_OK)
		for (size_t i = 0; i < pdpc_diag_count(c); i++) {
			const pdpc_diag *d = pdpc_diag_get(c, i);
			cr_log_error("%u:%u: %s", d->line, d->col, d->message);
		}
	cr_assert_eq(st, PDPC_OK, "policy does not compile:\n%s", text);
	uint8_t *copy = malloc(*len);
	memcpy(copy, img, *len);
	pdpc_free(c);
	return copy;
}

static pdp_image *load_bytes(const uint8_t *b, size_t len)
{
	pdp_image *img = NULL;
	pdp_error err;
	cr_assert_eq(pdp_image_load(b, len, &img, &err), PDP_OK, "%s", err.message);
	return img;
}

static pdp_image *load_text(const char *text)
{
	size_t len;
	uint8_t *b = compile_text(text, &len);
	pdp_image *img = load_bytes(b, len);
	free(b);
	return img;
}

/* ---- the environment pool ---- */

#define N_ENV (3 * 3 * 3 * 3 * 3 * 2 * 3)

typedef struct env {
	int time, ip, country, clear, threat, auth, type; /* 0 good, 1 bad, 2 absent */
} env;

static env env_at(int i)
{
	env e;
	e.time = i % 3; i /= 3;
	e.ip = i % 3; i /= 3;
	e.country = i % 3; i /= 3;
	e.clear = i % 3; i /= 3;
	e.threat = i % 3; i /= 3;
	e.auth = i % 2; i /= 2;
	e.type = i % 3;
	return e;
}

typedef struct decider {
	pdp_image *img;
	pdp_scratch *sc;
	uint32_t a_clear, a_threat;
} decider;

static void decider_init(decider *d, pdp_image *img)
{
	pdp_error err;
	d->img = img;
	cr_assert_eq(pdp_scratch_new(img, &d->sc, &err), PDP_OK);
	d->a_clear = pdp_attr_id(img, S("originator.clearance"));
	d->a_threat = pdp_attr_id(img, S("env.threat"));
}

static pdp_decision decide_env(const decider *d, const char *subject,
                               const pdp_str *roles, size_t n_roles,
                               bool roles_given, const char *acp, bool self,
                               uint32_t op, const env *e)
{
	pdp_request q;
	pdp_request_init(&q);
	pdp_str acps[1] = {S(acp)};
	q.originator = S(subject);
	q.roles = roles;
	q.n_roles = n_roles;
	q.roles_given = roles_given;
	q.operation = op;
	q.acps = acps;
	q.n_acps = 1;
	q.self = self;
	/* good time: Wednesday 2026-01-07 10:00Z; bad: Sunday 03:00Z */
	if (e->time != 2) {
		q.has_time = true;
		q.time.sec = e->time == 0 ? unix_from_civil(2026, 1, 7, 10, 0, 0)
		                          : unix_from_civil(2026, 1, 4, 3, 0, 0);
	}
	if (e->ip != 2) {
		const char *ip = e->ip == 0 ? "10.1.2.3" : "192.168.1.1";
		q.has_ip = ip_parse(ip, strlen(ip), &q.ip, NULL, NULL);
	}
	if (e->country != 2)
		q.country = S(e->country == 0 ? "DE" : "FR");
	q.authenticated = e->auth == 0;
	if (e->type != 2) {
		q.type = e->type == 0 ? 3 : 4; /* container, contentInstance */
		q.child_type = q.type;
	}
	pdp_attr attrs[2];
	size_t na = 0;
	if (e->clear != 2 && d->a_clear != PDP_NONE) {
		attrs[na].id = d->a_clear;
		attrs[na].value.type = PDP_TYPE_INT;
		attrs[na++].value.u.i = e->clear == 0 ? 3 : 1;
	}
	if (e->threat != 2 && d->a_threat != PDP_NONE) {
		attrs[na].id = d->a_threat;
		attrs[na].value.type = PDP_TYPE_INT;
		attrs[na++].value.u.i = e->threat == 0 ? 1 : 7;
	}
	q.attrs = attrs;
	q.n_attrs = na;
	pdp_decision out;
	cr_assert_eq(pdp_decide(d->img, d->sc, &q, &out), PDP_OK);
	return out;
}

/* ---- the tie-in property ---- */

typedef struct tie_stats {
	unsigned uncond, cond, none, overridden;
} tie_stats;

/*
 * For one subject (with given roles or the default activation): compare
 * the audit answer for every ACP, section and operation with pdp_decide
 * over the pool. strict: also require a conditional grant to permit
 * somewhere in the pool (true for policies built from the pool's menu).
 */
static void check_subject(const decider *d, const char *subject,
                          const char *const *roles, size_t n_roles,
                          bool roles_given, bool strict, tie_stats *st)
{
	pdp_str rs[8] = {{NULL, 0}};
	for (size_t i = 0; i < n_roles; i++)
		rs[i] = S(roles[i]);
	pdp_audit_perms *p = NULL;
	pdp_error err;
	if (roles_given)
		cr_assert_eq(pdp_audit_session_permissions(d->img, S(subject), rs,
		                                           n_roles, PDP_NONE, &p, &err),
		             PDP_OK);
	else
		cr_assert_eq(pdp_audit_user_permissions(d->img, S(subject), PDP_NONE,
		                                        &p, &err),
		             PDP_OK);
	uint32_t nacp = pdp_acp_count(d->img);
	for (uint32_t a = 0; a < nacp; a++) {
		pdp_str an = pdp_acp_name(d->img, a);
		char acp[128];
		snprintf(acp, sizeof(acp), "%.*s", (int)an.len, an.ptr);
		for (int self = 0; self < 2; self++)
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1) {
				const pdp_audit_perm *perm = NULL;
				for (size_t i = 0; i < p->n_perms; i++)
					if (p->perms[i].acp == a && p->perms[i].self == (self != 0) &&
					    p->perms[i].operation == op)
						perm = &p->perms[i];
				int permits = 0;
				int good = -1, bad = -1;
				for (int i = 0; i < N_ENV; i++) {
					env e = env_at(i);
					pdp_decision dd = decide_env(d, subject, rs, n_roles,
					                             roles_given, acp, self != 0,
					                             op, &e);
					if (dd.effect == PDP_PERMIT) {
						permits++;
						good = i;
					} else {
						bad = i;
					}
				}
				const char *what = perm == NULL ? "nothing"
				                   : perm->status == PDP_AUDIT_UNCONDITIONAL
				                           ? "unconditional"
				                   : perm->status == PDP_AUDIT_CONDITIONAL
				                           ? "conditional"
				                           : "overridden";
				cr_assert(perm == NULL || perm->n_grants > 0);
				if (perm == NULL || perm->status == PDP_AUDIT_OVERRIDDEN) {
					cr_assert_eq(permits, 0,
					             "%s %s %s %s: audit lists %s but decide "
					             "permits (env %d)",
					             subject, acp, self ? "self" : "privileges",
					             pdp_operation_name(op), what, good);
					if (perm == NULL)
						st->none++;
					else
						st->overridden++;
				} else if (perm->status == PDP_AUDIT_UNCONDITIONAL) {
					cr_assert_eq(permits, N_ENV,
					             "%s %s %s %s: unconditional but decide "
					             "denies (env %d)",
					             subject, acp, self ? "self" : "privileges",
					             pdp_operation_name(op), bad);
					bool any = false;
					for (size_t g = 0; g < perm->n_grants; g++)
						any = any || perm->grants[g].unconditional;
					cr_assert(any);
					st->uncond++;
				} else {
					cr_assert_lt(permits, N_ENV,
					             "%s %s %s %s: conditional but decide always "
					             "permits",
					             subject, acp, self ? "self" : "privileges",
					             pdp_operation_name(op));
					if (strict)
						cr_assert_gt(permits, 0,
						             "%s %s %s %s: conditional but decide never "
						             "permits",
						             subject, acp,
						             self ? "self" : "privileges",
						             pdp_operation_name(op));
					for (size_t g = 0; g < perm->n_grants; g++)
						cr_assert(!perm->grants[g].unconditional);
					st->cond++;
				}
			}
	}
	pdp_audit_perms_free(p);
}

/* Every principal of the image, the extra ids, and for each principal the
 * sessions: no role, each authorized role alone, and a role it may not
 * activate. */
static void check_policy(pdp_image *img, const char *const *extra,
                         size_t n_extra, bool strict, tie_stats *st)
{
	decider d;
	decider_init(&d, img);
	/* principals: assigned users of every role, members of every group */
	const char *subjects[256];
	size_t ns = 0;
	char names[256][64];
	uint32_t nr = pdp_audit_role_count(img), ng = pdp_audit_group_count(img);
	for (uint32_t r = 0; r <= nr + ng && ns < 200; r++) {
		pdp_str u[64];
		size_t n = r < nr ? pdp_audit_assigned_users(img, r, u, 64)
		           : r < nr + ng ? pdp_audit_group_members(img, r - nr, u, 64)
		                         : 0;
		for (size_t i = 0; i < n && i < 64 && ns < 200; i++) {
			snprintf(names[ns], sizeof(names[ns]), "%.*s", (int)u[i].len, u[i].ptr);
			bool dup = false;
			for (size_t k = 0; k < ns && !dup; k++)
				dup = strcmp(subjects[k], names[ns]) == 0;
			if (!dup) {
				subjects[ns] = names[ns];
				ns++;
			}
		}
	}
	for (size_t i = 0; i < n_extra; i++)
		subjects[ns++] = extra[i];
	for (size_t s = 0; s < ns; s++) {
		check_subject(&d, subjects[s], NULL, 0, false, strict, st);
		check_subject(&d, subjects[s], NULL, 0, true, strict, st);
		uint32_t auth[64];
		size_t na = pdp_audit_authorized_roles(img, S(subjects[s]), auth, 64);
		char rn[64];
		for (size_t i = 0; i < na && i < 64; i++) {
			pdp_str n = pdp_audit_role_name(img, auth[i]);
			snprintf(rn, sizeof(rn), "%.*s", (int)n.len, n.ptr);
			const char *one[1] = {rn};
			check_subject(&d, subjects[s], one, 1, true, strict, st);
		}
		for (uint32_t r = 0; r < nr; r++) {
			bool authorized = false;
			for (size_t i = 0; i < na; i++)
				authorized = authorized || auth[i] == r;
			if (authorized)
				continue;
			pdp_str n = pdp_audit_role_name(img, r);
			snprintf(rn, sizeof(rn), "%.*s", (int)n.len, n.ptr);
			const char *one[1] = {rn};
			check_subject(&d, subjects[s], one, 1, true, strict, st);
			break;
		}
		if (na >= 2) { /* all authorized roles together: may break DSD */
			const char *all[8];
			char buf[8][64];
			size_t k = 0;
			for (; k < na && k < 8; k++) {
				pdp_str n = pdp_audit_role_name(img, auth[k]);
				snprintf(buf[k], sizeof(buf[k]), "%.*s", (int)n.len, n.ptr);
				all[k] = buf[k];
			}
			check_subject(&d, subjects[s], all, k, true, strict, st);
		}
	}
	pdp_scratch_free(d.sc);
}

/* ---- example policies ---- */

static const char RBAC_POLICY[] =
	"pdp: 1\n"
	"attributes:\n"
	"  originator.clearance: int\n"
	"  env.threat: int\n"
	"groups:\n"
	"  meters: [CAE-meter-01, \"CAE-meter-9*\"]\n"
	"roles:\n"
	"  viewer: {}\n"
	"  operator: { inherits: [viewer] }\n"
	"  auditor: { inherits: [viewer] }\n"
	"  admin: { inherits: [operator, auditor] }\n"
	"  super: { inherits: [admin] }\n"
	"  billing: {}\n"
	"  approver: {}\n"
	"assignments:\n"
	"  CAE-vic: [viewer]\n"
	"  CAE-olga: [operator]\n"
	"  CAE-ada: [admin]\n"
	"  CAE-sup: [super]\n"
	"  CAE-bill: [billing, viewer]\n"
	"  CAE-aud: [auditor]\n"
	"  CAE-carl: [operator, approver]\n"
	"constraints:\n"
	"  dsd:\n"
	"    - { name: no-self-approve, roles: [operator, approver], n: 2 }\n"
	"acps:\n"
	"  - id: acp-rbac\n"
	"    privileges:\n"
	"      - { originators: ['role:viewer'], operations: [retrieve] }\n"
	"      - { originators: ['role:operator'], operations: [update] }\n"
	"      - { originators: ['role:auditor'], operations: [discover] }\n"
	"      - { originators: ['role:admin'], operations: [delete] }\n"
	"      - { originators: ['role:billing'], operations: [notify] }\n"
	"      - { originators: ['role:approver'], operations: [create] }\n"
	"  - id: acp-open\n"
	"    privileges:\n"
	"      - { originators: [all], operations: all }\n"
	"    self:\n"
	"      - { originators: ['role:admin'], operations: all, id: acp-admin }\n"
	"  - id: acp-rdeny\n"
	"    privileges:\n"
	"      - { originators: [all], operations: [retrieve, update] }\n"
	"      - { originators: ['role:auditor'], operations: [retrieve],\n"
	"          effect: deny, id: no-auditors }\n"
	"      - { originators: [all], operations: [update], effect: deny,\n"
	"          when: { attr: env.threat, ge: 5 } }\n"
	"  - id: acp-meter\n"
	"    privileges:\n"
	"      - originators: ['group:meters']\n"
	"        operations: [create]\n"
	"        objects: [{ types: [container] }]\n"
	"      - originators: ['CAE-meter-9*', CAE-vic]\n"
	"        operations: [retrieve]\n"
	"        contexts:\n"
	"          - window: ['* * 8-17 * * 1-5 *']\n"
	"            ip: [10.1.0.0/16]\n"
	"          - region: { countries: [DE] }\n"
	"        authenticated: true\n"
	"      - originators: ['role:operator']\n"
	"        operations: [update]\n"
	"        when: { attr: originator.clearance, ge: 2 }\n"
	"      - originators: [all]\n"
	"        operations: [discover]\n"
	"        objects: [{ child_types: [contentInstance] }]\n"
	"      - originators: [all]\n"
	"        operations: [delete]\n"
	"      - originators: [CAE-olga]\n"
	"        operations: [delete]\n"
	"        effect: deny\n"
	"        objects: [{ types: [contentInstance] }]\n"
	"      - originators: [CAE-ada]\n"
	"        operations: [delete]\n"
	"        effect: deny\n";

static const char *const RBAC_EXTRA[] = {"CAE-meter-977", "CAE-nobody",
                                         "CAE-meter-9/x"};

Test(tie, example_rbac_policy)
{
	pdp_image *img = load_text(RBAC_POLICY);
	tie_stats st = {0};
	check_policy(img, RBAC_EXTRA, 3, true, &st);
	cr_assert_gt(st.uncond, 0);
	cr_assert_gt(st.cond, 0);
	cr_assert_gt(st.none, 0);
	cr_assert_gt(st.overridden, 0);
	pdp_image_free(img);
}

/* The shipped example (policies/): its conditions go beyond the pool, so
 * only the two exact directions are checked. */
Test(tie, shipped_example_policy)
{
	const char *root = getenv("PDP_SOURCE_ROOT");
	char path[4096], path2[4096];
	snprintf(path, sizeof(path), "%s/policies/metering.yaml", root ? root : ".");
	snprintf(path2, sizeof(path2), "%s/policies/native-acp.json", root ? root : ".");
	pdpc_compiler *c = pdpc_new();
	cr_assert_eq(pdpc_add_file(c, path), PDPC_OK, "cannot read %s", path);
	cr_assert_eq(pdpc_add_file(c, path2), PDPC_OK);
	const uint8_t *b;
	size_t len;
	cr_assert_eq(pdpc_compile(c, &b, &len), PDPC_OK);
	pdp_image *img = load_bytes(b, len);
	pdpc_free(c);
	static const char *const extra[] = {"CAE-meter-1234", "/cse-gw-7/CAE-gw",
	                                    "CAE-stranger"};
	tie_stats st = {0};
	check_policy(img, extra, 3, false, &st);
	cr_assert_gt(st.cond + st.uncond, 0);
	pdp_image_free(img);
}

/* ---- generated policies ---- */

typedef struct rng {
	uint64_t s;
} rng;

static uint32_t rnd(rng *r, uint32_t n)
{
	r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((r->s >> 33) % n);
}

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void bprintf(buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bprintf(buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->n) {
			b->n += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
}

#define G_ROLES 5
#define G_USERS 6

static const char *const OPS[6] = {"create", "retrieve", "update",
                                   "delete", "notify", "discover"};

static void gen_originators(buf *b, rng *r)
{
	uint32_t n = 1 + rnd(r, 2);
	bprintf(b, "        originators: [");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			bprintf(b, ", ");
		switch (rnd(r, 6)) {
		case 0: bprintf(b, "all"); break;
		case 1: bprintf(b, "CAE-u%u", rnd(r, G_USERS)); break;
		case 2: bprintf(b, "\"CAE-g*\""); break;
		case 3: bprintf(b, "\"group:g%u\"", rnd(r, 2)); break;
		default: bprintf(b, "\"role:r%u\"", rnd(r, G_ROLES)); break;
		}
	}
	bprintf(b, "]\n");
	bprintf(b, "        operations: [");
	uint32_t ops = 1 + rnd(r, 63);
	bool first = true;
	for (int i = 0; i < 6; i++)
		if (ops & (1u << i)) {
			bprintf(b, "%s%s", first ? "" : ", ", OPS[i]);
			first = false;
		}
	bprintf(b, "]\n");
}

/* Permit conditions read time, ip, country DE, authenticated, type
 * container and clearance; deny conditions read threat, country FR and
 * type contentInstance, so one request of the pool satisfies every permit
 * condition and no conditional deny. */
static void gen_permit_conditions(buf *b, rng *r)
{
	switch (rnd(r, 6)) {
	case 0:
		bprintf(b, "        contexts: [{window: [\"* * 8-17 * * 1-5 *\"]}]\n");
		break;
	case 1:
		bprintf(b, "        contexts: [{ip: [10.1.0.0/16], region: {countries: [DE]}}]\n");
		break;
	case 2:
		bprintf(b, "        contexts: [{window: [\"* * 8-17 * * MON-FRI *\"]}, {ip: [10.1.0.0/16]}]\n");
		break;
	case 3:
		bprintf(b, "        contexts: [{}, {ip: [10.1.0.0/16]}]\n"); /* always */
		break;
	default:
		break;
	}
	if (rnd(r, 4) == 0)
		bprintf(b, "        authenticated: true\n");
	switch (rnd(r, 5)) {
	case 0:
		bprintf(b, "        objects: [{types: [container]}]\n");
		break;
	case 1: /* holds for every operation but create */
		bprintf(b, "        objects: [{child_types: [container]}]\n");
		break;
	default:
		break;
	}
	switch (rnd(r, 5)) {
	case 0:
		bprintf(b, "        when: {attr: originator.clearance, ge: 2}\n");
		break;
	case 1:
		bprintf(b, "        when: {any: [{attr: originator.clearance, in: [3, 4]}, {not: {attr: originator.clearance, lt: 5}}]}\n");
		break;
	case 2:
		bprintf(b, "        when: {all: []}\n"); /* constant true */
		break;
	default:
		break;
	}
}

static void gen_deny_conditions(buf *b, rng *r)
{
	switch (rnd(r, 4)) {
	case 0:
		bprintf(b, "        when: {attr: env.threat, ge: 5}\n");
		break;
	case 1:
		bprintf(b, "        contexts: [{region: {countries: [FR]}}]\n");
		break;
	case 2:
		bprintf(b, "        objects: [{types: [contentInstance]}]\n");
		break;
	default: /* unconditional deny */
		break;
	}
}

static char *gen_policy(uint64_t seed)
{
	rng r = {seed * 2654435761u + 1};
	buf b = {malloc(4096), 0, 4096};
	bprintf(&b, "pdp: 1\nattributes:\n  originator.clearance: int\n"
	            "  env.threat: int\n");
	bprintf(&b, "groups:\n  g0: [CAE-u0, CAE-u%u, \"CAE-g1*\"]\n"
	            "  g1: [CAE-u%u, \"CAE-?x\"]\n",
	        1 + rnd(&r, G_USERS - 1), rnd(&r, G_USERS));
	bprintf(&b, "roles:\n");
	for (int i = 0; i < G_ROLES; i++) {
		bprintf(&b, "  r%d: {", i);
		if (i > 0 && rnd(&r, 2)) {
			uint32_t j = rnd(&r, (uint32_t)i);
			uint32_t k = rnd(&r, (uint32_t)i);
			if (j == k)
				bprintf(&b, " inherits: [r%u] ", j);
			else
				bprintf(&b, " inherits: [r%u, r%u] ", j, k);
		}
		bprintf(&b, "}\n");
	}
	bprintf(&b, "assignments:\n");
	for (int u = 0; u < G_USERS; u++) {
		uint32_t n = rnd(&r, 3);
		bprintf(&b, "  CAE-u%d: [", u);
		uint32_t used = 0;
		bool first = true;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t role = rnd(&r, G_ROLES);
			if (used & (1u << role))
				continue;
			used |= 1u << role;
			bprintf(&b, "%sr%u", first ? "" : ", ", role);
			first = false;
		}
		bprintf(&b, "]\n");
	}
	if (rnd(&r, 2)) {
		uint32_t x = rnd(&r, G_ROLES), y = (x + 1 + rnd(&r, G_ROLES - 1)) % G_ROLES;
		bprintf(&b, "constraints:\n  dsd:\n    - { name: d0, roles: [r%u, r%u], n: 2 }\n",
		        x, y);
	}
	bprintf(&b, "acps:\n");
	for (int a = 0; a < 3; a++) {
		bprintf(&b, "  - id: acp-%d\n    privileges:\n", a);
		uint32_t n = 2 + rnd(&r, 4);
		for (uint32_t i = 0; i < n; i++) {
			bool deny = rnd(&r, 4) == 0;
			bprintf(&b, "      - id: a%d-p%u\n", a, i);
			gen_originators(&b, &r);
			if (deny) {
				bprintf(&b, "        effect: deny\n");
				gen_deny_conditions(&b, &r);
			} else if (rnd(&r, 2)) {
				gen_permit_conditions(&b, &r);
			}
		}
		uint32_t ns = rnd(&r, 3);
		if (ns > 0)
			bprintf(&b, "    self:\n");
		for (uint32_t i = 0; i < ns; i++) {
			bool deny = rnd(&r, 5) == 0;
			bprintf(&b, "      - id: a%d-s%u\n", a, i);
			gen_originators(&b, &r);
			if (deny) {
				bprintf(&b, "        effect: deny\n");
				gen_deny_conditions(&b, &r);
			} else if (rnd(&r, 2)) {
				gen_permit_conditions(&b, &r);
			}
		}
	}
	return b.p;
}

static const char *const GEN_EXTRA[] = {"CAE-g1", "CAE-g17", "CAE-gx",
                                        "CAE-zx", "CAE-stranger", "/CAE-g1"};

Test(tie, generated_policies, .timeout = 600)
{
	tie_stats st = {0};
	for (uint64_t seed = 1; seed <= 24; seed++) {
		char *text = gen_policy(seed);
		size_t len;
		pdpc_compiler *c = pdpc_new();
		pdpc_add_buffer(c, "gen.yaml", text, strlen(text));
		const uint8_t *bytes;
		if (pdpc_compile(c, &bytes, &len) != PDPC_OK) {
			/* e.g. an unused generated shape the compiler rejects */
			for (size_t i = 0; i < pdpc_diag_count(c); i++)
				cr_log_error("seed %llu: %u:%u: %s", (unsigned long long)seed,
				             pdpc_diag_get(c, i)->line, pdpc_diag_get(c, i)->col,
				             pdpc_diag_get(c, i)->message);
			cr_assert_fail("generated policy %llu does not compile:\n%s",
			               (unsigned long long)seed, text);
		}
		pdp_image *img = load_bytes(bytes, len);
		pdpc_free(c);
		check_policy(img, GEN_EXTRA, sizeof(GEN_EXTRA) / sizeof(GEN_EXTRA[0]),
		             true, &st);
		pdp_image_free(img);
		free(text);
	}
	cr_log_info("generated: %u unconditional, %u conditional, %u overridden, "
	            "%u nothing", st.uncond, st.cond, st.overridden, st.none);
	cr_assert_gt(st.uncond, 0);
	cr_assert_gt(st.cond, 0);
	cr_assert_gt(st.overridden, 0);
	cr_assert_gt(st.none, 0);
}

/* ---- sources and image give the same answers ---- */

static void digest_perms(buf *b, const pdp_audit_perms *p)
{
	bprintf(b, "act %d %u |", (int)p->activation, p->activation_detail);
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		bprintf(b, "%u/%d/%u/%d:", x->acp, x->self, x->operation, (int)x->status);
		for (size_t g = 0; g < x->n_grants; g++)
			bprintf(b, "[%u %u %d %u %u %u %d]", x->grants[g].rule,
			        x->grants[g].originator, (int)x->grants[g].via,
			        x->grants[g].via_index, x->grants[g].through_role,
			        x->grants[g].conditions, x->grants[g].unconditional);
		for (size_t k = 0; k < x->n_overrides; k++)
			bprintf(b, "<%u>", x->overrides[k]);
		bprintf(b, ";");
	}
}

static char *digest_all(pdp_image *img)
{
	buf b = {malloc(4096), 0, 4096};
	static const char *const subjects[] = {"CAE-vic", "CAE-olga", "CAE-ada",
	                                       "CAE-carl", "CAE-meter-977",
	                                       "CAE-nobody"};
	for (size_t s = 0; s < 6; s++) {
		pdp_audit_perms *p;
		cr_assert_eq(pdp_audit_user_permissions(img, S(subjects[s]), PDP_NONE,
		                                        &p, NULL),
		             PDP_OK);
		digest_perms(&b, p);
		pdp_audit_perms_free(p);
	}
	for (uint32_t r = 0; r < pdp_audit_role_count(img); r++) {
		pdp_audit_perms *p;
		cr_assert_eq(pdp_audit_role_permissions(img, r, PDP_NONE, &p, NULL), PDP_OK);
		digest_perms(&b, p);
		pdp_audit_perms_free(p);
	}
	for (uint32_t i = 0; i < pdp_audit_rule_count(img); i++)
		for (int part = 1; part <= 8; part <<= 1) {
			char t[1024];
			pdp_audit_format_condition(img, i, (uint32_t)part, t, sizeof(t));
			pdp_audit_rule_token(img, i, t + strlen(t), sizeof(t) - strlen(t));
			bprintf(&b, "%s\n", t);
		}
	return b.p;
}

Test(same, sources_and_image_file)
{
	size_t len;
	uint8_t *bytes = compile_text(RBAC_POLICY, &len);
	pdp_image *from_sources = load_bytes(bytes, len);
	char path[] = "/tmp/pdp-audit-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "wb");
	cr_assert_eq(fwrite(bytes, 1, len, f), len);
	fclose(f);
	f = fopen(path, "rb");
	uint8_t *back = malloc(len + 1);
	cr_assert_eq(fread(back, 1, len + 1, f), len);
	fclose(f);
	remove(path);
	pdp_image *from_file = load_bytes(back, len);
	char *a = digest_all(from_sources), *b = digest_all(from_file);
	cr_assert_str_eq(a, b);
	free(a);
	free(b);
	free(back);
	free(bytes);
	pdp_image_free(from_sources);
	pdp_image_free(from_file);
}

/* ---- RBAC review functions ---- */

static void names_are(const pdp_image *img, const uint32_t *roles, size_t n,
                      const char *want)
{
	char got[512] = "";
	for (size_t i = 0; i < n; i++) {
		pdp_str s = pdp_audit_role_name(img, roles[i]);
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.*s",
		         i ? "," : "", (int)s.len, s.ptr);
	}
	cr_assert_str_eq(got, want);
}

static void users_are(const pdp_str *u, size_t n, const char *want)
{
	char got[512] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.*s",
		         i ? "," : "", (int)u[i].len, u[i].ptr);
	cr_assert_str_eq(got, want);
}

Test(review, users_roles_hierarchy_constraints)
{
	pdp_image *img = load_text(RBAC_POLICY);
	uint32_t viewer = pdp_audit_role_index(img, S("viewer"));
	uint32_t admin = pdp_audit_role_index(img, S("admin"));
	cr_assert_neq(viewer, PDP_NONE);
	cr_assert_eq(pdp_audit_role_index(img, S("nope")), PDP_NONE);
	pdp_str u[16];
	size_t n = pdp_audit_assigned_users(img, viewer, u, 16);
	users_are(u, n, "CAE-bill,CAE-vic");
	n = pdp_audit_authorized_users(img, viewer, u, 16);
	users_are(u, n, "CAE-ada,CAE-aud,CAE-bill,CAE-carl,CAE-olga,CAE-sup,CAE-vic");
	/* the count is returned even when the array is too small */
	cr_assert_eq(pdp_audit_authorized_users(img, viewer, u, 2), 7);
	cr_assert_eq(pdp_audit_authorized_users(img, viewer, NULL, 0), 7);
	uint32_t r[16];
	n = pdp_audit_assigned_roles(img, S("CAE-bill"), r, 16);
	cr_assert_eq(n, 2);
	n = pdp_audit_authorized_roles(img, S("CAE-ada"), r, 16);
	names_are(img, r, n, "viewer,operator,auditor,admin");
	cr_assert_eq(pdp_audit_authorized_roles(img, S("CAE-nobody"), r, 16), 0);
	n = pdp_audit_role_juniors(img, admin, true, r, 16);
	names_are(img, r, n, "operator,auditor");
	n = pdp_audit_role_juniors(img, admin, false, r, 16);
	names_are(img, r, n, "viewer,operator,auditor");
	n = pdp_audit_role_seniors(img, viewer, true, r, 16);
	names_are(img, r, n, "operator,auditor");
	n = pdp_audit_role_seniors(img, viewer, false, r, 16);
	names_are(img, r, n, "operator,auditor,admin,super");
	uint32_t g = pdp_audit_group_index(img, S("meters"));
	cr_assert_neq(g, PDP_NONE);
	n = pdp_audit_group_members(img, g, u, 16);
	users_are(u, n, "CAE-meter-01");
	n = pdp_audit_group_globs(img, g, u, 16);
	users_are(u, n, "CAE-meter-9*");
	cr_assert_eq(pdp_audit_constraint_count(img), 1);
	pdp_audit_constraint k;
	cr_assert_eq(pdp_audit_constraint_get(img, 0, &k), PDP_OK);
	cr_assert(k.dynamic);
	cr_assert(str_is(k.name, "no-self-approve"));
	cr_assert_eq(k.n, 2);
	n = pdp_audit_constraint_roles(img, 0, r, 16);
	cr_assert_eq(n, 2);
	cr_assert_eq(pdp_audit_constraint_get(img, 1, &k), PDP_ERR_NOT_FOUND);
	pdp_image_free(img);
}

Test(review, role_and_user_permissions)
{
	pdp_image *img = load_text(RBAC_POLICY);
	uint32_t acp = pdp_acp_index(img, S("acp-rbac"));
	uint32_t ops, unc;
	/* operator holds update directly and retrieve through viewer */
	cr_assert_eq(pdp_audit_role_operations_on_object(
	                     img, pdp_audit_role_index(img, S("operator")), acp,
	                     false, &ops, &unc, NULL),
	             PDP_OK);
	cr_assert_eq(ops, PDP_OP_RETRIEVE | PDP_OP_UPDATE);
	cr_assert_eq(unc, ops);
	cr_assert_eq(pdp_audit_role_operations_on_object(
	                     img, pdp_audit_role_index(img, S("super")), acp,
	                     false, &ops, NULL, NULL),
	             PDP_OK);
	cr_assert_eq(ops, PDP_OP_RETRIEVE | PDP_OP_UPDATE | PDP_OP_DISCOVER |
	                          PDP_OP_DELETE);
	cr_assert_eq(pdp_audit_user_operations_on_object(img, S("CAE-bill"), acp,
	                                                 false, &ops, &unc, NULL),
	             PDP_OK);
	cr_assert_eq(ops, PDP_OP_RETRIEVE | PDP_OP_NOTIFY);
	/* CAE-carl's assigned roles break DSD: nothing, and it says why */
	pdp_audit_perms *p;
	cr_assert_eq(pdp_audit_user_permissions(img, S("CAE-carl"), PDP_NONE, &p,
	                                        NULL),
	             PDP_OK);
	cr_assert_eq(p->activation, PDP_AUDIT_DSD_VIOLATION);
	cr_assert_eq(p->n_perms, 0);
	pdp_audit_perms_free(p);
	/* a session with one of them works; an unauthorized role does not */
	pdp_str one[1] = {S("approver")};
	cr_assert_eq(pdp_audit_session_permissions(img, S("CAE-carl"), one, 1,
	                                           acp, &p, NULL),
	             PDP_OK);
	cr_assert_eq(p->activation, PDP_AUDIT_ACTIVATION_OK);
	cr_assert_eq(p->n_perms, 1);
	cr_assert_eq(p->perms[0].operation, PDP_OP_CREATE);
	cr_assert_eq(p->perms[0].grants[0].via, PDP_AUDIT_VIA_ROLE);
	pdp_audit_perms_free(p);
	pdp_str bad[1] = {S("admin")};
	cr_assert_eq(pdp_audit_session_permissions(img, S("CAE-carl"), bad, 1,
	                                           PDP_NONE, &p, NULL),
	             PDP_OK);
	cr_assert_eq(p->activation, PDP_AUDIT_ROLE_NOT_AUTHORIZED);
	cr_assert_eq(p->activation_detail, 0);
	pdp_audit_perms_free(p);
	/* inherited: CAE-ada gets retrieve on acp-rbac through admin */
	cr_assert_eq(pdp_audit_user_permissions(img, S("CAE-ada"), acp, &p, NULL),
	             PDP_OK);
	bool seen = false;
	for (size_t i = 0; i < p->n_perms; i++)
		if (p->perms[i].operation == PDP_OP_RETRIEVE) {
			const pdp_audit_grant *g = &p->perms[i].grants[0];
			cr_assert(str_is(pdp_audit_role_name(img, g->via_index), "viewer"));
			cr_assert(str_is(pdp_audit_role_name(img, g->through_role), "admin"));
			seen = true;
		}
	cr_assert(seen);
	pdp_audit_perms_free(p);
	/* the deny on acp-rdeny for auditors overrides */
	uint32_t rd = pdp_acp_index(img, S("acp-rdeny"));
	cr_assert_eq(pdp_audit_user_permissions(img, S("CAE-aud"), rd, &p, NULL),
	             PDP_OK);
	cr_assert_eq(p->perms[0].operation, PDP_OP_RETRIEVE);
	cr_assert_eq(p->perms[0].status, PDP_AUDIT_OVERRIDDEN);
	cr_assert_eq(p->perms[0].n_overrides, 1);
	pdp_audit_rule info;
	cr_assert_eq(pdp_audit_rule_get(img, p->perms[0].overrides[0], &info), PDP_OK);
	cr_assert(info.deny);
	cr_assert(str_is(info.id, "no-auditors"));
	pdp_audit_perms_free(p);
	/* errors */
	cr_assert_eq(pdp_audit_user_permissions(NULL, S("x"), PDP_NONE, &p, NULL),
	             PDP_ERR_ARG);
	cr_assert_null(p);
	cr_assert_eq(pdp_audit_role_permissions(img, 999, PDP_NONE, &p, NULL),
	             PDP_ERR_NOT_FOUND);
	pdp_image_free(img);
}

Test(review, acp_query)
{
	pdp_image *img = load_text(RBAC_POLICY);
	uint32_t acp = pdp_acp_index(img, S("acp-meter"));
	pdp_audit_acp *a;
	cr_assert_eq(pdp_audit_acp_query(img, acp, PDP_OP_DELETE, &a, NULL), PDP_OK);
	cr_assert_eq(a->n_entries, 1);
	cr_assert_eq(a->entries[0].n_permits, 1);
	cr_assert_eq(a->entries[0].n_denies, 2);
	pdp_audit_originator o;
	cr_assert_eq(pdp_audit_rule_originator(img, a->entries[0].permits[0], 0, &o),
	             PDP_OK);
	cr_assert_eq(o.kind, PDP_AUDIT_VIA_ALL);
	pdp_audit_acp_free(a);
	cr_assert_eq(pdp_audit_acp_query(img, acp, 0, &a, NULL), PDP_OK);
	cr_assert_eq(a->n_entries, 5); /* create retrieve update delete discover */
	pdp_audit_acp_free(a);
	cr_assert_eq(pdp_audit_acp_query(img, 99, 0, &a, NULL), PDP_ERR_NOT_FOUND);
	pdp_image_free(img);
}

/* ---- conditions in the policy's syntax ---- */

static const char COND_POLICY_HEAD[] =
	"pdp: 1\n"
	"attributes:\n"
	"  originator.clearance: int\n"
	"  originator.department: string\n"
	"  resource.labels: set<string>\n"
	"  resource.owner: string\n"
	"  env.maintenance: bool\n"
	"  env.since: time\n"
	"  env.peer: ip\n"
	"acps:\n"
	"  - id: acp-c\n"
	"    privileges:\n";

static const char *const COND_RULES[] = {
	"      - originators: [all]\n"
	"        operations: [retrieve]\n"
	"        contexts:\n"
	"          - window: ['* * 8-17 * * 1-5 *', '0 0 0 1 JAN * 2026-2030']\n"
	"            ip: [10.1.0.0/16, '2001:db8::/32', 192.0.2.7]\n"
	"            region: { countries: [DE, '250'], circles: [{lat: 52.52, lon: 13.4, radius: 5000}] }\n"
	"          - {}\n",
	"      - originators: [all]\n"
	"        operations: [create]\n"
	"        authenticated: true\n"
	"        objects:\n"
	"          - { types: [container, 4], specializations: ['org.example:meter'], child_types: [contentInstance] }\n"
	"          - {}\n",
	"      - originators: [all]\n"
	"        operations: [update]\n"
	"        when:\n"
	"          all:\n"
	"            - { attr: originator.clearance, ge: -2 }\n"
	"            - { attr: resource.labels, contains: 'a: b' }\n"
	"            - { attr: originator.id, matches: '^CAE-\"[0-9]+\\\\d$' }\n"
	"            - { attr: resource.owner, eq: { attr: originator.id } }\n"
	"            - any:\n"
	"                - { attr: originator.clearance, in: [1, 2, 3] }\n"
	"                - not: { attr: env.maintenance, eq: true }\n"
	"                - { attr: originator.department, in: [ops, 'true', '12'] }\n"
	"            - { attr: env.ip, in_cidr: [10.0.0.0/8, '::1/128'] }\n"
	"            - { attr: env.peer, eq: 10.0.0.1 }\n"
	"            - { attr: env.since, lt: '2026-11-28T09:15:00Z' }\n"
	"            - { attr: originator.department, prefix: 'op' }\n"
	"            - { attr: env.country, eq: DE }\n"
	"            - { attr: env.badge, present: false }\n",
};

/* Render every condition part of the rules, paste the text into a new
 * policy, compile it and render again: the same text. */
Test(render, round_trip)
{
	buf src = {malloc(4096), 0, 4096};
	bprintf(&src, "%s", COND_POLICY_HEAD);
	for (size_t i = 0; i < sizeof(COND_RULES) / sizeof(COND_RULES[0]); i++)
		bprintf(&src, "%s", COND_RULES[i]);
	/* env.badge is not declared: drop it if the compiler insists */
	pdpc_compiler *c = pdpc_new();
	pdpc_add_buffer(c, "c.yaml", src.p, src.n);
	const uint8_t *bytes;
	size_t len;
	if (pdpc_compile(c, &bytes, &len) != PDPC_OK) {
		pdpc_free(c);
		char *cut = strstr(src.p, "            - { attr: env.badge");
		cr_assert_not_null(cut);
		*cut = '\0';
		src.n = strlen(src.p);
		c = pdpc_new();
		pdpc_add_buffer(c, "c.yaml", src.p, src.n);
		cr_assert_eq(pdpc_compile(c, &bytes, &len), PDPC_OK, "%s",
		             pdpc_diag_count(c) ? pdpc_diag_get(c, 0)->message : "");
	}
	pdp_image *img = load_bytes(bytes, len);
	pdpc_free(c);
	buf again = {malloc(4096), 0, 4096};
	bprintf(&again, "%s", COND_POLICY_HEAD);
	char first[3][4096];
	for (uint32_t r = 0; r < 3; r++) {
		first[r][0] = '\0';
		bprintf(&again, "      - originators: [all]\n        operations: [%s]\n",
		        r == 0 ? "retrieve" : r == 1 ? "create" : "update");
		for (uint32_t part = 1; part <= 8; part <<= 1) {
			char t[2048];
			size_t n = pdp_audit_format_condition(img, r, part, t, sizeof(t));
			cr_assert_lt(n, sizeof(t));
			if (n == 0)
				continue;
			bprintf(&again, "        %s\n", t);
			strcat(first[r], t);
			strcat(first[r], "\n");
		}
	}
	cr_log_info("rendered:\n%s", again.p);
	/* spot checks of the syntax */
	cr_assert(strstr(first[0], "window: [\"* * 8-17 * * 1-5 *\", \"0 0 0 1 JAN * 2026-2030\"]"),
	          "%s", first[0]);
	cr_assert(strstr(first[0], "ip: [10.1.0.0/16, \"2001:db8::/32\", 192.0.2.7/32]"),
	          "%s", first[0]);
	cr_assert(strstr(first[0], "countries: [DE, FR]"), "%s", first[0]);
	cr_assert(strstr(first[0], "{lat: 52.52, lon: 13.4, radius: 5000}"), "%s", first[0]);
	cr_assert(strstr(first[1], "authenticated: true"), "%s", first[1]);
	cr_assert(strstr(first[1], "objects: [{types: [container, contentInstance], "
	                           "specializations: [\"org.example:meter\"], "
	                           "child_types: [contentInstance]}, {}]"),
	          "%s", first[1]);
	cr_assert(strstr(first[2], "{attr: originator.clearance, ge: -2}"), "%s", first[2]);
	cr_assert(strstr(first[2], "{attr: resource.owner, eq: {attr: originator.id}}"),
	          "%s", first[2]);
	cr_assert(strstr(first[2], "{not: {attr: env.maintenance, eq: true}}"), "%s",
	          first[2]);
	cr_assert(strstr(first[2], "in: [ops, \"true\", \"12\"]"), "%s", first[2]);
	/* the rendered text compiles to the same conditions */
	size_t len2;
	uint8_t *b2 = compile_text(again.p, &len2);
	pdp_image *img2 = load_bytes(b2, len2);
	for (uint32_t r = 0; r < 3; r++) {
		char second[4096] = "";
		for (uint32_t part = 1; part <= 8; part <<= 1) {
			char t[2048];
			if (pdp_audit_format_condition(img2, r, part, t, sizeof(t)) == 0)
				continue;
			strcat(second, t);
			strcat(second, "\n");
		}
		cr_assert_str_eq(second, first[r]);
	}
	/* residual parts: the empty context and the empty object entry make
	 * contexts and objects always hold */
	cr_assert_eq(pdp_audit_rule_conditions(img, 0, PDP_OP_RETRIEVE), 0);
	cr_assert_eq(pdp_audit_rule_conditions(img, 1, PDP_OP_CREATE),
	             PDP_AUDIT_COND_AUTHENTICATED);
	cr_assert_eq(pdp_audit_rule_conditions(img, 2, PDP_OP_UPDATE),
	             PDP_AUDIT_COND_WHEN);
	/* snprintf contract */
	char small[8];
	size_t need = pdp_audit_format_condition(img, 2, PDP_AUDIT_COND_WHEN, small,
	                                         sizeof(small));
	cr_assert_gt(need, sizeof(small));
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	free(b2);
	pdp_image_free(img2);
	pdp_image_free(img);
	free(src.p);
	free(again.p);
}

/* ---- partial evaluation ---- */

/* The operations perms lists for an ACP's privileges, as "op:status,...". */
static void perms_are(const pdp_image *img, const pdp_audit_perms *p,
                      const char *acp, const char *want)
{
	char got[512] = "";
	uint32_t a = pdp_acp_index(img, S(acp));
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *x = &p->perms[i];
		if (x->acp != a || x->self)
			continue;
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s",
		         got[0] ? "," : "", pdp_operation_name(x->operation),
		         x->status == PDP_AUDIT_UNCONDITIONAL ? "u"
		         : x->status == PDP_AUDIT_CONDITIONAL ? "c"
		                                              : "o");
	}
	cr_assert_str_eq(got, want, "%s: %s", acp, got);
}

static const char ABAC_POLICY[] =
	"pdp: 1\n"
	"attributes: { originator.clearance: int, originator.department: string,\n"
	"              env.threat: int }\n"
	"acps:\n"
	"  - id: acp-x\n"
	"    privileges:\n"
	"      - { originators: [all], operations: all,\n"
	"          when: { attr: operation, eq: notify } }\n"
	"      - { originators: [all], operations: [retrieve],\n"
	"          when: { attr: originator.id, matches: '^CAE-a' } }\n"
	"  - id: acp-lab\n"
	"    privileges:\n"
	"      - originators: [all]\n"
	"        operations: [retrieve, update]\n"
	"        objects: [{ types: [container] }, { specializations: [x.y] }]\n"
	"        when: { all: [ { any: [ { attr: originator.id, prefix: CAE-a },\n"
	"                                { attr: originator.department, eq: lab } ] },\n"
	"                       { attr: env.threat, lt: 3 } ] }\n"
	"      - { originators: [all], operations: [update], effect: deny,\n"
	"          when: { attr: originator.clearance, lt: 2 } }\n"
	"      - { originators: [all], operations: [delete], effect: deny,\n"
	"          when: { attr: originator.clearance, gt: 0 } }\n"
	"      - { originators: [all], operations: [delete] }\n";

/* The example and a reduced residual: what the query fixes is
 * evaluated (subject id, operation, type, attributes), the rest shown
 * simplified. */
Test(residual, fixed_facts_evaluated)
{
	pdp_image *img = load_text(ABAC_POLICY);
	pdp_audit_perms *p;
	pdp_audit_subject q;
	pdp_audit_subject_init(&q);
	q.subject = S("CAE-bob");
	cr_assert_eq(pdp_audit_subject_permissions(img, &q, &p, NULL), PDP_OK);
	perms_are(img, p, "acp-x", "notify:u");
	perms_are(img, p, "acp-lab", "retrieve:c,update:c,delete:c");
	uint32_t lab = 0; /* acp-lab's first rule */
	pdp_audit_rule rr;
	while (pdp_audit_rule_get(img, lab, &rr) == PDP_OK &&
	       !(rr.acp == pdp_acp_index(img, S("acp-lab")) && rr.index == 0))
		lab++;
	char t[512];
	pdp_audit_residual(p, lab, PDP_OP_UPDATE, PDP_AUDIT_COND_WHEN, t, sizeof(t));
	cr_assert_str_eq(t, "when: {all: [{attr: originator.department, eq: lab}, "
	                    "{attr: env.threat, lt: 3}]}");
	pdp_audit_residual(p, lab + 1, PDP_OP_UPDATE, PDP_AUDIT_COND_WHEN, t,
	                   sizeof(t));
	cr_assert_str_eq(t, "when: {attr: originator.clearance, lt: 2}");
	pdp_audit_perms_free(p);

	/* alice: the `any` holds; the type fixes the objects to the entry
	 * that does not name it */
	q.subject = S("CAE-alice");
	q.type = 3; /* container */
	cr_assert_eq(pdp_audit_subject_permissions(img, &q, &p, NULL), PDP_OK);
	perms_are(img, p, "acp-x", "retrieve:u,notify:u");
	cr_assert_eq(pdp_audit_residual(p, lab, PDP_OP_RETRIEVE,
	                                PDP_AUDIT_COND_OBJECTS, t, sizeof(t)), 0);
	pdp_audit_residual(p, lab, PDP_OP_RETRIEVE, PDP_AUDIT_COND_WHEN, t,
	                   sizeof(t));
	cr_assert_str_eq(t, "when: {attr: env.threat, lt: 3}");
	pdp_audit_perms_free(p);
	q.type = 4; /* contentInstance: only the specialization entry is left */
	cr_assert_eq(pdp_audit_subject_permissions(img, &q, &p, NULL), PDP_OK);
	pdp_audit_residual(p, lab, PDP_OP_RETRIEVE, PDP_AUDIT_COND_OBJECTS, t,
	                   sizeof(t));
	cr_assert_str_eq(t, "objects: [{specializations: [x.y]}]");
	pdp_audit_perms_free(p);

	/* the subject's attributes: clearance 3 removes the update deny; a
	 * complete set without a department makes bob's `any` false... */
	pdp_attr at[1];
	at[0].id = pdp_attr_id(img, S("originator.clearance"));
	at[0].value.type = PDP_TYPE_INT;
	at[0].value.u.i = 3;
	q.subject = S("CAE-bob");
	q.type = -1;
	q.attrs = at;
	q.n_attrs = 1;
	q.attrs_complete = true;
	cr_assert_eq(pdp_audit_subject_permissions(img, &q, &p, NULL), PDP_OK);
	/* ... so lab-work grants nothing, and delete is overridden (clearance
	 * 3 > 0: the deny always applies) */
	perms_are(img, p, "acp-lab", "delete:o");
	pdp_audit_perms_free(p);
	/* not complete: the department stays open */
	q.attrs_complete = false;
	cr_assert_eq(pdp_audit_subject_permissions(img, &q, &p, NULL), PDP_OK);
	perms_are(img, p, "acp-lab", "retrieve:c,update:c,delete:o");
	const pdp_audit_perm *upd = NULL;
	for (size_t i = 0; i < p->n_perms; i++)
		if (p->perms[i].operation == PDP_OP_UPDATE)
			upd = &p->perms[i];
	cr_assert_not_null(upd);
	cr_assert_eq(upd->n_overrides, 0, "clearance 3: the update deny is gone");
	pdp_audit_perms_free(p);
	/* an absent attribute in a complete set is indeterminate: a deny rule
	 * reading it applies (decide denies on indeterminate) */
	q.n_attrs = 0;
	q.attrs_complete = true;
	cr_assert_eq(pdp_audit_subject_permissions(img, &q, &p, NULL), PDP_OK);
	perms_are(img, p, "acp-lab", "delete:o");
	pdp_audit_perms_free(p);
	pdp_image_free(img);
}
