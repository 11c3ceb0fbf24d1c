/*
 * view.c - store views (view.h): lookups on the decision path, and the
 * immutable pieces a store builds and shares between successive views.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/limits.h"
#include "common/prims.h"
#include "image/view.h"

/* ---- reading ---- */

const view_slot *view_find(const img_view *v, pdp_str name)
{
	if (name.ptr == NULL)
		return NULL;
	uint64_t h = str_hash(name.ptr, name.len);
	const view_shard *s = v->shard[view_shard_of(h)];
	if (s == NULL)
		return NULL;
	uint32_t tag = (uint32_t)(h >> 32);
	for (uint32_t i = (uint32_t)h & s->mask;; i = (i + 1) & s->mask) {
		const view_slot *sl = &s->slots[i];
		if (sl->number == IMG_NONE)
			return NULL;
		if (sl->tag == tag && sl->name_len == name.len &&
		    (name.len == 0 || memcmp(sl->name, name.ptr, name.len) == 0))
			return sl;
	}
}

bool view_acp_at(const img_view *v, uint32_t number, view_acp *out)
{
	if (number >= v->acp_bound)
		return false;
	const view_chunk *c = v->chunk[number >> VIEW_CHUNK_BITS];
	if (c == NULL || c->acp[number & (VIEW_CHUNK - 1u)].seg == NULL)
		return false;
	*out = c->acp[number & (VIEW_CHUNK - 1u)];
	return true;
}

