/* SPDX-License-Identifier: MIT */
/* mogrify.c -- issue 11's whole-command figure: ImageMagick's `mogrify
 * -format dir` against `mogrify -format png` over the same images, each
 * command timed as a whole (wall-clock and CPU of the process). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench.h"

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
    snprintf(err, errlen, "%s %s", what, path);
    return -1;
}

static double children_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_CHILDREN, &ru) != 0) return 0.0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Checks the output of one image: it decodes at the image's size. */
static int check_output(const char *path, const char *format, const bench_file *img,
                        uint64_t *bytes, char *err, size_t errlen)
{
    uint8_t *data;
    size_t size;
    if (bench_read_file(path, &data, &size) != 0)
        return fail(err, errlen, "mogrify wrote no readable", path);
    int ok;
    char why[256];
    if (strcmp(format, "dir") == 0) {
        dir_info info;
        dir_diag diag;
        void *px = NULL;
        ok = dir_decode_alloc(data, size, NULL, &px, &info, NULL, &diag) == DIR_OK &&
             info.width == img->width && info.height == img->height;
        dir_free(px);
    } else {
        bench_image shape;
        memset(&shape, 0, sizeof shape);
        ok = bench_png_load(data, size, &shape, why, sizeof why) == 0 &&
             shape.width == img->width && shape.height == img->height;
        free(shape.pixels);
    }
    free(data);
    if (!ok)
        return fail(err, errlen, "mogrify's output does not decode at the image's size:", path);
    *bytes += size;
    return 0;
}

int bench_mogrify(const char *mogrify, const char *dir, const bench_file *files, size_t n,
                  const char *format, const char *define, bench_run_time *t, char *err,
                  size_t errlen)
{
    size_t dlen = strlen(dir) + 16;
    char **argv = calloc(n + 6, sizeof *argv);
    char *names = malloc(n * dlen);
    int rc = -1;
    size_t made = 0;
    memset(t, 0, sizeof *t);
    if (!argv || !names) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    size_t a = 0;
    argv[a++] = (char *)mogrify;
    argv[a++] = "-format";
    argv[a++] = (char *)format;
    if (define) {
        argv[a++] = "-define";
        argv[a++] = (char *)define;
    }
    for (; made < n; made++) { /* copies of the PNGs as shipped */
        char *name = names + made * dlen;
        snprintf(name, dlen, "%s/%04zu.png", dir, made);
        uint8_t *data;
        size_t size;
        if (bench_read_file(files[made].path, &data, &size) != 0) {
            fail(err, errlen, "cannot read", files[made].path);
            goto done;
        }
        int w = bench_write_file(name, data, size, err, errlen);
        free(data);
        if (w != 0) goto done;
        argv[a++] = name;
    }
    argv[a] = NULL;

    double cpu0 = children_cpu_s();
    uint64_t t0 = bench_wall_ns();
    if (bench_run(argv, err, errlen) != 0) goto done;
    t->wall_s = (double)(bench_wall_ns() - t0) / 1e9;
    t->cpu_s = children_cpu_s() - cpu0;

    for (size_t i = 0; i < n; i++) {
        char out[4096];
        snprintf(out, sizeof out, "%s/%04zu.%s", dir, i, format);
        if (check_output(out, format, &files[i], &t->bytes, err, errlen) != 0) goto done;
    }
    rc = 0;
done:
    for (size_t i = 0; i < made; i++) { /* empty the directory again */
        char out[4096];
        snprintf(out, sizeof out, "%s/%04zu.%s", dir, i, format);
        remove(out);
        remove(names + i * dlen);
    }
    free(names);
    free(argv);
    return rc;
}
