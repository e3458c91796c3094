/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL dialect of the query language: a checked query tree
 * (src/query/ast.h) becomes one SELECT over `executions e` with $n
 * parameters. Scalar fields are columns where the projection has one and
 * jsonb paths into the record otherwise (compared as jsonb, so numbers
 * compare as numbers); lists are IN/EXISTS subqueries; free text is a
 * tsvector phrase match. Unlike the SQLite dialect there is no page/whole
 * planning: PostgreSQL's planner has statistics on the bound values.
 * The structure mirrors query_sqlite.c (duplicated, see STORE.md).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "query/ast.h"
#include "store/pg/pg_int.h"

static const struct {
    const char *path;
    const char *column;
} exec_columns[] =
    {
        {"execution_id", "e.execution_id"},
        {"session_id", "e.session_id"},
        {"timestamp_start", "e.start_ns"},
        {"timestamp_end", "e.end_ns"},
        {"duration_ms", "e.duration_ms"},
        {"agent_metadata.name", "e.agent_name"},
        {"agent_metadata.version", "e.agent_version"},
        {"verification.status", "e.verification"},
        {"quality_metrics.completeness", "e.completeness"},
        {"quality_metrics.accuracy", "e.accuracy"},
        {"quality_metrics.efficiency", "e.efficiency"},
        {"state", "e.state"},
        {"n_actions", "e.n_actions"},
        {"n_failed_actions", "e.n_failed_actions"},
},
  action_columns[] = {
      {"sequence", "a.sequence"},
      {"tool", "a.tool"},
      {"timestamp", "a.ts_ns"},
      {"success", "a.success"},
};

struct qparams {
    char **v; /* owned, NUL-terminated text values */
    size_t n, cap;
};

struct emit {
    struct et_buf *sql;
    struct qparams *p;
    int rc;
};

/* how a field's SQL value compares */
enum vkind { V_COLUMN, V_TEXT, V_JSON };

static void qparams_release(struct qparams *p)
{
    for (size_t i = 0; i < p->n; i++)
        et__free(p->v[i]);
    et__free(p->v);
    memset(p, 0, sizeof(*p));
}

static void put(struct emit *e, const char *s)
{
    if (!e->rc)
        e->rc = et_buf_addstr(e->sql, s);
}

/* bind text value s (len bytes) as $n, with an SQL cast */
static void bind_text(struct emit *e, const char *s, size_t len,
                      const char *cast)
{
    char *v;

    if (e->rc)
        return;
    if (e->p->n == e->p->cap) {
        size_t cap = e->p->cap ? e->p->cap * 2 : 16;
        char **nv = et__realloc(e->p->v, cap * sizeof(*nv));

        if (!nv) {
            e->rc = ET_ENOMEM;
            return;
        }
        e->p->v = nv;
        e->p->cap = cap;
    }
    v = et__malloc(len + 1);
    if (!v) {
        e->rc = ET_ENOMEM;
        return;
    }
    memcpy(v, s, len);
    v[len] = '\0';
    e->p->v[e->p->n++] = v;
    e->rc = et_buf_printf(e->sql, "$%zu::%s", e->p->n, cast);
}

static void bind_val(struct emit *e, const struct et_qval *v)
{
    char num[40];

    if (v->type == ET_QV_STR) {
        bind_text(e, v->s, v->len, "text");
    } else if (v->type == ET_QV_INT) {
        snprintf(num, sizeof(num), "%lld", (long long)v->i);
        bind_text(e, num, strlen(num), "bigint");
    } else {
        snprintf(num, sizeof(num), "%.17g", v->d);
        bind_text(e, num, strlen(num), "float8");
    }
}

static const char *column_of(const struct et_qfield *f)
{
    if (f->place == ET_QP_EXEC) {
        for (size_t i = 0; i < ET_ARRAY_SIZE(exec_columns); i++)
            if (!strcmp(exec_columns[i].path, f->path))
                return exec_columns[i].column;
    } else if (f->place == ET_QP_ACTION) {
        for (size_t i = 0; i < ET_ARRAY_SIZE(action_columns); i++)
            if (!strcmp(action_columns[i].path, f->path))
                return action_columns[i].column;
    }
    return NULL;
}

