/*
 * lint.c - warnings beyond compile errors (pdp lint). Each check has a
 * stable code listed in docs/diagnostics.md. Lint runs after resolve, also
 * when there were errors, so every check tolerates unresolved references
 * (IMG_NONE) and missing role closures.
 *
 * The rule checks (W-REDUNDANT, W-DEAD-PERMIT) are conservative: they fire
 * only when one rule provably matches every request another one matches,
 * i.e. the covering rule has no contexts, objects or `when`, lists every
 * operation of the other, and each originator of the other is covered by
 * one of its own (all; the same entry; a glob or group matching an exact
 * id; role:R covering role:S when S is R or senior to R).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "compiler/cc.h"


/* ---- helpers ---- */

static bool closure_has(const cc *c, uint32_t role, uint32_t junior)
{
	if (role == IMG_NONE || junior == IMG_NONE || role >= c->roles.n ||
	    junior >= c->roles.n)
		return false;
	const uint64_t *b = c->roles.items[role]->closure;
	if (b == NULL)
		return role == junior;
	return (b[junior / 64] >> (junior % 64)) & 1u;
}

static bool same_name(const m_orig *a, const m_orig *b)
{
	return a->len == b->len && memcmp(a->name, b->name, a->len) == 0;
}

/* Whether group g surely holds the exact originator id. */
static bool group_holds(const cc *c, uint32_t g, const char *id, size_t len)
{
	if (g == IMG_NONE || g >= c->groups.n)
		return false;
	const m_group *gr = c->groups.items[g];
	pdp_str text = {id, len};
	for (size_t i = 0; i < gr->members.n; i++) {
		const char *m = gr->members.items[i].name;
		pdp_str pat = {m, strlen(m)};
		if (glob_has_wildcard(pat) ? glob_match(pat, text)
		                           : (pat.len == len &&
		                              memcmp(m, id, len) == 0))
			return true;
	}
	return false;
}

/* Whether originator entry a matches every request that b matches. */
static bool orig_covers(const cc *c, const m_orig *a, const m_orig *b)
{
	if (a->kind == ORIG_ALL)
		return true;
	switch (b->kind) {
	case ORIG_ALL:
		return false;
	case ORIG_EXACT:
		if (a->kind == ORIG_EXACT)
			return same_name(a, b);
		if (a->kind == ORIG_GLOB) {
			pdp_str pat = {a->name, a->len}, text = {b->name, b->len};
			return glob_match(pat, text);
		}
		if (a->kind == ORIG_GROUP)
			return group_holds(c, a->ref, b->name, b->len);
		return false;
	case ORIG_GLOB:
		return a->kind == ORIG_GLOB && same_name(a, b);
	case ORIG_GROUP:
		return a->kind == ORIG_GROUP && a->ref != IMG_NONE &&
		       a->ref == b->ref;
	case ORIG_ROLE:
		/* role:S matches when S or a senior of S is active; every such
		 * closure also holds R when S's closure does */
		return a->kind == ORIG_ROLE && closure_has(c, b->ref, a->ref);
	default:
		return false;
	}
}

static bool unconditional(const m_rule *r)
{
	return r->contexts.n == 0 && r->objects.n == 0 && r->when == NULL;
}

/* Whether rule a (without conditions) applies to every request that rule b
 * applies to, whatever b's own conditions are. */
static bool rule_covers(const cc *c, const m_rule *a, const m_rule *b)
{
	if (!unconditional(a) || b->origs.n == 0 || a->origs.n == 0)
		return false;
	if ((a->ops & b->ops) != b->ops)
		return false;
	if (a->auth && !b->auth)
		return false;
	for (size_t i = 0; i < b->origs.n; i++) {
		bool covered = false;
		for (size_t j = 0; j < a->origs.n && !covered; j++)
			covered = orig_covers(c, &a->origs.items[j], &b->origs.items[i]);
		if (!covered)
			return false;
	}
	return true;
}

static const char *section_name(bool self)
{
	return self ? "self" : "privileges";
}

/* ---- which rules can cover which ---- */

/* Comparing every rule of a section with every other is quadratic (16,000
 * rules took seconds), so the candidates that may cover a rule come from an
 * index of the possible covering rules of one effect: those without
 * conditions and with originators, by what their originator entries cover.
 * A covering rule must cover each originator of the other rule, so the
 * candidates for any one of them are enough; the rarest one is used. */

typedef struct ref_post {
	uint32_t ref, rule;
} ref_post;
typedef VEC(ref_post) ref_posts;

typedef struct cover_index {
	/* rules with an `all` entry cover every originator and differ only by
	 * authenticated and operations: the first two of each such pair, in
	 * rule order (IMG_NONE when fewer) */
	uint32_t all[2][64][2];
	name_index names;          /* exact-id and glob entries -> rule */
	ref_posts groups, roles;   /* group:/role: entries -> rule */
} cover_index;

/* Candidates come as runs of postings, each sorted by rule, so that the
 * first covering rule of each run is found without merging them. Rules of
 * a glob run still have to match the originator (or, for a glob
 * originator, be the same glob). */
typedef enum run_check { RUN_ANY, RUN_GLOB_MATCH, RUN_SAME_GLOB } run_check;

typedef struct cand_run {
	const name_post *names;    /* rule = names[k].val, or */
	const ref_post *refs;      /* rule = refs[k].rule */
	size_t n;
	run_check check;
} cand_run;
typedef VEC(cand_run) run_vec;

/* Shared by the sections of one lint run. */
typedef struct cover_scratch {
	name_index members;        /* every group member -> its group */
	u32_vec hits;
	run_vec runs, tmp;
	const m_orig *orig;        /* the originator the runs are for */
	cc *c;
} cover_scratch;

