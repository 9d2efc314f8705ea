/* SPDX-License-Identifier: MIT */
/* dir.c -- the .dir codec: the version-1 header, section encoder and
 * decoder and zstd back end; the version-2 container (header, chunks,
 * padding, CRC) around the payload of v2.c.  docs/FORMAT.md is the
 * specification this file implements. */
#include "dir.h"

#include "diag.h"
#include "v2.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* ---- Constants ---------------------------------------------------------- */

static const uint8_t dir_magic[DIR_MAGIC_SIZE + 1] = DIR_MAGIC;

enum {
    CODE_ZERO = 0,   /* 00 all zero */
    CODE_SOLID = 1,  /* 01 one colour */
    CODE_SINGLE = 2, /* 02 255 of A, one of B */
    CODE_REF = 3,    /* 03 equal to an earlier section */
    CODE_XOR = 4,    /* 04 colour elimination */
    CODE_ZLIST = 5,  /* 05 entries, zero implicit, ended by the zero colour */
    CODE_FLIST = 6,  /* 06 entries, no zero, ended at 256 pixels */
    CODE_RAW = 7,    /* 07 raw */
    CODE_TWO = 8,    /* 08 two colours as a bitmap */
    CODE_COUNT = 9
};

/* Streams of the ordered layout: stream 0 holds the codes; each code's
 * payload is split by field (colours, counts or distances, address lists,
 * bitmaps) into streams of its own.  stream_of[code][field] is the stream
 * index, 0 where the code has no such field. */
enum { F_COLOUR, F_COUNT, F_ADDR, F_BITMAP, FIELDS };
static const uint8_t stream_of[CODE_COUNT][FIELDS] = {
    {0, 0, 0, 0},     /* 00 */
    {1, 0, 0, 0},     /* 01 colour */
    {2, 0, 3, 0},     /* 02 colours, address */
    {0, 4, 0, 0},     /* 03 distance */
    {5, 6, 7, 8},     /* 04 colours, counts, addresses, bitmaps */
    {9, 10, 11, 12},  /* 05 */
    {13, 14, 15, 16}, /* 06 */
    {17, 0, 0, 0},    /* 07 raw colours */
    {18, 0, 0, 19},   /* 08 colours, bitmap */
};

static const char *const stream_names[DIR_STREAMS] = {
    "codes",        "01 colours",   "02 colours",     "02 addresses", "03 distances",
    "04 colours",   "04 counts",    "04 addresses",   "04 bitmaps",   "05 colours",
    "05 counts",    "05 addresses", "05 bitmaps",     "06 colours",   "06 counts",
    "06 addresses", "06 bitmaps",   "07 raw colours", "08 colours",   "08 bitmaps"};

const char *dir_stream_name(unsigned k)
{
    return k < DIR_STREAMS ? stream_names[k] : "?";
}

/* Header offsets past the fixed fields. */
#define SIZES_AT  28
#define PACKED_AT (SIZES_AT + 4 * DIR_STREAMS)

#define SEC_PIXELS   256
#define LIST_MAX     32  /* counts 1..32: address list */
#define BITMAP_MAX   224 /* counts 33..224: bitmap; 225..255: reverse list */
#define BITMAP_BYTES 32
#define LEB_MAX      5 /* a 32-bit distance takes at most 5 LEB128 bytes */

/* ---- Errors ------------------------------------------------------------- */

const char *dir_strerror(dir_error err)
{
    switch (err) {
    case DIR_OK: return "success";
    case DIR_EINVAL: return "invalid argument";
    case DIR_ENOMEM: return "out of memory";
    case DIR_EMAGIC: return "not a .dir file (bad magic)";
    case DIR_EVERSION: return "unsupported .dir version";
    case DIR_EHEADER: return "header field out of range";
    case DIR_ELIMIT: return "image over the size limit";
    case DIR_ETRUNCATED: return "truncated data";
    case DIR_ETRAILING: return "trailing bytes after the data";
    case DIR_EBACKEND: return "corrupt or unsupported compressed data";
    case DIR_ECODE: return "bad section code";
    case DIR_EREF: return "section reference out of range";
    case DIR_ECOUNT: return "pixel count out of range";
    case DIR_EADDRESS: return "bad pixel address";
    case DIR_ECOLOUR: return "colour not allowed here";
    case DIR_ESTREAM: return "stream size does not match its content";
    case DIR_ECRC: return "CRC mismatch";
    case DIR_EBUFFER: return "output buffer too small";
    case DIR_EIO: return "I/O error";
    case DIR_ERANGE: return "value out of range for the configuration";
    case DIR_ESYNTAX: return "malformed data";
    case DIR_ECANCELLED: return "cancelled";
    case DIR_ECHUNK: return "malformed metadata chunk";
    case DIR_ECRITICAL: return "unknown critical chunk";
    case DIR_EDUPLICATE: return "duplicate metadata chunk";
    case DIR_ERROR_COUNT: break;
    }
    return "unknown error";
}

dir_error dir_vfail(dir_diag *diag, dir_error err, uint64_t offset, uint64_t section,
                    const char *fmt, va_list ap)
{
    if (diag) {
        diag->error = err;
        diag->offset = offset;
        diag->section = section;
        vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    }
    return err;
}

