/*
 * session.c - ANSI RBAC sessions in caller-provided memory: the active role
 * set is a bitset sized by the image, checked on every add (authorization,
 * then DSD over the active closure) so a decision within a session needs no
 * role checks.
 */
#include <stdalign.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "eval/eval.h"
#include "eval/match.h"

struct pdp_session {
	const pdp_image *img;
	pdp_str user;
	uint32_t principal;
	uint32_t words;
	pdp_reason broken;   /* RULE, or why every decision denies after a
	                        rebind (SESSION_ROLE_REMOVED, ROLE_NOT_AUTHORIZED) */
	uint64_t active[];   /* directly activated roles */
};

/* Sized for the most roles any image may have, so that a session can be
 * rebound to a later image of a live store whatever its role count. */
size_t pdp_session_size(const pdp_image *img)
{
	if (img == NULL)
		return 0;
	return sizeof(pdp_session) + (size_t)PDP_ROLE_WORDS_MAX * sizeof(uint64_t);
}

/* The user's principal, found by the id's absolute form when the image
 * declares its hosting CSE (as decisions do). */
static uint32_t principal_of(const pdp_image *img, pdp_str user)
{
	char abs[PDP_MAX_ABS_ID_BYTES];
	if (img->host) {
		user.len = origin_absolute(img->host_sp, img->host_cse, user, abs,
		                           sizeof(abs));
		user.ptr = abs;
		if (user.len > sizeof(abs))
			return PDP_NONE;
	}
	return img_lookup(img, &img->h_principal, SEC_PRINCIPALS, user);
}

