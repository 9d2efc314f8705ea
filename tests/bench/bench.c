/* SPDX-License-Identifier: MIT */
/* bench.c -- image benchmark (issues 6 and 11): .dir files as dir_encode
 * writes them (presets fast, default, smallest; seed-pure and the default
 * preset at version 1) against PNG, optipng, lossless WebP, JPEG XL, QOI,
 * TGA RLE, gzip -9 and xz -9 on the corpus of real images; then `mogrify
 * -format dir` against `mogrify -format png` over the same images; issue
 * 11's targets from those rows.
 *
 * Usage: dir-bench [options] < LIST
 *   LIST: lines "class<TAB>absolute_path" (tests/bench/fetch-corpus.sh output)
 *   --optipng PATH   optipng program (default: optipng on PATH; "" to skip)
 *   --cjxl PATH      cjxl program (default: cjxl on PATH, with djxl; "" to skip)
 *   --tsv FILE       per-image results
 *   --summary FILE   per-class results (for gnuplot)
 *   --markdown FILE  tables (default: stdout)
 *   --enc-runs N     most encode runs per image and codec (default 5)
 *   --dec-runs N     most decode runs per image and codec (default 9)
 *   --budget-ms N    stop repeating once this much time is spent (default 300)
 *   --limit N        only the first N images of each class (for a quick try)
 *   --clock cpu|wall what the times measure (default cpu, see bench_time_ns)
 *   --mogrify PATH   ImageMagick 6's mogrify with this build's coder on its
 *                    MAGICK_CODER_MODULE_PATH (default: not run)
 *   --mogrify-rounds N  rounds of the mogrify commands (default 3)
 *   --readme FILE    the README's tables (tests/bench/run.sh splices them)
 *
 * One process runs every codec in turn on each image, timing only the library
 * calls with clock_gettime: by default the CPU time of this thread, so other
 * work on a shared machine does not inflate the figures (--clock wall for
 * CLOCK_MONOTONIC); optipng is an external program and its time is the CPU
 * time of its process (or, with --clock wall, the wall time around it).  Each encode (decode) is
 * repeated up to --enc-runs
 * (--dec-runs) times, at least once (three times for decodes), stopping early
 * once --budget-ms is used; the median run counts.  Every decode is checked
 * against the input pixels, byte for byte. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define MAX_CODECS  BENCH_MAX_CODECS
#define MAX_RUNS    64
#define MAX_CLASSES 3

static const char *const class_names[MAX_CLASSES] = {"screen", "sprite", "icon"};

typedef struct result {
    int ok;
    size_t size;
    uint64_t enc_peak; /* bytes of resident memory the encode added at its peak, 0 unknown */
    uint64_t dec_peak;
    int enc_proc, dec_proc; /* the peak is an external tool's whole process (cjxl, optipng) */
    uint64_t enc_ns; /* median */
    uint64_t dec_ns; /* median */
    unsigned enc_runs;
    unsigned dec_runs;
} result;

typedef struct class_total {
    unsigned images;
    unsigned failed_images;
    uint64_t pixels;
    uint64_t raw;
    uint64_t size[MAX_CODECS];
    uint64_t enc_ns[MAX_CODECS];
    uint64_t dec_ns[MAX_CODECS];
    uint64_t enc_peak[MAX_CODECS]; /* the largest of the class's images */
    uint64_t dec_peak[MAX_CODECS];
    double enc_peak_x[MAX_CODECS]; /* the largest peak / raw image bytes */
    double dec_peak_x[MAX_CODECS];
    int enc_proc[MAX_CODECS], dec_proc[MAX_CODECS]; /* as in result */
    int64_t enc_over[MAX_CODECS];      /* the largest encode peak - 2 x image - 32 MiB */
    uint64_t enc_over_raw[MAX_CODECS]; /* that image's raw bytes */
    /* .dir section statistics (from a decode with stats) */
    uint64_t codes[MAX_CODECS][9];
    uint64_t streams[MAX_CODECS][DIR_STREAMS];
    uint64_t sections[MAX_CODECS];
} class_total;

typedef struct options {
    const char *optipng;
    const char *cjxl;
    const char *tsv;
    const char *summary;
    const char *markdown;
    unsigned enc_runs;
    unsigned dec_runs;
    uint64_t budget_ns;
    unsigned limit;
    bench_clock clock;
    const char *mogrify; /* ImageMagick 6's mogrify, NULL: not run */
    unsigned mogrify_rounds;
    const char *readme; /* the README fragment */
} options;

/* One image every codec passed: for the per-image list (.dir default
 * against optipng -o2) and the mogrify runs. */
typedef struct image_row {
    int cls;
    char *path;    /* the PNG as shipped */
    char name[96]; /* last two path components */
    uint32_t width, height;
    unsigned channels;
    uint64_t colours;  /* distinct pixel values */
    size_t dir_bytes;  /* .dir default */
    size_t opti_bytes; /* optipng -o2 (0: not run) */
    size_t png_bytes;  /* libpng default */
} image_row;

#define MAX_IMAGES 4096

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Distinct colours of an image (up to 4 channels packed in 32 bits). */
static uint64_t count_colours(const bench_image *img)
{
    size_t n = (size_t)img->width * img->height;
    uint32_t *v = malloc(n * sizeof *v);
    if (!v) return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = 0;
        for (unsigned c = 0; c < img->channels; c++)
            x = x << 8 | img->pixels[i * img->channels + c];
        v[i] = x;
    }
    qsort(v, n, sizeof *v, cmp_u32);
    uint64_t distinct = n ? 1 : 0;
    for (size_t i = 1; i < n; i++)
        distinct += v[i] != v[i - 1];
    free(v);
    return distinct;
}

static int cmp_row_ratio(const void *a, const void *b)
{
    const image_row *x = a, *y = b;
    double rx = (double)x->dir_bytes / (double)x->opti_bytes;
    double ry = (double)y->dir_bytes / (double)y->opti_bytes;
    return rx < ry ? 1 : rx > ry ? -1 : 0;
}

