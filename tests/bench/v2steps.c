/* SPDX-License-Identifier: MIT */
/* v2steps.c -- the experiment driver behind docs/benchmarks.md's "Version 2:
 * what each technique gave": encodes every corpus image with the version-2
 * payload encoder (core/v2.c) under explicit parameters, checks the round
 * trip byte for byte, and prints per-class totals, the ratio to the WebP
 * -z 9 totals of docs/benchmarks.md's run, and encode/decode MB/s (CPU time
 * of this thread).  Not part of `meson compile bench`: a tool for trying one
 * technique at a time.
 *
 * Usage: dir-bench-v2 [-v] [-w] [-r N] [-p PRESET] [-f [-o NAME=VALUE]...] [key=value ...] < LIST
 *   LIST: lines class<TAB>path (tests/bench/fetch-corpus.sh output)
 *   keys: the fields of dir2_params (core/v2.h): palette pal_order pal_predict green predict
 *         b_bias est_span est_match cost_step refs fills smallpal_max method
 *         level workers trials alpha_last zstrategy zsearch zchain zminmatch ztarget zwindow, starting from the default preset's values
 *   -p: start from preset fast, default or smallest (dir_encode_options_preset)
 *   -v: one line per image
 *   -r: encode and decode each image N times (default 1), the fastest counts
 *   -w: wall-clock time instead of this thread's CPU time (zstd workers)
 *   -f: whole files instead of payloads: dir_encode_image with the options of -p (and -o),
 *       read by dir_decode (header, chunks, payload, CRC); key=value parameters do not apply
 *   -o: with -f, one setting of the core's option table (dir_option_set), e.g. -o version=1
 * Exit status 1 when an image does not round-trip (tests/bench/test_v2corpus.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "v2.h"
#include "v2params.h"

static int wall_clock; /* -w */

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(wall_clock ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* -v, payloads: each stream's method, raw and packed size (docs/FORMAT.md
 * 9.2, 9.3), on one line before the image's; bpp: bytes per pixel. */
