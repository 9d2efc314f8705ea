/* SPDX-License-Identifier: MIT */
/* test_heatmap_render.c -- the readable heatmap's shared drawing
 * (heatmap/heatmap_render.c, what dirtool and both GIMP plug-ins call):
 * the page of a multi-tensor image (panels, labels, places, statistics,
 * report, the composed picture), tiles only where they fit, the plain grid
 * and its shapes, normalised values drawn as the originals, and the errors
 * with their classes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraytest.h"
#include "heatmap_render.h"

/* The pixels of the tensors t, packed by dira_encode_tensors (dir_free()
 * a.px). */
static encoded pack(const dira_tensor *t, size_t n)
{
    encoded a;
    memset(&a, 0, sizeof a);
    dira_options opt;
    dir_diag diag;
    dira_options_default(&opt);
    CHECK_ERR(
        a.e = dira_encode_tensors(t, n, NULL, 0, &opt, &a.px, &a.w, &a.h, &a.ch, &a.info, &diag),
        DIR_OK, diag, NULL);
    return a;
}

/* The message of the last draw(). */
static char err[512];

/* heat_render_pixels of a's pixels with req (and progress, or NULL). */
static int draw(const encoded *a, const heat_request *req, heat_progress_fn progress,
                heat_page *page)
{
    return heat_render_pixels(a->px, a->w, a->h, a->ch, 0, req, progress, NULL, page, err,
                              sizeof err);
}

