/* SPDX-License-Identifier: MIT */
/* exectrail search: ranked full-text search with highlighted snippets. */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/query.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail search [--limit N] [--snippets N] [--format text|jsonl]\n"
    "                        WORDS...\n\n"
    "Executions whose text contains every word, best match first (BM25),\n"
    "each with its best snippets, matches highlighted. The text is the\n"
    "request, the prompt, the response, action inputs, outputs and errors,\n"
    "file paths, commands, API calls, issues and notes. Free-form notes\n"
    "(of no execution) that match follow the executions. Punctuation\n"
    "separates words; no search operators.\n\n"
    "--limit N     executions (default 20)\n"
    "--snippets N  snippets per execution (default 3)\n"
    "--format      text (default) or jsonl: one object per execution\n";

struct ui {
    bool jsonl;
    bool color;
    char last[37];
    size_t n;
    struct json_object *cur; /* jsonl: the execution being collected */
};

static void flush_json(struct ui *ui)
{
    if (!ui->cur)
        return;
    printf("%s\n", cli_json_text(ui->cur, NULL));
    json_object_put(ui->cur);
    ui->cur = NULL;
}

/* one line: newlines in the indexed text become " | " */
static void print_snippet(const char *s)
{
    fputs("      ", stdout);
    for (; *s; s++) {
        if (*s == '\n')
            fputs(" | ", stdout);
        else if (*s != '\r')
            putchar(*s);
    }
    putchar('\n');
}

static int on_hit(void *ctx, const struct et_search_hit *h)
{
    struct ui *ui = ctx;
    bool first = strcmp(ui->last, h->execution_id) != 0;

    if (first) {
        snprintf(ui->last, sizeof(ui->last), "%s", h->execution_id);
        ui->n++;
    }
    if (ui->jsonl) {
        if (first) {
            flush_json(ui);
            ui->cur = json_object_new_object();
            cli_set_str(ui->cur, "execution_id", h->execution_id);
            cli_set_str(ui->cur, "agent", h->agent_name);
            json_object_object_add(ui->cur, "score",
                                   json_object_new_double(h->score));
            json_object_object_add(ui->cur, "matching_events",
                                   json_object_new_int64(h->n_events));
            json_object_object_add(ui->cur, "snippets",
                                   json_object_new_array());
        }
        {
            struct json_object *arr = NULL, *sn = json_object_new_object();

            json_object_object_get_ex(ui->cur, "snippets", &arr);
            json_object_object_add(sn, "seq",
                                   json_object_new_int64((int64_t)h->seq));
            cli_set_str(sn, "text", h->snippet);
            json_object_array_add(arr, sn);
        }
        return 0;
    }
    if (first)
        printf("%s%zu. %s%s%s  %s  score %.3g  (%lld matching event%s)\n",
               ui->n > 1 ? "\n" : "", ui->n, ui->color ? "\x1b[1m" : "",
               h->execution_id, ui->color ? "\x1b[0m" : "",
               h->agent_name ? h->agent_name : "-", h->score,
               (long long)h->n_events, h->n_events == 1 ? "" : "s");
    print_snippet(h->snippet);
    return 0;
}

/* A free-form note (no execution) whose text matches (docs/NOTES.md). */
static int on_note(void *ctx, const struct et_note_info *n)
{
    struct ui *ui = ctx;

    ui->n++;
    if (ui->jsonl) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "kind", "note");
        cli_set_str(o, "uuid", n->uuid);
        cli_set_str(o, "group_id", n->group_id);
        cli_set_str(o, "name", n->name);
        json_object_object_add(o, "seq",
                               json_object_new_int64((int64_t)n->seq));
        cli_set_str(o, "snippet", n->snippet);
        printf("%s\n", cli_json_text(o, NULL));
        json_object_put(o);
        return 0;
    }
    printf("%s%zu. note %s%s%s%s%s\n", ui->n > 1 ? "\n" : "", ui->n, n->uuid,
           n->group_id ? "  group " : "", n->group_id ? n->group_id : "",
           n->name ? "  " : "", n->name ? n->name : "");
    if (n->snippet)
        print_snippet(n->snippet);
    return 0;
}

static const char *const text_jsonl[] = {"text", "jsonl", NULL};

int cmd_search(int argc, char **argv)
{
    int fi = 0;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"limit", required_argument, 0, 'n'},
        {"snippets", required_argument, 0, 's'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_search_opts so = {0, 0, NULL, NULL, 0};
    struct et_trail *t = NULL;
    struct ui ui;
    char *words = NULL;
    size_t len = 0;
    int c, rc;

    memset(&ui, 0, sizeof(ui));
    while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'n':
            if (cli_parse_count("search", "--limit", optarg, false,
                                &so.max_executions))
                return EXIT_USAGE;
            break;
        case 's':
            if (cli_parse_count("search", "--snippets", optarg, false,
                                &so.max_snippets))
                return EXIT_USAGE;
            break;
        case 'f':
            if (cli_parse_format("search", optarg, text_jsonl, &fi))
                return EXIT_USAGE;
            ui.jsonl = fi == 1;
            break;
        default:
            return cli_usage_error("search", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("search", "give the words to search for");
    for (int i = optind; i < argc; i++)
        len += strlen(argv[i]) + 1;
    words = malloc(len + 1);
    if (!words)
        return EXIT_FAILURE_;
    len = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]);

        if (i > optind)
            words[len++] = ' ';
        memcpy(words + len, argv[i], n);
        len += n;
    }
    words[len] = '\0';
    ui.color = !ui.jsonl && cli_is_tty(stdout);
    if (ui.color) {
        so.mark_open = "\x1b[1;33m";
        so.mark_close = "\x1b[0m";
    }
    rc = cli_open("search", false, &t);
    if (!rc) {
        struct et_note_query nq;

        rc = et_search(t, words, strlen(words), &so, on_hit, &ui, &err);
        flush_json(&ui);
        memset(&nq, 0, sizeof(nq));
        nq.is_free_only = true; /* an execution's notes find the execution */
        nq.words = words;
        nq.mark_open = so.mark_open;
        nq.mark_close = so.mark_close;
        nq.limit = so.max_executions ? so.max_executions : 20;
        if (!rc)
            rc = et_trail_notes(t, &nq, on_note, &ui, &err);
        rc = rc ? cli_fail("search", &err) : 0;
        et_trail_close(t);
    }
    free(words);
    if (!rc && ui.n == 0 && !cli_quiet)
        fprintf(stderr, "no executions match\n");
    return rc;
}
