/* SPDX-License-Identifier: MIT */
/*
 * Opening a trail: where it lives (DESIGN section 5), creating the data
 * directory, the store and the Ed25519 signing key (mode 0600), and loading
 * the key when checkpoints need it.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "base/uuid.h"
#include "codec/json.h"
#include "redact/redact.h"
#include "trail/trail_int.h"
#include "trail/trail_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "exectrail.key"
#define PUB_FILE "exectrail.pub"

const char *et_version(void)
{
#ifdef ET_VERSION
    return ET_VERSION;
#else
    return "0.0.0";
#endif
}

static const char *nonempty_env(const char *name)
{
    const char *v = getenv(name);

    return v && *v ? v : NULL;
}

int et_trail_locate(const char *db, char *out, size_t cap,
                    struct et_error *err)
{
    const char *v;
    int n;

    if (db && *db)
        n = snprintf(out, cap, "%s", db);
    else if ((v = nonempty_env("EXECTRAIL_DB")))
        n = snprintf(out, cap, "%s", v);
    else if ((v = nonempty_env("EXECTRAIL_HOME")))
        n = snprintf(out, cap, "%s/trail.db", v);
    else if ((v = nonempty_env("XDG_DATA_HOME")))
        n = snprintf(out, cap, "%s/exectrail/trail.db", v);
    else if ((v = nonempty_env("HOME")))
        n = snprintf(out, cap, "%s/.local/share/exectrail/trail.db", v);
    else
        return et_error_set(err, ET_EUSAGE,
                            "cannot find a data directory: set "
                            "EXECTRAIL_HOME or pass --db");
    if (n < 0 || (size_t)n >= cap)
        return et_error_set(err, ET_EUSAGE, "store path is too long");
    return ET_OK;
}

/*
 * Where the signing and fingerprint keys of a server store (PostgreSQL)
 * live: $EXECTRAIL_HOME, else the default data directory. Each host keeps
 * its own copy of the keys (docs/POSTGRES.md).
 */
static int key_dir(char *out, size_t cap, struct et_error *err)
{
    const char *v;
    int n;

    if ((v = nonempty_env("EXECTRAIL_HOME")))
        n = snprintf(out, cap, "%s", v);
    else if ((v = nonempty_env("XDG_DATA_HOME")))
        n = snprintf(out, cap, "%s/exectrail", v);
    else if ((v = nonempty_env("HOME")))
        n = snprintf(out, cap, "%s/.local/share/exectrail", v);
    else
        return et_error_set(err, ET_EUSAGE,
                            "cannot find a directory for the keys: set "
                            "EXECTRAIL_HOME");
    if (n < 0 || (size_t)n >= cap)
        return et_error_set(err, ET_EUSAGE, "key directory is too long");
    return ET_OK;
}

static int mkdir_p(char *path, struct et_error *err)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            *p = '/';
            return et_error_sys(err, ET_EUNAVAIL, e, "cannot create %s",
                                path);
        }
        *p = '/';
    }
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return et_error_sys(err, ET_EUNAVAIL, errno, "cannot create %s",
                            path);
    return ET_OK;
}

static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

int et__trail_dir_for(const char *db, char *out, size_t cap,
                       struct et_error *err)
{
    if (et_store_backend_for(db) != ET_BACKEND_SQLITE)
        return key_dir(out, cap, err); /* a server store */
    dir_of(db, out, cap);
    return ET_OK;
}

static int write_file_excl(const char *path, const char *text, mode_t mode,
                           struct et_error *err)
{
    size_t len = strlen(text);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

    if (fd < 0)
        return errno == EEXIST ? ET_EEXIST
                               : et_error_sys(err, ET_EUNAVAIL, errno,
                                              "cannot create %s", path);
    if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return et_error_sys(err, ET_EUNAVAIL, e, "cannot write %s", path);
    }
    close(fd);
    return ET_OK;
}

