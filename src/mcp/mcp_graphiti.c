/* SPDX-License-Identifier: MIT */
/*
 * graphiti-memory compatible tools: add_memory (and add_episode) turns the
 * spec's "Execution Start: <id>" / "Execution Complete: <id>" JSON episodes
 * into real executions through the lifecycle API, and any other episode
 * into a ledger note (mcp_notes.c); search_memory_facts (and
 * search_facts) runs the query language and returns facts naming the
 * execution, the field and the value. Results are wrapped as FastMCP does:
 * {"result": {...}}.
 */
#define _POSIX_C_SOURCE 200809L
#include "mcp/mcp_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exectrail/exectrail.h"

#define START    "Execution Start: "
#define COMPLETE "Execution Complete: "

static int oom(struct et_error *err)
{
    return et_error_set(err, ET_ENOMEM, "out of memory");
}

static struct json_object *wrap(struct json_object *inner)
{
    struct json_object *r = et__jnew_object();
    if (!r || !inner) {
        json_object_put(r);
        json_object_put(inner);
        return NULL;
    }
    if (!et__mcp_put(r, "result", inner)) {
        json_object_put(r);
        return NULL;
    }
    return r;
}

static struct json_object *message(const char *text)
{
    struct json_object *o = et__jnew_object();
    if (!et__mcp_put_str(o, "message", text)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* v as a string: itself, or its JSON text. */
static struct json_object *as_string(struct json_object *v)
{
    if (json_object_is_type(v, json_type_string))
        return json_object_get(v);
    return et__jnew_string(
        json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

static bool copy_as(struct json_object *to, const char *tk,
                    struct json_object *from, const char *fk, bool str)
{
    struct json_object *v;
    if (!json_object_object_get_ex(from, fk, &v) || !v)
        return true;
    return et__mcp_put(to, tk, str ? as_string(v) : json_object_get(v));
}

/* Python's datetime.now().isoformat() has no zone: graphiti reads a naive
 * time as UTC, and so do we ("2025-01-16T10:30:00.123456" gets a "Z"). */
static bool naive_utc(struct json_object *obj, const char *key)
{
    struct json_object *v;
    const char *s, *t;
    char buf[64];

    if (!json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return true;
    s = json_object_get_string(v);
    t = strchr(s, 'T');
    if (!t || strlen(s) >= sizeof(buf) - 1 || strlen(t) < 9 ||
        strpbrk(t, "Zz+") || strchr(t, '-'))
        return true;
    snprintf(buf, sizeof(buf), "%sZ", s);
    return et__mcp_put_str(obj, key, buf);
}

static int call(struct et_mcp *m, struct json_object *obj, const char *id,
                int (*fn)(struct et_trail *, const char *, const char *, size_t,
                          struct et_error *),
                const char *what, struct et_error *err)
{
    size_t len = 0;
    const char *text =
        json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &len);
    int rc;

    if (!text)
        return oom(err);
    rc = fn(m->t, id, text, len, err);
    if (rc != ET_OK)
        et_error_prefix(err, "argument 'episode_body' (%s)", what);
    return rc;
}

/* Phase 1 from the spec's pre-delegation context (flat: user_request,
 * selected_agent, selection_reasoning, expected_outcome, risk_factors) or
 * from spec-shaped fields. ET_EEXIST when already started. */
static int start_from(struct et_mcp *m, struct json_object *body,
                      struct et_error *err)
{
    struct json_object *s = NULL, *ctx, *meta;
    char id[37];
    size_t len = 0;
    const char *text;
    int rc;

    if (json_object_object_get_ex(body, "main_agent_context", NULL) ||
        json_object_object_get_ex(body, "agent_metadata", NULL)) {
        s = et__jnew_object();
        if (!s || !copy_as(s, "execution_id", body, "execution_id", false) ||
            !copy_as(s, "session_id", body, "session_id", false) ||
            !copy_as(s, "timestamp_start", body, "timestamp_start", false) ||
            !copy_as(s, "parent_execution_id", body, "parent_execution_id",
                     false) ||
            !copy_as(s, "main_agent_context", body, "main_agent_context",
                     false) ||
            !copy_as(s, "agent_metadata", body, "agent_metadata", false))
            goto nomem;
    } else {
        s = et__jnew_object();
        ctx = et__jnew_object();
        meta = et__jnew_object();
        if (!et__mcp_put(s, "main_agent_context", ctx)) {
            json_object_put(meta);
            goto nomem;
        }
        if (!et__mcp_put(s, "agent_metadata", meta))
            goto nomem;
        if (!copy_as(s, "execution_id", body, "execution_id", false) ||
            !copy_as(s, "session_id", body, "session_id", false) ||
            !copy_as(s, "timestamp_start", body, "timestamp_start", false) ||
            !copy_as(ctx, "user_request", body, "user_request", true) ||
            !copy_as(ctx, "main_agent_reasoning", body, "selection_reasoning",
                     true) ||
            !copy_as(ctx, "expected_outcome", body, "expected_outcome", true) ||
            !copy_as(ctx, "risk_assessment", body, "risk_factors", true) ||
            !copy_as(meta, "name", body, "selected_agent", true))
            goto nomem;
    }
    if (!naive_utc(s, "timestamp_start"))
        goto nomem;
    text = json_object_to_json_string_length(s, JSON_C_TO_STRING_PLAIN, &len);
    if (!text)
        goto nomem;
    rc = et_trail_start(m->t, text, len, id, err);
    if (rc != ET_OK && rc != ET_EEXIST)
        et_error_prefix(err, "argument 'episode_body'");
    json_object_put(s);
    return rc;
nomem:
    json_object_put(s);
    return oom(err);
}

/* Later phases from the spec's complete record, merged into the execution
 * by execution_id. */
static int complete_from(struct et_mcp *m, const char *id,
                         struct json_object *body, struct et_error *err)
{
    struct json_object *v, *sub = NULL, *out = NULL, *done = NULL, *acts;
    int rc;

    if (json_object_object_get_ex(body, "delegation", &v) &&
        json_object_is_type(v, json_type_object)) {
        rc = call(m, v, id, et_trail_delegate, "delegation", err);
        if (rc != ET_OK && rc != ET_ESTATE)
            return rc;
    }
    json_object_object_get_ex(body, "subagent_response", &sub);
    acts = NULL;
    if (json_object_object_get_ex(body, "execution", &v))
        json_object_object_get_ex(v, "actions_taken", &acts);
    if (!acts && sub && json_object_is_type(sub, json_type_object))
        json_object_object_get_ex(sub, "actions_taken", &acts);
    if (acts && json_object_is_type(acts, json_type_array) &&
        json_object_array_length(acts) > 0) {
        uint64_t n = 0;
        size_t len = 0;
        const char *text = json_object_to_json_string_length(
            acts, JSON_C_TO_STRING_PLAIN, &len);
        if (!text)
            return oom(err);
        rc = et_trail_action(m->t, id, text, len, &n, err);
        if (rc != ET_OK && rc != ET_ESTATE)
            return et_error_prefix(err, "argument 'episode_body' (actions)");
    }
    if (json_object_object_get_ex(body, "output", &v) &&
        json_object_is_type(v, json_type_object)) {
        out = json_object_get(v);
    } else if (sub) {
        out = et__jnew_object();
        if (!out || !et__mcp_put(out, "raw_response", as_string(sub)))
            goto nomem;
        if (json_object_is_type(sub, json_type_object) &&
            (!copy_as(out, "files_modified", sub, "files_modified", false) ||
             !copy_as(out, "commands_executed", sub, "commands_executed",
                      false) ||
             !copy_as(out, "api_calls_made", sub, "api_calls_made", false)))
            goto nomem;
    }
    if (out) {
        rc = call(m, out, id, et_trail_respond, "output", err);
        json_object_put(out);
        out = NULL;
        if (rc != ET_OK && rc != ET_ESTATE)
            return rc;
    }
    done = et__jnew_object();
    if (!done ||
        !copy_as(done, "timestamp_end", body, "timestamp_end", false) ||
        !copy_as(done, "verification", body, "verification", false) ||
        !copy_as(done, "quality_metrics", body, "quality_metrics", false) ||
        !copy_as(done, "issues", body, "issues", false) ||
        !naive_utc(done, "timestamp_end"))
        goto nomem;
    if (json_object_object_get_ex(body, "learning", &v) ||
        (json_object_object_get_ex(body, "learning_insights", &v) &&
         json_object_is_type(v, json_type_object)))
        if (!et__mcp_put(done, "learning", json_object_get(v)))
            goto nomem;
    rc = call(m, done, id, et_trail_complete, "completion", err);
    json_object_put(done);
    return rc;
nomem:
    json_object_put(out);
    json_object_put(done);
    return oom(err);
}

static int t_add_memory(struct et_mcp *m, struct json_object *args,
                        struct json_object **res, struct et_error *err)
{
    const char *name, *body_text, *source, *group, *id;
    struct json_object *body, *v;
    bool start, complete;
    char msg[300];
    int rc = et__mcp_arg_str(args, "name", true, &name, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "episode_body", true, &body_text, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "source", false, &source, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "group_id", false, &group, err);
    if (rc != ET_OK)
        return rc;
    if (!group)
        group = "main";
    start = !strncmp(name, START, strlen(START));
    complete = !strncmp(name, COMPLETE, strlen(COMPLETE));
    /* anything but the spec's execution episodes is a ledger note */
    if (!source || strcmp(source, "json") || (!start && !complete))
        return et__mcp_note_episode(m, args, name, body_text, source, group,
                                    res, err);
    body = json_tokener_parse(body_text);
    if (!body || !json_object_is_type(body, json_type_object)) {
        json_object_put(body);
        return et_error_set(err, ET_EINPUT,
                            "argument 'episode_body' must be a JSON object "
                            "when source is \"json\"");
    }
    if (!json_object_object_get_ex(body, "execution_id", &v) ||
        !json_object_is_type(v, json_type_string)) {
        json_object_put(body);
        return et_error_set(err, ET_EINPUT,
                            "argument 'episode_body': execution_id (a "
                            "string) is required");
    }
    id = json_object_get_string(v);
    if (strcmp(name + strlen(start ? START : COMPLETE), id)) {
        /* the message first: id lives in body (found by fuzz_mcp_rpc:
         * a use after free) */
        rc = et_error_set(err, ET_EINPUT,
                          "argument 'name' names another execution than "
                          "episode_body.execution_id (%.40s)",
                          id);
        json_object_put(body);
        return rc;
    }
    if (start) {
        rc = start_from(m, body, err);
        if (rc == ET_EEXIST)
            rc = ET_OK; /* the same start again: already there */
    } else {
        struct json_object *rec = NULL;
        rc = et__mcp_show(m, id, &rec, err);
        json_object_put(rec);
        if (rc == ET_ENOTFOUND) {
            rc = start_from(m, body, err);
            if (rc == ET_EEXIST)
                rc = ET_OK;
        }
        if (rc == ET_OK)
            rc = complete_from(m, id, body, err);
    }
    if (rc == ET_OK) {
        snprintf(msg, sizeof(msg),
                 "Episode '%.80s' recorded as execution %s in group '%.60s'",
                 name, id, group);
        *res = wrap(message(msg));
        if (!*res)
            rc = oom(err);
    }
    json_object_put(body);
    return rc;
}

/* ---- facts ---- */

struct facts {
    struct json_object *arr;
    const char *query;
    const char *group;
    const char *center;
    size_t max;
    bool oom;
};

static bool in_query(const char *q, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = q; (p = strstr(p, word)) != NULL; p++) {
        bool lb = p == q || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                              (p[-1] >= 'A' && p[-1] <= 'Z') ||
                              (p[-1] >= '0' && p[-1] <= '9'));
        char c = p[n];
        bool rb = !(c == '_' || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
        if (lb && rb)
            return true;
    }
    return false;
}

static void add_fact(struct facts *f, struct json_object *rec, const char *id,
                     const char *path, struct json_object *val)
{
    struct json_object *o, *eps, *ts = NULL, *ag = NULL, *meta;
    char text[600], uuid[160];
    const char *vs;

    if (json_object_array_length(f->arr) >= f->max)
        return;
    json_object_object_get_ex(rec, "timestamp_start", &ts);
    if (json_object_object_get_ex(rec, "agent_metadata", &meta))
        json_object_object_get_ex(meta, "name", &ag);
    vs = json_object_is_type(val, json_type_string)
             ? json_object_get_string(val)
             : json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
    snprintf(text, sizeof(text), "execution %s (agent %.60s): %.100s = %.300s",
             id, ag ? json_object_get_string(ag) : "unknown", path,
             vs ? vs : "null");
    snprintf(uuid, sizeof(uuid), "%s/%.100s", id, path);
    o = et__jnew_object();
    eps = et__jnew_array();
    if (!et__mcp_put(o, "episodes", eps) ||
        et__jappend(eps, et__jnew_string(id)) ||
        !et__mcp_put_str(o, "uuid", uuid) ||
        !et__mcp_put_str(o, "group_id", f->group) ||
        !et__mcp_put_str(o, "source_node_uuid", id) ||
        !et__mcp_put_str(o, "target_node_uuid", NULL) ||
        !et__mcp_put(o, "created_at", ts ? json_object_get(ts) : NULL) ||
        !et__mcp_put_str(o, "name", path) ||
        !et__mcp_put_str(o, "fact", text) ||
        !et__mcp_put(o, "expired_at", NULL) ||
        !et__mcp_put(o, "valid_at", ts ? json_object_get(ts) : NULL) ||
        !et__mcp_put(o, "invalid_at", NULL) ||
        !et__mcp_put(o, "reference_time", NULL) ||
        !et__mcp_put(o, "attributes", et__jnew_object()) ||
        !et__mcp_put_str(o, "execution_id", id) ||
        !et__mcp_put_str(o, "field", path) ||
        !et__mcp_put(o, "value", json_object_get(val)) ||
        et__jappend(f->arr, o)) {
        json_object_put(o);
        f->oom = true;
    }
}

/* Leaves of rec whose own key (or, in an array, the array's key) is a word
 * of the query. Returns the number of facts added. */
static size_t walk(struct facts *f, struct json_object *rec, const char *id,
                   struct json_object *node, const char *key, char *path,
                   size_t plen, size_t cap, int depth)
{
    size_t n = 0;

    if (depth > 16 || f->oom)
        return 0;
    if (json_object_is_type(node, json_type_object)) {
        json_object_object_foreach(node, k, v)
        {
            int w =
                snprintf(path + plen, cap - plen, "%s%s", plen ? "." : "", k);
            if (w < 0 || (size_t)w >= cap - plen)
                continue;
            n += walk(f, rec, id, v, k, path, plen + (size_t)w, cap, depth + 1);
            path[plen] = '\0';
        }
    } else if (json_object_is_type(node, json_type_array)) {
        size_t len = json_object_array_length(node);
        for (size_t i = 0; i < len; i++) {
            int w = snprintf(path + plen, cap - plen, "[%zu]", i);
            if (w < 0 || (size_t)w >= cap - plen)
                continue;
            n += walk(f, rec, id, json_object_array_get_idx(node, i), key, path,
                      plen + (size_t)w, cap, depth + 1);
            path[plen] = '\0';
        }
    } else if (key && in_query(f->query, key)) {
        size_t before = json_object_array_length(f->arr);
        add_fact(f, rec, id, path, node);
        n += json_object_array_length(f->arr) - before;
    }
    return n;
}

static int on_record(void *ctx, const char *json, size_t len)
{
    struct facts *f = ctx;
    struct json_object *rec, *v;
    char path[256] = "";
    const char *id;

    (void)len;
    if (json_object_array_length(f->arr) >= f->max)
        return 1;
    rec = json_tokener_parse(json);
    if (!rec || !json_object_object_get_ex(rec, "execution_id", &v)) {
        json_object_put(rec);
        return 0;
    }
    id = json_object_get_string(v);
    if (f->center && strcmp(f->center, id)) {
        json_object_put(rec);
        return 0;
    }
    if (!walk(f, rec, id, rec, NULL, path, 0, sizeof(path), 0)) {
        /* nothing named by a word: the verdict says why it matched */
        struct json_object *ver = NULL;
        if (json_object_object_get_ex(rec, "verification", &ver) &&
            json_object_object_get_ex(ver, "status", &v))
            add_fact(f, rec, id, "verification.status", v);
        else if (json_object_object_get_ex(rec, "execution_id", &v))
            add_fact(f, rec, id, "execution_id", v);
    }
    json_object_put(rec);
    return f->oom;
}

static int group_of(struct json_object *args, const char **group,
                    struct et_error *err)
{
    struct json_object *v;

    *group = "main";
    if (!json_object_object_get_ex(args, "group_ids", &v) || !v)
        return ET_OK;
    if (json_object_is_type(v, json_type_string)) {
        *group = json_object_get_string(v);
        return ET_OK;
    }
    if (!json_object_is_type(v, json_type_array))
        return et_error_set(err, ET_EINPUT,
                            "argument 'group_ids' must be a string or an "
                            "array of strings");
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        struct json_object *g = json_object_array_get_idx(v, i);
        if (!json_object_is_type(g, json_type_string))
            return et_error_set(err, ET_EINPUT,
                                "argument 'group_ids[%zu]' must be a string",
                                i);
        if (i == 0)
            *group = json_object_get_string(g);
    }
    return ET_OK;
}

static int on_text_hit(void *ctx, const struct et_search_hit *h)
{
    struct facts *f = ctx;
    struct json_object *rec = et__jnew_object(), *meta = et__jnew_object(),
                       *v = et__jnew_string(h->snippet);

    if (f->center && strcmp(f->center, h->execution_id)) {
        json_object_put(rec);
        json_object_put(meta);
        json_object_put(v);
        return 0;
    }
    if (!et__mcp_put(rec, "agent_metadata", meta) ||
        !et__mcp_put_str(meta, "name", h->agent_name) || !v) {
        json_object_put(rec);
        json_object_put(v);
        f->oom = true;
        return 1;
    }
    add_fact(f, rec, h->execution_id, "text", v);
    json_object_put(rec);
    json_object_put(v);
    return f->oom;
}

/* Facts from the executions whose text has every word of f->query. */
static int text_facts(struct et_mcp *m, struct facts *f, struct et_error *err)
{
    struct et_search_opts so = {0, 1, NULL, NULL, 0};
    size_t have = json_object_array_length(f->arr);
    int rc;

    if (have >= f->max)
        return ET_OK;
    so.max_executions = f->max - have;
    rc = et_search(m->t, f->query, strlen(f->query), &so, on_text_hit, f, err);
    if (rc == ET_EINPUT) { /* no searchable word */
        err->code = 0;
        err->msg[0] = '\0';
        rc = ET_OK;
    }
    return rc;
}

static int t_search_facts(struct et_mcp *m, struct json_object *args,
                          struct json_object **res, struct et_error *err)
{
    struct facts f = {NULL, NULL, NULL, NULL, 10, false};
    struct et_query *q = NULL;
    struct json_object *inner;
    char why[256] = "", msg[300];
    int64_t max;
    int rc = et__mcp_arg_str(args, "query", true, &f.query, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "max_facts", 10, 1, 10000, &max, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "center_node_uuid", false, &f.center, err);
    if (rc == ET_OK)
        rc = group_of(args, &f.group, err);
    if (rc != ET_OK)
        return rc;
    f.max = (size_t)max;
    f.arr = et__jnew_array();
    if (!f.arr)
        return oom(err);
    /* notes of the groups whose text has every word of the query */
    rc = et__mcp_note_list(m, args, f.query, f.center, 0, f.max, f.arr, err);
    if (rc == ET_OK &&
        et_query_parse(f.query, strlen(f.query), 0, &q, err) != ET_OK) {
        /* not a query (graphiti's queries are plain words): executions
         * whose text has every word; when none, say why it is no query */
        snprintf(why, sizeof(why), "%s", err->msg);
        rc = text_facts(m, &f, err);
    } else if (rc == ET_OK && json_object_array_length(f.arr) < f.max) {
        rc = et_query_records(m->t, q, f.center ? 0 : f.max, 0, on_record, &f,
                              err);
    }
    et_query_free(q);
    if (rc == ET_OK && f.oom)
        rc = oom(err);
    if (rc != ET_OK) {
        json_object_put(f.arr);
        return rc;
    }
    if (!json_object_array_length(f.arr) && why[0])
        snprintf(msg, sizeof(msg),
                 "No relevant facts found (not a query: %.200s)", why);
    inner = message(json_object_array_length(f.arr) ? "Facts retrieved "
                                                      "successfully"
                    : why[0]                        ? msg
                             : "No relevant facts found");
    if (!et__mcp_put(inner, "facts", f.arr)) {
        json_object_put(inner);
        return oom(err);
    }
    *res = wrap(inner);
    return *res ? ET_OK : oom(err);
}

/* ---- nodes, episodes, status, refusals ---- */

struct nodes {
    struct json_object *arr;
    const char *group;
    bool oom;
};

static int on_node(void *ctx, const struct et_search_hit *h)
{
    struct nodes *n = ctx;
    struct json_object *o = et__jnew_object(), *l = et__jnew_array();
    if (!et__mcp_put(o, "labels", l) ||
        et__jappend(l, et__jnew_string("Execution")) ||
        !et__mcp_put_str(o, "uuid", h->execution_id) ||
        !et__mcp_put_str(o, "name",
                         h->agent_name ? h->agent_name : h->execution_id) ||
        !et__mcp_put(o, "created_at", NULL) ||
        !et__mcp_put_str(o, "summary", h->snippet) ||
        !et__mcp_put_str(o, "group_id", n->group) ||
        !et__mcp_put(o, "attributes", et__jnew_object()) ||
        et__jappend(n->arr, o)) {
        json_object_put(o);
        n->oom = true;
        return 1;
    }
    return 0;
}

static int t_search_nodes(struct et_mcp *m, struct json_object *args,
                          struct json_object **res, struct et_error *err)
{
    const char *query;
    int64_t max;
    struct nodes n = {NULL, NULL, false};
    struct et_search_opts so = {0, 1, NULL, NULL, 0};
    struct json_object *inner;
    int rc = et__mcp_arg_str(args, "query", true, &query, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "max_nodes", 10, 1, 1000, &max, err);
    if (rc == ET_OK)
        rc = group_of(args, &n.group, err);
    if (rc != ET_OK)
        return rc;
    so.max_executions = (size_t)max;
    n.arr = et__jnew_array();
    if (!n.arr)
        return oom(err);
    rc = et_search(m->t, query, strlen(query), &so, on_node, &n, err);
    if (rc == ET_OK && n.oom)
        rc = oom(err);
    if (rc == ET_OK && json_object_array_length(n.arr) < so.max_executions)
        rc = et__mcp_note_list(
            m, args, query, NULL, 1,
            so.max_executions - json_object_array_length(n.arr), n.arr, err);
    if (rc != ET_OK) {
        json_object_put(n.arr);
        return et_error_prefix(err, "argument 'query'");
    }
    inner =
        message(json_object_array_length(n.arr) ? "Nodes retrieved successfully"
                                                : "No relevant nodes found");
    if (!et__mcp_put(inner, "nodes", n.arr)) {
        json_object_put(inner);
        return oom(err);
    }
    *res = wrap(inner);
    return *res ? ET_OK : oom(err);
}

static int on_episode(void *ctx, const struct et_exec_summary *s)
{
    struct nodes *n = ctx;
    struct json_object *o = et__jnew_object();
    char name[64], when[40];
    time_t sec = (time_t)(s->start_ns / 1000000000);
    struct tm tm;

    snprintf(name, sizeof(name), "Execution: %s", s->execution_id);
    gmtime_r(&sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!et__mcp_put_str(o, "uuid", s->execution_id) ||
        !et__mcp_put_str(o, "name", name) ||
        !et__mcp_put_str(o, "content", s->state) ||
        !et__mcp_put_str(o, "created_at", when) ||
        !et__mcp_put_str(o, "source", "json") ||
        !et__mcp_put_str(o, "source_description",
                         s->agent_name ? s->agent_name : "") ||
        !et__mcp_put_str(o, "group_id", n->group) || et__jappend(n->arr, o)) {
        json_object_put(o);
        n->oom = true;
        return 1;
    }
    return 0;
}

static int by_created_desc(const void *a, const void *b)
{
    const char *x = NULL, *y = NULL;
    struct json_object *v;

    if (json_object_object_get_ex(*(struct json_object *const *)a, "created_at",
                                  &v))
        x = json_object_get_string(v);
    if (json_object_object_get_ex(*(struct json_object *const *)b, "created_at",
                                  &v))
        y = json_object_get_string(v);
    return strcmp(y ? y : "", x ? x : "");
}

/* Executions and notes together: the newest max episodes first. */
static int newest(struct json_object *arr, size_t max, struct et_error *err)
{
    size_t n = json_object_array_length(arr);

    json_object_array_sort(arr, by_created_desc);
    if (n > max && json_object_array_del_idx(arr, max, n - max))
        return oom(err);
    return ET_OK;
}

static int t_get_episodes(struct et_mcp *m, struct json_object *args,
                          struct json_object **res, struct et_error *err)
{
    int64_t max;
    struct nodes n = {NULL, NULL, false};
    struct json_object *inner, *v;
    int rc;

    if (json_object_object_get_ex(args, "last_n", &v))
        rc = et__mcp_arg_int(args, "last_n", 10, 1, 1000, &max, err);
    else
        rc = et__mcp_arg_int(args, "max_episodes", 10, 1, 1000, &max, err);
    if (rc == ET_OK)
        rc = group_of(args, &n.group, err);
    if (rc != ET_OK)
        return rc;
    n.arr = et__jnew_array();
    if (!n.arr)
        return oom(err);
    rc = et_trail_list(m->t, (size_t)max, on_episode, &n, err);
    if (rc == ET_OK && n.oom)
        rc = oom(err);
    if (rc == ET_OK)
        rc = et__mcp_note_list(m, args, NULL, NULL, 2, (size_t)max, n.arr, err);
    if (rc == ET_OK)
        rc = newest(n.arr, (size_t)max, err);
    if (rc != ET_OK) {
        json_object_put(n.arr);
        return rc;
    }
    inner = message(json_object_array_length(n.arr)
                        ? "Episodes retrieved successfully"
                        : "No episodes found");
    if (!et__mcp_put(inner, "episodes", n.arr)) {
        json_object_put(inner);
        return oom(err);
    }
    *res = wrap(inner);
    return *res ? ET_OK : oom(err);
}

static int t_status(struct et_mcp *m, struct json_object *args,
                    struct json_object **res, struct et_error *err)
{
    struct json_object *o = et__jnew_object();
    (void)args;
    if (!et__mcp_put_str(o, "status", "ok") ||
        !et__mcp_put_str(o, "message", et_trail_path(m->t))) {
        json_object_put(o);
        return oom(err);
    }
    *res = o;
    return ET_OK;
}

static int t_refuse(struct et_mcp *m, struct json_object *args,
                    struct json_object **res, struct et_error *err)
{
    (void)m;
    (void)args;
    (void)res;
    return et_error_set(err, ET_ESTATE,
                        "refused: the trail is append-only and "
                        "tamper-evident; nothing is deleted through MCP "
                        "(retention policies erase by rule: exectrail "
                        "retention)");
}

#define W_MSG                                                              \
 "{\"type\":\"object\",\"properties\":{\"result\":{\"type\":\"object\"}}," \
 "\"required\":[\"result\"]}"
#define GROUPS                                                          \
 "\"group_ids\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"array\"," \
 "\"items\":{\"type\":\"string\"}},{\"type\":\"null\"}]}"
#define ADD_IN                                                          \
 "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}," \
 "\"episode_body\":{\"type\":\"string\"},\"group_id\":{\"anyOf\":[{"    \
 "\"type\":\"string\"},{\"type\":\"null\"}]},\"source\":{\"type\":"     \
 "\"string\",\"default\":\"text\"},\"source_description\":{\"type\":"   \
 "\"string\"},\"uuid\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":"    \
 "\"null\"}]},\"reference_time\":{\"anyOf\":[{\"type\":\"string\"},{"   \
 "\"type\":\"null\"}]}},\"required\":[\"name\",\"episode_body\"]}"
#define FACTS_IN                                                                \
 "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}," GROUPS \
 ",\"max_facts\":{\"type\":\"integer\",\"default\":10},"                        \
 "\"center_node_uuid\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":"            \
 "\"null\"}]}},\"required\":[\"query\"]}"
#define NODES_IN                                                                \
 "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"}," GROUPS \
 ",\"max_nodes\":{\"type\":\"integer\",\"default\":10}},"                       \
 "\"required\":[\"query\"]}"
#define EPIS_IN                                                       \
 "{\"type\":\"object\",\"properties\":{" GROUPS ",\"max_episodes\":{" \
 "\"type\":\"integer\",\"default\":10},\"last_n\":{\"type\":\"integer\"}}}"
#define ANY_IN "{\"type\":\"object\"}"

#define ADD_DESC                                                           \
 "graphiti-memory compatible: an episode named \"Execution Start: <id>\" " \
 "or \"Execution Complete: <id>\" with source \"json\" and the spec's "    \
 "execution context or complete record as episode_body becomes a real "    \
 "execution (merged by execution_id); any other episode is stored as a "   \
 "ledger note of its group_id, found by search_memory_facts, "             \
 "search_nodes and get_episodes."
#define FACTS_DESC                                                     \
 "graphiti-memory compatible: the query (exectrail's query language, " \
 "e.g. \"duration_ms > 300000\") selects executions; each fact names " \
 "the execution, the field and the value."

static const struct et__mcp_tool gtools[] = {
    {"add_memory", "Add memory (graphiti)", ADD_DESC, ADD_IN, W_MSG, 0,
     t_add_memory},
    {"add_episode", "Add episode (graphiti, old name)", ADD_DESC, ADD_IN, W_MSG,
     0, t_add_memory},
    {"search_memory_facts", "Search facts (graphiti)", FACTS_DESC, FACTS_IN,
     W_MSG, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_search_facts},
    {"search_facts", "Search facts (graphiti, old name)", FACTS_DESC, FACTS_IN,
     W_MSG, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_search_facts},
    {"search_nodes", "Search nodes (graphiti)",
     "graphiti-memory compatible: executions and notes matching the words, "
     "as nodes.",
     NODES_IN, W_MSG, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_search_nodes},
    {"search_memory_nodes", "Search nodes (graphiti, old name)",
     "graphiti-memory compatible: executions and notes matching the words, "
     "as nodes.",
     NODES_IN, W_MSG, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_search_nodes},
    {"get_episodes", "Get episodes (graphiti)",
     "graphiti-memory compatible: the newest executions and notes of the "
     "group, as episodes.",
     EPIS_IN, W_MSG, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_get_episodes},
    {"get_status", "Status (graphiti)", "The server and its store.",
     "{\"type\":\"object\",\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"status\":{\"type\":\"string\"},"
     "\"message\":{\"type\":\"string\"}},\"required\":[\"status\"]}",
     ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_status},
    {"delete_episode", "Delete episode (refused)",
     "Refused: the trail is append-only; a stored episode (a ledger note) is "
     "kept.",
     "{\"type\":\"object\",\"properties\":{\"uuid\":{\"type\":"
     "\"string\"}},\"required\":[\"uuid\"]}",
     W_MSG, ET_MCP_DESTRUCTIVE, et__mcp_note_delete},
    {"delete_entity_edge", "Delete edge (refused)",
     "Refused: the trail is append-only.", ANY_IN, W_MSG, ET_MCP_DESTRUCTIVE,
     t_refuse},
    {"clear_graph", "Clear graph (refused)",
     "Refused: the trail is append-only.", ANY_IN, W_MSG, ET_MCP_DESTRUCTIVE,
     t_refuse},
};

const struct et__mcp_tool *et__mcp_graphiti_tools(size_t *n)
{
    *n = sizeof(gtools) / sizeof(gtools[0]);
    return gtools;
}