/* '{a,b}' for "a.b": field table paths only ([a-z_.]) */
static void path_literal(struct emit *e, const char *path)
{
    put(e, "'{");
    for (const char *c = path; *c && !e->rc; c++) {
        if (!((*c >= 'a' && *c <= 'z') || *c == '_' || *c == '.'))
            ET_BUG("field table path is not a plain identifier path");
        e->rc = et_buf_addch(e->sql, *c == '.' ? ',' : *c);
    }
    put(e, "}'");
}

/* a validated "$.a.b" of an extension field, bound as a text[] path */
static void path_param(struct emit *e, const char *json_path)
{
    struct et_buf b = ET_BUF_INIT;
    const char *s = json_path;
    int rc;

    if (!strncmp(s, "$.", 2))
        s += 2;
    rc = et_buf_addch(&b, '{');
    for (; !rc && *s; s++)
        rc = *s == '.' ? et_buf_addch(&b, ',')
             : *s == '"' || *s == '\\' || *s == ',' || *s == '{' || *s == '}'
                 ? et_buf_addch(&b, '_') /* never in a validated path */
                 : et_buf_addch(&b, *s);
    if (!rc)
        rc = et_buf_addch(&b, '}');
    if (rc) {
        e->rc = rc;
    } else {
        bind_text(e, b.ptr, b.len, "text[]");
    }
    et_buf_release(&b);
}

static const char *member_of(const char *path)
{
    const char *dot = strrchr(path, '.');

    return dot ? dot + 1 : path;
}

static enum vkind field_expr(struct emit *e, const struct et_qfield *f,
                             const char *json_path)
{
    const char *col = column_of(f);

    if (col) {
        put(e, col);
        return V_COLUMN;
    }
    switch (f->place) {
    case ET_QP_EXEC:
        put(e, "(e.doc::jsonb #> ");
        if (json_path)
            path_param(e, json_path);
        else
            path_literal(e, f->path);
        put(e, ")");
        return V_JSON;
    case ET_QP_ACTION:
        put(e, "(a.doc::jsonb #> ");
        path_literal(e, f->path);
        put(e, ")");
        return V_JSON;
    case ET_QP_ISSUE:
        put(e, "(j.value #> ");
        path_literal(e, member_of(f->path));
        put(e, ")");
        return V_JSON;
    case ET_QP_EXEC_LIST:
        put(e, "l.item");
        return V_TEXT;
    case ET_QP_JSON_LIST:
    case ET_QP_SEC_REASON:
        put(e, "j.value");
        return V_TEXT;
    case ET_QP_CRED:
        put(e,
            !strcmp(member_of(f->path), "kind") ? "c.kind" : "c.fingerprint");
        return V_TEXT;
    case ET_QP_SECURITY:
        put(e, "EXISTS (SELECT 1 FROM security_relevant s WHERE "
               "s.execution_id = e.execution_id)");
        return V_COLUMN;
    case ET_QP_NONE:
        break;
    }
    ET_BUG("field without storage reached the dialect");
}

static void value(struct emit *e, enum vkind k, const struct et_qval *v)
{
    if (k == V_JSON) {
        put(e, "to_jsonb(");
        bind_val(e, v);
        put(e, ")");
    } else {
        bind_val(e, v);
    }
}

/* the field as text, for LIKE */
static void text_expr(struct emit *e, const struct et_qnode *n)
{
    struct et_buf *saved = e->sql, tmp = ET_BUF_INIT;
    enum vkind k;

    /* render into tmp first to learn the kind */
    e->sql = &tmp;
    k = field_expr(e, n->field, n->json_path);
    e->sql = saved;
    if (k == V_JSON)
        put(e, "(");
    if (!e->rc)
        e->rc = et_buf_add(e->sql, tmp.ptr, tmp.len);
    if (k == V_JSON)
        put(e, " #>> '{}')");
    else if (k == V_COLUMN)
        put(e, "::text");
    et_buf_release(&tmp);
}

