/*
 * persist.c - a store's directory: nothing acknowledged is lost, nothing
 * half-written is loaded.
 *
 *   store.snap  the base sources and the store's state (groups set through
 *               it, base ACPs it removed, ACPs put into it) as a list of
 *               changes, with the revision it stands for. Written to a
 *               temporary file, fsynced, renamed over the old one, and the
 *               directory fsynced: a crash leaves the old or the new file.
 *   store.log   one record per committed transaction after the snapshot,
 *               appended and fsynced before pdp_store_commit returns.
 *
 * Record: magic "PDPL", payload length, CRC-32 of the payload (all u32
 * little-endian), payload = revision (u64) and its changes. A change is a
 * kind byte and counted strings (u32 length, bytes): put (id, text),
 * remove (id), set group (id, member count, members), remove group (id).
 * On open, records whose revision the snapshot already holds are skipped;
 * a record cut short at the end of the log is a write that never
 * completed (its commit never returned) and is truncated away; a bad
 * record followed by good ones is damage, and open refuses it.
 *
 * The log is folded into a new snapshot when it grows as large as the
 * snapshot (so replay stays bounded) or on pdp_store_checkpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_read.h"
#include "common/prims.h"
#include "store/store_internal.h"

#define LOG_MAGIC 0x4c504450u  /* "PDPL" */
#define SNAP_MAGIC 0x53504450u /* "PDPS" */
#define SNAP_VERSION 1u
#define SNAP_HEADER 28u        /* magic, version, rev, payload len, crc */
#define LOG_HEADER 12u

/* ---- bytes ---- */

typedef struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
} wbuf;

static void w_bytes(wbuf *b, const void *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + len)
			cap *= 2;
		uint8_t *np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->n, s, len);
	b->n += len;
}

static void w_u32(wbuf *b, uint32_t v)
{
	uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	                (uint8_t)(v >> 24)};
	w_bytes(b, x, 4);
}

static void w_u64(wbuf *b, uint64_t v)
{
	w_u32(b, (uint32_t)v);
	w_u32(b, (uint32_t)(v >> 32));
}

static void w_str(wbuf *b, const char *s, size_t len)
{
	w_u32(b, (uint32_t)len);
	w_bytes(b, s, len);
}

typedef struct rbuf {
	const uint8_t *p;
	size_t n, at;
	bool bad;
} rbuf;

static uint32_t r_u32(rbuf *b)
{
	if (b->bad || b->n - b->at < 4) {
		b->bad = true;
		return 0;
	}
	const uint8_t *x = b->p + b->at;
	b->at += 4;
	return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 |
	       (uint32_t)x[3] << 24;
}

static uint64_t r_u64(rbuf *b)
{
	uint64_t lo = r_u32(b);
	return lo | (uint64_t)r_u32(b) << 32;
}

static pdp_str r_str(rbuf *b)
{
	pdp_str s = {"", 0};
	uint32_t len = r_u32(b);
	if (b->bad || b->n - b->at < len) {
		b->bad = true;
		return s;
	}
	s.ptr = (const char *)b->p + b->at;
	s.len = len;
	b->at += len;
	return s;
}

/* ---- changes ---- */

static void w_op(wbuf *b, const st_op *op)
{
	uint8_t k = op->kind;
	w_bytes(b, &k, 1);
	w_str(b, op->id, op->id_len);
	if (op->kind == OP_PUT)
		w_str(b, op->text, op->text_len);
	if (op->kind == OP_SET_GROUP) {
		w_u32(b, (uint32_t)op->n_members);
		for (size_t i = 0; i < op->n_members; i++)
			w_str(b, op->members[i].ptr, op->members[i].len);
	}
}

/* Read one change and apply it (members point into the buffer). */
static pdpc_status r_apply_op(rbuf *b, pdp_store_txn *t)
{
	if (b->bad || b->at >= b->n) {
		b->bad = true;
		return PDPC_ERR_IO;
	}
	st_op op;
	memset(&op, 0, sizeof(op));
	op.kind = b->p[b->at++];
	pdp_str id = r_str(b);
	op.id = (char *)(uintptr_t)id.ptr;
	op.id_len = id.len;
	pdp_str *members = NULL;
	if (op.kind == OP_PUT) {
		pdp_str text = r_str(b);
		op.text = (char *)(uintptr_t)text.ptr;
		op.text_len = text.len;
	} else if (op.kind == OP_SET_GROUP) {
		uint32_t n = r_u32(b);
		if (!b->bad && n > (b->n - b->at) / 4)
			b->bad = true;
		if (!b->bad) {
			members = calloc((size_t)n + 1, sizeof(pdp_str));
			if (members == NULL)
				return PDPC_ERR_NOMEM;
			for (uint32_t i = 0; i < n; i++)
				members[i] = r_str(b);
			op.members = members;
			op.n_members = n;
		}
	} else if (op.kind != OP_REMOVE && op.kind != OP_REMOVE_GROUP)
		b->bad = true;
	pdpc_status st = b->bad ? PDPC_ERR_IO : txn_apply_op(t, &op);
	free(members);
	return st;
}

