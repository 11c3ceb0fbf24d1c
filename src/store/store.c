/*
 * store.c - the live policy store's API (include/pdp/store.h): setup,
 * open (base compile, recovery, first view), transactions and the
 * one-shot changes built on them.
 *
 * A transaction holds the writer lock from begin to commit or abort. Its
 * changes are applied to the writer state as they come (apply.c) with an
 * undo log; commit builds the next view (publish.c), writes the log record
 * (persist.c), and only then publishes: any failure before that point
 * undoes everything, so a change applies whole or not at all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* ---- diagnostics of the store itself ---- */

static void open_diags_clear(pdp_store *s)
{
	for (size_t i = 0; i < s->n_open_text; i++)
		free(s->open_text[i]);
	free(s->open_text);
	free(s->open_diags);
	s->open_text = NULL;
	s->open_diags = NULL;
	s->n_open_text = s->n_open_diags = 0;
}

static char *keep(pdp_store *s, const char *text)
{
	if (text == NULL)
		return NULL;
	char **n = realloc(s->open_text, (s->n_open_text + 1) * sizeof(char *));
	if (n == NULL)
		return NULL;
	s->open_text = n;
	char *p = strdup(text);
	if (p != NULL)
		s->open_text[s->n_open_text++] = p;
	return p;
}

static void keep_diag(pdp_store *s, const pdpc_diag *d)
{
	pdpc_diag *n = realloc(s->open_diags,
	                       (s->n_open_diags + 1) * sizeof(pdpc_diag));
	if (n == NULL)
		return;
	s->open_diags = n;
	pdpc_diag c = *d;
	c.message = keep(s, d->message);
	c.hint = keep(s, d->hint);
	c.file = keep(s, d->file ? d->file : "");
	if (c.message != NULL && c.file != NULL)
		s->open_diags[s->n_open_diags++] = c;
}

void store_diag(pdp_store *s, diag_code code, const char *fmt, ...)
{
	char msg[1024];
	pdpc_diag d;
	va_list ap;
	va_start(ap, fmt);
	diag_fill(&d, code, s->dir ? s->dir : "store", 0, 0, msg, sizeof(msg),
	          fmt, ap);
	va_end(ap);
	keep_diag(s, &d);
}

size_t pdp_store_diag_count(const pdp_store *s)
{
	return s ? s->n_open_diags : 0;
}

const pdpc_diag *pdp_store_diag_get(const pdp_store *s, size_t i)
{
	return s && i < s->n_open_diags ? &s->open_diags[i] : NULL;
}

/* ---- setup ---- */

pdp_store *pdp_store_new(void)
{
	pdp_store *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->log_fd = -1;
	s->pub = pub_new();
	s->cc = pdpc_new();
	/* error-checking: a thread that begins a transaction while its own is
	 * open gets NULL instead of waiting for itself forever */
	pthread_mutexattr_t attr;
	bool lock_ok = pthread_mutexattr_init(&attr) == 0 &&
	               pthread_mutexattr_settype(&attr,
	                                         PTHREAD_MUTEX_ERRORCHECK) == 0 &&
	               pthread_mutex_init(&s->write_lock, &attr) == 0;
	pthread_mutexattr_destroy(&attr);
	if (s->pub == NULL || s->cc == NULL || !lock_ok) {
		pub_release(s->pub);
		pdpc_free(s->cc);
		free(s);
		return NULL;
	}
	return s;
}

static void base_free(pdp_store *s)
{
	for (size_t i = 0; i < s->n_base; i++) {
		free(s->base[i].name);
		free(s->base[i].data);
	}
	free(s->base);
	s->base = NULL;
	s->n_base = 0;
}

