/* SPDX-License-Identifier: MIT */
/*
 * Benchmark: `report daily` and `report agent` (the library call behind the
 * CLI, JSON output) against a baseline in the same process and run: the
 * same figures computed by plain SQL aggregates over the raw tables
 * (executions, exec_issues), without the rollups.
 * usage: bench_report DB DATE AGENT [RUNS]
 */
#define _GNU_SOURCE 1
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exectrail/exectrail.h"

#define DAY_NS (INT64_C(86400) * 1000000000)

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Run one statement over [from, to) (and the agent when given); return a
 * checksum of what it read so the work cannot be skipped. */
static double q(sqlite3 *db, const char *sql, int64_t from, int64_t to,
                const char *agent, int64_t **durs, size_t *n_durs)
{
    sqlite3_stmt *st = NULL;
    double sum = 0;
    size_t cap = 0;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_report: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    if (agent)
        sqlite3_bind_text(st, 3, agent, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (durs) {
            if (*n_durs == cap) {
                cap = cap ? cap * 2 : 4096;
                *durs = realloc(*durs, cap * sizeof(**durs));
            }
            (*durs)[(*n_durs)++] = sqlite3_column_int64(st, 0);
            continue;
        }
        for (int i = 0; i < sqlite3_column_count(st); i++)
            sum += sqlite3_column_double(st, i);
    }
    sqlite3_finalize(st);
    return sum;
}

#define TOTALS(where)                                                    \
 "SELECT count(*), sum(verification = 'MATCH'), sum(verification IN "    \
 "('MATCH','PARTIAL','MISMATCH','ERROR')), sum(verification IN "         \
 "('MISMATCH','ERROR')), count(duration_ms), avg(duration_ms), "         \
 "avg((coalesce(CASE completeness WHEN 'HIGH' THEN 1.0 WHEN 'MEDIUM' "   \
 "THEN 0.5 WHEN 'LOW' THEN 0.0 END, 0) + coalesce(CASE accuracy WHEN "   \
 "'HIGH' THEN 1.0 WHEN 'MEDIUM' THEN 0.5 WHEN 'LOW' THEN 0.0 END, 0) + " \
 "coalesce(CASE efficiency WHEN 'HIGH' THEN 1.0 WHEN 'MEDIUM' THEN 0.5 " \
 "WHEN 'LOW' THEN 0.0 END, 0)) / nullif((completeness IN "               \
 "('HIGH','MEDIUM','LOW')) + (accuracy IN ('HIGH','MEDIUM','LOW')) + "   \
 "(efficiency IN ('HIGH','MEDIUM','LOW')), 0)), "                        \
 "sum(json_extract(doc, '$.usage.input_tokens')), "                      \
 "sum(json_extract(doc, '$.usage.output_tokens')), "                     \
 "sum(json_extract(doc, '$.usage.cost_usd')) FROM executions WHERE " where

/* The daily report's figures from the raw tables. */
static double baseline_daily(sqlite3 *db, int64_t day)
{
    int64_t *d = NULL;
    size_t n = 0;
    double sum = 0;

    sum += q(db, TOTALS("start_ns >= ?1 AND start_ns < ?2"), day, day + DAY_NS,
             NULL, NULL, NULL);
    q(db,
      "SELECT duration_ms FROM executions WHERE start_ns >= ?1 AND "
      "start_ns < ?2 AND duration_ms IS NOT NULL",
      day, day + DAY_NS, NULL, &d, &n);
    qsort(d, n, sizeof(*d), cmp_i64);
    if (n)
        sum += (double)d[n / 2] + (double)d[n * 95 / 100] +
               (double)d[n * 99 / 100];
    free(d);
    sum += q(db,
             "SELECT agent_name, count(*), sum(verification = 'MATCH'), "
             "sum(verification IS NOT NULL) FROM executions WHERE start_ns "
             ">= ?1 AND start_ns < ?2 GROUP BY agent_name",
             day, day + DAY_NS, NULL, NULL, NULL);
    sum += q(db,
             "SELECT signature, type, count(*), count(DISTINCT "
             "execution_id) FROM exec_issues WHERE ts_ns >= ?1 AND ts_ns < "
             "?2 GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 10",
             day, day + DAY_NS, NULL, NULL, NULL);
    /* the 7 days before, day by day, for the comparison and the chart */
    sum += q(db,
             "SELECT start_ns / 86400000000000, count(*), "
             "sum(verification = 'MATCH'), sum(verification IS NOT NULL), "
             "avg(duration_ms) FROM executions WHERE start_ns >= ?1 AND "
             "start_ns < ?2 GROUP BY 1",
             day - 7 * DAY_NS, day + DAY_NS, NULL, NULL, NULL);
    return sum;
}

