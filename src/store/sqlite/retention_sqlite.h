/* SPDX-License-Identifier: MIT */
/*
 * The SQLite side of retention: the planner's scan, forgetting erased
 * executions in every projection table, payload erasure and refill, legal
 * holds and the retention bookkeeping table.
 */
#ifndef ET_STORE_SQLITE_RETENTION_SQLITE_H
#define ET_STORE_SQLITE_RETENTION_SQLITE_H

#include "store/store.h"

int et__sqlite_ret_scan(struct et_store *st, et_store_ret_fn *fn, void *ctx,
                        struct et_error *err);
int et__sqlite_exec_forget(struct et_store *st, const char *const *ids,
                           size_t n, struct et_error *err);
int et__sqlite_payload_set(struct et_store *st, uint64_t seq, const char *body,
                           size_t len, bool *changed, struct et_error *err);
int et__sqlite_rstate_put(struct et_store *st, const char *key,
                          const char *value, uint64_t seq,
                          struct et_error *err);
int et__sqlite_rstate_del(struct et_store *st, const char *key,
                          struct et_error *err);
int et__sqlite_rstate_get(struct et_store *st, const char *key, char **value,
                          struct et_error *err);
int et__sqlite_rstate_each(struct et_store *st, const char *prefix,
                           et_store_kv_fn *fn, void *ctx, struct et_error *err);

#endif /* ET_STORE_SQLITE_RETENTION_SQLITE_H */
