/*
 * read_policy.c - documents: the `pdp: 1` form with its declarations, or
 * native m2m:acp objects (alone or in a list). Produces model entries; name
 * resolution and cross-file checks happen in resolve.c.
 */
#include <stdio.h>
#include <string.h>

#include "common/limits.h"
#include "compiler/cc.h"

static bool read_name_list(cc *c, ynode *n, const char *what,
                           void *vec_ptr)
{
	VEC(m_name_ref) *v = vec_ptr;
	if (n->kind != YN_SEQ) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a list for %s, found %s", what,
		         yn_kind_name(n));
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		m_name_ref r = {0};
		if (!read_string(c, n->items[i], &r.name)) {
			ok = false;
			continue;
		}
		r.pos = n->items[i]->pos;
		VEC_PUSH(c, *v, r);
	}
	return ok;
}

static bool map_or_null(cc *c, ynode *n, const char *what)
{
	if (n->kind == YN_MAP)
		return true;
	cc_error(c, n->pos, DIAG_E_TYPE, "expected a mapping for '%s', found %s", what,
	         yn_kind_name(n));
	return false;
}

static bool is_empty_scalar(const ynode *n)
{
	return n->kind == YN_SCALAR && n->plain &&
	       (n->len == 0 || yn_is(n, "~") || yn_is(n, "null"));
}

static void read_attributes(cc *c, ynode *n)
{
	if (!map_or_null(c, n, "attributes"))
		return;
	static const struct {
		const char *name;
		pdp_type t;
	} TYPES[] = {{"int", PDP_TYPE_INT}, {"string", PDP_TYPE_STRING},
	             {"bool", PDP_TYPE_BOOL}, {"ip", PDP_TYPE_IP},
	             {"time", PDP_TYPE_TIME}, {"set<string>", PDP_TYPE_SET}};
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		ynode *k = n->items[i], *v = n->items[i + 1];
		m_attr *a = cc_alloc(c, sizeof(*a));
		if (a == NULL || !read_string(c, k, &a->name))
			continue;
		a->pos = k->pos;
		for (size_t j = 0; j < sizeof(TYPES) / sizeof(TYPES[0]); j++)
			if (yn_is(v, TYPES[j].name))
				a->type = TYPES[j].t;
		if (a->type == PDP_TYPE_NONE) {
			cc_report(c, v->pos, DIAG_E_ATTR_TYPE,
			          "types: int string bool ip time set<string>",
			          "unknown attribute type '%s' for '%s'",
			          v->kind == YN_SCALAR ? v->str : yn_kind_name(v),
			          a->name);
			continue;
		}
		VEC_PUSH(c, c->attrs, a);
	}
}

/* `cse: { sp_id: example.com, cse_id: /id-in }`: the hosting CSE, so
 * that every form of an originator id names the same entity
 * (docs/language.md, originator ID forms). */
static void read_host(cc *c, ynode *n)
{
	static const char *const keys[] = {"sp_id", "cse_id", NULL};
	if (!map_or_null(c, n, "cse"))
		return;
	check_keys(c, n, keys, "cse");
	if (c->host_sp.ptr != NULL) {
		cc_error(c, n->pos, DIAG_E_DUPLICATE,
		         "the hosting CSE is already declared at %u:%u; declare it "
		         "once",
		         c->host_pos.line, c->host_pos.col);
		return;
	}
	ynode *sp = yn_get(n, "sp_id"), *cse = yn_get(n, "cse_id");
	const char *a, *b;
	if (sp == NULL || cse == NULL) {
		cc_error(c, n->pos, DIAG_E_MISSING,
		         "cse needs sp_id (the M2M-SP-ID, e.g. example.com) and "
		         "cse_id (e.g. /id-in)");
		return;
	}
	if (!read_string(c, sp, &a) || !read_string(c, cse, &b))
		return;
	pdp_str s1 = {a, sp->len}, s2 = {b, cse->len};
	if (s1.len >= 2 && a[0] == '/' && a[1] == '/') {
		s1.ptr += 2; /* "//example.com" and "example.com" are one SP-ID */
		s1.len -= 2;
	}
	if (!origin_sp_valid(s1)) {
		cc_error(c, sp->pos, DIAG_E_HOST,
		         "sp_id '%s' is not an M2M-SP-ID: a name of 1 to %u bytes "
		         "without '/', '*', '?' or spaces",
		         a, PDP_MAX_HOST_ID_BYTES);
		return;
	}
	if (!origin_cse_valid(s2)) {
		cc_error(c, cse->pos, DIAG_E_HOST,
		         "cse_id '%s' is not a CSE-ID in SP-relative form: '/' and "
		         "a name without '/', '*', '?' or spaces",
		         b);
		return;
	}
	c->host_sp = s1;
	c->host_cse = s2;
	c->host_pos = n->pos;
}

