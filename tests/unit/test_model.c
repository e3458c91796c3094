/* SPDX-License-Identifier: MIT */
/*
 * Tests for the record model: the spec's example record (tests/data/
 * spec-record.json) validates and round-trips, every validation error names
 * its JSON path, the normalisations (UTC timestamps, lower-case IDs, derived
 * duration_ms, prompt_length and sequences), fragments, unknown keys, and
 * the public struct API.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/record.h"
#include "model/record.h"
#include "t.h"

#include <math.h>

#define ABSENT "\x01" /* set_at value: remove the key */

/* ---- helpers ---- */

static char *read_file(const char *rel, size_t *len_out)
{
    const char *dir = getenv("ET_SOURCE_DIR");
    char path[1024];
    char *buf = NULL;
    long size;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir ? dir : ".", rel);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
            free(buf);
            buf = NULL;
        }
        if (buf) {
            buf[size] = '\0';
            *len_out = (size_t)size;
        }
    }
    fclose(f);
    return buf;
}

static struct json_object *parse(const char *text)
{
    struct json_object *doc = NULL;

    if (et_json_parse(text, strlen(text), NULL, &doc, NULL) != ET_OK)
        return NULL;
    return doc;
}

static char *spec_text(void)
{
    size_t len;

    return read_file("tests/data/spec-record.json", &len);
}

static struct json_object *spec_doc(void)
{
    char *text = spec_text();
    struct json_object *doc = text ? parse(text) : NULL;

    free(text);
    return doc;
}

/* The value at a path like "execution.actions_taken[1].timestamp", or NULL
 * (also for JSON null). */
static struct json_object *at(struct json_object *doc, const char *path)
{
    char seg[128];

    while (doc && *path) {
        size_t n = strcspn(path, ".[");

        if (n) {
            snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
            if (!json_object_object_get_ex(doc, seg, &doc))
                return NULL;
            path += n;
        }
        while (doc && *path == '[') {
            char *end;
            unsigned long i = strtoul(path + 1, &end, 10);

            doc = json_object_array_get_idx(doc, i);
            path = end + 1;
        }
        if (*path == '.')
            path++;
    }
    return doc;
}

/* Set the object member named by path to the JSON text value, or remove it
 * when value is ABSENT. Returns false when the parent is not an object. */
static bool set_at(struct json_object *doc, const char *path, const char *value)
{
    const char *dot = strrchr(path, '.');
    struct json_object *parent = doc, *v;
    char head[256];

    if (dot) {
        snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
        parent = at(doc, head);
        path = dot + 1;
    }
    if (!json_object_is_type(parent, json_type_object))
        return false;
    if (strcmp(value, ABSENT) == 0) {
        json_object_object_del(parent, path);
        return true;
    }
    v = parse(value);
    if (!v && strcmp(value, "null") != 0)
        return false;
    json_object_object_add(parent, path, v);
    return true;
}

static const char *str_at(struct json_object *doc, const char *path)
{
    struct json_object *v = at(doc, path);

    return json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                    : NULL;
}

static bool number_equal(struct json_object *a, struct json_object *b)
{
    if (json_object_is_type(a, json_type_int) &&
        json_object_is_type(b, json_type_int))
        return json_object_get_int64(a) == json_object_get_int64(b) &&
               json_object_get_uint64(a) == json_object_get_uint64(b);
    return json_object_get_double(a) == json_object_get_double(b);
}

static bool is_number(struct json_object *v)
{
    return json_object_is_type(v, json_type_int) ||
           json_object_is_type(v, json_type_double);
}

/* Structural equality; numbers compare numerically; with ordered, object
 * keys must also come in the same order. */
static bool deep_equal(struct json_object *a, struct json_object *b,
                       bool ordered)
{
    struct json_object_iterator ia, ea, ib, eb;
    size_t n;

    if (is_number(a) && is_number(b))
        return number_equal(a, b);
    if (json_object_get_type(a) != json_object_get_type(b))
        return false;
    switch (json_object_get_type(a)) {
    case json_type_null:
        return true;
    case json_type_boolean:
        return json_object_get_boolean(a) == json_object_get_boolean(b);
    case json_type_string:
        return json_object_get_string_len(a) == json_object_get_string_len(b) &&
               memcmp(json_object_get_string(a), json_object_get_string(b),
                      (size_t)json_object_get_string_len(a)) == 0;
    case json_type_array:
        n = json_object_array_length(a);
        if (n != json_object_array_length(b))
            return false;
        for (size_t i = 0; i < n; i++) {
            if (!deep_equal(json_object_array_get_idx(a, i),
                            json_object_array_get_idx(b, i), ordered))
                return false;
        }
        return true;
    case json_type_object:
        if (json_object_object_length(a) != json_object_object_length(b))
            return false;
        ia = json_object_iter_begin(a);
        ea = json_object_iter_end(a);
        ib = json_object_iter_begin(b);
        eb = json_object_iter_end(b);
        for (; !json_object_iter_equal(&ia, &ea); json_object_iter_next(&ia)) {
            const char *key = json_object_iter_peek_name(&ia);
            struct json_object *vb;

            if (ordered) {
                if (json_object_iter_equal(&ib, &eb) ||
                    strcmp(key, json_object_iter_peek_name(&ib)) != 0)
                    return false;
                vb = json_object_iter_peek_value(&ib);
                json_object_iter_next(&ib);
            } else if (!json_object_object_get_ex(b, key, &vb)) {
                return false;
            }
            if (!deep_equal(json_object_iter_peek_value(&ia), vb, ordered))
                return false;
        }
        return true;
    default:
        return is_number(a) && is_number(b) && number_equal(a, b);
    }
}

/* The keys of obj joined by ",". */
static const char *keys_of(struct json_object *obj)
{
    static char buf[1024];
    struct json_object_iterator it = json_object_iter_begin(obj);
    struct json_object_iterator end = json_object_iter_end(obj);
    size_t o = 0;

    buf[0] = '\0';
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? "," : "",
                              json_object_iter_peek_name(&it));
    return buf;
}

/* et__record_check's result as a string: "ok", the message of ET_EINPUT,
 * or "<STATUS>: <message>" for any other code. */
static const char *check_result(struct json_object *doc, const char *path,
                                unsigned flags)
{
    static char out[300];
    struct et_error err = ET_ERROR_INIT;
    int rc = et__record_check(doc, path, flags, &err);

    if (rc == ET_OK)
        snprintf(out, sizeof(out), "ok");
    else if (rc == ET_EINPUT)
        snprintf(out, sizeof(out), "%s", err.msg);
    else
        snprintf(out, sizeof(out), "%s: %s", et_status_name(rc), err.msg);
    return out;
}

/* The spec record with the (path, value) pairs of muts applied (NULL
 * terminated), checked as a complete record. */
