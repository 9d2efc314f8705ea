/* SPDX-License-Identifier: MIT */
/*
 * dir-gimp-common.c -- helpers shared by the GIMP 2.10 and GIMP 3 plug-ins
 * (see dir-gimp-common.h).
 */

#include <string.h>

#include "dir-gimp-common.h"

const Babl *
dir_gimp_format (guint       channels,
                 guint       depth,
                 const Babl *space_from)
{
  const gchar *name;

  if (depth != 8 && depth != 16)
    return NULL;

  switch (channels)
    {
    case 1: name = depth == 16 ? "Y' u16"      : "Y' u8";      break;
    case 2: name = depth == 16 ? "Y'A u16"     : "Y'A u8";     break;
    case 3: name = depth == 16 ? "R'G'B' u16"  : "R'G'B' u8";  break;
    case 4: name = depth == 16 ? "R'G'B'A u16" : "R'G'B'A u8"; break;
    default: return NULL;
    }

  if (space_from)
    return babl_format_with_space (name, space_from);

  return babl_format (name);
}

void
dir_gimp_set_load_error (GError         **error,
                         const gchar     *name,
                         dir_error        err,
                         const dir_diag  *diag)
{
  const gchar *detail = (diag && diag->message[0]) ? diag->message
                                                   : dir_strerror (err);

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
               "Could not open '%s' as a .dir image: %s", name, detail);
}

guchar *
dir_gimp_exif_with_marker (const dir_metadata *meta,
                           gsize              *size)
{
  static const guchar marker[6] = { 'E', 'x', 'i', 'f', 0, 0 };
  guchar             *exif;

  /* gimp_metadata_set_from_exif () puts the data in an APP1 segment, whose
   * 16-bit length also counts itself (2 bytes) and the marker. */
  if (! meta->exif || meta->exif_size == 0 ||
      meta->exif_size > 65535 - 2 - sizeof marker)
    return NULL;

  exif = g_malloc (sizeof marker + meta->exif_size);
  memcpy (exif, marker, sizeof marker);
  memcpy (exif + sizeof marker, meta->exif, meta->exif_size);
  *size = sizeof marker + meta->exif_size;

  return exif;
}

const guint8 *
dir_gimp_exif_tiff (const guint8 *data,
                    gsize         size,
                    gsize        *tiff_size)
{
  if (data && size >= 6 && ! memcmp (data, "Exif\0\0", 6))
    {
      data += 6;
      size -= 6;
    }

  if (! data || size < 8 ||
      (memcmp (data, "II*\0", 4) != 0 && memcmp (data, "MM\0*", 4) != 0))
    return NULL;

  *tiff_size = size;

  return data;
}

/* Whether `tags` (NULL-terminated) has one outside `gimp_tags`. */
static gboolean
has_tag_beyond (gchar             **tags,
                const gchar *const *gimp_tags,
                gsize               n_gimp_tags)
{
  gboolean own = FALSE;
  gint     i;

  for (i = 0; tags && tags[i] && ! own; i++)
    {
      gsize k;

      own = TRUE;
      for (k = 0; k < n_gimp_tags; k++)
        if (! strcmp (tags[i], gimp_tags[k]))
          own = FALSE;
    }

  return own;
}

void
dir_gimp_own_metadata (GExiv2Metadata *metadata,
                       gboolean       *exif,
                       gboolean       *xmp)
{
  static const gchar *const gimp_exif[] =
  {
    "Exif.Image.ImageWidth", "Exif.Image.ImageLength",
    "Exif.Image.BitsPerSample", "Exif.Image.XResolution",
    "Exif.Image.YResolution", "Exif.Image.ResolutionUnit",
    "Exif.Image.Orientation", "Exif.Photo.ColorSpace"
  };
  static const gchar *const gimp_xmp[] = { "Xmp.tiff.Orientation" };
  gchar **tags;

  *exif = *xmp = FALSE;
  if (! metadata)
    return;

  if (gexiv2_metadata_has_exif (metadata))
    {
      tags  = gexiv2_metadata_get_exif_tags (metadata);
      *exif = has_tag_beyond (tags, gimp_exif, G_N_ELEMENTS (gimp_exif));
      g_strfreev (tags);
    }
  if (gexiv2_metadata_has_xmp (metadata))
    {
      tags = gexiv2_metadata_get_xmp_tags (metadata);
      *xmp = has_tag_beyond (tags, gimp_xmp, G_N_ELEMENTS (gimp_xmp));
      g_strfreev (tags);
    }
}

gchar *
dir_gimp_resolution_text (gdouble xres,
                          gdouble yres)
{
  gchar x[G_ASCII_DTOSTR_BUF_SIZE];
  gchar y[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf ("%s %s", g_ascii_dtostr (x, sizeof x, xres),
                          g_ascii_dtostr (y, sizeof y, yres));
}

gchar *
dir_gimp_options_to_text (const dir_encode_options *opt)
{
  const dir_option *table;
  GString          *text = g_string_new (NULL);
  size_t            count;
  size_t            i;

  table = dir_options (&count);
  for (i = 0; i < count; i++)
    {
      char value[64];

      if (! strcmp (table[i].name, "preset"))
        continue;
      if (dir_option_get (opt, table[i].name, value, sizeof value) != DIR_OK)
        continue;
      g_string_append_printf (text, "%s%s=%s", text->len ? " " : "",
                              table[i].name, value);
    }

  return g_string_free (text, FALSE);
}

void
dir_gimp_options_from_text (dir_encode_options *opt,
                            const gchar        *text)
{
  gchar **words;
  gint    i;

  if (! text)
    return;

  words = g_strsplit_set (text, " \t\n", -1);
  for (i = 0; words[i]; i++)
    {
      gchar *eq = strchr (words[i], '=');

      if (! eq)
        continue;
      *eq = '\0';
      if (strcmp (words[i], "preset") != 0)
        (void) dir_option_set (opt, words[i], eq + 1, NULL);
    }
  g_strfreev (words);
}
