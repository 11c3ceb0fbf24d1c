/*
 * diff.c - the difference of two policy images as grant changes (diff.h).
 *
 * How it stays fast at L (10,000 ACPs, 100,000 ids): each ACP is reduced to
 * a canonical text (its rules' effects, operations, originators and
 * conditions); only ACPs whose text differs are compared subject by
 * subject, and only for the ids they name. When declarations differ too,
 * the ids and roles whose context changed (authorized roles, groups they
 * are in, constraints) are compared on every other ACP as well. What a
 * subject is granted always comes from the audit queries (perms.c), the
 * same code `pdp audit` uses.
 */
#include "audit/diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"
#include "common/prims.h"
#include "eval/match.h"

/* ---- string vectors ---- */

/* Room for element n of the array whose pointer is at slot (a T ** passed
 * as void *, *cap elements of elem bytes): the capacity doubles from
 * first. False when out of memory (the array is kept). The pointer is
 * read and written through memcpy so that any T works without aliasing
 * casts. */
static bool grow(void *slot, size_t n, size_t *cap, size_t elem, size_t first)
{
	if (n < *cap)
		return true;
	void *old;
	memcpy(&old, slot, sizeof(old));
	size_t c = *cap ? *cap * 2 : first;
	void *v = realloc(old, c * elem);
	if (v == NULL)
		return false;
	memcpy(slot, &v, sizeof(v));
	*cap = c;
	return true;
}

typedef struct strvec {
	char **v;
	size_t n, cap;
	bool oom;
} strvec;

static void sv_push_n(strvec *s, const char *p, size_t len)
{
	if (s->oom)
		return;
	if (!grow(&s->v, s->n, &s->cap, sizeof(*s->v), 16)) {
		s->oom = true;
		return;
	}
	char *d = malloc(len + 1);
	if (d == NULL) {
		s->oom = true;
		return;
	}
	if (len > 0)
		memcpy(d, p, len);
	d[len] = '\0';
	s->v[s->n++] = d;
}

/* Push p itself (malloc'd; freed here when it cannot be kept). */
static void sv_push_owned(strvec *s, char *p)
{
	if (!s->oom && !grow(&s->v, s->n, &s->cap, sizeof(*s->v), 16))
		s->oom = true;
	if (s->oom) {
		free(p);
		return;
	}
	s->v[s->n++] = p;
}

