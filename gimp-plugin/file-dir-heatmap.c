/* SPDX-License-Identifier: MIT */
/*
 * file-dir-heatmap.c -- Filters > Generic > Numeric array heatmap.
 *
 * Reads the active layer's bytes as a numeric array (IMGArrays convention,
 * decoded by the core's dira_decode ()), asks for the shape and draws one
 * pixel per value with the core's dira_heatmap (), the same code as
 * `dirtool array heatmap`.
 */

#include <math.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"

typedef struct
{
  gint classic;     /* 1: read a headerless image with the values below */
  gint capacity;    /* 0, 1 or 2 */
  gint ldeczeroes;  /* 0 or 1 */
  gint alpha;       /* 0 or 1 */
  gint rows;        /* 0: near-square */
  gint cols;
  gdouble scale;    /* full colour at +-scale; 0: the largest magnitude */
} HeatmapVals;

typedef struct
{
  GtkWidget *dialog;
  GtkWidget *status;
  GtkObject *rows_adj;
  GtkObject *cols_adj;
  GtkObject *scale_adj;
  guint64    count;
} ShapeDialog;


static void
heatmap_error (GimpParam   *values,
               gint        *nreturn_vals,
               const gchar *message)
{
  values[0].data.d_status = GIMP_PDB_EXECUTION_ERROR;
  values[1].type          = GIMP_PDB_STRING;
  values[1].data.d_string = g_strdup (message);
  *nreturn_vals           = 2;
}

/* ---- Classic configuration dialog ------------------------------------- */

static gboolean
classic_dialog (HeatmapVals *vals,
                gboolean     has_alpha)
{
  GtkWidget *dialog;
  GtkWidget *vbox;
  GtkWidget *label;
  GtkWidget *table;
  GtkWidget *combo;
  GtkWidget *toggle;
  gboolean   run;

  dialog = gimp_dialog_new ("Numeric array heatmap", PLUG_IN_ROLE,
                            NULL, 0,
                            gimp_standard_help_func, HEATMAP_PROC,

                            "_Cancel", GTK_RESPONSE_CANCEL,
                            "_OK",     GTK_RESPONSE_OK,

                            NULL);

  gtk_dialog_set_alternative_button_order (GTK_DIALOG (dialog),
                                           GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL,
                                           -1);

  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))),
                      vbox, TRUE, TRUE, 0);
  gtk_widget_show (vbox);

  label = gtk_label_new ("This layer has no self-describing header: it is a "
                         "classic IMGArrays image.\nHow was it written?");
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), label, FALSE, FALSE, 0);
  gtk_widget_show (label);

  table = gtk_table_new (3, 2, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);
  gtk_widget_show (table);

  combo = gimp_int_combo_box_new ("0 (values in [0, 1))", 0,
                                  "1 (default)",          1,
                                  "2",                    2,
                                  NULL);
  gimp_int_combo_box_connect (GIMP_INT_COMBO_BOX (combo), vals->capacity,
                              G_CALLBACK (gimp_int_combo_box_get_active),
                              &vals->capacity);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 0, "_Capacity:",
                             0.0, 0.5, combo, 1, FALSE);

  toggle = gtk_check_button_new_with_mnemonic ("_lDecZeroes (leading "
                                               "decimal zeros counted)");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), vals->ldeczeroes);
  g_signal_connect (toggle, "toggled",
                    G_CALLBACK (gimp_toggle_button_update), &vals->ldeczeroes);
  gtk_table_attach (GTK_TABLE (table), toggle, 1, 2, 1, 2,
                    GTK_FILL, GTK_FILL, 0, 0);
  gtk_widget_show (toggle);

  toggle = gtk_check_button_new_with_mnemonic ("_Alpha bytes hold data");
  if (! has_alpha)
    vals->alpha = FALSE;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), vals->alpha);
  gtk_widget_set_sensitive (toggle, has_alpha);
  g_signal_connect (toggle, "toggled",
                    G_CALLBACK (gimp_toggle_button_update), &vals->alpha);
  gtk_table_attach (GTK_TABLE (table), toggle, 1, 2, 2, 3,
                    GTK_FILL, GTK_FILL, 0, 0);
  gtk_widget_show (toggle);

  gtk_widget_show (dialog);

  run = (gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK);

  gtk_widget_destroy (dialog);

  return run;
}


