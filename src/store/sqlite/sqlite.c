/* SPDX-License-Identifier: MIT */
/*
 * The SQLite backend: WAL, synchronous=FULL (an acknowledged commit is
 * durable), BEGIN IMMEDIATE for the single-writer ledger, a short-sleep busy
 * handler for many short-lived concurrent writers, and cached statements.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "store/store_int.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/query_sqlite.h"
#include "store/sqlite/note_sqlite.h"
#include "store/sqlite/retention_sqlite.h"
#include "store/sqlite/verify_sqlite.h"
#include "store/sqlite/fault_vfs.h"

#include <limits.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum stmt_id {
    S_HEAD_LOAD,
    S_HEAD_SAVE,
    S_APPEND,
    S_READ_RANGE,
    S_EXEC_SEQS,
    S_LEAVES,
    S_EXEC_FOR_SEQ,
    S_EVENT_INDEX,
    S_RESOLVE,
    S_EXEC_GET,
    S_EXEC_EXISTS,
    S_EXEC_INSERT,
    S_EXEC_UPDATE,
    S_EXEC_KEYS,
    S_EXEC_TOUCH,
    S_ACTION_PUT,
    S_ACTIONS_GET,
    S_ACTION_LAST,
    S_AGENT_ACTION_PUT,
    S_AGENT_BINDING,
    S_AGENT_BIND,
    S_AGENT_OWNED,
    S_AGENT_MOVE_ACTION,
    S_AGENT_MOVE_FTS,
    S_AGENT_MOVE_CREDS,
    S_AGENT_MOVE,
    S_LISTS_CLEAR,
    S_SECURITY_CLEAR,
    S_LIST_PUT,
    S_VOCAB_ADD,
    S_FTS_PUT,
    S_SESSION_TOUCH,
    S_EXEC_LIST,
    S_CKPT_PUT,
    S_CKPT_EACH,
    S_META_GET,
    S_META_PUT,
    S_CRED_PUT,
    S_SECURITY_ADD,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_HEAD_LOAD] = "SELECT state FROM tree_head WHERE id = 1",
    [S_HEAD_SAVE] = "INSERT INTO tree_head(id, size, state) VALUES (1, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET size = excluded.size, "
                    "state = excluded.state",
    [S_APPEND] = "INSERT INTO ledger(seq, type, execution_id, ts_ns, leaf, "
                 "body) VALUES (?, ?, ?, ?, ?, ?)",
    [S_READ_RANGE] = "SELECT seq, type, execution_id, ts_ns, leaf, body "
                     "FROM ledger WHERE seq >= ? AND seq < ? ORDER BY seq",
    /* an execution's events: those the ledger names it in, less the
     * subagent actions another execution owns now, plus those it owns */
    [S_EXEC_SEQS] = "SELECT seq FROM ledger l WHERE execution_id = ?1 "
                    "AND NOT EXISTS (SELECT 1 FROM agent_actions a WHERE "
                    "a.seq = l.seq AND a.execution_id IS NOT ?1) UNION "
                    "SELECT seq FROM agent_actions WHERE execution_id = ?1 "
                    "ORDER BY 1",
    [S_LEAVES] = "SELECT seq, leaf FROM ledger WHERE seq < ? ORDER BY seq",
    [S_EXEC_FOR_SEQ] = "SELECT execution_id FROM event_index WHERE seq = ?",
    [S_EVENT_INDEX] = "INSERT INTO event_index(seq, execution_id) "
                      "VALUES (?, ?)",
    [S_RESOLVE] = "SELECT execution_id FROM executions WHERE execution_id "
                  ">= ? AND execution_id < ? ORDER BY execution_id LIMIT 2",
    [S_EXEC_GET] = "SELECT execution_id, session_id, agent_name, "
                   "agent_version, state, verification, completeness, "
                   "accuracy, efficiency, start_ns, end_ns, duration_ms, "
                   "n_actions, n_failed_actions, first_seq, last_seq, doc "
                   "FROM executions WHERE execution_id = ?",
    [S_EXEC_EXISTS] = "SELECT 1 FROM executions WHERE execution_id = ?",
    [S_EXEC_INSERT] =
        "INSERT INTO executions(execution_id, session_id, agent_name, "
        "agent_version, state, verification, completeness, accuracy, "
        "efficiency, start_ns, end_ns, duration_ms, n_actions, "
        "n_failed_actions, first_seq, last_seq, doc) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    [S_EXEC_UPDATE] =
        "UPDATE executions SET session_id = ?2, agent_name = ?3, "
        "agent_version = ?4, state = ?5, verification = ?6, "
        "completeness = ?7, accuracy = ?8, efficiency = ?9, start_ns = ?10, "
        "end_ns = ?11, duration_ms = ?12, n_actions = ?13, "
        "n_failed_actions = ?14, first_seq = ?15, last_seq = ?16, doc = ?17 "
        "WHERE execution_id = ?1",
    /* the indexed columns of a row, and an update of the others: most
     * updates (an action, a response) change no indexed column, and an
     * UPDATE that sets one deletes and inserts its index entry even when
     * the value is the same: six indexes, twelve b-tree changes and their
     * pages for each action (sq_exec_put) */
    [S_EXEC_KEYS] = "SELECT session_id, agent_name, verification, "
                    "completeness, accuracy, efficiency, start_ns, "
                    "duration_ms FROM executions WHERE execution_id = ?",
    [S_EXEC_TOUCH] = "UPDATE executions SET agent_version = ?4, state = ?5, "
                     "end_ns = ?11, n_actions = ?13, n_failed_actions = ?14, "
                     "first_seq = ?15, last_seq = ?16, doc = ?17 WHERE "
                     "execution_id = ?1",
    [S_ACTION_PUT] = "INSERT INTO actions(execution_id, sequence, tool, "
                     "ts_ns, success, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [S_ACTIONS_GET] = "SELECT doc FROM actions WHERE execution_id = ? "
                      "ORDER BY sequence",
    /* one seek at the end of the (execution_id, sequence) key */
    [S_ACTION_LAST] = "SELECT max(sequence) FROM actions WHERE "
                      "execution_id = ?",
    /* the item carries its execution's start time (migration 11); an
     * execution lists an item once, however many actions imply it (the
     * check reads only that execution's items of that kind) */
    [S_AGENT_ACTION_PUT] = "INSERT OR REPLACE INTO agent_actions(seq, "
                           "session_id, agent_id, execution_id) "
                           "VALUES (?, ?, ?, ?)",
    [S_AGENT_BINDING] = "SELECT execution_id FROM agent_bindings WHERE "
                        "session_id = ? AND agent_id = ?",
    [S_AGENT_BIND] = "INSERT INTO agent_bindings(session_id, agent_id, "
                     "execution_id) VALUES (?1, ?2, ?3) ON CONFLICT DO "
                     "UPDATE SET execution_id = ?3",
    [S_AGENT_OWNED] = "SELECT seq, execution_id FROM agent_actions WHERE "
                      "session_id = ?1 AND agent_id = ?2 AND execution_id "
                      "IS NOT ?3 ORDER BY seq",
    [S_AGENT_MOVE_ACTION] = "DELETE FROM actions WHERE execution_id = ? "
                            "AND seq = ?",
    /* the caller indexes the moved event again under its new owner */
    [S_AGENT_MOVE_FTS] = "DELETE FROM fts WHERE rowid = ?",
    [S_AGENT_MOVE_CREDS] = "DELETE FROM exec_credentials WHERE seq = ?",
    [S_AGENT_MOVE] = "UPDATE agent_actions SET execution_id = ?3 WHERE "
                     "session_id = ?1 AND agent_id = ?2",
    [S_LISTS_CLEAR] = "DELETE FROM exec_lists WHERE execution_id = ?",
    [S_SECURITY_CLEAR] = "DELETE FROM security_relevant WHERE execution_id = ?",
    /* an execution lists an item once, however many actions imply it:
     * the table's key (migration 19), so the row is put when new and its
     * word goes to the vocabulary only then (migration 16), each a
     * one-row statement */
    [S_LIST_PUT] = "INSERT OR IGNORE INTO exec_lists(execution_id, kind, "
                   "item, start_ns) VALUES (?1, ?2, ?3, ?4)",
    [S_VOCAB_ADD] = "INSERT OR IGNORE INTO list_vocab(kind, item) "
                    "VALUES (?1, ?2)",
    [S_FTS_PUT] = "INSERT INTO fts(rowid, execution_id, body) VALUES (?, ?, ?)",
    [S_SESSION_TOUCH] =
        "INSERT INTO sessions(session_id, first_ns, last_ns, n_executions) "
        "VALUES (?1, ?2, ?2, ?3) ON CONFLICT(session_id) DO UPDATE SET "
        "first_ns = min(first_ns, ?2), last_ns = max(last_ns, ?2), "
        "n_executions = n_executions + ?3",
    [S_EXEC_LIST] = "SELECT execution_id, session_id, agent_name, "
                    "agent_version, state, verification, completeness, "
                    "accuracy, efficiency, start_ns, end_ns, duration_ms, "
                    "n_actions, n_failed_actions, first_seq, last_seq, '' "
                    "FROM executions ORDER BY start_ns DESC, execution_id "
                    "LIMIT ?",
    [S_CKPT_PUT] = "INSERT INTO checkpoints(size, root, ts_ns, note) "
                   "VALUES (?, ?, ?, ?)",
    [S_CKPT_EACH] = "SELECT size, note FROM checkpoints ORDER BY rowid",
    [S_META_GET] = "SELECT value FROM meta WHERE key = ?",
    [S_META_PUT] = "INSERT INTO meta(key, value) VALUES (?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [S_CRED_PUT] = "INSERT OR IGNORE INTO exec_credentials(execution_id, "
                   "kind, fingerprint, seq) VALUES (?, ?, ?, ?)",
    /* the reasons array keeps each reason once, in first-seen order */
    [S_SECURITY_ADD] =
        "INSERT INTO security_relevant(execution_id, reasons) "
        "VALUES (?1, json_array(?2)) ON CONFLICT(execution_id) DO UPDATE "
        "SET reasons = json_insert(reasons, '$[#]', ?2) WHERE NOT EXISTS "
        "(SELECT 1 FROM json_each(security_relevant.reasons) WHERE value = "
        "?2)",
};

