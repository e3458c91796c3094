/* SPDX-License-Identifier: MIT */
/*
 * Claude Code's own telemetry (OTLP log records claude_code.*) next to its
 * hooks: after each otlp.log event, the index the read-time fold uses
 * (trail/telemetry.h), a subagent's tool call the hooks did not record as
 * an action of its agent, and a user prompt as the session's current
 * request. Rules: docs/INTEGRATIONS.md, "Claude Code telemetry".
 */
#include "base/setup.h"

#include <stdlib.h>

#include "base/alloc.h"
#include "codec/json.h"
#include "model/record.h"
#include "ingest/otlp_int.h"
#include "ingest/pipeline.h"
#include "trail/telemetry.h"

static const char *attr(struct json_object *b, const char *k)
{
    return et__jstr(et__jget(b, "attributes"), k);
}

static bool is_ev(const char *ev, const char *name)
{
    return !strcmp(ev + 12, name); /* after "claude_code." */
}

/* The meta value under key (caller-owned), NULL when unset or "". */
static int kv_get(struct et_trail *t, const char *key, char **out,
                  struct et_error *err)
{
    int rc = et_store_meta_get(t->st, key, out, err);

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

static int is_set(struct et_trail *t, const char *key, bool *out,
                  struct et_error *err)
{
    char *v = NULL;
    int rc = kv_get(t, key, &v, err);

    *out = v != NULL;
    et__free(v);
    return rc;
}

/* A tool_result as an action of its subagent ({session_id, agent_id}:
 * the projection gives it to the execution the agent is bound to). */
static struct json_object *action_of(struct json_object *b, const char *agent)
{
    struct json_object *a = et__jnew_object();
    const char *ok = attr(b, "success"), *dur = attr(b, "duration_ms");
    struct json_object *dv = et__jget(et__jget(b, "attributes"), "duration_ms");
    const char *ts = attr(b, "event.timestamp");
    char *end = NULL;

    if (!a)
        return NULL;
    et__jput_str(a, "tool",
                 attr(b, "tool_name") ? attr(b, "tool_name") : "unknown");
    et__jput_str(a, "input", attr(b, "tool_parameters"));
    et__jput_str(a, "timestamp", ts ? ts : et__jstr(b, "timestamp"));
    if (ok && (!strcmp(ok, "true") || !strcmp(ok, "false")))
        et__jadd(a, "success", et__jnew_boolean(!strcmp(ok, "true")));
    if (ok && !strcmp(ok, "false"))
        et__jput_str(a, "error",
                     attr(b, "error")        ? attr(b, "error")
                     : attr(b, "error_type") ? attr(b, "error_type")
                                             : "tool failed");
    if (dv && json_object_is_type(dv, json_type_int) &&
        json_object_get_int64(dv) >= 0)
        et__jadd(a, "duration_ms", json_object_get(dv));
    else if (dur && *dur) {
        long long d = strtoll(dur, &end, 10);

        if (end && !*end && d >= 0)
            et__jadd(a, "duration_ms", et__jnew_int64((int64_t)d));
    }
    et__jput_str(a, "tool_use_id", et__jstr(b, "tool_use_id"));
    et__jput_str(a, "session_id", et__jstr(b, "session_id"));
    et__jput_str(a, "agent_id", agent);
    et__jput_str(a, "mcp_server", attr(b, "mcp_server_name"));
    et__jput_str(a, "source", "claude-code-telemetry");
    return a;
}

/* A subagent's tool call no hook recorded: the action of its agent, once. */
static int tool_action(struct et_trail *t, struct json_object *b,
                       const char *skey, const char *agent, unsigned *n,
                       struct et_error *err)
{
    const char *tuid = et__jstr(b, "tool_use_id");
    char key[ET_TEL_KEY_MAX];
    struct json_object *a = NULL;
    struct et_error cerr = ET_ERROR_INIT;
    bool hooked = false, done = false;
    int rc;

