/* SPDX-License-Identifier: MIT */
/* The version-2 container: round trips of every channel count and depth with
 * and without metadata, golden files built field by field from
 * docs/FORMAT.md (the payload taken from the payload coder itself), the
 * version choice, and one test per class of malformed input, each expecting
 * its specific error and message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "dirtest.h"
#include "testutil.h"
#include "v2.h"

static uint32_t rng = 777;
static uint32_t next(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* A minimal valid ICC profile: 132 bytes, its size field, "acsp", no tags. */
static uint8_t icc[132];
static void make_icc(void)
{
    memset(icc, 0, sizeof icc);
    icc[3] = sizeof icc; /* big-endian size */
    memcpy(icc + 12, "mntrRGB XYZ ", 12);
    memcpy(icc + 36, "acsp", 4);
    for (size_t i = 40; i < 128; i++)
        icc[i] = (uint8_t)(i * 3);
}

static const uint8_t exif[] = {'M', 'M', 0, '*', 0, 0, 0, 8, 0, 0, 0, 0, 0, 0};
static const char xmp[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">caf\xc3\xa9</x:xmpmeta>";
static const char comment[] = "A comment \xe2\x80\x94 with UTF-8";

static void full_meta(dir_metadata *m)
{
    memset(m, 0, sizeof *m);
    m->icc = icc;
    m->icc_size = sizeof icc;
    m->exif = exif;
    m->exif_size = sizeof exif;
    m->xmp = xmp;
    m->xmp_size = strlen(xmp);
    m->comment = comment;
    m->density_x = 11811; /* 300 dpi */
    m->density_y = 11812;
}

/* Fills n samples of depth 8 or 16. */
static void *make_samples(size_t count, unsigned depth)
{
    if (depth == 16) {
        uint16_t *p = malloc(count * 2 + 2);
        for (size_t i = 0; i < count; i++)
            p[i] = (uint16_t)(i % 7 == 0 ? 0xffff : i % 5 == 0 ? 0 : next());
        return p;
    }
    uint8_t *p = malloc(count + 1);
    for (size_t i = 0; i < count; i++)
        p[i] = (uint8_t)(i % 9 == 0 ? 0 : next());
    return p;
}

static int same_meta(const dir_metadata *a, const dir_metadata *b)
{
    return a->icc_size == b->icc_size &&
           (!a->icc_size || memcmp(a->icc, b->icc, a->icc_size) == 0) &&
           a->exif_size == b->exif_size &&
           (!a->exif_size || memcmp(a->exif, b->exif, a->exif_size) == 0) &&
           a->xmp_size == b->xmp_size &&
           (!a->xmp_size || memcmp(a->xmp, b->xmp, a->xmp_size) == 0) &&
           (a->comment == NULL) == (b->comment == NULL) &&
           (!a->comment || strcmp(a->comment, b->comment) == 0) && a->density_x == b->density_x &&
           a->density_y == b->density_y;
}

/* ---- Round trips -------------------------------------------------------- */

static void roundtrip(uint32_t w, uint32_t h, unsigned c, unsigned depth, int with_meta, size_t pad)
{
    size_t bps = depth / 8, row = (size_t)w * c * bps, stride = row + pad * bps;
    uint8_t *src = make_samples(stride / bps * h, depth);
    dir_pixels px = {src, w, h, c, depth, pad ? stride : 0};
    dir_metadata meta, got;
    full_meta(&meta);
    dir_encode_options o;
    dir_encode_options_default(&o);
    o.level = 3;
    void *f = NULL;
    size_t n = 0;
    dir_diag dg;
    dir_error e = dir_encode_image(&px, with_meta ? &meta : NULL, &o, &f, &n, NULL, &dg);
    if (e) fprintf(stderr, "%ux%u c%u d%u: %s\n", w, h, c, depth, dg.message);
    CHECK_EQ_INT(e, DIR_OK);
    if (e) {
        free(src);
        return;
    }
    CHECK(n >= MINFILE);
    CHECK_EQ_INT(((uint8_t *)f)[8], 2);
    dir_info info;
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, NULL), DIR_OK);
    CHECK_EQ_INT(info.version, 2);
    CHECK_EQ_INT(info.width, w);
    CHECK_EQ_INT(info.height, h);
    CHECK_EQ_INT(info.channels, c);
    CHECK_EQ_INT(info.depth, depth);
    CHECK_EQ_INT(info.chunk_count, with_meta ? 5 : 0);
    CHECK_EQ_INT(dir_decoded_size(&info), row * h);
    uint64_t declared = 0;
    CHECK_EQ_INT(dir_declared_size(f, MINFILE, NULL, &declared, NULL), DIR_OK);
    CHECK_EQ_INT(declared, n);
    void *back = NULL;
    dir_stats st;
    e = dir_decode_alloc(f, n, NULL, &back, &info, &st, &dg);
    if (e) fprintf(stderr, "%ux%u c%u d%u decode: %s\n", w, h, c, depth, dg.message);
    CHECK_EQ_INT(e, DIR_OK);
    CHECK_EQ_INT(st.file_bytes, n);
    for (uint32_t y = 0; back && y < h; y++)
        if (memcmp((uint8_t *)back + row * y, src + stride * y, row) != 0) {
            fprintf(stderr, "%ux%u c%u d%u: row %u differs\n", w, h, c, depth, y);
            test_failures++;
            break;
        }
    CHECK_EQ_INT(dir_read_metadata(f, n, &got, NULL), DIR_OK);
    dir_metadata none;
    memset(&none, 0, sizeof none);
    CHECK(same_meta(&got, with_meta ? &meta : &none));
    /* the CRC covers little-endian samples */
    if (depth == 16) {
        uint8_t *le = malloc(row * h);
        for (size_t i = 0; i < row * h / 2; i++) {
            uint16_t v = ((uint16_t *)back)[i];
            le[2 * i] = (uint8_t)v;
            le[2 * i + 1] = (uint8_t)(v >> 8);
        }
        CHECK_EQ_INT(info.crc, dir_crc32(0, le, row * h));
        free(le);
    } else {
        CHECK_EQ_INT(info.crc, dir_crc32(0, back, row * h));
    }
    dir_free(back);
    dir_free(f);
    free(src);
}

