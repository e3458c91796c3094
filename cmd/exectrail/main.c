/* SPDX-License-Identifier: MIT */
/*
 * exectrail: the command table and global options. Each verb lives in
 * cmd_<verb>.c and uses only the public library headers.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct cli_cmd commands[] = {
    {"init", cmd_init, "create a trail (data directory, store, signing key)"},
    {"record", cmd_record, "record one complete spec record (JSON)"},
    {"import", cmd_import, "import spec records from JSONL"},
    {"start", cmd_start, "phase 1, pre-delegation: open an execution"},
    {"delegate", cmd_delegate, "phase 2: the exact prompt sent"},
    {"action", cmd_action, "phase 3: one action (or a JSON array of them)"},
    {"respond", cmd_respond, "phase 4: the subagent's complete output"},
    {"complete", cmd_complete, "phases 5-6: close the execution"},
    {"show", cmd_show, "show one execution (--json: the spec record)"},
    {"list", cmd_list, "list executions, newest first"},
    {"query", cmd_query, "executions matching a query (docs/QUERY.md)"},
    {"search", cmd_search, "ranked full-text search with snippets"},
    {"creds", cmd_creds, "executions that used a credential (creds find)"},
    {"stats", cmd_stats, "success rates, failure patterns, slowest runs"},
    {"report", cmd_report, "daily summary, agent performance, leaderboard"},
    {"watch", cmd_watch, "follow executions live as they are recorded"},
    {"verify-outcome", cmd_verify_outcome,
     "verify an execution again (new criteria, new event)"},
    {"insights", cmd_insights, "per-agent learning and recommendations"},
    {"similar", cmd_similar, "past executions similar to one"},
    {"note", cmd_note, "append a note (free-form, or on an execution)"},
    {"score", cmd_score, "a human score, beside the automatic quality score"},
    {"verify", cmd_verify, "prove nothing was altered, reordered or dropped"},
    {"checkpoint", cmd_checkpoint, "sign the current tree head"},
    {"witness", cmd_witness, "witness other trails' checkpoints (C2SP)"},
    {"proof", cmd_proof, "inclusion proofs for one execution"},
    {"export", cmd_export, "matching records as JSONL spec records or CSV"},
    {"rebuild", cmd_rebuild, "recreate the projection tables from the ledger"},
    {"migrate", cmd_migrate, "copy a trail to another store and prove it"},
    {"retention", cmd_retention, "retention policy: plan, run, schedule"},
    {"hold", cmd_hold, "legal hold: keep an execution whatever the policy"},
    {"unhold", cmd_unhold, "release a legal hold"},
    {"erase", cmd_erase, "erase one execution on request (proofs kept)"},
    {"archive", cmd_archive, "archive bundles: verify, list, search, restore"},
    {"hook", cmd_hook, "Claude Code hook: record one hook input from stdin"},
    {"hooks", cmd_hooks, "install, remove or inspect the Claude Code hooks"},
    {"spool", cmd_spool, "replay or inspect the hook spool (replay, status)"},
    {"doctor", cmd_doctor, "check the data directory, key, store, spool, hooks"},
    {"mcp", cmd_mcp, "MCP server on stdio; mcp install adds it to Claude Code"},
    {"serve", cmd_serve, "HTTP API and MCP (/mcp) server, loopback by default"},
    {"token", cmd_token, "API tokens for serve: create, list, revoke"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: exectrail [--db PATH] <command> [options]\n\n"
               "A tamper-evident execution tracker and audit trail for AI "
               "agents.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f,
            "\nglobal options:\n"
            "  --db PATH    the store (default: $EXECTRAIL_DB, else "
            "$EXECTRAIL_HOME/trail.db,\n"
            "               else $XDG_DATA_HOME/exectrail/trail.db, else "
            "~/.local/share/exectrail/trail.db)\n"
            "  -q, --quiet  no progress or notes on stderr\n"
            "  --format F   the output format of commands that print records\n"
            "               (table, json, jsonl, csv, ids; see each command)\n"
            "  --version    print the version\n\n"
            "exit status: 0 ok, 1 other failure, 2 usage error, 3 invalid "
            "input (nothing stored),\n"
            "4 integrity failure, 5 store unavailable, 6 not found, 7 state "
            "conflict\n\n"
            "'exectrail <command> --help' describes a command; docs/CLI.md "
            "has them all.\n");
}

static void print_version(void)
{
#ifdef ET_DESCRIBE
    if (ET_DESCRIBE[0]) {
        printf("exectrail %s (%s)\n", et_version(), ET_DESCRIBE);
        return;
    }
#endif
    printf("exectrail %s\n", et_version());
}

static const struct cli_cmd *find_command(const char *name)
{
    for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
        if (!strcmp(commands[c].name, name))
            return &commands[c];
    return NULL;
}

/* Could arg be the value of the option before it? ("--input -q") */
static bool maybe_value(const char *prev)
{
    return prev[0] == '-' && prev[1] && !strchr(prev, '=') &&
           strcmp(prev, "-q") && strcmp(prev, "--quiet");
}

