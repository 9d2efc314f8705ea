/* SPDX-License-Identifier: MIT */
/*
 * file-dir-save.c -- exporting GIMP drawables as .dir files: the options,
 * their text form (stored with the image as a parasite), the export dialog
 * and the writer.
 */

#define _XOPEN_SOURCE 700 /* realpath () */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"

/* Rows read from the drawable per gegl_buffer_get () call, between two
 * progress updates. */
#define ROWS_PER_STEP 64

#define LEVEL_MIN 1
#define LEVEL_MAX 22


void
dir_save_vals_default (DirSaveVals *vals)
{
  dir_encode_options opt;

  dir_encode_options_default (&opt);

  vals->backend = opt.backend;
  vals->filter  = opt.filter;
  vals->layout  = opt.layout;
  vals->level   = opt.level;
}

/* Reads "key=value" words; unknown keys and bad values are ignored, so that
 * a parasite from another version never breaks an export. */
void
dir_save_vals_from_text (DirSaveVals *vals,
                         const gchar *text)
{
  gchar **words;
  gint    i;

  if (! text)
    return;

  words = g_strsplit_set (text, " \t\n", -1);

  for (i = 0; words[i]; i++)
    {
      gchar       *eq = strchr (words[i], '=');
      const gchar *value;

      if (! eq)
        continue;

      *eq   = '\0';
      value = eq + 1;

      if (! strcmp (words[i], "backend"))
        {
          dir_backend b;

          if (dir_backend_parse (value, &b) == DIR_OK)
            vals->backend = b;
        }
      else if (! strcmp (words[i], "filter"))
        {
          dir_filter f;

          if (dir_filter_parse (value, &f) == DIR_OK)
            vals->filter = f;
        }
      else if (! strcmp (words[i], "layout"))
        {
          dir_layout l;

          if (dir_layout_parse (value, &l) == DIR_OK)
            vals->layout = l;
        }
      else if (! strcmp (words[i], "level"))
        {
          gchar  *end;
          glong   level;

          errno = 0;
          level = strtol (value, &end, 10);

          if (errno == 0 && end != value && *end == '\0' &&
              level >= LEVEL_MIN && level <= LEVEL_MAX)
            vals->level = (gint) level;
        }
    }

  g_strfreev (words);
}

gchar *
dir_save_vals_to_text (const DirSaveVals *vals,
                       gboolean           with_level)
{
  gchar *text;

  text = g_strdup_printf ("backend=%s filter=%s layout=%s",
                          dir_backend_name (vals->backend),
                          dir_filter_name (vals->filter),
                          dir_layout_name (vals->layout));

  if (with_level)
    {
      gchar *tmp = g_strdup_printf ("%s level=%d", text, vals->level);

      g_free (text);
      text = tmp;
    }

  return text;
}

void
dir_save_vals_attach (gint32             image_ID,
                      const DirSaveVals *vals,
                      gboolean           with_level)
{
  GimpParasite *parasite;
  gchar        *text = dir_save_vals_to_text (vals, with_level);

  parasite = gimp_parasite_new (DIR_PARASITE, GIMP_PARASITE_PERSISTENT,
                                strlen (text) + 1, text);
  gimp_image_attach_parasite (image_ID, parasite);
  gimp_parasite_free (parasite);
  g_free (text);
}

void
dir_save_vals_from_image (DirSaveVals *vals,
                          gint32       image_ID)
{
  GimpParasite *parasite = gimp_image_get_parasite (image_ID, DIR_PARASITE);
  const gchar  *data;
  glong         size;
  gchar        *text;

  if (! parasite)
    return;

  data = gimp_parasite_data (parasite);
  size = gimp_parasite_data_size (parasite);

  if (data && size > 0 && size < 1024)
    {
      text = g_strndup (data, size);
      dir_save_vals_from_text (vals, text);
      g_free (text);
    }

  gimp_parasite_free (parasite);
}

/* The options of a non-interactive call.  An empty (or NULL) string and a
 * level of 0 mean the default, which is what gimp-file-save passes. */