static void write_per_image(FILE *f, image_row *rows, size_t n)
{
    if (!n || !rows[0].opti_bytes) return;
    unsigned won[MAX_CLASSES] = {0}, count[MAX_CLASSES] = {0};
    unsigned pal[MAX_CLASSES] = {0}, pal_won[MAX_CLASSES] = {0};
    for (size_t i = 0; i < n; i++) {
        int w = rows[i].dir_bytes < rows[i].opti_bytes;
        count[rows[i].cls]++;
        won[rows[i].cls] += w;
        if (rows[i].colours <= 256) {
            pal[rows[i].cls]++;
            pal_won[rows[i].cls] += w;
        }
    }
    fprintf(f, "\n### Per image: .dir default against optipng -o2\n\n");
    fprintf(f, "| class | images | .dir default smaller | images with at most 256 colours | of "
               "those, .dir default smaller |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | ---: |\n");
    for (int ci = 0; ci < MAX_CLASSES; ci++)
        if (count[ci])
            fprintf(f, "| %s | %u | %u | %u | %u |\n", class_names[ci], count[ci], won[ci], pal[ci],
                    pal_won[ci]);
    qsort(rows, n, sizeof *rows, cmp_row_ratio);
    fprintf(f,
            "\nThe %zu images where .dir default is furthest behind optipng -o2, or least ahead "
            "(optipng writes a palette PNG when an image has at most 256 colours; .dir default "
            "then writes an image palette):\n\n",
            n < 12 ? n : (size_t)12);
    fprintf(f, "| class | image | size | colours | .dir default | optipng -o2 | .dir / optipng | "
               "libpng default |\n");
    fprintf(f, "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (size_t i = 0; i < n && i < 12; i++)
        fprintf(f, "| %s | `%s` | %ux%u, %u ch | %llu | %zu | %zu | %.3f | %zu |\n",
                class_names[rows[i].cls], rows[i].name, rows[i].width, rows[i].height,
                rows[i].channels, (unsigned long long)rows[i].colours, rows[i].dir_bytes,
                rows[i].opti_bytes, (double)rows[i].dir_bytes / (double)rows[i].opti_bytes,
                rows[i].png_bytes);
}

static int class_index(const char *name)
{
    for (int i = 0; i < MAX_CLASSES; i++)
        if (strcmp(name, class_names[i]) == 0) return i;
    return -1;
}

/* Compares decoded pixels (out_ch channels) with the image's own. */
static int same_pixels(const bench_image *img, const uint8_t *px, unsigned out_ch)
{
    if (out_ch == img->channels) return memcmp(px, img->pixels, img->size) == 0;
    size_t n = (size_t)img->width * img->height;
    for (size_t i = 0; i < n; i++) /* grey decoded as RGB */
        if (px[3 * i] != img->pixels[i] || px[3 * i + 1] != img->pixels[i] ||
            px[3 * i + 2] != img->pixels[i])
            return 0;
    return 1;
}

/* Resident memory the call adds at its peak, measured in a forked child:
 * it returns its free heap to the system (malloc_trim), resets its peak RSS
 * to the current one (/proc/self/clear_refs, "5"), runs the encode (or the
 * decode of `enc`) once and sends getrusage's ru_maxrss minus the RSS before
 * the call.  0 when it cannot be measured.  When the call runs an external
 * tool (cjxl, djxl, optipng), what is sent is instead that process's own peak
 * RSS (getrusage(RUSAGE_CHILDREN) of the forked child: the largest of the
 * processes it waited for), program and input file included, and *process
 * is set. */
static uint64_t peak_memory(const bench_codec *c, const bench_image *img, const bench_buf *enc,
                            size_t px_size, int *process)
{
    *process = 0;
    int fd[2];
    if (pipe(fd) != 0) return 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return 0;
    }
    if (pid == 0) {
        close(fd[0]);
        uint64_t delta = 0;
        char err[256];
        uint8_t *px = enc ? malloc(px_size) : NULL;
        if (enc && px) memset(px, 0, px_size); /* the caller's buffer is resident */
        malloc_trim(0);
        FILE *cr = fopen("/proc/self/clear_refs", "w");
        long before = -1;
        if (cr && fputs("5", cr) >= 0 && fclose(cr) == 0) {
            FILE *st = fopen("/proc/self/statm", "r");
            long pages_total, pages_rss;
            if (st && fscanf(st, "%ld %ld", &pages_total, &pages_rss) == 2)
                before = pages_rss * (sysconf(_SC_PAGESIZE) / 1024);
            if (st) fclose(st);
        }
        int ok = 0;
        if (before >= 0) {
            if (enc) {
                uint8_t *own = NULL;
                ok = px && c->decode(c, img, enc, px, px_size, &own, err, sizeof err) == 0;
                free(own);
            } else {
                bench_buf out = {0};
                ok = c->encode(c, img, &out, err, sizeof err) == 0;
                bench_buf_free(&out);
            }
        }
        struct rusage ru, rc;
        uint64_t sent[2] = {0, 0};
        if (ok && getrusage(RUSAGE_CHILDREN, &rc) == 0 && rc.ru_maxrss > 0) {
            sent[0] = (uint64_t)rc.ru_maxrss * 1024; /* an external tool's process */
            sent[1] = 1;
        } else {
            if (ok && getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > before)
                delta = (uint64_t)(ru.ru_maxrss - before) * 1024;
            if (ok && delta == 0) delta = 1; /* measured: nothing resident added */
            sent[0] = delta;
        }
        ssize_t w = write(fd[1], sent, sizeof sent);
        (void)w;
        _exit(0);
    }
    close(fd[1]);
    uint64_t got[2] = {0, 0}, delta;
    if (read(fd[0], got, sizeof got) != (ssize_t)sizeof got) got[0] = got[1] = 0;
    delta = got[0];
    *process = got[1] != 0;
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return delta;
}

/* Runs one codec on one image: timed encodes, timed decodes, the check. */
static int run_codec(const options *o, const bench_codec *c, const bench_image *img, result *r,
                     dir_stats *stats, char *err, size_t errlen)
{
    uint64_t t[MAX_RUNS];
    bench_buf enc = {0};
    unsigned out_ch = bench_out_channels(c, img->channels);
    size_t px_size = (size_t)img->width * img->height * out_ch;
    uint8_t *px = malloc(px_size);
    int rc = -1;
    memset(r, 0, sizeof *r);
    if (!px) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }

    /* encode */
    unsigned enc_max = (c->flags & (BENCH_PROCESS | BENCH_NO_ENCODE)) ? 1 : o->enc_runs;
    uint64_t spent = 0;
    unsigned n = 0;
    while (n < enc_max && (n < 1 || spent < o->budget_ns)) {
        bench_buf_free(&enc);
        uint64_t t0 = bench_time_ns(o->clock);
        if (c->encode(c, img, &enc, err, errlen) != 0) goto done;
        t[n] = bench_time_ns(o->clock) - t0;
        spent += t[n++];
    }
    r->enc_runs = n;
    r->enc_ns = (c->flags & BENCH_NO_ENCODE) ? 0 : bench_median(t, n);
    r->size = enc.size;

    /* decode */
    spent = 0;
    n = 0;
    while (n < o->dec_runs && (n < 3 || spent < o->budget_ns)) {
        uint8_t *own = NULL;
        uint64_t t0 = bench_time_ns(o->clock);
        int d = c->decode(c, img, &enc, px, px_size, &own, err, errlen);
        t[n] = bench_time_ns(o->clock) - t0;
        spent += t[n++];
        if (d != 0) goto done;
        int same = same_pixels(img, own ? own : px, out_ch);
        free(own);
        if (!same) {
            snprintf(err, errlen, "decoded pixels differ from the input (not lossless)");
            goto done;
        }
    }
    r->dec_runs = n;
    r->dec_ns = bench_median(t, n);
    if (!(c->flags & BENCH_NO_ENCODE)) {
        r->enc_peak = peak_memory(c, img, NULL, px_size, &r->enc_proc);
        r->dec_peak = peak_memory(c, img, &enc, px_size, &r->dec_proc);
    }

    if (c->dir_version) { /* a .dir file: its version, and (version 1) its statistics */
        dir_diag diag;
        dir_info info;
        dir_error e = dir_decode(enc.data, enc.size, NULL, px, px_size, &info, stats, &diag);
        if (e != DIR_OK) {
            snprintf(err, errlen, "dir_decode with stats: %s", diag.message);
            goto done;
        }
        if (info.version != c->dir_version) {
            snprintf(err, errlen, "dir_encode wrote version %u, not %u", info.version,
                     c->dir_version);
            goto done;
        }
    }
    r->ok = 1;
    rc = 0;
done:
    bench_buf_free(&enc);
    free(px);
    return rc;
}

static double mbps(uint64_t bytes, uint64_t ns)
{
    return ns ? (double)bytes * 1e3 / (double)ns : 0.0;
}

