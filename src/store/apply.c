/*
 * apply.c - one change applied to the store's writer state, with what it
 * takes to undo it.
 *
 * A transaction applies its changes as they come, so that a later change
 * sees the earlier ones (a group created, then an ACP naming it), and
 * records an undo entry for each. Abort (or a commit that cannot persist)
 * undoes them in reverse; commit forgets them, freeing what they replaced.
 * Readers never see this state: they see the views publish.c builds at
 * commit.
 *
 * Rebinding: a bare name in a native acor means a group when a group of
 * that name exists, else an originator id (docs/language.md). When a group
 * is created or removed, every ACP whose acor holds its name as a bare
 * entry is compiled again from its source, inside the same transaction.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "store/store_internal.h"

/* ---- diagnostics ---- */

static char *keep_text(pdp_store_txn *t, const char *s)
{
	if (s == NULL)
		return NULL;
	if (t->n_text == t->cap_text) {
		size_t cap = t->cap_text ? 2 * t->cap_text : 8;
		char **n = realloc(t->diag_text, cap * sizeof(char *));
		if (n == NULL)
			return NULL;
		t->diag_text = n;
		t->cap_text = cap;
	}
	char *p = strdup(s);
	if (p != NULL)
		t->diag_text[t->n_text++] = p;
	return p;
}

static void push_diag(pdp_store_txn *t, const pdpc_diag *d)
{
	if (t->n_diags == t->cap_diags) {
		size_t cap = t->cap_diags ? 2 * t->cap_diags : 8;
		pdpc_diag *n = realloc(t->diags, cap * sizeof(pdpc_diag));
		if (n == NULL)
			return;
		t->diags = n;
		t->cap_diags = cap;
	}
	pdpc_diag c = *d;
	c.message = keep_text(t, d->message);
	c.hint = keep_text(t, d->hint);
	c.file = keep_text(t, d->file);
	if (c.message == NULL || c.file == NULL)
		return;
	t->diags[t->n_diags++] = c;
}

void txn_diag(pdp_store_txn *t, const char *file, diag_code code,
              const char *fmt, ...)
{
	char msg[1024];
	pdpc_diag d;
	va_list ap;
	va_start(ap, fmt);
	diag_fill(&d, code, file, 0, 0, msg, sizeof(msg), fmt, ap);
	va_end(ap);
	push_diag(t, &d);
	t->failed = true;
}

void txn_take_diags(pdp_store_txn *t, const pdpc_compiler *c)
{
	for (size_t i = 0; i < pdpc_diag_count(c); i++)
		push_diag(t, pdpc_diag_get(c, i));
}

/* "acp:<id>" or "group:<id>", the resource a diagnostic names. */
static void resource_name(char *buf, size_t size, const char *kind, pdp_str id)
{
	size_t n = id.ptr ? id.len : 0;
	if (n > 200)
		n = 200;
	snprintf(buf, size, "%s:%.*s%s", kind, (int)n, id.ptr ? id.ptr : "",
	         id.ptr && id.len > 200 ? "..." : "");
}

/* ---- lookups ---- */

static bool same(const char *a, size_t alen, pdp_str b)
{
	return alen == b.len && (alen == 0 || memcmp(a, b.ptr, alen) == 0);
}

st_acp *acp_find(const pdp_store *s, pdp_str id)
{
	uint64_t h = str_hash(id.ptr, id.len);
	const st_bucket *b = &s->bucket[view_shard_of(h)];
	for (size_t i = 0; i < b->n; i++)
		if (b->acp[i]->hash == h && same(b->acp[i]->id, b->acp[i]->id_len, id))
			return b->acp[i];
	return NULL;
}

