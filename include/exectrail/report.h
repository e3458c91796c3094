/* SPDX-License-Identifier: MIT */
/*
 * Reports (docs/REPORTS.md): the daily execution summary, one agent's
 * performance, and the leaderboard of all agents, as text, Markdown, JSON
 * (a stable, documented schema) or one self-contained HTML page with inline
 * SVG charts. Reports read the rollup tables the projection maintains on
 * write, so their cost does not grow with the number of executions, and
 * each names the ledger checkpoint (tree size and root) it was computed
 * from.
 *
 * Thread safety: follows trail.h. With a time zone other than UTC the
 * report sets the process's TZ while it runs (and restores it), so do not
 * run reports with a zone from several threads at once.
 */
#ifndef ET_EXECTRAIL_REPORT_H
#define ET_EXECTRAIL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exectrail/error.h"
#include "exectrail/trail.h"

#ifdef __cplusplus
extern "C" {
#endif

enum et_report_kind {
    ET_REPORT_DAILY = 0,  /* one day, compared with the 7 days before */
    ET_REPORT_AGENT = 1,  /* one agent over a period */
    ET_REPORT_AGENTS = 2, /* every agent over a period */
};

enum et_report_format {
    ET_REPORT_TEXT = 0, /* aligned, for a terminal */
    ET_REPORT_MD = 1,   /* Markdown */
    ET_REPORT_JSON = 2, /* the schema of docs/REPORTS.md */
    ET_REPORT_HTML = 3, /* one page, inline SVG, no external resources */
};

struct et_report_opts {
    enum et_report_kind kind;
    const char *date;  /* daily: "YYYY-MM-DD"; NULL = today in tz;
                        * agent, agents: the period's first day
                        * ("YYYY-MM-DD", overrides days); NULL = days */
    const char *tz;    /* IANA zone name ("Europe/Paris"); NULL = "UTC" */
    const char *agent; /* agent report: the agent's name */
    int64_t days;      /* agent, agents: the period, in days up to and
                        * including today (0 = 30) */
    int64_t now_ns;    /* 0 = now (EXECTRAIL_NOW honoured) */
    size_t top;        /* top issues / failure modes listed (0 = 10) */
    bool color;        /* text: ANSI colours */
    unsigned width;    /* text: columns (0 = 80) */
};

/*
 * Compute the report o asks for over the trail and render it in format f.
 * *out is caller-owned (et_trail_free_string), NUL-terminated, *len_out
 * bytes (len_out may be NULL). Returns ET_OK; ET_EINPUT for a bad date,
 * unknown time zone or a zone whose offset is not a whole number of hours
 * on that day (err says which); ET_ENOTFOUND for an agent report of an
 * agent with no executions in the period; or a store error.
 */
ET_API ET_NODISCARD int et_report(struct et_trail *t,
                                  const struct et_report_opts *o,
                                  enum et_report_format f, char **out,
                                  size_t *len_out, struct et_error *err);

#ifdef __cplusplus
}
#endif

#endif /* ET_EXECTRAIL_REPORT_H */
