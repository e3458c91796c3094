/* SPDX-License-Identifier: MIT */
/* Query-string decoding for the HTTP API (see params.h). */
#include "base/setup.h"
#include "http/params.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* decode s[0..n) into out (cap > 0); -1 with *bad the offset in s */
static int decode(const char *s, size_t n, char *out, size_t cap, size_t *bad)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int h, l;
            if (i + 2 >= n) {
                *bad = i;
                return -1;
            }
            h = hexval(s[i + 1]);
            l = hexval(s[i + 2]);
            if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                *bad = i;
                return -1;
            }
            c = (char)(h * 16 + l);
            i += 2;
        } else if (c == '\0') {
            *bad = i;
            return -1;
        }
        if (o + 1 >= cap) {
            *bad = i;
            return -1;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

/* the next pair at q[*pos..len): name [nb, ne), value [vb, ve) */
static bool next_pair(const char *q, size_t len, size_t *pos, size_t *nb,
                      size_t *ne, size_t *vb, size_t *ve)
{
    while (*pos < len && q[*pos] == '&')
        (*pos)++;
    if (*pos >= len)
        return false;
    *nb = *pos;
    while (*pos < len && q[*pos] != '&' && q[*pos] != '=')
        (*pos)++;
    *ne = *pos;
    if (*pos < len && q[*pos] == '=') {
        (*pos)++;
        *vb = *pos;
        while (*pos < len && q[*pos] != '&')
            (*pos)++;
    } else {
        *vb = *pos;
    }
    *ve = *pos;
    return true;
}

int et__http_param(const char *q, size_t len, const char *name, char *out,
                   size_t cap, size_t *bad_out)
{
    char nm[64];
    size_t pos = 0, nb, ne, vb, ve, bad = 0;

    if (cap)
        out[0] = '\0';
    while (q && next_pair(q, len, &pos, &nb, &ne, &vb, &ve)) {
        if (decode(q + nb, ne - nb, nm, sizeof(nm), &bad) != 0)
            continue; /* a name we cannot read is none we look for */
        if (strcmp(nm, name) != 0)
            continue;
        if (cap == 0 || decode(q + vb, ve - vb, out, cap, &bad) != 0) {
            if (bad_out)
                *bad_out = vb + bad;
            if (cap)
                out[0] = '\0';
            return -1;
        }
        return 1;
    }
    return 0;
}

int et__http_params_check(const char *q, size_t len, const char *const *known,
                          size_t *bad_out, bool *is_unknown_out)
{
    char nm[64], val[ET_HTTP_VALUE_MAX];
    size_t pos = 0, nb, ne, vb, ve, bad = 0;

    if (is_unknown_out)
        *is_unknown_out = false;
    while (q && next_pair(q, len, &pos, &nb, &ne, &vb, &ve)) {
        bool found = false;
        if (decode(q + nb, ne - nb, nm, sizeof(nm), &bad) != 0) {
            *bad_out = nb + bad;
            return -1;
        }
        if (decode(q + vb, ve - vb, val, sizeof(val), &bad) != 0) {
            *bad_out = vb + bad;
            return -1;
        }
        for (size_t i = 0; known && known[i]; i++)
            found = found || strcmp(known[i], nm) == 0;
        if (!found) {
            *bad_out = nb;
            if (is_unknown_out)
                *is_unknown_out = true;
            return -1;
        }
    }
    return 0;
}
