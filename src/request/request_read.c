/*
 * request_read.c - a stream of requests (a file, standard input), read and
 * handed over one at a time: JSON Lines line by line, YAML document by
 * document and list item by list item (yaml_load_stream). Nothing is kept
 * once a request has been answered, so memory is bounded by one request
 * (PDP_MAX_REQUEST_TEXT_BYTES of text), not by the input.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "request/request.h"
#include "common/limits.h"

typedef struct reader {
	const request_input *in;
	const pdp_image *img;
	request_fn fn;
	void *ctx;
	cc *c;
	char *buf;              /* unread input is buf[pos, len) */
	size_t pos, len, cap;
	bool eof, io_error, stop;
	size_t since_request;   /* YAML: bytes given to libyaml since the last
	                           request was complete */
	bool too_large;
	yaml_parser_t *parser;  /* YAML: the parser, and where it was when */
	yaml_mark_t after;      /* the last request was complete */
	uint32_t line;          /* JSON Lines: the current line's number */
	size_t answers;         /* JSON Lines: requests the line gave */
} reader;

/* Room for one whole request and a read's worth more. */
#define READ_CHUNK (64u * 1024u)
#define BUF_MAX (PDP_MAX_REQUEST_TEXT_BYTES + 2u * READ_CHUNK)

/* Read more input after the unread bytes; false at the end (or when the
 * buffer is full). */
static bool fill(reader *r)
{
	if (r->eof || r->io_error)
		return false;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (r->cap - r->len < READ_CHUNK && r->cap < BUF_MAX) {
		size_t ncap = r->cap * 2 < BUF_MAX ? r->cap * 2 : BUF_MAX;
		char *nb = realloc(r->buf, ncap);
		if (nb == NULL) {
			r->c->oom = true;
			return false;
		}
		/* cleared once per growth (a few times per run), so that no byte
		 * of the buffer is ever indeterminate, whatever a reader reports */
		memset(nb + r->cap, 0, ncap - r->cap);
		r->buf = nb;
		r->cap = ncap;
	}
	if (r->len == r->cap)
		return false;
	size_t got = 0;
	if (!r->in->read(r->in->ctx, r->buf + r->len, r->cap - r->len, &got)) {
		r->io_error = true;
		return false;
	}
	r->eof = got == 0;
	r->len += got;
	return got > 0;
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* The next line (without its newline) in *s, *n; false at the end of the
 * input. A line longer than the request limit is skipped as it is read:
 * *s is then NULL. */
static bool next_line(reader *r, const char **s, size_t *n)
{
	size_t scanned = 0;
	bool skipping = false;
	for (;;) {
		char *nl = memchr(r->buf + r->pos + scanned, '\n',
		                  r->len - r->pos - scanned);
		if (nl != NULL || (r->eof && (r->pos < r->len || skipping))) {
			size_t end = nl ? (size_t)(nl - r->buf) : r->len;
			skipping |= end - r->pos > PDP_MAX_REQUEST_TEXT_BYTES;
			*s = skipping ? NULL : r->buf + r->pos;
			*n = skipping ? 0 : end - r->pos;
			r->pos = nl ? end + 1 : end;
			return true;
		}
		if (r->eof || r->io_error || r->c->oom)
			return false;
		if (skipping || r->len - r->pos > PDP_MAX_REQUEST_TEXT_BYTES) {
			skipping = true;
			r->pos = r->len;
			scanned = 0;
		} else
			scanned = r->len - r->pos;
		fill(r);
	}
}

static bool give(reader *r, parsed_request *pr)
{
	if (!r->stop && !r->fn(r->ctx, pr))
		r->stop = true;
	return !r->stop;
}

/* A bad request made from the loader's first diagnostic since `from`.
 * JSON Lines (line > 0): the diagnostic is on that line, or (when libyaml
 * reports the end of the text) at its end, col `end_col`. */
static void give_diag(reader *r, size_t from, uint32_t line, uint32_t end_col,
                      const char *fallback)
{
	const pdpc_diag *d = pdpc_diag_count(r->c) > from
	                             ? pdpc_diag_get(r->c, from)
	                             : NULL;
	srcpos pos = {0, d ? d->line : 1, d ? d->col : 1};
	if (line > 0 && pos.line > 1)
		pos.col = end_col;
	if (line > 0)
		pos.line = line;
	parsed_request pr;
	request_bad(r->c, pos, &pr, "%s", d ? d->message : fallback);
	give(r, &pr);
}

/* Forget diagnostics from `from` on: they were turned into answers. */
static void drop_diags(reader *r, size_t from, arena_mark m)
{
	r->c->diags.n = from;
	arena_release(&r->c->diag_ar, m);
}

/* Move a tree parsed from one line to that line of its file. The depth is
 * bounded by the YAML loader's limit. */
static void shift_lines(ynode *n, uint32_t by)
{
	n->pos.line += by;
	for (size_t i = 0; i < n->n; i++)
		shift_lines(n->items[i], by);
}

static bool line_tree(void *ctx, ynode *n)
{
	reader *r = ctx;
	/* one answer per line, whatever the line holds */
	if (r->answers++ > 0)
		return true;
	shift_lines(n, r->line - 1);
	parsed_request pr;
	request_from_node(r->c, n, r->img, &pr);
	return give(r, &pr);
}

/* Parse text as YAML with sink; false when the loader failed. */
static bool load_text(reader *r, const char *s, size_t n, const yaml_sink *sink)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		r->c->oom = true;
		return false;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)s, n);
	bool ok = yaml_load_stream(r->c, 0, &p, sink);
	yaml_parser_delete(&p);
	return ok;
}