/* The agent report's figures over 30 days from the raw tables. */
static double baseline_agent(sqlite3 *db, int64_t day, const char *agent)
{
    int64_t from = day - 29 * DAY_NS, to = day + DAY_NS;
    int64_t *d = NULL;
    size_t n = 0;
    double sum = 0;

    sum += q(db, TOTALS("agent_name = ?3 AND start_ns >= ?1 AND start_ns < ?2"),
             from, to, agent, NULL, NULL);
    q(db,
      "SELECT duration_ms FROM executions WHERE agent_name = ?3 AND "
      "start_ns >= ?1 AND start_ns < ?2 AND duration_ms IS NOT NULL",
      from, to, agent, &d, &n);
    qsort(d, n, sizeof(*d), cmp_i64);
    if (n)
        sum += (double)d[n / 2] + (double)d[n * 95 / 100] +
               (double)d[n * 99 / 100];
    free(d);
    sum += q(db,
             "SELECT signature, type, count(*), count(DISTINCT "
             "execution_id) FROM exec_issues WHERE agent_name = ?3 AND "
             "ts_ns >= ?1 AND ts_ns < ?2 GROUP BY 1, 2 ORDER BY 3 DESC "
             "LIMIT 10",
             from, to, agent, NULL, NULL);
    sum += q(db,
             "SELECT start_ns / 86400000000000, count(*), "
             "sum(verification = 'MATCH'), sum(verification IS NOT NULL), "
             "avg(duration_ms) FROM executions WHERE agent_name = ?3 AND "
             "start_ns >= ?1 AND start_ns < ?2 GROUP BY 1",
             from, to, agent, NULL, NULL);
    return sum;
}

static double report(struct et_trail *t, enum et_report_kind kind,
                     const char *date, const char *agent, size_t *len)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_report_opts o;
    char *out = NULL;

    memset(&o, 0, sizeof(o));
    o.kind = kind;
    o.date = date;
    o.agent = agent;
    o.days = 30;
    if (et_report(t, &o, ET_REPORT_JSON, &out, len, &err)) {
        fprintf(stderr, "bench_report: %s\n", err.msg);
        exit(1);
    }
    et_trail_free_string(out);
    return (double)*len;
}

int main(int argc, char **argv)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    sqlite3 *db = NULL;
    int runs = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 20;
    double *a, *b, sink = 0;
    int64_t day;
    size_t len = 0;
    char now[64];

    if (argc < 4 || runs < 1) {
        fprintf(stderr, "usage: bench_report DB DATE AGENT [RUNS]\n");
        return 2;
    }
    /* the agent report's period ends on DATE */
    snprintf(now, sizeof(now), "%sT12:00:00Z", argv[2]);
    setenv("EXECTRAIL_NOW", now, 1);
    {
        struct tm tm;

        memset(&tm, 0, sizeof(tm));
        if (!strptime(argv[2], "%Y-%m-%d", &tm))
            return 2;
        day = (int64_t)timegm(&tm) * 1000000000;
    }
    if (et_trail_open(argv[1], ET_OPEN_READONLY, &t, NULL, &err) ||
        sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL)) {
        fprintf(stderr, "bench_report: cannot open %s\n", argv[1]);
        return 1;
    }
    a = calloc((size_t)runs, sizeof(*a));
    b = calloc((size_t)runs, sizeof(*b));
    printf("  %-22s %10s %14s %8s\n", "report", "p50 ms", "SQL p50 ms",
           "ratio");
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < runs; i++) {
            double t0 = now_ms();

            sink += k ? report(t, ET_REPORT_AGENT, NULL, argv[3], &len)
                      : report(t, ET_REPORT_DAILY, argv[2], NULL, &len);
            a[i] = now_ms() - t0;
            t0 = now_ms();
            sink +=
                k ? baseline_agent(db, day, argv[3]) : baseline_daily(db, day);
            b[i] = now_ms() - t0;
        }
        {
            double ma = median(a, runs), mb = median(b, runs);

            printf("  %-22s %10.2f %14.2f %7.3fx\n",
                   k ? "agent (30 days)" : "daily (+ 7 days before)", ma, mb,
                   ma / (mb > 0 ? mb : 1e-9));
        }
    }
    fprintf(stderr, "(checksum %g)\n", sink);
    free(a);
    free(b);
    sqlite3_close(db);
    et_trail_close(t);
    return 0;
}
