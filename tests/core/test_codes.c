/* SPDX-License-Identifier: MIT */
/* Each of the nine section codes, the author's examples, and golden files
 * checked byte by byte against docs/FORMAT.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "dirtest.h"
#include "testutil.h"

static const dir_encode_options pure = {DIR_FILTER_NONE, DIR_LAYOUT_ORDERED, DIR_BACKEND_NONE, 1,
                                        DIR_CODES_SMALLEST};

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

    /* Grey 05 with a bitmap entry (33..224 pixels) and a reverse entry. */
    uint8_t g[256];
    for (int i = 0; i < 256; i++)
        g[i] = i % 4 == 0 ? 9 : (i < 100 ? 0 : 7);
    dir_stats st;
    f = enc(g, 16, 16, 1, &size, &st);
    free(f);
    for (int i = 0; i < 256; i++)
        g[i] = i == 17 ? 0 : (i < 240 ? 5 : (uint8_t)i);
    f = enc(g, 16, 16, 1, &size, &st);
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
    test_edges();
    TEST_DONE();
}