static void read_line(reader *r, const char *s, size_t n)
{
	if (s == NULL) {
		srcpos pos = {0, r->line, 1};
		parsed_request pr;
		request_bad(r->c, pos, &pr, "the line is longer than %u bytes, the "
		                            "limit for one request (docs/limits.md)",
		            PDP_MAX_REQUEST_TEXT_BYTES);
		give(r, &pr);
		return;
	}
	yaml_sink sink = {line_tree, r, false, "request"};
	size_t diags = pdpc_diag_count(r->c);
	arena_mark dm = arena_get_mark(&r->c->diag_ar);
	r->answers = 0;
	bool ok = load_text(r, s, n, &sink);
	uint32_t end_col = (uint32_t)(n < UINT32_MAX ? n + 1 : UINT32_MAX);
	if (!ok && r->answers == 0 && !r->c->oom)
		give_diag(r, diags, r->line, end_col, "unreadable line");
	else if (ok && r->answers == 0)
		give_diag(r, diags, r->line, 1,
		          "the line holds no request (a JSON object)");
	drop_diags(r, diags, dm);
}

static requests_status read_json_lines(reader *r)
{
	const char *s;
	size_t n;
	arena_mark m = arena_get_mark(&r->c->ar);
	for (r->line = 1; !r->stop && next_line(r, &s, &n); r->line++) {
		if (s == NULL || !blank(s, n))
			read_line(r, s, n);
		arena_release(&r->c->ar, m);
		if (r->c->oom)
			return REQUESTS_NOMEM;
	}
	return r->io_error ? REQUESTS_IO : REQUESTS_OK;
}

/* libyaml's input: the buffered bytes, then the rest of the input. More
 * than a request's worth of text without a complete request stops it. */
static int yaml_input(void *data, unsigned char *buf, size_t size,
                      size_t *size_read)
{
	reader *r = data;
	if (r->pos == r->len && !fill(r) && !r->eof)
		return 0;
	size_t n = r->len - r->pos < size ? r->len - r->pos : size;
	r->since_request += n;
	if (r->since_request > PDP_MAX_REQUEST_TEXT_BYTES) {
		r->too_large = true;
		return 0;
	}
	memcpy(buf, r->buf + r->pos, n);
	r->pos += n;
	*size_read = n;
	return 1;
}

static bool yaml_tree(void *ctx, ynode *n)
{
	reader *r = ctx;
	r->since_request = 0;
	r->after = r->parser->mark;
	parsed_request pr;
	request_from_node(r->c, n, r->img, &pr);
	return give(r, &pr);
}

static requests_status read_yaml(reader *r)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return REQUESTS_NOMEM;
	yaml_parser_set_input(&p, yaml_input, r);
	r->parser = &p;
	yaml_sink sink = {yaml_tree, r, true, "request"};
	bool ok = yaml_load_stream(r->c, 0, &p, &sink);
	yaml_parser_delete(&p);
	r->parser = NULL;
	if (r->c->oom)
		return REQUESTS_NOMEM;
	if (r->io_error)
		return REQUESTS_IO;
	if (ok || r->stop)
		return REQUESTS_OK;
	if (r->too_large) {
		/* where the last request ended: the next one is too long */
		srcpos pos = {0, (uint32_t)r->after.line + 1,
		              (uint32_t)r->after.column + 1};
		parsed_request pr;
		request_bad(r->c, pos, &pr, "more than %u bytes from here without a "
		                            "complete request, the limit for one "
		                            "request (docs/limits.md)",
		            PDP_MAX_REQUEST_TEXT_BYTES);
		give(r, &pr);
	} else
		give_diag(r, 0, 0, 0, "unreadable YAML");
	return REQUESTS_OK;
}

