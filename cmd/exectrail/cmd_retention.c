/* SPDX-License-Identifier: MIT */
/*
 * exectrail retention plan|run|schedule, hold and unhold: the spec's
 * retention policy (docs/RETENTION.md).
 */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: exectrail retention plan [--at DATE] [--all] [--format "
    "table|jsonl]\n"
    "       exectrail retention run [--at DATE] [--dry-run] [--dir DIR]\n"
    "       exectrail retention schedule [--at DATE] [--run-due]\n\n"
    "Apply the retention policy (<data dir>/retention.yaml, else the spec's\n"
    "defaults: successful 90 days, failed 180 days, high quality 365 days,\n"
    "security relevant 2 years; the longest class that applies wins; legal\n"
    "holds win over everything).\n\n"
    "  plan      what would be archived and erased, what is kept, and why\n"
    "            (expired and held executions; --all lists every one)\n"
    "  run       archive every expired execution into a bundle in\n"
    "            <data dir>/archive (or --dir), verify it, then erase them:\n"
    "            payloads go, leaf hashes stay, `verify` still passes.\n"
    "            --dry-run only counts. A run that was killed is completed\n"
    "            by the next one.\n"
    "  schedule  show the cleanup schedule (daily, weekly, monthly,\n"
    "            quarterly); --run-due runs what is due and records it\n\n"
    "--at DATE   act as if it were DATE (RFC 3339 or YYYY-MM-DD); default\n"
    "            now ($EXECTRAIL_NOW when set)\n";

static int load_policy(struct et_trail *t, struct et_ret_policy *p)
{
    struct et_error err = ET_ERROR_INIT;

    if (et_ret_policy_load(t, p, &err) == ET_OK)
        return 0;
    return cli_fail("retention", &err);
}

static const char *action_name(enum et_ret_action a)
{
    return a == ET_RET_EXPIRE ? "EXPIRE" : a == ET_RET_HOLD ? "HOLD" : "KEEP";
}

struct plan_ui {
    bool all, jsonl;
    uint64_t n;
};

static void classes_text(unsigned c, char *out, size_t cap)
{
    size_t len = 0;

    out[0] = '\0';
    for (unsigned i = 0; i < ET_RET_CLASS_COUNT; i++) {
        if (!(c & (1u << i)))
            continue;
        len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "," : "",
                                et_ret_class_name((enum et_ret_class)i));
        if (len >= cap)
            break;
    }
}

static int plan_line(void *ctx, const struct et_ret_item *it)
{
    struct plan_ui *ui = ctx;
    char cls[128], ref[32];

    if (!ui->all && it->action == ET_RET_KEEP)
        return 0;
    classes_text(it->classes, cls, sizeof(cls));
    if (ui->jsonl) {
        struct json_object *o = json_object_new_object();

        cli_set_str(o, "execution_id", it->execution_id);
        cli_set_str(o, "action", action_name(it->action));
        cli_set_str(o, "rule", et_ret_class_name(it->rule));
        cli_set_str(o, "classes", cls);
        json_object_object_add(o, "ref_ns", json_object_new_int64(it->ref_ns));
        json_object_object_add(o, "expires_ns",
                               json_object_new_int64(it->expires_ns));
        cli_set_str(o, "why", it->why);
        printf("%s\n", cli_json_text(o, NULL));
        json_object_put(o);
        return 0;
    }
    if (ui->n++ == 0)
        printf("%-36s  %-6s  %-19s  %s\n", "EXECUTION", "ACTION",
               "AGE FROM (UTC)", "WHY");
    cli_time(it->ref_ns, ref);
    printf("%-36s  %-6s  %-19s  %s\n", it->execution_id,
           action_name(it->action), ref, it->why);
    return 0;
}

static int parse_at(const char *arg, int64_t *at)
{
    struct et_error err = ET_ERROR_INIT;

    if (et_ret_parse_time(arg, at, &err) == ET_OK)
        return 0;
    return cli_usage_error("retention", "--at: %s", err.msg);
}

static int do_plan(struct et_trail *t, const struct et_ret_policy *p,
                   int64_t at, struct plan_ui *ui)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_ret_counts c;

    if (et_ret_plan(t, p, at, plan_line, ui, &c, &err))
        return cli_fail("retention", &err);
    if (!ui->jsonl)
        fprintf(ui->n ? stderr : stdout,
                "%llu executions: %llu to archive and erase, %llu kept, "
                "%llu on legal hold (policy: %s)\n",
                (unsigned long long)c.executions, (unsigned long long)c.expire,
                (unsigned long long)c.keep, (unsigned long long)c.hold,
                p->source);
    return 0;
}

static void progress(void *ctx, const char *phase, uint64_t done,
                     uint64_t total)
{
    (void)ctx;
    fprintf(stderr, "\r%s: %llu/%llu", phase, (unsigned long long)done,
            (unsigned long long)total);
    if (done == total)
        fputc('\n', stderr);
}

static int do_run(struct et_trail *t, const struct et_ret_policy *p,
                  struct et_ret_run_opts *o)
{
    struct et_error err = ET_ERROR_INIT;
    struct et_ret_run_result res;

