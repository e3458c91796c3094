/* SPDX-License-Identifier: MIT */
/*
 * The witness side of C2SP tlog-witness: a key, the logs it trusts and,
 * per log, the latest checkpoint it cosigned (include/exectrail/witness.h
 * has the directory layout). add-checkpoint checks a request in the
 * protocol's order and cosigns only a checkpoint that a consistency proof
 * shows extends the one it holds.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/fileio.h"
#include "base/uuid.h"
#include "exectrail/witness.h"
#include "ledger/note_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KEY_FILE    "key"
#define LOGS_FILE   "logs"
#define STATE_DIR   "state"
#define LOCK_FILE   "lock"
#define KEY_TEXT    256
#define LOGS_MAX    (1 << 20) /* bytes of the logs file */
#define PROOF_LINES 63        /* the protocol's limit */
#define TEXT_PLAIN  "text/plain; charset=utf-8"
#define TEXT_SIZE   "text/x.tlog.size"

struct et_witness {
    char dir[PATH_MAX];
    struct et_signer key;
    char vkey[KEY_TEXT];
};

/* ---- small files ---- */

static int path_in(char *out, size_t cap, const char *dir, const char *name,
                   struct et_error *err)
{
    if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap)
        return et_error_set(err, ET_EINVAL, "witness: path too long: %s/%s",
                            dir, name);
    return ET_OK;
}

/* The whole of path (at most max bytes) into a NUL-terminated buffer;
 * ET_ENOTFOUND when it does not exist. */
static int read_all(const char *path, size_t max, char **out, size_t *len,
                    struct et_error *err)
{
    char *buf = NULL;
    size_t n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

    *out = NULL;
    if (fd < 0)
        return errno == ENOENT
                   ? et_error_set(err, ET_ENOTFOUND, "%s does not exist", path)
                   : et_error_sys(err, ET_EIO, errno, "cannot open %s", path);
    buf = et__malloc(max + 1);
    if (!buf) {
        close(fd);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;

            close(fd);
            et__free(buf);
            return et_error_sys(err, ET_EIO, e, "cannot read %s", path);
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            close(fd);
            et__free(buf);
            return et_error_set(err, ET_ETOOBIG, "%s is larger than %zu bytes",
                                path, max);
        }
    }
    close(fd);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return ET_OK;
}

/* all of s[0..n), then fsync */
static int write_fd(int fd, const char *s, size_t n)
{
    return et__write_all(fd, s, n) == 0 ? fsync(fd) : -1;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

/* path gets text[0..n), durably, through a temporary file and a rename. */
static int replace_file(const char *dir, const char *path, const char *text,
                        size_t n, struct et_error *err)
{
    char tmp[PATH_MAX];
    int fd, e;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
        return et_error_set(err, ET_EINVAL, "witness: path too long: %s",
                            path);
    fd = mkstemp(tmp);
    if (fd < 0)
        return et_error_sys(err, ET_EIO, errno, "cannot create %s", tmp);
    if (fchmod(fd, 0644) != 0 || write_fd(fd, text, n) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        return et_error_sys(err, ET_EIO, e, "cannot write %s", tmp);
    }
    if (close(fd) != 0 || rename(tmp, path) != 0 || sync_dir(dir) != 0) {
        e = errno;
        unlink(tmp);
        return et_error_sys(err, ET_EIO, e, "cannot replace %s", path);
    }
    return ET_OK;
}

static int mkdir_p(const char *dir, struct et_error *err)
{
    char p[PATH_MAX];
    size_t n = strlen(dir);

    if (n == 0 || n >= sizeof(p))
        return et_error_set(err, ET_EINVAL, "witness: bad directory '%s'",
                            dir);
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        p[i] = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return et_error_sys(err, ET_EIO, errno, "cannot create %s", p);
        p[i] = dir[i];
    }
    return ET_OK;
}

/* ---- the key ---- */