st_group *group_find(const pdp_store *s, pdp_str name)
{
	size_t lo = 0, hi = s->decl.n_groups;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *m = s->decl.groups[mid]->name;
		size_t ml = strlen(m);
		int r = memcmp(m, name.ptr, ml < name.len ? ml : name.len);
		if (r == 0)
			r = ml < name.len ? -1 : ml > name.len ? 1 : 0;
		if (r == 0)
			return (st_group *)(void *)((char *)s->decl.groups[mid] -
			                            offsetof(st_group, decl));
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is_role(const pdp_store *s, pdp_str name)
{
	return img_lookup(s->base_img, &s->base_img->h_role, SEC_ROLES, name) !=
	       PDP_NONE;
}

/* ---- ACP entries ---- */

void acp_free(st_acp *a)
{
	if (a == NULL)
		return;
	pdp_image_release(a->seg);
	for (size_t i = 0; i < a->n_bare; i++)
		free(a->bare[i]);
	for (size_t i = 0; i < a->n_grefs; i++)
		free(a->grefs[i]);
	free(a->bare);
	free(a->bare_at);
	free(a->bare_str);
	free(a->grefs);
	free(a->source);
	free(a->id);
	free(a);
}

static bool add_name(char ***list, size_t *n, const char *name, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*list)[i]) == len && memcmp((*list)[i], name, len) == 0)
			return true;
	char **l = realloc(*list, (*n + 1) * sizeof(char *));
	if (l == NULL)
		return false;
	*list = l;
	char *p = malloc(len + 1);
	if (p == NULL)
		return false;
	memcpy(p, name, len);
	p[len] = '\0';
	l[(*n)++] = p;
	return true;
}

static bool add_bare_at(st_acp *a, const m_orig *o)
{
	uint32_t *at = realloc(a->bare_at, (a->n_bare_at + 1) * sizeof(uint32_t));
	if (at != NULL)
		a->bare_at = at;
	uint32_t *st = realloc(a->bare_str, (a->n_bare_at + 1) * sizeof(uint32_t));
	if (st != NULL)
		a->bare_str = st;
	if (at == NULL || st == NULL)
		return false;
	a->bare_at[a->n_bare_at] = o->seg_at;
	a->bare_str[a->n_bare_at] = o->seg_str;
	a->n_bare_at++;
	return true;
}

/* The bare names and group: references of a compiled ACP's rules, and for
 * a segment where each bare entry is (rebind patches them). */
static bool collect_refs(st_acp *a, const m_acp *m)
{
	for (int sec = 0; sec < 2; sec++) {
		size_t nr = sec ? m->self.n : m->priv.n;
		for (size_t i = 0; i < nr; i++) {
			const m_rule *r = sec ? m->self.items[i] : m->priv.items[i];
			for (size_t k = 0; k < r->origs.n; k++) {
				const m_orig *o = &r->origs.items[k];
				/* only native bare names change with the groups */
				bool rebinds = o->bare && o->native;
				if (rebinds && !add_name(&a->bare, &a->n_bare, o->name, o->len))
					return false;
				if (rebinds && a->seg->segment && !add_bare_at(a, o))
					return false;
				if (!o->bare && o->kind == ORIG_GROUP &&
				    !add_name(&a->grefs, &a->n_grefs, o->name, o->len))
					return false;
			}
		}
	}
	return true;
}

static st_acp *acp_new(const char *id, const m_acp *m, pdp_image *seg,
                       uint32_t local, char *src, size_t src_len)
{
	st_acp *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->id_len = strlen(id);
	a->id = strdup(id);
	a->hash = str_hash(id, a->id_len);
	a->seg = seg;
	a->local = local;
	a->source = src;
	a->source_len = src_len;
	if (a->id == NULL || !collect_refs(a, m)) {
		a->seg = NULL;
		a->source = NULL;
		acp_free(a);
		return NULL;
	}
	return a;
}

static void gref_count(pdp_store *s, const st_acp *a, int delta)
{
	for (size_t i = 0; a != NULL && i < a->n_grefs; i++) {
		pdp_str n = {a->grefs[i], strlen(a->grefs[i])};
		st_group *g = group_find(s, n);
		if (g != NULL)
			g->grefs = (uint32_t)((int)g->grefs + delta);
	}
}

