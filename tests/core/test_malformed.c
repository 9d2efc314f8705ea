/* SPDX-License-Identifier: MIT */
/* One test per class of malformed input, each expecting its specific error
 * (and, where the class has one, the specific wording of the message). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "dir.h"
#include "dirtest.h"
#include "testutil.h"

/* Decodes and checks the error code and that the message contains `text`. */
#define EXPECT(f, n, e, t) expect_decode(f, n, NULL, e, t, 0, "line", __LINE__)

static file_spec spec;

static void base_spec(unsigned c, uint32_t w, uint32_t h)
{
    memset(&spec, 0, sizeof spec);
    spec.channels = c;
    spec.width = w;
    spec.height = h;
}

static void test_header(void)
{
    static const uint8_t pix[3] = {1, 2, 3};
    void *out;
    size_t n;
    dir_encode_options o = {.filter = DIR_FILTER_NONE,
                            .layout = DIR_LAYOUT_ORDERED,
                            .backend = DIR_BACKEND_NONE,
                            .level = 1,
                            .codes = DIR_CODES_AUTO};
    CHECK_EQ_INT(dir_encode(pix, 1, 1, 3, 0, &o, &out, &n, NULL, NULL), DIR_OK);
    uint8_t *f = out, buf[256];

    /* Truncated: every prefix. */
    EXPECT(f, 0, DIR_EMAGIC, "bad magic");
    for (size_t k = 1; k < n; k++)
        EXPECT(f, k, DIR_ETRUNCATED, "truncated at byte");
    EXPECT(f, 20, DIR_ETRUNCATED, "truncated at byte 20");
    EXPECT(f, n - 1, DIR_ETRUNCATED, "truncated at byte 115: the header declares 116 bytes");
    /* Trailing bytes. */
    memcpy(buf, f, n);
    buf[n] = 0;
    EXPECT(buf, n + 1, DIR_ETRAILING, "1 trailing bytes");

    /* CR-LF -> LF (the mangling the magic detects): byte 4 (0D) removed. */
    memcpy(buf, f, 4);
    memcpy(buf + 4, f + 5, n - 5);
    EXPECT(buf, n - 1, DIR_EMAGIC, "line endings");

    /* Bad magic, and the mangling it detects; header fields out of range;
     * a CRC mismatch, in the header or from a corrupted pixel. */
    const patch fields[] = {
        {PATCH_BYTE, 1, 'X', DIR_EMAGIC, "not a .dir file"},
        {PATCH_BYTE, 0, 0x0b, DIR_EMAGIC, "high bit stripped"},
        {PATCH_BYTE, 8, 3, DIR_EVERSION,
         "unsupported version 3 (this reader knows versions 1 to 2)"},
        {PATCH_BYTE, 8, 0, DIR_EVERSION, "unsupported version 0"},
        /* version 2 with a version-1 header: byte 10 is read as the depth */
        {PATCH_BYTE, 8, 2, DIR_EHEADER, "depth 0 out of range (8 or 16)"},
        {PATCH_BYTE, 9, 2, DIR_EHEADER, "channels 2 out of range"},
        {PATCH_BYTE, 9, 0, DIR_EHEADER, "channels 0"},
        {PATCH_BYTE, 10, 2, DIR_EHEADER, "filter 2"},
        {PATCH_BYTE, 11, 2, DIR_EHEADER, "layout 2"},
        {PATCH_BYTE, 12, 2, DIR_EHEADER, "back end 2"},
        {PATCH_BYTE, 14, 1, DIR_EHEADER, "reserved"},
        {PATCH_BYTE, 28, 2, DIR_EHEADER, "code stream size 2"},
        {PATCH_BYTE, PACKED, 1, DIR_EHEADER, "packed size 1 with back end none"},
        {PATCH_WORD, 16, 0, DIR_EHEADER, "width 0 out of range"},
        {PATCH_WORD, 16, DIR_MAX_DIM + 1, DIR_EHEADER, "width 1048577 out of range"},
        {PATCH_WORD, 20, 0, DIR_EHEADER, "height 0"},
        {PATCH_XOR, 24, 1, DIR_ECRC, "CRC mismatch"},
        {PATCH_XOR, n - 1, 0x40, DIR_ECRC, "CRC mismatch"},
    };
    expect_patches(f, n, fields, sizeof fields / sizeof fields[0], 0, "header field");

    /* Output buffer too small. */
    CHECK_EQ_INT(dir_decode(f, n, NULL, buf, 2, NULL, NULL, NULL), DIR_EBUFFER);
    dir_free(out);
}