static int cmp_ref_post(const void *a, const void *b)
{
	const ref_post *x = a, *y = b;
	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool has_all(const m_rule *r)
{
	for (size_t i = 0; i < r->origs.n; i++)
		if (r->origs.items[i].kind == ORIG_ALL)
			return true;
	return false;
}

static void cover_add(cc *c, cover_index *x, const m_rule *r, uint32_t i)
{
	if (has_all(r)) {
		uint32_t *slot = x->all[r->auth ? 1 : 0][r->ops & 63u];
		if (slot[0] == IMG_NONE)
			slot[0] = i;
		else if (slot[1] == IMG_NONE)
			slot[1] = i;
		return;
	}
	for (size_t k = 0; k < r->origs.n; k++) {
		const m_orig *o = &r->origs.items[k];
		ref_post p = {o->ref, i};
		if (o->kind == ORIG_EXACT || o->kind == ORIG_GLOB)
			name_index_add(c, &x->names, o->name, o->len, i);
		else if (o->kind == ORIG_GROUP && o->ref != IMG_NONE)
			VEC_PUSH_HEAP(c, x->groups, p);
		else if (o->kind == ORIG_ROLE && o->ref != IMG_NONE)
			VEC_PUSH_HEAP(c, x->roles, p);
	}
}

typedef struct coverer {
	const m_rule *r;
	uint32_t i;
} coverer;

/* Orders rules with one originator entry by what they cover: the entry,
 * authenticated, operations. */
static int cmp_coverage(const m_rule *x, const m_rule *y)
{
	const m_orig *p = &x->origs.items[0], *q = &y->origs.items[0];
	if (p->kind != q->kind)
		return p->kind < q->kind ? -1 : 1;
	if (p->kind == ORIG_GROUP || p->kind == ORIG_ROLE) {
		if (p->ref != q->ref)
			return p->ref < q->ref ? -1 : 1;
	} else {
		if (p->len != q->len)
			return p->len < q->len ? -1 : 1;
		int r = memcmp(p->name, q->name, p->len);
		if (r != 0)
			return r;
	}
	if (x->auth != y->auth)
		return x->auth ? 1 : -1;
	if (x->ops != y->ops)
		return x->ops < y->ops ? -1 : 1;
	return 0;
}

static int cmp_single(const void *a, const void *b)
{
	const coverer *x = a, *y = b;
	int r = cmp_coverage(x->r, y->r);
	if (r != 0)
		return r;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Rules with one originator entry and the same authenticated flag and
 * operations cover the same requests. Only the first two of each such set
 * can be reported (the second when the first is the rule being checked;
 * if the first comes later and is equivalent to it, so are the others),
 * so only they are indexed: a policy repeating one originator in thousands
 * of rules would otherwise make every lookup scan them all. */
static void add_coverers(cc *c, cover_index *x, coverer *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(coverer), cmp_single);
	for (size_t k = 0; k < n; k++)
		if (k < 2 || cmp_coverage(v[k].r, v[k - 2].r) != 0)
			cover_add(c, x, v[k].r, v[k].i);
}

static void cover_build(cc *c, cover_index *x, m_rule *const *rules,
                        size_t n, bool deny)
{
	memset(x, 0, sizeof(*x));
	memset(x->all, 0xff, sizeof(x->all)); /* IMG_NONE */
	coverer *single = malloc((n ? n : 1) * sizeof(coverer));
	if (single == NULL) {
		c->oom = true;
		return;
	}
	size_t ns = 0;
	for (size_t i = 0; i < n; i++) {
		const m_rule *r = rules[i];
		if (r->deny != deny || !unconditional(r) || r->origs.n == 0)
			continue;
		if (r->origs.n == 1 && r->origs.items[0].kind != ORIG_ALL)
			single[ns++] = (coverer){r, (uint32_t)i};
		else
			cover_add(c, x, r, (uint32_t)i);
	}
	add_coverers(c, x, single, ns);
	free(single);
	name_index_finish(c, &x->names);
	if (x->groups.n > 1)
		qsort(x->groups.items, x->groups.n, sizeof(ref_post), cmp_ref_post);
	if (x->roles.n > 1)
		qsort(x->roles.items, x->roles.n, sizeof(ref_post), cmp_ref_post);
}

static void cover_free(cover_index *x)
{
	name_index_free(&x->names);
	VEC_FREE(x->groups);
	VEC_FREE(x->roles);
}

/* The postings under ref, as a run into out. */
static void posts_of(cc *c, const ref_posts *p, uint32_t ref, run_vec *out)
{
	if (p->n == 0)
		return; /* no array to point into */
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->items[mid].ref < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < p->n && p->items[end].ref == ref)
		end++;
	cand_run r = {NULL, p->items + lo, end - lo, RUN_ANY};
	if (r.n > 0)
		VEC_PUSH_HEAP(c, *out, r);
}

/* role:R covers role:S when R is S or in S's closure (closure_has). */
static void role_runs(cc *c, const cover_index *x, uint32_t s_ref,
                      run_vec *out)
{
	if (s_ref == IMG_NONE || s_ref >= c->roles.n)
		return;
	const uint64_t *b = c->roles.items[s_ref]->closure;
	if (b == NULL) {
		posts_of(c, &x->roles, s_ref, out);
		return;
	}
	for (size_t w = 0; w < (c->roles.n + 63) / 64; w++)
		for (uint32_t k = 0; k < 64 && (b[w] >> k) != 0; k++)
			if ((b[w] >> k) & 1u)
				posts_of(c, &x->roles, (uint32_t)(w * 64 + k), out);
}

static void push_name_run(void *ctx, const name_post *posts, size_t n,
                          bool exact)
{
	cover_scratch *s = ctx;
	cand_run r = {posts, NULL, n, exact ? RUN_ANY : RUN_GLOB_MATCH};
	VEC_PUSH_HEAP(s->c, s->tmp, r);
}

/* The runs holding every rule of x without an `all` entry that has an
 * entry covering originator o (orig_covers), into s->tmp; returns how many
 * postings they hold. */
