/* SPDX-License-Identifier: MIT */
/* exectrail spool: replay or inspect the hook spool and quarantine. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "exectrail/ingest.h"

static const char help[] =
    "usage: exectrail spool replay\n"
    "       exectrail spool status [--json]\n\n"
    "Hook inputs that arrived while the store was busy, read-only or full\n"
    "wait in the spool file in the data directory (or, when that cannot\n"
    "be written, in a fallback directory: docs/RELIABILITY.md). 'replay'\n"
    "records them (idempotently: inputs already recorded are not recorded\n"
    "twice), then retries the quarantine, keeping what is still refused;\n"
    "'status' counts what waits in the spool and in quarantine (malformed\n"
    "inputs, kept with the reason they were refused).\n";

static int status(const char *dir, bool json)
{
    struct et_error err = ET_ERROR_INIT;
    uint64_t sp = 0, q = 0;

    if (et_ingest_spool_status(dir, &sp, &q, &err))
        return cli_fail("spool", &err);
    if (json)
        printf("{\"spooled\":%llu,\"quarantined\":%llu}\n",
               (unsigned long long)sp, (unsigned long long)q);
    else
        printf("spooled: %llu\nquarantined: %llu\n", (unsigned long long)sp,
               (unsigned long long)q);
    return 0;
}

int cmd_spool(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_spool_stats st, qst;
    struct et_trail *t = NULL;
    const char *sub;
    char dir[PATH_MAX];
    bool json = false;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'j':
            json = true;
            break;
        default:
            return cli_usage_error("spool", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("spool", "expected 'replay' or 'status'");
    sub = argv[optind];
    if (et_ingest_data_dir(cli_db, dir, sizeof(dir), &err))
        return cli_fail("spool", &err);
    if (!strcmp(sub, "status"))
        return status(dir, json);
    if (strcmp(sub, "replay") != 0)
        return cli_usage_error("spool", "unknown subcommand '%s'", sub);
    rc = cli_open("spool", true, &t);
    if (rc)
        return rc;
    rc = et_ingest_spool_replay(t, dir, true, &st, &err);
    memset(&qst, 0, sizeof(qst));
    if (!rc)
        rc = et_ingest_quarantine_replay(t, dir, &qst, &err);
    et_trail_close(t);
    if (!cli_quiet)
        fprintf(stderr,
                "exectrail: replayed %llu, quarantined %llu, %llu still "
                "spooled; %llu recovered from quarantine, %llu still "
                "quarantined\n",
                (unsigned long long)st.replayed,
                (unsigned long long)st.quarantined,
                (unsigned long long)st.remaining,
                (unsigned long long)qst.replayed,
                (unsigned long long)qst.quarantined);
    return rc ? cli_fail("spool", &err) : 0;
}
