/* SPDX-License-Identifier: MIT */
/* exectrail archive verify|list|search|restore: retention's bundles. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char help[] =
    "usage: exectrail archive verify [--key KEY|FILE] BUNDLE\n"
    "       exectrail archive list [--format table|jsonl] BUNDLE\n"
    "       exectrail archive search [--format table|jsonl] BUNDLE QUERY\n"
    "       exectrail archive restore [--key KEY|FILE] BUNDLE\n\n"
    "Archive bundles are written by `exectrail retention run`\n"
    "(docs/RETENTION.md has the format).\n\n"
    "  verify   check every record of the bundle: its events against their\n"
    "           inclusion proofs and the signed checkpoint, and the record\n"
    "           against what its events project to. Needs only the public\n"
    "           key: --key takes the verifier key text or a file holding it\n"
    "           (exectrail.pub); without it, the trail's own key. Exit 4\n"
    "           names the damaged record.\n"
    "  list     the records in the bundle\n"
    "  search   the records matching a query (docs/QUERY.md)\n"
    "  restore  verify, then bring the erased records back into the trail\n"
    "           byte for byte; records still present are left alone, so\n"
    "           restoring twice changes nothing\n";

/* The key text: a file's first line, or the argument itself. */
static int read_key(const char *arg, char **out)
{
    struct stat sb;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (!arg)
        return 0;
    if (stat(arg, &sb) == 0) {
        rc = cli_read_input("archive", arg, 4096, out, &len);
        if (rc)
            return rc;
        while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
            (*out)[--len] = '\0';
        return 0;
    }
    *out = strdup(arg);
    return *out ? 0 : EXIT_FAILURE_;
}

struct list_ui {
    bool jsonl;
    uint64_t n;
};

static int entry_line(void *ctx, const struct et_archive_entry *e)
{
    struct list_ui *ui = ctx;

    if (ui->jsonl) {
        printf("%.*s\n", (int)e->record_len, e->record ? e->record : "{}");
        ui->n++;
        return 0;
    }
    if (ui->n++ == 0)
        printf("%-36s  %-24s  %-20s  %s\n", "EXECUTION", "STARTED", "AGENT",
               "VERIFIED");
    printf("%-36s  %-24s  %-20.20s  %s\n", e->execution_id,
           e->timestamp_start ? e->timestamp_start : "-",
           e->agent_name ? e->agent_name : "-",
           e->verification ? e->verification : "-");
    return 0;
}

static int do_verify(const char *bundle, const char *key)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_archive_report rep;
    struct et_trail *t = NULL;
    int rc;

    if (!key && (rc = cli_open("archive", false, &t)))
        return rc;
    rc = et_archive_verify(t, bundle, key, &rep, &err);
    et_trail_close(t);
    if (rc == ET_EINTEGRITY) {
        printf("FAILED: %s\n", err.msg);
        if (rep.bad_execution[0])
            printf("  record: %s\n", rep.bad_execution);
        return EXIT_INTEGRITY;
    }
    if (rc)
        return cli_fail("archive", &err);
    printf("OK: %llu executions, %llu events proven against the signed "
           "checkpoint of %llu events (%s)\n",
           (unsigned long long)rep.executions, (unsigned long long)rep.events,
           (unsigned long long)rep.tree_size, rep.origin);
    return 0;
}

static int do_restore(const char *bundle, const char *key)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_archive_restore_result res;
    struct et_trail *t = NULL;
    int rc = cli_open("archive", true, &t);

    if (rc)
        return rc;
    rc = et_archive_restore(t, bundle, key, &res, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail("archive", &err);
    printf("restored %llu executions (%llu events); %llu already present\n",
           (unsigned long long)res.restored, (unsigned long long)res.events,
           (unsigned long long)res.present);
    return 0;
}

int cmd_archive(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"key", required_argument, 0, 'k'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct list_ui ui = {false, 0};
    const char *key_arg = NULL, *sub;
    char *key = NULL;
    int c, rc, want;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'k':
            key_arg = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "table") && strcmp(optarg, "jsonl"))
                return cli_usage_error("archive", "--format: table or jsonl");
            ui.jsonl = !strcmp(optarg, "jsonl");
            break;
        default:
            return cli_usage_error("archive", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("archive", "expected one of verify, list, "
                                          "search, restore");
    sub = argv[optind++];
    want = !strcmp(sub, "search") ? 2 : 1;
    if (strcmp(sub, "verify") && strcmp(sub, "list") && strcmp(sub, "search") &&
        strcmp(sub, "restore"))
        return cli_usage_error("archive", "unknown subcommand '%s'", sub);
    if (argc - optind != want)
        return cli_usage_error("archive", "%s takes %s", sub,
                               want == 2 ? "BUNDLE QUERY" : "BUNDLE");
    if ((rc = cli_check_inputs("archive", argv + optind, 1)))
        return rc;
    if ((rc = read_key(key_arg, &key)))
        return rc;
    if (!strcmp(sub, "verify")) {
        rc = do_verify(argv[optind], key);
    } else if (!strcmp(sub, "restore")) {
        rc = do_restore(argv[optind], key);
    } else {
        rc = !strcmp(sub, "list")
                 ? et_archive_list(argv[optind], entry_line, &ui, &err)
                 : et_archive_search(argv[optind], argv[optind + 1], entry_line,
                                     &ui, &err);
        rc = rc ? cli_fail("archive", &err) : 0;
        if (!rc && !ui.jsonl && !cli_quiet)
            fprintf(stderr, "%llu record(s)\n", (unsigned long long)ui.n);
    }
    free(key);
    return rc;
}