static void sv_push(strvec *s, const char *p)
{
	sv_push_n(s, p, strlen(p));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop duplicates. */
static void sv_uniq(strvec *s)
{
	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	size_t k = 1;
	for (size_t i = 1; i < s->n; i++) {
		if (strcmp(s->v[i], s->v[k - 1]) == 0)
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
}

static void sv_free(strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* Lines joined with sep, malloc'd. */
static char *sv_join(const strvec *s, const char *sep)
{
	size_t len = 1;
	for (size_t i = 0; i < s->n; i++)
		len += strlen(s->v[i]) + strlen(sep);
	char *out = malloc(len);
	if (out == NULL)
		return NULL;
	out[0] = '\0';
	char *p = out;
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0)
			p = stpcpy(p, sep);
		p = stpcpy(p, s->v[i]);
	}
	return out;
}

uint32_t pdiff_principal_count(const pdp_image *img)
{
	return img->count[SEC_PRINCIPALS];
}

pdp_str pdiff_principal_name(const pdp_image *img, uint32_t i)
{
	return img_str(img, img_rec(img, SEC_PRINCIPALS, i)[0]);
}

/* ---- texts of rules ---- */

static void put_str(FILE *f, pdp_str s)
{
	fwrite(s.ptr, 1, s.len, f);
}

/* The residual conditions of rule for op, in policy syntax. */
static void cond_text(FILE *f, const pdp_image *img, uint32_t rule,
                      uint32_t op)
{
	uint32_t bits = pdp_audit_rule_conditions(img, rule, op);
	if (bits & PDP_AUDIT_COND_NEVER) {
		fputs("never", f);
		return;
	}
	if (bits == 0) {
		fputs("always", f);
		return;
	}
	bool first = true;
	for (uint32_t part = 1; part <= PDP_AUDIT_COND_WHEN; part <<= 1) {
		if (!(bits & part))
			continue;
		size_t n = pdp_audit_format_condition(img, rule, part, NULL, 0);
		char *buf = malloc(n + 1);
		if (buf == NULL)
			continue;
		pdp_audit_format_condition(img, rule, part, buf, n + 1);
		fprintf(f, "%s%s", first ? "" : ", ", buf);
		free(buf);
		first = false;
	}
}

static void originators_text(FILE *f, const pdp_image *img, uint32_t rule,
                             uint32_t n)
{
	fputc('[', f);
	for (uint32_t i = 0; i < n; i++) {
		pdp_audit_originator o;
		if (pdp_audit_rule_originator(img, rule, i, &o) != PDP_OK)
			continue;
		fputs(i ? ", " : "", f);
		if (o.kind == PDP_AUDIT_VIA_GROUP)
			fputs("group:", f);
		else if (o.kind == PDP_AUDIT_VIA_ROLE)
			fputs("role:", f);
		put_str(f, o.name);
	}
	fputc(']', f);
}

/* ---- one side ---- */

typedef struct side {
	const pdp_image *img;
	uint32_t **acp_rules;   /* per ACP: its rule indices */
	uint32_t *acp_nrules;
	char **acp_text;        /* per ACP: canonical text of its rules */
	strvec ids;             /* every exact id named (sorted) */
	strvec entries;         /* "group:G", "glob:P", "all" rule entries */
	strvec decls;           /* "what\tname\ttext" lines (sorted) */
	char *constraints;      /* all constraints, one text */
	char **cond_cache;      /* per rule x (create, other): cond_text */
} side;

typedef struct memtext {
	char *buf;
	size_t len;
	FILE *f;
} memtext;

static bool mt_open(memtext *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	return m->f != NULL;
}

/* Close and take the text (NULL when out of memory). */
static char *mt_take(memtext *m)
{
	if (m->f == NULL)
		return NULL;
	fclose(m->f);
	m->f = NULL;
	return m->buf;
}

static bool side_rules(side *s)
{
	const pdp_image *img = s->img;
	uint32_t na = pdp_acp_count(img), nr = pdp_audit_rule_count(img);
	s->acp_rules = calloc(na + 1, sizeof(*s->acp_rules));
	s->acp_nrules = calloc(na + 1, sizeof(*s->acp_nrules));
	s->acp_text = calloc(na + 1, sizeof(*s->acp_text));
	s->cond_cache = calloc((size_t)nr * 2 + 1, sizeof(*s->cond_cache));
	if (!s->acp_rules || !s->acp_nrules || !s->acp_text || !s->cond_cache)
		return false;
	pdp_audit_rule r;
	for (uint32_t i = 0; i < nr; i++)
		if (pdp_audit_rule_get(img, i, &r) == PDP_OK && r.acp < na)
			s->acp_nrules[r.acp]++;
	for (uint32_t a = 0; a < na; a++) {
		s->acp_rules[a] = malloc((s->acp_nrules[a] + 1) * sizeof(uint32_t));
		if (s->acp_rules[a] == NULL)
			return false;
		s->acp_nrules[a] = 0;
	}
	for (uint32_t i = 0; i < nr; i++)
		if (pdp_audit_rule_get(img, i, &r) == PDP_OK && r.acp < na)
			s->acp_rules[r.acp][s->acp_nrules[r.acp]++] = i;
	/* canonical texts and the entries and ids rules name */
	for (uint32_t a = 0; a < na; a++) {
		memtext m;
		if (!mt_open(&m))
			return false;
		for (uint32_t k = 0; k < s->acp_nrules[a]; k++) {
			uint32_t ri = s->acp_rules[a][k];
			pdp_audit_rule_get(img, ri, &r);
			fprintf(m.f, "%s %s ops %u ", r.self ? "self" : "pv",
			        r.deny ? "deny" : "permit", r.operations);
			originators_text(m.f, img, ri, r.n_originators);
			/* conditions differ by operation only in what objects
			 * mean for create: format once per distinct bit set */
			uint32_t last = UINT32_MAX;
			for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1) {
				if (!(r.operations & op))
					continue;
				uint32_t bits = pdp_audit_rule_conditions(img, ri, op);
				if (bits == last)
					continue;
				last = bits;
				fprintf(m.f, " %u:", op);
				cond_text(m.f, img, ri, op);
			}
			fputc('\n', m.f);
			for (uint32_t i = 0; i < r.n_originators; i++) {
				pdp_audit_originator o;
				if (pdp_audit_rule_originator(img, ri, i, &o) != PDP_OK)
					continue;
				char pre[8] = "";
				if (o.kind == PDP_AUDIT_VIA_EXACT) {
					sv_push_n(&s->ids, o.name.ptr, o.name.len);
					continue;
				}
				if (o.kind == PDP_AUDIT_VIA_ROLE)
					continue;
				strcpy(pre, o.kind == PDP_AUDIT_VIA_GROUP  ? "group:"
				            : o.kind == PDP_AUDIT_VIA_GLOB ? "glob:"
				                                           : "");
				size_t pl = strlen(pre);
				char *e = malloc(pl + o.name.len + 1);
				if (e == NULL)
					return false;
				memcpy(e, pre, pl);
				memcpy(e + pl, o.name.ptr, o.name.len);
				e[pl + o.name.len] = '\0';
				sv_push(&s->entries, e);
				free(e);
			}
		}
		s->acp_text[a] = mt_take(&m);
		if (s->acp_text[a] == NULL)
			return false;
	}
	return true;
}

static const char *TYPE_NAMES[] = {"bool", "int", "float", "string",
                                   "string_set", "time", "ip"};

/* One "what\tname\ttext" line into s->decls. */
static void decl_line(side *s, const char *what, pdp_str name, memtext *m)
{
	char *text = mt_take(m);
	size_t wl = strlen(what), tl = text ? strlen(text) : 0;
	char *line = text ? malloc(wl + name.len + tl + 3) : NULL;
	if (line == NULL) {
		free(text);
		s->decls.oom = true;
		return;
	}
	memcpy(line, what, wl);
	line[wl] = '\t';
	memcpy(line + wl + 1, name.ptr, name.len);
	line[wl + 1 + name.len] = '\t';
	memcpy(line + wl + 2 + name.len, text, tl + 1);
	free(text);
	sv_push_owned(&s->decls, line);
}

static void role_list(FILE *f, const pdp_image *img, const uint32_t *v,
                      size_t n)
{
	strvec names = {0};
	for (size_t i = 0; i < n; i++) {
		pdp_str r = pdp_audit_role_name(img, v[i]);
		sv_push_n(&names, r.ptr, r.len);
	}
	sv_uniq(&names);
	char *j = sv_join(&names, ", ");
	fprintf(f, "[%s]", j ? j : "");
	free(j);
	sv_free(&names);
}

/* "assignment\tU\t[r1, r2]" for principal record p (its assigned roles,
 * names sorted): built directly, as there is one per user. */
