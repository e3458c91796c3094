/* SPDX-License-Identifier: MIT */
/*
 * The SQLite dialect of the query language. A checked query tree becomes one
 * SELECT over `executions e`: scalar fields are columns where the projection
 * has one (indexed) and json_extract(e.doc, ...) otherwise; list fields are
 * IN/EXISTS subqueries over exec_lists or json_each; action(...) is an IN
 * subquery over actions; quoted free text is an FTS5 MATCH. Every user value
 * is a bound parameter, and a statement runs only if SQLite reports it
 * read-only.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/sqlite/query_sqlite.h"

/* Fields the projection keeps in their own columns. `broad` columns hold
 * few distinct values: a first page is found faster by walking the time
 * index than through their indexes (see page mode below). */
static const struct {
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

/*
 * Page mode: a small LIMIT in the default order (newest first). SQLite
 * cannot tell how selective a bound value is, so the dialect shapes the
 * plan: for a page, walk the time index newest first and test each
 * execution (broad columns are written +col so that their indexes are not
 * chosen, lists and actions are correlated EXISTS probes); for a whole
 * answer in the default order (see whole mode below), select only
 * (start_ns, execution_id) through the filter's indexes, unordered, and
 * sort the matches in memory.
 */
#define PAGE_MAX 1000

struct emit {
    struct et_buf *sql;
    struct et_sqlparams *p;
    int rc;
    bool page;
    bool whole; /* (start_ns, execution_id) of every match, unordered */
    bool vocab; /* list predicates test list_vocab v, not exec_lists l */
    /* free-text nodes found in many events (see dense_texts): probed per
     * execution on a page instead of collected */
    const struct et_qnode *const *dense;
    size_t n_dense;
};

void et__sqlparams_release(struct et_sqlparams *p)
{
    for (size_t i = 0; i < p->n; i++) {
        et__free(p->v[i].own);
    }
    et__free(p->v);
    p->v = NULL;
    p->n = p->cap = 0;
}

static void put(struct emit *e, const char *s)
{
    if (!e->rc)
        e->rc = et_buf_addstr(e->sql, s);
}

static void bind(struct emit *e, const struct et_sqlparam *v)
{
    if (e->rc)
        return;
    if (e->p->n == e->p->cap) {
        size_t cap = e->p->cap ? e->p->cap * 2 : 16;
        struct et_sqlparam *nv = et__realloc(e->p->v, cap * sizeof(*nv));

        if (!nv) {
            e->rc = ET_ENOMEM;
            return;
        }
        e->p->v = nv;
        e->p->cap = cap;
    }
    e->p->v[e->p->n++] = *v;
    put(e, "?");
}

static void bind_val(struct emit *e, const struct et_qval *v)
{
    struct et_sqlparam p = {v->type, v->s, v->len, v->i, v->d, NULL};

    bind(e, &p);
}

static void bind_str(struct emit *e, const char *s, size_t len)
{
    struct et_sqlparam p = {ET_QV_STR, s, len, 0, 0, NULL};

    bind(e, &p);
}

static void bind_int(struct emit *e, int64_t i)
{
    struct et_sqlparam p = {ET_QV_INT, NULL, 0, i, 0, NULL};

    bind(e, &p);
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

/* '$.path' as a literal: field table paths only (checked to be [a-z_.]). */
static void json_literal(struct emit *e, const char *path)
{
    for (const char *c = path; *c; c++) {
        if (!((*c >= 'a' && *c <= 'z') || *c == '_' || *c == '.'))
            ET_BUG("field table path is not a plain identifier path");
    }
    put(e, "'$.");
    put(e, path);
    put(e, "'");
}

static const char *member_of(const char *path)
{
    const char *dot = strrchr(path, '.');

    return dot ? dot + 1 : path;
}

/* The SQL value of a field, in the scope the predicate is evaluated in. */
static void field_expr(struct emit *e, const struct et_qfield *f,
                       const char *json_path)
{
    bool broad;
    const char *col = column_of(f, &broad);

    if (col) {
        if (broad && e->page)
            put(e, "+");
        put(e, col);
        return;
    }
    switch (f->place) {
    case ET_QP_EXEC:
        put(e, "json_extract(e.doc, ");
        if (json_path)
            bind_str(e, json_path, strlen(json_path));
        else
            json_literal(e, f->path);
        put(e, ")");
        return;
    case ET_QP_ACTION:
        put(e, "json_extract(a.doc, ");
        json_literal(e, f->path);
        put(e, ")");
        return;
    case ET_QP_ISSUE:
        put(e, "json_extract(j.value, ");
        json_literal(e, member_of(f->path));
        put(e, ")");
        return;
    case ET_QP_EXEC_LIST:
        put(e, e->vocab ? "v.item" : "l.item");
        return;
    case ET_QP_JSON_LIST:
    case ET_QP_SEC_REASON:
        put(e, "j.value");
        return;
    case ET_QP_CRED:
        put(e, !strcmp(member_of(f->path), "kind") ? "c.kind"
                                                   : "c.fingerprint");
        return;
    case ET_QP_SECURITY:
        put(e, "EXISTS (SELECT 1 FROM security_relevant s WHERE "
               "s.execution_id = e.execution_id)");
        return;
    case ET_QP_NONE:
        break;
    }
    ET_BUG("field without storage reached the dialect");
}

static void pred(struct emit *e, const struct et_qnode *n, enum et_qop op)
{
    static const char *const rel[] = {
        [ET_QOP_EQ] = " = ",  [ET_QOP_NE] = " IS NOT ", [ET_QOP_LT] = " < ",
        [ET_QOP_LE] = " <= ", [ET_QOP_GT] = " > ",      [ET_QOP_GE] = " >= "};

    switch (op) {
    case ET_QOP_EQ:
    case ET_QOP_NE:
    case ET_QOP_LT:
    case ET_QOP_LE:
    case ET_QOP_GT:
    case ET_QOP_GE:
        field_expr(e, n->field, n->json_path);
        put(e, rel[op]);
        bind_val(e, &n->vals[0]);
        return;
    case ET_QOP_IN:
        if (n->n_vals == 0) {
            put(e, "0");
            return;
        }
        field_expr(e, n->field, n->json_path);
        put(e, " IN (");
        for (size_t i = 0; i < n->n_vals; i++) {
            if (i)
                put(e, ", ");
            bind_val(e, &n->vals[i]);
        }
        put(e, ")");
        return;
    case ET_QOP_MATCH:
        put(e, "(");
        for (size_t i = 0; i < n->n_vals; i++) {
            if (i)
                put(e, " OR ");
            field_expr(e, n->field, n->json_path);
            put(e, " LIKE ");
            bind_val(e, &n->vals[i]);
            put(e, " ESCAPE '\\'");
        }
        put(e, ")");
        return;
    case ET_QOP_NMATCH:
        put(e, "NOT COALESCE(");
        pred(e, n, ET_QOP_MATCH);
        put(e, ", 0)");
        return;
    case ET_QOP_TRUE:
        field_expr(e, n->field, n->json_path);
        put(e, " = 1");
        return;
    }
}

/* Lists: EQ/IN/MATCH hold when some item does; NE/NMATCH when none does. */
static void cmp(struct emit *e, const struct et_qnode *n)
{
    const struct et_qfield *f = n->field;
    bool none = n->op == ET_QOP_NE || n->op == ET_QOP_NMATCH;
    enum et_qop some = n->op == ET_QOP_NE       ? ET_QOP_EQ
                       : n->op == ET_QOP_NMATCH ? ET_QOP_MATCH
                                                : n->op;
    char kind[32];

    switch (f->place) {
    case ET_QP_EXEC_LIST:
        snprintf(kind, sizeof(kind), "%d", f->list_kind);
        if (e->page) {
            put(e, none ? "NOT EXISTS " : "EXISTS ");
            /* +l.kind: probe by execution, never scan one kind */
            put(e, "(SELECT 1 FROM exec_lists l WHERE l.execution_id = "
                   "e.execution_id AND +l.kind = ");
        } else if (some == ET_QOP_MATCH) {
            /* substrings and globs: match the distinct items, then find
             * their executions through the (kind, item) index */
            put(e, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
            put(e, "(SELECT l.execution_id FROM exec_lists l WHERE "
                   "l.kind = ");
            put(e, kind);
            put(e, " AND l.item IN (SELECT v.item FROM list_vocab v WHERE "
                   "v.kind = ");
            put(e, kind);
            put(e, " AND ");
            e->vocab = true;
            pred(e, n, some);
            e->vocab = false;
            put(e, ")))");
            return;
        } else {
            put(e, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
            put(e, "(SELECT l.execution_id FROM exec_lists l WHERE "
                   "l.kind = ");
        }
        put(e, kind);
        put(e, " AND ");
        pred(e, n, some);
        put(e, e->page ? ")" : "))");
        return;
    case ET_QP_CRED:
        /* as exec_lists: probe per row when paging, else an index lookup
         * by kind or fingerprint first */
        if (e->page) {
            put(e, none ? "NOT EXISTS" : "EXISTS");
            put(e, " (SELECT 1 FROM exec_credentials c WHERE "
                   "c.execution_id = e.execution_id AND ");
        } else {
            put(e, none ? "NOT (e.execution_id IN " : "(e.execution_id IN ");
            put(e, "(SELECT c.execution_id FROM exec_credentials c WHERE ");
        }
        pred(e, n, some);
        put(e, e->page ? ")" : "))");
        return;
    case ET_QP_SEC_REASON:
        put(e, none ? "NOT EXISTS" : "EXISTS");
        put(e, " (SELECT 1 FROM security_relevant s, json_each(s.reasons) j "
               "WHERE s.execution_id = e.execution_id AND ");
        pred(e, n, some);
        put(e, ")");
        return;
    case ET_QP_JSON_LIST:
    case ET_QP_ISSUE:
        put(e, none ? "NOT EXISTS" : "EXISTS");
        put(e, " (SELECT 1 FROM json_each(e.doc, ");
        json_literal(e, f->place == ET_QP_ISSUE ? "issues" : f->path);
        put(e, ") j WHERE ");
        pred(e, n, some);
        put(e, ")");
        return;
    default:
        pred(e, n, n->op);
        return;
    }
}

/*
 * Free text is one FTS5 phrase: the whole text inside double quotes, inner
 * quotes doubled. Inside a string FTS5 has no operators, so user text can
 * only ever be words to look for.
 */
static int fts_phrase(struct et_buf *out, const char *s, size_t len)
{
    int rc = et_buf_addch(out, '"');

    for (size_t i = 0; !rc && i < len; i++) {
        if (s[i] == '"')
            rc = et_buf_addch(out, '"');
        if (!rc)
            rc = et_buf_addch(out, s[i]);
    }
    return rc ? rc : et_buf_addch(out, '"');
}

static bool is_dense(const struct emit *e, const struct et_qnode *n)
{
    for (size_t i = 0; i < e->n_dense; i++)
        if (e->dense[i] == n)
            return true;
    return false;
}

static void text_sql(struct emit *e, const struct et_qnode *n)
{
    struct et_buf b = ET_BUF_INIT;
    struct et_sqlparam p = {ET_QV_STR, NULL, 0, 0, 0, NULL};

    if (e->rc)
        return;
    e->rc = fts_phrase(&b, n->text, n->text_len);
    if (e->rc)
        return;
    p.own = et_buf_detach(&b, &p.len);
    p.s = p.own;
    if (e->page && is_dense(e, n)) {
        /* a phrase in many events, on a page: test each execution met on
         * the newest-first walk through its own events (ledger_exec, then
         * an FTS5 rowid lookup), instead of collecting every match */
        put(e, "EXISTS (SELECT 1 FROM ledger l JOIN fts f ON f.rowid = "
               "l.seq WHERE l.execution_id = e.execution_id AND fts MATCH ");
        bind(e, &p);
        if (e->rc)
            et__free(p.own);
        put(e, ")");
        return;
    }
    /* each matching event's execution from event_index (a small row per
     * event), not from the full-text table's own column, which reads the
     * event's whole text: 148 s -> 1.6 s for a word in all of 1M events */
    put(e, "e.execution_id IN (SELECT ei.execution_id FROM fts f JOIN "
           "event_index ei ON ei.seq = f.rowid WHERE fts MATCH ");
    bind(e, &p);
    if (e->rc)
        et__free(p.own); /* not handed over */
    put(e, ")");
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
        /* a missing field makes a comparison NULL: count it as false */
        put(e, "NOT COALESCE(");
        node_sql(e, n->kids);
        put(e, ", 0)");
        return;
    case ET_QN_CMP:
        cmp(e, n);
        return;
    case ET_QN_TEXT:
        text_sql(e, n);
        return;
    case ET_QN_ACTION:
        put(e, e->page ? "EXISTS (SELECT 1 FROM actions a WHERE "
                         "a.execution_id = e.execution_id AND ("
                       : "e.execution_id IN (SELECT a.execution_id FROM "
                         "actions a WHERE ");
        node_sql(e, n->kids);
        put(e, e->page ? "))" : ")");
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
        /* newest first; (start_ns, execution_id) is the index's order, walked
         * for pages and unfiltered lists (filtered whole answers are sorted
         * in memory, see whole mode) */
        put(e, " ORDER BY e.start_ns DESC, e.execution_id DESC");
        return;
    }
    put(e, " ORDER BY ");
    for (size_t i = 0; i < q->n_order; i++) {
        field_expr(e, q->order[i].field, q->order[i].json_path);
        put(e, q->order[i].desc ? " DESC, " : " ASC NULLS LAST, ");
    }
    put(e, "e.execution_id");
}

/*
 * Whole mode: a filtered query in the default order with no small limit.
 * SQLite sorts by spilling every match through its sorter, and a filter
 * on a list reaches each execution's start time through one primary-key
 * lookup per match; instead the statement returns (start_ns,
 * execution_id) of the matches in index order and et__sqlite_query_run
 * sorts them in memory. A filter made only of positive list predicates
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
    return n->kind == ET_QN_CMP && n->field->place == ET_QP_EXEC_LIST &&
           (n->op == ET_QOP_EQ || n->op == ET_QOP_IN || n->op == ET_QOP_MATCH);
}

static void list_arms(struct emit *e, const struct et_qnode *n)
{
    char kind[32];

    if (n->kind == ET_QN_OR) {
        for (const struct et_qnode *k = n->kids; k; k = k->next) {
            if (k != n->kids)
                put(e, " UNION ALL ");
            list_arms(e, k);
        }
        return;
    }
    snprintf(kind, sizeof(kind), "%d", n->field->list_kind);
    put(e, "SELECT l.start_ns, l.execution_id FROM exec_lists l WHERE "
           "l.kind = ");
    put(e, kind);
    put(e, " AND ");
    if (n->op == ET_QOP_MATCH) {
        put(e, "l.item IN (SELECT v.item FROM list_vocab v WHERE v.kind = ");
        put(e, kind);
        put(e, " AND ");
        e->vocab = true;
        pred(e, n, n->op);
        e->vocab = false;
        put(e, ")");
    } else {
        pred(e, n, n->op);
    }
}

/* A page: a small limit in the default order, or one execution. */
static bool page_mode(const struct et_query *q, const struct et_qrun *run)
{
    int64_t limit = effective_limit(q, run);

    return (limit >= 0 && limit <= PAGE_MAX && (!q || q->n_order == 0)) ||
           (run && run->only_id);
}

static int build(struct emit *e, const struct et_query *q,
                 const struct et_qrun *run, struct et_error *err)
{
    bool where = q && q->where;
    int64_t limit = effective_limit(q, run);

    e->page = page_mode(q, run);
    e->whole = !e->page && where && q->n_order == 0;
    if (e->whole && list_only(q->where)) {
        list_arms(e, q->where);
    } else if (e->whole) {
        put(e, "SELECT e.start_ns, e.execution_id FROM executions e WHERE ");
        node_sql(e, q->where);
    } else {
        put(e, run && run->ids_only ? "SELECT e.execution_id FROM executions e"
                                    : "SELECT " SUMMARY_COLUMNS
                                      " FROM executions e");
        if (where || (run && run->only_id))
            put(e, " WHERE ");
        if (where)
            node_sql(e, q->where);
        if (run && run->only_id) {
            put(e, where ? " AND e.execution_id = " : "e.execution_id = ");
            bind_str(e, run->only_id, strlen(run->only_id));
        }
        order_sql(e, q);
        put(e, " LIMIT ");
        bind_int(e, limit);
    }
    if (e->rc)
        return et_error_set(err, e->rc, "cannot build the query: %s",
                            et_status_str(e->rc));
    return ET_OK;
}

static int query_sql(const struct et_query *q, const struct et_qrun *run,
                     const struct et_qnode *const *dense, size_t n_dense,
                     struct et_buf *sql, struct et_sqlparams *params,
                     bool *whole_out, struct et_error *err)
{
    struct emit e = {sql, params, ET_OK, false, false, false, dense, n_dense};
    int rc = build(&e, q, run, err);

    if (whole_out)
        *whole_out = e.whole;
    return rc;
}

int et__sqlite_query_sql(const struct et_query *q, const struct et_qrun *run,
                         struct et_buf *sql, struct et_sqlparams *params,
                         bool *whole_out, struct et_error *err)
{
    return query_sql(q, run, NULL, 0, sql, params, whole_out, err);
}

/*
 * Which free-text nodes are dense: found in at least 5 % of the trail's
 * events (counted with a LIMIT, so a word in every event costs no more
 * than that). On a page those are cheaper to test per execution met than
 * to collect; a rarer phrase is collected (one event_index row per
 * match), since testing would walk many executions without a match.
 * At most ET_ARRAY_SIZE(out) nodes; later ones are collected.
 */
#define DENSE_MAX 8

static void find_texts(const struct et_qnode *n, const struct et_qnode **v,
                       size_t *n_v)
{
    for (; n; n = n->next) {
        if (n->kind == ET_QN_TEXT && *n_v < DENSE_MAX)
            v[(*n_v)++] = n;
        find_texts(n->kids, v, n_v);
    }
}

int et__sqlite_query_sql_dense(const struct et_query *q,
                               const struct et_qrun *run, struct et_buf *sql,
                               struct et_sqlparams *params,
                               struct et_error *err)
{
    const struct et_qnode *texts[DENSE_MAX];
    size_t n = 0;

    if (q && q->where)
        find_texts(q->where, texts, &n);
    return query_sql(q, run, texts, n, sql, params, NULL, err);
}

static int dense_texts(sqlite3 *db, const struct et_query *q,
                       const struct et_qnode **out, size_t *n_out,
                       struct et_error *err)
{
    const struct et_qnode *texts[DENSE_MAX];
    size_t n = 0;
    sqlite3_stmt *st = NULL;
    int64_t events = 0, cap;
    int rc = ET_OK;

    *n_out = 0;
    if (!q || !q->where)
        return ET_OK;
    find_texts(q->where, texts, &n);
    if (n == 0)
        return ET_OK;
    if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM ledger", -1, &st, NULL) !=
        SQLITE_OK)
        return et__sqlite_fail(db, sqlite3_errcode(db), err, "plan query");
    if (sqlite3_step(st) == SQLITE_ROW)
        events = sqlite3_column_int64(st, 0) + 1;
    sqlite3_finalize(st);
    cap = events / 20 > 1000 ? events / 20 : 1000;
    for (size_t i = 0; !rc && i < n; i++) {
        struct et_buf phrase = ET_BUF_INIT;
        int64_t found = 0;

        rc = fts_phrase(&phrase, texts[i]->text, texts[i]->text_len);
        if (rc) {
            rc = et_error_set(err, rc, "out of memory");
            break;
        }
        if (sqlite3_prepare_v2(db,
                               "SELECT count(*) FROM (SELECT 1 FROM fts "
                               "WHERE fts MATCH ?1 LIMIT ?2)",
                               -1, &st, NULL) != SQLITE_OK) {
            rc = et__sqlite_fail(db, sqlite3_errcode(db), err, "plan query");
        } else {
            sqlite3_bind_text(st, 1, phrase.ptr, (int)phrase.len,
                              SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, cap);
            if (sqlite3_step(st) == SQLITE_ROW)
                found = sqlite3_column_int64(st, 0);
            else
                rc =
                    et__sqlite_fail(db, sqlite3_errcode(db), err, "plan query");
        }
        sqlite3_finalize(st);
        st = NULL;
        et_buf_release(&phrase);
        if (!rc && found >= cap)
            out[(*n_out)++] = texts[i];
    }
    return rc;
}

int et__sqlite_where_sql(const struct et_query *q, struct et_buf *sql,
                         struct et_sqlparams *params, struct et_error *err)
{
    struct emit e = {sql, params, ET_OK, false, false, false, NULL, 0};

    if (q && q->where)
        node_sql(&e, q->where);
    else
        put(&e, "1");
    if (e.rc)
        return et_error_set(err, e.rc, "cannot build the query: %s",
                            et_status_str(e.rc));
    return ET_OK;
}

/* ---- running statements ---- */

int et__sqlite_fail(sqlite3 *db, int rc, struct et_error *err, const char *what)
{
    int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED
                   ? ET_EBUSY
               : (rc & 0xff) == SQLITE_NOMEM   ? ET_ENOMEM
               : (rc & 0xff) == SQLITE_CORRUPT ? ET_EINTEGRITY
                                               : ET_EIO;

    return et_error_set(err, code, "%s: %s", what, sqlite3_errmsg(db));
}

/*
 * Prepare a generated statement and bind its parameters. It must be one
 * statement and read-only: a query can never change the trail.
 */
int et__sqlite_prepare(sqlite3 *db, const struct et_buf *sql,
                       const struct et_sqlparams *p, sqlite3_stmt **out,
                       struct et_error *err)
{
    const char *tail = NULL;
    int rc;

    *out = NULL;
    rc = sqlite3_prepare_v3(db, sql->ptr, (int)sql->len, 0, out, &tail);
    if (rc != SQLITE_OK)
        return et__sqlite_fail(db, rc, err, "prepare query");
    if (!*out || (tail && *tail) || !sqlite3_stmt_readonly(*out)) {
        sqlite3_finalize(*out);
        *out = NULL;
        return et_error_set(err, ET_EINTERNAL,
                            "refusing to run a query statement that is not "
                            "a single read-only statement");
    }
    for (size_t i = 0; i < p->n; i++) {
        const struct et_sqlparam *v = &p->v[i];
        int idx = (int)i + 1;

        if (v->type == ET_QV_STR)
            rc = sqlite3_bind_text64(*out, idx, v->s, v->len, SQLITE_STATIC,
                                     SQLITE_UTF8);
        else if (v->type == ET_QV_INT)
            rc = sqlite3_bind_int64(*out, idx, v->i);
        else
            rc = sqlite3_bind_double(*out, idx, v->d);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*out);
            *out = NULL;
            return et__sqlite_fail(db, rc, err, "bind query parameter");
        }
    }
    return ET_OK;
}

