/* SPDX-License-Identifier: MIT */
/*
 * The query language: lexing and parsing (every spec query to the intended
 * tree), errors with columns, the type check, the SQL being parameterised
 * (no user text in the statement), read-only enforcement, and the library
 * API end to end on a small trail (run, match, explain, search, stats,
 * follow).
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/exectrail.h"
#include "exectrail/query.h"
#include "base/buf.h"
#include "query/compile.h"
#include "query/query_int.h"
#include "query/snippet.h"
#include "store/sqlite/query_sqlite.h"
#include "t.h"

/* 2025-01-17T04:00:00Z: relative times in these tests are anchored here */
#define NOW_NS (INT64_C(1737086400) * 1000000000)
#define DAY_NS (INT64_C(86400) * 1000000000)
#define SEC_NS INT64_C(1000000000)

/* The checked tree of text as an S-expression, or "ERROR: msg". */
static char *tree(const char *text)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    char *s = NULL;
    int rc = et_query_parse(text, strlen(text), NOW_NS, &q, &err);

    if (rc) {
        size_t n = strlen(err.msg) + 8;

        s = malloc(n);
        snprintf(s, n, "ERROR: %s", err.msg);
        return s;
    }
    if (et_query_describe(q, &s, &err) != ET_OK)
        s = NULL;
    et_query_free(q);
    return s;
}

#define T_TREE(text, want)                                           \
 do {                                                                \
  char *t_got_ = tree(text);                                         \
  int t_ok_ = t_got_ && !strcmp(t_got_, want);                       \
  if (!t_ok_)                                                        \
   t_fail(__FILE__, __LINE__, "%s:\n#   got  %s\n#   want %s", text, \
          t_got_ ? t_got_ : "(null)", want);                         \
  free(t_got_);                                                      \
  if (!t_ok_)                                                        \
   return;                                                           \
 } while (0)

/* the query must fail with ET_EINPUT and a message containing want */
#define T_QERR(text, len, want)                                              \
 do {                                                                        \
  struct et_error t_e_ = ET_ERROR_INIT;                                      \
  struct et_query *t_q_ = NULL;                                              \
  int t_rc_ = et_query_parse(text, len, NOW_NS, &t_q_, &t_e_);               \
  et_query_free(t_q_);                                                       \
  if (t_rc_ != ET_EINPUT || !strstr(t_e_.msg, want)) {                       \
   t_fail(__FILE__, __LINE__, "%s: rc %d msg '%s', want '%s'", #text, t_rc_, \
          t_e_.msg, want);                                                   \
   return;                                                                   \
  }                                                                          \
 } while (0)
#define T_QERRS(text, want) T_QERR(text, strlen(text), want)

T_TEST(spec_queries_parse_verbatim)
{
    T_TREE("duration_ms > 300000", "(gt duration_ms 300000)");
    T_TREE("verification status ERROR MISMATCH",
           "(in verification.status \"ERROR\" \"MISMATCH\")");
    T_TREE("quality_metrics completeness LOW accuracy LOW",
           "(and (eq quality_metrics.completeness \"LOW\") "
           "(eq quality_metrics.accuracy \"LOW\"))");
    T_TREE("quality_metrics completeness HIGH accuracy HIGH efficiency HIGH",
           "(and (eq quality_metrics.completeness \"HIGH\") "
           "(eq quality_metrics.accuracy \"HIGH\") "
           "(eq quality_metrics.efficiency \"HIGH\"))");
    T_TREE("files_modified secrets auth credentials config",
           "(match output.files_modified \"%secrets%\" \"%auth%\" "
           "\"%credentials%\" \"%config%\")");
    T_TREE("api_calls_made github aws gcp",
           "(match output.api_calls_made \"%github%\" \"%aws%\" \"%gcp%\")");
}

T_TEST(operators_and_precedence)
{
    T_TREE("agent_metadata.name = \"code-reviewer\"",
           "(eq agent_metadata.name \"code-reviewer\")");
    T_TREE("agent_metadata.name != 'x'", "(ne agent_metadata.name \"x\")");
    T_TREE("duration_ms >= 1 duration_ms <= 2 duration_ms < 3",
           "(and (ge duration_ms 1) (le duration_ms 2) (lt duration_ms 3))");
    T_TREE("duration_ms > 1 OR duration_ms < 0 AND n_actions = 2",
           "(or (gt duration_ms 1) (and (lt duration_ms 0) "
           "(eq n_actions 2)))");
    T_TREE("NOT (duration_ms > 1 or n_actions == 2)",
           "(not (or (gt duration_ms 1) (eq n_actions 2)))");
    T_TREE("not not verification.manual_verification_required",
           "(not (not (true verification.manual_verification_required)))");
    T_TREE("output.raw_response ~ \"100%_\\\\\"",
           "(match output.raw_response \"%100\\\\%\\\\_\\\\\\\\%\")");
    T_TREE("output.raw_response !~ passed",
           "(nmatch output.raw_response \"%passed%\")");
    T_TREE("duration_ms <> 5", "(ne duration_ms 5)");
    T_TREE("verification.confidence_score >= 0.9",
           "(ge verification.confidence_score 0.90000000000000002)");
    T_TREE("", "(all)");
    T_TREE("ORDER BY duration_ms DESC LIMIT 10",
           "(all) (order duration_ms desc) (limit 10)");
    T_TREE("agent:x order by agent_metadata.name, timestamp_start asc "
           "limit 0",
           "(eq agent_metadata.name \"x\") (order agent_metadata.name asc) "
           "(order timestamp_start asc) (limit 0)");
}

