/*
 * base.h - compiler plumbing: an arena for everything a compile builds,
 * growable arrays, source positions and diagnostics.
 */
#ifndef PDP_COMPILER_BASE_H
#define PDP_COMPILER_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp/pdpc.h"

/* Bump allocator: objects live until the compiler is reset or freed, so
 * the model needs no per-object frees. Allocation failure sets cc->oom,
 * which the driver checks after every pass. */
typedef struct arena_chunk arena_chunk;
typedef struct arena {
	arena_chunk *head;
	bool mapped;     /* chunks of 1 MiB mapped from the system, so that
	                    freeing them gives the memory back at once (a
	                    policy's YAML trees, freed before the image is
	                    built); else malloc'd chunks of 64 KiB */
} arena;

void *arena_alloc(arena *a, size_t size);
void arena_free_all(arena *a);

/* A point in an arena's life: releasing to it frees everything allocated
 * since, so a reader streaming many small trees (requests) needs memory for
 * one tree at a time. */
typedef struct arena_mark {
	arena_chunk *head;
	size_t used;
} arena_mark;
arena_mark arena_get_mark(const arena *a);
void arena_release(arena *a, arena_mark m);
char *arena_strndup(arena *a, const char *s, size_t len);

/* A source position; file indexes the compiler's source list. */
typedef struct srcpos {
	uint32_t file;
	uint32_t line, col;
} srcpos;

/* Growable array of T: declare `T *items; size_t n, cap;` and push with
 * VEC_PUSH (grows inside the compile arena: never freed one by one) or
 * VEC_PUSH_HEAP (realloc; release with VEC_FREE) for arrays that outlive a
 * compile or are large scratch. */
bool vec_grow(void **items, size_t *cap, size_t need, size_t elem);
bool vec_grow_arena(arena *a, void **items, size_t *cap, size_t need,
                    size_t elem);
#define VEC(T) struct { T *items; size_t n, cap; }
#define VEC_PUSH(cc, v, val)                                              \
	do {                                                              \
		if (((v).n == (v).cap || (v).items == NULL) &&            \
		    !vec_grow_arena(&(cc)->ar, (void **)&(v).items,         \
		                    &(v).cap, (v).n + 1, sizeof(*(v).items))) { \
			(cc)->oom = true;                                 \
			break;                                            \
		}                                                         \
		(v).items[(v).n++] = (val);                               \
	} while (0)
#define VEC_PUSH_HEAP(cc, v, val)                                         \
	do {                                                              \
		if (((v).n == (v).cap || (v).items == NULL) &&            \
		    !vec_grow((void **)&(v).items, &(v).cap, (v).n + 1,     \
		              sizeof(*(v).items))) {                       \
			(cc)->oom = true;                                 \
			break;                                            \
		}                                                         \
		(v).items[(v).n++] = (val);                               \
	} while (0)
#define VEC_FREE(v) do { free((v).items); (v).items = NULL; (v).n = (v).cap = 0; } while (0)

#endif
