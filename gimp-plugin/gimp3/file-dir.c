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

#define _XOPEN_SOURCE 700 /* realpath () */

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

/* Rows copied between the layer and the core's buffer per GEGL call, between
 * two progress updates. */
#define ROWS_PER_STEP 64


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

/* `label` with a mnemonic: an underscore before its first letter that no
 * earlier label took (`used` holds the letters taken, lower case). */
static gchar *
mnemonic_label (const gchar *label,
                gchar       *used)
{
  const gchar *p;

  for (p = label; *p; p++)
    {
      gchar c = g_ascii_tolower (*p);

      if (g_ascii_isalpha (c) && ! strchr (used, c))
        {
          gsize n = strlen (used);

          used[n]     = c;
          used[n + 1] = '\0';
          return g_strdup_printf ("%.*s_%s", (gint) (p - label), label, p);
        }
    }

  return g_strdup (label);
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
  for (i = 0; i < count && i < 24; i++)
    {
      const dir_option *o     = &table[i];
      gchar            *label = mnemonic_label (o->label, used);

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

      /* Grey with alpha and indexed images are converted to RGB(A) when the
       * pixels are read; layers are merged as for any single-layer format. */
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


/* A file without density opens at GIMP's default resolution, which the
 * image then remembers (the parasite DIR_RESOLUTION_PARASITE, "X Y"), so
 * that exporting it unchanged writes no density either. */
static void
mark_default_resolution (GimpImage *image)
{
  GimpParasite *parasite;
  gdouble       xres;
  gdouble       yres;
  gchar        *text;

  if (! gimp_image_get_resolution (image, &xres, &yres))
    return;

  text     = dir_gimp_resolution_text (xres, yres);
  parasite = gimp_parasite_new (DIR_RESOLUTION_PARASITE,
                                GIMP_PARASITE_PERSISTENT,
                                strlen (text) + 1, text);
  gimp_image_attach_parasite (image, parasite);
  gimp_parasite_free (parasite);
  g_free (text);
}

static gboolean
is_default_resolution (GimpImage *image,
                       gdouble    xres,
                       gdouble    yres)
{
  GimpParasite  *parasite;
  const gchar   *data;
  guint32        size = 0;
  gchar         *text;
  gboolean       same;

  parasite = gimp_image_get_parasite (image, DIR_RESOLUTION_PARASITE);
  if (! parasite)
    return FALSE;

  data = gimp_parasite_get_data (parasite, &size);
  text = dir_gimp_resolution_text (xres, yres);
  same = data && size == strlen (text) + 1 && ! memcmp (data, text, size);
  g_free (text);
  gimp_parasite_free (parasite);

  return same;
}

/* Gives `image` the file's ICC profile, comment and density, and puts its
 * EXIF and XMP into `metadata` (which GIMP then attaches to the image),
 * telling GIMP in *flags not to take from them what the file's own chunks
 * gave.  metadata may be NULL (the thumbnail). */
static void
load_metadata (GimpImage             *image,
               GFile                 *file,
               const dir_metadata    *meta,
               GimpMetadata          *metadata,
               GimpMetadataLoadFlags *flags)
{
  if (meta->icc_size)
    {
      GimpColorProfile *profile;
      GError           *error = NULL;

      profile = gimp_color_profile_new_from_icc_profile (meta->icc,
                                                         meta->icc_size,
                                                         &error);
      if (profile && gimp_image_set_color_profile (image, profile))
        {
          if (flags)
            *flags &= ~GIMP_METADATA_LOAD_COLORSPACE;
        }
      else
        {
          g_printerr ("%s: the ICC profile of '%s' is left out: %s\n",
                      PLUG_IN_BINARY, gimp_file_get_utf8_name (file),
                      error ? error->message
                            : "GIMP refused it for this image");
        }
      g_clear_error (&error);
      g_clear_object (&profile);
    }

  if (meta->comment)
    {
      GimpParasite *parasite;

      parasite = gimp_parasite_new ("gimp-comment", GIMP_PARASITE_PERSISTENT,
                                    strlen (meta->comment) + 1,
                                    meta->comment);
      gimp_image_attach_parasite (image, parasite);
      gimp_parasite_free (parasite);
      if (flags)
        *flags &= ~GIMP_METADATA_LOAD_COMMENT;
    }

  if (meta->density_x && meta->density_y)
    {
      gimp_image_set_resolution (image, meta->density_x * 0.0254,
                                 meta->density_y * 0.0254);
      if (flags)
        *flags &= ~GIMP_METADATA_LOAD_RESOLUTION;
    }
  else
    {
      mark_default_resolution (image);
    }

  if (! metadata)
    return;

  /* Without EXIF and XMP the image gets no GimpMetadata (which GIMP would
   * fill with EXIF tags of its own, written out at the next export). */
  if (! meta->exif_size && ! meta->xmp_size)
    {
      if (flags)
        *flags = GIMP_METADATA_LOAD_NONE;
      return;
    }

  if (meta->exif_size)
    {
      GError *error = NULL;
      guchar *exif;
      gsize   exif_size = 0;

      exif = dir_gimp_exif_with_marker (meta, &exif_size);
      if (! exif)
        g_printerr ("%s: the EXIF of '%s' (%" G_GSIZE_FORMAT " bytes) is "
                    "over GIMP's 64 KiB and is left out\n", PLUG_IN_BINARY,
                    gimp_file_get_utf8_name (file), meta->exif_size);
      else if (! gimp_metadata_set_from_exif (metadata, exif, exif_size,
                                              &error))
        g_printerr ("%s: the EXIF of '%s' is left out: %s\n",
                    PLUG_IN_BINARY, gimp_file_get_utf8_name (file),
                    error ? error->message : "GIMP could not read it");
      g_clear_error (&error);
      g_free (exif);
    }

  if (meta->xmp_size)
    {
      GError *error = NULL;

      if (meta->xmp_size > G_MAXINT ||
          ! gimp_metadata_set_from_xmp (metadata, meta->xmp,
                                        (gint) meta->xmp_size, &error))
        g_printerr ("%s: the XMP of '%s' is left out: %s\n",
                    PLUG_IN_BINARY, gimp_file_get_utf8_name (file),
                    error ? error->message : "GIMP could not read it");
      g_clear_error (&error);
    }
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
  GimpImage         *image;
  GimpLayer         *layer;
  gsize              row_bytes;
  guint32            y;

  memset (&diag, 0, sizeof diag);

  gimp_progress_init_printf ("Opening '%s'", gimp_file_get_utf8_name (file));

  if (! g_file_load_contents (file, NULL, &data, &size, NULL, error))
    return NULL;

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
      dir_gimp_set_load_error (error, gimp_file_get_utf8_name (file), err,
                               &diag);
      dir_free (pixels);
      return NULL;
    }

  gimp_progress_update (0.5);

  format = dir_gimp_format (info.channels, info.depth, NULL);
  if (! format)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not open '%s' as a .dir image: "
                   "unsupported %u channels of %u bits",
                   gimp_file_get_utf8_name (file), info.channels, info.depth);
      g_free (data);
      dir_free (pixels);
      return NULL;
    }

  /* Grey and grey+alpha open as Grayscale, RGB and RGBA as RGB, at their
   * own precision (8 or 16 bits). */
  base_type  = info.channels <= 2 ? GIMP_GRAY : GIMP_RGB;
  layer_type = info.channels == 1 ? GIMP_GRAY_IMAGE  :
               info.channels == 2 ? GIMP_GRAYA_IMAGE :
               info.channels == 3 ? GIMP_RGB_IMAGE   : GIMP_RGBA_IMAGE;

  image = gimp_image_new_with_precision (info.width, info.height, base_type,
                                         info.depth == 16 ?
                                         GIMP_PRECISION_U16_NON_LINEAR :
                                         GIMP_PRECISION_U8_NON_LINEAR);

  /* The metadata before the layer: the profile gives the image its colour
   * space, in which the samples are stored as they are. */
  load_metadata (image, file, &meta, metadata, flags);
  g_free (data);
  if (flags)
    record_file_options (image, &info, &meta);

  layer = gimp_layer_new (image, "Background", info.width, info.height,
                          layer_type, 100,
                          gimp_image_get_default_new_layer_mode (image));
  gimp_image_insert_layer (image, layer, NULL, 0);
  format = dir_gimp_format (info.channels, info.depth,
                            gimp_drawable_get_format (GIMP_DRAWABLE (layer)));

  buffer    = gimp_drawable_get_buffer (GIMP_DRAWABLE (layer));
  row_bytes = (gsize) info.width * info.channels * (info.depth / 8);

  for (y = 0; y < info.height; y += ROWS_PER_STEP)
    {
      guint32 rows = MIN (ROWS_PER_STEP, info.height - y);

      gegl_buffer_set (buffer, GEGL_RECTANGLE (0, y, info.width, rows), 0,
                       format,
                       (const guchar *) pixels + (gsize) y * row_bytes,
                       GEGL_AUTO_ROWSTRIDE);

      gimp_progress_update (0.5 + 0.5 * (gdouble) (y + rows) / info.height);
    }

  g_object_unref (buffer);
  dir_free (pixels);

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
 * and sets every option the call left at its default. */
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

  dir_encode_options_default (opt);

  table = dir_options (&count);
  for (pass = 0; pass < 2; pass++)
    for (i = 0; i < count; i++)
      {
        const dir_option *o = &table[i];
        gchar            *value;
        dir_diag          diag;

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

        memset (&diag, 0, sizeof diag);
        if (dir_option_set (opt, o->name, value, &diag) != DIR_OK)
          {
            g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                         "%s", diag.message);
            g_free (value);
            return FALSE;
          }
        g_free (value);
      }

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

