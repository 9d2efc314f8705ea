/* SPDX-License-Identifier: MIT */
/* Each of the nine section codes, the author's examples, and golden files
 * checked byte by byte against docs/FORMAT.md: all version 1 (forced with
 * format_version 1 where a mode would otherwise write version 2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "dirtest.h"
#include "testutil.h"

static const dir_encode_options pure = {.filter = DIR_FILTER_NONE,
                                        .layout = DIR_LAYOUT_ORDERED,
                                        .backend = DIR_BACKEND_NONE,
                                        .level = 1,
                                        .codes = DIR_CODES_SMALLEST,
                                        .format_version = 1};

/* Sets pixel (x, y) of a w-wide image to colour `v` (channel i = byte i). */
static void px(uint8_t *img, uint32_t w, unsigned c, uint32_t x, uint32_t y, uint32_t v)
{
    for (unsigned i = 0; i < c; i++)
        img[((size_t)y * w + x) * c + i] = (uint8_t)(v >> (8 * i));
}

/* Encodes with `opt`, checks the round trip, returns the file. */
static uint8_t *enc_with(const dir_encode_options *opt, const uint8_t *img, uint32_t w, uint32_t h,
                         unsigned c, size_t *size, dir_stats *st)
{
    void *out = NULL, *back = NULL;
    CHECK_EQ_INT(dir_encode(img, w, h, c, 0, opt, &out, size, st, NULL), DIR_OK);
    CHECK_EQ_INT(dir_decode_alloc(out, *size, NULL, &back, NULL, NULL, NULL), DIR_OK);
    CHECK(back && memcmp(back, img, (size_t)w * h * c) == 0);
    dir_free(back);
    return out;
}

/* Encodes in seed-pure mode (ordered layout). */
static uint8_t *enc(const uint8_t *img, uint32_t w, uint32_t h, unsigned c, size_t *size,
                    dir_stats *st)
{
    return enc_with(&pure, img, w, h, c, size, st);
}

/* The encoder, with `opt`, must write exactly `gold` (written by hand from
 * docs/FORMAT.md), and `gold` must decode to `img`. */
static void golden_bytes(const dir_encode_options *opt, const uint8_t *gold, size_t gsize,
                         const uint8_t *img, uint32_t w, uint32_t h, unsigned c, int line)
{
    size_t n = (size_t)w * h * c, size = 0;
    void *out = NULL;
    CHECK_EQ_INT(dir_encode(img, w, h, c, 0, opt, &out, &size, NULL, NULL), DIR_OK);
    expect_bytes(out, size, gold, gsize, "encoder wrote", line);
    dir_free(out);
    uint8_t *back = malloc(n);
    CHECK_EQ_INT(dir_decode(gold, gsize, NULL, back, n, NULL, NULL, NULL), DIR_OK);
    if (memcmp(back, img, n) != 0) {
        fprintf(stderr, "line %d: the golden file decodes to other pixels\n", line);
        test_failures++;
    }
    free(back);
}

/* The same, with the golden file built from `spec` (streams by hand). */
static void golden_spec(const file_spec *spec, const uint8_t *img, int line)
{
    dir_encode_options opt = pure;
    opt.filter = spec->filter ? DIR_FILTER_SUB : DIR_FILTER_NONE;
    opt.layout = spec->layout ? DIR_LAYOUT_INTERLEAVED : DIR_LAYOUT_ORDERED;
    size_t gsize;
    uint8_t *gold = make_file(spec, &gsize);
    golden_bytes(&opt, gold, gsize, img, spec->width, spec->height, spec->channels, line);
    free(gold);
}
#define GOLDEN_SPEC(spec, img) golden_spec(spec, img, __LINE__)

/* One 16x16 section whose only code must be `code`. */
static uint8_t *one_section(const uint8_t *img, unsigned c, unsigned code, size_t *size)
{
    dir_stats st;
    uint8_t *f = enc(img, 16, 16, c, size, &st);
    if (st.code_count[code] != 1) fprintf(stderr, "expected code %02u\n", code);
    CHECK_EQ_INT(st.code_count[code], 1);
    return f;
}

