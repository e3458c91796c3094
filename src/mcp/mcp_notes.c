/* SPDX-License-Identifier: MIT */
/*
 * Notes over MCP (docs/NOTES.md, docs/MCP.md): the execution_note and
 * execution_score tools, and the graphiti-memory side of notes: a
 * free-form episode (add_memory with source "text" or "message", or a
 * "json" body that is not an execution) is stored as a ledger note with its
 * group_id, name, source, source_description and uuid, and found again as
 * facts, nodes and episodes of its group. delete_episode is refused: the
 * ledger is append-only.
 */
#define _POSIX_C_SOURCE 200809L
#include "mcp/mcp_tools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exectrail/exectrail.h"

static int oom(struct et_error *err)
{
    return et_error_set(err, ET_ENOMEM, "out of memory");
}

/*
 * The library names the field first ("text: must not be empty"); say the
 * argument instead: "argument 'episode_body': must not be empty".
 */
static int rename_field(int rc, struct et_error *err, const char *const *map)
{
    char msg[sizeof(err->msg)];

    if (rc == ET_ENOTFOUND)
        return et_error_prefix(err, "argument 'execution_id'");
    if (rc != ET_EINPUT && rc != ET_EEXIST)
        return rc;
    for (; *map; map += 2) {
        size_t n = strlen(map[0]);

        if (!strncmp(err->msg, map[0], n) &&
            (err->msg[n] == ':' || err->msg[n] == '[')) {
            snprintf(msg, sizeof(msg), "argument '%s'%s", map[1], err->msg + n);
            snprintf(err->msg, sizeof(err->msg), "%s", msg);
            break;
        }
    }
    return rc;
}

