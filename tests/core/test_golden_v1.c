/* SPDX-License-Identifier: MIT */
/* Golden version-1 files: every version-1 file decodes forever.
 *
 * tests/core/golden-v1/ holds files written by the version-1 encoder of
 * commit bd0aac2 (the last commit before format version 2) in every mode:
 * filter none/sub x layout ordered/interleaved x back end none/zstd x codes
 * smallest/zstd, for grey, RGB and RGBA versions of one 56x40 image whose
 * twelve sections exercise every section code, edge sections and references
 * (full to full, edge to full, corner to full).  The expected pixels are
 * committed as raw samples (src-c1.raw, src-c3.raw, src-c4.raw: row-major,
 * channels interleaved) and MANIFEST.tsv gives each file's pixel CRC-32,
 * byte count and sections per code.
 *
 *   test_golden_v1              checks every file: it decodes to its PNG's
 *                               samples with the manifest's CRC; the files of
 *                               back end none are what the encoder still
 *                               writes, byte for byte (version 1 forced, and
 *                               seed-pure mode with filter none by default);
 *   test_golden_v1 --write DIR  (re)writes the raw samples and the files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "testutil.h"

#define W 56
#define H 40

/* Colours of the test image, as RGBA; grey takes byte 0, RGB bytes 0-2. */
static const uint8_t pal[8][4] = {
    {0, 0, 0, 0},         {200, 40, 90, 255},  {10, 220, 30, 128}, {70, 70, 250, 255},
    {255, 255, 255, 255}, {120, 130, 140, 64}, {5, 15, 25, 35},    {240, 200, 10, 200},
};

static uint32_t rng_state = 2463534242u;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Palette index of pixel (x, y) in section (sx, sy), local coordinates. */
static int section_pixel(unsigned s, unsigned x, unsigned y)
{
    switch (s) {
    case 0: return 0;                             /* 00 all zero */
    case 1: return 1;                             /* 01 one colour */
    case 2: return x == 5 && y == 7 ? 2 : 1;      /* 02 one pixel differs */
    case 3: return section_pixel(2, x, y);        /* edge: copy of 2's left part (03) */
    case 4: return ((x / 2 + y) & 1) ? 3 : 4;     /* 08 two colours */
    case 5:                                       /* 05 zero implicit */
        if (y < 2 && x < 5) return 2;             /* 10 pixels */
        if (x >= 8 && y >= 8 && y < 13) return 3; /* 40 pixels */
        if (x == 15 && y < 3) return 5;           /* 3 pixels */
        return 0;
    case 6: return section_pixel(2, x, y);                          /* 03 full to full */
    case 7: return x == 3 && y == 3 ? 2 : x == 6 && y == 9 ? 3 : 1; /* 06 no zero */
    case 8:                                                         /* 04 colour elimination */
        if ((x * 7 + y * 3) % 11 == 0) return 3;
        if ((x + y * 5) % 13 == 0) return 5;
        if (x == 4 && y == 4) return 0;
        return 7;
    case 9: return -1;                      /* 07 raw: noise */
    case 10: return section_pixel(4, x, y); /* bottom edge: copy of 4 (03) */
    case 11: return section_pixel(5, x, y); /* corner: copy of 5 (03) */
    }
    return 0;
}

static void make_image(unsigned c, uint8_t *img)
{
    rng_state = 2463534242u;
    for (unsigned y = 0; y < H; y++)
        for (unsigned x = 0; x < W; x++) {
            unsigned s = (y / 16) * 4 + x / 16;
            int i = section_pixel(s, x % 16, y % 16);
            uint8_t *p = img + ((size_t)y * W + x) * c;
            for (unsigned k = 0; k < c; k++)
                p[k] = i < 0 ? (uint8_t)rnd() : pal[i][k];
        }
}

typedef struct mode {
    dir_filter filter;
    dir_layout layout;
    dir_backend backend;
    dir_codes codes;
} mode;

