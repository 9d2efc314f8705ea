/* SPDX-License-Identifier: MIT */
/* test_tensorio.c -- dirtool's tensor .npy reader (tio_parse_npy) on
 * hand-made files, without NumPy: its writer's output read back, big-endian
 * float32, int8, Fortran order, integers no double holds (kept exactly),
 * and one case per malformed class (truncated data, unsupported and
 * structured dtypes, a shape over the limit, not a .npy file), each with
 * its message.  test_tensors.py covers files NumPy writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraytest.h"
#include "tensorio.h"

/* A version 1.0 header for dict in b, padded so the data starts on a
 * 64-byte boundary; *hdr is its size. */
static void npy_header(uint8_t *b, const char *dict, size_t *hdr)
{
    size_t dl = strlen(dict);
    size_t total = 10 + dl + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hl = dl + pad + 1;
    memcpy(b, "\x93NUMPY\x01\x00", 8);
    b[8] = (uint8_t)hl;
    b[9] = (uint8_t)(hl >> 8);
    memcpy(b + 10, dict, dl);
    memset(b + 10 + dl, ' ', pad);
    b[10 + hl - 1] = '\n';
    *hdr = 10 + hl;
}

/* tio_parse_npy of d[0..len): 0 with one tensor in *s, or -1 with err. */
static int npy(const uint8_t *d, size_t len, tio_set *s, char *err)
{
    memset(s, 0, sizeof *s);
    int rc = tio_parse_npy(d, len, "", s, err, 256);
    if (rc == 0) CHECK_EQ_INT(s->count, 1);
    return rc;
}

/* Whether tensor t is dtype dt of the given 1-D or 2-D shape (d1 0: 1-D)
 * holding exactly the bytes want[0..n). */
static int is(const dira_tensor *t, dira_dtype dt, uint64_t d0, uint64_t d1, const void *want,
              size_t n)
{
    unsigned rank = d1 ? 2 : 1;
    return t->dtype == dt && t->rank == rank && t->shape[0] == d0 && (!d1 || t->shape[1] == d1) &&
           memcmp(t->data, want, n) == 0;
}

static void test_npy(void)
{
    char err[256];
    tio_set s;

    /* the writer's float64 file reads back bit for bit; one byte short is
     * truncated data */
    double w[4] = {0.1, -0.0, 1e-320, 9007199254740993.0};
    dira_tensor t = {"", DIRA_F64, 1, {4}, w};
    uint8_t *b;
    size_t len;
    CHECK_EQ_INT(tio_format_npy(&t, &b, &len, err, sizeof err), 0);
    CHECK(len == 128 + 32 && memcmp(b, "\x93NUMPY\x01\x00", 8) == 0);
    CHECK(strstr((char *)b + 10, "'descr': '<f8'") != NULL);
    CHECK_EQ_INT(npy(b, len, &s, err), 0);
    CHECK(s.count == 1 && is(&s.t[0], DIRA_F64, 4, 0, w, sizeof w));
    tio_free(&s);
    CHECK_EQ_INT(npy(b, len - 1, &s, err), -1);
    CHECK(strcmp(err, ".npy declares 4 elements of 8 bytes, the file holds 31") == 0);
    tio_free(&s);
    free(b);

    uint8_t f[256];
    size_t h;
    /* big-endian float32, 2x2: little-endian in memory */
    npy_header(f, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", &h);
    const uint8_t f4[16] = {0x3F, 0x80, 0, 0, 0xC0, 0, 0, 0, 0x3D, 0xCC, 0xCC, 0xCD, 0, 0, 0, 1};
    memcpy(f + h, f4, 16);
    CHECK_EQ_INT(npy(f, h + 16, &s, err), 0);
    const float f4_want[4] = {1, -2, 0.1f, 1.401298464324817e-45f};
    CHECK(s.count == 1 && is(&s.t[0], DIRA_F32, 2, 2, f4_want, sizeof f4_want));
    tio_free(&s);
    /* int8 */
    npy_header(f, "{'descr': '|i1', 'fortran_order': False, 'shape': (3,), }", &h);
    f[h] = 0xFF;
    f[h + 1] = 0x7F;
    f[h + 2] = 0x80;
    CHECK_EQ_INT(npy(f, h + 3, &s, err), 0);
    const int8_t i1_want[3] = {-1, 127, -128};
    CHECK(s.count == 1 && is(&s.t[0], DIRA_I8, 3, 0, i1_want, sizeof i1_want));
    tio_free(&s);
    /* integers no double holds are kept as they are: int64 2^53 + 1, and
     * uint64 2^64 - 1 (the input of tests/fuzz/regressions/tnpy/
     * u8-max-to-double-ub.npy, found by the former 1-D reader's harness) */
    npy_header(f, "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", &h);
    const uint8_t i8[8] = {1, 0, 0, 0, 0, 0, 0x20, 0}; /* 2^53 + 1 */
    memcpy(f + h, i8, 8);
    CHECK_EQ_INT(npy(f, h + 8, &s, err), 0);
    CHECK(s.count == 1 && is(&s.t[0], DIRA_I64, 1, 0, i8, sizeof i8));
    tio_free(&s);
    npy_header(f, "{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", &h);
    memset(f + h, 0xff, 8);
    CHECK_EQ_INT(npy(f, h + 8, &s, err), 0);
    CHECK(s.count == 1 && is(&s.t[0], DIRA_U64, 1, 0, f + h, 8));
    tio_free(&s);
    /* Fortran order comes back in C order */
    npy_header(f, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", &h);
    const double fo[4] = {1, 3, 2, 4}; /* [[1, 2], [3, 4]] by columns */
    memcpy(f + h, fo, sizeof fo);
    CHECK_EQ_INT(npy(f, h + 32, &s, err), 0);
    const double fo_want[4] = {1, 2, 3, 4};
    CHECK(s.count == 1 && is(&s.t[0], DIRA_F64, 2, 2, fo_want, sizeof fo_want));
    tio_free(&s);

    /* unsupported dtype */
    npy_header(f, "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", &h);
    CHECK_EQ_INT(npy(f, h + 16, &s, err), -1);
    CHECK(strstr(err, ".npy dtype '<c16' not supported") != NULL);
    tio_free(&s);
    /* a structured (record) dtype is named as such */
    npy_header(
        f, "{'descr': [('a', '<f4'), ('b', '<i2')], 'fortran_order': False, 'shape': (2,), }", &h);
    CHECK_EQ_INT(npy(f, h + 12, &s, err), -1);
    CHECK(strcmp(err, ".npy holds a structured (record) dtype, [('a', '<f4'), ('b', '<i2')], which "
                      "is not supported (save each field as its own array)") == 0);
    tio_free(&s);
    /* a shape over the limit, refused before any allocation */
    npy_header(f, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000), }", &h);
    CHECK_EQ_INT(npy(f, h, &s, err), -1);
    CHECK(strstr(err, ".npy shape holds more than") != NULL);
    tio_free(&s);
    /* not a .npy file */
    CHECK_EQ_INT(npy((const uint8_t *)"hello world", 11, &s, err), -1);
    CHECK(strcmp(err, "not a .npy file") == 0);
    tio_free(&s);
}

int main(void)
{
    test_npy();
    TEST_DONE();
}
