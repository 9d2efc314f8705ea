/* SPDX-License-Identifier: MIT */
/* codecs.c -- the benchmark's codec wrappers: .dir, libpng, optipng (as a
 * process), lossless WebP, JPEG XL lossless (cjxl/djxl as processes), QOI,
 * TGA with RLE (our own, type 10/11), and deflate (gzip framing) and xz of
 * the raw pixels. */
#include <errno.h>
#include <lzma.h>
#include <png.h>
#include <qoi.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <webp/decode.h>
#include <webp/encode.h>
#include <zlib.h>

#include "bench.h"

extern char **environ;

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

uint64_t bench_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_time_ns(bench_clock clock)
{
    if (clock == BENCH_CLOCK_WALL) return bench_wall_ns();
    struct timespec ts;
    struct rusage ru;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    uint64_t t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    /* CPU time of the children waited for so far (optipng) */
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
        t += ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u;
        t += ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
    }
    return t;
}

void bench_buf_free(bench_buf *b)
{
    if (b->data && b->release) b->release(b->data);
    b->data = NULL;
    b->size = 0;
}

unsigned bench_out_channels(const bench_codec *c, unsigned channels)
{
    return (c->flags & BENCH_EXPANDS_GREY) && channels == 1 ? 3 : channels;
}

/* Grey to RGB, for the codecs without a grey mode (WebP, QOI). */
static uint8_t *grey_to_rgb(const bench_image *img)
{
    size_t n = (size_t)img->width * img->height;
    uint8_t *rgb = malloc(n * 3);
    if (!rgb) return NULL;
    for (size_t i = 0; i < n; i++)
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = img->pixels[i];
    return rgb;
}

/* ---- .dir ------------------------------------------------------------- */

static int dir_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                   size_t errlen)
{
    dir_diag diag;
    void *data = NULL;
    size_t size = 0;
    dir_error e = dir_encode(img->pixels, img->width, img->height, img->channels, 0, &c->dir, &data,
                             &size, NULL, &diag);
    if (e != DIR_OK) return fail(err, errlen, "dir_encode: %s: %s", dir_strerror(e), diag.message);
    out->data = data;
    out->size = size;
    out->release = dir_free;
    return 0;
}

static int dir_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                   size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)img;
    (void)own;
    dir_diag diag;
    dir_error e = dir_decode(in->data, in->size, NULL, px, px_size, NULL, NULL, &diag);
    if (e != DIR_OK) return fail(err, errlen, "dir_decode: %s: %s", dir_strerror(e), diag.message);
    return 0;
}

/* ---- libpng ------------------------------------------------------------- */

typedef struct png_ctx {
    jmp_buf jmp;
    char msg[160];
    const uint8_t *in; /* reading */
    size_t in_size;
    size_t in_pos;
    uint8_t *out; /* writing */
    size_t out_size;
    size_t out_cap;
    int out_failed;
} png_ctx;

