/* SPDX-License-Identifier: MIT */
/*
 * Projection: how each event type changes the executions, actions, lists,
 * sessions and full-text tables. Used both when an event is appended and by
 * rebuild, so the tables are always a pure function of the ledger.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "model/derive.h"
#include "trail/note.h"
#include "trail/rollup.h"
#include "trail/trail_int.h"
#include "exectrail/analysis.h"

static int64_t time_of(struct json_object *o, const char *key)
{
    const char *s = et__jstr(o, key);
    int64_t ns = 0;

    if (!s || et_time_parse(s, strlen(s), false, &ns) != ET_OK)
        return 0;
    return ns;
}

static const char *str_at(struct json_object *o, const char *k1, const char *k2)
{
    return et__jstr(et__jget(o, k1), k2);
}

/* The row's columns derived from the record document. */
static void columns_from_doc(struct et_exec_row *r, struct json_object *doc)
{
    struct json_object *d = et__jget(doc, "duration_ms");

    r->session_id = et__jstr(doc, "session_id");
    r->agent_name = str_at(doc, "agent_metadata", "name");
    r->agent_version = str_at(doc, "agent_metadata", "version");
    r->verification = str_at(doc, "verification", "status");
    r->completeness = str_at(doc, "quality_metrics", "completeness");
    r->accuracy = str_at(doc, "quality_metrics", "accuracy");
    r->efficiency = str_at(doc, "quality_metrics", "efficiency");
    r->start_ns = time_of(doc, "timestamp_start");
    r->end_ns = time_of(doc, "timestamp_end");
    r->duration_ms = d && json_object_is_type(d, json_type_int)
                         ? json_object_get_int64(d)
                         : -1;
}

/* Append the text of v (a string, or any JSON as compact text) to out. */
static int add_text(struct et_buf *out, struct json_object *v)
{
    int rc;

    if (!v || json_object_is_type(v, json_type_null))
        return ET_OK;
    if (out->len) {
        rc = et_buf_addch(out, '\n');
        if (rc)
            return rc;
    }
    if (json_object_is_type(v, json_type_string))
        return et_buf_add(out, json_object_get_string(v),
                          (size_t)json_object_get_string_len(v));
    return et_json_write(v, 0, out);
}

static int add_fields(struct et_buf *out, struct json_object *o,
                      const char *const *keys)
{
    int rc = ET_OK;

    for (; !rc && *keys; keys++)
        rc = add_text(out, et__jget(o, *keys));
    return rc;
}

static const char *const context_keys[] = {
    "user_request", "main_agent_reasoning", "expected_outcome",
    "risk_assessment", NULL};
static const char *const delegation_keys[] = {"prompt_sent", "context_provided",
                                              "instructions", NULL};
static const char *const action_keys[] = {"tool",   "action", "input",
                                          "output", "error",  NULL};
static const char *const output_keys[] = {"raw_response", "files_modified",
                                          "commands_executed", "api_calls_made",
                                          NULL};
static const char *const issue_keys[] = {"description", "impact", NULL};

static int index_text(struct et_trail *t, uint64_t seq, const char *id,
                      struct et_buf *text, struct et_error *err)
{
    if (!text->len)
        return ET_OK;
    return et_store_fts_put(t->st, seq, id, text->ptr, text->len, err);
}

static int put_lists(struct et_trail *t, const char *id, int64_t start_ns,
                     struct json_object *output, struct et_error *err)
{
    static const struct {
        const char *key;
        enum et_list_kind kind;
    } lists[] = {{"files_modified", ET_LIST_FILES},
                 {"commands_executed", ET_LIST_COMMANDS},
                 {"api_calls_made", ET_LIST_API_CALLS}};
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < ET_ARRAY_SIZE(lists); i++) {
        struct json_object *a = et__jget(output, lists[i].key);
        size_t n;

        if (!a || !json_object_is_type(a, json_type_array))
            continue;
        n = json_object_array_length(a);
        for (size_t j = 0; !rc && j < n; j++) {
            struct json_object *v = json_object_array_get_idx(a, j);

            if (json_object_is_type(v, json_type_string))
                rc = et_store_list_put(t->st, id, start_ns, lists[i].kind,
                                       json_object_get_string(v), err);
        }
    }
    return rc;
}

