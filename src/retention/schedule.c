/* SPDX-License-Identifier: MIT */
/*
 * The spec's cleanup schedule: daily remove_temp_logs, weekly
 * archive_old_executions, monthly generate_summary_reports, quarterly
 * full_audit_review. Each run is recorded as a retention.task event, whose
 * projection tells when a period is next due.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/ingest.h"
#include "exectrail/query.h"
#include "retention/retention_int.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#define DAY_NS (INT64_C(86400) * 1000000000)

/* Year, month (1-12), day of a time (UTC), from its RFC 3339 text. */
static void ymd(int64_t ns, int *y, int *m, int *d)
{
    char s[ET_RFC3339_MAX];

    et_time_format(ns, s);
    *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
         (s[3] - '0');
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
}

static bool is_due(enum et_ret_period per, int64_t last, int64_t at)
{
    int ly, lm, ld, y, m, d;

    if (!last)
        return true;
    if (at < last)
        return false;
    ymd(last, &ly, &lm, &ld);
    ymd(at, &y, &m, &d);
    switch (per) {
    case ET_RET_DAILY:
        return y != ly || m != lm || d != ld;
    case ET_RET_WEEKLY:
        return at - last >= 7 * DAY_NS;
    case ET_RET_MONTHLY:
        return y != ly || m != lm;
    case ET_RET_QUARTERLY:
        return y != ly || (m - 1) / 3 != (lm - 1) / 3;
    default:
        return false;
    }
}

static int mkdir_in(const char *dir, const char *sub, char *out, size_t cap,
                    struct et_error *err)
{
    snprintf(out, cap, "%s/%s", dir, sub);
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return et_error_sys(err, ET_EIO, errno, "cannot create %s", out);
    return ET_OK;
}

/* Remove a file when it is older than max_age at at_ns. */
static bool remove_old(const char *path, int64_t at_ns, int64_t max_age)
{
    struct stat sb;
    int64_t mt;

    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    mt = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    if (at_ns - mt < max_age)
        return false;
    return unlink(path) == 0;
}

/* daily: drain the hook spool into the store (it holds inputs not yet
 * stored: never deleted), then remove the quarantine log and leftover
 * .partial bundles past their age. */
static int task_temp(struct et_trail *t, const struct et_ret_policy *p,
                     int64_t at, char *detail, size_t cap, struct et_error *err)
{
    struct et_spool_stats ss;
    char path[PATH_MAX + 300], adir[PATH_MAX + 16];
    unsigned removed = 0;
    DIR *d;
    int rc;

    memset(&ss, 0, sizeof(ss));
    rc = et_ingest_spool_replay(t, t->dir, false, &ss, err);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "%s/hook-quarantine.log", t->dir);
    removed += remove_old(path, at, p->temp_max_age_ns);
    snprintf(adir, sizeof(adir), "%s/archive", t->dir);
    d = opendir(adir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t l = strlen(e->d_name);

        if (l > 8 && !strcmp(e->d_name + l - 8, ".partial")) {
            snprintf(path, sizeof(path), "%s/%s", adir, e->d_name);
            removed += remove_old(path, at, p->temp_max_age_ns);
        }
    }
    if (d)
        closedir(d);
    snprintf(detail, cap,
             "spool: %llu replayed, %llu quarantined; %u old temporary "
             "file(s) removed",
             (unsigned long long)ss.replayed,
             (unsigned long long)ss.quarantined, removed);
    return ET_OK;
}

static int task_archive(struct et_trail *t, const struct et_ret_policy *p,
                        int64_t at, char *detail, size_t cap,
                        struct et_error *err)
{
    struct et_ret_run_opts o;
    struct et_ret_run_result res;
    int rc;

    memset(&o, 0, sizeof(o));
    o.at_ns = at;
    rc = et_ret_run(t, p, &o, &res, err);
    if (!rc)
        snprintf(detail, cap, "%llu archived and erased%s%.200s",
                 (unsigned long long)res.erased, res.bundle[0] ? " into " : "",
                 res.bundle[0] ? strrchr(res.bundle, '/') + 1 : "");
    return rc;
}

struct sum_ctx {
    FILE *f;
};

static int agent_line(void *ctx, const struct et_agent_stats *a)
{
    struct sum_ctx *s = ctx;

    fprintf(s->f, "| %s | %lld | %lld | %lld |\n",
            a->agent_name ? a->agent_name : "(unknown)",
            (long long)a->executions, (long long)a->match,
            (long long)a->failed_actions);
    return 0;
}

