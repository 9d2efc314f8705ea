/* SPDX-License-Identifier: MIT */
/* image_io.h -- dirtool's file I/O: PNG (libpng), lossless WebP (libwebp) and
 * .dir (core), plus whole-file reads and atomic writes.  Not part of the core
 * library: only dirtool and the tests link it. */
#ifndef DIRTOOL_IMAGE_IO_H
#define DIRTOOL_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

/* Metadata an image carries (owned copies, freed by tool_image_free):
 * what .dir version 2 keeps, read from and written to PNG's iCCP, eXIf,
 * iTXt XML:com.adobe.xmp, tEXt/zTXt/iTXt Comment and pHYs (metre unit). */
typedef struct tool_meta {
    uint8_t *icc;
    size_t icc_size;
    uint8_t *exif; /* from the TIFF header on */
    size_t exif_size;
    uint8_t *xmp; /* UTF-8 */
    size_t xmp_size;
    char *comment; /* UTF-8, NUL-terminated, or NULL */
    uint32_t density_x, density_y; /* pixels per metre, 0 = unknown */
} tool_meta;

/* Pixels, row-major, channels interleaved, no row padding; depth 8
 * (uint8_t samples; 0 also means 8) or 16 (native-endian uint16_t). */
typedef struct tool_image {
    uint32_t width;
    uint32_t height;
    unsigned channels; /* 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
    uint8_t *pixels;
    unsigned depth;
    tool_meta meta;
} tool_image;

/* Bytes of the image's pixels. */
size_t tool_image_bytes(const tool_image *img);

/* The metadata as the core's dir_metadata (pointing into img->meta). */
void tool_meta_view(const tool_meta *meta, dir_metadata *out);

/* Copies dir_metadata into owned tool_meta; returns 0 or -1 (out of memory). */
int tool_meta_copy(const dir_metadata *in, tool_meta *out);

/* Reduces an image in place to 8 bits (16-bit samples scaled with rounding
 * as v * 255 / 65535) and grey+alpha to RGBA, for the readers that need
 * colour bytes (arrays); 8-bit grey, RGB and RGBA stay as they are.
 * Returns 0 or -1 (out of memory). */
int tool_image_to_8bit(tool_image *img);

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

/* Reads PNG, WebP or .dir, recognised by content, losslessly.  PNG: grey,
 * grey+alpha, RGB, RGBA at 8 or 16 bits (palette expanded to RGB or RGBA,
 * grey below 8 bits to 8, tRNS to an alpha channel) with the metadata of
 * tool_meta; WebP: 8-bit RGB or RGBA; .dir: as decoded, with its metadata.
 * Returns 0 or -1 with err set.  Free with tool_image_free(). */
int tool_read_image(const char *path, const dir_limits *lim, tool_image *img, char *err,
                    size_t errlen);

/* Writes PNG (default zlib level; 8 or 16 bits, with the metadata),
 * lossless WebP (8-bit only, grey expanded to RGB(A); no metadata), or .dir
 * (with `opt`, which may be NULL for the defaults, and the metadata), chosen
 * by the extension of path; atomic as tool_write_file_atomic.  Returns 0 or
 * -1 with err set. */
int tool_write_image(const char *path, const tool_image *img, const dir_encode_options *opt,
                     char *err, size_t errlen);

void tool_image_free(tool_image *img);

#endif
