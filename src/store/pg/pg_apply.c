/* SPDX-License-Identifier: MIT */
/*
 * The kept writes of a unit (src/store/delta.c) in one round trip: libpq's
 * pipeline mode sends a savepoint, every statement of every operation and
 * the savepoint's release, then one sync, and reads the results after.
 * The operations are the backend's own (et__pg_run sends instead of
 * running while s->pipe is set), so the SQL is the same as one by one.
 *
 * When a statement fails, the server skips the rest of the pipeline; the
 * apply then rolls back to its savepoint and runs the operations again
 * one by one, which fails at the same operation with the message the
 * operation gives its error (a duplicate execution id, a sequence already
 * recorded) - the failure path pays the round trips, the common one not.
 *
 * Bulk rows go by binary COPY: the full-text rows kept for the commit
 * (copy_apply), and the ledger and action rows of an apply that carries
 * many of them (ROWS_MIN or more: a rebuild, a migrate, a record with
 * hundreds of actions), copied straight into the ledger, the event index and
 * the actions in ledger order before the rest of the apply is pipelined (a
 * round trip more per table: libpq has no COPY in pipeline mode).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "store/pg/pg_int.h"

static int serial(struct et_store *st, const struct et_store_op *ops, size_t n,
                  struct et_error *err)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < n; i++)
        rc = et__store_apply_one(st, &ops[i], err);
    return rc;
}

int et__pg_sent_add(struct et_pg *s, int stmt, bool is_prepare,
                    const char *what, struct et_error *err)
{
    if (s->n_sent == s->sent_cap) {
        size_t cap = s->sent_cap ? s->sent_cap * 2 : 64;
        struct et_pg_sent *p = et__realloc(s->sent, cap * sizeof(*p));

        if (!p)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        s->sent = p;
        s->sent_cap = cap;
    }
    s->sent[s->n_sent] = (struct et_pg_sent){stmt, is_prepare, s->cur_op, what};
    return ET_OK;
}

/* The failure of send_own: its own (no memory to note the statement)
 * when it set err, else libpq's. */
static int own_failed(struct et_pg *s, struct et_error *err)
{
    return err->code ? err->code : et__pg_fail(s, NULL, err, "apply");
}

/* Send one of the apply's own statements (no operation's) into the
 * pipeline. */
static bool send_own(struct et_pg *s, const char *sql, struct et_error *err)
{
    size_t op = s->cur_op;
    bool ok;

    s->cur_op = SIZE_MAX;
    ok = !et__pg_sent_add(s, -1, false, "apply", err) &&
         PQsendQueryParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    s->cur_op = op;
    if (ok)
        s->n_sent++;
    return ok;
}

/*
 * Read the results of the due statements sent (s->sent) and the sync's;
 * false when one failed, with the first failure in err as the operation
 * that sent it would name it. A prepare the server did not make (it
 * failed, or the pipeline was aborted before it) is marked unprepared.
 */
static bool drain(struct et_pg *s, size_t due, struct et_error *err)
{
    bool ok = true;
    PGresult *r;

    for (size_t i = 0; i < due; i++) {
        const struct et_pg_sent *x = i < s->n_sent ? &s->sent[i] : NULL;
        ExecStatusType t;

        r = PQgetResult(s->conn);
        if (!r) {
            ok = false;
            break;
        }
        t = PQresultStatus(r);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
            if (ok && t != PGRES_PIPELINE_ABORTED)
                (void)et__pg_sent_error(
                    s, r, x, x && x->op < s->opi_cap ? &s->opi[x->op] : NULL,
                    err);
            else if (ok)
                et_error_set(err, ET_EIO, "apply: pipeline aborted");
            ok = false;
            if (x && x->is_prepare && x->stmt >= 0)
                s->prepared[x->stmt] = false;
        }
        PQclear(r);
        /* the NULL that ends each statement's results */
        while ((r = PQgetResult(s->conn)) != NULL) {
            if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
                PQclear(r);
                return false; /* out of step: should not happen */
            }
            PQclear(r);
        }
    }
    r = PQgetResult(s->conn);
    if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
        if (ok)
            et_error_set(err, ET_EIO, "apply: %s",
                         "the server's answers are out of step");
        ok = false;
    }
    PQclear(r);
    return ok;
}