static const char *spec_check(const char *const *muts)
{
    struct json_object *doc = spec_doc();
    static char out[300];

    if (!doc)
        return "cannot load tests/data/spec-record.json";
    for (size_t i = 0; muts[i]; i += 2) {
        if (!set_at(doc, muts[i], muts[i + 1])) {
            json_object_put(doc);
            return "bad mutation";
        }
    }
    snprintf(out, sizeof(out), "%s", check_result(doc, "", ET_CHECK_COMPLETE));
    json_object_put(doc);
    return out;
}

#define SPEC_CHECK(...) spec_check((const char *const[]){__VA_ARGS__, NULL})

/* Three actions with the spec action's fields. */
#define THREE_ACTIONS                                             \
 "[{\"sequence\":1,\"tool\":\"Read\",\"timestamp\":"              \
 "\"2025-01-16T10:30:01.000Z\",\"success\":true,\"error\":null}," \
 "{\"sequence\":2,\"tool\":\"Edit\",\"timestamp\":"               \
 "\"2025-01-16T10:30:02.000Z\",\"success\":true,\"error\":null}," \
 "{\"sequence\":3,\"tool\":\"Bash\",\"timestamp\":"               \
 "\"2025-01-16T10:30:03.000Z\",\"success\":false,\"error\":\"exit 1\"}]"

/* ---- the spec's example record ---- */

T_TEST(spec_record_validates_and_shapes)
{
    struct json_object *doc = spec_doc(), *orig = spec_doc(), *shaped;

    T_ASSERT(doc && orig);
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    T_ASSERT(deep_equal(doc, orig, true)); /* nothing to normalise */
    shaped = et__record_shape(doc);
    T_ASSERT(shaped);
    T_ASSERT(deep_equal(shaped, orig, true));
    T_ASSERT_STR_EQ(keys_of(shaped),
                    "execution_id,session_id,timestamp_start,timestamp_end,"
                    "duration_ms,main_agent_context,agent_metadata,"
                    "delegation,execution,output,verification,"
                    "quality_metrics,issues,learning");
    /* checking again changes nothing */
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    T_ASSERT(deep_equal(doc, orig, true));
    json_object_put(shaped);
    json_object_put(doc);
    json_object_put(orig);
}

T_TEST(spec_record_struct_round_trip)
{
    char *text = spec_text(), *out = NULL;
    struct json_object *orig, *back;
    struct et_record *r = NULL;
    struct et_error err = ET_ERROR_INIT;
    int64_t ns;
    size_t len = 0;

    T_ASSERT(text);
    orig = parse(text);
    T_ASSERT(orig);
    T_ASSERT_OK(
        et_record_parse(text, strlen(text), ET_RECORD_COMPLETE, &r, &err));
    free(text);
    T_ASSERT_STR_EQ(r->execution_id, "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c");
    T_ASSERT_STR_EQ(r->session_id, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");
    T_ASSERT_OK(et_time_parse("2025-01-16T10:30:00.000Z", 24, false, &ns));
    T_ASSERT_INT_EQ(r->timestamp_start_ns, ns);
    T_ASSERT_INT_EQ(r->timestamp_end_ns - r->timestamp_start_ns,
                    INT64_C(135234000000));
    T_ASSERT_INT_EQ(r->duration_ms, 135234);
    T_ASSERT_STR_EQ(r->main_agent_context.risk_assessment,
                    "potential failure modes");
    T_ASSERT_INT_EQ(r->agent_metadata.n_tools_available, 2);
    T_ASSERT_STR_EQ(r->agent_metadata.tools_available[1], "tool2");
    T_ASSERT_STR_EQ(r->agent_metadata.configuration_json,
                    "\"agent-specific config\"");
    T_ASSERT_INT_EQ(r->delegation.prompt_length, 1234);
    T_ASSERT_INT_EQ(r->execution.n_actions, 1);
    T_ASSERT_INT_EQ(r->execution.actions[0].sequence, 1);
    T_ASSERT_STR_EQ(r->execution.actions[0].tool, "tool-name");
    T_ASSERT_INT_EQ(r->execution.actions[0].success, 1);
    T_ASSERT(r->execution.actions[0].error == NULL);
    T_ASSERT_INT_EQ(r->execution.actions[0].timestamp_ns - ns,
                    INT64_C(5120000000));
    T_ASSERT_INT_EQ(r->output.n_api_calls_made, 1);
    T_ASSERT_INT_EQ(r->verification.status, ET_VERIFY_MATCH);
    T_ASSERT(r->verification.confidence_score == 0.95);
    T_ASSERT_INT_EQ(r->verification.manual_verification_required, 0);
    T_ASSERT_INT_EQ(r->quality_metrics.efficiency, ET_LEVEL_HIGH);
    T_ASSERT_INT_EQ(r->n_issues, 1);
    T_ASSERT_INT_EQ(r->issues[0].type, ET_ISSUE_ERROR);
    T_ASSERT_STR_EQ(r->learning.recommendation_for_future,
                    "guidance for similar tasks");
    T_ASSERT(r->extra_json == NULL);
    T_ASSERT(r->delegation.extra_json == NULL);

    T_ASSERT_OK(et_record_to_json(r, 0, &out, &len, &err));
    T_ASSERT_INT_EQ(len, strlen(out));
    back = parse(out);
    T_ASSERT(back);
    T_ASSERT(deep_equal(back, orig, true));
    et_record_free_string(out);
    json_object_put(back);

    T_ASSERT_OK(et_record_to_json(r, ET_RECORD_PRETTY, &out, NULL, &err));
    T_ASSERT_STR_CONTAINS(out, "\n  \"execution_id\": ");
    back = parse(out);
    T_ASSERT(deep_equal(back, orig, true));
    et_record_free_string(out);
    json_object_put(back);
    json_object_put(orig);
    et_record_free(r);
}

/* ---- one test per error class ---- */

T_TEST(error_wrong_scalar_type)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("delegation.prompt_length", "\"1234\""),
                    "delegation.prompt_length: expected integer, got string");
    T_ASSERT_STR_EQ(SPEC_CHECK("delegation.prompt_length", "12.5"),
                    "delegation.prompt_length: expected integer, got number");
    T_ASSERT_STR_EQ(SPEC_CHECK("agent_metadata.version", "2"),
                    "agent_metadata.version: expected string, got integer");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("verification.manual_verification_required", "\"no\""),
        "verification.manual_verification_required: expected boolean, got "
        "string");
    T_ASSERT_STR_EQ(SPEC_CHECK("verification.confidence_score", "\"0.9\""),
                    "verification.confidence_score: expected number, got "
                    "string");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_start", "1737023400000"),
                    "timestamp_start: expected an RFC 3339 date-time string, "
                    "got integer");
}

