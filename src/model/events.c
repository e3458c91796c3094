/* SPDX-License-Identifier: MIT */
/* The event-type table (model/events.h, docs/LEDGER.md "Event types"). */
#include "base/setup.h"
#include "codec/json.h"
#include "model/events.h"

static const char *const k_delegation[] = {"delegation", NULL};
static const char *const k_output[] = {"output", NULL};
static const char *const k_tool[] = {"tool", NULL};
static const char *const k_binding[] = {"binding", NULL};
static const char *const k_status[] = {"status", NULL};
static const char *const k_session[] = {"session_id", NULL};
static const char *const k_note[] = {"uuid", "text", NULL};
static const char *const k_score[] = {"uuid", "score", NULL};

/* Sorted by name (et__event_type searches it). */
static const struct et__event_type types[] = {
    {"action.recorded", ET__EV_EXEC | ET__EV_HELD, k_tool},
    {"config.changed", ET__EV_NO_EXEC, NULL},
    {"config.warning", ET__EV_NO_EXEC, NULL},
    {"execution.analysed", ET__EV_EXEC, NULL},
    {"execution.bound", ET__EV_EXEC, k_binding},
    {"execution.completed", ET__EV_EXEC | ET__EV_COMPLETES, NULL},
    {"execution.delegated", ET__EV_EXEC, k_delegation},
    {"execution.launched", ET__EV_EXEC, k_status},
    {"execution.note", 0, k_note},
    {"execution.recorded", ET__EV_EXEC, NULL},
    {"execution.responded", ET__EV_EXEC, k_output},
    {"execution.scored", ET__EV_EXEC, k_score},
    {"execution.started", ET__EV_EXEC, NULL},
    {"retention.erased", ET__EV_EXEC, NULL},
    {"retention.hold", ET__EV_EXEC, NULL},
    {"retention.restored", ET__EV_EXEC, NULL},
    {"retention.run", ET__EV_NO_EXEC, NULL},
    {"retention.task", ET__EV_NO_EXEC, NULL},
    {"retention.unhold", ET__EV_EXEC, NULL},
    {"session.hook", ET__EV_NO_EXEC, k_session},
    {"session.subagent_stopped", ET__EV_NO_EXEC, k_session},
    {"session.tool", 0, k_session},
    {"session.tool_requested", 0, k_session},
    {"subagent.stopped", ET__EV_EXEC, NULL},
    {"tool.requested", ET__EV_EXEC, k_tool},
};

unsigned et__event_type_count(void)
{
    return (unsigned)ET_ARRAY_SIZE(types);
}

const struct et__event_type *et__event_type_at(unsigned i)
{
    return i < ET_ARRAY_SIZE(types) ? &types[i] : NULL;
}

const struct et__event_type *et__event_type(const char *type)
{
    size_t lo = 0, hi = ET_ARRAY_SIZE(types);

    while (type && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(type, types[mid].name);

        if (!c)
            return &types[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int et__event_check(const char *type, const char *execution_id,
                    struct json_object *body, const struct et__event_type **out,
                    struct et_error *err)
{
    const struct et__event_type *e = et__event_type(type);
    bool has_exec = execution_id && *execution_id;

    if (out)
        *out = e;
    if (!e)
        return et_error_set(err, ET_EINPUT,
                            "type: '%s' is not an event type this version "
                            "records",
                            type ? type : "(none)");
    if (!body || !json_object_is_type(body, json_type_object))
        return et_error_set(err, ET_EINPUT, "%s: body: expected an object",
                            e->name);
    if ((e->flags & ET__EV_EXEC) && !has_exec &&
        !((e->flags & ET__EV_HELD) && et__jstr(body, "session_id") &&
          et__jstr(body, "agent_id")))
        return et_error_set(err, ET_EINPUT, "%s: execution_id: missing",
                            e->name);
    if ((e->flags & ET__EV_NO_EXEC) && has_exec)
        return et_error_set(err, ET_EINPUT,
                            "%s: execution_id: not allowed on this event",
                            e->name);
    for (const char *const *k = e->required; k && *k; k++)
        if (!et__jget(body, *k))
            return et_error_set(err, ET_EINPUT, "%s: body.%s: missing", e->name,
                                *k);
    return ET_OK;
}