static int write_report(struct et_trail *t, const char *name, char *path_out,
                        size_t cap, FILE **f_out, struct et_error *err)
{
    char dir[PATH_MAX + 16];
    int rc = mkdir_in(t->dir, "reports", dir, sizeof(dir), err);

    if (rc)
        return rc;
    snprintf(path_out, cap, "%s/%s", dir, name);
    *f_out = fopen(path_out, "w");
    if (!*f_out)
        return et_error_sys(err, ET_EIO, errno, "cannot write %s", path_out);
    return ET_OK;
}

static int close_report(FILE *f, const char *path, struct et_error *err)
{
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0)
        return et_error_sys(err, ET_EIO, errno, "cannot write %s", path);
    return ET_OK;
}

static int task_summary(struct et_trail *t, const struct et_ret_policy *p,
                        int64_t at, char *detail, size_t cap,
                        struct et_error *err)
{
    struct et_ret_counts c;
    struct sum_ctx s;
    char when[ET_RFC3339_MAX], name[64], path[PATH_MAX + 100];
    int rc = et_ret_plan(t, p, at, NULL, NULL, &c, err);

    if (rc)
        return rc;
    et_time_format(at, when);
    snprintf(name, sizeof(name), "summary-%.7s.md", when);
    rc = write_report(t, name, path, sizeof(path), &s.f, err);
    if (rc)
        return rc;
    fprintf(s.f,
            "# exectrail summary, %.7s\n\nwritten %s by the monthly "
            "retention task\n\n- executions: %llu\n- kept: %llu\n- on "
            "legal hold: %llu\n- expired (next archive run): %llu\n\n"
            "| agent | executions | verified MATCH | failed actions |\n"
            "| --- | --- | --- | --- |\n",
            when, when, (unsigned long long)c.executions,
            (unsigned long long)c.keep, (unsigned long long)c.hold,
            (unsigned long long)c.expire);
    rc = et_stats_agents(t, NULL, agent_line, &s, err);
    if (rc) {
        fclose(s.f);
        return rc;
    }
    rc = close_report(s.f, path, err);
    if (!rc)
        snprintf(detail, cap, "wrote %.200s", path);
    return rc;
}

