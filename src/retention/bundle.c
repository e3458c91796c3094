/* SPDX-License-Identifier: MIT */
/*
 * Bundle frames: writing JSON lines as zstd frames (with content size and
 * checksum), the trailer, and reading them back with every bound checked.
 */
#include "base/setup.h"
#include "base/alloc.h"
#include "codec/json.h"
#include "retention/bundle.h"

#include <unistd.h>
#include <zstd.h>

#define SKIPPABLE_MAGIC UINT32_C(0x184D2A5E)
#define RECORD_MAGIC    UINT32_C(0x184D2A51)
static const char record_tag[6] = {'E', 'T', 'R', 'E', 'C', '1'};
static const char trailer_tag[8] = {'E', 'T', 'A', 'R', 'C', 'H', 'V', '1'};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

int et__bundle_w_open(struct et_bundle_w *w, const char *path,
                      struct et_error *err)
{
    memset(w, 0, sizeof(*w));
    w->f = fopen(path, "wbx");
    if (!w->f)
        return et_error_sys(err, ET_EIO, errno, "cannot create %s", path);
    w->cctx = ZSTD_createCCtx();
    if (!w->cctx) {
        fclose(w->f);
        w->f = NULL;
        return et_error_set(err, ET_ENOMEM, "out of memory");
    }
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 3);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
    ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
    return ET_OK;
}

void et__bundle_w_abort(struct et_bundle_w *w)
{
    if (w->f)
        fclose(w->f);
    w->f = NULL;
    ZSTD_freeCCtx(w->cctx);
    w->cctx = NULL;
    et_buf_release(&w->z);
}

static int write_all(struct et_bundle_w *w, const void *p, size_t n,
                     struct et_error *err)
{
    if (fwrite(p, 1, n, w->f) != n)
        return et_error_sys(err, ET_EIO, errno, "cannot write the bundle");
    w->off += n;
    return ET_OK;
}

/* Compress text plus a newline into one zstd frame at w->z.ptr[len + 1]
 * (the line itself first), its size into *n_out. */
static int compress_line(struct et_bundle_w *w, const char *text, size_t len,
                         size_t *n_out, struct et_error *err)
{
    size_t bound = ZSTD_compressBound(len + 1), n;
    int rc;

    if (len + 1 > ET_BUNDLE_MAX_FRAME)
        return et_error_set(err, ET_ETOOBIG,
                            "record of %zu bytes is too large for a bundle",
                            len);
    et_buf_reset(&w->z);
    rc = et_buf_grow(&w->z, bound + len + 1);
    if (rc)
        return et_error_set(err, rc, "out of memory");
    memcpy(w->z.ptr, text, len);
    w->z.ptr[len] = '\n';
    n = ZSTD_compress2(w->cctx, w->z.ptr + len + 1, bound, w->z.ptr, len + 1);
    if (ZSTD_isError(n))
        return et_error_set(err, ET_EINTERNAL, "zstd: %s",
                            ZSTD_getErrorName(n));
    *n_out = n;
    return ET_OK;
}

int et__bundle_w_line(struct et_bundle_w *w, const char *text, size_t len,
                      uint64_t *off_out, uint64_t *len_out,
                      struct et_error *err)
{
    uint64_t off = w->off;
    size_t n;
    int rc = compress_line(w, text, len, &n, err);

    if (!rc)
        rc = write_all(w, w->z.ptr + len + 1, n, err);
    if (rc)
        return rc;
    if (off_out)
        *off_out = off;
    if (len_out)
        *len_out = n;
    return ET_OK;
}

int et__bundle_w_record(struct et_bundle_w *w, const char *id, const char *text,
                        size_t len, struct et_error *err)
{
    uint8_t h[ET_BUNDLE_REC_HDR_LEN];
    size_t n;
    int rc;

    if (strlen(id) != 36)
        return et_error_set(err, ET_EINVAL, "bad execution id");
    rc = compress_line(w, text, len, &n, err);
    if (rc)
        return rc;
    put_le(h, RECORD_MAGIC, 4);
    put_le(h + 4, ET_BUNDLE_REC_HDR_LEN - 8, 4);
    memcpy(h + 8, record_tag, 6);
    put_le(h + 14, n, 8);
    memcpy(h + 22, id, 36);
    rc = write_all(w, h, sizeof(h), err);
    return rc ? rc : write_all(w, w->z.ptr + len + 1, n, err);
}

int et__bundle_r_next(struct et_bundle_r *r, uint64_t *pos, char id_out[37],
                      uint64_t *off_out, uint64_t *len_out,
                      struct et_error *err)
{
    const uint8_t *h;
    uint64_t len;

    if (*pos == r->manifest_off)
        return 1;
    if (*pos > r->manifest_off ||
        r->manifest_off - *pos < ET_BUNDLE_REC_HDR_LEN)
        return et_error_set(err, ET_EINTEGRITY,
                            "byte %llu: records overrun the manifest",
                            (unsigned long long)*pos);
    h = r->data + *pos;
    if (get_le(h, 4) != RECORD_MAGIC ||
        get_le(h + 4, 4) != ET_BUNDLE_REC_HDR_LEN - 8 ||
        memcmp(h + 8, record_tag, 6) != 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "byte %llu: record header damaged",
                            (unsigned long long)*pos);
    len = get_le(h + 14, 8);
    if (len == 0 || len > r->manifest_off - *pos - ET_BUNDLE_REC_HDR_LEN)
        return et_error_set(err, ET_EINTEGRITY,
                            "byte %llu: record header gives a bad length",
                            (unsigned long long)*pos);
    memcpy(id_out, h + 22, 36);
    id_out[36] = '\0';
    *off_out = *pos + ET_BUNDLE_REC_HDR_LEN;
    *len_out = len;
    *pos = *off_out + len;
    return ET_OK;
}

