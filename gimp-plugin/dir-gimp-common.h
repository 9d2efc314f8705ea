/* SPDX-License-Identifier: MIT */
/*
 * dir-gimp-common.h -- what the GIMP 2.10 and GIMP 3 .dir plug-ins share.
 *
 * No libgimp here: the two plug-ins speak different libgimp APIs (image
 * IDs and the PDB's GimpParam in 2.10, GObjects and GimpProcedureConfig in
 * 3).  What they do the same way is here, on top of the core, GLib, GEGL,
 * babl, gexiv2 and the parts of libgimpbase whose API both versions have
 * alike (the image type and precision enums, GIMP_MAX_IMAGE_SIZE,
 * GimpMetadata and GimpParasite): decoding a file into GIMP's pixel
 * formats, the file's metadata as GIMP holds it and back, the export from
 * a GEGL buffer to an atomically written file, the options' text and
 * their errors, all in the same words (the heatmap's shared glue is
 * dir-gimp-heatmap.h).  Each plug-in keeps its registration, its image
 * calls and its dialogs, in its own version's idiom.  Every byte of the
 * format is still the core's (core/dir.h).
 */

#ifndef DIR_GIMP_COMMON_H
#define DIR_GIMP_COMMON_H

#include <glib.h>
#include <gio/gio.h>
#include <gegl.h>
#include <babl/babl.h>
#include <gexiv2/gexiv2.h>
#include <libgimpbase/gimpbase.h>

#include "dir.h"

#define DIR_MIME_TYPE      "image/x-dir"
#define DIR_EXTENSIONS     "dir"
/* GIMP's magic syntax: offset, type, value; GIMP reads octal escapes (not
 * \x), so the signature 8B 44 49 52 0D 0A 1A 0A is \213DIR\r\n\032\n. */
#define DIR_GIMP_MAGIC     "0,string,\\213DIR\\r\\n\\032\\n"

/* The name both plug-ins print their warnings under. */
#define DIR_GIMP_BINARY    "file-dir"

/* Most pixels a thumbnail procedure decodes (64 Mpx, 256 MiB of RGBA). */
#define DIR_THUMB_MAX_PIXELS ((guint64) 1 << 26)

/* Progress reports: gimp_progress_update () of either version. */
typedef gboolean (* DirGimpProgressFunc) (gdouble fraction);


/* ---- Pixel formats -------------------------------------------------------- */

/* The babl format of the core's interleaved samples with `channels`
 * channels (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) of `depth` bits (8 or 16),
 * in the colour space of `space_from` (a format, or NULL for sRGB).  NULL
 * for any other channel count or depth. */
const Babl * dir_gimp_format          (guint                      channels,
                                       guint                      depth,
                                       const Babl                *space_from);

/* What a file of `channels` channels and `depth` bits opens as: grey and
 * grey+alpha as Grayscale, RGB and RGBA as RGB, at 8- or 16-bit
 * non-linear precision. */
GimpImageBaseType dir_gimp_base_type  (guint                      channels);
GimpImageType     dir_gimp_layer_type (guint                      channels);
GimpPrecision     dir_gimp_precision  (guint                      depth);

/* What a drawable exports as: the channels of its type (indexed drawables
 * as RGB(A); 0 for a type .dir cannot hold), 8 bits for an 8-bit
 * precision and 16 for any deeper one. */
guint        dir_gimp_export_channels (GimpImageType              type);
guint        dir_gimp_export_depth    (GimpPrecision              precision);


/* The 8-bit samples of `buffer` (a layer's) with `channels` channels, in
 * the buffer's own colour space (so the bytes are the stored bytes), the
 * whole extent at once, as the numeric-array heatmap reads them; NULL when
 * out of memory.  g_free () them. */
guchar     * dir_gimp_buffer_bytes    (GeglBuffer                *buffer,
                                       guint                      channels);


/* ---- Loading -------------------------------------------------------------- */

/* A decoded file. */
typedef struct
{
  gchar        *data;    /* the file's bytes (meta points into them) */
  gsize         size;
  void         *pixels;  /* the samples (dir_decode ()'s layout), or NULL */
  dir_info      info;
  dir_metadata  meta;
} DirGimpFile;

