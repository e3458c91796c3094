/* SPDX-License-Identifier: MIT */
/*
 * Archive bundles that prove themselves: each execution's full record and
 * ledger events with an inclusion proof per event against a signed
 * checkpoint, so that a bundle verifies with nothing but the public key.
 * Verification also projects the events again (in an in-memory store) and
 * requires the record to be exactly what they project to.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "base/time.h"
#include "codec/json.h"
#include "exectrail/query.h"
#include "ledger/prover.h"
#include "retention/bundle.h"
#include "retention/retention_int.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_NAME "exectrail-archive"

static void hex(const uint8_t *b, size_t n, char *out)
{
    sodium_bin2hex(out, n * 2 + 1, b, n);
}

static bool unhex(const char *s, uint8_t out[ET_HASH_LEN])
{
    size_t n = 0;

    return s && strlen(s) == 2 * ET_HASH_LEN &&
           sodium_hex2bin(out, ET_HASH_LEN, s, 2 * ET_HASH_LEN, NULL, &n,
                          NULL) == 0 &&
           n == ET_HASH_LEN;
}

/* ---- writing ---- */

struct wctx {
    struct et_trail *t;
    struct et_prover *prover;
    uint64_t size;
    struct json_object *events; /* array being filled */
    struct et_error *err;
};

static int add_event(void *ctx, const struct et_event_row *row)
{
    struct wctx *w = ctx;
    uint8_t proof[ET_PROOF_MAX][ET_HASH_LEN];
    char h[ET_HASH_LEN * 2 + 1];
    struct json_object *e, *p;
    size_t np = 0;
    int rc;

    if (row->seq >= w->size)
        return 0; /* after the checkpoint: not part of this archive */
    if (!row->body)
        return et_error_set(w->err, ET_ESTATE,
                            "event %llu of %s is already erased",
                            (unsigned long long)row->seq,
                            row->execution_id ? row->execution_id : "?");
    rc = et_prover_inclusion(w->prover, row->seq, proof, &np, w->err);
    if (rc)
        return rc;
    e = et__jnew_object();
    p = et__jnew_array();
    et__jadd(e, "seq", et__jnew_int64((int64_t)row->seq));
    et__jadd(e, "event", et__jnew_string_len(row->body, (int)row->body_len));
    for (size_t j = 0; j < np; j++) {
        hex(proof[j], ET_HASH_LEN, h);
        et__jappend(p, et__jnew_string(h));
    }
    et__jadd(e, "proof", p);
    et__jappend(w->events, e);
    return 0;
}

/* One execution's line: {"kind","execution_id","record","events"}. */
static int exec_line(struct wctx *w, const char *id, struct et_buf *line,
                     struct et_error *err)
{
    uint64_t *seqs = NULL;
    size_t n = 0;
    char *rec = NULL;
    size_t rec_len = 0;
    int rc;

    et_buf_reset(line);
    rc = et_trail_show(w->t, id, 0, &rec, &rec_len, err);
    if (!rc)
        rc = et_store_exec_seqs(w->t->st, id, &seqs, &n, err);
    w->events = et__jnew_array();
    for (size_t i = 0; !rc && i < n; i++)
        rc = et_store_read_range(w->t->st, seqs[i], seqs[i] + 1, add_event, w,
                                 err);
    if (!rc)
        rc = et_buf_printf(line,
                           "{\"kind\":\"execution\",\"execution_id\":\"%s\","
                           "\"record\":",
                           id);
    if (!rc)
        rc = et_buf_add(line, rec, rec_len);
    if (!rc)
        rc = et_buf_addstr(line, ",\"events\":");
    if (!rc)
        rc = et_json_write(w->events, 0, line);
    if (!rc)
        rc = et_buf_addch(line, '}');
    if (rc == ET_ENOMEM || rc == ET_ETOOBIG)
        rc = et_error_set(err, rc, "cannot encode the archive of %s", id);
    json_object_put(w->events);
    w->events = NULL;
    et__free(seqs);
    et_trail_free_string(rec);
    return rc;
}

static int manifest_text(struct et_trail *t, const char *note, uint64_t size,
                         const uint8_t root[ET_HASH_LEN], size_t n,
                         const uint8_t ids_hash[ET_HASH_LEN],
                         struct et_buf *out)
{
    struct json_object *m = et__jnew_object();
    char h[ET_HASH_LEN * 2 + 1], when[ET_RFC3339_MAX];
    int rc;

