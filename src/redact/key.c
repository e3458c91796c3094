/* SPDX-License-Identifier: MIT */
/*
 * The per-installation fingerprint key: <data dir>/redact.key, 32 random
 * bytes as 64 hex characters, mode 0600, made beside the signing key at
 * init (or on the first writable open of an older store).
 */
#include "base/setup.h"
#include "redact/redact.h"

#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <unistd.h>

static int read_key(const char *path, uint8_t *key, struct et_error *err)
{
    char text[ET_REDACT_KEY_LEN * 2 + 8];
    size_t n = 0;
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT
                   ? ET_ENOTFOUND
                   : et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    got = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (got < 0)
        return et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    text[got] = '\0';
    if (sodium_hex2bin(key, ET_REDACT_KEY_LEN, text, (size_t)got, "\n", &n,
                       NULL) != 0 ||
        n != ET_REDACT_KEY_LEN) {
        sodium_memzero(text, sizeof(text));
        return et_error_set(err, ET_EINTEGRITY,
                            "%s: expected %d hex characters", path,
                            ET_REDACT_KEY_LEN * 2);
    }
    sodium_memzero(text, sizeof(text));
    return ET_OK;
}

static int create_key(const char *path, uint8_t *key, struct et_error *err)
{
    char text[ET_REDACT_KEY_LEN * 2 + 2];
    size_t len = ET_REDACT_KEY_LEN * 2 + 1;
    int fd, rc = ET_OK;

    randombytes_buf(key, ET_REDACT_KEY_LEN);
    sodium_bin2hex(text, sizeof(text), key, ET_REDACT_KEY_LEN);
    text[len - 1] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        sodium_memzero(text, sizeof(text));
        if (errno == EEXIST) /* a concurrent first run won: use its key */
            return read_key(path, key, err);
        return et_error_sys(err, ET_EUNAVAIL, errno, "cannot create %s", path);
    }
    if (write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
        rc = et_error_sys(err, ET_EUNAVAIL, errno, "cannot write %s", path);
        unlink(path);
    }
    close(fd);
    sodium_memzero(text, sizeof(text));
    return rc;
}

int et__redact_key_load(const char *dir, bool create, uint8_t *key_out,
                        struct et_error *err)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/" ET_REDACT_KEY_FILE, dir);
    int rc;

    if (n < 0 || (size_t)n >= sizeof(path))
        return et_error_set(err, ET_EINVAL, "data directory path too long");
    if (sodium_init() < 0)
        return et_error_set(err, ET_ECRYPTO, "libsodium failed to start");
    rc = read_key(path, key_out, err);
    if (rc == ET_ENOTFOUND && create)
        rc = create_key(path, key_out, err);
    else if (rc == ET_ENOTFOUND)
        et_error_set(err, ET_ENOTFOUND,
                     "no redaction key %s (run 'exectrail init')", path);
    return rc;
}