static void test_tensors(void)
{
    static const double w1[6] = {0.5, -1, 2, 0, -0.25, 1};
    static const float b1[4] = {0.1f, -0.2f, 0.3f, 0};
    dira_tensor t[3] = {
        {"W1", DIRA_F64, 2, {2, 3}, w1},
        {"b1", DIRA_F32, 1, {4}, b1},
        {"empty", DIRA_F64, 1, {0}, NULL},
    };
    encoded a = pack(t, 3);
    if (!a.px) return;

    heat_request req;
    heat_request_default(&req);
    heat_page page;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
    /* the tensor without elements is left out */
    CHECK_EQ_INT(page.count, 2);
    if (page.count == 2) {
        CHECK(strcmp(page.panels[0].label, "W1 (2, 3) float64") == 0);
        CHECK(strcmp(page.panels[1].label, "b1 (4,) float32") == 0);
        CHECK_EQ_INT(page.panels[0].y, 0);
        CHECK_EQ_INT(page.panels[1].y, page.panels[0].height);
        CHECK_EQ_INT(page.height, page.panels[0].height + page.panels[1].height);
        CHECK_EQ_INT(page.width, page.panels[0].width > page.panels[1].width
                                     ? page.panels[0].width
                                     : page.panels[1].width);
        CHECK_EQ_INT(page.values, 10);
        CHECK(page.min == -1 && page.max == 2);
        CHECK(page.report &&
              strncmp(page.report, "W1 (2, 3) float64: count 6 min -1 max 2 ", 40) == 0);
        CHECK(page.report && strstr(page.report, "\nb1 (4,) float32: count 4 ") != NULL);
        /* the composed page: each panel at its place, white beside the
         * narrower one */
        uint8_t *rgb = heat_page_compose(&page);
        CHECK(rgb != NULL);
        for (size_t i = 0; rgb && i < page.count; i++) {
            const heat_panel *p = &page.panels[i];
            int same = 1, white = 1;
            for (uint32_t y = 0; y < p->height; y++) {
                const uint8_t *row = rgb + 3 * ((size_t)(p->y + y) * page.width);
                same &= memcmp(row, p->rgb + 3 * (size_t)y * p->width, 3 * (size_t)p->width) == 0;
                for (uint32_t x = p->width; x < page.width; x++)
                    white &= row[3 * x] == 255 && row[3 * x + 1] == 255 && row[3 * x + 2] == 255;
            }
            CHECK(same);
            CHECK(white);
        }
        free(rgb);
    }
    /* W1's panel untiled, to compare with the tiled one */
    heat_panel untiled = {{0}, NULL, 0, 0, 0};
    if (page.count) {
        untiled = page.panels[0];
        untiled.rgb = malloc((size_t)untiled.width * untiled.height * 3);
        if (untiled.rgb)
            memcpy(untiled.rgb, page.panels[0].rgb, (size_t)untiled.width * untiled.height * 3);
    }
    heat_page_free(&page);

    /* tiles 1x3: W1's rows of 3 become tiles, b1 (1-D) stays a strip */
    req.heat.tile_rows = 1;
    req.heat.tile_cols = 3;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
    CHECK_EQ_INT(page.count, 2);
    if (page.count == 2) {
        const heat_panel *p = &page.panels[0];
        CHECK(untiled.rgb && (p->width != untiled.width || p->height != untiled.height ||
                              memcmp(p->rgb, untiled.rgb, (size_t)p->width * p->height * 3)));
        CHECK(strstr(page.report, "W1 (2, 3) float64: count 6") != NULL);
    }
    /* b1 is drawn untiled, and the page says so */
    CHECK(page.warnings && strcmp(page.warnings, "tensor 'b1' (4,) is 1-D: drawn without the 1x3 "
                                                 "tiles (they need 3 values)\n") == 0);
    heat_page_free(&page);
    free(untiled.rgb);
    /* tiles no tensor fits: an error, the page empty */
    req.heat.tile_cols = 5;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EDRAW);
    CHECK(strcmp(err, "--tiles 1x5 needs rows (or, 2-D, columns) of 5 values, and no tensor has "
                      "them (tensor 'W1' (2, 3) has rows of 3 values and columns of 2, and the "
                      "other does not either)") == 0);
    CHECK(page.count == 0 && page.warnings == NULL);
    req.heat.tile_rows = req.heat.tile_cols = 0;

    /* the plain grid: every value, near-square (4 columns for 10), one
     * panel; one side given, the other holds every value */
    heat_request_default(&req);
    req.plain = 1;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
    CHECK(page.count == 1 && page.width == 4 && page.height == 3);
    CHECK(page.count == 1 && strcmp(page.panels[0].label, "Heatmap") == 0);
    CHECK(page.report &&
          strcmp(page.report, "count 10 min -1 max 2 mean 0.24500000104308128\n") == 0);
    heat_page_free(&page);
    heat_request_default(&req);
    req.rows = 5;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
    CHECK(page.width == 2 && page.height == 5);
    heat_page_free(&page);

    /* errors: zoom over the limit; after an error the page is empty */
    heat_request_default(&req);
    req.zoom = HEAT_MAX_ZOOM + 1;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EDRAW);
    CHECK(strstr(err, "zoom") != NULL);
    CHECK(page.count == 0 && page.panels == NULL && page.report == NULL);
    /* a rows x cols grid too small for the values */
    heat_request_default(&req);
    req.rows = 2;
    req.cols = 2;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EDRAW);
    dir_free(a.px);
}

static void test_not_an_array(void)
{
    uint8_t px[16 * 16 * 3];
    for (size_t i = 0; i < sizeof px; i++)
        px[i] = (uint8_t)(i * 7);
    encoded a = {.px = px, .w = 16, .h = 16, .ch = 3};
    heat_request req;
    heat_request_default(&req);
    heat_page page;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EREAD);
    CHECK(strstr(err, "no self-describing array header") != NULL);
    CHECK(page.count == 0 && page.panels == NULL);
    req.plain = 1;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EREAD);
}

static void test_normalised(void)
{
    /* stored as (v - min) / (max - min) with min and max: drawn as v */
    double v[3] = {-2, 0, 6};
    dira_options opt;
    dir_diag diag;
    dira_options_default(&opt);
    CHECK_ERR(dira_normalise(v, 3, &opt.norm_min, &opt.norm_max, &diag), DIR_OK, diag, NULL);
    opt.normalised = 1;
    encoded a = encode(v, 3, &opt, &diag);
    CHECK_ERR(a.e, DIR_OK, diag, NULL);
    if (!a.px) return;
    heat_request req;
    heat_request_default(&req);
    heat_page page;
    for (int plain = 0; plain < 2; plain++) {
        req.plain = plain;
        CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
        CHECK(page.min == -2 && page.max == 6);
        heat_page_free(&page);
    }
    dir_free(a.px);
}