/* What an originator-like name would mean in a rule's originators, when
 * that is more than one literal id: groups and assignments hold plain ids
 * (and groups globs), so such a name there is refused rather than taken as
 * a literal id its author did not mean. */
typedef enum orig_like {
	LIKE_ID, LIKE_ALL, LIKE_GROUP, LIKE_ROLE, LIKE_GLOB
} orig_like;

static orig_like originator_like(const char *s)
{
	size_t len = strlen(s);
	pdp_str str = {s, len};
	if (strcmp(s, "all") == 0)
		return LIKE_ALL;
	if (strncmp(s, "group:", 6) == 0)
		return LIKE_GROUP;
	if (strncmp(s, "role:", 5) == 0)
		return LIKE_ROLE;
	return glob_has_wildcard(str) ? LIKE_GLOB : LIKE_ID;
}

/* A group member: an id or a glob, never all, group:NAME or role:NAME. */
static void check_group_member(cc *c, const m_group *g, const m_name_ref *m)
{
	if (strlen(m->name) > PDP_MAX_ID_BYTES || m->name[0] == '\0') {
		cc_error(c, m->pos, DIAG_E_LIMIT, "group member must be 1 to %u bytes",
		         PDP_MAX_ID_BYTES);
		return;
	}
	switch (originator_like(m->name)) {
	case LIKE_ALL:
		cc_report(c, m->pos, DIAG_E_GROUP_MEMBER,
		          "to grant every originator, write all in the rule's "
		          "originators instead of the group",
		          "group member 'all' of group '%s' would be the literal id "
		          "'all', not every originator",
		          g->name);
		break;
	case LIKE_GROUP:
		cc_report(c, m->pos, DIAG_E_GROUP_MEMBER,
		          "list that group's members here, or name both groups in "
		          "the rule's originators",
		          "group '%s' cannot contain '%s': groups do not nest",
		          g->name, m->name);
		break;
	case LIKE_ROLE:
		cc_report(c, m->pos, DIAG_E_GROUP_MEMBER,
		          "write it in the rule's originators next to the group",
		          "group '%s' cannot contain '%s': a group holds originator "
		          "ids and globs, not roles",
		          g->name, m->name);
		break;
	default:
		break;
	}
}

static void read_groups(cc *c, ynode *n)
{
	if (!map_or_null(c, n, "groups"))
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		ynode *k = n->items[i], *v = n->items[i + 1];
		m_group *g = cc_alloc(c, sizeof(*g));
		if (g == NULL || !read_string(c, k, &g->name))
			continue;
		g->pos = k->pos;
		if (!read_name_list(c, v, "group members", &g->members))
			continue;
		/* declared even with bad members, so that rules naming it get
		 * no second, misleading "undeclared" error */
		for (size_t m = 0; m < g->members.n; m++)
			check_group_member(c, g, &g->members.items[m]);
		VEC_PUSH(c, c->groups, g);
	}
}

static void read_roles(cc *c, ynode *n)
{
	static const char *const keys[] = {"inherits", "description", NULL};
	if (!map_or_null(c, n, "roles"))
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		ynode *k = n->items[i], *v = n->items[i + 1];
		m_role *r = cc_alloc(c, sizeof(*r));
		if (r == NULL || !read_string(c, k, &r->name))
			continue;
		r->pos = k->pos;
		if (!is_empty_scalar(v)) {
			if (!map_or_null(c, v, "a role"))
				continue;
			check_keys(c, v, keys, "role");
			ynode *inh = yn_get(v, "inherits");
			if (inh != NULL &&
			    !read_name_list(c, inh, "inherits", &r->inherits))
				continue;
		}
		VEC_PUSH(c, c->roles, r);
	}
}

/* An assignment key is one originator id: roles are looked up by the
 * request's originator, byte for byte, so a pattern there would never be
 * expanded. */