/* The list items an action implies (src/model/derive.c) go to the list
 * index too, so list queries see what hooks and transcripts recorded. */
struct derived_put {
    struct et_trail *t;
    const char *id;
    int64_t start_ns;
    struct et_buf item;
    struct et_error *err;
};

static int derived_put_fn(void *ctx, enum et__derived kind, const char *item,
                          size_t len)
{
    struct derived_put *d = ctx;
    int rc;

    et_buf_reset(&d->item);
    rc = et_buf_add(&d->item, item, len);
    if (rc)
        return et_error_set(d->err, rc, "out of memory");
    return et_store_list_put(d->t->st, d->id, d->start_ns,
                             (enum et_list_kind)kind, et_buf_str(&d->item),
                             d->err);
}

_Static_assert((int)ET__DERIVED_FILES == (int)ET_LIST_FILES &&
                   (int)ET__DERIVED_COMMANDS == (int)ET_LIST_COMMANDS &&
                   (int)ET__DERIVED_API_CALLS == (int)ET_LIST_API_CALLS,
               "derived list kinds are the store's list kinds");

static int put_derived(struct et_trail *t, const char *id, int64_t start_ns,
                       struct json_object *action, struct et_error *err)
{
    struct derived_put d = {t, id, start_ns, ET_BUF_INIT, err};
    int rc = et__derive_action_with(et__trail_capture(t), action,
                                    derived_put_fn, &d);

    if (rc == ET_ENOMEM)
        rc = et_error_set(err, rc, "out of memory");
    et_buf_release(&d.item);
    return rc;
}

static bool action_failed(struct json_object *a)
{
    struct json_object *ok = et__jget(a, "success");
    struct json_object *e = et__jget(a, "error");

    if (ok && json_object_is_type(ok, json_type_boolean))
        return !json_object_get_boolean(ok);
    return e && !json_object_is_type(e, json_type_null);
}

static int put_action(struct et_trail *t, const char *id, uint64_t seq,
                      struct json_object *a, struct et_buf *doc,
                      struct et_error *err)
{
    struct et_action_row r;
    struct json_object *ok = et__jget(a, "success");
    struct json_object *sq = et__jget(a, "sequence");
    int rc;

    et_buf_reset(doc);
    rc = et_json_canon(a, doc);
    if (rc)
        return et_error_set(err, rc, "cannot encode action");
    memset(&r, 0, sizeof(r));
    r.execution_id = id;
    /* an action with no sequence of its own (a subagent's, captured by a
     * hook or a transcript) is keyed by its event; et__record_load orders
     * such actions by time */
    r.sequence = sq ? json_object_get_int64(sq) : (int64_t)seq;
    r.tool = et__jstr(a, "tool");
    r.ts_ns = time_of(a, "timestamp");
    r.success = ok && json_object_is_type(ok, json_type_boolean)
                    ? json_object_get_boolean(ok)
                    : -1;
    r.seq = seq;
    r.doc = doc->ptr;
    r.doc_len = doc->len;
    return et_store_action_put(t->st, &r, err);
}

/*
 * The exec_issues rows of an execution from its issues[] (replaced), and
 * the issue rollup of the reports: old_row/old_issues (may be NULL: none
 * before) are taken out, row/issues put in.
 */
