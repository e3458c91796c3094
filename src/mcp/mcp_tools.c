/* SPDX-License-Identifier: MIT */
/*
 * The exectrail MCP tools: the lifecycle, reads, analysis and integrity,
 * each a small mapper onto the public library API. The graphiti-memory
 * tools (add_memory, search_memory_facts and older names) are in
 * mcp_graphiti.c.
 */
#include "mcp/mcp_tools.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/exectrail.h"

/* ---- arguments ---- */

int et__mcp_arg_str(struct json_object *args, const char *key, bool required,
                    const char **out, struct et_error *err)
{
    struct json_object *v;

    *out = NULL;
    if (!json_object_object_get_ex(args, key, &v) || !v) {
        if (required)
            return et_error_set(err, ET_EINPUT, "argument '%s' is required",
                                key);
        return ET_OK;
    }
    if (!json_object_is_type(v, json_type_string))
        return et_error_set(err, ET_EINPUT, "argument '%s' must be a string",
                            key);
    *out = json_object_get_string(v);
    if (required && !**out)
        return et_error_set(err, ET_EINPUT, "argument '%s' must not be empty",
                            key);
    return ET_OK;
}

int et__mcp_arg_int(struct json_object *args, const char *key, int64_t def,
                    int64_t min, int64_t max, int64_t *out,
                    struct et_error *err)
{
    struct json_object *v;

    *out = def;
    if (!json_object_object_get_ex(args, key, &v) || !v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_int))
        return et_error_set(err, ET_EINPUT, "argument '%s' must be an integer",
                            key);
    *out = json_object_get_int64(v);
    if (*out < min || *out > max)
        return et_error_set(err, ET_EINPUT,
                            "argument '%s' must be between %" PRId64
                            " and %" PRId64,
                            key, min, max);
    return ET_OK;
}

int et__mcp_parse_text(const char *text, struct json_object **out,
                       struct et_error *err)
{
    *out = json_tokener_parse(text);
    if (!*out)
        return et_error_set(err, ET_EINTERNAL,
                            "the library returned text that is not JSON");
    return ET_OK;
}

/* The JSON text of args without execution_id, or of args[key] when that is
 * an object or an array. *text is owned by *holder (put it). */
static int body_of(struct json_object *args, const char *key,
                   struct json_object **holder, const char **text, size_t *len,
                   struct et_error *err)
{
    struct json_object *v = NULL;

    if (key && json_object_object_get_ex(args, key, &v) &&
        (json_object_is_type(v, json_type_object) ||
         json_object_is_type(v, json_type_array))) {
        *holder = json_object_get(v);
    } else if (key && v) {
        return et_error_set(err, ET_EINPUT, "argument '%s' must be an object",
                            key);
    } else {
        *holder = et__jnew_object();
        if (!*holder)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        json_object_object_foreach(args, k, val)
        {
            if (!strcmp(k, "execution_id"))
                continue;
            if (!et__mcp_put(*holder, k, json_object_get(val))) {
                json_object_put(*holder);
                return et_error_set(err, ET_ENOMEM, "out of memory");
            }
        }
    }
    *text =
        json_object_to_json_string_length(*holder, JSON_C_TO_STRING_PLAIN, len);
    if (!*text) {
        json_object_put(*holder);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    return ET_OK;
}

static struct json_object *id_result(const char *id)
{
    struct json_object *r = et__jnew_object();
    if (!et__mcp_put_str(r, "execution_id", id)) {
        json_object_put(r);
        return NULL;
    }
    return r;
}

static int oom(struct et_error *err)
{
    return et_error_set(err, ET_ENOMEM, "out of memory");
}

int et__mcp_show(struct et_mcp *m, const char *id, struct json_object **out,
                 struct et_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = et_trail_show(m->t, id, 0, &text, &len, err);
    if (rc != ET_OK)
        return rc;
    rc = et__mcp_parse_text(text, out, err);
    et_trail_free_string(text);
    return rc;
}

/* ---- the lifecycle ---- */

static int t_start(struct et_mcp *m, struct json_object *args,
                   struct json_object **res, struct et_error *err)
{
    char id[37];
    size_t len = 0;
    const char *text =
        json_object_to_json_string_length(args, JSON_C_TO_STRING_PLAIN, &len);
    int rc;

