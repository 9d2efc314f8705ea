/* SPDX-License-Identifier: MIT */
/* heatmap_render.h -- the readable heatmap, drawn the same way by every
 * front end: `dirtool array heatmap`, GIMP 2.10's and GIMP 3's Numeric
 * array heatmap.  From an image's pixels (decoded by the core: dira_decode
 * and dira_decode_tensors) it draws for each tensor a panel with a title
 * (name, shape, dtype), the tensor in its own shape (the core's
 * dira_heatmap_tensor, cells enlarged), a colour bar with numeric ticks and
 * the clip colours, and a line of statistics (min, max, mean, standard
 * deviation, scale, clipped values); or, plain, the grid of one pixel per
 * value (dira_heatmap_scaled).  Text and shapes are drawn with cairo.  This
 * is drawing, not format logic: every number comes from the core.  Built as
 * a static library (heatmap/meson.build) for dirtool and both plug-ins; the
 * core itself stays free of cairo. */
#ifndef DIR_HEATMAP_RENDER_H
#define DIR_HEATMAP_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

/* Largest --zoom (pixels per cell). */
#define HEAT_MAX_ZOOM 64

/* Largest panel (a tensor's picture with its title, colour bar and
 * statistics): cairo's 32767 pixels a side, and 2^26 pixels (256 MiB as
 * cairo's RGB24) in all.  A tensor's cells are at most DIRA_HEAT_MAX_SIDE a
 * side (longer layouts are reduced by the core), so --zoom 1 always fits. */
#define HEAT_MAX_PANEL_SIDE   32767u
#define HEAT_MAX_PANEL_PIXELS ((uint64_t)1 << 26)

/* What to draw, and how to read the pixels. */
typedef struct heat_request {
    dira_options read;      /* classic, capacity, ldeczeroes, alpha (dira_options_default) */
    dira_heat_options heat; /* scale, percentile, tiles (the readable heatmap) */
    unsigned zoom;          /* pixels per cell, 0 (automatic) .. HEAT_MAX_ZOOM */
    int plain;              /* the plain grid of one pixel per value */
    /* plain grid's rows x columns: both 0 near-square, one 0 follows from
     * the other; either non-zero draws the plain grid */
    uint32_t rows, cols;
} heat_request;

/* The defaults: the readable heatmap, self-describing images. */
void heat_request_default(heat_request *req);

#define HEAT_LABEL_SIZE 320

/* One drawn panel: packed RGB, `width` x `height`, at row `y` of the page. */
typedef struct heat_panel {
    char label[HEAT_LABEL_SIZE]; /* "W1 (784, 100) float64"; plain: "Heatmap" */
    uint8_t *rgb;
    uint32_t width, height, y;
} heat_panel;

/* What heat_render_pixels draws: the panels, stacked top to bottom on a
 * white page of width x height (the widest panel). */
typedef struct heat_page {
    size_t count;
    heat_panel *panels;
    uint32_t width, height;
    uint64_t values;       /* elements of every tensor drawn */
    double min, max, mean; /* over the finite ones */
    char *report;          /* what dirtool prints: a line per tensor, or plain
                              "count N min X max Y mean Z", each double in its
                              shortest exact form */
    char *warnings;        /* NULL, or lines for the user: each tensor drawn
                              without the tiles asked for, and why */
} heat_page;

/* Called after each panel with the fraction done. */
typedef void (*heat_progress_fn)(double fraction, void *user);

/* Result of heat_render_pixels. */
enum { HEAT_OK = 0, HEAT_EREAD = 1, HEAT_EDRAW = 2 };

/* Reads the pixels (channels 3 or 4, 8-bit; stride 0 = packed) as numeric
 * arrays and draws them.  Normalised self-describing values are drawn as
 * the original values; tensors without elements are left out; tiles go
 * only to the tensors whose rows (or 2-D columns) have R*C values, the
 * others are drawn in their shape with a line in page->warnings, and no
 * tensor fitting is an error (HEAT_EDRAW, err naming the first).  Returns
 * HEAT_OK; HEAT_EREAD when the pixels are no array image (err: the core's
 * message); HEAT_EDRAW when drawing failed (err says why).  *page is then
 * empty.  progress may be NULL. */
int heat_render_pixels(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                       size_t stride, const heat_request *req, heat_progress_fn progress,
                       void *user, heat_page *page, char *err, size_t errlen);

/* The whole page as packed RGB (malloc()ed): the panels over white, the
 * picture `dirtool array heatmap` writes.  NULL when out of memory. */
uint8_t *heat_page_compose(const heat_page *page);

void heat_page_free(heat_page *page);

/* "W1 (784, 100) float64" (name "(unnamed)" when empty). */
void heat_tensor_label(const dira_tensor *t, char *buf, size_t size);

/* Cell size when zoom is 0: small tensors enlarged until the longer side
 * reaches about 480 pixels, at most 16 pixels a cell, at least 1. */
unsigned heat_auto_zoom(uint32_t rows, uint32_t cols);

/* Frees the font caches cairo and fontconfig keep for the process (so
 * that leak checkers see none); for a program that draws no more text
 * afterwards, such as dirtool -- not for a host that goes on using fonts. */
void heat_render_release(void);

#endif
