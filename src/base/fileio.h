/* SPDX-License-Identifier: MIT */
/* Small POSIX file helpers shared by the layers that write files. */
#ifndef ET_BASE_FILEIO_H
#define ET_BASE_FILEIO_H

#include <stddef.h>

/* Write all of p[0..n) to fd, again after EINTR and short writes: 0, or
 * -1 with errno set (EIO for a write of 0 bytes). */
int et__write_all(int fd, const void *p, size_t n);

#endif /* ET_BASE_FILEIO_H */