struct sqlite_store {
    struct et_store base; /* must be first */
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    sqlite3_stmt *held; /* statement whose row strings are on loan */
    /* report_sqlite.c and analysis_sqlite.c (et__sqlite_cached) */
    sqlite3_stmt *report_stmt[ET_SQLITE_CACHED_STMTS];
    int64_t busy_deadline_ns;
    int64_t busy_timeout_ns; /* $EXECTRAIL_BUSY_TIMEOUT_MS, else 10 s */
    bool readonly;
};

#define BUSY_TIMEOUT_NS (INT64_C(10) * 1000000000)

static struct sqlite_store *S(struct et_store *st)
{
    return (struct sqlite_store *)st;
}

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ET_EBUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ET_EINTEGRITY;
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_IOERR:
        return ET_EUNAVAIL;
    case SQLITE_NOMEM:
        return ET_ENOMEM;
    case SQLITE_CONSTRAINT:
        return ET_EEXIST;
    default:
        return ET_EIO;
    }
}

static int db_error(struct sqlite_store *s, int rc, struct et_error *err,
                    const char *what)
{
    return et_error_set(err, map_rc(rc), "%s: %s", what,
                        s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

/*
 * Short sleeps with growth, instead of SQLite's default 1..100 ms ladder:
 * commits take a fraction of a millisecond, so waiters should retry soon.
 */
static int busy_handler(void *ctx, int count)
{
    struct sqlite_store *s = ctx;
    struct timespec ts = {0, 0};
    long us;

    if (count == 0)
        s->busy_deadline_ns = mono_ns() + s->busy_timeout_ns;
    else if (mono_ns() > s->busy_deadline_ns)
        return 0;
    us = count < 6 ? 50L << count : 2000;
    us += (long)((unsigned)getpid() % 97);
    ts.tv_nsec = us * 1000;
    nanosleep(&ts, NULL);
    return 1;
}

static int get_stmt(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt **out,
                    struct et_error *err)
{
    int rc;

    if (!s->stmt[id]) {
        rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
                                SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL);
        if (rc != SQLITE_OK)
            return db_error(s, rc, err, "prepare");
    }
    if (s->held == s->stmt[id])
        s->held = NULL;
    sqlite3_reset(s->stmt[id]);
    sqlite3_clear_bindings(s->stmt[id]);
    *out = s->stmt[id];
    return ET_OK;
}

static int exec_sql(struct sqlite_store *s, const char *sql,
                    struct et_error *err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? ET_OK : db_error(s, rc, err, "store");
}

static int step_done(struct sqlite_store *s, sqlite3_stmt *st,
                     struct et_error *err, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return ET_OK;
    return db_error(s, rc, err, what);
}

static int user_version(struct sqlite_store *s, int *out, struct et_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL);

    *out = 0;
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0);
    else
        rc = sqlite3_errcode(s->db);
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? ET_OK : db_error(s, rc, err, "read schema");
}

