/* SPDX-License-Identifier: MIT */
/* exectrail verify: prove the trail was not altered, reordered or cut. */
#define _GNU_SOURCE 1
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: exectrail verify [--checkpoint FILE [--witness-key VKEY]...]\n"
    "                        [--no-projections] [--format text|json]\n\n"
    "Recompute every event's leaf hash from its stored bytes, check the\n"
    "sequence numbers, rebuild the Merkle tree and compare it with the\n"
    "stored tree head and every stored signed checkpoint. With --checkpoint,\n"
    "also prove that the trail extends a checkpoint saved earlier (from\n"
    "'exectrail checkpoint'). With --witness-key (up to 8), the checkpoint\n"
    "must also carry a valid cosignature by each witness key given (from\n"
    "'exectrail checkpoint --push URL'): proof that the witness saw that\n"
    "tree, which the trail's own key cannot forge. On failure, names the\n"
    "first bad sequence\n"
    "number and its execution, and exits with status 4.\n\n"
    "Then (unless --no-projections) recompute every projection (executions,\n"
    "actions, lists, search index, security, issues, report rollups,\n"
    "retention state) from the ledger in a transaction that is rolled back\n"
    "and compare it with what queries and reports read; the first row that\n"
    "differs fails with status 4. This needs the store writable; when it is\n"
    "not, the output says the projections were not checked.\n\n"
    "--format json (or --json): the report as one JSON object.\n";

