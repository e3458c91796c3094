/* SPDX-License-Identifier: MIT */
/*
 * Claude Code transcripts -> the hook inputs the live hook would have seen,
 * recorded through the same mapping (claude_hook.c). The inputs are sorted
 * in phases so that correlation does not depend on the files' order or
 * timestamps: Agent PreToolUse first, then the agent <-> tool_use links,
 * then the subagents' tool calls, then everything else.
 */
#include "base/setup.h"
#include <dirent.h>
#include <limits.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "codec/json.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"
#include "exectrail/ingest.h"

enum { PH_PRE, PH_LINK, PH_MID, PH_POST, PH_COUNT };

#define TR_BATCH 1000 /* hook inputs per durable commit */

struct tr {
    struct json_object *phase[PH_COUNT]; /* arrays of hook inputs */
    struct json_object *uses;            /* tool_use id -> {name, input} */
    struct json_object *unatt;           /* agents with unattached calls */
    struct json_object *mode;            /* permissionMode of the latest
                                            prompt in the file being read */
    struct et_transcript_stats *st;
    const struct et_transcript_opts *opts;
};

static bool is_agent_tool(const char *n)
{
    return n && (!strcmp(n, "Agent") || !strcmp(n, "Task"));
}

static struct json_object *input_for(struct json_object *rec, const char *event)
{
    struct json_object *in = et__jnew_object();

    if (!in)
        return NULL;
    et__jadd(in, "session_id", json_object_get(et__jget(rec, "sessionId")));
    et__jadd(in, "hook_event_name", et__jnew_string(event));
    et__jadd(in, "timestamp", json_object_get(et__jget(rec, "timestamp")));
    et__jadd(in, "cwd", json_object_get(et__jget(rec, "cwd")));
    return in;
}

static void add(struct tr *r, int ph, struct json_object *in)
{
    if (in)
        et__jappend(r->phase[ph], in);
}

/* The model an assistant turn ran on (not Claude Code's "<synthetic>"
 * placeholder for the turns it writes itself). */
static const char *model_of(struct json_object *rec)
{
    const char *m = et__jstr(et__jget(rec, "message"), "model");

    return m && *m && strcmp(m, "<synthetic>") != 0 ? m : NULL;
}

/* The text of a user turn when it is the user's own words: a string or
 * text blocks only, not Claude Code's notes (isMeta, compaction summaries,
 * <command-name> and <task-notification> wrappers, interruptions). */
static bool user_words(struct json_object *rec, struct et_buf *out)
{
    struct json_object *c = et__jget(et__jget(rec, "message"), "content");
    struct json_object *f;
    const char *s;

    et_buf_reset(out);
    if (((f = et__jget(rec, "isMeta")) && json_object_get_boolean(f)) ||
        ((f = et__jget(rec, "isCompactSummary")) && json_object_get_boolean(f)))
        return false;
    if (c && json_object_is_type(c, json_type_string)) {
        if (et_buf_addstr(out, json_object_get_string(c)))
            return false;
    } else if (c && json_object_is_type(c, json_type_array) &&
               json_object_array_length(c)) {
        for (size_t i = 0; i < json_object_array_length(c); i++) {
            struct json_object *b = json_object_array_get_idx(c, i);
            const char *t = et__jstr(b, "text");

            if (!t || strcmp(et__jstr(b, "type") ? et__jstr(b, "type") : "",
                             "text") != 0)
                return false;
            if ((out->len && et_buf_addstr(out, "\n\n")) ||
                et_buf_addstr(out, t))
                return false;
        }
    } else {
        return false;
    }
    s = et_buf_str(out);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return *s && *s != '<' && strncmp(s, "[Request interrupted", 20) != 0;
}

/*
 * A prompt the user typed in the main session: the UserPromptSubmit the
 * live hook would have seen, so later delegations record it as
 * main_agent_context.user_request and carry its permission mode.
 */
static void on_prompt(struct tr *r, struct json_object *rec)
{
    struct et_buf text = ET_BUF_INIT;
    struct json_object *in, *mode = et__jget(rec, "permissionMode");

    if (user_words(rec, &text) && (in = input_for(rec, "UserPromptSubmit"))) {
        et__jadd(in, "prompt", et__jnew_string(et_buf_str(&text)));
        if (mode && json_object_is_type(mode, json_type_string)) {
            json_object_put(r->mode);
            r->mode = json_object_get(mode);
        }
        if (r->mode)
            et__jadd(in, "permission_mode", json_object_get(r->mode));
        add(r, PH_PRE, in);
    }
    et_buf_release(&text);
}

