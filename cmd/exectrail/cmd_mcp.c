/* SPDX-License-Identifier: MIT */
/*
 * exectrail mcp: the MCP server over stdio (newline-delimited JSON-RPC;
 * stdout carries only protocol messages, notes go to stderr), and
 * `exectrail mcp install`, which adds the server to Claude Code's MCP
 * configuration (.mcp.json or ~/.claude.json), with a backup.
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exectrail/mcp.h"

static const char usage_text[] =
    "usage: exectrail mcp [--db PATH]\n"
    "       exectrail mcp install [--db PATH] [--scope project|user] "
    "[--settings FILE]\n"
    "                                     [--name NAME] [--force]\n\n"
    "Serve the Model Context Protocol on stdin/stdout (one JSON-RPC message "
    "per line;\nprotocol versions 2026-07-28 and 2025-11-25 back to "
    "2024-11-05). Agents record\nand search their executions with the "
    "execution_* tools, or with the graphiti-\nmemory tools add_memory and "
    "search_memory_facts (docs/MCP.md). Notes and errors\ngo to stderr; the "
    "server ends at end of input.\n\n"
    "install: add the server to Claude Code's MCP configuration, pinned to "
    "the store\n(--db) it was run against:\n"
    "  --scope project   ./.mcp.json (the default)\n"
    "  --scope user      ~/.claude.json\n"
    "  --settings FILE   that file instead\n"
    "  --name NAME       the server's name (default graphiti-memory, so the "
    "spec's\n                    mcp__graphiti-memory__* calls reach it)\n"
    "  --force           replace an entry of that name that is not "
    "exectrail's\n"
    "The previous file is kept as FILE.bak; running it twice changes "
    "nothing.\n\nexit status: 0 ok, 1 failure, 2 usage, 5 store "
    "unavailable\n";

/* ---- the server ---- */

struct line {
    char *p;
    size_t len, cap;
    bool too_long;
};

/* Read one line (without its newline) of at most max bytes; longer lines
 * are skipped to their end and flagged. Returns false at end of input. */
static bool read_line(FILE *in, struct line *l, size_t max)
{
    int c;
    bool any = false;

    l->len = 0;
    l->too_long = false;
    while ((c = getc(in)) != EOF) {
        any = true;
        if (c == '\n')
            return true;
        if (l->too_long)
            continue;
        if (l->len >= max) {
            l->too_long = true;
            continue;
        }
        if (l->len + 1 >= l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 4096;
            char *p = realloc(l->p, cap);
            if (!p) {
                l->too_long = true;
                continue;
            }
            l->p = p;
            l->cap = cap;
        }
        l->p[l->len++] = (char)c;
    }
    return any;
}

static bool emit(const char *s, size_t n)
{
    return fwrite(s, 1, n, stdout) == n && fflush(stdout) == 0;
}

static int serve(void)
{
    struct et_trail *t = NULL;
    struct et_mcp *m = NULL;
    struct et_error err = ET_ERROR_INIT;
    struct line l = {NULL, 0, 0, false};
    int rc = cli_open("mcp", true, &t);

    if (rc)
        return rc;
    if (et_mcp_new(t, &m, &err) != ET_OK) {
        et_trail_close(t);
        return cli_fail("mcp", &err);
    }
    signal(SIGPIPE, SIG_IGN);
    if (!cli_quiet)
        fprintf(stderr, "exectrail mcp: serving %s on stdio\n",
                et_trail_path(t));
    rc = EXIT_OK_;
    while (read_line(stdin, &l, ET_MCP_MAX_MESSAGE)) {
        char *out = NULL;
        size_t n = 0;

        if (l.too_long) {
            static const char big[] =
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,"
                "\"message\":\"Invalid Request: message too large\"}}\n";
            if (!emit(big, sizeof(big) - 1))
                break;
            continue;
        }
        if (et_mcp_handle(m, l.p ? l.p : "", l.len, &out, &n) != ET_OK) {
            static const char nomem[] =
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,"
                "\"message\":\"Internal error: out of memory\"}}\n";
            if (!emit(nomem, sizeof(nomem) - 1))
                break;
            continue;
        }
        if (n && !emit(out, n)) {
            free(out);
            break;
        }
        free(out);
    }
    free(l.p);
    et_mcp_free(m);
    et_trail_close(t);
    return rc;
}

