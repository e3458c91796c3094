/* SPDX-License-Identifier: MIT */
/*
 * The query compiler (src/query/compile.c) over each store dialect: the
 * exact statement and parameters for a few queries per dialect (SQLite,
 * PostgreSQL when built, and a test dialect with other placeholders),
 * user values only ever parameters, and the failure paths: errors of the
 * parser and checker (unknown field, bad comparison) with their column,
 * a tree the checker would not produce, and a dialect that fails.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exectrail/query.h"
#include "base/buf.h"
#include "query/compile.h"
#include "query/query_int.h"
#include "store/sqlite/query_sqlite.h"
#include "t.h"

/* 2025-01-17T04:00:00Z: relative times in these tests are anchored here */
#define NOW_NS  (INT64_C(1737086400) * 1000000000)
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define SUMMARY                                                            \
 "e.execution_id, e.session_id, e.agent_name, e.agent_version, e.state, "  \
 "e.verification, e.completeness, e.accuracy, e.efficiency, e.start_ns, "  \
 "e.end_ns, e.duration_ms, e.n_actions, e.n_failed_actions, e.first_seq, " \
 "e.last_seq"
#define PG_NEWEST                                        \
 " ORDER BY e.start_ns DESC NULLS LAST, e.execution_id " \
 "COLLATE \"C\" DESC"
#define SQ_NEWEST " ORDER BY e.start_ns DESC, e.execution_id DESC"

/* One case: text compiled under run (NULL: defaults) with flags; where:
 * the WHERE condition alone (et__query_compile_where). */
struct sql_case {
    const char *text;
    const struct et_qrun *run;
    unsigned flags;
    bool where;
    const char *sql;    /* the statement, exactly */
    const char *params; /* the parameters as "a|2|0.5" */
    bool whole;
};

static const struct et_qrun page10 = {10, NULL, true};
static const struct et_qrun page20 = {20, NULL, true};

static void params_str(const struct et_sqlparams *p, struct et_buf *out)
{
    for (size_t i = 0; i < p->n; i++) {
        const struct et_sqlparam *v = &p->v[i];
        int rc = i ? et_buf_addch(out, '|') : 0;

        if (!rc && v->type == ET_SQL_TEXT)
            rc = et_buf_add(out, v->s, v->len);
        else if (!rc && v->type == ET_SQL_INT)
            rc = et_buf_printf(out, "%lld", (long long)v->i);
        else if (!rc)
            rc = et_buf_printf(out, "%g", v->d);
        if (rc)
            abort();
    }
}

/* Parse text and compile it for d; *s is initialised on every path. */
static int compile_text(const struct et_sql_dialect *d, const char *text,
                        const struct et_qrun *run, unsigned flags, bool where,
                        struct et_sqlstmt *s, struct et_query **q,
                        struct et_error *err)
{
    int rc = et_query_parse(text, strlen(text), NOW_NS, q, err);

    if (rc) {
        et__sqlstmt_init(s, d);
        return rc;
    }
    return where ? et__query_compile_where(d, *q, s, err)
                 : et__query_compile(d, *q, run, flags, s, err);
}

static void check_cases(const struct et_sql_dialect *d,
                        const struct sql_case *c, size_t n)
{
    for (size_t i = 0; i < n && !t_stopped(); i++) {
        struct et_error err = ET_ERROR_INIT;
        struct et_sqlstmt s;
        struct et_query *q = NULL;
        struct et_buf ps = ET_BUF_INIT;
        int rc = compile_text(d, c[i].text, c[i].run, c[i].flags, c[i].where,
                              &s, &q, &err);

        params_str(&s.params, &ps);
        if (rc)
            t_fail(__FILE__, __LINE__, "%s: %s: %s", d->name, c[i].text,
                   err.msg);
        else if (strcmp(et_buf_str(&s.sql), c[i].sql) != 0)
            t_fail(__FILE__, __LINE__, "%s: %s:\n#  got  %s\n#  want %s",
                   d->name, c[i].text, et_buf_str(&s.sql), c[i].sql);
        else if (strcmp(et_buf_str(&ps), c[i].params) != 0)
            t_fail(__FILE__, __LINE__, "%s: %s: parameters %s, want %s",
                   d->name, c[i].text, et_buf_str(&ps), c[i].params);
        else if (s.whole != c[i].whole)
            t_fail(__FILE__, __LINE__, "%s: %s: whole %d", d->name, c[i].text,
                   s.whole);
        et_buf_release(&ps);
        et__sqlstmt_release(&s);
        et_query_free(q);
    }
}

