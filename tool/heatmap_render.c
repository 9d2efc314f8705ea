/* SPDX-License-Identifier: MIT */
/* heatmap_render.c -- panels of the readable heatmap, drawn with cairo.
 * The layout and colours come from the core (dira_heatmap_tensor); this
 * file only enlarges the cells and draws the text, the colour bar and the
 * ticks.  See heatmap_render.h. */
#include "heatmap_render.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN  12
#define TITLE_H 28
#define BAR_W   16
#define BAR_GAP 14
#define LABEL_W 78
#define STATS_H 34
#define MIN_BAR 160
#define FONT    "DejaVu Sans"

unsigned heat_auto_zoom(uint32_t rows, uint32_t cols)
{
    uint32_t side = rows > cols ? rows : cols;
    unsigned z = side ? 480u / side : 1u;
    if (z < 1) z = 1;
    if (z > 16) z = 16;
    return z;
}

static void shape_text(const dira_tensor *t, char *buf, size_t size)
{
    size_t k = (size_t)snprintf(buf, size, "(");
    for (unsigned i = 0; i < t->rank && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s%llu", i ? ", " : "",
                              (unsigned long long)t->shape[i]);
    if (k < size) snprintf(buf + k, size - k, "%s)", t->rank == 1 ? "," : "");
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

static void fmt_num(double v, char *buf, size_t size)
{
    if (v == 0)
        snprintf(buf, size, "0");
    else
        snprintf(buf, size, "%.3g", v);
}

int heat_render_panel(const dira_tensor *t, const dira_heat_options *opt, unsigned zoom,
                      uint8_t **rgb, uint32_t *width, uint32_t *height, dira_heat *heat, char *err,
                      size_t errlen)
{
    dir_diag diag;
    if (dira_heatmap_tensor(t, opt, heat, &diag) != DIR_OK) {
        snprintf(err, errlen, "%s", diag.message);
        return -1;
    }
    unsigned z = zoom ? zoom : heat_auto_zoom(heat->rows, heat->cols);
    /* a strip (one row) is drawn at least 16 pixels tall */
    unsigned zy = heat->rows == 1 && z < 16 ? 16 : z;
    uint64_t gw = (uint64_t)heat->cols * z, gh = (uint64_t)heat->rows * zy;
    if (gw > 32768 || gh > 32768) {
        snprintf(err, errlen, "the heatmap of '%s' would be %llux%llu pixels: use a smaller --zoom",
                 t->name, (unsigned long long)gw, (unsigned long long)gh);
        dir_free(heat->rgb);
        heat->rgb = NULL;
        return -1;
    }
    char title[512], shape[256], stats[512];
    shape_text(t, shape, sizeof shape);
    snprintf(title, sizeof title, "%s  %s  %s", t->name[0] ? t->name : "(unnamed)", shape,
             dira_dtype_name(t->dtype));
    if (heat->tiled)
        snprintf(title + strlen(title), sizeof title - strlen(title), "  -  %s as %ux%u tiles",
                 heat->tiled == 1 ? "rows" : "columns", opt->tile_rows, opt->tile_cols);
    char a[32], b[32], c[32], d[32], sc[32];
    fmt_num(heat->min, a, sizeof a);
    fmt_num(heat->max, b, sizeof b);
    fmt_num(heat->mean, c, sizeof c);
    fmt_num(heat->std, d, sizeof d);
    fmt_num(heat->scale, sc, sizeof sc);
    int k = snprintf(stats, sizeof stats, "min %s  max %s  mean %s  std %s  scale \xc2\xb1%s", a, b,
                     c, d, sc);
    if (opt->scale == 0)
        k += snprintf(stats + k, sizeof stats - (size_t)k, " (%.4g%% of |v|)",
                      opt->percentile ? opt->percentile : 99.5);
    if (heat->clipped_low + heat->clipped_high)
        k +=
            snprintf(stats + k, sizeof stats - (size_t)k, "  clipped %llu low, %llu high",
                     (unsigned long long)heat->clipped_low, (unsigned long long)heat->clipped_high);
    if (heat->nonfinite)
        snprintf(stats + k, sizeof stats - (size_t)k, "  %llu non-finite (black)",
                 (unsigned long long)heat->nonfinite);

    /* measure the text on a scratch surface */
    cairo_surface_t *scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    cairo_t *cr = cairo_create(scratch);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 14);
    double tw = text_width(cr, title);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    double sw = text_width(cr, stats);
    cairo_destroy(cr);
    cairo_surface_destroy(scratch);

    uint64_t bh = gh > MIN_BAR ? gh : MIN_BAR;
    uint64_t body = gh > bh ? gh : bh;
    uint64_t W = MARGIN + gw + BAR_GAP + BAR_W + LABEL_W;
    if (W < (uint64_t)tw + 2 * MARGIN) W = (uint64_t)tw + 2 * MARGIN;
    if (W < (uint64_t)sw + 2 * MARGIN) W = (uint64_t)sw + 2 * MARGIN;
    uint64_t H = TITLE_H + body + 10 + STATS_H;
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)W, (int)H);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "cairo: %s", cairo_status_to_string(cairo_surface_status(surf)));
        cairo_surface_destroy(surf);
        dir_free(heat->rgb);
        heat->rgb = NULL;
        return -1;
    }
    cr = cairo_create(surf);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);

    /* the cells, enlarged without smoothing */
    cairo_surface_t *cells =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)heat->cols, (int)heat->rows);
    unsigned char *cd = cairo_image_surface_get_data(cells);
    int cstride = cairo_image_surface_get_stride(cells);
    cairo_surface_flush(cells);
    for (uint32_t y = 0; y < heat->rows; y++)
        for (uint32_t x = 0; x < heat->cols; x++) {
            const uint8_t *p = heat->rgb + 3 * ((size_t)y * heat->cols + x);
            uint32_t px = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            memcpy(cd + (size_t)y * (size_t)cstride + 4 * (size_t)x, &px, 4);
        }
    cairo_surface_mark_dirty(cells);
    cairo_save(cr);
    cairo_translate(cr, MARGIN, TITLE_H);
    cairo_scale(cr, z, zy);
    cairo_set_source_surface(cr, cells, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_rectangle(cr, 0, 0, heat->cols, heat->rows);
    cairo_fill(cr);
    cairo_restore(cr);
    cairo_surface_destroy(cells);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, MARGIN - 0.5, TITLE_H - 0.5, (double)gw + 1, (double)gh + 1);
    cairo_stroke(cr);

    /* the colour bar: +scale at the top, -scale at the bottom; the clip
     * colours as triangles beyond its ends */
    double bx = MARGIN + (double)gw + BAR_GAP, by = TITLE_H + 10, bhh = (double)bh - 20;
    for (int i = 0; i < (int)bhh; i++) {
        double val = heat->scale * (1 - 2 * (i + 0.5) / bhh);
        uint8_t col[3];
        dira_colour(val, heat->scale, col);
        cairo_set_source_rgb(cr, col[0] / 255.0, col[1] / 255.0, col[2] / 255.0);
        cairo_rectangle(cr, bx, by + i, BAR_W, 1);
        cairo_fill(cr);
    }
    static const uint8_t lo[3] = {DIRA_CLIP_LOW}, hi[3] = {DIRA_CLIP_HIGH};
    cairo_set_source_rgb(cr, hi[0] / 255.0, hi[1] / 255.0, hi[2] / 255.0);
    cairo_move_to(cr, bx, by - 1);
    cairo_line_to(cr, bx + BAR_W, by - 1);
    cairo_line_to(cr, bx + BAR_W / 2.0, by - 9);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, lo[0] / 255.0, lo[1] / 255.0, lo[2] / 255.0);
    cairo_move_to(cr, bx, by + bhh + 1);
    cairo_line_to(cr, bx + BAR_W, by + bhh + 1);
    cairo_line_to(cr, bx + BAR_W / 2.0, by + bhh + 9);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_rectangle(cr, bx - 0.5, by - 0.5, BAR_W + 1, bhh + 1);
    cairo_stroke(cr);
    /* ticks at -s, -s/2, 0, s/2, s */
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    for (int i = 0; i <= 4; i++) {
        double f = i / 4.0, y = by + f * bhh;
        char lab[32];
        fmt_num(heat->scale * (1 - 2 * f), lab, sizeof lab);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, bx + BAR_W, y + 0.5);
        cairo_line_to(cr, bx + BAR_W + 4, y + 0.5);
        cairo_stroke(cr);
        cairo_move_to(cr, bx + BAR_W + 6, y + 4);
        cairo_show_text(cr, lab);
    }
    /* title and statistics */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 14);
    cairo_move_to(cr, MARGIN, 19);
    cairo_show_text(cr, title);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    cairo_move_to(cr, MARGIN, (double)(TITLE_H + body + 10 + 14));
    cairo_show_text(cr, stats);
    cairo_destroy(cr);
    cairo_surface_flush(surf);

    uint8_t *out = malloc((size_t)(W * H * 3));
    if (!out) {
        cairo_surface_destroy(surf);
        dir_free(heat->rgb);
        heat->rgb = NULL;
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    const unsigned char *sd = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    for (uint64_t y = 0; y < H; y++)
        for (uint64_t x = 0; x < W; x++) {
            uint32_t px;
            memcpy(&px, sd + y * (uint64_t)stride + 4 * x, 4);
            uint8_t *o = out + 3 * (y * W + x);
            o[0] = (uint8_t)(px >> 16);
            o[1] = (uint8_t)(px >> 8);
            o[2] = (uint8_t)px;
        }
    cairo_surface_destroy(surf);
    dir_free(heat->rgb);
    heat->rgb = NULL;
    *rgb = out;
    *width = (uint32_t)W;
    *height = (uint32_t)H;
    return 0;
}

