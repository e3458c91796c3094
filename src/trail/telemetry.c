/* SPDX-License-Identifier: MIT */
/*
 * Claude Code telemetry folded into records when they are read: the
 * index of the log records of one agent or one tool call (meta keys the
 * writers keep) and the fold itself, computed from the stored events, so
 * duplicates count once and the arrival order does not matter.
 */
#include "base/setup.h"

#include <stdlib.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "codec/json.h"
#include "trail/telemetry.h"

static const char tel_source[] = "claude-code-telemetry";

static int oom(struct et_error *err)
{
    return et_error_set(err, ET_ENOMEM, "out of memory");
}

static int tel_key(char out[ET_TEL_KEY_MAX], const char *kind, const char *a,
                   const char *b, struct et_error *err)
{
    int n =
        snprintf(out, ET_TEL_KEY_MAX, "claude:%s:%s\n%s", kind, a, b ? b : "");

    if (n < 0 || n >= ET_TEL_KEY_MAX)
        return et_error_set(err, ET_EINPUT, "%s: identifier too long", kind);
    return ET_OK;
}

int et__tel_usage_key(char out[ET_TEL_KEY_MAX], const char *skey,
                      const char *agent, struct et_error *err)
{
    return tel_key(out, "tel-usage", skey, agent, err);
}

int et__tel_tool_key(char out[ET_TEL_KEY_MAX], const char *skey,
                     const char *tuid, struct et_error *err)
{
    return tel_key(out, "tel-tool", skey, tuid, err);
}

/* The JSON value under key, NULL when unset. */
static int meta_json(struct et_trail *t, const char *key,
                     struct json_object **out, struct et_error *err)
{
    char *v = NULL;
    int rc = et_store_meta_get(t->st, key, &v, err);

    *out = NULL;
    if (rc == ET_ENOTFOUND)
        return ET_OK;
    if (!rc && v && *v && et_json_parse(v, strlen(v), NULL, out, NULL) != ET_OK)
        *out = NULL; /* not ours: read as unset */
    et__free(v);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

int et__tel_index_add(struct et_trail *t, const char *key, uint64_t seq,
                      struct et_error *err)
{
    struct json_object *a = NULL, *na = NULL;
    uint64_t *v = NULL;
    size_t n = 0;
    int rc = meta_json(t, key, &a, err);

    if (rc)
        return rc;
    if (a && !json_object_is_type(a, json_type_array)) {
        json_object_put(a);
        a = NULL;
    }
    n = a ? json_object_array_length(a) : 0;
    v = et__calloc(n + 1, sizeof(*v));
    na = et__jnew_array();
    if (!v || !na) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (uint64_t)json_object_get_int64(json_object_array_get_idx(a, i));
    v[n++] = seq;
    qsort(v, n, sizeof(*v), cmp_u64);
    for (size_t i = 0; i < n; i++)
        if ((i == 0 || v[i] != v[i - 1]) &&
            et__jappend(na, et__jnew_int64((int64_t)v[i]))) {
            rc = oom(err);
            goto out;
        }
    rc = et_store_meta_put(
        t->st, key, json_object_to_json_string_ext(na, JSON_C_TO_STRING_PLAIN),
        err);
out:
    et__free(v);
    json_object_put(a);
    json_object_put(na);
    return rc;
}

/* ---- reading the indexed events ---- */

struct grab {
    struct json_object *list; /* [{type, body}] */
    int rc;
};

static int grab_row(void *ctx, const struct et_event_row *row)
{
    struct grab *g = ctx;
    struct json_object *ev = NULL, *it;

    if (!row->body)
        return ET_OK; /* erased */
    if (et_json_parse(row->body, row->body_len, NULL, &ev, NULL))
        return ET_EINTEGRITY;
    it = et__jnew_object();
    if (!it || et__jadd(it, "type", et__jnew_string(row->type)) ||
        et__jadd(it, "body", json_object_get(et__jget(ev, "body"))) ||
        et__jappend(g->list, it)) {
        json_object_put(it);
        json_object_put(ev);
        return ET_ENOMEM;
    }
    json_object_put(ev);
    return ET_OK;
}

/* The events the index lists under key, as [{type, body}] (*out owned). */
static int indexed(struct et_trail *t, const char *key,
                   struct json_object **out, struct et_error *err)
{
    struct json_object *seqs = NULL;
    struct grab g = {NULL, 0};
    int rc = meta_json(t, key, &seqs, err);

