/*
 * yaml_load.c - libyaml events -> ynode trees with file:line:col.
 *
 * Built iteratively with an explicit stack, so nesting depth is a checked
 * limit (PDPC_MAX_YAML_DEPTH) rather than a C stack overflow. Anchors and
 * aliases are rejected: expanding aliases is how "billion laughs" inputs
 * blow up, and policies do not need them. Duplicate mapping keys are errors
 * (a YAML loader that silently keeps one would hide a rule).
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "common/limits.h"
#include "compiler/cc.h"

/* An open collection. Its children wait on the loader's one stack of
 * pending nodes (from `first` on) until it closes, and are then copied
 * once into the arena: growing an array per collection in the arena left
 * every outgrown copy behind (a quarter of the compiler's memory at L). */
typedef struct frame {
	ynode *node;
	size_t first;
} frame;

static srcpos pos_of(uint32_t file, yaml_mark_t m)
{
	srcpos p = {file, (uint32_t)m.line + 1, (uint32_t)m.column + 1};
	return p;
}

static ynode *new_node(cc *c, arena *ar, ynode_kind kind, srcpos pos)
{
	ynode *n = arena_alloc(ar, sizeof(*n));
	if (n == NULL)
		c->oom = true;
	else {
		n->kind = kind;
		n->pos = pos;
	}
	return n;
}

static bool keep_tag(cc *c, ynode *n, const yaml_char_t *tag)
{
	if (tag == NULL)
		return true;
	n->tag = cc_strndup(c, (const char *)tag, strlen((const char *)tag));
	return n->tag != NULL;
}

/* Attach child to the innermost open collection (or make it the document
 * root). */
static bool attach(cc *c, ynode_vec *pending, size_t depth, ynode *child,
                   ynode **root)
{
	if (depth == 0) {
		*root = child;
		return true;
	}
	VEC_PUSH_HEAP(c, *pending, child);
	return !c->oom;
}

static int cmp_key(const void *a, const void *b)
{
	const ynode *x = *(const ynode *const *)a, *y = *(const ynode *const *)b;
	size_t l = x->len < y->len ? x->len : y->len;
	int r = l ? memcmp(x->str, y->str, l) : 0;
	if (r == 0 && x->len != y->len)
		r = x->len < y->len ? -1 : 1;
	if (r != 0)
		return r;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return x->pos.col < y->pos.col ? -1 : x->pos.col > y->pos.col;
}

/* Duplicate keys of a finished mapping: its scalar keys sorted (text, then
 * position), so each duplicate sits next to the first occurrence. Sorting
 * keeps a 100,000-key `assignments:` map at n log n. */
static void check_duplicate_keys(cc *c, ynode *const *kids, size_t count)
{
	size_t pairs = count / 2, n = 0;
	if (pairs < 2)
		return;
	ynode **keys = malloc(pairs * sizeof(ynode *));
	if (keys == NULL) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i + 1 < count; i += 2)
		if (kids[i]->kind == YN_SCALAR)
			keys[n++] = kids[i];
	qsort(keys, n, sizeof(ynode *), cmp_key);
	size_t first = 0;
	for (size_t i = 1; i < n; i++) {
		const ynode *a = keys[first], *b = keys[i];
		if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0)
			cc_error(c, b->pos, DIAG_E_YAML_DUPKEY,
			         "duplicate key '%s' (first at line %u); merge the "
			         "two entries",
			         b->str, a->pos.line);
		else
			first = i;
	}
	free(keys);
}

/* The collection's children, from the pending stack into the arena. */
static bool close_frame(cc *c, arena *ar, ynode_vec *pending, const frame *f)
{
	ynode *n = f->node;
	n->n = pending->n - f->first;
	if (n->n > 0) {
		n->items = arena_alloc(ar, n->n * sizeof(ynode *));
		if (n->items == NULL) {
			c->oom = true;
			return false;
		}
		memcpy(n->items, pending->items + f->first, n->n * sizeof(ynode *));
	}
	pending->n = f->first;
	return true;
}

/* The line:col of byte off of a UTF-8 source, counted as libyaml counts
 * marks: lines end at LF, CR LF, CR, NEL, LS or PS; columns are characters,
 * from 1; a leading byte order mark is not a character. libyaml's reader
 * errors (invalid UTF-8, control characters) carry only the offset. */
