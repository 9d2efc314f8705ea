/* SPDX-License-Identifier: MIT */
/* fuzz_npz.c -- libFuzzer harness for dirtool's .npz reader (tio_parse_npz,
 * libzip from memory), with a write-and-read-back check; see fuzz_tio.h. */
#include <stdint.h>

#include "tensorio.h"

#define PARSE(d, n, s, e, el)   tio_parse_npz(d, n, s, e, el)
#define FORMAT(s, o, ol, e, el) tio_format_npz(s, (uint8_t **)(o), ol, e, el)
#include "fuzz_tio.h"
