/* SPDX-License-Identifier: MIT */
/*
 * The REST handlers of the HTTP API (docs/API.md): each maps a route onto
 * the public library functions the CLI commands call, so the server adds
 * no logic of its own: it only decodes arguments and encodes answers.
 */
#include "base/setup.h"
#include "http/http_int.h"

#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/analysis.h"
#include "exectrail/ingest.h"
#include "exectrail/otlp.h"
#include "exectrail/query.h"
#include "exectrail/report.h"
#include "http/dash_int.h"
#include "http/params.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX     1000

/*
 * The members of the answers. A failed allocation is not checked here:
 * the request's boundary sees it (et__json_oom_count, et__http_run) and
 * answers 500 instead of a body with a member missing; a value that could
 * not be added is freed.
 */
static void jput(struct json_object *o, const char *k, struct json_object *v)
{
    if (et__jadd(o, k, v))
        json_object_put(v);
}

static void jstr(struct json_object *o, const char *k, const char *v)
{
    jput(o, k, v ? et__jnew_string(v) : NULL);
}

static void jint(struct json_object *o, const char *k, int64_t v)
{
    jput(o, k, et__jnew_int64(v));
}

static void jappend(struct json_object *a, struct json_object *v)
{
    if (et__jappend(a, v))
        json_object_put(v);
}

static void jtime(struct json_object *o, const char *k, int64_t ns)
{
    char ts[ET_RFC3339_MAX];

    if (!ns) {
        jput(o, k, NULL);
        return;
    }
    et_time_format(ns, ts);
    jstr(o, k, ts);
}

/* the body must be there for a write */
static int need_body(struct et_http_ctx *c)
{
    if (c->req->body && c->req->body_len)
        return 0;
    et__http_reply_err(c, 400, "invalid_input",
                       "body: expected a JSON document, got nothing", "body",
                       -1);
    return -1;
}

/* refuse query parameters a route does not take */
static int known_args(struct et_http_ctx *c, const char *const *known)
{
    size_t bad = 0;
    bool unknown = false;
    char msg[160];

    if (et__http_params_check(c->query, c->query_len, known, &bad, &unknown) ==
        0)
        return 0;
    snprintf(msg, sizeof(msg),
             unknown ? "unknown query parameter at byte %zu of the query "
                       "string"
                     : "malformed query string at byte %zu (a bad %%-escape, "
                       "NUL or over-long value)",
             bad);
    et__http_reply_err(c, 400, "invalid_input", msg, "query", (long long)bad);
    return -1;
}

static const char *const no_args[] = {NULL};

/* ---- health ---- */

static void h_healthz(struct et_http_ctx *c)
{
    struct json_object *o = et__jnew_object();

    jstr(o, "status", "ok");
    jstr(o, "version", et_version());
    et__http_reply_obj(c, 200, o);
}

/* ---- writing ---- */

static void reply_id(struct et_http_ctx *c, int status, const char *id)
{
    struct json_object *o = et__jnew_object();

    jstr(o, "execution_id", id);
    et__http_reply_obj(c, status, o);
}

static void h_record(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    char id[37] = "";

    if (known_args(c, no_args) || need_body(c))
        return;
    if (et_trail_record(c->t, c->req->body, c->req->body_len, id, &err)) {
        et__http_reply_lib(c, &err);
        return;
    }
    c->events = 1;
    reply_id(c, 201, id);
}

static void h_start(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    char id[37] = "";

    if (known_args(c, no_args) || need_body(c))
        return;
    if (et_trail_start(c->t, c->req->body, c->req->body_len, id, &err)) {
        et__http_reply_lib(c, &err);
        return;
    }
    c->events = 1;
    reply_id(c, 201, id);
}

typedef int phase_fn(struct et_trail *t, const char *id, const char *json,
                     size_t len, struct et_error *err);

