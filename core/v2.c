/* SPDX-License-Identifier: MIT */
/* v2.c -- the version-2 pixel payload (see v2.h).
 *
 * PLACEHOLDER, until the version-2 codec lands: one zstd frame (with its
 * content size) of the samples, row-major with channels interleaved; for
 * 16-bit samples the frame holds first the high byte of every sample, then
 * the low bytes.  docs/FORMAT.md, "Payload", describes exactly this. */
#include "v2.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "diag.h"

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static dir_error
fail(dir_diag *diag, dir_error err, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dir_vfail(diag, err, offset, (uint64_t)-1, fmt, ap);
    va_end(ap);
    return err;
}

dir_error dir2_encode_payload(const dir_pixels *px, const dir_encode_options *opt, uint8_t **out,
                              size_t *out_size, dir_stats *stats, dir_diag *diag)
{
    size_t bps = px->depth == 16 ? 2 : 1;
    size_t row = (size_t)px->width * px->channels * bps;
    size_t n = row * px->height, samples = n / bps;
    (void)stats;
    *out = NULL;
    *out_size = 0;
    uint8_t *raw = malloc(n);
    if (!raw) return fail(diag, DIR_ENOMEM, 0, "out of memory");
    const uint8_t *src = px->data;
    if (bps == 1) {
        for (uint32_t y = 0; y < px->height; y++)
            memcpy(raw + row * y, src + px->stride * y, row);
    } else {
        size_t k = 0, per_row = row / 2;
        for (uint32_t y = 0; y < px->height; y++) {
            const uint16_t *r = (const uint16_t *)(const void *)(src + px->stride * y);
            for (size_t i = 0; i < per_row; i++, k++) {
                raw[k] = (uint8_t)(r[i] >> 8);
                raw[samples + k] = (uint8_t)r[i];
            }
        }
    }
    size_t cap = ZSTD_compressBound(n);
    uint8_t *frame = malloc(cap);
    if (!frame) {
        free(raw);
        return fail(diag, DIR_ENOMEM, 0, "out of memory");
    }
    size_t r = ZSTD_compress(frame, cap, raw, n, opt->level);
    free(raw);
    if (ZSTD_isError(r)) {
        free(frame);
        return fail(diag, DIR_EBACKEND, 0, "zstd: %s", ZSTD_getErrorName(r));
    }
    if (opt->progress && opt->progress(opt->progress_user, 1.0) != 0) {
        free(frame);
        return fail(diag, DIR_ECANCELLED, 0, "encoding cancelled");
    }
    *out = frame;
    *out_size = r;
    return DIR_OK;
}

dir_error dir2_decode_payload(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                              unsigned channels, unsigned depth, const dir_limits *limits,
                              void *samples, size_t samples_size, dir_diag *diag)
{
    (void)width;
    (void)height;
    (void)channels;
    (void)limits;
    unsigned long long content = ZSTD_getFrameContentSize(in, in_size);
    if (content == ZSTD_CONTENTSIZE_ERROR)
        return fail(diag, DIR_EBACKEND, 0, "the payload is not a zstd frame");
    if (content != samples_size)
        return fail(diag, DIR_EBACKEND, 0,
                    "the payload's zstd frame holds %lld bytes, the image %zu",
                    content == ZSTD_CONTENTSIZE_UNKNOWN ? -1LL : (long long)content, samples_size);
    size_t fsize = ZSTD_findFrameCompressedSize(in, in_size);
    if (ZSTD_isError(fsize) || fsize != in_size)
        return fail(diag, DIR_EBACKEND, 0, "the payload's zstd frame is not %zu bytes long",
                    in_size);
    uint8_t *dst = samples, *tmp = NULL;
    if (depth == 16) {
        tmp = malloc(samples_size);
        if (!tmp) return fail(diag, DIR_ENOMEM, 0, "out of memory");
        dst = tmp;
    }
    size_t got = ZSTD_decompress(dst, samples_size, in, in_size);
    if (ZSTD_isError(got) || got != samples_size) {
        free(tmp);
        return fail(diag, DIR_EBACKEND, 0, "zstd: %s",
                    ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short frame");
    }
    if (depth == 16) {
        size_t n = samples_size / 2;
        uint16_t *o = samples;
        for (size_t i = 0; i < n; i++)
            o[i] = (uint16_t)(tmp[i] << 8 | tmp[n + i]);
        free(tmp);
    }
    return DIR_OK;
}