T_TEST(error_nested_array_paths)
{
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution.actions_taken", THREE_ACTIONS,
                   "execution.actions_taken[2].success", "\"yes\""),
        "execution.actions_taken[2].success: expected boolean, got string");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution.actions_taken", THREE_ACTIONS,
                   "execution.actions_taken[1].timestamp", "\"yesterday\""),
        "execution.actions_taken[1].timestamp: expected an RFC 3339 "
        "date-time, got \"yesterday\"");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution.actions_taken", THREE_ACTIONS,
                   "execution.actions_taken[0].error", "{\"code\":1}"),
        "execution.actions_taken[0].error: expected string, got object");
    T_ASSERT_STR_EQ(SPEC_CHECK("output.files_modified", "[\"a.c\", 5]"),
                    "output.files_modified[1]: expected string, got integer");
    T_ASSERT_STR_EQ(SPEC_CHECK("learning.insights_gained", "[null]"),
                    "learning.insights_gained[0]: expected string, got null");
    T_ASSERT_STR_EQ(SPEC_CHECK("issues", "[{\"type\":\"INFO\",\"description\""
                                         ":\"d\"},{\"type\":\"warning\"}]"),
                    "issues[1].type: expected one of ERROR, WARNING, INFO, "
                    "got \"warning\"");
}

T_TEST(error_enum_values)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("verification.status", "\"OK\""),
                    "verification.status: expected one of MATCH, PARTIAL, "
                    "MISMATCH, ERROR, got \"OK\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("verification.status", "\"match\""),
                    "verification.status: expected one of MATCH, PARTIAL, "
                    "MISMATCH, ERROR, got \"match\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("quality_metrics.accuracy", "\"high\""),
                    "quality_metrics.accuracy: expected one of HIGH, MEDIUM, "
                    "LOW, got \"high\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("quality_metrics.efficiency", "3"),
                    "quality_metrics.efficiency: expected string, got "
                    "integer");
    T_ASSERT_STR_EQ(SPEC_CHECK("quality_metrics.completeness", "\"MEDIUM\"",
                               "verification.status", "\"PARTIAL\""),
                    "ok");
}

T_TEST(error_timestamps)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_start", "\"timestamp\""),
                    "timestamp_start: expected an RFC 3339 date-time, got "
                    "\"timestamp\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_end", "\"2025-01-16\""),
                    "timestamp_end: expected an RFC 3339 date-time, got "
                    "\"2025-01-16\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_end", "\"2025-02-30T10:00:00Z\""),
                    "timestamp_end: expected an RFC 3339 date-time, got "
                    "\"2025-02-30T10:00:00Z\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_end", "\"2025-01-16T10:32:15\""),
                    "timestamp_end: expected an RFC 3339 date-time, got "
                    "\"2025-01-16T10:32:15\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_end", "\"9999-12-31T23:59:59Z\""),
                    "timestamp_end: expected an RFC 3339 date-time in the "
                    "years 1678 to 2261, got \"9999-12-31T23:59:59Z\"");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("timestamp_end", "\"2025-01-16T10:29:59.999Z\"",
                   "duration_ms", "null"),
        "timestamp_end: 2025-01-16T10:29:59.999Z is before timestamp_start "
        "2025-01-16T10:30:00.000Z");
}

T_TEST(error_mandatory_fields)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("session_id", ABSENT),
                    "session_id: missing mandatory field");
    T_ASSERT_STR_EQ(SPEC_CHECK("session_id", "null"),
                    "session_id: expected string, got null");
    T_ASSERT_STR_EQ(SPEC_CHECK("session_id", "\"\""),
                    "session_id: expected a non-empty string, got \"\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_start", ABSENT),
                    "timestamp_start: missing mandatory field");
    T_ASSERT_STR_EQ(SPEC_CHECK("agent_metadata.name", ABSENT),
                    "agent_metadata.name: missing mandatory field");
    T_ASSERT_STR_EQ(SPEC_CHECK("agent_metadata", ABSENT),
                    "agent_metadata.name: missing mandatory field");
    T_ASSERT_STR_EQ(SPEC_CHECK("agent_metadata", "null"),
                    "agent_metadata: expected object, got null");
    T_ASSERT_STR_EQ(SPEC_CHECK("delegation.prompt_sent", ABSENT),
                    "delegation.prompt_sent: missing mandatory field");
    T_ASSERT_STR_EQ(SPEC_CHECK("delegation", ABSENT),
                    "delegation.prompt_sent: missing mandatory field");
    T_ASSERT_STR_EQ(SPEC_CHECK("execution.actions_taken[0].tool", ABSENT),
                    "execution.actions_taken[0].tool: missing mandatory "
                    "field");
    T_ASSERT_STR_EQ(SPEC_CHECK("issues[0].description", ABSENT),
                    "issues[0].description: missing mandatory field");
    /* execution_id is not mandatory: the caller generates one */
    T_ASSERT_STR_EQ(SPEC_CHECK("execution_id", ABSENT), "ok");
}

T_TEST(error_not_mandatory_without_complete)
{
    struct json_object *doc = parse("{\"duration_ms\":5,\"execution\":{"
                                    "\"actions_taken\":[{\"output\":\"x\"}]}}");

    T_ASSERT(doc);
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE),
                    "session_id: missing mandatory field");
    json_object_put(doc);
    doc = parse("{\"session_id\":\"s\",\"timestamp_start\":"
                "\"2025-01-16T10:30:00Z\",\"agent_metadata\":{\"name\":\"a\"},"
                "\"delegation\":{\"prompt_sent\":\"p\"}}");
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    json_object_put(doc);
}

T_TEST(error_duration)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("duration_ms", "1000"),
                    "duration_ms: 1000 disagrees with timestamp_end - "
                    "timestamp_start = 135234");
    T_ASSERT_STR_EQ(SPEC_CHECK("duration_ms", "135236"),
                    "duration_ms: 135236 disagrees with timestamp_end - "
                    "timestamp_start = 135234");
    /* within 1 ms: rounding by the writer is accepted and kept */
    T_ASSERT_STR_EQ(SPEC_CHECK("duration_ms", "135235"), "ok");
    T_ASSERT_STR_EQ(SPEC_CHECK("duration_ms", "135233"), "ok");
    T_ASSERT_STR_EQ(SPEC_CHECK("duration_ms", "-1"),
                    "duration_ms: expected integer >= 0, got -1");
    T_ASSERT_STR_EQ(SPEC_CHECK("duration_ms", "\"135234\""),
                    "duration_ms: expected integer, got string");
    /* times 335 years apart (fuzz_record_parse: end - start overflowed
     * int64 in nanoseconds): the duration is computed, a huge given one
     * compared without overflow */
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_start", "\"1690-01-16T10:30:00Z\"",
                               "duration_ms", ABSENT),
                    "ok");
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_start", "\"1690-01-16T10:30:00Z\"",
                               "duration_ms", "9223372036854775807"),
                    "duration_ms: 9223372036854775807 disagrees with "
                    "timestamp_end - timestamp_start = 10571558535234");
    /* without both timestamps any non-negative duration stands */
    T_ASSERT_STR_EQ(SPEC_CHECK("timestamp_end", ABSENT, "duration_ms", "7"),
                    "ok");
}