static bool str_eq(pdp_str a, pdp_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool view_in_group(const img_view *v, uint32_t g, pdp_str originator,
                   uint64_t h)
{
	if (g >= v->groups->n || v->groups->g[g] == NULL ||
	    v->groups->g[g] == VIEW_GROUP_IN_BASE)
		return false;
	const view_group *gr = v->groups->g[g];
	if (gr->n_exact > 0) {
		uint32_t tag = (uint32_t)(h >> 32);
		for (uint32_t i = (uint32_t)h & gr->mask;; i = (i + 1) & gr->mask) {
			if (gr->exact[i].ptr == NULL)
				break;
			if (gr->exact_tag[i] == tag && str_eq(gr->exact[i], originator))
				return true;
		}
	}
	for (uint32_t i = 0; i < gr->n_globs; i++)
		if (glob_match(gr->globs[i], originator))
			return true;
	return false;
}

/* ---- building ---- */

static uint32_t table_size(uint32_t n)
{
	uint32_t size = 4;
	while (size < 2u * n)
		size *= 2;
	return size;
}

view_shard *view_shard_build(const view_slot *slots, uint32_t n)
{
	uint32_t size = table_size(n);
	view_shard *s = malloc(sizeof(*s) + (size_t)size * sizeof(view_slot));
	if (s == NULL)
		return NULL;
	atomic_init(&s->refs, 1u);
	s->mask = size - 1;
	s->n = n;
	for (uint32_t i = 0; i < size; i++) {
		memset(&s->slots[i], 0, sizeof(view_slot));
		s->slots[i].number = IMG_NONE;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint64_t h = str_hash(slots[k].name, slots[k].name_len);
		uint32_t i = (uint32_t)h & s->mask;
		while (s->slots[i].number != IMG_NONE)
			i = (i + 1) & s->mask;
		s->slots[i] = slots[k];
		s->slots[i].tag = (uint32_t)(h >> 32);
		pdp_image_retain((pdp_image *)(uintptr_t)slots[k].seg);
	}
	return s;
}

void view_shard_release(view_shard *s)
{
	if (s == NULL ||
	    atomic_fetch_sub_explicit(&s->refs, 1u, memory_order_acq_rel) != 1u)
		return;
	for (uint32_t i = 0; i <= s->mask; i++)
		if (s->slots[i].number != IMG_NONE)
			pdp_image_release((pdp_image *)(uintptr_t)s->slots[i].seg);
	free(s);
}

view_chunk *view_chunk_build(const view_acp *entries)
{
	view_chunk *c = malloc(sizeof(*c));
	if (c == NULL)
		return NULL;
	atomic_init(&c->refs, 1u);
	memcpy(c->acp, entries, sizeof(c->acp));
	for (uint32_t i = 0; i < VIEW_CHUNK; i++)
		if (c->acp[i].seg != NULL)
			pdp_image_retain((pdp_image *)(uintptr_t)c->acp[i].seg);
	return c;
}

void view_chunk_release(view_chunk *c)
{
	if (c == NULL ||
	    atomic_fetch_sub_explicit(&c->refs, 1u, memory_order_acq_rel) != 1u)
		return;
	for (uint32_t i = 0; i < VIEW_CHUNK; i++)
		pdp_image_release((pdp_image *)(uintptr_t)c->acp[i].seg);
	free(c);
}

view_group *view_group_build(pdp_str name, const pdp_str *exact, size_t n_exact,
                             const pdp_str *globs, size_t n_globs)
{
	uint32_t slots = n_exact > 0 ? table_size((uint32_t)n_exact) : 0;
	size_t bytes = name.len;
	for (size_t i = 0; i < n_exact; i++)
		bytes += exact[i].len;
	for (size_t i = 0; i < n_globs; i++)
		bytes += globs[i].len;
	size_t head = sizeof(view_group);
	size_t arrays = ((size_t)slots + n_globs) * sizeof(pdp_str) +
	                (size_t)slots * sizeof(uint32_t);
	char *mem = malloc(head + arrays + bytes + 1);
	if (mem == NULL)
		return NULL;
	view_group *g = (view_group *)(void *)mem;
	pdp_str *ex = (pdp_str *)(void *)(mem + head);
	pdp_str *gl = ex + slots;
	uint32_t *tags = (uint32_t *)(void *)(gl + n_globs);
	char *text = (char *)(tags + slots);
	atomic_init(&g->refs, 1u);
	memcpy(text, name.ptr, name.len);
	g->name.ptr = text;
	g->name.len = name.len;
	text += name.len;
	memset(ex, 0, (size_t)slots * sizeof(pdp_str));
	g->mask = slots ? slots - 1 : 0;
	g->n_exact = 0;
	for (size_t k = 0; k < n_exact; k++) {
		uint64_t h = str_hash(exact[k].ptr, exact[k].len);
		uint32_t i = (uint32_t)h & g->mask;
		bool dup = false;
		for (; ex[i].ptr != NULL; i = (i + 1) & g->mask)
			if (str_eq(ex[i], exact[k])) {
				dup = true;
				break;
			}
		if (dup)
			continue;
		memcpy(text, exact[k].ptr, exact[k].len);
		ex[i].ptr = text;
		ex[i].len = exact[k].len;
		tags[i] = (uint32_t)(h >> 32);
		text += exact[k].len;
		g->n_exact++;
	}
	for (size_t k = 0; k < n_globs; k++) {
		memcpy(text, globs[k].ptr, globs[k].len);
		gl[k].ptr = text;
		gl[k].len = globs[k].len;
		text += globs[k].len;
	}
	g->n_globs = (uint32_t)n_globs;
	g->globs = gl;
	g->exact = ex;
	g->exact_tag = tags;
	return g;
}

void view_group_release(const view_group *cg)
{
	view_group *g = (view_group *)(uintptr_t)cg;
	if (g != NULL && cg != VIEW_GROUP_IN_BASE &&
	    atomic_fetch_sub_explicit(&g->refs, 1u, memory_order_acq_rel) == 1u)
		free(g);
}

view_groups *view_groups_build(const view_group *const *g, uint32_t n)
{
	view_groups *b = malloc(sizeof(*b) + (size_t)n * sizeof(g[0]));
	if (b == NULL)
		return NULL;
	atomic_init(&b->refs, 1u);
	b->n = n;
	for (uint32_t i = 0; i < n; i++) {
		b->g[i] = g[i];
		if (g[i] != NULL && g[i] != VIEW_GROUP_IN_BASE)
			atomic_fetch_add_explicit(&((view_group *)(uintptr_t)g[i])->refs,
			                          1u, memory_order_relaxed);
	}
	return b;
}

void view_groups_release(view_groups *b)
{
	if (b == NULL ||
	    atomic_fetch_sub_explicit(&b->refs, 1u, memory_order_acq_rel) != 1u)
		return;
	for (uint32_t i = 0; i < b->n; i++)
		view_group_release(b->g[i]);
	free(b);
}

/* ---- view images ---- */

pdp_image *view_image_new(pdp_image *base, view_shard *const *shards,
                          view_chunk *const *chunks, uint32_t n_chunks,
                          uint32_t acp_bound, uint32_t n_acps,
                          view_groups *groups)
{
	size_t bytes = sizeof(pdp_image) + sizeof(img_view) +
	               (size_t)(n_chunks ? n_chunks : 1) * sizeof(view_chunk *);
	char *mem = malloc(bytes);
	if (mem == NULL)
		return NULL;
	pdp_image *img = (pdp_image *)(void *)mem;
	img_view *v = (img_view *)(void *)(mem + sizeof(pdp_image));
	/* everything but the reference count, which other threads change
	 * while we copy (it is the first member) */
	_Static_assert(offsetof(pdp_image, refs) == 0, "refs leads pdp_image");
	size_t skip = offsetof(pdp_image, arena);
	memcpy((char *)img + skip, (const char *)base + skip,
	       sizeof(*img) - skip);
	atomic_init(&img->refs, 1u);
	img->view = v;
	img->view_base = pdp_image_retain(base);
	/* The base's own ACP records and group members are not this view's:
	 * hide them from anything that reads tables directly (audit refuses
	 * views; decisions go through the view). */
	static const enum img_section HIDDEN[] = {
		SEC_ACPS, SEC_RULES, SEC_ORIGS, SEC_CONTEXTS, SEC_WINDOWS,
		SEC_CIDRS, SEC_COUNTRIES, SEC_CIRCLES, SEC_OBJECTS, SEC_OBJTYPES,
		SEC_OBJSPECS, SEC_CONDS, SEC_CONDKIDS, SEC_INTS, SEC_TIMES,
		SEC_LISTITEMS, SEC_REGEXES, SEC_GROUPS, SEC_GROUPGLOBS, SEC_DECIDE};
	for (size_t i = 0; i < sizeof(HIDDEN) / sizeof(HIDDEN[0]); i++)
		img->count[HIDDEN[i]] = 0;
	memset(&img->h_acp, 0, sizeof(img->h_acp));
	img->segment = false;
	/* any segment's pattern must fit a scratch made for the view */
	img->max_regex_captures = PDP_MAX_REGEX_CAPTURES;
	v->chunk = (view_chunk **)(void *)(mem + sizeof(pdp_image) +
	                                   sizeof(img_view));
	v->n_chunks = n_chunks;
	v->acp_bound = acp_bound;
	v->n_acps = n_acps;
	for (uint32_t i = 0; i < VIEW_SHARDS; i++) {
		v->shard[i] = shards[i];
		if (shards[i] != NULL)
			atomic_fetch_add_explicit(&shards[i]->refs, 1u,
			                          memory_order_relaxed);
	}
	for (uint32_t i = 0; i < n_chunks; i++) {
		v->chunk[i] = chunks[i];
		if (chunks[i] != NULL)
			atomic_fetch_add_explicit(&chunks[i]->refs, 1u,
			                          memory_order_relaxed);
	}
	v->groups = groups;
	atomic_fetch_add_explicit(&groups->refs, 1u, memory_order_relaxed);
	return img;
}

void view_image_destroy(pdp_image *img)
{
	img_view *v = (img_view *)(uintptr_t)img->view;
	for (uint32_t i = 0; i < VIEW_SHARDS; i++)
		view_shard_release(v->shard[i]);
	for (uint32_t i = 0; i < v->n_chunks; i++)
		view_chunk_release(v->chunk[i]);
	view_groups_release(v->groups);
	pdp_image_release(img->view_base);
	free(img);
}
