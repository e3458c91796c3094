/* SPDX-License-Identifier: MIT */
/*
 * Generate spec records. usage: bench_gen MODE COUNT ACTIONS OUT
 *   MODE jsonl: one record per line into the file OUT
 *   MODE files: OUT is a printf format with %d; one record per file
 * Deterministic (fixed seed); every record has a distinct execution_id.
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

static const char *agents[] = {"code-reviewer", "test-runner", "doc-writer",
                               "refactorer", "security-auditor"};
static const char *tools[] = {"Bash", "Read", "Edit", "Grep", "Write"};
static const char *words[] = {"parse", "config", "auth", "token", "request",
                              "handler", "cache", "index", "query", "retry",
                              "session", "timeout", "build", "deploy",
                              "migrate", "schema", "render", "socket"};

static void text(FILE *f, int nwords)
{
    for (int i = 0; i < nwords; i++)
        fprintf(f, "%s%s", i ? " " : "", words[rnd() % 18]);
}

static void record(FILE *f, long i, int nact)
{
    int a = (int)(rnd() % 5);
    long t = 1736000000L + i * 7;
    int dur = 1000 + (int)(rnd() % 400000);

    fprintf(f, "{\"execution_id\":\"%08lx-0000-4000-8000-%012llx\","
               "\"session_id\":\"s-%ld\",",
            (unsigned long)(i & 0xffffffff), (unsigned long long)rnd() &
            0xffffffffffffULL, i / 10);
    fprintf(f, "\"timestamp_start\":\"2025-01-%02ldT%02ld:%02ld:%02ld.000Z\","
               "\"duration_ms\":%d,",
            1 + (t / 86400) % 28, (t / 3600) % 24, (t / 60) % 60, t % 60,
            dur);
    fprintf(f, "\"main_agent_context\":{\"user_request\":\"");
    text(f, 12);
    fprintf(f, "\",\"main_agent_reasoning\":\"");
    text(f, 8);
    fprintf(f, "\",\"expected_outcome\":\"");
    text(f, 8);
    fprintf(f, "\",\"risk_assessment\":\"low\"},");
    fprintf(f, "\"agent_metadata\":{\"name\":\"%s\",\"version\":\"v2.0\","
               "\"tools_available\":[\"Bash\",\"Read\",\"Edit\"]},",
            agents[a]);
    fprintf(f, "\"delegation\":{\"prompt_sent\":\"");
    text(f, 40);
    fprintf(f, "\",\"context_provided\":\"repo\",\"instructions\":\"");
    text(f, 10);
    fprintf(f, "\"},\"execution\":{\"actions_taken\":[");
    for (int k = 0; k < nact; k++) {
        int ok = rnd() % 10 != 0;

        fprintf(f, "%s{\"sequence\":%d,\"tool\":\"%s\",\"action\":\"", k ? ","
                : "", k + 1, tools[rnd() % 5]);
        text(f, 5);
        fprintf(f, "\",\"input\":\"");
        text(f, 10);
        fprintf(f, "\",\"output\":\"");
        text(f, 25);
        fprintf(f, "\",\"timestamp\":\"2025-01-16T10:30:%02d.000Z\","
                   "\"success\":%s,\"error\":%s}",
                k % 60, ok ? "true" : "false",
                ok ? "null" : "\"exit status 1\"");
    }
    fprintf(f, "]},\"output\":{\"raw_response\":\"");
    text(f, 60);
    fprintf(f, "\",\"files_modified\":[\"src/%s.c\"],\"commands_executed\":"
               "[\"make test\"],\"api_calls_made\":[]},",
            words[rnd() % 18]);
    fprintf(f, "\"verification\":{\"status\":\"%s\",\"confidence_score\":"
               "0.9},\"quality_metrics\":{\"completeness\":\"HIGH\","
               "\"accuracy\":\"MEDIUM\",\"efficiency\":\"HIGH\"}}\n",
            rnd() % 4 ? "MATCH" : "PARTIAL");
}

int main(int argc, char **argv)
{
    long n;
    int nact;

    if (argc != 5)
        return 2;
    n = strtol(argv[2], NULL, 10);
    nact = (int)strtol(argv[3], NULL, 10);
    if (!strcmp(argv[1], "jsonl")) {
        FILE *f = fopen(argv[4], "w");

        if (!f)
            return 1;
        for (long i = 0; i < n; i++)
            record(f, i, nact);
        return fclose(f) != 0;
    }
    for (long i = 0; i < n; i++) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), argv[4], (int)i);
        f = fopen(path, "w");
        if (!f)
            return 1;
        record(f, i, nact);
        fclose(f);
    }
    return 0;
}
