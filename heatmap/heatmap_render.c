/* SPDX-License-Identifier: MIT */
/* heatmap_render.c -- the readable heatmap's panels, drawn with cairo, for
 * dirtool and the GIMP plug-ins.  The decoding, layout, colours and
 * statistics come from the core (dira_decode_tensors, dira_heatmap_tensor,
 * dira_heatmap_scaled); this file only enlarges the cells and draws the
 * text, the colour bar and the ticks.  See heatmap_render.h. */
#include "heatmap_render.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
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

/* The panel's geometry at zoom z: the grid gw x gh, the colour bar's
 * height bh, the body's and the whole panel's W x H (tw, sw: the title's and
 * the statistics' widths). */
static void panel_size(const dira_heat *heat, unsigned z, double tw, double sw, uint64_t *gw,
                       uint64_t *gh, uint64_t *bh, uint64_t *body, uint64_t *W, uint64_t *H)
{
    /* a strip (one row) is drawn at least 16 pixels tall */
    unsigned zy = heat->rows == 1 && z < 16 ? 16 : z;
    *gw = (uint64_t)heat->cols * z;
    *gh = (uint64_t)heat->rows * zy;
    *bh = *gh > MIN_BAR ? *gh : MIN_BAR;
    *body = *gh > *bh ? *gh : *bh;
    *W = MARGIN + *gw + BAR_GAP + BAR_W + LABEL_W;
    if (*W < (uint64_t)tw + 2 * MARGIN) *W = (uint64_t)tw + 2 * MARGIN;
    if (*W < (uint64_t)sw + 2 * MARGIN) *W = (uint64_t)sw + 2 * MARGIN;
    *H = TITLE_H + *body + 10 + STATS_H;
}

static int panel_fits(uint64_t W, uint64_t H)
{
    return W <= HEAT_MAX_PANEL_SIDE && H <= HEAT_MAX_PANEL_SIDE && W * H <= HEAT_MAX_PANEL_PIXELS;
}