static int put_issues(struct et_trail *t, const char *id, const char *agent,
                      struct json_object *issues, int64_t ts_ns,
                      const struct et_exec_row *old_row,
                      struct json_object *old_issues,
                      const struct et_exec_row *row, struct et_error *err)
{
    size_t n = issues && json_object_is_type(issues, json_type_array)
                   ? json_object_array_length(issues)
                   : 0;
    struct et_store_issue_row *rows = NULL;
    char(*sigs)[ET_SIGNATURE_MAX] = NULL;
    int rc;

    if (n) {
        rows = et__calloc(n, sizeof(*rows));
        sigs = et__calloc(n, sizeof(*sigs));
        if (!rows || !sigs) {
            et__free(rows);
            et__free(sigs);
            return et_error_set(err, ET_ENOMEM, "out of memory");
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_array_get_idx(issues, i);
        const char *d = et__jstr(o, "description");
        const char *sig = et__jstr(o, "signature");

        rows[i].seq = (int64_t)i;
        rows[i].ts_ns = ts_ns;
        rows[i].type = et__jstr(o, "type") ? et__jstr(o, "type") : "INFO";
        rows[i].message = d ? d : "";
        if (!sig) {
            et_signature(NULL, rows[i].message, strlen(rows[i].message),
                         sigs[i], sizeof(sigs[i]));
            sig = sigs[i];
        }
        rows[i].signature = sig;
    }
    rc = et_store_issues_put(t->st, id, agent, rows, n, err);
    et__free(rows);
    et__free(sigs);
    if (!rc && old_row && old_issues)
        rc = et__issues_rollup(t, old_row, old_issues, -1, err);
    if (!rc)
        rc = et__issues_rollup(t, row, issues, 1, err);
    return rc;
}

/* A whole record in one event (record, import). */
static int project_recorded(struct et_trail *t, uint64_t seq, const char *id,
                            struct json_object *body, struct et_error *err)
{
    struct json_object *exec = et__jget(body, "execution");
    struct json_object *actions = et__jget(exec, "actions_taken");
    struct json_object *doc = NULL, *exec_copy = NULL;
    struct et_exec_row r;
    struct et_buf text = ET_BUF_INIT;
    size_t n = actions && json_object_is_type(actions, json_type_array)
                   ? json_object_array_length(actions)
                   : 0;
    int rc = ET_OK;

    memset(&r, 0, sizeof(r));
    r.execution_id = id;
    r.first_seq = r.last_seq = seq;
    r.n_actions = (int64_t)n;
    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *a = json_object_array_get_idx(actions, i);

        r.n_failed_actions += action_failed(a);
        rc = put_action(t, id, seq, a, &t->scratch2, err);
        if (!rc)
            rc = add_fields(&text, a, action_keys);
    }
    if (rc)
        goto out;
    /* the stored document is the record without its actions */
    doc = et__jnew_object();
    if (!doc) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    json_object_object_foreach(body, k, v)
    {
        if (strcmp(k, "execution") == 0 && exec &&
            json_object_is_type(exec, json_type_object)) {
            exec_copy = et__jnew_object();
            if (!exec_copy) {
                rc = et_error_set(err, ET_ENOMEM, "out of memory");
                goto out;
            }
            json_object_object_foreach(exec, ek, ev)
            {
                if (strcmp(ek, "actions_taken") != 0)
                    (void)et__jadd_ref(exec_copy, ek, ev);
            }
            if (et__jadd(doc, k, exec_copy))
                json_object_put(exec_copy);
        } else {
            (void)et__jadd_ref(doc, k, v);
        }
    }
    columns_from_doc(&r, doc);
    r.state = r.end_ns ? "completed" : "running";
    et_buf_reset(&t->scratch2);
    rc = et_json_canon(doc, &t->scratch2);
    if (rc) {
        rc = et_error_set(err, rc, "cannot encode record");
        goto out;
    }
    r.doc = t->scratch2.ptr;
    r.doc_len = t->scratch2.len;
    rc = et_store_exec_put(t->st, &r, true, err);
    if (!rc && r.session_id)
        rc = et_store_session_touch(t->st, r.session_id, r.start_ns, true, err);
    if (!rc) {
        struct et__rollup ru;

        et__rollup_of(&r, doc, &ru);
        rc = et__rollup_update(t, NULL, &ru, err);
    }
    if (!rc)
        rc = put_lists(t, id, r.start_ns, et__jget(body, "output"), err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = put_derived(t, id, r.start_ns,
                         json_object_array_get_idx(actions, i), err);
    if (!rc && et__jget(body, "issues"))
        rc = put_issues(t, id, str_at(body, "agent_metadata", "name"),
                        et__jget(body, "issues"),
                        r.end_ns ? r.end_ns : r.start_ns, NULL, NULL, &r, err);
    if (!rc)
        rc = add_fields(&text, et__jget(body, "main_agent_context"),
                        context_keys);
    if (!rc)
        rc = add_fields(&text, et__jget(body, "delegation"), delegation_keys);
    if (!rc)
        rc = add_fields(&text, et__jget(body, "output"), output_keys);
    if (!rc)
        rc = index_text(t, seq, id, &text, err);
out:
    if (rc == ET_ENOMEM || rc == ET_ETOOBIG)
        et_error_set(err, rc, "cannot index record text");
    json_object_put(doc);
    et_buf_release(&text);
    return rc;
}

/* Merge body's keys into doc; "execution" is merged one level down. */
static void merge_into(struct json_object *doc, struct json_object *body)
{
    json_object_object_foreach(body, k, v)
    {
        struct json_object *cur = et__jget(doc, k);

        if (strcmp(k, "execution") == 0 && cur &&
            json_object_is_type(cur, json_type_object) &&
            json_object_is_type(v, json_type_object)) {
            json_object_object_foreach(v, ek, ev)
            {
                (void)et__jadd_ref(cur, ek, ev);
            }
        } else {
            (void)et__jadd_ref(doc, k, v);
        }
    }
}

static int save_doc(struct et_trail *t, struct et_exec_row *r,
                    struct json_object *doc, const struct et__rollup *old,
                    struct et_error *err)
{
    struct et__rollup ru;
    int rc;

    columns_from_doc(r, doc);
    et__rollup_of(r, doc, &ru);
    rc = et__rollup_update(t, old, &ru, err);
    if (rc)
        return rc;
    et_buf_reset(&t->scratch2);
    rc = et_json_canon(doc, &t->scratch2);
    if (rc)
        return et_error_set(err, rc, "cannot encode record");
    r->doc = t->scratch2.ptr;
    r->doc_len = t->scratch2.len;
    return et_store_exec_put(t->st, r, false, err);
}

/* A copy of a row loaned by et_store_exec_get (its strings die at the
 * next store call), in one buffer. */
static int keep_row(struct et_exec_row *r, struct et_buf *b)
{
    const char **f[] = {&r->session_id,   &r->agent_name,  &r->agent_version,
                        &r->state,        &r->verification, &r->completeness,
                        &r->accuracy,     &r->efficiency};
    size_t at[ET_ARRAY_SIZE(f) + 1];
    int rc = ET_OK;

    et_buf_reset(b);
    for (size_t i = 0; !rc && i < ET_ARRAY_SIZE(f); i++) {
        at[i] = b->len;
        if (*f[i])
            rc = et_buf_add(b, *f[i], strlen(*f[i]) + 1);
    }
    at[ET_ARRAY_SIZE(f)] = b->len;
    if (!rc)
        rc = et_buf_add(b, r->doc, r->doc_len);
    if (rc)
        return rc;
    for (size_t i = 0; i < ET_ARRAY_SIZE(f); i++)
        if (*f[i])
            *f[i] = b->ptr + at[i];
    r->doc = b->ptr + at[ET_ARRAY_SIZE(f)];
    return ET_OK;
}

/*
 * An action joins its execution: the action row, its lists and text, and
 * the execution's counters and state. The execution's document (the record
 * without its actions) does not change, nor do the columns and rollups made
 * from it ("running" is not "completed"), so the document is carried over
 * as stored, not parsed and encoded again as the other phases do: an
 * action costs the same whatever the size of its execution's prompt.
 */
static int project_action(struct et_trail *t, uint64_t seq, const char *id,
                          struct json_object *body, struct et_error *err)
{
    struct et_exec_row r;
    struct et_buf row = ET_BUF_INIT, text = ET_BUF_INIT;
    int rc = et_store_exec_get(t->st, id, &r, err);

    if (rc)
        return rc;
    if (keep_row(&r, &row)) {
        et_buf_release(&row);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    r.execution_id = id;
    if (seq > r.last_seq)
        r.last_seq = seq;
    r.n_actions++;
    r.n_failed_actions += action_failed(body);
    if (r.state && (!strcmp(r.state, "started") || !strcmp(r.state, "delegated")))
        r.state = "running";
    rc = put_action(t, id, seq, body, &text, err);
    if (!rc)
        rc = put_derived(t, id, r.start_ns, body, err);
    et_buf_reset(&text);
    if (!rc)
        rc = add_fields(&text, body, action_keys);
    if (!rc)
        rc = et_store_exec_put(t->st, &r, false, err);
    if (!rc)
        rc = index_text(t, seq, id, &text, err);
    et_buf_release(&row);
    et_buf_release(&text);
    return rc;
}

/* The other lifecycle events: each changes part of an existing document. */
static int project_phase(struct et_trail *t, uint64_t seq, const char *type,
                         const char *id, int64_t ts_ns,
                         struct json_object *body, struct et_error *err)
{
    struct et_exec_row r;
    struct json_object *doc = NULL, *issues = NULL, *old_issues = NULL;
    struct et_buf text = ET_BUF_INIT;
    struct et__rollup old;
    struct et_exec_row old_row;
    char state[16], agent[256];
    int rc;

    rc = et_store_exec_get(t->st, id, &r, err);
    if (rc)
        return rc;
    snprintf(state, sizeof(state), "%s", r.state ? r.state : "");
    snprintf(agent, sizeof(agent), "%s", r.agent_name ? r.agent_name : "");
    rc = et_json_parse(r.doc, r.doc_len, NULL, &doc, err);
    if (rc)
        return et_error_prefix(err, "stored document of %s", id);
    /* what the reports counted for it so far, before r's strings go stale */
    et__rollup_of(&r, doc, &old);
    memset(&old_row, 0, sizeof(old_row));
    old_row.execution_id = id;
    old_row.agent_name = agent[0] ? agent : NULL;
    old_row.start_ns = r.start_ns;
    old_issues = json_object_get(et__jget(doc, "issues"));
    r.execution_id = id;
    r.state = state;
    if (seq > r.last_seq)
        r.last_seq = seq;
    if (!strcmp(type, "execution.delegated")) {
        et__jadd(doc, "delegation",
                 json_object_get(et__jget(body, "delegation")));
        snprintf(state, sizeof(state), "delegated");
        rc = add_fields(&text, et__jget(body, "delegation"), delegation_keys);
    } else if (!strcmp(type, "execution.responded")) {
        et__jadd(doc, "output", json_object_get(et__jget(body, "output")));
        snprintf(state, sizeof(state), "responded");
        rc = put_lists(t, id, r.start_ns, et__jget(body, "output"), err);
        if (!rc)
            rc = add_fields(&text, et__jget(body, "output"), output_keys);
    } else if (!strcmp(type, "execution.analysed")) {
        static const char *const keys[] = {"verification", "quality_metrics",
                                           "issues", "learning", "analysis"};

        for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++)
            if (et__jget(body, keys[i]))
                et__jadd(doc, keys[i],
                         json_object_get(et__jget(body, keys[i])));
        issues = et__jget(body, "issues");
    } else if (!strcmp(type, "execution.linked")) {
        /* OTLP: the delegating execution, known after this one was
         * recorded (its span arrived later) */
        et__jadd(doc, "parent_execution_id",
                 json_object_get(et__jget(body, "parent_execution_id")));
    } else if (!strcmp(type, "execution.completed")) {
        issues = et__jget(body, "issues");
        merge_into(doc, body);
        snprintf(state, sizeof(state), "completed");
        for (size_t i = 0;
             issues && !rc && json_object_is_type(issues, json_type_array) &&
             i < json_object_array_length(issues);
             i++)
            rc = add_fields(&text, json_object_array_get_idx(issues, i),
                            issue_keys);
    } else {
        /* unknown event types are kept in the ledger, not projected */
        goto out;
    }
    if (!rc)
        rc = save_doc(t, &r, doc, &old, err);
    if (!rc && issues)
        rc = put_issues(t, id, agent[0] ? agent : NULL, issues, ts_ns, &old_row,
                        old_issues, &r, err);
    if (!rc)
        rc = index_text(t, seq, id, &text, err);
out:
    json_object_put(old_issues);
    json_object_put(doc);
    et_buf_release(&text);
    return rc;
}

static int project_started(struct et_trail *t, uint64_t seq, const char *id,
                           struct json_object *body, struct et_error *err)
{
    struct et_exec_row r;
    struct et_buf text = ET_BUF_INIT;
    int rc;

    memset(&r, 0, sizeof(r));
    r.execution_id = id;
    r.first_seq = r.last_seq = seq;
    columns_from_doc(&r, body);
    r.state = "started";
    et_buf_reset(&t->scratch2);
    rc = et_json_canon(body, &t->scratch2);
    if (rc)
        return et_error_set(err, rc, "cannot encode record");
    r.doc = t->scratch2.ptr;
    r.doc_len = t->scratch2.len;
    rc = et_store_exec_put(t->st, &r, true, err);
    if (!rc && r.session_id)
        rc = et_store_session_touch(t->st, r.session_id, r.start_ns, true, err);
    if (!rc) {
        struct et__rollup ru;

        et__rollup_of(&r, body, &ru);
        rc = et__rollup_update(t, NULL, &ru, err);
    }
    if (!rc)
        rc = add_fields(&text, et__jget(body, "main_agent_context"),
                        context_keys);
    if (!rc)
        rc = index_text(t, seq, id, &text, err);
    et_buf_release(&text);
    return rc;
}

/* ---- subagent actions and bindings (docs/INTEGRATIONS.md) ---- */

/* Execution id is to be analysed again once the event is in (a completed
 * execution gained or lost an action): et__ingest_event runs the
 * completion hook for it. */
static int redo_add(struct et_trail *t, const char *id, struct et_error *err)
{
    for (size_t i = 0; i < t->n_redo; i++)
        if (!strcmp(t->redo[i], id))
            return ET_OK;
    if (t->n_redo == t->cap_redo) {
        size_t cap = t->cap_redo ? t->cap_redo * 2 : 4;
        char(*p)[37] = et__realloc(t->redo, cap * sizeof(*p));

        if (!p)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        t->redo = p;
        t->cap_redo = cap;
    }
    snprintf(t->redo[t->n_redo++], 37, "%s", id);
    return ET_OK;
}

static int state_of(struct et_trail *t, const char *id, char state[16],
                    struct et_error *err)
{
    struct et_exec_row r;
    int rc = et_store_exec_get(t->st, id, &r, err);

    state[0] = '\0';
    if (!rc)
        snprintf(state, 16, "%s", r.state ? r.state : "");
    return rc;
}

/* Action seq (body) joins execution id: its row, counters, lists, text
 * and credentials; an execution that had completed is analysed again. */
static int attach(struct et_trail *t, uint64_t seq, const char *id,
                  int64_t ts_ns, struct json_object *body, struct et_error *err)
{
    char state[16];
    int rc = state_of(t, id, state, NULL);

    if (rc == ET_ENOTFOUND)
        return ET_OK; /* erased: the action goes with it */
    if (rc)
        return state_of(t, id, state, err);
    ET_UNUSED(ts_ns);
    rc = project_action(t, seq, id, body, err);
    if (!rc)
        rc = et__security_project(t, seq, "action.recorded", id, body, err);
    if (!rc && !strcmp(state, "completed"))
        rc = redo_add(t, id, err);
    return rc;
}

struct lists_ctx {
    struct et_trail *t;
    const char *id;
    int64_t start_ns;
    struct et_error *err;
};

static int relist_action(void *ctx, const char *text, size_t len)
{
    struct lists_ctx *c = ctx;
    struct json_object *a = NULL;
    int rc = et_json_parse(text, len, NULL, &a, c->err);

    if (!rc)
        rc = put_derived(c->t, c->id, c->start_ns, a, c->err);
    json_object_put(a);
    return rc;
}

static int resecure_row(void *ctx, const struct et_event_row *row);

struct resecure_ctx {
    struct et_trail *t;
    const char *id;
    struct et_error *err;
};

/* The security reasons of execution id again, from the events it holds
 * now (after one of its actions moved away: et_store_lists_clear dropped
 * them with the lists). */
static int resecure(struct et_trail *t, const char *id, struct et_error *err)
{
    struct resecure_ctx c = {t, id, err};
    uint64_t *seqs = NULL;
    size_t n = 0;
    int rc = et_store_exec_seqs(t->st, id, &seqs, &n, err);

    for (size_t i = 0; !rc && i < n; i++)
        rc = et_store_read_range(t->st, seqs[i], seqs[i] + 1, resecure_row, &c,
                                 err);
    et__free(seqs);
    return rc;
}

static int resecure_row(void *ctx, const struct et_event_row *row)
{
    struct resecure_ctx *c = ctx;
    struct json_object *ev = NULL;
    int rc;

    if (!row->body)
        return ET_OK; /* erased */
    if (et_json_parse(row->body, row->body_len, NULL, &ev, NULL))
        return et_error_set(c->err, ET_EINTEGRITY, "event %llu is damaged",
                            (unsigned long long)row->seq);
    rc = et__security_project(c->t, row->seq, row->type, c->id,
                              et__jget(ev, "body"), c->err);
    json_object_put(ev);
    return rc;
}

/* Action body left execution id (its row is already gone): counters,
 * lists and security reasons follow; a completed execution is analysed
 * again. */
static int detach(struct et_trail *t, const char *id, struct json_object *body,
                  struct et_error *err)
{
    struct et_exec_row r;
    struct json_object *doc = NULL;
    struct et__rollup old;
    char state[16];
    int rc = et_store_exec_get(t->st, id, &r, err);

    if (rc == ET_ENOTFOUND)
        return ET_OK;
    if (rc)
        return rc;
    snprintf(state, sizeof(state), "%s", r.state ? r.state : "");
    rc = et_json_parse(r.doc, r.doc_len, NULL, &doc, err);
    if (rc)
        return et_error_prefix(err, "stored document of %s", id);
    et__rollup_of(&r, doc, &old);
    r.execution_id = id;
    r.state = state;
    if (r.n_actions > 0)
        r.n_actions--;
    if (r.n_failed_actions > 0 && action_failed(body))
        r.n_failed_actions--;
    rc = save_doc(t, &r, doc, &old, err);
    if (!rc)
        rc = et_store_lists_clear(t->st, id, err);
    if (!rc)
        rc = put_lists(t, id, r.start_ns, et__jget(doc, "output"), err);
    if (!rc) {
        struct lists_ctx c = {t, id, r.start_ns, err};

        rc = et_store_actions_get(t->st, id, relist_action, &c, err);
    }
    if (!rc)
        rc = resecure(t, id, err);
    if (!rc && !strcmp(state, "completed"))
        rc = redo_add(t, id, err);
    json_object_put(doc);
    return rc;
}

/* The body of ledger event seq (NULL when erased). */
struct event_ctx {
    struct json_object *body;
    int64_t ts_ns;
};

static int grab_body(void *ctx, const struct et_event_row *row)
{
    struct event_ctx *c = ctx;
    struct json_object *ev = NULL;

    c->ts_ns = row->ts_ns;
    if (!row->body)
        return ET_OK;
    if (et_json_parse(row->body, row->body_len, NULL, &ev, NULL))
        return ET_EINTEGRITY;
    c->body = json_object_get(et__jget(ev, "body"));
    json_object_put(ev);
    return ET_OK;
}

/* A subagent's action ({session_id, agent_id, ...} in body): owned by the
 * execution its agent is bound to, else by the event's execution, else by
 * none until a binding comes. */
static int project_agent_action(struct et_trail *t, uint64_t seq,
                                const char *execution_id, int64_t ts_ns,
                                struct json_object *body, struct et_error *err)
{
    const char *session = et__jstr(body, "session_id");
    const char *agent = et__jstr(body, "agent_id");
    char owner[37];
    int rc = et_store_agent_binding(t->st, session, agent, owner, err);

    if (rc == ET_ENOTFOUND) {
        snprintf(owner, sizeof(owner), "%s", execution_id ? execution_id : "");
        rc = ET_OK;
    }
    if (!rc)
        rc = et_store_agent_action_put(t->st, seq, session, agent,
                                       owner[0] ? owner : NULL, err);
    if (!rc && owner[0])
        rc = attach(t, seq, owner, ts_ns, body, err);
    return rc;
}

/* execution.bound: the agent's actions follow it to execution id. */
static int project_bound(struct et_trail *t, const char *id,
                         struct json_object *body, struct et_error *err)
{
    const char *session = et__jstr(body, "session_id");
    const char *agent = et__jstr(body, "agent_id");
    struct et_store_moved *m = NULL;
    size_t n = 0;
    int rc;

    if (!session || !agent)
        return ET_OK; /* "unbound": its agent's next binding moves them */
    rc = et_store_agent_bind(t->st, session, agent, id, &m, &n, err);
    for (size_t i = 0; !rc && i < n; i++) {
        struct event_ctx c = {NULL, 0};

        rc = et_store_read_range(t->st, m[i].seq, m[i].seq + 1, grab_body, &c,
                                 err);
        if (rc == ET_EINTEGRITY)
            rc = et_error_set(err, rc, "event %llu is damaged",
                              (unsigned long long)m[i].seq);
        if (!rc && c.body && m[i].from[0])
            rc = detach(t, m[i].from, c.body, err);
        if (!rc && c.body)
            rc = attach(t, m[i].seq, id, c.ts_ns, c.body, err);
        json_object_put(c.body);
    }
    et__free(m);
    return rc;
}

static bool is_agent_action(const char *type, struct json_object *body)
{
    return !strcmp(type, "action.recorded") && et__jstr(body, "session_id") &&
           et__jstr(body, "agent_id");
}

int et__project(struct et_trail *t, uint64_t seq, const char *type,
                const char *execution_id, int64_t ts_ns,
                struct json_object *body, struct et_error *err)
{
    int rc;

    if (!strncmp(type, "retention.", 10))
        return et__project_retention(t, seq, type, execution_id, ts_ns, body,
                                     err);
    rc = et__ret_forget_flush(t, err);
    if (rc)
        return rc;
    if (et__note_type(type)) /* notes: note.c, with or without execution */
        return et__note_project(t, seq, type, execution_id, ts_ns, body, err);
    if (is_agent_action(type, body))
        return project_agent_action(t, seq, execution_id, ts_ns, body, err);
    if (!execution_id)
        return ET_OK;
    if (!strcmp(type, "execution.bound"))
        return project_bound(t, execution_id, body, err);
    if (!strcmp(type, "execution.recorded"))
        rc = project_recorded(t, seq, execution_id, body, err);
    else if (!strcmp(type, "execution.started"))
        rc = project_started(t, seq, execution_id, body, err);
    else if (!strcmp(type, "action.recorded"))
        rc = project_action(t, seq, execution_id, body, err);
    else
        rc = project_phase(t, seq, type, execution_id, ts_ns, body, err);
    return rc ? rc
              : et__security_project(t, seq, type, execution_id, body, err);
}