    hex(root, ET_HASH_LEN, h);
    et_time_format(et_time_now_ns(), when);
    et__jadd(m, "kind", et__jnew_string("manifest"));
    et__jadd(m, "format", et__jnew_string(FORMAT_NAME));
    et__jadd(m, "version", et__jnew_int(1));
    et__jadd(m, "created", et__jnew_string(when));
    et__jadd(m, "tree_size", et__jnew_int64((int64_t)size));
    et__jadd(m, "root_hash", et__jnew_string(h));
    et__jadd(m, "checkpoint", et__jnew_string(note));
    et__jadd(m, "verifier_key", et__jnew_string(t->verifier));
    et__jadd(m, "executions", et__jnew_int64((int64_t)n));
    hex(ids_hash, ET_HASH_LEN, h);
    et__jadd(m, "ids_sha256", et__jnew_string(h));
    et_buf_reset(out);
    rc = et_json_write(m, 0, out);
    json_object_put(m);
    return rc;
}

static int checkpoint_now(struct et_trail *t, char **note,
                          struct et_checkpoint *cp, struct et_error *err)
{
    int rc = et_trail_checkpoint(t, note, err);

    if (!rc)
        rc = et_checkpoint_verify(*note, strlen(*note), &t->signer, cp, err);
    return rc;
}

int et__archive_write(struct et_trail *t, const char *path,
                      const struct et__ret_pick *picks, size_t n,
                      const struct et_ret_run_opts *o, struct et_error *err)
{
    struct et_bundle_w bw;
    struct wctx w;
    struct et_checkpoint cp;
    uint8_t(*leaves)[ET_HASH_LEN] = NULL;
    struct et_buf line = ET_BUF_INIT;
    crypto_hash_sha256_state ids;
    uint8_t ids_hash[ET_HASH_LEN];
    char *note = NULL;
    bool open_ = false;
    int rc;

    memset(&w, 0, sizeof(w));
    rc = checkpoint_now(t, &note, &cp, err);
    if (!rc)
        rc = et_store_leaves(t->st, cp.size, &leaves, err);
    if (!rc)
        rc = et_prover_new(ET_HASHES(leaves), cp.size, &w.prover, err);
    if (!rc)
        rc = et__bundle_w_open(&bw, path, err);
    if (rc)
        goto out;
    open_ = true;
    w.t = t;
    w.size = cp.size;
    w.err = err;
    crypto_hash_sha256_init(&ids);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = exec_line(&w, picks[i].id, &line, err);
        if (!rc)
            rc = et__bundle_w_record(&bw, picks[i].id, line.ptr, line.len, err);
        if (rc)
            break;
        crypto_hash_sha256_update(&ids, (const uint8_t *)picks[i].id, 36);
        crypto_hash_sha256_update(&ids, (const uint8_t *)"\n", 1);
        if (o && o->on_progress && (i % 1024 == 1023 || i + 1 == n))
            o->on_progress(o->ctx, "archive", i + 1, n);
    }
    crypto_hash_sha256_final(&ids, ids_hash);
    if (!rc && manifest_text(t, note, cp.size, cp.root, n, ids_hash, &line))
        rc = et_error_set(err, ET_ENOMEM, "cannot encode the manifest");
    if (!rc)
        rc = et__bundle_w_finish(&bw, line.ptr, line.len, err);
    if (!rc)
        open_ = false;
out:
    if (open_) {
        et__bundle_w_abort(&bw);
        unlink(path);
    }
    et_buf_release(&line);
    et_prover_free(w.prover);
    et__free(leaves);
    et_trail_free_string(note);
    return rc;
}

/* ---- reading ---- */

struct mapped {
    void *p;
    size_t n;
};

static int map_file(const char *path, struct mapped *m, struct et_error *err)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    m->p = NULL;
    m->n = 0;
    if (fd < 0)
        return et_error_sys(err, errno == ENOENT ? ET_ENOTFOUND : ET_EIO, errno,
                            "cannot open %s", path);
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return et_error_set(err, ET_EINPUT, "%s is not a file", path);
    }
    m->n = (size_t)sb.st_size;
    if (m->n)
        m->p = mmap(NULL, m->n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m->p == MAP_FAILED) {
        m->p = NULL;
        return et_error_sys(err, ET_EIO, errno, "cannot read %s", path);
    }
    return ET_OK;
}

