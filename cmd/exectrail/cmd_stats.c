/* SPDX-License-Identifier: MIT */
/*
 * exectrail stats: the spec's analytics: success rate by agent, failure
 * patterns, slowest executions; optionally over the executions matching a
 * query.
 */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/query.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail stats [agents|failures|slowest|all] [--limit N]\n"
    "                       [--format text|json] [--where QUERY]\n\n"
    "agents    per agent: executions, verdicts, success rate (MATCH of the\n"
    "          verified), average and longest duration, failed actions\n"
    "failures  failure patterns: executions verified MISMATCH or ERROR or\n"
    "          with a failed action, grouped by status and their first\n"
    "          error (numbers, ids and paths normalised)\n"
    "slowest   the slowest executions\n"
    "all       all three (the default)\n\n"
    "--where QUERY  only executions matching QUERY (docs/QUERY.md),\n"
    "               e.g. --where since:7d\n"
    "--limit N      rows of failures and slowest (default 10; 0 = all)\n"
    "--format       text (default) or json\n";

enum what { W_AGENTS = 1, W_FAILURES = 2, W_SLOWEST = 4 };

struct ui {
    bool json;
    size_t n;
    struct json_object *arr;
};

static struct json_object *num_or_null(double v)
{
    return v < 0 ? NULL : json_object_new_double(v);
}

static int on_agent(void *ctx, const struct et_agent_stats *s)
{
    struct ui *ui = ctx;
    char rate[16], avg[32], max[32];

    if (ui->json) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "agent", s->agent_name);
        json_object_object_add(o, "executions",
                               json_object_new_int64(s->executions));
        json_object_object_add(o, "completed",
                               json_object_new_int64(s->completed));
        json_object_object_add(o, "match", json_object_new_int64(s->match));
        json_object_object_add(o, "partial", json_object_new_int64(s->partial));
        json_object_object_add(o, "mismatch",
                               json_object_new_int64(s->mismatch));
        json_object_object_add(o, "error", json_object_new_int64(s->error));
        json_object_object_add(o, "unverified",
                               json_object_new_int64(s->unverified));
        json_object_object_add(o, "success_rate", num_or_null(s->success_rate));
        json_object_object_add(o, "avg_duration_ms",
                               num_or_null(s->avg_duration_ms));
        json_object_object_add(o, "max_duration_ms",
                               s->max_duration_ms < 0
                                   ? NULL
                                   : json_object_new_int64(s->max_duration_ms));
        json_object_object_add(o, "actions", json_object_new_int64(s->actions));
        json_object_object_add(o, "failed_actions",
                               json_object_new_int64(s->failed_actions));
        json_object_array_add(ui->arr, o);
        return 0;
    }
    if (ui->n++ == 0)
        printf("%-22s %6s %6s %6s %6s %6s %6s %6s %8s %9s %9s %8s\n", "AGENT",
               "RUNS", "DONE", "MATCH", "PART", "MISM", "ERROR", "UNVER",
               "SUCCESS", "AVG", "MAX", "FAILED");
    if (s->success_rate >= 0)
        snprintf(rate, sizeof(rate), "%.1f%%", s->success_rate * 100);
    else
        snprintf(rate, sizeof(rate), "-");
    if (s->avg_duration_ms >= 0)
        snprintf(avg, sizeof(avg), "%.1fs", s->avg_duration_ms / 1000);
    else
        snprintf(avg, sizeof(avg), "-");
    if (s->max_duration_ms >= 0)
        snprintf(max, sizeof(max), "%.1fs", (double)s->max_duration_ms / 1000);
    else
        snprintf(max, sizeof(max), "-");
    printf("%-22.22s %6lld %6lld %6lld %6lld %6lld %6lld %6lld %8s %9s %9s "
           "%4lld/%-4lld\n",
           s->agent_name ? s->agent_name : "(none)", (long long)s->executions,
           (long long)s->completed, (long long)s->match, (long long)s->partial,
           (long long)s->mismatch, (long long)s->error,
           (long long)s->unverified, rate, avg, max,
           (long long)s->failed_actions, (long long)s->actions);
    return 0;
}

static int on_failure(void *ctx, const struct et_failure_pattern *p)
{
    struct ui *ui = ctx;

    if (ui->json) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "status", p->status);
        cli_set_str(o, "signature", p->signature);
        json_object_object_add(o, "count", json_object_new_int64(p->count));
        json_object_object_add(o, "agents_count",
                               json_object_new_int64((int64_t)p->n_agents));
        cli_set_str(o, "agents", p->agents);
        cli_set_str(o, "example_execution_id", p->example_id);
        json_object_array_add(ui->arr, o);
        return 0;
    }
    if (ui->n++ == 0)
        printf("%6s  %-10s  %-36s  %s\n", "COUNT", "STATUS", "EXAMPLE",
               "SIGNATURE (AGENTS)");
    printf("%6lld  %-10s  %-36s  %s (%s)\n", (long long)p->count, p->status,
           p->example_id, p->signature, p->agents);
    return 0;
}