/* ---- install ---- */

static int config_path(bool user, const char *given, char out[PATH_MAX])
{
    const char *home = getenv("HOME");
    int n;

    if (given)
        n = snprintf(out, PATH_MAX, "%s", given);
    else if (!user)
        n = snprintf(out, PATH_MAX, ".mcp.json");
    else if (home && *home)
        n = snprintf(out, PATH_MAX, "%s/.claude.json", home);
    else
        return -1;
    return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* The server entry: {"type":"stdio","command":exe,"args":["--db",store,
 * "mcp"],"env":{}}. */
static struct json_object *entry(const char *store)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    struct json_object *e = json_object_new_object(),
                       *a = json_object_new_array();

    if (n <= 0)
        snprintf(exe, sizeof(exe), "exectrail");
    else
        exe[n] = '\0';
    if (!e || !a ||
        json_object_object_add(e, "type", json_object_new_string("stdio")) ||
        json_object_object_add(e, "command", json_object_new_string(exe)) ||
        json_object_array_add(a, json_object_new_string("--db")) ||
        json_object_array_add(a, json_object_new_string(store)) ||
        json_object_array_add(a, json_object_new_string("mcp"))) {
        json_object_put(e);
        json_object_put(a);
        return NULL;
    }
    if (json_object_object_add(e, "args", a)) {
        json_object_put(a);
        json_object_put(e);
        return NULL;
    }
    if (json_object_object_add(e, "env", json_object_new_object())) {
        json_object_put(e);
        return NULL;
    }
    return e;
}

static bool is_ours(struct json_object *e)
{
    struct json_object *a, *last;
    size_t n;

    if (!json_object_object_get_ex(e, "args", &a) ||
        !json_object_is_type(a, json_type_array))
        return false;
    n = json_object_array_length(a);
    last = n ? json_object_array_get_idx(a, n - 1) : NULL;
    return last && !strcmp(json_object_get_string(last), "mcp") &&
           strstr(json_object_get_string(json_object_object_get(e, "command")),
                  "exectrail") != NULL;
}

/* a server store (docs/POSTGRES.md): a connection string, not a file */
static bool is_server(const char *store)
{
    return !strncmp(store, "postgresql://", 13) ||
           !strncmp(store, "postgres://", 11);
}

/* A file that exists, or a server store that holds a trail. */
static bool store_exists(const char *store)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;

    if (!is_server(store))
        return access(store, F_OK) == 0;
    if (et_trail_open(store, ET_OPEN_READONLY, &t, NULL, &err) != ET_OK)
        return false;
    et_trail_close(t);
    return true;
}

