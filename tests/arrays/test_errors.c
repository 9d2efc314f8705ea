/* SPDX-License-Identifier: MIT */
/* test_errors.c -- every value a configuration cannot hold is an error that
 * names the index and the value; malformed images and arguments give their
 * specific errors, never a crash. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraytest.h"

static dir_error enc(const double *v, size_t n, int classic, int cap, int ldz, dir_diag *diag)
{
    dira_options opt;
    dira_options_default(&opt);
    opt.encoding = DIRA_ENCODING_DIGITS; /* binary holds every double */
    opt.classic = classic;
    opt.capacity = cap;
    opt.ldeczeroes = ldz;
    encoded r = encode(v, n, &opt, diag);
    if (r.e == DIR_OK) {
        CHECK(r.px != NULL);
        dir_free(r.px);
    } else {
        CHECK(r.px == NULL);
    }
    return r.e;
}

static void test_values(void)
{
    dir_diag d;
    /* non-finite numbers, in both modes (digits encoding; binary holds them) */
    double nan3[5] = {1, 2, 3, NAN, 5};
    CHECK_ERR(enc(nan3, 5, 0, DIRA_CAPACITY_AUTO, 1, &d), DIR_ERANGE, d, "value NaN at index 3");
    CHECK_ERR(enc(nan3, 5, 1, 1, 1, &d), DIR_ERANGE, d, "value NaN at index 3");
    double inf[2] = {INFINITY, 0};
    CHECK_ERR(enc(inf, 2, 0, DIRA_CAPACITY_AUTO, 1, &d), DIR_ERANGE, d,
              "value Infinity at index 0");
    double minf[3] = {0.5, 0.5, -INFINITY};
    CHECK_ERR(enc(minf, 3, 1, 2, 1, &d), DIR_ERANGE, d, "value -Infinity at index 2");

    /* capacity 1: 7 base-15 digits positive, 8 negative */
    double c1ok[3] = {170859374, -2562890624, 0.5};
    CHECK_ERR(enc(c1ok, 3, 1, 1, 1, &d), DIR_OK, d, NULL);
    double c1pos[3] = {1, 170859375, 0.5}; /* 15^7 */
    CHECK_ERR(enc(c1pos, 3, 1, 1, 1, &d), DIR_ERANGE, d,
              "value 170859375 at index 1: magnitude over capacity 1");
    double c1neg[3] = {1, -2562890625, 0.5}; /* -15^8 */
    CHECK_ERR(enc(c1neg, 3, 1, 1, 1, &d), DIR_ERANGE, d,
              "value -2562890625 at index 1: magnitude over capacity 1");
    /* capacity 0: [0, 1) only, no sign */
    double c0big[2] = {0.5, 1};
    CHECK_ERR(enc(c0big, 2, 1, 0, 1, &d), DIR_ERANGE, d, "value 1 at index 1: capacity 0");
    double c0neg[2] = {-0.5, 0.5};
    CHECK_ERR(enc(c0neg, 2, 1, 0, 1, &d), DIR_ERANGE, d,
              "value -0.5 at index 0: capacity 0 holds no sign");
    /* capacity 2: 113 base-15 digits */
    double c2[2] = {1e200, 0.5};
    CHECK_ERR(enc(c2, 2, 1, 2, 1, &d), DIR_ERANGE, d,
              "value 1e+200 at index 0: magnitude over capacity 2");
    double c2ok[2] = {999999999999999.5, 0.5};
    CHECK_ERR(enc(c2ok, 2, 1, 2, 1, &d), DIR_OK, d, NULL);
    /* V8 writes integers past 15 * 2^53 in base 15 with zeros for the
     * digits a double does not hold: 1e130 would read back as another
     * number */
    double c2v8[2] = {1e130, 0.5};
    CHECK_ERR(enc(c2v8, 2, 1, 2, 1, &d), DIR_ERANGE, d,
              "value 1e+130 at index 0: the reference rounds");
    CHECK_ERR(enc(c2v8, 2, 0, 2, 1, &d), DIR_OK, d, NULL);
    /* leading decimal zeros: 14 fit in one character, 15 do not */
    double z14[2] = {1e-15, 0.5};
    CHECK_ERR(enc(z14, 2, 1, 1, 1, &d), DIR_OK, d, NULL);
    double z15[2] = {0.5, 1e-16};
    CHECK_ERR(enc(z15, 2, 1, 1, 1, &d), DIR_ERANGE, d,
              "value 1e-16 at index 1: more than 14 leading decimal zeros");
    double z1[2] = {0.5, 0.05};
    CHECK_ERR(enc(z1, 2, 1, 1, 0, &d), DIR_ERANGE, d,
              "value 0.05 at index 1: leading decimal zeros need ldeczeroes");
    /* negative zero has no classic string (the reference writes 0 with the
     * negative sign) */
    double nz[2] = {0.5, -0.0};
    CHECK_ERR(enc(nz, 2, 1, 1, 1, &d), DIR_ERANGE, d,
              "value -0 at index 1: classic images cannot hold negative zero");
    CHECK_ERR(enc(nz, 2, 0, 1, 1, &d), DIR_OK, d, NULL);
    /* digits past 2^53 the reference would round to another double */
    double r53[2] = {0.011661013260571639, 0.5};
    CHECK_ERR(enc(r53, 2, 1, 1, 1, &d), DIR_ERANGE, d,
              "value 0.011661013260571639 at index 0: the reference rounds");
    /* the final value's last digit: a trailing base-15 zero looks like
     * padding (0.15 -> "f80010") */
    double last0[2] = {0.25, 0.15};
    CHECK_ERR(enc(last0, 2, 1, 1, 1, &d), DIR_ERANGE, d,
              "value 0.15 at index 1: last in a classic image");
    /* auto: nothing classic holds 1e-16 */
    CHECK_ERR(enc(z15, 2, 1, DIRA_CAPACITY_AUTO, 1, &d), DIR_ERANGE, d, "no classic configuration");
    /* ... but self-describing mode holds them all */
    double all[8] = {NAN, 1e-16, -0.0, 0.15, 1e200, 0.011661013260571639, -2562890625, 1};
    CHECK_ERR(enc(all + 1, 7, 0, 0, 0, &d), DIR_OK, d, NULL);
    CHECK_ERR(enc(all + 1, 7, 0, DIRA_CAPACITY_AUTO, 1, &d), DIR_OK, d, NULL);

    /* single values */
    char buf[DIRA_TOKEN_BUFSIZE];
    CHECK_ERR(dira_format_value(NAN, 1, 1, buf, sizeof buf, &d), DIR_ERANGE, d, "NaN");
    CHECK_ERR(dira_format_value(1e-20, 1, 1, buf, sizeof buf, &d), DIR_ERANGE, d,
              "leading decimal zeros");
    CHECK_ERR(dira_format_value(1, 3, 1, buf, sizeof buf, &d), DIR_EINVAL, d, NULL);
    CHECK_ERR(dira_format_value(1, 1, 1, buf, 8, &d), DIR_EINVAL, d, NULL);
    double v;
    CHECK_ERR(dira_parse_value("f8g", 3, 1, 1, &v, &d), DIR_ESYNTAX, d, "'g'");
    CHECK_ERR(dira_parse_value("f8f", 3, 1, 1, &v, &d), DIR_ESYNTAX, d, "'f'");
    CHECK_ERR(dira_parse_value("f", 1, 1, 1, &v, &d), DIR_ESYNTAX, d, "empty");
    CHECK_ERR(dira_parse_value("fe0123", 6, 1, 1, &v, &d), DIR_ESYNTAX, d, "integer part");
    CHECK_ERR(dira_parse_value("f7", 2, 2, 1, &v, &d), DIR_ESYNTAX, d, "sign/count");
    char longs[400];
    memset(longs, '1', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    CHECK_ERR(dira_parse_value(longs, strlen(longs), 1, 1, &v, &d), DIR_ESYNTAX, d,
              "over the limit");
}

static void test_limits_and_args(void)
{
    dir_diag d;
    dira_options opt;
    dira_options_default(&opt);
    uint8_t *px;
    uint32_t w, h;
    unsigned ch;
    double one = 1;
    /* the value count is checked before anything is read or allocated */
    CHECK_ERR(dira_encode(&one, (size_t)DIRA_MAX_VALUES + 1, &opt, &px, &w, &h, &ch, NULL, &d),
              DIR_ELIMIT, d, "over the limit");
    opt.width = DIR_MAX_DIM + 1;
    CHECK_ERR(dira_encode(&one, 1, &opt, &px, &w, &h, &ch, NULL, &d), DIR_ELIMIT, d, "width");
    /* a width of 1 cannot hold 2^21 values of 5 digits in 2^20 rows */
    enum { N = 1 << 21 };
    double *many = malloc(N * sizeof *many);
    for (size_t i = 0; i < N; i++)
        many[i] = -0.5;
    opt.width = 1;
    CHECK_ERR(dira_encode(many, N, &opt, &px, &w, &h, &ch, NULL, &d), DIR_ELIMIT, d, "rows");
    free(many);
    opt.width = 0;
    opt.capacity = 3;
    CHECK_ERR(dira_encode(&one, 1, &opt, &px, &w, &h, &ch, NULL, &d), DIR_EINVAL, d, "option");
    dira_options_default(&opt);
    opt.classic = 1;
    opt.normalised = 1;
    CHECK_ERR(dira_encode(&one, 1, &opt, &px, &w, &h, &ch, NULL, &d), DIR_EINVAL, d,
              "normalisation");
    CHECK_ERR(dira_encode(NULL, 1, NULL, &px, &w, &h, &ch, NULL, &d), DIR_EINVAL, d, NULL);
    dira_options_default(&opt);
    opt.classic = 1;
    CHECK_ERR(dira_encode(NULL, 0, &opt, &px, &w, &h, &ch, NULL, &d), DIR_EINVAL, d, "empty array");

    /* decoding */
    uint8_t grey[64] = {0};
    double *v;
    size_t n;
    CHECK_ERR(dira_decode(grey, 8, 8, 1, 0, NULL, &v, &n, NULL, &d), DIR_EINVAL, d, "1-channel");
    uint8_t zero[3 * 16] = {0};
    dira_options_default(&opt);
    opt.classic = 1;
    opt.capacity = 1;
    CHECK_ERR(dira_decode(zero, 4, 4, 3, 0, &opt, &v, &n, NULL, &d), DIR_ESYNTAX, d, "no 'f'");
    CHECK_ERR(dira_decode(zero, 4, 4, 3, 0, NULL, &v, &n, NULL, &d), DIR_EINVAL, d,
              "configuration");
    opt.alpha = 1;
    CHECK_ERR(dira_decode(zero, 4, 4, 3, 0, &opt, &v, &n, NULL, &d), DIR_EINVAL, d, "alpha");
    opt.alpha = 0;
    /* a capacity-2 string cut inside its sign/count characters */
    uint8_t cut[6] = {0xF7, 0x70, 0x00, 0xF7, 0x00, 0x00}; /* "f77000" "f70000" */
    opt.capacity = 2;
    CHECK_ERR(dira_decode(cut, 2, 1, 3, 0, &opt, &v, &n, NULL, &d), DIR_ESYNTAX, d,
              "value 1 (byte 3): value string ends inside its integer part");
    /* an over-long value string */
    uint8_t longs[3 * 100];
    memset(longs, 0x11, sizeof longs);
    longs[0] = 0xF8;
    opt.capacity = 1;
    CHECK_ERR(dira_decode(longs, 100, 1, 3, 0, &opt, &v, &n, NULL, &d), DIR_ESYNTAX, d,
              "over the limit");
    /* more values than the caller allows */
    uint8_t fs[3 * 4];
    memset(fs, 0xF8, sizeof fs); /* "f8f8f8..." : 12 values "8" */
    opt.max_values = 5;
    CHECK_ERR(dira_decode(fs, 4, 1, 3, 0, &opt, &v, &n, NULL, &d), DIR_ELIMIT, d, "12 values");
    opt.max_values = 0;
    CHECK_ERR(dira_decode(fs, 4, 1, 3, 0, &opt, &v, &n, NULL, &d), DIR_ESYNTAX, d, "value 0");
    /* a header-shaped start with a bad count */
    double vals[3] = {1, 2, 3};
    dira_options_default(&opt);
    CHECK_ERR(dira_encode(vals, 3, &opt, &px, &w, &h, &ch, NULL, &d), DIR_OK, d, NULL);
    if (d.error == DIR_OK) {
        px[8] = 200; /* 200 values in a few digits */
        CHECK_ERR(dira_decode(px, w, h, ch, 0, NULL, &v, &n, NULL, &d), DIR_ESYNTAX, d,
                  "200 values");
        px[8] = 3;
        px[(size_t)w * h * ch - 1] = 1; /* padding must be zero */
        CHECK_ERR(dira_decode(px, w, h, ch, 0, NULL, &v, &n, NULL, &d), DIR_ESYNTAX, d,
                  "after the value stream");
        px[(size_t)w * h * ch - 1] = 0;
        px[5] |= 0x80;
        CHECK_ERR(dira_decode(px, w, h, ch, 0, NULL, &v, &n, NULL, &d), DIR_ESYNTAX, d, "reserved");
        dir_free(px);
    }
}

/* Random bytes, classic and self-describing-looking, never crash. */
static void test_garbage(void)
{
    uint64_t s = 12345;
    uint8_t buf[3 * 64];
    for (int round = 0; round < 20000; round++) {
        for (size_t i = 0; i < sizeof buf; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            buf[i] = (uint8_t)(s >> 56);
        }
        if (round & 1) {
            buf[0] = 0xFF;
            buf[1] = 'D';
            buf[2] = 'R';
            buf[3] = 'A';
            buf[4] = 1;
            buf[5] &= 0x07;
        }
        dira_options opt;
        dira_options_default(&opt);
        opt.classic = 1;
        opt.capacity = round % 3;
        opt.ldeczeroes = (round / 3) & 1;
        double *v = NULL;
        size_t n = 0;
        dir_diag d;
        dir_error e = dira_decode(buf, 8, 8, 3, 0, &opt, &v, &n, NULL, &d);
        if (e == DIR_OK) {
            for (size_t i = 0; i < n; i++)
                CHECK(isfinite(v[i]));
            dir_free(v);
        } else {
            CHECK(v == NULL && d.message[0] != '\0');
        }
    }
}

int main(void)
{
    test_values();
    test_limits_and_args();
    test_garbage();
    TEST_DONE();
}