void dir_diag_clear(dir_diag *diag)
{
    if (diag) {
        diag->error = DIR_OK;
        diag->offset = (uint64_t)-1;
        diag->section = (uint64_t)-1;
        diag->message[0] = '\0';
    }
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static dir_error
fail(dir_diag *diag, dir_error err, uint64_t offset, uint64_t section, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dir_vfail(diag, err, offset, section, fmt, ap);
    va_end(ap);
    return err;
}

void dir_free(void *p)
{
    free(p);
}

/* The width x height of a header (both sides in 1..DIR_MAX_DIM) against the
 * limits: DIR_OK, or DIR_ELIMIT naming the limit it is over (a side, else
 * the pixel count), at header offset `at`. */
static dir_error check_size_limits(uint32_t width, uint32_t height, const dir_limits *lim,
                                   uint64_t at, dir_diag *diag)
{
    uint64_t pixels = (uint64_t)width * height;
    if (width > lim->max_width || height > lim->max_height)
        return fail(diag, DIR_ELIMIT, at, -1,
                    "image %ux%u is over the size limit (%ux%u, %llu pixels)", width, height,
                    lim->max_width, lim->max_height, (unsigned long long)lim->max_pixels);
    if (pixels > lim->max_pixels)
        return fail(diag, DIR_ELIMIT, at, -1, "image %ux%u has %llu pixels, over the limit of %llu",
                    width, height, (unsigned long long)pixels, (unsigned long long)lim->max_pixels);
    return DIR_OK;
}

/* ---- Names -------------------------------------------------------------- */

static const char *const filter_names[] = {"none", "sub", "auto"};
static const char *const layout_names[] = {"ordered", "interleaved"};
static const char *const backend_names[] = {"none", "zstd", "lzma"};
static const char *const codes_names[] = {"auto", "smallest", "zstd"};

const char *dir_filter_name(dir_filter f)
{
    return (unsigned)f < 3 ? filter_names[f] : "?";
}
const char *dir_layout_name(dir_layout l)
{
    return (unsigned)l < 2 ? layout_names[l] : "?";
}
const char *dir_backend_name(dir_backend b)
{
    return (unsigned)b < 3 ? backend_names[b] : "?";
}

const char *dir_codes_name(dir_codes c)
{
    return (unsigned)c < 3 ? codes_names[c] : "?";
}

static int name_index(const char *s, const char *const *names, int n)
{
    if (!s) return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

dir_error dir_filter_parse(const char *s, dir_filter *f)
{
    int i = name_index(s, filter_names, 3);
    if (i < 0) return DIR_EINVAL;
    *f = (dir_filter)i;
    return DIR_OK;
}
dir_error dir_layout_parse(const char *s, dir_layout *l)
{
    int i = name_index(s, layout_names, 2);
    if (i < 0) return DIR_EINVAL;
    *l = (dir_layout)i;
    return DIR_OK;
}
dir_error dir_codes_parse(const char *s, dir_codes *c)
{
    int i = name_index(s, codes_names, 3);
    if (i < 0) return DIR_EINVAL;
    *c = (dir_codes)i;
    return DIR_OK;
}

dir_error dir_backend_parse(const char *s, dir_backend *b)
{
    int i = name_index(s, backend_names, 3);
    if (i < 0) return DIR_EINVAL;
    *b = (dir_backend)i;
    return DIR_OK;
}

/* ---- Limits ------------------------------------------------------------- */

void dir_limits_default(dir_limits *lim)
{
    lim->max_width = DIR_MAX_DIM;
    lim->max_height = DIR_MAX_DIM;
    lim->max_pixels = DIR_MAX_PIXELS;
    lim->max_chunks = DIR_MAX_CHUNKS;
    lim->max_chunk_size = DIR_MAX_CHUNK_SIZE;
    lim->max_chunks_size = DIR_MAX_CHUNKS_SIZE;
}

dir_error dir_limits_restrict_chunks(dir_limits *lim, uint32_t max_chunks, uint32_t max_chunk_size,
                                     uint32_t max_chunks_size)
{
    if (!lim || max_chunks > DIR_MAX_CHUNKS || max_chunk_size > DIR_MAX_CHUNK_SIZE ||
        max_chunks_size > DIR_MAX_CHUNKS_SIZE)
        return DIR_EINVAL;
    if (max_chunks && (!lim->max_chunks || max_chunks < lim->max_chunks))
        lim->max_chunks = max_chunks;
    if (max_chunk_size && (!lim->max_chunk_size || max_chunk_size < lim->max_chunk_size))
        lim->max_chunk_size = max_chunk_size;
    if (max_chunks_size && (!lim->max_chunks_size || max_chunks_size < lim->max_chunks_size))
        lim->max_chunks_size = max_chunks_size;
    return DIR_OK;
}

/* The caller's limits (or the defaults for NULL), clamped to the built-in
 * maximums: a caller may only make them stricter, and fields set wider (or
 * left uninitialised) do not count; a chunk limit of 0 is the maximum. */
static void effective_limits(const dir_limits *lim, dir_limits *out)
{
    if (!lim) {
        dir_limits_default(out);
        return;
    }
    *out = *lim;
    if (out->max_width > DIR_MAX_DIM) out->max_width = DIR_MAX_DIM;
    if (out->max_height > DIR_MAX_DIM) out->max_height = DIR_MAX_DIM;
    if (out->max_pixels > DIR_MAX_PIXELS) out->max_pixels = DIR_MAX_PIXELS;
    if (!out->max_chunks || out->max_chunks > DIR_MAX_CHUNKS) out->max_chunks = DIR_MAX_CHUNKS;
    if (!out->max_chunk_size || out->max_chunk_size > DIR_MAX_CHUNK_SIZE)
        out->max_chunk_size = DIR_MAX_CHUNK_SIZE;
    if (!out->max_chunks_size || out->max_chunks_size > DIR_MAX_CHUNKS_SIZE)
        out->max_chunks_size = DIR_MAX_CHUNKS_SIZE;
}

dir_error dir_limits_restrict(dir_limits *lim, uint32_t max_width, uint32_t max_height,
                              uint64_t max_pixels)
{
    if (!lim || max_width > DIR_MAX_DIM || max_height > DIR_MAX_DIM || max_pixels > DIR_MAX_PIXELS)
        return DIR_EINVAL;
    if (max_width && max_width < lim->max_width) lim->max_width = max_width;
    if (max_height && max_height < lim->max_height) lim->max_height = max_height;
    if (max_pixels && max_pixels < lim->max_pixels) lim->max_pixels = max_pixels;
    return DIR_OK;
}

/* ---- Little-endian helpers ---------------------------------------------- */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t rd32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* ---- Geometry ----------------------------------------------------------- */

typedef struct geometry {
    uint32_t width, height;
    unsigned channels;
    uint32_t cols, rows; /* section grid */
    uint64_t sections;
    size_t stride; /* bytes per image row */
} geometry;

static void geometry_init(geometry *g, uint32_t w, uint32_t h, unsigned c)
{
    g->width = w;
    g->height = h;
    g->channels = c;
    g->cols = (w + DIR_SECTION - 1) / DIR_SECTION;
    g->rows = (h + DIR_SECTION - 1) / DIR_SECTION;
    g->sections = (uint64_t)g->cols * g->rows;
    g->stride = (size_t)w * c;
}

/* A section lies wholly inside the image. */
static int section_full(const geometry *g, uint64_t s)
{
    uint32_t sx = (uint32_t)(s % g->cols), sy = (uint32_t)(s / g->cols);
    return (sx + 1) * DIR_SECTION <= g->width && (sy + 1) * DIR_SECTION <= g->height;
}

/* Largest payload a section may have in a valid file (code byte included):
 * 256 entries of colour + count + one address, E and a terminator. */
static uint64_t section_max_bytes(unsigned c)
{
    return 1 + (uint64_t)SEC_PIXELS * (c + 2) + 2 * (uint64_t)c;
}

static size_t leb_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Entries of one section of code 04, 05 or 06, at most, by field: 256
 * entries (each places a pixel) with their colours plus E or the zero
 * terminator, a count each, 256 address bytes, 7 bitmaps (33+ pixels each). */
#define ENTRY_MAX_COLOURS(c) ((uint64_t)(SEC_PIXELS + 1) * (c))
#define ENTRY_MAX_COUNTS     ((uint64_t)SEC_PIXELS)
#define ENTRY_MAX_ADDRESSES  ((uint64_t)SEC_PIXELS)
#define ENTRY_MAX_BITMAPS    ((uint64_t)(SEC_PIXELS / (LIST_MAX + 1)) * BITMAP_BYTES)

/* The most bytes stream k (k >= 1, ordered layout) can hold when the code
 * stream has n[code] sections of each code. */
static uint64_t stream_max_bytes(unsigned k, const uint64_t n[CODE_COUNT], unsigned c,
                                 uint64_t sections)
{
    switch (k) {
    case 1: return n[CODE_SOLID] * c;
    case 2: return n[CODE_SINGLE] * 2 * c;
    case 3: return n[CODE_SINGLE];
    case 4: return n[CODE_REF] * leb_size(sections); /* distances < sections */
    case 17: return n[CODE_RAW] * SEC_PIXELS * c;
    case 18: return n[CODE_TWO] * 2 * c;
    case 19: return n[CODE_TWO] * BITMAP_BYTES;
    default: break;
    }
    /* 5..8: code 04, 9..12: 05, 13..16: 06 */
    uint64_t m = n[CODE_XOR + (k - 5) / 4];
    switch ((k - 5) % 4) {
    case F_COLOUR: return m * ENTRY_MAX_COLOURS(c);
    case F_COUNT: return m * ENTRY_MAX_COUNTS;
    case F_ADDR: return m * ENTRY_MAX_ADDRESSES;
    default: return m * ENTRY_MAX_BITMAPS;
    }
}

/* Ordered layout: checks every declared stream size against what the
 * sections of the code stream can use, so that a small zstd frame cannot
 * make the decoder allocate more than the file's own codes justify. */
static dir_error check_stream_sizes(const dir_info *info, const uint8_t *codes, uint64_t sections,
                                    uint64_t codes_offset, dir_diag *diag)
{
    uint64_t n[CODE_COUNT] = {0};
    for (uint64_t s = 0; s < sections; s++) {
        if (codes[s] >= CODE_COUNT)
            return fail(diag, DIR_ECODE,
                        codes_offset == (uint64_t)-1 ? (uint64_t)-1 : codes_offset + s, s,
                        "bad code %u in section %llu", codes[s], (unsigned long long)s);
        n[codes[s]]++;
    }
    for (unsigned k = 1; k < DIR_STREAMS; k++) {
        uint64_t max = stream_max_bytes(k, n, info->channels, sections);
        if (info->stream_size[k] > max)
            return fail(diag, DIR_ESTREAM, SIZES_AT + 4 * k, -1,
                        "stream %u (%s) declares %u bytes, more than the %llu its sections can "
                        "use",
                        k, stream_names[k], info->stream_size[k], (unsigned long long)max);
    }
    return DIR_OK;
}

size_t dir_decoded_size(const dir_info *info)
{
    return (size_t)info->width * info->height * info->channels * (info->depth == 16 ? 2 : 1);
}

uint64_t dir_decode_scratch_size(const dir_info *info)
{
    uint64_t total = 0;
    if (info->version == 2) return dir_decoded_size(info);
    if (info->backend != DIR_BACKEND_ZSTD) return 0;
    for (int k = 0; k < DIR_STREAMS; k++)
        total += info->stream_size[k];
    return total;
}

/* ---- Version 2: header ------------------------------------------------- */

/* Offsets of the version-2 header (docs/FORMAT.md, "Version 2"). */
#define V2_CHANNELS_AT 9
#define V2_DEPTH_AT    10
#define V2_RESERVED_AT 11
#define V2_WIDTH_AT    12
#define V2_HEIGHT_AT   16
#define V2_CRC_AT      20
#define V2_COUNT_AT    24
#define V2_CHUNKS_AT   28
#define V2_PAYLOAD_AT  32

/* The largest payload a version-2 file may declare for an image of
 * `decoded` bytes: room for any payload coding that is not absurd. */
static uint64_t v2_payload_max(uint64_t decoded)
{
    return 4 * decoded + 65536;
}

/* Validates the version-2 header (the first DIR_HEADER_SIZE bytes are
 * there) against the format and the (effective) limits. */
static dir_error probe_v2(const uint8_t *p, const dir_limits *lim, dir_info *info,
                          uint64_t *expect_out, dir_diag *diag)
{
    dir_info in;
    memset(&in, 0, sizeof in);
    in.version = 2;
    in.filter = DIR_FILTER_NONE;
    in.layout = DIR_LAYOUT_ORDERED;
    in.backend = DIR_BACKEND_NONE;
    in.channels = p[V2_CHANNELS_AT];
    if (in.channels < 1 || in.channels > 4)
        return fail(diag, DIR_EHEADER, V2_CHANNELS_AT, -1, "channels %u out of range (1..4)",
                    in.channels);
    in.depth = p[V2_DEPTH_AT];
    if (in.depth != 8 && in.depth != 16)
        return fail(diag, DIR_EHEADER, V2_DEPTH_AT, -1, "depth %u out of range (8 or 16)",
                    in.depth);
    if (p[V2_RESERVED_AT])
        return fail(diag, DIR_EHEADER, V2_RESERVED_AT, -1, "reserved header byte 11 is not zero");
    in.width = rd32(p + V2_WIDTH_AT);
    in.height = rd32(p + V2_HEIGHT_AT);
    if (in.width == 0 || in.width > DIR_MAX_DIM)
        return fail(diag, DIR_EHEADER, V2_WIDTH_AT, -1, "width %u out of range (1..%u)", in.width,
                    DIR_MAX_DIM);
    if (in.height == 0 || in.height > DIR_MAX_DIM)
        return fail(diag, DIR_EHEADER, V2_HEIGHT_AT, -1, "height %u out of range (1..%u)",
                    in.height, DIR_MAX_DIM);
    dir_error lerr = check_size_limits(in.width, in.height, lim, V2_WIDTH_AT, diag);
    if (lerr) return lerr;
    in.crc = rd32(p + V2_CRC_AT);
    in.chunk_count = rd32(p + V2_COUNT_AT);
    in.chunks_size = rd32(p + V2_CHUNKS_AT);
    in.payload_size = rd64(p + V2_PAYLOAD_AT);
    if (in.chunk_count > DIR_MAX_CHUNKS)
        return fail(diag, DIR_EHEADER, V2_COUNT_AT, -1, "chunk count %u out of range (0..%u)",
                    in.chunk_count, DIR_MAX_CHUNKS);
    if (in.chunks_size > DIR_MAX_CHUNKS_SIZE)
        return fail(diag, DIR_EHEADER, V2_CHUNKS_AT, -1,
                    "chunk list of %u bytes is over the format's maximum (%u)", in.chunks_size,
                    DIR_MAX_CHUNKS_SIZE);
    if ((uint64_t)in.chunk_count * DIR_CHUNK_OVERHEAD > in.chunks_size ||
        (in.chunk_count == 0) != (in.chunks_size == 0))
        return fail(diag, DIR_EHEADER, V2_CHUNKS_AT, -1,
                    "a chunk list of %u bytes cannot hold %u chunks", in.chunks_size,
                    in.chunk_count);
    if (in.chunk_count > lim->max_chunks)
        return fail(diag, DIR_ELIMIT, V2_COUNT_AT, -1, "%u chunks, over the limit of %u",
                    in.chunk_count, lim->max_chunks);
    if (in.chunks_size > lim->max_chunks_size)
        return fail(diag, DIR_ELIMIT, V2_CHUNKS_AT, -1,
                    "chunk list of %u bytes, over the limit of %u", in.chunks_size,
                    lim->max_chunks_size);
    uint64_t pmax = v2_payload_max(dir_decoded_size(&in));
    if (in.payload_size == 0 || in.payload_size > pmax)
        return fail(diag, DIR_EHEADER, V2_PAYLOAD_AT, -1,
                    "payload size %llu out of range (1..%llu for a %ux%u image)",
                    (unsigned long long)in.payload_size, (unsigned long long)pmax, in.width,
                    in.height);
    uint64_t expect = DIR2_HEADER_SIZE + (uint64_t)in.chunks_size + in.payload_size;
    if (expect < DIR_MIN_FILE_SIZE) expect = DIR_MIN_FILE_SIZE;
    *info = in;
    *expect_out = expect;
    return DIR_OK;
}

/* ---- Version 2: chunks -------------------------------------------------- */

/* Length of the valid UTF-8 prefix of s[0..n) (n when all of it is valid):
 * shortest forms only, no surrogates, nothing past U+10FFFF. */
static size_t utf8_valid_prefix(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t k;
        uint32_t v, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            k = 1, v = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            k = 2, v = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            k = 3, v = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (n - i <= k) return i;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80) return i;
            v = v << 6 | (s[i + j] & 0x3f);
        }
        if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return i;
        i += k + 1;
    }
    return n;
}

/* The defined chunks, in the order the encoder writes them. */
enum { CH_ICC, CH_PHYS, CH_COMMENT, CH_EXIF, CH_XMP, CH_KNOWN };
static const char chunk_types[CH_KNOWN][5] = {"iCCP", "pHYs", "cOMt", "eXIf", "xMPt"};
static const char *const chunk_what[CH_KNOWN] = {"ICC profile", "density", "comment", "EXIF",
                                                 "XMP packet"};

#define ICC_HEADER_SIZE 128

/* Checks the contents of defined chunk `k`; NULL when valid, else the
 * reason (written into buf). */
static const char *chunk_content_error(int k, const uint8_t *d, size_t n, char *buf, size_t bufsize)
{
    size_t ok;
    switch (k) {
    case CH_ICC:
        if (n < ICC_HEADER_SIZE) {
            snprintf(buf, bufsize, "ICC profile of %zu bytes is shorter than its %d-byte header", n,
                     ICC_HEADER_SIZE);
            return buf;
        }
        if (rd32be(d) != n) {
            snprintf(buf, bufsize, "ICC profile declares %u bytes but has %zu", rd32be(d), n);
            return buf;
        }
        if (memcmp(d + 36, "acsp", 4) != 0) return "ICC profile lacks its 'acsp' signature";
        return NULL;
    case CH_PHYS:
        if (n != 8) {
            snprintf(buf, bufsize, "density of %zu bytes (8 needed)", n);
            return buf;
        }
        if (rd32(d) == 0 || rd32(d + 4) == 0) {
            snprintf(buf, bufsize, "density %u x %u pixels per metre: both must be at least 1",
                     rd32(d), rd32(d + 4));
            return buf;
        }
        return NULL;
    case CH_COMMENT:
        if (n == 0 || d[n - 1] != 0) return "comment does not end with a NUL byte";
        if (memchr(d, 0, n - 1)) return "comment has a NUL byte before its end";
        ok = utf8_valid_prefix(d, n - 1);
        if (ok != n - 1) {
            snprintf(buf, bufsize, "comment is not UTF-8 (at byte %zu)", ok);
            return buf;
        }
        return NULL;
    case CH_EXIF:
        if (n < 8 || (memcmp(d, "II*\0", 4) != 0 && memcmp(d, "MM\0*", 4) != 0))
            return "EXIF does not start with a TIFF header (II*\\0 or MM\\0*)";
        return NULL;
    default: /* CH_XMP */
        if (n == 0) return "empty XMP packet";
        if (memchr(d, 0, n)) return "XMP packet has a NUL byte";
        ok = utf8_valid_prefix(d, n);
        if (ok != n) {
            snprintf(buf, bufsize, "XMP packet is not UTF-8 (at byte %zu)", ok);
            return buf;
        }
        return NULL;
    }
}

