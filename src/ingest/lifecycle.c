/* SPDX-License-Identifier: MIT */
/*
 * The spec's phases as separate calls: start (pre-delegation), delegate,
 * action (execution), respond, complete. Each validates its fragment,
 * checks the execution's state inside the write transaction, and appends
 * one event per change.
 */
#include "base/setup.h"
#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "model/record.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "exectrail/analysis.h"

static int parse_object(const char *json, size_t len, const char *what,
                        struct json_object **out, struct et_error *err)
{
    int rc = et_json_parse(json, len, NULL, out, err);

    if (rc)
        return rc;
    if (!json_object_is_type(*out, json_type_object)) {
        rc = et_error_set(err, ET_EINPUT, "%s: expected object, got %s", what,
                          et_json_type_name(*out));
        json_object_put(*out);
        *out = NULL;
    }
    return rc;
}

static void add_now(struct json_object *o, const char *key)
{
    struct json_object *v = et__jget(o, key);
    char when[ET_RFC3339_MAX];

    if (v && !json_object_is_type(v, json_type_null))
        return;
    et_time_format(et_time_now_ns(), when);
    et__jadd(o, key, et__jnew_string(when));
}

/* main_agent_context.success_criteria: an array of criteria that compile
 * (docs/ANALYSIS.md), so a typo is reported at start, not at complete. */
static int check_criteria(struct json_object *doc, struct et_error *err)
{
    struct json_object *list =
        et__jget(et__jget(doc, "main_agent_context"), "success_criteria");
    size_t n;

    if (!list || json_object_is_type(list, json_type_null))
        return ET_OK;
    if (!json_object_is_type(list, json_type_array))
        return et_error_set(err, ET_EINPUT,
                            "main_agent_context.success_criteria: expected "
                            "an array of criteria, got %s",
                            et_json_type_name(list));
    n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(list, i);
        int rc;

        if (!json_object_is_type(c, json_type_string))
            return et_error_set(err, ET_EINPUT,
                                "main_agent_context.success_criteria[%zu]: "
                                "expected string, got %s",
                                i, et_json_type_name(c));
        rc = et_criterion_check(json_object_get_string(c),
                                (size_t)json_object_get_string_len(c), err);
        if (rc) {
            et_error_prefix(err, "main_agent_context.success_criteria[%zu]", i);
            return rc;
        }
    }
    return ET_OK;
}

static const char *const later_keys[] = {
    "delegation",      "execution", "output",   "verification",
    "quality_metrics", "issues",    "learning", "timestamp_end",
    "duration_ms",     NULL};

static int trail_start_(struct et_trail *t, const char *json, size_t len,
                        char id_out[37], struct et_error *err)
{
    struct json_object *doc = NULL, *v;
    char id[37];
    int rc;

    id_out[0] = '\0';
    rc = parse_object(json, len, "start", &doc, err);
    if (rc)
        return rc;
    for (const char *const *k = later_keys; *k; k++) {
        if (et__jget(doc, *k)) {
            rc = et_error_set(err, ET_EINPUT,
                              "%s: belongs to a later phase, not to start", *k);
            goto out;
        }
    }
    add_now(doc, "timestamp_start");
    rc = et__record_check(doc, "", 0, err);
    if (!rc)
        rc = check_criteria(doc, err);
    if (rc)
        goto out;
    if (!et__jstr(doc, "session_id")) {
        rc = et_error_set(err, ET_EINPUT,
                          "session_id: missing mandatory "
                          "field");
        goto out;
    }
    if (!et__jstr(et__jget(doc, "agent_metadata"), "name") ||
        !*et__jstr(et__jget(doc, "agent_metadata"), "name")) {
        rc = et_error_set(err, ET_EINPUT,
                          "agent_metadata.name: missing mandatory field");
        goto out;
    }
    v = et__jget(doc, "execution_id");
    if (v && !json_object_is_type(v, json_type_null)) {
        snprintf(id, sizeof(id), "%s", json_object_get_string(v));
    } else {
        rc = et_uuid_v4(id);
        if (rc) {
            rc = et_error_set(err, rc, "no entropy for an execution_id");
            goto out;
        }
        et__jadd(doc, "execution_id", et__jnew_string(id));
    }
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    {
        struct et_exec_row row;

        if (et_store_exec_get(t->st, id, &row, NULL) == ET_OK)
            rc = et_error_set(err, ET_EEXIST,
                              "execution_id: %s is already recorded", id);
    }
    if (!rc)
        rc = et__ingest_event(t, "execution.started", id, doc, NULL, err);
    if (rc)
        et__unit_abort(t);
    else
        rc = et__unit_commit(t, err);
    if (!rc)
        memcpy(id_out, id, sizeof(id));
out:
    json_object_put(doc);
    return rc;
}

