/* SPDX-License-Identifier: MIT */
/*
 * The ledger's event types: one table, keyed by type, of what an event must
 * carry before it is hashed into the ledger (an execution id or none, body
 * keys) and what appending it sets off (the completion hook). The one write
 * pipeline checks every event against it (src/ingest/pipeline.c); adapters
 * only map their input to these events. Reference: docs/LEDGER.md "Event
 * types".
 */
#ifndef ET_MODEL_EVENTS_H
#define ET_MODEL_EVENTS_H

#include <json-c/json.h>

#include "exectrail/error.h"

enum {
    ET__EV_EXEC = 1u << 0,      /* needs an execution_id */
    ET__EV_NO_EXEC = 1u << 1,   /* must not carry one */
    ET__EV_HELD = 1u << 2,      /* may go without one when the body names
                                   its agent (session_id, agent_id) */
    ET__EV_COMPLETES = 1u << 3, /* the execution has completed: the
                                   completion hook runs (the analysis) */
};

struct et__event_type {
    const char *name;
    unsigned flags;
    const char *const *required; /* body keys, NULL-terminated; may be NULL */
};

/* The entry of type, NULL when the type is not known. */
const struct et__event_type *et__event_type(const char *type);

/* The number of entries and entry i (for docs and tests). */
unsigned et__event_type_count(void);
const struct et__event_type *et__event_type_at(unsigned i);

/*
 * Check one event before it is appended: the type is known, the execution
 * id is there (or not) as the type says, body is an object with the
 * required keys. ET_EINPUT with a message naming the field otherwise; *out
 * (may be NULL) receives the entry.
 */
ET_NODISCARD int et__event_check(const char *type, const char *execution_id,
                                 struct json_object *body,
                                 const struct et__event_type **out,
                                 struct et_error *err);

#endif /* ET_MODEL_EVENTS_H */
