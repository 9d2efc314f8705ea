/* SPDX-License-Identifier: MIT */
/* array_cmd.c -- `dirtool array`: numbers <-> images (IMGArrays convention,
 * classic or self-describing) and heatmaps.  All format logic is in the core
 * (dira_*); this file parses options and moves files. */
#include "array_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "dir.h"
#include "image_io.h"
#include "numio.h"

static const char usage[] =
    "usage: dirtool array pack IN.{json,csv,npy} OUT.{png,webp,dir} [--capacity 0|1|2|auto]\n"
    "                          [--no-ldeczeroes] [--alpha] [--width W] [--classic]\n"
    "                          [--allow-inexact] [--normalise]\n"
    "       dirtool array unpack IN.{png,webp,dir} OUT.{json,csv,npy}\n"
    "                          [--classic --capacity C --no-ldeczeroes --alpha]\n"
    "                          [--keep-normalised]\n"
    "       dirtool array heatmap IN.{png,webp,dir} OUT.png [--shape ROWSxCOLS] [--scale S]\n"
    "                          [--classic --capacity C --no-ldeczeroes --alpha]\n"
    "\n"
    "Images are self-describing unless --classic: a header records the configuration,\n"
    "the count and a CRC, and every finite double comes back bit for bit.  --classic\n"
    "writes and reads the IMGArrays library's own images (no header, so unpack needs\n"
    "the configuration pack used; both default to capacity 1 with leading-zero counts,\n"
    "and pack --capacity auto prints the one it picks).  --capacity auto with\n"
    "--no-ldeczeroes picks among the configurations without the leading-zero count.\n"
    "--allow-inexact writes what the reference library writes even where that will\n"
    "not read back exactly.  --normalise stores (v - min) / (max - min) and records\n"
    "min and max; unpack undoes it unless --keep-normalised.  The heatmap is blue below\n"
    "zero, white at zero, red above, full at +-S (default: the largest magnitude).\n";

static int die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "dirtool array: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return TOOL_EXIT_FAILURE;
}

static int bad_usage(const char *what, const char *arg)
{
    return tool_usage_error("array", "%s%s%s", what, arg ? " " : "", arg ? arg : "");
}

/* Where a command reports what it did: standard error when its output is
 * standard output. */
static FILE *report_stream(const char *out)
{
    return strcmp(out, "-") == 0 ? stderr : stdout;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-' || v == 0 || v > DIR_MAX_DIM) return -1;
    *out = (uint32_t)v;
    return 0;
}

typedef struct args {
    const char *in, *out;
    dira_options opt;
    int capacity_given;
    int keep_normalised;
    uint32_t rows, cols;
    double scale;
} args;

