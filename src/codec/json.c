/* SPDX-License-Identifier: MIT */
/*
 * The strict JSON parser: a fast lexical pre-scan enforces what json-c
 * 0.16 lets through (UTF-8, NUL, control characters, number grammar and
 * range, limits), json-c builds the tree, and duplicate keys are found by
 * counting members. docs/internals/CODEC.md has the rules and the reasons.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "codec/json_int.h"

#include <limits.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#if defined(__SSE2__)
# include <emmintrin.h>
#endif

#define TOKENER_FLAGS (JSON_TOKENER_STRICT)

/* Byte classes outside strings. */
enum {
    C_BAD = 0, /* not allowed outside a string */
    C_WS,      /* space \t \n \r */
    C_QUOTE,
    C_OPEN,  /* [ { */
    C_CLOSE, /* ] } */
    C_COMMA,
    C_COLON,
    C_NUM, /* - 0-9 */
    C_LIT, /* the letters of true, false, null */
};

static const unsigned char out_class[256] = {
    [' '] = C_WS,    ['\t'] = C_WS,   ['\n'] = C_WS,   ['\r'] = C_WS,
    ['"'] = C_QUOTE, ['['] = C_OPEN,  ['{'] = C_OPEN,  [']'] = C_CLOSE,
    ['}'] = C_CLOSE, [','] = C_COMMA, [':'] = C_COLON, ['-'] = C_NUM,
    ['0'] = C_NUM,   ['1'] = C_NUM,   ['2'] = C_NUM,   ['3'] = C_NUM,
    ['4'] = C_NUM,   ['5'] = C_NUM,   ['6'] = C_NUM,   ['7'] = C_NUM,
    ['8'] = C_NUM,   ['9'] = C_NUM,   ['a'] = C_LIT,   ['e'] = C_LIT,
    ['f'] = C_LIT,   ['l'] = C_LIT,   ['n'] = C_LIT,   ['r'] = C_LIT,
    ['s'] = C_LIT,   ['t'] = C_LIT,   ['u'] = C_LIT,
};

/* The outcome of the pre-scan. */
struct scan {
    const unsigned char *p;
    size_t len;
    const struct et_json_limits *lim;
    size_t colons;  /* ':' outside strings = object members in the text */
    size_t members; /* object members + array elements */
    /* on failure: */
    int code;       /* ET_EINPUT or ET_ETOOBIG */
    size_t off;     /* the byte named in the message */
    size_t str_off; /* NUL escape: the opening quote of its string */
    bool is_nul_escape;
    char what[96];
};

static int scan_fail(struct scan *sc, size_t off, int code, const char *fmt,
                     ...) ET_PRINTF(4, 5);

static int scan_fail(struct scan *sc, size_t off, int code, const char *fmt,
                     ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sc->what, sizeof(sc->what), fmt, ap);
    va_end(ap);
    sc->off = off;
    sc->code = code;
    return code;
}

static int scan_bad_byte(struct scan *sc, size_t i)
{
    unsigned char c = sc->p[i];

    if (c == 0)
        return scan_fail(sc, i, ET_EINPUT, "NUL byte");
    if (c > 0x20 && c < 0x7f)
        return scan_fail(sc, i, ET_EINPUT, "unexpected character '%c'", c);
    return scan_fail(sc, i, ET_EINPUT, "unexpected byte 0x%02x", c);
}

/*
 * The escape at p[*jp] == '\\' inside the string that opens at str_off.
 * Adds its decoded length to *dlen and moves *jp past it.
 */
