/* SPDX-License-Identifier: MIT */
/* test_fastpaths.c -- the encoder's and decoder's fast paths against their
 * slow ones, bit for bit:
 *   - shortest digits: the core's exact integer computation
 *     (dir_num_shortest_u64) against libdouble-conversion's shortest mode
 *     (the digits V8 and so the reference write) on millions of doubles:
 *     random bit patterns, every binary exponent of the fast range, short
 *     decimals, powers of two (the narrower lower interval) and of ten, and
 *     their neighbours;
 *   - streams: a fixed configuration is written in one pass (common values
 *     straight into the stream), an automatic one in two (counts, then the
 *     strings): for the same configuration both must give the same pixels,
 *     classic and self-describing, for values of every kind (signs, zeros,
 *     integers around the powers of 15 and past 2^53 and 2^64, fractions
 *     with leading zeros, 16- and 17-digit fractions the reference rounds);
 *   - decoding gives every value back bit for bit, except (classic) the
 *     ones the encoder counted as inexact. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraytest.h"
#include "numconv.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static long shortest_checked, shortest_bad;

static void check_shortest(double a)
{
    if (!(a > 0) || !isfinite(a)) return;
    uint64_t w1, w2;
    int e1, e2;
    int k1 = dir_num_shortest_u64(a, &w1, &e1);
    int k2 = dir_num_shortest_library(a, &w2, &e2);
    shortest_checked++;
    if (k1 != k2 || w1 != w2 || e1 != e2) {
        if (shortest_bad++ < 10)
            fprintf(stderr, "shortest(%.17g): %d digits %llu e%d, the library %d digits %llu e%d\n",
                    a, k1, (unsigned long long)w1, e1, k2, (unsigned long long)w2, e2);
        test_failures++;
    }
}

static void test_shortest(void)
{
    /* random bit patterns (subnormals and huge values: the library's path) */
    for (int i = 0; i < 1000000; i++)
        check_shortest(from_bits(next() >> 1));
    /* every binary exponent around the fast range [1e-11, 2^53) */
    for (int ex = -45; ex <= 56; ex++)
        for (int i = 0; i < 20000; i++) {
            uint64_t m = next() & ((1ull << 52) - 1);
            check_shortest(from_bits(m | (uint64_t)(1023 + ex) << 52));
        }
    /* short decimals and their neighbours */
    for (int i = 0; i < 300000; i++) {
        double d = (double)(next() % 10000000) / pow(10, (double)(next() % 19));
        check_shortest(d);
        check_shortest(nextafter(d, 0));
        check_shortest(nextafter(d, INFINITY));
    }
    /* powers of two (the lower neighbour is half as far) and of ten */
    for (int ex = -60; ex <= 60; ex++) {
        double p2 = ldexp(1, ex);
        check_shortest(p2);
        check_shortest(nextafter(p2, 0));
        check_shortest(nextafter(p2, INFINITY));
    }
    for (int ex = -20; ex <= 22; ex++) {
        double p10 = pow(10, ex);
        for (int k = -3; k <= 3; k++) {
            double d = p10;
            for (int j = 0; j < (k < 0 ? -k : k); j++)
                d = nextafter(d, k < 0 ? 0 : INFINITY);
            check_shortest(d);
        }
    }
    /* weights-like values: 16 and 17 significant digits */
    for (int i = 0; i < 300000; i++)
        check_shortest(ldexp((double)(next() >> 11), -53) * pow(10, -(double)(next() % 5)));
    fprintf(stderr, "shortest digits: %ld doubles, %ld differ from the library\n", shortest_checked,
            shortest_bad);
}

/* A value of the kind k. */
static double value_of(int k)
{
    static const double p15[] = {1.0,
                                 15.0,
                                 225.0,
                                 3375.0,
                                 50625.0,
                                 759375.0,
                                 11390625.0,
                                 170859375.0,
                                 2562890625.0,
                                 38443359375.0,
                                 576650390625.0,
                                 8649755859375.0,
                                 129746337890625.0,
                                 1946195068359375.0,
                                 29192926025390625.0,
                                 437893890380859375.0,
                                 6568408355712890625.0,
                                 98526125335693359375.0};
    double s = (next() & 1) ? -1 : 1;
    switch (k) {
    case 0: /* weights: |v| < 0.1, 16-17 digits, some leading zeros */
        return s * ldexp((double)(next() >> 11), -53) * pow(10, -(double)(next() % 4));
    case 1: /* short decimals */
        return s * (double)(next() % 100000) / pow(10, (double)(next() % 8));
    case 2: /* integers next to powers of 15, up to past 2^64 */
        return s * (p15[next() % 18] + (double)((int)(next() % 3) - 1));
    case 3: /* integers around 2^53 and 2^64 */
        return s * ldexp(1, (next() & 1) ? 53 : 64) *
               (1 + (double)((int)(next() % 5) - 2) * 0x1p-52);
    case 4: /* zeros of both signs */ return (next() & 1) ? 0.0 : -0.0;
    case 5: /* values with many leading zeros */
        return s * ldexp((double)(next() >> 11), -53) * pow(10, -(double)(next() % 20));
    case 6: /* random bit patterns */
        for (;;) {
            double d = from_bits(next());
            if (isfinite(d)) return d;
        }
    default: /* numbers with an integer part and a fraction */
        return s * ldexp((double)(next() >> 11), -53) * pow(10, (double)(next() % 12));
    }
}

