/* SPDX-License-Identifier: MIT */
/* test_limits.c -- decompression bombs against the core decoder, with
 * hand-made zstd frames (RLE blocks: a few bytes each for 128 KiB):
 *
 *  - 65535x65535 in a few hundred bytes: DIR_ELIMIT from dir_probe,
 *    dir_decode_alloc and dir_decode, before any large allocation (the
 *    address space is capped 256 MiB above what the test uses, unless built
 *    with AddressSanitizer, whose shadow memory needs more);
 *  - a legal all-zero 16384x16384 RGBA image in 153 bytes (1 GiB decoded):
 *    over a caller's limit it is DIR_ELIMIT; a 2048x2048 one decodes;
 *  - zstd frames whose declared content size disagrees with the header, or
 *    whose blocks hold more or fewer bytes than their header declares;
 *  - stream sizes beyond any legal payload: DIR_EHEADER before allocation;
 *  - stream sizes beyond what the code stream's sections can use: DIR_ESTREAM
 *    before the streams are allocated;
 *  - caller limits wider than the built-in ones, which do not widen them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "dir.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static void put32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
}

/* A zstd frame (single segment, 4-byte content size) declaring `declared`
 * bytes, whose RLE blocks of zeros really hold `real` bytes.  Returns its
 * size; buf needs 16 + 4 * (real / 128 KiB + 1) bytes. */
static size_t rle_frame(uint8_t *buf, uint32_t declared, uint64_t real)
{
    size_t n = 0;
    buf[n++] = 0x28;
    buf[n++] = 0xb5;
    buf[n++] = 0x2f;
    buf[n++] = 0xfd;
    buf[n++] = 0xA0; /* FCS 4 bytes, single segment, no checksum */
    put32(buf + n, declared);
    n += 4;
    do {
        uint32_t b = real > (1u << 17) ? 1u << 17 : (uint32_t)real;
        real -= b;
        uint32_t hdr = (real == 0 ? 1u : 0u) | 1u << 1 | b << 3; /* last, RLE, size */
        buf[n++] = (uint8_t)hdr;
        buf[n++] = (uint8_t)(hdr >> 8);
        buf[n++] = (uint8_t)(hdr >> 16);
        buf[n++] = 0;
    } while (real);
    return n;
}

/* A file: header for channels/width/height, stream 0 of `codes` bytes, zstd
 * frame declaring `declared` and holding `real` bytes.  malloc()ed. */
static uint8_t *zstd_file(unsigned ch, uint32_t w, uint32_t h, uint32_t codes, uint32_t declared,
                          uint64_t real, uint32_t crc, size_t *size)
{
    uint8_t *f = calloc(1, DIR_HEADER_SIZE + 16 + 4 * (real / (1u << 17) + 2));
    if (!f) abort();
    memcpy(f, "\x8b" "DIR\r\n\x1a\n", 8);
    f[8] = 1;
    f[9] = (uint8_t)ch;
    f[12] = 1; /* zstd */
    put32(f + 16, w);
    put32(f + 20, h);
    put32(f + 24, crc);
    put32(f + 28, codes);
    size_t fr = rle_frame(f + DIR_HEADER_SIZE, declared, real);
    put32(f + 108, (uint32_t)fr);
    *size = DIR_HEADER_SIZE + fr;
    return f;
}

static uint32_t zero_crc(uint64_t n)
{
    static const uint8_t zeros[65536];
    uint32_t crc = 0;
    while (n) {
        size_t k = n > sizeof zeros ? sizeof zeros : (size_t)n;
        crc = dir_crc32(crc, zeros, k);
        n -= k;
    }
    return crc;
}

static long vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = -1;
    if (f) {
        if (fscanf(f, "%ld", &pages) != 1) pages = -1;
        fclose(f);
    }
    return pages < 0 ? -1 : pages * 4096;
}

static uint64_t sections(uint32_t w, uint32_t h)
{
    return (uint64_t)((w + 15) / 16) * ((h + 15) / 16);
}