static int load_key(const char *dir, struct et_signer *key, char *vkey,
                    size_t cap, struct et_error *err)
{
    char path[PATH_MAX], *text = NULL;
    size_t n;
    int rc;

    rc = path_in(path, sizeof(path), dir, KEY_FILE, err);
    if (!rc)
        rc = read_all(path, KEY_TEXT, &text, &n, err);
    if (rc == ET_ENOTFOUND)
        return et_error_set(err, ET_ENOTFOUND,
                            "no witness key in %s (exectrail witness init)",
                            dir);
    if (rc)
        return rc;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        n--;
    rc = et_cosigner_parse(text, n, key, err);
    sodium_memzero(text, n);
    et__free(text);
    if (rc)
        return et_error_prefix(err, "%s/" KEY_FILE, dir);
    if (!key->has_secret) {
        et_signer_wipe(key);
        return et_error_set(err, ET_EINPUT,
                            "%s/" KEY_FILE " holds no secret key", dir);
    }
    if (et_signer_format_verifier(key, vkey, cap) != ET_OK)
        return et_error_set(err, ET_EINTERNAL, "cannot format the key");
    return ET_OK;
}

int et_witness_init(const char *dir, const char *name, char *vkey, size_t cap,
                    bool *created, struct et_error *err)
{
    char path[PATH_MAX], text[KEY_TEXT], id[ET_UUID_STRLEN + 1], made[64];
    struct et_signer key;
    int fd, rc;

    if (created)
        *created = false;
    if (!dir || !vkey || cap == 0)
        return et_error_set(err, ET_EINVAL, "witness: null argument");
    vkey[0] = '\0';
    rc = mkdir_p(dir, err);
    if (!rc)
        rc = path_in(path, sizeof(path), dir, KEY_FILE, err);
    if (rc)
        return rc;
    if (access(path, F_OK) == 0) {
        if (name)
            return et_error_set(err, ET_EEXIST,
                                "%s already holds a witness key (its name "
                                "cannot change)",
                                dir);
        rc = load_key(dir, &key, vkey, cap, err);
        et_signer_wipe(&key);
        return rc;
    }
    if (!name) {
        rc = et_uuid_v4(id);
        if (rc)
            return et_error_set(err, rc, "no entropy for a key name");
        snprintf(made, sizeof(made), "exectrail-witness-%.8s", id);
        name = made;
    }
    rc = et_cosigner_generate(name, &key, err);
    if (rc)
        return rc;
    if (et_signer_format_secret(&key, text, sizeof(text)) != ET_OK ||
        et_signer_format_verifier(&key, vkey, cap) != ET_OK) {
        et_signer_wipe(&key);
        return et_error_set(err, ET_EINTERNAL, "cannot format the key");
    }
    et_signer_wipe(&key);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sodium_memzero(text, sizeof(text));
        return et_error_sys(err, errno == EEXIST ? ET_EEXIST : ET_EIO, errno,
                            "cannot create %s", path);
    }
    rc = write_fd(fd, text, strlen(text)) == 0 && write_fd(fd, "\n", 1) == 0
             ? ET_OK
             : et_error_sys(err, ET_EIO, errno, "cannot write %s", path);
    sodium_memzero(text, sizeof(text));
    if (close(fd) != 0 && !rc)
        rc = et_error_sys(err, ET_EIO, errno, "cannot write %s", path);
    if (!rc && sync_dir(dir) != 0)
        rc = et_error_sys(err, ET_EIO, errno, "cannot sync %s", dir);
    if (rc) {
        unlink(path);
        return rc;
    }
    if (created)
        *created = true;
    return ET_OK;
}

/* ---- trusted logs ---- */

/* An origin we can keep on a "<origin> <vkey>" line: 1-127 printable
 * ASCII bytes without spaces. */
static bool origin_ok(const char *s, size_t n)
{
    if (n == 0 || n > 127)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return false;
    return true;
}

typedef int log_line_fn(void *ctx, const char *origin, const char *vkey,
                        const struct et_signer *key);

/* Each line of dir's logs file ("#" comments and blank lines skipped). */
static int each_log(const char *dir, log_line_fn *fn, void *ctx,
                    struct et_error *err)
{
    char path[PATH_MAX], *text = NULL, *p, *nl;
    int rc, line_no = 0;

