/* SPDX-License-Identifier: MIT */
/* tensorio.h -- dirtool's tensor files: NumPy .npy and .npz (libzip),
 * safetensors (header through json-c), and nested JSON / 2-D CSV with
 * shapes.  Not part of the core library; the core's dira_tensor is the
 * in-memory form (little-endian element bytes, C order).
 *
 *   .npy          one tensor: every float, int and uint width, bool; either
 *                 byte order; C or Fortran order (made C order); any rank
 *                 up to DIRA_MAX_RANK
 *   .npz          a zip of .npy members (np.savez, np.savez_compressed);
 *                 member "w.npy" is tensor "w"
 *   .safetensors  u64 header length, JSON header {name: {dtype, shape,
 *                 data_offsets}, "__metadata__": {str: str}}, data
 *   .json         a (nested) array of numbers: one unnamed tensor whose
 *                 shape is the nesting (ragged nesting is an error), or an
 *                 object of such arrays: named tensors; float64
 *   .csv          one value per line: 1-D; several per line: 2-D (every
 *                 line the same count); float64
 *
 * JSON and CSV carry values and shapes, not dtypes: written from another
 * dtype, each element is its exact double (integers as integers). */
#ifndef DIRTOOL_TENSORIO_H
#define DIRTOOL_TENSORIO_H

#include <stddef.h>
#include <stdint.h>

#include "dir.h"

typedef enum tio_format {
    TIO_UNKNOWN,
    TIO_JSON,
    TIO_CSV,
    TIO_NPY,
    TIO_NPZ,
    TIO_SAFETENSORS
} tio_format;

/* A set of tensors and metadata; every name, key, value and data buffer is
 * malloc()ed on its own and freed by tio_free. */
typedef struct tio_set {
    size_t count;
    dira_tensor *t;
    size_t meta_count;
    dira_meta *meta;
} tio_set;

void tio_free(tio_set *s);

/* Format from a file name's extension, case-insensitive. */
tio_format tio_format_from_name(const char *path);

/* Limits of the readers, checked before allocating: safetensors' header
 * length (its specification's 100 MB), the bytes of one .npz member. */
#define TIO_MAX_ST_HEADER 100000000u

/* Parsers over memory: append to *s (which starts zeroed).  Return 0, or -1
 * with a specific reason in err.  `name` names the .npy tensor. */
int tio_parse_npy(const uint8_t *data, size_t len, const char *name, tio_set *s, char *err,
                  size_t errlen);
int tio_parse_npz(const uint8_t *data, size_t len, tio_set *s, char *err, size_t errlen);
int tio_parse_safetensors(const uint8_t *data, size_t len, tio_set *s, char *err, size_t errlen);
int tio_parse_json(const char *text, size_t len, tio_set *s, char *err, size_t errlen);
int tio_parse_csv(const char *text, size_t len, tio_set *s, char *err, size_t errlen);

/* Writers to a malloc()ed buffer.  .npy and .csv take one tensor (CSV:
 * rank 0 to 2); bfloat16 has no .npy dtype. */
int tio_format_npy(const dira_tensor *t, uint8_t **out, size_t *outlen, char *err, size_t errlen);
int tio_format_npz(const tio_set *s, uint8_t **out, size_t *outlen, char *err, size_t errlen);
int tio_format_safetensors(const tio_set *s, uint8_t **out, size_t *outlen, char *err,
                           size_t errlen);
int tio_format_json(const tio_set *s, char **out, size_t *outlen, char *err, size_t errlen);
int tio_format_csv(const tio_set *s, char **out, size_t *outlen, char *err, size_t errlen);

/* Whole files, format from the extension (standard input: by content);
 * writes are atomic. */
int tio_read(const char *path, tio_set *s, char *err, size_t errlen);
int tio_write(const char *path, const tio_set *s, char *err, size_t errlen);

#endif
