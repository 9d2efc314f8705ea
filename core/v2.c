/* SPDX-License-Identifier: MIT */
/* v2.c -- the pixel payload of a version-2 .dir file (docs/FORMAT.md,
 * "Version 2 payload"): 16x16 sections coded as a fill, a reference to an
 * earlier section, a small palette with bit-packed indices, or raw residuals
 * of one of seven predictors; an optional image palette or green
 * subtraction first; six streams, each stored, zstd or lzma (LZMA2). */
#if DIR_HAVE_LZMA
#include <lzma.h>
#endif
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "diag.h"
#include "v2.h"

#define SEC    16
#define MAXU   8 /* bytes per unit: 4 channels of 16 bits */
#define PALMAX 16

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

enum { S_CODES, S_FILLS, S_REFS, S_RESID, S_PALS, S_INDEX, S_IPAL };

/* the six streams', and the large image palette's (transform 3) record */
static const char *const stream_names[DIR2_STREAMS + 1] = {
    "codes", "fills", "references", "residuals", "palettes", "indices", "image palette"};

/* "stream K (name)" for the table's streams, "the image palette" for transform 3's record. */
static const char *slabel(unsigned k, char b[32])
{
    if (k == S_IPAL) return "the image palette";
    snprintf(b, 32, "stream %u (%s)", k, stream_names[k]);
    return b;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static dir_error
fail(dir_diag *diag, dir_error err, uint64_t offset, uint64_t section, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dir_vfail(diag, err, offset, section, fmt, ap);
    va_end(ap);
    return err;
}

/* ---- shared ---- */

static unsigned index_bits(unsigned k)
{
    return k <= 2 ? 1 : k <= 4 ? 2 : 4;
}

static inline unsigned paeth(unsigned l, unsigned u, unsigned ul)
{
    int pa = abs((int)u - (int)ul), pb = abs((int)l - (int)ul),
        pc = abs((int)l + (int)u - 2 * (int)ul);
    return pa <= pb && pa <= pc ? l : pb <= pc ? u : ul;
}

static inline unsigned med(unsigned l, unsigned u, unsigned ul)
{
    unsigned mx = l > u ? l : u, mn = l > u ? u : l;
    return ul >= mx ? mn : ul <= mn ? mx : l + u - ul;
}

static inline unsigned gradient(unsigned l, unsigned u, unsigned ul)
{
    int g = (int)l + (int)u - (int)ul;
    return (unsigned)(g < 0 ? 0 : g > 255 ? 255 : g);
}

/* The loop of predictor p over n bytes, L/U/UL the left, up and up-left
 * bytes of byte i, STMT using the prediction pr. */
#define PRED_LOOP(p, STMT)                                                                         \
    switch (p) {                                                                                   \
    case DIR2_PRED_LEFT:                                                                           \
        for (size_t i = 0; i < n; i++) {                                                           \
            unsigned pr = L[i];                                                                    \
            STMT;                                                                                  \
        }                                                                                          \
        break;                                                                                     \
    case DIR2_PRED_UP:                                                                             \
        for (size_t i = 0; i < n; i++) {                                                           \
            unsigned pr = U[i];                                                                    \
            STMT;                                                                                  \
        }                                                                                          \
        break;                                                                                     \
    case DIR2_PRED_AVERAGE:                                                                        \
        for (size_t i = 0; i < n; i++) {                                                           \
            unsigned pr = ((unsigned)L[i] + U[i]) >> 1;                                            \
            STMT;                                                                                  \
        }                                                                                          \
        break;                                                                                     \
    case DIR2_PRED_PAETH:                                                                          \
        for (size_t i = 0; i < n; i++) {                                                           \
            unsigned pr = paeth(L[i], U[i], UL[i]);                                                \
            STMT;                                                                                  \
        }                                                                                          \
        break;                                                                                     \
    case DIR2_PRED_GRADIENT:                                                                       \
        for (size_t i = 0; i < n; i++) {                                                           \
            unsigned pr = gradient(L[i], U[i], UL[i]);                                             \
            STMT;                                                                                  \
        }                                                                                          \
        break;                                                                                     \
    case DIR2_PRED_MED:                                                                            \
        for (size_t i = 0; i < n; i++) {                                                           \
            unsigned pr = med(L[i], U[i], UL[i]);                                                  \
            STMT;                                                                                  \
        }                                                                                          \
        break;                                                                                     \
    default: break;                                                                                \
    }

/* Prediction at the borders: on row 0 every predictor is the left
 * neighbour (0 for the first unit); in column 0 (other rows) the up
 * neighbour.  Elsewhere the formulas with L, U and UL. */

#if defined(__SSE2__)
/* resid_segment's inner loop, 8 bytes at a time in 16-bit lanes: the same
 * predictions as paeth(), gradient() and med() (MED as the median of L, U
 * and L + U - UL; the gradient clamped by the pack).  Returns the bytes
 * done, a multiple of 8; the rest is left to the scalar loop. */
static size_t resid_sse2(unsigned p, const uint8_t *c, const uint8_t *L, const uint8_t *U,
                         const uint8_t *UL, size_t n, uint8_t *o)
{
    const __m128i z = _mm_setzero_si128();
    size_t i = 0;
#define LOAD16(s) _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)((s) + i)), z)
    for (; i + 8 <= n; i += 8) {
        __m128i a = LOAD16(L), b = LOAD16(U), pr;
        switch (p) {
        case DIR2_PRED_LEFT: pr = a; break;
        case DIR2_PRED_UP: pr = b; break;
        case DIR2_PRED_AVERAGE: pr = _mm_srli_epi16(_mm_add_epi16(a, b), 1); break;
        case DIR2_PRED_PAETH: {
            __m128i cc = LOAD16(UL);
            __m128i bc = _mm_sub_epi16(b, cc), ac = _mm_sub_epi16(a, cc);
            __m128i abc = _mm_add_epi16(bc, ac);
            __m128i pa = _mm_max_epi16(bc, _mm_sub_epi16(z, bc));
            __m128i pb = _mm_max_epi16(ac, _mm_sub_epi16(z, ac));
            __m128i pc = _mm_max_epi16(abc, _mm_sub_epi16(z, abc));
            __m128i not_a = _mm_or_si128(_mm_cmpgt_epi16(pa, pb), _mm_cmpgt_epi16(pa, pc));
            __m128i not_b = _mm_cmpgt_epi16(pb, pc);
            __m128i bc_sel = _mm_or_si128(_mm_andnot_si128(not_b, b), _mm_and_si128(not_b, cc));
            pr = _mm_or_si128(_mm_andnot_si128(not_a, a), _mm_and_si128(not_a, bc_sel));
            break;
        }
        case DIR2_PRED_GRADIENT: pr = _mm_sub_epi16(_mm_add_epi16(a, b), LOAD16(UL)); break;
        case DIR2_PRED_MED: {
            __m128i g = _mm_sub_epi16(_mm_add_epi16(a, b), LOAD16(UL));
            pr = _mm_max_epi16(_mm_min_epi16(a, b), _mm_min_epi16(_mm_max_epi16(a, b), g));
            break;
        }
        default: return i;
        }
        __m128i cur = _mm_loadl_epi64((const __m128i *)(const void *)(c + i));
        _mm_storel_epi64((__m128i *)(void *)(o + i), _mm_sub_epi8(cur, _mm_packus_epi16(pr, z)));
    }
#undef LOAD16
    return i;
}
#endif

/* Residuals of units x0..x1-1 of row y of plane pl (rows of rs bytes,
 * units of ub bytes) for predictor p >= 1 into o. */
static void resid_segment(unsigned p, const uint8_t *pl, size_t rs, unsigned ub, uint32_t x0,
                          uint32_t x1, uint32_t y, uint8_t *o)
{
    const uint8_t *c = pl + (size_t)y * rs + (size_t)x0 * ub;
    size_t n = (size_t)(x1 - x0) * ub;
    if (x0 == 0) {
        for (unsigned b = 0; b < ub; b++)
            o[b] = (uint8_t)(c[b] - (y ? (c - rs)[b] : 0));
        c += ub;
        o += ub;
        n -= ub;
    }
    const uint8_t *L = c - ub;
    if (y == 0) {
        for (size_t i = 0; i < n; i++)
            o[i] = (uint8_t)(c[i] - L[i]);
        return;
    }
    const uint8_t *U = c - rs, *UL = U - ub;
#if defined(__SSE2__)
    size_t done = resid_sse2(p, c, L, U, UL, n, o);
    c += done;
    L += done;
    U += done;
    UL += done;
    o += done;
    n -= done;
#endif
    PRED_LOOP(p, o[i] = (uint8_t)(c[i] - pr))
}

static size_t leb_put(uint8_t *d, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        d[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    d[n++] = (uint8_t)v;
    return n;
}

/* Reads a minimal LEB128 of at most 9 bytes (values below 2^63).  Returns
 * the bytes used, 0 if truncated, (size_t)-1 if too long or not minimal. */
static size_t leb_get(const uint8_t *s, size_t n, uint64_t *v)
{
    uint64_t r = 0;
    for (size_t i = 0; i < 9; i++) {
        if (i >= n) return 0;
        r |= (uint64_t)(s[i] & 0x7f) << (7 * i);
        if (!(s[i] & 0x80)) {
            if (i > 0 && s[i] == 0) return (size_t)-1;
            *v = r;
            return i + 1;
        }
    }
    return (size_t)-1;
}

static uint32_t lzma_dict(uint64_t raw)
{
    uint32_t d = 4096;
    while (d < raw && d < (64u << 20))
        d <<= 1;
    return d;
}

/* ---- encoder ---- */

/* Worker threads for threads = 0: one per online processor, 1 to 8. */
static int processors(void)
{
#ifdef _SC_NPROCESSORS_ONLN
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (int)n;
#else
    return 1;
#endif
}

void dir2_params_from_options(const dir_encode_options *opt, dir2_params *p)
{
    dir_encode_options d;
    if (!opt) {
        dir_encode_options_default(&d);
        opt = &d;
    }
    memset(p, 0, sizeof *p);
    p->palette = 1; /* never larger (measured on the corpus) */
    p->refs = 1;
    p->fills = 1;
    p->smallpal_max = 0; /* small palettes: larger under zstd (measured) */
    p->green = 1;
    p->b_bias = 13;  /* B must look 20% smaller than A (measured) */
    p->est_span = 2; /* repeats of two units, 24 bits each (measured best of 2-4, 16-48) */
    p->est_match = 24;
    p->cost_step = 2; /* every other row: 18-34% faster, 0.1-0.5% larger (measured) */
    /* image palettes: by value, with predictors, 3 zstd levels more (a
     * byte per pixel leaves the time for it): 2.9% smaller on the corpus's
     * <= 256-colour images, and smaller than optipng on 9 of 11 (measured) */
    p->pal_order = 1;
    p->pal_predict = 1;
    p->pal_level_boost = opt->filter == DIR_FILTER_AUTO ? 3 : 0;
    /* and 5 levels (the default's 14: binary trees instead of the lazy
     * rule below) for their residual stream when it is at most 256 KiB,
     * where the time stays small: 1.5-1.7% smaller on the corpus's
     * image-palette images, which then beat optipng -o2 on all but one,
     * for up to 13% of the default's encode speed on screens and sprites
     * (measured) */
    p->pal_small_boost = opt->filter == DIR_FILTER_AUTO ? 5 : 0;
    p->method = opt->backend == DIR_BACKEND_NONE   ? DIR2_STORED
                : opt->backend == DIR_BACKEND_LZMA ? DIR2_LZMA
                                                   : DIR2_ZSTD;
    p->level = opt->backend == DIR_BACKEND_LZMA ? 9 : opt->level;
    p->predict = opt->filter == DIR_FILTER_NONE  ? DIR2_PRED_NONE
                 : opt->filter == DIR_FILTER_SUB ? DIR2_PRED_LEFT
                                                 : -2;
    if (opt->filter == DIR_FILTER_SUB) p->green = 0;
    p->trials = opt->search == DIR_SEARCH_TRIAL;
    p->workers = opt->threads == 1 ? 0 : opt->threads ? (int)opt->threads : processors();
    /* the alpha bytes of the residuals apart: 5.1% smaller icons, 5.6%
     * screens, 0.7% sprites under zstd; larger under lzma, whose literal
     * contexts already separate the bytes of a unit (measured) */
    p->alpha_last = p->method == DIR2_ZSTD;
    p->pal16 = opt->filter == DIR_FILTER_AUTO;
    p->progress = opt->progress;
    p->progress_user = opt->progress_user;
}

typedef struct buf {
    uint8_t *d;
    size_t n, cap;
} buf;

static int buf_put(buf *b, const void *s, size_t n)
{
    if (n == 0) return 0;
    if (b->cap - b->n < n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->n < n)
            cap *= 2;
        uint8_t *d = realloc(b->d, cap);
        if (!d) return -1;
        b->d = d;
        b->cap = cap;
    }
    memcpy(b->d + b->n, s, n);
    b->n += n;
    return 0;
}

/* The ub bytes (1 to 8) of a unit as a number: a fixed-size copy per size,
 * not a copy of variable length (a library call in the pixel loops). */
static inline uint64_t unit_key(const uint8_t *u, unsigned ub)
{
    uint64_t k = 0;
    switch (ub) {
    case 1: k = u[0]; break;
    case 2: memcpy(&k, u, 2); break;
    case 3: memcpy(&k, u, 3); break;
    case 4: memcpy(&k, u, 4); break;
    case 6: memcpy(&k, u, 6); break;
    case 8: memcpy(&k, u, 8); break;
    default: memcpy(&k, u, ub); break;
    }
    return k;
}

static uint64_t hash64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* Colour count of the image up to 257; fills pal (frequency order) and
 * idx (one byte per pixel) when <= 256.  Returns the count, or -1 (ENOMEM). */
static int image_palette(const uint8_t *pl, size_t npx, unsigned ub, uint8_t *pal, uint8_t *idx,
                         int by_value)
{
    enum { HBITS = 10, HSIZE = 1 << HBITS };
    uint64_t keys[HSIZE];
    int slot[HSIZE];
    uint64_t cnt[257];
    uint64_t ck[257];
    int n = 0;
    for (int i = 0; i < HSIZE; i++)
        slot[i] = -1;
    uint64_t last = 0;
    int lasti = -1;
    /* idx first holds each pixel's colour in the order of first appearance,
     * then (below) its rank.  The slot from a multiplicative hash (the
     * palette does not depend on it); one loop per unit size, so that each
     * unit is one fixed-size load. */
#define PALETTE_SCAN(KEY)                                                                          \
    for (size_t i = 0; i < npx; i++) {                                                             \
        uint64_t k = KEY;                                                                          \
        if (lasti >= 0 && k == last) {                                                             \
            cnt[lasti]++;                                                                          \
            idx[i] = (uint8_t)lasti;                                                               \
            continue;                                                                              \
        }                                                                                          \
        size_t h = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> (64 - HBITS));                          \
        while (slot[h] >= 0 && keys[h] != k)                                                       \
            h = (h + 1) & (HSIZE - 1);                                                             \
        if (slot[h] < 0) {                                                                         \
            if (n == 256) return 257;                                                              \
            keys[h] = k;                                                                           \
            slot[h] = n;                                                                           \
            ck[n] = k;                                                                             \
            cnt[n++] = 0;                                                                          \
        }                                                                                          \
        cnt[slot[h]]++;                                                                            \
        last = k;                                                                                  \
        lasti = slot[h];                                                                           \
        idx[i] = (uint8_t)lasti;                                                                   \
    }
    if (ub == 4) {
        PALETTE_SCAN(unit_key(pl + i * 4, 4))
    } else if (ub == 3) {
        PALETTE_SCAN(unit_key(pl + i * 3, 3))
    } else {
        PALETTE_SCAN(unit_key(pl + i * ub, ub))
    }
#undef PALETTE_SCAN
    /* frequency order (stable by first appearance) */
    int order[256], rank[256];
    for (int i = 0; i < n; i++)
        order[i] = i;
    /* by_value: a weighted sum of the unit's bytes (luma-like for RGB) */
    uint64_t val[256];
    for (int i = 0; i < n; i++) {
        const uint8_t *u = (const uint8_t *)&ck[i];
        val[i] = ub >= 3 ? 3u * u[0] + 6u * u[1] + u[2] + (ub > 3 ? 16u * (255u - u[3]) : 0) : u[0];
        val[i] = val[i] << 24 | (i & 0xffffff);
    }
    for (int i = 1; i < n; i++) {
        int o = order[i], j = i;
        while (j > 0 && (by_value ? val[order[j - 1]] > val[o] : cnt[order[j - 1]] < cnt[o])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = o;
    }
    for (int i = 0; i < n; i++) {
        rank[order[i]] = i;
        memcpy(pal + (size_t)i * ub, &ck[order[i]], ub);
    }
    uint8_t to[256];
    for (int i = 0; i < n; i++)
        to[i] = (uint8_t)rank[i];
    for (size_t i = 0; i < npx; i++)
        idx[i] = to[idx[i]];
    return n;
}

/* Sorts the n numbers a by their upper 32 bits (stable: by the lower ones
 * where those are ascending already), four passes of a byte; -1 when out
 * of memory.  qsort() took 4% of the encoder's instructions on screens. */
static int radix_sort_hi32(uint64_t *a, size_t n)
{
    uint64_t *t = malloc(n * sizeof *t);
    if (!t) return -1;
    for (unsigned sh = 32; sh < 64; sh += 8) {
        size_t cnt[256] = {0};
        for (size_t i = 0; i < n; i++)
            cnt[(a[i] >> sh) & 255]++;
        size_t sum = 0;
        for (unsigned d = 0; d < 256; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            t[cnt[(a[i] >> sh) & 255]++] = a[i];
        uint64_t *x = a;
        a = t;
        t = x;
    }
    /* four passes: the sorted numbers are back in the caller's array */
    free(t);
    return 0;
}

static inline uint32_t load32(const uint8_t *u)
{
    uint32_t k;
    memcpy(&k, u, 4);
    return k;
}

/* A two-byte little-endian index: one 16-bit load where the machine is
 * little-endian (two byte loads and a shift otherwise). */
static inline uint32_t index16(const uint8_t *u)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint16_t v;
    memcpy(&v, u, 2);
    return v;
#else
    return u[0] | (uint32_t)u[1] << 8;
#endif
}

/* Stores v (below 65536) as a two-byte little-endian index. */
static inline void store_index16(uint8_t *u, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint16_t w = (uint16_t)v;
    memcpy(u, &w, 2);
#else
    u[0] = (uint8_t)v;
    u[1] = (uint8_t)(v >> 8);
#endif
}

/* Doubles image_palette16's table; -1 when out of memory (*tab kept). */
static int pal16_grow(uint64_t **tab, unsigned *hbits)
{
    size_t old = (size_t)1 << *hbits, mask = 2 * old - 1;
    uint64_t *t2 = calloc(2 * old, sizeof *t2);
    if (!t2) return -1;
    for (size_t j = 0; j < old; j++) {
        uint64_t v = (*tab)[j];
        if (!v) continue;
        size_t g = (size_t)(((v >> 32) * 0x9e3779b97f4a7c15ULL) >> (64 - (*hbits + 1)));
        while (t2[g])
            g = (g + 1) & mask;
        t2[g] = v;
    }
    free(*tab);
    *tab = t2;
    (*hbits)++;
    return 0;
}

/* The large image palette (transform 3) of an 8-bit RGB or RGBA plane
 * (ub 3 or 4): its colours sorted by value (their bytes in order, as a
 * big-endian number) into *palp (malloc()ed, ncol * ub bytes) and each
 * pixel's index, two bytes little-endian, into idx (npx * 2 bytes).
 * Returns the colour count, 0 when there are more than DIR2_PAL16_MAX
 * (nothing allocated), or -1 when out of memory. */
static long image_palette16(const uint8_t *pl, size_t npx, unsigned ub, uint8_t **palp,
                            uint8_t *idx)
{
    /* open addressing, each slot (key << 32 | number + 1), 0 empty; the
     * table starts small (few colours stay in the cache) and doubles at
     * half full.  Keys are the unit's bytes as loaded (native order). */
    unsigned hbits = 12;
    uint64_t *tab = calloc((size_t)1 << hbits, sizeof *tab);
    uint32_t *ck = malloc(DIR2_PAL16_MAX * 2 * sizeof *ck); /* colour n's key, then ranks */
    if (!tab || !ck) {
        free(tab);
        free(ck);
        return -1;
    }
    uint32_t *rank = ck + DIR2_PAL16_MAX;
    long n = 0;
    size_t mask = ((size_t)1 << hbits) - 1;
    uint32_t last = 0, lasti = 0;
    /* one loop per unit size, each unit one fixed-size load */
#define PALETTE16_SCAN(KEY)                                                                        \
    for (size_t i = 0; i < npx; i++) {                                                             \
        uint32_t k = KEY;                                                                          \
        if (k != last || i == 0) {                                                                 \
            size_t h = (size_t)(((uint64_t)k * 0x9e3779b97f4a7c15ULL) >> (64 - hbits));            \
            while (tab[h] && (uint32_t)(tab[h] >> 32) != k)                                        \
                h = (h + 1) & mask;                                                                \
            if (!tab[h]) {                                                                         \
                if (n == DIR2_PAL16_MAX || (n * 2 >= (long)mask && pal16_grow(&tab, &hbits))) {    \
                    free(tab);                                                                     \
                    free(ck);                                                                      \
                    return n == DIR2_PAL16_MAX ? 0 : -1;                                           \
                }                                                                                  \
                mask = ((size_t)1 << hbits) - 1;                                                   \
                h = (size_t)(((uint64_t)k * 0x9e3779b97f4a7c15ULL) >> (64 - hbits));               \
                while (tab[h])                                                                     \
                    h = (h + 1) & mask;                                                            \
                tab[h] = (uint64_t)k << 32 | (uint64_t)(n + 1);                                    \
                ck[n++] = k;                                                                       \
            }                                                                                      \
            last = k;                                                                              \
            lasti = (uint32_t)tab[h] - 1;                                                          \
        }                                                                                          \
        store_index16(idx + 2 * i, lasti);                                                         \
    }
    if (ub == 4) {
        PALETTE16_SCAN(load32(pl + i * 4))
    } else {
        /* the first three bytes of a four-byte load, the last pixel's by themselves */
        uint32_t m3 = 0, k3 = 0;
        memcpy(&m3, (const uint8_t[4]){255, 255, 255, 0}, 4);
        if (npx) memcpy(&k3, pl + (npx - 1) * 3, 3);
        PALETTE16_SCAN(i + 1 < npx ? load32(pl + i * 3) & m3 : k3)
    }
#undef PALETTE16_SCAN
    free(tab);
    /* by value: sort (key, first-appearance number) pairs as 64-bit numbers */
    uint64_t *order = malloc((size_t)n * sizeof *order);
    uint8_t *pal = malloc((size_t)n * ub);
    if (!order || !pal) {
        free(order);
        free(pal);
        free(ck);
        return -1;
    }
    for (long i = 0; i < n; i++) {
        uint8_t u[4];
        memcpy(u, &ck[i], 4);
        uint32_t be = (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
        order[i] = (uint64_t)be << 32 | (uint64_t)i;
    }
    if (radix_sort_hi32(order, (size_t)n)) {
        free(order);
        free(pal);
        free(ck);
        return -1;
    }
    for (long i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(order[i] >> 32);
        rank[order[i] & 0xffffffffu] = (uint32_t)i;
        for (unsigned b = 0; b < ub; b++)
            pal[(size_t)i * ub + b] = (uint8_t)(k >> (24 - 8 * b));
    }
    free(order);
    for (size_t i = 0; i < npx; i++)
        store_index16(idx + 2 * i, rank[index16(idx + 2 * i)]);
    free(ck);
    *palp = pal;
    return n;
}

/* Whether an 8-bit RGB or RGBA plane (ub 3 or 4) has more than `limit`
 * (at most 8191) distinct colours: scans until it has seen limit + 1, so a
 * noisy image answers within its first rows.  1 or 0, -1 when out of memory.
 * (A colour count is the same with green subtracted.) */
static int colours_over(const uint8_t *pl, size_t npx, unsigned ub, unsigned limit)
{
    /* 16384 slots, at most half full, each key << 1 | 1 (0: empty) */
    enum { HBITS = 14 };
    uint64_t *tab = calloc((size_t)1 << HBITS, sizeof *tab);
    if (!tab) return -1;
    const size_t mask = ((size_t)1 << HBITS) - 1;
    uint64_t last = 0;
    unsigned n = 0;
    for (size_t i = 0; i < npx; i++) {
        uint64_t k = unit_key(pl + i * ub, ub); /* below 2^32 */
        if (k == last && i) continue;
        last = k;
        uint64_t v = k << 1 | 1;
        size_t h = (size_t)((k * 0x9e3779b97f4a7c15ULL) >> (64 - HBITS));
        while (tab[h] && tab[h] != v)
            h = (h + 1) & mask;
        if (tab[h]) continue;
        tab[h] = v;
        if (++n > limit) break;
    }
    free(tab);
    return n > limit;
}

/* n log2 n, in 1/64 bits, for the entropy estimates (per encode: no
 * global state). */
#define NLOGN_MAX (SEC * SEC * MAXU)
static void nlogn_init(uint32_t *t)
{
    t[0] = t[1] = 0;
    for (unsigned i = 2; i <= NLOGN_MAX; i++)
        t[i] = (uint32_t)(i * log2((double)i) * 64 + 0.5);
}

typedef struct enc {
    const dir2_params *p;
    uint32_t w, h, cols, rows;
    unsigned ub;
    unsigned ab; /* alpha bytes per unit written after the others (0: interleaved) */
    uint8_t *pl; /* the plane: w*h units of ub bytes, after the transform */
    size_t rs;
    uint8_t *code; /* per section */
    buf st[DIR2_STREAMS];
    uint32_t nlogn[NLOGN_MAX + 1];
    uint32_t dnlogn[NLOGN_MAX]; /* dnlogn[i] = nlogn[i + 1] - nlogn[i] */
} enc;

static void sec_extent(const enc *e, uint64_t s, unsigned *sw, unsigned *sh)
{
    uint32_t sx = (uint32_t)(s % e->cols), sy = (uint32_t)(s / e->cols);
    *sw = e->w - sx * SEC < SEC ? e->w - sx * SEC : SEC;
    *sh = e->h - sy * SEC < SEC ? e->h - sy * SEC : SEC;
}

static uint64_t sec_hash(const enc *e, uint32_t sx, uint32_t sy, unsigned sw, unsigned sh)
{
    uint64_t hsh = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)sw << 8 | sh);
    for (unsigned y = 0; y < sh; y++) {
        const uint8_t *r = e->pl + (size_t)(sy * SEC + y) * e->rs + (size_t)sx * SEC * e->ub;
        size_t n = (size_t)sw * e->ub, i = 0;
        for (; i + 8 <= n; i += 8) {
            uint64_t k;
            memcpy(&k, r + i, 8);
            hsh = hash64(hsh ^ k);
        }
        if (i < n) {
            uint64_t k = 0;
            memcpy(&k, r + i, n - i);
            hsh = hash64(hsh ^ k ^ 0x55);
        }
    }
    return hsh;
}