static int migrate(struct sqlite_store *s, struct et_error *err)
{
    int target = (int)ET_ARRAY_SIZE(et_sqlite_migrations);
    int ver, rc;
    char sql[64];

    rc = user_version(s, &ver, err);
    if (rc)
        return rc;
    if (ver > target)
        return et_error_set(err, ET_ESCHEMA,
                            "store schema version %d is newer than this "
                            "program supports (%d); upgrade exectrail",
                            ver, target);
    if (ver == target)
        return ET_OK;
    if (s->readonly)
        return et_error_set(err, ET_EUNAVAIL,
                            "store needs a schema upgrade; open it for "
                            "writing once");
    rc = exec_sql(s, "BEGIN IMMEDIATE", err);
    if (rc)
        return rc;
    rc = user_version(s, &ver, err); /* another process may have won */
    for (int i = ver; !rc && i < target; i++)
        rc = exec_sql(s, et_sqlite_migrations[i], err);
    if (!rc && ver < target) {
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
        rc = exec_sql(s, sql, err);
    }
    if (!rc)
        rc = exec_sql(s, "COMMIT", err);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void sq_close(struct et_store *st)
{
    struct sqlite_store *s = S(st);

    if (!s)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    for (int i = 0; i < ET_SQLITE_CACHED_STMTS; i++)
        sqlite3_finalize(s->report_stmt[i]);
    sqlite3_close(s->db);
    et__free(s);
}

/*
 * SQLite makes -wal and -shm with the database file's mode; a process that
 * met a read-only trail.db leaves them read-only, and once the database is
 * writable again every write would fail on them. Give sidecars we own the
 * database's mode back (docs/RELIABILITY.md, "read-only file").
 */
static void sq_sidecar_modes(const char *path, const struct stat *db)
{
    static const char *const sfx[] = {"-wal", "-shm"};

    if (access(path, W_OK) != 0)
        return;
    for (size_t i = 0; i < 2; i++) {
        char p[PATH_MAX];
        struct stat sb;
        int n = snprintf(p, sizeof(p), "%s%s", path, sfx[i]);

        if (n < 0 || (size_t)n >= sizeof(p) || lstat(p, &sb) != 0 ||
            !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
            (sb.st_mode & 0777) == (db->st_mode & 0777))
            continue;
        (void)chmod(p, db->st_mode & 0777);
    }
}

static int sq_open(const char *path, unsigned flags, struct et_store **out,
                   int *created_out, struct et_error *err)
{
    struct sqlite_store *s;
    struct stat sb;
    int oflags = SQLITE_OPEN_NOMUTEX;
    int rc;

    *out = NULL;
    *created_out = 0;
    if (stat(path, &sb) != 0) {
        if (errno != ENOENT || !(flags & ET_STORE_CREATE))
            return et_error_sys(err, ET_EUNAVAIL, errno, "no trail at %s",
                                path);
        *created_out = 1;
    } else if (!(flags & ET_STORE_READONLY)) {
        sq_sidecar_modes(path, &sb);
    }
    s = et__calloc(1, sizeof(*s));
    if (!s)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    s->readonly = (flags & ET_STORE_READONLY) != 0;
    s->busy_timeout_ns = BUSY_TIMEOUT_NS;
    {
        /* the hook path waits briefly, then spools (docs/INTEGRATIONS.md) */
        const char *ms = getenv("EXECTRAIL_BUSY_TIMEOUT_MS");
        char *end = NULL;
        long long v = ms && *ms ? strtoll(ms, &end, 10) : -1;

        if (end && !*end && v >= 0)
            s->busy_timeout_ns = (int64_t)v * 1000000;
    }
    oflags |= s->readonly ? SQLITE_OPEN_READONLY
                          : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path, &s->db, oflags, et__sqlite_vfs());
    if (rc != SQLITE_OK) {
        rc = et_error_set(err, ET_EUNAVAIL, "cannot open %s: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sq_close(&s->base);
        return rc;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_handler(s->db, busy_handler, s);
    rc = exec_sql(s, "PRAGMA synchronous = FULL", err);
    /* Statement journals in memory: a batch keeps one savepoint per unit,
     * and on disk SQLite rewrites every page a unit changes into a
     * sub-journal file (541 MB of writes for a 17 MB import, 72 % of all
     * its writes; docs/PERFORMANCE.md "Bulk import levers"). In memory it
     * holds only the pages of the current unit. */
    if (!rc)
        rc = exec_sql(s, "PRAGMA temp_store = MEMORY", err);
    /* A page cache of up to 16 MiB (SQLite's default is 2 MiB): a group
     * commit of the server or an import batch changes more pages than 2
     * MiB hold, and SQLite then spills dirty pages into the WAL before the
     * commit and reads them back (pagerStress in a profile). Pages are
     * allocated as used, so a hook's small transaction costs no more.
     * Measured: docs/PERFORMANCE.md, "Page cache for large transactions". */
    if (!rc)
        rc = exec_sql(s, "PRAGMA cache_size = -16384", err);
    if (!rc && !s->readonly && *created_out)
        rc = exec_sql(s, "PRAGMA journal_mode = WAL", err);
    if (!rc)
        rc = migrate(s, err);
    if (rc) {
        if (rc == ET_EINTEGRITY)
            et_error_prefix(err, "%s is not an exectrail store", path);
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return ET_OK;
}

static int sq_begin(struct et_store *st, bool write, struct et_error *err)
{
    struct sqlite_store *s = S(st);

    /*
     * A statement whose row is on loan (held) keeps a read snapshot open.
     * On a long-lived handle (exectrail serve) the next BEGIN IMMEDIATE
     * would then fail at once with SQLITE_BUSY_SNAPSHOT, without the busy
     * handler, as soon as another connection has committed. A new
     * transaction ends the loan.
     */
    if (s->held && sqlite3_get_autocommit(s->db)) {
        sqlite3_reset(s->held);
        s->held = NULL;
    }
    return exec_sql(s, write ? "BEGIN IMMEDIATE" : "BEGIN", err);
}

static int sq_commit(struct et_store *st, struct et_error *err)
{
    return exec_sql(S(st), "COMMIT", err);
}

static void sq_rollback(struct et_store *st)
{
    sqlite3_exec(S(st)->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_savepoint(struct et_store *st, struct et_error *err)
{
    return exec_sql(S(st), "SAVEPOINT et_unit", err);
}

static int sq_release(struct et_store *st, struct et_error *err)
{
    return exec_sql(S(st), "RELEASE et_unit", err);
}

static int sq_rollback_to(struct et_store *st)
{
    /* after an I/O error SQLite may have rolled the whole transaction
     * back: then there is no et_unit to return to */
    return sqlite3_exec(S(st)->db, "ROLLBACK TO et_unit; RELEASE et_unit", NULL,
                        NULL, NULL) == SQLITE_OK
               ? ET_OK
               : ET_EIO;
}

static int sq_head_load(struct et_store *st, struct et_tree *t,
                        struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_HEAD_LOAD, &q, err);

    et_tree_init(t);
    if (rc)
        return rc;
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        rc = et_tree_decode(sqlite3_column_blob(q, 0),
                            (size_t)sqlite3_column_bytes(q, 0), t);
        sqlite3_reset(q);
        if (rc)
            return et_error_set(err, ET_EINTEGRITY,
                                "stored tree head is corrupt");
        return ET_OK;
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "read tree head");
}

static int sq_head_save(struct et_store *st, const struct et_tree *t,
                        struct et_error *err)
{
    struct sqlite_store *s = S(st);
    uint8_t buf[8 + ET_TREE_MAX_PEAK * ET_HASH_LEN];
    size_t n = et_tree_encode(t, buf);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_HEAD_SAVE, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)t->size);
    sqlite3_bind_blob(q, 2, buf, (int)n, SQLITE_STATIC);
    return step_done(s, q, err, "save tree head");
}

static void bind_text(sqlite3_stmt *q, int i, const char *s, size_t len)
{
    if (s)
        sqlite3_bind_text64(q, i, s, len, SQLITE_STATIC, SQLITE_UTF8);
    else
        sqlite3_bind_null(q, i);
}

static void bind_str(sqlite3_stmt *q, int i, const char *s)
{
    bind_text(q, i, s, s ? strlen(s) : 0);
}

static int sq_append(struct et_store *st, const struct et_event_row *ev,
                     struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_APPEND, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)ev->seq);
    bind_str(q, 2, ev->type);
    bind_str(q, 3, ev->execution_id);
    sqlite3_bind_int64(q, 4, ev->ts_ns);
    sqlite3_bind_blob(q, 5, ev->leaf, ET_HASH_LEN, SQLITE_STATIC);
    bind_text(q, 6, ev->body, ev->body_len);
    rc = step_done(s, q, err, "append event");
    if (rc || !ev->execution_id)
        return rc;
    rc = get_stmt(s, S_EVENT_INDEX, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)ev->seq);
    bind_str(q, 2, ev->execution_id);
    return step_done(s, q, err, "index event");
}