T_TEST(sqlite_statements)
{
    static const struct sql_case cases[] = {
        /* a filter in the default order: a whole answer, sorted later */
        {"agent = alpha", NULL, 0, false,
         "SELECT e.start_ns, e.execution_id FROM executions e WHERE "
         "e.agent_name = ?",
         "alpha", true},
        /* a page walks the time index: +column keeps its index out */
        {"verification status ERROR MISMATCH", &page10, 0, false,
         "SELECT e.execution_id FROM executions e WHERE +e.verification IN "
         "(?, ?)" SQ_NEWEST " LIMIT ?",
         "ERROR|MISMATCH|10", false},
        {"usage.cost > 0.5 ORDER BY duration_ms DESC LIMIT 3", NULL, 0, false,
         "SELECT " SUMMARY " FROM executions e WHERE json_extract(e.doc, ?) "
         "> ? ORDER BY e.duration_ms DESC, e.execution_id LIMIT ?",
         "$.usage.cost|0.5|3", false},
        {"NOT files_modified:*.env", &page10, 0, false,
         "SELECT e.execution_id FROM executions e WHERE NOT COALESCE(EXISTS "
         "(SELECT 1 FROM exec_lists l WHERE l.execution_id = e.execution_id "
         "AND +l.kind = 0 AND (l.item LIKE ? ESCAPE '\\')), 0)" SQ_NEWEST
         " LIMIT ?",
         "%.env|10", false},
        /* only positive list predicates: the list index alone */
        {"api_calls_made github aws", NULL, 0, false,
         "SELECT l.start_ns, l.execution_id FROM exec_lists l WHERE l.kind = "
         "2 AND l.item IN (SELECT v.item FROM list_vocab v WHERE v.kind = 2 "
         "AND (v.item LIKE ? ESCAPE '\\' OR v.item LIKE ? ESCAPE '\\'))",
         "%github%|%aws%", true},
        /* free text: one FTS5 phrase, collected or (dense) probed */
        {"\"make test\"", &page20, 0, false,
         "SELECT e.execution_id FROM executions e WHERE e.execution_id IN "
         "(SELECT CASE WHEN a.seq IS NULL THEN ei.execution_id ELSE "
         "a.execution_id END FROM fts f JOIN event_index ei ON ei.seq = "
         "f.rowid LEFT JOIN agent_actions a ON a.seq = f.rowid WHERE fts "
         "MATCH ?)" SQ_NEWEST " LIMIT ?",
         "\"make test\"|20", false},
        {"\"make test\"", &page20, ET_QC_DENSE, false,
         "SELECT e.execution_id FROM executions e WHERE (EXISTS (SELECT 1 "
         "FROM ledger l JOIN fts f ON f.rowid = l.seq WHERE l.execution_id = "
         "e.execution_id AND NOT EXISTS (SELECT 1 FROM agent_actions a WHERE "
         "a.seq = l.seq AND a.execution_id IS NOT l.execution_id) AND fts "
         "MATCH ?) OR EXISTS (SELECT 1 FROM agent_actions a JOIN fts f ON "
         "f.rowid = a.seq WHERE a.execution_id = e.execution_id AND fts MATCH "
         "?))" SQ_NEWEST " LIMIT ?",
         "\"make test\"|\"make test\"|20", false},
        {"action(tool = Bash AND NOT success)", NULL, 0, false,
         "SELECT e.start_ns, e.execution_id FROM executions e WHERE "
         "e.execution_id IN (SELECT a.execution_id FROM actions a WHERE "
         "(a.tool = ? AND NOT COALESCE(a.success = 1, 0)))",
         "Bash", true},
        {"issues type ERROR", NULL, 0, true,
         "EXISTS (SELECT 1 FROM json_each(e.doc, '$.issues') j WHERE "
         "json_extract(j.value, '$.type') = ?)",
         "ERROR", false},
        /* a condition compared with a boolean: the dialect's constant */
        {"security.relevant = true", NULL, 0, true,
         "EXISTS (SELECT 1 FROM security_relevant s WHERE s.execution_id = "
         "e.execution_id) = 1",
         "", false},
        {"", NULL, 0, true, "1", "", false},
    };

    check_cases(&et__sqlite_dialect, cases, N_OF(cases));
}

