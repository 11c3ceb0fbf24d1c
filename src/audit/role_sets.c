/*
 * role_sets.c - the role sets a session of a subject may hold under dynamic
 * separation of duty (audit.h, pdp_audit_role_sets), and what each grants.
 *
 * A session activates authorized roles; what rules see is the active
 * closure, and DSD is checked on it (docs/language.md, RBAC). Adding a role
 * only grows the closure, so validity is closed under subsets, and a
 * maximal valid set holds the closure of each of its roles: the sets to
 * list are the maximal junior-closed sets of authorized roles that break no
 * DSD set. A role whose closure holds no role of any DSD set ("free") fits
 * every valid set, so every maximal set holds it; only the others
 * ("contested") are searched, include-or-exclude, seniors first. Each
 * valid closed set is reached by exactly one path of choices, so no set is
 * listed twice; a leaf is kept when no excluded role could be added.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "common/limits.h"

typedef struct set_impl {
	pdp_audit_role_set pub;
	uint32_t *activate, *roles;
	pdp_audit_perms *perms;
} set_impl;

typedef struct sets_impl {
	pdp_audit_role_sets pub;
	uint32_t *authorized, *contested;
	set_impl *sets;
	pdp_audit_role_set *pubs;
	size_t n_sets, cap_sets;
} sets_impl;

/* The search's state: the contested roles seniors first, one closure
 * bitset per depth (the set chosen so far), the steps taken. */
typedef struct search {
	const pdp_image *img;
	uint32_t words;
	const uint32_t *branch;   /* contested roles, search order */
	size_t n_branch;
	uint64_t *level;          /* (n_branch + 1) x words */
	uint64_t *trial;          /* words: a set with one role added */
	size_t steps, max_sets;
	pdp_audit_truncation truncated;
	sets_impl *m;
	bool nomem;
} search;

void pdp_audit_role_sets_free(pdp_audit_role_sets *s)
{
	if (s == NULL)
		return;
	sets_impl *m = (sets_impl *)s;
	for (size_t i = 0; i < m->n_sets; i++) {
		free(m->sets[i].activate);
		free(m->sets[i].roles);
		pdp_audit_perms_free(m->sets[i].perms);
	}
	free(m->sets);
	free(m->pubs);
	free(m->authorized);
	free(m->contested);
	free(m);
}

/* Would set with role r's closure added break a DSD set? */
static bool add_breaks(search *s, const uint64_t *set, uint32_t r)
{
	memcpy(s->trial, set, s->words * sizeof(uint64_t));
	eval_add_closure(s->img, r, s->trial);
	return eval_dsd_violated(s->img, s->trial) != PDP_NONE;
}

/* Keep set (valid, closed, maximal): its roles, and the fewest roles that
 * activate it (those no other role of the set inherits). */
static void keep(search *s, const uint64_t *set)
{
	sets_impl *m = s->m;
	if (m->n_sets == s->max_sets) {
		s->truncated = PDP_AUDIT_TRUNCATED_SETS;
		return;
	}
	if (m->n_sets == m->cap_sets) {
		size_t nc = m->cap_sets ? m->cap_sets * 2 : 8;
		set_impl *nv = realloc(m->sets, nc * sizeof(*nv));
		if (nv == NULL) {
			s->nomem = true;
			return;
		}
		m->sets = nv;
		m->cap_sets = nc;
	}
	uint32_t nr = s->img->count[SEC_ROLES];
	set_impl *x = &m->sets[m->n_sets];
	memset(x, 0, sizeof(*x));
	x->roles = calloc(nr + 1, sizeof(uint32_t));
	x->activate = calloc(nr + 1, sizeof(uint32_t));
	if (x->roles == NULL || x->activate == NULL) {
		free(x->roles);
		free(x->activate);
		s->nomem = true;
		return;
	}
	/* the roles some other role of the set inherits (s->trial) */
	uint64_t *inherited = s->trial;
	memset(inherited, 0, s->words * sizeof(uint64_t));
	for (uint32_t t = 0; t < nr; t++) {
		if (!role_bit(set, t))
			continue;
		const uint64_t *c = role_closure_of(s->img, t);
		for (uint32_t k = 0; k < s->words; k++) {
			uint64_t own = k == t / 64 ? UINT64_C(1) << (t % 64) : 0;
			inherited[k] |= c[k] & ~own;
		}
	}
	for (uint32_t r = 0; r < nr; r++) {
		if (!role_bit(set, r))
			continue;
		x->roles[x->pub.n_roles++] = r;
		if (!role_bit(inherited, r))
			x->activate[x->pub.n_activate++] = r;
	}
	m->n_sets++;
}

/* Depth-first over the contested roles from index i, with the set so far
 * in s->level[i]. Bounded by PDP_AUDIT_ROLE_SETS_MAX_STEPS visits; the
 * depth by the number of contested roles (at most PDP_MAX_ROLES). */
static void visit(search *s, size_t i)
{
	if (s->nomem || s->truncated != PDP_AUDIT_COMPLETE)
		return;
	if (++s->steps > PDP_AUDIT_ROLE_SETS_MAX_STEPS) {
		s->truncated = PDP_AUDIT_TRUNCATED_STEPS;
		return;
	}
	uint64_t *cur = s->level + i * s->words;
	uint64_t *next = cur + s->words;
	if (i == s->n_branch) {
		for (size_t k = 0; k < s->n_branch; k++)
			if (!role_bit(cur, s->branch[k]) &&
			    !add_breaks(s, cur, s->branch[k]))
				return; /* a role could still be added: not maximal */
		keep(s, cur);
		return;
	}
	uint32_t r = s->branch[i];
	if (role_bit(cur, r)) {
		memcpy(next, cur, s->words * sizeof(uint64_t));
		visit(s, i + 1);
		return;
	}
	if (!add_breaks(s, cur, r)) {
		memcpy(next, s->trial, s->words * sizeof(uint64_t));
		visit(s, i + 1);
	}
	memcpy(next, cur, s->words * sizeof(uint64_t));
	visit(s, i + 1);
}

