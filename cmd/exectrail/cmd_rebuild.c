/* SPDX-License-Identifier: MIT */
/* exectrail rebuild: recreate projections from the ledger. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>

static const char help[] =
    "usage: exectrail rebuild\n\n"
    "Drop every projection table (executions, actions, lists, sessions,\n"
    "full-text index, report rollups) and recreate them by replaying the\n"
    "ledger, in one transaction. The ledger itself is not touched. On a\n"
    "terminal, progress is shown on stderr (-q hides it).\n";

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    fprintf(stderr, "\r\033[Krebuilding: %llu of %llu events (%.0f %%)",
            (unsigned long long)done, (unsigned long long)total,
            total ? 100.0 * (double)done / (double)total : 100.0);
    if (done >= total)
        fputc('\n', stderr);
}

int cmd_rebuild(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    uint64_t n = 0;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        default: return cli_usage_error("rebuild", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("rebuild", "unexpected argument '%s'",
                               argv[optind]);
    rc = cli_open("rebuild", false, &t);
    if (rc)
        return rc;
    rc = et_trail_rebuild_progress(
        t, !cli_quiet && cli_is_tty(stderr) ? on_progress : NULL, NULL, &n,
        &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("rebuild", &err);
    printf("rebuilt projections from %llu events\n", (unsigned long long)n);
    return 0;
}
