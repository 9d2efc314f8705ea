/* SPDX-License-Identifier: MIT */
/*
 * file-dir-save.c -- exporting GIMP drawables as .dir files: the options,
 * their text form (stored with the image as a parasite), the export dialog
 * and the writer.
 */

#define _XOPEN_SOURCE 700 /* realpath () */

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"

/* Rows read from the drawable per gegl_buffer_get () call, between two
 * progress updates. */
#define ROWS_PER_STEP 64

/* The option parameters of file-dir-save after the five standard ones,
 * in their order (the procedure's parameter list since its first version);
 * file-dir-save2's last parameter, "options", takes any option of the
 * table. */
static const gchar *const option_params[DIR_SAVE_N_OPTION_PARAMS - 1] =
{
  "backend", "filter", "layout", "level"
};

/* Most bytes of option text read back (gimp_get_data (), the parasite). */
#define OPTIONS_TEXT_MAX 4096


void
dir_save_vals_default (DirSaveVals *vals)
{
  dir_encode_options_default (&vals->opt);
}

/* Reads "name=value" words through dir_option_set (); unknown names and
 * bad values are ignored, so that text from another version never breaks
 * an export. */
void
dir_save_vals_from_text (DirSaveVals *vals,
                         const gchar *text)
{
  dir_gimp_options_from_text (&vals->opt, text);
}

/* Every option of the table but the preset (which follows from the
 * others) as "name=value", the value from dir_option_get (). */
gchar *
dir_save_vals_to_text (const DirSaveVals *vals)
{
  return dir_gimp_options_to_text (&vals->opt);
}

void
dir_save_vals_attach (gint32             image_ID,
                      const DirSaveVals *vals)
{
  GimpParasite *parasite;
  gchar        *text = dir_save_vals_to_text (vals);

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

  if (data && size > 0 && size < OPTIONS_TEXT_MAX)
    {
      text = g_strndup (data, size);
      dir_save_vals_from_text (vals, text);
      g_free (text);
    }

  gimp_parasite_free (parasite);
}

/* The last export's options, for the rest of the GIMP session: their text,
 * as in the parasite. */
void
dir_save_vals_remember (const DirSaveVals *vals)
{
  gchar *text = dir_save_vals_to_text (vals);

  gimp_set_data (SAVE_PROC, text, strlen (text) + 1);
  g_free (text);
}

void
dir_save_vals_recall (DirSaveVals *vals)
{
  gint   size = gimp_get_data_size (SAVE_PROC);
  gchar *text;

  if (size <= 0 || size >= OPTIONS_TEXT_MAX)
    return;

  text = g_malloc0 (size + 1);
  if (gimp_get_data (SAVE_PROC, text))
    dir_save_vals_from_text (vals, text);
  g_free (text);
}

/* "none, zstd, lzma" */
static gchar *
choice_list (const dir_option *o)
{
  gchar *list = g_strjoinv (", ", (gchar **) o->choices);

  return list;
}

/* query (): the definitions of file-dir-save's option parameters (the
 * DIR_SAVE_N_OPTION_PARAMS after the standard five), described from the
 * core's table.  The strings live as long as the plug-in (query () runs
 * once). */