/*
 * The end of a deferred apply: ok is what its results said (drain). On
 * failure the transaction is left as the failed statement left it,
 * aborted, as when the operations fail one by one: the caller rolls it
 * back.
 */
static int deferred_end(struct et_pg *s, bool ok, struct et_error *perr,
                        struct et_error *err)
{
    s->pending = 0;
    s->n_sent = 0;
    if (ok) {
        memset(s->pipe_prepared, 0, sizeof(s->pipe_prepared));
        return ET_OK;
    }
    if (!perr->code)
        et_error_set(perr, ET_EIO, "apply: no answer from the server");
    if (err)
        *err = *perr;
    return perr->code;
}

int et__pg_settle(struct et_pg *s, struct et_error *err)
{
    struct et_error perr = {0};
    bool ok;

    if (!s->pending)
        return ET_OK;
    et__pq_round_trips++; /* the deferred sync's answer is waited for */
    ok = drain(s, s->pending, &perr);
    if (!PQexitPipelineMode(s->conn) && ok)
        ok = et__pg_fail(s, NULL, &perr, "apply") == ET_OK;
    return deferred_end(s, ok, &perr, err);
}

int et__pg_run_after(struct et_pg *s, int id, const char *name, const char *sql,
                     const struct et_pgp *p, int rfmt, PGresult **out,
                     struct et_error *err, const char *what)
{
    struct et_error perr = {0};
    bool prep = id >= 0 && !s->prepared[id], sent, ok;
    PGresult *r = NULL, *own = NULL;
    int rc;

    if (out)
        *out = NULL;
    sent = !prep || PQsendPrepare(s->conn, name, sql, 0, NULL);
    if (sent)
        sent = id >= 0 ? PQsendQueryPrepared(s->conn, name, p->n, p->v, p->len,
                                             p->fmt, rfmt)
                       : PQsendQueryParams(s->conn, sql, p->n, NULL, p->v,
                                           p->len, p->fmt, rfmt);
    if (!sent || !PQpipelineSync(s->conn)) {
        /* nothing of ours can be read back: settle, then say so */
        rc = et__pg_settle(s, err);
        return rc ? rc : et__pg_fail(s, NULL, err, what);
    }
    ok = drain(s, s->pending, &perr);
    /* ours: the prepare's result, the statement's, then the sync */
    if (prep) {
        r = PQgetResult(s->conn);
        s->prepared[id] = r && PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        while ((r = PQgetResult(s->conn)) != NULL)
            PQclear(r);
    }
    own = PQgetResult(s->conn);
    if (own) /* the NULL that ends it */
        while ((r = PQgetResult(s->conn)) != NULL)
            PQclear(r);
    r = PQgetResult(s->conn); /* the sync */
    if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC) {
        if (ok)
            et_error_set(&perr, ET_EIO, "%s: %s", what,
                         "the server's answers are out of step");
        ok = false;
    }
    PQclear(r);
    if (!PQexitPipelineMode(s->conn) && ok)
        ok = et__pg_fail(s, NULL, &perr, "apply") == ET_OK;
    rc = deferred_end(s, ok, &perr, err);
    if (rc) {
        PQclear(own);
        return rc;
    }
    /* the apply went through: the statement's own answer */
    if (own && (PQresultStatus(own) == PGRES_COMMAND_OK ||
                PQresultStatus(own) == PGRES_TUPLES_OK)) {
        if (out)
            *out = own;
        else
            PQclear(own);
        return ET_OK;
    }
    rc = et__pg_fail(s, own, err, prep && !s->prepared[id] ? "prepare" : what);
    PQclear(own);
    return rc;
}

/* After a failed pipeline: the statements it was to prepare may not be
 * (the server skipped the rest); ask which exist. */
static void unprepare(struct et_pg *s)
{
    for (int id = 0; id < ET_PG_NSTMT; id++) {
        char name[16];
        const char *v[1] = {name};
        PGresult *r;

        if (!s->pipe_prepared[id])
            continue;
        s->pipe_prepared[id] = false;
        snprintf(name, sizeof(name), "et%d", id);
        r = PQexecParams(s->conn,
                         "SELECT 1 FROM pg_prepared_statements WHERE "
                         "name = $1",
                         1, NULL, v, NULL, NULL, 0);
        s->prepared[id] =
            PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        PQclear(r);
    }
}

