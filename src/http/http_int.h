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
#include "exectrail/witness.h"
#include "http/route.h"
#include "http/token.h"

/* request latency histogram bounds, seconds (docs/API.md, "Metrics") */
#define ET_HTTP_N_BUCKETS 14

/* A group commit closes once it holds this many writes or request bytes
 * (or has been open et_http_opts.group_max_ms; docs/API.md, "Group
 * commit"). */
#define ET_HTTP_GROUP_MAX_WRITES 1024
#define ET_HTTP_GROUP_MAX_BYTES  ((size_t)32 << 20)

struct et__http_job;

/* The writer thread and its queue (commit.c). */
struct et__http_writer {
    struct et_trail *t; /* its own handle: reads never share it */
    pthread_t thread;
    bool has_thread;
    bool is_init;           /* mu and the conditions exist */
    pthread_mutex_t mu;     /* guards what follows, up to the writer's own */
    pthread_cond_t cv;      /* a job was queued, or stop */
    pthread_cond_t done_cv; /* a waited-for job is done; n_suspended fell */
    struct et__http_job *head, **tail;
    unsigned n_queued;    /* jobs in that queue */
    unsigned n_suspended; /* answers promised through a waiter */
    bool is_quiesced;     /* et_http_quiesce: no more suspending */
    bool stop;            /* et_http_free: end once the queue is empty */
    /* the writer thread's own: the open group */
    bool is_open;
    struct et__http_job *group, **group_tail; /* its acknowledged writes */
    size_t n_writes, n_bytes;
    int64_t opened_ns;
    int64_t max_open_ns; /* et_http_opts.group_max_ms */
};

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
    struct et__http_writer w;  /* every write runs there (commit.c) */
    pthread_mutex_t report_mu; /* reports may set TZ */

    pthread_mutex_t token_mu;
    char token_path[PATH_MAX];
    struct et_token_set tokens;

    struct et_witness *witness; /* NULL unless et_http_opts.witness_dir */

    /* metrics */
    atomic_uint_fast64_t requests[ET_ROUTE_COUNT_][6]; /* by status/100 */
    atomic_uint_fast64_t events_ingested;
    atomic_uint_fast64_t requests_rejected;
    atomic_uint_fast64_t hooks_spooled; /* hook inputs spooled (store busy) */
    atomic_uint_fast64_t latency[ET_HTTP_N_BUCKETS + 1];
    atomic_uint_fast64_t latency_sum_us;
    atomic_uint_fast64_t group_commits;  /* durable group commits */
    atomic_uint_fast64_t group_writes;   /* write requests they carried */
    atomic_uint_fast64_t group_failures; /* groups that did not commit */
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
    int ui_token;    /* a page's token came as ?token= (1), a cookie (2) */
    bool is_spooled; /* the answer is a hook input kept in the spool: it
                      * does not depend on the group commit */
    /* what et__http_prepare made of a write's body on the thread that
     * received it, freed with pre_free once the write is answered */
    void *pre;
    void (*pre_free)(void *pre);
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
/* The part of a write that needs no trail (decoding an OTLP body), done
 * on the receiving thread before the write is queued, so that the writer
 * thread, which every write waits for, does only what needs it. */
void et__http_prepare(struct et_http_ctx *c);
/*
 * Run the handler fn for c as one request (base/alloc.h's fault injection
 * scope; on the thread that runs it): when a json-c allocation failed
 * meanwhile (codec/json.h, et__json_oom_count), the answer is replaced by
 * 500 {"error":{"code":"internal","message":"out of memory"}} unless it
 * was a 5xx already, a spooled hook input (is_spooled) or the MCP
 * endpoint's (its JSON-RPC error is -32603).
 */
void et__http_run(struct et_http_ctx *c, et__http_handler *fn);
/* the handler of a route, and whether it writes */
et__http_handler *et__http_handler_for(enum et_http_route_id id,
                                       bool *is_write);
/* A write route that may join a group commit (its handler makes only
 * write calls); false for the others, which run alone (checkpoints,
 * proofs, MCP), and for a hook input while inputs wait in the spool (the
 * replay commits each as it goes). */
bool et__http_may_group(const struct et_http_ctx *c);
/* The answer of a write that joined a group commit that did not happen
 * (err says why): a hook input goes to the spool (202), the others are
 * 503 with Retry-After. */
void et__http_unstored(struct et_http_ctx *c, const struct et_error *err);

/* ---- the writer thread (commit.c) ---- */
int et__http_writer_start(struct et_http *h, struct et_error *err);
void et__http_writer_stop(struct et_http *h);
/* writes waiting for the writer thread (for /metrics) */
unsigned et__http_write_queue(struct et_http *h);
/* Run c's write handler fn on the writer thread (in a group when is_group):
 * 1 when it will be answered through waiter w (w->suspend was called), 0
 * when it is answered and accounted for. */
int et__http_write(struct et_http_ctx *c, et__http_handler *fn, bool is_group,
                   int64_t t0_ns, const struct et_http_waiter *w);
/* Fill the 500 of a handler that made no answer, count the request's
 * events and its latency since t0_ns (http.c). */
void et__http_finish(struct et_http_ctx *c, int64_t t0_ns);

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
