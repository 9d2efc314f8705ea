/* SPDX-License-Identifier: MIT */
/* fuzz_dir.c -- libFuzzer harness for the .dir decoder: dir_probe, then
 * dir_decode under tight limits (4096x4096, 4 Mi pixels, so a hostile header
 * cannot make the fuzzer run out of memory); when a file decodes (after
 * storing the right CRC when only the CRC was wrong), the pixels are encoded
 * again with the file's own options and must decode to the same bytes, and
 * the probe must agree with the decoder. */
#include <string.h>

#include "dir.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dir_limits lim;
    dir_info info, info2;
    dir_diag diag;
    dir_stats stats;

    dir_limits_default(&lim);
    FUZZ_CHECK(dir_limits_restrict(&lim, 4096, 4096, (uint64_t)4 << 20) == DIR_OK);

    dir_error perr = dir_probe(data, size, &lim, &info, &diag);
    FUZZ_CHECK(perr == diag.error);
    FUZZ_CHECK(memchr(diag.message, '\0', sizeof diag.message) != NULL);
    if (perr != DIR_OK) {
        /* The decoder must refuse the same file for the same reason. */
        uint8_t one[4];
        FUZZ_CHECK(dir_decode(data, size, &lim, one, sizeof one, NULL, NULL, &diag) == perr);
        return 0;
    }
    FUZZ_CHECK(info.width >= 1 && info.width <= 4096 && info.height >= 1 && info.height <= 4096);
    FUZZ_CHECK((uint64_t)info.width * info.height <= ((uint64_t)4 << 20));

    size_t n = dir_decoded_size(&info);
    uint8_t *pixels = malloc(n);
    if (!pixels) return 0;
    /* A buffer one byte short is refused before any decoding. */
    FUZZ_CHECK(dir_decode(data, size, &lim, pixels, n - 1, NULL, NULL, NULL) == DIR_EBUFFER);
    dir_error err = dir_decode(data, size, &lim, pixels, n, &info2, &stats, &diag);
    FUZZ_CHECK(err == diag.error);
    uint8_t *fixed = NULL;
    if (err == DIR_ECRC) {
        /* Everything but the CRC was valid: store the CRC of what was
         * decoded, so the round trip below runs on every structurally valid
         * input, not only the rare mutant with a matching CRC. */
        fixed = malloc(size);
        if (fixed) {
            uint32_t crc = dir_crc32(0, pixels, n);
            memcpy(fixed, data, size);
            for (int k = 0; k < 4; k++) fixed[24 + k] = (uint8_t)(crc >> (8 * k));
            data = fixed;
            info.crc = crc;
            err = dir_decode(data, size, &lim, pixels, n, &info2, &stats, &diag);
            FUZZ_CHECK(err == diag.error);
        }
    }
    if (err != DIR_OK) {
        FUZZ_CHECK(diag.message[0] != '\0');
        free(fixed);
        free(pixels);
        return 0;
    }
    FUZZ_CHECK(memcmp(&info, &info2, sizeof info) == 0);
    FUZZ_CHECK(dir_crc32(0, pixels, n) == info.crc);
    FUZZ_CHECK(stats.file_bytes == size);
    uint64_t sum = 0;
    for (int c = 0; c < 9; c++) sum += stats.code_count[c];
    FUZZ_CHECK(sum == stats.sections);

    /* Round trip: encode with the file's options (fast zstd level), decode
     * again, same pixels. */
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    opt.filter = info.filter;
    opt.layout = info.layout;
    opt.backend = info.backend;
    opt.level = 1;
    void *enc = NULL;
    size_t enc_size = 0;
    err = dir_encode(pixels, info.width, info.height, info.channels, 0, &opt, &enc, &enc_size,
                     NULL, &diag);
    if (err == DIR_ENOMEM) {
        free(fixed);
        free(pixels);
        return 0;
    }
    if (err != DIR_OK) fprintf(stderr, "re-encode failed: %s\n", diag.message);
    FUZZ_CHECK(err == DIR_OK);
    uint8_t *again = malloc(n);
    if (again) {
        err = dir_decode(enc, enc_size, &lim, again, n, &info2, NULL, &diag);
        if (err != DIR_OK) fprintf(stderr, "decoding the re-encoded file: %s\n", diag.message);
        FUZZ_CHECK(err == DIR_OK);
        FUZZ_CHECK(memcmp(pixels, again, n) == 0);
        FUZZ_CHECK(info2.crc == info.crc && info2.width == info.width &&
                   info2.height == info.height && info2.channels == info.channels);
        free(again);
    }
    dir_free(enc);
    free(fixed);
    free(pixels);
    return 0;
}
