/*
 * alloc.c - memory for the tables a decision reads (image arena, hash
 * slots): aligned to cache lines and, when large, to huge pages.
 *
 * On a large image each decision reads a handful of lines spread over
 * megabytes, so every line is on a different 4 KiB page: besides the cache
 * miss, each read walks the page tables, which is another dependent miss.
 * With 2 MiB pages the TLB covers the whole image. Linux gives them to
 * regions marked with madvise(MADV_HUGEPAGE) when transparent huge pages
 * are enabled ("madvise" is Debian's default); elsewhere, or when the
 * kernel says no, the memory is ordinary and nothing else changes.
 */
#define _DEFAULT_SOURCE 1
#include <stdlib.h>
#include <sys/mman.h>

#include "image/image.h"

#define LINE 64u
#define HUGE_PAGE (2u * 1024u * 1024u)

void *img_alloc_lines(size_t size)
{
	if (size > SIZE_MAX - HUGE_PAGE)
		return NULL;
#if defined(MADV_HUGEPAGE)
	if (size >= HUGE_PAGE) {
		size_t whole = (size + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		void *p = aligned_alloc(HUGE_PAGE, whole);
		if (p != NULL)
			(void)madvise(p, whole, MADV_HUGEPAGE); /* a hint only */
		return p;
	}
#endif
	return aligned_alloc(LINE, (size + LINE - 1) & ~(size_t)(LINE - 1));
}