static void test_roundtrips(void)
{
    static const uint32_t sizes[][2] = {{1, 1}, {17, 33}, {100, 37}, {256, 3}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (unsigned c = 1; c <= 4; c++)
            for (unsigned d = 8; d <= 16; d += 8)
                for (int m = 0; m < 2; m++)
                    roundtrip(sizes[s][0], sizes[s][1], c, d, m, (s + c) % 3);
}

/* ---- Which version is written ------------------------------------------- */

static void test_version_choice(void)
{
    uint8_t px8[16 * 16 * 4];
    uint16_t px16[16 * 16 * 4];
    for (size_t i = 0; i < sizeof px8; i++)
        px8[i] = (uint8_t)(i * 13);
    for (size_t i = 0; i < sizeof px16 / 2; i++)
        px16[i] = (uint16_t)(i * 1031);
    dir_metadata meta;
    full_meta(&meta);
    dir_metadata only_comment = {0};
    only_comment.comment = "x";
    static const struct {
        unsigned c, depth, filter, backend, fv;
        int meta;    /* 0 none, 1 all, 2 comment only */
        int version; /* expected, 0 = DIR_EINVAL */
    } cases[] = {
        {3, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 0, 0, 1}, /* seed-pure: version 1 */
        {1, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 0, 0, 1},
        {4, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 0, 0, 1},
        {2, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 0, 0, 2},  /* grey+alpha needs 2 */
        {3, 16, DIR_FILTER_NONE, DIR_BACKEND_NONE, 0, 0, 2}, /* 16-bit needs 2 */
        {3, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 0, 2, 2},  /* metadata needs 2 */
        {3, 8, DIR_FILTER_SUB, DIR_BACKEND_NONE, 0, 0, 2},
        {3, 8, DIR_FILTER_NONE, DIR_BACKEND_ZSTD, 0, 0, 2},
        {3, 8, DIR_FILTER_AUTO, DIR_BACKEND_ZSTD, 0, 0, 2}, /* the default */
        {3, 8, DIR_FILTER_AUTO, DIR_BACKEND_ZSTD, 1, 0, 1}, /* forced */
        {3, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 2, 0, 2}, /* forced */
        {2, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 1, 0, 0},
        {3, 16, DIR_FILTER_NONE, DIR_BACKEND_NONE, 1, 0, 0},
        {3, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 1, 1, 0},
        {3, 8, DIR_FILTER_NONE, DIR_BACKEND_NONE, 3, 0, 0}, /* no version 3 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dir_pixels px = {cases[i].depth == 16 ? (const void *)px16 : (const void *)px8,
                         16,
                         16,
                         cases[i].c,
                         cases[i].depth,
                         0};
        dir_encode_options o;
        dir_encode_options_default(&o);
        o.filter = (dir_filter)cases[i].filter;
        o.backend = (dir_backend)cases[i].backend;
        o.format_version = cases[i].fv;
        void *f = NULL;
        size_t n = 0;
        dir_diag dg;
        const dir_metadata *m = cases[i].meta == 1   ? &meta
                                : cases[i].meta == 2 ? &only_comment
                                                     : NULL;
        dir_error e = dir_encode_image(&px, m, &o, &f, &n, NULL, &dg);
        if (cases[i].version == 0) {
            if (e != DIR_EINVAL) {
                fprintf(stderr, "case %zu: got %d, want DIR_EINVAL\n", i, e);
                test_failures++;
            }
            CHECK(f == NULL);
            continue;
        }
        CHECK_EQ_INT(e, DIR_OK);
        if (e) continue;
        if (((uint8_t *)f)[8] != cases[i].version) {
            fprintf(stderr, "case %zu: wrote version %u, want %d\n", i, ((uint8_t *)f)[8],
                    cases[i].version);
            test_failures++;
        }
        dir_info info;
        void *back = NULL;
        CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &back, &info, NULL, NULL), DIR_OK);
        CHECK(back && memcmp(back, px.data, dir_decoded_size(&info)) == 0);
        dir_free(back);
        dir_free(f);
    }
    /* The 8-bit shorthand writes the same bytes as dir_encode_image. */
    dir_encode_options o;
    dir_encode_options_default(&o);
    o.level = 3;
    void *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    dir_pixels px = {px8, 16, 16, 2, 8, 0};
    CHECK_EQ_INT(dir_encode(px8, 16, 16, 2, 0, &o, &a, &na, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &b, &nb, NULL, NULL), DIR_OK);
    CHECK(a && b && na == nb && memcmp(a, b, na) == 0);
    dir_free(a);
    dir_free(b);
}

/* dir_describe(): a default-preset file described as its encoder saw it,
 * with metadata before the payload; a version-1 file, a truncated one and a
 * corrupt residual stream (described, not decoded). */
static void test_describe(void)
{
    /* 96x64 RGBA: one-colour sections on top, two equal patterned blocks
     * (a reference), noise below */
    enum { W = 96, H = 64 };
    uint8_t *px8 = malloc(W * H * 4);
    for (uint32_t y = 0; y < H; y++)
        for (uint32_t x = 0; x < W; x++) {
            uint8_t *c = px8 + ((size_t)y * W + x) * 4;
            for (unsigned b = 0; b < 4; b++)
                c[b] = y < 16   ? (uint8_t)(40 + b)
                       : y < 32 ? (uint8_t)((x % 16) * 7 + (y % 16) * 3 + b)
                                : (uint8_t)next();
        }
    dir_pixels px = {px8, W, H, 4, 8, 0};
    dir_metadata meta;
    full_meta(&meta);
    void *f = NULL;
    size_t n = 0;
    dir_stats st;
    CHECK_EQ_INT(dir_encode_image(&px, &meta, NULL, &f, &n, NULL, NULL), DIR_OK);
    /* the payload coder's own statistics (the container's keep no version-2
     * code counts) for the same payload */
    dir2_params prm;
    dir2_params_from_options(NULL, &prm);
    uint8_t *pay2 = NULL;
    size_t psize = 0;
    CHECK_EQ_INT(dir2_encode_payload_params(&px, &prm, &pay2, &psize, &st, NULL), DIR_OK);
    dir_info info;
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, NULL), DIR_OK);
    CHECK(info.payload_size == psize &&
          memcmp((uint8_t *)f + DIR2_HEADER_SIZE + info.chunks_size, pay2, psize) == 0);
    free(pay2);
    dir_payload_info pi;
    dir_diag diag;
    CHECK_EQ_INT(dir_describe(f, n, NULL, &pi, &diag), DIR_OK);
    CHECK_EQ_INT(pi.sections, 24);
    CHECK_EQ_INT(pi.sections, st.sections);
    CHECK_EQ_INT(pi.fills, 6);
    CHECK_EQ_INT(pi.fills, st.code_count[0]);
    CHECK_EQ_INT(pi.references, 5);
    CHECK_EQ_INT(pi.references, st.code_count[1]);
    CHECK_EQ_INT(pi.section_palettes, st.code_count[2]);
    uint64_t raw = 0;
    for (unsigned p = 0; p < DIR_PREDICTORS; p++)
        raw += pi.raw[p];
    CHECK_EQ_INT(raw, 13);
    for (unsigned p = 0; p < 5; p++)
        CHECK_EQ_INT(pi.raw[p], st.code_count[3 + p]);
    CHECK_EQ_INT(pi.raw[5] + pi.raw[6], st.code_count[8]);
    CHECK_EQ_INT(pi.unit_bytes, pi.transform == 2 ? 1 : 4);
    CHECK(pi.transform == 0 || pi.transform == 1);
    CHECK_EQ_INT(pi.alpha_last, 1); /* RGBA under zstd */
    CHECK_EQ_INT(pi.colours, 0);
    uint64_t packed = 0;
    for (unsigned k = 0; k < DIR_PAYLOAD_STREAMS; k++) {
        CHECK_EQ_INT(pi.stream_raw[k], st.stream_bytes[k]);
        CHECK(pi.stream_method[k] <= 2);
        packed += pi.stream_packed[k];
    }
    CHECK_EQ_INT(pi.stream_raw[3], 13 * 256 * 4);
    CHECK_EQ_INT(pi.stream_method[3], 1); /* zstd */
    CHECK(pi.stream_packed[3] < pi.stream_raw[3]);
    /* the table and the transform byte take the rest of the payload */
    CHECK(packed < info.payload_size && info.payload_size - packed <= 1 + 6 * 19);
    /* names */
    CHECK(strcmp(dir_transform_name(3), "large image palette") == 0);
    CHECK(strcmp(dir_transform_name(4), "?") == 0);
    CHECK(strcmp(dir_payload_stream_name(3), "residuals") == 0);
    CHECK(strcmp(dir_payload_stream_name(6), "?") == 0);
    CHECK(strcmp(dir_predictor_name(4), "Paeth") == 0);
    CHECK(strcmp(dir_predictor_name(7), "?") == 0);
    CHECK(strcmp(dir_method_name(2), "lzma") == 0);
    CHECK(strcmp(dir_method_name(3), "?") == 0);

    /* the residual stream's zstd frame broken in its middle: described
     * (its size agrees with the codes), not decoded */
    uint8_t *bad = malloc(n);
    memcpy(bad, f, n);
    size_t mid = n - (size_t)pi.stream_packed[4] - (size_t)pi.stream_packed[5] -
                 (size_t)pi.stream_packed[3] / 2;
    for (size_t i = 0; i < 8; i++)
        bad[mid + i] ^= 0x5a;
    CHECK_EQ_INT(dir_describe(bad, n, NULL, &pi, &diag), DIR_OK);
    void *back = NULL;
    CHECK(dir_decode_alloc(bad, n, NULL, &back, NULL, NULL, &diag) != DIR_OK);
    CHECK(back == NULL);
    /* a truncated file: the probe's error */
    CHECK_EQ_INT(dir_describe(f, n - 1, NULL, &pi, &diag), DIR_ETRUNCATED);
    CHECK_EQ_INT(dir_describe(f, n, NULL, NULL, &diag), DIR_EINVAL);
    free(bad);
    dir_free(f);

    /* a code the format does not have, in a stored code stream: the
     * decoder's error, naming the section.  Regression: the offset was the
     * code's place in the decoded stream plus the payload's in the file (40
     * + 23 here, a byte of the stream table); errors inside a decoded
     * stream now give no offset, their section instead. */
    dir_encode_options o;
    dir_encode_options_default(&o);
    o.backend = DIR_BACKEND_NONE;
    o.filter = DIR_FILTER_NONE;
    o.format_version = 2;
    CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &f, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, NULL), DIR_OK);
    /* payload: transform byte, six stored entries (method, LEB128 raw size),
     * then the 24 codes */
    uint64_t at = DIR2_HEADER_SIZE + (uint64_t)info.chunks_size;
    const uint8_t *q = (const uint8_t *)f + at;
    size_t t = 1;
    for (unsigned k = 0; k < 6; k++) {
        CHECK_EQ_INT(q[t], 0); /* stored */
        t++;
        while (q[t] & 0x80)
            t++;
        t++;
    }
    ((uint8_t *)f)[at + t + 23] = 0x17; /* section 23 */
    /* the CRC is of the pixels, not checked before the codes */
    CHECK_EQ_INT(dir_describe(f, n, NULL, &pi, &diag), DIR_ECODE);
    CHECK(strcmp(diag.message, "bad code 0x17 in section 23") == 0);
    CHECK(diag.offset == (uint64_t)-1 && diag.section == 23);
    void *back2 = NULL;
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &back2, NULL, NULL, &diag), DIR_ECODE);
    CHECK(diag.offset == (uint64_t)-1 && diag.section == 23);
    dir_free(f);

    /* version 1 */
    o.format_version = 1;
    CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &f, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_describe(f, n, NULL, &pi, &diag), DIR_EVERSION);
    CHECK(strstr(diag.message, "version 1") != NULL);
    dir_free(f);
    free(px8);
}

