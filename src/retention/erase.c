/* SPDX-License-Identifier: MIT */
/*
 * retention run: archive the expired executions into a bundle (written to
 * a .partial file, fsynced, renamed, verified), then erase them: payloads
 * become NULL, leaf hashes stay, and a retention.erased event names each
 * execution's events and the rule. A retention.run event marks the run
 * started before the bundle is written and done with the last erasure, so
 * the next run completes one that was killed.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "retention/retention_int.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERASE_BATCH 1000

int et__ret_note(struct et_trail *t, const char *type, struct json_object *body,
                 struct et_error *err)
{
    int rc = et__ingest_begin(t, err);

    if (rc)
        return rc;
    rc = et__ingest_event(t, type, NULL, body, NULL, err);
    if (!rc)
        rc = et__unit_commit(t, err);
    else
        et__unit_abort(t);
    return rc;
}

struct seq_rows {
    struct json_object *seqs, *leaves;
    uint64_t *list;
    size_t n;
};

static int erasable(void *ctx, const struct et_event_row *row)
{
    struct seq_rows *s = ctx;

    if (!row->body || !strncmp(row->type, "retention.", 10))
        return 0;
    {
        char h[ET_HASH_LEN * 2 + 1];
        struct json_object *v;

        for (size_t i = 0; i < ET_HASH_LEN; i++)
            snprintf(h + 2 * i, 3, "%02x", row->leaf[i]);
        v = et__jnew_string(h);
        if (!v || et__jappend(s->leaves, v)) {
            json_object_put(v);
            return ET_ENOMEM;
        }
        v = et__jnew_int64((int64_t)row->seq);
        if (!v || et__jappend(s->seqs, v)) {
            json_object_put(v);
            return ET_ENOMEM;
        }
    }
    s->list[s->n++] = row->seq;
    return 0;
}

/*
 * Erase every payload of execution id: body (borrowed; rule, run and the
 * rest filled in by the caller) gets the erased seqs and the signature, is
 * appended as the retention.erased event, then the payloads go. Inside
 * the caller's transaction.
 */
static int erase_events(struct et_trail *t, const char *id,
                        struct json_object *body, uint64_t *events,
                        struct et_error *err)
{
    struct seq_rows s = {NULL, NULL, NULL, 0};
    uint64_t *seqs = NULL;
    size_t n = 0;
    int rc;

    rc = et_store_exec_seqs(t->st, id, &seqs, &n, err);
    if (rc)
        return rc;
    s.seqs = et__jnew_array();
    s.leaves = et__jnew_array();
    s.list = et__calloc(n ? n : 1, sizeof(*s.list));
    if (!s.list || !s.seqs || !s.leaves) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; !rc && i < n; i++)
        rc =
            et_store_read_range(t->st, seqs[i], seqs[i] + 1, erasable, &s, err);
    if (rc)
        goto out;
    et__jadd(body, "seqs", json_object_get(s.seqs));
    /* the erasure commits to what it erases, signed (docs/LEDGER.md) */
    rc = et__erasure_sign(t, id, body, s.leaves, err);
    if (!rc)
        rc = et__ingest_event(t, "retention.erased", id, body, NULL, err);
    for (size_t i = 0; !rc && i < s.n; i++)
        rc = et_store_payload_set(t->st, s.list[i], NULL, 0, NULL, err);
    if (!rc)
        *events += s.n;
out:
    json_object_put(s.seqs);
    json_object_put(s.leaves);
    et__free(s.list);
    et__free(seqs);
    return rc;
}

