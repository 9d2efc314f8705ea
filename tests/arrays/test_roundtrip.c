/* SPDX-License-Identifier: MIT */
/* test_roundtrip.c -- self-describing images hold every finite double bit
 * for bit (random bit patterns, subnormals, huge values, negative zero,
 * integers past 2^53) in every configuration, with and without alpha; the
 * shortest-form printer reads back exactly; classic round trips; header
 * detection and integrity; normalisation; statistics and heatmap. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraytest.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* A mix of the doubles that are hard to hold. */
static double hard_value(size_t i)
{
    switch (i % 12) {
    case 0: { /* any finite bit pattern */
        double d;
        do
            d = from_bits(rng());
        while (!isfinite(d));
        return d;
    }
    case 1: return from_bits(rng() & 0x800FFFFFFFFFFFFFull);              /* subnormal (or zero) */
    case 2: return ldexp((double)(rng() >> 11), 900 + (int)(rng() % 60)); /* huge */
    case 3: return (rng() & 1) ? -0.0 : 0.0;
    case 4: { /* integers past 2^53 */ double d = (double)(int64_t)rng(); return d;
    }
    case 5: return ((double)(rng() >> 11) / 9007199254740992.0) - 0.5;   /* weights-like */
    case 6: return (double)(int64_t)(rng() % 2000001) / 1000.0 - 1000.0; /* short decimals */
    case 7: return ldexp(1.0, (int)(rng() % 2098) - 1074);               /* powers of two */
    case 8: return (rng() & 1) ? DBL_MAX : -DBL_MIN;
    case 9: return 1e-15 * (double)(rng() % 100); /* many leading zeros */
    case 10: return (double)(rng() % 100000000);  /* small integers */
    default: return -(double)(rng() >> 11) * 1e-300;
    }
}

static void roundtrip_enc(const double *v, size_t n, int cap, int ldz, int alpha, uint32_t width,
                          int encoding, const char *what)
{
    dira_options opt;
    dira_options_default(&opt);
    opt.encoding = encoding;
    opt.capacity = cap;
    opt.ldeczeroes = ldz;
    opt.alpha = alpha;
    opt.width = width;
    dir_diag diag;
    encoded r = encode(v, n, &opt, &diag);
    dir_error e = r.e;
    if (e != DIR_OK) {
        fprintf(stderr, "%s cap %d ldz %d alpha %d: encode: %s\n", what, cap, ldz, alpha,
                diag.message);
        test_failures++;
        return;
    }
    CHECK_EQ_INT(r.ch, alpha ? 4u : 3u);
    CHECK(dira_is_self_describing(r.px, r.w, r.h, r.ch));
    double *back = NULL;
    size_t bn = 0;
    dira_info di;
    e = dira_decode(r.px, r.w, r.h, r.ch, 0, NULL, &back, &bn, &di, &diag);
    CHECK_EQ_INT(e, DIR_OK);
    if (e != DIR_OK) fprintf(stderr, "%s: decode: %s\n", what, diag.message);
    CHECK_EQ_INT(bn, n);
    CHECK_EQ_INT(di.classic, 0);
    if (encoding != DIRA_ENCODING_AUTO) CHECK_EQ_INT(di.encoding, encoding);
    CHECK_EQ_INT(di.encoding, r.info.encoding);
    CHECK_EQ_INT(di.capacity, r.info.capacity);
    CHECK_EQ_INT(di.ldeczeroes, r.info.ldeczeroes);
    CHECK_EQ_INT(di.alpha, alpha);
    CHECK_EQ_INT(di.count, n);
    size_t bad = 0;
    for (size_t i = 0; e == DIR_OK && i < n && i < bn; i++)
        if (!same_bits(back[i], v[i]) && bad++ < 3)
            fprintf(stderr, "%s cap %d ldz %d: value %zu %.17g came back %.17g\n", what, cap, ldz,
                    i, v[i], back[i]);
    CHECK_EQ_INT(bad, 0);
    dir_free(back);

    /* an RGB image read through an RGBA buffer (alpha 255) still decodes */
    if (!alpha) {
        uint8_t *rgba = malloc((size_t)r.w * r.h * 4);
        for (size_t i = 0; i < (size_t)r.w * r.h; i++) {
            memcpy(rgba + 4 * i, r.px + 3 * i, 3);
            rgba[4 * i + 3] = 255;
        }
        e = dira_decode(rgba, r.w, r.h, 4, 0, NULL, &back, &bn, &di, &diag);
        CHECK_EQ_INT(e, DIR_OK);
        CHECK_EQ_INT(bn, n);
        if (e == DIR_OK && bn == n) CHECK(n == 0 || memcmp(back, v, n * sizeof *v) == 0);
        dir_free(back);
        free(rgba);
    }
    dir_free(r.px);
}