static void assignment_line(side *s, pdp_str u, const uint32_t *p)
{
	const pdp_image *img = s->img;
	enum { MAX_INLINE = 16 };
	char *names[MAX_INLINE];
	uint32_t n = p[2] < MAX_INLINE ? p[2] : MAX_INLINE;
	size_t len = strlen("assignment\t") + u.len + 4;
	for (uint32_t j = 0; j < n; j++) {
		pdp_str r = pdp_audit_role_name(img,
		                                img_rec(img, SEC_PRINROLES, p[1] + j)[0]);
		names[j] = strndup(r.ptr ? r.ptr : "", r.len);
		len += r.len + 2;
	}
	bool ok = true;
	for (uint32_t j = 0; j < n; j++)
		ok = ok && names[j] != NULL;
	if (ok)
		qsort(names, n, sizeof(*names), cmp_str);
	char *line = ok ? malloc(len + 1) : NULL;
	if (line != NULL) {
		char *q = stpcpy(line, "assignment\t");
		if (u.len > 0)
			memcpy(q, u.ptr, u.len);
		q = stpcpy(q + u.len, "\t[");
		for (uint32_t j = 0; j < n; j++) {
			if (j > 0)
				q = stpcpy(q, ", ");
			q = stpcpy(q, names[j] ? names[j] : "?");
		}
		strcpy(q, "]");
		sv_push_owned(&s->decls, line);
	} else
		s->decls.oom = true;
	for (uint32_t j = 0; j < n; j++)
		free(names[j]);
}

/* Roles, groups, assignments, constraints and attributes as decl lines;
 * assigned users and group members join the ids. */
static bool side_decls(side *s)
{
	const pdp_image *img = s->img;
	uint32_t nroles = pdp_audit_role_count(img);
	uint32_t *buf = malloc((nroles + 1) * sizeof(uint32_t));
	if (buf == NULL)
		return false;
	memtext m;
	for (uint32_t r = 0; r < nroles && mt_open(&m); r++) {
		size_t n = pdp_audit_role_juniors(img, r, true, buf, nroles);
		fputs("inherits ", m.f);
		role_list(m.f, img, buf, n);
		decl_line(s, "role", pdp_audit_role_name(img, r), &m);
	}
	/* every principal (an id with roles or group memberships), once: not
	 * through pdp_audit_assigned_users, which scans them all per role */
	for (uint32_t i = 0; i < pdiff_principal_count(img); i++) {
		pdp_str u = pdiff_principal_name(img, i);
		sv_push_n(&s->ids, u.ptr, u.len);
		const uint32_t *p = img_rec(img, SEC_PRINCIPALS, i);
		if (p[2] > 0)
			assignment_line(s, u, p);
	}
	for (uint32_t g = 0; g < pdp_audit_group_count(img) && mt_open(&m); g++) {
		strvec mem = {0};
		size_t n = pdp_audit_group_members(img, g, NULL, 0);
		pdp_str *v = malloc((n + 1) * sizeof(*v));
		if (v != NULL) {
			pdp_audit_group_members(img, g, v, n);
			for (size_t i = 0; i < n; i++)
				sv_push_n(&mem, v[i].ptr, v[i].len);
			free(v);
		}
		n = pdp_audit_group_globs(img, g, NULL, 0);
		v = malloc((n + 1) * sizeof(*v));
		if (v != NULL) {
			pdp_audit_group_globs(img, g, v, n);
			for (size_t i = 0; i < n; i++)
				sv_push_n(&mem, v[i].ptr, v[i].len);
			free(v);
		}
		sv_uniq(&mem);
		char *j = sv_join(&mem, ", ");
		fprintf(m.f, "members [%s]", j ? j : "");
		free(j);
		sv_free(&mem);
		decl_line(s, "group", pdp_audit_group_name(img, g), &m);
	}
	memtext all;
	if (!mt_open(&all)) {
		free(buf);
		return false;
	}
	for (uint32_t c = 0; c < pdp_audit_constraint_count(img) && mt_open(&m); c++) {
		pdp_audit_constraint k;
		pdp_audit_constraint_get(img, c, &k);
		size_t n = pdp_audit_constraint_roles(img, c, buf, nroles);
		fprintf(m.f, "%s n %u roles ", k.dynamic ? "dsd" : "ssd", k.n);
		role_list(m.f, img, buf, n);
		fprintf(all.f, "%s n %u ", k.dynamic ? "dsd" : "ssd", k.n);
		role_list(all.f, img, buf, n);
		fputc('\n', all.f);
		char num[24];
		snprintf(num, sizeof(num), "#%u", c + 1);
		pdp_str name = k.name.ptr ? k.name : (pdp_str){num, strlen(num)};
		decl_line(s, "constraint", name, &m);
	}
	s->constraints = mt_take(&all);
	for (uint32_t a = 0; a < pdp_attr_count(img) && mt_open(&m); a++) {
		pdp_type t = pdp_attr_type(img, a);
		unsigned ti = (unsigned)t;
		fputs(ti < sizeof(TYPE_NAMES) / sizeof(*TYPE_NAMES) ? TYPE_NAMES[ti]
		                                                    : "?", m.f);
		decl_line(s, "attribute", pdp_attr_name(img, a), &m);
	}
	free(buf);
	sv_uniq(&s->decls);
	return !s->decls.oom && s->constraints != NULL;
}

static void side_free(side *s)
{
	uint32_t na = s->img ? pdp_acp_count(s->img) : 0;
	for (uint32_t a = 0; a < na; a++) {
		if (s->acp_rules)
			free(s->acp_rules[a]);
		if (s->acp_text)
			free(s->acp_text[a]);
	}
	if (s->cond_cache != NULL)
		for (uint32_t i = 0; i < pdp_audit_rule_count(s->img) * 2u; i++)
			free(s->cond_cache[i]);
	free(s->cond_cache);
	free(s->acp_rules);
	free(s->acp_nrules);
	free(s->acp_text);
	sv_free(&s->ids);
	sv_free(&s->entries);
	sv_free(&s->decls);
	free(s->constraints);
}

/* ---- grant states: 12 slots per ACP (section x operation) ---- */

#define NSLOT 12
enum { LV_DENIED = 0, LV_CONDITIONAL = 1, LV_UNCONDITIONAL = 2 };

typedef struct slot {
	int level;
	char *terms;   /* conditional: its grants and overrides, else NULL */
} slot;

static int slot_index(bool self, uint32_t op)
{
	return (self ? 6 : 0) + __builtin_ctz(op);
}

