/* SPDX-License-Identifier: MIT */
/*
 * Analysis: verdicts of hand-built executions (MATCH, PARTIAL, MISMATCH,
 * ERROR, manual verification) with their confidence and evidence, the
 * success-criteria block of a prompt, failure signatures (both directions),
 * the analysis on complete and verify-outcome through the trail, efficiency
 * against the agent's history, the config section, and similar executions
 * on a generated corpus with planted near-duplicates.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "exectrail/exectrail.h"
#include "analysis/analysis_int.h"
#include "query/ast.h"
#include "t.h"

#define JS(lit) (lit), strlen(lit)

/* A record: response (NULL = no output at all) and actions JSON array. */
static char *record(const char *response, const char *actions,
                    const char *prompt)
{
    char *s = NULL;

    if (asprintf(&s,
                 "{\"execution_id\":\"00000000-0000-4000-8000-000000000001\","
                 "\"session_id\":\"s\",\"timestamp_start\":"
                 "\"2025-01-16T10:00:00Z\",\"timestamp_end\":"
                 "\"2025-01-16T10:01:00Z\",\"duration_ms\":60000,"
                 "\"agent_metadata\":{\"name\":\"coder\"},"
                 "\"delegation\":{\"prompt_sent\":%s},"
                 "\"execution\":{\"actions_taken\":%s}%s%s%s}",
                 prompt ? prompt : "\"fix it\"", actions,
                 response ? ",\"output\":{\"raw_response\":\"" : "",
                 response ? response : "",
                 response ? "\",\"files_modified\":[\"src/a.c\"]}" : "") < 0)
        return NULL;
    return s;
}

static const char acts_ok[] =
    "[{\"sequence\":1,\"tool\":\"Read\",\"input\":\"src/a.c\","
    "\"success\":true},{\"sequence\":2,\"tool\":\"Bash\",\"input\":"
    "\"make test\",\"output\":\"17 passed\",\"success\":true}]";

/* Verify rec against criteria; the verification object (caller puts). */
static struct json_object *verify(const char *rec, const char *const *crit)
{
    struct et_error err = ET_ERROR_INIT;
    char *json = NULL;
    struct json_object *o;

    if (et_verify_record(rec, strlen(rec), crit, &json, &err) != ET_OK) {
        printf("# verify: %s\n", err.msg);
        return NULL;
    }
    o = json_tokener_parse(json);
    et_trail_free_string(json);
    return o;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    json_object_object_get_ex(o, k, &v);
    return v;
}

static const char *jstr(struct json_object *o, const char *k)
{
    return json_object_get_string(jget(o, k));
}

static const char *evidence(struct json_object *v, size_t i)
{
    return jstr(json_object_array_get_idx(jget(v, "criteria"), i),
                "evidence");
}

static const char *result(struct json_object *v, size_t i)
{
    return jstr(json_object_array_get_idx(jget(v, "criteria"), i), "result");
}

T_TEST(all_pass_is_match)
{
    static const char *const crit[] = {
        "output.raw_response ~ \"all tests passed\"",
        "action(tool = Bash AND input ~ \"make test\" AND success)",
        "NOT files_modified:*.env", NULL};
    char *rec = record("Done: all tests passed.", acts_ok, NULL);
    struct json_object *v = verify(rec, crit);

    T_ASSERT(v != NULL);
    T_ASSERT_STR_EQ(jstr(v, "status"), "MATCH");
    T_ASSERT(json_object_get_double(jget(v, "confidence_score")) == 1.0);
    T_ASSERT_INT_EQ(json_object_array_length(jget(v, "success_criteria_met")),
                    3);
    T_ASSERT_INT_EQ(
        json_object_array_length(jget(v, "success_criteria_failed")), 0);
    T_ASSERT(!json_object_get_boolean(jget(v, "manual_verification_required")));
    T_ASSERT_STR_CONTAINS(evidence(v, 0), "all tests passed");
    /* the action that decided it is named */
    T_ASSERT_STR_CONTAINS(evidence(v, 1), "action #2 (Bash)");
    T_ASSERT_STR_CONTAINS(jstr(v, "expected_vs_actual"), "3 passed, 0 failed");
    json_object_put(v);
    free(rec);
}

