/* SPDX-License-Identifier: MIT */
/*
 * `complete` with the analysis against `complete` without it, on an
 * existing store (make bench, section 5). usage: bench_analysis DB RUNS
 * Each run records one execution of an agent that has history in the store
 * (start with two criteria, a delegation with a success-criteria block,
 * five actions of which one fails, a response), then times complete; runs
 * alternate between analysis on and off so both see the same store. Prints
 * medians, p99 and the ratio.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exectrail/exectrail.h"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of this thread: the work, without the waits for the disk */
static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);

    return v[i];
}

static int prepare(struct et_trail *t, int i, char id[37], struct et_error *err)
{
    static const char *const agents[] = {"code-reviewer", "test-runner",
                                         "doc-writer", "refactorer",
                                         "security-auditor"};
    char buf[1024];
    int rc;

    snprintf(buf, sizeof(buf),
             "{\"session_id\":\"bench\",\"agent_metadata\":{\"name\":\"%s\"},"
             "\"main_agent_context\":{\"user_request\":\"fix the parser "
             "config cache %d\",\"success_criteria\":[\"output.raw_response "
             "~ \\\"tests pass\\\"\",\"NOT files_modified:*.env\"]}}",
             agents[i % 5], i);
    rc = et_trail_start(t, buf, strlen(buf), id, err);
    if (!rc)
        rc = et_trail_delegate(
            t, id,
            "{\"prompt_sent\":\"Fix the parser.\\n```success-criteria\\n"
            "action(tool = Bash AND input ~ \\\"make test\\\" AND success)\\n"
            "```\\n\"}",
            strlen("{\"prompt_sent\":\"Fix the parser.\\n```success-criteria\\n"
                   "action(tool = Bash AND input ~ \\\"make test\\\" AND "
                   "success)\\n```\\n\"}"),
            err);
    for (int k = 0; !rc && k < 5; k++) {
        snprintf(buf, sizeof(buf),
                 "{\"tool\":\"Bash\",\"input\":\"make test\",\"output\":\"ok "
                 "%d\",\"success\":%s,\"error\":%s}",
                 k, k == 1 ? "false" : "true",
                 k == 1 ? "\"exit status 2 in /src/p.c:42\"" : "null");
        rc = et_trail_action(t, id, buf, strlen(buf), NULL, err);
    }
    if (!rc)
        rc = et_trail_respond(
            t, id,
            "{\"raw_response\":\"done, tests pass\",\"files_modified\":"
            "[\"src/p.c\"]}",
            strlen("{\"raw_response\":\"done, tests pass\",\"files_modified\":"
                   "[\"src/p.c\"]}"),
            err);
    return rc;
}

int main(int argc, char **argv)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    int runs = argc > 2 ? atoi(argv[2]) : 200;
    double *on, *off, *con, *coff;
    int n_on = 0, n_off = 0;

    if (argc < 2 || runs < 2) {
        fprintf(stderr, "usage: bench_analysis DB RUNS\n");
        return 2;
    }
    on = calloc((size_t)runs, sizeof(double));
    off = calloc((size_t)runs, sizeof(double));
    con = calloc((size_t)runs, sizeof(double));
    coff = calloc((size_t)runs, sizeof(double));
    if (!on || !off || !con || !coff ||
        et_trail_open(argv[1], ET_OPEN_CREATE, &t, NULL, &err) != ET_OK) {
        fprintf(stderr, "bench_analysis: %s\n", err.msg);
        return 1;
    }
    for (int i = 0; i < 2 * runs; i++) {
        bool with = i % 2 == 0;
        char id[37];
        double s, c;

        if (prepare(t, i, id, &err) != ET_OK) {
            fprintf(stderr, "bench_analysis: %s\n", err.msg);
            return 1;
        }
        et_trail_set_analysis(t, with);
        s = now_ms();
        c = cpu_ms();
        if (et_trail_complete(t, id, "{}", 2, &err) != ET_OK) {
            fprintf(stderr, "bench_analysis: complete: %s\n", err.msg);
            return 1;
        }
        if (with) {
            con[n_on] = cpu_ms() - c;
            on[n_on++] = now_ms() - s;
        } else {
            coff[n_off] = cpu_ms() - c;
            off[n_off++] = now_ms() - s;
        }
    }
    qsort(on, (size_t)n_on, sizeof(double), cmp);
    qsort(off, (size_t)n_off, sizeof(double), cmp);
    qsort(con, (size_t)n_on, sizeof(double), cmp);
    qsort(coff, (size_t)n_off, sizeof(double), cmp);
    printf("  complete + analysis   p50 %.3f ms  p99 %.3f ms\n",
           pct(on, n_on, 0.5), pct(on, n_on, 0.99));
    printf("  baseline: no analysis p50 %.3f ms  p99 %.3f ms\n",
           pct(off, n_off, 0.5), pct(off, n_off, 0.99));
    printf("  ratio p50             %.2fx   analysis adds %.3f ms "
           "(target: complete <= 5 ms p50)\n",
           pct(on, n_on, 0.5) / pct(off, n_off, 0.5),
           pct(on, n_on, 0.5) - pct(off, n_off, 0.5));
    printf("  CPU time p50          %.3f ms with, %.3f ms without: the "
           "analysis costs %.3f ms of CPU\n",
           pct(con, n_on, 0.5), pct(coff, n_off, 0.5),
           pct(con, n_on, 0.5) - pct(coff, n_off, 0.5));
    et_trail_close(t);
    free(on);
    free(off);
    free(con);
    free(coff);
    return 0;
}
