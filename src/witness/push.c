/* SPDX-License-Identifier: MIT */
/*
 * The log side of C2SP tlog-witness: sign a checkpoint, send it to a
 * witness with a consistency proof from the size the witness holds, and
 * keep the cosignature only when it verifies under the witness key given.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "exectrail/trail.h"
#include "exectrail/witness.h"
#include "ledger/note_int.h"
#include "witness/curl_dl.h"

#include <inttypes.h>
#include <strings.h>

#define ANSWER_MAX   65536 /* bytes of a witness's answer we read */
#define TRIES        4     /* requests before giving up on 409s */
#define CONNECT_SECS 10L
#define TOTAL_SECS   30L

struct answer {
    char body[ANSWER_MAX + 1];
    size_t len;
    bool is_truncated;
    long status;
    bool is_size; /* Content-Type text/x.tlog.size */
};

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * n, room = ANSWER_MAX - a->len;

    if (len > room) {
        a->is_truncated = true;
        len = room;
    }
    memcpy(a->body + a->len, data, len);
    a->len += len;
    a->body[a->len] = '\0';
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    static const char want[] = "content-type:";
    struct answer *a = ctx;
    size_t len = size * n, i = sizeof(want) - 1;

    if (len > i && strncasecmp(data, want, i) == 0) {
        while (i < len && (data[i] == ' ' || data[i] == '\t'))
            i++;
        a->is_size = len - i >= 16 &&
                     strncasecmp(data + i, "text/x.tlog.size", 16) == 0;
    }
    return size * n;
}

/* The first line of the answer's body, for messages. */
static const char *first_line(struct answer *a)
{
    char *nl = strchr(a->body, '\n');

    if (nl)
        *nl = '\0';
    return a->body[0] ? a->body : "(empty body)";
}

static int post(const char *url, const char *body, size_t len,
                struct answer *a, struct et_error *err)
{
    struct curl_slist *hdr = NULL;
    char why[CURL_ERROR_SIZE] = "";
    CURLcode cc;
    CURL *c;

    memset(a, 0, sizeof(*a));
    c = curl_easy_init();
    if (!c)
        return et_error_set(err, ET_ENOMEM, "cannot start libcurl");
    hdr = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    if (!hdr) {
        curl_easy_cleanup(c);
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_SECS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, TOTAL_SECS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* a witness answers at its own URL: redirects are not followed */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdr);
    if (cc != CURLE_OK)
        return et_error_set(err, ET_EIO, "%s: %s", url,
                            why[0] ? why : curl_easy_strerror(cc));
    return ET_OK;
}

/* "old N\n", the proof lines, a blank line, the note */
static int request_body(uint64_t old, const uint8_t (*proof)[ET_HASH_LEN],
                        size_t n_proof, const char *note, struct et_buf *b)
{
    char line[64];
    int rc;

    b->len = 0;
    rc = et_buf_printf(b, "old %" PRIu64 "\n", old);
    for (size_t i = 0; !rc && i < n_proof; i++) {
        et__note_b64_encode(proof[i], ET_HASH_LEN, line, sizeof(line));
        rc = et_buf_printf(b, "%s\n", line);
    }
    if (!rc)
        rc = et_buf_printf(b, "\n%s", note);
    return rc;
}

/* The size in a 409's text/x.tlog.size body ("N\n"). */
static bool size_answer(const struct answer *a, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (!a->is_size || a->len < 2 || a->body[a->len - 1] != '\n' ||
        (a->body[0] == '0' && a->len > 2))
        return false;
    for (i = 0; i + 1 < a->len; i++) {
        if (a->body[i] < '0' || a->body[i] > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(a->body[i] - '0');
    }
    *out = v;
    return true;
}

/* The note with the witness's valid cosignature lines appended (those
 * by other keys dropped); ET_EINTEGRITY when there is none. */
static int take_cosignature(const char *note, const struct answer *a,
                            const struct et_signer *wkey, char **out,
                            uint64_t *time_out, struct et_error *err)
{
    struct et_buf all = ET_BUF_INIT, mine = ET_BUF_INIT;
    struct et_checkpoint cp;
    const char *p = a->body, *nl;
    int rc;

    *out = NULL;
    if (a->is_truncated)
        return et_error_set(err, ET_EINTEGRITY,
                            "the witness's answer is longer than %d bytes",
                            ANSWER_MAX);
    rc = et_buf_addstr(&mine, note);
    for (; !rc && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl) {
            rc = et_error_set(err, ET_EINTEGRITY,
                              "the witness's answer does not end in a "
                              "newline");
            break;
        }
        all.len = 0;
        rc = et_buf_addstr(&all, note);
        if (!rc)
            rc = et_buf_add(&all, p, (size_t)(nl - p) + 1);
        if (rc)
            break;
        if (et_checkpoint_verify_cosigned(all.ptr, all.len, wkey, &cp, NULL,
                                          NULL) == ET_OK)
            rc = et_buf_add(&mine, p, (size_t)(nl - p) + 1);
    }
    if (rc == ET_ENOMEM)
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc)
        rc = et_checkpoint_verify_cosigned(mine.ptr, mine.len, wkey, &cp,
                                           time_out, err);
    if (rc && rc != ET_ENOMEM && rc != ET_EINTEGRITY) {
        /* a malformed answer proves nothing either */
        rc = ET_EINTEGRITY;
        if (err)
            err->code = rc;
    }
    if (rc)
        et_error_prefix(err, "the witness's answer");
    et_buf_release(&all);
    if (!rc)
        *out = et_buf_detach(&mine, NULL);
    et_buf_release(&mine);
    return rc;
}

