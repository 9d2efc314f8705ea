/* SPDX-License-Identifier: MIT */
/* make_seeds.c -- writes the seed corpora of the fuzz harnesses from the
 * project's test images:
 *
 *   make_seeds OUTDIR STAMP SAMPLE.png...
 *
 * OUTDIR/dir     every sample and small crops of it (1x1, 16x16, 17x17,
 *                37x21: edge sections, grey/RGB/RGBA) encoded as version 1
 *                in all eight filter x layout x back-end combinations, and
 *                the crops as version 2: 8 and 16 bits, as they are and as
 *                grey+alpha, with and without metadata chunks, and with an
 *                unknown ancillary chunk (also the seeds of the ImageMagick
 *                harness);
 * OUTDIR/array   selector byte, width byte and the pixel bytes of arrays
 *                encoded classic (every capacity, ldeczeroes, alpha) and
 *                self-describing (see fuzz_array.c for the selector);
 * OUTDIR/json, OUTDIR/csv, OUTDIR/npy   the same values written by dirtool's
 *                writers (numio's JSON and CSV, tensorio's .npy: float64,
 *                1-D), plus hand-made files for the other syntaxes and
 *                dtypes.
 * STAMP is written last, for the build system.  Exits non-zero on any
 * failure, so a broken seed build fails the build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dir.h"
#include "image_io.h"
#include "numio.h"
#include "tensorio.h"

static const char *outdir;
static unsigned long written;

static void die(const char *what, const char *why)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, why);
    exit(1);
}

static void mkdir_p(const char *sub)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, sub);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) die(path, strerror(errno));
}

static void put(const char *sub, const char *name, const void *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", outdir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) die(path, strerror(errno));
    written++;
}

static void encode_all(const char *stem, const uint8_t *px, uint32_t w, uint32_t h, unsigned c,
                       size_t stride)
{
    for (int m = 0; m < 8; m++) {
        dir_encode_options opt;
        dir_encode_options_default(&opt);
        opt.filter = (m & 1) ? DIR_FILTER_SUB : DIR_FILTER_NONE;
        opt.layout = (m & 2) ? DIR_LAYOUT_INTERLEAVED : DIR_LAYOUT_ORDERED;
        opt.backend = (m & 4) ? DIR_BACKEND_ZSTD : DIR_BACKEND_NONE;
        opt.level = 3;
        opt.format_version = 1; /* the version-1 coder in every mode */
        void *out;
        size_t size;
        dir_diag diag;
        if (dir_encode(px, w, h, c, stride, &opt, &out, &size, NULL, &diag) != DIR_OK)
            die(stem, diag.message);
        char name[512];
        snprintf(name, sizeof name, "%s-%ux%u-%s-%s-%s.dir", stem, w, h,
                 dir_filter_name(opt.filter), dir_layout_name(opt.layout),
                 dir_backend_name(opt.backend));
        put("dir", name, out, size);
        dir_free(out);
    }
}

/* Metadata for the version-2 seeds: a small ICC profile (a valid header,
 * an empty tag table), EXIF, XMP, a UTF-8 comment and 300 dpi. */
