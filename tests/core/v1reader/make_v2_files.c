/* SPDX-License-Identifier: MIT */
/* make_v2_files OUTDIR -- writes version-2 files with today's encoder for the
 * version-1 reader test: the smallest file (1x1, padded to 112 bytes), 8-bit
 * RGBA, and 16-bit grey+alpha with a comment and a density. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"

static int put(const char *dir, const char *name, const dir_pixels *px, const dir_metadata *m)
{
    char path[4096];
    void *out;
    size_t n;
    dir_diag dg;
    if (dir_encode_image(px, m, NULL, &out, &n, NULL, &dg) != DIR_OK) {
        fprintf(stderr, "%s: %s\n", name, dg.message);
        return 1;
    }
    snprintf(path, sizeof path, "%.4000s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(out, 1, n, f) != n;
    if (f && fclose(f) != 0) bad = 1;
    dir_free(out);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    static uint8_t rgba[100 * 37 * 4];
    static uint16_t ga[33 * 17 * 2];
    for (size_t i = 0; i < sizeof rgba; i++)
        rgba[i] = (uint8_t)(i * 7 + i / 400);
    for (size_t i = 0; i < sizeof ga / 2; i++)
        ga[i] = (uint16_t)(i * 2654435761u >> 7);
    dir_pixels one = {rgba, 1, 1, 3, 8, 0}, big = {rgba, 100, 37, 4, 8, 0},
               g16 = {ga, 33, 17, 2, 16, 0};
    dir_metadata m;
    memset(&m, 0, sizeof m);
    m.comment = "version 2";
    m.density_x = m.density_y = 2835;
    return put(argv[1], "v2-1x1.dir", &one, NULL) || put(argv[1], "v2-rgba.dir", &big, NULL) ||
           put(argv[1], "v2-ga16-meta.dir", &g16, &m);
}
