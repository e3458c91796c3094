/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL backend (libpq): one trail per schema (the first of the
 * connection's search_path), prepared statements per connection, and the
 * ledger's single writer enforced across processes and hosts by a
 * transaction-scoped advisory lock taken when a write transaction begins,
 * before the tree head is read (docs/internals/STORE.md).
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "store/pg/pg_int.h"
#include "store/pg/schema_pg.h"

#include <limits.h>

/* pg_advisory_xact_lock(class, hashtext(schema)): one lock per trail */
#define LOCK_SQL                             \
 "SELECT pg_advisory_xact_lock(1163150418, " \
 "hashtext(current_schema()))"

enum stmt_id {
    S_HEAD_LOAD,
    S_HEAD_SAVE,
    S_APPEND,
    S_EVENT_INDEX,
    S_READ_RANGE,
    S_EXEC_SEQS,
    S_LEAVES,
    S_EXEC_FOR_SEQ,
    S_RESOLVE,
    S_RESOLVE_EXACT,
    S_EXEC_GET,
    S_EXEC_EXISTS,
    S_EXEC_INSERT,
    S_EXEC_UPDATE,
    S_ACTION_PUT,
    S_ACTIONS_GET,
    S_ACTION_LAST,
    S_LIST_PUT,
    S_AGENT_ACTION_PUT,
    S_AGENT_BINDING,
    S_AGENT_BIND,
    S_AGENT_OWNED,
    S_AGENT_MOVE_ACTION,
    S_AGENT_MOVE_FTS,
    S_AGENT_MOVE_CREDS,
    S_AGENT_MOVE,
    S_LISTS_CLEAR,
    S_FTS_PUT,
    S_SESSION_TOUCH,
    S_EXEC_LIST,
    S_CKPT_PUT,
    S_CKPT_EACH,
    S_META_GET,
    S_META_PUT,
    S_CRED_PUT,
    S_SECURITY_ADD,
    S_PART_ENSURE,
    S_COUNT
};

_Static_assert(S_COUNT <= ET_PG_MORE_FIRST, "statement slots overlap");

#define READ_CHUNK 2000 /* ledger rows per round trip when reading */

static const char *const stmt_sql[S_COUNT] = {
    [S_HEAD_LOAD] = "SELECT state FROM tree_head WHERE id = 1",
    [S_HEAD_SAVE] = "INSERT INTO tree_head(id, size, state) VALUES (1, $1, "
                    "$2) ON CONFLICT (id) DO UPDATE SET size = "
                    "excluded.size, state = excluded.state",
    [S_APPEND] = "INSERT INTO ledger(seq, type, execution_id, ts_ns, leaf, "
                 "body) VALUES ($1, $2, $3, $4, $5, $6)",
    [S_EVENT_INDEX] = "INSERT INTO event_index(seq, execution_id) "
                      "VALUES ($1, $2)",
    [S_READ_RANGE] = "SELECT seq, type, execution_id, ts_ns, leaf, body "
                     "FROM ledger WHERE seq >= $1 AND seq < $2 ORDER BY seq "
                     "LIMIT 2000",
    /* as SQLite's: less the subagent actions another execution owns now,
     * plus those it owns */
    [S_EXEC_SEQS] = "SELECT seq FROM ledger l WHERE execution_id = $1 "
                    "AND NOT EXISTS (SELECT 1 FROM agent_actions a WHERE "
                    "a.seq = l.seq AND a.execution_id IS DISTINCT FROM $1) "
                    "UNION SELECT seq FROM agent_actions WHERE execution_id "
                    "= $1 ORDER BY 1",
    [S_LEAVES] = "SELECT seq, leaf FROM ledger WHERE seq >= $1 AND seq < $2 "
                 "ORDER BY seq LIMIT 2000",
    [S_EXEC_FOR_SEQ] = "SELECT execution_id FROM event_index WHERE seq = $1",
    [S_RESOLVE] = "SELECT execution_id FROM executions WHERE "
                  "starts_with(execution_id, $1) ORDER BY execution_id "
                  "LIMIT 2",
    /* a whole id (36 characters, as every stored one): by the index, where
     * starts_with scans the table (4 ms a call at 12,000 executions) */
    [S_RESOLVE_EXACT] = "SELECT execution_id FROM executions WHERE "
                        "execution_id = $1",
    [S_EXEC_GET] = "SELECT " ET_PG_EXEC_COLS ", doc FROM executions WHERE "
                   "execution_id = $1",
    /* the ids as one array: one statement and one round trip for any
     * number of them (each partition's index is probed with the array) */
    [S_EXEC_EXISTS] = "SELECT execution_id FROM executions WHERE "
                      "execution_id = ANY($1::text[])",
    [S_EXEC_INSERT] =
        "INSERT INTO executions(" ET_PG_EXEC_COLS ", doc) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    /* list items and text rows follow their execution's start time (as
     * SQLite's trigger, migration 11): they are partitioned by it */
    [S_EXEC_UPDATE] =
        "WITH o AS (SELECT start_ns FROM executions WHERE execution_id = $1), "
        "u AS (UPDATE executions SET session_id = $2, agent_name = $3, "
        "agent_version = $4, state = $5, verification = $6, "
        "completeness = $7, accuracy = $8, efficiency = $9, start_ns = $10, "
        "end_ns = $11, duration_ms = $12, n_actions = $13, "
        "n_failed_actions = $14, first_seq = $15, last_seq = $16, doc = $17 "
        "WHERE execution_id = $1), "
        "l AS (UPDATE exec_lists SET start_ns = $10 WHERE execution_id = $1 "
        "AND EXISTS (SELECT 1 FROM o WHERE o.start_ns IS DISTINCT FROM "
        "$10::bigint)), "
        "f AS (UPDATE fts SET start_ns = $10 WHERE execution_id = $1 AND "
        "EXISTS (SELECT 1 FROM o WHERE o.start_ns IS DISTINCT FROM "
        "$10::bigint)) SELECT 1",
    [S_ACTION_PUT] = "INSERT INTO actions(execution_id, sequence, tool, "
                     "ts_ns, success, seq, doc) VALUES ($1, $2, $3, $4, $5, "
                     "$6, $7)",
    [S_ACTIONS_GET] = "SELECT doc FROM actions WHERE execution_id = $1 "
                      "ORDER BY sequence",
    [S_ACTION_LAST] = "SELECT coalesce(max(sequence), 0) FROM actions "
                      "WHERE execution_id = $1",
    [S_AGENT_ACTION_PUT] = "INSERT INTO agent_actions(seq, session_id, "
                           "agent_id, execution_id) VALUES ($1, $2, $3, $4) "
                           "ON CONFLICT (seq) DO UPDATE SET session_id = $2, "
                           "agent_id = $3, execution_id = $4",
    [S_AGENT_BINDING] = "SELECT execution_id FROM agent_bindings WHERE "
                        "session_id = $1 AND agent_id = $2",
    [S_AGENT_BIND] = "INSERT INTO agent_bindings(session_id, agent_id, "
                     "execution_id) VALUES ($1, $2, $3) ON CONFLICT "
                     "(session_id, agent_id) DO UPDATE SET execution_id = $3",
    [S_AGENT_OWNED] = "SELECT seq, execution_id FROM agent_actions WHERE "
                      "session_id = $1 AND agent_id = $2 AND execution_id "
                      "IS DISTINCT FROM $3 ORDER BY seq",
    [S_AGENT_MOVE_ACTION] = "DELETE FROM actions WHERE execution_id = $1 "
                            "AND seq = $2",
    [S_AGENT_MOVE_FTS] = "DELETE FROM fts WHERE seq = $1",
    [S_AGENT_MOVE_CREDS] = "DELETE FROM exec_credentials WHERE seq = $1",
    [S_AGENT_MOVE] = "UPDATE agent_actions SET execution_id = $3 WHERE "
                     "session_id = $1 AND agent_id = $2",
    [S_LISTS_CLEAR] = "WITH s AS (DELETE FROM security_relevant WHERE "
                      "execution_id = $1) "
                      "DELETE FROM exec_lists WHERE execution_id = $1",
    /* once per (execution, kind, item): no unique index can say so on a
     * table partitioned by a time that may be NULL, and the writer holds
     * the trail's lock */
    [S_LIST_PUT] = "INSERT INTO exec_lists(execution_id, kind, item, "
                   "start_ns) SELECT $1::text, $2::int, $3::text, "
                   "$4::bigint WHERE NOT EXISTS (SELECT 1 FROM exec_lists "
                   "WHERE execution_id = $1 AND kind = $2 AND item = $3)",
    /* the row goes to the partition of its execution's start */
    [S_FTS_PUT] = "INSERT INTO fts(seq, execution_id, body, start_ns) VALUES "
                  "($1, $2, $3, (SELECT start_ns FROM executions WHERE "
                  "execution_id = $2))",
    [S_SESSION_TOUCH] =
        "INSERT INTO sessions AS s(session_id, first_ns, last_ns, "
        "n_executions) VALUES ($1, $2, $2, $3) ON CONFLICT (session_id) DO "
        "UPDATE SET first_ns = least(s.first_ns, excluded.first_ns), "
        "last_ns = greatest(s.last_ns, excluded.last_ns), n_executions = "
        "s.n_executions + excluded.n_executions",
    [S_EXEC_LIST] = "SELECT " ET_PG_EXEC_COLS " FROM executions ORDER BY "
                    "start_ns DESC NULLS LAST, execution_id LIMIT $1",
    [S_CKPT_PUT] = "INSERT INTO checkpoints(size, root, ts_ns, note) "
                   "VALUES ($1, $2, $3, $4)",
    [S_CKPT_EACH] = "SELECT size, note FROM checkpoints ORDER BY id",
    [S_META_GET] = "SELECT value FROM meta WHERE key = $1",
    [S_META_PUT] = "INSERT INTO meta(key, value) VALUES ($1, $2) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [S_CRED_PUT] = "INSERT INTO exec_credentials(execution_id, kind, "
                   "fingerprint, seq) VALUES ($1, $2, $3, $4) ON CONFLICT "
                   "DO NOTHING",
    /* the reasons array keeps each reason once, in first-seen order, in
     * the compact form SQLite's json functions write */
    [S_SECURITY_ADD] =
        "INSERT INTO security_relevant AS r(execution_id, reasons) VALUES "
        "($1, '[' || to_json($2::text)::text || ']') ON CONFLICT "
        "(execution_id) DO UPDATE SET reasons = left(r.reasons, -1) || ',' "
        "|| to_json($2::text)::text || ']' WHERE NOT (r.reasons::jsonb ? "
        "$2::text)",
    [S_PART_ENSURE] = "SELECT et_part_ensure($1)",
};

static int run(struct et_pg *s, enum stmt_id id, const struct et_pgp *p,
               int rfmt, PGresult **out, struct et_error *err, const char *what)
{
    return et__pg_run(s, (int)id, stmt_sql[id], p, rfmt, out, err, what);
}

/* ---- month partitions (docs/POSTGRES.md "Time partitions") ---- */

/*
 * Make sure the month of ns has its partitions before a row of that time
 * is written (et_part_ensure, schema_pg.h; sent into the same pipeline as
 * the write when inside an apply). The months seen are remembered for the
 * write transaction: partitions are made and dropped only under the
 * trail's lock, which the transaction holds.
 */
int et__pg_part_ensure(struct et_pg *s, int64_t ns, struct et_error *err)
{
    struct et_pgp p = {0};
    int64_t m;
    int rc;

    /* no time (NULL) or out of the functions' range: the DEFAULT partition */
    if (ns == 0 || ns < -ET_PG_PART_MAX_NS || ns > ET_PG_PART_MAX_NS)
        return ET_OK;
    m = et_time_month(ns);
    for (size_t i = 0; i < s->n_months; i++)
        if (s->months[i] == m)
            return ET_OK;
    et__pgp_i64(&p, ns);
    rc = run(s, S_PART_ENSURE, &p, 0, NULL, err, "make month partition");
    if (rc)
        return rc;
    if (s->n_months == ET_ARRAY_SIZE(s->months))
        s->n_months = 0;
    s->months[s->n_months++] = m;
    return ET_OK;
}

/* binary results: big-endian int8 */
static int64_t bin_i64(const PGresult *r, int row, int col)
{
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    uint64_t v = 0;

    if (PQgetisnull(r, row, col) || PQgetlength(r, row, col) != 8)
        return 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* ---- opening: the schema of the trail, migrations ---- */

static void quiet_notices(void *arg, const PGresult *r)
{
    ET_UNUSED(arg);
    ET_UNUSED(r);
}

static int one_value(struct et_pg *s, const char *sql, char *out, size_t cap,
                     bool *is_null, struct et_error *err)
{
    PGresult *r = NULL;
    int rc = et__pg_run(s, -1, sql, NULL, 0, &r, err, "open");

    out[0] = '\0';
    *is_null = true;
    if (rc)
        return rc;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        snprintf(out, cap, "%s", PQgetvalue(r, 0, 0));
        *is_null = false;
    }
    PQclear(r);
    return ET_OK;
}

/* The trail's schema: the first of search_path; created when asked. */
static int ensure_schema(struct et_pg *s, unsigned flags, const char *target,
                         struct et_error *err)
{
    char v[256], first[256];
    bool is_null;
    char *ident = NULL;
    size_t n;
    int rc =
        one_value(s, "SELECT current_schema()", v, sizeof(v), &is_null, err);

    if (rc || !is_null)
        return rc;
    rc = one_value(s, "SELECT current_setting('search_path')", v, sizeof(v),
                   &is_null, err);
    if (rc)
        return rc;
    n = strcspn(v, ",");
    snprintf(first, sizeof(first), "%.*s", (int)n, v);
    if (first[0] == '"' && n >= 2) {
        memmove(first, first + 1, n - 2);
        first[n - 2] = '\0';
    }
    if (first[0] && !strchr(first, '$')) {
        /* a schema that exists but is not searched: no USAGE on it */
        struct et_pgp p = {0};
        PGresult *r = NULL;
        bool denied;

        et__pgp_str(&p, first);
        rc = et__pg_run(s, -1,
                        "SELECT current_user FROM pg_namespace WHERE "
                        "nspname = $1 AND NOT has_schema_privilege(oid, "
                        "'USAGE')",
                        &p, 0, &r, err, "open");
        if (rc)
            return rc;
        denied = PQntuples(r) == 1;
        if (denied)
            rc = et_error_set(err, ET_EUNAVAIL,
                              "no access to the trail at %s: role %s has no "
                              "USAGE on schema '%s' (docs/POSTGRES.md, "
                              "\"Privileges\")",
                              target, PQgetvalue(r, 0, 0), first);
        PQclear(r);
        if (denied)
            return rc;
    }
    if (!(flags & ET_STORE_CREATE) || !first[0] || strchr(first, '$'))
        return et_error_set(err, ET_EUNAVAIL,
                            "no trail at %s (schema '%s' does not exist; "
                            "run 'exectrail init')",
                            target, first);
    ident = PQescapeIdentifier(s->conn, first, strlen(first));
    if (!ident)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    snprintf(v, sizeof(v), "CREATE SCHEMA IF NOT EXISTS %s", ident);
    PQfreemem(ident);
    return et__pg_exec(s, v, err, "create schema");
}

static int atoi_like(const char *v)
{
    return (int)strtol(v, NULL, 10);
}

static int migrate(struct et_pg *s, unsigned flags, const char *target,
                   int *created_out, struct et_error *err)
{
    int want = (int)ET_ARRAY_SIZE(et_pg_migrations);
    char v[64];
    bool is_null;
    int ver, rc;

    rc = one_value(s, "SELECT to_regclass('et_schema')", v, sizeof(v), &is_null,
                   err);
    if (rc)
        return rc;
    if (is_null && !(flags & ET_STORE_CREATE))
        return et_error_set(err, ET_EUNAVAIL,
                            "no trail at %s (run 'exectrail init')", target);
    if (!is_null) {
        rc = one_value(s, "SELECT max(version) FROM et_schema", v, sizeof(v),
                       &is_null, err);
        if (rc)
            return rc;
        ver = is_null ? 0 : atoi_like(v);
        if (ver > want)
            return et_error_set(err, ET_ESCHEMA,
                                "store schema version %d is newer than this "
                                "program supports (%d); upgrade exectrail",
                                ver, want);
        if (ver == want)
            return ET_OK;
        if (s->readonly)
            return et_error_set(err, ET_EUNAVAIL,
                                "store needs a schema upgrade; open it for "
                                "writing once");
    }
    rc = et__pg_exec(s, "BEGIN ISOLATION LEVEL READ COMMITTED; " LOCK_SQL, err,
                     "open");
    if (rc)
        return rc;
    rc = et__pg_exec(s,
                     "CREATE TABLE IF NOT EXISTS et_schema(version int "
                     "NOT NULL)",
                     err, "create schema");
    if (!rc)
        rc = one_value(s, "SELECT max(version) FROM et_schema", v, sizeof(v),
                       &is_null, err);
    ver = rc || is_null ? 0 : atoi_like(v);
    if (!rc && ver == 0)
        *created_out = 1;
    for (int i = ver; !rc && i < want; i++)
        rc = et__pg_exec(s, et_pg_migrations[i], err, "schema migration");
    if (!rc && ver < want) {
        snprintf(v, sizeof(v), "INSERT INTO et_schema VALUES (%d)", want);
        rc = et__pg_exec(s, v, err, "schema migration");
    }
    if (!rc)
        rc = et__pg_exec(s, "COMMIT", err, "schema migration");
    if (rc) {
        PQclear(PQexec(s->conn, "ROLLBACK"));
        *created_out = 0;
    }
    return rc;
}

static void pg_close(struct et_store *st)
{
    struct et_pg *s = et__pg(st);

    if (!s)
        return;
    /* opened (rt_open is set after the first statements) */
    if (getenv("ET_STORE_STATS") && *getenv("ET_STORE_STATS") &&
        strcmp(getenv("ET_STORE_STATS"), "0") != 0 && s->rt_open)
        fprintf(stderr,
                "exectrail: postgresql: %llu round trips to the "
                "server after opening (of this process)\n",
                et__pq_round_trips - s->rt_open);
    PQclear(s->held);
    PQfinish(s->conn); /* a deferred apply's answers are not needed */
    et__free(s->sent);
    et__free(s->opi);
    et__free(s);
}

static int pg_open(const char *target, unsigned flags, struct et_store **out,
                   int *created_out, struct et_error *err)
{
    struct et_pg *s;
    char set[128];
    int rc;

    *out = NULL;
    *created_out = 0;
    rc = et__pq_load(err);
    if (rc)
        return rc;
    s = et__calloc(1, sizeof(*s));
    if (!s)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    s->readonly = (flags & ET_STORE_READONLY) != 0;
    s->conn = PQconnectdb(target);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        const char *m = s->conn ? PQerrorMessage(s->conn) : "out of memory";
        size_t n = strcspn(m, "\n");

        rc = et_error_set(err, ET_EUNAVAIL,
                          "cannot connect to PostgreSQL: %.*s", (int)n, m);
        pg_close(&s->base);
        return rc;
    }
    PQsetNoticeReceiver(s->conn, quiet_notices, NULL);
    {
        /* writers wait for the ledger lock this long, then fail ET_EBUSY
         * (the hook path then spools), as SQLite's busy timeout */
        const char *ms = getenv("EXECTRAIL_BUSY_TIMEOUT_MS");
        char *end = NULL;
        long long v = ms && *ms ? strtoll(ms, &end, 10) : -1;

        if (!end || *end || v < 0)
            v = 10000;
        snprintf(set, sizeof(set),
                 "SET lock_timeout = %lld; SET client_min_messages = "
                 "warning%s",
                 v ? v : 1,
                 s->readonly ? "; SET default_transaction_read_"
                               "only = on"
                             : "");
    }
    rc = et__pg_exec(s, set, err, "open");
    if (!rc)
        rc = ensure_schema(
            s, s->readonly ? flags & ~(unsigned)ET_STORE_CREATE : flags, target,
            err);
    if (!rc)
        rc = migrate(s, flags, target, created_out, err);
    if (rc) {
        pg_close(&s->base);
        return rc;
    }
    s->rt_open = et__pq_round_trips;
    *out = &s->base;
    return ET_OK;
}

/* ---- transactions ---- */

/*
 * Writers take the trail's advisory lock first, so the tree head they then
 * read is the last committed one and no two writers (in any process, on
 * any host) number events at once. READ COMMITTED suffices under that
 * lock; readers get one consistent snapshot (REPEATABLE READ).
 */
static int pg_begin(struct et_store *st, bool write, struct et_error *err)
{
    int rc;

    et__pg(st)->n_months = 0; /* made and dropped only under the lock */
    rc = et__pg_exec(et__pg(st),
                     write ? "BEGIN ISOLATION LEVEL READ COMMITTED; " LOCK_SQL
                           : "BEGIN ISOLATION LEVEL REPEATABLE READ READ "
                             "ONLY",
                     err, write ? "begin write" : "begin");

    /* a lock that timed out leaves the transaction aborted, and a failed
     * begin is never rolled back by the caller: a long-lived handle (serve)
     * would fail every later statement */
    if (rc)
        PQclear(PQexec(et__pg(st)->conn, "ROLLBACK"));
    return rc;
}

static int pg_commit(struct et_store *st, struct et_error *err)
{
    return et__pg_exec(et__pg(st), "COMMIT", err, "commit");
}

static void pg_rollback(struct et_store *st)
{
    (void)et__pg_settle(et__pg(st), NULL); /* its failure changes nothing */
    et__pg(st)->n_months = 0;
    PQclear(PQexec(et__pg(st)->conn, "ROLLBACK"));
}

static int pg_savepoint(struct et_store *st, struct et_error *err)
{
    return et__pg_exec(et__pg(st), "SAVEPOINT et_unit", err, "savepoint");
}

static int pg_release(struct et_store *st, struct et_error *err)
{
    return et__pg_exec(et__pg(st), "RELEASE SAVEPOINT et_unit", err, "release");
}

static int pg_rollback_to(struct et_store *st)
{
    PGresult *r;

    (void)et__pg_settle(et__pg(st), NULL); /* its failure changes nothing */
    et__pg(st)->n_months = 0; /* partitions made in the unit are undone */
    r = PQexec(et__pg(st)->conn, "ROLLBACK TO SAVEPOINT et_unit; "
                                 "RELEASE SAVEPOINT et_unit");
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? ET_OK : ET_EIO;

    PQclear(r);
    return rc;
}

/* ---- the ledger ---- */

static int pg_head_load(struct et_store *st, struct et_tree *t,
                        struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    uint8_t buf[8 + ET_TREE_MAX_PEAK * ET_HASH_LEN];
    PGresult *r = NULL;
    long n;
    int rc = run(s, S_HEAD_LOAD, NULL, 0, &r, err, "read tree head");

    et_tree_init(t);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ET_OK;
    }
    n = et__pg_bytea(r, 0, 0, buf, sizeof(buf));
    PQclear(r);
    if (n < 0 || et_tree_decode(buf, (size_t)n, t))
        return et_error_set(err, ET_EINTEGRITY, "stored tree head is corrupt");
    return ET_OK;
}