static bool check_assignee(cc *c, const char *user, srcpos pos)
{
	static const char *const hints[] = {
		[LIKE_ALL] = "pdp has no default assignment: assign the roles to "
		             "each originator id",
		[LIKE_GROUP] = "assign the roles to each member of the group, or "
		               "grant the group in the rules (group:NAME)",
		[LIKE_ROLE] = "assign roles to originator ids; to make one role "
		              "senior to another, use inherits",
		[LIKE_GLOB] = "list each originator id, or grant the glob in the "
		              "rules' originators",
	};
	orig_like like = originator_like(user);
	if (like == LIKE_ID)
		return true;
	cc_report(c, pos, DIAG_E_ASSIGNMENT, hints[like],
	          "assignment key '%s' looks like %s, but an assignment applies "
	          "to one exact originator id (this one only to an originator "
	          "literally named '%s')",
	          user,
	          like == LIKE_ALL     ? "'all'"
	          : like == LIKE_GROUP ? "a group"
	          : like == LIKE_ROLE  ? "a role"
	                             : "a glob",
	        user);
	return false;
}

static void read_assignments(cc *c, ynode *n)
{
	if (!map_or_null(c, n, "assignments"))
		return;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		ynode *k = n->items[i], *v = n->items[i + 1];
		m_assign *a = cc_alloc(c, sizeof(*a));
		if (a == NULL || !read_string(c, k, &a->user) ||
		    !check_assignee(c, a->user, k->pos))
			continue;
		a->pos = k->pos;
		if (read_name_list(c, v, "assigned roles", &a->roles))
			VEC_PUSH(c, c->assigns, a);
	}
}

/* `constraints: { ssd: [...], dsd: [...] }`: each set names roles and n.
 * Only the shape is read here; resolve checks the names, n against the
 * role count and (SSD) every assignment. */
static void read_constraint_list(cc *c, ynode *n, bool dsd)
{
	static const char *const keys[] = {"name", "roles", "n", "description",
	                                   NULL};
	if (n->kind != YN_SEQ) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a list for %s, found %s",
		         dsd ? "dsd" : "ssd", yn_kind_name(n));
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		ynode *e = n->items[i];
		if (!map_or_null(c, e, "a constraint"))
			continue;
		check_keys(c, e, keys, "constraint");
		m_constraint *k = cc_alloc(c, sizeof(*k));
		if (k == NULL)
			continue;
		k->dsd = dsd;
		k->pos = e->pos;
		ynode *name = yn_get(e, "name"), *roles = yn_get(e, "roles"),
		      *nn = yn_get(e, "n");
		if (roles == NULL || nn == NULL) {
			cc_error(c, e->pos, DIAG_E_MISSING,
			         "a constraint needs roles and n (and a name)");
			continue;
		}
		int64_t v;
		char auto_name[32];
		snprintf(auto_name, sizeof(auto_name), "%s-%zu", dsd ? "dsd" : "ssd",
		         i);
		bool ok = name != NULL ? read_string(c, name, &k->name)
		                       : (k->name = cc_strndup(c, auto_name,
		                                               strlen(auto_name))) != NULL;
		ok &= read_name_list(c, roles, "constraint roles", &k->roles);
		ok &= read_int(c, nn, &v);
		if (!ok)
			continue;
		k->n_pos = nn->pos;
		if (v < 2 || (uint64_t)v > k->roles.n) {
			cc_error(c, nn->pos, DIAG_E_CONSTRAINT,
			         "constraint '%s': n = %lld must be between 2 and the "
			         "number of roles (%zu)",
			         k->name, (long long)v, k->roles.n);
			continue;
		}
		k->n = (uint32_t)v;
		VEC_PUSH(c, c->constraints, k);
	}
}

static void read_constraints(cc *c, ynode *n)
{
	static const char *const keys[] = {"ssd", "dsd", NULL};
	if (!map_or_null(c, n, "constraints"))
		return;
	check_keys(c, n, keys, "constraints");
	ynode *v;
	if ((v = yn_get(n, "ssd")) != NULL)
		read_constraint_list(c, v, false);
	if ((v = yn_get(n, "dsd")) != NULL)
		read_constraint_list(c, v, true);
}

static bool read_rule_list(cc *c, ynode *n, bool self, m_acp *a)
{
	if (n->kind != YN_SEQ) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a list of rules for '%s'",
		         self ? "self" : "privileges");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		m_rule *r = read_rule(c, n->items[i], self);
		if (r == NULL) {
			ok = false;
			continue;
		}
		if (self) {
			r->index = (uint32_t)a->self.n;
			VEC_PUSH(c, a->self, r);
		} else {
			r->index = (uint32_t)a->priv.n;
			VEC_PUSH(c, a->priv, r);
		}
	}
	return ok;
}

