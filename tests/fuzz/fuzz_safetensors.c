/* SPDX-License-Identifier: MIT */
/* fuzz_safetensors.c -- libFuzzer harness for dirtool's safetensors reader
 * (tio_parse_safetensors), with a write-and-read-back check; see fuzz_tio.h.
 * The order of tensors follows their data offsets both ways. */
#include <stdint.h>

#include "tensorio.h"

#define PARSE(d, n, s, e, el)   tio_parse_safetensors(d, n, s, e, el)
#define FORMAT(s, o, ol, e, el) tio_format_safetensors(s, (uint8_t **)(o), ol, e, el)
#include "fuzz_tio.h"