static void slots_clear(slot *s)
{
	for (int i = 0; i < NSLOT; i++) {
		free(s[i].terms);
		s[i].terms = NULL;
		s[i].level = LV_DENIED;
	}
}

/* The terms of a conditional permission: "if C" per grant, "unless D" per
 * deny rule that could override (with its originators for role queries,
 * where a deny may apply to some holders only). */
/* cond_text of rule for op, formatted once per side (the same rules
 * come back for every id an ACP names); owned by the side. */
static const char *cached_cond(const side *sd, uint32_t rule, uint32_t op)
{
	char **cell = &sd->cond_cache[(size_t)rule * 2 + (op == PDP_OP_CREATE)];
	if (*cell == NULL) {
		memtext m;
		if (!mt_open(&m))
			return "?";
		cond_text(m.f, sd->img, rule, op);
		*cell = mt_take(&m);
	}
	return *cell ? *cell : "?";
}

static char *concat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *o = malloc(la + lb + lc + 1);
	if (o != NULL) {
		memcpy(o, a, la);
		memcpy(o + la, b, lb);
		memcpy(o + la + lb, c, lc + 1);
	}
	return o;
}

static char *perm_terms(const side *sd, const pdp_audit_perm *p,
                        bool role_query)
{
	const pdp_image *img = sd->img;
	strvec lines = {0};
	for (size_t i = 0; i < p->n_grants; i++) {
		char *t = concat3("if ", cached_cond(sd, p->grants[i].rule,
		                                     p->operation), "");
		if (t != NULL)
			sv_push_owned(&lines, t);
	}
	for (size_t i = 0; i < p->n_overrides; i++) {
		char *orig = NULL;
		if (role_query) {
			memtext m;
			if (!mt_open(&m))
				break;
			pdp_audit_rule r;
			pdp_audit_rule_get(img, p->overrides[i], &r);
			originators_text(m.f, img, p->overrides[i], r.n_originators);
			fputc(' ', m.f);
			orig = mt_take(&m);
		}
		char *t = concat3("unless ", orig ? orig : "",
		                  cached_cond(sd, p->overrides[i], p->operation));
		free(orig);
		if (t != NULL)
			sv_push_owned(&lines, t);
	}
	sv_uniq(&lines);
	char *out = sv_join(&lines, "; ");
	sv_free(&lines);
	return out;
}

/* Fill slots of ACP acp from an audit answer (perms of every ACP or one). */
static void slots_from_perms(slot *s, const side *sd,
                             const pdp_audit_perms *p, uint32_t acp,
                             bool role_query)
{
	for (size_t i = 0; i < p->n_perms; i++) {
		const pdp_audit_perm *q = &p->perms[i];
		if (q->acp != acp)
			continue;
		slot *t = &s[slot_index(q->self, q->operation)];
		t->level = q->status == PDP_AUDIT_UNCONDITIONAL ? LV_UNCONDITIONAL
		           : q->status == PDP_AUDIT_CONDITIONAL ? LV_CONDITIONAL
		                                                : LV_DENIED;
		if (t->level == LV_CONDITIONAL)
			t->terms = perm_terms(sd, q, role_query);
	}
}

static bool entry_names(const pdp_image *img, uint32_t rule, uint32_t n,
                        const char *entry, bool or_all)
{
	for (uint32_t i = 0; i < n; i++) {
		pdp_audit_originator o;
		if (pdp_audit_rule_originator(img, rule, i, &o) != PDP_OK)
			continue;
		if (o.kind == PDP_AUDIT_VIA_ALL && (or_all || strcmp(entry, "all") == 0))
			return true;
		const char *want = o.kind == PDP_AUDIT_VIA_GROUP   ? "group:"
		                   : o.kind == PDP_AUDIT_VIA_GLOB  ? "glob:"
		                   : o.kind == PDP_AUDIT_VIA_EXACT ? "id:"
		                                                   : NULL;
		if (want == NULL)
			continue;
		size_t wl = strlen(want);
		if (strncmp(entry, want, wl) == 0 && strlen(entry + wl) == o.name.len &&
		    memcmp(entry + wl, o.name.ptr, o.name.len) == 0)
			return true;
	}
	return false;
}

int pdiff_entry_level(const pdp_image *img, const uint32_t *rules,
                      uint32_t n_rules, const char *entry, bool self,
                      uint32_t op, char **terms)
{
	strvec lines = {0};
	bool grant = false, uncond = false, denied = false, any_deny = false;
	*terms = NULL;
	for (uint32_t k = 0; k < n_rules; k++) {
		uint32_t ri = rules[k];
		pdp_audit_rule r;
		pdp_audit_rule_get(img, ri, &r);
		if (r.self != self || !(r.operations & op) ||
		    !entry_names(img, ri, r.n_originators, entry, r.deny))
			continue;
		uint32_t bits = pdp_audit_rule_conditions(img, ri, op);
		if (!r.deny && (bits & PDP_AUDIT_COND_NEVER))
			continue;
		memtext m;
		if (!mt_open(&m))
			continue;
		fputs(r.deny ? "unless " : "if ", m.f);
		cond_text(m.f, img, ri, op);
		char *t = mt_take(&m);
		if (t)
			sv_push(&lines, t);
		free(t);
		if (r.deny) {
			any_deny = true;
			denied = denied || bits == 0;
		} else {
			grant = true;
			uncond = uncond || bits == 0;
		}
	}
	int level = LV_CONDITIONAL;
	if (!grant || denied)
		level = LV_DENIED;
	else if (uncond && !any_deny)
		level = LV_UNCONDITIONAL;
	else {
		sv_uniq(&lines);
		*terms = sv_join(&lines, "; ");
	}
	sv_free(&lines);
	return level;
}

