/* SPDX-License-Identifier: MIT */
/*
 * Redaction throughput on 5 KB tool outputs (make bench, section 5): the
 * default engine (every rule's PCRE2 pattern, JIT), the same without the
 * split-line and base64 passes (timed in the same run, alternating, so the
 * ratio holds on a loaded machine), the Hyperscan prefilter (anchors first,
 * then PCRE2 where an anchor occurs), and the baseline, a plain memchr scan
 * of the same bytes. Also the time to compile each engine, paid once per
 * process. usage: bench_redact [N_OUTPUTS] [RUNS]
 */
#include "base/setup.h"
#include "redact/redact.h"

#include <time.h>

#define OUT_BYTES 5120

static const char *const lines[] = {
    "src/main.c:42:5: warning: unused variable 'tmp' [-Wunused-variable]\n",
    "    for (size_t i = 0; i < n; i++) total += values[i];\n",
    "PASS tests/unit/test_parse.c (12 assertions)\n",
    "commit 3f2b8c1e7d4a4e9ba6c51d2e3f4a5b6c7d8e9f01\n",
    "npm WARN deprecated inflight@1.0.6: This module is not supported\n",
    "{\"id\": \"3f2b8c1e-7d4a-4e9b-a6c5-1d2e3f4a5b6c\", \"status\": \"ok\"}\n",
    "GET https://api.example.com/v1/items?page=2 200 OK (35 ms)\n",
    "drwxr-xr-x  5 dev dev  4096 Jan 16 10:30 node_modules\n",
    "def handler(event, context):\n    return {'statusCode': 200}\n",
    "max_tokens=4096 temperature=0.2 model=claude-sonnet\n",
};
static const char *const secrets[] = {
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n",
    "Authorization: Bearer 8f7d6c5b4a3e2d1c0b9a8f7e6d5c\n",
    "DB_PASSWORD=hunter2hunter2\n",
    "git remote add o https://x:ghp_AkJiG8XnBE3NnYJoQ9WmXeHH2fdeeTFJGvVv@h/r\n",
};

static uint64_t rng = 88172645463325252u;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* n outputs of OUT_BYTES, one in 20 carrying a secret. */
static char *corpus(size_t n)
{
    char *buf = malloc(n * OUT_BYTES);

    if (!buf)
        abort();
    for (size_t i = 0; i < n; i++) {
        char *o = buf + i * OUT_BYTES;
        size_t len = 0;

        while (len < OUT_BYTES) {
            const char *l = i % 20 == 0 && len > 2000 && len < 2200
                                ? secrets[next() % 4]
                                : lines[next() % ET_ARRAY_SIZE(lines)];
            size_t k = strlen(l);

            if (k > OUT_BYTES - len)
                k = OUT_BYTES - len;
            memcpy(o + len, l, k);
            len += k;
        }
    }
    return buf;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This thread's CPU time: on a shared machine, what the scan cost without
 * the time another process held the core. */
static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double last_cpu_s; /* CPU time of the last run_redact */

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_d);
    return v[n / 2];
}

static size_t sink;

static double run_memchr(const char *buf, size_t n)
{
    double t0 = now_s();

    for (size_t i = 0; i < n; i++) {
        const char *p = buf + i * OUT_BYTES, *end = p + OUT_BYTES;

        /* look for a byte that never occurs: every byte is read */
        while ((p = memchr(p, '\x01', (size_t)(end - p))))
            p++, sink++;
    }
    return now_s() - t0;
}

static double run_redact(struct et_redactor *r, const char *buf, size_t n,
                         size_t *found)
{
    struct et_buf out = ET_BUF_INIT;
    double t0 = now_s(), c0 = cpu_s();

    *found = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        if (et__redact_text(r, buf + i * OUT_BYTES, OUT_BYTES, &out, &k, NULL))
            abort();
        *found += k;
    }
    et_buf_release(&out);
    last_cpu_s = cpu_s() - c0;
    return now_s() - t0;
}

static struct et_redactor *make(enum et_redact_engine e, double *ms)
{
    static const uint8_t key[ET_REDACT_KEY_LEN] = {1, 2, 3};
    struct et_redactor *r = NULL;
    struct et_error err = ET_ERROR_INIT;
    double t0 = now_s();

    if (et__redactor_new(key, e, &r, &err)) {
        fprintf(stderr, "bench_redact: %s\n", err.msg);
        exit(1);
    }
    *ms = (now_s() - t0) * 1000;
    return r;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
    size_t runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 7;
    char *buf = corpus(n);
    double mb = (double)(n * OUT_BYTES) / 1e6, cms_hs, cms_pc;
    double t_base[64], t_hs[64], t_pc[64], t_np[64], c_hs[64], c_pc[64];
    double c_np, load[3] = {0}, r_wall[64], r_cpu[64], cpu_np;
    size_t f_hs = 0, f_pc = 0, f_np = 0;

    if (runs > 64)
        runs = 64;
    for (size_t i = 0; i < runs; i++) {
#ifdef ET_HAVE_HYPERSCAN
        struct et_redactor *hs = make(ET_REDACT_PREFILTER, &c_hs[i]);
#endif
        struct et_redactor *pc = make(ET_REDACT_PCRE2, &c_pc[i]);
        struct et_redactor *np = make(ET_REDACT_PCRE2, &c_np);

        et__redactor_set_passes(np, false);
        t_base[i] = run_memchr(buf, n);
        t_np[i] = run_redact(np, buf, n, &f_np);
        cpu_np = last_cpu_s;
        et__redactor_free(np);
#ifdef ET_HAVE_HYPERSCAN
        t_hs[i] = run_redact(hs, buf, n, &f_hs);
        et__redactor_free(hs);
#else
        t_hs[i] = 1e9, c_hs[i] = 0;
#endif
        t_pc[i] = run_redact(pc, buf, n, &f_pc);
        r_wall[i] = t_np[i] / t_pc[i];
        r_cpu[i] = cpu_np / last_cpu_s;
        et__redactor_free(pc);
    }
    cms_hs = median(c_hs, runs);
    cms_pc = median(c_pc, runs);
    {
        double b = mb / median(t_base, runs), h = mb / median(t_hs, runs);
        double p = mb / median(t_pc, runs), q = mb / median(t_np, runs);

        printf("  %zu outputs of %d bytes (%.1f MB), median of %zu runs, "
               "%zu rules\n",
               n, OUT_BYTES, mb, runs, et__n_redact_rules);
        printf("  pcre2 jit (default)       %8.0f MB/s  compile %.2f ms  "
               "(%zu secrets)\n",
               p, cms_pc, f_pc);
        printf("  pcre2 jit, no passes      %8.0f MB/s                   "
               "(%zu secrets)\n",
               q, f_np);
        printf("  hyperscan prefilter       %8.0f MB/s  compile %.2f ms  "
               "(%zu secrets)\n",
               h, cms_hs, f_hs);
        printf("  baseline: memchr scan     %8.0f MB/s\n", b);
        printf("  ratio default/memchr      %.3f   prefilter/default %.2fx   "
               "(target: >= 200 MB/s)\n",
               p / b, h / p);
        printf("  ratio passes/no passes    %.3f   (target: >= 0.8; median "
               "of the runs' ratios: wall %.3f, thread CPU time %.3f)\n",
               p / q, median(r_wall, runs), median(r_cpu, runs));
        if (getloadavg(load, 3) == 3)
            printf("  load average              %.2f %.2f %.2f\n", load[0],
                   load[1], load[2]);
    }
    free(buf);
    return sink == 12345 ? 1 : 0;
}