T_TEST(error_container_types)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("output", "[]"),
                    "output: expected object, got array");
    T_ASSERT_STR_EQ(SPEC_CHECK("execution", "\"running\""),
                    "execution: expected object, got string");
    T_ASSERT_STR_EQ(SPEC_CHECK("execution.actions_taken", "{}"),
                    "execution.actions_taken: expected array, got object");
    T_ASSERT_STR_EQ(SPEC_CHECK("execution.actions_taken", "[\"read\"]"),
                    "execution.actions_taken[0]: expected object, got string");
    T_ASSERT_STR_EQ(SPEC_CHECK("issues", "{}"),
                    "issues: expected array, got object");
    T_ASSERT_STR_EQ(SPEC_CHECK("agent_metadata.tools_available", "\"Bash\""),
                    "agent_metadata.tools_available: expected array, got "
                    "string");
    T_ASSERT_STR_EQ(SPEC_CHECK("quality_metrics.adherence_to_standards", "[1]"),
                    "quality_metrics.adherence_to_standards: expected string, "
                    "number or object, got array");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("quality_metrics.adherence_to_standards", "true"),
        "quality_metrics.adherence_to_standards: expected string, number or "
        "object, got boolean");
}

T_TEST(error_ids)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("execution_id", "\"uuid-v4\""),
                    "execution_id: expected a UUID (8-4-4-4-12 hex digits), "
                    "got \"uuid-v4\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("execution_id", "42"),
                    "execution_id: expected a UUID string, got integer");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution_id", "\"3f2b8c1e7d4a4e9ba6c51d2e3f4a5b6c\""),
        "execution_id: expected a UUID (8-4-4-4-12 hex digits), "
        "got \"3f2b8c1e7d4a4e9ba6c51d2e3f4a5b6c\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("parent_execution_id", "\"parent\""),
                    "parent_execution_id: expected a UUID (8-4-4-4-12 hex "
                    "digits), got \"parent\"");
    /* any version is accepted (v1 and v7 here) */
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution_id", "\"c232ab00-9414-11ec-b3c8-9f6bdeced846\""),
        "ok");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution_id", "\"01890a5d-ac96-774b-bcce-b302099a8057\""),
        "ok");
}

T_TEST(error_numbers_out_of_range)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("verification.confidence_score", "1.5"),
                    "verification.confidence_score: expected number in "
                    "[0, 1], got 1.5");
    T_ASSERT_STR_EQ(SPEC_CHECK("verification.confidence_score", "-0.25"),
                    "verification.confidence_score: expected number in "
                    "[0, 1], got -0.25");
    T_ASSERT_STR_EQ(SPEC_CHECK("verification.confidence_score", "1"), "ok");
    T_ASSERT_STR_EQ(SPEC_CHECK("delegation.prompt_length", "-3"),
                    "delegation.prompt_length: expected integer >= 0, got -3");
    T_ASSERT_STR_EQ(SPEC_CHECK("execution.actions_taken[0].sequence", "0"),
                    "execution.actions_taken[0].sequence: expected integer "
                    ">= 1, got 0");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("delegation.prompt_length", "18446744073709551615"),
        "delegation.prompt_length: expected integer <= "
        "9223372036854775807, got 18446744073709551615");
}

T_TEST(error_sequence_order)
{
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution.actions_taken", THREE_ACTIONS,
                   "execution.actions_taken[2].sequence", "2"),
        "execution.actions_taken[2].sequence: expected a sequence greater "
        "than 2 (strictly increasing), got 2");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution.actions_taken", THREE_ACTIONS,
                   "execution.actions_taken[1].sequence", "7"),
        "execution.actions_taken[2].sequence: expected a sequence greater "
        "than 7 (strictly increasing), got 3");
    /* gaps are fine */
    T_ASSERT_STR_EQ(SPEC_CHECK("execution.actions_taken", THREE_ACTIONS,
                               "execution.actions_taken[2].sequence", "10"),
                    "ok");
}

T_TEST(error_message_quotes_and_shortens_values)
{
    const char *msg = SPEC_CHECK(
        "verification.status",
        "\"a \\\"quoted\\\" value\\nwith a newline and a long tail that goes "
        "on and on and on and on\"");

    T_ASSERT_STR_EQ(msg, "verification.status: expected one of MATCH, "
                         "PARTIAL, MISMATCH, ERROR, got \"a \\\"quoted\\\" "
                         "value\\u000awith a newline and a long tail that "
                         "goes on and\"...");
}

T_TEST(error_root_and_path_argument)
{
    struct json_object *arr = parse("[1]");
    struct json_object *obj = parse("{}");
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(arr && obj);
    T_ASSERT_STR_EQ(check_result(arr, "", 0),
                    "record: expected object, got array");
    T_ASSERT_STR_EQ(check_result(NULL, "", 0),
                    "record: expected object, got null");
    T_ASSERT_STR_EQ(check_result(arr, "delegation", 0),
                    "delegation: expected object, got array");
    T_ASSERT_RC(et__record_check(obj, "nope", 0, &err), ET_EINVAL);
    T_ASSERT_STR_EQ(err.msg, "unknown record path \"nope\"");
    T_ASSERT_RC(et__record_check(obj, "execution.actions_taken", 0, &err),
                ET_EINVAL);
    T_ASSERT_RC(et__record_check(obj, NULL, 0, NULL), ET_EINVAL);
    json_object_put(arr);
    json_object_put(obj);
}

/* ---- placeholders of the spec are not values ---- */

T_TEST(spec_placeholders_rejected)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("execution_id", "\"uuid-v4\""),
                    "execution_id: expected a UUID (8-4-4-4-12 hex digits), "
                    "got \"uuid-v4\"");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("execution.actions_taken[0].timestamp", "\"timestamp\""),
        "execution.actions_taken[0].timestamp: expected an RFC "
        "3339 date-time, got \"timestamp\"");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("verification.status", "\"MATCH|PARTIAL|MISMATCH|ERROR\""),
        "verification.status: expected one of MATCH, PARTIAL, "
        "MISMATCH, ERROR, got \"MATCH|PARTIAL|MISMATCH|ERROR\"");
    T_ASSERT_STR_EQ(
        SPEC_CHECK("quality_metrics.completeness", "\"HIGH|MEDIUM|LOW\""),
        "quality_metrics.completeness: expected one of HIGH, "
        "MEDIUM, LOW, got \"HIGH|MEDIUM|LOW\"");
    T_ASSERT_STR_EQ(SPEC_CHECK("issues[0].type", "\"ERROR|WARNING|INFO\""),
                    "issues[0].type: expected one of ERROR, WARNING, INFO, "
                    "got \"ERROR|WARNING|INFO\"");
    /* "main-session-uuid" is a valid session_id: it need not be a UUID */
    T_ASSERT_STR_EQ(SPEC_CHECK("session_id", "\"main-session-uuid\""), "ok");
}

