/* SPDX-License-Identifier: MIT */
/*
 * file-dir-save.c -- exporting GIMP drawables as .dir files: the options,
 * their text form (stored with the image as a parasite), the export dialog
 * and the writer.
 */

#include <stdlib.h>
#include <string.h>

#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "file-dir.h"

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


/* The metadata switches as words of the options text. */
static const struct
{
  const gchar *name;
  gsize        offset;
} metadata_words[] =
{
  { "include-color-profile", G_STRUCT_OFFSET (DirSaveVals, save_profile) },
  { "include-exif",          G_STRUCT_OFFSET (DirSaveVals, save_exif)    },
  { "include-xmp",           G_STRUCT_OFFSET (DirSaveVals, save_xmp)     },
  { "include-comment",       G_STRUCT_OFFSET (DirSaveVals, save_comment) }
};

#define METADATA_SWITCH(vals, i) \
  G_STRUCT_MEMBER (gboolean, (vals), metadata_words[i].offset)


void
dir_save_vals_default (DirSaveVals *vals)
{
  dir_encode_options_default (&vals->opt);
  vals->save_profile = gimp_export_color_profile ();
  vals->save_exif    = gimp_export_exif ();
  vals->save_xmp     = gimp_export_xmp ();
  vals->save_comment = TRUE;
}

/* Sets the metadata switch `name` to `value` ("yes" or "no", also 1 or 0,
 * true or false).  -1 when `name` is none of them, 0 (with *error) for
 * another value, 1 when set. */
static gint
set_metadata_word (DirSaveVals  *vals,
                   const gchar  *name,
                   const gchar  *value,
                   GError      **error)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (metadata_words); i++)
    if (! strcmp (name, metadata_words[i].name))
      break;
  if (i == G_N_ELEMENTS (metadata_words))
    return -1;

  if (value && (! g_ascii_strcasecmp (value, "yes") || ! strcmp (value, "1") ||
                ! g_ascii_strcasecmp (value, "true")))
    METADATA_SWITCH (vals, i) = TRUE;
  else if (value && (! g_ascii_strcasecmp (value, "no") ||
                     ! strcmp (value, "0") ||
                     ! g_ascii_strcasecmp (value, "false")))
    METADATA_SWITCH (vals, i) = FALSE;
  else
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Invalid .dir export option: invalid value '%s' for %s: "
                   "expected yes or no", value ? value : "", name);
      return 0;
    }

  return 1;
}

/* "include-color-profile=yes include-exif=yes ..." */
gchar *
dir_save_metadata_to_text (const DirSaveVals *vals)
{
  GString *text = g_string_new (NULL);
  gsize    i;

  for (i = 0; i < G_N_ELEMENTS (metadata_words); i++)
    g_string_append_printf (text, "%s%s=%s", i ? " " : "",
                            metadata_words[i].name,
                            METADATA_SWITCH (vals, i) ? "yes" : "no");

  return g_string_free (text, FALSE);
}

static void
metadata_word (const gchar *name,
               const gchar *value,
               gpointer     vals)
{
  (void) set_metadata_word (vals, name, value, NULL);
}

/* Reads "name=value" words, of the encoder's options (dir_option_set ())
 * and the metadata switches; unknown names and bad values are ignored, so
 * that text from another version never breaks an export. */
void
dir_save_vals_from_text (DirSaveVals *vals,
                         const gchar *text)
{
  dir_gimp_options_from_text (&vals->opt, text);
  dir_gimp_text_words (text, metadata_word, vals);
}

/* Every option of the table but the preset (which follows from the
 * others) as "name=value", the value from dir_option_get (). */
gchar *
dir_save_vals_to_text (const DirSaveVals *vals)
{
  return dir_gimp_options_to_text (&vals->opt);
}

static void
attach_text (gint32       image_ID,
             const gchar *name,
             gchar       *text)
{
  GimpParasite *parasite;

  parasite = gimp_parasite_new (name, GIMP_PARASITE_PERSISTENT,
                                strlen (text) + 1, text);
  gimp_image_attach_parasite (image_ID, parasite);
  gimp_parasite_free (parasite);
  g_free (text);
}