static int install(int argc, char **argv)
{
    static const struct option longs[] = {
        {"scope", required_argument, NULL, 's'},
        {"settings", required_argument, NULL, 'f'},
        {"name", required_argument, NULL, 'n'},
        {"force", no_argument, NULL, 'F'},
        {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *given = NULL, *name = "graphiti-memory";
    bool user = false, force = false, exists;
    char path[PATH_MAX], store[PATH_MAX], real[PATH_MAX];
    struct et_error err = ET_ERROR_INIT;
    struct json_object *o = NULL, *servers, *old = NULL, *e = NULL;
    char *raw = NULL;
    size_t rawlen = 0;
    int c, rc = EXIT_FAILURE_;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 's':
            if (!strcmp(optarg, "user"))
                user = true;
            else if (strcmp(optarg, "project"))
                return cli_usage_error("mcp install",
                                       "--scope must be project or user, "
                                       "not '%s'",
                                       optarg);
            break;
        case 'f':
            given = optarg;
            break;
        case 'n':
            if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGH"
                                           "IJKLMNOPQRSTUVWXYZ0123456789_-") !=
                                strlen(optarg))
                return cli_usage_error("mcp install",
                                       "--name must be letters, digits, '_' "
                                       "or '-', not '%s'",
                                       optarg);
            name = optarg;
            break;
        case 'F':
        case 'D':
            cli_db = optarg;
            break;
            force = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_OK_;
        default:
            return cli_usage_error("mcp install", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("mcp install", "unexpected argument '%s'",
                               argv[optind]);
    if (config_path(user, given, path))
        return cli_usage_error("mcp install", "HOME is not set; give "
                                              "--settings FILE");
    if (et_trail_locate(cli_db, store, sizeof(store), &err) != ET_OK)
        return cli_fail("mcp install", &err);
    if (!store_exists(store)) {
        fprintf(stderr,
                "exectrail mcp install: no store at %s (run 'exectrail "
                "init' first)\n",
                store);
        return EXIT_UNAVAIL;
    }
    if (!is_server(store) && realpath(store, real))
        snprintf(store, sizeof(store), "%s", real);
    exists = access(path, F_OK) == 0;
    if (exists) {
        if (cli_read_input("mcp install", path, 64u << 20, &raw, &rawlen))
            return EXIT_FAILURE_;
        if (rawlen == strspn(raw, " \t\r\n"))
            o = json_object_new_object();
        else
            o = json_tokener_parse(raw);
        if (!o || !json_object_is_type(o, json_type_object)) {
            fprintf(stderr,
                    "exectrail mcp install: %s is not a JSON object; left "
                    "unchanged\n",
                    path);
            goto out;
        }
    } else {
        o = json_object_new_object();
    }
    if (!o)
        goto out;
    if (!json_object_object_get_ex(o, "mcpServers", &servers)) {
        servers = json_object_new_object();
        if (!servers || json_object_object_add(o, "mcpServers", servers)) {
            json_object_put(servers);
            goto out;
        }
    } else if (!json_object_is_type(servers, json_type_object)) {
        fprintf(stderr,
                "exectrail mcp install: %s: mcpServers is not an "
                "object; left unchanged\n",
                path);
        goto out;
    }
    e = entry(store);
    if (!e)
        goto out;
    if (json_object_object_get_ex(servers, name, &old)) {
        if (json_object_equal(old, e)) {
            printf("%s: server '%s' already installed (store %s); nothing "
                   "changed\n",
                   path, name, store);
            rc = EXIT_OK_;
            goto out;
        }
        if (!is_ours(old) && !force) {
            fprintf(stderr,
                    "exectrail mcp install: %s already has a server named "
                    "'%s' that is not exectrail's; left unchanged (use "
                    "--name or --force)\n",
                    path, name);
            rc = EXIT_CONFLICT;
            goto out;
        }
    }
    if (json_object_object_add(servers, name, json_object_get(e))) {
        json_object_put(e);
        goto out;
    }
    rc =
        cli_save_file("mcp install", path, raw, rawlen, exists,
                      json_object_to_json_string_ext(
                          o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                 JSON_C_TO_STRING_NOSLASHESCAPE),
                      NULL);
    if (rc == 0)
        printf("%s: %s server '%s' (%s --db %s mcp)%s%s%s\n", path,
               old ? "updated" : "added", name,
               json_object_get_string(json_object_object_get(e, "command")),
               store, exists ? "; previous file kept as " : "",
               exists ? path : "", exists ? ".bak" : "");
out:
    json_object_put(e);
    json_object_put(o);
    free(raw);
    return rc;
}

int cmd_mcp(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "install"))
        return install(argc - 1, argv + 1);
    if (cli_wants_help(argc, argv)) {
        fputs(usage_text, stdout);
        return EXIT_OK_;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--db") && i + 1 < argc)
            cli_db = argv[++i];
        else if (!strncmp(argv[i], "--db=", 5))
            cli_db = argv[i] + 5;
        else
            return cli_usage_error("mcp",
                                   "unexpected argument '%s' (the server "
                                   "takes only --db; see --help)",
                                   argv[i]);
    }
    return serve();
}