static void unmap(struct mapped *m)
{
    if (m->p)
        munmap(m->p, m->n);
    m->p = NULL;
}

/* The in-memory trail where records are projected again from events. */
static int mem_trail(struct et_trail **out, struct et_error *err)
{
    struct et_trail *m = et__calloc(1, sizeof(*m));
    int rc;

    *out = NULL;
    if (!m)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rc = et_store_open(":memory:", ET_STORE_CREATE, &m->st, NULL, err);
    if (rc) {
        et__free(m);
        return rc;
    }
    snprintf(m->path, sizeof(m->path), ":memory:");
    *out = m;
    return ET_OK;
}

struct reader {
    struct et_bundle_r br;
    struct mapped map;
    uint64_t n; /* executions, as the manifest says */
    uint8_t ids_hash[ET_HASH_LEN];
    uint64_t pos;     /* the next record header */
    uint64_t seen;    /* records walked so far */
    char last_id[37]; /* the last good record, for naming damage */
    char cur_id[37];  /* the record being read */
    crypto_hash_sha256_state ids;
    struct et_checkpoint cp;
    struct et_buf line;
    struct et_trail *mem; /* for projecting records again */
    size_t n_mem;         /* records projected into it */
    struct et_archive_report *rep;
};

static int bad(struct reader *r, const char *id, struct et_error *err,
               const char *fmt, ...) ET_PRINTF(4, 5);

static int bad(struct reader *r, const char *id, struct et_error *err,
               const char *fmt, ...)
{
    va_list ap;
    char msg[256];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->rep) {
        snprintf(r->rep->bad_execution, sizeof(r->rep->bad_execution), "%s",
                 id ? id : "");
        snprintf(r->rep->problem, sizeof(r->rep->problem), "%s", msg);
    }
    if (id && *id)
        return et_error_set(err, ET_EINTEGRITY, "execution %s: %s", id, msg);
    return et_error_set(err, ET_EINTEGRITY, "%s", msg);
}

static void reader_close(struct reader *r)
{
    et__bundle_r_close(&r->br);
    unmap(&r->map);
    et_buf_release(&r->line);
    et_trail_close(r->mem);
    r->mem = NULL;
}

/* Start walking the records again from the first. */
static void reader_rewind(struct reader *r)
{
    r->pos = 0;
    r->seen = 0;
    r->last_id[0] = '\0';
    crypto_hash_sha256_init(&r->ids);
}

/*
 * Open a bundle: trailer, manifest, and the checkpoint's signature (with
 * key, or the manifest's own key when key is NULL).
 */
static int reader_open_mem(struct reader *r, const uint8_t *data, size_t size,
                           const struct et_signer *key,
                           struct et_archive_report *rep, struct et_error *err)
{
    struct et_signer own;
    struct json_object *m, *n;
    const char *note, *f, *root;
    uint8_t mroot[ET_HASH_LEN];
    int rc;

    r->rep = rep;
    reader_rewind(r);
    rc = et__bundle_r_open(&r->br, data, size, err);
    if (rc) {
        if (rep)
            snprintf(rep->problem, sizeof(rep->problem), "%s", err->msg);
        return rc;
    }
    m = r->br.manifest;
    f = et__jstr(m, "format");
    if (!f || strcmp(f, FORMAT_NAME) != 0 ||
        json_object_get_int(et__jget(m, "version")) != 1)
        return bad(r, NULL, err, "manifest: not a %s version 1", FORMAT_NAME);
    note = et__jstr(m, "checkpoint");
    if (!key) {
        const char *k = et__jstr(m, "verifier_key");

        if (!k || et_signer_parse(k, strlen(k), &own, err))
            return bad(r, NULL, err, "manifest: no usable verifier_key");
        key = &own;
    }
    if (!note)
        return bad(r, NULL, err, "manifest: no checkpoint");
    rc = et_checkpoint_verify(note, strlen(note), key, &r->cp, err);
    if (rc)
        return bad(r, NULL, err,
                   "manifest: the checkpoint does not verify "
                   "with the key: %.150s",
                   err->msg);
    root = et__jstr(m, "root_hash");
    if (!unhex(root, mroot) ||
        sodium_memcmp(mroot, r->cp.root, ET_HASH_LEN) != 0 ||
        json_object_get_int64(et__jget(m, "tree_size")) != (int64_t)r->cp.size)
        return bad(r, NULL, err,
                   "manifest: tree size or root differs from the signed "
                   "checkpoint");
    n = et__jget(m, "executions");
    if (!n || !json_object_is_type(n, json_type_int) ||
        json_object_get_int64(n) < 0 ||
        !unhex(et__jstr(m, "ids_sha256"), r->ids_hash))
        return bad(r, NULL, err, "manifest: no executions count or ids");
    r->n = (uint64_t)json_object_get_int64(n);
    if (rep) {
        rep->tree_size = r->cp.size;
        snprintf(rep->origin, sizeof(rep->origin), "%s", r->cp.origin);
        snprintf(rep->created, sizeof(rep->created), "%s",
                 et__jstr(m, "created") ? et__jstr(m, "created") : "");
    }
    return ET_OK;
}