static size_t candidate_runs(cc *c, const cover_index *x, cover_scratch *s,
                             const m_orig *o)
{
	s->tmp.n = 0;
	switch (o->kind) {
	case ORIG_EXACT:
		name_index_runs(&x->names, o->name, o->len, push_name_run, s);
		s->hits.n = 0;
		name_index_match(c, &s->members, o->name, o->len, &s->hits);
		for (size_t i = 0; i < s->hits.n; i++)
			posts_of(c, &x->groups, s->hits.items[i], &s->tmp);
		break;
	case ORIG_GLOB: {
		cand_run r = {NULL, NULL, 0, RUN_SAME_GLOB};
		r.names = name_index_glob_run(&x->names, o->name, o->len, &r.n);
		if (r.n > 0)
			VEC_PUSH_HEAP(c, s->tmp, r);
		break;
	}
	case ORIG_GROUP:
		if (o->ref != IMG_NONE)
			posts_of(c, &x->groups, o->ref, &s->tmp);
		break;
	case ORIG_ROLE:
		role_runs(c, x, o->ref, &s->tmp);
		break;
	default:
		break; /* only `all` covers `all` */
	}
	size_t total = 0;
	for (size_t i = 0; i < s->tmp.n; i++)
		total += s->tmp.items[i].n;
	return total;
}

/* Whether posting k of run r is a rule with an entry covering o. */
static bool run_entry_covers(const cand_run *r, size_t k, const m_orig *o)
{
	if (r->names == NULL)
		return true; /* a run without names checks nothing per posting */
	const name_post *p = &r->names[k];
	switch (r->check) {
	case RUN_GLOB_MATCH: {
		pdp_str pat = {p->s, p->len}, text = {o->name, o->len};
		return glob_match(pat, text);
	}
	case RUN_SAME_GLOB:
		return p->len == o->len && memcmp(p->s, o->name, o->len) == 0;
	default:
		return true;
	}
}

/* Whether candidate i may be reported as covering rule j: for a rule of
 * the same effect, of two equivalent rules only the later is reported. */
static bool reportable(const cc *c, m_rule *const *rules, uint32_t i,
                       uint32_t j, bool same_effect)
{
	return !same_effect ||
	       (i != j && (i < j || !rule_covers(c, rules[j], rules[i])));
}

/* The first rule (in rule order) among the `all` rules of x that covers
 * rule j and may be reported, or IMG_NONE. Within one [auth][ops] pair
 * the rules cover the same requests, so the first two decide. */
static uint32_t first_all_cover(const cc *c, const cover_index *x,
                                m_rule *const *rules, uint32_t j,
                                bool same_effect)
{
	const m_rule *b = rules[j];
	uint32_t best = IMG_NONE;
	for (uint32_t auth = 0; auth <= (b->auth ? 1u : 0u); auth++)
		for (uint32_t ops = 0; ops < 64; ops++) {
			if ((ops & b->ops) != b->ops)
				continue;
			const uint32_t *slot = x->all[auth][ops];
			uint32_t i = slot[0] != j ? slot[0] : slot[1];
			if (i != IMG_NONE && i < best &&
			    reportable(c, rules, i, j, same_effect))
				best = i;
		}
	return best;
}

/* The first rule (in rule order) of x that covers rule j and may be
 * reported, or IMG_NONE. */
static uint32_t first_cover(cc *c, const cover_index *x, cover_scratch *s,
                            m_rule *const *rules, uint32_t j,
                            bool same_effect)
{
	const m_rule *b = rules[j];
	if (b->origs.n == 0)
		return IMG_NONE;
	uint32_t best = first_all_cover(c, x, rules, j, same_effect);
	size_t fewest = SIZE_MAX;
	for (size_t k = 0; k < b->origs.n && fewest > 0; k++) {
		size_t count = candidate_runs(c, x, s, &b->origs.items[k]);
		if (count < fewest) {
			run_vec t = s->runs;
			s->runs = s->tmp;
			s->tmp = t;
			s->orig = &b->origs.items[k];
			fewest = count;
		}
	}
	for (size_t r = 0; r < s->runs.n && fewest > 0; r++) {
		const cand_run *run = &s->runs.items[r];
		for (size_t k = 0; k < run->n; k++) {
			uint32_t i = run->names ? run->names[k].val
			                        : run->refs[k].rule;
			if (i >= best)
				break;
			if (run_entry_covers(run, k, s->orig) &&
			    rule_covers(c, rules[i], b) &&
			    reportable(c, rules, i, j, same_effect)) {
				best = i;
				break;
			}
		}
	}
	return best;
}

/* ---- rules of one ACP section ---- */

/* W-DEAD-PERMIT and W-REDUNDANT within one section (privileges or self;
 * rules of different sections never meet in a decision). A permit that a
 * deny always overrides is reported as dead and not also as redundant, so
 * each rule gets at most one of the two. The cover indexes keep the
 * comparison of every rule with every other from being quadratic. */
static void lint_section(cc *c, const m_acp *a, m_rule *const *rules,
                         size_t n, cover_scratch *s)
{
	cover_index deny, permit;
	cover_build(c, &deny, rules, n, true);
	cover_build(c, &permit, rules, n, false);
	for (uint32_t j = 0; j < n && !c->oom; j++) {
		const m_rule *b = rules[j];
		/* a permit rule that an unconditional deny rule always
		 * overrides */
		uint32_t i = b->deny ? IMG_NONE
		                     : first_cover(c, &deny, s, rules, j, false);
		if (i != IMG_NONE) {
			const m_rule *d = rules[i];
			char hint[160];
			snprintf(hint, sizeof(hint),
			         "deny rule %u (line %u) matches every request "
			         "this rule matches; remove one or narrow the "
			         "deny rule",
			         d->index, d->pos.line);
			cc_report(c, b->pos, DIAG_W_DEAD_PERMIT, hint,
			          "permit rule %u of '%s' %s can never grant: "
			          "deny rule %u always overrides it",
			          b->index, a->id, section_name(b->self), d->index);
			continue;
		}
		/* a rule whose every match another rule of the same effect
		 * already makes */
		i = first_cover(c, b->deny ? &deny : &permit, s, rules, j, true);
		if (i == IMG_NONE)
			continue;
		const m_rule *o = rules[i];
		char hint[160];
		snprintf(hint, sizeof(hint),
		         "rule %u (line %u) already %s everything this rule "
		         "matches; remove this rule or narrow rule %u",
		         o->index, o->pos.line, o->deny ? "denies" : "grants",
		         o->index);
		cc_report(c, b->pos, DIAG_W_REDUNDANT, hint,
		          "rule %u of '%s' %s is redundant: it is subsumed by "
		          "rule %u",
		          b->index, a->id, section_name(b->self), o->index);
	}
	cover_free(&deny);
	cover_free(&permit);
}

