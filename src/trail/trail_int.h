/* SPDX-License-Identifier: MIT */
/*
 * The trail's private state, its write units (txn.c), the projection of
 * one event (project.c), redaction and classification (security.c) and
 * the derived-list table (capture.c). The ingest pipeline above them
 * (src/ingest/pipeline.h) appends events: begin -> event... -> commit.
 */
#ifndef ET_TRAIL_TRAIL_INT_H
#define ET_TRAIL_TRAIL_INT_H

#include <limits.h>
#include <json-c/json.h>

#include "exectrail/trail.h"
#include "base/buf.h"
#include "codec/json.h"
#include "store/store.h"

#define ET_EVENT_VERSION 1

struct et__acfg;
struct et_trail;

/* A completion hook: id has just completed inside the current write
 * transaction; trigger names the writer ("complete", "hook", ...). */
typedef int et__complete_fn(struct et_trail *t, const char *id,
                            const char *trigger, struct et_error *err);

struct et__derive_table;

struct et_trail {
    struct et_store *st;
    char path[PATH_MAX];
    char dir[PATH_MAX];
    struct et_tree tree;      /* valid inside a write transaction */
    bool in_ingest;
    bool in_batch;            /* units are savepoints of one transaction */
    struct et_tree unit_tree; /* tree head at the start of a unit */
    struct et_signer signer;  /* loaded on first use */
    bool has_signer;
    char verifier[256];
    struct et_buf scratch;    /* event bytes */
    struct et_buf scratch2;   /* projection docs */
    struct et__security *sec; /* redactor and classifier, on first use */
    /* derived-list table (capture.c): config.yaml capture: merged over the
     * built-in rules, on first use; NULL = the built-in table */
    struct et__derive_table *capture;
    char *capture_settings; /* the effective section, for the ledger */
    char capture_warning[512];
    bool is_capture_loaded;
    bool is_analysis_off;     /* et_trail_set_analysis(t, false) */
    const char *trigger;      /* the writer, for the completion hook
                                 ("hook"; NULL: "complete") */
    /* what runs when an execution completes (et__ingest_completed): the
     * analysis registers itself here when the trail opens, so no writer
     * below it calls it; with its state and how to free that */
    et__complete_fn *on_complete;
    struct et__acfg *acfg; /* config.yaml analysis:, on first use */
    void (*acfg_free)(struct et__acfg *c);
    /* executions erased in this transaction, forgotten by the projections
     * in one batch (et__ret_forget_flush) */
    char (*gone)[37];
    size_t n_gone, cap_gone;
    /* retention keeps every execution a transaction erases for one
     * forget (no flush every few thousand): a month partition whose
     * executions all go is then dropped whole (et__ret_erase) */
    bool gone_whole;
    /* completed executions whose actions changed in the event being
     * projected (a late action, a binding that moved actions): the
     * completion hook runs again for them (et__ingest_event) */
    char (*redo)[37];
    size_t n_redo, cap_redo;
};

/*
 * A write unit: et__unit_begin opens a write transaction and loads the tree
 * head (inside a batch: a savepoint); et__unit_commit saves the tree head
 * and commits durably (rolls back on failure); et__unit_abort undoes the
 * unit. Writers open units through et__ingest_begin (src/ingest/), which
 * adds the config events; rebuild opens one directly.
 */
ET_NODISCARD int et__unit_begin(struct et_trail *t, struct et_error *err);
ET_NODISCARD int et__unit_commit(struct et_trail *t, struct et_error *err);
void et__unit_abort(struct et_trail *t);

/* How a lower part of the trail has an event appended without depending
 * on the pipeline: the pipeline hands it this (body borrowed). */
typedef int et__emit_fn(struct et_trail *t, const char *type,
                        struct json_object *body, struct et_error *err);

/* Authorised erasure (erasure.c): add body.auth, a signature over the
 * erased seqs (body.seqs) and their leaf hashes (leaves: hex strings). */
ET_NODISCARD int et__erasure_sign(struct et_trail *t, const char *id,
                                  struct json_object *body,
                                  struct json_object *leaves,
                                  struct et_error *err);
/* ET_OK when body.auth verifies, ET_ENOTFOUND when there is none,
 * ET_EINTEGRITY (why says what) when it does not. */
ET_NODISCARD int et__erasure_check(struct et_trail *t, const char *id,
                                   struct json_object *body, char *why,
                                   size_t cap);

/*
 * A batch: one write transaction holding many write units. Inside it,
 * et__unit_begin/commit/abort open, keep or undo one unit (a savepoint
 * and the tree head with it); et__batch_commit saves the head and commits
 * everything durably, et__batch_abort undoes everything. Bulk paths use it
 * to pay one durable commit per batch, not per unit.
 */
