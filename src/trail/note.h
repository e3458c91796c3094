/* SPDX-License-Identifier: MIT */
/*
 * Notes and human scores inside the trail (note.c): the projection of
 * execution.note / execution.scored events and the `feedback` extension
 * key that show adds to a record (docs/NOTES.md).
 */
#ifndef ET_TRAIL_NOTE_H
#define ET_TRAIL_NOTE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "exectrail/error.h"

struct et_trail;

#define ET_EV_NOTE   "execution.note"
#define ET_EV_SCORED "execution.scored"

/* Is type one of the two note event types? */
bool et__note_type(const char *type);

/*
 * Project one note event: its row in the notes table, its text in the
 * full-text index (so `search` finds the execution, or the free-form
 * note), and for an execution's note the security classification.
 * execution_id may be NULL (a free-form note).
 */
ET_NODISCARD int et__note_project(struct et_trail *t, uint64_t seq,
                                  const char *type, const char *execution_id,
                                  int64_t ts_ns, struct json_object *body,
                                  struct et_error *err);

/*
 * Add rec.feedback {notes[], scores[], human_score, quality_score} when
 * execution id has notes or scores (nothing otherwise). Runs inside the
 * caller's transaction.
 */
ET_NODISCARD int et__note_attach(struct et_trail *t, const char *id,
                                 struct json_object *rec, struct et_error *err);

#endif /* ET_TRAIL_NOTE_H */