/* ---- COPY: the full-text rows of a whole transaction ---- */

/* Rows at least this many go by COPY rather than one INSERT each. */
#define COPY_MIN   32
#define COPY_CHUNK ((size_t)1 << 20)

static int put_be(struct et_buf *b, uint64_t v, int bytes)
{
    unsigned char x[8];

    for (int i = 0; i < bytes; i++)
        x[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    return et_buf_add(b, x, (size_t)bytes);
}

/* One field of a binary COPY row: its length, then its bytes; NULL -1. */
static int put_field(struct et_buf *b, const void *p, size_t len)
{
    int rc;

    if (!p)
        return put_be(b, UINT32_MAX, 4);
    if (len > INT32_MAX)
        return ET_EINVAL;
    rc = put_be(b, len, 4);
    return rc ? rc : et_buf_add(b, p, len);
}

static bool send(struct et_pg *s, struct et_buf *b)
{
    bool ok = !b->len || PQputCopyData(s->conn, b->ptr, (int)b->len) == 1;

    et_buf_reset(b);
    return ok;
}

static int put_i64(struct et_buf *b, int64_t v)
{
    int rc = put_be(b, 8, 4);

    return rc ? rc : put_be(b, (uint64_t)v, 8);
}

static int put_i32(struct et_buf *b, int32_t v)
{
    int rc = put_be(b, 4, 4);

    return rc ? rc : put_be(b, (uint32_t)v, 4);
}

/* a bigint that is NULL when v == null_value (as et__pgp_i64_or_null) */
static int put_i64_or_null(struct et_buf *b, int64_t v, int64_t null_value)
{
    return v == null_value ? put_field(b, NULL, 0) : put_i64(b, v);
}

static int put_str(struct et_buf *b, const char *str)
{
    return put_field(b, str, str ? strlen(str) : 0);
}

/* The header of a binary COPY's data. */
static int copy_header(struct et_buf *b)
{
    static const char sig[] = "PGCOPY\n\377\r\n";
    int rc = et_buf_add(b, sig, sizeof(sig)); /* with its NUL: 11 bytes */

    if (!rc)
        rc = put_be(b, 0, 4); /* flags */
    if (!rc)
        rc = put_be(b, 0, 4); /* header extension length */
    return rc;
}

/*
 * Start a binary COPY with sql (a simple query: statements before the
 * COPY run first), its header in b. False, with the error in err, when
 * the server did not start it.
 */
static bool copy_start(struct et_pg *s, const char *sql, struct et_buf *b,
                       struct et_error *err, const char *what)
{
    PGresult *r = PQexec(s->conn, sql);
    bool ok = PQresultStatus(r) == PGRES_COPY_IN;

    if (!ok)
        et__pg_fail(s, r, err, what);
    PQclear(r);
    if (!ok)
        return false;
    if (copy_header(b)) {
        et_error_set(err, ET_ENOMEM, "out of memory");
        (void)PQputCopyEnd(s->conn, "out of memory");
        while ((r = PQgetResult(s->conn)) != NULL)
            PQclear(r);
        return false;
    }
    return true;
}

/*
 * End the COPY: the rest of b and the trailer, then its result. rc is the
 * status of building the rows (a failure ends the COPY with an error);
 * b is released. With more_copies (the COPYs of one statement, copy_rows)
 * only this COPY's result is read, else every result of the statement.
 * False, with the error in err, on any failure.
 */
static bool copy_finish(struct et_pg *s, struct et_buf *b, int rc, bool ok,
                        bool more_copies, struct et_error *err,
                        const char *what)
{
    PGresult *r;

    if (!rc)
        rc = put_be(b, UINT16_MAX, 2); /* the trailer: -1 */
    if (!rc && ok)
        ok = send(s, b);
    et_buf_release(b);
    if (PQputCopyEnd(s->conn, rc ? "out of memory" : NULL) != 1)
        ok = false;
    do {
        /* with more_copies, a missing result is a failure too */
        r = PQgetResult(s->conn);
        if ((r || more_copies) && PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (ok && !rc)
                et__pg_fail(s, r, err, what);
            ok = false;
        }
        PQclear(r);
    } while (r && !more_copies);
    if (rc) {
        et_error_set(err, rc, "out of memory");
        return false;
    }
    return ok;
}

/*
 * The text index rows kept for the commit (src/store/delta.c), by COPY in
 * PostgreSQL's binary format: one statement for them all instead of an
 * INSERT each. Run inside the apply's savepoint; false (with the error in
 * err) when the server refused them.
 */
static bool copy_fts(struct et_pg *s, const struct et_store_op *ops, size_t n,
                     struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    bool ok;
    int rc = ET_OK;

    /* staged, then moved to the partitions of their executions' starts */
    rc = et__pg_exec(s,
                     "CREATE TEMP TABLE IF NOT EXISTS et_fts_in(seq bigint, "
                     "execution_id text, body text) ON COMMIT DELETE ROWS",
                     err, "write text index");
    if (rc)
        return false;
    ok = copy_start(s,
                    "COPY et_fts_in(seq, execution_id, body) FROM STDIN "
                    "(FORMAT binary)",
                    &b, err, "write text index");
    if (!ok) {
        et_buf_release(&b);
        return false;
    }
    for (size_t i = 0; !rc && ok && i < n; i++) {
        const struct et_store_op *op = &ops[i];

        rc = put_be(&b, 3, 2);
        if (!rc)
            rc = put_i64(&b, (int64_t)op->u.fts.seq);
        if (!rc)
            rc = put_str(&b, op->u.fts.id);
        if (!rc)
            rc = put_field(&b, op->u.fts.text ? op->u.fts.text : "",
                           op->u.fts.text ? op->u.fts.len : 0);
        if (!rc && b.len >= COPY_CHUNK)
            ok = send(s, &b);
    }
    ok = copy_finish(s, &b, rc, ok, false, err, "write text index");
    if (ok)
        ok = et__pg_exec(s,
                         "INSERT INTO fts(seq, execution_id, body, start_ns) "
                         "SELECT i.seq, i.execution_id, i.body, (SELECT "
                         "e.start_ns FROM executions e WHERE e.execution_id "
                         "= i.execution_id) FROM et_fts_in i; "
                         "DELETE FROM et_fts_in",
                         err, "write text index") == ET_OK;
    return ok;
}

static bool all_fts(const struct et_store_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ops[i].kind != ET_OP_FTS_PUT)
            return false;
    return true;
}