T_TEST(postgres_statements)
{
    static const struct sql_case cases[] = {
        /* PostgreSQL's planner has statistics: one plain SELECT */
        {"agent = alpha", NULL, 0, false,
         "SELECT " SUMMARY " FROM executions e WHERE e.agent_name = "
         "$1::text" PG_NEWEST,
         "alpha", false},
        {"verification status ERROR MISMATCH", &page10, 0, false,
         "SELECT e.execution_id FROM executions e WHERE e.verification IN "
         "($1::text, $2::text)" PG_NEWEST " LIMIT $3::bigint",
         "ERROR|MISMATCH|10", false},
        /* record fields compare as jsonb; a user path is a text[] */
        {"usage.cost > 0.5 ORDER BY duration_ms DESC LIMIT 3", NULL, 0, false,
         "SELECT " SUMMARY " FROM executions e WHERE (e.doc::jsonb #> "
         "$1::text[]) > to_jsonb($2::float8) ORDER BY e.duration_ms DESC "
         "NULLS LAST, e.execution_id COLLATE \"C\" LIMIT $3::bigint",
         "{usage,cost}|0.5|3", false},
        {"NOT files_modified:*.env", &page10, 0, false,
         "SELECT e.execution_id FROM executions e WHERE NOT COALESCE("
         "(e.execution_id IN (SELECT l.execution_id FROM exec_lists l WHERE "
         "l.kind = 0 AND (l.item ILIKE $1::text ESCAPE '\\'))), "
         "false)" PG_NEWEST " LIMIT $2::bigint",
         "%.env|10", false},
        {"api_calls_made github aws", NULL, 0, false,
         "SELECT " SUMMARY " FROM executions e WHERE (e.execution_id IN "
         "(SELECT l.execution_id FROM exec_lists l WHERE l.kind = 2 AND "
         "(l.item ILIKE $1::text ESCAPE '\\' OR l.item ILIKE $2::text ESCAPE "
         "'\\')))" PG_NEWEST,
         "%github%|%aws%", false},
        /* free text: a tsquery phrase; no dense form */
        {"\"make test\"", &page20, ET_QC_DENSE, false,
         "SELECT e.execution_id FROM executions e WHERE e.execution_id IN "
         "(SELECT f.execution_id FROM fts f WHERE f.tsv @@ "
         "phraseto_tsquery('simple', "
         "regexp_replace($1::text, '[^[:alnum:]]+', ' ', 'g')))" PG_NEWEST
         " LIMIT $2::bigint",
         "make test|20", false},
        {"action(tool = Bash AND NOT success)", NULL, 0, false,
         "SELECT " SUMMARY " FROM executions e WHERE e.execution_id IN "
         "(SELECT a.execution_id FROM actions a WHERE (a.tool = $1::text AND "
         "NOT COALESCE(a.success = 1, false)))" PG_NEWEST,
         "Bash", false},
        {"issues type ERROR", NULL, 0, true,
         "EXISTS (SELECT 1 FROM jsonb_array_elements((CASE WHEN "
         "jsonb_typeof(e.doc::jsonb #> '{issues}') = 'array' THEN e.doc::jsonb "
         "#> '{issues}' ELSE '[]'::jsonb END)) j(value) WHERE (j.value #> "
         "'{type}') = to_jsonb($1::text))",
         "ERROR", false},
        /* not "= $1::bigint": PostgreSQL has no boolean = bigint */
        {"security.relevant = false", NULL, 0, true,
         "EXISTS (SELECT 1 FROM security_relevant s WHERE s.execution_id = "
         "e.execution_id) = false",
         "", false},
        {"", NULL, 0, true, "true", "", false},
    };
    const struct et_sql_dialect *pg = et_store_dialect_of(ET_BACKEND_POSTGRES);

    if (!pg)
        T_SKIP("built without PostgreSQL");
    check_cases(pg, cases, N_OF(cases));
}

