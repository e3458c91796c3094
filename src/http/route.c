/* SPDX-License-Identifier: MIT */
/* Pure request-target routing for the HTTP server (see route.h). */
#include "base/setup.h"
#include "http/route.h"

#include <string.h>

struct route_def {
    const char *method;
    const char *path; /* a "*" segment takes one {id} segment */
    enum et_http_route_id id;
    enum et_http_scope scope;
};

static const struct route_def routes[] = {
    {"GET", "/healthz", ET_ROUTE_HEALTHZ, ET_SCOPE_NONE},
    {"GET", "/metrics", ET_ROUTE_METRICS, ET_SCOPE_READ},
    {"GET", "/", ET_ROUTE_UI_LIST, ET_SCOPE_READ},
    {"GET", "/ui", ET_ROUTE_UI_LIST, ET_SCOPE_READ},
    {"GET", "/ui/executions/*", ET_ROUTE_UI_EXEC, ET_SCOPE_READ},
    {"GET", "/ui/executions/*/proof", ET_ROUTE_UI_PROOF, ET_SCOPE_READ},
    {"GET", "/ui/agents", ET_ROUTE_UI_AGENTS, ET_SCOPE_READ},
    {"GET", "/ui/reports/daily", ET_ROUTE_UI_DAILY, ET_SCOPE_READ},
    {"GET", "/ui/ledger", ET_ROUTE_UI_LEDGER, ET_SCOPE_READ},
    {"GET", "/ui/events", ET_ROUTE_UI_EVENTS, ET_SCOPE_READ},
    {"GET", "/ui/dash.css", ET_ROUTE_UI_ASSET, ET_SCOPE_NONE},
    {"GET", "/ui/dash.js", ET_ROUTE_UI_ASSET, ET_SCOPE_NONE},
    {"GET", "/v1/executions", ET_ROUTE_EXEC_LIST, ET_SCOPE_READ},
    {"POST", "/v1/executions", ET_ROUTE_EXEC_RECORD, ET_SCOPE_INGEST},
    {"POST", "/v1/executions/start", ET_ROUTE_EXEC_START, ET_SCOPE_INGEST},
    {"GET", "/v1/executions/*", ET_ROUTE_EXEC_GET, ET_SCOPE_READ},
    {"POST", "/v1/executions/*/delegate", ET_ROUTE_EXEC_DELEGATE,
     ET_SCOPE_INGEST},
    {"POST", "/v1/executions/*/actions", ET_ROUTE_EXEC_ACTIONS,
     ET_SCOPE_INGEST},
    {"POST", "/v1/executions/*/respond", ET_ROUTE_EXEC_RESPOND,
     ET_SCOPE_INGEST},
    {"POST", "/v1/executions/*/complete", ET_ROUTE_EXEC_COMPLETE,
     ET_SCOPE_INGEST},
    {"GET", "/v1/executions/*/proof", ET_ROUTE_EXEC_PROOF, ET_SCOPE_READ},
    {"GET", "/v1/executions/*/similar", ET_ROUTE_EXEC_SIMILAR, ET_SCOPE_READ},
    {"GET", "/v1/search", ET_ROUTE_SEARCH, ET_SCOPE_READ},
    {"GET", "/v1/reports/daily", ET_ROUTE_REPORT_DAILY, ET_SCOPE_READ},
    {"GET", "/v1/reports/agent", ET_ROUTE_REPORT_AGENT, ET_SCOPE_READ},
    {"GET", "/v1/reports/agents", ET_ROUTE_REPORT_AGENTS, ET_SCOPE_READ},
    {"GET", "/v1/insights", ET_ROUTE_INSIGHTS, ET_SCOPE_READ},
    {"POST", "/v1/checkpoint", ET_ROUTE_CHECKPOINT, ET_SCOPE_INGEST},
    {"GET", "/v1/proofs/consistency", ET_ROUTE_CONSISTENCY, ET_SCOPE_READ},
    {"POST", "/v1/hooks/claude-code", ET_ROUTE_HOOK_CLAUDE, ET_SCOPE_INGEST},
    {"POST", "/v1/traces", ET_ROUTE_OTLP_TRACES, ET_SCOPE_INGEST},
    {"POST", "/v1/logs", ET_ROUTE_OTLP_LOGS, ET_SCOPE_INGEST},
    {"POST", "/mcp", ET_ROUTE_MCP, ET_SCOPE_ANY},
    /* open: the protocol authenticates by the log's signature */
    {"POST", "/witness/add-checkpoint", ET_ROUTE_WITNESS_ADD, ET_SCOPE_NONE},
};