void mark_acp_dirty(pdp_store *s, const st_acp *a)
{
	s->dirty_shard[view_shard_of(a->hash)] = true;
	uint32_t c = a->number >> VIEW_CHUNK_BITS;
	if (c < s->n_chunks)
		s->dirty_chunk[c] = true;
}

/* Give number a slot in by_number and a chunk (dirty), growing both. */
static bool reserve_number(pdp_store *s, uint32_t number)
{
	uint32_t need = number + 1;
	uint32_t cap = (s->n_chunks) * VIEW_CHUNK;
	if (need > cap) {
		uint32_t chunks = s->n_chunks ? s->n_chunks : 1;
		while ((uint64_t)chunks * VIEW_CHUNK < need)
			chunks *= 2;
		st_acp **bn = realloc(s->by_number, (size_t)chunks * VIEW_CHUNK *
		                                            sizeof(st_acp *));
		if (bn == NULL)
			return false;
		s->by_number = bn;
		view_chunk **ch = realloc(s->chunk, chunks * sizeof(view_chunk *));
		if (ch == NULL)
			return false;
		s->chunk = ch;
		bool *d = realloc(s->dirty_chunk, chunks * sizeof(bool));
		if (d == NULL)
			return false;
		s->dirty_chunk = d;
		memset(bn + (size_t)s->n_chunks * VIEW_CHUNK, 0,
		       (size_t)(chunks - s->n_chunks) * VIEW_CHUNK * sizeof(st_acp *));
		for (uint32_t i = s->n_chunks; i < chunks; i++) {
			ch[i] = NULL;
			d[i] = false;
		}
		s->n_chunks = chunks;
	}
	return true;
}

static bool bucket_add(pdp_store *s, st_acp *a)
{
	st_bucket *b = &s->bucket[view_shard_of(a->hash)];
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 8;
		st_acp **n = realloc(b->acp, cap * sizeof(st_acp *));
		if (n == NULL)
			return false;
		b->acp = n;
		b->cap = cap;
	}
	b->acp[b->n++] = a;
	return true;
}

static void bucket_drop(pdp_store *s, const st_acp *a)
{
	st_bucket *b = &s->bucket[view_shard_of(a->hash)];
	for (size_t i = 0; i < b->n; i++)
		if (b->acp[i] == a) {
			b->acp[i] = b->acp[--b->n];
			return;
		}
}

static bool push_undo(pdp_store_txn *t, st_undo u)
{
	if (t->n_undo == t->cap_undo) {
		size_t cap = t->cap_undo ? 2 * t->cap_undo : 8;
		st_undo *n = realloc(t->undo, cap * sizeof(st_undo));
		if (n == NULL)
			return false;
		t->undo = n;
		t->cap_undo = cap;
	}
	t->undo[t->n_undo++] = u;
	return true;
}

/* Put entry a in place of old (either may be NULL), recording the undo. */
static bool swap_acp(pdp_store_txn *t, st_acp *old, st_acp *a)
{
	pdp_store *s = t->s;
	st_undo u = {UNDO_ACP, old, a, NULL, 0};
	if (a != NULL && (!reserve_number(s, a->number) || !bucket_add(s, a)))
		return false;
	if (!push_undo(t, u)) {
		if (a != NULL)
			bucket_drop(s, a);
		return false;
	}
	if (old != NULL) {
		bucket_drop(s, old);
		s->by_number[old->number] = NULL;
		gref_count(s, old, -1);
		mark_acp_dirty(s, old);
		s->n_acps--;
	}
	if (a != NULL) {
		s->by_number[a->number] = a;
		gref_count(s, a, +1);
		mark_acp_dirty(s, a);
		s->n_acps++;
	}
	return true;
}

