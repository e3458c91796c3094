/* SPDX-License-Identifier: MIT */
/*
 * OpenTelemetry (OTLP/HTTP) ingest: ExportTraceServiceRequest and
 * ExportLogsServiceRequest bodies, protobuf or JSON, optionally gzip, mapped
 * onto executions by the GenAI semantic conventions (docs/INTEGRATIONS.md).
 */
#ifndef ET_EXECTRAIL_OTLP_H
#define ET_EXECTRAIL_OTLP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which OTLP signal a body carries (the HTTP path /v1/traces, /v1/logs). */
enum et_otlp_signal {
    ET_OTLP_TRACES = 1,
    ET_OTLP_LOGS = 2,
};

/* The largest body accepted, after gzip decoding (the OTLP default limit). */
#define ET_OTLP_MAX_BODY ((size_t)64 << 20)

/* What one request did, and the response to send back. */
struct et_otlp_result {
    uint64_t accepted;   /* spans / log records stored */
    uint64_t rejected;   /* spans / log records refused (partialSuccess) */
    uint64_t duplicates; /* already stored by an earlier request (retries) */
    uint64_t executions; /* executions recorded (invoke_agent spans) */
    uint64_t actions;    /* actions recorded (execute_tool spans) */
    uint64_t raw;        /* spans / log records kept as raw events */
    uint64_t events;     /* ledger events appended */
    /* the partialSuccess message ("" when nothing was rejected): the first
     * rejection, naming the span and the field, and how many more */
    char message[256];
    /* the Export*ServiceResponse in the request's encoding (protobuf or
     * JSON; JSON "{}" on full success); caller-owned, free with
     * et_otlp_result_release; set on ET_OK only */
    char *response;
    size_t response_len;
    /* the media type of response: "application/x-protobuf" or
     * "application/json" */
    const char *response_type;
};

/*
 * Decode one OTLP/HTTP request body and store what it carries in one
 * durable transaction.
 *
 *   signal           ET_OTLP_TRACES or ET_OTLP_LOGS
 *   content_type     the Content-Type header: application/x-protobuf or
 *                    application/json (parameters such as "; charset=utf-8"
 *                    are ignored); NULL means application/x-protobuf
 *   content_encoding the Content-Encoding header: NULL, "", "identity" or
 *                    "gzip"
 *   body, len        the request body (borrowed)
 *   res              filled on every path (may be NULL); release it with
 *                    et_otlp_result_release
 *
 * Spans that are well-formed OTLP but unusable (a trace id that is not 16
 * bytes, a span id that is not 8, an end before the start, ...) are
 * rejected one by one and counted in res->rejected, with
 * res->message saying why: the OTLP partialSuccess. Everything else is
 * stored: invoke_agent spans as executions, execute_tool spans as their
 * actions, any other span or log record as a raw event (never dropped).
 * A request sent again (an exporter's retry) stores nothing twice.
 *
 * Returns ET_OK (also with rejections); ET_EINPUT for a body that is not an
 * OTLP message of that signal (protobuf that does not decode, JSON that
 * does not parse or has a wrong type, ids that are not hex, bad gzip: the
 * message names the field path or byte offset) or an unsupported content
 * type or encoding (the message names it); ET_ETOOBIG past
 * ET_OTLP_MAX_BODY; nothing is stored then. A store error (ET_EBUSY,
 * ET_EUNAVAIL, ET_EIO) means the client should retry. Thread safety: as
 * for the trail t.
 */
ET_API ET_NODISCARD int
et_otlp_ingest(struct et_trail *t, enum et_otlp_signal signal,
               const char *content_type, const char *content_encoding,
               const void *body, size_t len, struct et_otlp_result *res,
               struct et_error *err);

/*
 * et_otlp_ingest in two steps, for a server that decodes on the thread
 * that received the body and stores on the one that writes:
 *
 *   et_otlp_decode   checks the content type and encoding, gunzips and
 *                    decodes the body into *out; it needs no trail, so it
 *                    may run on any thread. Returns what et_otlp_ingest
 *                    would for a body that does not decode (ET_EINPUT,
 *                    ET_ETOOBIG) or ET_OK. *out is set on both (the
 *                    failure travels with it) and is NULL only for
 *                    ET_ENOMEM or ET_EINVAL (bad arguments).
 *   et_otlp_ingest_request
 *                    stores a decoded request as et_otlp_ingest does, or
 *                    reports the failure it carries (its message scrubbed
 *                    by t's redaction, as every error of t is). Same
 *                    returns, same res. rq stays the caller's; it is
 *                    stored once (ET_EINVAL the second time), and what
 *                    storing it built is freed with it.
 *   et_otlp_request_free
 *                    frees rq (NULL is fine).
 *
 * The body is no longer needed after et_otlp_decode.
 */
struct et_otlp_request;
ET_API int et_otlp_decode(enum et_otlp_signal signal,
                          const char *content_type,
                          const char *content_encoding, const void *body,
                          size_t len, struct et_otlp_request **out,
                          struct et_error *err);
ET_API ET_NODISCARD int et_otlp_ingest_request(struct et_trail *t,
                                               struct et_otlp_request *rq,
                                               struct et_otlp_result *res,
                                               struct et_error *err);
ET_API void et_otlp_request_free(struct et_otlp_request *rq);

/*
 * The HTTP status for a return code of et_otlp_ingest, by the OTLP/HTTP
 * rules: ET_OK 200 (also with rejections: partialSuccess), ET_EINPUT 400
 * (the client must not retry), ET_ETOOBIG 413, ET_EBUSY and ET_EUNAVAIL
 * 503 (retryable: send Retry-After), anything else 500.
 *
 * A server's whole handler for POST /v1/traces (and /v1/logs):
 *
 *   struct et_otlp_result r;
 *   struct et_error err = ET_ERROR_INIT;
 *   int rc = et_otlp_ingest(t, ET_OTLP_TRACES, header("Content-Type"),
 *                           header("Content-Encoding"), body, len, &r, &err);
 *   if (rc == ET_OK)
 *       reply(200, r.response_type, r.response, r.response_len);
 *   else
 *       reply_error(et_otlp_http_status(rc), err.msg);
 *   et_otlp_result_release(&r);
 */
ET_API int et_otlp_http_status(int rc);

/* Free res->response (res may be NULL; safe to call twice). */
ET_API void et_otlp_result_release(struct et_otlp_result *res);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_OTLP_H */
