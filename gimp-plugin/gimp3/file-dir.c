/* SPDX-License-Identifier: MIT */
/*
 * file-dir.c -- GIMP 3 plug-in for .dir images (libgimp-3.0).
 *
 * A GimpPlugIn subclass with four procedures:
 *   file-dir-load              GimpLoadProcedure: by extension, MIME type
 *                              and magic, with a thumbnail procedure
 *   file-dir-load-thumb        GimpThumbnailProcedure (Open dialog previews)
 *   file-dir-export            GimpExportProcedure; its arguments are the
 *                              core's option table (dir_options ()), so GIMP
 *                              draws, remembers and scripts them
 *   plug-in-dir-array-heatmap  GimpImageProcedure with a GimpProcedureDialog:
 *                              Filters > Generic > Numeric array heatmap,
 *                              drawn as dirtool array heatmap draws it
 *                              (heatmap/heatmap_render.c), a layer per tensor
 *
 * Glue only: the core (core/dir.h) reads and writes every byte; what the
 * GIMP 2.10 plug-in shares with this one is in ../dir-gimp-common.c and
 * ../dir-gimp-heatmap.c.
 */

#include <stdlib.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "dir-gimp-common.h"
#include "dir-gimp-heatmap.h"

#define LOAD_PROC       "file-dir-load"
#define LOAD_THUMB_PROC "file-dir-load-thumb"
#define EXPORT_PROC     "file-dir-export"
#define HEATMAP_PROC    "plug-in-dir-array-heatmap"
#define PLUG_IN_BINARY  "file-dir"
#define PLUG_IN_ROLE    "gimp-file-dir"


typedef struct _DirPlugIn      DirPlugIn;
typedef struct _DirPlugInClass DirPlugInClass;

struct _DirPlugIn
{
  GimpPlugIn parent_instance;
};

struct _DirPlugInClass
{
  GimpPlugInClass parent_class;
};

#define DIR_TYPE_PLUG_IN (dir_plug_in_get_type ())

GType dir_plug_in_get_type (void) G_GNUC_CONST;

static GList          * dir_query_procedures (GimpPlugIn           *plug_in);
static GimpProcedure  * dir_create_procedure (GimpPlugIn           *plug_in,
                                              const gchar          *name);

static GimpValueArray * dir_load             (GimpProcedure        *procedure,
                                              GimpRunMode           run_mode,
                                              GFile                *file,
                                              GimpMetadata         *metadata,
                                              GimpMetadataLoadFlags *flags,
                                              GimpProcedureConfig  *config,
                                              gpointer              run_data);
static GimpValueArray * dir_load_thumb       (GimpProcedure        *procedure,
                                              GFile                *file,
                                              gint                  size,
                                              GimpProcedureConfig  *config,
                                              gpointer              run_data);
static GimpValueArray * dir_export           (GimpProcedure        *procedure,
                                              GimpRunMode           run_mode,
                                              GimpImage            *image,
                                              GFile                *file,
                                              GimpExportOptions    *options,
                                              GimpMetadata         *metadata,
                                              GimpProcedureConfig  *config,
                                              gpointer              run_data);
static GimpValueArray * dir_heatmap          (GimpProcedure        *procedure,
                                              GimpRunMode           run_mode,
                                              GimpImage            *image,
                                              GimpDrawable        **drawables,
                                              GimpProcedureConfig  *config,
                                              gpointer              run_data);


G_DEFINE_TYPE (DirPlugIn, dir_plug_in, GIMP_TYPE_PLUG_IN)

GIMP_MAIN (DIR_TYPE_PLUG_IN)


static void
dir_plug_in_class_init (DirPlugInClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  plug_in_class->query_procedures = dir_query_procedures;
  plug_in_class->create_procedure = dir_create_procedure;
  plug_in_class->set_i18n         = NULL;
}

static void
dir_plug_in_init (DirPlugIn *dir)
{
}

static GList *
dir_query_procedures (GimpPlugIn *plug_in)
{
  GList *list = NULL;

  list = g_list_append (list, g_strdup (LOAD_THUMB_PROC));
  list = g_list_append (list, g_strdup (LOAD_PROC));
  list = g_list_append (list, g_strdup (EXPORT_PROC));
  list = g_list_append (list, g_strdup (HEATMAP_PROC));

  return list;
}

/* The export arguments: one per option of the core's table, a choice for
 * each CHOICE option and an integer for each INT option, with the table's
 * label (given a mnemonic that the dialog's own widgets do not use: E for
 * Export and Save Exif, C, H, R, L and S for Cancel, Help, Reset, Load
 * Saved Settings and Save Settings, X, P and O for Save XMP, Save color
 * profile and Save comment), help text, range
 * and default. */
static void
add_option_arguments (GimpProcedure *procedure)
{
  const dir_option *table;
  gchar             used[32] = "echrlsxpo";
  size_t            count;
  size_t            i;

  table = dir_options (&count);
  for (i = 0; i < count; i++)
    {
      const dir_option *o     = &table[i];
      gchar            *label = dir_gimp_mnemonic_label (o->label, used,
                                                             sizeof used);

      if (o->kind == DIR_OPTION_CHOICE)
        {
          GimpChoice *choice = gimp_choice_new ();
          gint        k;

          for (k = 0; o->choices[k]; k++)
            gimp_choice_add (choice, o->choices[k], k, o->choices[k], NULL);

          gimp_procedure_add_choice_argument (procedure, o->name, label,
                                              o->help, choice,
                                              o->default_value,
                                              G_PARAM_READWRITE);
        }
      else
        {
          gimp_procedure_add_int_argument (procedure, o->name, label,
                                           o->help, o->min, o->max,
                                           atoi (o->default_value),
                                           G_PARAM_READWRITE);
        }
      g_free (label);
    }
}

