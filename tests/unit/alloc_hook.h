/*
 * alloc_hook.h - this program's heap allocations, counted and made to fail
 * on demand, by interposing malloc and friends (glibc's __libc_* entry
 * points). For no_alloc.c (a decision allocates nothing) and no_mem.c
 * (every allocation failure is reported as out of memory). Built only
 * without sanitizers, which bring their own allocator.
 */
#ifndef PDP_TESTS_ALLOC_HOOK_H
#define PDP_TESTS_ALLOC_HOOK_H

/* While nonzero, alloc_count counts malloc, calloc and realloc calls. */
extern _Thread_local int alloc_counting;
extern _Thread_local unsigned long alloc_count;

/* When >= 0: that many more allocations succeed, the next one fails (and
 * alloc_failed is set), and the countdown stops (-1). */
extern _Thread_local long alloc_fail_in;
extern _Thread_local int alloc_failed;

#endif
