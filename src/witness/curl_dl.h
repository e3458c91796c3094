/* SPDX-License-Identifier: MIT */
/*
 * libcurl, loaded when a checkpoint is first pushed to a witness rather
 * than linked: linked, libcurl and what it needs (TLS, Kerberos, LDAP,
 * SSH, ...) would cost every exectrail process its start-up time, as libpq
 * did (docs/PERFORMANCE.md, "Process start-up"). push.c calls the curl
 * functions by their names, which the macros below turn into calls through
 * et__curl.
 */
#ifndef ET_WITNESS_CURL_DL_H
#define ET_WITNESS_CURL_DL_H

/* the plain prototypes: curl's type-checking macros would hide them */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "exectrail/error.h"

#define ET__CURL_FUNCS(X)                                                      \
    X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform)                 \
    X(curl_easy_getinfo) X(curl_easy_cleanup) X(curl_easy_strerror)           \
    X(curl_slist_append) X(curl_slist_free_all)

struct et__curl {
#define ET__CURL_PTR(f) __typeof__(f) *f;
    ET__CURL_FUNCS(ET__CURL_PTR)
#undef ET__CURL_PTR
};

extern struct et__curl et__curl;

/* Load libcurl (libcurl.so.4, else libcurl-gnutls.so.4) once; ET_EUNAVAIL,
 * saying what to install, when it cannot be loaded. Thread safe. */
int et__curl_load(struct et_error *err);

#ifndef ET__CURL_LOADER
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init      (et__curl.curl_easy_init)
#define curl_easy_setopt    (et__curl.curl_easy_setopt)
#define curl_easy_perform   (et__curl.curl_easy_perform)
#define curl_easy_getinfo   (et__curl.curl_easy_getinfo)
#define curl_easy_cleanup   (et__curl.curl_easy_cleanup)
#define curl_easy_strerror  (et__curl.curl_easy_strerror)
#define curl_slist_append   (et__curl.curl_slist_append)
#define curl_slist_free_all (et__curl.curl_slist_free_all)
#endif

#endif /* ET_WITNESS_CURL_DL_H */