ET_NODISCARD int et__batch_begin(struct et_trail *t, struct et_error *err);
ET_NODISCARD int et__batch_commit(struct et_trail *t, struct et_error *err);
void et__batch_abort(struct et_trail *t);

/* Apply one stored event to the projection tables (also used by rebuild). */
ET_NODISCARD int et__project(struct et_trail *t, uint64_t seq,
                             const char *type, const char *execution_id,
                             int64_t ts_ns, struct json_object *body,
                             struct et_error *err);

/*
 * Retention events (src/trail/retention_project.c): legal holds, runs and
 * the schedule go to the retention state table; retention.erased removes
 * the execution from every projection (batched: consecutive erasures are
 * forgotten together by et__ret_forget_flush, which et__project and
 * et__unit_commit call first); retention.restored projects the
 * execution's events again from the ledger.
 */
ET_NODISCARD int et__project_retention(struct et_trail *t, uint64_t seq,
                                       const char *type,
                                       const char *execution_id,
                                       int64_t ts_ns, struct json_object *body,
                                       struct et_error *err);
ET_NODISCARD int et__ret_forget_flush(struct et_trail *t,
                                      struct et_error *err);

/* Load the signing key (for checkpoints) or the verifier. */
ET_NODISCARD int et__trail_signer(struct et_trail *t, struct et_error *err);

/*
 * One execution as the spec's record: its stored document, its actions as
 * execution.actions_taken and the output lists the actions imply (a list
 * the record gives is kept as given). Runs inside the caller's
 * transaction. *rec_out is caller-owned (json_object_put). meta (may be
 * NULL) receives the projection's state and agent name.
 */
struct et__record_meta {
    char state[16];
    char agent[256];
};
ET_NODISCARD int et__record_load(struct et_trail *t, const char *id,
                                 struct json_object **rec_out,
                                 struct et__record_meta *meta,
                                 struct et_error *err);

/*
 * Adapter from store rows to the public summaries: pass
 * et__summary_row as the et_exec_row_fn and a struct et__summary_cb as its
 * context, and each row reaches cb->fn as a struct et_exec_summary.
 */
struct et__summary_cb {
    et_exec_fn *fn;
    void *ctx;
};
int et__summary_row(void *ctx, const struct et_exec_row *r);

/*
 * Redaction and classification (security.c). et__trail_security loads the
 * redactor and the `security:` config once (write: create the key file if
 * absent); et__security_begin also has emit append a config.changed event
 * when the
 * redaction settings differ from the last recorded ones;
 * et__security_redact redacts body in place; et__security_project fills
 * exec_credentials and security_relevant from one event.
 */
struct et__security;
ET_NODISCARD int et__trail_security(struct et_trail *t, bool write,
                                    struct et_error *err);
void et__security_free(struct et__security *s);
ET_NODISCARD int et__security_begin(struct et_trail *t, et__emit_fn *emit,
                                    struct et_error *err);
/*
 * The derived-list table (capture.c; borrowed until the trail closes; NULL
 * is the built-in table). et__capture_begin records a config.warning (bad
 * capture: section) or config.changed (a new effective section) event.
 */
const struct et__derive_table *et__trail_capture(struct et_trail *t);
ET_NODISCARD int et__capture_begin(struct et_trail *t, et__emit_fn *emit,
                                   struct et_error *err);
void et__capture_free(struct et_trail *t);
ET_NODISCARD int et__security_redact(struct et_trail *t,
                                     struct json_object *body,
                                     struct et_error *err);
ET_NODISCARD int et__security_project(struct et_trail *t, uint64_t seq,
                                      const char *type, const char *id,
                                      struct json_object *body,
                                      struct et_error *err);

/*
 * A keyed digest of identifier s (HMAC-SHA-256 under the installation's
 * redaction key, ET_KEYED_ID_HEX hex characters; plain SHA-256 when the
 * trail has no key), for state keys that must not hold the identifier
 * itself (the hook's correlation state names sessions this way). Inside a
 * write unit (the unit loads the key).
 */
#define ET_KEYED_ID_HEX 32
void et__keyed_id(struct et_trail *t, const char *s,
                  char out[ET_KEYED_ID_HEX + 1]);

/* Redact secrets quoted from the input in err->msg; returns rc. */
int et__scrub_error(struct et_trail *t, int rc, struct et_error *err);


/*
 * Open a trail without completion hooks (the public et_trail_open, in
 * src/analysis/api.c, is this plus the analysis hook). Same contract as
 * et_trail_open.
 */
ET_NODISCARD int et__trail_open(const char *db, unsigned flags,
                                struct et_trail **out, int *created_out,
                                struct et_error *err);


#endif /* ET_TRAIL_TRAIL_INT_H */