void
dir_save_option_params (GimpParamDef *params)
{
  const dir_option *table;
  GString          *names = g_string_new (NULL);
  size_t            count;
  gsize             i;

  for (i = 0; i < G_N_ELEMENTS (option_params); i++)
    {
      const dir_option *o = dir_option_find (option_params[i]);

      params[i].name = (gchar *) o->name;
      if (o->kind == DIR_OPTION_INT)
        {
          params[i].type        = GIMP_PDB_INT32;
          params[i].description =
            g_strdup_printf ("%s: %s; %d..%d, 0 for the default (%s)",
                             o->label, o->help, o->min, o->max,
                             o->default_value);
        }
      else
        {
          gchar *list = choice_list (o);

          params[i].type        = GIMP_PDB_STRING;
          params[i].description =
            g_strdup_printf ("%s: %s; one of %s, \"\" for the default (%s)",
                             o->label, o->help, list, o->default_value);
          g_free (list);
        }
    }

  table = dir_options (&count);
  for (i = 0; i < count; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", table[i].name);

  params[i = G_N_ELEMENTS (option_params)].type = GIMP_PDB_STRING;
  params[i].name        = "options";
  params[i].description =
    g_strdup_printf ("Further options as \"name=value\" words (%s), as "
                     "dirtool encode --name=value: a preset first, then "
                     "the parameters above, then the other words; \"\" "
                     "for none", names->str);
  g_string_free (names, TRUE);
}

static gboolean
set_option (DirSaveVals  *vals,
            const gchar  *name,
            const gchar  *value,
            GError      **error)
{
  dir_diag diag;

  memset (&diag, 0, sizeof diag);
  if (dir_option_set (&vals->opt, name, value, &diag) == DIR_OK)
    return TRUE;

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "Invalid .dir export option: %s", diag.message);
  return FALSE;
}

/* Applies the "name=value" words of `words` whose name is (`preset` TRUE)
 * or is not (FALSE) the preset.  A word without '=' gives the core's error
 * for a missing value (or an unknown name). */
static gboolean
set_option_words (DirSaveVals  *vals,
                  gchar       **words,
                  gboolean      preset,
                  GError      **error)
{
  gint i;

  for (i = 0; words[i]; i++)
    {
      gchar    *eq = strchr (words[i], '=');
      gboolean  ok;

      if (! *words[i])
        continue;

      if (eq)
        *eq = '\0';
      if ((strcmp (words[i], "preset") == 0) == preset)
        ok = set_option (vals, words[i], eq ? eq + 1 : NULL, error);
      else
        ok = TRUE;
      if (eq)
        *eq = '=';
      if (! ok)
        return FALSE;
    }

  return TRUE;
}

/* The options of a non-interactive call: param[5 ...] when there are more
 * than the five standard parameters.  An empty (or NULL) string and 0
 * leave an option at its default, which is what gimp-file-save passes.
 * The "options" words: a preset first (it resets the other options), then
 * the option parameters, then the other words. */
gboolean
dir_save_vals_parse (DirSaveVals      *vals,
                     gint              nparams,
                     const GimpParam  *param,
                     GError          **error)
{
  gchar    **words = NULL;
  gboolean   ok    = TRUE;
  gsize      i;

  if (nparams >= 5 + DIR_SAVE_N_OPTION_PARAMS &&
      param[5 + G_N_ELEMENTS (option_params)].data.d_string)
    words = g_strsplit_set (param[5 + G_N_ELEMENTS (option_params)].data.d_string,
                            " \t\n", -1);

  if (words)
    ok = set_option_words (vals, words, TRUE, error);

  for (i = 0; ok && i < G_N_ELEMENTS (option_params) &&
              5 + (gint) i < nparams; i++)
    {
      const dir_option *o = dir_option_find (option_params[i]);
      const GimpParam  *p = &param[5 + i];

      if (o->kind == DIR_OPTION_INT)
        {
          gchar text[16];

          if (p->data.d_int32 == 0)
            continue;
          g_snprintf (text, sizeof text, "%d", p->data.d_int32);
          ok = set_option (vals, o->name, text, error);
        }
      else if (p->data.d_string && *p->data.d_string)
        {
          ok = set_option (vals, o->name, p->data.d_string, error);
        }
    }

  if (ok && words)
    ok = set_option_words (vals, words, FALSE, error);

  g_strfreev (words);

  return ok;
}


/* ---- Export dialog ----------------------------------------------------- */

/* The dialog's widgets, one row per option of the core's table. */
typedef struct
{
  DirSaveVals       *vals;
  const dir_option  *table;
  size_t             count;
  GtkWidget        **combos;   /* CHOICE options: the combo box     */
  GtkWidget        **labels;   /* CHOICE options: the combo's label */
  GtkObject        **adjs;     /* INT options: the scale entry      */
  gboolean           updating;
} SaveDialog;

