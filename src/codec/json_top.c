/* SPDX-License-Identifier: MIT */
/*
 * Top-level string members of a JSON object in one pass, without building
 * a tree (json.h, et__json_top_strings): what `verify` needs of every
 * event to check the ledger's index columns.
 */
#include "base/setup.h"
#include "codec/json.h"

static size_t skip_ws(const char *b, size_t n, size_t i)
{
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' ||
                     b[i] == '\r'))
        i++;
    return i;
}

/* b[i] is the opening quote: the index after the closing one (0 when the
 * string does not end); *esc tells whether it holds a backslash. */
static size_t string_end(const char *b, size_t n, size_t i, bool *esc)
{
    *esc = false;
    for (i++; i < n; i++) {
        const char *q = memchr(b + i, '"', n - i);
        size_t k;

        if (!q)
            return 0;
        /* a quote preceded by an odd number of backslashes is escaped */
        k = (size_t)(q - b);
        {
            size_t bs = 0;

            while (k - bs > i && b[k - bs - 1] == '\\')
                bs++;
            if (memchr(b + i, '\\', k - i))
                *esc = true;
            if (bs % 2 == 0)
                return k + 1;
        }
        i = k;
    }
    return 0;
}

/* b[i] opens an array or object: the index after its end (0 when it does
 * not end or nests deeper than 1024). */
static size_t nested_end(const char *b, size_t n, size_t i)
{
    int depth = 0;
    bool esc;

    while (i < n) {
        char c = b[i];

        if (c == '"') {
            i = string_end(b, n, i, &esc);
            if (i == 0)
                return 0;
            continue;
        }
        if (c == '{' || c == '[') {
            if (++depth > 1024)
                return 0;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
        i++;
    }
    return 0;
}

/* A key written with escapes might be one of ours: what was not found
 * is then left to the full parser. */
static int done(struct et_json_top *f, size_t nf, bool key_esc)
{
    for (size_t k = 0; key_esc && k < nf; k++)
        if (f[k].state == ET_JSON_TOP_ABSENT)
            f[k].state = ET_JSON_TOP_OTHER;
    return ET_OK;
}

int et__json_top_strings(const char *b, size_t n, struct et_json_top *f,
                         size_t nf)
{
    bool key_esc = false;
    size_t i;

    for (size_t k = 0; k < nf; k++) {
        f[k].val = NULL;
        f[k].len = 0;
        f[k].state = ET_JSON_TOP_ABSENT;
    }
    i = skip_ws(b, n, 0);
    if (i >= n || b[i] != '{')
        return ET_EINPUT;
    i = skip_ws(b, n, i + 1);
    if (i < n && b[i] == '}')
        return skip_ws(b, n, i + 1) == n ? ET_OK : ET_EINPUT;
    for (;;) {
        size_t ks, ke, vs, ve;
        bool kesc, vesc = false;
        struct et_json_top *hit = NULL;

        if (i >= n || b[i] != '"')
            return ET_EINPUT;
        ks = i + 1;
        i = string_end(b, n, i, &kesc);
        if (i == 0)
            return ET_EINPUT;
        key_esc |= kesc;
        ke = i - 1;
        for (size_t k = 0; k < nf && !kesc; k++)
            if (strlen(f[k].key) == ke - ks &&
                memcmp(f[k].key, b + ks, ke - ks) == 0)
                hit = &f[k];
        i = skip_ws(b, n, i);
        if (i >= n || b[i] != ':')
            return ET_EINPUT;
        i = skip_ws(b, n, i + 1);
        if (i >= n)
            return ET_EINPUT;
        vs = i;
        if (b[i] == '"') {
            i = string_end(b, n, i, &vesc);
        } else if (b[i] == '{' || b[i] == '[') {
            i = nested_end(b, n, i);
        } else {
            while (i < n && b[i] != ',' && b[i] != '}' && b[i] != ' ' &&
                   b[i] != '\t' && b[i] != '\n' && b[i] != '\r')
                i++;
            if (i == vs)
                return ET_EINPUT;
        }
        if (i == 0)
            return ET_EINPUT;
        ve = i;
        if (hit) {
            if (hit->state != ET_JSON_TOP_ABSENT || b[vs] != '"' || vesc) {
                hit->state = ET_JSON_TOP_OTHER; /* the full parser decides */
            } else {
                hit->state = ET_JSON_TOP_STRING;
                hit->val = b + vs + 1;
                hit->len = ve - vs - 2;
            }
        }
        i = skip_ws(b, n, i);
        if (i < n && b[i] == ',') {
            i = skip_ws(b, n, i + 1);
            continue;
        }
        if (i < n && b[i] == '}')
            return skip_ws(b, n, i + 1) == n ? done(f, nf, key_esc)
                                             : ET_EINPUT;
        return ET_EINPUT;
    }
}
