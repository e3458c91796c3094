/* SPDX-License-Identifier: MIT */
/*
 * OTLP -> events, by the GenAI semantic conventions: a pure function of
 * the normalised spans (and, for spans outside the request, of what a
 * lookup says earlier requests stored). invoke_agent spans become whole
 * execution records with their execute_tool descendants as actions; any
 * other span or log record becomes a raw event. Rules and the table:
 * docs/INTEGRATIONS.md, "OpenTelemetry (OTLP)".
 */
#include "base/setup.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/ledger.h"
#include "ingest/otlp_int.h"

#define MAX_CHAIN 256 /* parent links followed before giving up */

enum kind { K_OTHER, K_AGENT, K_TOOL };

/* Per-span state of one mapping. */
struct sp {
    struct json_object *o; /* the normalised span (borrowed) */
    const char *trace, *id, *parent;
    enum kind kind;
    bool is_deferred;
    char exec[37];       /* K_AGENT: its execution */
    char owner[37];      /* the execution it belongs to ("" none) */
    char wait[17];       /* unresolved: the missing ancestor span */
    struct sp *owner_sp; /* the owner's span when it is in this request */
    struct json_object *actions; /* K_AGENT: its actions (owned) */
};

void et__otlp_plan_init(struct et__otlp_plan *p)
{
    memset(p, 0, sizeof(*p));
}

void et__otlp_plan_release(struct et__otlp_plan *p)
{
    for (size_t i = 0; i < p->n_ev; i++)
        json_object_put(p->ev[i].body);
    et__free(p->ev);
    json_object_put(p->index);
    json_object_put(p->waits);
    et__otlp_plan_init(p);
}

void et__otlp_span_key(char out[128], const char *trace, const char *span)
{
    snprintf(out, 128, "otlp:span:%s:%s", trace, span);
}

static int oom(struct et_error *err)
{
    return et_error_set(err, ET_ENOMEM, "out of memory");
}

/* Append an event; body is transferred. */
static int add_ev(struct et__otlp_plan *p, const char *type, const char *id,
                  struct json_object *body, struct et_error *err)
{
    if (!body)
        return oom(err);
    if (p->n_ev == p->cap_ev) {
        size_t cap = p->cap_ev ? 2 * p->cap_ev : 16;
        struct et__otlp_ev *ev = et__realloc(p->ev, cap * sizeof(*ev));

        if (!ev) {
            json_object_put(body);
            return oom(err);
        }
        p->ev = ev;
        p->cap_ev = cap;
    }
    p->ev[p->n_ev].type = type;
    snprintf(p->ev[p->n_ev].id, sizeof(p->ev[p->n_ev].id), "%s", id ? id : "");
    p->ev[p->n_ev].body = body;
    p->n_ev++;
    return ET_OK;
}

static void reject(struct et__otlp_plan *p, const char *path, const char *why)
{
    if (!p->rejected)
        snprintf(p->message, sizeof(p->message), "%s: %s", path, why);
    p->rejected++;
}

static bool is_zero_hex(const char *s)
{
    for (; *s; s++)
        if (*s != '0')
            return false;
    return true;
}

static int64_t jint(struct json_object *o, const char *k)
{
    struct json_object *v = et__jget(o, k);

    return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v)
                                                      : 0;
}

/* Why a span cannot be used, or NULL. */
static const char *span_invalid(struct json_object *s, char buf[96])
{
    const char *t = et__jstr(s, "trace_id"), *id = et__jstr(s, "span_id");
    const char *par = et__jstr(s, "parent_span_id");

    if (!t || strlen(t) != 32) {
        snprintf(buf, 96, "traceId: %zu bytes, expected 16",
                 t ? strlen(t) / 2 : 0);
        return buf;
    }
    if (is_zero_hex(t))
        return "traceId: all zero (invalid)";
    if (!id || strlen(id) != 16) {
        snprintf(buf, 96, "spanId: %zu bytes, expected 8",
                 id ? strlen(id) / 2 : 0);
        return buf;
    }
    if (is_zero_hex(id))
        return "spanId: all zero (invalid)";
    if (par && strlen(par) != 16) {
        snprintf(buf, 96, "parentSpanId: %zu bytes, expected 8",
                 strlen(par) / 2);
        return buf;
    }
    if (jint(s, "start_ns") <= 0)
        return "startTimeUnixNano: missing";
    if (jint(s, "end_ns") < jint(s, "start_ns"))
        return "endTimeUnixNano: before startTimeUnixNano";
    return NULL;
}

