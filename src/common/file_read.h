/*
 * file_read.h - read a whole file into memory: the one loop behind the
 * compiler's policy files (pdpc_add_file), the CLI's images (-i IMAGE) and
 * the live store's snapshot and log (src/store/persist.c).
 */
#ifndef PDP_COMMON_FILE_READ_H
#define PDP_COMMON_FILE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum file_read_status {
	FILE_READ_OK = 0,
	FILE_READ_OPEN,       /* the file could not be opened (*eno why) */
	FILE_READ_IO,         /* a read failed (*eno why) */
	FILE_READ_TOO_LARGE,  /* more than max bytes */
	FILE_READ_NOMEM
} file_read_status;

/* Optional early stop: given the bytes read so far, false ends the reading
 * there (e.g. input that is plainly not an image need not be read to the
 * size limit). */
typedef bool (*file_read_more_fn)(const uint8_t *buf, size_t len);

/*
 * Read path into *out (malloc'd, the caller frees; one NUL byte after the
 * *len bytes, so text may be used as a C string), at most max bytes: a
 * regular file larger than max is refused before it is read, anything else
 * is read up to max + 1 bytes to know. Retries reads interrupted by a
 * signal. On failure *out is NULL and *eno holds the errno (0 for
 * TOO_LARGE and NOMEM).
 */
file_read_status file_read_all(const char *path, size_t max,
                               file_read_more_fn more, uint8_t **out,
                               size_t *len, int *eno);

#endif