bool acp_add_base(pdp_store *s, uint32_t local, char *src, size_t src_len,
                  const m_acp *model)
{
	pdp_str id = img_str(s->base_img, img_acp(s->base_img, local)->id);
	char *z = malloc(id.len + 1);
	if (z == NULL)
		return false;
	if (id.len != 0)
		memcpy(z, id.ptr, id.len);
	z[id.len] = '\0';
	st_acp *a = acp_new(z, model, pdp_image_retain(s->base_img), local,
	                    src, src_len);
	free(z);
	if (a == NULL) {
		pdp_image_release(s->base_img);
		free(src);
		return false;
	}
	a->number = s->n_numbers++;
	if (!reserve_number(s, a->number) || !bucket_add(s, a)) {
		acp_free(a);
		return false;
	}
	s->by_number[a->number] = a;
	gref_count(s, a, +1);
	mark_acp_dirty(s, a);
	s->n_acps++;
	return true;
}

/* ---- changes ---- */

/* Put one ACP: compile its text as a segment against the store's
 * declarations, load the segment (a compiler bug shows as E-INTERNAL here,
 * not as a decision later), and swap it in with an undo entry. An ACP
 * keeps its number when replaced; new ones take the next number, never a
 * freed one, so that resources naming an old number never meet a new ACP
 * (docs/store.md). */
pdpc_status apply_put(pdp_store_txn *t, pdp_str id, const char *text,
                      size_t len, bool put)
{
	pdp_store *s = t->s;
	char name[256];
	resource_name(name, sizeof(name), "acp", id.ptr ? id : (pdp_str){"?", 1});
	pdpc_status st = cc_compile_segment(s->cc, &s->decl, name, text, len, id);
	txn_take_diags(t, s->cc);
	if (st != PDPC_OK) {
		t->failed = true;
		return st;
	}
	const m_acp *m = s->cc->acps.items[0];
	pdp_image *seg = NULL;
	pdp_error err;
	if (img_load_segment(s->cc->image, s->cc->image_len, s->base_img,
	                     s->n_groups, &seg, &err) != PDP_OK) {
		txn_diag(t, name, DIAG_E_INTERNAL,
		         "internal error: the compiled ACP does not load: %s",
		         err.message);
		return PDPC_ERR_POLICY;
	}
	/* the text is kept only for snapshots: rebinding patches segments */
	char *copy = NULL;
	if (s->dir != NULL) {
		copy = malloc(len + 1);
		if (copy == NULL) {
			pdp_image_release(seg);
			return PDPC_ERR_NOMEM;
		}
		memcpy(copy, text, len);
		copy[len] = '\0';
	}
	st_acp *a = acp_new(m->id, m, seg, 0, copy, copy ? len : 0);
	if (a == NULL) {
		pdp_image_release(seg);
		free(copy);
		return PDPC_ERR_NOMEM;
	}
	a->put = put;
	pdp_str key = {a->id, a->id_len};
	st_acp *old = acp_find(s, key);
	if (old == NULL && s->n_numbers >= PDP_MAX_TABLE) {
		/* numbers are never reused (docs/store.md): none is left */
		acp_free(a);
		txn_diag(t, name, DIAG_E_STORE, "the store has handed out every ACP "
		                                "index; open it again");
		return PDPC_ERR_POLICY;
	}
	a->number = old != NULL ? old->number : s->n_numbers++;
	if (!swap_acp(t, old, a)) {
		acp_free(a);
		return PDPC_ERR_NOMEM;
	}
	return PDPC_OK;
}

pdpc_status apply_remove(pdp_store_txn *t, pdp_str id)
{
	pdp_store *s = t->s;
	st_acp *old = acp_find(s, id);
	if (old == NULL) {
		char name[256];
		resource_name(name, sizeof(name), "acp", id);
		txn_diag(t, name, DIAG_E_STORE, "there is no ACP '%.*s' to remove",
		         (int)(id.len > 200 ? 200 : id.len), id.ptr);
		return PDPC_ERR_POLICY;
	}
	return swap_acp(t, old, NULL) ? PDPC_OK : PDPC_ERR_NOMEM;
}

/* A copy of segment entry a whose bare entries naming `name` now mean
 * group g (or, when g is NONE, the originator id again). */