static srcpos pos_at_offset(uint32_t file, const char *data, size_t len,
                            size_t off)
{
	const unsigned char *s = (const unsigned char *)data;
	srcpos p = {file, 1, 1};
	size_t i = len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3
	                                                                       : 0;
	if (off > len)
		off = len;
	while (i < off) {
		size_t brk = 0;
		if (s[i] == '\n')
			brk = 1;
		else if (s[i] == '\r')
			brk = i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
		else if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x85)
			brk = 2;
		else if (s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
		         (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
			brk = 3;
		if (brk > 0) {
			p.line++;
			p.col = 1;
			i += brk;
			continue;
		}
		if ((s[i] & 0xC0) != 0x80) /* not a continuation byte */
			p.col++;
		i++;
	}
	return p;
}

/* libyaml's wording for the mistakes authors make most, in ours: what is
 * wrong in the author's terms and what to do (docs/diagnostics.md, E-YAML).
 * Matched on libyaml's problem text (with its context where the same
 * problem means different things); anything else keeps libyaml's words. */
static const struct {
	const char *problem, *context; /* substrings; context NULL: any */
	const char *message, *hint;
} YAML_WORDING[] = {
	{"tab character", NULL, "a tab in the indentation",
	 "YAML indents with spaces only: replace the tab by spaces"},
	{"did not find expected '-' indicator", NULL,
	 "this line is indented differently from the list it belongs to",
	 "start every item of one list ('- ...') in the same column"},
	{"did not find expected key", NULL,
	 "this line is indented differently from the mapping it belongs to",
	 "start every key of one mapping in the same column, and indent a "
	 "key's value further than the key"},
	{"mapping values are not allowed", NULL,
	 "a ':' where YAML expected no new key",
	 "indent this key under its parent, or quote a value that contains "
	 "': '"},
	{"did not find expected ',' or ']'", NULL,
	 "a [ list is not closed, or its items are not separated by commas",
	 "close the list with ']' and separate items with ','"},
	{"did not find expected ',' or '}'", NULL,
	 "a { mapping is not closed, or its entries are not separated by commas",
	 "close the mapping with '}' and separate entries with ','"},
	{"found unexpected end of stream", "quoted scalar",
	 "a quoted string is not closed", "add the closing quote"},
	{"found character that cannot start any token", NULL,
	 "a value starts with a character YAML reserves (such as @ or `)",
	 "quote the value"},
};

static void yaml_problem(cc *c, uint32_t file, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		c->oom = true; /* not the file's fault: PDPC_ERR_NOMEM */
		return;
	}
	const source *src = &c->sources.items[file];
	srcpos pos = p->error == YAML_READER_ERROR
	                     ? pos_at_offset(file, src->data, src->len,
	                                     p->problem_offset)
	                     : pos_of(file, p->problem_mark);
	const char *problem = p->problem ? p->problem : "";
	for (size_t i = 0; i < sizeof(YAML_WORDING) / sizeof(YAML_WORDING[0]);
	     i++) {
		if (strstr(problem, YAML_WORDING[i].problem) == NULL ||
		    (YAML_WORDING[i].context != NULL &&
		     (p->context == NULL ||
		      strstr(p->context, YAML_WORDING[i].context) == NULL)))
			continue;
		cc_report(c, pos, DIAG_E_YAML, YAML_WORDING[i].hint,
		          "YAML syntax error: %s", YAML_WORDING[i].message);
		return;
	}
	if (p->context != NULL)
		cc_error(c, pos, DIAG_E_YAML, "YAML syntax error: %s %s",
		         p->problem ? p->problem : "invalid input", p->context);
	else
		cc_error(c, pos, DIAG_E_YAML, "YAML syntax error: %s",
		         p->problem ? p->problem : "invalid input");
}

/* One load: the open collections, and where finished trees go. */
typedef struct loader {
	cc *c;
	uint32_t file;
	ynode_vec *docs;          /* documents (yaml_load_docs), or */
	const yaml_sink *sink;    /* trees handed over as they finish */
	frame stack[PDPC_MAX_YAML_DEPTH + 1];
	size_t depth;
	ynode_vec pending;        /* children of the open collections (heap) */
	ynode *root;
	size_t nodes;             /* in the current tree */
	arena_mark doc_start;     /* sink: memory of the current document */
	arena_mark tree_start;    /* and of the current tree */
	arena *node_ar;           /* where nodes go: c->ar, or c->yar */
	/* yaml_load_policy: what the first document's root mapping has shown
	 * so far, and the `acps:` list whose items are handed over */
	yaml_item_fn item;
	void *item_ctx;
	size_t doc_index;
	int version;              /* first `pdp` value: 0 unseen, 1 is 1, -1 other */
	bool acps_seen;           /* an `acps` key came before */
	bool acps_first;          /* the pending root key is the first `acps` */
	bool stream_list;         /* the list being opened is that `acps:` */
	bool streaming;           /* the open list at depth 1 is, items at 2 */
	arena_mark item_start;
} loader;

