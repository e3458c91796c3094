/* SPDX-License-Identifier: MIT */
/* The SQLite side of notes and human scores (note_sqlite.c). */
#ifndef ET_STORE_SQLITE_NOTE_SQLITE_H
#define ET_STORE_SQLITE_NOTE_SQLITE_H

#include "store/store.h"

int et__sqlite_note_put(struct et_store *st, const struct et_store_note_row *r,
                        struct et_error *err);
int et__sqlite_note_each(struct et_store *st,
                         const struct et_store_note_filter *f,
                         et_store_note_fn *fn, void *ctx, struct et_error *err);

#endif /* ET_STORE_SQLITE_NOTE_SQLITE_H */