    if (!cli_quiet && cli_is_tty(stderr))
        o->on_progress = progress;
    if (et_ret_run(t, p, o, &res, &err))
        return cli_fail("retention", &err);
    if (res.resumed)
        printf("completed an interrupted run first\n");
    if (o->dry_run) {
        printf("dry run: %llu executions would be archived and erased, "
               "%llu kept, %llu on legal hold\n",
               (unsigned long long)res.counts.expire,
               (unsigned long long)res.counts.keep,
               (unsigned long long)res.counts.hold);
        return 0;
    }
    printf("archived %llu executions%s%s; erased %llu (%llu events); kept "
           "%llu, %llu on legal hold\n",
           (unsigned long long)res.archived, res.bundle[0] ? " into " : "",
           res.bundle, (unsigned long long)res.erased,
           (unsigned long long)res.events_erased,
           (unsigned long long)res.counts.keep,
           (unsigned long long)res.counts.hold);
    return 0;
}

static int task_line(void *ctx, const struct et_ret_task_result *r)
{
    char last[32];

    (void)ctx;
    cli_time(r->last_ns, last);
    printf("%-9s  %-24s  last %-19s  %s%s%s\n", et_ret_period_name(r->period),
           r->task, last,
           r->ran   ? "ran"
           : r->due ? "due"
                    : "not due",
           r->detail[0] ? ": " : "", r->detail);
    return 0;
}

int cmd_retention(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"at", required_argument, 0, 'a'},
                                         {"all", no_argument, 0, 'A'},
                                         {"format", required_argument, 0, 'f'},
                                         {"dry-run", no_argument, 0, 'n'},
                                         {"dir", required_argument, 0, 'd'},
                                         {"run-due", no_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_ret_run_opts ro;
    struct et_ret_policy p;
    struct plan_ui ui = {false, false, 0};
    struct et_trail *t = NULL;
    bool run_due = false;
    const char *sub;
    int c, rc;

    memset(&ro, 0, sizeof(ro));
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'a':
            if ((rc = parse_at(optarg, &ro.at_ns)))
                return rc;
            break;
        case 'A':
            ui.all = true;
            break;
        case 'f':
            if (strcmp(optarg, "table") && strcmp(optarg, "jsonl"))
                return cli_usage_error("retention", "--format: table or "
                                                    "jsonl");
            ui.jsonl = !strcmp(optarg, "jsonl");
            break;
        case 'n':
            ro.dry_run = true;
            break;
        case 'd':
            ro.dir = optarg;
            break;
        case 'r':
            run_due = true;
            break;
        default:
            return cli_usage_error("retention", "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error("retention",
                               "expected one of plan, run, schedule");
    sub = argv[optind];
    if (strcmp(sub, "plan") && strcmp(sub, "run") && strcmp(sub, "schedule"))
        return cli_usage_error("retention", "unknown subcommand '%s'", sub);
    rc = cli_open("retention", strcmp(sub, "plan") != 0, &t);
    if (rc)
        return rc;
    rc = load_policy(t, &p);
    if (!rc && !strcmp(sub, "plan"))
        rc = do_plan(t, &p, ro.at_ns, &ui);
    else if (!rc && !strcmp(sub, "run"))
        rc = do_run(t, &p, &ro);
    else if (!rc) {
        struct et_error err = ET_ERROR_INIT;

        if (et_ret_schedule(t, &p, ro.at_ns, run_due, task_line, NULL, &err))
            rc = cli_fail("retention", &err);
    }
    et_trail_close(t);
    return rc;
}

#define HOLD_TEXT                                                           \
 "Put an execution on legal hold (hold) or release it (unhold). A held\n"   \
 "execution is kept, never archived or erased, whatever the retention\n"    \
 "policy says. Both are ledger events (retention.hold, retention.unhold)\n" \
 "with the reason. ID may be a unique prefix.\n"
static const char hold_help[] =
    "usage: exectrail hold ID --reason TEXT\n\n" HOLD_TEXT;
static const char unhold_help[] =
    "usage: exectrail unhold ID [--reason TEXT]\n\n" HOLD_TEXT;

static int hold_cmd(const char *verb, int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, 0, 'D'},
                                         {"reason", required_argument, 0, 'r'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct et_error err = ET_ERROR_INIT;
    struct et_trail *t = NULL;
    const char *reason = NULL;
    char id[37];
    bool hold = !strcmp(verb, "hold");
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(hold ? hold_help : unhold_help, stdout);
            return 0;
        case 'D':
            cli_db = optarg;
            break;
        case 'r':
            reason = optarg;
            break;
        default:
            return cli_usage_error(verb, "unknown option");
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(verb, "expected one execution id");
    if (hold && (!reason || !*reason))
        return cli_usage_error(verb, "--reason is required");
    rc = cli_open(verb, true, &t);
    if (rc)
        return rc;
    rc = hold ? et_ret_hold(t, argv[optind], reason, id, &err)
              : et_ret_unhold(t, argv[optind], reason, id, &err);
    et_trail_close(t);
    if (rc)
        return cli_fail(verb, &err);
    if (!cli_quiet)
        printf("%s %s\n", hold ? "held" : "released", id);
    return 0;
}

int cmd_hold(int argc, char **argv)
{
    return hold_cmd("hold", argc, argv);
}

int cmd_unhold(int argc, char **argv)
{
    return hold_cmd("unhold", argc, argv);
}