/* Does role r's closure hold a role of some DSD set? */
static bool contested(const pdp_image *img, uint32_t r)
{
	const uint64_t *c = role_closure_of(img, r);
	uint32_t w = img->role_words;
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		if (img_constraint(img, i)->kind != CONSTRAINT_DSD)
			continue;
		const uint64_t *set = img->constraint_sets + (size_t)i * w;
		for (uint32_t j = 0; j < w; j++)
			if (c[j] & set[j])
				return true;
	}
	return false;
}

/* The authorized roles, the contested ones among them (seniors first), and
 * the free ones' closure as the search's starting set. */
static bool prepare(sets_impl *m, search *s, const pdp_image *img,
                    pdp_str subject)
{
	uint32_t nr = img->count[SEC_ROLES];
	size_t na = pdp_audit_authorized_roles(img, subject, NULL, 0);
	m->authorized = malloc((na + 1) * sizeof(uint32_t));
	m->contested = malloc((na + 1) * sizeof(uint32_t));
	s->level = calloc((na + 1) * s->words + 1, sizeof(uint64_t));
	s->trial = calloc(s->words + 1, sizeof(uint64_t));
	if (m->authorized == NULL || m->contested == NULL || s->level == NULL ||
	    s->trial == NULL)
		return false;
	pdp_audit_authorized_roles(img, subject, m->authorized, na);
	m->pub.authorized = m->authorized;
	m->pub.n_authorized = na;
	uint32_t *branch = malloc((na + 1) * sizeof(uint32_t));
	if (branch == NULL)
		return false;
	size_t nb = 0;
	for (size_t k = na; k-- > 0;) {
		uint32_t r = m->authorized[k];
		if (r >= nr)
			continue;
		if (contested(img, r))
			branch[nb++] = r;
		else
			eval_add_closure(img, r, s->level);
	}
	/* the contested roles in image order for the result */
	for (size_t k = 0; k < nb; k++)
		m->contested[k] = branch[nb - 1 - k];
	m->pub.contested = m->contested;
	m->pub.n_contested = nb;
	s->branch = branch;
	s->n_branch = nb;
	return true;
}

/* What the session of each set may do: the subject query with the set's
 * roles activated (and the facts of q). */
static pdp_status set_perms(const pdp_image *img, const pdp_audit_subject *q,
                            set_impl *x, pdp_error *err)
{
	pdp_str *names = calloc(x->pub.n_activate + 1, sizeof(pdp_str));
	if (names == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	for (size_t i = 0; i < x->pub.n_activate; i++)
		names[i] = pdp_audit_role_name(img, x->activate[i]);
	pdp_audit_subject sq = *q;
	sq.roles_given = true;
	sq.roles = names;
	sq.n_roles = x->pub.n_activate;
	pdp_status st = pdp_audit_subject_permissions(img, &sq, &x->perms, err);
	free(names);
	return st;
}

pdp_status pdp_audit_subject_role_sets(const pdp_image *img,
                                       const pdp_audit_subject *q,
                                       size_t max_sets,
                                       pdp_audit_role_sets **out,
                                       pdp_error *err)
{
	if (out != NULL)
		*out = NULL;
	if (img == NULL || out == NULL || q == NULL || q->subject.ptr == NULL ||
	    q->roles_given)
		return img_fail(err, PDP_ERR_ARG, "audit: missing argument (or "
		                                  "roles given to a role-set query)");
	if (img->view != NULL)
		return img_fail(err, PDP_ERR_ARG, AUDIT_VIEW_REFUSED);
	if (q->subject.len > PDP_MAX_ID_BYTES)
		return img_fail(err, PDP_ERR_LIMIT, "audit: subject too long");
	sets_impl *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	search s;
	memset(&s, 0, sizeof(s));
	s.img = img;
	s.words = img->role_words;
	s.m = m;
	s.max_sets = max_sets == 0 ? PDP_AUDIT_ROLE_SETS_DEFAULT : max_sets;
	bool ok = prepare(m, &s, img, q->subject);
	uint64_t *level = s.level, *trial = s.trial;
	uint32_t *branch = (uint32_t *)s.branch;
	if (ok)
		visit(&s, 0);
	free(branch);
	free(level);
	free(trial);
	if (!ok || s.nomem) {
		pdp_audit_role_sets_free(&m->pub);
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	}
	m->pubs = calloc(m->n_sets + 1, sizeof(*m->pubs));
	if (m->pubs == NULL) {
		pdp_audit_role_sets_free(&m->pub);
		return img_fail(err, PDP_ERR_NOMEM, "audit: out of memory");
	}
	for (size_t i = 0; i < m->n_sets; i++) {
		pdp_status st = set_perms(img, q, &m->sets[i], err);
		if (st != PDP_OK) {
			pdp_audit_role_sets_free(&m->pub);
			return st;
		}
		set_impl *x = &m->sets[i];
		x->pub.activate = x->activate;
		x->pub.roles = x->roles;
		x->pub.perms = x->perms;
		m->pubs[i] = x->pub;
	}
	m->pub.subject = q->subject;
	m->pub.sets = m->pubs;
	m->pub.n_sets = m->n_sets;
	m->pub.truncated = s.truncated;
	*out = &m->pub;
	return PDP_OK;
}
