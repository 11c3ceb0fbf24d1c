/* base.c - arena, growable arrays. */
#include "compiler/base.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK_MIN (64u * 1024u)

void *arena_alloc(arena *a, size_t size)
{
	size_t align = sizeof(max_align_t);
	size = (size + align - 1) / align * align;
	if (size == 0)
		size = align;
	arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < size) {
		size_t want = size > ARENA_CHUNK_MIN ? size : ARENA_CHUNK_MIN;
		c = malloc(sizeof(*c) + want);
		if (c == NULL)
			return NULL;
		c->size = want;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

void arena_free_all(arena *a)
{
	arena_chunk *c = a->head;
	while (c != NULL) {
		arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
}

arena_mark arena_get_mark(const arena *a)
{
	arena_mark m = {a->head, a->head ? a->head->used : 0};
	return m;
}

/* Chunks are pushed at the head, so the ones newer than the mark come
 * first; the mark's own chunk is kept and cut back to its old fill. */
void arena_release(arena *a, arena_mark m)
{
	while (a->head != NULL && a->head != m.head) {
		arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
	if (a->head != NULL)
		a->head->used = m.used;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

bool vec_grow(void **items, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap && *items != NULL)
		return true;
	size_t ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return false;
	void *p = realloc(*items, ncap * elem);
	if (p == NULL)
		return false;
	*items = p;
	*cap = ncap;
	return true;
}

bool vec_grow_arena(arena *a, void **items, size_t *cap, size_t need,
                    size_t elem)
{
	if (need <= *cap && *items != NULL)
		return true;
	size_t ncap = *cap ? *cap * 2 : 4;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return false;
	void *p = arena_alloc(a, ncap * elem);
	if (p == NULL)
		return false;
	if (*cap > 0 && *items != NULL)
		memcpy(p, *items, *cap * elem);
	*items = p;
	*cap = ncap;
	return true;
}
