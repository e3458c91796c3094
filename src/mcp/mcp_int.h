/* SPDX-License-Identifier: MIT */
/* Internals of the MCP server core shared by the protocol and the tools. */
#ifndef ET_MCP_INT_H
#define ET_MCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "exectrail/mcp.h"

struct et_mcp {
    struct et_trail *t;
    int log_level;    /* syslog rank, 0 debug .. 7 emergency */
    bool initialized; /* initialize seen (2025-11-25 era) */
    char version[16]; /* negotiated protocol version, "" before */
};

enum et_mcp_hint {
    ET_MCP_READONLY = 1 << 0,
    ET_MCP_IDEMPOTENT = 1 << 1,
    ET_MCP_DESTRUCTIVE = 1 << 2,
};

/* A tool: fn sets *result (an object) and returns ET_OK, or returns an
 * error status with err naming the argument (the call's isError result). */
typedef int et__mcp_tool_fn(struct et_mcp *m, struct json_object *args,
                            struct json_object **result, struct et_error *err);

struct et__mcp_tool {
    const char *name;
    const char *title;
    const char *description;
    const char *input_schema;  /* JSON text */
    const char *output_schema; /* JSON text */
    unsigned hints;
    et__mcp_tool_fn *fn;
};

/* The tools in list order: count, the i-th (NULL past the end), by name. */
size_t et__mcp_tool_count(void);
const struct et__mcp_tool *et__mcp_tool_at(size_t i);
const struct et__mcp_tool *et__mcp_tool_find(const char *name);

/* obj[key] = val, consuming val; false (val freed) on failure. */
bool et__mcp_put(struct json_object *obj, const char *key,
                 struct json_object *val);
bool et__mcp_put_str(struct json_object *obj, const char *key, const char *s);

#endif /* ET_MCP_INT_H */
