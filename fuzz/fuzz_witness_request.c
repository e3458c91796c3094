/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the witness (src/witness/witness.c): the input is
 * an add-checkpoint request body sent to a witness that trusts the test
 * log of tests/data/ledger-vectors.json (its state in a temporary
 * directory, so accepted checkpoints move it on). Every answer must carry
 * one of the protocol's statuses, and a 200 must be a cosignature line
 * that verifies on the submitted checkpoint under the witness's key. The
 * input is also tried as a cosigned note.
 */
#define _GNU_SOURCE 1 /* memmem, nftw */
#include "base/setup.h"
#include "exectrail/witness.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char log_vkey[] =
    "exectrail-test+831f11cf+AUxWoSAC2gu09Y6bI0iEoPB+uAKbEvRTSdfPaG8Lyh7Z";
static const char origin[] = "exectrail.test/ledger-vectors";

static struct et_witness *w;
static struct et_signer wkey;
static char dir[] = "/tmp/et-fuzz-witness-XXXXXX";

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup(void)
{
    et_witness_close(w);
    (void)nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    char vkey[256];

    if (!mkdtemp(dir) ||
        et_witness_init(dir, "witness.test/fuzz", vkey, sizeof(vkey), NULL,
                        NULL) != ET_OK ||
        et_witness_trust(dir, origin, log_vkey, NULL) != ET_OK ||
        et_witness_open(dir, &w, NULL) != ET_OK ||
        et_cosigner_parse(vkey, strlen(vkey), &wkey, NULL) != ET_OK)
        ET_BUG("cannot set up the fuzz witness");
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct et_witness_answer a;
    struct et_checkpoint cp;
    const char *note;
    char *all;
    size_t n;
    int vrc;

    if (!w)
        setup();
    /* any answer will do; it must not crash or leak */
    vrc = et_checkpoint_verify_cosigned((const char *)data, size, &wkey, &cp,
                                        NULL, NULL);
    (void)vrc;
    et_witness_add_checkpoint(w, (const char *)data, size, &a);
    switch (a.status) {
    case 400: case 403: case 404: case 409: case 413: case 422:
        return 0;
    case 200:
        break;
    default:
        ET_BUG("a status the protocol does not have");
    }
    /* the checkpoint starts after the first blank line */
    note = memmem(data, size, "\n\n", 2);
    if (!note)
        ET_BUG("cosigned a request without a blank line");
    note += 2;
    n = size - (size_t)(note - (const char *)data);
    all = malloc(n + strlen(a.body) + 1);
    if (!all)
        return 0;
    memcpy(all, note, n);
    memcpy(all + n, a.body, strlen(a.body) + 1);
    if (et_checkpoint_verify_cosigned(all, n + strlen(a.body), &wkey, &cp,
                                      NULL, NULL) != ET_OK)
        ET_BUG("a cosignature that does not verify");
    free(all);
    return 0;
}
