/* SPDX-License-Identifier: MIT */
/* dirtool -- encode, decode and inspect .dir images; pack numeric arrays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "array_cmd.h"
#include "dir.h"
#include "image_io.h"

static const char usage[] =
    "usage: dirtool encode IN.png OUT.dir [OPTIONS]   (dirtool encode --help)\n"
    "       dirtool decode IN.dir OUT.{png,webp} [--max-pixels N]\n"
    "       dirtool info [--json] IN.dir\n"
    "       dirtool array pack|unpack|heatmap ...   (dirtool array --help)\n"
    "       dirtool --help | -h     this text (CMD --help or -h: the command's)\n"
    "       dirtool --version       dirtool's version and the .dir format version it writes\n"
    "\n"
    "Options take `--opt value` or `--opt=value`; `-` names standard input or\n"
    "output.  Exit status: 0 done, 1 the work failed (the message says why),\n"
    "2 the command line is wrong (an option that does not apply included).\n";

static const char decode_usage[] =
    "usage: dirtool decode IN.dir OUT.{png,webp} [--max-pixels N]\n"
    "\n"
    "Decodes IN (`-`: standard input) to PNG or WebP (`-`: PNG on standard output).\n"
    "  --max-pixels N   refuse, before allocating, an image of more than N pixels\n"
    "                   (the format's own limit is 268435456)\n";

static const char info_usage[] =
    "usage: dirtool info [--json] IN.dir\n"
    "\n"
    "Decodes IN (`-`: standard input) and prints its header, its metadata (ICC\n"
    "profile, EXIF, XMP, comment, density) and, for version 1, the number of\n"
    "sections written with each code.\n"
    "  --json   one JSON object instead of the table\n";

/* encode's --help, from the core's option table. */
static void encode_help(void)
{
    size_t n;
    const dir_option *opts = dir_options(&n);
    printf("usage: dirtool encode IN.png OUT.dir [OPTIONS]\n"
           "\n"
           "Encodes IN (PNG, WebP or .dir; `-`: standard input) to OUT (`-`: standard\n"
           "output).  Options (a preset first, then the options that override it):\n");
    for (size_t i = 0; i < n; i++) {
        char values[128] = "";
        size_t len = 0;
        if (opts[i].kind == DIR_OPTION_INT) {
            snprintf(values, sizeof values, "%d..%d", opts[i].min, opts[i].max);
        } else {
            for (int k = 0; opts[i].choices[k] && len < sizeof values; k++) {
                int w = snprintf(values + len, sizeof values - len, "%s%s", k ? "|" : "",
                                 opts[i].choices[k]);
                if (w < 0) break;
                len += (size_t)w;
            }
        }
        printf("  --%-8s %s\n             %s (default %s)\n", opts[i].name, values, opts[i].help,
               opts[i].default_value);
    }
    printf("  --interleaved  the same as --layout interleaved\n"
           "\n"
           "An option that has no effect given the others is an error (status 2):\n"
           "  --level      needs --backend zstd\n"
           "  --search     needs --filter auto and format version 2\n"
           "  --threads    needs --backend zstd and format version 2\n"
           "  --layout, --interleaved, --codes\n"
           "               need format version 1: --version 1, or --backend none with\n"
           "               --filter none (version auto writes version 1 there for 8-bit\n"
           "               images without metadata)\n");
}

static int cmd_encode(int argc, char **argv)
{
    dir_encode_options opt;
    const char *in = NULL, *out = NULL;
    char err[512];
    dir_diag diag;
    for (int i = 1; i < argc; i++)
        if (tool_arg_help(argv[i])) {
            encode_help();
            return TOOL_EXIT_OK;
        }
    char **rest = malloc((size_t)argc * sizeof *rest);
    if (!rest) return tool_failure("encode", "out of memory");
    int nrest, ngiven;
    int rc = tool_encode_args("encode", argc, argv, &opt, rest, &nrest, &ngiven);
    for (int i = 1; i < nrest && rc == 0; i++) {
        const char *a = rest[i];
        if (a[0] == '-' && a[1] != '\0')
            rc = tool_usage_error("encode", "unknown or incomplete option '%s'", a);
        else if (!in)
            in = a;
        else if (!out)
            out = a;
        else
            rc = tool_usage_error("encode", "takes one input and one output");
    }
    free(rest);
    if (rc) return rc;
    if (!in || !out) return tool_usage_error("encode", "needs IN.png OUT.dir");
    if (tool_format_from_name(out) != TOOL_FMT_DIR && strcmp(out, "-") != 0)
        return tool_usage_error("encode", "'%s': encode writes .dir files (name the output *.dir)",
                                out);
    tool_image img;
    if (tool_read_image(in, NULL, &img, err, sizeof err)) return tool_failure("encode", "%s", err);
    void *file;
    size_t size;
    /* every sample and the metadata (ICC profile, EXIF, XMP, comment,
     * density) go into the file */
    dir_pixels px = {img.pixels, img.width, img.height, img.channels, img.depth == 16 ? 16 : 8, 0};
    dir_metadata meta;
    tool_meta_view(&img.meta, &meta);
    if (dir_encode_image(&px, &meta, &opt, &file, &size, NULL, &diag) != DIR_OK) {
        tool_image_free(&img);
        return tool_failure("encode", "'%s': %s", in, diag.message);
    }
    tool_image_free(&img);
    rc = tool_write_file_atomic(out, file, size, err, sizeof err);
    dir_free(file);
    return rc ? tool_failure("encode", "%s", err) : TOOL_EXIT_OK;
}

