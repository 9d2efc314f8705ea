/* SPDX-License-Identifier: MIT */
/* v2entropy.c -- issue 11's measured experiment, not a format change: how
 * much smaller the version-2 residual stream (stream 3 of the payload,
 * docs/FORMAT.md 9.5) gets under entropy coders with contexts instead of
 * zstd, and how fast such a coder decodes.  Nothing here is in core/.
 *
 * For every corpus image the payload encoder (core/v2.c) runs twice with the
 * same parameters: as configured (zstd) and with every stream stored, which
 * gives the very residual bytes zstd was given (the encoder's choices do not
 * depend on the back end).  Every row prints the payload per class with
 * stream 3 replaced by the model's size (the other streams as zstd packed
 * them) and its ratio to WebP -z 9:
 *
 *   zstd                 stream 3 as the payload has it (measured);
 *   order 0 ...          one table for the whole stream, ideal (no table) and
 *                        as the rANS coder below writes it;
 *   actA KN              static tables per context, two passes (count, then
 *                        code): the byte's place in the unit (the channel)
 *                        times N buckets of the neighbours' residual
 *                        magnitudes, A: 0 |L|+|U|; 1 |L|+|U|+(|UL|+|UR|)/2;
 *                        2 |L|+|U|+2|P|, P the unit's previous byte; 3 |L|+|U|
 *                        in N buckets times |P| in 3 (L, U, UL, UR: the same
 *                        byte of the neighbouring pixels' residuals, 0 outside
 *                        raw sections).  The size is exact for the rANS coder:
 *                        its tables (bits) plus -log2 of the quantised 12-bit
 *                        probabilities; act0 K1 is order 0 per channel;
 *   actA best K          per image the cheapest of K = 1, 2, 4, 8, 16 (+1 byte);
 *   zstd parse, ...      zstd's own parse of the stream (ZSTD_generateSequences,
 *                        the payload's level and minimum match): the literals
 *                        under the contexts, the sequences estimated as zstd
 *                        codes them (order-0 entropy of the literal-length,
 *                        match-length and offset codes, their extra bits, 5
 *                        bits per used code); then with 2-D distance codes
 *                        (a copy of the same byte of a pixel up to 7 rows up
 *                        and 8 columns aside: one of 136 codes, no extra
 *                        bits); then the literals of predictor-0 units coded
 *                        as their value minus MED of the plane's neighbours
 *                        in contexts of |L-UL|+|U-UL|; the "check" row is the
 *                        same parse with one order-0 literal table, to compare
 *                        with zstd's measured size;
 *   no LZ: MED ...       every byte, predictor-0 units as MED residuals;
 *   no LZ: signed ...    the symbol image S (a unit of a section with a
 *                        predictor keeps its residual, every other pixel is its
 *                        MED residual) in contexts of the signed values of L, U
 *                        and the previous byte: 5 levels each with static
 *                        tables, or 9 levels each adaptive (counts updated per
 *                        byte, no tables: a bound for such contexts);
 *   pixel LZ77 ...       WebP's lossless design on S: per raw unit a literal
 *                        (main byte -- green, or the only one -- in one
 *                        alphabet with the length codes and colour-cache
 *                        indices, in -C contexts; the other bytes per channel
 *                        in K buckets), a colour-cache hit (0, 6, 8 or 10
 *                        bits, the best per image) or a copy of -M units or
 *                        more from S at a 2-D distance (31 near codes or a
 *                        log2 code plus extra bits), greedy longest match over
 *                        the near distances and 16 hash-chain candidates;
 *                        5 bits per used code for the tables;
 *   brotli qQ            (-B Q, when built with libbrotli) stream 3 as
 *                        Debian's libbrotli packs it at quality Q with a
 *                        16 MiB window (measured, decoded and checked), its
 *                        encode and decode rates in MB/s of the stream's
 *                        bytes (fastest of -r runs) beside zstd's decode of
 *                        the same stream: a general-purpose coder with
 *                        literal context modelling in zstd's place.
 *
 * The real coder (-c act:K, or -c best[:act] for the best K per image) is a
 * static-table rANS coder (two interleaved 32-bit states, byte
 * renormalisation, 12-bit probabilities, one table per context, the tables
 * as Elias-gamma coded gaps and frequencies), written here because Debian
 * has no rANS library and zstd's Huffman and FSE coders are not public API.
 * It codes each residual stream without LZ, decodes it (the contexts from the
 * residuals decoded so far, in stream order, alpha-last layout included),
 * checks the bytes and times the decode.  "payload with rANS" estimates a
 * whole payload decode with it in place of zstd for stream 3: measured
 * dir2_decode_payload time - measured zstd decompression of stream 3 +
 * measured rANS decode of it (CPU time of this thread, fastest of -r runs),
 * over the raw pixel bytes; "zstd parse + rANS literals" adds the parse's
 * literal bytes at the rANS coder's rate to the zstd payload decode.
 *
 * Usage: dir-bench-v2-entropy [-v] [-b] [-r N] [-c act:K|best[:act]] [-k N] [-z LEVEL] [-B Q]...
 *                             [-m MINMATCH] [-M N] [-C K] [-P N] [-p PRESET] [key=value ...] < LIST
 *   LIST: lines class<TAB>path (tests/bench/fetch-corpus.sh output)
 *   key=value: dir2_params fields as dir-bench-v2 takes them
 *   -b: also encode with candidate B (a predictor per section) forced, and
 *       keep per image and per model the smaller of the two
 *   -k N: zstd's matches shorter than N bytes become literals (repeat
 *         offsets recomputed)
 *   -z, -m: zstd level and minimum match of the parse (default: the payload's)
 *   -M N: pixel LZ77 minimum match in units (default 4); -C K: contexts of its
 *         main alphabet (1-16, default 8); -P N: N passes, the later ones
 *         cost-based (larger than greedy on this corpus)
 *   -v: one line per image
 * Exit status 1 when an image or a coded stream does not round-trip. */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_generateSequences: zstd's parse, for the estimates */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#ifdef HAVE_BROTLI
#include <brotli/decode.h>
#include <brotli/encode.h>
#endif

#include "bench.h"
#include "v2.h"
#include "v2params.h"

#define PB    12 /* probability bits of the rANS tables */
#define PTOT  (1u << PB)
#define RANS_L (1u << 23)
#define MAXCTX (4 * 9 * 9 * 9) /* contexts: at most ub x 9^3 (signed, adaptive) */

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ---- the payload's layout (docs/FORMAT.md 9.2, 9.3) ---- */

typedef struct layout {
    unsigned transform, alast, ub;
    unsigned method[DIR2_STREAMS];
    uint64_t raw[DIR2_STREAMS], packed[DIR2_STREAMS];
    size_t off[DIR2_STREAMS];
} layout;

static size_t leb(const uint8_t *s, size_t n, uint64_t *v)
{
    uint64_t r = 0;
    for (size_t i = 0; i < n && i < 9; i++) {
        r |= (uint64_t)(s[i] & 0x7f) << (7 * i);
        if (!(s[i] & 0x80)) {
            *v = r;
            return i + 1;
        }
    }
    return 0;
}

static int parse(const uint8_t *in, size_t n, unsigned bpp, layout *l)
{
    size_t pos = 0;
    if (n < 1) return -1;
    l->transform = in[0] & 3;
    l->alast = (in[0] & DIR2_ALPHA_LAST) != 0;
    pos = 1;
    if (l->transform == 2) {
        if (n < 2) return -1;
        pos = 2 + (size_t)(in[1] + 1) * bpp;
    }
    l->ub = l->transform == 2 ? 1 : bpp;
    for (unsigned k = 0; k < DIR2_STREAMS; k++) {
        if (pos >= n) return -1;
        l->method[k] = in[pos++];
        size_t m = leb(in + pos, n - pos, &l->raw[k]);
        if (!m) return -1;
        pos += m;
        l->packed[k] = l->raw[k];
        if (l->method[k] != DIR2_STORED) {
            m = leb(in + pos, n - pos, &l->packed[k]);
            if (!m) return -1;
            pos += m;
        }
    }
    for (unsigned k = 0; k < DIR2_STREAMS; k++) {
        l->off[k] = pos;
        pos += l->packed[k];
    }
    return pos == n ? 0 : -1;
}

/* ---- contexts ---- */

static uint8_t absv[256];       /* |residual as a signed byte| */
static uint8_t bucket[5][1024]; /* [log2 K][activity] */
static const unsigned kvals[5] = {1, 2, 4, 8, 16};

static void tables_init(void)
{
    for (unsigned r = 0; r < 256; r++)
        absv[r] = (uint8_t)(r < 128 ? r : 256 - r);
    static const unsigned up[5][16] = {
        {9999},
        {0, 9999},
        {0, 2, 8, 9999},
        {0, 1, 2, 4, 8, 16, 32, 9999},
        {0, 1, 2, 3, 4, 6, 8, 11, 15, 20, 27, 36, 48, 64, 96, 9999},
    };
    for (unsigned k = 0; k < 5; k++)
        for (unsigned q = 0, b = 0; q < 1024; q++) {
            while (q > up[k][b])
                b++;
            bucket[k][q] = (uint8_t)b;
        }
}

static unsigned klog(unsigned K)
{
    return K == 1 ? 0 : K == 2 ? 1 : K == 4 ? 2 : K == 8 ? 3 : 4;
}

/* The geometry of the residual stream: the padded residual image R
 * ((w + 2) x (h + 1) units, zero outside raw sections), unit j's place in
 * it, and the byte-of-unit <-> stream index mapping of the alpha-last
 * layout. */