int64_t et__sqlite_col_i64(sqlite3_stmt *q, int i, int64_t null_value)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL
               ? null_value
               : sqlite3_column_int64(q, i);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

static void summary_row(sqlite3_stmt *q, struct et_exec_row *r)
{
    memset(r, 0, sizeof(*r));
    r->execution_id = col_text(q, 0);
    r->session_id = col_text(q, 1);
    r->agent_name = col_text(q, 2);
    r->agent_version = col_text(q, 3);
    r->state = col_text(q, 4);
    r->verification = col_text(q, 5);
    r->completeness = col_text(q, 6);
    r->accuracy = col_text(q, 7);
    r->efficiency = col_text(q, 8);
    r->start_ns = et__sqlite_col_i64(q, 9, 0);
    r->end_ns = et__sqlite_col_i64(q, 10, 0);
    r->duration_ms = et__sqlite_col_i64(q, 11, -1);
    r->n_actions = et__sqlite_col_i64(q, 12, 0);
    r->n_failed_actions = et__sqlite_col_i64(q, 13, 0);
    r->first_seq = (uint64_t)et__sqlite_col_i64(q, 14, 0);
    r->last_seq = (uint64_t)et__sqlite_col_i64(q, 15, 0);
}

/* ---- whole mode: sort the matches in memory ---- */