static const char *attr(struct json_object *s, const char *k)
{
    return et__jstr(et__jget(s, "attributes"), k);
}

static enum kind kind_of(struct json_object *s)
{
    const char *op = attr(s, "gen_ai.operation.name");
    const char *name = et__jstr(s, "name");

    if (!op && name) /* spans that give only the conventional name */
        op =
            !strncmp(name, "invoke_agent", 12) && (!name[12] || name[12] == ' ')
                ? "invoke_agent"
            : !strncmp(name, "execute_tool", 12) &&
                    (!name[12] || name[12] == ' ')
                ? "execute_tool"
                : NULL;
    if (op && !strcmp(op, "invoke_agent"))
        return K_AGENT;
    if (op && !strcmp(op, "execute_tool"))
        return K_TOOL;
    return K_OTHER;
}

/* The execution id of an invoke_agent span: a name-based (version 5
 * layout) UUID from SHA-256 of its trace and span ids, so a retry or a
 * rebuild derives the same one. */
static void exec_id_for(const char *trace, const char *span, char out[37])
{
    uint8_t h[ET_HASH_LEN];
    char in[80];
    int n = snprintf(in, sizeof(in), "exectrail/otlp/span:%s:%s", trace, span);

    et_hash_sha256(in, (size_t)n, h);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10],
             h[11], h[12], h[13], h[14], h[15]);
}

/* "trace:span" -> index in spans, in a json-c object used as a hash map. */
static struct sp *find(struct json_object *map, struct sp *v, const char *trace,
                       const char *span)
{
    char key[64];
    struct json_object *i;

    snprintf(key, sizeof(key), "%s:%s", trace, span);
    i = et__jget(map, key);
    return i ? &v[json_object_get_int(i)] : NULL;
}

/*
 * Which execution s belongs to: the nearest invoke_agent ancestor, looked
 * up in this request first, then in what earlier requests stored. Sets
 * s->owner, or s->wait to the ancestor that has not arrived yet.
 */
static int resolve(struct sp *s, struct json_object *map, struct sp *v,
                   et__otlp_lookup_fn *lookup, void *ctx, struct et_error *err)
{
    const char *cur = s->parent;
    char hop[17];

    for (int n = 0; cur && n < MAX_CHAIN; n++) {
        struct sp *q = find(map, v, s->trace, cur);
        char key[128], *val = NULL;
        int rc;

        if (q) {
            if (q->kind == K_AGENT) {
                memcpy(s->owner, q->exec, sizeof(s->owner));
                s->owner_sp = q;
                return ET_OK;
            }
            cur = q->parent;
            continue;
        }
        if (!lookup) {
            snprintf(s->wait, sizeof(s->wait), "%s", cur);
            return ET_OK;
        }
        et__otlp_span_key(key, s->trace, cur);
        rc = lookup(ctx, key, &val, err);
        if (rc)
            return rc;
        if (!val) {
            snprintf(s->wait, sizeof(s->wait), "%s", cur);
            return ET_OK;
        }
        if (val[0] == '?' && strlen(val) == 17 && strcmp(val + 1, cur) != 0) {
            memcpy(hop, val + 1, sizeof(hop));
            cur = hop;
        } else {
            if (val[0] != '?' && strcmp(val, "-") != 0)
                snprintf(s->owner, sizeof(s->owner), "%s", val);
            cur = NULL;
        }
        et__free(val);
    }
    return ET_OK;
}

