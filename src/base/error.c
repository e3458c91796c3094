/* SPDX-License-Identifier: MIT */
/* The status table (errors.def) turned into names and descriptions. */
#include "base/setup.h"

#include <stdarg.h>

const char *et_status_name(int code)
{
    switch (code) {
#define X(name, value, desc)                                                   \
    case value:                                                                \
        return #name;
#include "exectrail/errors.def"
#undef X
    default:
        return "UNKNOWN";
    }
}

const char *et_status_str(int code)
{
    switch (code) {
#define X(name, value, desc)                                                   \
    case value:                                                                \
        return desc;
#include "exectrail/errors.def"
#undef X
    default:
        return "unknown status";
    }
}

int et_error_setv(struct et_error *err, int code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    err->sys_errno = 0;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

int et_error_set(struct et_error *err, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    et_error_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int et_error_sys(struct et_error *err, int code, int errno_value,
                 const char *fmt, ...)
{
    va_list ap;
    size_t len;

    if (!err)
        return code;
    va_start(ap, fmt);
    et_error_setv(err, code, fmt, ap);
    va_end(ap);
    err->sys_errno = errno_value;
    len = strlen(err->msg);
    if (errno_value && len < sizeof(err->msg))
        snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
                 strerror(errno_value));
    return code;
}

int et_error_prefix(struct et_error *err, const char *fmt, ...)
{
    char prefix[128];
    char old[sizeof(err->msg)];
    va_list ap;

    if (!err)
        return ET_EINVAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof(old));
    {
        size_t plen = strlen(prefix), olen = strnlen(old, sizeof(old) - 1);
        size_t cap = sizeof(err->msg) - 1, n = 0;

        /* "prefix: old", cut to fit */
        memcpy(err->msg, prefix, plen < cap ? plen : cap);
        n = plen < cap ? plen : cap;
        if (n + 2 <= cap) {
            memcpy(err->msg + n, ": ", 2);
            n += 2;
        }
        if (olen > cap - n)
            olen = cap - n;
        memcpy(err->msg + n, old, olen);
        err->msg[n + olen] = '\0';
    }
    return err->code;
}

_Noreturn void et__bug(const char *file, int line, const char *what)
{
    fprintf(stderr, "exectrail: BUG at %s:%d: %s\n", file, line, what);
    abort();
}
