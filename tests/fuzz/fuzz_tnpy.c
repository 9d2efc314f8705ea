/* SPDX-License-Identifier: MIT */
/* fuzz_tnpy.c -- libFuzzer harness for dirtool's tensor .npy reader
 * (tio_parse_npy: every dtype, byte order, Fortran order), with a
 * write-and-read-back check; see fuzz_tio.h. */
#include <stdint.h>

#include "tensorio.h"

static int parse_npy(const uint8_t *d, size_t n, tio_set *s, char *e, size_t el)
{
    return tio_parse_npy(d, n, "", s, e, el);
}

static int format_npy(const tio_set *s, void **o, size_t *ol, char *e, size_t el)
{
    return tio_format_npy(&s->t[0], (uint8_t **)o, ol, e, el);
}

#define PARSE(d, n, s, e, el)   parse_npy(d, n, s, e, el)
#define FORMAT(s, o, ol, e, el) format_npy(s, o, ol, e, el)
#include "fuzz_tio.h"
