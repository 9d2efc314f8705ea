/* SPDX-License-Identifier: MIT */
/* Bit-exact round trips for every channel count, filter, layout and back end,
 * over synthetic images of awkward sizes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "testutil.h"

static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

enum { NOISE, SPARSE, STRIPES, CHESS, GRADIENT, FEW, KINDS };

static void draw(uint8_t *p, uint32_t w, uint32_t h, unsigned c, int kind)
{
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (unsigned k = 0; k < c; k++) {
                uint8_t *o = p + ((size_t)y * w + x) * c + k;
                switch (kind) {
                case NOISE: *o = (uint8_t)next(); break;
                case SPARSE: *o = next() % 9 == 0 ? (uint8_t)(next() | 1) : 0; break;
                case STRIPES: *o = (uint8_t)((x / 3 + y / 5) % 4 * 60 + k); break;
                case CHESS:
                    *o = ((x / 16 + y / 16) & 1) ? (uint8_t)(200 + k) : (uint8_t)(10 * k);
                    break;
                case GRADIENT: *o = (uint8_t)(x + 2 * y + 40 * k); break;
                default: *o = (uint8_t)((x * 7 + y * 13) % 5 * 50 + k); break;
                }
            }
}

static void roundtrip(uint32_t w, uint32_t h, unsigned c, int kind)
{
    size_t n = (size_t)w * h * c;
    uint8_t *p = malloc(n);
    draw(p, w, h, c, kind);
    /* Version 1 forced (every mode of the section coder), then the default
     * choice: version 1 in the seed-pure mode, version 2 otherwise. */
    for (unsigned v = 0; v < 2; v++)
        for (int f = 0; f < 3; f++)
            for (int l = 0; l < 2; l++)
                for (int b = 0; b < 2; b++) {
                    /* Both code choices, whatever the back end. */
                    dir_encode_options o = {.filter = (dir_filter)f,
                                            .layout = (dir_layout)l,
                                            .backend = (dir_backend)b,
                                            .level = 5,
                                            .codes = (l ^ b) ? DIR_CODES_SMALLEST : DIR_CODES_ZSTD,
                                            .format_version = v ? 0 : 1};
                    unsigned want_version =
                        v == 0 || (f == DIR_FILTER_NONE && b == DIR_BACKEND_NONE) ? 1 : 2;
                    void *out = NULL, *px = NULL;
                    size_t size = 0;
                    dir_diag dg;
                    dir_stats se, sd;
                    dir_info info;
                    dir_error e = dir_encode(p, w, h, c, 0, &o, &out, &size, &se, &dg);
                    CHECK_EQ_INT(e, DIR_OK);
                    if (e) continue;
                    e = dir_decode_alloc(out, size, NULL, &px, &info, &sd, &dg);
                    if (e)
                        fprintf(stderr, "%ux%u c%u kind %d f%d l%d b%d: %s\n", w, h, c, kind, f, l,
                                b, dg.message);
                    CHECK_EQ_INT(e, DIR_OK);
                    if (!e) {
                        CHECK(memcmp(px, p, n) == 0);
                        CHECK_EQ_INT(info.width, w);
                        CHECK_EQ_INT(info.height, h);
                        CHECK_EQ_INT(info.channels, c);
                        CHECK_EQ_INT(info.version, want_version);
                        CHECK_EQ_INT(info.depth, 8);
                        if (want_version == 1) {
                            CHECK_EQ_INT(info.layout, l);
                            CHECK_EQ_INT(info.backend, b);
                            if (f != DIR_FILTER_AUTO) CHECK_EQ_INT(info.filter, f);
                        }
                        CHECK(memcmp(se.code_count, sd.code_count, sizeof se.code_count) == 0);
                        CHECK_EQ_INT(sd.file_bytes, size);
                        CHECK_EQ_INT(info.crc, dir_crc32(0, p, n));
                    }
                    free(px);
                    dir_free(out);
                }
    free(p);
}