static int pg_head_save(struct et_store *st, const struct et_tree *t,
                        struct et_error *err)
{
    uint8_t buf[8 + ET_TREE_MAX_PEAK * ET_HASH_LEN];
    size_t n = et_tree_encode(t, buf);
    struct et_pgp p = {0};

    et__pgp_i64(&p, (int64_t)t->size);
    et__pgp_bytes(&p, buf, n);
    return run(et__pg(st), S_HEAD_SAVE, &p, 0, NULL, err, "save tree head");
}

/* The messages of the writes the server refused as duplicates: the
 * same whether the operation ran alone or in a deferred apply. */
static int append_exists(uint64_t seq, struct et_error *err)
{
    return et_error_set(err, ET_EEXIST,
                        "append event: seq %llu is already in the ledger",
                        (unsigned long long)seq);
}

static int exec_exists(const char *id, struct et_error *err)
{
    return et_error_set(err, ET_EEXIST, "execution_id: %s is already recorded",
                        id);
}

static int action_exists(int64_t sequence, const char *id, struct et_error *err)
{
    return et_error_set(err, ET_EINPUT,
                        "execution.actions_taken: sequence %lld is already "
                        "recorded for %s",
                        (long long)sequence, id);
}

int et__pg_sent_error(struct et_pg *s, const PGresult *r,
                      const struct et_pg_sent *x, const struct et_pg_opinfo *o,
                      struct et_error *err)
{
    int rc = et__pg_fail(s, r, err, x ? x->what : "apply");

