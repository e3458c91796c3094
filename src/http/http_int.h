/* SPDX-License-Identifier: MIT */
/*
 * Private state of the HTTP API core: the pool of trail handles, the token
 * set, the metrics, and the request context the handlers of api.c get.
 */
#ifndef ET_HTTP_HTTP_INT_H
#define ET_HTTP_HTTP_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <json-c/json.h>

#include "exectrail/http.h"
#include "exectrail/trail.h"
#include "http/route.h"
#include "http/token.h"

/* request latency histogram bounds, seconds (docs/API.md, "Metrics") */
#define ET_HTTP_N_BUCKETS 14

struct et_http {
    char db[PATH_MAX];
    bool is_loopback, require_token;
    size_t max_body;
    int64_t started_ns;

    struct et_trail **handles;
    unsigned n_handles, n_free;
    unsigned *free_list;
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    pthread_mutex_t write_mu;  /* one writer of this process at a time */
    pthread_mutex_t report_mu; /* reports may set TZ */

    pthread_mutex_t token_mu;
    char token_path[PATH_MAX];
    struct et_token_set tokens;

    /* metrics */
    atomic_uint_fast64_t requests[ET_ROUTE_COUNT_][6]; /* by status/100 */
    atomic_uint_fast64_t events_ingested;
    atomic_uint_fast64_t requests_rejected;
    atomic_uint_fast64_t hooks_spooled; /* hook inputs spooled (store busy) */
    atomic_uint_fast64_t latency[ET_HTTP_N_BUCKETS + 1];
    atomic_uint_fast64_t latency_sum_us;
};

struct et_http_ctx {
    struct et_http *h;
    const struct et_http_request *req;
    struct et_http_route route;
    const char *query; /* after '?', NULL when none */
    size_t query_len;
    struct et_trail *t; /* the handle lent for this request */
    struct et_http_response *res;
    uint64_t events;                 /* events this request appended */
    enum et_token_scope token_scope; /* of the token sent; NONE for none */
    int ui_token; /* a page's token came as ?token= (1), a cookie (2) */
};

/* ---- responses (http.c) ---- */
void et__http_reply(struct et_http_ctx *c, int status, const char *type,
                    const char *body, size_t len);
/* takes ownership of body (et__malloc'd) */
void et__http_reply_owned(struct et_http_ctx *c, int status, const char *type,
                          char *body, size_t len);
/* writes obj (and puts it) */
void et__http_reply_obj(struct et_http_ctx *c, int status,
                        struct json_object *obj);
/* field may be NULL; offset < 0 for none */
void et__http_reply_err(struct et_http_ctx *c, int status, const char *code,
                        const char *msg, const char *field, long long offset);
/* the HTTP answer for a library failure, with the field or byte offset its
 * message names */
void et__http_reply_lib(struct et_http_ctx *c, const struct et_error *err);

/* a query parameter (see params.h); replies 400 and returns -1 when it is
 * malformed, 0 when absent, 1 when present */
int et__http_arg(struct et_http_ctx *c, const char *name, char *out,
                 size_t cap);
/* an integer parameter in [lo, hi]; def when absent; -1 after a 400 */
int et__http_arg_u64(struct et_http_ctx *c, const char *name, uint64_t def,
                     uint64_t lo, uint64_t hi, uint64_t *out);

/* ---- handlers (api.c) ---- */
typedef void et__http_handler(struct et_http_ctx *c);
/* the handler of a route, and whether it writes */
et__http_handler *et__http_handler_for(enum et_http_route_id id,
                                       bool *is_write);
/* ---- the MCP endpoint (api_mcp.c) ---- */
/* POST /mcp: one JSON-RPC message through the MCP core */
void et__http_mcp(struct et_http_ctx *c);
/* Origin names a loopback origin (http or https, localhost, 127.0.0.0/8,
 * [::1], any port); "null" does not */
bool et__http_origin_ok(const char *origin);
/* Host (host[:port]) names loopback */
bool et__http_host_ok(const char *host);

/* Prometheus text of the metrics (api.c uses it for /metrics) */
void et__http_metrics(struct et_http_ctx *c);

#endif
