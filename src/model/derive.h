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
 * "tool", "input" as an object or as JSON text or plain text) implies.
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

#endif /* ET_MODEL_DERIVE_H */