/* Every self-describing payload: digits, binary and the automatic choice. */
static void roundtrip(const double *v, size_t n, int cap, int ldz, int alpha, uint32_t width,
                      const char *what)
{
    roundtrip_enc(v, n, cap, ldz, alpha, width, DIRA_ENCODING_DIGITS, what);
    roundtrip_enc(v, n, cap, ldz, alpha, width, DIRA_ENCODING_BINARY, what);
    roundtrip_enc(v, n, cap, ldz, alpha, width, DIRA_ENCODING_AUTO, what);
}

static void test_hard_values(void)
{
    enum { N = 6000 };
    double *v = malloc(N * sizeof *v);
    for (size_t i = 0; i < N; i++)
        v[i] = hard_value(i);
    for (int cap = DIRA_CAPACITY_AUTO; cap <= 2; cap++)
        for (int ldz = 0; ldz <= 1; ldz++)
            for (int alpha = 0; alpha <= 1; alpha++)
                roundtrip(v, N, cap, ldz, alpha, 0, "hard");
    roundtrip(v, N, 1, 1, 0, 7, "hard width 7");
    roundtrip(v, 1, 1, 1, 0, 0, "one value");
    roundtrip(v, 0, DIRA_CAPACITY_AUTO, 1, 0, 0, "empty");
    /* every special value alone, so each is also the final one */
    const double special[] = {0.0,
                              -0.0,
                              DBL_MIN,
                              -DBL_MIN,
                              DBL_TRUE_MIN,
                              DBL_MAX,
                              -DBL_MAX,
                              9007199254740993.0,
                              18446744073709551616.0,
                              1e-15,
                              1e-16,
                              0.15,
                              15.0,
                              0.1,
                              1e21,
                              1e-7,
                              123456789012345678.0,
                              0.30000000000000004};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        for (int cap = DIRA_CAPACITY_AUTO; cap <= 2; cap++)
            roundtrip(&special[i], 1, cap, 1, 0, 0, "special");
    free(v);
}

