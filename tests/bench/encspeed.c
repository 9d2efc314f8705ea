/* SPDX-License-Identifier: MIT */
/* encspeed.c -- a quick check of issue 11's encode-speed targets: whole
 * .dir files from dir_encode in the default and fast presets against
 * libpng's default level, on the benchmark corpus, without the rest of the
 * benchmark's codecs.  Every .dir file is decoded once and compared with the
 * pixels.  Not part of `meson compile bench` (whose figures are the ones
 * docs/benchmarks.md reports): a tool for measuring encoder changes.
 *
 * Usage: dir-bench-encode [-r N] < LIST
 *   LIST: lines class<TAB>path (tests/bench/fetch-corpus.sh output)
 *   -r: encode each image N times per codec (default 5), the fastest counts
 * Prints per class the raw megabytes, then per codec the bytes, MB/s (raw
 * bytes over the sum of the images' fastest CPU times of this thread) and
 * the speed over libpng's.  Exit status 1 when an image does not round-trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { CODECS = 3, CLASSES = 3 };

int main(int argc, char **argv)
{
    static const char *const cls[CLASSES] = {"screen", "sprite", "icon"};
    static const char *const names[CODECS] = {"dir-default", "dir-fast", "png-default"};
    int reps = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1) reps = 1;
        } else {
            fprintf(stderr, "usage: dir-bench-encode [-r N] < LIST\n");
            return 2;
        }
    }
    dir_encode_options opt[2];
    dir_encode_options_default(&opt[0]);
    dir_encode_options_default(&opt[1]);
    if (dir_encode_options_preset(&opt[1], "fast", NULL) != DIR_OK) return 2;
    double raw[CLASSES] = {0}, ns[CODECS][CLASSES] = {{0}}, bytes[CODECS][CLASSES] = {{0}};
    char c[BENCH_CLASS_MAX], path[BENCH_PATH_MAX];
    bench_image img;
    int more;
    while ((more = bench_list_next(stdin, c, path, &img, "dir-bench-encode")) > 0) {
        int ci = -1;
        for (int i = 0; i < CLASSES; i++)
            if (!strcmp(c, cls[i])) ci = i;
        if (ci < 0) {
            free(img.file);
            free(img.pixels);
            continue;
        }
        char err[256];
        raw[ci] += (double)img.size;
        for (int k = 0; k < CODECS; k++) {
            uint64_t best = UINT64_MAX;
            size_t size = 0;
            for (int r = 0; r < reps; r++) {
                void *data = NULL;
                bench_buf png = {0};
                dir_diag diag;
                memset(&diag, 0, sizeof diag);
                uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
                int bad = k < 2 ? dir_encode(img.pixels, img.width, img.height, img.channels, 0,
                                             &opt[k], &data, &size, NULL, &diag) != DIR_OK
                                : bench_png_encode(&img, -1, &png, err, sizeof err) != 0;
                uint64_t t = bench_time_ns(BENCH_CLOCK_CPU) - t0;
                if (bad) {
                    fprintf(stderr, "dir-bench-encode: %s: %s: %s\n", path, names[k],
                            k < 2 ? diag.message : err);
                    return 1;
                }
                if (t < best) best = t;
                if (k == 2) size = png.size;
                if (k < 2 && r == 0) {
                    uint8_t *back = malloc(img.size);
                    if (!back ||
                        dir_decode(data, size, NULL, back, img.size, NULL, NULL, &diag) != DIR_OK ||
                        memcmp(back, img.pixels, img.size) != 0) {
                        fprintf(stderr, "dir-bench-encode: %s: %s does not round-trip\n", path,
                                names[k]);
                        return 1;
                    }
                    free(back);
                }
                dir_free(data);
                bench_buf_free(&png);
            }
            ns[k][ci] += (double)best;
            bytes[k][ci] += (double)size;
        }
        free(img.pixels);
        free(img.file);
    }
    if (more < 0) return 1;
    printf("class   raw MB | codec bytes MB/s x libpng\n");
    for (int i = 0; i < CLASSES; i++) {
        printf("%-6s %7.2f", cls[i], raw[i] / 1e6);
        for (int k = 0; k < CODECS; k++)
            printf(" | %s %.0f %.1f %.2f", names[k], bytes[k][i],
                   ns[k][i] > 0 ? raw[i] / ns[k][i] * 1e3 : 0,
                   ns[k][i] > 0 ? ns[2][i] / ns[k][i] : 0);
        printf("\n");
    }
    return 0;
}