static st_acp *acp_rebound(const pdp_store *s, const st_acp *a, pdp_str name,
                           uint32_t g, pdp_store_txn *t)
{
	size_t n = 0;
	uint32_t *at = calloc(a->n_bare_at + 1, 3 * sizeof(uint32_t));
	if (at == NULL)
		return NULL;
	/* the entries hold the name as the id it stands for */
	char abs[PDP_MAX_ABS_ID_BYTES];
	if (s->decl.host_sp.ptr != NULL) {
		name.len = origin_absolute(s->decl.host_sp, s->decl.host_cse, name,
		                           abs, sizeof(abs));
		name.ptr = abs;
	}
	uint32_t *kind = at + a->n_bare_at + 1, *val = kind + a->n_bare_at + 1;
	for (size_t i = 0; i < a->n_bare_at; i++) {
		pdp_str nm = img_str(a->seg, a->bare_str[i]);
		if (nm.len != name.len ||
		    (name.len != 0 && memcmp(nm.ptr, name.ptr, name.len) != 0))
			continue;
		at[n] = a->bare_at[i];
		kind[n] = g != IMG_NONE ? ORIG_GROUP : ORIG_EXACT;
		val[n] = g != IMG_NONE ? g : a->bare_str[i];
		n++;
	}
	pdp_image *seg = NULL;
	pdp_error err;
	pdp_status st = img_segment_patch(a->seg, at, kind, val, n, s->n_groups,
	                                  &seg, &err);
	free(at);
	if (st != PDP_OK) {
		char res[256];
		resource_name(res, sizeof(res), "acp", (pdp_str){a->id, a->id_len});
		txn_diag(t, res, DIAG_E_INTERNAL, "internal error: rebinding: %s",
		         err.message);
		return NULL;
	}
	st_acp *c = calloc(1, sizeof(*c));
	bool ok = c != NULL;
	if (ok) {
		*c = *a;
		c->seg = seg;
		c->id = strdup(a->id);
		c->source = a->source ? malloc(a->source_len + 1) : NULL;
		c->bare = calloc(a->n_bare + 1, sizeof(char *));
		c->grefs = calloc(a->n_grefs + 1, sizeof(char *));
		c->bare_at = malloc((a->n_bare_at + 1) * sizeof(uint32_t));
		c->bare_str = malloc((a->n_bare_at + 1) * sizeof(uint32_t));
		c->n_bare = c->n_grefs = 0;
		ok = c->id && (c->source || !a->source) && c->bare && c->grefs &&
		     c->bare_at && c->bare_str;
		for (size_t i = 0; ok && i < a->n_bare; i++)
			ok = (c->bare[c->n_bare++] = strdup(a->bare[i])) != NULL;
		for (size_t i = 0; ok && i < a->n_grefs; i++)
			ok = (c->grefs[c->n_grefs++] = strdup(a->grefs[i])) != NULL;
		if (ok) {
			if (a->source)
				memcpy(c->source, a->source, a->source_len + 1);
			memcpy(c->bare_at, a->bare_at, a->n_bare_at * sizeof(uint32_t));
			memcpy(c->bare_str, a->bare_str, a->n_bare_at * sizeof(uint32_t));
		}
	}
	if (!ok) {
		if (c != NULL)
			acp_free(c);
		else
			pdp_image_release(seg);
		return NULL;
	}
	return c;
}

/* Rebind every ACP whose acor holds `name` as a bare entry: a group of that
 * name (index g, or NONE) was just created or removed. A segment is
 * patched; a base ACP is compiled again from its source. */
