/* SPDX-License-Identifier: MIT */
/* fuzz_json.c -- libFuzzer harness for dirtool's JSON reader (numio_parse_json),
 * with a write-and-read-back check; see fuzz_numio.h. */
#include <stdint.h>

#define PARSE numio_parse_json
#define FORMAT numio_format_json
#define FORMAT_TYPE char
#include "fuzz_numio.h"