typedef struct geo {
    uint32_t w, h;
    unsigned ub, ab; /* unit bytes; alpha bytes at the end of the stream (alpha last) */
    size_t P;        /* residual units */
    size_t rs;       /* bytes per padded row of R */
    uint32_t *at;    /* [P]: unit j's index in R (units) */
    uint8_t *R;
    uint8_t *X;  /* the coded plane (after the transform), padded as R */
    uint8_t *pz; /* [P]: 1 when unit j's section has predictor 0 (the stream holds X) */
} geo;

static size_t sidx(const geo *g, size_t j, unsigned c)
{
    unsigned cb = g->ub - g->ab;
    return c < cb ? j * cb + c : g->P * cb + j * g->ab + (c - cb);
}

/* unit positions from the code stream (decoding order, FORMAT 9.5) */
static size_t geo_units(uint32_t w, uint32_t h, const uint8_t *codes, uint32_t *at)
{
    uint32_t cols = (w + 15) / 16;
    size_t j = 0;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t sx = 0; sx < cols; sx++) {
            if (codes[(size_t)(y / 16) * cols + sx] < DIR2_RAW) continue;
            uint32_t x1 = sx * 16 + 16 < w ? sx * 16 + 16 : w;
            for (uint32_t x = sx * 16; x < x1; x++)
                at[j++] = (y + 1) * (w + 2) + x + 1;
        }
    return j;
}

static inline unsigned activity(const uint8_t *r, size_t rs, unsigned ub, unsigned c, int act)
{
    unsigned a = absv[r[-(ptrdiff_t)ub]] + absv[r[-(ptrdiff_t)rs]];
    if (act == 1) a += (absv[r[-(ptrdiff_t)rs - ub]] + absv[r[-(ptrdiff_t)rs + ub]]) >> 1;
    if (act == 2 && c > 0) a += 2u * absv[r[-1]];
    return a > 1023 ? 1023 : a;
}

static inline unsigned context(const uint8_t *r, size_t rs, unsigned ub, unsigned c, int act,
                               unsigned kl)
{
    unsigned b = bucket[kl][activity(r, rs, ub, c, act)];
    unsigned K = 1u << kl;
    if (act == 3) {
        unsigned pv = c > 0 ? absv[r[-1]] : 0;
        return (c * K + b) * 3 + (pv == 0 ? 0 : pv <= 2 ? 1 : 2);
    }
    return c * K + b;
}

static unsigned nctx(unsigned ub, int act, unsigned K)
{
    return ub * K * (act == 3 ? 3 : 1);
}

/* ---- static tables: quantisation and their cost ---- */

static unsigned gamma_bits(uint32_t v) /* Elias gamma of v >= 1 */
{
    unsigned b = 0;
    while (v >> (b + 1))
        b++;
    return 2 * b + 1;
}

/* Quantises counts c (total n > 0) to frequencies q summing to PTOT, every
 * used symbol at least 1. */
static void quantise(const uint32_t *c, uint64_t n, uint32_t *q)
{
    uint32_t sum = 0;
    unsigned big = 0;
    for (unsigned s = 0; s < 256; s++) {
        q[s] = 0;
        if (!c[s]) continue;
        uint64_t v = ((uint64_t)c[s] * PTOT + n / 2) / n;
        q[s] = v < 1 ? 1 : (uint32_t)v;
        sum += q[s];
        if (c[s] > c[big]) big = s;
    }
    /* fix the sum on the largest (it stays >= 1: the others are near exact) */
    while (sum != PTOT) {
        if (sum > PTOT) {
            /* take from the largest frequencies above 1, largest first */
            unsigned m = big;
            for (unsigned s = 0; s < 256; s++)
                if (q[s] > q[m]) m = s;
            uint32_t d = sum - PTOT < q[m] - 1 ? sum - PTOT : q[m] - 1;
            q[m] -= d;
            sum -= d;
        } else {
            q[big] += PTOT - sum;
            sum = PTOT;
        }
    }
}

/* The table as the coder writes it: 1 bit empty; else 8 bits (symbols - 1);
 * one symbol: 8 bits; else per used symbol, in order, gamma(gap + 1) and,
 * but for the last, gamma(frequency). */
static double table_bits(const uint32_t *q)
{
    unsigned k = 0;
    for (unsigned s = 0; s < 256; s++)
        k += q[s] != 0;
    if (!k) return 1;
    if (k == 1) return 1 + 8 + 8;
    double b = 1 + 8;
    int prev = -1;
    unsigned seen = 0;
    for (unsigned s = 0; s < 256; s++) {
        if (!q[s]) continue;
        b += gamma_bits((uint32_t)(s - prev));
        prev = (int)s;
        if (++seen < k) b += gamma_bits(q[s]);
    }
    return b;
}

static double log2tab[PTOT + 1];

/* Bits of nctx tables of counts: tables plus data. */
static double model_bits(const uint32_t (*cnt)[256], unsigned nc)
{
    double bits = 0;
    uint32_t q[256];
    for (unsigned x = 0; x < nc; x++) {
        uint64_t n = 0;
        for (unsigned s = 0; s < 256; s++)
            n += cnt[x][s];
        if (!n) {
            bits += 1;
            continue;
        }
        quantise(cnt[x], n, q);
        bits += table_bits(q);
        for (unsigned s = 0; s < 256; s++)
            if (cnt[x][s]) bits += (double)cnt[x][s] * (PB - log2tab[q[s]]);
    }
    return bits;
}

static double h0_bits(const uint32_t *c)
{
    uint64_t n = 0;
    for (unsigned s = 0; s < 256; s++)
        n += c[s];
    double b = 0;
    for (unsigned s = 0; s < 256; s++)
        if (c[s]) b -= (double)c[s] * log2((double)c[s] / (double)n);
    return b;
}

/* Counts of the model's contexts over the stream bytes with lit[i] set (all
 * when lit is NULL). */
static void count_model(const geo *g, int act, unsigned kl, const uint8_t *lit,
                        uint32_t (*cnt)[256])
{
    unsigned nc = nctx(g->ub, act, 1u << kl);
    memset(cnt, 0, sizeof *cnt * nc);
    for (size_t j = 0; j < g->P; j++) {
        const uint8_t *r = g->R + (size_t)g->at[j] * g->ub;
        for (unsigned c = 0; c < g->ub; c++) {
            if (lit && !lit[sidx(g, j, c)]) continue;
            cnt[context(r + c, g->rs, g->ub, c, act, kl)][r[c]]++;
        }
    }
}

static inline unsigned med3(unsigned l, unsigned u, unsigned ul)
{
    unsigned mx = l > u ? l : u, mn = l > u ? u : l;
    return ul >= mx ? mn : ul <= mn ? mx : l + u - ul;
}

/* Counts of the "MED literals" model: a byte of a predictor-0 unit is coded
 * as its value minus MED (LOCO-I) of the same byte of the left, up and
 * up-left pixels of the coded plane, in a context of the channel and K
 * buckets of |L - UL| + |U - UL|; the other bytes (already residuals) as
 * act 0.  2 x ub x K contexts. */
static void count_med(const geo *g, unsigned kl, const uint8_t *lit, uint32_t (*cnt)[256])
{
    unsigned K = 1u << kl, ub = g->ub;
    memset(cnt, 0, sizeof *cnt * 2 * ub * K);
    for (size_t j = 0; j < g->P; j++) {
        const uint8_t *r = g->R + (size_t)g->at[j] * ub, *x = g->X + (size_t)g->at[j] * ub;
        for (unsigned c = 0; c < ub; c++) {
            if (lit && !lit[sidx(g, j, c)]) continue;
            if (!g->pz[j]) {
                cnt[context(r + c, g->rs, ub, c, 0, kl)][r[c]]++;
                continue;
            }
            const uint8_t *v = x + c;
            unsigned L = v[-(ptrdiff_t)ub], U = v[-(ptrdiff_t)g->rs],
                     UL = v[-(ptrdiff_t)g->rs - (ptrdiff_t)ub];
            unsigned a = absv[(uint8_t)(L - UL)] + absv[(uint8_t)(U - UL)];
            cnt[ub * K + c * K + bucket[kl][a]][(uint8_t)(v[0] - med3(L, U, UL))]++;
        }
    }
}

/* The symbol image S (padded as R): a raw unit of a section with a
 * predictor keeps its residual; every other pixel (predictor 0, fills,
 * references) gets its plane value minus MED of its plane neighbours.  The
 * decoder knows S of every pixel decoded so far. */
static void build_s(const geo *g, uint8_t *S, const uint8_t *isres)
{
    unsigned ub = g->ub;
    for (uint32_t y = 0; y < g->h; y++)
        for (uint32_t x = 0; x < g->w; x++) {
            size_t q = ((size_t)(y + 1) * (g->w + 2) + x + 1) * ub;
            for (unsigned c = 0; c < ub; c++) {
                const uint8_t *v = g->X + q + c;
                unsigned L = v[-(ptrdiff_t)ub], U = v[-(ptrdiff_t)g->rs],
                         UL = v[-(ptrdiff_t)g->rs - (ptrdiff_t)ub];
                S[q + c] = (uint8_t)(v[0] - med3(L, U, UL));
            }
        }
    for (size_t j = 0; j < g->P; j++)
        if (isres[j]) memcpy(S + (size_t)g->at[j] * ub, g->R + (size_t)g->at[j] * ub, ub);
}

static inline unsigned sq9(uint8_t r) /* a signed residual in 9 levels */
{
    int v = (int8_t)r;
    return v <= -9 ? 0 : v <= -3 ? 1 : v == -2 ? 2 : v == -1 ? 3 : v == 0 ? 4 : v == 1 ? 5 : v == 2 ? 6
                                                                                       : v <= 8 ? 7
                                                                                                : 8;
}

static inline unsigned sq5(uint8_t r) /* in 5 levels */
{
    int v = (int8_t)r;
    return v <= -3 ? 0 : v < 0 ? 1 : v == 0 ? 2 : v <= 2 ? 3 : 4;
}

