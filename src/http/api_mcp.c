/* SPDX-License-Identifier: MIT */
/*
 * POST /mcp: the MCP server core (include/exectrail/mcp.h) over the
 * Streamable HTTP transport (docs/MCP.md, "Over HTTP"). Stateless: each
 * POST carries one JSON-RPC message, answered by the dispatcher that
 * `exectrail mcp` runs on stdio, over the store handle lent for the
 * request. This file adds what only HTTP has: the DNS-rebinding guard
 * (Origin, Host), content negotiation, the token's scope and the status.
 */
#include "base/setup.h"
#include "http/http_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include "base/buf.h"
#include "exectrail/mcp.h"
#include "exectrail/query.h"

/* host[:port] (NUL-terminated) names loopback: localhost, 127.0.0.0/8 or
 * [::1] */
static bool host_is_loopback(const char *s)
{
    char h[64];
    const char *port;
    size_t hl;
    struct in_addr a4;
    struct in6_addr a6;

    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end)
            return false;
        hl = (size_t)(end - s - 1);
        if (hl == 0 || hl >= sizeof(h))
            return false;
        memcpy(h, s + 1, hl);
        h[hl] = '\0';
        if (inet_pton(AF_INET6, h, &a6) != 1 || !IN6_IS_ADDR_LOOPBACK(&a6))
            return false;
        port = end + 1;
    } else {
        hl = strcspn(s, ":");
        if (hl == 0 || hl >= sizeof(h))
            return false;
        memcpy(h, s, hl);
        h[hl] = '\0';
        if (strcasecmp(h, "localhost") != 0 &&
            !(inet_pton(AF_INET, h, &a4) == 1 &&
              (ntohl(a4.s_addr) >> 24) == 127))
            return false;
        port = s + hl;
    }
    if (!*port)
        return true;
    port++; /* the ':' */
    return port[-1] == ':' && *port && strlen(port) <= 5 &&
           strspn(port, "0123456789") == strlen(port);
}

bool et__http_origin_ok(const char *origin)
{
    if (strncasecmp(origin, "http://", 7) == 0)
        return host_is_loopback(origin + 7);
    if (strncasecmp(origin, "https://", 8) == 0)
        return host_is_loopback(origin + 8);
    return false; /* "null" (a sandboxed page, a file) or no scheme */
}

bool et__http_host_ok(const char *host)
{
    return host_is_loopback(host);
}

/* a q parameter of 0 ("q=0", "q=0.000") in params[0..n) */
static bool q_is_zero(const char *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t vl;

        if (params[i] != ';')
            continue;
        v = params + i + 1;
        v += strspn(v, " \t");
        if ((v[0] != 'q' && v[0] != 'Q') || v[1] != '=')
            continue;
        v += 2;
        vl = strcspn(v, " \t;,");
        return v[0] == '0' && strspn(v, "0.") >= vl;
    }
    return false;
}

/*
 * Does the Accept header list type, itself or through a wildcard (any
 * type, or any subtype of its major type), with a q-value above 0?
 */
static bool accepts(const char *accept, const char *type)
{
    size_t tl = strlen(type), major = strcspn(type, "/");
    const char *p = accept;

    while (*p) {
        size_t n, mn;

        p += strspn(p, " \t,");
        n = strcspn(p, ",");
        mn = strcspn(p, ";,");
        while (mn && (p[mn - 1] == ' ' || p[mn - 1] == '\t'))
            mn--;
        if (!q_is_zero(p + mn, n - mn) &&
            ((mn == 3 && strncmp(p, "*/*", 3) == 0) ||
             (mn == tl && strncasecmp(p, type, tl) == 0) ||
             (mn == major + 2 && strncasecmp(p, type, major + 1) == 0 &&
              p[major + 1] == '*')))
            return true;
        p += n;
    }
    return false;
}

/* out[0..n): newline-terminated JSON messages, as SSE "message" events */
static int to_sse(const char *out, size_t n, char **sse_out, size_t *len_out)
{
    struct et_buf b = ET_BUF_INIT;
    int rc = 0;

    for (size_t i = 0; i < n;) {
        const char *nl = memchr(out + i, '\n', n - i);
        size_t l = nl ? (size_t)(nl - (out + i)) : n - i;
        rc |= et_buf_addstr(&b, "event: message\ndata: ");
        rc |= et_buf_add(&b, out + i, l);
        rc |= et_buf_addstr(&b, "\n\n");
        i += l + 1;
    }
    if (rc) {
        et_buf_release(&b);
        return ET_ENOMEM;
    }
    *sse_out = et_buf_detach(&b, len_out);
    return ET_OK;
}

