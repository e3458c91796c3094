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

/* A base64 character, standard or URL-safe ('=' padding is not one). */
static inline bool et__redact_is_b64(char ch)
{
    static const uint64_t lo = ((uint64_t)1 << '+') | ((uint64_t)1 << '-') |
                               ((uint64_t)1 << '/') | ((uint64_t)0x3ff << '0');
    static const uint64_t hi = ((uint64_t)0x3ffffff << ('A' - 64)) |
                               ((uint64_t)1 << ('_' - 64)) |
                               ((uint64_t)0x3ffffff << ('a' - 64));
    unsigned c = (unsigned char)ch;

    return c < 64 ? (lo >> c) & 1 : c < 128 ? (hi >> (c - 64)) & 1 : false;
}

/*
 * Bit i set for each rule i of et__redact_rules whose anchors occur in
 * s[0..len) (without case for a caseless rule). A rule whose bit is clear
 * cannot match s (struct et_redact_rule). Thread-safe.
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
