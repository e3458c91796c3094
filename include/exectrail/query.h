/* SPDX-License-Identifier: MIT */
/*
 * The query language (docs/QUERY.md): compile a query once, then run it over
 * a trail, explain it, test one execution against it, follow the ledger
 * with it, or feed it to the aggregates. Also the ranked full-text search.
 *
 * Queries compile to parameterised SQL: values are always bound, never
 * spliced into the statement, and only read-only statements are run.
 *
 * Thread safety: a compiled struct et_query is immutable and may be shared
 * between threads; the trail it runs on follows trail.h's rules.
 */
#ifndef ET_EXECTRAIL_QUERY_H
#define ET_EXECTRAIL_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

struct et_query;

/*
 * Compile query text (len bytes; UTF-8). now_ns anchors relative times
 * ("since:7d"); 0 means the current time. *out is caller-owned
 * (et_query_free). Returns ET_OK, ET_EINPUT with err naming the column of
 * the offending token ("unexpected ')' at column 17", "unknown field 'foo'
 * at column 5 (did you mean ...?)"), or ET_ENOMEM. An empty query matches
 * every execution.
 */
ET_API ET_NODISCARD int et_query_parse(const char *text, size_t len,
                                       int64_t now_ns, struct et_query **out,
                                       struct et_error *err);
ET_API void et_query_free(struct et_query *q);

/* The checked query as an S-expression, e.g.
 * `(in verification.status "ERROR" "MISMATCH")`. *text_out is
 * caller-owned (et_trail_free_string). */
ET_API ET_NODISCARD int et_query_describe(const struct et_query *q,
                                          char **text_out,
                                          struct et_error *err);

/*
 * Run q over the trail: fn is called once per matching execution, in the
 * query's ORDER BY (default: newest first); a non-zero return from fn stops
 * the run and is returned. limit (0 = none) caps the rows on top of the
 * query's own LIMIT. The summary's strings are borrowed for the call only.
 * Do not call other trail functions from fn (collect ids, then show them,
 * or use et_query_records).
 */
ET_API ET_NODISCARD int et_query_run(struct et_trail *t,
                                     const struct et_query *q, size_t limit,
                                     et_exec_fn *fn, void *ctx,
                                     struct et_error *err);

/* Called with one execution_id (borrowed for the call only). */
typedef int et_id_fn(void *ctx, const char *execution_id);

/* Like et_query_run, but only the ids: the cheapest way to get the whole
 * answer (the database can often answer from its indexes alone). */
ET_API ET_NODISCARD int et_query_ids(struct et_trail *t,
                                     const struct et_query *q, size_t limit,
                                     et_id_fn *fn, void *ctx,
                                     struct et_error *err);

/* Called with one spec record (as `exectrail show --json` prints it). The
 * text is borrowed for the call only. */
typedef int et_record_fn(void *ctx, const char *json, size_t len);

/* Like et_query_run, but with each matching execution's full spec record
 * (flags: enum et_show_flags). */
ET_API ET_NODISCARD int et_query_records(struct et_trail *t,
                                         const struct et_query *q, size_t limit,
                                         unsigned flags, et_record_fn *fn,
                                         void *ctx, struct et_error *err);

/* Does execution `id` (full id) match q (ORDER BY/LIMIT ignored)?
 * ET_ENOTFOUND when there is no such execution. */
ET_API ET_NODISCARD int et_query_match(struct et_trail *t,
                                       const struct et_query *q, const char *id,
                                       bool *match_out, struct et_error *err);

/* How q runs: the checked query, the SQL, its bound parameters and the
 * database's plan. *text_out is caller-owned (et_trail_free_string). */
ET_API ET_NODISCARD int et_query_explain(struct et_trail *t,
                                         const struct et_query *q, size_t limit,
                                         char **text_out, struct et_error *err);

/* ---- full-text search ---- */

struct et_search_hit {
    const char *execution_id;
    const char *agent_name; /* NULL when unknown */
    double score;        /* BM25 relevance of the execution, higher is better */
    int64_t n_events;    /* events of the execution that match */
    uint64_t seq;        /* the event this snippet is from */
    const char *snippet; /* text around the match, matches marked */
};

