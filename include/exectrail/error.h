/* SPDX-License-Identifier: MIT */
/*
 * Status codes and the caller-supplied error detail buffer. Every fallible
 * function in libexectrail returns ET_OK (0) or a negative enum et_status and,
 * when given a non-NULL struct et_error, fills it with a message.
 */
#ifndef ET_EXECTRAIL_ERROR_H
#define ET_EXECTRAIL_ERROR_H

#include <stdarg.h>

#if defined(__GNUC__)
# define ET_API        __attribute__((visibility("default")))
# define ET_NODISCARD  __attribute__((warn_unused_result))
# define ET_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
# define ET_API
# define ET_NODISCARD
# define ET_PRINTF(f, a)
#endif

#ifdef __cplusplus
extern "C" {
#endif

enum et_status {
#define X(name, value, desc) ET_##name = value,
#include "exectrail/errors.def"
#undef X
};

/*
 * Error detail. Fixed size so that it can be filled even when memory is
 * exhausted. code is the enum et_status; sys_errno is errno when a system
 * call failed, else 0; msg is lower case, without a final full stop.
 */
struct et_error {
    int code;
    int sys_errno;
    char msg[256];
};

#define ET_ERROR_INIT {0, 0, {0}}

/* "EINVAL" for ET_EINVAL; "UNKNOWN" for codes not in the table. */
ET_API const char *et_status_name(int code);
/* A short English description of code. */
ET_API const char *et_status_str(int code);

/*
 * Fill err (may be NULL) and return code, so that a function can end with
 * `return et_error_set(err, ET_EINPUT, "...")`. Does not allocate.
 */
ET_API int et_error_set(struct et_error *err, int code, const char *fmt, ...)
    ET_PRINTF(3, 4);
ET_API int et_error_setv(struct et_error *err, int code, const char *fmt,
                         va_list ap) ET_PRINTF(3, 0);
/* Like et_error_set, and records errno_value in err->sys_errno. */
ET_API int et_error_sys(struct et_error *err, int code, int errno_value,
                        const char *fmt, ...) ET_PRINTF(4, 5);
/* Prepend "prefix: " to err->msg (keeps the code). Returns err->code. */
ET_API int et_error_prefix(struct et_error *err, const char *fmt, ...)
    ET_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_ERROR_H */
