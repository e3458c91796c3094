/* SPDX-License-Identifier: MIT */
/*
 * The figures of a report (figures.c) over the period the rollups were
 * read for (report.c): every definition is in docs/REPORTS.md.
 */
#ifndef ET_REPORT_FIGURES_H
#define ET_REPORT_FIGURES_H

#include <json-c/json.h>

#include "exectrail/report.h"
#include "store/store.h"

#define ET_REPORT_SCHEMA       "exectrail.report/1"
#define ET_REPORT_COMPARE_DAYS 7  /* the daily report's comparison */
#define ET_REPORT_DEFAULT_DAYS 30 /* agent reports' default period */

/* Improvement rules (docs/REPORTS.md "Improvement opportunities"). */
#define ET_RULE_MIN_RUNS        5     /* runs before an agent is judged */
#define ET_RULE_LOW_SUCCESS     0.80  /* success rate below this */
#define ET_RULE_LOW_QUALITY     0.50  /* average quality score below this */
#define ET_RULE_SLOW_FACTOR     2.0   /* average duration above this x all */
#define ET_RULE_RECURRING       3     /* an issue signature seen this often */
#define ET_RULE_UNVERIFIED      0.50  /* share without a verdict above this */
#define ET_TREND_MIN_DAYS       3     /* fewer days: "not enough data" */
#define ET_TREND_STABLE_PER_DAY 0.005 /* |slope| below: stable */

struct et__agent_sum {
    char *name; /* "" for executions without an agent */
    struct et_rollup_row sum;
    int64_t *day_match, *day_verified; /* per day of the period */
};

struct et__period {
    int n_days;         /* days read */
    int focus_from;     /* the report's own days are [focus_from, n_days) */
    int64_t *bound;     /* n_days + 1 day starts (UTC ns) */
    char (*labels)[16]; /* YYYY-MM-DD of each day */
    struct et_rollup_row *day;    /* per day, all agents read */
    struct et_rollup_row total;   /* the focus days */
    struct et__agent_sum *agents; /* the focus days, per agent */
    size_t n_agents, cap_agents;
};

struct et__hist {
    int bucket[1024];
    int64_t count[1024];
    size_t n;
    int64_t total;
};

void et__period_release(struct et__period *p);
/* The daily report's comparison with the days before the focus day. */
struct json_object *et__fig_compare(const struct et__period *p);
ET_NODISCARD int et__hist_load(struct et_trail *t, const struct et__period *p,
                               const char *agent, struct et__hist *h,
                               struct et_error *err);

ET_NODISCARD int et__fig_daily(struct et_trail *t,
                               const struct et_report_opts *o,
                               const struct et__period *p,
                               const struct et__hist *h, struct json_object *m,
                               struct et_error *err);
ET_NODISCARD int et__fig_agent(struct et_trail *t,
                               const struct et_report_opts *o,
                               const struct et__period *p,
                               const struct et__hist *h, struct json_object *m,
                               struct et_error *err);
ET_NODISCARD int et__fig_agents(struct et_trail *t,
                                const struct et_report_opts *o,
                                const struct et__period *p,
                                const struct et__hist *h, struct json_object *m,
                                struct et_error *err);

#endif /* ET_REPORT_FIGURES_H */
