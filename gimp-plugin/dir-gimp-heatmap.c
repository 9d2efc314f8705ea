/* SPDX-License-Identifier: MIT */
/*
 * dir-gimp-heatmap.c -- the heatmap glue both GIMP plug-ins share (see
 * dir-gimp-heatmap.h).
 */

#include <string.h>

#include "dir-gimp-heatmap.h"

void
dir_gimp_heatmap_vals_default (DirHeatmapVals *vals)
{
  memset (vals, 0, sizeof *vals);
  vals->capacity   = 1;
  vals->ldeczeroes = TRUE;
}

gboolean
dir_gimp_heatmap_vals_check (const DirHeatmapVals *vals,
                             GError              **error)
{
  const gchar *bad = NULL;

  if (vals->capacity < 0 || vals->capacity > 2)
    bad = "capacity takes 0, 1 or 2";
  else if (vals->rows < 0 || vals->cols < 0)
    bad = "rows and cols must be 0 (automatic) or positive";
  else if (! (vals->scale >= 0.0 && vals->scale <= 1e300))
    bad = "scale must be 0 (automatic) or positive";
  else if (vals->zoom < 0 || vals->zoom > HEAT_MAX_ZOOM)
    bad = "zoom takes 0 (automatic) to 64";
  else if (! (vals->percentile >= 0.0 && vals->percentile <= 100.0))
    bad = "percentile takes 0 (99.5) or a number above 0 and at most 100";
  else if (vals->tile_rows < 0 || vals->tile_cols < 0 ||
           vals->tile_rows > 4096 || vals->tile_cols > 4096 ||
           (vals->tile_rows == 0) != (vals->tile_cols == 0))
    bad = "tile-rows and tile-cols are both 0 (no tiles) or both 1 to 4096";

  if (bad)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s", bad);
      return FALSE;
    }
  return TRUE;
}

gchar *
dir_gimp_heatmap_describe (const guchar *pixels,
                           guint         width,
                           guint         height,
                           guint         channels)
{
  dira_options  opt;
  dira_tensors *ts = NULL;
  dira_info     info;
  dir_diag      diag;
  GString      *text;
  guint64       values = 0;
  gsize         i;

  if (! dira_is_self_describing (pixels, width, height, channels))
    return NULL;

  dira_options_default (&opt);
  if (dira_decode_tensors (pixels, width, height, channels, 0, &opt, &ts,
                           &info, &diag) != DIR_OK)
    return g_strdup_printf ("The self-describing header is damaged: %s",
                            diag.message);

  for (i = 0; i < ts->count; i++)
    values += dira_tensor_elements (&ts->tensors[i]);

  text = g_string_new (NULL);
  g_string_append_printf (text, "%" G_GSIZE_FORMAT " tensor%s, %"
                          G_GUINT64_FORMAT " values:",
                          ts->count, ts->count == 1 ? "" : "s", values);
  for (i = 0; i < ts->count && i < 12; i++)
    {
      gchar label[HEAT_LABEL_SIZE];

      heat_tensor_label (&ts->tensors[i], label, sizeof label);
      g_string_append_printf (text, "\n    %s", label);
    }
  if (ts->count > 12)
    g_string_append_printf (text, "\n    ... and %" G_GSIZE_FORMAT " more",
                            ts->count - 12);
  dir_free (ts);

  return g_string_free (text, FALSE);
}

gboolean
dir_gimp_heatmap_render (const guchar         *pixels,
                         guint                 width,
                         guint                 height,
                         guint                 channels,
                         const DirHeatmapVals *vals,
                         heat_progress_fn      progress,
                         gpointer              user,
                         guint                 max_side,
                         heat_page            *page,
                         GError              **error)
{
  heat_request req;
  gchar        err[1024];
  gint         rc;

  if (! dir_gimp_heatmap_vals_check (vals, error))
    return FALSE;

  heat_request_default (&req);
  req.read.classic     = vals->classic;
  req.read.capacity    = vals->capacity;
  req.read.ldeczeroes  = vals->ldeczeroes;
  req.read.alpha       = vals->alpha && channels == 4;
  req.heat.scale       = vals->scale;
  req.heat.percentile  = vals->percentile;
  req.heat.tile_rows   = (uint32_t) vals->tile_rows;
  req.heat.tile_cols   = (uint32_t) vals->tile_cols;
  req.zoom             = (unsigned) vals->zoom;
  req.plain            = vals->plain;
  req.rows             = (uint32_t) vals->rows;
  req.cols             = (uint32_t) vals->cols;

  rc = heat_render_pixels (pixels, width, height, channels, 0, &req,
                           progress, user, page, err, sizeof err);
  if (rc == HEAT_EREAD)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not read the layer as a numeric array: %s", err);
      return FALSE;
    }
  if (rc != HEAT_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not draw the heatmap: %s", err);
      return FALSE;
    }
  if (page->width > max_side || page->height > max_side)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "Could not draw the heatmap: %ux%u pixels is larger than "
                   "GIMP's largest image (%u on a side)",
                   page->width, page->height, max_side);
      heat_page_free (page);
      return FALSE;
    }
  return TRUE;
}