/* Attribute value as text: strings as is, else compact JSON. */
static void set_text(struct json_object *o, const char *k,
                     struct json_object *v)
{
    struct json_object *s;

    if (!v)
        return;
    if (json_object_is_type(v, json_type_string))
        s = json_object_get(v);
    else
        s = et__jnew_string(json_object_to_json_string_ext(
            v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    if (s && et__jadd(o, k, s))
        json_object_put(s);
}

static void set_copy(struct json_object *o, const char *k,
                     struct json_object *v)
{
    if (v && et__jadd(o, k, json_object_get(v)))
        json_object_put(v);
}

static void set_time(struct json_object *o, const char *k, int64_t ns)
{
    char when[ET_RFC3339_MAX];

    et_time_format(ns, when);
    et__jput_str(o, k, when);
}

static bool is_error(struct json_object *s)
{
    return jint(et__jget(s, "status"), "code") == 2;
}

/* Where the span came from, kept with every mapped item. */
static struct json_object *origin(const struct sp *s)
{
    struct json_object *o = et__jnew_object();

    if (!o)
        return NULL;
    et__jput_str(o, "trace_id", s->trace);
    et__jput_str(o, "span_id", s->id);
    et__jput_str(o, "parent_span_id", s->parent);
    set_copy(o, "name", et__jget(s->o, "name"));
    set_copy(o, "kind", et__jget(s->o, "kind"));
    set_copy(o, "status", et__jget(s->o, "status"));
    set_copy(o, "attributes", et__jget(s->o, "attributes"));
    set_copy(o, "service_name",
             et__jget(et__jget(s->o, "resource"), "service.name"));
    set_copy(o, "scope", et__jget(s->o, "scope"));
    return o;
}

/* An execute_tool span as a spec action (without "sequence"). */
static struct json_object *action_of(const struct sp *s)
{
    struct json_object *a = et__jnew_object();
    const char *tool = attr(s->o, "gen_ai.tool.name");
    const char *name = et__jstr(s->o, "name");
    int64_t t0 = jint(s->o, "start_ns"), t1 = jint(s->o, "end_ns");

    if (!a)
        return NULL;
    if (!tool && name && !strncmp(name, "execute_tool ", 13))
        tool = name + 13;
    et__jput_str(a, "tool", tool && *tool ? tool : "unknown");
    et__jput_str(a, "action", name);
    set_text(
        a, "input",
        et__jget(et__jget(s->o, "attributes"), "gen_ai.tool.call.arguments"));
    set_text(a, "output",
             et__jget(et__jget(s->o, "attributes"), "gen_ai.tool.call.result"));
    set_time(a, "timestamp", t0);
    et__jadd(a, "success", et__jnew_boolean(!is_error(s->o)));
    if (is_error(s->o)) {
        const char *m = et__jstr(et__jget(s->o, "status"), "message");
        const char *et = attr(s->o, "error.type");

        et__jput_str(a, "error", m && *m ? m : et ? et : "span status ERROR");
        et__jput_str(a, "error_type", et);
    }
    et__jadd(a, "duration_ms", et__jnew_int64((t1 - t0) / 1000000));
    et__jput_str(a, "tool_use_id", attr(s->o, "gen_ai.tool.call.id"));
    et__jput_str(a, "tool_type", attr(s->o, "gen_ai.tool.type"));
    et__jput_str(a, "span_id", s->id);
    return a;
}

/* Text of gen_ai.input/output.messages: the parts' text joined. */
static void messages_text(struct json_object *v, struct et_buf *out)
{
    struct json_object *parsed = NULL;

    if (v && json_object_is_type(v, json_type_string)) {
        /* structured values may come as JSON strings */
        if (json_object_get_string_len(v) > 0 &&
            json_object_get_string(v)[0] == '[' &&
            et_json_parse(json_object_get_string(v),
                          (size_t)json_object_get_string_len(v), NULL, &parsed,
                          NULL) == ET_OK)
            v = parsed;
        else {
            (void)!et_buf_addstr(out, json_object_get_string(v));
            return;
        }
    }
    for (size_t i = 0; v && json_object_is_type(v, json_type_array) &&
                       i < json_object_array_length(v);
         i++) {
        struct json_object *parts =
            et__jget(json_object_array_get_idx(v, i), "parts");

        for (size_t j = 0;
             parts && json_object_is_type(parts, json_type_array) &&
             j < json_object_array_length(parts);
             j++) {
            const char *t =
                et__jstr(json_object_array_get_idx(parts, j), "content");

            if (!t)
                continue;
            if (out->len)
                (void)!et_buf_addstr(out, "\n\n");
            (void)!et_buf_addstr(out, t);
        }
    }
    json_object_put(parsed);
}

static int cmp_start(const void *a, const void *b)
{
    int64_t x = jint(*(struct json_object *const *)a, "timestamp_ns_");
    int64_t y = jint(*(struct json_object *const *)b, "timestamp_ns_");

    return (x > y) - (x < y);
}

/* Number the actions by start time (the key "timestamp_ns_" is removed). */
static void number_actions(struct json_object *acts)
{
    size_t n = json_object_array_length(acts);

    json_object_array_sort(acts, cmp_start);
    for (size_t i = 0; i < n; i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);

        json_object_object_del(a, "timestamp_ns_");
        et__jadd(a, "sequence", et__jnew_int64((int64_t)i + 1));
    }
}

/* The whole record of an invoke_agent span. */
static struct json_object *record_of(struct sp *s)
{
    struct json_object *at = et__jget(s->o, "attributes");
    struct json_object *r = et__jnew_object();
    struct json_object *meta = et__jnew_object();
    struct json_object *cfg = et__jnew_object();
    struct json_object *dl = et__jnew_object();
    struct json_object *ex = et__jnew_object();
    struct json_object *usage = et__jnew_object();
    struct et_buf in = ET_BUF_INIT, out = ET_BUF_INIT;
    const char *name = attr(s->o, "gen_ai.agent.name");
    const char *sname = et__jstr(s->o, "name");
    const char *conv = attr(s->o, "gen_ai.conversation.id");
    int64_t t0 = jint(s->o, "start_ns"), t1 = jint(s->o, "end_ns");
    char sess[64];

