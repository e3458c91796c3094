/* SPDX-License-Identifier: MIT */
/*
 * SQLite: the notes table (migration 13), one row per execution.note or
 * execution.scored event, read back by execution, uuid, group or kind, and
 * searched through the full-text index (rowid = the event's seq) with
 * every user value bound.
 */
#include "base/setup.h"
#include "store/sqlite/note_sqlite.h"
#include "store/sqlite/query_sqlite.h"

#include <sqlite3.h>

static int fail(sqlite3 *db, int rc, struct et_error *err)
{
    return et__sqlite_fail(db, rc, err, "notes");
}

int et__sqlite_note_put(struct et_store *st, const struct et_store_note_row *r,
                        struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO notes(seq, uuid, kind, "
                                "execution_id, group_id, ts_ns, doc) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?)",
                                -1, &q, NULL);

    if (rc != SQLITE_OK)
        return fail(db, rc, err);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)r->seq);
    sqlite3_bind_text(q, 2, r->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, r->kind, -1, SQLITE_STATIC);
    if (r->execution_id)
        sqlite3_bind_text(q, 4, r->execution_id, -1, SQLITE_STATIC);
    if (r->group_id)
        sqlite3_bind_text(q, 5, r->group_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, r->ts_ns);
    sqlite3_bind_text64(q, 7, r->doc, r->doc_len, SQLITE_STATIC, SQLITE_UTF8);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? ET_OK : fail(db, rc, err);
}

/* The statement for f: text parameters in order in v (n of them). */
static int note_sql(const struct et_store_note_filter *f, struct et_buf *sql,
                    struct et_buf *match, struct et_sqlparam *v, size_t *n,
                    struct et_error *err)
{
    int rc;

#define ADD(s)                 \
 do {                          \
  if (!rc)                     \
   rc = et_buf_addstr(sql, s); \
 } while (0)
#define BIND(str)          \
 do {                      \
  v[*n].s = (str);         \
  v[*n].len = strlen(str); \
  (*n)++;                  \
 } while (0)
    *n = 0;
    rc = ET_OK;
    if (f->words) {
        rc = et__sqlite_fts_words(f->words, f->words_len, match, err);
        if (rc)
            return rc;
        ADD("SELECT n.seq, n.uuid, n.kind, n.execution_id, n.group_id, "
            "n.ts_ns, n.doc, snippet(fts, 1, ?, ?, '...', 16) FROM fts JOIN "
            "notes n ON n.seq = fts.rowid WHERE fts MATCH ?");
        BIND(f->mark_open ? f->mark_open : "[");
        BIND(f->mark_close ? f->mark_close : "]");
        v[*n].s = match->ptr;
        v[*n].len = match->len;
        (*n)++;
    } else {
        ADD("SELECT n.seq, n.uuid, n.kind, n.execution_id, n.group_id, "
            "n.ts_ns, n.doc, NULL FROM notes n WHERE 1");
    }
    if (f->execution_id) {
        ADD(" AND n.execution_id = ?");
        BIND(f->execution_id);
    }
    if (f->uuid) {
        ADD(" AND n.uuid = ?");
        BIND(f->uuid);
    }
    if (f->kind) {
        ADD(" AND n.kind = ?");
        BIND(f->kind);
    }
    if (f->is_free_only)
        ADD(" AND n.execution_id IS NULL");
    for (size_t i = 0; i < f->n_groups; i++) {
        ADD(i ? ", ?" : " AND n.group_id IN (?");
        BIND(f->groups[i]);
    }
    if (f->n_groups)
        ADD(")");
    ADD(f->words ? " ORDER BY fts.rank, n.seq DESC LIMIT ?"
                 : " ORDER BY n.seq DESC LIMIT ?");
#undef ADD
#undef BIND
    return rc ? et_error_set(err, rc, "out of memory") : ET_OK;
}

int et__sqlite_note_each(struct et_store *st,
                         const struct et_store_note_filter *f,
                         et_store_note_fn *fn, void *ctx, struct et_error *err)
{
    sqlite3 *db = et__sqlite_db(st);
    struct et_buf sql = ET_BUF_INIT, match = ET_BUF_INIT;
    struct et_sqlparam v[8 + 64];
    sqlite3_stmt *q = NULL;
    size_t n = 0;
    int rc, s = SQLITE_DONE;

    if (f->n_groups > 64)
        return et_error_set(err, ET_EINPUT, "at most 64 groups at once");
    memset(v, 0, sizeof(v));
    rc = note_sql(f, &sql, &match, v, &n, err);
    if (!rc) {
        s = sqlite3_prepare_v2(db, et_buf_str(&sql), -1, &q, NULL);
        if (s != SQLITE_OK)
            rc = fail(db, s, err);
    }
    for (size_t i = 0; !rc && i < n; i++)
        sqlite3_bind_text64(q, (int)i + 1, v[i].s, v[i].len, SQLITE_STATIC,
                            SQLITE_UTF8);
    if (!rc)
        sqlite3_bind_int64(q, (int)n + 1,
                           f->limit ? (sqlite3_int64)f->limit : -1);
    while (!rc && (s = sqlite3_step(q)) == SQLITE_ROW) {
        struct et_store_note_row r;

        r.seq = (uint64_t)sqlite3_column_int64(q, 0);
        r.uuid = (const char *)sqlite3_column_text(q, 1);
        r.kind = (const char *)sqlite3_column_text(q, 2);
        r.execution_id = (const char *)sqlite3_column_text(q, 3);
        r.group_id = (const char *)sqlite3_column_text(q, 4);
        r.ts_ns = sqlite3_column_int64(q, 5);
        r.doc = (const char *)sqlite3_column_text(q, 6);
        r.doc_len = (size_t)sqlite3_column_bytes(q, 6);
        r.snippet = (const char *)sqlite3_column_text(q, 7);
        rc = fn(ctx, &r);
    }
    if (!rc && s != SQLITE_DONE && s != SQLITE_ROW)
        rc = fail(db, s, err);
    sqlite3_finalize(q);
    et_buf_release(&sql);
    et_buf_release(&match);
    return rc;
}
