/* SPDX-License-Identifier: MIT */
/*
 * The literal prefilter and the base64 decoder of the redactor's
 * split-line and base64 passes: both run on small pieces of text (a window
 * around a line break, a decoded run), where calling every rule's PCRE2
 * pattern would cost far more than the scan. docs/SECURITY.md.
 */
#include "base/setup.h"
#include "redact/redact.h"
#include "redact/scan.h"

#include <pthread.h>
#include <string.h>

#define MAX_ANCHORS 128

struct anchor {
    const char *lit;
    size_t len;
    uint8_t rule;
    bool is_caseless;
};

/*
 * Every anchor, grouped by its first character in lower case (head[c] ..
 * head[c + 1]), and two bit sets of lower-cased character pairs: p01 has
 * each anchor's first two, p12 its second and third. A position passes
 * both before its anchors are compared (anchors have 3 or more bytes).
 */
static struct {
    struct anchor list[MAX_ANCHORS];
    uint8_t head[257];
    uint64_t p01[1024], p12[1024];
    unsigned char lower[256];
} set;
static pthread_once_t set_once = PTHREAD_ONCE_INIT;

static void set_bit(uint64_t *bits, unsigned a, unsigned b)
{
    unsigned k = a << 8 | b;

    bits[k >> 6] |= (uint64_t)1 << (k & 63);
}

static bool has_bit(const uint64_t *bits, unsigned a, unsigned b)
{
    unsigned k = a << 8 | b;

    return (bits[k >> 6] >> (k & 63)) & 1;
}

static void set_build(void)
{
    struct anchor all[MAX_ANCHORS];
    size_t n = 0, count[257] = {0};

    for (unsigned c = 0; c < 256; c++)
        set.lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    for (size_t i = 0; i < et__n_redact_rules; i++) {
        const struct et_redact_rule *ru = &et__redact_rules[i];

        for (size_t j = 0; ru->anchors[j]; j++) {
            const unsigned char *p = (const unsigned char *)ru->anchors[j];

            if (n == MAX_ANCHORS || strlen(ru->anchors[j]) < 3)
                ET_BUG("redaction anchors: too many, or one too short");
            all[n].lit = ru->anchors[j];
            all[n].len = strlen(ru->anchors[j]);
            all[n].rule = (uint8_t)i;
            all[n].is_caseless = ru->is_caseless;
            count[set.lower[p[0]] + 1]++;
            set_bit(set.p01, set.lower[p[0]], set.lower[p[1]]);
            set_bit(set.p12, set.lower[p[1]], set.lower[p[2]]);
            n++;
        }
    }
    /* a counting sort by the lower-cased first character */
    for (unsigned c = 1; c < 257; c++)
        count[c] += count[c - 1];
    for (unsigned c = 0; c < 257; c++)
        set.head[c] = (uint8_t)count[c];
    for (size_t k = 0; k < n; k++) {
        unsigned c = set.lower[(unsigned char)all[k].lit[0]];

        set.list[count[c]++] = all[k];
    }
}

static bool anchor_at(const struct anchor *a, const char *s, size_t len)
{
    if (a->len > len)
        return false;
    if (!a->is_caseless)
        return memcmp(s, a->lit, a->len) == 0;
    for (size_t i = 0; i < a->len; i++)
        if (set.lower[(unsigned char)s[i]] !=
            set.lower[(unsigned char)a->lit[i]])
            return false;
    return true;
}

uint64_t et__redact_anchor_rules(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    uint64_t mask = 0;
    unsigned c0, c1;

    pthread_once(&set_once, set_build);
    if (len < 3)
        return 0;
    c0 = set.lower[u[0]];
    c1 = set.lower[u[1]];
    for (size_t i = 0; i + 2 < len; i++) {
        unsigned c2 = set.lower[u[i + 2]];

        if (has_bit(set.p01, c0, c1) && has_bit(set.p12, c1, c2)) {
            for (unsigned k = set.head[c0]; k < set.head[c0 + 1]; k++)
                if (anchor_at(&set.list[k], s + i, len - i))
                    mask |= (uint64_t)1 << set.list[k].rule;
        }
        c0 = c1;
        c1 = c2;
    }
    return mask;
}

/* The 6-bit value of a base64 character; -1 for any other byte. */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

static bool is_text_byte(unsigned char c)
{
    return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t';
}

bool et__redact_b64_text(const char *b64, size_t len, unsigned char *out,
                         size_t *n_out)
{
    size_t n = 0, bad = 0, allowed = len * 3 / 4 / 50;
    unsigned acc = 0, bits = 0;
    bool is_std = false, is_url = false;

    *n_out = 0;
    if (len % 4 == 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)b64[i];
        int v = b64_value(c);

        if (v < 0)
            return false;
        is_std |= c == '+' || c == '/';
        is_url |= c == '-' || c == '_';
        if (is_std && is_url)
            return false;
        acc = (acc << 6 | (unsigned)v) & 0xfff;
        bits += 6;
        if (bits < 8)
            continue;
        bits -= 8;
        out[n] = (unsigned char)(acc >> bits);
        bad += !is_text_byte(out[n++]);
        if (bad > allowed)
            return false;
    }
    /* the bits left over must be zero, as libsodium requires */
    if (acc & ((1u << bits) - 1))
        return false;
    *n_out = n;
    return true;
}
