/*
 * file_read.c - whole-file reads (file_read.h), with plain open/read so
 * the same loop serves the library (no stdio state) and the tools.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file_read.h"

#define FIRST_CHUNK (64u * 1024u)

/* Grow buf so that it has room for more bytes after len, never beyond
 * limit bytes in all; false when out of memory. */
static bool grow(uint8_t **buf, size_t *cap, size_t len, size_t limit)
{
	if (len < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : FIRST_CHUNK;
	if (ncap > limit || ncap < *cap)
		ncap = limit;
	uint8_t *nb = realloc(*buf, ncap + 1); /* + 1: the NUL */
	if (nb == NULL)
		return false;
	*buf = nb;
	*cap = ncap;
	return true;
}

file_read_status file_read_all(const char *path, size_t max,
                               file_read_more_fn more, uint8_t **out,
                               size_t *len, int *eno)
{
	*out = NULL;
	*len = 0;
	*eno = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*eno = errno;
		return FILE_READ_OPEN;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > max) {
		close(fd);
		return FILE_READ_TOO_LARGE;
	}
	/* one byte more than max tells a file that is too large */
	size_t limit = max < SIZE_MAX - 1 ? max + 1 : max;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	file_read_status rc = FILE_READ_OK;
	for (;;) {
		if (!grow(&buf, &cap, n, limit)) {
			rc = FILE_READ_NOMEM;
			break;
		}
		if (n == cap) {
			rc = FILE_READ_TOO_LARGE;
			break;
		}
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			*eno = errno;
			rc = FILE_READ_IO;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (more != NULL && !more(buf, n))
			break;
	}
	close(fd);
	if (rc == FILE_READ_OK && n > max)
		rc = FILE_READ_TOO_LARGE;
	if (rc != FILE_READ_OK) {
		free(buf);
		return rc;
	}
	if (buf == NULL) { /* not reached: grow ran at least once */
		*eno = ENOMEM;
		return FILE_READ_NOMEM;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return FILE_READ_OK;
}