    if (!text)
        return oom(err);
    rc = et_trail_start(m->t, text, len, id, err);
    if (rc != ET_OK)
        return rc;
    *res = id_result(id);
    return *res ? ET_OK : oom(err);
}

typedef int phase_fn(struct et_trail *t, const char *id, const char *json,
                     size_t len, struct et_error *err);

static int phase(struct et_mcp *m, struct json_object *args, const char *key,
                 phase_fn *fn, struct json_object **res, struct et_error *err)
{
    const char *id, *text;
    struct json_object *holder = NULL;
    size_t len = 0;
    int rc = et__mcp_arg_str(args, "execution_id", true, &id, err);

    if (rc == ET_OK)
        rc = body_of(args, key, &holder, &text, &len, err);
    if (rc != ET_OK)
        return rc;
    rc = fn(m->t, id, text, len, err);
    json_object_put(holder);
    if (rc != ET_OK)
        return rc;
    *res = id_result(id);
    return *res ? ET_OK : oom(err);
}

static int t_delegate(struct et_mcp *m, struct json_object *args,
                      struct json_object **res, struct et_error *err)
{
    return phase(m, args, "delegation", et_trail_delegate, res, err);
}

static int t_respond(struct et_mcp *m, struct json_object *args,
                     struct json_object **res, struct et_error *err)
{
    return phase(m, args, "output", et_trail_respond, res, err);
}

static int t_action(struct et_mcp *m, struct json_object *args,
                    struct json_object **res, struct et_error *err)
{
    const char *id, *text, *key = "action";
    struct json_object *holder = NULL, *v;
    uint64_t n = 0;
    size_t len = 0;
    int rc = et__mcp_arg_str(args, "execution_id", true, &id, err);

    if (rc != ET_OK)
        return rc;
    if (json_object_object_get_ex(args, "actions", &v)) {
        if (!json_object_is_type(v, json_type_array))
            return et_error_set(err, ET_EINPUT,
                                "argument 'actions' must be an array");
        key = "actions";
    } else if (!json_object_object_get_ex(args, "action", &v) ||
               !json_object_is_type(v, json_type_object)) {
        return et_error_set(err, ET_EINPUT,
                            "argument 'action' (an object) or 'actions' (an "
                            "array) is required");
    }
    rc = body_of(args, key, &holder, &text, &len, err);
    if (rc != ET_OK)
        return rc;
    rc = et_trail_action(m->t, id, text, len, &n, err);
    json_object_put(holder);
    if (rc != ET_OK)
        return et_error_prefix(err, "argument '%s'", key);
    *res = id_result(id);
    if (!*res || !et__mcp_put(*res, "recorded", et__jnew_int64((int64_t)n)))
        return oom(err);
    return ET_OK;
}

static int t_complete(struct et_mcp *m, struct json_object *args,
                      struct json_object **res, struct et_error *err)
{
    struct json_object *rec = NULL, *r, *v;
    const char *id;
    int rc = phase(m, args, NULL, et_trail_complete, &r, err);

