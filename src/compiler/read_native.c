/*
 * read_native.c - the oneM2M accessControlPolicy resource in short names
 * (TS-0004): ri, rn, pv{acr}, pvs{acr}; acr: acor, acop, acco (actw, acip,
 * aclr), acaf, acod (ty, spty, chty). Ordinary resource attributes are
 * ignored; features that would widen access if ignored are rejected.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/cc.h"


/* Attributes that restrict access in newer releases: ignoring them would
 * grant more than the author meant, so they are errors. */
static const char *const UNSUPPORTED[] = {"aca", "acui", "acec", "acl", NULL};

/* An optional attribute; a JSON null (as some serialisers write for unset
 * attributes) counts as absent. */
static ynode *get_opt(const ynode *map, const char *key)
{
	ynode *v = yn_get(map, key);
	if (v != NULL && v->kind == YN_SCALAR && v->plain &&
	    (v->len == 0 || yn_is(v, "null") || yn_is(v, "~")))
		return NULL;
	return v;
}

static bool reject_unsupported(cc *c, const ynode *map)
{
	bool ok = true;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		for (size_t j = 0; UNSUPPORTED[j] != NULL; j++)
			if (yn_is(map->items[i], UNSUPPORTED[j])) {
				cc_error(c, map->items[i]->pos, DIAG_E_UNSUPPORTED,
				         "unsupported oneM2M attribute '%s': pdp "
				         "rejects it rather than ignore a restriction",
				         UNSUPPORTED[j]);
				ok = false;
			}
	return ok;
}

static bool each_item(cc *c, ynode *n, const char *what,
                      bool (*fn)(cc *, ynode *, void *), void *ctx)
{
	if (n->kind == YN_SEQ) {
		bool ok = true;
		for (size_t i = 0; i < n->n; i++)
			ok &= fn(c, n->items[i], ctx);
		return ok;
	}
	if (n->kind == YN_SCALAR)
		return fn(c, n, ctx);
	cc_error(c, n->pos, DIAG_E_TYPE, "%s must be a list, found %s", what,
	         yn_kind_name(n));
	return false;
}

static bool add_window(cc *c, ynode *n, void *ctx)
{
	m_window w;
	if (!read_window_node(c, n, &w))
		return false;
	VEC_PUSH(c, ((m_context *)ctx)->windows, w);
	return true;
}

static bool add_cidr(cc *c, ynode *n, void *ctx)
{
	m_cidr w;
	if (!read_cidr_node(c, n, &w))
		return false;
	VEC_PUSH(c, ((m_context *)ctx)->cidrs, w);
	return true;
}

static bool add_country(cc *c, ynode *n, void *ctx)
{
	uint32_t code;
	if (!read_country_node(c, n, &code))
		return false;
	VEC_PUSH(c, ((m_context *)ctx)->countries, code);
	return true;
}

/* accr: one circle [lat, lon, radius] or a list of such triples. */
static bool read_accr(cc *c, ynode *n, m_context *x)
{
	if (n->kind != YN_SEQ)
		goto bad;
	if (n->n == 3 && n->items[0]->kind == YN_SCALAR) {
		m_circle ci;
		if (!read_circle(c, n->items[0], n->items[1], n->items[2], n->pos,
		                 &ci))
			return false;
		VEC_PUSH(c, x->circles, ci);
		return true;
	}
	for (size_t i = 0; i < n->n; i++) {
		ynode *t = n->items[i];
		if (t->kind != YN_SEQ || t->n != 3) {
			n = t;
			goto bad;
		}
		m_circle ci;
		if (!read_circle(c, t->items[0], t->items[1], t->items[2], t->pos,
		                 &ci))
			return false;
		VEC_PUSH(c, x->circles, ci);
	}
	return true;
bad:
	cc_error(c, n->pos, DIAG_E_TYPE,
	         "accr must be [latitude, longitude, radius] or a list of them");
	return false;
}

/* One `acco` entry (a native context): time windows, IP ranges and a
 * location region, the same checks as the pdp: 1 form's `contexts`. The
 * attributes of newer releases that restrict access (acui, acec, acl) are
 * refused rather than ignored, so that no restriction silently widens. */