static int is_letter(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Walks the chunk list of a version-2 file (whose header `in` describes
 * and whose bytes are all there): structure, limits, CRCs, the contents of
 * the defined chunks, duplicates and unknown critical chunks.  Fills `meta`
 * when not NULL. */
static dir_error parse_chunks(const uint8_t *file, const dir_info *in, const dir_limits *lim,
                              dir_metadata *meta, dir_diag *diag)
{
    uint64_t at = DIR2_HEADER_SIZE, end = at + in->chunks_size;
    unsigned seen = 0;
    char why[128];
    for (uint32_t i = 0; i < in->chunk_count; i++) {
        const uint8_t *c = file + at;
        if (end - at < DIR_CHUNK_OVERHEAD)
            return fail(diag, DIR_ECHUNK, at, -1,
                        "chunk %u starts %llu bytes before the end of the chunk list (a chunk "
                        "takes at least %u)",
                        i, (unsigned long long)(end - at), DIR_CHUNK_OVERHEAD);
        if (!is_letter(c[0]) || !is_letter(c[1]) || !is_letter(c[2]) || !is_letter(c[3]))
            return fail(diag, DIR_ECHUNK, at, -1,
                        "chunk %u type %02x %02x %02x %02x is not four ASCII letters", i, c[0],
                        c[1], c[2], c[3]);
        uint32_t len = rd32(c + 4);
        if (len > DIR_MAX_CHUNK_SIZE)
            return fail(diag, DIR_ECHUNK, at + 4, -1,
                        "chunk %u (%.4s) length %u is over the format's maximum (%u)", i,
                        (const char *)c, len, DIR_MAX_CHUNK_SIZE);
        if (len > end - at - DIR_CHUNK_OVERHEAD)
            return fail(diag, DIR_ECHUNK, at + 4, -1,
                        "chunk %u (%.4s) length %u runs past the end of the chunk list", i,
                        (const char *)c, len);
        if (len > lim->max_chunk_size)
            return fail(diag, DIR_ELIMIT, at + 4, -1,
                        "chunk %u (%.4s) of %u bytes is over the limit of %u", i, (const char *)c,
                        len, lim->max_chunk_size);
        const uint8_t *d = c + 8;
        uint32_t crc = dir_crc32(dir_crc32(0, c, 4), d, len), stored = rd32(d + len);
        if (crc != stored)
            return fail(diag, DIR_ECRC, at + 8 + len, -1,
                        "chunk %u (%.4s) CRC mismatch: stored %08x, computed %08x", i,
                        (const char *)c, stored, crc);
        int k = 0;
        while (k < CH_KNOWN && memcmp(c, chunk_types[k], 4) != 0)
            k++;
        if (k < CH_KNOWN) {
            if (seen & (1u << k))
                return fail(diag, DIR_EDUPLICATE, at, -1, "a second %.4s chunk (%s), chunk %u",
                            (const char *)c, chunk_what[k], i);
            seen |= 1u << k;
            const char *bad = chunk_content_error(k, d, len, why, sizeof why);
            if (bad)
                return fail(diag, DIR_ECHUNK, at + 8, -1, "chunk %u (%.4s): %s", i, (const char *)c,
                            bad);
            if (meta) {
                switch (k) {
                case CH_ICC:
                    meta->icc = d;
                    meta->icc_size = len;
                    break;
                case CH_PHYS:
                    meta->density_x = rd32(d);
                    meta->density_y = rd32(d + 4);
                    break;
                case CH_COMMENT: meta->comment = (const char *)d; break;
                case CH_EXIF:
                    meta->exif = d;
                    meta->exif_size = len;
                    break;
                default:
                    meta->xmp = d;
                    meta->xmp_size = len;
                    break;
                }
            }
        } else if (!(c[0] & 0x20)) {
            return fail(diag, DIR_ECRITICAL, at, -1,
                        "unknown critical chunk %.4s (chunk %u): this reader cannot decode the "
                        "image",
                        (const char *)c, i);
        }
        at += DIR_CHUNK_OVERHEAD + (uint64_t)len;
    }
    if (at != end)
        return fail(diag, DIR_ECHUNK, at, -1,
                    "%llu bytes in the chunk list after its %u declared chunks",
                    (unsigned long long)(end - at), in->chunk_count);
    return DIR_OK;
}

/* ---- Header ------------------------------------------------------------- */

/* Validates the header (the first DIR_HEADER_SIZE bytes of `size`) and
 * gives the file size it declares in *expect. */
static dir_error probe_header(const void *data, size_t size, const dir_limits *lim, dir_info *info,
                              uint64_t *expect_out, dir_diag *diag)
{
    const uint8_t *p = data;
    dir_limits deflim;
    dir_info in;
    uint64_t total = 0, expect;

    dir_diag_clear(diag);
    if (!data || !info) return fail(diag, DIR_EINVAL, 0, -1, "invalid argument");
    effective_limits(lim, &deflim);
    lim = &deflim;
    if (size < 8 || memcmp(p, dir_magic, 8) != 0) {
        /* The magic's bytes tell how a file was mangled, as PNG's do. */
        if (size >= 4 && p[1] == 'D' && p[2] == 'I' && p[3] == 'R' && p[0] != 0x8b)
            return fail(diag, DIR_EMAGIC, 0, -1, "bad magic: high bit stripped (7-bit transfer)");
        if (size >= 8 && memcmp(p, dir_magic, 4) == 0)
            return fail(diag, DIR_EMAGIC, 4, -1,
                        "bad magic: line endings converted (text-mode transfer)");
        if (size < 8 && size > 0 && memcmp(p, dir_magic, size) == 0)
            return fail(diag, DIR_ETRUNCATED, size, -1,
                        "truncated at byte %zu: the header needs %d bytes", size, DIR_HEADER_SIZE);
        return fail(diag, DIR_EMAGIC, 0, -1, "bad magic: not a .dir file");
    }
    if (size < 9)
        return fail(diag, DIR_ETRUNCATED, size, -1,
                    "truncated at byte %zu: the header needs %d bytes", size, DIR_HEADER_SIZE);

    memset(&in, 0, sizeof in);
    in.version = p[8];
    if (in.version < DIR_FORMAT_VERSION_MIN || in.version > DIR_FORMAT_VERSION)
        return fail(diag, DIR_EVERSION, 8, -1,
                    "unsupported version %u (this reader knows versions %d to %d)", in.version,
                    DIR_FORMAT_VERSION_MIN, DIR_FORMAT_VERSION);
    if (size < DIR_HEADER_SIZE)
        return fail(diag, DIR_ETRUNCATED, size, -1,
                    in.version == 1 ? "truncated at byte %zu: the header needs %d bytes"
                                    : "truncated at byte %zu: a .dir file has at least %d bytes",
                    size, DIR_HEADER_SIZE);
    if (in.version == 2) return probe_v2(p, lim, info, expect_out, diag);
    in.depth = 8;
    in.channels = p[9];
    if (in.channels != 1 && in.channels != 3 && in.channels != 4)
        return fail(diag, DIR_EHEADER, 9, -1, "channels %u out of range (1, 3 or 4)", in.channels);
    if (p[10] > 1) return fail(diag, DIR_EHEADER, 10, -1, "filter %u out of range (0..1)", p[10]);
    if (p[11] > 1) return fail(diag, DIR_EHEADER, 11, -1, "layout %u out of range (0..1)", p[11]);
    if (p[12] > 1) return fail(diag, DIR_EHEADER, 12, -1, "back end %u out of range (0..1)", p[12]);
    if (p[13] | p[14] | p[15])
        return fail(diag, DIR_EHEADER, 13, -1, "reserved header bytes are not zero");
    in.filter = (dir_filter)p[10];
    in.layout = (dir_layout)p[11];
    in.backend = (dir_backend)p[12];
    in.width = rd32(p + 16);
    in.height = rd32(p + 20);
    if (in.width == 0 || in.width > DIR_MAX_DIM)
        return fail(diag, DIR_EHEADER, 16, -1, "width %u out of range (1..%u)", in.width,
                    DIR_MAX_DIM);
    if (in.height == 0 || in.height > DIR_MAX_DIM)
        return fail(diag, DIR_EHEADER, 20, -1, "height %u out of range (1..%u)", in.height,
                    DIR_MAX_DIM);
    dir_error lerr = check_size_limits(in.width, in.height, lim, 16, diag);
    if (lerr) return lerr;
    in.crc = rd32(p + 24);
    for (int k = 0; k < DIR_STREAMS; k++) {
        in.stream_size[k] = rd32(p + SIZES_AT + 4 * k);
        total += in.stream_size[k];
    }
    in.packed_size = rd32(p + PACKED_AT);

    geometry g;
    geometry_init(&g, in.width, in.height, in.channels);
    if (in.layout == DIR_LAYOUT_ORDERED) {
        if (in.stream_size[0] != g.sections)
            return fail(diag, DIR_EHEADER, SIZES_AT, -1,
                        "code stream size %u, but the image has %llu sections", in.stream_size[0],
                        (unsigned long long)g.sections);
    } else {
        for (int k = 1; k < DIR_STREAMS; k++)
            if (in.stream_size[k])
                return fail(diag, DIR_EHEADER, SIZES_AT + 4 * k, -1,
                            "interleaved layout with a non-zero size for stream %d", k);
        if (in.stream_size[0] < g.sections)
            return fail(diag, DIR_EHEADER, SIZES_AT, -1,
                        "stream size %u is less than the %llu sections need", in.stream_size[0],
                        (unsigned long long)g.sections);
    }
    if (total > g.sections * section_max_bytes(in.channels))
        return fail(diag, DIR_EHEADER, SIZES_AT, -1,
                    "declared stream sizes (%llu bytes) exceed the maximum for a %ux%u image",
                    (unsigned long long)total, in.width, in.height);
    if (in.backend == DIR_BACKEND_NONE) {
        if (in.packed_size)
            return fail(diag, DIR_EHEADER, PACKED_AT, -1, "packed size %u with back end none",
                        in.packed_size);
        expect = DIR_HEADER_SIZE + total;
    } else {
        if (in.packed_size == 0)
            return fail(diag, DIR_EHEADER, PACKED_AT, -1, "packed size 0 with back end zstd");
        expect = DIR_HEADER_SIZE + (uint64_t)in.packed_size;
    }
    in.payload_size = expect - DIR_HEADER_SIZE;
    *info = in;
    *expect_out = expect;
    return DIR_OK;
}

dir_error dir_declared_size(const void *data, size_t size, const dir_limits *lim,
                            uint64_t *file_size, dir_diag *diag)
{
    dir_info in;
    dir_diag_clear(diag);
    if (!file_size) return fail(diag, DIR_EINVAL, 0, -1, "invalid argument");
    return probe_header(data, size, lim, &in, file_size, diag);
}

/* dir_probe(), also giving the metadata (when `meta` is not NULL). */
static dir_error probe_file(const void *data, size_t size, const dir_limits *lim, dir_info *info,
                            dir_metadata *meta, dir_diag *diag)
{
    dir_info in;
    dir_limits elim;
    uint64_t expect;
    dir_diag_clear(diag);
    if (!info) return fail(diag, DIR_EINVAL, 0, -1, "invalid argument");
    if (meta) memset(meta, 0, sizeof *meta);
    effective_limits(lim, &elim);
    dir_error err = probe_header(data, size, &elim, &in, &expect, diag);
    if (err) return err;
    if (size < expect)
        return fail(diag, DIR_ETRUNCATED, size, -1,
                    "truncated at byte %zu: the header declares %llu bytes", size,
                    (unsigned long long)expect);
    if (size > expect)
        return fail(diag, DIR_ETRAILING, expect, -1,
                    "%llu trailing bytes after the declared %llu bytes",
                    (unsigned long long)(size - expect), (unsigned long long)expect);
    if (in.version == 2) {
        const uint8_t *p = data;
        uint64_t used = DIR2_HEADER_SIZE + (uint64_t)in.chunks_size + in.payload_size;
        for (uint64_t k = used; k < expect; k++)
            if (p[k])
                return fail(diag, DIR_ETRAILING, k, -1,
                            "padding byte %llu is not zero (the file ends at byte %llu, padded "
                            "to %d)",
                            (unsigned long long)k, (unsigned long long)used, DIR_MIN_FILE_SIZE);
        err = parse_chunks(p, &in, &elim, meta, diag);
        if (err) {
            if (meta) memset(meta, 0, sizeof *meta);
            return err;
        }
    }
    *info = in;
    return DIR_OK;
}

dir_error dir_probe(const void *data, size_t size, const dir_limits *lim, dir_info *info,
                    dir_diag *diag)
{
    return probe_file(data, size, lim, info, NULL, diag);
}

dir_error dir_read_metadata(const void *buf, size_t len, dir_metadata *meta, dir_diag *diag)
{
    dir_info in;
    dir_diag_clear(diag);
    if (!meta) return fail(diag, DIR_EINVAL, 0, -1, "invalid argument");
    return probe_file(buf, len, NULL, &in, meta, diag);
}

/* ---- Section decoding --------------------------------------------------- */

typedef struct reader {
    const uint8_t *p, *end, *base;
    int stream;
    uint64_t file_offset; /* offset of base in the file, or -1 (zstd) */
} reader;

typedef struct decoder {
    geometry g;
    uint8_t *img;
    reader rd[DIR_STREAMS];
    int interleaved;
    dir_diag *diag;
    uint64_t section;
} decoder;

static dir_error short_read(decoder *d, const reader *r)
{
    uint64_t pos = (uint64_t)(r->end - r->base);
    if (r->file_offset != (uint64_t)-1)
        return fail(d->diag, DIR_ETRUNCATED, r->file_offset + pos, d->section,
                    "truncated at byte %llu: stream %d ends inside section %llu",
                    (unsigned long long)(r->file_offset + pos), r->stream,
                    (unsigned long long)d->section);
    return fail(d->diag, DIR_ETRUNCATED, pos, d->section,
                "truncated at byte %llu of stream %d (decompressed) inside section %llu",
                (unsigned long long)pos, r->stream, (unsigned long long)d->section);
}

#define NEED(d, r, n)                                                                              \
    do {                                                                                           \
        if ((size_t)((r)->end - (r)->p) < (size_t)(n)) return short_read(d, r);                    \
    } while (0)

static uint64_t reader_pos(const reader *r)
{
    uint64_t pos = (uint64_t)(r->p - r->base);
    return r->file_offset != (uint64_t)-1 ? r->file_offset + pos : pos;
}

static int colour_is_zero(const uint8_t *c, unsigned n)
{
    unsigned acc = 0;
    for (unsigned i = 0; i < n; i++)
        acc |= c[i];
    return acc == 0;
}

static void fill_colour(uint8_t *sec, const uint8_t *colour, unsigned c)
{
    if (c == 1) {
        memset(sec, colour[0], SEC_PIXELS);
        return;
    }
    for (unsigned i = 0; i < SEC_PIXELS; i++)
        memcpy(sec + i * c, colour, c);
}

/* Occupancy of a section's 256 positions, to refuse a pixel placed twice. */
typedef struct occupancy {
    uint64_t w[4];
    unsigned placed;
} occupancy;

static int occ_test_set(occupancy *o, unsigned a)
{
    uint64_t bit = (uint64_t)1 << (a & 63);
    if (o->w[a >> 6] & bit) return 1;
    o->w[a >> 6] |= bit;
    return 0;
}

/* The readers of one section's fields: separate streams in the ordered
 * layout, all the one stream in the interleaved layout. */
typedef struct fields {
    reader *col, *cnt, *adr, *bmp;
} fields;

/* Reads an entry's addressing after its colour and count, and paints
 * `colour` at its positions in `sec`. */
static dir_error read_entry(decoder *d, const fields *f, occupancy *occ, uint8_t *sec,
                            const uint8_t *colour, unsigned n)
{
    unsigned c = d->g.channels;
    reader *r = f->adr;
    if (n == 0)
        return fail(d->diag, DIR_ECOUNT, reader_pos(f->cnt) - 1, d->section,
                    "count 0 in section %llu", (unsigned long long)d->section);
    if (occ->placed + n > SEC_PIXELS)
        return fail(d->diag, DIR_ECOUNT, reader_pos(f->cnt) - 1, d->section,
                    "count overflow in section %llu: %u pixels placed, then %u more",
                    (unsigned long long)d->section, occ->placed, n);
    if (n <= LIST_MAX || n > BITMAP_MAX) {
        unsigned k = n <= LIST_MAX ? n : SEC_PIXELS - n;
        int prev = -1;
        NEED(d, r, k);
        if (n <= LIST_MAX) {
            for (unsigned i = 0; i < k; i++) {
                unsigned a = r->p[i];
                if ((int)a <= prev || occ_test_set(occ, a))
                    return fail(d->diag, DIR_EADDRESS, reader_pos(r) + i, d->section,
                                "address %02x in section %llu is %s", a,
                                (unsigned long long)d->section,
                                (int)a <= prev ? "not increasing" : "already placed");
                prev = (int)a;
                memcpy(sec + a * c, colour, c);
            }
        } else {
            /* Reverse codification: the colour is everywhere but the list. */
            uint64_t not [4] = {0, 0, 0, 0};
            for (unsigned i = 0; i < k; i++) {
                unsigned a = r->p[i];
                if ((int)a <= prev)
                    return fail(d->diag, DIR_EADDRESS, reader_pos(r) + i, d->section,
                                "address %02x in section %llu is not increasing", a,
                                (unsigned long long)d->section);
                prev = (int)a;
                not [a >> 6] |= (uint64_t)1 << (a & 63);
            }
            for (unsigned w = 0; w < 4; w++) {
                uint64_t set = ~not [w];
                if (set & occ->w[w])
                    return fail(d->diag, DIR_EADDRESS, reader_pos(r), d->section,
                                "reverse list in section %llu places a pixel twice",
                                (unsigned long long)d->section);
                occ->w[w] |= set;
                while (set) {
                    unsigned a = w * 64 + (unsigned)__builtin_ctzll(set);
                    set &= set - 1;
                    memcpy(sec + a * c, colour, c);
                }
            }
        }
        r->p += k;
    } else {
        unsigned bits = 0;
        r = f->bmp;
        NEED(d, r, BITMAP_BYTES);
        for (unsigned w = 0; w < 4; w++) {
            uint64_t set = 0;
            for (unsigned b = 0; b < 8; b++)
                set |= (uint64_t)r->p[w * 8 + b] << (8 * b);
            bits += (unsigned)__builtin_popcountll(set);
            if (set & occ->w[w])
                return fail(d->diag, DIR_EADDRESS, reader_pos(r), d->section,
                            "bitmap in section %llu places a pixel twice",
                            (unsigned long long)d->section);
            occ->w[w] |= set;
            while (set) {
                unsigned a = w * 64 + (unsigned)__builtin_ctzll(set);
                set &= set - 1;
                memcpy(sec + a * c, colour, c);
            }
        }
        if (bits != n)
            return fail(d->diag, DIR_ECOUNT, reader_pos(r), d->section,
                        "bitmap in section %llu has %u bits set but the count is %u",
                        (unsigned long long)d->section, bits, n);
        r->p += BITMAP_BYTES;
    }
    occ->placed += n;
    return DIR_OK;
}

/* Entries of codes 04, 05 (ended by the zero colour) and 06 (ended at 256). */
static dir_error read_entries(decoder *d, const fields *f, uint8_t *sec, int until_full)
{
    unsigned c = d->g.channels;
    occupancy occ = {{0, 0, 0, 0}, 0};
    for (;;) {
        if (until_full && occ.placed == SEC_PIXELS) return DIR_OK;
        NEED(d, f->col, c);
        const uint8_t *colour = f->col->p;
        f->col->p += c;
        if (colour_is_zero(colour, c)) {
            if (!until_full) return DIR_OK;
            return fail(d->diag, DIR_ECOLOUR, reader_pos(f->col) - c, d->section,
                        "zero colour in a code 06 section (%llu)", (unsigned long long)d->section);
        }
        NEED(d, f->cnt, 1);
        unsigned n = *f->cnt->p++;
        dir_error e = read_entry(d, f, &occ, sec, colour, n);
        if (e) return e;
    }
}

/* Copies a section's pixels, held in address order, into the image. */
static void put_section(const geometry *g, uint8_t *img, uint32_t sx, uint32_t sy,
                        const uint8_t *sec)
{
    unsigned c = g->channels;
    uint32_t x0 = sx * DIR_SECTION, y0 = sy * DIR_SECTION;
    unsigned wx = g->width - x0 < DIR_SECTION ? g->width - x0 : DIR_SECTION;
    unsigned hy = g->height - y0 < DIR_SECTION ? g->height - y0 : DIR_SECTION;
    for (unsigned y = 0; y < hy; y++) {
        uint8_t *row = img + (size_t)(y0 + y) * g->stride + (size_t)x0 * c;
        if (c == 1) {
            for (unsigned x = 0; x < wx; x++)
                row[x] = sec[x * 16 + y];
        } else if (c == 4) {
            for (unsigned x = 0; x < wx; x++)
                memcpy(row + x * 4, sec + (x * 16 + y) * 4, 4);
        } else {
            for (unsigned x = 0; x < wx; x++)
                memcpy(row + x * 3, sec + (x * 16 + y) * 3, 3);
        }
    }
}

/* Fills the image part of a section with one colour. */
static void put_solid(const geometry *g, uint8_t *img, uint32_t sx, uint32_t sy,
                      const uint8_t *colour)
{
    unsigned c = g->channels;
    uint32_t x0 = sx * DIR_SECTION, y0 = sy * DIR_SECTION;
    unsigned wx = g->width - x0 < DIR_SECTION ? g->width - x0 : DIR_SECTION;
    unsigned hy = g->height - y0 < DIR_SECTION ? g->height - y0 : DIR_SECTION;
    uint8_t row0[DIR_SECTION * 4];
    for (unsigned x = 0; x < wx; x++)
        memcpy(row0 + x * c, colour, c);
    for (unsigned y = 0; y < hy; y++)
        memcpy(img + (size_t)(y0 + y) * g->stride + (size_t)x0 * c, row0, (size_t)wx * c);
}

static dir_error decode_section(decoder *d, uint32_t sx, uint32_t sy)
{
    const geometry *g = &d->g;
    unsigned c = g->channels;
    reader *cr = &d->rd[0];
    uint8_t sec[SEC_PIXELS * 4];
    NEED(d, cr, 1);
    unsigned code = *cr->p++;
    if (code >= CODE_COUNT)
        return fail(d->diag, DIR_ECODE, reader_pos(cr) - 1, d->section,
                    "bad code %u in section %llu", code, (unsigned long long)d->section);
    fields f;
    if (d->interleaved) {
        f.col = f.cnt = f.adr = f.bmp = cr;
    } else {
        f.col = &d->rd[stream_of[code][F_COLOUR]];
        f.cnt = &d->rd[stream_of[code][F_COUNT]];
        f.adr = &d->rd[stream_of[code][F_ADDR]];
        f.bmp = &d->rd[stream_of[code][F_BITMAP]];
    }
    reader *r = f.col;
    switch (code) {
    case CODE_ZERO: {
        static const uint8_t zero[4] = {0, 0, 0, 0};
        put_solid(g, d->img, sx, sy, zero);
        return DIR_OK;
    }
    case CODE_SOLID:
        NEED(d, r, c);
        put_solid(g, d->img, sx, sy, r->p);
        r->p += c;
        return DIR_OK;
    case CODE_SINGLE:
    case CODE_TWO: {
        reader *rx = code == CODE_SINGLE ? f.adr : f.bmp;
        unsigned extra = code == CODE_SINGLE ? 1 : BITMAP_BYTES;
        NEED(d, r, 2 * c);
        const uint8_t *a = r->p, *b = r->p + c;
        if (memcmp(a, b, c) == 0)
            return fail(d->diag, DIR_ECOLOUR, reader_pos(r), d->section,
                        "code %02u section %llu has two equal colours", code,
                        (unsigned long long)d->section);
        r->p += 2 * c;
        NEED(d, rx, extra);
        const uint8_t *bits = rx->p;
        fill_colour(sec, a, c);
        if (code == CODE_SINGLE) {
            memcpy(sec + bits[0] * c, b, c);
        } else {
            for (unsigned i = 0; i < SEC_PIXELS; i++)
                if (bits[i >> 3] >> (i & 7) & 1) memcpy(sec + i * c, b, c);
        }
        rx->p += extra;
        break;
    }
    case CODE_REF: {
        uint64_t dist = 0;
        r = f.cnt;
        unsigned i = 0;
        uint64_t at = reader_pos(r);
        for (;; i++) {
            NEED(d, r, 1);
            uint8_t byte = *r->p++;
            if (i == LEB_MAX - 1 && byte > 0x0f)
                return fail(d->diag, DIR_EREF, at, d->section,
                            "reference in section %llu is longer than 32 bits",
                            (unsigned long long)d->section);
            dist |= (uint64_t)(byte & 0x7f) << (7 * i);
            if (!(byte & 0x80)) {
                if (i > 0 && byte == 0)
                    return fail(d->diag, DIR_EREF, at, d->section,
                                "reference in section %llu is not minimally encoded "
                                "(a final LEB128 byte 00)",
                                (unsigned long long)d->section);
                break;
            }
        }
        if (dist == 0 || dist > d->section)
            return fail(d->diag, DIR_EREF, at, d->section,
                        "reference in section %llu to %s section (distance %llu)",
                        (unsigned long long)d->section,
                        dist == 0 ? "itself, not an earlier" : "a nonexistent",
                        (unsigned long long)dist);
        uint64_t t = d->section - dist;
        if (!section_full(g, t))
            return fail(d->diag, DIR_EREF, at, d->section,
                        "reference in section %llu to edge section %llu",
                        (unsigned long long)d->section, (unsigned long long)t);
        uint32_t tx = (uint32_t)(t % g->cols), ty = (uint32_t)(t / g->cols);
        uint32_t x0 = sx * DIR_SECTION, y0 = sy * DIR_SECTION;
        unsigned wx = g->width - x0 < DIR_SECTION ? g->width - x0 : DIR_SECTION;
        unsigned hy = g->height - y0 < DIR_SECTION ? g->height - y0 : DIR_SECTION;
        for (unsigned y = 0; y < hy; y++)
            memcpy(d->img + (size_t)(y0 + y) * g->stride + (size_t)x0 * c,
                   d->img + (size_t)(ty * DIR_SECTION + y) * g->stride +
                       (size_t)tx * DIR_SECTION * c,
                   (size_t)wx * c);
        return DIR_OK;
    }
    case CODE_XOR: {
        uint8_t e[4];
        NEED(d, r, c);
        memcpy(e, r->p, c);
        if (colour_is_zero(e, c))
            return fail(d->diag, DIR_ECOLOUR, reader_pos(r), d->section,
                        "zero eliminated colour in section %llu", (unsigned long long)d->section);
        r->p += c;
        memset(sec, 0, (size_t)SEC_PIXELS * c);
        dir_error err = read_entries(d, &f, sec, 0);
        if (err) return err;
        for (unsigned i = 0; i < SEC_PIXELS * c; i++)
            sec[i] ^= e[i % c];
        break;
    }
    case CODE_ZLIST:
    case CODE_FLIST: {
        memset(sec, 0, (size_t)SEC_PIXELS * c);
        dir_error err = read_entries(d, &f, sec, code == CODE_FLIST);
        if (err) return err;
        break;
    }
    case CODE_RAW:
        NEED(d, r, (size_t)SEC_PIXELS * c);
        memcpy(sec, r->p, (size_t)SEC_PIXELS * c);
        r->p += (size_t)SEC_PIXELS * c;
        break;
    }
    put_section(g, d->img, sx, sy, sec);
    return DIR_OK;
}

/* Sub filter: f[x] = p[x] - p[x+1]; undone from the right end of each row. */
static void unfilter_sub(const geometry *g, uint8_t *img)
{
    unsigned c = g->channels;
    if (g->width < 2) return;
    for (uint32_t y = 0; y < g->height; y++) {
        uint8_t *row = img + (size_t)y * g->stride;
        for (size_t i = (size_t)(g->width - 1) * c; i-- > 0;)
            row[i] = (uint8_t)(row[i] + row[i + c]);
    }
}

static void apply_sub(const geometry *g, const uint8_t *src, size_t src_stride, uint8_t *dst)
{
    unsigned c = g->channels;
    for (uint32_t y = 0; y < g->height; y++) {
        const uint8_t *s = src + (size_t)y * src_stride;
        uint8_t *o = dst + (size_t)y * g->stride;
        size_t last = (size_t)(g->width - 1) * c;
        for (size_t i = 0; i < last; i++)
            o[i] = (uint8_t)(s[i] - s[i + c]);
        memcpy(o + last, s + last, c);
    }
}

/* Decompresses the streams into *out (malloc).  In the ordered layout, when
 * the declared streams are much larger than the image, the code stream alone is
 * decompressed first (streaming, into a buffer of its size) and the other
 * sizes are checked against it before the whole frame is decompressed in one
 * call into a buffer of the declared total (decoding the start of the frame
 * twice costs less than streaming all of it).  The interleaved layout has
 * only stream 0, bounded by the probe. */
static dir_error unpack_zstd(const dir_info *info, const uint8_t *frame, uint64_t sections,
                             uint8_t **out, dir_diag *diag)
{
    uint64_t total = 0;
    for (int k = 0; k < DIR_STREAMS; k++)
        total += info->stream_size[k];
    dir_error err = DIR_OK;
    uint8_t *buf = NULL;
    *out = NULL;
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc) return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    /* Streams up to 1.25 times the image (raw sections and their codes
     * take a little more than the image) are decompressed in one call and
     * then checked; larger ones are checked against the code stream first. */
    int ordered = info->layout == DIR_LAYOUT_ORDERED;
    uint64_t image = dir_decoded_size(info);
    int check_first = ordered && total > image + image / 4;
    if (check_first) {
        size_t first = info->stream_size[0];
        /* A single-segment frame's window is its whole content, which the
         * streaming decoder reserves (address space; it touches only what
         * it writes): allow any window the format of zstd allows. */
        ZSTD_bounds wl = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
        if (!ZSTD_isError(wl.error)) ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, wl.upperBound);
        buf = malloc(first ? first : 1);
        if (!buf) {
            err = fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
            goto done;
        }
        ZSTD_inBuffer in = {frame, info->packed_size, 0};
        ZSTD_outBuffer ob = {buf, first, 0};
        size_t r = 1;
        while (ob.pos < ob.size && r != 0) {
            size_t in_at = in.pos, out_at = ob.pos;
            r = ZSTD_decompressStream(dc, &ob, &in);
            if (ZSTD_isError(r)) {
                err =
                    fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1, "zstd: %s", ZSTD_getErrorName(r));
                goto done;
            }
            if (in.pos == in_at && ob.pos == out_at) break; /* frame cut short */
        }
        if (ob.pos != first) {
            err = fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1,
                       "zstd: the frame ends inside the code stream (%zu of %zu bytes)", ob.pos,
                       first);
            goto done;
        }
        err = check_stream_sizes(info, buf, sections, (uint64_t)-1, diag);
        if (err) goto done;
        free(buf);
        /* release the streaming buffers before the one-call pass */
        ZSTD_freeDCtx(dc);
        buf = NULL;
        dc = ZSTD_createDCtx();
        if (!dc) {
            err = fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
            goto done;
        }
    }
    buf = malloc(total ? (size_t)total : 1);
    if (!buf) {
        err = fail(diag, DIR_ENOMEM, 0, -1, "out of memory for %llu stream bytes",
                   (unsigned long long)total);
        goto done;
    }
    size_t got = ZSTD_decompressDCtx(dc, buf, (size_t)total, frame, info->packed_size);
    if (ZSTD_isError(got) || got != total)
        err = fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1, "zstd: %s",
                   ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short frame");
    else if (ordered && !check_first)
        err = check_stream_sizes(info, buf, sections, (uint64_t)-1, diag);
