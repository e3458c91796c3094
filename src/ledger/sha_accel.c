/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 for bulk hashing by OpenSSL's libcrypto, which uses the CPU's
 * SHA extensions (or AVX2) where libsodium's portable code does not: on
 * the project machine `verify` spent 56 % of its time in libsodium's
 * SHA256_Transform (docs/PERFORMANCE.md, "verify"). libcrypto is loaded
 * with dlopen by et__sha_accel(), called by the bulk paths (verify,
 * rebuild, import) only: linked, it would add about 4 ms to every process
 * start, the hook's included. Without it, libsodium hashes as before; both
 * compute the same SHA-256 (test_ledger checks them against each other).
 */
#include "base/setup.h"
#include "ledger/sha_accel.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* libcrypto's EVP digest calls (OpenSSL 1.1 and 3 have them all) */
typedef struct et__evp_md_ctx et__evp_md_ctx;
typedef struct et__evp_md et__evp_md;

static struct {
    et__evp_md_ctx *(*ctx_new)(void);
    void (*ctx_free)(et__evp_md_ctx *);
    int (*init)(et__evp_md_ctx *, const et__evp_md *, void *);
    int (*update)(et__evp_md_ctx *, const void *, size_t);
    int (*final)(et__evp_md_ctx *, unsigned char *, unsigned int *);
    const et__evp_md *md;
} evp;

static atomic_bool loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Thread_local et__evp_md_ctx *tctx;
static pthread_key_t tkey;

static void free_tctx(void *p)
{
    evp.ctx_free(p);
}

static void load(void)
{
    static const char *const names[] = {"libcrypto.so.3", "libcrypto.so.1.1"};
    const char *env = getenv("EXECTRAIL_LIBCRYPTO");
    const et__evp_md *(*sha256)(void) = NULL;
    void *h = NULL, *p;

    /* EXECTRAIL_LIBCRYPTO: another copy, or "none" to hash with libsodium */
    if (env && strcmp(env, "none") == 0)
        return;
    if (env && *env)
        h = dlopen(env, RTLD_NOW | RTLD_LOCAL);
    for (size_t i = 0; !h && !(env && *env) && i < 2; i++)
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return;
#define SYM(field, name)                                                       \
    p = dlsym(h, name);                                                        \
    if (!p)                                                                    \
        goto fail;                                                             \
    memcpy(&field, &p, sizeof(p));
    SYM(evp.ctx_new, "EVP_MD_CTX_new")
    SYM(evp.ctx_free, "EVP_MD_CTX_free")
    SYM(evp.init, "EVP_DigestInit_ex")
    SYM(evp.update, "EVP_DigestUpdate")
    SYM(evp.final, "EVP_DigestFinal_ex")
    SYM(sha256, "EVP_sha256")
#undef SYM
    evp.md = sha256();
    if (!evp.md || pthread_key_create(&tkey, free_tctx) != 0)
        goto fail;
    atomic_store(&loaded, true);
    return;
fail:
    memset(&evp, 0, sizeof(evp));
    dlclose(h);
}

bool et__sha_accel(void)
{
    (void)pthread_once(&once, load);
    return atomic_load(&loaded);
}

bool et__sha_accel_leaf(uint8_t prefix, const void *data, size_t len,
                        uint8_t out[32])
{
    unsigned int n = 0;

    if (!atomic_load_explicit(&loaded, memory_order_relaxed))
        return false;
    if (!tctx) {
        tctx = evp.ctx_new();
        if (!tctx)
            return false;
        /* freed at the thread's exit */
        (void)pthread_setspecific(tkey, tctx);
    }
    return evp.init(tctx, evp.md, NULL) == 1 &&
           evp.update(tctx, &prefix, 1) == 1 &&
           (len == 0 || evp.update(tctx, data, len) == 1) &&
           evp.final(tctx, out, &n) == 1 && n == 32;
}