/* Decodes `data` (size bytes, g_malloc ()ed; file takes it) into *file,
 * refusing images GIMP cannot hold (GIMP_MAX_IMAGE_SIZE on a side) and,
 * when max_pixels is not 0, images of more pixels, before anything is
 * allocated.  FALSE with "Could not open 'NAME' as a .dir image: <the
 * core's message>", *file then cleared. */
gboolean     dir_gimp_file_decode     (DirGimpFile               *file,
                                       gchar                     *data,
                                       gsize                      size,
                                       guint64                    max_pixels,
                                       const gchar               *name,
                                       GError                   **error);

/* Copies the samples into `buffer` (the new layer's) in `format`, a
 * band of rows at a time, reporting progress from 0.5 to 1.0, then frees
 * them (the metadata stays). */
void         dir_gimp_file_to_buffer  (DirGimpFile               *file,
                                       GeglBuffer                *buffer,
                                       const Babl                *format,
                                       DirGimpProgressFunc        progress);

void         dir_gimp_file_clear      (DirGimpFile               *file);

/* "Could not open 'NAME' as a .dir image: <the core's message>". */
void         dir_gimp_set_load_error  (GError                   **error,
                                       const gchar               *name,
                                       dir_error                  err,
                                       const dir_diag            *diag);

/* The file's resolution in dots per inch; FALSE (and nothing set) when it
 * has no density. */
gboolean     dir_gimp_file_resolution (const dir_metadata        *meta,
                                       gdouble                   *xres,
                                       gdouble                   *yres);

/* The file's comment as the image's "gimp-comment" parasite (NULL when it
 * has none); gimp_parasite_free () it after attaching it. */
GimpParasite * dir_gimp_comment_parasite (const dir_metadata     *meta);

/* The file's EXIF and XMP put into `metadata` (the image's GimpMetadata to
 * be), as GIMP's own loaders give theirs; what GIMP cannot read is left
 * out with a warning on stderr naming `name`.  TRUE when it took either. */
gboolean     dir_gimp_metadata_from_file (GimpMetadata           *metadata,
                                       const dir_metadata        *meta,
                                       const gchar               *name);

/* What GIMP should still take from the EXIF and XMP once the file's own
 * chunks gave the comment, the density and (profile_set) the colour
 * profile: `flags` less those, or 0 when the file has no EXIF or XMP. */
GimpMetadataLoadFlags dir_gimp_metadata_load_flags (GimpMetadataLoadFlags flags,
                                       const dir_metadata        *meta,
                                       gboolean                   profile_set);

/* A file without density opens at GIMP's default resolution, which the
 * image then remembers in this parasite ("X Y"), so that exporting it with
 * that resolution unchanged writes no density either. */
#define DIR_RESOLUTION_PARASITE "dir-default-resolution"

GimpParasite * dir_gimp_default_resolution_parasite (gdouble      xres,
                                       gdouble                    yres);


/* ---- Exporting ------------------------------------------------------------ */

/* The metadata an export writes, with the buffers meta points into. */
typedef struct
{
  dir_metadata  meta;
  guint8       *icc;
  GBytes       *exif;
  gchar        *xmp;
  gchar        *comment;
} DirGimpExportMetadata;

/* The image's colour profile (ICC bytes, copied). */
void         dir_gimp_export_set_icc  (DirGimpExportMetadata     *m,
                                       gconstpointer              icc,
                                       gsize                      size);

/* The image's comment (size bytes, or up to a NUL, copied): only when it
 * is UTF-8, as GIMP writes it, and not empty. */
void         dir_gimp_export_set_comment (DirGimpExportMetadata  *m,
                                       gconstpointer              text,
                                       gsize                      size);

/* The density of xres x yres dots per inch, unless it is unusable or the
 * resolution the image was given when it was opened from a file without
 * density (its DIR_RESOLUTION_PARASITE, or NULL). */
void         dir_gimp_export_set_density (DirGimpExportMetadata  *m,
                                       gdouble                    xres,
                                       gdouble                    yres,
                                       const GimpParasite        *default_res);

