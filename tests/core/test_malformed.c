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

static uint8_t outbuf[64 * 64 * 4];

/* Decodes and checks the error code and that the message contains `text`. */
static void expect(const uint8_t *f, size_t size, dir_error want, const char *text, int line)
{
    dir_diag dg;
    memset(&dg, 0, sizeof dg);
    dir_error got = dir_decode(f, size, NULL, outbuf, sizeof outbuf, NULL, NULL, &dg);
    if (got != want || (text && !strstr(dg.message, text))) {
        fprintf(stderr, "line %d: got %d (%s) \"%s\", want %d (%s) containing \"%s\"\n", line, got,
                dir_strerror(got), dg.message, want, dir_strerror(want), text ? text : "");
        test_failures++;
    }
    if (got != DIR_OK && dg.error != got) {
        fprintf(stderr, "line %d: diag.error %d differs from return %d\n", line, dg.error, got);
        test_failures++;
    }
}
#define EXPECT(f, n, e, t) expect(f, n, e, t, __LINE__)

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

    /* Bad magic, and the mangling it detects. */
    memcpy(buf, f, n);
    buf[1] = 'X';
    EXPECT(buf, n, DIR_EMAGIC, "not a .dir file");
    memcpy(buf, f, n);
    buf[0] = 0x0b;
    EXPECT(buf, n, DIR_EMAGIC, "high bit stripped");
    /* CR-LF -> LF: byte 4 (0D) removed. */
    memcpy(buf, f, 4);
    memcpy(buf + 4, f + 5, n - 5);
    EXPECT(buf, n - 1, DIR_EMAGIC, "line endings");

    /* Header fields out of range. */
    struct {
        size_t at;
        uint8_t v;
        dir_error e;
        const char *text;
    } fields[] = {
        {8, 3, DIR_EVERSION, "unsupported version 3 (this reader knows versions 1 to 2)"},
        {8, 0, DIR_EVERSION, "unsupported version 0"},
        /* version 2 with a version-1 header: byte 10 is read as the depth */
        {8, 2, DIR_EHEADER, "depth 0 out of range (8 or 16)"},
        {9, 2, DIR_EHEADER, "channels 2 out of range"},
        {9, 0, DIR_EHEADER, "channels 0"},
        {10, 2, DIR_EHEADER, "filter 2"},
        {11, 2, DIR_EHEADER, "layout 2"},
        {12, 2, DIR_EHEADER, "back end 2"},
        {14, 1, DIR_EHEADER, "reserved"},
        {28, 2, DIR_EHEADER, "code stream size 2"},
        {PACKED, 1, DIR_EHEADER, "packed size 1 with back end none"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        memcpy(buf, f, n);
        buf[fields[i].at] = fields[i].v;
        EXPECT(buf, n, fields[i].e, fields[i].text);
    }
    memcpy(buf, f, n);
    put32(buf + 16, 0);
    EXPECT(buf, n, DIR_EHEADER, "width 0 out of range");
    put32(buf + 16, DIR_MAX_DIM + 1);
    EXPECT(buf, n, DIR_EHEADER, "width 1048577 out of range");
    memcpy(buf, f, n);
    put32(buf + 20, 0);
    EXPECT(buf, n, DIR_EHEADER, "height 0");

    /* CRC mismatch. */
    memcpy(buf, f, n);
    buf[24] ^= 1;
    EXPECT(buf, n, DIR_ECRC, "CRC mismatch");
    /* A corrupted pixel is caught by the CRC too. */
    memcpy(buf, f, n);
    buf[n - 1] ^= 0x40;
    EXPECT(buf, n, DIR_ECRC, "CRC mismatch");

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
    CHECK(strstr(dg.message, "65535x65535 is over the size limit") != NULL);
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

static void test_sections(void)
{
    size_t n;
    uint8_t *f;

    /* Bad code. */
    base_spec(1, 32, 16);
    STREAM(0, 0, 9);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECODE, "bad code 9 in section 1");
    free(f);

    /* References: forward (to itself or beyond), too long, to an edge section. */
    base_spec(1, 16, 16);
    STREAM(0, 3);
    STREAM(4, 1);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EREF, "nonexistent");
    free(f);
    base_spec(1, 32, 16);
    STREAM(0, 1, 3);
    STREAM(1, 9);
    STREAM(4, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EREF, "itself");
    free(f);
    base_spec(1, 48, 16);
    STREAM(0, 1, 1, 3);
    STREAM(1, 9, 8);
    STREAM(4, 5);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EREF, "reference in section 2 to a nonexistent section (distance 5)");
    free(f);
    /* five references leave room for one 5-byte distance in stream 4 */
    base_spec(1, 96, 16);
    STREAM(0, 1, 3, 3, 3, 3, 3);
    STREAM(1, 9);
    STREAM(4, 0x81, 0x80, 0x80, 0x80, 0x10);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EREF, "longer than 32 bits");
    free(f);
    /* distance 1 as 81 00: the LEB128 must be minimal */
    base_spec(1, 64, 16);
    STREAM(0, 1, 3, 3, 3);
    STREAM(1, 9);
    STREAM(4, 0x81, 0x00, 0x01);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EREF, "reference in section 1 is not minimally encoded");
    free(f);
    /* more distance bytes than the references can use (at most one each
     * here) */
    base_spec(1, 32, 16);
    STREAM(0, 1, 3);
    STREAM(1, 9);
    STREAM(4, 0x81, 0x00);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ESTREAM, "stream 4 (03 distances) declares 2 bytes, more than the 1");
    free(f);
    /* 20x32: sections 0 (full), 1 (edge), 2 (full), 3 (edge); 2 -> 1. */
    base_spec(1, 20, 32);
    STREAM(0, 1, 1, 3, 1);
    STREAM(1, 9, 8, 7);
    STREAM(4, 1);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EREF, "to edge section 1");
    free(f);

    /* Counts: zero, overflow past 256, bitmap popcount not the count. */
    base_spec(1, 16, 16);
    STREAM(0, 5);
    STREAM(9, 9, 0);
    STREAM(10, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOUNT, "count 0 in section 0");
    free(f);
    base_spec(1, 16, 16);
    STREAM(0, 6);
    STREAM(13, 9, 8);
    STREAM(14, 250, 250);
    STREAM(15, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOUNT, "count overflow in section 0: 250 pixels placed, then 250 more");
    free(f);
    base_spec(1, 16, 16);
    STREAM(0, 5);
    STREAM(9, 9, 0);
    STREAM(10, 41);
    STREAM(12, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOUNT, "has 40 bits set but the count is 41");
    free(f);

    /* Addresses: not increasing, placed twice across entries. */
    base_spec(1, 16, 16);
    STREAM(0, 5);
    STREAM(9, 9, 0);
    STREAM(10, 2);
    STREAM(11, 0x05, 0x05);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EADDRESS, "address 05 in section 0 is not increasing");
    free(f);
    base_spec(1, 16, 16);
    STREAM(0, 5);
    STREAM(9, 9, 8, 0);
    STREAM(10, 1, 1);
    STREAM(11, 0x10, 0x10);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EADDRESS, "already placed");
    free(f);
    base_spec(1, 16, 16);
    STREAM(0, 6);
    STREAM(13, 9, 8);
    STREAM(14, 1, 255);
    STREAM(15, 0x10, 0x20);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EADDRESS, "reverse list in section 0 places a pixel twice");
    free(f);
    /* A bitmap that touches a pixel an earlier entry placed: 9 at address
     * 00, then 8 on 33 pixels, addresses 00-20, 00 included.  The CRC is
     * that of what the file would decode to without the check (8 in
     * columns 0 and 1 and at (2, 0), zero elsewhere), so only the check can
     * refuse it. */
    uint8_t lenient[256];
    memset(lenient, 0, sizeof lenient);
    for (int y = 0; y < 16; y++)
        lenient[y * 16] = lenient[y * 16 + 1] = 8;
    lenient[2] = 8;
    base_spec(1, 16, 16);
    spec.crc = dir_crc32(0, lenient, sizeof lenient);
    STREAM(0, 5);
    STREAM(9, 9, 8, 0);
    STREAM(10, 1, 33);
    STREAM(11, 0x00);
    STREAM(12, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0, 0, 0, 0, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EADDRESS, "bitmap in section 0 places a pixel twice");
    free(f);
    /* A reverse list that decreases: 9 everywhere but 20, 10 (254 pixels),
     * then 8 at 10 and 20.  Read as a set the list would be valid; the CRC
     * is of that image. */
    memset(lenient, 9, sizeof lenient);
    lenient[1] = lenient[2] = 8;
    base_spec(1, 16, 16);
    spec.crc = dir_crc32(0, lenient, sizeof lenient);
    STREAM(0, 6);
    STREAM(13, 9, 8);
    STREAM(14, 254, 2);
    STREAM(15, 0x20, 0x10, 0x10, 0x20);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EADDRESS, "address 10 in section 0 is not increasing");
    free(f);

    /* Colours not allowed: zero in 06, zero E in 04, A == B in 02 and 08. */
    base_spec(3, 16, 16);
    STREAM(0, 6);
    STREAM(13, 0, 0, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOLOUR, "zero colour in a code 06 section");
    free(f);
    base_spec(3, 16, 16);
    STREAM(0, 4);
    STREAM(5, 0, 0, 0, 0, 0, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOLOUR, "zero eliminated colour");
    free(f);
    base_spec(1, 16, 16);
    STREAM(0, 2);
    STREAM(2, 7, 7);
    STREAM(3, 0x33);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOLOUR, "two equal colours");
    free(f);
    /* 08 with A == B (the CRC is of the all-7 image it would decode to). */
    memset(lenient, 7, sizeof lenient);
    base_spec(1, 16, 16);
    spec.crc = dir_crc32(0, lenient, sizeof lenient);
    STREAM(0, 8);
    STREAM(18, 7, 7);
    STREAM(19, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           0, 0, 0, 0, 0x80);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ECOLOUR, "code 08 section 0 has two equal colours");
    free(f);

    /* A stream that ends inside a section, and one with bytes left over. */
    base_spec(3, 16, 16);
    STREAM(0, 5);
    STREAM(9, 1, 2, 3);
    STREAM(10, 4);
    STREAM(11, 0x00, 0x01);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ETRUNCATED, "stream 11 ends inside section 0");
    free(f);
    /* a fixed-size stream longer than its sections: found from the code
     * stream, before decoding */
    base_spec(3, 16, 16);
    STREAM(0, 1);
    STREAM(1, 1, 2, 3, 4);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ESTREAM, "stream 1 (01 colours) declares 4 bytes, more than the 3");
    free(f);
    /* an entry stream with bytes left after the last section */
    base_spec(1, 16, 16);
    STREAM(0, 5);
    STREAM(9, 1, 0);
    STREAM(10, 1);
    STREAM(11, 0x00, 0x05);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_ESTREAM, "stream 11 has 1 unused bytes");
    free(f);
    /* Interleaved: a size for another stream. */
    base_spec(1, 16, 16);
    spec.layout = 1;
    STREAM(0, 1, 5);
    STREAM(2, 0);
    f = make_file(&spec, &n);
    EXPECT(f, n, DIR_EHEADER, "interleaved layout with a non-zero size for stream 2");
    free(f);
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
    EXPECT(buf, n, DIR_EBACKEND, "corrupt");
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
     * first pass, which stops before the checksum, can refuse the size. */
    static const struct {
        unsigned c;
        uint32_t declared;
        int bad_checksum;
    } bombs[] = {{4, 1000, 0}, {1, 700, 0}, {1, 700, 1}};
    for (size_t b = 0; b < sizeof bombs / sizeof bombs[0]; b++) {
        uint8_t bomb[1001] = {0}, zb[128];
        ZSTD_CCtx *bc = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(bc, ZSTD_c_checksumFlag, bombs[b].bad_checksum);
        size_t bn = ZSTD_compress2(bc, zb, sizeof zb, bomb, bombs[b].declared + 1);
        ZSTD_freeCCtx(bc);
        CHECK(!ZSTD_isError(bn));
        if (bombs[b].bad_checksum) zb[bn - 1] ^= 0xff;
        base_spec(bombs[b].c, 16, 16);
        STREAM(0, 0);
        size_t bm;
        uint8_t *bg = make_file(&spec, &bm);
        uint8_t *bf = malloc(HDR + bn);
        memcpy(bf, bg, HDR);
        bf[12] = 1;
        put32(bf + SIZES + 4 * 17, bombs[b].declared);
        put32(bf + PACKED, (uint32_t)bn);
        memcpy(bf + HDR, zb, bn);
        char want[96];
        snprintf(want, sizeof want, "stream 17 (07 raw colours) declares %u bytes, more than the 0",
                 bombs[b].declared);
        EXPECT(bf, HDR + bn, DIR_ESTREAM, want);
        free(bf);
        free(bg);
    }

    /* A frame that does not declare its content size. */
    uint8_t raw[16] = {0}, z[128];
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
    size_t zn = ZSTD_compress2(cc, z, sizeof z, raw, sizeof raw);
    ZSTD_freeCCtx(cc);
    CHECK(!ZSTD_isError(zn));
    base_spec(1, 16, 16);
    STREAM(0, 0);
    size_t m;
    uint8_t *g = make_file(&spec, &m);
    uint8_t *h = malloc(HDR + zn);
    memcpy(h, g, HDR);
    h[12] = 1;
    put32(h + PACKED, (uint32_t)zn);
    memcpy(h + HDR, z, zn);
    EXPECT(h, HDR + zn, DIR_EBACKEND, "holds -1 bytes");
    free(h);
    free(g);
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
