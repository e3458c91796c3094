/* SPDX-License-Identifier: MIT */
/*
 * The fields a query can name: every path of the spec record (DESIGN.md
 * section 3), the members of an action, a few pseudo fields (since:, until:,
 * state, action counts) and the extension objects usage/security/retention,
 * whose members are typed by the value compared with them.
 */
#include "base/setup.h"
#include "query/query_int.h"

#include <strings.h>

/* Identical values to enum et_list_kind in store/store.h. */
#define LIST_FILES    0
#define LIST_COMMANDS 1
#define LIST_API      2

static const char *const verify_values[] = {"MATCH", "PARTIAL", "MISMATCH",
                                            "ERROR", NULL};
static const char *const level_values[] = {"LOW", "MEDIUM", "HIGH", NULL};
static const char *const issue_values[] = {"ERROR", "WARNING", "INFO", NULL};

#define OPEN_PREFIX (1u << 12) /* object whose members are not listed */
#define S           ET_QF_SORTABLE

/* clang-format off */
#define OBJ(p, flags, d)       {p, ET_QT_OBJECT, ET_QP_NONE, 0, NULL, flags, d}
#define EX(p, type, flags, d)  {p, type, ET_QP_EXEC, 0, NULL, flags, d}
#define EN(p, vals, flags, d)  {p, ET_QT_ENUM, ET_QP_EXEC, 0, vals, flags, d}
#define JL(p, d)               {p, ET_QT_LIST, ET_QP_JSON_LIST, 0, NULL, 0, d}
#define XL(p, kind, d)         {p, ET_QT_LIST, ET_QP_EXEC_LIST, kind, NULL, 0, d}
#define IS(p, type, vals, d)   {p, type, ET_QP_ISSUE, 0, vals, 0, d}
#define AC(p, type, flags, d)  {p, type, ET_QP_ACTION, 0, NULL, flags, d}
/* clang-format on */