/* the status for what the core answered (docs/MCP.md, "Over HTTP") */
static int status_of(const struct et_mcp_outcome *oc)
{
    switch (oc->error) {
    case ET_MCP_PARSE_ERROR:
    case ET_MCP_INVALID_REQUEST:
    case ET_MCP_HEADER_MISMATCH:
    case ET_MCP_UNSUPPORTED_VERSION:
        return 400;
    case ET_MCP_FORBIDDEN:
        return 403;
    case ET_MCP_METHOD_NOT_FOUND:
        return oc->is_modern ? 404 : 200;
    default:
        break;
    }
    /* a notification the core answered could not be accepted */
    return oc->is_request ? 200 : 400;
}

static void answer(struct et_http_ctx *c, const char *out, size_t n,
                   const struct et_mcp_outcome *oc, bool is_sse)
{
    int status = status_of(oc);
    char *sse = NULL;
    size_t len = 0;

    if (!n) {
        /* a notification or a response from the client: accepted */
        et__http_reply_owned(c, 202, NULL, NULL, 0);
        return;
    }
    if (!is_sse || status != 200) {
        /* one JSON object: the response, without the log notifications
         * that precede it (only an SSE stream could carry them) */
        et__http_reply(c, status, "application/json", out + oc->reply_off,
                       n - oc->reply_off);
        return;
    }
    if (to_sse(out, n, &sse, &len)) {
        et__http_reply_err(c, 503, "unavailable", "out of memory", NULL, -1);
        c->res->retry_after_s = 1;
        return;
    }
    et__http_reply_owned(c, 200, "text/event-stream", sse, len);
}

void et__http_mcp(struct et_http_ctx *c)
{
    const struct et_http_request *r = c->req;
    struct et_mcp_http mh;
    struct et_mcp_outcome oc;
    struct et_mcp *m = NULL;
    struct et_error err = ET_ERROR_INIT;
    uint64_t before = 0, after = 0;
    char *out = NULL;
    size_t n = 0;
    bool is_sse = false;
    int rc;

    if (r->accept && !accepts(r->accept, "application/json")) {
        if (!accepts(r->accept, "text/event-stream")) {
            et__http_reply_err(c, 406, "not_acceptable",
                               "Accept: the MCP endpoint answers "
                               "application/json or text/event-stream",
                               "Accept", -1);
            return;
        }
        is_sse = true;
    }
    memset(&mh, 0, sizeof(mh));
    mh.protocol_version = r->mcp_protocol_version;
    mh.method = r->mcp_method;
    mh.name = r->mcp_name;
    /* the REST scopes, per tool: read-only tools need read, the others
     * ingest; admin (or no token, on loopback) may call every tool */
    mh.is_read_denied = c->token_scope == ET_TOKEN_INGEST;
    mh.is_write_denied = c->token_scope == ET_TOKEN_READ;
    if (et_mcp_new(c->t, &m, &err)) {
        et__http_reply_lib(c, &err);
        return;
    }
    /* the tools may write (this runs alone on the writer thread) and run
     * reports, which may set TZ (report_mu, as api.c's reports) */
    pthread_mutex_lock(&c->h->report_mu);
    if (et_trail_size(c->t, &before, &err))
        before = 0;
    rc = et_mcp_handle_http(m, r->body ? r->body : "", r->body_len, &mh, &out,
                            &n, &oc);
    if (rc == ET_OK && et_trail_size(c->t, &after, &err) == ET_OK &&
        after > before)
        c->events = after - before;
    pthread_mutex_unlock(&c->h->report_mu);
    et_mcp_free(m);
    if (rc) {
        free(out);
        et__http_reply_err(c, 503, "unavailable", "out of memory", NULL, -1);
        c->res->retry_after_s = 1;
        return;
    }
    answer(c, out, n, &oc, is_sse);
    free(out);
}