T_TEST(some_pass_is_partial)
{
    static const char *const crit[] = {
        "output.raw_response ~ \"all tests passed\"",
        "action(tool = Edit)", "duration_ms < 30s", "n_actions >= 2", NULL};
    char *rec = record("all tests passed", acts_ok, NULL);
    struct json_object *v = verify(rec, crit);

    T_ASSERT(v != NULL);
    T_ASSERT_STR_EQ(jstr(v, "status"), "PARTIAL");
    /* 2 of 4 evaluable criteria */
    T_ASSERT(json_object_get_double(jget(v, "confidence_score")) == 0.5);
    T_ASSERT_STR_EQ(result(v, 1), "failed");
    T_ASSERT_STR_EQ(evidence(v, 1), "no action of 2 matches");
    T_ASSERT_STR_EQ(evidence(v, 2), "duration_ms is 60000");
    T_ASSERT_STR_EQ(evidence(v, 3), "n_actions is 2");
    T_ASSERT_STR_CONTAINS(jstr(v, "expected_vs_actual"),
                          "Failed: action(tool = Edit) (no action of 2 "
                          "matches)");
    json_object_put(v);
    free(rec);
}

T_TEST(none_pass_is_mismatch)
{
    static const char *const crit[] = {"output.raw_response ~ \"LGTM\"",
                                       "files_modified:docs/*", NULL};
    char *rec = record("changes requested", acts_ok, NULL);
    struct json_object *v = verify(rec, crit);

    T_ASSERT(v != NULL);
    T_ASSERT_STR_EQ(jstr(v, "status"), "MISMATCH");
    T_ASSERT(json_object_get_double(jget(v, "confidence_score")) == 0.0);
    T_ASSERT_STR_EQ(evidence(v, 0),
                    "output.raw_response is \"changes requested\"");
    T_ASSERT_STR_EQ(evidence(v, 1),
                    "none of the 1 items of output.files_modified matches");
    json_object_put(v);
    free(rec);
}

T_TEST(errored_is_error)
{
    static const char *const crit[] = {"n_actions >= 1", NULL};
    char *rec = record(NULL,
                       "[{\"sequence\":1,\"tool\":\"Bash\",\"success\":false,"
                       "\"error\":\"killed\"}]",
                       NULL);
    struct json_object *v = verify(rec, crit);

    T_ASSERT(v != NULL);
    /* the one criterion passes, but the execution itself errored */
    T_ASSERT_STR_EQ(result(v, 0), "passed");
    T_ASSERT_STR_EQ(jstr(v, "status"), "ERROR");
    T_ASSERT_STR_CONTAINS(jstr(v, "expected_vs_actual"),
                          "an action failed and no response was recorded");
    json_object_put(v);
    free(rec);
}

T_TEST(unevaluable_needs_manual_verification)
{
    static const char *const only_unknown[] = {
        "output.raw_response ~ ok", "verification.status = MATCH", NULL};
    static const char *const mixed[] = {"n_actions = 2",
                                        "output.raw_response ~ ok", NULL};
    char *rec = record(NULL, acts_ok, NULL);
    struct json_object *v = verify(rec, only_unknown);

    T_ASSERT(v != NULL);
    /* no output recorded at all: the response cannot be judged */
    T_ASSERT_STR_EQ(result(v, 0), "not_evaluable");
    T_ASSERT_STR_EQ(evidence(v, 0), "output.raw_response is not recorded");
    T_ASSERT_STR_EQ(result(v, 1), "not_evaluable");
    T_ASSERT_STR_EQ(jstr(v, "status"), "ERROR");
    T_ASSERT(json_object_get_boolean(jget(v, "manual_verification_required")));
    json_object_put(v);
    v = verify(rec, mixed);
    T_ASSERT(v != NULL);
    T_ASSERT_STR_EQ(jstr(v, "status"), "PARTIAL");
    T_ASSERT(json_object_get_double(jget(v, "confidence_score")) == 1.0);
    T_ASSERT(json_object_get_boolean(jget(v, "manual_verification_required")));
    json_object_put(v);
    free(rec);
}

T_TEST(criteria_from_the_prompt)
{
    const char *prompt =
        "\"Fix the bug.\\n```python\\nnot = a criterion\\n```\\n"
        "```success-criteria\\n# comment\\n\\n  output.raw_response ~ "
        "fixed  \\nduraton_ms < 5\\n```\\n\"";
    char *rec = record("fixed it", acts_ok, prompt);
    struct json_object *v = verify(rec, NULL);

    T_ASSERT(v != NULL);
    T_ASSERT_INT_EQ(json_object_array_length(jget(v, "criteria")), 2);
    T_ASSERT_STR_EQ(
        jstr(json_object_array_get_idx(jget(v, "criteria"), 0), "source"),
        "prompt");
    T_ASSERT_STR_EQ(result(v, 0), "passed");
    /* a criterion that does not compile: the error names the column and
     * the verdict is ERROR (criteria could not run) */
    T_ASSERT_STR_EQ(result(v, 1), "not_evaluable");
    T_ASSERT_STR_CONTAINS(evidence(v, 1),
                          "unknown field 'duraton_ms' at column 1");
    T_ASSERT_STR_EQ(jstr(v, "status"), "ERROR");
    json_object_put(v);
    free(rec);
}

