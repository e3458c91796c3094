/* SPDX-License-Identifier: MIT */
/*
 * OTLP/HTTP ingest (et_otlp_ingest): content type and gzip, decoding
 * (otlp_decode.c), mapping (otlp_map.c), then one durable write
 * transaction, and the Export*ServiceResponse to send back. The span
 * index and the spans waiting for an ancestor live in the store's meta
 * table under "otlp:" keys, written with the events, so a retried request
 * stores nothing twice.
 */
#include "base/setup.h"

#include <strings.h>
#include <zlib.h>

#include <opentelemetry/proto/collector/logs/v1/logs_service.pb-c.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb-c.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "ingest/otlp_int.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "exectrail/ledger.h"
#include "exectrail/otlp.h"

/* Spans one request may pull from waiting (a list that would pass it
 * stays waiting for a later request), and spans one ancestor may have
 * waiting (past it a span is only its raw event: never lost, not attached
 * when the ancestor comes). Both bound the work a request can cause. */
#define MAX_WAIT_SPANS   100000
#define MAX_WAIT_PER_KEY 10000

static const char ct_pb[] = "application/x-protobuf";
static const char ct_json[] = "application/json";

void et_otlp_result_release(struct et_otlp_result *res)
{
    if (!res)
        return;
    et__free(res->response);
    res->response = NULL;
    res->response_len = 0;
}

int et_otlp_http_status(int rc)
{
    switch (rc) {
    case ET_OK:
        return 200;
    case ET_EINPUT:
        return 400;
    case ET_ETOOBIG:
        return 413;
    case ET_EBUSY:
    case ET_EUNAVAIL:
        return 503;
    default:
        return 500;
    }
}

/* ---- request framing ---- */

/* The media type of a Content-Type header, parameters and case ignored:
 * 1 protobuf, 2 JSON, 0 unsupported. */
static int media_type(const char *ct)
{
    size_t n;

    if (!ct || !*ct)
        return 1;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    n = strcspn(ct, "; \t");
    if ((n == strlen(ct_pb) && !strncasecmp(ct, ct_pb, n)) ||
        (n == 22 && !strncasecmp(ct, "application/protobuf", n)))
        return 1;
    if (n == strlen(ct_json) && !strncasecmp(ct, ct_json, n))
        return 2;
    return 0;
}

static int gunzip(const void *in, size_t len, struct et_buf *out,
                  struct et_error *err)
{
    z_stream zs;
    int zr = Z_OK, rc = ET_OK;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return et_error_set(err, ET_ENOMEM, "gzip: cannot start inflate");
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
    while (zr != Z_STREAM_END) {
        size_t room = out->len < 65536 ? 65536 : out->len;

        if (out->len + room > ET_OTLP_MAX_BODY)
            room = ET_OTLP_MAX_BODY + 1 - out->len;
        if (room == 0 || et_buf_grow(out, room)) {
            rc = out->len >= ET_OTLP_MAX_BODY
                     ? et_error_set(err, ET_ETOOBIG,
                                    "gzip: body inflates past %zu bytes",
                                    (size_t)ET_OTLP_MAX_BODY)
                     : et_error_set(err, ET_ENOMEM, "out of memory");
            break;
        }
        zs.next_out = (Bytef *)out->ptr + out->len;
        zs.avail_out = (uInt)(out->cap - out->len - 1);
        zr = inflate(&zs, Z_NO_FLUSH);
        out->len = (size_t)((char *)zs.next_out - out->ptr);
        if (zr == Z_STREAM_END)
            break;
        if (zr != Z_OK && !(zr == Z_BUF_ERROR && zs.avail_out == 0)) {
            rc = et_error_set(err, ET_EINPUT, "gzip: %s at input byte %lu",
                              zr == Z_BUF_ERROR ? "truncated stream"
                              : zs.msg          ? zs.msg
                                                : "corrupt data",
                              zs.total_in);
            break;
        }
        if (out->len > ET_OTLP_MAX_BODY) {
            rc = et_error_set(err, ET_ETOOBIG,
                              "gzip: body inflates past %zu bytes",
                              (size_t)ET_OTLP_MAX_BODY);
            break;
        }
    }
    if (!rc && zs.avail_in)
        rc = et_error_set(err, ET_EINPUT,
                          "gzip: %u bytes of trailing data after the stream",
                          zs.avail_in);
    inflateEnd(&zs);
    return rc;
}

