/* SPDX-License-Identifier: MIT */
/*
 * file-dir-heatmap.c -- Filters > Generic > Numeric array heatmap.
 *
 * Reads the active layer's bytes as numeric arrays (IMGArrays convention,
 * decoded by the core) and draws them with the code of `dirtool array
 * heatmap` (heatmap/heatmap_render.c, through dir-gimp-heatmap.c): each
 * tensor in its own shape with a title (name, shape, dtype), a colour bar
 * with ticks and its statistics, one layer per tensor named after it
 * ("W1 (784, 100) float64") over a white background, so that the flattened
 * image is dirtool's picture pixel for pixel.  With "plain" (or a shape),
 * the grid of one pixel per value, one layer.
 *
 * plug-in-dir-tensor-heatmap, the earlier per-tensor filter, stays as a
 * procedure (no menu entry) for the scripts that call it: the same drawing.
 */

#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"
#include "dir-gimp-heatmap.h"

typedef struct
{
  GtkWidget      *dialog;
  GtkWidget      *status;
  GtkWidget      *plain_only[2];
  GtkWidget      *readable_only[4];
  DirHeatmapVals *vals;
} HeatmapDialog;


static void
heatmap_error (GimpParam   *values,
               gint        *nreturn_vals,
               GError      *error)
{
  values[0].data.d_status = GIMP_PDB_EXECUTION_ERROR;
  values[1].type          = GIMP_PDB_STRING;
  /* The message must outlive run (); the plug-in exits right after. */
  values[1].data.d_string = g_strdup (error->message);
  *nreturn_vals           = 2;
  g_error_free (error);
}

static void
heatmap_progress (double   fraction,
                  void    *user)
{
  gimp_progress_update (fraction);
}


/* ---- The dialog -------------------------------------------------------- */

static void
plain_toggled (GtkToggleButton *toggle,
               HeatmapDialog   *hd)
{
  gboolean plain = gtk_toggle_button_get_active (toggle);
  guint    i;

  for (i = 0; i < G_N_ELEMENTS (hd->plain_only); i++)
    gtk_widget_set_sensitive (hd->plain_only[i], plain);
  for (i = 0; i < G_N_ELEMENTS (hd->readable_only); i++)
    gtk_widget_set_sensitive (hd->readable_only[i], ! plain);
}

static void
tiles_changed (GtkAdjustment *adj,
               HeatmapDialog *hd)
{
  gboolean ok = (hd->vals->tile_rows == 0) == (hd->vals->tile_cols == 0);

  gtk_label_set_text (GTK_LABEL (hd->status),
                      ok ? "" : "Give both tile rows and tile columns "
                                "(or 0 for both)");
  gtk_dialog_set_response_sensitive (GTK_DIALOG (hd->dialog),
                                     GTK_RESPONSE_OK, ok);
}

static GtkWidget *
int_spin (GtkWidget   *table,
          gint         row,
          const gchar *label,
          const gchar *help,
          gint        *value,
          gint         max,
          GtkObject  **adj_out)
{
  GtkObject *adj  = gtk_adjustment_new (*value, 0, max, 1, 10, 0);
  GtkWidget *spin = gimp_spin_button_new (GTK_ADJUSTMENT (adj), 1, 0);

  gtk_entry_set_width_chars (GTK_ENTRY (spin), 8);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, row, label,
                             0.0, 0.5, spin, 1, TRUE);
  gimp_help_set_help_data (spin, help, NULL);
  g_signal_connect (adj, "value-changed",
                    G_CALLBACK (gimp_int_adjustment_update), value);
  if (adj_out)
    *adj_out = adj;
  return spin;
}