/* ---- normalisations ---- */

T_TEST(timestamps_normalised_to_utc)
{
    struct json_object *doc = spec_doc();

    T_ASSERT(doc);
    T_ASSERT(set_at(doc, "timestamp_start", "\"2025-01-16T12:30:00+02:00\""));
    T_ASSERT(
        set_at(doc, "timestamp_end", "\"2025-01-16t05:02:15.2349-05:30\""));
    T_ASSERT(set_at(doc, "execution.actions_taken[0].timestamp",
                    "\"2025-01-16 10:30:05.12z\""));
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    T_ASSERT_STR_EQ(str_at(doc, "timestamp_start"), "2025-01-16T10:30:00.000Z");
    /* sub-millisecond digits are cut, not rounded */
    T_ASSERT_STR_EQ(str_at(doc, "timestamp_end"), "2025-01-16T10:32:15.234Z");
    T_ASSERT_STR_EQ(str_at(doc, "execution.actions_taken[0].timestamp"),
                    "2025-01-16T10:30:05.120Z");
    json_object_put(doc);
}

T_TEST(ids_normalised_to_lower_case)
{
    struct json_object *doc = spec_doc();

    T_ASSERT(doc);
    T_ASSERT(set_at(doc, "execution_id",
                    "\"3F2B8C1E-7D4A-4E9B-A6C5-1D2E3F4A5B6C\""));
    T_ASSERT(set_at(doc, "parent_execution_id",
                    "\"9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D\""));
    T_ASSERT(set_at(doc, "session_id", "\"Session-ABC\""));
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    T_ASSERT_STR_EQ(str_at(doc, "execution_id"),
                    "3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c");
    T_ASSERT_STR_EQ(str_at(doc, "parent_execution_id"),
                    "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");
    /* session_id is not a UUID field: kept as given */
    T_ASSERT_STR_EQ(str_at(doc, "session_id"), "Session-ABC");
    json_object_put(doc);
}

T_TEST(duration_derived)
{
    struct json_object *doc = spec_doc();

    T_ASSERT(doc);
    T_ASSERT(set_at(doc, "duration_ms", ABSENT));
    T_ASSERT(set_at(doc, "timestamp_end", "\"2025-01-16T10:32:15.2349Z\""));
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    T_ASSERT_INT_EQ(json_object_get_int64(at(doc, "duration_ms")), 135234);
    T_ASSERT(set_at(doc, "duration_ms", "null"));
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT(json_object_is_type(at(doc, "duration_ms"), json_type_int));
    T_ASSERT_INT_EQ(json_object_get_int64(at(doc, "duration_ms")), 135234);
    /* unknown end: nothing to derive */
    T_ASSERT(set_at(doc, "duration_ms", ABSENT));
    T_ASSERT(set_at(doc, "timestamp_end", "null"));
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT(!json_object_object_get_ex(doc, "duration_ms", NULL));
    json_object_put(doc);
}

T_TEST(prompt_length_derived)
{
    struct json_object *doc = spec_doc();

    T_ASSERT(doc);
    /* 7 code points, 11 bytes: "h\u00e9llo \U0001F44B" */
    T_ASSERT(set_at(doc, "delegation.prompt_sent",
                    "\"h\xc3\xa9llo \xf0\x9f\x91\x8b\""));
    T_ASSERT(set_at(doc, "delegation.prompt_length", ABSENT));
    T_ASSERT_STR_EQ(check_result(doc, "", ET_CHECK_COMPLETE), "ok");
    T_ASSERT_INT_EQ(json_object_get_int64(at(doc, "delegation.prompt_length")),
                    7);
    /* a given length is kept, even when it differs */
    T_ASSERT(set_at(doc, "delegation.prompt_length", "99"));
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT_INT_EQ(json_object_get_int64(at(doc, "delegation.prompt_length")),
                    99);
    /* no prompt: nothing to derive */
    T_ASSERT(set_at(doc, "delegation", "{\"prompt_sent\":null}"));
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT(!json_object_object_get_ex(at(doc, "delegation"), "prompt_length",
                                        NULL));
    json_object_put(doc);
}

T_TEST(sequences_filled_in_whole_record)
{
    struct json_object *doc = parse(
        "{\"execution\":{\"actions_taken\":[{\"tool\":\"a\"},{\"tool\":\"b\"},"
        "{\"tool\":\"c\",\"sequence\":7},{\"tool\":\"d\"}]}}");
    struct json_object *exec;

    T_ASSERT(doc);
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT_INT_EQ(
        json_object_get_int64(at(doc, "execution.actions_taken[0].sequence")),
        1);
    T_ASSERT_INT_EQ(
        json_object_get_int64(at(doc, "execution.actions_taken[1].sequence")),
        2);
    T_ASSERT_INT_EQ(
        json_object_get_int64(at(doc, "execution.actions_taken[2].sequence")),
        7);
    /* after a hand-numbered action: previous + 1 */
    T_ASSERT_INT_EQ(
        json_object_get_int64(at(doc, "execution.actions_taken[3].sequence")),
        8);
    json_object_put(doc);

    /* an "execution" fragment is not numbered (its actions may be a part
     * of the record's list) but its order is still checked */
    exec = parse("{\"actions_taken\":[{\"tool\":\"a\"},{\"sequence\":3},"
                 "{\"sequence\":2}]}");
    T_ASSERT(exec);
    T_ASSERT_STR_EQ(check_result(exec, "execution", 0),
                    "execution.actions_taken[2].sequence: expected a "
                    "sequence greater than 3 (strictly increasing), got 2");
    T_ASSERT(set_at(exec, "actions_taken", "[{\"tool\":\"a\"}]"));
    T_ASSERT_STR_EQ(check_result(exec, "execution", 0), "ok");
    T_ASSERT(at(exec, "actions_taken[0].sequence") == NULL);
    json_object_put(exec);
}