T_TEST(shorthand_globs_values)
{
    T_TREE("files_modified:src/*", "(match output.files_modified \"src/%\")");
    T_TREE("files_modified:\"src/*\"",
           "(match output.files_modified \"%src/*%\")");
    T_TREE("NOT files_modified:.env",
           "(not (match output.files_modified \"%.env%\"))");
    T_TREE("agent:code-*", "(match agent_metadata.name \"code-%\")");
    T_TREE("agent:a?c", "(match agent_metadata.name \"a_c\")");
    T_TREE("status:ERROR,mismatch",
           "(in verification.status \"ERROR\" \"MISMATCH\")");
    T_TREE("completeness >= MEDIUM",
           "(in quality_metrics.completeness \"MEDIUM\" \"HIGH\")");
    T_TREE("completeness < low", "(in quality_metrics.completeness)");
    T_TREE("duration_ms > 5m", "(gt duration_ms 300000)");
    T_TREE("duration_ms:>=1.5s", "(ge duration_ms 1500)");
    T_TREE("duration_ms 1 2", "(in duration_ms 1 2)");
    T_TREE("session_id s1 s2", "(in session_id \"s1\" \"s2\")");
    T_TREE("prompt_sent refactor", "(match delegation.prompt_sent "
                                   "\"%refactor%\")");
    T_TREE("issues type ERROR", "(eq issues.type \"ERROR\")");
    T_TREE("usage.cost > 0.5", "(gt usage.cost 0.5)");
    T_TREE("security.relevant", "(true security.relevant)");
    T_TREE("retention.class = \"7\"", "(eq retention.class \"7\")");
    T_TREE("\"make test\" deploy", "ERROR: unknown field 'deploy' at column "
                                   "13 (to search the text, quote it: "
                                   "\"deploy\")");
    T_TREE("\"make test\" \"it's\"",
           "(and (text \"make test\") (text \"it's\"))");
    T_TREE("verification status ERROR duration_ms > 1",
           "(and (eq verification.status \"ERROR\") (gt duration_ms 1))");
    T_TREE("files_modified secrets name x \"name\"",
           "(and (match output.files_modified \"%secrets%\") "
           "(in agent_metadata.name \"x\" \"name\"))");
    T_TREE("files_modified secrets action(success)",
           "(and (match output.files_modified \"%secrets%\") "
           "(action (true success)))");
}

T_TEST(actions_and_time)
{
    char want[256];

    T_TREE("action(tool = \"Bash\" AND NOT success)",
           "(action (and (eq tool \"Bash\") (not (true success))))");
    T_TREE("action(tool:Bash input ~ \"make test\" success = true)",
           "(action (and (eq tool \"Bash\") (match input \"%make test%\") "
           "(eq success 1)))");
    T_TREE("action.tool = Bash", "(action (eq tool \"Bash\"))");
    T_TREE("execution.actions_taken.error ~ denied",
           "(action (match error \"%denied%\"))");
    snprintf(want, sizeof(want), "(ge timestamp_start %lld)",
             (long long)(NOW_NS - 7 * DAY_NS));
    T_TREE("since:7d", want);
    snprintf(want, sizeof(want), "(ge timestamp_start %lld)",
             (long long)(NOW_NS - 36 * 3600 * SEC_NS));
    T_TREE("since 36h", want);
    /* until a date: up to the end of that day */
    T_TREE("until:2025-01-17", "(lt timestamp_start 1737158400000000000)");
    T_TREE("timestamp_start >= 2025-01-16T10:00:00Z",
           "(ge timestamp_start 1737021600000000000)");
    T_TREE("timestamp_start > 2025-01-16T12:00:00+02:00",
           "(ge timestamp_start 1737021600000000001)");
    T_TREE("timestamp_start = 2025-01-16",
           "(and (ge timestamp_start 1736985600000000000) "
           "(lt timestamp_start 1737072000000000000))");
    T_TREE("timestamp_end != 2025-01-16",
           "(not (and (ge timestamp_end 1736985600000000000) "
           "(lt timestamp_end 1737072000000000000)))");
    T_TREE("timestamp_start <= 2025-01-16",
           "(lt timestamp_start 1737072000000000000)");
    T_TREE("action(timestamp < 2025-01-16)",
           "(action (lt timestamp 1736985600000000000))");
}

T_TEST(errors_name_the_column)
{
    T_QERRS("duration_ms > 5 )", "unexpected ')' at column 17");
    T_QERRS("(duration_ms > 300000))", "unexpected ')' at column 23");
    T_QERRS("n_actions > 1 AND duraton_ms > 5",
            "unknown field 'duraton_ms' at column 19 (did you mean "
            "'duration_ms'?)");
    T_QERRS("    foo > 1", "unknown field 'foo' at column 5");
    T_QERRS("verification status BAD",
            "bad value 'BAD' for verification.status at column 21 (expected "
            "MATCH, PARTIAL, MISMATCH or ERROR)");
    T_QERRS("duration_ms > soon", "bad value 'soon' for duration_ms at "
                                  "column 15");
    T_QERRS("verification.manual_verification_required = maybe",
            "bad value 'maybe'");
    T_QERRS("since:yesterdayish", "bad value 'yesterdayish'");
    T_QERRS("since > 7d", "since at column 1 takes one time");
    T_QERRS("duration_ms ~ 5", "operator ~ at column 13 does not apply");
    T_QERRS("agent_metadata.name < x", "operator < at column 21");
    T_QERRS("files_modified > x", "operator > at column 16");
    T_QERRS("verification = MATCH", "'verification' at column 1 is an "
                                    "object");
    T_QERRS("verification bogus MATCH",
            "unknown field 'verification.bogus' at column 14");
    T_QERRS("duration_ms", "unexpected end of query at column 12");
    T_QERRS("duration_ms >", "expected a value");
    T_QERRS("\"abc", "unterminated string starting at column 1");
    T_QERRS("x = \"a\\qb\"", "unknown escape '\\q' at column 7");
    T_QERRS("action(action(tool = x))", "action(...) inside action(...) at "
                                        "column 8");
    T_QERRS("action(\"text\")", "free text at column 8 inside action");
    T_QERRS("action(duration_ms > 1)", "unknown field 'duration_ms' at "
                                       "column 8");
    T_QERRS("action()", "unexpected ')' at column 8");
    T_QERRS("(duration_ms > 1", "expected ')' at column 17 to close the '(' "
                                "at column 1");
    T_QERRS("\"--\"", "has no words");
    T_QERRS("ORDER BY files_modified", "cannot order by 'files_modified' at "
                                       "column 10");
    T_QERRS("ORDER duration_ms", "expected BY after ORDER");
    T_QERRS("LIMIT -1", "LIMIT takes a whole number");
    T_QERRS("LIMIT 99999999999", "LIMIT takes a whole number");
    T_QERRS("duration_ms > 1 LIMIT 5 LIMIT 6", "unexpected 'LIMIT' at "
                                               "column 25");
    T_QERRS("a ! b", "unexpected '!' at column 3");
    T_QERRS("\xc3\xa9t\xc3\xa9 > \xff", "invalid UTF-8 at column 7");
    T_QERRS("x\x01", "control character at column 2");
    T_QERR("agent:a\0b", 9, "NUL byte at column 8");
}