static int reader_open(struct reader *r, const char *path,
                       const struct et_signer *key,
                       struct et_archive_report *rep, struct et_error *err)
{
    int rc;

    memset(r, 0, sizeof(*r));
    rc = map_file(path, &r->map, err);
    if (rc)
        return rc;
    return reader_open_mem(r, r->map.p, r->map.n, key, rep, err);
}

/* After the last record: the records are exactly the ones the manifest
 * counts and names (none added, removed or reordered). */
static int reader_end(struct reader *r, struct et_error *err)
{
    uint8_t h[ET_HASH_LEN];

    crypto_hash_sha256_final(&r->ids, h);
    if (r->seen != r->n)
        return bad(r, NULL, err,
                   "the bundle holds %llu records, the manifest %llu",
                   (unsigned long long)r->seen, (unsigned long long)r->n);
    if (sodium_memcmp(h, r->ids_hash, ET_HASH_LEN) != 0)
        return bad(r, NULL, err,
                   "the records are not the ones the manifest names");
    return ET_OK;
}

/* Give the pages of a frame already read back to the kernel: a bundle is
 * read once, front to back, and can be far larger than memory. */
static void drop_pages(struct reader *r, uint64_t off, uint64_t len)
{
    long pg = sysconf(_SC_PAGESIZE);
    uintptr_t a, b;

    if (!r->map.p || pg <= 0)
        return;
    a = (uintptr_t)r->map.p + off;
    b = a + len;
    a = a & ~((uintptr_t)pg - 1);
    b = b & ~((uintptr_t)pg - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_DONTNEED);
}

/* The next record: decompressed and parsed (*line_out caller-owned).
 * Returns ET_OK, 1 after the last one (checked), or an error. */
static int reader_line(struct reader *r, const char **id_out,
                       struct json_object **line_out, struct et_error *err)
{
    struct et_json_limits lim = ET_JSON_LIMITS_DEFAULT;
    struct json_object *o = NULL;
    char *id = r->cur_id;
    const char *lid, *kind;
    uint64_t off = 0, len = 0, at = r->pos;
    int rc;

    *line_out = NULL;
    *id_out = id;
    rc = et__bundle_r_next(&r->br, &r->pos, id, &off, &len, err);
    if (rc == 1)
        return reader_end(r, err) ? ET_EINTEGRITY : 1;
    if (rc) {
        id[0] = '\0';
        return r->last_id[0]
                   ? bad(r, NULL, err, "byte %llu, after execution %s: %.150s",
                         (unsigned long long)at, r->last_id, err->msg)
                   : bad(r, NULL, err, "%.200s", err->msg);
    }
    rc = et__bundle_r_frame(&r->br, off, len, &r->line, err);
    drop_pages(r, at, off + len - at);
    if (rc)
        return bad(r, id, err, "%.200s", err->msg);
    lim.max_bytes = ET_BUNDLE_MAX_FRAME;
    lim.max_string = ET_BUNDLE_MAX_FRAME;
    rc = et_json_parse(r->line.ptr, r->line.len, &lim, &o, err);
    if (rc)
        return bad(r, id, err, "line is not JSON: %.200s", err->msg);
    kind = et__jstr(o, "kind");
    lid = et__jstr(o, "execution_id");
    if (!kind || strcmp(kind, "execution") || !lid || strcmp(lid, id)) {
        json_object_put(o);
        return bad(r, id, err, "the line is not this execution's record");
    }
    crypto_hash_sha256_update(&r->ids, (const uint8_t *)id, 36);
    crypto_hash_sha256_update(&r->ids, (const uint8_t *)"\n", 1);
    r->seen++;
    snprintf(r->last_id, sizeof(r->last_id), "%s", id);
    *line_out = o;
    return ET_OK;
}

