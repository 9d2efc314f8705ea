/* SPDX-License-Identifier: MIT */
/* arrays.c -- arrays benchmark (issue 6): the IMGArrays reference data sets
 * packed into images (PNG, lossless WebP, .dir) in classic and
 * self-describing modes, against gzip -9 and xz -9 of their JSON text and
 * against the reference library's own images.
 *
 * Usage: dir-bench-arrays SHARED_DIR [--markdown FILE] [--summary FILE]
 *   SHARED_DIR is ../shared (the data is read in place, never copied).
 *
 * Pack = dira_encode + the image encoder (or compressing the JSON text);
 * unpack = the image decoder + dira_decode (or decompressing and parsing the
 * JSON with strtod).  Times are CPU time of the thread (bench_time_ns).
 * Each is the median of up to 3 runs (at least one pack
 * and three unpacks).  Every unpack is compared, double for double (bit
 * patterns), with the JSON's numbers as strtod reads them. */
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <webp/decode.h>
#include <webp/encode.h>
#include <zlib.h>

#include "bench.h"

#define PACK_RUNS   3
#define UNPACK_RUNS 5
#define BUDGET_NS   2000000000u

typedef struct dataset {
    const char *name; /* directory under imgarrays-reference, or "large" */
    int ref_capacity; /* the reference images' configuration (MANIFEST.tsv) */
    int ref_ldeczeroes;
    const char *refs[3]; /* the reference library's images */
} dataset;

static const dataset datasets[] = {
    {"small", 1, 1, {"small/node.png", "small/browser.webp", NULL}},
    {"capacity",
     0,
     1,
     {"capacity/capacity-0.png", "capacity/capacity-1.png", "capacity/capacity-2.png"}},
    {"ldeczeroes", 0, 0, {"ldeczeroes/capacity-0-n.webp", NULL, NULL}},
    /* --large FILE: the 318,010 weights of a 784-400-10 network
     * (samples/weights-gen --hidden 400); the reference has no set of that
     * size, and it has no images of its own for it */
    {"large", 1, 1, {NULL, NULL, NULL}},
};

/* ---- numbers <-> pixel bytes, beside the reference under node ------------ */

#define SPEED_RUNS 7

static uint64_t count_exact(const double *a, size_t na, const double *b, size_t nb);

typedef struct speed_row {
    char mode[64];
    uint64_t enc_ns, dec_ns;       /* ours: dira_encode, dira_decode (medians) */
    double ref_enc_ms, ref_dec_ms; /* the reference; < 0: not run */
    double ref_full_ms;            /* its decode with building the hex string */
    uint64_t bytes;                /* pixel bytes (data channels) */
    char note[256];
} speed_row;

/* Times dira_encode and dira_decode alone (no image codec), CPU time of the
 * thread (node's side: of its single-threaded process), median of
 * SPEED_RUNS; checks the values come back. */
static int time_dira(speed_row *r, const double *vals, size_t n, const dira_options *opt)
{
    uint64_t te[SPEED_RUNS], td[SPEED_RUNS];
    for (unsigned k = 0; k < SPEED_RUNS; k++) {
        uint8_t *px = NULL;
        uint32_t w, h;
        unsigned ch;
        dira_info info;
        dir_diag diag;
        uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
        dir_error e = dira_encode(vals, n, opt, &px, &w, &h, &ch, &info, &diag);
        te[k] = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        if (e != DIR_OK) {
            snprintf(r->note, sizeof r->note, "dira_encode: %s", diag.message);
            return -1;
        }
        dira_options dopt = *opt;
        dopt.capacity = info.capacity;
        dopt.ldeczeroes = info.ldeczeroes;
        double *back = NULL;
        size_t got = 0;
        t0 = bench_time_ns(BENCH_CLOCK_CPU);
        e = dira_decode(px, w, h, ch, 0, &dopt, &back, &got, NULL, &diag);
        td[k] = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        dir_free(px);
        if (e != DIR_OK || got != n) {
            snprintf(r->note, sizeof r->note, "dira_decode: %s", diag.message);
            dir_free(back);
            return -1;
        }
        if (k == 0) {
            uint64_t same = count_exact(back, got, vals, n);
            r->bytes = (uint64_t)w * h * ch;
            if (info.encoding == DIRA_ENCODING_BINARY)
                snprintf(r->note, sizeof r->note, "binary; %llu of %zu back exact",
                         (unsigned long long)same, n);
            else
                snprintf(r->note, sizeof r->note,
                         "digits, capacity %d, ldeczeroes %s; %llu of %zu back exact",
                         info.capacity, info.ldeczeroes ? "on" : "off", (unsigned long long)same,
                         n);
        }
        dir_free(back);
    }
    r->enc_ns = bench_median(te, SPEED_RUNS);
    r->dec_ns = bench_median(td, SPEED_RUNS);
    return 0;
}