static int sq_read_range(struct et_store *st, uint64_t from, uint64_t to,
                         et_row_fn *fn, void *ctx, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q, *own = NULL;
    int rc;

    /* reentrant: a callback may read the ledger again (rebuild projects a
     * restored execution's earlier events from inside the pass) */
    if (s->stmt[S_READ_RANGE] && sqlite3_stmt_busy(s->stmt[S_READ_RANGE])) {
        rc = sqlite3_prepare_v2(s->db, stmt_sql[S_READ_RANGE], -1, &own, NULL);
        if (rc != SQLITE_OK)
            return db_error(s, rc, err, "prepare");
        q = own;
    } else if ((rc = get_stmt(s, S_READ_RANGE, &q, err))) {
        return rc;
    }
    if (to > (uint64_t)INT64_MAX)
        to = (uint64_t)INT64_MAX;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)from);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)to);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_event_row row;
        const void *leaf = sqlite3_column_blob(q, 4);
        int leaf_len = sqlite3_column_bytes(q, 4);
        int64_t seq = sqlite3_column_int64(q, 0);

        memset(&row, 0, sizeof(row));
        row.seq = seq < 0 ? UINT64_MAX : (uint64_t)seq;
        row.type = (const char *)sqlite3_column_text(q, 1);
        row.execution_id = (const char *)sqlite3_column_text(q, 2);
        row.ts_ns = sqlite3_column_int64(q, 3);
        if (leaf && leaf_len == ET_HASH_LEN)
            memcpy(row.leaf, leaf, ET_HASH_LEN);
        else
            memset(row.leaf, 0, ET_HASH_LEN); /* caller detects mismatch */
        row.body = (const char *)sqlite3_column_text(q, 5);
        row.body_len = (size_t)sqlite3_column_bytes(q, 5);
        rc = fn(ctx, &row);
        if (rc) {
            sqlite3_reset(q);
            sqlite3_finalize(own);
            return rc;
        }
    }
    sqlite3_reset(q);
    sqlite3_finalize(own);
    return rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "read ledger");
}