static int sec_equal(const enc *e, uint64_t a, uint64_t b, unsigned sw, unsigned sh)
{
    uint32_t ax = (uint32_t)(a % e->cols), ay = (uint32_t)(a / e->cols);
    uint32_t bx = (uint32_t)(b % e->cols), by = (uint32_t)(b / e->cols);
    for (unsigned y = 0; y < sh; y++)
        if (memcmp(e->pl + (size_t)(ay * SEC + y) * e->rs + (size_t)ax * SEC * e->ub,
                   e->pl + (size_t)(by * SEC + y) * e->rs + (size_t)bx * SEC * e->ub,
                   (size_t)sw * e->ub))
            return 0;
    return 1;
}

/* Distinct units of a section, up to max+1; fills pal and (256 entries,
 * row-major, out-of-image 0) idx. */
static unsigned sec_colours(const enc *e, uint32_t sx, uint32_t sy, unsigned sw, unsigned sh,
                            unsigned max, uint8_t *pal, uint8_t *idx)
{
    unsigned n = 0, ub = e->ub;
    if (max <= 1) {
        /* one colour or more: whether every unit is the first one (a row
         * is one colour when it equals itself shifted by a unit) */
        const uint8_t *r0 = e->pl + (size_t)sy * SEC * e->rs + (size_t)sx * SEC * ub;
        size_t rn = (size_t)sw * ub;
        memcpy(pal, r0, ub);
        if (memcmp(r0, r0 + ub, rn - ub)) return 2;
        for (unsigned y = 1; y < sh; y++)
            if (memcmp(r0 + y * e->rs, r0, rn)) return 2;
        return 1;
    }
    memset(idx, 0, SEC * SEC);
    for (unsigned y = 0; y < sh; y++) {
        const uint8_t *r = e->pl + (size_t)(sy * SEC + y) * e->rs + (size_t)sx * SEC * ub;
        for (unsigned x = 0; x < sw; x++) {
            const uint8_t *u = r + (size_t)x * ub;
            unsigned k = 0;
            while (k < n && memcmp(pal + k * ub, u, ub))
                k++;
            if (k == n) {
                if (n == max) return max + 1;
                memcpy(pal + n * ub, u, ub);
                n++;
            }
            idx[y * SEC + x] = (uint8_t)k;
        }
    }
    return n;
}

#if defined(__SSE2__)
/* SSE2: the residuals of 16 bytes c[0..15] (up row U, units of ub bytes)
 * under every predictor, in unsigned 8-bit lanes: the same values as the
 * scalar formulas (paeth, gradient, med). */
static inline __m128i absdiff8(__m128i a, __m128i b)
{
    return _mm_or_si128(_mm_subs_epu8(a, b), _mm_subs_epu8(b, a));
}

static inline __m128i le8(__m128i a, __m128i b) /* a <= b */
{
    return _mm_cmpeq_epi8(_mm_min_epu8(a, b), a);
}

static inline __m128i sel8(__m128i m, __m128i a, __m128i b) /* m ? a : b */
{
    return _mm_or_si128(_mm_and_si128(m, a), _mm_andnot_si128(m, b));
}

