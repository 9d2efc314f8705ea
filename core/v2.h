/* SPDX-License-Identifier: MIT */
/* v2.h -- internal to core/: the pixel payload of a version-2 file.  The
 * container (header, chunks, CRC, padding: core/dir.c) calls these two
 * functions and nothing else; the payload knows nothing of the container.
 * Not installed, not part of the API.
 *
 * What the container guarantees to the payload:
 *   - encode: px->data is not NULL, channels 1..4, depth 8 or 16, width and
 *     height 1..DIR_MAX_DIM with at most DIR_MAX_PIXELS pixels, stride >=
 *     width * channels * depth / 8 (never 0; 16-bit rows start at even
 *     addresses); opt is not NULL and its fields are in range (filter,
 *     layout, backend, codes; level 1..22).  *stats, when not NULL, is
 *     zeroed; the container sets stats->file_bytes afterwards.
 *   - decode: width, height, channels, depth come from a validated header
 *     within `limits` (never NULL); in_size is the header's payload size,
 *     1 .. 4 * samples_size + 65536; samples_size is exactly
 *     width * height * channels * depth / 8.  The container checks the
 *     CRC-32 of the samples afterwards (ECRC).
 *
 * What the payload must do:
 *   - encode: *out malloc()ed, 1 .. 4 * decoded size + 65536 bytes,
 *     deterministic for given pixels and options; report progress through
 *     opt->progress and return DIR_ECANCELLED when it asks to stop.
 *   - decode: read only in[0 .. in_size), consume it exactly, write only
 *     samples[0 .. samples_size), 16-bit samples native-endian; allocate at
 *     most samples_size bytes beside `samples` (dir_decode_scratch_size);
 *     any malformed payload is an error with diag filled (dir_vfail), never a
 *     crash; diag->offset is relative to the start of the payload (the
 *     container adds the payload's offset in the file).
 */
#ifndef DIR_V2_H
#define DIR_V2_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

/* Encodes the pixels of a version-2 file into a payload (malloc()ed *out). */
dir_error dir2_encode_payload(const dir_pixels *px, const dir_encode_options *opt, uint8_t **out,
                              size_t *out_size, dir_stats *stats, dir_diag *diag);

/* Decodes a payload into samples (layout as dir_decode); bounded by in_size
 * and the limits. */
dir_error dir2_decode_payload(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                              unsigned channels, unsigned depth, const dir_limits *limits,
                              void *samples, size_t samples_size, dir_diag *diag);

#endif
