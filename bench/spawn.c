/* SPDX-License-Identifier: MIT */
/*
 * Process-spawn timing harness. Runs a command N times (fork, exec, wait)
 * and prints latency percentiles and the peak RSS of the children.
 *   bench_spawn [-n N] [-c C] [-i STDIN_FMT] -- CMD ARGS...
 * -c C runs C workers at once (N/C runs each). -i gives a printf format
 * with one %d (the run index) for each run's standard input. "{}" in an
 * argument is replaced by the run index.
 */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int run_one(char **argv, int argc, const char *infmt, int idx,
                   double *ms, long *rss_kb)
{
    char *args[64], bufs[64][256], path[512];
    struct rusage ru;
    double t0;
    pid_t pid;
    int status, i;

    for (i = 0; i < argc && i < 63; i++) {
        char *p = strstr(argv[i], "{}");

        if (p) {
            snprintf(bufs[i], sizeof(bufs[i]), "%.*s%d%s",
                     (int)(p - argv[i]), argv[i], idx, p + 2);
            args[i] = bufs[i];
        } else {
            args[i] = argv[i];
        }
    }
    args[i] = NULL;
    t0 = now_ms();
    pid = fork();
    if (pid == 0) {
        int fd;

        if (infmt) {
            snprintf(path, sizeof(path), infmt, idx);
            fd = open(path, O_RDONLY);
        } else {
            fd = open("/dev/null", O_RDONLY);
        }
        if (fd < 0)
            _exit(126);
        dup2(fd, 0);
        fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        execv(args[0], args);
        _exit(127);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
        return -1;
    *ms = now_ms() - t0;
    *rss_kb = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int main(int argc, char **argv)
{
    int n = 200, c = 1, i, opt, fails = 0;
    const char *infmt = NULL;
    double *lat;
    long max_rss = 0;
    int pipes[64][2];

    while ((opt = getopt(argc, argv, "n:c:i:")) != -1) {
        if (opt == 'n')
            n = (int)strtol(optarg, NULL, 10);
        else if (opt == 'c')
            c = (int)strtol(optarg, NULL, 10);
        else if (opt == 'i')
            infmt = optarg;
        else
            return 2;
    }
    if (optind >= argc || n <= 0 || c <= 0 || c > 64)
        return 2;
    lat = calloc((size_t)n, sizeof(*lat));
    for (int w = 0; w < c; w++) {
        if (pipe(pipes[w]) != 0)
            return 1;
        if (fork() == 0) {
            close(pipes[w][0]);
            for (i = w; i < n; i += c) {
                double rec[2];
                long rss = 0;
                int rc = run_one(argv + optind, argc - optind, infmt, i,
                                 &rec[0], &rss);

                rec[1] = rc == 0 ? (double)rss : -1.0 - (double)rc;
                if (write(pipes[w][1], rec, sizeof(rec)) != sizeof(rec))
                    _exit(1);
            }
            _exit(0);
        }
        close(pipes[w][1]);
    }
    i = 0;
    for (int w = 0; w < c; w++) {
        double rec[2];

        while (read(pipes[w][0], rec, sizeof(rec)) == sizeof(rec)) {
            if (rec[1] < 0) {
                fails++;
                continue;
            }
            lat[i++] = rec[0];
            if ((long)rec[1] > max_rss)
                max_rss = (long)rec[1];
        }
        close(pipes[w][0]);
    }
    while (wait(NULL) > 0)
        ;
    qsort(lat, (size_t)i, sizeof(*lat), cmpd);
    if (i == 0) {
        printf("runs=0 failures=%d\n", fails);
        return 1;
    }
    printf("runs=%d failures=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
           "max_ms=%.3f max_rss_kb=%ld\n",
           i, fails, lat[i / 2], lat[i * 9 / 10], lat[i * 99 / 100],
           lat[i - 1], max_rss);
    return fails ? 1 : 0;
}
