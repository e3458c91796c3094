/* SPDX-License-Identifier: MIT */
/*
 * The one ingest pipeline: every writer (record, import, lifecycle verbs,
 * hooks, transcripts, spool replay, OTLP, HTTP and MCP) appends events
 * through here: validate (one table keyed by event type), redact, canonical
 * bytes, leaf hash, ledger append, projection and the completion hook, in
 * the writer's unit (src/trail/txn.c).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "model/events.h"
#include "ingest/pipeline.h"

/* The config events security.c and capture.c ask for, appended as the
 * first events of the unit. */
static int emit_config(struct et_trail *t, const char *type,
                       struct json_object *body, struct et_error *err)
{
    return et__ingest_event(t, type, NULL, body, NULL, err);
}

int et__ingest_begin(struct et_trail *t, struct et_error *err)
{
    int rc = et__unit_begin(t, err);

    if (rc)
        return rc;
    rc = et__security_begin(t, emit_config, err);
    if (!rc)
        rc = et__capture_begin(t, emit_config, err);
    if (rc)
        et__unit_abort(t);
    return rc;
}

/* Add key = val to o; val is consumed either way. */
static int put(struct json_object *o, const char *key, struct json_object *val)
{
    if (!val)
        return ET_ENOMEM;
    if (et__jadd(o, key, val)) {
        json_object_put(val);
        return ET_ENOMEM;
    }
    return ET_OK;
}

/*
 * The event's canonical bytes in t->scratch. Every member is checked: under
 * memory pressure the event fails whole, it is never hashed with a field
 * missing.
 */
static int event_bytes(struct et_trail *t, const char *type,
                       const char *execution_id, struct json_object *body,
                       uint64_t seq, int64_t ts_ns, struct et_error *err)
{
    char when[ET_RFC3339_MAX];
    struct json_object *ev = et__jnew_object();
    int rc;

    if (!ev)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et_time_format(ts_ns, when);
    rc = put(ev, "body", json_object_get(body));
    if (!rc && execution_id)
        rc = put(ev, "execution_id", et__jnew_string(execution_id));
    if (!rc)
        rc = put(ev, "seq", et__jnew_int64((int64_t)seq));
    if (!rc)
        rc = put(ev, "ts", et__jnew_string(when));
    if (!rc)
        rc = put(ev, "type", et__jnew_string(type));
    if (!rc)
        rc = put(ev, "v", et__jnew_int(ET_EVENT_VERSION));
    if (rc) {
        json_object_put(ev);
        return et_error_set(err, rc, "out of memory");
    }
    et_buf_reset(&t->scratch);
    rc = et_json_canon(ev, &t->scratch);
    json_object_put(ev);
    if (rc)
        return et_error_set(err, rc, "cannot encode event: %s",
                            et_status_str(rc));
    return ET_OK;
}

/*
 * The completed executions whose actions the event just projected changed
 * (a late action, a binding that moved actions) are analysed again, as new
 * events after it (trigger "rebind"); rebuild replays those events instead.
 */
static int redo(struct et_trail *t, struct et_error *err)
{
    size_t n = t->n_redo;
    char(*ids)[37] = et__calloc(n, sizeof(*ids));
    int rc = ET_OK;

    if (!ids)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    memcpy(ids, t->redo, n * sizeof(*ids));
    t->n_redo = 0;
    for (size_t i = 0; !rc && i < n; i++)
        rc = et__ingest_completed(t, ids[i], "rebind", err);
    et__free(ids);
    return rc;
}

int et__ingest_event(struct et_trail *t, const char *type,
                     const char *execution_id, struct json_object *body,
                     uint64_t *seq_out, struct et_error *err)
{
    const struct et__event_type *et = NULL;
    struct et_event_row row;
    int64_t now = et_time_now_ns();
    uint64_t seq = t->tree.size;
    int rc;

    ET_ASSERT(t->in_ingest);
    /* one table says what each event type carries (model/events.h) */
    rc = et__event_check(type, execution_id, body, &et, err);
    if (rc)
        return rc;
    /* secrets never reach the canonical bytes, the hash or any table */
    rc = et__security_redact(t, body, err);
    if (rc)
        return rc;
    /* a JSON value that could not be allocated while the body was built or
     * redacted (checked or not where it happened): the event fails whole */
    if (et__json_oom_take())
        return et_error_set(err, ET_ENOMEM,
                            "out of memory (building an event of type %s)",
                            type);
    rc = event_bytes(t, type, execution_id, body, seq, now, err);
    if (rc)
        return rc;
    memset(&row, 0, sizeof(row));
    row.seq = seq;
    row.type = type;
    row.execution_id = execution_id;
    row.ts_ns = now;
    row.body = t->scratch.ptr;
    row.body_len = t->scratch.len;
    et_merkle_leaf_hash(row.body, row.body_len, row.leaf);
    rc = et_store_append(t->st, &row, err);
    if (rc)
        return rc;
    et_tree_append(&t->tree, row.leaf);
    if (seq_out)
        *seq_out = seq;
    t->n_redo = 0;
    rc = et__project(t, seq, type, execution_id, now, body, err);
    if (!rc && et__json_oom_take()) /* a projection row built short */
        rc = et_error_set(err, ET_ENOMEM,
                          "out of memory (projecting an event of type %s)",
                          type);
    if (!rc && t->n_redo)
        rc = redo(t, err);
    /* the completion hook (the analysis) runs here, for every writer */
    if (!rc && (et->flags & ET__EV_COMPLETES))
        rc = et__ingest_completed(t, execution_id,
                                  t->trigger ? t->trigger : "complete", err);
    return rc;
}

int et__ingest_completed(struct et_trail *t, const char *id,
                         const char *trigger, struct et_error *err)
{
    ET_ASSERT(t->in_ingest);
    return t->on_complete ? t->on_complete(t, id, trigger, err) : ET_OK;
}