static inline void resid16(const uint8_t *c, const uint8_t *U, size_t ub,
                           uint8_t r[DIR2_PRED_COUNT][16])
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)c);
    __m128i l = _mm_loadu_si128((const __m128i *)(const void *)(c - ub));
    __m128i u = _mm_loadu_si128((const __m128i *)(const void *)U);
    __m128i ul = _mm_loadu_si128((const __m128i *)(const void *)(U - ub));
    /* average rounded down: pavgb rounds up */
    __m128i avg =
        _mm_sub_epi8(_mm_avg_epu8(l, u), _mm_and_si128(_mm_xor_si128(l, u), _mm_set1_epi8(1)));
    /* paeth: pc = |(l - ul) + (u - ul)| is pa + pb when both differences
     * have one sign, else |pa - pb| (saturating at 255 keeps the order) */
    __m128i pa = absdiff8(u, ul), pb = absdiff8(l, ul);
    __m128i same = _mm_cmpeq_epi8(le8(ul, l), le8(ul, u));
    __m128i pc = sel8(same, _mm_adds_epu8(pa, pb), absdiff8(pa, pb));
    __m128i pth = sel8(_mm_and_si128(le8(pa, pb), le8(pa, pc)), l, sel8(le8(pb, pc), u, ul));
    /* gradient l + u - ul clamped to 0..255; med: the median of l, u and it */
    __m128i g = _mm_subs_epu8(_mm_adds_epu8(l, _mm_subs_epu8(u, ul)), _mm_subs_epu8(ul, u));
    __m128i md = _mm_max_epu8(_mm_min_epu8(l, u), _mm_min_epu8(_mm_max_epu8(l, u), g));
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_NONE], v);
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_LEFT], _mm_sub_epi8(v, l));
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_UP], _mm_sub_epi8(v, u));
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_AVERAGE], _mm_sub_epi8(v, avg));
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_PAETH], _mm_sub_epi8(v, pth));
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_GRADIENT], _mm_sub_epi8(v, g));
    _mm_storeu_si128((__m128i *)(void *)r[DIR2_PRED_MED], _mm_sub_epi8(v, md));
}
#endif

/* Entropy estimates (1/64 bits) of the residuals of every predictor over a
 * section, on every cost_step-th row, in one pass: each byte's neighbours
 * are read once and its seven residuals counted in seven histograms.  The
 * estimate grows as the histograms do (n log n - sum of c log c, from the
 * increments of c log c, one table read each), so no pass over the bins is
 * needed.  The same
 * figures as one residual pass per predictor (borders as resid_segment). */
static void sec_costs(const enc *e, uint32_t sx, uint32_t sy, unsigned sw, unsigned sh,
                      uint64_t cost[DIR2_PRED_COUNT])
{
    uint16_t hist[DIR2_PRED_COUNT][256];
    uint32_t sum[DIR2_PRED_COUNT] = {0};
    memset(hist, 0, sizeof hist);
    const uint32_t *t = e->nlogn, *dt = e->dnlogn;
    unsigned ub = e->ub;
    size_t n = (size_t)sw * ub, rows = 0;
    unsigned step = e->p->cost_step > 1 ? (unsigned)e->p->cost_step : 1;
#define COUNT(q, v)                                                                        \
    do {                                                                                   \
        unsigned h_ = hist[q][(uint8_t)(v)]++;                                             \
        sum[q] += dt[h_];                                                                  \
    } while (0)
    for (unsigned y = sh > step ? step - 1 : 0; y < sh; y += step, rows++) {
        uint32_t yy = sy * SEC + y;
        const uint8_t *c = e->pl + (size_t)yy * e->rs + (size_t)sx * SEC * ub;
        size_t i = 0;
        if (yy == 0 || sx == 0) {
            /* the border rules: one prediction for every predictor */
            size_t m = yy == 0 ? n : ub;
            for (; i < m; i++) {
                unsigned pr = yy == 0 ? (i >= ub || sx ? c[(ptrdiff_t)i - (ptrdiff_t)ub] : 0)
                                      : (c - e->rs)[i];
                if (yy == 0 && sx == 0 && i < ub) pr = 0;
                COUNT(0, c[i]);
                for (unsigned q = 1; q < DIR2_PRED_COUNT; q++)
                    COUNT(q, c[i] - pr);
            }
        }
        const uint8_t *U = c - e->rs;
#if defined(__SSE2__)
        for (; i + 16 <= n; i += 16) {
            uint8_t r[DIR2_PRED_COUNT][16];
            resid16(c + i, U + i, ub, r);
            for (unsigned j = 0; j < 16; j++) {
                COUNT(DIR2_PRED_NONE, r[DIR2_PRED_NONE][j]);
                COUNT(DIR2_PRED_LEFT, r[DIR2_PRED_LEFT][j]);
                COUNT(DIR2_PRED_UP, r[DIR2_PRED_UP][j]);
                COUNT(DIR2_PRED_AVERAGE, r[DIR2_PRED_AVERAGE][j]);
                COUNT(DIR2_PRED_PAETH, r[DIR2_PRED_PAETH][j]);
                COUNT(DIR2_PRED_GRADIENT, r[DIR2_PRED_GRADIENT][j]);
                COUNT(DIR2_PRED_MED, r[DIR2_PRED_MED][j]);
            }
        }
#endif
        for (; i < n; i++) {
            unsigned l = c[(ptrdiff_t)i - (ptrdiff_t)ub], u = U[i],
                     ul = U[(ptrdiff_t)i - (ptrdiff_t)ub], v = c[i];
            COUNT(DIR2_PRED_NONE, v);
            COUNT(DIR2_PRED_LEFT, v - l);
            COUNT(DIR2_PRED_UP, v - u);
            COUNT(DIR2_PRED_AVERAGE, v - ((l + u) >> 1));
            COUNT(DIR2_PRED_PAETH, v - paeth(l, u, ul));
            COUNT(DIR2_PRED_GRADIENT, v - gradient(l, u, ul));
            COUNT(DIR2_PRED_MED, v - med(l, u, ul));
        }
    }
#undef COUNT
    uint32_t tn = t[n * rows];
    for (unsigned q = 0; q < DIR2_PRED_COUNT; q++)
        cost[q] = tn - sum[q];
}

static dir_error compress_stream(const dir2_params *p, unsigned k, const buf *src, unsigned ub,
                                 buf *out, ZSTD_CCtx **zc, dir_diag *diag)
{
    uint8_t hdr[24];
    size_t hn = 0;
    int method = p->method;
    int level = p->level;
#if !DIR_HAVE_LZMA
    if (method == DIR2_LZMA) { /* built without liblzma: zstd's strong level */
        method = DIR2_ZSTD;
        level = 19;
    }
#endif
    if (k == S_RESID && p->pal_small_level > 0 && src->n <= ((size_t)256 << 10))
        level = p->pal_small_level;
    if (src->n < 16) method = DIR2_STORED;
    uint8_t *packed = NULL;
    size_t psize = 0;
    if (method == DIR2_ZSTD) {
        size_t cap = ZSTD_compressBound(src->n);
        packed = malloc(cap);
        if (!packed) return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
        if (!*zc) *zc = ZSTD_createCCtx();
        if (!*zc) {
            free(packed);
            return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
        }
        ZSTD_CCtx_reset(*zc, ZSTD_reset_session_and_parameters);
        ZSTD_CCtx_setParameter(*zc, ZSTD_c_compressionLevel, level);
        ZSTD_CCtx_setParameter(*zc, ZSTD_c_checksumFlag, 0);
        if (k == S_RESID && level >= 8 && level <= 12 && src->n > ((size_t)16 << 10)) {
            /* The residuals at levels 8-12 (the default's 9, and 12 for
             * image-palette indices): the lazy strategy with a deeper
             * search (6, or 5 for multi-byte units in streams over 256
             * KiB) instead of the levels' lazy2 (searchLog 4-6) or, for
             * streams up to 128 KiB at levels 11-12, binary trees: 0.04%
             * smaller screens, 0.14% sprites, 0.39% icons, and zstd's time
             * down 34% / 30% / 10% on the corpus (measured on the default's
             * streams, fastest of 7) */
            ZSTD_CCtx_setParameter(*zc, ZSTD_c_strategy, ZSTD_lazy);
            ZSTD_CCtx_setParameter(*zc, ZSTD_c_searchLog,
                                   ub == 1 || src->n <= ((size_t)256 << 10) ? 6 : 5);
            /* and a hash table no larger than the stream (2^21 entries at
             * most, level 9's): less to clear for each stream */
            unsigned lg = 10;
            while (lg < 21 && ((size_t)1 << lg) < src->n)
                lg++;
            ZSTD_CCtx_setParameter(*zc, ZSTD_c_hashLog, (int)lg);
        }
        if (p->zstrategy) ZSTD_CCtx_setParameter(*zc, ZSTD_c_strategy, p->zstrategy);
        if (p->zsearch) ZSTD_CCtx_setParameter(*zc, ZSTD_c_searchLog, p->zsearch);
        if (p->zchain) ZSTD_CCtx_setParameter(*zc, ZSTD_c_chainLog, p->zchain);
        /* At the lazy levels (5-15), matches of at least 6 bytes for units
         * of 2 bytes and more, 4 for one-byte units (palette indices,
         * grey): at level 9, 1.0-1.3% smaller than the level's own minimum
         * (5) on every class, and faster, as shorter matches in noisy
         * residuals cost more than their literals; at level 3 (fast) 1-2%
         * larger, at 19 0.3% larger (measured, dir-bench-v2 zminmatch=) */
        int minmatch = p->zminmatch ? p->zminmatch
                       : level >= 5 && level <= 15 ? (ub >= 2 ? 6 : 4)
                                                   : 0;
        if (minmatch > 0) ZSTD_CCtx_setParameter(*zc, ZSTD_c_minMatch, minmatch);
        if (p->ztarget) ZSTD_CCtx_setParameter(*zc, ZSTD_c_targetLength, p->ztarget);
        if (p->zwindow) ZSTD_CCtx_setParameter(*zc, ZSTD_c_windowLog, p->zwindow);
        if (p->workers > 0 && src->n >= ((size_t)4 << 20)) {
            /* zstd jobs of a quarter of the stream (at least 1 MiB): the
             * bytes depend on the stream alone, not on the worker count;
             * a build without zstd's threads compresses in this thread */
            size_t job = (src->n / 4 + 0xffff) & ~(size_t)0xffff;
            if (!ZSTD_isError(ZSTD_CCtx_setParameter(*zc, ZSTD_c_nbWorkers, p->workers)))
                ZSTD_CCtx_setParameter(*zc, ZSTD_c_jobSize, job < (1 << 20) ? 1 << 20 : (int)job);
        }
        psize = ZSTD_compress2(*zc, packed, cap, src->d, src->n);
        if (ZSTD_isError(psize)) {
            free(packed);
            return fail(diag, DIR_EBACKEND, -1, -1, "zstd: %s", ZSTD_getErrorName(psize));
        }
    }
#if DIR_HAVE_LZMA
    else if (method == DIR2_LZMA) {
        lzma_options_lzma lo;
        if (lzma_lzma_preset(&lo, (uint32_t)(p->level > 9 ? 9 : p->level) | LZMA_PRESET_EXTREME)) {
            return fail(diag, DIR_EBACKEND, -1, -1, "lzma: bad preset");
        }
        lo.dict_size = lzma_dict(src->n);
        /* literal contexts aligned to the unit for the unit streams */
        unsigned u = (k == S_FILLS || k == S_RESID || k == S_PALS || k == S_IPAL) ? ub : 1;
        lo.lc = 0;
        lo.lp = u == 2 ? 1 : u == 4 ? 2 : u == 8 ? 3 : 0;
        lo.pb = lo.lp;
        lo.lc = u == 1 ? 3 : u == 3 ? 1 : 4 - lo.lp > 1 ? 1 : 4 - lo.lp;
        lzma_filter f[2] = {{LZMA_FILTER_LZMA2, &lo}, {LZMA_VLI_UNKNOWN, NULL}};
        size_t cap = src->n + src->n / 2 + 1024;
        packed = malloc(cap);
        if (!packed) return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
        size_t pos = 0;
        lzma_ret r = lzma_raw_buffer_encode(f, NULL, src->d, src->n, packed, &pos, cap);
        if (r != LZMA_OK) {
            free(packed);
            return fail(diag, DIR_EBACKEND, -1, -1, "lzma: error %d", (int)r);
        }
        psize = pos;
    }
#endif
    if (packed && psize >= src->n) {
        free(packed);
        packed = NULL;
        method = DIR2_STORED;
    }
    if (!packed) method = DIR2_STORED;
    hdr[hn++] = (uint8_t)method;
    hn += leb_put(hdr + hn, src->n);
    if (method != DIR2_STORED) hn += leb_put(hdr + hn, psize);
    (void)k;
    int bad = buf_put(&out[0], hdr, hn);
    if (!bad) bad = buf_put(&out[1], packed ? packed : src->d, packed ? psize : src->n);
    free(packed);
    if (bad) return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
    return DIR_OK;
}

static void streams_reset(enc *e)
{
    for (unsigned k = 0; k < DIR2_STREAMS; k++)
        e->st[k].n = 0;
}

/* Codes every section of e->pl and fills the streams.  predict: as
 * dir2_params.predict.  hkeys/hsec: the reference hash table (hsize slots). */
static int classify(enc *e, uint64_t *hkeys, uint32_t *hsec, size_t hsize)
{
    const dir2_params *p = e->p;
    uint8_t spal[PALMAX * MAXU], sidx[SEC * SEC];
    unsigned ub = e->ub;
    streams_reset(e);
    if (hsec)
        for (size_t i = 0; i < hsize; i++)
            hsec[i] = UINT32_MAX;
    for (uint32_t sy = 0; sy < e->rows; sy++) {
        for (uint32_t sx = 0; sx < e->cols; sx++) {
            uint64_t s = (uint64_t)sy * e->cols + sx;
            unsigned sw, sh;
            sec_extent(e, s, &sw, &sh);
            unsigned smax = p->smallpal_max > PALMAX ? PALMAX : (unsigned)p->smallpal_max;
            unsigned n = sec_colours(e, sx, sy, sw, sh, smax > 1 ? smax : 1, spal, sidx);
            if (n == 1 && p->fills) {
                e->code[s] = DIR2_FILL;
                if (buf_put(&e->st[S_FILLS], spal, ub)) return -1;
                continue;
            }
            if (hsec) {
                uint64_t hv = sec_hash(e, sx, sy, sw, sh);
                size_t h = hv & (hsize - 1);
                int found = 0;
                while (hsec[h] != UINT32_MAX) {
                    if (hkeys[h] == hv && sec_equal(e, hsec[h], s, sw, sh)) {
                        found = 1;
                        break;
                    }
                    h = (h + 1) & (hsize - 1);
                }
                if (found) {
                    uint8_t lb[10];
                    e->code[s] = DIR2_REF;
                    if (buf_put(&e->st[S_REFS], lb, leb_put(lb, s - hsec[h]))) return -1;
                    hsec[h] = (uint32_t)s; /* the nearest copy next time */
                    continue;
                }
                hkeys[h] = hv;
                hsec[h] = (uint32_t)s;
            }
            if (n >= 2 && n <= smax) {
                unsigned bits = index_bits(n);
                uint8_t kb = (uint8_t)n, packed[SEC * SEC / 2];
                memset(packed, 0, sizeof packed);
                for (unsigned i = 0; i < SEC * SEC; i++)
                    packed[i * bits / 8] |= (uint8_t)(sidx[i] << (i * bits % 8));
                e->code[s] = DIR2_PALETTE;
                if (buf_put(&e->st[S_PALS], &kb, 1) || buf_put(&e->st[S_PALS], spal, n * ub) ||
                    buf_put(&e->st[S_INDEX], packed, SEC * SEC * bits / 8))
                    return -1;
                continue;
            }
            e->code[s] = DIR2_RAW;
        }
    }
    return 0;
}

