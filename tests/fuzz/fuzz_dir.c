/* SPDX-License-Identifier: MIT */
/* fuzz_dir.c -- libFuzzer harness for the .dir decoder, versions 1 and 2:
 * dir_probe, dir_read_metadata, then dir_decode under tight limits
 * (4096x4096, 4 Mi pixels, so a hostile header cannot make the fuzzer run
 * out of memory).  Checksums are repaired so that mutants reach the code
 * behind them: a version-2 file whose chunk CRCs are wrong gets them
 * recomputed (then the chunk contents, duplicates and critical types are
 * what is checked), and a file that decodes but for the pixel CRC gets the
 * right one.  When a file decodes, the probe must agree with the decoder,
 * the metadata must point into the file, and the samples and metadata are
 * encoded again (with the file's own options for version 1, as version 2
 * otherwise) and must decode to the same samples and metadata.  dir_describe
 * must fail as the decoder does or give counts that add up. */
#include <string.h>

#include "dir.h"
#include "fuzz.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* Recomputes the CRC of every chunk of a version-2 file whose chunk list
 * holds together (bounds only); returns 1 if it changed anything. */
static int fix_chunk_crcs(uint8_t *f, size_t size)
{
    if (size < DIR_HEADER_SIZE || f[8] != 2) return 0;
    uint64_t at = DIR2_HEADER_SIZE, end = at + rd32(f + 28);
    uint32_t count = rd32(f + 24);
    int changed = 0;
    if (end > size) return 0;
    for (uint32_t i = 0; i < count && i < DIR_MAX_CHUNKS; i++) {
        if (end - at < DIR_CHUNK_OVERHEAD) break;
        uint32_t len = rd32(f + at + 4);
        if (len > end - at - DIR_CHUNK_OVERHEAD) break;
        uint32_t crc = dir_crc32(dir_crc32(0, f + at, 4), f + at + 8, len);
        if (rd32(f + at + 8 + len) != crc) {
            wr32(f + at + 8 + len, crc);
            changed = 1;
        }
        at += DIR_CHUNK_OVERHEAD + (uint64_t)len;
    }
    return changed;
}

static int in_buffer(const void *p, size_t n, const uint8_t *buf, size_t size)
{
    const uint8_t *q = p;
    return n == 0 || (q >= buf && q <= buf + size && n <= (size_t)(buf + size - q));
}