static int decode(enum et_otlp_signal sig, int media, const char *enc,
                  const void *body, size_t len, struct json_object **items,
                  struct et_error *err)
{
    struct et_buf plain = ET_BUF_INIT;
    int rc;

    if (len > ET_OTLP_MAX_BODY)
        return et_error_set(err, ET_ETOOBIG, "body: %zu bytes, over %zu", len,
                            (size_t)ET_OTLP_MAX_BODY);
    if (enc && *enc && strcasecmp(enc, "identity") != 0) {
        if (strcasecmp(enc, "gzip") != 0)
            return et_error_set(err, ET_EINPUT,
                                "Content-Encoding: unsupported \"%.40s\" "
                                "(gzip or identity)",
                                enc);
        rc = gunzip(body, len, &plain, err);
        if (rc) {
            et_buf_release(&plain);
            return rc;
        }
        body = plain.ptr ? plain.ptr : "";
        len = plain.len;
    }
    rc = media == 2 ? et__otlp_decode_json(sig, body, len, items, err)
                    : et__otlp_decode_pb(sig, body, len, items, err);
    et_buf_release(&plain);
    return rc;
}

/* ---- the response ---- */

static int respond_pb(enum et_otlp_signal sig, struct et_otlp_result *res,
                      struct et_error *err)
{
    Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceResponse tr =
        OPENTELEMETRY__PROTO__COLLECTOR__TRACE__V1__EXPORT_TRACE_SERVICE_RESPONSE__INIT;
    Opentelemetry__Proto__Collector__Trace__V1__ExportTracePartialSuccess tps =
        OPENTELEMETRY__PROTO__COLLECTOR__TRACE__V1__EXPORT_TRACE_PARTIAL_SUCCESS__INIT;
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse lr =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_RESPONSE__INIT;
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsPartialSuccess lps =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_PARTIAL_SUCCESS__INIT;
    size_t n;

    if (res->rejected) {
        tps.rejected_spans = lps.rejected_log_records = (int64_t)res->rejected;
        tps.error_message = lps.error_message = res->message;
        tr.partial_success = &tps;
        lr.partial_success = &lps;
    }
    n = sig == ET_OTLP_LOGS
            ? opentelemetry__proto__collector__logs__v1__export_logs_service_response__get_packed_size(
                  &lr)
            : opentelemetry__proto__collector__trace__v1__export_trace_service_response__get_packed_size(
                  &tr);
    res->response = et__malloc(n + 1);
    if (!res->response)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    res->response_len =
        sig == ET_OTLP_LOGS
            ? opentelemetry__proto__collector__logs__v1__export_logs_service_response__pack(
                  &lr, (uint8_t *)res->response)
            : opentelemetry__proto__collector__trace__v1__export_trace_service_response__pack(
                  &tr, (uint8_t *)res->response);
    res->response_type = ct_pb;
    return ET_OK;
}

static int respond_json(enum et_otlp_signal sig, struct et_otlp_result *res,
                        struct et_error *err)
{
    struct json_object *o = et__jnew_object(), *ps = NULL;
    struct et_buf b = ET_BUF_INIT;
    char n[24];
    int rc = ET_OK;

    if (o && res->rejected) {
        snprintf(n, sizeof(n), "%llu", (unsigned long long)res->rejected);
        ps = et__jnew_object();
        if (ps && !et__jadd(o, "partialSuccess", ps)) {
            et__jadd(ps,
                     sig == ET_OTLP_LOGS ? "rejectedLogRecords"
                                         : "rejectedSpans",
                     et__jnew_string(n));
            et__jadd(ps, "errorMessage", et__jnew_string(res->message));
        } else {
            json_object_put(ps);
            rc = ET_ENOMEM;
        }
    }
    if (!o || rc || et_json_write(o, 0, &b)) {
        json_object_put(o);
        et_buf_release(&b);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    json_object_put(o);
    res->response = et_buf_detach(&b, &res->response_len);
    res->response_type = ct_json;
    return ET_OK;
}

/* ---- the store side ---- */

struct wr {
    struct et_trail *t;
    struct json_object *consumed; /* wait keys read: cleared on commit */
};

/* et__otlp_lookup_fn over the meta table; "" counts as unset. */
static int meta_lookup(void *ctx, const char *key, char **out,
                       struct et_error *err)
{
    struct wr *w = ctx;
    int rc = et_store_meta_get(w->t->st, key, out, err);