void
dir_save_vals_attach (gint32             image_ID,
                      const DirSaveVals *vals)
{
  attach_text (image_ID, DIR_PARASITE, dir_save_vals_to_text (vals));
}

void
dir_save_metadata_attach (gint32             image_ID,
                          const DirSaveVals *vals)
{
  attach_text (image_ID, DIR_METADATA_PARASITE,
               dir_save_metadata_to_text (vals));
}

/* The options (DIR_PARASITE) and metadata switches (DIR_METADATA_PARASITE)
 * stored with the image, where it has them. */
void
dir_save_vals_from_image (DirSaveVals *vals,
                          gint32       image_ID)
{
  const gchar *names[] = { DIR_PARASITE, DIR_METADATA_PARASITE };
  gsize        i;

  for (i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GimpParasite *parasite = gimp_image_get_parasite (image_ID, names[i]);
      const gchar  *data;
      glong         size;

      if (! parasite)
        continue;

      data = gimp_parasite_data (parasite);
      size = gimp_parasite_data_size (parasite);
      if (data && size > 0 && size < OPTIONS_TEXT_MAX)
        {
          gchar *text = g_strndup (data, size);

          dir_save_vals_from_text (vals, text);
          g_free (text);
        }
      gimp_parasite_free (parasite);
    }
}

/* The last export's options and metadata switches, for the rest of the
 * GIMP session: their text, as in the parasites. */
void
dir_save_vals_remember (const DirSaveVals *vals)
{
  gchar *options  = dir_save_vals_to_text (vals);
  gchar *metadata = dir_save_metadata_to_text (vals);
  gchar *text     = g_strconcat (options, " ", metadata, NULL);

  gimp_set_data (SAVE_PROC, text, strlen (text) + 1);
  g_free (text);
  g_free (metadata);
  g_free (options);
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
                     "the parameters above, then the other words; and "
                     "which of the image's metadata to write, "
                     "include-color-profile, include-exif, include-xmp and "
                     "include-comment =yes or =no (the defaults: the "
                     "Preferences' Image Import & Export, and yes for the "
                     "comment); \"\" for none", names->str);
  g_string_free (names, TRUE);
}

/* The options a non-interactive call gave explicitly (each once), which
 * must apply (dir_gimp_check_option ()). */
typedef struct
{
  const gchar *names[16];
  gsize        count;
} GivenOptions;

static void
given_add (GivenOptions *given,
           const gchar  *name)
{
  const dir_option *o = dir_option_find (name);
  gsize             i;

  if (! o)
    return;
  for (i = 0; i < given->count; i++)
    if (! strcmp (given->names[i], o->name))
      return;
  if (given->count < G_N_ELEMENTS (given->names))
    given->names[given->count++] = o->name;
}

/* Applies the "name=value" words of `words` whose name is (`preset` TRUE)
 * or is not (FALSE) the preset: the encoder's options and the metadata
 * switches (include-color-profile, include-exif, include-xmp,
 * include-comment: yes or no).  A word without '=' gives the core's error
 * for a missing value (or an unknown name).  The options set are added to
 * `given`. */
