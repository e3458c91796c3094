/* SPDX-License-Identifier: MIT */
/*
 * PostgreSQL: the notes table (migration 7), one row per execution.note or
 * execution.scored event, read back by execution, uuid, group or kind, and
 * searched through the text index (fts, seq = the event's) with every user
 * value a parameter, as SQLite's note_sqlite.c. A search marks the words
 * in a fragment of the note's text with ts_headline.
 */
#include "base/setup.h"
#include "base/buf.h"
#include "store/pg/pg_int.h"

#define MAX_GROUPS 64

int et__pg_note_put(struct et_store *st, const struct et_store_note_row *r,
                    struct et_error *err)
{
    struct et_pgp p = {0};

    et__pgp_i64(&p, (int64_t)r->seq);
    et__pgp_str(&p, r->uuid);
    et__pgp_str(&p, r->kind);
    et__pgp_str(&p, r->execution_id);
    et__pgp_str(&p, r->group_id);
    et__pgp_i64(&p, r->ts_ns);
    et__pgp_bytes(&p, r->doc ? r->doc : "", r->doc ? r->doc_len : 0);
    return et__pg_run(et__pg(st), ET_PG_NOTE_PUT,
                      "INSERT INTO notes(seq, uuid, kind, execution_id, "
                      "group_id, ts_ns, doc) VALUES ($1, $2, $3, $4, $5, $6, "
                      "$7)",
                      &p, 0, NULL, err, "notes");
}

/* "$n" for the next parameter, which is s */
static int bind(struct et_buf *sql, struct et_pgp *p, const char *s)
{
    et__pgp_str(p, s);
    return et_buf_printf(sql, "$%d", p->n);
}

/* The statement for f into sql, its parameters into p. */
static int note_sql(const struct et_store_note_filter *f, struct et_buf *sql,
                    struct et_pgp *p)
{
    int rc;

    if (f->words) {
        /* every word must occur (as search); the best match first */
        rc = et_buf_addstr(sql, "WITH q AS (SELECT plainto_tsquery('simple', "
                                "regexp_replace(");
        if (!rc)
            rc = bind(sql, p, ""); /* the words: set below, bytes */
        if (!rc)
            rc = et_buf_addstr(
                sql, "::text, '[^[:alnum:]]+', ' ', 'g')) AS q) SELECT "
                     "n.seq, n.uuid, n.kind, n.execution_id, n.group_id, "
                     "n.ts_ns, n.doc, ts_headline('simple', f.body, q.q, "
                     "'StartSel=\"' || replace(");
        if (!rc)
            rc = bind(sql, p, f->mark_open ? f->mark_open : "[");
        if (!rc)
            rc = et_buf_addstr(sql,
                               "::text, '\"', '\"\"') || '\", StopSel=\"' || "
                               "replace(");
        if (!rc)
            rc = bind(sql, p, f->mark_close ? f->mark_close : "]");
        if (!rc)
            rc = et_buf_addstr(sql,
                               "::text, '\"', '\"\"') || '\", MaxWords=16, "
                               "MinWords=8, "
                               "ShortWord=0, HighlightAll=false, "
                               "MaxFragments=1, FragmentDelimiter=...'), "
                               "ts_rank(f.tsv, q.q, 2) AS rank FROM q, fts f "
                               "JOIN notes n ON n.seq = f.seq WHERE f.tsv @@ "
                               "q.q");
    } else {
        rc = et_buf_addstr(sql, "SELECT n.seq, n.uuid, n.kind, "
                                "n.execution_id, n.group_id, n.ts_ns, n.doc, "
                                "NULL FROM notes n WHERE true");
    }
    if (!rc && f->execution_id) {
        rc = et_buf_addstr(sql, " AND n.execution_id = ");
        if (!rc)
            rc = bind(sql, p, f->execution_id);
    }
    if (!rc && f->uuid) {
        rc = et_buf_addstr(sql, " AND n.uuid = ");
        if (!rc)
            rc = bind(sql, p, f->uuid);
    }
    if (!rc && f->kind) {
        rc = et_buf_addstr(sql, " AND n.kind = ");
        if (!rc)
            rc = bind(sql, p, f->kind);
    }
    if (!rc && f->is_free_only)
        rc = et_buf_addstr(sql, " AND n.execution_id IS NULL");
    for (size_t i = 0; !rc && i < f->n_groups; i++) {
        rc = et_buf_addstr(sql, i ? ", " : " AND n.group_id IN (");
        if (!rc)
            rc = bind(sql, p, f->groups[i]);
    }
    if (!rc && f->n_groups)
        rc = et_buf_addstr(sql, ")");
    if (!rc)
        rc = et_buf_addstr(sql, f->words
                                    ? " ORDER BY rank DESC, n.seq DESC LIMIT "
                                    : " ORDER BY n.seq DESC LIMIT ");
    if (!rc && f->limit) {
        char num[24];

        snprintf(num, sizeof(num), "%zu", f->limit);
        rc = et_buf_addstr(sql, num);
    } else if (!rc) {
        rc = et_buf_addstr(sql, "ALL");
    }
    return rc;
}

int et__pg_note_each(struct et_store *st, const struct et_store_note_filter *f,
                     et_store_note_fn *fn, void *ctx, struct et_error *err)
{
    struct et_buf sql = ET_BUF_INIT;
    struct et_pgp p = {0};
    PGresult *r = NULL;
    int rc;

    if (f->n_groups > MAX_GROUPS)
        return et_error_set(err, ET_EINPUT, "at most 64 groups at once");
    if (f->words && !et__pg_has_word(f->words, f->words_len))
        return et_error_set(err, ET_EINPUT,
                            "nothing to search for: give at least one word");
    rc = note_sql(f, &sql, &p);
    if (rc) {
        et_buf_release(&sql);
        return et_error_set(err, rc, "out of memory");
    }
    if (f->words) { /* the first parameter: the words, not NUL-terminated */
        p.v[0] = f->words;
        p.len[0] = (int)f->words_len;
        p.fmt[0] = 1;
    }
    rc = et__pg_run(et__pg(st), -1, et_buf_str(&sql), &p, 0, &r, err, "notes");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        struct et_store_note_row n;

        n.seq = (uint64_t)et__pg_i64(r, i, 0, 0);
        n.uuid = PQgetvalue(r, i, 1);
        n.kind = PQgetvalue(r, i, 2);
        n.execution_id = et__pg_text(r, i, 3);
        n.group_id = et__pg_text(r, i, 4);
        n.ts_ns = et__pg_i64(r, i, 5, 0);
        n.doc = PQgetvalue(r, i, 6);
        n.doc_len = (size_t)PQgetlength(r, i, 6);
        n.snippet = et__pg_text(r, i, 7);
        rc = fn(ctx, &n);
    }
    PQclear(r);
    et_buf_release(&sql);
    return rc;
}