    if (rc == ET_ENOTFOUND) {
        *out = NULL;
        return ET_OK;
    }
    if (!rc && *out && !**out) {
        et__free(*out);
        *out = NULL;
    }
    return rc;
}

static int meta_json(struct wr *w, const char *key, struct json_object **out,
                     struct et_error *err)
{
    char *v = NULL;
    int rc = meta_lookup(w, key, &v, err);

    *out = NULL;
    if (!rc && v)
        rc = et_json_parse(v, strlen(v), NULL, out, err);
    et__free(v);
    return rc;
}

/* Drop spans stored by an earlier request; add the spans that waited for
 * the ones that came now (flagged "deferred"). */
static int prepare_spans(struct wr *w, struct json_object *items,
                         struct json_object **fresh_out,
                         struct et_otlp_result *res, struct et_error *err)
{
    struct json_object *fresh = et__jnew_array();
    size_t n = json_object_array_length(items), pulled = 0;
    int rc = ET_OK;

    *fresh_out = NULL;
    if (!fresh)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *s = json_object_array_get_idx(items, i);
        const char *tr = et__jstr(s, "trace_id"), *id = et__jstr(s, "span_id");
        char key[128], *seen = NULL;
        struct json_object *waiting = NULL;

        if (tr && id && strlen(tr) == 32 && strlen(id) == 16) {
            et__otlp_span_key(key, tr, id);
            rc = meta_lookup(w, key, &seen, err);
            if (!rc && seen) {
                et__free(seen);
                res->duplicates++;
                continue;
            }
            snprintf(key, sizeof(key), "otlp:wait:%s:%s", tr, id);
            if (!rc && !et__jget(w->consumed, key))
                rc = meta_json(w, key, &waiting, err);
            if (!rc && waiting &&
                json_object_is_type(waiting, json_type_array) &&
                pulled + json_object_array_length(waiting) <= MAX_WAIT_SPANS) {
                et__jadd(w->consumed, key, et__jnew_boolean(1));
                for (size_t j = 0; j < json_object_array_length(waiting);
                     j++, pulled++) {
                    struct json_object *d =
                        json_object_array_get_idx(waiting, j);

                    et__jadd(d, "deferred", et__jnew_boolean(1));
                    et__jappend(fresh, json_object_get(d));
                }
            }
            json_object_put(waiting);
        }
        if (!rc && et__jappend(fresh, json_object_get(s)))
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (rc)
        json_object_put(fresh);
    else
        *fresh_out = fresh;
    return rc;
}

/* Logs have no ids: a record's key is the hash of its bytes. */
static int log_key(struct json_object *l, char key[128])
{
    struct et_buf b = ET_BUF_INIT;
    uint8_t h[ET_HASH_LEN];
    struct json_object *path = json_object_get(et__jget(l, "path"));
    int rc;

    json_object_object_del(l, "path");
    rc = et_json_canon(l, &b);
    if (path)
        et__jadd(l, "path", path);
    if (rc)
        return rc;
    et_hash_sha256(b.ptr, b.len, h);
    et_buf_release(&b);
    memcpy(key, "otlp:log:", 9);
    for (size_t i = 0; i < 16; i++)
        snprintf(key + 9 + 2 * i, 3, "%02x", h[i]);
    return ET_OK;
}

static int prepare_logs(struct wr *w, struct json_object *items,
                        struct json_object **fresh_out,
                        struct json_object *keys, struct et_otlp_result *res,
                        struct et_error *err)
{
    struct json_object *fresh = et__jnew_array();
    size_t n = json_object_array_length(items);
    int rc = ET_OK;

    *fresh_out = NULL;
    if (!fresh)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *l = json_object_array_get_idx(items, i);
        char key[128], *seen = NULL;

        if (log_key(l, key)) {
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            break;
        }
        rc = meta_lookup(w, key, &seen, err);
        if (!rc && (seen || et__jget(keys, key))) {
            et__free(seen);
            res->duplicates++;
            continue;
        }
        et__jadd(keys, key, et__jnew_string("1"));
        if (!rc && et__jappend(fresh, json_object_get(l)))
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (rc)
        json_object_put(fresh);
    else
        *fresh_out = fresh;
    return rc;
}

static int append(struct wr *w, struct et__otlp_plan *p,
                  struct et_otlp_result *res, struct et_error *err)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < p->n_ev; i++) {
        struct et__otlp_ev *e = &p->ev[i];
        const char *id = e->id[0] ? e->id : NULL;
        uint64_t seq = 0;

        if (!strcmp(e->type, "action.recorded")) {
            int64_t last = 0;

            rc = et_store_action_last(w->t->st, id, &last, err);
            if (!rc)
                et__jadd(e->body, "sequence", et__jnew_int64(last + 1));
        }
        if (!rc)
            rc = et__ingest_event(w->t, e->type, id, e->body, &seq, err);
        if (!rc)
            res->events++;
        if (!rc && !strcmp(e->type, "otlp.log")) {
            unsigned extra = 0;

            rc = et__claude_otel_log(w->t, e->body, seq, &extra, err);
            res->events += extra;
            res->actions += extra;
        }
        if (!rc && !strcmp(e->type, "execution.recorded"))
            rc = et__ingest_completed(w->t, id, "otlp", err);
    }
    return rc;
}

