/* SPDX-License-Identifier: MIT */
/* exectrail list: executions, newest first. */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/query.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail list [--limit N] [--format table|json|jsonl|csv|ids]\n"
    "                      [--agent NAME] [--state STATE] [--since TIME]\n"
    "                      [--until TIME] [--verification STATUS]\n\n"
    "List executions, newest first (default limit 50; 0 = all).\n\n"
    "--agent NAME         only this agent's executions\n"
    "--state STATE        started, delegated, running, responded, completed\n"
    "--verification S     MATCH, PARTIAL, MISMATCH or ERROR\n"
    "--since/--until TIME relative (7d, 12h, 30m) or absolute (2025-01-16,\n"
    "                     2025-01-16T10:00:00Z), as in the query language\n"
    "--format             table (default), json (an array), jsonl, csv, ids\n\n"
    "The filters are the query language's agent:, state:, since:, until:\n"
    "(docs/QUERY.md); 'exectrail query' takes any other condition.\n";


struct list_ui {
    enum cli_fmt fmt;
    size_t n;
};

static int print_one(void *ctx, const struct et_exec_summary *s)
{
    struct list_ui *ui = ctx;

    return cli_print_summary(ui->fmt, ++ui->n, s);
}

/* Append ` field:"value"` (quoted, escaped) to the query text q. */
static int add_filter(char *q, size_t cap, const char *field, const char *v)
{
    size_t n = strlen(q);
    int w = snprintf(q + n, cap - n, "%s%s:\"", n ? " " : "", field);

    if (w < 0 || (size_t)w >= cap - n)
        return -1;
    n += (size_t)w;
    for (; *v; v++) {
        if (n + 3 >= cap)
            return -1;
        if (*v == '"' || *v == '\\')
            q[n++] = '\\';
        q[n++] = *v;
    }
    if (n + 2 >= cap)
        return -1;
    q[n++] = '"';
    q[n] = '\0';
    return 0;
}

int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"limit", required_argument, 0, 'n'},
        {"format", required_argument, 0, 'f'},
        {"agent", required_argument, 0, 'a'},
        {"state", required_argument, 0, 's'},
        {"since", required_argument, 0, 'S'},
        {"until", required_argument, 0, 'U'},
        {"verification", required_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    static const char *const fields[] = {
        ['a'] = "agent", ['s'] = "state", ['S'] = "since",
        ['U'] = "until", ['v'] = "verification.status"};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct et_query *q = NULL;
    struct list_ui ui = {CLI_TABLE, 0};
    char qtext[2048] = "";
    size_t limit = 50;
    int c, rc, fi = 0;

    while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'n':
            if (cli_parse_count("list", "--limit", optarg, true, &limit))
                return EXIT_USAGE;
            break;
        case 'f':
            if (cli_parse_format("list", optarg, cli_fmt_names, &fi))
                return EXIT_USAGE;
            ui.fmt = (enum cli_fmt)fi;
            break;
        case 'a':
        case 's':
        case 'S':
        case 'U':
        case 'v':
            if (!*optarg)
                return cli_usage_error("list", "--%s needs a value",
                                       fields[c]);
            if (add_filter(qtext, sizeof(qtext), fields[c], optarg))
                return cli_usage_error("list", "the filters are too long");
            break;
        default: return cli_usage_error("list", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("list", "unexpected argument '%s'",
                               argv[optind]);
    if (qtext[0] &&
        et_query_parse(qtext, strlen(qtext), 0, &q, &err) != ET_OK) {
        /* the only thing that can be wrong is a value, e.g. a time */
        fprintf(stderr, "exectrail list: %s\n", err.msg);
        return EXIT_USAGE;
    }
    rc = cli_open("list", false, &t);
    if (rc) {
        et_query_free(q);
        return rc;
    }
    if (q)
        rc = et_query_run(t, q, limit, print_one, &ui, &err);
    else
        rc = et_trail_list(t, limit, print_one, &ui, &err);
    et_trail_close(t);
    et_query_free(q);
    if (rc)
        return cli_fail("list", &err);
    if (ui.fmt == CLI_JSON)
        fputs(ui.n ? "\n]\n" : "[]\n", stdout);
    if (ui.n == 0 && ui.fmt == CLI_TABLE && !cli_quiet)
        fprintf(stderr, "no executions%s\n",
                qtext[0] ? " match" : " recorded yet");
    return 0;
}