int main(void)
{
    if (!UNDER_ASAN) {
        long vm = vm_bytes();
        CHECK(vm > 0);
        struct rlimit rl = {(rlim_t)vm + (256l << 20), (rlim_t)vm + (256l << 20)};
        CHECK(setrlimit(RLIMIT_AS, &rl) == 0);
        /* volatile: clang -O2 removes an unused malloc/free pair, and then
         * takes the allocation to have succeeded */
        void *volatile big = malloc((size_t)512 << 20);
        CHECK(big == NULL); /* the cap works */
        free(big);
    }

    dir_diag dg;
    dir_info info;
    dir_limits lim;
    size_t n;
    void *px;

    /* 65535x65535 RGBA, all-zero codes in a zstd frame: 633 bytes. */
    uint64_t s65 = sections(65535, 65535);
    uint8_t *f = zstd_file(4, 65535, 65535, (uint32_t)s65, (uint32_t)s65, s65, 0, &n);
    CHECK(n < 1024);
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, &dg), DIR_ELIMIT);
    CHECK(strcmp(dg.message,
                 "image 65535x65535 has 4294836225 pixels, over the limit of 268435456") == 0);
    px = (void *)1;
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, NULL, NULL, &dg), DIR_ELIMIT);
    CHECK(px == NULL);
    uint8_t small[16];
    CHECK_EQ_INT(dir_decode(f, n, NULL, small, sizeof small, NULL, NULL, &dg), DIR_ELIMIT);
    free(f);

    /* 16384x16384 RGBA, all zero: legal (at DIR_MAX_PIXELS), 153 bytes for
     * 1 GiB.  A caller's limit refuses it; the defaults accept the header. */
    uint64_t s16 = sections(16384, 16384);
    f = zstd_file(4, 16384, 16384, (uint32_t)s16, (uint32_t)s16, s16, 0, &n);
    CHECK_EQ_INT(n, 153);
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, &dg), DIR_OK);
    /* the declared size, from the header alone (what a stream reader reads) */
    uint64_t declared = 0;
    CHECK_EQ_INT(dir_declared_size(f, DIR_HEADER_SIZE, NULL, &declared, &dg), DIR_OK);
    CHECK_EQ_INT(declared, 153);
    CHECK_EQ_INT(dir_declared_size(f, 50, NULL, &declared, &dg), DIR_ETRUNCATED);
    CHECK_EQ_INT(dir_probe(f, DIR_HEADER_SIZE, NULL, &info, &dg), DIR_ETRUNCATED);
    CHECK_EQ_INT(dir_decoded_size(&info), (size_t)1 << 30);
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict(&lim, 4096, 4096, (uint64_t)1 << 24), DIR_OK);
    px = (void *)1;
    CHECK_EQ_INT(dir_decode_alloc(f, n, &lim, &px, NULL, NULL, &dg), DIR_ELIMIT);
    CHECK(px == NULL);
    CHECK(strcmp(dg.message,
                 "image 16384x16384 is over the size limit (4096x4096, 16777216 pixels)") == 0);
    dir_limits_default(&lim);
    CHECK_EQ_INT(dir_limits_restrict(&lim, 0, 0, ((uint64_t)1 << 28) - 1), DIR_OK);
    CHECK_EQ_INT(dir_probe(f, n, &lim, &info, &dg), DIR_ELIMIT);
    CHECK(strcmp(dg.message,
                 "image 16384x16384 has 268435456 pixels, over the limit of 268435455") == 0);
    free(f);

    /* The same at 2048x2048 grey decodes: 4 MiB of zeros, CRC checked. */
    uint64_t s2 = sections(2048, 2048);
    f = zstd_file(1, 2048, 2048, (uint32_t)s2, (uint32_t)s2, s2, zero_crc(2048 * 2048), &n);
    px = NULL;
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_OK);
    if (px) {
        const uint8_t *p = px;
        size_t nonzero = 0;
        for (size_t i = 0; i < (size_t)2048 * 2048; i++) nonzero += p[i] != 0;
        CHECK_EQ_INT(nonzero, 0);
        dir_free(px);
    }
    free(f);

    /* Frame content size against the header: one more, one less. */
    f = zstd_file(1, 2048, 2048, (uint32_t)s2, (uint32_t)s2 + 1, s2 + 1, zero_crc(2048 * 2048), &n);
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_EBACKEND);
    CHECK(strstr(dg.message, "zstd frame holds 16385 bytes, the header declares 16384") != NULL);
    free(f);
    f = zstd_file(1, 2048, 2048, (uint32_t)s2, (uint32_t)s2 - 1, s2 - 1, zero_crc(2048 * 2048), &n);
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_EBACKEND);
    CHECK(strstr(dg.message, "zstd frame holds 16383 bytes, the header declares 16384") != NULL);
    free(f);
    /* A frame that declares the right size but whose blocks hold more, or
     * fewer, bytes: zstd's own check, never a write past the buffer. */
    f = zstd_file(1, 2048, 2048, (uint32_t)s2, (uint32_t)s2, s2 + 1000, 0, &n);
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_EBACKEND);
    CHECK(strstr(dg.message, "zstd") != NULL);
    free(f);
    f = zstd_file(1, 2048, 2048, (uint32_t)s2, (uint32_t)s2, s2 - 1000, 0, &n);
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_EBACKEND);
    free(f);
    /* A frame twenty times the largest legal payload, declared by both the
     * frame and the header: refused from the header (EHEADER) before the
     * frame is decompressed. */
    uint64_t huge = s2 * (1 + 256 * 3 + 2) * 20;
    CHECK(huge < UINT32_MAX);
    f = zstd_file(1, 2048, 2048, (uint32_t)huge, (uint32_t)huge, huge, 0, &n);
    f[11] = 1; /* interleaved: stream 0 may be longer than the code count */
    CHECK(n < 8192);
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, &dg), DIR_EHEADER);
    CHECK(strstr(dg.message, "exceed the maximum for a 2048x2048 image") != NULL);
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_EHEADER);
    free(f);

    /* A bomb within the probe's bound: 8192x8192 grey, all codes 00, but
     * the header declares 150 MB of raw colours (and the frame holds them).
     * The code stream is decompressed first and the size refused before the
     * 150 MB are allocated or decompressed. */
    uint64_t s8 = sections(8192, 8192);
    uint64_t raw = (uint64_t)150 << 20;
    f = zstd_file(1, 8192, 8192, (uint32_t)s8, (uint32_t)(s8 + raw), s8 + raw, 0, &n);
    put32(f + 28 + 4 * 17, (uint32_t)raw);
    CHECK_EQ_INT(dir_probe(f, n, NULL, &info, &dg), DIR_OK);
    CHECK_EQ_INT(dir_decode_scratch_size(&info), s8 + raw);
    px = NULL;
    CHECK_EQ_INT(dir_decode_alloc(f, n, NULL, &px, &info, NULL, &dg), DIR_ESTREAM);
    CHECK(strstr(dg.message, "stream 17 (07 raw colours) declares 157286400 bytes, more than "
                             "the 0 its sections can use") != NULL);
    CHECK(px == NULL);
    free(f);

    /* Limits wider than the built-in ones do not widen them: 1048576x4096
     * is within DIR_MAX_DIM but over DIR_MAX_PIXELS. */
    uint64_t sw = sections(1048576, 4096);
    f = zstd_file(1, 1048576, 4096, (uint32_t)sw, (uint32_t)sw, sw, 0, &n);
    lim.max_width = UINT32_MAX;
    lim.max_height = UINT32_MAX;
    lim.max_pixels = UINT64_MAX;
    CHECK_EQ_INT(dir_probe(f, n, &lim, &info, &dg), DIR_ELIMIT);
    CHECK(strcmp(dg.message,
                 "image 1048576x4096 has 4294967296 pixels, over the limit of 268435456") == 0);
    free(f);
    TEST_DONE();
}
