/* SPDX-License-Identifier: MIT */
/* exectrail import claude-code: rebuild executions from transcripts. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <string.h>
#include <time.h>

#include "exectrail/ingest.h"

static const char help[] =
    "usage: exectrail import claude-code PATH...\n\n"
    "Rebuild executions from Claude Code transcripts: each PATH is a .jsonl\n"
    "file or a directory searched for them (e.g. ~/.claude/projects).\n"
    "Agent/Task calls become executions, the subagents' tool calls their\n"
    "actions (both the subagents/agent-<id>.jsonl layout with .meta.json and\n"
    "legacy agent-<id>.jsonl files), main-thread tool calls session events,\n"
    "with the transcripts' timestamps. The mapping is the live hook's\n"
    "(docs/INTEGRATIONS.md), so importing again, or importing what the hook\n"
    "already recorded, adds nothing. Unknown record types are ignored.\n"
    "On a terminal, progress is shown on stderr (-q hides it).\n";

struct tr_ui {
    bool tty;
    double t0, last;
};

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* On a TTY, at most ten updates a second: files and MB read, then inputs. */
static void on_progress(void *ctx, const struct et_transcript_stats *st,
                        uint64_t done, uint64_t total)
{
    struct tr_ui *ui = ctx;
    double now = mono_s();

    if (now - ui->last < 0.1 && !(total && done == total))
        return;
    ui->last = now;
    if (!total)
        fprintf(stderr, "\r\033[Kreading: %llu file(s), %.1f MB",
                (unsigned long long)st->files, (double)st->bytes / 1e6);
    else
        fprintf(stderr,
                "\r\033[Krecording: %llu/%llu hook inputs (%.0f%%), "
                "%llu event(s), %.1f s",
                (unsigned long long)done, (unsigned long long)total,
                100.0 * (double)done / (double)total,
                (unsigned long long)st->events, now - ui->t0);
}

/* argv[0] is "claude-code". */
int cmd_import_claude_code(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_transcript_stats st;
    struct tr_ui ui = {false, 0, 0};
    struct et_transcript_opts o = {NULL, &ui};
    struct et_trail *t = NULL;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        default:
            return cli_usage_error("import", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("import", "give at least one PATH");
    rc = cli_check_inputs("import", argv + optind, (size_t)(argc - optind));
    if (rc)
        return rc;
    rc = cli_open("import", true, &t);
    if (rc)
        return rc;
    ui.tty = cli_is_tty(stderr) && !cli_quiet;
    ui.t0 = mono_s();
    if (ui.tty)
        o.on_progress = on_progress;
    rc = et_ingest_claude_transcripts(t, (const char *const *)(argv + optind),
                                      (size_t)(argc - optind), &o, &st, &err);
    et_trail_close(t);
    if (ui.tty)
        fputs("\r\033[K", stderr);
    if (!cli_quiet)
        fprintf(stderr,
                "exectrail: %llu file(s), %.1f MB, %llu line(s), "
                "%llu hook input(s), %llu event(s) recorded, %llu skipped "
                "in %.2f s\n",
                (unsigned long long)st.files, (double)st.bytes / 1e6,
                (unsigned long long)st.lines, (unsigned long long)st.inputs,
                (unsigned long long)st.events,
                (unsigned long long)st.rejected, mono_s() - ui.t0);
    if (st.unattached)
        fprintf(stderr,
                "exectrail: warning: %llu tool call(s) of %llu subagent(s) "
                "could not be attached to a delegation (their main "
                "transcript, with the Agent call, was not imported); they "
                "are kept and join their execution when it is imported\n",
                (unsigned long long)st.unattached,
                (unsigned long long)st.unattached_agents);
    return rc ? cli_fail("import", &err) : 0;
}