static GimpProcedure *
dir_create_procedure (GimpPlugIn  *plug_in,
                      const gchar *name)
{
  GimpProcedure *procedure = NULL;

  if (! strcmp (name, LOAD_PROC))
    {
      procedure = gimp_load_procedure_new (plug_in, name,
                                           GIMP_PDB_PROC_TYPE_PLUGIN,
                                           dir_load, NULL, NULL);

      gimp_procedure_set_menu_label (procedure, ".dir image");
      gimp_procedure_set_documentation (procedure,
                                        "Loads .dir (Direccional) images",
                                        "Loads lossless .dir images (grey, "
                                        "grey+alpha, RGB or RGBA, 8 or 16 "
                                        "bits per channel) with their ICC "
                                        "profile, EXIF, XMP, comment and "
                                        "density. Every error names what is "
                                        "wrong with the file.",
                                        name);
      gimp_procedure_set_attribution (procedure, "dir project",
                                      "dir project", "2026");

      gimp_file_procedure_set_mime_types (GIMP_FILE_PROCEDURE (procedure),
                                          DIR_MIME_TYPE);
      gimp_file_procedure_set_extensions (GIMP_FILE_PROCEDURE (procedure),
                                          DIR_EXTENSIONS);
      gimp_file_procedure_set_magics (GIMP_FILE_PROCEDURE (procedure),
                                      DIR_GIMP_MAGIC);

      gimp_load_procedure_set_thumbnail_loader (GIMP_LOAD_PROCEDURE (procedure),
                                                LOAD_THUMB_PROC);
    }
  else if (! strcmp (name, LOAD_THUMB_PROC))
    {
      procedure = gimp_thumbnail_procedure_new (plug_in, name,
                                                GIMP_PDB_PROC_TYPE_PLUGIN,
                                                dir_load_thumb, NULL, NULL);

      gimp_procedure_set_documentation (procedure,
                                        "Loads a preview of a .dir image",
                                        "Decodes the image for the Open "
                                        "dialog's preview (files of at most "
                                        "64 Mpx).",
                                        name);
      gimp_procedure_set_attribution (procedure, "dir project",
                                      "dir project", "2026");
    }
  else if (! strcmp (name, EXPORT_PROC))
    {
      procedure = gimp_export_procedure_new (plug_in, name,
                                             GIMP_PDB_PROC_TYPE_PLUGIN,
                                             FALSE, dir_export, NULL, NULL);

      gimp_procedure_set_image_types (procedure, "RGB*, GRAY*, INDEXED*");
      gimp_procedure_set_menu_label (procedure, ".dir image");
      gimp_procedure_set_documentation (procedure,
                                        "Exports images in the .dir format",
                                        "Exports grey, grey+alpha, RGB and "
                                        "RGBA images losslessly as .dir "
                                        "(indexed images become RGB or "
                                        "RGBA). The arguments are the "
                                        "encoder's options; a preset sets "
                                        "the options left at their defaults. "
                                        "The include-* arguments write the "
                                        "image's colour profile, EXIF, XMP "
                                        "and comment; the resolution always "
                                        "goes in.",
                                        name);
      gimp_procedure_set_attribution (procedure, "dir project",
                                      "dir project", "2026");

      gimp_file_procedure_set_format_name (GIMP_FILE_PROCEDURE (procedure),
                                           ".dir");
      gimp_file_procedure_set_mime_types (GIMP_FILE_PROCEDURE (procedure),
                                          DIR_MIME_TYPE);
      gimp_file_procedure_set_extensions (GIMP_FILE_PROCEDURE (procedure),
                                          DIR_EXTENSIONS);

      /* Grey, grey+alpha, RGB and RGBA are written with their own channels
       * (export_image); indexed images become RGB(A) when the pixels are
       * read; layers are merged as for any single-layer format. */
      gimp_export_procedure_set_capabilities (GIMP_EXPORT_PROCEDURE (procedure),
                                              GIMP_EXPORT_CAN_HANDLE_RGB     |
                                              GIMP_EXPORT_CAN_HANDLE_GRAY    |
                                              GIMP_EXPORT_CAN_HANDLE_INDEXED |
                                              GIMP_EXPORT_CAN_HANDLE_ALPHA,
                                              NULL, NULL, NULL);

      add_option_arguments (procedure);

      /* The metadata .dir holds (chunks iCCP, eXIf, xMPt, cOMt): GIMP adds
       * the include-color-profile, include-exif, include-xmp and
       * include-comment arguments and their part of the dialog.  (The
       * resolution always goes in, as pHYs.)  The plug-in writes them
       * itself: GIMP's own metadata writer (exiv2) does not know .dir. */
      gimp_export_procedure_set_support_profile (GIMP_EXPORT_PROCEDURE (procedure),
                                                 TRUE);
      gimp_export_procedure_set_support_exif (GIMP_EXPORT_PROCEDURE (procedure),
                                              TRUE);
      gimp_export_procedure_set_support_xmp (GIMP_EXPORT_PROCEDURE (procedure),
                                             TRUE);
      gimp_export_procedure_set_support_comment (GIMP_EXPORT_PROCEDURE (procedure),
                                                 TRUE);
    }
  else if (! strcmp (name, HEATMAP_PROC))
    {
      procedure = gimp_image_procedure_new (plug_in, name,
                                            GIMP_PDB_PROC_TYPE_PLUGIN,
                                            dir_heatmap, NULL, NULL);

      gimp_procedure_set_image_types (procedure, "RGB*");
      gimp_procedure_set_sensitivity_mask (procedure,
                                           GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
      gimp_procedure_set_menu_label (procedure, "Numeric array _heatmap...");
      gimp_procedure_add_menu_path (procedure, "<Image>/Filters/Generic");
      gimp_procedure_set_documentation (procedure,
                                        "Draws the numeric arrays held in "
                                        "a layer's pixels",
                                        "Decodes the layer's pixels as "
                                        "numeric arrays (IMGArrays "
                                        "convention: a self-describing "
                                        "header is detected, classic images "
                                        "need capacity, lDecZeroes and "
                                        "alpha) and opens a new image drawn "
                                        "by the same code as dirtool array "
                                        "heatmap: one layer per tensor, "
                                        "named after it (name, shape, "
                                        "dtype), with the tensor in its own "
                                        "shape, a title, a colour bar with "
                                        "ticks and the statistics, over a "
                                        "white background; the scale is "
                                        "symmetric, at a percentile of |v| "
                                        "unless given, the values beyond it "
                                        "in the clip colours.  plain (or "
                                        "rows/cols) draws the grid of one "
                                        "pixel per value instead.  Returns "
                                        "count, min, max, mean and the "
                                        "number of layers.",
                                        name);
      gimp_procedure_set_attribution (procedure, "dir project",
                                      "dir project", "2026");

      gimp_procedure_add_boolean_argument (procedure, "classic",
                                           "_Classic image",
                                           "A classic IMGArrays image without "
                                           "header (asked interactively when "
                                           "no header is found)",
                                           FALSE, G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "capacity", "C_apacity",
                                       "Classic images: capacity 0, 1 or 2",
                                       0, 2, 1, G_PARAM_READWRITE);
      gimp_procedure_add_boolean_argument (procedure, "ldeczeroes",
                                           "_lDecZeroes",
                                           "Classic images: leading decimal "
                                           "zeros counted",
                                           TRUE, G_PARAM_READWRITE);
      gimp_procedure_add_boolean_argument (procedure, "alpha",
                                           "Alpha _bytes hold data",
                                           "Classic images: the alpha byte "
                                           "holds data",
                                           FALSE, G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "rows", "Ro_ws (height)",
                                       "Plain grid: rows (0: from the "
                                       "columns, or near-square); a non-zero "
                                       "value draws the plain grid",
                                       0, GIMP_MAX_IMAGE_SIZE, 0,
                                       G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "cols", "Colu_mns (width)",
                                       "Plain grid: columns (0: from the "
                                       "rows, or near-square); a non-zero "
                                       "value draws the plain grid",
                                       0, GIMP_MAX_IMAGE_SIZE, 0,
                                       G_PARAM_READWRITE);
      gimp_procedure_add_double_argument (procedure, "scale", "Colour _scale",
                                          "Magnitude drawn in full colour "
                                          "(0: the percentile of |v|; plain: "
                                          "the largest magnitude)",
                                          0.0, 1e300, 0.0,
                                          G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "zoom", "_Zoom",
                                       "Pixels per value (0: small tensors "
                                       "enlarged to about 480 pixels)",
                                       0, HEAT_MAX_ZOOM, 0,
                                       G_PARAM_READWRITE);
      gimp_procedure_add_double_argument (procedure, "percentile",
                                          "_Percentile of |v|",
                                          "The scale when it is 0: this "
                                          "percentile of the magnitudes of "
                                          "each tensor (0: 99.5); the values "
                                          "beyond it take the clip colours",
                                          0.0, 100.0, 0.0,
                                          G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "tile-rows", "_Tile rows",
                                       "Draw each row (or column) of R*C "
                                       "values of a matrix as an R x C tile "
                                       "(28 x 28: first-layer receptive "
                                       "fields; 0: no tiles)",
                                       0, 4096, 0, G_PARAM_READWRITE);
      gimp_procedure_add_int_argument (procedure, "tile-cols",
                                       "T_ile columns",
                                       "Tile columns (0: no tiles)",
                                       0, 4096, 0, G_PARAM_READWRITE);
      gimp_procedure_add_boolean_argument (procedure, "plain",
                                           "Plain _grid: one pixel per value",
                                           "Every value together, one pixel "
                                           "each (dirtool array heatmap "
                                           "--plain)",
                                           FALSE, G_PARAM_READWRITE);

      gimp_procedure_add_image_return_value (procedure, "new-image",
                                             "New image", "The heatmap",
                                             FALSE, G_PARAM_READWRITE);
      gimp_procedure_add_int_return_value (procedure, "count", "Count",
                                           "Number of values",
                                           0, G_MAXINT, 0, G_PARAM_READWRITE);
      gimp_procedure_add_double_return_value (procedure, "min", "Min",
                                              "Smallest value",
                                              -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                                              G_PARAM_READWRITE);
      gimp_procedure_add_double_return_value (procedure, "max", "Max",
                                              "Largest value",
                                              -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                                              G_PARAM_READWRITE);
      gimp_procedure_add_double_return_value (procedure, "mean", "Mean",
                                              "Mean value",
                                              -G_MAXDOUBLE, G_MAXDOUBLE, 0.0,
                                              G_PARAM_READWRITE);
      gimp_procedure_add_int_return_value (procedure, "layers", "Layers",
                                           "Number of tensor layers (plain: "
                                           "1)",
                                           0, G_MAXINT, 0, G_PARAM_READWRITE);
    }

  return procedure;
}


/* ---- Loading ------------------------------------------------------------ */

/* The name of the parasite GIMP 3 reads an export procedure's last values
 * for an image from, in interactive runs and with last values: the type
 * name of the procedure's run config ("GimpProcedureConfigRun-" and the
 * procedure's name) and "-last", the parasite GIMP's own loaders write for
 * their export procedures (file-tiff's compression, for one). */
#define EXPORT_LAST_PARASITE "GimpProcedureConfigRun-" EXPORT_PROC "-last"


static void
attach_parasite (GimpImage    *image,
                 GimpParasite *parasite)
{
  if (parasite)
    {
      gimp_image_attach_parasite (image, parasite);
      gimp_parasite_free (parasite);
    }
}

/* Gives `image` the file's ICC profile, comment and density, and puts its
 * EXIF and XMP into `metadata` (which GIMP then attaches to the image),
 * telling GIMP in *flags not to take from them what the file's own chunks
 * gave.  metadata may be NULL (the thumbnail). */
static void
load_metadata (GimpImage             *image,
               const gchar           *name,
               const dir_metadata    *meta,
               GimpMetadata          *metadata,
               GimpMetadataLoadFlags *flags)
{
  gboolean profile_set = FALSE;
  gdouble  xres;
  gdouble  yres;

  if (meta->icc_size)
    {
      GimpColorProfile *profile;
      GError           *error = NULL;

      profile = gimp_color_profile_new_from_icc_profile (meta->icc,
                                                         meta->icc_size,
                                                         &error);
      profile_set = profile && gimp_image_set_color_profile (image, profile);
      if (! profile_set)
        g_printerr ("%s: the ICC profile of '%s' is left out: %s\n",
                    PLUG_IN_BINARY, name,
                    error ? error->message : "GIMP refused it for this image");
      g_clear_error (&error);
      g_clear_object (&profile);
    }

  attach_parasite (image, dir_gimp_comment_parasite (meta));

  if (dir_gimp_file_resolution (meta, &xres, &yres))
    gimp_image_set_resolution (image, xres, yres);
  else if (gimp_image_get_resolution (image, &xres, &yres))
    attach_parasite (image, dir_gimp_default_resolution_parasite (xres, yres));

  if (metadata)
    dir_gimp_metadata_from_file (metadata, meta, name);
  if (flags)
    *flags = dir_gimp_metadata_load_flags (*flags, meta, profile_set);
}

/* Records the file's options as the export procedure's last values for
 * `image` (the parasite GIMP 3 itself reads in interactive exports and
 * exports with last values), so that exporting the image again starts from
 * them: for a version-1 file its back end, filter and layout (its header
 * says so; a version-2 file does not say which options wrote it, and the
 * export starts from the defaults), and for every file the metadata it
 * holds (include-color-profile, include-exif, include-xmp and
 * include-comment ticked for the chunks it has).  Nothing is recorded for
 * a version-2 file without metadata: its export starts from GIMP's last
 * values, as for any other image. */
static void
record_file_options (GimpImage          *image,
                     const dir_info     *info,
                     const dir_metadata *meta)
{
  GimpConfigWriter *writer;
  GimpParasite     *parasite;
  GString          *text;
  const gchar      *names[7];
  const gchar      *values[7];
  guint             n = 0;
  guint             i;

  if (info->version == 1)
    {
      names[n]    = "backend";
      values[n++] = dir_backend_name (info->backend);
      names[n]    = "filter";
      values[n++] = dir_filter_name (info->filter);
      names[n]    = "layout";
      values[n++] = dir_layout_name (info->layout);
    }
  if (meta->icc_size)
    names[n++] = "include-color-profile";
  if (meta->exif_size)
    names[n++] = "include-exif";
  if (meta->xmp_size)
    names[n++] = "include-xmp";
  if (meta->comment)
    names[n++] = "include-comment";
  if (n == 0)
    return;

  text   = g_string_new (NULL);
  writer = gimp_config_writer_new_from_string (text);
  for (i = 0; i < n; i++)
    {
      gimp_config_writer_open (writer, names[i]);
      if (i < 3 && info->version == 1)
        gimp_config_writer_string (writer, values[i]);
      else
        gimp_config_writer_identifier (writer, "yes");
      gimp_config_writer_close (writer);
    }
  gimp_config_writer_finish (writer, NULL, NULL);

  parasite = gimp_parasite_new (EXPORT_LAST_PARASITE,
                                GIMP_PARASITE_PERSISTENT,
                                text->len + 1, text->str);
  gimp_image_attach_parasite (image, parasite);
  gimp_parasite_free (parasite);
  g_string_free (text, TRUE);
}

/* Decodes `file` into a new image; max_pixels, when not 0, is a stricter
 * pixel limit (the thumbnail's).  metadata and flags are the load
 * procedure's (NULL for the thumbnail). */
static GimpImage *
load_image (GFile                 *file,
            guint64                max_pixels,
            GimpMetadata          *metadata,
            GimpMetadataLoadFlags *flags,
            GError               **error)
{
  const gchar *name = gimp_file_get_utf8_name (file);
  gchar       *data = NULL;
  gsize        size = 0;
  DirGimpFile  dir;
  GeglBuffer  *buffer;
  GimpImage   *image;
  GimpLayer   *layer;

  gimp_progress_init_printf ("Opening '%s'", name);

  if (! g_file_load_contents (file, NULL, &data, &size, NULL, error) ||
      ! dir_gimp_file_decode (&dir, data, size, max_pixels, name, error))
    return NULL;

  gimp_progress_update (0.5);

  image = gimp_image_new_with_precision (dir.info.width, dir.info.height,
                                         dir_gimp_base_type (dir.info.channels),
                                         dir_gimp_precision (dir.info.depth));

  /* The metadata before the layer: the profile gives the image its colour
   * space, in which the samples are stored as they are. */
  load_metadata (image, name, &dir.meta, metadata, flags);
  if (flags)
    record_file_options (image, &dir.info, &dir.meta);

  layer = gimp_layer_new (image, "Background", dir.info.width,
                          dir.info.height,
                          dir_gimp_layer_type (dir.info.channels), 100,
                          gimp_image_get_default_new_layer_mode (image));
  gimp_image_insert_layer (image, layer, NULL, 0);

  buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  dir_gimp_file_to_buffer (&dir, buffer,
                           dir_gimp_format (dir.info.channels, dir.info.depth,
                                            gimp_drawable_get_format (GIMP_DRAWABLE (layer))),
                           gimp_progress_update);
  g_object_unref (buffer);
  dir_gimp_file_clear (&dir);

  gimp_progress_update (1.0);

  return image;
}

static GimpValueArray *
dir_load (GimpProcedure         *procedure,
          GimpRunMode            run_mode,
          GFile                 *file,
          GimpMetadata          *metadata,
          GimpMetadataLoadFlags *flags,
          GimpProcedureConfig   *config,
          gpointer               run_data)
{
  GimpValueArray *return_vals;
  GimpImage      *image;
  GError         *error = NULL;

  gegl_init (NULL, NULL);

  image = load_image (file, 0, metadata, flags, &error);
  if (! image)
    return gimp_procedure_new_return_values (procedure,
                                             GIMP_PDB_EXECUTION_ERROR, error);

  return_vals = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS,
                                                  NULL);
  GIMP_VALUES_SET_IMAGE (return_vals, 1, image);

  return return_vals;
}

