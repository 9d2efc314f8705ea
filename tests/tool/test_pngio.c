/* SPDX-License-Identifier: MIT */
/* dirtool's PNG reader: palette, grey, 16-bit, alpha and interlaced inputs all
 * come out as the documented 8-bit pixels; bad files give a reason. */
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

int main(void)
{
    tool_image img;

    /* 16-bit RGBA: samples scaled to 8 bits with rounding. */
    static const uint16_t s16[8] = {0x0000, 0x1234, 0x8080, 0xffff, 0x7f7f, 0x00ff, 0xfe00, 0x0101};
    uint8_t be[16];
    for (int i = 0; i < 8; i++) {
        be[2 * i] = (uint8_t)(s16[i] >> 8);
        be[2 * i + 1] = (uint8_t)s16[i];
    }
    write_png("t16.png", 2, 1, 16, PNG_COLOR_TYPE_RGBA, be, 16, NULL, 0, NULL, 0, 0);
    read_ok("t16.png", &img, 2, 1, 4);
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(img.pixels[i], (s16[i] * 255u + 32767u) / 65535u);
    tool_image_free(&img);

    /* Palette with transparency -> RGBA; without -> RGB. */
    static const png_color pal[3] = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
    static const uint8_t trns[2] = {0, 128};
    static const uint8_t idx[3] = {2, 0, 1};
    write_png("tpal.png", 3, 1, 8, PNG_COLOR_TYPE_PALETTE, idx, 3, pal, 3, trns, 2, 0);
    read_ok("tpal.png", &img, 3, 1, 4);
    static const uint8_t want_pal_a[12] = {70, 80, 90, 255, 10, 20, 30, 0, 40, 50, 60, 128};
    CHECK(memcmp(img.pixels, want_pal_a, 12) == 0);
    tool_image_free(&img);
    write_png("tpal3.png", 3, 1, 8, PNG_COLOR_TYPE_PALETTE, idx, 3, pal, 3, NULL, 0, 0);
    read_ok("tpal3.png", &img, 3, 1, 3);
    static const uint8_t want_pal[9] = {70, 80, 90, 10, 20, 30, 40, 50, 60};
    CHECK(memcmp(img.pixels, want_pal, 9) == 0);
    tool_image_free(&img);

    /* 1-bit grey -> 0/255 grey. */
    static const uint8_t bits[1] = {0xa0}; /* 1 0 1 0 */
    write_png("tg1.png", 4, 1, 1, PNG_COLOR_TYPE_GRAY, bits, 1, NULL, 0, NULL, 0, 0);
    read_ok("tg1.png", &img, 4, 1, 1);
    static const uint8_t want_g1[4] = {255, 0, 255, 0};
    CHECK(memcmp(img.pixels, want_g1, 4) == 0);
    tool_image_free(&img);

    /* Grey + alpha -> RGBA. */
    static const uint8_t ga[4] = {7, 200, 9, 0};
    write_png("tga.png", 2, 1, 8, PNG_COLOR_TYPE_GRAY_ALPHA, ga, 4, NULL, 0, NULL, 0, 0);
    read_ok("tga.png", &img, 2, 1, 4);
    static const uint8_t want_ga[8] = {7, 7, 7, 200, 9, 9, 9, 0};
    CHECK(memcmp(img.pixels, want_ga, 8) == 0);
    tool_image_free(&img);

    /* Interlaced RGB reads like the plain one. */
    uint8_t rgb[9 * 7 * 3];
    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (uint8_t)(i * 37);
    write_png("tint.png", 9, 7, 8, PNG_COLOR_TYPE_RGB, rgb, 27, NULL, 0, NULL, 0, 1);
    read_ok("tint.png", &img, 9, 7, 3);
    CHECK(memcmp(img.pixels, rgb, sizeof rgb) == 0);
    tool_image_free(&img);

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
    tool_image w = {2, 1, 4, rgba};
    CHECK_EQ_INT(tool_write_image("talpha.webp", &w, NULL, err, sizeof err), 0);
    read_ok("talpha.webp", &img, 2, 1, 4);
    CHECK(memcmp(img.pixels, rgba, 8) == 0);
    tool_image_free(&img);

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
