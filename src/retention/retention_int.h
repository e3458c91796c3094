/* SPDX-License-Identifier: MIT */
/*
 * Retention's private pieces shared by policy.c, plan.c, archive.c,
 * erase.c and schedule.c.
 */
#ifndef ET_RETENTION_RETENTION_INT_H
#define ET_RETENTION_RETENTION_INT_H

#include "exectrail/retention.h"
#include "base/buf.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"

/* Parse "<N>_<unit>"; ET_EINPUT with why filled. */
int et__ret_duration_parse(const char *s, int64_t *ns_out, char *why,
                           size_t why_cap);
bool et__ret_task_known(const char *task);

/* Classify one scanned row at at_ns into item. */
void et__ret_classify(const struct et_ret_policy *p,
                      const struct et_store_ret_row *r, int64_t at_ns,
                      struct et_ret_item *it);

/* An expired execution chosen for a run. */
struct et__ret_pick {
    char id[37];
    enum et_ret_class rule;
    int64_t start_ns; /* 0 when unknown */
};

/*
 * Write the bundle for ids[0..n) to path (a new file, fsynced, then its
 * directory), with a fresh signed checkpoint covering every event.
 */
ET_NODISCARD int et__archive_write(struct et_trail *t, const char *path,
                                   const struct et__ret_pick *picks, size_t n,
                                   const struct et_ret_run_opts *o,
                                   struct et_error *err);
/* Verify a bundle and return its execution ids (caller frees *ids_out
 * with et__free). */
ET_NODISCARD int et__archive_ids(struct et_trail *t, const char *path,
                                 char (**ids_out)[37], size_t *n_out,
                                 struct et_archive_report *rep,
                                 struct et_error *err);

/* et_archive_verify over a bundle in memory, checked against the key in
 * its own manifest (for the fuzz target). */
ET_NODISCARD int et__archive_verify_mem(const uint8_t *data, size_t size,
                                        struct et_archive_report *rep,
                                        struct et_error *err);

/* Erase executions picks[0..n) (payloads and projections) under one
 * transaction per batch, naming bundle. */
ET_NODISCARD int et__ret_erase(struct et_trail *t,
                               const struct et_ret_policy *p,
                               const struct et__ret_pick *picks, size_t n,
                               const char *bundle, const char *run_id,
                               const struct et_ret_run_opts *o,
                               uint64_t *events_out, struct et_error *err);

/* Append one retention event (no execution) in its own transaction. */
ET_NODISCARD int et__ret_note(struct et_trail *t, const char *type,
                              struct json_object *body, struct et_error *err);

#endif /* ET_RETENTION_RETENTION_INT_H */