/* Per witness: its submission URL, what it answered, what it holds. */
struct target {
    const struct et_witness_target *w;
    struct et_buf url; /* <prefix>/add-checkpoint */
    uint64_t old;      /* the size it holds, as far as we know */
    bool done;         /* cosigned the current note */
    struct et_buf lines; /* its verified cosignature lines */
};

/* The witness's answer other than 200 and a new size, as an error. */
static int refused(const struct target *tg, struct answer *a,
                   struct et_error *err)
{
    switch (a->status) {
    case 404:
        return et_error_set(err, ET_ENOTFOUND,
                            "witness %s does not know this log (%s): on the "
                            "witness, run exectrail witness trust with the "
                            "line 'exectrail checkpoint --identity' prints",
                            tg->w->key.name, first_line(a));
    case 409:
        return et_error_set(err, a->is_size ? ET_EBUSY : ET_EINTEGRITY,
                            a->is_size
                                ? "witness %s: its size kept changing (%s): "
                                  "another writer pushes this log too"
                                : "witness %s cosigned another tree of the "
                                  "same size (%s): the trail was forked or "
                                  "altered",
                            tg->w->key.name, first_line(a));
    case 422:
        return et_error_set(err, ET_EINTEGRITY,
                            "witness %s: its tree of %" PRIu64
                            " events is not a prefix of this trail (%s): "
                            "the trail was forked or altered",
                            tg->w->key.name, tg->old, first_line(a));
    default:
        return et_error_set(err, ET_EIO, "%s answered %ld: %s", tg->url.ptr,
                            a->status, first_line(a));
    }
}

/*
 * Run the protocol with one witness for note (a checkpoint of size n):
 * ET_OK with its cosignature in tg->lines, or *ahead set when it holds a
 * larger tree than n (the caller signs again), or an error.
 */
static int push_one(struct et_trail *t, struct target *tg, const char *note,
                    uint64_t n, uint8_t (*proof)[ET_HASH_LEN],
                    struct answer *a, struct et_buf *body, bool *ahead,
                    struct et_witness_push *rep, struct et_error *err)
{
    size_t n_proof = 0;
    char *mine = NULL;
    int rc;

    *ahead = false;
    for (int i = 0; i < TRIES; i++) {
        uint64_t theirs;

        if (tg->old > n) {
            *ahead = true;
            return ET_OK;
        }
        rc = et_trail_consistency_hashes(t, tg->old, n, proof, &n_proof, err);
        if (!rc)
            rc = request_body(tg->old, (const uint8_t(*)[ET_HASH_LEN])proof,
                              n_proof, note, body);
        if (rc == ET_ENOMEM)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        if (rc)
            return rc;
        rep->requests++;
        rc = post(tg->url.ptr, body->ptr, body->len, a, err);
        if (rc)
            return rc;
        if (a->status == 409 && size_answer(a, &theirs) && theirs != tg->old) {
            tg->old = theirs; /* learn the witness's size, prove from it */
            continue;
        }
        break;
    }
    if (a->status != 200)
        return refused(tg, a, err);
    rc = take_cosignature(note, a, &tg->w->key, &mine, &rep->time_s, err);
    if (rc)
        return et_error_prefix(err, "witness %s", tg->w->key.name);
    tg->lines.len = 0;
    rc = et_buf_addstr(&tg->lines, mine + strlen(note));
    et__free(mine);
    if (rc)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rep->size = n;
    rep->old_size = tg->old;
    tg->old = n;
    tg->done = true;
    return ET_OK;
}

/* Sign a checkpoint of the current head: *note (et__free) and its size. */
static int sign_head(struct et_trail *t, char **note, uint64_t *size,
                     struct et_error *err)
{
    const char *vkey = et_trail_verifier_key(t);
    struct et_checkpoint cp;
    struct et_signer key;
    int rc;

