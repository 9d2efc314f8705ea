/* SPDX-License-Identifier: MIT */
/* dirtest.h -- building .dir files field by field, for the golden and
 * malformed-input tests.  The layout here is written from docs/FORMAT.md,
 * independently of core/dir.c. */
#ifndef DIRTEST_H
#define DIRTEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"

/* Offsets from docs/FORMAT.md. */
#define HDR    112 /* header size, where the data begins */
#define SIZES  28  /* size[0..19] */
#define PACKED 108

typedef struct stream_spec {
    const uint8_t *data;
    size_t len;
} stream_spec;

typedef struct file_spec {
    unsigned channels, filter, layout, backend;
    uint32_t width, height, crc;
    stream_spec s[DIR_STREAMS];
} file_spec;

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Builds a back-end-none file. *size receives its length; free() it. */
static inline uint8_t *make_file(const file_spec *f, size_t *size)
{
    size_t total = 0;
    for (int k = 0; k < DIR_STREAMS; k++)
        total += f->s[k].len;
    uint8_t *b = calloc(1, HDR + total + 1);
    static const uint8_t magic[8] = {0x8b, 'D', 'I', 'R', 0x0d, 0x0a, 0x1a, 0x0a};
    memcpy(b, magic, 8);
    b[8] = 1;
    b[9] = (uint8_t)f->channels;
    b[10] = (uint8_t)f->filter;
    b[11] = (uint8_t)f->layout;
    b[12] = (uint8_t)f->backend;
    put32(b + 16, f->width);
    put32(b + 20, f->height);
    put32(b + 24, f->crc);
    size_t at = HDR;
    for (int k = 0; k < DIR_STREAMS; k++) {
        put32(b + SIZES + 4 * k, (uint32_t)f->s[k].len);
        if (f->s[k].len) memcpy(b + at, f->s[k].data, f->s[k].len);
        at += f->s[k].len;
    }
    *size = at;
    return b;
}

#define STREAM(k, ...)                                                                             \
    do {                                                                                           \
        static const uint8_t s_##k[] = {__VA_ARGS__};                                              \
        spec.s[k].data = s_##k;                                                                    \
        spec.s[k].len = sizeof s_##k;                                                              \
    } while (0)

#endif
