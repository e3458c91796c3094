/* SPDX-License-Identifier: MIT */
/* Reading executions back: the spec record of one, and the list. */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "model/derive.h"
#include "model/record.h"
#include "trail/note.h"
#include "trail/telemetry.h"
#include "trail/trail_int.h"

static int collect_action(void *ctx, const char *text, size_t len)
{
    struct json_object *arr = ctx, *a = NULL;

    int rc = et_json_parse(text, len, NULL, &a, NULL);

    if (rc)
        return rc == ET_ENOMEM ? rc : ET_EINTEGRITY;
    if (et__jappend(arr, a)) {
        json_object_put(a);
        return ET_ENOMEM;
    }
    return 0;
}

struct ordered {
    struct json_object *a;
    const char *ts;
    const char *tuid;
    size_t at;
};

static int by_time(const void *x, const void *y)
{
    const struct ordered *a = x, *b = y;
    int c = strcmp(a->ts ? a->ts : "", b->ts ? b->ts : "");

    if (!c)
        c = strcmp(a->tuid ? a->tuid : "", b->tuid ? b->tuid : "");
    if (!c)
        c = (a->at > b->at) - (a->at < b->at);
    return c;
}

/*
 * Actions with no sequence of their own (a subagent's, captured by a hook
 * or a transcript) come in the order the events arrived, which depends on
 * how the session was imported: all actions are put in time order (then
 * tool_use_id) and numbered 1..n, so that any import order gives the same
 * record. A record whose actions all carry a sequence is left as given.
 */
static int order_actions(struct json_object **arr_io)
{
    struct json_object *arr = *arr_io, *out;
    size_t n = json_object_array_length(arr);
    struct ordered *o;
    bool any = false;

    for (size_t i = 0; i < n && !any; i++)
        any = !et__jget(json_object_array_get_idx(arr, i), "sequence");
    if (!any)
        return ET_OK;
    o = et__calloc(n ? n : 1, sizeof(*o));
    out = et__jnew_array_ext((int)n);
    if (!o || !out) {
        et__free(o);
        json_object_put(out);
        return ET_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        o[i].a = json_object_array_get_idx(arr, i);
        o[i].ts = et__jstr(o[i].a, "timestamp");
        o[i].tuid = et__jstr(o[i].a, "tool_use_id");
        o[i].at = i;
    }
    qsort(o, n, sizeof(*o), by_time);
    for (size_t i = 0; i < n; i++) {
        struct json_object *sq = et__jnew_int64((int64_t)i + 1);

        if (!sq || et__jadd(o[i].a, "sequence", sq) ||
            et__jappend(out, json_object_get(o[i].a))) {
            json_object_put(sq);
            et__free(o);
            json_object_put(out);
            return ET_ENOMEM;
        }
    }
    et__free(o);
    json_object_put(arr);
    *arr_io = out;
    return ET_OK;
}

int et__record_load(struct et_trail *t, const char *id,
                    struct json_object **rec_out, struct et__record_meta *meta,
                    struct et_error *err)
{
    struct json_object *doc = NULL, *actions = NULL, *exec;
    struct et_exec_row row;
    int rc;

    *rec_out = NULL;
    rc = et_store_exec_get(t->st, id, &row, err);
    if (rc)
        return rc;
    if (meta) {
        snprintf(meta->state, sizeof(meta->state), "%s",
                 row.state ? row.state : "");
        snprintf(meta->agent, sizeof(meta->agent), "%s",
                 row.agent_name ? row.agent_name : "");
    }
    rc = et_json_parse(row.doc, row.doc_len, NULL, &doc, err);
    if (rc)
        return et_error_prefix(err, "stored document of %s", id);
    actions = et__jnew_array();
    rc = actions ? et_store_actions_get(t->st, id, collect_action, actions, err)
                 : et_error_set(err, ET_ENOMEM, "out of memory");
    if (rc == ET_EINTEGRITY)
        et_error_set(err, rc, "stored action of %s is damaged", id);
    if (rc)
        goto out;
    exec = et__jget(doc, "execution");
    if (!exec || !json_object_is_type(exec, json_type_object)) {
        exec = et__jnew_object();
        if (!exec || et__jadd(doc, "execution", exec)) {
            json_object_put(exec);
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            goto out;
        }
    }
    /* Claude Code's telemetry of the same calls and agent, before the
     * actions are put in time order (docs/INTEGRATIONS.md) */
    rc = et__tel_fold(t, id, doc, actions, err);
    if (!rc && order_actions(&actions))
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (rc)
        goto out;
    if (et__jadd(exec, "actions_taken", actions)) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    actions = NULL;
    /* the lists the actions imply (docs/RECORD.md, "Derived lists") */
    if (et__derive_complete_with(et__trail_capture(t), doc) ||
        et__derive_models(doc)) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    /* notes and human scores, beside the record (docs/NOTES.md) */
    rc = et__note_attach(t, id, doc, err);
    if (rc)
        goto out;
    *rec_out = doc;
    doc = NULL;
out:
    json_object_put(actions);
    json_object_put(doc);
    return rc;
}

int et_trail_show(struct et_trail *t, const char *idp, unsigned flags,
                  char **json_out, size_t *len_out, struct et_error *err)
{
    struct json_object *doc = NULL, *shaped = NULL;
    struct et_buf out = ET_BUF_INIT;
    char id[37];
    int rc;

    *json_out = NULL;
    if (len_out)
        *len_out = 0;
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_exec_resolve(t->st, idp, id, err);
    if (!rc)
        rc = et__record_load(t, id, &doc, NULL, err);
    et_store_rollback(t->st); /* read transaction: nothing to keep */
    if (rc)
        goto out;
    shaped = et__record_shape(doc);
    if (!shaped) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    rc = et_json_write(shaped, (flags & ET_SHOW_PRETTY) ? ET_JSON_PRETTY : 0,
                       &out);
    if (rc) {
        rc = et_error_set(err, rc,
                          rc == ET_ENOMEM ? "out of memory (writing the record)"
                                          : "cannot write record");
        goto out;
    }
    *json_out = et_buf_detach(&out, len_out);
out:
    et_buf_release(&out);
    json_object_put(shaped);
    json_object_put(doc);
    return rc;
}

int et__summary_row(void *ctx, const struct et_exec_row *r)
{
    struct et__summary_cb *cb = ctx;
    struct et_exec_summary s;

    memset(&s, 0, sizeof(s));
    snprintf(s.execution_id, sizeof(s.execution_id), "%s",
             r->execution_id ? r->execution_id : "");
    s.session_id = r->session_id;
    s.agent_name = r->agent_name;
    s.state = r->state;
    s.verification = r->verification;
    s.start_ns = r->start_ns;
    s.duration_ms = r->duration_ms;
    s.n_actions = r->n_actions;
    s.n_failed_actions = r->n_failed_actions;
    return cb->fn(cb->ctx, &s);
}

int et_trail_list(struct et_trail *t, size_t limit, et_exec_fn *fn, void *ctx,
                  struct et_error *err)
{
    struct et__summary_cb cb = {fn, ctx};

    return et_store_exec_list(t->st, limit, et__summary_row, &cb, err);
}