/* ---- Shape dialog ------------------------------------------------------ */

static void
shape_changed (GtkAdjustment *adj,
               ShapeDialog   *sd)
{
  guint64  rows  = (guint64) gtk_adjustment_get_value (GTK_ADJUSTMENT (sd->rows_adj));
  guint64  cols  = (guint64) gtk_adjustment_get_value (GTK_ADJUSTMENT (sd->cols_adj));
  gboolean fits  = rows * cols >= sd->count;
  gchar   *text;

  if (fits)
    text = g_strdup_printf ("%" G_GUINT64_FORMAT " cells, %" G_GUINT64_FORMAT
                            " of them grey padding",
                            rows * cols, rows * cols - sd->count);
  else
    text = g_strdup_printf ("Too small: %" G_GUINT64_FORMAT " x %"
                            G_GUINT64_FORMAT " holds %" G_GUINT64_FORMAT
                            " of %" G_GUINT64_FORMAT " values",
                            rows, cols, rows * cols, sd->count);

  gtk_label_set_text (GTK_LABEL (sd->status), text);
  g_free (text);

  gtk_dialog_set_response_sensitive (GTK_DIALOG (sd->dialog),
                                     GTK_RESPONSE_OK, fits);
}

static gboolean
shape_dialog (HeatmapVals       *vals,
              const dira_stats  *stats)
{
  ShapeDialog  sd;
  GtkWidget   *vbox;
  GtkWidget   *label;
  GtkWidget   *table;
  GtkWidget   *spin;
  gchar       *text;
  gboolean     run;

  sd.count = stats->count;

  sd.dialog = gimp_dialog_new ("Numeric array heatmap", PLUG_IN_ROLE,
                               NULL, 0,
                               gimp_standard_help_func, HEATMAP_PROC,

                               "_Cancel", GTK_RESPONSE_CANCEL,
                               "_OK",     GTK_RESPONSE_OK,

                               NULL);

  gtk_dialog_set_alternative_button_order (GTK_DIALOG (sd.dialog),
                                           GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL,
                                           -1);

  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (sd.dialog))),
                      vbox, TRUE, TRUE, 0);
  gtk_widget_show (vbox);

  text = g_strdup_printf ("Count: %" G_GUINT64_FORMAT "\n"
                          "Min: %.9g\nMax: %.9g\nMean: %.9g\n"
                          "Blue below zero, white at zero, red above; "
                          "colour scale 0 means %.9g.",
                          stats->count, stats->min, stats->max, stats->mean,
                          MAX (fabs (stats->min), fabs (stats->max)));
  label = gtk_label_new (text);
  g_free (text);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), label, FALSE, FALSE, 0);
  gtk_widget_show (label);

  table = gtk_table_new (3, 2, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);
  gtk_widget_show (table);

  sd.rows_adj = gtk_adjustment_new (vals->rows, 1, GIMP_MAX_IMAGE_SIZE, 1, 10, 0);
  spin = gimp_spin_button_new (GTK_ADJUSTMENT (sd.rows_adj), 1, 0);
  gtk_entry_set_width_chars (GTK_ENTRY (spin), 8);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 0, "_Rows (height):",
                             0.0, 0.5, spin, 1, TRUE);
  g_signal_connect (sd.rows_adj, "value-changed",
                    G_CALLBACK (gimp_int_adjustment_update), &vals->rows);

  sd.cols_adj = gtk_adjustment_new (vals->cols, 1, GIMP_MAX_IMAGE_SIZE, 1, 10, 0);
  spin = gimp_spin_button_new (GTK_ADJUSTMENT (sd.cols_adj), 1, 0);
  gtk_entry_set_width_chars (GTK_ENTRY (spin), 8);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 1, "_Columns (width):",
                             0.0, 0.5, spin, 1, TRUE);
  g_signal_connect (sd.cols_adj, "value-changed",
                    G_CALLBACK (gimp_int_adjustment_update), &vals->cols);

  sd.scale_adj = gtk_adjustment_new (vals->scale, 0, G_MAXFLOAT,
                                     0.01, 0.1, 0);
  spin = gimp_spin_button_new (GTK_ADJUSTMENT (sd.scale_adj), 0.01, 4);
  gtk_entry_set_width_chars (GTK_ENTRY (spin), 8);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 2, "Colour _scale:",
                             0.0, 0.5, spin, 1, TRUE);
  gimp_help_set_help_data (spin, "Values at or beyond plus or minus this "
                           "get the full colour; 0 uses the largest "
                           "magnitude", NULL);
  g_signal_connect (sd.scale_adj, "value-changed",
                    G_CALLBACK (gimp_double_adjustment_update), &vals->scale);

  sd.status = gtk_label_new (NULL);
  gtk_misc_set_alignment (GTK_MISC (sd.status), 0.0, 0.5);
  gimp_label_set_attributes (GTK_LABEL (sd.status),
                             PANGO_ATTR_STYLE, PANGO_STYLE_ITALIC,
                             -1);
  gtk_box_pack_start (GTK_BOX (vbox), sd.status, FALSE, FALSE, 0);
  gtk_widget_show (sd.status);

  g_signal_connect (sd.rows_adj, "value-changed",
                    G_CALLBACK (shape_changed), &sd);
  g_signal_connect (sd.cols_adj, "value-changed",
                    G_CALLBACK (shape_changed), &sd);
  shape_changed (NULL, &sd);

  gtk_widget_show (sd.dialog);

  run = (gimp_dialog_run (GIMP_DIALOG (sd.dialog)) == GTK_RESPONSE_OK);

  gtk_widget_destroy (sd.dialog);

  return run;
}