T_TEST(limits_are_enforced)
{
    char buf[ET_QUERY_MAX_TEXT + 64];
    size_t n = 0;

    /* nesting */
    for (int i = 0; i < 40; i++)
        buf[n++] = '(';
    memcpy(buf + n, "n_actions > 1", 13);
    n += 13;
    for (int i = 0; i < 40; i++)
        buf[n++] = ')';
    T_QERR(buf, n, "nests deeper than 32 levels at column 33");
    n = 0;
    for (int i = 0; i < 40; i++) {
        memcpy(buf + n, "NOT ", 4);
        n += 4;
    }
    memcpy(buf + n, "success", 7);
    T_QERR(buf, n + 7, "nests deeper than 32 levels");
    /* size */
    memset(buf, ' ', sizeof(buf));
    T_QERR(buf, ET_QUERY_MAX_TEXT + 1, "longer than 16384 bytes");
    /* tokens */
    n = 0;
    while (n + 4 < ET_QUERY_MAX_TEXT) {
        memcpy(buf + n, "( ) ", 4);
        n += 4;
    }
    T_QERR(buf, n, "more than 2048 tokens");
    /* values */
    n = 0;
    memcpy(buf, "session_id", 10);
    n = 10;
    for (int i = 0; i < 300; i++) {
        memcpy(buf + n, " v", 2);
        n += 2;
    }
    T_QERR(buf, n, "more than 256 values");
}

/* ---- SQL generation ---- */

/* The statement in the SQLite dialect; its parameters borrow the query's
 * values: the caller releases *s, then frees *q. */
static int sql_of(const char *text, struct et_sqlstmt *s, struct et_query **q)
{
    struct et_error err = ET_ERROR_INIT;
    int rc = et_query_parse(text, strlen(text), NOW_NS, q, &err);

    if (rc) {
        et__sqlstmt_init(s, &et__sqlite_dialect);
        printf("# parse %s: %s\n", text, err.msg);
        return rc;
    }
    return et__query_compile(&et__sqlite_dialect, *q, NULL, 0, s, &err);
}

static bool param_has(const struct et_sqlparams *p, const char *needle)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i].type == ET_SQL_TEXT && strstr(p->v[i].s, needle))
            return true;
    }
    return false;
}

T_TEST(sql_is_parameterised)
{
    static const struct {
        const char *query;
        const char *marker; /* user text that must only be a parameter */
    } cases[] = {
        {"agent_metadata.name = \"x'; DROP TABLE ledger; --\"", "DROP"},
        {"agent_metadata.name = \"zqa\"", "zqa"},
        {"verification status ERROR MISMATCH", "MISMATCH"},
        {"files_modified secrets zqb", "zqb"},
        {"api_calls_made zqc", "zqc"},
        {"\"zqd OR fts NEAR\"", "zqd"},
        {"\"a\" OR \"b\\\" OR * zqe\"", "zqe"},
        {"action(tool = zqf AND input ~ zqg)", "zqg"},
        {"usage.zqh > 3", "zqh"},
        {"learning.insights_gained zqi", "zqi"},
        {"issues.description ~ zqj", "zqj"},
        {"output.raw_response:zqk*", "zqk"},
        {"session_id != zql", "zql"},
        {"NOT output.commands_executed = zqm", "zqm"},
        {"agent_metadata.tools_available:zqn", "zqn"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct et_sqlstmt s;
        struct et_query *q = NULL;
        int rc = sql_of(cases[i].query, &s, &q);
        bool in_sql = rc == 0 && strstr(s.sql.ptr, cases[i].marker) != NULL;
        bool bound = rc == 0 && param_has(&s.params, cases[i].marker);

        if (rc || in_sql || !bound)
            t_fail(__FILE__, __LINE__, "%s: rc %d, in sql %d, bound %d: %s",
                   cases[i].query, rc, in_sql, bound, et_buf_str(&s.sql));
        et__sqlstmt_release(&s);
        et_query_free(q);
        if (t_stopped())
            return;
    }
}

T_TEST(sql_uses_columns_and_subqueries)
{
    struct et_sqlstmt s;
    struct et_query *q = NULL;

    T_ASSERT_OK(sql_of("duration_ms > 300000 verification status ERROR "
                       "files_modified auth AND \"deploy\" action(NOT success) "
                       "delegation.prompt_sent ~ x",
                       &s, &q));
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "e.duration_ms > ?");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "e.verification = ?");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "FROM exec_lists l WHERE l.kind = 0");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "FROM fts f JOIN event_index ei ON "
                                     "ei.seq = f.rowid LEFT JOIN agent_actions "
                                     "a ON a.seq = f.rowid WHERE fts MATCH ?");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "FROM actions a WHERE NOT COALESCE("
                                     "a.success = 1, 0)");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "json_extract(e.doc, "
                                     "'$.delegation.prompt_sent') LIKE ?");
    /* a whole answer: (start, id) of the matches through the filter's
     * indexes, unordered; the caller sorts */
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "SELECT e.start_ns, e.execution_id FROM "
                                     "executions e WHERE ");
    T_ASSERT(strstr(s.sql.ptr, "ORDER BY") == NULL);
    T_ASSERT(strstr(s.sql.ptr, "LIMIT") == NULL);
    /* the free text is one quoted FTS5 phrase */
    T_ASSERT(param_has(&s.params, "\"deploy\""));
    et__sqlstmt_release(&s);
    et_query_free(q);
    q = NULL;
    /* a quote inside free text is doubled, so it cannot end the phrase */
    T_ASSERT_OK(sql_of("\"a\\\" OR b\"", &s, &q));
    T_ASSERT(param_has(&s.params, "\"a\"\" OR b\""));
    et__sqlstmt_release(&s);
    et_query_free(q);
}

