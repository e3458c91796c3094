/* SPDX-License-Identifier: MIT */
/*
 * Retention (docs/RETENTION.md): the spec's policy (retention.yaml), the
 * planner, legal holds, archive bundles that prove themselves, erasure that
 * keeps the ledger's proofs, and the cleanup schedule.
 *
 * Thread safety: as struct et_trail (one thread at a time per trail).
 */
#ifndef ET_EXECTRAIL_RETENTION_H
#define ET_EXECTRAIL_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The four classes of the spec's policy, in the policy file's key order. */
enum et_ret_class {
    ET_RET_SUCCESSFUL = 0,   /* successful_executions */
    ET_RET_FAILED = 1,       /* failed_executions */
    ET_RET_HIGH_QUALITY = 2, /* high_quality_executions */
    ET_RET_SECURITY = 3,     /* security_relevant */
    ET_RET_CLASS_COUNT
};

/* The schedule's periods and the tasks they run. */
enum et_ret_period {
    ET_RET_DAILY = 0,
    ET_RET_WEEKLY = 1,
    ET_RET_MONTHLY = 2,
    ET_RET_QUARTERLY = 3,
    ET_RET_PERIOD_COUNT
};

#define ET_RET_TASK_MAX 40

struct et_ret_policy {
    int64_t keep_ns[ET_RET_CLASS_COUNT];    /* how long each class is kept */
    char keep_text[ET_RET_CLASS_COUNT][24]; /* as written, e.g. "90_days" */
    /* the task each period runs ("" = none): remove_temp_logs,
     * archive_old_executions, generate_summary_reports, full_audit_review */
    char task[ET_RET_PERIOD_COUNT][ET_RET_TASK_MAX];
    int64_t temp_max_age_ns; /* remove_temp_logs: files older than this */
    bool from_file;          /* false: the defaults (no retention.yaml) */
    char source[256];        /* the file, or "defaults" */
};

/* The class key of the policy file ("successful_executions", ...). */
ET_API const char *et_ret_class_name(enum et_ret_class c);
ET_API const char *et_ret_period_name(enum et_ret_period p);

/* The spec's defaults: 90 days, 180 days, 365 days, 2 years. */
ET_API void et_ret_policy_defaults(struct et_ret_policy *p);
/*
 * Parse a policy document (YAML text; name is used in messages). ET_EINPUT
 * with err->msg "NAME:LINE:COL: ..." naming the bad key or value.
 */
ET_API ET_NODISCARD int et_ret_policy_parse(const char *yaml, size_t len,
                                            const char *name,
                                            struct et_ret_policy *out,
                                            struct et_error *err);
/* The trail's policy: <data dir>/retention.yaml, else the defaults. */
ET_API ET_NODISCARD int et_ret_policy_load(struct et_trail *t,
                                           struct et_ret_policy *out,
                                           struct et_error *err);

enum et_ret_action {
    ET_RET_KEEP = 0,   /* not yet expired */
    ET_RET_HOLD = 1,   /* expired or not, on legal hold: kept */
    ET_RET_EXPIRE = 2, /* archive, then erase */
};

/* One execution in a plan. Strings valid during the callback. */
struct et_ret_item {
    char execution_id[37];
    enum et_ret_action action;
    unsigned classes;        /* bit (1 << enum et_ret_class) per class */
    enum et_ret_class rule;  /* the class whose duration applies */
    int64_t ref_ns;          /* the time its age counts from */
    int64_t expires_ns;      /* ref_ns + the rule's duration */
    const char *hold_reason; /* when held */
    char why[160];           /* one line: the reason for the action */
    int64_t start_ns;        /* the execution's start, 0 when unknown */
};

struct et_ret_counts {
    uint64_t executions, keep, hold, expire;
};

typedef int et_ret_item_fn(void *ctx, const struct et_ret_item *it);

/*
 * What retention would do at time at_ns (0 = now): every execution with its
 * classes, rule, expiry and action, oldest first; fn may be NULL.
 */
ET_API ET_NODISCARD int et_ret_plan(struct et_trail *t,
                                    const struct et_ret_policy *p,
                                    int64_t at_ns, et_ret_item_fn *fn,
                                    void *ctx, struct et_ret_counts *out,
                                    struct et_error *err);

/* Legal holds: kept whatever the policy says, until unheld. id may be a
 * unique prefix. ET_ENOTFOUND for an unknown execution; ET_ESTATE when
 * unholding an execution that is not held. */
ET_API ET_NODISCARD int et_ret_hold(struct et_trail *t, const char *id,
                                    const char *reason, char id_out[37],
                                    struct et_error *err);
ET_API ET_NODISCARD int et_ret_unhold(struct et_trail *t, const char *id,
                                      const char *reason, char id_out[37],
                                      struct et_error *err);

struct et_ret_run_opts {
    int64_t at_ns;   /* 0 = now */
    bool dry_run;    /* plan and count only */
    const char *dir; /* where bundles go (NULL = <data dir>/archive) */
    /* called now and then while archiving and erasing (may be NULL) */
    void (*on_progress)(void *ctx, const char *phase, uint64_t done,
                        uint64_t total);
    void *ctx;
};

