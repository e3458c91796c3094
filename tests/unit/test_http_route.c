/* SPDX-License-Identifier: MIT */
/* The HTTP server's pure router: routes, scopes, and refused targets. */
#include <string.h>

#include "t.h"
#include "exectrail/error.h"
#include "http/route.h"

static int route(const char *m, const char *t, struct et_http_route *r)
{
    return et__http_route(m, t, strlen(t), r);
}

T_TEST(routes_and_scopes)
{
    struct et_http_route r;

    T_ASSERT_INT_EQ(route("GET", "/healthz", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_HEALTHZ);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_NONE);
    T_ASSERT_INT_EQ(route("GET", "/metrics", &r), 200);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_READ);
    T_ASSERT_INT_EQ(route("POST", "/v1/executions", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_EXEC_RECORD);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_INGEST);
    T_ASSERT_INT_EQ(route("GET", "/v1/executions?q=status%3Dfailed", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_EXEC_LIST);
    T_ASSERT_INT_EQ(r.path_len, strlen("/v1/executions"));
    T_ASSERT_INT_EQ(route("HEAD", "/v1/executions/abc-123?x", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_EXEC_GET);
    T_ASSERT_STR_EQ(r.param, "abc-123");
    T_ASSERT_INT_EQ(route("POST", "/v1/hooks/claude-code", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_HOOK_CLAUDE);
    T_ASSERT_INT_EQ(route("POST", "/v1/traces", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_OTLP_TRACES);
    T_ASSERT_INT_EQ(route("POST", "/v1/executions/start", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_EXEC_START);
    T_ASSERT_INT_EQ(route("POST", "/v1/executions/ab12/actions", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_EXEC_ACTIONS);
    T_ASSERT_STR_EQ(r.param, "ab12");
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_INGEST);
    T_ASSERT_INT_EQ(route("GET", "/v1/executions/ab12/proof", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_EXEC_PROOF);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_READ);
    T_ASSERT_INT_EQ(route("GET", "/v1/reports/daily?format=md", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_REPORT_DAILY);
    T_ASSERT_INT_EQ(route("POST", "/mcp", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_MCP);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_ANY);
    T_ASSERT_INT_EQ(route("GET", "/v1/executions/ab12/actions", &r), 405);
    T_ASSERT_STR_EQ(r.allow, "POST");
    T_ASSERT_INT_EQ(route("POST", "/v1/executions/a.b/actions", &r), 404);
    T_ASSERT_INT_EQ(route("POST", "/v1/executions//actions", &r), 400);
    /* the dashboard's pages (docs/DASHBOARD.md) */
    T_ASSERT_INT_EQ(route("GET", "/?q=agent%3Dx", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_UI_LIST);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_READ);
    T_ASSERT_INT_EQ(route("GET", "/ui/executions/ab12/proof", &r), 200);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_UI_PROOF);
    T_ASSERT_STR_EQ(r.param, "ab12");
    T_ASSERT_INT_EQ(route("GET", "/ui/dash.js", &r), 200);
    T_ASSERT_INT_EQ(r.scope, ET_SCOPE_NONE);
    T_ASSERT_INT_EQ(route("GET", "/ui/", &r), 400);
    T_ASSERT_INT_EQ(route("GET", "/ui/dash.js/..", &r), 400);
    T_ASSERT_INT_EQ(route("POST", "/ui/ledger", &r), 405);
    /* the harness names statuses through the library (link order) */
    T_ASSERT(et_status_name(0) != NULL);
}

T_TEST(wrong_method_and_unknown_path)
{
    struct et_http_route r;

    T_ASSERT_INT_EQ(route("DELETE", "/healthz", &r), 405);
    T_ASSERT_STR_EQ(r.allow, "GET, HEAD");
    T_ASSERT_INT_EQ(route("PUT", "/v1/executions", &r), 405);
    T_ASSERT_STR_EQ(r.allow, "GET, HEAD, POST");
    T_ASSERT_INT_EQ(route("GET", "/mcp", &r), 405);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_MCP); /* the path's route, for /mcp's 405 */
    T_ASSERT_STR_EQ(r.allow, "POST");
    T_ASSERT_INT_EQ(route("DELETE", "/mcp", &r), 405);
    T_ASSERT_INT_EQ(route("GET", "/v1/traces", &r), 405);
    T_ASSERT_INT_EQ(route("GET", "/nope", &r), 404);
    T_ASSERT_INT_EQ(r.id, ET_ROUTE_NONE);
    T_ASSERT_INT_EQ(route("GET", "/v1/executions/a/b", &r), 404);
    T_ASSERT_INT_EQ(route("GET", "/v1/executions/a%20b", &r), 404);
}

T_TEST(malformed_and_traversal_refused)
{
    static const char *const bad[] = {
        "",
        "healthz",
        "/v1/executions/..",
        "/a/./b",
        "//healthz",
        "/healthz/",
        "/%2e%2e/etc",
        "/a%2Fb",
        "/a%",
        "/a%4",
        "/a%zz",
        "/a\\b",
        "/a b",
        "/v1/\x01",
        "/%00",
        "/..",
    };
    struct et_http_route r;
    char nul[] = "/healthz\0x";
    char longt[ET_HTTP_TARGET_MAX + 2];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int st = route("GET", bad[i], &r);
        if (st != 400)
            t_fail(__FILE__, __LINE__, "%s: status %d, want 400", bad[i], st);
        T_ASSERT_INT_EQ(r.id, ET_ROUTE_NONE);
    }
    T_ASSERT_INT_EQ(et__http_route("GET", nul, sizeof(nul) - 1, &r), 400);
    memset(longt, 'a', sizeof(longt));
    longt[0] = '/';
    T_ASSERT_INT_EQ(et__http_route("GET", longt, sizeof(longt), &r), 414);
}

T_MAIN("http_route", T_CASE(routes_and_scopes),
       T_CASE(wrong_method_and_unknown_path),
       T_CASE(malformed_and_traversal_refused))