T_TEST(sql_for_list_filters_reads_the_list_index_alone)
{
    struct et_sqlstmt s;
    struct et_query *q = NULL;

    /* only positive list predicates: exec_lists carries the start time,
     * the executions table is not read */
    T_ASSERT_OK(
        sql_of("files_modified secrets auth OR api_calls_made = x", &s, &q));
    T_ASSERT_STR_EQ(s.sql.ptr,
                    "SELECT l.start_ns, l.execution_id FROM exec_lists l "
                    "WHERE l.kind = 0 AND l.item IN (SELECT v.item FROM "
                    "list_vocab v WHERE v.kind = 0 AND (v.item LIKE ? ESCAPE "
                    "'\\' OR v.item LIKE ? ESCAPE '\\')) UNION ALL SELECT "
                    "l.start_ns, l.execution_id FROM exec_lists l WHERE "
                    "l.kind = 2 AND l.item = ?");
    et__sqlstmt_release(&s);
    et_query_free(q);
    q = NULL;
    /* a negated list, or a list AND-ed with a column, goes through the
     * executions table */
    T_ASSERT_OK(sql_of("NOT files_modified:*.md", &s, &q));
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "FROM executions e WHERE");
    et__sqlstmt_release(&s);
    et_query_free(q);
    q = NULL;
    T_ASSERT_OK(sql_of("files_modified auth agent:x", &s, &q));
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "FROM executions e WHERE");
    et__sqlstmt_release(&s);
    et_query_free(q);
}

T_TEST(sql_for_a_page_walks_the_time_index)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_sqlstmt s;
    struct et_qrun run = {100, NULL, true};
    struct et_query *q = NULL;
    const char *text = "verification status ERROR files_modified auth "
                       "action(NOT success) agent:x";

    T_ASSERT_OK(et_query_parse(text, strlen(text), NOW_NS, &q, &err));
    T_ASSERT_OK(et__query_compile(&et__sqlite_dialect, q, &run, 0, &s, &err));
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "SELECT e.execution_id FROM");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "+e.verification = ?");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, " e.agent_name = ?");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "EXISTS (SELECT 1 FROM exec_lists l "
                                     "WHERE l.execution_id = e.execution_id");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "EXISTS (SELECT 1 FROM actions a WHERE "
                                     "a.execution_id = e.execution_id");
    T_ASSERT_STR_CONTAINS(s.sql.ptr, "ORDER BY e.start_ns DESC");
    et__sqlstmt_release(&s);
    et_query_free(q);
}

T_TEST(field_table_paths_are_plain)
{
    /* dialects splice these (never user text) into SQL string literals */
    for (size_t i = 0; i < et__n_qfields; i++) {
        for (const char *c = et__qfields[i].path; *c; c++)
            T_ASSERT((*c >= 'a' && *c <= 'z') || *c == '_' || *c == '.');
    }
    for (size_t i = 0; i < et__n_qaction_fields; i++) {
        for (const char *c = et__qaction_fields[i].path; *c; c++)
            T_ASSERT((*c >= 'a' && *c <= 'z') || *c == '_');
    }
}

T_TEST(only_read_only_statements_run)
{
    static const char *const bad[] = {
        "DELETE FROM t",
        "SELECT 1; DROP TABLE t",
        "INSERT INTO t VALUES (1)",
        "CREATE TABLE u(x)",
    };
    struct et_error err = ET_ERROR_INIT;
    struct et_sqlparams p = {NULL, 0, 0};
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    T_ASSERT(sqlite3_open(":memory:", &db) == SQLITE_OK);
    T_ASSERT(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL) ==
             SQLITE_OK);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct et_buf sql = ET_BUF_INIT;

        T_ASSERT_OK(et_buf_addstr(&sql, bad[i]));
        T_ASSERT_RC(et__sqlite_prepare(db, &sql, &p, &st, &err), ET_EINTERNAL);
        T_ASSERT(st == NULL);
        et_buf_release(&sql);
    }
    {
        struct et_buf sql = ET_BUF_INIT;

        T_ASSERT_OK(et_buf_addstr(&sql, "SELECT x FROM t"));
        T_ASSERT_OK(et__sqlite_prepare(db, &sql, &p, &st, &err));
        sqlite3_finalize(st);
        et_buf_release(&sql);
    }
    sqlite3_close(db);
}

T_TEST(fts_words_are_quoted)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_buf b = ET_BUF_INIT;

    T_ASSERT_OK(
        et__sqlite_fts_words(" make  test OR NEAR(x) \"q ", 25, &b, &err));
    T_ASSERT_STR_EQ(b.ptr, "\"make\" \"test\" \"OR\" \"NEAR(x)\" \"\"\"q\"");
    et_buf_release(&b);
    T_ASSERT_RC(et__sqlite_fts_words(" -- ** ", 7, &b, &err), ET_EINPUT);
    et_buf_release(&b);
}

T_TEST(snippets_mark_and_cut)
{
    struct et_snip_terms t;
    struct et_buf b = ET_BUF_INIT;
    const char *text = "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 the Signing "
                       "key was rotated; signing-key rotation w20 w21 w22 w23 "
                       "w24 w25 w26 w27 w28";

    et__snip_terms(&t, "Signing KEY", 11);
    T_ASSERT_INT_EQ(t.n, 2);
    T_ASSERT_STR_EQ(t.term[0], "signing");
    T_ASSERT_STR_EQ(t.term[1], "key");
    T_ASSERT_INT_EQ(et__snip_score(&t, text, strlen(text)), 4);
    T_ASSERT_INT_EQ(et__snip_score(&t, "signing only", 12), -1);
    T_ASSERT_OK(et__snip_make(&t, text, strlen(text), "<", ">", &b));
    /* five words before the first match, eighteen in all */
    T_ASSERT_STR_EQ(b.ptr, "\xe2\x80\xa6w9 w10 w11 w12 the <Signing> <key> was "
                           "rotated; <signing>-<key> rotation w20 w21 w22 w23 "
                           "w24 w25\xe2\x80\xa6");
    T_ASSERT_OK(et__snip_make(&t, "no match here", 13, "<", ">", &b));
    T_ASSERT_STR_EQ(b.ptr, "no match here");
    et_buf_release(&b);
}

/* ---- end to end over a small trail ---- */