/* Moves the last ab bytes of every unit of b (units of ub bytes) after all
 * the others, in the same unit order (transform flag DIR2_ALPHA_LAST). */
static int alpha_last(buf *b, unsigned ub, unsigned ab)
{
    size_t nu = b->n / ub, cb = ub - ab;
    if (nu == 0) return 0; /* no raw section: no stream (d may be NULL) */
    uint8_t *a = malloc(nu * ab + 1);
    if (!a) return -1;
    uint8_t *d = b->d;
    if (ub == 4 && ab == 1) { /* 8-bit RGBA */
        for (size_t i = 0; i < nu; i++) {
            d[3 * i] = d[4 * i];
            d[3 * i + 1] = d[4 * i + 1];
            d[3 * i + 2] = d[4 * i + 2];
            a[i] = d[4 * i + 3];
        }
    } else {
        for (size_t i = 0; i < nu; i++) {
            memmove(d + i * cb, d + i * ub, cb);
            memcpy(a + i * ab, d + i * ub + cb, ab);
        }
    }
    memcpy(b->d + nu * cb, a, nu * ab);
    free(a);
    return 0;
}

/* Chooses the predictor of every raw section (predict: as
 * dir2_params.predict) and writes the residual and code streams. */
static int residuals(enc *e, int predict)
{
    const dir2_params *p = e->p;
    unsigned ub = e->ub;
    e->st[S_RESID].n = 0;
    e->st[S_CODES].n = 0;
    for (uint32_t sy = 0; sy < e->rows; sy++) {
        int band_pred = -1;
        for (uint32_t sx = 0; sx < e->cols; sx++) {
            uint64_t s = (uint64_t)sy * e->cols + sx;
            if (e->code[s] < DIR2_RAW) continue;
            unsigned sw, sh;
            sec_extent(e, s, &sw, &sh);
            unsigned pr = 0;
            if (predict >= 0) {
                pr = (unsigned)predict;
            } else if (predict == -1 && band_pred >= 0) {
                pr = (unsigned)band_pred;
            } else {
                uint64_t cost[DIR2_PRED_COUNT];
                sec_costs(e, sx, sy, sw, sh, cost);
                uint64_t best = cost[0] * (64 + (uint64_t)p->none_bias) / 64;
                for (unsigned q = 1; q < DIR2_PRED_COUNT; q++)
                    if (cost[q] < best) {
                        best = cost[q];
                        pr = q;
                    }
                band_pred = (int)pr;
            }
            e->code[s] = (uint8_t)(DIR2_RAW + pr);
        }
    }
    /* residuals in image row order */
    uint8_t r[SEC * MAXU];
    for (uint32_t y = 0; y < e->h; y++) {
        uint32_t sy = y / SEC;
        const uint8_t *row = e->pl + (size_t)y * e->rs;
        for (uint32_t sx = 0; sx < e->cols; sx++) {
            uint8_t c = e->code[(uint64_t)sy * e->cols + sx];
            if (c < DIR2_RAW) continue;
            unsigned pp = c - DIR2_RAW;
            uint32_t x0 = sx * SEC, x1 = x0 + SEC < e->w ? x0 + SEC : e->w;
            if (pp == DIR2_PRED_NONE) {
                if (buf_put(&e->st[S_RESID], row + (size_t)x0 * ub, (size_t)(x1 - x0) * ub))
                    return -1;
                continue;
            }
            resid_segment(pp, e->pl, e->rs, ub, x0, x1, y, r);
            if (buf_put(&e->st[S_RESID], r, (size_t)(x1 - x0) * ub)) return -1;
        }
    }
    if (e->ab && alpha_last(&e->st[S_RESID], ub, e->ab)) return -1;
    return buf_put(&e->st[S_CODES], e->code, (size_t)e->cols * e->rows);
}

/* An estimate (in 1/64 bits) of what an LZ coder makes of n bytes of units
 * of ub bytes: a unit that starts a run of two units already seen costs a
 * match (once per run), the others their order-0 entropy as literals.  No
 * compression is tried. */
#define EST_BITS 14

/* est_lz's hash of a key of at most 8 bytes: a multiplication by an odd
 * number, so distinct keys never share a hash (no false matches) and the
 * top bits pick the slot; 0 (an empty slot) only for one key of 8 bytes.
 * Two instructions where a mixing hash took eight: est_lz was the
 * encoder's largest function (12.6% of its instructions on the screens). */
static inline uint64_t est_hash(uint64_t k)
{
    return (k ^ 0x243f6a8885a308d3ULL) * 0x9e3779b97f4a7c15ULL;
}

/* est_lz's loop for units of UB bytes (a constant) and a span of 2 units
 * (the default), where a span fits in one 8-byte load: the same result as
 * the general loop, in fewer instructions.  Returns the units done (those
 * with 8 bytes readable from them). */
static ALWAYS_INLINE size_t est_lz_k(const uint8_t *d, size_t n, const unsigned UB, uint64_t *tab,
                                     uint32_t *hist, uint64_t *matches, int *in_match)
{
    size_t i = 0;
    uint64_t mask = ~(uint64_t)0 >> (64 - 8 * 2 * UB);
    for (; i * UB + 8 <= n; i++) {
        const uint8_t *u = d + i * UB;
        uint64_t k;
        memcpy(&k, u, 8);
        uint64_t h = est_hash(k & mask);
        uint64_t *slot = &tab[h >> (64 - EST_BITS)];
        int m = *slot == h;
        *slot = h;
        if (m) {
            *matches += !*in_match;
            *in_match = 1;
            continue;
        }
        *in_match = 0;
        for (unsigned b = 0; b < UB; b++)
            hist[u[b]]++;
    }
    return i;
}

static uint64_t est_lz(const enc *e, const uint8_t *d, size_t n, unsigned ub, uint64_t *tab)
{
    uint32_t hist[256];
    memset(hist, 0, sizeof hist);
    memset(tab, 0, sizeof *tab << EST_BITS);
    size_t units = n / ub, lits = 0;
    uint64_t matches = 0;
    int in_match = 0;
    size_t span = (size_t)(e->p->est_span ? e->p->est_span : 2) * ub;
    size_t i0 = 0;
    if (span == 2 * ub) {
        switch (ub) {
        case 1: i0 = est_lz_k(d, n, 1, tab, hist, &matches, &in_match); break;
        case 2: i0 = est_lz_k(d, n, 2, tab, hist, &matches, &in_match); break;
        case 3: i0 = est_lz_k(d, n, 3, tab, hist, &matches, &in_match); break;
        case 4: i0 = est_lz_k(d, n, 4, tab, hist, &matches, &in_match); break;
        default: break;
        }
    }
    for (size_t i = i0; i < units; i++) {
        const uint8_t *u = d + i * ub;
        int m = 0;
        if (span <= 8 && i * ub + span <= n) {
            /* the usual case (a repeat of at most 8 bytes): one load when 8
             * bytes are readable */
            uint64_t k = 0;
            if (i * ub + 8 <= n) {
                memcpy(&k, u, 8);
                if (span < 8) k &= ~(uint64_t)0 >> (64 - 8 * span);
            } else {
                memcpy(&k, u, span);
            }
            uint64_t h = est_hash(k);
            uint64_t *slot = &tab[h >> (64 - EST_BITS)];
            m = *slot == h;
            *slot = h;
        } else if (i * ub + span <= n) {
            uint64_t h = 0x243f6a8885a308d3ULL;
            size_t j = 0;
            for (; j + 8 <= span; j += 8) {
                uint64_t k;
                memcpy(&k, u + j, 8);
                h = hash64(h ^ k);
            }
            if (j < span) {
                uint64_t k = 0;
                memcpy(&k, u + j, span - j);
                h = hash64(h ^ k);
            }
            h |= 1;
            uint64_t *slot = &tab[h >> (64 - EST_BITS)];
            m = *slot == h;
            *slot = h;
        }
        if (m || in_match) {
            if (m && !in_match) matches++;
            in_match = m;
            if (!m) in_match = 0;
            if (m) continue;
        }
        for (unsigned b = 0; b < ub; b++)
            hist[u[b]]++;
        lits += ub;
    }
    /* entropy of the literals (by chunks of the table's reach) */
    uint64_t bits = 0;
    uint64_t tot = 0;
    for (unsigned i = 0; i < 256; i++)
        tot += hist[i];
    if (tot > 1) {
        double s = (double)tot * log2((double)tot);
        for (unsigned i = 0; i < 256; i++)
            if (hist[i] > 1) s -= (double)hist[i] * log2((double)hist[i]);
        bits = (uint64_t)(s * 64);
    }
    (void)lits;
    return bits + matches * (uint64_t)(e->p->est_match ? e->p->est_match : 24) * 64;
}

/* The large image palette as transform 3 stores it: each byte minus the
 * same byte of the colour before (the first colour minus zero), into d. */
static void pal16_delta(const uint8_t *pal, long ncol, unsigned ub, uint8_t *d)
{
    for (unsigned b = 0; b < ub; b++)
        d[b] = pal[b];
    for (size_t i = ub; i < (size_t)ncol * ub; i++)
        d[i] = (uint8_t)(pal[i] - pal[i - ub]);
}

/* The order-0 entropy of n bytes, in 1/64 bits. */
static uint64_t order0_cost(const uint8_t *d, size_t n)
{
    uint32_t h[256];
    memset(h, 0, sizeof h);
    for (size_t i = 0; i < n; i++)
        h[d[i]]++;
    double s = n > 1 ? (double)n * log2((double)n) : 0;
    for (unsigned i = 0; i < 256; i++)
        if (h[i] > 1) s -= (double)h[i] * log2((double)h[i]);
    return (uint64_t)(s * 64);
}

/* The encoder's plane and streams, kept while another candidate is tried. */
typedef struct enc_state {
    uint8_t *pl;
    unsigned ub, ab;
    size_t rs;
    buf st[DIR2_STREAMS];
    uint8_t *code;
} enc_state;

/* Moves e's plane, streams and codes into *sv (codes copied); -1 when out of memory. */
static int state_save(enc *e, enc_state *sv, uint64_t nsec)
{
    sv->code = malloc(nsec);
    if (!sv->code) return -1;
    memcpy(sv->code, e->code, nsec);
    sv->pl = e->pl;
    sv->ub = e->ub;
    sv->ab = e->ab;
    sv->rs = e->rs;
    memcpy(sv->st, e->st, sizeof sv->st);
    memset(e->st, 0, sizeof e->st);
    return 0;
}

/* Back to the saved candidate (restore) or rid of it (!restore). */
static void state_end(enc *e, enc_state *sv, uint64_t nsec, int restore)
{
    if (restore) {
        for (unsigned k = 0; k < DIR2_STREAMS; k++) {
            free(e->st[k].d);
            e->st[k] = sv->st[k];
        }
        memcpy(e->code, sv->code, nsec);
        e->pl = sv->pl;
        e->ub = sv->ub;
        e->ab = sv->ab;
        e->rs = sv->rs;
    } else {
        for (unsigned k = 0; k < DIR2_STREAMS; k++)
            free(sv->st[k].d);
    }
    free(sv->code);
}

/* Candidate P: the large image palette's two-byte indices (idx16), no
 * predictor, every section coded again. */
static int to_pal16(enc *e, uint8_t *idx16, uint64_t *hkeys, uint32_t *hsec, size_t hsize)
{
    e->pl = idx16;
    e->ub = 2;
    e->rs = (size_t)e->w * 2;
    e->ab = 0;
    if (classify(e, hkeys, hsec, hsize)) return -1;
    return residuals(e, DIR2_PRED_NONE);
}

/* Candidate A's codes after B's: every raw section without a predictor. */
static void codes_of_a(enc *e, uint64_t nsec)
{
    for (uint64_t s = 0; s < nsec; s++)
        if (e->code[s] >= DIR2_RAW) e->code[s] = DIR2_RAW;
}

/* The payload from the built streams. */
static dir_error emit(enc *e, unsigned transform, const uint8_t *pal, long ncol, unsigned bpp,
                      buf *outb, ZSTD_CCtx **zc, dir_diag *diag)
{
    buf parts[2] = {{0}, {0}};
    dir_error err = DIR_OK;
    uint8_t t[1] = {(uint8_t)(transform | (e->ab ? DIR2_ALPHA_LAST : 0))};
    if (buf_put(&parts[0], t, 1)) goto nomem;
    if (transform == 2) {
        t[0] = (uint8_t)(ncol - 1);
        if (buf_put(&parts[0], t, 1) || buf_put(&parts[0], pal, (size_t)ncol * bpp)) goto nomem;
    } else if (transform == 3) {
        /* colours - 1 (two bytes, little-endian), then the palette (pal:
         * already delta-coded) as one stream record and its bytes */
        uint8_t c2[2] = {(uint8_t)(ncol - 1), (uint8_t)((ncol - 1) >> 8)};
        buf src = {(uint8_t *)pal, (size_t)ncol * bpp, 0}, rec[2] = {{0}, {0}};
        if (buf_put(&parts[0], c2, 2)) goto nomem;
        err = compress_stream(e->p, S_IPAL, &src, bpp, rec, zc, diag);
        if (!err &&
            (buf_put(&parts[0], rec[0].d, rec[0].n) || buf_put(&parts[0], rec[1].d, rec[1].n)))
            err = fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
        free(rec[0].d);
        free(rec[1].d);
        if (err) goto out;
    }
    for (unsigned k = 0; k < DIR2_STREAMS; k++) {
        if (e->p->progress && e->p->progress(e->p->progress_user, 0.3 + 0.7 * k / DIR2_STREAMS)) {
            err = fail(diag, DIR_ECANCELLED, -1, -1, "cancelled by the progress callback");
            goto out;
        }
        err = compress_stream(e->p, k, &e->st[k], e->ub, parts, zc, diag);
        if (err) goto out;
    }
    if (buf_put(&parts[0], parts[1].d, parts[1].n)) goto nomem;
    free(outb->d);
    *outb = parts[0];
    parts[0].d = NULL;
    goto out;
nomem:
    err = fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
out:
    free(parts[0].d);
    free(parts[1].d);
    return err;
}

/* Whether red and blue minus green have less order-0 entropy than red and
 * blue themselves, on every other pixel row (no compression tried). */
static int green_pays(const enc *e, const uint8_t *pl, size_t npx, unsigned bpp)
{
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    size_t n = 0;
    for (uint32_t y = 0; y < e->h; y += 2) {
        const uint8_t *c = pl + (size_t)y * e->w * bpp;
        for (uint32_t x = 0; x < e->w; x++, c += bpp) {
            h[0][c[0]]++;
            h[1][c[2]]++;
            h[2][(uint8_t)(c[0] - c[1])]++;
            h[3][(uint8_t)(c[2] - c[1])]++;
        }
        n += e->w;
    }
    (void)npx;
    double plain = 0, minus = 0;
    for (unsigned i = 0; i < 256; i++) {
        for (unsigned k = 0; k < 4; k++) {
            double c = h[k][i];
            if (c > 0) *(k < 2 ? &plain : &minus) -= c * log2(c / (double)n);
        }
    }
    return minus < plain;
}

