/* SPDX-License-Identifier: MIT */
/*
 * dir.h -- the .dir image format (Direccional compression method) and
 * numeric arrays stored in images (IMGArrays convention).
 *
 * -- About
 *
 * .dir is a lossless image format for grey, grey+alpha, RGB and RGBA images
 * at 8 or 16 bits per sample.  Version 1 (8-bit grey, RGB and RGBA) is the
 * Direccional method itself: the image is cut into 16x16 sections; inside a
 * section a colour is written once, followed by the addresses of the pixels
 * that have it, one byte each: X (column in the section) in the high nibble,
 * Y (row) in the low nibble.  Version 2 is a container: a short header,
 * optional metadata chunks (ICC profile, EXIF, XMP, comment, density) and
 * the pixel payload.  docs/FORMAT.md is the normative specification; this
 * comment summarises it.  Decoders read both versions; encoders write
 * version 1 in the seed-pure mode (back end none, filter none) for 8-bit
 * images with 1, 3 or 4 channels and no metadata, and version 2 otherwise.
 *
 * -- Version 2 (all integers little-endian)
 *
 *   offset size field
 *   0      8    magic        8B 44 49 52 0D 0A 1A 0A (as version 1)
 *   8      1    version      2
 *   9      1    channels     1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
 *   10     1    depth        8 or 16 bits per sample
 *   11     1    reserved     0
 *   12     4    width        1 .. DIR_MAX_DIM
 *   16     4    height       1 .. DIR_MAX_DIM
 *   20     4    crc          CRC-32 of the decoded samples (16-bit samples
 *                            as little-endian byte pairs)
 *   24     4    chunk count  0 .. DIR_MAX_CHUNKS
 *   28     4    chunks size  bytes of the chunk list, 12 * count ..
 *                            DIR_MAX_CHUNKS_SIZE (0 when count is 0)
 *   32     8    payload size 1 .. 4 * decoded size + 65536
 *   40     ...  chunks       `chunk count` chunks, `chunks size` bytes
 *   40+cs  ...  payload      the pixels (see docs/FORMAT.md, "Payload")
 *   then zero bytes up to DIR_MIN_FILE_SIZE (112) when the file is shorter,
 *   so that version-1 readers see a whole header and stop at the version.
 *
 *   chunk: type (4 ASCII letters) | length (4) | data | CRC-32 of type+data
 *   A lowercase first letter marks an ancillary chunk (an unknown one is
 *   skipped), an uppercase one a critical chunk (an unknown one is refused,
 *   DIR_ECRITICAL).  Defined, each at most once (DIR_EDUPLICATE), any order:
 *     iCCP  ICC profile (128+ bytes, its own size field = length, "acsp")
 *     eXIf  EXIF from the TIFF header ("II*\0" or "MM\0*"), as PNG's eXIf
 *     xMPt  XMP packet, UTF-8, no NUL
 *     cOMt  comment, UTF-8 followed by one NUL (the only NUL)
 *     pHYs  density: x, y pixels per metre (4 + 4 bytes, each >= 1)
 *
 *   payload: a transform byte (bits 0-1: 0 none, 1 green subtracted from
 *   red and blue, 2 an image palette of up to 256 units, 3 a large image
 *   palette of up to 65536 8-bit RGB or RGBA colours with two-byte
 *   indices; bit 2: the residuals' alpha bytes after all their other
 *   bytes), the palette (transform 2; transform 3: its size and one
 *   stream record of its delta-coded colours), a table of six streams
 *   (codes, fills, references, residuals, section palettes, indices; each
 *   stored, zstd or lzma) and their data.  One code per 16x16 section:
 *   00 fill (one unit), 01 a copy of an earlier section (distance back),
 *   02 a palette of 2..16 units with 1-, 2- or 4-bit indices, 10+p the
 *   residuals of predictor p (0 none, left, up, average, Paeth, gradient,
 *   6 MED), decoded row by row.
 *
 * -- Version 1 file layout (all integers little-endian)
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
 *   28     80   size[20]     raw byte size of each stream (see below)
 *   108    4    packed       backend zstd: size of the zstd frame; none: 0
 *   112    ...  data         backend none: the streams back to back;
 *                            zstd: one frame whose content is the streams
 *
 * Ordered layout: stream 0 holds one code byte per section (sections in
 * row-major order of the section grid); then come the payloads grouped by
 * code and, within a code, split by field into streams of their own:
 *
 *   1 01 colours     5 04 colours     9 05 colours    13 06 colours   17 07 raw
 *   2 02 colours     6 04 counts     10 05 counts     14 06 counts    18 08 colours
 *   3 02 addresses   7 04 addresses  11 05 addresses  15 06 addresses 19 08 bitmaps
 *   4 03 distances   8 04 bitmaps    12 05 bitmaps    16 06 bitmaps
 *
 * Interleaved layout: stream 0 holds, for each section, its code byte
 * followed by its payload in reading order; size[1..19] are 0.
 *
 * Every stream is consumed exactly; in the ordered layout no stream may be
 * longer than the sections of the code stream can use (checked before the
 * streams are allocated).
 *
 * -- Section codes
 *
 *   00 all zero                         (no payload)
 *   01 one colour                       colour
 *   02 255 of A, one pixel of B         A, B, address of B
 *   03 equal to an earlier section      distance back, minimal unsigned LEB128
 *                                       (to a full section; an edge section
 *                                       copies the positions it has)
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
#define DIR_FORMAT_VERSION 2

/* The oldest .dir file format version this library reads. */
#define DIR_FORMAT_VERSION_MIN 1

/* The file's first 8 bytes, and their count (see docs/FORMAT.md, "The
 * magic"): for content detection by hosts such as ImageMagick. */
#define DIR_MAGIC                                                                                  \
    "\x8b"                                                                                         \
    "DIR\r\n\x1a\n"
#define DIR_MAGIC_SIZE 8

/* Size of the fixed version-1 header; also the smallest file of either
 * version.  A reader of a stream reads this many bytes first and asks
 * dir_declared_size() how many more the file has. */
#define DIR_HEADER_SIZE 112

/* Size of the fixed version-2 header (the chunks follow it). */
#define DIR2_HEADER_SIZE 40