static int cmd_decode(int argc, char **argv)
{
    char err[512];
    const char *in = NULL, *out = NULL;
    dir_limits lim;
    dir_limits_default(&lim);
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m = tool_arg_value(argc, argv, &i, "--max-pixels", &v);
        if (m < 0) return tool_usage_error("decode", "--max-pixels needs a value");
        if (m > 0) {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(v, &end, 10);
            if (errno || *end || end == v || v[0] == '-' || n == 0 ||
                dir_limits_restrict(&lim, 0, 0, n) != DIR_OK)
                return tool_usage_error("decode", "--max-pixels takes 1 to 268435456, not '%s'", v);
        } else if (tool_arg_help(argv[i])) {
            fputs(decode_usage, stdout);
            return TOOL_EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return tool_usage_error("decode", "unknown or incomplete option '%s'", argv[i]);
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            return tool_usage_error("decode", "takes one input and one output");
        }
    }
    if (!in || !out) return tool_usage_error("decode", "needs IN.dir OUT.png");
    tool_format fmt = tool_format_from_name(out);
    if (fmt != TOOL_FMT_PNG && fmt != TOOL_FMT_WEBP && strcmp(out, "-") != 0)
        return tool_usage_error("decode", "'%s': decode writes .png or .webp", out);
    uint8_t *data;
    size_t size;
    if (tool_read_file(in, &data, &size, err, sizeof err)) return tool_failure("decode", "%s", err);
    tool_image img;
    dir_info info;
    dir_diag diag;
    dir_metadata meta;
    void *px;
    memset(&img, 0, sizeof img);
    if (dir_decode_alloc(data, size, &lim, &px, &info, NULL, &diag) != DIR_OK ||
        dir_read_metadata(data, size, &meta, &diag) != DIR_OK) {
        free(data);
        return tool_failure("decode", "'%s': %s", in, diag.message);
    }
    int oom = tool_meta_copy(&meta, &img.meta);
    free(data);
    img.width = info.width;
    img.height = info.height;
    img.channels = info.channels;
    img.depth = info.depth;
    img.pixels = px;
    if (oom) {
        tool_image_free(&img);
        return tool_failure("decode", "'%s': out of memory", in);
    }
    int rc = tool_write_image(out, &img, NULL, err, sizeof err);
    tool_image_free(&img);
    return rc ? tool_failure("decode", "%s", err) : TOOL_EXIT_OK;
}

