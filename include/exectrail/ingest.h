/* SPDX-License-Identifier: MIT */
/*
 * Ingest adapters: Claude Code hook inputs mapped onto executions, and the
 * durable spool and quarantine files that keep the hook path from ever
 * losing an event or blocking the agent (docs/INTEGRATIONS.md).
 */
#ifndef ET_EXECTRAIL_INGEST_H
#define ET_EXECTRAIL_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

enum et_hook_flags {
    /* stamp events with the input's "timestamp" (RFC 3339) when present,
     * not on receipt (for inputs rebuilt from transcripts) */
    ET_HOOK_INPUT_TIME = 1 << 0,
};

/* What one hook input did. */
struct et_hook_result {
    char event[48];    /* hook_event_name ("" when unknown) */
    unsigned n_events; /* ledger events appended (0: ignored or duplicate) */
    bool is_duplicate; /* already recorded earlier */
    /* a subagent's tool call that no delegation could be found for (kept
     * as a session.tool event; its Agent call is not in the trail) */
    bool is_unattached;
};

/*
 * Map one Claude Code hook input (json[0..len), a JSON object) onto the
 * trail in one durable transaction: Agent/Task PreToolUse starts and
 * delegates an execution whose id derives from tool_use_id; tool events
 * carrying agent_id become actions of that subagent's execution; the
 * Agent PostToolUse / SubagentStop respond and complete it; main-thread
 * tools become `session.tool` events. Idempotent per input. flags: enum
 * et_hook_flags.
 * res (may be NULL) is filled on every path. Returns ET_OK (also for
 * ignored events and duplicates), ET_EINPUT (malformed input: nothing
 * stored), or a store error (ET_EBUSY, ET_EUNAVAIL, ET_EIO...) after which
 * the caller should spool the input.
 */
ET_API ET_NODISCARD int et_ingest_claude_hook(struct et_trail *t,
                                              const char *json, size_t len,
                                              unsigned flags,
                                              struct et_hook_result *res,
                                              struct et_error *err);

/*
 * The data directory (where the spool and quarantine files live) for the
 * store at `db` (see et_trail_locate), written into out (cap bytes).
 */
ET_API ET_NODISCARD int et_ingest_data_dir(const char *db, char *out,
                                           size_t cap, struct et_error *err);

/*
 * Append json (one JSON text, re-encoded on one line) to
 * <dir>/hook-spool.jsonl and fsync it. ET_EINPUT if json is not JSON.
 */
ET_API ET_NODISCARD int et_ingest_spool_append(const char *dir,
                                               const char *json, size_t len,
                                               struct et_error *err);

/*
 * Append raw bytes with the reason they were refused to
 * <dir>/hook-quarantine.log (a "#quarantine <time> <len> <why>" line, the
 * bytes, a newline) and fsync it.
 */
ET_API ET_NODISCARD int et_ingest_quarantine(const char *dir, const char *raw,
                                             size_t len, const char *why,
                                             struct et_error *err);

struct et_spool_stats {
    uint64_t replayed;    /* inputs ingested (or found already recorded) */
    uint64_t quarantined; /* inputs refused as malformed */
    uint64_t remaining;   /* inputs still waiting in the spool */
};

/*
 * Replay <dir>'s spool into t, idempotently, in order. With wait false it
 * returns ET_OK at once when another process is replaying. Stops at the
 * first store error (the rest stays spooled) and returns it.
 */
ET_API ET_NODISCARD int et_ingest_spool_replay(struct et_trail *t,
                                               const char *dir, bool wait,
                                               struct et_spool_stats *st,
                                               struct et_error *err);

/*
 * Retry every quarantined input (for inputs refused by an earlier version
 * or config): those that now record are removed from the quarantine
 * (st->replayed), the rest stay (st->quarantined). Stops at the first
 * store error, keeping what is left.
 */
ET_API ET_NODISCARD int et_ingest_quarantine_replay(struct et_trail *t,
                                                    const char *dir,
                                                    struct et_spool_stats *st,
                                                    struct et_error *err);