static GimpValueArray *
dir_load_thumb (GimpProcedure       *procedure,
                GFile               *file,
                gint                 size,
                GimpProcedureConfig *config,
                gpointer             run_data)
{
  GimpValueArray *return_vals;
  GimpImage      *image;
  GimpLayer     **layers;
  GError         *error = NULL;

  gegl_init (NULL, NULL);

  image = load_image (file, DIR_THUMB_MAX_PIXELS, NULL, NULL, &error);
  if (! image)
    return gimp_procedure_new_return_values (procedure,
                                             GIMP_PDB_EXECUTION_ERROR, error);

  layers = gimp_image_get_layers (image);

  return_vals = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS,
                                                  NULL);
  GIMP_VALUES_SET_IMAGE (return_vals, 1, image);
  GIMP_VALUES_SET_INT   (return_vals, 2, gimp_image_get_width (image));
  GIMP_VALUES_SET_INT   (return_vals, 3, gimp_image_get_height (image));
  GIMP_VALUES_SET_ENUM  (return_vals, 4,
                         gimp_drawable_type (GIMP_DRAWABLE (layers[0])));
  GIMP_VALUES_SET_INT   (return_vals, 5, 1);
  g_free (layers);

  return return_vals;
}


/* ---- Exporting ---------------------------------------------------------- */