/* Green subtracted from red and blue (sub set) or added back, for n
 * pixels of 3 bytes (RGB). */
static ALWAYS_INLINE void green3_k(uint8_t *o, size_t n, const int sub)
{
    size_t i = 0;
#if defined(__SSE2__)
    /* five pixels a vector (15 of its 16 bytes, with a sixth pixel
     * readable): each green moved one byte down onto red and one up onto
     * blue, bytes added or subtracted; byte 15 is stored unchanged */
    const __m128i mr = _mm_setr_epi8(-1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, 0);
    const __m128i mb = _mm_setr_epi8(0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0, 0, -1, 0);
    for (; i + 6 <= n; i += 5, o += 15) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)o);
        __m128i g = _mm_or_si128(_mm_and_si128(_mm_srli_si128(v, 1), mr),
                                 _mm_and_si128(_mm_slli_si128(v, 1), mb));
        v = sub ? _mm_sub_epi8(v, g) : _mm_add_epi8(v, g);
        _mm_storeu_si128((__m128i *)(void *)o, v);
    }
#endif
    for (; i < n; i++, o += 3) {
        o[0] = (uint8_t)(sub ? o[0] - o[1] : o[0] + o[1]);
        o[2] = (uint8_t)(sub ? o[2] - o[1] : o[2] + o[1]);
    }
}

static void green3(uint8_t *o, size_t n, int sub)
{
    if (sub)
        green3_k(o, n, 1);
    else
        green3_k(o, n, 0);
}

/* The same for 4-byte pixels (RGBA), two at a time in a 64-bit word: red
 * and blue are the even bytes of each pixel, each alone in a 16-bit lane
 * once masked, green the odd byte after red.  Subtraction adds 256 - g in
 * each lane (at most 511: the carry stays in the lane's masked byte). */
static ALWAYS_INLINE void green4_k(uint8_t *o, size_t n, const int sub)
{
    const uint16_t one = 1;
    const int le = *(const uint8_t *)&one == 1;
    const uint64_t rb = le ? 0x00ff00ff00ff00ffu : 0xff00ff00ff00ff00u;
    /* 256 in each lane, the top lane's wrapping past bit 63 (big-endian) */
    const uint64_t b256 = le ? 0x0100010001000100u : 0x0001000100010000u;
    size_t i = 0;
#if defined(__SSE2__)
    /* four pixels a vector: green moved onto red and blue, bytes added or
     * subtracted (SSE2 machines are little-endian) */
    const __m128i m = _mm_set1_epi32(0xff);
    for (; i + 4 <= n; i += 4, o += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)o);
        __m128i g = _mm_and_si128(_mm_srli_epi32(v, 8), m);
        g = _mm_or_si128(g, _mm_slli_epi32(g, 16));
        v = sub ? _mm_sub_epi8(v, g) : _mm_add_epi8(v, g);
        _mm_storeu_si128((__m128i *)(void *)o, v);
    }
#endif
    for (; i + 2 <= n; i += 2, o += 8) {
        uint64_t v, g;
        memcpy(&v, o, 8);
        g = le ? (v >> 8) & 0x000000ff000000ffu : (v >> 16) & 0x000000ff000000ffu;
        g *= le ? 0x00010001u : 0x01000100u;
        if (sub) g = b256 - g;
        v = (((v & rb) + g) & rb) | (v & ~rb);
        memcpy(o, &v, 8);
    }
    if (i < n) green3(o, 1, sub); /* red, green, blue as in RGB */
}

static void green4(uint8_t *o, size_t n, int sub)
{
    if (sub)
        green4_k(o, n, 1);
    else
        green4_k(o, n, 0);
}

/* green3 or green4 for an 8-bit RGB or RGBA plane; sign -1 subtracts. */
static void green(uint8_t *pl, size_t npx, unsigned bpp, int sign)
{
    if (bpp == 4)
        green4(pl, npx, sign < 0);
    else
        green3(pl, npx, sign < 0);
}

/* Candidate P's indices and palette (image_palette16, the palette
 * delta-coded as stored) from the plane (green subtracted when green is
 * set: undone first).  0, also when there are too many colours (*idx16
 * NULL), or -1 when out of memory. */
static int pal16_prepare(uint8_t *plane, size_t npx, unsigned bpp, int green_done, uint8_t **idx16,
                         uint8_t **pal16, long *ncol16)
{
    if (green_done) green(plane, npx, bpp, 1);
    *idx16 = malloc(npx * 2);
    if (!*idx16) return -1;
    uint8_t *pal = NULL;
    *ncol16 = image_palette16(plane, npx, bpp, &pal, *idx16);
    if (*ncol16 <= 0) {
        free(*idx16);
        *idx16 = NULL;
        return *ncol16 < 0 ? -1 : 0;
    }
    *pal16 = malloc((size_t)*ncol16 * bpp);
    if (!*pal16) {
        free(pal);
        return -1;
    }
    pal16_delta(pal, *ncol16, bpp, *pal16);
    free(pal);
    return 0;
}

dir_error dir2_encode_payload_params(const dir_pixels *px, const dir2_params *p, uint8_t **out,
                                     size_t *out_size, dir_stats *stats, dir_diag *diag)
{
    dir_diag_clear(diag);
    if (!px || !p || !out || !out_size || !px->data)
        return fail(diag, DIR_EINVAL, -1, -1, "NULL argument");
    *out = NULL;
    *out_size = 0;
    unsigned ch = px->channels, depth = px->depth;
    if (ch < 1 || ch > 4) return fail(diag, DIR_EINVAL, -1, -1, "channels %u: expected 1 to 4", ch);
    if (depth != 8 && depth != 16)
        return fail(diag, DIR_EINVAL, -1, -1, "depth %u: expected 8 or 16", depth);
    if (px->width < 1 || px->height < 1 || px->width > DIR_MAX_DIM || px->height > DIR_MAX_DIM ||
        (uint64_t)px->width * px->height > DIR_MAX_PIXELS)
        return fail(diag, DIR_ELIMIT, -1, -1, "image %ux%u outside the limits", px->width,
                    px->height);
    unsigned bpp = ch * depth / 8;
    size_t stride = px->stride ? px->stride : (size_t)px->width * bpp;
    if (stride < (size_t)px->width * bpp)
        return fail(diag, DIR_EINVAL, -1, -1, "stride %zu is less than a row (%zu bytes)", stride,
                    (size_t)px->width * bpp);
    enc *e = calloc(1, sizeof *e);
    if (!e) return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
    nlogn_init(e->nlogn);
    for (unsigned i = 0; i < NLOGN_MAX; i++)
        e->dnlogn[i] = e->nlogn[i + 1] - e->nlogn[i];
    dir2_params lp = *p; /* the parameters for this image */
    e->p = &lp;
    e->w = px->width;
    e->h = px->height;
    e->cols = (e->w + SEC - 1) / SEC;
    e->rows = (e->h + SEC - 1) / SEC;
    size_t npx = (size_t)e->w * e->h;
    uint64_t nsec = (uint64_t)e->cols * e->rows;
    dir_error err = DIR_OK;
    uint8_t *plane = malloc(npx * bpp);
    uint8_t *idx = NULL;
    uint8_t pal[256 * MAXU];
    int ncol = 257;
    uint8_t *idx16 = NULL, *pal16 = NULL; /* candidate P: the large image palette */
    long ncol16 = 0;
    buf best = {0}, trial = {0};
    ZSTD_CCtx *zc = NULL;
    unsigned transform = 0;
    uint64_t *hkeys = NULL, *est_tab = NULL;
    uint32_t *hsec = NULL;
    size_t hsize = 1;
    while (hsize < nsec * 2)
        hsize <<= 1;
    e->code = malloc(nsec);
    if (p->refs) {
        hkeys = malloc(hsize * sizeof *hkeys);
        hsec = malloc(hsize * sizeof *hsec);
    }
    if (!plane || !e->code || (p->refs && (!hkeys || !hsec))) goto nomem;
    for (uint32_t y = 0; y < e->h; y++) {
        const uint8_t *src = (const uint8_t *)px->data + (size_t)y * stride;
        uint8_t *dst = plane + (size_t)y * e->w * bpp;
        if (depth == 8) {
            memcpy(dst, src, (size_t)e->w * bpp);
        } else {
            const uint16_t *s16 = (const uint16_t *)(const void *)src;
            for (size_t i = 0; i < (size_t)e->w * ch; i++) {
                dst[2 * i] = (uint8_t)(s16[i] >> 8);
                dst[2 * i + 1] = (uint8_t)s16[i];
            }
        }
    }
    e->ub = bpp;
    if (p->palette && bpp > 1) {
        idx = malloc(npx);
        if (!idx) goto nomem;
        ncol = image_palette(plane, npx, bpp, pal, idx, p->pal_order);
    }
    if (ncol <= 256) {
        /* an image palette: always (never larger, measured) */
        transform = 2;
        if (lp.method == DIR2_ZSTD && lp.pal_level_boost > 0) {
            int base = lp.level;
            lp.level = base + lp.pal_level_boost > 22 ? 22 : base + lp.pal_level_boost;
            if (lp.pal_small_boost > 0)
                lp.pal_small_level = base + lp.pal_small_boost > 22 ? 22 : base + lp.pal_small_boost;
        }
        free(plane);
        plane = idx;
        idx = NULL;
        e->ub = 1;
        e->pl = plane;
        e->rs = e->w;
    } else {
        free(idx);
        idx = NULL;
        e->pl = plane;
        e->rs = (size_t)e->w * bpp;
        /* green subtraction, when it applies and the order-0 entropy of
         * red and blue says it pays, for every candidate: it makes both
         * smaller on the image corpus (4-6% with no predictor); on images
         * whose channels are independent (numeric arrays) it does not */
        if (p->green && depth == 8 && ch >= 3 && green_pays(e, plane, npx, bpp)) {
            green(plane, npx, bpp, -1);
            transform = 1;
        }
    }
    if (p->alpha_last && transform != 2 && (ch == 2 || ch == 4)) e->ab = depth / 8;
    /* candidate P, the large image palette: tried after A and B */
    int pal16_ok = p->pal16 && p->palette && transform != 2 && depth == 8 && (bpp == 3 || bpp == 4);
    {
        int fixed = p->predict >= 0 ? p->predict : transform == 2 && !p->pal_predict ? 0 : -1;
        if (p->progress && p->progress(p->progress_user, 0.0)) {
            err = fail(diag, DIR_ECANCELLED, -1, -1, "cancelled by the progress callback");
            goto done;
        }
        if (classify(e, hkeys, hsec, hsize)) goto nomem;
        if (fixed >= 0) {
            /* a fixed predictor: one candidate */
            if (residuals(e, fixed)) goto nomem;
            err = emit(e, transform, pal, ncol, bpp, &best, &zc, diag);
            if (err) goto done;
        } else {
            /* candidate A: no predictor; B: a predictor per section */
            if (residuals(e, DIR2_PRED_NONE)) goto nomem;
            uint64_t cost_a = 0;
            buf resid_a = {0};
            if (p->trials) {
                err = emit(e, transform, pal, ncol, bpp, &best, &zc, diag);
                if (err) goto done;
            } else {
                est_tab = malloc(sizeof *est_tab << EST_BITS);
                if (!est_tab) goto nomem;
                cost_a = est_lz(e, e->st[S_RESID].d, e->st[S_RESID].n, e->ub, est_tab);
                resid_a = e->st[S_RESID];
                memset(&e->st[S_RESID], 0, sizeof e->st[S_RESID]);
            }
            if (residuals(e, p->predict)) {
                free(resid_a.d);
                goto nomem;
            }
            if (p->trials) {
                err = emit(e, transform, pal, ncol, bpp, &trial, &zc, diag);
                if (err) goto done;
                if (trial.n < best.n) {
                    buf t = best;
                    best = trial;
                    trial = t;
                } else {
                    codes_of_a(e, nsec); /* A is kept: its codes, for the statistics */
                }
                if (pal16_ok &&
                    pal16_prepare(plane, npx, bpp, transform == 1, &idx16, &pal16, &ncol16))
                    goto nomem;
                if (idx16) {
                    enc_state sv;
                    if (state_save(e, &sv, nsec)) goto nomem;
                    if (to_pal16(e, idx16, hkeys, hsec, hsize)) {
                        state_end(e, &sv, nsec, 1);
                        goto nomem;
                    }
                    err = emit(e, 3, pal16, ncol16, bpp, &trial, &zc, diag);
                    if (err) {
                        state_end(e, &sv, nsec, 1);
                        goto done;
                    }
                    int take_p = trial.n < best.n;
                    state_end(e, &sv, nsec, !take_p);
                    if (take_p) {
                        buf t = best;
                        best = trial;
                        trial = t;
                        transform = 3;
                    }
                }
            } else {
                uint64_t cost_b = est_lz(e, e->st[S_RESID].d, e->st[S_RESID].n, e->ub, est_tab);
                int take_b = cost_b * 64 < cost_a * (uint64_t)(64 - p->b_bias);
                if (!take_b) {
                    /* back to A: its residuals and codes */
                    free(e->st[S_RESID].d);
                    e->st[S_RESID] = resid_a;
                    resid_a.d = NULL;
                    codes_of_a(e, nsec);
                    e->st[S_CODES].n = 0;
                    if (buf_put(&e->st[S_CODES], e->code, nsec)) goto nomem;
                }
                free(resid_a.d);
                uint64_t cost_ab = take_b ? cost_b : cost_a;
                /* P (at most 65536 colours), not estimated when it has
                 * over 4096 colours and the kept candidate costs over 8
                 * bits a pixel (noise: P lost on every such corpus image,
                 * and the estimate took 3.4% of the sprites' encoder
                 * instructions, measured) */
                int noisy = cost_ab > (uint64_t)npx * 8 * 64;
                if (pal16_ok && noisy) {
                    /* the same test before the palette is built: counting
                     * to 4097 colours is cheaper (identical output) */
                    int over = colours_over(plane, npx, bpp, 4096);
                    if (over < 0) goto nomem;
                    if (over) pal16_ok = 0;
                }
                if (pal16_ok &&
                    pal16_prepare(plane, npx, bpp, transform == 1, &idx16, &pal16, &ncol16))
                    goto nomem;
                if (idx16 && (ncol16 <= 4096 || !noisy)) {
                    /* P where its estimate, the palette's order-0 cost
                     * included, beats the kept candidate's */
                    enc_state sv;
                    if (state_save(e, &sv, nsec)) goto nomem;
                    /* the same sections are raw (P's units are equal where
                     * the colours are): only their residuals, for the
                     * estimate; every section again if P is kept */
                    e->pl = idx16;
                    e->ub = 2;
                    e->rs = (size_t)e->w * 2;
                    e->ab = 0;
                    if (residuals(e, DIR2_PRED_NONE)) {
                        state_end(e, &sv, nsec, 1);
                        goto nomem;
                    }
                    uint64_t cost_p = est_lz(e, e->st[S_RESID].d, e->st[S_RESID].n, 2, est_tab) +
                                      order0_cost(pal16, (size_t)ncol16 * bpp);
                    int take_p = cost_p * 64 < cost_ab * (uint64_t)(64 - p->pal16_bias);
                    if (take_p && to_pal16(e, idx16, hkeys, hsec, hsize)) {
                        state_end(e, &sv, nsec, 1);
                        goto nomem;
                    }
                    state_end(e, &sv, nsec, !take_p);
                    if (take_p) transform = 3;
                }
                err = emit(e, transform, transform == 3 ? pal16 : pal,
                           transform == 3 ? ncol16 : ncol, bpp, &best, &zc, diag);
                if (err) goto done;
            }
        }
    }
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->sections = nsec;
        for (uint64_t s = 0; s < nsec; s++) {
            unsigned c = e->code[s];
            stats->code_count[c >= DIR2_RAW ? 3 + (c - DIR2_RAW > 5 ? 5 : c - DIR2_RAW) : c]++;
        }
        for (unsigned k = 0; k < DIR2_STREAMS; k++)
            stats->stream_bytes[k] = e->st[k].n;
    }
    *out = best.d;
    *out_size = best.n;
    best.d = NULL;
    goto done;
