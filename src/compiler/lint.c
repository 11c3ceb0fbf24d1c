/*
 * lint.c - warnings beyond compile errors (pdp lint). Each check has a
 * stable code listed in docs/diagnostics.md.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/cc.h"

uint32_t resolve_find_group(const cc *c, const char *name, size_t len);

static void lint_rule(cc *c, const m_acp *a, const m_rule *r)
{
	for (size_t i = 0; i < r->origs.n; i++) {
		const m_orig *o = &r->origs.items[i];
		if (o->kind == ORIG_EXACT && !o->native &&
		    resolve_find_group(c, o->name, o->len) != IMG_NONE)
			cc_diag(c, PDPC_WARNING, o->pos, "W-GROUP-LOOKALIKE",
			        "write group:NAME to refer to the group",
			        "originator '%.*s' is the name of a group but is "
			        "matched as an exact originator id",
			        (int)o->len, o->name);
		if (o->kind == ORIG_ROLE && r->deny)
			cc_warn(c, o->pos, "W-DENY-ROLE",
			        "deny rule on role:%.*s applies only while the role "
			        "is active; an originator can leave it inactive",
			        (int)o->len, o->name);
	}
	for (size_t i = 0; i < r->contexts.n; i++) {
		const m_context *x = &r->contexts.items[i];
		for (size_t j = 0; j < x->cidrs.n; j++)
			if (x->cidrs.items[j].host_bits)
				cc_warn(c, x->cidrs.items[j].pos, "W-CIDR-HOST-BITS",
				        "CIDR has host bits set; it is used as its "
				        "network address");
		for (size_t j = 0; j < x->windows.n; j++)
			if (sched_never_matches(&x->windows.items[j].s))
				cc_warn(c, x->windows.items[j].pos, "W-SCHED-NEVER",
				        "schedule '%s' can never match",
				        x->windows.items[j].src);
	}
	bool any = false;
	for (size_t i = 0; i < r->origs.n; i++)
		any |= r->origs.items[i].kind == ORIG_ALL;
	if (any && !r->deny && r->ops == PDP_OP_ALL && r->contexts.n == 0 &&
	    r->objects.n == 0 && r->when == NULL && !r->auth)
		cc_warn(c, r->pos, "W-BROAD",
		        "rule %u of '%s' grants every operation to all "
		        "originators without any condition",
		        r->index, a->id);
	if (r->origs.n == 0)
		cc_warn(c, r->pos, "W-NO-ORIGINATOR",
		        "rule has no originators and never applies");
}

void lint_policy(cc *c)
{
	for (size_t i = 0; i < c->acps.n; i++) {
		const m_acp *a = c->acps.items[i];
		if (a->priv.n == 0 && a->self.n == 0)
			cc_warn(c, a->pos, "W-EMPTY-ACP",
			        "ACP '%s' has no rules: it denies everything", a->id);
		for (size_t j = 0; j < a->priv.n; j++)
			lint_rule(c, a, a->priv.items[j]);
		for (size_t j = 0; j < a->self.n; j++)
			lint_rule(c, a, a->self.items[j]);
	}
	for (size_t i = 0; i < c->attrs.n; i++)
		if (!c->attrs.items[i]->used)
			cc_warn(c, c->attrs.items[i]->pos, "W-UNUSED",
			        "attribute '%s' is declared but never used",
			        c->attrs.items[i]->name);
}