static int read_small_file(const char *path, char *out, size_t cap,
                           struct et_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return et_error_sys(err, errno == ENOENT ? ET_ENOTFOUND : ET_EIO,
                            errno, "cannot read %s", path);
    n = read(fd, out, cap - 1);
    close(fd);
    if (n < 0)
        return et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return ET_OK;
}

/* First run on a new store: identity, and a signing key beside it. */
static int init_identity(struct et_trail *t, struct et_error *err)
{
    char id[ET_UUID_STRLEN + 1], name[64], keyfile[PATH_MAX + 32];
    char pubfile[PATH_MAX + 32], text[256], pub[256], when[ET_RFC3339_MAX];
    struct et_signer s;
    char *existing = NULL;
    int rc;

    rc = et_store_meta_get(t->st, "install_id", &existing, NULL);
    et__free(existing);
    if (rc == ET_OK)
        return ET_OK;
    rc = et_uuid_v4(id);
    if (rc)
        return et_error_set(err, rc, "no entropy for an installation id");
    snprintf(name, sizeof(name), "exectrail-%.8s", id);
    snprintf(keyfile, sizeof(keyfile), "%s/" KEY_FILE, t->dir);
    snprintf(pubfile, sizeof(pubfile), "%s/" PUB_FILE, t->dir);
    if (access(keyfile, F_OK) == 0) {
        /* a key is already here (another store in the same directory, or a
         * restored one): use it */
        rc = read_small_file(keyfile, text, sizeof(text), err);
        if (!rc)
            rc = et_signer_parse(text, strlen(text), &s, err);
    } else {
        rc = et_signer_generate(name, &s, err);
        if (!rc)
            rc = et_signer_format_secret(&s, text, sizeof(text));
        if (!rc) {
            rc = write_file_excl(keyfile, text, 0600, err);
            if (rc == ET_EEXIST) /* a concurrent first run won */
                rc = read_small_file(keyfile, text, sizeof(text), err) ||
                     et_signer_parse(text, strlen(text), &s, err);
        }
    }
    if (rc)
        goto out;
    rc = et_signer_format_verifier(&s, pub, sizeof(pub));
    if (!rc && access(pubfile, F_OK) != 0) {
        char line[300];

        snprintf(line, sizeof(line), "%s\n", pub);
        rc = write_file_excl(pubfile, line, 0644, err);
        if (rc == ET_EEXIST)
            rc = ET_OK;
    }
    et_time_format(et_time_now_ns(), when);
    if (!rc)
        rc = et_store_begin(t->st, true, err);
    if (!rc) {
        char *again = NULL;

        if (et_store_meta_get(t->st, "install_id", &again, NULL) == ET_OK) {
            et__free(again); /* another process initialised it meanwhile */
            et_store_rollback(t->st);
            goto out;
        }
        rc = et_store_meta_put(t->st, "install_id", id, err);
        if (!rc)
            rc = et_store_meta_put(t->st, "created_at", when, err);
        if (!rc)
            rc = et_store_meta_put(t->st, "verifier_key", pub, err);
        if (!rc)
            rc = et_store_commit(t->st, err);
        else
            et_store_rollback(t->st);
    }
out:
    et_signer_wipe(&s);
    return rc;
}

