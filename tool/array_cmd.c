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
#include "heatmap_render.h"
#include "tensorio.h"

static const char usage[] =
    "usage: dirtool array pack IN.{json,csv,npy,npz,safetensors} OUT.{png,webp,dir}\n"
    "                          [--capacity 0|1|2|auto]\n"
    "                          [--no-ldeczeroes] [--alpha] [--width W] [--classic]\n"
    "                          [--allow-inexact] [--normalise] [--encoding digits|binary|auto]\n"
    "                          [.dir options: --preset P --level N ... (dirtool encode --help)]\n"
    "       dirtool array unpack IN.{png,webp,dir} OUT.{json,csv,npy,npz,safetensors}\n"
    "                          [--classic --capacity C --no-ldeczeroes --alpha]\n"
    "                          [--keep-normalised]\n"
    "       dirtool array heatmap IN.{png,webp,dir} OUT.png [--zoom N] [--tiles RxC]\n"
    "                          [--scale S | --percentile P] [--plain] [--shape ROWSxCOLS]\n"
    "                          [--classic --capacity C --no-ldeczeroes --alpha]\n"
    "\n"
    "Images are self-describing unless --classic: a header records the encoding, the\n"
    "tensors, the count and a CRC, and every value comes back bit for bit.  --encoding\n"
    "binary stores IEEE-754 bytes regrouped by significance (byte-shuffle), digits the\n"
    "convention's value strings, auto (the default) the smaller of the two.  --classic\n"
    "writes and reads the IMGArrays library's own images (no header, so unpack needs\n"
    "the configuration pack used; both default to capacity 1 with leading-zero counts,\n"
    "and pack --capacity auto prints the one it picks).  --capacity auto with\n"
    "--no-ldeczeroes picks among the configurations without the leading-zero count.\n"
    "--allow-inexact writes what the reference library writes even where that will\n"
    "not read back exactly.  --normalise stores (v - min) / (max - min) and records\n"
    "min and max; unpack undoes it unless --keep-normalised.  A .dir output takes\n"
    "the options of dirtool encode (--preset smallest: the smallest file).\n"
    "\n"
    "The heatmap draws each tensor in its own shape with its name, shape and dtype, a\n"
    "colour bar (blue below zero, white at zero, red above) and min/max/mean/std; the\n"
    "scale is symmetric, at the P-th percentile of |v| (99.5), values beyond it in the\n"
    "darker clip colours; --scale S fixes it.  Small tensors are enlarged (--zoom N\n"
    "sets the cell size); --tiles RxC draws each row of a 2-D tensor (or column) as an\n"
    "RxC tile (28x28: first-layer receptive fields); tensors whose rows (or columns)\n"
    "do not hold R*C values are drawn untiled with a warning, and an error if none\n"
    "does.  A picture over 4096 cells a side is reduced by the smallest factor per\n"
    "axis (inside each tile), each cell its block's value of largest magnitude (black\n"
    "with a NaN or infinity), the title saying \"shown 1:F x 1:G\"; the statistics stay\n"
    "over every value.  --plain or --shape draws the old grid of one pixel per value.\n";

static int die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "dirtool array: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return TOOL_EXIT_FAILURE;
}

/* An array image has 8 bits per sample.  A 16-bit one (saved at 16 bits by
 * an editor, or "convert -depth 16") still holds it exactly when every
 * sample is an 8-bit value widened (v x 257): reduce that exactly; any other
 * 16-bit image is not an array image as written (it was edited or scaled),
 * which says so instead of a "damaged header" from its high and low bytes.
 * 8-bit images are left as they are.  Returns 0, or 1 with a reason. */
