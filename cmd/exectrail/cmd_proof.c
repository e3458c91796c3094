/* SPDX-License-Identifier: MIT */
/* exectrail proof: inclusion proofs for one execution. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail proof ID\n"
    "       exectrail proof --consistency OLD_SIZE\n\n"
    "Print, as JSON, every event of the execution with its leaf hash and an\n"
    "RFC 9162 inclusion proof against a freshly signed checkpoint, so a\n"
    "third party can check that the execution is in the trail without the\n"
    "store (docs/LEDGER.md explains the steps).\n\n"
    "--consistency OLD_SIZE: an RFC 9162 consistency proof, against a fresh\n"
    "signed checkpoint, that the log extends its first OLD_SIZE events\n"
    "unchanged (compare old_root with a checkpoint of that size).\n";

int cmd_proof(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"consistency", required_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *old = NULL;
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    char *json = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'c':
            old = optarg;
            break;
        default:
            return cli_usage_error("proof", "unknown option");
        }
    }
    if (old) {
        size_t m = 0;
        if (optind != argc)
            return cli_usage_error("proof", "--consistency takes no "
                                            "execution id");
        rc = cli_parse_count("proof", "--consistency", old, false, &m);
        if (rc)
            return rc;
        rc = cli_open("proof", false, &t);
        if (rc)
            return rc;
        rc = et_trail_consistency_proof(t, m, &json, &err);
    } else {
        if (optind + 1 != argc)
            return cli_usage_error("proof", "give one execution id");
        rc = cli_open("proof", false, &t);
        if (rc)
            return rc;
        rc = et_trail_proof(t, argv[optind], &json, &err);
    }
    et_trail_close(t);
    if (rc)
        return cli_fail("proof", &err);
    printf("%s\n", json);
    et_trail_free_string(json);
    return 0;
}