    *out = NULL;
    if (rc)
        return rc;
    g.list = et__jnew_array();
    if (!g.list) {
        json_object_put(seqs);
        return oom(err);
    }
    for (size_t i = 0;
         !rc && seqs && json_object_is_type(seqs, json_type_array) &&
         i < json_object_array_length(seqs);
         i++) {
        uint64_t s =
            (uint64_t)json_object_get_int64(json_object_array_get_idx(seqs, i));

        rc = et_store_read_range(t->st, s, s + 1, grab_row, &g, err);
        if (rc == ET_EINTEGRITY)
            rc = et_error_set(err, rc, "event %llu is damaged",
                              (unsigned long long)s);
        else if (rc == ET_ENOMEM)
            rc = oom(err);
    }
    json_object_put(seqs);
    if (rc)
        json_object_put(g.list);
    else
        *out = g.list;
    return rc;
}

static const char *attr(struct json_object *body, const char *k)
{
    return et__jstr(et__jget(body, "attributes"), k);
}

/* A number attribute (Claude Code sends most of them as strings). */
static bool attr_num(struct json_object *body, const char *k, double *out)
{
    struct json_object *v = et__jget(et__jget(body, "attributes"), k);
    const char *s;
    char *end;

    if (v && (json_object_is_type(v, json_type_int) ||
              json_object_is_type(v, json_type_double))) {
        *out = json_object_get_double(v);
        return true;
    }
    s = v && json_object_is_type(v, json_type_string)
            ? json_object_get_string(v)
            : NULL;
    if (!s || !*s)
        return false;
    *out = strtod(s, &end);
    return *end == '\0';
}

/* A boolean attribute: 1 true, 0 false, -1 absent. */
static int attr_bool(struct json_object *body, const char *k)
{
    struct json_object *v = et__jget(et__jget(body, "attributes"), k);
    const char *s;

    if (v && json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v);
    s = v && json_object_is_type(v, json_type_string)
            ? json_object_get_string(v)
            : NULL;
    if (s && !strcmp(s, "true"))
        return 1;
    if (s && !strcmp(s, "false"))
        return 0;
    return -1;
}

/*
 * The Claude Code log records among items, once each, in a stable order:
 * {dedupe key: body}, keys sorted. A record's key is its event name and
 * its attributes (event.sequence, event.timestamp, prompt.id and the
 * rest): the same record sent twice, even with other resource attributes
 * or receive times, counts once.
 */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int unique_logs(struct json_object *items, const char *const *names,
                       struct json_object **out_keys,
                       struct json_object **out_map)
{
    struct json_object *map = et__jnew_object(), *keys = et__jnew_array();
    struct et_buf b = ET_BUF_INIT;
    const char **v = NULL;
    size_t n = 0;
    int rc = ET_OK;

    *out_keys = *out_map = NULL;
    if (!map || !keys)
        rc = ET_ENOMEM;
    for (size_t i = 0; !rc && i < json_object_array_length(items); i++) {
        struct json_object *it = json_object_array_get_idx(items, i);
        struct json_object *body = et__jget(it, "body");
        const char *ev = et__jstr(body, "event");
        bool want = false;

        if (strcmp(et__jstr(it, "type") ? et__jstr(it, "type") : "",
                   "otlp.log") != 0 ||
            !ev)
            continue;
        for (const char *const *nm = names; *nm; nm++)
            want = want || !strcmp(ev, *nm);
        if (!want)
            continue;
        et_buf_reset(&b);
        if (et_buf_addstr(&b, ev) || et_buf_addstr(&b, "\n")) {
            rc = ET_ENOMEM;
            break;
        }
        if (et__jget(body, "attributes"))
            rc = et_json_canon(et__jget(body, "attributes"), &b);
        if (!rc && !et__jget(map, et_buf_str(&b)))
            rc = et__jadd(map, et_buf_str(&b), json_object_get(body))
                     ? ET_ENOMEM
                     : ET_OK;
    }
    et_buf_release(&b);
    if (!rc) {
        v = et__calloc((size_t)json_object_object_length(map) + 1, sizeof(*v));
        if (!v)
            rc = ET_ENOMEM;
    }
    if (!rc) {
        json_object_object_foreach(map, k, val)
        {
            (void)val;
            v[n++] = k;
        }
        qsort(v, n, sizeof(*v), cmp_str);
        for (size_t i = 0; !rc && i < n; i++)
            rc = et__jappend(keys, et__jnew_string(v[i])) ? ET_ENOMEM : ET_OK;
    }
    et__free(v);
    if (rc) {
        json_object_put(map);
        json_object_put(keys);
        return rc;
    }
    *out_keys = keys;
    *out_map = map;
    return ET_OK;
}

/* ---- actions ---- */

static int fold_action(struct et_trail *t, const char *skey,
                       struct json_object *a, struct et_error *err)
{
    static const char *const names[] = {"claude_code.tool_result",
                                        "claude_code.tool_decision", NULL};
    const char *tuid = et__jstr(a, "tool_use_id");
    struct json_object *items = NULL, *keys = NULL, *map = NULL, *dec = NULL;
    char key[ET_TEL_KEY_MAX];
    bool from_decision = false, has_result = false;
    int rc;