/* The first document's root mapping, as its keys and values arrive in
 * order: whether its first `pdp` is 1 and which `acps` list comes first,
 * as read_document would find them (yn_get: the first key of that text). */
static void track_root(loader *L, const ynode *child)
{
	if (L->item == NULL || L->doc_index != 0 || L->depth != 1 ||
	    L->stack[0].node->kind != YN_MAP)
		return;
	size_t at = L->pending.n - L->stack[0].first;
	if (at % 2 == 0) { /* a key */
		L->acps_first = yn_is(child, "acps") && !L->acps_seen;
		L->acps_seen |= yn_is(child, "acps");
		return;
	}
	const ynode *key = L->pending.items[L->pending.n - 1];
	if (L->version == 0 && yn_is(key, "pdp"))
		L->version = yn_is(child, "1") ? 1 : -1;
	L->stream_list = L->acps_first && L->version == 1 &&
	                 child->kind == YN_SEQ;
	L->acps_first = false;
}

/* An item of the streamed `acps:` list is being read. */
static bool streamed_item(const loader *L)
{
	return L->streaming && L->depth == 2;
}

/* Hand a complete `acps:` item over, then release its nodes. */
static bool hand_over_item(loader *L, ynode *n)
{
	L->item(L->item_ctx, n);
	arena_release(L->node_ar, L->item_start);
	return !L->c->oom;
}

/* With a sink that splits lists, each item of a root sequence is a tree of
 * its own: depth 1 under a sequence root. */
static bool splitting(const loader *L)
{
	return L->sink != NULL && L->sink->split_lists && L->depth >= 1 &&
	       L->stack[0].node->kind == YN_SEQ;
}

/* Hand a finished tree to the sink, then free it: memory is one tree's. */
static bool hand_over(loader *L, ynode *n)
{
	bool go_on = L->sink->tree(L->sink->ctx, n);
	arena_release(&L->c->ar, L->tree_start);
	L->nodes = 0;
	return go_on && !L->c->oom;
}

/* A new node: counted (per tree when streaming), and a tree starts here
 * when it is an item of a split list. */
static bool begin_node(loader *L, srcpos pos)
{
	if (streamed_item(L))
		L->item_start = arena_get_mark(L->node_ar);
	if (splitting(L) && L->depth == 1) {
		L->tree_start = arena_get_mark(&L->c->ar);
		L->nodes = 0;
	}
	if (++L->nodes > PDPC_MAX_YAML_NODES) {
		cc_error(L->c, pos, DIAG_E_LIMIT, "more than %u YAML nodes; split the %s",
		         PDPC_MAX_YAML_NODES, L->sink ? L->sink->what : "policy");
		return false;
	}
	return true;
}

/* A node is complete: attach it, or hand over a finished list item. */
static bool finish_node(loader *L, ynode *n)
{
	if (splitting(L) && L->depth == 1)
		return hand_over(L, n);
	if (streamed_item(L))
		return hand_over_item(L, n);
	track_root(L, n);
	return attach(L->c, &L->pending, L->depth, n, &L->root);
}

static bool on_document_end(loader *L)
{
	ynode *root = L->root;
	L->root = NULL;
	if (root == NULL)
		return true;
	if (L->sink == NULL) {
		L->doc_index++;
		if (L->docs == NULL)
			return true;
		VEC_PUSH(L->c, *L->docs, root);
		return !L->c->oom;
	}
	bool go_on = (L->sink->split_lists && root->kind == YN_SEQ) ||
	             hand_over(L, root);
	arena_release(&L->c->ar, L->doc_start);
	return go_on;
}

/* A scalar, or the start of a sequence or mapping: refuse anchors (an
 * alias could multiply a policy's size and hides what a rule holds), keep
 * explicit tags for yaml_check_policy, bound the nesting, and attach the
 * node to its parent (a streamed list's items go to the sink instead). */
