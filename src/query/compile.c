/* SPDX-License-Identifier: MIT */
/*
 * The query compiler. A checked query tree becomes one SELECT over
 * `executions e`: fields with a column of the projection are that column,
 * other record fields a JSON path into the stored record, list fields
 * IN/EXISTS subqueries over exec_lists, exec_credentials,
 * security_relevant or a JSON array's items, action(...) a subquery over
 * actions, and quoted free text the full-text index. The walk, the field
 * storage and the statement's shape are here, once; the store's dialect
 * (store/sqlgen.h) spells placeholders, JSON access, case-insensitive
 * LIKE, full text and the LIMIT, and says which planning shapes it wants.
 * Every user value is a bound parameter.
 */
#include "base/setup.h"
#include "query/compile.h"

/* Fields the projection keeps in their own columns. `broad` columns hold
 * few distinct values: a page is found faster by walking the time index
 * than through their indexes (ET_SQLD_PROBE). */
static const struct column {
    const char *path;
    const char *column;
    bool broad;
} exec_columns[] =
    {
        {"execution_id", "e.execution_id", false},
        {"session_id", "e.session_id", false},
        {"timestamp_start", "e.start_ns", false},
        {"timestamp_end", "e.end_ns", false},
        {"duration_ms", "e.duration_ms", true},
        {"agent_metadata.name", "e.agent_name", false},
        {"agent_metadata.version", "e.agent_version", false},
        {"verification.status", "e.verification", true},
        {"quality_metrics.completeness", "e.completeness", true},
        {"quality_metrics.accuracy", "e.accuracy", true},
        {"quality_metrics.efficiency", "e.efficiency", true},
        {"state", "e.state", true},
        {"n_actions", "e.n_actions", true},
        {"n_failed_actions", "e.n_failed_actions", true},
},
  action_columns[] = {
      {"sequence", "a.sequence", false},
      {"tool", "a.tool", false},
      {"timestamp", "a.ts_ns", false},
      {"success", "a.success", false},
};

#define SUMMARY_COLUMNS                                                    \
 "e.execution_id, e.session_id, e.agent_name, e.agent_version, e.state, "  \
 "e.verification, e.completeness, e.accuracy, e.efficiency, e.start_ns, "  \
 "e.end_ns, e.duration_ms, e.n_actions, e.n_failed_actions, e.first_seq, " \
 "e.last_seq"

/* A page: at most this many rows in the default order (ET_SQLD_PROBE). */
#define PAGE_MAX 1000
/* Free-text phrases asked about for the probe form; later ones are
 * collected. */
#define DENSE_MAX 8

struct compiler {
    struct et_sqlstmt *s;
    const struct et_sql_dialect *d;
    struct et_error *err;
    bool failed; /* err is set */
    bool probe;  /* a page of a probing dialect: per-execution forms */
    bool vocab;  /* list predicates test list_vocab v, not exec_lists l */
    /* free-text nodes found in many events: probed, not collected */
    const struct et_qnode *const *dense;
    size_t n_dense;
};

/* What a field's SQL value is, for the comparisons that follow it. */
enum vkind {
    V_COLUMN, /* a column of the projection */
    V_JSON,   /* the dialect's JSON value (json_get) */
    V_ITEM,   /* a text item of a list */
    V_BOOL,   /* an SQL condition */
    V_NONE,   /* nothing written: the compiler failed */
};

static void put(struct compiler *c, const char *sql)
{
    et__sqlstmt_put(c->s, sql);
}

static void fail(struct compiler *c, const struct et_qnode *n, const char *what,
                 const char *name)
{
    if (c->failed || c->s->rc)
        return;
    c->s->rc = et_error_set(c->err, ET_EINTERNAL,
                            "cannot compile the query: %s '%s' at column %d",
                            what, name, n ? n->col : 0);
    c->failed = true;
}

