/* SPDX-License-Identifier: MIT */
/* pixbuf_check.c -- the gdk-pixbuf loader (GDK_PIXBUF_MODULE_FILE naming
 * this build's module) against the core's own decode.
 *
 *   pixbuf_check load FILE.dir
 *       gdk_pixbuf_new_from_file, a GdkPixbufLoader fed in pieces of 1, 7,
 *       113, 4096 bytes and the whole file, and gdk_pixbuf_get_file_info:
 *       every pixel equal to dir_decode's (grey as R = G = B, alpha kept);
 *       gdk_pixbuf_new_from_file_at_size (FILE, 64, 64) equal to the core's
 *       pixels scaled by gdk_pixbuf_scale_simple (GDK_INTERP_BILINEAR).
 *   pixbuf_check thumb FILE.dir THUMB.png SIZE
 *       THUMB.png, written by gdk-pixbuf-thumbnailer -s SIZE, equal to the
 *       core's pixels at the size the thumbnailer asks for (2.42 calls
 *       gdk_pixbuf_new_from_file_at_size (FILE, SIZE, SIZE)), scaled by
 *       gdk_pixbuf_scale_simple (GDK_INTERP_BILINEAR).
 *   pixbuf_check error FILE corrupt|memory|unknown TEXT
 *       the file fails to load, through gdk_pixbuf_new_from_file and through
 *       a GdkPixbufLoader fed in 1000-byte pieces, with that GdkPixbufError
 *       code and a message holding the core's own message for the file
 *       (dir_decode's dir_diag) and TEXT.  The loader keeps no more than
 *       one byte past the size the header declares, so the core's message
 *       is taken on at most that much (trailing data: "1 trailing bytes").
 *   pixbuf_check small OUT.dir
 *       writes a 90x60 RGBA image (smaller than a thumbnail, alpha from 0
 *       to 255) with the core's encoder.
 *
 * The scaled references are exact: the loader hands the core's pixels to
 * gdk_pixbuf_scale_simple with the same size and filter, a deterministic
 * function, so any difference is a loader bug (wrong pixels, wrong size,
 * lost alpha), not rounding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "dir.h"
#include "testutil.h"

/* The core's decode of `path` as a pixbuf (grey expanded to RGB by hand),
 * or NULL with the core's message in diag. */
static GdkPixbuf *core_pixbuf(const char *path, dir_info *info, dir_diag *diag)
{
    gchar *data;
    gsize size;
    void *pixels = NULL;
    GError *error = NULL;

    if (!g_file_get_contents(path, &data, &size, &error)) {
        fprintf(stderr, "%s\n", error->message);
        exit(1);
    }
    memset(diag, 0, sizeof *diag);
    dir_error err = dir_decode_alloc(data, size, NULL, &pixels, info, NULL, diag);
    g_free(data);
    if (err != DIR_OK) {
        dir_free(pixels);
        return NULL;
    }
    GdkPixbuf *pb = gdk_pixbuf_new(GDK_COLORSPACE_RGB, info->channels == 4, 8, (int)info->width,
                                   (int)info->height);
    if (!pb) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    const uint8_t *src = pixels;
    guint8 *base = gdk_pixbuf_get_pixels(pb);
    int stride = gdk_pixbuf_get_rowstride(pb), n = gdk_pixbuf_get_n_channels(pb);
    for (uint32_t y = 0; y < info->height; y++)
        for (uint32_t x = 0; x < info->width; x++) {
            guint8 *d = base + (size_t)y * stride + (size_t)x * n;
            for (int c = 0; c < n; c++)
                d[c] = info->channels == 1 ? src[0] : src[c];
            src += info->channels;
        }
    dir_free(pixels);
    return pb;
}

/* The size gdk-pixbuf asks for to fit `size` x `size`, aspect kept: the
 * rule of gdk_pixbuf_new_from_file_at_size () and of gdk-pixbuf-thumbnailer
 * (their size-prepared handlers). */
