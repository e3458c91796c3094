/* SPDX-License-Identifier: MIT */
/* exectrail checkpoint: sign the tree head. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail checkpoint [--out FILE]\n\n"
    "Sign the current tree head (size, root hash, time) with the trail's\n"
    "Ed25519 key and print the checkpoint (a C2SP signed note, see\n"
    "docs/LEDGER.md). Keep it anywhere (a git repo, a ticket, an email):\n"
    "'exectrail verify --checkpoint FILE' later proves the trail still\n"
    "extends it.\n";

int cmd_checkpoint(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *out = NULL;
    char *note = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'o': out = optarg; break;
        default: return cli_usage_error("checkpoint", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("checkpoint", "unexpected argument '%s'",
                               argv[optind]);
    rc = cli_open("checkpoint", false, &t);
    if (rc)
        return rc;
    rc = et_trail_checkpoint(t, &note, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("checkpoint", &err);
    if (out) {
        FILE *f = fopen(out, "w");
        int bad = !f || fputs(note, f) < 0;

        if (f && fclose(f) != 0)
            bad = 1;
        if (bad) {
            fprintf(stderr, "exectrail checkpoint: cannot write %s: %s\n",
                    out, strerror(errno));
            et_trail_free_string(note);
            return EXIT_FAILURE_;
        }
    } else {
        fputs(note, stdout);
    }
    et_trail_free_string(note);
    return 0;
}