T_TEST(defaults_without_criteria)
{
    char *rec = record("done", acts_ok, NULL);
    struct json_object *v = verify(rec, NULL);

    T_ASSERT(v != NULL);
    T_ASSERT_STR_EQ(jstr(v, "status"), "MATCH");
    T_ASSERT_STR_EQ(
        jstr(json_object_array_get_idx(jget(v, "criteria"), 0), "source"),
        "default");
    /* nothing said what success is: a person should look */
    T_ASSERT(json_object_get_boolean(jget(v, "manual_verification_required")));
    json_object_put(v);
    free(rec);
}

struct lines {
    char got[512];
};

static int collect(void *ctx, const char *text, size_t len, unsigned line)
{
    struct lines *l = ctx;
    size_t n = strlen(l->got);

    snprintf(l->got + n, sizeof(l->got) - n, "%u:%.*s|", line, (int)len,
             text);
    return 0;
}

T_TEST(prompt_block_extraction)
{
    static const struct {
        const char *prompt, *want;
    } cases[] = {
        {"no block here", ""},
        {"```success-criteria\na = 1\n```\n", "2:a = 1|"},
        {"x\n~~~success-criteria\n a\n# no\n\n b \n~~~\nafter\n",
         "3:a|6:b|"},
        /* another language's block is not criteria */
        {"```sh\nmake test\n```\n```success-criteria\nc\n```", "5:c|"},
        /* a block that is not closed runs to the end */
        {"```success-criteria\nd\ne", "2:d|3:e|"},
        /* a fence of another kind does not close it */
        {"```success-criteria\nf\n~~~\ng\n```", "2:f|3:~~~|4:g|"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lines l = {""};

        T_ASSERT_OK(et_criteria_from_prompt(JS(cases[i].prompt), collect, &l));
        T_ASSERT_STR_EQ(l.got, cases[i].want);
    }
}

static void sig(const char *tool, const char *msg, char out[ET_SIGNATURE_MAX])
{
    et_signature(tool, msg, strlen(msg), out, ET_SIGNATURE_MAX);
}

T_TEST(signatures_group_variable_parts)
{
    /* pairs that must give the same signature */
    static const char *const same[][2] = {
        {"exit status 2", "exit status 127"},
        {"make: *** [test] Error 2", "make: *** [test] Error 1"},
        {"cannot open /home/a/src/x.c: No such file",
         "cannot open ./lib/y.h: No such file"},
        {"session 3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c expired",
         "session 00000000-0000-4000-8000-000000000001 expired"},
        {"bad object deadbeef12", "bad object 0a1b2c3d4e"},
        {"segfault at 0x7ffd1234", "segfault at 0xdeadbeef"},
        {"timeout after 30.5 s", "timeout after 120 s"},
        {"at 2025-01-16T10:00:00Z: busy", "at 2024-12-31T23:59:59.123Z: busy"},
        {"unknown option '--foo'", "unknown option '--barbaz'"},
        {"GET https://api.github.com/repos/a/b failed",
         "GET http://example.org/x failed"},
        {"  too   many\n blanks ", "too many blanks"},
        {"line 12, column 5: syntax error", "line 7, column 41: syntax error"},
    };
    /* pairs that must stay apart */
    static const char *const apart[][2] = {
        {"permission denied", "file not found"},
        {"exit status 2", "killed by signal 9"},
        {"error E0425", "error E0308"},
        {"cannot open x: No such file", "cannot write x: No such file"},
        {"utf8 decode error", "utf16 decode error"},
        {"connection refused", "connection reset"},
        {"deadbeef", "cafebabe"},
    };
    char a[ET_SIGNATURE_MAX], b[ET_SIGNATURE_MAX];

    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        sig(NULL, same[i][0], a);
        sig(NULL, same[i][1], b);
        T_ASSERT_STR_EQ(a, b);
    }
    for (size_t i = 0; i < sizeof(apart) / sizeof(apart[0]); i++) {
        sig(NULL, apart[i][0], a);
        sig(NULL, apart[i][1], b);
        if (!strcmp(a, b))
            t_fail(__FILE__, __LINE__, "'%s' and '%s' both give '%s'",
                   apart[i][0], apart[i][1], a);
        T_ASSERT(strcmp(a, b) != 0);
    }
    /* the exact forms (written out by hand) */
    sig("Bash", "make: *** [test] Error 2 at /src/p.c:42", a);
    T_ASSERT_STR_EQ(a, "Bash: make: *** [test] Error N at <path>");
    sig(NULL, "job 3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c took 1,500 ms", a);
    T_ASSERT_STR_EQ(a, "job <id> took N ms");
    sig(NULL, "read 'a.txt' at 2025-01-16 via https://x.org/y", a);
    T_ASSERT_STR_EQ(a, "read '<str>' at <time> via <url>");
    /* the ceiling cuts on a UTF-8 boundary */
    {
        char big[600], small[8];
        size_t n;

        memset(big, 'x', sizeof(big));
        memcpy(big + 4, "\xc3\xa9\xc3\xa9", 4);
        big[sizeof(big) - 1] = '\0';
        n = et_signature(NULL, big, strlen(big), small, sizeof(small));
        T_ASSERT_INT_EQ(n, 6);
        T_ASSERT_STR_EQ(small, "xxxx\xc3\xa9");
    }
}