struct match {
    uint64_t key; /* the start time, as an order key (see start_key) */
    union {
        size_t off;      /* of the id in the arena while it grows */
        const char *ids; /* then its address */
    } id;
};

/* in memory from et__big_grow (huge pages, see base/alloc.h) */
struct matches {
    struct match *v, *tmp;
    size_t n, v_cap, tmp_cap;
    char *ids; /* the ids, NUL-terminated, back to back */
    size_t ids_len, ids_cap;
};

/* Ascending keys are newest first; an unknown start (NULL) sorts last. */
static uint64_t start_key(sqlite3_stmt *q, int i)
{
    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return UINT64_MAX;
    return ~((uint64_t)sqlite3_column_int64(q, i) ^ (UINT64_C(1) << 63));
}

/* within one start time: ids descending */
static int id_cmp(const void *pa, const void *pb)
{
    const struct match *a = pa, *b = pb;

    return -strcmp(a->id.ids, b->id.ids);
}

static int collect(sqlite3 *db, sqlite3_stmt *stmt, struct matches *m,
                   struct et_error *err)
{
    int s;

    while ((s = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = col_text(stmt, 1);
        int len = sqlite3_column_bytes(stmt, 1);

        if (!id)
            continue;
        if ((m->n + 1) * sizeof(*m->v) > m->v_cap) {
            struct match *nv =
                et__big_grow(m->v, &m->v_cap, (m->n + 1) * sizeof(*m->v));

            if (!nv)
                return et_error_set(err, ET_ENOMEM, "out of memory");
            m->v = nv;
        }
        if (m->ids_len + (size_t)len + 1 > m->ids_cap) {
            char *ni =
                et__big_grow(m->ids, &m->ids_cap, m->ids_len + (size_t)len + 1);

            if (!ni)
                return et_error_set(err, ET_ENOMEM, "out of memory");
            m->ids = ni;
        }
        m->v[m->n].key = start_key(stmt, 0);
        m->v[m->n].id.off = m->ids_len;
        m->n++;
        memcpy(m->ids + m->ids_len, id, (size_t)len);
        m->ids[m->ids_len + (size_t)len] = '\0';
        m->ids_len += (size_t)len + 1;
    }
    return s == SQLITE_DONE ? ET_OK : et__sqlite_fail(db, s, err, "run query");
}

/*
 * Newest first, ties by id descending (the order of a page), each
 * execution once (a list filter finds it once per matching item). A
 * least-significant-byte radix sort on the key, skipping the bytes all
 * keys share, then the ids within each run of one start time.
 */
static int order_matches(struct matches *m, struct et_error *err)
{
    size_t k = 0;

    for (size_t i = 0; i < m->n; i++)
        m->v[i].id.ids = m->ids + m->v[i].id.off;
    if (m->n > 1) {
        m->tmp = et__big_grow(NULL, &m->tmp_cap, m->n * sizeof(*m->tmp));
        if (!m->tmp)
            return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (int shift = 0; m->n > 1 && shift < 64; shift += 8) {
        size_t count[257] = {0};
        struct match *swap;

        for (size_t i = 0; i < m->n; i++)
            count[((m->v[i].key >> shift) & 0xff) + 1]++;
        if (count[((m->v[0].key >> shift) & 0xff) + 1] == m->n)
            continue; /* every key has this byte */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < m->n; i++)
            m->tmp[count[(m->v[i].key >> shift) & 0xff]++] = m->v[i];
        swap = m->v;
        m->v = m->tmp;
        m->tmp = swap;
    }
    for (size_t i = 0, j; i < m->n; i = j) {
        for (j = i + 1; j < m->n && m->v[j].key == m->v[i].key; j++)
            ;
        if (j - i > 1)
            qsort(m->v + i, j - i, sizeof(*m->v), id_cmp);
    }
    for (size_t i = 0; i < m->n; i++) /* one execution has one start */
        if (!k || m->v[k - 1].key != m->v[i].key ||
            strcmp(m->v[k - 1].id.ids, m->v[i].id.ids))
            m->v[k++] = m->v[i];
    m->n = k;
    return ET_OK;
}

static int whole_run(sqlite3 *db, sqlite3_stmt *stmt, int64_t limit,
                     bool ids_only, et_exec_row_fn *fn, void *ctx,
                     struct et_error *err)
{
    static const char one[] =
        "SELECT " SUMMARY_COLUMNS " FROM executions e WHERE "
        "e.execution_id = ?";
    struct matches m = {NULL, NULL, 0, 0, 0, NULL, 0, 0};
    sqlite3_stmt *row_stmt = NULL;
    size_t n;
    int rc = collect(db, stmt, &m, err);