static int erase_one(struct et_trail *t, const struct et_ret_policy *p,
                     const struct et__ret_pick *pk, const char *bundle,
                     const char *run_id, uint64_t *events, struct et_error *err)
{
    struct json_object *body;
    char key[64], *held = NULL;
    struct et_exec_row row;
    int rc;

    /* a hold set since the plan wins; an execution already gone is done */
    snprintf(key, sizeof(key), "hold:%s", pk->id);
    if (et_store_rstate_get(t->st, key, &held, NULL) == ET_OK) {
        et__free(held);
        return 1;
    }
    if (et_store_exec_get(t->st, pk->id, &row, NULL) != ET_OK)
        return 1;
    body = et__jnew_object();
    if (!body)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et__jadd(body, "rule", et__jnew_string(et_ret_class_name(pk->rule)));
    et__jadd(body, "keep", et__jnew_string(p->keep_text[pk->rule]));
    et__jadd(body, "policy",
             et__jnew_string(p->from_file ? "retention.yaml" : "defaults"));
    et__jadd(body, "archive", bundle ? et__jnew_string(bundle) : NULL);
    et__jadd(body, "run", et__jnew_string(run_id));
    rc = erase_events(t, pk->id, body, events, err);
    json_object_put(body);
    return rc;
}

int et_ret_erase(struct et_trail *t, const char *id, const char *reason,
                 char id_out[37], uint64_t *events_out, struct et_error *err)
{
    struct json_object *body = NULL;
    char key[64], run_id[ET_UUID_STRLEN + 1], *held = NULL;
    uint64_t events = 0;
    int rc;

    id_out[0] = '\0';
    if (events_out)
        *events_out = 0;
    if (!reason || !*reason)
        return et_error_set(err, ET_EUSAGE, "an erasure needs a reason");
    rc = et_uuid_v4(run_id);
    if (rc)
        return et_error_set(err, rc, "cannot make a run id");
    body = et__jnew_object();
    if (!body)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et__jadd(body, "rule", et__jnew_string("user"));
    et__jadd(body, "policy", et__jnew_string("user request"));
    et__jadd(body, "reason", et__jnew_string(reason));
    et__jadd(body, "archive", NULL);
    et__jadd(body, "run", et__jnew_string(run_id));
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    rc = et_store_exec_resolve(t->st, id, id_out, err);
    if (!rc) {
        snprintf(key, sizeof(key), "hold:%s", id_out);
        if (et_store_rstate_get(t->st, key, &held, NULL) == ET_OK)
            rc = et_error_set(err, ET_ESTATE,
                              "%s is under legal hold: release it with "
                              "'exectrail unhold' first",
                              id_out);
    }
    if (!rc)
        rc = erase_events(t, id_out, body, &events, err);
    if (!rc)
        rc = et__unit_commit(t, err);
    else
        et__unit_abort(t);
    if (!rc && events_out)
        *events_out = events;
out:
    et__free(held);
    json_object_put(body);
    return rc;
}

static struct json_object *run_body(const char *run_id, const char *phase,
                                    const char *bundle, int64_t at_ns)
{
    struct json_object *b = et__jnew_object();
    char key[64], when[ET_RFC3339_MAX];

    snprintf(key, sizeof(key), "run:%s", run_id);
    et_time_format(at_ns, when);
    et__jadd(b, "key", et__jnew_string(key));
    et__jadd(b, "phase", et__jnew_string(phase));
    et__jadd(b, "bundle", et__jnew_string(bundle));
    et__jadd(b, "at", et__jnew_string(when));
    et__jadd(b, "at_ns", et__jnew_int64(at_ns));
    return b;
}

/* The UTC month of a start time; INT64_MIN for none (0). */
static int64_t start_month(int64_t ns)
{
    return ns ? et_time_month(ns) : INT64_MIN;
}

struct month_last {
    int64_t month;
    size_t last; /* the last pick of that month */
};

static int cmp_month(const void *a, const void *b)
{
    const struct month_last *x = a, *y = b;

    return x->month < y->month ? -1 : x->month > y->month;
}

/*
 * On a store partitioned by month of start (et_store_time_parts), the
 * index of each pick's month's last pick, in last_out[i] (caller frees):
 * a transaction then ends only where no month goes on, so the executions
 * of a month are forgotten together and a month whose every execution
 * goes can leave by whole partitions. The events and their order are the
 * same as in batches of ERASE_BATCH; only the commits move.
 */