static int check_proof(struct reader *r, const char *id, struct json_object *e,
                       struct json_object **ev_out, struct et_error *err)
{
    uint8_t proof[ET_TREE_MAX_PEAK][ET_HASH_LEN], leaf[ET_HASH_LEN];
    struct json_object *seqo = et__jget(e, "seq"), *p = et__jget(e, "proof");
    struct json_object *evb = et__jget(e, "event"), *ev = NULL;
    const char *eid;
    int64_t seq, own;
    size_t np;

    *ev_out = NULL;
    if (!seqo || !json_object_is_type(seqo, json_type_int) || !p ||
        !json_object_is_type(p, json_type_array) || !evb ||
        !json_object_is_type(evb, json_type_string))
        return bad(r, id, err, "an event entry is malformed");
    seq = json_object_get_int64(seqo);
    np = json_object_array_length(p);
    if (seq < 0 || np > ET_TREE_MAX_PEAK)
        return bad(r, id, err, "event %lld: malformed proof", (long long)seq);
    for (size_t j = 0; j < np; j++)
        if (!unhex(json_object_get_string(json_object_array_get_idx(p, j)),
                   proof[j]))
            return bad(r, id, err, "event %lld: malformed proof hash",
                       (long long)seq);
    et_merkle_leaf_hash(json_object_get_string(evb),
                        (size_t)json_object_get_string_len(evb), leaf);
    if (et_merkle_inclusion_verify((uint64_t)seq, r->cp.size, leaf,
                                   ET_HASHES(proof), np, r->cp.root, NULL))
        return bad(r, id, err,
                   "event %lld: its bytes are not proven by the signed "
                   "checkpoint (altered)",
                   (long long)seq);
    if (et_json_parse(json_object_get_string(evb),
                      (size_t)json_object_get_string_len(evb), NULL, &ev, NULL))
        return bad(r, id, err, "event %lld: not JSON", (long long)seq);
    own = json_object_get_int64(et__jget(ev, "seq"));
    eid = et__jstr(ev, "execution_id");
    if (own != seq || !eid || strcmp(eid, id) != 0) {
        json_object_put(ev);
        return bad(r, id, err, "event %lld: belongs elsewhere", (long long)seq);
    }
    *ev_out = ev;
    return ET_OK;
}

/* Project the events into the in-memory trail; the record must be what
 * they make. */
static int check_record(struct reader *r, const char *id,
                        struct json_object *line, struct json_object **evs,
                        size_t n, bool keep, struct et_error *err)
{
    struct et_buf want = ET_BUF_INIT;
    char *got = NULL;
    size_t got_len = 0;
    int rc = ET_OK;

    if (!r->mem && (rc = mem_trail(&r->mem, err)))
        return rc;
    rc = et_store_begin(r->mem->st, true, err);
    for (size_t i = 0; !rc && i < n; i++) {
        const char *ts = et__jstr(evs[i], "ts");
        int64_t ts_ns = 0;

        if (ts && et_time_parse(ts, strlen(ts), false, &ts_ns))
            ts_ns = 0;
        rc = et__project(
            r->mem, (uint64_t)json_object_get_int64(et__jget(evs[i], "seq")),
            et__jstr(evs[i], "type"), id, ts_ns, et__jget(evs[i], "body"), err);
    }
    if (!rc)
        rc = et__ret_forget_flush(r->mem, err);
    if (!rc)
        rc = et_store_commit(r->mem->st, err);
    else
        et_store_rollback(r->mem->st);
    if (rc)
        return bad(r, id, err, "its events do not project: %.150s", err->msg);
    rc = et_trail_show(r->mem, id, 0, &got, &got_len, err);
    if (!rc && et_json_write(et__jget(line, "record"), 0, &want))
        rc = et_error_set(err, ET_ENOMEM, "out of memory");
    if (!rc && (want.len != got_len || memcmp(want.ptr, got, got_len)))
        rc = bad(r, id, err,
                 "the record differs from what its ledger events say "
                 "(altered)");
    else if (rc && rc != ET_EINTEGRITY)
        rc = bad(r, id, err, "no record from its events: %.150s", err->msg);
    et_trail_free_string(got);
    et_buf_release(&want);
    /* bounded memory: a fresh in-memory store every few hundred records
     * (unless they are kept for a search) */
    if (!keep && ++r->n_mem >= 512) {
        et_trail_close(r->mem);
        r->mem = NULL;
        r->n_mem = 0;
    }
    return rc;
}

