/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the HTTP API's request parsing beyond the router:
 * the query-string decoder (src/http/params.c) and the bearer-token check
 * (src/http/token.c). The first input byte picks the parameter looked up
 * (and, when odd, also checks the rest as a token); the rest is the query
 * string. Decoded values must be NUL-terminated within their buffer, never
 * hold a NUL, and a refusal must point inside the input.
 */
#include "base/setup.h"
#include "http/params.h"
#include "http/token.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_token(const char *s, size_t n)
{
    static const char good[] =
        "etk_0123456789abcdef_"
        "000102030405060708090a0b0c0d0e0f1011121314151617";
    struct et_token_entry e;
    struct et_token_set set;
    enum et_token_scope sc;

    memset(&e, 0, sizeof(e));
    memset(&set, 0, sizeof(set));
    memcpy(e.id, "0123456789abcdef", 17);
    e.scope = ET_TOKEN_READ;
    et_hash_sha256(good, sizeof(good) - 1, e.hash);
    set.v = &e;
    set.n = 1;
    sc = et__token_check(&set, s, n, 0);
    if (sc != ET_TOKEN_NONE &&
        (n != sizeof(good) - 1 || memcmp(s, good, n) != 0))
        ET_BUG("a token other than the stored one was accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"q",    "limit",    "cursor",
                                        "view", "old_size", ""};
    static const char *const known[] = {"q", "limit", "cursor", NULL};
    char out[64], big[ET_HTTP_VALUE_MAX];
    const char *q;
    size_t len, bad = (size_t)-1;
    bool unknown = false;
    int r;

    if (size == 0)
        return 0;
    q = (const char *)data + 1;
    len = size - 1;
    if (data[0] & 1)
        check_token(q, len);
    r = et__http_param(q, len, names[(data[0] >> 1) % ET_ARRAY_SIZE(names)],
                       out, sizeof(out), &bad);
    if (r < -1 || r > 1)
        ET_BUG("et__http_param: unknown result");
    if (r == -1 && bad >= len)
        ET_BUG("et__http_param: a refusal outside the input");
    if (memchr(out, '\0', sizeof(out)) == NULL)
        ET_BUG("et__http_param: value not NUL-terminated");
    if (r != 1 && out[0] != '\0')
        ET_BUG("et__http_param: a value without a match");
    r = et__http_param(q, len, "q", big, sizeof(big), &bad);
    if (r == 1 && strlen(big) >= sizeof(big))
        ET_BUG("et__http_param: overlong value");
    bad = (size_t)-1;
    r = et__http_params_check(q, len, known, &bad, &unknown);
    if (r != 0 && (r != -1 || bad > len))
        ET_BUG("et__http_params_check: a refusal outside the input");
    if (r == 0 && unknown)
        ET_BUG("et__http_params_check: accepted an unknown name");
    return 0;
}