static struct et_sqlparam param_of(const struct et_qval *v)
{
    struct et_sqlparam p = {ET_SQL_TEXT, v->s, v->len, v->i, v->d, NULL};

    if (v->type == ET_QV_INT)
        p.type = ET_SQL_INT;
    else if (v->type == ET_QV_REAL)
        p.type = ET_SQL_REAL;
    return p;
}

static void bind_val(struct compiler *c, const struct et_qval *v)
{
    struct et_sqlparam p = param_of(v);

    et__sqlstmt_bind(c->s, &p);
}

static const char *column_of(const struct et_qfield *f, bool *broad)
{
    *broad = false;
    if (f->place == ET_QP_EXEC) {
        for (size_t i = 0; i < ET_ARRAY_SIZE(exec_columns); i++) {
            if (!strcmp(exec_columns[i].path, f->path)) {
                *broad = exec_columns[i].broad;
                return exec_columns[i].column;
            }
        }
    } else if (f->place == ET_QP_ACTION) {
        for (size_t i = 0; i < ET_ARRAY_SIZE(action_columns); i++)
            if (!strcmp(action_columns[i].path, f->path))
                return action_columns[i].column;
    }
    return NULL;
}

/* Field-table paths go into SQL text: plain identifier paths only. */
static const char *plain(const char *path)
{
    for (const char *c = path; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || *c == '_' || *c == '.'))
            ET_BUG("field table path is not a plain identifier path");
    }
    return path;
}

static const char *member_of(const char *path)
{
    const char *dot = strrchr(path, '.');

    return plain(dot ? dot + 1 : path);
}

/* The SQL value of field f in the scope the predicate is evaluated in;
 * as_text: as text, for LIKE. */
static enum vkind field_sql(struct compiler *c, const struct et_qnode *n,
                            const struct et_qfield *f, const char *json_path,
                            bool as_text)
{
    bool broad;
    const char *col = column_of(f, &broad);

    if (col) {
        if (broad && c->probe)
            put(c, c->d->noindex);
        put(c, col);
        if (as_text)
            put(c, c->d->text_cast);
        return V_COLUMN;
    }
    switch (f->place) {
    case ET_QP_EXEC:
        c->d->json_get(c->s, "e.doc", false, json_path ? NULL : plain(f->path),
                       json_path, as_text);
        return V_JSON;
    case ET_QP_ACTION:
        c->d->json_get(c->s, "a.doc", false, plain(f->path), NULL, as_text);
        return V_JSON;
    case ET_QP_ISSUE:
        c->d->json_get(c->s, "j.value", true, member_of(f->path), NULL,
                       as_text);
        return V_JSON;
    case ET_QP_EXEC_LIST:
        put(c, c->vocab ? "v.item" : "l.item");
        return V_ITEM;
    case ET_QP_JSON_LIST:
    case ET_QP_SEC_REASON:
        put(c, "j.value");
        return V_ITEM;
    case ET_QP_CRED:
        put(c,
            !strcmp(member_of(f->path), "kind") ? "c.kind" : "c.fingerprint");
        return V_ITEM;
    case ET_QP_SECURITY:
        put(c, "EXISTS (SELECT 1 FROM security_relevant s WHERE "
               "s.execution_id = e.execution_id)");
        return V_BOOL;
    case ET_QP_NONE:
        break;
    }
    fail(c, n, "no storage for field", f->path);
    return V_NONE;
}

static void value(struct compiler *c, enum vkind k, const struct et_qval *v)
{
    /* a condition compared with true or false: the dialect's spelling of
     * them (PostgreSQL has no boolean = bigint) */
    if (k == V_BOOL && v->type == ET_QV_INT) {
        put(c, v->i ? c->d->true_sql : c->d->false_sql);
        return;
    }
    if (k == V_JSON && c->d->json_arg) {
        struct et_sqlparam p = param_of(v);

        c->d->json_arg(c->s, &p);
    } else {
        bind_val(c, v);
    }
}

