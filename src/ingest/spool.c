/* SPDX-License-Identifier: MIT */
/*
 * The hook spool and quarantine: append-only files in the data directory
 * that take an input when the store cannot (busy, read-only, full) or will
 * not (malformed input) take it. Appenders hold a shared lock on
 * hook-spool.lock; replay takes it exclusively only to rename the spool
 * aside, so no append can land in a file already being replayed.
 */
#include "base/setup.h"
#include "base/fileio.h"
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/ingest.h"
#include "redact/redact.h"
#include "trail/trail_dir.h"
#include "ingest/pipeline.h"
#include "trail/trail_int.h"

#define SPOOL       "hook-spool.jsonl"
#define REPLAYING   "hook-spool.replaying"
#define LOCK        "hook-spool.lock"
#define REPLAY_LOCK "hook-spool.replay.lock"
#define QUARANTINE  "hook-quarantine.log"
#define QREPLAYING  "hook-quarantine.replaying"
#define RESERVE     "hook-spool.reserve"

int et_ingest_data_dir(const char *db, char *out, size_t cap,
                       struct et_error *err)
{
    char path[PATH_MAX];
    int rc = et_trail_locate(db, path, sizeof(path), err);
    int n;

    if (rc)
        return rc;
    /* a server store (PostgreSQL): the local data directory */
    if (et_store_backend_for(path) != ET_BACKEND_SQLITE)
        return et__trail_dir_for(path, out, cap, err);
    n = snprintf(out, cap, "%s", dirname(path));
    if (n < 0 || (size_t)n >= cap)
        return et_error_set(err, ET_EINVAL, "data directory path too long");
    return ET_OK;
}

static int join(char out[PATH_MAX], const char *dir, const char *name,
                struct et_error *err)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

    if (n < 0 || n >= PATH_MAX)
        return et_error_set(err, ET_EINVAL, "path too long: %s/%s", dir, name);
    return ET_OK;
}

static int open_lock(const char *dir, const char *name, int how,
                     struct et_error *err)
{
    char p[PATH_MAX];
    int fd;

    if (join(p, dir, name, err))
        return -1;
    (void)mkdir(dir, 0700);
    fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        et_error_sys(err, ET_EIO, errno, "cannot open %s", p);
        return -1;
    }
    while (flock(fd, how) != 0) {
        if (errno == EINTR)
            continue;
        if (errno != EWOULDBLOCK)
            et_error_sys(err, ET_EIO, errno, "cannot lock %s", p);
        else
            et_error_set(err, ET_EBUSY, "%s is held", p);
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * The spool reserve (docs/RELIABILITY.md, "The spool reserve"): a file in
 * the data directory holding space allocated up front, given back in
 * pieces when an append to the spool or quarantine file meets a full disk,
 * so that the event lands beside the store rather than in a fallback. Its
 * size is $EXECTRAIL_SPOOL_RESERVE (bytes, with an optional K or M suffix;
 * 0 turns it off), else ET_SPOOL_RESERVE_DEFAULT.
 */
static uint64_t reserve_target(void)
{
    const char *s = getenv("EXECTRAIL_SPOOL_RESERVE");
    unsigned long long v;
    char *end;

    if (!s || !*s)
        return ET_SPOOL_RESERVE_DEFAULT;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s)
        return ET_SPOOL_RESERVE_DEFAULT;
    if ((*end == 'K' || *end == 'k') && v < (1ULL << 40)) {
        v <<= 10;
        end++;
    } else if ((*end == 'M' || *end == 'm') && v < (1ULL << 30)) {
        v <<= 20;
        end++;
    }
    if (*end || v > (1ULL << 40))
        return ET_SPOOL_RESERVE_DEFAULT;
    return v;
}

/* Give back at least need bytes of dir's reserve (whole steps). 0 when
 * some space was given back. */
static int reserve_release(const char *dir, size_t need)
{
    char p[PATH_MAX];
    struct stat sb;
    off_t give, keep;
    int fd, rc = -1;

    if (join(p, dir, RESERVE, NULL))
        return -1;
    fd = open(p, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
        /* a block more than the line needs: what is given back should
         * go to the spool, not to the next writer of the store */
        off_t step = sb.st_blksize > 0 ? (off_t)sb.st_blksize : 4096;

        give = ((off_t)need / step + 2) * step;
        keep = sb.st_size > give ? sb.st_size - give : 0;
        /* the fsync commits the freed blocks (a journaling file system
         * may not hand them out before) */
        if (ftruncate(fd, keep) == 0) {
            (void)fsync(fd);
            rc = 0;
        }
    }
    close(fd);
    return rc;
}

