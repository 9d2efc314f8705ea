/* SPDX-License-Identifier: MIT */
/*
 * dir-gimp-common.c -- what the GIMP 2.10 and GIMP 3 plug-ins share (see
 * dir-gimp-common.h).
 */

#define _XOPEN_SOURCE 700 /* realpath () */

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "dir-gimp-common.h"

/* Rows copied between a layer and the core's buffer per GEGL call, between
 * two progress updates. */
#define ROWS_PER_STEP 64

/* Dots per inch in a pixel per metre. */
#define DPI_PER_PPM 0.0254


/* ---- Pixel formats -------------------------------------------------------- */

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

GimpImageBaseType
dir_gimp_base_type (guint channels)
{
  return channels <= 2 ? GIMP_GRAY : GIMP_RGB;
}

GimpImageType
dir_gimp_layer_type (guint channels)
{
  switch (channels)
    {
    case 1:  return GIMP_GRAY_IMAGE;
    case 2:  return GIMP_GRAYA_IMAGE;
    case 3:  return GIMP_RGB_IMAGE;
    default: return GIMP_RGBA_IMAGE;
    }
}

/* GIMP 3 renamed the "gamma" precisions "non-linear" (the same values). */
GimpPrecision
dir_gimp_precision (guint depth)
{
#if GIMP_CHECK_VERSION (2, 99, 0)
  return depth == 16 ? GIMP_PRECISION_U16_NON_LINEAR
                     : GIMP_PRECISION_U8_NON_LINEAR;
#else
  return depth == 16 ? GIMP_PRECISION_U16_GAMMA : GIMP_PRECISION_U8_GAMMA;
#endif
}

guint
dir_gimp_export_channels (GimpImageType type)
{
  switch (type)
    {
    case GIMP_GRAY_IMAGE:     return 1;
    case GIMP_GRAYA_IMAGE:    return 2;
    case GIMP_RGB_IMAGE:
    case GIMP_INDEXED_IMAGE:  return 3;
    case GIMP_RGBA_IMAGE:
    case GIMP_INDEXEDA_IMAGE: return 4;
    default:                  return 0;
    }
}

guint
dir_gimp_export_depth (GimpPrecision precision)
{
  switch (precision)
    {
    case GIMP_PRECISION_U8_LINEAR:
#if GIMP_CHECK_VERSION (2, 99, 0)
    case GIMP_PRECISION_U8_NON_LINEAR:
    case GIMP_PRECISION_U8_PERCEPTUAL:
#else
    case GIMP_PRECISION_U8_GAMMA:
#endif
      return 8;

    default:
      return 16;
    }
}

guchar *
dir_gimp_buffer_bytes (GeglBuffer *buffer,
                       guint       channels)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  guchar              *pixels;

  pixels = g_try_malloc ((gsize) extent->width * extent->height * channels);
  if (! pixels)
    return NULL;

  gegl_buffer_get (buffer, extent, 1.0,
                   dir_gimp_format (channels, 8,
                                    gegl_buffer_get_format (buffer)),
                   pixels, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);

  return pixels;
}


/* ---- Loading -------------------------------------------------------------- */

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

gboolean
dir_gimp_file_decode (DirGimpFile  *file,
                      gchar        *data,
                      gsize         size,
                      guint64       max_pixels,
                      const gchar  *name,
                      GError      **error)
{
  dir_limits limits;
  dir_diag   diag;
  dir_error  err;

  memset (file, 0, sizeof *file);
  memset (&diag, 0, sizeof diag);
  file->data = data;
  file->size = size;

  /* GIMP cannot make images wider or taller than GIMP_MAX_IMAGE_SIZE:
   * refuse them before the core allocates anything. */
  dir_limits_default (&limits);
  dir_limits_restrict (&limits, GIMP_MAX_IMAGE_SIZE, GIMP_MAX_IMAGE_SIZE,
                       max_pixels);

  err = dir_decode_alloc (data, size, &limits, &file->pixels, &file->info,
                          NULL, &diag);
  if (err == DIR_OK)
    err = dir_read_metadata (data, size, &file->meta, &diag);

  if (err != DIR_OK)
    {
      dir_gimp_set_load_error (error, name, err, &diag);
      dir_gimp_file_clear (file);
      return FALSE;
    }

  /* dir_decode () guarantees what it decodes; never trust it blindly. */
  if (! dir_gimp_format (file->info.channels, file->info.depth, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not open '%s' as a .dir image: "
                   "unsupported %u channels of %u bits",
                   name, file->info.channels, file->info.depth);
      dir_gimp_file_clear (file);
      return FALSE;
    }

  return TRUE;
}