/* Runs tests/bench/arrays-ref.js under node on the same data. */
static void time_reference(speed_row *r, const char *script, const char *index_js,
                           const char *data_json, int capacity, int ldz)
{
    r->ref_enc_ms = r->ref_dec_ms = -1;
    if (!script) return;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "node --single-threaded '%.2000s' '%.2000s' '%.2000s' %d %d %d",
             script, index_js, data_json, capacity, ldz, 5);
    FILE *p = popen(cmd, "r");
    if (!p) return;
    double e, d, full;
    unsigned long long cnt, bytes;
    if (fscanf(p, "%lf %lf %llu %llu %lf", &e, &d, &cnt, &bytes, &full) == 5) {
        r->ref_enc_ms = e;
        r->ref_dec_ms = d;
        r->ref_full_ms = full;
    }
    if (pclose(p) != 0) r->ref_enc_ms = r->ref_dec_ms = -1;
}

static void print_speed(FILE *f, const char *set, size_t n, const speed_row *rows, size_t nr)
{
    for (size_t i = 0; i < nr; i++) {
        const speed_row *r = &rows[i];
        double ours = (double)(r->enc_ns + r->dec_ns) / 1e6;
        fprintf(f, "| %s (%zu) | %s | %.2f | %.2f | ", set, n, r->mode, (double)r->enc_ns / 1e6,
                (double)r->dec_ns / 1e6);
        if (r->ref_enc_ms >= 0)
            fprintf(f, "%.1f | %.1f | **%.0f** | %.1f | %.0f | ", r->ref_enc_ms, r->ref_dec_ms,
                    (r->ref_enc_ms + r->ref_dec_ms) / ours, r->ref_full_ms,
                    (r->ref_enc_ms + r->ref_full_ms) / ours);
        else
            fprintf(f, "- | - | - | - | - | ");
        fprintf(f, "%s |\n", r->note);
    }
}

/* The capacity of each reference image (for the capacity data set they
 * differ; the others use the data set's). */
static int ref_capacity_of(const dataset *d, const char *ref)
{
    const char *p = strstr(ref, "capacity-");
    if (strcmp(d->name, "capacity") == 0 && p && p[9] >= '0' && p[9] <= '2') return p[9] - '0';
    return d->ref_capacity;
}

/* Parses a JSON array of numbers with strtod (C locale).  Returns the count,
 * or (size_t)-1 for malformed text.  *out is malloc()ed. */
static size_t parse_json_numbers(const char *text, size_t len, double **out)
{
    size_t cap = len / 2 + 1, n = 0;
    double *v = malloc(cap * sizeof *v);
    const char *p = text, *end = text + len;
    if (!v) return (size_t)-1;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    if (p >= end || *p++ != '[') goto bad;
    for (;;) {
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        if (p < end && *p == ']' && n == 0) {
            p++;
            break;
        }
        char *q;
        double x = strtod(p, &q);
        if (q == p || q > end) goto bad;
        if (n == cap) goto bad; /* cannot happen: every number takes >= 2 chars with its comma */
        v[n++] = x;
        p = q;
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == ']') {
            p++;
            break;
        }
        goto bad;
    }
    *out = v;
    return n;
bad:
    free(v);
    return (size_t)-1;
}

/* Values equal bit for bit (so -0 and 0 differ, as they should). */
static uint64_t count_exact(const double *a, size_t na, const double *b, size_t nb)
{
    uint64_t same = 0;
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++)
        same += memcmp(&a[i], &b[i], sizeof(double)) == 0;
    return same;
}

/* ---- one row of the table ------------------------------------------------- */

typedef struct row {
    char label[96];
    size_t bytes;
    uint64_t pack_ns; /* 0: not measured */
    uint64_t unpack_ns;
    uint64_t exact;    /* values read back bit-exact */
    uint64_t returned; /* values read back */
    char note[640];
} row;

enum img_fmt { FMT_PNG, FMT_WEBP, FMT_DIR_DEFAULT, FMT_DIR_SMALLEST };

/* One row of the README's size table (--readme): the self-describing
 * default in .dir default against gzip -9 and xz -9 of the same input. */
typedef struct readme_size {
    char data[160];
    uint64_t raw; /* bytes of the values in their dtype */
    size_t gzip, xz, dir;
    const char *of; /* what gzip and xz compressed: "JSON" or "raw" */
} readme_size;

static const char *const fmt_names[] = {"PNG (libpng default)", "WebP lossless -z 9",
                                        ".dir default", ".dir smallest"};

/* Encodes with the image benchmark's codec of the same name (codecs.c):
 * libpng at its default level, WebP -z 9, or .dir whole files from
 * dir_encode with the default or smallest preset (version 2). */
static int encode_image(enum img_fmt fmt, const uint8_t *px, uint32_t w, uint32_t h, unsigned ch,
                        bench_buf *out, char *err, size_t errlen)
{
    static const char *const ids[] = {"png-default", "webp-z9", "dir-default", "dir-smallest"};
    bench_image img;
    memset(&img, 0, sizeof img);
    img.width = w;
    img.height = h;
    img.channels = ch;
    img.pixels = (uint8_t *)px;
    img.size = (size_t)w * h * ch;
    bench_codec codecs[BENCH_MAX_CODECS];
    size_t n = bench_codecs(codecs, BENCH_MAX_CODECS, NULL, NULL, NULL);
    for (size_t k = 0; k < n; k++)
        if (strcmp(codecs[k].id, ids[fmt]) == 0)
            return codecs[k].encode(&codecs[k], &img, out, err, errlen);
    snprintf(err, errlen, "no codec %s", ids[fmt]);
    return -1;
}

