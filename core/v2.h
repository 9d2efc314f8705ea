/* SPDX-License-Identifier: MIT */
/* v2.h -- internal to core/: the pixel payload of a version-2 .dir file
 * (docs/FORMAT.md, "Version 2 payload").  The container (dir.c) writes the
 * header and chunks and calls these two functions for the pixels.  Not
 * installed, not part of the API. */
#ifndef DIR_V2_H
#define DIR_V2_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

/* Encodes the pixels of a version-2 file into a payload (malloc()ed *out). */
dir_error dir2_encode_payload(const dir_pixels *px, const dir_encode_options *opt, uint8_t **out,
                              size_t *out_size, dir_stats *stats, dir_diag *diag);

/* stats (may be NULL): sections; code_count[0] fills, [1] references,
 * [2] section palettes, [3 + p] raw sections with predictor p for p 0..4,
 * [8] those with predictor 5 or 6; stream_bytes[0..5] the raw size of each
 * of the six streams; file_bytes 0 (the container's). */

/* Decodes a payload into samples (layout as dir_decode); bounded by in_size
 * and the limits.  Every stream size is checked against what the section
 * codes allow before it is allocated. */
dir_error dir2_decode_payload(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                              unsigned channels, unsigned depth, const dir_limits *limits,
                              void *samples, size_t samples_size, dir_diag *diag);

/* The layout of a payload (dir_describe): read_layout's checks, no pixels
 * decoded.  The dimensions must be valid and within the limits (probed). */
dir_error dir2_describe_payload(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                                unsigned channels, unsigned depth, dir_payload_info *pi,
                                dir_diag *diag);

/* The most memory dir2_decode_payload allocates beside the caller's samples
 * for an image of these dimensions, whatever the payload (for
 * dir_decode_scratch_size): about 2 x the samples, 0.6 KiB per section, and
 * up to 64 MiB for an lzma dictionary, plus 1 MiB for the decoders. */
uint64_t dir2_decode_scratch_bound(uint32_t width, uint32_t height, unsigned channels,
                                   unsigned depth);

/* ---- What the encoder does: the presets are sets of these ---- */

/* The payload's first byte: the transform (bits 0-1) and flags. */
enum { DIR2_ALPHA_LAST = 0x04 };

/* Stream methods (the payload's stream table). */
enum { DIR2_STORED = 0, DIR2_ZSTD = 1, DIR2_LZMA = 2 };

/* Section codes. */
enum {
    DIR2_FILL = 0x00,    /* one unit */
    DIR2_REF = 0x01,     /* copy of an earlier section */
    DIR2_PALETTE = 0x02, /* 2..16 units, bit-packed indices */
    DIR2_RAW = 0x10,     /* 0x10 + predictor: residuals */
};

/* Predictors of raw sections (code 0x10 + p). */
enum {
    DIR2_PRED_NONE = 0,
    DIR2_PRED_LEFT, /* sub */
    DIR2_PRED_UP,
    DIR2_PRED_AVERAGE,  /* (L + U) >> 1 */
    DIR2_PRED_PAETH,    /* as PNG */
    DIR2_PRED_GRADIENT, /* L + U - UL clamped to 0..255 */
    DIR2_PRED_MED,      /* median edge detector (LOCO-I) */
    DIR2_PRED_COUNT
};

#define DIR2_STREAMS 6

/* The large image palette (transform 3): at most this many colours. */
#define DIR2_PAL16_MAX 65536

typedef struct dir2_params {
    int palette;              /* image palette when <= 256 colours: 0 never, 1 when it applies */
    int pal_order;            /* image palette order: 0 by frequency, 1 by value (luma-like) */
    int pal_predict;          /* 1: predictors (candidate B) on image-palette indices too */
    int pal_level_boost;      /* zstd levels added for an image-palette image */
    int pal_small_boost;      /* instead, for an image palette's residual stream up to 256 KiB */
    int pal_small_level;      /* set by the encoder: that stream's level for this image (0: none) */
    int green;                /* subtract green in candidate B: 0 never, 1 when 8-bit RGB/RGBA */
    int predict;              /* -2 per section by estimate, -1 per row of sections, 0..6 fixed */
    int cost_step;            /* predictor estimate: every n-th row of a section (0, 1: all) */
    int est_span;             /* estimate: units in a repeat (0: 2) */
    int est_match;            /* estimate: bits per repeat (0: 24) */
    int b_bias;               /* candidate B must beat A's estimate by this many 1/64ths */
    int none_bias;            /* estimate: a predictor must beat none by this many 1/64ths */
    int refs;                 /* 1: exact section references */
    int fills;                /* 1: one-unit sections */
    int smallpal_max;         /* 0 off, else sections with 2..max (<= 16) units get a palette */
    int method;               /* DIR2_STORED, DIR2_ZSTD or DIR2_LZMA for the big streams */
    int level;                /* zstd level, or lzma preset 0..9 */
    int workers;              /* zstd workers for streams of 4 MiB and more (0: none) */
    int trials;               /* smallest: try the listed alternatives and keep the smallest */
    int alpha_last;           /* 1: the alpha bytes of the residuals after all the others */
    int pal16;                /* large image palette (257..65536 colours, 8-bit RGB/RGBA):
                                 0 never, 1 where the estimate (or trial) says it pays */
    int pal16_bias;           /* it must beat the other candidates' estimate by this many 1/64ths */
    dir_progress_fn progress; /* from the options: reports 0..1, nonzero stops */
    void *progress_user;
    int zstrategy, zsearch, zchain, ztarget, zwindow; /* 0: the level's */
    int zminmatch; /* 0: 6 (4 for one-byte units) at levels 5-15, else the level's; -1: the level's */
} dir2_params;

/* The parameters the options ask for. */
void dir2_params_from_options(const dir_encode_options *opt, dir2_params *p);

/* The encoder with explicit parameters (experiments, tests). */
dir_error dir2_encode_payload_params(const dir_pixels *px, const dir2_params *p, uint8_t **out,
                                     size_t *out_size, dir_stats *stats, dir_diag *diag);

#endif