static void on_tool_use(struct tr *r, struct json_object *rec,
                        struct json_object *b, bool side)
{
    const char *id = et__jstr(b, "id"), *name = et__jstr(b, "name");
    struct json_object *u, *in;

    if (!id || !name)
        return;
    u = et__jnew_object();
    et__jadd(u, "name", et__jnew_string(name));
    et__jadd(u, "input", json_object_get(et__jget(b, "input")));
    if (side && model_of(rec))
        et__jadd(u, "model", et__jnew_string(model_of(rec)));
    et__jadd(r->uses, id, u);
    if (!side && !is_agent_tool(name))
        return;
    in = input_for(rec, "PreToolUse");
    if (side && et__jstr(rec, "agentId"))
        et__jadd(in, "agent_id", json_object_get(et__jget(rec, "agentId")));
    if (side && et__jget(u, "model"))
        et__jadd(in, "model", json_object_get(et__jget(u, "model")));
    else if (r->mode)
        et__jadd(in, "permission_mode", json_object_get(r->mode));
    et__jadd(in, "tool_name", et__jnew_string(name));
    et__jadd(in, "tool_input", json_object_get(et__jget(b, "input")));
    et__jadd(in, "tool_use_id", et__jnew_string(id));
    add(r, side ? PH_MID : PH_PRE, in);
}

/* The text of a tool_result's content (string or text blocks). */
static struct json_object *content_text(struct json_object *c)
{
    struct et_buf b = ET_BUF_INIT;
    struct json_object *s;

    if (c && json_object_is_type(c, json_type_string))
        return json_object_get(c);
    for (size_t i = 0; c && json_object_is_type(c, json_type_array) &&
                       i < json_object_array_length(c);
         i++) {
        const char *t = et__jstr(json_object_array_get_idx(c, i), "text");

        if (t && b.len)
            (void)!et_buf_addstr(&b, "\n\n");
        if (t)
            (void)!et_buf_addstr(&b, t);
    }
    s = et__jnew_string(b.len ? et_buf_str(&b) : "");
    et_buf_release(&b);
    return s;
}

/* An Agent result: toolUseResult completed with what the record holds. */
static struct json_object *agent_response(struct json_object *rec,
                                          struct json_object *b,
                                          const char **agent_out)
{
    struct json_object *tur = et__jget(rec, "toolUseResult");
    struct json_object *resp = et__jnew_object();

    if (tur && json_object_is_type(tur, json_type_object)) {
        json_object_object_foreach(tur, k, v)
        {
            et__jadd(resp, k, json_object_get(v));
        }
    }
    if (!et__jstr(resp, "agentId") && et__jstr(rec, "agentId"))
        et__jadd(resp, "agentId", json_object_get(et__jget(rec, "agentId")));
    if (!et__jstr(resp, "status"))
        et__jadd(resp, "status", et__jnew_string("completed"));
    if (!et__jget(resp, "content") ||
        json_object_is_type(et__jget(resp, "content"), json_type_null)) {
        struct json_object *blk = et__jnew_object();
        struct json_object *arr = et__jnew_array();

        et__jadd(blk, "type", et__jnew_string("text"));
        et__jadd(blk, "text", content_text(et__jget(b, "content")));
        et__jappend(arr, blk);
        et__jadd(resp, "content", arr);
    }
    *agent_out = et__jstr(resp, "agentId");
    return resp;
}

