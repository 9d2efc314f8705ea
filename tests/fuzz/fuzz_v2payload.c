/* SPDX-License-Identifier: MIT */
/* fuzz_v2payload.c -- libFuzzer harness for the version-2 pixel payload
 * decoder (core/v2.c, dir2_decode_payload) on its own, before and besides
 * the container.  Input: width (1 byte, 0 read as 256), height (1 byte, the
 * same), a byte whose bits 0-1 are channels - 1 and bit 2 selects 16-bit
 * samples; then the payload.  When it decodes, the pixels are encoded again
 * (default and fast parameters) and must decode to the same samples.
 * Seeds (regressions/v2payload) are payloads of synthetic images from every
 * preset, in that framing. */
#include <string.h>

#include "fuzz.h"
#include "v2.h"

static void reencode(const uint8_t *px, uint32_t w, uint32_t h, unsigned ch, unsigned depth,
                     size_t n, int fast)
{
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    if (fast) FUZZ_CHECK(dir_encode_options_preset(&opt, "fast", NULL) == DIR_OK);
    dir_pixels pix = {px, w, h, ch, depth, 0};
    uint8_t *out = NULL;
    size_t size = 0;
    FUZZ_CHECK(dir2_encode_payload(&pix, &opt, &out, &size, NULL, NULL) == DIR_OK);
    uint8_t *back = malloc(n);
    if (back) {
        FUZZ_CHECK(dir2_decode_payload(out, size, w, h, ch, depth, NULL, back, n, NULL) == DIR_OK);
        FUZZ_CHECK(memcmp(back, px, n) == 0);
    }
    free(back);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    uint32_t w = data[0] ? data[0] : 256, h = data[1] ? data[1] : 256;
    unsigned ch = (data[2] & 3) + 1, depth = data[2] & 4 ? 16 : 8;
    size_t n = (size_t)w * h * ch * (depth / 8);
    uint8_t *px = malloc(n);
    if (!px) return 0;
    dir_diag diag;
    dir_error e = dir2_decode_payload(data + 3, size - 3, w, h, ch, depth, NULL, px, n, &diag);
    FUZZ_CHECK(e == diag.error);
    FUZZ_CHECK(memchr(diag.message, '\0', sizeof diag.message) != NULL);
    if (e != DIR_OK) {
        FUZZ_CHECK(diag.message[0] != '\0');
    } else {
        /* a buffer one byte short is refused */
        FUZZ_CHECK(dir2_decode_payload(data + 3, size - 3, w, h, ch, depth, NULL, px, n - 1,
                                       NULL) == DIR_EBUFFER);
        FUZZ_CHECK(dir2_decode_payload(data + 3, size - 3, w, h, ch, depth, NULL, px, n, NULL) ==
                   DIR_OK);
        reencode(px, w, h, ch, depth, n, 0);
        reencode(px, w, h, ch, depth, n, 1);
    }
    free(px);
    return 0;
}
