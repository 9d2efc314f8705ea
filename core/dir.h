/* SPDX-License-Identifier: MIT */
/*
 * dir.h -- the .dir image format (Direccional compression method) and
 * numeric arrays stored in images (IMGArrays convention).
 *
 * -- About
 *
 * .dir is a lossless image format for 8-bit grey, RGB and RGBA images.  The
 * image is cut into 16x16 sections.  Inside a section a colour is written
 * once, followed by the addresses of the pixels that have it, one byte each:
 * X (column in the section) in the high nibble, Y (row) in the low nibble.
 * docs/FORMAT.md is the normative specification; this comment summarises it.
 *
 * -- File layout (all integers little-endian)
 *
 *   offset size field
 *   0      8    magic  8B 44 49 52 0D 0A 1A 0A   ("\x8bDIR\r\n\x1a\n")
 *   8      1    version      1
 *   9      1    channels     1 grey, 3 RGB, 4 RGBA (a colour is `channels` bytes)
 *   10     1    filter       0 none, 1 sub
 *   11     1    layout       0 ordered, 1 interleaved
 *   12     1    backend      0 none, 1 zstd
 *   13     3    reserved     0
 *   16     4    width        1 .. DIR_MAX_DIM
 *   20     4    height       1 .. DIR_MAX_DIM
 *   24     4    crc          CRC-32 (ISO-HDLC, as zlib/PNG) of the decoded pixels
 *   28     36   size[9]      raw byte size of each stream (see below)
 *   64     4    packed       backend zstd: size of the zstd frame; none: 0
 *   68     ...  data         backend none: the streams back to back;
 *                            zstd: one frame whose content is the streams
 *
 * Ordered layout: stream 0 holds one code byte per section (sections in
 * row-major order of the section grid); stream k (1..8) holds the payloads
 * of the sections whose code is k, in section order.  Interleaved layout:
 * stream 0 holds, for each section, its code byte followed by its payload;
 * size[1..8] are 0.
 *
 * -- Section codes
 *
 *   00 all zero                         (no payload)
 *   01 one colour                       colour
 *   02 255 of A, one pixel of B         A, B, address of B
 *   03 equal to an earlier section      distance back, unsigned LEB128
 *   04 colour elimination               E, entries..., zero colour
 *                                       (decode the entries as 05, XOR with E)
 *   05 zero implicit                    entries..., zero colour
 *   06 no zero                          entries... until 256 pixels are placed
 *   07 raw                              256 colours in address order
 *   08 two colours                      A, B, 32-byte bitmap (0 = A, 1 = B)
 *
 *   entry = colour, count N (1..255), then
 *     N  1..32    N addresses, strictly increasing
 *     N 33..224   a 32-byte bitmap with exactly N bits set
 *     N 225..255  256-N addresses (strictly increasing) where it is NOT
 *
 *   address = X << 4 | Y; bitmap bit for address a is byte a >> 3, bit a & 7
 *   (least significant first).
 *
 * -- Filter sub
 *
 * Before sectioning, along each row and per channel (mod 256):
 * f[x] = p[x] - p[x+1] for x < width-1, f[width-1] = p[width-1].
 *
 * -- Arrays
 *
 * The dira_* functions store arrays of doubles in pixel bytes following the
 * IMGArrays convention (see docs/FORMAT.md, "Numeric arrays").
 */
#ifndef DIR_H
#define DIR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(DIR_BUILDING_DLL)
#define DIR_API __declspec(dllexport)
#elif defined(__GNUC__)
#define DIR_API __attribute__((visibility("default")))
#else
#define DIR_API
#endif

#define DIR_VERSION_MAJOR 1
#define DIR_VERSION_MINOR 0
#define DIR_VERSION_PATCH 0

/* The .dir file format version this library reads and writes. */
#define DIR_FORMAT_VERSION 1

/* Size of the fixed file header. */
#define DIR_HEADER_SIZE 68