/* The encoder's progress (most of it the zstd compression) is the middle
 * 0.3 .. 0.9 of the export's progress bar. */
static int
encode_progress (void    *user,
                 gdouble  done)
{
  gimp_progress_update (0.3 + 0.6 * done);

  return 0;
}

/* The metadata an export writes, gathered from the image (see
 * gather_metadata ()). */
typedef struct
{
  dir_metadata  meta;
  guint8       *icc;
  GBytes       *exif;
  gchar        *xmp;
  gchar        *comment;
} DirExportMetadata;

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
gather_metadata (GimpImage           *image,
                 GFile               *file,
                 GimpProcedureConfig *config,
                 DirExportMetadata   *out)
{
  GimpMetadataSaveFlags  suggested;
  GimpMetadata          *metadata;
  GimpMetadata          *original;
  gboolean               include_exif    = FALSE;
  gboolean               include_xmp     = FALSE;
  gboolean               include_profile = FALSE;
  gboolean               include_comment = FALSE;
  gboolean               has_exif        = FALSE;
  gboolean               has_xmp         = FALSE;
  gchar                 *comment         = NULL;
  gdouble                xres;
  gdouble                yres;

  memset (out, 0, sizeof *out);

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
          if (icc && icc_size)
            {
              out->icc           = g_memdup2 (icc, icc_size);
              out->meta.icc      = out->icc;
              out->meta.icc_size = icc_size;
            }
          g_object_unref (profile);
        }
    }

  if (include_comment && comment && *comment &&
      g_utf8_validate (comment, -1, NULL))
    {
      out->comment      = comment;
      out->meta.comment = comment;
      comment           = NULL;
    }
  g_free (comment);

  /* The resolution, unless it is the one GIMP gave an image opened from a
   * file without density. */
  if (gimp_image_get_resolution (image, &xres, &yres) &&
      xres > 0.0 && yres > 0.0 && xres < 1e6 && yres < 1e6 &&
      ! is_default_resolution (image, xres, yres))
    {
      out->meta.density_x = (uint32_t) (xres / 0.0254 + 0.5);
      out->meta.density_y = (uint32_t) (yres / 0.0254 + 0.5);
    }

  /* Whether the image has EXIF or XMP of its own: _save_prepare () adds
   * GIMP's tags to whatever it is given. */
  original = gimp_image_get_metadata (image);
  if (original)
    {
      dir_gimp_own_metadata (GEXIV2_METADATA (original), &has_exif, &has_xmp);
      g_object_unref (original);
    }
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
      if (! filtered)
        {
          g_printerr ("%s: the metadata of '%s' is left out: %s\n",
                      PLUG_IN_BINARY, gimp_file_get_utf8_name (file),
                      error ? error->message : "GIMP could not prepare it");
          g_clear_error (&error);
        }
      else
        {
          GExiv2Metadata *g2 = GEXIV2_METADATA (filtered);

          if (include_exif && gexiv2_metadata_has_exif (g2))
            {
              out->exif = gexiv2_metadata_get_exif_data (g2,
                                                         GEXIV2_BYTE_ORDER_LITTLE,
                                                         &error);
              if (out->exif)
                {
                  gsize         size;
                  const guint8 *data = g_bytes_get_data (out->exif, &size);

                  out->meta.exif = dir_gimp_exif_tiff (data, size,
                                                       &out->meta.exif_size);
                  if (! out->meta.exif)
                    out->meta.exif_size = 0;
                }
              if (error)
                {
                  g_printerr ("%s: the EXIF of '%s' is left out: %s\n",
                              PLUG_IN_BINARY, gimp_file_get_utf8_name (file),
                              error->message);
                  g_clear_error (&error);
                }
            }

          if (include_xmp && gexiv2_metadata_has_xmp (g2))
            {
              out->xmp = gexiv2_metadata_try_generate_xmp_packet (g2,
                                                                  GEXIV2_USE_COMPACT_FORMAT |
                                                                  GEXIV2_OMIT_ALL_FORMATTING,
                                                                  0, &error);
              if (out->xmp && *out->xmp &&
                  g_utf8_validate (out->xmp, -1, NULL))
                {
                  out->meta.xmp      = out->xmp;
                  out->meta.xmp_size = strlen (out->xmp);
                }
              if (error)
                {
                  g_printerr ("%s: the XMP of '%s' is left out: %s\n",
                              PLUG_IN_BINARY, gimp_file_get_utf8_name (file),
                              error->message);
                  g_clear_error (&error);
                }
            }
          g_object_unref (filtered);
        }
      g_object_unref (metadata);
    }
}