static void pred(struct emit *e, const struct et_qnode *n, enum et_qop op)
{
    static const char *const rel[] = {
        [ET_QOP_EQ] = " = ", [ET_QOP_NE] = " IS DISTINCT FROM ",
        [ET_QOP_LT] = " < ", [ET_QOP_LE] = " <= ",
        [ET_QOP_GT] = " > ", [ET_QOP_GE] = " >= "};
    enum vkind k;

    switch (op) {
    case ET_QOP_EQ:
    case ET_QOP_NE:
    case ET_QOP_LT:
    case ET_QOP_LE:
    case ET_QOP_GT:
    case ET_QOP_GE:
        k = field_expr(e, n->field, n->json_path);
        put(e, rel[op]);
        value(e, k, &n->vals[0]);
        return;
    case ET_QOP_IN:
        if (n->n_vals == 0) {
            put(e, "false");
            return;
        }
        k = field_expr(e, n->field, n->json_path);
        put(e, " IN (");
        for (size_t i = 0; i < n->n_vals; i++) {
            if (i)
                put(e, ", ");
            value(e, k, &n->vals[i]);
        }
        put(e, ")");
        return;
    case ET_QOP_MATCH:
        put(e, "(");
        for (size_t i = 0; i < n->n_vals; i++) {
            if (i)
                put(e, " OR ");
            text_expr(e, n);
            put(e, " ILIKE ");
            bind_val(e, &n->vals[i]);
            put(e, " ESCAPE '\\'");
        }
        put(e, ")");
        return;
    case ET_QOP_NMATCH:
        put(e, "NOT COALESCE(");
        pred(e, n, ET_QOP_MATCH);
        put(e, ", false)");
        return;
    case ET_QOP_TRUE:
        k = field_expr(e, n->field, n->json_path);
        put(e, k == V_JSON                         ? " = 'true'::jsonb"
               : n->field->place == ET_QP_SECURITY ? ""
                                                   : " = 1");
        return;
    }
}

/* jsonb array at X, or an empty one (a scalar would make the set function
 * fail) */
#define ARRAY_OR_EMPTY(x)                                                \
 "(CASE WHEN jsonb_typeof(" x ") = 'array' THEN " x " ELSE '[]'::jsonb " \
 "END)"

