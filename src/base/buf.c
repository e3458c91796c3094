/* SPDX-License-Identifier: MIT */
/* Growable byte buffer with a ceiling. */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"

#include <stdarg.h>

void et_buf_init(struct et_buf *b, size_t max)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void et_buf_release(struct et_buf *b)
{
    et__free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

void et_buf_reset(struct et_buf *b)
{
    b->len = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

int et_buf_grow(struct et_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : ET_BUF_DEFAULT_MAX;
    size_t need, cap;
    char *p;

    if (extra > max || b->len > max - extra) {
        et_buf_release(b);
        return ET_ETOOBIG;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return ET_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = et__realloc(b->ptr, cap);
    if (!p) {
        et_buf_release(b);
        return ET_ENOMEM;
    }
    b->ptr = p;
    b->cap = cap;
    return ET_OK;
}

int et_buf_add(struct et_buf *b, const void *data, size_t len)
{
    int rc = et_buf_grow(b, len);

    if (rc)
        return rc;
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return ET_OK;
}

int et_buf_addstr(struct et_buf *b, const char *s)
{
    return et_buf_add(b, s, strlen(s));
}

int et_buf_addch(struct et_buf *b, char c)
{
    return et_buf_add(b, &c, 1);
}

int et_buf_vprintf(struct et_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    int rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return ET_EINVAL;
    rc = et_buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return ET_OK;
}

int et_buf_printf(struct et_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = et_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *et_buf_detach(struct et_buf *b, size_t *len_out)
{
    char *p = b->ptr;

    if (!p)
        p = et__strdup("");
    if (len_out)
        *len_out = p ? b->len : 0;
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

const char *et_buf_str(const struct et_buf *b)
{
    return b->ptr ? b->ptr : "";
}