/* ---- COPY: the ledger and action rows of a large apply ---- */

/* An apply with at least this many ledger and action rows copies them
 * (ET_PG_COPY_ROWS=N sets another threshold, =off turns it off: to
 * measure what it saves). The copies cost a round trip per table, and
 * on loopback they were no faster than the pipelined INSERTs at 100 rows
 * an apply nor at a rebuild's thousands (docs/POSTGRES.md "Bulk writes"):
 * only applies too large for a round trip more to matter take them. */
#define ROWS_MIN 512

static bool is_row(const struct et_store_op *op)
{
    return op->kind == ET_OP_APPEND || op->kind == ET_OP_ACTION_PUT;
}

/* Whether ops go by COPY: enough ledger and action rows, and none that
 * one by one refuses before the server sees it (a sequence number out of
 * range: its own message). */
static bool rows_by_copy(const struct et_store_op *ops, size_t n)
{
    const char *v = getenv("ET_PG_COPY_ROWS");
    size_t min = ROWS_MIN, rows = 0;

    if (v && *v) {
        char *end = NULL;
        unsigned long long x = strtoull(v, &end, 10);

        if (!strcmp(v, "off"))
            return false;
        if (end && !*end && x > 0)
            min = (size_t)x;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_row(&ops[i]))
            continue;
        if (ops[i].kind == ET_OP_APPEND &&
            ops[i].u.event.seq > (uint64_t)INT64_MAX)
            return false;
        rows++;
    }
    return rows >= min;
}

/* The tables the rows are copied into, in this order. */
enum row_table { T_LEDGER, T_INDEX, T_ACTIONS, T_COUNT };

static const char *const row_copy[T_COUNT] = {
    "COPY ledger(seq, type, execution_id, ts_ns, leaf, body) FROM STDIN "
    "(FORMAT binary); ",
    "COPY event_index(seq, execution_id) FROM STDIN (FORMAT binary); ",
    "COPY actions(execution_id, sequence, tool, ts_ns, success, seq, doc) "
    "FROM STDIN (FORMAT binary); ",
};

