/* SPDX-License-Identifier: MIT */
/*
 * libcurl loaded on first use (curl_dl.h says why). The library stays
 * loaded for the life of the process.
 */
#include "base/setup.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#define ET__CURL_LOADER
#include "witness/curl_dl.h"

struct et__curl et__curl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char why[256]; /* empty when loaded */

static void *open_lib(const char **name)
{
    /* $EXECTRAIL_LIBCURL: a libcurl outside the loader's search path */
    static const char *const names[] = {"libcurl.so.4",
                                        "libcurl-gnutls.so.4"};
    const char *env = getenv("EXECTRAIL_LIBCURL");
    void *h = NULL;

    if (env && *env) {
        *name = env;
        return dlopen(env, RTLD_NOW | RTLD_LOCAL);
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !h; i++) {
        *name = names[i];
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    return h;
}

static void load(void)
{
    const char *name = NULL, *missing = NULL;
    void *h = open_lib(&name);

    if (!h) {
        const char *e = dlerror();

        snprintf(why, sizeof(why), "%s", e ? e : "cannot load libcurl");
        return;
    }
    /* dlsym's void * to a function pointer: POSIX requires it to work */
#define ET__CURL_SYM(f)                                                        \
    if (!missing) {                                                            \
        void *p_ = dlsym(h, #f);                                               \
        if (p_)                                                                \
            memcpy(&et__curl.f, &p_, sizeof(p_));                              \
        else                                                                   \
            missing = #f;                                                      \
    }
    ET__CURL_FUNCS(ET__CURL_SYM)
#undef ET__CURL_SYM
    if (missing) {
        snprintf(why, sizeof(why), "%.160s has no %s", name, missing);
        memset(&et__curl, 0, sizeof(et__curl));
        dlclose(h);
    }
}

int et__curl_load(struct et_error *err)
{
    (void)pthread_once(&once, load);
    if (why[0])
        return et_error_set(err, ET_EUNAVAIL,
                            "pushing to a witness needs libcurl (apt-get "
                            "install libcurl4): %s",
                            why);
    return ET_OK;
}