gboolean
dir_save_vals_parse (DirSaveVals *vals,
                     const gchar *backend,
                     const gchar *filter,
                     const gchar *layout,
                     gint         level,
                     GError     **error)
{
  if (backend && *backend)
    {
      dir_backend b;

      if (dir_backend_parse (backend, &b) != DIR_OK)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "Unknown .dir back end '%s' (expected zstd, none or lzma)",
                       backend);
          return FALSE;
        }
      vals->backend = b;
    }

  if (filter && *filter)
    {
      dir_filter f;

      if (dir_filter_parse (filter, &f) != DIR_OK)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "Unknown .dir filter '%s' (expected auto, sub or none)",
                       filter);
          return FALSE;
        }
      vals->filter = f;
    }

  if (layout && *layout)
    {
      dir_layout l;

      if (dir_layout_parse (layout, &l) != DIR_OK)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "Unknown .dir layout '%s' "
                       "(expected ordered or interleaved)",
                       layout);
          return FALSE;
        }
      vals->layout = l;
    }

  if (level != 0)
    {
      if (level < LEVEL_MIN || level > LEVEL_MAX)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "zstd level %d is out of range (%d..%d, or 0 for "
                       "the default)", level, LEVEL_MIN, LEVEL_MAX);
          return FALSE;
        }
      vals->level = level;
    }

  return TRUE;
}


/* ---- Export dialog ----------------------------------------------------- */

static GtkWidget *
hint_label_new (const gchar *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.0);
  gimp_label_set_attributes (GTK_LABEL (label),
                             PANGO_ATTR_STYLE, PANGO_STYLE_ITALIC,
                             PANGO_ATTR_SCALE, PANGO_SCALE_SMALL,
                             -1);
  gtk_widget_show (label);

  return label;
}

static void
backend_changed (GtkWidget *combo,
                 GtkObject *level_adj)
{
  gint backend;

  if (gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &backend))
    gimp_scale_entry_set_sensitive (level_adj, backend == DIR_BACKEND_ZSTD);
}

gboolean
dir_save_dialog (DirSaveVals *vals)
{
  GtkWidget *dialog;
  GtkWidget *table;
  GtkWidget *backend_combo;
  GtkWidget *filter_combo;
  GtkWidget *layout_combo;
  GtkObject *level_adj;
  gboolean   run;

  dialog = gimp_export_dialog_new (".dir", PLUG_IN_BINARY, SAVE_PROC);

  table = gtk_table_new (8, 3, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 2);
  gtk_container_set_border_width (GTK_CONTAINER (table), 12);
  gtk_box_pack_start (GTK_BOX (gimp_export_dialog_get_content_area (dialog)),
                      table, TRUE, TRUE, 0);
  gtk_widget_show (table);

  /* Back end */
  backend_combo = gimp_int_combo_box_new ("zstd", DIR_BACKEND_ZSTD,
                                          "none", DIR_BACKEND_NONE,
                                          NULL);
  gimp_int_combo_box_connect (GIMP_INT_COMBO_BOX (backend_combo),
                              vals->backend,
                              G_CALLBACK (gimp_int_combo_box_get_active),
                              &vals->backend);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 0, "_Back end:",
                             0.0, 0.5, backend_combo, 2, FALSE);
  gtk_table_attach (GTK_TABLE (table),
                    hint_label_new ("zstd compresses the section streams "
                                    "further; none stores them as they are."),
                    1, 3, 1, 2, GTK_FILL, GTK_FILL, 0, 4);

  /* Filter */
  filter_combo = gimp_int_combo_box_new ("auto", DIR_FILTER_AUTO,
                                         "sub",  DIR_FILTER_SUB,
                                         "none", DIR_FILTER_NONE,
                                         NULL);
  gimp_int_combo_box_connect (GIMP_INT_COMBO_BOX (filter_combo),
                              vals->filter,
                              G_CALLBACK (gimp_int_combo_box_get_active),
                              &vals->filter);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 2, "_Filter:",
                             0.0, 0.5, filter_combo, 2, FALSE);
  gtk_table_attach (GTK_TABLE (table),
                    hint_label_new ("sub stores differences along each row; "
                                    "auto tries both and keeps the smaller."),
                    1, 3, 3, 4, GTK_FILL, GTK_FILL, 0, 4);

  /* Layout */
  layout_combo = gimp_int_combo_box_new ("ordered",     DIR_LAYOUT_ORDERED,
                                         "interleaved", DIR_LAYOUT_INTERLEAVED,
                                         NULL);
  gimp_int_combo_box_connect (GIMP_INT_COMBO_BOX (layout_combo),
                              vals->layout,
                              G_CALLBACK (gimp_int_combo_box_get_active),
                              &vals->layout);
  gimp_table_attach_aligned (GTK_TABLE (table), 0, 4, "_Layout:",
                             0.0, 0.5, layout_combo, 2, FALSE);
  gtk_table_attach (GTK_TABLE (table),
                    hint_label_new ("ordered groups the data by section code "
                                    "and field (smaller with zstd); "
                                    "interleaved keeps each section together."),
                    1, 3, 5, 6, GTK_FILL, GTK_FILL, 0, 4);

  /* Level */
  level_adj = gimp_scale_entry_new (GTK_TABLE (table), 0, 6, "Le_vel:",
                                    150, 0, vals->level,
                                    LEVEL_MIN, LEVEL_MAX, 1, 3, 0,
                                    TRUE, 0, 0,
                                    "zstd compression level", NULL);
  g_signal_connect (level_adj, "value-changed",
                    G_CALLBACK (gimp_int_adjustment_update),
                    &vals->level);
  gtk_table_attach (GTK_TABLE (table),
                    hint_label_new ("zstd level 1-22: higher is smaller and "
                                    "slower to export, not to open."),
                    1, 3, 7, 8, GTK_FILL, GTK_FILL, 0, 4);

  g_signal_connect (backend_combo, "changed",
                    G_CALLBACK (backend_changed), level_adj);
  backend_changed (backend_combo, level_adj);

  gtk_widget_show (dialog);

  run = (gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK);

  gtk_widget_destroy (dialog);

  return run;
}