/* Signed-neighbour models over the stream's symbols (S at the stream's
 * units): the context is the channel and the quantised signed S of the left
 * and up pixels' same byte and of the unit's previous byte (for the first
 * byte: of the left pixel's last byte).  adaptive: 9 levels each, counts
 * updated after each byte (p = (n_s + 1/32) / (n + 8)), no tables: a bound
 * of what an adaptive coder with these contexts gets; else static tables
 * with 5 levels each.  Bits. */
static double signed_model(const geo *g, const uint8_t *S, int adaptive, uint32_t (*cnt)[256],
                           size_t nc_max)
{
    unsigned ub = g->ub, cb = ub - g->ab, lv = adaptive ? 9 : 5;
    size_t nc = (size_t)ub * lv * lv * lv;
    if (nc > nc_max) abort();
    memset(cnt, 0, sizeof *cnt * nc);
    uint32_t *tot = calloc(nc, sizeof *tot);
    if (!tot) abort();
    double bits = 0;
    for (unsigned pass = 0; pass < (g->ab ? 2u : 1u); pass++) {
        unsigned c0 = pass ? cb : 0, c1 = pass ? ub : cb;
        for (size_t j = 0; j < g->P; j++) {
            const uint8_t *r = S + (size_t)g->at[j] * ub;
            for (unsigned c = c0; c < c1; c++) {
                const uint8_t *v = r + c;
                uint8_t L = v[-(ptrdiff_t)ub], U = v[-(ptrdiff_t)g->rs], Pv = v[-1];
                size_t x = adaptive ? ((c * 9 + sq9(L)) * 9 + sq9(U)) * 9 + sq9(Pv)
                                    : ((c * 5 + sq5(L)) * 5 + sq5(U)) * 5 + sq5(Pv);
                unsigned sym = v[0];
                if (adaptive) {
                    bits -= log2(((double)cnt[x][sym] + 1.0 / 32) / ((double)tot[x] + 8.0));
                    cnt[x][sym]++;
                    tot[x]++;
                } else {
                    cnt[x][sym]++;
                }
            }
        }
    }
    free(tot);
    if (!adaptive) bits = model_bits((const uint32_t(*)[256])cnt, (unsigned)nc);
    return bits;
}

static unsigned hibit(uint32_t v)
{
    unsigned b = 0;
    while (v >> (b + 1))
        b++;
    return b;
}

static inline uint64_t key_of(const uint8_t *u, unsigned ub)
{
    uint64_t k = 0;
    memcpy(&k, u, ub);
    return k;
}

/* ---- a pixel-domain LZ77 with a colour cache (WebP's lossless design) ---- */

#define PX_NEAR  31   /* 2-D distance codes: dy 0 (dx 1..4), dy 1..3 (dx -4..4) */
#define PX_LENC  40   /* length codes */
#define PX_MAIN  (256 + PX_LENC + 1024) /* main byte, lengths, cache indices */

static int px_minlen = 4, px_mainkl = 3, px_passes = 1; /* -M, -C (log2), -P */

/* The costs (bits) of the previous pass, for a cost-based parse. */
typedef struct pxcost {
    double main[16][PX_MAIN], dist[PX_NEAR + 32], lit;
} pxcost;

static unsigned px_lencode(size_t len, unsigned *ebits)
{
    if (len < 8) {
        *ebits = 0;
        return (unsigned)len;
    }
    unsigned hb = hibit((uint32_t)len), lc = 8 + 2 * (hb - 3) + (((uint32_t)len >> (hb - 1)) & 1);
    *ebits = hb - 1;
    return lc < PX_LENC ? lc : PX_LENC - 1;
}

static void costs_of(const uint32_t *h, size_t n, double *c)
{
    uint64_t t = 0;
    for (size_t s = 0; s < n; s++)
        t += h[s];
    for (size_t s = 0; s < n; s++)
        c[s] = h[s] ? -log2((double)h[s] / (double)t) : log2((double)t + 2) + 2;
}
static double px_stat[3][6]; /* per class: main, distance, extra, other literal bytes bits; matches, hits */

static double ent_bits(const uint32_t *h, size_t n, double per_used)
{
    uint64_t t = 0;
    for (size_t s = 0; s < n; s++)
        t += h[s];
    double b = 0;
    for (size_t s = 0; s < n; s++)
        if (h[s]) b -= (double)h[s] * log2((double)h[s] / (double)t) - per_used;
    return b;
}


/* An estimate (bits) of the raw units coded as VP8L codes pixels: per unit
 * in decoding order either a literal (its main byte -- green, or the only
 * byte -- in one alphabet with the length codes and the cache indices, the
 * other bytes in per-channel tables with K buckets of |L| + |U|), a hit in a
 * colour cache of 2^cache_bits recent units, or a copy of at least 2 units
 * from the symbol image S at a 2-D distance: one of PX_NEAR near codes, or
 * a log2 code with its extra bits; greedy longest match over the near
 * distances and 16 hash-chain candidates.  Tables: 5 bits per used code,
 * the byte tables as the rANS coder writes them. */
static double px_lz(const geo *g, const uint8_t *S, unsigned cache_bits, uint32_t (*cnt)[256],
                    size_t *nmatch, size_t *nhit, double *stat, const pxcost *pc, pxcost *out)
{
    unsigned ub = g->ub, mainc = ub >= 3 ? 1 : 0;
    long W = (long)g->w + 2;
    size_t npad = (size_t)W * (g->h + 1);
    static uint32_t hm[16][PX_MAIN], hdist[PX_NEAR + 32];
    memset(hm, 0, sizeof hm);
    uint32_t *hmain = hm[0];
    memset(hdist, 0, sizeof hdist);
    long near[PX_NEAR];
    unsigned nn = 0;
    for (long dx = 1; dx <= 4; dx++)
        near[nn++] = dx;
    for (long dy = 1; dy <= 3; dy++)
        for (long dx = -4; dx <= 4; dx++)
            near[nn++] = dy * W + dx;
    enum { HB = 16, CHAIN = 16 };
    int32_t *head = malloc(sizeof *head << HB), *prev = malloc(npad * sizeof *prev);
    uint32_t cache[1024];
    memset(cache, 0, sizeof cache);
    if (!head || !prev) abort();
    memset(head, -1, sizeof *head << HB);
    double extra = 0;
    size_t lits = 0;
    *nmatch = *nhit = 0;
    uint8_t *islit = calloc(g->P + 1, 1);
    if (!islit) abort();
#define KEY(q) key_of(S + (size_t)(q) * ub, ub)
#define INSIDE(q) ((q) % W >= 1 && (q) % W <= (long)g->w && (q) / W >= 1)
    long ins = W; /* raster positions below ins are in the hash chains */
    for (size_t j = 0; j < g->P;) {
        long p = (long)g->at[j];
        /* the main alphabet's context: K buckets of the main byte's |L| + |U| */
        unsigned mctx = bucket[px_mainkl][activity(S + (size_t)p * ub + mainc, g->rs, ub, mainc, 0)];
        hmain = hm[mctx];
        for (; ins + 1 < p; ins++) {
            if (!INSIDE(ins) || !INSIDE(ins + 1)) continue;
            uint32_t h = (uint32_t)((KEY(ins) * 0x9E3779B97F4A7C15ULL ^ KEY(ins + 1)) *
                                    0xff51afd7ed558ccdULL >> (64 - HB));
            prev[ins] = head[h];
            head[h] = (int32_t)ins;
        }
        size_t best = 0;
        long bestd = 0;
        double bestgain = 0;
        /* candidates: the near distances, then the chain of (S[p], S[p+1]) */
        long cand[PX_NEAR + CHAIN];
        unsigned nc = 0;
        for (unsigned k = 0; k < nn; k++)
            cand[nc++] = near[k];
        if (INSIDE(p + 1)) {
            uint32_t h = (uint32_t)((KEY(p) * 0x9E3779B97F4A7C15ULL ^ KEY(p + 1)) *
                                    0xff51afd7ed558ccdULL >> (64 - HB));
            for (int32_t q = head[h]; q >= 0 && nc < PX_NEAR + CHAIN; q = prev[q])
                cand[nc++] = p - q;
        }
        for (unsigned k = 0; k < nc; k++) {
            long d = cand[k];
            size_t len = 0;
            while (j + len < g->P && len < 4096) {
                long q = (long)g->at[j + len] - d;
                if (q < W || !INSIDE(q) ||
                    memcmp(S + (size_t)q * ub, S + (size_t)g->at[j + len] * ub, ub))
                    break;
                len++;
            }
            if (pc && len >= 2) {
                /* the gain over literals, in bits, with the previous pass's costs */
                unsigned eb, lc = px_lencode(len, &eb);
                unsigned dc = k < nn ? k : PX_NEAR + hibit((uint32_t)d);
                double cost = pc->main[mctx][256 + lc] + eb +
                              pc->dist[dc] + (k < nn ? 0 : hibit((uint32_t)d));
                double gain = (double)len * pc->lit - cost;
                if (gain > bestgain) {
                    bestgain = gain;
                    best = len;
                    bestd = d;
                }
            } else if (!pc && len > best) {
                best = len;
                bestd = d;
            }
        }
        if (pc && bestgain <= 0) best = 0;
        if (best >= (size_t)(pc ? 2 : px_minlen)) {
            unsigned lc = best < 8 ? (unsigned)best : 8 + 2 * (hibit((uint32_t)best) - 3) +
                                                          (((uint32_t)best >> (hibit((uint32_t)best) - 1)) & 1);
            if (best >= 8) extra += hibit((uint32_t)best) - 1;
            hmain[256 + (lc < PX_LENC ? lc : PX_LENC - 1)]++;
            unsigned dc = PX_NEAR;
            for (unsigned k = 0; k < nn; k++)
                if (near[k] == bestd) dc = k;
            if (dc == PX_NEAR) {
                dc = PX_NEAR + hibit((uint32_t)bestd);
                extra += hibit((uint32_t)bestd);
            }
            hdist[dc]++;
            (*nmatch)++;
            for (size_t k = 0; k < best; k++) {
                uint32_t key = (uint32_t)KEY(g->at[j + k]);
                if (cache_bits) cache[(0x1e35a7bdu * key) >> (32 - cache_bits)] = key;
            }
            j += best;
            continue;
        }
        uint32_t key = (uint32_t)KEY(p);
        if (cache_bits) {
            unsigned ci = (0x1e35a7bdu * key) >> (32 - cache_bits);
            if (cache[ci] == key && key != 0) {
                hmain[256 + PX_LENC + ci]++;
                (*nhit)++;
                j++;
                continue;
            }
            cache[ci] = key;
        }
        hmain[S[(size_t)p * ub + mainc]]++;
        islit[j] = 1;
        lits++;
        j++;
    }
#undef KEY
#undef INSIDE
    free(head);
    free(prev);
    double mb = 0;
    for (unsigned k = 0; k < (1u << px_mainkl); k++)
        mb += ent_bits(hm[k], PX_MAIN, 5);
    double bits = extra + mb + ent_bits(hdist, PX_NEAR + 32, 5);
    /* the literals' other bytes: per channel, K buckets, the best K */
    double lb = 0;
    if (ub > 1) {
        lb = 1e300;
        for (unsigned kl = 0; kl < 5; kl++) {
            unsigned K = 1u << kl;
            memset(cnt, 0, sizeof *cnt * ub * K);
            for (size_t j = 0; j < g->P; j++) {
                if (!islit[j]) continue;
                const uint8_t *r = S + (size_t)g->at[j] * ub;
                for (unsigned c = 0; c < ub; c++)
                    if (c != mainc) cnt[context(r + c, g->rs, ub, c, 0, kl)][r[c]]++;
            }
            double b = model_bits((const uint32_t(*)[256])cnt, ub * K);
            if (b < lb) lb = b;
        }
    }
    if (out) {
        for (unsigned k = 0; k < 16; k++)
            costs_of(hm[k], PX_MAIN, out->main[k]);
        costs_of(hdist, PX_NEAR + 32, out->dist);
        double litbits = lb;
        for (unsigned k = 0; k < 16; k++)
            for (unsigned s2 = 0; s2 < 256; s2++)
                if (hm[k][s2]) litbits += hm[k][s2] * out->main[k][s2];
        out->lit = lits ? litbits / (double)lits : 8.0 * ub;
    }
    free(islit);
    stat[0] = mb;
    stat[1] = ent_bits(hdist, PX_NEAR + 32, 5);
    stat[2] = extra;
    stat[3] = lb;
    stat[4] = (double)*nmatch;
    stat[5] = (double)*nhit;
    return bits + lb;
}