    if (!r || !meta || !cfg || !dl || !ex || !usage) {
        json_object_put(r);
        json_object_put(meta);
        json_object_put(cfg);
        json_object_put(dl);
        json_object_put(ex);
        json_object_put(usage);
        return NULL;
    }
    if (!name && sname && !strncmp(sname, "invoke_agent ", 13))
        name = sname + 13;
    if (!conv)
        conv = attr(s->o, "session.id");
    snprintf(sess, sizeof(sess), "otlp-trace-%s", s->trace);
    et__jput_str(r, "execution_id", s->exec);
    et__jput_str(r, "session_id", conv && *conv ? conv : sess);
    set_time(r, "timestamp_start", t0);
    set_time(r, "timestamp_end", t1);
    et__jadd(r, "duration_ms", et__jnew_int64(t1 / 1000000 - t0 / 1000000));
    et__jput_str(meta, "name", name && *name ? name : "unknown");
    et__jput_str(meta, "version", attr(s->o, "gen_ai.agent.version"));
    et__jput_str(cfg, "agent_id", attr(s->o, "gen_ai.agent.id"));
    et__jput_str(cfg, "description", attr(s->o, "gen_ai.agent.description"));
    et__jput_str(cfg, "provider", attr(s->o, "gen_ai.provider.name"));
    et__jput_str(cfg, "model", attr(s->o, "gen_ai.request.model"));
    et__jput_str(cfg, "response_model", attr(s->o, "gen_ai.response.model"));
    set_copy(cfg, "temperature", et__jget(at, "gen_ai.request.temperature"));
    set_copy(cfg, "max_tokens", et__jget(at, "gen_ai.request.max_tokens"));
    et__jadd(meta, "configuration", cfg);
    et__jadd(r, "agent_metadata", meta);
    messages_text(et__jget(at, "gen_ai.input.messages"), &in);
    et__jput_str(dl, "prompt_sent", in.len ? et_buf_str(&in) : "");
    et__jput_str(dl, "instructions", attr(s->o, "gen_ai.agent.description"));
    et__jadd(r, "delegation", dl);
    number_actions(s->actions);
    et__jadd(ex, "actions_taken", json_object_get(s->actions));
    et__jadd(r, "execution", ex);
    messages_text(et__jget(at, "gen_ai.output.messages"), &out);
    if (out.len) {
        struct json_object *o = et__jnew_object();

        et__jput_str(o, "raw_response", et_buf_str(&out));
        et__jadd(r, "output", o);
    }
    set_copy(usage, "input_tokens", et__jget(at, "gen_ai.usage.input_tokens"));
    set_copy(usage, "output_tokens",
             et__jget(at, "gen_ai.usage.output_tokens"));
    set_copy(usage, "cache_read_input_tokens",
             et__jget(at, "gen_ai.usage.cache_read.input_tokens"));
    set_copy(usage, "cache_creation_input_tokens",
             et__jget(at, "gen_ai.usage.cache_creation.input_tokens"));
    et__jput_str(usage, "model", attr(s->o, "gen_ai.response.model"));
    et__jadd(r, "usage", usage);
    if (is_error(s->o)) {
        struct json_object *iss = et__jnew_array();
        struct json_object *i = et__jnew_object();
        const char *m = et__jstr(et__jget(s->o, "status"), "message");
        const char *et = attr(s->o, "error.type");

        et__jput_str(i, "type", "ERROR");
        et__jput_str(i, "description",
                     m && *m ? m
                     : et    ? et
                             : "invoke_agent span status ERROR");
        et__jappend(iss, i);
        et__jadd(r, "issues", iss);
    }
    if (s->owner[0])
        et__jput_str(r, "parent_execution_id", s->owner);
    et__jput_str(r, "source", "otlp");
    et__jadd(r, "otlp", origin(s));
    et_buf_release(&in);
    et_buf_release(&out);
    return r;
}

/* A raw span event: the span as received, where it belongs, whether it
 * still waits for an ancestor. */
static struct json_object *raw_of(const struct sp *s)
{
    struct json_object *b = et__jnew_object();