/* Smallest .dir file: version 2 pads shorter files with zero bytes, so that
 * a version-1 reader (which needs 112 bytes before it looks at the version)
 * reports "unsupported version 2" rather than a truncated file. */
#define DIR_MIN_FILE_SIZE 112

/* Version-2 chunks: at most DIR_MAX_CHUNKS of them, each of at most
 * DIR_MAX_CHUNK_SIZE data bytes, DIR_MAX_CHUNKS_SIZE bytes in all (ICC
 * profiles and XMP packets of several MiB exist; 64 MiB per chunk and
 * 128 MiB in all leave room for them and keep a reader's buffer bounded).
 * A chunk takes DIR_CHUNK_OVERHEAD bytes beside its data. */
#define DIR_MAX_CHUNKS      256u
#define DIR_MAX_CHUNK_SIZE  ((uint32_t)1 << 26)
#define DIR_MAX_CHUNKS_SIZE ((uint32_t)1 << 27)
#define DIR_CHUNK_OVERHEAD  12u

/* Side of a section in pixels. */
#define DIR_SECTION 16

/* Number of streams in the header's size table. */
#define DIR_STREAMS 20

/* Largest width or height: 2^20 keeps section indices and row strides far
 * from 32-bit overflow. */
#define DIR_MAX_DIM ((uint32_t)1 << 20)

/* Largest pixel count: 2^28 pixels is 1 GiB of RGBA, the largest buffer this
 * library will ask for. */
#define DIR_MAX_PIXELS ((uint64_t)1 << 28)

typedef enum dir_error {
    DIR_OK = 0,
    DIR_EINVAL,     /* invalid argument from the caller */
    DIR_ENOMEM,     /* out of memory */
    DIR_EMAGIC,     /* not a .dir file, or mangled in transfer */
    DIR_EVERSION,   /* unsupported format version */
    DIR_EHEADER,    /* a header field is outside its legal range */
    DIR_ELIMIT,     /* dimensions or sizes over the (caller's) limits */
    DIR_ETRUNCATED, /* data ends before the declared content */
    DIR_ETRAILING,  /* bytes after the declared content */
    DIR_EBACKEND,   /* compressed data (zstd, lzma) corrupt or of the wrong size, an
                     * unknown or unbuilt method (v2); encoding: compressor failed */
    DIR_ECODE,      /* unknown section code */
    DIR_EREF,       /* reference forward, out of range or to an edge section */
    DIR_ECOUNT,     /* count out of range or more than 256 pixels placed */
    DIR_EADDRESS,   /* addresses not increasing, or a pixel placed twice */
    DIR_ECOLOUR,    /* a colour not allowed where it stands */
    DIR_ESTREAM,    /* a stream's declared size does not match its content */
    DIR_ECRC,       /* pixel CRC mismatch */
    DIR_EBUFFER,    /* output buffer too small */
    DIR_EIO,        /* file I/O failed (file helpers only) */
    DIR_ERANGE,     /* array: a value the configuration cannot hold */
    DIR_ESYNTAX,    /* array: malformed digit stream or header */
    DIR_ECANCELLED, /* the caller's progress callback asked to stop */
    DIR_ECHUNK,     /* v2: a malformed chunk (type, length, contents) */
    DIR_ECRITICAL,  /* v2: an unknown critical chunk */
    DIR_EDUPLICATE, /* v2: a chunk that may occur once occurs twice */
    DIR_ERROR_COUNT
} dir_error;

/* Static, human-readable text for an error code. Never NULL. */
DIR_API const char *dir_strerror(dir_error err);

/* Details of a failure: the error, where it was found and a specific message
 * such as "truncated at byte 1234: stream 5 ends inside section 17" or "bad
 * code 9 in section 17".
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
    /* Version-2 chunks; 0 means the built-in maximum (so that a caller
     * setting only the three fields above gets the defaults here). */
    uint32_t max_chunks;      /* DIR_MAX_CHUNKS */
    uint32_t max_chunk_size;  /* DIR_MAX_CHUNK_SIZE, data bytes of one chunk */
    uint32_t max_chunks_size; /* DIR_MAX_CHUNKS_SIZE, the whole chunk list */
} dir_limits;

/* Fills `lim` with DIR_MAX_DIM, DIR_MAX_PIXELS and the chunk maximums. */
DIR_API void dir_limits_default(dir_limits *lim);

/* Makes `lim` stricter.  A value of 0 keeps the current limit.  Returns
 * DIR_EINVAL (and leaves `lim` alone) when a value is looser than the
 * built-in maximum. */
DIR_API dir_error dir_limits_restrict(dir_limits *lim, uint32_t max_width, uint32_t max_height,
                                      uint64_t max_pixels);

/* The same for the version-2 chunks: at most `max_chunks` chunks, each of
 * at most `max_chunk_size` data bytes, the list at most `max_chunks_size`
 * bytes.  0 keeps the current limit; DIR_EINVAL (and `lim` unchanged) for a
 * value over the built-in maximum.  A file over them is DIR_ELIMIT. */
DIR_API dir_error dir_limits_restrict_chunks(dir_limits *lim, uint32_t max_chunks,
                                             uint32_t max_chunk_size, uint32_t max_chunks_size);

typedef enum dir_filter { DIR_FILTER_NONE = 0, DIR_FILTER_SUB = 1, DIR_FILTER_AUTO = 2 } dir_filter;
typedef enum dir_layout { DIR_LAYOUT_ORDERED = 0, DIR_LAYOUT_INTERLEAVED = 1 } dir_layout;
/* LZMA: lzma (LZMA2 from liblzma) for the version-2 payload's streams: smaller
 * than zstd, slower to decode (the "smallest" preset); version 1 has no lzma. */
typedef enum dir_backend {
    DIR_BACKEND_NONE = 0,
    DIR_BACKEND_ZSTD = 1,
    DIR_BACKEND_LZMA = 2
} dir_backend;