/* Huge dimensions in a tiny file fail on the limit, before any allocation. */
static void test_limits(void)
{
    base_spec(4, 65535, 65535);
    size_t n;
    uint8_t *f = make_file(&spec, &n);
    dir_diag dg;
    dir_info info;
    CHECK_EQ_INT(n, HDR);
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, &dg), DIR_ELIMIT);
    CHECK(strcmp(dg.message,
                 "image 65535x65535 has 4294836225 pixels, over the limit of 268435456") == 0);
    void *px = (void *)1;
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, NULL, NULL, &dg), DIR_ELIMIT);
    CHECK(px == NULL);
    free(f);

    /* A caller's stricter limits. */
    dir_limits lim;
    dir_limits_default(&lim);
    CHECK_EQ_INT(lim.max_width, DIR_MAX_DIM);
    CHECK_EQ_INT(lim.max_pixels, DIR_MAX_PIXELS);
    CHECK_EQ_INT(dir_limits_restrict(&lim, DIR_MAX_DIM + 1, 0, 0), DIR_EINVAL);
    CHECK_EQ_INT(lim.max_width, DIR_MAX_DIM);
    CHECK_EQ_INT(dir_limits_restrict(&lim, 16, 0, 100), DIR_OK);
    CHECK_EQ_INT(lim.max_width, 16);
    CHECK_EQ_INT(lim.max_height, DIR_MAX_DIM);
    uint8_t pix[17 * 3] = {0};
    void *out;
    CHECK_EQ_INT(dir_encode(pix, 17, 1, 3, 0, NULL, &out, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_probe(out, n, &lim, &info, &dg), DIR_ELIMIT);
    CHECK_EQ_INT(dir_probe(out, n, NULL, &info, &dg), DIR_OK);
    dir_free(out);
    CHECK_EQ_INT(dir_encode(pix, 1, 17, 3, 0, NULL, &out, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_probe(out, n, &lim, &info, &dg), DIR_OK);
    dir_free(out);
    uint8_t big[11 * 11 * 3] = {0};
    CHECK_EQ_INT(dir_encode(big, 11, 11, 3, 0, NULL, &out, &n, NULL, NULL), DIR_OK);
    CHECK_EQ_INT(dir_probe(out, n, &lim, &info, &dg), DIR_ELIMIT);
    dir_free(out);

    /* Declared stream sizes beyond any legal payload for the image. */
    base_spec(1, 16, 16);
    STREAM(0, 7);
    size_t m;
    f = make_file(&spec, &m);
    put32(f + SIZES + 4 * 17, 0x7fffffff);
    EXPECT(f, m, DIR_EHEADER, "exceed the maximum");
    free(f);
}

/* Images whose CRC a section case's file declares, so that only the check
 * under test can refuse the file. */
enum { CRC_NONE, CRC_BITMAP_TWICE, CRC_REVERSE_DECREASING, CRC_ALL_SEVEN };

static void crc_image(int kind, uint8_t img[256])
{
    switch (kind) {
    case CRC_BITMAP_TWICE:
        /* 8 in columns 0 and 1 and at (2, 0), zero elsewhere */
        memset(img, 0, 256);
        for (int y = 0; y < 16; y++)
            img[y * 16] = img[y * 16 + 1] = 8;
        img[2] = 8;
        break;
    case CRC_REVERSE_DECREASING:
        /* 9 everywhere but 10 and 20, which are 8 */
        memset(img, 9, 256);
        img[1] = img[2] = 8;
        break;
    default: memset(img, 7, 256); break;
    }
}

/* One malformed file of streams built by hand (back end none). */
typedef struct section_case {
    unsigned c;
    uint32_t w, h;
    unsigned layout;
    int crc; /* CRC_*: the image whose CRC the header declares; CRC_NONE: 0 */
    stream_init s[5];
    dir_error e;
    const char *text;
} section_case;

/* clang-format off */
static const section_case sections[] = {
    /* Bad code. */
    {1, 32, 16, 0, 0, {BYTES_OF(0, 0, 9)}, DIR_ECODE, "bad code 9 in section 1"},

    /* References: forward (to itself or beyond), too long, to an edge section. */
    {1, 16, 16, 0, 0, {BYTES_OF(0, 3), BYTES_OF(4, 1)}, DIR_EREF, "nonexistent"},
    {1, 32, 16, 0, 0, {BYTES_OF(0, 1, 3), BYTES_OF(1, 9), BYTES_OF(4, 0)}, DIR_EREF, "itself"},
    {1, 48, 16, 0, 0, {BYTES_OF(0, 1, 1, 3), BYTES_OF(1, 9, 8), BYTES_OF(4, 5)}, DIR_EREF,
     "reference in section 2 to a nonexistent section (distance 5)"},
    /* five references leave room for one 5-byte distance in stream 4 */
    {1, 96, 16, 0, 0,
     {BYTES_OF(0, 1, 3, 3, 3, 3, 3), BYTES_OF(1, 9), BYTES_OF(4, 0x81, 0x80, 0x80, 0x80, 0x10)},
     DIR_EREF, "longer than 32 bits"},
    /* distance 1 as 81 00: the LEB128 must be minimal */
    {1, 64, 16, 0, 0, {BYTES_OF(0, 1, 3, 3, 3), BYTES_OF(1, 9), BYTES_OF(4, 0x81, 0x00, 0x01)},
     DIR_EREF, "reference in section 1 is not minimally encoded"},
    /* more distance bytes than the references can use (at most one each
     * here) */
    {1, 32, 16, 0, 0, {BYTES_OF(0, 1, 3), BYTES_OF(1, 9), BYTES_OF(4, 0x81, 0x00)}, DIR_ESTREAM,
     "stream 4 (03 distances) declares 2 bytes, more than the 1"},
    /* 20x32: sections 0 (full), 1 (edge), 2 (full), 3 (edge); 2 -> 1. */
    {1, 20, 32, 0, 0, {BYTES_OF(0, 1, 1, 3, 1), BYTES_OF(1, 9, 8, 7), BYTES_OF(4, 1)}, DIR_EREF,
     "to edge section 1"},

    /* Counts: zero, overflow past 256, bitmap popcount not the count. */
    {1, 16, 16, 0, 0, {BYTES_OF(0, 5), BYTES_OF(9, 9, 0), BYTES_OF(10, 0)}, DIR_ECOUNT,
     "count 0 in section 0"},
    {1, 16, 16, 0, 0,
     {BYTES_OF(0, 6), BYTES_OF(13, 9, 8), BYTES_OF(14, 250, 250),
      BYTES_OF(15, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5)},
     DIR_ECOUNT, "count overflow in section 0: 250 pixels placed, then 250 more"},
    {1, 16, 16, 0, 0,
     {BYTES_OF(0, 5), BYTES_OF(9, 9, 0), BYTES_OF(10, 41),
      BYTES_OF(12, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
     DIR_ECOUNT, "has 40 bits set but the count is 41"},

    /* Addresses: not increasing, placed twice across entries. */
    {1, 16, 16, 0, 0, {BYTES_OF(0, 5), BYTES_OF(9, 9, 0), BYTES_OF(10, 2), BYTES_OF(11, 0x05, 0x05)},
     DIR_EADDRESS, "address 05 in section 0 is not increasing"},
    {1, 16, 16, 0, 0,
     {BYTES_OF(0, 5), BYTES_OF(9, 9, 8, 0), BYTES_OF(10, 1, 1), BYTES_OF(11, 0x10, 0x10)},
     DIR_EADDRESS, "already placed"},
    {1, 16, 16, 0, 0,
     {BYTES_OF(0, 6), BYTES_OF(13, 9, 8), BYTES_OF(14, 1, 255), BYTES_OF(15, 0x10, 0x20)},
     DIR_EADDRESS, "reverse list in section 0 places a pixel twice"},
    /* A bitmap that touches a pixel an earlier entry placed: 9 at address
     * 00, then 8 on 33 pixels, addresses 00-20, 00 included.  The CRC is
     * that of what the file would decode to without the check, so only the
     * check can refuse it. */
    {1, 16, 16, 0, CRC_BITMAP_TWICE,
     {BYTES_OF(0, 5), BYTES_OF(9, 9, 8, 0), BYTES_OF(10, 1, 33), BYTES_OF(11, 0x00),
      BYTES_OF(12, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)},
     DIR_EADDRESS, "bitmap in section 0 places a pixel twice"},
    /* A reverse list that decreases: 9 everywhere but 20, 10 (254 pixels),
     * then 8 at 10 and 20.  Read as a set the list would be valid; the CRC
     * is of that image. */
    {1, 16, 16, 0, CRC_REVERSE_DECREASING,
     {BYTES_OF(0, 6), BYTES_OF(13, 9, 8), BYTES_OF(14, 254, 2),
      BYTES_OF(15, 0x20, 0x10, 0x10, 0x20)},
     DIR_EADDRESS, "address 10 in section 0 is not increasing"},

    /* Colours not allowed: zero in 06, zero E in 04, A == B in 02 and 08. */
    {3, 16, 16, 0, 0, {BYTES_OF(0, 6), BYTES_OF(13, 0, 0, 0)}, DIR_ECOLOUR,
     "zero colour in a code 06 section"},
    {3, 16, 16, 0, 0, {BYTES_OF(0, 4), BYTES_OF(5, 0, 0, 0, 0, 0, 0)}, DIR_ECOLOUR,
     "zero eliminated colour"},
    {1, 16, 16, 0, 0, {BYTES_OF(0, 2), BYTES_OF(2, 7, 7), BYTES_OF(3, 0x33)}, DIR_ECOLOUR,
     "two equal colours"},
    /* 08 with A == B (the CRC is of the all-7 image it would decode to). */
    {1, 16, 16, 0, CRC_ALL_SEVEN,
     {BYTES_OF(0, 8), BYTES_OF(18, 7, 7),
      BYTES_OF(19, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
               0, 0, 0, 0, 0, 0, 0x80)},
     DIR_ECOLOUR, "code 08 section 0 has two equal colours"},

    /* A stream that ends inside a section, and one with bytes left over. */
    {3, 16, 16, 0, 0,
     {BYTES_OF(0, 5), BYTES_OF(9, 1, 2, 3), BYTES_OF(10, 4), BYTES_OF(11, 0x00, 0x01)},
     DIR_ETRUNCATED, "stream 11 ends inside section 0"},
    /* a fixed-size stream longer than its sections: found from the code
     * stream, before decoding */
    {3, 16, 16, 0, 0, {BYTES_OF(0, 1), BYTES_OF(1, 1, 2, 3, 4)}, DIR_ESTREAM,
     "stream 1 (01 colours) declares 4 bytes, more than the 3"},
    /* an entry stream with bytes left after the last section */
    {1, 16, 16, 0, 0, {BYTES_OF(0, 5), BYTES_OF(9, 1, 0), BYTES_OF(10, 1), BYTES_OF(11, 0x00, 0x05)},
     DIR_ESTREAM, "stream 11 has 1 unused bytes"},
    /* Interleaved: a size for another stream. */
    {1, 16, 16, 1, 0, {BYTES_OF(0, 1, 5), BYTES_OF(2, 0)}, DIR_EHEADER,
     "interleaved layout with a non-zero size for stream 2"},
};
/* clang-format on */

static void test_sections(void)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        const section_case *t = &sections[i];
        base_spec(t->c, t->w, t->h);
        spec.layout = t->layout;
        if (t->crc != CRC_NONE) {
            uint8_t img[256];
            crc_image(t->crc, img);
            spec.crc = dir_crc32(0, img, sizeof img);
        }
        set_streams(&spec, t->s, sizeof t->s / sizeof t->s[0]);
        size_t n;
        uint8_t *f = make_file(&spec, &n);
        expect_decode(f, n, NULL, t->e, t->text, 0, "section case", (int)i);
        free(f);
    }
}

/* zstd: sizes in the frame must match the header. */
static void test_zstd(void)
{
    uint8_t pix[32 * 32 * 3];
    for (size_t i = 0; i < sizeof pix; i++)
        pix[i] = (uint8_t)(i * 7 % 251);
    dir_encode_options o = {.filter = DIR_FILTER_NONE,
                            .layout = DIR_LAYOUT_ORDERED,
                            .backend = DIR_BACKEND_ZSTD,
                            .level = 3,
                            .codes = DIR_CODES_AUTO,
                            .format_version = 1};
    void *out;
    size_t n;
    CHECK_EQ_INT(dir_encode(pix, 32, 32, 3, 0, &o, &out, &n, NULL, NULL), DIR_OK);
    uint8_t *f = out, *buf = malloc(n + 64);

    /* A stream size one larger than the frame's content. */
    memcpy(buf, f, n);
    const uint8_t *raw_size = buf + SIZES + 4 * 17;
    put32(buf + SIZES + 4 * 17, (uint32_t)(raw_size[0] | raw_size[1] << 8 | raw_size[2] << 16) + 1);
    EXPECT(buf, n, DIR_EBACKEND, "the header declares");
    /* Garbage instead of a frame. */
    memcpy(buf, f, n);
    memset(buf + HDR, 0x55, n - HDR);
    EXPECT(buf, n, DIR_EBACKEND, "the data at byte 112 is not a zstd frame");
    /* Frame shorter than the packed size (trailing bytes inside). */
    memcpy(buf, f, n);
    buf[n] = 0;
    put32(buf + PACKED, (uint32_t)(n - HDR + 1));
    EXPECT(buf, n + 1, DIR_EBACKEND, "frame size");
    /* Truncated frame. */
    EXPECT(f, n - 3, DIR_ETRUNCATED, "truncated at byte");
    /* Packed size 0 with zstd. */
    memcpy(buf, f, n);
    put32(buf + PACKED, 0);
    EXPECT(buf, HDR, DIR_EHEADER, "packed size 0");

    /* A decompression bomb: one all-zero section whose header declares
     * raw colours it does not use, within the probe's bound for the image
     * (1 + 256 (c + 2) + 2c bytes) and matching the frame.  RGBA: 1000
     * bytes, under 1.25 times the image, decompressed in one call and then
     * checked; grey: 700 bytes, over it, so the code stream is decompressed
     * first and the size refused before the rest is allocated.  The grey
     * bomb once more with a frame checksum that does not match: only that
     * first pass, which stops before the checksum, can refuse the size.
     * Last, a frame that does not declare its content size. */
    static const struct {
        unsigned c;
        size_t raw; /* zero bytes in the frame */
        int content_size, bad_checksum;
        uint32_t declared; /* size of stream 17 (07 raw colours) */
        dir_error e;
        const char *text;
    } frames[] = {
        {4, 1001, 1, 0, 1000, DIR_ESTREAM,
         "stream 17 (07 raw colours) declares 1000 bytes, more than the 0"},
        {1, 701, 1, 0, 700, DIR_ESTREAM,
         "stream 17 (07 raw colours) declares 700 bytes, more than the 0"},
        {1, 701, 1, 1, 700, DIR_ESTREAM,
         "stream 17 (07 raw colours) declares 700 bytes, more than the 0"},
        {1, 16, 0, 0, 0, DIR_EBACKEND,
         "the zstd frame declares no content size; the header declares 1"},
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        uint8_t raw[1001] = {0}, z[128];
        ZSTD_CCtx *cc = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, frames[i].bad_checksum);
        ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, frames[i].content_size);
        size_t zn = ZSTD_compress2(cc, z, sizeof z, raw, frames[i].raw);
        ZSTD_freeCCtx(cc);
        CHECK(!ZSTD_isError(zn));
        if (frames[i].bad_checksum) z[zn - 1] ^= 0xff;
        /* the header of a one-section file with back end zstd */
        base_spec(frames[i].c, 16, 16);
        STREAM(0, 0);
        size_t m;
        uint8_t *g = make_file(&spec, &m);
        uint8_t *h = malloc(HDR + zn);
        memcpy(h, g, HDR);
        h[12] = 1;
        put32(h + SIZES + 4 * 17, frames[i].declared);
        put32(h + PACKED, (uint32_t)zn);
        memcpy(h + HDR, z, zn);
        expect_decode(h, HDR + zn, NULL, frames[i].e, frames[i].text, 0, "zstd frame", (int)i);
        free(h);
        free(g);
    }
    free(buf);
    dir_free(out);
}

/* The strerror texts are specific and never NULL. */
static void test_strerror(void)
{
    for (int e = 0; e <= DIR_ERROR_COUNT; e++)
        CHECK(dir_strerror((dir_error)e) != NULL);
    CHECK(strcmp(dir_strerror(DIR_ECRC), "CRC mismatch") == 0);
    CHECK(strcmp(dir_strerror((dir_error)999), "unknown error") == 0);
}

int main(void)
{
    test_header();
    test_limits();
    test_sections();
    test_zstd();
    test_strerror();
    TEST_DONE();
}
