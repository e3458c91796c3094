/* SPDX-License-Identifier: MIT */
/*
 * Claude Code's own telemetry (OTLP log records) folded into the records
 * the hooks build: the index the writers keep (meta keys naming the
 * ledger events of one agent or one tool call) and the fold done when a
 * record is read, from the stored events, so any arrival order gives the
 * same record. Rules: docs/INTEGRATIONS.md, "Claude Code telemetry".
 */
#ifndef ET_TRAIL_TELEMETRY_H
#define ET_TRAIL_TELEMETRY_H

#include <stdint.h>
#include <json-c/json.h>

#include "trail/trail_int.h"

#define ET_TEL_KEY_MAX 1024

/* "claude:tel-usage:<skey>\n<agent>" (agent "" = the main agent): the
 * api_request / api_error records of that agent. */
ET_NODISCARD int et__tel_usage_key(char out[ET_TEL_KEY_MAX], const char *skey,
                                   const char *agent, struct et_error *err);
/* "claude:tel-tool:<skey>\n<tuid>": the tool_result / tool_decision
 * records of the tool call, and the hook's facts when they came after a
 * telemetry action. */
ET_NODISCARD int et__tel_tool_key(char out[ET_TEL_KEY_MAX], const char *skey,
                                  const char *tuid, struct et_error *err);

/* Add ledger event seq to the index list under key (a JSON array of
 * seqs, kept sorted and unique). Inside a write unit. */
ET_NODISCARD int et__tel_index_add(struct et_trail *t, const char *key,
                                   uint64_t seq, struct et_error *err);

/*
 * The read-time fold into record doc of execution id and its actions
 * (acts, not yet numbered; both borrowed): the hook's facts and the
 * telemetry of each action's tool call, the usage, cost and API errors of
 * the agent bound to the execution. Inside a read or write transaction.
 * Returns ET_OK, ET_ENOMEM or a store error.
 */
ET_NODISCARD int et__tel_fold(struct et_trail *t, const char *id,
                              struct json_object *doc, struct json_object *acts,
                              struct et_error *err);

#endif /* ET_TRAIL_TELEMETRY_H */
