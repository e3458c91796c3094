/* SPDX-License-Identifier: MIT */
/*
 * The execution record inside the library: validation and normalisation of
 * the spec's JSON record (or one fragment of it) in place, its canonical
 * shape, and the conversions between JSON and struct et_record.
 */
#ifndef ET_MODEL_RECORD_H
#define ET_MODEL_RECORD_H

#include <json-c/json.h>

#include "exectrail/error.h"
#include "exectrail/record.h"

enum et_check_flags {
    ET_CHECK_COMPLETE = 1 << 0, /* mandatory fields must be present */
};

/*
 * Validate and normalise, in place, a JSON fragment that sits at `path` of
 * the spec record: "" = the whole record; or one of "main_agent_context",
 * "agent_metadata", "delegation", "execution", "execution.actions_taken[]"
 * (one action object), "output", "verification", "quality_metrics",
 * "issues[]" (one issue), "learning". frag is borrowed and modified:
 * timestamps become UTC "YYYY-MM-DDTHH:MM:SS.mmmZ", UUIDs lower case,
 * duration_ms (whole record), delegation.prompt_length and, in the whole
 * record only, missing action sequences are added. Unknown keys are kept.
 * With ET_CHECK_COMPLETE the mandatory fields must be present (and not null)
 * wherever the fragment holds them; without it only types and values are
 * checked.
 *
 * Returns ET_OK; ET_EINPUT with err->msg naming the full JSON path of the
 * first problem (for the one-item fragments the path starts with
 * "execution.actions_taken[]" or "issues[]"), e.g.
 *   "delegation.prompt_length: expected integer, got string"
 *   "verification.status: expected one of MATCH, PARTIAL, MISMATCH, ERROR,
 *    got \"OK\""
 *   "session_id: missing mandatory field"
 *   "duration_ms: 1000 disagrees with timestamp_end - timestamp_start =
 *    135234"
 * ET_EINVAL for an unknown path; ET_ENOMEM on allocation failure (frag may
 * then be partly normalised). Idempotent.
 */
ET_NODISCARD int et__record_check(struct json_object *frag, const char *path,
                                  unsigned flags, struct et_error *err);

/*
 * A new object holding the record doc (borrowed, not modified) in the spec's
 * shape: every spec key present in the spec's order (absent or null lists
 * -> [], other absent keys -> null), unknown keys kept after the spec keys
 * at every level, in their original order. Values are deep copies.
 * Caller-owned (json_object_put). NULL on ENOMEM.
 */
struct json_object *et__record_shape(struct json_object *doc);

/*
 * Check doc as a whole record (et__record_check(doc, "", 0, err), which
 * normalises doc in place) and decode it into a new struct et_record
 * (caller-owned: et_record_free). *out is NULL on failure.
 * Returns ET_OK, ET_EINPUT or ET_ENOMEM.
 */
ET_NODISCARD int et__record_decode(struct json_object *doc,
                                   struct et_record **out,
                                   struct et_error *err);

/*
 * The record r (borrowed) as a new JSON object in the spec's shape (see
 * et__record_shape), checked and normalised by et__record_check(obj, "", 0)
 * so that it is always a valid record. Caller-owned (json_object_put).
 * NULL on ENOMEM or when r cannot be written; et__record_encode_err says
 * why.
 */
struct json_object *et__record_encode(const struct et_record *r);

/*
 * et__record_encode with the reason for a failure. Returns ET_OK; ET_EINVAL
 * when r holds something that is not a value (a _json member that is not
 * valid JSON, an extra_json that is not an object or repeats a spec key, an
 * enum out of range); ET_EINPUT when the value breaks a schema rule (a
 * malformed execution_id, timestamp_end before timestamp_start, ...);
 * ET_ENOMEM. *out is NULL on failure.
 */
ET_NODISCARD int et__record_encode_err(const struct et_record *r,
                                       struct json_object **out,
                                       struct et_error *err);

#endif /* ET_MODEL_RECORD_H */
