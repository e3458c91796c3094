/* SPDX-License-Identifier: MIT */
/* exectrail erase: erase one execution on request, keeping the proofs. */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/retention.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail erase ID --reason TEXT\n\n"
    "Erase one execution now, whatever the retention policy says (a user's\n"
    "request, personal data recorded by mistake): every payload of its\n"
    "events is removed, their leaf hashes stay, and a signed\n"
    "retention.erased event (rule \"user\") records the reason, so verify\n"
    "and the proofs of other executions keep working. Nothing is archived:\n"
    "the data is gone (docs/RETENTION.md). An execution under legal hold\n"
    "is refused (exit 7): 'exectrail unhold' it first.\n\n"
    "  --reason TEXT   why (required; stored in the erasure event)\n";

int cmd_erase(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"reason", required_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *reason = NULL;
    uint64_t events = 0;
    char id[37];
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'r':
            reason = optarg;
            break;
        default:
            return cli_usage_error("erase", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("erase", "expected one execution id");
    if (!reason || !*reason)
        return cli_usage_error("erase", "--reason is required");
    rc = cli_open("erase", false, &t);
    if (rc)
        return rc;
    rc = et_ret_erase(t, argv[optind], reason, id, &events, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("erase", &err);
    if (!cli_quiet)
        printf("erased %s: %" PRIu64 " event payload(s) removed, their "
               "hashes kept\n",
               id, events);
    return 0;
}
