/* SPDX-License-Identifier: MIT */
/*
 * Functions that are easy to misuse become compile errors. Included last by
 * setup.h so that system headers are not affected.
 */
#ifndef ET_BASE_BANNED_H
#define ET_BASE_BANNED_H

#define ET_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) ET_BANNED(strcpy)
#undef strcat
#define strcat(x, y) ET_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) ET_BANNED(strncpy)
#undef sprintf
#define sprintf(...) ET_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) ET_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) ET_BANNED(strtok)
#undef atoi
#define atoi(x) ET_BANNED(atoi)
#undef gmtime
#define gmtime(x) ET_BANNED(gmtime)
#undef localtime
#define localtime(x) ET_BANNED(localtime)
#undef ctime
#define ctime(x) ET_BANNED(ctime)
#undef mktemp
#define mktemp(x) ET_BANNED(mktemp)

#endif /* ET_BASE_BANNED_H */