typedef int line_fn(void *ctx, struct reader *r, const char *id,
                    struct json_object *line, struct json_object **evs,
                    size_t n, struct et_error *err);

/* Verify every record; fn (may be NULL) gets each verified one. */
static int verify_all(struct reader *r, bool keep, line_fn *fn, void *ctx,
                      struct et_error *err)
{
    int rc = ET_OK;

    reader_rewind(r);
    while (!rc) {
        struct json_object *line = NULL, *arr, **evs = NULL;
        const char *id = NULL;
        size_t n = 0;

        rc = reader_line(r, &id, &line, err);
        if (rc == 1)
            return ET_OK;
        if (rc)
            break;
        arr = et__jget(line, "events");
        if (!arr || !json_object_is_type(arr, json_type_array) ||
            !json_object_array_length(arr))
            rc = bad(r, id, err, "no events");
        else
            n = json_object_array_length(arr);
        if (!rc) {
            evs = et__calloc(n, sizeof(*evs));
            if (!evs)
                rc = et_error_set(err, ET_ENOMEM, "out of memory");
        }
        for (size_t j = 0; !rc && j < n; j++) {
            rc = check_proof(r, id, json_object_array_get_idx(arr, j), &evs[j],
                             err);
            if (!rc && j > 0 &&
                json_object_get_int64(et__jget(evs[j], "seq")) <=
                    json_object_get_int64(et__jget(evs[j - 1], "seq")))
                rc = bad(r, id, err, "events out of order");
        }
        if (!rc)
            rc = check_record(r, id, line, evs, n, keep, err);
        if (!rc && r->rep) {
            r->rep->executions++;
            r->rep->events += n;
        }
        if (!rc && fn)
            rc = fn(ctx, r, id, line, evs, n, err);
        for (size_t j = 0; evs && j < n; j++)
            json_object_put(evs[j]);
        et__free(evs);
        json_object_put(line);
    }
    return rc;
}

static int key_for(struct et_trail *t, const char *key_text,
                   struct et_signer *out, struct et_error *err)
{
    int rc;

    if (key_text)
        return et_signer_parse(key_text, strlen(key_text), out, err)
                   ? et_error_prefix(err, "--key")
                   : ET_OK;
    if (!t)
        return et_error_set(err, ET_EUSAGE,
                            "no key: give the trail's verifier key (--key)");
    rc = et__trail_signer(t, err);
    if (rc)
        return rc;
    *out = t->signer;
    memset(out->sk, 0, sizeof(out->sk));
    out->has_secret = 0;
    return ET_OK;
}

int et_archive_verify(struct et_trail *t, const char *path,
                      const char *key_text, struct et_archive_report *rep,
                      struct et_error *err)
{
    struct reader r;
    struct et_signer key;
    int rc;

    memset(rep, 0, sizeof(*rep));
    rc = key_for(t, key_text, &key, err);
    if (rc)
        return rc;
    rc = reader_open(&r, path, &key, rep, err);
    if (!rc)
        rc = verify_all(&r, false, NULL, NULL, err);
    reader_close(&r);
    return rc;
}

int et__archive_verify_mem(const uint8_t *data, size_t size,
                           struct et_archive_report *rep, struct et_error *err)
{
    struct reader r;
    int rc;

    memset(rep, 0, sizeof(*rep));
    memset(&r, 0, sizeof(r));
    rc = reader_open_mem(&r, data, size, NULL, rep, err);
    if (!rc)
        rc = verify_all(&r, false, NULL, NULL, err);
    reader_close(&r);
    return rc;
}

struct ids_ctx {
    char (*ids)[37];
    size_t n, cap;
};