static gboolean
set_option_words (DirSaveVals   *vals,
                  gchar        **words,
                  gboolean       preset,
                  GivenOptions  *given,
                  GError       **error)
{
  gint i;

  for (i = 0; words[i]; i++)
    {
      gchar    *eq = strchr (words[i], '=');
      gboolean  ok;
      gint      set;

      if (! *words[i])
        continue;

      if (eq)
        *eq = '\0';
      if ((strcmp (words[i], "preset") == 0) != preset)
        ok = TRUE;
      else if (! preset &&
               (set = set_metadata_word (vals, words[i], eq ? eq + 1 : NULL,
                                         error)) >= 0)
        ok = set == 1;
      else if ((ok = dir_gimp_set_option (&vals->opt, words[i],
                                          eq ? eq + 1 : NULL, error)) &&
               ! preset)
        given_add (given, words[i]);
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
 * the option parameters, then the other words.  An option given that has
 * no effect given the others is an error, as in dirtool: every option word
 * but the preset, and every parameter other than its table default (a
 * script must pass all four; "ordered" for the layout is no choice). */
gboolean
dir_save_vals_parse (DirSaveVals      *vals,
                     gint              nparams,
                     const GimpParam  *param,
                     GError          **error)
{
  gchar        **words = NULL;
  gboolean       ok    = TRUE;
  GivenOptions   given = { { NULL }, 0 };
  gsize          i;

  if (nparams >= 5 + DIR_SAVE_N_OPTION_PARAMS &&
      param[5 + G_N_ELEMENTS (option_params)].data.d_string)
    words = g_strsplit_set (param[5 + G_N_ELEMENTS (option_params)].data.d_string,
                            " \t\n", -1);

  if (words)
    ok = set_option_words (vals, words, TRUE, &given, error);

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
          ok = dir_gimp_set_option (&vals->opt, o->name, text, error);
          if (ok && strcmp (text, o->default_value) != 0)
            given_add (&given, o->name);
        }
      else if (p->data.d_string && *p->data.d_string)
        {
          ok = dir_gimp_set_option (&vals->opt, o->name, p->data.d_string,
                                    error);
          if (ok && strcmp (p->data.d_string, o->default_value) != 0)
            given_add (&given, o->name);
        }
    }

  if (ok && words)
    ok = set_option_words (vals, words, FALSE, &given, error);

  for (i = 0; ok && i < given.count; i++)
    ok = dir_gimp_check_option (&vals->opt, given.names[i], error);

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
                gchar       *used,
                gsize        used_size)
{
  gchar *mnemonic = dir_gimp_mnemonic_label (label, used, used_size);
  gchar *text     = g_strdup_printf ("%s:", mnemonic);

  g_free (mnemonic);

  return text;
}

gboolean
dir_save_dialog (DirSaveVals *vals)
{
  /* The switches' labels after "Save ", in metadata_words' order. */
  static const gchar *const metadata_labels[] =
  {
    "color profile", "EXIF data", "XMP data", "comment"
  };
  GtkWidget  *dialog;
  GtkWidget  *table;
  GtkWidget  *frame;
  GtkWidget  *vbox;
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
        labels[i] = mnemonic_label (d.table[i].label, used, sizeof used);

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

  /* The metadata switches, as GIMP 2.10's own PNG export has them, their
   * mnemonics on letters the options left. */
  frame = gimp_frame_new ("Metadata");
  gtk_container_set_border_width (GTK_CONTAINER (frame), 12);
  gtk_box_pack_start (GTK_BOX (gimp_export_dialog_get_content_area (dialog)),
                      frame, FALSE, FALSE, 0);
  gtk_widget_show (frame);

  vbox = gtk_vbox_new (FALSE, 2);
  gtk_container_add (GTK_CONTAINER (frame), vbox);
  gtk_widget_show (vbox);

  for (i = 0; i < G_N_ELEMENTS (metadata_words); i++)
    {
      GtkWidget *toggle;
      gchar     *mnemonic = dir_gimp_mnemonic_label (metadata_labels[i], used,
                                                     sizeof used);
      gchar     *label    = g_strconcat ("Save ", mnemonic, NULL);

      toggle = gtk_check_button_new_with_mnemonic (label);
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle),
                                    METADATA_SWITCH (vals, i));
      g_signal_connect (toggle, "toggled",
                        G_CALLBACK (gimp_toggle_button_update),
                        &METADATA_SWITCH (vals, i));
      gtk_box_pack_start (GTK_BOX (vbox), toggle, FALSE, FALSE, 0);
      gtk_widget_show (toggle);
      g_free (label);
      g_free (mnemonic);
    }

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

