/* SPDX-License-Identifier: MIT */
/* imgcmp [--meta] A B -- exit 0 when two images (PNG, WebP or .dir) have the
 * same size, channel count, depth and samples (and with --meta the same ICC
 * profile, EXIF, XMP, comment and density); otherwise print the first
 * difference, exit 1. */
#include <stdio.h>
#include <string.h>

#include "image_io.h"

int main(int argc, char **argv)
{
    tool_image a, b;
    char err[512];
    int meta = argc == 4 && strcmp(argv[1], "--meta") == 0;
    if (meta) {
        argv++;
        argc--;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: imgcmp [--meta] A B\n");
        return 2;
    }
    if (tool_read_image(argv[1], NULL, &a, err, sizeof err)) {
        fprintf(stderr, "imgcmp: %s\n", err);
        return 2;
    }
    if (tool_read_image(argv[2], NULL, &b, err, sizeof err)) {
        fprintf(stderr, "imgcmp: %s\n", err);
        return 2;
    }
    int rc = 0;
    unsigned da = a.depth == 16 ? 16 : 8, db = b.depth == 16 ? 16 : 8;
    if (a.width != b.width || a.height != b.height || a.channels != b.channels || da != db) {
        fprintf(stderr, "imgcmp: %ux%u/%u/%u-bit vs %ux%u/%u/%u-bit\n", a.width, a.height,
                a.channels, da, b.width, b.height, b.channels, db);
        rc = 1;
    } else {
        size_t n = (size_t)a.width * a.height * a.channels;
        const uint16_t *a16 = (const uint16_t *)(const void *)a.pixels;
        const uint16_t *b16 = (const uint16_t *)(const void *)b.pixels;
        for (size_t i = 0; i < n; i++) {
            unsigned va = da == 16 ? a16[i] : a.pixels[i], vb = da == 16 ? b16[i] : b.pixels[i];
            if (va != vb) {
                size_t p = i / a.channels;
                fprintf(stderr, "imgcmp: pixel (%zu,%zu) channel %zu: %u vs %u\n", p % a.width,
                        p / a.width, i % a.channels, va, vb);
                rc = 1;
                break;
            }
        }
    }
    if (meta && rc == 0) {
        const tool_meta *x = &a.meta, *y = &b.meta;
        const char *what = NULL;
        if (x->icc_size != y->icc_size || (x->icc_size && memcmp(x->icc, y->icc, x->icc_size)))
            what = "ICC profile";
        else if (x->exif_size != y->exif_size ||
                 (x->exif_size && memcmp(x->exif, y->exif, x->exif_size)))
            what = "EXIF";
        else if (x->xmp_size != y->xmp_size || (x->xmp_size && memcmp(x->xmp, y->xmp, x->xmp_size)))
            what = "XMP";
        else if ((x->comment == NULL) != (y->comment == NULL) ||
                 (x->comment && strcmp(x->comment, y->comment)))
            what = "comment";
        else if (x->density_x != y->density_x || x->density_y != y->density_y)
            what = "density";
        if (what) {
            fprintf(stderr, "imgcmp: the %s differs\n", what);
            rc = 1;
        }
    }
    tool_image_free(&a);
    tool_image_free(&b);
    return rc;
}