static uint8_t seed_icc[160];
static const uint8_t seed_exif[] = {'M', 'M', 0, '*', 0, 0, 0, 8, 0, 1, 1, 0x12, 0, 3,
                                    0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
static const char seed_xmp[] = "<?xpacket begin=\"\xef\xbb\xbf\"?><x:xmpmeta "
                               "xmlns:x=\"adobe:ns:meta/\"/><?xpacket end=\"w\"?>";

static void seed_meta(dir_metadata *m, int which)
{
    memset(m, 0, sizeof *m);
    memset(seed_icc, 0, sizeof seed_icc);
    seed_icc[3] = sizeof seed_icc;
    memcpy(seed_icc + 12, "mntrRGB XYZ ", 12);
    memcpy(seed_icc + 36, "acsp", 4);
    for (size_t i = 132; i < sizeof seed_icc; i++) seed_icc[i] = (uint8_t)(i * 131);
    if (which & 1) {
        m->icc = seed_icc;
        m->icc_size = sizeof seed_icc;
    }
    if (which & 2) {
        m->exif = seed_exif;
        m->exif_size = sizeof seed_exif;
    }
    if (which & 4) {
        m->xmp = seed_xmp;
        m->xmp_size = strlen(seed_xmp);
    }
    if (which & 8) m->comment = "seed \xe2\x80\x94 comment";
    if (which & 16) m->density_x = m->density_y = 11811;
}

static void put_v2(const char *name, const dir_pixels *px, const dir_metadata *m,
                   const dir_encode_options *opt)
{
    void *out;
    size_t size;
    dir_diag diag;
    if (dir_encode_image(px, m, opt, &out, &size, NULL, &diag) != DIR_OK) die(name, diag.message);
    put("dir", name, out, size);
    dir_free(out);
}

/* Version-2 seeds of an 8-bit crop: as it is, as 16-bit samples (the byte
 * repeated, some low bytes changed), as grey+alpha at both depths, with
 * metadata of each kind, and one file with an unknown ancillary chunk. */
static void v2_seeds(const char *stem, const uint8_t *src, uint32_t w, uint32_t h, unsigned c,
                     size_t stride)
{
    size_t n = (size_t)w * h;
    uint8_t *p8 = malloc(n * 4), *ga8 = malloc(n * 2);
    uint16_t *p16 = malloc(n * 4 * 2), *ga16 = malloc(n * 2 * 2);
    if (!p8 || !ga8 || !p16 || !ga16) die(stem, "out of memory");
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            const uint8_t *s = src + (size_t)y * stride + (size_t)x * c;
            size_t i = (size_t)y * w + x;
            for (unsigned k = 0; k < c; k++) {
                p8[i * c + k] = s[k];
                p16[i * c + k] = (uint16_t)(s[k] << 8 | ((x + k) % 3 ? s[k] : (uint8_t)(x ^ y)));
            }
            ga8[2 * i] = s[0];
            ga8[2 * i + 1] = c == 4 ? s[3] : (uint8_t)(x * 16);
            ga16[2 * i] = (uint16_t)(ga8[2 * i] << 8 | (uint8_t)y);
            ga16[2 * i + 1] = (uint16_t)(ga8[2 * i + 1] * 257);
        }
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    opt.level = 3;
    opt.format_version = 2;
    char name[512];
    dir_metadata m;
    const struct {
        const void *data;
        unsigned channels, depth;
        const char *what;
    } forms[] = {{p8, c, 8, "v2"}, {p16, c, 16, "v2-16"}, {ga8, 2, 8, "v2-ga"}, {ga16, 2, 16, "v2-ga16"}};
    for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
        dir_pixels px = {forms[f].data, w, h, forms[f].channels, forms[f].depth, 0};
        snprintf(name, sizeof name, "%s-%ux%u-%s.dir", stem, w, h, forms[f].what);
        put_v2(name, &px, NULL, &opt);
        snprintf(name, sizeof name, "%s-%ux%u-%s-meta.dir", stem, w, h, forms[f].what);
        seed_meta(&m, f == 0 ? 31 : f == 1 ? 1 | 16 : f == 2 ? 8 : 2 | 4);
        put_v2(name, &px, &m, &opt);
    }
    /* an unknown ancillary chunk "zzZz" before the comment */
    dir_pixels px = {p8, w, h, c, 8, 0};
    seed_meta(&m, 8);
    void *out;
    size_t size;
    dir_diag diag;
    if (dir_encode_image(&px, &m, &opt, &out, &size, NULL, &diag) != DIR_OK) die(stem, diag.message);
    uint8_t *f = malloc(size + 15 + DIR_HEADER_SIZE);
    if (!f) die(stem, "out of memory");
    static const uint8_t extra[15] = {'z', 'z', 'Z', 'z', 3, 0, 0, 0, 'a', 'b', 'c'};
    uint8_t chunk[15];
    memcpy(chunk, extra, sizeof chunk);
    uint32_t crc = dir_crc32(dir_crc32(0, chunk, 4), chunk + 8, 3);
    for (int k = 0; k < 4; k++) chunk[11 + k] = (uint8_t)(crc >> (8 * k));
    const uint8_t *o = out;
    uint32_t count = o[24] + 1u, list = (uint32_t)(o[28] | o[29] << 8) + 15u;
    uint64_t payload = 0;
    for (int k = 7; k >= 0; k--) payload = payload << 8 | o[32 + k];
    memcpy(f, o, DIR2_HEADER_SIZE);
    f[24] = (uint8_t)count;
    f[28] = (uint8_t)list;
    f[29] = (uint8_t)(list >> 8);
    memcpy(f + DIR2_HEADER_SIZE, chunk, sizeof chunk);
    size_t used = DIR2_HEADER_SIZE + list - 15 + (size_t)payload;
    memcpy(f + DIR2_HEADER_SIZE + 15, o + DIR2_HEADER_SIZE, used - DIR2_HEADER_SIZE);
    size_t total = used + 15 < DIR_MIN_FILE_SIZE ? DIR_MIN_FILE_SIZE : used + 15;
    memset(f + used + 15, 0, total - used - 15);
    snprintf(name, sizeof name, "%s-%ux%u-v2-unknown-chunk.dir", stem, w, h);
    put("dir", name, f, total);
    free(f);
    dir_free(out);
    free(p8);
    free(ga8);
    free(p16);
    free(ga16);
}