static bool row_in(const struct et_store_op *op, enum row_table t)
{
    switch (t) {
    case T_LEDGER:
        return op->kind == ET_OP_APPEND;
    case T_INDEX:
        return op->kind == ET_OP_APPEND && op->u.event.execution_id;
    case T_ACTIONS:
        return op->kind == ET_OP_ACTION_PUT;
    case T_COUNT:
        break;
    }
    return false;
}

/* One row of table t, in COPY's binary format. */
static int put_row(struct et_buf *b, enum row_table t,
                   const struct et_store_op *op)
{
    const struct et_event_row *ev = &op->u.event;
    const struct et_action_row *a = &op->u.action;
    int rc;

    if (t == T_INDEX) {
        rc = put_be(b, 2, 2);
        if (!rc)
            rc = put_i64(b, (int64_t)ev->seq);
        return rc ? rc : put_str(b, ev->execution_id);
    }
    if (t == T_LEDGER) {
        rc = put_be(b, 6, 2);
        if (!rc)
            rc = put_i64(b, (int64_t)ev->seq);
        if (!rc)
            rc = put_str(b, ev->type);
        if (!rc)
            rc = put_str(b, ev->execution_id);
        if (!rc)
            rc = put_i64(b, ev->ts_ns);
        if (!rc)
            rc = put_field(b, ev->leaf, ET_HASH_LEN);
        return rc ? rc : put_field(b, ev->body, ev->body_len);
    }
    rc = put_be(b, 7, 2);
    if (!rc)
        rc = put_str(b, a->execution_id);
    if (!rc)
        rc = put_i64(b, a->sequence);
    if (!rc)
        rc = put_str(b, a->tool);
    if (!rc)
        rc = put_i64_or_null(b, a->ts_ns, 0);
    if (!rc)
        rc = a->success == -1 ? put_field(b, NULL, 0)
                              : put_i32(b, (int32_t)a->success);
    if (!rc)
        rc = put_i64(b, (int64_t)a->seq);
    return rc ? rc
              : put_field(b, a->doc ? a->doc : "", a->doc ? a->doc_len : 0);
}

/*
 * The statement that starts the copies: the apply's savepoint, the month
 * partitions the action rows need (et_part_ensure, as one by one), then a
 * COPY for each table that has rows (has[]).
 */
static int rows_sql(struct et_pg *s, const struct et_store_op *ops, size_t n,
                    bool has[T_COUNT], struct et_buf *sql)
{
    int rc = et_buf_addstr(sql, "SAVEPOINT et_apply; ");

    for (size_t i = 0; !rc && i < n; i++) {
        int64_t ns = ops[i].u.action.ts_ns, m;
        bool seen = false;
        char one[64];

        if (ops[i].kind != ET_OP_ACTION_PUT || ns == 0 ||
            ns < -ET_PG_PART_MAX_NS || ns > ET_PG_PART_MAX_NS)
            continue;
        m = et_time_month(ns);
        for (size_t k = 0; !seen && k < s->n_months; k++)
            seen = s->months[k] == m;
        if (seen)
            continue;
        if (s->n_months == ET_ARRAY_SIZE(s->months))
            s->n_months = 0;
        s->months[s->n_months++] = m; /* undone with the apply if it fails */
        snprintf(one, sizeof(one), "SELECT et_part_ensure(%lld); ",
                 (long long)ns);
        rc = et_buf_addstr(sql, one);
    }
    for (int t = 0; t < T_COUNT; t++) {
        has[t] = false;
        for (size_t i = 0; !has[t] && i < n; i++)
            has[t] = row_in(&ops[i], (enum row_table)t);
        if (!rc && has[t])
            rc = et_buf_addstr(sql, row_copy[t]);
    }
    return rc;
}

/* The rows of one table, sent (the COPY has started). */
static bool copy_table(struct et_pg *s, const struct et_store_op *ops, size_t n,
                       enum row_table t, struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    bool ok = true;
    int rc = copy_header(&b);

    for (size_t i = 0; !rc && ok && i < n; i++) {
        if (!row_in(&ops[i], t))
            continue;
        rc = put_row(&b, t, &ops[i]);
        if (!rc && b.len >= COPY_CHUNK)
            ok = send(s, &b);
    }
    return copy_finish(s, &b, rc, ok, true, err, "apply");
}

