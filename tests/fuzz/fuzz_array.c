/* SPDX-License-Identifier: MIT */
/* fuzz_array.c -- libFuzzer harness for the numeric-array decoders
 * (dira_decode, classic and self-describing) and the value-string parser.
 *
 * Input: byte 0 selects the configuration, byte 1 the width, the rest are
 * the pixel bytes (the last row padded with zeros):
 *   bits 0-1  capacity (3 reads as 2)      bit 2  ldeczeroes
 *   bit 3     RGBA (else RGB)               bit 4  classic decoding allowed
 *   bit 5     alpha carries data (classic)  bit 6  fix the self-describing
 *             header's CRC first, so the fuzzer gets past it
 *   bit 7     rows padded to a stride one byte longer than the pixels
 * When values decode, they are encoded again (self-describing, and classic
 * with the same configuration when it holds them exactly) and must decode
 * to the same doubles, bit for bit.  Every value string the parser accepts
 * and the formatter can write must read back as the same double. */
#include <math.h>
#include <string.h>

#include "dir.h"
#include "fuzz.h"

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Same doubles, bit for bit. */
static int same_bits(const double *a, const double *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

static void roundtrip(const double *v, size_t n, const dira_options *enc_opt)
{
    uint8_t *px = NULL;
    uint32_t w, h;
    unsigned ch;
    dira_info info;
    dir_diag diag;
    dir_error err = dira_encode(v, n, enc_opt, &px, &w, &h, &ch, &info, &diag);
    if (err != DIR_OK) {
        /* Only values the configuration cannot hold may be refused. */
        FUZZ_CHECK(err == DIR_ERANGE || err == DIR_ENOMEM || (enc_opt->classic && n == 0));
        return;
    }
    dira_options dec;
    dira_options_default(&dec);
    dec.classic = enc_opt->classic;
    dec.capacity = info.capacity;
    dec.ldeczeroes = info.ldeczeroes;
    dec.alpha = info.alpha;
    double *back = NULL;
    size_t m = 0;
    err = dira_decode(px, w, h, ch, 0, &dec, &back, &m, NULL, &diag);
    if (err != DIR_OK) fprintf(stderr, "re-decode failed: %s\n", diag.message);
    FUZZ_CHECK(err == DIR_OK);
    /* Classic images carry no count: trailing zero bytes of padding cannot
     * add values, so the count must match too. */
    FUZZ_CHECK(m == n);
    FUZZ_CHECK(same_bits(v, back, n));
    dir_free(back);
    dir_free(px);
}

static void parse_strings(const uint8_t *data, size_t size, int cap, int ldz)
{
    /* Treat the bytes as text: each run between 'f's is one value string. */
    size_t start = 0;
    for (size_t i = 0; i <= size && i < 4096; i++) {
        if (i < size && data[i] != 'f' && data[i] != 'F') continue;
        if (i > start) {
            double v;
            if (dira_parse_value((const char *)data + start, i - start, cap, ldz, &v, NULL) ==
                DIR_OK) {
                FUZZ_CHECK(!isnan(v));
                char buf[DIRA_TOKEN_BUFSIZE];
                if (dira_format_value(v, cap, ldz, buf, sizeof buf, NULL) == DIR_OK) {
                    double again;
                    FUZZ_CHECK(buf[0] == 'f');
                    FUZZ_CHECK(dira_parse_value(buf, strlen(buf), cap, ldz, &again, NULL) ==
                               DIR_OK);
                    FUZZ_CHECK(memcmp(&v, &again, sizeof v) == 0);
                }
            }
        }
        start = i + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    unsigned sel = data[0];
    int cap = (sel & 3) == 3 ? 2 : (int)(sel & 3);
    int ldz = (sel >> 2) & 1;
    unsigned channels = (sel & 8) ? 4 : 3;
    int classic = (sel >> 4) & 1;
    int alpha = channels == 4 && ((sel >> 5) & 1);
    int fixcrc = (sel >> 6) & 1;
    int padded = (sel >> 7) & 1;
    uint32_t width = (uint32_t)data[1] + 1;
    const uint8_t *body = data + 2;
    size_t n = size - 2;

    parse_strings(body, n, cap, ldz);

    size_t row = (size_t)width * channels;
    size_t stride = row + (size_t)padded;
    uint32_t height = (uint32_t)((n + row - 1) / row);
    if (height == 0) height = 1;
    uint8_t *px = calloc((size_t)height, stride);
    if (!px) return 0;
    for (size_t i = 0; i < n; i++)
        px[(i / row) * stride + i % row] = body[i];

    if (fixcrc && channels == 3 && n >= DIRA_HEADER_SIZE && px[0] == 0xFF && !padded) {
        /* RGB without padding: the byte stream is the pixel bytes.  Version
         * 1: CRC at 40 over 40 header bytes and the digits; version 2: CRC
         * at 44 over 44 header bytes, the table (size at 40) and the
         * payload (digits, or bytes when px[6] is 1). */
        int v2 = px[4] == 2;
        size_t fixed = v2 ? DIRA_HEADER_SIZE : DIRA_HEADER_SIZE_V1, at = v2 ? 44 : 40;
        uint64_t payload = le64(px + 16);
        uint64_t table = v2 ? (uint64_t)px[40] | (uint64_t)px[41] << 8 | (uint64_t)px[42] << 16 |
                                  (uint64_t)px[43] << 24
                            : 0;
        uint64_t bytes = v2 && px[6] == 1 ? payload : (payload + 1) / 2;
        size_t avail = (size_t)height * row - fixed;
        if (table <= avail && bytes <= avail - table) {
            uint32_t crc = dir_crc32(0, px, at);
            crc = dir_crc32(crc, px + fixed, (size_t)(table + bytes));
            for (int k = 0; k < 4; k++)
                px[at + k] = (uint8_t)(crc >> (8 * k));
        }
    }

    dira_options opt;
    dira_options_default(&opt);
    opt.classic = classic;
    opt.capacity = cap;
    opt.ldeczeroes = ldz;
    opt.alpha = alpha;
    opt.max_values = 1 << 20;

    /* The tensor reader: whatever it accepts re-encodes (binary) to the
     * same tensors, names, shapes and bytes. */
    dira_tensors *ts = NULL;
    dir_diag tdiag;
    dir_error terr =
        dira_decode_tensors(px, width, height, channels, stride, &opt, &ts, NULL, &tdiag);
    FUZZ_CHECK(terr == tdiag.error);
    if (terr == DIR_OK) {
        dira_options bin;
        dira_options_default(&bin);
        bin.encoding = DIRA_ENCODING_BINARY;
        uint8_t *tp = NULL;
        uint32_t tw, th;
        unsigned tc;
        if (dira_encode_tensors(ts->tensors, ts->count, ts->meta, ts->meta_count, &bin, &tp, &tw,
                                &th, &tc, NULL, &tdiag) == DIR_OK) {
            dira_tensors *t2 = NULL;
            FUZZ_CHECK(dira_decode_tensors(tp, tw, th, tc, 0, NULL, &t2, NULL, &tdiag) == DIR_OK);
            FUZZ_CHECK(t2 && t2->count == ts->count && t2->meta_count == ts->meta_count);
            for (size_t i = 0; t2 && i < ts->count; i++) {
                const dira_tensor *a = &ts->tensors[i], *b = &t2->tensors[i];
                uint64_t ne = dira_tensor_elements(a);
                FUZZ_CHECK(strcmp(a->name, b->name) == 0 && a->dtype == b->dtype &&
                           a->rank == b->rank);
                FUZZ_CHECK(ne == 0 ||
                           memcmp(a->data, b->data, ne * dira_dtype_size(a->dtype)) == 0);
            }
            dir_free(t2);
            dir_free(tp);
        }
        dir_free(ts);
    }

    double *values = NULL;
    size_t count = 7;
    dira_info info;
    dir_diag diag;
    dir_error err =
        dira_decode(px, width, height, channels, stride, &opt, &values, &count, &info, &diag);
    FUZZ_CHECK(err == diag.error);
    if (err != DIR_OK) {
        FUZZ_CHECK(values == NULL && count == 0);
        FUZZ_CHECK(diag.message[0] != '\0');
        free(px);
        return 0;
    }
    FUZZ_CHECK(count <= (1 << 20));
    FUZZ_CHECK((count == 0) == (values == NULL));
    /* digit payloads hold finite values only; binary ones any double */
    if (info.encoding == DIRA_ENCODING_DIGITS)
        for (size_t i = 0; i < count; i++)
            FUZZ_CHECK(isfinite(values[i]));
    FUZZ_CHECK(info.count == count);

    /* Self-describing round trip: every finite double comes back exactly. */
    dira_options enc;
    dira_options_default(&enc);
    if (count) roundtrip(values, count, &enc);

    /* Classic round trip in the configuration that was read. */
    if (count && info.classic) {
        dira_options_default(&enc);
        enc.classic = 1;
        enc.capacity = info.capacity;
        enc.ldeczeroes = info.ldeczeroes;
        enc.alpha = info.alpha;
        roundtrip(values, count, &enc);
    }
    dir_free(values);
    free(px);
    return 0;
}