/* Decodes an image file of any of the formats to 8-bit pixels. */
static int decode_image(const uint8_t *data, size_t size, uint8_t **px, void (**release)(void *),
                        uint32_t *w, uint32_t *h, unsigned *ch, char *err, size_t errlen)
{
    *release = free;
    if (size >= 8 && memcmp(data, "\x89PNG", 4) == 0) {
        bench_image img;
        memset(&img, 0, sizeof img);
        if (bench_png_load(data, size, &img, err, errlen) != 0) return -1;
        *px = img.pixels;
        *w = img.width;
        *h = img.height;
        *ch = img.channels;
        return 0;
    }
    if (size >= 12 && memcmp(data, "RIFF", 4) == 0) {
        WebPBitstreamFeatures f;
        if (WebPGetFeatures(data, size, &f) != VP8_STATUS_OK) {
            snprintf(err, errlen, "webp: bad header");
            return -1;
        }
        int iw, ih;
        uint8_t *p = f.has_alpha ? WebPDecodeRGBA(data, size, &iw, &ih)
                                 : WebPDecodeRGB(data, size, &iw, &ih);
        if (!p) {
            snprintf(err, errlen, "webp: decode failed");
            return -1;
        }
        unsigned c = f.has_alpha ? 4 : 3;
        size_t n = (size_t)iw * (size_t)ih * c;
        *px = malloc(n);
        if (!*px) {
            WebPFree(p);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        memcpy(*px, p, n);
        WebPFree(p);
        *w = (uint32_t)iw;
        *h = (uint32_t)ih;
        *ch = c;
        return 0;
    }
    dir_info info;
    dir_diag diag;
    void *p = NULL;
    dir_error e = dir_decode_alloc(data, size, NULL, &p, &info, NULL, &diag);
    if (e != DIR_OK) {
        snprintf(err, errlen, "dir_decode: %s", diag.message);
        return -1;
    }
    *px = p;
    *release = dir_free;
    *w = info.width;
    *h = info.height;
    *ch = info.channels;
    return 0;
}

/* Decodes an image and reads the values out of it. */
static int unpack_image(const bench_buf *file, const dira_options *opt, double **values,
                        size_t *count, char *err, size_t errlen)
{
    uint8_t *px = NULL;
    void (*release)(void *) = free;
    uint32_t w, h;
    unsigned ch;
    if (decode_image(file->data, file->size, &px, &release, &w, &h, &ch, err, errlen) != 0)
        return -1;
    dir_diag diag;
    dir_error e = dira_decode(px, w, h, ch, 0, opt, values, count, NULL, &diag);
    release(px);
    if (e != DIR_OK) {
        snprintf(err, errlen, "dira_decode: %s: %s", dir_strerror(e), diag.message);
        return -1;
    }
    return 0;
}

static void measure_unpack(row *r, const bench_buf *file, const dira_options *opt,
                           const double *ref, size_t nref)
{
    uint64_t t[UNPACK_RUNS];
    unsigned n = 0;
    uint64_t spent = 0;
    char err[512];
    while (n < UNPACK_RUNS && (n < 3 || spent < BUDGET_NS)) {
        double *v = NULL;
        size_t cnt = 0;
        uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
        int rc = unpack_image(file, opt, &v, &cnt, err, sizeof err);
        t[n] = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        spent += t[n++];
        if (rc != 0) {
            snprintf(r->note, sizeof r->note, "unpack failed: %s", err);
            return;
        }
        r->returned = cnt;
        r->exact = count_exact(v, cnt, ref, nref);
        dir_free(v);
    }
    r->unpack_ns = bench_median(t, n);
}

/* Packs values with dira (mode) and the image format; fills a row.  Both
 * modes let dira_encode choose the configuration (DIRA_CAPACITY_AUTO: the
 * shortest stream); classic also allows the values the reference's encoding
 * cannot hold exactly, and counts them. */
static void pack_row(row *r, const double *vals, size_t n, int classic, enum img_fmt fmt)
{
    dira_options opt;
    dira_options_default(&opt);
    opt.classic = classic;
    if (classic) opt.allow_inexact = 1;
    memset(r, 0, sizeof *r);
    snprintf(r->label, sizeof r->label, "%s, %s", fmt_names[fmt],
             classic ? "classic" : "self-describing");
    uint64_t t[PACK_RUNS];
    unsigned runs = 0;
    uint64_t spent = 0;
    bench_buf file = {0};
    dira_info info;
    char err[512];
    while (runs < PACK_RUNS && (runs < 1 || spent < BUDGET_NS)) {
        bench_buf_free(&file);
        uint8_t *px = NULL;
        uint32_t w, h;
        unsigned ch;
        dir_diag diag;
        uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
        dir_error e = dira_encode(vals, n, &opt, &px, &w, &h, &ch, &info, &diag);
        if (e != DIR_OK) {
            snprintf(r->note, sizeof r->note, "dira_encode: %s: %s", dir_strerror(e), diag.message);
            return;
        }
        int rc = encode_image(fmt, px, w, h, ch, &file, err, sizeof err);
        t[runs] = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        spent += t[runs++];
        dir_free(px);
        if (rc != 0) {
            snprintf(r->note, sizeof r->note, "%s", err);
            return;
        }
    }
    r->pack_ns = bench_median(t, runs);
    r->bytes = file.size;
    if (classic) {
        snprintf(r->note, sizeof r->note,
                 "chose capacity %d, ldeczeroes %s; %llu value(s) inexact by design", info.capacity,
                 info.ldeczeroes ? "yes" : "no", (unsigned long long)info.inexact);
    } else {
        if (info.encoding == DIRA_ENCODING_BINARY)
            snprintf(r->note, sizeof r->note, "chose binary (%llu payload bytes)",
                     (unsigned long long)info.payload_bytes);
        else
            snprintf(r->note, sizeof r->note,
                     "chose digits, capacity %d, ldeczeroes %s; %llu escaped", info.capacity,
                     info.ldeczeroes ? "yes" : "no", (unsigned long long)info.escaped);
    }
    /* Classic images are read back with the configuration they were written with. */
    opt.capacity = info.capacity;
    opt.ldeczeroes = info.ldeczeroes;
    measure_unpack(r, &file, &opt, vals, n);
    bench_buf_free(&file);
}

/* gzip -9 / xz -9 of the JSON text; unpack = decompress + parse. */
static void text_row(row *r, const char *label, const uint8_t *json, size_t len, int xz,
                     const double *ref, size_t nref)
{
    memset(r, 0, sizeof *r);
    snprintf(r->label, sizeof r->label, "%s", label);
    size_t cap = xz ? lzma_stream_buffer_bound(len) : compressBound((uLong)len) + 32;
    uint8_t *out = malloc(cap), *back = malloc(len + 1);
    size_t out_size = 0;
    if (!out || !back) {
        snprintf(r->note, sizeof r->note, "out of memory");
        goto done;
    }
    uint64_t t[UNPACK_RUNS];
    unsigned runs = 0;
    uint64_t spent = 0;
    while (runs < PACK_RUNS && (runs < 1 || spent < BUDGET_NS)) {
        uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
        if (xz) {
            out_size = 0;
            if (lzma_easy_buffer_encode(9, LZMA_CHECK_CRC64, NULL, json, len, out, &out_size,
                                        cap) != LZMA_OK) {
                snprintf(r->note, sizeof r->note, "xz failed");
                goto done;
            }
        } else {
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) goto done;
            zs.next_in = (uint8_t *)json;
            zs.avail_in = (uInt)len;
            zs.next_out = out;
            zs.avail_out = (uInt)cap;
            int zr = deflate(&zs, Z_FINISH);
            out_size = zs.total_out;
            deflateEnd(&zs);
            if (zr != Z_STREAM_END) {
                snprintf(r->note, sizeof r->note, "deflate failed");
                goto done;
            }
        }
        t[runs] = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        spent += t[runs++];
    }
    r->pack_ns = bench_median(t, runs);
    r->bytes = out_size;
    runs = 0;
    spent = 0;
    while (runs < UNPACK_RUNS && (runs < 3 || spent < BUDGET_NS)) {
        size_t got = 0;
        uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
        if (xz) {
            uint64_t memlimit = UINT64_MAX;
            size_t in_pos = 0;
            if (lzma_stream_buffer_decode(&memlimit, 0, NULL, out, &in_pos, out_size, back, &got,
                                          len) != LZMA_OK) {
                snprintf(r->note, sizeof r->note, "unxz failed");
                goto done;
            }
        } else {
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            if (inflateInit2(&zs, 15 + 16) != Z_OK) goto done;
            zs.next_in = out;
            zs.avail_in = (uInt)out_size;
            zs.next_out = back;
            zs.avail_out = (uInt)len;
            int zr = inflate(&zs, Z_FINISH);
            got = zs.total_out;
            inflateEnd(&zs);
            if (zr != Z_STREAM_END) {
                snprintf(r->note, sizeof r->note, "inflate failed");
                goto done;
            }
        }
        back[got] = 0;
        double *v = NULL;
        /* raw tensor bytes (ref NULL): decompressing is the whole unpack */
        size_t n = ref ? parse_json_numbers((const char *)back, got, &v) : 0;
        t[runs] = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        spent += t[runs++];
        if (!ref) {
            if (got != len || memcmp(back, json, len) != 0) {
                snprintf(r->note, sizeof r->note, "decompressed bytes differ");
                goto done;
            }
            continue;
        }
        if (n == (size_t)-1) {
            snprintf(r->note, sizeof r->note, "JSON parse failed after decompression");
            goto done;
        }
        r->returned = n;
        r->exact = count_exact(v, n, ref, nref);
        free(v);
    }
    r->unpack_ns = bench_median(t, runs);
    snprintf(r->note, sizeof r->note, "unpack includes parsing the numbers (strtod)");
done:
    free(out);
    free(back);
}