static int array_image_8bit(tool_image *img, const char *path, char *err, size_t errlen)
{
    if (img->depth != 16) return 0;
    const uint16_t *s = (const uint16_t *)(const void *)img->pixels;
    size_t n = (size_t)img->width * img->height * img->channels;
    for (size_t i = 0; i < n; i++)
        if (s[i] % 257u) {
            size_t px = i / img->channels;
            snprintf(err, errlen,
                     "'%s' has 16-bit samples that are not 8-bit values (0x%04x at pixel (%zu, %zu)): "
                     "an array image has 8 bits per sample, so this one was edited or scaled "
                     "after it was packed",
                     path, s[i], px % img->width, px / img->width);
            return 1;
        }
    /* every sample is v x 257: the rounding reduction gives v back exactly;
     * grey+alpha becomes RGBA as for the other readers */
    if (tool_image_to_8bit(img)) {
        snprintf(err, errlen, "'%s': out of memory", path);
        return 1;
    }
    return 0;
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
    int encoding_given;
    int keep_normalised;
    uint32_t rows, cols;
    double scale;
    int plain;
    unsigned zoom;
    double percentile;
    uint32_t tile_rows, tile_cols;
} args;

/* The options that say how to read a classic image, given (NULL-ended). */
static void read_options_given(const args *a, const char *names[4])
{
    int n = 0;
    if (a->capacity_given) names[n++] = "--capacity";
    if (!a->opt.ldeczeroes) names[n++] = "--no-ldeczeroes";
    if (a->opt.alpha) names[n++] = "--alpha";
    names[n] = NULL;
}

/* Options that contradict the others, and so would be ignored: a
 * command-line error (status 2), checked before anything is read. */
static int check_applies(const args *a, int cmd_pack, int cmd_heatmap)
{
    const char *reads[4];
    read_options_given(a, reads);
    if (cmd_pack) {
        for (int k = 0; reads[k]; k++)
            if (strcmp(reads[k], "--alpha") != 0 && a->encoding_given &&
                a->opt.encoding == DIRA_ENCODING_BINARY)
                return tool_usage_error("array",
                                        "%s does not apply with --encoding binary: it configures "
                                        "the digits (--encoding digits or auto, or --classic)",
                                        reads[k]);
        if (a->opt.allow_inexact && !a->opt.classic)
            return tool_usage_error("array", "--allow-inexact does not apply without --classic: a "
                                             "self-describing image holds every value exactly");
        return 0;
    }
    /* unpack and heatmap: the configuration of a headerless image */
    if (reads[0] && !a->opt.classic)
        return tool_usage_error("array",
                                "%s does not apply without --classic: it says how to read a "
                                "classic image (a self-describing one records its own)",
                                reads[0]);
    if (!cmd_heatmap) return 0;
    /* --plain and --shape draw the plain grid: one pixel per value, no
     * zoom, tiles or percentile */
    const char *plain = a->plain ? "--plain" : a->rows || a->cols ? "--shape" : NULL;
    const char *drawing = a->zoom         ? "--zoom"
                          : a->tile_rows  ? "--tiles"
                          : a->percentile ? "--percentile"
                                          : NULL;
    if (plain && drawing)
        return tool_usage_error("array",
                                "%s does not apply with %s: the plain grid draws one pixel per "
                                "value (%s sets the readable heatmap)",
                                drawing, plain, drawing);
    if (a->scale && a->percentile)
        return tool_usage_error("array", "--scale and --percentile both set the scale: give one");
    return 0;
}

/* Warns (the image decides, so the command goes on) that the options for
 * reading a classic image are ignored: `in` is self-describing. */