static void mode_of(unsigned m, mode *md)
{
    md->filter = (m & 1) ? DIR_FILTER_SUB : DIR_FILTER_NONE;
    md->layout = (m & 2) ? DIR_LAYOUT_INTERLEAVED : DIR_LAYOUT_ORDERED;
    md->backend = (m & 4) ? DIR_BACKEND_ZSTD : DIR_BACKEND_NONE;
    md->codes = (m & 8) ? DIR_CODES_ZSTD : DIR_CODES_SMALLEST;
}

static void file_name(char *buf, size_t n, unsigned c, const mode *md)
{
    snprintf(buf, n, "v1-c%u-%s-%s-%s-%s.dir", c, dir_filter_name(md->filter),
             dir_layout_name(md->layout), dir_backend_name(md->backend), dir_codes_name(md->codes));
}

static void options_of(const mode *md, int force_v1, dir_encode_options *opt)
{
    dir_encode_options_default(opt);
    opt->filter = md->filter;
    opt->layout = md->layout;
    opt->backend = md->backend;
    opt->codes = md->codes;
    opt->level = DIR_DEFAULT_LEVEL;
    if (force_v1) opt->format_version = 1;
}

static const unsigned chans[3] = {1, 3, 4};

static int write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 1;
    int bad = fwrite(data, 1, size, f) != size;
    return fclose(f) != 0 || bad;
}