/* ---- zstd's sequences, estimated as zstd codes them ---- */

/* The stream index i as (unit j, byte c). */
static void unit_of(const geo *g, size_t i, size_t *j, unsigned *c)
{
    unsigned cb = g->ub - g->ab;
    if (i < g->P * cb) {
        *j = i / cb;
        *c = (unsigned)(i % cb);
    } else {
        *j = (i - g->P * cb) / g->ab;
        *c = cb + (unsigned)((i - g->P * cb) % g->ab);
    }
}

/* Bits of zstd's sequences as zstd codes them (order-0 entropy of the
 * literal-length, match-length and offset codes, their extra bits, 5 bits
 * per used code for the tables).  two_d: an offset whose source is the same
 * byte of a pixel at dy 0..7 rows up and dx -8..8 (dy 0: dx >= 1) gets one
 * of 136 codes of its own without extra bits (WebP's 2-D distance codes,
 * mapped through the unit positions) instead of its byte distance.
 * *nseq: the sequences with a match. */
static double seq_bits(const geo *g, const ZSTD_Sequence *sq, size_t ns, int two_d, size_t *nseq)
{
    static uint32_t ll[64], ml[64], of[256];
    memset(ll, 0, sizeof ll);
    memset(ml, 0, sizeof ml);
    memset(of, 0, sizeof of);
    double extra = 0;
    size_t n = 0, at = 0;
    uint32_t rep[3] = {1, 4, 8};
    for (size_t i = 0; i < ns; i++) {
        size_t dst = at + sq[i].litLength;
        at = dst + sq[i].matchLength;
        if (!sq[i].matchLength) continue; /* the literals after the last match */
        n++;
        uint32_t l = sq[i].litLength, m = sq[i].matchLength - 3;
        if (l < 16) {
            ll[l]++;
        } else {
            unsigned hb = hibit(l);
            ll[16 + (hb - 4) * 2 + ((l >> (hb - 1)) & 1)]++;
            extra += hb - 1;
        }
        if (m < 32) {
            ml[m]++;
        } else {
            unsigned hb = hibit(m);
            unsigned code = 32 + (hb - 5) * 2 + ((m >> (hb - 1)) & 1);
            ml[code < 63 ? code : 63]++;
            extra += hb - 1;
        }
        /* the repeat offsets recomputed from the offsets (the three most
         * recent, without zstd's rule for literal length 0), so that the
         * filtered parses below stay consistent */
        uint32_t o = sq[i].offset;
        if (o == rep[0] || o == rep[1] || o == rep[2]) {
            unsigned k = o == rep[0] ? 0 : o == rep[1] ? 1 : 2;
            of[k]++;
            for (; k > 0; k--)
                rep[k] = rep[k - 1];
            rep[0] = o;
            continue;
        }
        rep[2] = rep[1];
        rep[1] = rep[0];
        rep[0] = o;
        if (two_d && sq[i].offset <= dst) {
            size_t jd, js;
            unsigned cd, cs;
            unit_of(g, dst, &jd, &cd);
            unit_of(g, dst - sq[i].offset, &js, &cs);
            long wd = (long)g->w + 2;
            long dy = (long)(g->at[jd] / wd) - (long)(g->at[js] / wd);
            long dx = (long)(g->at[jd] % wd) - (long)(g->at[js] % wd);
            if (cd == cs && dy >= 0 && dy <= 7 && dx >= -8 && dx <= 8 && (dy > 0 || dx >= 1)) {
                of[100 + dy * 17 + (dx + 8)]++;
                continue;
            }
        }
        unsigned hb = hibit(sq[i].offset);
        of[3 + hb < 63 ? 3 + hb : 63]++;
        extra += hb;
    }
    *nseq = n;
    double b = extra;
    uint32_t *t[3] = {ll, ml, of};
    unsigned tn[3] = {64, 64, 256};
    for (unsigned k = 0; k < 3; k++) {
        double h = 0;
        unsigned used = 0;
        for (unsigned s = 0; s < tn[k]; s++)
            if (t[k][s]) {
                h -= (double)t[k][s] * log2((double)t[k][s] / (double)n);
                used++;
            }
        b += h + 5.0 * used;
    }
    return b;
}

/* ---- the rANS coder ---- */

typedef struct bitw {
    uint8_t *d;
    size_t n, cap;
    uint64_t acc;
    unsigned nb;
} bitw;

static void bw_put(bitw *w, uint32_t v, unsigned n)
{
    for (unsigned i = n; i-- > 0;) {
        w->acc = w->acc << 1 | ((v >> i) & 1);
        if (++w->nb == 8) {
            if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 4096;
                w->d = realloc(w->d, w->cap);
                if (!w->d) abort();
            }
            w->d[w->n++] = (uint8_t)w->acc;
            w->nb = 0;
            w->acc = 0;
        }
    }
}

static void bw_gamma(bitw *w, uint32_t v)
{
    unsigned b = hibit(v);
    bw_put(w, 0, b);
    bw_put(w, v, b + 1);
}

typedef struct bitr {
    const uint8_t *d;
    size_t n, pos; /* pos in bits */
} bitr;

static int br_get(bitr *r, unsigned n, uint32_t *v)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < n; i++) {
        if (r->pos >= r->n * 8) return -1;
        x = x << 1 | ((r->d[r->pos >> 3] >> (7 - (r->pos & 7))) & 1);
        r->pos++;
    }
    *v = x;
    return 0;
}

static int br_gamma(bitr *r, uint32_t *v)
{
    unsigned b = 0;
    uint32_t bit;
    for (;;) {
        if (br_get(r, 1, &bit)) return -1;
        if (bit) break;
        if (++b > 24) return -1;
    }
    uint32_t rest = 0;
    if (b && br_get(r, b, &rest)) return -1;
    *v = (1u << b) | rest;
    return 0;
}

static void write_table(bitw *w, const uint32_t *q)
{
    unsigned k = 0, last = 0;
    for (unsigned s = 0; s < 256; s++)
        if (q[s]) {
            k++;
            last = s;
        }
    if (!k) {
        bw_put(w, 1, 1);
        return;
    }
    bw_put(w, 0, 1);
    bw_put(w, k - 1, 8);
    if (k == 1) {
        bw_put(w, last, 8);
        return;
    }
    int prev = -1;
    unsigned seen = 0;
    for (unsigned s = 0; s < 256; s++) {
        if (!q[s]) continue;
        bw_gamma(w, (uint32_t)(s - prev));
        prev = (int)s;
        if (++seen < k) bw_gamma(w, q[s]);
    }
}

typedef struct dtab {
    uint16_t freq[256], start[256];
    uint8_t sym[PTOT];
} dtab;

