/*
 * segment.c - the compiler's side of the live store (src/store): one ACP
 * compiled on its own against the store's declarations into a segment
 * (image/view.h), and a native ACP's parsed tree written back as JSON so
 * that the store can compile it again when its bare acor names change
 * meaning (a group of that name appears or goes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/cc.h"

/* What a `pdp: 1` document may hold when it carries one ACP for a store:
 * declarations belong to the store's base policy. */
static bool only_acps(cc *c, const ynode *doc)
{
	static const char *const allowed[] = {"pdp", "acps", "description"};
	bool ok = true;
	for (size_t i = 0; i + 1 < doc->n; i += 2) {
		const ynode *k = doc->items[i];
		bool known = false;
		for (size_t j = 0; j < sizeof(allowed) / sizeof(allowed[0]); j++)
			known |= yn_is(k, allowed[j]);
		if (!known) {
			cc_report(c, k->pos, DIAG_E_STORE,
			          "declare roles, groups, assignments, constraints and "
			          "attributes in the store's base policy",
			          "an ACP put into a live store cannot declare '%s'",
			          k->kind == YN_SCALAR ? k->str : "?");
			ok = false;
		}
	}
	return ok;
}

pdpc_status cc_compile_segment(cc *c, const cc_decl *decl, const char *name,
                               const char *text, size_t len, pdp_str id)
{
	cc_reset(c);
	pdpc_status st = pdpc_add_buffer(c, name, text, len);
	if (st != PDPC_OK)
		return st;
	c->decl = decl;
	c->id_given = id.ptr != NULL;
	c->host_sp = decl->host_sp;
	c->host_cse = decl->host_cse;
	/* the declaration tables are the store's: read, never grown (a
	 * document that declares anything is refused before reading) */
	c->roles.items = decl->roles;
	c->roles.n = c->roles.cap = decl->n_roles;
	c->groups.items = decl->groups;
	c->groups.n = c->groups.cap = decl->n_groups;
	c->attrs.items = decl->attrs;
	c->attrs.n = c->attrs.cap = decl->n_attrs;
	ynode_vec docs = {0};
	srcpos top = {0, 1, 1};
	if (yaml_load_docs(c, 0, &docs) && !c->oom) {
		/* a put is policy text: the same refusals as a compile (tags,
		 * ambiguous numbers, merge keys) */
		for (size_t i = 0; i < docs.n; i++)
			yaml_check_policy(c, docs.items[i]);
		if (docs.n != 1)
			cc_error(c, top, DIAG_E_STORE,
			         "an ACP resource is one document, found %zu", docs.n);
		else if (docs.items[0]->kind == YN_MAP &&
		         yn_get(docs.items[0], "pdp") != NULL &&
		         !only_acps(c, docs.items[0]))
			;
		else if (docs.items[0]->kind == YN_SEQ)
			cc_error(c, docs.items[0]->pos, DIAG_E_STORE,
			         "put one ACP at a time, not a list");
		else
			read_document(c, docs.items[0]);
	}
	if (!c->oom && cc_error_count(c) == 0 && c->acps.n != 1)
		cc_error(c, top, DIAG_E_STORE,
		         "an ACP resource holds exactly one ACP, found %zu",
		         c->acps.n);
	if (!c->oom && cc_error_count(c) == 0) {
		if (id.ptr != NULL) {
			const char *copy = cc_strndup(c, id.ptr, id.len);
			if (copy != NULL)
				c->acps.items[0]->id = copy;
		}
		resolve_acps(c);
	}
	st = PDPC_OK;
	if (c->oom)
		st = PDPC_ERR_NOMEM;
	else if (cc_error_count(c) > 0)
		st = PDPC_ERR_POLICY;
	else if (!emit_segment(c))
		st = PDPC_ERR_NOMEM;
	c->decl = NULL;
	c->id_given = false;
	/* detach the store's tables before anything resets the model */
	memset(&c->roles, 0, sizeof(c->roles));
	memset(&c->groups, 0, sizeof(c->groups));
	memset(&c->attrs, 0, sizeof(c->attrs));
	return st;
}

/* ---- a parsed tree back to JSON ---- */

typedef struct jbuf {
	char *p;
	size_t n, cap;
	bool oom;
} jbuf;

static void put(jbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + len + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
}

static void put_quoted(jbuf *b, const char *s, size_t len)
{
	put(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			char e[2] = {'\\', (char)ch};
			put(b, e, 2);
		} else if (ch < 0x20 || ch == 0x7f) {
			char e[8];
			snprintf(e, sizeof(e), "\\u%04x", ch);
			put(b, e, 6);
		} else
			put(b, s + i, 1);
	}
	put(b, "\"", 1);
}

/* A plain scalar whose text reads back as the same plain scalar in a JSON
 * (YAML flow) document: numbers, true/false/null and simple words. Other
 * plain scalars are strings with punctuation and are written quoted (the
 * compiler reads plain and quoted strings alike; only numbers and
 * booleans must stay plain). */
static bool plain_safe(const char *s, size_t len)
{
	if (len == 0)
		return false;
	if (s[0] == '-' && (len == 1 || s[1] < '0' || s[1] > '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		          ch == '+' || ch == '-';
		if (!ok)
			return false;
	}
	return true;
}

static void put_node(jbuf *b, const ynode *n)
{
	switch (n->kind) {
	case YN_SCALAR:
		if (n->plain && plain_safe(n->str, n->len))
			put(b, n->str, n->len);
		else
			put_quoted(b, n->str, n->len);
		return;
	case YN_SEQ:
		put(b, "[", 1);
		for (size_t i = 0; i < n->n; i++) {
			if (i > 0)
				put(b, ",", 1);
			put_node(b, n->items[i]);
		}
		put(b, "]", 1);
		return;
	case YN_MAP:
		put(b, "{", 1);
		for (size_t i = 0; i + 1 < n->n; i += 2) {
			if (i > 0)
				put(b, ",", 1);
			const ynode *k = n->items[i];
			if (k->kind == YN_SCALAR)
				put_quoted(b, k->str, k->len);
			else
				put_node(b, k);
			put(b, ":", 1);
			put_node(b, n->items[i + 1]);
		}
		put(b, "}", 1);
		return;
	}
}

static char *finish(jbuf *b, size_t *len)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	*len = b->n;
	return b->p;
}

char *cc_acp_source(const cc *c, size_t acp, size_t *len)
{
	if (acp >= c->acps.n || c->acps.items[acp]->node == NULL)
		return NULL;
	jbuf b = {NULL, 0, 0, false};
	put(&b, "{\"m2m:acp\":", 11);
	put_node(&b, c->acps.items[acp]->node);
	put(&b, "}", 1);
	return finish(&b, len);
}

char *cc_node_json(const ynode *n, size_t *len)
{
	jbuf b = {NULL, 0, 0, false};
	put_node(&b, n);
	return finish(&b, len);
}
