/* SPDX-License-Identifier: MIT */
/*
 * The in-house test harness. A test binary defines tests with T_TEST(name)
 * and lists them in T_MAIN(...). Output is TAP ("1..N", "ok N - suite/name"),
 * and the last line is exactly "N passed, N failed, N skipped".
 */
#ifndef ET_TESTS_T_H
#define ET_TESTS_T_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct t_case {
    const char *name;
    void (*fn)(void);
};

#define T_TEST(name) static void t_fn_##name(void)
#define T_CASE(name) {#name, t_fn_##name}

int t_run(const char *suite, const struct t_case *cases, size_t n);
void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void t_skip(const char *why);
/* True once the current test has failed or skipped: later asserts return. */
bool t_stopped(void);
/* A fresh temporary directory for this test binary (removed at exit). */
const char *t_tmpdir(void);
const char *t_status_name(int code);

#define T_MAIN(suite, ...)                                                     \
    int main(void)                                                             \
    {                                                                          \
        static const struct t_case cases[] = {__VA_ARGS__};                    \
        return t_run(suite, cases, sizeof(cases) / sizeof(cases[0]));          \
    }

#define T_ASSERT(c)                                                            \
    do {                                                                       \
        if (!(c)) {                                                            \
            t_fail(__FILE__, __LINE__, "assertion failed: %s", #c);            \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_ASSERT_OK(expr)                                                      \
    do {                                                                       \
        int t_rc_ = (expr);                                                    \
        if (t_rc_ != 0) {                                                      \
            t_fail(__FILE__, __LINE__, "%s returned %s (%d)", #expr,           \
                   t_status_name(t_rc_), t_rc_);                               \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_ASSERT_RC(expr, want)                                                \
    do {                                                                       \
        int t_rc_ = (expr), t_w_ = (want);                                     \
        if (t_rc_ != t_w_) {                                                   \
            t_fail(__FILE__, __LINE__, "%s returned %s (%d), want %s",         \
                   #expr, t_status_name(t_rc_), t_rc_, t_status_name(t_w_));   \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_ASSERT_INT_EQ(a, b)                                                  \
    do {                                                                       \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                \
        if (t_a_ != t_b_) {                                                    \
            t_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b,       \
                   t_a_, t_b_);                                                \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_ASSERT_STR_EQ(a, b)                                                  \
    do {                                                                       \
        const char *t_a_ = (a), *t_b_ = (b);                                   \
        if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0) {                       \
            t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,   \
                   t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");            \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_ASSERT_STR_CONTAINS(hay, needle)                                     \
    do {                                                                       \
        const char *t_h_ = (hay), *t_n_ = (needle);                            \
        if (!t_h_ || !strstr(t_h_, t_n_)) {                                    \
            t_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"",       \
                   t_h_ ? t_h_ : "(null)", t_n_);                              \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_ASSERT_MEM_EQ(a, b, n)                                               \
    do {                                                                       \
        if (memcmp((a), (b), (n)) != 0) {                                      \
            t_fail(__FILE__, __LINE__, "%s and %s differ in %zu bytes", #a,    \
                   #b, (size_t)(n));                                           \
            return;                                                            \
        }                                                                      \
    } while (0)

#define T_SKIP(why)                                                            \
    do {                                                                       \
        t_skip(why);                                                           \
        return;                                                                \
    } while (0)

#endif /* ET_TESTS_T_H */
