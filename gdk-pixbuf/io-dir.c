/* SPDX-License-Identifier: MIT */
/*
 * io-dir.c -- gdk-pixbuf loader for .dir images.
 *
 * Glue only: the core (dir.h) validates and decodes, with its default
 * limits and its own error messages.  This module buffers what the
 * GdkPixbufLoader feeds it (checking the header with the core as soon as it
 * is in, so that a bad or over-limit file is refused at once, and keeping
 * no more than the size the header declares, plus one byte for the core
 * to notice trailing data), decodes when the loader is closed, and turns
 * the pixels into a pixbuf: grey becomes RGB, grey+alpha RGBA, RGB and
 * RGBA are used as decoded.  A size asked for through the size callback
 * (thumbnailers ask for a smaller one) is made by scaling the decoded image
 * with GDK_INTERP_BILINEAR, as GdkPixbufLoader itself does for loaders
 * that do not scale.
 *
 * Decoding waits for the last byte because a .dir file carries one CRC
 * over all its pixels: no row is known good before the whole file is.
 */

#include <string.h>

#define GDK_PIXBUF_ENABLE_BACKEND
#include <gdk-pixbuf/gdk-pixbuf.h>
#undef GDK_PIXBUF_ENABLE_BACKEND

#include "dir.h"

G_MODULE_EXPORT void fill_vtable (GdkPixbufModule *module);
G_MODULE_EXPORT void fill_info (GdkPixbufFormat *info);

typedef struct {
        GdkPixbufModuleSizeFunc     size_func;
        GdkPixbufModulePreparedFunc prepared_func;
        GdkPixbufModuleUpdatedFunc  updated_func;
        gpointer                    user_data;

        GByteArray *data;      /* the file so far, at most declared + 1 bytes */
        dir_limits  limits;
        gboolean    got_header;
        guint64     declared;  /* the file size the header declares */

        /* A failure already reported by load_increment, repeated by
         * stop_load (GdkPixbufLoader closes a failed loader too). */
        gint        error_code;
        gchar      *error_message;
} DirContext;

static void
dir_context_fail (DirContext   *context,
                  GError      **error,
                  gint          code,
                  const gchar  *message)
{
        if (context->error_message == NULL) {
                context->error_code = code;
                context->error_message = g_strdup (message);
        }
        g_set_error_literal (error, GDK_PIXBUF_ERROR, code, message);
}

/* The core's error as a GError: its specific message (dir_diag), with the
 * GdkPixbufError code that fits. */
static void
dir_context_fail_core (DirContext      *context,
                       GError         **error,
                       dir_error        err,
                       const dir_diag  *diag)
{
        const gchar *message = diag->message[0] ? diag->message : dir_strerror (err);
        gint code;

        switch (err) {
        case DIR_ENOMEM:
        case DIR_ELIMIT:
                /* Over the limits: the pixels would not fit in the memory
                 * the core agrees to ask for. */
                code = GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY;
                break;
        case DIR_EMAGIC:
        case DIR_EVERSION:
                /* Not a .dir file, or one of a version this core does not
                 * read. */
                code = GDK_PIXBUF_ERROR_UNKNOWN_TYPE;
                break;
        default:
                code = GDK_PIXBUF_ERROR_CORRUPT_IMAGE;
                break;
        }
        dir_context_fail (context, error, code, message);
}

static gpointer
gdk_pixbuf__dir_image_begin_load (GdkPixbufModuleSizeFunc       size_func,
                                  GdkPixbufModulePreparedFunc   prepared_func,
                                  GdkPixbufModuleUpdatedFunc    updated_func,
                                  gpointer                      user_data,
                                  GError                      **error)
{
        DirContext *context = g_new0 (DirContext, 1);

        context->size_func = size_func;
        context->prepared_func = prepared_func;
        context->updated_func = updated_func;
        context->user_data = user_data;
        context->data = g_byte_array_new ();
        dir_limits_default (&context->limits);

        return context;
}

/* Once the header is in: checks it (magic, fields, limits) and learns how
 * long the file is, so that a file the core refuses is refused before the
 * rest is read and no more than the declared size is kept. */