/*
 * The apply's savepoint, and its ledger and action rows copied straight
 * into their tables: one statement string, whose COPYs the server starts
 * one after the other (a round trip each). They go before the apply's
 * other writes: none of those reads the ledger, the event index or the
 * actions, and no key or trigger ties those tables to the others. False, with the error in err,
 * when the server refused them (the savepoint may exist: the caller rolls
 * back to it).
 */
/* *sent: the statement, which makes the apply's savepoint, was sent */
static bool copy_rows(struct et_pg *s, const struct et_store_op *ops, size_t n,
                      bool *sent, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    bool has[T_COUNT], ok = true;
    PGresult *r = NULL;

    *sent = false;
    if (rows_sql(s, ops, n, has, &sql)) {
        et_buf_release(&sql);
        et_error_set(err, ET_ENOMEM, "out of memory");
        return false;
    }
    *sent = true;
    r = PQexec(s->conn, et_buf_str(&sql));
    et_buf_release(&sql);
    for (int t = 0; t < T_COUNT; t++) {
        if (!has[t])
            continue;
        if (!r) /* the next COPY's start */
            r = PQgetResult(s->conn);
        if (PQresultStatus(r) != PGRES_COPY_IN) {
            if (ok)
                et__pg_fail(s, r, err, "apply");
            PQclear(r);
            ok = false;
            break;
        }
        PQclear(r);
        r = NULL;
        if (!copy_table(s, ops, n, (enum row_table)t, err)) {
            ok = false;
            break;
        }
    }
    PQclear(r);
    /* the rest of the statement's results (all of them after a failure) */
    while ((r = PQgetResult(s->conn)) != NULL) {
        if (PQresultStatus(r) == PGRES_COPY_IN)
            (void)PQputCopyEnd(s->conn, "apply failed");
        else if (PQresultStatus(r) != PGRES_COMMAND_OK &&
                 PQresultStatus(r) != PGRES_TUPLES_OK && ok) {
            et__pg_fail(s, r, err, "apply");
            ok = false;
        }
        PQclear(r);
    }
    return ok;
}

static int copy_apply(struct et_pg *s, struct et_store *st,
                      const struct et_store_op *ops, size_t n,
                      struct et_error *err)
{
    struct et_error cerr = {0};
    int rc = et__pg_exec(s, "SAVEPOINT et_apply", err, "apply");

    if (rc)
        return rc;
    if (copy_fts(s, ops, n, &cerr))
        return et__pg_exec(s, "RELEASE SAVEPOINT et_apply", err, "apply");
    /* refused: undo, and one by one for the row's own error */
    s->n_months = 0;
    rc = et__pg_exec(s,
                     "ROLLBACK TO SAVEPOINT et_apply; "
                     "RELEASE SAVEPOINT et_apply",
                     err, "apply");
    return rc ? rc : serial(st, ops, n, err);
}

/* What names each operation in its message, should a deferred apply
 * fail (et__pg_sent_error). */
static int fill_opinfo(struct et_pg *s, const struct et_store_op *ops, size_t n)
{
    if (n > s->opi_cap) {
        struct et_pg_opinfo *p = et__realloc(s->opi, n * sizeof(*p));

        if (!p)
            return ET_ENOMEM;
        s->opi = p;
        s->opi_cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        const char *id = NULL;
        int64_t num = 0;

        switch (ops[i].kind) {
        case ET_OP_APPEND:
            id = ops[i].u.event.execution_id;
            num = (int64_t)ops[i].u.event.seq;
            break;
        case ET_OP_EXEC_PUT:
            id = ops[i].u.exec.row.execution_id;
            break;
        case ET_OP_ACTION_PUT:
            id = ops[i].u.action.execution_id;
            num = ops[i].u.action.sequence;
            break;
        default:
            break;
        }
        snprintf(s->opi[i].id, sizeof(s->opi[i].id), "%s", id ? id : "");
        s->opi[i].num = num;
    }
    return ET_OK;
}

