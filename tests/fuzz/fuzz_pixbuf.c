/* SPDX-License-Identifier: MIT */
/* fuzz_pixbuf.c -- libFuzzer harness for the gdk-pixbuf loader's own logic
 * (gdk-pixbuf/io-dir.c, compiled in): the buffering of increments (the
 * header checked as soon as it is in, at most one byte kept past the
 * declared size), the channel expansion and the scaling to the size asked
 * for.  The input is a .dir file, fed through the module's vtable
 * (begin_load, load_increment, stop_load) whole, in pieces of 7 bytes and
 * of 4096 bytes, and once more asking for half the size.  Invariants:
 *
 *   - the loader succeeds exactly when the core decodes the file (the
 *     bytes up to one past the declared size, as the loader keeps them);
 *   - on failure: a GdkPixbufError whose message is the core's own, the
 *     same whatever the pieces;
 *   - on success: the prepared and updated callbacks ran once, with a
 *     pixbuf of the size asked for, RGB(A) as the file's channels say, and
 *     at full size every sample equal to the core's (grey as R = G = B).
 *
 * Files over 4096x4096 or 4 Mi pixels are passed over (the loader takes
 * the core's default limits, 2^28 pixels, which would make the fuzzer run
 * out of memory). */
#include <string.h>

#define GDK_PIXBUF_ENABLE_BACKEND
#include <gdk-pixbuf/gdk-pixbuf.h>
#undef GDK_PIXBUF_ENABLE_BACKEND

#include "dir.h"
#include "fuzz.h"

G_MODULE_EXPORT void fill_vtable(GdkPixbufModule *module);

typedef struct run {
    int want_half;  /* the size callback asks for half the size */
    int size_calls; /* size callback */
    int prepared;   /* prepared callback */
    int updated;    /* updated callback */
    int asked_w, asked_h;
    GdkPixbuf *pixbuf;
} run;

static void on_size(gint *width, gint *height, gpointer user)
{
    run *r = user;
    r->size_calls++;
    if (r->want_half) {
        *width = MAX(*width / 2, 1);
        *height = MAX(*height / 2, 1);
    }
    r->asked_w = *width;
    r->asked_h = *height;
}

static void on_prepared(GdkPixbuf *pixbuf, GdkPixbufAnimation *anim, gpointer user)
{
    run *r = user;
    r->prepared++;
    FUZZ_CHECK(anim == NULL);
    FUZZ_CHECK(r->pixbuf == NULL);
    r->pixbuf = g_object_ref(pixbuf);
}

static void on_updated(GdkPixbuf *pixbuf, int x, int y, int width, int height, gpointer user)
{
    run *r = user;
    r->updated++;
    FUZZ_CHECK(pixbuf == r->pixbuf);
    FUZZ_CHECK(x == 0 && y == 0);
    FUZZ_CHECK(width == gdk_pixbuf_get_width(pixbuf) && height == gdk_pixbuf_get_height(pixbuf));
}

/* Feeds data in pieces of `piece` bytes; returns TRUE on success, else
 * FALSE with *error set. */
static gboolean feed(const GdkPixbufModule *m, const uint8_t *data, size_t size, size_t piece,
                     run *r, GError **error)
{
    gpointer ctx = m->begin_load(on_size, on_prepared, on_updated, r, error);
    FUZZ_CHECK(ctx != NULL);
    gboolean ok = TRUE;
    for (size_t at = 0; ok && at < size; at += piece)
        ok = m->load_increment(ctx, data + at, (guint)MIN(piece, size - at), error);
    if (ok) return m->stop_load(ctx, error);
    /* GdkPixbufLoader closes a failed loader too, without an error. */
    FUZZ_CHECK(!m->stop_load(ctx, NULL));
    return FALSE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static GdkPixbufModule module;
    if (!module.begin_load) fill_vtable(&module);

    dir_limits tight;
    dir_limits_default(&tight);
    FUZZ_CHECK(dir_limits_restrict(&tight, 4096, 4096, (uint64_t)4 << 20) == DIR_OK);
    uint64_t declared = 0;
    dir_error derr = dir_declared_size(data, size, NULL, &declared, NULL);
    if (derr == DIR_OK && dir_declared_size(data, size, &tight, &declared, NULL) != DIR_OK)
        return 0; /* within the format's limits but too big to fuzz */

    /* The core on what the loader keeps. */
    size_t kept = size;
    if (derr == DIR_OK && size > declared + 1) kept = (size_t)declared + 1;
    void *pixels = NULL;
    dir_info info;
    dir_diag diag;
    memset(&diag, 0, sizeof diag);
    dir_error err = dir_decode_alloc(data, kept, NULL, &pixels, &info, NULL, &diag);

    static const size_t pieces[] = {0, 7, 4096, 4096};
    for (size_t k = 0; k < G_N_ELEMENTS(pieces); k++) {
        run r;
        memset(&r, 0, sizeof r);
        r.want_half = k == 3;
        GError *error = NULL;
        gboolean ok = feed(&module, data, size, pieces[k] ? pieces[k] : MAX(size, 1), &r, &error);
        if (err != DIR_OK) {
            FUZZ_CHECK(!ok);
            FUZZ_CHECK(error != NULL && error->domain == GDK_PIXBUF_ERROR);
            FUZZ_CHECK(strcmp(error->message, diag.message[0] ? diag.message : dir_strerror(err)) ==
                       0);
            FUZZ_CHECK(r.pixbuf == NULL && r.prepared == 0 && r.updated == 0);
            g_error_free(error);
            continue;
        }
        FUZZ_CHECK(ok && error == NULL);
        FUZZ_CHECK(r.size_calls == 1 && r.prepared == 1 && r.updated == 1);
        GdkPixbuf *pb = r.pixbuf;
        FUZZ_CHECK(gdk_pixbuf_get_width(pb) == r.asked_w && gdk_pixbuf_get_height(pb) == r.asked_h);
        FUZZ_CHECK(gdk_pixbuf_get_has_alpha(pb) == (info.channels == 2 || info.channels == 4));
        FUZZ_CHECK(gdk_pixbuf_get_bits_per_sample(pb) == 8);
        if (!r.want_half) {
            FUZZ_CHECK(r.asked_w == (int)info.width && r.asked_h == (int)info.height);
            const guint8 *base = gdk_pixbuf_read_pixels(pb);
            const uint8_t *src = pixels;
            const uint16_t *src16 = pixels;
            int stride = gdk_pixbuf_get_rowstride(pb), n = gdk_pixbuf_get_n_channels(pb);
            size_t at = 0;
            for (uint32_t y = 0; y < info.height; y++)
                for (uint32_t x = 0; x < info.width; x++) {
                    const guint8 *p = base + (size_t)y * stride + (size_t)x * n;
                    for (int c = 0; c < n; c++) {
                        /* grey (+ alpha) expanded; 16-bit samples rounded to 8 */
                        size_t ch = info.channels >= 3 ? (size_t)c : c < 3 ? 0 : 1;
                        unsigned want = info.depth == 16 ? (src16[at + ch] * 255u + 32767u) / 65535u
                                                         : src[at + ch];
                        FUZZ_CHECK(p[c] == want);
                    }
                    at += info.channels;
                }
        }
        g_object_unref(pb);
    }
    dir_free(pixels);
    return 0;
}
