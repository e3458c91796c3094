/* SPDX-License-Identifier: MIT */
/*
 * MCP over JSON-RPC 2.0: message parsing with limits, protocol version
 * negotiation (2026-07-28 server/discover with per-request _meta; the
 * 2025-11-25 initialize handshake and its predecessors), tools/list with
 * cursor pagination, tools/call, logging/setLevel, ping and notifications.
 * Transport independent: one message in, response bytes out.
 */
#include "mcp/mcp_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "exectrail/trail.h"

#define MODERN ET_MCP_MODERN
#define LEGACY "2025-11-25"
#define PAGE   10 /* tools per tools/list page */

static const char *const versions[] = {MODERN, LEGACY, "2025-06-18",
                                       "2025-03-26", "2024-11-05"};
static const char *const levels[] = {"debug",   "info",     "notice",
                                     "warning", "error",    "critical",
                                     "alert",   "emergency"};

enum {
    E_PARSE = ET_MCP_PARSE_ERROR,
    E_REQUEST = ET_MCP_INVALID_REQUEST,
    E_METHOD = ET_MCP_METHOD_NOT_FOUND,
    E_PARAMS = ET_MCP_INVALID_PARAMS,
    E_INTERNAL = ET_MCP_INTERNAL_ERROR,
    E_VERSION = ET_MCP_UNSUPPORTED_VERSION
};

bool et__mcp_put(struct json_object *obj, const char *key,
                 struct json_object *val)
{
    if (!obj) {
        json_object_put(val);
        return false;
    }
    if (et__jadd(obj, key, val) != 0) {
        json_object_put(val);
        return false;
    }
    return true;
}

bool et__mcp_put_str(struct json_object *obj, const char *key, const char *s)
{
    struct json_object *v = s ? et__jnew_string(s) : NULL;
    if (s && !v)
        return false;
    return et__mcp_put(obj, key, v);
}

int et_mcp_new(struct et_trail *t, struct et_mcp **out, struct et_error *err)
{
    struct et_mcp *m = calloc(1, sizeof(*m));
    if (!m)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    m->t = t;
    m->log_level = 1; /* info and above until the client says */
    *out = m;
    return ET_OK;
}

void et_mcp_free(struct et_mcp *m)
{
    free(m);
}

int et_mcp_log_level(const struct et_mcp *m)
{
    return m->log_level;
}

/* ---- output ---- */

struct outbuf {
    char *p;
    size_t len, cap;
    size_t last_off; /* where the last message starts */
    int error;       /* the JSON-RPC error code sent, 0 for none */
    bool oom;
    bool modern; /* 2026-07-28: results carry resultType */
};