/* The header of a .dir file. */
typedef struct dir_info {
    uint32_t width;
    uint32_t height;
    unsigned channels; /* 1, 3 or 4; version 2 also 2 (grey+alpha) */
    unsigned version;  /* 1 or 2 */
    dir_filter filter; /* version 1: NONE or SUB (version 2: NONE) */
    dir_layout layout; /* version 1 (version 2: ORDERED) */
    dir_backend backend; /* version 1 (version 2: NONE) */
    uint32_t crc;
    uint32_t stream_size[DIR_STREAMS]; /* version 1 (version 2: 0) */
    uint32_t packed_size;              /* version 1 (version 2: 0) */
    unsigned depth;                    /* bits per sample: 8 or 16 (version 1: 8) */
    uint64_t payload_size;  /* bytes after the header (v1) or the chunks (v2) */
    uint32_t chunk_count;   /* version 2: chunks in the file (v1: 0) */
    uint32_t chunks_size;   /* version 2: bytes of the chunk list (v1: 0) */
} dir_info;

/* What a decode or an encode saw: sections per code and bytes per stream. */
typedef struct dir_stats {
    uint64_t sections;                  /* total number of sections */
    uint64_t code_count[9];             /* sections per code 00..08 */
    uint64_t stream_bytes[DIR_STREAMS]; /* raw bytes per stream */
    uint64_t file_bytes;                /* header + data */
} dir_stats;

/* Reads and validates the header: magic, version, ranges, limits and that
 * the file has exactly its declared size; for version 2 also the padding and
 * the whole chunk list (structure, CRCs, contents of the defined chunks, no
 * unknown critical chunk).  The pixel payload is not decoded.  `lim` may be
 * NULL for the defaults.  Returns DIR_OK and fills `info`, or an error. */
DIR_API dir_error dir_probe(const void *data, size_t size, const dir_limits *lim, dir_info *info,
                            dir_diag *diag);

/* How a version-2 file's pixels are coded (docs/FORMAT.md, section 9), as
 * dir_describe() reads it. */
#define DIR_PAYLOAD_STREAMS 6
#define DIR_PREDICTORS      7
typedef struct dir_payload_info {
    unsigned transform;      /* 0 none, 1 subtract green, 2 image palette, 3 large image palette */
    int alpha_last;          /* 1: the residuals' alpha bytes after all their other bytes */
    unsigned colours;        /* transforms 2 and 3: the image palette's colours (else 0) */
    unsigned unit_bytes;     /* bytes per unit in the streams: 1 with transform 2, 2 with 3,
                              * else the pixel's */
    uint64_t palette_packed; /* the image palette's bytes in the file (else 0) */
    unsigned palette_method; /* transform 3: its record's method (0 stored, 1 zstd, 2 lzma) */
    uint64_t sections;       /* 16x16 sections */
    uint64_t fills;          /* code 00: one unit */
    uint64_t references;     /* code 01: a copy of an earlier section */
    uint64_t section_palettes;                   /* code 02: 2 to 16 units, bit-packed indices */
    uint64_t raw[DIR_PREDICTORS];                /* codes 10 + p: raw sections with predictor p */
    unsigned stream_method[DIR_PAYLOAD_STREAMS]; /* 0 stored, 1 zstd, 2 lzma */
    uint64_t stream_raw[DIR_PAYLOAD_STREAMS];    /* decoded bytes */
    uint64_t stream_packed[DIR_PAYLOAD_STREAMS]; /* bytes in the file */
} dir_payload_info;

/* Reads how a version-2 file's pixels are coded: the file as dir_probe()
 * checks it, then the payload's transform, image palette, stream table and
 * section codes, each checked as dir_decode() checks them (the same errors)
 * and every stream's size against the codes.  The other streams are not
 * decompressed, so a file it accepts may still fail to decode.  A
 * version-1 file is DIR_EVERSION (dir_decode()'s dir_stats has its codes). */
DIR_API dir_error dir_describe(const void *data, size_t size, const dir_limits *lim,
                               dir_payload_info *pi, dir_diag *diag);

/* Names of dir_payload_info's numbers, for tools ("subtract green",
 * "residuals", "Paeth", "zstd"); "?" out of range. */
DIR_API const char *dir_transform_name(unsigned t);
DIR_API const char *dir_payload_stream_name(unsigned k);
DIR_API const char *dir_predictor_name(unsigned p);
DIR_API const char *dir_method_name(unsigned m);

/* Validates the header alone (the first DIR_HEADER_SIZE bytes, which every
 * file has; `size` may be just that) and gives the whole file's size it
 * declares, so that a reader of a stream knows how much to read: no more
 * than that plus one byte (to notice trailing data).  Same errors as
 * dir_probe() but for truncation, trailing bytes and the chunk list. */
DIR_API dir_error dir_declared_size(const void *data, size_t size, const dir_limits *lim,
                                    uint64_t *file_size, dir_diag *diag);

/* Bytes needed for the decoded pixels: width * height * channels *
 * (depth / 8). */
DIR_API size_t dir_decoded_size(const dir_info *info);

/* The most memory dir_decode() allocates for itself, beside the caller's
 * pixels: version 1, the decompressed streams with the zstd back end (their
 * declared total, which the probe bounds and the decoder checks against the
 * code stream before allocating), 0 with back end none; version 2, the
 * decoded size (the bound the payload decoder keeps to).  For callers that
 * account for memory, such as the ImageMagick coder. */
DIR_API uint64_t dir_decode_scratch_size(const dir_info *info);

/* Decodes a whole file into `pixels` (row-major, channels interleaved, no
 * padding), which must hold dir_decoded_size() bytes.  `info` and `stats`
 * may be NULL.  On error the contents of `pixels` are unspecified. */
DIR_API dir_error dir_decode(const void *data, size_t size, const dir_limits *lim, void *pixels,
                             size_t pixels_size, dir_info *info, dir_stats *stats, dir_diag *diag);

/* Decodes into a buffer allocated with malloc(); free it with dir_free(). */
DIR_API dir_error dir_decode_alloc(const void *data, size_t size, const dir_limits *lim,
                                   void **pixels, dir_info *info, dir_stats *stats, dir_diag *diag);

/* How the encoder chooses each section's code.  The file format is the same
 * either way; any decoder reads both.
 * SMALLEST: the smallest legal codification of every section (the method
 *   as its author describes it).
 * ZSTD: for the zstd back end.  Sections whose smallest code is an entry
 *   list (04, 05, 06) are written raw (07) instead: zstd compresses raw
 *   sections far better than address lists and bitmaps (measured on the
 *   benchmark corpus: 16% smaller on screens, 28% on sprites, 26% on icons).
 * AUTO: SMALLEST with back end none, ZSTD with back end zstd. */