typedef int et_search_fn(void *ctx, const struct et_search_hit *hit);

struct et_search_opts {
    size_t max_executions;  /* 0 = 20 */
    size_t max_snippets;    /* per execution, 0 = 3 */
    const char *mark_open;  /* NULL = "[" */
    const char *mark_close; /* NULL = "]" */
    /* When more events match, only the newest max_events matching events
     * are ranked (0 = 50000; docs/QUERY.md "Search") */
    size_t max_events;
};

/*
 * Every word of `words` (whitespace-separated; punctuation splits words)
 * must occur in the execution's text: request, prompt, response, action
 * inputs/outputs/errors, paths, issues. Executions come best first, each
 * with up to max_snippets hits (fn once per hit, grouped by execution).
 * ET_EINPUT when words has no searchable word.
 */
ET_API ET_NODISCARD int et_search(struct et_trail *t, const char *words,
                                  size_t len, const struct et_search_opts *o,
                                  et_search_fn *fn, void *ctx,
                                  struct et_error *err);

/* ---- aggregates (the spec's analytics) ---- */

struct et_agent_stats {
    const char *agent_name; /* NULL for executions without one */
    int64_t executions;
    int64_t completed;
    int64_t match, partial, mismatch, error, unverified;
    double success_rate;     /* match / verified; -1 when none verified */
    double avg_duration_ms;  /* -1 when unknown */
    int64_t max_duration_ms; /* -1 when unknown */
    int64_t actions;
    int64_t failed_actions;
};

typedef int et_agent_stats_fn(void *ctx, const struct et_agent_stats *s);

/* Per agent, most executions first, over the executions matching filter
 * (NULL = all). */
ET_API ET_NODISCARD int et_stats_agents(struct et_trail *t,
                                        const struct et_query *filter,
                                        et_agent_stats_fn *fn, void *ctx,
                                        struct et_error *err);

struct et_failure_pattern {
    const char *status;    /* verification status, or "UNVERIFIED" */
    const char *signature; /* "Bash: exit status N" (numbers, ids, paths
                            * normalised), or "(no error recorded)" */
    int64_t count;
    size_t n_agents;        /* distinct agents */
    const char *agents;     /* up to 5 of them, comma-separated */
    const char *example_id; /* the newest execution with this pattern */
};

typedef int et_failure_fn(void *ctx, const struct et_failure_pattern *p);

/*
 * Failure patterns: executions whose verification is MISMATCH or ERROR or
 * that have a failed action, grouped by status and the normalised first
 * error (a failed action's error, else the first ERROR issue), most
 * frequent first; at most limit patterns (0 = all).
 */
ET_API ET_NODISCARD int et_stats_failures(struct et_trail *t,
                                          const struct et_query *filter,
                                          size_t limit, et_failure_fn *fn,
                                          void *ctx, struct et_error *err);

/* The slowest executions matching filter (NULL = all), slowest first. */
ET_API ET_NODISCARD int et_stats_slowest(struct et_trail *t,
                                         const struct et_query *filter,
                                         size_t limit, et_exec_fn *fn,
                                         void *ctx, struct et_error *err);

/* ---- following the ledger (exectrail watch) ---- */

struct et_event {
    uint64_t seq;
    const char *type;         /* "execution.started", "action.recorded" ... */
    const char *execution_id; /* NULL for events of no execution */
    int64_t ts_ns;
    const char *json; /* the event as stored; NULL once erased */
    size_t json_len;
};

typedef int et_event_fn(void *ctx, const struct et_event *ev);

/* The number of events in the ledger (one cheap read). */
ET_API ET_NODISCARD int et_trail_size(struct et_trail *t, uint64_t *size_out,
                                      struct et_error *err);

/*
 * Call fn for each event with seq >= from, in order, whose execution
 * matches filter as it stands now (NULL = every event with an execution).
 * *next_out receives the seq to continue from.
 */
ET_API ET_NODISCARD int et_query_follow(struct et_trail *t,
                                        const struct et_query *filter,
                                        uint64_t from, et_event_fn *fn,
                                        void *ctx, uint64_t *next_out,
                                        struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_QUERY_H */
