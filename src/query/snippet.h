/* SPDX-License-Identifier: MIT */
/*
 * Search snippets: score an event's indexed text by the search words and cut
 * the text around the first match with the words marked (snippet.c).
 */
#ifndef ET_QUERY_SNIPPET_H
#define ET_QUERY_SNIPPET_H

#include <stddef.h>

#include "base/buf.h"

#define ET_SNIP_MAX_TERMS 32

struct et_snip_terms {
    char term[ET_SNIP_MAX_TERMS][64]; /* lower-case ASCII, NUL-terminated */
    size_t len[ET_SNIP_MAX_TERMS];
    size_t n;
};

/* The words of a search (punctuation separates words, as in the index). */
void et__snip_terms(struct et_snip_terms *t, const char *words, size_t len);
/* Occurrences of the terms in text, or -1 unless every term occurs. */
int et__snip_score(const struct et_snip_terms *t, const char *text, size_t len);
/* Up to 18 words of text around the first term, terms between open and
 * close, "..." (U+2026) where text was cut. */
int et__snip_make(const struct et_snip_terms *t, const char *text, size_t len,
                  const char *open, const char *close, struct et_buf *out);

#endif /* ET_QUERY_SNIPPET_H */