/* Side of a section in pixels. */
#define DIR_SECTION 16

/* Number of streams in the header's size table. */
#define DIR_STREAMS 9

/* Largest width or height: 2^20 keeps section indices and row strides far
 * from 32-bit overflow. */
#define DIR_MAX_DIM ((uint32_t)1 << 20)

/* Largest pixel count: 2^28 pixels is 1 GiB of RGBA, the largest buffer this
 * library will ask for. */
#define DIR_MAX_PIXELS ((uint64_t)1 << 28)

typedef enum dir_error {
    DIR_OK = 0,
    DIR_EINVAL,      /* invalid argument from the caller */
    DIR_ENOMEM,      /* out of memory */
    DIR_EMAGIC,      /* not a .dir file, or mangled in transfer */
    DIR_EVERSION,    /* unsupported format version */
    DIR_EHEADER,     /* a header field is outside its legal range */
    DIR_ELIMIT,      /* dimensions or sizes over the (caller's) limits */
    DIR_ETRUNCATED,  /* data ends before the declared content */
    DIR_ETRAILING,   /* bytes after the declared content */
    DIR_EBACKEND,    /* the zstd frame is corrupt or its size is wrong */
    DIR_ECODE,       /* unknown section code */
    DIR_EREF,        /* reference forward, out of range or to an edge section */
    DIR_ECOUNT,      /* count out of range or more than 256 pixels placed */
    DIR_EADDRESS,    /* addresses not increasing, or a pixel placed twice */
    DIR_ECOLOUR,     /* a colour not allowed where it stands */
    DIR_ESTREAM,     /* a stream's declared size does not match its content */
    DIR_ECRC,        /* pixel CRC mismatch */
    DIR_EBUFFER,     /* output buffer too small */
    DIR_EIO,         /* file I/O failed (file helpers only) */
    DIR_ERANGE,      /* array: a value the configuration cannot hold */
    DIR_ESYNTAX,     /* array: malformed digit stream or header */
    DIR_ERROR_COUNT
} dir_error;

/* Static, human-readable text for an error code. Never NULL. */
DIR_API const char *dir_strerror(dir_error err);

/* Details of a failure: the error, where it was found and a specific message
 * such as "truncated at byte 1234 (stream 5)" or "bad code 9 in section 17".
 * Every function taking a `dir_diag *` accepts NULL. */
typedef struct dir_diag {
    dir_error error;
    uint64_t offset;  /* byte offset (file, or decoded stream) or -1 */
    uint64_t section; /* section index or -1 */
    char message[192];
} dir_diag;

/* Limits applied while decoding. Start from dir_limits_default(); a caller
 * may only make them stricter. */
typedef struct dir_limits {
    uint32_t max_width;
    uint32_t max_height;
    uint64_t max_pixels;
} dir_limits;

/* Fills `lim` with DIR_MAX_DIM and DIR_MAX_PIXELS. */
DIR_API void dir_limits_default(dir_limits *lim);

/* Makes `lim` stricter.  A value of 0 keeps the current limit.  Returns
 * DIR_EINVAL (and leaves `lim` alone) when a value is looser than the
 * built-in maximum. */
DIR_API dir_error dir_limits_restrict(dir_limits *lim, uint32_t max_width, uint32_t max_height,
                                      uint64_t max_pixels);

typedef enum dir_filter { DIR_FILTER_NONE = 0, DIR_FILTER_SUB = 1, DIR_FILTER_AUTO = 2 } dir_filter;
typedef enum dir_layout { DIR_LAYOUT_ORDERED = 0, DIR_LAYOUT_INTERLEAVED = 1 } dir_layout;
typedef enum dir_backend { DIR_BACKEND_NONE = 0, DIR_BACKEND_ZSTD = 1 } dir_backend;