typedef enum dir_codes { DIR_CODES_AUTO = 0, DIR_CODES_SMALLEST = 1, DIR_CODES_ZSTD = 2 } dir_codes;

/* Progress of an encode: `done` goes from 0 to 1 (section rows, then the
 * zstd compression in 1 MiB steps).  Return 0 to go on, anything else to
 * stop: dir_encode() then returns DIR_ECANCELLED. */
typedef int (*dir_progress_fn)(void *user, double done);

/* How filter AUTO chooses each image's transform in version 2 (the samples
 * as they are, or green subtracted and a predictor per section, or for
 * 257 to 65536 colours the large image palette's indices): ESTIMATE
 * from estimates of the compressed sizes (no trial compression), TRIAL by
 * compressing each candidate and keeping the smaller. */
typedef enum dir_search { DIR_SEARCH_ESTIMATE = 0, DIR_SEARCH_TRIAL = 1 } dir_search;

typedef struct dir_encode_options {
    dir_filter filter;        /* NONE, SUB or AUTO (try both, keep the smaller) */
    dir_layout layout;        /* ORDERED or INTERLEAVED */
    dir_backend backend;      /* NONE, ZSTD or (version 2) LZMA */
    int level;                /* zstd level 1..22 (ignored for NONE and LZMA) */
    dir_codes codes;          /* AUTO (0), SMALLEST or ZSTD */
    dir_search search;        /* version 2, filter AUTO: ESTIMATE (0) or TRIAL */
    dir_progress_fn progress; /* NULL (the default): no reports */
    void *progress_user;      /* passed to progress */
    /* 0 (the default): version 1 in the seed-pure mode (back end none and
     * filter none) for 8-bit images of 1, 3 or 4 channels without
     * metadata, version 2 otherwise.  1: version 1 in every mode, for
     * readers that know only version 1 (DIR_EINVAL for 16-bit samples,
     * grey+alpha or metadata).  2: version 2 in every mode. */
    unsigned format_version;
    /* Version 2 with zstd: threads for compressing the large streams (4 MiB
     * and more) as zstd jobs.  0 (the default): one per processor, at most
     * 8 (on one processor one worker thread, so that a file's bytes do not
     * depend on the machine); 1: the calling thread only (other bytes);
     * n: n worker threads.  Smaller images, and lzma, use the calling
     * thread alone. */
    unsigned threads;
} dir_encode_options;

#define DIR_DEFAULT_LEVEL 9

/* Defaults: filter auto, ordered layout, zstd at DIR_DEFAULT_LEVEL, codes
 * auto, search estimate. */
DIR_API void dir_encode_options_default(dir_encode_options *opt);

/* The 8-bit shorthand of dir_encode_image() without metadata.
 * Encodes `pixels` (row-major, `stride` bytes per row, channels interleaved;
 * stride 0 means width * channels).  On success *out is a malloc()ed file
 * image of *out_size bytes, to be freed with dir_free().  `stats` may be NULL. */
DIR_API dir_error dir_encode(const void *pixels, uint32_t width, uint32_t height, unsigned channels,
                             size_t stride, const dir_encode_options *opt, void **out,
                             size_t *out_size, dir_stats *stats, dir_diag *diag);

/* Optional metadata carried in version-2 chunks.  Sizes 0 / NULL = absent. */
typedef struct dir_metadata {
    const void *icc;
    size_t icc_size; /* ICC profile (chunk iCCP) */
    const void *exif;
    size_t exif_size; /* EXIF, from the TIFF header on, as PNG's eXIf (chunk eXIf) */
    const void *xmp;
    size_t xmp_size;     /* XMP packet, UTF-8 (chunk xMPt) */
    const char *comment; /* UTF-8, NUL-terminated, or NULL (chunk cOMt) */
    uint32_t density_x, density_y; /* pixels per metre, 0 = unknown (chunk pHYs) */
} dir_metadata;

/* A pixel buffer: row-major, channels interleaved (1 grey, 2 grey+alpha,
 * 3 RGB, 4 RGBA), depth 8 (uint8_t samples) or 16 (native-endian uint16_t
 * samples); stride in bytes, 0 = packed. */
typedef struct dir_pixels {
    const void *data;
    uint32_t width, height;
    unsigned channels, depth;
    size_t stride;
} dir_pixels;

/* Encodes, writing version 2 (or version 1 byte for byte in the seed-pure
 * mode, back end none + filter none, when the image is 8-bit with 1, 3 or
 * 4 channels and no metadata; see dir_encode_options.format_version).
 * `meta` and `opt` may be NULL.  The metadata must be valid for its chunk
 * (docs/FORMAT.md, "Chunks": an ICC profile whose size field matches, EXIF
 * starting with a TIFF header, UTF-8 XMP and comment, both densities or
 * neither), or DIR_EINVAL, and within the chunk maximums, or DIR_ELIMIT.
 * 16-bit samples need a 2-byte aligned buffer and an even stride.  On
 * success *out is a malloc()ed file of *out_size bytes (free with
 * dir_free()). */
DIR_API dir_error dir_encode_image(const dir_pixels *px, const dir_metadata *meta,
                                   const dir_encode_options *opt, void **out, size_t *out_size,
                                   dir_stats *stats, dir_diag *diag);

/* Validates a whole file as dir_probe() does (default limits, chunk CRCs
 * and contents included) and points *meta into buf (no allocation; valid
 * while buf is).  A version-1 file has no metadata (all absent). */
DIR_API dir_error dir_read_metadata(const void *buf, size_t len, dir_metadata *meta,
                                    dir_diag *diag);

/* Name of stream k of the ordered layout ("codes", "04 bitmaps", ...). */
DIR_API const char *dir_stream_name(unsigned k);

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
DIR_API const char *dir_codes_name(dir_codes c); /* "auto", "smallest", "zstd" */
DIR_API dir_error dir_codes_parse(const char *s, dir_codes *c);
DIR_API dir_error dir_filter_parse(const char *s, dir_filter *f);
DIR_API dir_error dir_layout_parse(const char *s, dir_layout *l);
DIR_API dir_error dir_backend_parse(const char *s, dir_backend *b);