static int scan_escape(struct scan *sc, size_t str_off, size_t *jp,
                       size_t *dlen)
{
    const unsigned char *p = sc->p;
    size_t j = *jp;
    long cp, lo;

    if (j + 1 >= sc->len) {
        *jp = sc->len; /* cut short: json-c reports the end of data */
        return ET_OK;
    }
    switch (p[j + 1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        *dlen += 1;
        *jp = j + 2;
        return ET_OK;
    case 'u':
        break;
    default:
        if (p[j + 1] > 0x20 && p[j + 1] < 0x7f)
            return scan_fail(sc, j, ET_EINPUT, "invalid escape '\\%c'",
                             p[j + 1]);
        return scan_fail(sc, j, ET_EINPUT, "invalid escape");
    }
    cp = et__json_hex4(p, sc->len, j + 2);
    if (cp < 0)
        return scan_fail(sc, j, ET_EINPUT, "invalid \\u escape");
    if (cp == 0) {
        sc->str_off = str_off;
        sc->is_nul_escape = true;
        return scan_fail(sc, j, ET_EINPUT, "\\u0000 escape");
    }
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return scan_fail(sc, j, ET_EINPUT, "unpaired surrogate \\u%04lx", cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
        lo = -1;
        if (j + 7 < sc->len && p[j + 6] == '\\' && p[j + 7] == 'u')
            lo = et__json_hex4(p, sc->len, j + 8);
        if (lo < 0xdc00 || lo > 0xdfff)
            return scan_fail(sc, j, ET_EINPUT, "unpaired surrogate \\u%04lx",
                             cp);
        *dlen += 4;
        *jp = j + 12;
        return ET_OK;
    }
    *dlen += cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    *jp = j + 6;
    return ET_OK;
}

/*
 * Index of the first byte in p[k..stop) that ends a run of plain string
 * bytes (< 0x20, >= 0x80, '"' or '\\'), or stop. Most of a document's
 * bytes pass through here, so 16 (SSE2) or 8 (SWAR) bytes are checked at
 * a time; the byte loop finishes the tail.
 */
static inline size_t plain_run_end(const unsigned char *p, size_t k,
                                   size_t stop)
{
#if defined(__SSE2__)
    const __m128i ctl = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');

    while (stop - k >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
        /* signed compare: 0x80..0xff are negative, so below 0x20 too */
        __m128i m = _mm_or_si128(
            _mm_cmplt_epi8(v, ctl),
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);

        if (mask)
            return k + (unsigned)__builtin_ctz(mask);
        k += 16;
    }
#else
    /* the "has a zero byte" test per condition: exact about whether any
     * byte of the word matches */
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;

    while (stop - k >= 8) {
        uint64_t v, q, b;

        memcpy(&v, p + k, sizeof(v));
        q = v ^ (ones * '"');
        b = v ^ (ones * '\\');
        if ((((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b) |
             v) &
            high)
            break;
        k += 8;
    }
#endif
    while (k < stop && et__json_is_plain(p[k]))
        k++;
    return k;
}

/* The string whose opening quote is at *ip; *ip moves past it. */
static int scan_string(struct scan *sc, size_t *ip)
{
    const unsigned char *p = sc->p;
    size_t len = sc->len, max = sc->lim->max_string;
    size_t start = *ip, j = start + 1, dlen = 0;
    int rc;

    for (;;) {
        /* a run of plain bytes, cut off once it alone would pass max */
        size_t stop = len - j > max - dlen ? j + (max - dlen) + 1 : len;
        size_t k = plain_run_end(p, j, stop);

        dlen += k - j;
        j = k;
        if (dlen > max)
            break;
        if (j >= len) {
            *ip = len; /* unterminated: json-c reports the end of data */
            return ET_OK;
        }
        if (p[j] == '"') {
            *ip = j + 1;
            return ET_OK;
        }
        if (p[j] == '\\') {
            rc = scan_escape(sc, start, &j, &dlen);
            if (rc)
                return rc;
        } else if (p[j] < 0x20) {
            if (p[j] == 0)
                return scan_fail(sc, j, ET_EINPUT, "NUL byte");
            return scan_fail(sc, j, ET_EINPUT,
                             "unescaped control character 0x%02x in string",
                             p[j]);
        } else {
            size_t n = et__json_utf8_len(p + j, len - j);

            if (!n)
                return scan_fail(sc, j, ET_EINPUT, "invalid UTF-8");
            dlen += n;
            j += n;
        }
        if (dlen > max)
            break;
    }
    return scan_fail(sc, start, ET_ETOOBIG, "string longer than %zu bytes",
                     max);
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/*
 * Would the number with these significant digits overflow a double? Only
 * asked when its first digit is in the 10^308 place; digits holds the
 * significant digits (first one non-zero). A digits-only text keeps strtod
 * independent of the locale's radix character.
 */
static int overflows_double(const unsigned char *digits, size_t n, bool *result)
{
    char *text = et__malloc(n + 24);
    size_t k = 0;

    if (!text)
        return ET_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (is_digit(digits[i]))
            text[k++] = (char)digits[i];
    }
    /* value = 0.DDD...e(309) since the first digit is in the 10^308 place */
    snprintf(text + k, 24, "e%ld", 309L - (long)k);
    *result = isinf(strtod(text, NULL)) != 0;
    et__free(text);
    return ET_OK;
}

/*
 * The number at *ip: RFC 8259 grammar (json-c also takes "00", "1.",
 * "-.5", NaN, Infinity), integers within int64/uint64 (json-c saturates),
 * other numbers finite as doubles (json-c returns inf).
 */
static int scan_number(struct scan *sc, size_t *ip)
{
    const unsigned char *p = sc->p;
    size_t len = sc->len, s = *ip, j = s, int_start, int_n, frac_n = 0;
    bool neg = false, is_int = true;
    long long exp10 = 0, x;

    if (p[j] == '-') {
        neg = true;
        j++;
    }
    int_start = j;
    if (j < len && p[j] == '0') {
        j++;
    } else if (j < len && p[j] >= '1' && p[j] <= '9') {
        while (j < len && is_digit(p[j]))
            j++;
    } else {
        return scan_fail(sc, s, ET_EINPUT, "invalid number");
    }
    int_n = j - int_start;
    if (j < len && p[j] == '.') {
        size_t f = ++j;

        while (j < len && is_digit(p[j]))
            j++;
        frac_n = j - f;
        if (!frac_n)
            return scan_fail(sc, s, ET_EINPUT, "invalid number");
        is_int = false;
    }
    if (j < len && (p[j] == 'e' || p[j] == 'E')) {
        bool eneg = false;
        size_t e;

        j++;
        if (j < len && (p[j] == '+' || p[j] == '-'))
            eneg = p[j++] == '-';
        e = j;
        for (; j < len && is_digit(p[j]); j++) {
            if (exp10 < 1000000000)
                exp10 = exp10 * 10 + (p[j] - '0');
        }
        if (j == e)
            return scan_fail(sc, s, ET_EINPUT, "invalid number");
        if (eneg)
            exp10 = -exp10;
        is_int = false;
    }
    if (j < len && (is_digit(p[j]) || p[j] == '.' || p[j] == 'e' ||
                    p[j] == 'E' || p[j] == '+' || p[j] == '-'))
        return scan_fail(sc, s, ET_EINPUT, "invalid number");
    *ip = j;
    if (is_int) {
        const unsigned char *d = p + int_start;

        if (int_n > 20 ||
            (int_n == 20 &&
             (neg || memcmp(d, "18446744073709551615", 20) > 0)) ||
            (int_n == 19 && neg && memcmp(d, "9223372036854775808", 19) > 0))
            return scan_fail(sc, s, ET_EINPUT, "integer out of range");
        return ET_OK;
    }
    /* x: the power of ten of the first significant digit */
    if (p[int_start] != '0') {
        x = (long long)int_n - 1 + exp10;
    } else {
        size_t f = int_start + 2, z = 0;

        while (z < frac_n && p[f + z] == '0')
            z++;
        if (z == frac_n)
            return ET_OK; /* zero */
        x = -(long long)z - 1 + exp10;
    }
    if (x > 308)
        return scan_fail(sc, s, ET_EINPUT, "number out of range");
    if (x == 308) {
        size_t first = int_start;
        size_t end = int_start + int_n + (frac_n ? frac_n + 1 : 0);
        bool inf = false;
        int rc;

        while (p[first] == '0' || p[first] == '.')
            first++;
        rc = overflows_double(p + first, end - first, &inf);
        if (rc)
            return rc;
        if (inf)
            return scan_fail(sc, s, ET_EINPUT, "number out of range");
    }
    return ET_OK;
}

static int count_member(struct scan *sc, size_t i)
{
    if (++sc->members > sc->lim->max_members)
        return scan_fail(sc, i, ET_ETOOBIG, "more than %zu members",
                         sc->lim->max_members);
    return ET_OK;
}

/*
 * One pass over the document outside json-c. Stops at the first problem;
 * structure (brackets, commas, literals) is json-c's to check.
 */
static int scan_doc(struct scan *sc)
{
    const unsigned char *p = sc->p;
    size_t i = 0, len = sc->len;
    bool first_in_container = false;
    int depth = 0, rc = ET_OK;

    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
        return scan_fail(sc, 0, ET_EINPUT, "byte order mark not allowed");
    while (i < len && !rc) {
        unsigned char cls = out_class[p[i]];

        switch (cls) {
        case C_WS:
            i++;
            continue;
        case C_COLON:
            sc->colons++;
            i++;
            continue;
        case C_COMMA:
            rc = count_member(sc, i++);
            continue;
        case C_CLOSE:
            depth--;
            first_in_container = false;
            i++;
            continue;
        default:
            break;
        }
        /* a value or key starts here; the first in a container counts */
        if (first_in_container) {
            first_in_container = false;
            rc = count_member(sc, i);
            if (rc)
                break;
        }
        switch (cls) {
        case C_OPEN:
            if (++depth > sc->lim->max_depth)
                return scan_fail(sc, i, ET_ETOOBIG, "nesting deeper than %d",
                                 sc->lim->max_depth);
            first_in_container = true;
            i++;
            break;
        case C_QUOTE:
            rc = scan_string(sc, &i);
            break;
        case C_NUM:
            rc = scan_number(sc, &i);
            break;
        case C_LIT:
            while (i < len && out_class[p[i]] == C_LIT)
                i++;
            break;
        default:
            return scan_bad_byte(sc, i);
        }
    }
    return rc;
}

/* ---- the front ---- */

/*
 * json-c spends a nesting level on a scalar inside the innermost container
 * ("[1]" needs depth 2), so it gets one more than our container depth,
 * which the scan has already enforced exactly.
 */
static struct json_tokener *new_tokener(int max_depth)
{
    struct json_tokener *tok = json_tokener_new_ex(max_depth + 1);

    if (tok)
        json_tokener_set_flags(tok, TOKENER_FLAGS);
    return tok;
}

/*
 * A thread's parses share one tokener (json_tokener_reset between them):
 * a new one per document, with its stack and string buffer, was 3 % of a
 * transcript import (perf, 2026-12-05), whose lines and hook inputs are
 * many small documents. A nested parse, or one at another depth, makes
 * its own. The thread's tokener is freed when the thread ends.
 */
struct tok_slot {
    struct json_tokener *tok; /* NULL while a parse has it */
    int max_depth;
};

static pthread_key_t tok_key;
static pthread_once_t tok_once = PTHREAD_ONCE_INIT;
static bool tok_key_ok;

static void tok_free(void *p)
{
    struct tok_slot *s = p;

    json_tokener_free(s->tok);
    et__free(s);
}

static void tok_key_init(void)
{
    tok_key_ok = pthread_key_create(&tok_key, tok_free) == 0;
}

static struct tok_slot *tok_slot(void)
{
    struct tok_slot *s;

    if (pthread_once(&tok_once, tok_key_init) != 0 || !tok_key_ok)
        return NULL;
    s = pthread_getspecific(tok_key);
    if (!s) {
        s = et__calloc(1, sizeof(*s));
        if (s && pthread_setspecific(tok_key, s) != 0) {
            et__free(s);
            s = NULL;
        }
    }
    return s;
}

static struct json_tokener *take_tokener(int max_depth)
{
    struct tok_slot *s = tok_slot();
    struct json_tokener *tok;

    if (s && s->tok && s->max_depth == max_depth) {
        tok = s->tok;
        s->tok = NULL;
        json_tokener_reset(tok);
        return tok;
    }
    return new_tokener(max_depth);
}

static void give_tokener(struct json_tokener *tok, int max_depth)
{
    struct tok_slot *s = tok ? tok_slot() : NULL;

    if (s && !s->tok) {
        s->tok = tok;
        s->max_depth = max_depth;
        return;
    }
    json_tokener_free(tok);
}

static int jsonc_error(struct json_tokener *tok, size_t off, int max_depth,
                       struct et_error *err)
{
    enum json_tokener_error jerr = json_tokener_get_error(tok);

    if (jerr == json_tokener_error_depth)
        return et_error_set(err, ET_ETOOBIG, "byte %zu: nesting deeper than %d",
                            off, max_depth);
    return et_error_set(err, ET_EINPUT, "byte %zu: %s", off,
                        json_tokener_error_desc(jerr));
}

/*
 * The scan stopped at sc->off. If json-c finds a syntax error before that
 * byte, that error comes first in the document and is the one reported.
 */
static int report_scan_error(const char *buf, const struct et_json_limits *lim,
                             const struct scan *sc, struct et_error *err)
{
    struct json_tokener *tok = new_tokener(lim->max_depth);
    enum json_tokener_error jerr;
    int rc;

    if (!tok)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    json_object_put(json_tokener_parse_ex(tok, buf, (int)sc->off));
    jerr = json_tokener_get_error(tok);
    if (jerr != json_tokener_success && jerr != json_tokener_continue) {
        rc = jsonc_error(tok, json_tokener_get_parse_end(tok), lim->max_depth,
                         err);
        json_tokener_free(tok);
        return rc;
    }
    json_tokener_free(tok);
    if (sc->is_nul_escape)
        return et__json_report_nul_escape(buf, sc->off, sc->str_off,
                                          lim->max_depth, err);
    return et_error_set(err, sc->code, "byte %zu: %s", sc->off, sc->what);
}

static bool is_container(struct json_object *o)
{
    enum json_type t = json_object_get_type(o);

    return t == json_type_object || t == json_type_array;
}

/* Members of all objects in the tree (depth is bounded by the parse). */
static size_t tree_members(struct json_object *o)
{
    enum json_type type = json_object_get_type(o);
    size_t n = 0;

    if (type == json_type_object) {
        struct lh_table *t = json_object_get_object(o);

        n = (size_t)json_object_object_length(o);
        for (struct lh_entry *e = lh_table_head(t); e; e = lh_entry_next(e)) {
            struct json_object *v = lh_entry_v(e);

            if (is_container(v))
                n += tree_members(v);
        }
    } else if (type == json_type_array) {
        size_t count = json_object_array_length(o);

        for (size_t i = 0; i < count; i++) {
            struct json_object *v = json_object_array_get_idx(o, i);

            if (is_container(v))
                n += tree_members(v);
        }
    }
    return n;
}

static int resolve_limits(const struct et_json_limits *in,
                          struct et_json_limits *out, struct et_error *err)
{
    const struct et_json_limits def = ET_JSON_LIMITS_DEFAULT;

    *out = def;
    if (!in)
        return ET_OK;
    if (in->max_depth < 0)
        return et_error_set(err, ET_EINVAL, "negative max_depth %d",
                            in->max_depth);
    if (in->max_bytes)
        out->max_bytes = in->max_bytes;
    if (in->max_depth)
        out->max_depth = in->max_depth;
    if (in->max_string)
        out->max_string = in->max_string;
    if (in->max_members)
        out->max_members = in->max_members;
    if (out->max_depth > ET__JSON_DEPTH_CAP)
        out->max_depth = ET__JSON_DEPTH_CAP;
    /* json-c takes an int length */
    if (out->max_bytes > INT_MAX - 1)
        out->max_bytes = INT_MAX - 1;
    return ET_OK;
}

int et_json_parse(const char *buf, size_t len, const struct et_json_limits *lim,
                  struct json_object **out, struct et_error *err)
{
    struct et_json_limits l;
    struct scan sc;
    struct json_tokener *tok = NULL;
    struct json_object *obj = NULL;
    enum json_tokener_error jerr;
    int ret;

    if (out)
        *out = NULL;
    if (!out || (!buf && len))
        return et_error_set(err, ET_EINVAL, "no buffer or no output");
    ret = resolve_limits(lim, &l, err);
    if (ret)
        return ret;
    if (len > l.max_bytes)
        return et_error_set(err, ET_ETOOBIG,
                            "document is %zu bytes, limit is %zu", len,
                            l.max_bytes);
    if (!buf)
        buf = "";
    memset(&sc, 0, sizeof(sc));
    sc.p = (const unsigned char *)buf;
    sc.len = len;
    sc.lim = &l;
    ret = scan_doc(&sc);
    if (ret == ET_ENOMEM)
        return et_error_set(err, ret, "out of memory");
    if (ret)
        return report_scan_error(buf, &l, &sc, err);

    tok = take_tokener(l.max_depth);
    if (!tok)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    obj = json_tokener_parse_ex(tok, buf, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) {
        /* the end of input: a final NUL ends a number or reports EOF */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        if (jerr != json_tokener_success) {
            ret = jsonc_error(tok, len, l.max_depth, err);
            goto out;
        }
    } else if (jerr != json_tokener_success) {
        ret =
            jsonc_error(tok, json_tokener_get_parse_end(tok), l.max_depth, err);
        goto out;
    } else if (json_tokener_get_parse_end(tok) != len) {
        /* STRICT already refuses this; kept so the rule cannot regress */
        ret = et_error_set(err, ET_EINPUT, "byte %zu: trailing data",
                           json_tokener_get_parse_end(tok));
        goto out;
    }
    if (sc.colons && tree_members(obj) != sc.colons) {
        ret = et__json_report_duplicate(buf, len, l.max_depth, err);
        goto out;
    }
    *out = obj;
    obj = NULL;
    ret = ET_OK;
out:
    json_object_put(obj);
    give_tokener(tok, l.max_depth);
    return ret;
}

const char *et__jstr(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!o || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

struct json_object *et__jget(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}