void
dir_gimp_file_to_buffer (DirGimpFile         *file,
                         GeglBuffer          *buffer,
                         const Babl          *format,
                         DirGimpProgressFunc  progress)
{
  const dir_info *info      = &file->info;
  gsize           row_bytes = (gsize) info->width * info->channels *
                              (info->depth / 8);
  guint32         y;

  for (y = 0; y < info->height; y += ROWS_PER_STEP)
    {
      guint32 rows = MIN (ROWS_PER_STEP, info->height - y);

      gegl_buffer_set (buffer, GEGL_RECTANGLE (0, y, info->width, rows), 0,
                       format,
                       (const guchar *) file->pixels + (gsize) y * row_bytes,
                       GEGL_AUTO_ROWSTRIDE);

      progress (0.5 + 0.5 * (gdouble) (y + rows) / info->height);
    }

  dir_free (file->pixels);
  file->pixels = NULL;
}

void
dir_gimp_file_clear (DirGimpFile *file)
{
  dir_free (file->pixels);
  g_free (file->data);
  memset (file, 0, sizeof *file);
}

gboolean
dir_gimp_file_resolution (const dir_metadata *meta,
                          gdouble            *xres,
                          gdouble            *yres)
{
  if (! meta->density_x || ! meta->density_y)
    return FALSE;

  *xres = meta->density_x * DPI_PER_PPM;
  *yres = meta->density_y * DPI_PER_PPM;

  return TRUE;
}

GimpParasite *
dir_gimp_comment_parasite (const dir_metadata *meta)
{
  if (! meta->comment)
    return NULL;

  return gimp_parasite_new ("gimp-comment", GIMP_PARASITE_PERSISTENT,
                            strlen (meta->comment) + 1, meta->comment);
}

/* The file's EXIF (a TIFF header on, as the eXIf chunk holds it) with
 * the "Exif\0\0" marker of a JPEG APP1 segment in front, the form
 * gimp_metadata_set_from_exif () reads in both GIMP versions; NULL when the
 * file has none or it is too large for that (an APP1 segment: 65527 bytes
 * of EXIF at most). */