int et__trail_open(const char *db, unsigned flags, struct et_trail **out,
                   int *created_out, struct et_error *err)
{
    struct et_trail *t;
    unsigned sflags = 0;
    int created = 0;
    int rc;

    *out = NULL;
    if (created_out)
        *created_out = 0;
    {
        int64_t fixed;

        if (et_time_fixed_now(&fixed) < 0)
            return et_error_set(err, ET_EINPUT,
                                "EXECTRAIL_NOW: expected an RFC 3339 time or "
                                "YYYY-MM-DD, got '%s'",
                                getenv("EXECTRAIL_NOW"));
    }
    t = et__calloc(1, sizeof(*t));
    if (!t)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    et_buf_init(&t->scratch, 0);
    et_buf_init(&t->scratch2, 0);
    rc = et_trail_locate(db, t->path, sizeof(t->path), err);
    if (rc)
        goto fail;
    rc = et__trail_dir_for(t->path, t->dir, sizeof(t->dir), err);
    if (rc)
        goto fail;
    if (flags & ET_OPEN_CREATE) {
        rc = mkdir_p(t->dir, err);
        if (rc)
            goto fail;
        sflags |= ET_STORE_CREATE;
    }
    if (flags & ET_OPEN_READONLY)
        sflags |= ET_STORE_READONLY;
    rc = et_store_open(t->path, sflags, &t->st, &created, err);
    if (rc) {
        if (rc == ET_EUNAVAIL && !(flags & ET_OPEN_CREATE) &&
            et_store_backend_for(t->path) == ET_BACKEND_SQLITE &&
            access(t->path, F_OK) != 0)
            et_error_set(err, ET_EUNAVAIL,
                         "no trail at %s (run 'exectrail init', or set "
                         "--db / EXECTRAIL_HOME)",
                         t->path);
        goto fail;
    }
    if (flags & ET_OPEN_CREATE) {
        uint8_t key[ET_REDACT_KEY_LEN];

        rc = init_identity(t, err);
        /* the fingerprint key beside the signing key (docs/SECURITY.md) */
        if (!rc)
            rc = et__redact_key_load(t->dir, true, key, err);
        memset(key, 0, sizeof(key));
        if (rc)
            goto fail;
    }
    if (created_out)
        *created_out = created;
    *out = t;
    return ET_OK;
fail:
    et_trail_close(t);
    return rc;
}

void et_trail_close(struct et_trail *t)
{
    if (!t)
        return;
    et_store_close(t->st);
    et__security_free(t->sec);
    et__capture_free(t);
    et_buf_release(&t->scratch);
    et_buf_release(&t->scratch2);
    et__free(t->gone);
    et__free(t->redo);
    et_signer_wipe(&t->signer);
    if (t->acfg_free)
        t->acfg_free(t->acfg);
    et__free(t);
}

const char *et_trail_path(const struct et_trail *t)
{
    return t->path;
}

int et__trail_signer(struct et_trail *t, struct et_error *err)
{
    char path[PATH_MAX + 32], text[256];
    int rc;

    if (t->has_signer)
        return ET_OK;
    snprintf(path, sizeof(path), "%s/" KEY_FILE, t->dir);
    rc = read_small_file(path, text, sizeof(text), err);
    if (rc == ET_OK) {
        rc = et_signer_parse(text, strlen(text), &t->signer, err);
        memset(text, 0, sizeof(text));
        if (rc)
            return et_error_prefix(err, "%s", path);
    } else {
        /* no secret key here: verify-only, with the public key file */
        char *pub = NULL;

        snprintf(path, sizeof(path), "%s/" PUB_FILE, t->dir);
        rc = read_small_file(path, text, sizeof(text), err);
        if (rc && et_store_meta_get(t->st, "verifier_key", &pub, NULL) == 0) {
            snprintf(text, sizeof(text), "%s", pub);
            et__free(pub);
            rc = ET_OK;
        }
        if (rc)
            return et_error_set(err, ET_ENOTFOUND,
                                "no signing key in %s (expected %s)", t->dir,
                                KEY_FILE);
        rc = et_signer_parse(text, strlen(text), &t->signer, err);
        if (rc)
            return rc;
    }
    rc = et_signer_format_verifier(&t->signer, t->verifier,
                                   sizeof(t->verifier));
    if (rc)
        return et_error_set(err, rc, "cannot format the verifier key");
    t->has_signer = true;
    return ET_OK;
}

const char *et_trail_verifier_key(struct et_trail *t)
{
    if (et__trail_signer(t, NULL) != ET_OK)
        return NULL;
    return t->verifier;
}

int et_json_check(const char *json, size_t len, struct et_error *err)
{
    struct json_object *o = NULL;
    int rc = et_json_parse(json, len, NULL, &o, err);

    json_object_put(o);
    return rc;
}

int et_uuid_new(char out[37])
{
    return et_uuid_v4(out);
}

void et_trail_free_string(char *s)
{
    et__free(s);
}

