/*
 * compiler.c - the driver and the libpdpc API: sources in, passes run in
 * order, image or diagnostics out. A compile that reports any error
 * produces no image. The helpers the passes share are in cc.c, so that
 * passes only call down (cc.h lists them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/file_read.h"
#include "common/limits.h"
#include "compiler/cc.h"
#include "image/load_internal.h"

pdpc_compiler *pdpc_new(void)
{
	pdpc_compiler *c = calloc(1, sizeof(pdpc_compiler));
	if (c != NULL)
		c->yar.mapped = true;
	return c;
}

static void reset_model(cc *c)
{
	arena_free_all(&c->ar);
	arena_free_all(&c->yar);
	memset(&c->acps, 0, sizeof(c->acps));
	memset(&c->roles, 0, sizeof(c->roles));
	memset(&c->groups, 0, sizeof(c->groups));
	memset(&c->assigns, 0, sizeof(c->assigns));
	memset(&c->constraints, 0, sizeof(c->constraints));
	memset(&c->attrs, 0, sizeof(c->attrs));
	c->seen_version = false;
	c->oom = false;
	memset(&c->host_sp, 0, sizeof(c->host_sp));
	memset(&c->host_cse, 0, sizeof(c->host_cse));
}

static void reset_diags(cc *c)
{
	VEC_FREE(c->diags);
	arena_free_all(&c->diag_ar);
}

static void source_free(source *s)
{
	free(s->name);
	free(s->data);
	VEC_FREE(s->marks);
}

void cc_reset(cc *c)
{
	reset_diags(c);
	reset_model(c);
	free(c->image);
	c->image = NULL;
	c->image_len = 0;
	for (size_t i = 0; i < c->sources.n; i++)
		source_free(&c->sources.items[i]);
	c->sources.n = 0;
}

void pdpc_free(pdpc_compiler *c)
{
	if (c == NULL)
		return;
	reset_model(c);
	reset_diags(c);
	for (size_t i = 0; i < c->sources.n; i++)
		source_free(&c->sources.items[i]);
	VEC_FREE(c->sources);
	free(c->image);
	free(c);
}

#define LINE_MARK_LINES 64u
#define LINE_MARK_BYTES 4096u

static void mark_lines(cc *c, source *s)
{
	line_mark last = {1, 0};
	VEC_PUSH_HEAP(c, s->marks, last);
	size_t line = 1;
	for (const char *p = s->data, *end = s->data + s->len;
	     !c->oom && (p = memchr(p, '\n', (size_t)(end - p))) != NULL;) {
		line++;
		p++;
		line_mark m = {line, (size_t)(p - s->data)};
		if (m.line - last.line >= LINE_MARK_LINES ||
		    m.off - last.off >= LINE_MARK_BYTES) {
			VEC_PUSH_HEAP(c, s->marks, m);
			last = m;
		}
	}
	s->lines = line;
}

/* Add a source whose text data (len bytes and a NUL after them, malloc'd)
 * the compiler takes over, freed here on failure. */
static pdpc_status add_source(pdpc_compiler *c, const char *name, char *data,
                              size_t len)
{
	source s;
	memset(&s, 0, sizeof(s));
	s.name = strdup(name);
	s.data = data;
	s.len = len;
	if (s.name == NULL) {
		free(data);
		return PDPC_ERR_NOMEM;
	}
	c->oom = false;
	mark_lines(c, &s);
	if (!c->oom)
		VEC_PUSH_HEAP(c, c->sources, s);
	if (c->oom) {
		free(s.name);
		free(s.data);
		VEC_FREE(s.marks);
		return PDPC_ERR_NOMEM;
	}
	return PDPC_OK;
}

pdpc_status pdpc_add_buffer(pdpc_compiler *c, const char *name,
                            const char *data, size_t len)
{
	if (c == NULL || name == NULL || (data == NULL && len > 0))
		return PDPC_ERR_ARG;
	char *copy = malloc(len + 1);
	if (copy == NULL)
		return PDPC_ERR_NOMEM;
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	return add_source(c, name, copy, len);
}