static bool on_node_event(loader *L, const yaml_event_t *ev, srcpos pos)
{
	cc *c = L->c;
	const yaml_char_t *anchor =
		ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.anchor
		: ev->type == YAML_SEQUENCE_START_EVENT
		        ? ev->data.sequence_start.anchor
		        : ev->data.mapping_start.anchor;
	if (anchor != NULL) {
		cc_error(c, pos, DIAG_E_YAML_ALIAS,
		         "YAML anchors and aliases are not supported "
		         "(anchor &%s); write the value out",
		         (const char *)anchor);
		return false;
	}
	if (!begin_node(L, pos))
		return false;
	const yaml_char_t *tag =
		ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.tag
		: ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.tag
		                                        : ev->data.mapping_start.tag;
	ynode *n;
	if (ev->type == YAML_SCALAR_EVENT) {
		n = new_node(c, L->node_ar, YN_SCALAR, pos);
		if (n == NULL)
			return false;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = ev->data.scalar.length;
		n->str = cc_strndup(c, (const char *)ev->data.scalar.value, n->len);
		return n->str != NULL && keep_tag(c, n, tag) && finish_node(L, n);
	}
	n = new_node(c, L->node_ar,
	             ev->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP, pos);
	if (n == NULL || !keep_tag(c, n, tag))
		return false;
	if (L->depth >= PDPC_MAX_YAML_DEPTH) {
		cc_error(c, pos, DIAG_E_LIMIT,
		         "YAML nesting deeper than %u levels; flatten the %s",
		         PDPC_MAX_YAML_DEPTH, L->sink ? L->sink->what : "policy");
		return false;
	}
	/* a split list's items are attached nowhere: handed over at their end */
	bool handed = (splitting(L) && L->depth == 1) || streamed_item(L);
	L->stream_list = false;
	if (!handed) {
		track_root(L, n);
		if (!attach(c, &L->pending, L->depth, n, &L->root))
			return false;
	}
	L->stack[L->depth].node = n;
	L->stack[L->depth].first = L->pending.n;
	L->depth++;
	if (L->stream_list)
		L->streaming = true;
	L->stream_list = false;
	return true;
}

static bool on_collection_end(loader *L)
{
	if (L->depth == 0)
		return false;
	frame *f = &L->stack[--L->depth];
	/* a sink checks mapping keys itself (and its trees are short-lived:
	 * diagnostics would pile up over a long stream) */
	if (L->sink == NULL && f->node->kind == YN_MAP &&
	    L->pending.n > f->first) /* an empty map may have no items array */
		check_duplicate_keys(L->c, L->pending.items + f->first,
		                     L->pending.n - f->first);
	if (!close_frame(L->c, L->node_ar, &L->pending, f))
		return false;
	if (L->streaming && L->depth == 1)
		L->streaming = false; /* the `acps:` list ends */
	if (streamed_item(L))
		return hand_over_item(L, f->node);
	return !(splitting(L) && L->depth == 1) || hand_over(L, f->node);
}

/* The event loop over libyaml: builds trees on the loader's stack and
 * stops at the first YAML error, which libyaml cannot recover from (the
 * position it reports is where it noticed). */
static bool load_events(loader *L, yaml_parser_t *parser)
{
	cc *c = L->c;
	bool ok = true, done = false;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(parser, &ev)) {
			yaml_problem(c, L->file, parser);
			return false;
		}
		srcpos pos = pos_of(L->file, ev.start_mark);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			L->root = NULL;
			if (L->sink != NULL)
				L->nodes = 0; /* a stream counts per tree */
			L->doc_start = L->tree_start = arena_get_mark(&c->ar);
			break;
		case YAML_DOCUMENT_END_EVENT:
			ok = on_document_end(L);
			break;
		case YAML_ALIAS_EVENT:
			cc_error(c, pos, DIAG_E_YAML_ALIAS,
			         "YAML aliases (*%s) are not supported; write "
			         "the value out",
			         (const char *)ev.data.alias.anchor);
			ok = false;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			ok = on_node_event(L, &ev, pos);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			ok = on_collection_end(L);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	return ok && !c->oom;
}

/* Load source file from its text into docs, the nodes in node_ar. */
static bool load_source(cc *c, uint32_t file, ynode_vec *docs,
                        arena *node_ar, yaml_item_fn item, void *ctx)
{
	source *src = &c->sources.items[file];
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		c->oom = true;
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)src->data,
	                             src->len);
	loader L;
	memset(&L, 0, sizeof(L));
	L.c = c;
	L.file = file;
	L.docs = docs;
	L.node_ar = node_ar;
	L.item = item;
	L.item_ctx = ctx;
	bool ok = load_events(&L, &parser);
	VEC_FREE(L.pending);
	yaml_parser_delete(&parser);
	return ok;
}

