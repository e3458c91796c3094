/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL: bound parameters, running statements (named prepared ones
 * per connection, or unnamed), SQLSTATE to status codes, and reading
 * text-format results.
 */
#include "base/setup.h"
#include "store/pg/pg_int.h"

void et__pgp_str(struct et_pgp *p, const char *s)
{
    ET_ASSERT(p->n < ET_PG_MAXP);
    p->v[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

void et__pgp_bytes(struct et_pgp *p, const void *b, size_t len)
{
    ET_ASSERT(p->n < ET_PG_MAXP);
    p->v[p->n] = b ? (const char *)b : NULL;
    p->len[p->n] = (int)len;
    p->fmt[p->n] = 1;
    p->n++;
}

void et__pgp_i64(struct et_pgp *p, int64_t v)
{
    ET_ASSERT(p->n < ET_PG_MAXP);
    snprintf(p->num[p->n], sizeof(p->num[0]), "%lld", (long long)v);
    et__pgp_str(p, p->num[p->n]);
}

void et__pgp_i64_or_null(struct et_pgp *p, int64_t v, int64_t null_value)
{
    if (v == null_value)
        et__pgp_str(p, NULL);
    else
        et__pgp_i64(p, v);
}

static int map_state(const char *state)
{
    if (!state)
        return ET_EUNAVAIL; /* no server answer: the connection broke */
    if (!strcmp(state, "23505") || !strcmp(state, "23P01"))
        return ET_EEXIST;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") ||
        !strcmp(state, "55P03") || !strcmp(state, "57014"))
        return ET_EBUSY;
    if (!strncmp(state, "08", 2) || !strncmp(state, "53", 2) ||
        !strncmp(state, "57", 2) || !strcmp(state, "42501") ||
        !strcmp(state, "25006"))
        return ET_EUNAVAIL;
    if (!strncmp(state, "XX", 2))
        return ET_EINTEGRITY;
    return ET_EIO;
}

int et__pg_fail(struct et_pg *s, const PGresult *r, struct et_error *err,
                const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    if (!msg)
        msg = PQerrorMessage(s->conn);
    return et_error_set(err, map_state(state), "%s: %s%s%s%s", what,
                        msg ? msg : "no answer from the server",
                        state ? " (SQLSTATE " : "", state ? state : "",
                        state ? ")" : "");
}

static int check(struct et_pg *s, PGresult *r, PGresult **out,
                 struct et_error *err, const char *what)
{
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc;

    if (out)
        *out = NULL;
    if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) {
        if (out)
            *out = r;
        else
            PQclear(r);
        return ET_OK;
    }
    rc = et__pg_fail(s, r, err, what);
    PQclear(r);
    return rc;
}

int et__pg_run(struct et_pg *s, int id, const char *sql, const struct et_pgp *p,
               int rfmt, PGresult **out, struct et_error *err, const char *what)
{
    static const struct et_pgp none;
    char name[16] = "";
    PGresult *r;

    if (!p)
        p = &none;
    if (id < 0 && s->pipe)
        return et_error_set(err, ET_EINTERNAL,
                            "%s: an unnamed statement inside a pipelined "
                            "apply",
                            what);
    if (id >= 0) {
        ET_ASSERT(id < ET_PG_NSTMT);
        snprintf(name, sizeof(name), "et%d", id);
    }
    if (s->pending && !s->pipe)
        return et__pg_run_after(s, id, name, sql, p, rfmt, out, err, what);
    if (id < 0) {
        r = PQexecParams(s->conn, sql, p->n, NULL, p->v, p->len, p->fmt, rfmt);
        return check(s, r, out, err, what);
    }
    if (s->pipe) {
        /* pg_apply: sent now, its result read after the pipeline's sync */
        if (out)
            return et_error_set(err, ET_EINTERNAL,
                                "%s: a read inside a pipelined apply", what);
        if (!s->prepared[id]) {
            int rc = et__pg_sent_add(s, id, true, "prepare", err);

            if (rc)
                return rc;
            if (!PQsendPrepare(s->conn, name, sql, 0, NULL))
                return et__pg_fail(s, NULL, err, "prepare");
            s->prepared[id] = true;
            s->pipe_prepared[id] = true;
            s->n_sent++;
        }
        {
            int rc = et__pg_sent_add(s, id, false, what, err);

            if (rc)
                return rc;
        }
        if (!PQsendQueryPrepared(s->conn, name, p->n, p->v, p->len, p->fmt,
                                 rfmt))
            return et__pg_fail(s, NULL, err, what);
        s->n_sent++;
        return ET_OK;
    }
    if (!s->prepared[id]) {
        int rc = check(s, PQprepare(s->conn, name, sql, 0, NULL), NULL, err,
                       "prepare");

        if (rc)
            return rc;
        s->prepared[id] = true;
    }
    r = PQexecPrepared(s->conn, name, p->n, p->v, p->len, p->fmt, rfmt);
    return check(s, r, out, err, what);
}

int et__pg_exec(struct et_pg *s, const char *sql, struct et_error *err,
                const char *what)
{
    int rc = et__pg_settle(s, err);

    return rc ? rc : check(s, PQexec(s->conn, sql), NULL, err, what);
}

const char *et__pg_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int64_t et__pg_i64(const PGresult *r, int row, int col, int64_t null_value)
{
    if (PQgetisnull(r, row, col))
        return null_value;
    return (int64_t)strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long et__pg_bytea(const PGresult *r, int row, int col, uint8_t *out, size_t cap)
{
    const char *v = PQgetvalue(r, row, col);
    size_t n = (size_t)PQgetlength(r, row, col), i;

    if (PQgetisnull(r, row, col) || n < 2 || v[0] != '\\' || v[1] != 'x' ||
        (n - 2) / 2 > cap || n % 2)
        return -1;
    for (i = 0; i < (n - 2) / 2; i++) {
        int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);

        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (long)i;
}
