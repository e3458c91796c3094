/* SPDX-License-Identifier: MIT */
/*
 * Notes and human scores (docs/NOTES.md): free-form text appended to the
 * ledger, alone (a free-form note, e.g. a graphiti-memory episode) or
 * attached to an execution, and a human score of an execution kept beside
 * the automatic quality score, never over it. Both are ledger events
 * (`execution.note`, `execution.scored`): append-only, hashed, searchable.
 *
 * Thread safety: as trail.h.
 */
#ifndef ET_EXECTRAIL_NOTE_H
#define ET_EXECTRAIL_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits (bytes) of a note's parts. */
#define ET_NOTE_TEXT_MAX  (1024 * 1024)
#define ET_NOTE_FIELD_MAX 512 /* author, source, name, group, uuid, a tag */
#define ET_NOTE_TAGS_MAX  64

/* A note. Every pointer is borrowed for the call. */
struct et_note {
    const char *execution_id; /* NULL: a free-form note; else an id or a
                               * unique prefix of at least 4 characters */
    const char *text;         /* required, not empty, UTF-8 */
    const char *author;       /* may be NULL */
    const char *const *tags;  /* n_tags strings, none empty */
    size_t n_tags;
    const char *source;   /* where it came from; NULL = "api" */
    const char *group_id; /* a group (graphiti's group_id); may be NULL */
    const char *name;     /* a title (graphiti's episode name) */
    const char *source_description;
    const char *uuid; /* NULL = a new UUID v4 */
};

/*
 * Append one `execution.note` event (redacted like every event) in one
 * durable transaction. uuid_out (may be NULL) receives the note's uuid
 * (at most ET_NOTE_FIELD_MAX bytes with the NUL when given by the caller,
 * so pass ET_NOTE_FIELD_MAX bytes). Returns ET_OK; ET_EINPUT (err names the
 * field: "text: must not be empty", "tags[2]: must not be empty"; nothing
 * stored); ET_ENOTFOUND (no such execution); ET_EEXIST (a note or score
 * with that uuid exists); or a store error.
 */
ET_API ET_NODISCARD int et_trail_note(struct et_trail *t,
                                      const struct et_note *n, char *uuid_out,
                                      struct et_error *err);

/* A human score of one execution. Every pointer is borrowed. */
struct et_score {
    const char *execution_id; /* required: an id or a unique prefix */
    double score;             /* in [0, 1], the scale of the automatic
                               * quality score (docs/ANALYSIS.md) */
    const char *reason;       /* may be NULL */
    const char *scorer;       /* may be NULL */
    const char *source;       /* NULL = "api" */
    const char *uuid;         /* NULL = a new UUID v4 */
};

/*
 * Append one `execution.scored` event. The automatic quality_metrics are
 * not changed: show gives both (docs/NOTES.md). Same returns as
 * et_trail_note; a score outside [0, 1] or not finite is ET_EINPUT
 * ("score: expected a number in [0, 1], got 1.5").
 */
ET_API ET_NODISCARD int et_trail_score(struct et_trail *t,
                                       const struct et_score *s, char *uuid_out,
                                       struct et_error *err);

enum et_note_kind { ET_NOTE_ANY = 0, ET_NOTE_TEXT = 1, ET_NOTE_SCORE = 2 };

/* Which notes to read: every field narrows (zero/NULL: no filter). */
struct et_note_query {
    const char *execution_id; /* a full id */
    const char *uuid;
    const char *const *groups; /* any of these groups (at most 64) */
    size_t n_groups;
    enum et_note_kind kind;
    bool is_free_only; /* only notes of no execution */
    const char *words; /* full text: every word must occur */
    size_t words_len;
    const char *mark_open; /* snippet marks; NULL = "[" and "]" */
    const char *mark_close;
    size_t limit; /* 0 = all */
};

/* One note or score; strings borrowed for the callback only. */
struct et_note_info {
    uint64_t seq;           /* its ledger event */
    int64_t ts_ns;          /* when it was recorded */
    enum et_note_kind kind; /* ET_NOTE_TEXT or ET_NOTE_SCORE */
    const char *uuid;
    const char *execution_id; /* NULL for a free-form note */
    const char *group_id;     /* NULL when none */
    const char *name;         /* NULL when none */
    const char *source;
    const char *source_description;
    const char *text;    /* the note, or the score's reason (may be
                          * NULL for a score) */
    const char *author;  /* the author or the scorer; may be NULL */
    double score;        /* a score's value, -1 for a note */
    const char *snippet; /* with words: the match, marked */
    const char *json;    /* the event body as stored (JSON text) */
    size_t json_len;
};

typedef int et_note_fn(void *ctx, const struct et_note_info *n);

/*
 * The notes matching q, newest first (best match first when q->words is
 * set); a non-zero return from fn stops and is returned. Do not call other
 * trail functions from fn. ET_EINPUT when words has no searchable word.
 */
ET_API ET_NODISCARD int et_trail_notes(struct et_trail *t,
                                       const struct et_note_query *q,
                                       et_note_fn *fn, void *ctx,
                                       struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_NOTE_H */
