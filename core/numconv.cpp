// SPDX-License-Identifier: MIT
// numconv.cpp -- the C core's exact number conversions: shortest digits
// (the digits V8, and so the IMGArrays reference, writes) computed exactly
// on their definition with 128-bit integers for the doubles arrays mostly
// hold, else by libdouble-conversion (V8's own algorithm, Grisu3 with a
// bignum fallback); and fast_float (correctly rounded decimal to double, the
// Eisel-Lemire algorithm with an exact fallback).  The test arrays-fastpaths
// compares the two shortest-digit routes on millions of doubles.  Plain
// functions with C linkage; no exceptions escape, nothing is allocated.
#include "numconv.h"

#include <double-conversion/double-to-string.h>
#include <fast_float/fast_float.h>

#include <cstring>

// The library's shortest digits as an integer: a = w x 10^(e10 - k + 1)
// with k = the digit count (returned), w without trailing zeros.
extern "C" int dir_num_shortest_library(double a, uint64_t *w, int *e10)
{
    char buf[double_conversion::DoubleToStringConverter::kBase10MaximalLength + 1];
    bool sign = false;
    int length = 0, point = 0;
    double_conversion::DoubleToStringConverter::DoubleToAscii(
        a, double_conversion::DoubleToStringConverter::SHORTEST, 0, buf, (int)sizeof buf, &sign,
        &length, &point);
    uint64_t v = 0;
    for (int i = 0; i < length; i++)
        v = v * 10 + (uint64_t)(buf[i] - '0');
    *w = v;
    *e10 = point - 1;
    return length;
}

// 10^k, shared with array.c (numconv.h).
extern "C" const uint64_t dir_pow10[20] = {1ull,
                                           10ull,
                                           100ull,
                                           1000ull,
                                           10000ull,
                                           100000ull,
                                           1000000ull,
                                           10000000ull,
                                           100000000ull,
                                           1000000000ull,
                                           10000000000ull,
                                           100000000000ull,
                                           1000000000000ull,
                                           10000000000000ull,
                                           100000000000000ull,
                                           1000000000000000ull,
                                           10000000000000000ull,
                                           100000000000000000ull,
                                           1000000000000000000ull,
                                           10000000000000000000ull};

namespace
{

__extension__ typedef unsigned __int128 u128;

// The shortest digits by their definition, for normal doubles in
// [1e-11, 2^53) (0 for others: the caller asks the library).  The decimals
// that read back as a (round half to even) are those in its rounding
// interval, closed when a's significand is even, open when odd.  Scaled
// by 10^p so that the interval lies in [10^16, 10^18), every decimal of up
// to 17 digits in it is an integer; these are computed exactly from
// a = m x 2^q with 128-bit integers.  The shortest is the multiple of the
// highest power of ten in [L, H]; among several, the one nearest a.  A tie
// (never seen, but possible in principle) is left to the library, whose
// rule (round half to even) it would be.  The result is what the
// library's shortest mode gives: the test arrays-fastpaths compares the two
// on millions of doubles.
int shortest_fast(double a, uint64_t *w, int *e10)
{
    uint64_t bits;
    std::memcpy(&bits, &a, sizeof bits);
    const int be = (int)((bits >> 52) & 0x7ff);
    if (be == 0 || be == 0x7ff) return 0; // zero, subnormal, non-finite
    const uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
    const int q = be - 1075; // a = m x 2^q, 2^52 <= m < 2^53
    // e = floor(log10 a) is floor((q + 52) log10 2) or one more: with
    // p = 16 - that estimate, a x 10^p lies in [10^16, 10^18)
    // floor((q + 52) log10 2) (78913 / 2^18 is close enough for |q + 52| < 2^11),
    // rounding down for negative numbers too
    const int e2 = (q + 52) * 78913;
    const int e_est = e2 >= 0 ? e2 >> 18 : -((-e2 + (1 << 18) - 1) >> 18);
    const int p = 16 - e_est;
    if (p < 1 || p > 27) return 0; // 5^27 < 2^63
    const int sh = 2 - (q + p);    // X4 / 2^sh = a x 10^p
    if (sh < 3 || sh > 120) return 0;
    static const uint64_t pow5[28] = {1ull,
                                      5ull,
                                      25ull,
                                      125ull,
                                      625ull,
                                      3125ull,
                                      15625ull,
                                      78125ull,
                                      390625ull,
                                      1953125ull,
                                      9765625ull,
                                      48828125ull,
                                      244140625ull,
                                      1220703125ull,
                                      6103515625ull,
                                      30517578125ull,
                                      152587890625ull,
                                      762939453125ull,
                                      3814697265625ull,
                                      19073486328125ull,
                                      95367431640625ull,
                                      476837158203125ull,
                                      2384185791015625ull,
                                      11920928955078125ull,
                                      59604644775390625ull,
                                      298023223876953125ull,
                                      1490116119384765625ull,
                                      7450580596923828125ull};
    const uint64_t P = pow5[p];
    // 4a, 4 x the interval's ends, in units of 2^(q - 2), times 5^p: below 2^118
    const u128 X4 = (u128)(4 * m) * P;
    const u128 HI = X4 + 2 * (u128)P;
    const u128 LO = X4 - ((m == (1ull << 52) && be > 1) ? (u128)P : 2 * (u128)P);
    const u128 mask = ((u128)1 << sh) - 1;
    const bool closed = (m & 1) == 0;
    uint64_t H = (uint64_t)(HI >> sh);
    if (!closed && (HI & mask) == 0) H--;
    uint64_t L = (uint64_t)(LO >> sh);
    if ((LO & mask) != 0 || !closed) L++;
    if (L < dir_pow10[16] || H >= dir_pow10[18] || L > H) return 0;
    // the highest j with a multiple of 10^j in [L, H] = (B, A]: the highest
    // decimal place where A and B differ (A - B <= 223, so above place 2
    // they differ only through a carry: in the places of A / 1000's
    // trailing zeros and the one above them)
    const uint64_t A = H, B = L - 1;
    uint64_t a3 = A / 1000;
    if (a3 != B / 1000) {
        // one multiple of 10^j at most (10^j > 223): A's leading digits
        int j = 3; // a3 < 10^15: at most 14 trailing zeros
        if (a3 % 100000000 == 0) {
            a3 /= 100000000;
            j += 8;
        }
        if (a3 % 10000 == 0) {
            a3 /= 10000;
            j += 4;
        }
        if (a3 % 100 == 0) {
            a3 /= 100;
            j += 2;
        }
        if (a3 % 10 == 0) {
            a3 /= 10;
            j++;
        }
        const int k = dir_dec_digits(a3);
        *w = a3;
        *e10 = k - 1 + j - p;
        return k;
    }
    // 10^j with j <= 2: the multiple nearest a of those in [L, H]
    const uint64_t XI = (uint64_t)(X4 >> sh);
    const u128 xrem = X4 & mask;
    int j;
    uint64_t u, c_lo;
    if (A / 100 != B / 100) {
        j = 2;
        u = 100;
        c_lo = XI / 100 * 100;
    } else if (A / 10 != B / 10) {
        j = 1;
        u = 10;
        c_lo = XI / 10 * 10;
    } else {
        j = 0;
        u = 1;
        c_lo = XI;
    }
    const bool lo_in = c_lo >= L;
    const bool hi_in = c_lo <= H - u; // c_lo + u <= H
    uint64_t c;
    if (lo_in && hi_in) {
        // distances to a, times 2^sh (below 2^123)
        const uint64_t d = XI - c_lo;
        const u128 dlo = ((u128)d << sh) + xrem;
        const u128 dhi = ((u128)(u - d) << sh) - xrem;
        if (dlo == dhi) return 0;
        c = dlo < dhi ? c_lo : c_lo + u;
    } else if (lo_in) {
        c = c_lo;
    } else if (hi_in) {
        c = c_lo + u;
    } else {
        return 0; // cannot happen
    }
    const uint64_t t = j == 2 ? c / 100 : j == 1 ? c / 10 : c;
    const int k = dir_dec_digits(t);
    *w = t;
    *e10 = k - 1 + j - p;
    return k;
}

} // namespace