/* Slots of a group, glob or `all` entry on ACP a. */
static void slots_of_entry(slot *s, const side *sd, uint32_t a,
                           const char *entry)
{
	for (int self = 0; self < 2; self++)
		for (uint32_t op = 1; op <= PDP_OP_DISCOVER; op <<= 1) {
			slot *t = &s[slot_index(self != 0, op)];
			t->level = pdiff_entry_level(sd->img, sd->acp_rules[a],
			                             sd->acp_nrules[a], entry, self != 0,
			                             op, &t->terms);
		}
}

/* ---- the result ---- */

typedef struct builder {
	pdiff_result *r;
	size_t cap_changes, cap_decls;
	bool oom;
} builder;

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *level_text(const slot *s)
{
	return s->level == LV_UNCONDITIONAL ? "unconditional"
	       : s->level == LV_CONDITIONAL ? s->terms
	                                    : "denied";
}

/* Compare the slots of one subject on one ACP and record the changes. */
static void compare_slots(builder *b, pdp_audit_via via, const char *subject,
                          const char *acp, const slot *o, const slot *n)
{
	for (int i = 0; i < NSLOT && !b->oom; i++) {
		pdiff_kind k;
		if (o[i].level == n[i].level) {
			if (o[i].level != LV_CONDITIONAL ||
			    strcmp(o[i].terms ? o[i].terms : "",
			           n[i].terms ? n[i].terms : "") == 0)
				continue;
			k = PDIFF_CONDITION_CHANGED;
		} else if (o[i].level == LV_DENIED)
			k = PDIFF_GAINED;
		else if (n[i].level == LV_DENIED)
			k = PDIFF_LOST;
		else
			k = n[i].level == LV_CONDITIONAL ? PDIFF_NOW_CONDITIONAL
			                                 : PDIFF_NOW_UNCONDITIONAL;
		pdiff_result *r = b->r;
		if (!grow(&r->changes, r->n_changes, &b->cap_changes,
		          sizeof(*r->changes), 64)) {
			b->oom = true;
			return;
		}
		pdiff_change *c = &r->changes[r->n_changes++];
		c->kind = k;
		c->via = via;
		c->subject = strdup(subject);
		c->acp = strdup(acp);
		c->self = i >= 6;
		c->operation = 1u << (i % 6);
		c->old_text = dup_or_null(level_text(&o[i]));
		c->new_text = dup_or_null(level_text(&n[i]));
		if (!c->subject || !c->acp || !c->old_text || !c->new_text)
			b->oom = true;
	}
}

/* One side's grants of an id (role false) or a role on ACP acp (PDP_NONE
 * when the side has no such ACP), from the audit queries, into out. */
static void side_slots(slot *out, const side *sd, const char *name,
                       uint32_t acp, bool role)
{
	if (acp == PDP_NONE)
		return;
	pdp_str s = {name, strlen(name)};
	pdp_audit_perms *p = NULL;
	pdp_status st;
	if (!role) {
		st = pdp_audit_user_permissions(sd->img, s, acp, &p, NULL);
	} else {
		uint32_t r = pdp_audit_role_index(sd->img, s);
		if (r == PDP_NONE)
			return;
		st = pdp_audit_role_permissions(sd->img, r, acp, &p, NULL);
	}
	if (st == PDP_OK)
		slots_from_perms(out, sd, p, acp, role);
	pdp_audit_perms_free(p);
}

/* What an id or a role is granted on ACP name (acp index per side,
 * PDP_NONE when the side has no such ACP), compared. */
static void compare_subject(builder *b, const side *so, const side *sn,
                            const char *name, bool role, const char *acp,
                            uint32_t ao, uint32_t an)
{
	slot o[NSLOT] = {{0, NULL}}, n[NSLOT] = {{0, NULL}};
	side_slots(o, so, name, ao, role);
	side_slots(n, sn, name, an, role);
	compare_slots(b, role ? PDP_AUDIT_VIA_ROLE : PDP_AUDIT_VIA_EXACT, name,
	              acp, o, n);
	slots_clear(o);
	slots_clear(n);
}

static void compare_entry(builder *b, const side *so, const side *sn,
                          const char *entry, const char *acp, uint32_t ao,
                          uint32_t an)
{
	slot o[NSLOT] = {{0, NULL}}, n[NSLOT] = {{0, NULL}};
	if (ao != PDP_NONE)
		slots_of_entry(o, so, ao, entry);
	if (an != PDP_NONE)
		slots_of_entry(n, sn, an, entry);
	pdp_audit_via via = strncmp(entry, "group:", 6) == 0 ? PDP_AUDIT_VIA_GROUP
	                    : strncmp(entry, "glob:", 5) == 0 ? PDP_AUDIT_VIA_GLOB
	                                                      : PDP_AUDIT_VIA_ALL;
	const char *name = via == PDP_AUDIT_VIA_GROUP  ? entry + 6
	                   : via == PDP_AUDIT_VIA_GLOB ? entry + 5
	                                               : entry;
	compare_slots(b, via, name, acp, o, n);
	slots_clear(o);
	slots_clear(n);
}

static uint32_t acp_of(const pdp_image *img, const char *name)
{
	return pdp_acp_index(img, (pdp_str){name, strlen(name)});
}

/* ---- candidates: the ids an ACP names on one side ---- */

static void group_ids(const side *sd, uint32_t g, const strvec *universe,
                      strvec *out)
{
	const pdp_image *img = sd->img;
	size_t n = pdp_audit_group_members(img, g, NULL, 0);
	pdp_str *v = malloc((n + 1) * sizeof(*v));
	if (v == NULL)
		return;
	pdp_audit_group_members(img, g, v, n);
	for (size_t i = 0; i < n; i++)
		sv_push_n(out, v[i].ptr, v[i].len);
	free(v);
	n = pdp_audit_group_globs(img, g, NULL, 0);
	v = malloc((n + 1) * sizeof(*v));
	if (v == NULL)
		return;
	pdp_audit_group_globs(img, g, v, n);
	for (size_t i = 0; i < n; i++)
		for (size_t u = 0; u < universe->n; u++)
			if (glob_match(v[i], (pdp_str){universe->v[u],
			                               strlen(universe->v[u])}))
				sv_push(out, universe->v[u]);
	free(v);
}

