/* SPDX-License-Identifier: MIT */
/*
 * file-dir-load.c -- loading .dir files into GIMP.
 *
 * The core decodes the whole file into 8- or 16-bit samples; this file maps
 * the channel count and depth to a GIMP image type and precision, copies the
 * samples into a layer, and gives the image the file's ICC profile (the
 * "icc-profile" parasite), comment ("gimp-comment"), resolution, and EXIF
 * and XMP (the image's GimpMetadata).
 */

#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h> /* gimp_image_metadata_load_finish () */

#include "file-dir.h"

/* Rows copied into the layer per gegl_buffer_set () call, between two
 * progress updates. */
#define ROWS_PER_STEP 64

/* The file's EXIF and XMP as the image's GimpMetadata, as GIMP's own
 * loaders give theirs (gimp_image_metadata_load_finish (): GIMP takes what
 * the flags leave it, here nothing the file's own chunks already gave). */
static void
load_exif_xmp (gint32              image_ID,
               const gchar        *filename,
               const dir_metadata *meta,
               gboolean            interactive)
{
  GimpMetadataLoadFlags  flags = GIMP_METADATA_LOAD_ALL;
  GimpMetadata          *metadata;
  gboolean               any   = FALSE;

  if (! meta->exif_size && ! meta->xmp_size)
    return;

  metadata = gimp_metadata_new ();

  if (meta->exif_size)
    {
      GError *error = NULL;
      guchar *exif;
      gsize   exif_size = 0;

      exif = dir_gimp_exif_with_marker (meta, &exif_size);
      if (! exif)
        g_printerr ("%s: the EXIF of '%s' (%" G_GSIZE_FORMAT " bytes) is "
                    "over GIMP's 64 KiB and is left out\n", PLUG_IN_BINARY,
                    gimp_filename_to_utf8 (filename), meta->exif_size);
      else if (gimp_metadata_set_from_exif (metadata, exif, exif_size, &error))
        any = TRUE;
      else
        g_printerr ("%s: the EXIF of '%s' is left out: %s\n",
                    PLUG_IN_BINARY, gimp_filename_to_utf8 (filename),
                    error ? error->message : "GIMP could not read it");
      g_clear_error (&error);
      g_free (exif);
    }

  if (meta->xmp_size)
    {
      GError *error = NULL;

      if (meta->xmp_size <= G_MAXINT &&
          gimp_metadata_set_from_xmp (metadata, meta->xmp,
                                      (gint) meta->xmp_size, &error))
        any = TRUE;
      else
        g_printerr ("%s: the XMP of '%s' is left out: %s\n",
                    PLUG_IN_BINARY, gimp_filename_to_utf8 (filename),
                    error ? error->message : "GIMP could not read it");
      g_clear_error (&error);
    }

  if (meta->comment)
    flags &= ~GIMP_METADATA_LOAD_COMMENT;
  if (meta->density_x && meta->density_y)
    flags &= ~GIMP_METADATA_LOAD_RESOLUTION;
  if (meta->icc_size)
    flags &= ~GIMP_METADATA_LOAD_COLORSPACE;

  if (any)
    gimp_image_metadata_load_finish (image_ID, DIR_MIME_TYPE, metadata, flags,
                                     interactive);
  g_object_unref (metadata);
}

/* Loads `filename`; max_pixels, when not 0, is a stricter pixel limit (the
 * thumbnail procedure's, which also leaves out EXIF and XMP); interactive:
 * GIMP may ask whether to rotate the image as its EXIF says. */
