/* SPDX-License-Identifier: MIT */
/* testutil.h -- tiny assertion helpers shared by the C tests. */
#ifndef DIR_TESTUTIL_H
#define DIR_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exit code meson treats as "skipped". */
#define TEST_SKIP 77

static int test_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a,    \
                    a_, #b, b_);                                                                   \
            test_failures++;                                                                       \
        }                                                                                          \
    } while (0)

/* Path of a file under ../shared (DIR_SHARED).  When it is missing: under
 * CI=true the test fails; otherwise it is skipped. Returns a static buffer. */
static inline const char *shared_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("DIR_SHARED");
    if (!root) root = "../shared";
    snprintf(buf, sizeof buf, "%s/%s", root, rel);
    FILE *f = fopen(buf, "rb");
    if (!f) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0) {
            fprintf(stderr, "missing shared file %s (CI=true: failing)\n", buf);
            exit(1);
        }
        fprintf(stderr, "missing shared file %s: skipping\n", buf);
        exit(TEST_SKIP);
    }
    fclose(f);
    return buf;
}

#define TEST_DONE()                                                                                \
    do {                                                                                           \
        if (test_failures) {                                                                       \
            fprintf(stderr, "%d check(s) failed\n", test_failures);                                \
            return 1;                                                                              \
        }                                                                                          \
        return 0;                                                                                  \
    } while (0)

#endif