/* Read the whole file (common file reader), refused past the size limit
 * without reading on: a policy file larger than that is an error, not
 * something to load into memory first. A file that cannot be read is an
 * E-IO diagnostic without position and PDPC_ERR_IO. */
pdpc_status pdpc_add_file(pdpc_compiler *c, const char *path)
{
	if (c == NULL || path == NULL)
		return PDPC_ERR_ARG;
	srcpos none = {UINT32_MAX, 0, 0};
	uint8_t *buf = NULL;
	size_t len = 0;
	int eno = 0;
	switch (file_read_all(path, PDPC_MAX_FILE_BYTES, NULL, &buf, &len,
	                      &eno)) {
	case FILE_READ_OK:
		break;
	case FILE_READ_OPEN: {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s: cannot open: %s", path,
		         strerror(eno));
		cc_report(c, none, DIAG_E_IO, NULL, "%s", msg);
		return PDPC_ERR_IO;
	}
	case FILE_READ_NOMEM:
		return PDPC_ERR_NOMEM;
	case FILE_READ_TOO_LARGE:
		cc_report(c, none, DIAG_E_LIMIT, NULL,
		          "%s: file larger than %u bytes", path, PDPC_MAX_FILE_BYTES);
		return PDPC_ERR_IO;
	case FILE_READ_IO:
		cc_report(c, none, DIAG_E_IO, NULL, "%s: read error", path);
		return PDPC_ERR_IO;
	}
	/* the reader's buffer, NUL-terminated, becomes the source's text (no
	 * second copy of a large policy); trimmed to its length */
	char *text = realloc(buf, len + 1);
	return add_source(c, path, text != NULL ? text : (char *)buf, len);
}

static uint32_t file_index(const cc *c, const char *name)
{
	for (size_t i = 0; i < c->sources.n; i++)
		if (c->sources.items[i].name == name)
			return (uint32_t)i;
	return UINT32_MAX;
}

typedef struct diag_order {
	pdpc_diag d;
	uint32_t file;
	size_t seq;
} diag_order;

static int cmp_diag(const void *a, const void *b)
{
	const diag_order *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.col != y->d.col)
		return x->d.col < y->d.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Diagnostics in source order (file, line, column), so that a person reads
 * them top to bottom; ties keep the order they were found in. */
static void sort_diags(cc *c)
{
	size_t n = c->diags.n;
	if (n < 2)
		return;
	diag_order *tmp = malloc(n * sizeof(*tmp));
	if (tmp == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		tmp[i].d = c->diags.items[i];
		tmp[i].file = file_index(c, tmp[i].d.file);
		tmp[i].seq = i;
	}
	qsort(tmp, n, sizeof(*tmp), cmp_diag);
	for (size_t i = 0; i < n; i++)
		c->diags.items[i] = tmp[i].d;
	free(tmp);
}

/* Tell the caller's progress display which stage starts. */
static void stage(const cc *c, const char *name, const char *what)
{
	if (c->progress != NULL)
		c->progress(c->progress_ctx, name, what);
}

/* A file's reading so far: the ACPs and diagnostics it added while its
 * YAML was still loading (the items of its `acps:` list, handed over one
 * by one), so that a file whose YAML turns out bad adds only the load's
 * own diagnostics, as when it was read only after loading. */
typedef struct file_read {
	cc *c;
	size_t acps_before;
	VEC(size_t) spans;     /* [from, to) of c->diags, pairs */
} file_read;

static void keep_cond_nodes(cc *c, m_cond *k)
{
	if (k == NULL)
		return;
	if (k->rhs_node != NULL)
		k->rhs_node = yn_copy(c, k->rhs_node);
	for (size_t i = 0; i < k->kids.n; i++)
		keep_cond_nodes(c, k->kids.items[i]);
}

/* The YAML nodes the model of ACPs [from, c->acps.n) points to (condition
 * literals, typed by resolve; a native ACP's object, its source for a
 * store), copied out of c->yar before the trees go. */
static void keep_acp_nodes(cc *c, size_t from)
{
	for (size_t i = from; i < c->acps.n; i++) {
		m_acp *a = c->acps.items[i];
		if (a->node != NULL)
			a->node = yn_copy(c, a->node);
		for (size_t r = 0; r < a->priv.n; r++)
			keep_cond_nodes(c, a->priv.items[r]->when);
		for (size_t r = 0; r < a->self.n; r++)
			keep_cond_nodes(c, a->self.items[r]->when);
	}
}

