/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ledger's parsers: the input is tried as a signed
 * checkpoint note (verified with the fixed test key of docs/LEDGER.md), as
 * key text and as stored tree state. Whatever is accepted must encode back
 * to exactly the input bytes: each format has one spelling.
 */
#include "base/setup.h"
#include "exectrail/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The test key of tests/data/ledger-vectors.json. */
static const char test_secret[] =
    "PRIVATE+KEY+exectrail-test+831f11cf+"
    "AXBzZf+tLJy21YteeyCjbBq8GFbZdwBXp0YRhKtiiI77";

static struct et_signer key;
static bool have_key;

static void fuzz_note(const uint8_t *data, size_t size)
{
    struct et_checkpoint cp;
    char note[1024];
    const char *sep;
    size_t body_len;

    if (et_checkpoint_verify((const char *)data, size, &key, &cp, NULL) !=
        ET_OK)
        return;
    /* Ed25519 is deterministic: re-signing gives the same body. */
    if (et_checkpoint_sign(&cp, &key, note, sizeof(note), NULL) != ET_OK)
        ET_BUG("a verified checkpoint cannot be signed again");
    sep = strstr(note, "\n\n");
    if (!sep)
        ET_BUG("signed note has no blank line");
    body_len = (size_t)(sep - note) + 2;
    if (size < body_len || memcmp(note, data, body_len) != 0)
        ET_BUG("verified note body is not in canonical form");
}

static void fuzz_key(const uint8_t *data, size_t size)
{
    struct et_signer s;
    char text[256];
    int rc;

    if (et_signer_parse((const char *)data, size, &s, NULL) != ET_OK)
        return;
    rc = s.has_secret ? et_signer_format_secret(&s, text, sizeof(text))
                      : et_signer_format_verifier(&s, text, sizeof(text));
    if (rc != ET_OK)
        ET_BUG("a parsed key cannot be formatted");
    if (strlen(text) != size || memcmp(text, data, size) != 0)
        ET_BUG("parsed key text is not in canonical form");
    et_signer_wipe(&s);
}

static void fuzz_tree(const uint8_t *data, size_t size)
{
    uint8_t enc[8 + ET_TREE_MAX_PEAK * ET_HASH_LEN], root[ET_HASH_LEN];
    struct et_tree t;
    size_t n;

    if (et_tree_decode(data, size, &t) != ET_OK)
        return;
    n = et_tree_encode(&t, enc);
    if (n != size || memcmp(enc, data, n) != 0)
        ET_BUG("decoded tree state does not encode back");
    et_tree_root(&t, root);
    if (t.size < UINT64_MAX)
        et_tree_append(&t, root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!have_key) {
        if (et_signer_parse(test_secret, strlen(test_secret), &key, NULL) !=
            ET_OK)
            ET_BUG("the fuzz test key does not parse");
        have_key = true;
    }
    fuzz_note(data, size);
    fuzz_key(data, size);
    fuzz_tree(data, size);
    return 0;
}
