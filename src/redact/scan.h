/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the redactor's split-line and base64 passes (redact.c): which
 * rules' literal anchors occur in a piece of text, and a base64 decoder
 * that gives up as soon as the bytes cannot be text. docs/SECURITY.md.
 */
#ifndef ET_REDACT_SCAN_H
#define ET_REDACT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1 for a base64 character, standard or URL-safe ('=' padding is not
 * one): A-Z a-z 0-9 + - / _ */
extern const uint8_t et__redact_b64_class[256];

static inline bool et__redact_is_b64(char ch)
{
    return et__redact_b64_class[(unsigned char)ch] != 0;
}

#if defined(__SSE2__) && !defined(ET_REDACT_NO_SIMD)
# include <emmintrin.h>
# define ET_REDACT_SSE2 1

/* Bits of the 16 characters at s: where base64 (signed compares: a byte
 * of 0x80 or more is negative, outside every range), and where c0 or c1. */
static inline unsigned et__redact_b64_16(const char *s)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i f = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* A-Z to a-z */
    __m128i az = _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)),
                               _mm_cmplt_epi8(f, _mm_set1_epi8('z' + 1)));
    __m128i dg = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                               _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
    __m128i sy =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')),
                                  _mm_cmpeq_epi8(x, _mm_set1_epi8('-'))),
                     _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('/')),
                                  _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))));

    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(az, dg), sy));
}

static inline unsigned et__redact_eq2_16(const char *s, char c0, char c1)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);

    return (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(c0)),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8(c1))));
}
#endif

/* Bit k set when s[k] (k < n <= 64) is a base64 character; SSE2 where the
 * compiler has it, the table otherwise. */
static inline uint64_t et__redact_b64_bits(const char *s, size_t n)
{
    uint64_t m = 0;
    size_t k = 0;

#ifdef ET_REDACT_SSE2
    for (; k + 16 <= n; k += 16)
        m |= (uint64_t)et__redact_b64_16(s + k) << k;
#endif
    for (; k < n; k++)
        m |= (uint64_t)et__redact_b64_class[(unsigned char)s[k]] << k;
    return m;
}

/* Bit k set when s[k] (k < n <= 64) is c0 or c1. */
static inline uint64_t et__redact_eq2_bits(const char *s, size_t n, char c0,
                                           char c1)
{
    uint64_t m = 0;
    size_t k = 0;

#ifdef ET_REDACT_SSE2
    for (; k + 16 <= n; k += 16)
        m |= (uint64_t)et__redact_eq2_16(s + k, c0, c1) << k;
#endif
    for (; k < n; k++)
        m |= (uint64_t)(s[k] == c0 || s[k] == c1) << k;
    return m;
}

/*
 * Bit i set for each rule i of et__redact_rules whose anchors occur in
 * s[0..len) (without case for a caseless rule), but never the last rule's
 * (json_secret needs a JSON member name, which plain text has not). A rule
 * whose bit is clear cannot match s (struct et_redact_rule). Thread-safe.
 */
uint64_t et__redact_anchor_rules(const char *s, size_t len);

/*
 * Decode the base64 characters b64[0..len) (no padding, no line breaks;
 * standard or URL-safe, not both) into out, which has room for len * 3 / 4
 * bytes; *n_out is the decoded length. False, early, when b64 is not
 * base64 or when more than 1 in 50 of the bytes it decodes to are neither
 * printable ASCII nor a tab or line break: a wrapped secret is text.
 */
bool et__redact_b64_text(const char *b64, size_t len, unsigned char *out,
                         size_t *n_out);

#endif /* ET_REDACT_SCAN_H */