    if (rc != ET_EEXIST || !x || x->is_prepare || !o)
        return rc;
    switch (x->stmt) {
    case S_APPEND:
        return append_exists((uint64_t)o->num, err);
    case S_EXEC_INSERT:
    case S_EXEC_UPDATE:
        return exec_exists(o->id, err);
    case S_ACTION_PUT:
        return action_exists(o->num, o->id, err);
    default:
        return rc;
    }
}

static int pg_append(struct et_store *st, const struct et_event_row *ev,
                     struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    struct et_pgp p = {0};
    int rc;

    if (ev->seq > (uint64_t)INT64_MAX)
        return et_error_set(err, ET_EINVAL, "sequence out of range");
    et__pgp_i64(&p, (int64_t)ev->seq);
    et__pgp_str(&p, ev->type);
    et__pgp_str(&p, ev->execution_id);
    et__pgp_i64(&p, ev->ts_ns);
    et__pgp_bytes(&p, ev->leaf, ET_HASH_LEN);
    if (ev->body)
        et__pgp_bytes(&p, ev->body, ev->body_len);
    else
        et__pgp_str(&p, NULL);
    rc = run(s, S_APPEND, &p, 0, NULL, err, "append event");
    if (rc == ET_EEXIST)
        return append_exists(ev->seq, err);
    if (rc || !ev->execution_id)
        return rc;
    p.n = 0;
    et__pgp_i64(&p, (int64_t)ev->seq);
    et__pgp_str(&p, ev->execution_id);
    return run(s, S_EVENT_INDEX, &p, 0, NULL, err, "index event");
}