const struct et_qfield et__qfields[] = {
    EX("execution_id", ET_QT_KEYWORD, S, "the execution's UUID"),
    EX("session_id", ET_QT_KEYWORD, S, "the main agent's session"),
    EX("timestamp_start", ET_QT_TIME, S, "when the execution started"),
    EX("timestamp_end", ET_QT_TIME, S, "when it ended"),
    EX("duration_ms", ET_QT_INT, S | ET_QF_UNITS, "milliseconds (5m, 2h ok)"),
    OBJ("main_agent_context", 0, "why the main agent delegated"),
    EX("main_agent_context.user_request", ET_QT_TEXT, 0, "the user's request"),
    EX("main_agent_context.main_agent_reasoning", ET_QT_TEXT, 0,
       "why this agent"),
    EX("main_agent_context.expected_outcome", ET_QT_TEXT, 0,
       "what success looks like"),
    EX("main_agent_context.risk_assessment", ET_QT_TEXT, 0,
       "potential failure modes"),
    OBJ("agent_metadata", 0, "the subagent"),
    EX("agent_metadata.name", ET_QT_KEYWORD, S, "the subagent's name"),
    EX("agent_metadata.version", ET_QT_KEYWORD, S, "its version"),
    JL("agent_metadata.tools_available", "tools it may use"),
    EX("agent_metadata.configuration", ET_QT_TEXT, 0, "its configuration"),
    OBJ("delegation", 0, "what was sent to the subagent"),
    EX("delegation.prompt_sent", ET_QT_TEXT, 0, "the exact prompt"),
    EX("delegation.prompt_length", ET_QT_INT, S, "its length"),
    EX("delegation.context_provided", ET_QT_TEXT, 0, "background given"),
    EX("delegation.instructions", ET_QT_TEXT, 0, "task directives"),
    OBJ("execution", 0, "what the subagent did (actions: use action(...))"),
    EX("execution.real_time_status", ET_QT_TEXT, 0, "monitoring updates"),
    EX("execution.resource_usage", ET_QT_TEXT, 0, "cpu/memory metrics"),
    OBJ("output", 0, "what the subagent produced"),
    EX("output.raw_response", ET_QT_TEXT, 0, "the complete response"),
    EX("output.structured_data", ET_QT_TEXT, 0, "parsed response data"),
    XL("output.files_modified", LIST_FILES, "paths changed"),
    XL("output.commands_executed", LIST_COMMANDS, "commands run"),
    XL("output.api_calls_made", LIST_API, "external API calls"),
    OBJ("verification", 0, "the verdict"),
    EN("verification.status", verify_values, S,
       "MATCH, PARTIAL, MISMATCH or ERROR"),
    EX("verification.expected_vs_actual", ET_QT_TEXT, 0, "comparison"),
    JL("verification.success_criteria_met", "criteria that passed"),
    JL("verification.success_criteria_failed", "criteria that failed"),
    EX("verification.confidence_score", ET_QT_NUM, S, "0 to 1"),
    EX("verification.manual_verification_required", ET_QT_BOOL, 0,
       "true or false"),
    OBJ("quality_metrics", 0, "quality assessment"),
    EN("quality_metrics.completeness", level_values, S | ET_QF_ORDERED,
       "LOW < MEDIUM < HIGH"),
    EN("quality_metrics.accuracy", level_values, S | ET_QF_ORDERED,
       "LOW < MEDIUM < HIGH"),
    EN("quality_metrics.efficiency", level_values, S | ET_QF_ORDERED,
       "LOW < MEDIUM < HIGH"),
    EX("quality_metrics.adherence_to_standards", ET_QT_TEXT, 0, "compliance"),
    OBJ("issues", 0, "problems found (a predicate holds for some issue)"),
    IS("issues.type", ET_QT_ENUM, issue_values, "ERROR, WARNING or INFO"),
    IS("issues.description", ET_QT_TEXT, NULL, "what went wrong"),
    IS("issues.impact", ET_QT_TEXT, NULL, "effect on the outcome"),
    IS("issues.resolution", ET_QT_TEXT, NULL, "how it was handled"),
    IS("issues.prevention", ET_QT_TEXT, NULL, "how to avoid it"),
    OBJ("learning", 0, "what was learned"),
    JL("learning.insights_gained", "insights"),
    JL("learning.process_improvements", "suggested optimisations"),
    EX("learning.agent_performance", ET_QT_TEXT, 0, "assessment"),
    EX("learning.recommendation_for_future", ET_QT_TEXT, 0, "guidance"),
    /* extensions (DESIGN.md section 3) */
    EX("parent_execution_id", ET_QT_KEYWORD, S, "the delegating execution"),
    OBJ("usage", OPEN_PREFIX, "tokens and cost (any member)"),
    OBJ("security", OPEN_PREFIX, "security classification (any member)"),
    {"security.relevant", ET_QT_BOOL, ET_QP_SECURITY, 0, NULL, 0,
     "true when it touched sensitive paths, credentials or listed APIs"},
    {"security.reason", ET_QT_LIST, ET_QP_SEC_REASON, 0, NULL, 0,
     "why: path:..., credential:<kind>, api:<name>"},
    OBJ("credential", 0, "credentials used (redacted, docs/SECURITY.md)"),
    {"credential.kind", ET_QT_KEYWORD, ET_QP_CRED, 0, NULL, 0,
     "the redaction kind (aws_access_key_id, github_token, ...)"},
    {"credential.fingerprint", ET_QT_KEYWORD, ET_QP_CRED, 0, NULL, 0,
     "keyed fingerprint (exectrail creds find computes it)"},
    OBJ("retention", OPEN_PREFIX, "retention class and hold (any member)"),
    /* pseudo fields */
    EX("state", ET_QT_KEYWORD, S,
       "started, delegated, running, responded or completed"),
    EX("n_actions", ET_QT_INT, S, "number of actions"),
    EX("n_failed_actions", ET_QT_INT, S, "number of failed actions"),
    {"since", ET_QT_TIME, ET_QP_NONE, 0, NULL, ET_QF_SINCE,
     "since:7d = timestamp_start >= 7 days ago"},
    {"until", ET_QT_TIME, ET_QP_NONE, 0, NULL, ET_QF_UNTIL,
     "until:2025-01-17 = timestamp_start up to the end of that day"},
};
const size_t et__n_qfields = ET_ARRAY_SIZE(et__qfields);

const struct et_qfield et__qaction_fields[] = {
    AC("sequence", ET_QT_INT, S, "position in the execution"),
    AC("tool", ET_QT_KEYWORD, S, "tool name (Bash, Read, ...)"),
    AC("action", ET_QT_TEXT, 0, "what it did"),
    AC("input", ET_QT_TEXT, 0, "tool input"),
    AC("output", ET_QT_TEXT, 0, "tool output"),
    AC("timestamp", ET_QT_TIME, S, "when"),
    AC("success", ET_QT_BOOL, 0, "true or false"),
    AC("error", ET_QT_TEXT, 0, "error message"),
};
const size_t et__n_qaction_fields = ET_ARRAY_SIZE(et__qaction_fields);

