/* SPDX-License-Identifier: MIT */
/*
 * Claude Code hook inputs -> executions. One hook input is one write
 * transaction; the correlation state (which agent_id runs which execution,
 * which delegations wait for an agent, which inputs were seen) lives in the
 * store's meta table under "claude:" keys, written in the same transaction
 * as the events, so a retry after a crash or a duplicate delivery records
 * nothing twice. Rules: docs/INTEGRATIONS.md.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "model/record.h"
#include "ingest/pipeline.h"
#include "trail/telemetry.h"
#include "trail/trail_int.h"
#include "exectrail/ingest.h"
#include "exectrail/ledger.h"

#define KEY_MAX 1024

struct hk {
    struct et_trail *t;
    struct json_object *in;
    const char *session;
    const char *event;
    const char *tool;
    const char *tuid;
    const char *agent_id;
    const char *agent_type;
    int64_t now_ns;
    unsigned n;
    bool is_unattached; /* a subagent tool call with no execution */
    const char *raw;    /* the input bytes (dedup key of session events) */
    size_t raw_len;
    /* the session as state keys name it: a keyed digest, so that the
     * meta table holds no session id (et__keyed_id) */
    char skey[ET_KEYED_ID_HEX + 1];
};

static const char *const run_states[] = {"started", "delegated", "running",
                                         NULL};

/* ---- meta-table state ---- */

static int mkey(char out[KEY_MAX], struct et_error *err, const char *a,
                const char *b, const char *c)
{
    int n = snprintf(out, KEY_MAX, "claude:%s:%s%s%s", a, b, c ? "\n" : "",
                     c ? c : "");

    if (n < 0 || n >= KEY_MAX)
        return et_error_set(err, ET_EINPUT, "%s: identifier too long", a);
    return ET_OK;
}

/* *out caller-owned (et__free), NULL when unset or empty. */
static int kv_get(struct hk *h, const char *key, char **out,
                  struct et_error *err)
{
    int rc = et_store_meta_get(h->t->st, key, out, err);

    if (rc == ET_ENOTFOUND) {
        *out = NULL;
        return ET_OK;
    }
    if (!rc && *out && !**out) {
        et__free(*out);
        *out = NULL;
    }
    return rc;
}

static int kv_put(struct hk *h, const char *key, const char *value,
                  struct et_error *err)
{
    return et_store_meta_put(h->t->st, key, value, err);
}

static int kv_get_json(struct hk *h, const char *key, struct json_object **out,
                       struct et_error *err)
{
    char *v = NULL;
    int rc = kv_get(h, key, &v, err);

    *out = NULL;
    if (!rc && v)
        rc = et_json_parse(v, strlen(v), NULL, out, err);
    et__free(v);
    return rc;
}

static int kv_put_json(struct hk *h, const char *key, struct json_object *o,
                       struct et_error *err)
{
    return kv_put(
        h, key, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), err);
}

/* The execution id of an Agent call: a name-based (version 5 layout) UUID
 * from SHA-256 of the tool_use_id, so every retry derives the same one. */
static void exec_id_for(const char *tuid, char out[37])
{
    static const char ns[] = "exectrail/claude-code/tool_use_id:";
    uint8_t h[ET_HASH_LEN];
    struct et_buf b = ET_BUF_INIT;

    if (et_buf_addstr(&b, ns) || et_buf_addstr(&b, tuid))
        et_hash_sha256(tuid, strlen(tuid), h);
    else
        et_hash_sha256(b.ptr, b.len, h);
    et_buf_release(&b);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10],
             h[11], h[12], h[13], h[14], h[15]);
}

