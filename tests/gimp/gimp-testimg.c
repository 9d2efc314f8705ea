/* SPDX-License-Identifier: MIT */
/* gimp-testimg -- helper of the GIMP plug-in tests (tests/gimp/gimp_tests.py).
 *
 *   gen OUT.png W H CHANNELS SEED   synthetic test image: flat areas, noise,
 *                                   gradients, sparse dots and (with alpha)
 *                                   transparent pixels with non-zero colour
 *   cmp A B                         pixel-exact comparison of two images
 *                                   (PNG, WebP or .dir); exit 1 on any
 *                                   difference, naming the first one
 *   header FILE.dir                 channels, filter, layout and back end
 *   diag FILE.dir                   the core's message for a broken file
 *                                   (exit 1 if the file decodes)
 *   cmprgba IMG RAW                 IMG expanded to 8-bit RGBA (grey copied
 *                                   to R, G and B; alpha 255 when absent)
 *                                   equals the raw RGBA bytes in RAW
 *   signs HEAT.png VALUES.txt       every heatmap cell has the colour class
 *                                   of its value (negative: blue, zero:
 *                                   white, positive: red, padding: grey)
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "image_io.h"

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
fail(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "gimp-testimg: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = (uint32_t)v;
    return 0;
}

/* xorshift32: deterministic pixels from a seed. */
static uint32_t next_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

static int cmd_gen(int argc, char **argv)
{
    tool_image img;
    uint32_t seed, depth = 8;
    char err[512];
    memset(&img, 0, sizeof img);
    if (argc < 7 || argc > 9 || parse_u32(argv[3], 1, 4096, &img.width) ||
        parse_u32(argv[4], 1, 4096, &img.height) || parse_u32(argv[5], 1, 4, &img.channels) ||
        parse_u32(argv[6], 1, UINT32_MAX, &seed) ||
        (argc >= 8 && (parse_u32(argv[7], 8, 16, &depth) || (depth != 8 && depth != 16))))
        return fail("usage: gen OUT.png W H CHANNELS(1-4) SEED>0 [DEPTH 8|16 [ICC-FILE]]");
    size_t n = (size_t)img.width * img.height * img.channels;
    img.pixels = malloc(n);
    if (!img.pixels) return fail("out of memory");
    uint32_t st = seed;
    for (uint32_t y = 0; y < img.height; y++) {
        for (uint32_t x = 0; x < img.width; x++) {
            uint8_t *p = img.pixels + ((size_t)y * img.width + x) * img.channels;
            /* Four horizontal bands, so every section kind shows up. */
            unsigned band = (unsigned)(4u * y / img.height);
            for (unsigned c = 0; c < img.channels; c++) {
                uint8_t v;
                switch (band) {
                case 0: /* flat blocks, zero included */
                    v = (uint8_t)(((x / 24) * 40 + (y / 24) * 7 + c * 50) & 0xff);
                    if (x / 24 % 3 == 0) v = 0;
                    break;
                case 1: /* noise */ v = (uint8_t)next_rand(&st); break;
                case 2: /* gradient */ v = (uint8_t)(x + 3 * y + 11 * c); break;
                default: /* sparse dots on a flat background */
                    v = (next_rand(&st) % 97 == 0) ? (uint8_t)(200 + c) : (uint8_t)(30 + c);
                    break;
                }
                p[c] = v;
            }
            if (img.channels == 4 || img.channels == 2) {
                /* Alpha: opaque, transparent and partial, with colour kept
                 * under fully transparent pixels. */
                unsigned k = (x / 8 + y / 8) % 4;
                p[img.channels - 1] = k == 0   ? 255
                                      : k == 1 ? 0
                                      : k == 2 ? (uint8_t)(x * 7 + y)
                                               : 128;
            }
        }
    }
    if (depth == 16) {
        /* 16-bit samples: the 8-bit value in the high byte, a low byte that
         * varies (so that no 8-bit reduction reads back the same). */
        uint16_t *w = malloc(n * 2);
        if (!w) return fail("out of memory");
        for (size_t i = 0; i < n; i++)
            w[i] = (uint16_t)(img.pixels[i] << 8 | (uint8_t)(i * 37 + (i >> 5)));
        free(img.pixels);
        img.pixels = (uint8_t *)w;
        img.depth = 16;
    }
    if (argc == 9) {
        uint8_t *icc;
        size_t icc_size;
        if (tool_read_file(argv[8], &icc, &icc_size, err, sizeof err)) return fail("%s", err);
        img.meta.icc = icc;
        img.meta.icc_size = icc_size;
    }
    int rc = tool_write_image(argv[2], &img, NULL, err, sizeof err);
    tool_image_free(&img);
    if (rc) return fail("%s", err);
    return 0;
}