static guchar *
exif_with_marker (const dir_metadata *meta,
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

gboolean
dir_gimp_metadata_from_file (GimpMetadata       *metadata,
                             const dir_metadata *meta,
                             const gchar        *name)
{
  gboolean any = FALSE;

  if (meta->exif_size)
    {
      GError *error = NULL;
      guchar *exif;
      gsize   exif_size = 0;

      exif = exif_with_marker (meta, &exif_size);
      if (! exif)
        g_printerr ("%s: the EXIF of '%s' (%" G_GSIZE_FORMAT " bytes) is "
                    "over GIMP's 64 KiB and is left out\n", DIR_GIMP_BINARY,
                    name, meta->exif_size);
      else if (gimp_metadata_set_from_exif (metadata, exif, exif_size, &error))
        any = TRUE;
      else
        g_printerr ("%s: the EXIF of '%s' is left out: %s\n",
                    DIR_GIMP_BINARY, name,
                    error ? error->message : "GIMP could not read it");
      g_clear_error (&error);
      g_free (exif);
    }

  if (meta->xmp_size)
    {
      GError *error = NULL;

      if (meta->xmp_size <= G_MAXINT &&
          gimp_metadata_set_from_xmp (metadata, meta->xmp,
                                      (gint) meta->xmp_size, &error))
        any = TRUE;
      else
        g_printerr ("%s: the XMP of '%s' is left out: %s\n",
                    DIR_GIMP_BINARY, name,
                    error ? error->message : "GIMP could not read it");
      g_clear_error (&error);
    }

  return any;
}

GimpMetadataLoadFlags
dir_gimp_metadata_load_flags (GimpMetadataLoadFlags  flags,
                              const dir_metadata    *meta,
                              gboolean               profile_set)
{
  /* Without EXIF and XMP GIMP has nothing to take (and would otherwise
   * fill the image's metadata with EXIF tags of its own, written out at
   * the next export). */
  if (! meta->exif_size && ! meta->xmp_size)
    return 0;

  if (meta->comment)
    flags &= ~GIMP_METADATA_LOAD_COMMENT;
  if (meta->density_x && meta->density_y)
    flags &= ~GIMP_METADATA_LOAD_RESOLUTION;
  if (profile_set)
    flags &= ~GIMP_METADATA_LOAD_COLORSPACE;

  return flags;
}

static gchar *
resolution_text (gdouble xres,
                 gdouble yres)
{
  gchar x[G_ASCII_DTOSTR_BUF_SIZE];
  gchar y[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup_printf ("%s %s", g_ascii_dtostr (x, sizeof x, xres),
                          g_ascii_dtostr (y, sizeof y, yres));
}

GimpParasite *
dir_gimp_default_resolution_parasite (gdouble xres,
                                      gdouble yres)
{
  GimpParasite *parasite;
  gchar        *text = resolution_text (xres, yres);

  parasite = gimp_parasite_new (DIR_RESOLUTION_PARASITE,
                                GIMP_PARASITE_PERSISTENT,
                                strlen (text) + 1, text);
  g_free (text);

  return parasite;
}


/* ---- Exporting ------------------------------------------------------------ */

void
dir_gimp_export_set_icc (DirGimpExportMetadata *m,
                         gconstpointer          icc,
                         gsize                  size)
{
  if (! icc || ! size)
    return;

  g_free (m->icc);
  m->icc           = g_memdup2 (icc, size);
  m->meta.icc      = m->icc;
  m->meta.icc_size = size;
}

void
dir_gimp_export_set_comment (DirGimpExportMetadata *m,
                             gconstpointer          text,
                             gsize                  size)
{
  gchar *comment;

  if (! text || ! size)
    return;

  comment = g_strndup (text, size);
  if (! *comment || ! g_utf8_validate (comment, -1, NULL))
    {
      g_free (comment);
      return;
    }

  g_free (m->comment);
  m->comment      = comment;
  m->meta.comment = comment;
}

void
dir_gimp_export_set_density (DirGimpExportMetadata *m,
                             gdouble                xres,
                             gdouble                yres,
                             const GimpParasite    *default_res)
{
  if (! (xres > 0.0 && yres > 0.0 && xres < 1e6 && yres < 1e6))
    return;

  if (default_res)
    {
      gchar    *text = resolution_text (xres, yres);
      gboolean  same = default_res->data &&
                       default_res->size == strlen (text) + 1 &&
                       ! memcmp (default_res->data, text, default_res->size);

      g_free (text);
      if (same)
        return;
    }

  m->meta.density_x = (uint32_t) (xres / DPI_PER_PPM + 0.5);
  m->meta.density_y = (uint32_t) (yres / DPI_PER_PPM + 0.5);
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
dir_gimp_own_metadata (GimpMetadata *metadata,
                       gboolean     *exif,
                       gboolean     *xmp)
{
  static const gchar *const gimp_exif[] =
  {
    "Exif.Image.ImageWidth", "Exif.Image.ImageLength",
    "Exif.Image.BitsPerSample", "Exif.Image.XResolution",
    "Exif.Image.YResolution", "Exif.Image.ResolutionUnit",
    "Exif.Image.Orientation", "Exif.Photo.ColorSpace"
  };
  static const gchar *const gimp_xmp[] = { "Xmp.tiff.Orientation" };
  GExiv2Metadata *g2 = metadata ? GEXIV2_METADATA (metadata) : NULL;
  gchar         **tags;

  *exif = *xmp = FALSE;
  if (! g2)
    return;

  if (gexiv2_metadata_has_exif (g2))
    {
      tags  = gexiv2_metadata_get_exif_tags (g2);
      *exif = has_tag_beyond (tags, gimp_exif, G_N_ELEMENTS (gimp_exif));
      g_strfreev (tags);
    }
  if (gexiv2_metadata_has_xmp (g2))
    {
      tags = gexiv2_metadata_get_xmp_tags (g2);
      *xmp = has_tag_beyond (tags, gimp_xmp, G_N_ELEMENTS (gimp_xmp));
      g_strfreev (tags);
    }
}

/* EXIF as gexiv2 hands it out (starting at the TIFF header, or with the
 * "Exif\0\0" marker): the part from the TIFF header on, which the core's
 * eXIf chunk holds, or NULL when it has no TIFF header. */
static const guint8 *
exif_tiff (const guint8 *data,
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

void
dir_gimp_export_set_exif_xmp (DirGimpExportMetadata *m,
                              GimpMetadata          *prepared,
                              gboolean               with_exif,
                              gboolean               with_xmp,
                              const gchar           *name)
{
  GExiv2Metadata *g2    = GEXIV2_METADATA (prepared);
  GError         *error = NULL;

  if (with_exif && gexiv2_metadata_has_exif (g2))
    {
      m->exif = gexiv2_metadata_get_exif_data (g2, GEXIV2_BYTE_ORDER_LITTLE,
                                               &error);
      if (m->exif)
        {
          gsize         size;
          const guint8 *data = g_bytes_get_data (m->exif, &size);

          m->meta.exif = exif_tiff (data, size, &m->meta.exif_size);
          if (! m->meta.exif)
            m->meta.exif_size = 0;
        }
      if (error)
        g_printerr ("%s: the EXIF of '%s' is left out: %s\n", DIR_GIMP_BINARY,
                    name, error->message);
      g_clear_error (&error);
    }

  if (with_xmp && gexiv2_metadata_has_xmp (g2))
    {
      m->xmp = gexiv2_metadata_try_generate_xmp_packet (g2,
                                                        GEXIV2_USE_COMPACT_FORMAT |
                                                        GEXIV2_OMIT_ALL_FORMATTING,
                                                        0, &error);
      if (m->xmp && *m->xmp && g_utf8_validate (m->xmp, -1, NULL))
        {
          m->meta.xmp      = m->xmp;
          m->meta.xmp_size = strlen (m->xmp);
        }
      if (error)
        g_printerr ("%s: the XMP of '%s' is left out: %s\n", DIR_GIMP_BINARY,
                    name, error->message);
      g_clear_error (&error);
    }
}

void
dir_gimp_export_metadata_clear (DirGimpExportMetadata *m)
{
  g_free (m->icc);
  g_clear_pointer (&m->exif, g_bytes_unref);
  g_free (m->xmp);
  g_free (m->comment);
  memset (m, 0, sizeof *m);
}

/* The encoder's progress (most of it the zstd compression) is the middle
 * 0.3 .. 0.9 of the export's progress bar. */
typedef struct
{
  DirGimpProgressFunc progress;
} EncodeProgress;

static int
encode_progress (void    *user,
                 gdouble  done)
{
  EncodeProgress *p = user;

  p->progress (0.3 + 0.6 * done);

  return 0;
}

/* Replaces `file` with `size` bytes atomically: a temporary file renamed
 * over it.  A local file keeps its permissions and a symbolic link to it
 * is followed (its target is replaced, the link kept). */
static gboolean
write_file (GFile          *file,
            gconstpointer   data,
            gsize           size,
            GError        **error)
{
  gchar    *path = g_file_get_path (file);
  gchar    *target;
  GStatBuf  st;
  gint      mode = 0666;
  gboolean  ok;

  if (! path)
    return g_file_replace_contents (file, data, size, NULL, FALSE,
                                    G_FILE_CREATE_NONE, NULL, NULL, error);

  target = realpath (path, NULL);
  if (target && g_stat (target, &st) == 0)
    mode = st.st_mode & 0777;

  ok = g_file_set_contents_full (target ? target : path, data, size,
                                 G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
  free (target);
  g_free (path);

  return ok;
}

gboolean
dir_gimp_export_buffer (GeglBuffer               *buffer,
                        guint                     channels,
                        guint                     depth,
                        const dir_metadata       *meta_in,
                        const dir_encode_options *options,
                        GFile                    *file,
                        const gchar              *name,
                        DirGimpProgressFunc       progress,
                        GError                  **error)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  dir_metadata         meta   = *meta_in;
  dir_encode_options   opt    = *options;
  EncodeProgress       ep     = { progress };
  const Babl          *format;
  dir_pixels           px;
  dir_diag             diag;
  dir_error            err;
  guchar              *pixels;
  void                *out      = NULL;
  size_t               out_size = 0;
  gint                 width    = extent->width;
  gint                 height   = extent->height;
  gsize                row_bytes;
  gint                 y;
  gboolean             ok;

  memset (&diag, 0, sizeof diag);

  /* The drawable's own colour space: no colour conversion, only a change
   * of layout. */
  format = dir_gimp_format (channels, depth, gegl_buffer_get_format (buffer));
  if (! format)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Cannot export '%s': unsupported drawable type", name);
      return FALSE;
    }

  if (width <= 0 || height <= 0 ||
      (guint64) width * (guint64) height > DIR_MAX_PIXELS)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "Cannot export '%s': %d x %d is over the .dir limit of "
                   "%" G_GUINT64_FORMAT " pixels",
                   name, width, height, (guint64) DIR_MAX_PIXELS);
      return FALSE;
    }

  row_bytes = (gsize) width * channels * (depth / 8);
  pixels    = g_try_malloc ((gsize) height * row_bytes);
  if (! pixels)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   "Cannot export '%s': out of memory for %d x %d pixels",
                   name, width, height);
      return FALSE;
    }

  for (y = 0; y < height; y += ROWS_PER_STEP)
    {
      gint rows = MIN (ROWS_PER_STEP, height - y);

      gegl_buffer_get (buffer,
                       GEGL_RECTANGLE (extent->x, extent->y + y, width, rows),
                       1.0, format, pixels + (gsize) y * row_bytes,
                       GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);

      progress (0.3 * (gdouble) (y + rows) / height);
    }

  if (opt.format_version == 1 ||
      (opt.format_version == 0 &&
       opt.backend == DIR_BACKEND_NONE && opt.filter == DIR_FILTER_NONE &&
       depth == 8 && channels != 2 && ! meta.icc_size && ! meta.exif_size &&
       ! meta.xmp_size && ! meta.comment))
    meta.density_x = meta.density_y = 0;

  opt.progress      = encode_progress;
  opt.progress_user = &ep;

  px.data     = pixels;
  px.width    = width;
  px.height   = height;
  px.channels = channels;
  px.depth    = depth;
  px.stride   = row_bytes;
  err = dir_encode_image (&px, &meta, &opt, &out, &out_size, NULL, &diag);
  g_free (pixels);

  if (err != DIR_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not encode '%s' as .dir: %s", name,
                   diag.message[0] ? diag.message : dir_strerror (err));
      return FALSE;
    }

  progress (0.9);

  ok = write_file (file, out, out_size, error);
  dir_free (out);

  if (ok)
    progress (1.0);

  return ok;
}