static void on_tool_result(struct tr *r, struct json_object *rec,
                           struct json_object *b, bool side,
                           const char *file_agent)
{
    const char *id = et__jstr(b, "tool_use_id");
    struct json_object *u = et__jget(r->uses, id ? id : "");
    struct json_object *err = et__jget(b, "is_error");
    bool failed = err && json_object_get_boolean(err);
    const char *name = et__jstr(u, "name");
    const char *agent = et__jstr(rec, "agentId");
    struct json_object *in;

    if (!id)
        return;
    if (!name) /* its tool_use is not in the transcript (cut) */
        name = "unknown";
    in = input_for(rec, failed ? "PostToolUseFailure" : "PostToolUse");
    et__jadd(in, "tool_name", et__jnew_string(name));
    et__jadd(in, "tool_input", json_object_get(et__jget(u, "input")));
    et__jadd(in, "tool_use_id", et__jnew_string(id));
    if (failed)
        et__jadd(in, "error", content_text(et__jget(b, "content")));
    if (side) {
        struct json_object *tur = et__jget(rec, "toolUseResult");

        et__jadd(in, "tool_response",
                 tur ? json_object_get(tur)
                     : content_text(et__jget(b, "content")));
        if (!agent)
            agent = file_agent;
        if (agent)
            et__jadd(in, "agent_id", et__jnew_string(agent));
        if (et__jget(u, "model"))
            et__jadd(in, "model", json_object_get(et__jget(u, "model")));
        add(r, PH_MID, in);
        return;
    }
    if (is_agent_tool(name) && !failed) {
        const char *a = NULL;
        struct json_object *resp = agent_response(rec, b, &a);

        if (a) {
            struct json_object *link = input_for(rec, "SubagentStart");

            et__jadd(link, "agent_id", et__jnew_string(a));
            et__jadd(link, "tool_use_id", et__jnew_string(id));
            add(r, PH_LINK, link);
        }
        et__jadd(in, "tool_response", resp);
    } else if (!failed) {
        struct json_object *tur = et__jget(rec, "toolUseResult");

        et__jadd(in, "tool_response",
                 tur ? json_object_get(tur)
                     : content_text(et__jget(b, "content")));
    }
    add(r, PH_POST, in);
}

static void on_record(struct tr *r, struct json_object *rec,
                      const char *file_agent);

/*
 * A subagent's turn as the main transcript shows it while the subagent runs
 * ("type":"progress", data.type "agent_progress": data.agentId, and in
 * data.message the subagent's own record): read like a line of its
 * agent-<id>.jsonl, so its tool calls become actions even when that file is
 * absent; the record's parentToolUseID links the agent to its Agent call.
 * When the file is there too, the hook mapping records each tool call once
 * (its tool_use_id is seen twice).
 */
static void on_progress(struct tr *r, struct json_object *rec)
{
    struct json_object *data = et__jget(rec, "data");
    struct json_object *m = et__jget(data, "message"), *sub;
    const char *agent = et__jstr(data, "agentId");
    const char *parent = et__jstr(rec, "parentToolUseID");

    if (!agent || strcmp(et__jstr(data, "type") ? et__jstr(data, "type") : "",
                         "agent_progress") != 0)
        return;
    if (parent && et__jstr(rec, "sessionId")) {
        struct json_object *link = input_for(rec, "SubagentStart");

        if (link) {
            et__jadd(link, "agent_id", et__jnew_string(agent));
            et__jadd(link, "tool_use_id", et__jnew_string(parent));
            add(r, PH_LINK, link);
        }
    }
    if (!m || !json_object_is_type(m, json_type_object) ||
        !et__jget(m, "message"))
        return;
    sub = et__jnew_object();
    if (!sub)
        return;
    json_object_object_foreach(m, k, v)
    {
        et__jadd(sub, k, json_object_get(v));
    }
    if (!et__jstr(sub, "sessionId"))
        et__jadd(sub, "sessionId", json_object_get(et__jget(rec, "sessionId")));
    if (!et__jstr(sub, "timestamp"))
        et__jadd(sub, "timestamp", json_object_get(et__jget(rec, "timestamp")));
    if (!et__jstr(sub, "cwd"))
        et__jadd(sub, "cwd", json_object_get(et__jget(rec, "cwd")));
    et__jadd(sub, "agentId", et__jnew_string(agent));
    on_record(r, sub, agent);
    json_object_put(sub);
}

