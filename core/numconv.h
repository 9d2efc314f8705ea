/* SPDX-License-Identifier: MIT */
/* numconv.h -- internal to core/: exact decimal <-> double conversions
 * (numconv.cpp, a C++ shim over libdouble-conversion and fast_float).
 * Not installed, not part of the API. */
#ifndef DIR_NUMCONV_H
#define DIR_NUMCONV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 10^k for k = 0 .. 19 (numconv.cpp). */
extern const uint64_t dir_pow10[20];

/* Decimal digit count of v (0 for 0): from the bit length, as
 * floor(bits * log10 2) is the count or one less. */
static inline int dir_dec_digits(uint64_t v)
{
    int bits = 64 - __builtin_clzll(v | 1);
    int t = (bits * 1233) >> 12; /* 0..19 */
    return t + (v >= dir_pow10[t]);
}

/* Shortest decimal digits of a finite a > 0 that read back as a (the
 * algorithm of V8's Number.prototype.toString, so the same digits):
 * digits gets 1..17 ASCII digits without trailing zeros, *e10 the decimal
 * exponent of the first one (a = d1.d2d3... x 10^e10).  Returns the count. */
int dir_num_shortest(double a, char *digits, int *e10);

/* The same digits as one integer: a = w x 10^(e10 - k + 1), k (returned)
 * the digit count, w without trailing zeros.  Exact integer arithmetic on
 * the definition (the shortest decimal in a's rounding interval, the
 * nearest of several) for normal a in [1e-11, 2^53), else the library. */
int dir_num_shortest_u64(double a, uint64_t *w, int *e10);

/* The library's own answer (libdouble-conversion, shortest mode), for the
 * tests that compare it with dir_num_shortest_u64. */
int dir_num_shortest_library(double a, uint64_t *w, int *e10);

/* The double nearest to the decimal text s[0..len) (correctly rounded, as
 * strtod in the C locale; digits, an optional '.', an optional exponent).
 * Returns 0 and sets *out, or -1 if the text is not such a number. */
int dir_num_parse(const char *s, size_t len, double *out);

/* The double nearest to w x 10^q (correctly rounded; w = 0 gives +0).
 * Clinger's fast path, else fast_float's Eisel-Lemire step, else (rarely)
 * its exact digit comparison through the text of the number. */
double dir_num_from_decimal(uint64_t w, int q);

#ifdef __cplusplus
}
#endif

#endif