void pdp_store_free(pdp_store *s)
{
	if (s == NULL)
		return;
	for (uint32_t k = 0; k < VIEW_SHARDS; k++) {
		for (size_t i = 0; i < s->bucket[k].n; i++)
			acp_free(s->bucket[k].acp[i]);
		free(s->bucket[k].acp);
	}
	free(s->by_number);
	for (uint32_t g = 0; g < s->n_groups; g++)
		group_free(s->groups[g]);
	free(s->groups);
	publish_free(s);
	free(s->chunk);
	free(s->dirty_chunk);
	decl_free(s);
	pdp_image_release(s->base_img);
	persist_close(s);
	pub_release(s->pub);
	pdpc_free(s->cc);
	base_free(s);
	free(s->dir);
	open_diags_clear(s);
	pthread_mutex_destroy(&s->write_lock);
	free(s);
}

pdpc_status pdp_store_add_base_buffer(pdp_store *s, const char *name,
                                      const char *data, size_t len)
{
	if (s == NULL || name == NULL || (data == NULL && len > 0) || s->open)
		return PDPC_ERR_ARG;
	source *n = realloc(s->base, (s->n_base + 1) * sizeof(source));
	if (n == NULL)
		return PDPC_ERR_NOMEM;
	s->base = n;
	source *src = &s->base[s->n_base];
	src->name = strdup(name);
	src->data = malloc(len + 1);
	if (src->name == NULL || src->data == NULL) {
		free(src->name);
		free(src->data);
		return PDPC_ERR_NOMEM;
	}
	if (len > 0)
		memcpy(src->data, data, len);
	src->data[len] = '\0';
	src->len = len;
	s->n_base++;
	return PDPC_OK;
}

pdpc_status pdp_store_add_base_file(pdp_store *s, const char *path)
{
	if (s == NULL || path == NULL || s->open)
		return PDPC_ERR_ARG;
	/* the compiler's reader (limits, messages), then keep its copy */
	pdpc_compiler *c = pdpc_new();
	if (c == NULL)
		return PDPC_ERR_NOMEM;
	pdpc_status st = pdpc_add_file(c, path);
	if (st == PDPC_OK)
		st = pdp_store_add_base_buffer(s, path, c->sources.items[0].data,
		                               c->sources.items[0].len);
	else
		for (size_t i = 0; i < pdpc_diag_count(c); i++)
			keep_diag(s, pdpc_diag_get(c, i));
	pdpc_free(c);
	return st;
}

pdpc_status pdp_store_set_dir(pdp_store *s, const char *dir)
{
	if (s == NULL || dir == NULL || s->open)
		return PDPC_ERR_ARG;
	free(s->dir);
	s->dir = strdup(dir);
	return s->dir ? PDPC_OK : PDPC_ERR_NOMEM;
}

/* ---- open ---- */

/* Compile the base sources: the base image, the store's declarations, and
 * every base ACP as an entry (native ones with their source as JSON). */
static pdpc_status open_base(pdp_store *s)
{
	pdpc_compiler *c = s->cc;
	cc_reset(c);
	pdpc_status st = PDPC_OK;
	for (size_t i = 0; i < s->n_base && st == PDPC_OK; i++)
		st = pdpc_add_buffer(c, s->base[i].name, s->base[i].data,
		                     s->base[i].len);
	const uint8_t *bytes = NULL;
	size_t len = 0;
	if (st == PDPC_OK)
		st = pdpc_compile(c, &bytes, &len);
	for (size_t i = 0; i < pdpc_diag_count(c); i++)
		keep_diag(s, pdpc_diag_get(c, i));
	if (st != PDPC_OK)
		return st;
	pdp_error err;
	if (pdp_image_load(bytes, len, &s->base_img, &err) != PDP_OK) {
		store_diag(s, DIAG_E_INTERNAL, "the base image does not load: %s",
		           err.message);
		return PDPC_ERR_POLICY;
	}
	if (!decl_build(s))
		return PDPC_ERR_NOMEM;
	for (size_t i = 0; i < c->acps.n; i++) {
		size_t slen = 0;
		char *text = cc_acp_source(c, i, &slen);
		if (!acp_add_base(s, (uint32_t)i, text, slen, c->acps.items[i]))
			return PDPC_ERR_NOMEM;
	}
	s->dirty_groups = true;
	cc_reset(c);
	return PDPC_OK;
}

