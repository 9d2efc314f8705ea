/* SPDX-License-Identifier: MIT */
/* arraytest.h -- helpers shared by the array tests. */
#ifndef ARRAYTEST_H
#define ARRAYTEST_H

#include <stdint.h>
#include <string.h>

#include "dir.h"
#include "testutil.h"

static inline int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* The double of bit pattern b. */
static inline double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

/* What dira_encode gives: its error, the pixels (dir_free() them), their
 * size and channels, and the info. */
typedef struct encoded {
    dir_error e;
    uint8_t *px;
    uint32_t w, h;
    unsigned ch;
    dira_info info;
} encoded;

/* dira_encode of n values with the options o (NULL: the defaults); diag may
 * be NULL. */
static inline encoded encode(const double *v, size_t n, const dira_options *o, dir_diag *diag)
{
    encoded r;
    memset(&r, 0, sizeof r);
    dir_diag d;
    r.e = dira_encode(v, n, o, &r.px, &r.w, &r.h, &r.ch, &r.info, diag ? diag : &d);
    return r;
}

/* Checks err == want and that the diag message contains `needle` (NULL: any). */
#define CHECK_ERR(call, want, diag, needle)                                                        \
    do {                                                                                           \
        dir_error got_ = (call);                                                                   \
        if (got_ != (want)) {                                                                      \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n", __FILE__, __LINE__,       \
                    #call, (int)got_, (diag).message, (int)(want));                                \
            test_failures++;                                                                       \
        } else if ((needle) && !strstr((diag).message, (needle) ? (needle) : "")) {                \
            fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,            \
                    (diag).message, (needle) ? (needle) : "");                                     \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#endif
