/* SPDX-License-Identifier: MIT */
/*
 * The spec record's schema: one table per object level, in the spec's key
 * order, and the few rules that span several fields (duration_ms, the
 * timestamp order, prompt_length, action sequences).
 */
#include "base/setup.h"
#include "codec/json.h"

#include <inttypes.h>

#include "base/time.h"
#include "exectrail/record.h"
#include "model/schema_int.h"

#define NONE SIZE_MAX

/* Field descriptor shorthands: S = the level's struct type. */
/* (clang-format 14 breaks "#name" inside braces) */
/* clang-format off */
#define F(name, kind, flags, S)                                                \
    {#name, kind, flags, offsetof(struct S, name), 0, NULL, NULL}
#define F_AS(name, kind, flags, S, member)                                     \
    {#name, kind, flags, offsetof(struct S, member), 0, NULL, NULL}
#define F_LIST(name, S)                                                        \
    {#name, ET__K_TEXT_LIST, 0, offsetof(struct S, name),                      \
     offsetof(struct S, n_##name), NULL, NULL}
#define F_ENUM(name, S, def)                                                   \
    {#name, ET__K_ENUM, 0, offsetof(struct S, name), 0, &def, NULL}
#define F_OBJ(name, flags, S, lv)                                              \
    {#name, ET__K_OBJECT, flags, offsetof(struct S, name), 0, NULL, &lv}
#define F_EXT(name, kind) {#name, kind, ET__F_EXTENSION, NONE, 0, NULL, NULL}

#define LEVEL(name, fields, S, present, rule)                                  \
    {name, fields, ET_ARRAY_SIZE(fields), sizeof(struct S),                    \
     offsetof(struct S, extra_json), present, rule}
/* clang-format on */

static et__rule_fn record_rule, delegation_rule, execution_rule;

/* ---- enums ---- */

static const struct et__enum_item verify_items[] = {
    {"MATCH", ET_VERIFY_MATCH},
    {"PARTIAL", ET_VERIFY_PARTIAL},
    {"MISMATCH", ET_VERIFY_MISMATCH},
    {"ERROR", ET_VERIFY_ERROR},
};
const struct et__enum_def et__enum_verify = {verify_items,
                                             ET_ARRAY_SIZE(verify_items)};

static const struct et__enum_item level_items[] = {
    {"HIGH", ET_LEVEL_HIGH},
    {"MEDIUM", ET_LEVEL_MEDIUM},
    {"LOW", ET_LEVEL_LOW},
};
const struct et__enum_def et__enum_level = {level_items,
                                            ET_ARRAY_SIZE(level_items)};

static const struct et__enum_item issue_items[] = {
    {"ERROR", ET_ISSUE_ERROR},
    {"WARNING", ET_ISSUE_WARNING},
    {"INFO", ET_ISSUE_INFO},
};
const struct et__enum_def et__enum_issue = {issue_items,
                                            ET_ARRAY_SIZE(issue_items)};

/* ---- levels, innermost first ---- */

static const struct et__field mac_fields[] = {
    F(user_request, ET__K_TEXT, 0, et_main_agent_context),
    F(main_agent_reasoning, ET__K_TEXT, 0, et_main_agent_context),
    F(expected_outcome, ET__K_TEXT, 0, et_main_agent_context),
    F(risk_assessment, ET__K_TEXT, 0, et_main_agent_context),
};
static const struct et__level mac_level =
    LEVEL("main_agent_context", mac_fields, et_main_agent_context,
          offsetof(struct et_main_agent_context, is_present), NULL);

static const struct et__field meta_fields[] = {
    F(name, ET__K_TEXT, ET__F_MANDATORY, et_agent_metadata),
    F(version, ET__K_TEXT, 0, et_agent_metadata),
    F_LIST(tools_available, et_agent_metadata),
    F_AS(configuration, ET__K_ANY, 0, et_agent_metadata, configuration_json),
};
static const struct et__level meta_level =
    LEVEL("agent_metadata", meta_fields, et_agent_metadata,
          offsetof(struct et_agent_metadata, is_present), NULL);

static const struct et__field deleg_fields[] = {
    F(prompt_sent, ET__K_TEXT, ET__F_MANDATORY, et_delegation),
    F(prompt_length, ET__K_COUNT, 0, et_delegation),
    F(context_provided, ET__K_TEXT, 0, et_delegation),
    F(instructions, ET__K_TEXT, 0, et_delegation),
};
static const struct et__level deleg_level =
    LEVEL("delegation", deleg_fields, et_delegation,
          offsetof(struct et_delegation, is_present), delegation_rule);

static const struct et__field action_fields[] = {
    F(sequence, ET__K_SEQ, 0, et_action),
    F(tool, ET__K_TEXT, ET__F_MANDATORY, et_action),
    F(action, ET__K_TEXT, 0, et_action),
    F(input, ET__K_TEXT, 0, et_action),
    F(output, ET__K_TEXT, 0, et_action),
    F_AS(timestamp, ET__K_TIME, 0, et_action, timestamp_ns),
    F(success, ET__K_BOOL, 0, et_action),
    F(error, ET__K_TEXT, 0, et_action),
};
const struct et__level et__level_action =
    LEVEL("action", action_fields, et_action, NONE, NULL);

static const struct et__field exec_fields[] = {
    {"actions_taken", ET__K_OBJ_LIST, 0,
     offsetof(struct et_execution_data, actions),
     offsetof(struct et_execution_data, n_actions), NULL, &et__level_action},
    F_AS(real_time_status, ET__K_ANY, 0, et_execution_data,
         real_time_status_json),
    F_AS(resource_usage, ET__K_ANY, 0, et_execution_data, resource_usage_json),
};
static const struct et__level exec_level =
    LEVEL("execution", exec_fields, et_execution_data,
          offsetof(struct et_execution_data, is_present), execution_rule);

static const struct et__field output_fields[] = {
    F(raw_response, ET__K_TEXT, 0, et_output),
    F_AS(structured_data, ET__K_ANY, 0, et_output, structured_data_json),
    F_LIST(files_modified, et_output),
    F_LIST(commands_executed, et_output),
    F_LIST(api_calls_made, et_output),
};
static const struct et__level output_level =
    LEVEL("output", output_fields, et_output,
          offsetof(struct et_output, is_present), NULL);

static const struct et__field verify_fields[] = {
    F_ENUM(status, et_verification, et__enum_verify),
    F_AS(expected_vs_actual, ET__K_ANY, 0, et_verification,
         expected_vs_actual_json),
    F_LIST(success_criteria_met, et_verification),
    F_LIST(success_criteria_failed, et_verification),
    F(confidence_score, ET__K_SCORE, 0, et_verification),
    F(manual_verification_required, ET__K_BOOL, 0, et_verification),
};
static const struct et__level verify_level =
    LEVEL("verification", verify_fields, et_verification,
          offsetof(struct et_verification, is_present), NULL);

static const struct et__field quality_fields[] = {
    F_ENUM(completeness, et_quality_metrics, et__enum_level),
    F_ENUM(accuracy, et_quality_metrics, et__enum_level),
    F_ENUM(efficiency, et_quality_metrics, et__enum_level),
    F_AS(adherence_to_standards, ET__K_MEASURE, 0, et_quality_metrics,
         adherence_to_standards_json),
};
static const struct et__level quality_level =
    LEVEL("quality_metrics", quality_fields, et_quality_metrics,
          offsetof(struct et_quality_metrics, is_present), NULL);

static const struct et__field issue_fields[] = {
    {"type", ET__K_ENUM, ET__F_MANDATORY, offsetof(struct et_issue, type), 0,
     &et__enum_issue, NULL},
    F(description, ET__K_TEXT, ET__F_MANDATORY, et_issue),
    F(impact, ET__K_TEXT, 0, et_issue),
    F(resolution, ET__K_TEXT, 0, et_issue),
    F(prevention, ET__K_TEXT, 0, et_issue),
};
const struct et__level et__level_issue =
    LEVEL("issue", issue_fields, et_issue, NONE, NULL);

static const struct et__field learning_fields[] = {
    F_LIST(insights_gained, et_learning),
    F_LIST(process_improvements, et_learning),
    F_AS(agent_performance, ET__K_ANY, 0, et_learning, agent_performance_json),
    F(recommendation_for_future, ET__K_TEXT, 0, et_learning),
};
static const struct et__level learning_level =
    LEVEL("learning", learning_fields, et_learning,
          offsetof(struct et_learning, is_present), NULL);

static const struct et__field record_fields[] = {
    F(execution_id, ET__K_UUID, 0, et_record),
    F(session_id, ET__K_ID, ET__F_MANDATORY, et_record),
    F_AS(timestamp_start, ET__K_TIME, ET__F_MANDATORY, et_record,
         timestamp_start_ns),
    F_AS(timestamp_end, ET__K_TIME, 0, et_record, timestamp_end_ns),
    F(duration_ms, ET__K_COUNT, 0, et_record),
    F_OBJ(main_agent_context, 0, et_record, mac_level),
    F_OBJ(agent_metadata, ET__F_MANDATORY, et_record, meta_level),
    F_OBJ(delegation, ET__F_MANDATORY, et_record, deleg_level),
    F_OBJ(execution, 0, et_record, exec_level),
    F_OBJ(output, 0, et_record, output_level),
    F_OBJ(verification, 0, et_record, verify_level),
    F_OBJ(quality_metrics, 0, et_record, quality_level),
    {"issues", ET__K_OBJ_LIST, 0, offsetof(struct et_record, issues),
     offsetof(struct et_record, n_issues), NULL, &et__level_issue},
    F_OBJ(learning, 0, et_record, learning_level),
    /* DESIGN.md section 3 extensions: validated where they have a rule,
     * otherwise only kept. */
    F_EXT(parent_execution_id, ET__K_UUID),
    F_EXT(usage, ET__K_ANY),
    F_EXT(security, ET__K_ANY),
    F_EXT(retention, ET__K_ANY),
    F_EXT(ledger, ET__K_ANY),
};
const struct et__level et__level_record =
    LEVEL("record", record_fields, et_record, NONE, record_rule);

const struct et__fragment et__fragments[] = {
    {"", &et__level_record},
    {"main_agent_context", &mac_level},
    {"agent_metadata", &meta_level},
    {"delegation", &deleg_level},
    {"execution", &exec_level},
    {"execution.actions_taken[]", &et__level_action},
    {"output", &output_level},
    {"verification", &verify_level},
    {"quality_metrics", &quality_level},
    {"issues[]", &et__level_issue},
    {"learning", &learning_level},
};
const size_t et__n_fragments = ET_ARRAY_SIZE(et__fragments);

const struct et__field *et__level_field(const struct et__level *lv,
                                        const char *name)
{
    for (size_t i = 0; i < lv->n_fields; i++) {
        if (strcmp(lv->fields[i].name, name) == 0)
            return &lv->fields[i];
    }
    return NULL;
}

bool et__level_is_spec_key(const struct et__level *lv, const char *name)
{
    const struct et__field *f = et__level_field(lv, name);

    return f && !(f->flags & ET__F_EXTENSION);
}

/* ---- rules ---- */

/* The value of key in obj when it is a (normalised, checked) timestamp. */
static bool get_time(struct json_object *obj, const char *key, int64_t *ns)
{
    struct json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return false;
    return et_time_parse(json_object_get_string(v),
                         (size_t)json_object_get_string_len(v), false,
                         ns) == ET_OK;
}

static int add_int(struct et__check *c, struct json_object *obj,
                   const char *key, int64_t value)
{
    struct json_object *v = et__jnew_int64(value);

    if (!v)
        return et__check_nomem(c);
    if (et__jadd(obj, key, v) < 0) {
        json_object_put(v);
        return et__check_nomem(c);
    }
    return ET_OK;
}

/* timestamp_end >= timestamp_start; duration_ms derived or checked. */
static int record_rule(struct et__check *c, struct json_object *obj)
{
    struct json_object *v = NULL;
    int64_t start, end, computed, given;
    size_t mark;
    int rc;

    if (!get_time(obj, "timestamp_start", &start) ||
        !get_time(obj, "timestamp_end", &end))
        return ET_OK;
    if (end < start) {
        char s[ET_RFC3339_MAX], e[ET_RFC3339_MAX];

        et_time_format(start, s);
        et_time_format(end, e);
        mark = et__path_key(&c->path, "timestamp_end");
        rc = et__check_fail(c, "%s is before timestamp_start %s", e, s);
        et__path_pop(&c->path, mark);
        return rc;
    }
    /* in uint64: times far apart (years before 1970 are allowed) would
     * overflow int64 (found by fuzz_record_parse); end >= start, so the
     * difference fits */
    computed = (int64_t)(((uint64_t)end - (uint64_t)start) / 1000000);
    json_object_object_get_ex(obj, "duration_ms", &v);
    if (!v)
        return add_int(c, obj, "duration_ms", computed);
    given = json_object_get_int64(v);
    if ((given > computed ? (uint64_t)given - (uint64_t)computed
                          : (uint64_t)computed - (uint64_t)given) > 1) {
        mark = et__path_key(&c->path, "duration_ms");
        rc = et__check_fail(c,
                            "%" PRId64 " disagrees with timestamp_end - "
                            "timestamp_start = %" PRId64,
                            given, computed);
        et__path_pop(&c->path, mark);
        return rc;
    }
    return ET_OK;
}

/* Unicode code points in a valid UTF-8 string: bytes that do not continue
 * a sequence. */
static int64_t count_code_points(const char *s, size_t len)
{
    int64_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    }
    return n;
}

/* prompt_length defaults to the length of prompt_sent in code points. */
static int delegation_rule(struct et__check *c, struct json_object *obj)
{
    struct json_object *prompt, *len = NULL;

    json_object_object_get_ex(obj, "prompt_length", &len);
    if (len || !json_object_object_get_ex(obj, "prompt_sent", &prompt) ||
        !json_object_is_type(prompt, json_type_string))
        return ET_OK;
    return add_int(
        c, obj, "prompt_length",
        count_code_points(json_object_get_string(prompt),
                          (size_t)json_object_get_string_len(prompt)));
}

/*
 * Action sequences are strictly increasing. In the whole record a missing
 * one becomes its 1-based position, or the previous sequence + 1 when that
 * is larger (so that numbering a few actions by hand does not make the
 * unnumbered ones collide).
 */
static int execution_rule(struct et__check *c, struct json_object *obj)
{
    struct json_object *list, *seq;
    int64_t prev = 0;
    size_t n;

    if (!json_object_object_get_ex(obj, "actions_taken", &list) ||
        !json_object_is_type(list, json_type_array))
        return ET_OK;
    n = json_object_array_length(list);
    for (size_t i = 0; i < n; i++) {
        struct json_object *a = json_object_array_get_idx(list, i);
        int64_t s;

        seq = NULL;
        json_object_object_get_ex(a, "sequence", &seq);
        if (!seq) {
            if (!c->is_whole)
                continue;
            if (prev == INT64_MAX)
                s = prev; /* reported below */
            else if ((int64_t)i + 1 > prev + 1)
                s = (int64_t)i + 1;
            else
                s = prev + 1;
            if (add_int(c, a, "sequence", s))
                return ET_ENOMEM;
        } else {
            s = json_object_get_int64(seq);
        }
        if (s <= prev) {
            size_t mark = et__path_key(&c->path, "actions_taken");
            int rc;

            et__path_index(&c->path, i);
            et__path_key(&c->path, "sequence");
            rc = et__check_fail(c,
                                "expected a sequence greater than %" PRId64
                                " (strictly increasing), got %" PRId64,
                                prev, s);
            et__path_pop(&c->path, mark);
            return rc;
        }
        prev = s;
    }
    return ET_OK;
}