static int sq_exec_seqs(struct et_store *st, const char *id, uint64_t **seqs,
                        size_t *n, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    size_t cap = 0;
    int rc = get_stmt(s, S_EXEC_SEQS, &q, err);

    *seqs = NULL;
    *n = 0;
    if (rc)
        return rc;
    bind_str(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap) {
            uint64_t *p;

            cap = cap ? cap * 2 : 16;
            p = et__realloc(*seqs, cap * sizeof(**seqs));
            if (!p) {
                sqlite3_reset(q);
                et__free(*seqs);
                *seqs = NULL;
                *n = 0;
                return et_error_set(err, ET_ENOMEM, "out of memory");
            }
            *seqs = p;
        }
        (*seqs)[(*n)++] = (uint64_t)sqlite3_column_int64(q, 0);
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "read ledger");
}

static int sq_leaves(struct et_store *st, uint64_t n,
                     uint8_t (**out)[ET_HASH_LEN], struct et_error *err)
{
    struct sqlite_store *s = S(st);
    uint8_t(*leaves)[ET_HASH_LEN];
    sqlite3_stmt *q;
    uint64_t i = 0;
    int rc;

    *out = NULL;
    if (n > SIZE_MAX / ET_HASH_LEN)
        return et_error_set(err, ET_ETOOBIG, "tree too large");
    leaves = et__malloc((size_t)(n ? n : 1) * ET_HASH_LEN);
    if (!leaves)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rc = get_stmt(s, S_LEAVES, &q, err);
    if (rc) {
        et__free(leaves);
        return rc;
    }
    sqlite3_bind_int64(q, 1, (sqlite3_int64)n);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW && i < n) {
        const void *leaf = sqlite3_column_blob(q, 1);

        if ((uint64_t)sqlite3_column_int64(q, 0) != i ||
            sqlite3_column_bytes(q, 1) != ET_HASH_LEN) {
            sqlite3_reset(q);
            et__free(leaves);
            return et_error_set(err, ET_EINTEGRITY,
                                "ledger row %llu is missing or damaged",
                                (unsigned long long)i);
        }
        memcpy(leaves[i++], leaf, ET_HASH_LEN);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        et__free(leaves);
        return db_error(s, rc, err, "read ledger");
    }
    if (i != n) {
        et__free(leaves);
        return et_error_set(err, ET_EINTEGRITY,
                            "ledger has %llu events, expected %llu",
                            (unsigned long long)i, (unsigned long long)n);
    }
    *out = leaves;
    return ET_OK;
}

static int sq_exec_for_seq(struct et_store *st, uint64_t seq, char id_out[37],
                           struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_EXEC_FOR_SEQ, &q, err);

    id_out[0] = '\0';
    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)seq);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(id_out, 37, "%s", sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return ET_OK;
    if (rc == SQLITE_DONE)
        return et_error_set(err, ET_ENOTFOUND, "no execution for event");
    return db_error(s, rc, err, "find execution");
}

static int sq_exec_resolve(struct et_store *st, const char *prefix,
                           char id_out[37], struct et_error *err)
{
    struct sqlite_store *s = S(st);
    char hi[64], low[40];
    size_t len = strlen(prefix);
    sqlite3_stmt *q;
    int rows = 0, rc;

    id_out[0] = '\0';
    if (len < 4 || len > 36)
        return et_error_set(err, ET_EINPUT,
                            "execution id '%s': give at least 4 characters",
                            prefix);
    /* ids are stored in lower case; accept any case */
    for (size_t i = 0; i < len; i++)
        low[i] = (char)((prefix[i] >= 'A' && prefix[i] <= 'Z')
                            ? prefix[i] - 'A' + 'a'
                            : prefix[i]);
    low[len] = '\0';
    prefix = low;
    snprintf(hi, sizeof(hi), "%s\x7f", prefix);
    rc = get_stmt(s, S_RESOLVE, &q, err);
    if (rc)
        return rc;
    bind_str(q, 1, prefix);
    bind_str(q, 2, hi);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (rows++ == 0)
            snprintf(id_out, 37, "%s", sqlite3_column_text(q, 0));
    }
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_error(s, rc, err, "find execution");
    if (rows == 0)
        return et_error_set(err, ET_ENOTFOUND, "no execution '%s'", prefix);
    if (rows > 1) {
        id_out[0] = '\0';
        return et_error_set(err, ET_EINPUT,
                            "execution id prefix '%s' is ambiguous", prefix);
    }
    return ET_OK;
}

static int64_t col_i64(sqlite3_stmt *q, int i, int64_t null_value)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL
               ? null_value
               : sqlite3_column_int64(q, i);
}

static void row_from(sqlite3_stmt *q, struct et_exec_row *r)
{
    memset(r, 0, sizeof(*r));
    r->execution_id = (const char *)sqlite3_column_text(q, 0);
    r->session_id = (const char *)sqlite3_column_text(q, 1);
    r->agent_name = (const char *)sqlite3_column_text(q, 2);
    r->agent_version = (const char *)sqlite3_column_text(q, 3);
    r->state = (const char *)sqlite3_column_text(q, 4);
    r->verification = (const char *)sqlite3_column_text(q, 5);
    r->completeness = (const char *)sqlite3_column_text(q, 6);
    r->accuracy = (const char *)sqlite3_column_text(q, 7);
    r->efficiency = (const char *)sqlite3_column_text(q, 8);
    r->start_ns = col_i64(q, 9, 0);
    r->end_ns = col_i64(q, 10, 0);
    r->duration_ms = col_i64(q, 11, -1);
    r->n_actions = col_i64(q, 12, 0);
    r->n_failed_actions = col_i64(q, 13, 0);
    r->first_seq = (uint64_t)col_i64(q, 14, 0);
    r->last_seq = (uint64_t)col_i64(q, 15, 0);
    r->doc = (const char *)sqlite3_column_text(q, 16);
    r->doc_len = (size_t)sqlite3_column_bytes(q, 16);
}

