/* SPDX-License-Identifier: MIT */
/*
 * exectrail migrate: copy a trail's ledger (every row as stored: bytes,
 * leaf hashes, erased payloads), its identity and signed checkpoints to an
 * empty store of any backend, replay the projections there, and prove the
 * copy: the same tree size and root, and a full verification of the copy.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "redact/redact.h"
#include "trail/trail_dir.h"
#include "trail/trail_int.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BATCH 1000 /* events per transaction in the copy */

static const char *const key_files[] = {"exectrail.key", "exectrail.pub",
                                        ET_REDACT_KEY_FILE};

static int read_all(const char *path, char *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    *len = 0;
    if (fd < 0)
        return -1;
    n = read(fd, buf, cap);
    close(fd);
    if (n < 0 || (size_t)n == cap)
        return -1;
    *len = (size_t)n;
    return 0;
}

static int mkdirs(const char *dir, struct et_error *err)
{
    char p[PATH_MAX];

    snprintf(p, sizeof(p), "%s", dir);
    for (char *c = p + 1;; c++) {
        bool end = *c == '\0';

        if (*c != '/' && !end)
            continue;
        *c = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return et_error_sys(err, ET_EUNAVAIL, errno, "cannot create %s", p);
        if (end)
            return ET_OK;
        *c = '/';
    }
}

/*
 * The copy must be checked with the same keys: give DST's key directory
 * SRC's keys where it has none; refuse when it holds different ones
 * (another trail's), since the copied checkpoints would not verify there.
 */
static int share_keys(const char *sdir, const char *ddir, struct et_error *err)
{
    if (!strcmp(sdir, ddir))
        return ET_OK;
    for (size_t i = 0; i < ET_ARRAY_SIZE(key_files); i++) {
        char sp[PATH_MAX + 32], dp[PATH_MAX + 32], a[4096], b[4096];
        size_t la, lb;
        int fd, rc;

        snprintf(sp, sizeof(sp), "%s/%s", sdir, key_files[i]);
        snprintf(dp, sizeof(dp), "%s/%s", ddir, key_files[i]);
        if (read_all(sp, a, sizeof(a), &la) != 0)
            continue; /* SRC has none */
        if (read_all(dp, b, sizeof(b), &lb) == 0) {
            if (la != lb || memcmp(a, b, la) != 0)
                return et_error_set(err, ET_EEXIST,
                                    "%s holds a different %s than the "
                                    "source trail's; migrate into a "
                                    "directory without keys",
                                    ddir, key_files[i]);
            continue;
        }
        rc = mkdirs(ddir, err);
        if (rc)
            return rc;
        fd = open(dp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  i == 1 ? 0644 : 0600);
        if (fd < 0)
            return et_error_sys(err, ET_EUNAVAIL, errno, "cannot create %s",
                                dp);
        if (write(fd, a, la) != (ssize_t)la || fsync(fd) != 0) {
            int e = errno;

            close(fd);
            unlink(dp);
            return et_error_sys(err, ET_EUNAVAIL, e, "cannot write %s", dp);
        }
        close(fd);
    }
    return ET_OK;
}

struct copy {
    struct et_trail *d;
    struct et_tree tree;
    uint64_t in_batch;
    struct et_error *err;
};

static int copy_row(void *ctx, const struct et_event_row *row)
{
    struct copy *c = ctx;
    int rc;

    if (row->seq != c->tree.size)
        return et_error_set(c->err, ET_EINTEGRITY,
                            "source ledger: expected seq %llu, found %llu",
                            (unsigned long long)c->tree.size,
                            (unsigned long long)row->seq);
    if (c->in_batch == 0) {
        rc = et_store_begin(c->d->st, true, c->err);
        if (rc)
            return rc;
    }
    rc = et_store_append(c->d->st, row, c->err);
    if (rc)
        return rc;
    et_tree_append(&c->tree, row->leaf);
    if (++c->in_batch == BATCH) {
        c->in_batch = 0;
        rc = et_store_head_save(c->d->st, &c->tree, c->err);
        if (!rc)
            rc = et_store_commit(c->d->st, c->err);
        if (rc)
            return rc;
    }
    return ET_OK;
}

static int copy_meta(struct et_trail *s, struct et_trail *d,
                     struct et_error *err)
{
    static const char *const keys[] = {"install_id", "created_at",
                                       "verifier_key"};
    int rc = et_store_begin(d->st, true, err);

    for (size_t i = 0; !rc && i < ET_ARRAY_SIZE(keys); i++) {
        char *v = NULL;

        if (et_store_meta_get(s->st, keys[i], &v, NULL) != ET_OK)
            continue;
        rc = et_store_meta_put(d->st, keys[i], v, err);
        et__free(v);
    }
    if (!rc)
        return et_store_commit(d->st, err);
    et_store_rollback(d->st);
    return rc;
}

