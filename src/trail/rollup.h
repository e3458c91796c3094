/* SPDX-License-Identifier: MIT */
/*
 * The report rollups as the projection keeps them: the contribution of one
 * execution to the quarter-hour rollup rows, the issue rollup, and the
 * duration histogram's buckets. Written by the projection (project.c,
 * retention_project.c) in the event's transaction; read by src/report/.
 */
#ifndef ET_TRAIL_ROLLUP_H
#define ET_TRAIL_ROLLUP_H

#include <stdbool.h>
#include <json-c/json.h>

#include "store/store.h"

struct et_trail;

/* Duration histogram: bucket b holds d with floor(8 * log2(d + 1)) = b, so
 * a bucket spans a factor 2^(1/8) of d + 1. */
#define ET_DUR_BUCKETS_PER_OCTAVE 8
int et__dur_bucket(int64_t duration_ms);
/* The lower bound, upper bound and reported value (geometric middle) of a
 * bucket, in ms. */
double et__dur_bucket_lo(int bucket);
double et__dur_bucket_hi(int bucket);
double et__dur_bucket_mid(int bucket);

/* One execution's contribution to the rollups. */
struct et__rollup {
    bool has; /* false: no start time, so in no report window */
    struct et_rollup_row r;
    char agent[256]; /* r.agent points here */
};

/* The contribution of the execution whose projection row is row and whose
 * stored document (the record without actions) is doc. */
void et__rollup_of(const struct et_exec_row *row, struct json_object *doc,
                   struct et__rollup *out);
/* dst's counters += sign * src's; true when any counter of dst is then
 * non-zero. */
bool et__rollup_sum(struct et_rollup_row *dst, const struct et_rollup_row *src,
                    int sign);
/* Replace old's contribution (NULL: none) with new_'s (NULL: none). Inside
 * the projection's write transaction. */
ET_NODISCARD int et__rollup_update(struct et_trail *t,
                                   const struct et__rollup *old,
                                   const struct et__rollup *new_,
                                   struct et_error *err);
/*
 * Add (sign +1) or take out (-1) the issue rollup of the issues array of
 * the execution in row (its agent and slot of start); the projection calls
 * it whenever an execution's issues are replaced (src/trail/project.c).
 */
ET_NODISCARD int et__issues_rollup(struct et_trail *t,
                                   const struct et_exec_row *row,
                                   struct json_object *issues, int sign,
                                   struct et_error *err);

#endif /* ET_TRAIL_ROLLUP_H */