static int sq_exec_get(struct et_store *st, const char *id,
                       struct et_exec_row *row, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_EXEC_GET, &q, err);

    memset(row, 0, sizeof(*row));
    if (rc)
        return rc;
    bind_str(q, 1, id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        row_from(q, row);
        s->held = q; /* strings stay valid until the next use of q */
        return ET_OK;
    }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE)
        return et_error_set(err, ET_ENOTFOUND, "no execution %s", id);
    return db_error(s, rc, err, "read execution");
}

/* One lookup per id: local, so n of them cost what one query of n would */
static int sq_exec_exists(struct et_store *st, const char *const *ids,
                          size_t n, bool *found, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q = NULL;
    int rc = get_stmt(s, S_EXEC_EXISTS, &q, err);

    for (size_t i = 0; !rc && i < n; i++) {
        bind_str(q, 1, ids[i]);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        found[i] = rc == SQLITE_ROW;
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE
                 ? ET_OK
                 : db_error(s, rc, err, "read executions");
    }
    return rc;
}

static void bind_i64_or_null(sqlite3_stmt *q, int i, int64_t v, int64_t null)
{
    if (v == null)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_int64(q, i, v);
}

static bool same_text(sqlite3_stmt *q, int i, const char *v)
{
    const unsigned char *c = sqlite3_column_text(q, i);

    return c ? v && strcmp((const char *)c, v) == 0 : v == NULL;
}

/* Whether r's indexed columns are those the stored row has (false when
 * there is no such row, or the read fails: the full update then says). */
static bool exec_keys_same(struct sqlite_store *s,
                           const struct et_exec_row *r)
{
    sqlite3_stmt *q;
    bool same = false;

    if (get_stmt(s, S_EXEC_KEYS, &q, NULL))
        return false;
    bind_str(q, 1, r->execution_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        same = same_text(q, 0, r->session_id) &&
               same_text(q, 1, r->agent_name) &&
               same_text(q, 2, r->verification) &&
               same_text(q, 3, r->completeness) &&
               same_text(q, 4, r->accuracy) &&
               same_text(q, 5, r->efficiency) &&
               col_i64(q, 6, 0) == r->start_ns &&
               col_i64(q, 7, -1) == r->duration_ms;
    sqlite3_reset(q);
    return same;
}

static int sq_exec_put(struct et_store *st, const struct et_exec_row *r,
                       bool insert, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s,
                      insert                  ? S_EXEC_INSERT
                      : exec_keys_same(s, r) ? S_EXEC_TOUCH
                                              : S_EXEC_UPDATE,
                      &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, r->execution_id);
    bind_str(q, 2, r->session_id);
    bind_str(q, 3, r->agent_name);
    bind_str(q, 4, r->agent_version);
    bind_str(q, 5, r->state);
    bind_str(q, 6, r->verification);
    bind_str(q, 7, r->completeness);
    bind_str(q, 8, r->accuracy);
    bind_str(q, 9, r->efficiency);
    bind_i64_or_null(q, 10, r->start_ns, 0);
    bind_i64_or_null(q, 11, r->end_ns, 0);
    bind_i64_or_null(q, 12, r->duration_ms, -1);
    sqlite3_bind_int64(q, 13, r->n_actions);
    sqlite3_bind_int64(q, 14, r->n_failed_actions);
    sqlite3_bind_int64(q, 15, (sqlite3_int64)r->first_seq);
    sqlite3_bind_int64(q, 16, (sqlite3_int64)r->last_seq);
    bind_text(q, 17, r->doc, r->doc_len);
    rc = step_done(s, q, err, "write execution");
    if (rc == ET_EEXIST)
        return et_error_set(err, ET_EEXIST,
                            "execution_id: %s is already recorded",
                            r->execution_id);
    return rc;
}

static int sq_action_put(struct et_store *st, const struct et_action_row *r,
                         struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_ACTION_PUT, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, r->execution_id);
    sqlite3_bind_int64(q, 2, r->sequence);
    bind_str(q, 3, r->tool);
    bind_i64_or_null(q, 4, r->ts_ns, 0);
    bind_i64_or_null(q, 5, r->success, -1);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)r->seq);
    bind_text(q, 7, r->doc, r->doc_len);
    rc = step_done(s, q, err, "write action");
    if (rc == ET_EEXIST)
        return et_error_set(err, ET_EINPUT,
                            "execution.actions_taken: sequence %lld is "
                            "already recorded for %s",
                            (long long)r->sequence, r->execution_id);
    return rc;
}

static int sq_action_last(struct et_store *st, const char *id,
                          int64_t *last_out, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_ACTION_LAST, &q, err);

    *last_out = 0;
    if (rc)
        return rc;
    bind_str(q, 1, id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *last_out = sqlite3_column_int64(q, 0); /* NULL (none) reads as 0 */
    sqlite3_reset(q);
    return rc == SQLITE_ROW ? ET_OK : db_error(s, rc, err, "read actions");
}

static int sq_actions_get(struct et_store *st, const char *id, et_text_fn *fn,
                          void *ctx, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_ACTIONS_GET, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, id);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = fn(ctx, (const char *)sqlite3_column_text(q, 0),
                (size_t)sqlite3_column_bytes(q, 0));
        if (rc) {
            sqlite3_reset(q);
            return rc;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "read actions");
}

static int sq_list_put(struct et_store *st, const char *id, int64_t start_ns,
                       enum et_list_kind kind, const char *item,
                       struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_LIST_PUT, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, id);
    sqlite3_bind_int(q, 2, (int)kind);
    bind_str(q, 3, item);
    bind_i64_or_null(q, 4, start_ns, 0);
    rc = step_done(s, q, err, "write list");
    if (rc || sqlite3_changes(s->db) == 0)
        return rc; /* listed already */
    rc = get_stmt(s, S_VOCAB_ADD, &q, err);
    if (rc)
        return rc;
    sqlite3_bind_int(q, 1, (int)kind);
    bind_str(q, 2, item);
    return step_done(s, q, err, "write list");
}

static int sq_agent_action_put(struct et_store *st, uint64_t seq,
                               const char *session, const char *agent,
                               const char *owner, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_AGENT_ACTION_PUT, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)seq);
    bind_str(q, 2, session);
    bind_str(q, 3, agent);
    bind_str(q, 4, owner);
    return step_done(s, q, err, "write agent action");
}