    rc = path_in(path, sizeof(path), dir, LOGS_FILE, err);
    if (!rc)
        rc = read_all(path, LOGS_MAX, &text, NULL, err);
    if (rc == ET_ENOTFOUND)
        return ET_OK; /* no log trusted yet */
    if (rc)
        return rc;
    for (p = text; *p; p = nl) {
        struct et_signer key;
        char *sp, *end;

        nl = strchr(p, '\n');
        end = nl ? nl : p + strlen(p);
        nl = nl ? nl + 1 : end;
        line_no++;
        *end = '\0';
        if (end > p && end[-1] == '\r')
            *--end = '\0';
        if (*p == '\0' || *p == '#')
            continue;
        sp = strchr(p, ' ');
        if (!sp || !origin_ok(p, (size_t)(sp - p))) {
            rc = et_error_set(err, ET_EINPUT,
                              "%s line %d: want '<origin> <log verifier key>'",
                              path, line_no);
            break;
        }
        *sp++ = '\0';
        rc = et_signer_parse(sp, strlen(sp), &key, err);
        if (rc) {
            et_error_prefix(err, "%s line %d", path, line_no);
            break;
        }
        rc = fn(ctx, p, sp, &key);
        if (rc)
            break;
    }
    et__free(text);
    return rc;
}

struct dup_check {
    const char *origin, *vkey;
    bool found;
};

static int find_dup(void *ctx, const char *origin, const char *vkey,
                    const struct et_signer *key)
{
    struct dup_check *d = ctx;

    (void)key;
    if (strcmp(origin, d->origin) == 0 && strcmp(vkey, d->vkey) == 0)
        d->found = true;
    return 0;
}

int et_witness_trust(const char *dir, const char *origin, const char *vkey,
                     struct et_error *err)
{
    char path[PATH_MAX], line[512];
    struct et_signer key;
    struct dup_check d = {origin, vkey, false};
    int fd, rc, n;

    if (!dir || !origin || !vkey)
        return et_error_set(err, ET_EINVAL, "witness: null argument");
    if (!origin_ok(origin, strlen(origin)))
        return et_error_set(err, ET_EINPUT,
                            "origin: want 1-127 printable ASCII bytes "
                            "without spaces");
    rc = et_signer_parse(vkey, strlen(vkey), &key, err);
    if (rc)
        return et_error_prefix(err, "log key");
    if (key.has_secret) {
        et_signer_wipe(&key);
        return et_error_set(err, ET_EINPUT,
                            "log key: that is a secret key: give the "
                            "verifier key (exectrail checkpoint --identity)");
    }
    rc = mkdir_p(dir, err);
    if (!rc)
        rc = each_log(dir, find_dup, &d, err);
    if (rc)
        return rc;
    if (d.found)
        return et_error_set(err, ET_EEXIST, "%s is trusted already with that key",
                            origin);
    rc = path_in(path, sizeof(path), dir, LOGS_FILE, err);
    if (rc)
        return rc;
    n = snprintf(line, sizeof(line), "%s %s\n", origin, vkey);
    if (n < 0 || n >= (int)sizeof(line))
        return et_error_set(err, ET_EINPUT, "origin and key are too long");
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
              0644);
    if (fd < 0)
        return et_error_sys(err, ET_EIO, errno, "cannot open %s", path);
    rc = write_fd(fd, line, (size_t)n) == 0
             ? ET_OK
             : et_error_sys(err, ET_EIO, errno, "cannot write %s", path);
    if (close(fd) != 0 && !rc)
        rc = et_error_sys(err, ET_EIO, errno, "cannot write %s", path);
    return rc;
}

/* ---- per-log state: "<size> <root hex>\n" then the checkpoint ---- */

static void state_path(const char *dir, const char *origin, char *out,
                       size_t cap)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof(h) + 1];

    crypto_hash_sha256(h, (const unsigned char *)origin, strlen(origin));
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, cap, "%s/" STATE_DIR "/%s", dir, hex);
}

struct log_state {
    bool has;
    uint64_t size;
    uint8_t root[ET_HASH_LEN];
};

static int read_state(const char *path, struct log_state *s,
                      struct et_error *err)
{
    char *text = NULL, *end;
    char hex[2 * ET_HASH_LEN + 1];
    unsigned long long size;
    size_t n;
    int rc;

