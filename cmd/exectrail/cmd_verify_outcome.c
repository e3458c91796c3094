/* SPDX-License-Identifier: MIT */
/* exectrail verify-outcome: re-run the verification of one execution. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail verify-outcome ID [--expect PREDICATE]... [--only]\n"
    "                                [--json]\n\n"
    "Verify a completed execution again: its success criteria (from start\n"
    "--expect, the prompt's success-criteria block, the config file) plus\n"
    "the ones given here are evaluated against what it did, and the\n"
    "verdict, quality metrics, issues and learning are recorded as a new\n"
    "execution.analysed event. The earlier result stays in the ledger.\n\n"
    "  --expect PREDICATE  a criterion in the query language (repeat)\n"
    "  --only              use only the criteria given here\n"
    "  --json              print the new analysis as JSON\n\n"
    "exit status: 0 recorded (whatever the verdict), 3 bad criterion\n"
    "(nothing stored), 6 no such execution, 7 not completed yet\n";

static struct json_object *get(struct json_object *o, const char *k)
{
    struct json_object *v = NULL;

    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *sget(struct json_object *o, const char *k)
{
    struct json_object *v = get(o, k);

    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : "-";
}

static void print_text(const char *id, struct json_object *a)
{
    struct json_object *v = get(a, "verification");
    struct json_object *q = get(a, "quality_metrics");
    struct json_object *cr = get(v, "criteria"), *is = get(a, "issues");
    size_t n = cr ? json_object_array_length(cr) : 0;

    printf("%s: %s (confidence %.2f)%s\n", id, sget(v, "status"),
           json_object_get_double(get(v, "confidence_score")),
           json_object_get_boolean(get(v, "manual_verification_required"))
               ? ", manual verification required"
               : "");
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = json_object_array_get_idx(cr, i);

        printf("  %-13s %s\n  %13s %s\n", sget(c, "result"),
               sget(c, "criterion"), "", sget(c, "evidence"));
    }
    printf("quality: completeness %s, accuracy %s, efficiency %s; %s\n",
           sget(q, "completeness"), sget(q, "accuracy"), sget(q, "efficiency"),
           sget(q, "adherence_to_standards"));
    printf("issues: %zu\n", is ? json_object_array_length(is) : 0);
}

int cmd_verify_outcome(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"expect", required_argument, 0, 'x'},
        {"only", no_argument, 0, 'o'},
        {"json", no_argument, 0, 'J'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    struct json_object *res = NULL;
    const char **crit = calloc((size_t)argc + 1, sizeof(*crit));
    size_t n = 0;
    unsigned flags = 0;
    bool json = false;
    char *out = NULL;
    int c, rc = 0;

    if (!crit)
        return EXIT_FAILURE_;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            goto out;
        case 'D': cli_db = optarg; break;
        case 'x': crit[n++] = optarg; break;
        case 'o': flags |= ET_VERIFY_ONLY_GIVEN; break;
        case 'J': json = true; break;
        default:
            rc = cli_usage_error("verify-outcome", "unknown option");
            goto out;
        }
    }
    if (optind + 1 != argc) {
        rc = cli_usage_error("verify-outcome", "give one execution id");
        goto out;
    }
    if ((flags & ET_VERIFY_ONLY_GIVEN) && n == 0) {
        rc = cli_usage_error("verify-outcome", "--only needs --expect");
        goto out;
    }
    rc = cli_open("verify-outcome", true, &t);
    if (rc)
        goto out;
    rc = et_trail_verify_outcome(t, argv[optind], crit, flags, &out, &err);
    et_trail_close(t);
    if (rc) {
        rc = cli_fail("verify-outcome", &err);
        goto out;
    }
    if (json) {
        fputs(out, stdout);
        putchar('\n');
    } else {
        res = json_tokener_parse(out);
        print_text(argv[optind], res);
    }
out:
    json_object_put(res);
    et_trail_free_string(out);
    free(crit);
    return rc;
}
