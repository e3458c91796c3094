/* SPDX-License-Identifier: MIT */
/*
 * Where a trail's keys live: beside a SQLite file, or in the local data
 * directory for a server store (PostgreSQL). Used by trail.c and
 * migrate.c.
 */
#ifndef ET_TRAIL_TRAIL_DIR_H
#define ET_TRAIL_TRAIL_DIR_H

#include <stddef.h>
#include "exectrail/error.h"

ET_NODISCARD int et__trail_dir_for(const char *db, char *out, size_t cap,
                                   struct et_error *err);

#endif /* ET_TRAIL_TRAIL_DIR_H */
