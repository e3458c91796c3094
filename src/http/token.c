/* SPDX-License-Identifier: MIT */
/*
 * API tokens: creation, listing, revocation and checking against the
 * hashed token file (see token.h). Tokens look like
 * etk_<16 hex id>_<48 hex secret>; the file stores SHA-256 of the whole
 * token.
 */
#include "base/setup.h"
#include "base/fileio.h"
#include "http/token.h"

#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "exectrail/ingest.h"

#define TOKEN_FILE   "api-tokens"
#define TOKEN_LOCK   "api-tokens.lock"
#define TOKEN_TMP    "api-tokens.tmp"
#define TOKEN_PREFIX "etk_"
#define ID_BYTES     8
#define SECRET_BYTES 24
#define MAX_TOKENS   10000

static const char *const scope_names[] = {"", "ingest", "read", "admin"};

static enum et_token_scope scope_parse(const char *s)
{
    for (int i = 1; i <= 3; i++)
        if (strcmp(s, scope_names[i]) == 0)
            return (enum et_token_scope)i;
    return ET_TOKEN_NONE;
}

static int data_dir(const char *db, char dir[PATH_MAX], struct et_error *err)
{
    return et_ingest_data_dir(db, dir, PATH_MAX, err);
}

int et__token_path(const char *db, char *out, struct et_error *err)
{
    char dir[PATH_MAX];
    int rc = data_dir(db, dir, err);
    int n;

    if (rc)
        return rc;
    n = snprintf(out, PATH_MAX, "%s/%s", dir, TOKEN_FILE);
    if (n < 0 || n >= PATH_MAX)
        return et_error_set(err, ET_EINVAL, "token file path too long");
    return ET_OK;
}

void et__token_set_release(struct et_token_set *s)
{
    et__free(s->v);
    memset(s, 0, sizeof(*s));
}

/* one line: id scope created expires hash name... */
static int parse_line(char *line, struct et_token_entry *e)
{
    char id[32], scope[16], hash[ET_HASH_LEN * 2 + 2];
    long long created, expires;
    int used = 0;

    memset(e, 0, sizeof(*e));
    if (sscanf(line, "%31s %15s %lld %lld %65s %n", id, scope, &created,
               &expires, hash, &used) < 5)
        return -1;
    if (strlen(id) != ID_BYTES * 2 || strlen(hash) != ET_HASH_LEN * 2)
        return -1;
    e->scope = scope_parse(scope);
    if (e->scope == ET_TOKEN_NONE)
        return -1;
    if (sodium_hex2bin(e->hash, ET_HASH_LEN, hash, ET_HASH_LEN * 2, NULL, NULL,
                       NULL) != 0)
        return -1;
    memcpy(e->id, id, ID_BYTES * 2 + 1);
    e->created_ns = created;
    e->expires_ns = expires;
    snprintf(e->name, sizeof(e->name), "%s", used ? line + used : "");
    return 0;
}

static int load(const char *path, struct et_token_set *s, struct et_error *err)
{
    FILE *f = fopen(path, "r");
    char line[512];
    unsigned long lineno = 0;
    int rc = ET_OK;

    if (!f) {
        if (errno == ENOENT)
            return ET_OK;
        return et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    }
    while (fgets(line, sizeof(line), f)) {
        struct et_token_entry e;
        size_t l = strlen(line);
        lineno++;
        if (l && line[l - 1] == '\n')
            line[--l] = '\0';
        if (l == 0 || line[0] == '#')
            continue;
        if (parse_line(line, &e) != 0) {
            rc = et_error_set(err, ET_EINPUT, "%s:%lu: malformed token line",
                              path, lineno);
            break;
        }
        if (s->n >= MAX_TOKENS) {
            rc = et_error_set(err, ET_ETOOBIG, "%s: more than %d tokens", path,
                              MAX_TOKENS);
            break;
        }
        if (s->n % 16 == 0) {
            void *v = et__realloc(s->v, (s->n + 16) * sizeof(*s->v));
            if (!v) {
                rc = et_error_set(err, ET_ENOMEM, "out of memory");
                break;
            }
            s->v = v;
        }
        s->v[s->n++] = e;
    }
    fclose(f);
    return rc;
}

int et__token_refresh(const char *path, struct et_token_set *s,
                      struct et_error *err)
{
    struct et_token_set fresh;
    struct stat st;
    int64_t mt;
    int rc;

