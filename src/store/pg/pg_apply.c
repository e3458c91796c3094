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
     * did and run the operations one by one for their own error */
    rc = et__pg_exec(s, "ROLLBACK TO SAVEPOINT et_apply; "
                        "RELEASE SAVEPOINT et_apply",
                     err, "apply");
    if (rc)
        return rc;
    unprepare(s);
    return serial(st, ops, n, err);
}