static int same_bytes(const void *a, size_t na, const void *b, size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dir_limits lim;
    dir_info info, info2;
    dir_diag diag;
    dir_stats stats;
    dir_metadata meta, meta2;

    dir_limits_default(&lim);
    FUZZ_CHECK(dir_limits_restrict(&lim, 4096, 4096, (uint64_t)4 << 20) == DIR_OK);

    uint8_t *fixed = NULL;
    dir_error perr = dir_probe(data, size, &lim, &info, &diag);
    FUZZ_CHECK(perr == diag.error);
    FUZZ_CHECK(memchr(diag.message, '\0', sizeof diag.message) != NULL);
    if (perr == DIR_ECRC && size >= DIR_HEADER_SIZE && data[8] == 2) {
        /* a chunk's CRC: repair them all and look behind */
        fixed = malloc(size);
        if (!fixed) return 0;
        memcpy(fixed, data, size);
        if (fix_chunk_crcs(fixed, size)) {
            data = fixed;
            perr = dir_probe(data, size, &lim, &info, &diag);
            FUZZ_CHECK(perr == diag.error);
        }
    }
    if (perr != DIR_OK) {
        /* The decoder must refuse the same file for the same reason. */
        uint8_t one[4];
        FUZZ_CHECK(dir_decode(data, size, &lim, one, sizeof one, NULL, NULL, &diag) == perr);
        free(fixed);
        return 0;
    }
    FUZZ_CHECK(info.version == 1 || info.version == 2);
    FUZZ_CHECK(info.width >= 1 && info.width <= 4096 && info.height >= 1 && info.height <= 4096);
    FUZZ_CHECK((uint64_t)info.width * info.height <= ((uint64_t)4 << 20));
    FUZZ_CHECK(info.channels >= 1 && info.channels <= 4 && (info.depth == 8 || info.depth == 16));
    FUZZ_CHECK(info.version == 2 || (info.channels != 2 && info.depth == 8));

    /* The metadata: valid (the probe checked it), inside the file. */
    FUZZ_CHECK(dir_read_metadata(data, size, &meta, &diag) == DIR_OK);
    FUZZ_CHECK(in_buffer(meta.icc, meta.icc_size, data, size));
    FUZZ_CHECK(in_buffer(meta.exif, meta.exif_size, data, size));
    FUZZ_CHECK(in_buffer(meta.xmp, meta.xmp_size, data, size));
    FUZZ_CHECK(!meta.comment || in_buffer(meta.comment, strlen(meta.comment) + 1, data, size));
    FUZZ_CHECK((meta.density_x == 0) == (meta.density_y == 0));
    if (info.version == 1) FUZZ_CHECK(!meta.icc && !meta.exif && !meta.xmp && !meta.comment);

    size_t n = dir_decoded_size(&info);
    uint8_t *pixels = malloc(n);
    if (!pixels) {
        free(fixed);
        return 0;
    }
    /* A buffer one byte short is refused before any decoding. */
    FUZZ_CHECK(dir_decode(data, size, &lim, pixels, n - 1, NULL, NULL, NULL) == DIR_EBUFFER);
    dir_error err = dir_decode(data, size, &lim, pixels, n, &info2, &stats, &diag);
    FUZZ_CHECK(err == diag.error);
    /* The description reads the payload's layout as the decoder does: where
     * it fails the decoder fails the same way; where it succeeds, its
     * counts hold together. */
    dir_payload_info pi;
    dir_diag ddiag;
    dir_error derr = dir_describe(data, size, &lim, &pi, &ddiag);
    if (info.version == 1) {
        FUZZ_CHECK(derr == DIR_EVERSION);
    } else if (derr != DIR_OK) {
        FUZZ_CHECK(derr == err && strcmp(ddiag.message, diag.message) == 0);
    } else {
        uint64_t sum = pi.fills + pi.references + pi.section_palettes;
        for (int p = 0; p < DIR_PREDICTORS; p++)
            sum += pi.raw[p];
        FUZZ_CHECK(sum == pi.sections);
        FUZZ_CHECK(pi.sections == (uint64_t)((info.width + 15) / 16) * ((info.height + 15) / 16));
        FUZZ_CHECK(pi.transform <= 3 && pi.stream_raw[0] == pi.sections);
        FUZZ_CHECK(pi.colours == 0 ? pi.transform < 2 : pi.transform >= 2);
        uint64_t packed = pi.palette_packed;
        for (int k = 0; k < DIR_PAYLOAD_STREAMS; k++)
            packed += pi.stream_packed[k];
        FUZZ_CHECK(packed <= info.payload_size);
    }
    if (err == DIR_ECRC) {
        /* Everything but the pixel CRC was valid: store the CRC of what was
         * decoded, so the round trip below runs on every structurally valid
         * input, not only the rare mutant with a matching CRC. */
        uint8_t *copy = malloc(size);
        if (copy) {
            memcpy(copy, data, size);
            /* the CRC of the samples as the format defines it */
            uint32_t crc = 0;
            if (info.depth == 16) {
                const uint16_t *s = (const uint16_t *)(const void *)pixels;
                for (size_t i = 0; i < n / 2; i++) {
                    uint8_t le[2] = {(uint8_t)s[i], (uint8_t)(s[i] >> 8)};
                    crc = dir_crc32(crc, le, 2);
                }
            } else {
                crc = dir_crc32(0, pixels, n);
            }
            wr32(copy + (info.version == 2 ? 20 : 24), crc);
            free(fixed);
            fixed = copy;
            data = fixed;
            info.crc = crc;
            err = dir_decode(data, size, &lim, pixels, n, &info2, &stats, &diag);
            FUZZ_CHECK(err == diag.error);
            FUZZ_CHECK(dir_read_metadata(data, size, &meta, &diag) == DIR_OK);
        }
    }
    if (err != DIR_OK) {
        FUZZ_CHECK(diag.message[0] != '\0');
        free(fixed);
        free(pixels);
        return 0;
    }
    FUZZ_CHECK(memcmp(&info, &info2, sizeof info) == 0);
    FUZZ_CHECK(stats.file_bytes == size);
    uint64_t sum = 0;
    for (int c = 0; c < 9; c++)
        sum += stats.code_count[c];
    FUZZ_CHECK(sum == stats.sections);

    /* Round trip: encode (fast zstd level) and decode again: the same
     * samples and metadata. */
    dir_encode_options opt;
    dir_encode_options_default(&opt);
    if (info.version == 1) {
        opt.filter = info.filter;
        opt.layout = info.layout;
        opt.backend = info.backend;
        opt.format_version = 1;
    } else {
        opt.format_version = 2;
    }
    opt.level = 1;
    void *enc = NULL;
    size_t enc_size = 0;
    dir_pixels px = {pixels, info.width, info.height, info.channels, info.depth, 0};
    err = dir_encode_image(&px, &meta, &opt, &enc, &enc_size, NULL, &diag);
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
                   info2.height == info.height && info2.channels == info.channels &&
                   info2.depth == info.depth && info2.version == info.version);
        FUZZ_CHECK(dir_read_metadata(enc, enc_size, &meta2, &diag) == DIR_OK);
        FUZZ_CHECK(same_bytes(meta.icc, meta.icc_size, meta2.icc, meta2.icc_size));
        FUZZ_CHECK(same_bytes(meta.exif, meta.exif_size, meta2.exif, meta2.exif_size));
        FUZZ_CHECK(same_bytes(meta.xmp, meta.xmp_size, meta2.xmp, meta2.xmp_size));
        FUZZ_CHECK((meta.comment == NULL) == (meta2.comment == NULL));
        FUZZ_CHECK(!meta.comment || strcmp(meta.comment, meta2.comment) == 0);
        FUZZ_CHECK(meta.density_x == meta2.density_x && meta.density_y == meta2.density_y);
        free(again);
    }
    dir_free(enc);
    free(fixed);
    free(pixels);
    return 0;
}
