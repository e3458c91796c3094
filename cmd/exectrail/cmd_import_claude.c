/* SPDX-License-Identifier: MIT */
/* exectrail import claude-code: rebuild executions from transcripts. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <string.h>

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
    "already recorded, adds nothing. Unknown record types are ignored.\n";

/* argv[0] is "claude-code". */
int cmd_import_claude_code(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_transcript_stats st;
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
    rc = cli_open("import", true, &t);
    if (rc)
        return rc;
    rc = et_ingest_claude_transcripts(t, (const char *const *)(argv + optind),
                                      (size_t)(argc - optind), &st, &err);
    et_trail_close(t);
    if (!cli_quiet)
        fprintf(stderr,
                "exectrail: %llu file(s), %llu line(s), %llu hook input(s), "
                "%llu event(s) recorded, %llu skipped\n",
                (unsigned long long)st.files, (unsigned long long)st.lines,
                (unsigned long long)st.inputs, (unsigned long long)st.events,
                (unsigned long long)st.rejected);
    return rc ? cli_fail("import", &err) : 0;
}