/* ---- Encoder options, defined once for every front end ------------------ */
/*
 * The table below is the one definition of the encoder's options: dirtool
 * takes them as --NAME VALUE (or --NAME=VALUE), the ImageMagick coders as
 * -define dir:NAME=VALUE, and the GIMP export procedures as arguments NAME
 * with these ranges, labels and help.  Setting "preset" resets every other
 * option to that preset's values, so apply a preset first, then the rest.
 */
typedef enum dir_option_kind { DIR_OPTION_CHOICE, DIR_OPTION_INT } dir_option_kind;

typedef struct dir_option {
    const char *name; /* "preset", "filter", "level", ... */
    dir_option_kind kind;
    const char *label;          /* short label for dialogs ("Filter") */
    const char *help;           /* one line */
    const char *const *choices; /* CHOICE: NULL-terminated value names; INT: NULL */
    int min, max;               /* INT: legal range; CHOICE: 0 .. choices - 1 */
    const char *default_value;  /* the value in the default preset, as text */
} dir_option;

/* The whole table, in display order; *count (if not NULL) gets its length. */
DIR_API const dir_option *dir_options(size_t *count);

/* The option called `name`, or NULL. */
DIR_API const dir_option *dir_option_find(const char *name);

/* Parses `value` for option `name` into *opt.  DIR_EINVAL for an unknown
 * option or a value out of range, with a message such as "invalid value '23'
 * for level: expected an integer from 1 to 22". */
DIR_API dir_error dir_option_set(dir_encode_options *opt, const char *name, const char *value,
                                 dir_diag *diag);

/* The value of `name` in *opt as text ("19", "auto"; the preset is "custom"
 * when the options match none).  DIR_EBUFFER if `size` is too small. */
DIR_API dir_error dir_option_get(const dir_encode_options *opt, const char *name, char *buf,
                                 size_t size);

/* 1 if option `name` has an effect given the other options in *opt, else 0:
 * level needs back end zstd; search filter auto and version 2; threads back
 * end zstd and version 2; layout and codes version 1 (asked for, or version
 * auto with back end none and filter none, where the image decides). */
DIR_API int dir_option_applies(const dir_encode_options *opt, const char *name);

/* DIR_OK if option `name` applies (dir_option_applies); otherwise DIR_EINVAL
 * with a message that starts with the option's name and gives the reason:
 * "codes does not apply with format version 2: it applies to format version
 * 1 only (version 1)".  Every front end calls it, after setting them all, for
 * each option given explicitly (never for one left at its default), so that
 * an option that would be ignored is an error, the same in each. */
DIR_API dir_error dir_option_check(const dir_encode_options *opt, const char *name,
                                   dir_diag *diag);

/* Resets *opt to preset "fast", "default" or "smallest" (the progress
 * callback is kept). */
DIR_API dir_error dir_encode_options_preset(dir_encode_options *opt, const char *preset,
                                            dir_diag *diag);

/* ImageMagick-style -quality 1..100 to a preset name: 1-39 "fast", 40-89
 * "default", 90-100 "smallest"; NULL for 0 (not given) or over 100. */
DIR_API const char *dir_preset_for_quality(unsigned quality);

/* ---- Numeric arrays (IMGArrays convention) ------------------------------ */
/*
 * Arrays of doubles stored in the bytes of RGB or RGBA pixels, following the
 * convention of the IMGArrays JavaScript library.  docs/FORMAT.md, "Numeric
 * arrays", is the normative description; in short:
 *
 * -- Value strings (hex digits; `f` is the delimiter, 0-e are data)
 *
 *   f [sign/count] [leading decimal zeros] integer-part fraction-digits
 *
 *   capacity 1   one base-15 char c: 0-7 negative with c + 1 integer-part
 *                chars, 8-e positive with c - 7
 *   capacity 2   two base-15 chars, c = 0..224: 0..111 negative with c + 1
 *                integer-part chars, 112..224 positive with c - 111
 *   capacity 0   no sign/count char and no integer part: values in [0, 1)
 *   ldeczeroes   one base-15 char: zeros right after the decimal point (0..14)
 *   integer part the integer part in base 15 (`count` chars)
 *   fraction     the decimal digits after the point (after the leading
 *                zeros), read as an integer and written in base 15
 *
 * Strings are concatenated, two hex digits make a byte, bytes fill R,G,B
 * (or R,G,B,A) row by row and zero bytes pad the last pixels.
 *
 * -- Two modes
 *
 *   classic           exactly the reference library's bytes, no header; the
 *                     reader must be told the configuration.
 *   self-describing   (the default) a 44-byte header starting with the byte
 *                     FF (an empty value string, which never starts a classic
 *                     image) carries version, configuration, the exact value
 *                     count, the stream length, optional normalisation
 *                     min/max and a CRC-32; values the configuration cannot
 *                     hold are escaped, so every finite double is exact.
 */

/* Largest number of values in one array: 2^27 doubles are 1 GiB, the most
 * this library allocates for values; checked before any allocation. */
#define DIRA_MAX_VALUES ((uint64_t)1 << 27)

/* Longest value string a decoder accepts, in hex digits after the `f`:
 * capacity 2 allows 113 integer-part digits, fractions need at most 15;
 * longer strings are malformed (DIR_ESYNTAX). */
#define DIRA_MAX_TOKEN 160

/* Version of the self-describing header written; versions 1 and 2 are read. */
#define DIRA_HEADER_VERSION 2

/* Size of the fixed part of the self-describing header in bytes (version 2;
 * the tensor table follows it).  Version 1 headers are 44 bytes. */
#define DIRA_HEADER_SIZE    48
#define DIRA_HEADER_SIZE_V1 44

/* How a self-describing image stores its values (dira_options.encoding). */
#define DIRA_ENCODING_AUTO   (-1) /* the smaller payload of the two (the default) */
#define DIRA_ENCODING_DIGITS 0    /* value strings of the convention */
#define DIRA_ENCODING_BINARY 1    /* each tensor's own little-endian bytes, byte-shuffled */

