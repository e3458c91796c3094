/* SPDX-License-Identifier: MIT */
/*
 * The MCP server core (docs/MCP.md): JSON-RPC 2.0 messages in, messages out,
 * independent of the transport (stdio lines, or one HTTP POST per message
 * for Streamable HTTP). Tools map onto the public library API only.
 */
#ifndef ET_EXECTRAIL_MCP_H
#define ET_EXECTRAIL_MCP_H

#include <stdbool.h>
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

/* The JSON-RPC error codes the core answers with (docs/MCP.md). */
enum et_mcp_rpc_error {
    ET_MCP_PARSE_ERROR = -32700,
    ET_MCP_INVALID_REQUEST = -32600,
    ET_MCP_METHOD_NOT_FOUND = -32601,
    ET_MCP_INVALID_PARAMS = -32602,
    ET_MCP_INTERNAL_ERROR = -32603,
    ET_MCP_FORBIDDEN = -32000,       /* the caller may not call that tool */
    ET_MCP_HEADER_MISMATCH = -32020, /* 2026-07-28 Streamable HTTP */
    ET_MCP_UNSUPPORTED_VERSION = -32022,
};

/*
 * What a Streamable HTTP transport knows about a message besides its bytes:
 * the request headers (each NULL when absent; borrowed for the call) and
 * what the caller's credentials allow.
 */
struct et_mcp_http {
    const char *protocol_version; /* MCP-Protocol-Version */
    const char *method;           /* Mcp-Method (2026-07-28) */
    const char *name;             /* Mcp-Name (2026-07-28; may be
                                   * "=?base64?...?=") */
    bool is_read_denied;          /* tools that only read are refused */
    bool is_write_denied;         /* tools that write are refused */
};

/* What a message turned out to be, so the transport can pick its status. */
struct et_mcp_outcome {
    bool is_request;  /* a request (or a message refused naming its id): the
                       * last message of *out answers it */
    bool is_modern;   /* handled under 2026-07-28 */
    int error;        /* the response's JSON-RPC error code (enum
                       * et_mcp_rpc_error), 0 for a result or no response */
    size_t reply_off; /* offset in *out of the last message; the ones before
                       * it are notifications (log messages) */
};

/*
 * et_mcp_handle for one message of the Streamable HTTP transport (docs/MCP.md,
 * "Over HTTP"): the same dispatcher, after the transport's rules that need
 * the message: an MCP-Protocol-Version the server does not speak is
 * refused (ET_MCP_UNSUPPORTED_VERSION); a legacy one stands for the version
 * negotiated by an earlier initialize (the server keeps no session); under
 * 2026-07-28 the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers must
 * match the body (ET_MCP_HEADER_MISMATCH); a tool the credentials do not
 * allow is refused (ET_MCP_FORBIDDEN). http and oc may be NULL. Same
 * returns and ownership as et_mcp_handle; *oc, when oc is not NULL, is
 * always filled.
 */
ET_API ET_NODISCARD int et_mcp_handle_http(struct et_mcp *m, const char *msg,
                                           size_t len,
                                           const struct et_mcp_http *http,
                                           char **out, size_t *out_len,
                                           struct et_mcp_outcome *oc);

/* Log level set by the client (logging/setLevel), as the syslog rank
 * (0 debug .. 7 emergency). */
ET_API int et_mcp_log_level(const struct et_mcp *m);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_MCP_H */
