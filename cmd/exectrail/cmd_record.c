/* SPDX-License-Identifier: MIT */
/* exectrail record: store one complete spec record. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail record [--db PATH] [FILE|-]\n\n"
    "Record one execution given as the spec's JSON record (docs/RECORD.md)\n"
    "from FILE or standard input, in one durable transaction, and print its\n"
    "execution_id (generated when the record has none).\n\n"
    "Invalid input is rejected with the JSON path or byte offset of the\n"
    "problem, exit status 3, and nothing stored. A record whose execution_id\n"
    "is already stored exits with status 7.\n";

int cmd_record(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *path = "-";
    char id[37], *json = NULL;
    size_t len;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return 0;
        }
        if (c == 'D')
            cli_db = optarg;
        else
            return cli_usage_error("record", "unknown option");
    }
    if (optind < argc)
        path = argv[optind++];
    if (optind < argc)
        return cli_usage_error("record", "give one file (or - for stdin)");
    rc = cli_read_input("record", path, CLI_MAX_INPUT, &json, &len);
    if (rc)
        return rc;
    rc = cli_open("record", true, &t);
    if (rc) {
        free(json);
        return rc;
    }
    rc = et_trail_record(t, json, len, id, &err);
    free(json);
    et_trail_close(t);
    if (rc)
        return cli_fail("record", &err);
    printf("%s\n", id);
    return 0;
}
