/* SPDX-License-Identifier: MIT */
/* exectrail init: create the data directory, store and signing key. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "exectrail/ingest.h"

static const char help[] =
    "usage: exectrail init [--db PATH]\n\n"
    "Create a trail: the data directory (mode 0700), the SQLite store and an\n"
    "Ed25519 signing key (exectrail.key, mode 0600) with its public key\n"
    "(exectrail.pub). Running it again on an existing trail changes "
    "nothing.\n";

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *key;
    int created = 0, c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return 0;
        }
        if (c == 'D')
            cli_db = optarg;
        else
            return cli_usage_error("init", "unknown option");
    }
    if (optind < argc)
        return cli_usage_error("init", "unexpected argument '%s'",
                               argv[optind]);
    rc = et_trail_open(cli_db, ET_OPEN_CREATE, &t, &created, &err);
    if (rc)
        return cli_fail("init", &err);
    {
        /* the hook spool's reserve for a full disk (docs/RELIABILITY.md);
         * without it (a full disk already) the hook still falls back */
        char dir[PATH_MAX];
        uint64_t have, want;

        if (et_ingest_data_dir(cli_db, dir, sizeof(dir), &err) == ET_OK &&
            et_ingest_spool_reserve(dir, true, &have, &want, &err) != ET_OK)
            fprintf(stderr, "exectrail init: warning: %s\n", err.msg);
    }
    key = et_trail_verifier_key(t);
    printf("%s trail at %s\n", created ? "created" : "existing",
           et_trail_path(t));
    if (key)
        printf("verifier key: %s\n", key);
    et_trail_close(t);
    return 0;
}
