/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the JSON parser (json.c, json_locate.c) and writer
 * (json_write.c): the strict UTF-8 rule, the string escaper, the error-path
 * locator. Not part of the module API.
 */
#ifndef ET_CODEC_JSON_INT_H
#define ET_CODEC_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "exectrail/error.h"
#include "base/buf.h"

/*
 * Hard ceiling on nesting, whatever the limits ask for: json-c frees a tree
 * recursively and the writer recurses, so a deeper tree could overflow a
 * thread's stack.
 */
#define ET__JSON_DEPTH_CAP 1024

/*
 * Length (2..4) of the well-formed UTF-8 sequence starting at p[0] >= 0x80,
 * or 0 if it is not one (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no sequence cut short by the end of p[0..avail)).
 */
static inline size_t et__json_utf8_len(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;

    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    if (c == 0xe0)
        lo = 0xa0; /* overlong below U+0800 */
    else if (c == 0xed)
        hi = 0x9f; /* U+D800..U+DFFF */
    else if (c == 0xf0)
        lo = 0x90; /* overlong below U+10000 */
    else if (c == 0xf4)
        hi = 0x8f; /* above U+10FFFF */
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    }
    return n;
}

/* A byte a JSON string holds as it is: printable ASCII or DEL, not '"' or
 * '\\'. */
static inline bool et__json_is_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Four hex digits at p[i..i+4): the value, or -1. */
static inline long et__json_hex4(const unsigned char *p, size_t len, size_t i)
{
    long v = 0;

    if (i > len || len - i < 4)
        return -1;
    for (size_t k = i; k < i + 4; k++) {
        unsigned char c = p[k];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/*
 * Wording of the two errors that name a path (json_locate.c). buf is known
 * to be valid JSON up to len (or off). max_depth bounds the nesting. Fill
 * err and return ET_EINPUT (ET_ENOMEM, or ET_EINTERNAL if no duplicate is
 * found).
 */
int et__json_report_duplicate(const char *buf, size_t len, int max_depth,
                              struct et_error *err);
/* off: the backslash of the \u0000; str_off: its string's opening quote. */
int et__json_report_nul_escape(const char *buf, size_t off, size_t str_off,
                               int max_depth, struct et_error *err);

/*
 * Append s[0..len) as a JSON string literal, quotes included: '"', '\\'
 * and U+0000..U+001F are escaped (\b \f \n \r \t, else \u00xx in lower
 * case); everything else is copied. ET_EINVAL if s is not valid UTF-8
 * (out is left with a partial literal); else ET_OK, ET_ENOMEM, ET_ETOOBIG.
 */
int et__json_add_string(struct et_buf *out, const char *s, size_t len);

#endif /* ET_CODEC_JSON_INT_H */