static void when(int64_t ns, char out[40])
{
    time_t sec = (time_t)(ns / 1000000000);
    struct tm tm;

    gmtime_r(&sec, &tm);
    strftime(out, 40, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* args[key], an array of strings, as tags (borrowed from args). */
static int tags_of(struct json_object *args, const char *key,
                   const char ***tags, size_t *n, struct et_error *err)
{
    struct json_object *v;
    size_t len;

    *tags = NULL;
    *n = 0;
    if (!json_object_object_get_ex(args, key, &v) || !v)
        return ET_OK;
    if (!json_object_is_type(v, json_type_array))
        return et_error_set(err, ET_EINPUT,
                            "argument '%s' must be an array of strings", key);
    len = json_object_array_length(v);
    *tags = calloc(len ? len : 1, sizeof(**tags));
    if (!*tags)
        return oom(err);
    for (size_t i = 0; i < len; i++) {
        struct json_object *s = json_object_array_get_idx(v, i);

        if (!json_object_is_type(s, json_type_string)) {
            free(*tags);
            *tags = NULL;
            return et_error_set(err, ET_EINPUT,
                                "argument '%s[%zu]' must be a string", key, i);
        }
        (*tags)[i] = json_object_get_string(s);
    }
    *n = len;
    return ET_OK;
}

/* graphiti's group_ids (a string or a list) or group_id; none: any. */
int et__mcp_note_groups(struct json_object *args, const char ***groups,
                        size_t *n, struct et_error *err)
{
    struct json_object *v = NULL;
    int rc;

    *groups = NULL;
    *n = 0;
    if ((json_object_object_get_ex(args, "group_ids", &v) && v &&
         json_object_is_type(v, json_type_array)))
        return tags_of(args, "group_ids", groups, n, err);
    if (v && json_object_is_type(v, json_type_string)) {
        *groups = calloc(1, sizeof(**groups));
        if (!*groups)
            return oom(err);
        (*groups)[0] = json_object_get_string(v);
        *n = 1;
        return ET_OK;
    }
    if (v)
        return et_error_set(err, ET_EINPUT,
                            "argument 'group_ids' must be a string or an "
                            "array of strings");
    rc = ET_OK;
    if (json_object_object_get_ex(args, "group_id", &v) && v) {
        const char *g = NULL;

        rc = et__mcp_arg_str(args, "group_id", false, &g, err);
        if (rc == ET_OK && g) {
            *groups = calloc(1, sizeof(**groups));
            if (!*groups)
                return oom(err);
            (*groups)[0] = g;
            *n = 1;
        }
    }
    return rc;
}

/* ---- graphiti: a free-form episode becomes a note ---- */

int et__mcp_note_episode(struct et_mcp *m, struct json_object *args,
                         const char *name, const char *body, const char *source,
                         const char *group, struct json_object **res,
                         struct et_error *err)
{
    static const char *const map[] = {"text",
                                      "episode_body",
                                      "group_id",
                                      "group_id",
                                      "name",
                                      "name",
                                      "source",
                                      "source",
                                      "uuid",
                                      "uuid",
                                      "source_description",
                                      "source_description",
                                      NULL};
    struct et_note n;
    struct json_object *parsed, *inner;
    char uuid[ET_NOTE_FIELD_MAX], msg[400];
    int rc;

    memset(&n, 0, sizeof(n));
    n.text = body;
    n.name = name;
    n.group_id = group;
    n.source = source ? source : "text";
    rc = et__mcp_arg_str(args, "source_description", false,
                         &n.source_description, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "uuid", false, &n.uuid, err);
    if (rc != ET_OK)
        return rc;
    if (!strcmp(n.source, "json")) {
        parsed = json_tokener_parse(body);
        if (!parsed)
            return et_error_set(err, ET_EINPUT,
                                "argument 'episode_body' is not JSON, and "
                                "source is \"json\"");
        json_object_put(parsed);
    }
    rc = et_trail_note(m->t, &n, uuid, err);
    if (rc != ET_OK)
        return rename_field(rc, err, map);
    snprintf(msg, sizeof(msg),
             "Episode '%.80s' stored as note %.100s in group '%.60s'", name,
             uuid, group);
    inner = et__jnew_object();
    if (!et__mcp_put_str(inner, "message", msg) ||
        !et__mcp_put_str(inner, "uuid", uuid))
        goto nomem;
    *res = et__jnew_object();
    if (!et__mcp_put(*res, "result", inner)) {
        json_object_put(*res);
        *res = NULL;
        return oom(err);
    }
    return ET_OK;
nomem:
    json_object_put(inner);
    return oom(err);
}

/* ---- graphiti: notes as facts, nodes and episodes ---- */

struct collect {
    struct json_object *arr;
    int shape; /* 0 fact, 1 node, 2 episode */
    bool oom;
};

static struct json_object *fact_of(const struct et_note_info *n, const char *at)
{
    struct json_object *o = et__jnew_object(), *eps = et__jnew_array();

    if (!et__mcp_put(o, "episodes", eps) ||
        et__jappend(eps, et__jnew_string(n->uuid)) ||
        !et__mcp_put_str(o, "uuid", n->uuid) ||
        !et__mcp_put_str(o, "group_id", n->group_id) ||
        !et__mcp_put_str(o, "source_node_uuid", n->uuid) ||
        !et__mcp_put_str(o, "target_node_uuid", n->execution_id) ||
        !et__mcp_put_str(o, "created_at", at) ||
        !et__mcp_put_str(o, "name", n->name ? n->name : "note") ||
        !et__mcp_put_str(o, "fact", n->text) ||
        !et__mcp_put(o, "expired_at", NULL) ||
        !et__mcp_put_str(o, "valid_at", at) ||
        !et__mcp_put(o, "invalid_at", NULL) ||
        !et__mcp_put(o, "attributes", et__jnew_object()) ||
        !et__mcp_put_str(o, "execution_id", n->execution_id)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static struct json_object *node_of(const struct et_note_info *n, const char *at)
{
    struct json_object *o = et__jnew_object(), *l = et__jnew_array();

    if (!et__mcp_put(o, "labels", l) ||
        et__jappend(l, et__jnew_string("Episode")) ||
        !et__mcp_put_str(o, "uuid", n->uuid) ||
        !et__mcp_put_str(o, "name", n->name ? n->name : n->uuid) ||
        !et__mcp_put_str(o, "created_at", at) ||
        !et__mcp_put_str(o, "summary", n->snippet ? n->snippet : n->text) ||
        !et__mcp_put_str(o, "group_id", n->group_id) ||
        !et__mcp_put(o, "attributes", et__jnew_object())) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static struct json_object *episode_of(const struct et_note_info *n,
                                      const char *at)
{
    struct json_object *o = et__jnew_object();

    if (!et__mcp_put_str(o, "uuid", n->uuid) ||
        !et__mcp_put_str(o, "name", n->name ? n->name : n->uuid) ||
        !et__mcp_put_str(o, "content", n->text) ||
        !et__mcp_put_str(o, "created_at", at) ||
        !et__mcp_put_str(o, "source", n->source) ||
        !et__mcp_put_str(o, "source_description",
                         n->source_description ? n->source_description : "") ||
        !et__mcp_put_str(o, "group_id", n->group_id)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static int on_note(void *ctx, const struct et_note_info *n)
{
    struct collect *c = ctx;
    struct json_object *o;
    char at[40];

    when(n->ts_ns, at);
    o = c->shape == 0   ? fact_of(n, at)
        : c->shape == 1 ? node_of(n, at)
                        : episode_of(n, at);
    if (!o || et__jappend(c->arr, o)) {
        json_object_put(o);
        c->oom = true;
        return 1;
    }
    return 0;
}

/*
 * Append to arr (shape: 0 facts, 1 nodes, 2 episodes) the notes of the
 * groups in args (none: every group) matching words (NULL: all, newest
 * first), at most max. Text notes only; a query with no searchable word
 * finds no note.
 */
int et__mcp_note_list(struct et_mcp *m, struct json_object *args,
                      const char *words, const char *uuid, int shape,
                      size_t max, struct json_object *arr, struct et_error *err)
{
    struct et_note_query q;
    struct collect c = {arr, shape, false};
    const char **groups = NULL;
    size_t n = 0;
    int rc = et__mcp_note_groups(args, &groups, &n, err);

    if (rc != ET_OK)
        return rc;
    memset(&q, 0, sizeof(q));
    q.groups = groups;
    q.n_groups = n;
    q.kind = ET_NOTE_TEXT;
    q.words = words;
    q.uuid = uuid;
    q.limit = max;
    rc = max ? et_trail_notes(m->t, &q, on_note, &c, err) : ET_OK;
    free(groups);
    if (rc == ET_EINPUT && words) {
        rc = ET_OK; /* no searchable word: no note */
        err->code = 0;
        err->msg[0] = '\0';
    }
    if (rc == ET_OK && c.oom)
        rc = oom(err);
    return rc;
}

/* ---- delete_episode: refused ---- */

static int found(void *ctx, const struct et_note_info *n)
{
    (void)n;
    *(bool *)ctx = true;
    return 1;
}

int et__mcp_note_delete(struct et_mcp *m, struct json_object *args,
                        struct json_object **res, struct et_error *err)
{
    struct et_note_query q;
    const char *uuid;
    bool is_note = false;
    int rc = et__mcp_arg_str(args, "uuid", true, &uuid, err);

    (void)res;
    if (rc != ET_OK)
        return rc;
    memset(&q, 0, sizeof(q));
    q.uuid = uuid;
    q.limit = 1;
    rc = et_trail_notes(m->t, &q, found, &is_note, err);
    if (rc != ET_OK && rc != 1)
        return rc;
    if (is_note)
        return et_error_set(err, ET_ESTATE,
                            "refused: episode '%.100s' is a ledger note; the "
                            "trail is append-only and tamper-evident, so it "
                            "is kept (add a note that corrects it; retention "
                            "policies erase by rule: exectrail retention)",
                            uuid);
    return et_error_set(err, ET_ESTATE,
                        "refused: the trail is append-only and "
                        "tamper-evident; nothing is deleted through MCP "
                        "('%.100s' is not a stored note; retention policies "
                        "erase by rule: exectrail retention)",
                        uuid);
}

/* ---- execution_note, execution_score ---- */

static int t_note(struct et_mcp *m, struct json_object *args,
                  struct json_object **res, struct et_error *err)
{
    static const char *const map[] = {"text", "text", "tags", "tags", NULL};
    struct et_note n;
    const char **tags = NULL;
    char uuid[ET_NOTE_FIELD_MAX];
    int rc;

    memset(&n, 0, sizeof(n));
    rc = et__mcp_arg_str(args, "execution_id", false, &n.execution_id, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "text", true, &n.text, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "author", false, &n.author, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "group_id", false, &n.group_id, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "name", false, &n.name, err);
    if (rc == ET_OK)
        rc = tags_of(args, "tags", &tags, &n.n_tags, err);
    if (rc != ET_OK)
        return rc;
    n.tags = tags;
    n.source = "mcp";
    rc = et_trail_note(m->t, &n, uuid, err);
    free(tags);
    if (rc != ET_OK)
        return rename_field(rc, err, map);
    *res = et__jnew_object();
    if (!et__mcp_put_str(*res, "uuid", uuid) ||
        !et__mcp_put_str(*res, "execution_id", n.execution_id)) {
        json_object_put(*res);
        *res = NULL;
        return oom(err);
    }
    return ET_OK;
}

static int t_score(struct et_mcp *m, struct json_object *args,
                   struct json_object **res, struct et_error *err)
{
    static const char *const map[] = {"score",  "score",  "reason", "reason",
                                      "scorer", "scorer", NULL};
    struct et_score s;
    struct json_object *v = NULL;
    char uuid[ET_NOTE_FIELD_MAX];
    int rc;

    memset(&s, 0, sizeof(s));
    rc = et__mcp_arg_str(args, "execution_id", true, &s.execution_id, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "reason", false, &s.reason, err);
    if (rc == ET_OK)
        rc = et__mcp_arg_str(args, "scorer", false, &s.scorer, err);
    if (rc != ET_OK)
        return rc;
    if (!json_object_object_get_ex(args, "score", &v) ||
        !(json_object_is_type(v, json_type_double) ||
          json_object_is_type(v, json_type_int)))
        return et_error_set(err, ET_EINPUT,
                            "argument 'score' (a number in [0, 1]) is "
                            "required");
    s.score = json_object_get_double(v);
    s.source = "mcp";
    rc = et_trail_score(m->t, &s, uuid, err);
    if (rc != ET_OK)
        return rename_field(rc, err, map);
    *res = et__jnew_object();
    if (!et__mcp_put_str(*res, "uuid", uuid) ||
        !et__mcp_put_str(*res, "execution_id", s.execution_id) ||
        !et__mcp_put(*res, "score", et__jnew_double(s.score))) {
        json_object_put(*res);
        *res = NULL;
        return oom(err);
    }
    return ET_OK;
}

#define S_UUID_OUT                                                      \
 "{\"type\":\"object\",\"properties\":{\"uuid\":{\"type\":\"string\"}," \
 "\"execution_id\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"uuid\"]}"

static const struct et__mcp_tool ntools[] = {
    {"execution_note", "Add a note",
     "Append a free-form note to the ledger: on an execution (execution_id) "
     "or alone. Notes are append-only, found by search_executions (the "
     "execution) and by the graphiti search tools (group_id), and shown in "
     "get_execution under feedback.notes.",
     "{\"type\":\"object\",\"properties\":{\"execution_id\":{\"type\":"
     "\"string\"},\"text\":{\"type\":\"string\"},\"author\":{\"type\":"
     "\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":"
     "\"string\"}},\"group_id\":{\"type\":\"string\"},\"name\":{\"type\":"
     "\"string\"}},\"required\":[\"text\"]}",
     S_UUID_OUT, 0, t_note},
    {"execution_score", "Score an execution",
     "A human (or reviewing agent's) score of an execution in [0, 1], the "
     "scale of the automatic quality score. The automatic quality_metrics "
     "are never changed: get_execution gives feedback.human_score (the "
     "latest) beside feedback.quality_score.",
     "{\"type\":\"object\",\"properties\":{\"execution_id\":{\"type\":"
     "\"string\"},\"score\":{\"type\":\"number\",\"minimum\":0,\"maximum\":"
     "1},\"reason\":{\"type\":\"string\"},\"scorer\":{\"type\":\"string\"}},"
     "\"required\":[\"execution_id\",\"score\"]}",
     "{\"type\":\"object\",\"properties\":{\"uuid\":{\"type\":\"string\"},"
     "\"execution_id\":{\"type\":\"string\"},\"score\":{\"type\":\"number\"}}"
     ",\"required\":[\"uuid\",\"execution_id\",\"score\"]}",
     0, t_score},
};

const struct et__mcp_tool *et__mcp_note_tools(size_t *n)
{
    *n = sizeof(ntools) / sizeof(ntools[0]);
    return ntools;
}
