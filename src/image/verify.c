/*
 * verify.c - layer 3 of the loader: every index, count and ordering rule
 * of format.h checked before anything reads through it (the model is
 * libsepol's policydb_validate.c: a binary is untrusted input). Each check
 * names the record that failed.
 */
#include <math.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "image/load_internal.h"

static bool range_ok(uint32_t first, uint32_t n, uint32_t size)
{
	return first <= size && n <= size - first;
}

static pdp_status verify_strings(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_STRTAB]; i++) {
		const img_strtab_rec *r = img_strtab(img, i);
		CHECK(range_ok(r->off, r->len, img->blob_len) &&
		          r->len <= PDP_MAX_STRING_BYTES,
		      "string %u is out of bounds", i);
	}
	return PDP_OK;
}

static bool str_ok(const pdp_image *img, uint32_t id)
{
	return id < img->count[SEC_STRTAB];
}

static bool opt_str_ok(const pdp_image *img, uint32_t id)
{
	return id == IMG_NONE || str_ok(img, id);
}

static pdp_status verify_list(verifier *v, enum img_section list,
                              uint32_t first, uint32_t n,
                              enum img_section target, const char *what)
{
	pdp_image *img = v->img;
	CHECK(range_ok(first, n, img->count[list]), "%s list out of bounds",
	      what);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t x = img_word(img, list, first + i);
		uint32_t limit = target == SEC_STRTAB ? img->count[SEC_STRTAB]
		                                      : img->count[target];
		CHECK(x < limit, "%s entry %u is out of range", what, i);
	}
	return PDP_OK;
}


static pdp_status verify_roles(verifier *v)
{
	pdp_image *img = v->img;
	CHECK(img->count[SEC_ROLES] <= PDP_MAX_ROLES, "too many roles");
	for (uint32_t i = 0; i < img->count[SEC_ROLES]; i++) {
		const img_role_rec *r = img_role(img, i);
		CHECK(str_ok(img, r->name), "role %u has a bad name", i);
		CHECK(range_ok(r->jr_first, r->jr_count, img->count[SEC_ROLEJR]),
		      "role %u juniors out of bounds", i);
		for (uint32_t j = 0; j < r->jr_count; j++)
			CHECK(img_word(img, SEC_ROLEJR, r->jr_first + j) < i,
			      "role %u: junior not in topological order", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_CONSTRAINTS]; i++) {
		const img_constraint_rec *k = img_constraint(img, i);
		CHECK((k->kind == CONSTRAINT_SSD || k->kind == CONSTRAINT_DSD) &&
		          str_ok(img, k->name),
		      "constraint %u is malformed", i);
		CHECK(k->n >= 2 && k->n <= k->mem_count, "constraint %u: bad n", i);
		TRY(verify_list(v, SEC_CONSTRMEM, k->mem_first, k->mem_count, SEC_ROLES,
		                "constraint roles"));
	}
	return PDP_OK;
}

static pdp_status verify_principals(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_PRINCIPALS]; i++) {
		const img_principal_rec *p = img_principal(img, i);
		CHECK(str_ok(img, p->name), "principal %u has a bad name", i);
		TRY(verify_list(v, SEC_PRINROLES, p->role_first, p->role_count,
		                SEC_ROLES, "assigned roles"));
		TRY(verify_list(v, SEC_PRINGROUPS, p->group_first, p->group_count,
		                SEC_GROUPS,
		                "group memberships"));
	}
	for (uint32_t i = 0; i < img->count[SEC_GROUPS]; i++) {
		const img_group_rec *g = img_group(img, i);
		CHECK(str_ok(img, g->name), "group %u has a bad name", i);
		TRY(verify_list(v, SEC_GROUPGLOBS, g->glob_first, g->glob_count,
		                SEC_STRTAB,
		                "group globs"));
	}
	return PDP_OK;
}

static bool type_ok(uint32_t t)
{
	return t >= PDP_TYPE_INT && t <= PDP_TYPE_SET;
}

