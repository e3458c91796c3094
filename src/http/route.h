/* SPDX-License-Identifier: MIT */
/*
 * HTTP request routing for `exectrail serve`: a pure function from a
 * method and a request target to a route, the scope it needs and its path
 * parameter. No I/O, no allocation: fuzzed by fuzz/fuzz_http_request.c.
 */
#ifndef ET_HTTP_ROUTE_H
#define ET_HTTP_ROUTE_H

#include <stddef.h>

#define ET_HTTP_TARGET_MAX 2048 /* longer request targets: 414 */
#define ET_HTTP_PARAM_MAX  64

enum et_http_route_id {
    ET_ROUTE_NONE = 0,
    ET_ROUTE_HEALTHZ,       /* GET /healthz */
    ET_ROUTE_METRICS,       /* GET /metrics */
    ET_ROUTE_UI_LIST,       /* GET /, /ui: dashboard (docs/DASHBOARD.md) */
    ET_ROUTE_UI_EXEC,       /* GET /ui/executions/{id} */
    ET_ROUTE_UI_PROOF,      /* GET /ui/executions/{id}/proof */
    ET_ROUTE_UI_AGENTS,     /* GET /ui/agents */
    ET_ROUTE_UI_DAILY,      /* GET /ui/reports/daily */
    ET_ROUTE_UI_LEDGER,     /* GET /ui/ledger */
    ET_ROUTE_UI_EVENTS,     /* GET /ui/events (Server-Sent Events) */
    ET_ROUTE_UI_ASSET,      /* GET /ui/dash.css, /ui/dash.js */
    ET_ROUTE_EXEC_LIST,     /* GET /v1/executions?q=...&cursor=... */
    ET_ROUTE_EXEC_RECORD,   /* POST /v1/executions (a whole spec record) */
    ET_ROUTE_EXEC_GET,      /* GET /v1/executions/{id} */
    ET_ROUTE_HOOK_CLAUDE,   /* POST /v1/hooks/claude-code */
    ET_ROUTE_OTLP_TRACES,   /* POST /v1/traces */
    ET_ROUTE_OTLP_LOGS,     /* POST /v1/logs */
    ET_ROUTE_EXEC_START,    /* POST /v1/executions/start */
    ET_ROUTE_EXEC_DELEGATE, /* POST /v1/executions/{id}/delegate */
    ET_ROUTE_EXEC_ACTIONS,  /* POST /v1/executions/{id}/actions */
    ET_ROUTE_EXEC_RESPOND,  /* POST /v1/executions/{id}/respond */
    ET_ROUTE_EXEC_COMPLETE, /* POST /v1/executions/{id}/complete */
    ET_ROUTE_EXEC_PROOF,    /* GET /v1/executions/{id}/proof */
    ET_ROUTE_EXEC_SIMILAR,  /* GET /v1/executions/{id}/similar */
    ET_ROUTE_SEARCH,        /* GET /v1/search?q=words */
    ET_ROUTE_REPORT_DAILY,  /* GET /v1/reports/daily */
    ET_ROUTE_REPORT_AGENT,  /* GET /v1/reports/agent?name= */
    ET_ROUTE_REPORT_AGENTS, /* GET /v1/reports/agents */
    ET_ROUTE_INSIGHTS,      /* GET /v1/insights */
    ET_ROUTE_CHECKPOINT,    /* POST /v1/checkpoint */
    ET_ROUTE_CONSISTENCY,   /* GET /v1/proofs/consistency?old_size=N */
    ET_ROUTE_MCP,           /* POST /mcp (MCP Streamable HTTP) */
    ET_ROUTE_WITNESS_ADD,   /* POST /witness/add-checkpoint (tlog-witness) */
    ET_ROUTE_COUNT_         /* number of routes (metrics arrays) */
};

enum et_http_scope {
    ET_SCOPE_NONE = 0, /* open to all (health) */
    ET_SCOPE_INGEST,
    ET_SCOPE_READ,
    ET_SCOPE_ADMIN,
    ET_SCOPE_ANY, /* any valid token (the handler checks further: /mcp) */
};

struct et_http_route {
    enum et_http_route_id id;
    enum et_http_scope scope;
    char param[ET_HTTP_PARAM_MAX]; /* the {id} segment, "" when none */
    const char *pattern;           /* the route's path, "*" for {id} */
    size_t path_len;               /* bytes of the target before '?' */
    const char *allow; /* 405: the methods the path takes (static), for
                        * the Allow header */
};

/*
 * Routes `method` (NUL-terminated) and the request target `target` of
 * `len` bytes. Returns the HTTP status: 200 when routed (*out filled),
 * A "*" segment of a route's path takes one {id} segment.
 * 400 for a malformed target (not absolute, control bytes, bad or encoded
 * '/' '.' NUL escapes, a "." or ".." segment, an empty segment), 414 when
 * too long, 404 for no route, 405 when the path exists for another method
 * (out->id is then the path's route and out->allow its methods).
 */
int et__http_route(const char *method, const char *target, size_t len,
                   struct et_http_route *out);

#endif