    if (rc != ET_OK)
        return rc;
    json_object_put(r);
    (void)et__mcp_arg_str(args, "execution_id", true, &id, err);
    rc = et__mcp_show(m, id, &rec, err);
    if (rc != ET_OK)
        return rc;
    r = id_result(id);
    if (!r) {
        json_object_put(rec);
        return oom(err);
    }
    if (json_object_object_get_ex(rec, "duration_ms", &v) &&
        !et__mcp_put(r, "duration_ms", json_object_get(v)))
        goto fail;
    if (json_object_object_get_ex(rec, "verification", &v) &&
        !et__mcp_put(r, "verification", json_object_get(v)))
        goto fail;
    if (json_object_object_get_ex(rec, "quality_metrics", &v) &&
        !et__mcp_put(r, "quality_metrics", json_object_get(v)))
        goto fail;
    json_object_put(rec);
    *res = r;
    return ET_OK;
fail:
    json_object_put(rec);
    json_object_put(r);
    return oom(err);
}

/* ---- reads ---- */

static int t_get(struct et_mcp *m, struct json_object *args,
                 struct json_object **res, struct et_error *err)
{
    const char *id;
    int rc = et__mcp_arg_str(args, "execution_id", true, &id, err);
    if (rc != ET_OK)
        return rc;
    return et__mcp_show(m, id, res, err);
}

struct collect {
    struct json_object *arr;
    bool oom;
};

static int on_summary(void *ctx, const struct et_exec_summary *s)
{
    struct collect *c = ctx;
    struct json_object *o = et__jnew_object();
    bool ok =
        et__mcp_put_str(o, "execution_id", s->execution_id) &&
        et__mcp_put_str(o, "session_id", s->session_id) &&
        et__mcp_put_str(o, "agent_name", s->agent_name) &&
        et__mcp_put_str(o, "state", s->state) &&
        et__mcp_put_str(o, "verification", s->verification) &&
        et__mcp_put(o, "start_ns", et__jnew_int64(s->start_ns)) &&
        et__mcp_put(o, "duration_ms",
                    s->duration_ms < 0 ? NULL
                                       : et__jnew_int64(s->duration_ms)) &&
        et__mcp_put(o, "actions", et__jnew_int64(s->n_actions)) &&
        et__mcp_put(o, "failed_actions", et__jnew_int64(s->n_failed_actions));
    if (!ok || et__jappend(c->arr, o)) {
        json_object_put(o);
        c->oom = true;
        return 1;
    }
    return 0;
}

static int listed(struct json_object *arr, const char *key,
                  struct json_object **res, struct et_error *err)
{
    *res = et__jnew_object();
    if (!*res) {
        json_object_put(arr);
        return oom(err);
    }
    if (!et__mcp_put(*res, "count",
                     et__jnew_int((int)json_object_array_length(arr))) ||
        !et__mcp_put(*res, key, arr)) {
        json_object_put(*res);
        *res = NULL;
        return oom(err);
    }
    return ET_OK;
}

static int t_query(struct et_mcp *m, struct json_object *args,
                   struct json_object **res, struct et_error *err)
{
    const char *text;
    int64_t limit;
    struct et_query *q = NULL;
    struct collect c = {NULL, false};
    int rc = et__mcp_arg_str(args, "query", false, &text, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "limit", 20, 1, 10000, &limit, err);
    if (rc != ET_OK)
        return rc;
    if (!text)
        text = "";
    rc = et_query_parse(text, strlen(text), 0, &q, err);
    if (rc != ET_OK)
        return et_error_prefix(err, "argument 'query'");
    c.arr = et__jnew_array();
    if (!c.arr) {
        et_query_free(q);
        return oom(err);
    }
    rc = et_query_run(m->t, q, (size_t)limit, on_summary, &c, err);
    et_query_free(q);
    if (rc == ET_OK && c.oom)
        rc = oom(err);
    if (rc != ET_OK) {
        json_object_put(c.arr);
        return rc;
    }
    return listed(c.arr, "executions", res, err);
}

static int on_hit(void *ctx, const struct et_search_hit *h)
{
    struct collect *c = ctx;
    struct json_object *o = et__jnew_object();
    bool ok = et__mcp_put_str(o, "execution_id", h->execution_id) &&
              et__mcp_put_str(o, "agent_name", h->agent_name) &&
              et__mcp_put(o, "score", et__jnew_double(h->score)) &&
              et__mcp_put(o, "matching_events", et__jnew_int64(h->n_events)) &&
              et__mcp_put_str(o, "snippet", h->snippet);
    if (!ok || et__jappend(c->arr, o)) {
        json_object_put(o);
        c->oom = true;
        return 1;
    }
    return 0;
}

static int t_search(struct et_mcp *m, struct json_object *args,
                    struct json_object **res, struct et_error *err)
{
    const char *words;
    int64_t limit;
    struct et_search_opts so = {0, 0, NULL, NULL, 0};
    struct collect c = {NULL, false};
    int rc = et__mcp_arg_str(args, "query", true, &words, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "limit", 20, 1, 1000, &limit, err);
    if (rc != ET_OK)
        return rc;
    so.max_executions = (size_t)limit;
    so.max_snippets = 1;
    c.arr = et__jnew_array();
    if (!c.arr)
        return oom(err);
    rc = et_search(m->t, words, strlen(words), &so, on_hit, &c, err);
    if (rc == ET_OK && c.oom)
        rc = oom(err);
    if (rc != ET_OK) {
        json_object_put(c.arr);
        return et_error_prefix(err, "argument 'query'");
    }
    return listed(c.arr, "hits", res, err);
}

static int on_similar(void *ctx, const struct et_similar_hit *h)
{
    struct collect *c = ctx;
    struct json_object *o = et__jnew_object();
    bool ok =
        et__mcp_put_str(o, "execution_id", h->execution_id) &&
        et__mcp_put_str(o, "agent_name", h->agent_name) &&
        et__mcp_put_str(o, "verification", h->verification) &&
        et__mcp_put(o, "same_agent", et__jnew_boolean(h->is_same_agent)) &&
        et__mcp_put(o, "score", et__jnew_double(h->score));
    if (!ok || et__jappend(c->arr, o)) {
        json_object_put(o);
        c->oom = true;
        return 1;
    }
    return 0;
}

static int t_similar(struct et_mcp *m, struct json_object *args,
                     struct json_object **res, struct et_error *err)
{
    const char *id;
    int64_t limit;
    struct collect c = {NULL, false};
    int rc = et__mcp_arg_str(args, "execution_id", true, &id, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "limit", 10, 1, 1000, &limit, err);
    if (rc != ET_OK)
        return rc;
    c.arr = et__jnew_array();
    if (!c.arr)
        return oom(err);
    rc = et_similar(m->t, id, (size_t)limit, on_similar, &c, err);
    if (rc == ET_OK && c.oom)
        rc = oom(err);
    if (rc != ET_OK) {
        json_object_put(c.arr);
        return rc;
    }
    return listed(c.arr, "similar", res, err);
}

/* ---- analysis ---- */

static int report(struct et_mcp *m, const struct et_report_opts *o,
                  struct json_object **res, struct et_error *err)
{
    char *text = NULL;
    int rc = et_report(m->t, o, ET_REPORT_JSON, &text, NULL, err);
    if (rc != ET_OK)
        return rc;
    rc = et__mcp_parse_text(text, res, err);
    et_trail_free_string(text);
    return rc;
}

static int t_daily(struct et_mcp *m, struct json_object *args,
                   struct json_object **res, struct et_error *err)
{
    struct et_report_opts o;
    int rc;