    if (!rc)
        rc = order_matches(&m, err);
    n = limit >= 0 && (uint64_t)limit < m.n ? (size_t)limit : m.n;
    if (!rc && !ids_only &&
        sqlite3_prepare_v3(db, one, -1, 0, &row_stmt, NULL) != SQLITE_OK)
        rc = et__sqlite_fail(db, sqlite3_errcode(db), err, "prepare query");
    for (size_t i = 0; !rc && i < n; i++) {
        struct et_exec_row row;
        int s;

        if (ids_only) {
            memset(&row, 0, sizeof(row));
            row.execution_id = m.v[i].id.ids;
            rc = fn(ctx, &row);
            continue;
        }
        sqlite3_reset(row_stmt);
        sqlite3_bind_text(row_stmt, 1, m.v[i].id.ids, -1, SQLITE_STATIC);
        s = sqlite3_step(row_stmt);

        if (s == SQLITE_ROW) {
            summary_row(row_stmt, &row);
            rc = fn(ctx, &row);
        } else if (s != SQLITE_DONE) {
            rc = et__sqlite_fail(db, s, err, "run query");
        }
    }
    sqlite3_finalize(row_stmt);
    et__big_free(m.v, m.v_cap);
    et__big_free(m.tmp, m.tmp_cap);
    et__big_free(m.ids, m.ids_cap);
    return rc;
}

/* Plan q for this trail (which phrases are dense), build its statement
 * and prepare it (single and read-only, else refused). */
static int plan(sqlite3 *db, const struct et_query *q,
                const struct et_qrun *run, struct et_buf *sql,
                struct et_sqlparams *params, sqlite3_stmt **stmt, bool *whole,
                struct et_error *err)
{
    const struct et_qnode *dense[DENSE_MAX];
    size_t n_dense = 0;
    /* only a page has the per-execution form of free text */
    int rc = page_mode(q, run) ? dense_texts(db, q, dense, &n_dense, err)
                               : ET_OK;

