/* SPDX-License-Identifier: MIT */
/*
 * Generate spec records for the query benchmark: like gen.c, but with the
 * variety the spec's queries select on (verdicts, quality levels, a long
 * tail of durations, sensitive paths, external API calls, failed actions).
 * usage: bench_query_gen COUNT ACTIONS OUT.jsonl   (deterministic)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long s = 0x2545F4914F6CDD1DULL;

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
static const char *tools[] = {"Bash", "Read", "Edit", "Grep", "Write"};
static const char *words[] = {
    "parse",   "render", "cache",  "index",    "query",     "retry",  "session",
    "timeout", "build",  "deploy", "migrate",  "schema",    "socket", "handler",
    "request", "module", "review", "refactor", "benchmark", "logging"};
static const char *levels[] = {"LOW", "MEDIUM", "HIGH"};
static const char *plain_files[] = {
    "src/main.c",    "src/util/strings.c",   "README.md",
    "docs/guide.md", "tests/test_parser.py", "Makefile",
    "lib/render.js", "src/net/socket.c"};
static const char *sensitive_files[] = {"config/settings.yaml",
                                        "src/auth/login.py", "secrets/.env",
                                        "docs/CREDENTIALS.md"};
static const char *apis[] = {
    "GET https://api.github.com/repos/o/r", "aws s3 cp out.tar s3://bucket/",
    "gcloud run deploy (GCP)", "POST https://example.com/hook",
    "GET https://pypi.org/simple/x"};

#define PICK(a) (a)[rnd() % (sizeof(a) / sizeof((a)[0]))]

static void text(FILE *f, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? " " : "", PICK(words));
}

static const char *status(void)
{
    unsigned r = (unsigned)(rnd() % 100);

    return r < 60   ? "MATCH"
           : r < 75 ? "PARTIAL"
           : r < 90 ? "MISMATCH"
                    : "ERROR";
}

static void record(FILE *f, long i, int nact)
{
    long t = 1735689600L + i * 3; /* 2025-01-01, 3 s apart */
    unsigned r = (unsigned)(rnd() % 100);
    int dur =
        r < 5 ? 300001 + (int)(rnd() % 900000) : 500 + (int)(rnd() % 299000);
    int nfiles = (int)(rnd() % 3);

    fprintf(f,
            "{\"execution_id\":\"%08lx-%04x-4%03x-8%03x-%012llx\","
            "\"session_id\":\"s-%ld\",",
            (unsigned long)(i & 0xffffffffL), (unsigned)(rnd() & 0xffff),
            (unsigned)(rnd() & 0xfff), (unsigned)(rnd() & 0xfff),
            rnd() & 0xffffffffffffULL, i / 20);
    fprintf(f,
            "\"timestamp_start\":\"2025-%02ld-%02ldT%02ld:%02ld:%02ldZ\","
            "\"duration_ms\":%d,",
            1 + (t - 1735689600L) / (28 * 86400) % 12, 1 + (t / 86400) % 28,
            (t / 3600) % 24, (t / 60) % 60, t % 60, dur);
    fprintf(f, "\"main_agent_context\":{\"user_request\":\"");
    text(f, 8);
    fprintf(f, "\"},\"agent_metadata\":{\"name\":\"%s\",\"version\":\"v2\"},",
            PICK(agents));
    fprintf(f, "\"delegation\":{\"prompt_sent\":\"");
    text(f, 20);
    /* rarer words, so that a text search can be selective: one of 200
     * components (0.5% each) and one of 10000 tickets */
    fprintf(f, " component comp%03d ticket tkt%04d", (int)(rnd() % 200),
            (int)(rnd() % 10000));
    fprintf(f, "\"},\"execution\":{\"actions_taken\":[");
    for (int k = 0; k < nact; k++) {
        int ok = rnd() % 10 != 0;

        fprintf(f, "%s{\"tool\":\"%s\",\"input\":\"", k ? "," : "",
                PICK(tools));
        text(f, 4);
        fprintf(f, "\",\"output\":\"");
        text(f, 8);
        fprintf(f, "\",\"success\":%s,\"error\":", ok ? "true" : "false");
        if (ok)
            fprintf(f, "null}");
        else
            fprintf(f, "\"exit status %d\"}", 1 + (int)(rnd() % 3));
    }
    fprintf(f, "]},\"output\":{\"raw_response\":\"");
    text(f, 15);
    fprintf(f, "\",\"files_modified\":[");
    for (int k = 0; k < nfiles; k++)
        fprintf(f, "%s\"%s\"", k ? "," : "",
                rnd() % 10 == 0 ? PICK(sensitive_files) : PICK(plain_files));
    fprintf(f, "],\"api_calls_made\":[");
    if (rnd() % 3 == 0)
        fprintf(f, "\"%s\"", PICK(apis));
    fprintf(f, "]},");
    fprintf(f,
            "\"verification\":{\"status\":\"%s\"},\"quality_metrics\":"
            "{\"completeness\":\"%s\",\"accuracy\":\"%s\","
            "\"efficiency\":\"%s\"}}\n",
            status(), PICK(levels), PICK(levels), PICK(levels));
}

int main(int argc, char **argv)
{
    FILE *f;
    long n;
    int nact;

    if (argc != 4) {
        fprintf(stderr, "usage: bench_query_gen COUNT ACTIONS OUT.jsonl\n");
        return 2;
    }
    n = strtol(argv[1], NULL, 10);
    nact = (int)strtol(argv[2], NULL, 10);
    f = fopen(argv[3], "w");
    if (!f)
        return 1;
    for (long i = 0; i < n; i++)
        record(f, i, nact);
    return fclose(f) != 0;
}