/* ---- regular expressions ---- */

#define RX_MAX_DEPTH 64
#define RX_MAX_ALTS 16

typedef struct rx_frame {
	size_t open;           /* offset of '(' */
	size_t body;           /* offset of the first byte of the body */
	bool inner_unbounded;  /* an unbounded quantifier inside */
	bool atomic;           /* (?>...) or a lookaround: no backtracking into */
	size_t alts[RX_MAX_ALTS];
	size_t n_alts;
	bool alts_overflow;
} rx_frame;

/* Whether the pattern at p (length n) begins an unbounded quantifier
 * (*, +, {n,}); *qlen receives its length without a possessive '+'. */
static bool rx_unbounded_quant(const char *p, size_t n, size_t *qlen)
{
	if (n == 0)
		return false;
	if (p[0] == '*' || p[0] == '+') {
		*qlen = 1;
		return true;
	}
	if (p[0] != '{')
		return false;
	size_t i = 1;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i == 1 || i >= n || p[i] != ',')
		return false;
	i++;
	if (i < n && p[i] == '}') {
		*qlen = i + 1;
		return true;
	}
	return false;
}

/* Skip a character class starting at p[i] == '['; returns the offset after
 * its closing ']'. */
static size_t rx_skip_class(const char *p, size_t n, size_t i)
{
	i++;
	if (i < n && p[i] == '^')
		i++;
	if (i < n && p[i] == ']')
		i++;
	while (i < n && p[i] != ']') {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '[' && i + 1 < n && p[i + 1] == ':') {
			const char *e = memchr(p + i + 2, ']', n - i - 2);
			if (e != NULL)
				i = (size_t)(e - p);
		}
		i++;
	}
	return i < n ? i + 1 : n;
}

/* Two alternatives of a group that are the same text: (a|a)*. */
static bool rx_same_alts(const char *p, const rx_frame *f, size_t close)
{
	if (f->n_alts == 0 || f->alts_overflow)
		return false;
	size_t starts[RX_MAX_ALTS + 1], ends[RX_MAX_ALTS + 1];
	size_t k = 0;
	starts[0] = f->body;
	for (size_t i = 0; i < f->n_alts; i++) {
		ends[k] = f->alts[i];
		starts[++k] = f->alts[i] + 1;
	}
	ends[k] = close;
	for (size_t x = 0; x <= k; x++)
		if (starts[x] > ends[x])
			return false; /* not a plain group body */
	for (size_t x = 0; x <= k; x++)
		for (size_t y = 0; y < x; y++)
			if (ends[x] - starts[x] == ends[y] - starts[y] &&
			    memcmp(p + starts[x], p + starts[y],
			           ends[x] - starts[x]) == 0)
				return true;
	return false;
}

/* The kind of a "(?" group whose text after "(?" starts at k: sets the
 * body start and whether backtracking can enter it. */
static void rx_group_kind(const char *p, size_t n, size_t k, rx_frame *f)
{
	if (k >= n)
		return;
	char ch = p[k];
	if (ch == '>' || ch == '=' || ch == '!') {
		f->atomic = true; /* atomic group or lookahead */
		f->body = k + 1;
	} else if (ch == '<' && k + 1 < n && (p[k + 1] == '=' || p[k + 1] == '!')) {
		f->atomic = true; /* lookbehind */
		f->body = k + 2;
	} else if (ch == '<' || ch == '\'' || ch == 'P') {
		while (k < n && p[k] != '>' && !(p[k] == '\'' && k > f->open + 2))
			k++;
		f->body = k < n ? k + 1 : n; /* named group */
	} else {
		while (k < n && p[k] != ':' && p[k] != ')')
			k++;
		f->body = k < n ? k + 1 : n; /* (?:...), (?i:...), (?i) */
	}
}

/* Find a quantified group whose body can repeat ambiguously: a nested
 * unbounded quantifier ((a+)+, (a*)*, (\w+\s?)*) or two equal
 * alternatives ((a|a)*). Returns the offset of the group's '(' or -1. */
static long rx_catastrophic(const char *p, size_t n, const char **why)
{
	rx_frame st[RX_MAX_DEPTH];
	size_t depth = 0;
	rx_frame last;       /* the group that just closed */
	memset(&last, 0, sizeof(last));
	bool last_is_group = false;
	for (size_t i = 0; i < n;) {
		char ch = p[i];
		size_t qlen = 0;
		if (rx_unbounded_quant(p + i, n - i, &qlen)) {
			bool possessive = i + qlen < n && p[i + qlen] == '+';
			if (last_is_group && !last.atomic && !possessive &&
			    last.inner_unbounded) {
				*why = "a quantified group holds another unbounded "
				       "quantifier";
				return (long)last.open;
			}
			/* a possessive repetition gives nothing back, so it
			 * cannot be split between iterations */
			if (depth > 0 && !possessive)
				st[depth - 1].inner_unbounded = true;
			last_is_group = false;
			i += qlen + (possessive ? 1 : 0);
			continue;
		}
		last_is_group = false;
		if (ch == '\\') {
			if (i + 1 < n && p[i + 1] == 'Q') {
				const char *e = NULL;
				for (size_t k = i + 2; k + 1 < n && e == NULL; k++)
					if (p[k] == '\\' && p[k + 1] == 'E')
						e = p + k;
				i = e ? (size_t)(e - p) + 2 : n;
				continue;
			}
			i += 2;
			continue;
		}
		if (ch == '[') {
			i = rx_skip_class(p, n, i);
			continue;
		}
		if (ch == '(') {
			if (depth == RX_MAX_DEPTH)
				return -1;
			rx_frame *f = &st[depth++];
			memset(f, 0, sizeof(*f));
			f->open = i;
			f->body = i + 1;
			if (i + 1 < n && p[i + 1] == '?')
				rx_group_kind(p, n, i + 2, f);
			i++;
			continue;
		}
		if (ch == '|') {
			if (depth > 0) {
				rx_frame *f = &st[depth - 1];
				if (f->n_alts < RX_MAX_ALTS)
					f->alts[f->n_alts++] = i;
				else
					f->alts_overflow = true;
			}
			i++;
			continue;
		}
		if (ch == ')') {
			if (depth == 0)
				return -1;
			last = st[--depth];
			last_is_group = true;
			i++;
			size_t ql;
			bool quant = rx_unbounded_quant(p + i, n - i, &ql);
			bool poss = quant && i + ql < n && p[i + ql] == '+';
			if (quant && !poss && !last.atomic &&
			    rx_same_alts(p, &last, i - 1)) {
				*why = "a quantified group has two equal "
				       "alternatives";
				return (long)last.open;
			}
			/* a group holding an unbounded quantifier makes its
			 * parent hold one too */
			if (last.inner_unbounded && depth > 0)
				st[depth - 1].inner_unbounded = true;
			continue;
		}
		i++;
	}
	return -1;
}