static const char rec_fmt[] =
    "{\"execution_id\":\"%s\",\"session_id\":\"s1\","
    "\"timestamp_start\":\"2025-01-%02dT10:00:00.000Z\","
    "\"duration_ms\":%d,"
    "\"agent_metadata\":{\"name\":\"%s\"},"
    "\"delegation\":{\"prompt_sent\":\"%s\"},"
    "\"execution\":{\"actions_taken\":[{\"tool\":\"Bash\",\"input\":\"make "
    "test\",\"success\":%s,\"error\":%s}]},"
    "\"output\":{\"raw_response\":\"done\",\"files_modified\":[\"%s\"],"
    "\"api_calls_made\":[\"%s\"]},"
    "\"verification\":{\"status\":\"%s\"},"
    "\"quality_metrics\":{\"completeness\":\"%s\",\"accuracy\":\"%s\","
    "\"efficiency\":\"HIGH\"}}";

#define ID_A "aaaaaaaa-0000-4000-8000-000000000001"
#define ID_B "bbbbbbbb-0000-4000-8000-000000000002"
#define ID_C "cccccccc-0000-4000-8000-000000000003"

static struct et_trail *small_trail(const char *name)
{
    static const struct {
        const char *id;
        int day, dur;
        const char *agent, *prompt, *ok, *error, *file, *api, *status, *compl,
            *acc;
    } recs[] = {
        {ID_A, 10, 400000, "code-reviewer", "review the auth module", "true",
         "null", "src/auth/login.c", "GET https://api.github.com/x", "MATCH",
         "HIGH", "HIGH"},
        {ID_B, 14, 1000, "test-runner", "run the tests", "false",
         "\"exit status 2\"", "docs/README.md", "s3.aws.amazon.com", "ERROR",
         "LOW", "LOW"},
        {ID_C, 16, 300001, "test-runner", "deploy it", "false",
         "\"exit status 7\"", "config/app.yaml", "none", "MISMATCH", "LOW",
         "HIGH"},
    };
    char path[512], json[4096], id[37];
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;

    snprintf(path, sizeof(path), "%s/%s/trail.db", t_tmpdir(), name);
    if (et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err))
        return NULL;
    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        snprintf(json, sizeof(json), rec_fmt, recs[i].id, recs[i].day,
                 recs[i].dur, recs[i].agent, recs[i].prompt, recs[i].ok,
                 recs[i].error, recs[i].file, recs[i].api, recs[i].status,
                 recs[i].compl, recs[i].acc);
        if (et_trail_record(t, json, strlen(json), id, &err)) {
            printf("# record: %s\n", err.msg);
            et_trail_close(t);
            return NULL;
        }
    }
    return t;
}

struct idlist {
    char buf[512];
};

static int add_id(void *ctx, const struct et_exec_summary *s)
{
    struct idlist *l = ctx;
    size_t n = strlen(l->buf);

    snprintf(l->buf + n, sizeof(l->buf) - n, "%s%c", n ? " " : "",
             s->execution_id[0]);
    return 0;
}

/* first letters of the ids, in result order */
static int ids_of(struct et_trail *t, const char *text, char *out, size_t cap)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    struct idlist l;
    int rc = et_query_parse(text, strlen(text), NOW_NS, &q, &err);

    l.buf[0] = '\0';
    if (!rc)
        rc = et_query_run(t, q, 0, add_id, &l, &err);
    if (rc)
        printf("# %s: %s\n", text, err.msg);
    et_query_free(q);
    snprintf(out, cap, "%s", l.buf);
    return rc;
}

#define T_IDS(t, text, want)                                                  \
 do {                                                                         \
  char t_ids_[512];                                                           \
  T_ASSERT_OK(ids_of(t, text, t_ids_, sizeof(t_ids_)));                       \
  if (strcmp(t_ids_, want) != 0) {                                            \
   t_fail(__FILE__, __LINE__, "%s: got '%s', want '%s'", text, t_ids_, want); \
   return;                                                                    \
  }                                                                           \
 } while (0)

T_TEST(run_over_a_trail)
{
    struct et_trail *t = small_trail("run");

    T_ASSERT(t != NULL);
    T_IDS(t, "duration_ms > 300000", "c a");
    T_IDS(t, "verification status ERROR MISMATCH", "c b");
    T_IDS(t, "quality_metrics completeness LOW accuracy LOW", "b");
    T_IDS(t,
          "quality_metrics completeness HIGH accuracy HIGH efficiency "
          "HIGH",
          "a");
    T_IDS(t, "files_modified secrets auth credentials config", "c a");
    T_IDS(t, "api_calls_made github aws gcp", "b a");
    T_IDS(t, "agent:test-runner ORDER BY duration_ms ASC", "b c");
    T_IDS(t, "ORDER BY duration_ms DESC LIMIT 2", "a c");
    T_IDS(t, "action(tool = \"Bash\" AND NOT success)", "c b");
    T_IDS(t, "\"auth module\"", "a");
    T_IDS(t, "\"module auth\"", "");
    T_IDS(t, "since:3d", "c b");
    T_IDS(t, "until:2025-01-14", "b a");
    T_IDS(t, "timestamp_start >= 2025-01-14T10:00:00Z", "c b");
    T_IDS(t, "NOT verification.status = MATCH", "c b");
    T_IDS(t, "verification.status != MATCH", "c b");
    T_IDS(t, "NOT usage.cost > 1", "c b a");
    T_IDS(t, "agent_metadata.name = \"x'; DROP TABLE ledger; --\"", "");
    T_IDS(t, "files_modified:src/*", "a");
    T_IDS(t, "NOT files_modified:*.md", "c a");
    T_IDS(t, "output.files_modified != config/app.yaml", "b a");
    T_IDS(t, "completeness >= MEDIUM", "a");
    T_IDS(t, "n_failed_actions > 0 OR duration_ms > 350000", "c b a");
    et_trail_close(t);
}

static int count_rec(void *ctx, const char *json, size_t len)
{
    (*(int *)ctx)++;
    return strstr(json, "\"actions_taken\"") && len > 100 ? 0 : -1;
}

static int count_hit(void *ctx, const struct et_search_hit *h)
{
    (*(int *)ctx)++;
    return strstr(h->snippet, "[auth]") ? 0 : -1;
}