static int render_panel(const dira_tensor *t, const dira_heat_options *opt, unsigned zoom,
                        uint8_t **rgb, uint32_t *width, uint32_t *height, dira_heat *heat,
                        char *err, size_t errlen)
{
    dir_diag diag;
    if (dira_heatmap_tensor(t, opt, heat, &diag) != DIR_OK) {
        snprintf(err, errlen, "%s", diag.message);
        return -1;
    }
    unsigned z = zoom ? zoom : heat_auto_zoom(heat->rows, heat->cols);
    char title[512], shape[256], stats[512];
    shape_text(t, shape, sizeof shape);
    snprintf(title, sizeof title, "%s  %s  %s", t->name[0] ? t->name : "(unnamed)", shape,
             dira_dtype_name(t->dtype));
    if (heat->tiled)
        snprintf(title + strlen(title), sizeof title - strlen(title), "  -  %s as %ux%u tiles",
                 heat->tiled == 1 ? "rows" : "columns", opt->tile_rows, opt->tile_cols);
    if (heat->block_rows > 1 || heat->block_cols > 1)
        snprintf(title + strlen(title), sizeof title - strlen(title),
                 "  -  shown 1:%u \xc3\x97 1:%u, each cell its block's largest |v|",
                 heat->block_rows, heat->block_cols);
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

    uint64_t gw, gh, bh, body, W, H;
    panel_size(heat, z, tw, sw, &gw, &gh, &bh, &body, &W, &H);
    if (!panel_fits(W, H)) {
        /* the largest zoom that fits, if any: never a fix that cannot work */
        unsigned fit = z;
        uint64_t w2 = W, h2 = H, x1, x2, x3, x4;
        while (fit > 1 && !panel_fits(w2, h2))
            panel_size(heat, --fit, tw, sw, &x1, &x2, &x3, &x4, &w2, &h2);
        if (panel_fits(w2, h2))
            snprintf(err, errlen,
                     "the heatmap of " DIRA_NAME_FMT " would be %llux%llu pixels: use a smaller "
                     "--zoom (%u or less; a panel has at most %u pixels a side and %llu in all)",
                     DIRA_NAME_ARG(t->name), (unsigned long long)gw, (unsigned long long)gh, fit,
                     HEAT_MAX_PANEL_SIDE, (unsigned long long)HEAT_MAX_PANEL_PIXELS);
        else
            snprintf(err, errlen,
                     "the heatmap of " DIRA_NAME_FMT " would be %llux%llu pixels, over the %u "
                     "pixels a side and %llu in all a panel may have, even at --zoom 1",
                     DIRA_NAME_ARG(t->name), (unsigned long long)gw, (unsigned long long)gh,
                     HEAT_MAX_PANEL_SIDE, (unsigned long long)HEAT_MAX_PANEL_PIXELS);
        dir_free(heat->rgb);
        heat->rgb = NULL;
        return -1;
    }
    unsigned zy = heat->rows == 1 && z < 16 ? 16 : z;
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

void heat_request_default(heat_request *req)
{
    memset(req, 0, sizeof *req);
    dira_options_default(&req->read);
}

void heat_tensor_label(const dira_tensor *t, char *buf, size_t size)
{
    char shape[256];
    shape_text(t, shape, sizeof shape);
    snprintf(buf, size, "%s %s %s", t->name[0] ? t->name : "(unnamed)", shape,
             dira_dtype_name(t->dtype));
}

void heat_page_free(heat_page *page)
{
    for (size_t i = 0; i < page->count; i++)
        free(page->panels[i].rgb);
    free(page->panels);
    free(page->report);
    free(page->warnings);
    memset(page, 0, sizeof *page);
}

uint8_t *heat_page_compose(const heat_page *page)
{
    size_t W = page->width, H = page->height;
    size_t bytes = W * H * 3;
    uint8_t *out = malloc(bytes ? bytes : 1);
    if (!out) return NULL;
    memset(out, 255, bytes);
    for (size_t i = 0; i < page->count; i++) {
        const heat_panel *p = &page->panels[i];
        for (uint32_t y = 0; y < p->height; y++)
            memcpy(out + 3 * (((size_t)p->y + y) * W), p->rgb + 3 * (size_t)y * p->width,
                   3 * (size_t)p->width);
    }
    return out;
}

/* Appends formatted text to *buf (of *len bytes, NUL-terminated). */
static int vappend(char **buf, size_t *len, const char *fmt, va_list ap0)
{
    va_list ap;
    va_copy(ap, ap0);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    char *r = realloc(*buf, *len + (size_t)n + 1);
    if (!r) return -1;
    *buf = r;
    va_copy(ap, ap0);
    vsnprintf(r + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
    return 0;
}

/* Appends a formatted line to *buf (the page's report or its warnings). */
static int appendf(char **buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int appendf(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vappend(buf, len, fmt, ap);
    va_end(ap);
    return rc;
}

/* Whether --tiles RxC fits t: its rows (or, 2-D, its columns) hold R*C
 * values; the rule dira_heatmap_tensor applies. */
static int tiles_fit(const dira_tensor *t, const dira_heat_options *o)
{
    uint64_t rc2 = (uint64_t)o->tile_rows * o->tile_cols;
    return t->rank >= 2 && (t->shape[t->rank - 1] == rc2 || (t->rank == 2 && t->shape[0] == rc2));
}

/* Why t does not fit the tiles: "tensor 'w' (64, 32) has rows of 32 values
 * and columns of 64", "tensor 'b' (100,) is 1-D". */
static void tiles_misfit(const dira_tensor *t, char *buf, size_t size)
{
    char s[256];
    shape_text(t, s, sizeof s);
    int n = snprintf(buf, size, "tensor " DIRA_NAME_FMT " %s ", DIRA_NAME_ARG(t->name), s);
    if (n < 0 || (size_t)n >= size) return;
    if (t->rank == 0)
        snprintf(buf + n, size - (size_t)n, "is a scalar");
    else if (t->rank == 1)
        snprintf(buf + n, size - (size_t)n, "is 1-D");
    else if (t->rank == 2)
        snprintf(buf + n, size - (size_t)n, "has rows of %llu values and columns of %llu",
                 (unsigned long long)t->shape[1], (unsigned long long)t->shape[0]);
    else
        snprintf(buf + n, size - (size_t)n, "has rows of %llu values",
                 (unsigned long long)t->shape[t->rank - 1]);
}

static int fail(heat_page *page, int code, char *err, size_t errlen, const char *msg)
{
    if (msg) snprintf(err, errlen, "%s", msg);
    heat_page_free(page);
    return code;
}

/* The plain grid: every value concatenated, one pixel each. */
static int render_plain(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                        size_t stride, const heat_request *req, heat_page *page, char *err,
                        size_t errlen)
{
    double *v = NULL;
    size_t n = 0;
    dira_info info;
    dir_diag diag;
    if (dira_decode(pixels, width, height, channels, stride, &req->read, &v, &n, &info, &diag) !=
        DIR_OK)
        return fail(page, HEAT_EREAD, err, errlen, diag.message);
    if (n == 0) {
        dir_free(v);
        return fail(page, HEAT_EREAD, err, errlen, "the image holds no values");
    }
    if (info.normalised) dira_unnormalise(v, n, info.norm_min, info.norm_max);
    uint32_t rows = req->rows, cols = req->cols;
    /* one side given: the other holds every value (past DIR_MAX_DIM, the
     * core refuses the side) */
    uint64_t other = rows   ? ((uint64_t)n + rows - 1) / rows
                     : cols ? ((uint64_t)n + cols - 1) / cols
                            : 0;
    if (other > (uint64_t)DIR_MAX_DIM + 1) other = (uint64_t)DIR_MAX_DIM + 1;
    if (rows && !cols) cols = (uint32_t)other;
    if (cols && !rows) rows = (uint32_t)other;
    dira_stats st;
    heat_panel *p = calloc(1, sizeof *p);
    if (!p) {
        dir_free(v);
        return fail(page, HEAT_EDRAW, err, errlen, "out of memory");
    }
    page->panels = p;
    page->count = 1;
    uint8_t *rgb = NULL;
    dir_error e = dira_heatmap_scaled(v, n, rows, cols, req->heat.scale, &rgb, &p->width,
                                      &p->height, &st, &diag);
    dir_free(v);
    if (e != DIR_OK) return fail(page, HEAT_EDRAW, err, errlen, diag.message);
    /* the core's allocation, copied so that every panel is free()d alike */
    p->rgb = malloc((size_t)p->width * p->height * 3);
    if (p->rgb) memcpy(p->rgb, rgb, (size_t)p->width * p->height * 3);
    dir_free(rgb);
    if (!p->rgb) return fail(page, HEAT_EDRAW, err, errlen, "out of memory");
    snprintf(p->label, sizeof p->label, "Heatmap");
    page->width = p->width;
    page->height = p->height;
    page->values = st.count;
    page->min = st.min;
    page->max = st.max;
    page->mean = st.mean;
    char a[DIRA_NUMBER_BUFSIZE], b[DIRA_NUMBER_BUFSIZE], c[DIRA_NUMBER_BUFSIZE];
    dira_shortest(st.min, a);
    dira_shortest(st.max, b);
    dira_shortest(st.mean, c);
    size_t len = 0;
    if (appendf(&page->report, &len, "count %llu min %s max %s mean %s\n",
                (unsigned long long)st.count, a, b, c))
        return fail(page, HEAT_EDRAW, err, errlen, "out of memory");
    return HEAT_OK;
}

int heat_render_pixels(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                       size_t stride, const heat_request *req, heat_progress_fn progress,
                       void *user, heat_page *page, char *err, size_t errlen)
{
    memset(page, 0, sizeof *page);
    if (req->zoom > HEAT_MAX_ZOOM)
        return fail(page, HEAT_EDRAW, err, errlen, "zoom takes 0 (automatic) to 64");
    if (req->plain || req->rows || req->cols)
        return render_plain(pixels, width, height, channels, stride, req, page, err, errlen);

    dira_tensors *ts = NULL;
    dira_info info;
    dir_diag diag;
    if (dira_decode_tensors(pixels, width, height, channels, stride, &req->read, &ts, &info,
                            &diag) != DIR_OK)
        return fail(page, HEAT_EREAD, err, errlen, diag.message);
    /* normalised values are drawn as the original ones */
    if (info.normalised)
        for (size_t i = 0; i < ts->count; i++) {
            const dira_tensor *t = &ts->tensors[i];
            uint64_t ne = dira_tensor_elements(t);
            for (uint64_t j = 0; t->dtype == DIRA_F64 && j < ne; j++) {
                double d;
                uint64_t u;
                dira_element_double(t, j, &d);
                dira_unnormalise(&d, 1, info.norm_min, info.norm_max);
                memcpy(&u, &d, sizeof u);
                uint8_t *q = (uint8_t *)t->data + 8 * j;
                for (int k = 0; k < 8; k++)
                    q[k] = (uint8_t)(u >> (8 * k));
            }
        }
    page->panels = calloc(ts->count ? ts->count : 1, sizeof *page->panels);
    if (!page->panels) {
        dir_free(ts);
        return fail(page, HEAT_EDRAW, err, errlen, "out of memory");
    }
    uint64_t W = 0, H = 0, finite = 0;
    double sum = 0;
    size_t len = 0, wlen = 0;
    int rc = HEAT_OK;
    /* --tiles: the tensors that fit are tiled, the others drawn in their
     * shape with a warning; none fitting is an error */
    if (req->heat.tile_rows) {
        size_t valued = 0, fit = 0, first = 0;
        for (size_t i = 0; i < ts->count; i++) {
            const dira_tensor *t = &ts->tensors[i];
            if (dira_tensor_elements(t) == 0) continue;
            if (valued++ == 0) first = i;
            fit += tiles_fit(t, &req->heat) != 0;
        }
        if (valued && !fit) {
            char why[512];
            tiles_misfit(&ts->tensors[first], why, sizeof why);
            unsigned R = req->heat.tile_rows, C = req->heat.tile_cols;
            unsigned long long rc2 = (unsigned long long)R * C;
            if (valued == 1)
                snprintf(err, errlen,
                         "--tiles %ux%u needs rows (or, 2-D, columns) of %llu values, and %s", R, C,
                         rc2, why);
            else if (valued == 2)
                snprintf(err, errlen,
                         "--tiles %ux%u needs rows (or, 2-D, columns) of %llu values, and no "
                         "tensor has them (%s, and the other does not either)",
                         R, C, rc2, why);
            else
                snprintf(err, errlen,
                         "--tiles %ux%u needs rows (or, 2-D, columns) of %llu values, and no "
                         "tensor has them (%s, and the %zu others do not either)",
                         R, C, rc2, why, valued - 1);
            dir_free(ts);
            return fail(page, HEAT_EDRAW, err, errlen, NULL);
        }
    }
    for (size_t i = 0; i < ts->count && rc == HEAT_OK; i++) {
        const dira_tensor *t = &ts->tensors[i];
        if (dira_tensor_elements(t) == 0) continue; /* nothing to draw */
        /* tiles only for the tensors whose rows (or, 2-D, columns) fit them */
        dira_heat_options o = req->heat;
        if (o.tile_rows && !tiles_fit(t, &o)) {
            char why[512];
            tiles_misfit(t, why, sizeof why);
            if (appendf(&page->warnings, &wlen,
                        "%s: drawn without the %ux%u tiles (they need %llu values)\n", why,
                        o.tile_rows, o.tile_cols, (unsigned long long)o.tile_rows * o.tile_cols)) {
                snprintf(err, errlen, "out of memory");
                rc = HEAT_EDRAW;
                break;
            }
            o.tile_rows = o.tile_cols = 0;
        }
        heat_panel *p = &page->panels[page->count];
        dira_heat heat;
        if (render_panel(t, &o, req->zoom, &p->rgb, &p->width, &p->height, &heat, err, errlen)) {
            rc = HEAT_EDRAW;
            break;
        }
        page->count++;
        heat_tensor_label(t, p->label, sizeof p->label);
        p->y = (uint32_t)H;
        if (p->width > W) W = p->width;
        H += p->height;
        if (H > HEAT_MAX_PANEL_SIDE * (uint64_t)HEAT_MAX_PANEL_SIDE || W * H > DIR_MAX_PIXELS) {
            snprintf(err, errlen,
                     "the heatmap's %zu tensors so far would be %llux%llu pixels, over the %llu "
                     "a page may have",
                     page->count, (unsigned long long)W, (unsigned long long)H,
                     (unsigned long long)DIR_MAX_PIXELS);
            rc = HEAT_EDRAW;
            break;
        }
        uint64_t nf = heat.count - heat.nonfinite;
        page->values += heat.count;
        if (nf) {
            if (finite == 0 || heat.min < page->min) page->min = heat.min;
            if (finite == 0 || heat.max > page->max) page->max = heat.max;
            sum += heat.mean * (double)nf;
            finite += nf;
        }
        char s[256];
        shape_text(t, s, sizeof s);
        char a[DIRA_NUMBER_BUFSIZE], b[DIRA_NUMBER_BUFSIZE], c[DIRA_NUMBER_BUFSIZE],
            d[DIRA_NUMBER_BUFSIZE], e[DIRA_NUMBER_BUFSIZE];
        dira_shortest(heat.min, a);
        dira_shortest(heat.max, b);
        dira_shortest(heat.mean, c);
        dira_shortest(heat.std, d);
        dira_shortest(heat.scale, e);
        /* a reduced picture says so at the end of its line */
        char shown[64] = "";
        if (heat.block_rows > 1 || heat.block_cols > 1)
            snprintf(shown, sizeof shown, " shown 1:%u x 1:%u", heat.block_rows, heat.block_cols);
        if (appendf(&page->report, &len,
                    "%s %s %s: count %llu min %s max %s mean %s std %s scale %s clipped %llu "
                    "non-finite %llu%s\n",
                    t->name[0] ? t->name : "(unnamed)", s, dira_dtype_name(t->dtype),
                    (unsigned long long)heat.count, a, b, c, d, e,
                    (unsigned long long)(heat.clipped_low + heat.clipped_high),
                    (unsigned long long)heat.nonfinite, shown)) {
            snprintf(err, errlen, "out of memory");
            rc = HEAT_EDRAW;
        }
        if (progress) progress((double)(i + 1) / (double)ts->count, user);
    }
    dir_free(ts);
    if (rc == HEAT_OK && page->count == 0) {
        snprintf(err, errlen, "no tensor has values to draw");
        rc = HEAT_EDRAW;
    }
    if (rc != HEAT_OK) return fail(page, rc, err, errlen, NULL);
    page->width = (uint32_t)W;
    page->height = (uint32_t)H;
    page->mean = finite ? sum / (double)finite : 0;
    return HEAT_OK;
}

void heat_render_release(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