static bool rx_literal(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
	       ch == '/' || ch == ':' || ch == '@' || ch == '#' || ch == '%' ||
	       ch == '=' || ch == ',' || ch == ';' || ch == '~' || ch == '&' ||
	       ch == '!' || ch == '"' || ch == '\'' || ch == '<' || ch == '>';
}

/* A pattern that can never match: without alternation (so every anchor is
 * on the one path), an end anchor ($, \z, \Z) followed by a character that
 * must be consumed, or a start anchor (^, \A) after one. Returns the offset
 * of the anchor or -1. */
static long rx_never(const char *p, size_t n)
{
	bool seen_literal = false;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (ch == '[') {
			size_t e = rx_skip_class(p, n, i);
			i = e - 1;
			seen_literal = true;
			continue;
		}
		if (ch == '|')
			return -1;
		if (ch == '\\' && i + 1 < n) {
			char e = p[i + 1];
			if (e == 'z' || e == 'Z') {
				if (i + 2 < n && (rx_literal(p[i + 2]) ||
				                  (p[i + 2] == '\\' && i + 3 < n &&
				                   (p[i + 3] == 'd' || p[i + 3] == 'w'))))
					return (long)i;
			} else if (e == 'A') {
				if (seen_literal)
					return (long)i;
			} else
				seen_literal = true;
			i++;
			continue;
		}
		if (ch == '$') {
			if (i + 1 < n && rx_literal(p[i + 1]))
				return (long)i;
			continue;
		}
		if (ch == '^') {
			if (seen_literal)
				return (long)i;
			continue;
		}
		if (ch == '(' || ch == ')' || ch == '?' || ch == '*' ||
		    ch == '+' || ch == '{' || ch == '}' || ch == '.')
		{
			/* a group, or a quantifier that may make the previous
			 * atom optional: stop trusting seen_literal */
			if (ch == '?' || ch == '*' || ch == '{')
				seen_literal = false;
			if (ch == '.')
				seen_literal = true;
			if (ch == '(' && i + 1 < n && p[i + 1] == '?')
				return -1; /* lookarounds and flags: give up */
			continue;
		}
		seen_literal = true;
	}
	return -1;
}

/* ---- patterns whose search time grows faster than the value ----
 * Every start position of an unanchored search runs the pattern again, so
 * work that one position does in time linear in the value adds up to a
 * square; the step budget then makes such tests indeterminate on long
 * values (docs/limits.md). */

/* The end of the atom starting at p[i]: an escape (with its {...}
 * argument), a class, a group (to its closing parenthesis) or one byte. */
static size_t rx_atom_end(const char *p, size_t n, size_t i)
{
	if (p[i] == '[')
		return rx_skip_class(p, n, i);
	if (p[i] == '\\') {
		size_t e = i + 2;
		if (e < n && p[e] == '{' && memchr("xopPgkN", p[i + 1], 7)) {
			const char *c = memchr(p + e, '}', n - e);
			e = c ? (size_t)(c - p) + 1 : n;
		}
		return e < n ? e : n;
	}
	if (p[i] != '(')
		return i + 1;
	size_t depth = 0;
	for (size_t k = i; k < n;) {
		if (p[k] == '\\') {
			k += 2;
			continue;
		}
		if (p[k] == '[') {
			k = rx_skip_class(p, n, k);
			continue;
		}
		if (p[k] == '(')
			depth++;
		else if (p[k] == ')' && --depth == 0)
			return k + 1;
		k++;
	}
	return n;
}

/* The length of the quantifier at p (0 if none) with its lazy or
 * possessive suffix; *unbounded when it has no upper bound. */
static size_t rx_quant(const char *p, size_t n, bool *unbounded)
{
	size_t q = 0;
	*unbounded = rx_unbounded_quant(p, n, &q);
	if (!*unbounded && n > 0 && p[0] == '?')
		q = 1;
	else if (!*unbounded && n > 0 && p[0] == '{') {
		size_t i = 1;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i > 1 && i < n && p[i] == ',')
			for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
				;
		q = i > 1 && i < n && p[i] == '}' ? i + 1 : 0;
	}
	if (q > 0 && q < n && (p[q] == '+' || p[q] == '?'))
		q++;
	return q;
}

/* Whether p[from..to) holds an unbounded quantifier (outside classes). */
static bool rx_has_unbounded(const char *p, size_t from, size_t to)
{
	for (size_t k = from; k < to;) {
		size_t q;
		if (p[k] == '\\')
			k += 2;
		else if (p[k] == '[')
			k = rx_skip_class(p, to, k);
		else if (k > from && p[k - 1] != '(' &&
		         rx_unbounded_quant(p + k, to - k, &q))
			return true;
		else
			k++;
	}
	return false;
}

/* Which kinds of byte an atom can match, as bits: digit, letter,
 * underscore, space, newline, other; 0 when the heuristic cannot tell. */
enum { RX_D = 1, RX_L = 2, RX_U = 4, RX_S = 8, RX_N = 16, RX_P = 32, RX_ALL = 63 };