static void read_acp(cc *c, ynode *n)
{
	static const char *const keys[] = {"id", "privileges", "self",
	                                   "description", NULL};
	ynode *native = yn_get(n, "m2m:acp");
	if (native == NULL)
		native = yn_get(n, "m2m:acpA"); /* announced copy: same privileges */
	if (n->kind == YN_MAP && native != NULL) {
		if (n->n != 2)
			cc_error(c, n->pos, DIAG_E_NATIVE,
			         "an m2m:acp entry must hold only the m2m:acp key");
		read_native_acp(c, native, n->items[0]->pos);
		return;
	}
	if (n->kind != YN_MAP) {
		cc_error(c, n->pos, DIAG_E_TYPE, "expected a mapping for an ACP, found %s",
		         yn_kind_name(n));
		return;
	}
	check_keys(c, n, keys, "ACP");
	m_acp *a = cc_alloc(c, sizeof(*a));
	if (a == NULL)
		return;
	a->pos = n->pos;
	ynode *v = yn_get(n, "id");
	if (v == NULL) {
		cc_error(c, n->pos, DIAG_E_MISSING, "ACP has no 'id'");
		return;
	}
	if (!read_string(c, v, &a->id))
		return;
	a->pos = v->pos;
	bool ok = true;
	if ((v = yn_get(n, "privileges")) != NULL)
		ok &= read_rule_list(c, v, false, a);
	if ((v = yn_get(n, "self")) != NULL)
		ok &= read_rule_list(c, v, true, a);
	if (ok)
		VEC_PUSH(c, c->acps, a);
}

void read_acps_item(cc *c, ynode *item)
{
	read_acp(c, item);
}

static void read_pdp_document(cc *c, ynode *doc)
{
	static const char *const keys[] = {"pdp", "cse", "attributes", "groups",
	                                   "roles", "assignments", "constraints",
	                                   "acps", "description", NULL};
	check_keys(c, doc, keys, "policy document");
	ynode *v = yn_get(doc, "pdp");
	int64_t ver = 0;
	if (v->kind != YN_SCALAR || !yn_is(v, "1")) {
		cc_error(c, v->pos, DIAG_E_VERSION,
		         "unsupported format version '%s': this pdp reads pdp: 1",
		         v->kind == YN_SCALAR ? v->str : yn_kind_name(v));
		return;
	}
	(void)ver;
	c->seen_version = true;
	if ((v = yn_get(doc, "cse")) != NULL)
		read_host(c, v);
	if ((v = yn_get(doc, "attributes")) != NULL && !is_empty_scalar(v))
		read_attributes(c, v);
	if ((v = yn_get(doc, "groups")) != NULL && !is_empty_scalar(v))
		read_groups(c, v);
	if ((v = yn_get(doc, "roles")) != NULL && !is_empty_scalar(v))
		read_roles(c, v);
	if ((v = yn_get(doc, "assignments")) != NULL && !is_empty_scalar(v))
		read_assignments(c, v);
	if ((v = yn_get(doc, "constraints")) != NULL && !is_empty_scalar(v))
		read_constraints(c, v);
	if ((v = yn_get(doc, "acps")) != NULL && !is_empty_scalar(v)) {
		if (v->kind != YN_SEQ) {
			cc_error(c, v->pos, DIAG_E_TYPE, "expected a list for 'acps', found %s",
			         yn_kind_name(v));
			return;
		}
		for (size_t i = 0; i < v->n; i++)
			read_acp(c, v->items[i]);
	}
}

void read_document(cc *c, ynode *doc)
{
	if (doc->kind == YN_MAP && yn_get(doc, "pdp") != NULL) {
		read_pdp_document(c, doc);
		return;
	}
	if (doc->kind == YN_MAP && (yn_get(doc, "m2m:acp") != NULL ||
	                            yn_get(doc, "m2m:acpA") != NULL)) {
		read_acp(c, doc);
		return;
	}
	if (doc->kind == YN_SEQ && doc->n > 0) {
		for (size_t i = 0; i < doc->n; i++) {
			ynode *e = doc->items[i];
			if (e->kind != YN_MAP || (yn_get(e, "m2m:acp") == NULL &&
			                          yn_get(e, "m2m:acpA") == NULL)) {
				cc_error(c, e->pos, DIAG_E_DOCUMENT,
				         "a list document must hold m2m:acp objects");
				continue;
			}
			read_acp(c, e);
		}
		return;
	}
	cc_report(c, doc->pos, DIAG_E_VERSION,
	          "start the file with 'pdp: 1', or give an {\"m2m:acp\": ...} "
	          "object or a list of them",
	          "not a pdp policy: missing 'pdp' version key");
}