/* A dithered image of 300 colours, RGB and RGBA: the default preset gives
 * it a large image palette (transform 3, docs/FORMAT.md 9.2), which the
 * sample crops, with fewer colours, never reach. */
static void large_palette_seeds(void)
{
    const uint32_t w = 48, h = 40;
    uint8_t img[48 * 40 * 4];
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    opt.format_version = 2;
    for (unsigned ch = 3; ch <= 4; ch++) {
        for (uint32_t i = 0; i < w * h; i++) {
            uint64_t r = i * 0x9e3779b97f4a7c15ULL;
            r ^= r >> 29;
            r *= 0xbf58476d1ce4e5b9ULL;
            unsigned c = (unsigned)((r >> 32) % 300);
            uint8_t *q = img + (size_t)i * ch;
            q[0] = (uint8_t)(c * 37);
            q[1] = (uint8_t)(c / 3);
            q[2] = (uint8_t)(c * 11 + 5);
            if (ch == 4) q[3] = (uint8_t)(255 - c % 2);
        }
        dir_pixels px = {img, w, h, ch, 8, 0};
        char name[64];
        snprintf(name, sizeof name, "pal16-%ux%u-%uch-v2.dir", w, h, ch);
        put_v2(name, &px, NULL, &opt);
    }
}

static void image_seeds(const char *path)
{
    tool_image img;
    char err[256];
    if (tool_read_image(path, NULL, &img, err, sizeof err) != 0) die(path, err);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char stem[256];
    snprintf(stem, sizeof stem, "%.*s", (int)(strcspn(base, ".")), base);
    size_t stride = (size_t)img.width * img.channels;
    encode_all(stem, img.pixels, img.width, img.height, img.channels, 0);
    static const uint32_t crops[][2] = {{1, 1}, {16, 16}, {17, 17}, {37, 21}};
    for (size_t i = 0; i < sizeof crops / sizeof crops[0]; i++) {
        uint32_t cw = crops[i][0], ch = crops[i][1];
        if (cw > img.width || ch > img.height) continue;
        uint32_t x0 = (img.width - cw) / 2, y0 = (img.height - ch) / 2;
        encode_all(stem, img.pixels + (size_t)y0 * stride + (size_t)x0 * img.channels, cw, ch,
                   img.channels, stride);
        v2_seeds(stem, img.pixels + (size_t)y0 * stride + (size_t)x0 * img.channels, cw, ch,
                 img.channels, stride);
    }
    tool_image_free(&img);
}

static const double values_a[] = {0, 1, -1, 0.5, 3.14159, 1e-5, 123456.789, -0.001, 42, 7.25};
static const double values_b[] = {0.125, 0.25, 0.5, 0.75, 0.875, 0.0625, 0.001, 0.999};
static const double values_c[] = {1e300, -2.5e-300, 5e-324, 0.1, 1.7976931348623157e308, -0.0};

struct valueset {
    const char *name;
    const double *v;
    size_t n;
};

static const struct valueset sets[] = {
    {"mixed", values_a, sizeof values_a / sizeof values_a[0]},
    {"unit", values_b, sizeof values_b / sizeof values_b[0]},
    {"extreme", values_c, sizeof values_c / sizeof values_c[0]},
};

static void array_seed(const char *name, const double *v, size_t n, const dira_options *opt,
                       unsigned selector)
{
    uint8_t *px;
    uint32_t w, h;
    unsigned c;
    dir_diag diag;
    /* A configuration that cannot hold the set gives no seed. */
    if (dira_encode(v, n, opt, &px, &w, &h, &c, NULL, &diag) != DIR_OK) return;
    size_t bytes = (size_t)w * h * c;
    uint8_t *buf = malloc(bytes + 2);
    if (!buf) die(name, "out of memory");
    buf[0] = (uint8_t)selector;
    buf[1] = (uint8_t)(w - 1);
    memcpy(buf + 2, px, bytes);
    put("array", name, buf, bytes + 2);
    free(buf);
    dir_free(px);
}

