/* SPDX-License-Identifier: MIT */
/*
 * Retention's pieces: durations, the policy file and its errors, the
 * classification rule on both sides of each boundary, the batched prover
 * against the RFC's recursive proofs, and bundle frames.
 */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exectrail/exectrail.h"
#include "ledger/prover.h"
#include "retention/bundle.h"
#include "retention/retention_int.h"
#include "t.h"

#define DAY (INT64_C(86400) * 1000000000)

T_TEST(durations)
{
    static const struct {
        const char *text;
        int64_t days; /* -1: rejected */
    } cases[] = {
        {"90_days", 90},     {"1_day", 1},      {"2_years", 730},
        {"1_year", 365},     {"3_weeks", 21},   {"6_months", 180},
        {"0_days", -1},      {"90", -1},        {"90days", -1},
        {"_days", -1},       {"90_dayz", -1},   {"90_days_", -1},
        {"-1_days", -1},     {"274_years", -1}, {"100000_days", 100000},
        {"100001_days", -1}, {"", -1},          {"9_dayss", -1},
    };
    char why[160];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t ns = 0;
        int rc = et__ret_duration_parse(cases[i].text, &ns, why, sizeof(why));

        if (cases[i].days < 0) {
            T_ASSERT_RC(rc, ET_EINPUT);
            T_ASSERT(strstr(why, cases[i].text) != NULL);
        } else {
            T_ASSERT_OK(rc);
            T_ASSERT_INT_EQ(ns, cases[i].days * DAY);
        }
    }
}

T_TEST(policy_defaults_and_file)
{
    static const char yaml[] = "RETENTION_POLICY:\n"
                               "  execution_tracking:\n"
                               "    successful_executions: 30_days\n"
                               "    security_relevant: 7_years\n"
                               "  cleanup_schedule:\n"
                               "    daily: none\n"
                               "    weekly: archive_old_executions\n"
                               "  temp_files_max_age: 2_days\n";
    struct et_error err = ET_ERROR_INIT;
    struct et_ret_policy p;

    et_ret_policy_defaults(&p);
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_SUCCESSFUL], 90 * DAY);
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_FAILED], 180 * DAY);
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_HIGH_QUALITY], 365 * DAY);
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_SECURITY], 730 * DAY);
    T_ASSERT_STR_EQ(p.task[ET_RET_QUARTERLY], "full_audit_review");
    T_ASSERT_OK(et_ret_policy_parse(yaml, strlen(yaml), "r.yaml", &p, &err));
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_SUCCESSFUL], 30 * DAY);
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_FAILED], 180 * DAY); /* default kept */
    T_ASSERT_INT_EQ(p.keep_ns[ET_RET_SECURITY], 7 * 365 * DAY);
    T_ASSERT_STR_EQ(p.task[ET_RET_DAILY], "");
    T_ASSERT_STR_EQ(p.task[ET_RET_MONTHLY], "generate_summary_reports");
    T_ASSERT_INT_EQ(p.temp_max_age_ns, 2 * DAY);
    T_ASSERT(p.from_file);
}