    memset(&o, 0, sizeof(o));
    o.kind = ET_REPORT_DAILY;
    rc = et__mcp_arg_str(args, "date", false, &o.date, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "tz", false, &o.tz, err);
    if (rc != ET_OK)
        return rc;
    return report(m, &o, res, err);
}

static int t_agents(struct et_mcp *m, struct json_object *args,
                    struct json_object **res, struct et_error *err)
{
    struct et_report_opts o;
    int64_t days;
    int rc;

    memset(&o, 0, sizeof(o));
    rc = et__mcp_arg_str(args, "agent", false, &o.agent, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "days", 30, 1, 366, &days, err);
    if (rc != ET_OK)
        return rc;
    o.days = days;
    o.kind = o.agent ? ET_REPORT_AGENT : ET_REPORT_AGENTS;
    return report(m, &o, res, err);
}

static int t_insights(struct et_mcp *m, struct json_object *args,
                      struct json_object **res, struct et_error *err)
{
    const char *agent;
    int64_t days;
    char *text = NULL;
    struct json_object *arr;
    int rc = et__mcp_arg_str(args, "agent", false, &agent, err);

    if (rc == ET_OK)
        rc = et__mcp_arg_int(args, "days", 0, 0, 3660, &days, err);
    if (rc != ET_OK)
        return rc;
    rc = et_insights(m->t, agent, days ? -days * 86400LL * 1000000000LL : 0,
                     &text, err);
    if (rc != ET_OK)
        return rc;
    rc = et__mcp_parse_text(text, &arr, err);
    et_trail_free_string(text);
    if (rc != ET_OK)
        return rc;
    return listed(arr, "insights", res, err);
}

/* ---- integrity ---- */

static int t_verify(struct et_mcp *m, struct json_object *args,
                    struct json_object **res, struct et_error *err)
{
    struct et_verify_report rep;
    char root[2 * ET_HASH_LEN + 1];
    struct json_object *r;
    int rc;

