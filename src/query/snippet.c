/* SPDX-License-Identifier: MIT */
/*
 * Snippets for exectrail search: the store ranks executions (BM25 over the
 * full-text index); here each execution's indexed event texts are scored by
 * how often the search words occur, and the best ones are cut around the
 * first match with the words marked. Words are runs of ASCII letters and
 * digits or non-ASCII bytes, compared without ASCII case, as the index's
 * unicode61 tokenizer splits them.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "query/snippet.h"

#define BEFORE 5  /* words of context before the first match */
#define WORDS  18 /* words in a snippet */

static bool word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
           c >= 0x80;
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c;
}

void et__snip_terms(struct et_snip_terms *t, const char *words, size_t len)
{
    size_t i = 0;

    t->n = 0;
    while (i < len && t->n < ET_SNIP_MAX_TERMS) {
        size_t start, n;

        while (i < len && !word_byte((unsigned char)words[i]))
            i++;
        start = i;
        while (i < len && word_byte((unsigned char)words[i]))
            i++;
        n = i - start;
        if (n == 0 || n >= sizeof(t->term[0]))
            continue;
        for (size_t k = 0; k < n; k++)
            t->term[t->n][k] = (char)lower((unsigned char)words[start + k]);
        t->term[t->n][n] = '\0';
        t->len[t->n] = n;
        t->n++;
    }
}

/* index of the term the word text[s..s+n) is, or -1 */
static int term_of(const struct et_snip_terms *t, const char *text, size_t s,
                   size_t n)
{
    for (size_t k = 0; k < t->n; k++) {
        size_t j = 0;

        if (t->len[k] != n)
            continue;
        while (j < n && lower((unsigned char)text[s + j]) ==
                            (unsigned char)t->term[k][j])
            j++;
        if (j == n)
            return (int)k;
    }
    return -1;
}

int et__snip_score(const struct et_snip_terms *t, const char *text, size_t len)
{
    uint64_t seen = 0,
             all = t->n >= 64 ? UINT64_MAX : (UINT64_C(1) << t->n) - 1;
    int hits = 0;
    size_t i = 0;

    while (i < len) {
        size_t start;
        int k;

        while (i < len && !word_byte((unsigned char)text[i]))
            i++;
        start = i;
        while (i < len && word_byte((unsigned char)text[i]))
            i++;
        if (i == start)
            break;
        k = term_of(t, text, start, i - start);
        if (k >= 0) {
            seen |= UINT64_C(1) << k;
            hits++;
        }
    }
    return t->n && seen == all ? hits : -1;
}

/* The next word at or after *i: [*s, *e); false at the end. */
static bool next_word(const char *text, size_t len, size_t *i, size_t *s,
                      size_t *e)
{
    while (*i < len && !word_byte((unsigned char)text[*i]))
        (*i)++;
    *s = *i;
    while (*i < len && word_byte((unsigned char)text[*i]))
        (*i)++;
    *e = *i;
    return *e > *s;
}

int et__snip_make(const struct et_snip_terms *t, const char *text, size_t len,
                  const char *open, const char *close, struct et_buf *out)
{
    size_t i = 0, s, e, w = 0, first = 0, p = 0, end = 0;
    bool cut = false;
    int rc = ET_OK;

    et_buf_reset(out);
    /* the first match, and the snippet starts BEFORE words earlier */
    while (next_word(text, len, &i, &s, &e)) {
        if (term_of(t, text, s, e - s) >= 0) {
            first = w > BEFORE ? w - BEFORE : 0;
            break;
        }
        w++;
    }
    i = 0;
    w = 0;
    while (!rc && next_word(text, len, &i, &s, &e)) {
        bool mark;

        if (w < first) {
            w++;
            continue;
        }
        if (w >= first + WORDS) {
            cut = true;
            break;
        }
        if (w == first) {
            p = s;
            if (s > 0)
                rc = et_buf_addstr(out, "\xe2\x80\xa6");
        }
        mark = term_of(t, text, s, e - s) >= 0;
        if (!rc)
            rc = et_buf_add(out, text + p, s - p);
        if (!rc && mark)
            rc = et_buf_addstr(out, open);
        if (!rc)
            rc = et_buf_add(out, text + s, e - s);
        if (!rc && mark)
            rc = et_buf_addstr(out, close);
        p = end = e;
        w++;
    }
    if (!rc &&
        (cut || (end && end < len && next_word(text, len, &end, &s, &e))))
        rc = et_buf_addstr(out, "\xe2\x80\xa6");
    if (!rc && !out->ptr)
        rc = et_buf_add(out, "", 0);
    return rc;
}
