/* SPDX-License-Identifier: MIT */
/* fuzz_tio.h -- the body shared by the tensor-file harnesses (.npy, .npz,
 * safetensors, nested JSON): parse the input; when it parses, write the
 * tensors in the same format and parse them again: the same names, dtypes,
 * shapes, bytes and metadata.  Included by fuzz_tnpy.c, fuzz_npz.c,
 * fuzz_safetensors.c and fuzz_tjson.c, each defining PARSE(data, size, set,
 * err, errlen) and FORMAT(set, out, outlen, err, errlen) first. */
#include <string.h>

#include "fuzz.h"
#include "tensorio.h"

static void same_sets(const tio_set *a, const tio_set *b)
{
    FUZZ_CHECK(a->count == b->count && a->meta_count == b->meta_count);
    for (size_t i = 0; i < a->count; i++) {
        const dira_tensor *x = &a->t[i], *y = &b->t[i];
        FUZZ_CHECK(x->dtype == y->dtype && x->rank == y->rank);
        FUZZ_CHECK(memcmp(x->shape, y->shape, x->rank * sizeof x->shape[0]) == 0);
        uint64_t n = dira_tensor_elements(x) * dira_dtype_size(x->dtype);
        FUZZ_CHECK(n == 0 || memcmp(x->data, y->data, (size_t)n) == 0);
    }
    for (size_t i = 0; i < a->meta_count; i++)
        FUZZ_CHECK(strcmp(a->meta[i].key, b->meta[i].key) == 0 &&
                   strcmp(a->meta[i].value, b->meta[i].value) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tio_set s = {0};
    char err[512] = "";
    if (PARSE(data, size, &s, err, sizeof err) != 0) {
        FUZZ_CHECK(err[0] != '\0');
        FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
        tio_free(&s);
        return 0;
    }
    void *out = NULL;
    size_t outlen = 0;
    if (FORMAT(&s, &out, &outlen, err, sizeof err) == 0) {
        tio_set t = {0};
        int rc = PARSE((const uint8_t *)out, outlen, &t, err, sizeof err);
        if (rc != 0) fprintf(stderr, "re-parse failed: %s\n", err);
        FUZZ_CHECK(rc == 0);
        same_sets(&s, &t);
        tio_free(&t);
        free(out);
    }
    tio_free(&s);
    return 0;
}