static void write_class_table(FILE *f, const class_total *ct, const char *cls,
                              const bench_codec *codecs, size_t nc, size_t png_ref)
{
    fprintf(f, "\n### %s: %u images, %.2f Mpixels, %.2f MB of raw pixels\n\n", cls, ct->images,
            (double)ct->pixels / 1e6, (double)ct->raw / 1e6);
    if (ct->failed_images)
        fprintf(f, "(%u image(s) left out of this class: a codec failed on them, see above)\n\n",
                ct->failed_images);
    fprintf(f, "| codec | bytes | vs PNG | encode ms | encode MB/s | decode ms | decode MB/s | "
               "encode peak MiB | (x image) | decode peak MiB | (x image) |\n");
    fprintf(f, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (size_t k = 0; k < nc; k++) {
        const bench_codec *c = &codecs[k];
        fprintf(f, "| %s | %llu | %.3f | ", c->label, (unsigned long long)ct->size[k],
                ct->size[png_ref] ? (double)ct->size[k] / (double)ct->size[png_ref] : 0.0);
        if (c->flags & BENCH_NO_ENCODE)
            fprintf(f, "- | - | ");
        else
            fprintf(f, "%.1f | %.1f | ", (double)ct->enc_ns[k] / 1e6, mbps(ct->raw, ct->enc_ns[k]));
        fprintf(f, "%.1f | %.1f | ", (double)ct->dec_ns[k] / 1e6, mbps(ct->raw, ct->dec_ns[k]));
        if (ct->enc_peak[k] && ct->dec_peak[k])
            fprintf(f, "%.2f%s | %.2f | %.2f%s | %.2f |\n", (double)ct->enc_peak[k] / 1048576.0,
                    ct->enc_proc[k] ? " (process)" : "", ct->enc_peak_x[k],
                    (double)ct->dec_peak[k] / 1048576.0, ct->dec_proc[k] ? " (process)" : "",
                    ct->dec_peak_x[k]);
        else
            fprintf(f, "- | - | - | - |\n");
    }
}

static size_t find_codec(const bench_codec *codecs, size_t nc, const char *id)
{
    for (size_t k = 0; k < nc; k++)
        if (strcmp(codecs[k].id, id) == 0) return k;
    return (size_t)-1;
}

static double pct(uint64_t a, uint64_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0.0;
}

/* The older targets (issue 6) that still mean something: the seed-pure
 * mode against TGA RLE, and .dir decoding against libpng. */
static void write_targets(FILE *f, const class_total *tot, const bench_codec *codecs, size_t nc)
{
    size_t tga = find_codec(codecs, nc, "tga-rle");
    size_t png = find_codec(codecs, nc, "png-default");
    const char *seeds[3] = {"dir-seed-none", "dir-seed-sub", "dir-seed-auto"};
    const char *dec_ids[5] = {"dir-fast", "dir-default", "dir-smallest", "dir-seed-none",
                              "dir-seed-sub"};

    fprintf(f, "\n### Older targets (issue 6)\n\n");
    fprintf(f, "| target | class | .dir | peer | .dir / peer | holds |\n");
    fprintf(f, "| --- | --- | ---: | ---: | ---: | --- |\n");
    for (int ci = 0; ci < MAX_CLASSES; ci++) {
        const class_total *ct = &tot[ci];
        if (!ct->images) continue;
        for (int s = 0; s < 3; s++) {
            size_t k = find_codec(codecs, nc, seeds[s]);
            fprintf(f, "| %s bytes < TGA RLE | %s | %llu | %llu | %.3f | %s |\n", codecs[k].label,
                    class_names[ci], (unsigned long long)ct->size[k],
                    (unsigned long long)ct->size[tga], (double)ct->size[k] / (double)ct->size[tga],
                    ct->size[k] < ct->size[tga] ? "yes" : "**no**");
        }
    }
    for (int ci = 0; ci < MAX_CLASSES; ci++) {
        const class_total *ct = &tot[ci];
        if (!ct->images) continue;
        for (int s = 0; s < 5; s++) {
            size_t k = find_codec(codecs, nc, dec_ids[s]);
            double a = mbps(ct->raw, ct->dec_ns[k]), b = mbps(ct->raw, ct->dec_ns[png]);
            fprintf(
                f,
                "| %s decode MB/s > libpng (default-level PNG) | %s | %.1f | %.1f | %.2fx | %s |\n",
                codecs[k].label, class_names[ci], a, b, b > 0 ? a / b : 0.0,
                a > b ? "yes" : "**no**");
        }
    }
}

/* Where .dir default (version 2) loses: the peers smaller, faster to decode
 * and faster to encode, per class. */
static void write_losses(FILE *f, const class_total *tot, const bench_codec *codecs, size_t nc)
{
    size_t def = find_codec(codecs, nc, "dir-default");
    fprintf(f, "\n### Where .dir default loses\n\n");
    for (int ci = 0; ci < MAX_CLASSES; ci++) {
        const class_total *ct = &tot[ci];
        if (!ct->images) continue;
        fprintf(f, "- **%s**: smaller than .dir default (%llu bytes):", class_names[ci],
                (unsigned long long)ct->size[def]);
        int any = 0;
        for (size_t k = 0; k < nc; k++) {
            if (codecs[k].dir_version || ct->size[k] >= ct->size[def]) continue;
            fprintf(f, "%s %s (%.1f%% of .dir's size)", any ? ";" : "", codecs[k].label,
                    pct(ct->size[k], ct->size[def]));
            any = 1;
        }
        if (!any) fprintf(f, " none");
        fprintf(f,
                ".  Decodes faster than .dir default (%.1f MB/s):", mbps(ct->raw, ct->dec_ns[def]));
        any = 0;
        for (size_t k = 0; k < nc; k++) {
            if (codecs[k].dir_version || ct->dec_ns[k] >= ct->dec_ns[def]) continue;
            fprintf(f, "%s %s (%.1f MB/s)", any ? ";" : "", codecs[k].label,
                    mbps(ct->raw, ct->dec_ns[k]));
            any = 1;
        }
        if (!any) fprintf(f, " none");
        fprintf(f,
                ".  Encodes faster than .dir default (%.1f MB/s):", mbps(ct->raw, ct->enc_ns[def]));
        any = 0;
        for (size_t k = 0; k < nc; k++) {
            if (codecs[k].dir_version || (codecs[k].flags & BENCH_NO_ENCODE) ||
                ct->enc_ns[k] >= ct->enc_ns[def])
                continue;
            fprintf(f, "%s %s (%.1f MB/s)", any ? ";" : "", codecs[k].label,
                    mbps(ct->raw, ct->enc_ns[k]));
            any = 1;
        }
        if (!any) fprintf(f, " none");
        fprintf(f, ".\n");
    }
}

/* ---- mogrify: whole commands over each class's images ------------------- */

#define MOG_CMDS       3
#define MOG_MAX_ROUNDS 9

static const struct {
    const char *label, *format, *define;
} mog_cmds[MOG_CMDS] = {
    {"`mogrify -format png`", "png", NULL},
    {"`mogrify -format dir`", "dir", NULL},
    {"`mogrify -format dir -define dir:preset=fast`", "dir", "dir:preset=fast"},
};

typedef struct mog_total {
    unsigned images;
    uint64_t wall_ns[MOG_CMDS]; /* medians over the rounds */
    uint64_t cpu_ns[MOG_CMDS];
    uint64_t bytes[MOG_CMDS];
} mog_total;

/* Runs the commands over each class's images (those every codec passed),
 * interleaved, `rounds` times; the medians go to mt[class] and the class
 * sums to mt[MAX_CLASSES].  Returns the number of failed commands. */
static unsigned run_mogrify(const options *o, const image_row *rows, size_t nrows,
                            const char *tmpdir, mog_total *mt)
{
    char dir[4096];
    unsigned failures = 0;
    snprintf(dir, sizeof dir, "%s/mogrify", tmpdir);
    if (mkdir(dir, 0700) != 0) {
        fprintf(stderr, "dir-bench: mkdir %s: %s\n", dir, strerror(errno));
        return 1;
    }
    bench_file *files = calloc(nrows ? nrows : 1, sizeof *files);
    uint64_t wall[MAX_CLASSES][MOG_CMDS][MOG_MAX_ROUNDS],
        cpu[MAX_CLASSES][MOG_CMDS][MOG_MAX_ROUNDS];
    memset(mt, 0, (MAX_CLASSES + 1) * sizeof *mt);
    if (!files) return 1;
    for (unsigned r = 0; r < o->mogrify_rounds; r++) {
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            size_t n = 0;
            for (size_t i = 0; i < nrows; i++)
                if (rows[i].cls == ci)
                    files[n++] = (bench_file){rows[i].path, rows[i].width, rows[i].height};
            if (!n) continue;
            mt[ci].images = (unsigned)n;
            for (int j = 0; j < MOG_CMDS; j++) {
                bench_run_time t;
                char err[512];
                fprintf(stderr, "dir-bench: round %u, %s: %s over %zu images\n", r + 1,
                        class_names[ci], mog_cmds[j].label, n);
                if (bench_mogrify(o->mogrify, dir, files, n, mog_cmds[j].format, mog_cmds[j].define,
                                  &t, err, sizeof err) != 0) {
                    fprintf(stderr, "dir-bench: FAILED %s on %s: %s\n", mog_cmds[j].label,
                            class_names[ci], err);
                    failures++;
                }
                wall[ci][j][r] = (uint64_t)(t.wall_s * 1e9);
                cpu[ci][j][r] = (uint64_t)(t.cpu_s * 1e9);
                mt[ci].bytes[j] = t.bytes;
            }
        }
    }
    for (int ci = 0; ci < MAX_CLASSES; ci++) {
        if (!mt[ci].images) continue;
        mt[MAX_CLASSES].images += mt[ci].images;
        for (int j = 0; j < MOG_CMDS; j++) {
            mt[ci].wall_ns[j] = bench_median(wall[ci][j], o->mogrify_rounds);
            mt[ci].cpu_ns[j] = bench_median(cpu[ci][j], o->mogrify_rounds);
            mt[MAX_CLASSES].wall_ns[j] += mt[ci].wall_ns[j];
            mt[MAX_CLASSES].cpu_ns[j] += mt[ci].cpu_ns[j];
            mt[MAX_CLASSES].bytes[j] += mt[ci].bytes[j];
        }
    }
    free(files);
    rmdir(dir);
    return failures;
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : 0.0;
}

