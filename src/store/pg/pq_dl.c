/* SPDX-License-Identifier: MIT */
/*
 * libpq loaded on first use (pq_dl.h says why). The library stays loaded
 * for the life of the process.
 */
#include "base/setup.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#define ET__PQ_LOADER
#include "store/pg/pq_dl.h"

/* libpq's soname since PostgreSQL 8.2 */
#define LIBPQ "libpq.so.5"

struct et__pq et__pq;
_Atomic unsigned long long et__pq_round_trips;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256]; /* empty when loaded */

static void load(void)
{
    /* $EXECTRAIL_LIBPQ: a libpq outside the loader's search path */
    const char *name = getenv("EXECTRAIL_LIBPQ");
    void *h;
    const char *missing = NULL;

    if (!name || !*name)
        name = LIBPQ;
    h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();

        snprintf(why, sizeof(why), "%s", e ? e : "cannot load libpq");
        return;
    }
    /* dlsym's void * to a function pointer: POSIX requires it to work */
#define ET__PQ_SYM(f)                                                          \
    if (!missing) {                                                            \
        void *p_ = dlsym(h, #f);                                               \
        if (p_)                                                                \
            memcpy(&et__pq.f, &p_, sizeof(p_));                                \
        else                                                                   \
            missing = #f;                                                      \
    }
    ET__PQ_FUNCS(ET__PQ_SYM)
#undef ET__PQ_SYM
    if (missing) {
        snprintf(why, sizeof(why), "%.160s has no %s (libpq 14 or later needed)",
                 name, missing);
        memset(&et__pq, 0, sizeof(et__pq));
        dlclose(h);
    }
}

int et__pq_load(struct et_error *err)
{
    (void)pthread_once(&once, load);
    if (why[0])
        return et_error_set(err, ET_EUNAVAIL,
                            "PostgreSQL stores need libpq (apt-get install "
                            "libpq5): %s",
                            why);
    return ET_OK;
}