/* Element types of tensors. */
typedef enum dira_dtype {
    DIRA_F64 = 0,
    DIRA_F32,
    DIRA_F16,
    DIRA_BF16,
    DIRA_I8,
    DIRA_I16,
    DIRA_I32,
    DIRA_I64,
    DIRA_U8,
    DIRA_U16,
    DIRA_U32,
    DIRA_U64,
    DIRA_BOOL, /* one byte, 0 or 1 */
    DIRA_DTYPE_COUNT
} dira_dtype;

/* Bytes per element (0 for an invalid dtype). */
DIR_API size_t dira_dtype_size(dira_dtype dtype);
/* NumPy's name ("float64", "bfloat16", "bool", ...), or NULL. */
DIR_API const char *dira_dtype_name(dira_dtype dtype);

/* Limits of the tensor table (checked before allocating): dimensions per
 * tensor (NumPy's own limit), tensors and metadata pairs per image, bytes of
 * one name, key or value, and of the whole table. */
#define DIRA_MAX_RANK    32
#define DIRA_MAX_TENSORS 65536
#define DIRA_MAX_META    65536
#define DIRA_MAX_NAME    65535
#define DIRA_MAX_TABLE   ((uint64_t)1 << 26)
/* Largest tensor data in one image, in bytes (1 GiB, as DIRA_MAX_VALUES doubles). */
#define DIRA_MAX_BYTES ((uint64_t)1 << 30)

/* How every message names a tensor: 'W1' in quotes, and the empty name as
 * (unnamed), unquoted, as the heatmap's labels do:
 *   printf("tensor " DIRA_NAME_FMT " has no data", DIRA_NAME_ARG(t->name)); */
#define DIRA_NAME_FMT "%s%s%s"
#define DIRA_NAME_ARG(name)                                                                        \
    ((name)[0] ? "'" : ""), ((name)[0] ? (name) : "(unnamed)"), ((name)[0] ? "'" : "")

/* Largest count of leading decimal zeros one base-15 char holds. */
#define DIRA_MAX_LDZ 14

/* Capacity value asking the encoder to choose (see dira_options). */
#define DIRA_CAPACITY_AUTO (-1)

/* Longest value string dira_format_value writes, with `f` and NUL. */
#define DIRA_TOKEN_BUFSIZE 192

typedef struct dira_options {
    /* Encoding: 0 writes a self-describing image (the default), 1 a classic
     * one.  Decoding: 1 allows a headerless image, read as classic with
     * capacity/ldeczeroes/alpha below; self-describing images are always
     * recognised and read from their header. */
    int classic;
    /* 0, 1 or 2; DIRA_CAPACITY_AUTO (encoding only, the default) picks the
     * configuration, ldeczeroes included, that gives the shortest stream and
     * (classic) holds every value exactly. */
    int capacity;
    /* 1 (default) or 0.  With capacity AUTO, 1 lets the encoder choose
     * either and 0 restricts it to the configurations without the count. */
    int ldeczeroes;
    int alpha;      /* 1: bytes fill R,G,B,A; 0 (default): R,G,B, alpha 255 */
    uint32_t width; /* encoding: 0 (default) is ceil(sqrt(4 * count)) */
    /* Classic encoding only: the reference encoder rounds fraction digits
     * past 2^53 and drops or pads the final digit; a value that then reads
     * back as a different double is an error (DIR_ERANGE) unless this is 1,
     * in which case the reference's bytes are written anyway and counted in
     * dira_info.inexact. */
    int allow_inexact;
    /* Self-describing encoding: record that the values are normalised from
     * [norm_min, norm_max] (see dira_normalise). */
    int normalised;
    double norm_min;
    double norm_max;
    /* Decoding: refuse more values than this; 0 means DIRA_MAX_VALUES, and
     * larger values are clamped to it. */
    uint64_t max_values;
    /* Self-describing encoding: DIRA_ENCODING_AUTO (the default), _DIGITS or
     * _BINARY.  Classic images are always digits. */
    int encoding;
} dira_options;

/* Defaults: self-describing, capacity AUTO, ldeczeroes on, no alpha, width
 * automatic, nothing inexact allowed, not normalised, DIRA_MAX_VALUES,
 * encoding AUTO. */
DIR_API void dira_options_default(dira_options *opt);

/* What an encode chose or a decode found. */
typedef struct dira_info {
    int classic;    /* 1 classic, 0 self-describing */
    int capacity;   /* 0, 1 or 2 */
    int ldeczeroes; /* 0 or 1 */
    int alpha;      /* 0 or 1 */
    int normalised; /* self-describing: min/max below are meaningful */
    double norm_min;
    double norm_max;
    uint64_t count;         /* number of values */
    uint64_t stream_digits; /* hex digits in the value stream (header excluded) */
    uint64_t escaped;       /* self-describing: values stored as escapes */
    uint64_t inexact;       /* classic encode with allow_inexact: values that will
                               not read back exactly */
    uint32_t width;
    uint32_t height;
    unsigned channels;      /* 3 or 4 */
    unsigned version;       /* self-describing header version (1 or 2) */
    int encoding;           /* DIRA_ENCODING_DIGITS or _BINARY */
    uint64_t payload_bytes; /* bytes of the value stream or binary payload */
    uint64_t tensors;       /* tensors in the table (1 for dira_encode) */
} dira_info;

/* Encodes `count` values into pixels: RGB (3 channels) or, with opt->alpha,
 * RGBA, row-major without padding.  opt may be NULL for the defaults.  On
 * success *pixels is malloc()ed (free with dir_free()) and *width, *height,
 * *channels describe it; `info` may be NULL.  Errors: DIR_EINVAL (bad
 * option, or an empty array in classic mode), DIR_ERANGE (a value the configuration cannot hold:
 * NaN, +-Inf, magnitude over the capacity, too many leading decimal zeros, negative zero or a sign
 * in classic capacity 0; the message names the index and the value), DIR_ELIMIT (too many values,
 * width or height over DIR_MAX_DIM or pixels over DIR_MAX_PIXELS), DIR_ENOMEM. */
DIR_API dir_error dira_encode(const double *values, size_t count, const dira_options *opt,
                              uint8_t **pixels, uint32_t *width, uint32_t *height,
                              unsigned *channels, dira_info *info, dir_diag *diag);