static pdpc_status rebind(pdp_store_txn *t, pdp_str name, uint32_t g)
{
	pdp_store *s = t->s;
	/* collect first: recompiling changes the buckets */
	st_acp **todo = NULL;
	size_t n = 0;
	for (uint32_t k = 0; k < VIEW_SHARDS; k++)
		for (size_t i = 0; i < s->bucket[k].n; i++) {
			st_acp *a = s->bucket[k].acp[i];
			for (size_t j = 0; j < a->n_bare; j++)
				if (same(a->bare[j], strlen(a->bare[j]), name)) {
					st_acp **nt = realloc(todo, (n + 1) * sizeof(*todo));
					if (nt == NULL) {
						free(todo);
						return PDPC_ERR_NOMEM;
					}
					todo = nt;
					todo[n++] = a;
					break;
				}
		}
	pdpc_status st = PDPC_OK;
	for (size_t i = 0; i < n && st == PDPC_OK; i++) {
		st_acp *a = todo[i];
		if (a->seg->segment) {
			st_acp *c = acp_rebound(s, a, name, g, t);
			st = c == NULL ? (t->failed ? PDPC_ERR_POLICY : PDPC_ERR_NOMEM)
			     : swap_acp(t, a, c) ? PDPC_OK
			                        : (acp_free(c), PDPC_ERR_NOMEM);
			continue;
		}
		pdp_str id = {a->id, a->id_len};
		st = apply_put(t, id, a->source, a->source_len, a->put);
	}
	free(todo);
	return st;
}

/* A group member as a `groups:` entry allows it: an exact id or a glob,
 * never a reference to something else. */
static bool member_ok(pdp_store_txn *t, const char *res, size_t i, pdp_str m)
{
	const char *why = NULL;
	if (m.ptr == NULL || m.len == 0)
		why = "is empty";
	else if (m.len > PDP_MAX_ID_BYTES)
		why = "is longer than the originator id limit";
	else if (memchr(m.ptr, '\0', m.len) != NULL)
		why = "holds a NUL byte";
	else if (!utf8_valid(m))
		why = "is not valid UTF-8";
	else if ((m.len == 3 && memcmp(m.ptr, "all", 3) == 0) ||
	         (m.len >= 6 && memcmp(m.ptr, "group:", 6) == 0) ||
	         (m.len >= 5 && memcmp(m.ptr, "role:", 5) == 0))
		why = "names all, a group or a role: members are originator ids "
		      "or globs";
	if (why == NULL)
		return true;
	txn_diag(t, res, DIAG_E_STORE, "member %zu %s", i + 1, why);
	return false;
}

static void members_free(pdp_str *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)(uintptr_t)m[i].ptr);
	free(m);
}

static pdp_str *members_copy(const pdp_str *m, size_t n)
{
	pdp_str *c = calloc(n + 1, sizeof(pdp_str));
	for (size_t i = 0; c != NULL && i < n; i++) {
		char *p = malloc(m[i].len + 1);
		if (p == NULL) {
			members_free(c, i);
			return NULL;
		}
		memcpy(p, m[i].ptr, m[i].len);
		p[m[i].len] = '\0';
		c[i].ptr = p;
		c[i].len = m[i].len;
	}
	return c;
}

/* A group's members as decisions test them: in absolute form when the
 * base declares its hosting CSE, as a compile writes them. */
static view_group *group_object(const pdp_store *s, pdp_str name,
                                const pdp_str *m, size_t n)
{
	pdp_str sp = s->decl.host_sp, cse = s->decl.host_cse;
	size_t total = 0;
	for (size_t i = 0; sp.ptr != NULL && i < n; i++)
		total += origin_absolute(sp, cse, m[i], NULL, 0);
	pdp_str *exact = calloc(n + 1, sizeof(pdp_str));
	pdp_str *globs = calloc(n + 1, sizeof(pdp_str));
	char *abs = sp.ptr != NULL ? malloc(total + 1) : NULL;
	size_t ne = 0, ng = 0, at = 0;
	view_group *g = NULL;
	if (exact != NULL && globs != NULL && (abs != NULL || sp.ptr == NULL)) {
		for (size_t i = 0; i < n; i++) {
			pdp_str id = m[i];
			if (abs != NULL) {
				id.len = origin_absolute(sp, cse, m[i], abs + at, total - at);
				id.ptr = abs + at;
				at += id.len;
			}
			if (glob_has_wildcard(m[i]))
				globs[ng++] = id;
			else
				exact[ne++] = id;
		}
		g = view_group_build(name, exact, ne, globs, ng);
	}
	free(exact);
	free(globs);
	free(abs);
	return g;
}