static void out_add(struct outbuf *o, struct json_object *msg)
{
    size_t n = 0;
    const char *s;

    if (!msg) {
        o->oom = true;
        return;
    }
    s = json_object_to_json_string_length(
        msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    if (!s) {
        o->oom = true;
        return;
    }
    if (o->len + n + 2 > o->cap) {
        size_t cap = (o->len + n + 2) * 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->oom = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    o->last_off = o->len;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len++] = '\n';
    o->p[o->len] = '\0';
}

static struct json_object *envelope(struct json_object *id)
{
    struct json_object *r = et__jnew_object();
    if (!r)
        return NULL;
    if (!et__mcp_put_str(r, "jsonrpc", "2.0") ||
        !et__mcp_put(r, "id", id ? json_object_get(id) : NULL)) {
        json_object_put(r);
        return NULL;
    }
    return r;
}

static void send_error(struct outbuf *o, struct json_object *id, int code,
                       const char *msg, struct json_object *data)
{
    struct json_object *r = envelope(id), *e = et__jnew_object();
    bool ok = r && e && et__mcp_put(e, "code", et__jnew_int(code)) &&
              et__mcp_put_str(e, "message", msg) &&
              (!data || et__mcp_put(e, "data", json_object_get(data)));
    if (ok && et__mcp_put(r, "error", e)) {
        out_add(o, r);
        o->error = code;
    } else {
        if (!ok)
            json_object_put(e);
        o->oom = true;
    }
    json_object_put(r);
}

static void send_result(struct outbuf *o, struct json_object *id,
                        struct json_object *result)
{
    struct json_object *r = envelope(id);
    if (result && o->modern &&
        !json_object_object_get_ex(result, "resultType", NULL) &&
        !et__mcp_put_str(result, "resultType", "complete")) {
        json_object_put(result);
        result = NULL;
    }
    if (result && r && et__mcp_put(r, "result", result))
        out_add(o, r);
    else
        o->oom = true;
    json_object_put(r);
}

static void send_log(struct et_mcp *m, struct outbuf *o, int level,
                     const char *text)
{
    struct json_object *n, *p;

    if (level < m->log_level || !m->version[0] || !strcmp(m->version, MODERN))
        return;
    n = et__jnew_object();
    p = et__jnew_object();
    if (!n || !p || !et__mcp_put_str(p, "level", levels[level]) ||
        !et__mcp_put_str(p, "logger", "exectrail") ||
        !et__mcp_put_str(p, "data", text)) {
        json_object_put(p);
        json_object_put(n);
        o->oom = true;
        return;
    }
    if (et__mcp_put(n, "params", p) && et__mcp_put_str(n, "jsonrpc", "2.0") &&
        et__mcp_put_str(n, "method", "notifications/message"))
        out_add(o, n);
    else
        o->oom = true;
    json_object_put(n);
}

/* ---- parsing ---- */

/*
 * Parse one message: JSON within the limits, an object with "jsonrpc":"2.0",
 * a string "method", an id that is a string or an integer (absent for a
 * notification), params an object when present. Returns 0 with *msg_out
 * set, or a JSON-RPC error code with why (and *id_out the id when it could
 * be read, for the error reply).
 */
static int parse(const char *buf, size_t len, struct json_object **msg_out,
                 struct json_object **id_out, const char **why)
{
    struct json_tokener *tok;
    struct json_object *msg, *v, *id = NULL;

    *msg_out = NULL;
    *id_out = NULL;
    if (len > ET_MCP_MAX_MESSAGE) {
        *why = "message too large";
        return E_REQUEST;
    }
    if (memchr(buf, '\0', len)) {
        *why = "Parse error: NUL byte in message";
        return E_PARSE;
    }
    tok = json_tokener_new_ex(ET_MCP_MAX_DEPTH);
    if (!tok) {
        *why = "out of memory";
        return E_INTERNAL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    msg = json_tokener_parse_ex(tok, buf, (int)len);
    if (!msg || json_tokener_get_error(tok) != json_tokener_success ||
        json_tokener_get_parse_end(tok) != len) {
        size_t end = json_tokener_get_parse_end(tok);
        bool trailing = msg && end < len;
        while (trailing && end < len &&
               (buf[end] == ' ' || buf[end] == '\t' || buf[end] == '\r'))
            end++;
        if (!trailing || end < len) {
            json_object_put(msg);
            json_tokener_free(tok);
            *why = "Parse error: not one JSON value";
            return E_PARSE;
        }
    }
    json_tokener_free(tok);
    if (json_object_is_type(msg, json_type_array)) {
        json_object_put(msg);
        *why = "Invalid Request: batches are not supported";
        return E_REQUEST;
    }
    if (!json_object_is_type(msg, json_type_object)) {
        json_object_put(msg);
        *why = "Invalid Request: not an object";
        return E_REQUEST;
    }
    if (json_object_object_get_ex(msg, "id", &id)) {
        if (json_object_is_type(id, json_type_string) ||
            json_object_is_type(id, json_type_int))
            *id_out = json_object_get(id);
        else if (id) {
            json_object_put(msg);
            *why = "Invalid Request: id must be a string or an integer";
            return E_REQUEST;
        }
    }
    if (!json_object_object_get_ex(msg, "jsonrpc", &v) ||
        !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), "2.0")) {
        json_object_put(msg);
        *why = "Invalid Request: jsonrpc must be \"2.0\"";
        return E_REQUEST;
    }
    if (!json_object_object_get_ex(msg, "method", &v) ||
        !json_object_is_type(v, json_type_string)) {
        /* a response from the client (we send no requests): ignore */
        if (json_object_object_get_ex(msg, "result", NULL) ||
            json_object_object_get_ex(msg, "error", NULL)) {
            *msg_out = msg;
            return 0;
        }
        json_object_put(msg);
        *why = "Invalid Request: method must be a string";
        return E_REQUEST;
    }
    if (json_object_object_get_ex(msg, "params", &v) &&
        !json_object_is_type(v, json_type_object)) {
        json_object_put(msg);
        *why = "Invalid params: params must be an object";
        return E_PARAMS;
    }
    *msg_out = msg;
    return 0;
}

