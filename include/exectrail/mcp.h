/* SPDX-License-Identifier: MIT */
/*
 * The MCP server core (docs/MCP.md): JSON-RPC 2.0 messages in, messages out,
 * independent of the transport (stdio lines today; HTTP later). Tools map
 * onto the public library API only.
 */
#ifndef ET_EXECTRAIL_MCP_H
#define ET_EXECTRAIL_MCP_H

#include <stddef.h>
#include "exectrail/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct et_trail;
struct et_mcp;

/* Largest message accepted (bytes) and deepest JSON nesting. */
#define ET_MCP_MAX_MESSAGE (8u * 1024u * 1024u)
#define ET_MCP_MAX_DEPTH   64

/* A server over trail t (borrowed; t may be NULL: tools then fail with
 * isError, the protocol methods still work, e.g. for fuzzing). */
ET_API ET_NODISCARD int et_mcp_new(struct et_trail *t, struct et_mcp **out,
                                   struct et_error *err);
ET_API void et_mcp_free(struct et_mcp *m);

/*
 * Handle one message of len bytes (one JSON-RPC request or notification,
 * no framing). *out receives zero or more newline-terminated JSON messages
 * to send back (log notifications, then the response; NULL and *out_len 0
 * when there is nothing to send), owned by the caller (free()). Never fails
 * on bad input: that becomes a JSON-RPC error message. Returns ET_OK or
 * ET_ENOMEM.
 */
ET_API ET_NODISCARD int et_mcp_handle(struct et_mcp *m, const char *msg,
                                      size_t len, char **out, size_t *out_len);

/* Log level set by the client (logging/setLevel), as the syslog rank
 * (0 debug .. 7 emergency). */
ET_API int et_mcp_log_level(const struct et_mcp *m);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_MCP_H */
