/* SPDX-License-Identifier: MIT */
/* Internals of the MCP server core shared by the protocol and the tools. */
#ifndef ET_MCP_INT_H
#define ET_MCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "codec/json.h"
#include "exectrail/mcp.h"

#define ET_MCP_MODERN "2026-07-28" /* the stateless revision */

struct et_mcp {
    struct et_trail *t;
    const struct et_mcp_http *http; /* during et_mcp_handle_http, else NULL */
    int log_level;                  /* syslog rank, 0 debug .. 7 emergency */
    bool initialized;               /* initialize seen (2025-11-25 era) */
    char version[16];               /* negotiated protocol version, "" before */
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

/* Is v a protocol version the server speaks? The list of them (a new
 * array, NULL on ENOMEM). */
bool et__mcp_version_supported(const char *v);
struct json_object *et__mcp_versions_array(void);

/*
 * The Streamable HTTP checks of a parsed message msg (mcp_http.c): 0 when
 * it may be dispatched (m->version set from a legacy MCP-Protocol-Version
 * header), else the JSON-RPC error code with its message in why and, for
 * ET_MCP_UNSUPPORTED_VERSION, *data (caller-owned).
 */
int et__mcp_http_check(struct et_mcp *m, const struct et_mcp_http *h,
                       struct json_object *msg, char *why, size_t cap,
                       struct json_object **data);

/* obj[key] = val, consuming val; false (val freed) on failure. */
bool et__mcp_put(struct json_object *obj, const char *key,
                 struct json_object *val);
bool et__mcp_put_str(struct json_object *obj, const char *key, const char *s);

#endif /* ET_MCP_INT_H */