extern "C" int dir_num_shortest_u64(double a, uint64_t *w, int *e10)
{
    int k = shortest_fast(a, w, e10);
    return k ? k : dir_num_shortest_library(a, w, e10);
}

extern "C" int dir_num_shortest(double a, char *digits, int *e10)
{
    uint64_t w;
    int k = dir_num_shortest_u64(a, &w, e10);
    for (int i = k - 1; i >= 0; i--) {
        digits[i] = (char)('0' + w % 10);
        w /= 10;
    }
    return k;
}

extern "C" int dir_num_parse(const char *s, size_t len, double *out)
{
    double v = 0;
    auto r = fast_float::from_chars(s, s + len, v);
    if (r.ec != std::errc() || r.ptr != s + len) return -1;
    *out = v;
    return 0;
}

extern "C" double dir_num_from_decimal(uint64_t w, int q)
{
    using fmt = fast_float::binary_format<double>;
    if (w == 0) return 0.0;
    // Clinger: w and 10^|q| are exact doubles, one correctly rounded
    // operation (the default rounding mode, which the core never changes).
    if (w <= fmt::max_mantissa_fast_path() && q >= fmt::min_exponent_fast_path() &&
        q <= fmt::max_exponent_fast_path()) {
        double v = (double)w;
        return q < 0 ? v / fmt::exact_power_of_ten(-q) : v * fmt::exact_power_of_ten(q);
    }
    fast_float::adjusted_mantissa am = fast_float::compute_float<fmt>(q, w);
    if (am.power2 >= 0) {
        double v;
        fast_float::to_float(false, am, v);
        return v;
    }
    // the Eisel-Lemire step could not decide: the exact path, from text
    char text[48];
    int n = 0;
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + w % 10);
        w /= 10;
    } while (w);
    while (k > 0)
        text[n++] = tmp[--k];
    text[n++] = 'e';
    unsigned uq = q < 0 ? (text[n++] = '-', (unsigned)-q) : (unsigned)q;
    do {
        tmp[k++] = (char)('0' + uq % 10);
        uq /= 10;
    } while (uq);
    while (k > 0)
        text[n++] = tmp[--k];
    double v = 0;
    fast_float::from_chars(text, text + n, v);
    return v;
}
