/* SPDX-License-Identifier: MIT */
/*
 * The verification record (docs/REPORTS.md, "Verified figures"): what the
 * last `exectrail verify` found at which tree head, signed by the trail's
 * key, so that a report can say whether its figures were verified without
 * verifying again.
 */
#ifndef ET_TRAIL_VERIFIED_H
#define ET_TRAIL_VERIFIED_H

#include "trail/trail_int.h"

enum et__vpart {
    ET_VPART_FAILED = 0,
    ET_VPART_OK = 1,
    ET_VPART_UNCHECKED = 2, /* projections: --no-projections */
};

/*
 * Record, outside any transaction, that verify found ledger (and
 * projections) at the head of size and root. Written in its own short
 * write transaction with a digest of the report tables, only when the
 * head is still that one and the signing key is here; a projections result
 * is recorded only over a ledger result at the same head. Best effort:
 * never changes what verify reports (a read-only or busy store is fine).
 */
void et__verified_note(struct et_trail *t, uint64_t size,
                       const uint8_t root[ET_HASH_LEN], enum et__vpart ledger,
                       enum et__vpart projections);

struct et__vstatus {
    /* "verified", "ledger_verified", "failed", "altered", "stale",
     * "invalid", "not_checked" */
    const char *status;
    char message[256];
    char checked_at[40]; /* RFC 3339, or "" */
    uint64_t size;       /* the recorded head's size (0 when none) */
};

/* Inside a transaction: the status of the figures computed at head. */
ET_NODISCARD int et__verified_status(struct et_trail *t,
                                     const struct et_tree *head,
                                     struct et__vstatus *out,
                                     struct et_error *err);

#endif /* ET_TRAIL_VERIFIED_H */