/* Rows [from, to) in chunks; each chunk is read whole before the callbacks
 * run, so a callback may use the store (rebuild does). */
static int pg_read_range(struct et_store *st, uint64_t from, uint64_t to,
                         et_row_fn *fn, void *ctx, struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    int rc = ET_OK;

    if (to > (uint64_t)INT64_MAX)
        to = (uint64_t)INT64_MAX;
    while (!rc && from < to) {
        struct et_pgp p = {0};
        PGresult *r = NULL;
        int n;

        et__pgp_i64(&p, (int64_t)from);
        et__pgp_i64(&p, (int64_t)to);
        rc = run(s, S_READ_RANGE, &p, 1, &r, err, "read ledger");
        if (rc)
            break;
        n = PQntuples(r);
        for (int i = 0; !rc && i < n; i++) {
            struct et_event_row row;

            memset(&row, 0, sizeof(row));
            row.seq = (uint64_t)bin_i64(r, i, 0);
            row.type = PQgetvalue(r, i, 1);
            row.execution_id = et__pg_text(r, i, 2);
            row.ts_ns = bin_i64(r, i, 3);
            if (PQgetlength(r, i, 4) == ET_HASH_LEN)
                memcpy(row.leaf, PQgetvalue(r, i, 4), ET_HASH_LEN);
            row.body = et__pg_text(r, i, 5);
            row.body_len = row.body ? (size_t)PQgetlength(r, i, 5) : 0;
            from = row.seq + 1;
            rc = fn(ctx, &row);
        }
        PQclear(r);
        if (n < READ_CHUNK)
            break;
    }
    return rc;
}

