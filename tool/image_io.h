/* SPDX-License-Identifier: MIT */
/* image_io.h -- dirtool's file I/O: PNG (libpng), lossless WebP (libwebp) and
 * .dir (core), plus whole-file reads and atomic writes.  Not part of the core
 * library: only dirtool and the tests link it. */
#ifndef DIRTOOL_IMAGE_IO_H
#define DIRTOOL_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

/* 8-bit pixels, row-major, channels interleaved, no row padding. */
typedef struct tool_image {
    uint32_t width;
    uint32_t height;
    unsigned channels; /* 1 grey, 3 RGB, 4 RGBA */
    uint8_t *pixels;
} tool_image;

typedef enum tool_format {
    TOOL_FMT_UNKNOWN,
    TOOL_FMT_PNG,
    TOOL_FMT_WEBP,
    TOOL_FMT_DIR
} tool_format;

/* Format from a file name's extension (.png, .webp, .dir), case-insensitive. */
tool_format tool_format_from_name(const char *path);

/* Reads a whole file (or stdin for "-").  On failure returns -1 and writes a
 * one-line reason into err. *data is malloc()ed. */
int tool_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen);

/* Writes data to path through a temporary file in the same directory, then
 * rename(): a failed write never leaves a partial file at path.  "-" writes
 * to stdout. Returns 0 or -1 with err set. */
int tool_write_file_atomic(const char *path, const void *data, size_t size, char *err,
                           size_t errlen);

/* Reads PNG, WebP or .dir, recognised by content.  PNG: palette expanded,
 * 16-bit reduced to 8 bits, grey+alpha becomes RGBA; WebP: RGB or RGBA.
 * Returns 0 or -1 with err set.  Free with tool_image_free(). */
int tool_read_image(const char *path, const dir_limits *lim, tool_image *img, char *err,
                    size_t errlen);

/* Writes PNG (default zlib level), lossless WebP, or .dir (with `opt`, which
 * may be NULL for the defaults), chosen by the extension of path; atomic as
 * tool_write_file_atomic.  Returns 0 or -1 with err set. */
int tool_write_image(const char *path, const tool_image *img, const dir_encode_options *opt,
                     char *err, size_t errlen);

void tool_image_free(tool_image *img);

#endif