static GtkWidget *
double_spin (GtkWidget   *table,
             gint         row,
             const gchar *label,
             const gchar *help,
             gdouble     *value,
             gdouble      max)
{
  GtkObject *adj  = gtk_adjustment_new (*value, 0, max, 0.01, 0.1, 0);
  GtkWidget *spin = gimp_spin_button_new (GTK_ADJUSTMENT (adj), 0.01, 4);

  gtk_entry_set_width_chars (GTK_ENTRY (spin), 8);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, row, label,
                             0.0, 0.5, spin, 1, TRUE);
  gimp_help_set_help_data (spin, help, NULL);
  g_signal_connect (adj, "value-changed",
                    G_CALLBACK (gimp_double_adjustment_update), value);
  return spin;
}

/* One dialog: what the layer holds (its tensors, or the classic image's
 * configuration, asked for), then the drawing options. */
static gboolean
heatmap_dialog (DirHeatmapVals *vals,
                const gchar    *tensors,
                gboolean        has_alpha)
{
  HeatmapDialog  hd;
  GtkWidget     *vbox;
  GtkWidget     *label;
  GtkWidget     *table;
  GtkWidget     *combo;
  GtkWidget     *toggle;
  GtkWidget     *plain;
  GtkObject     *trows_adj;
  GtkObject     *tcols_adj;
  gboolean       run;

  memset (&hd, 0, sizeof hd);
  hd.vals = vals;

  hd.dialog = gimp_dialog_new ("Numeric array heatmap", PLUG_IN_ROLE,
                               NULL, 0,
                               gimp_standard_help_func, HEATMAP_PROC,

                               "_Cancel", GTK_RESPONSE_CANCEL,
                               "_OK",     GTK_RESPONSE_OK,

                               NULL);

  gtk_dialog_set_alternative_button_order (GTK_DIALOG (hd.dialog),
                                           GTK_RESPONSE_OK,
                                           GTK_RESPONSE_CANCEL,
                                           -1);

  vbox = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_container_set_border_width (GTK_CONTAINER (vbox), 12);
  gtk_box_pack_start (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (hd.dialog))),
                      vbox, TRUE, TRUE, 0);
  gtk_widget_show (vbox);

  label = gtk_label_new (tensors ? tensors
                                 : "This layer has no self-describing header: "
                                   "it is a classic IMGArrays image.\n"
                                   "How was it written?");
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  gtk_box_pack_start (GTK_BOX (vbox), label, FALSE, FALSE, 0);
  gtk_widget_show (label);

  if (! tensors)
    {
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
      gimp_table_attach_aligned (GTK_TABLE (table), 0, 0, "C_apacity:",
                                 0.0, 0.5, combo, 1, FALSE);

      toggle = gtk_check_button_new_with_mnemonic ("_lDecZeroes (leading "
                                                   "decimal zeros counted)");
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle),
                                    vals->ldeczeroes);
      g_signal_connect (toggle, "toggled",
                        G_CALLBACK (gimp_toggle_button_update),
                        &vals->ldeczeroes);
      gtk_table_attach (GTK_TABLE (table), toggle, 1, 2, 1, 2,
                        GTK_FILL, GTK_FILL, 0, 0);
      gtk_widget_show (toggle);

      toggle = gtk_check_button_new_with_mnemonic ("Alpha _bytes hold data");
      if (! has_alpha)
        vals->alpha = FALSE;
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle), vals->alpha);
      gtk_widget_set_sensitive (toggle, has_alpha);
      g_signal_connect (toggle, "toggled",
                        G_CALLBACK (gimp_toggle_button_update), &vals->alpha);
      gtk_table_attach (GTK_TABLE (table), toggle, 1, 2, 2, 3,
                        GTK_FILL, GTK_FILL, 0, 0);
      gtk_widget_show (toggle);
    }

  table = gtk_table_new (8, 2, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  gtk_box_pack_start (GTK_BOX (vbox), table, FALSE, FALSE, 0);
  gtk_widget_show (table);

  double_spin (table, 0, "Colour _scale:",
               "Values at or beyond plus or minus this get the full colour; "
               "0: the percentile below (plain: the largest magnitude)",
               &vals->scale, G_MAXFLOAT);
  hd.readable_only[0] =
    double_spin (table, 1, "_Percentile of |v|:",
                 "The scale when it is 0: this percentile of the magnitudes "
                 "of each tensor (0: 99.5); the values beyond it are drawn "
                 "in the clip colours and counted", &vals->percentile, 100.0);
  hd.readable_only[1] =
    int_spin (table, 2, "_Zoom:", "Pixels per value; 0: small tensors "
              "enlarged to about 480 pixels", &vals->zoom, HEAT_MAX_ZOOM,
              NULL);
  hd.readable_only[2] =
    int_spin (table, 3, "_Tile rows:", "Draw each row (or column) of R x C "
              "values of a matrix as an R x C tile (28 x 28: first-layer "
              "receptive fields); 0: no tiles", &vals->tile_rows, 4096,
              &trows_adj);
  hd.readable_only[3] =
    int_spin (table, 4, "T_ile columns:", "See tile rows",
              &vals->tile_cols, 4096, &tcols_adj);

  plain = gtk_check_button_new_with_mnemonic ("Plain _grid: one pixel per "
                                              "value, every tensor together");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (plain), vals->plain);
  g_signal_connect (plain, "toggled",
                    G_CALLBACK (gimp_toggle_button_update), &vals->plain);
  gtk_table_attach (GTK_TABLE (table), plain, 0, 2, 5, 6,
                    GTK_FILL, GTK_FILL, 0, 0);
  gtk_widget_show (plain);

  hd.plain_only[0] =
    int_spin (table, 6, "_Rows (height):", "Plain grid: rows; 0: from the "
              "columns, or near-square", &vals->rows, GIMP_MAX_IMAGE_SIZE,
              NULL);
  hd.plain_only[1] =
    int_spin (table, 7, "Colu_mns (width):", "Plain grid: columns; 0: from "
              "the rows, or near-square", &vals->cols, GIMP_MAX_IMAGE_SIZE,
              NULL);

  hd.status = gtk_label_new (NULL);
  gtk_misc_set_alignment (GTK_MISC (hd.status), 0.0, 0.5);
  gimp_label_set_attributes (GTK_LABEL (hd.status),
                             PANGO_ATTR_STYLE, PANGO_STYLE_ITALIC,
                             -1);
  gtk_box_pack_start (GTK_BOX (vbox), hd.status, FALSE, FALSE, 0);
  gtk_widget_show (hd.status);

  g_signal_connect (plain, "toggled", G_CALLBACK (plain_toggled), &hd);
  g_signal_connect (trows_adj, "value-changed",
                    G_CALLBACK (tiles_changed), &hd);
  g_signal_connect (tcols_adj, "value-changed",
                    G_CALLBACK (tiles_changed), &hd);
  plain_toggled (GTK_TOGGLE_BUTTON (plain), &hd);
  tiles_changed (NULL, &hd);

  gtk_widget_show (hd.dialog);

  run = (gimp_dialog_run (GIMP_DIALOG (hd.dialog)) == GTK_RESPONSE_OK);

  gtk_widget_destroy (hd.dialog);

  return run;
}