static void png_err_fn(png_structp png, png_const_charp msg)
{
    png_ctx *ctx = png_get_error_ptr(png);
    snprintf(ctx->msg, sizeof ctx->msg, "libpng: %s", msg);
    longjmp(ctx->jmp, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void png_read_fn(png_structp png, png_bytep data, size_t n)
{
    png_ctx *ctx = png_get_io_ptr(png);
    if (n > ctx->in_size - ctx->in_pos) png_error(png, "file truncated");
    memcpy(data, ctx->in + ctx->in_pos, n);
    ctx->in_pos += n;
}

static void png_write_fn(png_structp png, png_bytep data, size_t n)
{
    png_ctx *ctx = png_get_io_ptr(png);
    if (n > ctx->out_cap - ctx->out_size) {
        size_t cap = ctx->out_cap ? ctx->out_cap : 65536;
        while (cap - ctx->out_size < n) {
            if (cap > SIZE_MAX / 2) png_error(png, "output too large");
            cap *= 2;
        }
        uint8_t *p = realloc(ctx->out, cap);
        if (!p) png_error(png, "out of memory");
        ctx->out = p;
        ctx->out_cap = cap;
    }
    memcpy(ctx->out + ctx->out_size, data, n);
    ctx->out_size += n;
}

static void png_flush_fn(png_structp png)
{
    (void)png;
}

/* Channels a PNG's colour type and tRNS give after our expansions. */
static unsigned png_natural_channels(png_structp png, png_infop info)
{
    int ct = png_get_color_type(png, info);
    int trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    switch (ct) {
    case PNG_COLOR_TYPE_GRAY: return trns ? 4 : 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 4;
    case PNG_COLOR_TYPE_PALETTE:
    case PNG_COLOR_TYPE_RGB: return trns ? 4 : 3;
    default: return 4;
    }
}

/* Sets the transforms that turn the PNG into `want` channels of 8 bits. */
static int png_setup_transforms(png_structp png, png_infop info, unsigned want)
{
    int ct = png_get_color_type(png, info);
    int bits = png_get_bit_depth(png, info);
    int trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    int alpha = (ct & PNG_COLOR_MASK_ALPHA) || trns;
    int colour = (ct & PNG_COLOR_MASK_COLOR) != 0;

    if (alpha && want != 4) return -1; /* would drop alpha */
    if (ct == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (trns) png_set_tRNS_to_alpha(png);
    if (ct == PNG_COLOR_TYPE_GRAY && bits < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (bits == 16) png_set_strip_16(png);
    if (!colour && want >= 3) png_set_gray_to_rgb(png);
    if (colour && want == 1) png_set_rgb_to_gray_fixed(png, 1, -1, -1);
    if (!alpha && want == 4) png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    return 0;
}

/* Shared reader: when want == 0 the natural channel count is used and the
 * pixels are allocated into img; otherwise they go to px. */
static int png_read_mem(const uint8_t *data, size_t size, unsigned want, bench_image *img,
                        uint8_t *px, size_t px_size, char *err, size_t errlen)
{
    png_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.in = data;
    ctx.in_size = size;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_err_fn, png_warn_fn);
    if (!png) return fail(err, errlen, "png_create_read_struct failed");
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    uint8_t *volatile alloc = NULL;
    uint8_t *volatile dst = px;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return fail(err, errlen, "png_create_info_struct failed");
    }
    if (setjmp(ctx.jmp)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(alloc);
        return fail(err, errlen, "%s", ctx.msg);
    }
    png_set_read_fn(png, &ctx, png_read_fn);
    png_set_user_limits(png, DIR_MAX_DIM, DIR_MAX_DIM);
    png_read_info(png, info);
    uint32_t w = png_get_image_width(png, info);
    uint32_t h = png_get_image_height(png, info);
    if ((uint64_t)w * h > DIR_MAX_PIXELS) png_error(png, "image over DIR_MAX_PIXELS");
    unsigned ch = want ? want : png_natural_channels(png, info);
    if (png_setup_transforms(png, info, ch) != 0)
        png_error(png, "the PNG has alpha but the caller wants no alpha channel");
    png_read_update_info(png, info);
    size_t stride = (size_t)w * ch;
    if (png_get_rowbytes(png, info) != stride || png_get_bit_depth(png, info) != 8)
        png_error(png, "unexpected row layout after transforms");
    size_t need = stride * h;
    if (want) {
        if (img->width != w || img->height != h)
            png_error(png, "dimensions differ from the image's");
        if (px_size < need) png_error(png, "output buffer too small");
    } else {
        alloc = malloc(need);
        if (!alloc) png_error(png, "out of memory for the pixels");
        dst = alloc;
    }
    rows = malloc(sizeof(png_bytep) * h);
    if (!rows) png_error(png, "out of memory for the row pointers");
    for (uint32_t y = 0; y < h; y++)
        rows[y] = dst + stride * y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    if (!want) {
        img->width = w;
        img->height = h;
        img->channels = ch;
        img->pixels = alloc;
        img->size = need;
    }
    return 0;
}

int bench_png_load(const uint8_t *data, size_t size, bench_image *img, char *err, size_t errlen)
{
    return png_read_mem(data, size, 0, img, NULL, 0, err, errlen);
}

int bench_png_decode_to(const uint8_t *data, size_t size, unsigned want, uint32_t width,
                        uint32_t height, uint8_t *px, size_t px_size, char *err, size_t errlen)
{
    bench_image shape;
    memset(&shape, 0, sizeof shape);
    shape.width = width;
    shape.height = height;
    return png_read_mem(data, size, want, &shape, px, px_size, err, errlen);
}

int bench_png_encode(const bench_image *img, int level, bench_buf *out, char *err, size_t errlen)
{
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, 0, PNG_COLOR_TYPE_RGB,
                                 PNG_COLOR_TYPE_RGB_ALPHA};
    png_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (img->channels != 1 && img->channels != 3 && img->channels != 4)
        return fail(err, errlen, "png: %u channels", img->channels);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_err_fn, png_warn_fn);
    if (!png) return fail(err, errlen, "png_create_write_struct failed");
    png_infop info = png_create_info_struct(png);
    png_bytep *volatile rows = NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return fail(err, errlen, "png_create_info_struct failed");
    }
    if (setjmp(ctx.jmp)) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        free(ctx.out);
        return fail(err, errlen, "%s", ctx.msg);
    }
    png_set_write_fn(png, &ctx, png_write_fn, png_flush_fn);
    if (level >= 0) png_set_compression_level(png, level);
    png_set_IHDR(png, info, img->width, img->height, 8, types[img->channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    rows = malloc(sizeof(png_bytep) * img->height);
    if (!rows) png_error(png, "out of memory for the row pointers");
    size_t stride = (size_t)img->width * img->channels;
    for (uint32_t y = 0; y < img->height; y++)
        rows[y] = img->pixels + stride * y;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    out->data = ctx.out;
    out->size = ctx.out_size;
    out->release = free;
    return 0;
}

static int png_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                   size_t errlen)
{
    return bench_png_encode(img, c->level, out, err, errlen);
}