done:
    ZSTD_freeDCtx(dc);
    if (err)
        free(buf);
    else
        *out = buf;
    return err;
}

/* CRC-32 of samples as the format defines it: 8-bit samples as they are,
 * 16-bit ones as little-endian byte pairs (`n` bytes, native-endian
 * uint16_t in memory). */
static uint32_t samples_crc(uint32_t crc, const void *samples, size_t n, unsigned depth)
{
    const uint16_t one = 1;
    if (depth != 16 || *(const uint8_t *)&one == 1) return dir_crc32(crc, samples, n);
    const uint16_t *s = samples;
    uint8_t buf[4096];
    for (size_t i = 0; i < n / 2;) {
        size_t k = 0;
        for (; k < sizeof buf && i < n / 2; k += 2, i++) {
            buf[k] = (uint8_t)s[i];
            buf[k + 1] = (uint8_t)(s[i] >> 8);
        }
        crc = dir_crc32(crc, buf, k);
    }
    return crc;
}

dir_error dir_describe(const void *data, size_t size, const dir_limits *lim, dir_payload_info *pi,
                       dir_diag *diag)
{
    dir_info info;
    if (!pi) return fail(diag, DIR_EINVAL, -1, -1, "NULL argument");
    dir_error err = dir_probe(data, size, lim, &info, diag);
    if (err) return err;
    if (info.version != 2)
        return fail(diag, DIR_EVERSION, 8, -1,
                    "version %u: dir_describe() reads version 2 (dir_decode()'s statistics "
                    "describe version 1)",
                    info.version);
    uint64_t at = DIR2_HEADER_SIZE + (uint64_t)info.chunks_size;
    err = dir2_describe_payload((const uint8_t *)data + at, (size_t)info.payload_size, info.width,
                                info.height, info.channels, info.depth, pi, diag);
    if (err && diag && diag->offset != (uint64_t)-1) diag->offset += at;
    return err;
}