static int read_table(bitr *r, dtab *t)
{
    uint32_t v, k;
    if (br_get(r, 1, &v)) return -1;
    memset(t->freq, 0, sizeof t->freq);
    if (v) return 0; /* empty: never used */
    if (br_get(r, 8, &k)) return -1;
    k++;
    if (k == 1) {
        if (br_get(r, 8, &v)) return -1;
        t->freq[v] = PTOT;
    } else {
        int prev = -1;
        uint32_t sum = 0;
        unsigned last = 0;
        for (unsigned i = 0; i < k; i++) {
            uint32_t gap;
            if (br_gamma(r, &gap) || prev + (int)gap > 255) return -1;
            prev += (int)gap;
            last = (unsigned)prev;
            if (i + 1 < k) {
                if (br_gamma(r, &v) || v >= PTOT || sum + v >= PTOT) return -1;
                t->freq[prev] = (uint16_t)v;
                sum += v;
            }
        }
        t->freq[last] = (uint16_t)(PTOT - sum);
    }
    uint32_t at = 0;
    for (unsigned s = 0; s < 256; s++) {
        t->start[s] = (uint16_t)at;
        if (t->freq[s]) memset(t->sym + at, (int)s, t->freq[s]);
        at += t->freq[s];
    }
    return 0;
}

/* Encodes the residual stream of g with model (act, kl): the tables, then
 * the rANS bytes (final state first).  Returns the malloc()ed bytes. */
static uint8_t *rans_encode(const geo *g, const uint8_t *stream, int act, unsigned kl,
                            size_t *size)
{
    unsigned nc = nctx(g->ub, act, 1u << kl);
    uint32_t (*cnt)[256] = calloc(nc, sizeof *cnt);
    uint32_t (*q)[256] = calloc(nc, sizeof *q);
    uint32_t (*st)[256] = calloc(nc, sizeof *st);
    size_t n = g->P * g->ub;
    uint16_t *ctx = malloc(n * sizeof *ctx);
    if (!cnt || !q || !st || !ctx) abort();
    for (size_t j = 0; j < g->P; j++) {
        const uint8_t *r = g->R + (size_t)g->at[j] * g->ub;
        for (unsigned c = 0; c < g->ub; c++) {
            unsigned x = context(r + c, g->rs, g->ub, c, act, kl);
            ctx[sidx(g, j, c)] = (uint16_t)x;
            cnt[x][r[c]]++;
        }
    }
    bitw w = {0};
    for (unsigned x = 0; x < nc; x++) {
        uint64_t t = 0;
        for (unsigned s = 0; s < 256; s++)
            t += cnt[x][s];
        if (t) quantise(cnt[x], t, q[x]);
        write_table(&w, q[x]);
        for (unsigned s = 0, a = 0; s < 256; s++) {
            st[x][s] = a;
            a += q[x][s];
        }
    }
    if (w.nb) bw_put(&w, 0, 8 - w.nb);
    size_t cap = n + n / 4 + 64;
    uint8_t *buf = malloc(cap), *p = buf + cap;
    if (!buf) abort();
    /* two interleaved states: byte i uses state i & 1 */
    uint32_t xs[2] = {RANS_L, RANS_L};
    for (size_t i = n; i-- > 0;) {
        unsigned cx = ctx[i], s = stream[i];
        uint32_t f = q[cx][s], x = xs[i & 1];
        uint32_t xmax = ((RANS_L >> PB) << 8) * f;
        while (x >= xmax) {
            *--p = (uint8_t)x;
            x >>= 8;
        }
        xs[i & 1] = ((x / f) << PB) + (x % f) + st[cx][s];
    }
    for (int k = 1; k >= 0; k--) {
        p -= 4;
        p[0] = (uint8_t)xs[k];
        p[1] = (uint8_t)(xs[k] >> 8);
        p[2] = (uint8_t)(xs[k] >> 16);
        p[3] = (uint8_t)(xs[k] >> 24);
    }
    size_t data = (size_t)(buf + cap - p);
    uint8_t *out = malloc(4 + w.n + data);
    if (!out) abort();
    out[0] = (uint8_t)w.n;
    out[1] = (uint8_t)(w.n >> 8);
    out[2] = (uint8_t)(w.n >> 16);
    out[3] = (uint8_t)(w.n >> 24);
    memcpy(out + 4, w.d, w.n);
    memcpy(out + 4 + w.n, p, data);
    *size = 4 + w.n + data;
    free(w.d);
    free(buf);
    free(ctx);
    free(cnt);
    free(q);
    free(st);
    return out;
}

/* Decodes it: the unit positions from the codes, the tables, then every
 * byte in stream order with its context from the residuals decoded so far
 * (R, zeroed here); writes the stream bytes into out.  0 or -1. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline int rans_decode_act(geo *g, const uint8_t *codes, const uint8_t *in, size_t n,
                                  const int act, unsigned kl, dtab *tabs, uint8_t *out)
{
    size_t P = geo_units(g->w, g->h, codes, g->at);
    if (P != g->P) return -1;
    memset(g->R, 0, g->rs * (g->h + 1));
    unsigned nc = nctx(g->ub, act, 1u << kl);
    if (n < 4) return -1;
    size_t tn = (size_t)in[0] | (size_t)in[1] << 8 | (size_t)in[2] << 16 | (size_t)in[3] << 24;
    if (tn > n - 4) return -1;
    bitr br = {in + 4, tn, 0};
    for (unsigned x = 0; x < nc; x++)
        if (read_table(&br, &tabs[x])) return -1;
    const uint8_t *p = in + 4 + tn, *end = in + n;
    if (end - p < 8) return -1;
    uint32_t xs[2];
    for (int k = 0; k < 2; k++, p += 4)
        xs[k] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    size_t i = 0;
    unsigned ub = g->ub, cb = ub - g->ab;
    size_t rs = g->rs;
    /* the non-alpha bytes of every unit, then the alpha bytes (one pass
     * when there are none) */
    for (unsigned pass = 0; pass < (g->ab ? 2u : 1u); pass++) {
        unsigned c0 = pass ? cb : 0, c1 = pass ? ub : cb;
        for (size_t j = 0; j < P; j++) {
            uint8_t *r = g->R + (size_t)g->at[j] * ub;
            for (unsigned c = c0; c < c1; c++) {
                const dtab *t = &tabs[context(r + c, rs, ub, c, act, kl)];
                uint32_t *xp = &xs[i++ & 1], x = *xp;
                uint32_t slot = x & (PTOT - 1);
                unsigned s = t->sym[slot];
                if (!t->freq[s]) return -1;
                x = t->freq[s] * (x >> PB) + slot - t->start[s];
                while (x < RANS_L) {
                    if (p == end) return -1;
                    x = x << 8 | *p++;
                }
                *xp = x;
                r[c] = (uint8_t)s;
                *out++ = (uint8_t)s;
            }
        }
    }
    return 0;
}

/* rans_decode_act with the activity as a constant (one loop per act) */
static int rans_decode(geo *g, const uint8_t *codes, const uint8_t *in, size_t n, int act,
                       unsigned kl, dtab *tabs, uint8_t *out)
{
    switch (act) {
    case 0: return rans_decode_act(g, codes, in, n, 0, kl, tabs, out);
    case 1: return rans_decode_act(g, codes, in, n, 1, kl, tabs, out);
    case 2: return rans_decode_act(g, codes, in, n, 2, kl, tabs, out);
    default: return rans_decode_act(g, codes, in, n, 3, kl, tabs, out);
    }
}

/* ---- the driver ---- */

/* The estimates of one image, in bytes. */
enum { E_ZSTD, E_H0, E_ORD0, E_CHAN, E_MOD0 }; /* E_MOD0 + act * 5 + log2 K */
#define NACT  4
#define E_BEST (E_MOD0 + NACT * 5)
#define E_LZ   (E_BEST + NACT)
#define E_LZ3  (E_LZ + 1)
#define E_LZ2D (E_LZ3 + 1)
#define E_LZMED (E_LZ2D + 1)
#define E_MED  (E_LZMED + 1)
#define E_SGN5 (E_MED + 1)
#define E_SGN9A (E_SGN5 + 1)
#define E_PXLZ (E_SGN9A + 1)
#define E_LZH0 (E_PXLZ + 1)
#define NEST   (E_LZH0 + 1)

typedef struct result {
    double est[NEST]; /* residual stream bytes under each model */
    double other;     /* the payload's bytes but for the residual stream (zstd) */
    double total_zstd;
    double pxst[6]; /* the pixel LZ77's breakdown (px_stat) */
    double nseq, seqbits2; /* the parse: matches, their bits with 2-D distance codes */
    double lits, seqbits, litbits3, nbytes; /* the parse: literal bytes, sequence bits, literal bits (act 3) */
    int best_kl[NACT];
} result;

/* One row of the result: the payload bytes per class (icon, screen,
 * sprite) and their ratios to WebP's. */
static void print_row(const char *name, double icon, double screen, double sprite,
                      const double *webp)
{
    const double v[3] = {icon, screen, sprite};
    printf("%-38s", name);
    for (int i = 0; i < 3; i++)
        printf(" %10.0f", v[i]);
    for (int i = 0; i < 3; i++)
        printf(" %6.3f", v[i] / webp[i]);
    printf("\n");
}

static int parse_level, parse_mm, keep_min; /* -z, -m, -k */