static int png_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                   size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)own;
    return bench_png_decode_to(in->data, in->size, img->channels, img->width, img->height, px,
                               px_size, err, errlen);
}

/* The PNG as shipped in the Debian package: no encoding, only decoding. */
static int shipped_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                       size_t errlen)
{
    (void)c;
    out->data = malloc(img->file_size);
    if (!out->data) return fail(err, errlen, "out of memory");
    memcpy(out->data, img->file, img->file_size);
    out->size = img->file_size;
    out->release = free;
    return 0;
}

/* ---- optipng (an external process) ---------------------------------------- */

int bench_write_file(const char *path, const void *data, size_t size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) return fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
    size_t n = fwrite(data, 1, size, f);
    if (fclose(f) != 0 || n != size) return fail(err, errlen, "cannot write %s", path);
    return 0;
}

static int read_file(const char *path, bench_buf *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, errlen, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX / 2) {
        fclose(f);
        return fail(err, errlen, "cannot size %s", path);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size ? size : 1);
    if (!data) {
        fclose(f);
        return fail(err, errlen, "out of memory reading %s", path);
    }
    size_t n = fread(data, 1, size, f);
    fclose(f);
    if (n != size) {
        free(data);
        return fail(err, errlen, "short read on %s", path);
    }
    out->data = data;
    out->size = size;
    out->release = free;
    return 0;
}

int bench_run(char *const argv[], char *err, size_t errlen)
{
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
    if (e != 0) return fail(err, errlen, "cannot run %s: %s", argv[0], strerror(e));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return fail(err, errlen, "waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return fail(err, errlen, "%s failed (status %d)", argv[0], status);
    return 0;
}

/* Encodes with libpng's default level, writes the file and runs
 * `optipng -quiet -o2` on it.  The caller times this whole function, so the
 * time includes process start-up, the file I/O and that libpng encode (a few
 * per cent of optipng's own time); the tables label it "process time". */
static int optipng_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                       size_t errlen)
{
    char in_path[4096], out_path[4096];
    bench_buf png = {0};
    int rc = -1;
    snprintf(in_path, sizeof in_path, "%s/in.png", c->tmpdir);
    snprintf(out_path, sizeof out_path, "%s/out.png", c->tmpdir);
    remove(out_path);
    if (bench_png_encode(img, -1, &png, err, errlen) != 0) return -1;
    if (bench_write_file(in_path, png.data, png.size, err, errlen) != 0) goto done;
    char *argv[] = {(char *)c->tool, "-quiet", "-o2", "-out", out_path, in_path, NULL};
    if (bench_run(argv, err, errlen) != 0) goto done;
    rc = read_file(out_path, out, err, errlen);
done:
    bench_buf_free(&png);
    remove(in_path);
    remove(out_path);
    return rc;
}

