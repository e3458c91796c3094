/* SPDX-License-Identifier: MIT */
/* exectrail migrate: copy a trail with its ledger to another store. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: exectrail migrate SRC DST\n\n"
    "Copy the trail at SRC to the empty store DST, between backends: each\n"
    "is a SQLite file path or a PostgreSQL connection string\n"
    "(postgresql://USER@HOST:PORT/DB, see docs/POSTGRES.md). Every ledger\n"
    "row is copied as stored (bytes, leaf hashes, erased payloads), with\n"
    "the trail's identity and signed checkpoints; then DST's projections\n"
    "are rebuilt from its ledger and the copy is proved: the same tree\n"
    "size and root as SRC's, and a full verification of DST. The keys\n"
    "(signing, fingerprint) are copied to DST's key directory when it has\n"
    "none. SRC is only read.\n\n"
    "  exectrail migrate ~/.local/share/exectrail/trail.db \\\n"
    "      'postgresql://exectrail@db.internal/trails'\n"
    "  exectrail migrate 'postgresql://exectrail@db.internal/trails' "
    "copy.db\n\n"
    "exit status: 0 copied and proved; 4 the copy does not prove; 7 DST\n"
    "already holds events, or its key directory other keys; others as for\n"
    "every command.\n";

/* A connection string as shown: any password replaced by '***'. */
static void shown(const char *target, char *out, size_t cap)
{
    const char *scheme = strstr(target, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;

    if (!at || !colon || colon > at) {
        snprintf(out, cap, "%s", target);
        return;
    }
    snprintf(out, cap, "%.*s:***%s", (int)(colon - target), target, at);
}

int cmd_migrate(int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_migrate_report rep;
    char s[1024], d[1024], hex[2 * sizeof(rep.root) + 1];
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            return cli_usage_error("migrate", "unknown option");
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("migrate", "expected SRC and DST");
    if (!strcmp(argv[optind], argv[optind + 1]))
        return cli_usage_error("migrate", "SRC and DST are the same store");
    shown(argv[optind], s, sizeof(s));
    shown(argv[optind + 1], d, sizeof(d));
    rc = et_trail_migrate(argv[optind], argv[optind + 1], &rep, &err);
    if (rc) {
        if (rep.events)
            fprintf(stderr,
                    "exectrail migrate: %llu events were copied to %s before "
                    "the failure; it is not a proved copy\n",
                    (unsigned long long)rep.events, d);
        return cli_fail("migrate", &err);
    }
    for (size_t i = 0; i < sizeof(rep.root); i++)
        snprintf(hex + 2 * i, 3, "%02x", rep.root[i]);
    printf("migrated %llu events and %llu signed checkpoint(s)\n"
           "  from %s\n  to   %s\n"
           "  tree size %llu, root %s (the same in both)\n"
           "  projections rebuilt from %llu events; the copy verifies\n",
           (unsigned long long)rep.events, (unsigned long long)rep.checkpoints,
           s, d, (unsigned long long)rep.size, hex,
           (unsigned long long)rep.rebuilt);
    return 0;
}
