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
 */
#include "base/setup.h"
#include "base/buf.h"
#include "store/pg/pg_int.h"

static int serial(struct et_store *st, const struct et_store_op *ops,
                  size_t n, struct et_error *err)
{
    int rc = ET_OK;

    for (size_t i = 0; !rc && i < n; i++)
        rc = et__store_apply_one(st, &ops[i], err);
    return rc;
}

/* Read every result due, the sync's last; false when one failed. */
static bool drain(struct et_pg *s, size_t due, struct et_error *err)
{
    bool ok = true;
    PGresult *r;

    for (size_t i = 0; i < due; i++) {
        r = PQgetResult(s->conn);
        if (!r) {
            ok = false;
            break;
        }
        switch (PQresultStatus(r)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
            break;
        case PGRES_PIPELINE_ABORTED:
            ok = false;
            break;
        default:
            if (ok)
                et__pg_fail(s, r, err, "apply");
            ok = false;
            break;
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
    if (!r || PQresultStatus(r) != PGRES_PIPELINE_SYNC)
        ok = false;
    PQclear(r);
    return ok;
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
        s->prepared[id] = PQresultStatus(r) == PGRES_TUPLES_OK &&
                          PQntuples(r) == 1;
        PQclear(r);
    }
}

/* ---- COPY: the full-text rows of a whole transaction ---- */

/* Rows at least this many go by COPY rather than one INSERT each. */
#define COPY_MIN 32
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

/*
 * The text index rows kept for the commit (src/store/delta.c), by COPY in
 * PostgreSQL's binary format: one statement for them all instead of an
 * INSERT each. Run inside the apply's savepoint; false (with the error in
 * err) when the server refused them.
 */
static bool copy_fts(struct et_pg *s, const struct et_store_op *ops, size_t n,
                     struct et_error *err)
{
    static const char sig[] = "PGCOPY\n\377\r\n";
    struct et_buf b = ET_BUF_INIT;
    PGresult *r;
    bool ok;
    int rc;

    /* staged, then moved to the partitions of their executions' starts */
    rc = et__pg_exec(s,
                     "CREATE TEMP TABLE IF NOT EXISTS et_fts_in(seq bigint, "
                     "execution_id text, body text) ON COMMIT DELETE ROWS",
                     err, "write text index");
    if (rc)
        return false;
    r = PQexec(s->conn, "COPY et_fts_in(seq, execution_id, body) "
                        "FROM STDIN (FORMAT binary)");
    ok = PQresultStatus(r) == PGRES_COPY_IN;

    if (!ok)
        et__pg_fail(s, r, err, "write text index");
    PQclear(r);
    if (!ok)
        return false;
    rc = et_buf_add(&b, sig, sizeof(sig)); /* with its NUL: 11 bytes */
    if (!rc)
        rc = put_be(&b, 0, 4); /* flags */
    if (!rc)
        rc = put_be(&b, 0, 4); /* header extension length */
    for (size_t i = 0; !rc && ok && i < n; i++) {
        const struct et_store_op *op = &ops[i];

        rc = put_be(&b, 3, 2);
        if (!rc)
            rc = put_be(&b, 8, 4);
        if (!rc)
            rc = put_be(&b, op->u.fts.seq, 8);
        if (!rc)
            rc = put_field(&b, op->u.fts.id,
                           op->u.fts.id ? strlen(op->u.fts.id) : 0);
        if (!rc)
            rc = put_field(&b, op->u.fts.text ? op->u.fts.text : "",
                           op->u.fts.text ? op->u.fts.len : 0);
        if (!rc && b.len >= COPY_CHUNK)
            ok = send(s, &b);
    }
    if (!rc)
        rc = put_be(&b, UINT16_MAX, 2); /* the trailer: -1 */
    if (!rc && ok)
        ok = send(s, &b);
    et_buf_release(&b);
    if (PQputCopyEnd(s->conn, rc ? "out of memory" : NULL) != 1)
        ok = false;
    while ((r = PQgetResult(s->conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            if (ok)
                et__pg_fail(s, r, err, "write text index");
            ok = false;
        }
        PQclear(r);
    }
    if (rc && ok)
        et_error_set(err, rc, "out of memory");
    if (ok && !rc)
        ok = et__pg_exec(s,
                         "INSERT INTO fts(seq, execution_id, body, start_ns) "
                         "SELECT i.seq, i.execution_id, i.body, (SELECT "
                         "e.start_ns FROM executions e WHERE e.execution_id "
                         "= i.execution_id) FROM et_fts_in i; "
                         "DELETE FROM et_fts_in",
                         err, "write text index") == ET_OK;
    return ok && !rc;
}

static bool all_fts(const struct et_store_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (ops[i].kind != ET_OP_FTS_PUT)
            return false;
    return true;
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
    rc = et__pg_exec(s, "ROLLBACK TO SAVEPOINT et_apply; "
                        "RELEASE SAVEPOINT et_apply",
                     err, "apply");
    return rc ? rc : serial(st, ops, n, err);
}

int et__pg_apply(struct et_store *st, const struct et_store_op *ops, size_t n,
                 struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    struct et_error perr = {0};
    int rc = ET_OK;
    bool ok;

    /* ET_PG_APPLY=serial: one by one (to measure what the pipeline saves) */
    if (n < 2 || PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF ||
        (getenv("ET_PG_APPLY") && !strcmp(getenv("ET_PG_APPLY"), "serial")))
        return serial(st, ops, n, err);
    /* ET_PG_APPLY=pipeline: never COPY (to measure what it saves) */
    if (n >= COPY_MIN && all_fts(ops, n) &&
        !(getenv("ET_PG_APPLY") && !strcmp(getenv("ET_PG_APPLY"), "pipeline")))
        return copy_apply(s, st, ops, n, err);
    if (!PQenterPipelineMode(s->conn))
        return serial(st, ops, n, err);
    s->pipe = true;
    s->n_sent = 0;
    memset(s->pipe_prepared, 0, sizeof(s->pipe_prepared));
    if (PQsendQueryParams(s->conn, "SAVEPOINT et_apply", 0, NULL, NULL, NULL,
                          NULL, 0))
        s->n_sent++;
    else
        rc = et__pg_fail(s, NULL, &perr, "apply");
    for (size_t i = 0; !rc && i < n; i++)
        rc = et__store_apply_one(st, &ops[i], &perr);
    if (!rc && PQsendQueryParams(s->conn, "RELEASE SAVEPOINT et_apply", 0,
                                 NULL, NULL, NULL, NULL, 0))
        s->n_sent++;
    s->pipe = false;
    if (!PQpipelineSync(s->conn)) {
        PQexitPipelineMode(s->conn);
        return et__pg_fail(s, NULL, err, "apply");
    }
    ok = drain(s, s->n_sent, &perr) && !rc;
    if (!PQexitPipelineMode(s->conn))
        return et__pg_fail(s, NULL, err, "apply");
    if (ok) {
        memset(s->pipe_prepared, 0, sizeof(s->pipe_prepared));
        return ET_OK;
    }
    /* a statement failed (or could not be sent): undo what the pipeline
     * did (the partitions it made too) and run the operations one by one
     * for their own error */
    s->n_months = 0;
    rc = et__pg_exec(s, "ROLLBACK TO SAVEPOINT et_apply; "
                        "RELEASE SAVEPOINT et_apply",
                     err, "apply");
    if (rc)
        return rc;
    unprepare(s);
    return serial(st, ops, n, err);
}