/* A JSON string (or null), escaped. */
static void print_json_string(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* dirtool info's lines for a version-2 payload. */
static void print_payload(const dir_payload_info *pi)
{
    printf("transform: %s", dir_transform_name(pi->transform));
    if (pi->transform >= 2)
        printf(", %u colours (%llu bytes%s%s)", pi->colours, (unsigned long long)pi->palette_packed,
               pi->transform == 3 ? ", " : "",
               pi->transform == 3 ? dir_method_name(pi->palette_method) : "");
    if (pi->alpha_last) printf("; alpha last");
    printf("\nsections: %llu, units of %u byte%s\n", (unsigned long long)pi->sections,
           pi->unit_bytes, pi->unit_bytes == 1 ? "" : "s");
    printf("  code  sections       %%  meaning\n");
    uint64_t n[3 + DIR_PREDICTORS] = {pi->fills, pi->references, pi->section_palettes};
    for (int p = 0; p < DIR_PREDICTORS; p++)
        n[3 + p] = pi->raw[p];
    static const char *const meaning[3] = {"fill", "reference", "section palette"};
    for (int k = 0; k < 3 + DIR_PREDICTORS; k++) {
        printf("  %02d  %9llu  %6.2f  ", k < 3 ? k : 10 + k - 3, (unsigned long long)n[k],
               pi->sections ? 100.0 * (double)n[k] / (double)pi->sections : 0.0);
        if (k < 3)
            printf("%s\n", meaning[k]);
        else
            printf("raw, predictor %s\n", dir_predictor_name((unsigned)(k - 3)));
    }
    printf("streams (bytes decoded, bytes stored, method):\n");
    for (int k = 0; k < DIR_PAYLOAD_STREAMS; k++)
        if (pi->stream_raw[k])
            printf("  %2d %-10s %12llu %12llu  %s\n", k, dir_payload_stream_name((unsigned)k),
                   (unsigned long long)pi->stream_raw[k], (unsigned long long)pi->stream_packed[k],
                   dir_method_name(pi->stream_method[k]));
}

static int cmd_info(int argc, char **argv)
{
    int json = 0;
    const char *in = NULL;
    char err[512];
    for (int i = 1; i < argc; i++) {
        if (tool_arg_flag(argv[i], "--json")) {
            json = 1;
        } else if (tool_arg_help(argv[i])) {
            fputs(info_usage, stdout);
            return TOOL_EXIT_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return tool_usage_error("info", "unknown or incomplete option '%s'", argv[i]);
        } else if (!in) {
            in = argv[i];
        } else {
            return tool_usage_error("info", "takes one file");
        }
    }
    if (!in) return tool_usage_error("info", "needs IN.dir");
    uint8_t *data;
    size_t size;
    if (tool_read_file(in, &data, &size, err, sizeof err)) return tool_failure("info", "%s", err);
    dir_info info;
    dir_stats st;
    dir_diag diag;
    dir_metadata meta;
    void *px;
    if (dir_decode_alloc(data, size, NULL, &px, &info, &st, &diag) != DIR_OK ||
        dir_read_metadata(data, size, &meta, &diag) != DIR_OK) {
        free(data);
        return tool_failure("info", "'%s': %s", in, diag.message);
    }
    free(px);
    dir_payload_info pi;
    if (info.version == 2 && dir_describe(data, size, NULL, &pi, &diag) != DIR_OK) {
        free(data);
        return tool_failure("info", "'%s': %s", in, diag.message);
    }
    uint64_t raw = 0;
    if (info.version == 2) {
        /* the version-2 sections and streams (dir_stats has none) */
        st.sections = pi.sections;
        for (int k = 0; k < DIR_PAYLOAD_STREAMS; k++)
            raw += pi.stream_raw[k];
    } else {
        for (int k = 0; k < DIR_STREAMS; k++)
            raw += st.stream_bytes[k];
    }
    static const char *const layouts[5] = {"?", "grey", "grey+alpha", "RGB", "RGBA"};
    if (json) {
        printf("{\"width\": %u, \"height\": %u, \"channels\": %u, \"depth\": %u, "
               "\"version\": %u, ",
               info.width, info.height, info.channels, info.depth, info.version);
        if (info.version == 1)
            printf("\"filter\": \"%s\", \"layout\": \"%s\", \"backend\": \"%s\", ",
                   dir_filter_name(info.filter), dir_layout_name(info.layout),
                   dir_backend_name(info.backend));
        printf("\"crc\": \"%08x\", \"file_bytes\": %llu, \"payload_bytes\": %llu, "
               "\"chunks\": %u, \"metadata\": {\"icc_bytes\": %zu, \"exif_bytes\": %zu, "
               "\"xmp_bytes\": %zu, \"comment\": ",
               info.crc, (unsigned long long)st.file_bytes, (unsigned long long)info.payload_size,
               info.chunk_count, meta.icc_size, meta.exif_size, meta.xmp_size);
        print_json_string(meta.comment);
        printf(", \"density\": [%u, %u]}, \"stream_bytes_total\": %llu, "
               "\"section_count\": %llu, \"sections\": {",
               meta.density_x, meta.density_y, (unsigned long long)raw,
               (unsigned long long)st.sections);
        if (info.version == 2) {
            printf("\"00\": %llu, \"01\": %llu, \"02\": %llu", (unsigned long long)pi.fills,
                   (unsigned long long)pi.references, (unsigned long long)pi.section_palettes);
            for (int p = 0; p < DIR_PREDICTORS; p++)
                printf(", \"%02d\": %llu", 10 + p, (unsigned long long)pi.raw[p]);
            printf("}, \"transform\": \"%s\", \"alpha_last\": %s, \"colours\": %u, "
                   "\"unit_bytes\": %u, \"streams\": [",
                   dir_transform_name(pi.transform), pi.alpha_last ? "true" : "false", pi.colours,
                   pi.unit_bytes);
            for (int k = 0; k < DIR_PAYLOAD_STREAMS; k++)
                printf("%s{\"name\": \"%s\", \"method\": \"%s\", \"bytes\": %llu, "
                       "\"stored_bytes\": %llu}",
                       k ? ", " : "", dir_payload_stream_name(k),
                       dir_method_name(pi.stream_method[k]), (unsigned long long)pi.stream_raw[k],
                       (unsigned long long)pi.stream_packed[k]);
            printf("]}\n");
            free(data);
            return 0;
        }
        for (int k = 0; k < 9; k++)
            printf("%s\"%02d\": %llu", k ? ", " : "", k, (unsigned long long)st.code_count[k]);
        printf("}, \"streams\": [");
        for (int k = 0; k < DIR_STREAMS; k++)
            printf("%s%llu", k ? ", " : "", (unsigned long long)st.stream_bytes[k]);
        printf("]}\n");
        free(data);
        return 0;
    }
    printf("%s: .dir version %u, %ux%u, %u channel%s (%s), %u bits per sample\n", in, info.version,
           info.width, info.height, info.channels, info.channels > 1 ? "s" : "",
           layouts[info.channels <= 4 ? info.channels : 0], info.depth);
    if (info.version == 1)
        printf("filter %s, layout %s, back end %s, CRC-32 %08x\n", dir_filter_name(info.filter),
               dir_layout_name(info.layout), dir_backend_name(info.backend), info.crc);
    else
        printf("payload %llu bytes, %u metadata chunk%s (%u bytes), CRC-32 %08x\n",
               (unsigned long long)info.payload_size, info.chunk_count,
               info.chunk_count == 1 ? "" : "s", info.chunks_size, info.crc);
    if (meta.icc_size) printf("ICC profile: %zu bytes\n", meta.icc_size);
    if (meta.exif_size) printf("EXIF: %zu bytes\n", meta.exif_size);
    if (meta.xmp_size) printf("XMP: %zu bytes\n", meta.xmp_size);
    if (meta.comment) printf("comment: %s\n", meta.comment);
    if (meta.density_x)
        printf("density: %u x %u pixels per metre (%.2f x %.2f dpi)\n", meta.density_x,
               meta.density_y, meta.density_x * 0.0254, meta.density_y * 0.0254);
    free(data);
    printf("file %llu bytes (%.3f bits/pixel)", (unsigned long long)st.file_bytes,
           8.0 * (double)st.file_bytes / ((double)info.width * info.height));
    if (info.version == 2) {
        printf("\n");
        print_payload(&pi);
        return 0;
    }
    printf("; streams %llu bytes before the back end\n", (unsigned long long)raw);
    static const char *const code_names[9] = {
        "all zero",           "one colour",    "one pixel differs", "reference",
        "colour elimination", "zero implicit", "no zero",           "raw",
        "two colours"};
    printf("sections: %llu\n", (unsigned long long)st.sections);
    printf("  code  sections       %%  meaning\n");
    for (int k = 0; k < 9; k++)
        printf("  %02d  %9llu  %6.2f  %s\n", k, (unsigned long long)st.code_count[k],
               st.sections ? 100.0 * (double)st.code_count[k] / (double)st.sections : 0.0,
               code_names[k]);
    if (info.layout == DIR_LAYOUT_INTERLEAVED) {
        printf("stream: %llu bytes (codes and payloads interleaved)\n",
               (unsigned long long)st.stream_bytes[0]);
    } else {
        printf("streams (bytes before the back end):\n");
        for (unsigned k = 0; k < DIR_STREAMS; k++)
            if (st.stream_bytes[k])
                printf("  %2u %-16s %12llu  %6.2f%%\n", k, dir_stream_name(k),
                       (unsigned long long)st.stream_bytes[k],
                       raw ? 100.0 * (double)st.stream_bytes[k] / (double)raw : 0.0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return tool_usage_error(NULL, "no command: encode, decode, info or array");
    if (tool_arg_help(argv[1])) {
        fputs(usage, stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("dirtool %d.%d.%d (.dir format %d)\n", DIR_VERSION_MAJOR, DIR_VERSION_MINOR,
               DIR_VERSION_PATCH, DIR_FORMAT_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "encode") == 0) return cmd_encode(argc - 1, argv + 1);
    if (strcmp(argv[1], "decode") == 0) return cmd_decode(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc - 1, argv + 1);
    if (strcmp(argv[1], "array") == 0) return dirtool_array_main(argc - 1, argv + 1);
    return tool_usage_error(NULL, "unknown command '%s': encode, decode, info or array", argv[1]);
}