/* ---- through the trail ---- */

static struct et_trail *open_fresh(const char *name)
{
    char path[512];
    struct et_trail *t = NULL;
    struct et_error err = ET_ERROR_INIT;

    snprintf(path, sizeof(path), "%s/%s/trail.db", t_tmpdir(), name);
    if (et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err) != ET_OK) {
        printf("# open: %s\n", err.msg);
        return NULL;
    }
    return t;
}

static struct json_object *show(struct et_trail *t, const char *id)
{
    struct et_error err = ET_ERROR_INIT;
    char *json = NULL;
    struct json_object *o = NULL;

    if (et_trail_show(t, id, 0, &json, NULL, &err) == ET_OK)
        o = json_tokener_parse(json);
    et_trail_free_string(json);
    return o;
}

/* start (at minute m past 10:00, for secs seconds), n actions, complete */
static int run_one(struct et_trail *t, const char *agent, int m, int secs,
                   int n, const char *response, char id[37])
{
    struct et_error err = ET_ERROR_INIT;
    char buf[512];
    int rc;

    snprintf(buf, sizeof(buf),
             "{\"session_id\":\"s\",\"agent_metadata\":{\"name\":\"%s\"},"
             "\"timestamp_start\":\"2025-01-16T10:%02d:00Z\","
             "\"main_agent_context\":{\"user_request\":\"do it\","
             "\"success_criteria\":[\"output.raw_response ~ done\"]}}",
             agent, m);
    rc = et_trail_start(t, buf, strlen(buf), id, &err);
    for (int i = 0; !rc && i < n; i++) {
        snprintf(buf, sizeof(buf),
                 "{\"tool\":\"Bash\",\"input\":\"step %d\",\"success\":%s,"
                 "\"error\":%s}",
                 i, i == 0 && n > 1 ? "false" : "true",
                 i == 0 && n > 1 ? "\"exit status 3 in /tmp/w\"" : "null");
        rc = et_trail_action(t, id, buf, strlen(buf), NULL, &err);
    }
    if (!rc) {
        snprintf(buf, sizeof(buf), "{\"raw_response\":\"%s\"}", response);
        rc = et_trail_respond(t, id, buf, strlen(buf), &err);
    }
    if (!rc) {
        snprintf(buf, sizeof(buf),
                 "{\"timestamp_end\":\"2025-01-16T10:%02d:%02dZ\"}",
                 m + secs / 60, secs % 60);
        rc = et_trail_complete(t, id, buf, strlen(buf), &err);
    }
    if (rc)
        printf("# run_one: %s\n", err.msg);
    return rc;
}