static int sq_agent_binding(struct et_store *st, const char *session,
                            const char *agent, char owner_out[37],
                            struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_AGENT_BINDING, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, session);
    bind_str(q, 2, agent);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        snprintf(owner_out, 37, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return ET_OK;
    if (rc == SQLITE_DONE)
        return ET_ENOTFOUND;
    return db_error(s, rc, err, "read agent binding");
}

/* One statement of two bound values, run to the end. */
/* One statement of one bound sequence number, run to the end. */
static int run_seq(struct sqlite_store *s, enum stmt_id id, uint64_t seq,
                   struct et_error *err)
{
    sqlite3_stmt *q;
    int rc = get_stmt(s, id, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)seq);
    return step_done(s, q, err, "move agent action");
}

static int run2(struct sqlite_store *s, enum stmt_id id, const char *a,
                uint64_t b, struct et_error *err)
{
    sqlite3_stmt *q;
    int rc = get_stmt(s, id, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, a);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)b);
    return step_done(s, q, err, "move agent action");
}

static int sq_agent_bind(struct et_store *st, const char *session,
                         const char *agent, const char *owner,
                         struct et_store_moved **moved, size_t *n_moved,
                         struct et_error *err)
{
    struct sqlite_store *s = S(st);
    struct et_store_moved *m = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_AGENT_BIND, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, session);
    bind_str(q, 2, agent);
    bind_str(q, 3, owner);
    rc = step_done(s, q, err, "write agent binding");
    if (!rc)
        rc = get_stmt(s, S_AGENT_OWNED, &q, err);
    if (rc)
        return rc;
    bind_str(q, 1, session);
    bind_str(q, 2, agent);
    bind_str(q, 3, owner);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *from = (const char *)sqlite3_column_text(q, 1);

        if (n == cap) {
            struct et_store_moved *p;

            cap = cap ? cap * 2 : 8;
            p = et__realloc(m, cap * sizeof(*m));
            if (!p) {
                sqlite3_reset(q);
                et__free(m);
                return et_error_set(err, ET_ENOMEM, "out of memory");
            }
            m = p;
        }
        m[n].seq = (uint64_t)sqlite3_column_int64(q, 0);
        snprintf(m[n].from, sizeof(m[n].from), "%s", from ? from : "");
        n++;
    }
    sqlite3_reset(q);
    rc = rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "read agent actions");
    /* the rows leave the old owner: its action row, the text index and
     * credential rows of the event (the caller projects it again) */
    for (size_t i = 0; !rc && i < n; i++) {
        if (m[i].from[0])
            rc = run2(s, S_AGENT_MOVE_ACTION, m[i].from, m[i].seq, err);
        if (!rc)
            rc = run_seq(s, S_AGENT_MOVE_FTS, m[i].seq, err);
        if (!rc)
            rc = run_seq(s, S_AGENT_MOVE_CREDS, m[i].seq, err);
    }
    if (!rc && n)
        rc = get_stmt(s, S_AGENT_MOVE, &q, err);
    if (!rc && n) {
        bind_str(q, 1, session);
        bind_str(q, 2, agent);
        bind_str(q, 3, owner);
        rc = step_done(s, q, err, "move agent actions");
    }
    if (rc) {
        et__free(m);
        return rc;
    }
    *moved = m;
    *n_moved = n;
    return ET_OK;
}

static int sq_lists_clear(struct et_store *st, const char *id,
                          struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_LISTS_CLEAR, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, id);
    rc = step_done(s, q, err, "clear lists");
    if (!rc)
        rc = get_stmt(s, S_SECURITY_CLEAR, &q, err);
    if (rc)
        return rc;
    bind_str(q, 1, id);
    return step_done(s, q, err, "clear security reasons");
}

static int sq_cred_put(struct et_store *st, const char *id, const char *kind,
                       const char *fingerprint, uint64_t seq,
                       struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_CRED_PUT, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, id);
    bind_str(q, 2, kind);
    bind_str(q, 3, fingerprint);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)seq);
    return step_done(s, q, err, "write credential");
}

static int sq_security_add(struct et_store *st, const char *id,
                           const char *reason, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_SECURITY_ADD, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, id);
    bind_str(q, 2, reason);
    return step_done(s, q, err, "write security reason");
}

static int sq_fts_put(struct et_store *st, uint64_t seq, const char *id,
                      const char *text, size_t len, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_FTS_PUT, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)seq);
    bind_str(q, 2, id);
    bind_text(q, 3, text, len);
    return step_done(s, q, err, "write text index");
}

static int sq_session_touch(struct et_store *st, const char *session_id,
                            int64_t ts_ns, bool new_execution,
                            struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_SESSION_TOUCH, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, session_id);
    sqlite3_bind_int64(q, 2, ts_ns);
    sqlite3_bind_int(q, 3, new_execution ? 1 : 0);
    return step_done(s, q, err, "write session");
}

static int sq_exec_list(struct et_store *st, size_t limit, et_exec_row_fn *fn,
                        void *ctx, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_EXEC_LIST, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, limit ? (sqlite3_int64)limit : -1);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_exec_row row;

        row_from(q, &row);
        row.doc = NULL;
        row.doc_len = 0;
        rc = fn(ctx, &row);
        if (rc) {
            sqlite3_reset(q);
            return rc;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "list");
}

static int sq_projection_reset(struct et_store *st, struct et_error *err)
{
    return exec_sql(
        S(st),
        /* the vocabulary first: its delete trigger then
         * finds nothing to do for each list row */
        "DELETE FROM list_vocab; "
        "DELETE FROM executions; DELETE FROM actions; "
        "DELETE FROM exec_lists; DELETE FROM sessions; "
        "DELETE FROM fts; DELETE FROM security_relevant; "
        "DELETE FROM exec_issues; DELETE FROM exec_credentials; "
        "DELETE FROM report_slots; "
        "DELETE FROM report_duration; DELETE FROM report_issues; "
        "DELETE FROM report_duration_day; DELETE FROM retention_state; "
        "DELETE FROM agent_bindings; DELETE FROM agent_actions; "
        "DELETE FROM notes; "
        "DELETE FROM meta WHERE key = 'rollups_stale';",
        err);
}