T_TEST(free_form_fields_accept_any_json)
{
    T_ASSERT_STR_EQ(SPEC_CHECK("agent_metadata.configuration",
                               "{\"model\":\"x\"}",
                               "execution.real_time_status", "[1,2]",
                               "execution.resource_usage", "{\"cpu_ms\":12}",
                               "output.structured_data", "{\"a\":[null,true]}",
                               "verification.expected_vs_actual", "42",
                               "quality_metrics.adherence_to_standards", "0.9",
                               "learning.agent_performance", "false"),
                    "ok");
    T_ASSERT_STR_EQ(SPEC_CHECK("quality_metrics.adherence_to_standards",
                               "{\"score\":0.9,\"rules\":[\"a\"]}"),
                    "ok");
    /* every non-mandatory field may be null */
    T_ASSERT_STR_EQ(SPEC_CHECK("execution_id", "null", "timestamp_end", "null",
                               "duration_ms", "null", "main_agent_context",
                               "null", "execution", "null", "output", "null",
                               "verification",
                               "{\"status\":null,\"confidence_score\":null}",
                               "issues", "null", "learning", "null"),
                    "ok");
}

/* ---- unknown keys ---- */

static const char unknown_text[] =
    "{\"zeta\":1,\"session_id\":\"s\",\"usage\":{\"input_tokens\":10},"
    "\"alpha\":{\"x\":[1]},"
    "\"agent_metadata\":{\"team\":\"core\",\"name\":\"n\"},"
    "\"execution\":{\"actions_taken\":[{\"tokens\":5,\"tool\":\"Read\"}],"
    "\"note\":null},"
    "\"issues\":[{\"code\":\"E1\",\"type\":\"INFO\",\"description\":\"d\"}],"
    "\"parent_execution_id\":\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\"}";

T_TEST(unknown_keys_kept_by_check_and_shape)
{
    struct json_object *doc = parse(unknown_text), *shaped;

    T_ASSERT(doc);
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    T_ASSERT(json_object_get_int64(at(doc, "zeta")) == 1);
    shaped = et__record_shape(doc);
    T_ASSERT(shaped);
    T_ASSERT_STR_EQ(keys_of(shaped),
                    "execution_id,session_id,timestamp_start,timestamp_end,"
                    "duration_ms,main_agent_context,agent_metadata,"
                    "delegation,execution,output,verification,"
                    "quality_metrics,issues,learning,"
                    "zeta,usage,alpha,parent_execution_id");
    T_ASSERT_STR_EQ(keys_of(at(shaped, "agent_metadata")),
                    "name,version,tools_available,configuration,team");
    T_ASSERT_STR_EQ(keys_of(at(shaped, "execution")),
                    "actions_taken,real_time_status,resource_usage,note");
    T_ASSERT_STR_EQ(keys_of(at(shaped, "execution.actions_taken[0]")),
                    "sequence,tool,action,input,output,timestamp,success,"
                    "error,tokens");
    T_ASSERT_STR_EQ(keys_of(at(shaped, "issues[0]")),
                    "type,description,impact,resolution,prevention,code");
    T_ASSERT(deep_equal(at(shaped, "alpha"), at(doc, "alpha"), true));
    T_ASSERT(deep_equal(at(shaped, "usage"), at(doc, "usage"), true));
    /* absent objects are null, absent lists [] */
    T_ASSERT(at(shaped, "output") == NULL);
    T_ASSERT(json_object_object_get_ex(shaped, "output", NULL));
    T_ASSERT_INT_EQ(json_object_array_length(at(shaped, "issues")), 1);
    T_ASSERT_INT_EQ(
        json_object_array_length(at(shaped, "agent_metadata.tools_available")),
        0);
    json_object_put(shaped);
    json_object_put(doc);
}

T_TEST(unknown_keys_kept_by_struct_round_trip)
{
    struct json_object *doc = parse(unknown_text), *shaped, *back;
    struct et_error err = ET_ERROR_INIT;
    struct et_record *r = NULL;
    char *out = NULL;

    T_ASSERT(doc);
    T_ASSERT_OK(
        et_record_parse(unknown_text, strlen(unknown_text), 0, &r, &err));
    T_ASSERT_STR_EQ(r->extra_json,
                    "{\"zeta\":1,\"usage\":{\"input_tokens\":10},"
                    "\"alpha\":{\"x\":[1]},\"parent_execution_id\":"
                    "\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\"}");
    T_ASSERT_STR_EQ(r->agent_metadata.extra_json, "{\"team\":\"core\"}");
    T_ASSERT_STR_EQ(r->execution.extra_json, "{\"note\":null}");
    T_ASSERT_STR_EQ(r->execution.actions[0].extra_json, "{\"tokens\":5}");
    T_ASSERT_STR_EQ(r->issues[0].extra_json, "{\"code\":\"E1\"}");
    T_ASSERT(r->output.extra_json == NULL);
    T_ASSERT(!r->output.is_present);
    T_ASSERT(r->execution.is_present);
    T_ASSERT_OK(et_record_to_json(r, 0, &out, NULL, &err));
    back = parse(out);
    T_ASSERT(back);
    T_ASSERT_STR_EQ(check_result(doc, "", 0), "ok");
    shaped = et__record_shape(doc);
    T_ASSERT(shaped);
    T_ASSERT(deep_equal(back, shaped, true));
    json_object_put(back);
    json_object_put(shaped);
    json_object_put(doc);
    et_record_free_string(out);
    et_record_free(r);
}

/* ---- json -> check -> struct -> json equals json -> check -> shape ---- */

T_TEST(round_trip_matches_shape)
{
    static const char *const docs[] = {
        "{}",
        "{\"output\":{},\"learning\":{\"insights_gained\":null}}",
        "{\"timestamp_start\":\"2025-01-16T12:30:00.5+02:00\","
        "\"timestamp_end\":\"2025-01-16T10:31:00Z\","
        "\"delegation\":{\"prompt_sent\":\"abc\"},"
        "\"execution\":{\"actions_taken\":[{},{\"success\":false}]}}",
        "{\"verification\":{\"confidence_score\":0,\"status\":\"ERROR\","
        "\"expected_vs_actual\":{\"k\":[1,2.5,\"x\"]}},"
        "\"quality_metrics\":{\"adherence_to_standards\":7,"
        "\"accuracy\":\"LOW\",\"efficiency\":\"MEDIUM\"},"
        "\"issues\":[{\"type\":\"WARNING\"},{}],\"x\":{\"y\":{}}}",
    };

    for (size_t i = 0; i < ET_ARRAY_SIZE(docs); i++) {
        struct json_object *doc = parse(docs[i]), *enc, *shaped;
        struct et_error err = ET_ERROR_INIT;
        struct et_record *r = NULL;

        T_ASSERT(doc);
        T_ASSERT_OK(et__record_decode(doc, &r, &err));
        enc = et__record_encode(r);
        shaped = et__record_shape(doc);
        T_ASSERT(enc && shaped);
        if (!deep_equal(enc, shaped, true))
            t_fail(__FILE__, __LINE__, "doc %zu: encode != shape", i);
        json_object_put(enc);
        json_object_put(shaped);
        json_object_put(doc);
        et_record_free(r);
    }
}