nomem:
    err = fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
done:
    ZSTD_freeCCtx(zc);
    free(best.d);
    free(trial.d);
    for (unsigned k = 0; k < DIR2_STREAMS; k++)
        free(e->st[k].d);
    free(est_tab);
    free(hkeys);
    free(hsec);
    free(e->code);
    free(e);
    free(plane);
    free(idx);
    free(idx16);
    free(pal16);
    return err;
}

dir_error dir2_encode_payload(const dir_pixels *px, const dir_encode_options *opt, uint8_t **out,
                              size_t *out_size, dir_stats *stats, dir_diag *diag)
{
    dir2_params p;
    dir2_params_from_options(opt, &p);
    dir_error err = dir2_encode_payload_params(px, &p, out, out_size, stats, diag);
    /* The container's decoder reports no code counts for version 2: the
     * encoder's statistics keep the sections and stream sizes only. */
    if (stats) memset(stats->code_count, 0, sizeof stats->code_count);
    if (err == DIR_OK && p.progress && p.progress(p.progress_user, 1.0)) {
        free(*out);
        *out = NULL;
        *out_size = 0;
        return fail(diag, DIR_ECANCELLED, -1, -1, "cancelled by the progress callback");
    }
    return err;
}

/* ---- decoder ---- */

/* m units of UB bytes at d set to the unit f: fixed-size copies of a
 * local copy of it (no library call per row of a section). */
static ALWAYS_INLINE void fill_k(uint8_t *d, const uint8_t *f, uint32_t m, const unsigned UB)
{
    uint8_t u[MAXU];
    memcpy(u, f, UB);
    for (uint32_t j = 0; j < m; j++)
        memcpy(d + (size_t)j * UB, u, UB);
}

/* fill_k for units of 2 or 4 bytes: 8 bytes a store. */
static ALWAYS_INLINE void fill8_k(uint8_t *d, const uint8_t *f, uint32_t m, const unsigned UB)
{
    uint8_t u[8];
    for (unsigned b = 0; b < 8; b += UB)
        memcpy(u + b, f, UB);
    uint32_t j = 0;
    for (; j + 8 / UB <= m; j += 8 / UB)
        memcpy(d + (size_t)j * UB, u, 8);
    for (; j < m; j++)
        memcpy(d + (size_t)j * UB, u, UB);
}

/* fill_k for the unit sizes of the format. */
static void fill_units(uint8_t *d, const uint8_t *f, unsigned ub, uint32_t m)
{
    switch (ub) {
    case 1: memset(d, f[0], m); break;
    case 2: fill8_k(d, f, m, 2); break;
    case 3: fill_k(d, f, m, 3); break;
    case 4: fill8_k(d, f, m, 4); break;
    case 6: fill_k(d, f, m, 6); break;
    case 8: fill_k(d, f, m, 8); break;
    default: break; /* no other unit */
    }
}

/* paeth() and med() written for conditional moves rather than branches
 * (the decoder's residual loops depend on each result for the next unit):
 * the same value for every l, u, ul from 0 to 255 (checked exhaustively
 * when written).  MED is L + U - UL clamped to [min(L, U), max(L, U)]. */
static inline unsigned paeth_cmov(unsigned l, unsigned u, unsigned ul)
{
    int pa = abs((int)u - (int)ul), pb = abs((int)l - (int)ul),
        pc = abs((int)l + (int)u - 2 * (int)ul);
    unsigned r = pb <= pc ? u : ul;
    return ((pa <= pb) & (pa <= pc)) ? l : r;
}

static inline unsigned med_cmov(unsigned l, unsigned u, unsigned ul)
{
    int g = (int)l + (int)u - (int)ul, lo = l < u ? (int)l : (int)u, hi = l < u ? (int)u : (int)l;
    g = g < lo ? lo : g;
    return (unsigned)(g > hi ? hi : g);
}

/* The inverse of resid_segment: pixels of units x0..x1-1 of row y of plane
 * pl from their residuals, for units of UB bytes (constant after inlining:
 * the bytes of a unit are spelled out one by one, EACH_BYTE, so that the
 * left and up-left neighbours stay in registers instead of being read back
 * from the bytes just written).  The residuals come from rc, CB = UB - AB
 * bytes per unit, and (alpha last, AB > 0) the unit's last AB bytes from ra. */
#define BYTE_K(k, STMT)                                                                            \
    if (UB > (k)) {                                                                                \
        const unsigned b = (k);                                                                    \
        STMT;                                                                                      \
    }
#define EACH_BYTE(STMT)                                                                            \
    do {                                                                                           \
        BYTE_K(0, STMT)                                                                            \
        BYTE_K(1, STMT) BYTE_K(2, STMT) BYTE_K(3, STMT) BYTE_K(4, STMT) BYTE_K(5, STMT)            \
            BYTE_K(6, STMT) BYTE_K(7, STMT)                                                        \
    } while (0)

static ALWAYS_INLINE void unresid_k(unsigned p, uint8_t *pl, size_t rs, uint32_t x0, uint32_t x1,
                                    uint32_t y, const uint8_t *rc, const uint8_t *ra,
                                    const unsigned UB, const unsigned AB)
{
    const unsigned CB = UB - AB;
    uint8_t *c = pl + (size_t)y * rs + (size_t)x0 * UB;
    const uint8_t *U = y ? c - rs : c; /* read only when y > 0 */
    uint32_t m = x1 - x0, j = 0;
    /* residual byte b of unit j, and the pixel byte */
#define RES(b) ((b) < CB ? rc[(size_t)j * CB + b] : ra[(size_t)j * AB + b - CB])
#define PIX(b) c[(size_t)j * UB + (b)]
    if (p == DIR2_PRED_NONE) {
        if (!AB) {
            memcpy(c, rc, (size_t)m * UB);
            return;
        }
        for (; j < m; j++)
            EACH_BYTE(PIX(b) = RES(b));
        return;
    }
    if (x0 == 0) { /* column 0: the up neighbour (0 on row 0) */
        EACH_BYTE(PIX(b) = (uint8_t)(RES(b) + (y ? U[b] : 0)));
        j = 1;
    }
    /* j >= 1 or x0 >= 1: the left unit is in this row */
    unsigned l[MAXU], ul[MAXU];
    EACH_BYTE(l[b] = (c + (size_t)j * UB - UB)[b]);
    if (y == 0 || p == DIR2_PRED_LEFT) { /* row 0: every predictor is the left */
        for (; j < m; j++)
            EACH_BYTE(PIX(b) = (uint8_t)(l[b] = (RES(b) + l[b]) & 255));
        return;
    }
    if (p == DIR2_PRED_UP) {
        for (; j < m; j++)
            EACH_BYTE(PIX(b) = (uint8_t)(RES(b) + U[(size_t)j * UB + b]));
        return;
    }
    EACH_BYTE(ul[b] = (U + (size_t)j * UB - UB)[b]);
#define LOOP(PRED)                                                                                 \
    for (; j < m; j++)                                                                             \
    EACH_BYTE({                                                                                    \
        unsigned u = U[(size_t)j * UB + b];                                                        \
        l[b] = (RES(b) + (PRED)) & 255;                                                            \
        ul[b] = u;                                                                                 \
        PIX(b) = (uint8_t)l[b];                                                                    \
    })
    switch (p) {
    case DIR2_PRED_AVERAGE: LOOP((l[b] + u) >> 1); break;
    case DIR2_PRED_PAETH: LOOP(paeth_cmov(l[b], u, ul[b])); break;
    case DIR2_PRED_GRADIENT: LOOP(gradient(l[b], u, ul[b])); break;
    case DIR2_PRED_MED: LOOP(med_cmov(l[b], u, ul[b])); break;
    default: break;
    }
#undef LOOP
#undef PIX
#undef RES
}

/* unresid_k for the unit sizes of the format: ub bytes, ab of them (alpha
 * last) from ra. */
static void unresid_segment(unsigned p, uint8_t *pl, size_t rs, unsigned ub, unsigned ab,
                            uint32_t x0, uint32_t x1, uint32_t y, const uint8_t *rc,
                            const uint8_t *ra)
{
    switch (ub * 4 + ab) {
    case 1 * 4: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 1, 0); break;
    case 2 * 4: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 2, 0); break;
    case 2 * 4 + 1: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 2, 1); break;
    case 3 * 4: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 3, 0); break;
    case 4 * 4: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 4, 0); break;
    case 4 * 4 + 1: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 4, 1); break;
    case 4 * 4 + 2: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 4, 2); break;
    case 6 * 4: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 6, 0); break;
    case 8 * 4: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 8, 0); break;
    case 8 * 4 + 2: unresid_k(p, pl, rs, x0, x1, y, rc, ra, 8, 2); break;
    default: break; /* no other unit: checked before the scan */
    }
}

uint64_t dir2_decode_scratch_bound(uint32_t width, uint32_t height, unsigned channels,
                                   unsigned depth)
{
    uint64_t npx = (uint64_t)width * height, bpp = (uint64_t)channels * depth / 8;
    uint64_t nsec = (uint64_t)((width + SEC - 1) / SEC) * ((height + SEC - 1) / SEC);
    /* codes, two per-section offset arrays, fills, references, palettes,
     * indices; the residuals; the index plane of an image palette; one
     * lzma dictionary at a time (zstd decodes in one call into the stream) */
    uint64_t streams = nsec * (1 + 4 + 4 + bpp + 5 + 1 + PALMAX * bpp + 128) + npx * bpp;
    uint64_t dict = lzma_dict(npx * bpp > nsec * 128 ? npx * bpp : nsec * 128);
    return streams + npx + dict + ((uint64_t)1 << 20);
}

typedef struct sdesc {
    uint8_t method;
    uint64_t raw, packed;
    const uint8_t *data;
} sdesc;