/* ---- The procedure ----------------------------------------------------- */

/* Reads a drawable as 8-bit RGB or RGBA (3 or 4 bytes per pixel, in the
 * drawable's own colour space, so the bytes are the stored bytes). */
guchar *
dir_read_drawable (gint32   drawable_ID,
                   guint   *channels)
{
  GeglBuffer *buffer = gimp_drawable_get_buffer (drawable_ID);
  guchar     *pixels;

  *channels = gimp_drawable_has_alpha (drawable_ID) ? 4 : 3;
  pixels    = dir_gimp_buffer_bytes (buffer, *channels);
  g_object_unref (buffer);

  return pixels;
}

/* The page as an image: one layer per panel, named after its tensor, at
 * its place in the page, the first tensor on top (and active); under them
 * (the readable heatmap) a white background the page's size.  The report is
 * the image's comment (Image > Image Properties > Comment). */
static gint32
new_heatmap_image (const heat_page *page,
                   gboolean         plain)
{
  GimpParasite *parasite;
  gint32        image_ID;
  gsize         i;

  image_ID = gimp_image_new_with_precision (page->width, page->height,
                                            GIMP_RGB, GIMP_PRECISION_U8_GAMMA);
  if (image_ID == -1)
    return -1;

  gimp_image_undo_disable (image_ID);

  if (! plain)
    {
      gint32 bg_ID = gimp_layer_new (image_ID, "Background",
                                     page->width, page->height,
                                     GIMP_RGB_IMAGE, 100,
                                     gimp_image_get_default_new_layer_mode (image_ID));

      gimp_image_insert_layer (image_ID, bg_ID, -1, 0);
      gimp_drawable_fill (bg_ID, GIMP_FILL_WHITE);
    }

  /* the last tensor first, each on top of the stack: the first tensor's
   * layer ends on top, and active */
  for (i = page->count; i-- > 0;)
    {
      const heat_panel *p = &page->panels[i];
      GeglBuffer       *buffer;
      gint32            layer_ID;

      layer_ID = gimp_layer_new (image_ID, p->label, p->width, p->height,
                                 GIMP_RGB_IMAGE, 100,
                                 gimp_image_get_default_new_layer_mode (image_ID));
      gimp_image_insert_layer (image_ID, layer_ID, -1, 0);
      gimp_layer_set_offsets (layer_ID, 0, (gint) p->y);

      buffer = gimp_drawable_get_buffer (layer_ID);
      gegl_buffer_set (buffer, GEGL_RECTANGLE (0, 0, p->width, p->height), 0,
                       babl_format ("R'G'B' u8"), p->rgb, GEGL_AUTO_ROWSTRIDE);
      g_object_unref (buffer);
    }

  parasite = gimp_parasite_new ("gimp-comment", GIMP_PARASITE_PERSISTENT,
                                strlen (page->report) + 1, page->report);
  gimp_image_attach_parasite (image_ID, parasite);
  gimp_parasite_free (parasite);

  gimp_image_undo_enable (image_ID);

  return image_ID;
}