/* Members of usage/security/retention: typed by the value given. */
static const struct et_qfield dynamic_field = {
    "(extension)", ET_QT_DYNAMIC, ET_QP_EXEC, 0, NULL, S, "extension member"};

static const struct {
    const char *alias;
    const char *path;
} aliases[] = {
    {"agent", "agent_metadata.name"},
};

static bool name_is(const char *s, const char *name, size_t len)
{
    return strlen(s) == len && strncasecmp(s, name, len) == 0;
}

static const struct et_qfield *find(const struct et_qfield *tab, size_t n,
                                    const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (name_is(tab[i].path, name, len))
            return &tab[i];
    }
    return NULL;
}

static const char *last_segment(const char *path)
{
    const char *dot = strrchr(path, '.');

    return dot ? dot + 1 : path;
}

static bool is_ident(const char *s, size_t len)
{
    if (len == 0 || len > 64)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* "$.usage.input_tokens" for an open prefix and a checked member path. */
static const char *dynamic_path(struct et_query *q, const char *prefix,
                                const char *rest, size_t rest_len)
{
    size_t plen = strlen(prefix);
    char *p;
    size_t seg = 0;

    for (size_t i = 0; i <= rest_len; i++) {
        if (i == rest_len || rest[i] == '.') {
            if (!is_ident(rest + seg, i - seg))
                return NULL;
            seg = i + 1;
        }
    }
    p = et__qalloc(q, plen + rest_len + 4);
    if (!p)
        return NULL;
    memcpy(p, "$.", 2);
    memcpy(p + 2, prefix, plen);
    p[2 + plen] = '.';
    memcpy(p + 3 + plen, rest, rest_len);
    p[3 + plen + rest_len] = '\0';
    return p;
}

static enum et_resolve found(const struct et_qfield *f,
                             const struct et_qfield **out)
{
    *out = f;
    if (!f)
        return ET_RES_UNKNOWN;
    return f->type == ET_QT_OBJECT ? ET_RES_OBJECT : ET_RES_FIELD;
}

static enum et_resolve resolve_action(const char *name, size_t len,
                                      const struct et_qfield **out)
{
    static const char *const prefixes[] = {"action.", "actions.",
                                           "execution.actions_taken."};

    for (size_t i = 0; i < ET_ARRAY_SIZE(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);

        if (len > pl && !strncasecmp(name, prefixes[i], pl)) {
            *out = find(et__qaction_fields, et__n_qaction_fields, name + pl,
                        len - pl);
            return *out ? ET_RES_ACTION : ET_RES_UNKNOWN;
        }
    }
    return ET_RES_UNKNOWN;
}

enum et_resolve et__qfield_resolve(struct et_query *q, const char *name,
                                   size_t len, bool action_scope,
                                   const struct et_qfield **out,
                                   const char **json_path_out)
{
    const struct et_qfield *f, *hit = NULL;
    const char *dot = memchr(name, '.', len);
    size_t hits = 0;

    *out = NULL;
    *json_path_out = NULL;
    if (action_scope) {
        f = find(et__qaction_fields, et__n_qaction_fields, name, len);
        return f ? found(f, out) : ET_RES_UNKNOWN;
    }
    f = find(et__qfields, et__n_qfields, name, len);
    if (f)
        return found(f, out);
    for (size_t i = 0; i < ET_ARRAY_SIZE(aliases); i++) {
        if (name_is(aliases[i].alias, name, len))
            return found(find(et__qfields, et__n_qfields, aliases[i].path,
                              strlen(aliases[i].path)),
                         out);
    }
    if (resolve_action(name, len, out) == ET_RES_ACTION)
        return ET_RES_ACTION;
    if (dot) {
        f = find(et__qfields, et__n_qfields, name, (size_t)(dot - name));
        if (f && (f->flags & OPEN_PREFIX)) {
            *json_path_out = dynamic_path(q, f->path, dot + 1,
                                          len - (size_t)(dot - name) - 1);
            if (!*json_path_out)
                return ET_RES_UNKNOWN;
            *out = &dynamic_field;
            return ET_RES_FIELD;
        }
        return ET_RES_UNKNOWN;
    }
    /* a bare leaf name: files_modified, completeness, prompt_sent ... */
    for (size_t i = 0; i < et__n_qfields; i++) {
        f = &et__qfields[i];
        if (f->type != ET_QT_OBJECT && strchr(f->path, '.') &&
            name_is(last_segment(f->path), name, len)) {
            hit = f;
            hits++;
        }
    }
    if (hits > 1)
        return ET_RES_AMBIGUOUS;
    return hits ? found(hit, out) : ET_RES_UNKNOWN;
}

const struct et_qfield *et__qfield_child(struct et_query *q,
                                         const struct et_qfield *obj,
                                         const char *name, size_t len,
                                         const char **json_path_out)
{
    size_t plen = strlen(obj->path);

    *json_path_out = NULL;
    if (obj->flags & OPEN_PREFIX) {
        *json_path_out = dynamic_path(q, obj->path, name, len);
        return *json_path_out ? &dynamic_field : NULL;
    }
    for (size_t i = 0; i < et__n_qfields; i++) {
        const char *p = et__qfields[i].path;

        if (!strncmp(p, obj->path, plen) && p[plen] == '.' &&
            name_is(p + plen + 1, name, len))
            return &et__qfields[i];
    }
    return NULL;
}

bool et__qfield_is_open(const struct et_qfield *obj)
{
    return (obj->flags & OPEN_PREFIX) != 0;
}

void et__qfield_members(const struct et_qfield *obj, char *out, size_t cap)
{
    size_t plen = strlen(obj->path), n = 0, used = 0;

    out[0] = '\0';
    if (obj->flags & OPEN_PREFIX) {
        snprintf(out, cap, "any member, e.g. %s.cost", obj->path);
        return;
    }
    for (size_t i = 0; i < et__n_qfields; i++) {
        const char *p = et__qfields[i].path;
        int w;

        if (strncmp(p, obj->path, plen) != 0 || p[plen] != '.')
            continue;
        w = snprintf(out + used, cap - used, "%s%s", n ? ", " : "",
                     p + plen + 1);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
        n++;
    }
}

/* Edit distance, bounded (names are short). */
static size_t distance(const char *a, size_t la, const char *b)
{
    size_t lb = strlen(b), row[80], prev, tmp;

    if (la >= ET_ARRAY_SIZE(row) || lb >= ET_ARRAY_SIZE(row))
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            size_t best = prev + cost;

            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev = tmp;
        }
    }
    return row[lb];
}

