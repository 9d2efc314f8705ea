// SPDX-License-Identifier: MIT
// numconv.cpp -- the C core's exact number conversions through two
// maintained libraries: libdouble-conversion (the shortest-digits algorithm
// of V8, Grisu3 with a bignum fallback: the digits the IMGArrays reference
// writes, by construction) and fast_float (correctly rounded decimal to
// double, the Eisel-Lemire algorithm with an exact fallback).  Plain
// functions with C linkage; no exceptions escape, nothing is allocated.
#include "numconv.h"

#include <double-conversion/double-to-string.h>
#include <fast_float/fast_float.h>

extern "C" int dir_num_shortest(double a, char *digits, int *e10)
{
    char buf[double_conversion::DoubleToStringConverter::kBase10MaximalLength + 1];
    bool sign = false;
    int length = 0, point = 0;
    double_conversion::DoubleToStringConverter::DoubleToAscii(
        a, double_conversion::DoubleToStringConverter::SHORTEST, 0, buf, (int)sizeof buf, &sign,
        &length, &point);
    for (int i = 0; i < length; i++)
        digits[i] = buf[i];
    *e10 = point - 1;
    return length;
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