static int sq_checkpoint_put(struct et_store *st, uint64_t size,
                             const uint8_t root[ET_HASH_LEN], int64_t ts_ns,
                             const char *note, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_CKPT_PUT, &q, err);

    if (rc)
        return rc;
    sqlite3_bind_int64(q, 1, (sqlite3_int64)size);
    sqlite3_bind_blob(q, 2, root, ET_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, ts_ns);
    bind_str(q, 4, note);
    return step_done(s, q, err, "save checkpoint");
}

static int sq_checkpoint_each(struct et_store *st, et_checkpoint_fn *fn,
                              void *ctx, struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_CKPT_EACH, &q, err);

    if (rc)
        return rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *note = (const char *)sqlite3_column_text(q, 1);

        rc = fn(ctx, (uint64_t)sqlite3_column_int64(q, 0), note ? note : "");
        if (rc) {
            sqlite3_reset(q);
            return rc;
        }
    }
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? ET_OK : db_error(s, rc, err, "checkpoints");
}

static int sq_meta_get(struct et_store *st, const char *key, char **value,
                       struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_META_GET, &q, err);

    *value = NULL;
    if (rc)
        return rc;
    bind_str(q, 1, key);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *value = et__strdup((const char *)sqlite3_column_text(q, 0));
        sqlite3_reset(q);
        return *value ? ET_OK : et_error_set(err, ET_ENOMEM, "out of memory");
    }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE)
        return et_error_set(err, ET_ENOTFOUND, "no %s in store", key);
    return db_error(s, rc, err, "read metadata");
}

static int sq_meta_put(struct et_store *st, const char *key, const char *value,
                       struct et_error *err)
{
    struct sqlite_store *s = S(st);
    sqlite3_stmt *q;
    int rc = get_stmt(s, S_META_PUT, &q, err);

    if (rc)
        return rc;
    bind_str(q, 1, key);
    bind_str(q, 2, value);
    return step_done(s, q, err, "write metadata");
}

const struct et_store_ops et__sqlite_ops = {
    .name = "sqlite",
    .abi = ET_STORE_ABI,
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .head_load = sq_head_load,
    .head_save = sq_head_save,
    .append = sq_append,
    .read_range = sq_read_range,
    .exec_seqs = sq_exec_seqs,
    .exec_for_seq = sq_exec_for_seq,
    .leaves = sq_leaves,
    .exec_resolve = sq_exec_resolve,
    .exec_get = sq_exec_get,
    .exec_exists = sq_exec_exists,
    .exec_put = sq_exec_put,
    .action_put = sq_action_put,
    .actions_get = sq_actions_get,
    .action_last = sq_action_last,
    .list_put = sq_list_put,
    .agent_action_put = sq_agent_action_put,
    .agent_binding = sq_agent_binding,
    .agent_bind = sq_agent_bind,
    .lists_clear = sq_lists_clear,
    .cred_put = sq_cred_put,
    .security_add = sq_security_add,
    .fts_put = sq_fts_put,
    .session_touch = sq_session_touch,
    .exec_list = sq_exec_list,
    .projection_reset = sq_projection_reset,
    .projection_snapshot = et__sqlite_projection_snapshot,
    .projection_diff = et__sqlite_projection_diff,
    .projection_digest = et__sqlite_projection_digest,
    .projection_scratch = et__sqlite_projection_scratch,
    .report_digest = et__sqlite_report_digest,
    .checkpoint_put = sq_checkpoint_put,
    .checkpoint_each = sq_checkpoint_each,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .dialect = &et__sqlite_dialect,
    .text_dense = et__sqlite_text_dense,
    .query_run = et__sqlite_query_run,
    .query_explain = et__sqlite_query_explain,
    .search = et__sqlite_search,
    .agent_stats = et__sqlite_agent_stats,
    .issues_put = et__sqlite_issues_put,
    .agent_history = et__sqlite_agent_history,
    .signature_count = et__sqlite_signature_count,
    .top_signatures = et__sqlite_top_signatures,
    .similar = et__sqlite_similar,
    .failures = et__sqlite_failures,
    .exec_texts = et__sqlite_exec_texts,
    .rollup_add = et__sqlite_rollup_add,
    .rollup_read = et__sqlite_rollup_read,
    .rollup_hist = et__sqlite_rollup_hist,
    .issue_rollup_add = et__sqlite_issue_rollup_add,
    .issues_top = et__sqlite_issues_top,
    .ret_scan = et__sqlite_ret_scan,
    .exec_forget = et__sqlite_exec_forget,
    .payload_set = et__sqlite_payload_set,
    .rstate_put = et__sqlite_rstate_put,
    .rstate_del = et__sqlite_rstate_del,
    .rstate_get = et__sqlite_rstate_get,
    .rstate_each = et__sqlite_rstate_each,
    .note_put = et__sqlite_note_put,
    .note_each = et__sqlite_note_each,
};

/* The connection, for the query dialect (query_sqlite.c). */
sqlite3 *et__sqlite_db(struct et_store *st)
{
    return S(st)->db;
}

/* A cached statement slot for report_sqlite.c (finalized on close). */
sqlite3_stmt **et__sqlite_report_slot(struct et_store *st, int i)
{
    return &S(st)->report_stmt[i];
}

int et__sqlite_cached(struct et_store *st, int i, const char *sql,
                      sqlite3_stmt **out, struct et_error *err)
{
    sqlite3_stmt **slot = &S(st)->report_stmt[i];

    ET_ASSERT(i >= 0 && i < ET_SQLITE_CACHED_STMTS);
    if (!*slot) {
        int rc = sqlite3_prepare_v3(S(st)->db, sql, -1,
                                    SQLITE_PREPARE_PERSISTENT, slot, NULL);

        if (rc != SQLITE_OK)
            return et__sqlite_fail(S(st)->db, rc, err, "prepare");
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    *out = *slot;
    return ET_OK;
}
