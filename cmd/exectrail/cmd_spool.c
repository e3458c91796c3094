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
    "inputs, kept with the reason they were refused), says where the\n"
    "spooled inputs wait, and how much of the spool's reserve (space\n"
    "allocated up front for a full disk; $EXECTRAIL_SPOOL_RESERVE) is left.\n";

struct where {
    struct json_object *list; /* --json: the locations array */
    const char *data_dir;
};

/* Add val (transferred, even on failure) to obj; ET_ENOMEM on failure. */
static int add(struct json_object *obj, const char *key,
               struct json_object *val)
{
    if (!val || json_object_object_add(obj, key, val) != 0) {
        json_object_put(val);
        return ET_ENOMEM;
    }
    return ET_OK;
}

static int print_location(const char *sdir, uint64_t n, void *ctx)
{
    struct where *w = ctx;
    struct json_object *o;

    if (w->list) {
        o = json_object_new_object();
        if (!o || add(o, "dir", json_object_new_string(sdir)) ||
            add(o, "spooled", json_object_new_int64((int64_t)n)) ||
            json_object_array_add(w->list, o) != 0) {
            json_object_put(o);
            return ET_ENOMEM;
        }
    } else if (n) {
        printf("  %llu in %s%s\n", (unsigned long long)n, sdir,
               strcmp(sdir, w->data_dir) ? " (fallback)" : "");
    }
    return 0;
}

static int status(const char *dir, bool json)
{
    struct et_error err = ET_ERROR_INIT;
    struct where w = {NULL, dir};
    struct json_object *doc = NULL, *res = NULL;
    uint64_t sp = 0, q = 0, have = 0, want = 0;
    int rc;

    if (et_ingest_spool_status(dir, &sp, &q, &err) ||
        et_ingest_spool_reserve(dir, false, &have, &want, &err))
        return cli_fail("spool", &err);
    if (!json) {
        printf("spooled: %llu\nquarantined: %llu\n", (unsigned long long)sp,
               (unsigned long long)q);
        rc = et_ingest_spool_locations(dir, print_location, &w, &err);
        if (rc)
            return cli_fail("spool", &err);
        printf("reserve: %llu of %llu bytes\n", (unsigned long long)have,
               (unsigned long long)want);
        return 0;
    }
    doc = json_object_new_object();
    res = json_object_new_object();
    w.list = json_object_new_array();
    rc = doc && res && w.list ? ET_OK : ET_ENOMEM;
    if (!rc)
        rc = et_ingest_spool_locations(dir, print_location, &w, &err);
    if (!rc && (add(doc, "spooled", json_object_new_int64((int64_t)sp)) ||
                add(doc, "quarantined", json_object_new_int64((int64_t)q)) ||
                add(res, "bytes", json_object_new_int64((int64_t)have)) ||
                add(res, "target", json_object_new_int64((int64_t)want))))
        rc = ET_ENOMEM;
    if (!rc) {
        rc = add(doc, "locations", w.list);
        w.list = NULL;
    }
    if (!rc) {
        rc = add(doc, "reserve", res);
        res = NULL;
    }
    if (!rc)
        printf("%s\n", cli_json_text(doc, NULL));
    json_object_put(w.list);
    json_object_put(res);
    json_object_put(doc);
    if (rc == ET_ENOMEM)
        et_error_set(&err, rc, "out of memory");
    return rc ? cli_fail("spool", &err) : 0;
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