static int month_ends(const struct et__ret_pick *picks, size_t n,
                      size_t **last_out)
{
    struct month_last *m = et__calloc(n ? n : 1, sizeof(*m));
    size_t *last = et__calloc(n ? n : 1, sizeof(*last));

    *last_out = NULL;
    if (!m || !last) {
        et__free(m);
        et__free(last);
        return ET_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        m[i].month = start_month(picks[i].start_ns);
        m[i].last = i;
    }
    qsort(m, n, sizeof(*m), cmp_month);
    /* the largest index of each month's run (sorted: equal months are
     * adjacent, and qsort may have reordered their indexes) */
    for (size_t i = 0, j; i < n; i = j) {
        size_t hi = m[i].last;

        for (j = i; j < n && m[j].month == m[i].month; j++)
            hi = m[j].last > hi ? m[j].last : hi;
        for (size_t k = i; k < j; k++)
            last[m[k].last] = m[i].month == INT64_MIN ? m[k].last : hi;
    }
    et__free(m);
    *last_out = last;
    return ET_OK;
}

int et__ret_erase(struct et_trail *t, const struct et_ret_policy *p,
                  const struct et__ret_pick *picks, size_t n,
                  const char *bundle, const char *run_id,
                  const struct et_ret_run_opts *o, uint64_t *events_out,
                  struct et_error *err)
{
    size_t *last = NULL;
    int rc = ET_OK;

    *events_out = 0;
    if (n == 0) {
        struct json_object *b =
            run_body(run_id, "done", bundle, o ? o->at_ns : 0);

        rc = et__ret_note(t, "retention.run", b, err);
        json_object_put(b);
        return rc;
    }
    if (et_store_time_parts(t->st) && month_ends(picks, n, &last))
        return et_error_set(err, ET_ENOMEM, "out of memory");
    t->gone_whole = last != NULL;
    for (size_t i = 0; !rc && i < n;) {
        size_t end = i + ERASE_BATCH < n ? i + ERASE_BATCH : n;

        /* (partitioned store) on to the last pick of every month begun */
        for (size_t j = i; last && j < end; j++)
            if (last[j] + 1 > end)
                end = last[j] + 1;
        rc = et__ingest_begin(t, err);
        for (; !rc && i < end; i++) {
            rc = erase_one(t, p, &picks[i], bundle, run_id, events_out, err);
            if (rc == 1)
                rc = ET_OK;
        }
        if (!rc && i == n) {
            /* the run is done in the same transaction as its last
             * erasure */
            struct json_object *b =
                run_body(run_id, "done", bundle, o ? o->at_ns : 0);

            rc = et__ingest_event(t, "retention.run", NULL, b, NULL, err);
            json_object_put(b);
        }
        if (!rc)
            rc = et__unit_commit(t, err);
        else
            et__unit_abort(t);
        if (!rc && o && o->on_progress)
            o->on_progress(o->ctx, "erase", i, n);
    }
    t->gone_whole = false;
    et__free(last);
    return rc;
}

/* ---- the run ---- */

struct picks {
    struct et__ret_pick *v;
    size_t n, cap;
    struct et_ret_counts *counts;
    /* when resuming: only ids in this sorted list */
    char (*only)[37];
    size_t n_only;
};

static int cmp_id(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int pick(void *ctx, const struct et_ret_item *it)
{
    struct picks *ps = ctx;

    if (it->action != ET_RET_EXPIRE)
        return 0;
    if (ps->only && !bsearch(it->execution_id, ps->only, ps->n_only,
                             sizeof(*ps->only), cmp_id))
        return 0;
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 1024;
        struct et__ret_pick *v = et__realloc(ps->v, cap * sizeof(*v));

        if (!v)
            return ET_ENOMEM;
        ps->v = v;
        ps->cap = cap;
    }
    snprintf(ps->v[ps->n].id, sizeof(ps->v[ps->n].id), "%s", it->execution_id);
    ps->v[ps->n].start_ns = it->start_ns;
    ps->v[ps->n++].rule = it->rule;
    return 0;
}

