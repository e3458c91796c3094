/* SPDX-License-Identifier: MIT */
/*
 * All allocation goes through these wrappers, so that tests can fail the Nth
 * call (environment ET_TEST_FAIL_ALLOC=N) and the allocator stays replaceable.
 */
#ifndef ET_BASE_ALLOC_H
#define ET_BASE_ALLOC_H

#include <stddef.h>

void *et__malloc(size_t size);
void *et__calloc(size_t n, size_t size);
void *et__realloc(void *ptr, size_t size);
void et__free(void *ptr);
/* Copy of s (NUL-terminated); NULL on ENOMEM or when s is NULL. */
char *et__strdup(const char *s);
/* Copy of the len bytes at s plus a NUL. */
char *et__strndup(const char *s, size_t len);

#endif /* ET_BASE_ALLOC_H */