    memset(&fresh, 0, sizeof(fresh));
    if (stat(path, &st) != 0) {
        if (errno != ENOENT)
            return et_error_sys(err, ET_EIO, errno, "cannot stat %s", path);
        et__token_set_release(s);
        return ET_OK;
    }
    mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (s->ino == st.st_ino && s->dev == st.st_dev && s->size == st.st_size &&
        s->mtime_ns == mt)
        return ET_OK;
    rc = load(path, &fresh, err);
    if (rc) {
        et__token_set_release(&fresh);
        return rc;
    }
    fresh.dev = st.st_dev;
    fresh.ino = st.st_ino;
    fresh.size = st.st_size;
    fresh.mtime_ns = mt;
    et__token_set_release(s);
    *s = fresh;
    return ET_OK;
}

enum et_token_scope et__token_check(const struct et_token_set *s,
                                    const char *tok, size_t len, int64_t now_ns)
{
    uint8_t h[ET_HASH_LEN];
    size_t pl = sizeof(TOKEN_PREFIX) - 1;

    if (len != pl + ID_BYTES * 2 + 1 + SECRET_BYTES * 2 ||
        memcmp(tok, TOKEN_PREFIX, pl) != 0)
        return ET_TOKEN_NONE;
    et_hash_sha256(tok, len, h);
    for (size_t i = 0; i < s->n; i++) {
        const struct et_token_entry *e = &s->v[i];
        if (memcmp(e->id, tok + pl, ID_BYTES * 2) != 0)
            continue;
        if (sodium_memcmp(e->hash, h, ET_HASH_LEN) != 0)
            return ET_TOKEN_NONE;
        if (e->expires_ns && e->expires_ns <= now_ns)
            return ET_TOKEN_NONE;
        return e->scope;
    }
    return ET_TOKEN_NONE;
}

/* ---- the public commands ---- */

static int lock_dir(const char *dir, struct et_error *err)
{
    char p[PATH_MAX + 32];
    int fd;

    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return et_error_sys(err, ET_EIO, errno, "cannot create %s", dir);
    snprintf(p, sizeof(p), "%s/%s", dir, TOKEN_LOCK);
    fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return et_error_sys(err, ET_EIO, errno, "cannot open %s", p);
    if (flock(fd, LOCK_EX) != 0) {
        int e = errno;
        close(fd);
        return et_error_sys(err, ET_EIO, e, "cannot lock %s", p);
    }
    return fd;
}

static int fmt_entry(struct et_buf *b, const struct et_token_entry *e)
{
    char hex[ET_HASH_LEN * 2 + 1];

    sodium_bin2hex(hex, sizeof(hex), e->hash, ET_HASH_LEN);
    return et_buf_printf(b, "%s %s %lld %lld %s %s\n", e->id,
                         scope_names[e->scope], (long long)e->created_ns,
                         (long long)e->expires_ns, hex, e->name);
}

/* replace the token file by s's entries (temporary file, fsync, rename) */
static int save(const char *dir, const struct et_token_set *s,
                struct et_error *err)
{
    struct et_buf b = ET_BUF_INIT;
    char tmp[PATH_MAX + 32], path[PATH_MAX + 32];
    int rc, fd = -1;

    snprintf(tmp, sizeof(tmp), "%s/%s", dir, TOKEN_TMP);
    snprintf(path, sizeof(path), "%s/%s", dir, TOKEN_FILE);
    rc = et_buf_addstr(&b, "# exectrail API tokens (docs/API.md): id scope "
                           "created_ns expires_ns sha256(token) name\n");
    for (size_t i = 0; !rc && i < s->n; i++)
        rc = fmt_entry(&b, &s->v[i]);
    if (rc) {
        et_buf_release(&b);
        return et_error_set(err, rc, "out of memory");
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = et_error_sys(err, ET_EIO, errno, "cannot create %s", tmp);
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || et__write_all(fd, b.ptr, b.len) != 0 ||
        fsync(fd) != 0) {
        rc = et_error_sys(err, ET_EIO, errno, "cannot write %s", tmp);
        goto out;
    }
    if (rename(tmp, path) != 0) {
        rc = et_error_sys(err, ET_EIO, errno, "cannot rename %s", tmp);
        goto out;
    }
    close(fd);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0)
        (void)fsync(fd);
out:
    if (fd >= 0)
        close(fd);
    et_buf_release(&b);
    return rc;
}