    snprintf(key, sizeof(key), "claude:seen-post:%s\n%s", skey, tuid);
    rc = is_set(t, key, &hooked, err);
    snprintf(key, sizeof(key), "claude:tel-action:%s\n%s", skey, tuid);
    if (!rc)
        rc = is_set(t, key, &done, err);
    if (rc || hooked || done)
        return rc;
    a = action_of(b, agent);
    if (!a)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    if (et__record_check(a, "execution.actions_taken[]", ET_CHECK_COMPLETE,
                         &cerr) != ET_OK) {
        json_object_put(a); /* not an action (a bad timestamp): raw only */
        return cerr.code == ET_ENOMEM
                   ? et_error_set(err, ET_ENOMEM, "out of memory")
                   : ET_OK;
    }
    rc = et__ingest_event(t, "action.recorded", NULL, a, NULL, err);
    json_object_put(a);
    if (!rc)
        (*n)++;
    snprintf(key, sizeof(key), "claude:tel-action:%s\n%s", skey, tuid);
    return rc ? rc : et_store_meta_put(t->st, key, "1", err);
}

/* A user prompt Claude Code sent (OTEL_LOG_USER_PROMPTS=1) becomes the
 * session's current request, unless the hooks report prompts (they win)
 * or a later prompt came already. */
static int user_prompt(struct et_trail *t, struct json_object *b,
                       const char *skey, struct et_error *err)
{
    const char *prompt = attr(b, "prompt");
    const char *ts = attr(b, "event.timestamp");
    char key[ET_TEL_KEY_MAX], *v = NULL;
    bool hooked = false;
    int rc;

    if (!ts)
        ts = et__jstr(b, "timestamp");
    if (!prompt || !*prompt || !strcmp(prompt, "<REDACTED>") || !ts)
        return ET_OK;
    snprintf(key, sizeof(key), "claude:prompt-hook:%s", skey);
    rc = is_set(t, key, &hooked, err);
    if (rc || hooked)
        return rc;
    snprintf(key, sizeof(key), "claude:prompt-tel:%s", skey);
    rc = kv_get(t, key, &v, err);
    if (!rc && v && strcmp(v, ts) > 0) {
        et__free(v);
        return ET_OK; /* an older prompt, sent late */
    }
    et__free(v);
    if (!rc)
        rc = et_store_meta_put(t->st, key, ts, err);
    snprintf(key, sizeof(key), "claude:prompt:%s", skey);
    return rc ? rc : et_store_meta_put(t->st, key, prompt, err);
}

int et__claude_otel_log(struct et_trail *t, struct json_object *b, uint64_t seq,
                        unsigned *n_out, struct et_error *err)
{
    const char *ev = et__jstr(b, "event"), *session = et__jstr(b, "session_id");
    const char *tuid = et__jstr(b, "tool_use_id");
    const char *agent = attr(b, "agent_id");
    char skey[ET_KEYED_ID_HEX + 1], key[ET_TEL_KEY_MAX];
    int rc = ET_OK;

    *n_out = 0;
    if (!ev || strncmp(ev, "claude_code.", 12) != 0 || !session || !*session)
        return ET_OK;
    et__keyed_id(t, session, skey); /* the unit loaded the key */
    if (is_ev(ev, "api_request") || is_ev(ev, "api_error")) {
        if (et__tel_usage_key(key, skey, agent ? agent : "", NULL) == ET_OK)
            rc = et__tel_index_add(t, key, seq, err);
    } else if ((is_ev(ev, "tool_result") || is_ev(ev, "tool_decision")) &&
               tuid && *tuid) {
        if (et__tel_tool_key(key, skey, tuid, NULL) == ET_OK)
            rc = et__tel_index_add(t, key, seq, err);
        if (!rc && is_ev(ev, "tool_result") && agent && *agent)
            rc = tool_action(t, b, skey, agent, n_out, err);
    } else if (is_ev(ev, "user_prompt")) {
        rc = user_prompt(t, b, skey, err);
    }
    return rc;
}