/*
 * The global options -q/--quiet and --db may also follow the verb: take
 * them out of the verb's arguments (up to "--"), unless the token before
 * is an option that may take it as its value. Returns the new argc.
 */
static int take_globals(int argc, char **argv)
{
    int o = 1;

    for (int a = 1; a < argc; a++) {
        const char *prev = argv[o - 1];

        if (!strcmp(argv[a], "--")) {
            while (a < argc)
                argv[o++] = argv[a++];
            break;
        }
        if (o > 1 && maybe_value(prev)) {
            argv[o++] = argv[a];
            continue;
        }
        if (!strcmp(argv[a], "-q") || !strcmp(argv[a], "--quiet")) {
            cli_quiet = true;
            continue;
        }
        if (!strcmp(argv[a], "--db") && a + 1 < argc) {
            cli_db = argv[++a];
            continue;
        }
        if (!strncmp(argv[a], "--db=", 5)) {
            cli_db = argv[a] + 5;
            continue;
        }
        argv[o++] = argv[a];
    }
    argv[o] = NULL;
    return o;
}

int main(int argc, char **argv)
{
    const struct cli_cmd *cmd;
    char *format = NULL;
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            cli_db = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--db=", 5)) {
            cli_db = argv[i] + 5;
            i++;
        } else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            format = argv[i + 1];
            i += 2;
        } else if (!strncmp(argv[i], "--format=", 9)) {
            format = argv[i] + 9;
            i++;
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
            cli_quiet = true;
            i++;
        } else if (!strcmp(argv[i], "--version")) {
            print_version();
            return 0;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "exectrail: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[i], "help")) {
        if (i + 1 < argc && (cmd = find_command(argv[i + 1]))) {
            static char help_flag[] = "--help";
            char *hargv[] = {argv[i + 1], help_flag, NULL};

            return cmd->fn(2, hargv);
        }
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[i], "version")) {
        print_version();
        return 0;
    }
    cmd = find_command(argv[i]);
    if (!cmd) {
        fprintf(stderr,
                "exectrail: '%s' is not a command (see 'exectrail "
                "--help')\n",
                argv[i]);
        return EXIT_USAGE;
    }
    {
        /* the verb's own arguments, with a global --format passed on as
         * the verb's last option, before any "--" (a verb without --format
         * refuses it; one with subcommands sees it after the subcommand) */
        int n = argc - i;
        char **v = calloc((size_t)n + 3, sizeof(*v));
        int k = 0, rc;
        static char format_opt[] = "--format";

        if (!v) {
            fprintf(stderr, "exectrail: out of memory\n");
            return EXIT_FAILURE_;
        }
        int a = 1;

        v[k++] = argv[i];
        for (; a < n && strcmp(argv[i + a], "--"); a++)
            v[k++] = argv[i + a];
        if (format) {
            v[k++] = format_opt;
            v[k++] = format;
        }
        for (; a < n; a++)
            v[k++] = argv[i + a];
        k = take_globals(k, v);
        rc = cmd->fn(k, v);
        free(v);
        return rc;
    }
}