int heat_render_all(const dira_tensor *t, size_t n, const dira_heat_options *opt, unsigned zoom,
                    uint8_t **rgb, uint32_t *width, uint32_t *height, FILE *report, char *err,
                    size_t errlen)
{
    uint8_t **panels = calloc(n ? n : 1, sizeof *panels);
    uint32_t *pw = calloc(n ? n : 1, sizeof *pw), *ph = calloc(n ? n : 1, sizeof *ph);
    if (!panels || !pw || !ph) {
        free(panels);
        free(pw);
        free(ph);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t W = 0, H = 0;
    int rc = 0;
    size_t drawn = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        dira_heat heat;
        if (dira_tensor_elements(&t[i]) == 0) continue; /* nothing to draw */
        /* tiles only for the tensors whose rows (or, 2-D, columns) fit them */
        dira_heat_options o = *opt;
        if (o.tile_rows) {
            uint64_t rc2 = (uint64_t)o.tile_rows * o.tile_cols;
            int fits = t[i].rank >= 2 && (t[i].shape[t[i].rank - 1] == rc2 ||
                                          (t[i].rank == 2 && t[i].shape[0] == rc2));
            if (!fits) o.tile_rows = o.tile_cols = 0;
        }
        rc = heat_render_panel(&t[i], &o, zoom, &panels[i], &pw[i], &ph[i], &heat, err, errlen);
        if (rc) break;
        drawn++;
        if (pw[i] > W) W = pw[i];
        H += ph[i];
        if (report) {
            char s[256];
            shape_text(&t[i], s, sizeof s);
            char a[DIRA_NUMBER_BUFSIZE], b[DIRA_NUMBER_BUFSIZE], c[DIRA_NUMBER_BUFSIZE],
                d[DIRA_NUMBER_BUFSIZE], e[DIRA_NUMBER_BUFSIZE];
            dira_shortest(heat.min, a);
            dira_shortest(heat.max, b);
            dira_shortest(heat.mean, c);
            dira_shortest(heat.std, d);
            dira_shortest(heat.scale, e);
            fprintf(report,
                    "%s %s %s: count %llu min %s max %s mean %s std %s scale %s clipped %llu "
                    "non-finite %llu\n",
                    t[i].name[0] ? t[i].name : "(unnamed)", s, dira_dtype_name(t[i].dtype),
                    (unsigned long long)heat.count, a, b, c, d, e,
                    (unsigned long long)(heat.clipped_low + heat.clipped_high),
                    (unsigned long long)heat.nonfinite);
        }
    }
    if (rc == 0 && drawn == 0) rc = -1, snprintf(err, errlen, "no tensor has values to draw");
    uint8_t *out = rc == 0 ? malloc((size_t)(W * H * 3)) : NULL;
    if (rc == 0 && !out) rc = -1, snprintf(err, errlen, "out of memory");
    if (rc == 0) {
        memset(out, 255, (size_t)(W * H * 3));
        uint64_t y0 = 0;
        for (size_t i = 0; i < n; i++) {
            if (!panels[i]) continue;
            for (uint32_t y = 0; y < ph[i]; y++)
                memcpy(out + 3 * ((y0 + y) * W), panels[i] + 3 * (size_t)y * pw[i],
                       3 * (size_t)pw[i]);
            y0 += ph[i];
        }
        *rgb = out;
        *width = (uint32_t)W;
        *height = (uint32_t)H;
    }
    for (size_t i = 0; i < n; i++)
        free(panels[i]);
    free(panels);
    free(pw);
    free(ph);
    return rc;
}

void heat_render_release(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