static void
free_metadata (DirExportMetadata *m)
{
  g_free (m->icc);
  g_clear_pointer (&m->exif, g_bytes_unref);
  g_free (m->xmp);
  g_free (m->comment);
}

static gboolean
export_image (GFile                    *file,
              GimpDrawable             *drawable,
              const dir_encode_options *options,
              const dir_metadata       *metadata,
              GError                  **error)
{
  dir_metadata        meta     = *metadata;
  dir_encode_options  opt      = *options;
  dir_diag            diag;
  dir_error           err;
  const Babl         *format;
  GeglBuffer         *buffer;
  guchar             *pixels;
  void               *out      = NULL;
  size_t              out_size = 0;
  dir_pixels          px;
  guint               channels;
  guint               depth;
  gint                width;
  gint                height;
  gsize               row_bytes;
  gint                y;
  gboolean            ok;
  GFile              *target;
  gchar              *path;

  memset (&diag, 0, sizeof diag);

  width  = gimp_drawable_get_width (drawable);
  height = gimp_drawable_get_height (drawable);

  /* .dir holds grey, RGB and RGBA: grey with alpha and indexed drawables
   * are read as RGB(A) in the drawable's own colour space, so that no
   * colour conversion happens, only a change of layout. */
  switch (gimp_drawable_type (drawable))
    {
    case GIMP_GRAY_IMAGE:
      channels = 1;
      break;

    case GIMP_GRAYA_IMAGE:
      channels = 2;
      break;

    case GIMP_RGB_IMAGE:
    case GIMP_INDEXED_IMAGE:
      channels = 3;
      break;

    default:
      channels = 4;
      break;
    }
  /* 8-bit images stay 8-bit; any deeper precision is written as 16 bits. */
  switch (gimp_image_get_precision (gimp_item_get_image (GIMP_ITEM (drawable))))
    {
    case GIMP_PRECISION_U8_LINEAR:
    case GIMP_PRECISION_U8_NON_LINEAR:
    case GIMP_PRECISION_U8_PERCEPTUAL:
      depth = 8;
      break;

    default:
      depth = 16;
      break;
    }
  format = dir_gimp_format (channels, depth, gimp_drawable_get_format (drawable));

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > DIR_MAX_PIXELS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Cannot export '%s': %d x %d is over the .dir limit of "
                   "%" G_GUINT64_FORMAT " pixels",
                   gimp_file_get_utf8_name (file), width, height,
                   (guint64) DIR_MAX_PIXELS);
      return FALSE;
    }

  gimp_progress_init_printf ("Exporting '%s'", gimp_file_get_utf8_name (file));

  row_bytes = (gsize) width * channels * (depth / 8);
  pixels    = g_try_malloc ((gsize) height * row_bytes);
  if (! pixels)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   "Cannot export '%s': out of memory for %d x %d pixels",
                   gimp_file_get_utf8_name (file), width, height);
      return FALSE;
    }

  buffer = gimp_drawable_get_buffer (drawable);
  for (y = 0; y < height; y += ROWS_PER_STEP)
    {
      gint rows = MIN (ROWS_PER_STEP, height - y);

      gegl_buffer_get (buffer, GEGL_RECTANGLE (0, y, width, rows), 1.0,
                       format, pixels + (gsize) y * row_bytes,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);

      gimp_progress_update (0.3 * (gdouble) (y + rows) / height);
    }
  g_object_unref (buffer);

  opt.progress = encode_progress;

  px.data     = pixels;
  px.width    = width;
  px.height   = height;
  px.channels = channels;
  px.depth    = depth;
  px.stride   = row_bytes;
  /* GIMP images always have a resolution (72 dpi unless set): in the
   * seed-pure mode, which writes version 1 (the method's own format) when
   * nothing else needs version 2, it is not a reason for version 2 on its
   * own, as in the 2.10 plug-in. */
  if (opt.backend == DIR_BACKEND_NONE && opt.filter == DIR_FILTER_NONE &&
      opt.format_version != 2 && depth == 8 && channels != 2 &&
      ! meta.icc_size && ! meta.exif_size && ! meta.xmp_size && ! meta.comment)
    meta.density_x = meta.density_y = 0;

  err = dir_encode_image (&px, &meta, &opt, &out, &out_size, NULL, &diag);
  g_free (pixels);

  if (err != DIR_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not encode '%s' as .dir: %s",
                   gimp_file_get_utf8_name (file),
                   diag.message[0] ? diag.message : dir_strerror (err));
      return FALSE;
    }

  gimp_progress_update (0.9);

  /* g_file_replace_contents () writes a temporary file and renames it over
   * the old one, so a failed export never leaves a partial file.  A local
   * symbolic link is followed: its target is replaced and the link kept,
   * as the 2.10 plug-in does. */
  target = file;
  path   = g_file_get_path (file);
  if (path)
    {
      gchar *real = realpath (path, NULL);

      if (real)
        {
          target = g_file_new_for_path (real);
          free (real);
        }
      g_free (path);
    }
  ok = g_file_replace_contents (target, out, out_size, NULL, FALSE,
                                G_FILE_CREATE_NONE, NULL, NULL, error);
  if (target != file)
    g_object_unref (target);
  dir_free (out);

  if (ok)
    gimp_progress_update (1.0);

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
  GimpPDBStatusType   status = GIMP_PDB_SUCCESS;
  GimpExportReturn    export = GIMP_EXPORT_IGNORE;
  dir_encode_options  opt;
  DirExportMetadata   meta;
  GList              *drawables;
  GError             *error  = NULL;

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
  gather_metadata (image, file, config, &meta);

  export    = gimp_export_options_get_image (options, &image);
  drawables = gimp_image_list_layers (image);

  if (! export_image (file, drawables->data, &opt, &meta.meta, &error))
    status = GIMP_PDB_EXECUTION_ERROR;
  free_metadata (&meta);

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
  GeglBuffer *buffer;
  guchar     *pixels;
  gint        width  = gimp_drawable_get_width (drawable);
  gint        height = gimp_drawable_get_height (drawable);

  *channels = gimp_drawable_has_alpha (drawable) ? 4 : 3;

  pixels = g_try_malloc ((gsize) width * height * *channels);
  if (! pixels)
    return NULL;

  buffer = gimp_drawable_get_buffer (drawable);
  gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, width, height), 1.0,
                   dir_gimp_format (*channels, 8,
                                    gimp_drawable_get_format (drawable)),
                   pixels, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
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