/* The encoder options from the procedure's arguments.  Interactively (and
 * with last values) every argument is taken as it stands: the dialog keeps
 * them consistent with the preset.  From a script the preset comes first
 * and sets every option the call left at its default; an option the call
 * gave (other than its default) that has no effect given the others is an
 * error, as in dirtool (dir_gimp_check_option ()). */
static gboolean
options_from_config (GimpProcedureConfig *config,
                     gboolean             all,
                     dir_encode_options  *opt,
                     GError             **error)
{
  const dir_option *table;
  size_t            count;
  size_t            pass;
  size_t            i;
  const gchar      *given[16];
  gsize             n_given = 0;

  dir_encode_options_default (opt);

  table = dir_options (&count);
  for (pass = 0; pass < 2; pass++)
    for (i = 0; i < count; i++)
      {
        const dir_option *o = &table[i];
        gchar            *value;

        if ((strcmp (o->name, "preset") == 0) != (pass == 0))
          continue;

        if (o->kind == DIR_OPTION_CHOICE)
          {
            g_object_get (config, o->name, &value, NULL);
          }
        else
          {
            gint v;

            g_object_get (config, o->name, &v, NULL);
            value = g_strdup_printf ("%d", v);
          }

        if (! all && pass == 1 && ! strcmp (value, o->default_value))
          {
            g_free (value);
            continue;
          }

        if (! dir_gimp_set_option (opt, o->name, value, error))
          {
            g_free (value);
            return FALSE;
          }
        if (! all && pass == 1 && n_given < G_N_ELEMENTS (given))
          given[n_given++] = o->name;
        g_free (value);
      }

  for (i = 0; i < n_given; i++)
    if (! dir_gimp_check_option (opt, given[i], error))
      return FALSE;

  return TRUE;
}

