/* SPDX-License-Identifier: MIT */
/* image_io.c -- dirtool's image and file I/O (see image_io.h). */
#define _XOPEN_SOURCE 700 /* realpath(); the build defines _POSIX_C_SOURCE */
#include "image_io.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <webp/decode.h>
#include <webp/encode.h>

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void meta_free(tool_meta *m);

tool_format tool_format_from_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot) return TOOL_FMT_UNKNOWN;
    if (strcasecmp(dot, ".png") == 0) return TOOL_FMT_PNG;
    if (strcasecmp(dot, ".webp") == 0) return TOOL_FMT_WEBP;
    if (strcasecmp(dot, ".dir") == 0) return TOOL_FMT_DIR;
    return TOOL_FMT_UNKNOWN;
}

int tool_read_file(const char *path, uint8_t **data, size_t *size, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    *data = NULL;
    *size = 0;
    if (!f) return set_err(err, errlen, "cannot open '%s': %s", path, strerror(errno));
    for (;;) {
        if (cap - len < 65536) {
            size_t ncap = cap ? cap * 2 : 1 << 20;
            uint8_t *p = ncap > cap ? realloc(buf, ncap) : NULL;
            if (!p) {
                free(buf);
                if (f != stdin) fclose(f);
                return set_err(err, errlen, "'%s': out of memory", path);
            }
            buf = p;
            cap = ncap;
        }
        errno = 0;
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    int bad = ferror(f), why = errno;
    if (f != stdin) fclose(f);
    if (bad) {
        free(buf);
        return set_err(err, errlen, "cannot read '%s': %s", path,
                       why ? strerror(why) : "read error");
    }
    *data = buf;
    *size = len;
    return 0;
}

/* Writes all of data to fd; returns 0 or -1 with errno. */
static int write_all(int fd, const void *data, size_t size)
{
    const uint8_t *p = data;
    while (size) {
        ssize_t w = write(fd, p, size);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        size -= (size_t)w;
    }
    return 0;
}

int tool_write_file_atomic(const char *path, const void *data, size_t size, char *err,
                           size_t errlen)
{
    if (strcmp(path, "-") == 0) {
        if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0)
            return set_err(err, errlen, "cannot write to standard output: %s", strerror(errno));
        return 0;
    }
    /* A symbolic link is followed: its target is replaced, the link kept. */
    char *real = NULL;
    struct stat st;
    int exists = lstat(path, &st) == 0;
    if (exists && S_ISLNK(st.st_mode)) {
        real = realpath(path, NULL);
        exists = real && stat(real, &st) == 0;
        if (real) path = real;
    }
    /* Not a regular file (a FIFO, a device, a dangling link): written in
     * place, since replacing it would change what it is. */
    if ((exists && !S_ISREG(st.st_mode)) || (!exists && real == NULL && lstat(path, &st) == 0)) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        int rc = fd < 0 || write_all(fd, data, size) != 0;
        if (fd >= 0 && close(fd) != 0) rc = 1;
        if (rc) set_err(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        free(real);
        return rc ? -1 : 0;
    }
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp) {
        free(real);
        return set_err(err, errlen, "out of memory");
    }
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp-XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        set_err(err, errlen, "cannot create a temporary file beside '%s': %s", path,
                strerror(errno));
        free(tmp);
        free(real);
        return -1;
    }
    if (write_all(fd, data, size) != 0) {
        set_err(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        free(real);
        return -1;
    }
    if (exists) {
        /* keep the replaced file's permissions and, where allowed, owner */
        (void)fchmod(fd, st.st_mode & 07777);
        if (fchown(fd, st.st_uid, st.st_gid) != 0) { /* not ours to give: keep ours */
        }
    } else {
        /* mkstemp creates 0600; give a new file the usual mode */
        mode_t mask = umask(0);
        umask(mask);
        (void)fchmod(fd, 0666 & ~mask);
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        set_err(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        free(real);
        return -1;
    }
    free(tmp);
    free(real);
    return 0;
}

void tool_image_free(tool_image *img)
{
    if (!img) return;
    free(img->pixels);
    img->pixels = NULL;
    meta_free(&img->meta);
}

int tool_image_to_8bit(tool_image *img)
{
    size_t n = (size_t)img->width * img->height;
    unsigned c = img->channels, oc = c == 2 ? 4 : c;
    int wide = img->depth == 16;
    if (!wide && oc == c) return 0;
    uint8_t *o = malloc(n * oc);
    if (!o) return -1;
    const uint8_t *p8 = img->pixels;
    const uint16_t *p16 = (const uint16_t *)(const void *)img->pixels;
    for (size_t i = 0; i < n; i++)
        for (unsigned k = 0; k < oc; k++) {
            /* grey+alpha: grey fills R, G, B; alpha comes last */
            unsigned from = c != 2 ? k : (k < 3 ? 0 : 1);
            size_t at = i * c + from;
            o[i * oc + k] = wide ? (uint8_t)((p16[at] * 255u + 32767u) / 65535u) : p8[at];
        }
    free(img->pixels);
    img->pixels = o;
    img->channels = oc;
    img->depth = 8;
    return 0;
}

/* ---- PNG ------------------------------------------------------------------ */

typedef struct png_mem {
    const uint8_t *data;
    size_t size, pos;
    char msg[200];
} png_mem;

static void png_mem_read(png_structp png, png_bytep out, png_size_t n)
{
    png_mem *m = png_get_io_ptr(png);
    if (m->size - m->pos < n) png_error(png, "truncated PNG data");
    memcpy(out, m->data + m->pos, n);
    m->pos += n;
}

static void png_on_error(png_structp png, png_const_charp msg)
{
    png_mem *m = png_get_error_ptr(png);
    snprintf(m->msg, sizeof m->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

size_t tool_image_bytes(const tool_image *img)
{
    return (size_t)img->width * img->height * img->channels * (img->depth == 16 ? 2 : 1);
}

static int host_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

void tool_meta_view(const tool_meta *m, dir_metadata *out)
{
    memset(out, 0, sizeof *out);
    out->icc = m->icc;
    out->icc_size = m->icc ? m->icc_size : 0;
    out->exif = m->exif;
    out->exif_size = m->exif ? m->exif_size : 0;
    out->xmp = m->xmp;
    out->xmp_size = m->xmp ? m->xmp_size : 0;
    out->comment = m->comment;
    out->density_x = m->density_x;
    out->density_y = m->density_y;
}

/* A malloc()ed copy of n bytes with a NUL after them.  Not inlined: called
 * between libpng's setjmp() and longjmp(), its local would otherwise be
 * flagged by gcc 14's -Wclobbered (a false alarm: it never lives across a
 * longjmp). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint8_t *dup_bytes(const void *p, size_t n)
{
    uint8_t *d = malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

static void meta_free(tool_meta *m)
{
    free(m->icc);
    free(m->exif);
    free(m->xmp);
    free(m->comment);
    memset(m, 0, sizeof *m);
}

int tool_meta_copy(const dir_metadata *in, tool_meta *out)
{
    memset(out, 0, sizeof *out);
    if ((in->icc_size && !(out->icc = dup_bytes(in->icc, in->icc_size))) ||
        (in->exif_size && !(out->exif = dup_bytes(in->exif, in->exif_size))) ||
        (in->xmp_size && !(out->xmp = dup_bytes(in->xmp, in->xmp_size))) ||
        (in->comment && !(out->comment = (char *)dup_bytes(in->comment, strlen(in->comment))))) {
        meta_free(out);
        return -1;
    }
    out->icc_size = in->icc_size;
    out->exif_size = in->exif_size;
    out->xmp_size = in->xmp_size;
    out->density_x = in->density_x;
    out->density_y = in->density_y;
    return 0;
}

/* Latin-1 (tEXt, zTXt) to UTF-8, malloc()ed. */
static char *latin1_to_utf8(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *o = malloc(2 * n + 1);
    if (!o) return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            o[k++] = (char)c;
        } else {
            o[k++] = (char)(0xc0 | c >> 6);
            o[k++] = (char)(0x80 | (c & 0x3f));
        }
    }
    o[k] = 0;
    return o;
}

#define PNG_XMP_KEY     "XML:com.adobe.xmp"
#define PNG_COMMENT_KEY "Comment"

/* The metadata libpng found (before and after the image data). */
static int png_meta(png_structp png, png_infop info, tool_meta *m)
{
    png_charp name;
    int comp;
    png_bytep prof;
    png_uint_32 plen;
    if (png_get_valid(png, info, PNG_INFO_iCCP) &&
        png_get_iCCP(png, info, &name, &comp, &prof, &plen) && plen) {
        if (!(m->icc = dup_bytes(prof, plen))) return -1;
        m->icc_size = plen;
    }
    png_bytep exif;
    png_uint_32 elen;
    if (png_get_valid(png, info, PNG_INFO_eXIf) && png_get_eXIf_1(png, info, &elen, &exif) &&
        elen) {
        if (!(m->exif = dup_bytes(exif, elen))) return -1;
        m->exif_size = elen;
    }
    png_textp text;
    int ntext = 0;
    png_get_text(png, info, &text, &ntext);
    for (int i = 0; i < ntext; i++) {
        if (!text[i].text) continue;
        int itxt = text[i].compression == PNG_ITXT_COMPRESSION_NONE ||
                   text[i].compression == PNG_ITXT_COMPRESSION_zTXt;
        if (!m->xmp && strcmp(text[i].key, PNG_XMP_KEY) == 0 && text[i].text[0]) {
            char *x = itxt ? (char *)dup_bytes(text[i].text, strlen(text[i].text))
                           : latin1_to_utf8(text[i].text);
            if (!x) return -1;
            m->xmp = (uint8_t *)x;
            m->xmp_size = strlen(x);
        } else if (!m->comment && strcasecmp(text[i].key, PNG_COMMENT_KEY) == 0) {
            m->comment = itxt ? (char *)dup_bytes(text[i].text, strlen(text[i].text))
                              : latin1_to_utf8(text[i].text);
            if (!m->comment) return -1;
        }
    }
    png_uint_32 rx, ry;
    int unit;
    if (png_get_pHYs(png, info, &rx, &ry, &unit) && unit == PNG_RESOLUTION_METER && rx && ry) {
        m->density_x = rx;
        m->density_y = ry;
    }
    return 0;
}

static int read_png(const uint8_t *data, size_t size, const char *path, const dir_limits *lim,
                    tool_image *img, char *err, size_t errlen)
{
    png_mem m = {data, size, 0, ""};
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, &m, png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    /* volatile: both are set after setjmp() and freed after longjmp(). */
    png_bytep *volatile rows = NULL;
    uint8_t *volatile pixels = NULL;
    tool_meta meta;
    memset(&meta, 0, sizeof meta);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return set_err(err, errlen, "'%s': out of memory", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return set_err(err, errlen, "'%s': bad PNG: %s", path, m.msg);
    }
    png_set_read_fn(png, &m, png_mem_read);
    png_set_user_limits(png, lim->max_width, lim->max_height);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int type = png_get_color_type(png, info);
    if ((uint64_t)w * h > lim->max_pixels) {
        png_destroy_read_struct(&png, &info, NULL);
        return set_err(err, errlen, "'%s': image %ux%u is over the size limit", path, (unsigned)w,
                       (unsigned)h);
    }
    /* Kept as they are: 8 and 16 bits (16-bit samples native-endian),
     * grey, grey+alpha, RGB, RGBA.  Palettes become RGB (RGBA with tRNS),
     * grey below 8 bits becomes 8-bit grey, tRNS an alpha channel. */
    if (png_get_bit_depth(png, info) == 16 && host_little_endian()) png_set_swap(png);
    png_set_packing(png);
    if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (type == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    unsigned channels = png_get_channels(png, info);
    unsigned depth = png_get_bit_depth(png, info);
    if (channels < 1 || channels > 4 || (depth != 8 && depth != 16))
        png_error(png, "unexpected layout");
    size_t stride = (size_t)w * channels * (depth / 8);
    pixels = malloc(stride * h);
    rows = malloc(sizeof *rows * h);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = pixels + stride * y;
    png_read_image(png, rows);
    png_read_end(png, info); /* text chunks after the image data too */
    free(rows);
    rows = NULL;
    if (png_meta(png, info, &meta)) {
        meta_free(&meta);
        png_error(png, "out of memory");
    }
    png_destroy_read_struct(&png, &info, NULL);
    img->width = w;
    img->height = h;
    img->channels = channels;
    img->depth = depth;
    img->pixels = pixels;
    img->meta = meta;
    return 0;
}

typedef struct png_out {
    uint8_t *data;
    size_t len, cap;
    int oom;
} png_out;

static void png_mem_write(png_structp png, png_bytep in, png_size_t n)
{
    png_out *o = png_get_io_ptr(png);
    if (o->cap - o->len < n) {
        size_t cap = o->cap ? o->cap : 65536;
        while (cap - o->len < n)
            cap *= 2;
        uint8_t *p = realloc(o->data, cap);
        if (!p) {
            o->oom = 1;
            png_error(png, "out of memory");
        }
        o->data = p;
        o->cap = cap;
    }
    memcpy(o->data + o->len, in, n);
    o->len += n;
}

static void png_mem_flush(png_structp png)
{
    (void)png;
}

static int encode_png(const tool_image *img, png_out *o, char *err, size_t errlen)
{
    png_mem m = {NULL, 0, 0, ""};
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &m, png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return set_err(err, errlen, "out of memory");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(o->data);
        o->data = NULL;
        return set_err(err, errlen, "PNG encoding failed: %s", m.msg);
    }
    static const int types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                 PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    int depth = img->depth == 16 ? 16 : 8;
    const tool_meta *mt = &img->meta;
    png_set_write_fn(png, o, png_mem_write, png_mem_flush);
    png_set_IHDR(png, info, img->width, img->height, depth, types[img->channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (mt->icc && mt->icc_size)
        png_set_iCCP(png, info, "ICC profile", PNG_COMPRESSION_TYPE_BASE, mt->icc,
                     (png_uint_32)mt->icc_size);
    if (mt->exif && mt->exif_size) png_set_eXIf_1(png, info, (png_uint_32)mt->exif_size, mt->exif);
    if (mt->density_x && mt->density_y)
        png_set_pHYs(png, info, mt->density_x, mt->density_y, PNG_RESOLUTION_METER);
    png_text text[2];
    int ntext = 0;
    memset(text, 0, sizeof text);
    if (mt->xmp && mt->xmp_size) {
        /* the copy in tool_meta is NUL-terminated */
        text[ntext].compression = PNG_ITXT_COMPRESSION_NONE;
        text[ntext].key = (png_charp)PNG_XMP_KEY;
        text[ntext].text = (png_charp)mt->xmp;
        text[ntext].lang = (png_charp) "";
        text[ntext].lang_key = (png_charp) "";
        ntext++;
    }
    if (mt->comment) {
        int ascii = 1;
        for (const char *c = mt->comment; *c; c++)
            if ((unsigned char)*c >= 0x80) ascii = 0;
        /* tEXt is Latin-1: plain ASCII goes there, anything else in iTXt */
        text[ntext].compression = ascii ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
        text[ntext].key = (png_charp)PNG_COMMENT_KEY;
        text[ntext].text = mt->comment;
        text[ntext].lang = (png_charp) "";
        text[ntext].lang_key = (png_charp) "";
        ntext++;
    }
    if (ntext) png_set_text(png, info, text, ntext);
    png_write_info(png, info);
    if (depth == 16 && host_little_endian()) png_set_swap(png);
    size_t stride = (size_t)img->width * img->channels * (size_t)(depth / 8);
    for (uint32_t y = 0; y < img->height; y++)
        png_write_row(png, img->pixels + stride * y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

/* ---- WebP ----------------------------------------------------------------- */

static int read_webp(const uint8_t *data, size_t size, const char *path, const dir_limits *lim,
                     tool_image *img, char *err, size_t errlen)
{
    WebPBitstreamFeatures feat;
    if (WebPGetFeatures(data, size, &feat) != VP8_STATUS_OK)
        return set_err(err, errlen, "'%s': bad WebP data", path);
    if (feat.width <= 0 || feat.height <= 0 || (uint32_t)feat.width > lim->max_width ||
        (uint32_t)feat.height > lim->max_height ||
        (uint64_t)feat.width * (uint64_t)feat.height > lim->max_pixels)
        return set_err(err, errlen, "'%s': image %dx%d is over the size limit", path, feat.width,
                       feat.height);
    unsigned channels = feat.has_alpha ? 4 : 3;
    size_t stride = (size_t)feat.width * channels, n = stride * (size_t)feat.height;
    uint8_t *px = malloc(n);
    if (!px) return set_err(err, errlen, "'%s': out of memory", path);
    uint8_t *ok = channels == 4 ? WebPDecodeRGBAInto(data, size, px, n, (int)stride)
                                : WebPDecodeRGBInto(data, size, px, n, (int)stride);
    if (!ok) {
        free(px);
        return set_err(err, errlen, "'%s': bad WebP data", path);
    }
    img->width = (uint32_t)feat.width;
    img->height = (uint32_t)feat.height;
    img->channels = channels;
    img->depth = 8;
    img->pixels = px;
    return 0;
}

/* ---- Dispatch ------------------------------------------------------------- */

int tool_read_image(const char *path, const dir_limits *lim_in, tool_image *img, char *err,
                    size_t errlen)
{
    uint8_t *data;
    size_t size;
    dir_limits lim;
    int rc;
    memset(img, 0, sizeof *img);
    if (lim_in)
        lim = *lim_in;
    else
        dir_limits_default(&lim);
    if (tool_read_file(path, &data, &size, err, errlen)) return -1;
    if (size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
        rc = read_png(data, size, path, &lim, img, err, errlen);
    } else if (size >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) {
        rc = read_webp(data, size, path, &lim, img, err, errlen);
    } else if (size >= 4 && memcmp(data + 1, "DIR", 3) == 0) {
        dir_info info;
        dir_diag diag;
        dir_metadata dm;
        void *px;
        if (dir_decode_alloc(data, size, &lim, &px, &info, NULL, &diag) != DIR_OK ||
            dir_read_metadata(data, size, &dm, &diag) != DIR_OK) {
            rc = set_err(err, errlen, "'%s': %s", path, diag.message);
        } else if (tool_meta_copy(&dm, &img->meta)) {
            dir_free(px);
            rc = set_err(err, errlen, "'%s': out of memory", path);
        } else {
            img->width = info.width;
            img->height = info.height;
            img->channels = info.channels;
            img->depth = info.depth;
            img->pixels = px;
            rc = 0;
        }
    } else {
        rc = set_err(err, errlen, "'%s': not a PNG, WebP or .dir file", path);
    }
    free(data);
    return rc;
}

int tool_write_image(const char *path, const tool_image *img, const dir_encode_options *opt,
                     char *err, size_t errlen)
{
    /* Standard output ("-") takes PNG. */
    tool_format fmt = strcmp(path, "-") == 0 ? TOOL_FMT_PNG : tool_format_from_name(path);
    if (img->channels < 1 || img->channels > 4)
        return set_err(err, errlen, "unsupported channel count %u", img->channels);
    if (fmt == TOOL_FMT_PNG) {
        png_out o = {NULL, 0, 0, 0};
        if (encode_png(img, &o, err, errlen)) return -1;
        int rc = tool_write_file_atomic(path, o.data, o.len, err, errlen);
        free(o.data);
        return rc;
    }
    if (fmt == TOOL_FMT_WEBP) {
        uint8_t *rgb = NULL;
        const uint8_t *src = img->pixels;
        if (img->width > WEBP_MAX_DIMENSION || img->height > WEBP_MAX_DIMENSION)
            return set_err(err, errlen, "'%s': %ux%u is too large for WebP", path, img->width,
                           img->height);
        if (img->depth == 16)
            return set_err(err, errlen,
                           "'%s': WebP holds only 8-bit samples (write PNG for 16-bit images)",
                           path);
        if (img->channels <= 2) {
            /* grey to RGB, grey+alpha to RGBA */
            size_t px = (size_t)img->width * img->height, oc = img->channels + 2;
            rgb = malloc(px * oc);
            if (!rgb) return set_err(err, errlen, "out of memory");
            for (size_t i = 0; i < px; i++) {
                uint8_t g = src[i * img->channels];
                rgb[oc * i] = rgb[oc * i + 1] = rgb[oc * i + 2] = g;
                if (oc == 4) rgb[oc * i + 3] = src[i * 2 + 1];
            }
            src = rgb;
        }
        /* Lossless with exact = 1: the colour under transparent pixels is
         * kept (array data lives there; libwebp zeroes it otherwise). */
        WebPConfig cfg;
        WebPPicture pic;
        WebPMemoryWriter wr;
        if (!WebPConfigInit(&cfg) || !WebPPictureInit(&pic)) {
            free(rgb);
            return set_err(err, errlen, "'%s': WebP library version mismatch", path);
        }
        cfg.lossless = 1;
        cfg.exact = 1;
        pic.use_argb = 1;
        pic.width = (int)img->width;
        pic.height = (int)img->height;
        int alpha = img->channels == 4 || img->channels == 2;
        int ok = alpha ? WebPPictureImportRGBA(&pic, src, (int)(img->width * 4))
                       : WebPPictureImportRGB(&pic, src, (int)(img->width * 3));
        WebPMemoryWriterInit(&wr);
        pic.writer = WebPMemoryWrite;
        pic.custom_ptr = &wr;
        ok = ok && WebPEncode(&cfg, &pic);
        WebPPictureFree(&pic);
        free(rgb);
        if (!ok) {
            WebPMemoryWriterClear(&wr);
            return set_err(err, errlen, "'%s': WebP encoding failed", path);
        }
        int rc = tool_write_file_atomic(path, wr.mem, wr.size, err, errlen);
        WebPMemoryWriterClear(&wr);
        return rc;
    }
    if (fmt == TOOL_FMT_DIR) {
        void *out;
        size_t n;
        dir_diag diag;
        dir_metadata dm;
        dir_pixels px = {
            img->pixels, img->width, img->height, img->channels, img->depth == 16 ? 16 : 8, 0};
        tool_meta_view(&img->meta, &dm);
        if (dir_encode_image(&px, &dm, opt, &out, &n, NULL, &diag) != DIR_OK)
            return set_err(err, errlen, "'%s': %s", path, diag.message);
        int rc = tool_write_file_atomic(path, out, n, err, errlen);
        dir_free(out);
        return rc;
    }
    return set_err(err, errlen, "'%s': unknown output format (use .png, .webp or .dir)", path);
}