static void cmp(struct emit *e, const struct et_qnode *n)
{
    const struct et_qfield *f = n->field;
    bool none = n->op == ET_QOP_NE || n->op == ET_QOP_NMATCH;
    enum et_qop some = n->op == ET_QOP_NE       ? ET_QOP_EQ
                       : n->op == ET_QOP_NMATCH ? ET_QOP_MATCH
                                                : n->op;
    char kind[48];

    switch (f->place) {
    case ET_QP_EXEC_LIST:
        snprintf(kind, sizeof(kind), "%d AND ", f->list_kind);
        put(e, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
        put(e, "(SELECT l.execution_id FROM exec_lists l WHERE l.kind = ");
        put(e, kind);
        pred(e, n, some);
        put(e, "))");
        return;
    case ET_QP_CRED:
        put(e, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
        put(e, "(SELECT c.execution_id FROM exec_credentials c WHERE ");
        pred(e, n, some);
        put(e, "))");
        return;
    case ET_QP_SEC_REASON:
        put(e, none ? "NOT EXISTS" : "EXISTS");
        put(e, " (SELECT 1 FROM security_relevant s, "
               "jsonb_array_elements_text(s.reasons::jsonb) j(value) WHERE "
               "s.execution_id = e.execution_id AND ");
        pred(e, n, some);
        put(e, ")");
        return;
    case ET_QP_JSON_LIST:
        put(e, none ? "NOT EXISTS" : "EXISTS");
        put(e, " (SELECT 1 FROM jsonb_array_elements_text(");
        put(e, "(CASE WHEN jsonb_typeof(e.doc::jsonb #> ");
        path_literal(e, f->path);
        put(e, ") = 'array' THEN e.doc::jsonb #> ");
        path_literal(e, f->path);
        put(e, " ELSE '[]'::jsonb END)) j(value) WHERE ");
        pred(e, n, some);
        put(e, ")");
        return;
    case ET_QP_ISSUE:
        put(e, none ? "NOT EXISTS" : "EXISTS");
        put(e, " (SELECT 1 FROM jsonb_array_elements(" ARRAY_OR_EMPTY(
                   "e.doc::jsonb -> 'issues'") ") j(value) WHERE ");
        pred(e, n, some);
        put(e, ")");
        return;
    default:
        pred(e, n, n->op);
        return;
    }
}

static void node_sql(struct emit *e, const struct et_qnode *n)
{
    switch (n->kind) {
    case ET_QN_AND:
    case ET_QN_OR:
        put(e, "(");
        for (const struct et_qnode *k = n->kids; k; k = k->next) {
            if (k != n->kids)
                put(e, n->kind == ET_QN_AND ? " AND " : " OR ");
            node_sql(e, k);
        }
        put(e, ")");
        return;
    case ET_QN_NOT:
        put(e, "NOT COALESCE(");
        node_sql(e, n->kids);
        put(e, ", false)");
        return;
    case ET_QN_CMP:
        cmp(e, n);
        return;
    case ET_QN_TEXT:
        /* a phrase: its words in order (as an FTS5 phrase) */
        put(e, "e.execution_id IN (SELECT ei.execution_id FROM fts f JOIN "
               "event_index ei ON ei.seq = f.seq WHERE f.tsv @@ "
               "phraseto_tsquery('simple', regexp_replace(");
        bind_text(e, n->text, n->text_len, "text");
        put(e, ", '[^[:alnum:]]+', ' ', 'g')))");
        return;
    case ET_QN_ACTION:
        put(e, "e.execution_id IN (SELECT a.execution_id FROM actions a "
               "WHERE ");
        node_sql(e, n->kids);
        put(e, ")");
        return;
    }
}

static int64_t effective_limit(const struct et_query *q,
                               const struct et_qrun *run)
{
    int64_t a = q ? q->limit : -1, b = run ? run->limit : -1;

    if (a < 0)
        return b;
    return b < 0 || a < b ? a : b;
}

static void order_sql(struct emit *e, const struct et_query *q)
{
    if (!q || q->n_order == 0) {
        put(e, " ORDER BY e.start_ns DESC NULLS LAST, e.execution_id "
               "COLLATE \"C\" DESC");
        return;
    }
    put(e, " ORDER BY ");
    for (size_t i = 0; i < q->n_order; i++) {
        field_expr(e, q->order[i].field, q->order[i].json_path);
        put(e, q->order[i].desc ? " DESC NULLS LAST, " : " ASC NULLS LAST, ");
    }
    put(e, "e.execution_id COLLATE \"C\"");
}

static int build(struct emit *e, const struct et_query *q,
                 const struct et_qrun *run, struct et_error *err)
{
    bool where = q && q->where;
    int64_t limit = effective_limit(q, run);

    put(e, run && run->ids_only ? "SELECT e.execution_id FROM executions e"
                                : "SELECT e.execution_id, e.session_id, "
                                  "e.agent_name, e.agent_version, e.state, "
                                  "e.verification, e.completeness, "
                                  "e.accuracy, e.efficiency, e.start_ns, "
                                  "e.end_ns, e.duration_ms, e.n_actions, "
                                  "e.n_failed_actions, e.first_seq, "
                                  "e.last_seq FROM executions e");
    if (where || (run && run->only_id))
        put(e, " WHERE ");
    if (where)
        node_sql(e, q->where);
    if (run && run->only_id) {
        put(e, where ? " AND e.execution_id = " : "e.execution_id = ");
        bind_text(e, run->only_id, strlen(run->only_id), "text");
    }
    order_sql(e, q);
    if (limit >= 0) {
        char num[32];

        snprintf(num, sizeof(num), "%lld", (long long)limit);
        put(e, " LIMIT ");
        bind_text(e, num, strlen(num), "bigint");
    }
    if (e->rc)
        return et_error_set(err, e->rc, "cannot build the query: %s",
                            et_status_str(e->rc));
    return ET_OK;
}

/* Run sql with the text parameters p in a read-only way: the dialect only
 * ever writes SELECT statements. */
static int run_sql(struct et_store *st, const struct et_buf *sql,
                   const struct qparams *p, PGresult **out,
                   struct et_error *err, const char *what)
{
    struct et_pg *s = et__pg(st);
    PGresult *r;
    ExecStatusType t;

    *out = NULL;
    if (p->n > 65535)
        return et_error_set(err, ET_ETOOBIG, "query has too many values");
    r = PQexecParams(s->conn, sql->ptr, (int)p->n, NULL,
                     (const char *const *)p->v, NULL, NULL, 0);
    t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (t != PGRES_TUPLES_OK) {
        int rc = et__pg_fail(s, r, err, what);

        PQclear(r);
        return rc;
    }
    *out = r;
    return ET_OK;
}

int et__pg_query_run(struct et_store *st, const struct et_query *q,
                     const struct et_qrun *run, et_exec_row_fn *fn, void *ctx,
                     struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    struct qparams p = {0};
    struct emit e = {&sql, &p, ET_OK};
    PGresult *r = NULL;
    int rc = build(&e, q, run, err);

    if (!rc)
        rc = run_sql(st, &sql, &p, &r, err, "run query");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_exec_row row;

        if (run && run->ids_only) {
            memset(&row, 0, sizeof(row));
            row.execution_id = PQgetvalue(r, i, 0);
        } else {
            et__pg_row_from(r, i, 0, &row);
        }
        rc = fn(ctx, &row);
    }
    PQclear(r);
    qparams_release(&p);
    et_buf_release(&sql);
    return rc;
}

int et__pg_query_explain(struct et_store *st, const struct et_query *q,
                         const struct et_qrun *run, struct et_buf *out,
                         struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT, ex = ET_BUF_INIT;
    struct qparams p = {0};
    struct emit e = {&sql, &p, ET_OK};
    PGresult *r = NULL;
    int rc = build(&e, q, run, err);

    if (!rc)
        rc = et_buf_printf(out, "sql (read-only): %s\nparameters:\n", sql.ptr);
    for (size_t i = 0; !rc && i < p.n; i++)
        rc = et_buf_printf(out, "  $%zu = '%s'\n", i + 1, p.v[i]);
    if (!rc)
        rc = et_buf_addstr(out, "plan:\n");
    if (!rc)
        rc = et_buf_addstr(&ex, "EXPLAIN ");
    if (!rc)
        rc = et_buf_add(&ex, sql.ptr, sql.len);
    if (rc && rc != ET_EIO)
        rc = et_error_set(err, rc, "out of memory");
    if (!rc)
        rc = run_sql(st, &ex, &p, &r, err, "explain query");
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = et_buf_printf(out, "  %s\n", PQgetvalue(r, i, 0));
    PQclear(r);
    qparams_release(&p);
    et_buf_release(&sql);
    et_buf_release(&ex);
    return rc;
}

/* head + WHERE of q (true when none) + tail */
static int filtered(const char *head, const struct et_query *q,
                    const char *tail, struct emit *e, struct et_error *err)
{
    put(e, head);
    if (q && q->where)
        node_sql(e, q->where);
    else
        put(e, "true");
    put(e, tail);
    if (e->rc)
        return et_error_set(err, e->rc, "cannot build the query: %s",
                            et_status_str(e->rc));
    return ET_OK;
}

int et__pg_agent_stats(struct et_store *st, const struct et_query *q,
                       et_store_agent_fn *fn, void *ctx, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    struct qparams p = {0};
    struct emit e = {&sql, &p, ET_OK};
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
        q,
        " GROUP BY e.agent_name ORDER BY 2 DESC, e.agent_name COLLATE "
        "\"C\" NULLS FIRST",
        &e, err);

    if (!rc)
        rc = run_sql(st, &sql, &p, &r, err, "agent statistics");
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
    qparams_release(&p);
    et_buf_release(&sql);
    return rc;
}

