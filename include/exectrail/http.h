/* SPDX-License-Identifier: MIT */
/*
 * The HTTP API of `exectrail serve` (docs/API.md) as a transport-free core:
 * one request in, one response out. The exectrail binary serves it with
 * libmicrohttpd; tests and fuzzers call it directly. Also the API tokens
 * that guard it (stored hashed in the data directory).
 */
#ifndef ET_EXECTRAIL_HTTP_H
#define ET_EXECTRAIL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct et_http;

#define ET_HTTP_MAX_BODY_DEFAULT ((size_t)16 << 20) /* 16 MiB */

struct et_http_opts {
    const char *db;     /* the store (see et_trail_locate); NULL = default */
    unsigned n_handles; /* store handles, so requests at once (0 = 4) */
    /* The server listens on loopback only: a request without a token is
     * then allowed (a token that is sent is still checked). */
    bool is_loopback;
    bool require_token; /* a token on every request, even on loopback */
    size_t max_body;    /* 0 = ET_HTTP_MAX_BODY_DEFAULT (for the docs and
                         * /metrics; the transport enforces it) */
};

/* One request. Every pointer is borrowed for the et_http_handle call. */
struct et_http_request {
    const char *method; /* "GET", "POST", ... */
    const char *target; /* raw request target: path ["?" query] */
    size_t target_len;
    const char *authorization; /* the header's value, or NULL */
    const char *content_type;  /* NULL when absent */
    const char *content_encoding;
    const char *body; /* NULL when none */
    size_t body_len;
    /* headers read by the MCP endpoint (/mcp) and the dashboard pages
     * (docs/DASHBOARD.md), each NULL when absent */
    const char *accept;
    const char *origin;
    const char *host;
    const char *mcp_protocol_version; /* MCP-Protocol-Version */
    const char *mcp_method;           /* Mcp-Method */
    const char *mcp_name;             /* Mcp-Name */
    const char *cookie;               /* the Cookie header */
    const char *last_event_id;        /* the Last-Event-ID header (SSE) */
};

struct et_http_response {
    int status;
    const char *content_type; /* static string; NULL when there is no body
                               * (202 Accepted) */
    char *body;               /* caller-owned: et_http_response_release */
    size_t body_len;
    const char *allow;      /* Allow header for 405 (static), or NULL */
    unsigned retry_after_s; /* Retry-After when non-zero */
    bool is_unauthorized;   /* send WWW-Authenticate: Bearer */
    /* more header lines to send, "Name: value\n" each (Content-Security-
     * Policy, Set-Cookie, Location...), or NULL; caller-owned like body */
    char *headers;
};

/*
 * A server core over the store o->db: opens o->n_handles handles of the
 * trail (created when missing). *out is caller-owned (et_http_free).
 * Returns ET_OK or the error of et_trail_open.
 */
ET_API ET_NODISCARD int et_http_new(const struct et_http_opts *o,
                                    struct et_http **out, struct et_error *err);
ET_API void et_http_free(struct et_http *h);

/*
 * Answer one request. Never fails: every problem is an HTTP error response
 * with a JSON body {"error": {"code", "message", "field"?, "offset"?}}.
 * Thread-safe: many threads may call it at once on one struct et_http.
 * res is always filled (release it with et_http_response_release).
 */
ET_API void et_http_handle(struct et_http *h, const struct et_http_request *req,
                           struct et_http_response *res);

/*
 * An error response made by the transport (body too large, timeout...),
 * counted in the metrics like the others: status, a code such as
 * "too_large" and a message.
 */
ET_API void et_http_error(struct et_http *h, int status, const char *code,
                          const char *message, struct et_http_response *res);

ET_API void et_http_response_release(struct et_http_response *res);

/* ---- API tokens ---- */

#define ET_TOKEN_LEN    80 /* room for a token and its NUL */
#define ET_TOKEN_ID_LEN 17 /* room for a token id and its NUL */

struct et_token_info {
    char id[ET_TOKEN_ID_LEN];
    const char *scope; /* "ingest", "read" or "admin" */
    const char *name;  /* "" when none */
    int64_t created_ns;
    int64_t expires_ns; /* 0 = never */
};

typedef int et_token_fn(void *ctx, const struct et_token_info *info);

/*
 * Create a token of scope ("ingest", "read" or "admin") for the store at
 * db, named name (may be NULL; printable, no newline), expiring at
 * expires_ns (0 = never). Only its SHA-256 is stored, in the file
 * api-tokens (mode 0600) of the data directory; the token itself is
 * written to token_out once and cannot be shown again. ET_EINPUT for a bad
 * scope or name.
 */
ET_API ET_NODISCARD int et_token_create(const char *db, const char *scope,
                                        const char *name, int64_t expires_ns,
                                        char token_out[ET_TOKEN_LEN],
                                        char id_out[ET_TOKEN_ID_LEN],
                                        struct et_error *err);
/* Every stored token (not the secrets), oldest first. */
ET_API ET_NODISCARD int et_token_list(const char *db, et_token_fn *fn,
                                      void *ctx, struct et_error *err);
/* Delete token id. ET_ENOTFOUND when there is none. */
ET_API ET_NODISCARD int et_token_revoke(const char *db, const char *id,
                                        struct et_error *err);
/* The number of tokens that have not expired. */
ET_API ET_NODISCARD int et_token_count(const char *db, size_t *n_out,
                                       struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_HTTP_H */