static void array_seeds(void)
{
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        char name[256];
        dira_options opt;
        for (int cap = 0; cap <= 2; cap++)
            for (int ldz = 0; ldz <= 1; ldz++)
                for (int alpha = 0; alpha <= 1; alpha++) {
                    dira_options_default(&opt);
                    opt.classic = 1;
                    opt.capacity = cap;
                    opt.ldeczeroes = ldz;
                    opt.alpha = alpha;
                    opt.width = 4;
                    opt.allow_inexact = 1; /* the reference's bytes: fine as seeds */
                    unsigned sel =
                        (unsigned)cap | (unsigned)ldz << 2 | (alpha ? 8u | 32u : 0u) | 16u;
                    snprintf(name, sizeof name, "classic-%s-c%d-l%d-a%d", sets[s].name, cap, ldz,
                             alpha);
                    array_seed(name, sets[s].v, sets[s].n, &opt, sel);
                }
        for (int alpha = 0; alpha <= 1; alpha++) {
            dira_options_default(&opt);
            opt.alpha = alpha;
            opt.width = 6;
            snprintf(name, sizeof name, "self-%s-a%d", sets[s].name, alpha);
            array_seed(name, sets[s].v, sets[s].n, &opt, alpha ? 8u : 0u);
            /* the same with the CRC fix-up bit, RGB only */
            if (!alpha) {
                snprintf(name, sizeof name, "self-%s-fixcrc", sets[s].name);
                array_seed(name, sets[s].v, sets[s].n, &opt, 64u);
            }
        }
        dira_options_default(&opt);
        opt.normalised = 1;
        opt.norm_min = -3;
        opt.norm_max = 5;
        opt.width = 5;
        snprintf(name, sizeof name, "self-%s-normalised", sets[s].name);
        array_seed(name, values_b, sizeof values_b / sizeof values_b[0], &opt, 0);
    }
}

static void put_text(const char *sub, const char *name, const char *text)
{
    put(sub, name, text, strlen(text));
}

/* A .npy file: version 1.0 header for `descr` and `shape`, then `data`. */
static void npy_seed(const char *name, const char *descr, const char *shape, const void *data,
                     size_t size, int version)
{
    char dict[256];
    int dl = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                      descr, shape);
    size_t pre = version == 1 ? 10 : 12;
    size_t hl = (size_t)dl + 1;
    while ((pre + hl) % 64)
        hl++;
    uint8_t *buf = malloc(pre + hl + size);
    if (!buf) die(name, "out of memory");
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (uint8_t)version;
    buf[7] = 0;
    if (version == 1) {
        buf[8] = (uint8_t)hl;
        buf[9] = (uint8_t)(hl >> 8);
    } else {
        for (int k = 0; k < 4; k++)
            buf[8 + k] = (uint8_t)(hl >> (8 * k));
    }
    memset(buf + pre, ' ', hl);
    memcpy(buf + pre, dict, (size_t)dl);
    buf[pre + hl - 1] = '\n';
    memcpy(buf + pre + hl, data, size);
    put("npy", name, buf, pre + hl + size);
    free(buf);
}

static void number_seeds(void)
{
    char err[256];
    for (size_t s = 0; s < sizeof sets / sizeof sets[0]; s++) {
        char name[256];
        char *t;
        uint8_t *b;
        size_t len;
        snprintf(name, sizeof name, "%s.json", sets[s].name);
        if (numio_format_json(sets[s].v, sets[s].n, &t, &len, err, sizeof err)) die(name, err);
        put("json", name, t, len);
        free(t);
        snprintf(name, sizeof name, "%s.csv", sets[s].name);
        if (numio_format_csv(sets[s].v, sets[s].n, &t, &len, err, sizeof err)) die(name, err);
        put("csv", name, t, len);
        free(t);
        snprintf(name, sizeof name, "%s.npy", sets[s].name);
        dira_tensor tensor = {"", DIRA_F64, 1, {sets[s].n}, sets[s].v};
        if (tio_format_npy(&tensor, &b, &len, err, sizeof err)) die(name, err);
        put("npy", name, b, len);
        free(b);
    }
    put_text("json", "nested.json", "[[1, 2.5], [[-3e2]], [], [4, [5, [6e-1]]]]");
    put_text("json", "specials.json", "[NaN, Infinity, -Infinity, 1]");
    put_text("json", "empty.json", "[]");
    put_text("json", "spaces.json", " \n[ 1 ,\t-0 , 0.1e+1 ]\n");
    put_text("json", "ints.json", "[9007199254740993, -9223372036854775808, 1e400]");
    put_text("csv", "grid.csv", "1,2,3\n4,5,6\r\n-7.5,8e3,0.001\n");
    put_text("csv", "spaces.csv", "  1 2\t3\n\n4   5 ,6\n");
    put_text("csv", "empty.csv", "");
    put_text("csv", "specials.csv", "nan,inf,-inf,1e-320\n");

    static const double f8[] = {1.5, -2.25, 1e10};
    static const float f4[] = {1.5f, -2.25f, 3.0e-3f};
    static const int16_t i2[] = {1, -2, 32767, -32768};
    static const uint8_t u1[] = {0, 1, 255};
    static const int64_t i8[] = {1, -1, (int64_t)1 << 53};
    npy_seed("f8-2d.npy", "<f8", "(3, 1)", f8, sizeof f8, 1);
    npy_seed("f4.npy", "<f4", "(3,)", f4, sizeof f4, 1);
    npy_seed("i2-v2.npy", "<i2", "(4,)", i2, sizeof i2, 2);
    npy_seed("u1-v3.npy", "|u1", "(3,)", u1, sizeof u1, 3);
    npy_seed("i8.npy", "<i8", "(3,)", i8, sizeof i8, 1);
    uint8_t be[sizeof f8];
    for (size_t i = 0; i < sizeof f8; i++)
        be[i] = ((const uint8_t *)f8)[(i / 8) * 8 + 7 - i % 8];
    npy_seed("f8-be.npy", ">f8", "(3,)", be, sizeof be, 1);
    npy_seed("scalar.npy", "<f8", "()", f8, 8, 1);
    npy_seed("empty.npy", "<f8", "(0,)", f8, 0, 1);
    npy_seed("f4-fortran.npy", "<f4", "(3, 1)", f4, sizeof f4, 1);
    static const uint16_t f2[] = {0x3C00u, 0x7E00u, 0xFC00u};
    npy_seed("f2.npy", "<f2", "(3,)", f2, sizeof f2, 1);
    static const uint8_t b1[] = {1, 0, 1, 1};
    npy_seed("b1-2d.npy", "|b1", "(2, 2)", b1, sizeof b1, 1);
}

