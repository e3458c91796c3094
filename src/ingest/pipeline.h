/* SPDX-License-Identifier: MIT */
/*
 * The one ingest pipeline (pipeline.c): every writer opens a unit with
 * et__ingest_begin, appends events with et__ingest_event and closes it
 * with et__unit_commit or et__unit_abort (src/trail/trail_int.h); bulk
 * writers wrap many units in a batch (et__batch_begin/commit).
 */
#ifndef ET_INGEST_PIPELINE_H
#define ET_INGEST_PIPELINE_H

#include "trail/trail_int.h"

/* Open a write unit (et__unit_begin) and append the config events the
 * redaction settings and the capture table call for. */
ET_NODISCARD int et__ingest_begin(struct et_trail *t, struct et_error *err);

/*
 * Append one event: {"body":body,"execution_id":id,"seq":n,"ts":now,
 * "type":type,"v":1} in canonical bytes, then project it. The type's row of
 * the event table (model/events.h) is checked first; body is borrowed and
 * redacted in place. *seq_out (may be NULL) receives its sequence number.
 * An event that completes an execution runs the completion hook.
 */
ET_NODISCARD int et__ingest_event(struct et_trail *t, const char *type,
                                  const char *execution_id,
                                  struct json_object *body, uint64_t *seq_out,
                                  struct et_error *err);

/*
 * Execution id has just completed inside the current write transaction
 * (trigger names the writer: "complete", "hook"): runs the completion hook
 * the trail was opened with (the analysis, which appends an
 * `execution.analysed` event unless it is off). Writers call this, never
 * the analysis itself (docs/internals/LAYERS.md).
 */
ET_NODISCARD int et__ingest_completed(struct et_trail *t, const char *id,
                                      const char *trigger,
                                      struct et_error *err);

#endif /* ET_INGEST_PIPELINE_H */