/* A dialect of the test's own: SQLite's spelling, :N placeholders and no
 * planning shapes. The compiler knows nothing else about a dialect. */
static void colon_placeholder(struct et_sqlstmt *s, size_t n,
                              const struct et_sqlparam *v)
{
    (void)v;
    if (!s->rc)
        s->rc = et_buf_printf(&s->sql, ":%zu", n);
}

T_TEST(a_dialect_is_only_spelling)
{
    struct et_sql_dialect d = et__sqlite_dialect;
    const struct sql_case cases[] = {
        {"agent = alpha files_modified auth", NULL, 0, false,
         "SELECT " SUMMARY " FROM executions e WHERE (e.agent_name = :1 AND "
         "(e.execution_id IN (SELECT l.execution_id FROM exec_lists l WHERE "
         "l.kind = 0 AND (l.item LIKE :2 ESCAPE '\\'))))" SQ_NEWEST " LIMIT :3",
         "alpha|%auth%|-1", false},
        {"duration_ms > 5", &page10, 0, false,
         "SELECT e.execution_id FROM executions e WHERE e.duration_ms > :1" SQ_NEWEST
         " LIMIT :2",
         "5|10", false},
    };

    d.name = "colon";
    d.flags = 0;
    d.placeholder = colon_placeholder;
    check_cases(&d, cases, N_OF(cases));
}

T_TEST(user_values_are_only_parameters)
{
    static const struct {
        const char *query;
        const char *marker;
    } cases[] = {
        {"agent_metadata.name = \"x'; DROP TABLE ledger; --\"", "DROP"},
        {"files_modified secrets zqb", "zqb"},
        {"\"zqd OR fts NEAR\"", "zqd"},
        {"action(tool = zqf AND input ~ zqg)", "zqg"},
        {"usage.zqh > 3", "zqh"},
        {"learning.insights_gained zqi", "zqi"},
        {"issues.description ~ zqj", "zqj"},
        {"security.reason = zqk", "zqk"},
        {"credential.kind != zql", "zql"},
    };
    const struct et_sql_dialect *d[] = {
        &et__sqlite_dialect, et_store_dialect_of(ET_BACKEND_POSTGRES)};

    for (size_t k = 0; k < N_OF(d) && d[k]; k++) {
        for (size_t i = 0; i < N_OF(cases) && !t_stopped(); i++) {
            struct et_error err = ET_ERROR_INIT;
            struct et_sqlstmt s;
            struct et_query *q = NULL;
            struct et_buf ps = ET_BUF_INIT;
            int rc = compile_text(d[k], cases[i].query, &page10, 0, false, &s,
                                  &q, &err);

            params_str(&s.params, &ps);
            if (rc || strstr(et_buf_str(&s.sql), cases[i].marker) ||
                !strstr(et_buf_str(&ps), cases[i].marker))
                t_fail(__FILE__, __LINE__, "%s: %s: rc %d: %s [%s]", d[k]->name,
                       cases[i].query, rc, et_buf_str(&s.sql), et_buf_str(&ps));
            et_buf_release(&ps);
            et__sqlstmt_release(&s);
            et_query_free(q);
        }
    }
}

/* The parser and checker fail before the compiler, with the column; the
 * statement is left empty and releasable. */
T_TEST(errors_before_the_compiler_name_the_column)
{
    static const struct {
        const char *query;
        const char *msg;
    } cases[] = {
        {"n_actions > 1 AND duraton_ms > 5",
         "unknown field 'duraton_ms' at column 19 (did you mean "
         "'duration_ms'?)"},
        {"files_modified > 3",
         "operator > at column 16 does not apply to output.files_modified "
         "(it is text: use =, !=, ~ or a value list)"},
        {"action(success > 1)",
         "operator > at column 16 does not apply to success (it is a "
         "boolean: use =, != or the name alone)"},
        {"duration_ms ~ 5", "operator ~ at column 13 does not apply to "
                            "duration_ms (it is a number)"},
    };
    const struct et_sql_dialect *d[] = {
        &et__sqlite_dialect, et_store_dialect_of(ET_BACKEND_POSTGRES)};

    for (size_t k = 0; k < N_OF(d) && d[k]; k++) {
        for (size_t i = 0; i < N_OF(cases); i++) {
            struct et_error err = ET_ERROR_INIT;
            struct et_sqlstmt s;
            struct et_query *q = NULL;
            int rc = compile_text(d[k], cases[i].query, NULL, 0, false, &s, &q,
                                  &err);

            T_ASSERT_INT_EQ(rc, ET_EINPUT);
            T_ASSERT_STR_EQ(err.msg, cases[i].msg);
            T_ASSERT(q == NULL && s.sql.len == 0 && s.params.n == 0);
            et__sqlstmt_release(&s);
        }
    }
}

