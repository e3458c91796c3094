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

#endif /* ET_MCP_TOOLS_H */