static int pg_exec_seqs(struct et_store *st, const char *id, uint64_t **seqs,
                        size_t *n, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc, rows;

    *seqs = NULL;
    *n = 0;
    et__pgp_str(&p, id);
    rc = run(et__pg(st), S_EXEC_SEQS, &p, 0, &r, err, "read ledger");
    if (rc)
        return rc;
    rows = PQntuples(r);
    if (rows) {
        *seqs = et__malloc((size_t)rows * sizeof(**seqs));
        if (!*seqs) {
            PQclear(r);
            return et_error_set(err, ET_ENOMEM, "out of memory");
        }
    }
    for (int i = 0; i < rows; i++)
        (*seqs)[i] = (uint64_t)et__pg_i64(r, i, 0, 0);
    *n = (size_t)rows;
    PQclear(r);
    return ET_OK;
}

static int pg_leaves(struct et_store *st, uint64_t n,
                     uint8_t (**out)[ET_HASH_LEN], struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    uint8_t(*leaves)[ET_HASH_LEN];
    uint64_t i = 0;
    int rc = ET_OK;

    *out = NULL;
    if (n > SIZE_MAX / ET_HASH_LEN || n > (uint64_t)INT64_MAX)
        return et_error_set(err, ET_ETOOBIG, "tree too large");
    leaves = et__malloc((size_t)(n ? n : 1) * ET_HASH_LEN);
    if (!leaves)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    while (!rc && i < n) {
        struct et_pgp p = {0};
        PGresult *r = NULL;
        int rows;

        et__pgp_i64(&p, (int64_t)i);
        et__pgp_i64(&p, (int64_t)n);
        rc = run(s, S_LEAVES, &p, 1, &r, err, "read ledger");
        if (rc)
            break;
        rows = PQntuples(r);
        for (int k = 0; !rc && k < rows; k++) {
            if ((uint64_t)bin_i64(r, k, 0) != i ||
                PQgetlength(r, k, 1) != ET_HASH_LEN)
                rc = et_error_set(err, ET_EINTEGRITY,
                                  "ledger row %llu is missing or damaged",
                                  (unsigned long long)i);
            else
                memcpy(leaves[i++], PQgetvalue(r, k, 1), ET_HASH_LEN);
        }
        PQclear(r);
        if (!rc && rows == 0)
            break;
    }
    if (!rc && i != n)
        rc = et_error_set(err, ET_EINTEGRITY,
                          "ledger has %llu events, expected %llu",
                          (unsigned long long)i, (unsigned long long)n);
    if (rc) {
        et__free(leaves);
        return rc;
    }
    *out = leaves;
    return ET_OK;
}

static int pg_exec_for_seq(struct et_store *st, uint64_t seq, char id_out[37],
                           struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    id_out[0] = '\0';
    et__pgp_i64(&p, (int64_t)seq);
    rc = run(et__pg(st), S_EXEC_FOR_SEQ, &p, 0, &r, err, "find execution");
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
    else
        rc = et_error_set(err, ET_ENOTFOUND, "no execution for event");
    PQclear(r);
    return rc;
}

/* ---- projections ---- */