T_TEST(policy_errors_name_line_and_column)
{
    static const struct {
        const char *yaml;
        const char *want; /* the start of the message */
    } cases[] = {
        {"RETENTION_POLICY:\n  execution_tracking:\n    failed: 9_days\n",
         "r.yaml:3:13: RETENTION_POLICY.execution_tracking.failed: unknown "
         "class"},
        {"RETENTION_POLICY:\n  execution_tracking:\n"
         "    failed_executions: soon\n",
         "r.yaml:3:24: RETENTION_POLICY.execution_tracking.failed_executions: "
         "'soon' is not a duration"},
        {"RETENTION_POLICY:\n  execution_tracking:\n"
         "    failed_executions: 90\n",
         "r.yaml:3:24: RETENTION_POLICY.execution_tracking.failed_executions: "
         "expected a duration"},
        {"RETENTION_POLICY:\n  cleanup_schedule:\n    hourly: x\n",
         "r.yaml:3:13: RETENTION_POLICY.cleanup_schedule.hourly: unknown "
         "period"},
        {"RETENTION_POLICY:\n  cleanup_schedule:\n    daily: delete_all\n",
         "r.yaml:3:12: RETENTION_POLICY.cleanup_schedule.daily: unknown task"},
        {"RETENTION_POLICY:\n  surprise: 1\n",
         "r.yaml:2:13: RETENTION_POLICY.surprise: unknown key"},
        {"RETENTION_POLICY: [1, 2]\n",
         "r.yaml:1:19: RETENTION_POLICY: expected a mapping"},
        {"retention: {}\n", "r.yaml:1:12: retention: unknown key"},
        {"RETENTION_POLICY:\n  execution_tracking: [\n", "r.yaml:"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct et_error err = ET_ERROR_INIT;
        struct et_ret_policy p;
        const char *y = cases[i].yaml;

        T_ASSERT_RC(et_ret_policy_parse(y, strlen(y), "r.yaml", &p, &err),
                    ET_EINPUT);
        if (strncmp(err.msg, cases[i].want, strlen(cases[i].want)) != 0) {
            t_fail(__FILE__, __LINE__,
                   "case %zu: '%s' does not start with "
                   "'%s'",
                   i, err.msg, cases[i].want);
            return;
        }
    }
}

static struct et_store_ret_row row(const char *ver, const char *c,
                                   const char *a, const char *e, int64_t ref)
{
    struct et_store_ret_row r;

    memset(&r, 0, sizeof(r));
    r.execution_id = "00000000-0000-4000-8000-000000000001";
    r.verification = ver;
    r.completeness = c;
    r.accuracy = a;
    r.efficiency = e;
    r.ref_ns = ref;
    return r;
}

T_TEST(classify_both_sides_of_each_boundary)
{
    /* the duration of the class that should apply, in days */
    static const struct {
        const char *ver, *c, *a, *e;
        bool security;
        int64_t days;
        enum et_ret_class rule;
    } cases[] = {
        {"MATCH", NULL, NULL, NULL, false, 90, ET_RET_SUCCESSFUL},
        {"ERROR", NULL, NULL, NULL, false, 180, ET_RET_FAILED},
        {"MISMATCH", NULL, NULL, NULL, false, 180, ET_RET_FAILED},
        {"PARTIAL", NULL, NULL, NULL, false, 180, ET_RET_FAILED},
        {NULL, NULL, NULL, NULL, false, 180, ET_RET_FAILED},
        {"MATCH", "HIGH", "HIGH", "HIGH", false, 365, ET_RET_HIGH_QUALITY},
        {"MATCH", "HIGH", "HIGH", NULL, false, 365, ET_RET_HIGH_QUALITY},
        {"MATCH", "HIGH", "HIGH", "LOW", false, 90, ET_RET_SUCCESSFUL},
        {"MATCH", "HIGH", "MEDIUM", "HIGH", false, 90, ET_RET_SUCCESSFUL},
        {"ERROR", "HIGH", "HIGH", "MEDIUM", false, 365, ET_RET_HIGH_QUALITY},
        {"MATCH", NULL, NULL, NULL, true, 730, ET_RET_SECURITY},
        {"ERROR", "HIGH", "HIGH", "HIGH", true, 730, ET_RET_SECURITY},
    };
    struct et_ret_policy p;
    const int64_t ref = INT64_C(1735689600) * 1000000000; /* 2025-01-01 */

    et_ret_policy_defaults(&p);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct et_store_ret_row r =
            row(cases[i].ver, cases[i].c, cases[i].a, cases[i].e, ref);
        struct et_ret_item it;
        int64_t end = ref + cases[i].days * DAY;

        r.is_security = cases[i].security;
        et__ret_classify(&p, &r, end - 1, &it);
        T_ASSERT_INT_EQ(it.rule, cases[i].rule);
        T_ASSERT_INT_EQ(it.action, ET_RET_KEEP);
        T_ASSERT_INT_EQ(it.expires_ns, end);
        et__ret_classify(&p, &r, end, &it);
        T_ASSERT_INT_EQ(it.action, ET_RET_EXPIRE);
        et__ret_classify(&p, &r, end + DAY, &it);
        T_ASSERT_INT_EQ(it.action, ET_RET_EXPIRE);
        /* a hold wins at any age */
        r.hold_reason = "court order";
        et__ret_classify(&p, &r, end + 1000 * DAY, &it);
        T_ASSERT_INT_EQ(it.action, ET_RET_HOLD);
    }
}

T_TEST(prover_matches_the_recursive_proofs)
{
    uint8_t leaves[80][ET_HASH_LEN];
    uint8_t want[ET_PROOF_MAX][ET_HASH_LEN], got[ET_PROOF_MAX][ET_HASH_LEN];

    for (unsigned i = 0; i < 80; i++) {
        unsigned char b = (unsigned char)i;

        et_merkle_leaf_hash(&b, 1, leaves[i]);
    }
    for (uint64_t n = 1; n <= 80; n++) {
        struct et_prover *p = NULL;

        T_ASSERT_OK(et_prover_new(ET_HASHES(leaves), n, &p, NULL));
        for (uint64_t m = 0; m < n; m++) {
            size_t nw = 0, ng = 0;

            T_ASSERT_OK(et_merkle_inclusion_proof(ET_HASHES(leaves), n, m, want,
                                                  &nw, NULL));
            T_ASSERT_OK(et_prover_inclusion(p, m, got, &ng, NULL));
            T_ASSERT_INT_EQ(ng, nw);
            T_ASSERT(memcmp(got, want, nw * ET_HASH_LEN) == 0);
        }
        T_ASSERT_RC(et_prover_inclusion(p, n, got, &(size_t){0}, NULL),
                    ET_EINVAL);
        et_prover_free(p);
    }
}

static uint8_t *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long len;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)len + 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return b;
}