    (void)args;
    memset(&rep, 0, sizeof(rep));
    rc = et_trail_verify(m->t, NULL, 0, &rep, err);
    if (rc != ET_OK && rc != ET_EINTEGRITY)
        return rc;
    for (size_t i = 0; i < ET_HASH_LEN; i++)
        snprintf(root + 2 * i, 3, "%02x", rep.root[i]);
    r = et__jnew_object();
    if (!et__mcp_put(r, "ok", et__jnew_boolean(rc == ET_OK)) ||
        !et__mcp_put(r, "events", et__jnew_int64((int64_t)rep.events)) ||
        !et__mcp_put(r, "erased", et__jnew_int64((int64_t)rep.erased)) ||
        !et__mcp_put(r, "checkpoints",
                     et__jnew_int64((int64_t)rep.checkpoints)) ||
        !et__mcp_put_str(r, "root", rc == ET_OK ? root : NULL) ||
        (rc != ET_OK &&
         (!et__mcp_put(r, "bad_seq", et__jnew_int64(rep.bad_seq)) ||
          !et__mcp_put_str(r, "bad_execution", rep.bad_execution) ||
          !et__mcp_put_str(r, "problem",
                           rep.problem[0] ? rep.problem : err->msg)))) {
        json_object_put(r);
        return oom(err);
    }
    *res = r;
    return ET_OK;
}

static int t_proof(struct et_mcp *m, struct json_object *args,
                   struct json_object **res, struct et_error *err)
{
    const char *id;
    char *text = NULL;
    int rc = et__mcp_arg_str(args, "execution_id", true, &id, err);

