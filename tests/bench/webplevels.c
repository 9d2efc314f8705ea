/* SPDX-License-Identifier: MIT */
/* webplevels.c -- issue 11's size targets in context: lossless WebP's own
 * trade-off between size and encode speed, its presets -z 0..9 (the
 * benchmark's codec, `exact` on) against libpng's default level and the
 * .dir default preset, on the benchmark corpus, per class.  Not part of
 * `meson compile bench`: a measurement for docs/benchmarks.md.
 *
 * Usage: dir-bench-webp-levels [-r N] < LIST
 *   LIST: lines class<TAB>path (tests/bench/fetch-corpus.sh output)
 *   -r: encode each image N times per codec (default 3), the fastest counts
 * Prints per class and codec the bytes, their ratio to WebP -z 9's, the
 * encode MB/s (raw bytes over the sum of the images' fastest CPU times of
 * this thread) and the speed over libpng's.  Every WebP file is decoded
 * once and compared with the pixels; exit status 1 when one differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

enum { CLASSES = 3, LEVELS = 10, CODECS = LEVELS + 2 }; /* WebP -z 0..9, libpng, .dir */

int main(int argc, char **argv)
{
    static const char *const cls[CLASSES] = {"screen", "sprite", "icon"};
    int reps = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1) reps = 1;
        } else {
            fprintf(stderr, "usage: dir-bench-webp-levels [-r N] < LIST\n");
            return 2;
        }
    }
    bench_codec all[BENCH_MAX_CODECS], webp;
    size_t n = bench_codecs(all, BENCH_MAX_CODECS, NULL, NULL, NULL);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i].id, "webp-z9")) {
            webp = all[i];
            found = 1;
        }
    if (!found) {
        fprintf(stderr, "dir-bench-webp-levels: no WebP codec in the benchmark\n");
        return 1;
    }
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    double raw[CLASSES] = {0}, ns[CODECS][CLASSES] = {{0}}, bytes[CODECS][CLASSES] = {{0}};
    char c[BENCH_CLASS_MAX], path[BENCH_PATH_MAX];
    bench_image img;
    int more;
    while ((more = bench_list_next(stdin, c, path, &img, "dir-bench-webp-levels")) > 0) {
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
            webp.level = k;
            for (int r = 0; r < reps; r++) {
                bench_buf out = {0};
                void *data = NULL;
                dir_diag diag;
                memset(&diag, 0, sizeof diag);
                uint64_t t0 = bench_time_ns(BENCH_CLOCK_CPU);
                int bad = k < LEVELS ? webp.encode(&webp, &img, &out, err, sizeof err)
                          : k == LEVELS
                              ? bench_png_encode(&img, -1, &out, err, sizeof err)
                              : dir_encode(img.pixels, img.width, img.height, img.channels, 0, &opt,
                                           &data, &size, NULL, &diag) != DIR_OK;
                uint64_t t = bench_time_ns(BENCH_CLOCK_CPU) - t0;
                if (bad) {
                    fprintf(stderr, "dir-bench-webp-levels: %s: %s\n", path,
                            k == LEVELS + 1 ? diag.message : err);
                    return 1;
                }
                if (t < best) best = t;
                if (k < LEVELS + 1) size = out.size;
                if (k < LEVELS && r == 0) {
                    /* grey comes back as RGB (BENCH_EXPANDS_GREY) */
                    unsigned oc = bench_out_channels(&webp, img.channels);
                    size_t npx = (size_t)img.width * img.height, bsize = npx * oc;
                    uint8_t *back = malloc(bsize), *own = NULL;
                    int same =
                        back && !webp.decode(&webp, &img, &out, back, bsize, &own, err, sizeof err);
                    const uint8_t *got = own ? own : back;
                    for (size_t i = 0; same && i < npx * img.channels; i++)
                        same = oc == img.channels ? got[i] == img.pixels[i]
                                                  : got[3 * i] == img.pixels[i] &&
                                                        got[3 * i + 1] == img.pixels[i] &&
                                                        got[3 * i + 2] == img.pixels[i];
                    if (!same) {
                        fprintf(stderr,
                                "dir-bench-webp-levels: %s: WebP -z %d does not "
                                "round-trip\n",
                                path, k);
                        return 1;
                    }
                    free(own);
                    free(back);
                }
                bench_buf_free(&out);
                dir_free(data);
            }
            ns[k][ci] += (double)best;
            bytes[k][ci] += (double)size;
        }
        free(img.file);
        free(img.pixels);
    }
    if (more < 0) return 1;
    printf("class\tcodec\tbytes\tx WebP -z 9\tencode MB/s\tx libpng\n");
    for (int ci = 0; ci < CLASSES; ci++)
        for (int k = 0; k < CODECS; k++) {
            char name[32];
            if (k < LEVELS)
                snprintf(name, sizeof name, "webp-z%d", k);
            else
                snprintf(name, sizeof name, "%s", k == LEVELS ? "png-default" : "dir-default");
            double mbs = raw[ci] / (ns[k][ci] * 1e-9) / 1e6;
            double png = raw[ci] / (ns[LEVELS][ci] * 1e-9) / 1e6;
            printf("%s\t%s\t%.0f\t%.3f\t%.1f\t%.2f\n", cls[ci], name, bytes[k][ci],
                   bytes[k][ci] / bytes[LEVELS - 1][ci], mbs, mbs / png);
        }
    return 0;
}