/* A strided source encodes like the packed one. */
static void strided(void)
{
    uint32_t w = 37, h = 21;
    unsigned c = 3;
    size_t stride = w * c + 11;
    uint8_t *p = malloc(stride * h), *packed = malloc((size_t)w * h * c);
    for (size_t i = 0; i < stride * h; i++)
        p[i] = (uint8_t)next();
    for (uint32_t y = 0; y < h; y++)
        memcpy(packed + (size_t)y * w * c, p + y * stride, w * c);
    void *a, *b;
    size_t as, bs;
    CHECK_EQ_INT(dir_encode(p, w, h, c, stride, NULL, &a, &as, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_encode(packed, w, h, c, 0, NULL, &b, &bs, NULL, NULL), DIR_OK);
    CHECK(as == bs && memcmp(a, b, as) == 0);
    dir_free(a);
    dir_free(b);
    free(p);
    free(packed);
}

/* Edge sections refer to full sections whose part at their in-image
 * positions is equal: a 40x40 image tiling one 16x16 noise tile has full
 * sections 0, 1, 3, 4 (0 raw, the others references), right-column edge
 * sections 2 and 5, bottom-row edge sections 6 and 7 and the corner 8, all
 * references to section 0 (the image is the tile repeated, so every part
 * equals the same part of section 0).  Regression: edge sections used to be
 * coded on their own (here 07 or 04) although a one-byte reference was
 * legal. */
static void edge_references(void)
{
    enum { W = 40, H = 40 };
    static const unsigned chans[] = {1, 3, 4};
    for (size_t ci = 0; ci < 3; ci++) {
        unsigned c = chans[ci];
        uint8_t tile[16 * 16 * 4], *img = malloc((size_t)W * H * c);
        for (size_t i = 0; i < sizeof tile; i++)
            tile[i] = (uint8_t)next();
        for (uint32_t y = 0; y < H; y++)
            for (uint32_t x = 0; x < W; x++)
                memcpy(img + ((size_t)y * W + x) * c, tile + ((y % 16) * 16 + x % 16) * c, c);
        dir_encode_options o;
        dir_encode_options_default(&o);
        o.filter = DIR_FILTER_NONE;
        o.backend = DIR_BACKEND_NONE;
        void *f;
        size_t n;
        dir_stats st;
        CHECK_EQ_INT(dir_encode(img, W, H, c, 0, &o, &f, &n, &st, NULL), DIR_OK);
        CHECK_EQ_INT(st.code_count[7], 1);
        CHECK_EQ_INT(st.code_count[3], 8);
        /* header, 9 codes, one raw section, 8 one-byte distances */
        CHECK_EQ_INT(n, (size_t)DIR_HEADER_SIZE + 9 + 256 * c + 8);
        uint8_t *back = malloc((size_t)W * H * c);
        CHECK_EQ_INT(dir_decode(f, n, NULL, back, (size_t)W * H * c, NULL, NULL, NULL), DIR_OK);
        CHECK(memcmp(back, img, (size_t)W * H * c) == 0);
        free(back);
        dir_free(f);
        free(img);
    }
}

/* The progress callback: reports rise from 0 to exactly 1, with several in
 * the zstd phase of a large image; a nonzero return cancels the encode. */
typedef struct {
    int calls, after_build;
    double last;
    int bad;
    int stop_at; /* cancel at this call (0: never) */
} prog_log;

static int on_progress(void *user, double done)
{
    prog_log *p = user;
    p->calls++;
    if (!(done >= p->last && done <= 1.0)) p->bad++;
    if (done > 0.3) p->after_build++;
    p->last = done;
    return p->stop_at && p->calls == p->stop_at;
}

static void progress(void)
{
    enum { W = 1024, H = 1024 };
    uint8_t *img = malloc((size_t)W * H * 3);
    for (size_t i = 0; i < (size_t)W * H * 3; i++)
        img[i] = (uint8_t)next();
    dir_encode_options o;
    dir_encode_options_default(&o);
    o.level = 1;
    o.format_version = 1; /* the section coder's phases (v2: tests/core/test_v2.c) */
    prog_log log = {0};
    o.progress = on_progress;
    o.progress_user = &log;
    void *f = NULL;
    size_t n;
    CHECK_EQ_INT(dir_encode(img, W, H, 3, 0, &o, &f, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(log.bad, 0);
    CHECK(log.last == 1.0);
    /* 3 MiB of raw sections: the compression reports after each MiB */
    CHECK(log.after_build >= 3);
    CHECK(log.calls >= 2 * (H / 16));
    uint8_t *back = malloc((size_t)W * H * 3);
    CHECK_EQ_INT(dir_decode(f, n, NULL, back, (size_t)W * H * 3, NULL, NULL, NULL), DIR_OK);
    CHECK(memcmp(back, img, (size_t)W * H * 3) == 0);
    dir_free(f);
    /* cancelled while building, and while compressing */
    int stops[2] = {5, log.calls - 1};
    for (int k = 0; k < 2; k++) {
        prog_log c = {0};
        c.stop_at = stops[k];
        o.progress_user = &c;
        dir_diag d;
        f = (void *)1;
        CHECK_EQ_INT(dir_encode(img, W, H, 3, 0, &o, &f, &n, NULL, &d), DIR_ECANCELLED);
        CHECK(f == NULL);
        CHECK_EQ_INT(c.calls, stops[k]);
    }
    free(back);
    free(img);
}

int main(void)
{
    static const uint32_t sizes[][2] = {{1, 1},   {17, 33}, {4096, 1}, {1, 4096},
                                        {16, 16}, {48, 32}, {100, 37}, {15, 17}};
    static const unsigned chans[] = {1, 3, 4};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t ci = 0; ci < 3; ci++)
            for (int k = 0; k < KINDS; k++)
                roundtrip(sizes[s][0], sizes[s][1], chans[ci], k);
    strided();
    edge_references();
    progress();
    TEST_DONE();
}