static const char *plain(struct json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static const char *at(struct json_object *o, const char *a, const char *b)
{
    return jstr(jget(o, a), b);
}

T_TEST(complete_analyses_and_verify_outcome_appends)
{
    struct et_trail *t = open_fresh("complete");
    struct et_error err = ET_ERROR_INIT;
    static const char *const more[] = {"n_actions > 10", NULL};
    struct json_object *r;
    uint64_t size0, size1;
    char id[37], *json = NULL;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(run_one(t, "coder", 0, 10, 2, "done", id));
    r = show(t, id);
    T_ASSERT(r != NULL);
    T_ASSERT_STR_EQ(at(r, "verification", "status"), "MATCH");
    /* no delegation was recorded: 4 of the 5 parts */
    T_ASSERT_STR_EQ(at(r, "quality_metrics", "completeness"), "MEDIUM");
    T_ASSERT_STR_EQ(plain(jget(jget(r, "quality_metrics"), "details")),
                    "{\"baseline\":\"new-agent defaults\",\"missing\":"
                    "[\"prompt\"],\"policy_checks\":[{\"check\":\"no "
                    "secrets in output\",\"passed\":true},{\"check\":\"no "
                    "sensitive files modified\",\"passed\":true},{\"check\":"
                    "\"no failed action left unhandled\",\"passed\":true}]}");
    T_ASSERT_STR_EQ(at(r, "quality_metrics", "accuracy"), "HIGH");
    /* the failed first action is an issue, recovered by the second */
    T_ASSERT_INT_EQ(json_object_array_length(jget(r, "issues")), 1);
    T_ASSERT_STR_EQ(jstr(json_object_array_get_idx(jget(r, "issues"), 0),
                         "type"),
                    "WARNING");
    T_ASSERT_STR_EQ(jstr(json_object_array_get_idx(jget(r, "issues"), 0),
                         "signature"),
                    "Bash: exit status N in <path>");
    json_object_put(r);
    /* verify-outcome: one new event, the verdict changes, the old one
     * stays in the ledger */
    T_ASSERT_OK(et_trail_size(t, &size0, &err));
    T_ASSERT_OK(et_trail_verify_outcome(t, id, more, 0, &json, &err));
    T_ASSERT_STR_CONTAINS(json, "\"PARTIAL\"");
    et_trail_free_string(json);
    T_ASSERT_OK(et_trail_size(t, &size1, &err));
    T_ASSERT_INT_EQ(size1, size0 + 1);
    r = show(t, id);
    T_ASSERT_STR_EQ(at(r, "verification", "status"), "PARTIAL");
    json_object_put(r);
    /* --only with a bad criterion: nothing stored, the column named */
    {
        static const char *const bad[] = {"n_actions >", NULL};

        T_ASSERT_RC(et_trail_verify_outcome(t, id, bad, ET_VERIFY_ONLY_GIVEN,
                                            NULL, &err),
                    ET_EINPUT);
        T_ASSERT_STR_CONTAINS(err.msg, "criterion 1:");
        T_ASSERT_STR_CONTAINS(err.msg, "column");
        T_ASSERT_OK(et_trail_size(t, &size0, &err));
        T_ASSERT_INT_EQ(size0, size1);
    }
    T_ASSERT_RC(et_trail_verify_outcome(t, "abcdabcd", NULL, 0, NULL, &err),
                ET_ENOTFOUND);
    /* a bad criterion at start is refused there */
    T_ASSERT_RC(et_trail_start(t,
                               JS("{\"session_id\":\"s\",\"agent_metadata\":"
                                  "{\"name\":\"a\"},\"main_agent_context\":"
                                  "{\"success_criteria\":[\"ok\",\"foo = "
                                  "1\"]}}"),
                               id, &err),
                ET_EINPUT);
    T_ASSERT_STR_CONTAINS(err.msg, "main_agent_context.success_criteria[0]");
    /* a started execution cannot be verified yet */
    T_ASSERT_OK(et_trail_start(
        t, JS("{\"session_id\":\"s\",\"agent_metadata\":{\"name\":\"a\"}}"), id,
        &err));
    T_ASSERT_RC(et_trail_verify_outcome(t, id, NULL, 0, NULL, &err),
                ET_ESTATE);
    et_trail_close(t);
}

/* A failure seen in other executions lately is named with its count, which
 * stops at 100 ("100+") */
T_TEST(recurring_failures_are_counted_up_to_the_cap)
{
    struct et_trail *t = open_fresh("recurring");
    struct json_object *r;
    char id[37];

    T_ASSERT(t != NULL);
    /* the runs start at 2025-01-16T10:MM: within the 7 days before this */
    setenv("EXECTRAIL_NOW", "2025-01-17T00:00:00Z", 1);
    for (int i = 0; i < 3; i++)
        T_ASSERT_OK(run_one(t, "coder", 0, 10, 2, "done", id));
    r = show(t, id);
    T_ASSERT_STR_CONTAINS(plain(jget(r, "learning")),
                          "failure 'Bash: exit status N in <path>' seen 2 "
                          "times in the last days across 1 agent\"");
    T_ASSERT_STR_CONTAINS(plain(jget(r, "issues")),
                          "recurring failure (2 times in 1 agents lately)");
    json_object_put(r);
    for (int i = 0; i < 98; i++)
        T_ASSERT_OK(run_one(t, i % 2 ? "coder" : "tester", 1, 10, 2, "done",
                            id));
    r = show(t, id);
    T_ASSERT_STR_CONTAINS(plain(jget(r, "learning")),
                          "seen 100+ times in the last days across 2+ agents");
    T_ASSERT_STR_CONTAINS(plain(jget(r, "issues")),
                          "recurring failure (100+ times in 2+ agents lately)");
    json_object_put(r);
    /* outside the window: not recurring */
    setenv("EXECTRAIL_NOW", "2025-03-01T00:00:00Z", 1);
    T_ASSERT_OK(run_one(t, "coder", 2, 10, 2, "done", id));
    r = show(t, id);
    T_ASSERT(strstr(plain(jget(r, "learning")), "seen ") == NULL);
    json_object_put(r);
    unsetenv("EXECTRAIL_NOW");
    et_trail_close(t);
}

T_TEST(efficiency_against_history)
{
    struct et_trail *t = open_fresh("history");
    struct json_object *r;
    char id[37], *json = NULL;
    struct et_error err = ET_ERROR_INIT;

    T_ASSERT(t != NULL);
    /* a new agent: fixed defaults (10 s, 1 action: HIGH) */
    T_ASSERT_OK(run_one(t, "tester", 0, 10, 1, "done", id));
    r = show(t, id);
    T_ASSERT_STR_EQ(at(r, "quality_metrics", "efficiency"), "HIGH");
    json_object_put(r);
    for (int i = 1; i < 6; i++)
        T_ASSERT_OK(run_one(t, "tester", i, 10, 1, "done", id));
    /* median 10 s and 1 action: 25 s is 2.5x -> MEDIUM, 50 s -> LOW */
    T_ASSERT_OK(run_one(t, "tester", 10, 25, 1, "done", id));
    r = show(t, id);
    T_ASSERT_STR_EQ(at(r, "quality_metrics", "efficiency"), "MEDIUM");
    T_ASSERT_STR_CONTAINS(plain(jget(r, "learning")),
                          "duration 2.5x the agent's median (10000 ms");
    json_object_put(r);
    T_ASSERT_OK(run_one(t, "tester", 20, 50, 1, "done", id));
    r = show(t, id);
    T_ASSERT_STR_EQ(at(r, "quality_metrics", "efficiency"), "LOW");
    json_object_put(r);
    /* another agent is judged on its own (new) history */
    T_ASSERT_OK(run_one(t, "other", 30, 50, 1, "nope", id));
    r = show(t, id);
    T_ASSERT_STR_EQ(at(r, "quality_metrics", "efficiency"), "HIGH");
    T_ASSERT_STR_EQ(at(r, "verification", "status"), "MISMATCH");
    json_object_put(r);
    /* insights see the history */
    T_ASSERT_OK(et_insights(t, "tester", 0, &json, &err));
    T_ASSERT_STR_CONTAINS(json, "\"executions\": 8");
    T_ASSERT_STR_CONTAINS(json, "\"median_duration_ms\": 10000");
    T_ASSERT_STR_CONTAINS(json, "\"low_efficiency\": 1");
    et_trail_free_string(json);
    T_ASSERT_RC(et_insights(t, "nobody", 0, &json, &err), ET_ENOTFOUND);
    et_trail_close(t);
}

T_TEST(config_criteria_and_errors)
{
    struct et_trail *t = open_fresh("config");
    struct et_error err = ET_ERROR_INIT;
    char path[600], id[37];
    struct json_object *r;
    FILE *f;

    T_ASSERT(t != NULL);
    snprintf(path, sizeof(path), "%s/config/config.yaml", t_tmpdir());
    f = fopen(path, "w");
    T_ASSERT(f != NULL);
    fputs("analysis:\n  agents:\n    coder:\n      criteria:\n"
          "        - 'n_actions <= 1'\n  thresholds:\n"
          "    accuracy_high: 0.8\n",
          f);
    fclose(f);
    T_ASSERT_OK(run_one(t, "coder", 0, 10, 2, "done", id));
    r = show(t, id);
    /* the start criterion passes, the configured one fails */
    T_ASSERT_STR_EQ(at(r, "verification", "status"), "PARTIAL");
    T_ASSERT_STR_CONTAINS(plain(jget(r, "verification")),
                          "\"source\":\"config\"");
    json_object_put(r);
    et_trail_close(t);
    f = fopen(path, "w");
    T_ASSERT(f != NULL);
    fputs("analysis:\n  agents:\n    coder:\n      criteria:\n"
          "        - 'n_actoins <= 1'\n",
          f);
    fclose(f);
    t = open_fresh("config");
    T_ASSERT(t != NULL);
    /* a bad section never stops a write: the defaults are used (the
     * configured criterion is gone) and a config.warning event says why */
    T_ASSERT_OK(run_one(t, "coder", 5, 10, 1, "done", id));
    r = show(t, id);
    T_ASSERT(strstr(plain(jget(r, "verification")), "\"source\":\"config\"") ==
             NULL);
    json_object_put(r);
    (void)err;
    et_trail_close(t);
}

/* ---- similar executions on a generated corpus ---- */

static const char *const vocab[] = {
    "parser", "lexer", "token", "cache", "index", "schema", "router",
    "socket", "thread", "buffer", "config", "logger", "metric", "report",
    "upload", "invoice", "payment", "session", "widget", "sidebar",
    "layout", "font", "color", "image", "resize", "thumbnail", "queue",
    "worker", "retry", "backoff", "deadline", "timeout", "migration",
    "column", "table", "query", "plan", "vector", "matrix", "kernel"};

static void words(unsigned *seed, char *out, size_t cap, int n)
{
    size_t len = 0;

    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "",
                                vocab[(*seed >> 16) % (sizeof(vocab) /
                                                       sizeof(vocab[0]))]);
    }
}