static pdp_status verify_attrs(verifier *v)
{
	pdp_image *img = v->img;
	static const pdp_type builtin[IMG_BUILTIN_ATTRS] = {
		PDP_TYPE_STRING, PDP_TYPE_STRING, PDP_TYPE_STRING,
		PDP_TYPE_TIME, PDP_TYPE_IP, PDP_TYPE_STRING};
	CHECK(img->count[SEC_ATTRS] >= IMG_BUILTIN_ATTRS,
	      "built-in attributes missing");
	for (uint32_t i = 0; i < img->count[SEC_ATTRS]; i++) {
		const img_attr_rec *a = img_attr(img, i);
		CHECK(str_ok(img, a->name) && type_ok(a->type), "attribute %u is "
		                                          "malformed", i);
		if (i < IMG_BUILTIN_ATTRS) {
			static const char *const names[IMG_BUILTIN_ATTRS] = {
				"originator.id", "operation", "resource.type",
				"env.time", "env.ip", "env.country"};
			pdp_str n = img_str(img, a->name);
			CHECK(a->type == (uint32_t)builtin[i] &&
			          n.len == strlen(names[i]) &&
			          memcmp(n.ptr, names[i], n.len) == 0,
			      "built-in attribute %u is not %s", i, names[i]);
		}
	}
	return PDP_OK;
}

static pdp_type attr_type(const pdp_image *img, uint32_t id)
{
	return (pdp_type)img_attr(img, id)->type;
}

/* Which operator/type/right-side combinations the compiler can produce
 * (docs/language.md section 9.2). The evaluator picks its reading of `rhs` from
 * the attribute's type, so any other combination would make it read the
 * wrong table: such an image is rejected. */
static bool cond_shape_ok(uint32_t op, pdp_type t, uint32_t rk)
{
	bool lit_or_attr = rk == RHS_LIT || rk == RHS_ATTR;
	switch (op) {
	case COP_PRESENT:
		return rk == RHS_LIT;
	case COP_EQ:
	case COP_NE:
		return t != PDP_TYPE_SET && lit_or_attr;
	case COP_LT:
	case COP_LE:
	case COP_GT:
	case COP_GE:
		return (t == PDP_TYPE_INT || t == PDP_TYPE_TIME) && lit_or_attr;
	case COP_IN:
		return (t == PDP_TYPE_INT || t == PDP_TYPE_STRING) && rk == RHS_LIST;
	case COP_PREFIX:
		return t == PDP_TYPE_STRING && lit_or_attr;
	case COP_MATCHES:
		return t == PDP_TYPE_STRING && rk == RHS_REGEX;
	case COP_IN_CIDR:
		return t == PDP_TYPE_IP && rk == RHS_LIST;
	case COP_CONTAINS:
		return t == PDP_TYPE_SET && lit_or_attr;
	default:
		return false;
	}
}

/* Conditions are in post-order, so "child < parent" makes the graph acyclic
 * and lets depth be computed in one forward pass. Each node may also have at
 * most one parent (or be one rule's root): the evaluator walks conditions as
 * trees, and a DAG that reuses nodes would make that walk exponential. */