int et_ingest_spool_reserve(const char *dir, bool top_up, uint64_t *bytes_out,
                            uint64_t *target_out, struct et_error *err)
{
    uint64_t target = reserve_target();
    char p[PATH_MAX];
    struct stat sb;
    int fd, rc;

    *bytes_out = 0;
    *target_out = target;
    rc = join(p, dir, RESERVE, err);
    if (rc)
        return rc;
    if (!top_up || target == 0) {
        if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            *bytes_out = (uint64_t)sb.st_blocks * 512 < (uint64_t)sb.st_size
                             ? (uint64_t)sb.st_blocks * 512
                             : (uint64_t)sb.st_size;
        if (target == 0 && top_up)
            (void)unlink(p);
        return ET_OK;
    }
    /* the common case, a whole reserve, costs one stat */
    if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
        (uint64_t)sb.st_size == target &&
        (uint64_t)sb.st_blocks * 512 >= target) {
        *bytes_out = (uint64_t)sb.st_size;
        return ET_OK;
    }
    fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return et_error_sys(err, ET_EIO, errno, "cannot open %s", p);
    /* never wait: another process is giving space back or topping up */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return ET_OK;
    }
    rc = fstat(fd, &sb) == 0 && (uint64_t)sb.st_size > target
             ? ftruncate(fd, (off_t)target)
             : 0;
    if (!rc)
        rc = posix_fallocate(fd, 0, (off_t)target);
    else
        rc = errno;
    if (rc == 0 && fsync(fd) != 0)
        rc = errno;
    if (fstat(fd, &sb) == 0)
        *bytes_out = (uint64_t)sb.st_blocks * 512 < (uint64_t)sb.st_size
                         ? (uint64_t)sb.st_blocks * 512
                         : (uint64_t)sb.st_size;
    close(fd);
    if (rc)
        return et_error_sys(err, ET_EIO, rc, "cannot reserve %llu bytes in %s",
                            (unsigned long long)target, p);
    return ET_OK;
}

static bool no_space(int e)
{
    return e == ENOSPC || e == EDQUOT;
}

/* Write data at the end of fd (opened O_APPEND, locked), after a newline
 * when the file does not end with one (a torn write of a process killed
 * mid-append must not swallow the next line), and fsync. On failure the
 * file is cut back to where it ended (no partial line stays) and errno
 * says why. */
static int append_fd(int fd, const char *data, size_t len)
{
    struct stat sb;
    char last = '\n';
    int e;

    if (fstat(fd, &sb) != 0)
        return -1;
    if (sb.st_size > 0 && pread(fd, &last, 1, sb.st_size - 1) != 1)
        return -1;
    if ((last == '\n' || et__write_all(fd, "\n", 1) == 0) &&
        et__write_all(fd, data, len) == 0 && fsync(fd) == 0)
        return 0;
    e = errno;
    /* cut back the part written; when even that fails the next append
     * starts a new line */
    if (ftruncate(fd, sb.st_size) != 0)
        e = e ? e : errno;
    errno = e;
    return -1;
}

/* Append data to dir/name in one write and fsync it. Appenders take turns
 * (an exclusive lock on the file itself, held for one append); on a full
 * disk, dir's reserve gives back space for it. */
static int append_durable(const char *dir, const char *name, const char *data,
                          size_t len, struct et_error *err)
{
    char p[PATH_MAX];
    int fd = -1, rc;

    rc = join(p, dir, name, err);
    if (rc)
        return rc;
    for (int attempt = 0;; attempt++) {
        int e;

        if (fd < 0)
            fd = open(p, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
                ;
            if (append_fd(fd, data, len) == 0)
                break;
        }
        e = errno;
        if (attempt < 3 && no_space(e) && reserve_release(dir, len + 1) == 0) {
            if (fd >= 0)
                (void)flock(fd, LOCK_UN);
            continue;
        }
        rc = et_error_sys(err, ET_EIO, e, "cannot %s %s",
                          fd < 0 ? "open" : "append to", p);
        break;
    }
    if (fd >= 0 && close(fd) != 0 && !rc)
        rc = et_error_sys(err, ET_EIO, errno, "cannot close %s", p);
    return rc;
}