static bool count_map(void *ctx, ynode *n)
{
	*(int *)ctx += n->kind == YN_MAP ? 1 : 2;
	return true;
}

static bool space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Read on until the unread input has a byte at offset off; false at the
 * end of the input. Nothing is consumed. */
static bool peek_at(reader *r, size_t off)
{
	while (r->pos + off >= r->len)
		if (!fill(r))
			return false;
	return true;
}

/* JSON Lines when the first non-blank line is a JSON object all by itself:
 * it ends with `}`, or it parses alone as a mapping (`{...} # note`). A
 * pretty-printed JSON request starts with a lone `{` and is YAML. A first
 * line ending in `}` that does not parse is a bad request of JSON Lines,
 * so one broken line never swallows the lines after it. */
static bool first_line_is_object(reader *r)
{
	size_t i = 0, end, last;
	if (peek_at(r, 2) && memcmp(r->buf + r->pos, "\xef\xbb\xbf", 3) == 0)
		i = 3; /* a UTF-8 byte order mark (libyaml skips it too) */
	while (peek_at(r, i) && space(r->buf[r->pos + i]))
		i++;
	if (!peek_at(r, i) || r->buf[r->pos + i] != '{')
		return false;
	for (end = i; peek_at(r, end) && r->buf[r->pos + end] != '\n'; end++)
		if (end - i > PDP_MAX_REQUEST_TEXT_BYTES)
			return true; /* too long for a request: a bad JSON line */
	for (last = end; last > i && space(r->buf[r->pos + last - 1]); last--)
		;
	if (last - i > 1 && r->buf[r->pos + last - 1] == '}')
		return true;
	int maps = 0;
	yaml_sink sink = {count_map, &maps, false, "request"};
	size_t diags = pdpc_diag_count(r->c);
	arena_mark dm = arena_get_mark(&r->c->diag_ar);
	bool ok = load_text(r, r->buf + r->pos + i, end - i, &sink);
	drop_diags(r, diags, dm);
	return ok && maps == 1;
}

requests_status requests_read(const request_input *in, const pdp_image *img,
                              request_fn fn, void *ctx)
{
	reader r;
	memset(&r, 0, sizeof(r));
	r.in = in;
	r.img = img;
	r.fn = fn;
	r.ctx = ctx;
	r.c = pdpc_new();
	r.cap = READ_CHUNK * 2;
	r.buf = calloc(1, r.cap);
	requests_status st = REQUESTS_NOMEM;
	if (r.c != NULL && r.buf != NULL &&
	    pdpc_add_buffer(r.c, in->name, "", 0) == PDPC_OK) {
		bool lines = in->json_lines || first_line_is_object(&r);
		st = r.io_error ? REQUESTS_IO
		     : lines    ? read_json_lines(&r)
		                : read_yaml(&r);
	}
	free(r.buf);
	pdpc_free(r.c);
	return st;
}

void request_to_public(const parsed_request *pr, pdpc_request *out)
{
	out->req = pr->req;
	out->ok = pr->ok;
	out->error = pr->error;
	out->line = pr->pos.line;
	out->col = pr->pos.col;
	out->time_defaulted = pr->time_defaulted;
	out->notes = pr->notes;
}

/* pdpc_requests_read's caller, and the bridge to it. */
typedef struct public_reader {
	pdpc_request_fn fn;
	void *ctx;
} public_reader;

static bool to_public(void *ctx, parsed_request *pr)
{
	public_reader *p = ctx;
	pdpc_request r;
	request_to_public(pr, &r);
	return p->fn(p->ctx, &r);
}

pdpc_status pdpc_requests_read(const pdpc_request_input *in,
                               const pdp_image *img, pdpc_request_fn fn,
                               void *ctx)
{
	if (in == NULL || in->read == NULL || img == NULL || fn == NULL)
		return PDPC_ERR_ARG;
	public_reader p = {fn, ctx};
	switch (requests_read(in, img, to_public, &p)) {
	case REQUESTS_OK:
		return PDPC_OK;
	case REQUESTS_IO:
		return PDPC_ERR_IO;
	case REQUESTS_NOMEM:
		break;
	}
	return PDPC_ERR_NOMEM;
}

void pdpc_request_default_time(pdpc_request *r, pdp_time now)
{
	if (r == NULL || !r->ok || r->req.has_time)
		return;
	r->req.has_time = true;
	r->req.time = now;
	r->time_defaulted = true;
}