static unsigned rx_kinds(const char *a, size_t n)
{
	if (n == 1 && a[0] == '.')
		return RX_ALL;
	if (n == 1) {
		unsigned char ch = (unsigned char)a[0];
		return ch >= '0' && ch <= '9' ? RX_D
		       : (ch | 32) >= 'a' && (ch | 32) <= 'z' ? RX_L
		       : ch == '_' ? RX_U : ch == ' ' || ch == '\t' ? RX_S
		       : ch == '\n' ? RX_N : RX_P;
	}
	if (n != 2 || a[0] != '\\')
		return 0;
	switch (a[1]) {
	case 'd': return RX_D;
	case 'w': return RX_D | RX_L | RX_U;
	case 's': return RX_S | RX_N;
	case 'h': return RX_S;
	case 'v': return RX_N;
	case 'D': return RX_ALL & ~(unsigned)RX_D;
	case 'W': return RX_S | RX_N | RX_P;
	case 'S': return RX_ALL & ~(unsigned)(RX_S | RX_N);
	case 'H': return RX_ALL & ~(unsigned)RX_S;
	case 'V': case 'N': return RX_ALL & ~(unsigned)RX_N;
	default: return 0;
	}
}

/* Two repeated atoms that can match the same bytes: the same text, or
 * kinds that meet (two different literal bytes never do). */
static bool rx_overlap(const char *a, size_t an, const char *b, size_t bn)
{
	if (an == bn && memcmp(a, b, an) == 0)
		return true;
	if (an == 1 && bn == 1 && a[0] != '.' && b[0] != '.')
		return false;
	return (rx_kinds(a, an) & rx_kinds(b, bn)) != 0;
}

static bool rx_is_lookaround(const char *a, size_t n)
{
	return n >= 3 && a[0] == '(' && a[1] == '?' &&
	       (a[2] == '=' || a[2] == '!' ||
	        (n >= 4 && a[2] == '<' && (a[3] == '=' || a[3] == '!')));
}

/* Whether an alternative starting at p[i] can only match at the start:
 * after option settings such as (?i), a ^, \A or \G, or a leading .*
 * (`.` matches every byte, so PCRE2 tries it at the start only). */
static bool rx_anchored_at(const char *p, size_t n, size_t i)
{
	while (i + 1 < n && p[i] == '(' && p[i + 1] == '?') {
		size_t e = rx_atom_end(p, n, i), k = i + 2;
		while (k < e && p[k] != ')' && p[k] != ':')
			k++;
		if (k + 1 != e)
			break; /* not a bare (?flags) */
		i = e;
	}
	if (i >= n)
		return false;
	if (p[i] == '^')
		return true;
	if (p[i] == '\\' && i + 1 < n && (p[i + 1] == 'A' || p[i + 1] == 'G'))
		return true;
	return p[i] == '.' && i + 1 < n && p[i + 1] == '*';
}

static bool rx_end_anchor_at(const char *p, size_t n, size_t i)
{
	size_t e = i < n && p[i] == '$' ? i + 1
	           : i + 1 < n && p[i] == '\\' && p[i + 1] == 'z' ? i + 2 : 0;
	return e > 0 && (e == n || p[e] == '|' || p[e] == ')');
}

/* Find, at the top level of the pattern, a repetition right before the
 * end anchor or a lookaround holding a repetition in an alternative not
 * anchored at the start, or two adjacent overlapping repetitions. Returns
 * the offset of the atom or -1, with why and a hint. */
static long rx_slow(const char *p, size_t n, const char **why,
                    const char **hint)
{
	bool anchored = rx_anchored_at(p, n, 0);
	size_t prev = 0, prev_end = 0; /* the previous repeated atom */
	bool have_prev = false;
	for (size_t i = 0; i < n;) {
		if (p[i] == '|') {
			anchored = rx_anchored_at(p, n, i + 1);
			have_prev = false;
			i++;
			continue;
		}
		size_t e = rx_atom_end(p, n, i);
		bool unbounded;
		size_t q = rx_quant(p + e, n - e, &unbounded);
		if (!anchored && rx_is_lookaround(p + i, e - i) &&
		    rx_has_unbounded(p, i, e)) {
			*why = "a lookaround holding a repetition runs again at "
			       "every start position";
			*hint = "anchor the pattern with ^ before the lookaround";
			return (long)i;
		}
		if (unbounded && !anchored && rx_end_anchor_at(p, n, e + q)) {
			*why = "a repetition before the end anchor is scanned "
			       "again from every start position";
			*hint = "anchor the pattern with ^, or test only the last "
			        "character (\\s$ rather than \\s+$)";
			return (long)i;
		}
		if (unbounded && have_prev &&
		    rx_overlap(p + prev, prev_end - prev, p + i, e - i)) {
			*why = "two adjacent repetitions can share the same text "
			       "in many ways";
			*hint = "merge them into one repetition, or make the "
			        "first possessive (a++)";
			return (long)prev;
		}
		have_prev = unbounded;
		prev = i;
		prev_end = e;
		i = e + q;
	}
	return -1;
}

static srcpos pattern_pos(const m_cond *k, long off)
{
	srcpos p = k->rhs_pos;
	if (k->rhs_node != NULL && !k->rhs_node->plain)
		p.col++;
	p.col += (uint32_t)off;
	return p;
}

static void lint_cond(cc *c, const m_cond *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->kids.n; i++)
		lint_cond(c, k->kids.items[i]);
	if (k->op != COP_MATCHES || k->rhs_kind != RHS_REGEX || k->s == NULL)
		return;
	const char *why = NULL;
	const char *hint = "make the inner repetition unambiguous, or use a "
	                   "possessive quantifier (a++) or an atomic group "
	                   "(?>...)";
	long off = rx_catastrophic(k->s, k->slen, &why);
	if (off < 0)
		off = rx_slow(k->s, k->slen, &why, &hint);
	if (off >= 0)
		cc_report(c, pattern_pos(k, off), DIAG_W_REGEX_BACKTRACK,
		          hint,
		          "regex '%s' is slow on long values: %s; matching can "
		          "exhaust its step budget and make the test indeterminate",
		          k->s, why);
	off = rx_never(k->s, k->slen);
	if (off >= 0)
		cc_report(c, pattern_pos(k, off), DIAG_W_REGEX_NEVER,
		          "an anchor ($, ^, \\A, \\z) stands where text must follow "
		          "or precede it; move or remove it, or escape it (\\$) if "
		          "a literal was meant",
		          "regex '%s' can never match", k->s);
}

