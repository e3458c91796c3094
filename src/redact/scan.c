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
#if defined(__SSE2__) && !defined(ET_REDACT_NO_SIMD)
# include <emmintrin.h>
# define HAVE_SSE2 1
#endif

#define MAX_ANCHORS 128

/* clang-format off */
const uint8_t et__redact_b64_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

#ifdef HAVE_SSE2
/* The 16 characters at s: *brk_out where a break may start; returns
 * where base64 (signed compares: a byte of 0x80 or more is negative,
 * outside every range). */
static unsigned classify16(const char *s, unsigned *brk_out)
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
    __m128i br =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')),
                                  _mm_cmpeq_epi8(x, _mm_set1_epi8('\r'))),
                     _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));

    *brk_out = (unsigned)_mm_movemask_epi8(br);
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(az, dg), sy));
}
#endif

void et__redact_classify(const char *s, size_t len, uint64_t *b64_out,
                         uint64_t *brk_out)
{
    for (size_t w = 0; w * 64 < len; w++) {
        const char *p = s + w * 64;
        size_t n = len - w * 64 < 64 ? len - w * 64 : 64, k = 0;
        uint64_t m = 0, b = 0;

#ifdef HAVE_SSE2
        for (; k + 16 <= n; k += 16) {
            unsigned br;

            m |= (uint64_t)classify16(p + k, &br) << k;
            b |= (uint64_t)br << k;
        }
#endif
        for (; k < n; k++) {
            m |= (uint64_t)et__redact_b64_class[(unsigned char)p[k]] << k;
            b |= (uint64_t)(p[k] == '\n' || p[k] == '\r' || p[k] == '\\') << k;
        }
        b64_out[w] = m;
        brk_out[w] = b;
    }
}

struct anchor {
    const char *lit;
    size_t len;
    uint8_t rule;
    bool is_caseless;
};

/*
 * Every anchor but json_secret's, grouped by its first character in lower
 * case (head[c] .. head[c + 1]). pair[k] is 1 when some anchor starts with
 * the two bytes whose 16-bit load is k (either case for a caseless
 * anchor), pair2[k] when its 2nd and 3rd bytes load as k (anchors have 3
 * bytes or more): two loads a byte rule out almost every position.
 */
static struct {
    struct anchor list[MAX_ANCHORS];
    uint8_t head[257];
    uint8_t pair[1 << 16], pair2[1 << 16];
    unsigned char lower[256];
} set;
static pthread_once_t set_once = PTHREAD_ONCE_INIT;

static unsigned load16(const unsigned char *p)
{
    uint16_t k;

    memcpy(&k, p, sizeof(k));
    return k;
}

static unsigned char upper(unsigned char c)
{
    return (unsigned char)(c >= 'a' && c <= 'z' ? c - 32 : c);
}

/* Mark the pair p[0] p[1] in bits, in every case when is_caseless. */
static void set_pair(uint8_t *bits, const unsigned char *p, bool is_caseless)
{
    unsigned char v[2][2] = {{p[0], p[1]}, {p[0], p[1]}};

    if (is_caseless) {
        v[0][0] = set.lower[p[0]], v[0][1] = set.lower[p[1]];
        v[1][0] = upper(p[0]), v[1][1] = upper(p[1]);
    }
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
            unsigned char k[2] = {v[i][0], v[j][1]};

            bits[load16(k)] = 1;
        }
    }
}

static void set_build(void)
{
    struct anchor all[MAX_ANCHORS];
    size_t n = 0, count[257] = {0};

    for (unsigned c = 0; c < 256; c++)
        set.lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    /* json_secret, the last rule, needs a JSON member name: not here */
    for (size_t i = 0; i + 1 < et__n_redact_rules; i++) {
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
            set_pair(set.pair, p, ru->is_caseless);
            set_pair(set.pair2, p + 1, ru->is_caseless);
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

    pthread_once(&set_once, set_build);
    for (size_t i = 0; i + 2 < len; i++) {
        unsigned c0;

        if (!set.pair[load16(u + i)] || !set.pair2[load16(u + i + 1)])
            continue;
        c0 = set.lower[u[i]];
        for (unsigned k = set.head[c0]; k < set.head[c0 + 1]; k++)
            if (anchor_at(&set.list[k], s + i, len - i))
                mask |= (uint64_t)1 << set.list[k].rule;
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