/*
 * Start a phase on an existing execution: resolve the id, open the
 * transaction and check that the execution's state allows the phase.
 * allowed is a NULL-terminated list of states.
 */
static int open_phase(struct et_trail *t, const char *idp, char id[37],
                      const char *verb, const char *const *allowed,
                      struct et_exec_row *row, struct et_error *err)
{
    int rc = et_store_exec_resolve(t->st, idp, id, err);

    if (rc)
        return rc;
    rc = et__ingest_begin(t, err);
    if (rc)
        return rc;
    rc = et_store_exec_get(t->st, id, row, err);
    if (rc) {
        et__unit_abort(t);
        return rc;
    }
    for (; *allowed; allowed++)
        if (row->state && !strcmp(row->state, *allowed))
            return ET_OK;
    rc = et_error_set(err, ET_ESTATE, "cannot %s execution %s: it is %s", verb,
                      id, row->state ? row->state : "in no state");
    et__unit_abort(t);
    return rc;
}

static int finish(struct et_trail *t, int rc, struct et_error *err)
{
    if (rc) {
        et__unit_abort(t);
        return rc;
    }
    return et__unit_commit(t, err);
}

/* body = {key: frag} after checking frag at path. */
static int wrap_phase(struct et_trail *t, const char *idp, const char *json,
                      size_t len, const char *key, const char *verb,
                      const char *type, const char *const *allowed,
                      const char *mandatory, struct et_error *err)
{
    struct json_object *frag = NULL, *body = NULL;
    struct et_exec_row row;
    char id[37];
    int rc = parse_object(json, len, key, &frag, err);

    if (rc)
        return rc;
    rc = et__record_check(frag, key, 0, err);
    if (!rc && mandatory && !et__jget(frag, mandatory))
        rc = et_error_set(err, ET_EINPUT, "%s.%s: missing mandatory field", key,
                          mandatory);
    if (rc)
        goto out;
    body = et__jnew_object();
    if (!body) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    et__jadd(body, key, json_object_get(frag));
    rc = open_phase(t, idp, id, verb, allowed, &row, err);
    if (rc)
        goto out;
    rc = et__ingest_event(t, type, id, body, NULL, err);
    rc = finish(t, rc, err);
out:
    json_object_put(frag);
    json_object_put(body);
    return rc;
}

static int trail_delegate_(struct et_trail *t, const char *id, const char *json,
                           size_t len, struct et_error *err)
{
    static const char *const allowed[] = {"started", NULL};

    return wrap_phase(t, id, json, len, "delegation", "delegate",
                      "execution.delegated", allowed, "prompt_sent", err);
}

static int trail_respond_(struct et_trail *t, const char *id, const char *json,
                          size_t len, struct et_error *err)
{
    static const char *const allowed[] = {"started", "delegated", "running",
                                          NULL};

    return wrap_phase(t, id, json, len, "output", "respond to",
                      "execution.responded", allowed, NULL, err);
}

/* Check one action; give it a sequence after `last` if it has none. */
static int prepare_action(struct json_object *a, size_t index, int64_t *last,
                          struct et_error *err)
{
    struct json_object *sq;
    int rc;

    if (!json_object_is_type(a, json_type_object))
        return et_error_set(err, ET_EINPUT,
                            "execution.actions_taken[%zu]: expected object, "
                            "got %s",
                            index, et_json_type_name(a));
    add_now(a, "timestamp");
    sq = et__jget(a, "sequence");
    if (!sq || json_object_is_type(sq, json_type_null))
        et__jadd(a, "sequence", et__jnew_int64(*last + 1));
    rc = et__record_check(a, "execution.actions_taken[]", ET_CHECK_COMPLETE,
                          err);
    if (rc)
        return et_error_prefix(err, "action %zu", index + 1);
    sq = et__jget(a, "sequence");
    if (json_object_get_int64(sq) <= *last)
        return et_error_set(err, ET_EINPUT,
                            "execution.actions_taken[%zu].sequence: %lld is "
                            "not after the last recorded sequence %lld",
                            index, (long long)json_object_get_int64(sq),
                            (long long)*last);
    *last = json_object_get_int64(sq);
    return ET_OK;
}