static int rec_with(struct et_trail *t, int i, const char *agent,
                    const char *request, const char *prompt, char id[37])
{
    char buf[1024];
    struct et_error err = ET_ERROR_INIT;

    snprintf(buf, sizeof(buf),
             "{\"execution_id\":\"00000000-0000-4000-8000-%012d\","
             "\"session_id\":\"s\",\"timestamp_start\":"
             "\"2025-01-16T10:00:00Z\",\"agent_metadata\":{\"name\":\"%s\"},"
             "\"main_agent_context\":{\"user_request\":\"%s\"},"
             "\"delegation\":{\"prompt_sent\":\"%s\"}}",
             i, agent, request, prompt);
    return et_trail_record(t, buf, strlen(buf), id, &err);
}

struct hits {
    char ids[10][37];
    bool same[10];
    size_t n;
};

static int on_similar(void *ctx, const struct et_similar_hit *h)
{
    struct hits *s = ctx;

    if (s->n < 10) {
        snprintf(s->ids[s->n], 37, "%s", h->execution_id);
        s->same[s->n] = h->is_same_agent;
        s->n++;
    }
    return 0;
}

T_TEST(similar_finds_planted_near_duplicates)
{
    struct et_trail *t = open_fresh("similar");
    struct et_error err = ET_ERROR_INIT;
    static const char *const agents[] = {"alpha", "beta", "gamma"};
    unsigned seed = 7;
    struct hits h = {0};
    char id[37], target[37], req[256], prompt[512];

    T_ASSERT(t != NULL);
    for (int i = 1; i <= 300; i++) {
        words(&seed, req, sizeof(req), 6);
        words(&seed, prompt, sizeof(prompt), 12);
        T_ASSERT_OK(rec_with(t, i, agents[i % 3], req, prompt, id));
    }
    /* the target and its near-duplicates use words no other record has */
    T_ASSERT_OK(rec_with(t, 1000, "alpha",
                         "fix the flaky websocket reconnect handshake",
                         "The websocket reconnect handshake is flaky under "
                         "load; fix the heartbeat",
                         target));
    T_ASSERT_OK(rec_with(t, 1001, "beta",
                         "fix flaky websocket reconnect handshake again",
                         "websocket reconnect handshake flaky heartbeat",
                         id));
    T_ASSERT_OK(rec_with(t, 1002, "alpha",
                         "websocket handshake flaky after reconnect",
                         "reconnect handshake heartbeat", id));
    T_ASSERT_OK(rec_with(t, 1003, "alpha", "websocket heartbeat tuning",
                         "tune the heartbeat of the websocket", id));
    T_ASSERT_OK(et_similar(t, target, 5, on_similar, &h, &err));
    T_ASSERT(h.n >= 3);
    /* the same agent's near-duplicates first, best first, then beta's */
    T_ASSERT_STR_EQ(h.ids[0], "00000000-0000-4000-8000-000000001002");
    T_ASSERT_STR_EQ(h.ids[1], "00000000-0000-4000-8000-000000001003");
    T_ASSERT(h.same[0] && h.same[1]);
    T_ASSERT_STR_EQ(h.ids[2], "00000000-0000-4000-8000-000000001001");
    T_ASSERT(!h.same[2]);
    for (size_t i = 0; i < h.n; i++)
        T_ASSERT(strcmp(h.ids[i], target) != 0);
    T_ASSERT_RC(et_similar(t, "ffffeeee", 5, on_similar, &h, &err),
                ET_ENOTFOUND);
    et_trail_close(t);
}