static pdp_status verify_conds(verifier *v, uint8_t *depth)
{
	pdp_image *img = v->img;
	uint32_t n = img->count[SEC_CONDS];
	memset(depth + n, 0, n);
	uint8_t *used = depth + n;
	for (uint32_t i = 0; i < img->count[SEC_RULES]; i++) {
		uint32_t root = img_rule(img, i)->cond;
		if (root == IMG_NONE)
			continue;
		CHECK(root < n && !used[root], "rule %u: condition %u shared or "
		                               "out of range", i, root);
		used[root] = 1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const img_cond_rec *k = img_cond(img, i);
		uint32_t op = k->op, attr = k->attr, rk = k->rhs_kind, rhs = k->rhs,
		         first = k->first, cnt = k->count;
		CHECK(op < COP_COUNT, "condition %u: bad operator", i);
		depth[i] = 1;
		if (op == COP_TRUE || op == COP_FALSE)
			continue;
		if (op == COP_ALL || op == COP_ANY || op == COP_NOT) {
			CHECK(range_ok(first, cnt, img->count[SEC_CONDKIDS]),
			      "condition %u: children out of bounds", i);
			CHECK(op != COP_NOT || cnt == 1, "condition %u: not needs "
			                                 "one child", i);
			for (uint32_t j = 0; j < cnt; j++) {
				uint32_t kid = img_word(img, SEC_CONDKIDS, first + j);
				CHECK(kid < i, "condition %u: child not before parent",
				      i);
				CHECK(!used[kid], "condition %u: child %u has two parents",
				      i, kid);
				used[kid] = 1;
				if (depth[kid] + 1u > depth[i])
					depth[i] = (uint8_t)(depth[kid] + 1u);
			}
			CHECK(depth[i] <= PDP_MAX_COND_DEPTH,
			      "condition %u nested deeper than %u", i,
			      PDP_MAX_COND_DEPTH);
			continue;
		}
		CHECK(attr < v->decl->count[SEC_ATTRS],
		      "condition %u: bad attribute", i);
		pdp_type t = attr_type(v->decl, attr);
		CHECK(cond_shape_ok(op, t, rk),
		      "condition %u: operator does not fit the attribute type", i);
		switch (rk) {
		case RHS_ATTR:
			CHECK(rhs < v->decl->count[SEC_ATTRS],
			      "condition %u: bad right attribute", i);
			CHECK(attr_type(v->decl, rhs) ==
			          (op == COP_CONTAINS ? PDP_TYPE_STRING : t),
			      "condition %u: right attribute of another type", i);
			break;
		case RHS_REGEX:
			CHECK(op == COP_MATCHES && rhs < img->count[SEC_REGEXES],
			      "condition %u: bad regex", i);
			break;
		case RHS_LIST:
			if (op == COP_IN_CIDR) {
				CHECK(range_ok(first, cnt, img->count[SEC_CIDRS]),
				      "condition %u: CIDR list out of bounds", i);
			} else {
				CHECK(op == COP_IN, "condition %u: list needs in", i);
				TRY(verify_list(v, SEC_LISTITEMS, first, cnt,
				                t == PDP_TYPE_INT ? SEC_INTS : SEC_STRTAB,
				                "in list"));
			}
			break;
		case RHS_LIT:
			if (op == COP_PRESENT || t == PDP_TYPE_BOOL)
				CHECK(rhs <= 1, "condition %u: bad boolean", i);
			else if (op == COP_CONTAINS || op == COP_PREFIX ||
			         t == PDP_TYPE_STRING)
				CHECK(str_ok(img, rhs), "condition %u: bad string", i);
			else if (t == PDP_TYPE_INT)
				CHECK(rhs < img->count[SEC_INTS], "condition %u: bad int",
				      i);
			else if (t == PDP_TYPE_IP)
				CHECK(rhs < img->count[SEC_CIDRS], "condition %u: bad ip",
				      i);
			else if (t == PDP_TYPE_TIME)
				CHECK(rhs < img->count[SEC_TIMES],
				      "condition %u: bad time", i);
			else
				CHECK(false, "condition %u: literal of wrong type", i);
			break;
		default:
			CHECK(false, "condition %u: bad right side", i);
		}
	}
	return PDP_OK;
}

/* The decision records (format.h): two per ACP, each exactly what its
 * section's rules make of it, so that a decision by the records and a walk
 * of the rules agree on every image the loader accepts. Images of formats
 * 1 and 2 have none. Runs after the ACPs' rule ranges were checked. */
static pdp_status verify_decide(verifier *v)
{
	pdp_image *img = v->img;
	if (!img->decide) {
		CHECK(img->count[SEC_DECIDE] == 0, "decision records in an image "
		                                   "of format 1 or 2");
		return PDP_OK;
	}
	CHECK(img->count[SEC_DECIDE] == 2u * (uint64_t)img->count[SEC_ACPS],
	      "%u decision records for %u ACPs (two per ACP)",
	      img->count[SEC_DECIDE], img->count[SEC_ACPS]);
	for (uint32_t i = 0; i < img->count[SEC_ACPS]; i++) {
		const img_acp_rec *a = img_acp(img, i);
		for (uint32_t s = 0; s < 2; s++) {
			img_decide_rec want = img_decide_of(
				img_rule(img, s ? a->self_first : a->priv_first),
				s ? a->self_count : a->priv_count);
			CHECK(memcmp(img_decide(img, 2 * i + s), &want,
			             sizeof(want)) == 0,
			      "ACP %u: decision record %u does not match its rules",
			      i, s);
		}
	}
	return PDP_OK;
}

