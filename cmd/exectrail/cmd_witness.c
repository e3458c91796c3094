/* SPDX-License-Identifier: MIT */
/* exectrail witness: be a C2SP tlog witness for other trails. */
#define _GNU_SOURCE 1
#include "cli.h"
#include "exectrail/ingest.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail witness init [--name NAME] [--dir DIR]\n"
    "       exectrail witness trust ORIGIN LOG_VKEY [--dir DIR]\n"
    "       exectrail witness list [--dir DIR]\n\n"
    "Witness other exectrail trails (C2SP tlog-witness): a witness keeps,\n"
    "for each trail it trusts, the newest checkpoint it cosigned, and\n"
    "cosigns a new one only when a consistency proof shows it extends that\n"
    "one. Run it on another machine than the trails it witnesses: whoever\n"
    "holds a trail's key can re-sign that trail, but cannot forge the\n"
    "witness's cosignature or make it cosign a rewritten history\n"
    "(docs/SECURITY.md, \"Witnesses\").\n\n"
    "  init        create the witness key (once) and print its verifier key,\n"
    "              which the trails give to --witness-key\n"
    "  trust       trust a trail: its origin and verifier key, the line\n"
    "              'exectrail checkpoint --identity' prints on that trail\n"
    "  list        the trails trusted and the tree size last cosigned\n\n"
    "Then serve: exectrail serve --listen HOST:PORT --witness; the trails\n"
    "push with exectrail checkpoint --push http://HOST:PORT/witness\n"
    "--witness-key VKEY.\n\n"
    "  --dir DIR   the witness directory (default: witness/ in the data\n"
    "              directory, beside the trail)\n"
    "  --name NAME the key's name (init only; default\n"
    "              exectrail-witness-<random>), e.g. witness.example.com/w1\n\n"
    "exit status: 0 done, 2 usage, 3 bad origin or key, 7 already so\n";

int cli_witness_dir(const char *verb, const char *given, char *out,
                    size_t cap)
{
    struct et_error err = ET_ERROR_INIT;
    char data[PATH_MAX];

    if (given) {
        if (snprintf(out, cap, "%s", given) >= (int)cap)
            return cli_usage_error(verb, "witness directory path too long");
        return 0;
    }
    if (et_ingest_data_dir(cli_db, data, sizeof(data), &err) != ET_OK)
        return cli_fail(verb, &err);
    if (snprintf(out, cap, "%s/witness", data) >= (int)cap)
        return cli_usage_error(verb, "witness directory path too long");
    return 0;
}

static int show_log(void *ctx, const struct et_witness_log *log)
{
    (void)ctx;
    if (log->has_state)
        printf("%s  cosigned up to %llu\n  %s\n", log->origin,
               (unsigned long long)log->size, log->vkey);
    else
        printf("%s  nothing cosigned yet\n  %s\n", log->origin, log->vkey);
    return 0;
}

int cmd_witness(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"dir", required_argument, 0, 'd'},
                                         {"name", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    const char *given = NULL, *name = NULL, *sub;
    char dir[PATH_MAX], vkey[256];
    bool created = false;
    int c, rc, n_args;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'd': given = optarg; break;
        case 'n': name = optarg; break;
        default: return cli_usage_error("witness", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("witness", "want init, trust or list");
    sub = argv[optind++];
    n_args = argc - optind;
    if (name && strcmp(sub, "init") != 0)
        return cli_usage_error("witness", "--name goes with init");
    rc = cli_witness_dir("witness", given, dir, sizeof(dir));
    if (rc)
        return rc;
    if (strcmp(sub, "init") == 0) {
        if (n_args != 0)
            return cli_usage_error("witness", "init takes no argument");
        rc = et_witness_init(dir, name, vkey, sizeof(vkey), &created, &err);
        if (rc)
            return cli_fail("witness", &err);
        printf("%s\n", vkey);
        if (!cli_quiet)
            fprintf(stderr, "exectrail witness: %s key in %s\n",
                    created ? "new" : "existing", dir);
        return 0;
    }
    if (strcmp(sub, "trust") == 0) {
        if (n_args != 2)
            return cli_usage_error("witness",
                                   "trust takes ORIGIN LOG_VKEY (the line "
                                   "'exectrail checkpoint --identity' "
                                   "prints)");
        rc = et_witness_trust(dir, argv[optind], argv[optind + 1], &err);
        if (rc)
            return cli_fail("witness", &err);
        if (!cli_quiet)
            fprintf(stderr, "exectrail witness: trusting %s\n", argv[optind]);
        return 0;
    }
    if (strcmp(sub, "list") == 0) {
        if (n_args != 0)
            return cli_usage_error("witness", "list takes no argument");
        rc = et_witness_list(dir, show_log, NULL, &err);
        return rc ? cli_fail("witness", &err) : 0;
    }
    return cli_usage_error("witness", "unknown subcommand '%s' (want init, "
                                      "trust or list)",
                           sub);
}
