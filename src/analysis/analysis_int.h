/* SPDX-License-Identifier: MIT */
/*
 * Private parts of the analysis module: criteria evaluated in memory
 * against one execution (eval.c), the verdict (verify.c), quality, issues
 * and learning (assess.c), the step that runs on complete (analyse.c).
 * docs/ANALYSIS.md documents every rule and threshold.
 */
#ifndef ET_ANALYSIS_ANALYSIS_INT_H
#define ET_ANALYSIS_ANALYSIS_INT_H

#include <json-c/json.h>

#include "base/buf.h"
#include "exectrail/analysis.h"

struct et_query;
struct et_trail;

/* One execution as the evaluator sees it. */
struct et__subject {
    struct json_object *rec; /* spec record, actions in
                              * execution.actions_taken (borrowed) */
    const char *state;       /* NULL: "completed" */
};

/* Evaluate a compiled criterion; evidence (may be NULL) gets a sentence. */
enum et_criterion_result et__criterion_eval(const struct et_query *q,
                                            const struct et__subject *s,
                                            struct et_buf *evidence);

/* Compile one criterion (rejects ORDER BY / LIMIT). */
ET_NODISCARD int et__criterion_compile(const char *text, size_t len,
                                       int64_t now_ns, struct et_query **out,
                                       struct et_error *err);

/*
 * Compiled criteria kept between analyses (on the trail's analysis
 * config): the same few texts (the defaults, an agent's configured ones)
 * are compiled once instead of at every completion. A criterion whose
 * meaning depends on the time ("now", "7d") is compiled each time.
 */
struct et__qcache;
struct et__qcache *et__qcache_new(void);
void et__qcache_free(struct et__qcache *qc);
/* *q is text compiled; *is_cached says it belongs to qc (NULL: none) and
 * must not be freed, else the caller frees it. */
ET_NODISCARD int et__criterion_get(struct et__qcache *qc, const char *text,
                                   int64_t now_ns, struct et_query **q,
                                   bool *is_cached, struct et_error *err);

/* Is action a failed one (success false, or an error without success)? */
bool et__action_failed(struct json_object *a);

/* ---- verification ---- */
enum et__source {
    ET_SRC_GIVEN,   /* verify-outcome --expect */
    ET_SRC_START,   /* start --expect: main_agent_context.success_criteria */
    ET_SRC_PROMPT,  /* a success-criteria block in the prompt */
    ET_SRC_CONFIG,  /* config.yaml analysis.criteria */
    ET_SRC_DEFAULT, /* built in */
};

struct et__criterion {
    const char *text; /* borrowed */
    enum et__source source;
};

struct et__criteria {
    struct et__criterion *v;
    size_t n, cap;
    struct json_object *own; /* texts copied out of prompts */
};

void et__criteria_release(struct et__criteria *c);
/* Add unless already there (same text after trimming). */
ET_NODISCARD int et__criteria_add(struct et__criteria *c, const char *text,
                                  enum et__source src);
/* The record's own criteria (start, prompt) appended to c. */
ET_NODISCARD int et__criteria_of_record(struct et__criteria *c,
                                        struct json_object *rec);
/* The built-in defaults, when c is empty. */
ET_NODISCARD int et__criteria_defaults(struct et__criteria *c);

/* Results of one verification (filled by et__verify). */
struct et__verdict {
    const char *status; /* MATCH PARTIAL MISMATCH ERROR */
    size_t passed, failed, unknown, broken;
    bool errored; /* the execution itself errored */
    bool only_defaults;
    double pass_rate; /* passed / evaluable, -1 when none */
};

/*
 * Verify subject against criteria: returns the verification object
 * (caller-owned json) in *out and the counts in *v.
 */
ET_NODISCARD int et__verify(struct et__qcache *qc,
                            const struct et__subject *s,
                            const struct et__criteria *c, int64_t now_ns,
                            struct json_object **out, struct et__verdict *v,
                            struct et_error *err);

/* What the execution's agent did before (from the store). */
struct et__history {
    size_t n;                  /* completed executions looked at */
    double median_duration_ms; /* -1 when unknown */
    double median_actions;     /* -1 when unknown */
    size_t verified, matched;
};

/* Thresholds (docs/ANALYSIS.md; config.yaml analysis.thresholds). */
struct et__thresholds {
    double accuracy_high, accuracy_medium;     /* pass rate */
    double efficiency_high, efficiency_medium; /* ratio to median */
    int64_t new_agent_min_history;
    int64_t default_duration_high_ms, default_duration_medium_ms;
    int64_t default_actions_high, default_actions_medium;
    int64_t timeout_ms;
    int64_t history_window; /* executions for the rolling median */
    int64_t recurring_days; /* window for repeated signatures */
};

void et__thresholds_default(struct et__thresholds *th);

/* quality_metrics object for subject (caller-owned) */
struct json_object *et__quality(const struct et__subject *s,
                                const struct et__verdict *v,
                                const struct et__history *h,
                                const struct et__thresholds *th);

/* Numeric score of a level (HIGH 1, MEDIUM 0.5, LOW 0, else -1). */
double et__level_score(const char *level);

/* ---- config.yaml `analysis:` (config.c) ---- */
struct et__acfg;
/* Load and check the section from dir/config.yaml (absent: defaults). */
ET_NODISCARD int et__acfg_load(const char *dir, struct et__acfg **out,
                               struct et_error *err);
void et__acfg_free(struct et__acfg *c);
/* The defaults, standing in for a section that failed to load with the
 * message why (ET_ENOMEM, *out NULL, when memory ran out). */
ET_NODISCARD int et__acfg_defaults(const char *why, struct et__acfg **out);
/* The message a default configuration stands in for, or NULL. */
const char *et__acfg_warning(const struct et__acfg *c);
bool et__acfg_enabled(const struct et__acfg *c);
const struct et__thresholds *et__acfg_thresholds(const struct et__acfg *c);
/* The config's compiled-criteria cache (NULL when it has none). */
struct et__qcache *et__acfg_qcache(struct et__acfg *c);
/* The agent's configured criteria, then those for every agent. */
ET_NODISCARD int et__acfg_criteria(const struct et__acfg *c, const char *agent,
                                   struct et__criteria *out);
/* The trail's section, loaded on first use (cached on the trail). */
ET_NODISCARD int et__acfg_of(struct et_trail *t, struct et__acfg **out,
                             struct et_error *err);

/* Run the whole analysis of execution id inside the current write
 * transaction and append the execution.analysed event. */
struct et__analyse_opts {
    const char *const *given; /* extra criteria (NULL-terminated) */
    bool only_given;
    const char *trigger; /* "complete", "verify-outcome", "record" */
};
ET_NODISCARD int et__analyse(struct et_trail *t, const char *id,
                             const struct et__analyse_opts *o,
                             struct json_object **result_out,
                             struct et_error *err);

#endif /* ET_ANALYSIS_ANALYSIS_INT_H */
