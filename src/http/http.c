/* SPDX-License-Identifier: MIT */
/*
 * The HTTP API core (include/exectrail/http.h): routing, authentication,
 * the pool of trail handles, error responses and metrics. The handlers of
 * each route are in api.c; the transport is the caller's (cmd_serve.c).
 */
#include "base/setup.h"
#include "http/http_int.h"

#include <sys/stat.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/query.h"
#include "http/dash_int.h"
#include "http/params.h"

static const double bucket_s[ET_HTTP_N_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

int et_http_new(const struct et_http_opts *o, struct et_http **out,
                struct et_error *err)
{
    struct et_http *h;
    int rc = ET_OK;

    *out = NULL;
    h = et__calloc(1, sizeof(*h));
    if (!h)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    h->is_loopback = o->is_loopback;
    h->require_token = o->require_token;
    h->max_body = o->max_body ? o->max_body : ET_HTTP_MAX_BODY_DEFAULT;
    h->started_ns = et_time_now_ns();
    h->n_handles = o->n_handles ? o->n_handles : 4;
    h->w.max_open_ns = (int64_t)(o->group_max_ms ? o->group_max_ms
                                                 : ET_HTTP_GROUP_MS_DEFAULT) *
                       1000000;
    pthread_mutex_init(&h->pool_mu, NULL);
    pthread_cond_init(&h->pool_cv, NULL);
    pthread_mutex_init(&h->report_mu, NULL);
    pthread_mutex_init(&h->token_mu, NULL);
    rc = et_trail_locate(o->db, h->db, sizeof(h->db), err);
    if (!rc)
        rc = et__token_path(h->db, h->token_path, err);
    if (!rc) {
        h->handles = et__calloc(h->n_handles, sizeof(*h->handles));
        h->free_list = et__calloc(h->n_handles, sizeof(*h->free_list));
        if (!h->handles || !h->free_list)
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (unsigned i = 0; !rc && i < h->n_handles; i++) {
        rc = et_trail_open(h->db, ET_OPEN_CREATE, &h->handles[i], NULL, err);
        if (!rc)
            h->free_list[h->n_free++] = i;
    }
    if (!rc)
        rc = et__token_refresh(h->token_path, &h->tokens, err);
    if (!rc && o->witness_dir)
        rc = et_witness_open(o->witness_dir, &h->witness, err);
    if (!rc)
        rc = et__http_writer_start(h, err);
    if (rc) {
        et_http_free(h);
        return rc;
    }
    *out = h;
    return ET_OK;
}

void et_http_free(struct et_http *h)
{
    if (!h)
        return;
    et__http_writer_stop(h); /* the writes queued are done first */
    for (unsigned i = 0; h->handles && i < h->n_handles; i++)
        et_trail_close(h->handles[i]);
    et__free(h->handles);
    et__free(h->free_list);
    et__token_set_release(&h->tokens);
    et_witness_close(h->witness);
    pthread_mutex_destroy(&h->pool_mu);
    pthread_cond_destroy(&h->pool_cv);
    pthread_mutex_destroy(&h->report_mu);
    pthread_mutex_destroy(&h->token_mu);
    et__free(h);
}

void et_http_response_release(struct et_http_response *res)
{
    if (!res)
        return;
    et__free(res->body);
    et__free(res->headers);
    if (res->leftover_free)
        res->leftover_free(res->leftover);
    memset(res, 0, sizeof(*res));
}

/* ---- responses ---- */

void et__http_reply_owned(struct et_http_ctx *c, int status, const char *type,
                          char *body, size_t len)
{
    struct et_http_response *r = c->res;

    et__free(r->body);
    r->status = status;
    r->content_type = type;
    r->body = body;
    r->body_len = body ? len : 0;
}

void et__http_reply(struct et_http_ctx *c, int status, const char *type,
                    const char *body, size_t len)
{
    char *p = et__malloc(len + 1);

    if (!p) {
        et__http_reply_owned(c, 503, "text/plain", NULL, 0);
        c->res->retry_after_s = 1;
        return;
    }
    memcpy(p, body, len);
    p[len] = '\0';
    et__http_reply_owned(c, status, type, p, len);
}

void et__http_reply_obj(struct et_http_ctx *c, int status,
                        struct json_object *obj)
{
    struct et_buf b = ET_BUF_INIT;
    size_t len = 0;
    char *p;
    int rc = obj ? et_json_write(obj, 0, &b) : ET_ENOMEM;

    if (!rc)
        rc = et_buf_addch(&b, '\n');
    if (rc) {
        json_object_put(obj);
        et_buf_release(&b);
        et__http_reply_err(c, 500, "internal",
                           rc == ET_ENOMEM ? "out of memory"
                                           : "cannot write the response",
                           NULL, -1);
        return;
    }
    json_object_put(obj);
    p = et_buf_detach(&b, &len);
    et__http_reply_owned(c, status, "application/json", p, len);
}

/* the members of an error answer; false when memory ran out */
static bool err_put(struct json_object *o, const char *k, struct json_object *v)
{
    if (v && et__jadd(o, k, v) == 0)
        return true;
    json_object_put(v);
    return false;
}

void et__http_reply_err(struct et_http_ctx *c, int status, const char *code,
                        const char *msg, const char *field, long long offset)
{
    static const char unprintable[] = "{\"error\":{\"code\":\"internal\","
                                      "\"message\":\"unprintable error\"}}\n";
    static const char nomem[] = "{\"error\":{\"code\":\"internal\","
                                "\"message\":\"out of memory\"}}\n";
    struct json_object *o = et__jnew_object();
    struct json_object *e = et__jnew_object();
    struct et_buf b = ET_BUF_INIT;
    size_t len = 0;
    bool ok = o && e && err_put(e, "code", et__jnew_string(code)) &&
              err_put(e, "message", et__jnew_string(msg)) &&
              (!field || err_put(e, "field", et__jnew_string(field))) &&
              (offset < 0 || err_put(e, "offset", et__jnew_int64(offset)));
    int rc;

    if (!ok || !err_put(o, "error", e)) {
        if (!ok)
            json_object_put(e);
        json_object_put(o);
        /* the answer for a request whose work ran out of memory is the
         * same: 500, never the error it was to have with a member short */
        et__http_reply(c, 500, "application/json", nomem, sizeof(nomem) - 1);
        return;
    }
    rc = et_json_write(o, 0, &b);
    if (!rc)
        rc = et_buf_addch(&b, '\n');
    json_object_put(o);
    if (rc) {
        /* the message was not UTF-8, or memory ran out */
        et_buf_release(&b);
        if (rc == ET_ENOMEM)
            et__http_reply(c, 500, "application/json", nomem,
                           sizeof(nomem) - 1);
        else
            et__http_reply(c, status, "application/json", unprintable,
                           sizeof(unprintable) - 1);
        return;
    }
    {
        char *p = et_buf_detach(&b, &len);
        et__http_reply_owned(c, status, "application/json", p, len);
    }
}

void et__http_run(struct et_http_ctx *c, et__http_handler *fn)
{
    uint64_t fails0;

    et__alloc_request_begin();
    (void)et__json_oom_take(); /* not this request's */
    fails0 = et__json_oom_count();
    fn(c);
    /* a JSON value of the answer (or of what the library built for it)
     * could not be allocated: 500, never an answer with a member missing.
     * Not for an answer already 5xx, a hook input kept in the spool
     * (answered truthfully: stored later) or the MCP endpoint, whose
     * JSON-RPC reply is -32603 (mcp.c) */
    if (et__json_oom_count() != fails0 && c->res->status < 500 &&
        !c->is_spooled && c->route.id != ET_ROUTE_MCP)
        et__http_reply_err(c, 500, "internal", "out of memory", NULL, -1);
    et__alloc_request_end();
}

/* "a.b[0].c: message" names a field; "byte N: message" an offset */
static void split_msg(const char *msg, char *field, size_t cap,
                      long long *offset)
{
    const char *colon = strstr(msg, ": ");
    size_t n;

    field[0] = '\0';
    *offset = -1;
    if (!colon)
        return;
    n = (size_t)(colon - msg);
    if (n > 5 && strncmp(msg, "byte ", 5) == 0 &&
        strspn(msg + 5, "0123456789") == n - 5) {
        *offset = strtoll(msg + 5, NULL, 10);
        return;
    }
    if (n == 0 || n >= cap ||
        strspn(msg, "abcdefghijklmnopqrstuvwxyz"
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                    "0123456789_.[]$") != n)
        return;
    memcpy(field, msg, n);
    field[n] = '\0';
}

void et__http_reply_lib(struct et_http_ctx *c, const struct et_error *err)
{
    char field[128];
    long long off;
    int st = 500;
    const char *code = "internal";

    switch (err->code) {
    case ET_EINPUT:
    case ET_EINVAL:
    case ET_EUSAGE:
        st = 400, code = "invalid_input";
        break;
    case ET_ETOOBIG:
        st = 413, code = "too_large";
        break;
    case ET_ENOTFOUND:
        st = 404, code = "not_found";
        break;
    case ET_EEXIST:
        st = 409, code = "exists";
        break;
    case ET_ESTATE:
        st = 409, code = "state";
        break;
    case ET_EBUSY:
    case ET_EUNAVAIL:
        st = 503, code = "unavailable";
        break;
    case ET_EINTEGRITY:
        st = 500, code = "integrity";
        break;
    default:
        break;
    }
    if (st == 503)
        c->res->retry_after_s = 1;
    field[0] = '\0';
    off = -1;
    if (err->code == ET_EINPUT || err->code == ET_ETOOBIG ||
        err->code == ET_EINVAL)
        split_msg(err->msg, field, sizeof(field), &off);
    et__http_reply_err(c, st, code,
                       err->msg[0] ? err->msg : et_status_str(err->code),
                       field[0] ? field : NULL, off);
}

/* ---- query parameters ---- */

int et__http_arg(struct et_http_ctx *c, const char *name, char *out, size_t cap)
{
    size_t bad = 0;
    int r = et__http_param(c->query, c->query_len, name, out, cap, &bad);
    char msg[160];

    if (r < 0) {
        snprintf(msg, sizeof(msg),
                 "query parameter %s: bad %%-escape, NUL or longer than %zu "
                 "bytes (byte %zu of the query string)",
                 name, cap - 1, bad);
        et__http_reply_err(c, 400, "invalid_input", msg, name, (long long)bad);
        return -1;
    }
    return r;
}

int et__http_arg_u64(struct et_http_ctx *c, const char *name, uint64_t def,
                     uint64_t lo, uint64_t hi, uint64_t *out)
{
    char v[32], msg[160], *end = NULL;
    int r = et__http_arg(c, name, v, sizeof(v));
    unsigned long long x;

    *out = def;
    if (r <= 0)
        return r;
    errno = 0;
    x = strtoull(v, &end, 10);
    if (!v[0] || v[0] == '-' || *end || errno || x < lo || x > hi) {
        snprintf(msg, sizeof(msg),
                 "query parameter %s: expected an integer from %llu to %llu, "
                 "got '%s'",
                 name, (unsigned long long)lo, (unsigned long long)hi, v);
        et__http_reply_err(c, 400, "invalid_input", msg, name, -1);
        return -1;
    }
    *out = x;
    return 1;
}

/* ---- authentication ---- */

static bool scope_allows(enum et_token_scope have, enum et_http_scope need)
{
    if (have == ET_TOKEN_ADMIN || need == ET_SCOPE_NONE || need == ET_SCOPE_ANY)
        return true;
    if (need == ET_SCOPE_INGEST)
        return have == ET_TOKEN_INGEST;
    if (need == ET_SCOPE_READ)
        return have == ET_TOKEN_READ;
    return false;
}

/* the token a (NUL-terminated): 0 when it allows the route */
static int check_token(struct et_http_ctx *c, const char *a)
{
    enum et_token_scope have;
    struct et_error err = ET_ERROR_INIT;
    int rc;

    pthread_mutex_lock(&c->h->token_mu);
    rc = et__token_refresh(c->h->token_path, &c->h->tokens, &err);
    have = rc ? ET_TOKEN_NONE
              : et__token_check(&c->h->tokens, a, strlen(a), et_time_now_ns());
    pthread_mutex_unlock(&c->h->token_mu);
    if (rc) {
        et__http_reply_lib(c, &err);
        return -1;
    }
    if (have == ET_TOKEN_NONE) {
        et__http_reply_err(c, 401, "unauthorized",
                           "unknown, revoked or expired API token",
                           "Authorization", -1);
        c->res->is_unauthorized = true;
        return -1;
    }
    c->token_scope = have;
    if (!scope_allows(have, c->route.scope)) {
        static const char *const need[] = {"", "ingest", "read", "admin",
                                           "any"};
        char msg[128];
        snprintf(msg, sizeof(msg),
                 "this token may not do that: it needs "
                 "the %s scope",
                 need[c->route.scope]);
        et__http_reply_err(c, 403, "forbidden", msg, "Authorization", -1);
        return -1;
    }
    return 0;
}

/*
 * DNS-rebinding protection of the MCP endpoint (the Streamable HTTP
 * transport's security rules): a web page must not drive it through the
 * browser, so an Origin that is not loopback is refused, and on a loopback
 * listener so is a Host that does not name loopback (a rebound name). 0
 * when the request may go on; else a 403 was made.
 */
static int rebinding_guard(struct et_http_ctx *c)
{
    const char *o = c->req->origin, *host = c->req->host;

    if (c->route.id != ET_ROUTE_MCP)
        return 0;
    if (o && !et__http_origin_ok(o)) {
        et__http_reply_err(c, 403, "forbidden",
                           "Origin: only a loopback origin may use the MCP "
                           "endpoint",
                           "Origin", -1);
        return -1;
    }
    if (c->h->is_loopback && host && !et__http_host_ok(host)) {
        et__http_reply_err(c, 403, "forbidden",
                           "Host: this server listens on loopback and "
                           "answers only to a loopback name",
                           "Host", -1);
        return -1;
    }
    return 0;
}

/* 0 when the request may go on; else a reply was made */
static int authenticate(struct et_http_ctx *c)
{
    const char *a = c->req->authorization;
    char page_tok[ET_TOKEN_LEN + 8];

    /* a browser cannot send the header: a page's token may come as
     * ?token= once, then as the cookie it sets (docs/DASHBOARD.md) */
    if (!a && et__dash_is_ui(c->route.id) && c->route.scope != ET_SCOPE_NONE) {
        c->ui_token = et__dash_token(c, page_tok, sizeof(page_tok));
        if (c->ui_token)
            return check_token(c, page_tok);
    }
    if (!a) {
        if (c->route.scope == ET_SCOPE_NONE ||
            (c->h->is_loopback && !c->h->require_token))
            return 0;
        et__http_reply_err(c, 401, "unauthorized",
                           "this server needs an API token: send "
                           "Authorization: Bearer TOKEN",
                           "Authorization", -1);
        c->res->is_unauthorized = true;
        return -1;
    }
    if (strncasecmp(a, "Bearer ", 7) != 0) {
        et__http_reply_err(c, 401, "unauthorized",
                           "Authorization: expected 'Bearer TOKEN'",
                           "Authorization", -1);
        c->res->is_unauthorized = true;
        return -1;
    }
    a += 7;
    while (*a == ' ')
        a++;
    return check_token(c, a);
}

/* ---- the pool of trail handles ---- */

static unsigned pool_get(struct et_http *h)
{
    unsigned i;

    pthread_mutex_lock(&h->pool_mu);
    while (h->n_free == 0)
        pthread_cond_wait(&h->pool_cv, &h->pool_mu);
    i = h->free_list[--h->n_free];
    pthread_mutex_unlock(&h->pool_mu);
    return i;
}

static void pool_put(struct et_http *h, unsigned i)
{
    pthread_mutex_lock(&h->pool_mu);
    h->free_list[h->n_free++] = i;
    pthread_cond_signal(&h->pool_cv);
    pthread_mutex_unlock(&h->pool_mu);
}

/* ---- requests ---- */

static void account(struct et_http *h, enum et_http_route_id id, int status,
                    int64_t dt_ns)
{
    double s = (double)dt_ns / 1e9;
    unsigned cls = (unsigned)(status / 100);
    size_t b = 0;

    if (cls > 5)
        cls = 5;
    atomic_fetch_add(&h->requests[id][cls], 1);
    while (b < ET_HTTP_N_BUCKETS && s > bucket_s[b])
        b++;
    atomic_fetch_add(&h->latency[b], 1);
    atomic_fetch_add(&h->latency_sum_us, (uint64_t)(dt_ns / 1000));
    if (status == 400 || status == 413 || status == 415)
        atomic_fetch_add(&h->requests_rejected, 1);
}

static bool body_type_ok(const struct et_http_request *r)
{
    const char *t = r->content_type;

    if (!t)
        return true;
    while (*t == ' ')
        t++;
    return strncasecmp(t, "application/json", 16) == 0 &&
           (t[16] == '\0' || t[16] == ';' || t[16] == ' ');
}

/* 1 when the answer comes later through w (a write in a group commit) */
static int dispatch(struct et_http_ctx *c, int64_t t0,
                    const struct et_http_waiter *w)
{
    et__http_handler *fn;
    bool is_write = false;
    unsigned slot;

    /* no store handle: health, metrics, and the witness (its own files;
     * the protocol's bodies are plain text of any Content-Type) */
    if (c->route.id == ET_ROUTE_HEALTHZ || c->route.id == ET_ROUTE_METRICS ||
        c->route.id == ET_ROUTE_WITNESS_ADD) {
        c->t = NULL;
        fn = et__http_handler_for(c->route.id, &is_write);
        et__http_run(c, fn);
        return 0;
    }
    if (strcmp(c->req->method, "POST") == 0 &&
        c->route.id != ET_ROUTE_OTLP_TRACES &&
        c->route.id != ET_ROUTE_OTLP_LOGS) {
        if (!body_type_ok(c->req)) {
            et__http_reply_err(c, 415, "unsupported_media_type",
                               "Content-Type: expected application/json",
                               "Content-Type", -1);
            return 0;
        }
        if (c->req->content_encoding &&
            strcasecmp(c->req->content_encoding, "identity") != 0) {
            et__http_reply_err(c, 415, "unsupported_media_type",
                               "Content-Encoding: only identity is accepted "
                               "here",
                               "Content-Encoding", -1);
            return 0;
        }
    }
    fn = et__http_handler_for(c->route.id, &is_write);
    /* writes go to the writer thread, which answers and accounts them */
    if (is_write) {
        et__http_prepare(c);
        return et__http_write(c, fn, et__http_may_group(c), t0, w) ? 1 : -1;
    }
    /* reads: a handle of the pool, never the writer's, so they see only
     * committed groups and never wait for one */
    slot = pool_get(c->h);
    c->t = c->h->handles[slot];
    et__http_run(c, fn);
    c->t = NULL;
    pool_put(c->h, slot);
    return 0;
}

void et__http_finish(struct et_http_ctx *c, int64_t t0_ns)
{
    struct et_http_response *res = c->res;

    if (!res->status)
        et__http_reply_err(c, 500, "internal", "no response", NULL, -1);
    if (res->status < 300)
        atomic_fetch_add(&c->h->events_ingested, c->events);
    account(c->h, c->route.id, res->status, et_time_mono_ns() - t0_ns);
}

void et_http_handle(struct et_http *h, const struct et_http_request *req,
                    struct et_http_response *res)
{
    (void)et_http_handle_async(h, req, res, NULL);
}

int et_http_handle_async(struct et_http *h, const struct et_http_request *req,
                         struct et_http_response *res,
                         const struct et_http_waiter *w)
{
    struct et_http_ctx c;
    int64_t t0 = et_time_mono_ns();
    const char *q;
    int st, later = 0;

    memset(res, 0, sizeof(*res));
    memset(&c, 0, sizeof(c));
    c.h = h;
    c.req = req;
    c.res = res;
    st = et__http_route(req->method, req->target, req->target_len, &c.route);
    if (st == 200) {
        q = memchr(req->target, '?', req->target_len);
        if (q) {
            c.query = q + 1;
            c.query_len = req->target_len - (size_t)(q + 1 - req->target);
        }
        if (et__dash_is_ui(c.route.id)) {
            if (et__dash_check_host(&c) == 0) {
                if (authenticate(&c) != 0)
                    et__dash_auth_failed(&c);
                else if (c.ui_token == 1)
                    et__dash_login(&c);
                else
                    later = dispatch(&c, t0, w);
            }
        } else if (rebinding_guard(&c) == 0 && authenticate(&c) == 0) {
            later = dispatch(&c, t0, w);
        }
    } else if (st == 405) {
        et__http_reply_err(&c, 405, "method_not_allowed",
                           c.route.id == ET_ROUTE_MCP
                               ? "the MCP endpoint takes POST only (no SSE "
                                 "stream on GET, no sessions to DELETE)"
                               : "this path does not take that method",
                           NULL, -1);
        res->allow = c.route.allow;
    } else if (st == 404) {
        et__http_reply_err(&c, 404, "not_found", "no such endpoint", NULL, -1);
    } else if (st == 414) {
        et__http_reply_err(&c, 414, "uri_too_long",
                           "the request target is longer than 2048 bytes", NULL,
                           -1);
    } else {
        et__http_reply_err(&c, 400, "bad_request",
                           "malformed request target (see docs/API.md)",
                           "target", -1);
    }
    /* a write was answered and accounted on the writer thread (-1), or
     * will be (1) */
    if (later == 0)
        et__http_finish(&c, t0);
    return later == 1;
}

void et_http_error(struct et_http *h, int status, const char *code,
                   const char *message, struct et_http_response *res)
{
    struct et_http_ctx c;

    memset(res, 0, sizeof(*res));
    memset(&c, 0, sizeof(c));
    c.h = h;
    c.res = res;
    et__http_reply_err(&c, status, code, message, NULL, -1);
    account(h, ET_ROUTE_NONE, status, 0);
}

/* ---- metrics ---- */

static const char *const route_names[ET_ROUTE_COUNT_] = {
    [ET_ROUTE_NONE] = "none",
    [ET_ROUTE_HEALTHZ] = "healthz",
    [ET_ROUTE_METRICS] = "metrics",
    [ET_ROUTE_UI_LIST] = "ui_executions",
    [ET_ROUTE_UI_EXEC] = "ui_execution",
    [ET_ROUTE_UI_PROOF] = "ui_execution_proof",
    [ET_ROUTE_UI_AGENTS] = "ui_agents",
    [ET_ROUTE_UI_DAILY] = "ui_report_daily",
    [ET_ROUTE_UI_LEDGER] = "ui_ledger",
    [ET_ROUTE_UI_EVENTS] = "ui_events",
    [ET_ROUTE_UI_ASSET] = "ui_asset",
    [ET_ROUTE_EXEC_LIST] = "executions_query",
    [ET_ROUTE_EXEC_RECORD] = "executions_record",
    [ET_ROUTE_EXEC_GET] = "execution_get",
    [ET_ROUTE_HOOK_CLAUDE] = "hooks_claude_code",
    [ET_ROUTE_OTLP_TRACES] = "otlp_traces",
    [ET_ROUTE_OTLP_LOGS] = "otlp_logs",
    [ET_ROUTE_EXEC_START] = "execution_start",
    [ET_ROUTE_EXEC_DELEGATE] = "execution_delegate",
    [ET_ROUTE_EXEC_ACTIONS] = "execution_actions",
    [ET_ROUTE_EXEC_RESPOND] = "execution_respond",
    [ET_ROUTE_EXEC_COMPLETE] = "execution_complete",
    [ET_ROUTE_EXEC_PROOF] = "execution_proof",
    [ET_ROUTE_EXEC_SIMILAR] = "execution_similar",
    [ET_ROUTE_SEARCH] = "search",
    [ET_ROUTE_REPORT_DAILY] = "report_daily",
    [ET_ROUTE_REPORT_AGENT] = "report_agent",
    [ET_ROUTE_REPORT_AGENTS] = "report_agents",
    [ET_ROUTE_INSIGHTS] = "insights",
    [ET_ROUTE_CHECKPOINT] = "checkpoint",
    [ET_ROUTE_CONSISTENCY] = "proof_consistency",
    [ET_ROUTE_MCP] = "mcp",
    [ET_ROUTE_WITNESS_ADD] = "witness_add_checkpoint",
};

static long long file_size(const char *path, const char *suffix)
{
    char p[PATH_MAX + 8];
    struct stat st;

    snprintf(p, sizeof(p), "%s%s", path, suffix);
    return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

void et__http_metrics(struct et_http_ctx *c)
{
    static const char *const cls[] = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
    struct et_http *h = c->h;
    struct et_buf b = ET_BUF_INIT;
    struct et_error err = ET_ERROR_INIT;
    uint64_t size = 0, cum = 0;
    unsigned slot;
    int rc = 0, src;
    size_t len = 0;

    slot = pool_get(h);
    src = et_trail_size(h->handles[slot], &size, &err);
    pool_put(h, slot);
    rc |= et_buf_printf(&b,
                        "# HELP exectrail_events_ingested_total Ledger events "
                        "appended by accepted requests.\n"
                        "# TYPE exectrail_events_ingested_total counter\n"
                        "exectrail_events_ingested_total %llu\n",
                        (unsigned long long)atomic_load(&h->events_ingested));
    rc |= et_buf_printf(
        &b,
        "# HELP exectrail_requests_rejected_total Requests refused as bad "
        "input (400, 413, 415); nothing of them was stored.\n"
        "# TYPE exectrail_requests_rejected_total counter\n"
        "exectrail_requests_rejected_total %llu\n",
        (unsigned long long)atomic_load(&h->requests_rejected));
    rc |= et_buf_printf(
        &b,
        "# HELP exectrail_group_commits_total Durable commits of the "
        "writer thread, each holding one group of write requests.\n"
        "# TYPE exectrail_group_commits_total counter\n"
        "exectrail_group_commits_total %llu\n"
        "# HELP exectrail_group_commit_writes_total Write requests "
        "acknowledged after a group commit.\n"
        "# TYPE exectrail_group_commit_writes_total counter\n"
        "exectrail_group_commit_writes_total %llu\n"
        "# HELP exectrail_group_commit_failures_total Groups that could "
        "not commit: their writes were answered 503 (hook inputs spooled).\n"
        "# TYPE exectrail_group_commit_failures_total counter\n"
        "exectrail_group_commit_failures_total %llu\n"
        "# HELP exectrail_write_queue Write requests waiting for the "
        "writer thread.\n"
        "# TYPE exectrail_write_queue gauge\n"
        "exectrail_write_queue %u\n",
        (unsigned long long)atomic_load(&h->group_commits),
        (unsigned long long)atomic_load(&h->group_writes),
        (unsigned long long)atomic_load(&h->group_failures),
        et__http_write_queue(h));
    rc |= et_buf_printf(
        &b,
        "# HELP exectrail_hooks_spooled_total Claude Code hook inputs the "
        "store could not take at once, kept in the spool for replay.\n"
        "# TYPE exectrail_hooks_spooled_total counter\n"
        "exectrail_hooks_spooled_total %llu\n",
        (unsigned long long)atomic_load(&c->h->hooks_spooled));
    rc |= et_buf_addstr(&b, "# HELP exectrail_http_requests_total Requests "
                            "answered, by route and status class.\n"
                            "# TYPE exectrail_http_requests_total counter\n");
    for (int r = 0; r < ET_ROUTE_COUNT_; r++)
        for (int k = 1; k <= 5; k++) {
            uint64_t n = atomic_load(&h->requests[r][k]);
            if (n)
                rc |= et_buf_printf(&b,
                                    "exectrail_http_requests_total{route=\"%s"
                                    "\",code=\"%s\"} %llu\n",
                                    route_names[r] ? route_names[r] : "none",
                                    cls[k], (unsigned long long)n);
        }
    rc |=
        et_buf_addstr(&b, "# HELP exectrail_http_request_duration_seconds Time "
                          "to answer a request once its body is read.\n"
                          "# TYPE exectrail_http_request_duration_seconds "
                          "histogram\n");
    for (int k = 0; k <= ET_HTTP_N_BUCKETS; k++) {
        cum += atomic_load(&h->latency[k]);
        if (k < ET_HTTP_N_BUCKETS)
            rc |= et_buf_printf(&b,
                                "exectrail_http_request_duration_seconds_"
                                "bucket{le=\"%g\"} %llu\n",
                                bucket_s[k], (unsigned long long)cum);
        else
            rc |= et_buf_printf(&b,
                                "exectrail_http_request_duration_seconds_"
                                "bucket{le=\"+Inf\"} %llu\n",
                                (unsigned long long)cum);
    }
    rc |= et_buf_printf(&b,
                        "exectrail_http_request_duration_seconds_sum %.6f\n"
                        "exectrail_http_request_duration_seconds_count %llu\n",
                        (double)atomic_load(&h->latency_sum_us) / 1e6,
                        (unsigned long long)cum);
    if (src == 0)
        rc |= et_buf_printf(&b,
                            "# HELP exectrail_store_events Events in the "
                            "ledger.\n# TYPE exectrail_store_events gauge\n"
                            "exectrail_store_events %llu\n",
                            (unsigned long long)size);
    rc |= et_buf_printf(&b,
                        "# HELP exectrail_store_bytes Size of the store files "
                        "(database and write-ahead log).\n"
                        "# TYPE exectrail_store_bytes gauge\n"
                        "exectrail_store_bytes %lld\n"
                        "# HELP exectrail_uptime_seconds Seconds since the "
                        "server started.\n"
                        "# TYPE exectrail_uptime_seconds gauge\n"
                        "exectrail_uptime_seconds %.3f\n",
                        file_size(h->db, "") + file_size(h->db, "-wal"),
                        (double)(et_time_now_ns() - h->started_ns) / 1e9);
    if (rc) {
        et_buf_release(&b);
        et__http_reply_err(c, 500, "internal", "out of memory", NULL, -1);
        return;
    }
    {
        char *p = et_buf_detach(&b, &len);
        et__http_reply_owned(c, 200, "text/plain; version=0.0.4", p, len);
    }
}