/* What the export writes of the image's metadata, as the switches say:
 * the "icc-profile" parasite (save_profile), the "gimp-comment" parasite
 * (save_comment), EXIF (save_exif) and XMP (save_xmp) as GIMP prepares them
 * for export (gimp_image_metadata_save_prepare (): the image's metadata with
 * the date, software and size brought up to date) when the image has EXIF
 * or XMP beyond GIMP's own tags; and the resolution, unless it is the one
 * GIMP gave an image opened from a file without density. */
static void
gather_metadata (gint32                 image_ID,
                 const gchar           *name,
                 const DirSaveVals     *vals,
                 DirGimpExportMetadata *m)
{
  GimpMetadataSaveFlags  flags = 0;
  GimpParasite          *parasite;
  GimpMetadata          *metadata;
  gboolean               want_exif;
  gboolean               want_xmp;
  gdouble                xres;
  gdouble                yres;

  memset (m, 0, sizeof *m);

  parasite = vals->save_profile ? gimp_image_get_parasite (image_ID,
                                                           "icc-profile")
                                : NULL;
  if (parasite)
    {
      dir_gimp_export_set_icc (m, gimp_parasite_data (parasite),
                               gimp_parasite_data_size (parasite));
      gimp_parasite_free (parasite);
    }

  parasite = vals->save_comment ? gimp_image_get_parasite (image_ID,
                                                           "gimp-comment")
                                : NULL;
  if (parasite)
    {
      dir_gimp_export_set_comment (m, gimp_parasite_data (parasite),
                                   gimp_parasite_data_size (parasite));
      gimp_parasite_free (parasite);
    }

  if (gimp_image_get_resolution (image_ID, &xres, &yres))
    {
      parasite = gimp_image_get_parasite (image_ID, DIR_RESOLUTION_PARASITE);
      dir_gimp_export_set_density (m, xres, yres, parasite);
      if (parasite)
        gimp_parasite_free (parasite);
    }

  metadata = gimp_image_get_metadata (image_ID);
  dir_gimp_own_metadata (metadata, &want_exif, &want_xmp);
  if (metadata)
    g_object_unref (metadata);
  want_exif = want_exif && vals->save_exif;
  want_xmp  = want_xmp && vals->save_xmp;
  if (! want_exif && ! want_xmp)
    return;

  metadata = gimp_image_metadata_save_prepare (image_ID, DIR_MIME_TYPE,
                                               &flags);
  if (metadata)
    {
      dir_gimp_export_set_exif_xmp (m, metadata, want_exif, want_xmp, name);
      g_object_unref (metadata);
    }
}

/* Exports the drawable as .dir (indexed drawables as RGB(A), images of a
 * precision above 8 bits with 16-bit samples) with every option of the
 * core's table and the metadata switches, as the dialog, the parameters or
 * the remembered values set them. */
gboolean
dir_save_image (const gchar       *filename,
                gint32             drawable_ID,
                const DirSaveVals *vals,
                GError           **error)
{
  const gchar           *name     = gimp_filename_to_utf8 (filename);
  gint32                 image_ID = gimp_item_get_image (drawable_ID);
  DirGimpExportMetadata  meta;
  GeglBuffer            *buffer;
  GFile                 *file;
  gboolean               ok;

  gimp_progress_init_printf ("Exporting '%s'", name);

  gather_metadata (image_ID, name, vals, &meta);

  buffer = gimp_drawable_get_buffer (drawable_ID);
  file   = g_file_new_for_path (filename);
  ok = dir_gimp_export_buffer (buffer,
                               dir_gimp_export_channels (gimp_drawable_type (drawable_ID)),
                               dir_gimp_export_depth (gimp_image_get_precision (image_ID)),
                               &meta.meta, &vals->opt, file, name,
                               gimp_progress_update, error);
  g_object_unref (file);
  g_object_unref (buffer);
  dir_gimp_export_metadata_clear (&meta);

  return ok;
}
