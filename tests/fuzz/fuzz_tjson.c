/* SPDX-License-Identifier: MIT */
/* fuzz_tjson.c -- libFuzzer harness for dirtool's nested-JSON tensor reader
 * (tio_parse_json: shapes, ragged nesting, objects of arrays), with a
 * write-and-read-back check when every value is finite; see fuzz_tio.h. */
#include <stdint.h>

#include "tensorio.h"

#define PARSE(d, n, s, e, el)   tio_parse_json((const char *)(d), n, s, e, el)
#define FORMAT(s, o, ol, e, el) tio_format_json(s, (char **)(o), ol, e, el)
#include "fuzz_tio.h"
