/* SPDX-License-Identifier: MIT */
/* exectrail export: the spec records matching a query, as JSONL or CSV. */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/query.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: exectrail export [--format jsonl|csv] [--output FILE|-]\n"
    "                        [--limit N] [QUERY]\n\n"
    "Write the executions matching QUERY (docs/QUERY.md; none = every\n"
    "execution), newest first unless it says ORDER BY, as they are read:\n"
    "  jsonl  one spec record per line, exactly as show --json gives it\n"
    "         (the default; 'exectrail import' reads it back)\n"
    "  csv    a header line, then one summary row per execution (the\n"
    "         columns of list --format csv)\n\n"
    "--output FILE  write to FILE (made complete, then renamed into place:\n"
    "               a failed export leaves no partial file); '-' or no\n"
    "               --output: standard output\n"
    "--limit N      at most N executions (0 = no limit, the default)\n\n"
    "A summary line goes to stderr (-q silences it). Exit status 3 for a\n"
    "query that does not parse.\n";

struct exp {
    enum cli_fmt fmt;
    size_t n;
};

static int put_record(void *ctx, const char *json, size_t len)
{
    struct exp *e = ctx;

    e->n++;
    fwrite(json, 1, len, stdout);
    putchar('\n');
    return ferror(stdout) ? ET_EIO : 0;
}

static int put_row(void *ctx, const struct et_exec_summary *s)
{
    struct exp *e = ctx;

    return cli_print_summary(CLI_CSV, ++e->n, s);
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

static const char *const formats[] = {"jsonl", "csv", NULL};

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"format", required_argument, 0, 'f'},
                                         {"output", required_argument, 0, 'o'},
                                         {"limit", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct et_query *q = NULL;
    struct exp e = {CLI_JSONL, 0};
    const char *out = NULL;
    char *text = NULL, *tmp = NULL;
    size_t limit = 0;
    int c, fi = 0, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'f':
            if (cli_parse_format("export", optarg, formats, &fi))
                return EXIT_USAGE;
            e.fmt = fi == 0 ? CLI_JSONL : CLI_CSV;
            break;
        case 'o':
            out = optarg;
            break;
        case 'n':
            if (cli_parse_count("export", "--limit", optarg, true, &limit))
                return EXIT_USAGE;
            break;
        default:
            return cli_usage_error("export", "unknown option");
        }
    }
    if (join_args(argc, argv, optind, &text))
        return EXIT_FAILURE_;
    rc = et_query_parse(text, strlen(text), 0, &q, &err);
    if (rc) {
        free(text);
        return cli_fail("export", &err);
    }
    rc = cli_open("export", false, &t);
    if (rc)
        goto out;
    if (out && !strcmp(out, "-"))
        out = NULL;
    if (out) {
        /* stdout is the file for the run: the rows are written as read */
        if (asprintf(&tmp, "%s.partial", out) < 0) {
            tmp = NULL;
            rc = EXIT_FAILURE_;
            goto out;
        }
        fflush(stdout);
        if (!freopen(tmp, "w", stdout)) {
            fprintf(stderr, "exectrail export: cannot write %s: %s\n", tmp,
                    strerror(errno));
            rc = EXIT_FAILURE_;
            goto out;
        }
    }
    if (e.fmt == CLI_JSONL) {
        rc = et_query_records(t, q, limit, 0, put_record, &e, &err);
    } else {
        rc = et_query_run(t, q, limit, put_row, &e, &err);
        if (!rc && e.n == 0)
            fputs(CLI_CSV_HEADER, stdout);
    }
    if (fflush(stdout) || ferror(stdout))
        rc = rc ? rc : et_error_set(&err, ET_EIO, "write error");
    if (out) {
        if (fsync(fileno(stdout)))
            rc = rc ? rc : et_error_set(&err, ET_EIO, "cannot write %s", tmp);
        if (!rc && rename(tmp, out))
            rc = et_error_set(&err, ET_EIO, "cannot rename %s to %s: %s", tmp,
                              out, strerror(errno));
        if (rc)
            unlink(tmp);
    }
    if (rc) {
        rc = cli_fail("export", &err);
        goto out;
    }
    if (!cli_quiet)
        fprintf(stderr, "exported %zu execution(s)%s%s\n", e.n,
                out ? " to " : "", out ? out : "");
out:
    if (t)
        et_trail_close(t);
    et_query_free(q);
    free(text);
    free(tmp);
    return rc;
}
