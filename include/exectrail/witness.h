/* SPDX-License-Identifier: MIT */
/*
 * Witnessing (docs/SECURITY.md, "Witnesses"): the C2SP tlog-witness
 * protocol both ways. A witness keeps, for each log it trusts, the latest
 * checkpoint it cosigned, and cosigns a new one only when a consistency
 * proof shows it extends that one: a log (or whoever holds its key) can
 * then no longer rewrite or roll back what a witness saw. `exectrail
 * serve --witness` is a witness; `exectrail checkpoint --push URL` asks
 * one for a cosignature.
 */
#ifndef ET_EXECTRAIL_WITNESS_H
#define ET_EXECTRAIL_WITNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exectrail/error.h"
#include "exectrail/ledger.h"

#ifdef __cplusplus
extern "C" {
#endif

struct et_trail;

/* ---- the witness side ---- */

/*
 * A witness directory holds its key ("key", a cosignature/v1 secret key,
 * mode 0600), the logs it trusts ("logs": one "<origin> <log verifier
 * key>" per line) and its state (state/<hex SHA-256 of the origin>: the
 * latest checkpoint it cosigned for that log, as submitted).
 *
 * et_witness_init creates dir and the key (named name; NULL: a name made
 * from the host name) unless a key is there already, and writes the
 * witness's verifier key ("<name>+<id>+<base64>") to vkey (256 bytes).
 * *created tells which (may be NULL).
 */
ET_API ET_NODISCARD int et_witness_init(const char *dir, const char *name,
                                        char *vkey, size_t cap, bool *created,
                                        struct et_error *err);
/* Trust the log whose checkpoints carry origin and are signed by vkey (a
 * log's verifier key). ET_EEXIST when that pair is trusted already. */
ET_API ET_NODISCARD int et_witness_trust(const char *dir, const char *origin,
                                         const char *vkey,
                                         struct et_error *err);

struct et_witness_log {
    const char *origin;
    const char *vkey; /* the log's verifier key */
    uint64_t size;    /* tree size of the latest cosigned checkpoint, 0 */
    bool has_state;   /* a checkpoint of this log was cosigned */
};
typedef int et_witness_log_fn(void *ctx, const struct et_witness_log *log);
/* Each trusted log with its state, in the order of the logs file. */
ET_API ET_NODISCARD int et_witness_list(const char *dir, et_witness_log_fn *fn,
                                        void *ctx, struct et_error *err);

struct et_witness;
/* Open the witness of dir (its key must exist: et_witness_init). The logs
 * file is read again at each request: a log trusted meanwhile counts. */
ET_API ET_NODISCARD int et_witness_open(const char *dir,
                                        struct et_witness **out,
                                        struct et_error *err);
ET_API void et_witness_close(struct et_witness *w);
/* The witness's verifier key (borrowed). */
ET_API const char *et_witness_vkey(const struct et_witness *w);

#define ET_WITNESS_BODY_MAX 65536 /* larger add-checkpoint bodies: 413 */

/* The HTTP answer to one add-checkpoint request. */
struct et_witness_answer {
    int status;       /* 200, 400, 403, 404, 409, 422, 500 */
    const char *type; /* Content-Type (static) */
    char body[512];   /* the cosignature line, the size, or why */
};

/*
 * POST <prefix>/add-checkpoint (C2SP tlog-witness): req[0..len) is the
 * request body ("old N", proof lines, a blank line, the checkpoint). The
 * checks run in the protocol's order; on success the new checkpoint is
 * durable before the cosignature is returned. Thread and process safe
 * (the state is updated under a lock file in dir).
 */
ET_API void et_witness_add_checkpoint(struct et_witness *w, const char *req,
                                      size_t len, struct et_witness_answer *a);

/* ---- the log side ---- */

/* A witness to push to: its submission prefix (http:// or https://;
 * "/add-checkpoint" is appended) and its verifier key
 * (et_cosigner_parse). */
struct et_witness_target {
    const char *url;
    struct et_signer key;
};

struct et_witness_push {
    uint64_t size;     /* tree size of the checkpoint cosigned */
    uint64_t old_size; /* the witness's size before */
    uint64_t time_s;   /* the cosignature's time */
    int requests;      /* HTTP requests made */
};

/*
 * Sign a checkpoint of t's current tree head and have each of the n
 * witnesses cosign it: *note_out (caller-owned, et_trail_free_string) is
 * the checkpoint with one cosignature line per witness, each verified
 * under its key (lines by other keys are dropped); reps[i] says what
 * witness i did. The first request to a witness learns the size it holds
 * (409); the next proves consistency from it. When a witness holds a
 * larger tree than the note (another push got there first), a new
 * checkpoint is signed and every witness asked again.
 *
 * ET_EINTEGRITY when a witness holds a checkpoint this trail does not
 * extend (it cosigned a larger tree than the trail has, or its tree of
 * that size has another root: the trail was rolled back, forked or
 * altered) or answers without a valid cosignature by its key;
 * ET_ENOTFOUND when one does not know this log (404: `exectrail witness
 * trust` there); ET_EUNAVAIL when libcurl cannot be loaded; ET_EIO for
 * network failures and other answers (the status and the first line of
 * the body in the message). Nothing is returned unless every witness
 * cosigned.
 */
ET_API ET_NODISCARD int et_witness_push(struct et_trail *t,
                                        const struct et_witness_target *ws,
                                        size_t n, char **note_out,
                                        struct et_witness_push *reps,
                                        struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_WITNESS_H */