static void hexs(const uint8_t *b, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[b[i] >> 4];
        out[2 * i + 1] = h[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static const char *const text_json[] = {"text", "json", NULL};

#define WITNESS_KEYS_MAX 8

struct cosigned {
    char name[64];
    uint64_t time_s;
};

/* The witnesses' cosignatures on note; ET_EINTEGRITY (err says which)
 * when one is missing or bad. */
static int check_cosignatures(const char *note, size_t len,
                              const struct et_signer *keys, int n,
                              struct cosigned *out, struct et_error *err)
{
    for (int i = 0; i < n; i++) {
        int rc = et_checkpoint_verify_cosigned(note, len, &keys[i], NULL,
                                               &out[i].time_s, err);

        if (rc == ET_EINPUT)
            rc = et_error_set(err, ET_EINTEGRITY, "%s", "checkpoint: "
                              "malformed, so not cosigned");
        if (rc)
            return rc;
        /* a witness's name, cut to what the report shows */
        snprintf(out[i].name, sizeof(out[i].name), "%.*s",
                 (int)sizeof(out[i].name) - 1, keys[i].name);
    }
    return ET_OK;
}

static void when_text(uint64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, cap, "%llu", (unsigned long long)t);
}

int cmd_verify(int argc, char **argv)
{
    int fi = 0;
    static const struct option opts[] = {
        {"db", required_argument, 0, 'D'},
        {"checkpoint", required_argument, 0, 'c'},
        {"json", no_argument, 0, 'j'},
        {"projections", no_argument, 0, 'p'},
        {"no-projections", no_argument, 0, 'P'},
        {"format", required_argument, 0, 'f'},
        {"witness-key", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    struct et_signer wkeys[WITNESS_KEYS_MAX];
    struct cosigned cos[WITNESS_KEYS_MAX];
    int n_wkeys = 0;
    struct et_error err = ET_ERROR_INIT;
    struct et_verify_report rep;
    struct et_trail *t = NULL;
    const char *ck = NULL;
    char *note = NULL, root[65];
    size_t note_len = 0;
    struct et_error perr = ET_ERROR_INIT;
    const char *proj = "skipped"; /* verified, skipped, unchecked */
    bool json = false, projections = true;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(help, stdout); return 0;
        case 'D': cli_db = optarg; break;
        case 'c': ck = optarg; break;
        case 'j': json = true; break;
        case 'p': projections = true; break;
        case 'P': projections = false; break;
        case 'f':
            if (cli_parse_format("verify", optarg, text_json, &fi))
                return EXIT_USAGE;
            json = fi == 1;
            break;
        case 'w':
            if (n_wkeys == WITNESS_KEYS_MAX)
                return cli_usage_error("verify",
                                       "at most %d --witness-key options",
                                       WITNESS_KEYS_MAX);
            if (et_cosigner_parse(optarg, strlen(optarg), &wkeys[n_wkeys],
                                  &err) != ET_OK)
                return cli_usage_error("verify", "--witness-key: %s",
                                       err.msg);
            n_wkeys++;
            break;
        default: return cli_usage_error("verify", "unknown option");
        }
    }
    if (optind != argc)
        return cli_usage_error("verify", "unexpected argument '%s'",
                               argv[optind]);
    if (n_wkeys && !ck)
        return cli_usage_error("verify",
                               "--witness-key needs --checkpoint FILE");
    if (ck && (rc = cli_read_input("verify", ck, 65536, &note, &note_len)))
        return rc;
    rc = cli_open("verify", false, &t);
    if (rc) {
        free(note);
        return rc;
    }
    rc = et_trail_verify(t, note, note_len, &rep, &err);
    if (!rc && n_wkeys)
        rc = check_cosignatures(note, note_len, wkeys, n_wkeys, cos, &err);
    if (!rc && projections) {
        int prc = et_trail_verify_projections(t, &perr);

        if (prc == ET_EINTEGRITY) {
            rc = prc;
            err = perr;
            proj = "failed";
        } else {
            proj = prc ? "unchecked" : "verified";
        }
    }
    et_trail_close(t);
    free(note);
    hexs(rep.root, sizeof(rep.root), root);
    if (json) {
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "ok", json_object_new_boolean(rc == 0));
        json_object_object_add(o, "events",
                               json_object_new_int64((int64_t)rep.events));
        json_object_object_add(o, "erased",
                               json_object_new_int64((int64_t)rep.erased));
        json_object_object_add(o, "checkpoints",
                               json_object_new_int64(
                                   (int64_t)rep.checkpoints));
        if (!rc)
            cli_set_str(o, "root_hash", root);
        cli_set_str(o, "projections", proj);
        if (!strcmp(proj, "unchecked"))
            cli_set_str(o, "projections_problem", perr.msg);
        cli_set_str(o, "erased_by",
                    rep.erased_note[0] ? rep.erased_note : NULL);
        if (rep.bad_seq >= 0) {
            json_object_object_add(o, "bad_seq",
                                   json_object_new_int64(rep.bad_seq));
            cli_set_str(o, "bad_execution",
                        rep.bad_execution[0] ? rep.bad_execution : NULL);
        }
        if (rc)
            cli_set_str(o, "problem", err.msg);
        if (!rc && n_wkeys) {
            struct json_object *arr = json_object_new_array();

            for (int i = 0; i < n_wkeys; i++) {
                struct json_object *w = json_object_new_object();

                cli_set_str(w, "name", cos[i].name);
                json_object_object_add(
                    w, "time", json_object_new_int64((int64_t)cos[i].time_s));
                json_object_array_add(arr, w);
            }
            json_object_object_add(o, "cosigned_by", arr);
        }
        printf("%s\n", json_object_to_json_string_ext(
                           o, JSON_C_TO_STRING_PRETTY |
                                  JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return cli_exit_for(rc);
    }
    if (rc && rc != ET_EINTEGRITY)
        return cli_fail("verify", &err);
    if (rc) {
        printf("FAILED: %s\n", err.msg);
        if (rep.bad_seq >= 0)
            printf("  first bad sequence number: %lld\n",
                   (long long)rep.bad_seq);
        if (rep.bad_execution[0])
            printf("  execution: %s\n", rep.bad_execution);
        printf("  (%llu events checked before the problem)\n",
               (unsigned long long)rep.events);
        return EXIT_INTEGRITY;
    }
    printf("OK: %llu events verified", (unsigned long long)rep.events);
    if (rep.erased)
        printf(" (%llu erased by retention policy, hashes kept)",
               (unsigned long long)rep.erased);
    printf(", %llu signed checkpoint(s) match\n",
           (unsigned long long)rep.checkpoints);
    printf("  tree size %llu, root %s\n", (unsigned long long)rep.events,
           root);
    if (rep.erased_note[0])
        printf("  erased leaves are not tampering: first, %s\n",
               rep.erased_note);
    if (ck)
        printf("  extends the given checkpoint\n");
    for (int i = 0; i < n_wkeys; i++) {
        char when[32];

        when_text(cos[i].time_s, when, sizeof(when));
        printf("  cosigned by witness %s at %s\n", cos[i].name, when);
    }
    if (!strcmp(proj, "verified"))
        printf("  projections: recomputed from the ledger, every row "
               "matches\n");
    else if (!strcmp(proj, "unchecked"))
        printf("  projections: NOT checked (%s)\n", perr.msg);
    else
        printf("  projections: not checked (--no-projections)\n");
    return 0;
}