static int on_slow(void *ctx, const struct et_exec_summary *s)
{
    struct ui *ui = ctx;
    char when[32];

    if (ui->json) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "execution_id", s->execution_id);
        cli_set_str(o, "agent", s->agent_name);
        cli_set_str(o, "verification", s->verification);
        json_object_object_add(
            o, "duration_ms",
            s->duration_ms < 0 ? NULL : json_object_new_int64(s->duration_ms));
        json_object_array_add(ui->arr, o);
        return 0;
    }
    if (s->duration_ms < 0)
        return 0; /* no duration: not among the slowest */
    if (ui->n++ == 0)
        printf("%10s  %-36s  %-19s  %-20s  %s\n", "DURATION", "EXECUTION",
               "STARTED (UTC)", "AGENT", "VERIFIED");
    cli_time(s->start_ns, when);
    printf("%9.1fs  %-36s  %-19s  %-20.20s  %s\n",
           (double)s->duration_ms / 1000, s->execution_id, when,
           s->agent_name ? s->agent_name : "-",
           s->verification ? s->verification : "-");
    return 0;
}

static int section(struct et_trail *t, const struct et_query *filter,
                   enum what w, size_t limit, bool json,
                   struct json_object *root, struct et_error *err)
{
    static const char *const names[] = {"", "agents", "failures", "",
                                        "slowest"};
    struct ui ui = {json, 0, json ? json_object_new_array() : NULL};
    int rc;

    if (!json)
        printf("%s%s\n", w == W_AGENTS ? "" : "\n",
               w == W_AGENTS     ? "success rate by agent"
               : w == W_FAILURES ? "failure patterns"
                                 : "slowest executions");
    if (w == W_AGENTS)
        rc = et_stats_agents(t, filter, on_agent, &ui, err);
    else if (w == W_FAILURES)
        rc = et_stats_failures(t, filter, limit, on_failure, &ui, err);
    else
        rc = et_stats_slowest(t, filter, limit, on_slow, &ui, err);
    if (json)
        json_object_object_add(root, names[w], ui.arr);
    else if (!rc && ui.n == 0)
        printf("  (none)\n");
    return rc;
}

int cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"limit", required_argument, 0, 'n'},
                                         {"format", required_argument, 0, 'f'},
                                         {"where", required_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct et_query *filter = NULL;
    struct json_object *root = NULL;
    const char *where = NULL;
    unsigned what = 0;
    size_t limit = 10;
    bool json = false;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'w':
            where = optarg;
            break;
        case 'n':
            if (cli_parse_count("stats", "--limit", optarg, true, &limit))
                return EXIT_USAGE;
            break;
        case 'f':
            if (strcmp(optarg, "text") && strcmp(optarg, "json"))
                return cli_usage_error("stats", "--format: text or json");
            json = !strcmp(optarg, "json");
            break;
        default:
            return cli_usage_error("stats", "unknown option");
        }
    }
    for (int i = optind; i < argc; i++) {
        if (!strcmp(argv[i], "agents"))
            what |= W_AGENTS;
        else if (!strcmp(argv[i], "failures"))
            what |= W_FAILURES;
        else if (!strcmp(argv[i], "slowest"))
            what |= W_SLOWEST;
        else if (!strcmp(argv[i], "all"))
            what |= W_AGENTS | W_FAILURES | W_SLOWEST;
        else
            return cli_usage_error("stats",
                                   "'%s': agents, failures, "
                                   "slowest or all (a query goes "
                                   "in --where)",
                                   argv[i]);
    }
    if (!what)
        what = W_AGENTS | W_FAILURES | W_SLOWEST;
    if (where && et_query_parse(where, strlen(where), 0, &filter, &err))
        return cli_fail("stats", &err);
    rc = cli_open("stats", false, &t);
    if (rc) {
        et_query_free(filter);
        return rc;
    }
    root = json ? json_object_new_object() : NULL;
    for (unsigned w = W_AGENTS; !rc && w <= W_SLOWEST; w <<= 1) {
        if (what & w)
            rc = section(t, filter, (enum what)w, limit, json, root, &err);
    }
    if (rc)
        rc = cli_fail("stats", &err);
    else if (json)
        printf("%s\n", json_object_to_json_string_ext(
                           root, JSON_C_TO_STRING_PRETTY |
                                     JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    et_trail_close(t);
    et_query_free(filter);
    return rc;
}
