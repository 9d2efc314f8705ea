/* SPDX-License-Identifier: MIT */
/* test_numio.c -- dirtool's number text: JSON through json-c with exact
 * doubles (integers past 2^64, negative zero), CSV, and their writers.
 * The .npy reader is tensorio's: test_tensorio.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraytest.h"
#include "numio.h"

static int json(const char *s, double **v, size_t *n, char *err)
{
    return numio_parse_json(s, strlen(s), 0, v, n, err, 256);
}

static void test_json(void)
{
    double *v;
    size_t n;
    char err[256];
    CHECK_EQ_INT(json(" [0.5, -0, 12345678901234567890123, -99999999999999999999, 9007199254740993,"
                      " 1e-320, [2, [3]], 0.30000000000000004] \n",
                      &v, &n, err),
                 0);
    CHECK_EQ_INT(n, 9);
    if (n == 9) {
        CHECK(v[0] == 0.5);
        CHECK(v[1] == 0 && signbit(v[1]));
        CHECK(same_bits(v[2], 12345678901234567890123.0));
        CHECK(same_bits(v[3], -99999999999999999999.0));
        CHECK(same_bits(v[4], 9007199254740992.0)); /* correctly rounded */
        CHECK(same_bits(v[5], 1e-320));
        CHECK(v[6] == 2 && v[7] == 3);
        CHECK(same_bits(v[8], 0.30000000000000004));
    }
    free(v);
    CHECK_EQ_INT(json("[NaN, Infinity, -Infinity]", &v, &n, err), 0);
    CHECK(n == 3 && isnan(v[0]) && v[1] == INFINITY && v[2] == -INFINITY);
    free(v);
    CHECK_EQ_INT(json("[]", &v, &n, err), 0);
    CHECK(n == 0 && v == NULL);
    /* strict JSON: no comments, leading zeros or trailing commas */
    CHECK_EQ_INT(json("[1, /* two */ 2]", &v, &n, err), -1);
    CHECK(strstr(err, "invalid JSON at byte 4") != NULL);
    CHECK_EQ_INT(json("[01]", &v, &n, err), -1);
    CHECK(strstr(err, "invalid JSON") != NULL);
    CHECK_EQ_INT(json("[1,]", &v, &n, err), -1);
    CHECK(strstr(err, "invalid JSON") != NULL);
    /* truncated or empty: json-c's "continue" is not shown */
    CHECK_EQ_INT(json("[1, 2", &v, &n, err), -1);
    CHECK(strcmp(err, "the JSON text ends early (at byte 5)") == 0);
    CHECK_EQ_INT(json("", &v, &n, err), -1);
    CHECK(strcmp(err, "empty file") == 0);
    CHECK_EQ_INT(json(" \n", &v, &n, err), -1);
    CHECK(strcmp(err, "empty file (only white space)") == 0);
    /* only white space after the value (json-c's strict mode) */
    CHECK_EQ_INT(json("[1, 2] \n3", &v, &n, err), -1);
    CHECK(strcmp(err, "invalid JSON at byte 8: unexpected character") == 0);
    CHECK_EQ_INT(json("[1, 2] \n", &v, &n, err), 0);
    free(v);
    /* a NUL byte: json-c would end its parse there and ignore the rest */
    CHECK_EQ_INT(numio_parse_json("[1, 2]\0[3]", 10, 0, &v, &n, err, 256), -1);
    CHECK(strcmp(err, "invalid JSON at byte 6: a NUL byte (JSON text holds none)") == 0);
    CHECK_EQ_INT(numio_parse_json("[1,\0 2]", 7, 0, &v, &n, err, 256), -1);
    CHECK(strcmp(err, "invalid JSON at byte 3: a NUL byte (JSON text holds none)") == 0);
    /* a complete value at the very end of the input (no newline) */
    CHECK_EQ_INT(json("[1, 2]", &v, &n, err), 0);
    CHECK(n == 2);
    free(v);
    CHECK_EQ_INT(json("3.25", &v, &n, err), -1);
    CHECK(strcmp(err, "the JSON document is not an array") == 0);
    CHECK_EQ_INT(json("[1, \"2\"]", &v, &n, err), -1);
    CHECK(strstr(err, "element 1 is a string") != NULL);
    CHECK_EQ_INT(json("[1, null]", &v, &n, err), -1);
    CHECK(strstr(err, "element 1 is a null") != NULL);
    CHECK_EQ_INT(json("{\"a\": 1}", &v, &n, err), -1);
    CHECK(strstr(err, "not an array") != NULL);
    CHECK_EQ_INT(json("[1e400]", &v, &n, err), -1);
    CHECK(strstr(err, "1e400 at index 0 overflows") != NULL);
    CHECK_EQ_INT(json("[1] x", &v, &n, err), -1);
    CHECK_EQ_INT(numio_parse_json("[1,2,3]", 7, 2, &v, &n, err, sizeof err), -1);
    CHECK(strstr(err, "more than 2") != NULL);

    /* writer: shortest forms, exact round trip */
    double w[6] = {0.5, -0.0, 1e300, 0.011661013260571639, 1e-7, 123456789012345680000.0};
    char *out;
    size_t len;
    CHECK_EQ_INT(numio_format_json(w, 6, &out, &len, err, sizeof err), 0);
    CHECK(strcmp(out, "[0.5,-0,1e+300,0.011661013260571639,1e-7,123456789012345680000]\n") == 0);
    CHECK_EQ_INT(json(out, &v, &n, err), 0);
    CHECK(n == 6 && memcmp(v, w, sizeof w) == 0);
    free(v);
    free(out);
    double bad = NAN;
    CHECK_EQ_INT(numio_format_json(&bad, 1, &out, &len, err, sizeof err), -1);
    CHECK(strstr(err, "NaN at index 0") != NULL);
}

static void test_csv(void)
{
    double *v;
    size_t n;
    char err[256];
    const char *t = "1, 2.5,-0\n3e2 4\r\n\n  -1e-320,0.1\n";
    CHECK_EQ_INT(numio_parse_csv(t, strlen(t), 0, &v, &n, err, sizeof err), 0);
    CHECK_EQ_INT(n, 7);
    if (n == 7) {
        CHECK(v[0] == 1 && v[1] == 2.5 && v[2] == 0 && signbit(v[2]) && v[3] == 300 && v[4] == 4);
        CHECK(same_bits(v[5], -1e-320) && same_bits(v[6], 0.1));
    }
    free(v);
    t = "1,2\n3,x\n";
    CHECK_EQ_INT(numio_parse_csv(t, strlen(t), 0, &v, &n, err, sizeof err), -1);
    CHECK(strstr(err, "line 2, column 3: 'x' is not a number") != NULL);
    t = "1,,2";
    CHECK_EQ_INT(numio_parse_csv(t, strlen(t), 0, &v, &n, err, sizeof err), -1);
    CHECK(strstr(err, "line 1: empty field") != NULL);
    t = "1,\n2";
    CHECK_EQ_INT(numio_parse_csv(t, strlen(t), 0, &v, &n, err, sizeof err), -1);
    double w[3] = {-0.0, 1e21, 0.1};
    char *out;
    size_t len;
    CHECK_EQ_INT(numio_format_csv(w, 3, &out, &len, err, sizeof err), 0);
    CHECK(strcmp(out, "-0\n1e+21\n0.1\n") == 0);
    free(out);
}

int main(void)
{
    test_json();
    test_csv();
    TEST_DONE();
}