void group_free(st_group *g)
{
	if (g == NULL)
		return;
	view_group_release(g->obj);
	members_free(g->members, g->n_members);
	free(g->name);
	free(g);
}

static bool grow_groups(pdp_store *s)
{
	if (s->n_groups < s->cap_groups)
		return true;
	uint32_t cap = s->cap_groups * 2 + 16;
	st_group **g = realloc(s->groups, cap * sizeof(st_group *));
	if (g == NULL)
		return false;
	s->groups = g;
	m_group **d = realloc(s->decl.groups, cap * sizeof(m_group *));
	if (d == NULL)
		return false;
	s->decl.groups = d;
	s->cap_groups = cap;
	return true;
}

/* Create or replace a group: its id and members are checked first, and a
 * group may not take a role's name (a bare acor name would then mean
 * two things). Replacing a group swaps its members; a new one is
 * appended, and ACPs whose native bare acor names now mean it are
 * rebound in the same transaction. */
pdpc_status apply_set_group(pdp_store_txn *t, pdp_str id,
                            const pdp_str *members, size_t n)
{
	pdp_store *s = t->s;
	char res[256];
	resource_name(res, sizeof(res), "group", id);
	bool ok = true;
	if (id.ptr == NULL || id.len == 0 || id.len > PDP_MAX_ID_BYTES ||
	    memchr(id.ptr, '\0', id.len) != NULL || !utf8_valid(id)) {
		txn_diag(t, res, DIAG_E_STORE, "a group id is 1 to %u bytes of UTF-8",
		         PDP_MAX_ID_BYTES);
		return PDPC_ERR_POLICY;
	}
	for (size_t i = 0; i < n; i++)
		ok &= member_ok(t, res, i, members[i]);
	if (!ok)
		return PDPC_ERR_POLICY;
	if (is_role(s, id)) {
		txn_diag(t, res, DIAG_E_STORE,
		         "'%.*s' is a role of the base policy: a group of that name "
		         "would make acor entries ambiguous",
		         (int)(id.len > 200 ? 200 : id.len), id.ptr);
		return PDPC_ERR_POLICY;
	}
	pdp_str *copy = members_copy(members, n);
	view_group *obj = copy ? group_object(s, id, copy, n) : NULL;
	if (obj == NULL) {
		members_free(copy, n);
		return PDPC_ERR_NOMEM;
	}
	st_group *g = group_find(s, id);
	if (g != NULL) {
		st_group *was = malloc(sizeof(*was));
		if (was == NULL || !push_undo(t, (st_undo){UNDO_GROUP, NULL, NULL,
		                                           was, g->index})) {
			free(was);
			view_group_release(obj);
			members_free(copy, n);
			return PDPC_ERR_NOMEM;
		}
		*was = *g;
		g->obj = obj;
		g->members = copy;
		g->n_members = n;
		g->set = true;
		s->dirty_groups = true;
		return PDPC_OK;
	}
	/* a new group: appended, and bare acor names equal to it now mean it */
	g = calloc(1, sizeof(*g));
	if (g == NULL || !grow_groups(s) ||
	    !push_undo(t, (st_undo){UNDO_GROUP, NULL, NULL, NULL, s->n_groups})) {
		free(g);
		view_group_release(obj);
		members_free(copy, n);
		return PDPC_ERR_NOMEM;
	}
	g->name = malloc(id.len + 1);
	if (g->name == NULL) {
		t->n_undo--;
		free(g);
		view_group_release(obj);
		members_free(copy, n);
		return PDPC_ERR_NOMEM;
	}
	memcpy(g->name, id.ptr, id.len);
	g->name[id.len] = '\0';
	g->name_len = id.len;
	g->index = s->n_groups;
	g->set = true;
	g->obj = obj;
	g->members = copy;
	g->n_members = n;
	g->decl.name = g->name;
	g->decl.index = g->index;
	s->groups[s->n_groups++] = g;
	decl_add_group(s, g);
	s->dirty_groups = true;
	return rebind(t, id, g->index);
}