/* ---- Golden files from docs/FORMAT.md ----------------------------------- */

static void test_golden(void)
{
    dir_encode_options o;
    dir_encode_options_default(&o);
    o.level = 3;
    uint8_t *payload;
    size_t np;
    void *out;
    size_t n;

    /* 1x1 RGB 01 02 03, no metadata: header, payload, zero padding to 112. */
    static const uint8_t rgb[3] = {1, 2, 3};
    dir_pixels px = {rgb, 1, 1, 3, 8, 3};
    CHECK_EQ_INT(dir2_encode_payload(&px, &o, &payload, &np, NULL, NULL), DIR_OK);
    uint8_t want[4096];
    memset(want, 0, sizeof want);
    v2_header(want, 3, 8, 1, 1, 0x55BC801D, 0, 0, np);
    memcpy(want + V2_HDR, payload, np);
    /* (padded when header and payload are shorter than 112 bytes, as with
     * the current payload; any payload coder gives such a file's size) */
    size_t want_size = V2_HDR + np < MINFILE ? MINFILE : V2_HDR + np;
    px.stride = 0;
    CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &out, &n, NULL, NULL), DIR_OK);
    expect_bytes(out, n, want, want_size, "encoder wrote", __LINE__);
    dir_free(out);
    free(payload);

    /* 2x1 grey+alpha at 16 bits (0x1234, 0xffff), (0x0001, 0x8000), with
     * all five chunks in the encoder's order: iCCP, pHYs, cOMt, eXIf, xMPt. */
    static const uint16_t ga[4] = {0x1234, 0xffff, 0x0001, 0x8000};
    static const uint8_t ga_le[8] = {0x34, 0x12, 0xff, 0xff, 0x01, 0x00, 0x00, 0x80};
    dir_pixels p2 = {ga, 2, 1, 2, 16, 8};
    CHECK_EQ_INT(dir2_encode_payload(&p2, &o, &payload, &np, NULL, NULL), DIR_OK);
    dir_metadata meta;
    full_meta(&meta);
    size_t at = V2_HDR;
    uint8_t phys[8];
    put32(phys, 11811);
    put32(phys + 4, 11812);
    v2_chunk(want, &at, "iCCP", icc, sizeof icc);
    v2_chunk(want, &at, "pHYs", phys, 8);
    v2_chunk(want, &at, "cOMt", comment, sizeof comment); /* with its NUL */
    v2_chunk(want, &at, "eXIf", exif, sizeof exif);
    v2_chunk(want, &at, "xMPt", xmp, (uint32_t)strlen(xmp));
    size_t chunks = at - V2_HDR;
    CHECK_EQ_INT(chunks, 5 * 12 + sizeof icc + 8 + sizeof comment + sizeof exif + strlen(xmp));
    v2_header(want, 2, 16, 2, 1, dir_crc32(0, ga_le, 8), 5, (uint32_t)chunks, np);
    memcpy(want + at, payload, np);
    p2.stride = 0;
    CHECK_EQ_INT(dir_encode_image(&p2, &meta, &o, &out, &n, NULL, NULL), DIR_OK);
    expect_bytes(out, n, want, at + np, "encoder wrote", __LINE__);
    /* and the hand-made file decodes */
    uint16_t back[4];
    dir_info info;
    CHECK_EQ_INT(dir_decode(want, at + np, NULL, back, sizeof back, &info, NULL, NULL), DIR_OK);
    CHECK(memcmp(back, ga, sizeof ga) == 0);
    CHECK_EQ_INT(info.payload_size, np);
    CHECK_EQ_INT(info.chunks_size, chunks);
    dir_free(out);
    free(payload);
}

