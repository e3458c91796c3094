/* SPDX-License-Identifier: MIT */
/* Allocation wrappers with optional fault injection for tests. */
#include "base/setup.h"
#include "base/alloc.h"

static long fail_at = -1; /* -1: not read yet; 0: never fail */
static long calls;

static bool should_fail(void)
{
    if (fail_at < 0) {
        const char *s = getenv("ET_TEST_FAIL_ALLOC");
        fail_at = s ? strtol(s, NULL, 10) : 0;
        if (fail_at < 0)
            fail_at = 0;
    }
    if (fail_at == 0)
        return false;
    return ++calls == fail_at;
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