/* The header of a .dir file. */
typedef struct dir_info {
    uint32_t width;
    uint32_t height;
    unsigned channels; /* 1, 3 or 4 */
    unsigned version;
    dir_filter filter; /* NONE or SUB */
    dir_layout layout;
    dir_backend backend;
    uint32_t crc;
    uint32_t stream_size[DIR_STREAMS];
    uint32_t packed_size;
} dir_info;

/* What a decode or an encode saw: sections per code and bytes per stream. */
typedef struct dir_stats {
    uint64_t sections;              /* total number of sections */
    uint64_t code_count[9];         /* sections per code 00..08 */
    uint64_t stream_bytes[DIR_STREAMS]; /* raw bytes per stream */
    uint64_t file_bytes;            /* header + data */
} dir_stats;

/* Reads and validates the header only: magic, version, ranges, limits and
 * that the file is long enough for its declared data.  `lim` may be NULL for
 * the defaults.  Returns DIR_OK and fills `info`, or an error. */
DIR_API dir_error dir_probe(const void *data, size_t size, const dir_limits *lim, dir_info *info,
                            dir_diag *diag);

/* Bytes needed for the decoded pixels: width * height * channels. */
DIR_API size_t dir_decoded_size(const dir_info *info);

/* Decodes a whole file into `pixels` (row-major, channels interleaved, no
 * padding), which must hold dir_decoded_size() bytes.  `info` and `stats`
 * may be NULL.  On error the contents of `pixels` are unspecified. */
DIR_API dir_error dir_decode(const void *data, size_t size, const dir_limits *lim, void *pixels,
                             size_t pixels_size, dir_info *info, dir_stats *stats, dir_diag *diag);

/* Decodes into a buffer allocated with malloc(); free it with dir_free(). */
DIR_API dir_error dir_decode_alloc(const void *data, size_t size, const dir_limits *lim,
                                   void **pixels, dir_info *info, dir_stats *stats,
                                   dir_diag *diag);

typedef struct dir_encode_options {
    dir_filter filter;   /* NONE, SUB or AUTO (try both, keep the smaller) */
    dir_layout layout;   /* ORDERED or INTERLEAVED */
    dir_backend backend; /* NONE or ZSTD */
    int level;           /* zstd level 1..22 (ignored for NONE) */
} dir_encode_options;

#define DIR_DEFAULT_LEVEL 19

/* Defaults: filter auto, ordered layout, zstd at DIR_DEFAULT_LEVEL. */
DIR_API void dir_encode_options_default(dir_encode_options *opt);

/* Encodes `pixels` (row-major, `stride` bytes per row, channels interleaved;
 * stride 0 means width * channels).  On success *out is a malloc()ed file
 * image of *out_size bytes, to be freed with dir_free().  `stats` may be NULL. */
DIR_API dir_error dir_encode(const void *pixels, uint32_t width, uint32_t height,
                             unsigned channels, size_t stride, const dir_encode_options *opt,
                             void **out, size_t *out_size, dir_stats *stats, dir_diag *diag);

/* Frees memory returned by this library. NULL is allowed. */
DIR_API void dir_free(void *p);

/* CRC-32 (ISO-HDLC) of `size` bytes, continuing from `crc` (start with 0). */
DIR_API uint32_t dir_crc32(uint32_t crc, const void *data, size_t size);

/* Names for the options, for tools and adapters ("none", "sub", "auto",
 * "ordered", "interleaved", "zstd").  The parsers return DIR_EINVAL for an
 * unknown name. */
DIR_API const char *dir_filter_name(dir_filter f);
DIR_API const char *dir_layout_name(dir_layout l);
DIR_API const char *dir_backend_name(dir_backend b);
DIR_API dir_error dir_filter_parse(const char *s, dir_filter *f);
DIR_API dir_error dir_layout_parse(const char *s, dir_layout *l);
DIR_API dir_error dir_backend_parse(const char *s, dir_backend *b);

/* ---- Numeric arrays (IMGArrays convention) ------------------------------ */
/* Declarations follow in the arrays section below. */

#ifdef __cplusplus
}
#endif

#endif /* DIR_H */