static pdp_store_txn *txn_new(pdp_store *s)
{
	pdp_store_txn *t = calloc(1, sizeof(*t));
	if (t != NULL)
		t->s = s;
	return t;
}

static void txn_free(pdp_store_txn *t)
{
	for (size_t i = 0; i < t->n_ops; i++) {
		st_op *op = &t->ops[i];
		free(op->id);
		free(op->text);
		for (size_t j = 0; j < op->n_members; j++)
			free((char *)(uintptr_t)op->members[j].ptr);
		free(op->members);
	}
	free(t->ops);
	for (size_t i = 0; i < t->n_text; i++)
		free(t->diag_text[i]);
	free(t->diag_text);
	free(t->diags);
	free(t->undo);
	free(t);
}

/* Hand a transaction's diagnostics to the store (open, one-shots). */
static void txn_diags_to_store(pdp_store *s, const pdp_store_txn *t)
{
	for (size_t i = 0; i < t->n_diags; i++)
		keep_diag(s, &t->diags[i]);
}

/* Open in the order that makes recovery safe: the snapshot (its base
 * sources when none were given), the base compiled, the snapshot's changes
 * and the log replayed in one recovery transaction, the first image
 * published; then what was replayed is folded into a fresh snapshot. */
pdpc_status pdp_store_open(pdp_store *s)
{
	if (s == NULL || s->open || pthread_mutex_lock(&s->write_lock) != 0)
		return PDPC_ERR_ARG;
	open_diags_clear(s);
	st_snapshot snap;
	memset(&snap, 0, sizeof(snap));
	pdpc_status st = PDPC_OK;
	size_t base_given = s->n_base;
	if (s->dir != NULL)
		st = persist_read_snapshot(s, &snap);
	/* no base files and nothing persisted: an empty policy (ACPs and
	 * groups then all come through the store) */
	if (st == PDPC_OK && s->n_base == 0)
		st = pdp_store_add_base_buffer(s, "<empty base>", "pdp: 1\n", 7);
	if (st == PDPC_OK)
		st = open_base(s);
	bool replayed = false;
	if (st == PDPC_OK && s->dir != NULL) {
		pdp_store_txn *t = txn_new(s);
		if (t == NULL)
			st = PDPC_ERR_NOMEM;
		else {
			t->replay = true;
			st = persist_replay(s, t, &snap, &replayed);
			if (st == PDPC_OK && t->failed)
				st = PDPC_ERR_POLICY;
			txn_diags_to_store(s, t);
			if (st == PDPC_OK)
				apply_forget(t);
			else
				apply_undo(t);
			txn_free(t);
		}
	}
	st_prepared p;
	if (st == PDPC_OK && !publish_prepare(s, &p))
		st = PDPC_ERR_NOMEM;
	if (st == PDPC_OK) {
		atomic_store(&s->published_rev, s->revision);
		publish_install(s, &p);
		s->open = true;
		/* fold what was replayed, and a new base, into a fresh snapshot */
		if (s->dir != NULL &&
		    (replayed || base_given > 0 || snap.bytes == NULL))
			st = persist_checkpoint(s);
	}
	persist_snapshot_free(&snap);
	if (s->dir == NULL)
		base_free(s); /* only snapshots need the base text again */
	pthread_mutex_unlock(&s->write_lock);
	return st;
}

/* ---- transactions ---- */

pdp_store_txn *pdp_store_begin(pdp_store *s)
{
	if (s == NULL || pthread_mutex_lock(&s->write_lock) != 0)
		return NULL; /* EDEADLK: this thread's transaction is open */
	pdp_store_txn *t = s->open ? txn_new(s) : NULL;
	if (t == NULL)
		pthread_mutex_unlock(&s->write_lock);
	return t;
}