/*
 * Whether an apply may leave its answers to be read with the next
 * statement's (one round trip for both: the next statement is most often
 * the read that made the front door send the writes). Not inside a
 * unit's savepoint: there the next call releases the savepoint, and a
 * failure must fail the unit, not its batch. Outside one, a failure
 * leaves the transaction aborted, as when the operations fail one by
 * one, and every later statement of it fails: the writer rolls it back.
 * ET_PG_DEFER=off never (to measure what it saves).
 */
static bool may_defer(const struct et_store *st)
{
    const char *v = getenv("ET_PG_DEFER");

    return !st->in_unit && !(v && !strcmp(v, "off"));
}

int et__pg_apply(struct et_store *st, const struct et_store_op *ops, size_t n,
                 struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    struct et_error perr = {0};
    const char *mode = getenv("ET_PG_APPLY");
    int rc = et__pg_settle(s, err);
    bool ok = true, copy, rows, defer, sp_sent = false;

    if (rc)
        return rc;
    /* ET_PG_APPLY=serial: one by one (to measure what the pipeline saves) */
    if (n < 2 || PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF ||
        (mode && !strcmp(mode, "serial")) || fill_opinfo(s, ops, n))
        return serial(st, ops, n, err);
    /* ET_PG_APPLY=pipeline: never COPY (to measure what it saves) */
    copy = !mode || strcmp(mode, "pipeline") != 0;
    rows = copy && rows_by_copy(ops, n);
    if (copy && n >= COPY_MIN && all_fts(ops, n))
        return copy_apply(s, st, ops, n, err);
    defer = may_defer(st);
    /* the ledger and action rows by COPY: the savepoint comes with it */
    if (rows)
        ok = copy_rows(s, ops, n, &sp_sent, &perr);
    if (ok && !PQenterPipelineMode(s->conn)) {
        if (!rows)
            return serial(st, ops, n, err);
        ok = false;
    }
    if (!ok)
        goto fallback;
    s->pipe = true;
    s->n_sent = 0;
    s->cur_op = SIZE_MAX;
    memset(s->pipe_prepared, 0, sizeof(s->pipe_prepared));
    if (rows)
        ; /* the COPY's statement made the savepoint */
    else if (send_own(s, "SAVEPOINT et_apply", &perr))
        sp_sent = true;
    else
        rc = own_failed(s, &perr);
    for (size_t i = 0; !rc && i < n; i++) {
        s->cur_op = i;
        if (!rows || !is_row(&ops[i]))
            rc = et__store_apply_one(st, &ops[i], &perr);
    }
    if (!rc && !send_own(s, "RELEASE SAVEPOINT et_apply", &perr))
        rc = own_failed(s, &perr);
    s->pipe = false;
    if (!PQpipelineSync(s->conn)) {
        PQexitPipelineMode(s->conn);
        s->n_sent = 0;
        return et__pg_fail(s, NULL, err, "apply");
    }
    if (defer && !rc) {
        /* answered with the next statement's round trip */
        et__pq_round_trips--;
        s->pending = s->n_sent;
        return ET_OK;
    }
    ok = drain(s, s->n_sent, &perr) && !rc;
    s->n_sent = 0;
    if (!PQexitPipelineMode(s->conn))
        return et__pg_fail(s, NULL, err, "apply");
    if (ok) {
        memset(s->pipe_prepared, 0, sizeof(s->pipe_prepared));
        return ET_OK;
    }
fallback:
    /* a statement failed (or could not be sent): undo what the apply did
     * (the partitions it made too) and run the operations one by one for
     * their own error */
    s->n_months = 0;
    if (!sp_sent) {
        /* nothing reached the server, so there is nothing to undo (a
         * ROLLBACK TO the savepoint never made would fail and abort the
         * transaction): the failure is the apply's own, said as it is */
        if (err)
            *err = perr;
        return perr.code ? perr.code
                         : et_error_set(err, ET_EIO, "apply: not sent");
    }
    rc = et__pg_exec(s,
                     "ROLLBACK TO SAVEPOINT et_apply; "
                     "RELEASE SAVEPOINT et_apply",
                     err, "apply");
    if (rc)
        return rc;
    unprepare(s); /* none when the COPY failed: no pipeline ran */
    return serial(st, ops, n, err);
}