/* first letters of the executions of search hits, each once */
static int add_hit_id(void *ctx, const struct et_search_hit *h)
{
    struct idlist *l = ctx;
    size_t n = strlen(l->buf);

    if (n && l->buf[n - 1] == h->execution_id[0])
        return 0;
    snprintf(l->buf + n, sizeof(l->buf) - n, "%s%c", n ? " " : "",
             h->execution_id[0]);
    return 0;
}

static int count_agent(void *ctx, const struct et_agent_stats *s)
{
    int *n = ctx;

    if (s->agent_name && !strcmp(s->agent_name, "test-runner") &&
        s->executions == 2 && s->error == 1 && s->mismatch == 1 &&
        s->success_rate == 0.0 && s->max_duration_ms == 300001)
        n[0]++;
    if (s->agent_name && !strcmp(s->agent_name, "code-reviewer") &&
        s->success_rate == 1.0)
        n[1]++;
    return 0;
}

static int count_pattern(void *ctx, const struct et_failure_pattern *p)
{
    int *n = ctx;

    /* exit status 2 and 7 are one pattern per status */
    if (!strcmp(p->signature, "Bash: exit status N") && p->count == 1)
        n[0]++;
    return 0;
}

static int count_event(void *ctx, const struct et_event *ev)
{
    int *n = ctx;

    n[0]++;
    if (ev->execution_id && !strcmp(ev->execution_id, ID_B))
        n[1]++;
    return 0;
}

T_TEST(records_match_explain_search_stats_follow)
{
    struct et_trail *t = small_trail("api");
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    int n = 0, two[2] = {0, 0};
    bool m = false;
    char *text = NULL;
    uint64_t next = 0, size = 0;

    T_ASSERT(t != NULL);
    T_ASSERT_OK(et_query_parse("agent:test-runner", 17, NOW_NS, &q, &err));
    T_ASSERT_OK(et_query_records(t, q, 0, 0, count_rec, &n, &err));
    T_ASSERT_INT_EQ(n, 2);
    T_ASSERT_OK(et_query_match(t, q, ID_B, &m, &err));
    T_ASSERT(m);
    T_ASSERT_OK(et_query_match(t, q, ID_A, &m, &err));
    T_ASSERT(!m);
    T_ASSERT_RC(
        et_query_match(t, q, "dddddddd-0000-4000-8000-000000000004", &m, &err),
        ET_ENOTFOUND);
    T_ASSERT_OK(et_query_explain(t, q, 5, &text, &err));
    T_ASSERT_STR_CONTAINS(text, "query: (eq agent_metadata.name "
                                "\"test-runner\")");
    T_ASSERT_STR_CONTAINS(text, "?1 = 'test-runner'");
    T_ASSERT_STR_CONTAINS(text, "USING INDEX executions_agent");
    et_trail_free_string(text);

    n = 0;
    T_ASSERT_OK(et_search(t, "auth", 4, NULL, count_hit, &n, &err));
    T_ASSERT_INT_EQ(n, 1);
    T_ASSERT_RC(et_search(t, "**", 2, NULL, count_hit, &n, &err), ET_EINPUT);
    {
        /* "done" is in every execution's response: with a window of one
         * matching event only the newest event is ranked (the last
         * recorded, C); with the default window all three */
        struct et_search_opts so = {0, 1, NULL, NULL, 1};
        struct idlist l;

        memset(&l, 0, sizeof(l));
        T_ASSERT_OK(et_search(t, "done", 4, NULL, add_hit_id, &l, &err));
        T_ASSERT_INT_EQ(strlen(l.buf), 5); /* three ids, e.g. "a b c" */
        memset(&l, 0, sizeof(l));
        T_ASSERT_OK(et_search(t, "done", 4, &so, add_hit_id, &l, &err));
        T_ASSERT_STR_EQ(l.buf, "c");
    }

    T_ASSERT_OK(et_stats_agents(t, NULL, count_agent, two, &err));
    T_ASSERT_INT_EQ(two[0], 1);
    T_ASSERT_INT_EQ(two[1], 1);
    two[0] = two[1] = 0;
    T_ASSERT_OK(et_stats_failures(t, NULL, 0, count_pattern, two, &err));
    T_ASSERT_INT_EQ(two[0], 2); /* one per status: ERROR and MISMATCH */

    T_ASSERT_OK(et_trail_size(t, &size, &err));
    T_ASSERT_INT_EQ(size, 3);
    two[0] = two[1] = 0;
    T_ASSERT_OK(et_query_follow(t, q, 0, count_event, two, &next, &err));
    T_ASSERT_INT_EQ(two[0], 2);
    T_ASSERT_INT_EQ(two[1], 1);
    T_ASSERT_INT_EQ(next, 3);
    two[0] = 0;
    T_ASSERT_OK(et_query_follow(t, NULL, 3, count_event, two, &next, &err));
    T_ASSERT_INT_EQ(two[0], 0);
    T_ASSERT_INT_EQ(next, 3);
    et_query_free(q);
    et_trail_close(t);
}

/* ---- whole answers: sorted in memory, each execution once ---- */

static const char bulk_fmt[] =
    "{\"execution_id\":\"%08x-0000-4000-8000-%012x\",\"session_id\":\"s\","
    "\"timestamp_start\":\"2025-01-10T10:%02d:%02d.000Z\","
    "\"duration_ms\":%d,"
    "\"agent_metadata\":{\"name\":\"bulk\"},"
    "\"delegation\":{\"prompt_sent\":\"every %s\"},"
    "\"execution\":{\"actions_taken\":[]},"
    "\"output\":{\"raw_response\":\"r\",\"files_modified\":[%s],"
    "\"api_calls_made\":[]},"
    "\"verification\":{\"status\":\"%s\"}}\n";

#define BULK 1200

/* Record i starts at second i / 2 (two per second, so ties are broken by
 * id), its id counts down from the top so that id order is not time
 * order; even records modified two files matching "auth config", odd ones
 * one file matching "docs". */
static struct et_trail *bulk_trail(const char *name)
{
    char path[512], line[1024];
    struct et_error err = ET_ERROR_INIT;
    struct et_import_opts opts = {ET_ON_ERROR_ABORT, 0, NULL, NULL, NULL};
    struct et_import_stats st;
    struct et_trail *t = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *in = open_memstream(&text, &len);

