/* SPDX-License-Identifier: MIT */
/* exectrail complete: close an execution (verification, quality, ...). */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail complete ID [options]\n\n"
    "Close the execution: timestamp_end (now unless given) and duration_ms\n"
    "are set; verification, quality metrics, issues and learning may be\n"
    "given here (the analysis commands fill them in otherwise).\n\n"
    "  --end T               timestamp_end (RFC 3339)\n"
    "  --status S            verification.status: MATCH, PARTIAL, MISMATCH "
    "or ERROR\n"
    "  --confidence X        verification.confidence_score (0..1)\n"
    "  --json FILE|-         {verification, quality_metrics, issues, "
    "learning, ...}\n"
    "  --no-analysis         do not run the analysis (verification against\n"
    "                        the success criteria, quality, issues, learning;\n"
    "                        docs/ANALYSIS.md) that otherwise fills the\n"
    "                        blocks not given here\n" CLI_USAGE_HELP
    "\nThe usage options merge into the usage object given before (start\n"
    "--model, then complete --tokens-in ...): docs/CLI.md.\n";

static int complete_plain(struct et_trail *t, const char *id,
                          const char *json, size_t len, struct et_error *err)
{
    et_trail_set_analysis(t, false);
    return et_trail_complete(t, id, json, len, err);
}

int cmd_complete(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"end", required_argument, 0, 'E'},
        {"status", required_argument, 0, 's'},
        {"confidence", required_argument, 0, 'c'},
        {"json", required_argument, 0, 'j'},
        {"no-analysis", no_argument, 0, 'N'},
        CLI_USAGE_OPTIONS,
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct json_object *o = json_object_new_object();
    const char *json_path = NULL;
    bool analysis = true;
    int c, rc = 0;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            json_object_put(o);
            return 0;
        case 'D': cli_db = optarg; break;
        case 'E': cli_set_str(o, "timestamp_end", optarg); break;
        case 's': cli_set_str(cli_child(o, "verification"), "status", optarg);
            break;
        case 'c': {
            char *end;
            double v = strtod(optarg, &end);

            if (*end || end == optarg) {
                rc = cli_usage_error("complete",
                                     "--confidence takes a number");
                goto out;
            }
            json_object_object_add(cli_child(o, "verification"),
                                   "confidence_score",
                                   json_object_new_double(v));
            break;
        }
        case 'j': json_path = optarg; break;
        case 'N': analysis = false; break;
        case CLI_OPT_MODEL:
        case CLI_OPT_TOKENS_IN:
        case CLI_OPT_TOKENS_OUT:
        case CLI_OPT_COST:
            if ((rc = cli_usage_option("complete", c, optarg, o)))
                goto out;
            break;
        default:
            rc = cli_usage_error("complete", "unknown option");
            goto out;
        }
    }
    rc = cli_run_phase("complete", argc, argv, optind, o, json_path,
                       analysis ? et_trail_complete : complete_plain);
out:
    json_object_put(o);
    return rc;
}
