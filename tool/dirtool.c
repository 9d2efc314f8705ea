/* SPDX-License-Identifier: MIT */
/* dirtool -- encode, decode and inspect .dir images; pack numeric arrays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_cmd.h"
#include "dir.h"
#include "image_io.h"

static const char usage[] =
    "usage: dirtool encode IN.png OUT.dir [--filter none|sub|auto] [--backend none|zstd]\n"
    "                      [--level N] [--interleaved] [--codes auto|smallest|zstd]\n"
    "       dirtool decode IN.dir OUT.png [--max-pixels N]\n"
    "       dirtool info [--json] IN.dir\n"
    "       dirtool array pack|unpack|heatmap ...   (dirtool array --help)\n";

static int die(const char *msg)
{
    fprintf(stderr, "dirtool: %s\n", msg);
    return 1;
}

static int unknown_option(const char *opt)
{
    fprintf(stderr, "dirtool: unknown or incomplete option '%s' (dirtool --help)\n", opt);
    return 1;
}

static int parse_level(const char *s, int *level)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 1 || v > 22) return -1;
    *level = (int)v;
    return 0;
}

static int cmd_encode(int argc, char **argv)
{
    dir_encode_options opt;
    const char *in = NULL, *out = NULL;
    char err[512];
    dir_encode_options_default(&opt);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--filter") == 0 && v) {
            if (dir_filter_parse(v, &opt.filter)) return die("--filter takes none, sub or auto");
            i++;
        } else if (strcmp(a, "--backend") == 0 && v) {
            if (dir_backend_parse(v, &opt.backend)) return die("--backend takes none or zstd");
            i++;
        } else if (strcmp(a, "--level") == 0 && v) {
            if (parse_level(v, &opt.level)) return die("--level takes 1 to 22");
            i++;
        } else if (strcmp(a, "--codes") == 0 && v) {
            if (dir_codes_parse(v, &opt.codes)) return die("--codes takes auto, smallest or zstd");
            i++;
        } else if (strcmp(a, "--interleaved") == 0) {
            opt.layout = DIR_LAYOUT_INTERLEAVED;
        } else if (a[0] == '-' && a[1] == '-') {
            return unknown_option(a);
        } else if (!in) {
            in = a;
        } else if (!out) {
            out = a;
        } else {
            return die("encode takes one input and one output");
        }
    }
    if (!in || !out) return die("encode needs IN.png OUT.dir");
    if (tool_format_from_name(out) != TOOL_FMT_DIR && strcmp(out, "-") != 0) {
        snprintf(err, sizeof err, "'%s': encode writes .dir files (name the output *.dir)", out);
        return die(err);
    }
    tool_image img;
    if (tool_read_image(in, NULL, &img, err, sizeof err)) return die(err);
    void *file;
    size_t size;
    dir_diag diag;
    if (dir_encode(img.pixels, img.width, img.height, img.channels, 0, &opt, &file, &size, NULL,
                   &diag) != DIR_OK) {
        tool_image_free(&img);
        snprintf(err, sizeof err, "'%s': %s", in, diag.message);
        return die(err);
    }
    tool_image_free(&img);
    int rc = tool_write_file_atomic(out, file, size, err, sizeof err);
    dir_free(file);
    return rc ? die(err) : 0;
}

static int cmd_decode(int argc, char **argv)
{
    char err[512];
    const char *in = NULL, *out = NULL;
    dir_limits lim;
    dir_limits_default(&lim);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max-pixels") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (errno || *end || v == 0 || dir_limits_restrict(&lim, 0, 0, v) != DIR_OK)
                return die("--max-pixels takes 1 to 268435456");
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return unknown_option(argv[i]);
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            return die("decode takes one input and one output");
        }
    }
    if (!in || !out) return die("decode needs IN.dir OUT.png");
    tool_format fmt = tool_format_from_name(out);
    if (fmt != TOOL_FMT_PNG && fmt != TOOL_FMT_WEBP && strcmp(out, "-") != 0) {
        snprintf(err, sizeof err, "'%s': decode writes .png or .webp", out);
        return die(err);
    }
    uint8_t *data;
    size_t size;
    if (tool_read_file(in, &data, &size, err, sizeof err)) return die(err);
    tool_image img;
    dir_info info;
    dir_diag diag;
    void *px;
    if (dir_decode_alloc(data, size, &lim, &px, &info, NULL, &diag) != DIR_OK) {
        free(data);
        snprintf(err, sizeof err, "'%s': %s", in, diag.message);
        return die(err);
    }
    free(data);
    img.width = info.width;
    img.height = info.height;
    img.channels = info.channels;
    img.pixels = px;
    int rc = tool_write_image(out, &img, NULL, err, sizeof err);
    tool_image_free(&img);
    return rc ? die(err) : 0;
}

static int cmd_info(int argc, char **argv)
{
    int json = 0;
    const char *in = NULL;
    char err[512];
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            return unknown_option(argv[i]);
        else if (!in)
            in = argv[i];
        else
            return die("info takes one file");
    }
    if (!in) return die("info needs IN.dir");
    uint8_t *data;
    size_t size;
    if (tool_read_file(in, &data, &size, err, sizeof err)) return die(err);
    dir_info info;
    dir_stats st;
    dir_diag diag;
    void *px;
    if (dir_decode_alloc(data, size, NULL, &px, &info, &st, &diag) != DIR_OK) {
        free(data);
        snprintf(err, sizeof err, "'%s': %s", in, diag.message);
        return die(err);
    }
    free(px);
    free(data);
    uint64_t raw = 0;
    for (int k = 0; k < DIR_STREAMS; k++)
        raw += st.stream_bytes[k];
    if (json) {
        printf("{\"width\": %u, \"height\": %u, \"channels\": %u, \"version\": %u, "
               "\"filter\": \"%s\", \"layout\": \"%s\", \"backend\": \"%s\", "
               "\"crc\": \"%08x\", \"file_bytes\": %llu, \"stream_bytes_total\": %llu, "
               "\"section_count\": %llu, \"sections\": {",
               info.width, info.height, info.channels, info.version, dir_filter_name(info.filter),
               dir_layout_name(info.layout), dir_backend_name(info.backend), info.crc,
               (unsigned long long)st.file_bytes, (unsigned long long)raw,
               (unsigned long long)st.sections);
        for (int k = 0; k < 9; k++)
            printf("%s\"%02d\": %llu", k ? ", " : "", k, (unsigned long long)st.code_count[k]);
        printf("}, \"streams\": [");
        for (int k = 0; k < DIR_STREAMS; k++)
            printf("%s%llu", k ? ", " : "", (unsigned long long)st.stream_bytes[k]);
        printf("]}\n");
        return 0;
    }
    printf("%s: .dir version %u, %ux%u, %u channel%s\n", in, info.version, info.width, info.height,
           info.channels, info.channels > 1 ? "s" : "");
    printf("filter %s, layout %s, back end %s, CRC-32 %08x\n", dir_filter_name(info.filter),
           dir_layout_name(info.layout), dir_backend_name(info.backend), info.crc);
    printf("file %llu bytes (%.3f bits/pixel); streams %llu bytes before the back end\n",
           (unsigned long long)st.file_bytes,
           8.0 * (double)st.file_bytes / ((double)info.width * info.height),
           (unsigned long long)raw);
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
    if (argc < 2) return die("no command: encode, decode, info or array (dirtool --help)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return 0;
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
    fprintf(stderr,
            "dirtool: unknown command '%s': encode, decode, info or array (dirtool --help)\n",
            argv[1]);
    return 1;
}