/* The span index, the waiting spans (merged with those already waiting)
 * and the consumed wait lists. */
static int save_state(struct wr *w, struct et__otlp_plan *p,
                      struct json_object *log_keys, struct et_error *err)
{
    int rc = ET_OK;

    json_object_object_foreach(p->index, k, v)
    {
        if (!rc)
            rc = et_store_meta_put(w->t->st, k, json_object_get_string(v), err);
    }
    json_object_object_foreach(log_keys, lk, lv)
    {
        if (!rc)
            rc = et_store_meta_put(w->t->st, lk, json_object_get_string(lv),
                                   err);
    }
    json_object_object_foreach(w->consumed, ck, cv)
    {
        (void)cv;
        if (!rc && !et__jget(p->waits, ck))
            rc = et_store_meta_put(w->t->st, ck, "", err);
    }
    json_object_object_foreach(p->waits, wk, wv)
    {
        struct json_object *old = NULL, *all = et__jnew_array();
        size_t n_old;

        if (!all)
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
        if (!rc && !et__jget(w->consumed, wk))
            rc = meta_json(w, wk, &old, err);
        n_old = old && json_object_is_type(old, json_type_array)
                    ? json_object_array_length(old)
                    : 0;
        /* the oldest stay; newer ones past the bound keep only their raw
         * event */
        for (size_t i = 0; !rc && i < n_old + json_object_array_length(wv) &&
                           i < MAX_WAIT_PER_KEY;
             i++)
            et__jappend(all,
                        json_object_get(json_object_array_get_idx(
                            i < n_old ? old : wv, i < n_old ? i : i - n_old)));
        if (!rc)
            rc = et_store_meta_put(
                w->t->st, wk,
                json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN),
                err);
        json_object_put(old);
        json_object_put(all);
    }
    return rc;
}

/* A decoded request body, or why it did not decode: made without the
 * trail, so on any thread; the failure is reported (and scrubbed by the
 * trail's redaction) when it is ingested. */
struct et_otlp_request {
    enum et_otlp_signal sig;
    int media;
    int rc;
    struct et_error err;
    struct json_object *items;
    /* what storing it made, freed with it (by the thread that frees it,
     * not the writer's: et_otlp_request_free) */
    bool has_plan;
    struct et__otlp_plan plan;
    struct json_object *fresh;
};

/* rq: decoded; what it makes stays with it */
static int ingest_(struct et_trail *t, struct et_otlp_request *rq,
                   struct et_otlp_result *res, struct et_error *err)
{
    struct json_object *items = rq->items, *fresh = NULL;
    struct json_object *log_keys = et__jnew_object();
    struct et__otlp_plan *pl = &rq->plan;
    struct wr w = {t, et__jnew_object()};
    bool in_tx = false;
    int rc;

    et__otlp_plan_init(pl);
    rq->has_plan = true;
    if (!log_keys || !w.consumed) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    in_tx = true;
    if (rq->sig == ET_OTLP_LOGS) {
        rc = prepare_logs(&w, items, &fresh, log_keys, res, err);
        if (!rc)
            rc = et__otlp_map_logs(fresh, meta_lookup, &w, pl, err);
    } else {
        rc = prepare_spans(&w, items, &fresh, res, err);
        if (!rc)
            rc = et__otlp_map_spans(fresh, meta_lookup, &w, pl, err);
    }
    if (!rc)
        rc = append(&w, pl, res, err);
    if (!rc)
        rc = save_state(&w, pl, log_keys, err);
    if (rc)
        goto out;
    if (!res->events && !json_object_object_length(pl->index) &&
        !json_object_object_length(log_keys))
        et__unit_abort(t); /* nothing new: no empty transaction */
    else
        rc = et__unit_commit(t, err);
    in_tx = false;
    if (!rc) {
        res->accepted = pl->accepted;
        res->rejected = pl->rejected;
        res->duplicates += pl->duplicates;
        res->executions = pl->executions;
        res->actions += pl->actions;
        res->raw = pl->raw;
        snprintf(res->message, sizeof(res->message), "%s", pl->message);
        if (pl->rejected > 1) {
            size_t l = strlen(res->message);

            snprintf(res->message + l, sizeof(res->message) - l,
                     " (and %llu more)",
                     (unsigned long long)(pl->rejected - 1));
        }
    }
out:
    if (in_tx)
        et__unit_abort(t);
    if (rc) {
        uint64_t keep = res->rejected;

        memset(res, 0, sizeof(*res));
        res->rejected = keep;
    }
    rq->fresh = fresh;
    json_object_put(log_keys);
    json_object_put(w.consumed);
    return rc;
}