/* ---- Malformed input ---------------------------------------------------- */

static uint8_t outbuf[64 * 64 * 8];

static void expect_lim(const uint8_t *f, size_t size, const dir_limits *lim, dir_error want,
                       const char *text, int line)
{
    expect_decode(f, size, lim, want, text, 1, "line", line);
}
#define EXPECT(f, n, e, t) expect_lim(f, n, NULL, e, t, __LINE__)

/* A file built by hand: header fields, a chunk list and the payload of a
 * 4x3 image of channels c at depth d. */
typedef struct built {
    uint8_t f[8192];
    size_t n;
} built;

static uint8_t img4x3[4 * 3 * 4 * 2];
static uint8_t *pay;
static size_t npay;

static void build(built *b, unsigned c, unsigned d, const uint8_t *chunks, size_t nchunks,
                  uint32_t count)
{
    dir_encode_options o;
    dir_encode_options_default(&o);
    o.level = 3;
    for (size_t i = 0; i < sizeof img4x3; i++)
        img4x3[i] = (uint8_t)(i * 37 + 1);
    dir_pixels px = {img4x3, 4, 3, c, d, (size_t)4 * c * d / 8};
    free(pay);
    CHECK_EQ_INT(dir2_encode_payload(&px, &o, &pay, &npay, NULL, NULL), DIR_OK);
    size_t bytes = (size_t)4 * 3 * c * d / 8;
    memset(b->f, 0, sizeof b->f);
    v2_header(b->f, c, d, 4, 3, dir_crc32(0, img4x3, bytes), count, (uint32_t)nchunks, npay);
    if (nchunks) memcpy(b->f + V2_HDR, chunks, nchunks);
    memcpy(b->f + V2_HDR + nchunks, pay, npay);
    b->n = V2_HDR + nchunks + npay;
    if (b->n < MINFILE) b->n = MINFILE;
}

/* Builds a file whose chunk list is the chunks given as type/data pairs. */
typedef struct cspec {
    const char *type;
    const void *data;
    uint32_t len;
} cspec;

static void build_chunks(built *b, const cspec *cs, size_t k)
{
    uint8_t list[4096];
    size_t at = 0;
    for (size_t i = 0; i < k; i++)
        v2_chunk(list, &at, cs[i].type, cs[i].data, cs[i].len);
    build(b, 3, 8, list, at, (uint32_t)k);
}