    if (!tuid)
        return ET_OK;
    rc = et__tel_tool_key(key, skey, tuid, err);
    if (!rc)
        rc = indexed(t, key, &items, err);
    if (rc)
        return rc == ET_EINPUT ? ET_OK : rc;
    /* the hook's facts, which came after a telemetry action: they win */
    for (size_t i = 0; i < json_object_array_length(items); i++) {
        struct json_object *it = json_object_array_get_idx(items, i);

        if (strcmp(et__jstr(it, "type"), "session.tool") != 0)
            continue;
        json_object_object_foreach(et__jget(it, "body"), k, v)
        {
            if (strcmp(k, "supersedes") != 0 &&
                et__jadd(a, k, json_object_get(v))) {
                json_object_put(items);
                return oom(err);
            }
        }
        if (!strcmp(et__jstr(a, "source") ? et__jstr(a, "source") : "",
                    tel_source))
            json_object_object_del(a, "source");
    }
    if (unique_logs(items, names, &keys, &map)) {
        json_object_put(items);
        return oom(err);
    }
    /* then the telemetry, where the hook gave nothing */
    for (size_t i = 0; i < json_object_array_length(keys); i++) {
        struct json_object *l = et__jget(
            map, json_object_get_string(json_object_array_get_idx(keys, i)));
        const char *ev = et__jstr(l, "event");
        double d;
        int ok;

        if (!strcmp(ev, "claude_code.tool_decision") && attr(l, "decision")) {
            json_object_put(dec);
            dec = et__jnew_object();
            et__jput_str(dec, "decision", attr(l, "decision"));
            et__jput_str(dec, "source", attr(l, "source"));
            from_decision = true;
            continue;
        }
        if (has_result)
            continue; /* one result per call: the first in key order */
        has_result = true;
        ok = attr_bool(l, "success");
        if (ok >= 0 && !et__jget(a, "success"))
            et__jadd(a, "success", et__jnew_boolean(ok));
        if (attr_num(l, "duration_ms", &d) && !et__jget(a, "duration_ms"))
            et__jadd(a, "duration_ms", et__jnew_int64((int64_t)d));
        if (ok == 0 && !et__jget(a, "error"))
            et__jput_str(a, "error",
                         attr(l, "error")        ? attr(l, "error")
                         : attr(l, "error_type") ? attr(l, "error_type")
                                                 : "tool failed");
        if (!from_decision && attr(l, "decision_type")) {
            json_object_put(dec);
            dec = et__jnew_object();
            et__jput_str(dec, "decision", attr(l, "decision_type"));
            et__jput_str(dec, "source", attr(l, "decision_source"));
        }
    }
    if (dec && et__jadd(a, "permission_decision", dec)) {
        json_object_put(dec);
        rc = oom(err);
    }
    json_object_put(items);
    json_object_put(keys);
    json_object_put(map);
    return rc;
}

/* ---- usage, cost and API errors of the execution's agent ---- */

static const char *const usage_attrs[] = {
    "input_tokens", "output_tokens", "cache_read_tokens",
    "cache_creation_tokens", "duration_ms"};

static void add_num(struct json_object *o, const char *k, double v, bool is_int)
{
    struct json_object *cur = et__jget(o, k);
    double sum = (cur ? json_object_get_double(cur) : 0) + v;

    et__jadd(o, k,
             is_int ? et__jnew_int64((int64_t)sum) : et__jnew_double(sum));
}

/* One api_request into the totals t and the model's entry of models. */
static void add_request(struct json_object *tot, struct json_object *models,
                        struct json_object *l)
{
    const char *model = attr(l, "model") ? attr(l, "model") : "unknown";
    struct json_object *m = et__jget(models, model);
    struct json_object *both[2];
    double d;

    if (!m) {
        m = et__jnew_object();
        if (!m || et__jadd(models, model, m)) {
            json_object_put(m);
            return;
        }
    }
    both[0] = tot;
    both[1] = m;
    for (size_t j = 0; j < 2; j++) {
        add_num(both[j], "api_requests", 1, true);
        if (attr_num(l, "cost_usd", &d))
            add_num(both[j], "cost_usd", d, false);
        for (size_t i = 0; i < ET_ARRAY_SIZE(usage_attrs); i++)
            if (attr_num(l, usage_attrs[i], &d))
                add_num(both[j], usage_attrs[i], d, true);
    }
}

static struct json_object *api_error_of(struct json_object *l)
{
    static const char *const keys[] = {"model", "error", "status_code",
                                       "attempt", "duration_ms"};
    struct json_object *e = et__jnew_object();
    const char *ts = attr(l, "event.timestamp");