T_TEST(shape_of_empty_record)
{
    struct json_object *doc = parse("{}"), *shaped;

    T_ASSERT(doc);
    shaped = et__record_shape(doc);
    T_ASSERT(shaped);
    T_ASSERT_INT_EQ(json_object_object_length(shaped), 14);
    T_ASSERT(at(shaped, "session_id") == NULL);
    T_ASSERT(json_object_is_type(at(shaped, "issues"), json_type_array));
    T_ASSERT(at(shaped, "execution") == NULL);
    json_object_put(shaped);
    /* not an object: the shape of {} */
    shaped = et__record_shape(NULL);
    T_ASSERT(shaped);
    T_ASSERT_INT_EQ(json_object_object_length(shaped), 14);
    json_object_put(shaped);
    json_object_put(doc);
}

/* ---- fragments ---- */

T_TEST(fragments_each_path)
{
    static const struct {
        const char *path, *good, *bad, *msg;
    } cases[] = {
        {"main_agent_context", "{\"user_request\":\"u\",\"x\":1}",
         "{\"risk_assessment\":[]}",
         "main_agent_context.risk_assessment: expected string, got array"},
        {"agent_metadata", "{\"name\":\"n\",\"tools_available\":[\"a\"]}",
         "{\"tools_available\":[1]}",
         "agent_metadata.tools_available[0]: expected string, got integer"},
        {"delegation", "{\"prompt_sent\":\"p\"}",
         "{\"prompt_length\":\"long\"}",
         "delegation.prompt_length: expected integer, got string"},
        {"execution", "{\"actions_taken\":[{\"tool\":\"t\"}]}",
         "{\"actions_taken\":[{\"timestamp\":\"now\"}]}",
         "execution.actions_taken[0].timestamp: expected an RFC 3339 "
         "date-time, got \"now\""},
        {"execution.actions_taken[]", "{\"tool\":\"t\",\"sequence\":4}",
         "{\"success\":1}",
         "execution.actions_taken[].success: expected boolean, got integer"},
        {"output", "{\"files_modified\":[]}", "{\"api_calls_made\":{}}",
         "output.api_calls_made: expected array, got object"},
        {"verification", "{\"status\":\"MISMATCH\"}",
         "{\"confidence_score\":2}",
         "verification.confidence_score: expected number in [0, 1], got 2"},
        {"quality_metrics", "{\"completeness\":\"LOW\"}",
         "{\"completeness\":\"NONE\"}",
         "quality_metrics.completeness: expected one of HIGH, MEDIUM, LOW, "
         "got \"NONE\""},
        {"issues[]", "{\"type\":\"INFO\",\"description\":\"d\"}",
         "{\"type\":\"FATAL\"}",
         "issues[].type: expected one of ERROR, WARNING, INFO, got "
         "\"FATAL\""},
        {"learning", "{\"process_improvements\":[\"p\"]}",
         "{\"insights_gained\":\"one\"}",
         "learning.insights_gained: expected array, got string"},
        {"", "{\"session_id\":\"s\"}", "{\"session_id\":1}",
         "session_id: expected string, got integer"},
    };

    for (size_t i = 0; i < ET_ARRAY_SIZE(cases); i++) {
        struct json_object *good = parse(cases[i].good);
        struct json_object *bad = parse(cases[i].bad);
        struct json_object *empty = parse("{}");

        T_ASSERT(good && bad && empty);
        T_ASSERT_STR_EQ(check_result(good, cases[i].path, 0), "ok");
        T_ASSERT_STR_EQ(check_result(empty, cases[i].path, 0), "ok");
        T_ASSERT_STR_EQ(check_result(bad, cases[i].path, 0), cases[i].msg);
        json_object_put(good);
        json_object_put(bad);
        json_object_put(empty);
    }
}

T_TEST(fragments_mandatory_fields)
{
    static const struct {
        const char *path, *msg;
    } cases[] = {
        {"agent_metadata", "agent_metadata.name: missing mandatory field"},
        {"delegation", "delegation.prompt_sent: missing mandatory field"},
        {"execution.actions_taken[]",
         "execution.actions_taken[].tool: missing mandatory field"},
        {"issues[]", "issues[].type: missing mandatory field"},
        {"", "session_id: missing mandatory field"},
        {"main_agent_context", "ok"},
        {"execution", "ok"},
        {"output", "ok"},
        {"verification", "ok"},
        {"quality_metrics", "ok"},
        {"learning", "ok"},
    };
    struct json_object *empty = parse("{}"), *issue, *deleg;

    T_ASSERT(empty);
    for (size_t i = 0; i < ET_ARRAY_SIZE(cases); i++)
        T_ASSERT_STR_EQ(check_result(empty, cases[i].path, ET_CHECK_COMPLETE),
                        cases[i].msg);
    json_object_put(empty);
    issue = parse("{\"type\":\"WARNING\"}");
    T_ASSERT(issue);
    T_ASSERT_STR_EQ(check_result(issue, "issues[]", ET_CHECK_COMPLETE),
                    "issues[].description: missing mandatory field");
    json_object_put(issue);
    /* the delegation fragment derives its prompt_length too */
    deleg = parse("{\"prompt_sent\":\"h\xc3\xa9\"}");
    T_ASSERT(deleg);
    T_ASSERT_STR_EQ(check_result(deleg, "delegation", ET_CHECK_COMPLETE), "ok");
    T_ASSERT_INT_EQ(json_object_get_int64(at(deleg, "prompt_length")), 2);
    json_object_put(deleg);
}

/* ---- the public struct API ---- */

T_TEST(parse_errors)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_record *r = (struct et_record *)&err; /* must be reset */
    static const char bad_type[] = "{\"duration_ms\":\"1s\"}";
    static const char bad_syntax[] = "{\"session_id\":";
    static const char incomplete[] = "{\"session_id\":\"s\"}";

    T_ASSERT_RC(et_record_parse(bad_type, strlen(bad_type), 0, &r, &err),
                ET_EINPUT);
    T_ASSERT(r == NULL);
    T_ASSERT_STR_EQ(err.msg, "duration_ms: expected integer, got string");
    T_ASSERT_RC(et_record_parse(bad_syntax, strlen(bad_syntax), 0, &r, &err),
                ET_EINPUT);
    T_ASSERT(r == NULL);
    T_ASSERT_RC(et_record_parse(incomplete, strlen(incomplete),
                                ET_RECORD_COMPLETE, &r, &err),
                ET_EINPUT);
    T_ASSERT_STR_EQ(err.msg, "timestamp_start: missing mandatory field");
    T_ASSERT_OK(et_record_parse(incomplete, strlen(incomplete), 0, &r, &err));
    T_ASSERT(r != NULL);
    T_ASSERT_INT_EQ(r->duration_ms, -1);
    T_ASSERT_INT_EQ(r->timestamp_start_ns, 0);
    T_ASSERT_INT_EQ(r->delegation.prompt_length, -1);
    T_ASSERT(isnan(r->verification.confidence_score));
    T_ASSERT_INT_EQ(r->verification.manual_verification_required, -1);
    T_ASSERT_INT_EQ(r->verification.status, ET_VERIFY_NONE);
    T_ASSERT_STR_EQ(r->execution_id, "");
    et_record_free(r);
    T_ASSERT_RC(et_record_parse(NULL, 0, 0, &r, &err), ET_EINVAL);
    et_record_free(NULL);
    et_record_free_string(NULL);
}

