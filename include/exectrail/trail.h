/* SPDX-License-Identifier: MIT */
/*
 * The trail: one store (ledger + projections) and its signing key. This is
 * the front door of libexectrail; the exectrail CLI uses nothing else.
 *
 * Thread safety: a struct et_trail is used by one thread at a time. Many
 * processes may write the same SQLite trail concurrently.
 */
#ifndef ET_EXECTRAIL_TRAIL_H
#define ET_EXECTRAIL_TRAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "exectrail/error.h"
#include "exectrail/ledger.h"

#ifdef __cplusplus
extern "C" {
#endif

struct et_trail;

enum et_open_flags {
    ET_OPEN_CREATE = 1 << 0,   /* create the data directory, store, key */
    ET_OPEN_READONLY = 1 << 1, /* never write */
};

/*
 * Where the store is: `db` if non-NULL, else $EXECTRAIL_DB, else
 * $EXECTRAIL_HOME/trail.db, else $XDG_DATA_HOME/exectrail/trail.db, else
 * ~/.local/share/exectrail/trail.db. Writes the path into out (cap bytes).
 */
ET_API ET_NODISCARD int et_trail_locate(const char *db, char *out, size_t cap,
                                        struct et_error *err);

/*
 * Open (and with ET_OPEN_CREATE, create) the trail at `db` (see
 * et_trail_locate). *out is caller-owned: et_trail_close. Returns ET_OK,
 * ET_EUNAVAIL (no store there, or it cannot be opened), ET_ESCHEMA, ET_EIO.
 * *created_out (may be NULL) tells whether a new store was made.
 */
ET_API ET_NODISCARD int et_trail_open(const char *db, unsigned flags,
                                      struct et_trail **out, int *created_out,
                                      struct et_error *err);
ET_API void et_trail_close(struct et_trail *t);
/* The resolved store path (borrowed, valid until et_trail_close). */
ET_API const char *et_trail_path(const struct et_trail *t);

/* ---- writing ---- */

/*
 * Record one complete spec record (JSON text). Validates, redacts nothing yet,
 * appends one `execution.recorded` event and its projections in one durable
 * transaction. An absent execution_id is generated. id_out receives the
 * execution_id (37 bytes). ET_EINPUT/ET_ETOOBIG for bad input (err names the
 * JSON path or byte offset; nothing is stored), ET_EEXIST when the
 * execution_id is already recorded.
 */
ET_API ET_NODISCARD int et_trail_record(struct et_trail *t, const char *json,
                                        size_t len, char id_out[37],
                                        struct et_error *err);

enum et_on_error { ET_ON_ERROR_ABORT = 0, ET_ON_ERROR_SKIP = 1 };

struct et_import_opts {
    enum et_on_error on_error;
    size_t batch_records; /* records per transaction (0 = 1000) */
    /* Called for each rejected line (may be NULL). */
    void (*on_reject)(void *ctx, uint64_t line, const struct et_error *why);
    /* Called after each committed batch (may be NULL). */
    void (*on_progress)(void *ctx, uint64_t lines, uint64_t bytes);
    void *ctx;
};

struct et_import_stats {
    uint64_t lines;     /* non-empty lines read */
    uint64_t recorded;  /* records stored */
    uint64_t rejected;  /* lines rejected */
    uint64_t actions;   /* actions stored */
    uint64_t bytes;     /* input bytes read */
};

/*
 * Import JSONL (one spec record per line) from `in`, in batched
 * transactions. With ET_ON_ERROR_ABORT the first bad line stops the import:
 * the records before it are stored (a prefix of the input), nothing after
 * it; with ET_ON_ERROR_SKIP bad lines are reported through
 * on_reject and skipped. Returns ET_OK, ET_EINPUT (aborted on a bad line; err
 * says "line N: ..."), or a store error.
 */
ET_API ET_NODISCARD int et_trail_import(struct et_trail *t, FILE *in,
                                        const struct et_import_opts *opts,
                                        struct et_import_stats *stats_out,
                                        struct et_error *err);

/*
 * The lifecycle. Each takes a JSON object fragment (see docs/CLI.md):
 *   start:    {session_id, main_agent_context, agent_metadata,
 *              timestamp_start?, execution_id?, parent_execution_id?, ...}
 *   delegate: the spec's "delegation" object
 *   action:   one action object, or an array of them
 *   respond:  the spec's "output" object
 *   complete: {timestamp_end?, verification?, quality_metrics?, issues?,
 *              learning?, execution?: {real_time_status, resource_usage}}
 * ET_ENOTFOUND for an unknown id, ET_ESTATE when the phase is out of order
 * (e.g. an action after complete).
 */
ET_API ET_NODISCARD int et_trail_start(struct et_trail *t, const char *json,
                                       size_t len, char id_out[37],
                                       struct et_error *err);
ET_API ET_NODISCARD int et_trail_delegate(struct et_trail *t, const char *id,
                                          const char *json, size_t len,
                                          struct et_error *err);
ET_API ET_NODISCARD int et_trail_action(struct et_trail *t, const char *id,
                                        const char *json, size_t len,
                                        uint64_t *n_recorded_out,
                                        struct et_error *err);
ET_API ET_NODISCARD int et_trail_respond(struct et_trail *t, const char *id,
                                         const char *json, size_t len,
                                         struct et_error *err);
ET_API ET_NODISCARD int et_trail_complete(struct et_trail *t, const char *id,
                                          const char *json, size_t len,
                                          struct et_error *err);

/*
 * Batches (group commit): et_trail_batch_begin opens one write transaction
 * (it takes the store's write lock, waiting as a write does) in which each
 * later write call on t (record, the lifecycle, hooks, OTLP; not import,
 * which batches by itself) is a unit of its own: a call that fails undoes
 * only its own events, as it would outside a batch, and the batch goes on.
 * Nothing of the batch is durable, or visible to other handles, before
 * et_trail_batch_commit returns ET_OK: it saves the tree head and commits
 * every unit at once, with one durable sync; on failure everything of the
 * batch is rolled back. et_trail_batch_abort rolls it all back.
 *
 * A write that meets a store failure it cannot undo (SQLite may roll the
 * whole transaction back after an I/O error) rolls the batch back with it:
 * et_trail_in_batch then turns false, and et_trail_batch_commit fails with
 * ET_EIO, so units already done are never claimed stored. Only those write
 * calls belong in a batch: reads, verify, checkpoints, proofs, spool and
 * quarantine replays and imports open transactions of their own and must
 * not be called on t while it is open. begin returns ET_ESTATE when a batch
 * is open already.
 */
ET_API ET_NODISCARD int et_trail_batch_begin(struct et_trail *t,
                                             struct et_error *err);
ET_API ET_NODISCARD int et_trail_batch_commit(struct et_trail *t,
                                              struct et_error *err);
ET_API void et_trail_batch_abort(struct et_trail *t);
/* A batch is open on t (begun, and neither committed nor rolled back). */
ET_API bool et_trail_in_batch(const struct et_trail *t);

/* ---- reading ---- */

enum et_show_flags { ET_SHOW_PRETTY = 1 << 0 };

/*
 * The spec record of one execution as JSON text (the spec's shape and key
 * order; see docs/RECORD.md). id may be a unique prefix of at least 4
 * characters. *json_out is caller-owned (et_trail_free_string).
 */
ET_API ET_NODISCARD int et_trail_show(struct et_trail *t, const char *id,
                                      unsigned flags, char **json_out,
                                      size_t *len_out, struct et_error *err);
ET_API void et_trail_free_string(char *s);

struct et_exec_summary {
    char execution_id[37];
    const char *session_id;   /* borrowed for the callback's duration */
    const char *agent_name;
    const char *state;        /* started, delegated, running, responded, completed */
    const char *verification; /* NULL when not verified */
    int64_t start_ns;
    int64_t duration_ms;      /* -1 when unknown */
    int64_t n_actions;
    int64_t n_failed_actions;
};

typedef int et_exec_fn(void *ctx, const struct et_exec_summary *s);

/* Executions, newest first; stops early when fn returns non-zero (that
 * value is returned). limit 0 = all. */
ET_API ET_NODISCARD int et_trail_list(struct et_trail *t, size_t limit,
                                      et_exec_fn *fn, void *ctx,
                                      struct et_error *err);

/* ---- integrity ---- */

struct et_verify_report {
    uint64_t events;         /* events checked */
    uint64_t erased;         /* events whose payload was erased by policy */
    uint64_t checkpoints;    /* stored checkpoints checked */
    /* the first erasure by policy, e.g. "execution X erased by policy
     * successful_executions at T (event N)"; "" when none */
    char erased_note[200];
    uint8_t root[ET_HASH_LEN];
    /* When verification fails: */
    int64_t bad_seq;         /* first bad sequence number, -1 if none */
    char bad_execution[37];  /* its execution, "" if unknown */
    char problem[256];
};

/*
 * Recompute every leaf hash from the stored event bytes, check sequence
 * numbers and the events' own seq fields, rebuild the tree and compare it
 * with the stored tree head and every stored signed checkpoint. When
 * checkpoint_note is non-NULL, also prove that the current log extends that
 * checkpoint (saved earlier, anywhere). Returns ET_OK or ET_EINTEGRITY
 * (report says where), or a store error.
 */
ET_API ET_NODISCARD int et_trail_verify(struct et_trail *t,
                                        const char *checkpoint_note,
                                        size_t note_len,
                                        struct et_verify_report *report,
                                        struct et_error *err);

/*
 * Recompute every projection (executions, actions, lists, sessions, search
 * index, security, issues, credentials, report rollups, retention state)
 * from the ledger inside a transaction that is rolled back, and compare
 * them with what is stored: ET_EINTEGRITY with the first differing table
 * and row in err (and where, when non-NULL). Needs a writable store (the
 * scratch rebuild is never committed).
 */
ET_API ET_NODISCARD int et_trail_verify_projections(struct et_trail *t,
                                                    struct et_error *err);

/* Sign and store a checkpoint of the current tree head. *note_out is
 * caller-owned (et_trail_free_string). */
ET_API ET_NODISCARD int et_trail_checkpoint(struct et_trail *t, char **note_out,
                                            struct et_error *err);

/*
 * The stored checkpoint of the largest tree size (the newest of those), as
 * signed: *note_out is caller-owned (et_trail_free_string), NULL when no
 * checkpoint was ever signed. Reads only; the note is not verified here
 * (et_checkpoint_verify, or et_trail_verify, does that).
 */
ET_API ET_NODISCARD int et_trail_latest_checkpoint(struct et_trail *t,
                                                   char **note_out,
                                                   struct et_error *err);

/*
 * Inclusion proofs of every event of execution `id` against the current
 * tree head, with a fresh signed checkpoint, as JSON (docs/LEDGER.md).
 */
ET_API ET_NODISCARD int et_trail_proof(struct et_trail *t, const char *id,
                                       char **json_out, struct et_error *err);

/*
 * A consistency proof (RFC 9162 2.1.4) that the current log extends the
 * log of its first old_size events unchanged, against a freshly signed
 * checkpoint, as JSON: old_size, old_root, tree_size, root_hash,
 * consistency_proof (hex hashes), checkpoint, verifier_key (docs/LEDGER.md).
 * ET_EINPUT when old_size is 0 or larger than the log. *json_out is
 * caller-owned (et_trail_free_string).
 */
ET_API ET_NODISCARD int et_trail_consistency_proof(struct et_trail *t,
                                                   uint64_t old_size,
                                                   char **json_out,
                                                   struct et_error *err);

/*
 * The consistency proof (RFC 9162 2.1.4) from the tree of the first m
 * events to the tree of the first n, into proof (room for ET_PROOF_MAX
 * hashes; *n_proof of them; none when m is 0 or m == n). ET_EINPUT when
 * m > n, a store error when the trail holds fewer than n events. What
 * `checkpoint --push URL` sends a witness.
 */
ET_API ET_NODISCARD int
et_trail_consistency_hashes(struct et_trail *t, uint64_t m, uint64_t n,
                            uint8_t (*proof)[ET_HASH_LEN], size_t *n_proof,
                            struct et_error *err);

/* Drop and recreate every projection table from the ledger. */
ET_API ET_NODISCARD int et_trail_rebuild(struct et_trail *t,
                                         uint64_t *events_out,
                                         struct et_error *err);
/* The same, calling on_progress (may be NULL) every 10,000 events and once
 * at the end with the events replayed so far and the ledger's size. */
typedef void et_rebuild_progress_fn(void *ctx, uint64_t done, uint64_t total);
ET_API ET_NODISCARD int
et_trail_rebuild_progress(struct et_trail *t,
                          et_rebuild_progress_fn *on_progress, void *ctx,
                          uint64_t *events_out, struct et_error *err);

/*
 * Copy the trail at src to the empty store dst (another backend: a SQLite
 * path or a postgresql:// connection string): every ledger row as stored,
 * the identity and the signed checkpoints, then rebuild dst's projections
 * and prove the copy (the same tree size and root as src's head, and a
 * full verification of dst). The signing and fingerprint keys are copied
 * to dst's key directory when it has none. ET_EEXIST when dst already
 * holds events or different keys; ET_EINTEGRITY when the copy does not
 * prove; else a store error. rep is filled as far as the copy got.
 */
struct et_migrate_report {
    uint64_t events;      /* ledger rows copied */
    uint64_t checkpoints; /* signed checkpoints copied */
    uint64_t rebuilt;     /* events replayed into dst's projections */
    uint64_t size;        /* tree size of the copy (= src's) */
    uint8_t root[ET_HASH_LEN]; /* tree root of the copy (= src's) */
};
ET_API ET_NODISCARD int et_trail_migrate(const char *src, const char *dst,
                                         struct et_migrate_report *rep,
                                         struct et_error *err);

/* The verifier key text (borrowed). */
ET_API const char *et_trail_verifier_key(struct et_trail *t);

/* ---- credentials (docs/SECURITY.md) ---- */

/* One credential fingerprint: the redaction kind ("input" for the whole
 * text) and the keyed fingerprint stored in [REDACTED:kind:fingerprint]. */
typedef int et_fingerprint_fn(void *ctx, const char *kind,
                              const char *fingerprint);

/*
 * The fingerprints a secret would have in this trail: that of the whole
 * text (trailing newlines removed), then that of every secret the
 * redaction rules find inside it. Needs the installation's key
 * (redact.key): ET_ENOTFOUND without it. fn's strings are borrowed for
 * the call.
 */
ET_API ET_NODISCARD int et_trail_fingerprints(struct et_trail *t,
                                              const char *text, size_t len,
                                              et_fingerprint_fn *fn,
                                              void *ctx, struct et_error *err);

ET_API const char *et_version(void);
/*
 * Check that json[0..len) is one strict JSON text (RFC 8259, valid UTF-8,
 * no NUL, no duplicate keys, within the default limits). ET_OK, or
 * ET_EINPUT / ET_ETOOBIG with err->msg naming the byte offset.
 */
ET_API ET_NODISCARD int et_json_check(const char *json, size_t len,
                                      struct et_error *err);
/* A new random (version 4) UUID in lower case, from getrandom(2). */
ET_API ET_NODISCARD int et_uuid_new(char out[37]);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_TRAIL_H */