/* ---- JPEG XL lossless (cjxl -d 0 -e N, djxl), as processes ------------------ */

/* Writes the pixels as a PNG (libpng level 1: quick, the input only) and
 * runs `cjxl -d 0 -e LEVEL --keep_invisible=1 --quiet`.  The time includes
 * that PNG encode, the file I/O and process start-up ("process time"). */
static int jxl_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                   size_t errlen)
{
    char in_path[4096], out_path[4096], effort[16];
    bench_buf png = {0};
    int rc = -1;
    snprintf(in_path, sizeof in_path, "%s/jin.png", c->tmpdir);
    snprintf(out_path, sizeof out_path, "%s/jout.jxl", c->tmpdir);
    snprintf(effort, sizeof effort, "%d", c->level);
    remove(out_path);
    if (bench_png_encode(img, 1, &png, err, errlen) != 0) return -1;
    if (bench_write_file(in_path, png.data, png.size, err, errlen) != 0) goto done;
    char *argv[] = {(char *)c->tool,      in_path,   out_path, "-d", "0", "-e", effort,
                    "--keep_invisible=1", "--quiet", NULL};
    if (bench_run(argv, err, errlen) != 0) goto done;
    rc = read_file(out_path, out, err, errlen);
done:
    bench_buf_free(&png);
    remove(in_path);
    remove(out_path);
    return rc;
}

/* `djxl IN OUT.png`, then libpng reads the PNG into the input's channels
 * (process time, PNG writing and reading included). */
static int jxl_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                   size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)own;
    char in_path[4096], out_path[4096];
    snprintf(in_path, sizeof in_path, "%s/din.jxl", c->tmpdir);
    snprintf(out_path, sizeof out_path, "%s/dout.png", c->tmpdir);
    int rc = -1;
    if (bench_write_file(in_path, in->data, in->size, err, errlen) != 0) return -1;
    char *argv[] = {"djxl", in_path, out_path, "--quiet", NULL};
    if (bench_run(argv, err, errlen) != 0) goto done;
    bench_buf png = {0};
    if (read_file(out_path, &png, err, errlen) != 0) goto done;
    rc = bench_png_decode_to(png.data, png.size, img->channels, img->width, img->height, px,
                             px_size, err, errlen);
    bench_buf_free(&png);
done:
    remove(in_path);
    remove(out_path);
    return rc;
}

/* ---- lossless WebP ---------------------------------------------------------- */

static void webp_release(void *p)
{
    WebPFree(p);
}

static int webp_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                    size_t errlen)
{
    WebPConfig cfg;
    WebPPicture pic;
    WebPMemoryWriter wr;
    if (!WebPConfigInit(&cfg) || !WebPConfigLosslessPreset(&cfg, c->level)) /* -z level */
        return fail(err, errlen, "webp: config init failed");
    cfg.exact = 1; /* keep the RGB under transparent pixels: lossless */
    if (!WebPPictureInit(&pic)) return fail(err, errlen, "webp: picture init failed");
    if (img->width > WEBP_MAX_DIMENSION || img->height > WEBP_MAX_DIMENSION)
        return fail(err, errlen, "webp: %ux%u is over WebP's limit", img->width, img->height);
    pic.use_argb = 1;
    pic.width = (int)img->width;
    pic.height = (int)img->height;
    int ok;
    if (img->channels == 4) {
        ok = WebPPictureImportRGBA(&pic, img->pixels, (int)(img->width * 4));
    } else if (img->channels == 3) {
        ok = WebPPictureImportRGB(&pic, img->pixels, (int)(img->width * 3));
    } else {
        uint8_t *rgb = grey_to_rgb(img);
        if (!rgb) return fail(err, errlen, "out of memory");
        ok = WebPPictureImportRGB(&pic, rgb, (int)(img->width * 3));
        free(rgb);
    }
    if (!ok) {
        WebPPictureFree(&pic);
        return fail(err, errlen, "webp: import failed");
    }
    WebPMemoryWriterInit(&wr);
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = &wr;
    ok = WebPEncode(&cfg, &pic);
    int code = pic.error_code;
    WebPPictureFree(&pic);
    if (!ok) {
        WebPMemoryWriterClear(&wr);
        return fail(err, errlen, "webp: WebPEncode failed (error %d)", code);
    }
    out->data = wr.mem;
    out->size = wr.size;
    out->release = webp_release;
    return 0;
}

