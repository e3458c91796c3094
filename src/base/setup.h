/* SPDX-License-Identifier: MIT */
/*
 * First include of every .c file: feature-test macros, common headers and
 * the banned-function list.
 */
#ifndef ET_BASE_SETUP_H
#define ET_BASE_SETUP_H

#ifndef _GNU_SOURCE
# define _GNU_SOURCE 1
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "exectrail/error.h"

#define ET_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ET_UNUSED(x)     ((void)(x))

/* Aborts even in release builds: a broken invariant would corrupt data. */
#define ET_BUG(msg) et__bug(__FILE__, __LINE__, (msg))
#ifndef NDEBUG
# define ET_ASSERT(c) ((c) ? (void)0 : et__bug(__FILE__, __LINE__, #c))
#else
# define ET_ASSERT(c) ((void)0)
#endif

_Noreturn void et__bug(const char *file, int line, const char *what);

#include "base/banned.h"

#endif /* ET_BASE_SETUP_H */
