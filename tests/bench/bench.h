/* SPDX-License-Identifier: MIT */
/* bench.h -- the image benchmark's codec wrappers (issue 6).  Not part of the
 * library or the test suite: a run target only. */
#ifndef DIR_BENCH_H
#define DIR_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dir.h"

/* One corpus image, decoded once (through libpng) to 8-bit pixels. */
typedef struct bench_image {
    char cls[16];     /* screen, sprite, icon */
    const char *path; /* absolute path of the PNG as shipped */
    uint32_t width;
    uint32_t height;
    unsigned channels; /* 1 grey, 3 RGB, 4 RGBA */
    uint8_t *pixels;   /* width * height * channels bytes */
    size_t size;       /* width * height * channels */
    uint8_t *file;     /* the PNG file as shipped */
    size_t file_size;
} bench_image;

/* An encoded file; `release` frees `data` (each library has its own). */
typedef struct bench_buf {
    uint8_t *data;
    size_t size;
    void (*release)(void *);
} bench_buf;

void bench_buf_free(bench_buf *b);

struct bench_codec;

/* Encodes img into out.  Returns 0, or -1 with err set. */
typedef int (*bench_encode_fn)(const struct bench_codec *c, const bench_image *img, bench_buf *out,
                               char *err, size_t errlen);

/* Decodes in back to pixels with out_channels(img->channels) channels.  The
 * decoder writes into px (px_size bytes) or, when its library only returns
 * its own buffer, sets *own to that buffer (freed by the caller with free()).
 * Returns 0, or -1 with err set. */
typedef int (*bench_decode_fn)(const struct bench_codec *c, const bench_image *img,
                               const bench_buf *in, uint8_t *px, size_t px_size, uint8_t **own,
                               char *err, size_t errlen);

enum {
    BENCH_EXPANDS_GREY = 1, /* grey input is encoded and decoded as RGB */
    BENCH_PROCESS = 2,      /* encode time is a whole external process */
    BENCH_NO_ENCODE = 4,    /* size is the shipped file; nothing to encode */
};

typedef struct bench_codec {
    const char *id;    /* short key: TSV, chart */
    const char *label; /* table label */
    bench_encode_fn encode;
    bench_decode_fn decode;
    unsigned flags;
    dir_encode_options dir; /* .dir codecs */
    unsigned dir_version;   /* .dir codecs: the format version they must write (1 or 2) */
    int level;              /* libpng / zlib / xz level */
    const char *tool;       /* external program (optipng) */
    const char *tmpdir;     /* scratch directory for external programs */
} bench_codec;

/* Channels of the decoded pixels for an image of `channels` channels. */
unsigned bench_out_channels(const bench_codec *c, unsigned channels);

/* Reads a PNG file from memory as 8-bit pixels: palette expanded, tRNS made
 * alpha, 16-bit reduced to 8 (high byte), grey+alpha made RGBA.  Fills
 * img->width/height/channels/pixels/size.  Returns 0, or -1 with err set. */
int bench_png_load(const uint8_t *data, size_t size, bench_image *img, char *err, size_t errlen);

/* Decodes a PNG from memory into exactly `want` channels of 8 bits
 * (expanding palette, grey and missing alpha as needed). */
int bench_png_decode_to(const uint8_t *data, size_t size, unsigned want, uint32_t width,
                        uint32_t height, uint8_t *px, size_t px_size, char *err, size_t errlen);

/* Encodes pixels as PNG at zlib `level` (-1 = libpng's default). */
int bench_png_encode(const bench_image *img, int level, bench_buf *out, char *err, size_t errlen);

/* The codec table: fills `codecs` (capacity `cap`) and returns the count. */
#define BENCH_MAX_CODECS 24
size_t bench_codecs(bench_codec *codecs, size_t cap, const char *optipng, const char *cjxl,
                    const char *tmpdir);

/* What the timings measure.  CPU (the default): CPU time of the calling
 * thread (CLOCK_THREAD_CPUTIME_ID) plus that of the child processes waited
 * for (getrusage RUSAGE_CHILDREN: optipng), so other work on a shared
 * machine does not inflate the figures.  WALL: CLOCK_MONOTONIC. */
typedef enum bench_clock { BENCH_CLOCK_CPU, BENCH_CLOCK_WALL } bench_clock;

/* A reading of `clock` in nanoseconds; only differences mean anything. */
uint64_t bench_time_ns(bench_clock clock);

/* Monotonic wall-clock time in nanoseconds (progress messages). */
uint64_t bench_wall_ns(void);

/* Median of t[0..n) (sorts t). */
uint64_t bench_median(uint64_t *t, unsigned n);

/* Reads a whole file (at most 1 GiB) into a malloc()ed buffer with a NUL
 * after its last byte.  Returns 0, or -1 with errno set. */
int bench_read_file(const char *path, uint8_t **data, size_t *size);

/* The next image of a corpus list (lines class<TAB>path, the output of
 * tests/bench/fetch-corpus.sh) read from `in` and decoded with
 * bench_png_load: 1 with cls and path filled and *img set (img->path is
 * path; the caller frees img->file and img->pixels), 0 at the end of the
 * list, -1 when the file cannot be read or decoded (a message starting with
 * `prog` on stderr).  Lines of another shape are skipped. */
#define BENCH_CLASS_MAX 32
#define BENCH_PATH_MAX  8000
int bench_list_next(FILE *in, char cls[BENCH_CLASS_MAX], char path[BENCH_PATH_MAX],
                    bench_image *img, const char *prog);

/* Writes a whole file.  Returns 0, or -1 with err set. */
int bench_write_file(const char *path, const void *data, size_t size, char *err, size_t errlen);

/* Runs argv[0] (a path, or a name looked up on PATH) with this process's
 * environment and waits; 0 if it exited with status 0, else -1 with err set. */
int bench_run(char *const argv[], char *err, size_t errlen);

/* One image of a whole-command run (bench_mogrify). */
typedef struct bench_file {
    const char *path; /* the PNG as shipped */
    uint32_t width, height;
} bench_file;

/* What one whole command took: wall-clock seconds (CLOCK_MONOTONIC around
 * it) and CPU seconds (user + system of the process and its threads, from
 * getrusage(RUSAGE_CHILDREN)), and the bytes of the files it wrote. */
typedef struct bench_run_time {
    double wall_s, cpu_s;
    uint64_t bytes;
} bench_run_time;

/* Copies the n files into the empty directory `dir` (as 0000.png, 0001.png,
 * ...), runs `MOGRIFY -format FORMAT [-define DEFINE] FILES...` there and
 * times the whole command; then checks that every output decodes (.dir with
 * dir_decode, PNG with libpng) at its image's size, sums their bytes and
 * empties `dir`.  Returns 0, or -1 with err set. */
int bench_mogrify(const char *mogrify, const char *dir, const bench_file *files, size_t n,
                  const char *format, const char *define, bench_run_time *t, char *err,
                  size_t errlen);

#endif