/* ---- files ---- */

static char *path_in(const pdp_store *s, const char *name)
{
	size_t n = strlen(s->dir) + strlen(name) + 2;
	char *p = malloc(n);
	if (p != NULL)
		snprintf(p, n, "%s/%s", s->dir, name);
	return p;
}

/* The whole file; false with *eno (ENOENT: there is none yet). */
static bool read_file(const char *path, uint8_t **out, size_t *len, int *eno)
{
	file_read_status st = file_read_all(path, SIZE_MAX, NULL, out, len, eno);
	if (st == FILE_READ_NOMEM || st == FILE_READ_TOO_LARGE)
		*eno = ENOMEM;
	return st == FILE_READ_OK;
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

static pdpc_status io_fail(pdp_store *s, const char *what, const char *path)
{
	store_diag(s, "E-IO", "%s %s: %s", what, path, strerror(errno));
	return PDPC_ERR_IO;
}

/* ---- snapshot ---- */

void persist_snapshot_free(st_snapshot *snap)
{
	free(snap->bytes);
	memset(snap, 0, sizeof(*snap));
}

pdpc_status persist_read_snapshot(pdp_store *s, st_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	if (mkdir(s->dir, 0777) != 0 && errno != EEXIST)
		return io_fail(s, "cannot create", s->dir);
	char *path = path_in(s, "store.snap");
	if (path == NULL)
		return PDPC_ERR_NOMEM;
	int eno = 0;
	if (!read_file(path, &snap->bytes, &snap->len, &eno)) {
		free(path);
		if (eno == ENOENT)
			return PDPC_OK;
		errno = eno;
		return io_fail(s, "cannot read", "store.snap");
	}
	rbuf b = {snap->bytes, snap->len, 0, false};
	uint32_t magic = r_u32(&b), version = r_u32(&b);
	snap->rev = r_u64(&b);
	uint64_t plen = r_u64(&b);
	uint32_t crc = r_u32(&b);
	pdpc_status st = PDPC_OK;
	if (b.bad || magic != SNAP_MAGIC || version != SNAP_VERSION ||
	    plen != snap->len - SNAP_HEADER ||
	    crc32_ieee(snap->bytes + SNAP_HEADER, (size_t)plen) != crc) {
		store_diag(s, "E-IO", "%s is damaged (bad header or checksum); "
		                      "restore it from a backup", path);
		st = PDPC_ERR_IO;
	}
	uint32_t nb = st == PDPC_OK ? r_u32(&b) : 0;
	bool take = s->n_base == 0;
	for (uint32_t i = 0; st == PDPC_OK && i < nb; i++) {
		pdp_str name = r_str(&b), text = r_str(&b);
		if (b.bad)
			break;
		if (take) {
			source *nbase = realloc(s->base, (s->n_base + 1) * sizeof(source));
			if (nbase == NULL) {
				st = PDPC_ERR_NOMEM;
				break;
			}
			s->base = nbase;
			source *src = &s->base[s->n_base];
			src->name = strndup(name.ptr, name.len);
			src->data = malloc(text.len + 1);
			if (src->name == NULL || src->data == NULL) {
				free(src->name);
				free(src->data);
				st = PDPC_ERR_NOMEM;
				break;
			}
			memcpy(src->data, text.ptr, text.len);
			src->data[text.len] = '\0';
			src->len = text.len;
			s->n_base++;
		}
	}
	if (st == PDPC_OK) {
		snap->n_ops = r_u32(&b);
		snap->ops = snap->bytes + b.at;
		snap->ops_len = snap->len - b.at;
		if (b.bad) {
			store_diag(s, "E-IO", "%s is damaged (truncated)", path);
			st = PDPC_ERR_IO;
		}
	}
	s->snapshot_rev = snap->rev;
	s->revision = snap->rev;
	s->snapshot_bytes = snap->len;
	free(path);
	return st;
}

/* The store's state as changes: groups set through it, base ACPs it
 * removed, then ACPs put into it (groups first, so that puts naming them
 * bind to them). */
static uint32_t w_state(pdp_store *s, wbuf *b)
{
	uint32_t n = 0;
	for (uint32_t g = 0; g < s->n_groups; g++) {
		const st_group *gr = s->groups[g];
		if (!gr->set || gr->removed)
			continue;
		st_op op = {OP_SET_GROUP, gr->name, gr->name_len, NULL, 0,
		            gr->members, gr->n_members};
		w_op(b, &op);
		n++;
	}
	const pdp_image *base = s->base_img;
	for (uint32_t i = 0; i < base->count[SEC_ACPS]; i++) {
		pdp_str id = img_str(base, img_rec(base, SEC_ACPS, i)[0]);
		if (acp_find(s, id) != NULL)
			continue;
		st_op op = {OP_REMOVE, (char *)(uintptr_t)id.ptr, id.len, NULL, 0,
		            NULL, 0};
		w_op(b, &op);
		n++;
	}
	for (uint32_t i = 0; i < s->n_numbers; i++) {
		const st_acp *a = s->by_number[i];
		if (a == NULL || !a->put)
			continue;
		st_op op = {OP_PUT, a->id, a->id_len, a->source, a->source_len,
		            NULL, 0};
		w_op(b, &op);
		n++;
	}
	return n;
}

pdpc_status persist_checkpoint(pdp_store *s)
{
	wbuf b = {NULL, 0, 0, false};
	w_u32(&b, SNAP_MAGIC);
	w_u32(&b, SNAP_VERSION);
	w_u64(&b, s->revision);
	w_u64(&b, 0); /* payload length, filled below */
	w_u32(&b, 0); /* crc */
	w_u32(&b, (uint32_t)s->n_base);
	for (size_t i = 0; i < s->n_base; i++) {
		w_str(&b, s->base[i].name, strlen(s->base[i].name));
		w_str(&b, s->base[i].data, s->base[i].len);
	}
	size_t count_at = b.n;
	w_u32(&b, 0);
	uint32_t n = w_state(s, &b);
	if (b.oom) {
		free(b.p);
		return PDPC_ERR_NOMEM;
	}
	b.p[count_at] = (uint8_t)n;
	b.p[count_at + 1] = (uint8_t)(n >> 8);
	b.p[count_at + 2] = (uint8_t)(n >> 16);
	b.p[count_at + 3] = (uint8_t)(n >> 24);
	uint64_t plen = b.n - SNAP_HEADER;
	uint32_t crc = crc32_ieee(b.p + SNAP_HEADER, (size_t)plen);
	for (int i = 0; i < 8; i++)
		b.p[16 + i] = (uint8_t)(plen >> (8 * i));
	for (int i = 0; i < 4; i++)
		b.p[24 + i] = (uint8_t)(crc >> (8 * i));
	char *tmp = path_in(s, "store.snap.tmp"), *path = path_in(s, "store.snap");
	pdpc_status st = PDPC_OK;
	int fd = tmp ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)
	             : -1;
	if (tmp == NULL || path == NULL)
		st = PDPC_ERR_NOMEM;
	else if (fd < 0)
		st = io_fail(s, "cannot create", tmp);
	else if (!write_all(fd, b.p, b.n) || fsync(fd) != 0) {
		st = io_fail(s, "cannot write", tmp);
		close(fd);
		unlink(tmp);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	if (st == PDPC_OK && rename(tmp, path) != 0) {
		st = io_fail(s, "cannot rename", tmp);
		unlink(tmp);
	}
	if (st == PDPC_OK && !fsync_dir(s->dir))
		st = io_fail(s, "cannot sync", s->dir);
	/* the snapshot holds everything now: the log starts again (records
	 * left by a crash here are at or below the snapshot's revision and
	 * are skipped on open) */
	if (st == PDPC_OK && s->log_fd >= 0) {
		if (ftruncate(s->log_fd, 0) != 0 || fsync(s->log_fd) != 0)
			st = io_fail(s, "cannot truncate", "store.log");
		else {
			s->log_bytes = 0;
			s->snapshot_rev = s->revision;
			s->snapshot_bytes = b.n;
		}
	}
	free(tmp);
	free(path);
	free(b.p);
	return st;
}

/* ---- log ---- */

static pdpc_status open_log(pdp_store *s)
{
	char *path = path_in(s, "store.log");
	if (path == NULL)
		return PDPC_ERR_NOMEM;
	s->log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	pdpc_status st = PDPC_OK;
	if (s->log_fd < 0)
		st = io_fail(s, "cannot open", path);
	else if (!fsync_dir(s->dir))
		st = io_fail(s, "cannot sync", s->dir);
	free(path);
	return st;
}

pdpc_status persist_replay(pdp_store *s, pdp_store_txn *t,
                           const st_snapshot *snap, bool *log_had_records)
{
	*log_had_records = false;
	rbuf sb = {snap->ops, snap->ops_len, 0, false};
	for (uint32_t i = 0; snap->bytes != NULL && i < snap->n_ops; i++) {
		pdpc_status st = r_apply_op(&sb, t);
		if (st == PDPC_ERR_IO)
			store_diag(s, "E-IO", "store.snap: change %u is damaged", i);
		if (st != PDPC_OK)
			return st;
	}
	char *path = path_in(s, "store.log");
	if (path == NULL)
		return PDPC_ERR_NOMEM;
	uint8_t *log = NULL;
	size_t len = 0;
	int eno = 0;
	if (!read_file(path, &log, &len, &eno) && eno != ENOENT) {
		errno = eno;
		pdpc_status st = io_fail(s, "cannot read", path);
		free(path);
		return st;
	}
	size_t at = 0, good_end = 0;
	pdpc_status st = PDPC_OK;
	while (st == PDPC_OK && at < len) {
		rbuf h = {log + at, len - at, 0, false};
		uint32_t magic = r_u32(&h), plen = r_u32(&h), crc = r_u32(&h);
		bool whole = !h.bad && magic == LOG_MAGIC &&
		             plen <= len - at - LOG_HEADER &&
		             crc32_ieee(log + at + LOG_HEADER, plen) == crc;
		if (!whole) {
			/* a torn last write, or damage if anything follows */
			if (!h.bad && magic == LOG_MAGIC &&
			    plen <= len - at - LOG_HEADER &&
			    at + LOG_HEADER + plen < len) {
				store_diag(s, "E-IO", "store.log is damaged at byte %zu; "
				                      "restore it from a backup", at);
				st = PDPC_ERR_IO;
			}
			break;
		}
		rbuf b = {log + at + LOG_HEADER, plen, 0, false};
		uint64_t rev = r_u64(&b);
		uint32_t nops = r_u32(&b);
		if (rev > s->revision) {
			for (uint32_t i = 0; st == PDPC_OK && i < nops; i++)
				st = r_apply_op(&b, t);
			if (st == PDPC_ERR_IO || b.bad) {
				store_diag(s, "E-IO", "store.log: record at byte %zu is "
				                      "malformed", at);
				st = PDPC_ERR_IO;
			}
			s->revision = rev;
			*log_had_records = true;
		}
		at += LOG_HEADER + plen;
		good_end = at;
	}
	free(log);
	if (st == PDPC_OK)
		st = open_log(s);
	if (st == PDPC_OK && good_end < len &&
	    (ftruncate(s->log_fd, (off_t)good_end) != 0 || fsync(s->log_fd) != 0))
		st = io_fail(s, "cannot truncate", path);
	s->log_bytes = good_end;
	free(path);
	return st;
}

pdpc_status persist_commit(pdp_store *s, const pdp_store_txn *t)
{
	wbuf b = {NULL, 0, 0, false};
	w_u32(&b, LOG_MAGIC);
	w_u32(&b, 0);
	w_u32(&b, 0);
	w_u64(&b, s->revision + 1);
	w_u32(&b, (uint32_t)t->n_ops);
	for (size_t i = 0; i < t->n_ops; i++)
		w_op(&b, &t->ops[i]);
	if (b.oom) {
		free(b.p);
		return PDPC_ERR_NOMEM;
	}
	uint32_t plen = (uint32_t)(b.n - LOG_HEADER);
	uint32_t crc = crc32_ieee(b.p + LOG_HEADER, plen);
	for (int i = 0; i < 4; i++) {
		b.p[4 + i] = (uint8_t)(plen >> (8 * i));
		b.p[8 + i] = (uint8_t)(crc >> (8 * i));
	}
	pdpc_status st = PDPC_OK;
	if (!write_all(s->log_fd, b.p, b.n) || fdatasync(s->log_fd) != 0) {
		st = io_fail(s, "cannot append to", "store.log");
		/* cut what may have been written: the commit did not happen */
		if (ftruncate(s->log_fd, (off_t)s->log_bytes) != 0)
			store_diag(s, "E-IO", "store.log could not be cut back");
	} else
		s->log_bytes += b.n;
	free(b.p);
	return st;
}

void persist_close(pdp_store *s)
{
	if (s->log_fd >= 0)
		close(s->log_fd);
	s->log_fd = -1;
}