/* Whether `metadata` (an image's GimpMetadata, or NULL) has EXIF and XMP
 * of the image's own: GIMP gives every image the EXIF tags of its size,
 * precision, resolution, colour space and orientation (and GIMP 2.10 the
 * XMP orientation), which a .dir file holds anyway or GIMP has applied, so
 * an image with those alone exports no EXIF or XMP. */
void         dir_gimp_own_metadata    (GimpMetadata              *metadata,
                                       gboolean                  *exif,
                                       gboolean                  *xmp);

/* The EXIF (with_exif) and XMP (with_xmp) of `prepared`, the image's
 * metadata as gimp_image_metadata_save_prepare () gives it (date,
 * software and size brought up to date): the EXIF from its TIFF header on,
 * as the core's eXIf chunk holds it, the XMP as a compact UTF-8 packet.
 * What gexiv2 cannot write is left out with a warning naming `name`. */
void         dir_gimp_export_set_exif_xmp (DirGimpExportMetadata *m,
                                       GimpMetadata              *prepared,
                                       gboolean                   with_exif,
                                       gboolean                   with_xmp,
                                       const gchar               *name);

void         dir_gimp_export_metadata_clear (DirGimpExportMetadata *m);

/* Exports `buffer` (a drawable's, whose format gives the colour space the
 * samples are read in, so that no colour conversion happens) as a .dir
 * file of `channels` (dir_gimp_export_channels ()) and `depth` bits with
 * `meta` and `options`: reads it a band of rows at a time (progress 0 to
 * 0.3), encodes it (0.3 to 0.9) and replaces `file` atomically (a failed
 * export never leaves a partial file; a local symbolic link is followed
 * and an existing file keeps its permissions).  GIMP images always have a
 * resolution: in the seed-pure mode, which writes version 1 (the method's
 * own format) when nothing else needs version 2, it is no reason for
 * version 2 on its own, and with version 1 asked for it is left out.
 * FALSE with "Cannot export 'NAME': ..." or "Could not encode 'NAME' as
 * .dir: <the core's message>" or GIO's error. */
gboolean     dir_gimp_export_buffer   (GeglBuffer                *buffer,
                                       guint                      channels,
                                       guint                      depth,
                                       const dir_metadata        *meta,
                                       const dir_encode_options  *options,
                                       GFile                     *file,
                                       const gchar               *name,
                                       DirGimpProgressFunc        progress,
                                       GError                   **error);


/* ---- Options -------------------------------------------------------------- */

/* Sets option `name` to `value` (dir_option_set ()); FALSE with "Invalid
 * .dir export option: <the core's message>". */
gboolean     dir_gimp_set_option      (dir_encode_options        *opt,
                                       const gchar               *name,
                                       const gchar               *value,
                                       GError                   **error);

/* Checks that option `name`, given explicitly, applies given the others in
 * *opt (dir_option_check ()); FALSE with "Invalid .dir export option: <the
 * core's reason>" if it would be ignored. */
gboolean     dir_gimp_check_option    (const dir_encode_options  *opt,
                                       const gchar               *name,
                                       GError                   **error);

/* The options as "name=value ..." for every option of the core's table
 * (dir_options ()) but the preset; and back (unknown names and bad values
 * are ignored, so that text from another version never breaks an export). */
gchar      * dir_gimp_options_to_text (const dir_encode_options  *opt);
void         dir_gimp_options_from_text (dir_encode_options      *opt,
                                       const gchar               *text);

/* Calls `func` with the name and value of each "name=value" word of
 * `text` (words are separated by blanks; words without '=' are passed
 * over). */
typedef void (* DirGimpWordFunc) (const gchar *name,
                                  const gchar *value,
                                  gpointer     user);

void         dir_gimp_text_words      (const gchar               *text,
                                       DirGimpWordFunc            func,
                                       gpointer                   user);

/* `label` with a mnemonic: an underscore before its first letter that no
 * earlier label took (`used`, of used_size bytes, holds the letters taken,
 * lower case; the letter is added to it).  The label as it is when every
 * letter is taken or `used` is full. */
gchar      * dir_gimp_mnemonic_label  (const gchar               *label,
                                       gchar                     *used,
                                       gsize                      used_size);

#endif /* DIR_GIMP_COMMON_H */