static int collect_id(void *ctx, struct reader *r, const char *id,
                      struct json_object *line, struct json_object **evs,
                      size_t n, struct et_error *err)
{
    struct ids_ctx *ic = ctx;

    ET_UNUSED(r);
    ET_UNUSED(line);
    ET_UNUSED(evs);
    ET_UNUSED(n);
    if (ic->n == ic->cap) {
        size_t cap = ic->cap ? ic->cap * 2 : 256;
        char(*p)[37] = et__realloc(ic->ids, cap * sizeof(*p));

        if (!p)
            return et_error_set(err, ET_ENOMEM, "out of memory");
        ic->ids = p;
        ic->cap = cap;
    }
    snprintf(ic->ids[ic->n++], 37, "%s", id);
    return ET_OK;
}

int et__archive_ids(struct et_trail *t, const char *path, char (**ids_out)[37],
                    size_t *n_out, struct et_archive_report *rep,
                    struct et_error *err)
{
    struct reader r;
    struct et_signer key;
    struct ids_ctx ic = {NULL, 0, 0};
    int rc;

    *ids_out = NULL;
    *n_out = 0;
    memset(rep, 0, sizeof(*rep));
    rc = key_for(t, NULL, &key, err);
    if (!rc)
        rc = reader_open(&r, path, &key, rep, err);
    if (!rc)
        rc = verify_all(&r, false, collect_id, &ic, err);
    if (!rc) {
        *ids_out = ic.ids;
        *n_out = ic.n;
    } else {
        et__free(ic.ids);
    }
    reader_close(&r);
    return rc;
}

static void entry_of(struct json_object *rec, const char *id, size_t n,
                     struct et_buf *text, struct et_archive_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->execution_id = id;
    e->agent_name = et__jstr(et__jget(rec, "agent_metadata"), "name");
    e->verification = et__jstr(et__jget(rec, "verification"), "status");
    e->timestamp_start = et__jstr(rec, "timestamp_start");
    e->n_events = n;
    et_buf_reset(text);
    if (et_json_write(rec, 0, text) == ET_OK) {
        e->record = text->ptr;
        e->record_len = text->len;
    }
}

int et_archive_list(const char *path, et_archive_fn *fn, void *ctx,
                    struct et_error *err)
{
    struct reader r;
    struct et_buf text = ET_BUF_INIT;
    int rc = reader_open(&r, path, NULL, NULL, err);

    while (!rc) {
        struct json_object *line = NULL;
        struct et_archive_entry e;
        const char *id;

        rc = reader_line(&r, &id, &line, err);
        if (rc == 1) {
            rc = ET_OK;
            break;
        }
        if (rc)
            break;
        entry_of(et__jget(line, "record"), id,
                 json_object_array_length(et__jget(line, "events")), &text, &e);
        rc = fn(ctx, &e);
        json_object_put(line);
    }
    et_buf_release(&text);
    reader_close(&r);
    return rc;
}

struct search_ctx {
    et_archive_fn *fn;
    void *ctx;
};

static int search_hit(void *ctx, const char *json, size_t len)
{
    struct search_ctx *s = ctx;
    struct json_object *rec = NULL;
    struct et_archive_entry e;
    struct et_buf text = ET_BUF_INIT;
    const char *id;
    int rc;

    if (et_json_parse(json, len, NULL, &rec, NULL))
        return ET_EINTERNAL;
    id = et__jstr(rec, "execution_id");
    entry_of(rec, id ? id : "", 0, &text, &e);
    rc = s->fn(s->ctx, &e);
    et_buf_release(&text);
    json_object_put(rec);
    return rc;
}

int et_archive_search(const char *path, const char *query, et_archive_fn *fn,
                      void *ctx, struct et_error *err)
{
    struct reader r;
    struct et_query *q = NULL;
    struct search_ctx s = {fn, ctx};
    int rc = et_query_parse(query, strlen(query), 0, &q, err);

    if (rc)
        return rc;
    /* the records are checked against their own events as they load (the
     * signature is `archive verify`'s job, with the owner's key) */
    rc = reader_open(&r, path, NULL, NULL, err);
    if (!rc)
        rc = verify_all(&r, true, NULL, NULL, err);
    if (!rc && r.mem)
        rc = et_query_records(r.mem, q, 0, 0, search_hit, &s, err);
    reader_close(&r);
    et_query_free(q);
    return rc;
}

struct restore_ctx {
    struct et_trail *t;
    struct et_archive_restore_result *res;
    const char *path;
};

static int same_leaf(void *ctx, const struct et_event_row *row)
{
    const uint8_t *want = ctx;

    return sodium_memcmp(row->leaf, want, ET_HASH_LEN) == 0 ? 1 : 2;
}

