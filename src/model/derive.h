/* SPDX-License-Identifier: MIT */
/*
 * The output lists an execution's actions imply: files a writing tool
 * changed, Bash commands run, external API calls (web fetches and searches,
 * MCP tools, network commands in Bash). Pure functions of an action; the
 * projection indexes them and the record read back carries them, so every
 * adapter gets them and `rebuild` recomputes them. Rules: docs/RECORD.md
 * "Derived lists".
 */
#ifndef ET_MODEL_DERIVE_H
#define ET_MODEL_DERIVE_H

#include <stddef.h>
#include <json-c/json.h>

#include "config/yaml.h"

/* The spec's three output lists, in the order of the store's list kinds. */
enum et__derived {
    ET__DERIVED_FILES = 0,    /* output.files_modified */
    ET__DERIVED_COMMANDS = 1, /* output.commands_executed */
    ET__DERIVED_API_CALLS = 2 /* output.api_calls_made */
};

/* The output key of a list kind ("files_modified", ...). */
const char *et__derived_key(enum et__derived kind);

/* Called for each item; item is borrowed for the call. Non-zero stops. */
typedef int et__derived_fn(void *ctx, enum et__derived kind, const char *item,
                           size_t len);

/*
 * Report every list item one action (an execution.actions_taken[] entry:
 * "tool", "input" as an object or as JSON text or plain text) implies,
 * under the built-in table.
 * Returns the first non-zero result of fn, or 0; ET_ENOMEM when a JSON
 * text input cannot be parsed for lack of memory.
 */
int et__derive_action(struct json_object *action, et__derived_fn *fn,
                      void *ctx);

/*
 * Complete rec's output lists from rec's execution.actions_taken: each list
 * keeps the items it gives, in their order, and gains the items the
 * actions imply that it does not hold yet, once each, in action order.
 * Creates "output" when needed. Returns 0 or ET_ENOMEM (rec then unchanged
 * or partly completed, never with a given item lost).
 */
int et__derive_complete(struct json_object *rec);

/*
 * The table of rules (which tool writes a file and in which input field,
 * which tool runs a shell command, which tool calls an external service,
 * which programs in a command reach the network): the built-in table with
 * config.yaml's `capture:` section merged over it (docs/CONFIG.md). NULL
 * wherever a table is taken means the built-in table.
 */
struct et__derive_table;

/*
 * Build the table from capture (borrowed; the `capture:` section of the
 * document d, or NULL for the built-in table alone). Errors are ET_EINPUT
 * with the file, line and column and the key path (`capture.file_tools.X:
 * ...`), or ET_ENOMEM. *out is caller-owned (et__derive_table_free), NULL
 * on failure.
 */
ET_NODISCARD int et__derive_table_load(const struct et_yaml_doc *d,
                                       struct json_object *capture,
                                       struct et__derive_table **out,
                                       struct et_error *err);
void et__derive_table_free(struct et__derive_table *tab);

/* et__derive_action and et__derive_complete under table tab (borrowed). */
int et__derive_action_with(const struct et__derive_table *tab,
                           struct json_object *action, et__derived_fn *fn,
                           void *ctx);
int et__derive_complete_with(const struct et__derive_table *tab,
                             struct json_object *rec);

/*
 * Complete rec's agent_metadata.models_used: the models its run is known to
 * have used, sorted, once each: what it gives, the Agent result's
 * output.usage.models_used and resolved_model, and each action's "model"
 * (the turn that called the tool, from a transcript). Nothing is added when
 * none is known. Returns 0 or ET_ENOMEM (rec then unchanged).
 */
int et__derive_models(struct json_object *rec);

#endif /* ET_MODEL_DERIVE_H */