/* Tells whether pixels start with a self-describing header (1) or not (0).
 * channels is 3 or 4; for 4 it tries both byte orders (alpha carrying data
 * or not).  Checks the magic and that the header's alpha flag matches the
 * byte order; dira_decode checks the rest (version, fields, CRC). */
DIR_API int dira_is_self_describing(const uint8_t *pixels, uint32_t width, uint32_t height,
                                    unsigned channels);

/* Decodes values from pixels (row-major, `channels` 3 or 4 interleaved,
 * `stride` bytes per row, 0 meaning width * channels).  A self-describing
 * image is read from its header; a headerless one only when opt->classic is
 * 1, with opt's capacity (0, 1, 2), ldeczeroes and alpha.  opt may be NULL
 * (self-describing only).  On success *values is malloc()ed (free with
 * dir_free(); NULL when *count is 0).  Errors: DIR_EINVAL (bad arguments, or
 * a headerless image without opt->classic), DIR_ESYNTAX (malformed header or
 * value string, with the index), DIR_ECRC (header CRC mismatch), DIR_ELIMIT
 * (count over the limit), DIR_ENOMEM.  Tensors of a version-2 image are
 * concatenated and converted to doubles (NaN and infinities included; an
 * integer with no exact double is DIR_ERANGE: use dira_decode_tensors). */
DIR_API dir_error dira_decode(const uint8_t *pixels, uint32_t width, uint32_t height,
                              unsigned channels, size_t stride, const dira_options *opt,
                              double **values, size_t *count, dira_info *info, dir_diag *diag);

/* ---- Tensors: named, typed, shaped arrays (self-describing only) ---- */

/* One tensor: `data` holds the product of `shape` elements of `dtype`,
 * little-endian, in C (row-major) order.  rank 0 is a scalar (one element). */
typedef struct dira_tensor {
    const char *name; /* UTF-8, NUL-terminated; "" is allowed */
    dira_dtype dtype;
    unsigned rank; /* 0..DIRA_MAX_RANK */
    uint64_t shape[DIRA_MAX_RANK];
    const void *data;
} dira_tensor;

/* A key/value pair of free-form metadata (safetensors' __metadata__). */
typedef struct dira_meta {
    const char *key; /* UTF-8, NUL-terminated */
    const char *value;
} dira_meta;

/* A decoded set: every pointer inside points into the same allocation. */
typedef struct dira_tensors {
    size_t count;
    dira_tensor *tensors;
    size_t meta_count;
    dira_meta *meta;
} dira_tensors;

/* Elements of a tensor (product of its shape), or UINT64_MAX on overflow. */
DIR_API uint64_t dira_tensor_elements(const dira_tensor *t);

/* Element i (C order) of a tensor as a double: returns 1 when *out is that
 * element exactly, 0 when it has no exact double (an integer past 2^53;
 * *out is then the nearest). */
DIR_API int dira_element_double(const dira_tensor *t, uint64_t i, double *out);

/* Encodes tensors and metadata into a self-describing image (version 2: the
 * header carries the tensor table -- name, dtype, shape, offset -- and the
 * metadata).  opt->encoding: BINARY stores each tensor's bytes
 * byte-shuffled (byte 0 of every element, then byte 1, ...), DIGITS the
 * values as value strings (every element must have an exact finite double:
 * DIR_ERANGE names the first that has none), AUTO the smaller payload
 * (estimated from a sample of the values, computed exactly when the two are
 * close).  Classic images cannot hold tensors (DIR_EINVAL).  Other errors as
 * dira_encode, and DIR_ELIMIT for a table or data over the DIRA_MAX_*
 * limits, DIR_EINVAL for a bad dtype, rank or name. */
DIR_API dir_error dira_encode_tensors(const dira_tensor *tensors, size_t count,
                                      const dira_meta *meta, size_t meta_count,
                                      const dira_options *opt, uint8_t **pixels, uint32_t *width,
                                      uint32_t *height, unsigned *channels, dira_info *info,
                                      dir_diag *diag);

/* Decodes every tensor of an image.  A version-1 or classic image (opt as
 * for dira_decode) gives one unnamed 1-D float64 tensor.  Checks the table
 * against the limits and the payload (offsets contiguous and in order,
 * sizes adding up, bool bytes 0 or 1) before allocating.  *out is one
 * allocation: free it with dir_free(). */
DIR_API dir_error dira_decode_tensors(const uint8_t *pixels, uint32_t width, uint32_t height,
                                      unsigned channels, size_t stride, const dira_options *opt,
                                      dira_tensors **out, dira_info *info, dir_diag *diag);

/* One value as a classic value string, exactly as the reference encoder
 * writes it (lowercase, with its leading `f`), into buf (at least
 * DIRA_TOKEN_BUFSIZE bytes).  Returns DIR_ERANGE (naming the value, index 0)
 * when the configuration cannot hold it or the reference's string would not
 * read back as the same double. */
DIR_API dir_error dira_format_value(double value, int capacity, int ldeczeroes, char *buf,
                                    size_t bufsize, dir_diag *diag);

/* Reads one value string (with or without its leading `f` or `F`; hex digits
 * in either case) exactly: the digits become decimal text, converted once
 * with strtod.  Returns DIR_ESYNTAX for a malformed string. */
DIR_API dir_error dira_parse_value(const char *s, size_t len, int capacity, int ldeczeroes,
                                   double *value, dir_diag *diag);

/* Shortest decimal text that strtod reads back as exactly `value` (at most
 * 17 significant digits; "-0" for negative zero, "NaN", "Infinity",
 * "-Infinity" otherwise JSON-valid), independent of the locale.  buf needs
 * DIRA_NUMBER_BUFSIZE bytes.  Returns the length. */
#define DIRA_NUMBER_BUFSIZE 32
DIR_API size_t dira_shortest(double value, char *buf);

/* Maps values linearly onto [0, 1] in place, like the reference's
 * normalize(): (v - min) / (max - min); all 0.5 when max == min.  Writes
 * min and max.  DIR_ERANGE (index and value) for a non-finite value or when
 * max - min overflows.  count 0: min = max = 0. */
DIR_API dir_error dira_normalise(double *values, size_t count, double *min, double *max,
                                 dir_diag *diag);

/* Inverse: v * (max - min) + min; all min when max == min.  Arithmetic, so
 * not bit-exact in general. */