static int webp_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                    size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)own;
    uint8_t *r;
    if (img->channels == 4)
        r = WebPDecodeRGBAInto(in->data, in->size, px, px_size, (int)(img->width * 4));
    else
        r = WebPDecodeRGBInto(in->data, in->size, px, px_size, (int)(img->width * 3));
    if (!r) return fail(err, errlen, "webp: decode failed");
    return 0;
}

/* ---- QOI (Debian's libqoi-dev header; QOI_IMPLEMENTATION in qoi_impl.c) ------ */

static int qoi_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                   size_t errlen)
{
    (void)c;
    qoi_desc d = {img->width, img->height, (unsigned char)(img->channels == 4 ? 4 : 3), QOI_SRGB};
    uint8_t *rgb = NULL;
    const uint8_t *src = img->pixels;
    if (img->channels == 1) {
        rgb = grey_to_rgb(img);
        if (!rgb) return fail(err, errlen, "out of memory");
        src = rgb;
    }
    int len = 0;
    void *data = qoi_encode(src, &d, &len);
    free(rgb);
    if (!data) return fail(err, errlen, "qoi_encode failed (QOI returns no reason)");
    out->data = data;
    out->size = (size_t)len;
    out->release = free;
    return 0;
}

static int qoi_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                   size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)px;
    (void)px_size;
    qoi_desc d;
    if (in->size > INT32_MAX) return fail(err, errlen, "qoi: file too large for QOI's int sizes");
    int ch = img->channels == 4 ? 4 : 3;
    void *p = qoi_decode(in->data, (int)in->size, &d, ch);
    if (!p) return fail(err, errlen, "qoi_decode failed (QOI returns no reason)");
    if (d.width != img->width || d.height != img->height) {
        free(p);
        return fail(err, errlen, "qoi: decoded %ux%u", d.width, d.height);
    }
    *own = p;
    return 0;
}

/* ---- TGA with RLE (our own: type 10 true-colour, type 11 grey) -------------
 *
 * 18-byte header, no image id, no colour map, no footer; origin top-left
 * (descriptor bit 5), 8 alpha bits for 32-bit pixels.  Packets never cross a
 * scan line (as the TGA 2.0 specification asks).  A packet header's bit 7
 * tells run (1) from raw (0); bits 0..6 hold count - 1, so 1..128 pixels.
 * The encoder is greedy: a run of 2 or more equal pixels (3 or more for
 * grey, where a 2-pixel run packet saves nothing) becomes a run packet. */

#define TGA_HEADER 18

static void tga_put_pixel(uint8_t *dst, const uint8_t *src, unsigned ch)
{
    if (ch == 1) {
        dst[0] = src[0];
        return;
    }
    dst[0] = src[2]; /* BGR(A) */
    dst[1] = src[1];
    dst[2] = src[0];
    if (ch == 4) dst[3] = src[3];
}

static int tga_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                   size_t errlen)
{
    (void)c;
    const unsigned ch = img->channels;
    const uint32_t w = img->width, h = img->height;
    if (w > 65535 || h > 65535) return fail(err, errlen, "tga: %ux%u is over 65535", w, h);
    const unsigned min_run = ch == 1 ? 3 : 2;
    size_t cap = TGA_HEADER + (size_t)h * ((size_t)w * ch + (w + 127) / 128);
    uint8_t *o = malloc(cap);
    if (!o) return fail(err, errlen, "out of memory");
    memset(o, 0, TGA_HEADER);
    o[2] = ch == 1 ? 11 : 10;
    o[12] = (uint8_t)(w & 0xff);
    o[13] = (uint8_t)(w >> 8);
    o[14] = (uint8_t)(h & 0xff);
    o[15] = (uint8_t)(h >> 8);
    o[16] = (uint8_t)(8 * ch);
    o[17] = (uint8_t)(0x20 | (ch == 4 ? 8 : 0));
    size_t n = TGA_HEADER;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *row = img->pixels + (size_t)y * w * ch;
        uint32_t x = 0;
        while (x < w) {
            uint32_t run = 1;
            while (x + run < w && run < 128 &&
                   !memcmp(row + (size_t)(x + run) * ch, row + (size_t)x * ch, ch))
                run++;
            if (run >= min_run) {
                o[n++] = (uint8_t)(0x80 | (run - 1));
                tga_put_pixel(o + n, row + (size_t)x * ch, ch);
                n += ch;
                x += run;
                continue;
            }
            /* raw packet: up to the next run of min_run equal pixels */
            uint32_t len = 0;
            while (x + len < w && len < 128) {
                uint32_t r = 1;
                while (x + len + r < w && r < min_run &&
                       !memcmp(row + (size_t)(x + len + r) * ch, row + (size_t)(x + len) * ch, ch))
                    r++;
                if (r >= min_run) break;
                len++;
            }
            o[n++] = (uint8_t)(len - 1);
            for (uint32_t i = 0; i < len; i++, n += ch)
                tga_put_pixel(o + n, row + (size_t)(x + i) * ch, ch);
            x += len;
        }
    }
    out->data = o;
    out->size = n;
    out->release = free;
    return 0;
}