static void write_mogrify(FILE *f, const mog_total *mt, const char *mogrify, unsigned rounds)
{
    fprintf(f, "\n| class | images | command | wall s | CPU s | bytes written | wall / png | "
               "CPU / png |\n");
    fprintf(f, "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (int ci = 0; ci <= MAX_CLASSES; ci++) {
        const mog_total *m = &mt[ci];
        if (!m->images) continue;
        for (int j = 0; j < MOG_CMDS; j++)
            fprintf(f, "| %s | %u | %s | %.2f | %.2f | %llu | %.2f | %.2f |\n",
                    ci < MAX_CLASSES ? class_names[ci] : "all", m->images, mog_cmds[j].label,
                    (double)m->wall_ns[j] / 1e9, (double)m->cpu_ns[j] / 1e9,
                    (unsigned long long)m->bytes[j], ratio(m->wall_ns[j], m->wall_ns[0]),
                    ratio(m->cpu_ns[j], m->cpu_ns[0]));
    }
    fprintf(f,
            "\n`%s` (ImageMagick 6 of Debian 12) with this build's coder "
            "(`MAGICK_CODER_MODULE_PATH` = the build's `magick-coder/im6/coders`, then the "
            "system's coders), once per class and command over copies of the class's PNGs as "
            "shipped in a temporary directory, the commands interleaved, %u round(s), the median "
            "counts; \"all\" sums the classes.  Wall-clock time around the whole command "
            "(`CLOCK_MONOTONIC`: start-up, reading the PNGs, writing), CPU time of the process "
            "and its threads (`getrusage(RUSAGE_CHILDREN)`).  Every output is decoded "
            "(`dir_decode` or libpng) and must have its image's size.  ImageMagick keeps 16-bit "
            "samples and grey+alpha, so its files are not the benchmark's 8-bit pixels.\n",
            mogrify, rounds);
}

/* ---- issue 11's targets ------------------------------------------------- */

enum {
    T_WEBP,
    T_XZ,
    T_OPTIPNG,
    T_ENCODE,
    T_FAST,
    T_DECODE,
    T_MOGRIFY,
    T_MOGRIFY_FAST,
    T_RSS,
    T_COUNT
};

static const struct {
    const char *figure, *target;
} target_names[T_COUNT] = {
    {"default size / lossless WebP `-z 9`", "<= 1.10 (stretch <= 1.00)"},
    {"default size / `xz -9` of raw pixels", "< 1.00 (stretch <= 0.90)"},
    {"default smaller than optipng `-o2`, images with <= 256 colours", "every such image"},
    {"default encode MB/s / libpng default level", ">= 2 (stretch >= 5)"},
    {"`fast` encode MB/s / libpng, at a size <= libpng default", ">= 5 (stretch >= QOI's speed)"},
    {"default decode MB/s / libwebp lossless", ">= 1.0 (stretch >= 1.5)"},
    {"`mogrify -format dir` time / `mogrify -format png` (wall; CPU beside)",
     "<= 0.5 (stretch <= 0.3)"},
    {"`mogrify -format dir -define dir:preset=fast` time / `mogrify -format png`", "(no target)"},
    {"default encode peak RSS / (3 x image + 32 MiB)", "<= 1"},
};

typedef struct target {
    int set;
    char dir[48], peer[48]; /* the two measured figures */
    char ratio[48];
    char verdict[64]; /* "holds", "holds (stretch too)", "**no**: ..." */
} target;

/* `r` against `goal` (higher_better: r >= goal; else r <= goal, or r < goal
 * when strict) and `stretch` (0: none). */
static void verdict(target *t, double r, double goal, double stretch, int higher_better, int strict)
{
    int ok = higher_better ? r >= goal : strict ? r < goal : r <= goal;
    int st = stretch > 0 && (higher_better ? r >= stretch : r <= stretch);
    snprintf(t->ratio, sizeof t->ratio, "%.3f", r);
    if (ok)
        snprintf(t->verdict, sizeof t->verdict, "%s", st ? "holds (stretch too)" : "holds");
    else
        snprintf(t->verdict, sizeof t->verdict, "**no**: %.3f %s",
                 higher_better ? goal - r : r - goal, higher_better ? "short" : "over");
}

