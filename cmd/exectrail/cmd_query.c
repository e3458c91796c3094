/* SPDX-License-Identifier: MIT */
/* exectrail query: executions matching a query (docs/QUERY.md). */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/query.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail query [--format table|json|jsonl|csv|ids] [--explain]\n"
    "                       [--count] [--limit N] 'QUERY'\n\n"
    "Executions matching QUERY, newest first unless it says ORDER BY.\n"
    "Several arguments are joined with spaces. Examples:\n"
    "  exectrail query 'duration_ms > 300000'\n"
    "  exectrail query 'verification status ERROR MISMATCH'\n"
    "  exectrail query 'files_modified secrets auth credentials config'\n"
    "  exectrail query 'agent:code-reviewer since:7d ORDER BY duration_ms "
    "DESC LIMIT 5'\n"
    "  exectrail query 'action(tool = \"Bash\" AND NOT success)'\n\n"
    "--format  table (default), json (an array of spec records, as show\n"
    "          --json prints them), jsonl (one compact record per line), csv,\n"
    "          ids (one execution_id per line)\n"
    "--explain print the checked query, its SQL, parameters and plan\n"
    "--count   print only how many executions match\n"
    "--limit N at most N executions (0 = no limit). The default is no\n"
    "          limit, except for a table on a terminal: the newest 50, and\n"
    "          a line on stderr saying how many match in all\n\n"
    "The language is described in docs/QUERY.md. Exit status 3 for a query\n"
    "that does not parse; the message names the column.\n";

/* a table on a terminal shows a page; pipes and files get everything */
#define TTY_PAGE 50


struct ui {
    enum cli_fmt fmt;
    size_t n;
};

static int print_summary(void *ctx, const struct et_exec_summary *s)
{
    struct ui *ui = ctx;

    return cli_print_summary(ui->fmt, ++ui->n, s);
}

static int print_id(void *ctx, const char *id)
{
    struct ui *ui = ctx;

    ui->n++;
    printf("%s\n", id);
    return ferror(stdout) ? ET_EIO : 0;
}

static int print_record(void *ctx, const char *json, size_t len)
{
    struct ui *ui = ctx;

    if (ui->fmt == CLI_JSON)
        fputs(ui->n ? ",\n" : "[\n", stdout);
    ui->n++;
    fwrite(json, 1, len, stdout);
    if (ui->fmt == CLI_JSONL)
        putchar('\n');
    return ferror(stdout) ? ET_EIO : 0;
}

/* The query with a caret under the column the error names. */
static void show_column(const char *text, const struct et_error *err)
{
    const char *at = strstr(err->msg, "at column ");
    long col;

    if (!at || strchr(text, '\n'))
        return;
    col = strtol(at + 10, NULL, 10);
    if (col < 1 || col > 200)
        return;
    fprintf(stderr, "  %s\n  %*s^\n", text, (int)col - 1, "");
}

static int join_args(int argc, char **argv, int from, char **out)
{
    size_t len = 0;
    char *s;

    for (int i = from; i < argc; i++)
        len += strlen(argv[i]) + 1;
    s = malloc(len + 1);
    if (!s)
        return EXIT_FAILURE_;
    s[0] = '\0';
    len = 0;
    for (int i = from; i < argc; i++) {
        size_t n = strlen(argv[i]);

        if (i > from)
            s[len++] = ' ';
        memcpy(s + len, argv[i], n);
        len += n;
    }
    s[len] = '\0';
    *out = s;
    return 0;
}

static int parse_format(const char *s, enum cli_fmt *out)
{
    int fi = 0;

    if (cli_parse_format("query", s, cli_fmt_names, &fi))
        return EXIT_USAGE;
    *out = (enum cli_fmt)fi;
    return 0;
}

static int run(struct et_trail *t, const struct et_query *q, size_t limit,
               bool explain, struct ui *ui, struct et_error *err)
{
    char *text = NULL;
    int rc;

    if (explain) {
        rc = et_query_explain(t, q, limit, &text, err);
        if (!rc)
            fputs(text, stdout);
        et_trail_free_string(text);
        return rc;
    }
    if (ui->fmt == CLI_JSON || ui->fmt == CLI_JSONL) {
        rc = et_query_records(t, q, limit,
                              ui->fmt == CLI_JSON ? ET_SHOW_PRETTY : 0,
                              print_record, ui, err);
        if (!rc && ui->fmt == CLI_JSON)
            fputs(ui->n ? "\n]\n" : "[]\n", stdout);
        return rc;
    }
    if (ui->fmt == CLI_IDS)
        return et_query_ids(t, q, limit, print_id, ui, err);
    return et_query_run(t, q, limit, print_summary, ui, err);
}

static int count_id(void *ctx, const char *id)
{
    (void)id;
    (*(size_t *)ctx)++;
    return 0;
}

/* After a full page on a terminal: how many match in all (the whole answer
 * as ids, docs/PERFORMANCE.md). */
static int tell_total(struct et_trail *t, const struct et_query *q,
                      struct et_error *err)
{
    size_t n = 0;
    int rc = et_query_ids(t, q, 0, count_id, &n, err);

    fflush(stdout);
    if (!rc && n > TTY_PAGE && !cli_quiet)
        fprintf(stderr,
                "the newest %d of %zu matching executions; --limit 0 for "
                "all, --format ids|jsonl|csv for scripts\n",
                TTY_PAGE, n);
    return rc;
}

int cmd_query(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"format", required_argument, 0, 'f'},
                                         {"limit", required_argument, 0, 'n'},
                                         {"explain", no_argument, 0, 'x'},
                                         {"count", no_argument, 0, 'c'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct et_query *q = NULL;
    struct ui ui = {CLI_TABLE, 0};
    bool explain = false, limit_given = false, count = false, paged;
    size_t limit = 0;
    char *text = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "hn:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'x':
            explain = true;
            break;
        case 'c':
            count = true;
            break;
        case 'n':
            if (cli_parse_count("query", "--limit", optarg, true, &limit))
                return EXIT_USAGE;
            limit_given = true;
            break;
        case 'f':
            if (parse_format(optarg, &ui.fmt))
                return EXIT_USAGE;
            break;
        default:
            return cli_usage_error("query", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("query", "give a query ('' for every "
                                        "execution)");
    if (count && explain)
        return cli_usage_error("query", "--count and --explain: one or the "
                                        "other");
    if (join_args(argc, argv, optind, &text))
        return EXIT_FAILURE_;
    rc = et_query_parse(text, strlen(text), 0, &q, &err);
    if (rc) {
        rc = cli_fail("query", &err);
        show_column(text, &err);
        free(text);
        return rc;
    }
    paged = ui.fmt == CLI_TABLE && !limit_given && !explain && !count &&
            cli_is_tty(stdout);
    if (paged)
        limit = TTY_PAGE;
    rc = cli_open("query", false, &t);
    if (!rc) {
        if (count) {
            size_t n = 0;

            rc = et_query_ids(t, q, limit, count_id, &n, &err);
            if (!rc)
                printf("%zu\n", n);
            ui.n = 1; /* no "no executions match" note: 0 is the answer */
        } else {
            rc = run(t, q, limit, explain, &ui, &err);
        }
        if (!rc && paged && ui.n == TTY_PAGE)
            rc = tell_total(t, q, &err);
        rc = rc ? cli_fail("query", &err) : 0;
        et_trail_close(t);
    }
    et_query_free(q);
    free(text);
    if (!rc && ui.n == 0 && ui.fmt == CLI_TABLE && !explain && !cli_quiet)
        fprintf(stderr, "no executions match\n");
    return rc;
}
