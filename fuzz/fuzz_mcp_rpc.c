/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the MCP server core: the input is split into lines
 * and each is handled as one JSON-RPC message by a server over a real
 * (temporary) trail. Every reply must be newline-terminated JSON objects
 * with "jsonrpc":"2.0" and a result, an error or a method; nothing may
 * crash or leak.
 */
#define _GNU_SOURCE 1
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "base/setup.h"
#include "exectrail/mcp.h"
#include "exectrail/trail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct et_trail *trail;
static struct et_mcp *server;
static char dir[4096];

static int rm_one(const char *p, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void cleanup(void)
{
    et_mcp_free(server);
    et_trail_close(trail);
    if (dir[0])
        (void)nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup_once(void)
{
    char db[4200];
    const char *tmp = getenv("TMPDIR");
    struct et_error err = ET_ERROR_INIT;

    if (server)
        return;
    snprintf(dir, sizeof(dir), "%s/et-fuzz-mcp-XXXXXX",
             tmp && *tmp && strlen(tmp) < 4000 ? tmp : "/tmp");
    if (!mkdtemp(dir))
        ET_BUG("mkdtemp");
    snprintf(db, sizeof(db), "%s/trail.db", dir);
    if (et_trail_open(db, ET_OPEN_CREATE, &trail, NULL, &err) != ET_OK ||
        et_mcp_new(trail, &server, &err) != ET_OK)
        ET_BUG("cannot open a trail for the fuzzer");
    atexit(cleanup);
}

static void check_reply(const char *out, size_t len)
{
    const char *p, *end;

    if (!out) /* a notification: no reply (NULL + 0 is undefined in C) */
        return;
    p = out;
    end = out + len;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        struct json_object *m, *v;
        if (!nl)
            ET_BUG("reply not newline-terminated");
        m = json_tokener_parse(p);
        if (!m || !json_object_is_type(m, json_type_object) ||
            !json_object_object_get_ex(m, "jsonrpc", &v) ||
            strcmp(json_object_get_string(v), "2.0"))
            ET_BUG("reply is not a JSON-RPC message");
        if (!json_object_object_get_ex(m, "method", NULL) &&
            !json_object_object_get_ex(m, "result", NULL) &&
            !json_object_object_get_ex(m, "error", NULL))
            ET_BUG("reply has neither result nor error");
        json_object_put(m);
        p = nl + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;

    setup_once();
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = malloc(n + 1), *out = NULL;
        size_t olen = 0;

        if (!line)
            return 0;
        memcpy(line, p, n);
        line[n] = '\0';
        if (et_mcp_handle(server, line, n, &out, &olen) != ET_OK)
            ET_BUG("et_mcp_handle failed");
        check_reply(out, olen);
        free(out);
        free(line);
        p += n + (nl ? 1 : 0);
    }
    return 0;
}
