/* SPDX-License-Identifier: MIT */
/*
 * The writer thread and its group commits (docs/API.md, "Group commit"):
 * every write request of the server runs here, in arrival order, on a
 * trail handle of its own. Writes that may share a commit run as units of
 * one batch, which commits once no write waits behind the last one (or a
 * cap is reached); each is acknowledged only after that commit.
 */
#include "base/setup.h"
#include "http/http_int.h"

#include <signal.h>

#include "base/alloc.h"
#include "base/time.h"

/* one write request handed to the writer thread */
struct et__http_job {
    struct et__http_job *next;
    struct et_http_ctx c; /* a copy: the caller's frame may be gone */
    et__http_handler *fn;
    bool is_group;
    int64_t t0_ns;
    const struct et_http_waiter *w; /* NULL: its caller waits for is_done */
    bool is_done;
};

/* Count j's answer, then wake whoever waits for it; j is not touched
 * after that (a waited-for job lives in its caller's frame). */
static void complete(struct et_http *h, struct et__http_job *j)
{
    struct et__http_writer *wr = &h->w;
    const struct et_http_waiter *w = j->w;

    /* freed by the thread that sends the answer */
    if (j->c.pre_free && !j->c.res->leftover_free) {
        j->c.res->leftover = j->c.pre;
        j->c.res->leftover_free = j->c.pre_free;
    } else if (j->c.pre_free) {
        j->c.pre_free(j->c.pre);
    }
    j->c.pre = NULL;
    et__http_finish(&j->c, j->t0_ns);
    if (w) {
        et__free(j);
        w->resume(w->ctx);
        pthread_mutex_lock(&wr->mu);
        wr->n_suspended--;
        pthread_cond_broadcast(&wr->done_cv);
        pthread_mutex_unlock(&wr->mu);
        return;
    }
    pthread_mutex_lock(&wr->mu);
    j->is_done = true;
    pthread_cond_broadcast(&wr->done_cv);
    pthread_mutex_unlock(&wr->mu);
}

/* j's answer claims what its unit wrote, so it waits for the commit (an
 * error, or a hook input kept in the spool, is answered at once) */
static bool depends_on_commit(const struct et__http_job *j)
{
    return j->c.res->status < 300 && !j->c.is_spooled;
}

/* Answer the writes of the group that ended: acknowledged when rc is 0,
 * else each gets the failure. */
static void answer_group(struct et_http *h, int rc, const struct et_error *err)
{
    struct et__http_writer *wr = &h->w;
    struct et__http_job *j = wr->group, *next;
    uint64_t n = 0;

    wr->is_open = false;
    wr->group = NULL;
    wr->group_tail = &wr->group;
    for (; j; j = next) {
        next = j->next;
        j->next = NULL;
        if (rc)
            et__http_unstored(&j->c, err);
        complete(h, j);
        n++;
    }
    if (rc) {
        atomic_fetch_add(&h->group_failures, 1);
    } else {
        atomic_fetch_add(&h->group_commits, 1);
        atomic_fetch_add(&h->group_writes, n);
    }
}

static void group_commit(struct et_http *h)
{
    struct et_error err = ET_ERROR_INIT;
    int rc;

    if (!h->w.group) {
        /* every write of it was refused and answered: its units are
         * undone already, and no answer waits for a sync */
        et_trail_batch_abort(h->w.t);
        h->w.is_open = false;
        return;
    }
    rc = et_trail_batch_commit(h->w.t, &err);
    answer_group(h, rc, &err);
}

static bool group_full(const struct et__http_writer *wr)
{
    return wr->n_writes >= ET_HTTP_GROUP_MAX_WRITES ||
           wr->n_bytes >= ET_HTTP_GROUP_MAX_BYTES ||
           et_time_mono_ns() - wr->opened_ns >= wr->max_open_ns;
}

/*
 * No group could open (the store is locked by another process past the
 * busy timeout, or failing): the group writes queued meanwhile would only
 * wait as long again, so they get the same answer now.
 */
static void refuse_queued(struct et_http *h, const struct et_error *err)
{
    struct et__http_writer *wr = &h->w;
    struct et__http_job *refused = NULL, **rt = &refused, **p, *j;

    pthread_mutex_lock(&wr->mu);
    p = &wr->head;
    while ((j = *p) != NULL) {
        if (!j->is_group) {
            p = &j->next;
            continue;
        }
        *p = j->next;
        j->next = NULL;
        wr->n_queued--;
        *rt = j;
        rt = &j->next;
    }
    wr->tail = p;
    pthread_mutex_unlock(&wr->mu);
    for (j = refused; j; j = refused) {
        refused = j->next;
        j->next = NULL;
        et__http_unstored(&j->c, err);
        complete(h, j);
    }
}