    rc = et_trail_checkpoint(t, note, err);
    if (!rc)
        rc = et_signer_parse(vkey, strlen(vkey), &key, err);
    if (!rc)
        rc = et_checkpoint_verify(*note, strlen(*note), &key, &cp, err);
    if (rc) {
        et_trail_free_string(*note);
        *note = NULL;
        return rc;
    }
    *size = cp.size;
    return ET_OK;
}

int et_witness_push(struct et_trail *t, const struct et_witness_target *ws,
                    size_t n_ws, char **note_out, struct et_witness_push *reps,
                    struct et_error *err)
{
    uint8_t(*proof)[ET_HASH_LEN] = NULL;
    struct et_buf body = ET_BUF_INIT, all = ET_BUF_INIT;
    struct target *tgs = NULL;
    struct answer *a = NULL;
    char *note = NULL;
    uint64_t size = 0;
    int rc = ET_OK;

    *note_out = NULL;
    if (!t || !ws || !reps || n_ws == 0)
        return et_error_set(err, ET_EINVAL, "push: no witness");
    memset(reps, 0, n_ws * sizeof(*reps));
    for (size_t i = 0; i < n_ws; i++) {
        const char *url = ws[i].url;

        if (ET_NOTE_ALG(&ws[i].key) != ET_NOTE_ALG_COSIG)
            return et_error_set(err, ET_EINVAL,
                                "witness key: '%s' is a log's key, not a "
                                "witness's",
                                ws[i].key.name);
        if (!url || (strncmp(url, "http://", 7) != 0 &&
                     strncmp(url, "https://", 8) != 0))
            return et_error_set(err, ET_EINVAL,
                                "witness URL: want http:// or https://, got "
                                "'%s'",
                                url ? url : "");
    }
    rc = et__curl_load(err);
    if (rc)
        return rc;
    tgs = et__calloc(n_ws, sizeof(*tgs));
    proof = et__calloc(ET_PROOF_MAX, ET_HASH_LEN);
    a = et__malloc(sizeof(*a));
    if (!tgs || !proof || !a) {
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_ws && !rc; i++) {
        tgs[i].w = &ws[i];
        rc = et_buf_addstr(&tgs[i].url, ws[i].url);
        if (!rc && tgs[i].url.len && tgs[i].url.ptr[tgs[i].url.len - 1] == '/')
            tgs[i].url.ptr[--tgs[i].url.len] = '\0';
        if (!rc)
            rc = et_buf_addstr(&tgs[i].url, "/add-checkpoint");
        if (rc)
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
    }
    /* one note for all; signed again (and every witness asked again) when
     * a witness holds a larger tree, which the trail must have by then */
    if (!rc)
        rc = sign_head(t, &note, &size, err);
    for (int round = 0; !rc && round < TRIES; round++) {
        uint64_t most = 0;
        bool again = false;

        for (size_t i = 0; !rc && i < n_ws; i++) {
            bool ahead = false;

            tgs[i].done = false;
            rc = push_one(t, &tgs[i], note, size, proof, a, &body, &ahead,
                          &reps[i], err);
            if (!rc && ahead) {
                again = true;
                if (tgs[i].old > most)
                    most = tgs[i].old;
            }
        }
        if (rc || !again)
            break;
        /* the witness holds more than this note: the trail must have grown
         * since (another push); if it has not, it was cut or forked */
        et_trail_free_string(note);
        note = NULL;
        rc = sign_head(t, &note, &size, err);
        if (!rc && size < most)
            rc = et_error_set(err, ET_EINTEGRITY,
                              "a witness has cosigned a tree of %" PRIu64
                              " events of this log, which now holds %" PRIu64
                              ": the trail was rolled back or forked",
                              most, size);
        if (!rc && round + 1 == TRIES)
            rc = et_error_set(err, ET_EBUSY,
                              "the witnesses' sizes kept changing: another "
                              "writer pushes this log too");
    }
    if (!rc) {
        rc = et_buf_addstr(&all, note);
        for (size_t i = 0; !rc && i < n_ws; i++)
            rc = et_buf_add(&all, tgs[i].lines.ptr, tgs[i].lines.len);
        if (rc)
            rc = et_error_set(err, ET_ENOMEM, "out of memory");
        else
            *note_out = et_buf_detach(&all, NULL);
    }
out:
    for (size_t i = 0; tgs && i < n_ws; i++) {
        et_buf_release(&tgs[i].url);
        et_buf_release(&tgs[i].lines);
    }
    et__free(tgs);
    et_trail_free_string(note);
    et__free(proof);
    et__free(a);
    et_buf_release(&body);
    et_buf_release(&all);
    return rc;
}