/* The execution's state ("" when it does not exist) into state[16]. */
static void exec_state(struct hk *h, const char *id, char state[16])
{
    struct et_exec_row row;

    state[0] = '\0';
    if (et_store_exec_get(h->t->st, id, &row, NULL) == ET_OK)
        snprintf(state, 16, "%s", row.state ? row.state : "");
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

static int emit(struct hk *h, const char *type, const char *id,
                struct json_object *body, struct et_error *err)
{
    int rc = et__ingest_event(h->t, type, id, body, NULL, err);

    if (!rc)
        h->n++;
    return rc;
}

static void copy_key(struct json_object *to, const char *tk,
                     struct json_object *from, const char *fk)
{
    struct json_object *v = et__jget(from, fk);

    if (v)
        et__jadd(to, tk, json_object_get(v));
}

/* Tool input/response as action text: strings as is, else compact JSON. */
static void set_text(struct json_object *o, const char *k,
                     struct json_object *v)
{
    if (!v)
        return;
    if (json_object_is_type(v, json_type_string))
        et__jadd(o, k, json_object_get(v));
    else
        et__jput_str(
            o, k,
            json_object_to_json_string_ext(
                v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* ---- delegations and agent bindings ---- */

static const char *type_or_default(const char *type)
{
    return type && *type ? type : "general-purpose";
}

static int pending_edit(struct hk *h, const char *type, const char *add,
                        bool front, const char *remove, char pop_out[37],
                        struct et_error *err)
{
    char key[KEY_MAX];
    struct json_object *a = NULL, *na = NULL;
    int rc = mkey(key, err, "pending", h->skey, type_or_default(type));

    if (pop_out)
        pop_out[0] = '\0';
    if (!rc)
        rc = kv_get_json(h, key, &a, err);
    if (rc)
        return rc;
    na = et__jnew_array();
    if (!na) {
        json_object_put(a);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    if (add && front)
        et__jappend(na, et__jnew_string(add));
    for (size_t i = 0; a && json_object_is_type(a, json_type_array) &&
                       i < json_object_array_length(a);
         i++) {
        const char *s = json_object_get_string(json_object_array_get_idx(a, i));

        if (!s || (remove && !strcmp(s, remove)))
            continue;
        if (pop_out && !pop_out[0]) {
            snprintf(pop_out, 37, "%s", s);
            continue;
        }
        et__jappend(na, et__jnew_string(s));
    }
    if (add && !front)
        et__jappend(na, et__jnew_string(add));
    rc = kv_put_json(h, key, na, err);
    json_object_put(a);
    json_object_put(na);
    return rc;
}

/* Per-execution correlation state: {type, agent, auth, async}. */
static int xstate_get(struct hk *h, const char *id, struct json_object **out,
                      struct et_error *err)
{
    char key[KEY_MAX];
    int rc = mkey(key, err, "exec", id, NULL);

    if (!rc)
        rc = kv_get_json(h, key, out, err);
    if (!rc && !*out)
        *out = et__jnew_object();
    if (!rc && !*out)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    return rc;
}

static int xstate_put(struct hk *h, const char *id, struct json_object *o,
                      struct et_error *err)
{
    char key[KEY_MAX];
    int rc = mkey(key, err, "exec", id, NULL);

    return rc ? rc : kv_put_json(h, key, o, err);
}

static int agent_map_put(struct hk *h, const char *agent, const char *id,
                         struct et_error *err)
{
    char key[KEY_MAX];
    int rc = mkey(key, err, "agent", h->skey, agent);

    return rc ? rc : kv_put(h, key, id, err);
}

static int bound_event(struct hk *h, const char *id, const char *agent,
                       const char *how, const char *replaces,
                       const char *previous, struct et_error *err)
{
    struct json_object *b = et__jnew_object();
    int rc;

    if (!b)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et__jput_str(b, "agent_id", agent);
    et__jput_str(b, "binding", how);
    et__jput_str(b, "session_id", h->session);
    et__jput_str(b, "replaces_execution_id", replaces);
    et__jput_str(b, "previous_agent_id", previous);
    rc = emit(h, "execution.bound", id, b, err);
    json_object_put(b);
    return rc;
}

/*
 * The execution agent_id works for: its binding, or else a provisional
 * binding to the oldest unbound delegation of the same agent_type in the
 * session. id_out "" when there is none.
 */
static int resolve_agent(struct hk *h, const char *agent, const char *type,
                         char id_out[37], struct et_error *err)
{
    char key[KEY_MAX], *v = NULL;
    struct json_object *xs = NULL;
    int rc = mkey(key, err, "agent", h->skey, agent);

    id_out[0] = '\0';
    if (!rc)
        rc = kv_get(h, key, &v, err);
    if (rc || v) {
        if (v)
            snprintf(id_out, 37, "%s", v);
        et__free(v);
        return rc;
    }
    rc = pending_edit(h, type, NULL, false, NULL, id_out, err);
    if (rc || !id_out[0])
        return rc;
    rc = xstate_get(h, id_out, &xs, err);
    if (!rc) {
        et__jput_str(xs, "agent", agent);
        et__jadd(xs, "auth", et__jnew_boolean(0));
        rc = xstate_put(h, id_out, xs, err);
    }
    if (!rc)
        rc = kv_put(h, key, id_out, err);
    if (!rc)
        rc = bound_event(h, id_out, agent, "provisional", NULL, NULL, err);
    json_object_put(xs);
    return rc;
}

/* The authoritative link agent <-> execution x (PostToolUse of Agent). */
static int bind_authoritative(struct hk *h, const char *agent, const char *x,
                              struct et_error *err)
{
    char key[KEY_MAX], *y = NULL, b[128] = "";
    struct json_object *xs = NULL, *ys = NULL;
    const char *type;
    int rc = mkey(key, err, "agent", h->skey, agent);

    if (!rc)
        rc = kv_get(h, key, &y, err);
    if (!rc)
        rc = xstate_get(h, x, &xs, err);
    if (rc)
        goto out;
    if (y && !strcmp(y, x)) {
        if (!json_object_get_boolean(et__jget(xs, "auth"))) {
            et__jadd(xs, "auth", et__jnew_boolean(1));
            rc = xstate_put(h, x, xs, err);
            if (!rc)
                rc = bound_event(h, x, agent, "confirmed", NULL, NULL, err);
        }
        goto out;
    }
    if (et__jstr(xs, "agent"))
        snprintf(b, sizeof(b), "%s", et__jstr(xs, "agent"));
    type = et__jstr(xs, "type");
    rc = pending_edit(h, type, NULL, false, x, NULL, err);
    if (!rc && y) {
        /* agent was provisionally on y: y takes x's former agent, if any,
         * or waits for one again */
        rc = xstate_get(h, y, &ys, err);
        if (!rc && b[0]) {
            et__jput_str(ys, "agent", b);
            rc = agent_map_put(h, b, y, err);
            if (!rc)
                rc = bound_event(h, y, b, "corrected", x, agent, err);
        } else if (!rc) {
            json_object_object_del(ys, "agent");
            rc =
                pending_edit(h, et__jstr(ys, "type"), y, true, NULL, NULL, err);
            if (!rc)
                rc = bound_event(h, y, NULL, "unbound", x, agent, err);
        }
        if (!rc)
            rc = xstate_put(h, y, ys, err);
    } else if (!rc && b[0]) {
        rc = agent_map_put(h, b, "", err); /* b binds afresh next time */
    }
    et__jput_str(xs, "agent", agent);
    et__jadd(xs, "auth", et__jnew_boolean(1));
    if (!rc)
        rc = xstate_put(h, x, xs, err);
    if (!rc)
        rc = kv_put(h, key, x, err);
    if (!rc)
        rc = bound_event(h, x, agent, "authoritative", y, b[0] ? b : NULL, err);
out:
    et__free(y);
    json_object_put(xs);
    json_object_put(ys);
    return rc;
}

/* ---- the mapping ---- */

/* Pre-delegation + delegation of the execution of Agent call h->tuid. */
static int delegate(struct hk *h, const char *id, struct et_error *err)
{
    struct json_object *ti = et__jget(h->in, "tool_input");
    struct json_object *doc = et__jnew_object();
    struct json_object *meta = et__jnew_object();
    struct json_object *ctx = et__jnew_object();
    struct json_object *dl = et__jnew_object();
    struct json_object *body = et__jnew_object();
    struct json_object *xs = NULL;
    const char *type = type_or_default(et__jstr(ti, "subagent_type"));
    const char *prompt = et__jstr(ti, "prompt");
    char when[ET_RFC3339_MAX], parent[37] = "", prompt_key[KEY_MAX];
    char *user_prompt = NULL;
    int rc = ET_OK;

    if (!doc || !meta || !ctx || !dl || !body) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    if (h->agent_id) /* a subagent delegating in its turn */
        rc = resolve_agent(h, h->agent_id, h->agent_type, parent, err);
    if (rc)
        goto out;
    et_time_format(h->now_ns, when);
    et__jput_str(doc, "execution_id", id);
    et__jput_str(doc, "session_id", h->session);
    et__jput_str(doc, "timestamp_start", when);
    et__jput_str(meta, "name", type);
    if (et__jget(ti, "model")) {
        struct json_object *cfg = et__jnew_object();

        copy_key(cfg, "model", ti, "model");
        et__jadd(meta, "configuration", cfg);
    }
    et__jadd(doc, "agent_metadata", json_object_get(meta));
    rc = mkey(prompt_key, err, "prompt", h->skey, NULL);
    if (!rc)
        rc = kv_get(h, prompt_key, &user_prompt, err);
    if (rc)
        goto out;
    /* what the user asked (the session's latest UserPromptSubmit), else
     * the Agent call's short description */
    et__jput_str(ctx, "user_request",
                 user_prompt ? user_prompt : et__jstr(ti, "description"));
    et__jadd(doc, "main_agent_context", json_object_get(ctx));
    if (et__jget(h->in, "permission_mode")) {
        struct json_object *sec = et__jnew_object();

        if (!sec || et__jadd(doc, "security", sec)) {
            json_object_put(sec);
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            goto out;
        }
        copy_key(sec, "permission_mode", h->in, "permission_mode");
    }
    et__jput_str(doc, "source", "claude-code");
    et__jput_str(doc, "tool_use_id", h->tuid);
    et__jput_str(doc, "tool_name", h->tool);
    if (parent[0])
        et__jput_str(doc, "parent_execution_id", parent);
    copy_key(doc, "cwd", h->in, "cwd");
    copy_key(doc, "transcript_path", h->in, "transcript_path");
    copy_key(doc, "prompt_id", h->in, "prompt_id");
    copy_key(doc, "run_in_background", ti, "run_in_background");
    rc = et__record_check(doc, "", 0, err);
    if (!rc)
        rc = emit(h, "execution.started", id, doc, err);
    if (rc)
        goto out;
    et__jput_str(dl, "prompt_sent", prompt ? prompt : "");
    et__jput_str(dl, "instructions", et__jstr(ti, "description"));
    rc = et__record_check(dl, "delegation", ET_CHECK_COMPLETE, err);
    et__jadd(body, "delegation", json_object_get(dl));
    if (!rc)
        rc = emit(h, "execution.delegated", id, body, err);
    if (!rc)
        rc = xstate_get(h, id, &xs, err);
    if (!rc) {
        et__jput_str(xs, "type", type);
        rc = xstate_put(h, id, xs, err);
    }
    if (!rc)
        rc = pending_edit(h, type, id, false, NULL, NULL, err);
out:
    et__free(user_prompt);
    json_object_put(doc);
    json_object_put(meta);
    json_object_put(ctx);
    json_object_put(dl);
    json_object_put(body);
    json_object_put(xs);
    return rc;
}

/* The MCP server of a tool named mcp__<server>__<tool> (Claude Code sends
 * no separate field for it); an explicit mcp_server input key otherwise. */
static void mcp_server(struct hk *h, struct json_object *o)
{
    const char *sep;

    if (h->tool && !strncmp(h->tool, "mcp__", 5) &&
        (sep = strstr(h->tool + 5, "__")) != NULL && sep > h->tool + 5) {
        struct json_object *v =
            et__jnew_string_len(h->tool + 5, (int)(sep - (h->tool + 5)));

        if (v && et__jadd(o, "mcp_server", v))
            json_object_put(v);
        return;
    }
    copy_key(o, "mcp_server", h->in, "mcp_server");
}

/* A tool's facts, shared by actions and session.tool events. */
static void tool_facts(struct hk *h, struct json_object *o, bool as_text)
{
    bool failed = !strcmp(h->event, "PostToolUseFailure");
    struct json_object *d = et__jget(h->in, "duration_ms");
    char when[ET_RFC3339_MAX];

    et__jput_str(o, "tool", h->tool ? h->tool : "unknown");
    if (as_text) {
        set_text(o, "input", et__jget(h->in, "tool_input"));
        set_text(o, "output", et__jget(h->in, "tool_response"));
    } else {
        copy_key(o, "input", h->in, "tool_input");
        copy_key(o, "output", h->in, "tool_response");
    }
    et_time_format(h->now_ns, when);
    et__jput_str(o, "timestamp", when);
    if (strcmp(h->event, "PreToolUse") != 0)
        et__jadd(o, "success", et__jnew_boolean(!failed));
    if (failed)
        et__jput_str(o, "error",
                     et__jstr(h->in, "error") ? et__jstr(h->in, "error")
                                              : "tool failed");
    copy_key(o, "is_interrupt", h->in, "is_interrupt");
    if (d && json_object_is_type(d, json_type_int))
        et__jadd(o, "duration_ms", json_object_get(d));
    et__jput_str(o, "tool_use_id", h->tuid);
    et__jput_str(o, "agent_id", h->agent_id);
    mcp_server(h, o);
    copy_key(o, "permission_mode", h->in, "permission_mode");
    copy_key(o, "model", h->in, "model"); /* from a transcript's turn */
}

/* An event kept against the session: no execution projection. */
static int session_event(struct hk *h, const char *type, const char *ref,
                         struct et_error *err)
{
    struct json_object *b = et__jnew_object();
    int rc;

    if (!b)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et__jput_str(b, "session_id", h->session);
    et__jput_str(b, "hook_event_name", h->event);
    if (h->tool)
        tool_facts(h, b, false);
    et__jput_str(b, "agent_id", h->agent_id);
    et__jput_str(b, "agent_type", h->agent_type);
    et__jput_str(b, "execution_ref", ref);
    copy_key(b, "prompt_id", h->in, "prompt_id");
    copy_key(b, "last_assistant_message", h->in, "last_assistant_message");
    rc = emit(h, type, NULL, b, err);
    json_object_put(b);
    return rc;
}

/*
 * Claude Code's telemetry recorded this call as an action already (its
 * tool_result came first): the hook's facts a (the action it would have
 * recorded) go into a session.tool event that the read-time fold lays
 * over that action (trail/telemetry.h), so the call stays one action.
 * Returns 1 when so, else ET_OK or a failure.
 */
static int telemetry_first(struct hk *h, struct json_object *a,
                           struct et_error *err)
{
    char key[KEY_MAX], *v = NULL;
    uint64_t seq = 0;
    int rc = mkey(key, err, "tel-action", h->skey, h->tuid);

    if (!h->tuid || rc)
        return rc;
    rc = kv_get(h, key, &v, err);
    if (rc || !v)
        return rc;
    et__free(v);
    et__jadd(a, "supersedes", et__jnew_string("claude-code-telemetry"));
    rc = et__ingest_event(h->t, "session.tool", NULL, a, &seq, err);
    json_object_object_del(a, "supersedes");
    if (!rc)
        h->n++;
    if (!rc)
        rc = et__tel_tool_key(key, h->skey, h->tuid, err);
    if (!rc)
        rc = et__tel_index_add(h->t, key, seq, err);
    return rc ? rc : 1;
}

/*
 * A tool call (not Agent) before or after it ran. A subagent's call is an
 * action of its agent (session_id, agent_id in the body): the projection
 * gives it to the execution the agent is bound to now, or holds it until a
 * binding comes, and moves it when a binding is corrected
 * (docs/INTEGRATIONS.md, "Bindings"). It is recorded whatever the state of
 * that execution: one that has completed is analysed again.
 */
static int tool_event(struct hk *h, struct et_error *err)
{
    bool pre = !strcmp(h->event, "PreToolUse");
    struct json_object *a = NULL;
    char id[37] = "", state[16] = "";
    int rc = ET_OK;

    if (h->agent_id)
        rc = resolve_agent(h, h->agent_id, h->agent_type, id, err);
    if (rc)
        return rc;
    if (id[0])
        exec_state(h, id, state);
    if (!h->agent_id || (pre && (!id[0] || !in_list(state, run_states)))) {
        h->is_unattached = h->agent_id && !id[0];
        return session_event(h, pre ? "session.tool_requested" : "session.tool",
                             id[0] ? id : NULL, err);
    }
    a = et__jnew_object();
    if (!a)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    tool_facts(h, a, true);
    if (pre) {
        /* the request is in the ledger; the action comes with its result */
        rc = emit(h, "tool.requested", id, a, err);
        json_object_put(a);
        return rc;
    }
    h->is_unattached = !id[0];
    et__jput_str(a, "session_id", h->session);
    rc = et__record_check(a, "execution.actions_taken[]", ET_CHECK_COMPLETE,
                          err);
    if (!rc)
        rc = telemetry_first(h, a, err);
    if (rc == 1)
        rc = ET_OK; /* the facts went beside the telemetry's action */
    else if (!rc)
        rc = emit(h, "action.recorded", id[0] ? id : NULL, a, err);
    json_object_put(a);
    return rc;
}

/*
 * Respond, then complete. The end is stamped on receipt, unless the input
 * gave the run's duration (dur_ms >= 0): then end = start + duration.
 */
static int respond_complete(struct hk *h, const char *id,
                            struct json_object *out, int64_t dur_ms,
                            struct et_error *err)
{
    struct et_exec_row row;
    int64_t start_ns = 0, end_ns = h->now_ns;
    struct json_object *b = et__jnew_object();
    struct json_object *c = et__jnew_object();
    char when[ET_RFC3339_MAX];
    int rc;

    if (!b || !c) {
        json_object_put(b);
        json_object_put(c);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    rc = et__record_check(out, "output", 0, err);
    et__jadd(b, "output", json_object_get(out));
    if (!rc)
        rc = emit(h, "execution.responded", id, b, err);
    if (et_store_exec_get(h->t->st, id, &row, NULL) == ET_OK)
        start_ns = row.start_ns;
    if (start_ns && dur_ms >= 0)
        end_ns = start_ns + dur_ms * 1000000;
    if (start_ns && end_ns < start_ns)
        end_ns = start_ns;
    et_time_format(end_ns, when);
    et__jput_str(c, "timestamp_end", when);
    if (start_ns) /* both rounded to ms, as the record stores them */
        et__jadd(c, "duration_ms",
                 et__jnew_int64(end_ns / 1000000 - start_ns / 1000000));
    if (!rc)
        rc = emit(h, "execution.completed", id, c, err);
    json_object_put(b);
    json_object_put(c);
    return rc;
}

/* The text blocks of an Agent result, joined. */
static void result_text(struct json_object *resp, struct et_buf *out)
{
    struct json_object *c = et__jget(resp, "content");

    if (resp && json_object_is_type(resp, json_type_string)) {
        (void)!et_buf_addstr(out, json_object_get_string(resp));
        return;
    }
    if (c && json_object_is_type(c, json_type_string)) {
        (void)!et_buf_addstr(out, json_object_get_string(c));
        return;
    }
    for (size_t i = 0; c && json_object_is_type(c, json_type_array) &&
                       i < json_object_array_length(c);
         i++) {
        const char *s = et__jstr(json_object_array_get_idx(c, i), "text");

        if (!s)
            continue;
        if (out->len)
            (void)!et_buf_addstr(out, "\n\n");
        (void)!et_buf_addstr(out, s);
    }
}

/* usage: the model usage plus the run totals, in snake_case. */
static struct json_object *usage_of(struct json_object *resp)
{
    static const char *const totals[][2] = {
        {"totalTokens", "total_tokens"},
        {"totalDurationMs", "total_duration_ms"},
        {"totalToolUseCount", "total_tool_use_count"},
        {"resolvedModel", "resolved_model"},
        {"modelsUsed", "models_used"},
        {"toolStats", "tool_stats"},
        {"total_cost_usd", "total_cost_usd"},
        {"costUSD", "cost_usd"}};
    struct json_object *u = et__jnew_object();
    struct json_object *raw = et__jget(resp, "usage");

    if (!u)
        return NULL;
    if (raw && json_object_is_type(raw, json_type_object)) {
        json_object_object_foreach(raw, k, v)
        {
            et__jadd(u, k, json_object_get(v));
        }
    }
    for (size_t i = 0; i < ET_ARRAY_SIZE(totals); i++)
        copy_key(u, totals[i][1], resp, totals[i][0]);
    return u;
}

static int agent_post(struct hk *h, const char *id, struct et_error *err)
{
    struct json_object *resp = et__jget(h->in, "tool_response");
    const char *status = et__jstr(resp, "status");
    const char *agent = et__jstr(resp, "agentId");
    struct json_object *out = NULL, *b = NULL, *xs = NULL;
    struct et_buf text = ET_BUF_INIT;
    char state[16];
    int rc = ET_OK;

    if (agent)
        rc = bind_authoritative(h, agent, id, err);
    if (rc)
        return rc;
    exec_state(h, id, state);
    if (status && (!strcmp(status, "async_launched") ||
                   !strcmp(status, "remote_launched"))) {
        b = et__jnew_object();
        et__jput_str(b, "status", status);
        et__jput_str(b, "agent_id", agent);
        copy_key(b, "output_file", resp, "outputFile");
        copy_key(b, "task_id", resp, "taskId");
        copy_key(b, "session_url", resp, "sessionUrl");
        copy_key(b, "resolved_model", resp, "resolvedModel");
        rc = emit(h, "execution.launched", id, b, err);
        if (!rc)
            rc = xstate_get(h, id, &xs, err);
        if (!rc) {
            et__jadd(xs, "async", et__jnew_boolean(1));
            rc = xstate_put(h, id, xs, err);
        }
        goto out;
    }
    if (!in_list(state, run_states))
        goto out; /* already closed (e.g. by SubagentStop) */
    out = et__jnew_object();
    if (!strcmp(h->event, "PostToolUseFailure")) {
        et__jput_str(out, "raw_response", "");
        et__jput_str(out, "error",
                     et__jstr(h->in, "error") ? et__jstr(h->in, "error")
                                              : "agent failed");
        copy_key(out, "is_interrupt", h->in, "is_interrupt");
    } else {
        result_text(resp, &text);
        et__jput_str(out, "raw_response", text.len ? et_buf_str(&text) : "");
        et__jput_str(out, "status", status ? status : "completed");
        et__jadd(out, "usage", usage_of(resp));
    }
    et__jput_str(out, "agent_id", agent);
    {
        struct json_object *d = et__jget(h->in, "duration_ms");

        if (!d || !json_object_is_type(d, json_type_int))
            d = et__jget(resp, "totalDurationMs");
        rc = respond_complete(h, id, out,
                              d && json_object_is_type(d, json_type_int)
                                  ? json_object_get_int64(d)
                                  : -1,
                              err);
    }
out:
    et_buf_release(&text);
    json_object_put(out);
    json_object_put(b);
    json_object_put(xs);
    return rc;
}

static int subagent_stop(struct hk *h, struct et_error *err)
{
    struct json_object *xs = NULL, *out = NULL, *b = NULL;
    char id[37] = "", state[16] = "";
    int rc = resolve_agent(h, h->agent_id, h->agent_type, id, err);

    if (rc)
        return rc;
    if (!id[0])
        return session_event(h, "session.subagent_stopped", NULL, err);
    exec_state(h, id, state);
    rc = xstate_get(h, id, &xs, err);
    if (rc)
        return rc;
    if (json_object_get_boolean(et__jget(xs, "async")) &&
        in_list(state, run_states)) {
        /* an async agent's end: nothing else will come */
        out = et__jnew_object();
        et__jput_str(out, "raw_response",
                     et__jstr(h->in, "last_assistant_message")
                         ? et__jstr(h->in, "last_assistant_message")
                         : "");
        et__jput_str(out, "status", "completed");
        et__jput_str(out, "agent_id", h->agent_id);
        copy_key(out, "agent_transcript_path", h->in, "agent_transcript_path");
        rc = respond_complete(h, id, out, -1, err);
    } else {
        /* a foreground agent: its PostToolUse brings the result */
        b = et__jnew_object();
        et__jput_str(b, "agent_id", h->agent_id);
        copy_key(b, "last_assistant_message", h->in, "last_assistant_message");
        copy_key(b, "agent_transcript_path", h->in, "agent_transcript_path");
        rc = emit(h, "subagent.stopped", id, b, err);
    }
    json_object_put(xs);
    json_object_put(out);
    json_object_put(b);
    return rc;
}

static bool is_agent_tool(const char *tool)
{
    return tool && (!strcmp(tool, "Agent") || !strcmp(tool, "Task"));
}

/* The de-duplication key of the input; "" = not recorded at all. */
static bool is_tool_or_agent_event(const char *e)
{
    static const char *const ev[] = {"PreToolUse", "PostToolUse",
                                     "PostToolUseFailure", "SubagentStart",
                                     "SubagentStop"};

    for (size_t i = 0; i < ET_ARRAY_SIZE(ev); i++)
        if (!strcmp(e, ev[i]))
            return true;
    return false;
}

/*
 * Any other hook event (UserPromptSubmit, SessionStart, SessionEnd, Stop,
 * PermissionRequest, PermissionDenied, PreCompact, Notification, and the
 * rest of the 35): a session.hook event holding every field of the input,
 * so nothing an audit may ask about is dropped. UserPromptSubmit's prompt,
 * as stored (redacted), becomes the session's current user request, which
 * later delegations record as main_agent_context.user_request.
 */
static int session_hook(struct hk *h, struct et_error *err)
{
    struct json_object *b = et__jnew_object();
    char key[KEY_MAX];
    const char *prompt;
    int rc = ET_OK;

    if (!b)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    json_object_object_foreach(h->in, k, v)
    {
        if (et__jadd(b, k, json_object_get(v))) {
            json_object_put(v);
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            break;
        }
    }
    if (!rc)
        rc = emit(h, "session.hook", NULL, b, err);
    prompt = et__jstr(b, "prompt"); /* redacted by the pipeline */
    if (!rc && prompt && !strcmp(h->event, "UserPromptSubmit")) {
        rc = mkey(key, err, "prompt", h->skey, NULL);
        if (!rc)
            rc = kv_put(h, key, prompt, err);
        /* the hooks report prompts: telemetry's user_prompt defers */
        if (!rc)
            rc = mkey(key, err, "prompt-hook", h->skey, NULL);
        if (!rc)
            rc = kv_put(h, key, "1", err);
    }
    json_object_put(b);
    return rc;
}

static int dedup_key(struct hk *h, char key[KEY_MAX], struct et_error *err)
{
    const char *e = h->event;

    key[0] = '\0';
    if (!strcmp(e, "PreToolUse"))
        return h->tuid ? mkey(key, err, "seen-pre", h->skey, h->tuid) : ET_OK;
    if (!strcmp(e, "PostToolUse") || !strcmp(e, "PostToolUseFailure"))
        return h->tuid ? mkey(key, err, "seen-post", h->skey, h->tuid) : ET_OK;
    if (!strcmp(e, "SubagentStart") && h->agent_id)
        return mkey(key, err, "seen-start", h->skey, h->agent_id);
    if (!strcmp(e, "SubagentStop") && h->agent_id)
        return mkey(key, err, "seen-stop", h->skey, h->agent_id);
    if (!is_tool_or_agent_event(e)) {
        /* other events carry no id: the same input bytes are the same
         * delivery (a spool replay, a retry) */
        uint8_t d[32];
        char hex[65];

        et_hash_sha256(h->raw, h->raw_len, d);
        for (size_t i = 0; i < sizeof(d); i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        return mkey(key, err, "seen-event", h->skey, hex);
    }
    return ET_OK;
}

static int dispatch(struct hk *h, struct et_error *err)
{
    const char *e = h->event;
    char id[37];

    if (!strcmp(e, "PreToolUse") && is_agent_tool(h->tool)) {
        char state[16];

        exec_id_for(h->tuid, id);
        exec_state(h, id, state);
        return state[0] ? ET_OK : delegate(h, id, err);
    }
    if ((!strcmp(e, "PostToolUse") || !strcmp(e, "PostToolUseFailure")) &&
        is_agent_tool(h->tool)) {
        char state[16];
        int rc = ET_OK;

        exec_id_for(h->tuid, id);
        exec_state(h, id, state);
        if (!state[0]) /* its PreToolUse was not seen */
            rc = delegate(h, id, err);
        return rc ? rc : agent_post(h, id, err);
    }
    if (!strcmp(e, "PreToolUse") || !strcmp(e, "PostToolUse") ||
        !strcmp(e, "PostToolUseFailure"))
        return tool_event(h, err);
    if (!strcmp(e, "SubagentStart") && h->tuid) {
        char state[16];

        /* the link is known up front (transcript import: meta.json) */
        exec_id_for(h->tuid, id);
        exec_state(h, id, state);
        if (state[0])
            return bind_authoritative(h, h->agent_id, id, err);
    }
    if (!strcmp(e, "SubagentStart"))
        return resolve_agent(h, h->agent_id, h->agent_type, id, err);
    if (!strcmp(e, "SubagentStop"))
        return subagent_stop(h, err);
    return session_hook(h, err);
}

static int check_input(struct hk *h, struct et_error *err)
{
    const char *e = h->event;
    bool tool_ev = !strcmp(e, "PreToolUse") || !strcmp(e, "PostToolUse") ||
                   !strcmp(e, "PostToolUseFailure");

    if (!h->session || !*h->session)
        return et_error_set(err, ET_EINPUT, "session_id: missing");
    if (tool_ev && !h->tool)
        return et_error_set(err, ET_EINPUT, "tool_name: missing");
    if (tool_ev && is_agent_tool(h->tool) && !h->tuid)
        return et_error_set(err, ET_EINPUT,
                            "tool_use_id: missing on an %s call", h->tool);
    if ((!strcmp(e, "SubagentStart") || !strcmp(e, "SubagentStop")) &&
        !h->agent_id)
        return et_error_set(err, ET_EINPUT, "agent_id: missing on %s", e);
    return ET_OK;
}

static int ingest_claude_hook_(struct et_trail *t, const char *json, size_t len,
                               unsigned flags, struct et_hook_result *res,
                               struct et_error *err)
{
    struct et_hook_result dummy;
    struct hk h;
    char key[KEY_MAX], *seen = NULL;
    int rc;

    if (!res)
        res = &dummy;
    memset(res, 0, sizeof(*res));
    memset(&h, 0, sizeof(h));
    rc = et_json_parse(json, len, NULL, &h.in, err);
    if (rc)
        return rc;
    if (!json_object_is_type(h.in, json_type_object)) {
        rc = et_error_set(err, ET_EINPUT,
                          "hook input: expected object, "
                          "got %s",
                          et_json_type_name(h.in));
        goto out;
    }
    h.t = t;
    h.raw = json;
    h.raw_len = len;
    h.event = et__jstr(h.in, "hook_event_name");
    if (!h.event) {
        rc = et_error_set(err, ET_EINPUT, "hook_event_name: missing");
        goto out;
    }
    snprintf(res->event, sizeof(res->event), "%s", h.event);
    h.session = et__jstr(h.in, "session_id");
    h.tool = et__jstr(h.in, "tool_name");
    h.tuid = et__jstr(h.in, "tool_use_id");
    h.agent_id = et__jstr(h.in, "agent_id");
    h.agent_type = et__jstr(h.in, "agent_type");
    h.now_ns = et_time_now_ns();
    if (flags & ET_HOOK_INPUT_TIME) {
        const char *ts = et__jstr(h.in, "timestamp");
        int64_t ns;

        if (ts && et_time_parse(ts, strlen(ts), false, &ns) == ET_OK)
            h.now_ns = ns;
    }
    rc = check_input(&h, err);
    if (rc)
        goto out;
    if (!strcmp(h.event, "PreToolUse") && !h.tuid) /* ignore tool-less */
        goto out;
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    et__keyed_id(t, h.session, h.skey); /* the unit loaded the key */
    rc = dedup_key(&h, key, err);
    if (rc) {
        et__unit_abort(t);
        goto out;
    }
    t->trigger = "hook"; /* completions analysed as captured by a hook */
    if (key[0])
        rc = kv_get(&h, key, &seen, err);
    if (!rc && seen)
        res->is_duplicate = true;
    else if (!rc)
        rc = dispatch(&h, err);
    if (!rc && key[0] && !seen && h.n)
        rc = kv_put(&h, key, "1", err);
    t->trigger = NULL;
    if (rc || !h.n)
        et__unit_abort(t);
    else
        rc = et__unit_commit(t, err);
    if (!rc) {
        res->n_events = h.n;
        res->is_unattached = h.is_unattached;
    }
out:
    et__free(seen);
    json_object_put(h.in);
    return rc;
}

/* The public entry: error messages never quote a secret from the input. */
int et_ingest_claude_hook(struct et_trail *t, const char *json, size_t len,
                          unsigned flags, struct et_hook_result *res,
                          struct et_error *err)
{
    return et__scrub_error(
        t, ingest_claude_hook_(t, json, len, flags, res, err), err);
}