static void fit(int *w, int *h, int size)
{
    if ((double)*h * size > (double)*w * size) {
        *w = (int)(0.5 + (double)*w * size / (double)*h);
        *h = size;
    } else {
        *h = (int)(0.5 + (double)*h * size / (double)*w);
        *w = size;
    }
    *w = MAX(*w, 1);
    *h = MAX(*h, 1);
}

/* Exact comparison: size, channels, alpha, every sample. */
static void same_pixbuf(GdkPixbuf *got, GdkPixbuf *want, const char *what)
{
    if (!got) {
        fprintf(stderr, "%s: no pixbuf\n", what);
        test_failures++;
        return;
    }
    int w = gdk_pixbuf_get_width(want), h = gdk_pixbuf_get_height(want);
    int n = gdk_pixbuf_get_n_channels(want);
    if (gdk_pixbuf_get_width(got) != w || gdk_pixbuf_get_height(got) != h ||
        gdk_pixbuf_get_n_channels(got) != n ||
        gdk_pixbuf_get_has_alpha(got) != gdk_pixbuf_get_has_alpha(want) ||
        gdk_pixbuf_get_bits_per_sample(got) != 8 ||
        gdk_pixbuf_get_colorspace(got) != GDK_COLORSPACE_RGB) {
        fprintf(stderr, "%s: %dx%d, %d channels, alpha %d; expected %dx%d, %d channels, alpha %d\n",
                what, gdk_pixbuf_get_width(got), gdk_pixbuf_get_height(got),
                gdk_pixbuf_get_n_channels(got), gdk_pixbuf_get_has_alpha(got), w, h, n,
                gdk_pixbuf_get_has_alpha(want));
        test_failures++;
        return;
    }
    const guint8 *a = gdk_pixbuf_read_pixels(got), *b = gdk_pixbuf_read_pixels(want);
    int sa = gdk_pixbuf_get_rowstride(got), sb = gdk_pixbuf_get_rowstride(want);
    long bad = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * n; x++)
            if (a[(size_t)y * sa + x] != b[(size_t)y * sb + x]) {
                if (!bad)
                    fprintf(stderr,
                            "%s: first difference at (%d, %d) channel %d: %u, expected %u\n", what,
                            x / n, y, x % n, a[(size_t)y * sa + x], b[(size_t)y * sb + x]);
                bad++;
            }
    if (bad) {
        fprintf(stderr, "%s: %ld samples differ\n", what, bad);
        test_failures++;
    }
}

/* Feeds the file to a "dir" GdkPixbufLoader in pieces of `chunk` bytes.
 * Returns the pixbuf (a new reference) or NULL with *error set. */
static GdkPixbuf *load_in_pieces(const char *path, gsize chunk, GError **error)
{
    gchar *data;
    gsize size;
    if (!g_file_get_contents(path, &data, &size, error)) return NULL;
    GdkPixbufLoader *loader = gdk_pixbuf_loader_new_with_type("dir", error);
    if (!loader) {
        g_free(data);
        return NULL;
    }
    gboolean ok = TRUE;
    for (gsize at = 0; ok && at < size; at += chunk)
        ok = gdk_pixbuf_loader_write(loader, (const guchar *)data + at, MIN(chunk, size - at),
                                     error);
    if (ok) {
        ok = gdk_pixbuf_loader_close(loader, error);
    } else {
        gdk_pixbuf_loader_close(loader, NULL);
    }
    GdkPixbuf *pb = ok ? gdk_pixbuf_loader_get_pixbuf(loader) : NULL;
    if (pb) g_object_ref(pb);
    if (ok && !pb)
        g_set_error_literal(error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_FAILED, "no pixbuf");
    g_object_unref(loader);
    g_free(data);
    return pb;
}