static void pred(struct compiler *c, const struct et_qnode *n, enum et_qop op)
{
    static const char *const rel[] = {[ET_QOP_EQ] = " = ",
                                      [ET_QOP_LT] = " < ",
                                      [ET_QOP_LE] = " <= ",
                                      [ET_QOP_GT] = " > ",
                                      [ET_QOP_GE] = " >= "};
    enum vkind k;

    if (n->n_vals == 0 && op != ET_QOP_IN && op != ET_QOP_TRUE) {
        fail(c, n, "no value to compare with", n->field->path);
        return;
    }
    switch (op) {
    case ET_QOP_EQ:
    case ET_QOP_NE:
    case ET_QOP_LT:
    case ET_QOP_LE:
    case ET_QOP_GT:
    case ET_QOP_GE:
        k = field_sql(c, n, n->field, n->json_path, false);
        put(c, op == ET_QOP_NE ? c->d->ne : rel[op]);
        value(c, k, &n->vals[0]);
        return;
    case ET_QOP_IN:
        if (n->n_vals == 0) {
            put(c, c->d->false_sql);
            return;
        }
        k = field_sql(c, n, n->field, n->json_path, false);
        put(c, " IN (");
        for (size_t i = 0; i < n->n_vals; i++) {
            if (i)
                put(c, ", ");
            value(c, k, &n->vals[i]);
        }
        put(c, ")");
        return;
    case ET_QOP_MATCH:
        put(c, "(");
        for (size_t i = 0; i < n->n_vals; i++) {
            if (i)
                put(c, " OR ");
            field_sql(c, n, n->field, n->json_path, true);
            put(c, c->d->like);
            bind_val(c, &n->vals[i]);
            put(c, " ESCAPE '\\'");
        }
        put(c, ")");
        return;
    case ET_QOP_NMATCH:
        put(c, "NOT COALESCE(");
        pred(c, n, ET_QOP_MATCH);
        put(c, ", ");
        put(c, c->d->false_sql);
        put(c, ")");
        return;
    case ET_QOP_TRUE:
        k = field_sql(c, n, n->field, n->json_path, false);
        if (k == V_JSON)
            put(c, c->d->json_true);
        else if (k != V_BOOL)
            put(c, " = 1");
        return;
    }
    fail(c, n, "no such comparison on", n->field->path);
}

/* Lists: EQ/IN/MATCH hold when some item does; NE/NMATCH when none does. */
static void exec_list(struct compiler *c, const struct et_qnode *n, bool none,
                      enum et_qop some)
{
    char kind[32];

