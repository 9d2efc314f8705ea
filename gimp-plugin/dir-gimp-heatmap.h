/* SPDX-License-Identifier: MIT */
/*
 * dir-gimp-heatmap.h -- the Numeric array heatmap as both GIMP plug-ins
 * (2.10 and 3) run it.  Only GLib here, no libgimp: the drawing is the one
 * `dirtool array heatmap` uses (heatmap/heatmap_render.h), and this file
 * gives it GIMP's wording of errors and describes a layer's tensors for the
 * dialogs.  Each plug-in turns the page into an image in its own libgimp:
 * a white "Background" and one layer per tensor, named after it.
 */

#ifndef DIR_GIMP_HEATMAP_H
#define DIR_GIMP_HEATMAP_H

#include <glib.h>

#include "dir.h"
#include "heatmap_render.h"

/* The heatmap's options, as procedure arguments and dialog fields. */
typedef struct
{
  gboolean classic;     /* a classic image (no header) with the next three */
  gint     capacity;    /* 0, 1 or 2 */
  gboolean ldeczeroes;
  gboolean alpha;
  gint     rows;        /* plain grid: rows x cols (0: near-square) */
  gint     cols;
  gdouble  scale;       /* full colour at +-scale; 0: percentile (plain: the largest |v|) */
  gint     zoom;        /* pixels per cell, 0: automatic */
  gdouble  percentile;  /* of |v| for the scale; 0: 99.5 */
  gint     tile_rows;   /* each row of a matrix as tile_rows x tile_cols; 0: none */
  gint     tile_cols;
  gboolean plain;       /* one pixel per value (dirtool --plain) */
} DirHeatmapVals;

/* The defaults: the readable heatmap of a self-describing image. */
void       dir_gimp_heatmap_vals_default (DirHeatmapVals       *vals);

/* FALSE, with a GError naming the argument, for values a script may not
 * pass (interactive dialogs cannot make them). */
gboolean   dir_gimp_heatmap_vals_check   (const DirHeatmapVals *vals,
                                          GError              **error);

/* "3 tensors, 79510 values:\n  W1 (784, 100) float64\n  ..." for the
 * dialog, or NULL when the pixels have no self-describing header. */
gchar    * dir_gimp_heatmap_describe     (const guchar         *pixels,
                                          guint                 width,
                                          guint                 height,
                                          guint                 channels);

/* Draws the pixels (RGB or RGBA, 8-bit) as heat_render_pixels () does;
 * FALSE with "Could not read the layer as a numeric array: <the core's
 * message>" or "Could not draw the heatmap: ...", also when the page
 * would be over max_side pixels on a side. */
gboolean   dir_gimp_heatmap_render       (const guchar         *pixels,
                                          guint                 width,
                                          guint                 height,
                                          guint                 channels,
                                          const DirHeatmapVals *vals,
                                          heat_progress_fn      progress,
                                          gpointer              user,
                                          guint                 max_side,
                                          heat_page            *page,
                                          GError              **error);

#endif /* DIR_GIMP_HEATMAP_H */
