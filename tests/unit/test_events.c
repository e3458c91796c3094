/* SPDX-License-Identifier: MIT */
/*
 * The event-type table (model/events.h): every event the write pipeline
 * appends is checked against it, so an unknown type, a missing or
 * forbidden execution id or a missing body key is refused with the field
 * named and nothing is appended; an execution.completed runs the
 * completion hook whoever wrote it.
 */
#include "base/setup.h"
#include "model/events.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "t.h"

#include <stdio.h>

T_TEST(table_is_sorted_and_every_entry_found)
{
    unsigned n = et__event_type_count();

    T_ASSERT(n > 10);
    for (unsigned i = 0; i < n; i++) {
        const struct et__event_type *e = et__event_type_at(i);

        T_ASSERT(e != NULL);
        if (i)
            T_ASSERT(strcmp(et__event_type_at(i - 1)->name, e->name) < 0);
        T_ASSERT(et__event_type(e->name) == e);
    }
    T_ASSERT(et__event_type("execution.nope") == NULL);
    T_ASSERT(et__event_type(NULL) == NULL);
    T_ASSERT(et__event_type_at(n) == NULL);
}

static struct json_object *obj(const char *json)
{
    return json_tokener_parse(json);
}

T_TEST(check_names_the_field)
{
    struct et_error err = ET_ERROR_INIT;
    struct json_object *empty = obj("{}");
    struct json_object *held = obj("{\"tool\":\"Bash\",\"session_id\":\"s\","
                                   "\"agent_id\":\"a\"}");
    struct json_object *tool = obj("{\"tool\":\"Bash\"}");
    const struct et__event_type *e = NULL;

    T_ASSERT_RC(et__event_check("made.up", "x", empty, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "type: 'made.up'");
    T_ASSERT_RC(et__event_check("execution.started", NULL, empty, NULL, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "execution.started: execution_id: missing");
    T_ASSERT_RC(et__event_check("config.changed", "x", empty, NULL, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "not allowed");
    T_ASSERT_RC(et__event_check("execution.delegated", "x", empty, NULL, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "body.delegation: missing");
    T_ASSERT_RC(et__event_check("execution.started", "x", NULL, NULL, &err),
                ET_EINPUT);
    /* a subagent's action may wait for its execution, if it names its agent */
    T_ASSERT_OK(et__event_check("action.recorded", NULL, held, &e, &err));
    T_ASSERT(e && !strcmp(e->name, "action.recorded"));
    T_ASSERT_RC(et__event_check("action.recorded", NULL, tool, NULL, &err),
                ET_EINPUT);
    T_ASSERT_OK(et__event_check("execution.completed", "x", empty, &e, &err));
    T_ASSERT(e->flags & ET__EV_COMPLETES);
    json_object_put(empty);
    json_object_put(held);
    json_object_put(tool);
}

static int completions;

static int count_completion(struct et_trail *t, const char *id,
                            const char *trigger, struct et_error *err)
{
    (void)t;
    (void)id;
    (void)err;
    completions += !strcmp(trigger, "complete");
    return ET_OK;
}

T_TEST(pipeline_refuses_and_appends_nothing)
{
    char path[512];
    struct et_trail *t = NULL;
    struct et_error err = ET_ERROR_INIT;
    struct json_object *body = obj("{\"session_id\":\"s\","
                                   "\"timestamp_start\":"
                                   "\"2025-01-16T10:30:00Z\"}");
    struct json_object *end = obj("{\"timestamp_end\":"
                                  "\"2025-01-16T10:31:00Z\"}");
    uint64_t size;

    snprintf(path, sizeof(path), "%s/events/trail.db", t_tmpdir());
    T_ASSERT_OK(et__trail_open(path, ET_OPEN_CREATE, &t, NULL, &err));
    t->on_complete = count_completion;
    T_ASSERT_OK(et__ingest_begin(t, &err));
    size = t->tree.size;
    T_ASSERT_RC(
        et__ingest_event(t, "execution.strated", "e1", body, NULL, &err),
        ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "execution.strated");
    T_ASSERT_RC(
        et__ingest_event(t, "execution.started", NULL, body, NULL, &err),
        ET_EINPUT);
    T_ASSERT_INT_EQ(t->tree.size, size); /* nothing hashed, nothing stored */
    T_ASSERT_OK(
        et__ingest_event(t, "execution.started", "e1", body, NULL, &err));
    T_ASSERT_OK(
        et__ingest_event(t, "execution.completed", "e1", end, NULL, &err));
    T_ASSERT_INT_EQ(completions, 1); /* the pipeline ran the hook itself */
    T_ASSERT_OK(et__unit_commit(t, &err));
    T_ASSERT_INT_EQ(t->tree.size, size + 2);
    json_object_put(body);
    json_object_put(end);
    et_trail_close(t);
}

T_MAIN("events", T_CASE(table_is_sorted_and_every_entry_found),
       T_CASE(check_names_the_field),
       T_CASE(pipeline_refuses_and_appends_nothing))
