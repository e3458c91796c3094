/* SPDX-License-Identifier: MIT */
/*
 * The spec's queries over a big trail: exectrail's query language (compile +
 * plan + run through the library) against the equivalent hand-written SQL
 * on the same database, in the same process, warm cache. Each query is
 * measured for the whole answer and for a first page. Prints p50/p95 and
 * the ratio. usage: bench_query DB [RUNS] [PAGE]
 * DB may be a PostgreSQL connection string (bench/pg.sh): the baseline SQL
 * then runs through libpq on that server (LIKE spelled ILIKE, as the
 * query language's case-insensitive match there; ranked text with
 * ts_rank over the same tsvector column).
 */
#define _GNU_SOURCE 1
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exectrail/exectrail.h"
#include "exectrail/query.h"
#ifdef ET_HAVE_POSTGRES
# include <libpq-fe.h>
#else
typedef struct pg_conn PGconn; /* never made without libpq */
#endif

struct bench_case {
    const char *name;
    const char *query;    /* the query language */
    const char *baseline; /* the same question in SQL, by hand */
};

static const struct bench_case cases[] = {
    {"slow (spec)", "duration_ms > 300000",
     "SELECT execution_id FROM executions WHERE duration_ms > 300000 "
     "ORDER BY start_ns DESC"},
    {"failures (spec)", "verification status ERROR MISMATCH",
     "SELECT execution_id FROM executions WHERE verification IN ('ERROR', "
     "'MISMATCH') ORDER BY start_ns DESC"},
    {"quality low (spec)", "quality_metrics completeness LOW accuracy LOW",
     "SELECT execution_id FROM executions WHERE completeness = 'LOW' AND "
     "accuracy = 'LOW' ORDER BY start_ns DESC"},
    {"quality high (spec)",
     "quality_metrics completeness HIGH accuracy HIGH efficiency HIGH",
     "SELECT execution_id FROM executions WHERE completeness = 'HIGH' AND "
     "accuracy = 'HIGH' AND efficiency = 'HIGH' ORDER BY start_ns DESC"},
    {"security (spec)", "files_modified secrets auth credentials config",
     "SELECT execution_id FROM executions WHERE execution_id IN (SELECT "
     "execution_id FROM exec_lists WHERE kind = 0 AND (item LIKE "
     "'%secrets%' OR item LIKE '%auth%' OR item LIKE '%credentials%' OR "
     "item LIKE '%config%')) ORDER BY start_ns DESC"},
    {"api calls (spec)", "api_calls_made github aws gcp",
     "SELECT execution_id FROM executions WHERE execution_id IN (SELECT "
     "execution_id FROM exec_lists WHERE kind = 2 AND (item LIKE '%github%' "
     "OR item LIKE '%aws%' OR item LIKE '%gcp%')) ORDER BY start_ns DESC"},
    {"failed Bash action", "action(tool = \"Bash\" AND NOT success)",
     "SELECT execution_id FROM executions WHERE execution_id IN (SELECT "
     "execution_id FROM actions WHERE tool = 'Bash' AND success = 0) "
     "ORDER BY start_ns DESC"},
};

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

static double pct(double *v, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);

    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[i];
}

static int count_row(void *ctx, const struct et_exec_summary *s)
{
    (void)s;
    (*(long *)ctx)++;
    return 0;
}

static int count_hit(void *ctx, const struct et_search_hit *h)
{
    (void)h;
    (*(long *)ctx)++;
    return 0;
}

static int count_id(void *ctx, const char *id)
{
    (void)id;
    (*(long *)ctx)++;
    return 0;
}

/* one run of the query language (ids only, or summary rows); returns the
 * row count, -1 on error */
static long run_lang(struct et_trail *t, const char *text, size_t limit,
                     bool rows)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_query *q = NULL;
    long n = 0;

    if (et_query_parse(text, strlen(text), 0, &q, &err) ||
        (rows ? et_query_run(t, q, limit, count_row, &n, &err)
              : et_query_ids(t, q, limit, count_id, &n, &err))) {
        fprintf(stderr, "bench_query: %s: %s\n", text, err.msg);
        n = -1;
    }
    et_query_free(q);
    return n;
}