/* Decodes the payload of a probed version-2 file and checks the CRC. */
static dir_error decode_v2(const uint8_t *data, size_t size, const dir_info *info,
                           const dir_limits *lim, void *pixels, dir_stats *stats, dir_diag *diag)
{
    size_t n = dir_decoded_size(info);
    uint64_t at = DIR2_HEADER_SIZE + (uint64_t)info->chunks_size;
    if (info->depth == 16 && ((uintptr_t)pixels & 1))
        return fail(diag, DIR_EINVAL, 0, -1, "16-bit samples need a 2-byte aligned buffer");
    dir_limits elim;
    effective_limits(lim, &elim);
    dir_error err =
        dir2_decode_payload(data + at, (size_t)info->payload_size, info->width, info->height,
                            info->channels, info->depth, &elim, pixels, n, diag);
    if (err) {
        /* the payload reports offsets from its start */
        if (diag && diag->offset != (uint64_t)-1) diag->offset += at;
        if (diag) diag->error = err;
        return err;
    }
    uint32_t crc = samples_crc(0, pixels, n, info->depth);
    if (crc != info->crc)
        return fail(diag, DIR_ECRC, V2_CRC_AT, -1, "CRC mismatch: header %08x, pixels %08x",
                    info->crc, crc);
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->file_bytes = size;
    }
    return DIR_OK;
}

dir_error dir_decode(const void *data, size_t size, const dir_limits *lim, void *pixels,
                     size_t pixels_size, dir_info *info_out, dir_stats *stats, dir_diag *diag)
{
    dir_info info;
    dir_error err = dir_probe(data, size, lim, &info, diag);
    if (err) return err;
    if (!pixels || pixels_size < dir_decoded_size(&info))
        return fail(diag, DIR_EBUFFER, 0, -1, "output buffer of %zu bytes, %zu needed", pixels_size,
                    dir_decoded_size(&info));
    if (info.version == 2) {
        err = decode_v2(data, size, &info, lim, pixels, stats, diag);
        if (!err && info_out) *info_out = info;
        return err;
    }

    decoder d;
    memset(&d, 0, sizeof d);
    geometry_init(&d.g, info.width, info.height, info.channels);
    d.img = pixels;
    d.diag = diag;
    d.interleaved = info.layout == DIR_LAYOUT_INTERLEAVED;

    const uint8_t *body = (const uint8_t *)data + DIR_HEADER_SIZE;
    uint8_t *unpacked = NULL;
    uint64_t total = 0, file_offset = DIR_HEADER_SIZE;
    for (int k = 0; k < DIR_STREAMS; k++)
        total += info.stream_size[k];
    if (info.backend == DIR_BACKEND_ZSTD) {
        unsigned long long content = ZSTD_getFrameContentSize(body, info.packed_size);
        if (content == ZSTD_CONTENTSIZE_ERROR)
            return fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1,
                        "the data at byte %d is not a zstd frame", DIR_HEADER_SIZE);
        if (content == ZSTD_CONTENTSIZE_UNKNOWN) /* a streaming compressor's frame */
            return fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1,
                        "the zstd frame declares no content size; the header declares %llu",
                        (unsigned long long)total);
        if (content != total)
            return fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1,
                        "zstd frame holds %llu bytes, the header declares %llu", content,
                        (unsigned long long)total);
        size_t fsize = ZSTD_findFrameCompressedSize(body, info.packed_size);
        if (ZSTD_isError(fsize) || fsize != info.packed_size)
            return fail(diag, DIR_EBACKEND, DIR_HEADER_SIZE, -1,
                        "zstd frame size does not match the declared %u bytes", info.packed_size);
        err = unpack_zstd(&info, body, d.g.sections, &unpacked, diag);
        if (err) return err;
        body = unpacked;
        file_offset = (uint64_t)-1;
    } else if (!d.interleaved) {
        err = check_stream_sizes(&info, body, d.g.sections, DIR_HEADER_SIZE, diag);
        if (err) return err;
    }
    const uint8_t *p = body;
    for (int k = 0; k < DIR_STREAMS; k++) {
        d.rd[k].base = d.rd[k].p = p;
        d.rd[k].end = p + info.stream_size[k];
        d.rd[k].stream = k;
        d.rd[k].file_offset = file_offset; /* (uint64_t)-1: a decompressed stream */
        p += info.stream_size[k];
        if (file_offset != (uint64_t)-1) file_offset += info.stream_size[k];
    }

    uint64_t counts[CODE_COUNT] = {0};
    for (uint32_t sy = 0; sy < d.g.rows && !err; sy++) {
        for (uint32_t sx = 0; sx < d.g.cols; sx++) {
            const uint8_t *code_at = d.rd[0].p;
            err = decode_section(&d, sx, sy);
            if (err) break;
            counts[*code_at]++;
            d.section++;
        }
    }
    for (int k = 0; k < DIR_STREAMS && !err; k++) {
        if (d.rd[k].p != d.rd[k].end)
            err = fail(diag, DIR_ESTREAM, reader_pos(&d.rd[k]), -1,
                       "stream %d has %zu unused bytes after the last section", k,
                       (size_t)(d.rd[k].end - d.rd[k].p));
    }
    free(unpacked);
    if (err) return err;

    if (info.filter == DIR_FILTER_SUB) unfilter_sub(&d.g, d.img);
    uint32_t crc = dir_crc32(0, d.img, dir_decoded_size(&info));
    if (crc != info.crc)
        return fail(diag, DIR_ECRC, 24, -1, "CRC mismatch: header %08x, pixels %08x", info.crc,
                    crc);
    if (info_out) *info_out = info;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->sections = d.g.sections;
        memcpy(stats->code_count, counts, sizeof counts);
        for (int k = 0; k < DIR_STREAMS; k++)
            stats->stream_bytes[k] = info.stream_size[k];
        stats->file_bytes = size;
    }
    return DIR_OK;
}