int et_otlp_decode(enum et_otlp_signal signal, const char *content_type,
                   const char *content_encoding, const void *body, size_t len,
                   struct et_otlp_request **out, struct et_error *err)
{
    struct et_otlp_request *rq;
    uint64_t failed0;

    if (!out)
        return et_error_set(err, ET_EINVAL, "et_otlp_decode: bad arguments");
    *out = NULL;
    if ((!body && len) ||
        (signal != ET_OTLP_TRACES && signal != ET_OTLP_LOGS))
        return et_error_set(err, ET_EINVAL, "et_otlp_decode: bad arguments");
    rq = et__calloc(1, sizeof(*rq));
    if (!rq)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rq->sig = signal;
    rq->media = media_type(content_type);
    if (!rq->media) {
        rq->rc = et_error_set(&rq->err, ET_EINPUT,
                              "Content-Type: unsupported \"%.60s\" "
                              "(OTLP/HTTP takes application/x-protobuf or "
                              "application/json)",
                              content_type);
    } else {
        /* an allocation json-c failed without the decoder noticing */
        failed0 = et__json_oom_count();
        rq->rc = decode(signal, rq->media, content_encoding, body ? body : "",
                        len, &rq->items, &rq->err);
        if (!rq->rc && et__json_oom_count() != failed0)
            rq->rc = et_error_set(&rq->err, ET_ENOMEM, "out of memory");
    }
    *out = rq;
    if (rq->rc && err)
        *err = rq->err;
    return rq->rc;
}

void et_otlp_request_free(struct et_otlp_request *rq)
{
    if (!rq)
        return;
    json_object_put(rq->items);
    if (rq->has_plan)
        et__otlp_plan_release(&rq->plan);
    json_object_put(rq->fresh);
    et__free(rq);
}

int et_otlp_ingest_request(struct et_trail *t, struct et_otlp_request *rq,
                           struct et_otlp_result *res, struct et_error *err)
{
    struct et_otlp_result dummy;
    int rc;

    if (!res)
        res = &dummy;
    memset(res, 0, sizeof(*res));
    if (!t || !rq)
        return et_error_set(err, ET_EINVAL,
                            "et_otlp_ingest_request: bad arguments");
    if (rq->has_plan)
        return et_error_set(err, ET_EINVAL,
                            "et_otlp_ingest_request: the request was "
                            "ingested already (decode it again)");
    if (rq->rc) {
        rc = rq->rc;
        if (err)
            *err = rq->err;
    } else {
        rc = ingest_(t, rq, res, err);
        if (!rc)
            rc = rq->media == 2 ? respond_json(rq->sig, res, err)
                                : respond_pb(rq->sig, res, err);
    }
    if (res == &dummy)
        et_otlp_result_release(res);
    return et__scrub_error(t, rc, err);
}

int et_otlp_ingest(struct et_trail *t, enum et_otlp_signal signal,
                   const char *content_type, const char *content_encoding,
                   const void *body, size_t len, struct et_otlp_result *res,
                   struct et_error *err)
{
    struct et_otlp_request *rq = NULL;
    int rc;

    if (res)
        memset(res, 0, sizeof(*res));
    if (!t)
        return et_error_set(err, ET_EINVAL, "et_otlp_ingest: bad arguments");
    /* no request: bad arguments or no memory, said in err */
    rc = et_otlp_decode(signal, content_type, content_encoding, body, len,
                        &rq, err);
    if (!rq)
        return rc;
    rc = et_otlp_ingest_request(t, rq, res, err);
    et_otlp_request_free(rq);
    return rc;
}
