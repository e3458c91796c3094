/* SPDX-License-Identifier: MIT */
/* exectrail insights: per-agent learning and recommendations. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail insights [AGENT] [--since N(d|h|w)] [--format "
    "text|json]\n\n"
    "What the trail teaches about each agent (or one): verdicts and success\n"
    "rate, median duration and actions, the most frequent failure\n"
    "signatures, the criteria that fail most, and recommendations\n"
    "(rules in docs/ANALYSIS.md).\n\n"
    "--since N   only executions started in the last N days (d), hours (h)\n"
    "            or weeks (w); default: all\n"
    "--format    text (default) or json\n";

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static long long iget(struct json_object *o, const char *k)
{
    return (long long)json_object_get_int64(get(o, k));
}

static void print_agent(struct json_object *a)
{
    struct json_object *f = get(a, "top_failures");
    struct json_object *c = get(a, "failing_criteria");
    struct json_object *r = get(a, "recommendations");
    struct json_object *sr = get(a, "success_rate");

    printf("%s\n", get(a, "agent") ? json_object_get_string(get(a, "agent"))
                                   : "(no agent)");
    printf("  executions %lld, completed %lld: MATCH %lld, PARTIAL %lld, "
           "MISMATCH %lld, ERROR %lld, unverified %lld\n",
           iget(a, "executions"), iget(a, "completed"), iget(a, "match"),
           iget(a, "partial"), iget(a, "mismatch"), iget(a, "error"),
           iget(a, "unverified"));
    if (sr)
        printf("  success rate %.1f%%\n", 100 * json_object_get_double(sr));
    if (get(a, "median_duration_ms"))
        printf("  median duration %.0f ms, median actions %.1f\n",
               json_object_get_double(get(a, "median_duration_ms")),
               json_object_get_double(get(a, "median_actions")));
    for (size_t i = 0; f && i < json_object_array_length(f); i++) {
        struct json_object *x = json_object_array_get_idx(f, i);

        printf("  failure   %4lldx  %s\n", iget(x, "count"),
               json_object_get_string(get(x, "signature")));
    }
    for (size_t i = 0; c && i < json_object_array_length(c); i++) {
        struct json_object *x = json_object_array_get_idx(c, i);

        printf("  criterion %4lldx  %s\n", iget(x, "count"),
               json_object_get_string(get(x, "criterion")));
    }
    for (size_t i = 0; r && i < json_object_array_length(r); i++)
        printf("  -> %s\n",
               json_object_get_string(json_object_array_get_idx(r, i)));
}

static int parse_since(const char *s, long long *ns_out)
{
    char *end;
    long long n = strtoll(s, &end, 10);
    long long unit = *end == 'd'   ? 86400LL
                     : *end == 'h' ? 3600LL
                     : *end == 'w' ? 7 * 86400LL
                                   : 0;

    if (end == s || n <= 0 || !unit || end[1] || n > 100000)
        return -1;
    /* negative: relative to the library's now (which honours
     * EXECTRAIL_NOW) */
    *ns_out = -(n * unit * 1000000000LL);
    return 0;
}

int cmd_insights(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"since", required_argument, 0, 's'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct json_object *arr = NULL;
    long long since = 0;
    bool json = false;
    char *out = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D': cli_db = optarg; break;
        case 's':
            if (parse_since(optarg, &since))
                return cli_usage_error("insights",
                                       "--since takes N followed by d, h or "
                                       "w, like 7d");
            break;
        case 'f':
            if (!strcmp(optarg, "json"))
                json = true;
            else if (strcmp(optarg, "text") != 0)
                return cli_usage_error("insights", "--format is text or json");
            break;
        default:
            return cli_usage_error("insights", "unknown option");
        }
    }
    if (optind + 1 < argc)
        return cli_usage_error("insights", "give at most one agent");
    rc = cli_open("insights", false, &t);
    if (rc)
        return rc;
    rc = et_insights(t, optind < argc ? argv[optind] : NULL, since, &out,
                     &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("insights", &err);
    if (json) {
        printf("%s\n", out);
    } else {
        arr = json_tokener_parse(out);
        for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
            if (i)
                putchar('\n');
            print_agent(json_object_array_get_idx(arr, i));
        }
    }
    json_object_put(arr);
    et_trail_free_string(out);
    return 0;
}
