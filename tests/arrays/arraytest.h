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