    memset(s, 0, sizeof(*s));
    rc = read_all(path, ET_NOTE_MAX + 128, &text, &n, err);
    if (rc == ET_ENOTFOUND)
        return ET_OK;
    if (rc)
        return rc;
    errno = 0;
    size = strtoull(text, &end, 10);
    if (errno || end == text || *end != ' ' ||
        sscanf(end + 1, "%64[0-9a-f]", hex) != 1 || strlen(hex) != 64 ||
        sodium_hex2bin(s->root, sizeof(s->root), hex, 64, NULL, NULL, NULL) !=
            0) {
        et__free(text);
        return et_error_set(err, ET_EINTEGRITY,
                            "witness state %s is damaged: fix or remove it "
                            "by hand",
                            path);
    }
    et__free(text);
    s->size = size;
    s->has = true;
    return ET_OK;
}

struct list_ctx {
    const char *dir;
    et_witness_log_fn *fn;
    void *ctx;
    struct et_error *err;
};

static int list_one(void *ctx, const char *origin, const char *vkey,
                    const struct et_signer *key)
{
    struct list_ctx *l = ctx;
    struct et_witness_log log = {origin, vkey, 0, false};
    struct log_state s;
    char path[PATH_MAX + 80];
    int rc;

    (void)key;
    state_path(l->dir, origin, path, sizeof(path));
    rc = read_state(path, &s, l->err);
    if (rc)
        return rc;
    log.size = s.size;
    log.has_state = s.has;
    return l->fn(l->ctx, &log);
}

int et_witness_list(const char *dir, et_witness_log_fn *fn, void *ctx,
                    struct et_error *err)
{
    struct list_ctx l = {dir, fn, ctx, err};

    if (!dir || !fn)
        return et_error_set(err, ET_EINVAL, "witness: null argument");
    return each_log(dir, list_one, &l, err);
}

/* ---- the service ---- */

int et_witness_open(const char *dir, struct et_witness **out,
                    struct et_error *err)
{
    struct et_witness *w;
    char sub[PATH_MAX];
    int rc;

    *out = NULL;
    if (!dir)
        return et_error_set(err, ET_EINVAL, "witness: null argument");
    w = et__calloc(1, sizeof(*w));
    if (!w)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    if (snprintf(w->dir, sizeof(w->dir), "%s", dir) >= (int)sizeof(w->dir)) {
        et__free(w);
        return et_error_set(err, ET_EINVAL, "witness: path too long");
    }
    rc = load_key(dir, &w->key, w->vkey, sizeof(w->vkey), err);
    if (!rc)
        rc = path_in(sub, sizeof(sub), dir, STATE_DIR, err);
    if (!rc)
        rc = mkdir_p(sub, err);
    if (rc) {
        et_witness_close(w);
        return rc;
    }
    *out = w;
    return ET_OK;
}

void et_witness_close(struct et_witness *w)
{
    if (!w)
        return;
    et_signer_wipe(&w->key);
    et__free(w);
}

const char *et_witness_vkey(const struct et_witness *w)
{
    return w ? w->vkey : "";
}

static void answer(struct et_witness_answer *a, int status, const char *type,
                   const char *fmt, ...) ET_PRINTF(4, 5);

static void answer(struct et_witness_answer *a, int status, const char *type,
                   const char *fmt, ...)
{
    va_list ap;

    a->status = status;
    a->type = type;
    va_start(ap, fmt);
    vsnprintf(a->body, sizeof(a->body), fmt, ap);
    va_end(ap);
}

/* The request's parts: the old size, the proof, the checkpoint. */
struct request {
    uint64_t old;
    uint8_t proof[PROOF_LINES][ET_HASH_LEN];
    size_t n_proof;
    const char *note;
    size_t note_len;
};

static bool decimal(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 20 || (s[0] == '0' && n > 1))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* 0, or the byte offset and why in a (400) */
static bool parse_request(const char *req, size_t len, struct request *r,
                          struct et_witness_answer *a)
{
    const char *p = req, *end = req + len, *nl;