static void phase(struct et_http_ctx *c, phase_fn *fn)
{
    struct et_error err = ET_ERROR_INIT;

    if (known_args(c, no_args) || need_body(c))
        return;
    if (fn(c->t, c->route.param, c->req->body, c->req->body_len, &err)) {
        et__http_reply_lib(c, &err);
        return;
    }
    c->events = 1;
    reply_id(c, 200, c->route.param);
}

static void h_delegate(struct et_http_ctx *c)
{
    phase(c, et_trail_delegate);
}

static void h_respond(struct et_http_ctx *c)
{
    phase(c, et_trail_respond);
}

static void h_complete(struct et_http_ctx *c)
{
    phase(c, et_trail_complete);
}

/*
 * The library names a bad action "action N: execution.actions_taken[].F":
 * answer the field as a path into the request body, "[N-1].F" for an
 * array, "F" for one object.
 */
static void reply_action_error(struct et_http_ctx *c,
                               const struct et_error *err)
{
    static const char pre[] = "execution.actions_taken[].";
    const char *m = err->msg, *p;
    char field[128], *end = NULL;
    unsigned long n;
    bool is_array = false;

    for (size_t i = 0; i < c->req->body_len; i++) {
        char ch = c->req->body[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        is_array = ch == '[';
        break;
    }
    if (err->code != ET_EINPUT || strncmp(m, "action ", 7) != 0) {
        et__http_reply_lib(c, err);
        return;
    }
    n = strtoul(m + 7, &end, 10);
    p = end;
    if (n == 0 || strncmp(p, ": ", 2) != 0 ||
        strncmp(p + 2, pre, sizeof(pre) - 1) != 0) {
        et__http_reply_lib(c, err);
        return;
    }
    p += 2 + sizeof(pre) - 1;
    if (is_array)
        snprintf(field, sizeof(field), "[%lu].%.*s", n - 1,
                 (int)strcspn(p, ":"), p);
    else
        snprintf(field, sizeof(field), "%.*s", (int)strcspn(p, ":"), p);
    et__http_reply_err(c, 400, "invalid_input", m, field, -1);
}

static void h_actions(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *o;
    uint64_t n = 0;

    if (known_args(c, no_args) || need_body(c))
        return;
    if (et_trail_action(c->t, c->route.param, c->req->body, c->req->body_len,
                        &n, &err)) {
        reply_action_error(c, &err);
        return;
    }
    c->events = n;
    o = et__jnew_object();
    jstr(o, "execution_id", c->route.param);
    jint(o, "recorded", (int64_t)n);
    et__http_reply_obj(c, 200, o);
}

/* The store did not take a hook input (busy past the timeout, unavailable,
 * an I/O error): it waits in the data directory's spool, as the CLI hook's
 * do, and the next hook input (HTTP or CLI) or `spool replay` records it. 0
 * when spooled. */
static int hook_spool(struct et_http_ctx *c, const char *dir)
{
    struct et_error err = ET_ERROR_INIT;

    if (!dir[0] ||
        et_ingest_spool_append(dir, c->req->body, c->req->body_len, &err))
        return -1;
    atomic_fetch_add(&c->h->hooks_spooled, 1);
    /* 2xx: Claude Code goes on; the body is hook output that changes
     * nothing in the agent's run */
    et__http_reply(c, 202, "application/json", "{}\n", 3);
    c->events = 0;
    c->is_spooled = true;
    return 0;
}

static bool store_failure(int rc)
{
    return rc == ET_EBUSY || rc == ET_EUNAVAIL || rc == ET_EIO;
}

static void h_hook_claude(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT, derr = ET_ERROR_INIT;
    struct et_hook_result r;
    char dir[PATH_MAX] = "";
    int rc;

    if (known_args(c, no_args) || need_body(c))
        return;
    if (et_ingest_data_dir(c->h->db, dir, sizeof(dir), &derr))
        dir[0] = '\0';
    /* earlier inputs first; when the store refuses them it would refuse
     * this one too: spool it behind them. In a group commit nothing waits
     * in the spool (et__http_may_group): a replay there would empty the
     * spool before its inputs are durable. */
    rc = dir[0] && !et_trail_in_batch(c->t)
             ? et_ingest_spool_replay(c->t, dir, false, NULL, &err)
             : ET_OK;
    if (store_failure(rc) && hook_spool(c, dir) == 0)
        return;
    rc = et_ingest_claude_hook(c->t, c->req->body, c->req->body_len, 0, &r,
                               &err);
    if (store_failure(rc) &&
        et_json_check(c->req->body, c->req->body_len, NULL) == ET_OK &&
        hook_spool(c, dir) == 0)
        return;
    if (rc) {
        et__http_reply_lib(c, &err);
        return;
    }
    c->events = r.n_events;
    /* Claude Code reads the answer of an HTTP hook as hook output: an
     * empty object changes nothing in the agent's run */
    et__http_reply(c, 200, "application/json", "{}\n", 3);
}

static void free_otlp(void *rq)
{
    et_otlp_request_free(rq);
}

void et__http_prepare(struct et_http_ctx *c)
{
    struct et_otlp_request *rq = NULL;

    if (c->route.id != ET_ROUTE_OTLP_TRACES &&
        c->route.id != ET_ROUTE_OTLP_LOGS)
        return;
    /* a failure to decode travels with rq; without rq (no memory) the
     * writer decodes the body itself */
    et__alloc_request_begin();
    (void)et_otlp_decode(c->route.id == ET_ROUTE_OTLP_LOGS ? ET_OTLP_LOGS
                                                         : ET_OTLP_TRACES,
                         c->req->content_type, c->req->content_encoding,
                         c->req->body, c->req->body_len, &rq, NULL);
    et__alloc_request_end();
    c->pre = rq;
    c->pre_free = rq ? free_otlp : NULL;
}

/* POST /v1/traces, /v1/logs: OTLP/HTTP (docs/INTEGRATIONS.md, "OpenTelemetry
 * (OTLP)"); the body arrives as sent (protobuf or JSON, gzip or not) and
 * was decoded by et__http_prepare on the thread that received it. */
static void h_otlp(struct et_http_ctx *c)
{
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    enum et_otlp_signal sig =
        c->route.id == ET_ROUTE_OTLP_LOGS ? ET_OTLP_LOGS : ET_OTLP_TRACES;
    int rc = c->pre ? et_otlp_ingest_request(c->t, c->pre, &r, &err)
                    : et_otlp_ingest(c->t, sig, c->req->content_type,
                                     c->req->content_encoding, c->req->body,
                                     c->req->body_len, &r, &err);
    int status = et_otlp_http_status(rc);
    const char *code = status == 400   ? "bad_request"
                       : status == 413 ? "too_large"
                       : status == 503 ? "unavailable"
                                       : "internal";

    if (rc == ET_OK) {
        c->events += r.events;
        et__http_reply_owned(c, 200, r.response_type, r.response,
                             r.response_len);
        r.response = NULL;
    } else {
        et__http_reply_err(c, status, code, err.msg, NULL, -1);
        if (status == 503)
            c->res->retry_after_s = 1;
    }
    et_otlp_result_release(&r);
}

static void h_checkpoint(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *o;
    char *note = NULL;

    if (known_args(c, no_args))
        return;
    if (et_trail_checkpoint(c->t, &note, &err)) {
        et__http_reply_lib(c, &err);
        return;
    }
    o = et__jnew_object();
    jstr(o, "checkpoint", note);
    jstr(o, "verifier_key", et_trail_verifier_key(c->t));
    et_trail_free_string(note);
    et__http_reply_obj(c, 201, o);
}

/* POST /witness/add-checkpoint: C2SP tlog-witness, in its own plain-text
 * answers (docs/API.md, "Witness") */
static void h_witness_add(struct et_http_ctx *c)
{
    struct et_witness_answer *a;

    if (!c->h->witness) {
        et__http_reply_err(c, 404, "not_found",
                           "this server is not a witness (exectrail serve "
                           "--witness)",
                           NULL, -1);
        return;
    }
    if (known_args(c, no_args))
        return;
    a = et__malloc(sizeof(*a));
    if (!a) {
        et__http_reply(c, 500, "text/plain; charset=utf-8",
                       "out of memory\n", 14);
        return;
    }
    et_witness_add_checkpoint(c->h->witness, c->req->body ? c->req->body : "",
                              c->req->body_len, a);
    et__http_reply(c, a->status, a->type, a->body, strlen(a->body));
    et__free(a);
}

/* ---- reading ---- */

static void reply_text(struct et_http_ctx *c, int rc, struct et_error *err,
                       char *text, const char *type)
{
    if (rc) {
        et__http_reply_lib(c, err);
        return;
    }
    et__http_reply(c, 200, type, text, strlen(text));
    et_trail_free_string(text);
}

static void h_get(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    char *json = NULL;
    size_t len = 0;
    int rc;

    if (known_args(c, no_args))
        return;
    rc = et_trail_show(c->t, c->route.param, 0, &json, &len, &err);
    reply_text(c, rc, &err, json, "application/json");
}

static void h_proof(struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    char *json = NULL;
    int rc;

    if (known_args(c, no_args))
        return;
    rc = et_trail_proof(c->t, c->route.param, &json, &err);
    reply_text(c, rc, &err, json, "application/json");
}

static void h_consistency(struct et_http_ctx *c)
{
    static const char *const args[] = {"old_size", NULL};
    struct et_error err = ET_ERROR_INIT;
    uint64_t m = 0;
    char *json = NULL;
    int r, rc;

    if (known_args(c, args))
        return;
    r = et__http_arg_u64(c, "old_size", 0, 1, UINT64_MAX / 2, &m);
    if (r < 0)
        return;
    if (r == 0) {
        et__http_reply_err(c, 400, "invalid_input",
                           "query parameter old_size: missing", "old_size", -1);
        return;
    }
    rc = et_trail_consistency_proof(c->t, m, &json, &err);
    reply_text(c, rc, &err, json, "application/json");
}

struct page {
    struct json_object *items;
    uint64_t skip, take, seen;
    bool is_records;
    int rc;
};

static int page_summary(void *ctx, const struct et_exec_summary *s)
{
    struct page *p = ctx;
    struct json_object *o;

    if (p->seen++ < p->skip || p->seen > p->skip + p->take)
        return 0;
    o = et__jnew_object();
    jstr(o, "execution_id", s->execution_id);
    jstr(o, "session_id", s->session_id);
    jstr(o, "agent", s->agent_name);
    jstr(o, "state", s->state);
    jstr(o, "verification", s->verification);
    jtime(o, "timestamp_start", s->start_ns);
    if (s->duration_ms >= 0)
        jint(o, "duration_ms", s->duration_ms);
    else
        jput(o, "duration_ms", NULL);
    jint(o, "actions", s->n_actions);
    jint(o, "failed_actions", s->n_failed_actions);
    jappend(p->items, o);
    return 0;
}

static int page_record(void *ctx, const char *json, size_t len)
{
    struct page *p = ctx;
    struct json_object *o = NULL;

    if (p->seen++ < p->skip || p->seen > p->skip + p->take)
        return 0;
    p->rc = et_json_parse(json, len, NULL, &o, NULL);
    if (p->rc)
        return p->rc;
    jappend(p->items, o);
    return 0;
}

static void h_query(struct et_http_ctx *c)
{
    static const char *const args[] = {"q", "limit", "cursor", "view", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    struct page p = {NULL, 0, 0, 0, false, 0};
    struct json_object *o;
    char text[ET_HTTP_VALUE_MAX], view[16], cur[32];
    uint64_t limit;
    int rc;

    if (known_args(c, args) || et__http_arg(c, "q", text, sizeof(text)) < 0 ||
        et__http_arg_u64(c, "limit", PAGE_DEFAULT, 1, PAGE_MAX, &limit) < 0 ||
        et__http_arg(c, "view", view, sizeof(view)) < 0 ||
        et__http_arg(c, "cursor", cur, sizeof(cur)) < 0)
        return;
    if (view[0] && strcmp(view, "summary") != 0 &&
        strcmp(view, "record") != 0) {
        et__http_reply_err(c, 400, "invalid_input",
                           "query parameter view: expected summary or record",
                           "view", -1);
        return;
    }
    if (cur[0]) {
        char *end = NULL;
        errno = 0;
        p.skip = strtoull(cur, &end, 10);
        if (cur[0] < '0' || cur[0] > '9' || *end || errno ||
            p.skip > (1ull << 40)) {
            et__http_reply_err(c, 400, "invalid_input",
                               "query parameter cursor: not a cursor this "
                               "server gave",
                               "cursor", -1);
            return;
        }
    }
    p.take = limit;
    p.is_records = strcmp(view, "record") == 0;
    rc = et_query_parse(text, strlen(text), 0, &q, &err);
    if (rc == ET_ENOMEM) {
        et__http_reply_lib(c, &err); /* 500, not the query's fault */
        return;
    }
    if (rc) {
        char msg[300];
        snprintf(msg, sizeof(msg), "q: %s", err.msg);
        et__http_reply_err(c, 400, "invalid_input", msg, "q", -1);
        return;
    }
    p.items = et__jnew_array();
    if (p.is_records)
        rc = et_query_records(c->t, q, (size_t)(p.skip + p.take + 1), 0,
                              page_record, &p, &err);
    else
        rc = et_query_run(c->t, q, (size_t)(p.skip + p.take + 1), page_summary,
                          &p, &err);
    et_query_free(q);
    if (rc) {
        json_object_put(p.items);
        if (p.rc)
            et_error_set(&err, p.rc, "a stored record is not valid JSON");
        et__http_reply_lib(c, &err);
        return;
    }
    o = et__jnew_object();
    jput(o, "items", p.items);
    if (p.seen > p.skip + p.take) {
        snprintf(cur, sizeof(cur), "%llu",
                 (unsigned long long)(p.skip + p.take));
        jstr(o, "next_cursor", cur);
    } else {
        jput(o, "next_cursor", NULL);
    }
    et__http_reply_obj(c, 200, o);
}

struct hits {
    struct json_object *arr, *cur;
    char last[64];
};

static int on_hit(void *ctx, const struct et_search_hit *h)
{
    struct hits *x = ctx;
    struct json_object *sn, *snips = NULL;

    if (!x->cur || strcmp(x->last, h->execution_id) != 0) {
        x->cur = et__jnew_object();
        jstr(x->cur, "execution_id", h->execution_id);
        jstr(x->cur, "agent", h->agent_name);
        jput(x->cur, "score", et__jnew_double(h->score));
        jint(x->cur, "matching_events", h->n_events);
        jput(x->cur, "snippets", et__jnew_array());
        if (et__jappend(x->arr, x->cur)) {
            json_object_put(x->cur);
            x->cur = NULL; /* the boundary answers 500 */
            return 0;
        }
        snprintf(x->last, sizeof(x->last), "%s", h->execution_id);
    }
    json_object_object_get_ex(x->cur, "snippets", &snips);
    sn = et__jnew_object();
    jint(sn, "seq", (int64_t)h->seq);
    jstr(sn, "text", h->snippet);
    jappend(snips, sn);
    return 0;
}

static void h_search(struct et_http_ctx *c)
{
    static const char *const args[] = {"q", "limit", "snippets", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct et_search_opts so;
    struct hits x = {NULL, NULL, ""};
    struct json_object *o;
    char words[ET_HTTP_VALUE_MAX];
    uint64_t limit, snippets;
    int r;

    if (known_args(c, args) ||
        (r = et__http_arg(c, "q", words, sizeof(words))) < 0 ||
        et__http_arg_u64(c, "limit", 20, 1, 1000, &limit) < 0 ||
        et__http_arg_u64(c, "snippets", 3, 1, 100, &snippets) < 0)
        return;
    if (r == 0) {
        et__http_reply_err(c, 400, "invalid_input",
                           "query parameter q: missing (the words to find)",
                           "q", -1);
        return;
    }
    memset(&so, 0, sizeof(so));
    so.max_executions = (size_t)limit;
    so.max_snippets = (size_t)snippets;
    x.arr = et__jnew_array();
    if (et_search(c->t, words, strlen(words), &so, on_hit, &x, &err)) {
        json_object_put(x.arr);
        if (err.code == ET_EINPUT) {
            char msg[300];
            snprintf(msg, sizeof(msg), "q: %s", err.msg);
            et__http_reply_err(c, 400, "invalid_input", msg, "q", -1);
            return;
        }
        et__http_reply_lib(c, &err);
        return;
    }
    o = et__jnew_object();
    jput(o, "hits", x.arr);
    et__http_reply_obj(c, 200, o);
}

static int on_similar(void *ctx, const struct et_similar_hit *h)
{
    struct json_object *o = et__jnew_object();

    jstr(o, "execution_id", h->execution_id);
    jstr(o, "agent", h->agent_name);
    jstr(o, "verification", h->verification);
    jput(o, "same_agent", et__jnew_boolean(h->is_same_agent));
    jput(o, "score", et__jnew_double(h->score));
    jappend(ctx, o);
    return 0;
}

static void h_similar(struct et_http_ctx *c)
{
    static const char *const args[] = {"limit", NULL};
    struct et_error err = ET_ERROR_INIT;
    struct json_object *arr, *o;
    uint64_t limit;

    if (known_args(c, args) ||
        et__http_arg_u64(c, "limit", 10, 1, 1000, &limit) < 0)
        return;
    arr = et__jnew_array();
    if (et_similar(c->t, c->route.param, (size_t)limit, on_similar, arr,
                   &err)) {
        json_object_put(arr);
        et__http_reply_lib(c, &err);
        return;
    }
    o = et__jnew_object();
    jstr(o, "execution_id", c->route.param);
    jput(o, "similar", arr);
    et__http_reply_obj(c, 200, o);
}

/* "7d", "2w" or "24h" as a negative duration (library convention) */
static int parse_since(const char *s, int64_t *ns_out)
{
    char *end = NULL;
    long long n;
    int64_t unit;

    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    n = strtoll(s, &end, 10);
    if (errno || n < 1 || n > 100000 || end[0] == '\0' || end[1] != '\0')
        return -1;
    unit = end[0] == 'h'   ? 3600
           : end[0] == 'd' ? 86400
           : end[0] == 'w' ? 7 * 86400
                           : 0;
    if (!unit)
        return -1;
    *ns_out = -(int64_t)n * unit * 1000000000LL;
    return 0;
}

static void h_insights(struct et_http_ctx *c)
{
    static const char *const args[] = {"agent", "since", NULL};
    struct et_error err = ET_ERROR_INIT;
    char agent[256], since[32];
    int64_t since_ns = 0;
    char *json = NULL;
    int ra, rc;

    if (known_args(c, args) ||
        (ra = et__http_arg(c, "agent", agent, sizeof(agent))) < 0 ||
        et__http_arg(c, "since", since, sizeof(since)) < 0)
        return;
    if (since[0] && parse_since(since, &since_ns) != 0) {
        et__http_reply_err(c, 400, "invalid_input",
                           "query parameter since: expected N followed by h, "
                           "d or w, like 7d",
                           "since", -1);
        return;
    }
    rc = et_insights(c->t, ra > 0 && agent[0] ? agent : NULL, since_ns, &json,
                     &err);
    reply_text(c, rc, &err, json, "application/json");
}

static const char *const report_types[] = {
    "text/plain; charset=utf-8", "text/markdown; charset=utf-8",
    "application/json", "text/html; charset=utf-8"};

static void report(struct et_http_ctx *c, enum et_report_kind kind)
{
    static const char *const daily_args[] = {"date", "tz", "format", "top",
                                             NULL};
    static const char *const agent_args[] = {"name",   "days", "since", "tz",
                                             "format", "top",  NULL};
    static const char *const fmts[] = {"text", "md", "json", "html"};
    struct et_error err = ET_ERROR_INIT;
    struct et_report_opts o;
    char date[32], tz[64], fmt[16], name[256];
    uint64_t top, days;
    enum et_report_format f = ET_REPORT_JSON;
    char *text = NULL;
    size_t len = 0;
    int rc, rn = 0;

    memset(&o, 0, sizeof(o));
    o.kind = kind;
    if (known_args(c, kind == ET_REPORT_DAILY ? daily_args : agent_args) ||
        et__http_arg(c, "tz", tz, sizeof(tz)) < 0 ||
        et__http_arg(c, "format", fmt, sizeof(fmt)) < 0 ||
        et__http_arg_u64(c, "top", 10, 1, 1000, &top) < 0 ||
        et__http_arg(c, kind == ET_REPORT_DAILY ? "date" : "since", date,
                     sizeof(date)) < 0)
        return;
    if (kind != ET_REPORT_DAILY &&
        (et__http_arg_u64(c, "days", 30, 1, 366, &days) < 0 ||
         (rn = et__http_arg(c, "name", name, sizeof(name))) < 0))
        return;
    if (kind == ET_REPORT_AGENT && (rn == 0 || !name[0])) {
        et__http_reply_err(c, 400, "invalid_input",
                           "query parameter name: missing (the agent)", "name",
                           -1);
        return;
    }
    if (fmt[0]) {
        size_t i = 0;
        while (i < 4 && strcmp(fmt, fmts[i]) != 0)
            i++;
        if (i == 4) {
            et__http_reply_err(c, 400, "invalid_input",
                               "query parameter format: expected text, md, "
                               "json or html",
                               "format", -1);
            return;
        }
        f = (enum et_report_format)i;
    }
    o.date = date[0] ? date : NULL;
    o.tz = tz[0] ? tz : NULL;
    o.top = (size_t)top;
    if (kind != ET_REPORT_DAILY) {
        o.days = (int64_t)days;
        o.agent = kind == ET_REPORT_AGENT ? name : NULL;
    }
    pthread_mutex_lock(&c->h->report_mu);
    rc = et_report(c->t, &o, f, &text, &len, &err);
    pthread_mutex_unlock(&c->h->report_mu);
    if (rc) {
        et__http_reply_lib(c, &err);
        return;
    }
    et__http_reply(c, 200, report_types[f], text, len);
    et_trail_free_string(text);
}

static void h_report_daily(struct et_http_ctx *c)
{
    report(c, ET_REPORT_DAILY);
}

static void h_report_agent(struct et_http_ctx *c)
{
    report(c, ET_REPORT_AGENT);
}

static void h_report_agents(struct et_http_ctx *c)
{
    report(c, ET_REPORT_AGENTS);
}

static void h_metrics(struct et_http_ctx *c)
{
    if (known_args(c, no_args))
        return;
    et__http_metrics(c);
}

static void h_none(struct et_http_ctx *c)
{
    et__http_reply_err(c, 404, "not_found", "no such endpoint", NULL, -1);
}

bool et__http_may_group(const struct et_http_ctx *c)
{
    struct et_error err = ET_ERROR_INIT;
    char dir[PATH_MAX];

    switch (c->route.id) {
    case ET_ROUTE_EXEC_RECORD:
    case ET_ROUTE_EXEC_START:
    case ET_ROUTE_EXEC_DELEGATE:
    case ET_ROUTE_EXEC_ACTIONS:
    case ET_ROUTE_EXEC_RESPOND:
    case ET_ROUTE_EXEC_COMPLETE:
    case ET_ROUTE_OTLP_TRACES:
    case ET_ROUTE_OTLP_LOGS:
        return true;
    case ET_ROUTE_HOOK_CLAUDE:
        return et_ingest_data_dir(c->h->db, dir, sizeof(dir), &err) == ET_OK &&
               !et_ingest_spool_pending(dir);
    default:
        return false;
    }
}

void et__http_unstored(struct et_http_ctx *c, const struct et_error *err)
{
    struct et_error derr = ET_ERROR_INIT;
    char dir[PATH_MAX], msg[400];

    c->events = 0;
    et__free(c->res->headers);
    c->res->headers = NULL;
    /* a hook input is never lost to a failed commit: the spool keeps it
     * (when it is JSON; malformed input is refused as it would be) */
    if (c->route.id == ET_ROUTE_HOOK_CLAUDE &&
        et_json_check(c->req->body, c->req->body_len, NULL) == ET_OK &&
        et_ingest_data_dir(c->h->db, dir, sizeof(dir), &derr) == ET_OK &&
        hook_spool(c, dir) == 0)
        return;
    snprintf(msg, sizeof(msg),
             "the store did not commit this write (%s); it is not "
             "acknowledged: send it again",
             err->msg[0] ? err->msg : et_status_str(err->code));
    et__http_reply_err(c, 503, "unavailable", msg, NULL, -1);
    c->res->retry_after_s = 1;
}

et__http_handler *et__http_handler_for(enum et_http_route_id id, bool *is_write)
{
    *is_write = false;
    switch (id) {
    case ET_ROUTE_HEALTHZ:
        return h_healthz;
    case ET_ROUTE_METRICS:
        return h_metrics;
    case ET_ROUTE_EXEC_LIST:
        return h_query;
    case ET_ROUTE_EXEC_GET:
        return h_get;
    case ET_ROUTE_EXEC_SIMILAR:
        return h_similar;
    case ET_ROUTE_SEARCH:
        return h_search;
    case ET_ROUTE_REPORT_DAILY:
        return h_report_daily;
    case ET_ROUTE_REPORT_AGENT:
        return h_report_agent;
    case ET_ROUTE_REPORT_AGENTS:
        return h_report_agents;
    case ET_ROUTE_INSIGHTS:
        return h_insights;
    case ET_ROUTE_WITNESS_ADD:
        return h_witness_add;
    default:
        break;
    }
    if (et__dash_is_ui(id))
        return et__dash_handler_for(id, is_write);
    *is_write = true;
    switch (id) {
    case ET_ROUTE_OTLP_TRACES:
    case ET_ROUTE_OTLP_LOGS:
        return h_otlp;
    case ET_ROUTE_EXEC_RECORD:
        return h_record;
    case ET_ROUTE_EXEC_START:
        return h_start;
    case ET_ROUTE_EXEC_DELEGATE:
        return h_delegate;
    case ET_ROUTE_EXEC_ACTIONS:
        return h_actions;
    case ET_ROUTE_EXEC_RESPOND:
        return h_respond;
    case ET_ROUTE_EXEC_COMPLETE:
        return h_complete;
    case ET_ROUTE_EXEC_PROOF:
        return h_proof;
    case ET_ROUTE_CONSISTENCY:
        return h_consistency;
    case ET_ROUTE_CHECKPOINT:
        return h_checkpoint;
    case ET_ROUTE_HOOK_CLAUDE:
        return h_hook_claude;
    case ET_ROUTE_MCP:
        return et__http_mcp; /* a tool may write */
    default:
        break;
    }
    *is_write = false;
    return h_none;
}