static void test_shortest(void)
{
    static const struct {
        double v;
        const char *s;
    } cases[] = {
        {0.0, "0"},
        {-0.0, "-0"},
        {0.1, "0.1"},
        {100, "100"},
        {1e21, "1e+21"},
        {1e20, "100000000000000000000"},
        {1e-7, "1e-7"},
        {1e-6, "0.000001"},
        {1.5e300, "1.5e+300"},
        {-2.5e-8, "-2.5e-8"},
        {0.30000000000000004, "0.30000000000000004"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {123.456, "123.456"},
        {9007199254740993.0, "9007199254740992"},
        /* powers of two: the rounding interval reaches twice as far up as
         * down, and the shortest form can be the decimal above the nearest
         * (these printed 17 digits before; values from Python's repr) */
        {0x1p-24, "5.960464477539063e-8"},
        {0x1p-44, "5.684341886080802e-14"},
        {0x1p89, "6.189700196426902e+26"},
        {0x1p-1022, "2.2250738585072014e-308"},
        {0x1p1023, "8.98846567431158e+307"},
        {NAN, "NaN"},
        {-INFINITY, "-Infinity"},
    };
    char buf[DIRA_NUMBER_BUFSIZE];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = dira_shortest(cases[i].v, buf);
        CHECK_EQ_INT(n, strlen(buf));
        if (strcmp(buf, cases[i].s) != 0) {
            fprintf(stderr, "dira_shortest(%.17g) = %s, expected %s\n", cases[i].v, buf,
                    cases[i].s);
            test_failures++;
        }
    }
    /* random doubles: exact, and no shorter %.*g form reads back */
    size_t bad = 0;
    for (int i = 0; i < 200000; i++) {
        double d = hard_value((size_t)i);
        dira_shortest(d, buf);
        double back = strtod(buf, NULL);
        if (!same_bits(back, d) && bad++ < 3) fprintf(stderr, "%.17g printed %s\n", d, buf);
        if (i % 16 == 0 && d != 0) {
            /* significant digits in buf */
            int sig = 0, started = 0;
            for (const char *p = buf; *p && *p != 'e'; p++)
                if (*p >= '1' && *p <= '9') {
                    started = 1;
                    sig++;
                } else if (*p == '0' && started) {
                    sig++;
                }
            /* trailing zeros of integers are not significant */
            const char *dot = strchr(buf, '.');
            if (!dot && !strchr(buf, 'e'))
                for (const char *p = buf + strlen(buf) - 1; p > buf && *p == '0'; p--)
                    sig--;
            char t[400];
            if (sig > 1) {
                snprintf(t, sizeof t, "%.*g", sig - 1, d);
                if (strtod(t, NULL) == d && bad++ < 3)
                    fprintf(stderr, "%.17g: %s is not the shortest (%s)\n", d, buf, t);
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* Decimal digits of a base-15 digit string, by schoolbook arithmetic on
 * decimal digits (independent of the library's conversions). */
static void b15_text(const uint8_t *d, int n, char *out)
{
    uint8_t dec[64];
    int nd = 1;
    dec[0] = 0; /* least significant first */
    for (int i = 0; i < n; i++) {
        unsigned carry = d[i];
        for (int j = 0; j < nd; j++) {
            unsigned t = dec[j] * 15u + carry;
            dec[j] = (uint8_t)(t % 10);
            carry = t / 10;
        }
        while (carry) {
            dec[nd++] = (uint8_t)(carry % 10);
            carry /= 10;
        }
    }
    while (nd > 1 && dec[nd - 1] == 0)
        nd--;
    for (int j = 0; j < nd; j++)
        out[j] = (char)('0' + dec[nd - 1 - j]);
    out[nd] = '\0';
}

/* Value strings read exactly: the fast paths (a 64-bit significand and
 * Clinger or Eisel-Lemire, else the text) against strtod of the decimal
 * text built here, for random strings of capacity 1 with leading zeros. */
static void test_parse_exact(void)
{
    uint64_t s = 0x9E3779B97F4A7C15ull;
    size_t bad = 0;
    for (int i = 0; i < 300000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = s >> 11;
        int nl = 1 + (int)(r % 7), nz = (int)(r / 7 % 15), nr = (int)(r / 105 % 21);
        int neg = (int)(r / 2205 % 2);
        uint8_t t[64];
        int n = 0;
        t[n++] = (uint8_t)(neg ? nl - 1 : nl + 7);
        t[n++] = (uint8_t)nz;
        for (int k = 0; k < nl + nr; k++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            t[n++] = (uint8_t)((s >> 33) % 15);
        }
        char hex[80], text[200], lt[64], rt[64];
        for (int k = 0; k < n; k++)
            hex[k] = "0123456789abcde"[t[k]];
        b15_text(t + 2, nl, lt);
        b15_text(t + 2 + nl, nr, rt);
        if (nr)
            snprintf(text, sizeof text, "%s.%.*s%s", lt, nz, "00000000000000", rt);
        else
            snprintf(text, sizeof text, "%s", lt);
        double want = strtod(text, NULL), got;
        if (want == 0)
            want = 0; /* classic: zero reads as +0 */
        else if (neg)
            want = -want;
        dir_diag diag;
        if (dira_parse_value(hex, (size_t)n, 1, 1, &got, &diag) != DIR_OK ||
            !same_bits(got, want)) {
            if (bad++ < 3)
                fprintf(stderr, "f%.*s (%s): got %.17g, expected %.17g\n", n, hex, text, got, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_classic_roundtrip(void)
{
    /* values the classic configurations hold, ending with one whose last
     * digit is not zero */
    enum { N = 3001 };
    double v[N];
    for (int i = 0; i < N - 1; i++)
        v[i] = (double)((int64_t)(rng() % 20000001) - 10000000) / 10000.0;
    v[N - 1] = 0.5;
    for (int cap = 1; cap <= 2; cap++)
        for (int alpha = 0; alpha <= 1; alpha++) {
            dira_options opt;
            dira_options_default(&opt);
            opt.classic = 1;
            opt.capacity = cap;
            opt.alpha = alpha;
            dir_diag diag;
            /* an odd digit count loses the final digit ("f8005" -> "f800"):
             * refused; one more digit ("f8001a", 0.25) makes it even */
            v[N - 1] = 0.5;
            encoded r = encode(v, N, &opt, &diag);
            if (r.e == DIR_ERANGE) {
                CHECK(strstr(diag.message, "index 3000") && strstr(diag.message, "odd digit"));
                v[N - 1] = 0.25;
                r = encode(v, N, &opt, &diag);
            }
            CHECK_ERR(r.e, DIR_OK, diag, NULL);
            if (diag.error) continue;
            CHECK(!dira_is_self_describing(r.px, r.w, r.h, r.ch));
            CHECK_EQ_INT(r.w, 110); /* ceil(sqrt(4 * 3001)) */
            double *back;
            size_t bn;
            /* no header: refused unless classic is asked for */
            CHECK_ERR(dira_decode(r.px, r.w, r.h, r.ch, 0, NULL, &back, &bn, NULL, &diag),
                      DIR_EINVAL, diag, "classic");
            CHECK_ERR(dira_decode(r.px, r.w, r.h, r.ch, 0, &opt, &back, &bn, &r.info, &diag),
                      DIR_OK, diag, NULL);
            CHECK_EQ_INT(bn, N);
            if (diag.error == DIR_OK && bn == N) {
                size_t bad = 0;
                for (int i = 0; i < N; i++)
                    bad += !same_bits(back[i], v[i]);
                CHECK_EQ_INT(bad, 0);
                dir_free(back);
            }
            dir_free(r.px);
        }
    /* auto also keeps the final value readable: 0.25 alone is "f801a" with
     * capacity 1 (odd: its last digit would be dropped) but "f01a" with
     * capacity 0; 0.01, 0.5, 0.03 make an odd digit count with capacity 0
     * and 1, an even one with capacity 2 */
    static const struct {
        double v[3];
        size_t n;
    } tails[] = {{{0.25}, 1}, {{0.01, 0.5, 0.03}, 3}};
    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
        dira_options o;
        dira_options_default(&o);
        o.classic = 1;
        uint8_t *tp;
        uint32_t tw, th;
        unsigned tch;
        dira_info ti;
        dir_diag td;
        CHECK_ERR(dira_encode(tails[t].v, tails[t].n, &o, &tp, &tw, &th, &tch, &ti, &td), DIR_OK,
                  td, NULL);
        if (td.error) continue;
        o.capacity = ti.capacity;
        o.ldeczeroes = ti.ldeczeroes;
        double *tb;
        size_t tn;
        CHECK_ERR(dira_decode(tp, tw, th, tch, 0, &o, &tb, &tn, NULL, &td), DIR_OK, td, NULL);
        CHECK_EQ_INT(tn, tails[t].n);
        if (td.error == DIR_OK && tn == tails[t].n)
            CHECK(memcmp(tb, tails[t].v, tn * sizeof *tb) == 0);
        if (td.error == DIR_OK) dir_free(tb);
        dir_free(tp);
    }
    /* auto picks the shortest configuration that holds everything: values in
     * [0, 1) need capacity 0 */
    double unit[4] = {0.5, 0.25, 0.125, 0.0625};
    dira_options opt;
    dira_options_default(&opt);
    opt.classic = 1;
    uint8_t *px;
    uint32_t w, h;
    unsigned ch;
    dira_info info;
    dir_diag diag;
    CHECK_ERR(dira_encode(unit, 4, &opt, &px, &w, &h, &ch, &info, &diag), DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        CHECK_EQ_INT(info.capacity, 0);
        CHECK_EQ_INT(info.ldeczeroes, 1);
        dir_free(px);
    }
    /* 0.05 needs the leading-zero count: auto turns it on when allowed,
     * and with lDecZeroes off picks only among the configurations without
     * it, so nothing holds 0.05 */
    double lz[2] = {0.5, 0.05};
    CHECK_ERR(dira_encode(lz, 2, &opt, &px, &w, &h, &ch, &info, &diag), DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        CHECK_EQ_INT(info.ldeczeroes, 1);
        dir_free(px);
    }
    opt.ldeczeroes = 0;
    CHECK_ERR(dira_encode(lz, 2, &opt, &px, &w, &h, &ch, &info, &diag), DIR_ERANGE, diag,
              "value 0.05 at index 1: leading decimal zeros need ldeczeroes");
}

static void test_header(void)
{
    double v[5] = {1.5, -2.25, 1e300, -0.0, 3};
    uint8_t *px;
    uint32_t w, h;
    unsigned ch;
    dira_info info;
    dir_diag diag;
    dira_options opt;
    dira_options_default(&opt);
    opt.capacity = 1;
    opt.encoding = DIRA_ENCODING_DIGITS;
    CHECK_ERR(dira_encode(v, 5, &opt, &px, &w, &h, &ch, &info, &diag), DIR_OK, diag, NULL);
    if (diag.error) return;
    CHECK_EQ_INT(info.escaped, 1); /* 1e300 */
    CHECK_EQ_INT(info.version, 2);
    CHECK_EQ_INT(info.encoding, DIRA_ENCODING_DIGITS);
    /* the table of one unnamed 1-D float64 tensor: 8 + 2 + 0 + 2 + 8 + 8 bytes */
    const size_t table = 28;
    CHECK_EQ_INT(px[40], table);
    CHECK_EQ_INT(px[DIRA_HEADER_SIZE], 1);          /* one tensor */
    CHECK_EQ_INT(px[DIRA_HEADER_SIZE + 10], DIRA_F64);
    CHECK_EQ_INT(px[DIRA_HEADER_SIZE + 11], 1);     /* rank */
    CHECK_EQ_INT(px[DIRA_HEADER_SIZE + 12], 5);     /* shape */
    /* layout: FF 'D' 'R' 'A', version, flags */
    CHECK(px[0] == 0xFF && px[1] == 'D' && px[2] == 'R' && px[3] == 'A');
    CHECK_EQ_INT(px[4], DIRA_HEADER_VERSION);
    CHECK_EQ_INT(px[5], 1 | 4); /* capacity 1, ldeczeroes */
    CHECK_EQ_INT(px[8], 5);     /* count */
    double *back;
    size_t bn;
    size_t size = (size_t)w * h * ch;
    /* any flipped bit in header or stream is caught */
    size_t stream_end = DIRA_HEADER_SIZE + table + (size_t)(info.stream_digits + 1) / 2;
    for (size_t i = 0; i < size; i++) {
        px[i] ^= 0x10;
        dir_error e = dira_decode(px, w, h, ch, 0, NULL, &back, &bn, NULL, &diag);
        if (e == DIR_OK) {
            fprintf(stderr, "flipped byte %zu decoded\n", i);
            test_failures++;
            dir_free(back);
        } else if (i >= 8 && i < stream_end && i != 5 && e != DIR_ECRC && e != DIR_ESYNTAX &&
                   e != DIR_ELIMIT) {
            fprintf(stderr, "flipped byte %zu: error %d %s\n", i, e, diag.message);
            test_failures++;
        }
        px[i] ^= 0x10;
    }
    px[4] = 3;
    CHECK_ERR(dira_decode(px, w, h, ch, 0, NULL, &back, &bn, NULL, &diag), DIR_ESYNTAX, diag,
              "version 3");
    px[4] = 2;
    px[DIRA_HEADER_SIZE + table + 3] ^= 1; /* a data byte */
    CHECK_ERR(dira_decode(px, w, h, ch, 0, NULL, &back, &bn, NULL, &diag), DIR_ECRC, diag, "CRC");
    px[DIRA_HEADER_SIZE + table + 3] ^= 1;
    opt.max_values = 4;
    CHECK_ERR(dira_decode(px, w, h, ch, 0, &opt, &back, &bn, NULL, &diag), DIR_ELIMIT, diag,
              "5 values");
    CHECK_ERR(dira_decode(px, w, h, ch, 0, NULL, &back, &bn, &info, &diag), DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        CHECK(bn == 5 && memcmp(back, v, sizeof v) == 0);
        dir_free(back);
    }
    dir_free(px);
}

static void test_normalise(void)
{
    double v[4] = {1, 2, 3, 5};
    double lo, hi;
    dir_diag diag;
    CHECK_ERR(dira_normalise(v, 4, &lo, &hi, &diag), DIR_OK, diag, NULL);
    CHECK(lo == 1 && hi == 5);
    CHECK(v[0] == 0 && v[1] == 0.25 && v[2] == 0.5 && v[3] == 1);
    /* stored with the header's min and max, restored after decoding */
    dira_options opt;
    dira_options_default(&opt);
    opt.normalised = 1;
    opt.norm_min = lo;
    opt.norm_max = hi;
    encoded r = encode(v, 4, &opt, &diag);
    CHECK_ERR(r.e, DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        double *back;
        size_t bn;
        dira_info info;
        CHECK_ERR(dira_decode(r.px, r.w, r.h, r.ch, 0, NULL, &back, &bn, &info, &diag), DIR_OK,
                  diag, NULL);
        if (diag.error == DIR_OK) {
            CHECK(info.normalised && info.norm_min == 1 && info.norm_max == 5);
            dira_unnormalise(back, bn, info.norm_min, info.norm_max);
            CHECK(back[0] == 1 && back[1] == 2 && back[2] == 3 && back[3] == 5);
            dir_free(back);
        }
        dir_free(r.px);
    }
    double c[3] = {7, 7, 7};
    CHECK_ERR(dira_normalise(c, 3, &lo, &hi, &diag), DIR_OK, diag, NULL);
    CHECK(c[0] == 0.5 && c[2] == 0.5 && lo == 7 && hi == 7);
    dira_unnormalise(c, 3, lo, hi);
    CHECK(c[0] == 7 && c[1] == 7);
    double big[2] = {-DBL_MAX, DBL_MAX};
    CHECK_ERR(dira_normalise(big, 2, &lo, &hi, &diag), DIR_ERANGE, diag, "overflows");
    double nan[2] = {1, NAN};
    CHECK_ERR(dira_normalise(nan, 2, &lo, &hi, &diag), DIR_ERANGE, diag, "NaN at index 1");
}

static void test_heatmap(void)
{
    uint8_t rgb[3];
    dira_colour(0, 1, rgb);
    CHECK(rgb[0] == 255 && rgb[1] == 255 && rgb[2] == 255);
    dira_colour(2, 2, rgb);
    CHECK(rgb[0] == 178 && rgb[1] == 24 && rgb[2] == 43);
    dira_colour(-5, 2, rgb); /* clamped */
    CHECK(rgb[0] == 33 && rgb[1] == 102 && rgb[2] == 172);
    dira_colour(1, 2, rgb); /* half way: the middle of the red ramp */
    CHECK(rgb[0] == 244 && rgb[1] == 165 && rgb[2] == 130);
    double v[5] = {-1, 0, 0.5, 1, 2};
    uint8_t *img;
    uint32_t w, h;
    dira_stats st;
    dir_diag diag;
    CHECK_ERR(dira_heatmap(v, 5, 0, 0, &img, &w, &h, &st, &diag), DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        CHECK(w == 3 && h == 2);
        CHECK(st.count == 5 && st.min == -1 && st.max == 2 && st.mean == 0.5);
        /* scale is max(|min|, |max|) = 2: value 2 is full red, 0 white, and
         * the sixth cell is padding grey */
        CHECK(img[3 * 4] == 178 && img[3 * 4 + 1] == 24 && img[3 * 4 + 2] == 43);
        CHECK(img[3] == 255 && img[4] == 255 && img[5] == 255);
        CHECK(img[15] == DIRA_HEATMAP_EMPTY && img[16] == DIRA_HEATMAP_EMPTY);
        dir_free(img);
    }
    CHECK_ERR(dira_heatmap(v, 5, 1, 5, &img, &w, &h, &st, &diag), DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        CHECK(w == 5 && h == 1);
        dir_free(img);
    }
    /* an explicit scale saturates beyond it */
    CHECK_ERR(dira_heatmap_scaled(v, 5, 0, 0, 0.5, &img, &w, &h, &st, &diag), DIR_OK, diag, NULL);
    if (diag.error == DIR_OK) {
        CHECK(img[3 * 2] == 178 && img[3 * 2 + 1] == 24 && img[3 * 2 + 2] == 43); /* 0.5 */
        CHECK(img[0] == 33 && img[1] == 102 && img[2] == 172);                    /* -1 */
        dir_free(img);
    }
    CHECK_ERR(dira_heatmap_scaled(v, 5, 0, 0, -1, &img, &w, &h, &st, &diag), DIR_EINVAL, diag,
              "scale");
    CHECK_ERR(dira_heatmap_scaled(v, 5, 0, 0, NAN, &img, &w, &h, &st, &diag), DIR_EINVAL, diag,
              "scale");
    CHECK_ERR(dira_heatmap(v, 5, 2, 2, &img, &w, &h, &st, &diag), DIR_EINVAL, diag,
              "4 cells for 5 values");
    CHECK_ERR(dira_heatmap(v, 5, 2, 0, &img, &w, &h, &st, &diag), DIR_EINVAL, diag, "both");
    CHECK_ERR(dira_heatmap(v, 0, 0, 0, &img, &w, &h, &st, &diag), DIR_EINVAL, diag, "no values");
    double bad[3] = {1, INFINITY, 2};
    CHECK_ERR(dira_heatmap(bad, 3, 0, 0, &img, &w, &h, &st, &diag), DIR_ERANGE, diag,
              "Infinity at index 1");
    /* the mean stays finite near the top of the range */
    double huge[2] = {DBL_MAX, DBL_MAX};
    CHECK_ERR(dira_stats_compute(huge, 2, &st, &diag), DIR_OK, diag, NULL);
    CHECK(st.mean == DBL_MAX);
}

int main(void)
{
    test_shortest();
    test_parse_exact();
    test_hard_values();
    test_classic_roundtrip();
    test_header();
    test_normalise();
    test_heatmap();
    TEST_DONE();
}
