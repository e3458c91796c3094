/* SPDX-License-Identifier: MIT */
/*
 * The query API (include/exectrail/query.h): compile = lex -> parse ->
 * check; running, explaining and matching go through the compiler
 * (compile.c) to the store.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "exectrail/query.h"
#include "query/compile.h"
#include "query/query_int.h"
#include "query/snippet.h"
#include "trail/trail_int.h"

int et_query_parse(const char *text, size_t len, int64_t now_ns,
                   struct et_query **out, struct et_error *err)
{
    struct et_query *q;
    struct et_token *toks = NULL;
    size_t n = 0;
    int rc;

    *out = NULL;
    if (!text && len)
        return et_error_set(err, ET_EINVAL, "query text is NULL");
    q = et__calloc(1, sizeof(*q));
    if (!q)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    q->limit = -1;
    q->now_ns = now_ns ? now_ns : et_time_now_ns();
    q->len = len;
    q->text = et__qstrndup(q, text ? text : "", len);
    if (!q->text) {
        et_query_free(q);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (memchr(q->text, '\0', len)) {
        et_query_free(q);
        return et_error_set(
            err, ET_EINPUT, "NUL byte at column %d",
            et__query_column(
                text, (size_t)((const char *)memchr(text, '\0', len) - text)));
    }
    rc = et__query_lex(q, &toks, &n, err);
    if (!rc)
        rc = et__query_parse(q, toks, n, err);
    if (!rc)
        rc = et__query_check(q, err);
    if (rc) {
        et_query_free(q);
        return rc;
    }
    *out = q;
    return ET_OK;
}

void et_query_free(struct et_query *q)
{
    if (!q)
        return;
    et__qarena_free(q);
    et__free(q);
}

int et_query_describe(const struct et_query *q, char **text_out,
                      struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    int rc = et__query_dump(q, &b);

    *text_out = NULL;
    if (rc) {
        et_buf_release(&b);
        return et_error_set(err, rc, "cannot describe the query");
    }
    *text_out = et_buf_detach(&b, NULL);
    return ET_OK;
}

static void run_opts(struct et_qrun *run, size_t limit)
{
    run->limit =
        limit ? (int64_t)(limit > (size_t)INT64_MAX ? (size_t)INT64_MAX : limit)
              : -1;
    run->only_id = NULL;
    run->ids_only = false;
}

int et_query_run(struct et_trail *t, const struct et_query *q, size_t limit,
                 et_exec_fn *fn, void *ctx, struct et_error *err)
{
    struct et__summary_cb rc = {fn, ctx};
    struct et_qrun run;

    run_opts(&run, limit);
    return et__query_store_run(t->st, q, &run, et__summary_row, &rc, err);
}

struct ids {
    char (*v)[37];
    size_t n, cap;
};

static int collect_id(void *ctx, const struct et_exec_row *r)
{
    struct ids *ids = ctx;

    if (ids->n == ids->cap) {
        size_t cap = ids->cap ? ids->cap * 2 : 64;
        char(*nv)[37] = et__realloc(ids->v, cap * sizeof(*nv));

        if (!nv)
            return ET_ENOMEM;
        ids->v = nv;
        ids->cap = cap;
    }
    snprintf(ids->v[ids->n++], 37, "%s",
             r->execution_id ? r->execution_id : "");
    return 0;
}

struct id_ctx {
    et_id_fn *fn;
    void *ctx;
};

static int id_row(void *ctx, const struct et_exec_row *r)
{
    struct id_ctx *ic = ctx;

    return ic->fn(ic->ctx, r->execution_id ? r->execution_id : "");
}

int et_query_ids(struct et_trail *t, const struct et_query *q, size_t limit,
                 et_id_fn *fn, void *ctx, struct et_error *err)
{
    struct id_ctx ic = {fn, ctx};
    struct et_qrun run;

    run_opts(&run, limit);
    run.ids_only = true;
    return et__query_store_run(t->st, q, &run, id_row, &ic, err);
}

int et_query_records(struct et_trail *t, const struct et_query *q, size_t limit,
                     unsigned flags, et_record_fn *fn, void *ctx,
                     struct et_error *err)
{
    struct ids ids = {NULL, 0, 0};
    struct et_qrun run;
    int rc;

    run_opts(&run, limit);
    run.ids_only = true;
    rc = et__query_store_run(t->st, q, &run, collect_id, &ids, err);
    if (rc == ET_ENOMEM)
        et_error_set(err, rc, "out of memory");
    /* the ids first, then each record: a record read is its own
     * transaction and must not overlap the query's statement */
    for (size_t i = 0; !rc && i < ids.n; i++) {
        char *json = NULL;
        size_t len = 0;

        rc = et_trail_show(t, ids.v[i], flags, &json, &len, err);
        if (rc == ET_ENOTFOUND) {
            rc = ET_OK; /* removed meanwhile (rebuild, retention) */
            continue;
        }
        if (!rc)
            rc = fn(ctx, json, len);
        et_trail_free_string(json);
    }
    et__free(ids.v);
    return rc;
}

