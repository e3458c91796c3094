/* SPDX-License-Identifier: MIT */
/*
 * Analysis of executions (docs/ANALYSIS.md): success criteria written in the
 * query language and evaluated against one execution, the verification
 * verdict with its evidence, quality metrics, issues with failure
 * signatures, learning insights, similar executions and per-agent
 * recommendations. Every result is appended to the ledger as an
 * `execution.analysed` event, so a verdict is itself auditable.
 *
 * Thread safety: as trail.h; the pure functions (signatures, criteria on a
 * record text) are thread-safe.
 */
#ifndef ET_EXECTRAIL_ANALYSIS_H
#define ET_EXECTRAIL_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- failure signatures ---- */

/* Room for any signature, with its NUL. */
#define ET_SIGNATURE_MAX 256

/*
 * The failure signature of error message msg (len bytes, any text): UUIDs
 * and hex ids become <id>, URLs <url>, timestamps <time>, paths <path>,
 * quoted values '<str>', free-standing numbers N; blanks collapse. With a
 * tool (may be NULL) the signature starts "tool: ". Writes at most cap
 * bytes including the NUL into out (cut on a UTF-8 boundary) and returns
 * the length. Never fails.
 */
ET_API size_t et_signature(const char *tool, const char *msg, size_t len,
                           char *out, size_t cap);

/* ---- success criteria ---- */

/*
 * Check that text is a usable success criterion: a query-language
 * predicate (docs/QUERY.md) without ORDER BY or LIMIT. ET_OK, or ET_EINPUT
 * with err naming the column and, for a bad field, the field.
 */
ET_API ET_NODISCARD int et_criterion_check(const char *text, size_t len,
                                           struct et_error *err);

/* One criterion line found in a prompt (text borrowed for the call;
 * line is 1-based in the prompt). Non-zero stops the walk. */
typedef int et_criterion_fn(void *ctx, const char *text, size_t len,
                            unsigned line);

/*
 * Walk the fenced ```success-criteria blocks of a delegated prompt: each
 * non-blank line that does not start with '#' is one criterion. A block
 * that is not closed runs to the end of the prompt. Returns ET_OK or fn's
 * non-zero value. Criteria are not checked here (see et_criterion_check).
 */
ET_API int et_criteria_from_prompt(const char *prompt, size_t len,
                                   et_criterion_fn *fn, void *ctx);

enum et_criterion_result {
    ET_CRITERION_FAILED = 0,
    ET_CRITERION_PASSED = 1,
    ET_CRITERION_UNKNOWN = 2, /* not evaluable: the data is not there */
};

/*
 * Evaluate one criterion against one spec record (JSON text as
 * `exectrail show --json` prints it). *evidence_out (may be NULL) receives
 * a caller-owned sentence saying what decided it (et_trail_free_string).
 * ET_EINPUT for a bad criterion or record.
 */
ET_API ET_NODISCARD int et_criterion_eval(const char *criterion, size_t clen,
                                          const char *record, size_t rlen,
                                          enum et_criterion_result *result_out,
                                          char **evidence_out,
                                          struct et_error *err);

/*
 * The verification block for a spec record and criteria (NULL-terminated
 * array of predicate texts; NULL or empty = the record's own criteria, and
 * the built-in defaults when it has none), as JSON text: status,
 * expected_vs_actual, success_criteria_met/_failed, confidence_score,
 * manual_verification_required and `criteria` (each with result and
 * evidence). *json_out is caller-owned (et_trail_free_string).
 */
ET_API ET_NODISCARD int et_verify_record(const char *record, size_t len,
                                         const char *const *criteria,
                                         char **json_out, struct et_error *err);

/* ---- analysis on the trail ---- */

/*
 * Turn the analysis that runs on `complete` on or off for this handle
 * (default on, unless the config file says `analysis: {enabled: false}`).
 */
ET_API void et_trail_set_analysis(struct et_trail *t, bool enabled);

enum et_verify_flags {
    /* use only the criteria given, not the execution's own */
    ET_VERIFY_ONLY_GIVEN = 1 << 0,
};

/*
 * Re-run the analysis of completed execution id (a unique prefix is fine)
 * with extra criteria (NULL-terminated, may be NULL), recorded as a new
 * `execution.analysed` event; the earlier result stays in the ledger.
 * *json_out (may be NULL) receives the new analysis as JSON (caller-owned,
 * et_trail_free_string). ET_ENOTFOUND, ET_ESTATE when not completed,
 * ET_EINPUT for a bad criterion (nothing stored).
 */
ET_API ET_NODISCARD int et_trail_verify_outcome(struct et_trail *t,
                                                const char *id,
                                                const char *const *criteria,
                                                unsigned flags, char **json_out,
                                                struct et_error *err);

/* ---- learning ---- */

struct et_similar_hit {
    const char *execution_id;
    const char *agent_name;   /* NULL when unknown */
    const char *verification; /* NULL when not verified */
    bool is_same_agent;
    double score; /* BM25 relevance, higher is better */
};

typedef int et_similar_fn(void *ctx, const struct et_similar_hit *h);

/*
 * Executions similar to id: ranked full-text (BM25) on the words of its
 * request and prompt, executions of the same agent first, then the others;
 * at most limit (0 = 10). fn's strings are borrowed for the call.
 */
ET_API ET_NODISCARD int et_similar(struct et_trail *t, const char *id,
                                   size_t limit, et_similar_fn *fn, void *ctx,
                                   struct et_error *err);

/*
 * Per-agent insights and recommendations over executions started at or
 * after since_ns (0 = all; negative = that many nanoseconds before now,
 * where now honours EXECTRAIL_NOW), for one agent or all (agent NULL), as
 * a JSON array of objects (docs/ANALYSIS.md, "Insights"). *json_out is
 * caller-owned (et_trail_free_string).
 */
ET_API ET_NODISCARD int et_insights(struct et_trail *t, const char *agent,
                                    int64_t since_ns, char **json_out,
                                    struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_ANALYSIS_H */