    snprintf(kind, sizeof(kind), "%d", n->field->list_kind);
    if (c->probe) {
        /* noindex on l.kind: probe by execution, never scan one kind */
        put(c, none ? "NOT EXISTS " : "EXISTS ");
        put(c, "(SELECT 1 FROM exec_lists l WHERE l.execution_id = "
               "e.execution_id AND ");
        put(c, c->d->noindex);
        put(c, "l.kind = ");
        put(c, kind);
        put(c, " AND ");
        pred(c, n, some);
        put(c, ")");
        return;
    }
    put(c, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
    put(c, "(SELECT l.execution_id FROM exec_lists l WHERE l.kind = ");
    put(c, kind);
    put(c, " AND ");
    if (some == ET_QOP_MATCH && (c->d->flags & ET_SQLD_VOCAB)) {
        /* substrings and globs: match the distinct items, then find
         * their executions through the (kind, item) index */
        put(c, "l.item IN (SELECT v.item FROM list_vocab v WHERE v.kind = ");
        put(c, kind);
        put(c, " AND ");
        c->vocab = true;
        pred(c, n, some);
        c->vocab = false;
        put(c, ")");
    } else {
        pred(c, n, some);
    }
    put(c, "))");
}

static void cmp(struct compiler *c, const struct et_qnode *n)
{
    const struct et_qfield *f = n->field;
    bool none = n->op == ET_QOP_NE || n->op == ET_QOP_NMATCH;
    enum et_qop some = n->op == ET_QOP_NE       ? ET_QOP_EQ
                       : n->op == ET_QOP_NMATCH ? ET_QOP_MATCH
                                                : n->op;

    switch (f->place) {
    case ET_QP_EXEC_LIST:
        exec_list(c, n, none, some);
        return;
    case ET_QP_CRED:
        /* as exec_lists: probe per row on a page, else an index lookup
         * by kind or fingerprint first */
        if (c->probe) {
            put(c, none ? "NOT EXISTS" : "EXISTS");
            put(c, " (SELECT 1 FROM exec_credentials c WHERE "
                   "c.execution_id = e.execution_id AND ");
        } else {
            put(c, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
            put(c, "(SELECT c.execution_id FROM exec_credentials c WHERE ");
        }
        pred(c, n, some);
        put(c, c->probe ? ")" : "))");
        return;
    case ET_QP_SEC_REASON:
        put(c, none ? "NOT EXISTS" : "EXISTS");
        put(c, " (SELECT 1 FROM security_relevant s, ");
        c->d->json_items(c->s, "s.reasons", NULL, false);
        put(c, " WHERE s.execution_id = e.execution_id AND ");
        pred(c, n, some);
        put(c, ")");
        return;
    case ET_QP_JSON_LIST:
    case ET_QP_ISSUE:
        put(c, none ? "NOT EXISTS" : "EXISTS");
        put(c, " (SELECT 1 FROM ");
        c->d->json_items(c->s, "e.doc",
                         f->place == ET_QP_ISSUE ? "issues" : plain(f->path),
                         f->place == ET_QP_ISSUE);
        put(c, " WHERE ");
        pred(c, n, some);
        put(c, ")");
        return;
    default:
        pred(c, n, n->op);
        return;
    }
}

static bool is_dense(const struct compiler *c, const struct et_qnode *n)
{
    for (size_t i = 0; i < c->n_dense; i++)
        if (c->dense[i] == n)
            return true;
    return false;
}

static void node_sql(struct compiler *c, const struct et_qnode *n)
{
    switch (n->kind) {
    case ET_QN_AND:
    case ET_QN_OR:
        put(c, "(");
        for (const struct et_qnode *k = n->kids; k; k = k->next) {
            if (k != n->kids)
                put(c, n->kind == ET_QN_AND ? " AND " : " OR ");
            node_sql(c, k);
        }
        put(c, ")");
        return;
    case ET_QN_NOT:
        /* a missing field makes a comparison NULL: count it as false */
        put(c, "NOT COALESCE(");
        node_sql(c, n->kids);
        put(c, ", ");
        put(c, c->d->false_sql);
        put(c, ")");
        return;
    case ET_QN_CMP:
        if (!n->field) {
            fail(c, n, "no field for the comparison", "?");
            return;
        }
        cmp(c, n);
        return;
    case ET_QN_TEXT:
        c->d->text_match(c->s, n->text, n->text_len,
                         c->probe && is_dense(c, n));
        return;
    case ET_QN_ACTION:
        put(c, c->probe ? "EXISTS (SELECT 1 FROM actions a WHERE "
                          "a.execution_id = e.execution_id AND ("
                        : "e.execution_id IN (SELECT a.execution_id FROM "
                          "actions a WHERE ");
        node_sql(c, n->kids);
        put(c, c->probe ? "))" : ")");
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

/* A page: a small limit in the default order, or one execution. */
static bool page_mode(const struct et_query *q, const struct et_qrun *run)
{
    int64_t limit = effective_limit(q, run);

    return (limit >= 0 && limit <= PAGE_MAX && (!q || q->n_order == 0)) ||
           (run && run->only_id);
}

static void order_sql(struct compiler *c, const struct et_query *q)
{
    if (!q || q->n_order == 0) {
        /* newest first: the order of the (start_ns, execution_id) index */
        put(c, " ORDER BY e.start_ns");
        put(c, c->d->desc);
        put(c, ", e.execution_id");
        put(c, c->d->binary);
        put(c, " DESC");
        return;
    }
    put(c, " ORDER BY ");
    for (size_t i = 0; i < q->n_order; i++) {
        field_sql(c, NULL, q->order[i].field, q->order[i].json_path, false);
        put(c, q->order[i].desc ? c->d->desc : c->d->asc);
        put(c, ", ");
    }
    put(c, "e.execution_id");
    put(c, c->d->binary);
}

/*
 * Whole answers (ET_SQLD_WHOLE): a filter in the default order with no
 * small limit selects (start_ns, execution_id) of the matches, unordered,
 * for the store to sort. A filter made only of positive list predicates
 * (the spec's `files_modified secrets auth ...`) never touches the
 * executions table: exec_lists keeps each execution's start time, so its
 * (kind, item, start_ns, execution_id) index answers alone.
 */
static bool list_only(const struct et_qnode *n)
{
    if (n->kind == ET_QN_OR) {
        for (const struct et_qnode *k = n->kids; k; k = k->next)
            if (!list_only(k))
                return false;
        return true;
    }
    return n->kind == ET_QN_CMP && n->field &&
           n->field->place == ET_QP_EXEC_LIST &&
           (n->op == ET_QOP_EQ || n->op == ET_QOP_IN || n->op == ET_QOP_MATCH);
}

static void list_arms(struct compiler *c, const struct et_qnode *n)
{
    char kind[32];

    if (n->kind == ET_QN_OR) {
        for (const struct et_qnode *k = n->kids; k; k = k->next) {
            if (k != n->kids)
                put(c, " UNION ALL ");
            list_arms(c, k);
        }
        return;
    }
    snprintf(kind, sizeof(kind), "%d", n->field->list_kind);
    put(c, "SELECT l.start_ns, l.execution_id FROM exec_lists l WHERE "
           "l.kind = ");
    put(c, kind);
    put(c, " AND ");
    if (n->op == ET_QOP_MATCH && (c->d->flags & ET_SQLD_VOCAB)) {
        put(c, "l.item IN (SELECT v.item FROM list_vocab v WHERE v.kind = ");
        put(c, kind);
        put(c, " AND ");
        c->vocab = true;
        pred(c, n, n->op);
        c->vocab = false;
        put(c, ")");
    } else {
        pred(c, n, n->op);
    }
}

static void build(struct compiler *c, const struct et_query *q,
                  const struct et_qrun *run)
{
    const struct et_qnode *where = q ? q->where : NULL;
    bool page = page_mode(q, run);
    int64_t limit = effective_limit(q, run);

    c->probe = page && (c->d->flags & ET_SQLD_PROBE);
    c->s->whole =
        (c->d->flags & ET_SQLD_WHOLE) && !page && where && q->n_order == 0;
    c->s->ids_only = run && run->ids_only;
    c->s->limit = limit;
    if (c->s->whole && list_only(where)) {
        list_arms(c, where);
    } else if (c->s->whole) {
        put(c, "SELECT e.start_ns, e.execution_id FROM executions e WHERE ");
        node_sql(c, where);
    } else {
        put(c, c->s->ids_only ? "SELECT e.execution_id FROM executions e"
                              : "SELECT " SUMMARY_COLUMNS " FROM executions e");
        if (where || (run && run->only_id))
            put(c, " WHERE ");
        if (where)
            node_sql(c, where);
        if (run && run->only_id) {
            put(c, where ? " AND e.execution_id = " : "e.execution_id = ");
            et__sqlstmt_bind_text(c->s, run->only_id, strlen(run->only_id));
        }
        order_sql(c, q);
        c->d->limit(c->s, limit);
    }
}

static int finish(struct compiler *c)
{
    if (c->s->rc && !c->failed)
        return et_error_set(c->err, c->s->rc, "cannot build the query: %s",
                            et_status_str(c->s->rc));
    return c->s->rc;
}

/* A statement is a few hundred bytes: one allocation up front rather
 * than growing from 64 bytes through several. */
#define SQL_RESERVE 512

static int compile(const struct et_sql_dialect *d, const struct et_query *q,
                   const struct et_qrun *run,
                   const struct et_qnode *const *dense, size_t n_dense,
                   struct et_sqlstmt *out, struct et_error *err)
{
    struct compiler c = {out, d, err, false, false, false, dense, n_dense};

    et__sqlstmt_init(out, d);
    out->rc = et_buf_grow(&out->sql, SQL_RESERVE);
    build(&c, q, run);
    return finish(&c);
}

/* The free-text nodes of n and its siblings, at most DENSE_MAX. */
static void find_texts(const struct et_qnode *n, const struct et_qnode **v,
                       size_t *n_v)
{
    for (; n; n = n->next) {
        if (n->kind == ET_QN_TEXT && *n_v < DENSE_MAX)
            v[(*n_v)++] = n;
        find_texts(n->kids, v, n_v);
    }
}

int et__query_compile(const struct et_sql_dialect *d, const struct et_query *q,
                      const struct et_qrun *run, unsigned flags,
                      struct et_sqlstmt *out, struct et_error *err)
{
    const struct et_qnode *texts[DENSE_MAX];
    size_t n = 0;

    if ((flags & ET_QC_DENSE) && q && q->where)
        find_texts(q->where, texts, &n);
    return compile(d, q, run, texts, n, out, err);
}

int et__query_compile_where(const struct et_sql_dialect *d,
                            const struct et_query *q, struct et_sqlstmt *out,
                            struct et_error *err)
{
    struct compiler c = {out, d, err, false, false, false, NULL, 0};

    et__sqlstmt_init(out, d);
    if (q && q->where)
        node_sql(&c, q->where);
    else
        put(&c, d->true_sql);
    return finish(&c);
}

int et__query_plan(struct et_store *st, const struct et_query *q,
                   const struct et_qrun *run, struct et_sqlstmt *out,
                   struct et_error *err)
{
    const struct et_sql_dialect *d = et_store_dialect(st);
    const struct et_qnode *texts[DENSE_MAX], *dense[DENSE_MAX];
    size_t n = 0, n_dense = 0;
    int rc = ET_OK;

    /* only a page has the per-execution form of free text */
    if ((d->flags & ET_SQLD_PROBE) && page_mode(q, run) && q && q->where)
        find_texts(q->where, texts, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        bool is_dense = false;

        rc = et_store_text_dense(st, texts[i]->text, texts[i]->text_len,
                                 &is_dense, err);
        if (!rc && is_dense)
            dense[n_dense++] = texts[i];
    }
    if (rc) {
        et__sqlstmt_init(out, d);
        return rc;
    }
    return compile(d, q, run, dense, n_dense, out, err);
}

int et__query_store_run(struct et_store *st, const struct et_query *q,
                        const struct et_qrun *run, et_exec_row_fn *fn,
                        void *ctx, struct et_error *err)
{
    struct et_sqlstmt s;
    int rc = et__query_plan(st, q, run, &s, err);

    if (!rc)
        rc = et_store_query_run(st, &s, fn, ctx, err);
    et__sqlstmt_release(&s);
    return rc;
}

int et__query_store_explain(struct et_store *st, const struct et_query *q,
                            const struct et_qrun *run, struct et_buf *out,
                            struct et_error *err)
{
    struct et_sqlstmt s;
    int rc = et__query_plan(st, q, run, &s, err);

    if (!rc)
        rc = et_store_query_explain(st, &s, out, err);
    et__sqlstmt_release(&s);
    return rc;
}