    if (!e)
        return NULL;
    et__jput_str(e, "timestamp", ts ? ts : et__jstr(l, "timestamp"));
    for (size_t i = 0; i < ET_ARRAY_SIZE(keys); i++)
        et__jput_str(e, keys[i], attr(l, keys[i]));
    et__jput_str(e, "prompt_id", et__jstr(l, "prompt_id"));
    return e;
}

/* The agent the hook bound execution id to, else the one its result
 * named; *out caller-owned, NULL when none. */
static int agent_of(struct et_trail *t, const char *id, struct json_object *doc,
                    char **out, struct et_error *err)
{
    char key[ET_TEL_KEY_MAX];
    struct json_object *xs = NULL;
    const char *a;
    int rc;

    *out = NULL;
    snprintf(key, sizeof(key), "claude:exec:%s", id);
    rc = meta_json(t, key, &xs, err);
    if (rc)
        return rc;
    a = et__jstr(xs, "agent");
    if (!a || !*a)
        a = et__jstr(et__jget(doc, "output"), "agent_id");
    if (a && *a) {
        *out = et__strdup(a);
        if (!*out)
            rc = oom(err);
    }
    json_object_put(xs);
    return rc;
}

static int fold_usage(struct et_trail *t, const char *id, const char *skey,
                      struct json_object *doc, struct et_error *err)
{
    static const char *const names[] = {"claude_code.api_request",
                                        "claude_code.api_error", NULL};
    struct json_object *items = NULL, *keys = NULL, *map = NULL;
    struct json_object *tot = NULL, *models = NULL, *errs = NULL;
    struct json_object *meta = et__jget(doc, "agent_metadata");
    struct json_object *exec = et__jget(doc, "execution");
    char key[ET_TEL_KEY_MAX], *agent = NULL;
    int rc = agent_of(t, id, doc, &agent, err);

    if (rc || !agent)
        return rc;
    rc = et__tel_usage_key(key, skey, agent, err);
    et__free(agent);
    if (!rc)
        rc = indexed(t, key, &items, err);
    if (rc)
        return rc == ET_EINPUT ? ET_OK : rc;
    tot = et__jnew_object();
    models = et__jnew_object();
    errs = et__jnew_array();
    if (!tot || !models || !errs || unique_logs(items, names, &keys, &map)) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < json_object_array_length(keys); i++) {
        struct json_object *l = et__jget(
            map, json_object_get_string(json_object_array_get_idx(keys, i)));

        if (!strcmp(et__jstr(l, "event"), "claude_code.api_request"))
            add_request(tot, models, l);
        else
            et__jappend(errs, api_error_of(l));
    }
    if (json_object_object_length(models) &&
        json_object_is_type(meta, json_type_object)) {
        et__jadd(tot, "models", models);
        models = NULL;
        et__jadd(meta, "telemetry_usage", tot);
        tot = NULL;
    }
    if (json_object_array_length(errs) &&
        json_object_is_type(exec, json_type_object)) {
        et__jadd(exec, "api_errors", errs);
        errs = NULL;
    }
out:
    json_object_put(items);
    json_object_put(keys);
    json_object_put(map);
    json_object_put(tot);
    json_object_put(models);
    json_object_put(errs);
    return rc;
}

int et__tel_fold(struct et_trail *t, const char *id, struct json_object *doc,
                 struct json_object *acts, struct et_error *err)
{
    const char *session = et__jstr(doc, "session_id");
    char skey[ET_KEYED_ID_HEX + 1];
    int rc = ET_OK;

    if (!session ||
        strcmp(et__jstr(doc, "source") ? et__jstr(doc, "source") : "",
               "claude-code") != 0)
        return ET_OK; /* only the hooks' executions have the index */
    if (et__trail_security(t, false, NULL))
        return ET_OK; /* no key: nothing can be looked up */
    et__keyed_id(t, session, skey);
    for (size_t i = 0;
         !rc && acts && json_object_is_type(acts, json_type_array) &&
         i < json_object_array_length(acts);
         i++) {
        struct json_object *a = json_object_array_get_idx(acts, i);
        char ak[ET_KEYED_ID_HEX + 1];
        const char *as = et__jstr(a, "session_id");

        if (as && strcmp(as, session) != 0)
            et__keyed_id(t, as, ak);
        rc = fold_action(t, as && strcmp(as, session) != 0 ? ak : skey, a, err);
    }
    if (!rc)
        rc = fold_usage(t, id, skey, doc, err);
    return rc;
}