/* Allow header values, by the set of methods a path takes */
enum { M_GET = 1 << 0, M_POST = 1 << 1 };
static const char *const allow_of[] = {
    [0] = "",
    [M_GET] = "GET, HEAD",
    [M_POST] = "POST",
    [M_GET | M_POST] = "GET, HEAD, POST",
};

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* checks the path part; 0 when acceptable, else the HTTP status */
static int check_path(const char *p, size_t n)
{
    size_t seg = 1; /* start of the current segment */

    if (n == 0 || p[0] != '/')
        return 400;
    for (size_t i = 1; i <= n; i++) {
        if (i == n || p[i] == '/') {
            size_t sl = i - seg;
            if (sl == 0 && !(i == n && n == 1))
                return 400; /* "//" or a trailing "/" */
            if ((sl == 1 && p[seg] == '.') ||
                (sl == 2 && p[seg] == '.' && p[seg + 1] == '.'))
                return 400;
            seg = i + 1;
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return 400;
        if (c == '%') {
            int h, l;
            if (i + 2 >= n)
                return 400;
            h = hexval(p[i + 1]);
            l = hexval(p[i + 2]);
            if (h < 0 || l < 0)
                return 400;
            c = (unsigned char)(h * 16 + l);
            /* an encoded separator, dot, backslash or control byte is
             * never needed by a route and only serves traversal */
            if (c < 0x20 || c == '/' || c == '.' || c == '\\' || c >= 0x7f)
                return 400;
            i += 2;
        }
    }
    return 0;
}

static bool param_ok(const char *s, size_t n)
{
    if (n == 0 || n >= ET_HTTP_PARAM_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* does path p[0..n) match pattern pat (a "*" segment takes one {id})? */
static bool match_path(const char *pat, const char *p, size_t n,
                       const char **param, size_t *param_len)
{
    size_t i = 0;

    while (*pat) {
        if (pat[0] == '*' && (pat[1] == '/' || pat[1] == '\0')) {
            size_t s = i;
            while (i < n && p[i] != '/')
                i++;
            if (!param_ok(p + s, i - s))
                return false;
            *param = p + s;
            *param_len = i - s;
            pat++;
            continue;
        }
        if (i >= n || p[i] != *pat)
            return false;
        i++;
        pat++;
    }
    return i == n;
}

int et__http_route(const char *method, const char *target, size_t len,
                   struct et_http_route *out)
{
    const char *q;
    size_t plen;
    unsigned methods = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    if (len > ET_HTTP_TARGET_MAX)
        return 414;
    q = memchr(target, '?', len);
    plen = q ? (size_t)(q - target) : len;
    if (memchr(target, '\0', len))
        return 400;
    rc = check_path(target, plen);
    if (rc)
        return rc;
    out->path_len = plen;
    for (size_t i = 0; i < ET_ARRAY_SIZE(routes); i++) {
        const struct route_def *r = &routes[i];
        const char *param = NULL;
        size_t param_len = 0;

        if (!match_path(r->path, target, plen, &param, &param_len))
            continue;
        if (strcmp(method, r->method) != 0 &&
            !(strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
            if (!methods) {
                out->id = r->id;
                out->pattern = r->path;
            }
            methods |= strcmp(r->method, "GET") == 0 ? M_GET : M_POST;
            continue;
        }
        out->id = r->id;
        out->scope = r->scope;
        out->pattern = r->path;
        if (param) {
            memcpy(out->param, param, param_len);
            out->param[param_len] = '\0';
        }
        return 200;
    }
    if (!methods)
        return 404;
    out->allow = allow_of[methods];
    return 405;
}