static void on_record(struct tr *r, struct json_object *rec,
                      const char *file_agent)
{
    const char *type = et__jstr(rec, "type");
    struct json_object *msg = et__jget(rec, "message");
    struct json_object *c = et__jget(msg, "content");
    struct json_object *sc = et__jget(rec, "isSidechain");
    bool side = file_agent || (sc && json_object_get_boolean(sc));

    if (type && !strcmp(type, "progress")) {
        on_progress(r, rec);
        return;
    }
    if (!type || !et__jstr(rec, "sessionId"))
        return;
    if (!side && !strcmp(type, "user"))
        on_prompt(r, rec);
    if (!c || !json_object_is_type(c, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(c); i++) {
        struct json_object *b = json_object_array_get_idx(c, i);
        const char *bt = et__jstr(b, "type");

        if (!bt)
            continue;
        if (!strcmp(type, "assistant") && !strcmp(bt, "tool_use"))
            on_tool_use(r, rec, b, side);
        else if (!strcmp(type, "user") && !strcmp(bt, "tool_result"))
            on_tool_result(r, rec, b, side, file_agent);
    }
}

/* agent-<id>.jsonl: <id>, and its .meta.json link, if any. */
static void subagent_file(struct tr *r, const char *path, char id[128])
{
    const char *base = strrchr(path, '/');
    char meta[PATH_MAX];
    size_t n;
    FILE *f;

    id[0] = '\0';
    base = base ? base + 1 : path;
    n = strlen(base);
    if (strncmp(base, "agent-", 6) != 0 || n < 12 || n - 12 >= 128)
        return;
    memcpy(id, base + 6, n - 12);
    id[n - 12] = '\0';
    if (snprintf(meta, sizeof(meta), "%.*s.meta.json", (int)(strlen(path) - 6),
                 path) >= (int)sizeof(meta))
        return;
    f = fopen(meta, "rb");
    if (f) {
        char buf[65536];
        size_t len = fread(buf, 1, sizeof(buf), f);
        struct json_object *m = NULL;

        fclose(f);
        if (et_json_parse(buf, len, NULL, &m, NULL) == ET_OK &&
            et__jstr(m, "toolUseId")) {
            /* session and time come from the file's first record later */
            struct json_object *link = et__jnew_object();

            et__jadd(link, "hook_event_name", et__jnew_string("SubagentStart"));
            et__jadd(link, "agent_id", et__jnew_string(id));
            et__jadd(link, "agent_type",
                     json_object_get(et__jget(m, "agentType")));
            et__jadd(link, "tool_use_id",
                     json_object_get(et__jget(m, "toolUseId")));
            add(r, PH_LINK, link);
        }
        json_object_put(m);
    }
}

static int read_file(struct tr *r, const char *path, struct et_error *err)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL, id[128];
    size_t cap = 0, links = json_object_array_length(r->phase[PH_LINK]);
    ssize_t n;
    bool first = true;

    if (!f)
        return et_error_sys(err, ET_EIO, errno, "cannot open %s", path);
    r->st->files++;
    json_object_put(r->mode); /* a file's prompts set its modes */
    r->mode = NULL;
    subagent_file(r, path, id);
    while ((n = getline(&line, &cap, f)) > 0) {
        struct json_object *rec = NULL;

        r->st->lines++;
        r->st->bytes += (uint64_t)n;
        if (n == 1 && line[0] == '\n')
            continue;
        if (et_json_parse(line, (size_t)n, NULL, &rec, NULL) != ET_OK ||
            !json_object_is_type(rec, json_type_object)) {
            r->st->rejected++;
            json_object_put(rec);
            continue;
        }
        if (first && et__jstr(rec, "sessionId")) {
            /* complete the meta link with the subagent's session */
            for (size_t i = links;
                 i < json_object_array_length(r->phase[PH_LINK]); i++) {
                struct json_object *l =
                    json_object_array_get_idx(r->phase[PH_LINK], i);

                et__jadd(l, "session_id",
                         json_object_get(et__jget(rec, "sessionId")));
                et__jadd(l, "timestamp",
                         json_object_get(et__jget(rec, "timestamp")));
            }
            first = false;
        }
        on_record(r, rec, id[0] ? id : NULL);
        json_object_put(rec);
    }
    free(line);
    fclose(f);
    if (r->opts && r->opts->on_progress)
        r->opts->on_progress(r->opts->ctx, r->st, 0, 0);
    return ET_OK;
}

/* A subagent tool call no delegation was found for: counted, with its
 * agent, for the warning the import prints. */