static int archive_dir(struct et_trail *t, const struct et_ret_run_opts *o,
                       char *out, size_t cap, struct et_error *err)
{
    if (o && o->dir)
        snprintf(out, cap, "%s", o->dir);
    else
        snprintf(out, cap, "%.4000s/archive", t->dir);
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return et_error_sys(err, ET_EIO, errno, "cannot create %s", out);
    {
        /* refused before a run is noted as started */
        struct stat sb;

        if (stat(out, &sb) != 0)
            return et_error_sys(err, ET_EIO, errno, "cannot use %s", out);
        if (!S_ISDIR(sb.st_mode))
            return et_error_set(err, ET_EINVAL, "--dir %s: not a directory",
                                out);
        if (access(out, W_OK | X_OK) != 0)
            return et_error_sys(err, ET_EIO, errno, "cannot write to %s", out);
    }
    return ET_OK;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

struct pending {
    char run_id[40];
    char bundle[256];
    char dir[PATH_MAX];
    int64_t at_ns;
    bool found;
};

static int find_pending(void *ctx, const char *key, const char *value)
{
    struct pending *pd = ctx;
    struct json_object *o = NULL, *ev;
    const char *phase, *bundle;

    if (pd->found || et_json_parse(value, strlen(value), NULL, &o, NULL))
        return 0;
    ev = et__jget(o, "event");
    phase = et__jstr(ev, "phase");
    bundle = et__jstr(ev, "bundle");
    if (phase && !strcmp(phase, "started") && bundle) {
        pd->found = true;
        snprintf(pd->run_id, sizeof(pd->run_id), "%s", key + 4);
        snprintf(pd->bundle, sizeof(pd->bundle), "%s", bundle);
        pd->at_ns = json_object_get_int64(et__jget(ev, "at_ns"));
        snprintf(pd->dir, sizeof(pd->dir), "%s",
                 et__jstr(ev, "dir") ? et__jstr(ev, "dir") : "");
    }
    json_object_put(o);
    return 0;
}

/* Complete a run that was interrupted: when its bundle exists and
 * verifies, erase what it holds that is still here; otherwise mark it
 * abandoned (its partial file is removed) and let this run redo it. */
static int resume(struct et_trail *t, const struct et_ret_policy *p,
                  const struct et_ret_run_opts *o, const char *dir,
                  struct et_ret_run_result *res, struct et_error *err)
{
    struct pending pd;
    struct picks ps;
    struct et_ret_counts counts;
    struct et_archive_report rep;
    char path[PATH_MAX + 300];
    uint64_t events = 0;
    int rc;

    memset(&pd, 0, sizeof(pd));
    memset(&ps, 0, sizeof(ps));
    rc = et_store_rstate_each(t->st, "run:", find_pending, &pd, err);
    if (rc || !pd.found)
        return rc;
    if (pd.dir[0]) /* the directory the run wrote to, whatever --dir is now */
        dir = pd.dir;
    snprintf(path, sizeof(path), "%s/%s", dir, pd.bundle);
    /* ENOTDIR: the run's directory was never usable (an older version let
     * a regular file through): nothing can have been written there */
    if (access(path, F_OK) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
        struct json_object *b =
            run_body(pd.run_id, "abandoned", pd.bundle, pd.at_ns);

        /* killed before the bundle was complete: nothing was erased
         * under it (erasure starts after the rename and a verification),
         * so every record is still in the store; this run redoes it */
        snprintf(path, sizeof(path), "%s/%s.partial", dir, pd.bundle);
        unlink(path);
        rc = et__ret_note(t, "retention.run", b, err);
        json_object_put(b);
        return rc;
    }
    /* a complete bundle that no longer verifies is never removed here:
     * some of its records may already be erased */
    rc = et__archive_ids(t, path, &ps.only, &ps.n_only, &rep, err);
    if (rc)
        return et_error_prefix(err, "cannot complete run %s (bundle %s)",
                               pd.run_id, path);
    qsort(ps.only, ps.n_only, sizeof(*ps.only), cmp_id);
    ps.counts = &counts;
    rc = et_ret_plan(t, p, pd.at_ns, pick, &ps, &counts, err);
    if (!rc)
        rc = et__ret_erase(t, p, ps.v, ps.n, pd.bundle, pd.run_id, o, &events,
                           err);
    if (!rc) {
        res->resumed = true;
        res->erased += ps.n;
        res->events_erased += events;
    }
    et__free(ps.v);
    et__free(ps.only);
    return rc;
}

static int write_bundle(struct et_trail *t, const char *dir, const char *name,
                        const struct picks *ps, const struct et_ret_run_opts *o,
                        struct et_error *err)
{
    char path[PATH_MAX + 300], part[PATH_MAX + 310];
    struct et_archive_report rep;
    char(*ids)[37] = NULL;
    size_t n = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(part, sizeof(part), "%s.partial", path);
    unlink(part);
    rc = et__archive_write(t, part, ps->v, ps->n, o, err);
    if (!rc && rename(part, path) != 0)
        rc = et_error_sys(err, ET_EIO, errno, "cannot rename %s", part);
    if (!rc && sync_dir(dir) != 0)
        rc = et_error_sys(err, ET_EIO, errno, "cannot sync %s", dir);
    if (rc) {
        unlink(part);
        return rc;
    }
    if (o && o->on_progress)
        o->on_progress(o->ctx, "verify", 0, ps->n);
    /* read back what is on disk before erasing anything */
    rc = et__archive_ids(t, path, &ids, &n, &rep, err);
    if (!rc && n != ps->n)
        rc = et_error_set(err, ET_EINTEGRITY,
                          "the bundle holds %zu executions, expected %zu", n,
                          ps->n);
    et__free(ids);
    return rc ? et_error_prefix(err, "bundle %s", path) : ET_OK;
}

int et_ret_run(struct et_trail *t, const struct et_ret_policy *p,
               const struct et_ret_run_opts *o, struct et_ret_run_result *out,
               struct et_error *err)
{
    struct et_ret_run_opts opts;
    struct picks ps;
    char dir[PATH_MAX], run_id[37], name[128], when[ET_RFC3339_MAX];
    struct json_object *b;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&ps, 0, sizeof(ps));
    memset(&opts, 0, sizeof(opts));
    if (o)
        opts = *o;
    if (!opts.at_ns)
        opts.at_ns = et_time_now_ns();
    ps.counts = &out->counts;
    rc = et__trail_signer(t, err);
    if (!rc && !t->signer.has_secret)
        rc = et_error_set(err, ET_ENOTFOUND,
                          "no signing key in %s: archives need one", t->dir);
    if (!rc && !opts.dry_run)
        rc = archive_dir(t, &opts, dir, sizeof(dir), err);
    if (!rc && !opts.dry_run)
        rc = resume(t, p, &opts, dir, out, err);
    if (!rc)
        rc = et_ret_plan(t, p, opts.at_ns, pick, &ps, &out->counts, err);
    if (rc == ET_ENOMEM)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (rc || opts.dry_run || ps.n == 0)
        goto out;
    rc = et_uuid_v4(run_id);
    if (rc) {
        rc = et_error_set(err, rc, "cannot make a run id");
        goto out;
    }
    et_time_format(et_time_now_ns(), when);
    snprintf(name, sizeof(name),
             "retention-%.4s%.2s%.2sT%.2s%.2s%.2sZ-%.8s"
             ".etar.zst",
             when, when + 5, when + 8, when + 11, when + 14, when + 17, run_id);
    b = run_body(run_id, "started", name, opts.at_ns);
    et__jadd(b, "dir", et__jnew_string(dir));
    et__jadd(b, "executions", et__jnew_int64((int64_t)ps.n));
    rc = et__ret_note(t, "retention.run", b, err);
    json_object_put(b);
    if (!rc)
        rc = write_bundle(t, dir, name, &ps, &opts, err);
    if (rc)
        goto out;
    out->archived = ps.n;
    snprintf(out->bundle, sizeof(out->bundle), "%.800s/%.200s", dir, name);
    {
        uint64_t events = 0;

        rc = et__ret_erase(t, p, ps.v, ps.n, name, run_id, &opts, &events, err);
        out->erased += ps.n;
        out->events_erased += events;
    }
out:
    et__free(ps.v);
    return rc;
}