static int pg_exec_resolve(struct et_store *st, const char *prefix,
                           char id_out[37], struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    char low[40];
    size_t len = strlen(prefix);
    int rc, rows;

    id_out[0] = '\0';
    if (len < 4 || len > 36)
        return et_error_set(err, ET_EINPUT,
                            "execution id '%s': give at least 4 characters",
                            prefix);
    for (size_t i = 0; i < len; i++)
        low[i] = (char)((prefix[i] >= 'A' && prefix[i] <= 'Z')
                            ? prefix[i] - 'A' + 'a'
                            : prefix[i]);
    low[len] = '\0';
    et__pgp_str(&p, low);
    rc = run(et__pg(st), len == 36 ? S_RESOLVE_EXACT : S_RESOLVE, &p, 0, &r,
             err, "find execution");
    if (rc)
        return rc;
    rows = PQntuples(r);
    if (rows == 1)
        snprintf(id_out, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (rows == 0)
        return et_error_set(err, ET_ENOTFOUND, "no execution '%s'", low);
    if (rows > 1)
        return et_error_set(err, ET_EINPUT,
                            "execution id prefix '%s' is ambiguous", low);
    return ET_OK;
}

void et__pg_row_from(const PGresult *r, int row, int c, struct et_exec_row *out)
{
    memset(out, 0, sizeof(*out));
    out->execution_id = et__pg_text(r, row, c + 0);
    out->session_id = et__pg_text(r, row, c + 1);
    out->agent_name = et__pg_text(r, row, c + 2);
    out->agent_version = et__pg_text(r, row, c + 3);
    out->state = et__pg_text(r, row, c + 4);
    out->verification = et__pg_text(r, row, c + 5);
    out->completeness = et__pg_text(r, row, c + 6);
    out->accuracy = et__pg_text(r, row, c + 7);
    out->efficiency = et__pg_text(r, row, c + 8);
    out->start_ns = et__pg_i64(r, row, c + 9, 0);
    out->end_ns = et__pg_i64(r, row, c + 10, 0);
    out->duration_ms = et__pg_i64(r, row, c + 11, -1);
    out->n_actions = et__pg_i64(r, row, c + 12, 0);
    out->n_failed_actions = et__pg_i64(r, row, c + 13, 0);
    out->first_seq = (uint64_t)et__pg_i64(r, row, c + 14, 0);
    out->last_seq = (uint64_t)et__pg_i64(r, row, c + 15, 0);
}

static int pg_exec_get(struct et_store *st, const char *id,
                       struct et_exec_row *row, struct et_error *err)
{
    struct et_pg *s = et__pg(st);
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    memset(row, 0, sizeof(*row));
    et__pgp_str(&p, id);
    rc = run(s, S_EXEC_GET, &p, 0, &r, err, "read execution");
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return et_error_set(err, ET_ENOTFOUND, "no execution %s", id);
    }
    PQclear(s->held);
    s->held = r; /* strings stay valid until the next exec_get or close */
    et__pg_row_from(r, 0, 0, row);
    row->doc = PQgetvalue(r, 0, 16);
    row->doc_len = (size_t)PQgetlength(r, 0, 16);
    return ET_OK;
}

/* ids as one text[] literal: each element quoted, '"' and '\\' escaped
 * (an id is any text to the store), a NULL id as NULL */
static int id_array(struct et_buf *b, const char *const *ids, size_t n)
{
    int rc = et_buf_addch(b, '{');

    for (size_t i = 0; !rc && i < n; i++) {
        const char *c = ids[i];

        if (i)
            rc = et_buf_addch(b, ',');
        if (!rc && !c)
            rc = et_buf_addstr(b, "NULL");
        if (rc || !c)
            continue;
        rc = et_buf_addch(b, '"');
        for (; !rc && *c; c++) {
            if (*c == '"' || *c == '\\')
                rc = et_buf_addch(b, '\\');
            if (!rc)
                rc = et_buf_addch(b, *c);
        }
        if (!rc)
            rc = et_buf_addch(b, '"');
    }
    return rc ? rc : et_buf_addch(b, '}');
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int pg_exec_exists(struct et_store *st, const char *const *ids,
                          size_t n, bool *found, struct et_error *err)
{
    struct et_buf arr = ET_BUF_INIT;
    struct et_pgp p = {0};
    PGresult *r = NULL;
    const char **hit = NULL;
    int rc = id_array(&arr, ids, n), rows;

    if (rc)
        return et_error_set(err, rc, "read executions: %s",
                            et_status_str(rc));
    et__pgp_str(&p, arr.ptr);
    rc = run(et__pg(st), S_EXEC_EXISTS, &p, 0, &r, err, "read executions");
    et_buf_release(&arr);
    if (rc)
        return rc;
    /* the ids found (as a rule none, for an import of new records),
     * sorted; each one asked about is looked up among them */
    rows = PQntuples(r);
    if (rows > 0 && !(hit = et__calloc((size_t)rows, sizeof(*hit))))
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (hit) {
        for (int i = 0; i < rows; i++)
            hit[i] = PQgetvalue(r, i, 0);
        qsort(hit, (size_t)rows, sizeof(*hit), cmp_str);
        for (size_t i = 0; i < n; i++)
            found[i] = ids[i] && bsearch(&ids[i], hit, (size_t)rows,
                                         sizeof(*hit), cmp_str);
    }
    et__free(hit);
    PQclear(r);
    return rc;
}

static int pg_exec_put(struct et_store *st, const struct et_exec_row *r,
                       bool insert, struct et_error *err)
{
    struct et_pgp p = {0};
    int rc;

    et__pgp_str(&p, r->execution_id);
    et__pgp_str(&p, r->session_id);
    et__pgp_str(&p, r->agent_name);
    et__pgp_str(&p, r->agent_version);
    et__pgp_str(&p, r->state);
    et__pgp_str(&p, r->verification);
    et__pgp_str(&p, r->completeness);
    et__pgp_str(&p, r->accuracy);
    et__pgp_str(&p, r->efficiency);
    et__pgp_i64_or_null(&p, r->start_ns, 0);
    et__pgp_i64_or_null(&p, r->end_ns, 0);
    et__pgp_i64_or_null(&p, r->duration_ms, -1);
    et__pgp_i64(&p, r->n_actions);
    et__pgp_i64(&p, r->n_failed_actions);
    et__pgp_i64(&p, (int64_t)r->first_seq);
    et__pgp_i64(&p, (int64_t)r->last_seq);
    et__pgp_bytes(&p, r->doc ? r->doc : "", r->doc ? r->doc_len : 0);
    rc = et__pg_part_ensure(et__pg(st), r->start_ns, err);
    if (!rc)
        rc = run(et__pg(st), insert ? S_EXEC_INSERT : S_EXEC_UPDATE, &p, 0,
                 NULL, err, "write execution");
    if (rc == ET_EEXIST)
        return exec_exists(r->execution_id, err);
    return rc;
}

static int pg_action_put(struct et_store *st, const struct et_action_row *r,
                         struct et_error *err)
{
    struct et_pgp p = {0};
    int rc;

    et__pgp_str(&p, r->execution_id);
    et__pgp_i64(&p, r->sequence);
    et__pgp_str(&p, r->tool);
    et__pgp_i64_or_null(&p, r->ts_ns, 0);
    et__pgp_i64_or_null(&p, r->success, -1);
    et__pgp_i64(&p, (int64_t)r->seq);
    et__pgp_bytes(&p, r->doc ? r->doc : "", r->doc ? r->doc_len : 0);
    rc = et__pg_part_ensure(et__pg(st), r->ts_ns, err);
    if (!rc)
        rc = run(et__pg(st), S_ACTION_PUT, &p, 0, NULL, err, "write action");
    if (rc == ET_EEXIST)
        return action_exists(r->sequence, r->execution_id, err);
    return rc;
}

static int pg_action_last(struct et_store *st, const char *id,
                          int64_t *last_out, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    *last_out = 0;
    et__pgp_str(&p, id);
    rc = run(et__pg(st), S_ACTION_LAST, &p, 0, &r, err, "read actions");
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        *last_out = et__pg_i64(r, 0, 0, 0);
    PQclear(r);
    return ET_OK;
}

/* Run a statement with one text parameter and call fn on column 0 of each
 * row (the result is read whole first: fn may use the store). */
static int each_text(struct et_store *st, enum stmt_id id, const char *arg,
                     et_text_fn *fn, void *ctx, struct et_error *err,
                     const char *what)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_str(&p, arg);
    rc = run(et__pg(st), id, &p, 0, &r, err, what);
    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, PQgetvalue(r, i, 0), (size_t)PQgetlength(r, i, 0));
    PQclear(r);
    return rc;
}