/* Decompresses stream k (zstd or lzma) into dst (d->raw bytes). */
static dir_error unpack(const sdesc *d, unsigned k, uint8_t *dst, uint64_t off, ZSTD_DCtx **dcp,
                        dir_diag *diag)
{
    char lb[32];
    if (d->method == DIR2_ZSTD) {
        unsigned long long cs = ZSTD_getFrameContentSize(d->data, d->packed);
        if (cs == ZSTD_CONTENTSIZE_ERROR)
            return fail(diag, DIR_EBACKEND, off, -1, "%s: not a zstd frame", slabel(k, lb));
        if (cs == ZSTD_CONTENTSIZE_UNKNOWN) /* a streaming compressor's frame */
            return fail(diag, DIR_EBACKEND, off, -1,
                        "%s: the zstd frame declares no content size, the table %llu",
                        slabel(k, lb), (unsigned long long)d->raw);
        if (cs != d->raw)
            return fail(diag, DIR_EBACKEND, off, -1,
                        "%s: zstd frame declares %llu bytes, the table %llu", slabel(k, lb), cs,
                        (unsigned long long)d->raw);
        size_t fs = ZSTD_findFrameCompressedSize(d->data, d->packed);
        if (ZSTD_isError(fs) || fs != d->packed)
            return fail(diag, DIR_EBACKEND, off, -1, "%s: the zstd frame is not exactly %llu bytes",
                        slabel(k, lb), (unsigned long long)d->packed);
        if (!*dcp) *dcp = ZSTD_createDCtx();
        if (!*dcp) return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
        size_t got = ZSTD_decompressDCtx(*dcp, dst, d->raw, d->data, d->packed);
        if (ZSTD_isError(got) || got != d->raw)
            return fail(diag, DIR_EBACKEND, off, -1, "%s: zstd: %s", slabel(k, lb),
                        ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
        return DIR_OK;
    }
#if !DIR_HAVE_LZMA
    return fail(diag, DIR_EBACKEND, off, -1, "%s: lzma: not supported by this build (no liblzma)",
                slabel(k, lb));
#else
    /* LZMA2 */
    lzma_options_lzma lo;
    memset(&lo, 0, sizeof lo);
    lo.dict_size = lzma_dict(d->raw);
    lzma_filter f[2] = {{LZMA_FILTER_LZMA2, &lo}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t ip = 0, op = 0;
    lzma_ret r = lzma_raw_buffer_decode(f, NULL, d->data, &ip, d->packed, dst, &op, d->raw);
    if (r != LZMA_OK || ip != d->packed || op != d->raw)
        return fail(diag, DIR_EBACKEND, off, -1,
                    "%s: lzma: %s (%zu of %llu bytes in, %zu of %llu out)", slabel(k, lb),
                    r == LZMA_OK          ? "sizes differ"
                    : r == LZMA_BUF_ERROR ? "data ends early or is too long"
                                          : "corrupt data",
                    ip, (unsigned long long)d->packed, op, (unsigned long long)d->raw);
    return DIR_OK;
#endif
}

/* One stream record at *pos (method, size, packed size; docs/FORMAT.md
 * 9.3) of stream k, *pos < in_size; *pos moves past it. */
static dir_error read_record(const uint8_t *in, size_t in_size, size_t *pos, unsigned k, sdesc *d,
                             dir_diag *diag)
{
    char lb[32];
    size_t at = *pos, p = at;
    d->method = in[p++];
    if (d->method > DIR2_LZMA)
        return fail(diag, DIR_EBACKEND, at, -1,
                    "%s: method %u: expected 0 (stored), 1 (zstd) or 2 (lzma)", slabel(k, lb),
                    d->method);
    size_t n = leb_get(in + p, in_size - p, &d->raw);
    if (n == 0)
        return fail(diag, DIR_ETRUNCATED, p, -1, "truncated at byte %zu: %s size", p,
                    slabel(k, lb));
    if (n == (size_t)-1)
        return fail(diag, DIR_ESTREAM, p, -1, "%s: size is not a minimal LEB128 of at most 9 bytes",
                    slabel(k, lb));
    p += n;
    if (d->method == DIR2_STORED) {
        d->packed = d->raw;
    } else {
        n = leb_get(in + p, in_size - p, &d->packed);
        if (n == 0)
            return fail(diag, DIR_ETRUNCATED, p, -1, "truncated at byte %zu: %s packed size", p,
                        slabel(k, lb));
        if (n == (size_t)-1)
            return fail(diag, DIR_ESTREAM, p, -1,
                        "%s: packed size is not a minimal LEB128 of at most 9 bytes",
                        slabel(k, lb));
        p += n;
        if (d->packed == 0)
            return fail(diag, DIR_EBACKEND, p, -1, "%s: packed size 0", slabel(k, lb));
    }
    *pos = p;
    return DIR_OK;
}

/* The bytes of stream k: *view into the payload when stored (no copy), else
 * decompressed into *own (malloc()ed, the caller frees it; on an error
 * nothing is left in *own). */
static dir_error stream_bytes(const sdesc *d, unsigned k, const uint8_t *in, const uint8_t **view,
                              uint8_t **own, ZSTD_DCtx **dcp, dir_diag *diag)
{
    if (d->method == DIR2_STORED) {
        *view = d->data;
        return DIR_OK;
    }
    *own = malloc(d->raw ? d->raw : 1);
    if (!*own) return fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
    *view = *own;
    dir_error e = unpack(d, k, *own, (uint64_t)(d->data - in), dcp, diag);
    if (e) { /* on failure the caller owns nothing */
        free(*own);
        *own = NULL;
        *view = NULL;
    }
    return e;
}

/* Colours of the n image-palette indices idx into o, BPP bytes each from
 * pal (256 entries, those from ncol on zero); 0 if an index is not below
 * ncol, the image palette's size. */
static ALWAYS_INLINE int depal_k(uint8_t *o, const uint8_t *idx, size_t n, const uint8_t *pal,
                                 unsigned ncol, const unsigned BPP)
{
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= idx[i] >= ncol;
        memcpy(o + i * BPP, pal + (size_t)idx[i] * BPP, BPP);
    }
    return !bad;
}

/* The same for 3-byte colours from pal4, each padded to 4 bytes (256 entries): a 4-byte
 * store per pixel, whose fourth byte the next pixel overwrites (the last
 * pixel is stored in 3). */
static int depal3(uint8_t *o, const uint8_t *idx, size_t n, const uint8_t *pal4, unsigned ncol)
{
    unsigned bad = 0;
    size_t i = 0;
    for (; i + 1 < n; i++) {
        bad |= idx[i] >= ncol;
        memcpy(o + i * 3, pal4 + (size_t)idx[i] * 4, 4);
    }
    bad |= idx[i] >= ncol;
    memcpy(o + i * 3, pal4 + (size_t)idx[i] * 4, 3);
    return !bad;
}

static int depal(uint8_t *o, const uint8_t *idx, size_t n, const uint8_t *pal, unsigned ncol,
                 unsigned bpp)
{
    switch (bpp) {
    case 2: return depal_k(o, idx, n, pal, ncol, 2);
    case 3: return depal3(o, idx, n, pal, ncol);
    case 4: return depal_k(o, idx, n, pal, ncol, 4);
    case 6: return depal_k(o, idx, n, pal, ncol, 6);
    case 8: return depal_k(o, idx, n, pal, ncol, 8);
    default: return 0; /* transform 2 needs bpp >= 2 */
    }
}

/* Colours of the n large-palette indices (two bytes, little-endian) idx
 * into o, bpp (3 or 4) bytes each from pal4 (DIR2_PAL16_MAX entries of 4
 * bytes, those from ncol on zero); 0 if an index is not below ncol. */
static int depal16(uint8_t *o, const uint8_t *idx, size_t n, const uint8_t *pal4, unsigned ncol,
                   unsigned bpp)
{
    /* An index v >= ncol makes ncol - 1 - v wrap around, setting bit 31
     * (both are below 2^17): one subtraction and one OR a pixel instead of
     * a comparison; every index reads inside pal4 whatever its value, so
     * the test can wait for the end. */
    uint32_t acc = 0;
    const uint32_t lim = ncol - 1;
    if (bpp == 4) {
        for (size_t i = 0; i < n; i++) {
            uint32_t v = index16(idx + 2 * i);
            acc |= lim - v;
            memcpy(o + i * 4, pal4 + (size_t)v * 4, 4);
        }
        return !(acc >> 31);
    }
    size_t i = 0;
    for (; i + 1 < n; i++) {
        uint32_t v = index16(idx + 2 * i);
        acc |= lim - v;
        memcpy(o + i * 3, pal4 + (size_t)v * 4, 4);
    }
    uint32_t v = index16(idx + 2 * i);
    acc |= lim - v;
    memcpy(o + i * 3, pal4 + (size_t)v * 4, 3);
    return !(acc >> 31);
}

/* A payload's layout up to its streams' data (docs/FORMAT.md 9.2-9.4). */
typedef struct v2_layout {
    dir_payload_info info; /* what dir_describe() gives */
    const uint8_t *pal;    /* transform 2: the palette, in the payload */
    sdesc pald;            /* transform 3: the image palette's record */
    sdesc sd[DIR2_STREAMS];
    uint64_t nraw; /* in-image pixels of the raw sections */
} v2_layout;

/* Reads the transform byte, the image palette and the stream table, checks
 * the streams' data against the payload's size, decodes the codes (into
 * *codesp, allocated in *ownp unless stored; the caller frees *ownp and
 * *dctx also on error), counts them and checks every other stream's size
 * against them.  The dimensions are valid and within the limits. */
static dir_error read_layout(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                             unsigned channels, unsigned depth, v2_layout *L,
                             const uint8_t **codesp, uint8_t **ownp, ZSTD_DCtx **dctx,
                             dir_diag *diag)
{
    memset(L, 0, sizeof *L);
    unsigned bpp = channels * depth / 8;
    uint32_t cols = (width + SEC - 1) / SEC, rows = (height + SEC - 1) / SEC;
    uint64_t nsec = (uint64_t)cols * rows;
    size_t pos = 0;
    if (in_size < 1) return fail(diag, DIR_ETRUNCATED, 0, -1, "truncated at byte 0: no transform");
    unsigned tbyte = in[pos++], transform = tbyte & 3, alast = (tbyte & DIR2_ALPHA_LAST) != 0;
    if (tbyte & ~7u)
        return fail(diag, DIR_EHEADER, 0, -1, "transform byte 0x%02x: bits 3 to 7 must be 0",
                    tbyte);
    if (transform == 3 && (depth != 8 || channels < 3))
        return fail(
            diag, DIR_EHEADER, 0, -1,
            "transform 3 (large palette) needs 8-bit RGB or RGBA, not %u channels of %u bits",
            channels, depth);
    if (transform == 1 && (depth != 8 || channels < 3))
        return fail(
            diag, DIR_EHEADER, 0, -1,
            "transform 1 (subtract green) needs 8-bit RGB or RGBA, not %u channels of %u bits",
            channels, depth);
    if (alast && channels != 2 && channels != 4)
        return fail(diag, DIR_EHEADER, 0, -1,
                    "transform bit 2 (alpha last) needs grey+alpha or RGBA, not %u channels",
                    channels);
    if (alast && transform >= 2)
        return fail(diag, DIR_EHEADER, 0, -1,
                    "transform bit 2 (alpha last) with transform %u (%s): palette units have "
                    "no alpha byte",
                    transform, transform == 2 ? "palette" : "large palette");
    unsigned ncol = 0;
    const uint8_t *pal = NULL;
    if (transform == 2) {
        if (bpp < 2)
            return fail(diag, DIR_EHEADER, 0, -1, "transform 2 (palette) on a one-byte grey image");
        if (pos >= in_size)
            return fail(diag, DIR_ETRUNCATED, pos, -1, "truncated at byte %zu: no palette size",
                        pos);
        ncol = (unsigned)in[pos++] + 1;
        if (in_size - pos < (size_t)ncol * bpp)
            return fail(diag, DIR_ETRUNCATED, pos, -1,
                        "truncated at byte %zu: palette of %u colours needs %u bytes", pos, ncol,
                        ncol * bpp);
        pal = in + pos;
        pos += (size_t)ncol * bpp;
    }
    sdesc pald = {0}; /* transform 3: the image palette's record */
    if (transform == 3) {
        if (in_size - pos < 2)
            return fail(diag, DIR_ETRUNCATED, pos, -1, "truncated at byte %zu: no palette size",
                        pos);
        ncol = index16(in + pos) + 1;
        pos += 2;
        if (pos >= in_size)
            return fail(diag, DIR_ETRUNCATED, pos, -1,
                        "truncated at byte %zu: no image palette record", pos);
        dir_error re = read_record(in, in_size, &pos, S_IPAL, &pald, diag);
        if (re) return re;
        if (pald.raw != (uint64_t)ncol * bpp)
            return fail(diag, DIR_ESTREAM, pos, -1,
                        "the image palette has %llu bytes; %u colours need exactly %u",
                        (unsigned long long)pald.raw, ncol, ncol * bpp);
        if (pald.packed > in_size - pos)
            return fail(diag, DIR_ETRUNCATED, in_size, -1,
                        "truncated at byte %zu: the image palette needs %llu bytes, %zu are left",
                        in_size, (unsigned long long)pald.packed, in_size - pos);
        pald.data = in + pos;
        pos += (size_t)pald.packed;
    }
    unsigned ub = transform == 2 ? 1 : transform == 3 ? 2 : bpp;

    sdesc sd[DIR2_STREAMS];
    for (unsigned k = 0; k < DIR2_STREAMS; k++) {
        if (pos >= in_size)
            return fail(diag, DIR_ETRUNCATED, pos, -1,
                        "truncated at byte %zu: stream table ends before stream %u (%s)", pos, k,
                        stream_names[k]);
        dir_error re = read_record(in, in_size, &pos, k, &sd[k], diag);
        if (re) return re;
    }
    {
        uint64_t total = 0;
        for (unsigned k = 0; k < DIR2_STREAMS; k++) {
            if (sd[k].packed > in_size)
                return fail(diag, DIR_ETRUNCATED, pos, -1,
                            "truncated: stream %u (%s) declares %llu bytes, the payload has %zu", k,
                            stream_names[k], (unsigned long long)sd[k].packed, in_size);
            total += sd[k].packed;
        }
        if (total > in_size - pos)
            return fail(diag, DIR_ETRUNCATED, in_size, -1,
                        "truncated at byte %zu: the streams need %llu bytes, %zu are left", in_size,
                        (unsigned long long)total, in_size - pos);
        if (total < in_size - pos)
            return fail(diag, DIR_ETRAILING, pos + total, -1, "%llu bytes after the last stream",
                        (unsigned long long)(in_size - pos - total));
        for (unsigned k = 0; k < DIR2_STREAMS; k++) {
            sd[k].data = in + pos;
            pos += (size_t)sd[k].packed;
        }
    }
    /* Exact sizes first: the code stream is one byte per section. */
    if (sd[S_CODES].raw != nsec)
        return fail(diag, DIR_ESTREAM, -1, -1, "stream 0 (codes) has %llu bytes for %llu sections",
                    (unsigned long long)sd[S_CODES].raw, (unsigned long long)nsec);

    dir_error err = stream_bytes(&sd[S_CODES], S_CODES, in, codesp, ownp, dctx, diag);
    if (err) return err;
    const uint8_t *codes = *codesp;
    uint64_t nfill = 0, nref = 0, npal = 0, nraw = 0;
    for (uint64_t s = 0; s < nsec; s++) {
        uint8_t c = codes[s];
        if (c == DIR2_FILL) {
            nfill++;
        } else if (c == DIR2_REF) {
            nref++;
        } else if (c == DIR2_PALETTE) {
            npal++;
        } else if (c >= DIR2_RAW && c < DIR2_RAW + DIR2_PRED_COUNT) {
            uint32_t sx = (uint32_t)(s % cols), sy = (uint32_t)(s / cols);
            uint64_t sw = width - sx * SEC < SEC ? width - sx * SEC : SEC;
            uint64_t sh = height - sy * SEC < SEC ? height - sy * SEC : SEC;
            nraw += sw * sh;
            L->info.raw[c - DIR2_RAW]++;
        } else {
            err = fail(diag, DIR_ECODE, -1, s, "bad code 0x%02x in section %llu", c,
                       (unsigned long long)s);
            return err;
        }
    }
    /* Every other stream's size from the codes, before it is allocated. */
    {
        struct {
            unsigned k;
            uint64_t lo, hi;
        } want[] = {
            {S_FILLS, nfill * ub, nfill * ub},
            {S_REFS, nref, nref * 5},
            {S_RESID, nraw * ub, nraw * ub},
            {S_PALS, npal * (1 + 2 * (uint64_t)ub), npal * (1 + PALMAX * (uint64_t)ub)},
            {S_INDEX, npal * 32, npal * 128},
        };
        for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
            uint64_t n = sd[want[i].k].raw;
            if (n < want[i].lo || n > want[i].hi) {
                if (want[i].lo == want[i].hi)
                    err = fail(diag, DIR_ESTREAM, -1, -1,
                               "stream %u (%s) has %llu bytes; the codes need exactly %llu",
                               want[i].k, stream_names[want[i].k], (unsigned long long)n,
                               (unsigned long long)want[i].lo);
                else
                    err = fail(diag, DIR_ESTREAM, -1, -1,
                               "stream %u (%s) has %llu bytes; the codes allow %llu to %llu",
                               want[i].k, stream_names[want[i].k], (unsigned long long)n,
                               (unsigned long long)want[i].lo, (unsigned long long)want[i].hi);
                return err;
            }
        }
    }
    dir_payload_info *pi = &L->info;
    pi->transform = transform;
    pi->alpha_last = (int)alast;
    pi->colours = ncol;
    pi->unit_bytes = ub;
    if (transform == 2) pi->palette_packed = (uint64_t)ncol * bpp;
    if (transform == 3) {
        pi->palette_packed = pald.packed;
        pi->palette_method = pald.method;
    }
    pi->sections = nsec;
    pi->fills = nfill;
    pi->references = nref;
    pi->section_palettes = npal;
    for (unsigned k = 0; k < DIR2_STREAMS; k++) {
        pi->stream_method[k] = sd[k].method;
        pi->stream_raw[k] = sd[k].raw;
        pi->stream_packed[k] = sd[k].packed;
    }
    L->pal = pal;
    L->pald = pald;
    memcpy(L->sd, sd, sizeof L->sd);
    L->nraw = nraw;
    return DIR_OK;
}

dir_error dir2_describe_payload(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                                unsigned channels, unsigned depth, dir_payload_info *pi,
                                dir_diag *diag)
{
    dir_diag_clear(diag);
    v2_layout L;
    const uint8_t *codes = NULL;
    uint8_t *own = NULL;
    ZSTD_DCtx *dctx = NULL;
    dir_error err =
        read_layout(in, in_size, width, height, channels, depth, &L, &codes, &own, &dctx, diag);
    ZSTD_freeDCtx(dctx);
    free(own);
    if (err) return err;
    *pi = L.info;
    return DIR_OK;
}

const char *dir_transform_name(unsigned t)
{
    static const char *const n[4] = {"none", "subtract green", "image palette",
                                     "large image palette"};
    return t < 4 ? n[t] : "?";
}

const char *dir_payload_stream_name(unsigned k)
{
    return k < DIR2_STREAMS ? stream_names[k] : "?";
}

const char *dir_predictor_name(unsigned p)
{
    static const char *const n[DIR2_PRED_COUNT] = {"none",  "left",     "up", "average",
                                                   "Paeth", "gradient", "MED"};
    return p < DIR2_PRED_COUNT ? n[p] : "?";
}

const char *dir_method_name(unsigned m)
{
    static const char *const n[3] = {"stored", "zstd", "lzma"};
    return m < 3 ? n[m] : "?";
}