static void test_each_code(void)
{
    uint8_t img[16 * 16 * 4];
    size_t size;
    uint8_t *f;

    memset(img, 0, sizeof img); /* 00 */
    f = one_section(img, 3, 0, &size);
    CHECK_EQ_INT(size, HDR + 1);
    free(f);

    for (int i = 0; i < 256; i++)
        px(img, 16, 3, i % 16, i / 16, 0x112233); /* 01 */
    f = one_section(img, 3, 1, &size);
    CHECK_EQ_INT(size, HDR + 1 + 3);
    CHECK(memcmp(f + HDR + 1, "\x33\x22\x11", 3) == 0);
    free(f);

    px(img, 16, 3, 3, 5, 0x0000ff); /* 02: one pixel at X=3, Y=5 */
    f = one_section(img, 3, 2, &size);
    CHECK_EQ_INT(size, HDR + 1 + 7);
    CHECK(memcmp(f + HDR + 1, "\x33\x22\x11\xff\x00\x00\x35", 7) == 0);
    free(f);

    /* 04: A on 230 pixels, B on 26: eliminating one colour (3 + 30 + 3) beats
     * the bitmap of code 08 (38) and code 06 (60). */
    for (int i = 0; i < 256; i++)
        px(img, 16, 3, i % 16, i / 16, i < 230 ? 0x0a0b0c : 0x010203);
    f = one_section(img, 3, 4, &size);
    CHECK_EQ_INT(size, HDR + 1 + 36);
    free(f);

    /* 05: zero plus two sparse colours. */
    memset(img, 0, sizeof img);
    px(img, 16, 3, 4, 4, 0x445566);
    px(img, 16, 3, 9, 1, 0x778899);
    f = one_section(img, 3, 5, &size);
    CHECK_EQ_INT(size, HDR + 1 + 3 + 2 + 3 + 2 + 3);
    free(f);

    /* 06: no zero; A on 254 pixels and B, C on one each: code 06 (6+5+5)
     * ties with 04 and comes first. */
    for (int i = 0; i < 256; i++)
        px(img, 16, 3, i % 16, i / 16, 0x0a0b0c);
    px(img, 16, 3, 0, 0, 0x010101);
    px(img, 16, 3, 15, 15, 0x020202);
    f = one_section(img, 3, 6, &size);
    CHECK_EQ_INT(size, HDR + 1 + 16);
    free(f);

    for (int i = 0; i < 256; i++)
        px(img, 16, 3, i % 16, i / 16, (uint32_t)i * 0x010305); /* 07 */
    f = one_section(img, 3, 7, &size);
    CHECK_EQ_INT(size, HDR + 1 + 768);
    free(f);

    for (int i = 0; i < 256; i++)
        px(img, 16, 4, i % 16, i / 16, (i ^ i / 16) & 1 ? 0xff000000 : 0x80808080); /* 08 */
    f = one_section(img, 4, 8, &size);
    CHECK_EQ_INT(size, HDR + 1 + 40);
    free(f);

    /* Grey 05 with two bitmap entries (33..224 pixels): 9 in columns 0, 4,
     * 8 and 12 (64 pixels), zero on the rest of rows 0-5 and of row 6 left
     * of x = 4 (75), 7 elsewhere (117).  05 costs 34 + 34 + 1 = 69, 04
     * (either colour eliminated) 70. */
    uint8_t g[256];
    for (int i = 0; i < 256; i++)
        g[i] = i % 4 == 0 ? 9 : (i < 100 ? 0 : 7);
    file_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.channels = 1;
    spec.width = spec.height = 16;
    spec.crc = dir_crc32(0, g, sizeof g);
    STREAM(0, 5);
    STREAM(9, 9, 7, 0);  /* entry colours in order of first address, terminator */
    STREAM(10, 64, 117); /* counts */
    /* 9: addresses 00-0f, 40-4f, 80-8f, c0-cf.  7: column X = 1..3 from
     * row 7 (bit 7 of byte 2X, byte 2X + 1), the other columns from row 6
     * (bits 6-7 of byte 2X, byte 2X + 1). */
    STREAM(12,
           /* 9 */
           0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0,
           0xff, 0xff, 0, 0, 0, 0, 0, 0,
           /* 7 */
           0, 0, 0x80, 0xff, 0x80, 0xff, 0x80, 0xff, 0, 0, 0xc0, 0xff, 0xc0, 0xff, 0xc0, 0xff, 0, 0,
           0xc0, 0xff, 0xc0, 0xff, 0xc0, 0xff, 0, 0, 0xc0, 0xff, 0xc0, 0xff, 0xc0, 0xff);
    GOLDEN_SPEC(&spec, g);
    dir_stats st;
    f = enc(g, 16, 16, 1, &size, &st);
    CHECK_EQ_INT(st.code_count[5], 1);
    CHECK_EQ_INT(st.stream_bytes[11], 0);
    CHECK_EQ_INT(st.stream_bytes[12], 64);
    free(f);

    /* Grey 05 with a reverse entry (225..255 pixels): 5 on 239 pixels, zero
     * at (1, 1) and on row 15 (17 pixels).  05 costs 2 + 17 + 1 = 20, 04
     * (E = 5, zero's 17 addresses) 21, 08 34. */
    for (int i = 0; i < 256; i++)
        g[i] = i == 17 || i >= 240 ? 0 : 5;
    memset(&spec, 0, sizeof spec);
    spec.channels = 1;
    spec.width = spec.height = 16;
    spec.crc = dir_crc32(0, g, sizeof g);
    STREAM(0, 5);
    STREAM(9, 5, 0);
    STREAM(10, 239);
    /* the 17 addresses where 5 is not: 11 and X << 4 | f */
    STREAM(11, 0x0f, 0x11, 0x1f, 0x2f, 0x3f, 0x4f, 0x5f, 0x6f, 0x7f, 0x8f, 0x9f, 0xaf, 0xbf, 0xcf,
           0xdf, 0xef, 0xff);
    GOLDEN_SPEC(&spec, g);
    f = enc(g, 16, 16, 1, &size, &st);
    CHECK_EQ_INT(st.code_count[5], 1);
    CHECK_EQ_INT(st.stream_bytes[11], 17);
    CHECK_EQ_INT(st.stream_bytes[12], 0);
    free(f);
}