/* The one-pass (fixed) and two-pass (auto) writers agree, and the values
 * come back. */
static void check_paths(const double *v, size_t n, int classic, int ldz_allowed, int alpha,
                        uint32_t width, const char *what)
{
    dira_options o;
    dira_options_default(&o);
    o.classic = classic;
    o.allow_inexact = classic;
    o.ldeczeroes = ldz_allowed;
    o.alpha = alpha;
    o.width = width;
    if (!classic) o.encoding = DIRA_ENCODING_DIGITS;
    encoded a = encode(v, n, &o, NULL); /* capacity auto: two passes */
    if (a.e != DIR_OK) return;          /* no configuration holds them all (classic) */
    o.capacity = a.info.capacity;
    o.ldeczeroes = a.info.ldeczeroes;
    encoded f = encode(v, n, &o, NULL); /* fixed: one pass */
    CHECK_EQ_INT(f.e, DIR_OK);
    if (f.e == DIR_OK) {
        int same = f.w == a.w && f.h == a.h && f.ch == a.ch &&
                   memcmp(f.px, a.px, (size_t)a.w * a.h * a.ch) == 0 &&
                   f.info.inexact == a.info.inexact && f.info.escaped == a.info.escaped &&
                   f.info.stream_digits == a.info.stream_digits;
        if (!same) {
            fprintf(stderr,
                    "%s (%zu values, %s, capacity %d, ldeczeroes %d): one pass and two "
                    "passes differ\n",
                    what, n, classic ? "classic" : "self-describing", o.capacity, o.ldeczeroes);
            test_failures++;
        }
        /* decoding */
        dira_options d;
        dira_options_default(&d);
        d.classic = classic;
        d.capacity = o.capacity;
        d.ldeczeroes = o.ldeczeroes;
        d.alpha = alpha;
        double *back = NULL;
        size_t got = 0;
        dir_diag diag;
        dir_error e = dira_decode(f.px, f.w, f.h, f.ch, 0, &d, &back, &got, NULL, &diag);
        /* a classic image the encoder counted inexact may not decode at all
         * (a final string the odd-digit rule emptied) */
        if (e != DIR_OK && !(classic && f.info.inexact)) {
            fprintf(stderr, "%s (%zu values, %s, capacity %d, ldeczeroes %d): %s\n", what, n,
                    classic ? "classic" : "self-describing", o.capacity, o.ldeczeroes,
                    diag.message);
            test_failures++;
        }
        if (e == DIR_OK) CHECK_EQ_INT(got, n);
        if (e == DIR_OK && got == n) {
            uint64_t differ = 0;
            for (size_t i = 0; i < n; i++)
                differ += !same_bits(back[i], v[i]) && !(classic && back[i] == 0 && v[i] == 0);
            if (differ != f.info.inexact) {
                fprintf(stderr, "%s (%s): %llu values back differ, %llu counted inexact\n", what,
                        classic ? "classic" : "self-describing", (unsigned long long)differ,
                        (unsigned long long)f.info.inexact);
                test_failures++;
            }
        }
        dir_free(back);
    }
    dir_free(a.px);
    dir_free(f.px);
}

static void test_paths(void)
{
    enum { N = 30000 };
    double *v = malloc(N * sizeof *v);
    if (!v) {
        test_failures++;
        return;
    }
    static const char *const names[] = {"weights", "short decimals", "powers of 15", "2^53/2^64",
                                        "zeros",   "leading zeros",  "bit patterns", "mixed"};
    for (int kind = 0; kind < 9; kind++) {
        for (size_t i = 0; i < N; i++)
            v[i] = value_of(kind == 8 ? (int)(next() % 8) : kind);
        const char *what = kind == 8 ? "all kinds" : names[kind];
        for (int classic = 0; classic <= 1; classic++)
            for (int ldz = 0; ldz <= 1; ldz++) {
                check_paths(v, N, classic, ldz, 0, 0, what);
                /* non-negative and below 1: capacity 0 can hold them */
                double *u = malloc(N * sizeof *u);
                if (!u) continue;
                for (size_t i = 0; i < N; i++) {
                    u[i] = fabs(v[i]);
                    if (u[i] >= 1) u[i] -= floor(u[i]);
                }
                check_paths(u, N, classic, ldz, 1, 0, what);
                /* short arrays: odd and even digit counts, the last value's padding */
                for (size_t m = 1; m <= 9; m++)
                    check_paths(u + N - m, m, classic, ldz, 0, (uint32_t)m, what);
                free(u);
            }
    }
    free(v);
}

int main(void)
{
    test_shortest();
    test_paths();
    return test_failures ? 1 : 0;
}
