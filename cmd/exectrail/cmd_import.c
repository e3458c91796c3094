/* SPDX-License-Identifier: MIT */
/* exectrail import: bulk JSONL import with progress and a summary. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <ctype.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: exectrail import [--db PATH] [--on-error abort|skip] "
    "[--batch N] FILE.jsonl|-\n"
    "       exectrail import claude-code PATH...   (Claude Code "
    "transcripts; see docs/INTEGRATIONS.md)\n"
    "       exectrail import otlp FILE...|-        (OTLP trace/log "
    "requests; see import otlp --help)\n\n"
    "Import spec records, one JSON object per line, in batched "
    "transactions.\n"
    "Bad lines are reported with their line numbers. With --on-error abort\n"
    "(the default) the first bad line stops the import: the records before\n"
    "it are stored, nothing after it. With --on-error skip bad lines are\n"
    "reported and skipped. Progress is shown on a terminal; a summary line\n"
    "ends the run.\n\n"
    "  --batch N   records per transaction (default 1000)\n\n"
    "exit status: 0 all lines stored; 3 a line was rejected (abort), or\n"
    "lines were skipped (skip); others as for every command.\n";

struct import_ui {
    bool tty;
    double t0;
    uint64_t shown;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_reject(void *ctx, uint64_t line, const struct et_error *why)
{
    struct import_ui *ui = ctx;

    if (ui->tty)
        fputs("\r\033[K", stderr);
    fprintf(stderr, "line %llu: %s\n", (unsigned long long)line, why->msg);
}

static void on_progress(void *ctx, uint64_t lines, uint64_t bytes)
{
    struct import_ui *ui = ctx;
    double dt = now_s() - ui->t0;

    if (!ui->tty || cli_quiet)
        return;
    fprintf(stderr, "\r\033[K%llu lines, %.1f MB, %.0f lines/s",
            (unsigned long long)lines, (double)bytes / 1e6,
            dt > 0 ? (double)lines / dt : 0.0);
    ui->shown = lines;
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"on-error", required_argument, 0, 'e'},
        {"batch", required_argument, 0, 'b'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_import_opts io = {ET_ON_ERROR_ABORT, 0, NULL, NULL, NULL};
    struct et_import_stats st;
    struct et_error err = ET_ERROR_INIT;
    struct import_ui ui = {false, 0, 0};
    struct et_trail *t = NULL;
    FILE *in = stdin;
    double dt;
    char *end;
    const char *stopped = "";
    int c, rc;

    if (argc > 1 && !strcmp(argv[1], "claude-code"))
        return cmd_import_claude_code(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "otlp"))
        return cmd_import_otlp(argc - 1, argv + 1);
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'e':
            if (!strcmp(optarg, "skip"))
                io.on_error = ET_ON_ERROR_SKIP;
            else if (!strcmp(optarg, "abort"))
                io.on_error = ET_ON_ERROR_ABORT;
            else
                return cli_usage_error("import",
                                       "--on-error takes abort or skip");
            break;
        case 'b':
            errno = 0;
            /* strtoul takes "-1" as ULONG_MAX: digits only */
            io.batch_records = (size_t)strtoul(optarg, &end, 10);
            if (errno || *end || io.batch_records == 0 ||
                !isdigit((unsigned char)optarg[0]))
                return cli_usage_error("import",
                                       "--batch takes a positive number");
            break;
        default:
            return cli_usage_error("import", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("import", "give one file (or - for stdin)");
    if (strcmp(argv[optind], "-") != 0) {
        struct stat sb;

        in = fopen(argv[optind], "rb");
        if (in && fstat(fileno(in), &sb) == 0 && S_ISDIR(sb.st_mode)) {
            fclose(in);
            in = NULL;
            errno = EISDIR;
        }
        if (!in) {
            fprintf(stderr, "exectrail import: cannot read %s: %s\n",
                    argv[optind], strerror(errno));
            return EXIT_INPUT;
        }
    }
    rc = cli_open("import", true, &t);
    if (rc) {
        if (in != stdin)
            fclose(in);
        return rc;
    }
    ui.tty = cli_is_tty(stderr);
    ui.t0 = now_s();
    io.on_reject = on_reject;
    io.on_progress = on_progress;
    io.ctx = &ui;
    rc = et_trail_import(t, in, &io, &st, &err);
    dt = now_s() - ui.t0;
    if (in != stdin)
        fclose(in);
    et_trail_close(t);
    if (ui.tty && ui.shown && !cli_quiet)
        fputs("\r\033[K", stderr);
    if (rc && rc != ET_EINPUT && rc != ET_ETOOBIG && rc != ET_EEXIST)
        return cli_fail("import", &err);
    /* a rejected line stopped it (on_reject said why); an input's status
     * without one is a row the store refused when a batch was stored (the
     * message names the batch's lines) */
    if (rc && io.on_error == ET_ON_ERROR_ABORT && st.rejected) {
        stopped = "; stopped at the first bad line (--on-error abort)";
    } else if (rc) {
        fprintf(stderr, "exectrail import: %s\n", err.msg);
        stopped = "; stopped: a batch was not stored";
    }
    fprintf(stderr,
            "imported %llu records (%llu actions) from %llu lines in %.2f s; "
            "%llu rejected%s\n",
            (unsigned long long)st.recorded, (unsigned long long)st.actions,
            (unsigned long long)st.lines, dt, (unsigned long long)st.rejected,
            stopped);
    return rc || st.rejected ? EXIT_INPUT : 0;
}
