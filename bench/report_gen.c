/* SPDX-License-Identifier: MIT */
/*
 * Generate spec records for the report benchmark: COUNT executions spread
 * evenly over the DAYS days up to 2025-01-30 (UTC), 8 agents, verdicts,
 * quality levels, log-normal-ish durations, issues on failures, token
 * usage on half of them, ACTIONS actions each.
 * usage: bench_report_gen COUNT DAYS ACTIONS OUT.jsonl   (deterministic)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long s = 0x9E3779B97F4A7C15ULL;

static unsigned long long rnd(void)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

static const char *agents[] = {
    "code-reviewer",    "test-runner",      "doc-writer",   "refactorer",
    "security-auditor", "migration-helper", "api-designer", "perf-tuner"};
static const char *levels[] = {"LOW", "MEDIUM", "HIGH"};
static const char *issues[] = {
    "timeout after %d s waiting for /var/tmp/build-%d/out.log",
    "exit status %d from make test (run %d)",
    "assertion failed in test_parser line %d (case %d)",
    "rate limited by api.example.com, retry after %d ms (%d)"};

#define PICK(a) (a)[rnd() % (sizeof(a) / sizeof((a)[0]))]

static void record(FILE *f, long i, long n, int days, int nact)
{
    const long end = 1738281600L; /* 2025-01-31T00:00:00Z */
    long t = end - (long)days * 86400 +
             (long)((double)i / (double)n * days * 86400.0);
    unsigned r = (unsigned)(rnd() % 100);
    int dur = r < 5 ? 300001 + (int)(rnd() % 900000)
                    : 500 + (int)(rnd() % 50000) * (1 + (int)(rnd() % 6));
    const char *st = r < 62   ? "MATCH"
                     : r < 75 ? "PARTIAL"
                     : r < 88 ? "MISMATCH"
                              : "ERROR";
    long sec = t % 86400, day = t / 86400 - 20089; /* 2025-01-01 = 20089 */

    fprintf(f,
            "{\"execution_id\":\"%08lx-%04x-4%03x-8%03x-%012llx\","
            "\"session_id\":\"s-%ld\",\"timestamp_start\":"
            "\"2025-%02ld-%02ldT%02ld:%02ld:%02ldZ\",\"duration_ms\":%d,",
            (unsigned long)(i & 0xffffffffL), (unsigned)(rnd() & 0xffff),
            (unsigned)(rnd() & 0xfff), (unsigned)(rnd() & 0xfff),
            rnd() & 0xffffffffffffULL, i / 20, day < 0 ? 12L : 1L,
            day < 0 ? 31 + day + 1 : day + 1, sec / 3600, sec / 60 % 60,
            sec % 60, dur);
    fprintf(f,
            "\"main_agent_context\":{\"user_request\":\"task %ld\"},"
            "\"agent_metadata\":{\"name\":\"%s\"},\"delegation\":"
            "{\"prompt_sent\":\"do task %ld\"},\"execution\":"
            "{\"actions_taken\":[",
            i, PICK(agents), i);
    for (int k = 0; k < nact; k++)
        fprintf(f,
                "%s{\"tool\":\"Bash\",\"input\":\"make %d\","
                "\"success\":true}",
                k ? "," : "", k);
    fprintf(f,
            "]},\"verification\":{\"status\":\"%s\"},\"quality_metrics\":"
            "{\"completeness\":\"%s\",\"accuracy\":\"%s\","
            "\"efficiency\":\"%s\"}",
            st, PICK(levels), PICK(levels), PICK(levels));
    if (strcmp(st, "MATCH") != 0) {
        fprintf(f, ",\"issues\":[{\"type\":\"ERROR\",\"description\":\"");
        fprintf(f, PICK(issues), 1 + (int)(rnd() % 300), (int)(rnd() % 100000));
        fprintf(f, "\"}]");
    }
    if (rnd() % 2)
        fprintf(f,
                ",\"usage\":{\"input_tokens\":%d,\"output_tokens\":%d,"
                "\"cost_usd\":%d.%04d}",
                100 + (int)(rnd() % 20000), 10 + (int)(rnd() % 4000),
                (int)(rnd() % 2), (int)(rnd() % 10000));
    fprintf(f, "}\n");
}

int main(int argc, char **argv)
{
    FILE *f;
    long n;
    int days, nact;

    if (argc != 5) {
        fprintf(stderr,
                "usage: bench_report_gen COUNT DAYS ACTIONS OUT.jsonl\n");
        return 2;
    }
    n = strtol(argv[1], NULL, 10);
    days = (int)strtol(argv[2], NULL, 10);
    nact = (int)strtol(argv[3], NULL, 10);
    if (n < 1 || days < 1 || days > 31 || nact < 0)
        return 2;
    f = fopen(argv[4], "w");
    if (!f)
        return 1;
    for (long i = 0; i < n; i++)
        record(f, i, n, days, nact);
    return fclose(f) != 0;
}