static int restore_one(void *ctx, struct reader *r, const char *id,
                       struct json_object *line, struct json_object **evs,
                       size_t n, struct et_error *err)
{
    struct restore_ctx *rc_ = ctx;
    struct et_trail *t = rc_->t;
    struct et_exec_row row;
    struct json_object *body = NULL, *seqs;
    const char *slash = strrchr(rc_->path, '/');
    char got[37];
    int rc;

    ET_UNUSED(r);
    ET_UNUSED(evs);
    rc = et__ingest_begin(t, err);
    if (rc)
        return rc;
    rc = et_store_exec_get(t->st, id, &row, NULL);
    if (rc == ET_OK) {
        rc_->res->present++;
        et__unit_abort(t);
        return ET_OK;
    }
    body = et__jnew_object();
    seqs = et__jnew_array();
    et__jadd(body, "archive", et__jnew_string(slash ? slash + 1 : rc_->path));
    et__jadd(body, "seqs", seqs);
    rc = ET_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        struct json_object *e =
            json_object_array_get_idx(et__jget(line, "events"), i);
        struct json_object *bytes = et__jget(e, "event");
        uint64_t seq = (uint64_t)json_object_get_int64(et__jget(e, "seq"));
        uint8_t leaf[ET_HASH_LEN];
        bool changed = false;
        int m;

        et_merkle_leaf_hash(json_object_get_string(bytes),
                            (size_t)json_object_get_string_len(bytes), leaf);
        m = et_store_read_range(t->st, seq, seq + 1, same_leaf, leaf, err);
        if (m != 1) {
            rc = m == 2 || m == 0
                     ? et_error_set(err, ET_ESTATE,
                                    "execution %s: event %llu of the bundle "
                                    "is not in this trail (the bundle comes "
                                    "from another trail)",
                                    id, (unsigned long long)seq)
                     : m;
            break;
        }
        rc = et_store_payload_set(t->st, seq, json_object_get_string(bytes),
                                  (size_t)json_object_get_string_len(bytes),
                                  &changed, err);
        if (!rc && changed) {
            et__jappend(seqs, et__jnew_int64((int64_t)seq));
            rc_->res->events++;
        }
    }
    if (!rc)
        rc = et__ingest_event(t, "retention.restored", id, body, NULL, err);
    if (!rc)
        rc = et_store_exec_resolve(t->st, id, got, err);
    if (!rc)
        rc = et__unit_commit(t, err);
    else
        et__unit_abort(t);
    json_object_put(body);
    if (!rc)
        rc_->res->restored++;
    return rc;
}

int et_archive_restore(struct et_trail *t, const char *path,
                       const char *key_text,
                       struct et_archive_restore_result *out,
                       struct et_error *err)
{
    struct et_archive_report rep;
    struct restore_ctx ctx = {t, out, path};
    struct et_signer key;
    struct reader r;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&rep, 0, sizeof(rep));
    rc = key_for(t, key_text, &key, err);
    if (rc)
        return rc;
    /* all or nothing: the whole bundle verifies before anything is put
     * back */
    rc = reader_open(&r, path, &key, &rep, err);
    if (rc == ET_EINTEGRITY && !key_text) {
        /* signed by another key: another trail's bundle is a conflict
         * (exit 7, docs/CLI.md), not damage */
        struct reader r2;
        struct et_archive_report rep2;
        struct et_error e2 = ET_ERROR_INIT;
        const char *k = NULL;

        memset(&rep2, 0, sizeof(rep2));
        if (reader_open(&r2, path, NULL, &rep2, &e2) == ET_OK)
            k = et__jstr(r2.br.manifest, "verifier_key");
        if (k && et__trail_signer(t, NULL) == ET_OK &&
            strcmp(k, t->verifier) != 0)
            rc = et_error_set(err, ET_ESTATE,
                              "the bundle comes from another trail (signed "
                              "by %.70s; this trail's key is %.70s)",
                              k, t->verifier);
        reader_close(&r2);
    }
    if (!rc)
        rc = verify_all(&r, false, NULL, NULL, err);
    et_trail_close(r.mem);
    r.mem = NULL;
    r.n_mem = 0;
    if (!rc)
        rc = verify_all(&r, false, restore_one, &ctx, err);
    reader_close(&r);
    return rc;
}