T_TEST(bundle_frames)
{
    struct et_bundle_w w;
    struct et_bundle_r r;
    struct et_buf line = ET_BUF_INIT;
    char path[512];
    uint64_t off[2], len[2];
    uint8_t *data;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/frames.etar.zst", t_tmpdir());
    T_ASSERT_OK(et__bundle_w_open(&w, path, NULL));
    T_ASSERT_OK(et__bundle_w_line(&w, "{\"a\":1}", 7, &off[0], &len[0], NULL));
    T_ASSERT_OK(et__bundle_w_line(&w, "{\"b\":2}", 7, &off[1], &len[1], NULL));
    T_ASSERT_OK(
        et__bundle_w_finish(&w, "{\"kind\":\"manifest\",\"x\":3}", 25, NULL));
    T_ASSERT_RC(et__bundle_w_open(&w, path, NULL), ET_EIO); /* exclusive */
    data = slurp(path, &n);
    T_ASSERT(data != NULL);
    T_ASSERT_INT_EQ(off[0], 0);
    T_ASSERT_INT_EQ(off[1], len[0]);
    T_ASSERT_OK(et__bundle_r_open(&r, data, n, NULL));
    T_ASSERT_INT_EQ(r.manifest_off, len[0] + len[1]);
    T_ASSERT_OK(et__bundle_r_frame(&r, off[1], len[1], &line, NULL));
    T_ASSERT_STR_EQ(line.ptr, "{\"b\":2}");
    /* a frame boundary that is off by one, or outside the file */
    T_ASSERT_RC(et__bundle_r_frame(&r, off[1], len[1] - 1, &line, NULL),
                ET_EINTEGRITY);
    T_ASSERT_RC(et__bundle_r_frame(&r, n, 1, &line, NULL), ET_EINTEGRITY);
    T_ASSERT_RC(et__bundle_r_frame(&r, UINT64_MAX - 2, 9, &line, NULL),
                ET_EINTEGRITY);
    /* one flipped byte inside the first frame's data */
    data[len[0] / 2] ^= 0x10;
    T_ASSERT_RC(et__bundle_r_frame(&r, off[0], len[0], &line, NULL),
                ET_EINTEGRITY);
    et__bundle_r_close(&r);
    /* no trailer: not a bundle */
    T_ASSERT_RC(et__bundle_r_open(&r, data, n - 1, NULL), ET_EINPUT);
    free(data);
    et_buf_release(&line);
}

T_TEST(bundle_records)
{
    static const char id1[] = "00000000-0000-4000-8000-000000000001";
    static const char id2[] = "00000000-0000-4000-8000-000000000002";
    struct et_bundle_w w;
    struct et_bundle_r r;
    struct et_buf line = ET_BUF_INIT;
    char path[512], id[37];
    uint64_t pos = 0, off = 0, len = 0;
    uint8_t *data;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/records.etar.zst", t_tmpdir());
    T_ASSERT_OK(et__bundle_w_open(&w, path, NULL));
    T_ASSERT_OK(et__bundle_w_record(&w, id1, "{\"x\":1}", 7, NULL));
    T_ASSERT_OK(et__bundle_w_record(&w, id2, "{\"x\":2}", 7, NULL));
    T_ASSERT_OK(et__bundle_w_finish(&w, "{\"kind\":\"manifest\"}", 19, NULL));
    data = slurp(path, &n);
    T_ASSERT(data != NULL);
    T_ASSERT_OK(et__bundle_r_open(&r, data, n, NULL));
    T_ASSERT_OK(et__bundle_r_next(&r, &pos, id, &off, &len, NULL));
    T_ASSERT_STR_EQ(id, id1);
    T_ASSERT_INT_EQ(off, ET_BUNDLE_REC_HDR_LEN);
    T_ASSERT_OK(et__bundle_r_frame(&r, off, len, &line, NULL));
    T_ASSERT_STR_EQ(line.ptr, "{\"x\":1}");
    T_ASSERT_OK(et__bundle_r_next(&r, &pos, id, &off, &len, NULL));
    T_ASSERT_STR_EQ(id, id2);
    T_ASSERT_INT_EQ(et__bundle_r_next(&r, &pos, id, &off, &len, NULL), 1);
    /* a damaged header, and a length that runs into the manifest */
    pos = 0;
    data[9] ^= 1;
    T_ASSERT_RC(et__bundle_r_next(&r, &pos, id, &off, &len, NULL),
                ET_EINTEGRITY);
    data[9] ^= 1;
    data[14 + 7] = 0x7f;
    pos = 0;
    T_ASSERT_RC(et__bundle_r_next(&r, &pos, id, &off, &len, NULL),
                ET_EINTEGRITY);
    et__bundle_r_close(&r);
    free(data);
    et_buf_release(&line);
}

T_MAIN("retention", T_CASE(durations), T_CASE(policy_defaults_and_file),
       T_CASE(policy_errors_name_line_and_column),
       T_CASE(classify_both_sides_of_each_boundary),
       T_CASE(prover_matches_the_recursive_proofs), T_CASE(bundle_frames),
       T_CASE(bundle_records))