static bool push_op(pdp_store_txn *t, st_op op)
{
	if (t->n_ops == t->cap_ops) {
		size_t cap = t->cap_ops ? 2 * t->cap_ops : 4;
		st_op *n = realloc(t->ops, cap * sizeof(st_op));
		if (n == NULL)
			return false;
		t->ops = n;
		t->cap_ops = cap;
	}
	t->ops[t->n_ops++] = op;
	return true;
}

static char *dup_bytes(const char *p, size_t n)
{
	char *c = malloc(n + 1);
	if (c != NULL) {
		if (n > 0)
			memcpy(c, p, n);
		c[n] = '\0';
	}
	return c;
}

/* Keep a change for the log (nothing to keep while recovering). */
static pdpc_status record(pdp_store_txn *t, uint8_t kind, pdp_str id,
                          const char *text, size_t len,
                          const pdp_str *members, size_t n)
{
	if (t->replay)
		return PDPC_OK;
	st_op op;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	op.id = dup_bytes(id.ptr, id.len);
	op.id_len = id.len;
	bool ok = op.id != NULL;
	if (ok && text != NULL) {
		op.text = dup_bytes(text, len);
		op.text_len = len;
		ok = op.text != NULL;
	}
	if (ok && n > 0) {
		op.members = calloc(n, sizeof(pdp_str));
		ok = op.members != NULL;
		for (size_t i = 0; ok && i < n; i++) {
			char *m = dup_bytes(members[i].ptr, members[i].len);
			ok = m != NULL;
			op.members[i].ptr = m;
			op.members[i].len = members[i].len;
			op.n_members = i + 1;
		}
	}
	if (ok && push_op(t, op))
		return PDPC_OK;
	free(op.id);
	free(op.text);
	for (size_t i = 0; i < op.n_members; i++)
		free((char *)(uintptr_t)op.members[i].ptr);
	free(op.members);
	t->failed = true;
	return PDPC_ERR_NOMEM;
}

static pdpc_status txn_put(pdp_store_txn *t, pdp_str id, const char *text,
                           size_t len)
{
	if (t == NULL || text == NULL)
		return PDPC_ERR_ARG;
	pdpc_status st = apply_put(t, id, text, len, true);
	if (st != PDPC_OK) {
		t->failed = true;
		return st;
	}
	/* log the id the ACP got (from ri or rn when none was given) */
	const st_acp *a = t->undo[t->n_undo - 1].new_acp;
	pdp_str got = {a->id, a->id_len};
	return record(t, OP_PUT, got, text, len, NULL, 0);
}

pdpc_status pdp_store_txn_put_acp(pdp_store_txn *t, pdp_str id,
                                  const char *text, size_t len)
{
	return txn_put(t, id, text, len);
}

pdpc_status pdp_store_txn_remove_acp(pdp_store_txn *t, pdp_str id)
{
	if (t == NULL || id.ptr == NULL)
		return PDPC_ERR_ARG;
	pdpc_status st = apply_remove(t, id);
	if (st != PDPC_OK) {
		t->failed = true;
		return st;
	}
	return record(t, OP_REMOVE, id, NULL, 0, NULL, 0);
}

pdpc_status pdp_store_txn_set_group(pdp_store_txn *t, pdp_str id,
                                    const pdp_str *members, size_t n)
{
	if (t == NULL || id.ptr == NULL || (members == NULL && n > 0))
		return PDPC_ERR_ARG;
	pdpc_status st = apply_set_group(t, id, members, n);
	if (st != PDPC_OK) {
		t->failed = true;
		return st;
	}
	return record(t, OP_SET_GROUP, id, NULL, 0, members, n);
}