int et__bundle_w_finish(struct et_bundle_w *w, const char *manifest, size_t len,
                        struct et_error *err)
{
    uint8_t tr[ET_BUNDLE_TRAILER_LEN];
    uint64_t moff = 0;
    int rc = et__bundle_w_line(w, manifest, len, &moff, NULL, err);

    if (rc)
        return rc;
    put_le(tr, SKIPPABLE_MAGIC, 4);
    put_le(tr + 4, 16, 4);
    memcpy(tr + 8, trailer_tag, 8);
    put_le(tr + 16, moff, 8);
    rc = write_all(w, tr, sizeof(tr), err);
    if (rc)
        return rc;
    if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0)
        return et_error_sys(err, ET_EIO, errno, "cannot sync the bundle");
    if (fclose(w->f) != 0) {
        w->f = NULL;
        return et_error_sys(err, ET_EIO, errno, "cannot close the bundle");
    }
    w->f = NULL;
    et__bundle_w_abort(w);
    return ET_OK;
}

int et__bundle_r_frame(struct et_bundle_r *r, uint64_t off, uint64_t len,
                       struct et_buf *out, struct et_error *err)
{
    const uint8_t *p;
    unsigned long long csize;
    size_t n, fsize;
    int rc;

    et_buf_reset(out);
    if (off > r->size || len > r->size - off || len == 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "frame at byte %llu (%llu bytes) is outside the "
                            "file",
                            (unsigned long long)off, (unsigned long long)len);
    p = r->data + off;
    fsize = ZSTD_findFrameCompressedSize(p, (size_t)len);
    if (ZSTD_isError(fsize) || fsize != len)
        return et_error_set(err, ET_EINTEGRITY,
                            "byte %llu: not one zstd frame of %llu bytes",
                            (unsigned long long)off, (unsigned long long)len);
    csize = ZSTD_getFrameContentSize(p, (size_t)len);
    if (csize == ZSTD_CONTENTSIZE_ERROR || csize == ZSTD_CONTENTSIZE_UNKNOWN ||
        csize > ET_BUNDLE_MAX_FRAME || csize == 0)
        return et_error_set(err, ET_EINTEGRITY,
                            "byte %llu: frame has no valid content size",
                            (unsigned long long)off);
    rc = et_buf_grow(out, (size_t)csize + 1);
    if (rc)
        return et_error_set(err, rc, "out of memory");
    n = ZSTD_decompressDCtx(r->dctx, out->ptr, (size_t)csize, p, (size_t)len);
    if (ZSTD_isError(n) || n != csize)
        return et_error_set(
            err, ET_EINTEGRITY, "byte %llu: compressed data damaged (%s)",
            (unsigned long long)off,
            ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size differs");
    if (out->ptr[n - 1] != '\n')
        return et_error_set(err, ET_EINTEGRITY,
                            "byte %llu: frame is not one JSON line",
                            (unsigned long long)off);
    out->len = n - 1;
    out->ptr[n - 1] = '\0';
    return ET_OK;
}

int et__bundle_r_open(struct et_bundle_r *r, const uint8_t *data, size_t size,
                      struct et_error *err)
{
    const uint8_t *tr;
    struct et_buf line = ET_BUF_INIT;
    const char *k;
    int rc;

    memset(r, 0, sizeof(*r));
    r->data = data;
    r->size = size;
    if (size < ET_BUNDLE_TRAILER_LEN)
        return et_error_set(err, ET_EINPUT,
                            "not an exectrail archive bundle (%zu bytes)",
                            size);
    tr = data + size - ET_BUNDLE_TRAILER_LEN;
    if (get_le(tr, 4) != SKIPPABLE_MAGIC || get_le(tr + 4, 4) != 16 ||
        memcmp(tr + 8, trailer_tag, 8) != 0)
        return et_error_set(err, ET_EINPUT,
                            "not an exectrail archive bundle (no trailer in "
                            "the last %d bytes)",
                            ET_BUNDLE_TRAILER_LEN);
    r->manifest_off = get_le(tr + 16, 8);
    if (r->manifest_off >= size - ET_BUNDLE_TRAILER_LEN)
        return et_error_set(err, ET_EINTEGRITY,
                            "bundle trailer damaged: manifest offset %llu",
                            (unsigned long long)r->manifest_off);
    r->dctx = ZSTD_createDCtx();
    if (!r->dctx)
        return et_error_set(err, ET_ENOMEM, "out of memory");
    rc = et__bundle_r_frame(r, r->manifest_off,
                            size - ET_BUNDLE_TRAILER_LEN - r->manifest_off,
                            &line, err);
    if (!rc) {
        struct et_json_limits lim = ET_JSON_LIMITS_DEFAULT;

        lim.max_bytes = ET_BUNDLE_MAX_FRAME;
        lim.max_members = (size_t)64 << 20;
        rc = et_json_parse(line.ptr, line.len, &lim, &r->manifest, err);
    }
    if (rc) {
        et_buf_release(&line);
        et__bundle_r_close(r);
        return et_error_prefix(err, "manifest damaged");
    }
    et_buf_release(&line);
    k = json_object_get_string(json_object_object_get(r->manifest, "kind"));
    if (!json_object_is_type(r->manifest, json_type_object) || !k ||
        strcmp(k, "manifest") != 0) {
        et__bundle_r_close(r);
        return et_error_set(err, ET_EINTEGRITY,
                            "manifest damaged: its kind is not manifest");
    }
    return ET_OK;
}

void et__bundle_r_close(struct et_bundle_r *r)
{
    json_object_put(r->manifest);
    r->manifest = NULL;
    ZSTD_freeDCtx(r->dctx);
    r->dctx = NULL;
}