    if (rc != ET_OK)
        return rc;
    rc = et_trail_proof(m->t, id, &text, err);
    if (rc != ET_OK)
        return rc;
    rc = et__mcp_parse_text(text, res, err);
    et_trail_free_string(text);
    return rc;
}

/* ---- the table ---- */

#define S_ID \
 "\"execution_id\":{\"type\":\"string\",\"description\":\"the execution's id\"}"
#define S_OBJ     "{\"type\":\"object\"}"
#define S_ANY_OBJ "{\"type\":\"object\",\"additionalProperties\":true}"

static const struct et__mcp_tool tools[] = {
    {"execution_start", "Start an execution",
     "Phase 1, before delegating: record the intent. Arguments are the "
     "spec's fields: session_id, main_agent_context {user_request, "
     "main_agent_reasoning, expected_outcome, risk_assessment}, "
     "agent_metadata {name, version, tools_available, configuration}, "
     "optional execution_id, timestamp_start, parent_execution_id. Returns "
     "the execution_id.",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"session_id\":{\"type\":"
     "\"string\"},\"main_agent_context\":" S_OBJ ",\"agent_metadata\":" S_OBJ
     ",\"timestamp_start\":{\"type\":\"string\"},\"parent_execution_id\":{"
     "\"type\":\"string\"}},\"required\":[\"agent_metadata\"]}",
     "{\"type\":\"object\",\"properties\":{" S_ID
     "},\"required\":[\"execution_id\"]}",
     0, t_start},
    {"execution_delegate", "Record the delegation",
     "Phase 2: the exact prompt sent to the subagent (the spec's delegation "
     "object: prompt_sent, context_provided, instructions).",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"delegation\":" S_OBJ
     "},\"required\":[\"execution_id\",\"delegation\"]}",
     "{\"type\":\"object\",\"properties\":{" S_ID
     "},\"required\":[\"execution_id\"]}",
     0, t_delegate},
    {"execution_log_action", "Record actions",
     "Phase 3: one action (action: {tool, action, input, output, success, "
     "error, timestamp}) or several at once (actions: [...]).",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"action\":" S_OBJ
     ",\"actions\":{\"type\":\"array\",\"items\":" S_OBJ
     "}},\"required\":[\"execution_id\"]}",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"recorded\":{\"type\":"
     "\"integer\"}},\"required\":[\"execution_id\",\"recorded\"]}",
     0, t_action},
    {"execution_respond", "Record the response",
     "Phase 4: the subagent's complete output (the spec's output object: "
     "raw_response, structured_data, files_modified, commands_executed, "
     "api_calls_made).",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"output\":" S_OBJ
     "},\"required\":[\"execution_id\",\"output\"]}",
     "{\"type\":\"object\",\"properties\":{" S_ID
     "},\"required\":[\"execution_id\"]}",
     0, t_respond},
    {"execution_complete", "Complete an execution",
     "Phases 5-6: close the execution (optional timestamp_end, "
     "verification, quality_metrics, issues, learning). Returns the "
     "verdict with its evidence.",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"timestamp_end\":{\"type"
     "\":\"string\"},\"verification\":" S_OBJ ",\"quality_metrics\":" S_OBJ
     ",\"issues\":{\"type\":\"array\"},\"learning\":" S_OBJ
     "},\"required\":[\"execution_id\"]}",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"verification\":" S_OBJ
     "},\"required\":[\"execution_id\"]}",
     0, t_complete},
    {"get_execution", "Get an execution",
     "One execution as the spec's JSON record (what `exectrail show --json` "
     "prints).",
     "{\"type\":\"object\",\"properties\":{" S_ID
     "},\"required\":[\"execution_id\"]}",
     S_ANY_OBJ, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_get},
    {"query_executions", "Query executions",
     "Executions matching a query of exectrail's query language (e.g. "
     "\"duration_ms > 300000\", \"verification status ERROR MISMATCH\", "
     "\"agent:reviewer since:7d\"); errors name the column.",
     "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},"
     "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10000}}}",
     "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"},"
     "\"executions\":{\"type\":\"array\"}},\"required\":[\"count\","
     "\"executions\"]}",
     ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_query},
    {"search_executions", "Search executions",
     "Ranked full-text search over requests, prompts, responses and "
     "actions, with snippets.",
     "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},"
     "\"limit\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000}},"
     "\"required\":[\"query\"]}",
     "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"},"
     "\"hits\":{\"type\":\"array\"}},\"required\":[\"count\",\"hits\"]}",
     ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_search},
    {"similar_executions", "Similar executions",
     "Past executions similar to one (same agent first).",
     "{\"type\":\"object\",\"properties\":{" S_ID ",\"limit\":{\"type\":"
     "\"integer\",\"minimum\":1,\"maximum\":1000}},\"required\":["
     "\"execution_id\"]}",
     "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"},"
     "\"similar\":{\"type\":\"array\"}},\"required\":[\"count\",\"similar\"]}",
     ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_similar},
    {"report_daily", "Daily report",
     "The daily execution summary (docs/REPORTS.md JSON) for a date "
     "(YYYY-MM-DD, default today) in a time zone (default UTC).",
     "{\"type\":\"object\",\"properties\":{\"date\":{\"type\":\"string\"},"
     "\"tz\":{\"type\":\"string\"}}}",
     S_ANY_OBJ, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_daily},
    {"agent_performance", "Agent performance",
     "Performance of one agent (agent) or every agent over the last days "
     "(default 30).",
     "{\"type\":\"object\",\"properties\":{\"agent\":{\"type\":\"string\"},"
     "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":366}}}",
     S_ANY_OBJ, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_agents},
    {"insights", "Insights",
     "Per-agent learning and recommendations, for one agent or all, over "
     "the last days (0 = all).",
     "{\"type\":\"object\",\"properties\":{\"agent\":{\"type\":\"string\"},"
     "\"days\":{\"type\":\"integer\",\"minimum\":0}}}",
     "{\"type\":\"object\",\"properties\":{\"count\":{\"type\":\"integer\"},"
     "\"insights\":{\"type\":\"array\"}},\"required\":[\"count\","
     "\"insights\"]}",
     ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_insights},
    {"verify_ledger", "Verify the ledger",
     "Check that nothing in the trail was altered, reordered or dropped.",
     "{\"type\":\"object\",\"additionalProperties\":false}",
     "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},"
     "\"events\":{\"type\":\"integer\"}},\"required\":[\"ok\",\"events\"]}",
     ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_verify},
    {"inclusion_proof", "Inclusion proof",
     "Inclusion proofs of one execution's events in the ledger's tree.",
     "{\"type\":\"object\",\"properties\":{" S_ID
     "},\"required\":[\"execution_id\"]}",
     S_ANY_OBJ, ET_MCP_READONLY | ET_MCP_IDEMPOTENT, t_proof},
};

size_t et__mcp_tool_count(void)
{
    size_t k = 0, nn = 0;
    (void)et__mcp_graphiti_tools(&k);
    (void)et__mcp_note_tools(&nn);
    return sizeof(tools) / sizeof(tools[0]) + nn + k;
}

/* The first-class tools, then the note tools (mcp_notes.c), then the
 * graphiti-memory ones. */
const struct et__mcp_tool *et__mcp_tool_at(size_t i)
{
    size_t k = 0, nn = 0, own = sizeof(tools) / sizeof(tools[0]);
    const struct et__mcp_tool *g = et__mcp_graphiti_tools(&k);
    const struct et__mcp_tool *nt = et__mcp_note_tools(&nn);

    if (i < own)
        return &tools[i];
    if (i - own < nn)
        return &nt[i - own];
    return i - own - nn < k ? &g[i - own - nn] : NULL;
}

const struct et__mcp_tool *et__mcp_tool_find(const char *name)
{
    const struct et__mcp_tool *t;
    for (size_t i = 0; (t = et__mcp_tool_at(i)) != NULL; i++)
        if (!strcmp(t->name, name))
            return t;
    return NULL;
}
