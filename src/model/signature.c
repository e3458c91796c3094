/* SPDX-License-Identifier: MIT */
/*
 * Failure signatures: an error message with its variable parts replaced by
 * placeholders, so the same failure groups across executions and agents
 * (docs/ANALYSIS.md, "Signatures", has the rules and examples).
 */
#include "base/setup.h"
#include "base/buf.h"
#include "exectrail/analysis.h"
#include "model/signature.h"

struct sig_out {
    char *p;
    size_t cap, len;
};

static void put(struct sig_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->len + 1 < o->cap; i++)
        o->p[o->len++] = s[i];
    o->p[o->len] = '\0';
}

static void puts_(struct sig_out *o, const char *s)
{
    put(o, s, strlen(s));
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Characters that end a word for the rules below (kept in the output). */
static bool is_sep(char c)
{
    return is_space(c) || c == ';' || c == '(' || c == ')' || c == '[' ||
           c == ']' || c == '{' || c == '}' || c == '<' || c == '>' ||
           c == '=' || c == '"' || c == '\'' || c == '`';
}

/* 8-4-4-4-12 hex digits */
static bool is_uuid(const char *s, size_t n)
{
    if (n != 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return false;
    }
    return true;
}

/* 0x1f..., or 7+ hex digits with at least one digit and one letter, or
 * 12+ hex digits (hashes, object ids, addresses) */
static bool is_hexword(const char *s, size_t n)
{
    size_t digits = 0, letters = 0;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!is_hex(s[i]))
                return false;
        return true;
    }
    if (n < 7)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex(s[i]))
            return false;
        if (is_digit(s[i]))
            digits++;
        else
            letters++;
    }
    return digits && (letters || n >= 12);
}

/* 2025-01-17T10:00:00Z, 2025-01-17, 10:00:00.123 */
static bool is_time(const char *s, size_t n)
{
    size_t digits = 0, seps = 0;

    if (n < 8)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (is_digit(c))
            digits++;
        else if (c == '-' || c == ':' || c == 'T' || c == 'Z' || c == '.' ||
                 c == '+')
            seps++;
        else
            return false;
    }
    return digits >= 6 && seps >= 2 &&
           (memchr(s, ':', n) || (n == 10 && s[4] == '-' && s[7] == '-'));
}

static bool is_path(const char *s, size_t n)
{
    if (n >= 3 && ((s[1] == ':' && s[2] == '\\') || s[0] == '~'))
        return true;
    if (n == 1)
        return false;
    return memchr(s, '/', n) != NULL || (memchr(s, '\\', n) && n > 2);
}

static bool is_url(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            return i > 0;
    return false;
}

/* Digit runs not glued to a letter before them become N; numbers with a
 * decimal point or thousands separators become one N. */
static void put_word(struct sig_out *o, const char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (is_digit(s[i]) && (i == 0 || !is_alpha(s[i - 1]))) {
            while (i < n &&
                   (is_digit(s[i]) ||
                    ((s[i] == '.' || s[i] == ',') && i + 1 < n &&
                     is_digit(s[i + 1]) && i > 0 && is_digit(s[i - 1]))))
                i++;
            puts_(o, "N");
            continue;
        }
        if (is_digit(s[i])) {
            /* an identifier's digits (utf8, sha256, E0425) stay */
            while (i < n && is_digit(s[i]))
                put(o, &s[i++], 1);
            continue;
        }
        put(o, &s[i++], 1);
    }
}

/* A quoted span on one line is a value ('foo.txt', "x", `cmd`): it
 * becomes '<str>' whatever it holds. 0 when the quote is not closed (an
 * apostrophe). */
static size_t quoted(struct sig_out *o, const char *s, size_t n, char q)
{
    size_t end = 1;

    while (end < n && s[end] != q && s[end] != '\n')
        end++;
    if (end >= n || s[end] != q)
        return 0; /* not closed: an apostrophe */
    put(o, &q, 1);
    puts_(o, "<str>");
    put(o, &q, 1);
    return end + 1;
}

size_t et_signature(const char *tool, const char *msg, size_t len, char *out,
                    size_t cap)
{
    struct sig_out o = {out, cap, 0};
    size_t i = 0;
    bool space = false;

    if (!cap)
        return 0;
    out[0] = '\0';
    if (tool && *tool) {
        puts_(&o, tool);
        puts_(&o, ": ");
    }
    while (i < len && o.len + 1 < o.cap) {
        size_t start, n, q;

        if (is_space(msg[i])) {
            space = true;
            i++;
            continue;
        }
        if (space && o.len && out[o.len - 1] != ' ')
            puts_(&o, " ");
        space = false;
        if ((msg[i] == '\'' || msg[i] == '"' || msg[i] == '`') &&
            (q = quoted(&o, msg + i, len - i, msg[i])) > 0) {
            i += q;
            continue;
        }
        if (is_sep(msg[i])) {
            put(&o, &msg[i++], 1);
            continue;
        }
        start = i;
        while (i < len && !is_sep(msg[i]))
            i++;
        n = i - start;
        /* a trailing ':' '.' or ',' is punctuation of the sentence */
        while (n > 1 &&
               (msg[start + n - 1] == ':' || msg[start + n - 1] == '.' ||
                msg[start + n - 1] == ','))
            n--;
        if (is_uuid(msg + start, n) || is_hexword(msg + start, n))
            puts_(&o, "<id>");
        else if (is_url(msg + start, n))
            puts_(&o, "<url>");
        else if (is_time(msg + start, n))
            puts_(&o, "<time>");
        else if (is_path(msg + start, n))
            puts_(&o, "<path>");
        else
            put_word(&o, msg + start, n);
        put(&o, msg + start + n, i - start - n);
    }
    if (o.len + 1 >= o.cap) {
        /* cut at the ceiling: never end inside a UTF-8 sequence */
        while (o.len && ((unsigned char)out[o.len - 1] & 0xC0) == 0x80)
            o.len--;
        if (o.len && (unsigned char)out[o.len - 1] >= 0xC0)
            o.len--;
        out[o.len] = '\0';
    }
    while (o.len && out[o.len - 1] == ' ')
        out[--o.len] = '\0';
    return o.len;
}

/*
 * A failure signature: the one rule of the analysis module
 * (et_signature, docs/ANALYSIS.md "Signatures"), so that stats and the
 * issues table group failures the same way.
 */
int et__failure_signature(struct et_buf *out, const char *tool, const char *msg)
{
    char sig[ET_SIGNATURE_MAX];
    size_t n = et_signature(tool, msg, strlen(msg), sig, sizeof(sig));

    et_buf_reset(out);
    return et_buf_add(out, sig, n);
}
