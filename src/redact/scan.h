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

/*
 * Classify s[0..len) 64 characters a word: bit k of b64_out[w] is set when
 * s[64 w + k] is a base64 character, of brk_out[w] when it is "\n", "\r"
 * or a backslash (where a line break, or an escaped one, may start). Both
 * arrays have (len + 63) / 64 words; bits past len are clear. SSE2 where
 * the compiler has it, the table otherwise.
 */
void et__redact_classify(const char *s, size_t len, uint64_t *b64_out,
                         uint64_t *brk_out);

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
