/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL dialect of the query language: the spelling the query
 * compiler (src/query/compile.c) writes in ($n parameters sent as text with
 * a cast, jsonb paths compared as jsonb so that numbers compare as numbers,
 * ILIKE, tsvector phrases), and running the statements it wrote. No
 * page/whole planning: PostgreSQL's planner has statistics on the bound
 * values.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "store/pg/pg_int.h"

/* ---- the dialect ---- */

/* $n::cast: libpq sends every parameter as text */
static void dollar(struct et_sqlstmt *s, size_t n, const char *cast)
{
    if (!s->rc)
        s->rc = et_buf_printf(&s->sql, "$%zu::%s", n, cast);
}

static void placeholder(struct et_sqlstmt *s, size_t n,
                        const struct et_sqlparam *v)
{
    dollar(s, n,
           v->type == ET_SQL_INT    ? "bigint"
           : v->type == ET_SQL_REAL ? "float8"
                                    : "text");
}

/* '{a,b}' for "a.b" (a field-table path: plain identifiers) */
static void path_literal(struct et_sqlstmt *s, const char *path)
{
    et__sqlstmt_put(s, "'{");
    for (const char *c = path; *c && !s->rc; c++)
        s->rc = et_buf_addch(&s->sql, *c == '.' ? ',' : *c);
    et__sqlstmt_put(s, "}'");
}

/* a validated "$.a.b" of an extension field, bound as a text[] path */
static void path_param(struct et_sqlstmt *s, const char *json_path)
{
    struct et_buf b = ET_BUF_INIT;
    struct et_sqlparam v = {ET_SQL_TEXT, NULL, 0, 0, 0, NULL};
    const char *c = json_path;
    int rc;

    if (s->rc)
        return;
    if (!strncmp(c, "$.", 2))
        c += 2;
    rc = et_buf_addch(&b, '{');
    for (; !rc && *c; c++)
        rc = *c == '.' ? et_buf_addch(&b, ',')
             : *c == '"' || *c == '\\' || *c == ',' || *c == '{' || *c == '}'
                 ? et_buf_addch(&b, '_') /* never in a validated path */
                 : et_buf_addch(&b, *c);
    if (!rc)
        rc = et_buf_addch(&b, '}');
    if (rc) {
        et_buf_release(&b);
        s->rc = rc;
        return;
    }
    v.own = et_buf_detach(&b, &v.len);
    v.s = v.own;
    dollar(s, et__sqlstmt_param(s, &v), "text[]");
}

static void json_get(struct et_sqlstmt *s, const char *doc, bool is_item,
                     const char *path, const char *user_path, bool as_text)
{
    if (as_text)
        et__sqlstmt_put(s, "(");
    et__sqlstmt_put(s, "(");
    et__sqlstmt_put(s, doc);
    et__sqlstmt_put(s, is_item ? " #> " : "::jsonb #> ");
    if (path)
        path_literal(s, path);
    else
        path_param(s, user_path);
    et__sqlstmt_put(s, ")");
    if (as_text)
        et__sqlstmt_put(s, " #>> '{}')");
}

static void json_arg(struct et_sqlstmt *s, const struct et_sqlparam *v)
{
    et__sqlstmt_put(s, "to_jsonb(");
    et__sqlstmt_bind(s, v);
    et__sqlstmt_put(s, ")");
}

/* the items of a jsonb array; at a path, an empty array when the value
 * there is not one (a scalar would make the set function fail) */
static void json_items(struct et_sqlstmt *s, const char *doc, const char *path,
                       bool objects)
{
    et__sqlstmt_put(s, objects ? "jsonb_array_elements("
                               : "jsonb_array_elements_text(");
    if (!path) {
        et__sqlstmt_put(s, doc);
        et__sqlstmt_put(s, "::jsonb) j(value)");
        return;
    }
    et__sqlstmt_put(s, "(CASE WHEN jsonb_typeof(");
    et__sqlstmt_put(s, doc);
    et__sqlstmt_put(s, "::jsonb #> ");
    path_literal(s, path);
    et__sqlstmt_put(s, ") = 'array' THEN ");
    et__sqlstmt_put(s, doc);
    et__sqlstmt_put(s, "::jsonb #> ");
    path_literal(s, path);
    et__sqlstmt_put(s, " ELSE '[]'::jsonb END)) j(value)");
}

/* a phrase: its words in order (as an FTS5 phrase) */
static void text_match(struct et_sqlstmt *s, const char *text, size_t len,
                       bool probe)
{
    ET_UNUSED(probe);
    /* the text index row names the execution that owns the event now (a
     * moved subagent action's new owner) */
    et__sqlstmt_put(s, "e.execution_id IN (SELECT f.execution_id FROM fts f "
                       "WHERE f.tsv @@ "
                       "phraseto_tsquery('simple', regexp_replace(");
    et__sqlstmt_bind_text(s, text, len);
    et__sqlstmt_put(s, ", '[^[:alnum:]]+', ' ', 'g')))");
}