int et_token_create(const char *db, const char *scope, const char *name,
                    int64_t expires_ns, char token_out[ET_TOKEN_LEN],
                    char id_out[ET_TOKEN_ID_LEN], struct et_error *err)
{
    struct et_token_set s;
    struct et_token_entry e;
    uint8_t idb[ID_BYTES], sec[SECRET_BYTES];
    char dir[PATH_MAX], path[PATH_MAX + 32], sechex[SECRET_BYTES * 2 + 1];
    int rc, lk;

    token_out[0] = id_out[0] = '\0';
    memset(&s, 0, sizeof(s));
    memset(&e, 0, sizeof(e));
    e.scope = scope ? scope_parse(scope) : ET_TOKEN_NONE;
    if (e.scope == ET_TOKEN_NONE)
        return et_error_set(err, ET_EINPUT,
                            "scope: expected ingest, read or admin, got '%s'",
                            scope ? scope : "");
    if (name && strlen(name) >= sizeof(e.name))
        return et_error_set(err, ET_EINPUT, "name: longer than %zu bytes",
                            sizeof(e.name) - 1);
    for (const char *p = name; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return et_error_set(err, ET_EINPUT,
                                "name: control character at byte %zu",
                                (size_t)(p - name));
    if (sodium_init() < 0)
        return et_error_set(err, ET_ECRYPTO, "libsodium failed to start");
    rc = data_dir(db, dir, err);
    if (rc)
        return rc;
    lk = lock_dir(dir, err);
    if (lk < 0)
        return lk;
    snprintf(path, sizeof(path), "%s/%s", dir, TOKEN_FILE);
    rc = load(path, &s, err);
    if (rc)
        goto out;
    randombytes_buf(idb, sizeof(idb));
    randombytes_buf(sec, sizeof(sec));
    sodium_bin2hex(e.id, sizeof(e.id), idb, sizeof(idb));
    sodium_bin2hex(sechex, sizeof(sechex), sec, sizeof(sec));
    snprintf(token_out, ET_TOKEN_LEN, "%s%s_%s", TOKEN_PREFIX, e.id, sechex);
    et_hash_sha256(token_out, strlen(token_out), e.hash);
    e.created_ns = et_time_now_ns();
    e.expires_ns = expires_ns;
    snprintf(e.name, sizeof(e.name), "%s", name ? name : "");
    {
        void *v = et__realloc(s.v, (s.n + 1) * sizeof(*s.v));
        if (!v) {
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
            goto out;
        }
        s.v = v;
        s.v[s.n++] = e;
    }
    rc = save(dir, &s, err);
    if (!rc)
        memcpy(id_out, e.id, sizeof(e.id));
out:
    if (rc)
        sodium_memzero(token_out, ET_TOKEN_LEN);
    sodium_memzero(sec, sizeof(sec));
    sodium_memzero(sechex, sizeof(sechex));
    et__token_set_release(&s);
    close(lk);
    return rc;
}

int et_token_list(const char *db, et_token_fn *fn, void *ctx,
                  struct et_error *err)
{
    struct et_token_set s;
    char path[PATH_MAX];
    int rc;

    memset(&s, 0, sizeof(s));
    rc = et__token_path(db, path, err);
    if (!rc)
        rc = load(path, &s, err);
    for (size_t i = 0; !rc && i < s.n; i++) {
        struct et_token_info info;
        memcpy(info.id, s.v[i].id, sizeof(info.id));
        info.scope = scope_names[s.v[i].scope];
        info.name = s.v[i].name;
        info.created_ns = s.v[i].created_ns;
        info.expires_ns = s.v[i].expires_ns;
        rc = fn(ctx, &info);
    }
    et__token_set_release(&s);
    return rc;
}

int et_token_revoke(const char *db, const char *id, struct et_error *err)
{
    struct et_token_set s;
    char dir[PATH_MAX], path[PATH_MAX + 32];
    size_t j = 0;
    int rc, lk;

    memset(&s, 0, sizeof(s));
    rc = data_dir(db, dir, err);
    if (rc)
        return rc;
    lk = lock_dir(dir, err);
    if (lk < 0)
        return lk;
    snprintf(path, sizeof(path), "%s/%s", dir, TOKEN_FILE);
    rc = load(path, &s, err);
    for (size_t i = 0; !rc && i < s.n; i++)
        if (strcmp(s.v[i].id, id) != 0)
            s.v[j++] = s.v[i];
    if (!rc && j == s.n)
        rc = et_error_set(err, ET_ENOTFOUND, "no token with id '%s'", id);
    s.n = j;
    if (!rc)
        rc = save(dir, &s, err);
    et__token_set_release(&s);
    close(lk);
    return rc;
}

int et_token_count(const char *db, size_t *n_out, struct et_error *err)
{
    struct et_token_set s;
    char path[PATH_MAX];
    int64_t now = et_time_now_ns();
    int rc;

    *n_out = 0;
    memset(&s, 0, sizeof(s));
    rc = et__token_path(db, path, err);
    if (!rc)
        rc = load(path, &s, err);
    for (size_t i = 0; !rc && i < s.n; i++)
        if (!s.v[i].expires_ns || s.v[i].expires_ns > now)
            (*n_out)++;
    et__token_set_release(&s);
    return rc;
}
