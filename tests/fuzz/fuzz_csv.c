/* SPDX-License-Identifier: MIT */
/* fuzz_csv.c -- libFuzzer harness for dirtool's CSV reader (numio_parse_csv),
 * with a write-and-read-back check; see fuzz_numio.h. */
#include <stdint.h>

#define PARSE numio_parse_csv
#define FORMAT numio_format_csv
#define FORMAT_TYPE char
#include "fuzz_numio.h"