/* The tensors of `set` written by `format` (one of dirtool's writers) to
 * sub/name. */
static void put_tensors(const char *sub, const char *name,
                        int (*format)(const tio_set *, uint8_t **, size_t *, char *, size_t),
                        const tio_set *set)
{
    uint8_t *b;
    size_t len;
    char err[256];
    if (format(set, &b, &len, err, sizeof err)) die(name, err);
    put(sub, name, b, len);
    free(b);
}

/* .npz and safetensors seeds, written by dirtool's own writers. */
static void tensor_seeds(void)
{
    static const float w[6] = {0.5f, -1.25f, 3e-3f, 0, -0.0f, 7};
    static const uint16_t bf[3] = {0x3F80u, 0xC000u, 0x7FC0u};
    static const int64_t ids[2] = {-1, (int64_t)1 << 60};
    static const uint8_t mask[3] = {1, 0, 1};
    dira_tensor t[4];
    memset(t, 0, sizeof t);
    t[0] = (dira_tensor){"layer.weight", DIRA_F32, 2, {2, 3}, w};
    t[1] = (dira_tensor){"ids", DIRA_I64, 1, {2}, ids};
    t[2] = (dira_tensor){"mask", DIRA_BOOL, 1, {3}, mask};
    t[3] = (dira_tensor){"emb", DIRA_BF16, 1, {3}, bf};
    dira_meta meta[1] = {{"format", "pt"}};
    mkdir_p("npz");
    mkdir_p("safetensors");
    put_tensors("npz", "three.npz", tio_format_npz, &(tio_set){3, t, 0, NULL});
    put_tensors("npz", "one.npz", tio_format_npz, &(tio_set){1, t, 0, NULL});
    put_tensors("safetensors", "four.safetensors", tio_format_safetensors,
                &(tio_set){4, t, 1, meta});
    put_tensors("safetensors", "meta-only.safetensors", tio_format_safetensors,
                &(tio_set){0, t, 1, meta});
    put_text("json", "object.json", "{\"a\": [[1, 2], [3, 4]], \"b\": 5, \"c\": []}");
    put_text("json", "ragged.json", "[[1, 2], [3]]");
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: make_seeds OUTDIR STAMP SAMPLE.png...\n");
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) die(outdir, strerror(errno));
    const char *subs[] = {"dir", "array", "json", "csv", "npy"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        mkdir_p(subs[i]);
    for (int i = 3; i < argc; i++)
        image_seeds(argv[i]);
    large_palette_seeds();
    array_seeds();
    number_seeds();
    tensor_seeds();
    FILE *stamp = fopen(argv[2], "w");
    if (!stamp || fclose(stamp) != 0) die(argv[2], strerror(errno));
    printf("make_seeds: %lu seed files in %s\n", written, outdir);
    return 0;
}
