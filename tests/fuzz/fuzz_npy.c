/* SPDX-License-Identifier: MIT */
/* fuzz_npy.c -- libFuzzer harness for dirtool's .npy reader (numio_parse_npy),
 * with a write-and-read-back check; see fuzz_numio.h. */
#include <stdint.h>

#define PARSE numio_parse_npy
#define FORMAT numio_format_npy
#define FORMAT_TYPE uint8_t
#include "fuzz_numio.h"