    memset(r, 0, sizeof(*r));
    nl = memchr(p, '\n', len);
    if (!nl || (size_t)(nl - p) < 5 || memcmp(p, "old ", 4) != 0 ||
        !decimal(p + 4, (size_t)(nl - p - 4), &r->old)) {
        answer(a, 400, TEXT_PLAIN,
               "byte 0: the first line must be 'old <size>' (a decimal "
               "without leading zeros)\n");
        return false;
    }
    for (p = nl + 1;; p = nl + 1) {
        size_t n;

        nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
        if (!nl) {
            answer(a, 400, TEXT_PLAIN,
                   "byte %zu: no blank line before the checkpoint\n",
                   (size_t)(p - req));
            return false;
        }
        if (nl == p)
            break;
        if (r->n_proof == PROOF_LINES) {
            answer(a, 400, TEXT_PLAIN,
                   "byte %zu: more than %d consistency proof lines\n",
                   (size_t)(p - req), PROOF_LINES);
            return false;
        }
        if (et__note_b64_decode(p, (size_t)(nl - p), r->proof[r->n_proof],
                                ET_HASH_LEN, &n) != ET_OK ||
            n != ET_HASH_LEN) {
            answer(a, 400, TEXT_PLAIN,
                   "byte %zu: a proof line must be base64 of a 32-byte "
                   "hash\n",
                   (size_t)(p - req));
            return false;
        }
        r->n_proof++;
    }
    r->note = nl + 1;
    r->note_len = (size_t)(end - r->note);
    return true;
}

struct find_key {
    const char *note;
    size_t len;
    char origin[128];
    bool known;
    int verified; /* 1 signed by a trusted key, -1 malformed */
    struct et_checkpoint cp;
    struct et_error why;
};

static int try_key(void *ctx, const char *origin, const char *vkey,
                   const struct et_signer *key)
{
    struct find_key *f = ctx;
    int rc;

    (void)vkey;
    if (strcmp(origin, f->origin) != 0 || f->verified)
        return 0;
    f->known = true;
    rc = et_checkpoint_verify(f->note, f->len, key, &f->cp, &f->why);
    if (rc == ET_OK)
        f->verified = 1;
    else if (rc == ET_EINPUT)
        f->verified = -1;
    return 0;
}