void
dir_heatmap_run (const gchar     *name,
                 gint             nparams,
                 const GimpParam *param,
                 GimpParam       *values,
                 gint            *nreturn_vals)
{
  GimpRunMode     run_mode;
  DirHeatmapVals  vals;
  heat_page       page;
  GError         *error = NULL;
  gboolean        tensors_proc = ! strcmp (name, TENSORS_PROC);
  gint32          drawable_ID;
  gint32          image_ID;
  guchar         *pixels;
  guint           channels;

  if (nparams < 3)
    return;

  run_mode    = param[0].data.d_int32;
  drawable_ID = param[2].data.d_drawable;

  dir_gimp_heatmap_vals_default (&vals);

  switch (run_mode)
    {
    case GIMP_RUN_INTERACTIVE:
    case GIMP_RUN_WITH_LAST_VALS:
      if (run_mode == GIMP_RUN_INTERACTIVE)
        gimp_ui_init (PLUG_IN_BINARY, FALSE);
      /* the last values, unless an older plug-in kept another layout */
      if (gimp_get_data_size (HEATMAP_PROC) == sizeof vals)
        gimp_get_data (HEATMAP_PROC, &vals);
      break;

    case GIMP_RUN_NONINTERACTIVE:
      if (tensors_proc)
        {
          /* run-mode, image, drawable, zoom, scale, tile-rows, tile-cols */
          if (nparams != 7)
            return;
          vals.zoom      = param[3].data.d_int32;
          vals.scale     = param[4].data.d_float;
          vals.tile_rows = param[5].data.d_int32;
          vals.tile_cols = param[6].data.d_int32;
          break;
        }
      /* 10: the arguments before zoom, percentile, tiles and plain */
      if (nparams != 10 && nparams != 15)
        return;
      vals.classic    = param[3].data.d_int32 != 0;
      vals.capacity   = param[4].data.d_int32;
      vals.ldeczeroes = param[5].data.d_int32 != 0;
      vals.alpha      = param[6].data.d_int32 != 0;
      vals.rows       = param[7].data.d_int32;
      vals.cols       = param[8].data.d_int32;
      vals.scale      = param[9].data.d_float;
      if (nparams == 15)
        {
          vals.zoom       = param[10].data.d_int32;
          vals.percentile = param[11].data.d_float;
          vals.tile_rows  = param[12].data.d_int32;
          vals.tile_cols  = param[13].data.d_int32;
          vals.plain      = param[14].data.d_int32 != 0;
        }
      if (! dir_gimp_heatmap_vals_check (&vals, &error))
        {
          heatmap_error (values, nreturn_vals, error);
          values[0].data.d_status = GIMP_PDB_CALLING_ERROR;
          return;
        }
      break;

    default:
      return;
    }

  if (! gimp_item_is_layer (drawable_ID))
    {
      heatmap_error (values, nreturn_vals,
                     g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_FAILED,
                                          "The numeric array heatmap works "
                                          "on a layer"));
      return;
    }

  pixels = dir_read_drawable (drawable_ID, &channels);
  if (! pixels)
    {
      heatmap_error (values, nreturn_vals,
                     g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                                          "Out of memory reading the layer's "
                                          "pixels"));
      return;
    }

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      gchar    *tensors;
      gboolean  ok;

      tensors = dir_gimp_heatmap_describe (pixels,
                                           gimp_drawable_width (drawable_ID),
                                           gimp_drawable_height (drawable_ID),
                                           channels);
      vals.classic = tensors == NULL;
      ok = heatmap_dialog (&vals, tensors, channels == 4);
      g_free (tensors);
      if (! ok)
        {
          g_free (pixels);
          values[0].data.d_status = GIMP_PDB_CANCEL;
          return;
        }
    }

  gimp_progress_init ("Drawing the heatmap");

  if (! dir_gimp_heatmap_render (pixels,
                                 gimp_drawable_width (drawable_ID),
                                 gimp_drawable_height (drawable_ID),
                                 channels, &vals, heatmap_progress, NULL,
                                 GIMP_MAX_IMAGE_SIZE, &page, &error))
    {
      g_free (pixels);
      heatmap_error (values, nreturn_vals, error);
      return;
    }
  g_free (pixels);

  image_ID = new_heatmap_image (&page, vals.plain || vals.rows || vals.cols);

  gimp_progress_update (1.0);

  if (image_ID == -1)
    {
      heat_page_free (&page);
      heatmap_error (values, nreturn_vals,
                     g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_FAILED,
                                          "Could not create the heatmap "
                                          "image"));
      return;
    }

  if (run_mode == GIMP_RUN_INTERACTIVE)
    gimp_display_new (image_ID);

  /* The values of any run become the dialog's next defaults, as the
   * export options do. */
  if (! tensors_proc)
    gimp_set_data (HEATMAP_PROC, &vals, sizeof vals);

  values[0].data.d_status = GIMP_PDB_SUCCESS;
  values[1].type          = GIMP_PDB_IMAGE;
  values[1].data.d_image  = image_ID;
  if (tensors_proc)
    {
      *nreturn_vals = 3;
      values[2].type         = GIMP_PDB_INT32;
      values[2].data.d_int32 = (gint32) page.count;
    }
  else
    {
      *nreturn_vals = 7;
      values[2].type         = GIMP_PDB_INT32;
      values[2].data.d_int32 = (gint32) MIN (page.values, (guint64) G_MAXINT32);
      values[3].type         = GIMP_PDB_FLOAT;
      values[3].data.d_float = page.min;
      values[4].type         = GIMP_PDB_FLOAT;
      values[4].data.d_float = page.max;
      values[5].type         = GIMP_PDB_FLOAT;
      values[5].data.d_float = page.mean;
      values[6].type         = GIMP_PDB_INT32;
      values[6].data.d_int32 = (gint32) page.count;
    }

  heat_page_free (&page);
}
