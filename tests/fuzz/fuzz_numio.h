/* SPDX-License-Identifier: MIT */
/* fuzz_numio.h -- the body shared by the JSON and CSV harnesses: parse the
 * input; when it parses and every value is finite, write the values in the
 * same format and parse them again: the same doubles, bit for bit.  Included
 * by fuzz_json.c and fuzz_csv.c, each defining PARSE and FORMAT first. */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "numio.h"

/* Small enough that the fuzzer never runs out of memory. */
#define FUZZ_MAX_VALUES (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double *v = NULL;
    size_t n = 12345;
    char err[256] = "";
    if (PARSE((const void *)data, size, FUZZ_MAX_VALUES, &v, &n, err, sizeof err) != 0) {
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        free(v);
        return 0;
    }
    FUZZ_CHECK(n <= FUZZ_MAX_VALUES);
    FUZZ_CHECK((n == 0) == (v == NULL));
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) {
            free(v);
            return 0;
        }
    FORMAT_TYPE *out = NULL;
    size_t outlen = 0;
    if (FORMAT(v, n, &out, &outlen, err, sizeof err) == 0) {
        double *w = NULL;
        size_t m = 0;
        int rc = PARSE((const void *)out, outlen, FUZZ_MAX_VALUES, &w, &m, err, sizeof err);
        if (rc != 0) fprintf(stderr, "re-parse failed: %s\n", err);
        FUZZ_CHECK(rc == 0);
        FUZZ_CHECK(m == n);
        FUZZ_CHECK(n == 0 || memcmp(v, w, n * sizeof *v) == 0);
        free(w);
        free(out);
    }
    free(v);
    return 0;
}