static int measure(const bench_image *img, const dir2_params *p, result *res, uint8_t **zpay,
                   size_t *zsize, uint8_t **stored, size_t *ssize, layout *zl, layout *sl,
                   geo *g)
{
    dir_pixels px = {img->pixels, img->width, img->height, img->channels, 8, 0};
    dir_diag diag;
    dir2_params ps = *p;
    ps.method = DIR2_STORED;
    if (dir2_encode_payload_params(&px, p, zpay, zsize, NULL, &diag) != DIR_OK ||
        dir2_encode_payload_params(&px, &ps, stored, ssize, NULL, &diag) != DIR_OK) {
        fprintf(stderr, "dir-bench-v2-entropy: %s: encode: %s\n", img->path, diag.message);
        return -1;
    }
    unsigned bpp = img->channels;
    if (parse(*zpay, *zsize, bpp, zl) || parse(*stored, *ssize, bpp, sl)) {
        fprintf(stderr, "dir-bench-v2-entropy: %s: cannot parse the payload\n", img->path);
        return -1;
    }
    for (unsigned k = 0; k < DIR2_STREAMS; k++)
        if (zl->raw[k] != sl->raw[k] || zl->transform != sl->transform) {
            fprintf(stderr, "dir-bench-v2-entropy: %s: stored and zstd streams differ\n",
                    img->path);
            return -1;
        }
    const uint8_t *codes = *stored + sl->off[0], *stream = *stored + sl->off[3];
    g->w = img->width;
    g->h = img->height;
    g->ub = sl->ub;
    g->ab = sl->alast ? 1 : 0;
    g->rs = (size_t)(g->w + 2) * g->ub;
    g->at = malloc(((size_t)g->w * g->h + 1) * sizeof *g->at);
    g->R = calloc(g->rs, g->h + 1);
    if (!g->at || !g->R) abort();
    g->P = geo_units(g->w, g->h, codes, g->at);
    if (g->P * g->ub != sl->raw[3]) {
        fprintf(stderr, "dir-bench-v2-entropy: %s: %zu residual units for %llu bytes\n",
                img->path, g->P, (unsigned long long)sl->raw[3]);
        return -1;
    }
    for (size_t j = 0; j < g->P; j++)
        for (unsigned c = 0; c < g->ub; c++)
            g->R[(size_t)g->at[j] * g->ub + c] = stream[sidx(g, j, c)];
    /* the coded plane: the pixels after the payload's transform */
    g->X = calloc(g->rs, g->h + 1);
    g->pz = malloc(g->P + 1);
    if (!g->X || !g->pz) abort();
    {
        const uint8_t *pal = *stored + 2;
        unsigned ncol = sl->transform == 2 ? (unsigned)(*stored)[1] + 1 : 0;
        uint32_t hk[4096];
        int hv[4096];
        memset(hv, -1, sizeof hv);
        for (unsigned i = 0; i < ncol; i++) {
            uint32_t k = 0;
            memcpy(&k, pal + (size_t)i * bpp, bpp);
            unsigned h = (k * 2654435761u) >> 20;
            while (hv[h] >= 0)
                h = (h + 1) & 4095;
            hk[h] = k;
            hv[h] = (int)i;
        }
        for (uint32_t y = 0; y < g->h; y++)
            for (uint32_t x = 0; x < g->w; x++) {
                const uint8_t *px8 = img->pixels + ((size_t)y * g->w + x) * bpp;
                uint8_t *d = g->X + ((size_t)(y + 1) * (g->w + 2) + x + 1) * g->ub;
                if (sl->transform == 2) {
                    uint32_t k = 0;
                    memcpy(&k, px8, bpp);
                    unsigned h = (k * 2654435761u) >> 20;
                    while (hv[h] >= 0 && hk[h] != k)
                        h = (h + 1) & 4095;
                    d[0] = (uint8_t)(hv[h] < 0 ? 0 : hv[h]);
                } else {
                    memcpy(d, px8, bpp);
                    if (sl->transform == 1) {
                        d[0] = (uint8_t)(d[0] - d[1]);
                        d[2] = (uint8_t)(d[2] - d[1]);
                    }
                }
            }
        uint32_t cols = (g->w + 15) / 16;
        size_t j = 0;
        for (uint32_t y = 0; y < g->h; y++)
            for (uint32_t sx = 0; sx < cols; sx++) {
                uint8_t code = codes[(size_t)(y / 16) * cols + sx];
                if (code < DIR2_RAW) continue;
                uint32_t x1 = sx * 16 + 16 < g->w ? sx * 16 + 16 : g->w;
                for (uint32_t x = sx * 16; x < x1; x++)
                    g->pz[j++] = code == DIR2_RAW;
            }
        /* a check: predictor-0 units hold the plane */
        for (j = 0; j < g->P; j++)
            if (g->pz[j] && memcmp(g->X + (size_t)g->at[j] * g->ub,
                                   g->R + (size_t)g->at[j] * g->ub, g->ub)) {
                fprintf(stderr, "dir-bench-v2-entropy: %s: the plane differs from the stream\n",
                        img->path);
                return -1;
            }
    }
    res->total_zstd = (double)*zsize;
    res->other = (double)(*zsize - zl->packed[3]);
    res->est[E_ZSTD] = (double)zl->packed[3];
    size_t n = g->P * g->ub;
    static uint32_t (*cnt)[256];
    if (!cnt) cnt = malloc(sizeof *cnt * MAXCTX);
    if (!cnt) abort();
    /* order 0, one table; per channel */
    memset(cnt, 0, sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[0][stream[i]]++;
    res->est[E_H0] = h0_bits(cnt[0]) / 8;
    res->est[E_ORD0] = model_bits((const uint32_t(*)[256])cnt, 1) / 8;
    for (int act = 0; act < NACT; act++) {
        double best = 1e300;
        for (unsigned kl = 0; kl < 5; kl++) {
            count_model(g, act, kl, NULL, cnt);
            double b = model_bits((const uint32_t(*)[256])cnt, nctx(g->ub, act, kvals[kl])) / 8;
            res->est[E_MOD0 + act * 5 + kl] = b;
            if (act == 0 && kl == 0) res->est[E_CHAN] = b;
            if (b < best) {
                best = b;
                res->best_kl[act] = (int)kl;
            }
        }
        res->est[E_BEST + act] = best + 1;
    }
    {
        double best = 1e300;
        for (unsigned kl = 0; kl < 5; kl++) {
            count_med(g, kl, NULL, cnt);
            double b = model_bits((const uint32_t(*)[256])cnt, 2 * g->ub * kvals[kl]) / 8;
            if (b < best) best = b;
        }
        res->est[E_MED] = best + 1;
        /* signed contexts on S: residual units keep their residuals when
         * the section has a predictor, the others become MED residuals */
        uint8_t *S = calloc(g->rs, g->h + 1), *isres = malloc(g->P + 1);
        if (!S || !isres) abort();
        for (size_t j = 0; j < g->P; j++)
            isres[j] = !g->pz[j];
        build_s(g, S, isres);
        res->est[E_SGN5] = signed_model(g, S, 0, cnt, MAXCTX) / 8;
        res->est[E_SGN9A] = signed_model(g, S, 1, cnt, MAXCTX) / 8;
        double pbest = 1e300, st[6], bst[6] = {0};
        for (unsigned cbits = 0; cbits <= 10; cbits += 2) {
            if (cbits == 2 || cbits == 4) continue;
            size_t nm, nh;
            static pxcost pcs[2];
            double b = px_lz(g, S, cbits, cnt, &nm, &nh, st, NULL, &pcs[0]) / 8;
            for (int pass = 1; pass < px_passes; pass++) {
                double b2 = px_lz(g, S, cbits, cnt, &nm, &nh, st, &pcs[(pass - 1) & 1],
                                  &pcs[pass & 1]) / 8;
                if (b2 < b) b = b2;
            }
            if (b < pbest) {
                pbest = b;
                memcpy(bst, st, sizeof st);
            }
        }
        for (int k = 0; k < 6; k++)
            res->pxst[k] = k < 4 ? bst[k] / 8 : bst[k];
        res->est[E_PXLZ] = pbest + 1;
        free(S);
        free(isres);
    }
    /* zstd's parse: the literals under the contexts (the best act 0 K) */
    res->est[E_LZ] = res->est[E_LZ3] = res->est[E_LZ2D] = res->est[E_LZH0] = res->est[E_ZSTD];
    res->nseq = res->seqbits2 = 0;
    res->est[E_LZMED] = res->est[E_ZSTD];
    res->lits = res->seqbits = res->litbits3 = res->nbytes = 0;
    if (n >= 16) {
        ZSTD_CCtx *zc = ZSTD_createCCtx();
        int level = parse_level ? parse_level : p->level;
        if (sl->transform == 2 && p->pal_level_boost > 0)
            level = level + p->pal_level_boost > 22 ? 22 : level + p->pal_level_boost;
        ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, level);
        int mm = parse_mm ? parse_mm : p->zminmatch ? p->zminmatch
                 : level >= 5 && level <= 15 ? (g->ub >= 2 ? 6 : 4)
                                             : 0;
        if (mm > 0) ZSTD_CCtx_setParameter(zc, ZSTD_c_minMatch, mm);
        size_t cap = ZSTD_sequenceBound(n);
        ZSTD_Sequence *sq = malloc(cap * sizeof *sq);
        uint8_t *lit = malloc(n);
        if (!sq || !lit || !zc) abort();
        size_t ns = ZSTD_generateSequences(zc, sq, cap, stream, n);
        if (ZSTD_isError(ns)) {
            fprintf(stderr, "dir-bench-v2-entropy: %s: ZSTD_generateSequences: %s\n", img->path,
                    ZSTD_getErrorName(ns));
            return -1;
        }
        if (keep_min > 0) {
            /* matches shorter than keep_min bytes become literals */
            size_t o = 0, carry = 0;
            for (size_t i = 0; i < ns; i++) {
                if (sq[i].matchLength && sq[i].matchLength < (unsigned)keep_min) {
                    carry += sq[i].litLength + sq[i].matchLength;
                    continue;
                }
                sq[o] = sq[i];
                sq[o].litLength += (unsigned)carry;
                carry = 0;
                o++;
            }
            if (carry) {
                memset(&sq[o], 0, sizeof sq[o]);
                sq[o++].litLength = (unsigned)carry;
            }
            ns = o;
        }
        size_t at = 0;
        for (size_t i = 0; i < ns && at <= n; i++) {
            size_t l = sq[i].litLength, m = sq[i].matchLength;
            if (at + l + m > n) break;
            memset(lit + at, 1, l);
            memset(lit + at + l, 0, m);
            at += l + m;
        }
        /* zstd 1.5.4 sometimes leaves out a block's last literals (a few
         * dozen bytes at levels 12 and 19 on 3 images): literals */
        if (n - at > 256) {
            fprintf(stderr, "dir-bench-v2-entropy: %s: the sequences cover %zu of %zu bytes\n",
                    img->path, at, n);
            return -1;
        }
        memset(lit + at, 1, n - at);
        size_t nseq;
        double sb = seq_bits(g, sq, ns, 0, &nseq);
        double sb2 = seq_bits(g, sq, ns, 1, &nseq);
        res->nseq = (double)nseq;
        res->seqbits2 = sb2;
        double lbest = 1e300, lbest3 = 1e300;
        for (unsigned kl = 0; kl < 5; kl++) {
            count_model(g, 0, kl, lit, cnt);
            double b = model_bits((const uint32_t(*)[256])cnt, nctx(g->ub, 0, kvals[kl]));
            if (b < lbest) lbest = b;
            count_model(g, 3, kl, lit, cnt);
            b = model_bits((const uint32_t(*)[256])cnt, nctx(g->ub, 3, kvals[kl]));
            if (b < lbest3) lbest3 = b;
        }
        res->est[E_LZ3] = (lbest3 + sb) / 8 + 1;
        res->est[E_LZ2D] = (lbest3 + sb2) / 8 + 1;
        double lmed = 1e300;
        for (unsigned kl = 0; kl < 5; kl++) {
            count_med(g, kl, lit, cnt);
            double b = model_bits((const uint32_t(*)[256])cnt, 2 * g->ub * kvals[kl]);
            if (b < lmed) lmed = b;
        }
        res->est[E_LZMED] = (lmed + sb2) / 8 + 1;
        res->seqbits = sb;
        res->litbits3 = lbest3;
        res->nbytes = (double)n;
        res->lits = 0;
        for (size_t i = 0; i < n; i++)
            res->lits += lit[i];
        memset(cnt, 0, sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            if (lit[i]) cnt[0][stream[i]]++;
        res->est[E_LZ] = (lbest + sb) / 8 + 1;
        res->est[E_LZH0] = (h0_bits(cnt[0]) + 8 * 100 + sb) / 8; /* ~100 bytes: a Huffman table */
        free(sq);
        free(lit);
        ZSTD_freeCCtx(zc);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const cls[3] = {"icon", "screen", "sprite"};
    /* WebP lossless -z 9 per class, docs/benchmarks.md's run of 2026-12-01 */
    static const double webp[3] = {265450, 1076654, 2662964};
    tables_init();
    for (unsigned i = 1; i <= PTOT; i++)
        log2tab[i] = log2((double)i);
    dir2_params p;
    dir2_params_from_options(NULL, &p);
    int verbose = 0, reps = 1, both = 0, coder_act = -1, coder_kl = -1;
    int brq[4], nbrq = 0; /* -B: brotli qualities */
    double br_bytes[4][3] = {{0}}, br_tenc[4][3] = {{0}}, br_tdec[4][3] = {{0}};
    double br_tz[3] = {0}, br_sbytes[3] = {0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v")) {
            verbose = 1;
        } else if (!strcmp(argv[i], "-B") && i + 1 < argc) {
#ifdef HAVE_BROTLI
            int q = atoi(argv[++i]);
            if (nbrq == 4 || q < 0 || q > 11) {
                fprintf(stderr, "dir-bench-v2-entropy: -B 0..11, at most 4 times\n");
                return 2;
            }
            brq[nbrq++] = q;
#else
            fprintf(stderr, "dir-bench-v2-entropy: -B: built without libbrotli\n");
            return 2;
#endif
        } else if (!strcmp(argv[i], "-b")) {
            both = 1;
        } else if (!strcmp(argv[i], "-z") && i + 1 < argc) {
            parse_level = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-M") && i + 1 < argc) {
            px_minlen = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-P") && i + 1 < argc) {
            px_passes = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-C") && i + 1 < argc) {
            px_mainkl = (int)klog((unsigned)atoi(argv[++i]));
        } else if (!strcmp(argv[i], "-k") && i + 1 < argc) {
            keep_min = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-m") && i + 1 < argc) {
            parse_mm = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            reps = atoi(argv[++i]);
            if (reps < 1) reps = 1;
        } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            unsigned a, K;
            i++;
            if (!strncmp(argv[i], "best", 4) && (argv[i][4] == 0 || argv[i][4] == ':')) {
                coder_act = argv[i][4] ? atoi(argv[i] + 5) : 0;
                coder_kl = 5;
            } else if (sscanf(argv[i], "%u:%u", &a, &K) == 2 && a < NACT &&
                       (K == 1 || K == 2 || K == 4 || K == 8 || K == 16)) {
                coder_act = (int)a;
                coder_kl = (int)klog(K);
            } else {
                fprintf(stderr, "dir-bench-v2-entropy: -c act:K (act 0-3, K 1-16) or best[:act]\n");
                return 2;
            }
            if (coder_act < 0 || coder_act >= NACT) return 2;
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
            dir_encode_options opt;
            dir_encode_options_default(&opt);
            if (dir_encode_options_preset(&opt, argv[++i], NULL) != DIR_OK) {
                fprintf(stderr, "dir-bench-v2-entropy: unknown preset '%s'\n", argv[i]);
                return 2;
            }
            dir2_params_from_options(&opt, &p);
        } else if (v2_set_param(&p, argv[i]) != 0) {
            fprintf(stderr, "dir-bench-v2-entropy: bad parameter '%s'\n", argv[i]);
            return 2;
        }
    }
    p.workers = 0;
    double tot[3][NEST], raw[3] = {0}, lz[3][6];
    memset(lz, 0, sizeof lz);
    double coded[3] = {0}, sbytes[3] = {0}, t_full[3] = {0}, t_zres[3] = {0}, t_rans[3] = {0};
    memset(tot, 0, sizeof tot);
    dtab *tabs = malloc(sizeof *tabs * MAXCTX);
    if (!tabs) abort();
    char c[BENCH_CLASS_MAX], path[BENCH_PATH_MAX];
    bench_image img;
    int more;
    while ((more = bench_list_next(stdin, c, path, &img, "dir-bench-v2-entropy")) > 0) {
        int ci = !strcmp(c, "icon") ? 0 : !strcmp(c, "screen") ? 1 : 2;
        result r[2];
        uint8_t *zpay[2] = {NULL, NULL}, *spay[2] = {NULL, NULL};
        size_t zsize[2], ssize[2];
        layout zl[2], sl[2];
        geo g[2];
        memset(g, 0, sizeof g);
        int runs = both ? 2 : 1;
        for (int k = 0; k < runs; k++) {
            dir2_params q = p;
            if (k == 1) q.b_bias = -100000; /* candidate B whatever the estimate says */
            if (measure(&img, &q, &r[k], &zpay[k], &zsize[k], &spay[k], &ssize[k], &zl[k],
                        &sl[k], &g[k]))
                return 1;
        }
        /* per model, the smaller of the runs; the coder uses the run whose
         * best-K act-0 estimate is smaller */
        int pick = runs == 2 && r[1].other + r[1].est[E_BEST] < r[0].other + r[0].est[E_BEST];
        for (unsigned m = 0; m < NEST; m++) {
            double a = r[0].other + r[0].est[m];
            if (runs == 2 && r[1].other + r[1].est[m] < a) a = r[1].other + r[1].est[m];
            tot[ci][m] += a;
        }
        raw[ci] += (double)img.size;
        lz[ci][0] += r[pick].nbytes;
        lz[ci][1] += r[pick].lits;
        lz[ci][2] += r[pick].litbits3 / 8;
        lz[ci][3] += r[pick].seqbits / 8;
        lz[ci][4] += r[pick].nseq;
        for (int k = 0; k < 6; k++)
            px_stat[ci][k] += r[pick].pxst[k];
        lz[ci][5] += r[pick].seqbits2 / 8;
#ifdef HAVE_BROTLI
        if (nbrq > 0) {
            const uint8_t *stream = spay[pick] + sl[pick].off[3];
            size_t n = (size_t)sl[pick].raw[3];
            uint8_t *back = malloc(n + 1);
            if (!back) abort();
            double tz = 1e30;
            if (zl[pick].method[3] == DIR2_ZSTD)
                for (int k = 0; k < reps; k++) {
                    double t0 = cpu_s();
                    size_t got = ZSTD_decompress(back, n, zpay[pick] + zl[pick].off[3],
                                                 zl[pick].packed[3]);
                    double t1 = cpu_s();
                    if (ZSTD_isError(got) || got != n || memcmp(back, stream, n)) {
                        fprintf(stderr, "dir-bench-v2-entropy: %s: zstd stream 3\n", path);
                        return 1;
                    }
                    if (t1 - t0 < tz) tz = t1 - t0;
                }
            else
                tz = 0; /* stored: nothing to decode */
            br_tz[ci] += tz;
            br_sbytes[ci] += (double)n;
            for (int b = 0; b < nbrq; b++) {
                size_t cap = BrotliEncoderMaxCompressedSize(n) + 16, bn = 0;
                uint8_t *enc = malloc(cap);
                if (!enc) abort();
                double te = 1e30, td = 1e30;
                for (int k = 0; k < reps; k++) {
                    BrotliEncoderState *st = BrotliEncoderCreateInstance(NULL, NULL, NULL);
                    if (!st) abort();
                    BrotliEncoderSetParameter(st, BROTLI_PARAM_QUALITY, (uint32_t)brq[b]);
                    BrotliEncoderSetParameter(st, BROTLI_PARAM_LGWIN, 24);
                    BrotliEncoderSetParameter(st, BROTLI_PARAM_SIZE_HINT, (uint32_t)n);
                    size_t ain = n, aout = cap;
                    const uint8_t *nin = stream;
                    uint8_t *nout = enc;
                    double t0 = cpu_s();
                    int ok = BrotliEncoderCompressStream(st, BROTLI_OPERATION_FINISH, &ain, &nin,
                                                         &aout, &nout, NULL) &&
                             BrotliEncoderIsFinished(st);
                    double t1 = cpu_s();
                    BrotliEncoderDestroyInstance(st);
                    if (!ok) {
                        fprintf(stderr, "dir-bench-v2-entropy: %s: brotli failed\n", path);
                        return 1;
                    }
                    bn = cap - aout;
                    size_t dn = n;
                    double t2 = cpu_s();
                    int dok = BrotliDecoderDecompress(bn, enc, &dn, back) ==
                              BROTLI_DECODER_RESULT_SUCCESS;
                    double t3 = cpu_s();
                    if (!dok || dn != n || memcmp(back, stream, n)) {
                        fprintf(stderr, "dir-bench-v2-entropy: %s: brotli does not decode\n",
                                path);
                        return 1;
                    }
                    if (t1 - t0 < te) te = t1 - t0;
                    if (t3 - t2 < td) td = t3 - t2;
                }
                br_bytes[b][ci] += r[pick].other + (double)bn;
                br_tenc[b][ci] += te;
                br_tdec[b][ci] += td;
                free(enc);
            }
            free(back);
        }
#endif
        if (coder_act >= 0) {
            geo *gg = &g[pick];
            const uint8_t *stream = spay[pick] + sl[pick].off[3];
            const uint8_t *codes = spay[pick] + sl[pick].off[0];
            unsigned kl = coder_kl == 5 ? (unsigned)r[pick].best_kl[coder_act] : (unsigned)coder_kl;
            size_t n = gg->P * gg->ub, csize = 0;
            uint8_t *enc = rans_encode(gg, stream, coder_act, kl, &csize);
            uint8_t *dec = malloc(n + 1), *back = malloc(img.size), *zres = malloc(n + 1);
            if (!dec || !back || !zres) abort();
            double tf = 1e30, tz = 1e30, tr = 1e30;
            dir_diag diag;
            ZSTD_DCtx *dc = ZSTD_createDCtx();
            for (int k = 0; k < reps; k++) {
                double t0 = cpu_s();
                if (rans_decode(gg, codes, enc, csize, coder_act, kl, tabs, dec) ||
                    memcmp(dec, stream, n) != 0) {
                    fprintf(stderr, "dir-bench-v2-entropy: %s: the rANS stream does not decode\n",
                            path);
                    return 1;
                }
                double t1 = cpu_s();
                if (zl[pick].method[3] == DIR2_ZSTD) {
                    size_t got = ZSTD_decompressDCtx(dc, zres, n, zpay[pick] + zl[pick].off[3],
                                                     zl[pick].packed[3]);
                    if (ZSTD_isError(got) || got != n || memcmp(zres, stream, n)) {
                        fprintf(stderr, "dir-bench-v2-entropy: %s: zstd stream 3\n", path);
                        return 1;
                    }
                }
                double t2 = cpu_s();
                if (dir2_decode_payload(zpay[pick], zsize[pick], img.width, img.height,
                                        img.channels, 8, NULL, back, img.size,
                                        &diag) != DIR_OK ||
                    memcmp(back, img.pixels, img.size) != 0) {
                    fprintf(stderr, "dir-bench-v2-entropy: %s: payload does not round-trip\n",
                            path);
                    return 1;
                }
                double t3 = cpu_s();
                if (t1 - t0 < tr) tr = t1 - t0;
                if (t2 - t1 < tz) tz = t2 - t1;
                if (t3 - t2 < tf) tf = t3 - t2;
            }
            ZSTD_freeDCtx(dc);
            coded[ci] += r[pick].other + (double)csize;
            sbytes[ci] += (double)n;
            t_full[ci] += tf;
            t_zres[ci] += tz;
            t_rans[ci] += tr;
            if (verbose)
                printf("coder\t%s\t%zu\t%.0f\t%s\n", c, csize, r[pick].est[E_MOD0 + coder_act * 5 + kl],
                       path);
            free(enc);
            free(dec);
            free(back);
            free(zres);
        }
        if (verbose)
            printf("%s\t%ux%ux%u\tzstd %.0f\tH0 %.0f\tchan %.0f\tctx %.0f (K %u)\tLZ+ctx %.0f\t%s\n",
                   c, img.width, img.height, img.channels, r[0].est[E_ZSTD], r[0].est[E_H0],
                   r[0].est[E_CHAN], r[0].est[E_BEST], kvals[r[0].best_kl[0]], r[0].est[E_LZ],
                   path);
        for (int k = 0; k < runs; k++) {
            free(zpay[k]);
            free(spay[k]);
            free(g[k].at);
            free(g[k].R);
            free(g[k].X);
            free(g[k].pz);
        }
        free(img.file);
        free(img.pixels);
    }
    if (more < 0) return 1;
    printf("payload bytes per class (icon / screen / sprite) and x WebP -z 9 "
           "(265,450 / 1,076,654 / 2,662,964), stream 3 under each model%s\n",
           both ? ", per image the smaller of the estimate's choice and candidate B" : "");
    const char *names[NEST];
    static char nbuf[NEST][48];
    names[E_ZSTD] = "zstd (measured)";
    names[E_H0] = "order 0, one table, ideal (no table)";
    names[E_ORD0] = "order 0, one table";
    names[E_CHAN] = "order 0 per channel (act0 K1)";
    for (int a = 0; a < NACT; a++) {
        for (unsigned kl = 0; kl < 5; kl++) {
            snprintf(nbuf[E_MOD0 + a * 5 + kl], sizeof nbuf[0], "act%d K%u", a, kvals[kl]);
            names[E_MOD0 + a * 5 + kl] = nbuf[E_MOD0 + a * 5 + kl];
        }
        snprintf(nbuf[E_BEST + a], sizeof nbuf[0], "act%d best K per image", a);
        names[E_BEST + a] = nbuf[E_BEST + a];
    }
    names[E_LZ] = "zstd parse, literals act0 best K";
    names[E_LZ3] = "zstd parse, literals act3 best K";
    names[E_LZ2D] = "the same, 2-D distance codes";
    names[E_LZMED] = "the same, MED on predictor-0 literals";
    names[E_MED] = "no LZ: MED on predictor-0 units, best K";
    names[E_SGN5] = "no LZ: signed L, U, prev byte (5^3), static";
    names[E_SGN9A] = "no LZ: signed (9^3), adaptive (a bound)";
    names[E_PXLZ] = "pixel LZ77 + colour cache (VP8L-like)";
    names[E_LZH0] = "zstd parse, literals order 0 (check)";
    for (unsigned m = 0; m < NEST; m++) {
        print_row(names[m], tot[0][m], tot[1][m], tot[2][m], webp);
    }
    for (int i = 0; i < 3; i++)
        printf("%-6s zstd parse: stream 3 %.0f bytes, %.0f literals (%.1f%%), literals act3 %.0f "
               "bytes, %.0f sequences %.0f bytes (2-D distances: %.0f)\n",
               cls[i], lz[i][0], lz[i][1], 100 * lz[i][1] / lz[i][0], lz[i][2], lz[i][4], lz[i][3],
               lz[i][5]);
    for (int i = 0; i < 3; i++)
        printf("%-6s pixel LZ77: main alphabet %.0f bytes, distances %.0f, extra bits %.0f, other "
               "literal bytes %.0f; %.0f matches, %.0f cache hits\n",
               cls[i], px_stat[i][0], px_stat[i][1], px_stat[i][2], px_stat[i][3], px_stat[i][4],
               px_stat[i][5]);
    for (int b = 0; b < nbrq; b++) {
        char nm[48];
        snprintf(nm, sizeof nm, "brotli q%d, 16 MiB window (measured)", brq[b]);
        print_row(nm, br_bytes[b][0], br_bytes[b][1], br_bytes[b][2], webp);
        for (int i = 0; i < 3; i++)
            printf("%-6s brotli q%d: stream 3 encode %6.1f MB/s, decode %6.1f MB/s of its bytes "
                   "(zstd's decode of it: %6.1f MB/s)\n",
                   cls[i], brq[b], br_sbytes[i] / br_tenc[b][i] / 1e6,
                   br_sbytes[i] / br_tdec[b][i] / 1e6,
                   br_tz[i] > 0 ? br_sbytes[i] / br_tz[i] / 1e6 : 0.0);
    }
    if (coder_act >= 0) {
        print_row("rANS coder (real bytes)", coded[0], coded[1], coded[2], webp);
        for (int i = 0; i < 3; i++)
            printf("%-6s decode: payload with zstd %6.1f MB/s; stream 3 zstd %6.1f MB/s of its "
                   "bytes, rANS %6.1f MB/s; payload with rANS (estimate) %6.1f MB/s\n",
                   cls[i], raw[i] / t_full[i] / 1e6, sbytes[i] / t_zres[i] / 1e6,
                   sbytes[i] / t_rans[i] / 1e6, raw[i] / (t_full[i] - t_zres[i] + t_rans[i]) / 1e6);
        /* the hybrid: zstd's decode as it is plus the parse's literals at
         * the rANS coder's measured rate (an estimate, not a decoder) */
        for (int i = 0; i < 3; i++)
            printf("%-6s decode, zstd parse + rANS literals (estimate: payload with zstd + %.0f "
                   "literal bytes at the rANS rate): %6.1f MB/s\n",
                   cls[i], lz[i][1],
                   raw[i] / (t_full[i] + lz[i][1] * t_rans[i] / sbytes[i]) / 1e6);
    }
    free(tabs);
    return 0;
}