bool yaml_load_docs(cc *c, uint32_t file, ynode_vec *docs)
{
	return load_source(c, file, docs, &c->ar, NULL, NULL);
}

bool yaml_load_policy(cc *c, uint32_t file, ynode_vec *docs,
                      yaml_item_fn item, void *ctx)
{
	return load_source(c, file, docs, &c->yar, item, ctx);
}

/* Recursion depth is bounded by the loader's PDPC_MAX_YAML_DEPTH. */
ynode *yn_copy(cc *c, const ynode *n)
{
	ynode *m = cc_alloc(c, sizeof(*m));
	if (m == NULL)
		return NULL;
	*m = *n;
	if (n->n == 0)
		return m;
	m->items = cc_alloc(c, n->n * sizeof(ynode *));
	if (m->items == NULL)
		return NULL;
	for (size_t i = 0; i < n->n; i++)
		if ((m->items[i] = yn_copy(c, n->items[i])) == NULL)
			return NULL;
	return m;
}

bool yaml_load_stream(cc *c, uint32_t file, struct yaml_parser_s *parser,
                      const yaml_sink *sink)
{
	loader L;
	memset(&L, 0, sizeof(L));
	L.c = c;
	L.file = file;
	L.sink = sink;
	L.node_ar = &c->ar;
	bool ok = load_events(&L, parser);
	VEC_FREE(L.pending);
	return ok;
}

/* ---- what policies refuse ---- */

/* Whether s[0..n) is non-empty and made only of characters of set. */
static bool all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return false;
	return n > 0;
}

/* Digits separated by ':' with groups after the first of one or two digits
 * below 60: YAML 1.1's base-60 integers (1:30 is 90). */
static bool sexagesimal(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (colon == NULL || colon == s || s[0] == '0' ||
	    !all_in(s, (size_t)(colon - s), "0123456789_"))
		return false;
	for (const char *p = colon; p < s + n;) {
		const char *e = memchr(p + 1, ':', (size_t)(s + n - p - 1));
		size_t g = (size_t)((e ? e : s + n) - p - 1);
		if (g == 0 || g > 2 || !all_in(p + 1, g, "0123456789") ||
		    (g == 2 && p[1] > '5'))
			return false;
		p = e ? e : s + n;
	}
	return true;
}

/* Why YAML readers would not read this plain scalar as the decimal number
 * or the text pdp sees, or NULL: the integer forms of YAML 1.1 and 1.2
 * other than plain decimal. */
static const char *ambiguous_number(const ynode *n)
{
	const char *s = n->str;
	size_t len = n->len;
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		s++;
		len--;
	}
	if (len >= 2 && s[0] == '0' && all_in(s + 1, len - 1, "0123456789_"))
		return "YAML 1.1 reads a leading 0 as octal (017 is 15), YAML "
		       "1.2 as decimal (17)";
	if (len >= 3 && s[0] == '0' &&
	    ((s[1] == 'x' && all_in(s + 2, len - 2, "0123456789abcdefABCDEF_")) ||
	     (s[1] == 'o' && all_in(s + 2, len - 2, "01234567")) ||
	     (s[1] == 'b' && all_in(s + 2, len - 2, "01_"))))
		return "YAML reads 0x, 0o and 0b as hexadecimal, octal and "
		       "binary numbers";
	if (len >= 2 && s[0] >= '1' && s[0] <= '9' &&
	    all_in(s, len, "0123456789_") && memchr(s, '_', len) != NULL)
		return "YAML 1.1 reads '_' in a number as a digit separator "
		       "(1_000 is 1000)";
	if (sexagesimal(s, len))
		return "YAML 1.1 reads numbers separated by ':' in base 60 (1:30 "
		       "is 90)";
	return NULL;
}

static void check_scalar(cc *c, const ynode *n)
{
	const char *why = n->plain ? ambiguous_number(n) : NULL;
	if (why != NULL)
		cc_report(c, n->pos, DIAG_E_YAML_NUMBER,
		          "write the number in plain decimal, or quote it if it is "
		          "text",
		          "ambiguous plain scalar '%s': %s", n->str, why);
}