static void test_header_fields(void)
{
    built b, g;
    build(&g, 3, 8, NULL, 0, 0);
    EXPECT(g.f, g.n, DIR_OK, NULL);

    /* Every prefix is truncated; bytes after the padding are trailing. */
    for (size_t k = 9; k < g.n; k++)
        EXPECT(g.f, k, DIR_ETRUNCATED, "truncated at byte");
    EXPECT(g.f, 40, DIR_ETRUNCATED, "truncated at byte 40: a .dir file has at least 112 bytes");
    EXPECT(g.f, g.n + 1, DIR_ETRAILING, "1 trailing bytes after the declared 112 bytes");
    /* The padding is zero; header fields out of range; the CRC. */
    static const patch fields[] = {
        {PATCH_BYTE, MINFILE - 1, 1, DIR_ETRAILING, "padding byte 111 is not zero"},
        {PATCH_BYTE, 8, 3, DIR_EVERSION, "unsupported version 3"},
        {PATCH_BYTE, 9, 0, DIR_EHEADER, "channels 0 out of range (1..4)"},
        {PATCH_BYTE, 9, 5, DIR_EHEADER, "channels 5 out of range (1..4)"},
        {PATCH_BYTE, 10, 0, DIR_EHEADER, "depth 0 out of range (8 or 16)"},
        {PATCH_BYTE, 10, 12, DIR_EHEADER, "depth 12 out of range (8 or 16)"},
        {PATCH_BYTE, 10, 32, DIR_EHEADER, "depth 32 out of range"},
        {PATCH_BYTE, 11, 1, DIR_EHEADER, "reserved header byte 11 is not zero"},
        {PATCH_WORD, 12, 0, DIR_EHEADER, "width 0 out of range (1..1048576)"},
        {PATCH_WORD, 12, DIR_MAX_DIM + 1, DIR_EHEADER, "width 1048577 out of range"},
        {PATCH_WORD, 16, 0, DIR_EHEADER, "height 0 out of range"},
        {PATCH_WORD, 16, DIR_MAX_DIM + 1, DIR_EHEADER, "height 1048577 out of range"},
        {PATCH_WORD, 24, DIR_MAX_CHUNKS + 1, DIR_EHEADER, "chunk count 257 out of range (0..256)"},
        {PATCH_WORD, 24, 1, DIR_EHEADER, "a chunk list of 0 bytes cannot hold 1 chunks"},
        {PATCH_WORD, 28, 12, DIR_EHEADER, "a chunk list of 12 bytes cannot hold 0 chunks"},
        {PATCH_WORD, 28, DIR_MAX_CHUNKS_SIZE + 1, DIR_EHEADER,
         "chunk list of 134217729 bytes is over the format's maximum"},
        {PATCH_WORD, 32, 0, DIR_EHEADER, "payload size 0 out of range"},
        /* 4x3 RGB is 36 bytes: at most 4 * 36 + 65536 */
        {PATCH_WORD, 32, 4 * 36 + 65536 + 1, DIR_EHEADER,
         "payload size 65681 out of range (1..65680 for a 4x3 image)"},
        {PATCH_WORD, 20, 0x12345678, DIR_ECRC, "CRC mismatch: header 12345678"},
        /* the payload size's high word */
        {PATCH_WORD, 36, 1, DIR_EHEADER, "payload size 4294967"},
    };
    expect_patches(g.f, g.n, fields, sizeof fields / sizeof fields[0], 1, "header field");
    /* 12 chunks need at least 144 bytes */
    b = g;
    put32(b.f + 24, 12);
    put32(b.f + 28, 143);
    EXPECT(b.f, b.n, DIR_EHEADER, "a chunk list of 143 bytes cannot hold 12 chunks");
    /* 65535x65535 (the sides legal, the pixels not): the limit it is over */
    b = g;
    put32(b.f + 12, 65535);
    put32(b.f + 16, 65535);
    EXPECT(b.f, b.n, DIR_ELIMIT,
           "image 65535x65535 has 4294836225 pixels, over the limit of 268435456");

    /* Payload size mismatch: the header declares more than the file has,
     * or less (on a file longer than the minimum). */
    uint8_t big[4 * 3 * 4 * 2 * 64];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)next();
    dir_pixels px = {big, 48, 32, 4, 8, 0};
    void *f;
    size_t n;
    CHECK_EQ_INT(dir_encode_image(&px, NULL, NULL, &f, &n, NULL, NULL), DIR_OK);
    CHECK(n > MINFILE + 8);
    uint8_t *m = malloc(n + 8);
    memcpy(m, f, n);
    put64(m + 32, get32(m + 32) + 1);
    EXPECT(m, n, DIR_ETRUNCATED, "the header declares");
    memcpy(m, f, n);
    put64(m + 32, get32(m + 32) - 1);
    EXPECT(m, n, DIR_ETRAILING, "1 trailing bytes");
    /* a corrupted payload (the placeholder payload's own error) */
    memcpy(m, f, n);
    m[n - 5] ^= 0x5a;
    {
        dir_diag dg;
        dir_error e = dir_decode(m, n, NULL, outbuf, sizeof outbuf, NULL, NULL, &dg);
        CHECK(e != DIR_OK);
        CHECK(dg.error == e && dg.message[0]);
    }
    /* a corrupted sample: the CRC */
    free(m);
    dir_free(f);

    /* Over the caller's limits. */
    dir_limits lim;
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict(&lim, 3, 0, 0), DIR_OK);
    expect_lim(g.f, g.n, &lim, DIR_ELIMIT,
               "image 4x3 is over the size limit (3x1048576, 268435456 pixels)", __LINE__);
    /* the order of FORMAT.md 0.1: both sides' ranges before the limits */
    b = g;
    put32(b.f + 16, 0);
    expect_lim(b.f, b.n, &lim, DIR_EHEADER, "height 0 out of range", __LINE__);
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict(&lim, 0, 0, 11), DIR_OK);
    expect_lim(g.f, g.n, &lim, DIR_ELIMIT, "image 4x3 has 12 pixels, over the limit of 11",
               __LINE__);

    /* Output buffer too small, and a misaligned 16-bit buffer. */
    CHECK_EQ_INT(dir_decode(g.f, g.n, NULL, outbuf, 35, NULL, NULL, NULL), DIR_EBUFFER);
    build(&b, 3, 16, NULL, 0, 0);
    dir_diag dg;
    CHECK_EQ_INT(dir_decode(b.f, b.n, NULL, outbuf + 1, 72, NULL, NULL, &dg), DIR_EINVAL);
    CHECK(strstr(dg.message, "aligned") != NULL);
    CHECK_EQ_INT(dir_decode(b.f, b.n, NULL, outbuf, 72, NULL, NULL, &dg), DIR_OK);
}