/* Sizes of one tensor in its own dtype: raw little-endian bytes, gzip -9
 * and xz -9 of them (text_row on the raw bytes: pack = compress), and the
 * self-describing default (dira_encode_tensors, encoding auto) in each image
 * format; pack and unpack times as the other rows. */
static void tensor_table(FILE *f, const char *label, const dira_tensor *t, readme_size *rs)
{
    uint64_t n = dira_tensor_elements(t);
    size_t raw = (size_t)(n * dira_dtype_size(t->dtype));
    row r[8];
    memset(r, 0, sizeof r);
    snprintf(r[0].label, sizeof r[0].label, "raw %s bytes", dira_dtype_name(t->dtype));
    r[0].bytes = raw;
    /* the text rows compare doubles: give them nothing to compare */
    text_row(&r[1], "gzip -9 of the raw bytes", t->data, raw, 0, NULL, 0);
    text_row(&r[2], "xz -9 of the raw bytes", t->data, raw, 1, NULL, 0);
    for (int fmt = 0; fmt < 4; fmt++) {
        row *q = &r[3 + fmt];
        snprintf(q->label, sizeof q->label, "%s, self-describing default", fmt_names[fmt]);
        dira_options opt;
        dira_options_default(&opt);
        uint8_t *px = NULL;
        uint32_t w, h;
        unsigned ch;
        dira_info info;
        dir_diag diag;
        uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
        if (dira_encode_tensors(t, 1, NULL, 0, &opt, &px, &w, &h, &ch, &info, &diag) != DIR_OK) {
            snprintf(q->note, sizeof q->note, "%s", diag.message);
            continue;
        }
        bench_buf file = {0};
        char err[256];
        int rc = encode_image((enum img_fmt)fmt, px, w, h, ch, &file, err, sizeof err);
        q->pack_ns = bench_time_ns(BENCH_CLOCK_CPU) - t0;
        dir_free(px);
        if (rc) {
            snprintf(q->note, sizeof q->note, "%s", err);
            continue;
        }
        q->bytes = file.size;
        /* unpack: the image decoder, then the tensors, compared byte for byte */
        uint8_t *dp = NULL;
        void (*release)(void *) = free;
        t0 = bench_time_ns(BENCH_CLOCK_CPU);
        if (decode_image(file.data, file.size, &dp, &release, &w, &h, &ch, err, sizeof err) == 0) {
            dira_tensors *ts = NULL;
            dir_error e = dira_decode_tensors(dp, w, h, ch, 0, NULL, &ts, NULL, &diag);
            q->unpack_ns = bench_time_ns(BENCH_CLOCK_CPU) - t0;
            release(dp);
            int same = e == DIR_OK && ts->count == 1 && ts->tensors[0].dtype == t->dtype &&
                       memcmp(ts->tensors[0].data, t->data, raw) == 0;
            snprintf(q->note, sizeof q->note, "%s; %s, %.3f of raw", same ? "bit-exact" : "DIFFERS",
                     info.encoding == DIRA_ENCODING_BINARY ? "binary" : "digits",
                     (double)file.size / (double)raw);
            dir_free(ts);
        }
        bench_buf_free(&file);
    }
    fprintf(f, "\n#### %s\n\n", label);
    fprintf(f, "| packing | bytes | vs raw | pack ms | unpack ms | notes |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | ---: | --- |\n");
    for (int i = 0; i < 7; i++) {
        fprintf(f, "| %s | %zu | %.3f | ", r[i].label, r[i].bytes,
                (double)r[i].bytes / (double)raw);
        if (r[i].pack_ns)
            fprintf(f, "%.1f | %.1f | ", (double)r[i].pack_ns / 1e6, (double)r[i].unpack_ns / 1e6);
        else
            fprintf(f, "- | - | ");
        fprintf(f, "%s |\n", i == 1 || i == 2 ? "" : r[i].note);
    }
    if (rs) {
        rs->raw = raw;
        rs->gzip = r[1].bytes;
        rs->xz = r[2].bytes;
        rs->dir = r[3 + FMT_DIR_DEFAULT].bytes;
        rs->of = "raw";
    }
}