static int cmd_cmp(int argc, char **argv)
{
    tool_image a, b;
    char err[512];
    if (argc != 4) return fail("usage: cmp A B");
    if (tool_read_image(argv[2], NULL, &a, err, sizeof err)) return fail("%s", err);
    if (tool_read_image(argv[3], NULL, &b, err, sizeof err)) {
        tool_image_free(&a);
        return fail("%s", err);
    }
    int rc = 0;
    if (a.width != b.width || a.height != b.height || a.channels != b.channels ||
        (a.depth == 16) != (b.depth == 16)) {
        fprintf(stderr,
                "gimp-testimg: %s is %ux%u with %u channels (depth %u), %s is %ux%u with %u "
                "(depth %u)\n",
                argv[2], a.width, a.height, a.channels, a.depth, argv[3], b.width, b.height,
                b.channels, b.depth);
        rc = 1;
    } else {
        size_t n = tool_image_bytes(&a);
        for (size_t i = 0; i < n; i++) {
            if (a.pixels[i] != b.pixels[i]) {
                size_t px = i / a.channels;
                fprintf(stderr,
                        "gimp-testimg: %s and %s differ at x=%zu y=%zu channel %zu: %u vs %u\n",
                        argv[2], argv[3], px % a.width, px / a.width, i % a.channels, a.pixels[i],
                        b.pixels[i]);
                rc = 1;
                break;
            }
        }
        if (!rc) printf("identical %ux%u, %u channels\n", a.width, a.height, a.channels);
    }
    tool_image_free(&a);
    tool_image_free(&b);
    return rc;
}

static int cmd_cmprgba(int argc, char **argv)
{
    tool_image img;
    uint8_t *raw;
    size_t size;
    char err[512];
    if (argc != 4) return fail("usage: cmprgba IMG RAW");
    if (tool_read_image(argv[2], NULL, &img, err, sizeof err)) return fail("%s", err);
    if (tool_read_file(argv[3], &raw, &size, err, sizeof err)) {
        tool_image_free(&img);
        return fail("%s", err);
    }
    size_t n = (size_t)img.width * img.height;
    int rc = 0;
    if (size != n * 4) {
        fprintf(stderr, "gimp-testimg: %s has %zu bytes, %ux%u RGBA needs %zu\n", argv[3], size,
                img.width, img.height, n * 4);
        rc = 1;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        const uint8_t *p = img.pixels + i * img.channels;
        uint8_t want[4] = {p[0], p[0], p[0], 255};
        if (img.channels >= 3) memcpy(want, p, 3);
        if (img.channels == 4) want[3] = p[3];
        if (img.channels == 2) want[3] = p[1];
        if (memcmp(want, raw + i * 4, 4) != 0) {
            fprintf(stderr,
                    "gimp-testimg: pixel x=%zu y=%zu is %u,%u,%u,%u in %s, %u,%u,%u,%u in %s\n",
                    i % img.width, i / img.width, want[0], want[1], want[2], want[3], argv[2],
                    raw[i * 4], raw[i * 4 + 1], raw[i * 4 + 2], raw[i * 4 + 3], argv[3]);
            rc = 1;
        }
    }
    if (!rc) printf("identical %ux%u as RGBA\n", img.width, img.height);
    free(raw);
    tool_image_free(&img);
    return rc;
}

static int read_dir_file(const char *path, uint8_t **data, size_t *size)
{
    char err[512];
    if (tool_read_file(path, data, size, err, sizeof err)) {
        fprintf(stderr, "gimp-testimg: %s\n", err);
        return -1;
    }
    return 0;
}