/* ACPs, rules, originator entries and the environment records (contexts,
 * windows, CIDRs, circles, objects, regexes, sources). Beyond bounds, each
 * rule must point back at the ACP section that lists it, at its position:
 * decisions report a rule by (ACP, section, index) and audit walks rules
 * by their own record, so the two views must agree. Circles are checked
 * as numbers too: a NaN radius would make every distance test false
 * without a word. */
IMG_LOAD_ONCE static pdp_status verify_acps(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_ACPS]; i++) {
		const img_acp_rec *a = img_acp(img, i);
		CHECK(str_ok(img, a->id) && opt_str_ok(img, a->rn),
		      "ACP %u has a bad name", i);
		CHECK(range_ok(a->priv_first, a->priv_count, img->count[SEC_RULES]) &&
		          range_ok(a->self_first, a->self_count,
		                   img->count[SEC_RULES]) &&
		          range_ok(a->orig_first, a->orig_count,
		                   img->count[SEC_ORIGS]) &&
		          a->ctx_first <= img->count[SEC_CONTEXTS] &&
		          a->win_first <= img->count[SEC_WINDOWS] &&
		          a->cidr_first <= img->count[SEC_CIDRS] &&
		          a->cond_first <= img->count[SEC_CONDS],
		      "ACP %u rules out of bounds", i);
		for (uint32_t s = 0; s < 2; s++) {
			uint32_t first = s ? a->self_first : a->priv_first,
			         n = s ? a->self_count : a->priv_count;
			for (uint32_t j = 0; j < n; j++) {
				const img_rule_rec *r = img_rule(img, first + j);
				CHECK(r->acp == i && r->index == j &&
				          ((r->flags & RULE_FLAG_SELF) != 0) == (s == 1),
				      "ACP %u rule %u does not point back", i, j);
			}
		}
	}
	return PDP_OK;
}

/* The ACPs' checks above, the rules' and their lists', then the decision
 * records, computed from the checked rule ranges. */
IMG_LOAD_ONCE static pdp_status verify_rules(verifier *v)
{
	TRY(verify_acps(v));
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_RULES]; i++) {
		const img_rule_rec *r = img_rule(img, i);
		CHECK(r->flags <= 7 && r->ops >= 1 && r->ops <= 63,
		      "rule %u: bad flags or operations", i);
		CHECK(r->acp < img->count[SEC_ACPS], "rule %u: bad ACP", i);
		CHECK(range_ok(r->orig_first, r->orig_count, img->count[SEC_ORIGS]) &&
		          range_ok(r->ctx_first, r->ctx_count,
		                   img->count[SEC_CONTEXTS]) &&
		          range_ok(r->obj_first, r->obj_count,
		                   img->count[SEC_OBJECTS]),
		      "rule %u: list out of bounds", i);
		CHECK(r->cond == IMG_NONE || r->cond < img->count[SEC_CONDS],
		      "rule %u: bad condition", i);
		CHECK(opt_str_ok(img, r->id), "rule %u: bad id", i);
		CHECK(r->source == IMG_NONE || r->source < img->count[SEC_SOURCES],
		      "rule %u: bad source", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_ORIGS]; i++) {
		const img_orig_rec *o = img_orig(img, i);
		switch (o->kind) {
		case ORIG_ALL:
			break;
		case ORIG_EXACT:
		case ORIG_GLOB:
			CHECK(str_ok(img, o->value), "originator %u: bad string", i);
			break;
		case ORIG_GROUP:
			CHECK(o->value < v->n_groups, "originator %u: bad group",
			      i);
			break;
		case ORIG_ROLE:
			CHECK(o->value < v->decl->count[SEC_ROLES],
			      "originator %u: bad role",
			      i);
			break;
		default:
			CHECK(false, "originator %u: bad kind", i);
		}
	}
	for (uint32_t i = 0; i < img->count[SEC_CONTEXTS]; i++) {
		const img_context_rec *x = img_context(img, i);
		CHECK(range_ok(x->win_first, x->win_count, img->count[SEC_WINDOWS]) &&
		          range_ok(x->ip_first, x->ip_count, img->count[SEC_CIDRS]) &&
		          range_ok(x->cc_first, x->cc_count,
		                   img->count[SEC_COUNTRIES]) &&
		          range_ok(x->circ_first, x->circ_count,
		                   img->count[SEC_CIRCLES]),
		      "context %u: list out of bounds", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_WINDOWS]; i++)
		CHECK(opt_str_ok(img, img_window(img, i)->source),
		      "window %u: bad source", i);
	for (uint32_t i = 0; i < img->count[SEC_CIDRS]; i++)
		CHECK(img_cidr(img, i)->prefix <= 128, "CIDR %u: bad prefix",
		      i);
	for (uint32_t i = 0; i < img->count[SEC_CIRCLES]; i++) {
		const img_circle_rec *c = img_circle(img, i);
		double lat = img_double(c->lat), lon = img_double(c->lon),
		       rad = img_double(c->radius);
		CHECK(isfinite(lat) && isfinite(lon) && isfinite(rad) &&
		          fabs(lat) <= 90 && fabs(lon) <= 180 && rad >= 0,
		      "circle %u: bad coordinates", i);
	}
	for (uint32_t i = 0; i < img->count[SEC_OBJECTS]; i++) {
		const img_object_rec *o = img_object(img, i);
		CHECK(range_ok(o->ty_first, o->ty_count, img->count[SEC_OBJTYPES]) &&
		          range_ok(o->ch_first, o->ch_count, img->count[SEC_OBJTYPES]),
		      "object %u: types out of bounds", i);
		TRY(verify_list(v, SEC_OBJSPECS, o->sp_first, o->sp_count, SEC_STRTAB,
		                "specializations"));
	}
	for (uint32_t i = 0; i < img->count[SEC_REGEXES]; i++)
		CHECK(str_ok(img, img_word(img, SEC_REGEXES, i)),
		      "regex %u: bad pattern", i);
	for (uint32_t i = 0; i < img->count[SEC_SOURCES]; i++)
		CHECK(str_ok(img, img_word(img, SEC_SOURCES, i)),
		      "source %u: bad name", i);
	return verify_decide(v);
}