/* the summary columns the library returns, for a like-for-like baseline */
#define SUMMARY                                                         \
 "SELECT execution_id, session_id, agent_name, agent_version, state, "  \
 "verification, completeness, accuracy, efficiency, start_ns, end_ns, " \
 "duration_ms, n_actions, n_failed_actions, first_seq, last_seq"

static long run_sql(sqlite3 *db, const char *sql, size_t limit, bool rows)
{
    const char *ids = "SELECT execution_id";
    char buf[2048];
    sqlite3_stmt *st = NULL;
    long n = 0;
    int rc;

    if (rows && !strncmp(sql, ids, strlen(ids)))
        snprintf(buf, sizeof(buf), "%s%s", SUMMARY, sql + strlen(ids));
    else
        snprintf(buf, sizeof(buf), "%s", sql);
    if (limit)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " LIMIT %zu",
                 limit);
    if (sqlite3_prepare_v2(db, buf, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_query: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        n++;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

/* the baseline on PostgreSQL: the same statement text but for LIKE */
static long run_pgsql(PGconn *pg, const char *sql, size_t limit, bool rows)
{
#ifdef ET_HAVE_POSTGRES
    const char *ids = "SELECT execution_id";
    char buf[2048], out[2300];
    size_t o = 0;
    PGresult *r;
    long n = -1;

    if (rows && !strncmp(sql, ids, strlen(ids)))
        snprintf(buf, sizeof(buf), "%s%s", SUMMARY, sql + strlen(ids));
    else
        snprintf(buf, sizeof(buf), "%s", sql);
    if (limit)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " LIMIT %zu",
                 limit);
    for (const char *c = buf; *c && o + 4 < sizeof(out); c++) {
        if (!strncmp(c, " LIKE ", 6)) {
            memcpy(out + o, " I", 2);
            o += 2;
            c++;
        }
        out[o++] = *c;
    }
    out[o] = '\0';
    r = PQexec(pg, out);
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        n = PQntuples(r);
    else
        fprintf(stderr, "bench_query: %s", PQerrorMessage(pg));
    PQclear(r);
    return n;
#else
    (void)pg;
    (void)sql;
    (void)limit;
    (void)rows;
    return -1;
#endif
}

static long run_search(struct et_trail *t, const char *words)
{
    struct et_error err = ET_ERROR_INIT;
    long n = 0;

    if (et_search(t, words, strlen(words), NULL, count_hit, &n, &err)) {
        fprintf(stderr, "bench_query: search: %s\n", err.msg);
        return -1;
    }
    return n;
}

/* time up to `runs` runs (3 when one takes over a second) after a warm-up;
 * p50, p95 in ms; rows = the row count */
#define TIME_RUNS(expr, runs, p50, p95, rows)               \
 do {                                                       \
  double t_w_ = now_ms();                                   \
  int t_n_;                                                 \
  double *t_v_;                                             \
  (rows) = (expr); /* warm-up */                            \
  t_n_ = now_ms() - t_w_ > 1000 && (runs) > 3 ? 3 : (runs); \
  t_v_ = calloc((size_t)t_n_, sizeof(double));              \
  for (int t_i_ = 0; t_i_ < t_n_; t_i_++) {                 \
   double t_0_ = now_ms();                                  \
   (rows) = (expr);                                         \
   t_v_[t_i_] = now_ms() - t_0_;                            \
  }                                                         \
  (p95) = pct(t_v_, t_n_, 0.95);                            \
  (p50) = pct(t_v_, t_n_, 0.50);                            \
  free(t_v_);                                               \
 } while (0)

int main(int argc, char **argv)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    sqlite3 *db = NULL;
    PGconn *pg = NULL;
    bool is_pg = argc > 1 && (!strncmp(argv[1], "postgresql://", 13) ||
                              !strncmp(argv[1], "postgres://", 11));
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 20;
    size_t page = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : 100;
    double a50, a95, b50, b95;
    long an, bn;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2 || runs < 1) {
        fprintf(stderr, "usage: bench_query DB [RUNS] [PAGE]\n");
        return 2;
    }
    if (et_trail_open(argv[1], ET_OPEN_READONLY, &t, NULL, &err)) {
        fprintf(stderr, "bench_query: %s\n", err.msg);
        return 1;
    }