struct et_ret_run_result {
    struct et_ret_counts counts;
    uint64_t archived; /* executions written to the bundle */
    uint64_t erased;   /* executions erased */
    uint64_t events_erased;
    bool resumed;      /* an interrupted run was completed first */
    char bundle[1024]; /* the bundle written ("" if none) */
};

/*
 * Archive every expired execution into a new bundle (written, fsynced and
 * verified), then erase them in one transaction. A run that was killed is
 * completed by the next one (docs/RETENTION.md, "crash safety").
 */
ET_API ET_NODISCARD int et_ret_run(struct et_trail *t,
                                   const struct et_ret_policy *p,
                                   const struct et_ret_run_opts *o,
                                   struct et_ret_run_result *out,
                                   struct et_error *err);

/*
 * Erase one execution on request (`exectrail erase`): like a retention
 * run's erasure, its payloads become NULL, the leaf hashes stay (verify
 * and proofs keep working), and a signed retention.erased event with rule
 * "user" records the reason; no bundle is written. id may be a unique
 * prefix; id_out gets the full id and *events_out (may be NULL) the number
 * of payloads erased. ET_EUSAGE without a reason, ET_ENOTFOUND for an
 * unknown (or already erased) execution, ET_ESTATE for one under legal hold.
 */
ET_API ET_NODISCARD int et_ret_erase(struct et_trail *t, const char *id,
                                     const char *reason, char id_out[37],
                                     uint64_t *events_out,
                                     struct et_error *err);

/* ---- archive bundles ---- */

struct et_archive_entry {
    const char *execution_id;
    const char *agent_name;      /* may be NULL */
    const char *verification;    /* may be NULL */
    const char *timestamp_start; /* may be NULL */
    size_t n_events;
    const char *record; /* the record's JSON text */
    size_t record_len;
};
typedef int et_archive_fn(void *ctx, const struct et_archive_entry *e);

struct et_archive_report {
    uint64_t executions, events;
    uint64_t tree_size;
    char origin[128];
    char created[32];
    /* on failure: the record at fault ("" when none) and the problem */
    char bad_execution[37];
    char problem[256];
};

/*
 * Verify a bundle alone: every frame decompresses, every event's bytes are
 * proven by its inclusion proof against the signed checkpoint, the
 * checkpoint's signature verifies with key_text (a verifier key as printed
 * by `exectrail init`; NULL = the trail's own key, which then needs t), and
 * every record equals what its events project to. ET_EINTEGRITY with
 * report naming the record; ET_EINPUT when the file is not a bundle.
 */
ET_API ET_NODISCARD int et_archive_verify(struct et_trail *t, const char *path,
                                          const char *key_text,
                                          struct et_archive_report *rep,
                                          struct et_error *err);
/* Each record of a bundle (not verified: see et_archive_verify). */
ET_API ET_NODISCARD int et_archive_list(const char *path, et_archive_fn *fn,
                                        void *ctx, struct et_error *err);
/* The records of a bundle matching a query (docs/QUERY.md). */
ET_API ET_NODISCARD int et_archive_search(const char *path, const char *query,
                                          et_archive_fn *fn, void *ctx,
                                          struct et_error *err);

struct et_archive_restore_result {
    uint64_t restored; /* executions brought back */
    uint64_t present;  /* already in the store: left alone */
    uint64_t events;   /* event payloads refilled */
};
/*
 * Bring a verified bundle's executions back into the trail: erased payloads
 * are refilled (checked against their leaf hashes, so byte-identical) and
 * re-projected, under one retention.restored event each. Executions still
 * in the store are left alone, so restoring twice changes nothing.
 */
ET_API ET_NODISCARD int
et_archive_restore(struct et_trail *t, const char *path, const char *key_text,
                   struct et_archive_restore_result *out, struct et_error *err);

/* ---- the schedule ---- */

struct et_ret_task_result {
    enum et_ret_period period;
    const char *task;
    bool due;
    bool ran;
    int64_t last_ns;  /* when it last ran (0 = never) */
    char detail[256]; /* what it did */
};
typedef int et_ret_task_fn(void *ctx, const struct et_ret_task_result *r);

/*
 * The cleanup schedule at at_ns (0 = now): each period is due when it has
 * never run or its last run is a day / 7 days / a calendar month / a
 * calendar quarter old. With run_due, runs what is due and records it
 * (a retention.task event). fn gets one result per period.
 */
ET_API ET_NODISCARD int et_ret_schedule(struct et_trail *t,
                                        const struct et_ret_policy *p,
                                        int64_t at_ns, bool run_due,
                                        et_ret_task_fn *fn, void *ctx,
                                        struct et_error *err);

/* A time for --at: RFC 3339 (any offset) or a date YYYY-MM-DD (midnight
 * UTC). ET_EINPUT when it is neither. */
ET_API ET_NODISCARD int et_ret_parse_time(const char *s, int64_t *ns_out,
                                          struct et_error *err);

/* The data directory of the trail (borrowed). */
ET_API const char *et_trail_dir(const struct et_trail *t);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_RETENTION_H */