static gboolean
dir_read_header (DirContext  *context,
                 GError     **error)
{
        dir_diag  diag;
        dir_error err;

        /* An empty GByteArray has no data pointer: give the core an empty
         * buffer, not NULL (an invalid argument). */
        memset (&diag, 0, sizeof diag);
        err = dir_declared_size (context->data->len ? context->data->data : (const guint8 *) "",
                                 context->data->len, &context->limits, &context->declared,
                                 &diag);
        if (err != DIR_OK) {
                dir_context_fail_core (context, error, err, &diag);
                return FALSE;
        }
        context->got_header = TRUE;

        return TRUE;
}

static gboolean
gdk_pixbuf__dir_image_load_increment (gpointer       data,
                                      const guchar  *buf,
                                      guint          size,
                                      GError       **error)
{
        DirContext *context = data;
        guint       take;

        g_return_val_if_fail (context != NULL, FALSE);

        if (context->error_message != NULL) {
                g_set_error_literal (error, GDK_PIXBUF_ERROR, context->error_code,
                                     context->error_message);
                return FALSE;
        }

        if (!context->got_header) {
                take = MIN (size, DIR_HEADER_SIZE - context->data->len);
                g_byte_array_append (context->data, buf, take);
                buf += take;
                size -= take;
                if (context->data->len < DIR_HEADER_SIZE)
                        return TRUE;
                if (!dir_read_header (context, error))
                        return FALSE;
        }

        /* Keep at most one byte past the declared size: enough for the core
         * to report trailing data, at once, without storing the rest (as
         * the ImageMagick coder reads). */
        take = (guint) MIN ((guint64) size, context->declared + 1 - context->data->len);
        g_byte_array_append (context->data, buf, take);
        if (context->data->len > context->declared) {
                dir_info  info;
                dir_diag  diag;
                dir_error err;

                memset (&diag, 0, sizeof diag);
                err = dir_probe (context->data->data, context->data->len, &context->limits,
                                 &info, &diag);
                dir_context_fail_core (context, error, err != DIR_OK ? err : DIR_ETRAILING,
                                       &diag);
                return FALSE;
        }

        return TRUE;
}

static void
free_dir_pixels (guchar   *pixels,
                 gpointer  data)
{
        dir_free (pixels);
}

/* The decoded pixels as a pixbuf, taking ownership of `pixels`. */
static GdkPixbuf *
dir_pixbuf_new (void            *pixels,
                const dir_info  *info,
                GError         **error)
{
        const guint8 *src = pixels;
        GdkPixbuf    *pixbuf;
        guint8       *dst;
        gint          rowstride;
        gsize         n;
        guint32       x, y;

        if (info->depth == 16) {
                /* gdk-pixbuf holds 8 bits per sample: 16-bit samples are
                 * narrowed in place, rounded to nearest (v * 255 / 65535). */
                const guint16 *s16 = pixels;
                guint8        *d8  = pixels;
                gsize          k, count = (gsize) info->width * info->height * info->channels;

                for (k = 0; k < count; k++)
                        d8[k] = (guint8) ((s16[k] * 255u + 32767u) / 65535u);
        }

        if (info->channels == 3 || info->channels == 4) {
                /* Packed rows as they are: no copy. */
                pixbuf = gdk_pixbuf_new_from_data (pixels, GDK_COLORSPACE_RGB,
                                                   info->channels == 4, 8,
                                                   (int) info->width, (int) info->height,
                                                   (int) (info->width * info->channels),
                                                   free_dir_pixels, NULL);
                if (pixbuf == NULL) {
                        dir_free (pixels);
                        g_set_error_literal (error, GDK_PIXBUF_ERROR,
                                             GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY,
                                             "Not enough memory to load the .dir image");
                }
                return pixbuf;
        }

        /* 8-bit samples from here on (16-bit ones were narrowed above). */
        if (info->channels != 1 && info->channels != 2) {
                /* dir_decode () gives 1 to 4 channels; never trust it
                 * blindly. */
                dir_free (pixels);
                g_set_error (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_CORRUPT_IMAGE,
                             "unsupported channel count %u", info->channels);
                return NULL;
        }

        /* Grey (+ alpha): expand to RGB (A). */
        pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, info->channels == 2, 8,
                                 (int) info->width, (int) info->height);
        if (pixbuf == NULL) {
                dir_free (pixels);
                g_set_error_literal (error, GDK_PIXBUF_ERROR,
                                     GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY,
                                     "Not enough memory to load the .dir image");
                return NULL;
        }
        rowstride = gdk_pixbuf_get_rowstride (pixbuf);
        n = gdk_pixbuf_get_n_channels (pixbuf);
        for (y = 0; y < info->height; y++) {
                dst = gdk_pixbuf_get_pixels (pixbuf) + (gsize) y * rowstride;
                for (x = 0; x < info->width; x++) {
                        dst[0] = dst[1] = dst[2] = src[0];
                        if (info->channels == 2)
                                dst[3] = src[1];
                        dst += n;
                        src += info->channels;
                }
        }
        dir_free (pixels);

        return pixbuf;
}

