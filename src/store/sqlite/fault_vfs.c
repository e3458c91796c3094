/* SPDX-License-Identifier: MIT */
/* Fault and crash injection under SQLite's file I/O (see fault_vfs.h). */
#include "base/setup.h"
#include "store/sqlite/fault_vfs.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <unistd.h>

enum kind { K_EIO, K_FULL, K_SHORT, K_CRASH, K_TORN };

struct ffile {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_vfs fault_vfs;
static sqlite3_vfs *base_vfs;
static long fault_at; /* the write point that fails, 1-based */
static enum kind fault_kind;
static atomic_long points;

#define REAL(f) (((struct ffile *)(f))->real)

/* 0: go on; else what the call returns (or the process ends here) */
static int point(int ioerr)
{
    if (atomic_fetch_add(&points, 1) + 1 != fault_at)
        return 0;
    switch (fault_kind) {
    case K_CRASH:
        _exit(137);
    case K_FULL:
        return SQLITE_FULL;
    default:
        return ioerr;
    }
}

static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;

    f->pMethods = NULL;
    return rc;
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int rc = point(SQLITE_IOERR_WRITE);

    if (rc && (fault_kind == K_SHORT || fault_kind == K_TORN) && n > 1) {
        (void)REAL(f)->pMethods->xWrite(REAL(f), buf, n / 2, off);
        if (fault_kind == K_TORN)
            _exit(137);
    }
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = point(SQLITE_IOERR_TRUNCATE);

    if (rc && fault_kind == K_TORN)
        _exit(137);
    return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    int rc = point(SQLITE_IOERR_FSYNC);

    if (rc && fault_kind == K_TORN)
        _exit(137);
    return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int f_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int f_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_caps(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int pg, int sz, int ext,
                     void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, p);
}

static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
    3,        f_close,   f_read,     f_write,       f_truncate,  f_sync,
    f_size,   f_lock,    f_unlock,   f_check,       f_control,   f_sector,
    f_caps,   f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch,
    f_unfetch};

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
                  int flags, int *out_flags)
{
    struct ffile *p = (struct ffile *)file;
    int rc;

    (void)vfs;
    p->real = (sqlite3_file *)&p[1];
    rc = base_vfs->xOpen(base_vfs, name, p->real, flags, out_flags);
    /* the real file's methods are version 3 (unix VFS): ours forward all */
    p->base.pMethods = p->real->pMethods ? &fault_io : NULL;
    return rc;
}

static int f_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return base_vfs->xDelete(base_vfs, name, sync_dir);
}

static int f_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return base_vfs->xAccess(base_vfs, name, flags, out);
}

static int f_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return base_vfs->xFullPathname(base_vfs, name, n, out);
}

static int f_random(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return base_vfs->xRandomness(base_vfs, n, out);
}

static int f_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return base_vfs->xSleep(base_vfs, us);
}

static int f_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return base_vfs->xCurrentTime(base_vfs, out);
}

static int f_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return base_vfs->xGetLastError(base_vfs, n, out);
}

static int f_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static bool parse(const char *s)
{
    static const char *const names[] = {"eio", "full", "short", "crash",
                                        "torn"};
    char *end;
    long n = s ? strtol(s, &end, 10) : 0;

    if (n <= 0 || *end != ':')
        return false;
    for (size_t i = 0; i < ET_ARRAY_SIZE(names); i++)
        if (!strcmp(end + 1, names[i])) {
            fault_at = n;
            fault_kind = (enum kind)i;
            return true;
        }
    return false;
}

static bool enabled;

static void init(void)
{
    base_vfs = sqlite3_vfs_find(NULL);
    if (!base_vfs || base_vfs->iVersion < 2 ||
        !parse(getenv("ET_TEST_IO_FAULT")))
        return;
    fault_vfs.iVersion = 2;
    fault_vfs.szOsFile = (int)sizeof(struct ffile) + base_vfs->szOsFile;
    fault_vfs.mxPathname = base_vfs->mxPathname;
    fault_vfs.zName = "et_fault";
    fault_vfs.xOpen = f_open;
    fault_vfs.xDelete = f_delete;
    fault_vfs.xAccess = f_access;
    fault_vfs.xFullPathname = f_fullpath;
    fault_vfs.xRandomness = f_random;
    fault_vfs.xSleep = f_sleep;
    fault_vfs.xCurrentTime = f_time;
    fault_vfs.xGetLastError = f_error;
    fault_vfs.xCurrentTimeInt64 = f_time64;
    enabled = sqlite3_vfs_register(&fault_vfs, 0) == SQLITE_OK;
}

const char *et__sqlite_vfs(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, init);
    return enabled ? "et_fault" : NULL;
}