/* ---- one rule ---- */

/* The warnings one rule earns alone, without looking at the others: names
 * that look like a group or role but match as ids, deny rules an
 * originator can escape, contexts that never or always hold, rules that
 * grant everything or never apply, and the checks of its `when`. */
static void lint_rule(cc *c, const m_acp *a, const m_rule *r)
{
	for (size_t i = 0; i < r->origs.n; i++) {
		const m_orig *o = &r->origs.items[i];
		if (o->kind == ORIG_EXACT && !o->native &&
		    resolve_find_group(c, o->name, o->len) != IMG_NONE)
			cc_report(c, o->pos, DIAG_W_GROUP_LOOKALIKE,
			          "write group:NAME to refer to the group",
			          "originator '%.*s' is the name of a group but is "
			          "matched as an exact originator id",
			          (int)o->len, o->name);
		else if (o->kind == ORIG_EXACT && !o->native &&
		         resolve_find_role(c, o->name, o->len) != IMG_NONE)
			cc_report(c, o->pos, DIAG_W_ROLE_LOOKALIKE,
			          "write role:NAME to refer to the role",
			          "originator '%.*s' is the name of a role but is "
			          "matched as an exact originator id",
			          (int)o->len, o->name);
		if (o->kind == ORIG_ROLE && r->deny)
			cc_warn(c, o->pos, DIAG_W_DENY_ROLE,
			        "deny rule on role:%.*s applies only while the role "
			        "is active; an originator can leave it inactive",
			        (int)o->len, o->name);
	}
	for (size_t i = 0; i < r->contexts.n; i++) {
		const m_context *x = &r->contexts.items[i];
		for (size_t j = 0; j < x->cidrs.n; j++)
			if (x->cidrs.items[j].host_bits)
				cc_warn(c, x->cidrs.items[j].pos, DIAG_W_CIDR_HOST_BITS,
				        "CIDR has host bits set; it is used as its "
				        "network address");
		for (size_t j = 0; j < x->windows.n; j++)
			if (sched_never_matches(&x->windows.items[j].s))
				cc_warn(c, x->windows.items[j].pos, DIAG_W_SCHED_NEVER,
				        "schedule '%s' can never match",
				        x->windows.items[j].src);
	}
	bool any = false;
	for (size_t i = 0; i < r->origs.n; i++)
		any |= r->origs.items[i].kind == ORIG_ALL;
	if (any && !r->deny && r->ops == PDP_OP_ALL && r->contexts.n == 0 &&
	    r->objects.n == 0 && r->when == NULL && !r->auth)
		cc_warn(c, r->pos, DIAG_W_BROAD,
		        "rule %u of '%s' grants every operation to all "
		        "originators without any condition",
		        r->index, a->id);
	if (r->origs.n == 0)
		cc_warn(c, r->pos, DIAG_W_NO_ORIGINATOR,
		        "rule has no originators and never applies");
	lint_cond(c, r->when);
}

/* ---- self privileges ---- */

/* W-SELF-LOCKOUT: a request on the ACP resource itself is decided by the
 * self rules alone (docs/language.md section 11), so an ACP with no self
 * rule permitting update, or with one that denies it to all, cannot be
 * changed by anyone once it is in place. */
static void lint_self(cc *c, const m_acp *a)
{
	if (a->priv.n == 0 && a->self.n == 0)
		return; /* W-EMPTY-ACP says it */
	if (a->self.n == 0) {
		cc_report(c, a->pos, DIAG_W_SELF_LOCKOUT,
		          a->native ? "add a pvs rule for the administrator, e.g. "
		                    "{acor: [CAE-admin], acop: 63}"
		                  : "add self: [{originators: [CAE-admin], "
		                    "operations: all}]",
		        "ACP '%s' has no self rules: nobody can retrieve, update "
		        "or delete the ACP itself",
		        a->id);
		return;
	}
	bool permit_update = false;
	for (size_t i = 0; i < a->self.n; i++) {
		const m_rule *r = a->self.items[i];
		permit_update |= !r->deny && r->origs.n > 0 &&
		                 (r->ops & PDP_OP_UPDATE) != 0;
	}
	if (!permit_update) {
		cc_report(c, a->self.items[0]->pos, DIAG_W_SELF_LOCKOUT,
		          "give one administrator a permit self rule with update",
		          "no self rule of ACP '%s' permits update: nobody can "
		          "change the ACP itself",
		          a->id);
		return;
	}
	for (size_t i = 0; i < a->self.n; i++) {
		const m_rule *r = a->self.items[i];
		bool all = false;
		for (size_t j = 0; j < r->origs.n; j++)
			all |= r->origs.items[j].kind == ORIG_ALL;
		if (r->deny && all && unconditional(r) && !r->auth &&
		    (r->ops & PDP_OP_UPDATE) != 0) {
			cc_report(c, r->pos, DIAG_W_SELF_LOCKOUT,
			          "narrow the deny rule's originators or operations",
			          "self deny rule %u of ACP '%s' denies update to "
			          "everyone: nobody can change the ACP itself",
			          r->index, a->id);
			return;
		}
	}
}

/* ---- roles, groups, constraints ---- */

/* Names of the constraint's roles held by the closure of role r; returns
 * how many. */
static uint32_t held_roles(const cc *c, const m_constraint *k, uint32_t r,
                           char *buf, size_t size)
{
	uint32_t count = 0;
	size_t o = 0;
	buf[0] = '\0';
	for (size_t m = 0; m < k->roles.n; m++) {
		uint32_t x = k->roles.items[m].ref;
		if (x == IMG_NONE || !closure_has(c, r, x))
			continue;
		count++;
		if (o < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%s",
			                      count > 1 ? ", " : "",
			                      k->roles.items[m].name);
	}
	return count;
}