static void consider(const char *cand, const char *show, const char *name,
                     size_t len, size_t *best, const char **best_name)
{
    size_t d = distance(name, len, cand);

    if (d < *best) {
        *best = d;
        *best_name = show;
    }
}

const char *et__qfield_suggest(const char *name, size_t len, bool action_scope)
{
    size_t best = SIZE_MAX, limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    const char *best_name = NULL;

    if (action_scope) {
        for (size_t i = 0; i < et__n_qaction_fields; i++)
            consider(et__qaction_fields[i].path, et__qaction_fields[i].path,
                     name, len, &best, &best_name);
    } else {
        for (size_t i = 0; i < et__n_qfields; i++) {
            const char *p = et__qfields[i].path;

            consider(p, p, name, len, &best, &best_name);
            consider(last_segment(p), p, name, len, &best, &best_name);
        }
        for (size_t i = 0; i < ET_ARRAY_SIZE(aliases); i++)
            consider(aliases[i].alias, aliases[i].alias, name, len, &best,
                     &best_name);
        consider("action", "action(...)", name, len, &best, &best_name);
    }
    return best <= limit ? best_name : NULL;
}

const char *et__qtype_name(enum et_qtype t)
{
    switch (t) {
    case ET_QT_OBJECT:
        return "object";
    case ET_QT_KEYWORD:
        return "text";
    case ET_QT_TEXT:
        return "text";
    case ET_QT_ENUM:
        return "enumeration";
    case ET_QT_INT:
        return "integer";
    case ET_QT_NUM:
        return "number";
    case ET_QT_TIME:
        return "time";
    case ET_QT_BOOL:
        return "boolean";
    case ET_QT_LIST:
        return "list";
    case ET_QT_DYNAMIC:
        return "extension";
    }
    return "?";
}