dir_error dir2_decode_payload(const uint8_t *in, size_t in_size, uint32_t width, uint32_t height,
                              unsigned channels, unsigned depth, const dir_limits *limits,
                              void *samples, size_t samples_size, dir_diag *diag)
{
    dir_diag_clear(diag);
    dir_limits lim;
    if (limits)
        lim = *limits;
    else
        dir_limits_default(&lim);
    if ((!in && in_size) || !samples) return fail(diag, DIR_EINVAL, -1, -1, "NULL argument");
    if (channels < 1 || channels > 4)
        return fail(diag, DIR_EINVAL, -1, -1, "channels %u: expected 1 to 4", channels);
    if (depth != 8 && depth != 16)
        return fail(diag, DIR_EINVAL, -1, -1, "depth %u: expected 8 or 16", depth);
    if (width < 1 || height < 1 || width > DIR_MAX_DIM || height > DIR_MAX_DIM)
        return fail(diag, DIR_EINVAL, -1, -1, "image %ux%u: sides must be 1 to %u", width, height,
                    DIR_MAX_DIM);
    if (width > lim.max_width || height > lim.max_height ||
        (uint64_t)width * height > lim.max_pixels || (uint64_t)width * height > DIR_MAX_PIXELS)
        return fail(diag, DIR_ELIMIT, -1, -1, "image %ux%u over the limits", width, height);
    unsigned bpp = channels * depth / 8;
    uint64_t npx = (uint64_t)width * height;
    if (samples_size < npx * bpp)
        return fail(diag, DIR_EBUFFER, -1, -1, "buffer of %zu bytes for %llu", samples_size,
                    (unsigned long long)(npx * bpp));
    uint32_t cols = (width + SEC - 1) / SEC, rows = (height + SEC - 1) / SEC;
    uint64_t nsec = (uint64_t)cols * rows;

    dir_error err = DIR_OK;
    const uint8_t *st[DIR2_STREAMS] = {0}; /* the streams' bytes: in the payload when stored, */
    uint8_t *own[DIR2_STREAMS] = {0};      /* else decompressed into these */
    uint32_t *aux = NULL;                  /* per section: source (ref), or offsets (palette) */
    uint32_t *aux2 = NULL;
    uint8_t *plane = NULL;
    ZSTD_DCtx *dctx = NULL; /* one for every zstd stream */
    /* the image palette, 256 entries (zero from ncol on), 3-byte colours
     * padded to 4 (depal3) */
    uint8_t palx[256 * MAXU] = {0};
    uint8_t *palx16 = NULL; /* transform 3: 65536 colours of 4 bytes (zero from ncol on) */
    v2_layout L;
    err = read_layout(in, in_size, width, height, channels, depth, &L, &st[S_CODES], &own[S_CODES],
                      &dctx, diag);
    if (err) goto out;
    unsigned transform = L.info.transform, alast = (unsigned)L.info.alpha_last,
             ncol = L.info.colours, ub = L.info.unit_bytes;
    const uint8_t *pal = L.pal;
    sdesc pald = L.pald;
    sdesc *sd = L.sd;
    const uint8_t *codes = st[S_CODES];
    uint64_t nfill = L.info.fills, nref = L.info.references, npal = L.info.section_palettes;
    for (unsigned k = 1; k < DIR2_STREAMS; k++) {
        err = stream_bytes(&sd[k], k, in, &st[k], &own[k], &dctx, diag);
        if (err) goto out;
    }
    /* Prepass: references and palettes, each checked. */
    if (nref + npal) {
        aux = malloc(nsec * sizeof *aux);
        aux2 = malloc(nsec * sizeof *aux2);
        if (!aux || !aux2) goto nomem;
    }
    {
        size_t rp = 0, pp = 0, ip = 0;
        for (uint64_t s = 0; s < nsec; s++) {
            uint8_t c = codes[s];
            if (c == DIR2_REF) {
                uint64_t d;
                size_t n = leb_get(st[S_REFS] + rp, sd[S_REFS].raw - rp, &d);
                if (n == 0) {
                    err = fail(diag, DIR_ETRUNCATED, -1, s,
                               "stream 2 (references) ends inside section %llu",
                               (unsigned long long)s);
                    goto out;
                }
                if (n == (size_t)-1 || d < 1 || d > s) {
                    err =
                        fail(diag, DIR_EREF, -1, s,
                             "section %llu: reference distance %s (must be a minimal LEB128 from 1 "
                             "to %llu)",
                             (unsigned long long)s, n == (size_t)-1 ? "malformed" : "out of range",
                             (unsigned long long)s);
                    if (n != (size_t)-1 && diag)
                        snprintf(diag->message, sizeof diag->message,
                                 "section %llu: reference distance %llu out of range 1 to %llu",
                                 (unsigned long long)s, (unsigned long long)d,
                                 (unsigned long long)s);
                    goto out;
                }
                uint64_t src = s - d;
                uint32_t sx = (uint32_t)(s % cols), sy = (uint32_t)(s / cols);
                uint32_t tx = (uint32_t)(src % cols), ty = (uint32_t)(src / cols);
                uint32_t sw = width - sx * SEC < SEC ? width - sx * SEC : SEC;
                uint32_t sh = height - sy * SEC < SEC ? height - sy * SEC : SEC;
                uint32_t tw = width - tx * SEC < SEC ? width - tx * SEC : SEC;
                uint32_t th = height - ty * SEC < SEC ? height - ty * SEC : SEC;
                if (tw < sw || th < sh) {
                    err = fail(diag, DIR_EREF, -1, s,
                               "section %llu refers to section %llu, %ux%u in the image, smaller "
                               "than its own %ux%u",
                               (unsigned long long)s, (unsigned long long)src, tw, th, sw, sh);
                    goto out;
                }
                aux[s] = (uint32_t)src;
                rp += n;
            } else if (c == DIR2_PALETTE) {
                if (pp >= sd[S_PALS].raw) {
                    err =
                        fail(diag, DIR_ETRUNCATED, -1, s,
                             "stream 4 (palettes) ends inside section %llu", (unsigned long long)s);
                    goto out;
                }
                unsigned k = st[S_PALS][pp];
                if (k < 2 || k > PALMAX) {
                    err = fail(diag, DIR_ECOUNT, -1, s,
                               "section %llu: palette of %u colours (must be 2 to %u)",
                               (unsigned long long)s, k, PALMAX);
                    goto out;
                }
                if (sd[S_PALS].raw - pp - 1 < (uint64_t)k * ub) {
                    err =
                        fail(diag, DIR_ETRUNCATED, -1, s,
                             "stream 4 (palettes) ends inside section %llu", (unsigned long long)s);
                    goto out;
                }
                unsigned bits = index_bits(k);
                if (sd[S_INDEX].raw - ip < (uint64_t)32 * bits) {
                    err =
                        fail(diag, DIR_ETRUNCATED, -1, s,
                             "stream 5 (indices) ends inside section %llu", (unsigned long long)s);
                    goto out;
                }
                if (bits > 1 || k < 2) {
                    const uint8_t *q = st[S_INDEX] + ip;
                    unsigned mask = (1u << bits) - 1;
                    for (unsigned i = 0; i < SEC * SEC; i++) {
                        unsigned v = (q[i * bits / 8] >> (i * bits % 8)) & mask;
                        if (v >= k) {
                            err = fail(
                                diag, DIR_ECOLOUR, ip, s,
                                "section %llu: index %u at position %u, the palette has %u colours",
                                (unsigned long long)s, v, i, k);
                            goto out;
                        }
                    }
                }
                aux[s] = (uint32_t)pp;
                aux2[s] = (uint32_t)ip;
                pp += 1 + (size_t)k * ub;
                ip += 32 * bits;
            }
        }
        if (rp != sd[S_REFS].raw || pp != sd[S_PALS].raw || ip != sd[S_INDEX].raw) {
            unsigned k = rp != sd[S_REFS].raw ? S_REFS : pp != sd[S_PALS].raw ? S_PALS : S_INDEX;
            size_t used = k == S_REFS ? rp : k == S_PALS ? pp : ip;
            err = fail(diag, DIR_ESTREAM, -1, -1, "stream %u (%s): %llu byte%s unused", k,
                       stream_names[k], (unsigned long long)(sd[k].raw - used),
                       sd[k].raw - used == 1 ? "" : "s");
            goto out;
        }
    }
    /* The image palette's indices must be < its size. */
    if (transform == 2) {
        for (uint64_t i = 0; i < nfill; i++)
            if (st[S_FILLS][i] >= ncol) {
                err = fail(diag, DIR_ECOLOUR, -1, -1,
                           "fill %llu: colour index %u, the image palette has %u colours",
                           (unsigned long long)i, st[S_FILLS][i], ncol);
                goto out;
            }
        size_t pp = 0;
        while (pp < sd[S_PALS].raw) {
            unsigned k = st[S_PALS][pp];
            for (unsigned j = 0; j < k; j++)
                if (st[S_PALS][pp + 1 + j] >= ncol) {
                    err = fail(diag, DIR_ECOLOUR, -1, -1,
                               "section palette: colour index %u, the image palette has %u colours",
                               st[S_PALS][pp + 1 + j], ncol);
                    goto out;
                }
            pp += 1 + k;
        }
        plane = malloc(npx);
        if (!plane) goto nomem;
        unsigned ps = bpp == 3 ? 4 : bpp;
        for (unsigned i = 0; i < ncol; i++)
            memcpy(palx + ps * i, pal + bpp * i, bpp);
    } else if (transform == 3) {
        for (uint64_t i = 0; i < nfill; i++) {
            unsigned v = index16(st[S_FILLS] + 2 * i);
            if (v >= ncol) {
                err = fail(diag, DIR_ECOLOUR, -1, -1,
                           "fill %llu: colour index %u, the image palette has %u colours",
                           (unsigned long long)i, v, ncol);
                goto out;
            }
        }
        size_t pp = 0;
        while (pp < sd[S_PALS].raw) {
            unsigned k = st[S_PALS][pp];
            for (unsigned j = 0; j < k; j++) {
                const uint8_t *q = st[S_PALS] + pp + 1 + 2 * j;
                unsigned v = index16(q);
                if (v >= ncol) {
                    err = fail(diag, DIR_ECOLOUR, -1, -1,
                               "section palette: colour index %u, the image palette has %u colours",
                               v, ncol);
                    goto out;
                }
            }
            pp += 1 + 2 * (size_t)k;
        }
        /* the colours: each byte the sum of the stored bytes up to it */
        const uint8_t *pv = NULL;
        uint8_t *pown = NULL;
        err = stream_bytes(&pald, S_IPAL, in, &pv, &pown, &dctx, diag);
        if (err) goto out;
        palx16 = calloc(DIR2_PAL16_MAX, 4);
        plane = malloc(npx * 2);
        if (!palx16 || !plane) {
            free(pown);
            goto nomem;
        }
        uint8_t acc[4] = {0, 0, 0, 0};
        for (unsigned i = 0; i < ncol; i++)
            for (unsigned b = 0; b < bpp; b++) {
                acc[b] = (uint8_t)(acc[b] + pv[(size_t)i * bpp + b]);
                palx16[4 * (size_t)i + b] = acc[b];
            }
        free(pown);
    } else {
        plane = samples;
    }
    /* The scan: image rows, section by section. */
    {
        size_t rs = (size_t)width * ub, fp = 0, qp = 0;
        const uint8_t *res = st[S_RESID];
        unsigned ab = alast ? depth / 8 : 0;
        size_t nres = sd[S_RESID].raw / ub;
        /* fill units are consumed in section order; remember each fill's
         * offset through aux2 when there is room, else recount per band */
        for (uint32_t sy = 0; sy < rows; sy++) {
            uint32_t y0 = sy * SEC, y1 = y0 + SEC < height ? y0 + SEC : height;
            size_t fband = fp;
            for (uint32_t y = y0; y < y1; y++) {
                uint8_t *row = plane + (size_t)y * rs;
                fp = fband;
                for (uint32_t sx = 0; sx < cols; sx++) {
                    uint64_t s = (uint64_t)sy * cols + sx;
                    uint32_t x0 = sx * SEC, x1 = x0 + SEC < width ? x0 + SEC : width;
                    uint8_t c = codes[s];
                    uint8_t *d = row + (size_t)x0 * ub;
                    size_t n = (size_t)(x1 - x0) * ub;
                    if (c == DIR2_FILL) {
                        fill_units(d, st[S_FILLS] + fp, ub, x1 - x0);
                        fp += ub;
                    } else if (c == DIR2_REF) {
                        uint64_t src = aux[s];
                        uint32_t tx = (uint32_t)(src % cols), ty = (uint32_t)(src / cols);
                        memcpy(d,
                               plane + (size_t)(ty * SEC + (y - y0)) * rs + (size_t)tx * SEC * ub,
                               n);
                    } else if (c == DIR2_PALETTE) {
                        const uint8_t *pe = st[S_PALS] + aux[s];
                        unsigned k = pe[0], bits = index_bits(k), mask = (1u << bits) - 1;
                        const uint8_t *q = st[S_INDEX] + aux2[s];
                        for (uint32_t x = x0; x < x1; x++, d += ub) {
                            unsigned i = (y - y0) * SEC + (x - x0);
                            unsigned v = (q[i * bits / 8] >> (i * bits % 8)) & mask;
                            memcpy(d, pe + 1 + v * ub, ub);
                        }
                    } else {
                        /* alpha last: the residual units' other bytes, then
                         * their alpha bytes */
                        size_t q = qp / ub;
                        const uint8_t *rc = res + (alast ? q * (ub - ab) : qp);
                        const uint8_t *ra = alast ? res + nres * (ub - ab) + q * ab : NULL;
                        unresid_segment(c - DIR2_RAW, plane, rs, ub, ab, x0, x1, y, rc, ra);
                        qp += n;
                    }
                }
                /* the row is final: its colours, while it is hot */
                if (transform == 3 && !depal16((uint8_t *)samples + (size_t)y * width * bpp, row,
                                               width, palx16, ncol, bpp)) {
                    uint32_t x = 0;
                    while (index16(row + 2 * x) < ncol)
                        x++;
                    err = fail(diag, DIR_ECOLOUR, -1, (uint64_t)sy * cols + x / SEC,
                               "pixel %llu: colour index %u, the image palette has %u colours",
                               (unsigned long long)((uint64_t)y * width + x),
                               (unsigned)index16(row + 2 * x), ncol);
                    goto out;
                }
                if (transform == 2 &&
                    !depal((uint8_t *)samples + (size_t)y * width * bpp, row, width, palx, ncol,
                           bpp)) {
                    uint32_t x = 0;
                    while (row[x] < ncol)
                        x++;
                    err = fail(diag, DIR_ECOLOUR, -1, (uint64_t)sy * cols + x / SEC,
                               "pixel %llu: colour index %u, the image palette has %u colours",
                               (unsigned long long)((uint64_t)y * width + x), row[x], ncol);
                    goto out;
                }
            }
        }
    }
    /* Undo the green subtraction (the image palette is undone row by row
     * in the scan). */
    if (transform == 1) {
        if (bpp == 3)
            green3(samples, npx, 0);
        else
            green4(samples, npx, 0);
    }
    if (depth == 16) {
        uint8_t *o = samples;
        for (uint64_t i = 0; i < npx * channels; i++) {
            uint16_t v = (uint16_t)(o[2 * i] << 8 | o[2 * i + 1]);
            memcpy(o + 2 * i, &v, 2);
        }
    }
    goto out;
nomem:
    err = fail(diag, DIR_ENOMEM, -1, -1, "out of memory");
out:
    ZSTD_freeDCtx(dctx);
    free(palx16);
    if (plane != samples) free(plane);
    free(aux);
    free(aux2);
    for (unsigned k = 0; k < DIR2_STREAMS; k++)
        free(own[k]);
    return err;
}
