/* SPDX-License-Identifier: MIT */
/* exectrail start: phase 1, pre-delegation. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail start --agent NAME [options]\n\n"
    "Phase 1 (pre-delegation): record the intent, expectations and context\n"
    "before a subagent is called. Prints the new execution_id.\n\n"
    "  --agent NAME          agent_metadata.name (required)\n"
    "  --agent-version V     agent_metadata.version\n"
    "  --tools a,b,c         agent_metadata.tools_available\n"
    "  --config TEXT         agent_metadata.configuration\n"
    "  --session ID          session_id (default: $EXECTRAIL_SESSION_ID, "
    "else a new one)\n"
    "  --request TEXT        main_agent_context.user_request\n"
    "  --reasoning TEXT      main_agent_context.main_agent_reasoning (why "
    "this agent)\n"
    "  --expected TEXT       main_agent_context.expected_outcome (success "
    "criteria)\n"
    "  --risks TEXT          main_agent_context.risk_assessment\n"
    "  --expect PREDICATE    a success criterion in the query language, e.g.\n"
    "                        'output.raw_response ~ \"tests passed\"' (repeat;\n"
    "                        checked now, verified on complete: "
    "docs/ANALYSIS.md)\n"
    "  --parent ID           parent_execution_id\n"
    "  --id UUID             use this execution_id instead of a new one\n"
    "  --json FILE|-         more fields as a JSON object (flags win)\n"
    CLI_USAGE_HELP;

static void add_tools(struct json_object *meta, const char *list)
{
    struct json_object *arr = json_object_new_array();
    const char *p = list;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);

        if (n)
            json_object_array_add(arr, json_object_new_string_len(p, (int)n));
        p += n + (comma ? 1 : 0);
    }
    json_object_object_add(meta, "tools_available", arr);
}

int cmd_start(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"agent", required_argument, 0, 'a'},
        {"agent-version", required_argument, 0, 'V'},
        {"tools", required_argument, 0, 'T'},
        {"config", required_argument, 0, 'C'},
        {"session", required_argument, 0, 's'},
        {"request", required_argument, 0, 'r'},
        {"reasoning", required_argument, 0, 'R'},
        {"expected", required_argument, 0, 'e'},
        {"expect", required_argument, 0, 'x'},
        {"risks", required_argument, 0, 'k'},
        {"parent", required_argument, 0, 'p'},
        {"id", required_argument, 0, 'i'},
        {"json", required_argument, 0, 'j'},
        CLI_USAGE_OPTIONS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct json_object *doc = json_object_new_object();
    struct json_object *meta = json_object_new_object();
    struct json_object *ctx = json_object_new_object();
    struct json_object *expect = json_object_new_array();
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *json_path = NULL, *session = NULL, *text;
    char id[37];
    size_t len;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            rc = -1;
            goto out;
        case 'D': cli_db = optarg; break;
        case 'a': cli_set_str(meta, "name", optarg); break;
        case 'V': cli_set_str(meta, "version", optarg); break;
        case 'T': add_tools(meta, optarg); break;
        case 'C': cli_set_str(meta, "configuration", optarg); break;
        case 's': session = optarg; break;
        case 'r': cli_set_str(ctx, "user_request", optarg); break;
        case 'R': cli_set_str(ctx, "main_agent_reasoning", optarg); break;
        case 'e': cli_set_str(ctx, "expected_outcome", optarg); break;
        case 'k': cli_set_str(ctx, "risk_assessment", optarg); break;
        case 'x':
            json_object_array_add(expect, json_object_new_string(optarg));
            break;
        case 'p': cli_set_str(doc, "parent_execution_id", optarg); break;
        case 'i': cli_set_str(doc, "execution_id", optarg); break;
        case 'j': json_path = optarg; break;
        case CLI_OPT_MODEL:
        case CLI_OPT_TOKENS_IN:
        case CLI_OPT_TOKENS_OUT:
        case CLI_OPT_COST:
            if ((rc = cli_usage_option("start", c, optarg, doc)))
                goto out;
            break;
        default:
            rc = cli_usage_error("start", "unknown option");
            goto out;
        }
    }
    if (optind < argc) {
        rc = cli_usage_error("start", "unexpected argument '%s'",
                             argv[optind]);
        goto out;
    }
    if (!session)
        session = getenv("EXECTRAIL_SESSION_ID");
    if (session && *session)
        cli_set_str(doc, "session_id", session);
    if (json_object_object_length(meta))
        json_object_object_add(doc, "agent_metadata", json_object_get(meta));
    if (json_object_array_length(expect))
        json_object_object_add(ctx, "success_criteria",
                               json_object_get(expect));
    if (json_object_object_length(ctx))
        json_object_object_add(doc, "main_agent_context",
                               json_object_get(ctx));
    if (json_path && (rc = cli_merge_json("start", doc, json_path)))
        goto out;
    if (!json_object_object_get_ex(doc, "session_id", NULL)) {
        /* a session of its own, so the execution is never orphaned */
        char sid[37];

        if (et_uuid_new(sid) == ET_OK)
            cli_set_str(doc, "session_id", sid);
    }
    rc = cli_open("start", true, &t);
    if (rc)
        goto out;
    text = cli_json_text(doc, &len);
    rc = et_trail_start(t, text, len, id, &err);
    et_trail_close(t);
    if (rc) {
        rc = cli_fail("start", &err);
        goto out;
    }
    printf("%s\n", id);
out:
    json_object_put(meta);
    json_object_put(ctx);
    json_object_put(expect);
    json_object_put(doc);
    return rc < 0 ? 0 : rc;
}