static int audit_bundles(struct et_trail *t, FILE *f, unsigned *bad)
{
    char adir[PATH_MAX + 16], path[PATH_MAX + 300];
    DIR *d;

    snprintf(adir, sizeof(adir), "%s/archive", t->dir);
    d = opendir(adir);
    fprintf(f, "\n## archive bundles\n\n");
    for (struct dirent *e; d && (e = readdir(d));) {
        struct et_archive_report rep;
        struct et_error err = ET_ERROR_INIT;
        size_t l = strlen(e->d_name);

        if (l < 9 || strcmp(e->d_name + l - 9, ".etar.zst") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", adir, e->d_name);
        if (et_archive_verify(t, path, NULL, &rep, &err) == ET_OK) {
            fprintf(f, "- %s: OK, %llu executions, %llu events\n", e->d_name,
                    (unsigned long long)rep.executions,
                    (unsigned long long)rep.events);
        } else {
            fprintf(f, "- %s: FAILED: %s\n", e->d_name, err.msg);
            (*bad)++;
        }
    }
    if (d)
        closedir(d);
    return ET_OK;
}

static int task_audit(struct et_trail *t, const struct et_ret_policy *p,
                      int64_t at, char *detail, size_t cap,
                      struct et_error *err)
{
    struct et_verify_report rep;
    struct et_ret_counts c;
    struct et_error verr = ET_ERROR_INIT;
    char when[ET_RFC3339_MAX], name[64], path[PATH_MAX + 100];
    unsigned bad = 0;
    FILE *f;
    int y, m, d, vrc, rc;

    ymd(at, &y, &m, &d);
    et_time_format(at, when);
    snprintf(name, sizeof(name), "audit-%04d-Q%d.md", y, (m - 1) / 3 + 1);
    vrc = et_trail_verify(t, NULL, 0, &rep, &verr);
    if (vrc && vrc != ET_EINTEGRITY)
        return et_error_set(err, vrc, "%s", verr.msg);
    rc = et_ret_plan(t, p, at, NULL, NULL, &c, err);
    if (!rc)
        rc = write_report(t, name, path, sizeof(path), &f, err);
    if (rc)
        return rc;
    fprintf(f,
            "# exectrail audit review, %04d Q%d\n\nwritten %s by the "
            "quarterly retention task\n\n## ledger\n\n- verify: %s\n"
            "- events: %llu (%llu erased by policy)\n- signed checkpoints "
            "checked: %llu\n",
            y, (m - 1) / 3 + 1, when, vrc ? verr.msg : "OK",
            (unsigned long long)rep.events, (unsigned long long)rep.erased,
            (unsigned long long)rep.checkpoints);
    if (rep.erased_note[0])
        fprintf(f, "- first erasure: %s\n", rep.erased_note);
    fprintf(f,
            "\n## retention\n\n- policy: %s\n- executions: %llu, on legal "
            "hold: %llu, expired: %llu\n",
            p->source, (unsigned long long)c.executions,
            (unsigned long long)c.hold, (unsigned long long)c.expire);
    audit_bundles(t, f, &bad);
    rc = close_report(f, path, err);
    if (rc)
        return rc;
    snprintf(detail, cap, "verify %s, %u bad bundle(s); wrote %.150s",
             vrc ? "FAILED" : "OK", bad, path);
    if (vrc || bad)
        return et_error_set(err, ET_EINTEGRITY, "audit: %s",
                            vrc ? verr.msg : "an archive bundle is bad");
    return ET_OK;
}

typedef int task_fn(struct et_trail *t, const struct et_ret_policy *p,
                    int64_t at, char *detail, size_t cap, struct et_error *err);

static task_fn *task_for(const char *name)
{
    if (!strcmp(name, "remove_temp_logs"))
        return task_temp;
    if (!strcmp(name, "archive_old_executions"))
        return task_archive;
    if (!strcmp(name, "generate_summary_reports"))
        return task_summary;
    if (!strcmp(name, "full_audit_review"))
        return task_audit;
    return NULL;
}

static int last_run(struct et_trail *t, enum et_ret_period per, int64_t *last,
                    struct et_error *err)
{
    struct json_object *o = NULL;
    char key[32], *v = NULL;
    int rc;

    *last = 0;
    snprintf(key, sizeof(key), "task:%s", et_ret_period_name(per));
    rc = et_store_begin(t->st, false, err);
    if (rc)
        return rc;
    rc = et_store_rstate_get(t->st, key, &v, NULL);
    et_store_rollback(t->st);
    if (rc == ET_ENOTFOUND)
        return ET_OK;
    if (rc)
        return et_error_set(err, rc, "cannot read the schedule");
    if (!et_json_parse(v, strlen(v), NULL, &o, NULL))
        *last = json_object_get_int64(et__jget(et__jget(o, "event"), "at_ns"));
    json_object_put(o);
    et__free(v);
    return ET_OK;
}

static int record_task(struct et_trail *t, const struct et_ret_task_result *r,
                       int64_t at, int status, struct et_error *err)
{
    struct json_object *b = et__jnew_object();
    char key[32], when[ET_RFC3339_MAX];
    int rc;

    snprintf(key, sizeof(key), "task:%s", et_ret_period_name(r->period));
    et_time_format(at, when);
    et__jadd(b, "key", et__jnew_string(key));
    et__jadd(b, "task", et__jnew_string(r->task));
    et__jadd(b, "at", et__jnew_string(when));
    et__jadd(b, "at_ns", et__jnew_int64(at));
    et__jadd(b, "ok", et__jnew_boolean(status == 0));
    et__jadd(b, "detail", et__jnew_string(r->detail));
    rc = et__ret_note(t, "retention.task", b, err);
    json_object_put(b);
    return rc;
}

int et_ret_schedule(struct et_trail *t, const struct et_ret_policy *p,
                    int64_t at_ns, bool run_due, et_ret_task_fn *fn, void *ctx,
                    struct et_error *err)
{
    int64_t at = at_ns ? at_ns : et_time_now_ns();
    int first_rc = ET_OK;

    for (unsigned i = 0; i < ET_RET_PERIOD_COUNT; i++) {
        struct et_ret_task_result r;
        struct et_error terr = ET_ERROR_INIT;
        task_fn *task = task_for(p->task[i]);
        int rc;

        memset(&r, 0, sizeof(r));
        r.period = (enum et_ret_period)i;
        r.task = p->task[i][0] ? p->task[i] : "none";
        rc = last_run(t, r.period, &r.last_ns, err);
        if (rc)
            return rc;
        r.due = task && is_due(r.period, r.last_ns, at);
        if (run_due && r.due) {
            rc = task(t, p, at, r.detail, sizeof(r.detail), &terr);
            if (rc)
                snprintf(r.detail, sizeof(r.detail), "FAILED: %.240s",
                         terr.msg);
            r.ran = true;
            if (rc && !first_rc) {
                first_rc = rc;
                *err = terr;
            }
            /* only a run that worked is recorded: a failed task stays
             * due and is tried again next time */
            if (!rc) {
                rc = record_task(t, &r, at, rc, err);
                if (rc)
                    return rc;
                r.last_ns = at;
            }
        }
        if (fn && (rc = fn(ctx, &r)) != 0)
            return rc;
    }
    return first_rc;
}