/* fuzz_criteria found it: a number against a field read as text with a
 * text operator reached strcmp with a NULL value (UBSan); it never holds */
T_TEST(criterion_number_against_text)
{
    static const char rec[] =
        "{\"execution_id\":\"00000000-0000-4000-8000-000000000001\","
        "\"session_id\":\"s\",\"timestamp_start\":\"2025-01-16T10:00:00Z\","
        "\"agent_metadata\":{\"name\":\"a\"},\"usage\":{\"cost\":0.5},"
        "\"delegation\":{\"prompt_sent\":\"p\"}}";
    static const char *const crit[] = {"usage.cost @ 0.", "usage.cost @ 0.5"};
    enum et_criterion_result r;
    char *ev = NULL;

    for (size_t i = 0; i < 2; i++) {
        int rc = et_criterion_eval(crit[i], strlen(crit[i]), rec,
                                   sizeof(rec) - 1, &r, &ev, NULL);

        T_ASSERT(rc == ET_OK || rc == ET_EINPUT);
        if (rc == ET_OK)
            T_ASSERT(r != ET_CRITERION_PASSED);
        et_trail_free_string(ev);
        ev = NULL;
    }
}

/* Compiled criteria are kept between analyses, except those whose meaning
 * moves with the clock; a full cache replaces its oldest entry */