static void test_chunks(void)
{
    built b;
    uint8_t phys[8], badphys[8];
    put32(phys, 2835);
    put32(phys + 4, 2835);
    put32(badphys, 0);
    put32(badphys + 4, 2835);
    uint8_t icc_bad_size[132], icc_no_acsp[132];
    memcpy(icc_bad_size, icc, sizeof icc);
    icc_bad_size[3] = 131;
    memcpy(icc_no_acsp, icc, sizeof icc);
    icc_no_acsp[36] = 'x';
    static const uint8_t exif_le[] = {'I', 'I', '*', 0, 8, 0, 0, 0};
    static const uint8_t exif_app1[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, '*', 0, 0, 0, 8};

    /* Valid: all five, any order, and unknown ancillary chunks skipped. */
    cspec all[] = {{"xMPt", xmp, (uint32_t)strlen(xmp)},
                   {"abCd", "zz", 2},
                   {"eXIf", exif_le, sizeof exif_le},
                   {"cOMt", comment, sizeof comment},
                   {"pHYs", phys, 8},
                   {"zzzz", NULL, 0},
                   {"iCCP", icc, sizeof icc}};
    build_chunks(&b, all, 7);
    EXPECT(b.f, b.n, DIR_OK, NULL);
    dir_metadata m;
    CHECK_EQ_INT(dir_read_metadata(b.f, b.n, &m, NULL), DIR_OK);
    CHECK(m.icc_size == sizeof icc && memcmp(m.icc, icc, sizeof icc) == 0);
    CHECK(m.exif_size == sizeof exif_le && memcmp(m.exif, exif_le, sizeof exif_le) == 0);
    CHECK(m.xmp_size == strlen(xmp) && memcmp(m.xmp, xmp, strlen(xmp)) == 0);
    CHECK(m.comment && strcmp(m.comment, comment) == 0);
    CHECK(m.density_x == 2835 && m.density_y == 2835);
    /* the pointers are into the buffer */
    CHECK((const uint8_t *)m.icc > b.f && (const uint8_t *)m.icc < b.f + b.n);

    /* clang-format off */
    const struct {
        cspec c[2];
        size_t k;
        dir_error e;
        const char *text;
    } cases[] = {
        {{{"Abcd", "x", 1}}, 1, DIR_ECRITICAL, "unknown critical chunk Abcd (chunk 0)"},
        {{{"ICCP", icc, sizeof icc}}, 1, DIR_ECRITICAL, "unknown critical chunk ICCP"},
        {{{"ab1d", "x", 1}}, 1, DIR_ECHUNK, "chunk 0 type 61 62 31 64 is not four ASCII letters"},
        {{{"cOMt", "a", 2}, {"cOMt", "b", 2}}, 2, DIR_EDUPLICATE,
         "a second cOMt chunk (comment), chunk 1"},
        {{{"pHYs", phys, 8}, {"pHYs", phys, 8}}, 2, DIR_EDUPLICATE, "a second pHYs"},
        {{{"iCCP", icc, 127}}, 1, DIR_ECHUNK,
         "ICC profile of 127 bytes is shorter than its 128-byte header"},
        {{{"iCCP", icc_bad_size, sizeof icc}}, 1, DIR_ECHUNK,
         "ICC profile declares 131 bytes but has 132"},
        {{{"iCCP", icc_no_acsp, sizeof icc}}, 1, DIR_ECHUNK, "lacks its 'acsp' signature"},
        {{{"pHYs", phys, 7}}, 1, DIR_ECHUNK, "density of 7 bytes (8 needed)"},
        {{{"pHYs", badphys, 8}}, 1, DIR_ECHUNK,
         "density 0 x 2835 pixels per metre: both must be at least 1"},
        {{{"cOMt", "abc", 3}}, 1, DIR_ECHUNK, "comment does not end with a NUL byte"},
        {{{"cOMt", NULL, 0}}, 1, DIR_ECHUNK, "comment does not end with a NUL byte"},
        {{{"cOMt", "a\0b", 4}}, 1, DIR_ECHUNK, "comment has a NUL byte before its end"},
        {{{"cOMt", "ab\xc3", 4}}, 1, DIR_ECHUNK, "comment is not UTF-8 (at byte 2)"},
        {{{"cOMt", "\xed\xa0\x80", 4}}, 1, DIR_ECHUNK,
         "comment is not UTF-8 (at byte 0)"}, /* surrogate */
        {{{"cOMt", "\xc0\xaf", 3}}, 1, DIR_ECHUNK,
         "comment is not UTF-8 (at byte 0)"}, /* overlong */
        {{{"cOMt", "ok\xf4\x90\x80\x80", 7}}, 1, DIR_ECHUNK,
         "comment is not UTF-8 (at byte 2)"}, /* U+110000, above U+10FFFF */
        {{{"eXIf", exif_app1, sizeof exif_app1}}, 1, DIR_ECHUNK,
         "EXIF does not start with a TIFF header"},
        {{{"eXIf", "II*", 4}}, 1, DIR_ECHUNK, "EXIF does not start with a TIFF header"},
        {{{"xMPt", NULL, 0}}, 1, DIR_ECHUNK, "empty XMP packet"},
        {{{"xMPt", "<x>\0</x>", 8}}, 1, DIR_ECHUNK, "XMP packet has a NUL byte"},
        {{{"xMPt", "<x>\xff</x>", 8}}, 1, DIR_ECHUNK, "XMP packet is not UTF-8 (at byte 3)"},
    };
    /* clang-format on */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        build_chunks(&b, cases[i].c, cases[i].k);
        expect_lim(b.f, b.n, NULL, cases[i].e, cases[i].text, (int)(1000 + i));
    }
    /* U+10FFFF itself, the last code point, is a valid comment */
    cspec last[] = {{"cOMt", "ok\xf4\x8f\xbf\xbf", 7}};
    build_chunks(&b, last, 1);
    EXPECT(b.f, b.n, DIR_OK, NULL);

    /* Structure of the list. */
    cspec one[] = {{"cOMt", "hello", 6}};
    build_chunks(&b, one, 1);
    EXPECT(b.f, b.n, DIR_OK, NULL);
    static const patch structure[] = {
        {PATCH_XOR, V2_HDR + 8, 1, DIR_ECRC,
         "chunk 0 (cOMt) CRC mismatch"}, /* data changed, CRC not */
        {PATCH_XOR, V2_HDR + 8 + 6, 1, DIR_ECRC,
         "chunk 0 (cOMt) CRC mismatch: stored"}, /* the CRC */
        {PATCH_WORD, V2_HDR + 4, 7, DIR_ECHUNK,  /* length past the list */
         "chunk 0 (cOMt) length 7 runs past the end of the chunk list"},
        {PATCH_WORD, V2_HDR + 4, 0xffffffffu, DIR_ECHUNK,
         "length 4294967295 is over the format's maximum (67108864)"},
        /* shorter: the CRC is then read from the data */
        {PATCH_WORD, V2_HDR + 4, 5, DIR_ECRC, "CRC mismatch"},
    };
    expect_patches(b.f, b.n, structure, sizeof structure / sizeof structure[0], 1, "chunk list");
    /* Two chunks declared, one present: the second's header runs out. */
    cspec two[] = {{"cOMt", "hello", 6}, {"zzzz", NULL, 0}};
    build_chunks(&b, two, 2);
    EXPECT(b.f, b.n, DIR_OK, NULL);
    static const patch count[] = {
        /* one declared: 12 bytes left over */
        {PATCH_WORD, 24, 1, DIR_ECHUNK, "12 bytes in the chunk list after its 1 declared chunks"},
    };
    expect_patches(b.f, b.n, count, 1, 1, "chunk count");
    /* The list ends inside a chunk's data, or inside a chunk's header. */
    uint8_t list[64];
    size_t at = 0;
    v2_chunk(list, &at, "cOMt", "hello", 6);
    v2_chunk(list, &at, "zzzz", "abcdefgh", 8);
    build(&b, 3, 8, list, at - 8, 2); /* cut inside the second chunk's data */
    EXPECT(b.f, b.n, DIR_ECHUNK, "chunk 1 (zzzz) length 8 runs past the end of the chunk list");
    build(&b, 3, 8, list, 18 + 11, 2); /* the second chunk's header does not fit */
    EXPECT(b.f, b.n, DIR_ECHUNK, "chunk 1 starts 11 bytes before the end of the chunk list");
    build(&b, 3, 8, list, 18 + 11, 3); /* 3 chunks cannot fit in 29 bytes */
    EXPECT(b.f, b.n, DIR_EHEADER, "a chunk list of 29 bytes cannot hold 3 chunks");

    /* Limits: chunk count, one chunk's size, the list's size. */
    build_chunks(&b, all, 7);
    dir_limits lim;
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 6, 0, 0), DIR_OK);
    expect_lim(b.f, b.n, &lim, DIR_ELIMIT, "7 chunks, over the limit of 6", __LINE__);
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 0, 131, 0), DIR_OK);
    expect_lim(b.f, b.n, &lim, DIR_ELIMIT, "chunk 6 (iCCP) of 132 bytes is over the limit of 131",
               __LINE__);
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 0, 0, 100), DIR_OK);
    expect_lim(b.f, b.n, &lim, DIR_ELIMIT, "over the limit of 100", __LINE__);
    /* the order of FORMAT.md 0.1: the chunks size's own range before the
     * chunk count's limit */
    {
        built o = b;
        put32(o.f + 28, DIR_MAX_CHUNKS_SIZE + 1);
        dir_limits_default(&lim);
        CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 6, 0, 0), DIR_OK);
        expect_lim(o.f, o.n, &lim, DIR_EHEADER,
                   "chunk list of 134217729 bytes is over the format's maximum", __LINE__);
    }
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 7, 132, 4096), DIR_OK);
    expect_lim(b.f, b.n, &lim, DIR_OK, NULL, __LINE__);
    /* only stricter, never looser */
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, DIR_MAX_CHUNKS + 1, 0, 0), DIR_EINVAL);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 0, DIR_MAX_CHUNK_SIZE + 1, 0), DIR_EINVAL);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 0, 0, DIR_MAX_CHUNKS_SIZE + 1), DIR_EINVAL);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 100, 1000, 10000), DIR_OK);
    CHECK_EQ_INT(lim.max_chunks, 7);
    CHECK_EQ_INT(lim.max_chunk_size, 132);
    CHECK_EQ_INT(lim.max_chunks_size, 4096);
    /* limits initialised by hand with the first three fields only */
    dir_limits old = {DIR_MAX_DIM, DIR_MAX_DIM, DIR_MAX_PIXELS, 0, 0, 0};
    expect_lim(b.f, b.n, &old, DIR_OK, NULL, __LINE__);
    /* the declared size reads the chunk limits from the header alone */
    uint64_t decl;
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict_chunks(&lim, 6, 0, 0), DIR_OK);
    CHECK_EQ_INT(dir_declared_size(b.f, MINFILE, &lim, &decl, NULL), DIR_ELIMIT);
    CHECK_EQ_INT(dir_declared_size(b.f, MINFILE, NULL, &decl, NULL), DIR_OK);
    CHECK_EQ_INT(decl, b.n);
}