static int found_row(void *ctx, const struct et_exec_row *r)
{
    ET_UNUSED(r);
    *(bool *)ctx = true;
    return 0;
}

int et_query_match(struct et_trail *t, const struct et_query *q, const char *id,
                   bool *match_out, struct et_error *err)
{
    struct et_qrun run = {1, id, true};
    struct et_query bare;
    bool exists = false;
    int rc;

    *match_out = false;
    if (q) {
        bare = *q; /* ORDER BY and LIMIT do not apply to one execution */
        bare.n_order = 0;
        bare.limit = -1;
    }
    rc = et__query_store_run(t->st, q ? &bare : NULL, &run, found_row,
                             match_out, err);
    if (rc || *match_out)
        return rc;
    rc = et__query_store_run(t->st, NULL, &run, found_row, &exists, err);
    if (!rc && !exists)
        rc = et_error_set(err, ET_ENOTFOUND, "no execution %s", id);
    return rc;
}

int et_query_explain(struct et_trail *t, const struct et_query *q, size_t limit,
                     char **text_out, struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    struct et_qrun run;
    int rc;

    *text_out = NULL;
    run_opts(&run, limit);
    rc = et_buf_addstr(&b, "query: ");
    if (!rc)
        rc = et__query_dump(q, &b);
    if (!rc)
        rc = et_buf_addch(&b, '\n');
    if (rc) {
        et_buf_release(&b);
        return et_error_set(err, rc, "out of memory");
    }
    rc = et__query_store_explain(t->st, q, &run, &b, err);
    if (rc) {
        et_buf_release(&b);
        return rc;
    }
    *text_out = et_buf_detach(&b, NULL);
    return ET_OK;
}

/* ---- full-text search ---- */

struct snip {
    uint64_t seq;
    int score;
    char *text; /* the snippet, marked */
};

struct search_ctx {
    struct et_trail *t;
    const struct et_search_opts *o;
    struct et_snip_terms terms;
    et_search_fn *fn;
    void *ctx;
    struct snip *best; /* the execution's best snippets, max_snippets */
    size_t n_best, max_best;
    uint64_t first_seq;
    struct et_buf buf;
    char *fallback; /* the first event's snippet, when none has every word */
    struct et_error *err;
};

static void drop_snips(struct search_ctx *sc)
{
    for (size_t i = 0; i < sc->n_best; i++)
        et__free(sc->best[i].text);
    sc->n_best = 0;
    et__free(sc->fallback);
    sc->fallback = NULL;
}