/* Fills t[figure][class] from the file rows of this run. */
static void collect_targets(target t[T_COUNT][MAX_CLASSES], const class_total *tot,
                            const bench_codec *codecs, size_t nc, const image_row *rows,
                            size_t nrows, const mog_total *mt)
{
    size_t d = find_codec(codecs, nc, "dir-default"), fa = find_codec(codecs, nc, "dir-fast"),
           webp = find_codec(codecs, nc, "webp-z9"), xz = find_codec(codecs, nc, "xz-9"),
           png = find_codec(codecs, nc, "png-default"), opti = find_codec(codecs, nc, "optipng-o2"),
           qoi = find_codec(codecs, nc, "qoi");
    memset(t, 0, sizeof(target) * T_COUNT * MAX_CLASSES);
    for (int ci = 0; ci < MAX_CLASSES; ci++) {
        const class_total *ct = &tot[ci];
        if (!ct->images) continue;
        target *x = &t[T_WEBP][ci];
        x->set = 1;
        snprintf(x->dir, sizeof x->dir, "%llu", (unsigned long long)ct->size[d]);
        snprintf(x->peer, sizeof x->peer, "%llu", (unsigned long long)ct->size[webp]);
        verdict(x, ratio(ct->size[d], ct->size[webp]), 1.10, 1.00, 0, 0);

        x = &t[T_XZ][ci];
        x->set = 1;
        snprintf(x->dir, sizeof x->dir, "%llu", (unsigned long long)ct->size[d]);
        snprintf(x->peer, sizeof x->peer, "%llu", (unsigned long long)ct->size[xz]);
        verdict(x, ratio(ct->size[d], ct->size[xz]), 1.00, 0.90, 0, 1);

        if (opti != (size_t)-1) {
            unsigned n = 0, won = 0;
            for (size_t i = 0; i < nrows; i++)
                if (rows[i].cls == ci && rows[i].colours <= 256) {
                    n++;
                    won += rows[i].dir_bytes < rows[i].opti_bytes;
                }
            x = &t[T_OPTIPNG][ci];
            x->set = 1;
            snprintf(x->dir, sizeof x->dir, "smaller on %u", won);
            snprintf(x->peer, sizeof x->peer, "of %u such image%s", n, n == 1 ? "" : "s");
            snprintf(x->ratio, sizeof x->ratio, "%u of %u", won, n);
            if (n == 0)
                snprintf(x->verdict, sizeof x->verdict, "- (no such image)");
            else if (won == n)
                snprintf(x->verdict, sizeof x->verdict, "holds");
            else
                snprintf(x->verdict, sizeof x->verdict, "**no**: larger on %u", n - won);
        }

        double ep = mbps(ct->raw, ct->enc_ns[png]);
        x = &t[T_ENCODE][ci];
        x->set = 1;
        snprintf(x->dir, sizeof x->dir, "%.1f MB/s", mbps(ct->raw, ct->enc_ns[d]));
        snprintf(x->peer, sizeof x->peer, "%.1f MB/s", ep);
        verdict(x, mbps(ct->raw, ct->enc_ns[d]) / ep, 2, 5, 1, 0);

        x = &t[T_FAST][ci];
        x->set = 1;
        double fe = mbps(ct->raw, ct->enc_ns[fa]);
        snprintf(x->dir, sizeof x->dir, "%.1f MB/s, %.3f x PNG's size", fe,
                 ratio(ct->size[fa], ct->size[png]));
        snprintf(x->peer, sizeof x->peer, "%.1f MB/s", ep);
        verdict(x, fe / ep, 5, mbps(ct->raw, ct->enc_ns[qoi]) / ep, 1, 0);
        if (ct->size[fa] > ct->size[png])
            snprintf(x->verdict, sizeof x->verdict, "**no**: %.1f%% larger than libpng's",
                     100.0 * (ratio(ct->size[fa], ct->size[png]) - 1));

        x = &t[T_DECODE][ci];
        x->set = 1;
        snprintf(x->dir, sizeof x->dir, "%.1f MB/s", mbps(ct->raw, ct->dec_ns[d]));
        snprintf(x->peer, sizeof x->peer, "%.1f MB/s", mbps(ct->raw, ct->dec_ns[webp]));
        verdict(x, ratio(ct->dec_ns[webp], ct->dec_ns[d]), 1.0, 1.5, 1, 0);

        for (int j = 1; mt && mt[ci].images && j < MOG_CMDS; j++) {
            x = &t[j == 1 ? T_MOGRIFY : T_MOGRIFY_FAST][ci];
            x->set = 1;
            snprintf(x->dir, sizeof x->dir, "%.2f s (CPU %.2f s)", (double)mt[ci].wall_ns[j] / 1e9,
                     (double)mt[ci].cpu_ns[j] / 1e9);
            snprintf(x->peer, sizeof x->peer, "%.2f s (CPU %.2f s)",
                     (double)mt[ci].wall_ns[0] / 1e9, (double)mt[ci].cpu_ns[0] / 1e9);
            double r = ratio(mt[ci].wall_ns[j], mt[ci].wall_ns[0]);
            if (j == 1) {
                verdict(x, r, 0.5, 0.3, 0, 0);
            } else {
                snprintf(x->ratio, sizeof x->ratio, "%.3f", r);
                snprintf(x->verdict, sizeof x->verdict, "-");
            }
            size_t len = strlen(x->ratio);
            snprintf(x->ratio + len, sizeof x->ratio - len, " (CPU %.3f)",
                     ratio(mt[ci].cpu_ns[j], mt[ci].cpu_ns[0]));
        }

        /* the class's image closest to its limit (or furthest over it) */
        x = &t[T_RSS][ci];
        x->set = 1;
        double allowed = 3.0 * (double)ct->enc_over_raw[d] + 32 * 1048576.0;
        double used = allowed + (double)ct->enc_over[d];
        snprintf(x->dir, sizeof x->dir, "%.1f MiB", used / 1048576.0);
        snprintf(x->peer, sizeof x->peer, "%.1f MiB allowed", allowed / 1048576.0);
        snprintf(x->ratio, sizeof x->ratio, "%.3f", used / allowed);
        if (ct->enc_over[d] <= 0)
            snprintf(x->verdict, sizeof x->verdict, "holds");
        else
            snprintf(x->verdict, sizeof x->verdict, "**no**: %.2f MiB over",
                     (double)ct->enc_over[d] / 1048576.0);
    }
}

static void write_v2_targets(FILE *f, target t[T_COUNT][MAX_CLASSES])
{
    fprintf(f, "\n### Version 2 targets (issue 11)\n\n");
    fprintf(f, "From the file rows above (`dir_encode` with the presets, read by `dir_decode`) "
               "and the `mogrify` table, class by class; ratios of class totals in this run.  "
               "A gap is how far the ratio is from the target.  Peak RSS: of the class's "
               "image closest to its limit (or furthest over it), the input image plus what the "
               "encode adds beside it at its peak, against 3 x that image + 32 MiB.\n\n");
    fprintf(f, "| figure | class | .dir | peer | ratio | target | holds |\n");
    fprintf(f, "| --- | --- | ---: | ---: | ---: | --- | --- |\n");
    for (int i = 0; i < T_COUNT; i++)
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            const target *x = &t[i][ci];
            if (x->set)
                fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", target_names[i].figure,
                        class_names[ci], x->dir, x->peer, x->ratio, target_names[i].target,
                        x->verdict);
        }
}

/* ---- tables shared by docs/benchmarks.md and the README fragment -------- */

/* Whether codec k is in `ids` (NULL-terminated; NULL: every codec). */
static int listed(const bench_codec *c, const char *const *ids)
{
    if (!ids) return 1;
    for (; *ids; ids++)
        if (strcmp(*ids, c->id) == 0) return 1;
    return 0;
}

static void write_class_header(FILE *f, const class_total *tot, const char *first)
{
    fprintf(f, "| %s |", first);
    for (int ci = 0; ci < MAX_CLASSES; ci++)
        if (tot[ci].images) fprintf(f, " %s (%u) |", class_names[ci], tot[ci].images);
    fprintf(f, "\n| --- |");
    for (int ci = 0; ci < MAX_CLASSES; ci++)
        if (tot[ci].images) fprintf(f, " ---: |");
    fprintf(f, "\n");
}