/* Whether inputs wait in <dir>'s spool or a fallback's (a few stat calls:
 * nothing is read or locked; a replay in progress counts). */
ET_API bool et_ingest_spool_pending(const char *dir);


/*
 * The spool reserve: <dir>/hook-spool.reserve, a file holding space
 * allocated up front (posix_fallocate) that an append to the spool or the
 * quarantine file gives back, a piece at a time, when the disk is full.
 * Its size is $EXECTRAIL_SPOOL_RESERVE (bytes, optional K or M suffix; 0:
 * none), else ET_SPOOL_RESERVE_DEFAULT. With top_up the file is made or
 * grown back to that size (one stat when it already is; never waits for
 * another process); without, it is only looked at. *bytes_out: the bytes
 * it holds now, *target_out: the size it is kept at (both set on every
 * path). Errors: ET_EIO when the space cannot be allocated (a full disk).
 * Thread-safe (file locks).
 */
#define ET_SPOOL_RESERVE_DEFAULT (4u << 20)

ET_API ET_NODISCARD int et_ingest_spool_reserve(const char *dir, bool top_up,
                                                uint64_t *bytes_out,
                                                uint64_t *target_out,
                                                struct et_error *err);

/*
 * Where spooled inputs wait: fn is called once for the data directory
 * (even when nothing waits there) and once for each fallback spool
 * directory of <dir> that exists, in replay order, with the directory and
 * the number of inputs waiting in it (sdir borrowed for the call). A
 * non-zero return from fn stops the walk and is returned.
 */
typedef int et_spool_location_fn(const char *sdir, uint64_t spooled, void *ctx);
ET_API ET_NODISCARD int et_ingest_spool_locations(const char *dir,
                                                  et_spool_location_fn *fn,
                                                  void *ctx,
                                                  struct et_error *err);

/* How many inputs wait in the spool (all locations) and in quarantine. */
ET_API ET_NODISCARD int et_ingest_spool_status(const char *dir,
                                               uint64_t *spooled_out,
                                               uint64_t *quarantined_out,
                                               struct et_error *err);

struct et_transcript_stats {
    uint64_t files;    /* transcript files read */
    uint64_t lines;    /* lines read */
    uint64_t bytes;    /* bytes read */
    uint64_t rejected; /* lines that are not JSON objects (skipped) */
    uint64_t inputs;   /* hook inputs rebuilt from them */
    uint64_t events;   /* ledger events appended (0 on a re-import) */
    /* subagent tool calls no delegation was found for (et_hook_result's
     * is_unattached), and the distinct agents they came from */
    uint64_t unattached;
    uint64_t unattached_agents;
};

/*
 * Progress of a transcript import: called after each file read (total = 0:
 * still reading) and after each hook input recorded (done of total).
 */
typedef void et_transcript_progress_fn(void *ctx,
                                       const struct et_transcript_stats *st,
                                       uint64_t done, uint64_t total);

struct et_transcript_opts {
    et_transcript_progress_fn *on_progress; /* may be NULL */
    void *ctx;
};

/*
 * Rebuild executions from Claude Code transcripts: each path is a .jsonl
 * file or a directory searched recursively for them (a ~/.claude/projects
 * tree). Agent/Task tool_use blocks and their tool_result/toolUseResult,
 * sidechain records, subagents/agent-<id>.jsonl with agent-<id>.meta.json
 * and legacy flat agent-<id>.jsonl files become the same hook inputs the
 * live hook records, stamped with the transcript's timestamps, so an
 * import is idempotent and agrees with the live hook. Unknown record types
 * and fields are ignored. opts may be NULL. Returns ET_OK, ET_EIO
 * (unreadable path) or a store error.
 */
ET_API ET_NODISCARD int
et_ingest_claude_transcripts(struct et_trail *t, const char *const *paths,
                             size_t n_paths,
                             const struct et_transcript_opts *opts,
                             struct et_transcript_stats *st,
                             struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_INGEST_H */