/* The README's arrays tables (tests/bench/run.sh splices them). */
static void write_readme(FILE *f, const readme_size *rs, size_t nrs, const char *const *names,
                         const size_t *counts, const speed_row (*sr)[2], size_t nsets)
{
    fprintf(f, "Sizes (self-describing default in `.dir` default; gzip -9 and xz -9 of the JSON "
               "text, or of the raw bytes for the tensor; the `large` set is `samples/weights-gen "
               "--hidden 400`):\n\n");
    fprintf(f, "| data | raw bytes | `gzip -9` | `xz -9` | **.dir** | .dir / raw |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (size_t i = 0; i < nrs; i++)
        fprintf(f, "| %s | %llu | %zu (%s) | %zu (%s) | **%zu** | %.3f |\n", rs[i].data,
                (unsigned long long)rs[i].raw, rs[i].gzip, rs[i].of, rs[i].xz, rs[i].of, rs[i].dir,
                rs[i].raw ? (double)rs[i].dir / (double)rs[i].raw : 0.0);
    fprintf(f, "\nSpeed of numbers <-> pixel bytes alone (`dira_encode` + `dira_decode`, no "
               "image codec; CPU time) beside the reference library under `node "
               "--single-threaded` (`tests/bench/arrays-ref.js`):\n\n");
    fprintf(f, "| data, mode | ours: encode + decode ms | reference: prepareExportData + hexToNum "
               "ms | reference / ours (counting its bytes-to-hex loop) |\n");
    fprintf(f, "| --- | ---: | ---: | ---: |\n");
    for (size_t d = 0; d < nsets; d++)
        for (int m = 0; m < 2; m++) {
            const speed_row *r = &sr[d][m];
            double ours = (double)(r->enc_ns + r->dec_ns) / 1e6;
            fprintf(f, "| `%s` (%zu), %s | %.1f + %.1f | ", names[d], counts[d], r->mode,
                    (double)r->enc_ns / 1e6, (double)r->dec_ns / 1e6);
            if (r->ref_enc_ms >= 0 && ours > 0)
                fprintf(f, "%.0f + %.0f | %.0f (%.0f) |\n", r->ref_enc_ms, r->ref_dec_ms,
                        (r->ref_enc_ms + r->ref_dec_ms) / ours,
                        (r->ref_enc_ms + r->ref_full_ms) / ours);
            else
                fprintf(f, "- | - |\n");
        }
}

static void print_rows(FILE *f, const row *rows, size_t n, size_t gzip_bytes, uint64_t count)
{
    fprintf(f, "| packing | bytes | vs gzip -9 JSON | pack ms | unpack ms | values back exact | "
               "notes |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        fprintf(f, "| %s | %zu | %.3f | ", r->label, r->bytes,
                gzip_bytes ? (double)r->bytes / (double)gzip_bytes : 0.0);
        if (r->pack_ns)
            fprintf(f, "%.1f | ", (double)r->pack_ns / 1e6);
        else
            fprintf(f, "- | ");
        if (r->unpack_ns)
            fprintf(f, "%.1f | %llu of %llu", (double)r->unpack_ns / 1e6,
                    (unsigned long long)r->exact, (unsigned long long)count);
        else
            fprintf(f, "- | -");
        if (r->unpack_ns && r->returned != count)
            fprintf(f, " (%llu returned)", (unsigned long long)r->returned);
        fprintf(f, " | %s |\n", r->note);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: dir-bench-arrays SHARED_DIR [--markdown FILE] [--summary FILE]\n"
                        "       [--large WEIGHTS.json] [--reference-js arrays-ref.js] "
                        "[--speed-only 1] [--readme FILE]\n");
        return 2;
    }
    const char *shared = argv[1], *md_path = NULL, *sum_path = NULL, *large_path = NULL,
               *ref_script = NULL, *speed_only = NULL, *readme_path = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--markdown")) {
            md_path = argv[i + 1];
        } else if (!strcmp(argv[i], "--summary")) {
            sum_path = argv[i + 1];
        } else if (!strcmp(argv[i], "--large")) {
            large_path = argv[i + 1];
        } else if (!strcmp(argv[i], "--reference-js")) {
            ref_script = argv[i + 1];
        } else if (!strcmp(argv[i], "--speed-only")) {
            speed_only = argv[i + 1]; /* "1": only the numbers <-> bytes table */
        } else if (!strcmp(argv[i], "--readme")) {
            readme_path = argv[i + 1];
        } else {
            fprintf(stderr, "dir-bench-arrays: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc % 2 != 0) {
        fprintf(stderr, "dir-bench-arrays: option %s needs a value\n", argv[argc - 1]);
        return 2;
    }
    FILE *md = md_path ? fopen(md_path, "w") : stdout;
    FILE *sum = sum_path ? fopen(sum_path, "w") : NULL;
    if (!md || (sum_path && !sum)) {
        fprintf(stderr, "dir-bench-arrays: cannot create the output files: %s\n", strerror(errno));
        return 1;
    }
    if (sum)
        fprintf(sum,
                "# dataset\tpacking\tbytes\tgzip_json_bytes\tpack_ms\tunpack_ms\texact\tcount\n");
    int failures = 0;
    char target_lines[4096] = "";
    size_t tl = 0;

    char speed_lines[16384] = "";
    size_t sl = 0;
    enum { NSETS = sizeof datasets / sizeof datasets[0] };
    readme_size rsz[NSETS + 1];
    size_t nrsz = 0, nsets = 0, set_counts[NSETS];
    const char *set_names[NSETS];
    speed_row set_speed[NSETS][2];
    char index_js[4096];
    snprintf(index_js, sizeof index_js, "%s/imgarrays-reference/js/index.js", shared);
    for (size_t d = 0; d < sizeof datasets / sizeof datasets[0]; d++) {
        const dataset *ds = &datasets[d];
        char path[4096];
        if (strcmp(ds->name, "large") == 0) {
            if (!large_path) continue;
            snprintf(path, sizeof path, "%s", large_path);
        } else {
            snprintf(path, sizeof path, "%s/imgarrays-reference/%s/rawData.json", shared, ds->name);
        }
        uint8_t *json;
        size_t json_len;
        if (bench_read_file(path, &json, &json_len) != 0) {
            fprintf(stderr, "dir-bench-arrays: cannot read %s: %s\n", path, strerror(errno));
            return 1;
        }
        double *vals = NULL;
        size_t n = parse_json_numbers((const char *)json, json_len, &vals);
        if (n == (size_t)-1) {
            fprintf(stderr, "dir-bench-arrays: %s is not a JSON array of numbers\n", path);
            return 1;
        }
        fprintf(stderr, "arrays: %s: %zu values, %zu bytes of JSON\n", ds->name, n, json_len);

        {
            speed_row sr[2];
            memset(sr, 0, sizeof sr);
            dira_options so;
            dira_options_default(&so);
            so.classic = 1;
            so.capacity = ds->ref_capacity;
            so.ldeczeroes = ds->ref_ldeczeroes;
            so.allow_inexact = 1;
            snprintf(sr[0].mode, sizeof sr[0].mode, "classic, capacity %d", ds->ref_capacity);
            fprintf(stderr, "arrays: %s: numbers <-> bytes\n", ds->name);
            if (time_dira(&sr[0], vals, n, &so) != 0) failures++;
            time_reference(&sr[0], ref_script, index_js, path, ds->ref_capacity,
                           ds->ref_ldeczeroes);
            dira_options_default(&so);
            snprintf(sr[1].mode, sizeof sr[1].mode, "self-describing default");
            if (time_dira(&sr[1], vals, n, &so) != 0) failures++;
            sr[1].ref_enc_ms = sr[0].ref_enc_ms;
            sr[1].ref_dec_ms = sr[0].ref_dec_ms;
            sr[1].ref_full_ms = sr[0].ref_full_ms;
            FILE *mem = fmemopen(speed_lines + sl, sizeof speed_lines - sl, "w");
            if (mem) {
                print_speed(mem, ds->name, n, sr, 2);
                long w = ftell(mem);
                fclose(mem);
                if (w > 0) sl += (size_t)w;
            }
            print_speed(stderr, ds->name, n, sr, 2);
            set_names[nsets] = ds->name;
            set_counts[nsets] = n;
            memcpy(set_speed[nsets++], sr, sizeof sr);
        }
        if (speed_only) {
            free(vals);
            free(json);
            continue;
        }

        row rows[32];
        size_t nr = 0;
        memset(&rows[nr], 0, sizeof rows[nr]);
        snprintf(rows[nr].label, sizeof rows[nr].label, "JSON text");
        rows[nr++].bytes = json_len;
        text_row(&rows[nr++], "gzip -9 of the JSON", json, json_len, 0, vals, n);
        size_t gzip_bytes = rows[nr - 1].bytes;
        text_row(&rows[nr++], "xz -9 of the JSON", json, json_len, 1, vals, n);
        for (int k = 0; k < 3 && ds->refs[k]; k++) {
            row *r = &rows[nr++];
            memset(r, 0, sizeof *r);
            snprintf(r->label, sizeof r->label, "reference library: %s", ds->refs[k]);
            char rp[4096];
            snprintf(rp, sizeof rp, "%s/imgarrays-reference/%s", shared, ds->refs[k]);
            bench_buf file = {0};
            if (bench_read_file(rp, &file.data, &file.size) != 0) {
                fprintf(stderr, "dir-bench-arrays: cannot read %s: %s\n", rp, strerror(errno));
                return 1;
            }
            file.release = free;
            r->bytes = file.size;
            dira_options opt;
            dira_options_default(&opt);
            opt.classic = 1;
            opt.capacity = ref_capacity_of(ds, ds->refs[k]);
            opt.ldeczeroes = ds->ref_ldeczeroes;
            measure_unpack(r, &file, &opt, vals, n);
            if (!r->note[0])
                snprintf(r->note, sizeof r->note, "read as classic, capacity %d, ldeczeroes %s",
                         opt.capacity, opt.ldeczeroes ? "yes" : "no");
            bench_buf_free(&file);
        }
        for (int classic = 1; classic >= 0; classic--)
            for (int fmt = 0; fmt < 4; fmt++) {
                fprintf(stderr, "arrays: %s: %s, %s\n", ds->name, fmt_names[fmt],
                        classic ? "classic" : "self-describing");
                pack_row(&rows[nr++], vals, n, classic, (enum img_fmt)fmt);
                if (!rows[nr - 1].bytes) failures++;
            }

        readme_size *rs = &rsz[nrsz++];
        memset(rs, 0, sizeof *rs);
        rs->raw = (uint64_t)n * sizeof(double);
        rs->gzip = gzip_bytes;
        rs->xz = rows[2].bytes;
        rs->of = "JSON";
        for (size_t i = 0; i < nr; i++)
            if (!strcmp(rows[i].label, ".dir default, self-describing")) {
                rs->dir = rows[i].bytes;
                snprintf(rs->data, sizeof rs->data, "`%s`: %zu values (float64, %s chosen)",
                         ds->name, n,
                         strncmp(rows[i].note, "chose binary", 12) ? "digits" : "binary");
            }
        fprintf(md, "\n#### %s: %zu values (`%s/rawData.json`)\n\n", ds->name, n, ds->name);
        print_rows(md, rows, nr, gzip_bytes, n);
        for (size_t i = 0; i < nr; i++) {
            if (sum)
                fprintf(sum, "%s\t%s\t%zu\t%zu\t%.2f\t%.2f\t%llu\t%zu\n", ds->name, rows[i].label,
                        rows[i].bytes, gzip_bytes, (double)rows[i].pack_ns / 1e6,
                        (double)rows[i].unpack_ns / 1e6, (unsigned long long)rows[i].exact, n);
            if (strncmp(rows[i].label, ".dir", 4) == 0 && rows[i].bytes) {
                int w =
                    snprintf(target_lines + tl, sizeof target_lines - tl,
                             "| %s | %s | %zu | %zu | %.3f | %s |\n", ds->name, rows[i].label,
                             rows[i].bytes, gzip_bytes, (double)rows[i].bytes / (double)gzip_bytes,
                             rows[i].bytes < gzip_bytes ? "yes" : "**no**");
                if (w > 0 && (size_t)w < sizeof target_lines - tl) tl += (size_t)w;
            }
        }
        free(vals);
        free(json);
    }
    fprintf(md, "\n#### Numbers <-> pixel bytes (dira_encode, dira_decode; no image codec)\n\n");
    fprintf(md, "| data set | mode | encode ms | decode ms | reference encode ms | reference "
                "decode ms | reference / ours | reference decode from bytes ms | reference / "
                "ours, from bytes | notes |\n");
    fprintf(md, "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n%s",
            speed_lines);
    if (speed_only) goto finish;
    if (large_path) {
        /* the large set's first layer, 784 x 400, as float64 and float32 */
        uint8_t *json;
        size_t json_len;
        double *vals = NULL;
        size_t n = 0;
        if (bench_read_file(large_path, &json, &json_len) == 0) {
            n = parse_json_numbers((const char *)json, json_len, &vals);
            free(json);
        }
        if (n != (size_t)-1 && n >= 784 * 400) {
            float *f32 = malloc(784 * 400 * sizeof *f32);
            for (size_t i = 0; f32 && i < 784 * 400; i++)
                f32[i] = (float)vals[i];
            dira_tensor t64 = {"W1", DIRA_F64, 2, {784, 400}, vals};
            dira_tensor t32 = {"W1", DIRA_F32, 2, {784, 400}, f32};
            fprintf(stderr, "arrays: tensors\n");
            tensor_table(md, "Tensors: the `large` set's first layer (784 x 400) as float64", &t64,
                         NULL);
            if (f32) {
                readme_size *rs = &rsz[nrsz++];
                memset(rs, 0, sizeof *rs);
                snprintf(rs->data, sizeof rs->data, "its 784x400 first layer as float32");
                tensor_table(md, "Tensors: the same layer as float32", &t32, rs);
            }
            free(f32);
        }
        if (n != (size_t)-1) free(vals);
    }
    fprintf(md, "\n#### Target: arrays in .dir smaller than gzip -9 of their JSON\n\n");
    fprintf(md, "| data set | packing | .dir bytes | gzip -9 bytes | ratio | holds |\n");
    fprintf(md, "| --- | --- | ---: | ---: | ---: | --- |\n%s", target_lines);
    if (readme_path) {
        FILE *r = fopen(readme_path, "w");
        if (!r) {
            fprintf(stderr, "dir-bench-arrays: cannot create %s: %s\n", readme_path,
                    strerror(errno));
            return 1;
        }
        write_readme(r, rsz, nrsz, set_names, set_counts, (const speed_row(*)[2])set_speed, nsets);
        if (fclose(r) != 0) {
            fprintf(stderr, "dir-bench-arrays: error writing %s\n", readme_path);
            return 1;
        }
    }
finish:
    if (md != stdout && fclose(md) != 0) {
        fprintf(stderr, "dir-bench-arrays: error writing %s\n", md_path);
        return 1;
    }
    if (sum && fclose(sum) != 0) {
        fprintf(stderr, "dir-bench-arrays: error writing %s\n", sum_path);
        return 1;
    }
    return failures ? 1 : 0;
}