/* Dialog: choosing a preset shows its values in the other widgets, and an
 * option that has no effect (the level without a back end) is greyed out. */
static void
export_config_changed (GimpProcedureConfig *config,
                       GParamSpec          *pspec,
                       GimpProcedureDialog *dialog)
{
  const dir_option   *table;
  dir_encode_options  opt;
  size_t              count;
  size_t              i;

  table = dir_options (&count);

  if (pspec && ! strcmp (pspec->name, "preset"))
    {
      gchar *preset;

      g_object_get (config, "preset", &preset, NULL);
      dir_encode_options_default (&opt);
      if (dir_encode_options_preset (&opt, preset, NULL) == DIR_OK)
        {
          g_signal_handlers_block_by_func (config, export_config_changed,
                                           dialog);
          for (i = 0; i < count; i++)
            {
              char value[64];

              if (! strcmp (table[i].name, "preset") ||
                  dir_option_get (&opt, table[i].name, value,
                                  sizeof value) != DIR_OK)
                continue;

              if (table[i].kind == DIR_OPTION_CHOICE)
                g_object_set (config, table[i].name, value, NULL);
              else
                g_object_set (config, table[i].name, atoi (value), NULL);
            }
          g_signal_handlers_unblock_by_func (config, export_config_changed,
                                             dialog);
        }
      g_free (preset);
    }

  if (options_from_config (config, TRUE, &opt, NULL))
    for (i = 0; i < count; i++)
      {
        GtkWidget *widget;

        widget = gimp_procedure_dialog_get_widget (dialog, table[i].name,
                                                   G_TYPE_NONE);
        if (widget)
          gtk_widget_set_sensitive (widget,
                                    dir_option_applies (&opt, table[i].name));
      }
}