static int check_load(const char *path)
{
    dir_info info;
    dir_diag diag;
    GError *error = NULL;
    GdkPixbuf *want = core_pixbuf(path, &info, &diag);
    if (!want) {
        fprintf(stderr, "%s: the core does not decode it: %s\n", path, diag.message);
        return 1;
    }

    GdkPixbuf *got = gdk_pixbuf_new_from_file(path, &error);
    if (!got) fprintf(stderr, "gdk_pixbuf_new_from_file: %s\n", error->message);
    g_clear_error(&error);
    same_pixbuf(got, want, "gdk_pixbuf_new_from_file");
    if (got) g_object_unref(got);

    static const gsize pieces[] = {1, 7, 113, 4096, (gsize)1 << 30};
    for (size_t k = 0; k < G_N_ELEMENTS(pieces); k++) {
        char what[64];
        snprintf(what, sizeof what, "loader, pieces of %zu bytes", (size_t)pieces[k]);
        got = load_in_pieces(path, pieces[k], &error);
        if (!got) fprintf(stderr, "%s: %s\n", what, error->message);
        g_clear_error(&error);
        same_pixbuf(got, want, what);
        if (got) g_object_unref(got);
    }

    int w = 0, h = 0;
    GdkPixbufFormat *format = gdk_pixbuf_get_file_info(path, &w, &h);
    CHECK(format != NULL);
    if (format) {
        gchar *name = gdk_pixbuf_format_get_name(format);
        gchar **mime = gdk_pixbuf_format_get_mime_types(format);
        CHECK(strcmp(name, "dir") == 0);
        CHECK(mime[0] && strcmp(mime[0], "image/x-dir") == 0);
        g_free(name);
        g_strfreev(mime);
    }
    CHECK_EQ_INT(w, info.width);
    CHECK_EQ_INT(h, info.height);

    /* At a smaller size (aspect kept): the size callback. */
    got = gdk_pixbuf_new_from_file_at_size(path, 64, 64, &error);
    if (!got) fprintf(stderr, "gdk_pixbuf_new_from_file_at_size: %s\n", error->message);
    g_clear_error(&error);
    int sw = (int)info.width, sh = (int)info.height;
    fit(&sw, &sh, 64);
    GdkPixbuf *scaled = gdk_pixbuf_scale_simple(want, sw, sh, GDK_INTERP_BILINEAR);
    same_pixbuf(got, scaled, "gdk_pixbuf_new_from_file_at_size 64x64");
    if (got) g_object_unref(got);
    g_object_unref(scaled);

    g_object_unref(want);
    if (!test_failures)
        printf("%s: %ux%u, %u channel(s): pixel-exact through gdk-pixbuf\n", path, info.width,
               info.height, info.channels);
    TEST_DONE();
}

static int check_thumb(const char *path, const char *thumb, int size)
{
    dir_info info;
    dir_diag diag;
    GError *error = NULL;
    GdkPixbuf *want = core_pixbuf(path, &info, &diag);
    if (!want) {
        fprintf(stderr, "%s: the core does not decode it: %s\n", path, diag.message);
        return 1;
    }
    /* gdk-pixbuf-thumbnailer 2.42 loads with gdk_pixbuf_new_from_file_at_size
     * (FILE, SIZE, SIZE): the image fits SIZE x SIZE, aspect kept, smaller
     * images enlarged too. */
    int w = (int)info.width, h = (int)info.height;
    fit(&w, &h, size);
    GdkPixbuf *scaled = gdk_pixbuf_scale_simple(want, w, h, GDK_INTERP_BILINEAR);
    g_object_unref(want);
    want = scaled;

    GdkPixbuf *got = gdk_pixbuf_new_from_file(thumb, &error);
    if (!got) {
        fprintf(stderr, "%s: %s\n", thumb, error->message);
        g_clear_error(&error);
        test_failures++;
    } else {
        same_pixbuf(got, want, thumb);
        g_object_unref(got);
    }
    g_object_unref(want);
    if (!test_failures)
        printf("%s: %ux%u thumbnail %dx%d pixel-exact\n", path, info.width, info.height, w, h);
    TEST_DONE();
}