static void limit(struct et_sqlstmt *s, int64_t n)
{
    if (n < 0)
        return;
    et__sqlstmt_put(s, " LIMIT ");
    et__sqlstmt_bind_int(s, n);
}

const struct et_sql_dialect et__pg_dialect = {
    .name = "postgresql",
    .flags = 0,
    .false_sql = "false",
    .true_sql = "true",
    .ne = " IS DISTINCT FROM ",
    .like = " ILIKE ",
    .text_cast = "::text",
    .json_true = " = 'true'::jsonb",
    .noindex = "",
    .asc = " ASC NULLS LAST",
    .desc = " DESC NULLS LAST",
    .binary = " COLLATE \"C\"", /* byte order, as SQLite's */
    .placeholder = placeholder,
    .json_get = json_get,
    .json_arg = json_arg,
    .json_items = json_items,
    .text_match = text_match,
    .limit = limit,
};

/* ---- running statements ---- */

/* The parameters as text (libpq's text format): *out and each string
 * caller-owned (free with free_values). */
static void free_values(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        et__free(v[i]);
    et__free(v);
}

static int text_values(const struct et_sqlparams *p, char ***out,
                       struct et_error *err)
{
    char **v = et__calloc(p->n ? p->n : 1, sizeof(*v));

    *out = NULL;
    if (!v)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    for (size_t i = 0; i < p->n; i++) {
        const struct et_sqlparam *x = &p->v[i];
        char num[40];
        const char *s = num;
        size_t len;

        if (x->type == ET_SQL_TEXT) {
            s = x->s;
            len = x->len;
        } else {
            if (x->type == ET_SQL_INT)
                snprintf(num, sizeof(num), "%lld", (long long)x->i);
            else
                snprintf(num, sizeof(num), "%.17g", x->d);
            len = strlen(num);
        }
        v[i] = et__malloc(len + 1);
        if (!v[i]) {
            free_values(v, i);
            return et_error_set(err, ET_ENOMEM, "out of memory");
        }
        memcpy(v[i], s, len);
        v[i][len] = '\0';
    }
    *out = v;
    return ET_OK;
}

/* Run sql with the parameters p in a read-only way: the compiler only
 * ever writes SELECT statements. */
static int run_sql(struct et_store *st, const struct et_buf *sql,
                   const struct et_sqlparams *p, PGresult **out,
                   struct et_error *err, const char *what)
{
    struct et_pg *s = et__pg(st);
    PGresult *r;
    ExecStatusType t;
    char **v = NULL;
    int rc;

    *out = NULL;
    if (p->n > 65535)
        return et_error_set(err, ET_ETOOBIG, "query has too many values");
    rc = et__pg_settle(s, err);
    if (!rc)
        rc = text_values(p, &v, err);
    if (rc)
        return rc;
    r = PQexecParams(s->conn, et_buf_str(sql), (int)p->n, NULL,
                     (const char *const *)v, NULL, NULL, 0);
    free_values(v, p->n);
    t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (t != PGRES_TUPLES_OK) {
        rc = et__pg_fail(s, r, err, what);
        PQclear(r);
        return rc;
    }
    *out = r;
    return ET_OK;
}

int et__pg_query_run(struct et_store *st, const struct et_sqlstmt *s,
                     et_exec_row_fn *fn, void *ctx, struct et_error *err)
{
    PGresult *r = NULL;
    int rc = run_sql(st, &s->sql, &s->params, &r, err, "run query");

    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_exec_row row;

        if (s->ids_only) {
            memset(&row, 0, sizeof(row));
            row.execution_id = PQgetvalue(r, i, 0);
        } else {
            et__pg_row_from(r, i, 0, &row);
        }
        rc = fn(ctx, &row);
    }
    PQclear(r);
    return rc;
}

int et__pg_query_explain(struct et_store *st, const struct et_sqlstmt *s,
                         struct et_buf *out, struct et_error *err)
{
    struct et_buf ex = ET_BUF_INIT;
    char **v = NULL;
    PGresult *r = NULL;
    int rc = text_values(&s->params, &v, err);

    if (!rc)
        rc = et_buf_printf(out, "sql (read-only): %s\nparameters:\n",
                           et_buf_str(&s->sql));
    for (size_t i = 0; !rc && i < s->params.n; i++)
        rc = et_buf_printf(out, "  $%zu = '%s'\n", i + 1, v[i]);
    free_values(v, s->params.n);
    if (!rc)
        rc = et_buf_addstr(out, "plan:\n");
    if (!rc)
        rc = et_buf_addstr(&ex, "EXPLAIN ");
    if (!rc)
        rc = et_buf_add(&ex, s->sql.ptr, s->sql.len);
    if (rc && rc != ET_EIO)
        rc = et_error_set(err, rc, "out of memory");
    if (!rc)
        rc = run_sql(st, &ex, &s->params, &r, err, "explain query");
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = et_buf_printf(out, "  %s\n", PQgetvalue(r, i, 0));
    PQclear(r);
    et_buf_release(&ex);
    return rc;
}