/* Whether anybody is authorized for role r (assigned r or a senior). */
static bool role_authorized(const cc *c, uint32_t r)
{
	for (size_t i = 0; i < c->assigns.n; i++) {
		const m_assign *a = c->assigns.items[i];
		for (size_t j = 0; j < a->roles.n; j++)
			if (closure_has(c, a->roles.items[j].ref, r))
				return true;
	}
	return false;
}

static void lint_constraints(cc *c)
{
	for (size_t i = 0; i < c->constraints.n; i++) {
		const m_constraint *k = c->constraints.items[i];
		if (k->n < 2)
			continue;
		for (uint32_t r = 0; r < c->roles.n; r++) {
			const m_role *role = c->roles.items[r];
			if (role->closure == NULL)
				continue;
			char held[400];
			uint32_t count = held_roles(c, k, r, held, sizeof(held));
			if (count < k->n)
				continue;
			if (k->dsd) {
				cc_report(c, role->pos,
				          DIAG_W_DSD_ROLE_NEVER,
				          "activating a role activates its juniors; "
				          "change the hierarchy or the constraint",
				          "role '%s' can never be activated: its closure "
				          "holds %u roles of DSD constraint '%s' (%s), "
				          "the limit is fewer than %u",
				          role->name, count, k->name, held, k->n);
			} else if (!role_authorized(c, r)) {
				cc_report(c, role->pos,
				          DIAG_W_SSD_UNASSIGNED,
				          "assigning it to anybody is an E-SSD error; "
				          "change the hierarchy or the constraint",
				          "role '%s' can never be assigned: its closure "
				          "holds %u roles of SSD constraint '%s' (%s), "
				          "the limit is fewer than %u",
				          role->name, count, k->name, held, k->n);
			}
		}
	}
}

/* W-UNUSED for roles and groups (attributes are marked while resolving
 * `when`): marks every one that something names (a rule, an inherits
 * list, an assignment, a constraint), then reports the rest. A junior
 * counts as used by its seniors; a senior that nothing names is unused
 * even though it inherits. */
static void lint_unused(cc *c)
{
	size_t nr = c->roles.n, ng = c->groups.n;
	bool *role_used = calloc(nr + 1, 1), *group_used = calloc(ng + 1, 1);
	if (role_used == NULL || group_used == NULL) {
		free(role_used);
		free(group_used);
		c->oom = true;
		return;
	}
#define MARK_ROLE(ref)                                                     \
	do {                                                               \
		if ((ref) != IMG_NONE && (ref) < nr)                       \
			role_used[(ref)] = true;                           \
	} while (0)
	for (size_t i = 0; i < nr; i++) {
		const m_role *r = c->roles.items[i];
		/* a junior is used by its seniors; a senior that nothing
		 * names is unused even though it inherits */
		for (size_t j = 0; j < r->inherits.n; j++)
			MARK_ROLE(r->inherits.items[j].ref);
	}
	for (size_t i = 0; i < c->assigns.n; i++)
		for (size_t j = 0; j < c->assigns.items[i]->roles.n; j++)
			MARK_ROLE(c->assigns.items[i]->roles.items[j].ref);
	for (size_t i = 0; i < c->constraints.n; i++)
		for (size_t j = 0; j < c->constraints.items[i]->roles.n; j++)
			MARK_ROLE(c->constraints.items[i]->roles.items[j].ref);
	rule_iter it = {0, 0, 0};
	for (const m_rule *r; (r = rule_next(c, &it)) != NULL;)
		for (size_t k = 0; k < r->origs.n; k++) {
			const m_orig *o = &r->origs.items[k];
			if (o->kind == ORIG_ROLE)
				MARK_ROLE(o->ref);
			else if (o->kind == ORIG_GROUP && o->ref < ng)
				group_used[o->ref] = true;
		}
#undef MARK_ROLE
	for (size_t i = 0; i < nr; i++)
		if (!role_used[i])
			cc_report(c, c->roles.items[i]->pos, DIAG_W_UNUSED,
			          "remove it, or use it in a rule (role:NAME) or an "
			          "assignment",
			          "role '%s' is declared but never used",
			          c->roles.items[i]->name);
	for (size_t i = 0; i < ng; i++)
		if (!group_used[i])
			cc_report(c, c->groups.items[i]->pos, DIAG_W_UNUSED,
			          "remove it, or refer to it as group:NAME",
			          "group '%s' is declared but never used",
			          c->groups.items[i]->name);
	free(role_used);
	free(group_used);
}

void lint_policy(cc *c)
{
	cover_scratch s;
	memset(&s, 0, sizeof(s));
	s.c = c;
	for (size_t g = 0; g < c->groups.n; g++) {
		const m_group *gr = c->groups.items[g];
		for (size_t m = 0; m < gr->members.n; m++)
			name_index_add(c, &s.members, gr->members.items[m].name,
			               strlen(gr->members.items[m].name),
			               (uint32_t)g);
	}
	name_index_finish(c, &s.members);
	for (size_t i = 0; i < c->acps.n; i++) {
		const m_acp *a = c->acps.items[i];
		if (a->priv.n == 0 && a->self.n == 0)
			cc_warn(c, a->pos, DIAG_W_EMPTY_ACP,
			        "ACP '%s' has no rules: it denies everything", a->id);
		for (size_t j = 0; j < a->priv.n; j++)
			lint_rule(c, a, a->priv.items[j]);
		for (size_t j = 0; j < a->self.n; j++)
			lint_rule(c, a, a->self.items[j]);
		lint_section(c, a, a->priv.items, a->priv.n, &s);
		lint_section(c, a, a->self.items, a->self.n, &s);
		lint_self(c, a);
	}
	name_index_free(&s.members);
	VEC_FREE(s.hits);
	VEC_FREE(s.runs);
	VEC_FREE(s.tmp);
	lint_constraints(c);
	for (size_t i = 0; i < c->attrs.n; i++)
		if (!c->attrs.items[i]->used)
			cc_warn(c, c->attrs.items[i]->pos, DIAG_W_UNUSED,
			        "attribute '%s' is declared but never used",
			        c->attrs.items[i]->name);
	lint_unused(c);
}