/*
 * Fallback spool directories, for when the data directory cannot take an
 * append (disk full, read-only, gone): in this order, the first that takes
 * it wins (docs/RELIABILITY.md):
 *   $EXECTRAIL_SPOOL_FALLBACK, $XDG_RUNTIME_DIR/exectrail,
 *   /dev/shm/exectrail-<uid>, /tmp/exectrail-<uid>,
 * each with a subdirectory spool-<hash of the data directory's path> so
 * that trails never share one. Each level is made 0700 and must be a
 * directory owned by this user (not a symlink).
 */
#define N_FALLBACK 4

static int owned_dir(const char *p)
{
    struct stat sb;

    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return -1;
    if (lstat(p, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != geteuid())
        return -1;
    return 0;
}

/* The i-th fallback spool directory for dir into out; -1 when unset or
 * unusable. With make, the directories are created. */
static int fallback_dir(const char *dir, int i, bool make, char out[PATH_MAX])
{
    char base[PATH_MAX], real[PATH_MAX];
    const char *env = NULL;
    uint64_t h = 1469598103934665603ULL;
    int n;

    if (i == 0)
        env = getenv("EXECTRAIL_SPOOL_FALLBACK");
    else if (i == 1)
        env = getenv("XDG_RUNTIME_DIR");
    if (i <= 1 && (!env || !*env))
        return -1;
    if (i == 0)
        n = snprintf(base, sizeof(base), "%s", env);
    else if (i == 1)
        n = snprintf(base, sizeof(base), "%s/exectrail", env);
    else
        n = snprintf(base, sizeof(base), "%s/exectrail-%u",
                     i == 2 ? "/dev/shm" : "/tmp", (unsigned)geteuid());
    if (n < 0 || (size_t)n >= sizeof(base))
        return -1;
    if (!realpath(dir, real))
        snprintf(real, sizeof(real), "%s", dir);
    for (const char *p = real; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    n = snprintf(out, PATH_MAX, "%s/spool-%016llx", base,
                 (unsigned long long)h);
    if (n < 0 || n >= PATH_MAX)
        return -1;
    if (make && (owned_dir(base) != 0 || owned_dir(out) != 0))
        return -1;
    if (!make) {
        struct stat sb;

        if (lstat(out, &sb) != 0 || !S_ISDIR(sb.st_mode) ||
            sb.st_uid != geteuid())
            return -1;
    }
    return 0;
}

/*
 * The redactor for what goes to the spool and quarantine files: every rule
 * on (stricter than any config), the installation's key (made if this is
 * the first write), so the markers match what the store will hold.
 */
static int spool_append_raw(const char *dir, const char *data, size_t len,
                            struct et_error *err);

static int dir_redactor(const char *dir, struct et_redactor **out,
                        struct et_error *err)
{
    uint8_t key[ET_REDACT_KEY_LEN];
    int rc;

    (void)mkdir(dir, 0700);
    rc = et__redact_key_load(dir, true, key, err);
    for (int i = 0; rc && rc != ET_ENOMEM && i < N_FALLBACK; i++) {
        char fb[PATH_MAX];

        /* the data directory cannot hold a key (full, read-only): the
         * secret is still never written; its fingerprint just uses a key
         * kept with the fallback spool */
        if (fallback_dir(dir, i, true, fb) == 0)
            rc = et__redact_key_load(fb, true, key, err);
    }
    if (!rc)
        rc = et__redactor_new(key, ET_REDACT_PCRE2, out, err);
    memset(key, 0, sizeof(key));
    return rc;
}

int et_ingest_spool_append(const char *dir, const char *json, size_t len,
                           struct et_error *err)
{
    struct json_object *o = NULL;
    struct et_redactor *r = NULL;
    struct et_buf line = ET_BUF_INIT;
    int rc = et_json_parse(json, len, NULL, &o, err);

    if (rc)
        return rc;
    /* no secret is ever written to the spool file */
    rc = dir_redactor(dir, &r, err);
    if (!rc)
        rc = et__redact_json(r, o, NULL, err);
    et__redactor_free(r);
    if (rc) {
        json_object_put(o);
        return rc;
    }
    rc = et_json_write(o, 0, &line);
    if (!rc)
        rc = et_buf_addch(&line, '\n');
    json_object_put(o);
    if (rc) {
        et_buf_release(&line);
        return et_error_set(err, rc, "cannot encode the spooled input");
    }
    rc = spool_append_raw(dir, line.ptr, line.len, err);
    for (int i = 0; rc && rc != ET_ENOMEM && i < N_FALLBACK; i++) {
        char fb[PATH_MAX];
        struct et_error e2 = ET_ERROR_INIT;

        if (fallback_dir(dir, i, true, fb) == 0 &&
            spool_append_raw(fb, line.ptr, line.len, &e2) == ET_OK)
            rc = ET_OK;
    }
    et_buf_release(&line);
    return rc;
}

/* append_durable under the shared lock that quarantine replay takes
 * exclusively to move the file aside */
static int append_locked(const char *dir, const char *name, const char *data,
                         size_t len, struct et_error *err)
{
    struct et_error e2 = ET_ERROR_INIT;
    int lk = open_lock(dir, LOCK, LOCK_SH, &e2);
    int rc = append_durable(dir, name, data, len, err);

    if (lk >= 0)
        close(lk);
    return rc;
}

int et_ingest_quarantine(const char *dir, const char *raw, size_t len,
                         const char *why, struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT, rraw = ET_BUF_INIT, rwhy = ET_BUF_INIT;
    struct et_redactor *r = NULL;
    char when[ET_RFC3339_MAX];
    size_t n = 0;
    int rc;

    /* the bytes are kept for a human to look at, but never a secret */
    rc = dir_redactor(dir, &r, err);
    if (!rc)
        rc = et__redact_text(r, raw, len, &rraw, &n, err);
    if (!rc && n) {
        raw = rraw.ptr;
        len = rraw.len;
    }
    if (!rc && why)
        rc = et__redact_text(r, why, strlen(why), &rwhy, &n, err);
    if (!rc && why && n)
        why = et_buf_str(&rwhy);
    et__redactor_free(r);
    if (rc) {
        et_buf_release(&rraw);
        et_buf_release(&rwhy);
        return rc;
    }
    et_time_format(et_time_now_ns(), when);
    rc = et_buf_printf(&b, "#quarantine %s %zu ", when, len);
    /* the reason stays on its header line */
    for (const char *p = why ? why : ""; !rc && *p; p++)
        rc = et_buf_addch(&b, *p == '\n' || *p == '\r' ? ' ' : *p);
    if (!rc)
        rc = et_buf_addch(&b, '\n');
    if (!rc)
        rc = et_buf_add(&b, raw, len);
    if (!rc)
        rc = et_buf_addch(&b, '\n');
    if (!rc)
        rc = append_locked(dir, QUARANTINE, b.ptr, b.len, err);
    else
        rc = et_error_set(err, rc, "cannot quarantine %zu bytes", len);
    et_buf_release(&b);
    et_buf_release(&rraw);
    et_buf_release(&rwhy);
    return rc;
}

/* Read a whole file; ET_ENOTFOUND when absent. *out caller-owned. */
static int slurp(const char *path, char **out, size_t *len,
                 struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    char chunk[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = ET_OK;

    *out = NULL;
    *len = 0;
    if (fd < 0)
        return errno == ENOENT
                   ? ET_ENOTFOUND
                   : et_error_sys(err, ET_EIO, errno, "cannot open %s", path);
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
            break;
        }
        if (n == 0)
            break;
        rc = et_buf_add(&b, chunk, (size_t)n);
        if (rc) {
            rc = et_error_set(err, rc, "%s is too large", path);
            break;
        }
    }
    close(fd);
    if (!rc)
        rc = et_buf_addch(&b, '\0');
    if (rc) {
        et_buf_release(&b);
        return rc;
    }
    *out = et_buf_detach(&b, len);
    (*len)--;
    return ET_OK;
}

static uint64_t count_lines(const char *p, size_t n)
{
    uint64_t c = 0;

    for (size_t i = 0; i < n; i++)
        c += p[i] == '\n';
    return c;
}

/* Put lines (already one JSON per line) back into the spool. */
static int spool_append_raw(const char *dir, const char *data, size_t len,
                            struct et_error *err)
{
    int lk = open_lock(dir, LOCK, LOCK_SH, err);
    int rc;

    if (lk < 0)
        return err ? err->code : ET_EIO;
    rc = append_durable(dir, SPOOL, data, len, err);
    if (!rc && len && data[len - 1] != '\n')
        rc = append_durable(dir, SPOOL, "\n", 1, err);
    close(lk);
    return rc;
}

/* Move the spool aside (unless a crashed replay left one there). */
static int take_spool(const char *dir, char rp[PATH_MAX], struct et_error *err)
{
    char sp[PATH_MAX];
    struct stat sb;
    int lk, rc;

    rc = join(sp, dir, SPOOL, err);
    if (!rc)
        rc = join(rp, dir, REPLAYING, err);
    if (rc)
        return rc;
    if (stat(rp, &sb) == 0)
        return ET_OK;
    lk = open_lock(dir, LOCK, LOCK_EX, err);
    if (lk < 0)
        return err ? err->code : ET_EIO;
    if (rename(sp, rp) != 0 && errno != ENOENT)
        rc = et_error_sys(err, ET_EIO, errno, "cannot move %s aside", sp);
    close(lk);
    return rc;
}

static int replay_lines(struct et_trail *t, const char *qdir,
                        const char *sdir, char *buf, size_t len,
                        struct et_spool_stats *st, struct et_error *err)
{
    size_t pos = 0;
    int rc = ET_OK;

    while (pos < len) {
        char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        struct et_error why;

        if (end > pos) {
            int r =
                et_ingest_claude_hook(t, buf + pos, end - pos, 0, NULL, &why);

            if (r == ET_EINPUT || r == ET_ETOOBIG) {
                rc = et_ingest_quarantine(qdir, buf + pos, end - pos, why.msg,
                                          err);
                st->quarantined++;
            } else if (r) {
                /* keep this line and the rest for later */
                rc = spool_append_raw(sdir, buf + pos, len - pos, err);
                if (!rc) {
                    st->remaining += count_lines(buf + pos, len - pos) +
                                     (buf[len - 1] != '\n');
                    rc = r;
                    if (err)
                        *err = why;
                }
                return rc;
            } else {
                st->replayed++;
            }
            if (rc)
                return rc;
        }
        pos = end + 1;
    }
    return rc;
}

/* Replay the spool kept in sdir (the data directory qdir or one of its
 * fallbacks); malformed lines go to qdir's quarantine. */
static int replay_spool_dir(struct et_trail *t, const char *qdir,
                            const char *sdir, bool wait,
                            struct et_spool_stats *st, struct et_error *err)
{
    char rp[PATH_MAX], *buf = NULL;
    size_t len = 0;
    int lk, rc;

    {
        /* the common case, nothing spooled, takes no lock */
        char sp[PATH_MAX];
        struct stat sb;

        if (join(sp, sdir, SPOOL, err) || join(rp, sdir, REPLAYING, err))
            return err ? err->code : ET_EINVAL;
        if (stat(sp, &sb) != 0 && stat(rp, &sb) != 0)
            return ET_OK;
    }
    lk = open_lock(sdir, REPLAY_LOCK, LOCK_EX | (wait ? 0 : LOCK_NB), err);
    if (lk < 0)
        return !wait && err && err->code == ET_EBUSY
                   ? ET_OK
                   : (err ? err->code : ET_EIO);
    /* take the spool only when the store takes writes: a busy store would
     * send every line back behind newer ones, out of order */
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    et__unit_abort(t);
    rc = take_spool(sdir, rp, err);
    if (!rc)
        rc = slurp(rp, &buf, &len, err);
    if (rc == ET_ENOTFOUND) {
        rc = ET_OK;
        goto out;
    }
    if (rc)
        goto out;
    rc = replay_lines(t, qdir, sdir, buf, len, st, err);
    /* every line is now recorded, quarantined or back in the spool */
    if ((rc == ET_OK || st->remaining) && unlink(rp) != 0 && !rc)
        rc = et_error_sys(err, ET_EIO, errno, "cannot remove %s", rp);
out:
    et__free(buf);
    close(lk);
    return rc;
}

static int count_spooled(const char *sdir, uint64_t *n, struct et_error *err);

int et_ingest_spool_replay(struct et_trail *t, const char *dir, bool wait,
                           struct et_spool_stats *st, struct et_error *err)
{
    struct et_spool_stats dummy;
    int rc;

    if (!st)
        st = &dummy;
    memset(st, 0, sizeof(*st));
    /* the data directory's own spool first, then what its fallbacks took
     * while it could not */
    rc = replay_spool_dir(t, dir, dir, wait, st, err);
    for (int i = 0; !rc && i < N_FALLBACK; i++) {
        char fb[PATH_MAX];

        if (fallback_dir(dir, i, false, fb) == 0)
            rc = replay_spool_dir(t, dir, fb, wait, st, err);
    }
    if (!rc) {
        /* the store takes writes again and nothing waits: make the
         * reserve whole again (a full disk: it stays as it is) */
        uint64_t have, want;
        int r = et_ingest_spool_reserve(dir, true, &have, &want, NULL);

        (void)r;
    } else {
        /* report the real backlog, wherever it waits */
        uint64_t n = 0;

        if (count_spooled(dir, &n, NULL) == ET_OK)
            st->remaining = n;
        for (int i = 0; i < N_FALLBACK; i++) {
            char fb[PATH_MAX];

            if (fallback_dir(dir, i, false, fb) == 0 &&
                count_spooled(fb, &n, NULL) == ET_OK)
                st->remaining += n;
        }
    }
    return rc;
}

static int count_quarantine(const char *dir, uint64_t *n, struct et_error *err)
{
    char p[PATH_MAX], *buf = NULL;
    size_t len = 0, pos = 0;
    int rc = join(p, dir, QUARANTINE, err);

    *n = 0;
    if (!rc)
        rc = slurp(p, &buf, &len, err);
    if (rc == ET_ENOTFOUND)
        return ET_OK;
    while (!rc && pos < len) {
        char when[64];
        unsigned long long sz = 0;
        char *nl;

        if (sscanf(buf + pos, "#quarantine %63s %llu", when, &sz) != 2)
            break;
        nl = memchr(buf + pos, '\n', len - pos);
        if (!nl)
            break;
        (*n)++;
        pos = (size_t)(nl - buf) + 1 + (size_t)sz + 1;
    }
    et__free(buf);
    return rc;
}

/* Lines waiting in sdir's spool (and a replay in progress there). */
static int count_spooled(const char *sdir, uint64_t *n, struct et_error *err)
{
    const char *const names[] = {SPOOL, REPLAYING};
    int rc = ET_OK;

    *n = 0;
    for (size_t i = 0; !rc && i < 2; i++) {
        char p[PATH_MAX], *buf = NULL;
        size_t len = 0;

        rc = join(p, sdir, names[i], err);
        if (!rc)
            rc = slurp(p, &buf, &len, err);
        if (rc == ET_ENOTFOUND) {
            rc = ET_OK;
            continue;
        }
        if (!rc)
            *n += count_lines(buf, len);
        et__free(buf);
    }
    return rc;
}

int et_ingest_spool_locations(const char *dir, et_spool_location_fn *fn,
                              void *ctx, struct et_error *err)
{
    uint64_t n = 0;
    int rc = count_spooled(dir, &n, err);

    if (!rc)
        rc = fn(dir, n, ctx);
    for (int i = 0; !rc && i < N_FALLBACK; i++) {
        char fb[PATH_MAX];

        if (fallback_dir(dir, i, false, fb) != 0)
            continue;
        rc = count_spooled(fb, &n, err);
        if (!rc)
            rc = fn(fb, n, ctx);
    }
    return rc;
}

static int add_spooled(const char *sdir, uint64_t n, void *ctx)
{
    (void)sdir;
    *(uint64_t *)ctx += n;
    return 0;
}

bool et_ingest_spool_pending(const char *dir)
{
    for (int i = -1; i < N_FALLBACK; i++) {
        char fb[PATH_MAX], p[PATH_MAX];
        const char *sdir = dir;
        struct stat sb;

        if (i >= 0) {
            if (fallback_dir(dir, i, false, fb) != 0)
                continue;
            sdir = fb;
        }
        if ((join(p, sdir, SPOOL, NULL) == ET_OK && stat(p, &sb) == 0) ||
            (join(p, sdir, REPLAYING, NULL) == ET_OK && stat(p, &sb) == 0))
            return true;
    }
    return false;
}

int et_ingest_spool_status(const char *dir, uint64_t *spooled_out,
                           uint64_t *quarantined_out, struct et_error *err)
{
    int rc;

    *spooled_out = 0;
    *quarantined_out = 0;
    rc = et_ingest_spool_locations(dir, add_spooled, spooled_out, err);
    if (!rc)
        rc = count_quarantine(dir, quarantined_out, err);
    return rc;
}

/* Move the quarantine aside (unless a crashed replay left one there). */
static int take_quarantine(const char *dir, char rp[PATH_MAX],
                           struct et_error *err)
{
    char qp[PATH_MAX];
    struct stat sb;
    int lk, rc = join(qp, dir, QUARANTINE, err);

    if (!rc)
        rc = join(rp, dir, QREPLAYING, err);
    if (rc || stat(rp, &sb) == 0)
        return rc;
    lk = open_lock(dir, LOCK, LOCK_EX, err);
    if (lk < 0)
        return err ? err->code : ET_EIO;
    if (rename(qp, rp) != 0 && errno != ENOENT)
        rc = et_error_sys(err, ET_EIO, errno, "cannot move %s aside", qp);
    close(lk);
    return rc;
}

int et_ingest_quarantine_replay(struct et_trail *t, const char *dir,
                                struct et_spool_stats *st, struct et_error *err)
{
    struct et_buf keep = ET_BUF_INIT;
    char rp[PATH_MAX], *buf = NULL;
    size_t len = 0, pos = 0;
    int lk, rc;

    memset(st, 0, sizeof(*st));
    lk = open_lock(dir, REPLAY_LOCK, LOCK_EX, err);
    if (lk < 0)
        return err ? err->code : ET_EIO;
    rc = et__ingest_begin(t, err);
    if (rc)
        goto out;
    et__unit_abort(t);
    rc = take_quarantine(dir, rp, err);
    if (!rc)
        rc = slurp(rp, &buf, &len, err);
    if (rc == ET_ENOTFOUND) {
        rc = ET_OK;
        goto out;
    }
    while (!rc && pos < len) {
        char when[64], *nl = memchr(buf + pos, '\n', len - pos);
        unsigned long long sz = 0;
        size_t start = pos, raw, next;
        struct et_error why;
        int r;

        if (!nl ||
            sscanf(buf + pos, "#quarantine %63s %llu", when, &sz) != 2 ||
            sz > len - (size_t)(nl - buf) - 1) {
            /* not an entry this code wrote: keep the rest as it is */
            rc = et_buf_add(&keep, buf + pos, len - pos);
            break;
        }
        raw = (size_t)(nl - buf) + 1;
        next = raw + (size_t)sz + (raw + sz < len);
        r = et_ingest_claude_hook(t, buf + raw, (size_t)sz, 0, NULL, &why);
        if (r == ET_OK) {
            st->replayed++;
        } else if (r == ET_EINPUT || r == ET_ETOOBIG) {
            st->quarantined++;
            rc = et_buf_add(&keep, buf + start, next - start);
        } else {
            /* the store stopped taking writes: keep this and the rest */
            rc = et_buf_add(&keep, buf + start, len - start);
            if (!rc) {
                rc = r;
                if (err)
                    *err = why;
            }
            break;
        }
        pos = next;
    }
    if (rc == ET_ENOMEM)
        goto out; /* the file aside stays for the next replay */
    {
        int r2 = keep.len ? append_locked(dir, QUARANTINE, keep.ptr,
                                          keep.len, rc ? NULL : err)
                          : ET_OK;

        if (r2 == ET_OK && unlink(rp) != 0 && !rc)
            rc = et_error_sys(err, ET_EIO, errno, "cannot remove %s", rp);
        else if (r2 && !rc)
            rc = r2;
    }
out:
    et_buf_release(&keep);
    et__free(buf);
    close(lk);
    return rc;
}