/* ---- Options -------------------------------------------------------------- */

gboolean
dir_gimp_set_option (dir_encode_options  *opt,
                     const gchar         *name,
                     const gchar         *value,
                     GError             **error)
{
  dir_diag diag;

  memset (&diag, 0, sizeof diag);
  if (dir_option_set (opt, name, value, &diag) == DIR_OK)
    return TRUE;

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "Invalid .dir export option: %s",
               diag.message[0] ? diag.message : dir_strerror (DIR_EINVAL));
  return FALSE;
}

gboolean
dir_gimp_check_option (const dir_encode_options  *opt,
                       const gchar               *name,
                       GError                   **error)
{
  dir_diag diag;

  memset (&diag, 0, sizeof diag);
  if (dir_option_check (opt, name, &diag) == DIR_OK)
    return TRUE;

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "Invalid .dir export option: %s",
               diag.message[0] ? diag.message : dir_strerror (DIR_EINVAL));
  return FALSE;
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
dir_gimp_text_words (const gchar     *text,
                     DirGimpWordFunc  func,
                     gpointer         user)
{
  gchar **words;
  gint    i;

  if (! text)
    return;

  words = g_strsplit_set (text, " \t\n", -1);
  for (i = 0; words[i]; i++)
    {
      gchar *eq = strchr (words[i], '=');

      if (eq)
        {
          *eq = '\0';
          func (words[i], eq + 1, user);
        }
    }
  g_strfreev (words);
}

static void
option_word (const gchar *name,
             const gchar *value,
             gpointer     opt)
{
  if (strcmp (name, "preset") != 0)
    (void) dir_option_set (opt, name, value, NULL);
}

void
dir_gimp_options_from_text (dir_encode_options *opt,
                            const gchar        *text)
{
  dir_gimp_text_words (text, option_word, opt);
}

gchar *
dir_gimp_mnemonic_label (const gchar *label,
                         gchar       *used,
                         gsize        used_size)
{
  const gchar *p;
  gsize        n = strlen (used);

  for (p = label; *p && n + 1 < used_size; p++)
    {
      gchar c = g_ascii_tolower (*p);

      if (g_ascii_isalpha (c) && ! strchr (used, c))
        {
          used[n]     = c;
          used[n + 1] = '\0';

          return g_strdup_printf ("%.*s_%s", (gint) (p - label), label, p);
        }
    }

  return g_strdup (label);
}
