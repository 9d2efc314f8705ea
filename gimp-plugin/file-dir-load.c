/* SPDX-License-Identifier: MIT */
/*
 * file-dir-load.c -- loading .dir files into GIMP 2.10.
 *
 * The core decodes the whole file into 8- or 16-bit samples
 * (dir_gimp_file_decode ()); this file makes the image of the channels and
 * precision they have, copies the samples into a layer, and gives the
 * image the file's ICC profile (or, when GIMP refuses it, the
 * "icc-profile" parasite), comment ("gimp-comment"), resolution, and EXIF
 * and XMP (the image's GimpMetadata).
 */

#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h> /* gimp_image_metadata_load_finish () */

#include "file-dir.h"

static void
attach_parasite (gint32        image_ID,
                 GimpParasite *parasite)
{
  if (parasite)
    {
      gimp_image_attach_parasite (image_ID, parasite);
      gimp_parasite_free (parasite);
    }
}

/* The file's ICC profile, comment and resolution, before the layer: the
 * profile gives the image its colour space.  An ICC profile GIMP does not
 * accept is still kept, as the parasite. */
static void
load_metadata (gint32              image_ID,
               const dir_metadata *meta)
{
  gdouble xres;
  gdouble yres;

  if (meta->icc_size)
    {
      GimpColorProfile *profile;

      profile = gimp_color_profile_new_from_icc_profile (meta->icc,
                                                         meta->icc_size, NULL);
      if (! profile || ! gimp_image_set_color_profile (image_ID, profile))
        attach_parasite (image_ID,
                         gimp_parasite_new ("icc-profile",
                                            GIMP_PARASITE_PERSISTENT |
                                            GIMP_PARASITE_UNDOABLE,
                                            meta->icc_size, meta->icc));
      if (profile)
        g_object_unref (profile);
    }

  attach_parasite (image_ID, dir_gimp_comment_parasite (meta));

  if (dir_gimp_file_resolution (meta, &xres, &yres))
    gimp_image_set_resolution (image_ID, xres, yres);
  else if (gimp_image_get_resolution (image_ID, &xres, &yres))
    attach_parasite (image_ID, dir_gimp_default_resolution_parasite (xres, yres));
}

/* The file's EXIF and XMP as the image's GimpMetadata, as GIMP's own
 * loaders give theirs (gimp_image_metadata_load_finish (): GIMP takes what
 * the flags leave it, here nothing the file's own chunks already gave). */
static void
load_exif_xmp (gint32              image_ID,
               const gchar        *filename,
               const dir_metadata *meta,
               gboolean            interactive)
{
  GimpMetadata *metadata;

  if (! meta->exif_size && ! meta->xmp_size)
    return;

  metadata = gimp_metadata_new ();
  if (dir_gimp_metadata_from_file (metadata, meta,
                                   gimp_filename_to_utf8 (filename)))
    gimp_image_metadata_load_finish (image_ID, DIR_MIME_TYPE, metadata,
                                     dir_gimp_metadata_load_flags (GIMP_METADATA_LOAD_ALL,
                                                                   meta,
                                                                   meta->icc_size != 0),
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
  const gchar *name = gimp_filename_to_utf8 (filename);
  gchar       *data = NULL;
  gsize        size = 0;
  DirGimpFile  file;
  GeglBuffer  *buffer;
  DirSaveVals  vals;
  gint32       image_ID;
  gint32       layer_ID;

  gimp_progress_init_printf ("Opening '%s'", name);

  if (! g_file_get_contents (filename, &data, &size, error) ||
      ! dir_gimp_file_decode (&file, data, size, max_pixels, name, error))
    return -1;

  gimp_progress_update (0.5);

  image_ID = gimp_image_new_with_precision (file.info.width, file.info.height,
                                            dir_gimp_base_type (file.info.channels),
                                            dir_gimp_precision (file.info.depth));
  if (image_ID == -1)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not create a %u x %u image for '%s'",
                   file.info.width, file.info.height, name);
      dir_gimp_file_clear (&file);
      return -1;
    }

  load_metadata (image_ID, &file.meta);
  gimp_image_set_filename (image_ID, filename);

  layer_ID = gimp_layer_new (image_ID, "Background",
                             file.info.width, file.info.height,
                             dir_gimp_layer_type (file.info.channels), 100,
                             gimp_image_get_default_new_layer_mode (image_ID));
  gimp_image_insert_layer (image_ID, layer_ID, -1, 0);

  /* The samples as they are, in the layer's colour space. */
  buffer = gimp_drawable_get_buffer (layer_ID);
  dir_gimp_file_to_buffer (&file, buffer,
                           dir_gimp_format (file.info.channels, file.info.depth,
                                            gimp_drawable_get_format (layer_ID)),
                           gimp_progress_update);
  g_object_unref (buffer);

  /* EXIF and XMP once the image has its layer (GIMP may rotate it as the
   * EXIF says). */
  if (max_pixels == 0)
    load_exif_xmp (image_ID, filename, &file.meta, interactive);

  /* Remember how a version-1 file was written, so that exporting it again
   * keeps its back end, filter and layout (the zstd level is not recorded
   * in the file); a version-2 file records none of them: the defaults. */
  dir_save_vals_default (&vals);
  if (file.info.version == 1)
    {
      vals.opt.backend = file.info.backend;
      vals.opt.filter  = file.info.filter;
      vals.opt.layout  = file.info.layout;
    }
  dir_save_vals_attach (image_ID, &vals);
  dir_gimp_file_clear (&file);

  gimp_progress_update (1.0);

  return image_ID;
}
