/* SPDX-License-Identifier: MIT */
/* dirtool's PNG reader: palette, grey, grey+alpha, 16-bit, alpha and
 * interlaced inputs come out as documented (16-bit and grey+alpha kept),
 * PNG metadata is carried through .dir and back; bad files give a reason. */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_io.h"
#include "testutil.h"

/* Writes a PNG with libpng's own writer. `rows` holds the packed samples. */
static void write_png(const char *path, uint32_t w, uint32_t h, int depth, int type,
                      const uint8_t *data, size_t stride, const png_color *pal, int npal,
                      const uint8_t *trns, int ntrns, int interlace)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, depth, type, interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (pal) png_set_PLTE(png, info, pal, npal);
    if (trns) png_set_tRNS(png, info, trns, ntrns, NULL);
    png_write_info(png, info);
    int passes = interlace ? png_set_interlace_handling(png) : 1;
    for (int p = 0; p < passes; p++)
        for (uint32_t y = 0; y < h; y++)
            png_write_row(png, data + stride * y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

static void read_ok(const char *path, tool_image *img, uint32_t w, uint32_t h, unsigned c)
{
    char err[256];
    CHECK_EQ_INT(tool_read_image(path, NULL, img, err, sizeof err), 0);
    CHECK_EQ_INT(img->width, w);
    CHECK_EQ_INT(img->height, h);
    CHECK_EQ_INT(img->channels, c);
}

/* Reads path, which must be a w x h image of c channels whose samples are
 * exactly the n bytes of want. */
static void read_expect(const char *path, uint32_t w, uint32_t h, unsigned c, const void *want,
                        size_t n)
{
    tool_image img;
    read_ok(path, &img, w, h, c);
    CHECK(memcmp(img.pixels, want, n) == 0);
    tool_image_free(&img);
}

/* Writes the n 16-bit samples s as a one-row PNG of colour type `type` (high
 * byte first, as PNG stores them) and reads it into *img, which must be w
 * pixels of c channels, kept at 16 bits and exactly s. */
static void read16(const char *path, uint32_t w, int type, const uint16_t *s, size_t n, unsigned c,
                   tool_image *img)
{
    uint8_t be[64];
    for (size_t i = 0; i < n; i++) {
        be[2 * i] = (uint8_t)(s[i] >> 8);
        be[2 * i + 1] = (uint8_t)s[i];
    }
    write_png(path, w, 1, 16, type, be, 2 * n, NULL, 0, NULL, 0, 0);
    read_ok(path, img, w, 1, c);
    CHECK_EQ_INT(img->depth, 16);
    CHECK(memcmp(img->pixels, s, 2 * n) == 0);
}

/* A PNG with a tRNS colour (grey or RGB). */
static void write_png_trns16(const char *path, uint32_t w, uint32_t h, int depth, int type,
                             const uint8_t *data, size_t stride, const png_color_16 *trns)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, depth, type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_set_tRNS(png, info, NULL, 0, (png_color_16p)trns);
    png_write_info(png, info);
    for (uint32_t y = 0; y < h; y++)
        png_write_row(png, data + stride * y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

/* A small RGB ICC profile: a valid header, an empty tag table and noise
 * (libpng's reader refuses an iCCP chunk that compresses to a few bytes as
 * "too short"). */
static uint8_t icc[300];
static void make_icc(void)
{
    static const uint8_t d50[12] = {0, 0, 0xf6, 0xd6, 0, 1, 0, 0, 0, 0, 0xd3, 0x2d};
    memset(icc, 0, sizeof icc);
    icc[2] = sizeof icc >> 8;
    icc[3] = sizeof icc & 0xff;
    for (size_t i = 132; i < sizeof icc; i++)
        icc[i] = (uint8_t)((i * 2654435761u) >> 13);
    icc[8] = 2; /* version 2.1 */
    icc[9] = 0x10;
    memcpy(icc + 12, "mntrRGB XYZ ", 12);
    memcpy(icc + 36, "acsp", 4);
    memcpy(icc + 68, d50, 12);
}

static const uint8_t exif[] = {'I', 'I', '*', 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const char xmp[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\xc3\xa9</x:xmpmeta>";

/* Every metadata item PNG gives: read, carried through .dir (in process
 * and through the real dirtool) and written back to PNG, exactly. */
static void check_meta(const tool_image *img, const char *comment, int line)
{
    const tool_meta *m = &img->meta;
    if (!(m->icc_size == sizeof icc && memcmp(m->icc, icc, sizeof icc) == 0 &&
          m->exif_size == sizeof exif && memcmp(m->exif, exif, sizeof exif) == 0 &&
          m->xmp_size == strlen(xmp) && memcmp(m->xmp, xmp, strlen(xmp)) == 0 && m->comment &&
          strcmp(m->comment, comment) == 0 && m->density_x == 11811 && m->density_y == 5906)) {
        fprintf(stderr,
                "line %d: metadata not kept (icc %zu, exif %zu, xmp %zu, comment %s, "
                "density %u x %u)\n",
                line, m->icc_size, m->exif_size, m->xmp_size, m->comment ? m->comment : "-",
                m->density_x, m->density_y);
        test_failures++;
    }
}

static void test_metadata(void)
{
    make_icc();
    uint16_t px[6 * 5 * 3];
    uint8_t be[sizeof px];
    for (size_t i = 0; i < sizeof px / 2; i++) {
        px[i] = (uint16_t)(i * 2749 + 17);
        be[2 * i] = (uint8_t)(px[i] >> 8);
        be[2 * i + 1] = (uint8_t)px[i];
    }
    for (int itxt = 0; itxt < 2; itxt++) {
        FILE *f = fopen("tmeta.png", "wb");
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
        png_infop info = png_create_info_struct(png);
        png_init_io(png, f);
        png_set_IHDR(png, info, 6, 5, 16, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_iCCP(png, info, "test", 0, icc, sizeof icc);
        png_set_eXIf_1(png, info, sizeof exif, (png_bytep)exif);
        png_set_pHYs(png, info, 11811, 5906, PNG_RESOLUTION_METER);
        png_text t[2];
        memset(t, 0, sizeof t);
        t[0].compression = PNG_ITXT_COMPRESSION_NONE;
        t[0].key = (png_charp) "XML:com.adobe.xmp";
        t[0].text = (png_charp)xmp;
        /* a Latin-1 comment in zTXt, or UTF-8 in iTXt, written after the image */
        t[1].compression = itxt ? PNG_ITXT_COMPRESSION_NONE : PNG_TEXT_COMPRESSION_zTXt;
        t[1].key = (png_charp) "Comment";
        t[1].text = (png_charp)(itxt ? "caf\xc3\xa9 \xe2\x82\xac" : "caf\xe9");
        png_set_text(png, info, t, 1);
        png_write_info(png, info);
        for (int y = 0; y < 5; y++)
            png_write_row(png, be + y * 36);
        png_set_text(png, info, t + 1, 1);
        png_write_end(png, info);
        png_destroy_write_struct(&png, &info);
        fclose(f);
        const char *comment = itxt ? "caf\xc3\xa9 \xe2\x82\xac" : "caf\xc3\xa9";

        tool_image img, back;
        char err[256];
        read_ok("tmeta.png", &img, 6, 5, 3);
        CHECK_EQ_INT(img.depth, 16);
        CHECK(memcmp(img.pixels, px, sizeof px) == 0);
        check_meta(&img, comment, __LINE__);
        /* through .dir */
        CHECK_EQ_INT(tool_write_image("tmeta.dir", &img, NULL, err, sizeof err), 0);
        read_ok("tmeta.dir", &back, 6, 5, 3);
        CHECK_EQ_INT(back.depth, 16);
        CHECK(memcmp(back.pixels, px, sizeof px) == 0);
        check_meta(&back, comment, __LINE__);
        /* and back to PNG */
        CHECK_EQ_INT(tool_write_image("tmeta2.png", &back, NULL, err, sizeof err), 0);
        tool_image_free(&back);
        read_ok("tmeta2.png", &back, 6, 5, 3);
        CHECK(back.depth == 16 && memcmp(back.pixels, px, sizeof px) == 0);
        check_meta(&back, comment, __LINE__);
        tool_image_free(&back);
        /* the real dirtool: encode, decode, same samples and metadata */
        const char *dirtool = getenv("DIRTOOL");
        if (dirtool) {
            char cmd[8192];
            snprintf(cmd, sizeof cmd,
                     "'%s' encode tmeta.png tmeta3.dir && '%s' decode tmeta3.dir tmeta3.png",
                     dirtool, dirtool);
            CHECK_EQ_INT(system(cmd), 0);
            read_ok("tmeta3.png", &back, 6, 5, 3);
            CHECK(back.depth == 16 && memcmp(back.pixels, px, sizeof px) == 0);
            check_meta(&back, comment, __LINE__);
            tool_image_free(&back);
        } else {
            fprintf(stderr, "DIRTOOL not set\n");
            test_failures++;
        }
        /* WebP holds only 8 bits: refused, not cut */
        CHECK_EQ_INT(tool_write_image("tmeta.webp", &img, NULL, err, sizeof err), -1);
        CHECK(strstr(err, "WebP holds only 8-bit samples") != NULL);
        tool_image_free(&img);
    }
}

int main(void)
{
    tool_image img;

    /* 16-bit RGBA: kept at 16 bits, native-endian. */
    static const uint16_t s16[8] = {0x0000, 0x1234, 0x8080, 0xffff, 0x7f7f, 0x00ff, 0xfe00, 0x0101};
    read16("t16.png", 2, PNG_COLOR_TYPE_RGBA, s16, 8, 4, &img);
    /* ... and reduced to 8 bits with rounding only where asked (arrays) */
    CHECK_EQ_INT(tool_image_to_8bit(&img), 0);
    CHECK_EQ_INT(img.depth, 8);
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(img.pixels[i], (s16[i] * 255u + 32767u) / 65535u);
    tool_image_free(&img);

    /* Palette with transparency -> RGBA; without -> RGB. */
    static const png_color pal[3] = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
    static const uint8_t trns[2] = {0, 128};
    static const uint8_t idx[3] = {2, 0, 1};
    write_png("tpal.png", 3, 1, 8, PNG_COLOR_TYPE_PALETTE, idx, 3, pal, 3, trns, 2, 0);
    static const uint8_t want_pal_a[12] = {70, 80, 90, 255, 10, 20, 30, 0, 40, 50, 60, 128};
    read_expect("tpal.png", 3, 1, 4, want_pal_a, 12);
    write_png("tpal3.png", 3, 1, 8, PNG_COLOR_TYPE_PALETTE, idx, 3, pal, 3, NULL, 0, 0);
    static const uint8_t want_pal[9] = {70, 80, 90, 10, 20, 30, 40, 50, 60};
    read_expect("tpal3.png", 3, 1, 3, want_pal, 9);

    /* 1-bit grey -> 0/255 grey. */
    static const uint8_t bits[1] = {0xa0}; /* 1 0 1 0 */
    write_png("tg1.png", 4, 1, 1, PNG_COLOR_TYPE_GRAY, bits, 1, NULL, 0, NULL, 0, 0);
    static const uint8_t want_g1[4] = {255, 0, 255, 0};
    read_expect("tg1.png", 4, 1, 1, want_g1, 4);

    /* Grey + alpha stays grey + alpha (RGBA only where asked). */
    static const uint8_t ga[4] = {7, 200, 9, 0};
    write_png("tga.png", 2, 1, 8, PNG_COLOR_TYPE_GRAY_ALPHA, ga, 4, NULL, 0, NULL, 0, 0);
    read_ok("tga.png", &img, 2, 1, 2);
    CHECK_EQ_INT(img.depth, 8);
    CHECK(memcmp(img.pixels, ga, 4) == 0);
    CHECK_EQ_INT(tool_image_to_8bit(&img), 0);
    static const uint8_t want_ga[8] = {7, 7, 7, 200, 9, 9, 9, 0};
    CHECK_EQ_INT(img.channels, 4);
    CHECK(memcmp(img.pixels, want_ga, 8) == 0);
    tool_image_free(&img);
    /* Grey with tRNS: grey + alpha. */
    static const uint8_t g8[3] = {5, 6, 7};
    static const png_color_16 tgrey = {0, 0, 0, 0, 6};
    write_png_trns16("tgt.png", 3, 1, 8, PNG_COLOR_TYPE_GRAY, g8, 3, &tgrey);
    static const uint8_t want_gt[6] = {5, 255, 6, 0, 7, 255};
    read_expect("tgt.png", 3, 1, 2, want_gt, 6);
    /* 16-bit grey + alpha. */
    static const uint16_t ga16[4] = {0x0102, 0xfffe, 0x8000, 0x0001};
    read16("tga16.png", 2, PNG_COLOR_TYPE_GRAY_ALPHA, ga16, 4, 2, &img);
    tool_image_free(&img);

    test_metadata();

    /* Interlaced RGB reads like the plain one. */
    uint8_t rgb[9 * 7 * 3];
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (uint8_t)(i * 37);
    write_png("tint.png", 9, 7, 8, PNG_COLOR_TYPE_RGB, rgb, 27, NULL, 0, NULL, 0, 1);
    read_expect("tint.png", 9, 7, 3, rgb, sizeof rgb);

    /* A truncated PNG and a non-image give a reason, not a crash. */
    char err[256];
    FILE *f = fopen("tint.png", "rb");
    uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    f = fopen("ttrunc.png", "wb");
    fwrite(buf, 1, n - 20, f);
    fclose(f);
    CHECK_EQ_INT(tool_read_image("ttrunc.png", NULL, &img, err, sizeof err), -1);
    CHECK(strstr(err, "bad PNG") != NULL);
    f = fopen("tjunk.png", "wb");
    fputs("hello", f);
    fclose(f);
    CHECK_EQ_INT(tool_read_image("tjunk.png", NULL, &img, err, sizeof err), -1);
    CHECK(strstr(err, "not a PNG, WebP or .dir file") != NULL);

    /* The caller's limits apply to PNG too. */
    dir_limits lim;
    dir_limits_default(&lim);
    dir_limits_restrict(&lim, 8, 0, 0);
    CHECK_EQ_INT(tool_read_image("tint.png", &lim, &img, err, sizeof err), -1);

    /* Lossless WebP keeps the colour under fully transparent pixels
     * (regression: libwebp's default zeroed it, destroying array data). */
    static uint8_t rgba[8] = {10, 20, 30, 0, 200, 100, 50, 255};
    tool_image w = {2, 1, 4, rgba, 8, {0}};
    CHECK_EQ_INT(tool_write_image("talpha.webp", &w, NULL, err, sizeof err), 0);
    read_expect("talpha.webp", 2, 1, 4, rgba, 8);

    /* Atomic write: the result appears whole, no temporary is left. */
    static const char text[] = "0123456789";
    CHECK_EQ_INT(tool_write_file_atomic("tatomic.bin", text, 10, err, sizeof err), 0);
    f = fopen("tatomic.bin", "rb");
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    CHECK(n == 10 && memcmp(buf, text, 10) == 0);
    CHECK_EQ_INT(tool_write_file_atomic("no-such-dir/x.bin", text, 10, err, sizeof err), -1);
    CHECK(strstr(err, "temporary file") != NULL);
    TEST_DONE();
}
