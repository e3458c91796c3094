/* SPDX-License-Identifier: MIT */
/*
 * exectrail creds find: the executions that used a credential. The secret
 * is read from stdin or a file (never argv, which other users can see),
 * fingerprinted with the installation's key, and looked up with the query
 * language (credential.fingerprint), printed as `exectrail query` does.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SECRET (1024 * 1024)
#define MAX_FPS    64

static const char help[] =
    "usage: exectrail creds find [--file FILE] [--format table|json|jsonl|"
    "csv|ids]\n"
    "                            [--limit N]\n\n"
    "List the executions that used a credential. The secret is read from\n"
    "stdin (or FILE), never from the command line. Its fingerprint, and\n"
    "that of every secret the redaction rules find inside it (a whole\n"
    "credentials file works), are looked up as\n"
    "  exectrail query 'credential.fingerprint FP...'\n"
    "Examples:\n"
    "  printf %s \"$AWS_ACCESS_KEY_ID\" | exectrail creds find\n"
    "  exectrail creds find --file ~/.aws/credentials --format ids\n\n"
    "The fingerprints found are printed on stderr (not with -q).\n"
    "Exit status 6 when the trail has no redaction key, 3 for an empty\n"
    "secret. docs/SECURITY.md explains fingerprints.\n";

struct fps {
    char q[64 + MAX_FPS * 20];
    size_t n;
};

static int add_fp(void *ctx, const char *kind, const char *fp)
{
    struct fps *f = ctx;
    size_t used = strlen(f->q);

    if (f->n == MAX_FPS)
        return 0;
    if (!cli_quiet)
        fprintf(stderr, "fingerprint %s (%s)\n", fp, kind);
    snprintf(f->q + used, sizeof(f->q) - used, " %s", fp);
    f->n++;
    return 0;
}

static int find(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"file", required_argument, 0, 'F'},
                                         {"format", required_argument, 0, 'f'},
                                         {"limit", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct fps f;
    char verb[] = "query", fopt[] = "--format", lopt[] = "--limit";
    char format[16] = "table", limit[24] = "0";
    int fi = 0;
    const char *file = "-";
    char *secret = NULL;
    size_t len = 0;
    int c, rc;

    while ((c = getopt_long(argc, argv, "hn:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'F':
            file = optarg;
            break;
        case 'f':
            if (cli_parse_format("creds", optarg, cli_fmt_names, &fi))
                return EXIT_USAGE;
            snprintf(format, sizeof(format), "%s", optarg);
            break;
        case 'n':
            snprintf(limit, sizeof(limit), "%s", optarg);
            break;
        default:
            return cli_usage_error("creds find", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("creds find",
                               "the secret is read from stdin or --file, "
                               "not from the command line");
    rc = cli_read_input("creds find", file, MAX_SECRET, &secret, &len);
    if (rc)
        return rc;
    rc = cli_open("creds find", false, &t);
    if (rc) {
        free(secret);
        return rc;
    }
    snprintf(f.q, sizeof(f.q), "credential.fingerprint");
    f.n = 0;
    rc = et_trail_fingerprints(t, secret, len, add_fp, &f, &err);
    memset(secret, 0, len);
    free(secret);
    et_trail_close(t);
    if (rc)
        return cli_fail("creds find", &err);
    {
        char *qargv[] = {verb, fopt, format, lopt, limit, f.q, NULL};

        optind = 0; /* a fresh getopt scan for the query verb */
        return cmd_query(6, qargv);
    }
}

int cmd_creds(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "find"))
        return find(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        fputs(help, stdout);
        return 0;
    }
    return cli_usage_error("creds", "expected 'find' (see --help)");
}
