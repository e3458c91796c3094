/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the JSON parser (json.c) and writer (json_write.c):
 * the strict UTF-8 rule and the string escaper. Not part of the module API.
 */
#ifndef ET_CODEC_JSON_INT_H
#define ET_CODEC_JSON_INT_H

#include <stddef.h>

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

/*
 * Append s[0..len) as a JSON string literal, quotes included: '"', '\\'
 * and U+0000..U+001F are escaped (\b \f \n \r \t, else \u00xx in lower
 * case); everything else is copied. ET_EINVAL if s is not valid UTF-8
 * (out is left with a partial literal); else ET_OK, ET_ENOMEM, ET_ETOOBIG.
 */
int et__json_add_string(struct et_buf *out, const char *s, size_t len);

#endif /* ET_CODEC_JSON_INT_H */