DIR_API void dira_unnormalise(double *values, size_t count, double min, double max);

/* ---- Heatmap: what dirtool array heatmap and the GIMP plug-in draw ---- */

typedef struct dira_stats {
    uint64_t count;
    double min; /* 0 when count is 0 */
    double max;
    double mean; /* compensated sum / count */
} dira_stats;

/* Count, min, max and mean.  DIR_ERANGE for a non-finite value (index and
 * value in the message). */
DIR_API dir_error dira_stats_compute(const double *values, size_t count, dira_stats *stats,
                                     dir_diag *diag);

/* Colour of one value on the diverging map centred on zero: blue for
 * negative, white for zero, red for positive, full at |value| >= scale
 * (scale <= 0 draws everything white). */
DIR_API void dira_colour(double value, double scale, uint8_t rgb[3]);

/* RGB for cells holding no value (the heatmap's padding): mid grey. */
#define DIRA_HEATMAP_EMPTY 0x80

/* Draws one RGB pixel per value, row-major, on a rows x cols grid (both 0:
 * cols = ceil(sqrt(count)), rows = ceil(count / cols)); cells past the
 * last value are DIRA_HEATMAP_EMPTY grey.  The scale is max(|min|, |max|).
 * *rgb is malloc()ed (free with dir_free()); `stats` may be NULL.  Errors:
 * DIR_EINVAL (count 0, or rows * cols smaller than count, or only one of
 * rows/cols given), DIR_ELIMIT (a side over DIR_MAX_DIM or too many pixels),
 * DIR_ERANGE (non-finite value), DIR_ENOMEM. */
DIR_API dir_error dira_heatmap(const double *values, size_t count, uint32_t rows, uint32_t cols,
                               uint8_t **rgb, uint32_t *width, uint32_t *height, dira_stats *stats,
                               dir_diag *diag);

/* As dira_heatmap, with the colour scale given: values at or beyond +-scale
 * get the full colours (useful when a few large values would wash out the
 * rest).  scale 0 means max(|min|, |max|); a negative or non-finite scale is
 * DIR_EINVAL. */
DIR_API dir_error dira_heatmap_scaled(const double *values, size_t count, uint32_t rows,
                                      uint32_t cols, double scale, uint8_t **rgb, uint32_t *width,
                                      uint32_t *height, dira_stats *stats, dir_diag *diag);

/* ---- Tensor heatmaps: each tensor in its own shape (dirtool array heatmap,
 * the GIMP filter); titles, colour bar and text are drawn by the front end ---- */

/* Options of dira_heatmap_tensor; zero-initialise, then set what differs. */
typedef struct dira_heat_options {
    /* Colour scale: scale > 0 fixes it; otherwise the `percentile` (0 means
     * 99.5; 100 is the largest magnitude) of |value| over the finite values:
     * robust to a few outliers, which are drawn in the clip colours. */
    double scale;
    double percentile;
    /* --tiles RxC: each row of a 2-D tensor (or each column, when the row
     * length is not R*C but the column length is) as an R x C tile, tiles in
     * a near-square grid one cell apart: first-layer receptive fields. */
    uint32_t tile_rows, tile_cols;
} dira_heat_options;

/* Cells past the end of the values (padding, gaps between tiles): grey. */
#define DIRA_HEAT_PAD 0xC8

/* What dira_heatmap_tensor draws: one RGB cell per value, `rows` x `cols`. */
typedef struct dira_heat {
    uint32_t rows, cols;
    uint8_t *rgb;                       /* rows * cols * 3, malloc()ed (dir_free) */
    double scale;                       /* full colour at +-scale */
    uint64_t count;                     /* elements */
    uint64_t clipped_low, clipped_high; /* finite values below -scale, above +scale */
    uint64_t nonfinite;                 /* NaN and infinities (drawn black) */
    double min, max, mean, std;         /* over the finite values */
    int tiled;                          /* tiles were drawn: 1 rows of the tensor, 2 its columns */
    uint32_t grid_rows, grid_cols;      /* tiles per column and per row */
    /* the reduction: each cell stands for a block_rows x block_cols block of
     * the layout (of each tile, when tiled); 1 x 1 when every value has its
     * own cell */
    uint32_t block_rows, block_cols;
} dira_heat;

/* Most cells a tensor's picture has on a side (so at most 4096 x 4096 in
 * all): a longer layout is reduced (dira_heatmap_tensor). */
#define DIRA_HEAT_MAX_SIDE 4096

/* Lays one tensor out and colours it on the diverging map (blue below zero,
 * white at zero, red above; dira_colour), the scale symmetric around zero.
 * Layout (documented in docs/FORMAT.md): rank 0 one cell; rank 1 one row,
 * wrapped into rows of 1024 when longer; rank 2 rows x columns; higher ranks
 * folded to (product of all dimensions but the last) x (the last), so a
 * (out, in, kh, kw) convolution is drawn as out*in*kh rows of kw.  Values
 * beyond +-scale get the clip colours DIRA_CLIP_LOW/HIGH, non-finite ones
 * black.  A picture over DIRA_HEAT_MAX_SIDE cells a side is reduced: by the
 * smallest factor per axis (of the layout, or of each tile) that brings it
 * within, each cell showing its block's finite value of largest magnitude
 * (sign kept; the first of equal ones), black if the block holds a
 * non-finite value (block_rows, block_cols).  The statistics, the scale and
 * the clipped counts are over every value.  Memory: the picture, 512 KiB
 * and, for the percentile, at most 32 MiB of candidates; no copy of the
 * values.  Errors: DIR_EINVAL (no elements, bad tiles),
 * DIR_ELIMIT (over DIR_MAX_PIXELS values, or so many tiles that even one
 * cell each is over DIRA_HEAT_MAX_SIDE a side), DIR_ENOMEM. */
DIR_API dir_error dira_heatmap_tensor(const dira_tensor *t, const dira_heat_options *opt,
                                      dira_heat *out, dir_diag *diag);

/* Clip colours (ColorBrewer RdBu's darkest), beyond the ramp's ends. */
#define DIRA_CLIP_LOW  0x05, 0x30, 0x61
#define DIRA_CLIP_HIGH 0x67, 0x00, 0x1F

#ifdef __cplusplus
}
#endif

#endif /* DIR_H */