static int pg_actions_get(struct et_store *st, const char *id, et_text_fn *fn,
                          void *ctx, struct et_error *err)
{
    return each_text(st, S_ACTIONS_GET, id, fn, ctx, err, "read actions");
}

static int pg_list_put(struct et_store *st, const char *id, int64_t start_ns,
                       enum et_list_kind kind, const char *item,
                       struct et_error *err)
{
    struct et_pgp p = {0};
    int rc = et__pg_part_ensure(et__pg(st), start_ns, err);

    if (rc)
        return rc;
    et__pgp_str(&p, id);
    et__pgp_i64(&p, (int64_t)kind);
    et__pgp_str(&p, item);
    et__pgp_i64_or_null(&p, start_ns, 0);
    return run(et__pg(st), S_LIST_PUT, &p, 0, NULL, err, "write list");
}

static int pg_agent_action_put(struct et_store *st, uint64_t seq,
                               const char *session, const char *agent,
                               const char *owner, struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_i64(&p, (int64_t)seq);
    et__pgp_str(&p, session);
    et__pgp_str(&p, agent);
    et__pgp_str(&p, owner);
    return run(et__pg(st), S_AGENT_ACTION_PUT, &p, 0, NULL, err,
               "write agent action");
}

static int pg_agent_binding(struct et_store *st, const char *session,
                            const char *agent, char owner_out[37],
                            struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    et__pgp_str(&p, session);
    et__pgp_str(&p, agent);
    rc = run(et__pg(st), S_AGENT_BINDING, &p, 0, &r, err, "read agent binding");
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return ET_ENOTFOUND;
    }
    snprintf(owner_out, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return ET_OK;
}

static int pg_agent_bind(struct et_store *st, const char *session,
                         const char *agent, const char *owner,
                         struct et_store_moved **moved, size_t *n_moved,
                         struct et_error *err)
{
    struct et_pgp p = {0};
    struct et_store_moved *m = NULL;
    PGresult *r = NULL;
    int rc, rows;

    et__pgp_str(&p, session);
    et__pgp_str(&p, agent);
    et__pgp_str(&p, owner);
    rc = run(et__pg(st), S_AGENT_BIND, &p, 0, NULL, err, "write agent binding");
    if (!rc)
        rc = run(et__pg(st), S_AGENT_OWNED, &p, 0, &r, err,
                 "read agent actions");
    if (rc)
        return rc;
    rows = PQntuples(r);
    if (rows) {
        m = et__calloc((size_t)rows, sizeof(*m));
        if (!m) {
            PQclear(r);
            return et_error_set(err, ET_ENOMEM, "out of memory");
        }
    }
    for (int i = 0; i < rows; i++) {
        m[i].seq = (uint64_t)et__pg_i64(r, i, 0, 0);
        snprintf(m[i].from, sizeof(m[i].from), "%s",
                 PQgetisnull(r, i, 1) ? "" : PQgetvalue(r, i, 1));
    }
    PQclear(r);
    for (int i = 0; !rc && i < rows; i++) {
        struct et_pgp q = {0};

        if (m[i].from[0]) {
            et__pgp_str(&q, m[i].from);
            et__pgp_i64(&q, (int64_t)m[i].seq);
            rc = run(et__pg(st), S_AGENT_MOVE_ACTION, &q, 0, NULL, err,
                     "move agent action");
        }
        if (!rc) {
            struct et_pgp f = {0};

            et__pgp_i64(&f, (int64_t)m[i].seq);
            rc = run(et__pg(st), S_AGENT_MOVE_FTS, &f, 0, NULL, err,
                     "move agent action");
            if (!rc)
                rc = run(et__pg(st), S_AGENT_MOVE_CREDS, &f, 0, NULL, err,
                         "move agent action");
        }
    }
    if (!rc && rows)
        rc = run(et__pg(st), S_AGENT_MOVE, &p, 0, NULL, err,
                 "move agent actions");
    if (rc) {
        et__free(m);
        return rc;
    }
    *moved = m;
    *n_moved = (size_t)rows;
    return ET_OK;
}

static int pg_lists_clear(struct et_store *st, const char *id,
                          struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, id);
    return run(et__pg(st), S_LISTS_CLEAR, &p, 0, NULL, err, "clear lists");
}

static int pg_cred_put(struct et_store *st, const char *id, const char *kind,
                       const char *fingerprint, uint64_t seq,
                       struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, id);
    et__pgp_str(&p, kind);
    et__pgp_str(&p, fingerprint);
    et__pgp_i64(&p, (int64_t)seq);
    return run(et__pg(st), S_CRED_PUT, &p, 0, NULL, err, "write credential");
}

static int pg_security_add(struct et_store *st, const char *id,
                           const char *reason, struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, id);
    et__pgp_str(&p, reason);
    return run(et__pg(st), S_SECURITY_ADD, &p, 0, NULL, err,
               "write security reason");
}

static int pg_fts_put(struct et_store *st, uint64_t seq, const char *id,
                      const char *text, size_t len, struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_i64(&p, (int64_t)seq);
    et__pgp_str(&p, id);
    et__pgp_bytes(&p, text ? text : "", text ? len : 0);
    return run(et__pg(st), S_FTS_PUT, &p, 0, NULL, err, "write text index");
}

