/* SPDX-License-Identifier: MIT */
/* dirtest.h -- building .dir files field by field, for the golden and
 * malformed-input tests, and the checks those tests share: the decoder's
 * error and message for a file, a file with one field patched, bytes equal
 * to golden bytes.  The layout here is written from docs/FORMAT.md,
 * independently of core/dir.c. */
#ifndef DIRTEST_H
#define DIRTEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "testutil.h"

/* Offsets from docs/FORMAT.md, "Version 1". */
#define HDR    112 /* header size, where the data begins */
#define SIZES  28  /* size[0..19] */
#define PACKED 108

/* Offsets from docs/FORMAT.md, "Version 2". */
#define V2_HDR  40  /* header size, where the chunk list begins */
#define MINFILE 112 /* the least size of a file (either version) */

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

static inline void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put_magic(uint8_t *f)
{
    static const uint8_t magic[8] = {0x8b, 'D', 'I', 'R', 0x0d, 0x0a, 0x1a, 0x0a};
    memcpy(f, magic, 8);
}

/* Builds a back-end-none file. *size receives its length; free() it. */
static inline uint8_t *make_file(const file_spec *f, size_t *size)
{
    size_t total = 0;
    for (int k = 0; k < DIR_STREAMS; k++)
        total += f->s[k].len;
    uint8_t *b = calloc(1, HDR + total + 1);
    put_magic(b);
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

/* Stream k of a case in a table: BYTES_OF(k, 0x01, 0x03) is stream k holding
 * 01 03 (a compound literal: give tables of them static storage). */
typedef struct stream_init {
    unsigned k;
    const uint8_t *data;
    size_t len;
} stream_init;
#define BYTES_OF(k, ...)                                                                           \
    {                                                                                              \
        (k), (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})                \
    }

/* Sets the streams of `init` (up to `count`, ending at one of length 0) in *f. */
static inline void set_streams(file_spec *f, const stream_init *init, size_t count)
{
    for (size_t i = 0; i < count && init[i].len; i++) {
        f->s[init[i].k].data = init[i].data;
        f->s[init[i].k].len = init[i].len;
    }
}

/* The header of docs/FORMAT.md, "Version 2". */
static inline void v2_header(uint8_t *f, unsigned c, unsigned depth, uint32_t w, uint32_t h,
                             uint32_t crc, uint32_t count, uint32_t chunks, uint64_t payload)
{
    put_magic(f);
    f[8] = 2;
    f[9] = (uint8_t)c;
    f[10] = (uint8_t)depth;
    f[11] = 0;
    put32(f + 12, w);
    put32(f + 16, h);
    put32(f + 20, crc);
    put32(f + 24, count);
    put32(f + 28, chunks);
    put64(f + 32, payload);
}

/* Appends a version-2 chunk (type, length, data, CRC of type and data) at *at. */
static inline void v2_chunk(uint8_t *f, size_t *at, const char *type, const void *data,
                            uint32_t len)
{
    memcpy(f + *at, type, 4);
    put32(f + *at + 4, len);
    if (len) memcpy(f + *at + 8, data, len);
    put32(f + *at + 8 + len, dir_crc32(dir_crc32(0, f + *at, 4), data, len));
    *at += 12 + len;
}

/* Decodes f (with the limits lim, NULL: the defaults) and checks the error
 * code, that the message contains `text` (NULL: any) and that the diag's
 * error is the one returned.  With `metadata`, also that dir_read_metadata,
 * which validates the container the same way, returns that error (when
 * lim is NULL and the error is not one only decoding the pixels finds).
 * `what` and `n` name the case in a failure ("line", __LINE__). */
static inline void expect_decode(const uint8_t *f, size_t size, const dir_limits *lim,
                                 dir_error want, const char *text, int metadata, const char *what,
                                 int n)
{
    static uint8_t out[64 * 64 * 8];
    dir_diag dg;
    memset(&dg, 0, sizeof dg);
    dir_error got = dir_decode(f, size, lim, out, sizeof out, NULL, NULL, &dg);
    if (got != want || (text && !strstr(dg.message, text))) {
        fprintf(stderr, "%s %d: got %d (%s) \"%s\", want %d (%s) containing \"%s\"\n", what, n, got,
                dir_strerror(got), dg.message, want, dir_strerror(want), text ? text : "");
        test_failures++;
    }
    if (got != DIR_OK && dg.error != got) {
        fprintf(stderr, "%s %d: diag.error %d differs from return %d\n", what, n, dg.error, got);
        test_failures++;
    }
    if (!metadata) return;
    dir_metadata m;
    dir_error mr = dir_read_metadata(f, size, &m, NULL);
    if (!lim && want != DIR_ECRC && want != DIR_EBACKEND && want != DIR_EBUFFER && mr != want) {
        fprintf(stderr, "%s %d: dir_read_metadata gave %d, want %d\n", what, n, mr, want);
        test_failures++;
    }
}

/* One field of a valid file changed, and the error that must follow. */
typedef enum patch_op {
    PATCH_BYTE, /* f[at] = v */
    PATCH_WORD, /* put32(f + at, v) */
    PATCH_XOR,  /* f[at] ^= v */
} patch_op;
typedef struct patch {
    patch_op op;
    size_t at;
    uint32_t v;
    dir_error e;
    const char *text;
} patch;

/* Each patch of the table on its own copy of the n-byte file f; with
 * `metadata` as for expect_decode. */
static inline void expect_patches(const uint8_t *f, size_t n, const patch *p, size_t count,
                                  int metadata, const char *what)
{
    uint8_t *b = malloc(n);
    for (size_t i = 0; i < count; i++) {
        memcpy(b, f, n);
        switch (p[i].op) {
        case PATCH_BYTE: b[p[i].at] = (uint8_t)p[i].v; break;
        case PATCH_WORD: put32(b + p[i].at, p[i].v); break;
        case PATCH_XOR: b[p[i].at] ^= (uint8_t)p[i].v; break;
        }
        expect_decode(b, n, NULL, p[i].e, p[i].text, metadata, what, (int)i);
    }
    free(b);
}

/* Checks that `got` is the golden `want`, byte for byte. */
static inline void expect_bytes(const uint8_t *got, size_t ngot, const uint8_t *want, size_t nwant,
                                const char *what, int line)
{
    if (!got || ngot != nwant || memcmp(got, want, nwant) != 0) {
        size_t at = 0;
        while (got && at < ngot && at < nwant && got[at] == want[at])
            at++;
        fprintf(stderr, "line %d: %s %zu bytes, golden %zu; first difference at %zu\n", line, what,
                ngot, nwant, at);
        test_failures++;
    }
}

#endif