    if (!b)
        return NULL;
    json_object_object_foreach(s->o, k, v)
    {
        if (strcmp(k, "deferred") != 0)
            set_copy(b, k, v);
    }
    et__jput_str(b, "execution_ref", s->owner[0] ? s->owner : NULL);
    if (s->wait[0])
        et__jput_str(b, "waits_for_span", s->wait);
    return b;
}

static int add_wait(struct et__otlp_plan *p, const struct sp *s)
{
    char key[128];
    struct json_object *a, *c;

    snprintf(key, sizeof(key), "otlp:wait:%s:%s", s->trace, s->wait);
    a = et__jget(p->waits, key);
    if (!a) {
        a = et__jnew_array();
        if (!a || et__jadd(p->waits, key, a))
            return -1;
    }
    c = NULL;
    if (json_object_deep_copy(s->o, &c, NULL) || !c)
        return -1;
    json_object_object_del(c, "deferred");
    if (et__jappend(a, c)) {
        json_object_put(c);
        return -1;
    }
    return 0;
}

static int index_put(struct et__otlp_plan *p, const struct sp *s)
{
    char key[128], val[40];

    et__otlp_span_key(key, s->trace, s->id);
    if (s->kind == K_AGENT)
        snprintf(val, sizeof(val), "%s", s->exec);
    else if (s->owner[0])
        snprintf(val, sizeof(val), "%s", s->owner);
    else if (s->wait[0])
        snprintf(val, sizeof(val), "?%s", s->wait);
    else
        snprintf(val, sizeof(val), "-");
    return et__jadd(p->index, key, et__jnew_string(val));
}

/* Collect the usable spans into v (n_out of them) and the map. */
static int collect(struct json_object *spans, struct sp *v, size_t *n_out,
                   struct json_object *map, struct et__otlp_plan *p)
{
    size_t n = 0, len = json_object_array_length(spans);