static int parse_args(int argc, char **argv, int cmd_pack, int cmd_heatmap, args *a)
{
    memset(a, 0, sizeof *a);
    dira_options_default(&a->opt);
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        const char *v = NULL;
        if (tool_arg_help(s)) {
            fputs(usage, stdout);
            return -1;
        }
        /* The options taking a value, as `--opt value` or `--opt=value`:
         * `s` becomes the option's name. */
        static const char *const valued[] = {"--capacity", "--width", "--shape", "--scale"};
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !v; k++) {
            if ((k == 1 && !cmd_pack) || (k >= 2 && !cmd_heatmap)) continue;
            int m = tool_arg_value(argc, argv, &i, valued[k], &v);
            if (m < 0) return bad_usage("option needs a value:", s);
            if (m > 0) s = valued[k];
        }
        if (v && strcmp(s, "--capacity") == 0) {
            if (strcmp(v, "auto") == 0 && cmd_pack)
                a->opt.capacity = DIRA_CAPACITY_AUTO;
            else if (strcmp(v, "0") == 0 || strcmp(v, "1") == 0 || strcmp(v, "2") == 0)
                a->opt.capacity = v[0] - '0';
            else
                return bad_usage(cmd_pack ? "--capacity takes 0, 1, 2 or auto, not"
                                          : "--capacity takes 0, 1 or 2, not",
                                 v);
            a->capacity_given = 1;
        } else if (strcmp(s, "--no-ldeczeroes") == 0) {
            a->opt.ldeczeroes = 0;
        } else if (strcmp(s, "--alpha") == 0) {
            a->opt.alpha = 1;
        } else if (strcmp(s, "--classic") == 0) {
            a->opt.classic = 1;
        } else if (v && strcmp(s, "--width") == 0) {
            if (parse_u32(v, &a->opt.width)) return bad_usage("--width takes 1 to 1048576, not", v);
        } else if (cmd_pack && strcmp(s, "--allow-inexact") == 0) {
            a->opt.allow_inexact = 1;
        } else if (cmd_pack && strcmp(s, "--normalise") == 0) {
            a->opt.normalised = 1;
        } else if (!cmd_pack && !cmd_heatmap && strcmp(s, "--keep-normalised") == 0) {
            a->keep_normalised = 1;
        } else if (v && strcmp(s, "--shape") == 0) {
            char *x;
            errno = 0;
            unsigned long long r = strtoull(v, &x, 10);
            unsigned long long c = 0;
            if (!errno && x != v && (*x == 'x' || *x == 'X')) {
                char *end;
                c = strtoull(x + 1, &end, 10);
                if (errno || *end || end == x + 1) c = 0;
            }
            if (v[0] == '-' || r == 0 || c == 0 || r > DIR_MAX_DIM || c > DIR_MAX_DIM)
                return bad_usage("--shape takes ROWSxCOLS (e.g. 784x100), not", v);
            a->rows = (uint32_t)r;
            a->cols = (uint32_t)c;
        } else if (v && strcmp(s, "--scale") == 0) {
            char *end;
            errno = 0;
            a->scale = strtod(v, &end);
            if (errno || *end || end == v || !(a->scale > 0) || a->scale > 1e300)
                return bad_usage("--scale takes a positive number, not", v);
        } else if (s[0] == '-' && s[1] != '\0') {
            return bad_usage("unknown or incomplete option", s);
        } else if (!a->in) {
            a->in = s;
        } else if (!a->out) {
            a->out = s;
        } else {
            return bad_usage("too many file names:", s);
        }
    }
    if (!a->in || !a->out) return bad_usage("needs an input and an output file", NULL);
    /* classic images carry no configuration: both directions default to
     * the convention's (capacity 1), so that pack and unpack agree */
    if (a->opt.classic && !a->capacity_given) a->opt.capacity = 1;
    if (cmd_pack && a->opt.classic && a->opt.normalised)
        return bad_usage("--normalise needs a self-describing image (drop --classic)", NULL);
    return 0;
}

/* Reads back what was written and checks that the container kept every
 * data byte (an image written as RGB may come back as RGBA with alpha 255).
 * Returns 0, or -1 with a reason. */
static int verify_written(const char *path, const tool_image *img, char *err, size_t errlen)
{
    tool_image back;
    if (tool_read_image(path, NULL, &back, err, errlen)) return -1;
    int rc = 0;
    if (back.width != img->width || back.height != img->height ||
        !(back.channels == img->channels || (img->channels == 3 && back.channels == 4))) {
        snprintf(err, errlen, "'%s' reads back as %ux%u with %u channels, not %ux%u with %u", path,
                 back.width, back.height, back.channels, img->width, img->height, img->channels);
        rc = -1;
    }
    size_t px = (size_t)img->width * img->height;
    for (size_t i = 0; rc == 0 && i < px; i++) {
        const uint8_t *a = img->pixels + i * img->channels, *b = back.pixels + i * back.channels;
        if (memcmp(a, b, img->channels) != 0 || (back.channels > img->channels && b[3] != 255)) {
            snprintf(err, errlen,
                     "'%s' does not keep the data: pixel %zu reads back changed (a lossy or "
                     "alpha-altering encoder?)",
                     path, i);
            rc = -1;
        }
    }
    tool_image_free(&back);
    return rc;
}

