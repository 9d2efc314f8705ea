/* SPDX-License-Identifier: MIT */
/*
 * file-dir.c -- GIMP 2.10 file plug-in for .dir images: registration and
 * the run () dispatcher.
 *
 * Procedures:
 *   file-dir-load              load a .dir file (magic, extension, MIME)
 *   file-dir-load-thumb        the same for the Open dialog's previews
 *   file-dir-save              export as .dir, with back end, filter,
 *                              layout and zstd level
 *   file-dir-save2             the same with every option of the encoder
 *                              and the metadata switches
 *   plug-in-dir-array-heatmap  Filters > Generic > Numeric array heatmap:
 *                              dirtool array heatmap's drawing, a layer
 *                              per tensor (or the plain grid)
 *   plug-in-dir-tensor-heatmap the same drawing with the arguments of the
 *                              earlier Tensor heatmap filter (no menu
 *                              entry; kept for scripts)
 */

#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"

static void query (void);
static void run   (const gchar      *name,
                   gint              nparams,
                   const GimpParam  *param,
                   gint             *nreturn_vals,
                   GimpParam       **return_vals);

static void run_load       (const GimpParam *param,
                            GimpParam       *values,
                            gint            *nreturn_vals);
static void run_load_thumb (gint             nparams,
                            const GimpParam *param,
                            GimpParam       *values,
                            gint            *nreturn_vals);
static void run_save       (gint             nparams,
                            const GimpParam *param,
                            GimpParam       *values,
                            gint            *nreturn_vals);


const GimpPlugInInfo PLUG_IN_INFO =
{
  NULL,  /* init_proc  */
  NULL,  /* quit_proc  */
  query, /* query_proc */
  run,   /* run_proc   */
};

MAIN ()