    for (size_t i = 0; i < len; i++) {
        struct json_object *o = json_object_array_get_idx(spans, i);
        struct sp *s = &v[n];
        const char *why;
        char buf[96], key[64];

        why = span_invalid(o, buf);
        if (why) {
            reject(p, et__jstr(o, "path") ? et__jstr(o, "path") : "span", why);
            continue;
        }
        memset(s, 0, sizeof(*s));
        s->o = o;
        s->trace = et__jstr(o, "trace_id");
        s->id = et__jstr(o, "span_id");
        s->parent = et__jstr(o, "parent_span_id");
        s->kind = kind_of(o);
        s->is_deferred = et__jget(o, "deferred") != NULL;
        snprintf(key, sizeof(key), "%s:%s", s->trace, s->id);
        if (et__jget(map, key)) { /* the same span twice in one request */
            p->duplicates++;
            continue;
        }
        if (et__jadd(map, key, et__jnew_int((int)n)))
            return -1;
        if (s->kind == K_AGENT) {
            exec_id_for(s->trace, s->id, s->exec);
            s->actions = et__jnew_array();
            if (!s->actions)
                return -1;
        }
        n++;
    }
    *n_out = n;
    return 0;
}

static int emit_all(struct sp *v, size_t n, struct et__otlp_plan *p,
                    struct et_error *err)
{
    int rc = ET_OK;

    /* actions first: each goes to its execution's record in this request,
     * or to one stored earlier, or waits */
    for (size_t i = 0; !rc && i < n; i++) {
        struct sp *s = &v[i], *ag;
        struct json_object *a;

        if (s->kind != K_TOOL || !s->owner[0])
            continue;
        a = action_of(s);
        if (!a)
            return oom(err);
        ag = s->owner_sp;
        if (ag && !ag->is_deferred) {
            et__jadd(a, "timestamp_ns_",
                     et__jnew_int64(jint(s->o, "start_ns")));
            if (et__jappend(ag->actions, a)) {
                json_object_put(a);
                return oom(err);
            }
        } else {
            rc = add_ev(p, "action.recorded", s->owner, a, err);
        }
        p->actions++;
    }
    /* executions, each whole; an agent whose ancestor had not arrived was
     * recorded without a parent and waited: it gets its link now */
    for (size_t i = 0; !rc && i < n; i++) {
        struct sp *s = &v[i];

        if (s->kind != K_AGENT)
            continue;
        if (s->wait[0] && add_wait(p, s))
            return oom(err);
        if (!s->is_deferred) {
            rc = add_ev(p, "execution.recorded", s->exec, record_of(s), err);
            p->executions++;
        } else if (s->owner[0]) {
            struct json_object *b = et__jnew_object();

            et__jput_str(b, "parent_execution_id", s->owner);
            et__jput_str(b, "parent_span_id", s->parent);
            rc = add_ev(p, "execution.linked", s->exec, b, err);
        }
    }
    /* raw events for the rest (a span that waited already has one) */
    for (size_t i = 0; !rc && i < n; i++) {
        struct sp *s = &v[i];

        if (s->kind == K_AGENT || (s->kind == K_TOOL && s->owner[0]))
            continue;
        if (s->kind == K_TOOL && s->wait[0] && add_wait(p, s))
            return oom(err);
        if (s->is_deferred)
            continue;
        rc = add_ev(p, "otlp.span", NULL, raw_of(s), err);
        p->raw++;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        if (!v[i].is_deferred)
            p->accepted++;
        if (index_put(p, &v[i]))
            return oom(err);
    }
    return rc;
}

int et__otlp_map_spans(struct json_object *spans, et__otlp_lookup_fn *lookup,
                       void *ctx, struct et__otlp_plan *p, struct et_error *err)
{
    size_t len = json_object_array_length(spans), n = 0;
    struct sp *v = et__calloc(len ? len : 1, sizeof(*v));
    struct json_object *map = et__jnew_object();
    int rc = ET_OK;

    if (!p->index)
        p->index = et__jnew_object();
    if (!p->waits)
        p->waits = et__jnew_object();
    if (!v || !map || !p->index || !p->waits || collect(spans, v, &n, map, p)) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; !rc && i < n; i++)
        rc = resolve(&v[i], map, v, lookup, ctx, err);
    if (!rc)
        rc = emit_all(v, n, p, err);
out:
    for (size_t i = 0; v && i < len; i++)
        json_object_put(v[i].actions);
    et__free(v);
    json_object_put(map);
    return rc;
}

