/* SPDX-License-Identifier: MIT */
/* imgcmp A B -- exit 0 when two images (PNG, WebP or .dir) have the same size,
 * channel count and pixels; otherwise print the first difference, exit 1. */
#include <stdio.h>
#include <string.h>

#include "image_io.h"

int main(int argc, char **argv)
{
    tool_image a, b;
    char err[512];
    if (argc != 3) {
        fprintf(stderr, "usage: imgcmp A B\n");
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
    if (a.width != b.width || a.height != b.height || a.channels != b.channels) {
        fprintf(stderr, "imgcmp: %ux%u/%u vs %ux%u/%u\n", a.width, a.height, a.channels, b.width,
                b.height, b.channels);
        rc = 1;
    } else {
        size_t n = (size_t)a.width * a.height * a.channels;
        for (size_t i = 0; i < n; i++)
            if (a.pixels[i] != b.pixels[i]) {
                size_t p = i / a.channels;
                fprintf(stderr, "imgcmp: pixel (%zu,%zu) channel %zu: %u vs %u\n", p % a.width,
                        p / a.width, i % a.channels, a.pixels[i], b.pixels[i]);
                rc = 1;
                break;
            }
    }
    tool_image_free(&a);
    tool_image_free(&b);
    return rc;
}