T_TEST(to_json_of_edited_struct)
{
    static const char text[] = "{\"session_id\":\"s\",\"output\":{}}";
    struct et_error err = ET_ERROR_INIT;
    struct et_record *r = NULL;
    struct json_object *back;
    char *out = NULL;

    T_ASSERT_OK(et_record_parse(text, strlen(text), 0, &r, &err));
    /* a builder sets members of an absent object: the object appears */
    r->delegation.prompt_sent = et__strdup("do it");
    r->verification.status = ET_VERIFY_PARTIAL;
    r->timestamp_start_ns = INT64_C(1737023400000000000);
    r->timestamp_end_ns = r->timestamp_start_ns + INT64_C(2500000000);
    T_ASSERT_OK(et_record_to_json(r, 0, &out, NULL, &err));
    back = parse(out);
    T_ASSERT(back);
    T_ASSERT_STR_EQ(str_at(back, "delegation.prompt_sent"), "do it");
    /* derived on the way out */
    T_ASSERT_INT_EQ(json_object_get_int64(at(back, "delegation.prompt_length")),
                    5);
    T_ASSERT_INT_EQ(json_object_get_int64(at(back, "duration_ms")), 2500);
    T_ASSERT_STR_EQ(str_at(back, "verification.status"), "PARTIAL");
    T_ASSERT_STR_EQ(str_at(back, "timestamp_start"),
                    "2025-01-16T10:30:00.000Z");
    /* {} stays an object, absent objects stay null */
    T_ASSERT(json_object_is_type(at(back, "output"), json_type_object));
    T_ASSERT(at(back, "learning") == NULL);
    json_object_put(back);
    et_record_free_string(out);

    r->verification.status = (enum et_verification_status)9;
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINVAL);
    T_ASSERT(out == NULL);
    T_ASSERT_STR_EQ(err.msg, "verification.status: invalid enum value 9");
    r->verification.status = ET_VERIFY_NONE;

    r->output.structured_data_json = et__strdup("{not json");
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINVAL);
    T_ASSERT_STR_CONTAINS(err.msg,
                          "output.structured_data: not valid JSON text: ");
    et__free(r->output.structured_data_json);
    r->output.structured_data_json = et__strdup("{\"ok\":true}");

    r->extra_json = et__strdup("{\"session_id\":\"again\"}");
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINVAL);
    T_ASSERT_STR_EQ(err.msg, "extra_json: key \"session_id\" is a spec field");
    et__free(r->extra_json);
    r->extra_json = et__strdup("[1]");
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINVAL);
    T_ASSERT_STR_EQ(err.msg, "extra_json: not a JSON object");
    et__free(r->extra_json);
    r->extra_json = NULL;

    snprintf(r->execution_id, sizeof(r->execution_id), "not-a-uuid");
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_EQ(err.msg, "execution_id: expected a UUID (8-4-4-4-12 hex "
                             "digits), got \"not-a-uuid\"");
    r->execution_id[0] = '\0';

    r->timestamp_end_ns = r->timestamp_start_ns - 1000000;
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "timestamp_end: ");
    r->timestamp_end_ns = 0;

    r->delegation.instructions = et__strdup("bad \xff byte");
    T_ASSERT_RC(et_record_to_json(r, 0, &out, NULL, &err), ET_EINVAL);
    et__free(r->delegation.instructions);
    r->delegation.instructions = NULL;
    T_ASSERT_OK(et_record_to_json(r, ET_RECORD_PRETTY, &out, NULL, &err));
    et_record_free_string(out);
    et_record_free(r);
}

T_TEST(enum_names)
{
    T_ASSERT_STR_EQ(et_verification_status_name(ET_VERIFY_MATCH), "MATCH");
    T_ASSERT_STR_EQ(et_verification_status_name(ET_VERIFY_PARTIAL), "PARTIAL");
    T_ASSERT_STR_EQ(et_verification_status_name(ET_VERIFY_MISMATCH),
                    "MISMATCH");
    T_ASSERT_STR_EQ(et_verification_status_name(ET_VERIFY_ERROR), "ERROR");
    T_ASSERT(et_verification_status_name(ET_VERIFY_NONE) == NULL);
    T_ASSERT_STR_EQ(et_level_name(ET_LEVEL_LOW), "LOW");
    T_ASSERT_STR_EQ(et_level_name(ET_LEVEL_MEDIUM), "MEDIUM");
    T_ASSERT_STR_EQ(et_level_name(ET_LEVEL_HIGH), "HIGH");
    T_ASSERT(et_level_name((enum et_level)7) == NULL);
    T_ASSERT(ET_LEVEL_LOW < ET_LEVEL_MEDIUM && ET_LEVEL_MEDIUM < ET_LEVEL_HIGH);
    T_ASSERT_STR_EQ(et_issue_type_name(ET_ISSUE_WARNING), "WARNING");
    T_ASSERT(et_issue_type_name(ET_ISSUE_NONE) == NULL);
}

T_MAIN("model", T_CASE(spec_record_validates_and_shapes),
       T_CASE(spec_record_struct_round_trip), T_CASE(error_wrong_scalar_type),
       T_CASE(error_nested_array_paths), T_CASE(error_enum_values),
       T_CASE(error_timestamps), T_CASE(error_mandatory_fields),
       T_CASE(error_not_mandatory_without_complete), T_CASE(error_duration),
       T_CASE(error_container_types), T_CASE(error_ids),
       T_CASE(error_numbers_out_of_range), T_CASE(error_sequence_order),
       T_CASE(error_message_quotes_and_shortens_values),
       T_CASE(error_root_and_path_argument), T_CASE(spec_placeholders_rejected),
       T_CASE(timestamps_normalised_to_utc),
       T_CASE(ids_normalised_to_lower_case), T_CASE(duration_derived),
       T_CASE(prompt_length_derived), T_CASE(sequences_filled_in_whole_record),
       T_CASE(free_form_fields_accept_any_json),
       T_CASE(unknown_keys_kept_by_check_and_shape),
       T_CASE(unknown_keys_kept_by_struct_round_trip),
       T_CASE(round_trip_matches_shape), T_CASE(shape_of_empty_record),
       T_CASE(fragments_each_path), T_CASE(fragments_mandatory_fields),
       T_CASE(parse_errors), T_CASE(to_json_of_edited_struct),
       T_CASE(enum_names))