/* 03: a chess board of 16x16 squares repeats its two sections. */
static void test_chess(void)
{
    const uint32_t w = 128, h = 128;
    for (unsigned c = 1; c <= 4; c++) {
        if (c == 2) continue;
        uint8_t *img = malloc((size_t)w * h * c);
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                /* Textured squares, so a reference is the cheapest code. */
                uint32_t dark = (x / 16 + y / 16) & 1;
                uint32_t v = dark ? 0x202020u + (x % 4 == 0 ? 0x10 : 0)
                                  : 0xe0e0e0u + (y % 4 == 0 ? 0x01 : 0);
                px(img, w, c, x, y, v);
            }
        size_t size;
        dir_stats st;
        uint8_t *f = enc(img, w, h, c, &size, &st);
        CHECK_EQ_INT(st.code_count[3], 64 - 2);
        free(f);
        free(img);
    }
}

/* The author's 4x4 example in a 16x16 RGB section, and his "Section 2". */
static void test_author_examples(void)
{
    uint8_t s1[16 * 16 * 3], s2[16 * 16 * 3];
    memset(s1, 0, sizeof s1);
    memset(s2, 0, sizeof s2);
    for (uint32_t y = 0; y < 4; y++) {
        px(s1, 16, 3, 1, y, 0x247621); /* bytes 21 76 24 */
        px(s1, 16, 3, 3, y, 0x873722); /* bytes 22 37 87 */
    }
    for (uint32_t x = 0; x < 4; x++) {
        px(s2, 16, 3, x, 0, 0x247621);
        px(s2, 16, 3, x, 1, 0x873722);
    }
    /* The interleaved layout keeps the method's own byte order. */
    dir_encode_options il = pure;
    il.layout = DIR_LAYOUT_INTERLEAVED;
    size_t n1, n2;
    dir_stats st1, st2;
    uint8_t *f1 = enc_with(&il, s1, 16, 16, 3, &n1, &st1);
    uint8_t *f2 = enc_with(&il, s2, 16, 16, 3, &n2, &st2);
    static const uint8_t payload1[] = {0x21, 0x76, 0x24, 0x04, 0x10, 0x11, 0x12, 0x13, 0x22, 0x37,
                                       0x87, 0x04, 0x30, 0x31, 0x32, 0x33, 0x00, 0x00, 0x00};
    static const uint8_t payload2[] = {0x21, 0x76, 0x24, 0x04, 0x00, 0x10, 0x20, 0x30, 0x22, 0x37,
                                       0x87, 0x04, 0x01, 0x11, 0x21, 0x31, 0x00, 0x00, 0x00};
    CHECK_EQ_INT(st1.code_count[5], 1);
    CHECK_EQ_INT(n1, HDR + 1 + sizeof payload1);
    CHECK_EQ_INT(n1, n2);
    CHECK(f1[HDR] == 5 && memcmp(f1 + HDR + 1, payload1, sizeof payload1) == 0);
    CHECK(f2[HDR] == 5 && memcmp(f2 + HDR + 1, payload2, sizeof payload2) == 0);
    free(f1);
    free(f2);
    /* Ordered: the same bytes, split into the colour, count and address
     * streams of code 05 (streams 9, 10 and 11). */
    f1 = enc(s1, 16, 16, 3, &n1, &st1);
    f2 = enc(s2, 16, 16, 3, &n2, &st2);
    static const uint8_t split1[] = {5, 0x21, 0x76, 0x24, 0x22, 0x37, 0x87, 0,    0,    0,
                                     4, 4,    0x10, 0x11, 0x12, 0x13, 0x30, 0x31, 0x32, 0x33};
    CHECK_EQ_INT(n1, HDR + sizeof split1);
    CHECK_EQ_INT(n1, n2);
    CHECK(memcmp(f1 + HDR, split1, sizeof split1) == 0);
    free(f1);
    free(f2);
}