/* A tree the checker would not produce is refused, naming the column,
 * rather than turned into SQL. */
T_TEST(the_compiler_refuses_a_bad_tree)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_sqlstmt s;
    struct et_query *q = NULL;
    const struct et_qfield *object = NULL;
    const char *text = "n_actions > 1 AND agent = x";
    struct et_qnode *cmp;

    for (size_t i = 0; i < et__n_qfields && !object; i++)
        if (et__qfields[i].place == ET_QP_NONE &&
            !strcmp(et__qfields[i].path, "verification"))
            object = &et__qfields[i];
    T_ASSERT(object != NULL);
    T_ASSERT_OK(et_query_parse(text, strlen(text), NOW_NS, &q, &err));
    T_ASSERT(q->where->kind == ET_QN_AND);
    cmp = q->where->kids->next; /* agent = x, at column 19 */
    /* a field without storage (an object) */
    cmp->field = object;
    T_ASSERT_RC(et__query_compile(&et__sqlite_dialect, q, NULL, 0, &s, &err),
                ET_EINTERNAL);
    T_ASSERT_STR_EQ(err.msg, "cannot compile the query: no storage for "
                             "field 'verification' at column 19");
    et__sqlstmt_release(&s);
    /* a comparison without a value */
    cmp->field = q->where->kids->field;
    cmp->n_vals = 0;
    cmp->op = ET_QOP_GT;
    T_ASSERT_RC(et__query_compile(&et__sqlite_dialect, q, NULL, 0, &s, &err),
                ET_EINTERNAL);
    T_ASSERT_STR_EQ(err.msg, "cannot compile the query: no value to compare "
                             "with 'n_actions' at column 19");
    et__sqlstmt_release(&s);
    /* an operator that does not exist */
    cmp->n_vals = 1;
    cmp->op = (enum et_qop)99;
    T_ASSERT_RC(et__query_compile_where(&et__sqlite_dialect, q, &s, &err),
                ET_EINTERNAL);
    T_ASSERT_STR_EQ(err.msg, "cannot compile the query: no such comparison "
                             "on 'n_actions' at column 19");
    et__sqlstmt_release(&s);
    et_query_free(q);
}

/* A dialect hook that fails (out of memory) fails the compile with the
 * status named, and the statement is still releasable. */
static void failing_placeholder(struct et_sqlstmt *s, size_t n,
                                const struct et_sqlparam *v)
{
    (void)n;
    (void)v;
    s->rc = ET_ENOMEM;
}

T_TEST(a_failing_dialect_fails_the_compile)
{
    struct et_sql_dialect d = et__sqlite_dialect;
    struct et_error err = ET_ERROR_INIT;
    struct et_sqlstmt s;
    struct et_query *q = NULL;
    const char *text = "\"deploy\" agent = x";

    d.placeholder = failing_placeholder;
    T_ASSERT_OK(et_query_parse(text, strlen(text), NOW_NS, &q, &err));
    T_ASSERT_RC(et__query_compile(&d, q, NULL, 0, &s, &err), ET_ENOMEM);
    T_ASSERT_STR_CONTAINS(err.msg, "cannot build the query: ");
    et__sqlstmt_release(&s);
    T_ASSERT_RC(et__query_compile_where(&d, q, &s, &err), ET_ENOMEM);
    et__sqlstmt_release(&s);
    et_query_free(q);
}

T_MAIN("query_compile", T_CASE(sqlite_statements), T_CASE(postgres_statements),
       T_CASE(a_dialect_is_only_spelling),
       T_CASE(user_values_are_only_parameters),
       T_CASE(errors_before_the_compiler_name_the_column),
       T_CASE(the_compiler_refuses_a_bad_tree),
       T_CASE(a_failing_dialect_fails_the_compile))