/* A row per codec in `ids` (NULL: all), a column per class: the class
 * total relative to PNG at libpng's default level, or (speed) encode /
 * decode MB/s; the row of codec `bold` in bold. */
static void write_codec_table(FILE *f, const class_total *tot, const bench_codec *codecs, size_t nc,
                              size_t png_ref, const char *const *ids, const char *bold, int speed)
{
    write_class_header(f, tot, "codec");
    for (size_t k = 0; k < nc; k++) {
        if (!listed(&codecs[k], ids)) continue;
        const char *b = bold && !strcmp(codecs[k].id, bold) ? "**" : "";
        fprintf(f, "| %s%s%s |", b, codecs[k].label, b);
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            const class_total *ct = &tot[ci];
            if (!ct->images) continue;
            if (speed)
                fprintf(f, " %s%.1f%s / %.1f |", b, mbps(ct->raw, ct->enc_ns[k]), b,
                        mbps(ct->raw, ct->dec_ns[k]));
            else
                fprintf(f, " %s%.3f%s |", b, ratio(ct->size[k], ct->size[png_ref]), b);
        }
        fprintf(f, "\n");
    }
}

/* The README's benchmark tables (tests/bench/run.sh splices them into
 * README.md between its bench-tables markers). */
static void write_readme(FILE *f, const class_total *tot, const bench_codec *codecs, size_t nc,
                         size_t png_ref, target t[T_COUNT][MAX_CLASSES])
{
    static const char *const size_ids[] = {
        "dir-default", "dir-fast", "dir-smallest", "dir-v1-default", "dir-seed-auto", "png-default",
        "optipng-o2",  "webp-z9",  "jxl-e7",       "jxl-e9",         "qoi",           "tga-rle",
        "xz-9",        NULL};
    static const char *const speed_ids[] = {
        "dir-default", "dir-fast", "dir-smallest", "dir-v1-default",
        "png-default", "webp-z9",  "qoi",          NULL};
    fprintf(f, "Total size relative to PNG at libpng's default level (lower is better; images "
               "per class in brackets):\n\n");
    write_codec_table(f, tot, codecs, nc, png_ref, size_ids, "dir-default", 0);
    fprintf(f, "\nSpeed in MB/s of raw pixels, encode / decode (CPU time of the library "
               "calls):\n\n");
    write_codec_table(f, tot, codecs, nc, png_ref, speed_ids, "dir-default", 1);
    fprintf(f, "\nIssue 11's targets, per class (ratio: holds, or the gap to the target):\n\n");
    fprintf(f, "| figure | target |");
    for (int ci = 0; ci < MAX_CLASSES; ci++)
        if (tot[ci].images) fprintf(f, " %s |", class_names[ci]);
    fprintf(f, "\n| --- | --- |");
    for (int ci = 0; ci < MAX_CLASSES; ci++)
        if (tot[ci].images) fprintf(f, " --- |");
    fprintf(f, "\n");
    for (int i = 0; i < T_COUNT; i++) {
        int any = 0;
        for (int ci = 0; ci < MAX_CLASSES; ci++)
            any |= t[i][ci].set;
        if (!any) continue;
        fprintf(f, "| %s | %s |", target_names[i].figure, target_names[i].target);
        for (int ci = 0; ci < MAX_CLASSES; ci++)
            if (tot[ci].images) fprintf(f, " %s: %s |", t[i][ci].ratio, t[i][ci].verdict);
        fprintf(f, "\n");
    }
}

/* Code (0..8) of ordered-layout stream k from its name ("04 bitmaps"), or
 * -1 for the code stream; *field gets the field part ("bitmaps"). */
static int stream_code(unsigned k, const char **field)
{
    const char *name = dir_stream_name(k);
    if (name[0] >= '0' && name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] == ' ') {
        *field = name + 3;
        return (name[0] - '0') * 10 + (name[1] - '0');
    }
    *field = name;
    return -1;
}

static void write_sections(FILE *f, const class_total *tot, const bench_codec *codecs, size_t nc)
{
    const char *ids[2] = {"dir-seed-none", "dir-v1-default"};
    const char *fields[DIR_STREAMS];
    size_t nfields = 0;
    for (unsigned k = 0; k < DIR_STREAMS; k++) { /* distinct field names, in stream order */
        const char *fld;
        stream_code(k, &fld);
        size_t j = 0;
        while (j < nfields && strcmp(fields[j], fld) != 0)
            j++;
        if (j == nfields) fields[nfields++] = fld;
    }

    fprintf(f, "\n### Section codes and where the bytes go (version 1)\n\n");
    fprintf(f,
            "From a decode of every version-1 file with statistics (`dir_decode`'s `dir_stats`), "
            "summed over the class: the seed-pure mode and version 1 of the default preset.  The "
            "stream bytes are the raw streams before the zstd back end (.dir v1 default "
            "compresses them).  A version-2 file's decode reports its size only (the payload's "
            "sections and streams have no statistics in the public API).\n\n");
    fprintf(f, "Share of the sections per code:\n\n| codec | class | sections |");
    for (int c = 0; c < 9; c++)
        fprintf(f, " %02d |", c);
    fprintf(f, "\n| --- | --- | ---: |");
    for (int c = 0; c < 9; c++)
        fprintf(f, " ---: |");
    fprintf(f, "\n");
    for (int s = 0; s < 2; s++) {
        size_t k = find_codec(codecs, nc, ids[s]);
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            const class_total *ct = &tot[ci];
            if (!ct->images) continue;
            fprintf(f, "| %s | %s | %llu |", codecs[k].label, class_names[ci],
                    (unsigned long long)ct->sections[k]);
            for (int c = 0; c < 9; c++)
                fprintf(f, " %.1f%% |", pct(ct->codes[k][c], ct->sections[k]));
            fprintf(f, "\n");
        }
    }

    fprintf(f, "\nShare of the raw stream bytes per code (the code stream apart):\n\n");
    fprintf(f, "| codec | class | stream bytes | code stream |");
    for (int c = 1; c < 9; c++)
        fprintf(f, " %02d |", c);
    fprintf(f, "\n| --- | --- | ---: | ---: |");
    for (int c = 1; c < 9; c++)
        fprintf(f, " ---: |");
    fprintf(f, "\n");
    for (int s = 0; s < 2; s++) {
        size_t k = find_codec(codecs, nc, ids[s]);
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            const class_total *ct = &tot[ci];
            if (!ct->images) continue;
            uint64_t bytes = 0, per_code[10] = {0};
            for (unsigned j = 0; j < DIR_STREAMS; j++) {
                const char *fld;
                int c = stream_code(j, &fld);
                bytes += ct->streams[k][j];
                per_code[c >= 0 && c <= 8 ? c + 1 : 0] += ct->streams[k][j];
            }
            fprintf(f, "| %s | %s | %llu | %.1f%% |", codecs[k].label, class_names[ci],
                    (unsigned long long)bytes, pct(per_code[0], bytes));
            for (int c = 1; c < 9; c++)
                fprintf(f, " %.1f%% |", pct(per_code[c + 1], bytes));
            fprintf(f, "\n");
        }
    }

    fprintf(f,
            "\nShare of the raw stream bytes per field (all codes together):\n\n| codec | class |");
    for (size_t j = 0; j < nfields; j++)
        fprintf(f, " %s |", fields[j]);
    fprintf(f, "\n| --- | --- |");
    for (size_t j = 0; j < nfields; j++)
        fprintf(f, " ---: |");
    fprintf(f, "\n");
    for (int s = 0; s < 2; s++) {
        size_t k = find_codec(codecs, nc, ids[s]);
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            const class_total *ct = &tot[ci];
            if (!ct->images) continue;
            uint64_t bytes = 0, per_field[DIR_STREAMS] = {0};
            for (unsigned j = 0; j < DIR_STREAMS; j++) {
                const char *fld;
                stream_code(j, &fld);
                size_t x = 0;
                while (x < nfields && strcmp(fields[x], fld) != 0)
                    x++;
                per_field[x] += ct->streams[k][j];
                bytes += ct->streams[k][j];
            }
            fprintf(f, "| %s | %s |", codecs[k].label, class_names[ci]);
            for (size_t j = 0; j < nfields; j++)
                fprintf(f, " %.1f%% |", pct(per_field[j], bytes));
            fprintf(f, "\n");
        }
    }
}

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || *end || end == s || x < lo || x > hi) return -1;
    *v = (unsigned)x;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: dir-bench [--optipng PATH] [--cjxl PATH] [--tsv FILE] [--summary FILE] "
                    "[--markdown FILE]\n"
                    "                 [--enc-runs N] [--dec-runs N] [--budget-ms N] [--limit N]\n"
                    "                 [--clock cpu|wall] [--mogrify PATH] [--mogrify-rounds N]\n"
                    "                 [--readme FILE] < LIST\n"
                    "LIST: lines class<TAB>path, as printed by tests/bench/fetch-corpus.sh\n");
}