    for (int i = 0; in && i < BULK; i++) {
        unsigned id = (unsigned)(BULK - i) * 7919u % 65536u;

        snprintf(line, sizeof(line), bulk_fmt, id, (unsigned)i, i / 2 / 60,
                 i / 2 % 60, 1000 + i, i % 100 == 7 ? "needle" : "hay",
                 i % 2 ? "\"docs/y.md\"" : "\"src/auth/a.c\",\"config/x.yaml\"",
                 i % 3 ? "MATCH" : "ERROR");
        fputs(line, in);
    }
    if (!in || fclose(in))
        return NULL;
    in = fmemopen(text, len, "r");
    snprintf(path, sizeof(path), "%s/%s/trail.db", t_tmpdir(), name);
    if (!in || et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err) ||
        et_trail_import(t, in, &opts, &st, &err)) {
        printf("# bulk trail: %s\n", err.msg);
        et_trail_close(t);
        t = NULL;
    }
    if (in)
        fclose(in);
    free(text);
    return t;
}

/* the id of bulk record i, and whether it is newer than record j in the
 * answer's order (start descending, then id descending) */
static void bulk_id(int i, char out[37])
{
    unsigned id = (unsigned)(BULK - i) * 7919u % 65536u;

    snprintf(out, 37, "%08x-0000-4000-8000-%012x", id, (unsigned)i);
}

static int bulk_cmp(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    char x[37], y[37];

    if (a / 2 != b / 2)
        return a / 2 > b / 2 ? -1 : 1;
    bulk_id(a, x);
    bulk_id(b, y);
    return -strcmp(x, y);
}

struct idvec {
    char (*v)[37];
    size_t n, cap;
};

static int push_id(void *ctx, const char *id)
{
    struct idvec *l = ctx;

    if (l->n == l->cap)
        return -1;
    snprintf(l->v[l->n++], 37, "%s", id);
    return 0;
}

static int answer(struct et_trail *t, const char *text, size_t limit,
                  struct idvec *out)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    int rc = et_query_parse(text, strlen(text), NOW_NS, &q, &err);

    out->n = 0;
    if (!rc)
        rc = et_query_ids(t, q, limit, push_id, out, &err);
    if (rc)
        printf("# %s: %s\n", text, err.msg);
    et_query_free(q);
    return rc;
}

/* the expected answer: records i with want(i), ordered independently */
static bool check_answer(const struct idvec *got, bool (*want)(int),
                         size_t limit)
{
    int idx[BULK];
    size_t n = 0;
    char id[37];

    for (int i = 0; i < BULK; i++)
        if (want(i))
            idx[n++] = i;
    qsort(idx, n, sizeof(idx[0]), bulk_cmp);
    if (limit && n > limit)
        n = limit;
    if (got->n != n) {
        printf("# got %zu ids, want %zu\n", got->n, n);
        return false;
    }
    for (size_t k = 0; k < n; k++) {
        bulk_id(idx[k], id);
        if (strcmp(got->v[k], id)) {
            printf("# at %zu: got %s, want %s\n", k, got->v[k], id);
            return false;
        }
    }
    return true;
}

static bool even(int i)
{
    return i % 2 == 0;
}

static bool every(int i)
{
    (void)i;
    return true;
}

static bool odd(int i)
{
    return i % 2 == 1;
}

static bool error_or_docs(int i)
{
    return i % 3 == 0 || i % 2 == 1;
}

static bool late_error(int i)
{
    return i % 3 == 0 && i / 2 >= 300;
}

static bool needle(int i)
{
    return i % 100 == 7;
}

static bool explain_has(struct et_trail *t, const char *text, size_t limit,
                        const char *want)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    char *plan = NULL;
    bool ok = et_query_parse(text, strlen(text), NOW_NS, &q, &err) == ET_OK &&
              et_query_explain(t, q, limit, &plan, &err) == ET_OK &&
              strstr(plan, want) != NULL;

    if (!ok)
        printf("# %s: no '%s' in:\n%s\n", text, want, plan ? plan : err.msg);
    et_trail_free_string(plan);
    et_query_free(q);
    return ok;
}

T_TEST(whole_answers_are_ordered_and_distinct)
{
    struct et_trail *t = bulk_trail("whole");
    struct idvec got = {calloc(BULK + 1, 37), 0, BULK + 1};
    struct idvec page = {calloc(101, 37), 0, 101};

    T_ASSERT(t != NULL && got.v && page.v);
    /* an even record matches twice (two files): listed once */
    T_ASSERT_OK(answer(t, "files_modified auth config", 0, &got));
    T_ASSERT(check_answer(&got, even, 0));
    T_ASSERT_OK(
        answer(t, "files_modified auth OR files_modified:docs/*", 0, &got));
    T_ASSERT(check_answer(&got, every, 0));
    /* a limit above a page: the newest 1100 of the sorted whole answer */
    T_ASSERT_OK(
        answer(t, "files_modified auth OR files_modified:docs/*", 1100, &got));
    T_ASSERT(check_answer(&got, every, 1100));
    T_ASSERT_OK(
        answer(t, "verification status ERROR OR files_modified docs", 0, &got));
    T_ASSERT(check_answer(&got, error_or_docs, 0));
    T_ASSERT_OK(answer(t,
                       "verification status ERROR "
                       "timestamp_start >= 2025-01-10T10:05:00Z",
                       0, &got));
    T_ASSERT(check_answer(&got, late_error, 0));
    /* a page (SQL's ORDER BY) and the whole answer (sorted in memory)
     * agree on the first 100 */
    T_ASSERT_OK(answer(t, "verification status ERROR OR files_modified docs",
                       100, &page));
    T_ASSERT(check_answer(&page, error_or_docs, 100));
    /* free text on a page: a phrase in every event is tested per execution
     * on the newest-first walk, a rare one is collected first; both give
     * the same answers as the whole answer */
    T_ASSERT(explain_has(t, "\"every\"", 100,
                         "EXISTS (SELECT 1 FROM ledger l JOIN fts f"));
    T_ASSERT(explain_has(t, "\"needle\"", 100,
                         "IN (SELECT CASE WHEN a.seq IS NULL THEN "
                         "ei.execution_id"));
    T_ASSERT(explain_has(t, "\"every\"", 0,
                         "IN (SELECT CASE WHEN a.seq IS NULL THEN "
                         "ei.execution_id"));
    T_ASSERT_OK(answer(t, "\"every\"", 100, &page));
    T_ASSERT(check_answer(&page, every, 100));
    T_ASSERT_OK(answer(t, "\"every\" files_modified docs", 100, &page));
    T_ASSERT(check_answer(&page, odd, 100));
    T_ASSERT_OK(answer(t, "\"needle\"", 100, &page));
    T_ASSERT(check_answer(&page, needle, 100));
    T_ASSERT_OK(answer(t, "\"needle\"", 0, &got));
    T_ASSERT(check_answer(&got, needle, 0));
    T_ASSERT_OK(answer(t, "\"every\"", 0, &got));
    T_ASSERT(check_answer(&got, every, 0));
    free(got.v);
    free(page.v);
    et_trail_close(t);
}