dir_error dir_decode_alloc(const void *data, size_t size, const dir_limits *lim, void **pixels,
                           dir_info *info, dir_stats *stats, dir_diag *diag)
{
    dir_info in;
    if (!pixels) return fail(diag, DIR_EINVAL, 0, -1, "invalid argument");
    *pixels = NULL;
    dir_error err = dir_probe(data, size, lim, &in, diag);
    if (err) return err;
    size_t n = dir_decoded_size(&in);
    uint8_t *buf = malloc(n);
    if (!buf) return fail(diag, DIR_ENOMEM, 0, -1, "out of memory for %zu bytes", n);
    err = dir_decode(data, size, lim, buf, n, info, stats, diag);
    if (err) {
        free(buf);
        return err;
    }
    *pixels = buf;
    return DIR_OK;
}

/* ---- Encoding ----------------------------------------------------------- */

typedef struct wbuf {
    uint8_t *data;
    size_t len, cap;
} wbuf;

static int wbuf_reserve(wbuf *b, size_t n)
{
    if (b->cap - b->len >= n) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) return -1;
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

/* Colours of one section.  Pixels are packed into uint32_t (channel i in
 * byte i) so that comparing colours is one comparison. */
typedef struct section_scan {
    uint32_t px[SEC_PIXELS];     /* colour of each address */
    uint8_t idx[SEC_PIXELS];     /* colour index of each address */
    uint32_t colour[SEC_PIXELS]; /* colours in order of first address */
    unsigned count[SEC_PIXELS];  /* pixels per colour */
    unsigned ncolours;
    int zero_index; /* index of the zero colour, or -1 */
    /* Open-addressing hash of colour -> index, reset by stamping. */
    uint32_t hkey[512];
    uint32_t hstamp[512];
    uint16_t hval[512];
    uint32_t stamp;
} section_scan;

/* Shapes of sections, by the in-image part: full, right column, bottom row,
 * bottom-right corner. */
enum { REF_FULL, REF_RIGHT, REF_BOTTOM, REF_CORNER, REF_SHAPES };

typedef struct ref_index {
    uint32_t *head; /* hash bucket -> section + 1 (NULL: shape absent) */
    uint32_t *next; /* section -> next section + 1 in its bucket */
    uint32_t *hash;
    unsigned wx, hy; /* the shape's in-image width and height */
} ref_index;

typedef struct encoder {
    geometry g;
    int raw_for_lists;  /* DIR_CODES_ZSTD: write entry-list sections raw */
    const uint8_t *img; /* (filtered) pixels, stride g.stride */
    wbuf w[DIR_STREAMS];
    int interleaved;
    /* Exact-match indexes of full sections, for code 03: one per section
     * shape in the image (REF_FULL; and the right column's, the bottom
     * row's and the corner's, which match the same positions of a full
     * section), so that edge sections find their copies too. */
    ref_index ref[REF_SHAPES];
    size_t ref_mask;
    section_scan scan;
    uint64_t counts[CODE_COUNT];
} encoder;

static uint32_t load_colour(const uint8_t *p, unsigned c)
{
    switch (c) {
    case 1: return p[0];
    case 3: return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    default: return rd32(p);
    }
}