/* The hosting CSE's ids, well formed as origin.c needs them. */
static pdp_status verify_host(verifier *v)
{
	pdp_image *img = v->img;
	CHECK(img->count[SEC_HOST] <= 1, "more than one host record");
	if (img->count[SEC_HOST] == 0)
		return PDP_OK;
	const img_host_rec *h = img_host_at(img, 0);
	CHECK(str_ok(img, h->sp) && str_ok(img, h->cse), "host record: bad string");
	img->host_sp = img_str(img, h->sp);
	img->host_cse = img_str(img, h->cse);
	CHECK(origin_sp_valid(img->host_sp) && origin_cse_valid(img->host_cse),
	      "host record: malformed SP-ID or CSE-ID");
	img->host = true;
	return PDP_OK;
}


IMG_LOAD_ONCE pdp_status img_verify_exact_origs(verifier *v)
{
	pdp_image *img = v->img;
	for (uint32_t i = 0; i < img->count[SEC_ORIGS]; i++) {
		const img_orig_rec *o = img_orig(img, i);
		if (o->kind != ORIG_EXACT)
			continue;
		uint32_t p = img_lookup(img, &img->h_principal, SEC_PRINCIPALS,
		                        img_str(img, o->value));
		CHECK(p != PDP_NONE && img_principal(img, p)->name == o->value,
		      "originator %u: exact id is not a principal", i);
	}
	return PDP_OK;
}


IMG_LOAD_ONCE static pdp_status verify_conds_of(verifier *v)
{
	uint8_t *depth = malloc(2u * (size_t)v->img->count[SEC_CONDS] + 1u);
	if (depth == NULL)
		return img_fail(v->err, PDP_ERR_NOMEM, "out of memory");
	pdp_status st = verify_conds(v, depth);
	free(depth);
	return st;
}


IMG_LOAD_ONCE pdp_status img_verify_tables(verifier *v)
{
	TRY(verify_strings(v));
	TRY(verify_roles(v));
	TRY(verify_principals(v));
	TRY(verify_attrs(v));
	TRY(verify_conds_of(v));
	TRY(verify_rules(v));
	return verify_host(v);
}

pdp_status img_verify_segment_tables(verifier *v)
{
	TRY(verify_strings(v));
	TRY(verify_conds_of(v));
	return verify_rules(v);
}