/* Shows the options' values in the widgets: after a preset was chosen, the
 * preset's; after any other change, the preset whose values they are (none
 * shown when they are no preset's).  An option that has no effect given
 * the others (dir_option_applies ()) is insensitive. */
static void
dialog_sync (SaveDialog *d)
{
  size_t i;

  d->updating = TRUE;

  for (i = 0; i < d->count; i++)
    {
      const dir_option *o = &d->table[i];
      gboolean          applies;
      char              value[64];

      if (dir_option_get (&d->vals->opt, o->name, value, sizeof value) != DIR_OK)
        continue;
      applies = dir_option_applies (&d->vals->opt, o->name);

      if (o->kind == DIR_OPTION_INT)
        {
          gtk_adjustment_set_value (GTK_ADJUSTMENT (d->adjs[i]), atoi (value));
          gimp_scale_entry_set_sensitive (d->adjs[i], applies);
        }
      else
        {
          gint c;

          for (c = 0; o->choices[c]; c++)
            if (! strcmp (o->choices[c], value))
              break;

          if (o->choices[c])
            gimp_int_combo_box_set_active (GIMP_INT_COMBO_BOX (d->combos[i]), c);
          else
            gtk_combo_box_set_active (GTK_COMBO_BOX (d->combos[i]), -1);

          gtk_widget_set_sensitive (d->combos[i], applies);
          gtk_widget_set_sensitive (d->labels[i], applies);
        }
    }

  d->updating = FALSE;
}

static void
choice_changed (GtkWidget  *combo,
                SaveDialog *d)
{
  size_t i = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (combo),
                                                  "dir-option"));
  gint   c;

  if (d->updating ||
      ! gimp_int_combo_box_get_active (GIMP_INT_COMBO_BOX (combo), &c))
    return;

  (void) dir_option_set (&d->vals->opt, d->table[i].name,
                         d->table[i].choices[c], NULL);
  dialog_sync (d);
}

static void
int_changed (GtkAdjustment *adj,
             SaveDialog    *d)
{
  size_t i = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (adj),
                                                  "dir-option"));
  gchar  text[16];

  if (d->updating)
    return;

  g_snprintf (text, sizeof text, "%d",
              (gint) (gtk_adjustment_get_value (adj) + 0.5));
  (void) dir_option_set (&d->vals->opt, d->table[i].name, text, NULL);
  dialog_sync (d);
}

/* "Back end" -> "_Back end:", the mnemonic on the first letter of the label
 * that no option before it (nor the dialog's _Export and _Cancel) took;
 * the choices take theirs first, then the numbers (as before the table:
 * _Back end, _Filter, _Layout, Le_vel). */
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
          size_t n = strlen (used);

          used[n]     = c;
          used[n + 1] = '\0';

          return g_strdup_printf ("%.*s_%s:", (gint) (p - label), label, p);
        }
    }

  return g_strdup_printf ("%s:", label);
}