    if (!rc)
        rc = query_sql(q, run, dense, n_dense, sql, params, whole, err);
    if (!rc)
        rc = et__sqlite_prepare(db, sql, params, stmt, err);
    return rc;
}

int et__sqlite_query_run(struct et_store *st, const struct et_query *q,
                         const struct et_qrun *run, et_exec_row_fn *fn,
                         void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf sql = ET_BUF_INIT;
    struct et_sqlparams params = {NULL, 0, 0};
    sqlite3_stmt *stmt = NULL;
    bool whole = false;
    int rc = plan(db, q, run, &sql, &params, &stmt, &whole, err);

    if (!rc && whole)
        rc = whole_run(db, stmt, effective_limit(q, run), run && run->ids_only,
                       fn, ctx, err);
    while (!rc && !whole) {
        struct et_exec_row row;
        int s = sqlite3_step(stmt);

        if (s == SQLITE_DONE)
            break;
        if (s != SQLITE_ROW) {
            rc = et__sqlite_fail(db, s, err, "run query");
            break;
        }
        if (run && run->ids_only) {
            memset(&row, 0, sizeof(row));
            row.execution_id = col_text(stmt, 0);
        } else {
            summary_row(stmt, &row);
        }
        rc = fn(ctx, &row);
    }
    sqlite3_finalize(stmt);
    et__sqlparams_release(&params);
    et_buf_release(&sql);
    return rc;
}

static int explain_params(const struct et_sqlparams *p, struct et_buf *out)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < p->n; i++) {
        const struct et_sqlparam *v = &p->v[i];

        if (v->type == ET_QV_STR) {
            rc = et_buf_printf(out, "  ?%zu = '", i + 1);
            /* shown as an SQL literal would be, for reading only */
            for (size_t k = 0; !rc && k < v->len; k++)
                rc = v->s[k] == '\'' ? et_buf_add(out, "''", 2)
                                     : et_buf_addch(out, v->s[k]);
            if (!rc)
                rc = et_buf_addstr(out, "'\n");
        } else if (v->type == ET_QV_INT) {
            rc = et_buf_printf(out, "  ?%zu = %lld\n", i + 1, (long long)v->i);
        } else {
            rc = et_buf_printf(out, "  ?%zu = %.17g\n", i + 1, v->d);
        }
    }
    return rc;
}