static int tga_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                   size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)own;
    const uint8_t *d = in->data;
    if (in->size < TGA_HEADER) return fail(err, errlen, "tga: truncated header");
    unsigned ch = d[16] / 8u;
    uint32_t w = d[12] | (uint32_t)d[13] << 8, h = d[14] | (uint32_t)d[15] << 8;
    if ((d[2] != 10 && d[2] != 11) || (ch != 1 && ch != 3 && ch != 4) || d[0] != 0 || d[1] != 0 ||
        !(d[17] & 0x20))
        return fail(err, errlen, "tga: not a top-left RLE image this bench writes");
    if (w != img->width || h != img->height || ch != img->channels)
        return fail(err, errlen, "tga: shape differs from the image's");
    size_t total = (size_t)w * h;
    if (px_size < total * ch) return fail(err, errlen, "tga: output buffer too small");
    size_t pos = TGA_HEADER, done = 0;
    uint8_t *p = px;
    while (done < total) {
        if (pos >= in->size) return fail(err, errlen, "tga: truncated at byte %zu", pos);
        unsigned hdr = d[pos++];
        size_t count = (hdr & 0x7f) + 1u;
        if (count > total - done) return fail(err, errlen, "tga: packet overruns the image");
        size_t need = hdr & 0x80 ? ch : count * ch;
        if (need > in->size - pos) return fail(err, errlen, "tga: truncated at byte %zu", pos);
        for (size_t i = 0; i < count; i++, p += ch) {
            const uint8_t *s = d + pos + (hdr & 0x80 ? 0 : i * ch);
            if (ch == 1) {
                p[0] = s[0];
            } else {
                p[0] = s[2];
                p[1] = s[1];
                p[2] = s[0];
                if (ch == 4) p[3] = s[3];
            }
        }
        pos += need;
        done += count;
    }
    if (pos != in->size) return fail(err, errlen, "tga: %zu trailing bytes", in->size - pos);
    return 0;
}

/* ---- deflate level 9 in gzip framing, as `gzip -9` (no file name) ------------ */

static int gzip_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                    size_t errlen)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, c->level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return fail(err, errlen, "deflateInit2 failed");
    if (img->size > UINT32_MAX) {
        deflateEnd(&zs);
        return fail(err, errlen, "gzip: image too large for one zlib call");
    }
    uLong cap = deflateBound(&zs, (uLong)img->size);
    uint8_t *o = malloc(cap);
    if (!o) {
        deflateEnd(&zs);
        return fail(err, errlen, "out of memory");
    }
    zs.next_in = img->pixels;
    zs.avail_in = (uInt)img->size;
    zs.next_out = o;
    zs.avail_out = (uInt)cap;
    int r = deflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    if (r != Z_STREAM_END) {
        free(o);
        return fail(err, errlen, "deflate: %d", r);
    }
    out->data = o;
    out->size = n;
    out->release = free;
    return 0;
}