/* ---- methods ---- */

bool et__mcp_version_supported(const char *v)
{
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        if (!strcmp(v, versions[i]))
            return true;
    return false;
}

static struct json_object *server_info(void)
{
    struct json_object *o = et__jnew_object();
    if (!et__mcp_put_str(o, "name", "exectrail") ||
        !et__mcp_put_str(o, "title", "exectrail execution audit trail") ||
        !et__mcp_put_str(o, "version", ET_VERSION)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static struct json_object *capabilities(void)
{
    struct json_object *c = et__jnew_object(), *t = et__jnew_object();
    if (!et__mcp_put(t, "listChanged", et__jnew_boolean(0)) ||
        !et__mcp_put(c, "tools", t)) {
        json_object_put(c);
        return NULL;
    }
    if (!et__mcp_put(c, "logging", et__jnew_object())) {
        json_object_put(c);
        return NULL;
    }
    return c;
}

static const char instructions[] =
    "exectrail records agent executions in a tamper-evident trail. Call "
    "execution_start before delegating, execution_log_action for each "
    "action, execution_complete at the end; query_executions and "
    "search_memory_facts search the trail.";

struct json_object *et__mcp_versions_array(void)
{
    struct json_object *a = et__jnew_array();
    for (size_t i = 0; a && i < sizeof(versions) / sizeof(versions[0]); i++)
        if (et__jappend(a, et__jnew_string(versions[i]))) {
            json_object_put(a);
            return NULL;
        }
    return a;
}

static void m_initialize(struct et_mcp *m, struct outbuf *o,
                         struct json_object *id, struct json_object *params)
{
    struct json_object *v, *r;
    const char *want = LEGACY;

    if (params && json_object_object_get_ex(params, "protocolVersion", &v) &&
        json_object_is_type(v, json_type_string) &&
        et__mcp_version_supported(json_object_get_string(v)) &&
        strcmp(json_object_get_string(v), MODERN))
        want = json_object_get_string(v);
    snprintf(m->version, sizeof(m->version), "%s", want);
    m->initialized = true;
    r = et__jnew_object();
    if (!et__mcp_put_str(r, "protocolVersion", want) ||
        !et__mcp_put(r, "capabilities", capabilities()) ||
        !et__mcp_put(r, "serverInfo", server_info()) ||
        !et__mcp_put_str(r, "instructions", instructions)) {
        json_object_put(r);
        r = NULL;
    }
    send_result(o, id, r);
}

static void m_discover(struct et_mcp *m, struct outbuf *o,
                       struct json_object *id)
{
    struct json_object *r = et__jnew_object(), *meta = et__jnew_object();
    if (!m->initialized)
        snprintf(m->version, sizeof(m->version), "%s", MODERN);
    if (!et__mcp_put_str(r, "resultType", "complete") ||
        !et__mcp_put(r, "supportedVersions", et__mcp_versions_array()) ||
        !et__mcp_put(r, "capabilities", capabilities()) ||
        !et__mcp_put(meta, "io.modelcontextprotocol/serverInfo",
                     server_info()) ||
        !et__mcp_put(r, "_meta", json_object_get(meta)) ||
        !et__mcp_put_str(r, "instructions", instructions) ||
        !et__mcp_put(r, "ttlMs", et__jnew_int(3600000)) ||
        !et__mcp_put_str(r, "cacheScope", "public")) {
        json_object_put(r);
        r = NULL;
    }
    json_object_put(meta);
    send_result(o, id, r);
}

/* obj[key] = the schema text parsed; false when memory ran out (the
 * schemas are constant and valid) */
static bool put_schema(struct json_object *obj, const char *key,
                       const char *text)
{
    struct json_object *v = json_tokener_parse(text);

    return v && et__mcp_put(obj, key, v);
}

static void m_tools_list(struct outbuf *o, struct json_object *id,
                         struct json_object *params)
{
    size_t n = et__mcp_tool_count(), from = 0;
    struct json_object *v, *r, *a;

    if (params && json_object_object_get_ex(params, "cursor", &v) && v) {
        const char *c = json_object_get_string(v);
        char *end = NULL;
        unsigned long x =
            json_object_is_type(v, json_type_string) ? strtoul(c, &end, 10) : 0;
        if (!end || end == c || *end || x >= n) {
            send_error(o, id, E_PARAMS, "Invalid params: unknown cursor", NULL);
            return;
        }
        from = (size_t)x;
    }
    r = et__jnew_object();
    a = et__jnew_array();
    if (!et__mcp_put(r, "tools", a)) {
        json_object_put(r);
        send_result(o, id, NULL);
        return;
    }
    for (size_t i = from; i < n && i < from + PAGE; i++) {
        const struct et__mcp_tool *tool = et__mcp_tool_at(i);
        struct json_object *t = et__jnew_object(), *ann = et__jnew_object();
        unsigned h = tool->hints;
        bool ok =
            et__mcp_put_str(t, "name", tool->name) &&
            et__mcp_put_str(t, "title", tool->title) &&
            et__mcp_put_str(t, "description", tool->description) &&
            put_schema(t, "inputSchema", tool->input_schema) &&
            put_schema(t, "outputSchema", tool->output_schema) &&
            et__mcp_put_str(ann, "title", tool->title) &&
            et__mcp_put(ann, "readOnlyHint",
                        et__jnew_boolean(h & ET_MCP_READONLY)) &&
            et__mcp_put(ann, "destructiveHint",
                        et__jnew_boolean((h & ET_MCP_DESTRUCTIVE) != 0)) &&
            et__mcp_put(ann, "idempotentHint",
                        et__jnew_boolean((h & ET_MCP_IDEMPOTENT) != 0)) &&
            et__mcp_put(ann, "openWorldHint", et__jnew_boolean(0));
        if (!ok || !et__mcp_put(t, "annotations", ann)) {
            if (!ok)
                json_object_put(ann);
            json_object_put(t);
            json_object_put(r);
            send_result(o, id, NULL);
            return;
        }
        if (et__jappend(a, t)) {
            json_object_put(t);
            json_object_put(r);
            send_result(o, id, NULL);
            return;
        }
    }
    if (o->modern && (!et__mcp_put(r, "ttlMs", et__jnew_int(3600000)) ||
                      !et__mcp_put_str(r, "cacheScope", "public"))) {
        json_object_put(r);
        send_result(o, id, NULL);
        return;
    }
    if (from + PAGE < n) {
        char c[24];
        snprintf(c, sizeof(c), "%zu", from + PAGE);
        if (!et__mcp_put_str(r, "nextCursor", c)) {
            json_object_put(r);
            r = NULL;
        }
    }
    send_result(o, id, r);
}

static void m_tools_call(struct et_mcp *m, struct outbuf *o,
                         struct json_object *id, struct json_object *params)
{
    struct json_object *v, *args = NULL, *res = NULL, *r, *content, *text;
    const struct et__mcp_tool *tool;
    struct et_error err = ET_ERROR_INIT;
    const char *name;
    int rc;

    if (!params || !json_object_object_get_ex(params, "name", &v) ||
        !json_object_is_type(v, json_type_string)) {
        send_error(o, id, E_PARAMS, "Invalid params: name must be a string",
                   NULL);
        return;
    }
    name = json_object_get_string(v);
    tool = et__mcp_tool_find(name);
    if (!tool) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Unknown tool: %.150s", name);
        send_error(o, id, E_PARAMS, msg, NULL);
        return;
    }
    if (m->http &&
        ((tool->hints & ET_MCP_READONLY) ? m->http->is_read_denied
                                         : m->http->is_write_denied)) {
        char msg[200];
        snprintf(msg, sizeof(msg),
                 "Forbidden: tool %s %s the trail: the API token needs the "
                 "%s scope",
                 tool->name,
                 (tool->hints & ET_MCP_READONLY) ? "reads" : "writes to",
                 (tool->hints & ET_MCP_READONLY) ? "read" : "ingest");
        send_error(o, id, ET_MCP_FORBIDDEN, msg, NULL);
        return;
    }
    if (json_object_object_get_ex(params, "arguments", &args) && args &&
        !json_object_is_type(args, json_type_object)) {
        send_error(o, id, E_PARAMS,
                   "Invalid params: arguments must be an object", NULL);
        return;
    }
    if (!args)
        args = et__jnew_object();
    else
        json_object_get(args);
    if (!args) {
        send_result(o, id, NULL);
        return;
    }
    rc = m->t ? tool->fn(m, args, &res, &err)
              : et_error_set(&err, ET_EUNAVAIL, "no trail is open");
    json_object_put(args);
    if (rc == ET_ENOMEM) {
        /* not the tool's answer but the server's: -32603 */
        json_object_put(res);
        o->oom = true;
        return;
    }
    r = et__jnew_object();
    content = et__jnew_array();
    if (!et__mcp_put(r, "content", content)) {
        json_object_put(res);
        json_object_put(r);
        send_result(o, id, NULL);
        return;
    }
    if (rc != ET_OK) {
        char line[320];
        snprintf(line, sizeof(line), "%s: %s", tool->name, err.msg);
        send_log(m, o, 3, line);
        text = et__jnew_object();
        if (!et__mcp_put_str(text, "type", "text") ||
            !et__mcp_put_str(text, "text",
                             err.msg[0] ? err.msg : et_status_str(rc)) ||
            et__jappend(content, text) ||
            !et__mcp_put(r, "isError", et__jnew_boolean(1))) {
            json_object_put(r);
            r = NULL;
        }
    } else {
        size_t n = 0;
        const char *s = json_object_to_json_string_length(
            res,
            JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                JSON_C_TO_STRING_NOSLASHESCAPE,
            &n);
        text = et__jnew_object();
        if (!s || !et__mcp_put_str(text, "type", "text") ||
            !et__mcp_put(text, "text", et__jnew_string_len(s, (int)n)) ||
            et__jappend(content, text) ||
            !et__mcp_put(r, "structuredContent", res) ||
            !et__mcp_put(r, "isError", et__jnew_boolean(0))) {
            json_object_put(r);
            r = NULL;
        }
    }
    send_result(o, id, r);
}

static void m_set_level(struct et_mcp *m, struct outbuf *o,
                        struct json_object *id, struct json_object *params)
{
    struct json_object *v;
    const char *l;