int et__pg_failures(struct et_store *st, const struct et_query *q,
                    et_store_failure_fn *fn, void *ctx, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    struct qparams p = {0};
    struct emit e = {&sql, &p, ET_OK};
    PGresult *r = NULL;
    int rc = filtered(
        "SELECT e.execution_id, e.agent_name, e.verification, fa.tool, "
        "fa.doc::jsonb ->> 'error', (SELECT j.value ->> 'description' FROM "
        "jsonb_array_elements(" ARRAY_OR_EMPTY(
            "e.doc::jsonb -> 'issues'") ") j(value) WHERE j.value ->> 'type' = 'ERROR' LIMIT 1) FROM "
                                        "executions e LEFT JOIN actions fa ON fa.execution_id = "
                                        "e.execution_id AND fa.sequence = (SELECT min(a2.sequence) FROM "
                                        "actions a2 WHERE a2.execution_id = e.execution_id AND (a2.success "
                                        "= 0 OR (a2.success IS NULL AND a2.doc::jsonb ->> 'error' IS NOT "
                                        "NULL))) WHERE (e.verification IN ('MISMATCH', 'ERROR') OR "
                                        "e.n_failed_actions > 0) AND ",
        q,
        " ORDER BY e.start_ns DESC NULLS LAST, e.execution_id COLLATE "
        "\"C\" DESC",
        &e, err);

    if (!rc)
        rc = run_sql(st, &sql, &p, &r, err, "failure patterns");
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
    qparams_release(&p);
    et_buf_release(&sql);
    return rc;
}