/* ---- The procedure ----------------------------------------------------- */

/* Reads a drawable as 8-bit RGB or RGBA (3 or 4 bytes per pixel, in the
 * drawable's own colour space, so the bytes are the stored bytes). */
guchar *
dir_read_drawable (gint32   drawable_ID,
                   guint   *channels)
{
  const Babl *space;
  const Babl *format;
  GeglBuffer *buffer;
  guchar     *pixels;
  gint        width  = gimp_drawable_width (drawable_ID);
  gint        height = gimp_drawable_height (drawable_ID);

  *channels = gimp_drawable_has_alpha (drawable_ID) ? 4 : 3;
  format    = babl_format (*channels == 4 ? "R'G'B'A u8" : "R'G'B' u8");

  space = babl_format_get_space (gimp_drawable_get_format (drawable_ID));
  if (space)
    format = babl_format_with_space (babl_get_name (format), space);

  pixels = g_try_malloc ((gsize) width * height * *channels);
  if (! pixels)
    return NULL;

  buffer = gimp_drawable_get_buffer (drawable_ID);
  gegl_buffer_get (buffer, GEGL_RECTANGLE (0, 0, width, height), 1.0,
                   format, pixels, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  g_object_unref (buffer);

  return pixels;
}

static gint32
new_heatmap_image (const guint8     *rgb,
                   guint32           width,
                   guint32           height,
                   const dira_stats *stats)
{
  GimpParasite *parasite;
  GeglBuffer   *buffer;
  gchar        *comment;
  gint32        image_ID;
  gint32        layer_ID;

  image_ID = gimp_image_new_with_precision (width, height, GIMP_RGB,
                                            GIMP_PRECISION_U8_GAMMA);
  if (image_ID == -1)
    return -1;

  gimp_image_undo_disable (image_ID);

  layer_ID = gimp_layer_new (image_ID, "Heatmap", width, height,
                             GIMP_RGB_IMAGE, 100,
                             gimp_image_get_default_new_layer_mode (image_ID));
  gimp_image_insert_layer (image_ID, layer_ID, -1, 0);

  buffer = gimp_drawable_get_buffer (layer_ID);
  gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, width, height), 0,
                   babl_format ("R'G'B' u8"), rgb, GEGL_AUTO_ROWSTRIDE);
  g_object_unref (buffer);

  /* The statistics travel with the image (Image > Image Properties >
   * Comment), each double in its shortest exact form, as dirtool prints
   * them. */
  comment = dir_gimp_heatmap_comment (stats);
  parasite = gimp_parasite_new ("gimp-comment", GIMP_PARASITE_PERSISTENT,
                                strlen (comment) + 1, comment);
  gimp_image_attach_parasite (image_ID, parasite);
  gimp_parasite_free (parasite);
  g_free (comment);

  gimp_image_undo_enable (image_ID);

  return image_ID;
}

