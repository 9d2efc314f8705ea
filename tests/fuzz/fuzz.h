/* SPDX-License-Identifier: MIT */
/* fuzz.h -- the libFuzzer entry points every harness defines, and the
 * check that turns a broken invariant into a crash the fuzzer reports.
 *
 * Each harness is built twice: with -fsanitize=fuzzer (clang, -Dfuzzing=true)
 * and with replay.c, whose main() feeds it files, so that the regression
 * folders and seed corpora are replayed by the normal test suite with any
 * compiler. */
#ifndef DIR_FUZZ_H
#define DIR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant the harness checks beyond "no crash": a wrong round trip is a
 * bug too, so it aborts like a sanitizer report. */
#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                           \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#endif