T_TEST(criteria_cache_keeps_clock_free_criteria)
{
    struct et__qcache *qc = et__qcache_new();
    struct et_query *a = NULL, *b = NULL, *c = NULL;
    struct et_error err = ET_ERROR_INIT;
    bool cached = false;
    char text[64];

    T_ASSERT(qc != NULL);
    T_ASSERT(et__criterion_get(qc, "n_failed_actions = 0", 1, &a, &cached,
                               &err) == ET_OK);
    T_ASSERT(cached);
    T_ASSERT(et__criterion_get(qc, "n_failed_actions = 0", 2, &b, &cached,
                               &err) == ET_OK);
    T_ASSERT(cached);
    T_ASSERT(a == b); /* compiled once */
    /* relative to now: compiled each time with its own clock, not kept */
    T_ASSERT(et__criterion_get(qc, "since:7d", 1000, &c, &cached, &err) ==
             ET_OK);
    T_ASSERT(!cached);
    T_ASSERT(c->uses_now);
    et_query_free(c);
    T_ASSERT(et__criterion_get(qc, "since:7d", 2000, &c, &cached, &err) ==
             ET_OK);
    T_ASSERT(!cached);
    T_ASSERT(c->now_ns == 2000);
    et_query_free(c);
    /* one that does not compile is an error, never kept */
    T_ASSERT(et__criterion_get(qc, "duraton_ms > 1", 1, &c, &cached, &err) ==
             ET_EINPUT);
    T_ASSERT(!cached);
    T_ASSERT_STR_CONTAINS(err.msg, "duraton_ms");
    /* 16 more texts: the first one kept is replaced, each result right */
    for (int i = 0; i < 16; i++) {
        snprintf(text, sizeof(text), "n_actions > %d", i);
        T_ASSERT(et__criterion_get(qc, text, 1, &c, &cached, &err) == ET_OK);
        T_ASSERT(cached);
        T_ASSERT(!c->uses_now);
    }
    T_ASSERT(et__criterion_get(qc, "n_failed_actions = 0", 3, &b, &cached,
                               &err) == ET_OK);
    T_ASSERT(cached);
    T_ASSERT(et__criterion_get(qc, "n_actions > 15", 3, &c, &cached, &err) ==
             ET_OK);
    T_ASSERT(cached);
    et__qcache_free(qc);
    /* without a cache every call compiles afresh */
    T_ASSERT(et__criterion_get(NULL, "n_failed_actions = 0", 1, &a, &cached,
                               &err) == ET_OK);
    T_ASSERT(!cached);
    et_query_free(a);
}

T_MAIN("analysis", T_CASE(criteria_cache_keeps_clock_free_criteria), T_CASE(recurring_failures_are_counted_up_to_the_cap), T_CASE(criterion_number_against_text), T_CASE(all_pass_is_match), T_CASE(some_pass_is_partial),
       T_CASE(none_pass_is_mismatch), T_CASE(errored_is_error),
       T_CASE(unevaluable_needs_manual_verification),
       T_CASE(criteria_from_the_prompt), T_CASE(defaults_without_criteria),
       T_CASE(prompt_block_extraction),
       T_CASE(signatures_group_variable_parts),
       T_CASE(complete_analyses_and_verify_outcome_appends),
       T_CASE(efficiency_against_history), T_CASE(config_criteria_and_errors),
       T_CASE(similar_finds_planted_near_duplicates))