    if (!params || !json_object_object_get_ex(params, "level", &v) ||
        !json_object_is_type(v, json_type_string)) {
        send_error(o, id, E_PARAMS, "Invalid params: level must be a string",
                   NULL);
        return;
    }
    l = json_object_get_string(v);
    for (int i = 0; i < 8; i++)
        if (!strcmp(l, levels[i])) {
            m->log_level = i;
            send_result(o, id, et__jnew_object());
            return;
        }
    send_error(o, id, E_PARAMS,
               "Invalid params: level must be one of debug, info, notice, "
               "warning, error, critical, alert, emergency",
               NULL);
}

/* A 2026-07-28 request names its version in params._meta; refuse ones we
 * do not speak (-32022). Returns false when an error was sent. */
static bool check_meta(struct et_mcp *m, struct outbuf *o,
                       struct json_object *id, struct json_object *params)
{
    struct json_object *meta, *v, *data;
    const char *want;

    if (!params || !json_object_object_get_ex(params, "_meta", &meta) ||
        !json_object_is_type(meta, json_type_object) ||
        !json_object_object_get_ex(
            meta, "io.modelcontextprotocol/protocolVersion", &v))
        return true;
    want = json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                    : "";
    if (!strcmp(want, MODERN)) {
        if (!m->initialized)
            snprintf(m->version, sizeof(m->version), "%s", MODERN);
        return true;
    }
    data = et__jnew_object();
    if (et__mcp_put(data, "supported", et__mcp_versions_array()) &&
        et__mcp_put_str(data, "requested", want))
        send_error(o, id, E_VERSION, "Unsupported protocol version", data);
    else
        o->oom = true;
    json_object_put(data);
    return false;
}

static void dispatch(struct et_mcp *m, struct outbuf *o,
                     struct json_object *msg, struct json_object *id)
{
    struct json_object *v, *params = NULL;
    const char *method;
    bool note = !json_object_object_get_ex(msg, "id", NULL);