static void warn_read_options(const args *a, const char *in)
{
    const char *reads[4];
    read_options_given(a, reads);
    for (int k = 0; reads[k]; k++)
        fprintf(stderr,
                "dirtool array: warning: %s ignored: '%s' is self-describing (its header records "
                "its configuration)\n",
                reads[k], in);
}

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
        static const char *const valued[] = {"--capacity", "--width",  "--shape",      "--scale",
                                             "--encoding", "--zoom",   "--percentile", "--tiles"};
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && !v; k++) {
            if ((k == 1 && !cmd_pack) || ((k == 2 || k == 3 || k >= 5) && !cmd_heatmap) ||
                (k == 4 && !cmd_pack))
                continue;
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
        } else if (v && strcmp(s, "--encoding") == 0) {
            if (strcmp(v, "auto") == 0)
                a->opt.encoding = DIRA_ENCODING_AUTO;
            else if (strcmp(v, "digits") == 0)
                a->opt.encoding = DIRA_ENCODING_DIGITS;
            else if (strcmp(v, "binary") == 0)
                a->opt.encoding = DIRA_ENCODING_BINARY;
            else
                return bad_usage("--encoding takes digits, binary or auto, not", v);
            a->encoding_given = 1;
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
        } else if (v && strcmp(s, "--zoom") == 0) {
            uint32_t z;
            if (parse_u32(v, &z) || z > 64) return bad_usage("--zoom takes 1 to 64, not", v);
            a->zoom = z;
        } else if (v && strcmp(s, "--percentile") == 0) {
            char *end;
            errno = 0;
            a->percentile = strtod(v, &end);
            if (errno || *end || end == v || !(a->percentile > 0) || a->percentile > 100)
                return bad_usage("--percentile takes a number above 0 and at most 100, not", v);
        } else if (v && strcmp(s, "--tiles") == 0) {
            char *x;
            errno = 0;
            unsigned long long r = strtoull(v, &x, 10), c = 0;
            if (!errno && x != v && (*x == 'x' || *x == 'X')) {
                char *end;
                c = strtoull(x + 1, &end, 10);
                if (errno || *end || end == x + 1) c = 0;
            }
            if (v[0] == '-' || r == 0 || c == 0 || r > 4096 || c > 4096)
                return bad_usage("--tiles takes RxC (e.g. 28x28), not", v);
            a->tile_rows = (uint32_t)r;
            a->tile_cols = (uint32_t)c;
        } else if (cmd_heatmap && strcmp(s, "--plain") == 0) {
            a->plain = 1;
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
    if (cmd_pack && a->opt.classic && a->encoding_given &&
        a->opt.encoding == DIRA_ENCODING_BINARY)
        return bad_usage("--encoding binary needs a self-describing image (drop --classic)",
                         NULL);
    if (cmd_pack && a->opt.classic) a->opt.encoding = DIRA_ENCODING_DIGITS;
    if (cmd_pack && a->opt.classic && a->opt.normalised)
        return bad_usage("--normalise needs a self-describing image (drop --classic)", NULL);
    return check_applies(a, cmd_pack, cmd_heatmap);
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

/* The values of all tensors as one array of doubles (classic images and
 * normalisation hold numbers, not tensors); refuses an element with no
 * exact double. */
static int flatten(const tio_set *set, const char *in, double **out, size_t *n)
{
    uint64_t total = 0;
    for (size_t i = 0; i < set->count; i++)
        total += dira_tensor_elements(&set->t[i]);
    if (total > DIRA_MAX_VALUES) return die("'%s': too many values%s", in, "");
    double *v = malloc(total ? (size_t)total * sizeof *v : 1);
    if (!v) return die("out of memory%s%s", "", "");
    size_t k = 0;
    for (size_t i = 0; i < set->count; i++) {
        uint64_t ne = dira_tensor_elements(&set->t[i]);
        for (uint64_t j = 0; j < ne; j++)
            if (!dira_element_double(&set->t[i], j, &v[k++])) {
                free(v);
                char m[512];
                snprintf(m, sizeof m, "tensor " DIRA_NAME_FMT, DIRA_NAME_ARG(set->t[i].name));
                return die("'%s': %s holds an integer with no exact double (use a "
                           "self-describing image)",
                           in, m);
            }
    }
    *out = v;
    *n = (size_t)total;
    return 0;
}

static void put_f64le(uint8_t *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    for (int b = 0; b < 8; b++)
        p[b] = (uint8_t)(u >> (8 * b));
}

static int cmd_pack(int argc, char **argv)
{
    args a;
    /* a .dir output's options (the core's table), then the array's */
    dir_encode_options eopt;
    char **rest = malloc((size_t)argc * sizeof *rest);
    if (!rest) return die("out of memory%s%s", "", "");
    int nrest, ngiven;
    int rc = tool_encode_args("array", argc, argv, &eopt, rest, &nrest, &ngiven);
    if (!rc) rc = parse_args(nrest, rest, 1, 0, &a);
    free(rest);
    if (rc) return rc < 0 ? TOOL_EXIT_OK : rc; /* -1: --help */
    if (ngiven && tool_format_from_name(a.out) != TOOL_FMT_DIR)
        return tool_usage_error("array",
                                "--preset and the other .dir options need a .dir output, not '%s'",
                                a.out);
    char err[1024];
    /* File names of the wrong type: the command line is wrong (status 2) */
    if (tio_format_from_name(a.in) == TIO_UNKNOWN && strcmp(a.in, "-") != 0)
        return tool_usage_error(
            "array", "'%s': unknown number file type (use .json, .csv, .npy, .npz or .safetensors)",
            a.in);
    if (tool_format_from_name(a.out) == TOOL_FMT_UNKNOWN && strcmp(a.out, "-") != 0)
        return tool_usage_error("array", "'%s': output must be .png, .webp or .dir", a.out);
    tio_set set = {0};
    if (tio_read(a.in, &set, err, sizeof err)) return die("%s%s", err, "");
    dir_diag diag;
    unsigned long long norm_inexact = 0;
    double *v = NULL;
    size_t n = 0;
    if (a.opt.classic || a.opt.normalised) {
        if (flatten(&set, a.in, &v, &n)) {
            tio_free(&set);
            return TOOL_EXIT_FAILURE;
        }
    }
    if (a.opt.normalised) {
        for (size_t i = 0; i < set.count; i++)
            if (set.t[i].dtype != DIRA_F64) {
                free(v);
                tio_free(&set);
                char m[512];
                snprintf(m, sizeof m, "tensor " DIRA_NAME_FMT, DIRA_NAME_ARG(set.t[i].name));
                return die("'%s': --normalise takes float64 values, and %s is not", a.in, m);
            }
        double *orig = malloc(n ? n * sizeof *orig : 1);
        if (!orig) {
            free(v);
            tio_free(&set);
            return die("out of memory%s%s", "", "");
        }
        memcpy(orig, v, n * sizeof *orig);
        if (dira_normalise(v, n, &a.opt.norm_min, &a.opt.norm_max, &diag) != DIR_OK) {
            free(orig);
            free(v);
            tio_free(&set);
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
        /* back into the tensors, which keep their shapes */
        size_t k = 0;
        for (size_t i = 0; i < set.count; i++) {
            uint64_t ne = dira_tensor_elements(&set.t[i]);
            for (uint64_t j = 0; j < ne; j++)
                put_f64le((uint8_t *)set.t[i].data + 8 * j, v[k++]);
        }
    }
    tool_image img = {0};
    dira_info info;
    dir_error e;
    if (a.opt.classic)
        e = dira_encode(v, n, &a.opt, &img.pixels, &img.width, &img.height, &img.channels, &info,
                        &diag);
    else
        e = dira_encode_tensors(set.t, set.count, set.meta, set.meta_count, &a.opt, &img.pixels,
                                &img.width, &img.height, &img.channels, &info, &diag);
    free(v);
    size_t ntensors = set.count;
    tio_free(&set);
    if (e != DIR_OK) return die("'%s': %s", a.in, diag.message);
    const char *reads[4];
    read_options_given(&a, reads);
    for (int k = 0; info.encoding == DIRA_ENCODING_BINARY && reads[k]; k++)
        if (strcmp(reads[k], "--alpha") != 0)
            fprintf(stderr,
                    "dirtool array: warning: %s ignored: --encoding auto stored the values "
                    "binary, the smaller (--encoding digits keeps the digits)\n",
                    reads[k]);
    if (tool_write_image(a.out, &img, &eopt, err, sizeof err)) {
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
    FILE *rs = report_stream(a.out);
    fprintf(rs, "packed %llu values", (unsigned long long)info.count);
    if (!info.classic && ntensors != 1) fprintf(rs, " in %zu tensors", ntensors);
    fprintf(rs, " into %s: %s, ", a.out, info.classic ? "classic" : "self-describing");
    if (info.encoding == DIRA_ENCODING_BINARY)
        fprintf(rs, "binary (byte-shuffled), %llu payload bytes",
                (unsigned long long)info.payload_bytes);
    else
        fprintf(rs, "%scapacity %d, ldeczeroes %s", info.classic ? "" : "digits, ",
                info.capacity, info.ldeczeroes ? "on" : "off");
    fprintf(rs, ", %ux%u %s, %llu escaped", info.width, info.height,
            info.channels == 4 ? "RGBA" : "RGB", (unsigned long long)info.escaped);
    if (info.classic && info.inexact)
        fprintf(rs, ", %llu inexact (as the reference writes them)",
                (unsigned long long)info.inexact);
    if (a.opt.normalised) {
        char lo[DIRA_NUMBER_BUFSIZE], hi[DIRA_NUMBER_BUFSIZE];
        dira_shortest(a.opt.norm_min, lo);
        dira_shortest(a.opt.norm_max, hi);
        fprintf(rs,
                ", normalised from [%s, %s]: %llu value(s) will unpack as a slightly different "
                "double",
                lo, hi, norm_inexact);
    }
    if (size >= 0) fprintf(rs, ", %lld bytes", size);
    fputc('\n', rs);
    return 0;
}

/* Reads an image and decodes its array. */
static int cmd_unpack(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 0, 0, &a);
    if (rc) return rc < 0 ? TOOL_EXIT_OK : rc; /* -1: --help */
    if (tio_format_from_name(a.out) == TIO_UNKNOWN && strcmp(a.out, "-") != 0)
        return tool_usage_error(
            "array", "'%s': output must be .json, .csv, .npy, .npz or .safetensors", a.out);
    char err[1024];
    tool_image img;
    if (tool_read_image(a.in, NULL, &img, err, sizeof err)) return die("%s%s", err, "");
    if (array_image_8bit(&img, a.in, err, sizeof err)) {
        tool_image_free(&img);
        return die("%s%s", err, "");
    }
    dir_diag diag;
    dira_tensors *ts = NULL;
    dira_info info;
    dir_error e = dira_decode_tensors(img.pixels, img.width, img.height, img.channels, 0, &a.opt,
                                      &ts, &info, &diag);
    tool_image_free(&img);
    if (e != DIR_OK) return die("'%s': %s", a.in, diag.message);
    if (!info.classic) warn_read_options(&a, a.in);
    if (a.keep_normalised && !info.normalised)
        fprintf(stderr,
                "dirtool array: warning: --keep-normalised ignored: '%s' is not normalised\n",
                a.in);
    uint64_t n = 0;
    for (size_t i = 0; i < ts->count; i++) {
        uint64_t ne = dira_tensor_elements(&ts->tensors[i]);
        if (info.normalised && !a.keep_normalised && ts->tensors[i].dtype == DIRA_F64)
            for (uint64_t j = 0; j < ne; j++) {
                double d;
                dira_element_double(&ts->tensors[i], j, &d);
                dira_unnormalise(&d, 1, info.norm_min, info.norm_max);
                put_f64le((uint8_t *)ts->tensors[i].data + 8 * j, d);
            }
        n += ne;
    }
    /* a view of the decoded block: not tio_free()d */
    tio_set view = {ts->count, ts->tensors, ts->meta_count, ts->meta};
    rc = tio_write(a.out, &view, err, sizeof err);
    size_t ntensors = ts->count;
    dir_free(ts);
    if (rc) return die("%s%s", err, "");
    char how[64];
    if (info.encoding == DIRA_ENCODING_BINARY)
        snprintf(how, sizeof how, "binary");
    else
        snprintf(how, sizeof how, "capacity %d, ldeczeroes %s", info.capacity,
                 info.ldeczeroes ? "on" : "off");
    FILE *rs = report_stream(a.out);
    fprintf(rs, "unpacked %llu values", (unsigned long long)n);
    if (ntensors != 1) fprintf(rs, " in %zu tensors", ntensors);
    fprintf(rs, " from %s image (%s%s) into %s\n", info.classic ? "a classic" : "a self-describing",
            how, info.normalised ? (a.keep_normalised ? ", left normalised" : ", unnormalised") : "",
            a.out);
    return 0;
}

static int cmd_heatmap(int argc, char **argv)
{
    args a;
    int rc = parse_args(argc, argv, 0, 1, &a);
    if (rc) return rc < 0 ? TOOL_EXIT_OK : rc; /* -1: --help */
    if (tool_format_from_name(a.out) != TOOL_FMT_PNG && strcmp(a.out, "-") != 0)
        return tool_usage_error("array", "'%s': the heatmap is written as .png", a.out);
    /* the readable heatmap (every tensor in its own shape), or the plain
     * grid: the code the GIMP plug-ins draw with (heatmap/heatmap_render.c) */
    char err[1024];
    tool_image src;
    if (tool_read_image(a.in, NULL, &src, err, sizeof err)) return die("%s%s", err, "");
    if (array_image_8bit(&src, a.in, err, sizeof err)) {
        tool_image_free(&src);
        return die("%s%s", err, "");
    }
    if (tool_image_to_8bit(&src)) {
        tool_image_free(&src);
        return die("'%s': out of memory%s", a.in, "");
    }
    if ((src.channels == 3 || src.channels == 4) &&
        dira_is_self_describing(src.pixels, src.width, src.height, src.channels))
        warn_read_options(&a, a.in);
    heat_request req;
    heat_request_default(&req);
    req.read = a.opt;
    req.heat.scale = a.scale;
    req.heat.percentile = a.percentile;
    req.heat.tile_rows = a.tile_rows;
    req.heat.tile_cols = a.tile_cols;
    req.zoom = a.zoom;
    req.plain = a.plain;
    req.rows = a.rows;
    req.cols = a.cols;
    heat_page page;
    rc = heat_render_pixels(src.pixels, src.width, src.height, src.channels, 0, &req, NULL, NULL,
                            &page, err, sizeof err);
    tool_image_free(&src);
    heat_render_release();
    if (rc) return die("'%s': %s", a.in, err);
    /* the tensors --tiles does not fit, drawn in their shape */
    for (const char *w = page.warnings; w && *w;) {
        const char *nl = strchr(w, '\n');
        int n = nl ? (int)(nl - w) : (int)strlen(w);
        fprintf(stderr, "dirtool array: warning: '%s': %.*s\n", a.in, n, w);
        w += n + (nl != NULL);
    }
    tool_image img = {0};
    img.pixels = heat_page_compose(&page);
    img.width = page.width;
    img.height = page.height;
    img.channels = 3;
    if (!img.pixels) {
        heat_page_free(&page);
        return die("'%s': out of memory%s", a.in, "");
    }
    rc = tool_write_image(a.out, &img, NULL, err, sizeof err);
    free(img.pixels);
    if (rc) {
        heat_page_free(&page);
        return die("%s%s", err, "");
    }
    FILE *rs = report_stream(a.out);
    fputs(page.report, rs);
    heat_page_free(&page);
    fprintf(rs, "heatmap %ux%u written to %s\n", img.width, img.height, a.out);
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