/* EXPLAIN QUERY PLAN rows: id, parent, detail; indented by depth. */
static int explain_plan(sqlite3 *db, const struct et_buf *sql,
                        const struct et_sqlparams *p, struct et_buf *out,
                        struct et_error *err)
{
    struct et_buf eq = ET_BUF_INIT;
    sqlite3_stmt *stmt = NULL;
    int ids[64], depth[64], n = 0, s;
    int rc = et_buf_addstr(&eq, "EXPLAIN QUERY PLAN ");

    if (!rc)
        rc = et_buf_add(&eq, sql->ptr, sql->len);
    if (rc) {
        et_buf_release(&eq);
        return et_error_set(err, rc, "out of memory");
    }
    rc = sqlite3_prepare_v3(db, eq.ptr, (int)eq.len, 0, &stmt, NULL);
    if (rc != SQLITE_OK) {
        et_buf_release(&eq);
        return et__sqlite_fail(db, rc, err, "explain query");
    }
    for (size_t i = 0; i < p->n && rc == SQLITE_OK; i++) {
        const struct et_sqlparam *v = &p->v[i];

        rc = v->type == ET_QV_STR
                 ? sqlite3_bind_text64(stmt, (int)i + 1, v->s, v->len,
                                       SQLITE_STATIC, SQLITE_UTF8)
             : v->type == ET_QV_INT
                 ? sqlite3_bind_int64(stmt, (int)i + 1, v->i)
                 : sqlite3_bind_double(stmt, (int)i + 1, v->d);
    }
    rc = ET_OK;
    while (!rc && (s = sqlite3_step(stmt)) == SQLITE_ROW) {
        int id = sqlite3_column_int(stmt, 0),
            parent = sqlite3_column_int(stmt, 1);
        int d = 0;

        for (int i = 0; i < n; i++)
            if (ids[i] == parent)
                d = depth[i] + 1;
        if (n < (int)ET_ARRAY_SIZE(ids)) {
            ids[n] = id;
            depth[n++] = d;
        }
        rc = et_buf_printf(out, "  %*s%s\n", d * 2, "",
                           col_text(stmt, 3) ? col_text(stmt, 3) : "");
    }
    sqlite3_finalize(stmt);
    et_buf_release(&eq);
    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

int et__sqlite_query_explain(struct et_store *st, const struct et_query *q,
                             const struct et_qrun *run, struct et_buf *out,
                             struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf sql = ET_BUF_INIT;
    struct et_sqlparams params = {NULL, 0, 0};
    sqlite3_stmt *stmt = NULL;
    bool whole = false;
    int rc = plan(db, q, run, &sql, &params, &stmt, &whole,
                  err); /* prepared: the read-only check */

    sqlite3_finalize(stmt);
    if (!rc) {
        rc = et_buf_printf(out, "sql (read-only): %s\n", sql.ptr);
        if (!rc && whole)
            rc = et_buf_addstr(out, "then: the matches sorted newest first "
                                    "in memory, each execution once\n");
        if (!rc)
            rc = et_buf_addstr(out, "parameters:\n");
        if (!rc)
            rc = explain_params(&params, out);
        if (!rc)
            rc = et_buf_addstr(out, "plan:\n");
        if (rc)
            rc = et_error_set(err, rc, "out of memory");
    }
    if (!rc)
        rc = explain_plan(db, &sql, &params, out, err);
    et__sqlparams_release(&params);
    et_buf_release(&sql);
    return rc;
}
