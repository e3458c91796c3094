/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer, always NUL-terminated, with a ceiling: growing past
 * `max` fails with ET_ETOOBIG and the buffer frees itself (so a half-built
 * value can never be used by mistake).
 */
#ifndef ET_BASE_BUF_H
#define ET_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "exectrail/error.h"

struct et_buf {
    char *ptr;  /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    size_t max; /* 0 = ET_BUF_DEFAULT_MAX */
};

#define ET_BUF_DEFAULT_MAX ((size_t)1 << 31)
#define ET_BUF_INIT        {NULL, 0, 0, 0}

void et_buf_init(struct et_buf *b, size_t max);
/* Frees the contents; b can be reused after et_buf_init. */
void et_buf_release(struct et_buf *b);
/* Keeps the memory, sets len to 0. */
void et_buf_reset(struct et_buf *b);
ET_NODISCARD int et_buf_grow(struct et_buf *b, size_t extra);
ET_NODISCARD int et_buf_add(struct et_buf *b, const void *data, size_t len);
ET_NODISCARD int et_buf_addstr(struct et_buf *b, const char *s);
ET_NODISCARD int et_buf_addch(struct et_buf *b, char c);
ET_NODISCARD int et_buf_printf(struct et_buf *b, const char *fmt, ...)
    ET_PRINTF(2, 3);
ET_NODISCARD int et_buf_vprintf(struct et_buf *b, const char *fmt,
                                va_list ap) ET_PRINTF(2, 0);
/* Hand the memory to the caller (free with et__free); b is emptied. */
char *et_buf_detach(struct et_buf *b, size_t *len_out);
/* "" when empty, never NULL. */
const char *et_buf_str(const struct et_buf *b);

#endif /* ET_BASE_BUF_H */
