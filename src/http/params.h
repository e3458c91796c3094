/* SPDX-License-Identifier: MIT */
/*
 * The query string of a request target (application/x-www-form-urlencoded:
 * name=value pairs joined by '&', '+' for a space, %XX escapes). Pure, no
 * allocation: fuzzed by fuzz/fuzz_http_params.c.
 */
#ifndef ET_HTTP_PARAMS_H
#define ET_HTTP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#define ET_HTTP_VALUE_MAX 2048 /* a decoded value, with its NUL */

/*
 * Find parameter `name` in query q[0..len) (without the '?') and decode its
 * value into out (cap bytes, NUL-terminated). A name without '=' has the
 * value "". Returns 1 when found, 0 when absent, -1 when the first
 * occurrence is malformed: a bad %XX escape, an escaped NUL, or a value
 * that does not fit (*bad_out, may be NULL, then names the byte offset in
 * q of the problem). The first occurrence wins.
 */
int et__http_param(const char *q, size_t len, const char *name, char *out,
                   size_t cap, size_t *bad_out);

/*
 * Check that every pair of q decodes: 0, or -1 with *bad_out the offset of
 * the first bad byte. Names outside `known` (NULL-terminated) are refused
 * too, with *unknown_out (may be NULL) pointing at the name.
 */
int et__http_params_check(const char *q, size_t len, const char *const *known,
                          size_t *bad_out, bool *is_unknown_out);

#endif
