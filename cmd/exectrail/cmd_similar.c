/* SPDX-License-Identifier: MIT */
/* exectrail similar: past executions like this one. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail similar ID [--limit N] [--format text|jsonl]\n\n"
    "Executions similar to ID: ranked full-text (BM25) on the words of its\n"
    "request and prompt, executions of the same agent first, then the\n"
    "others (docs/ANALYSIS.md).\n\n"
    "--limit N   executions (default 10)\n"
    "--format    text (default) or jsonl: one object per execution\n";

struct ui {
    bool jsonl;
    size_t n;
};

static int on_hit(void *ctx, const struct et_similar_hit *h)
{
    struct ui *ui = ctx;

    ui->n++;
    if (ui->jsonl) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "execution_id", h->execution_id);
        cli_set_str(o, "agent", h->agent_name);
        cli_set_str(o, "verification", h->verification);
        json_object_object_add(o, "same_agent",
                               json_object_new_boolean(h->is_same_agent));
        json_object_object_add(o, "score", json_object_new_double(h->score));
        printf("%s\n", cli_json_text(o, NULL));
        json_object_put(o);
        return 0;
    }
    if (ui->n == 1)
        printf("%-36s  %-20s  %-9s %6s  %s\n", "EXECUTION", "AGENT",
               "VERIFIED", "SCORE", "SAME AGENT");
    printf("%-36s  %-20.20s  %-9s %6.2f  %s\n", h->execution_id,
           h->agent_name ? h->agent_name : "-",
           h->verification ? h->verification : "-", h->score,
           h->is_same_agent ? "yes" : "no");
    return 0;
}

static const char *const text_jsonl[] = {"text", "jsonl", NULL};

int cmd_similar(int argc, char **argv)
{
    int fi = 0;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"limit", required_argument, 0, 'n'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct ui ui = {false, 0};
    size_t limit = 10;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D': cli_db = optarg; break;
        case 'n':
            rc = cli_parse_count("similar", "--limit", optarg, false, &limit);
            if (rc)
                return rc;
            break;
        case 'f':
            if (cli_parse_format("similar", optarg, text_jsonl, &fi))
                return EXIT_USAGE;
            ui.jsonl = fi == 1;
            break;
        default:
            return cli_usage_error("similar", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("similar", "give one execution id");
    rc = cli_open("similar", false, &t);
    if (rc)
        return rc;
    rc = et_similar(t, argv[optind], limit, on_hit, &ui, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("similar", &err);
    if (!ui.n && !ui.jsonl && !cli_quiet)
        fprintf(stderr, "exectrail similar: no similar executions\n");
    return 0;
}