gboolean
dir_save_dialog (DirSaveVals *vals)
{
  GtkWidget  *dialog;
  GtkWidget  *table;
  SaveDialog  d;
  gchar       used[64] = "ec";
  gchar     **labels;
  size_t      i;
  gint        pass;
  gboolean    run;

  d.vals     = vals;
  d.table    = dir_options (&d.count);
  d.combos   = g_new0 (GtkWidget *, d.count);
  d.labels   = g_new0 (GtkWidget *, d.count);
  d.adjs     = g_new0 (GtkObject *, d.count);
  d.updating = FALSE;

  dialog = gimp_export_dialog_new (".dir", PLUG_IN_BINARY, SAVE_PROC);

  table = gtk_table_new (d.count, 3, FALSE);
  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 4);
  gtk_container_set_border_width (GTK_CONTAINER (table), 12);
  gtk_box_pack_start (GTK_BOX (gimp_export_dialog_get_content_area (dialog)),
                      table, TRUE, TRUE, 0);
  gtk_widget_show (table);

  labels = g_new0 (gchar *, d.count + 1);
  for (pass = 0; pass < 2; pass++)
    for (i = 0; i < d.count; i++)
      if ((d.table[i].kind == DIR_OPTION_INT) == pass)
        labels[i] = (strlen (used) < sizeof used - 1) ?
                    mnemonic_label (d.table[i].label, used) :
                    g_strdup_printf ("%s:", d.table[i].label);

  for (i = 0; i < d.count; i++)
    {
      const dir_option *o     = &d.table[i];
      const gchar      *label = labels[i];

      if (o->kind == DIR_OPTION_INT)
        {
          d.adjs[i] = gimp_scale_entry_new (GTK_TABLE (table), 0, i, label,
                                            150, 0, o->min, o->min, o->max,
                                            1, MAX (1, (o->max - o->min) / 10),
                                            0, TRUE, 0, 0, o->help, NULL);
          g_object_set_data (G_OBJECT (d.adjs[i]), "dir-option",
                             GSIZE_TO_POINTER (i));
          g_signal_connect (d.adjs[i], "value-changed",
                            G_CALLBACK (int_changed), &d);
        }
      else
        {
          d.combos[i] = gimp_int_combo_box_new_array (g_strv_length ((gchar **) o->choices),
                                                      (const gchar **) o->choices);
          gimp_help_set_help_data (d.combos[i], o->help, NULL);
          d.labels[i] = gimp_table_attach_aligned (GTK_TABLE (table), 0, i,
                                                   label, 0.0, 0.5,
                                                   d.combos[i], 2, FALSE);
          g_object_set_data (G_OBJECT (d.combos[i]), "dir-option",
                             GSIZE_TO_POINTER (i));
          g_signal_connect (d.combos[i], "changed",
                            G_CALLBACK (choice_changed), &d);
        }
    }
  g_strfreev (labels);

  dialog_sync (&d);

  gtk_widget_show (dialog);

  run = (gimp_dialog_run (GIMP_DIALOG (dialog)) == GTK_RESPONSE_OK);

  gtk_widget_destroy (dialog);

  g_free (d.combos);
  g_free (d.labels);
  g_free (d.adjs);

  return run;
}


/* ---- Writer ------------------------------------------------------------ */

/* The image's EXIF and XMP as GIMP prepares them for export
 * (gimp_image_metadata_save_prepare (): the image's metadata with the date,
 * software and size brought up to date), when the Preferences (Image
 * Import & Export) say to export them and the image has EXIF beyond GIMP's
 * own tags, or XMP.  *exif (g_bytes_unref ()) and *xmp (g_free ()) stay
 * NULL otherwise; meta points into them. */
static void
gather_exif_xmp (gint32        image_ID,
                 const gchar  *filename,
                 dir_metadata *meta,
                 GBytes      **exif,
                 gchar       **xmp)
{
  GimpMetadataSaveFlags  flags    = 0;
  GimpMetadata          *original = gimp_image_get_metadata (image_ID);
  GimpMetadata          *metadata;
  gboolean               want_exif;
  gboolean               want_xmp;
  GError                *error    = NULL;

  *exif = NULL;
  *xmp  = NULL;
  if (! original)
    return;

  dir_gimp_own_metadata (GEXIV2_METADATA (original), &want_exif, &want_xmp);
  g_object_unref (original);
  if (! want_exif && ! want_xmp)
    return;

  metadata = gimp_image_metadata_save_prepare (image_ID, DIR_MIME_TYPE,
                                               &flags);
  if (! metadata)
    return;

  if (want_exif && (flags & GIMP_METADATA_SAVE_EXIF))
    {
      *exif = gexiv2_metadata_get_exif_data (GEXIV2_METADATA (metadata),
                                             GEXIV2_BYTE_ORDER_LITTLE, &error);
      if (*exif)
        {
          gsize         size;
          const guint8 *data = g_bytes_get_data (*exif, &size);

          meta->exif = dir_gimp_exif_tiff (data, size, &meta->exif_size);
          if (! meta->exif)
            meta->exif_size = 0;
        }
      if (error)
        g_printerr ("%s: the EXIF of '%s' is left out: %s\n", PLUG_IN_BINARY,
                    gimp_filename_to_utf8 (filename), error->message);
      g_clear_error (&error);
    }

  if (want_xmp && (flags & GIMP_METADATA_SAVE_XMP))
    {
      *xmp = gexiv2_metadata_try_generate_xmp_packet (GEXIV2_METADATA (metadata),
                                                      GEXIV2_USE_COMPACT_FORMAT |
                                                      GEXIV2_OMIT_ALL_FORMATTING,
                                                      0, &error);
      if (*xmp && **xmp && g_utf8_validate (*xmp, -1, NULL))
        {
          meta->xmp      = *xmp;
          meta->xmp_size = strlen (*xmp);
        }
      if (error)
        g_printerr ("%s: the XMP of '%s' is left out: %s\n", PLUG_IN_BINARY,
                    gimp_filename_to_utf8 (filename), error->message);
      g_clear_error (&error);
    }

  g_object_unref (metadata);
}