static gboolean
export_dialog (GimpProcedure       *procedure,
               GimpProcedureConfig *config,
               GimpImage           *image)
{
  GtkWidget *dialog;
  gboolean   run;

  dialog = gimp_export_procedure_dialog_new (GIMP_EXPORT_PROCEDURE (procedure),
                                             config, image);

  /* Every argument, in the table's order. */
  gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog), NULL);

  g_signal_connect (config, "notify",
                    G_CALLBACK (export_config_changed), dialog);
  export_config_changed (config, NULL, GIMP_PROCEDURE_DIALOG (dialog));

  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));

  g_signal_handlers_disconnect_by_func (config, export_config_changed,
                                        dialog);
  gtk_widget_destroy (dialog);

  return run;
}

/* What goes into the file, as the arguments GIMP 3 gives every export
 * procedure that supports them say (include-color-profile, include-exif,
 * include-xmp, include-comment with gimp-comment, which GIMP fills from the
 * image's "gimp-comment" parasite): the image's own colour profile (none
 * for GIMP's built-in sRGB), its EXIF and XMP as GIMP prepares them for
 * export (gimp_image_metadata_save_prepare () and _filter (): the image's
 * metadata with the date, software and size brought up to date; only when
 * the image has EXIF or XMP beyond GIMP's own tags), the comment and the
 * resolution. */
static void
gather_metadata (GimpImage             *image,
                 const gchar           *name,
                 GimpProcedureConfig   *config,
                 DirGimpExportMetadata *m)
{
  GimpMetadataSaveFlags  suggested;
  GimpMetadata          *metadata;
  GimpParasite          *parasite;
  gboolean               include_exif    = FALSE;
  gboolean               include_xmp     = FALSE;
  gboolean               include_profile = FALSE;
  gboolean               include_comment = FALSE;
  gboolean               has_exif;
  gboolean               has_xmp;
  gchar                 *comment         = NULL;
  gdouble                xres;
  gdouble                yres;

  memset (m, 0, sizeof *m);

  g_object_get (config,
                "include-exif",          &include_exif,
                "include-xmp",           &include_xmp,
                "include-color-profile", &include_profile,
                "include-comment",       &include_comment,
                "gimp-comment",          &comment,
                NULL);

  if (include_profile)
    {
      GimpColorProfile *profile = gimp_image_get_color_profile (image);

      if (profile)
        {
          const guint8 *icc;
          gsize         icc_size = 0;

          icc = gimp_color_profile_get_icc_profile (profile, &icc_size);
          dir_gimp_export_set_icc (m, icc, icc_size);
          g_object_unref (profile);
        }
    }

  if (include_comment && comment)
    dir_gimp_export_set_comment (m, comment, strlen (comment));
  g_free (comment);

  if (gimp_image_get_resolution (image, &xres, &yres))
    {
      parasite = gimp_image_get_parasite (image, DIR_RESOLUTION_PARASITE);
      dir_gimp_export_set_density (m, xres, yres, parasite);
      if (parasite)
        gimp_parasite_free (parasite);
    }

  /* Whether the image has EXIF or XMP of its own: _save_prepare () adds
   * GIMP's tags to whatever it is given. */
  metadata = gimp_image_get_metadata (image);
  dir_gimp_own_metadata (metadata, &has_exif, &has_xmp);
  g_clear_object (&metadata);
  include_exif = include_exif && has_exif;
  include_xmp  = include_xmp && has_xmp;
  if (! include_exif && ! include_xmp)
    return;

  metadata = gimp_image_metadata_save_prepare (image, DIR_MIME_TYPE,
                                               &suggested);
  if (metadata)
    {
      GimpMetadata *filtered;
      GError       *error = NULL;

      filtered = gimp_image_metadata_save_filter (image, DIR_MIME_TYPE,
                                                  metadata,
                                                  (include_exif ?
                                                   GIMP_METADATA_SAVE_EXIF : 0) |
                                                  (include_xmp ?
                                                   GIMP_METADATA_SAVE_XMP : 0),
                                                  NULL, &error);
      if (filtered)
        {
          dir_gimp_export_set_exif_xmp (m, filtered, include_exif,
                                        include_xmp, name);
          g_object_unref (filtered);
        }
      else
        {
          g_printerr ("%s: the metadata of '%s' is left out: %s\n",
                      PLUG_IN_BINARY, name,
                      error ? error->message : "GIMP could not prepare it");
          g_clear_error (&error);
        }
      g_object_unref (metadata);
    }
}

/* Exports `drawable` as .dir: grey, grey+alpha, RGB and RGBA (indexed
 * drawables as RGB(A)), 8-bit images at 8 bits and any deeper precision
 * at 16. */
static gboolean
export_image (GFile                    *file,
              GimpDrawable             *drawable,
              const dir_encode_options *opt,
              const dir_metadata       *meta,
              GError                  **error)
{
  const gchar *name = gimp_file_get_utf8_name (file);
  GimpImage   *image = gimp_item_get_image (GIMP_ITEM (drawable));
  GeglBuffer  *buffer;
  gboolean     ok;

  gimp_progress_init_printf ("Exporting '%s'", name);

  buffer = gimp_drawable_get_buffer (drawable);
  ok = dir_gimp_export_buffer (buffer,
                               dir_gimp_export_channels (gimp_drawable_type (drawable)),
                               dir_gimp_export_depth (gimp_image_get_precision (image)),
                               meta, opt, file, name, gimp_progress_update,
                               error);
  g_object_unref (buffer);

  return ok;
}