static void store_colour(uint8_t *p, uint32_t v, unsigned c)
{
    for (unsigned i = 0; i < c; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static unsigned entry_cost(unsigned n, unsigned c)
{
    return c + 1 + (n <= LIST_MAX ? n : n <= BITMAP_MAX ? BITMAP_BYTES : SEC_PIXELS - n);
}

/* Counts the colours of scan->px. */
static void count_colours(section_scan *s)
{
    s->ncolours = 0;
    s->zero_index = -1;
    if (++s->stamp == 0) {
        memset(s->hstamp, 0, sizeof s->hstamp);
        s->stamp = 1;
    }
    uint32_t last = ~s->px[0];
    unsigned last_idx = 0;
    for (unsigned a = 0; a < SEC_PIXELS; a++) {
        uint32_t v = s->px[a];
        if (v != last) {
            uint32_t h = (v * 0x9e3779b1u) >> 23;
            while (s->hstamp[h] == s->stamp && s->hkey[h] != v)
                h = (h + 1) & 511;
            if (s->hstamp[h] != s->stamp) {
                s->hstamp[h] = s->stamp;
                s->hkey[h] = v;
                s->hval[h] = (uint16_t)s->ncolours;
                s->colour[s->ncolours] = v;
                s->count[s->ncolours] = 0;
                if (v == 0) s->zero_index = (int)s->ncolours;
                s->ncolours++;
            }
            last = v;
            last_idx = s->hval[h];
        }
        s->idx[a] = (uint8_t)last_idx;
        s->count[last_idx]++;
    }
}

/* Gathers a section into scan->px in address order. */
static void gather(encoder *e, uint32_t sx, uint32_t sy, unsigned wx, unsigned hy)
{
    const geometry *g = &e->g;
    section_scan *s = &e->scan;
    unsigned c = g->channels;
    uint32_t x0 = sx * DIR_SECTION, y0 = sy * DIR_SECTION;
    for (unsigned y = 0; y < hy; y++) {
        const uint8_t *row = e->img + (size_t)(y0 + y) * g->stride + (size_t)x0 * c;
        for (unsigned x = 0; x < wx; x++)
            s->px[x * 16 + y] = load_colour(row + x * c, c);
    }
}

/* Positions of an edge section outside the image are don't-care: they take
 * the section's most frequent in-image colour, which adds no colour and keeps
 * the large counts large.  Returns with the colours counted. */
static void fill_outside(section_scan *s, unsigned wx, unsigned hy)
{
    unsigned filled = 256 - wx * hy;
    for (unsigned x = 0; x < 16; x++)
        for (unsigned y = 0; y < 16; y++)
            if (x >= wx || y >= hy) s->px[x * 16 + y] = s->px[0];
    count_colours(s);
    unsigned best = 0, best_n = s->count[0] - filled; /* address 0 has colour 0 */
    for (unsigned i = 1; i < s->ncolours; i++)
        if (s->count[i] > best_n) {
            best_n = s->count[i];
            best = i;
        }
    if (best == 0) return;
    uint32_t v = s->colour[best];
    for (unsigned x = 0; x < 16; x++)
        for (unsigned y = 0; y < 16; y++)
            if (x >= wx || y >= hy) s->px[x * 16 + y] = v;
    count_colours(s);
}

/* FNV-1a over the wx x hy top-left part of a section (px in address order) */
static uint32_t region_hash(const uint32_t *px, unsigned wx, unsigned hy)
{
    uint32_t h = 2166136261u;
    for (unsigned x = 0; x < wx; x++)
        for (unsigned y = 0; y < hy; y++)
            h = (h ^ px[x * 16 + y]) * 16777619u;
    return h;
}

/* Are the wx x hy top-left parts of sections a and b equal? */
static int same_region(const encoder *e, uint64_t a, uint64_t b, unsigned wx, unsigned hy)
{
    const geometry *g = &e->g;
    size_t secbytes = (size_t)DIR_SECTION * g->channels, rowbytes = (size_t)wx * g->channels;
    uint32_t ax = (uint32_t)(a % g->cols), ay = (uint32_t)(a / g->cols);
    uint32_t bx = (uint32_t)(b % g->cols), by = (uint32_t)(b / g->cols);
    for (unsigned y = 0; y < hy; y++)
        if (memcmp(e->img + (size_t)(ay * 16 + y) * g->stride + ax * secbytes,
                   e->img + (size_t)(by * 16 + y) * g->stride + bx * secbytes, rowbytes))
            return 0;
    return 1;
}

/* Output of one section: a writer per field (all the same buffer in the
 * interleaved layout).  Space is reserved before a section is written. */
typedef struct sink {
    wbuf *w[FIELDS];
} sink;

static void put_byte(wbuf *w, uint8_t v)
{
    w->data[w->len++] = v;
}

static void put_colour(wbuf *w, uint32_t v, unsigned c)
{
    store_colour(w->data + w->len, v, c);
    w->len += c;
}

static void put_bitmap(wbuf *w, const section_scan *s, unsigned ci)
{
    uint8_t *o = w->data + w->len;
    memset(o, 0, BITMAP_BYTES);
    for (unsigned a = 0; a < SEC_PIXELS; a++)
        if (s->idx[a] == ci) o[a >> 3] |= (uint8_t)(1u << (a & 7));
    w->len += BITMAP_BYTES;
}

/* Writes one entry (colour, count, positions) for colour index ci, with the
 * colour written as `value` (differs from the colour under elimination). */
static void put_entry(const section_scan *s, const sink *o, unsigned ci, uint32_t value, unsigned c)
{
    unsigned n = s->count[ci];
    put_colour(o->w[F_COLOUR], value, c);
    put_byte(o->w[F_COUNT], (uint8_t)n);
    if (n <= LIST_MAX) {
        for (unsigned a = 0, k = 0; k < n; a++)
            if (s->idx[a] == ci) {
                put_byte(o->w[F_ADDR], (uint8_t)a);
                k++;
            }
    } else if (n <= BITMAP_MAX) {
        put_bitmap(o->w[F_BITMAP], s, ci);
    } else {
        for (unsigned a = 0; a < SEC_PIXELS; a++)
            if (s->idx[a] != ci) put_byte(o->w[F_ADDR], (uint8_t)a);
    }
}

static dir_error encode_section(encoder *e, uint32_t sx, uint32_t sy, uint64_t sec)
{
    const geometry *g = &e->g;
    section_scan *s = &e->scan;
    unsigned c = g->channels;
    unsigned wx = g->width - sx * DIR_SECTION < 16 ? g->width - sx * DIR_SECTION : 16;
    unsigned hy = g->height - sy * DIR_SECTION < 16 ? g->height - sy * DIR_SECTION : 16;
    int full = wx == 16 && hy == 16;
    gather(e, sx, sy, wx, hy);
    if (full)
        count_colours(s);
    else
        fill_outside(s, wx, hy);

    /* Candidate costs; the smallest wins, earlier codes on ties. */
    unsigned best_code = CODE_RAW;
    size_t best = (size_t)SEC_PIXELS * c;
    uint64_t ref_target = 0;
    unsigned xor_colour = 0;

    if (s->ncolours == 1) {
        best_code = s->colour[0] == 0 ? CODE_ZERO : CODE_SOLID;
        best = best_code == CODE_ZERO ? 0 : c;
    } else if (s->ncolours == 2) {
        unsigned minor = s->count[0] < s->count[1] ? 0 : 1;
        if (s->count[minor] == 1) {
            best_code = CODE_SINGLE;
            best = 2 * (size_t)c + 1;
        } else {
            best_code = CODE_TWO;
            best = 2 * (size_t)c + BITMAP_BYTES;
        }
    }
    /* Code 03: only full sections are referenced.  A section that costs
     * more than one byte looks for the nearest earlier full section whose
     * part at its in-image positions is equal, in the index of its shape;
     * every full section is registered, newest first, in the index of each
     * shape the image has. */
    if (best > 1) {
        int k = full                 ? REF_FULL
                : wx < 16 && hy < 16 ? REF_CORNER
                : wx < 16            ? REF_RIGHT
                                     : REF_BOTTOM;
        const ref_index *ri = &e->ref[k];
        uint32_t h = region_hash(s->px, wx, hy);
        for (uint32_t t = ri->head ? ri->head[h & e->ref_mask] : 0; t; t = ri->next[t - 1]) {
            if (ri->hash[t - 1] == h && same_region(e, t - 1, sec, wx, hy)) {
                size_t cost = leb_size(sec - (t - 1));
                if (cost < best) {
                    best = cost;
                    best_code = CODE_REF;
                    ref_target = t - 1;
                }
                break;
            }
        }
        for (k = REF_FULL; full && k < REF_SHAPES; k++) {
            ref_index *r = &e->ref[k];
            if (!r->head) continue;
            uint32_t hk = k == REF_FULL ? h : region_hash(s->px, r->wx, r->hy);
            size_t b = hk & e->ref_mask;
            r->hash[sec] = hk;
            r->next[sec] = r->head[b];
            r->head[b] = (uint32_t)sec + 1;
        }
    }
    if (s->ncolours >= 2 && best > 1) {
        size_t sum = 0;
        unsigned top = 0, top_cost = 0;
        for (unsigned i = 0; i < s->ncolours; i++) {
            unsigned ec = entry_cost(s->count[i], c);
            sum += ec;
            if (s->colour[i] != 0 && ec > top_cost) {
                top_cost = ec;
                top = i;
            }
        }
        size_t c05 =
            s->zero_index >= 0 ? sum - entry_cost(s->count[s->zero_index], c) + c : (size_t)-1;
        size_t c06 = s->zero_index < 0 ? sum : (size_t)-1;
        size_t c04 = (size_t)c + sum - top_cost + c;
        if (c06 < best) {
            best = c06;
            best_code = CODE_FLIST;
        }
        if (c05 < best) {
            best = c05;
            best_code = CODE_ZLIST;
        }
        if (c04 < best) {
            best = c04;
            best_code = CODE_XOR;
            xor_colour = top;
        }
    }

    if (e->raw_for_lists &&
        (best_code == CODE_XOR || best_code == CODE_ZLIST || best_code == CODE_FLIST)) {
        best_code = CODE_RAW;
        best = (size_t)SEC_PIXELS * c;
    }
    wbuf *cw = &e->w[0];
    sink o;
    if (wbuf_reserve(cw, 1 + best + 8)) return DIR_ENOMEM;
    for (unsigned k = 0; k < FIELDS; k++) {
        o.w[k] = e->interleaved ? cw : &e->w[stream_of[best_code][k]];
        if (!e->interleaved && stream_of[best_code][k] && wbuf_reserve(o.w[k], best + 8))
            return DIR_ENOMEM;
    }
    put_byte(cw, (uint8_t)best_code);
    switch (best_code) {
    case CODE_ZERO: break;
    case CODE_SOLID: put_colour(o.w[F_COLOUR], s->colour[0], c); break;
    case CODE_SINGLE: {
        unsigned minor = s->count[0] < s->count[1] ? 0 : 1;
        put_colour(o.w[F_COLOUR], s->colour[1 - minor], c);
        put_colour(o.w[F_COLOUR], s->colour[minor], c);
        for (unsigned a = 0; a < SEC_PIXELS; a++)
            if (s->idx[a] == minor) put_byte(o.w[F_ADDR], (uint8_t)a);
        break;
    }
    case CODE_TWO:
        put_colour(o.w[F_COLOUR], s->colour[0], c);
        put_colour(o.w[F_COLOUR], s->colour[1], c);
        put_bitmap(o.w[F_BITMAP], s, 1);
        break;
    case CODE_REF: {
        uint64_t dist = sec - ref_target;
        while (dist >= 0x80) {
            put_byte(o.w[F_COUNT], (uint8_t)(dist | 0x80));
            dist >>= 7;
        }
        put_byte(o.w[F_COUNT], (uint8_t)dist);
        break;
    }
    case CODE_XOR: {
        uint32_t ev = s->colour[xor_colour];
        put_colour(o.w[F_COLOUR], ev, c);
        for (unsigned i = 0; i < s->ncolours; i++)
            if (i != xor_colour) put_entry(s, &o, i, s->colour[i] ^ ev, c);
        put_colour(o.w[F_COLOUR], 0, c);
        break;
    }
    case CODE_ZLIST:
    case CODE_FLIST:
        for (unsigned i = 0; i < s->ncolours; i++)
            if ((int)i != s->zero_index) put_entry(s, &o, i, s->colour[i], c);
        if (best_code == CODE_ZLIST) put_colour(o.w[F_COLOUR], 0, c);
        break;
    case CODE_RAW:
        for (unsigned a = 0; a < SEC_PIXELS; a++)
            put_colour(o.w[F_COLOUR], s->px[a], c);
        break;
    }
    e->counts[best_code]++;
    return DIR_OK;
}

void dir_encode_options_default(dir_encode_options *opt)
{
    opt->filter = DIR_FILTER_AUTO;
    opt->layout = DIR_LAYOUT_ORDERED;
    opt->backend = DIR_BACKEND_ZSTD;
    opt->level = DIR_DEFAULT_LEVEL;
    opt->codes = DIR_CODES_AUTO;
    opt->search = DIR_SEARCH_ESTIMATE;
    opt->progress = NULL;
    opt->progress_user = NULL;
    opt->format_version = 0;
    opt->threads = 0;
}

/* The caller's progress callback, mapped onto one phase [base, base + span]
 * of the whole encode. */
typedef struct progress {
    dir_progress_fn fn;
    void *user;
    double base, span;
} progress;

/* Reports fraction f of the current phase; returns nonzero to stop. */
static int progress_report(const progress *p, double f)
{
    return p && p->fn && p->fn(p->user, p->base + p->span * f) != 0;
}

static void encoder_free(encoder *e)
{
    if (!e) return;
    for (int k = 0; k < DIR_STREAMS; k++)
        free(e->w[k].data);
    for (int k = 0; k < REF_SHAPES; k++) {
        free(e->ref[k].head);
        free(e->ref[k].next);
        free(e->ref[k].hash);
    }
    free(e);
}

/* Codes every section of `img` (already filtered) into the streams. */
static dir_error build_streams(const geometry *g, const uint8_t *img, int interleaved,
                               int raw_for_lists, const progress *prog, encoder **out,
                               dir_diag *diag)
{
    encoder *e = calloc(1, sizeof *e);
    *out = NULL;
    if (!e) return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    e->g = *g;
    e->img = img;
    e->interleaved = interleaved;
    e->raw_for_lists = raw_for_lists;
    size_t buckets = 1;
    while (buckets < g->sections)
        buckets <<= 1;
    e->ref_mask = buckets - 1;
    unsigned rx = g->width % DIR_SECTION, ry = g->height % DIR_SECTION;
    const unsigned shape_w[REF_SHAPES] = {16, rx, 16, rx}, shape_h[REF_SHAPES] = {16, 16, ry, ry};
    int ok = 1;
    for (int k = 0; k < REF_SHAPES; k++) {
        ref_index *r = &e->ref[k];
        r->wx = shape_w[k];
        r->hy = shape_h[k];
        /* a shape is indexed when the image has such sections and full
         * ones to refer to */
        if (!r->wx || !r->hy || g->width < DIR_SECTION || g->height < DIR_SECTION) continue;
        r->head = calloc(buckets, sizeof *r->head);
        r->next = calloc((size_t)g->sections, sizeof *r->next);
        r->hash = calloc((size_t)g->sections, sizeof *r->hash);
        if (!r->head || !r->next || !r->hash) ok = 0;
    }
    if (!ok || wbuf_reserve(&e->w[0], g->sections)) {
        encoder_free(e);
        return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    }
    uint64_t sec = 0, total = 0;
    for (uint32_t sy = 0; sy < g->rows; sy++) {
        for (uint32_t sx = 0; sx < g->cols; sx++, sec++)
            if (encode_section(e, sx, sy, sec)) {
                encoder_free(e);
                return fail(diag, DIR_ENOMEM, 0, sec, "out of memory");
            }
        if (progress_report(prog, (double)(sy + 1) / g->rows)) {
            encoder_free(e);
            return fail(diag, DIR_ECANCELLED, 0, -1, "encoding cancelled");
        }
    }
    for (int k = 0; k < DIR_STREAMS; k++)
        total += e->w[k].len;
    if (total > UINT32_MAX) {
        encoder_free(e);
        return fail(diag, DIR_ELIMIT, 0, -1, "encoded streams exceed 4 GiB");
    }
    *out = e;
    return DIR_OK;
}

static size_t streams_total(const encoder *e)
{
    size_t total = 0;
    for (int k = 0; k < DIR_STREAMS; k++)
        total += e->w[k].len;
    return total;
}

/* The streams back to back, in a malloc()ed buffer. */
static uint8_t *streams_concat(const encoder *e, size_t *total)
{
    *total = streams_total(e);
    uint8_t *cat = malloc(*total ? *total : 1);
    if (!cat) return NULL;
    size_t at = 0;
    for (int k = 0; k < DIR_STREAMS; k++) {
        if (e->w[k].len) memcpy(cat + at, e->w[k].data, e->w[k].len);
        at += e->w[k].len;
    }
    return cat;
}

/* Compresses `src` as one zstd frame with its content size; returns the
 * frame size, or 0 on error. */
/* Compresses src into dst (cap >= ZSTD_compressBound(n)) as one frame;
 * returns its size, or 0 on failure.  With a progress callback the input is
 * fed in 1 MiB steps, reporting after each (*cancelled set when asked to
 * stop); without one, in one call. */
#define ZSTD_STEP ((size_t)1 << 20)
static size_t zstd_pack(uint8_t *dst, size_t cap, const uint8_t *src, size_t n, int level,
                        const progress *prog, int *cancelled)
{
    ZSTD_CCtx *zc = ZSTD_createCCtx();
    if (!zc) return 0;
    size_t r;
    if (!prog || !prog->fn) {
        r = ZSTD_compressCCtx(zc, dst, cap, src, n, level);
        ZSTD_freeCCtx(zc);
        return ZSTD_isError(r) ? 0 : r;
    }
    ZSTD_outBuffer ob = {dst, cap, 0};
    r = ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setPledgedSrcSize(zc, n);
    for (size_t pos = 0; !ZSTD_isError(r);) {
        size_t step = n - pos < ZSTD_STEP ? n - pos : ZSTD_STEP;
        ZSTD_inBuffer in = {src + pos, step, 0};
        ZSTD_EndDirective end = pos + step == n ? ZSTD_e_end : ZSTD_e_continue;
        do
            r = ZSTD_compressStream2(zc, &ob, &in, end);
        while (!ZSTD_isError(r) && (in.pos < in.size || (end == ZSTD_e_end && r != 0)));
        pos += step;
        if (ZSTD_isError(r) || end == ZSTD_e_end) break;
        if (progress_report(prog, (double)pos / n)) {
            *cancelled = 1;
            r = (size_t)-1;
            break;
        }
    }
    ZSTD_freeCCtx(zc);
    return ZSTD_isError(r) ? 0 : ob.pos;
}

/* Size of the file the streams would make with the zstd back end at
 * `level`, for choosing a filter; SIZE_MAX on error. */
static size_t zstd_trial(const encoder *e, int level)
{
    size_t total, cap, r;
    uint8_t *cat = streams_concat(e, &total);
    uint8_t *tmp = cat ? malloc(cap = ZSTD_compressBound(total)) : NULL;
    int cancelled = 0;
    r = tmp ? zstd_pack(tmp, cap, cat, total, level, NULL, &cancelled) : 0;
    free(cat);
    free(tmp);
    return r ? r : SIZE_MAX;
}

/* Writes the header and the (packed) streams. */
static dir_error write_file(const encoder *e, dir_filter filter, uint32_t crc,
                            const dir_encode_options *opt, const progress *prog, void **out,
                            size_t *out_size, dir_stats *stats, dir_diag *diag)
{
    const geometry *g = &e->g;
    size_t total, data_len;
    uint8_t *cat = streams_concat(e, &total);
    if (!cat) return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    size_t data_cap = opt->backend == DIR_BACKEND_ZSTD ? ZSTD_compressBound(total) : total;
    uint8_t *file = malloc(DIR_HEADER_SIZE + data_cap);
    if (!file) {
        free(cat);
        return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    }
    uint8_t *h = file;
    memcpy(h, dir_magic, 8);
    h[8] = 1; /* version 1 */
    h[9] = (uint8_t)g->channels;
    h[10] = (uint8_t)filter;
    h[11] = (uint8_t)opt->layout;
    h[12] = (uint8_t)opt->backend;
    h[13] = h[14] = h[15] = 0;
    wr32(h + 16, g->width);
    wr32(h + 20, g->height);
    wr32(h + 24, crc);
    for (int k = 0; k < DIR_STREAMS; k++)
        wr32(h + SIZES_AT + 4 * k, (uint32_t)e->w[k].len);
    if (opt->backend == DIR_BACKEND_ZSTD) {
        int cancelled = 0;
        data_len =
            zstd_pack(file + DIR_HEADER_SIZE, data_cap, cat, total, opt->level, prog, &cancelled);
        if (data_len == 0 || data_len > UINT32_MAX) {
            free(cat);
            free(file);
            if (cancelled) return fail(diag, DIR_ECANCELLED, 0, -1, "encoding cancelled");
            return fail(diag, DIR_EBACKEND, 0, -1, "zstd compression failed");
        }
        wr32(h + PACKED_AT, (uint32_t)data_len);
    } else {
        if (total) memcpy(file + DIR_HEADER_SIZE, cat, total);
        data_len = total;
        wr32(h + PACKED_AT, 0);
    }
    free(cat);
    *out = file;
    *out_size = DIR_HEADER_SIZE + data_len;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->sections = g->sections;
        memcpy(stats->code_count, e->counts, sizeof e->counts);
        for (int k = 0; k < DIR_STREAMS; k++)
            stats->stream_bytes[k] = e->w[k].len;
        stats->file_bytes = *out_size;
    }
    return DIR_OK;
}

/* zstd level used to compare the two filters of `auto` before the final
 * compression: fast, and it ranks the filters as the final level does. */
#define AUTO_TRIAL_LEVEL 3

/* Version 1: the section coder, with arguments and options validated by
 * dir_encode_image(). */
static dir_error encode_v1(const void *pixels, uint32_t width, uint32_t height, unsigned channels,
                           size_t stride, const dir_encode_options *opt_in, void **out,
                           size_t *out_size, dir_stats *stats, dir_diag *diag)
{
    dir_encode_options opt = *opt_in;
    geometry g;
    geometry_init(&g, width, height, channels);

    /* Packed copy (when strided) for the CRC and the none filter. */
    const uint8_t *src = pixels;
    uint8_t *packed = NULL, *subbed = NULL;
    if (stride != g.stride) {
        packed = malloc(g.stride * height);
        if (!packed) return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
        for (uint32_t y = 0; y < height; y++)
            memcpy(packed + g.stride * y, src + stride * y, g.stride);
        src = packed;
    }
    uint32_t crc = dir_crc32(0, src, g.stride * height);
    int il = opt.layout == DIR_LAYOUT_INTERLEAVED;
    int rawl = opt.codes == DIR_CODES_ZSTD ||
               (opt.codes == DIR_CODES_AUTO && opt.backend == DIR_BACKEND_ZSTD);
    dir_error err = DIR_OK;
    encoder *a = NULL, *b = NULL;
    /* Progress phases: building the streams (each filter tried takes its
     * share), then with zstd the compression, which takes most of the time. */
    int zstd = opt.backend == DIR_BACKEND_ZSTD;
    int builds = opt.filter == DIR_FILTER_AUTO ? 2 : 1;
    double build_share = (zstd ? 0.3 : 1.0) / builds;
    progress prog = {opt.progress, opt.progress_user, 0.0, build_share};
    if (opt.filter != DIR_FILTER_SUB) {
        err = build_streams(&g, src, il, rawl, &prog, &a, diag);
        if (err) goto done;
        prog.base += build_share;
    }
    if (opt.filter != DIR_FILTER_NONE) {
        subbed = malloc(g.stride * height);
        if (!subbed) {
            err = fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
            goto done;
        }
        apply_sub(&g, src, g.stride, subbed);
        err = build_streams(&g, subbed, il, rawl, &prog, &b, diag);
        if (err) goto done;
        prog.base += build_share;
    }
    /* auto: keep the filter whose file is smaller (with zstd, judged at a
     * fast level, then compressed once at the requested level). */
    int use_sub = a == NULL;
    if (a && b) {
        if (opt.backend == DIR_BACKEND_NONE)
            use_sub = streams_total(b) < streams_total(a);
        else
            use_sub = zstd_trial(b, AUTO_TRIAL_LEVEL) < zstd_trial(a, AUTO_TRIAL_LEVEL);
    }
    prog.span = 1.0 - prog.base;
    err = write_file(use_sub ? b : a, use_sub ? DIR_FILTER_SUB : DIR_FILTER_NONE, crc, &opt, &prog,
                     out, out_size, stats, diag);
    if (!err && progress_report(&prog, 1.0)) {
        dir_free(*out);
        *out = NULL;
        *out_size = 0;
        err = fail(diag, DIR_ECANCELLED, 0, -1, "encoding cancelled");
    }
done:
    encoder_free(a);
    encoder_free(b);
    free(packed);
    free(subbed);
    return err;
}

/* ---- Version 2: the container ------------------------------------------ */

/* The chunks a dir_metadata gives: their data and sizes (0: absent). */
typedef struct chunk_set {
    const uint8_t *data[CH_KNOWN];
    size_t size[CH_KNOWN];
    uint8_t phys[8];
    unsigned count;
    uint64_t list_size;
} chunk_set;

/* Validates the caller's metadata and lays it out as chunks. */
static dir_error metadata_chunks(const dir_metadata *meta, chunk_set *cs, dir_diag *diag)
{
    char why[128];
    memset(cs, 0, sizeof *cs);
    if (!meta) return DIR_OK;
    if ((meta->icc_size && !meta->icc) || (meta->exif_size && !meta->exif) ||
        (meta->xmp_size && !meta->xmp))
        return fail(diag, DIR_EINVAL, 0, -1, "metadata: a size without its data");
    if ((meta->density_x == 0) != (meta->density_y == 0))
        return fail(diag, DIR_EINVAL, 0, -1,
                    "metadata: density %u x %u pixels per metre: give both or neither",
                    meta->density_x, meta->density_y);
    cs->data[CH_ICC] = meta->icc;
    cs->size[CH_ICC] = meta->icc_size;
    cs->data[CH_EXIF] = meta->exif;
    cs->size[CH_EXIF] = meta->exif_size;
    cs->data[CH_XMP] = meta->xmp;
    cs->size[CH_XMP] = meta->xmp_size;
    if (meta->comment) {
        cs->data[CH_COMMENT] = (const uint8_t *)meta->comment;
        cs->size[CH_COMMENT] = strlen(meta->comment) + 1; /* the NUL is stored */
    }
    if (meta->density_x) {
        wr32(cs->phys, meta->density_x);
        wr32(cs->phys + 4, meta->density_y);
        cs->data[CH_PHYS] = cs->phys;
        cs->size[CH_PHYS] = 8;
    }
    for (int k = 0; k < CH_KNOWN; k++) {
        if (!cs->size[k]) continue;
        if (cs->size[k] > DIR_MAX_CHUNK_SIZE)
            return fail(diag, DIR_ELIMIT, 0, -1,
                        "metadata: %s of %zu bytes is over the chunk maximum (%u)", chunk_what[k],
                        cs->size[k], DIR_MAX_CHUNK_SIZE);
        const char *bad = chunk_content_error(k, cs->data[k], cs->size[k], why, sizeof why);
        if (bad) return fail(diag, DIR_EINVAL, 0, -1, "metadata: %s", bad);
        cs->count++;
        cs->list_size += DIR_CHUNK_OVERHEAD + cs->size[k];
    }
    if (cs->list_size > DIR_MAX_CHUNKS_SIZE)
        return fail(diag, DIR_ELIMIT, 0, -1,
                    "metadata: %llu bytes of chunks, over the maximum (%u)",
                    (unsigned long long)cs->list_size, DIR_MAX_CHUNKS_SIZE);
    return DIR_OK;
}

static int metadata_empty(const chunk_set *cs)
{
    return cs->count == 0;
}

/* Writes the version-2 file: header, chunks, payload, padding. */
static dir_error write_v2(const dir_pixels *px, const chunk_set *cs, const dir_encode_options *opt,
                          void **out, size_t *out_size, dir_stats *stats, dir_diag *diag)
{
    size_t bps = px->depth == 16 ? 2 : 1;
    size_t row = (size_t)px->width * px->channels * bps;
    uint32_t crc = 0;
    const uint8_t *src = px->data;
    for (uint32_t y = 0; y < px->height; y++)
        crc = samples_crc(crc, src + px->stride * y, row, px->depth);
    if (stats) memset(stats, 0, sizeof *stats);
    uint8_t *payload = NULL;
    size_t psize = 0;
    dir_error err = dir2_encode_payload(px, opt, &payload, &psize, stats, diag);
    if (err) return err;
    if (psize == 0 || psize > v2_payload_max((uint64_t)row * px->height)) {
        free(payload);
        return fail(diag, DIR_EBACKEND, 0, -1, "the payload coder gave %zu bytes", psize);
    }
    uint64_t used = DIR2_HEADER_SIZE + cs->list_size + psize;
    uint64_t total = used < DIR_MIN_FILE_SIZE ? DIR_MIN_FILE_SIZE : used;
    if (total > SIZE_MAX) {
        free(payload);
        return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    }
    uint8_t *f = calloc(1, (size_t)total);
    if (!f) {
        free(payload);
        return fail(diag, DIR_ENOMEM, 0, -1, "out of memory");
    }
    memcpy(f, dir_magic, DIR_MAGIC_SIZE);
    f[8] = 2;
    f[V2_CHANNELS_AT] = (uint8_t)px->channels;
    f[V2_DEPTH_AT] = (uint8_t)px->depth;
    f[V2_RESERVED_AT] = 0;
    wr32(f + V2_WIDTH_AT, px->width);
    wr32(f + V2_HEIGHT_AT, px->height);
    wr32(f + V2_CRC_AT, crc);
    wr32(f + V2_COUNT_AT, cs->count);
    wr32(f + V2_CHUNKS_AT, (uint32_t)cs->list_size);
    wr64(f + V2_PAYLOAD_AT, psize);
    size_t at = DIR2_HEADER_SIZE;
    for (int k = 0; k < CH_KNOWN; k++) {
        size_t n = cs->size[k];
        if (!n) continue;
        memcpy(f + at, chunk_types[k], 4);
        wr32(f + at + 4, (uint32_t)n);
        memcpy(f + at + 8, cs->data[k], n);
        wr32(f + at + 8 + n, dir_crc32(dir_crc32(0, f + at, 4), f + at + 8, n));
        at += DIR_CHUNK_OVERHEAD + n;
    }
    memcpy(f + at, payload, psize);
    free(payload);
    *out = f;
    *out_size = (size_t)total;
    if (stats) stats->file_bytes = total;
    return DIR_OK;
}

dir_error dir_encode_image(const dir_pixels *px_in, const dir_metadata *meta,
                           const dir_encode_options *opt_in, void **out, size_t *out_size,
                           dir_stats *stats, dir_diag *diag)
{
    dir_encode_options opt;
    dir_diag_clear(diag);
    if (!out || !out_size || !px_in || !px_in->data)
        return fail(diag, DIR_EINVAL, 0, -1, "invalid argument");
    *out = NULL;
    *out_size = 0;
    dir_pixels px = *px_in;
    if (opt_in)
        opt = *opt_in;
    else
        dir_encode_options_default(&opt);
    if (px.channels < 1 || px.channels > 4)
        return fail(diag, DIR_EINVAL, 0, -1, "channels %u not supported (1..4)", px.channels);
    if (px.depth != 8 && px.depth != 16)
        return fail(diag, DIR_EINVAL, 0, -1, "depth %u not supported (8 or 16)", px.depth);
    if ((unsigned)opt.filter > DIR_FILTER_AUTO || (unsigned)opt.layout > DIR_LAYOUT_INTERLEAVED ||
        (unsigned)opt.backend > DIR_BACKEND_LZMA || (unsigned)opt.codes > DIR_CODES_ZSTD ||
        opt.format_version > 2)
        return fail(diag, DIR_EINVAL, 0, -1, "invalid encode option");
    if (opt.backend == DIR_BACKEND_ZSTD && (opt.level < 1 || opt.level > ZSTD_maxCLevel()))
        return fail(diag, DIR_EINVAL, 0, -1, "zstd level %d out of range (1..%d)", opt.level,
                    ZSTD_maxCLevel());
    if (px.width == 0 || px.height == 0 || px.width > DIR_MAX_DIM || px.height > DIR_MAX_DIM ||
        (uint64_t)px.width * px.height > DIR_MAX_PIXELS)
        return fail(diag, DIR_ELIMIT, 0, -1, "image %ux%u is outside the format's limits", px.width,
                    px.height);
    size_t row = (size_t)px.width * px.channels * (px.depth / 8);
    if (px.stride == 0) px.stride = row;
    if (px.stride < row) return fail(diag, DIR_EINVAL, 0, -1, "stride smaller than a row");
    if (px.depth == 16 && (((uintptr_t)px.data & 1) || (px.stride & 1)))
        return fail(diag, DIR_EINVAL, 0, -1,
                    "16-bit samples need a 2-byte aligned buffer and an even stride");
    chunk_set cs;
    dir_error err = metadata_chunks(meta, &cs, diag);
    if (err) return err;
    int v1_able = px.depth == 8 && px.channels != 2 && metadata_empty(&cs);
    int pure = opt.backend == DIR_BACKEND_NONE && opt.filter == DIR_FILTER_NONE;
    unsigned version = opt.format_version ? opt.format_version : v1_able && pure ? 1 : 2;
    if (version == 1 && !v1_able)
        return fail(diag, DIR_EINVAL, 0, -1,
                    "version 1 holds only 8-bit grey, RGB and RGBA without metadata");
    if (version == 1 && opt.backend == DIR_BACKEND_LZMA)
        return fail(diag, DIR_EINVAL, 0, -1, "version 1 has no lzma back end");
    if (version == 1)
        return encode_v1(px.data, px.width, px.height, px.channels, px.stride, &opt, out, out_size,
                         stats, diag);
    if (opt.level < 1 || opt.level > ZSTD_maxCLevel()) opt.level = DIR_DEFAULT_LEVEL;
    return write_v2(&px, &cs, &opt, out, out_size, stats, diag);
}

dir_error dir_encode(const void *pixels, uint32_t width, uint32_t height, unsigned channels,
                     size_t stride, const dir_encode_options *opt, void **out, size_t *out_size,
                     dir_stats *stats, dir_diag *diag)
{
    dir_pixels px = {pixels, width, height, channels, 8, stride};
    return dir_encode_image(&px, NULL, opt, out, out_size, stats, diag);
}