/* Keep the event if it is among the best so far (score, then seq). */
static int consider_text(void *ctx, uint64_t seq, const char *text, size_t len)
{
    struct search_ctx *sc = ctx;
    int score = et__snip_score(&sc->terms, text, len);
    size_t at;
    int rc;

    if (!sc->fallback && !sc->n_best) {
        /* the first event's text, in case no event has every word */
        rc = et__snip_make(&sc->terms, text, len, sc->o->mark_open,
                           sc->o->mark_close, &sc->buf);
        if (rc)
            return rc;
        sc->fallback = et_buf_detach(&sc->buf, NULL);
        sc->first_seq = seq;
    }
    if (score < 0)
        return 0;
    at = sc->n_best;
    while (at > 0 && sc->best[at - 1].score < score)
        at--;
    if (at >= sc->max_best)
        return 0;
    rc = et__snip_make(&sc->terms, text, len, sc->o->mark_open,
                       sc->o->mark_close, &sc->buf);
    if (rc)
        return rc;
    if (sc->n_best == sc->max_best)
        et__free(sc->best[--sc->n_best].text);
    memmove(&sc->best[at + 1], &sc->best[at],
            (sc->n_best - at) * sizeof(*sc->best));
    sc->best[at].seq = seq;
    sc->best[at].score = score;
    sc->best[at].text = et_buf_detach(&sc->buf, NULL);
    sc->n_best++;
    return 0;
}

static int search_hit(void *ctx, const struct et_store_hit *h)
{
    struct search_ctx *sc = ctx;
    struct et_search_hit hit;
    int rc;

    drop_snips(sc);
    rc = et_store_exec_texts(sc->t->st, h->execution_id, consider_text, sc,
                             sc->err);
    if (rc)
        return rc;
    hit.execution_id = h->execution_id;
    hit.agent_name = h->agent_name;
    hit.score = h->score;
    hit.n_events = h->n_events;
    if (sc->n_best == 0) {
        hit.seq = sc->first_seq;
        hit.snippet = sc->fallback ? sc->fallback : "";
        return sc->fn(sc->ctx, &hit);
    }
    for (size_t i = 0; !rc && i < sc->n_best; i++) {
        hit.seq = sc->best[i].seq;
        hit.snippet = sc->best[i].text;
        rc = sc->fn(sc->ctx, &hit);
    }
    return rc;
}

int et_search(struct et_trail *t, const char *words, size_t len,
              const struct et_search_opts *o, et_search_fn *fn, void *ctx,
              struct et_error *err)
{
    struct et_search_opts opts = {20, 3, "[", "]", 0};
    struct search_ctx sc;
    struct et_store_search s;
    int rc;

    if (len > ET_QUERY_MAX_TEXT)
        return et_error_set(err, ET_EINPUT,
                            "search text is longer than %d bytes",
                            ET_QUERY_MAX_TEXT);
    if (o) {
        opts.max_executions = o->max_executions ? o->max_executions : 20;
        opts.max_snippets = o->max_snippets ? o->max_snippets : 3;
        opts.mark_open = o->mark_open ? o->mark_open : "[";
        opts.mark_close = o->mark_close ? o->mark_close : "]";
        opts.max_events = o->max_events;
    }
    if (opts.max_snippets > 100)
        opts.max_snippets = 100;
    memset(&sc, 0, sizeof(sc));
    sc.t = t;
    sc.o = &opts;
    sc.fn = fn;
    sc.ctx = ctx;
    sc.err = err;
    sc.max_best = opts.max_snippets;
    sc.best = et__calloc(sc.max_best, sizeof(*sc.best));
    if (!sc.best)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et__snip_terms(&sc.terms, words, len);
    s.words = words;
    s.len = len;
    s.max_execs = opts.max_executions;
    s.max_events = opts.max_events ? opts.max_events : 50000;
    rc = et_store_search(t->st, &s, search_hit, &sc, err);
    if (rc == ET_ENOMEM || rc == ET_ETOOBIG)
        et_error_set(err, rc, "out of memory making snippets");
    drop_snips(&sc);
    et__free(sc.best);
    et_buf_release(&sc.buf);
    return rc;
}

/* ---- following the ledger ---- */