#ifdef ET_HAVE_POSTGRES
    if (is_pg) {
        pg = PQconnectdb(argv[1]);
        if (PQstatus(pg) != CONNECTION_OK) {
            fprintf(stderr, "bench_query: %s", PQerrorMessage(pg));
            return 1;
        }
    }
#endif
    if (!is_pg && sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL)) {
        fprintf(stderr, "bench_query: cannot open %s\n", argv[1]);
        return 1;
    }
    printf("  %-20s %-6s %9s %9s %9s %9s %7s %8s\n", "query", "rows", "p50 ms",
           "p95 ms", "SQL p50", "SQL p95", "ratio", "matches");
    /* ids: the whole answer as ids; rows: the whole answer as summary
     * rows; page: the first PAGE summary rows (newest first) */
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        static const char *const modes[] = {"ids", "rows", "page"};

        for (int m = 0; m < 3; m++) {
            size_t lim = m == 2 ? page : 0;
            bool rows = m > 0;

            TIME_RUNS(run_lang(t, cases[i].query, lim, rows), runs, a50, a95,
                      an);
            if (is_pg)
                TIME_RUNS(run_pgsql(pg, cases[i].baseline, lim, rows), runs,
                          b50, b95, bn);
            else
                TIME_RUNS(run_sql(db, cases[i].baseline, lim, rows), runs, b50,
                          b95, bn);
            printf("  %-20s %-6s %9.2f %9.2f %9.2f %9.2f %6.2fx %8ld%s\n",
                   m ? "" : cases[i].name, modes[m], a50, a95, b50, b95,
                   a50 / (b50 > 0 ? b50 : 1e-9), an,
                   an == bn ? "" : "  (baseline differs!)");
        }
    }
    /* ranked text: a selective word with a common one (0.5% of the
     * executions), then two words every execution has (the worst case) */
    for (int k = 0; k < 2; k++) {
        const char *words = k ? "deploy cache" : "comp017 deploy";
        char sql[512];

        if (is_pg)
            snprintf(sql, sizeof(sql),
                     "SELECT execution_id, max(ts_rank(tsv, q)) AS r FROM "
                     "fts, plainto_tsquery('simple', '%s') q WHERE tsv @@ q "
                     "GROUP BY execution_id ORDER BY r DESC LIMIT 20",
                     words);
        else
            snprintf(sql, sizeof(sql),
                     "SELECT execution_id, min(rank) AS r FROM fts WHERE fts "
                     "MATCH '%s' GROUP BY execution_id ORDER BY r LIMIT 20",
                     k ? "\"deploy\" \"cache\"" : "\"comp017\" \"deploy\"");
        TIME_RUNS(run_search(t, words), runs, a50, a95, an);
        if (is_pg)
            TIME_RUNS(run_pgsql(pg, sql, 0, false), runs, b50, b95, bn);
        else
            TIME_RUNS(run_sql(db, sql, 0, false), runs, b50, b95, bn);
        printf("  %-20s %-6s %9.2f %9.2f %9.2f %9.2f %6.2fx %8ld\n",
               k ? "text: common words" : "text: selective", "top20", a50, a95,
               b50, b95, a50 / (b50 > 0 ? b50 : 1e-9), an);
    }
    sqlite3_close(db);
#ifdef ET_HAVE_POSTGRES
    PQfinish(pg);
#endif
    et_trail_close(t);
    return 0;
}
