/* SPDX-License-Identifier: MIT */
/* Allocation wrappers with optional fault injection for tests. */
#include "base/setup.h"
#include "base/alloc.h"

#include <sys/mman.h>

static long fail_at = -1; /* -1: not read yet; 0: never fail */
static bool per_request;  /* ET_TEST_FAIL_ALLOC_SCOPE=request */
static long calls;
static _Thread_local int req_depth;  /* inside et__alloc_request_begin */
static _Thread_local long req_calls; /* counted in this thread's request */

static void read_env(void)
{
    const char *s = getenv("ET_TEST_FAIL_ALLOC");
    const char *scope = getenv("ET_TEST_FAIL_ALLOC_SCOPE");

    fail_at = s ? strtol(s, NULL, 10) : 0;
    if (fail_at < 0)
        fail_at = 0;
    per_request = scope && strcmp(scope, "request") == 0;
}

static bool should_fail(void)
{
    if (fail_at < 0)
        read_env();
    if (fail_at == 0)
        return false;
    if (per_request)
        return req_depth > 0 && ++req_calls == fail_at;
    return ++calls == fail_at;
}

void et__alloc_request_begin(void)
{
    if (req_depth++ == 0)
        req_calls = 0;
}

void et__alloc_request_end(void)
{
    if (req_depth > 0)
        req_depth--;
}

bool et__alloc_inject(void)
{
    return should_fail();
}

void *et__malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *et__calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(n ? n : 1, size ? size : 1);
}

void *et__realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(ptr, size ? size : 1);
}

void et__free(void *ptr)
{
    free(ptr);
}

char *et__strndup(const char *s, size_t len)
{
    char *p;

    if (!s)
        return NULL;
    p = et__malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *et__strdup(const char *s)
{
    return s ? et__strndup(s, strlen(s)) : NULL;
}

#define BIG_ALIGN ((size_t)2 << 20)

static void *big_map(size_t size)
{
    size_t span = size + BIG_ALIGN;
    char *p, *at;

    if (size > SIZE_MAX - 2 * BIG_ALIGN)
        return NULL;
    p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* keep the 2 MiB-aligned part, return the rest */
    at = p + ((BIG_ALIGN - (uintptr_t)p % BIG_ALIGN) % BIG_ALIGN);
    if (at > p)
        munmap(p, (size_t)(at - p));
    if (at + size < p + span)
        munmap(at + size, (size_t)(p + span - (at + size)));
#ifdef MADV_HUGEPAGE
    (void)madvise(at, size, MADV_HUGEPAGE); /* a hint; fine if refused */
#endif
    return at;
}

void *et__big_grow(void *p, size_t *cap, size_t need)
{
    size_t size;
    void *np;

    if (p && need <= *cap)
        return p;
    size = p && *cap > need / 2 ? *cap * 2 : need;
    size = (size + BIG_ALIGN - 1) / BIG_ALIGN * BIG_ALIGN;
    if (size < need || should_fail())
        return NULL;
    np = big_map(size);
    if (!np)
        return NULL;
    if (p) {
        memcpy(np, p, *cap);
        munmap(p, *cap);
    }
    *cap = size;
    return np;
}

void et__big_free(void *p, size_t cap)
{
    if (p)
        munmap(p, cap);
}
