/* base.c - arena, growable arrays. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "compiler/base.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct arena_chunk {
	arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK_MIN (64u * 1024u)
#define ARENA_MAPPED_MIN (1024u * 1024u)

/* A chunk of at least want bytes of data. Freed memory of a malloc'd
 * chunk stays in the process for malloc to reuse; a mapped one's goes back
 * to the system when unmapped. */
static arena_chunk *chunk_new(const arena *a, size_t want)
{
#ifdef MAP_ANONYMOUS
	if (a->mapped) {
		size_t bytes = sizeof(arena_chunk) + want;
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		return p == MAP_FAILED ? NULL : p;
	}
#endif
	return malloc(sizeof(arena_chunk) + want);
}

static void chunk_free(const arena *a, arena_chunk *c)
{
#ifdef MAP_ANONYMOUS
	if (a->mapped) {
		munmap(c, sizeof(arena_chunk) + c->size);
		return;
	}
#endif
	free(c);
}

/* size bytes at an offset that is a multiple of align (a power of two
 * up to max_align_t's), not cleared. */
static void *arena_take(arena *a, size_t size, size_t align)
{
	arena_chunk *c = a->head;
	size_t at = c != NULL ? (c->used + align - 1) & ~(align - 1) : 0;
	if (c == NULL || at > c->size || c->size - at < size) {
		size_t min = a->mapped ? ARENA_MAPPED_MIN : ARENA_CHUNK_MIN;
		size_t want = size > min ? size : min;
		c = chunk_new(a, want);
		if (c == NULL)
			return NULL;
		c->size = want;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	void *p = (char *)c->data + at;
	c->used = at + size;
	return p;
}

void *arena_alloc(arena *a, size_t size)
{
	void *p = arena_take(a, size ? size : 1, sizeof(max_align_t));
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void arena_free_all(arena *a)
{
	arena_chunk *c = a->head;
	while (c != NULL) {
		arena_chunk *next = c->next;
		chunk_free(a, c);
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
		chunk_free(a, a->head);
		a->head = next;
	}
	if (a->head != NULL)
		a->head->used = m.used;
}

/* Strings need no alignment: packed byte to byte (the YAML trees' scalars
 * are most of a large compile's strings, and mostly short). */
char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = len < SIZE_MAX ? arena_take(a, len + 1, 1) : NULL;
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

/* Arrays in the arena start at one element (most of a policy's lists hold
 * one: a rule's originators, a context's windows) and double; an array
 * that is the arena's newest allocation grows in place, and an outgrown
 * copy is left behind otherwise (freed with the arena). */
bool vec_grow_arena(arena *a, void **items, size_t *cap, size_t need,
                    size_t elem)
{
	if (need <= *cap && *items != NULL)
		return true;
	size_t ncap = *cap ? *cap * 2 : 1;
	while (ncap < need)
		ncap *= 2;
	if (ncap > SIZE_MAX / elem)
		return false;
	arena_chunk *c = a->head;
	if (*items != NULL && c != NULL &&
	    (char *)*items + *cap * elem == (char *)c->data + c->used &&
	    c->size - c->used >= (ncap - *cap) * elem) {
		c->used += (ncap - *cap) * elem;
		*cap = ncap;
		return true;
	}
	void *p = arena_take(a, ncap * elem, sizeof(max_align_t));
	if (p == NULL)
		return false;
	if (*cap > 0 && *items != NULL)
		memcpy(p, *items, *cap * elem);
	*items = p;
	*cap = ncap;
	return true;
}