static int gzip_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                    size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)own;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return fail(err, errlen, "inflateInit2 failed");
    if (in->size > UINT32_MAX || px_size > UINT32_MAX) {
        inflateEnd(&zs);
        return fail(err, errlen, "gzip: too large for one zlib call");
    }
    zs.next_in = in->data;
    zs.avail_in = (uInt)in->size;
    zs.next_out = px;
    zs.avail_out = (uInt)px_size;
    int r = inflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    inflateEnd(&zs);
    if (r != Z_STREAM_END || n != img->size)
        return fail(err, errlen, "inflate: %d after %zu bytes", r, n);
    return 0;
}

/* ---- xz (liblzma preset 9, CRC64 check, as `xz -9`) ------------------------- */

static int xz_enc(const bench_codec *c, const bench_image *img, bench_buf *out, char *err,
                  size_t errlen)
{
    size_t cap = lzma_stream_buffer_bound(img->size);
    if (!cap) return fail(err, errlen, "xz: input too large");
    uint8_t *o = malloc(cap);
    if (!o) return fail(err, errlen, "out of memory");
    size_t pos = 0;
    lzma_ret r = lzma_easy_buffer_encode((uint32_t)c->level, LZMA_CHECK_CRC64, NULL, img->pixels,
                                         img->size, o, &pos, cap);
    if (r != LZMA_OK) {
        free(o);
        return fail(err, errlen, "lzma_easy_buffer_encode: %d", (int)r);
    }
    out->data = o;
    out->size = pos;
    out->release = free;
    return 0;
}

static int xz_dec(const bench_codec *c, const bench_image *img, const bench_buf *in, uint8_t *px,
                  size_t px_size, uint8_t **own, char *err, size_t errlen)
{
    (void)c;
    (void)own;
    uint64_t memlimit = UINT64_MAX;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, NULL, in->data, &in_pos, in->size, px,
                                           &out_pos, px_size);
    if (r != LZMA_OK || out_pos != img->size)
        return fail(err, errlen, "lzma_stream_buffer_decode: %d after %zu bytes", (int)r, out_pos);
    return 0;
}

/* ---- the table ------------------------------------------------------------ */

/* A .dir codec: whole files from dir_encode (read by dir_decode) with
 * `preset`, then the options of `settings` ("name=value" pairs of the core's
 * option table, NULL-terminated), writing format `version` (checked). */
static bench_codec dir_codec(const char *id, const char *label, const char *preset,
                             const char *const *settings, unsigned version)
{
    bench_codec c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.label = label;
    c.encode = dir_enc;
    c.decode = dir_dec;
    c.dir_version = version;
    dir_diag diag;
    if (dir_encode_options_preset(&c.dir, preset, &diag) != DIR_OK) {
        fprintf(stderr, "dir-bench: %s: %s\n", id, diag.message);
        exit(2);
    }
    for (const char *const *s = settings; s && *s; s++) {
        char name[32];
        const char *eq = strchr(*s, '=');
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - *s) : 0, *s);
        if (!eq || dir_option_set(&c.dir, name, eq + 1, &diag) != DIR_OK) {
            fprintf(stderr, "dir-bench: %s: bad setting '%s': %s\n", id, *s,
                    eq ? diag.message : "expected name=value");
            exit(2);
        }
    }
    return c;
}

static bench_codec plain_codec(const char *id, const char *label, bench_encode_fn e,
                               bench_decode_fn d, unsigned flags, int level)
{
    bench_codec c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.label = label;
    c.encode = e;
    c.decode = d;
    c.flags = flags;
    c.level = level;
    return c;
}

