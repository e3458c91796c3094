/* SPDX-License-Identifier: MIT */
/* Helpers shared by the MCP tool files. */
#ifndef ET_MCP_TOOLS_H
#define ET_MCP_TOOLS_H

#include <stdint.h>

#include "mcp/mcp_int.h"

/* args[key] as a string (NULL when absent and not required); errors name
 * the argument. */
int et__mcp_arg_str(struct json_object *args, const char *key, bool required,
                    const char **out, struct et_error *err);
int et__mcp_arg_int(struct json_object *args, const char *key, int64_t def,
                    int64_t min, int64_t max, int64_t *out,
                    struct et_error *err);
int et__mcp_parse_text(const char *text, struct json_object **out,
                       struct et_error *err);
/* The execution's spec record, parsed. */
int et__mcp_show(struct et_mcp *m, const char *id, struct json_object **out,
                 struct et_error *err);
const struct et__mcp_tool *et__mcp_graphiti_tools(size_t *n);

/* Notes (mcp_notes.c): execution_note and execution_score, and the
 * graphiti side of notes. */
const struct et__mcp_tool *et__mcp_note_tools(size_t *n);
/* add_memory of a free-form episode: store it as a note of group. */
int et__mcp_note_episode(struct et_mcp *m, struct json_object *args,
                         const char *name, const char *body, const char *source,
                         const char *group, struct json_object **res,
                         struct et_error *err);
/* graphiti's group_ids (string or list) or group_id, borrowed from args;
 * *groups is caller-owned (free), NULL with *n 0 when none. */
int et__mcp_note_groups(struct json_object *args, const char ***groups,
                        size_t *n, struct et_error *err);
/* Append to arr the notes of args' groups matching words (NULL: newest)
 * and uuid (NULL: any), at most max, as facts (shape 0), nodes (1) or
 * episodes (2). */
int et__mcp_note_list(struct et_mcp *m, struct json_object *args,
                      const char *words, const char *uuid, int shape,
                      size_t max, struct json_object *arr,
                      struct et_error *err);
/* delete_episode: refused for a note (append-only), not found otherwise. */
int et__mcp_note_delete(struct et_mcp *m, struct json_object *args,
                        struct json_object **res, struct et_error *err);

#endif /* ET_MCP_TOOLS_H */