/* ---- logs ---- */

/* The event name of a log record: the eventName field, the event.name
 * attribute or a string body; a "claude_code." name (Claude Code puts the
 * short name in event.name and the full one in the body) wins. */
static const char *event_name(struct json_object *l)
{
    struct json_object *body = et__jget(l, "body");
    const char *c[3] = {et__jstr(l, "event_name"), attr(l, "event.name"),
                        body && json_object_is_type(body, json_type_string)
                            ? json_object_get_string(body)
                            : NULL};

    for (size_t i = 0; i < 3; i++)
        if (c[i] && !strncmp(c[i], "claude_code.", 12))
            return c[i];
    for (size_t i = 0; i < 3; i++)
        if (c[i] && *c[i])
            return c[i];
    return NULL;
}

int et__otlp_map_logs(struct json_object *logs, et__otlp_lookup_fn *lookup,
                      void *ctx, struct et__otlp_plan *p, struct et_error *err)
{
    size_t len = json_object_array_length(logs);
    int rc = ET_OK;

    if (!p->index)
        p->index = et__jnew_object();
    if (!p->waits)
        p->waits = et__jnew_object();
    if (!p->index || !p->waits)
        return oom(err);
    for (size_t i = 0; !rc && i < len; i++) {
        struct json_object *l = json_object_array_get_idx(logs, i);
        struct json_object *b = et__jnew_object();
        const char *ev = event_name(l), *tr = et__jstr(l, "trace_id");
        const char *sp = et__jstr(l, "span_id");
        int64_t t =
            jint(l, "time_ns") ? jint(l, "time_ns") : jint(l, "observed_ns");

        if (!b)
            return oom(err);
        if ((tr && strlen(tr) != 32) || (sp && strlen(sp) != 16)) {
            json_object_put(b);
            reject(p, et__jstr(l, "path"),
                   tr && strlen(tr) != 32 ? "traceId: expected 16 bytes"
                                          : "spanId: expected 8 bytes");
            continue;
        }
        json_object_object_foreach(l, k, v)
        {
            set_copy(b, k, v);
        }
        et__jput_str(b, "event", ev);
        et__jput_str(b, "session_id", attr(l, "session.id"));
        et__jput_str(b, "prompt_id", attr(l, "prompt.id"));
        et__jput_str(b, "tool_use_id", attr(l, "tool_use_id"));
        if (t)
            set_time(b, "timestamp", t);
        if (tr && sp && lookup) {
            char key[128], *val = NULL;

            et__otlp_span_key(key, tr, sp);
            rc = lookup(ctx, key, &val, err);
            if (!rc && val && *val && *val != '?' && strcmp(val, "-") != 0)
                et__jput_str(b, "execution_ref", val);
            et__free(val);
        }
        if (!rc)
            rc = add_ev(p, "otlp.log", NULL, b, err);
        else
            json_object_put(b);
        p->raw++;
        p->accepted++;
    }
    return rc;
}
