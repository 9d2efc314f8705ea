/* SPDX-License-Identifier: MIT */
/* heatmap_render.h -- the readable heatmap of `dirtool array heatmap`: for
 * each tensor a panel with a title (name, shape, dtype), the tensor in its
 * own shape (the core's dira_heatmap_tensor, cells enlarged), a colour bar
 * with numeric ticks and the clip colours, and a line of statistics (min,
 * max, mean, standard deviation, scale, clipped values).  Text and shapes
 * are drawn with cairo.  Shared code for front ends (dirtool; a GIMP filter
 * can draw each panel as a layer). */
#ifndef DIRTOOL_HEATMAP_RENDER_H
#define DIRTOOL_HEATMAP_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "dir.h"

/* Cell size when zoom is 0: small tensors enlarged until the longer side
 * reaches about 480 pixels, at most 16 pixels a cell, at least 1. */
unsigned heat_auto_zoom(uint32_t rows, uint32_t cols);

/* One tensor's panel as packed RGB (malloc()ed).  zoom 0: heat_auto_zoom.
 * *heat gets what the core computed (its rgb freed).  Returns 0, or -1
 * with err. */
int heat_render_panel(const dira_tensor *t, const dira_heat_options *opt, unsigned zoom,
                      uint8_t **rgb, uint32_t *width, uint32_t *height, dira_heat *heat, char *err,
                      size_t errlen);

/* Every tensor's panel, stacked top to bottom on a white page; the
 * statistics of each are printed to `report` (NULL: not printed). */
int heat_render_all(const dira_tensor *t, size_t n, const dira_heat_options *opt, unsigned zoom,
                    uint8_t **rgb, uint32_t *width, uint32_t *height, FILE *report, char *err,
                    size_t errlen);

/* Frees the font caches cairo and fontconfig keep for the process (so
 * that leak checkers see none); for a program that draws no more text
 * afterwards, such as dirtool -- not for a host that goes on using fonts. */
void heat_render_release(void);

#endif