static void
query (void)
{
  static const GimpParamDef load_args[] =
  {
    { GIMP_PDB_INT32,  "run-mode",     "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1) }" },
    { GIMP_PDB_STRING, "filename",     "The name of the file to load" },
    { GIMP_PDB_STRING, "raw-filename", "The name entered" }
  };
  static const GimpParamDef load_return_vals[] =
  {
    { GIMP_PDB_IMAGE,  "image",        "Output image" }
  };

  static const GimpParamDef thumb_args[] =
  {
    { GIMP_PDB_STRING, "filename",     "The name of the file to load" },
    { GIMP_PDB_INT32,  "thumb-size",   "Preferred thumbnail size" }
  };
  static const GimpParamDef thumb_return_vals[] =
  {
    { GIMP_PDB_IMAGE,  "image",        "Thumbnail image" },
    { GIMP_PDB_INT32,  "image-width",  "Width of the full-sized image" },
    { GIMP_PDB_INT32,  "image-height", "Height of the full-sized image" },
    { GIMP_PDB_INT32,  "image-type",   "Type of the image (GimpImageType)" },
    { GIMP_PDB_INT32,  "num-layers",   "Number of layers in the image" }
  };

  /* The standard five, then the options (dir_save_option_params ()):
   * file-dir-save has all but the last, "options", file-dir-save2 all. */
  GimpParamDef save_args[5 + DIR_SAVE_N_OPTION_PARAMS] =
  {
    { GIMP_PDB_INT32,    "run-mode",     "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
    { GIMP_PDB_IMAGE,    "image",        "Input image" },
    { GIMP_PDB_DRAWABLE, "drawable",     "Drawable to export" },
    { GIMP_PDB_STRING,   "filename",     "The name of the file to export the image in" },
    { GIMP_PDB_STRING,   "raw-filename", "The name entered" }
  };

  static const GimpParamDef heatmap_args[] =
  {
    { GIMP_PDB_INT32,    "run-mode",    "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
    { GIMP_PDB_IMAGE,    "image",       "Input image" },
    { GIMP_PDB_DRAWABLE, "drawable",    "Layer whose pixels hold the array" },
    { GIMP_PDB_INT32,    "classic",     "Classic image without header: 0 detect (header required), 1 classic" },
    { GIMP_PDB_INT32,    "capacity",    "Classic images: capacity 0, 1 or 2" },
    { GIMP_PDB_INT32,    "ldeczeroes",  "Classic images: lDecZeroes (0 or 1)" },
    { GIMP_PDB_INT32,    "alpha",       "Classic images: the alpha byte holds data (0 or 1)" },
    { GIMP_PDB_INT32,    "rows",        "Heatmap rows, its height (0: from cols, or near-square)" },
    { GIMP_PDB_INT32,    "cols",        "Heatmap columns, its width (0: from rows, or near-square)" },
    { GIMP_PDB_FLOAT,    "scale",       "Magnitude drawn in full colour (0: the percentile of |v|; plain: the largest magnitude)" },
    { GIMP_PDB_INT32,    "zoom",        "Pixels per value, 0..64 (0: small tensors enlarged to about 480 pixels)" },
    { GIMP_PDB_FLOAT,    "percentile",  "The scale when it is 0: this percentile of |v| of each tensor (0: 99.5)" },
    { GIMP_PDB_INT32,    "tile-rows",   "Draw each row (or column) of R*C values of a matrix as an R x C tile (0: no tiles)" },
    { GIMP_PDB_INT32,    "tile-cols",   "Tile columns (0: no tiles)" },
    { GIMP_PDB_INT32,    "plain",       "1: the plain grid of one pixel per value (also when rows or cols is given)" }
  };
  static const GimpParamDef tensors_args[] =
  {
    { GIMP_PDB_INT32,    "run-mode",    "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1), RUN-WITH-LAST-VALS (2) }" },
    { GIMP_PDB_IMAGE,    "image",       "Input image" },
    { GIMP_PDB_DRAWABLE, "drawable",    "Layer whose pixels hold the tensors" },
    { GIMP_PDB_INT32,    "zoom",        "Pixels per cell (0: small tensors enlarged automatically)" },
    { GIMP_PDB_FLOAT,    "scale",       "Magnitude drawn in full colour (0: the 99.5th percentile of |v|)" },
    { GIMP_PDB_INT32,    "tile-rows",   "Draw each row of 2-D tensors as tile-rows x tile-cols tiles (0: no tiles)" },
    { GIMP_PDB_INT32,    "tile-cols",   "Tile columns (0: no tiles)" }
  };
  static const GimpParamDef tensors_return_vals[] =
  {
    { GIMP_PDB_IMAGE,    "new-image",   "The heatmap, a layer per tensor" },
    { GIMP_PDB_INT32,    "tensors",     "Number of tensor layers" }
  };
  static const GimpParamDef heatmap_return_vals[] =
  {
    { GIMP_PDB_IMAGE,    "new-image",   "The heatmap: a layer per tensor over a white background (plain: one layer)" },
    { GIMP_PDB_INT32,    "count",       "Number of values" },
    { GIMP_PDB_FLOAT,    "min",         "Smallest value" },
    { GIMP_PDB_FLOAT,    "max",         "Largest value" },
    { GIMP_PDB_FLOAT,    "mean",        "Mean value" },
    { GIMP_PDB_INT32,    "layers",      "Number of tensor layers (plain: 1)" }
  };

  dir_save_option_params (save_args + 5);

  gimp_install_procedure (LOAD_PROC,
                          "Loads .dir (Direccional) images",
                          "Loads lossless .dir images (grey, RGB or RGBA, "
                          "8 bits per channel). Every error names what is "
                          "wrong with the file.",
                          "dir project",
                          "dir project",
                          "2026",
                          ".dir image",
                          NULL,
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (load_args),
                          G_N_ELEMENTS (load_return_vals),
                          load_args, load_return_vals);

  gimp_register_file_handler_mime (LOAD_PROC, DIR_MIME_TYPE);
  gimp_register_magic_load_handler (LOAD_PROC, "dir", "", DIR_GIMP_MAGIC);

  gimp_install_procedure (LOAD_THUMB_PROC,
                          "Loads a preview of a .dir image",
                          "Decodes the image for the Open dialog's preview.",
                          "dir project",
                          "dir project",
                          "2026",
                          NULL,
                          NULL,
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (thumb_args),
                          G_N_ELEMENTS (thumb_return_vals),
                          thumb_args, thumb_return_vals);

  gimp_register_thumbnail_loader (LOAD_PROC, LOAD_THUMB_PROC);

  gimp_install_procedure (SAVE_PROC,
                          "Exports images in the .dir format",
                          "Exports grey, RGB and RGBA images losslessly as "
                          ".dir (grey with alpha and indexed images become "
                          "RGB or RGBA). Non-interactive calls take the "
                          "options as strings; empty strings and level 0 "
                          "select the defaults, as gimp-file-save does. "
                          "file-dir-save2 takes the other options too.",
                          "dir project",
                          "dir project",
                          "2026",
                          ".dir image",
                          "RGB*, GRAY*, INDEXED*",
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (save_args) - 1, 0,
                          save_args, NULL);

  gimp_install_procedure (SAVE2_PROC,
                          "Exports images in the .dir format, with every "
                          "option",
                          "file-dir-save with one more parameter, options: "
                          "any option of the encoder as name=value words "
                          "(dirtool encode's --name=value), separated by "
                          "spaces. A preset among them is applied first, "
                          "then the parameters before it, then the other "
                          "words; a bad word fails the call with the "
                          "encoder's message. The words "
                          "include-color-profile, include-exif, include-xmp "
                          "and include-comment (=yes or =no) say which of "
                          "the image's metadata the file gets; without "
                          "them, as in file-dir-save, the Preferences "
                          "(Image Import & Export) say, and the comment "
                          "goes in.",
                          "dir project",
                          "dir project",
                          "2026",
                          NULL,
                          "RGB*, GRAY*, INDEXED*",
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (save_args), 0,
                          save_args, NULL);

  gimp_register_file_handler_mime (SAVE_PROC, DIR_MIME_TYPE);
  gimp_register_save_handler (SAVE_PROC, "dir", "");

  gimp_install_procedure (HEATMAP_PROC,
                          "Draws the numeric arrays held in a layer's pixels",
                          "Decodes the active layer's pixels as numeric "
                          "arrays (IMGArrays convention: a self-describing "
                          "header is detected, classic images need capacity, "
                          "lDecZeroes and alpha) and opens a new image drawn "
                          "by the same code as dirtool array heatmap: one "
                          "layer per tensor, named after it (name, shape, "
                          "dtype), with the tensor in its own shape, a title, "
                          "a colour bar with ticks and the statistics (min, "
                          "max, mean, std), over a white background; the "
                          "scale is symmetric, at a percentile of |v| unless "
                          "given, the values beyond it in the clip colours. "
                          "plain (or rows/cols) draws the grid of one pixel "
                          "per value instead. Returns count, min, max, mean "
                          "and the number of layers.",
                          "dir project",
                          "dir project",
                          "2026",
                          "Numeric array _heatmap...",
                          "RGB*",
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (heatmap_args),
                          G_N_ELEMENTS (heatmap_return_vals),
                          heatmap_args, heatmap_return_vals);

  gimp_plugin_menu_register (HEATMAP_PROC, "<Image>/Filters/Generic");

  /* The earlier per-tensor filter's arguments, for scripts; no menu entry
   * (Numeric array heatmap draws the same). */
  gimp_install_procedure (TENSORS_PROC,
                          "Draws each tensor held in a layer's pixels as a named layer",
                          "plug-in-dir-array-heatmap with the arguments of "
                          "the earlier Tensor heatmap filter: zoom, scale, "
                          "tile-rows, tile-cols (0 for the defaults) of a "
                          "self-describing image. Returns the new image and "
                          "the number of tensor layers.",
                          "dir project",
                          "dir project",
                          "2026",
                          NULL,
                          "RGB*",
                          GIMP_PLUGIN,
                          G_N_ELEMENTS (tensors_args),
                          G_N_ELEMENTS (tensors_return_vals),
                          tensors_args, tensors_return_vals);
}

static void
run (const gchar      *name,
     gint              nparams,
     const GimpParam  *param,
     gint             *nreturn_vals,
     GimpParam       **return_vals)
{
  /* The 2.10 API hands the return values back by pointer after run ()
   * returns, so they must outlive this call. */
  static GimpParam values[7];

  gegl_init (NULL, NULL);

  *nreturn_vals = 1;
  *return_vals  = values;

  values[0].type          = GIMP_PDB_STATUS;
  values[0].data.d_status = GIMP_PDB_CALLING_ERROR;

  if (! strcmp (name, LOAD_PROC) && nparams >= 3)
    run_load (param, values, nreturn_vals);
  else if (! strcmp (name, LOAD_THUMB_PROC))
    run_load_thumb (nparams, param, values, nreturn_vals);
  else if (! strcmp (name, SAVE_PROC) || ! strcmp (name, SAVE2_PROC))
    run_save (nparams, param, values, nreturn_vals);
  else if (! strcmp (name, HEATMAP_PROC) || ! strcmp (name, TENSORS_PROC))
    dir_heatmap_run (name, nparams, param, values, nreturn_vals);
}

/* Puts an error into the return values, as GIMP expects: the status, then
 * a GIMP_PDB_STRING with the message. */
static void
return_error (GimpParam         *values,
              gint              *nreturn_vals,
              GimpPDBStatusType  status,
              GError            *error)
{
  values[0].data.d_status = status;

  if (error)
    {
      /* The message must outlive run (); the plug-in exits right after,
       * so this one string is left to the process exit. */
      *nreturn_vals           = 2;
      values[1].type          = GIMP_PDB_STRING;
      values[1].data.d_string = g_strdup (error->message);
      g_error_free (error);
    }
}

static void
run_load (const GimpParam *param,
          GimpParam       *values,
          gint            *nreturn_vals)
{
  GError *error = NULL;
  gint32  image_ID;

  image_ID = dir_load_image (param[1].data.d_string, 0,
                             param[0].data.d_int32 == GIMP_RUN_INTERACTIVE,
                             &error);

  if (image_ID == -1)
    {
      return_error (values, nreturn_vals, GIMP_PDB_EXECUTION_ERROR, error);
      return;
    }

  *nreturn_vals = 2;
  values[0].data.d_status = GIMP_PDB_SUCCESS;
  values[1].type          = GIMP_PDB_IMAGE;
  values[1].data.d_image  = image_ID;
}

static void
run_load_thumb (gint             nparams,
                const GimpParam *param,
                GimpParam       *values,
                gint            *nreturn_vals)
{
  GError *error = NULL;
  gint32  image_ID;
  gint32  layer_ID;

  if (nparams < 2)
    return;

  image_ID = dir_load_image (param[0].data.d_string,
                             DIR_THUMB_MAX_PIXELS, FALSE, &error);

  if (image_ID == -1)
    {
      return_error (values, nreturn_vals, GIMP_PDB_EXECUTION_ERROR, error);
      return;
    }

  layer_ID = gimp_image_get_active_layer (image_ID);

  *nreturn_vals = 6;
  values[0].data.d_status = GIMP_PDB_SUCCESS;
  values[1].type          = GIMP_PDB_IMAGE;
  values[1].data.d_image  = image_ID;
  values[2].type          = GIMP_PDB_INT32;
  values[2].data.d_int32  = gimp_image_width (image_ID);
  values[3].type          = GIMP_PDB_INT32;
  values[3].data.d_int32  = gimp_image_height (image_ID);
  values[4].type          = GIMP_PDB_INT32;
  values[4].data.d_int32  = gimp_drawable_type (layer_ID);
  values[5].type          = GIMP_PDB_INT32;
  values[5].data.d_int32  = 1;
}

static void
run_save (gint             nparams,
          const GimpParam *param,
          GimpParam       *values,
          gint            *nreturn_vals)
{
  GimpRunMode       run_mode;
  GimpExportReturn  export = GIMP_EXPORT_IGNORE;
  DirSaveVals       vals;
  GError           *error  = NULL;
  gint32            orig_image_ID;
  gint32            image_ID;
  gint32            drawable_ID;
  const gchar      *filename;

  if (nparams < 5)
    return;

  run_mode      = param[0].data.d_int32;
  image_ID      = param[1].data.d_int32;
  drawable_ID   = param[2].data.d_int32;
  filename      = param[3].data.d_string;
  orig_image_ID = image_ID;

  dir_save_vals_default (&vals);

  switch (run_mode)
    {
    case GIMP_RUN_INTERACTIVE:
    case GIMP_RUN_WITH_LAST_VALS:
      if (run_mode == GIMP_RUN_INTERACTIVE)
        gimp_ui_init (PLUG_IN_BINARY, FALSE);

      /* Options: the defaults, then the last export, then what is stored
       * with this image. */
      dir_save_vals_recall (&vals);
      dir_save_vals_from_image (&vals, orig_image_ID);

      /* Grey with alpha and indexed images are converted to RGB(A) by the
       * writer; layers, masks and offsets are flattened here, as for any
       * single-layer format. */
      export = gimp_export_image (&image_ID, &drawable_ID, ".dir",
                                  GIMP_EXPORT_CAN_HANDLE_RGB     |
                                  GIMP_EXPORT_CAN_HANDLE_GRAY    |
                                  GIMP_EXPORT_CAN_HANDLE_INDEXED |
                                  GIMP_EXPORT_CAN_HANDLE_ALPHA);

      if (export == GIMP_EXPORT_CANCEL)
        {
          values[0].data.d_status = GIMP_PDB_CANCEL;
          return;
        }

      if (run_mode == GIMP_RUN_INTERACTIVE && ! dir_save_dialog (&vals))
        {
          if (export == GIMP_EXPORT_EXPORT)
            gimp_image_delete (image_ID);
          values[0].data.d_status = GIMP_PDB_CANCEL;
          return;
        }
      break;

    case GIMP_RUN_NONINTERACTIVE:
      /* 5 parameters: a caller that knows only the standard ones; 9:
       * file-dir-save; 10: file-dir-save2. */
      if (nparams != 5 && nparams < 9)
        return;

      if (! dir_save_vals_parse (&vals, nparams, param, &error))
        {
          return_error (values, nreturn_vals, GIMP_PDB_CALLING_ERROR, error);
          return;
        }
      break;

    default:
      return;
    }

  if (dir_save_image (filename, drawable_ID, &vals, &error))
    {
      values[0].data.d_status = GIMP_PDB_SUCCESS;
      dir_save_vals_remember (&vals);
      dir_save_vals_attach (orig_image_ID, &vals);
      dir_save_metadata_attach (orig_image_ID, &vals);
    }
  else
    {
      return_error (values, nreturn_vals, GIMP_PDB_EXECUTION_ERROR, error);
    }

  if (export == GIMP_EXPORT_EXPORT)
    gimp_image_delete (image_ID);
}