int main(int argc, char **argv)
{
    options o = {"optipng", "cjxl",          NULL, NULL, NULL, 5, 9, 300000000u,
                 0,         BENCH_CLOCK_CPU, NULL, 3,    NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned u;
        if (!v) {
            usage();
            return 2;
        }
        i++;
        if (!strcmp(a, "--optipng")) {
            o.optipng = *v ? v : NULL;
        } else if (!strcmp(a, "--cjxl")) {
            o.cjxl = *v ? v : NULL;
        } else if (!strcmp(a, "--tsv")) {
            o.tsv = v;
        } else if (!strcmp(a, "--summary")) {
            o.summary = v;
        } else if (!strcmp(a, "--markdown")) {
            o.markdown = v;
        } else if (!strcmp(a, "--enc-runs") && parse_uint(v, 1, MAX_RUNS, &u) == 0) {
            o.enc_runs = u;
        } else if (!strcmp(a, "--dec-runs") && parse_uint(v, 3, MAX_RUNS, &u) == 0) {
            o.dec_runs = u;
        } else if (!strcmp(a, "--budget-ms") && parse_uint(v, 0, 600000, &u) == 0) {
            o.budget_ns = (uint64_t)u * 1000000u;
        } else if (!strcmp(a, "--limit") && parse_uint(v, 1, 1000000, &u) == 0) {
            o.limit = u;
        } else if (!strcmp(a, "--clock") && (!strcmp(v, "cpu") || !strcmp(v, "wall"))) {
            o.clock = strcmp(v, "cpu") ? BENCH_CLOCK_WALL : BENCH_CLOCK_CPU;
        } else if (!strcmp(a, "--mogrify")) {
            o.mogrify = *v ? v : NULL;
        } else if (!strcmp(a, "--mogrify-rounds") && parse_uint(v, 1, MOG_MAX_ROUNDS, &u) == 0) {
            o.mogrify_rounds = u;
        } else if (!strcmp(a, "--readme")) {
            o.readme = v;
        } else {
            fprintf(stderr, "dir-bench: bad option or value: %s %s\n", a, v);
            usage();
            return 2;
        }
    }

    char tmpdir[] = "/tmp/dir-bench-XXXXXX";
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "dir-bench: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    bench_codec codecs[MAX_CODECS];
    size_t nc = bench_codecs(codecs, MAX_CODECS, o.optipng, o.cjxl, tmpdir);
    size_t png_ref = find_codec(codecs, nc, "png-default");

    FILE *tsv = NULL;
    if (o.tsv) {
        tsv = fopen(o.tsv, "w");
        if (!tsv) {
            fprintf(stderr, "dir-bench: cannot create %s: %s\n", o.tsv, strerror(errno));
            return 1;
        }
        fprintf(tsv, "class\tpath\twidth\theight\tchannels\tcolours\traw_"
                     "bytes\tcodec\tbytes\tencode_ns\tdecode_ns"
                     "\tencode_runs\tdecode_runs\tok\n");
    }

    class_total *tot = calloc(MAX_CLASSES, sizeof *tot);
    image_row *rows = calloc(MAX_IMAGES, sizeof *rows);
    if (!tot || !rows) {
        fprintf(stderr, "dir-bench: out of memory\n");
        return 1;
    }
    size_t nrows = 0;
    size_t k_def = find_codec(codecs, nc, "dir-default"),
           k_opti = find_codec(codecs, nc, "optipng-o2");
    unsigned per_class_seen[MAX_CLASSES] = {0};
    unsigned failures = 0;
    char line[8192];
    FILE *md = stdout;
    uint64_t t_start = bench_wall_ns();
    char fail_log[8192] = "";
    size_t fail_len = 0;

    while (fgets(line, sizeof line, stdin)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (!len || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "dir-bench: list line without a tab: %s\n", line);
            return 1;
        }
        *tab = 0;
        int ci = class_index(line);
        if (ci < 0) {
            fprintf(stderr, "dir-bench: unknown class '%s'\n", line);
            return 1;
        }
        if (o.limit && per_class_seen[ci] >= o.limit) continue;
        per_class_seen[ci]++;

        bench_image img;
        memset(&img, 0, sizeof img);
        snprintf(img.cls, sizeof img.cls, "%s", line);
        img.path = tab + 1;
        char err[256];
        if (bench_read_file(img.path, &img.file, &img.file_size) != 0) {
            fprintf(stderr, "dir-bench: cannot read %s: %s\n", img.path, strerror(errno));
            return 1;
        }
        if (bench_png_load(img.file, img.file_size, &img, err, sizeof err) != 0) {
            fprintf(stderr, "dir-bench: %s: %s\n", img.path, err);
            return 1;
        }
        fprintf(stderr, "[%6.1fs] %-6s %5ux%-5u %u ch  %s\n",
                (double)(bench_wall_ns() - t_start) / 1e9, img.cls, img.width, img.height,
                img.channels, img.path);

        uint64_t colours = count_colours(&img);
        result res[MAX_CODECS];
        dir_stats stats[MAX_CODECS];
        int all_ok = 1;
        for (size_t k = 0; k < nc; k++) {
            memset(&stats[k], 0, sizeof stats[k]);
            if (run_codec(&o, &codecs[k], &img, &res[k], &stats[k], err, sizeof err) != 0) {
                fprintf(stderr, "dir-bench: FAILED %s on %s: %s\n", codecs[k].id, img.path, err);
                int w = snprintf(fail_log + fail_len, sizeof fail_log - fail_len,
                                 "- %s failed on `%s`: %s\n", codecs[k].label, img.path, err);
                if (w > 0 && (size_t)w < sizeof fail_log - fail_len) fail_len += (size_t)w;
                failures++;
                all_ok = 0;
            }
            if (tsv)
                fprintf(tsv, "%s\t%s\t%u\t%u\t%u\t%llu\t%zu\t%s\t%zu\t%llu\t%llu\t%u\t%u\t%d\n",
                        img.cls, img.path, img.width, img.height, img.channels,
                        (unsigned long long)colours, img.size, codecs[k].id, res[k].size,
                        (unsigned long long)res[k].enc_ns, (unsigned long long)res[k].dec_ns,
                        res[k].enc_runs, res[k].dec_runs, res[k].ok);
        }
        class_total *ct = &tot[ci];
        if (all_ok && nrows < MAX_IMAGES) {
            image_row *r = &rows[nrows++];
            const char *name = img.path + strlen(img.path);
            for (int slashes = 0; name > img.path; name--) /* the last two components */
                if (name[-1] == '/' && ++slashes == 2) break;
            r->cls = ci;
            r->path = strdup(img.path);
            snprintf(r->name, sizeof r->name, "%s", name);
            r->width = img.width;
            r->height = img.height;
            r->channels = img.channels;
            r->colours = colours;
            r->dir_bytes = res[k_def].size;
            r->opti_bytes = k_opti != (size_t)-1 ? res[k_opti].size : 0;
            r->png_bytes = res[png_ref].size;
        }
        if (all_ok) {
            ct->images++;
            ct->pixels += (uint64_t)img.width * img.height;
            ct->raw += img.size;
            for (size_t k = 0; k < nc; k++) {
                ct->size[k] += res[k].size;
                ct->enc_ns[k] += res[k].enc_ns;
                ct->dec_ns[k] += res[k].dec_ns;
                if (res[k].enc_peak > ct->enc_peak[k]) ct->enc_peak[k] = res[k].enc_peak;
                if (res[k].dec_peak > ct->dec_peak[k]) ct->dec_peak[k] = res[k].dec_peak;
                ct->enc_proc[k] |= res[k].enc_proc;
                ct->dec_proc[k] |= res[k].dec_proc;
                double ex = (double)res[k].enc_peak / (double)img.size,
                       dx = (double)res[k].dec_peak / (double)img.size;
                if (ex > ct->enc_peak_x[k]) ct->enc_peak_x[k] = ex;
                int64_t over = (int64_t)res[k].enc_peak - 2 * (int64_t)img.size - (32 << 20);
                if (ct->images == 1 || over > ct->enc_over[k]) {
                    ct->enc_over[k] = over;
                    ct->enc_over_raw[k] = img.size;
                }
                if (dx > ct->dec_peak_x[k]) ct->dec_peak_x[k] = dx;
                for (int j = 0; j < 9; j++)
                    ct->codes[k][j] += stats[k].code_count[j];
                for (int j = 0; j < DIR_STREAMS; j++)
                    ct->streams[k][j] += stats[k].stream_bytes[j];
                ct->sections[k] += stats[k].sections;
            }
        } else {
            ct->failed_images++;
        }
        free(img.pixels);
        free(img.file);
    }
    if (tsv && fclose(tsv) != 0) {
        fprintf(stderr, "dir-bench: error writing %s\n", o.tsv);
        return 1;
    }
    /* after every codec: the children's CPU time is in bench_time_ns */
    mog_total mt[MAX_CLASSES + 1];
    if (o.mogrify) {
        unsigned mf = run_mogrify(&o, rows, nrows, tmpdir, mt);
        if (mf) {
            int w = snprintf(fail_log + fail_len, sizeof fail_log - fail_len,
                             "- %u mogrify command(s) failed (see the run's messages)\n", mf);
            if (w > 0 && (size_t)w < sizeof fail_log - fail_len) fail_len += (size_t)w;
            failures += mf;
        }
    }
    rmdir(tmpdir);
    target targets[T_COUNT][MAX_CLASSES];
    collect_targets(targets, tot, codecs, nc, rows, nrows, o.mogrify ? mt : NULL);

    if (o.summary) {
        FILE *s = fopen(o.summary, "w");
        if (!s) {
            fprintf(stderr, "dir-bench: cannot create %s: %s\n", o.summary, strerror(errno));
            return 1;
        }
        fprintf(s, "# "
                   "class\tcodec\tbytes\tratio_png\tencode_ms\tdecode_ms\tencode_MBps\tdecode_"
                   "MBps\tlabel\n");
        for (int ci = 0; ci < MAX_CLASSES; ci++) {
            const class_total *ct = &tot[ci];
            if (!ct->images) continue;
            for (size_t k = 0; k < nc; k++)
                fprintf(s, "%s\t%s\t%llu\t%.4f\t%.2f\t%.2f\t%.2f\t%.2f\t\"%s\"\n", class_names[ci],
                        codecs[k].id, (unsigned long long)ct->size[k],
                        (double)ct->size[k] / (double)ct->size[png_ref],
                        (double)ct->enc_ns[k] / 1e6, (double)ct->dec_ns[k] / 1e6,
                        mbps(ct->raw, ct->enc_ns[k]), mbps(ct->raw, ct->dec_ns[k]),
                        codecs[k].label);
        }
        if (fclose(s) != 0) {
            fprintf(stderr, "dir-bench: error writing %s\n", o.summary);
            return 1;
        }
    }

    if (o.markdown) {
        md = fopen(o.markdown, "w");
        if (!md) {
            fprintf(stderr, "dir-bench: cannot create %s: %s\n", o.markdown, strerror(errno));
            return 1;
        }
    }
    fprintf(md, "### Size relative to PNG (libpng, default level); lower is better\n\n");
    write_codec_table(md, tot, codecs, nc, png_ref, NULL, NULL, 0);
    if (failures) fprintf(md, "\n**%u run(s) FAILED:**\n\n%s", failures, fail_log);
    for (int ci = 0; ci < MAX_CLASSES; ci++)
        if (tot[ci].images) write_class_table(md, &tot[ci], class_names[ci], codecs, nc, png_ref);
    if (o.mogrify) {
        fprintf(md, "\n### Whole commands: `mogrify`\n");
        write_mogrify(md, mt, o.mogrify, o.mogrify_rounds);
    }
    write_v2_targets(md, targets);
    write_targets(md, tot, codecs, nc);
    write_losses(md, tot, codecs, nc);
    write_per_image(md, rows, nrows);
    write_sections(md, tot, codecs, nc);
    fprintf(md,
            "\nRepetitions: each encode up to %u times, each decode 3 to %u times, stopping once "
            "%llu ms "
            "were spent on that image and codec; the median run counts, summed over the class. "
            "Times are %s. Whole run: %.0f s of wall-clock time.\n",
            o.enc_runs, o.dec_runs, (unsigned long long)(o.budget_ns / 1000000u),
            o.clock == BENCH_CLOCK_CPU ? "CPU time (thread, plus children for optipng)"
                                       : "wall-clock time",
            (double)(bench_wall_ns() - t_start) / 1e9);
    if (md != stdout && fclose(md) != 0) {
        fprintf(stderr, "dir-bench: error writing %s\n", o.markdown);
        return 1;
    }
    if (o.readme) {
        FILE *r = fopen(o.readme, "w");
        if (!r) {
            fprintf(stderr, "dir-bench: cannot create %s: %s\n", o.readme, strerror(errno));
            return 1;
        }
        write_readme(r, tot, codecs, nc, png_ref, targets);
        if (fclose(r) != 0) {
            fprintf(stderr, "dir-bench: error writing %s\n", o.readme);
            return 1;
        }
    }
    for (size_t i = 0; i < nrows; i++)
        free(rows[i].path);
    free(tot);
    free(rows);
    fprintf(stderr, "dir-bench: done in %.0f s, %u failure(s)\n",
            (double)(bench_wall_ns() - t_start) / 1e9, failures);
    return failures ? 1 : 0;
}