/* One item of the first document's `acps:` list, checked and read the
 * moment it is complete (yaml_load_policy then frees its nodes). */
static void read_streamed_acp(void *ctx, ynode *item)
{
	file_read *fr = ctx;
	cc *c = fr->c;
	size_t from = c->acps.n, d = c->diags.n;
	yaml_check_policy(c, item);
	read_acps_item(c, item);
	keep_acp_nodes(c, from);
	if (c->diags.n > d) {
		VEC_PUSH_HEAP(c, fr->spans, d);
		VEC_PUSH_HEAP(c, fr->spans, c->diags.n);
	}
}

/* A file whose YAML does not load adds no model: drop what its streamed
 * items added (the load's own diagnostics stay). */
static void unread(cc *c, file_read *fr)
{
	c->acps.n = fr->acps_before;
	size_t w = 0, s = 0;
	for (size_t i = 0; i < c->diags.n; i++) {
		while (s < fr->spans.n && i >= fr->spans.items[s + 1])
			s += 2;
		if (s < fr->spans.n && i >= fr->spans.items[s])
			continue;
		c->diags.items[w++] = c->diags.items[i];
	}
	c->diags.n = w;
}

/* Load, check and read one policy file; its trees are freed after. */
static void read_file(cc *c, uint32_t file)
{
	file_read fr = {c, c->acps.n, {0}};
	ynode_vec docs = {0};
	if (!yaml_load_policy(c, file, &docs,
	                      c->whole_trees ? NULL : read_streamed_acp, &fr))
		unread(c, &fr);
	else {
		if (docs.n == 0) {
			srcpos p = {file, 1, 1};
			cc_error(c, p, DIAG_E_VERSION,
			         "empty policy file: start it with 'pdp: 1'");
		}
		size_t from = c->acps.n;
		for (size_t d = 0; d < docs.n && !c->oom; d++) {
			yaml_check_policy(c, docs.items[d]);
			read_document(c, docs.items[d]);
		}
		keep_acp_nodes(c, from);
	}
	VEC_FREE(fr.spans);
	arena_free_all(&c->yar);
}

/* Run the passes. Diagnostics from adding files are kept. */
static pdpc_status run(cc *c, bool lint, bool emit)
{
	/* keep I/O diagnostics reported by pdpc_add_file */
	size_t io_errors = 0;
	for (size_t i = 0; i < c->diags.n; i++)
		io_errors += strcmp(c->diags.items[i].code, diag_get(DIAG_E_IO)->code) == 0 ||
		             c->diags.items[i].line == 0;
	if (io_errors == 0)
		reset_diags(c);
	reset_model(c);
	free(c->image);
	c->image = NULL;
	c->image_len = 0;
	c->lint = lint;
	if (c->sources.n == 0) {
		srcpos none = {UINT32_MAX, 0, 0};
		if (io_errors == 0)
			cc_error(c, none, DIAG_E_IO, "no policy files given");
		return PDPC_ERR_POLICY;
	}
	for (size_t i = 0; i < c->sources.n && !c->oom; i++) {
		stage(c, "reading", c->sources.items[i].name);
		read_file(c, (uint32_t)i);
	}
	if (!c->oom) {
		stage(c, "resolving", NULL);
		resolve_policy(c);
	}
	if (!c->oom && lint) {
		stage(c, "linting", NULL);
		lint_policy(c);
	}
	if (c->oom)
		return PDPC_ERR_NOMEM;
	if (cc_error_count(c) > 0)
		return PDPC_ERR_POLICY;
	if (!emit)
		return PDPC_OK;
	stage(c, "writing the image", NULL);
	if (!emit_image(c) || !cc_stamp_image(c))
		return PDPC_ERR_NOMEM;
	/* A compiled image must load: check it here so that a compiler bug
	 * shows as a compile error, not as a CSE that cannot start. Borrowed:
	 * c->image outlives the check, and a copy would add the image's size
	 * to the compiler's peak. */
	stage(c, "checking the image", NULL);
	pdp_image *img = NULL;
	pdp_error err;
	/* the identity was just computed from these bytes (cc_stamp_image):
	 * hashing them again cost a fifth of a compile */
	pdp_status loaded = img_load_known(c->image, c->image_len, &c->ident,
	                                   true, &img, &err);
	if (loaded == PDP_ERR_NOMEM) {
		free(c->image);
		c->image = NULL;
		c->image_len = 0;
		return PDPC_ERR_NOMEM;
	}
	if (loaded != PDP_OK) {
		srcpos none = {UINT32_MAX, 0, 0};
		cc_error(c, none, DIAG_E_INTERNAL,
		         "internal error: the compiled image does not load: %s",
		         err.message);
		free(c->image);
		c->image = NULL;
		c->image_len = 0;
		return PDPC_ERR_POLICY;
	}
	pdp_image_free(img);
	return PDPC_OK;
}