/* The ids ACP a names on one side: exact entries, glob and group matches
 * among universe; role entries are only marked in roles (role_words words,
 * or NULL: expanded here with pdp_audit_authorized_users). */
static void acp_candidates(const side *sd, uint32_t a, const strvec *universe,
                           strvec *out, uint64_t *roles)
{
	if (a == PDP_NONE)
		return;
	const pdp_image *img = sd->img;
	for (uint32_t k = 0; k < sd->acp_nrules[a]; k++) {
		uint32_t ri = sd->acp_rules[a][k];
		pdp_audit_rule r;
		pdp_audit_rule_get(img, ri, &r);
		for (uint32_t i = 0; i < r.n_originators; i++) {
			pdp_audit_originator o;
			if (pdp_audit_rule_originator(img, ri, i, &o) != PDP_OK)
				continue;
			if (o.kind == PDP_AUDIT_VIA_EXACT)
				sv_push_n(out, o.name.ptr, o.name.len);
			else if (o.kind == PDP_AUDIT_VIA_GLOB) {
				for (size_t u = 0; u < universe->n; u++)
					if (glob_match(o.name, (pdp_str){universe->v[u],
					                                 strlen(universe->v[u])}))
						sv_push(out, universe->v[u]);
			} else if (o.kind == PDP_AUDIT_VIA_GROUP)
				group_ids(sd, o.index, universe, out);
			else if (o.kind == PDP_AUDIT_VIA_ROLE && roles != NULL)
				aud_set(roles, o.index);
			else if (o.kind == PDP_AUDIT_VIA_ROLE) {
				size_t n = pdp_audit_authorized_users(img, o.index, NULL, 0);
				pdp_str *v = malloc((n + 1) * sizeof(*v));
				if (v == NULL)
					continue;
				pdp_audit_authorized_users(img, o.index, v, n);
				for (size_t j = 0; j < n; j++)
					sv_push_n(out, v[j].ptr, v[j].len);
				free(v);
			}
		}
	}
}

/* An id's context on one side: authorized roles and the groups that hold
 * it. Equal contexts and equal ACP texts give equal grants. */
static char *id_context(const side *sd, const char *id)
{
	const pdp_image *img = sd->img;
	pdp_str s = {id, strlen(id)};
	uint32_t nroles = pdp_audit_role_count(img);
	uint32_t *buf = malloc((nroles + 1) * sizeof(uint32_t));
	memtext m;
	if (buf == NULL || !mt_open(&m)) {
		free(buf);
		return NULL;
	}
	size_t n = pdp_audit_authorized_roles(img, s, buf, nroles);
	role_list(m.f, img, buf, n);
	free(buf);
	strvec one = {0};
	sv_push(&one, id);
	for (uint32_t g = 0; g < pdp_audit_group_count(img); g++) {
		strvec got = {0};
		group_ids(sd, g, &one, &got);
		bool in = false;
		for (size_t i = 0; i < got.n; i++)
			in = in || strcmp(got.v[i], id) == 0;
		sv_free(&got);
		if (in) {
			fputc(' ', m.f);
			put_str(m.f, pdp_audit_group_name(img, g));
		}
	}
	sv_free(&one);
	return mt_take(&m);
}

static char *role_context(const side *sd, const char *role)
{
	const pdp_image *img = sd->img;
	uint32_t r = pdp_audit_role_index(img, (pdp_str){role, strlen(role)});
	if (r == PDP_NONE)
		return strdup("-");
	uint32_t nroles = pdp_audit_role_count(img);
	uint32_t *buf = malloc((nroles + 1) * sizeof(uint32_t));
	memtext m;
	if (buf == NULL || !mt_open(&m)) {
		free(buf);
		return NULL;
	}
	size_t n = pdp_audit_role_juniors(img, r, false, buf, nroles);
	role_list(m.f, img, buf, n);
	free(buf);
	return mt_take(&m);
}

static bool texts_differ(const char *a, const char *b)
{
	return a == NULL || b == NULL || strcmp(a, b) != 0;
}

/* ---- declarations ---- */

static void add_decl(builder *b, const char *line_o, const char *line_n)
{
	const char *line = line_o ? line_o : line_n;
	if (line == NULL)
		return;
	const char *t1 = strchr(line, '\t');
	const char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	if (t2 == NULL)
		return;
	pdiff_result *r = b->r;
	if (!grow(&r->decls, r->n_decls, &b->cap_decls, sizeof(*r->decls),
	          16)) {
		b->oom = true;
		return;
	}
	static const char *const WHATS[] = {"role", "assignment", "group",
	                                    "constraint", "attribute"};
	pdiff_decl *d = &r->decls[r->n_decls++];
	d->what = "?";
	for (size_t i = 0; i < 5; i++)
		if (strncmp(line, WHATS[i], (size_t)(t1 - line)) == 0 &&
		    strlen(WHATS[i]) == (size_t)(t1 - line))
			d->what = WHATS[i];
	d->name = strndup(t1 + 1, (size_t)(t2 - t1 - 1));
	d->old_text = line_o ? strdup(strchr(strchr(line_o, '\t') + 1, '\t') + 1)
	                     : NULL;
	d->new_text = line_n ? strdup(strchr(strchr(line_n, '\t') + 1, '\t') + 1)
	                     : NULL;
	if (d->name == NULL)
		b->oom = true;
}

/* The key ("what\tname") of a decl line: its length. */
static size_t decl_key_len(const char *line)
{
	const char *t1 = strchr(line, '\t');
	const char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	return t2 ? (size_t)(t2 - line) : strlen(line);
}

