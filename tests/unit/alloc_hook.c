/* alloc_hook.c - see alloc_hook.h. */
#include <stdlib.h>

#include "alloc_hook.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

_Thread_local int alloc_counting;
_Thread_local unsigned long alloc_count;
_Thread_local long alloc_fail_in = -1;
_Thread_local int alloc_failed;

/* Count one allocation; false when it is the one to fail. */
static int allowed(void)
{
	if (alloc_counting)
		alloc_count++;
	if (alloc_fail_in < 0)
		return 1;
	if (alloc_fail_in-- > 0)
		return 1;
	alloc_failed = 1;
	return 0;
}

void *malloc(size_t n)
{
	return allowed() ? __libc_malloc(n) : NULL;
}

void *calloc(size_t a, size_t b)
{
	return allowed() ? __libc_calloc(a, b) : NULL;
}

void *realloc(void *p, size_t n)
{
	return allowed() ? __libc_realloc(p, n) : NULL;
}

void free(void *p)
{
	__libc_free(p);
}