/* head + the WHERE condition (its parameters are where's) + tail */
static int filtered(const char *head, const struct et_sqlstmt *where,
                    const char *tail, struct et_buf *sql, struct et_error *err)
{
    int rc = et_buf_addstr(sql, head);

    if (!rc)
        rc = et_buf_add(sql, where->sql.ptr, where->sql.len);
    if (!rc)
        rc = et_buf_addstr(sql, tail);
    if (rc)
        return et_error_set(err, rc, "cannot build the query: %s",
                            et_status_str(rc));
    return ET_OK;
}

int et__pg_agent_stats(struct et_store *st, const struct et_sqlstmt *where,
                       et_store_agent_fn *fn, void *ctx, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    PGresult *r = NULL;
    int rc = filtered(
        "SELECT e.agent_name, count(*), count(*) FILTER (WHERE e.state = "
        "'completed'), count(*) FILTER (WHERE e.verification = 'MATCH'), "
        "count(*) FILTER (WHERE e.verification = 'PARTIAL'), count(*) "
        "FILTER (WHERE e.verification = 'MISMATCH'), count(*) FILTER (WHERE "
        "e.verification = 'ERROR'), count(*) FILTER (WHERE e.verification "
        "IS NULL), coalesce(sum(e.n_actions), 0), "
        "coalesce(sum(e.n_failed_actions), 0), max(e.duration_ms), "
        "avg(e.duration_ms) FROM executions e WHERE ",
        where,
        " GROUP BY e.agent_name ORDER BY 2 DESC, e.agent_name COLLATE "
        "\"C\" NULLS FIRST",
        &sql, err);

    if (!rc)
        rc = run_sql(st, &sql, &where->params, &r, err, "agent statistics");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_agent_row a;

        a.agent_name = et__pg_text(r, i, 0);
        a.executions = et__pg_i64(r, i, 1, 0);
        a.completed = et__pg_i64(r, i, 2, 0);
        a.match = et__pg_i64(r, i, 3, 0);
        a.partial = et__pg_i64(r, i, 4, 0);
        a.mismatch = et__pg_i64(r, i, 5, 0);
        a.error = et__pg_i64(r, i, 6, 0);
        a.unverified = et__pg_i64(r, i, 7, 0);
        a.actions = et__pg_i64(r, i, 8, 0);
        a.failed_actions = et__pg_i64(r, i, 9, 0);
        a.max_duration_ms = et__pg_i64(r, i, 10, -1);
        a.avg_duration_ms =
            PQgetisnull(r, i, 11) ? -1 : strtod(PQgetvalue(r, i, 11), NULL);
        rc = fn(ctx, &a);
    }
    PQclear(r);
    et_buf_release(&sql);
    return rc;
}

int et__pg_failures(struct et_store *st, const struct et_sqlstmt *where,
                    et_store_failure_fn *fn, void *ctx, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    PGresult *r = NULL;
    int rc = filtered(
        "SELECT e.execution_id, e.agent_name, e.verification, fa.tool, "
        "fa.doc::jsonb ->> 'error', (SELECT j.value ->> 'description' FROM "
        "jsonb_array_elements((CASE WHEN jsonb_typeof(e.doc::jsonb -> "
        "'issues') = 'array' THEN e.doc::jsonb -> 'issues' ELSE '[]'::jsonb "
        "END)) j(value) WHERE j.value ->> 'type' = 'ERROR' LIMIT 1) FROM "
        "executions e LEFT JOIN actions fa ON fa.execution_id = "
        "e.execution_id AND fa.sequence = (SELECT min(a2.sequence) FROM "
        "actions a2 WHERE a2.execution_id = e.execution_id AND (a2.success "
        "= 0 OR (a2.success IS NULL AND a2.doc::jsonb ->> 'error' IS NOT "
        "NULL))) WHERE (e.verification IN ('MISMATCH', 'ERROR') OR "
        "e.n_failed_actions > 0) AND ",
        where,
        " ORDER BY e.start_ns DESC NULLS LAST, e.execution_id COLLATE "
        "\"C\" DESC",
        &sql, err);

    if (!rc)
        rc = run_sql(st, &sql, &where->params, &r, err, "failure patterns");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_failure_row f;

        f.execution_id = PQgetvalue(r, i, 0);
        f.agent_name = et__pg_text(r, i, 1);
        f.verification = et__pg_text(r, i, 2);
        f.tool = et__pg_text(r, i, 3);
        f.error = et__pg_text(r, i, 4);
        f.issue = et__pg_text(r, i, 5);
        rc = fn(ctx, &f);
    }
    PQclear(r);
    et_buf_release(&sql);
    return rc;
}
