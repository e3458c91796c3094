/* SPDX-License-Identifier: MIT */
/*
 * The archive bundle file (docs/RETENTION.md, "bundle format"): per
 * execution a zstd skippable frame naming it and the length of the zstd
 * frame that follows with its JSON line; then the manifest's frame, then a
 * skippable frame holding the manifest's offset. `zstd -dc BUNDLE` prints
 * the JSONL. The reader is a parser of outside input: every offset, length
 * and size is checked before use.
 */
#ifndef ET_RETENTION_BUNDLE_H
#define ET_RETENTION_BUNDLE_H

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "base/buf.h"
#include "exectrail/error.h"

#define ET_BUNDLE_TRAILER_LEN 24
#define ET_BUNDLE_REC_HDR_LEN 58 /* magic, size, "ETREC1", length, id */
#define ET_BUNDLE_MAX_FRAME   ((size_t)256 << 20)

struct et_bundle_w {
    FILE *f;
    uint64_t off;
    struct et_buf z;
    void *cctx;
};

/* Writing: open (creates path exclusively), add lines, finish (manifest,
 * trailer, fsync). On failure the caller unlinks the file. */
ET_NODISCARD int et__bundle_w_open(struct et_bundle_w *w, const char *path,
                                   struct et_error *err);
/* Add one line (text without the newline) as a frame; *off_out/len_out
 * receive where it went (may be NULL). */
ET_NODISCARD int et__bundle_w_line(struct et_bundle_w *w, const char *text,
                                   size_t len, uint64_t *off_out,
                                   uint64_t *len_out, struct et_error *err);
/* Add one execution's line: its header frame, then the line's frame. */
ET_NODISCARD int et__bundle_w_record(struct et_bundle_w *w, const char *id,
                                     const char *text, size_t len,
                                     struct et_error *err);
ET_NODISCARD int et__bundle_w_finish(struct et_bundle_w *w,
                                     const char *manifest, size_t len,
                                     struct et_error *err);
void et__bundle_w_abort(struct et_bundle_w *w);

/* Reading: a bundle in memory (the file is read whole into buf). */
struct et_bundle_r {
    const uint8_t *data;
    size_t size;
    uint64_t manifest_off;
    struct json_object *manifest; /* owned */
    void *dctx;
};

/* Parse the trailer and the manifest of data[0..size) (borrowed).
 * ET_EINPUT when it is not a bundle, ET_EINTEGRITY when damaged. */
ET_NODISCARD int et__bundle_r_open(struct et_bundle_r *r, const uint8_t *data,
                                   size_t size, struct et_error *err);
/* Decompress the one frame at [off, off + len) into out (reset first). */
ET_NODISCARD int et__bundle_r_frame(struct et_bundle_r *r, uint64_t off,
                                    uint64_t len, struct et_buf *out,
                                    struct et_error *err);
/*
 * The record at *pos (start at 0): its id (from the header) and where its
 * frame is; *pos moves past it. Returns ET_OK, 1 at the end of the records
 * (the manifest), or ET_EINTEGRITY when the header at *pos is damaged.
 */
ET_NODISCARD int et__bundle_r_next(struct et_bundle_r *r, uint64_t *pos,
                                   char id_out[37], uint64_t *off_out,
                                   uint64_t *len_out, struct et_error *err);
void et__bundle_r_close(struct et_bundle_r *r);

#endif /* ET_RETENTION_BUNDLE_H */
