/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the HTTP router: the first input byte picks the
 * method, the rest is the request target. Every answer must be a known
 * status; a routed request must have a scope, an absolute path without
 * "." or ".." segments, and a path parameter of safe bytes only.
 */
#include "base/setup.h"
#include "http/route.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "HEAD", "PUT",
                                          "DELETE"};
    struct et_http_route r;
    const char *target;
    int st;

    if (size == 0)
        return 0;
    target = (const char *)data + 1;
    st = et__http_route(methods[data[0] % ET_ARRAY_SIZE(methods)], target,
                        size - 1, &r);
    if (st != 200 && st != 400 && st != 404 && st != 405 && st != 414)
        ET_BUG("the router returned an unknown status");
    if (st != 200)
        return 0;
    if (r.id == ET_ROUTE_NONE || r.path_len == 0 || target[0] != '/')
        ET_BUG("a routed request without a route or an absolute path");
    if (r.id != ET_ROUTE_HEALTHZ && r.scope == ET_SCOPE_NONE)
        ET_BUG("only /healthz is open");
    for (size_t i = 0; r.param[i]; i++)
        if (strchr("/.%\\", r.param[i]))
            ET_BUG("an unsafe byte in a path parameter");
    return 0;
}