static int pg_session_touch(struct et_store *st, const char *session_id,
                            int64_t ts_ns, bool new_execution,
                            struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, session_id);
    et__pgp_i64(&p, ts_ns);
    et__pgp_i64(&p, new_execution ? 1 : 0);
    return run(et__pg(st), S_SESSION_TOUCH, &p, 0, NULL, err, "write session");
}

static int pg_exec_list(struct et_store *st, size_t limit, et_exec_row_fn *fn,
                        void *ctx, struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    if (limit)
        et__pgp_i64(&p, (int64_t)limit);
    else
        et__pgp_str(&p, NULL);
    rc = run(et__pg(st), S_EXEC_LIST, &p, 0, &r, err, "list");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_exec_row row;

        et__pg_row_from(r, i, 0, &row);
        rc = fn(ctx, &row);
    }
    PQclear(r);
    return rc;
}

static int pg_projection_reset(struct et_store *st, struct et_error *err)
{
    return et__pg_exec(
        et__pg(st),
        "DELETE FROM executions; DELETE FROM actions; "
        "DELETE FROM exec_lists; DELETE FROM sessions; "
        "DELETE FROM fts; DELETE FROM security_relevant; "
        "DELETE FROM exec_issues; DELETE FROM exec_credentials; "
        "DELETE FROM report_slots; DELETE FROM report_duration; "
        "DELETE FROM report_issues; DELETE FROM report_duration_day; "
        "DELETE FROM retention_state; "
        "DELETE FROM agent_bindings; DELETE FROM agent_actions; "
        "DELETE FROM notes; "
        "DELETE FROM meta WHERE key = 'rollups_stale';",
        err, "reset projections");
}

/* ---- checkpoints and metadata ---- */

static int pg_checkpoint_put(struct et_store *st, uint64_t size,
                             const uint8_t root[ET_HASH_LEN], int64_t ts_ns,
                             const char *note, struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_i64(&p, (int64_t)size);
    et__pgp_bytes(&p, root, ET_HASH_LEN);
    et__pgp_i64(&p, ts_ns);
    et__pgp_str(&p, note ? note : "");
    return run(et__pg(st), S_CKPT_PUT, &p, 0, NULL, err, "save checkpoint");
}

static int pg_checkpoint_each(struct et_store *st, et_checkpoint_fn *fn,
                              void *ctx, struct et_error *err)
{
    PGresult *r = NULL;
    int rc = run(et__pg(st), S_CKPT_EACH, NULL, 0, &r, err, "checkpoints");

    for (int i = 0; !rc && i < PQntuples(r); i++)
        rc = fn(ctx, (uint64_t)et__pg_i64(r, i, 0, 0), PQgetvalue(r, i, 1));
    PQclear(r);
    return rc;
}

static int pg_meta_get(struct et_store *st, const char *key, char **value,
                       struct et_error *err)
{
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    *value = NULL;
    et__pgp_str(&p, key);
    rc = run(et__pg(st), S_META_GET, &p, 0, &r, err, "read metadata");
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        *value = et__strdup(PQgetvalue(r, 0, 0));
        rc = *value ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");
    } else {
        rc = et_error_set(err, ET_ENOTFOUND, "no %s in store", key);
    }
    PQclear(r);
    return rc;
}

static int pg_meta_put(struct et_store *st, const char *key, const char *value,
                       struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_str(&p, key);
    et__pgp_str(&p, value);
    return run(et__pg(st), S_META_PUT, &p, 0, NULL, err, "write metadata");
}

const struct et_store_ops et__pg_ops = {
    .name = "postgresql",
    .abi = ET_STORE_ABI,
    .time_parts = true,
    .open = pg_open,
    .close = pg_close,
    .begin = pg_begin,
    .apply = et__pg_apply,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .head_load = pg_head_load,
    .head_save = pg_head_save,
    .append = pg_append,
    .read_range = pg_read_range,
    .exec_seqs = pg_exec_seqs,
    .exec_for_seq = pg_exec_for_seq,
    .leaves = pg_leaves,
    .exec_resolve = pg_exec_resolve,
    .exec_get = pg_exec_get,
    .exec_exists = pg_exec_exists,
    .exec_put = pg_exec_put,
    .action_put = pg_action_put,
    .actions_get = pg_actions_get,
    .action_last = pg_action_last,
    .list_put = pg_list_put,
    .agent_action_put = pg_agent_action_put,
    .agent_binding = pg_agent_binding,
    .agent_bind = pg_agent_bind,
    .lists_clear = pg_lists_clear,
    .cred_put = pg_cred_put,
    .security_add = pg_security_add,
    .fts_put = pg_fts_put,
    .session_touch = pg_session_touch,
    .exec_list = pg_exec_list,
    .projection_reset = pg_projection_reset,
    .projection_snapshot = et__pg_projection_snapshot,
    .projection_diff = et__pg_projection_diff,
    .report_digest = et__pg_report_digest,
    .checkpoint_put = pg_checkpoint_put,
    .checkpoint_each = pg_checkpoint_each,
    .meta_get = pg_meta_get,
    .meta_put = pg_meta_put,
    .dialect = &et__pg_dialect,
    .text_dense = NULL, /* the planner has statistics */
    .query_run = et__pg_query_run,
    .query_explain = et__pg_query_explain,
    .search = et__pg_search,
    .agent_stats = et__pg_agent_stats,
    .failures = et__pg_failures,
    .exec_texts = et__pg_exec_texts,
    .issues_put = et__pg_issues_put,
    .agent_history = et__pg_agent_history,
    .signature_count = et__pg_signature_count,
    .top_signatures = et__pg_top_signatures,
    .similar = et__pg_similar,
    .rollup_add = et__pg_rollup_add,
    .rollup_read = et__pg_rollup_read,
    .rollup_hist = et__pg_rollup_hist,
    .issue_rollup_add = et__pg_issue_rollup_add,
    .issues_top = et__pg_issues_top,
    .ret_scan = et__pg_ret_scan,
    .exec_forget = et__pg_exec_forget,
    .payload_set = et__pg_payload_set,
    .rstate_put = et__pg_rstate_put,
    .rstate_del = et__pg_rstate_del,
    .rstate_get = et__pg_rstate_get,
    .rstate_each = et__pg_rstate_each,
    .note_put = et__pg_note_put,
    .note_each = et__pg_note_each,
};