static GimpValueArray *
dir_export (GimpProcedure        *procedure,
            GimpRunMode           run_mode,
            GimpImage            *image,
            GFile                *file,
            GimpExportOptions    *options,
            GimpMetadata         *metadata,
            GimpProcedureConfig  *config,
            gpointer              run_data)
{
  GimpPDBStatusType      status = GIMP_PDB_SUCCESS;
  GimpExportReturn       export = GIMP_EXPORT_IGNORE;
  dir_encode_options     opt;
  DirGimpExportMetadata  meta;
  GList                 *drawables;
  GError                *error  = NULL;

  gegl_init (NULL, NULL);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gimp_ui_init (PLUG_IN_BINARY);

      if (! export_dialog (procedure, config, image))
        return gimp_procedure_new_return_values (procedure, GIMP_PDB_CANCEL,
                                                 NULL);
    }

  if (! options_from_config (config, run_mode != GIMP_RUN_NONINTERACTIVE,
                             &opt, &error))
    return gimp_procedure_new_return_values (procedure,
                                             GIMP_PDB_CALLING_ERROR, error);

  /* From the image as it is, before the export merges or converts it. */
  gather_metadata (image, gimp_file_get_utf8_name (file), config, &meta);

  export    = gimp_export_options_get_image (options, &image);
  drawables = gimp_image_list_layers (image);

  if (! export_image (file, drawables->data, &opt, &meta.meta, &error))
    status = GIMP_PDB_EXECUTION_ERROR;
  dir_gimp_export_metadata_clear (&meta);

  if (export == GIMP_EXPORT_EXPORT)
    gimp_image_delete (image);
  g_list_free (drawables);

  return gimp_procedure_new_return_values (procedure, status, error);
}


/* ---- Numeric array heatmap --------------------------------------------- */

/* One dialog: what the layer holds (its tensors, or for a classic image
 * the configuration, asked for), then the drawing options; the fields
 * that do not apply to the plain grid (or only to it) are greyed out. */
static gboolean
heatmap_dialog (GimpProcedure       *procedure,
                GimpProcedureConfig *config,
                const gchar         *tensors,
                gboolean             has_alpha)
{
  GtkWidget *dialog;
  gboolean   run;

  dialog = gimp_procedure_dialog_new (procedure, config,
                                      "Numeric array heatmap");
  gimp_procedure_dialog_get_label (GIMP_PROCEDURE_DIALOG (dialog),
                                   "what-label",
                                   tensors ? tensors
                                           : "This layer has no "
                                             "self-describing header: it is "
                                             "a classic IMGArrays image. "
                                             "How was it written?",
                                   FALSE, FALSE);
  gimp_procedure_dialog_fill_box (GIMP_PROCEDURE_DIALOG (dialog),
                                  "plain-box", "rows", "cols", NULL);
  gimp_procedure_dialog_fill_frame (GIMP_PROCEDURE_DIALOG (dialog),
                                    "plain-frame", "plain", FALSE,
                                    "plain-box");
  if (tensors)
    gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog),
                                "what-label", "scale", "percentile", "zoom",
                                "tile-rows", "tile-cols", "plain-frame",
                                NULL);
  else
    gimp_procedure_dialog_fill (GIMP_PROCEDURE_DIALOG (dialog),
                                "what-label", "capacity", "ldeczeroes",
                                "alpha", "scale", "percentile", "zoom",
                                "tile-rows", "tile-cols", "plain-frame",
                                NULL);

  gimp_procedure_dialog_set_sensitive (GIMP_PROCEDURE_DIALOG (dialog),
                                       "percentile", TRUE, G_OBJECT (config),
                                       "plain", TRUE);
  gimp_procedure_dialog_set_sensitive (GIMP_PROCEDURE_DIALOG (dialog),
                                       "zoom", TRUE, G_OBJECT (config),
                                       "plain", TRUE);
  gimp_procedure_dialog_set_sensitive (GIMP_PROCEDURE_DIALOG (dialog),
                                       "tile-rows", TRUE, G_OBJECT (config),
                                       "plain", TRUE);
  gimp_procedure_dialog_set_sensitive (GIMP_PROCEDURE_DIALOG (dialog),
                                       "tile-cols", TRUE, G_OBJECT (config),
                                       "plain", TRUE);
  if (! tensors && ! has_alpha)
    {
      g_object_set (config, "alpha", FALSE, NULL);
      gtk_widget_set_sensitive (gimp_procedure_dialog_get_widget (
                                  GIMP_PROCEDURE_DIALOG (dialog), "alpha",
                                  G_TYPE_NONE),
                                FALSE);
    }

  run = gimp_procedure_dialog_run (GIMP_PROCEDURE_DIALOG (dialog));
  gtk_widget_destroy (dialog);

  return run;
}

/* The layer as 8-bit RGB or RGBA in its own colour space: the stored bytes. */
static guchar *
read_layer (GimpDrawable *drawable,
            guint        *channels)
{
  GeglBuffer *buffer = gimp_drawable_get_buffer (drawable);
  guchar     *pixels;

  *channels = gimp_drawable_has_alpha (drawable) ? 4 : 3;
  pixels    = dir_gimp_buffer_bytes (buffer, *channels);
  g_object_unref (buffer);

  return pixels;
}

/* The page as an image: one layer per panel, named after its tensor, at
 * its place in the page, the first tensor on top (and selected); under them
 * (the readable heatmap) a white background the page's size, so that the
 * flattened image is dirtool's picture.  The report is the image's comment
 * (Image > Image Properties > Comment). */