void
dir_heatmap_run (gint             nparams,
                 const GimpParam *param,
                 GimpParam       *values,
                 gint            *nreturn_vals)
{
  GimpRunMode   run_mode;
  HeatmapVals   vals = { 0, 1, 1, 0, 0, 0, 0.0 };
  dira_options  opt;
  dira_info     info;
  dira_stats    stats;
  dir_diag      diag;
  dir_error     err;
  gint32        drawable_ID;
  gint32        image_ID;
  guchar       *pixels;
  guint         channels;
  gboolean      self_describing;
  double       *array = NULL;
  size_t        count = 0;
  uint8_t      *rgb   = NULL;
  uint32_t      width;
  uint32_t      height;
  gchar        *msg;

  memset (&diag, 0, sizeof diag);

  if (nparams < 3)
    return;

  run_mode    = param[0].data.d_int32;
  drawable_ID = param[2].data.d_drawable;

  switch (run_mode)
    {
    case GIMP_RUN_INTERACTIVE:
      gimp_ui_init (PLUG_IN_BINARY, FALSE);
      gimp_get_data (HEATMAP_PROC, &vals);
      break;

    case GIMP_RUN_WITH_LAST_VALS:
      gimp_get_data (HEATMAP_PROC, &vals);
      break;

    case GIMP_RUN_NONINTERACTIVE:
      if (nparams != 10)
        return;
      vals.classic    = param[3].data.d_int32 != 0;
      vals.capacity   = param[4].data.d_int32;
      vals.ldeczeroes = param[5].data.d_int32 != 0;
      vals.alpha      = param[6].data.d_int32 != 0;
      vals.rows       = param[7].data.d_int32;
      vals.cols       = param[8].data.d_int32;
      vals.scale      = param[9].data.d_float;
      if (vals.rows < 0 || vals.cols < 0)
        {
          heatmap_error (values, nreturn_vals,
                         "rows and cols must be 0 (automatic) or positive");
          return;
        }
      if (! (vals.scale >= 0.0 && vals.scale <= G_MAXDOUBLE))
        {
          heatmap_error (values, nreturn_vals,
                         "scale must be 0 (the largest magnitude) or positive");
          return;
        }
      break;

    default:
      return;
    }

  if (! gimp_item_is_layer (drawable_ID))
    {
      heatmap_error (values, nreturn_vals,
                     "The numeric array heatmap works on a layer");
      return;
    }

  pixels = dir_read_drawable (drawable_ID, &channels);
  if (! pixels)
    {
      heatmap_error (values, nreturn_vals,
                     "Out of memory reading the layer's pixels");
      return;
    }

  self_describing = dira_is_self_describing (pixels,
                                             gimp_drawable_width (drawable_ID),
                                             gimp_drawable_height (drawable_ID),
                                             channels);

  if (run_mode == GIMP_RUN_INTERACTIVE && ! self_describing)
    {
      if (! classic_dialog (&vals, channels == 4))
        {
          g_free (pixels);
          values[0].data.d_status = GIMP_PDB_CANCEL;
          return;
        }
      vals.classic = TRUE;
    }

  gimp_progress_init ("Decoding the numeric array");

  dira_options_default (&opt);
  opt.classic    = vals.classic;
  opt.capacity   = vals.capacity;
  opt.ldeczeroes = vals.ldeczeroes;
  opt.alpha      = vals.alpha;

  err = dira_decode (pixels,
                     gimp_drawable_width (drawable_ID),
                     gimp_drawable_height (drawable_ID),
                     channels, 0, &opt, &array, &count, &info, &diag);
  g_free (pixels);

  /* A self-describing image may hold normalised values with their range:
   * draw the original values, as dirtool array heatmap does. */
  if (err == DIR_OK && info.normalised)
    dira_unnormalise (array, count, info.norm_min, info.norm_max);

  if (err == DIR_OK && count == 0)
    {
      heatmap_error (values, nreturn_vals, "The layer holds no values");
      return;
    }
  if (err == DIR_OK)
    err = dira_stats_compute (array, count, &stats, &diag);

  if (err != DIR_OK)
    {
      msg = g_strdup_printf ("Could not read the layer as a numeric array: %s",
                             diag.message[0] ? diag.message
                                             : dir_strerror (err));
      heatmap_error (values, nreturn_vals, msg);
      g_free (msg);
      dir_free (array);
      return;
    }

  gimp_progress_update (1.0);
  gimp_progress_end ();

  /* Shape: one side given, the other follows; none given, near-square
   * (what dira_heatmap () draws for 0 x 0); last values only if they
   * still hold every value. */
  if (vals.rows == 0 && vals.cols > 0)
    vals.rows = dir_gimp_rows_for (count, vals.cols);
  else if (vals.cols == 0 && vals.rows > 0)
    vals.cols = (gint) dir_gimp_rows_for (count, vals.rows);

  if (vals.rows == 0 || vals.cols == 0 ||
      (run_mode != GIMP_RUN_NONINTERACTIVE &&
       (guint64) vals.rows * (guint64) vals.cols < count))
    {
      vals.cols = dir_gimp_near_square_cols (count);
      vals.rows = dir_gimp_rows_for (count, vals.cols);
    }

  if (run_mode == GIMP_RUN_INTERACTIVE && ! shape_dialog (&vals, &stats))
    {
      dir_free (array);
      values[0].data.d_status = GIMP_PDB_CANCEL;
      return;
    }

  if (vals.rows > GIMP_MAX_IMAGE_SIZE || vals.cols > GIMP_MAX_IMAGE_SIZE)
    {
      msg = g_strdup_printf ("A %d x %d heatmap is larger than GIMP's "
                             "largest image side (%d)",
                             vals.rows, vals.cols, GIMP_MAX_IMAGE_SIZE);
      heatmap_error (values, nreturn_vals, msg);
      g_free (msg);
      dir_free (array);
      return;
    }

  gimp_progress_init ("Drawing the heatmap");

  err = dira_heatmap_scaled (array, count, vals.rows, vals.cols, vals.scale,
                             &rgb, &width, &height, &stats, &diag);
  dir_free (array);

  if (err != DIR_OK)
    {
      msg = g_strdup_printf ("Could not draw the heatmap: %s",
                             diag.message[0] ? diag.message
                                             : dir_strerror (err));
      heatmap_error (values, nreturn_vals, msg);
      g_free (msg);
      return;
    }

  image_ID = new_heatmap_image (rgb, width, height, &stats);
  dir_free (rgb);

  if (image_ID == -1)
    {
      heatmap_error (values, nreturn_vals, "Could not create the heatmap image");
      return;
    }

  gimp_progress_update (1.0);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    gimp_display_new (image_ID);

  /* The values of any run become the dialog's next defaults, as the
   * export options do. */
  gimp_set_data (HEATMAP_PROC, &vals, sizeof (HeatmapVals));

  *nreturn_vals = 6;
  values[0].data.d_status = GIMP_PDB_SUCCESS;
  values[1].type          = GIMP_PDB_IMAGE;
  values[1].data.d_image  = image_ID;
  values[2].type          = GIMP_PDB_INT32;
  values[2].data.d_int32  = (gint32) MIN (stats.count, (guint64) G_MAXINT32);
  values[3].type          = GIMP_PDB_FLOAT;
  values[3].data.d_float  = stats.min;
  values[4].type          = GIMP_PDB_FLOAT;
  values[4].data.d_float  = stats.max;
  values[5].type          = GIMP_PDB_FLOAT;
  values[5].data.d_float  = stats.mean;
}
