/* SPDX-License-Identifier: MIT */
/*
 * The SQLite dialect of the query language (store/sqlgen.h) and running the
 * statements written in it, only as read-only statements; plus full-text
 * search and the aggregates.
 */
#ifndef ET_STORE_SQLITE_QUERY_SQLITE_H
#define ET_STORE_SQLITE_QUERY_SQLITE_H

#include <sqlite3.h>

#include "base/buf.h"
#include "store/sqlgen.h"
#include "store/store.h"

/* The dialect the query compiler writes SQLite statements in. */
extern const struct et_sql_dialect et__sqlite_dialect;

/* The FTS5 MATCH expression for user words: each word a quoted string, so
 * that no FTS5 operator can be written. ET_EINPUT when there is none. */
ET_NODISCARD int et__sqlite_fts_words(const char *words, size_t len,
                                      struct et_buf *out, struct et_error *err);

/* Prepare sql as one read-only statement and bind p (else ET_EINTERNAL:
 * a query can never change the trail). */
ET_NODISCARD int et__sqlite_prepare(sqlite3 *db, const struct et_buf *sql,
                                    const struct et_sqlparams *p,
                                    sqlite3_stmt **out, struct et_error *err);
int et__sqlite_fail(sqlite3 *db, int rc, struct et_error *err,
                    const char *what);
int64_t et__sqlite_col_i64(sqlite3_stmt *q, int i, int64_t null_value);

/* store ops (sqlite.c's table) */
/* Statements prepared once per connection (finalized on close), for
 * report_sqlite.c (slots 0-4) and analysis_sqlite.c (5-9). */
#define ET_SQLITE_REPORT_STMTS 5
#define ET_SQLITE_ANALYSIS_STMTS 5
#define ET_SQLITE_CACHED_STMTS (ET_SQLITE_REPORT_STMTS + ET_SQLITE_ANALYSIS_STMTS)
sqlite3_stmt **et__sqlite_report_slot(struct et_store *st, int i);
/* Slot i of the cached statements, prepared with sql on first use, reset
 * and unbound; a caller that steps it resets it before the next store
 * call can use it again (no callback into the store while it steps). */
ET_NODISCARD int et__sqlite_cached(struct et_store *st, int i,
                                   const char *sql, sqlite3_stmt **out,
                                   struct et_error *err);
int et__sqlite_rollup_add(struct et_store *st, const struct et_rollup_row *r,
                          int sign, struct et_error *err);
int et__sqlite_rollup_read(struct et_store *st, const char *agent,
                           int64_t from_slot, int64_t to_slot, et_rollup_fn *fn,
                           void *ctx, struct et_error *err);
int et__sqlite_rollup_hist(struct et_store *st, const char *agent,
                           int64_t from_slot, int64_t to_slot, et_bucket_fn *fn,
                           void *ctx, struct et_error *err);
int et__sqlite_issue_rollup_add(struct et_store *st,
                                const struct et_issue_rollup *r,
                                struct et_error *err);
int et__sqlite_issues_top(struct et_store *st, const char *agent,
                          int64_t from_slot, int64_t to_slot, size_t limit,
                          et_issue_group_fn *fn, void *ctx,
                          struct et_error *err);
sqlite3 *et__sqlite_db(struct et_store *st);
int et__sqlite_text_dense(struct et_store *st, const char *text, size_t len,
                          bool *dense, struct et_error *err);
int et__sqlite_query_run(struct et_store *st, const struct et_sqlstmt *s,
                         et_exec_row_fn *fn, void *ctx, struct et_error *err);
int et__sqlite_query_explain(struct et_store *st, const struct et_sqlstmt *s,
                             struct et_buf *out, struct et_error *err);
int et__sqlite_search(struct et_store *st, const struct et_store_search *s,
                      et_store_hit_fn *fn, void *ctx, struct et_error *err);
int et__sqlite_exec_texts(struct et_store *st, const char *id,
                          et_store_text_fn *fn, void *ctx,
                          struct et_error *err);
int et__sqlite_agent_stats(struct et_store *st, const struct et_sqlstmt *where,
                           et_store_agent_fn *fn, void *ctx,
                           struct et_error *err);
int et__sqlite_failures(struct et_store *st, const struct et_sqlstmt *where,
                        et_store_failure_fn *fn, void *ctx,
                        struct et_error *err);

/* analysis (analysis_sqlite.c) */
int et__sqlite_issues_put(struct et_store *st, const char *id,
                          const char *agent,
                          const struct et_store_issue_row *rows, size_t n,
                          struct et_error *err);
int et__sqlite_agent_history(struct et_store *st, const char *agent,
                             const char *exclude_id, int64_t since_ns,
                             size_t limit, et_store_history_fn *fn, void *ctx,
                             struct et_error *err);
int et__sqlite_signature_count(struct et_store *st, const char *signature,
                               int64_t since_ns, const char *exclude_id,
                               int64_t cap, int64_t *count_out,
                               int64_t *agents_out, struct et_error *err);
int et__sqlite_top_signatures(struct et_store *st, const char *agent,
                              int64_t since_ns, const char *prefix,
                              size_t limit, et_store_signature_fn *fn,
                              void *ctx, struct et_error *err);
int et__sqlite_similar(struct et_store *st, const char *id, const char *words,
                       size_t limit, et_store_hit_fn *fn, void *ctx,
                       struct et_error *err);

#endif /* ET_STORE_SQLITE_QUERY_SQLITE_H */