size_t bench_codecs(bench_codec *codecs, size_t cap, const char *optipng, const char *cjxl,
                    const char *tmpdir)
{
    bench_codec all[BENCH_MAX_CODECS];
    size_t n = 0;
    /* The seed-pure mode (back end none, ordered layout) in version 1, as
     * the method's author described it; version 1 of the default preset;
     * the three presets as dir_encode writes them (version 2). */
    static const char *const seed_none[] = {"backend=none", "layout=ordered", "filter=none",
                                            "version=1", NULL};
    static const char *const seed_sub[] = {"backend=none", "layout=ordered", "filter=sub",
                                           "version=1", NULL};
    static const char *const seed_auto[] = {"backend=none", "layout=ordered", "filter=auto",
                                            "version=1", NULL};
    static const char *const v1[] = {"version=1", NULL};
    all[n++] = dir_codec("dir-seed-none", ".dir seed-pure, filter none (version 1)", "default",
                         seed_none, 1);
    all[n++] =
        dir_codec("dir-seed-sub", ".dir seed-pure, filter sub (version 1)", "default", seed_sub, 1);
    all[n++] = dir_codec("dir-seed-auto", ".dir seed-pure, filter auto (version 1)", "default",
                         seed_auto, 1);
    all[n++] = dir_codec("dir-v1-default", ".dir v1 default (version 1)", "default", v1, 1);
    all[n++] = dir_codec("dir-fast", ".dir fast", "fast", NULL, 2);
    all[n++] = dir_codec("dir-default", ".dir default", "default", NULL, 2);
    all[n++] = dir_codec("dir-smallest", ".dir smallest", "smallest", NULL, 2);
    all[n++] = plain_codec("png-shipped", "PNG as shipped in Debian", shipped_enc, png_dec,
                           BENCH_NO_ENCODE, -1);
    all[n++] = plain_codec("png-default", "PNG, libpng default level", png_enc, png_dec, 0, -1);
    all[n++] = plain_codec("png-9", "PNG, libpng level 9", png_enc, png_dec, 0, 9);
    if (optipng) {
        all[n] = plain_codec("optipng-o2", "PNG, optipng -o2 (process time)", optipng_enc, png_dec,
                             BENCH_PROCESS, -1);
        all[n].tool = optipng;
        all[n++].tmpdir = tmpdir;
    }
    all[n++] =
        plain_codec("webp-z9", "WebP lossless -z 9", webp_enc, webp_dec, BENCH_EXPANDS_GREY, 9);
    if (cjxl) {
        for (int e = 7; e <= 9; e += 2) {
            all[n] = plain_codec(e == 7 ? "jxl-e7" : "jxl-e9",
                                 e == 7 ? "JPEG XL lossless -e 7 (process time)"
                                        : "JPEG XL lossless -e 9 (process time)",
                                 jxl_enc, jxl_dec, BENCH_PROCESS, e);
            all[n].tool = cjxl;
            all[n++].tmpdir = tmpdir;
        }
    }
    all[n++] = plain_codec("qoi", "QOI", qoi_enc, qoi_dec, BENCH_EXPANDS_GREY, 0);
    all[n++] = plain_codec("tga-rle", "TGA RLE (own, type 10)", tga_enc, tga_dec, 0, 0);
    all[n++] = plain_codec("gzip-9", "gzip -9 of raw pixels", gzip_enc, gzip_dec, 0, 9);
    all[n++] = plain_codec("xz-9", "xz -9 of raw pixels", xz_enc, xz_dec, 0, 9);
    if (n > cap) n = cap;
    memcpy(codecs, all, n * sizeof *codecs);
    return n;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t bench_median(uint64_t *t, unsigned n)
{
    qsort(t, n, sizeof *t, cmp_u64);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

int bench_list_next(FILE *in, char cls[BENCH_CLASS_MAX], char path[BENCH_PATH_MAX],
                    bench_image *img, const char *prog)
{
    char line[BENCH_CLASS_MAX + BENCH_PATH_MAX + 8];
    while (fgets(line, sizeof line, in)) {
        if (sscanf(line, "%31[^\t]\t%7999[^\n]", cls, path) != 2) continue;
        memset(img, 0, sizeof *img);
        img->path = path;
        char err[256];
        if (bench_read_file(path, &img->file, &img->file_size) != 0) {
            fprintf(stderr, "%s: cannot read %s: %s\n", prog, path, strerror(errno));
            return -1;
        }
        if (bench_png_load(img->file, img->file_size, img, err, sizeof err) != 0) {
            fprintf(stderr, "%s: cannot decode %s: %s\n", prog, path, err);
            free(img->file);
            img->file = NULL;
            return -1;
        }
        return 1;
    }
    return 0;
}

int bench_read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 || st.st_size > (1 << 30)) {
        fclose(f);
        errno = EFBIG;
        return -1;
    }
    *size = (size_t)st.st_size;
    *data = malloc(*size + 1);
    if (!*data) {
        fclose(f);
        return -1;
    }
    size_t n = fread(*data, 1, *size, f);
    fclose(f);
    if (n != *size) {
        free(*data);
        errno = EIO;
        return -1;
    }
    (*data)[*size] = 0;
    return 0;
}
