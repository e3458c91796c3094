/* SPDX-License-Identifier: MIT */
/*
 * All allocation goes through these wrappers, so that tests can fail the Nth
 * call (environment ET_TEST_FAIL_ALLOC=N) and the allocator stays replaceable.
 *
 * The fault injection (tests only; nothing sets these variables otherwise):
 * ET_TEST_FAIL_ALLOC=N fails the Nth call of et__malloc, et__calloc,
 * et__realloc, et__big_grow and et__alloc_inject (json-c's constructors,
 * codec/json.h), counted across the process from its start, and no other.
 * With ET_TEST_FAIL_ALLOC_SCOPE=request as well, only the calls made
 * inside a request count (between et__alloc_request_begin and _end: an
 * HTTP request's handling, on each thread it runs on, and one MCP message),
 * and the count starts again at each request, per thread: the Nth
 * allocation of every request fails, while start-up, the transport and
 * the work between requests never do. A server can so be driven through
 * the same requests once per N (tests/cli/t0707, t0855).
 */
#ifndef ET_BASE_ALLOC_H
#define ET_BASE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *et__malloc(size_t size);
void *et__calloc(size_t n, size_t size);
void *et__realloc(void *ptr, size_t size);
void et__free(void *ptr);
/* True when the fault injection (ET_TEST_FAIL_ALLOC=N) fails this call:
 * for allocations made elsewhere (json-c's, through src/codec/json.h). */
bool et__alloc_inject(void);
/* A request starts (nests: only the outermost counts) and ends, for
 * ET_TEST_FAIL_ALLOC_SCOPE=request; a few instructions otherwise. */
void et__alloc_request_begin(void);
void et__alloc_request_end(void);
/* Copy of s (NUL-terminated); NULL on ENOMEM or when s is NULL. */
char *et__strdup(const char *s);
/* Copy of the len bytes at s plus a NUL. */
char *et__strndup(const char *s, size_t len);

/*
 * Large scratch arrays (megabytes, filled once, dropped at the end of a
 * call: a query's whole answer). Each has its own mapping aligned to 2 MiB
 * and asks for transparent huge pages: on a virtual machine a first touch
 * of a 4 KiB page can cost 10-15 us, so 20 MB of small pages costs more
 * than the query. Without huge pages it is plain anonymous memory. *cap is
 * the usable size; et__big_grow keeps the contents (they may move).
 */
void *et__big_grow(void *p, size_t *cap, size_t need);
void et__big_free(void *p, size_t cap);

#endif /* ET_BASE_ALLOC_H */
