/* SPDX-License-Identifier: MIT */
/*
 * MCP soak: one `exectrail mcp` session over pipes, N tool calls (default
 * 10000) in a fixed mix of writes and reads (execution_start, two
 * execution_log_action, execution_complete, get_execution,
 * query_executions, search_memory_facts, ...). Prints the server's RSS after
 * the handshake and at the end, and p50/p99 per call (write to reply).
 * usage: bench_mcp_soak EXECTRAIL DB [N]
 */
#define _GNU_SOURCE 1
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *to, *from;
static char *line;
static size_t cap;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long rss_kb(pid_t pid)
{
    char path[64], buf[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(buf, sizeof(buf), f))
        if (!strncmp(buf, "VmRSS:", 6))
            kb = strtol(buf + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* Send one request and read lines until its reply (skipping
 * notifications); returns the reply line or NULL. */
static const char *rpc(const char *msg)
{
    if (fprintf(to, "%s\n", msg) < 0 || fflush(to) != 0)
        return NULL;
    for (;;) {
        if (getline(&line, &cap, from) < 0)
            return NULL;
        if (!strstr(line, "\"method\":\"notifications/"))
            return line;
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int in[2], out[2];
    pid_t pid;
    long n = argc > 3 ? strtol(argv[3], NULL, 10) : 10000, errors = 0;
    double *lat, t0;
    char msg[2048], id[40] = "";
    long rss0, rss1;

    if (argc < 3 || n < 1) {
        fprintf(stderr, "usage: bench_mcp_soak EXECTRAIL DB [N]\n");
        return 2;
    }
    lat = calloc((size_t)n, sizeof(*lat));
    if (!lat || pipe(in) || pipe(out))
        return 1;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(argv[1], argv[1], "-q", "--db", argv[2], "mcp", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to = fdopen(in[1], "w");
    from = fdopen(out[0], "r");
    if (!to || !from ||
        !rpc("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
             "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\""
             ":{},\"clientInfo\":{\"name\":\"soak\",\"version\":\"1\"}}}")) {
        fprintf(stderr, "bench_mcp_soak: no handshake\n");
        return 1;
    }
    fprintf(to, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/"
                "initialized\"}\n");
    rss0 = rss_kb(pid);
    for (long i = 0; i < n; i++) {
        const char *r;
        switch (i % 8) {
        case 0:
            snprintf(
                msg, sizeof(msg),
                "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"execution_start\",\"arguments\":{"
                "\"session_id\":\"soak\",\"main_agent_context\":{"
                "\"user_request\":\"soak request %ld\",\"expected_outcome"
                "\":\"done\"},\"agent_metadata\":{\"name\":\"soak-%ld\"}}}}",
                i + 1, i, i % 5);
            break;
        case 1:
        case 2:
            snprintf(
                msg, sizeof(msg),
                "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"execution_log_action\",\"arguments"
                "\":{\"execution_id\":\"%s\",\"action\":{\"tool\":\"Bash\","
                "\"action\":\"step %ld\",\"input\":\"make\",\"output\":\"ok"
                "\",\"success\":true}}}}",
                i + 1, id, i);
            break;
        case 3:
            snprintf(
                msg, sizeof(msg),
                "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"execution_complete\",\"arguments\":"
                "{\"execution_id\":\"%s\",\"verification\":{\"status\":"
                "\"MATCH\"}}}}",
                i + 1, id);
            break;
        case 4:
            snprintf(
                msg, sizeof(msg),
                "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"get_execution\",\"arguments\":{"
                "\"execution_id\":\"%s\"}}}",
                i + 1, id);
            break;
        case 5:
            snprintf(
                msg, sizeof(msg),
                "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"query_executions\",\"arguments\":{"
                "\"query\":\"agent_metadata name soak-%ld\",\"limit\":5}}}",
                i + 1, i % 5);
            break;
        case 6:
            snprintf(
                msg, sizeof(msg),
                "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\","
                "\"params\":{\"name\":\"search_memory_facts\",\"arguments\""
                ":{\"query\":\"verification status MATCH\",\"group_ids\":["
                "\"execution_tracking\"],\"max_facts\":5}}}",
                i + 1);
            break;
        default:
            snprintf(msg, sizeof(msg),
                     "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/list"
                     "\"}",
                     i + 1);
            break;
        }
        t0 = now_ms();
        r = rpc(msg);
        lat[i] = now_ms() - t0;
        if (!r) {
            fprintf(stderr, "bench_mcp_soak: server gone after %ld calls\n", i);
            return 1;
        }
        if (strstr(r, "\"isError\":true") || strstr(r, "\"error\":{"))
            errors++;
        if (i % 8 == 0) {
            const char *p = strstr(r, "\"structuredContent\":{"
                                      "\"execution_id\":\"");
            if (p)
                snprintf(id, sizeof(id), "%.36s",
                         p + strlen("\"structuredContent\":{"
                                    "\"execution_id\":\""));
        }
    }
    rss1 = rss_kb(pid);
    fclose(to);
    waitpid(pid, NULL, 0);
    fclose(from);
    qsort(lat, (size_t)n, sizeof(*lat), cmp);
    printf("calls=%ld errors=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "rss_start_kb=%ld rss_end_kb=%ld\n",
           n, errors, lat[n / 2], lat[(size_t)((double)n * 0.99)], lat[n - 1],
           rss0, rss1);
    free(lat);
    free(line);
    return errors ? 1 : 0;
}
