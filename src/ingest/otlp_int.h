/* SPDX-License-Identifier: MIT */
/*
 * OTLP ingest internals: the decoders (protobuf via protobuf-c, OTLP/JSON)
 * turn a request into one normalised form, the mapping turns that into
 * ledger events (a pure function), and otlp.c writes them.
 */
#ifndef ET_INGEST_OTLP_INT_H
#define ET_INGEST_OTLP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "exectrail/error.h"
#include "exectrail/otlp.h"

struct et_trail;

/*
 * The normalised form, one JSON object per span or log record, the same
 * from both encodings:
 *
 *   span: {"path": "resourceSpans[0].scopeSpans[0].spans[2]",
 *          "trace_id": hex, "span_id": hex, "parent_span_id": hex (absent
 *          when empty), "name", "kind": int, "start_ns", "end_ns": int,
 *          "attributes": {key: value}, "status": {"code": int, "message"},
 *          "events": [{"name", "time_ns", "attributes"}],
 *          "resource": {key: value}, "scope": {"name", "version"}}
 *   log:  {"path", "time_ns", "observed_ns", "severity_number",
 *          "severity_text", "event_name", "body": any, "attributes",
 *          "trace_id", "span_id", "resource", "scope"}
 *
 * Attribute values: string, bool, int64, double, arrays and key-value
 * lists as JSON arrays and objects, bytes as base64 text. Ids are lower
 * case hex of whatever length the request gave (the mapping checks them).
 */

/* Decode an ExportTraceServiceRequest / ExportLogsServiceRequest into
 * *items_out (a new JSON array, caller-owned). ET_EINPUT names the byte
 * offset (protobuf) or the field path (JSON). */
ET_NODISCARD int et__otlp_decode_pb(enum et_otlp_signal sig, const void *buf,
                                    size_t len, struct json_object **items_out,
                                    struct et_error *err);
ET_NODISCARD int et__otlp_decode_json(enum et_otlp_signal sig, const char *buf,
                                      size_t len,
                                      struct json_object **items_out,
                                      struct et_error *err);

/* The value stored for a span key ("otlp:span:<trace>:<span>") by earlier
 * requests: the execution it belongs to, "-" (none), "?<span>" (waits for
 * that ancestor); *out NULL when unknown. */
typedef int et__otlp_lookup_fn(void *ctx, const char *key, char **out,
                               struct et_error *err);

/* One event to append. */
struct et__otlp_ev {
    const char *type;         /* static string */
    char id[37];              /* execution id, "" for none */
    struct json_object *body; /* owned */
};

/* What the mapping produced. */
struct et__otlp_plan {
    struct et__otlp_ev *ev;
    size_t n_ev, cap_ev;
    /* span keys -> the value to store (see et__otlp_lookup_fn) */
    struct json_object *index;
    /* "otlp:wait:<trace>:<span>" -> spans waiting for that span */
    struct json_object *waits;
    uint64_t accepted, rejected, duplicates, executions, actions, raw;
    char message[256];
};

void et__otlp_plan_init(struct et__otlp_plan *p);
void et__otlp_plan_release(struct et__otlp_plan *p);

/*
 * Map normalised spans onto events: invoke_agent spans -> execution.recorded
 * (with their execute_tool descendants as actions), execute_tool spans of
 * an execution stored earlier -> action.recorded (no "sequence": the writer
 * numbers it), other spans -> otlp.span raw events. An invoke_agent span
 * whose ancestor has not arrived is recorded without a parent and waits;
 * when the ancestor comes, execution.linked sets its parent_execution_id. Invalid spans are
 * rejected into p->rejected/p->message. Spans flagged "deferred" (waiting
 * from earlier requests, raw event already stored) get no raw event again.
 * lookup answers for spans outside `spans` (may be NULL). spans is
 * borrowed. Returns ET_OK or ET_ENOMEM (or lookup's error).
 */
ET_NODISCARD int et__otlp_map_spans(struct json_object *spans,
                                    et__otlp_lookup_fn *lookup, void *ctx,
                                    struct et__otlp_plan *p,
                                    struct et_error *err);
/* Map normalised log records onto otlp.log raw events (Claude Code's
 * claude_code.* events with their session and prompt ids lifted out). */
ET_NODISCARD int et__otlp_map_logs(struct json_object *logs,
                                   et__otlp_lookup_fn *lookup, void *ctx,
                                   struct et__otlp_plan *p,
                                   struct et_error *err);

/*
 * Claude Code telemetry beside the hooks (claude_otel.c): after otlp.log
 * event seq with body b (as stored), index it for the read-time fold,
 * record a subagent's tool call the hooks did not as an action, take a
 * user prompt as the session's current request. *n_out: events appended.
 * Inside the write unit.
 */
ET_NODISCARD int et__claude_otel_log(struct et_trail *t, struct json_object *b,
                                     uint64_t seq, unsigned *n_out,
                                     struct et_error *err);

/* "otlp:span:<trace>:<span>" into out (128 bytes). */
void et__otlp_span_key(char out[128], const char *trace, const char *span);

#endif /* ET_INGEST_OTLP_INT_H */