static int cmd_header(int argc, char **argv)
{
    uint8_t *data;
    size_t size;
    dir_info info;
    dir_diag diag;
    if (argc != 3) return fail("usage: header FILE.dir");
    if (read_dir_file(argv[2], &data, &size)) return 1;
    dir_error e = dir_probe(data, size, NULL, &info, &diag);
    free(data);
    if (e != DIR_OK) return fail("%s: %s", argv[2], diag.message);
    if (info.version == 1)
        printf("version=1 depth=8 channels=%u filter=%s layout=%s backend=%s width=%u "
               "height=%u\n",
               info.channels, dir_filter_name(info.filter), dir_layout_name(info.layout),
               dir_backend_name(info.backend), info.width, info.height);
    else
        printf("version=%u depth=%u channels=%u width=%u height=%u chunks=%u\n", info.version,
               info.depth, info.channels, info.width, info.height, info.chunk_count);
    return 0;
}

static int cmd_diag(int argc, char **argv)
{
    uint8_t *data;
    size_t size;
    void *px = NULL;
    dir_diag diag;
    if (argc != 3) return fail("usage: diag FILE.dir");
    if (read_dir_file(argv[2], &data, &size)) return 1;
    dir_error e = dir_decode_alloc(data, size, NULL, &px, NULL, NULL, &diag);
    free(data);
    dir_free(px);
    if (e == DIR_OK) return fail("%s decodes without error", argv[2]);
    printf("%s\n", diag.message);
    return 0;
}

/* 0 negative (blue), 1 zero (white), 2 positive (red), 3 padding (grey),
 * -1 anything else. */
static int colour_class(const uint8_t *p)
{
    if (p[0] == DIRA_HEATMAP_EMPTY && p[1] == DIRA_HEATMAP_EMPTY && p[2] == DIRA_HEATMAP_EMPTY)
        return 3;
    if (p[0] == 255 && p[1] == 255 && p[2] == 255) return 1;
    if (p[2] > p[0]) return 0;
    if (p[0] > p[2]) return 2;
    return -1;
}

static int cmd_signs(int argc, char **argv)
{
    tool_image img;
    char err[512];
    if (argc != 4) return fail("usage: signs HEAT.png VALUES.txt");
    if (tool_read_image(argv[2], NULL, &img, err, sizeof err)) return fail("%s", err);
    FILE *f = fopen(argv[3], "r");
    if (!f) {
        tool_image_free(&img);
        return fail("cannot open %s: %s", argv[3], strerror(errno));
    }
    size_t cells = (size_t)img.width * img.height, i = 0, bad = 0;
    double v;
    int rc = 0;
    while (fscanf(f, "%lf", &v) == 1) {
        if (i >= cells) {
            fprintf(stderr, "gimp-testimg: more values than the %zu heatmap cells\n", cells);
            rc = 1;
            break;
        }
        const uint8_t *p = img.pixels + i * img.channels;
        int want = v < 0 ? 0 : v > 0 ? 2 : 1;
        /* Values too small for the 8-bit map come out white. */
        int got = colour_class(p);
        if (got != want && !(got == 1 && fabs(v) > 0)) {
            if (bad++ < 5)
                fprintf(stderr, "gimp-testimg: cell %zu holds %.17g but is %u,%u,%u\n", i, v, p[0],
                        p[1], p[2]);
        }
        i++;
    }
    fclose(f);
    for (size_t k = i; k < cells && !rc; k++) {
        if (colour_class(img.pixels + k * img.channels) != 3) {
            fprintf(stderr, "gimp-testimg: padding cell %zu is not grey\n", k);
            rc = 1;
        }
    }
    if (bad) {
        fprintf(stderr, "gimp-testimg: %zu cells with the wrong colour\n", bad);
        rc = 1;
    }
    if (!rc) printf("%zu values, %zu padding cells: colours match the signs\n", i, cells - i);
    tool_image_free(&img);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2) {
        if (strcmp(argv[1], "gen") == 0) return cmd_gen(argc, argv);
        if (strcmp(argv[1], "cmp") == 0) return cmd_cmp(argc, argv);
        if (strcmp(argv[1], "cmprgba") == 0) return cmd_cmprgba(argc, argv);
        if (strcmp(argv[1], "header") == 0) return cmd_header(argc, argv);
        if (strcmp(argv[1], "diag") == 0) return cmd_diag(argc, argv);
        if (strcmp(argv[1], "signs") == 0) return cmd_signs(argc, argv);
    }
    fprintf(stderr, "usage: gimp-testimg gen|cmp|cmprgba|header|diag|signs ...\n");
    return 2;
}
