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
    /* the longest a group commit stays open while writes keep coming, in
     * milliseconds (0 = ET_HTTP_GROUP_MS_DEFAULT) */
    unsigned group_max_ms;
    /* also a C2SP tlog witness (POST /witness/add-checkpoint) with the key,
     * trusted logs and state of this directory (include/exectrail/witness.h;
     * NULL: not a witness) */
    const char *witness_dir;
};

#define ET_HTTP_GROUP_MS_DEFAULT 50

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
    /* what the request left to free (a write's decoded body), freed by
     * et_http_response_release on the caller's thread rather than by the
     * writer thread, which every write waits for */
    void *leftover;
    void (*leftover_free)(void *leftover);
};

/*
 * A server core over the store o->db: opens o->n_handles handles of the
 * trail for reads (created when missing), one more for the writer thread,
 * and starts that thread (it runs every write request, in group commits:
 * docs/API.md, "Group commit"). *out is caller-owned (et_http_free, which
 * finishes the writes queued and stops the thread). Returns ET_OK, the
 * error of et_trail_open, or ET_ENOMEM (no thread).
 */
ET_API ET_NODISCARD int et_http_new(const struct et_http_opts *o,
                                    struct et_http **out, struct et_error *err);
ET_API void et_http_free(struct et_http *h);

/*
 * Answer one request. Never fails: every problem is an HTTP error response
 * with a JSON body {"error": {"code", "message", "field"?, "offset"?}}.
 * Thread-safe: many threads may call it at once on one struct et_http.
 * res is always filled (release it with et_http_response_release). A write
 * returns once it is durable (or has failed): the calling thread waits for
 * its group commit.
 */
ET_API void et_http_handle(struct et_http *h, const struct et_http_request *req,
                           struct et_http_response *res);

/*
 * How a transport that does not want its thread to wait for a group commit
 * is told that a write's answer is ready. suspend(ctx) is called on the
 * calling thread, before et_http_handle_async returns 1; resume(ctx) is
 * called once, later, from the writer thread, when *res is final (2xx
 * after the commit, or the error that replaced it). Neither may call back
 * into the core.
 */
struct et_http_waiter {
    void (*suspend)(void *ctx);
    void (*resume)(void *ctx);
    void *ctx;
};

/*
 * et_http_handle, except that a write is not waited for: returns 0 when
 * *res is final at once, or 1 after calling w->suspend when the answer
 * comes with w->resume. Until resume is called, req (and all it points to),
 * res and w must stay valid and untouched. w NULL: et_http_handle.
 */
ET_API int et_http_handle_async(struct et_http *h,
                                const struct et_http_request *req,
                                struct et_http_response *res,
                                const struct et_http_waiter *w);

/*
 * Stop suspending: later writes are waited for on their caller's thread,
 * and this returns once every answer pending so far has been resumed. Call
 * it before the transport stops (a suspended connection must not be left
 * behind).
 */
ET_API void et_http_quiesce(struct et_http *h);

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