/* ---- Writer ------------------------------------------------------------ */

/* The encoder's progress (most of it the zstd compression) is the middle
 * 0.3 .. 0.9 of the export's progress bar. */
static int
encode_progress (void    *user,
                 gdouble  done)
{
  gimp_progress_update (0.3 + 0.6 * done);

  return 0;
}

gboolean
dir_save_image (const gchar       *filename,
                gint32             drawable_ID,
                const DirSaveVals *vals,
                GError           **error)
{
  dir_encode_options  opt;
  dir_diag            diag;
  GStatBuf            st;
  gchar              *target;
  gint                mode;
  dir_error           err;
  const Babl         *space;
  const Babl         *format;
  GeglBuffer         *buffer;
  guchar             *pixels;
  void               *out      = NULL;
  size_t              out_size = 0;
  guint               channels;
  guint               depth;
  gint32              image_ID;
  dir_pixels          px;
  dir_metadata        meta;
  GimpParasite       *icc_parasite;
  GimpParasite       *comment_parasite;
  gchar              *comment  = NULL;
  gdouble             xres;
  gdouble             yres;
  gint                width;
  gint                height;
  gsize               row_bytes;
  gint                y;
  gboolean            ok;

  memset (&diag, 0, sizeof diag);

  width  = gimp_drawable_width (drawable_ID);
  height = gimp_drawable_height (drawable_ID);

  /* .dir holds grey, grey+alpha, RGB and RGBA at 8 or 16 bits: indexed
   * drawables are written as RGB(A), images of a precision above 8 bits
   * with 16-bit samples.  The drawable's own colour space is kept, so no
   * colour conversion happens, only a change of layout. */
  image_ID = gimp_item_get_image (drawable_ID);
  depth    = gimp_image_get_precision (image_ID) == GIMP_PRECISION_U8_GAMMA ||
             gimp_image_get_precision (image_ID) == GIMP_PRECISION_U8_LINEAR ?
             8 : 16;
  switch (gimp_drawable_type (drawable_ID))
    {
    case GIMP_GRAY_IMAGE:
      channels = 1;
      format   = babl_format (depth == 16 ? "Y' u16" : "Y' u8");
      break;

    case GIMP_GRAYA_IMAGE:
      channels = 2;
      format   = babl_format (depth == 16 ? "Y'A u16" : "Y'A u8");
      break;

    case GIMP_RGB_IMAGE:
    case GIMP_INDEXED_IMAGE:
      channels = 3;
      format   = babl_format (depth == 16 ? "R'G'B' u16" : "R'G'B' u8");
      break;

    case GIMP_RGBA_IMAGE:
    case GIMP_INDEXEDA_IMAGE:
      channels = 4;
      format   = babl_format (depth == 16 ? "R'G'B'A u16" : "R'G'B'A u8");
      break;

    default:
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Cannot export '%s': unsupported drawable type",
                   gimp_filename_to_utf8 (filename));
      return FALSE;
    }

  space = babl_format_get_space (gimp_drawable_get_format (drawable_ID));
  if (space)
    format = babl_format_with_space (babl_get_name (format), space);

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > DIR_MAX_PIXELS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Cannot export '%s': %d x %d is over the .dir limit of "
                   "%" G_GUINT64_FORMAT " pixels",
                   gimp_filename_to_utf8 (filename), width, height,
                   (guint64) DIR_MAX_PIXELS);
      return FALSE;
    }

  gimp_progress_init_printf ("Exporting '%s'",
                             gimp_filename_to_utf8 (filename));

  row_bytes = (gsize) width * channels * (depth / 8);
  pixels    = g_try_malloc ((gsize) height * row_bytes);
  if (! pixels)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   "Cannot export '%s': out of memory for %d x %d pixels",
                   gimp_filename_to_utf8 (filename), width, height);
      return FALSE;
    }

  buffer = gimp_drawable_get_buffer (drawable_ID);

  for (y = 0; y < height; y += ROWS_PER_STEP)
    {
      gint rows = MIN (ROWS_PER_STEP, height - y);

      gegl_buffer_get (buffer, GEGL_RECTANGLE (0, y, width, rows), 1.0,
                       format, pixels + (gsize) y * row_bytes,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);

      gimp_progress_update (0.3 * (gdouble) (y + rows) / height);
    }

  g_object_unref (buffer);

  /* Start from the defaults: options this plug-in does not offer keep
   * the core's choice. */
  dir_encode_options_default (&opt);
  opt.backend = vals->backend;
  opt.filter  = vals->filter;
  opt.layout  = vals->layout;
  opt.level   = vals->level;
  opt.progress = encode_progress;

  /* The metadata: the "icc-profile" parasite, the "gimp-comment" parasite
   * (when it is UTF-8, as GIMP writes it) and the resolution. */
  memset (&meta, 0, sizeof meta);
  icc_parasite = gimp_image_get_parasite (image_ID, "icc-profile");
  if (icc_parasite && gimp_parasite_data_size (icc_parasite) > 0)
    {
      meta.icc      = gimp_parasite_data (icc_parasite);
      meta.icc_size = gimp_parasite_data_size (icc_parasite);
    }
  comment_parasite = gimp_image_get_parasite (image_ID, "gimp-comment");
  if (comment_parasite && gimp_parasite_data_size (comment_parasite) > 0)
    {
      comment = g_strndup (gimp_parasite_data (comment_parasite),
                           gimp_parasite_data_size (comment_parasite));
      if (g_utf8_validate (comment, -1, NULL))
        meta.comment = comment;
    }
  if (gimp_image_get_resolution (image_ID, &xres, &yres) &&
      xres > 0.0 && yres > 0.0 && xres < 1e6 && yres < 1e6)
    {
      meta.density_x = (uint32_t) (xres / 0.0254 + 0.5);
      meta.density_y = (uint32_t) (yres / 0.0254 + 0.5);
    }

  /* GIMP images always have a resolution (72 dpi unless set): in the
   * seed-pure mode (back end none, filter none), which writes version 1,
   * the method's own format, it is not a reason for version 2 on its own. */
  if (opt.backend == DIR_BACKEND_NONE && opt.filter == DIR_FILTER_NONE &&
      depth == 8 && channels != 2 && ! meta.icc && ! meta.comment)
    meta.density_x = meta.density_y = 0;

  px.data     = pixels;
  px.width    = width;
  px.height   = height;
  px.channels = channels;
  px.depth    = depth;
  px.stride   = row_bytes;
  err = dir_encode_image (&px, &meta, &opt, &out, &out_size, NULL, &diag);
  g_free (pixels);
  g_free (comment);
  if (icc_parasite)
    gimp_parasite_free (icc_parasite);
  if (comment_parasite)
    gimp_parasite_free (comment_parasite);

  if (err != DIR_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not encode '%s' as .dir: %s",
                   gimp_filename_to_utf8 (filename),
                   diag.message[0] ? diag.message : dir_strerror (err));
      return FALSE;
    }

  gimp_progress_update (0.9);

  /* g_file_set_contents_full () writes a temporary file and renames it, so
   * a failed export never leaves a partial file behind.  A symbolic link is
   * followed (its target is replaced, the link kept) and an existing file
   * keeps its permissions. */
  target = realpath (filename, NULL);
  mode   = 0666;
  if (target && g_stat (target, &st) == 0)
    mode = st.st_mode & 0777;

  ok = g_file_set_contents_full (target ? target : filename, out, out_size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
  free (target);
  dir_free (out);

  if (ok)
    gimp_progress_update (1.0);

  return ok;
}