/* Reads a whole file into a malloc()ed buffer; NULL on failure. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, n;
    if (!f) return NULL;
    do {
        if (cap - len < 4096) {
            uint8_t *p = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!p) break;
            buf = p;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n);
    fclose(f);
    *size = len;
    return buf;
}

static int write_all(const char *dir)
{
    char path[2048], name[128];
    snprintf(path, sizeof path, "%.1000s/MANIFEST.tsv", dir);
    FILE *man = fopen(path, "w");
    if (!man) return 1;
    fprintf(man, "# file\tchannels\twidth\theight\tpixel_crc\tbytes\tcodes 00..08\n");
    for (int ci = 0; ci < 3; ci++) {
        unsigned c = chans[ci];
        uint8_t img[W * H * 4];
        make_image(c, img);
        snprintf(path, sizeof path, "%.1000s/src-c%u.raw", dir, c);
        if (write_file(path, img, (size_t)W * H * c)) return 1;
        for (unsigned m = 0; m < 16; m++) {
            mode md;
            dir_encode_options opt;
            void *out;
            size_t size;
            dir_stats st;
            mode_of(m, &md);
            options_of(&md, 1, &opt);
            if (dir_encode(img, W, H, c, 0, &opt, &out, &size, &st, NULL) != DIR_OK) return 1;
            file_name(name, sizeof name, c, &md);
            snprintf(path, sizeof path, "%.1000s/%.127s", dir, name);
            if (write_file(path, out, size)) return 1;
            fprintf(man, "%s\t%u\t%u\t%u\t%08x\t%zu\t", name, c, W, H,
                    dir_crc32(0, img, (size_t)W * H * c), size);
            for (int k = 0; k < 9; k++)
                fprintf(man, "%s%llu", k ? "," : "", (unsigned long long)st.code_count[k]);
            fprintf(man, "\n");
            dir_free(out);
        }
    }
    return fclose(man) != 0;
}

static void check_all(const char *dir)
{
    char path[2048], line[512];
    snprintf(path, sizeof path, "%.1000s/MANIFEST.tsv", dir);
    FILE *man = fopen(path, "r");
    CHECK(man != NULL);
    if (!man) return;
    unsigned files = 0, seen_codes[9] = {0};
    while (fgets(line, sizeof line, man)) {
        char name[128];
        unsigned c, w, h, crc, codes[9];
        size_t bytes;
        if (line[0] == '#') continue;
        if (sscanf(line, "%127s %u %u %u %x %zu %u,%u,%u,%u,%u,%u,%u,%u,%u", name, &c, &w, &h, &crc,
                   &bytes, &codes[0], &codes[1], &codes[2], &codes[3], &codes[4], &codes[5],
                   &codes[6], &codes[7], &codes[8]) != 15) {
            fprintf(stderr, "bad manifest line: %s", line);
            test_failures++;
            continue;
        }
        files++;
        size_t size = 0, rsize = 0;
        snprintf(path, sizeof path, "%.1000s/%.127s", dir, name);
        uint8_t *data = read_file(path, &size);
        CHECK(data != NULL);
        CHECK_EQ_INT(size, bytes);
        snprintf(path, sizeof path, "%.1000s/src-c%u.raw", dir, c);
        uint8_t *ref = read_file(path, &rsize);
        CHECK(ref != NULL);
        if (!data || !ref || rsize != (size_t)w * h * c) {
            fprintf(stderr, "%s: missing or short files\n", name);
            test_failures++;
            free(data);
            free(ref);
            continue;
        }
        CHECK_EQ_INT(dir_crc32(0, ref, rsize), crc);

        /* It decodes, to exactly the expected pixels. */
        void *px = NULL;
        dir_info info;
        dir_stats st;
        dir_diag dg;
        dir_error e = dir_decode_alloc(data, size, NULL, &px, &info, &st, &dg);
        if (e != DIR_OK) fprintf(stderr, "%s: %s\n", name, dg.message);
        CHECK_EQ_INT(e, DIR_OK);
        CHECK_EQ_INT(info.version, 1);
        CHECK_EQ_INT(info.width, w);
        CHECK_EQ_INT(info.height, h);
        CHECK_EQ_INT(info.channels, c);
        CHECK_EQ_INT(info.crc, crc);
        CHECK(px && memcmp(px, ref, (size_t)w * h * c) == 0);
        for (int k = 0; k < 9; k++) {
            CHECK_EQ_INT(st.code_count[k], codes[k]);
            seen_codes[k] += codes[k];
        }
        dir_free(px);

        /* The version-1 writer is unchanged: the files without zstd (whose
         * bytes depend on the zstd library) come out byte for byte. */
        mode md;
        int found = 0;
        for (unsigned m = 0; m < 16 && !found; m++) {
            char nm[128];
            mode_of(m, &md);
            file_name(nm, sizeof nm, c, &md);
            found = strcmp(nm, name) == 0;
        }
        CHECK(found);
        if (found && md.backend == DIR_BACKEND_NONE) {
            for (int force = 1; force >= 0; force--) {
                /* by default only the seed-pure mode writes version 1 */
                if (!force && md.filter != DIR_FILTER_NONE) continue;
                dir_encode_options opt;
                void *out = NULL;
                size_t n = 0;
                options_of(&md, force, &opt);
                CHECK_EQ_INT(dir_encode(ref, w, h, c, 0, &opt, &out, &n, NULL, NULL), DIR_OK);
                if (!out || n != size || memcmp(out, data, n) != 0) {
                    fprintf(stderr, "%s: the encoder (%s) no longer writes these bytes\n", name,
                            force ? "version 1 forced" : "seed-pure default");
                    test_failures++;
                }
                dir_free(out);
            }
        }
        free(ref);
        free(data);
    }
    fclose(man);
    CHECK_EQ_INT(files, 48);
    /* every section code occurs in some golden file */
    for (int k = 0; k < 9; k++)
        if (!seen_codes[k]) {
            fprintf(stderr, "no golden file has code %02d\n", k);
            test_failures++;
        }
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) return write_all(argv[2]);
    const char *root = getenv("DIR_SOURCE_ROOT");
    char dir[1024];
    snprintf(dir, sizeof dir, "%.1000s/tests/core/golden-v1", root ? root : ".");
    check_all(dir);
    TEST_DONE();
}