/* Merge the sorted decl lines of both sides; true when any differ. */
static bool diff_decls(builder *b, const side *so, const side *sn,
                       bool *attrs_changed)
{
	size_t i = 0, j = 0;
	bool any = false;
	while (i < so->decls.n || j < sn->decls.n) {
		const char *a = i < so->decls.n ? so->decls.v[i] : NULL;
		const char *c = j < sn->decls.n ? sn->decls.v[j] : NULL;
		int cmp;
		if (a == NULL)
			cmp = 1;
		else if (c == NULL)
			cmp = -1;
		else {
			size_t ka = decl_key_len(a), kc = decl_key_len(c);
			cmp = strncmp(a, c, ka < kc ? ka : kc);
			if (cmp == 0)
				cmp = ka < kc ? -1 : ka > kc ? 1 : 0;
		}
		const char *lo = cmp <= 0 ? a : NULL, *ln = cmp >= 0 ? c : NULL;
		const char *line = lo ? lo : ln;
		if (line == NULL) /* a NULL entry in a list: nothing to compare */
			break;
		if (lo == NULL || ln == NULL || strcmp(lo, ln) != 0) {
			add_decl(b, lo, ln);
			any = true;
			if (strncmp(line, "attribute\t", 10) == 0)
				*attrs_changed = true;
		}
		i += cmp <= 0;
		j += cmp >= 0;
	}
	return any;
}

/* ---- the whole comparison ---- */

static int cmp_change(const void *pa, const void *pb)
{
	const pdiff_change *a = pa, *b = pb;
	int c = strcmp(a->acp, b->acp);
	if (c == 0)
		c = (int)a->via - (int)b->via;
	if (c == 0)
		c = strcmp(a->subject, b->subject);
	if (c == 0)
		c = (int)a->self - (int)b->self;
	if (c == 0)
		c = a->operation < b->operation ? -1 : a->operation > b->operation;
	return c;
}

static void acp_names(const pdp_image *img, strvec *out)
{
	for (uint32_t a = 0; a < pdp_acp_count(img); a++) {
		pdp_str n = pdp_acp_name(img, a);
		sv_push_n(out, n.ptr, n.len);
	}
}

static void role_names(const pdp_image *img, strvec *out)
{
	for (uint32_t r = 0; r < pdp_audit_role_count(img); r++) {
		pdp_str n = pdp_audit_role_name(img, r);
		sv_push_n(out, n.ptr, n.len);
	}
}


/* Below this many changed ACPs, the principals holding the roles they
 * name are found in one pass over the principals per side (each tested
 * against every changed ACP's role set); above, role by role. */
#define ONE_PASS_MAX_ACPS 64

/* Add to cand[k] every principal of sd authorized for a role of
 * roles[k] (k < n). */
static void role_holders(const side *sd, uint64_t *const *roles, size_t n,
                         strvec *cand)
{
	const pdp_image *img = sd->img;
	uint32_t w = img->role_words;
	if (w == 0)
		return;
	uint64_t *bits = calloc(w, sizeof(uint64_t));
	if (bits == NULL) {
		cand[0].oom = true;
		return;
	}
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		memset(bits, 0, w * sizeof(uint64_t));
		eval_authorized(img, i, bits);
		for (size_t k = 0; k < n; k++) {
			if (roles[k] == NULL)
				continue;
			bool hit = false;
			for (uint32_t j = 0; j < w && !hit; j++)
				hit = (bits[j] & roles[k][j]) != 0;
			if (hit) {
				pdp_str u = pdiff_principal_name(img, i);
				sv_push_n(&cand[k], u.ptr, u.len);
			}
		}
	}
	free(bits);
}

/* The candidate ids of each changed ACP (cand[k] for the k-th changed
 * one), both sides. */
static void changed_candidates(const side *sd, const strvec *acps,
                               const bool *changed, size_t n_changed,
                               const strvec *ids, strvec *cand)
{
	const pdp_image *img = sd->img;
	bool one_pass = n_changed <= ONE_PASS_MAX_ACPS && img->role_words > 0;
	uint64_t **roles = calloc(n_changed + 1, sizeof(*roles));
	if (roles == NULL) {
		cand[0].oom = true;
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < acps->n; i++) {
		if (!changed[i])
			continue;
		uint32_t a = acp_of(img, acps->v[i]);
		if (one_pass && a != PDP_NONE)
			roles[k] = calloc(img->role_words, sizeof(uint64_t));
		if (a != PDP_NONE)
			acp_candidates(sd, a, ids, &cand[k], one_pass ? roles[k] : NULL);
		k++;
	}
	if (one_pass)
		role_holders(sd, roles, n_changed, cand);
	for (size_t i = 0; i < n_changed; i++)
		free(roles[i]);
	free(roles);
}

/* Every ACP in changed (sorted names, true per index) for every id, role
 * and entry concerned. */
static void compare_changed_acps(builder *b, const side *so, const side *sn,
                                 const strvec *acps, const bool *changed,
                                 size_t n_changed, const strvec *ids,
                                 const strvec *roles, const strvec *entries)
{
	strvec *cand = calloc(n_changed + 1, sizeof(*cand));
	if (cand == NULL) {
		b->oom = true;
		return;
	}
	changed_candidates(so, acps, changed, n_changed, ids, cand);
	changed_candidates(sn, acps, changed, n_changed, ids, cand);
	size_t k = 0;
	for (size_t i = 0; i < acps->n && !b->oom; i++) {
		if (!changed[i])
			continue;
		const char *name = acps->v[i];
		uint32_t ao = acp_of(so->img, name), an = acp_of(sn->img, name);
		strvec *c = &cand[k++];
		sv_uniq(c);
		b->oom = b->oom || c->oom;
		for (size_t j = 0; j < c->n; j++)
			compare_subject(b, so, sn, c->v[j], false, name, ao, an);
		for (size_t j = 0; j < roles->n; j++)
			compare_subject(b, so, sn, roles->v[j], true, name, ao, an);
		for (size_t j = 0; j < entries->n; j++)
			compare_entry(b, so, sn, entries->v[j], name, ao, an);
	}
	for (size_t i = 0; i < n_changed; i++)
		sv_free(&cand[i]);
	free(cand);
}

