/* SPDX-License-Identifier: MIT */
/* exectrail list: executions, newest first. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail list [--limit N] [--format table|jsonl|ids]\n\n"
    "List executions, newest first (default limit 50; 0 = all).\n";

enum fmt { F_TABLE, F_JSONL, F_IDS };

struct list_ui {
    enum fmt fmt;
    size_t n;
};

static int print_one(void *ctx, const struct et_exec_summary *s)
{
    struct list_ui *ui = ctx;
    char when[32], dur[32];

    ui->n++;
    if (ui->fmt == F_IDS) {
        printf("%s\n", s->execution_id);
        return 0;
    }
    if (ui->fmt == F_JSONL) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "execution_id", s->execution_id);
        cli_set_str(o, "session_id", s->session_id);
        cli_set_str(o, "agent", s->agent_name);
        cli_set_str(o, "state", s->state);
        cli_set_str(o, "verification", s->verification);
        json_object_object_add(o, "start_ns",
                               json_object_new_int64(s->start_ns));
        json_object_object_add(o, "duration_ms",
                               s->duration_ms >= 0
                                   ? json_object_new_int64(s->duration_ms)
                                   : NULL);
        json_object_object_add(o, "actions",
                               json_object_new_int64(s->n_actions));
        json_object_object_add(o, "failed_actions",
                               json_object_new_int64(s->n_failed_actions));
        printf("%s\n", cli_json_text(o, NULL));
        json_object_put(o);
        return 0;
    }
    if (ui->n == 1)
        printf("%-36s  %-19s  %-20s  %-10s  %9s  %7s  %s\n", "EXECUTION",
               "STARTED (UTC)", "AGENT", "STATE", "DURATION", "ACTIONS",
               "VERIFIED");
    cli_time(s->start_ns, when);
    if (s->duration_ms >= 0)
        snprintf(dur, sizeof(dur), "%.1fs", (double)s->duration_ms / 1000.0);
    else
        snprintf(dur, sizeof(dur), "-");
    printf("%-36s  %-19s  %-20.20s  %-10s  %9s  %3lld/%-3lld  %s\n",
           s->execution_id, when, s->agent_name ? s->agent_name : "-",
           s->state ? s->state : "-", dur,
           (long long)(s->n_actions - s->n_failed_actions),
           (long long)s->n_actions, s->verification ? s->verification : "-");
    return 0;
}

int cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"limit", required_argument, 0, 'n'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct list_ui ui = {F_TABLE, 0};
    size_t limit = 50;
    int c, rc;

    while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'n':
            if (cli_parse_count("list", "--limit", optarg, true, &limit))
                return EXIT_USAGE;
            break;
        case 'f':
            if (!strcmp(optarg, "table"))
                ui.fmt = F_TABLE;
            else if (!strcmp(optarg, "jsonl"))
                ui.fmt = F_JSONL;
            else if (!strcmp(optarg, "ids"))
                ui.fmt = F_IDS;
            else
                return cli_usage_error("list", "--format: table, jsonl or "
                                               "ids");
            break;
        default: return cli_usage_error("list", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("list", "unexpected argument '%s'",
                               argv[optind]);
    rc = cli_open("list", false, &t);
    if (rc)
        return rc;
    rc = et_trail_list(t, limit, print_one, &ui, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("list", &err);
    if (ui.n == 0 && ui.fmt == F_TABLE && !cli_quiet)
        fprintf(stderr, "no executions recorded yet\n");
    return 0;
}