/* The encoder refuses what it cannot write. */
static void test_encode_errors(void)
{
    uint16_t px16[8 * 8 * 4 + 1];
    memset(px16, 0, sizeof px16);
    dir_encode_options o;
    dir_encode_options_default(&o);
    void *f = (void *)1;
    size_t n;
    dir_diag dg;
    static const struct {
        unsigned c, depth;
        size_t stride;
        int shift;
        const char *text;
    } bad[] = {
        {0, 8, 0, 0, "channels 0 not supported (1..4)"},
        {5, 8, 0, 0, "channels 5"},
        {3, 12, 0, 0, "depth 12 not supported (8 or 16)"},
        {3, 16, 49, 0, "16-bit samples need a 2-byte aligned buffer and an even stride"},
        {3, 16, 0, 1, "2-byte aligned"},
        {3, 16, 46, 0, "stride smaller than a row"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dir_pixels px = {
            (const uint8_t *)px16 + bad[i].shift, 8, 8, bad[i].c, bad[i].depth, bad[i].stride};
        f = (void *)1;
        CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &f, &n, NULL, &dg), DIR_EINVAL);
        CHECK(f == NULL);
        if (!strstr(dg.message, bad[i].text)) {
            fprintf(stderr, "encode case %zu: \"%s\" lacks \"%s\"\n", i, dg.message, bad[i].text);
            test_failures++;
        }
    }
    dir_pixels px = {px16, 8, 8, 3, 16, 0};
    dir_metadata m;
    uint8_t icc_bad[132];
    memcpy(icc_bad, icc, sizeof icc);
    icc_bad[36] = 0;
    static const char bad_utf8[] = "caf\xe9";
    const struct {
        int field;
        const char *text;
        dir_error e;
    } metas[] = {
        {0, "ICC profile lacks its 'acsp' signature", DIR_EINVAL},
        {1, "EXIF does not start with a TIFF header", DIR_EINVAL},
        {2, "XMP packet is not UTF-8", DIR_EINVAL},
        {3, "comment is not UTF-8 (at byte 3)", DIR_EINVAL},
        {4, "density 300 x 0 pixels per metre: give both or neither", DIR_EINVAL},
        {5, "a size without its data", DIR_EINVAL},
        {6, "ICC profile of 67108865 bytes is over the chunk maximum", DIR_ELIMIT},
    };
    for (size_t i = 0; i < sizeof metas / sizeof metas[0]; i++) {
        memset(&m, 0, sizeof m);
        switch (metas[i].field) {
        case 0: m.icc = icc_bad, m.icc_size = sizeof icc_bad; break;
        case 1: m.exif = "Exif\0\0MM\0*", m.exif_size = 12; break;
        case 2: m.xmp = bad_utf8, m.xmp_size = 4; break;
        case 3: m.comment = bad_utf8; break;
        case 4: m.density_x = 300; break;
        case 5: m.xmp_size = 3; break;
        default: m.icc = icc, m.icc_size = (size_t)DIR_MAX_CHUNK_SIZE + 1; break;
        }
        f = (void *)1;
        dir_error e = dir_encode_image(&px, &m, &o, &f, &n, NULL, &dg);
        if (e != metas[i].e || !strstr(dg.message, metas[i].text)) {
            fprintf(stderr, "meta case %zu: %d \"%s\", want %d \"%s\"\n", i, e, dg.message,
                    metas[i].e, metas[i].text);
            test_failures++;
        }
        CHECK(f == NULL);
    }
    /* An empty comment is a comment: one NUL byte. */
    memset(&m, 0, sizeof m);
    m.comment = "";
    CHECK_EQ_INT(dir_encode_image(&px, &m, &o, &f, &n, NULL, NULL), DIR_OK);
    dir_metadata got;
    CHECK_EQ_INT(dir_read_metadata(f, n, &got, NULL), DIR_OK);
    CHECK(got.comment && got.comment[0] == 0);
    dir_free(f);
    /* A version-1 file has no metadata. */
    uint8_t rgb[3] = {1, 2, 3};
    dir_pixels p1 = {rgb, 1, 1, 3, 8, 0};
    o.filter = DIR_FILTER_NONE;
    o.backend = DIR_BACKEND_NONE;
    CHECK_EQ_INT(dir_encode_image(&p1, NULL, &o, &f, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(((uint8_t *)f)[8], 1);
    memset(&got, 0xff, sizeof got);
    CHECK_EQ_INT(dir_read_metadata(f, n, &got, NULL), DIR_OK);
    dir_metadata none;
    memset(&none, 0, sizeof none);
    CHECK(memcmp(&got, &none, sizeof got) == 0);
    dir_free(f);
}

/* A version-2 encode can be cancelled through the progress callback. */
static int stop_now(void *user, double done)
{
    (void)done;
    ++*(int *)user;
    return 1;
}

static void test_cancel(void)
{
    uint8_t px8[32 * 32 * 2];
    memset(px8, 7, sizeof px8);
    dir_pixels px = {px8, 32, 32, 2, 8, 0};
    dir_encode_options o;
    dir_encode_options_default(&o);
    int calls = 0;
    o.progress = stop_now;
    o.progress_user = &calls;
    void *f = (void *)1;
    size_t n;
    CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &f, &n, NULL, NULL), DIR_ECANCELLED);
    CHECK(f == NULL);
    CHECK(calls >= 1);
}