static int trail_action_(struct et_trail *t, const char *idp, const char *json,
                         size_t len, uint64_t *n_out, struct et_error *err)
{
    static const char *const allowed[] = {"started", "delegated", "running",
                                          NULL};
    struct json_object *in = NULL, *arr = NULL;
    struct et_exec_row row;
    int64_t last = 0;
    char id[37];
    size_t n;
    int rc;

    if (n_out)
        *n_out = 0;
    rc = et_json_parse(json, len, NULL, &in, err);
    if (rc)
        return rc;
    if (json_object_is_type(in, json_type_array)) {
        arr = json_object_get(in);
    } else {
        arr = et__jnew_array();
        if (arr)
            et__jappend(arr, json_object_get(in));
    }
    if (!arr) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    n = json_object_array_length(arr);
    if (n == 0) {
        rc = et_error_set(err, ET_EINPUT, "no actions given");
        goto out;
    }
    rc = open_phase(t, idp, id, "record an action of", allowed, &row, err);
    if (rc)
        goto out;
    rc = et_store_action_last(t->st, id, &last, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = prepare_action(json_object_array_get_idx(arr, i), i, &last, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = et__ingest_event(t, "action.recorded", id,
                              json_object_array_get_idx(arr, i), NULL, err);
    rc = finish(t, rc, err);
    if (!rc && n_out)
        *n_out = n;
out:
    json_object_put(in);
    json_object_put(arr);
    return rc;
}

static const char *const complete_keys[] = {
    "timestamp_end", "duration_ms", "verification", "quality_metrics",
    "issues",        "learning",    "execution",    NULL};

/* Check the closing fragment against the record as it stands. */
static int check_complete(struct json_object *frag, const char *start,
                          struct et_error *err)
{
    struct json_object *probe, *ex;
    int rc;

    json_object_object_foreach(frag, k, v)
    {
        bool known = false;

        ET_UNUSED(v);
        for (const char *const *c = complete_keys; *c; c++)
            known = known || !strcmp(k, *c);
        if (!known &&
            (!strcmp(k, "delegation") || !strcmp(k, "output") ||
             !strcmp(k, "main_agent_context") || !strcmp(k, "agent_metadata")))
            return et_error_set(err, ET_EINPUT,
                                "%s: belongs to an earlier phase, not to "
                                "complete",
                                k);
    }
    ex = et__jget(frag, "execution");
    if (ex && et__jget(ex, "actions_taken"))
        return et_error_set(err, ET_EINPUT,
                            "execution.actions_taken: record actions with "
                            "'exectrail action'");
    add_now(frag, "timestamp_end");
    /* validate the fragment as a partial record that includes the start
     * time, so duration_ms is derived or checked against it */
    probe = et__jnew_object();
    if (!probe)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    json_object_object_foreach(frag, k2, v2)
    {
        et__jadd(probe, k2, json_object_get(v2));
    }
    if (start)
        et__jadd(probe, "timestamp_start", et__jnew_string(start));
    rc = et__record_check(probe, "", 0, err);
    if (!rc) {
        /* copy back what the check normalised or derived */
        json_object_object_foreach(probe, k3, v3)
        {
            if (strcmp(k3, "timestamp_start") != 0)
                et__jadd(frag, k3, json_object_get(v3));
        }
    }
    json_object_put(probe);
    return rc;
}

static int trail_complete_(struct et_trail *t, const char *idp,
                           const char *json, size_t len, struct et_error *err)
{
    static const char *const allowed[] = {"started", "delegated", "running",
                                          "responded", NULL};
    struct json_object *frag = NULL, *doc = NULL;
    struct et_exec_row row;
    char id[37], start[ET_RFC3339_MAX] = "";
    int rc;

    rc = parse_object(json && len ? json : "{}", json && len ? len : 2,
                      "complete", &frag, err);
    if (rc)
        return rc;
    rc = open_phase(t, idp, id, "complete", allowed, &row, err);
    if (rc)
        goto out;
    if (row.start_ns)
        et_time_format(row.start_ns, start);
    rc = check_complete(frag, start[0] ? start : NULL, err);
    if (!rc)
        rc = et__ingest_event(t, "execution.completed", id, frag, NULL, err);
    rc = finish(t, rc, err);
out:
    json_object_put(frag);
    json_object_put(doc);
    return rc;
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_start(struct et_trail *t, const char *json, size_t len,
                   char id_out[37], struct et_error *err)
{
    return et__scrub_error(t, trail_start_(t, json, len, id_out, err), err);
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_delegate(struct et_trail *t, const char *id, const char *json,
                      size_t len, struct et_error *err)
{
    return et__scrub_error(t, trail_delegate_(t, id, json, len, err), err);
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_respond(struct et_trail *t, const char *id, const char *json,
                     size_t len, struct et_error *err)
{
    return et__scrub_error(t, trail_respond_(t, id, json, len, err), err);
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_action(struct et_trail *t, const char *idp, const char *json,
                    size_t len, uint64_t *n_recorded_out, struct et_error *err)
{
    return et__scrub_error(
        t, trail_action_(t, idp, json, len, n_recorded_out, err), err);
}

/* The public entry: error messages never quote a secret from the input. */
int et_trail_complete(struct et_trail *t, const char *idp, const char *json,
                      size_t len, struct et_error *err)
{
    return et__scrub_error(t, trail_complete_(t, idp, json, len, err), err);
}
