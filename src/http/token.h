/* SPDX-License-Identifier: MIT */
/*
 * API tokens (docs/API.md, "Tokens"): the file api-tokens of the data
 * directory holds one line per token with the SHA-256 of the token, never
 * the token. The server keeps a parsed copy and rereads it when the file
 * changes, so a revoked token stops working at once.
 */
#ifndef ET_HTTP_TOKEN_H
#define ET_HTTP_TOKEN_H

#include <stdint.h>
#include <sys/types.h>
#include "exectrail/http.h"
#include "exectrail/ledger.h"

enum et_token_scope {
    ET_TOKEN_NONE = 0,
    ET_TOKEN_INGEST,
    ET_TOKEN_READ,
    ET_TOKEN_ADMIN,
};

struct et_token_entry {
    char id[ET_TOKEN_ID_LEN];
    enum et_token_scope scope;
    int64_t created_ns, expires_ns;
    uint8_t hash[ET_HASH_LEN];
    char name[64];
};

struct et_token_set {
    struct et_token_entry *v;
    size_t n;
    /* identity of the file read (all 0 when there was none) */
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
};

/* Path of the token file of the store at db, into out (PATH_MAX). */
ET_NODISCARD int et__token_path(const char *db, char *out,
                                struct et_error *err);
/* Reread path into s when the file changed since s was filled (a missing
 * file is an empty set). */
ET_NODISCARD int et__token_refresh(const char *path, struct et_token_set *s,
                                   struct et_error *err);
void et__token_set_release(struct et_token_set *s);
/*
 * The scope of bearer token tok (len bytes) at now_ns: ET_TOKEN_NONE when
 * it is unknown, malformed or expired. The hash comparison is constant
 * time.
 */
enum et_token_scope et__token_check(const struct et_token_set *s,
                                    const char *tok, size_t len,
                                    int64_t now_ns);

#endif