/* threads: a stream of 4 MiB and more is compressed as zstd jobs on worker
 * threads; the bytes are the same for any worker count (0 = one per
 * processor, 2, 3), another stream for the calling thread alone (1), and
 * every one of them decodes exactly. */
static void test_threads(void)
{
    const uint32_t w = 1100, h = 1000; /* 4.4 MB of RGBA noise: one big stream */
    uint8_t *px8 = malloc((size_t)w * h * 4);
    uint32_t x = 12345;
    for (size_t i = 0; i < (size_t)w * h * 4; i++) {
        x = x * 1103515245u + 12345u;
        px8[i] = (uint8_t)(x >> 28); /* 4 bits of noise: compressible, no repeats */
    }
    dir_pixels px = {px8, w, h, 4, 8, 0};
    static const unsigned threads[] = {0, 1, 2, 3};
    void *file[4] = {NULL};
    size_t size[4] = {0};
    for (unsigned k = 0; k < 4; k++) {
        dir_encode_options o;
        dir_encode_options_default(&o);
        CHECK_EQ_INT(dir_option_set(&o, "preset", "fast", NULL), DIR_OK);
        char t[8];
        snprintf(t, sizeof t, "%u", threads[k]);
        CHECK_EQ_INT(dir_option_set(&o, "threads", t, NULL), DIR_OK);
        CHECK_EQ_INT(o.threads, threads[k]);
        CHECK_EQ_INT(dir_encode_image(&px, NULL, &o, &file[k], &size[k], NULL, NULL), DIR_OK);
        void *back = NULL;
        dir_info info;
        CHECK_EQ_INT(dir_decode_alloc(file[k], size[k], NULL, &back, &info, NULL, NULL), DIR_OK);
        CHECK(back && memcmp(back, px8, (size_t)w * h * 4) == 0);
        dir_free(back);
    }
    CHECK(size[0] == size[2] && memcmp(file[0], file[2], size[0]) == 0);
    CHECK(size[0] == size[3] && memcmp(file[0], file[3], size[0]) == 0);
    CHECK(size[0] != size[1] || memcmp(file[0], file[1], size[0]) != 0);
    for (unsigned k = 0; k < 4; k++)
        dir_free(file[k]);
    free(px8);
}

int main(void)
{
    make_icc();
    test_threads();
    test_roundtrips();
    test_version_choice();
    test_describe();
    test_golden();
    test_header_fields();
    test_chunks();
    test_encode_errors();
    test_cancel();
    free(pay);
    TEST_DONE();
}