static bool read_acco(cc *c, ynode *n, m_context *x)
{
	static const char *const keys[] = {"actw", "acip", "aclr", "acui",
	                                   "acec", "acl", NULL};
	static const char *const ipkeys[] = {"ipv4", "ipv6", NULL};
	static const char *const lrkeys[] = {"accc", "accr", NULL};
	memset(x, 0, sizeof(*x));
	x->pos = n->pos;
	if (n->kind != YN_MAP) {
		cc_error(c, n->pos, DIAG_E_TYPE, "acco entry must be a mapping");
		return false;
	}
	if (!reject_unsupported(c, n))
		return false;
	check_keys(c, n, keys, "acco");
	bool ok = true;
	ynode *v;
	if ((v = get_opt(n, "actw")) != NULL)
		ok &= each_item(c, v, "actw", add_window, x);
	if ((v = get_opt(n, "acip")) != NULL) {
		if (v->kind != YN_MAP) {
			cc_error(c, v->pos, DIAG_E_TYPE,
			         "acip must be {ipv4: [...], ipv6: [...]}");
			return false;
		}
		check_keys(c, v, ipkeys, "acip");
		ynode *w;
		if ((w = get_opt(v, "ipv4")) != NULL)
			ok &= each_item(c, w, "ipv4", add_cidr, x);
		if ((w = get_opt(v, "ipv6")) != NULL)
			ok &= each_item(c, w, "ipv6", add_cidr, x);
	}
	if ((v = get_opt(n, "aclr")) != NULL) {
		if (v->kind != YN_MAP) {
			cc_error(c, v->pos, DIAG_E_TYPE,
			         "aclr must be {accc: [...], accr: [...]}");
			return false;
		}
		check_keys(c, v, lrkeys, "aclr");
		ynode *w;
		if ((w = get_opt(v, "accc")) != NULL)
			ok &= each_item(c, w, "accc", add_country, x);
		if ((w = get_opt(v, "accr")) != NULL)
			ok &= read_accr(c, w, x);
	}
	return ok;
}

static bool add_type(cc *c, ynode *n, void *ctx)
{
	int32_t t;
	if (!read_rtype_node(c, n, &t))
		return false;
	VEC(int32_t) *v = ctx;
	VEC_PUSH(c, *v, t);
	return true;
}

static bool add_spec(cc *c, ynode *n, void *ctx)
{
	const char *s;
	if (!read_string(c, n, &s))
		return false;
	VEC(const char *) *v = ctx;
	VEC_PUSH(c, *v, s);
	return true;
}

static bool read_acod(cc *c, ynode *n, m_object *o)
{
	static const char *const keys[] = {"ty", "spty", "chty", NULL};
	memset(o, 0, sizeof(*o));
	o->pos = n->pos;
	if (n->kind != YN_MAP) {
		cc_error(c, n->pos, DIAG_E_TYPE, "acod entry must be a mapping");
		return false;
	}
	check_keys(c, n, keys, "acod");
	bool ok = true;
	ynode *v;
	if ((v = get_opt(n, "ty")) != NULL)
		ok &= each_item(c, v, "ty", add_type, &o->types);
	if ((v = get_opt(n, "spty")) != NULL)
		ok &= each_item(c, v, "spty", add_spec, &o->specs);
	if ((v = get_opt(n, "chty")) != NULL)
		ok &= each_item(c, v, "chty", add_type, &o->child_types);
	return ok;
}

/* One `acr` entry as a rule of the model: acor -> originators (a bare
 * name means the group or role of that name when one is declared), acop ->
 * operations (a bitmask), acco -> contexts, acaf -> authenticated, acod ->
 * objects. Native rules only permit; the pdp: 1 form adds deny. */