gint32
dir_load_image (const gchar  *filename,
                guint64       max_pixels,
                gboolean      interactive,
                GError      **error)
{
  gchar             *data   = NULL;
  gsize              size   = 0;
  void              *pixels = NULL;
  dir_limits         limits;
  dir_info           info;
  dir_metadata       meta;
  dir_diag           diag;
  dir_error          err;
  GimpImageBaseType  base_type;
  GimpImageType      layer_type;
  const Babl        *format;
  GeglBuffer        *buffer;
  DirSaveVals        vals;
  gint32             image_ID;
  gint32             layer_ID;
  gsize              row_bytes;
  guint32            y;

  memset (&diag, 0, sizeof diag);

  gimp_progress_init_printf ("Opening '%s'", gimp_filename_to_utf8 (filename));

  if (! g_file_get_contents (filename, &data, &size, error))
    return -1;

  /* GIMP cannot make images wider or taller than GIMP_MAX_IMAGE_SIZE:
   * refuse them before the core allocates anything. */
  dir_limits_default (&limits);
  dir_limits_restrict (&limits, GIMP_MAX_IMAGE_SIZE, GIMP_MAX_IMAGE_SIZE,
                       max_pixels);

  err = dir_decode_alloc (data, size, &limits, &pixels, &info, NULL, &diag);
  if (err == DIR_OK)
    err = dir_read_metadata (data, size, &meta, &diag);

  if (err != DIR_OK)
    {
      g_free (data);
      dir_gimp_set_load_error (error, gimp_filename_to_utf8 (filename), err,
                               &diag);
      dir_free (pixels);
      return -1;
    }

  gimp_progress_update (0.5);

  switch (info.channels)
    {
    case 1:
      base_type  = GIMP_GRAY;
      layer_type = GIMP_GRAY_IMAGE;
      format     = babl_format (info.depth == 16 ? "Y' u16" : "Y' u8");
      break;

    case 2:
      base_type  = GIMP_GRAY;
      layer_type = GIMP_GRAYA_IMAGE;
      format     = babl_format (info.depth == 16 ? "Y'A u16" : "Y'A u8");
      break;

    case 3:
      base_type  = GIMP_RGB;
      layer_type = GIMP_RGB_IMAGE;
      format     = babl_format (info.depth == 16 ? "R'G'B' u16" : "R'G'B' u8");
      break;

    case 4:
      base_type  = GIMP_RGB;
      layer_type = GIMP_RGBA_IMAGE;
      format     = babl_format (info.depth == 16 ? "R'G'B'A u16" : "R'G'B'A u8");
      break;

    default:
      /* dir_decode () guarantees 1 to 4; never trust it blindly. */
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not open '%s' as a .dir image: "
                   "unsupported channel count %u",
                   gimp_filename_to_utf8 (filename), info.channels);
      g_free (data);
      dir_free (pixels);
      return -1;
    }

  image_ID = gimp_image_new_with_precision (info.width, info.height,
                                            base_type,
                                            info.depth == 16 ?
                                            GIMP_PRECISION_U16_GAMMA :
                                            GIMP_PRECISION_U8_GAMMA);
  if (image_ID == -1)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not create a %u x %u image for '%s'",
                   info.width, info.height, gimp_filename_to_utf8 (filename));
      g_free (data);
      dir_free (pixels);
      return -1;
    }

  /* The metadata, before the layer: the profile gives the image its
   * colour space.  An ICC profile GIMP does not accept is still kept, as
   * the parasite. */
  if (meta.icc_size)
    {
      GimpColorProfile *profile;

      profile = gimp_color_profile_new_from_icc_profile (meta.icc, meta.icc_size,
                                                         NULL);
      if (! profile || ! gimp_image_set_color_profile (image_ID, profile))
        {
          GimpParasite *parasite;

          parasite = gimp_parasite_new ("icc-profile",
                                        GIMP_PARASITE_PERSISTENT |
                                        GIMP_PARASITE_UNDOABLE,
                                        meta.icc_size, meta.icc);
          gimp_image_attach_parasite (image_ID, parasite);
          gimp_parasite_free (parasite);
        }
      if (profile)
        g_object_unref (profile);
    }
  if (meta.comment)
    {
      GimpParasite *parasite;

      parasite = gimp_parasite_new ("gimp-comment", GIMP_PARASITE_PERSISTENT,
                                    strlen (meta.comment) + 1, meta.comment);
      gimp_image_attach_parasite (image_ID, parasite);
      gimp_parasite_free (parasite);
    }
  if (meta.density_x && meta.density_y)
    {
      gimp_image_set_resolution (image_ID, meta.density_x * 0.0254,
                                 meta.density_y * 0.0254);
    }
  else
    {
      /* No density: the image remembers the resolution GIMP gave it, so
       * that exporting it unchanged writes none (file-dir-save.c). */
      gdouble xres;
      gdouble yres;

      if (gimp_image_get_resolution (image_ID, &xres, &yres))
        {
          GimpParasite *parasite;
          gchar        *text = dir_gimp_resolution_text (xres, yres);

          parasite = gimp_parasite_new (DIR_RESOLUTION_PARASITE,
                                        GIMP_PARASITE_PERSISTENT,
                                        strlen (text) + 1, text);
          gimp_image_attach_parasite (image_ID, parasite);
          gimp_parasite_free (parasite);
          g_free (text);
        }
    }

  gimp_image_set_filename (image_ID, filename);

  layer_ID = gimp_layer_new (image_ID, "Background",
                             info.width, info.height, layer_type, 100,
                             gimp_image_get_default_new_layer_mode (image_ID));
  gimp_image_insert_layer (image_ID, layer_ID, -1, 0);

  buffer    = gimp_drawable_get_buffer (layer_ID);
  row_bytes = (gsize) info.width * info.channels * (info.depth / 8);

  for (y = 0; y < info.height; y += ROWS_PER_STEP)
    {
      guint32 rows = MIN (ROWS_PER_STEP, info.height - y);

      gegl_buffer_set (buffer,
                       GEGL_RECTANGLE (0, y, info.width, rows), 0,
                       format,
                       (const guchar *) pixels + (gsize) y * row_bytes,
                       GEGL_AUTO_ROWSTRIDE);

      gimp_progress_update (0.5 + 0.5 * (gdouble) (y + rows) / info.height);
    }

  g_object_unref (buffer);
  dir_free (pixels);

  /* EXIF and XMP once the image has its layer (GIMP may rotate it as the
   * EXIF says); meta points into data. */
  if (max_pixels == 0)
    load_exif_xmp (image_ID, filename, &meta, interactive);
  g_free (data);

  /* Remember how a version-1 file was written, so that exporting it again
   * keeps its back end, filter and layout (the zstd level is not recorded
   * in the file); a version-2 file records none of them: the defaults. */
  dir_save_vals_default (&vals);
  if (info.version == 1)
    {
      vals.opt.backend = info.backend;
      vals.opt.filter  = info.filter;
      vals.opt.layout  = info.layout;
    }
  dir_save_vals_attach (image_ID, &vals);

  gimp_progress_update (1.0);

  return image_ID;
}