struct ckcopy {
    struct et_trail *s, *d;
    uint64_t n;
    struct et_error *err;
};

/* each checkpoint as its note says, after checking its signature */
static int copy_ckpt(void *ctx, uint64_t size, const char *note)
{
    struct ckcopy *c = ctx;
    struct et_checkpoint cp;
    int rc =
        et_checkpoint_verify(note, strlen(note), &c->s->signer, &cp, c->err);

    if (rc)
        return et_error_prefix(c->err, "source checkpoint at size %llu",
                               (unsigned long long)size);
    rc = et_store_checkpoint_put(c->d->st, cp.size, cp.root, cp.time_ns, note,
                                 c->err);
    if (!rc)
        c->n++;
    return rc;
}

static int copy_ledger(struct et_trail *s, struct et_trail *d,
                       struct et_migrate_report *rep, struct et_error *err)
{
    struct copy c;
    struct et_tree src_head;
    uint8_t a[ET_HASH_LEN], b[ET_HASH_LEN];
    int rc;

    memset(&c, 0, sizeof(c));
    c.d = d;
    c.err = err;
    et_tree_init(&c.tree);
    rc = et_store_head_load(s->st, &src_head, err);
    if (!rc)
        rc = et_store_read_range(s->st, 0, UINT64_MAX, copy_row, &c, err);
    if (!rc && c.in_batch) {
        rc = et_store_head_save(d->st, &c.tree, err);
        if (!rc)
            rc = et_store_commit(d->st, err);
    } else if (rc && c.in_batch) {
        et_store_rollback(d->st);
    }
    if (rc)
        return rc;
    et_tree_root(&src_head, a);
    et_tree_root(&c.tree, b);
    if (src_head.size != c.tree.size || memcmp(a, b, ET_HASH_LEN) != 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "the copied ledger (%llu events) does not match "
                            "the source's tree head (%llu events)",
                            (unsigned long long)c.tree.size,
                            (unsigned long long)src_head.size);
    rep->events = c.tree.size;
    return ET_OK;
}

/* DST's stored head and a full verification of it, against SRC's head. */
static int prove(struct et_trail *s, struct et_trail *d,
                 struct et_migrate_report *rep, struct et_error *err)
{
    struct et_tree hs, hd;
    struct et_verify_report vr;
    uint8_t rs[ET_HASH_LEN];
    int rc = et_store_head_load(s->st, &hs, err);

    if (!rc)
        rc = et_store_head_load(d->st, &hd, err);
    if (rc)
        return rc;
    et_tree_root(&hs, rs);
    et_tree_root(&hd, rep->root);
    rep->size = hd.size;
    if (hs.size != hd.size || memcmp(rs, rep->root, ET_HASH_LEN) != 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "tree heads differ: source %llu events, copy "
                            "%llu",
                            (unsigned long long)hs.size,
                            (unsigned long long)hd.size);
    rc = et_trail_verify(d, NULL, 0, &vr, err);
    if (rc == ET_EINTEGRITY)
        return et_error_set(err, rc, "the copy does not verify: %s",
                            vr.problem);
    return rc;
}

int et_trail_migrate(const char *src, const char *dst,
                     struct et_migrate_report *rep, struct et_error *err)
{
    struct et_trail *s = NULL, *d = NULL;
    char ddir[PATH_MAX];
    struct et_tree head;
    int created = 0, rc;

    memset(rep, 0, sizeof(*rep));
    rc = et__trail_open(src, ET_OPEN_READONLY, &s, NULL, err);
    if (rc)
        return et_error_prefix(err, "source");
    rc = et__trail_signer(s, err);
    if (!rc)
        rc = et__trail_dir_for(dst, ddir, sizeof(ddir), err);
    if (!rc)
        rc = share_keys(s->dir, ddir, err);
    if (!rc) {
        rc = et__trail_open(dst, ET_OPEN_CREATE, &d, &created, err);
        if (rc)
            et_error_prefix(err, "destination");
    }
    if (!rc)
        rc = et_store_head_load(d->st, &head, err);
    if (!rc && head.size != 0)
        rc = et_error_set(err, ET_EEXIST,
                          "the destination already holds %llu events; "
                          "migrate into an empty store",
                          (unsigned long long)head.size);
    if (!rc)
        rc = copy_meta(s, d, err);
    if (!rc)
        rc = copy_ledger(s, d, rep, err);
    if (!rc) {
        struct ckcopy c = {s, d, 0, err};

        rc = et_store_checkpoint_each(s->st, copy_ckpt, &c, err);
        rep->checkpoints = c.n;
    }
    if (!rc)
        rc = et_trail_rebuild(d, &rep->rebuilt, err);
    if (!rc)
        rc = prove(s, d, rep, err);
    et_trail_close(d);
    et_trail_close(s);
    return rc;
}
