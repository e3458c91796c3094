/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the redactor: arbitrary bytes are redacted without
 * a crash; valid UTF-8 stays valid UTF-8; and secrets planted between two
 * copies of the input never survive, whatever surrounds them.
 */
#include "base/setup.h"
#include "redact/redact.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const planted[] = {
    "AKIAIOSFODNN7EXAMPLE", "ghp_AkJiG8XnBE3NnYJoQ9WmXeHH2fdeeTFJGvVv",
    "sk_live_6YytwMe4LbyoVFz8uZdZv8Fu"};

/* RFC 3629 UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t len = c < 0x80         ? 1
                     : (c >> 5) == 6  ? 2
                     : (c >> 4) == 14 ? 3
                     : (c >> 3) == 30 ? 4
                                      : 0;
        unsigned cp;

        if (!len || i + len > n)
            return false;
        cp = len == 1 ? c : c & (0x7fu >> len);
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

static size_t count(const char *h, size_t n, const char *needle)
{
    size_t c = 0, k = strlen(needle);
    const char *p = h, *end = h + n;

    while ((p = memmem(p, (size_t)(end - p), needle, k))) {
        c++;
        p++;
    }
    return c;
}

static struct et_redactor *get(bool all_rules)
{
    static struct et_redactor *r[2];
    static const uint8_t key[ET_REDACT_KEY_LEN] = {7};

    if (!r[all_rules]) {
        if (et__redactor_new(key, ET_REDACT_PCRE2, &r[all_rules], NULL))
            ET_BUG("redactor does not compile");
        et__redactor_set_all_rules(r[all_rules], all_rules);
    }
    return r[all_rules];
}

/* The rules picked by their anchors find what every rule run finds. */
static void same_as_all_rules(const char *s, size_t size,
                              const struct et_buf *out, size_t n)
{
    struct et_buf all = ET_BUF_INIT;
    size_t n_all = 0;

    if (et__redact_text(get(true), s, size, &all, &n_all, NULL))
        ET_BUG("redaction failed");
    if (n != n_all || out->len != all.len ||
        (out->len && memcmp(out->ptr, all.ptr, out->len)))
        ET_BUG("the anchors missed a rule's match");
    et_buf_release(&all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_redactor *r = get(false);
    struct et_buf out = ET_BUF_INIT, in = ET_BUF_INIT;
    const char *s = (const char *)data;
    size_t n = 0;

    if (size > 65536)
        return 0;
    if (et__redact_text(r, s, size, &out, &n, NULL))
        ET_BUG("redaction failed");
    if (n && valid_utf8(data, size) &&
        !valid_utf8((const unsigned char *)out.ptr, out.len))
        ET_BUG("redaction broke UTF-8");
    same_as_all_rules(s, size, &out, n);
    /* input, newline, the secrets, newline, input */
    if (et_buf_add(&in, s, size) || et_buf_addch(&in, '\n'))
        abort();
    for (size_t i = 0; i < ET_ARRAY_SIZE(planted); i++)
        if (et_buf_addstr(&in, planted[i]) || et_buf_addch(&in, ' '))
            abort();
    if (et_buf_addch(&in, '\n') || et_buf_add(&in, s, size))
        abort();
    if (et__redact_text(r, in.ptr, in.len, &out, &n, NULL) || !n)
        ET_BUG("planted secrets not found");
    same_as_all_rules(in.ptr, in.len, &out, n);
    /* the input may hold the same bytes where they are not a secret (in a
     * longer word): the two copies account for those, the planted one must
     * be gone */
    for (size_t i = 0; i < ET_ARRAY_SIZE(planted); i++)
        if (count(out.ptr, out.len, planted[i]) >
            2 * count(s, size, planted[i]))
            ET_BUG("a planted secret survived");
    et_buf_release(&in);
    et_buf_release(&out);
    return 0;
}