/* Ids and roles whose context differs: compared on every unchanged ACP. */
static void compare_contexts(builder *b, const side *so, const side *sn,
                             const strvec *acps, const bool *changed,
                             const strvec *ids, const strvec *roles)
{
	bool constraints = strcmp(so->constraints, sn->constraints) != 0;
	for (size_t k = 0; k < ids->n && !b->oom; k++) {
		char *co = id_context(so, ids->v[k]), *cn = id_context(sn, ids->v[k]);
		bool moved = texts_differ(co, cn) ||
		             (constraints && (strncmp(co, "[]", 2) != 0 ||
		                              strncmp(cn, "[]", 2) != 0));
		free(co);
		free(cn);
		if (!moved)
			continue;
		for (size_t i = 0; i < acps->n; i++)
			if (!changed[i])
				compare_subject(b, so, sn, ids->v[k], false, acps->v[i],
				                acp_of(so->img, acps->v[i]),
				                acp_of(sn->img, acps->v[i]));
	}
	for (size_t k = 0; k < roles->n && !b->oom; k++) {
		char *co = role_context(so, roles->v[k]);
		char *cn = role_context(sn, roles->v[k]);
		bool moved = texts_differ(co, cn);
		free(co);
		free(cn);
		if (!moved)
			continue;
		for (size_t i = 0; i < acps->n; i++)
			if (!changed[i])
				compare_subject(b, so, sn, roles->v[k], true, acps->v[i],
				                acp_of(so->img, acps->v[i]),
				                acp_of(sn->img, acps->v[i]));
	}
}

bool pdiff_compute(const pdp_image *old, const pdp_image *new_img,
                   pdiff_result *out)
{
	memset(out, 0, sizeof(*out));
	builder b = {out, 0, 0, false};
	side so = {0}, sn = {0};
	so.img = old;
	sn.img = new_img;
	strvec acps = {0}, ids = {0}, roles = {0}, entries = {0};
	bool *changed = NULL;
	bool ok = side_rules(&so) && side_rules(&sn) && side_decls(&so) &&
	          side_decls(&sn);
	if (!ok)
		goto done;
	bool attrs_changed = false;
	bool decls_changed = diff_decls(&b, &so, &sn, &attrs_changed);
	acp_names(old, &acps);
	acp_names(new_img, &acps);
	sv_uniq(&acps);
	for (size_t i = 0; i < so.ids.n; i++)
		sv_push(&ids, so.ids.v[i]);
	for (size_t i = 0; i < sn.ids.n; i++)
		sv_push(&ids, sn.ids.v[i]);
	sv_uniq(&ids);
	role_names(old, &roles);
	role_names(new_img, &roles);
	sv_uniq(&roles);
	for (size_t i = 0; i < so.entries.n; i++)
		sv_push(&entries, so.entries.v[i]);
	for (size_t i = 0; i < sn.entries.n; i++)
		sv_push(&entries, sn.entries.v[i]);
	sv_uniq(&entries);
	changed = calloc(acps.n + 1, sizeof(*changed));
	if (changed == NULL || acps.oom || ids.oom || roles.oom || entries.oom) {
		ok = false;
		goto done;
	}
	for (size_t i = 0; i < acps.n; i++) {
		uint32_t ao = acp_of(old, acps.v[i]), an = acp_of(new_img, acps.v[i]);
		const char *to = ao == PDP_NONE ? NULL : so.acp_text[ao];
		const char *tn = an == PDP_NONE ? NULL : sn.acp_text[an];
		/* an attribute's new type changes how `when` reads it */
		changed[i] = texts_differ(to, tn) ||
		             (attrs_changed && strstr(to, "when:") != NULL);
		out->acps_changed += changed[i];
	}
	compare_changed_acps(&b, &so, &sn, &acps, changed, out->acps_changed,
	                     &ids, &roles, &entries);
	if (decls_changed)
		compare_contexts(&b, &so, &sn, &acps, changed, &ids, &roles);
	ok = !b.oom;
	if (ok && out->n_changes > 1)
		qsort(out->changes, out->n_changes, sizeof(*out->changes), cmp_change);
done:
	free(changed);
	sv_free(&acps);
	sv_free(&ids);
	sv_free(&roles);
	sv_free(&entries);
	side_free(&so);
	side_free(&sn);
	if (!ok)
		pdiff_free(out);
	return ok;
}

void pdiff_free(pdiff_result *r)
{
	for (size_t i = 0; i < r->n_changes; i++) {
		free(r->changes[i].subject);
		free(r->changes[i].acp);
		free(r->changes[i].old_text);
		free(r->changes[i].new_text);
	}
	for (size_t i = 0; i < r->n_decls; i++) {
		free(r->decls[i].name);
		free(r->decls[i].old_text);
		free(r->decls[i].new_text);
	}
	free(r->changes);
	free(r->decls);
	memset(r, 0, sizeof(*r));
}

const char *pdiff_kind_name(pdiff_kind k)
{
	switch (k) {
	case PDIFF_GAINED: return "gained";
	case PDIFF_LOST: return "lost";
	case PDIFF_NOW_CONDITIONAL: return "now-conditional";
	case PDIFF_NOW_UNCONDITIONAL: return "now-unconditional";
	case PDIFF_CONDITION_CHANGED: return "condition-changed";
	}
	return "?";
}

bool pdiff_widens(pdiff_kind k)
{
	return k == PDIFF_GAINED || k == PDIFF_NOW_UNCONDITIONAL ||
	       k == PDIFF_CONDITION_CHANGED;
}