pdpc_status pdp_store_txn_remove_group(pdp_store_txn *t, pdp_str id)
{
	if (t == NULL || id.ptr == NULL)
		return PDPC_ERR_ARG;
	pdpc_status st = apply_remove_group(t, id);
	if (st != PDPC_OK) {
		t->failed = true;
		return st;
	}
	return record(t, OP_REMOVE_GROUP, id, NULL, 0, NULL, 0);
}

pdpc_status txn_apply_op(pdp_store_txn *t, const st_op *op)
{
	pdp_str id = {op->id, op->id_len};
	switch (op->kind) {
	case OP_PUT:
		return txn_put(t, id, op->text, op->text_len);
	case OP_REMOVE:
		return pdp_store_txn_remove_acp(t, id);
	case OP_SET_GROUP:
		return pdp_store_txn_set_group(t, id, op->members, op->n_members);
	case OP_REMOVE_GROUP:
		return pdp_store_txn_remove_group(t, id);
	default:
		return PDPC_ERR_ARG;
	}
}

size_t pdp_store_txn_diag_count(const pdp_store_txn *t)
{
	return t ? t->n_diags : 0;
}

const pdpc_diag *pdp_store_txn_diag_get(const pdp_store_txn *t, size_t i)
{
	return t && i < t->n_diags ? &t->diags[i] : NULL;
}

/* Fold the log into a snapshot when it has grown as large as the
 * snapshot (replay at open stays bounded by the snapshot's size). */
static void maybe_checkpoint(pdp_store *s)
{
	uint64_t floor = 64u * 1024u;
	uint64_t limit = s->snapshot_bytes > floor ? s->snapshot_bytes : floor;
	if (s->dir != NULL && s->log_bytes > limit)
		(void)persist_checkpoint(s); /* the log still holds everything */
}

static pdpc_status commit_locked(pdp_store_txn *t)
{
	pdp_store *s = t->s;
	pdpc_status st = t->failed ? PDPC_ERR_POLICY : PDPC_OK;
	st_prepared p;
	if (st == PDPC_OK && !publish_prepare(s, &p))
		st = PDPC_ERR_NOMEM;
	if (st == PDPC_OK && s->dir != NULL && t->n_ops > 0) {
		st = persist_commit(s, t);
		if (st != PDPC_OK)
			publish_discard(s, &p);
	}
	if (st != PDPC_OK) {
		apply_undo(t);
		return st;
	}
	if (t->n_ops > 0)
		s->revision++;
	atomic_store(&s->published_rev, s->revision);
	publish_install(s, &p);
	apply_forget(t);
	maybe_checkpoint(s);
	return PDPC_OK;
}

pdpc_status pdp_store_commit(pdp_store_txn *t)
{
	if (t == NULL)
		return PDPC_ERR_ARG;
	pdp_store *s = t->s;
	pdpc_status st = commit_locked(t);
	txn_free(t);
	pthread_mutex_unlock(&s->write_lock);
	return st;
}

void pdp_store_abort(pdp_store_txn *t)
{
	if (t == NULL)
		return;
	pdp_store *s = t->s;
	apply_undo(t);
	txn_free(t);
	pthread_mutex_unlock(&s->write_lock);
}

/* ---- one-shot changes ---- */

static void first_error(const pdp_store *s, pdpc_status st, pdp_error *err)
{
	pdp_status code = st == PDPC_ERR_NOMEM ? PDP_ERR_NOMEM
	                  : st == PDPC_ERR_ARG ? PDP_ERR_ARG
	                                       : PDP_ERR_INVALID;
	for (size_t i = 0; i < s->n_open_diags; i++) {
		const pdpc_diag *d = &s->open_diags[i];
		if (d->severity != PDPC_ERROR)
			continue;
		if (d->line > 0)
			img_set_error(err, code, "%s:%u:%u: %s", d->file, d->line,
			              d->col, d->message);
		else
			img_set_error(err, code, "%s: %s", d->file, d->message);
		return;
	}
	img_set_error(err, code, "%s",
	              st == PDPC_ERR_NOMEM ? "out of memory"
	              : st == PDPC_ERR_ARG ? "invalid argument or store not open"
	                                   : "the change was refused");
}