static void unattached(struct tr *r, const char *agent)
{
    r->st->unattached++;
    if (agent && r->unatt &&
        !json_object_object_get_ex(r->unatt, agent, NULL) &&
        !et__jadd(r->unatt, agent, NULL))
        r->st->unattached_agents++;
}

static bool ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);

    return a >= b && !strcmp(s + a - b, suf);
}

static int walk(struct tr *r, const char *path, int depth, struct et_error *err)
{
    struct stat sb;
    DIR *d;
    struct dirent *de;
    int rc = ET_OK;

    if (stat(path, &sb) != 0)
        return et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    if (!S_ISDIR(sb.st_mode))
        return read_file(r, path, err);
    if (depth > 16)
        return ET_OK;
    d = opendir(path);
    if (!d)
        return et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    /* files before subdirectories: a session before its subagents */
    for (int pass = 0; !rc && pass < 2; pass++) {
        rewinddir(d);
        while (!rc && (de = readdir(d)) != NULL) {
            char p[PATH_MAX];
            struct stat cs;

            if (de->d_name[0] == '.' ||
                snprintf(p, sizeof(p), "%s/%s", path, de->d_name) >=
                    (int)sizeof(p) ||
                stat(p, &cs) != 0)
                continue;
            if (pass == 0 && S_ISREG(cs.st_mode) && ends_with(p, ".jsonl"))
                rc = read_file(r, p, err);
            else if (pass == 1 && S_ISDIR(cs.st_mode))
                rc = walk(r, p, depth + 1, err);
        }
    }
    closedir(d);
    return rc;
}

int et_ingest_claude_transcripts(struct et_trail *t, const char *const *paths,
                                 size_t n_paths,
                                 const struct et_transcript_opts *opts,
                                 struct et_transcript_stats *st,
                                 struct et_error *err)
{
    struct et_transcript_stats dummy;
    struct tr r;
    size_t total = 0, in_batch = 0;
    uint64_t done = 0;
    int rc = ET_OK;

    if (!st)
        st = &dummy;
    memset(st, 0, sizeof(*st));
    memset(&r, 0, sizeof(r));
    r.st = st;
    r.opts = opts;
    r.uses = et__jnew_object();
    r.unatt = et__jnew_object();
    for (int i = 0; i < PH_COUNT; i++)
        r.phase[i] = et__jnew_array();
    for (size_t i = 0; !rc && i < n_paths; i++)
        rc = walk(&r, paths[i], 0, err);
    for (int ph = 0; ph < PH_COUNT; ph++)
        total += json_object_array_length(r.phase[ph]);
    /* one durable commit per TR_BATCH inputs, each input its own unit */
    if (!rc && total)
        rc = et__batch_begin(t, err);
    for (int ph = 0; !rc && ph < PH_COUNT; ph++) {
        for (size_t i = 0; !rc && i < json_object_array_length(r.phase[ph]);
             i++) {
            struct json_object *in = json_object_array_get_idx(r.phase[ph], i);
            const char *text;
            struct et_hook_result res;
            struct et_error why;
            int x;

            if (!et__jstr(in, "session_id"))
                continue;
            text = json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN);
            st->inputs++;
            x = et_ingest_claude_hook(t, text, strlen(text), ET_HOOK_INPUT_TIME,
                                      &res, &why);
            if (x == ET_EINPUT || x == ET_ETOOBIG)
                st->rejected++;
            else if (x)
                rc = et_error_set(err, x, "%s", why.msg);
            else
                st->events += res.n_events;
            if (!x && res.is_unattached &&
                strncmp(et__jstr(in, "hook_event_name"), "Pre", 3) != 0)
                unattached(&r, et__jstr(in, "agent_id"));
            if (!rc && ++in_batch >= TR_BATCH) {
                rc = et__batch_commit(t, err);
                in_batch = 0;
                if (!rc)
                    rc = et__batch_begin(t, err);
            }
            if (opts && opts->on_progress)
                opts->on_progress(opts->ctx, st, ++done, (uint64_t)total);
        }
    }
    if (t->in_batch) {
        if (rc)
            et__batch_abort(t);
        else
            rc = et__batch_commit(t, err);
    }
    json_object_put(r.uses);
    json_object_put(r.unatt);
    json_object_put(r.mode);
    for (int i = 0; i < PH_COUNT; i++)
        json_object_put(r.phase[i]);
    return rc;
}