/* Whether `xres` x `yres` is the resolution GIMP gave the image when it
 * was opened from a .dir file without density (file-dir-load.c). */
static gboolean
is_default_resolution (gint32  image_ID,
                       gdouble xres,
                       gdouble yres)
{
  GimpParasite *parasite = gimp_image_get_parasite (image_ID,
                                                    DIR_RESOLUTION_PARASITE);
  gchar        *text;
  gboolean      same;

  if (! parasite)
    return FALSE;

  text = dir_gimp_resolution_text (xres, yres);
  same = gimp_parasite_data_size (parasite) == (glong) strlen (text) + 1 &&
         ! memcmp (gimp_parasite_data (parasite), text, strlen (text) + 1);
  g_free (text);
  gimp_parasite_free (parasite);

  return same;
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
  GBytes             *exif     = NULL;
  gchar              *xmp      = NULL;
  gdouble             xres;
  gdouble             yres;
  gint                width;
  gint                height;
  gsize               row_bytes;
  uint32_t            density_x;
  uint32_t            density_y;
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

  /* Every option of the core's table, as the dialog, the parameters or
   * the remembered values set it. */
  opt = vals->opt;
  opt.progress = encode_progress;

  /* The metadata: the "icc-profile" parasite, the "gimp-comment" parasite
   * (when it is UTF-8, as GIMP writes it), the resolution (unless it is the
   * one GIMP gave an image opened from a file without density), EXIF and
   * XMP. */
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
      xres > 0.0 && yres > 0.0 && xres < 1e6 && yres < 1e6 &&
      ! is_default_resolution (image_ID, xres, yres))
    {
      meta.density_x = (uint32_t) (xres / 0.0254 + 0.5);
      meta.density_y = (uint32_t) (yres / 0.0254 + 0.5);
    }
  /* With a version asked for (the option version), the resolution follows
   * it, below: version 2 keeps it in every mode, version 1 has no place
   * for it. */
  density_x = opt.format_version == 2 ? meta.density_x : 0;
  density_y = opt.format_version == 2 ? meta.density_y : 0;

  /* GIMP images always have a resolution (72 dpi unless set): in the
   * seed-pure mode (back end none, filter none), which writes version 1,
   * the method's own format, it is not a reason for version 2 on its own. */
  gather_exif_xmp (image_ID, filename, &meta, &exif, &xmp);

  if (opt.backend == DIR_BACKEND_NONE && opt.filter == DIR_FILTER_NONE &&
      depth == 8 && channels != 2 && ! meta.icc && ! meta.comment &&
      ! meta.exif_size && ! meta.xmp_size)
    meta.density_x = meta.density_y = 0;

  if (opt.format_version != 0)
    {
      meta.density_x = density_x;
      meta.density_y = density_y;
    }

  px.data     = pixels;
  px.width    = width;
  px.height   = height;
  px.channels = channels;
  px.depth    = depth;
  px.stride   = row_bytes;
  err = dir_encode_image (&px, &meta, &opt, &out, &out_size, NULL, &diag);
  g_free (pixels);
  g_free (comment);
  if (exif)
    g_bytes_unref (exif);
  g_free (xmp);
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