static void expect_error(GError *error, int code, const char *core_message, const char *text,
                         const char *what)
{
    if (!error) {
        fprintf(stderr, "%s: loaded, expected an error\n", what);
        test_failures++;
        return;
    }
    if (error->domain != GDK_PIXBUF_ERROR || error->code != code ||
        !strstr(error->message, core_message) || !strstr(error->message, text)) {
        fprintf(stderr,
                "%s: error %s %d \"%s\"; expected GdkPixbufError %d with \"%s\" and \"%s\"\n", what,
                g_quark_to_string(error->domain), error->code, error->message, code, core_message,
                text);
        test_failures++;
    } else {
        printf("%s: %s\n", what, error->message);
    }
}

static int check_error(const char *path, const char *kind, const char *text)
{
    int code;
    if (strcmp(kind, "corrupt") == 0)
        code = GDK_PIXBUF_ERROR_CORRUPT_IMAGE;
    else if (strcmp(kind, "memory") == 0)
        code = GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY;
    else if (strcmp(kind, "unknown") == 0)
        code = GDK_PIXBUF_ERROR_UNKNOWN_TYPE;
    else {
        fprintf(stderr, "unknown error kind %s\n", kind);
        return 2;
    }
    gchar *data;
    gsize size;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &size, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    uint64_t declared;
    if (dir_declared_size(data, size, NULL, &declared, NULL) == DIR_OK && size > declared + 1)
        size = (gsize)declared + 1;
    dir_diag diag;
    memset(&diag, 0, sizeof diag);
    void *pixels = NULL;
    dir_error err = dir_decode_alloc(data, size, NULL, &pixels, NULL, NULL, &diag);
    g_free(data);
    dir_free(pixels);
    if (err == DIR_OK) {
        fprintf(stderr, "%s: the core decodes it: not a malformed file\n", path);
        return 1;
    }
    CHECK(diag.message[0] != '\0');

    GdkPixbuf *pb = gdk_pixbuf_new_from_file(path, &error);
    CHECK(pb == NULL);
    expect_error(error, code, diag.message, text, "gdk_pixbuf_new_from_file");
    g_clear_error(&error);
    if (pb) g_object_unref(pb);

    pb = load_in_pieces(path, 1000, &error);
    CHECK(pb == NULL);
    expect_error(error, code, diag.message, text, "loader, pieces of 1000 bytes");
    g_clear_error(&error);
    if (pb) g_object_unref(pb);
    TEST_DONE();
}

static int make_small(const char *path)
{
    enum { W = 90, H = 60 };
    static uint8_t px[W * H * 4];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = px + (y * W + x) * 4;
            p[0] = (uint8_t)(x * 255 / (W - 1));
            p[1] = (uint8_t)(y * 255 / (H - 1));
            p[2] = (uint8_t)((x / 8 + y / 8) % 2 ? 200 : 30);
            p[3] = (uint8_t)((x + y) * 255 / (W + H - 2));
        }
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    void *out;
    size_t n;
    dir_diag diag;
    if (dir_encode(px, W, H, 4, 0, &opt, &out, &n, NULL, &diag) != DIR_OK) {
        fprintf(stderr, "dir_encode: %s\n", diag.message);
        return 1;
    }
    GError *error = NULL;
    gboolean ok = g_file_set_contents(path, out, (gssize)n, &error);
    dir_free(out);
    if (!ok) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "small") == 0) return make_small(argv[2]);
    if (!getenv("GDK_PIXBUF_MODULE_FILE")) {
        fprintf(stderr,
                "GDK_PIXBUF_MODULE_FILE is not set: the system's loaders would be tested\n");
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "load") == 0) return check_load(argv[2]);
    if (argc == 5 && strcmp(argv[1], "thumb") == 0)
        return check_thumb(argv[2], argv[3], atoi(argv[4]));
    if (argc == 5 && strcmp(argv[1], "error") == 0) return check_error(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: pixbuf_check load FILE.dir | thumb FILE.dir THUMB.png SIZE |\n"
                    "       error FILE corrupt|memory|unknown TEXT | small OUT.dir\n");
    return 2;
}