static void run(struct et_http *h, struct et__http_job *j)
{
    struct et__http_writer *wr = &h->w;
    struct et_error err = ET_ERROR_INIT;

    if (!j->is_group) {
        /* alone, in transactions of its own: what came before first */
        if (wr->is_open)
            group_commit(h);
        j->c.t = wr->t;
        et__http_run(&j->c, j->fn);
        j->c.t = NULL;
        complete(h, j);
        return;
    }
    if (!wr->is_open) {
        if (et_trail_batch_begin(wr->t, &err)) {
            et__http_unstored(&j->c, &err);
            complete(h, j);
            refuse_queued(h, &err);
            return;
        }
        wr->is_open = true;
        wr->opened_ns = et_time_mono_ns();
        wr->n_writes = 0;
        wr->n_bytes = 0;
    }
    j->c.t = wr->t;
    et__http_run(&j->c, j->fn);
    j->c.t = NULL;
    wr->n_writes++;
    wr->n_bytes += j->c.req->body_len;
    if (!et_trail_in_batch(wr->t)) {
        /* a write met a failure that rolled the whole group back */
        et_error_set(&err, ET_EIO,
                     "a store failure rolled back the group commit it was "
                     "part of");
        answer_group(h, ET_EIO, &err);
        if (depends_on_commit(j))
            et__http_unstored(&j->c, &err);
        complete(h, j);
        return;
    }
    if (!depends_on_commit(j)) {
        complete(h, j); /* its unit was undone, the group goes on */
        return;
    }
    *wr->group_tail = j;
    wr->group_tail = &j->next;
}

static void *writer_main(void *arg)
{
    struct et_http *h = arg;
    struct et__http_writer *wr = &h->w;
    struct et__http_job *j;
    bool stop;

    for (;;) {
        pthread_mutex_lock(&wr->mu);
        while (!wr->head && !wr->is_open && !wr->stop)
            pthread_cond_wait(&wr->cv, &wr->mu);
        stop = wr->stop;
        j = wr->head;
        if (j) {
            wr->head = j->next;
            if (!wr->head)
                wr->tail = &wr->head;
            j->next = NULL;
            wr->n_queued--;
        }
        pthread_mutex_unlock(&wr->mu);
        /* the group commits when nothing waits behind its last write, or
         * when it is full */
        if (wr->is_open && (!j || group_full(wr)))
            group_commit(h);
        if (j)
            run(h, j);
        else if (!wr->is_open && stop)
            break;
    }
    return NULL;
}

int et__http_write(struct et_http_ctx *c, et__http_handler *fn, bool is_group,
                   int64_t t0_ns, const struct et_http_waiter *w)
{
    struct et__http_writer *wr = &c->h->w;
    struct et__http_job local, *j = w ? et__malloc(sizeof(*j)) : NULL;
    bool is_async;

    if (!j)
        j = &local; /* no memory for it: the caller waits */
    memset(j, 0, sizeof(*j));
    j->c = *c;
    j->fn = fn;
    j->is_group = is_group;
    j->t0_ns = t0_ns;
    pthread_mutex_lock(&wr->mu);
    is_async = j != &local && !wr->is_quiesced;
    if (is_async) {
        /* before the job is queued: resume never comes first */
        j->w = w;
        w->suspend(w->ctx);
        wr->n_suspended++;
    }
    *wr->tail = j;
    wr->tail = &j->next;
    wr->n_queued++;
    pthread_cond_signal(&wr->cv);
    while (!is_async && !j->is_done)
        pthread_cond_wait(&wr->done_cv, &wr->mu);
    pthread_mutex_unlock(&wr->mu);
    if (is_async)
        return 1;
    if (j != &local)
        et__free(j);
    return 0;
}

unsigned et__http_write_queue(struct et_http *h)
{
    unsigned n;

    pthread_mutex_lock(&h->w.mu);
    n = h->w.n_queued;
    pthread_mutex_unlock(&h->w.mu);
    return n;
}

void et_http_quiesce(struct et_http *h)
{
    struct et__http_writer *wr = &h->w;

    pthread_mutex_lock(&wr->mu);
    wr->is_quiesced = true;
    while (wr->n_suspended)
        pthread_cond_wait(&wr->done_cv, &wr->mu);
    pthread_mutex_unlock(&wr->mu);
}

int et__http_writer_start(struct et_http *h, struct et_error *err)
{
    struct et__http_writer *wr = &h->w;
    sigset_t all, old;
    int rc, e;

    pthread_mutex_init(&wr->mu, NULL);
    pthread_cond_init(&wr->cv, NULL);
    pthread_cond_init(&wr->done_cv, NULL);
    wr->tail = &wr->head;
    wr->group_tail = &wr->group;
    wr->is_init = true;
    rc = et_trail_open(h->db, ET_OPEN_CREATE, &wr->t, NULL, err);
    if (rc)
        return rc;
    /* signals go to the transport's threads, never to this one */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&wr->thread, NULL, writer_main, h);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e)
        return et_error_sys(err, ET_ENOMEM, e,
                            "cannot start the writer thread");
    wr->has_thread = true;
    return ET_OK;
}

void et__http_writer_stop(struct et_http *h)
{
    struct et__http_writer *wr = &h->w;

    if (!wr->is_init)
        return;
    if (wr->has_thread) {
        pthread_mutex_lock(&wr->mu);
        wr->stop = true;
        pthread_cond_signal(&wr->cv);
        pthread_mutex_unlock(&wr->mu);
        pthread_join(wr->thread, NULL);
        wr->has_thread = false;
    }
    et_trail_close(wr->t); /* a group left open (none should be) rolls back */
    wr->t = NULL;
    pthread_cond_destroy(&wr->done_cv);
    pthread_cond_destroy(&wr->cv);
    pthread_mutex_destroy(&wr->mu);
    wr->is_init = false;
}