typedef struct one_arg {
	pdp_str id;
	const char *text;
	size_t len;
	const pdp_str *members;
	size_t n;
	int kind;
} one_arg;

static pdpc_status one_shot(pdp_store *s, const one_arg *a, pdp_error *err)
{
	pdp_store_txn *t = pdp_store_begin(s);
	if (t == NULL) {
		if (s != NULL)
			first_error(s, PDPC_ERR_ARG, err);
		else
			img_set_error(err, PDP_ERR_ARG, "NULL store");
		return PDPC_ERR_ARG;
	}
	open_diags_clear(s);
	pdpc_status st;
	switch (a->kind) {
	case OP_PUT:
		st = pdp_store_txn_put_acp(t, a->id, a->text, a->len);
		break;
	case OP_REMOVE:
		st = pdp_store_txn_remove_acp(t, a->id);
		break;
	case OP_SET_GROUP:
		st = pdp_store_txn_set_group(t, a->id, a->members, a->n);
		break;
	default:
		st = pdp_store_txn_remove_group(t, a->id);
		break;
	}
	txn_diags_to_store(s, t);
	if (st == PDPC_OK)
		st = commit_locked(t);
	else
		apply_undo(t);
	txn_free(t);
	if (st != PDPC_OK)
		first_error(s, st, err);
	else if (err != NULL)
		memset(err, 0, sizeof(*err));
	pthread_mutex_unlock(&s->write_lock);
	return st;
}

pdpc_status pdp_store_put_acp(pdp_store *s, pdp_str id, const char *text,
                              size_t len, pdp_error *err)
{
	one_arg a = {id, text, len, NULL, 0, OP_PUT};
	return one_shot(s, &a, err);
}

pdpc_status pdp_store_remove_acp(pdp_store *s, pdp_str id, pdp_error *err)
{
	one_arg a = {id, NULL, 0, NULL, 0, OP_REMOVE};
	return one_shot(s, &a, err);
}

pdpc_status pdp_store_set_group(pdp_store *s, pdp_str id,
                                const pdp_str *members, size_t n,
                                pdp_error *err)
{
	one_arg a = {id, NULL, 0, members, n, OP_SET_GROUP};
	return one_shot(s, &a, err);
}

pdpc_status pdp_store_remove_group(pdp_store *s, pdp_str id, pdp_error *err)
{
	one_arg a = {id, NULL, 0, NULL, 0, OP_REMOVE_GROUP};
	return one_shot(s, &a, err);
}

/* ---- state ---- */

/* Counts come from the published image, not the writer state: they take
 * no writer lock, so a thread inside a transaction may ask too. */
uint32_t pdp_store_acp_count(const pdp_store *s)
{
	pdp_image *img = s ? pdp_store_image((pdp_store *)(uintptr_t)s) : NULL;
	uint32_t n = img ? img->view->n_acps : 0;
	pdp_image_release(img);
	return n;
}

uint32_t pdp_store_group_count(const pdp_store *s)
{
	pdp_image *img = s ? pdp_store_image((pdp_store *)(uintptr_t)s) : NULL;
	uint32_t n = 0;
	for (uint32_t g = 0; img != NULL && g < img->view->groups->n; g++)
		n += img->view->groups->g[g] != NULL;
	pdp_image_release(img);
	return n;
}

uint64_t pdp_store_revision(const pdp_store *s)
{
	return s ? atomic_load(&s->published_rev) : 0;
}

pdpc_status pdp_store_checkpoint(pdp_store *s)
{
	if (s == NULL || s->dir == NULL || !s->open ||
	    pthread_mutex_lock(&s->write_lock) != 0)
		return PDPC_ERR_ARG;
	open_diags_clear(s);
	pdpc_status st = persist_checkpoint(s);
	pthread_mutex_unlock(&s->write_lock);
	return st;
}