static int cmd_pack(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 1, 0, &a);
    if (rc) return rc < 0 ? TOOL_EXIT_OK : rc; /* -1: --help */
    char err[512];
    if (tool_format_from_name(a.out) == TOOL_FMT_UNKNOWN && strcmp(a.out, "-") != 0)
        return die("'%s': output must be .png, .webp or .dir%s", a.out, "");
    double *v;
    size_t n;
    if (numio_read(a.in, &v, &n, err, sizeof err)) return die("%s%s", err, "");
    dir_diag diag;
    unsigned long long norm_inexact = 0;
    if (a.opt.normalised) {
        double *orig = malloc(n ? n * sizeof *orig : 1);
        if (!orig) {
            free(v);
            return die("out of memory%s%s", "", "");
        }
        memcpy(orig, v, n * sizeof *orig);
        if (dira_normalise(v, n, &a.opt.norm_min, &a.opt.norm_max, &diag) != DIR_OK) {
            free(orig);
            free(v);
            return die("'%s': %s", a.in, diag.message);
        }
        /* the normalised values are stored exactly; the arithmetic of
         * normalising and back is not: say how many will differ */
        for (size_t i = 0; i < n; i++) {
            double back = v[i];
            dira_unnormalise(&back, 1, a.opt.norm_min, a.opt.norm_max);
            norm_inexact += memcmp(&back, &orig[i], sizeof back) != 0;
        }
        free(orig);
    }
    tool_image img = {0};
    dira_info info;
    if (dira_encode(v, n, &a.opt, &img.pixels, &img.width, &img.height, &img.channels, &info,
                    &diag) != DIR_OK) {
        free(v);
        return die("'%s': %s", a.in, diag.message);
    }
    free(v);
    if (tool_write_image(a.out, &img, NULL, err, sizeof err)) {
        dir_free(img.pixels);
        return die("%s%s", err, "");
    }
    /* Standard output gets PNG, which keeps every byte: nothing to read back. */
    if (strcmp(a.out, "-") != 0 && verify_written(a.out, &img, err, sizeof err)) {
        dir_free(img.pixels);
        (void)remove(a.out);
        return die("%s; removed it%s", err, "");
    }
    dir_free(img.pixels);
    struct stat st;
    long long size = stat(a.out, &st) == 0 ? (long long)st.st_size : -1;
    fprintf(report_stream(a.out), "packed %llu values into %s: %s, capacity %d, ldeczeroes %s, %ux%u %s, %llu escaped",
           (unsigned long long)info.count, a.out, info.classic ? "classic" : "self-describing",
           info.capacity, info.ldeczeroes ? "on" : "off", info.width, info.height,
           info.channels == 4 ? "RGBA" : "RGB", (unsigned long long)info.escaped);
    if (info.classic && info.inexact)
        fprintf(report_stream(a.out), ", %llu inexact (as the reference writes them)", (unsigned long long)info.inexact);
    if (a.opt.normalised) {
        char lo[DIRA_NUMBER_BUFSIZE], hi[DIRA_NUMBER_BUFSIZE];
        dira_shortest(a.opt.norm_min, lo);
        dira_shortest(a.opt.norm_max, hi);
        fprintf(report_stream(a.out), ", normalised from [%s, %s]: %llu value(s) will unpack as a slightly different "
               "double",
               lo, hi, norm_inexact);
    }
    if (size >= 0)
        fprintf(report_stream(a.out), ", %lld bytes", size);
    fputc('\n', report_stream(a.out));
    return 0;
}