int et_trail_size(struct et_trail *t, uint64_t *size_out, struct et_error *err)
{
    struct et_tree tree;
    int rc;

    /*
     * In a read transaction of its own: beginning one ends a row still on
     * loan from an earlier read (sqlite.c, sq_begin), which would otherwise
     * keep this long-lived handle (exectrail serve, watch) on an old
     * snapshot, blind to what other writers appended since.
     */
    *size_out = 0;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_head_load(t->st, &tree, err);
    et_store_rollback(t->st);
    if (!rc)
        *size_out = tree.size;
    return rc;
}

struct follow_ctx {
    struct ev_copy *pending;
    size_t n_pending, cap_pending;
};

/* Events are collected first: matching an execution reads the store, which
 * must not happen while the ledger is being read. */
struct ev_copy {
    uint64_t seq;
    char *type;
    char *execution_id;
    int64_t ts_ns;
    char *json;
    size_t json_len;
};

static void ev_free(struct ev_copy *e)
{
    et__free(e->type);
    et__free(e->execution_id);
    et__free(e->json);
}

static int collect_event(void *ctx, const struct et_event_row *row)
{
    struct follow_ctx *fc = ctx;
    struct ev_copy *e;

    if (fc->n_pending == fc->cap_pending) {
        size_t cap = fc->cap_pending ? fc->cap_pending * 2 : 64;
        struct ev_copy *nv = et__realloc(fc->pending, cap * sizeof(*nv));

        if (!nv)
            return ET_ENOMEM;
        fc->pending = nv;
        fc->cap_pending = cap;
    }
    e = &fc->pending[fc->n_pending];
    memset(e, 0, sizeof(*e));
    e->seq = row->seq;
    e->ts_ns = row->ts_ns;
    e->type = et__strdup(row->type ? row->type : "");
    e->execution_id = row->execution_id ? et__strdup(row->execution_id) : NULL;
    e->json = row->body ? et__strndup(row->body, row->body_len) : NULL;
    e->json_len = row->body ? row->body_len : 0;
    fc->n_pending++;
    if (!e->type || (row->execution_id && !e->execution_id) ||
        (row->body && !e->json))
        return ET_ENOMEM;
    return 0;
}

/* At most this many events per call, so memory stays bounded. */
#define FOLLOW_BATCH 1000

int et_query_follow(struct et_trail *t, const struct et_query *filter,
                    uint64_t from, et_event_fn *fn, void *ctx,
                    uint64_t *next_out, struct et_error *err)
{
    struct follow_ctx fc;
    char last_id[37] = "";
    bool last_match = false;
    uint64_t size;
    int rc;

    memset(&fc, 0, sizeof(fc));
    *next_out = from;
    rc = et_trail_size(t, &size, err);
    if (rc || size <= from)
        return rc;
    if (size - from > FOLLOW_BATCH)
        size = from + FOLLOW_BATCH;
    rc = et_store_read_range(t->st, from, size, collect_event, &fc, err);
    if (rc == ET_ENOMEM)
        et_error_set(err, rc, "out of memory");
    for (size_t i = 0; !rc && i < fc.n_pending; i++) {
        struct ev_copy *e = &fc.pending[i];
        struct et_event ev = {e->seq,   e->type, e->execution_id,
                              e->ts_ns, e->json, e->json_len};
        bool match = true;

        if (!e->execution_id)
            continue;
        /* the verdict for the last execution seen is reused: events of
         * one execution usually come together */
        if (filter && strcmp(last_id, e->execution_id) != 0) {
            rc = et_query_match(t, filter, e->execution_id, &last_match, err);
            if (rc == ET_ENOTFOUND) {
                rc = ET_OK;
                last_match = false;
            }
            snprintf(last_id, sizeof(last_id), "%s", e->execution_id);
        }
        if (filter)
            match = last_match;
        if (!rc && match)
            rc = fn(ctx, &ev);
        if (!rc)
            *next_out = e->seq + 1;
    }
    if (!rc && fc.n_pending)
        *next_out = fc.pending[fc.n_pending - 1].seq + 1;
    for (size_t i = 0; i < fc.n_pending; i++)
        ev_free(&fc.pending[i]);
    et__free(fc.pending);
    return rc;
}