    if (!json_object_object_get_ex(msg, "method", &v))
        return; /* a response: nothing to do */
    method = json_object_get_string(v);
    json_object_object_get_ex(msg, "params", &params);
    if (note) {
        /* notifications/initialized, notifications/cancelled (every call
         * is answered before the next line is read, so there is nothing
         * to cancel), anything else: no reply, ever */
        return;
    }
    if (!check_meta(m, o, id, params))
        return;
    o->modern = !strcmp(m->version, MODERN) && strcmp(method, "initialize");
    if (!strcmp(method, "initialize"))
        m_initialize(m, o, id, params);
    else if (!strcmp(method, "server/discover"))
        m_discover(m, o, id);
    else if (!strcmp(method, "ping"))
        send_result(o, id, et__jnew_object());
    else if (!strcmp(method, "tools/list"))
        m_tools_list(o, id, params);
    else if (!strcmp(method, "tools/call"))
        m_tools_call(m, o, id, params);
    else if (!strcmp(method, "logging/setLevel"))
        m_set_level(m, o, id, params);
    else {
        char why[200];
        snprintf(why, sizeof(why), "Method not found: %.150s", method);
        send_error(o, id, E_METHOD, why, NULL);
    }
}

/*
 * The reply when memory ran out while a message was handled: the partial
 * output is dropped (log notifications too) and a request is answered
 * -32603 with its id. ET_ENOMEM when even that cannot be written (the
 * callers then answer with a fixed text).
 */
static int answer_oom(struct outbuf *o, struct json_object *id, bool is_request)
{
    free(o->p);
    memset(o, 0, sizeof(*o));
    if (!is_request)
        return ET_OK;
    send_error(o, id, E_INTERNAL, "Internal error: out of memory", NULL);
    if (o->oom) {
        free(o->p);
        o->p = NULL;
        return ET_ENOMEM;
    }
    return ET_OK;
}

int et_mcp_handle_http(struct et_mcp *m, const char *buf, size_t len,
                       const struct et_mcp_http *http, char **out,
                       size_t *out_len, struct et_mcp_outcome *oc)
{
    struct outbuf o = {NULL, 0, 0, 0, 0, false, false};
    struct json_object *msg = NULL, *id = NULL, *data = NULL;
    const char *why = "";
    char why_http[256];
    uint64_t fails0;
    bool is_request, is_modern;
    int code, rc = ET_OK;

    *out = NULL;
    *out_len = 0;
    if (oc)
        memset(oc, 0, sizeof(*oc));
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    if (!len && !http)
        return ET_OK; /* a blank line between stdio messages */
    et__alloc_request_begin();
    /* a value that failed before this message is not this message's; one
     * that fails while it is handled makes the reply -32603, whatever
     * took the flag in between (codec/json.h) */
    (void)et__json_oom_take();
    fails0 = et__json_oom_count();
    code = parse(buf, len, &msg, &id, &why);
    if (!code && http) {
        code =
            et__mcp_http_check(m, http, msg, why_http, sizeof(why_http), &data);
        why = why_http;
    }
    if (code) {
        send_error(&o, id, code, why, data);
    } else {
        m->http = http;
        dispatch(m, &o, msg, id);
        m->http = NULL;
    }
    /* a request, or a message refused with its id: *out answers it */
    is_request = (code && id) ||
                 (!code && json_object_object_get_ex(msg, "method", NULL) &&
                  json_object_object_get_ex(msg, "id", NULL));
    is_modern = o.modern || !strcmp(m->version, MODERN);
    if (o.oom || et__json_oom_count() != fails0)
        rc = answer_oom(&o, id, is_request);
    if (oc) {
        oc->is_request = is_request;
        oc->is_modern = is_modern;
        oc->error = o.error;
        oc->reply_off = o.last_off;
    }
    json_object_put(data);
    json_object_put(msg);
    json_object_put(id);
    et__alloc_request_end();
    if (rc)
        return rc;
    *out = o.p;
    *out_len = o.len;
    return ET_OK;
}

int et_mcp_handle(struct et_mcp *m, const char *buf, size_t len, char **out,
                  size_t *out_len)
{
    return et_mcp_handle_http(m, buf, len, NULL, out, out_len, NULL);
}