/* Reads an image and decodes its array. */
static int load_array(const args *a, double **v, size_t *n, dira_info *info)
{
    char err[512];
    tool_image img;
    if (tool_read_image(a->in, NULL, &img, err, sizeof err)) return die("%s%s", err, "");
    if (tool_image_to_8bit(&img)) {
        tool_image_free(&img);
        return die("'%s': out of memory%s", a->in, "");
    }
    dir_diag diag;
    dir_error e =
        dira_decode(img.pixels, img.width, img.height, img.channels, 0, &a->opt, v, n, info, &diag);
    tool_image_free(&img);
    if (e != DIR_OK) return die("'%s': %s", a->in, diag.message);
    return 0;
}

static int cmd_unpack(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 0, 0, &a);
    if (rc) return rc < 0 ? TOOL_EXIT_OK : rc; /* -1: --help */
    if (numio_format_from_name(a.out) == NUMIO_UNKNOWN && strcmp(a.out, "-") != 0)
        return die("'%s': output must be .json, .csv or .npy%s", a.out, "");
    double *v;
    size_t n;
    dira_info info;
    if (load_array(&a, &v, &n, &info)) return 1;
    if (info.normalised && !a.keep_normalised) dira_unnormalise(v, n, info.norm_min, info.norm_max);
    char err[512];
    if (numio_write(a.out, v, n, err, sizeof err)) {
        dir_free(v);
        return die("%s%s", err, "");
    }
    dir_free(v);
    fprintf(report_stream(a.out), "unpacked %llu values from %s image (capacity %d, ldeczeroes %s%s) into %s\n",
           (unsigned long long)n, info.classic ? "a classic" : "a self-describing", info.capacity,
           info.ldeczeroes ? "on" : "off",
           info.normalised ? (a.keep_normalised ? ", left normalised" : ", unnormalised") : "",
           a.out);
    return 0;
}

static int cmd_heatmap(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 0, 1, &a);
    if (rc) return rc < 0 ? TOOL_EXIT_OK : rc; /* -1: --help */
    if (tool_format_from_name(a.out) != TOOL_FMT_PNG && strcmp(a.out, "-") != 0)
        return die("'%s': the heatmap is written as .png%s", a.out, "");
    double *v;
    size_t n;
    dira_info info;
    if (load_array(&a, &v, &n, &info)) return 1;
    if (info.normalised) dira_unnormalise(v, n, info.norm_min, info.norm_max);
    tool_image img = {0};
    dira_stats st;
    dir_diag diag;
    if (dira_heatmap_scaled(v, n, a.rows, a.cols, a.scale, &img.pixels, &img.width, &img.height,
                            &st, &diag) != DIR_OK) {
        dir_free(v);
        return die("'%s': %s", a.in, diag.message);
    }
    dir_free(v);
    img.channels = 3;
    char err[512];
    if (tool_write_image(a.out, &img, NULL, err, sizeof err)) {
        dir_free(img.pixels);
        return die("%s%s", err, "");
    }
    dir_free(img.pixels);
    char smin[DIRA_NUMBER_BUFSIZE], smax[DIRA_NUMBER_BUFSIZE], smean[DIRA_NUMBER_BUFSIZE];
    dira_shortest(st.min, smin);
    dira_shortest(st.max, smax);
    dira_shortest(st.mean, smean);
    fprintf(report_stream(a.out), "count %llu min %s max %s mean %s\n", (unsigned long long)st.count, smin, smax, smean);
    fprintf(report_stream(a.out), "heatmap %ux%u written to %s\n", img.width, img.height, a.out);
    return 0;
}

int dirtool_array_main(int argc, char **argv)
{
    if (argc < 2) return bad_usage("needs a subcommand", NULL);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "pack") == 0) return cmd_pack(argc, argv);
    if (strcmp(argv[1], "unpack") == 0) return cmd_unpack(argc, argv);
    if (strcmp(argv[1], "heatmap") == 0) return cmd_heatmap(argc, argv);
    return bad_usage("unknown subcommand", argv[1]);
}