static GimpImage *
new_heatmap_image (const heat_page *page,
                   gboolean         plain)
{
  GimpParasite *parasite;
  GimpImage    *image;
  gsize         i;

  image = gimp_image_new_with_precision (page->width, page->height, GIMP_RGB,
                                         GIMP_PRECISION_U8_NON_LINEAR);
  gimp_image_undo_disable (image);

  if (! plain)
    {
      GimpLayer *bg = gimp_layer_new (image, "Background",
                                      page->width, page->height,
                                      GIMP_RGB_IMAGE, 100,
                                      gimp_image_get_default_new_layer_mode (image));

      gimp_image_insert_layer (image, bg, NULL, 0);
      gimp_drawable_fill (GIMP_DRAWABLE (bg), GIMP_FILL_WHITE);
    }

  /* the last tensor first, each on top of the stack: the first tensor's
   * layer ends on top, and selected */
  for (i = page->count; i-- > 0;)
    {
      const heat_panel *p = &page->panels[i];
      GeglBuffer       *buffer;
      GimpLayer        *layer;

      layer = gimp_layer_new (image, p->label, p->width, p->height,
                              GIMP_RGB_IMAGE, 100,
                              gimp_image_get_default_new_layer_mode (image));
      gimp_image_insert_layer (image, layer, NULL, 0);
      gimp_layer_set_offsets (layer, 0, (gint) p->y);

      buffer = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
      gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, p->width, p->height), 0,
                       babl_format ("R'G'B' u8"), p->rgb, GEGL_AUTO_ROWSTRIDE);
      g_object_unref (buffer);
    }

  parasite = gimp_parasite_new ("gimp-comment", GIMP_PARASITE_PERSISTENT,
                                strlen (page->report) + 1, page->report);
  gimp_image_attach_parasite (image, parasite);
  gimp_parasite_free (parasite);

  gimp_image_undo_enable (image);

  return image;
}

static GimpValueArray *
heatmap_error (GimpProcedure     *procedure,
               GimpPDBStatusType  status,
               GError            *error)
{
  return gimp_procedure_new_return_values (procedure, status, error);
}

static void
heatmap_progress (double  fraction,
                  void   *user)
{
  gimp_progress_update (fraction);
}

static GimpValueArray *
dir_heatmap (GimpProcedure        *procedure,
             GimpRunMode           run_mode,
             GimpImage            *image,
             GimpDrawable        **drawables,
             GimpProcedureConfig  *config,
             gpointer              run_data)
{
  GimpValueArray *return_vals;
  GimpDrawable   *drawable;
  GimpImage      *heat;
  DirHeatmapVals  vals;
  heat_page       page;
  GError         *error = NULL;
  guchar         *pixels;
  guint           channels;

  gegl_init (NULL, NULL);

  if (! drawables || ! drawables[0] || drawables[1] ||
      ! GIMP_IS_LAYER (drawables[0]))
    return heatmap_error (procedure, GIMP_PDB_CALLING_ERROR,
                          g_error_new_literal (G_FILE_ERROR,
                                               G_FILE_ERROR_INVAL,
                                               "The numeric array heatmap "
                                               "works on one layer"));
  drawable = drawables[0];

  if (run_mode == GIMP_RUN_INTERACTIVE)
    gimp_ui_init (PLUG_IN_BINARY);

  pixels = read_layer (drawable, &channels);
  if (! pixels)
    return heatmap_error (procedure, GIMP_PDB_EXECUTION_ERROR,
                          g_error_new_literal (G_FILE_ERROR,
                                               G_FILE_ERROR_NOMEM,
                                               "Out of memory reading the "
                                               "layer's pixels"));

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gchar    *tensors;
      gboolean  ok;

      tensors = dir_gimp_heatmap_describe (pixels,
                                           gimp_drawable_get_width (drawable),
                                           gimp_drawable_get_height (drawable),
                                           channels);
      g_object_set (config, "classic", tensors == NULL, NULL);
      ok = heatmap_dialog (procedure, config, tensors, channels == 4);
      g_free (tensors);
      if (! ok)
        {
          g_free (pixels);
          return gimp_procedure_new_return_values (procedure,
                                                   GIMP_PDB_CANCEL, NULL);
        }
    }

  dir_gimp_heatmap_vals_default (&vals);
  g_object_get (config,
                "classic",    &vals.classic,
                "capacity",   &vals.capacity,
                "ldeczeroes", &vals.ldeczeroes,
                "alpha",      &vals.alpha,
                "rows",       &vals.rows,
                "cols",       &vals.cols,
                "scale",      &vals.scale,
                "zoom",       &vals.zoom,
                "percentile", &vals.percentile,
                "tile-rows",  &vals.tile_rows,
                "tile-cols",  &vals.tile_cols,
                "plain",      &vals.plain,
                NULL);

  if (! dir_gimp_heatmap_vals_check (&vals, &error))
    {
      g_free (pixels);
      return heatmap_error (procedure, GIMP_PDB_CALLING_ERROR, error);
    }

  gimp_progress_init ("Drawing the heatmap");

  if (! dir_gimp_heatmap_render (pixels, gimp_drawable_get_width (drawable),
                                 gimp_drawable_get_height (drawable),
                                 channels, &vals, heatmap_progress, NULL,
                                 GIMP_MAX_IMAGE_SIZE, &page, &error))
    {
      g_free (pixels);
      return heatmap_error (procedure, GIMP_PDB_EXECUTION_ERROR, error);
    }
  g_free (pixels);

  heat = new_heatmap_image (&page, vals.plain || vals.rows || vals.cols);

  gimp_progress_update (1.0);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    gimp_display_new (heat);

  return_vals = gimp_procedure_new_return_values (procedure, GIMP_PDB_SUCCESS,
                                                  NULL);
  GIMP_VALUES_SET_IMAGE  (return_vals, 1, heat);
  GIMP_VALUES_SET_INT    (return_vals, 2,
                          (gint) MIN (page.values, (guint64) G_MAXINT));
  GIMP_VALUES_SET_DOUBLE (return_vals, 3, page.min);
  GIMP_VALUES_SET_DOUBLE (return_vals, 4, page.max);
  GIMP_VALUES_SET_DOUBLE (return_vals, 5, page.mean);
  GIMP_VALUES_SET_INT    (return_vals, 6, (gint) page.count);

  heat_page_free (&page);

  return return_vals;
}