static int progress_calls;
static double progress_last;
static void progress(double fraction, void *user)
{
    (void)user;
    progress_calls++;
    progress_last = fraction;
}

static void test_progress(void)
{
    static const double a[2] = {1, 2}, b[2] = {3, 4};
    dira_tensor t[2] = {{"a", DIRA_F64, 1, {2}, a}, {"b", DIRA_F64, 1, {2}, b}};
    encoded e = pack(t, 2);
    if (!e.px) return;
    heat_request req;
    heat_request_default(&req);
    heat_page page;
    CHECK_EQ_INT(draw(&e, &req, progress, &page), HEAT_OK);
    CHECK(progress_calls == 2 && progress_last == 1.0);
    heat_page_free(&page);
    dir_free(e.px);
}

/* Large tensors: drawn reduced (the report says how), the page sized by
 * the reduced cells; small ones at a cell per value; a zoom too large
 * names the largest that fits, and that one draws. */
static void test_large(void)
{
    static float emb[40000 * 4], wide[200000];
    for (size_t i = 0; i < sizeof emb / sizeof *emb; i++)
        emb[i] = (float)(i % 7) - 3;
    for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
        wide[i] = (float)(i % 5) - 2;
    dira_tensor t[2] = {{"emb", DIRA_F32, 2, {40000, 4}, emb},
                        {"wide", DIRA_F32, 2, {1, 200000}, wide}};
    encoded a = pack(t, 2);
    if (!a.px) return;
    heat_request req;
    heat_request_default(&req);
    heat_page page;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
    CHECK_EQ_INT(page.count, 2);
    if (page.count == 2) {
        /* 40000 rows by 10: 4000 cells tall; 200000 columns by 49: 4082 */
        CHECK_EQ_INT(page.panels[0].height, 28 + 4000 + 10 + 34);
        CHECK_EQ_INT(page.panels[1].width, 12 + 4082 + 14 + 16 + 78);
        CHECK_EQ_INT(page.panels[1].height, 28 + 160 + 10 + 34);
        CHECK(strstr(page.report, "emb (40000, 4) float32: count 160000 min -3 max 3 ") ==
              page.report);
        CHECK(strstr(page.report, " non-finite 0 shown 1:10 x 1:1\nwide (1, 200000) float32: "
                                  "count 200000 min -2 max 2 ") != NULL);
        CHECK(strstr(page.report, " non-finite 0 shown 1:1 x 1:49\n") != NULL);
        CHECK_EQ_INT(page.values, 360000);
    }
    heat_page_free(&page);
    dir_free(a.px);

    /* 1024 values in a strip at --zoom 64: 65536 pixels wide; 31 fits */
    static double line[1024];
    dira_tensor l = {"line", DIRA_F64, 1, {1024}, line};
    a = pack(&l, 1);
    if (!a.px) return;
    req.zoom = 64;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EDRAW);
    CHECK(strcmp(err,
                 "the heatmap of 'line' would be 65536x64 pixels: use a smaller --zoom (31 "
                 "or less; a panel has at most 32767 pixels a side and 67108864 in all)") == 0);
    req.zoom = 31;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_OK);
    CHECK(page.count == 1 && page.width == 12 + 1024 * 31 + 14 + 16 + 78);
    CHECK(page.report && strstr(page.report, "shown") == NULL); /* a cell per value */
    heat_page_free(&page);
    req.zoom = 32;
    CHECK_EQ_INT(draw(&a, &req, NULL, &page), HEAT_EDRAW);
    dir_free(a.px);
}

int main(void)
{
    test_tensors();
    test_not_an_array();
    test_normalised();
    test_progress();
    test_large();
    heat_render_release();
    TEST_DONE();
}