void pdpc_set_progress(pdpc_compiler *c, pdpc_progress_fn fn, void *ctx)
{
	if (c != NULL) {
		c->progress = fn;
		c->progress_ctx = ctx;
	}
}

pdpc_status pdpc_compile(pdpc_compiler *c, const uint8_t **image, size_t *len)
{
	if (c == NULL || image == NULL || len == NULL)
		return PDPC_ERR_ARG;
	*image = NULL;
	*len = 0;
	pdpc_status st = run(c, false, true);
	sort_diags(c);
	if (st == PDPC_OK) {
		*image = c->image;
		*len = c->image_len;
	}
	return st;
}

pdpc_status pdpc_lint(pdpc_compiler *c)
{
	if (c == NULL)
		return PDPC_ERR_ARG;
	pdpc_status st = run(c, true, false);
	sort_diags(c);
	return st;
}

size_t pdpc_diag_count(const pdpc_compiler *c)
{
	return c ? c->diags.n : 0;
}

const pdpc_diag *pdpc_diag_get(const pdpc_compiler *c, size_t i)
{
	return c && i < c->diags.n ? &c->diags.items[i] : NULL;
}

size_t pdpc_diag_count_severity(const pdpc_compiler *c, pdpc_severity s)
{
	size_t n = 0;
	for (size_t i = 0; c && i < c->diags.n; i++)
		n += c->diags.items[i].severity == s;
	return n;
}

/* The offset of the start of line (1-based) of s, or len + 1 past the
 * last line: from the nearest mark at or before it. */
static size_t line_start(const source *s, size_t line)
{
	if (line > s->lines)
		return s->len + 1;
	size_t lo = 0, hi = s->marks.n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->marks.items[mid].line <= line)
			lo = mid;
		else
			hi = mid;
	}
	const char *p = s->data + s->marks.items[lo].off, *end = s->data + s->len;
	for (size_t l = s->marks.items[lo].line; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return s->len + 1;
		p = nl + 1;
	}
	return (size_t)(p - s->data);
}

/* The end of the line starting at off: a line longer than the mark
 * spacing ends where the next line's mark starts. */
static size_t line_end(const source *s, size_t line, size_t off)
{
	size_t span = s->len - off;
	if (span > LINE_MARK_BYTES)
		span = LINE_MARK_BYTES;
	const char *nl = memchr(s->data + off, '\n', span);
	if (nl != NULL)
		return (size_t)(nl - s->data);
	if (line >= s->lines)
		return s->len;
	return line_start(s, line + 1) - 1;
}

const char *pdpc_source_line(const pdpc_compiler *c, const char *file,
                             uint32_t line, size_t *len)
{
	if (c == NULL || file == NULL || line == 0)
		return NULL;
	for (size_t i = 0; i < c->sources.n; i++) {
		const source *s = &c->sources.items[i];
		if (strcmp(s->name, file) != 0)
			continue;
		size_t start = line_start(s, line);
		if (start > s->len)
			return NULL;
		size_t end = line_end(s, line, start);
		if (end > start && s->data[end - 1] == '\r')
			end--;
		if (len)
			*len = end - start;
		return s->data + start;
	}
	return NULL;
}