static void check_tag(cc *c, const ynode *n)
{
	static const char core[] = "tag:yaml.org,2002:";
	if (n->tag == NULL)
		return;
	bool short_form = strncmp(n->tag, core, sizeof(core) - 1) == 0;
	cc_report(c, n->pos, DIAG_E_YAML_TAG,
	          "remove the tag; quote a value to make it text",
	          "YAML tag '%s%s' is not supported: pdp reads each value by "
	          "where it appears",
	          short_form ? "!!" : "",
	          short_form ? n->tag + sizeof(core) - 1 : n->tag);
}

/* Report a merge key and drop its pair, so that the keys it would have
 * merged are not also reported as unknown keys or misread names. */
static void drop_merge_keys(cc *c, ynode *map)
{
	size_t w = 0;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const ynode *k = map->items[i];
		if (k->kind == YN_SCALAR && k->plain && yn_is(k, "<<")) {
			cc_report(c, k->pos, DIAG_E_YAML_MERGE,
			          "write the merged keys out in this mapping",
			          "YAML merge keys ('<<') are not supported");
			continue;
		}
		map->items[w++] = map->items[i];
		map->items[w++] = map->items[i + 1];
	}
	map->n = w;
}

/* Recursion depth is bounded by the loader's PDPC_MAX_YAML_DEPTH. */
void yaml_check_policy(cc *c, ynode *n)
{
	check_tag(c, n);
	if (n->kind == YN_SCALAR) {
		check_scalar(c, n);
		return;
	}
	if (n->kind == YN_MAP)
		drop_merge_keys(c, n);
	for (size_t i = 0; i < n->n; i++)
		yaml_check_policy(c, n->items[i]);
}

ynode *yn_get(const ynode *map, const char *key)
{
	if (map == NULL || map->kind != YN_MAP)
		return NULL;
	size_t klen = strlen(key);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const ynode *k = map->items[i];
		if (k->kind == YN_SCALAR && k->len == klen &&
		    memcmp(k->str, key, klen) == 0)
			return map->items[i + 1];
	}
	return NULL;
}

bool yn_is(const ynode *n, const char *s)
{
	return n != NULL && n->kind == YN_SCALAR && strlen(s) == n->len &&
	       memcmp(n->str, s, n->len) == 0;
}

const char *yn_kind_name(const ynode *n)
{
	if (n == NULL)
		return "nothing";
	switch (n->kind) {
	case YN_SCALAR:
		return "a scalar";
	case YN_SEQ:
		return "a list";
	case YN_MAP:
		return "a mapping";
	}
	return "?";
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool core_decimal_float(const char *s, size_t n)
{
	size_t i = n > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
	size_t int_digits = strspn(s + i, "0123456789");
	i += int_digits;
	size_t frac_digits = 0;
	if (i < n && s[i] == '.') {
		i++;
		frac_digits = strspn(s + i, "0123456789");
		i += frac_digits;
	}
	if (int_digits == 0 && frac_digits == 0)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		size_t e = strspn(s + i, "0123456789");
		if (e == 0)
			return false;
		i += e;
	}
	return i == n;
}

static bool one_of(const ynode *n, const char *const *words)
{
	for (size_t i = 0; words[i] != NULL; i++)
		if (yn_is(n, words[i]))
			return true;
	return false;
}

yn_core yn_core_type(const ynode *n)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL", NULL};
	static const char *const bools[] = {"true", "True", "TRUE", "false",
	                                    "False", "FALSE", NULL};
	static const char *const special[] = {
		".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
		"-.Inf", "-.INF", ".nan", ".NaN", ".NAN", NULL};
	if (n == NULL || n->kind != YN_SCALAR || !n->plain)
		return YC_STRING;
	if (n->len == 0 || one_of(n, nulls))
		return YC_NULL;
	if (one_of(n, bools))
		return YC_BOOL;
	const char *s = n->str;
	size_t len = n->len, sign = s[0] == '-' || s[0] == '+' ? 1 : 0;
	if (all_in(s + sign, len - sign, "0123456789") ||
	    (len > 2 && s[0] == '0' && s[1] == 'o' &&
	     all_in(s + 2, len - 2, "01234567")) ||
	    (len > 2 && s[0] == '0' && s[1] == 'x' &&
	     all_in(s + 2, len - 2, "0123456789abcdefABCDEF")))
		return YC_INT;
	if (core_decimal_float(s, len) || one_of(n, special))
		return YC_FLOAT;
	return YC_STRING;
}

const char *yn_core_name(yn_core t)
{
	switch (t) {
	case YC_NULL: return "null";
	case YC_BOOL: return "a boolean";
	case YC_INT: return "an integer";
	case YC_FLOAT: return "a float";
	default: return "a string";
	}
}