EVAL_RARE pdp_status pdp_session_init(void *mem, size_t size, const pdp_image *img,
                            pdp_str user, pdp_session **out, pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (mem == NULL || img == NULL || out == NULL || user.ptr == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	if (size < pdp_session_size(img) ||
	    ((uintptr_t)mem % alignof(max_align_t)) != 0)
		return img_fail(err, PDP_ERR_ARG,
		                "session memory too small or misaligned; use "
		                "pdp_session_size()");
	pdp_session *s = mem;
	s->img = img;
	s->user = user;
	s->principal = principal_of(img, user);
	s->words = img->role_words;
	s->broken = PDP_REASON_RULE;
	memset(s->active, 0, (size_t)(s->words ? s->words : 1) * sizeof(uint64_t));
	*out = s;
	return PDP_OK;
}

/* The image whose declaration tables (roles, principals) img uses. */
static const pdp_image *decl_of(const pdp_image *img)
{
	return img->view_base != NULL ? img->view_base : img;
}

/* The closure of every role assigned to principal p (NONE: nothing). */
static void authorized_of(const pdp_image *img, uint32_t p, uint64_t *auth)
{
	uint32_t w = img->role_words;
	memset(auth, 0, (w ? w : 1) * sizeof(uint64_t));
	eval_authorized(img, p, auth);
}

EVAL_RARE pdp_status pdp_session_rebind(pdp_session *s, const pdp_image *img,
                              pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (s == NULL || img == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	const pdp_image *old = s->img;
	s->img = img;
	if (decl_of(old) == decl_of(img))
		return PDP_OK; /* same roles and principals: nothing moves */
	/* find each active role again by name */
	uint64_t next[PDP_ROLE_WORDS_MAX];
	memset(next, 0, sizeof(next));
	pdp_status st = PDP_OK;
	for (uint32_t r = 0; r < old->count[SEC_ROLES]; r++) {
		if (!((s->active[r / 64] >> (r % 64)) & 1u))
			continue;
		pdp_str name = img_str(old, img_role(old, r)->name);
		uint32_t n = img_lookup(img, &img->h_role, SEC_ROLES, name);
		if (n == PDP_NONE)
			st = PDP_ERR_NOT_FOUND;
		else
			next[n / 64] |= UINT64_C(1) << (n % 64);
	}
	s->principal = principal_of(img, s->user);
	s->words = img->role_words;
	memcpy(s->active, next, (size_t)(s->words ? s->words : 1) * sizeof(uint64_t));
	if (st != PDP_OK) {
		s->broken = PDP_REASON_SESSION_ROLE_REMOVED;
		return img_fail(err, st, "an active role of the session no "
		                         "longer exists; start a new session");
	}
	uint64_t auth[PDP_ROLE_WORDS_MAX];
	authorized_of(img, s->principal, auth);
	for (uint32_t k = 0; k < s->words; k++)
		if (s->active[k] & ~auth[k]) {
			s->broken = PDP_REASON_ROLE_NOT_AUTHORIZED;
			return img_fail(err, PDP_ERR_NOT_AUTHORIZED,
			                "the user is no longer authorized for an active "
			                "role; start a new session");
		}
	s->broken = PDP_REASON_RULE;
	return PDP_OK;
}

static void closure_of(const pdp_image *img, const uint64_t *set,
                       uint64_t *out)
{
	memset(out, 0, img->role_words * sizeof(uint64_t));
	eval_add_closures(img, set, out);
}

EVAL_RARE pdp_status pdp_session_add_role(pdp_session *s, pdp_str role, pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (s == NULL || role.ptr == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	const pdp_image *img = s->img;
	uint32_t r = img_lookup(img, &img->h_role, SEC_ROLES, role);
	if (r == PDP_NONE)
		return img_fail(err, PDP_ERR_NOT_FOUND, "no such role");
	uint32_t w = img->role_words;
	uint64_t auth[PDP_ROLE_WORDS_MAX], next[PDP_ROLE_WORDS_MAX],
	         closure[PDP_ROLE_WORDS_MAX];
	authorized_of(img, s->principal, auth);
	if (!((auth[r / 64] >> (r % 64)) & 1u))
		return img_fail(err, PDP_ERR_NOT_AUTHORIZED,
		                "the user is not authorized for this role");
	memcpy(next, s->active, w * sizeof(uint64_t));
	next[r / 64] |= UINT64_C(1) << (r % 64);
	closure_of(img, next, closure);
	if (eval_dsd_violated(img, closure) != PDP_NONE)
		return img_fail(err, PDP_ERR_DSD,
		                "activating this role would violate a dynamic "
		                "separation of duty constraint");
	memcpy(s->active, next, w * sizeof(uint64_t));
	return PDP_OK;
}

EVAL_RARE pdp_status pdp_session_drop_role(pdp_session *s, pdp_str role, pdp_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	if (s == NULL || role.ptr == NULL)
		return img_fail(err, PDP_ERR_ARG, "NULL argument");
	uint32_t r = img_lookup(s->img, &s->img->h_role, SEC_ROLES, role);
	if (r == PDP_NONE || !((s->active[r / 64] >> (r % 64)) & 1u))
		return img_fail(err, PDP_ERR_NOT_FOUND, "the role is not active");
	s->active[r / 64] &= ~(UINT64_C(1) << (r % 64));
	return PDP_OK;
}

uint32_t pdp_session_role_count(const pdp_session *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; s != NULL && i < s->words; i++)
		n += (uint32_t)__builtin_popcountll(s->active[i]);
	return n;
}

pdp_str pdp_session_role(const pdp_session *s, uint32_t i)
{
	pdp_str none = {NULL, 0};
	if (s == NULL)
		return none;
	for (uint32_t r = 0; r < s->img->count[SEC_ROLES]; r++)
		if ((s->active[r / 64] >> (r % 64)) & 1u) {
			if (i == 0)
				return img_str(s->img, img_role(s->img, r)->name);
			i--;
		}
	return none;
}

pdp_status pdp_session_decide(const pdp_session *s, pdp_scratch *scratch,
                              const pdp_request *req, pdp_decision *out)
{
	if (s == NULL || req == NULL)
		return eval_decide(NULL, scratch, req, NULL, out, NULL);
	if (s->broken != PDP_REASON_RULE && out != NULL) {
		memset(out, 0, sizeof(*out));
		out->effect = PDP_DENY;
		out->reason = s->broken;
		out->acp = PDP_NONE;
		out->rule = PDP_NONE;
		out->detail = PDP_NONE;
		eval_log(scratch, s->img, req, out, PDP_OK);
		return PDP_OK;
	}
	pdp_request q = *req;
	q.originator = s->user;
	q.roles = NULL;
	q.n_roles = 0;
	q.roles_given = true;
	pdp_status st = eval_decide(s->img, scratch, &q, s->active, out, NULL);
	eval_log(scratch, s->img, &q, out, st);
	return st;
}