static gboolean
gdk_pixbuf__dir_image_stop_load (gpointer   data,
                                 GError   **error)
{
        DirContext *context = data;
        GdkPixbuf  *pixbuf = NULL;
        void       *pixels = NULL;
        dir_info    info;
        dir_diag    diag;
        dir_error   err;
        gint        want_width, want_height;
        gboolean    ok = FALSE;

        g_return_val_if_fail (context != NULL, TRUE);

        if (context->error_message != NULL) {
                g_set_error_literal (error, GDK_PIXBUF_ERROR, context->error_code,
                                     context->error_message);
                goto out;
        }

        /* A file shorter than its header: the core says how. */
        if (!context->got_header && !dir_read_header (context, error))
                goto out;

        memset (&diag, 0, sizeof diag);
        err = dir_decode_alloc (context->data->data, context->data->len, &context->limits,
                                &pixels, &info, NULL, &diag);
        g_byte_array_unref (context->data);
        context->data = NULL;
        if (err != DIR_OK) {
                dir_free (pixels);
                dir_context_fail_core (context, error, err, &diag);
                goto out;
        }

        /* The size wanted: thumbnailers ask for a smaller one,
         * gdk_pixbuf_get_file_info () for none at all (0 x 0). */
        want_width = (gint) info.width;
        want_height = (gint) info.height;
        if (context->size_func) {
                (* context->size_func) (&want_width, &want_height, context->user_data);
                if (want_width <= 0 || want_height <= 0) {
                        dir_free (pixels);
                        g_set_error_literal (error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_FAILED,
                                             "Transformed .dir image has zero width or height.");
                        goto out;
                }
        }

        pixbuf = dir_pixbuf_new (pixels, &info, error);
        if (pixbuf == NULL)
                goto out;

        if (want_width != (gint) info.width || want_height != (gint) info.height) {
                GdkPixbuf *scaled = gdk_pixbuf_scale_simple (pixbuf, want_width, want_height,
                                                             GDK_INTERP_BILINEAR);

                g_object_unref (pixbuf);
                pixbuf = scaled;
                if (pixbuf == NULL) {
                        g_set_error_literal (error, GDK_PIXBUF_ERROR,
                                             GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY,
                                             "Not enough memory to scale the .dir image");
                        goto out;
                }
        }

        if (context->prepared_func)
                (* context->prepared_func) (pixbuf, NULL, context->user_data);
        if (context->updated_func)
                (* context->updated_func) (pixbuf, 0, 0,
                                           gdk_pixbuf_get_width (pixbuf),
                                           gdk_pixbuf_get_height (pixbuf),
                                           context->user_data);
        ok = TRUE;

out:
        if (pixbuf != NULL)
                g_object_unref (pixbuf);
        if (context->data != NULL)
                g_byte_array_unref (context->data);
        g_free (context->error_message);
        g_free (context);

        return ok;
}

G_MODULE_EXPORT void
fill_vtable (GdkPixbufModule *module)
{
        module->begin_load = gdk_pixbuf__dir_image_begin_load;
        module->stop_load = gdk_pixbuf__dir_image_stop_load;
        module->load_increment = gdk_pixbuf__dir_image_load_increment;
}

G_MODULE_EXPORT void
fill_info (GdkPixbufFormat *info)
{
        static GdkPixbufModulePattern signature[] = {
                { (char *) DIR_MAGIC, NULL, 100 },
                { NULL, NULL, 0 }
        };
        static gchar *mime_types[] = {
                (gchar *) "image/x-dir",
                NULL
        };
        static gchar *extensions[] = {
                (gchar *) "dir",
                NULL
        };

        info->name = (gchar *) "dir";
        info->signature = signature;
        info->description = (gchar *) "Direccional .dir image";
        info->mime_types = mime_types;
        info->extensions = extensions;
        info->flags = GDK_PIXBUF_FORMAT_THREADSAFE;
        info->license = (gchar *) "MIT";
}
