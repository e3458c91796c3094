/* SPDX-License-Identifier: MIT */
/* exectrail import otlp: store OTLP trace/log request bodies from files. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <string.h>

#include "exectrail/otlp.h"

static const char help[] =
    "usage: exectrail import otlp [--type traces|logs] [--content-type TYPE]\n"
    "                             [--content-encoding gzip|identity] "
    "[--json] [--response OUT] FILE...|-\n\n"
    "Store OTLP/HTTP request bodies (what an OpenTelemetry exporter POSTs to\n"
    "/v1/traces or /v1/logs), one request per FILE, each in one transaction.\n"
    "GenAI spans map by the semantic conventions: invoke_agent -> execution,\n"
    "execute_tool -> its action, nested agents -> parent_execution_id; other\n"
    "spans and log records are kept as raw events (docs/INTEGRATIONS.md).\n"
    "Importing the same request again stores nothing twice.\n\n"
    "  --type T             traces (default) or logs; JSON bodies holding\n"
    "                       resourceLogs are taken as logs\n"
    "  --content-type T     application/x-protobuf or application/json\n"
    "                       (default: JSON when the body starts with '{',\n"
    "                       or a gzip FILE's name contains .json)\n"
    "  --content-encoding E gzip or identity (default: gzip when the body\n"
    "                       starts with the gzip magic bytes)\n"
    "  --json               one JSON result per file on stdout\n"
    "  --response OUT       write the OTLP response body (protobuf or JSON,\n"
    "                       as the request) of the last FILE to OUT\n\n"
    "exit status: 0 everything stored; 3 a body that is not OTLP (nothing\n"
    "of that file stored: the message names the field or byte offset), an\n"
    "unsupported content type, or spans rejected (the rest stored, as OTLP's\n"
    "partialSuccess); others as for every command.\n";

struct otlp_opts {
    int type; /* 0 auto, else enum et_otlp_signal */
    const char *ctype, *cenc, *response;
    bool json;
};

static void print_result(const char *path, const struct et_otlp_result *r,
                         enum et_otlp_signal sig, bool json)
{
    if (json) {
        struct json_object *o = json_object_new_object();

        if (!o)
            return;
        cli_set_str(o, "file", path);
        cli_set_str(o, "signal", sig == ET_OTLP_LOGS ? "logs" : "traces");
        json_object_object_add(o, "accepted",
                               json_object_new_int64((int64_t)r->accepted));
        json_object_object_add(o, "rejected",
                               json_object_new_int64((int64_t)r->rejected));
        json_object_object_add(o, "duplicates",
                               json_object_new_int64((int64_t)r->duplicates));
        json_object_object_add(o, "executions",
                               json_object_new_int64((int64_t)r->executions));
        json_object_object_add(o, "actions",
                               json_object_new_int64((int64_t)r->actions));
        json_object_object_add(o, "raw",
                               json_object_new_int64((int64_t)r->raw));
        json_object_object_add(o, "events",
                               json_object_new_int64((int64_t)r->events));
        if (r->message[0])
            cli_set_str(o, "message", r->message);
        puts(cli_json_text(o, NULL));
        json_object_put(o);
        return;
    }
    if (cli_quiet)
        return;
    fprintf(stderr,
            "%s: %llu %s stored (%llu execution(s), %llu action(s), %llu "
            "raw), %llu duplicate(s), %llu rejected%s%s\n",
            path, (unsigned long long)r->accepted,
            sig == ET_OTLP_LOGS ? "log record(s)" : "span(s)",
            (unsigned long long)r->executions, (unsigned long long)r->actions,
            (unsigned long long)r->raw, (unsigned long long)r->duplicates,
            (unsigned long long)r->rejected, r->message[0] ? ": " : "",
            r->message);
}

/* One file: sniff what was not given, ingest, report. Exit status. */
static int import_one(struct et_trail *t, const struct otlp_opts *o,
                      const char *path)
{
    struct et_otlp_result r;
    struct et_error err = ET_ERROR_INIT;
    const char *ctype = o->ctype, *cenc = o->cenc;
    enum et_otlp_signal sig =
        o->type ? (enum et_otlp_signal)o->type : ET_OTLP_TRACES;
    char *buf = NULL;
    size_t len = 0, i = 0;
    int rc;

    rc = cli_read_input("import", path, ET_OTLP_MAX_BODY, &buf, &len);
    if (rc)
        return rc;
    if (!cenc && len >= 2 && (unsigned char)buf[0] == 0x1f &&
        (unsigned char)buf[1] == 0x8b)
        cenc = "gzip";
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' ||
                       buf[i] == '\t'))
        i++;
    /* a gzip body is sniffed by its file name: x.json.gz is JSON */
    if (!ctype)
        ctype = (!cenc && i < len && buf[i] == '{') ||
                        (cenc && strstr(path, ".json"))
                    ? "application/json"
                    : "application/x-protobuf";
    if (!o->type && strstr(ctype, "json") && !cenc &&
        memmem(buf, len, "\"resourceLogs\"", 14))
        sig = ET_OTLP_LOGS;
    rc = et_otlp_ingest(t, sig, ctype, cenc, buf, len, &r, &err);
    free(buf);
    if (rc) {
        fprintf(stderr, "exectrail import: %s: %s\n", path, err.msg);
        return cli_exit_for(rc);
    }
    print_result(path, &r, sig, o->json);
    if (o->response) {
        FILE *f = fopen(o->response, "wb");

        if (!f || fwrite(r.response, 1, r.response_len, f) != r.response_len ||
            fclose(f) != 0) {
            fprintf(stderr, "exectrail import: cannot write %s\n", o->response);
            et_otlp_result_release(&r);
            return EXIT_FAILURE_;
        }
    }
    et_otlp_result_release(&r);
    return r.rejected ? EXIT_INPUT : 0;
}

/* argv[0] is "otlp". */
int cmd_import_otlp(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"type", required_argument, 0, 't'},
        {"content-type", required_argument, 0, 'c'},
        {"content-encoding", required_argument, 0, 'e'},
        {"json", no_argument, 0, 'j'},
        {"response", required_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct otlp_opts o = {0, NULL, NULL, NULL, false};
    struct et_trail *t = NULL;
    int c, rc, worst = 0;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 't':
            if (!strcmp(optarg, "traces"))
                o.type = ET_OTLP_TRACES;
            else if (!strcmp(optarg, "logs"))
                o.type = ET_OTLP_LOGS;
            else
                return cli_usage_error("import", "--type takes traces or logs");
            break;
        case 'c':
            o.ctype = optarg;
            break;
        case 'e':
            o.cenc = optarg;
            break;
        case 'j':
            o.json = true;
            break;
        case 'r':
            o.response = optarg;
            break;
        default:
            return cli_usage_error("import", "unknown option");
        }
    }
    if (optind >= argc)
        return cli_usage_error("import", "give at least one FILE (or -)");
    rc = cli_check_inputs("import", argv + optind, (size_t)(argc - optind));
    if (rc)
        return rc;
    rc = cli_open("import", true, &t);
    if (rc)
        return rc;
    for (int i = optind; i < argc; i++) {
        rc = import_one(t, &o, argv[i]);
        if (rc && (!worst || worst == EXIT_INPUT))
            worst = rc;
        if (rc && rc != EXIT_INPUT)
            break; /* a store error: the rest would fail too */
    }
    et_trail_close(t);
    return worst;
}