static void print_streams(const uint8_t *d, size_t n, unsigned bpp)
{
    static const char *const name[6] = {"codes", "fills", "refs", "resid", "pals", "idx"};
    size_t i = 1;
    if (n < 1) return;
    printf("  transform %u", d[0]);
    if ((d[0] & 3) == 2 && n > 1) {
        printf(" palette %u", d[1] + 1u);
        i = 2 + (size_t)(d[1] + 1u) * bpp;
    }
    for (unsigned k = 0; k < 6 && i < n; k++) {
        unsigned m = d[i++];
        uint64_t v[2] = {0, 0};
        for (unsigned f = 0; f < (m ? 2u : 1u); f++)
            for (unsigned sh = 0; i < n && sh < 64; sh += 7) {
                v[f] |= (uint64_t)(d[i] & 0x7f) << sh;
                if (!(d[i++] & 0x80)) break;
            }
        printf("  %s m%u %llu->%llu", name[k], m, (unsigned long long)v[0],
               (unsigned long long)(m ? v[1] : v[0]));
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    static const char *const cls[3] = {"icon", "screen", "sprite"};
    /* WebP lossless -z 9 per class, docs/benchmarks.md (the same corpus) */
    static const double webp[3] = {265450, 1076622, 2662964};
    dir2_params p;
    dir2_params_from_options(NULL, &p);
    int verbose = 0, reps = 1, whole = 0;
    dir_encode_options fopt;
    dir_encode_options_default(&fopt);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose = 1;
        } else if (!strcmp(argv[i], "-w")) {
            wall_clock = 1;
        } else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1) reps = 1;
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
            dir_encode_options opt;
            dir_encode_options_default(&opt);
            if (dir_encode_options_preset(&opt, argv[++i], NULL) != DIR_OK) {
                fprintf(stderr, "dir-bench-v2: unknown preset '%s'\n", argv[i]);
                return 2;
            }
            dir2_params_from_options(&opt, &p);
            fopt = opt;
        } else if (!strcmp(argv[i], "-f")) {
            whole = 1;
        } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            char name[32];
            const char *kv = argv[++i], *eq = strchr(kv, '=');
            dir_diag od;
            snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - kv) : 0, kv);
            if (!eq || dir_option_set(&fopt, name, eq + 1, &od) != DIR_OK) {
                fprintf(stderr, "dir-bench-v2: bad setting '%s'\n", kv);
                return 2;
            }
        } else if (v2_set_param(&p, argv[i]) != 0) {
            fprintf(stderr, "dir-bench-v2: bad parameter '%s'\n", argv[i]);
            return 2;
        }
    }
    double tot[3] = {0}, raw[3] = {0}, et[3] = {0}, dt[3] = {0};
    char c[BENCH_CLASS_MAX], path[BENCH_PATH_MAX];
    bench_image img;
    int more;
    while ((more = bench_list_next(stdin, c, path, &img, "dir-bench-v2")) > 0) {
        int ci = !strcmp(c, "icon") ? 0 : !strcmp(c, "screen") ? 1 : 2;
        dir_pixels px = {img.pixels, img.width, img.height, img.channels, 8, 0};
        uint8_t *out = NULL;
        size_t size = 0;
        dir_diag diag;
        dir_stats st;
        double te = 1e30, td = 1e30;
        dir_error e = DIR_OK;
        for (int r = 0; r < reps && e == DIR_OK; r++) {
            free(out);
            double t0 = cpu_s();
            if (whole) {
                void *o = NULL;
                e = dir_encode_image(&px, NULL, &fopt, &o, &size, &st, &diag);
                out = o;
            } else {
                e = dir2_encode_payload_params(&px, &p, &out, &size, &st, &diag);
            }
            double t1 = cpu_s();
            if (t1 - t0 < te) te = t1 - t0;
        }
        if (e != DIR_OK) {
            fprintf(stderr, "dir-bench-v2: %s: encode: %s\n", path, diag.message);
            return 1;
        }
        uint8_t *back = malloc(img.size);
        for (int r = 0; r < reps && e == DIR_OK; r++) {
            double t1 = cpu_s();
            if (whole)
                e = dir_decode(out, size, NULL, back, img.size, NULL, NULL, &diag);
            else
                e = dir2_decode_payload(out, size, img.width, img.height, img.channels, 8, NULL,
                                        back, img.size, &diag);
            double t2 = cpu_s();
            if (t2 - t1 < td) td = t2 - t1;
        }
        if (e != DIR_OK || memcmp(back, img.pixels, img.size) != 0) {
            fprintf(stderr, "dir-bench-v2: %s: %s\n", path, e ? diag.message : "pixels differ");
            return 1;
        }
        tot[ci] += (double)size;
        raw[ci] += (double)img.size;
        et[ci] += te;
        dt[ci] += td;
        if (verbose && !whole) print_streams(out, size, img.channels);
        if (verbose)
            printf("%s\t%zu\t%s\t%ux%ux%u\tfill %llu ref %llu palette %llu raw-none %llu "
                   "raw-predicted %llu\n",
                   c, size, path, img.width, img.height, img.channels,
                   (unsigned long long)st.code_count[DIR2_FILL],
                   (unsigned long long)st.code_count[DIR2_REF],
                   (unsigned long long)st.code_count[DIR2_PALETTE],
                   (unsigned long long)st.code_count[3],
                   (unsigned long long)(st.sections - st.code_count[0] - st.code_count[1] -
                                        st.code_count[2] - st.code_count[3]));
        free(back);
        free(out);
        free(img.file);
        free(img.pixels);
    }
    if (more < 0) return 1;
    for (int i = 0; i < 3; i++)
        printf("%-6s %10.0f  x%.3f webp  encode %6.1f MB/s  decode %6.1f MB/s\n", cls[i], tot[i],
               tot[i] / webp[i], et[i] > 0 ? raw[i] / et[i] / 1e6 : 0,
               dt[i] > 0 ? raw[i] / dt[i] / 1e6 : 0);
    return 0;
}