pdpc_status apply_remove_group(pdp_store_txn *t, pdp_str id)
{
	pdp_store *s = t->s;
	char res[256];
	resource_name(res, sizeof(res), "group", id);
	st_group *g = id.ptr ? group_find(s, id) : NULL;
	if (g == NULL) {
		txn_diag(t, res, DIAG_E_STORE, "there is no group '%.*s' to remove",
		         (int)(id.len > 200 ? 200 : id.len), id.ptr ? id.ptr : "");
		return PDPC_ERR_POLICY;
	}
	if (g->from_base) {
		txn_diag(t, res, DIAG_E_STORE,
		         "group '%s' is declared by the base policy; set its members "
		         "to an empty list instead",
		         g->name);
		return PDPC_ERR_POLICY;
	}
	if (g->grefs > 0) {
		txn_diag(t, res, DIAG_E_STORE,
		         "group '%s' is still named by %u group: reference(s); "
		         "change those ACPs first",
		         g->name, g->grefs);
		return PDPC_ERR_POLICY;
	}
	st_group *was = malloc(sizeof(*was));
	if (was == NULL || !push_undo(t, (st_undo){UNDO_GROUP, NULL, NULL, was,
	                                           g->index})) {
		free(was);
		return PDPC_ERR_NOMEM;
	}
	*was = *g;
	g->removed = true;
	decl_remove_group(s, g);
	s->dirty_groups = true;
	return rebind(t, id, IMG_NONE);
}

/* ---- undo and forget ---- */

/* Abort: the undo entries, newest first, put back exactly what each change
 * replaced, so the writer state is as before the transaction (the
 * published image was never touched). */
void apply_undo(pdp_store_txn *t)
{
	pdp_store *s = t->s;
	while (t->n_undo > 0) {
		st_undo u = t->undo[--t->n_undo];
		if (u.kind == UNDO_ACP) {
			if (u.new_acp != NULL) {
				bucket_drop(s, u.new_acp);
				s->by_number[u.new_acp->number] = NULL;
				gref_count(s, u.new_acp, -1);
				mark_acp_dirty(s, u.new_acp);
				s->n_acps--;
				acp_free(u.new_acp);
			}
			if (u.old_acp != NULL) {
				/* its slot was there a moment ago: cannot fail */
				(void)bucket_add(s, u.old_acp);
				s->by_number[u.old_acp->number] = u.old_acp;
				gref_count(s, u.old_acp, +1);
				mark_acp_dirty(s, u.old_acp);
				s->n_acps++;
			}
			continue;
		}
		s->dirty_groups = true;
		st_group *g = s->groups[u.group];
		if (u.old_group == NULL) {
			/* appended by this transaction */
			decl_remove_group(s, g);
			s->groups[u.group] = NULL;
			s->n_groups--;
			group_free(g);
			continue;
		}
		if (g->removed && !u.old_group->removed)
			decl_add_group(s, g);
		if (g->obj != u.old_group->obj) {
			view_group_release(g->obj);
			members_free(g->members, g->n_members);
		}
		uint32_t grefs = g->grefs;
		*g = *u.old_group;
		g->grefs = grefs;
		free(u.old_group);
	}
}

void apply_forget(pdp_store_txn *t)
{
	pdp_store *s = t->s;
	for (size_t i = 0; i < t->n_undo; i++) {
		st_undo u = t->undo[i];
		if (u.kind == UNDO_ACP) {
			acp_free(u.old_acp);
			continue;
		}
		if (u.old_group == NULL)
			continue;
		st_group *g = s->groups[u.group];
		if (g->obj != u.old_group->obj) {
			view_group_release(u.old_group->obj);
			members_free(u.old_group->members, u.old_group->n_members);
		}
		free(u.old_group);
	}
	t->n_undo = 0;
}