/* Golden files, written field by field from docs/FORMAT.md. */
static void test_golden(void)
{
    /* 1x1 RGB 01 02 03: section 8 of FORMAT.md. */
    static const uint8_t golden1[116] = {
        0x8b, 'D',  'I',  'R',  0x0d, 0x0a, 0x1a, 0x0a, /* magic */
        1,    3,    0,    0,    0,    0,    0,    0, /* version, channels, filter, layout, back end
                                                      */
        1,    0,    0,    0,    1,    0,    0,    0, /* width, height */
        0x1d, 0x80, 0xbc, 0x55,                      /* CRC-32 of 01 02 03, 0x55bc801d */
        1,    0,    0,    0,    3,    0,    0,    0, /* size[0], size[1] */
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0,
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, /* size[2..7] */
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0,
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, /* size[8..13] */
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0,
        0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, /* size[14..19] */
        0,    0,    0,    0,                                        /* packed */
        0x01,                                                       /* stream 0: code 01 */
        0x01, 0x02, 0x03};                                          /* stream 1: the colour */
    static const uint8_t pix1[3] = {1, 2, 3};
    void *out;
    size_t size;
    CHECK_EQ_INT(dir_encode(pix1, 1, 1, 3, 0, &pure, &out, &size, NULL, NULL), DIR_OK);
    CHECK(size == sizeof golden1 && memcmp(out, golden1, size) == 0);
    dir_free(out);
    uint8_t back[3];
    CHECK_EQ_INT(dir_decode(golden1, sizeof golden1, NULL, back, 3, NULL, NULL, NULL), DIR_OK);
    CHECK(memcmp(back, pix1, 3) == 0);

    /* The same image, interleaved: stream 0 holds code and payload. */
    uint8_t golden2[116];
    memcpy(golden2, golden1, 116);
    golden2[11] = 1;
    put32(golden2 + SIZES, 4);
    put32(golden2 + SIZES + 4, 0);
    dir_encode_options il = pure;
    il.layout = DIR_LAYOUT_INTERLEAVED;
    CHECK_EQ_INT(dir_encode(pix1, 1, 1, 3, 0, &il, &out, &size, NULL, NULL), DIR_OK);
    CHECK(size == sizeof golden2 && memcmp(out, golden2, size) == 0);
    dir_free(out);

    /* Grey 16x32: two equal two-colour sections -> codes 08 and 03. */
    uint8_t g[16 * 32];
    for (int i = 0; i < 16 * 32; i++)
        g[i] = (i % 16) < 4 ? 0x50 : 0xa0; /* columns 0-3 */
    file_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.channels = 1;
    spec.width = 16;
    spec.height = 32;
    spec.crc = dir_crc32(0, g, sizeof g);
    STREAM(0, 8, 3);
    STREAM(4, 1); /* 03 distance */
    /* A = 0x50 (address 0x00 first), B = 0xa0; addresses 0x40.. are B: bytes 8..31. */
    STREAM(18, 0x50, 0xa0);
    STREAM(19, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
           0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    size_t gsize;
    uint8_t *golden3 = make_file(&spec, &gsize);
    CHECK_EQ_INT(dir_encode(g, 16, 32, 1, 0, &pure, &out, &size, NULL, NULL), DIR_OK);
    CHECK(size == gsize && memcmp(out, golden3, size) == 0);
    dir_free(out);
    free(golden3);

    /* A hand-made code 06 section with a reverse entry: grey 16x16, colour 7
     * everywhere but addresses 0x00 and 0xff, which are 9. */
    memset(&spec, 0, sizeof spec);
    spec.channels = 1;
    spec.width = 16;
    spec.height = 16;
    uint8_t want[256];
    memset(want, 7, sizeof want);
    want[0] = 9;
    want[255] = 9;
    spec.crc = dir_crc32(0, want, sizeof want);
    STREAM(0, 6);
    STREAM(13, 7, 9);                   /* 06 colours */
    STREAM(14, 254, 2);                 /* 06 counts: 254 is reverse, 2 a list */
    STREAM(15, 0x00, 0xff, 0x00, 0xff); /* 06 addresses */
    uint8_t *f6 = make_file(&spec, &gsize);
    uint8_t got[256];
    CHECK_EQ_INT(dir_decode(f6, gsize, NULL, got, sizeof got, NULL, NULL, NULL), DIR_OK);
    CHECK(memcmp(got, want, 256) == 0);
    free(f6);

    /* Hand-made code 04: E = 5; entries in XOR space; the rest becomes E.
     * Colour 5 ^ 3 = 6 at address 0x12; zero (5 ^ 5) at 0x34. */
    memset(&spec, 0, sizeof spec);
    spec.channels = 1;
    spec.width = 16;
    spec.height = 16;
    memset(want, 5, sizeof want);
    want[0x12 % 16 * 16 + 0x12 / 16] = 6;
    want[0x34 % 16 * 16 + 0x34 / 16] = 0;
    spec.crc = dir_crc32(0, want, sizeof want);
    STREAM(0, 4);
    STREAM(5, 5, 3, 5, 0); /* 04 colours: E, two entries, terminator */
    STREAM(6, 1, 1);       /* 04 counts */
    STREAM(7, 0x12, 0x34); /* 04 addresses */
    uint8_t *f4 = make_file(&spec, &gsize);
    CHECK_EQ_INT(dir_decode(f4, gsize, NULL, got, sizeof got, NULL, NULL, NULL), DIR_OK);
    CHECK(memcmp(got, want, 256) == 0);
    free(f4);
}

/* The boundaries of an entry's positions (FORMAT 4): N = 32 is the longest
 * address list, 33 and 224 the extremes of the bitmap, 225 the longest
 * reverse list.  Each golden file is a 16x16 RGB section of code 05 with
 * A = 11 22 33 (N pixels, address 00 first), B = 44 55 66 at (15, 15),
 * address ff, and the zero colour elsewhere; A's entry comes first.  05
 * beats 04 with E = A by 1 (N = 32, 33) or 2 (N = 224, 225) bytes. */

/* The files of test_entry_sizes: one 16x16 RGB section of code 05 whose
 * entries are A = 11 22 33 and B = 44 55 66, then the zero terminator;
 * the counts and positions are each case's own. */
static void entry_spec(file_spec *f, uint32_t crc)
{
    static const uint8_t code05[] = {5};
    static const uint8_t colours[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0, 0, 0};
    memset(f, 0, sizeof *f);
    f->channels = 3;
    f->width = f->height = 16;
    f->crc = crc;
    f->s[0].data = code05;
    f->s[0].len = sizeof code05;
    f->s[9].data = colours;
    f->s[9].len = sizeof colours;
}

static void test_entry_sizes(void)
{
    static const uint8_t a[3] = {0x11, 0x22, 0x33}, b[3] = {0x44, 0x55, 0x66};
    uint8_t img[16 * 16 * 3];
    file_spec spec;

    /* N = 32: A on rows 0 and 8, addresses 00, 08, 10, ..., f8 (X << 4 |
     * 0 and X << 4 | 8): an address list in stream 11. */
    memset(img, 0, sizeof img);
    for (int x = 0; x < 16; x++) {
        memcpy(img + (0 * 16 + x) * 3, a, 3);
        memcpy(img + (8 * 16 + x) * 3, a, 3);
    }
    memcpy(img + 255 * 3, b, 3);
    entry_spec(&spec, 0xf1f979aa);
    STREAM(10, 32, 1);
    STREAM(11, 0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58, 0x60, 0x68,
           0x70, 0x78, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0, 0xb8, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0,
           0xe8, 0xf0, 0xf8, /* A */
           0xff);            /* B */
    GOLDEN_SPEC(&spec, img);

    /* N = 33: A also at (0, 1), address 01: a bitmap in stream 12, bit 0 of
     * every byte (addresses 8k) and bit 1 of byte 0. */
    memcpy(img + (1 * 16 + 0) * 3, a, 3);
    entry_spec(&spec, 0x66cb19d0);
    STREAM(10, 33, 1);
    STREAM(11, 0xff); /* B */
    STREAM(12, 0x03, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
           0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
           0x01, 0x01, 0x01);
    GOLDEN_SPEC(&spec, img);

    /* N = 224: A everywhere but row 0 right of x = 0 and all of row 8
     * (zero: addresses 8k for k = 1..31) and B: a bitmap, byte 0 ff (00-07),
     * bytes 1-30 fe (8k clear), byte 31 7e (f8 and ff clear). */
    for (int i = 0; i < 256; i++)
        memcpy(img + i * 3, a, 3);
    for (int x = 0; x < 16; x++) {
        if (x > 0) memset(img + (0 * 16 + x) * 3, 0, 3);
        memset(img + (8 * 16 + x) * 3, 0, 3);
    }
    memcpy(img + 255 * 3, b, 3);
    entry_spec(&spec, 0x086c02b2);
    STREAM(10, 224, 1);
    STREAM(11, 0xff); /* B */
    STREAM(12, 0xff, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe,
           0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe, 0xfe,
           0xfe, 0xfe, 0x7e);
    GOLDEN_SPEC(&spec, img);

    /* N = 225: (15, 8), address f8, becomes A too: the zero colour is at 8k
     * for k = 1..30, and A's entry is the reverse list of the 31 addresses
     * where A is not, in stream 11 before B's address. */
    memcpy(img + (8 * 16 + 15) * 3, a, 3);
    entry_spec(&spec, 0x208237e0);
    STREAM(10, 225, 1);
    STREAM(11, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0x48, 0x50, 0x58, 0x60, 0x68, 0x70,
           0x78, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0, 0xb8, 0xc0, 0xc8, 0xd0, 0xd8, 0xe0, 0xe8,
           0xf0, 0xff, /* A: reverse list */
           0xff);      /* B */
    GOLDEN_SPEC(&spec, img);
}

/* The sub filter (FORMAT 5), 3x1 RGB: f[x] = p[x] - p[x+1] per channel,
 * modulo 256, and the last pixel as it is.  p = 01 e2 23, 81 f2 13, 01 02 03
 * gives f = 80 f0 10 (01 - 81, e2 - f2, 23 - 13), 80 f0 10 (81 - 01,
 * f2 - 02, 13 - 03), 01 02 03.  The edge section's don't-care positions take
 * the most frequent colour, 80 f0 10, so the section is code 02 with B =
 * 01 02 03 at address 20 (X = 2, Y = 0). */
static void test_sub_golden(void)
{
    static const uint8_t pix[9] = {0x01, 0xe2, 0x23, 0x81, 0xf2, 0x13, 0x01, 0x02, 0x03};
    static const uint8_t gold[120] = {
        0x8b, 'D', 'I', 'R', 0x0d, 0x0a, 0x1a, 0x0a, /* magic */
        1, 3, 1, 0, 0, 0, 0, 0,                      /* version, RGB, filter sub, ordered, none */
        3, 0, 0, 0, 1, 0, 0, 0,                      /* width 3, height 1 */
        0xce, 0x64, 0x9b, 0xc1,                      /* CRC-32 of p, 0xc19b64ce */
        1, 0, 0, 0, 0, 0, 0, 0,                      /* size[0] = 1, size[1] = 0 */
        6, 0, 0, 0, 1, 0, 0, 0,                      /* size[2] = 6, size[3] = 1 */
        /* size[4..19] */
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0,                   /* packed */
        0x02,                               /* stream 0: code 02 */
        0x80, 0xf0, 0x10, 0x01, 0x02, 0x03, /* stream 2: A = f[0] = f[1], B = f[2] */
        0x20};                              /* stream 3: address of B */
    dir_encode_options o = pure;
    o.filter = DIR_FILTER_SUB;
    golden_bytes(&o, gold, sizeof gold, pix, 3, 1, 3, __LINE__);
    /* The filter is part of the file: as filter none, the same section
     * decodes to f itself. */
    uint8_t g2[120], back[9];
    memcpy(g2, gold, sizeof g2);
    g2[10] = 0;
    static const uint8_t f[9] = {0x80, 0xf0, 0x10, 0x80, 0xf0, 0x10, 0x01, 0x02, 0x03};
    put32(g2 + 24, dir_crc32(0, f, sizeof f));
    CHECK_EQ_INT(dir_decode(g2, sizeof g2, NULL, back, sizeof back, NULL, NULL, NULL), DIR_OK);
    CHECK(memcmp(back, f, sizeof f) == 0);
}

/* Edge sections: positions outside the image are don't-care. */
static void test_edges(void)
{
    uint8_t img[17 * 33 * 3];
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = 0x40;
    size_t size;
    dir_stats st;
    uint8_t *f = enc(img, 17, 33, 3, &size, &st);
    /* Solid everywhere, edge sections included: 6 sections, codes 01 or 03. */
    CHECK_EQ_INT(st.sections, 6);
    CHECK_EQ_INT(st.code_count[1] + st.code_count[3], 6);
    free(f);
}

/* Code choice ZSTD writes entry-list sections raw; SMALLEST keeps them. */
static void test_code_choice(void)
{
    uint8_t img[16 * 16 * 3];
    memset(img, 0, sizeof img);
    px(img, 16, 3, 4, 4, 0x445566);
    px(img, 16, 3, 9, 1, 0x778899);
    dir_encode_options o = pure;
    o.codes = DIR_CODES_ZSTD;
    size_t size;
    dir_stats st;
    uint8_t *f = enc_with(&o, img, 16, 16, 3, &size, &st);
    CHECK_EQ_INT(st.code_count[7], 1);
    CHECK_EQ_INT(size, HDR + 1 + 768);
    free(f);
    o.backend = DIR_BACKEND_ZSTD;
    o.codes = DIR_CODES_AUTO;
    f = enc_with(&o, img, 16, 16, 3, &size, &st);
    CHECK_EQ_INT(st.code_count[7], 1);
    free(f);
    o.codes = DIR_CODES_SMALLEST;
    f = enc_with(&o, img, 16, 16, 3, &size, &st);
    CHECK_EQ_INT(st.code_count[5], 1);
    free(f);
    dir_codes c;
    CHECK_EQ_INT(dir_codes_parse("zstd", &c), DIR_OK);
    CHECK_EQ_INT(c, DIR_CODES_ZSTD);
    CHECK_EQ_INT(dir_codes_parse("fast", &c), DIR_EINVAL);
    CHECK(strcmp(dir_codes_name(DIR_CODES_SMALLEST), "smallest") == 0);
}

int main(void)
{
    test_code_choice();
    test_each_code();
    test_chess();
    test_author_examples();
    test_golden();
    test_entry_sizes();
    test_sub_golden();
    test_edges();
    TEST_DONE();
}
