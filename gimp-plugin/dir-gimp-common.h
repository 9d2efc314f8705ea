/* SPDX-License-Identifier: MIT */
/*
 * dir-gimp-common.h -- what the GIMP 2.10 and GIMP 3 .dir plug-ins share.
 *
 * Only GLib, babl and gexiv2 here, no libgimp: the two plug-ins speak
 * different libgimp APIs, but map channels to pixel formats, word the
 * core's errors, write the export options as text, frame EXIF and tell
 * GIMP's own metadata tags from an image's the same way (the heatmap's
 * shared glue is dir-gimp-heatmap.h).  Every byte of the format is still
 * the core's (core/dir.h).
 */

#ifndef DIR_GIMP_COMMON_H
#define DIR_GIMP_COMMON_H

#include <glib.h>
#include <babl/babl.h>
#include <gexiv2/gexiv2.h>

#include "dir.h"

#define DIR_MIME_TYPE      "image/x-dir"
#define DIR_EXTENSIONS     "dir"
/* GIMP's magic syntax: offset, type, value; GIMP reads octal escapes (not
 * \x), so the signature 8B 44 49 52 0D 0A 1A 0A is \213DIR\r\n\032\n. */
#define DIR_GIMP_MAGIC     "0,string,\\213DIR\\r\\n\\032\\n"

/* Most pixels a thumbnail procedure decodes (64 Mpx, 256 MiB of RGBA). */
#define DIR_THUMB_MAX_PIXELS ((guint64) 1 << 26)

/* The babl format of the core's interleaved samples with `channels`
 * channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) of `depth` bits (8 or 16),
 * in the colour space of `space_from` (a format, or NULL for sRGB).  NULL
 * for any other channel count or depth. */
const Babl * dir_gimp_format          (guint                      channels,
                                       guint                      depth,
                                       const Babl                *space_from);

/* "Could not open 'NAME' as a .dir image: <the core's message>". */
void         dir_gimp_set_load_error  (GError                   **error,
                                       const gchar               *name,
                                       dir_error                  err,
                                       const dir_diag            *diag);

/* The file's EXIF (a TIFF header on, as the eXIf chunk holds it) with
 * the "Exif\0\0" marker of a JPEG APP1 segment in front, the form
 * gimp_metadata_set_from_exif () reads in both GIMP versions; NULL when the
 * file has none or it is too large for that (an APP1 segment: 65527 bytes
 * of EXIF at most).  g_free () the result. */
guchar     * dir_gimp_exif_with_marker (const dir_metadata       *meta,
                                       gsize                     *size);

/* EXIF as GIMP hands it out (gexiv2's encoding, which starts at the TIFF
 * header, or with the "Exif\0\0" marker): the part from the TIFF header
 * on, which the core's eXIf chunk holds, or NULL when it has no TIFF
 * header. */
const guint8 * dir_gimp_exif_tiff     (const guint8              *data,
                                       gsize                      size,
                                       gsize                     *tiff_size);

/* Whether `metadata` (an image's GimpMetadata) has EXIF and XMP of the
 * image's own: GIMP gives every image the EXIF tags of its size,
 * precision, resolution, colour space and orientation (and GIMP 2.10 the
 * XMP orientation), which a .dir file holds anyway or GIMP has applied, so
 * an image with those alone exports no EXIF or XMP. */
void         dir_gimp_own_metadata    (GExiv2Metadata            *metadata,
                                       gboolean                  *exif,
                                       gboolean                  *xmp);

/* A file without density opens at GIMP's default resolution, which the
 * image then remembers in this parasite ("X Y", dir_gimp_resolution_text),
 * so that exporting it with that resolution unchanged writes no density
 * either. */
#define DIR_RESOLUTION_PARASITE "dir-default-resolution"

gchar      * dir_gimp_resolution_text (gdouble                    xres,
                                       gdouble                    yres);

/* The options as "name=value ..." for every option of the core's table
 * (dir_options ()) but the preset; and back (unknown names and bad values
 * are ignored, so that text from another version never breaks an export). */
gchar      * dir_gimp_options_to_text (const dir_encode_options  *opt);
void         dir_gimp_options_from_text (dir_encode_options      *opt,
                                       const gchar               *text);

#endif /* DIR_GIMP_COMMON_H */
