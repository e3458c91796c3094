/* SPDX-License-Identifier: MIT */
/*
 * exectrail token: API tokens for `exectrail serve` (create, list, revoke).
 * Only a hash of each token is stored (api-tokens in the data directory,
 * mode 0600); the token is shown once, when it is created.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exectrail/http.h"

static const char help[] =
    "usage: exectrail token create --scope ingest|read|admin [--name NAME]\n"
    "                              [--expires N(h|d|w)] [--db PATH]\n"
    "       exectrail token list [--format text|json] [--db PATH]\n"
    "       exectrail token revoke ID [--db PATH]\n\n"
    "API tokens for `exectrail serve` (docs/API.md, \"Tokens\"). A request "
    "sends one as\n`Authorization: Bearer TOKEN`. Scopes: ingest (POST: "
    "record, lifecycle,\ncheckpoint, hooks), read (GET: executions, query, "
    "search, reports, proofs,\nmetrics), admin (everything).\n\n"
    "create  print a new token on standard output, once: only its SHA-256 "
    "is kept\n        (in api-tokens, mode 0600, in the data directory)\n"
    "list    the tokens' ids, scopes, names, creation and expiry times\n"
    "revoke  delete a token; a running server refuses it at once\n\n"
    "exit status: 0 ok, 1 failure, 2 usage, 3 bad scope or name, 6 no such "
    "token\n";

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int parse_expires(const char *s, int64_t *out)
{
    char *end = NULL;
    long long n;
    int64_t unit;

    errno = 0;
    if (*s < '0' || *s > '9')
        return -1;
    n = strtoll(s, &end, 10);
    if (errno || n < 1 || n > 100000 || !end[0] || end[1])
        return -1;
    unit = end[0] == 'h'   ? 3600
           : end[0] == 'd' ? 86400
           : end[0] == 'w' ? 7 * 86400
                           : 0;
    if (!unit)
        return -1;
    *out = now_ns() + (int64_t)n * unit * 1000000000LL;
    return 0;
}

static int create(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"scope", required_argument, 0, 's'},
                                         {"name", required_argument, 0, 'n'},
                                         {"expires", required_argument, 0, 'e'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    const char *scope = NULL, *name = NULL;
    char tok[ET_TOKEN_LEN], id[ET_TOKEN_ID_LEN];
    int64_t expires = 0;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 's':
            scope = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'e':
            if (parse_expires(optarg, &expires))
                return cli_usage_error("token", "--expires takes N followed "
                                                "by h, d or w, like 90d");
            break;
        default:
            return cli_usage_error("token", "unknown option");
        }
    }
    if (!scope)
        return cli_usage_error("token", "create needs --scope ingest, read "
                                        "or admin");
    if (optind != argc)
        return cli_usage_error("token", "unexpected argument '%s'",
                               argv[optind]);
    if (et_token_create(cli_db, scope, name, expires, tok, id, &err))
        return cli_fail("token", &err);
    printf("%s\n", tok);
    if (!cli_quiet)
        fprintf(stderr,
                "exectrail token: created token %s (scope %s); it is shown "
                "only now\n",
                id, scope);
    return 0;
}

struct list_ui {
    bool is_json;
    struct json_object *arr;
};

static int on_token(void *ctx, const struct et_token_info *i)
{
    struct list_ui *ui = ctx;
    char c[32], e[32];

    cli_time(i->created_ns, c);
    if (i->expires_ns)
        cli_time(i->expires_ns, e);
    if (ui->is_json) {
        struct json_object *o = json_object_new_object();
        cli_set_str(o, "id", i->id);
        cli_set_str(o, "scope", i->scope);
        cli_set_str(o, "name", i->name);
        cli_set_str(o, "created", c);
        json_object_object_add(
            o, "expires", i->expires_ns ? json_object_new_string(e) : NULL);
        json_object_object_add(o, "expired",
                               json_object_new_boolean(
                                   i->expires_ns && i->expires_ns <= now_ns()));
        json_object_array_add(ui->arr, o);
        return 0;
    }
    printf("%-16s  %-6s  %-24s  %-24s  %s\n", i->id, i->scope, c,
           i->expires_ns ? e : "never", i->name);
    return 0;
}

static int list(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"format", required_argument, 0, 'f'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct list_ui ui = {false, NULL};
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'f':
            if (!strcmp(optarg, "json"))
                ui.is_json = true;
            else if (strcmp(optarg, "text") != 0)
                return cli_usage_error("token", "--format is text or json");
            break;
        default:
            return cli_usage_error("token", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("token", "unexpected argument '%s'",
                               argv[optind]);
    if (ui.is_json)
        ui.arr = json_object_new_array();
    else
        printf("%-16s  %-6s  %-24s  %-24s  %s\n", "ID", "SCOPE", "CREATED",
               "EXPIRES", "NAME");
    rc = et_token_list(cli_db, on_token, &ui, &err);
    if (rc) {
        json_object_put(ui.arr);
        return cli_fail("token", &err);
    }
    if (ui.is_json) {
        printf("%s\n", json_object_to_json_string_ext(
                           ui.arr, JSON_C_TO_STRING_PRETTY |
                                       JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(ui.arr);
    }
    return 0;
}

static int revoke(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        default:
            return cli_usage_error("token", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("token", "revoke takes one token id");
    if (et_token_revoke(cli_db, argv[optind], &err))
        return cli_fail("token", &err);
    if (!cli_quiet)
        fprintf(stderr, "exectrail token: revoked %s\n", argv[optind]);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (!strcmp(argv[1], "create"))
        return create(argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "revoke"))
        return revoke(argc - 1, argv + 1);
    return cli_usage_error("token",
                           "unknown subcommand '%s' (create, list, "
                           "revoke)",
                           argv[1]);
}
