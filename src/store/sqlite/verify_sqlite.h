/* SPDX-License-Identifier: MIT */
/*
 * verify --projections on SQLite: a keyed digest of every projection
 * table before and after the rebuild (the fast path); to name a row,
 * snapshot every projection table into
 * TEMP tables, and after the projections were rebuilt from the ledger (in
 * the same write transaction, rolled back afterwards) name the first row
 * that differs.
 */
#ifndef ET_STORE_SQLITE_VERIFY_SQLITE_H
#define ET_STORE_SQLITE_VERIFY_SQLITE_H

#include "store/store.h"

int et__sqlite_projection_scratch(struct et_store *st, bool on,
                                  struct et_error *err);
int et__sqlite_projection_digest(struct et_store *st, const uint8_t key[32],
                                 bool rebuilt, uint8_t out[32],
                                 struct et_error *err);
int et__sqlite_report_digest(struct et_store *st, uint8_t out[32],
                             struct et_error *err);
int et__sqlite_projection_snapshot(struct et_store *st, struct et_error *err);
int et__sqlite_projection_diff(struct et_store *st, char *where, size_t cap,
                               struct et_error *err);

#endif /* ET_STORE_SQLITE_VERIFY_SQLITE_H */