static m_rule *read_acr(cc *c, ynode *n, bool self, uint32_t index)
{
	static const char *const keys[] = {"acor", "acop", "acco", "acaf",
	                                   "acod", "aca", NULL};
	if (n->kind != YN_MAP) {
		cc_error(c, n->pos, DIAG_E_TYPE, "acr entry must be a mapping");
		return NULL;
	}
	if (!reject_unsupported(c, n))
		return NULL;
	check_keys(c, n, keys, "acr");
	m_rule *r = cc_alloc(c, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->pos = n->pos;
	r->self = self;
	r->index = index;
	bool ok = true;
	ynode *v;
	if ((v = yn_get(n, "acor")) != NULL)
		ok &= read_originators(c, v, true, r);
	else {
		cc_error(c, n->pos, DIAG_E_MISSING, "acr entry has no acor");
		ok = false;
	}
	if ((v = yn_get(n, "acop")) != NULL) {
		int64_t ops;
		if (!read_int(c, v, &ops))
			ok = false;
		else if (ops < 1 || ops > 63) {
			cc_error(c, v->pos, DIAG_E_OPERATION,
			         "acop %lld is out of range 1-63", (long long)ops);
			ok = false;
		} else
			r->ops = (uint32_t)ops;
	} else {
		cc_error(c, n->pos, DIAG_E_MISSING, "acr entry has no acop");
		ok = false;
	}
	if ((v = get_opt(n, "acco")) != NULL) {
		if (v->kind != YN_SEQ) {
			cc_error(c, v->pos, DIAG_E_TYPE, "acco must be a list");
			ok = false;
		} else
			for (size_t i = 0; i < v->n; i++) {
				m_context x;
				if (read_acco(c, v->items[i], &x))
					VEC_PUSH(c, r->contexts, x);
				else
					ok = false;
			}
	}
	if ((v = get_opt(n, "acaf")) != NULL)
		ok &= read_bool(c, v, &r->auth);
	if ((v = get_opt(n, "acod")) != NULL) {
		ynode one = *v;
		ynode *items[1] = {v};
		if (v->kind == YN_MAP) {
			one.kind = YN_SEQ;
			one.items = items;
			one.n = 1;
			v = &one;
		}
		if (v->kind != YN_SEQ) {
			cc_error(c, v->pos, DIAG_E_TYPE, "acod must be a list");
			ok = false;
		} else
			for (size_t i = 0; i < v->n; i++) {
				m_object o;
				if (read_acod(c, v->items[i], &o))
					VEC_PUSH(c, r->objects, o);
				else
					ok = false;
			}
	}
	return ok ? r : NULL;
}

static bool read_pv(cc *c, ynode *n, bool self, m_acp *a)
{
	static const char *const keys[] = {"acr", NULL};
	if (n->kind != YN_MAP) {
		cc_error(c, n->pos, DIAG_E_TYPE, "%s must be {acr: [...]}",
		         self ? "pvs" : "pv");
		return false;
	}
	check_keys(c, n, keys, self ? "pvs" : "pv");
	ynode *acr = get_opt(n, "acr");
	if (acr == NULL)
		return true;
	if (acr->kind != YN_SEQ) {
		cc_error(c, acr->pos, DIAG_E_TYPE, "acr must be a list");
		return false;
	}
	bool ok = true;
	for (size_t i = 0; i < acr->n; i++) {
		m_rule *r = read_acr(c, acr->items[i], self,
		                     (uint32_t)(self ? a->self.n : a->priv.n));
		if (r == NULL) {
			ok = false;
			continue;
		}
		if (self)
			VEC_PUSH(c, a->self, r);
		else
			VEC_PUSH(c, a->priv, r);
	}
	return ok;
}

/* Resource attributes every CSE stores beside pv/pvs (TS-0004 universal and
 * common attributes); they do not affect decisions. */
static const char *const IGNORED[] = {
	"ty", "ri", "rn", "pi", "ct", "lt", "et", "lbl", "acpi", "cr", "st",
	"at", "aa", "ast", "daci", "cstn", "hld", "loc", "apn", "cnd", "or",
	"pv", "pvs", "dr", "ri2", "lnk", NULL};

/* An m2m:acp object as a CSE stores it (docs/language.md section 12): its
 * id from ri (else rn), pv and pvs as privileges and self rules. Unknown
 * attributes are W-NATIVE-IGNORED, restricting ones E-UNSUPPORTED. */
void read_native_acp(cc *c, ynode *obj, srcpos key_pos)
{
	if (obj->kind != YN_MAP) {
		cc_error(c, obj->pos, DIAG_E_TYPE, "m2m:acp must be a mapping");
		return;
	}
	if (!reject_unsupported(c, obj))
		return;
	for (size_t i = 0; i + 1 < obj->n; i += 2) {
		ynode *k = obj->items[i];
		bool known = false;
		for (size_t j = 0; IGNORED[j] != NULL; j++)
			known |= yn_is(k, IGNORED[j]);
		if (!known)
			cc_warn(c, k->pos, DIAG_W_NATIVE_IGNORED,
			        "attribute '%s' of m2m:acp is ignored",
			        k->kind == YN_SCALAR ? k->str : "?");
	}
	m_acp *a = cc_alloc(c, sizeof(*a));
	if (a == NULL)
		return;
	a->native = true;
	a->node = obj;
	a->pos = key_pos;
	ynode *ri = yn_get(obj, "ri"), *rn = yn_get(obj, "rn");
	if (rn != NULL && !read_string(c, rn, &a->rn))
		return;
	if (ri != NULL) {
		if (!read_string(c, ri, &a->id))
			return;
		a->pos = ri->pos;
	} else if (rn != NULL) {
		a->id = a->rn;
		a->pos = rn->pos;
	} else if (c->id_given) {
		a->id = ""; /* a live store names it (segment.c) */
	} else {
		cc_error(c, obj->pos, DIAG_E_MISSING,
		         "m2m:acp has neither ri nor rn to identify it");
		return;
	}
	bool ok = true;
	ynode *v;
	if ((v = get_opt(obj, "pv")) != NULL)
		ok &= read_pv(c, v, false, a);
	if ((v = get_opt(obj, "pvs")) != NULL)
		ok &= read_pv(c, v, true, a);
	if (ok)
		VEC_PUSH(c, c->acps, a);
}