static void keep_evidence(const char *path, const struct request *r)
{
    char ev[PATH_MAX + 128];
    int fd;

    /* a checkpoint signed by the log that does not extend what it
     * showed before: proof of a fork, kept beside the state */
    snprintf(ev, sizeof(ev), "%s.conflict-%lld", path, (long long)time(NULL));
    fd = open(ev, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return;
    (void)write_fd(fd, r->note, r->note_len);
    close(fd);
}

/* Steps after the signature check, under the lock. */
static void add_locked(struct et_witness *w, const struct request *r,
                       const struct et_checkpoint *cp, const char *path,
                       struct et_witness_answer *a)
{
    struct et_error err = ET_ERROR_INIT;
    struct log_state s;
    char line[ET_COSIG_LINE_MAX], hex[2 * ET_HASH_LEN + 1], *text;
    size_t n;
    int rc;

    rc = read_state(path, &s, &err);
    if (rc) {
        answer(a, 500, TEXT_PLAIN, "%s\n", err.msg);
        return;
    }
    if (r->old != s.size) {
        answer(a, 409, TEXT_SIZE, "%" PRIu64 "\n", s.size);
        return;
    }
    if (r->old == cp->size) {
        if (s.has && sodium_memcmp(s.root, cp->root, ET_HASH_LEN) != 0) {
            keep_evidence(path, r);
            answer(a, 409, TEXT_PLAIN,
                   "the checkpoint of size %" PRIu64
                   " has another root than the one cosigned\n",
                   cp->size);
            return;
        }
    } else if (r->old == 0) {
        if (r->n_proof) {
            answer(a, 400, TEXT_PLAIN,
                   "the consistency proof must be empty when old is 0\n");
            return;
        }
    } else if (et_merkle_consistency_verify(
                   r->old, cp->size, s.root, cp->root,
                   (const uint8_t(*)[ET_HASH_LEN])r->proof, r->n_proof,
                   &err) != ET_OK) {
        keep_evidence(path, r);
        answer(a, 422, TEXT_PLAIN,
               "the consistency proof from %" PRIu64 " to %" PRIu64
               " does not verify\n",
               r->old, cp->size);
        return;
    }
    if (!s.has || cp->size != s.size) {
        sodium_bin2hex(hex, sizeof(hex), cp->root, ET_HASH_LEN);
        text = et__malloc(r->note_len + 128);
        if (!text) {
            answer(a, 500, TEXT_PLAIN, "out of memory\n");
            return;
        }
        n = (size_t)snprintf(text, 128, "%" PRIu64 " %s\n", cp->size, hex);
        memcpy(text + n, r->note, r->note_len);
        n += r->note_len;
        rc = replace_file(w->dir, path, text, n, &err);
        et__free(text);
        if (rc) {
            answer(a, 500, TEXT_PLAIN, "%s\n", err.msg);
            return;
        }
    }
    rc = et_checkpoint_cosign(r->note, r->note_len, &w->key,
                              (uint64_t)time(NULL), line, sizeof(line), &err);
    if (rc) {
        answer(a, 500, TEXT_PLAIN, "%s\n", err.msg);
        return;
    }
    answer(a, 200, TEXT_PLAIN, "%s", line);
}

void et_witness_add_checkpoint(struct et_witness *w, const char *req,
                               size_t len, struct et_witness_answer *a)
{
    struct et_error err = ET_ERROR_INIT;
    struct request *r;
    struct find_key f;
    char path[PATH_MAX + 80], lock[PATH_MAX];
    const char *nl;
    int fd, rc;

    memset(a, 0, sizeof(*a));
    if (len > ET_WITNESS_BODY_MAX) {
        answer(a, 413, TEXT_PLAIN, "the body is larger than %d bytes\n",
               ET_WITNESS_BODY_MAX);
        return;
    }
    if (memchr(req, '\0', len)) {
        answer(a, 400, TEXT_PLAIN, "byte %zu: a NUL byte\n",
               (size_t)((const char *)memchr(req, '\0', len) - req));
        return;
    }
    r = et__malloc(sizeof(*r));
    if (!r) {
        answer(a, 500, TEXT_PLAIN, "out of memory\n");
        return;
    }
    if (!parse_request(req, len, r, a))
        goto out;
    memset(&f, 0, sizeof(f));
    f.note = r->note;
    f.len = r->note_len;
    nl = memchr(r->note, '\n', r->note_len);
    if (!nl || !origin_ok(r->note, (size_t)(nl - r->note))) {
        answer(a, 400, TEXT_PLAIN, "byte %zu: bad checkpoint origin line\n",
               (size_t)(r->note - req));
        goto out;
    }
    memcpy(f.origin, r->note, (size_t)(nl - r->note));
    rc = each_log(w->dir, try_key, &f, &err);
    if (rc) {
        answer(a, 500, TEXT_PLAIN, "%s\n", err.msg);
        goto out;
    }
    if (!f.known) {
        answer(a, 404, TEXT_PLAIN, "unknown log origin '%s'\n", f.origin);
        goto out;
    }
    if (f.verified < 0) {
        answer(a, 400, TEXT_PLAIN, "%s\n", f.why.msg);
        goto out;
    }
    if (f.verified == 0) {
        answer(a, 403, TEXT_PLAIN, "%s\n", f.why.msg);
        goto out;
    }
    if (r->old > f.cp.size) {
        answer(a, 400, TEXT_PLAIN,
               "old size %" PRIu64 " is larger than the checkpoint's %" PRIu64
               "\n",
               r->old, f.cp.size);
        goto out;
    }
    /* check and update atomically: one request per witness at a time,
     * across threads (each opens its own lock) and processes */
    state_path(w->dir, f.origin, path, sizeof(path));
    if (path_in(lock, sizeof(lock), w->dir, LOCK_FILE, &err) != ET_OK) {
        answer(a, 500, TEXT_PLAIN, "%s\n", err.msg);
        goto out;
    }
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        answer(a, 500, TEXT_PLAIN, "cannot open the lock: %s\n",
               strerror(errno));
        goto out;
    }
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    add_locked(w, r, &f.cp, path, a);
    close(fd);
out:
    et__free(r);
}