/* An older store (schema 10: list items without start times, hourly
 * report rollups) is migrated on open: the items get their executions'
 * start times, and a later change of an execution's start time reaches
 * its items. */
T_TEST(list_start_times_migrate_and_follow)
{
    struct et_trail *t = bulk_trail("migrate");
    struct idvec got = {calloc(BULK + 1, 37), 0, BULK + 1};
    struct et_error err = ET_ERROR_INIT;
    char path[512];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char id[37];

    T_ASSERT(t != NULL && got.v);
    et_trail_close(t);
    snprintf(path, sizeof(path), "%s/migrate/trail.db", t_tmpdir());
    T_ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    T_ASSERT_INT_EQ(
        sqlite3_exec(db,
                     "DROP INDEX report_slots_agent;"
                     "ALTER TABLE report_slots RENAME COLUMN slot TO hour;"
                     "ALTER TABLE report_slots RENAME TO report_hourly;"
                     "ALTER TABLE report_duration RENAME COLUMN slot TO hour;"
                     "ALTER TABLE report_issues RENAME COLUMN slot TO hour;"
                     "CREATE INDEX report_hourly_agent ON report_hourly(agent,"
                     "  hour);"
                     "DROP TRIGGER executions_start_lists;"
                     "DROP INDEX exec_lists_item;"
                     "ALTER TABLE exec_lists DROP COLUMN start_ns;"
                     "CREATE INDEX exec_lists_item ON exec_lists(kind, item,"
                     "  execution_id);"
                     "DROP TABLE agent_bindings; DROP TABLE agent_actions;"
                     "DROP TABLE notes;"
                     "PRAGMA user_version = 10;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    T_ASSERT_OK(et_trail_open(path, 0, &t, NULL, &err));
    T_ASSERT_OK(answer(t, "files_modified auth config", 0, &got));
    T_ASSERT(check_answer(&got, even, 0));
    et_trail_close(t);
    /* every item has its execution's start time */
    T_ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    T_ASSERT_INT_EQ(sqlite3_prepare_v2(db,
                                       "SELECT count(*) FROM exec_lists l, "
                                       "executions e WHERE l.execution_id = "
                                       "e.execution_id AND l.start_ns IS NOT "
                                       "e.start_ns",
                                       -1, &st, NULL),
                    SQLITE_OK);
    T_ASSERT_INT_EQ(sqlite3_step(st), SQLITE_ROW);
    T_ASSERT_INT_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    /* the newest even record moved to the oldest start: its items follow */
    bulk_id(BULK - 2, id);
    T_ASSERT_INT_EQ(sqlite3_prepare_v2(db,
                                       "UPDATE executions SET start_ns = 1 "
                                       "WHERE execution_id = ?",
                                       -1, &st, NULL),
                    SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    T_ASSERT_INT_EQ(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
    T_ASSERT_OK(et_trail_open(path, ET_OPEN_READONLY, &t, NULL, &err));
    T_ASSERT_OK(answer(t, "files_modified auth config", 0, &got));
    T_ASSERT_INT_EQ(got.n, BULK / 2);
    T_ASSERT_STR_EQ(got.v[got.n - 1], id);
    bulk_id(BULK - 4, id);
    T_ASSERT_STR_EQ(got.v[0], id);
    free(got.v);
    et_trail_close(t);
}

/* the recurring-failure count of every analysis reads up to 1,000 issues
 * of one signature: the index alone answers it (migration 17) */
T_TEST(signature_count_reads_the_index_alone)
{
    struct et_trail *t = NULL;
    struct et_error err = ET_ERROR_INIT;
    char path[512], plan[1024] = "";
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    snprintf(path, sizeof(path), "%s/sigplan.db", t_tmpdir());
    T_ASSERT_OK(et_trail_open(path, ET_OPEN_CREATE, &t, NULL, &err));
    et_trail_close(t);
    T_ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
    T_ASSERT_INT_EQ(
        sqlite3_prepare_v2(db,
                           "EXPLAIN QUERY PLAN SELECT count(*), count(DISTINCT "
                           "agent_name) FROM (SELECT agent_name FROM "
                           "exec_issues WHERE signature = ? AND ts_ns >= ? "
                           "AND execution_id IS NOT ? LIMIT ?)",
                           -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        size_t l = strlen(plan);

        snprintf(plan + l, sizeof(plan) - l, "%s; ",
                 (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    T_ASSERT_STR_CONTAINS(plan, "COVERING INDEX exec_issues_signature");
}

T_MAIN("query", T_CASE(spec_queries_parse_verbatim),
       T_CASE(operators_and_precedence), T_CASE(shorthand_globs_values),
       T_CASE(actions_and_time), T_CASE(errors_name_the_column),
       T_CASE(limits_are_enforced), T_CASE(sql_is_parameterised),
       T_CASE(sql_uses_columns_and_subqueries),
       T_CASE(sql_for_list_filters_reads_the_list_index_alone),
       T_CASE(sql_for_a_page_walks_the_time_index),
       T_CASE(field_table_paths_are_plain),
       T_CASE(only_read_only_statements_run), T_CASE(fts_words_are_quoted),
       T_CASE(snippets_mark_and_cut), T_CASE(run_over_a_trail),
       T_CASE(records_match_explain_search_stats_follow),
       T_CASE(whole_answers_are_ordered_and_distinct),
       T_CASE(list_start_times_migrate_and_follow),
       T_CASE(signature_count_reads_the_index_alone))
