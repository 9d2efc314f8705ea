/* SPDX-License-Identifier: MIT */
/*
 * array.c -- numeric arrays in pixel bytes (IMGArrays convention): value
 * strings, classic and self-describing streams, normalisation, heatmaps.
 * docs/FORMAT.md, "Numeric arrays", is the specification.
 *
 * Exactness: every number is turned into decimal text and converted once,
 * correctly rounded (fast_float), never assembled with lossy double
 * arithmetic; shortest digits come from numconv.cpp (exact integer arithmetic on their
 * definition, libdouble-conversion for the rest: V8's digits).  The classic encoder
 * reproduces the reference (V8) digits bit for bit, including its rounding of digit strings past
 * 2^53, and checks that each value reads back as the same double.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dir.h"
#include "numconv.h"

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* Nibble 15 is the delimiter `f`; 0..14 are base-15 digits. */
#define DELIM 15u

/* Self-describing header fields (see docs/FORMAT.md). */
#define HDR_MAGIC0      0xFFu
#define HDR_MAGIC1      0x44u /* 'D' */
#define HDR_MAGIC2      0x52u /* 'R' */
#define HDR_MAGIC3      0x41u /* 'A' */
#define HDR_CRC_OFFSET  40    /* version 1 */
#define HDR2_CRC_OFFSET 44    /* version 2: after the table size */

#define FLAG_CAPACITY_MASK 0x03u
#define FLAG_LDZ           0x04u
#define FLAG_ALPHA         0x08u
#define FLAG_NORMALISED    0x10u
#define FLAG_RESERVED      0xE0u

/* An escape: an empty value string followed by a string of exactly this many
 * base-15 digits holding the IEEE-754 bits (15^17 > 2^64). */
#define ESCAPE_DIGITS 17
/* Length of an escape after its first `f`: the second `f` plus the digits. */
#define ESCAPE_LEN (1 + ESCAPE_DIGITS)

/* Limits of the sign/count character(s). */
#define CAP1_NEG_MAX 8   /* 0..7 */
#define CAP1_POS_MAX 7   /* 8..e */
#define CAP2_NEG_MAX 112 /* 0..111 */
#define CAP2_POS_MAX 113 /* 112..224 */

/* Two to the 53rd: integers past it are not all representable. */
#define TWO53 9007199254740992.0

/* Room for base-15 digits of any double integer (2^1024 has 263). */
#define MAX_B15 280

static dir_error afail(dir_diag *diag, dir_error err, uint64_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static dir_error afail(dir_diag *diag, dir_error err, uint64_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dir_vfail(diag, err, offset, (uint64_t)-1, fmt, ap);
    va_end(ap);
    return err;
}

/* ------------------------------------------------------------------------ */
/* Shortest round-trip decimal digits                                        */

/* Shortest digits (1..17, no trailing zeros) with d1.d2d3... x 10^e10 == a
 * (a > 0, finite) after a correctly rounded conversion back: V8's algorithm,
 * through numconv.cpp. */
static int shortest_digits(double a, char *digits, int *e10)
{
    return dir_num_shortest(a, digits, e10);
}

size_t dira_shortest(double value, char *buf)
{
    if (isnan(value)) return (size_t)sprintf(buf, "NaN");
    if (isinf(value)) return (size_t)sprintf(buf, value < 0 ? "-Infinity" : "Infinity");
    size_t n = 0;
    if (signbit(value)) buf[n++] = '-';
    double a = fabs(value);
    if (a == 0) {
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    char d[17];
    int e;
    int k = shortest_digits(a, d, &e);
    int pt = e + 1; /* position of the decimal point after digit pt */
    /* Same layout as ECMAScript Number::toString: positional for
     * 1e-7 < |v| < 1e21, exponential otherwise. */
    if (k <= pt && pt <= 21) {
        memcpy(buf + n, d, (size_t)k);
        n += (size_t)k;
        for (int i = k; i < pt; i++)
            buf[n++] = '0';
    } else if (0 < pt && pt <= 21) {
        memcpy(buf + n, d, (size_t)pt);
        n += (size_t)pt;
        buf[n++] = '.';
        memcpy(buf + n, d + pt, (size_t)(k - pt));
        n += (size_t)(k - pt);
    } else if (-6 < pt && pt <= 0) {
        buf[n++] = '0';
        buf[n++] = '.';
        for (int i = 0; i < -pt; i++)
            buf[n++] = '0';
        memcpy(buf + n, d, (size_t)k);
        n += (size_t)k;
    } else {
        buf[n++] = d[0];
        if (k > 1) {
            buf[n++] = '.';
            memcpy(buf + n, d + 1, (size_t)(k - 1));
            n += (size_t)(k - 1);
        }
        n += (size_t)sprintf(buf + n, "e%c%d", pt - 1 < 0 ? '-' : '+', abs(pt - 1));
    }
    buf[n] = '\0';
    return n;
}

/* ------------------------------------------------------------------------ */
/* Base 15                                                                   */

/* 15^k for k <= 16. */
static const uint64_t p15[17] = {1ull,
                                 15ull,
                                 225ull,
                                 3375ull,
                                 50625ull,
                                 759375ull,
                                 11390625ull,
                                 170859375ull,
                                 2562890625ull,
                                 38443359375ull,
                                 576650390625ull,
                                 8649755859375ull,
                                 129746337890625ull,
                                 1946195068359375ull,
                                 29192926025390625ull,
                                 437893890380859375ull,
                                 6568408355712890625ull};

/* Base-15 digit count of x (1 for 0): from the bit length b, as x in
 * [2^(b-1), 2^b) has floor((b-1) log15 2) + 1 digits or one more. */
static int b15_len(uint64_t x)
{
    int b = 64 - __builtin_clzll(x | 1);
    int n = (((b - 1) * 16774) >> 16) + 1; /* 16774 / 2^16 < log15 2; checked for every b */
    return n < 17 ? n + (x >= p15[n]) : 17;
}

/* The base-15 digit pairs of 0..224. */
/* clang-format off */
#define P15(a)                                                                                     \
    {a, 0}, {a, 1}, {a, 2}, {a, 3}, {a, 4}, {a, 5}, {a, 6}, {a, 7}, {a, 8}, {a, 9}, {a, 10},       \
        {a, 11}, {a, 12}, {a, 13}, {a, 14}
static const uint8_t b15_pairs[225][2] = {
    P15(0),
    P15(1),
    P15(2),
    P15(3),
    P15(4),
    P15(5),
    P15(6),
    P15(7),
    P15(8),
    P15(9),
    P15(10),
    P15(11),
    P15(12),
    P15(13),
    P15(14)};
#undef P15
/* clang-format on */

/* The n base-15 digits of x < 15^n < 2^32, a pair per step from the end. */
static inline void b15_u32(uint32_t x, int n, uint8_t *out)
{
    while (n >= 2) {
        uint32_t q = x / 225u;
        n -= 2;
        memcpy(out + n, b15_pairs[x - q * 225u], 2);
        x = q;
    }
    if (n) out[0] = (uint8_t)x;
}

/* The 8 base-15 digits of x < 15^8: two independent halves of four. */
static inline void b15_8(uint32_t x, uint8_t *out)
{
    uint32_t h = x / 50625u, l = x - h * 50625u; /* 15^4 */
    uint32_t h1 = h / 225u, l1 = l / 225u;
    memcpy(out, b15_pairs[h1], 2);
    memcpy(out + 2, b15_pairs[h - h1 * 225u], 2);
    memcpy(out + 4, b15_pairs[l1], 2);
    memcpy(out + 6, b15_pairs[l - l1 * 225u], 2);
}

/* The n = b15_len(x) base-15 digits of x, most significant first. */
static inline void b15_write(uint64_t x, int n, uint8_t *out)
{
    if (n <= 8) {
        b15_u32((uint32_t)x, n, out);
        return;
    }
    /* the low 8 digits and the rest */
    uint64_t hi = x / 2562890625u; /* 15^8 */
    b15_8((uint32_t)(x - hi * 2562890625u), out + n - 8);
    if (n <= 16) {
        b15_u32((uint32_t)hi, n - 8, out);
    } else { /* x >= 15^16: hi has 9 digits */
        out[0] = (uint8_t)(hi / 2562890625u);
        b15_8((uint32_t)(hi % 2562890625u), out + 1);
    }
}

/* Base-15 digits of x, most significant first; "0" for 0. Returns count. */
static int u64_b15(uint64_t x, uint8_t *out)
{
    int n = b15_len(x);
    b15_write(x, n, out);
    return n;
}

/* Exact base-15 digits of an integer-valued double a >= 2^64. */
static int big_b15(double a, uint8_t *out)
{
    uint32_t limb[36];
    int e;
    double m = frexp(a, &e); /* a = m * 2^e, m in [0.5, 1) */
    uint64_t mant = (uint64_t)ldexp(m, 53);
    int shift = e - 53; /* >= 11 for a >= 2^64 */
    memset(limb, 0, sizeof limb);
    int ws = shift / 32, bs = shift % 32;
    /* mant << bs spans at most three limbs */
    uint64_t lo = mant << bs;
    uint64_t hi = bs ? mant >> (64 - bs) : 0;
    limb[ws] = (uint32_t)lo;
    limb[ws + 1] = (uint32_t)(lo >> 32);
    limb[ws + 2] = (uint32_t)hi;
    int nl = ws + 3;
    uint8_t tmp[MAX_B15];
    int n = 0;
    for (;;) {
        while (nl > 0 && limb[nl - 1] == 0)
            nl--;
        if (nl == 0) break;
        uint64_t rem = 0;
        for (int i = nl - 1; i >= 0; i--) {
            uint64_t cur = (rem << 32) | limb[i];
            limb[i] = (uint32_t)(cur / 15);
            rem = cur % 15;
        }
        tmp[n++] = (uint8_t)rem;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Base-15 digits of the integer-valued double x >= 0, exactly as V8's
 * Number.prototype.toString(15) writes them (DoubleToRadixCString): digits
 * past 2^53 come from rounded double arithmetic. */
static int v8_b15(double x, uint8_t *out)
{
    if (x / 15.0 < TWO53) {
        /* The common case (every fraction part, < 10^17): no leading
         * divisions.  Below 2^53 the double arithmetic is exact, so the
         * digits are the exact ones.  Above, only the first step rounds:
         * rem = x mod 15 is exact, y = (x - rem) / 15 is rounded twice
         * (done here with the same two double operations) and need not be
         * whole; the next fmod(y, 15) is floor(y) mod 15 plus y's fraction,
         * truncated to its whole part, and from then on every step is
         * exact: the digits after the first are those of floor(y). */
        uint64_t whole = (uint64_t)x;
        if (x < TWO53) return u64_b15(whole, out);
        unsigned r1 = (unsigned)(whole % 15u);
        double y = (x - (double)r1) / 15.0;
        int n = u64_b15((uint64_t)y, out);
        out[n++] = (uint8_t)r1;
        return n;
    }
    uint8_t tmp[MAX_B15 + 8];
    int n = 0;
    double integer = x;
    while (integer / 15.0 >= TWO53 && n < MAX_B15) {
        integer /= 15.0;
        tmp[n++] = 0;
    }
    do {
        /* fmod(integer, 15) is exact; when integer is a whole number below
         * 2^64 the integer remainder is the same number, and much faster
         * (after a rounded division it need not be whole: then fmod) */
        double rem;
        if (integer < 18446744073709551616.0 && (double)(uint64_t)integer == integer)
            rem = (double)((uint64_t)integer % 15u);
        else
            rem = fmod(integer, 15.0);
        tmp[n++] = (uint8_t)(int)rem;
        integer = (integer - rem) / 15.0;
    } while (integer > 0 && n < MAX_B15);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Decimal digits of v (no NUL); returns their count (at most 20). */
static int u64_dec(uint64_t v, char *out)
{
    char tmp[24];
    int k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < k; i++)
        out[i] = tmp[k - 1 - i];
    return k;
}

/* Writes the decimal digits of a base-15 digit string (no sign), returns
 * their count.  out needs 1.2 * n + 10 bytes. */
static int b15_to_dec(const uint8_t *d, size_t n, char *out)
{
    while (n > 1 && d[0] == 0) {
        d++;
        n--;
    }
    if (n <= 16) { /* 15^16 < 2^64 */
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 15 + d[i];
        return u64_dec(v, out);
    }
    /* limbs of 10^9, least significant first */
    uint32_t limb[(DIRA_MAX_TOKEN * 12 / 10) / 9 + 4];
    int nl = 1;
    limb[0] = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t carry = d[i];
        for (int j = 0; j < nl; j++) {
            uint64_t t = (uint64_t)limb[j] * 15 + carry;
            limb[j] = (uint32_t)(t % 1000000000u);
            carry = t / 1000000000u;
        }
        if (carry) limb[nl++] = (uint32_t)carry;
    }
    int k = sprintf(out, "%u", limb[nl - 1]);
    for (int j = nl - 2; j >= 0; j--)
        k += sprintf(out + k, "%09u", limb[j]);
    return k;
}

/* ------------------------------------------------------------------------ */
/* Value strings                                                             */

/* Decimal digit count of v, 1 for 0. */
static int dec_len(uint64_t v)
{
    int k = dir_dec_digits(v);
    return k < 1 ? 1 : k;
}

/* A finite double split the way the convention writes it. */
typedef struct parts {
    int neg;       /* sign bit */
    int isint;     /* integer valued (zero included) */
    double a;      /* |v| */
    uint64_t ip;   /* integer part (non-integers, or integers < 2^64) */
    int nz;        /* non-integers: zeros right after the decimal point */
    uint64_t frac; /* non-integers: the fraction digits after them */
} parts;

static void split_value(double v, parts *p)
{
    p->neg = signbit(v) != 0;
    p->a = fabs(v);
    p->nz = 0;
    p->frac = 0;
    p->ip = 0;
    /* every double from 2^52 on is an integer; below, the truncation tells */
    if (p->a >= 4503599627370496.0 || (double)(int64_t)p->a == p->a) {
        p->isint = 1;
        if (p->a < 18446744073709551616.0) p->ip = (uint64_t)p->a;
        return;
    }
    p->isint = 0;
    /* a = w x 10^-F with F fraction digits (F >= 1: not an integer) */
    uint64_t w;
    int e;
    int k = dir_num_shortest_u64(p->a, &w, &e);
    int F = k - 1 - e;
    uint64_t f = w;
    p->ip = 0;
    if (F < k) { /* an integer part: |v| >= 1, F <= 16 */
        p->ip = w / dir_pow10[F];
        f = w % dir_pow10[F];
    }
    /* f > 0 has dec_len(f) digits: the rest of the F are leading zeros */
    p->nz = F - dec_len(f);
    p->frac = f;
}

/* Why a configuration cannot hold a value. */
enum why { WHY_OK = 0, WHY_SIGN, WHY_NEGZERO, WHY_BIG, WHY_LDZ, WHY_NOLDZ };

/* Builds the value string after its `f` (nibbles 0..14) for one
 * configuration.  reference = 1 writes the reference encoder's digits (V8
 * rounding past 2^53, zero written with the negative sign), 0 exact digits
 * with the sign of zero kept.  Returns the length, or -1 with *why set. */
/* The base-15 digits of a value's integer part (left) and fraction digits
 * (right), as the reference writes them (reference = 1: V8's rounding past
 * 2^53) or exactly (0).  rval: the number the right digits denote, when
 * the reference rounded them (rounded = 1). */
typedef struct digs {
    uint8_t left[MAX_B15];
    int nl;
    uint8_t right[32];
    int nr;
    int rounded;
    uint64_t rval;
} digs;

static void make_digits(const parts *p, int reference, digs *d)
{
    d->nr = 0;
    d->rounded = 0;
    if (p->isint) {
        if (p->a < TWO53 || !reference) {
            if (p->a < 18446744073709551616.0)
                d->nl = u64_b15(p->ip, d->left);
            else
                d->nl = big_b15(p->a, d->left);
        } else {
            d->nl = v8_b15(p->a, d->left);
        }
    } else {
        d->nl = u64_b15(p->ip, d->left);
        if (p->frac >= (uint64_t)1 << 53 && reference) {
            d->nr = v8_b15((double)p->frac, d->right);
            d->rounded = 1;
            uint64_t r = 0; /* at most 15 digits: frac < 10^17 < 15^15 */
            for (int i = 0; i < d->nr; i++)
                r = r * 15 + d->right[i];
            d->rval = r;
        } else {
            d->nr = u64_b15(p->frac, d->right);
        }
    }
}

/* Length of the value string for one configuration, or -1 with *why. */
static int token_len_n(const parts *p, int nl, int nr, int cap, int ldz, int reference,
                       enum why *why)
{
    int neg;
    if (reference) {
        if (p->neg && p->a == 0) {
            *why = WHY_NEGZERO;
            return -1;
        }
        neg = p->neg || p->a == 0; /* the reference writes 0 as negative */
    } else {
        neg = p->neg;
    }
    int n = cap;
    if (cap == 0) {
        if (p->neg) {
            *why = WHY_SIGN;
            return -1;
        }
        if (p->a >= 1) {
            *why = WHY_BIG;
            return -1;
        }
    } else if (nl > (cap == 1 ? (neg ? CAP1_NEG_MAX : CAP1_POS_MAX)
                              : (neg ? CAP2_NEG_MAX : CAP2_POS_MAX))) {
        *why = WHY_BIG;
        return -1;
    }
    if (ldz) {
        if (p->nz > DIRA_MAX_LDZ) {
            *why = WHY_LDZ;
            return -1;
        }
        n++;
    } else if (p->nz > 0) {
        *why = WHY_NOLDZ;
        return -1;
    }
    /* capacity 0 writes no integer part, except the reference's "0" for the
     * integer zero */
    if (cap != 0 || p->isint) n += nl;
    *why = WHY_OK;
    return n + nr;
}

static int token_len(const parts *p, const digs *d, int cap, int ldz, int reference, enum why *why)
{
    return token_len_n(p, d->nl, d->nr, cap, ldz, reference, why);
}

/* The value string lengths of all six configurations (c: capacity c / 2,
 * ldeczeroes c % 2), -1 where token_len_n fails, as it computes them. */
static inline void conf_lengths(const parts *p, int nl, int nr, int reference, int len[6])
{
    if (reference && p->neg && p->a == 0) { /* negative zero */
        for (int c = 0; c < 6; c++)
            len[c] = -1;
        return;
    }
    const int neg = reference ? (p->neg || p->a == 0) : p->neg;
    const int z0 = p->nz > 0, z1 = p->nz > DIRA_MAX_LDZ;
    const int c0 = p->neg || p->a >= 1, c1 = nl > (neg ? CAP1_NEG_MAX : CAP1_POS_MAX),
              c2 = nl > (neg ? CAP2_NEG_MAX : CAP2_POS_MAX);
    const int b0 = (p->isint ? nl : 0) + nr, b1 = 1 + nl + nr;
    len[0] = c0 | z0 ? -1 : b0;
    len[1] = c0 | z1 ? -1 : b0 + 1;
    len[2] = c1 | z0 ? -1 : b1;
    len[3] = c1 | z1 ? -1 : b1 + 1;
    len[4] = c2 | z0 ? -1 : b1 + 1;
    len[5] = c2 | z1 ? -1 : b1 + 2;
}

/* Writes the value string (after its `f`) of one configuration; returns
 * its length or -1 with *why. */
static int assemble_token(const parts *p, const digs *d, int cap, int ldz, int reference,
                          uint8_t *t, enum why *why)
{
    int len = token_len(p, d, cap, ldz, reference, why);
    if (len < 0) return -1;
    int neg = reference ? (p->neg || p->a == 0) : p->neg;
    int nl = d->nl, n = 0;
    if (cap == 1) {
        t[n++] = (uint8_t)(neg ? nl - 1 : nl + 7);
    } else if (cap == 2) {
        int c = neg ? nl - 1 : nl + 111;
        t[n++] = (uint8_t)(c / 15);
        t[n++] = (uint8_t)(c % 15);
    }
    if (ldz) t[n++] = (uint8_t)p->nz;
    if (cap != 0 || p->isint) {
        memcpy(t + n, d->left, (size_t)nl);
        n += nl;
    }
    memcpy(t + n, d->right, (size_t)d->nr);
    return n + d->nr;
}

/* Builds the value string after its `f` (nibbles 0..14) for one
 * configuration.  reference = 1 writes the reference encoder's digits (V8
 * rounding past 2^53, zero written with the negative sign), 0 exact digits
 * with the sign of zero kept.  Returns the length, or -1 with *why set. */
static int build_token(const parts *p, int cap, int ldz, int reference, uint8_t *t, enum why *why)
{
    digs d;
    make_digits(p, reference, &d);
    return assemble_token(p, &d, cap, ldz, reference, t, why);
}

/* The number "L.(nz zeros)R" -- integer part L, then nz zeros and the
 * decimal digits of R after the point (no fraction when has_r is 0) --
 * correctly rounded, when it fits one 64-bit decimal significand: returns 1
 * and *out, else 0 (the caller takes the text path). */
static inline int fast_decimal(uint64_t l, int has_r, size_t nz, uint64_t r, double *out)
{
    /* 10^k for k <= 22: exact doubles */
    static const double pow10_dbl[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                         1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (!has_r) {
        *out = l <= ((uint64_t)1 << 53) ? (double)l : dir_num_from_decimal(l, 0);
        return 1;
    }
    size_t e = nz + (size_t)dec_len(r);
    if (e > 19) return l == 0 && e < 300 ? (*out = dir_num_from_decimal(r, -(int)e), 1) : 0;
    uint64_t w;
    if (__builtin_mul_overflow(l, dir_pow10[e], &w) || __builtin_add_overflow(w, r, &w)) return 0;
    /* Clinger's fast path (as dir_num_from_decimal): w and 10^e exact, one
     * correctly rounded division */
    if (w <= ((uint64_t)1 << 53))
        *out = (double)w / pow10_dbl[e];
    else
        *out = dir_num_from_decimal(w, -(int)e);
    return 1;
}

/* Reads a value string after its `f`: t[0..len) are nibbles 0..14.
 * classic: a zero reads as +0 whatever its sign character.  Returns DIR_OK
 * or DIR_ESYNTAX with a reason in *msg. */
static dir_error parse_token_full(const uint8_t *t, size_t len, int cap, int ldz, int classic,
                                  double *out, const char **msg)
{
    size_t pos = 0;
    int neg = 0;
    size_t cnt = 0;
    if (len > DIRA_MAX_TOKEN) {
        *msg = "value string longer than DIRA_MAX_TOKEN digits";
        return DIR_ESYNTAX;
    }
    if (len == 0) {
        *msg = "empty value string";
        return DIR_ESYNTAX;
    }
    if (cap == 1) {
        neg = t[0] < 8;
        cnt = neg ? (size_t)t[0] + 1 : (size_t)t[0] - 7;
        pos = 1;
    } else if (cap == 2) {
        if (len < 2) {
            *msg = "value string ends inside its sign/count characters";
            return DIR_ESYNTAX;
        }
        unsigned c = (unsigned)t[0] * 15 + t[1];
        neg = c < 112;
        cnt = neg ? (size_t)c + 1 : (size_t)c - 111;
        pos = 2;
    }
    size_t nz = 0;
    if (ldz) {
        if (pos >= len) {
            *msg = "value string ends before its leading-zeros character";
            return DIR_ESYNTAX;
        }
        nz = t[pos++];
    }
    const uint8_t *left = t + pos;
    size_t nl = 0;
    if (cap != 0) {
        if (len - pos < cnt) {
            *msg = "value string ends inside its integer part";
            return DIR_ESYNTAX;
        }
        nl = cnt;
        pos += cnt;
    } else if (pos >= len) {
        *msg = "capacity-0 value string has no digits";
        return DIR_ESYNTAX;
    }
    const uint8_t *right = t + pos;
    size_t nr = len - pos;
    double v;
    if (nl <= 16 && nr <= 16) { /* 15^16 < 2^64 */
        uint64_t l = 0, r = 0;
        for (size_t i = 0; i < nl; i++)
            l = l * 15 + left[i];
        for (size_t i = 0; i < nr; i++)
            r = r * 15 + right[i];
        if (fast_decimal(l, nr != 0, nz, r, &v)) goto have_value;
    }
    /* decimal text: left digits, nz zeros, right digits, "e-K" */
    char text[DIRA_MAX_TOKEN * 3 + 64];
    size_t k = 0;
    if (nl)
        k += (size_t)b15_to_dec(left, nl, text + k);
    else
        text[k++] = '0';
    if (nr) {
        for (size_t i = 0; i < nz; i++)
            text[k++] = '0';
        int rd = b15_to_dec(right, nr, text + k);
        k += (size_t)rd;
        text[k++] = 'e';
        text[k++] = '-';
        k += (size_t)u64_dec(nz + (size_t)rd, text + k);
    }
    if (dir_num_parse(text, k, &v) != 0) {
        *msg = "value string too large for a double";
        return DIR_ESYNTAX;
    }
have_value:
    if (!isfinite(v)) {
        *msg = "value string too large for a double";
        return DIR_ESYNTAX;
    }
    if (classic && v == 0)
        *out = 0.0;
    else
        *out = neg ? -v : v;
    return DIR_OK;
}

/* The number of the n <= 16 base-15 digits d, four per step. */
static inline uint64_t b15_value(const uint8_t *d, size_t n)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        v = v * 50625u + (d[i] * 3375u + d[i + 1] * 225u + d[i + 2] * 15u + d[i + 3]);
    for (; i < n; i++)
        v = v * 15u + d[i];
    return v;
}

/* parse_token: the common case here (at most 16 base-15 digits on each
 * side of the point, a 64-bit decimal significand), anything else through
 * parse_token_full, which also names every error. */
static ALWAYS_INLINE dir_error parse_token(const uint8_t *t, size_t len, int cap, int ldz,
                                           int classic, double *out, const char **msg)
{
    size_t pos = 0, cnt = 0;
    int neg = 0;
    if (len == 0 || len > DIRA_MAX_TOKEN) goto full;
    if (cap == 1) {
        neg = t[0] < 8;
        cnt = neg ? (size_t)t[0] + 1 : (size_t)t[0] - 7;
        pos = 1;
    } else if (cap == 2) {
        if (len < 2) goto full;
        unsigned c = (unsigned)t[0] * 15 + t[1];
        neg = c < 112;
        cnt = neg ? (size_t)c + 1 : (size_t)c - 111;
        pos = 2;
    }
    size_t nz = 0;
    if (ldz) {
        if (pos >= len) goto full;
        nz = t[pos++];
    }
    if (cap == 0 ? pos >= len : len - pos < cnt) goto full;
    {
        const size_t nl = cap ? cnt : 0, nr = len - pos - nl;
        if (nl > 16 || nr > 16) goto full;
        uint64_t l = b15_value(t + pos, nl), r = b15_value(t + pos + nl, nr);
        double v;
        if (!fast_decimal(l, nr != 0, nz, r, &v) || !isfinite(v)) goto full;
        *out = classic && v == 0 ? 0.0 : neg ? -v : v;
        return DIR_OK;
    }
full:
    return parse_token_full(t, len, cap, ldz, classic, out, msg);
}

static const char *why_text(enum why w, int cap)
{
    switch (w) {
    case WHY_SIGN: return "capacity 0 holds no sign (values in [0, 1) only)";
    case WHY_NEGZERO: return "classic images cannot hold negative zero";
    case WHY_BIG:
        return cap == 0   ? "capacity 0 holds values in [0, 1) only"
               : cap == 1 ? "magnitude over capacity 1 (7 base-15 integer digits when positive, 8 "
                            "when negative)"
                          : "magnitude over capacity 2 (113 base-15 integer digits when "
                            "positive, 112 when negative)";
    case WHY_LDZ: return "more than 14 leading decimal zeros, over what one character holds";
    case WHY_NOLDZ: return "leading decimal zeros need ldeczeroes";
    default: return "";
    }
}

/* Classic: does the reference's string for p read back as v? */
static int reference_exact_d(const parts *p, const digs *d, double v)
{
    if (p->isint ? p->a < TWO53 : p->frac < ((uint64_t)1 << 53)) return 1;
    if (!p->isint && p->nz <= DIRA_MAX_LDZ) {
        /* the digits are ip, nz zeros and the rounded fraction digits */
        double r;
        if (fast_decimal(p->ip, 1, (size_t)p->nz, d->rval, &r))
            return memcmp(&r, &p->a, sizeof r) == 0; /* |v|: the sign is a flag */
    }
    uint8_t t[MAX_B15 + 8];
    enum why w;
    /* capacity 2 holds every integer part a double with a fraction has;
     * integers too big for it fail anyway */
    int n = build_token(p, 2, 1, 1, t, &w);
    if (n < 0) return 1; /* not holdable at all: reported elsewhere */
    double r;
    const char *msg;
    if (parse_token(t, (size_t)n, 2, 1, 1, &r, &msg) != DIR_OK) return 0;
    return memcmp(&r, &v, sizeof r) == 0;
}

static int reference_exact(const parts *p, double v)
{
    if (p->isint ? p->a < TWO53 : p->frac < ((uint64_t)1 << 53)) return 1;
    digs d;
    make_digits(p, 1, &d);
    return reference_exact_d(p, &d, v);
}

dir_error dira_format_value(double value, int capacity, int ldeczeroes, char *buf, size_t bufsize,
                            dir_diag *diag)
{
    static const char hex[] = "0123456789abcdef";
    char vs[DIRA_NUMBER_BUFSIZE];
    dir_diag_clear(diag);
    if (!buf || bufsize < DIRA_TOKEN_BUFSIZE || capacity < 0 || capacity > 2 ||
        (ldeczeroes != 0 && ldeczeroes != 1))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    buf[0] = '\0';
    if (!isfinite(value)) {
        dira_shortest(value, vs);
        return afail(diag, DIR_ERANGE, (uint64_t)-1, "value %s at index 0 is not a finite number",
                     vs);
    }
    parts p;
    split_value(value, &p);
    uint8_t t[MAX_B15 + 8];
    enum why w;
    int n = build_token(&p, capacity, ldeczeroes, 1, t, &w);
    if (n < 0) {
        dira_shortest(value, vs);
        return afail(diag, DIR_ERANGE, (uint64_t)-1, "value %s at index 0: %s", vs,
                     why_text(w, capacity));
    }
    if (!reference_exact(&p, value)) {
        dira_shortest(value, vs);
        return afail(diag, DIR_ERANGE, (uint64_t)-1,
                     "value %s at index 0: the reference encoder rounds its digits past 2^53, "
                     "so it would not read back exactly",
                     vs);
    }
    if ((size_t)n + 2 > bufsize) return afail(diag, DIR_EINVAL, (uint64_t)-1, "buffer too small");
    buf[0] = 'f';
    for (int i = 0; i < n; i++)
        buf[i + 1] = hex[t[i]];
    buf[n + 1] = '\0';
    return DIR_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

dir_error dira_parse_value(const char *s, size_t len, int capacity, int ldeczeroes, double *value,
                           dir_diag *diag)
{
    dir_diag_clear(diag);
    if (!s || !value || capacity < 0 || capacity > 2 || (ldeczeroes != 0 && ldeczeroes != 1))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    if (len > 0 && (s[0] == 'f' || s[0] == 'F')) {
        s++;
        len--;
    }
    if (len > DIRA_MAX_TOKEN)
        return afail(diag, DIR_ESYNTAX, 0, "value string of %zu digits, over the limit of %d", len,
                     DIRA_MAX_TOKEN);
    uint8_t t[DIRA_MAX_TOKEN];
    for (size_t i = 0; i < len; i++) {
        int h = hexval(s[i]);
        if (h < 0 || h == 15)
            return afail(diag, DIR_ESYNTAX, i, "character '%c' at %zu is not a base-15 digit", s[i],
                         i);
        t[i] = (uint8_t)h;
    }
    const char *msg = "";
    if (parse_token(t, len, capacity, ldeczeroes, 1, value, &msg) != DIR_OK)
        return afail(diag, DIR_ESYNTAX, 0, "%s", msg);
    return DIR_OK;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                   */

void dira_options_default(dira_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->classic = 0;
    opt->capacity = DIRA_CAPACITY_AUTO;
    opt->ldeczeroes = 1;
    opt->alpha = 0;
    opt->width = 0;
    opt->allow_inexact = 0;
    opt->normalised = 0;
    opt->max_values = DIRA_MAX_VALUES;
    opt->encoding = DIRA_ENCODING_AUTO;
}

/* ------------------------------------------------------------------------ */
/* Little-endian helpers                                                     */

/* Eight bytes as a little-endian number, and back. */
static inline uint64_t load_le64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
#else
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
#endif
}

static inline void store_le64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, sizeof v);
#else
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
#endif
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void put_f64(uint8_t *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    put_u64(p, v);
}

static double get_f64(const uint8_t *p)
{
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

/* Nibble i of a byte stream: high nibble first. */
static unsigned nib(const uint8_t *b, uint64_t i)
{
    return (i & 1) ? b[i >> 1] & 15u : b[i >> 1] >> 4;
}

/* ------------------------------------------------------------------------ */
/* Tensors: dtypes, conversions, the table                                   */

static const struct {
    const char *name;
    unsigned size;
} dtypes[DIRA_DTYPE_COUNT] = {
    {"float64", 8}, {"float32", 4}, {"float16", 2}, {"bfloat16", 2}, {"int8", 1},
    {"int16", 2},   {"int32", 4},   {"int64", 8},   {"uint8", 1},    {"uint16", 2},
    {"uint32", 4},  {"uint64", 8},  {"bool", 1},
};

size_t dira_dtype_size(dira_dtype dtype)
{
    return (unsigned)dtype < DIRA_DTYPE_COUNT ? dtypes[dtype].size : 0;
}

const char *dira_dtype_name(dira_dtype dtype)
{
    return (unsigned)dtype < DIRA_DTYPE_COUNT ? dtypes[dtype].name : NULL;
}

uint64_t dira_tensor_elements(const dira_tensor *t)
{
    uint64_t n = 1;
    if (!t || t->rank > DIRA_MAX_RANK) return UINT64_MAX;
    for (unsigned k = 0; k < t->rank; k++) {
        if (t->shape[k] && n > UINT64_MAX / t->shape[k]) return UINT64_MAX;
        n *= t->shape[k];
    }
    return n;
}

static uint64_t get_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static void put_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static double half_to_double(uint16_t h)
{
    int sign = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 31)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp((double)m, -24);
    else
        v = ldexp((double)(m | 1024), e - 25);
    return sign ? -v : v;
}

/* The float16 holding v exactly (v finite), or -1. */
static int32_t double_to_half(double v)
{
    uint32_t sign = signbit(v) ? 0x8000u : 0;
    double a = fabs(v);
    if (a == 0) return (int32_t)sign;
    if (a < 0x1p-14) { /* subnormal: multiples of 2^-24 */
        double f = ldexp(a, 24);
        if (f != floor(f)) return -1;
        return (int32_t)(sign | (uint32_t)f);
    }
    int ex;
    (void)frexp(a, &ex); /* a in [2^(ex-1), 2^ex) */
    int e = ex - 1;
    if (e > 15) return -1;
    double f = ldexp(a, 10 - e); /* in [1024, 2048) */
    if (f != floor(f)) return -1;
    return (int32_t)(sign | (uint32_t)(e + 15) << 10 | ((uint32_t)f - 1024u));
}

/* Element i of a tensor's little-endian bytes as a double; *exact is 0
 * when it has no exact double (integers past 2^53). */
static double element_double(const uint8_t *data, dira_dtype dt, uint64_t i, int *exact)
{
    unsigned sz = dtypes[dt].size;
    uint64_t u = get_le(data + i * sz, sz);
    *exact = 1;
    switch (dt) {
    case DIRA_F64: {
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    case DIRA_F32: {
        uint32_t w = (uint32_t)u;
        float f;
        memcpy(&f, &w, sizeof f);
        return (double)f;
    }
    case DIRA_F16: return half_to_double((uint16_t)u);
    case DIRA_BF16: {
        uint32_t w = (uint32_t)u << 16;
        float f;
        memcpy(&f, &w, sizeof f);
        return (double)f;
    }
    case DIRA_I8: return (double)(int8_t)u;
    case DIRA_I16: return (double)(int16_t)u;
    case DIRA_I32: return (double)(int32_t)u;
    case DIRA_I64: {
        int64_t x = (int64_t)u;
        if (x > ((int64_t)1 << 53) || x < -((int64_t)1 << 53)) *exact = 0;
        return (double)x;
    }
    case DIRA_U64:
        if (u > ((uint64_t)1 << 53)) *exact = 0;
        return (double)u;
    default: return (double)u; /* u8, u16, u32, bool */
    }
}

int dira_element_double(const dira_tensor *t, uint64_t i, double *out)
{
    int exact;
    *out = element_double(t->data, t->dtype, i, &exact);
    return exact;
}

/* Stores v as element i of dtype dt; returns 0, or -1 when dt has no
 * element equal to v. */
static int store_element(uint8_t *data, dira_dtype dt, uint64_t i, double v)
{
    unsigned sz = dtypes[dt].size;
    uint8_t *p = data + i * sz;
    uint64_t u;
    switch (dt) {
    case DIRA_F64: memcpy(&u, &v, sizeof u); break;
    case DIRA_F32: {
        float f = (float)v;
        uint32_t w;
        if ((double)f != v && !isnan(v)) return -1;
        memcpy(&w, &f, sizeof w);
        u = w;
        break;
    }
    case DIRA_F16: {
        int32_t h = isfinite(v) ? double_to_half(v) : -1;
        if (h < 0) return -1;
        u = (uint32_t)h;
        break;
    }
    case DIRA_BF16: {
        float f = (float)v;
        uint32_t w;
        if ((double)f != v) return -1;
        memcpy(&w, &f, sizeof w);
        if (w & 0xFFFFu) return -1;
        u = w >> 16;
        break;
    }
    case DIRA_BOOL:
        if (v != 0 && v != 1) return -1;
        u = v == 1;
        break;
    default: {
        static const double lo[] = {
            0, 0, 0, 0, -128.0, -32768.0, -2147483648.0, -9223372036854775808.0, 0, 0, 0, 0};
        static const double hi[] = {0,
                                    0,
                                    0,
                                    0,
                                    127.0,
                                    32767.0,
                                    2147483647.0,
                                    9223372036854775808.0,
                                    255.0,
                                    65535.0,
                                    4294967295.0,
                                    18446744073709551616.0};
        if (v != floor(v) || v < lo[dt] || v > hi[dt]) return -1;
        if (dt == DIRA_I64 || dt == DIRA_U64) { /* hi excluded: 2^63, 2^64 */
            if (v >= hi[dt]) return -1;
            u = dt == DIRA_I64 ? (uint64_t)(int64_t)v : (uint64_t)v;
        } else if (dt <= DIRA_I64) {
            u = (uint64_t)(int64_t)v;
        } else {
            u = (uint64_t)v;
        }
        break;
    }
    }
    put_le(p, u, sz);
    return 0;
}

/* The tensor table in the header (after the fixed 48 bytes):
 *   u32 tensors, u32 metadata pairs;
 *   per tensor: u16 name length, name, u8 dtype, u8 rank, u64 shape[rank],
 *               u64 offset (bytes into the unshuffled data);
 *   per pair: u32 key length, key, u32 value length, value. */

/* Validates the caller's tensors; gives table size, element and byte
 * totals.  Returns DIR_OK or an error with diag. */
static dir_error check_tensors(const dira_tensor *t, size_t n, const dira_meta *meta, size_t nmeta,
                               uint64_t *table_size, uint64_t *elements, uint64_t *bytes,
                               dir_diag *diag)
{
    if (n > DIRA_MAX_TENSORS)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%zu tensors, over the limit of %d", n,
                     DIRA_MAX_TENSORS);
    if (nmeta > DIRA_MAX_META)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%zu metadata pairs, over the limit of %d",
                     nmeta, DIRA_MAX_META);
    uint64_t ts = 8, el = 0, by = 0;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].name || (unsigned)t[i].dtype >= DIRA_DTYPE_COUNT || t[i].rank > DIRA_MAX_RANK)
            return afail(diag, DIR_EINVAL, (uint64_t)-1,
                         "tensor %zu: needs a name, a dtype and a rank of at most %d", i,
                         DIRA_MAX_RANK);
        size_t nl = strlen(t[i].name);
        if (nl > DIRA_MAX_NAME)
            return afail(diag, DIR_ELIMIT, (uint64_t)-1, "tensor %zu: name of %zu bytes, over %d",
                         i, nl, DIRA_MAX_NAME);
        uint64_t e = dira_tensor_elements(&t[i]);
        unsigned sz = dtypes[t[i].dtype].size;
        if (e == UINT64_MAX || e > DIRA_MAX_BYTES / sz || by + e * sz > DIRA_MAX_BYTES)
            return afail(diag, DIR_ELIMIT, (uint64_t)-1,
                         "tensor " DIRA_NAME_FMT ": data over the limit of %llu bytes in one image",
                         DIRA_NAME_ARG(t[i].name), (unsigned long long)DIRA_MAX_BYTES);
        if (e && !t[i].data)
            return afail(diag, DIR_EINVAL, (uint64_t)-1, "tensor " DIRA_NAME_FMT " has no data",
                         DIRA_NAME_ARG(t[i].name));
        if (t[i].dtype == DIRA_BOOL)
            for (uint64_t k = 0; k < e; k++)
                if (((const uint8_t *)t[i].data)[k] > 1)
                    return afail(diag, DIR_EINVAL, (uint64_t)-1,
                                 "tensor " DIRA_NAME_FMT ": bool element %llu is %u, not 0 or 1",
                                 DIRA_NAME_ARG(t[i].name), (unsigned long long)k,
                                 ((const uint8_t *)t[i].data)[k]);
        ts += 2 + nl + 2 + 8 * (uint64_t)t[i].rank + 8;
        el += e;
        by += e * sz;
    }
    for (size_t i = 0; i < nmeta; i++) {
        if (!meta[i].key || !meta[i].value)
            return afail(diag, DIR_EINVAL, (uint64_t)-1, "metadata pair %zu is incomplete", i);
        ts += 8 + strlen(meta[i].key) + strlen(meta[i].value);
    }
    if (ts > DIRA_MAX_TABLE)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1,
                     "tensor table of %llu bytes, over the limit of %llu", (unsigned long long)ts,
                     (unsigned long long)DIRA_MAX_TABLE);
    if (el > DIRA_MAX_VALUES)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%llu values, over the limit of %llu",
                     (unsigned long long)el, (unsigned long long)DIRA_MAX_VALUES);
    *table_size = ts;
    *elements = el;
    *bytes = by;
    return DIR_OK;
}

static void write_table(uint8_t *p, const dira_tensor *t, size_t n, const dira_meta *meta,
                        size_t nmeta)
{
    put_u32(p, (uint32_t)n);
    put_u32(p + 4, (uint32_t)nmeta);
    p += 8;
    uint64_t off = 0;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(t[i].name);
        put_le(p, nl, 2);
        memcpy(p + 2, t[i].name, nl);
        p += 2 + nl;
        *p++ = (uint8_t)t[i].dtype;
        *p++ = (uint8_t)t[i].rank;
        for (unsigned k = 0; k < t[i].rank; k++, p += 8)
            put_u64(p, t[i].shape[k]);
        put_u64(p, off);
        p += 8;
        off += dira_tensor_elements(&t[i]) * dtypes[t[i].dtype].size;
    }
    for (size_t i = 0; i < nmeta; i++) {
        size_t kl = strlen(meta[i].key), vl = strlen(meta[i].value);
        put_u32(p, (uint32_t)kl);
        memcpy(p + 4, meta[i].key, kl);
        p += 4 + kl;
        put_u32(p, (uint32_t)vl);
        memcpy(p + 4, meta[i].value, vl);
        p += 4 + vl;
    }
}

/* Byte-shuffles n elements of `size` bytes: byte k of element i goes to
 * out[k * n + i]. */
static void shuffle(const uint8_t *in, uint64_t n, unsigned size, uint8_t *out)
{
    if (n == 0) return; /* an empty tensor: in and out may be NULL */
    if (size == 1) {
        memcpy(out, in, (size_t)n);
        return;
    }
    for (unsigned k = 0; k < size; k++) {
        uint8_t *o = out + k * n;
        const uint8_t *s = in + k;
        for (uint64_t i = 0; i < n; i++)
            o[i] = s[i * size];
    }
}

static void unshuffle(const uint8_t *in, uint64_t n, unsigned size, uint8_t *out)
{
    if (n == 0) return;
    if (size == 1) {
        memcpy(out, in, (size_t)n);
        return;
    }
    for (unsigned k = 0; k < size; k++) {
        const uint8_t *s = in + k * n;
        uint8_t *o = out + k;
        for (uint64_t i = 0; i < n; i++)
            o[i * size] = s[i];
    }
}

/* ------------------------------------------------------------------------ */
/* Encoder                                                                   */

#define NCONF 6 /* capacity 0..2 x ldeczeroes 0..1 */

/* Most values whose split parts the encoder keeps between its passes
 * (40 bytes each: 160 MiB). */
#define PARTS_CACHE_MAX ((size_t)1 << 22)

static uint32_t default_width(uint64_t count)
{
    /* ceil(sqrt(4 * count)), at least 1, computed exactly */
    uint64_t target = 4 * count;
    uint64_t w = (uint64_t)ceil(sqrt((double)target));
    while (w * w < target)
        w++;
    while (w > 0 && (w - 1) * (w - 1) >= target)
        w--;
    if (w == 0) w = 1;
    if (w > DIR_MAX_DIM) w = DIR_MAX_DIM + 1; /* rejected by the caller */
    return (uint32_t)w;
}

/* Classic: how many characters a final value string needs at least, from its
 * first characters c0 and c1 (the decoder trims zero padding down to this). */
static uint64_t classic_min_len(unsigned c0, unsigned c1, int cap, int ldz)
{
    uint64_t minlen = (uint64_t)cap + (uint64_t)ldz;
    if (cap == 1)
        minlen += c0 < 8 ? c0 + 1 : c0 - 7;
    else if (cap == 2)
        minlen += (c0 * 15 + c1) < 112 ? (c0 * 15 + c1) + 1 : (c0 * 15 + c1) - 111;
    else
        minlen += 1;
    return minlen;
}

/* Classic: does the final value v (split into p) read back as v with this
 * configuration, once an odd stream has lost its last digit and the padding
 * rule has trimmed trailing zeros?  The amount of padding does not matter:
 * trimming stops at the length the string's own characters demand. */
static int classic_last_reads_back(const parts *p, double v, int cap, int ldz, int odd)
{
    uint8_t t[MAX_B15 + 8];
    enum why w;
    int n = build_token(p, cap, ldz, 1, t, &w);
    if (n <= 0) return 0;
    if (odd) t[n - 1] = 0; /* the dropped digit reads as padding */
    uint64_t minlen = classic_min_len(t[0], n > 1 ? t[1] : 0, cap, ldz);
    size_t len = (size_t)n;
    while (len > minlen && t[len - 1] == 0)
        len--;
    double r;
    const char *msg;
    return parse_token(t, len, cap, ldz, 1, &r, &msg) == DIR_OK && memcmp(&r, &v, sizeof r) == 0;
}

static void escape_digits(double v, uint8_t *t)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    for (int i = ESCAPE_DIGITS - 1; i >= 0; i--) {
        t[i] = (uint8_t)(bits % 15);
        bits /= 15;
    }
}

/* What a self-describing encoder stores: `values` (the digits source; NULL
 * when some element has no exact finite double, then binary only) and the
 * tensors, table and metadata (binary source; native_f64: the one tensor's
 * data is `values` in native byte order). */
typedef struct enc_src {
    const dira_tensor *tensors;
    size_t ntensors;
    const dira_meta *meta;
    size_t nmeta;
    uint64_t table_size;
    uint64_t bin_bytes;
    int native_f64;
} enc_src;

/* Number of values in the sample that estimates the digit stream. */
#define SAMPLE_VALUES 4096

/* Estimated hex digits of the shortest self-describing configuration, from
 * an evenly spaced sample of the values (escapes included). */
static uint64_t estimate_digits(const double *values, size_t count)
{
    size_t step = count / SAMPLE_VALUES + 1, m = 0;
    uint64_t total[NCONF] = {0};
    for (size_t i = 0; i < count; i += step, m++) {
        parts p;
        digs dg;
        if (!isfinite(values[i])) return UINT64_MAX;
        split_value(values[i], &p);
        make_digits(&p, 0, &dg);
        for (int c = 0; c < NCONF; c++) {
            enum why w;
            int n = token_len(&p, &dg, c / 2, c % 2, 0, &w);
            total[c] += 1 + (uint64_t)(n < 0 || n > ESCAPE_LEN ? ESCAPE_LEN : n);
        }
    }
    uint64_t best = UINT64_MAX;
    for (int c = 0; c < NCONF; c++)
        if (total[c] < best) best = total[c];
    return m ? (uint64_t)((double)best * ((double)count / (double)m)) : 0;
}

/* A stream of nibbles written in order: staged one per byte, packed two
 * per byte (high first) into out[at..], which grows as needed. */
#define STAGE_NIBBLES 4096
/* Most nibbles one value adds: 'f', an escape or a value string. */
#define MAX_VALUE_NIBBLES (1 + MAX_B15 + 8)

typedef struct nibw {
    uint8_t *out;
    size_t cap, at; /* bytes allocated at out, bytes packed */
    size_t ns;      /* nibbles staged */
    uint8_t st[STAGE_NIBBLES + MAX_VALUE_NIBBLES];
} nibw;

/* Packs the staged nibbles (all when final, else an even number). */
static int nibw_flush(nibw *w, int final)
{
    size_t pairs = w->ns / 2, need = w->at + pairs + 1;
    if (need > w->cap) {
        size_t ncap = w->cap * 2 > need ? w->cap * 2 : need;
        uint8_t *nb = realloc(w->out, ncap);
        if (!nb) return -1;
        w->out = nb;
        w->cap = ncap;
    }
    uint8_t *o = w->out + w->at;
    const uint8_t *s = w->st;
    size_t i = 0;
    /* sixteen nibbles to eight bytes at a time, eight from each of x and y: in
     * each 16-bit lane the pair's first nibble shifted up, or-ed with the
     * second, then the lanes' low bytes gathered */
    for (; i + 8 <= pairs; i += 8) {
        uint64_t x = load_le64(s + 2 * i), y = load_le64(s + 2 * i + 8);
        x = ((x & 0x00FF00FF00FF00FFull) << 4 | (x >> 8)) & 0x00FF00FF00FF00FFull;
        y = ((y & 0x00FF00FF00FF00FFull) << 4 | (y >> 8)) & 0x00FF00FF00FF00FFull;
        x = (x | x >> 8) & 0x0000FFFF0000FFFFull;
        y = (y | y >> 8) & 0x0000FFFF0000FFFFull;
        x = (x | x >> 16) & 0xFFFFFFFFull;
        y = (y | y >> 16) & 0xFFFFFFFFull;
        store_le64(o + i, x | y << 32);
    }
    for (; i < pairs; i++)
        o[i] = (uint8_t)(s[2 * i] << 4 | s[2 * i + 1]);
    w->at += pairs;
    if (w->ns & 1) {
        if (final) {
            w->out[w->at++] = (uint8_t)(s[w->ns - 1] << 4);
            w->ns = 0;
        } else {
            w->st[0] = s[w->ns - 1];
            w->ns = 1;
        }
    } else {
        w->ns = 0;
    }
    return 0;
}

static void nibw_free(nibw *w)
{
    if (w) free(w->out);
    free(w);
}

/* Stages 'f' and the value string (or escape) of one value; returns the
 * nibbles added, or -1 when the configuration cannot hold it (classic). */
static int emit_value(nibw *w, const parts *p, const digs *d, double v, int cap, int ldz,
                      int classic, uint64_t *escaped)
{
    uint8_t *o = w->st + w->ns;
    enum why why;
    o[0] = DELIM;
    int n = assemble_token(p, d, cap, ldz, classic, o + 1, &why);
    if (!classic && (n < 0 || n > ESCAPE_LEN)) {
        o[1] = DELIM;
        escape_digits(v, o + 2);
        (*escaped)++;
        n = ESCAPE_LEN;
    }
    if (n < 0) return -1;
    w->ns += 1 + (size_t)n;
    return 1 + n;
}

/* Writes 'f' and the value string of a common value -- an integer below
 * 2^53 or a number with an integer part below 2^53 -- that configuration
 * (cap, ldz) holds without an escape, as assemble_token would; returns the
 * nibbles written, or 0 for any other value (the caller takes the general
 * route).  *inexact: the reference's rounded digits do not read back as
 * the value (reference_exact_d). */
static inline int emit_common(uint8_t *o, const parts *p, int cap, int ldz, int reference,
                              int *inexact)
{
    *inexact = 0;
    if (p->isint && p->a >= TWO53) return 0;
    if (reference && p->neg && p->a == 0) return 0; /* negative zero */
    const int neg = reference ? (p->neg || p->a == 0) : p->neg;
    const int nl = b15_len(p->ip);
    int nr = p->isint ? 0 : b15_len(p->frac);
    /* the reference's fraction digits past 2^53 (make_digits, v8_b15:
     * frac < 10^17, so only the last digit's step rounds) */
    uint64_t fhi = p->frac;
    unsigned r1 = 0;
    const int rounded = reference && !p->isint && p->frac >= (uint64_t)1 << 53;
    if (rounded) {
        double x = (double)p->frac;
        r1 = (unsigned)((uint64_t)x % 15u);
        fhi = (uint64_t)((x - (double)r1) / 15.0);
        nr = b15_len(fhi) + 1;
        /* and they must read back as |v| (reference_exact_d) */
        double r;
        if (p->nz > DIRA_MAX_LDZ || !fast_decimal(p->ip, 1, (size_t)p->nz, fhi * 15 + r1, &r))
            return 0;
        *inexact = memcmp(&r, &p->a, sizeof r) != 0;
    }
    if (cap == 0) {
        if (p->neg || p->a >= 1) return 0;
    } else if (nl > (cap == 1 ? (neg ? CAP1_NEG_MAX : CAP1_POS_MAX)
                              : (neg ? CAP2_NEG_MAX : CAP2_POS_MAX))) {
        return 0;
    }
    if (ldz ? p->nz > DIRA_MAX_LDZ : p->nz > 0) return 0;
    const int left = cap != 0 || p->isint;
    const int n = cap + ldz + (left ? nl : 0) + nr;
    if (!reference && n > ESCAPE_LEN) return 0;
    int k = 0;
    o[k++] = DELIM;
    if (cap == 1) {
        o[k++] = (uint8_t)(neg ? nl - 1 : nl + 7);
    } else if (cap == 2) {
        int c = neg ? nl - 1 : nl + 111;
        o[k++] = (uint8_t)(c / 15);
        o[k++] = (uint8_t)(c % 15);
    }
    if (ldz) o[k++] = (uint8_t)p->nz;
    if (left) {
        b15_write(p->ip, nl, o + k);
        k += nl;
    }
    if (rounded) {
        b15_write(fhi, nr - 1, o + k);
        o[k + nr - 1] = (uint8_t)r1;
    } else if (nr) {
        b15_write(p->frac, nr, o + k);
    }
    return 1 + n;
}

static dir_error encode_impl(const double *values, size_t count, const dira_options *opt_in,
                             const enc_src *src, uint8_t **pixels_out, uint32_t *width_out,
                             uint32_t *height_out, unsigned *channels_out, dira_info *info,
                             dir_diag *diag)
{
    dira_options opt;
    char vs[DIRA_NUMBER_BUFSIZE];
    if (opt_in)
        opt = *opt_in;
    else
        dira_options_default(&opt);
    if (!pixels_out || !width_out || !height_out || !channels_out)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    *pixels_out = NULL;
    if (opt.encoding < DIRA_ENCODING_AUTO || opt.encoding > DIRA_ENCODING_BINARY)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid array option");
    if (opt.classic && opt.encoding == DIRA_ENCODING_BINARY)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "classic images hold value strings only: binary encoding needs a "
                     "self-describing image");
    if ((opt.classic != 0 && opt.classic != 1) || opt.capacity < DIRA_CAPACITY_AUTO ||
        opt.capacity > 2 || (opt.ldeczeroes != 0 && opt.ldeczeroes != 1) ||
        (opt.alpha != 0 && opt.alpha != 1) || (opt.normalised != 0 && opt.normalised != 1) ||
        (opt.allow_inexact != 0 && opt.allow_inexact != 1))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid array option");
    if (opt.classic && opt.normalised)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "classic images have no header to record normalisation");
    if (opt.normalised &&
        (!isfinite(opt.norm_min) || !isfinite(opt.norm_max) || opt.norm_min > opt.norm_max))
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "normalisation min/max must be finite with min <= max");
    if (opt.classic && count == 0)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "a classic image cannot hold an empty array (nothing would mark it)");
    if ((uint64_t)count > DIRA_MAX_VALUES)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%zu values, over the limit of %llu", count,
                     (unsigned long long)DIRA_MAX_VALUES);
    if (opt.width > DIR_MAX_DIM)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "width %u over the limit of %u", opt.width,
                     DIR_MAX_DIM);

    const int classic = opt.classic;
    /* the payload: digits, or binary when asked, when some value has no
     * digits, or (auto) when the sample says it is clearly smaller */
    int enc = classic ? DIRA_ENCODING_DIGITS : opt.encoding;
    const uint64_t bin_bytes = src->bin_bytes;
    if (!values) enc = DIRA_ENCODING_BINARY;
    int decide_after_pass1 = 0;
    if (enc == DIRA_ENCODING_AUTO) {
        uint64_t est = estimate_digits(values, count);
        /* a sample of 4096 estimates the mean string length to a few
         * tenths of a percent: only within 5% is the exact length needed */
        if (est == UINT64_MAX || (double)est / 2 > 1.05 * (double)bin_bytes)
            enc = DIRA_ENCODING_BINARY;
        else if ((double)est / 2 < 0.95 * (double)bin_bytes)
            enc = DIRA_ENCODING_DIGITS;
        else
            decide_after_pass1 = 1;
    }
    if (enc == DIRA_ENCODING_BINARY) count = 0; /* no digit passes */
    /* configuration c is capacity c / 2 with ldeczeroes c % 2; auto with
     * ldeczeroes 0 only tries the configurations without it */
    int conf_lo = 0, conf_hi = NCONF - 1, conf_step = opt.ldeczeroes ? 1 : 2;
    if (opt.capacity != DIRA_CAPACITY_AUTO) {
        conf_lo = conf_hi = opt.capacity * 2 + opt.ldeczeroes;
        conf_step = 1;
    } else if (!opt.ldeczeroes) {
        conf_hi = NCONF - 2;
    }

    /* Pass 1: lengths per configuration, and what cannot be held. */
    uint64_t total[NCONF] = {0};
    uint64_t forced[NCONF] = {0}; /* self-describing: escapes of values it cannot hold */
    int ok[NCONF];
    size_t fail_index[NCONF];
    enum why fail_why[NCONF];
    for (int c = 0; c < NCONF; c++) {
        ok[c] = 1;
        fail_index[c] = 0;
        fail_why[c] = WHY_OK;
    }
    uint64_t inexact = 0;
    uint64_t n_escaped = 0;
    uint64_t last_len = 0; /* nibbles of the last value, its 'f' included */
    const uint64_t body = DIRA_HEADER_SIZE + src->table_size;
    /* The stream is written into nw->out from byte `start` on (after the
     * header of a self-describing image).  With one configuration and the
     * encoding known, pass 1 writes it as it goes (direct); else pass 2
     * does, once the configuration is chosen. */
    const size_t start = classic ? 0 : (size_t)body;
    nibw *nw = count ? malloc(sizeof *nw) : NULL;
    if (count && !nw) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    const int direct = count && conf_lo == conf_hi && enc == DIRA_ENCODING_DIGITS;
    if (nw) {
        nw->ns = 0;
        nw->at = start;
        nw->cap = start + (direct ? count * 10 : 0) + 64;
        nw->out = malloc(nw->cap);
        if (!nw->out) {
            free(nw);
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
        }
        memset(nw->out, 0, start);
    }
    /* splitting a value costs a shortest-digits search: keep the parts for
     * pass 2 when that memory is modest, else compute them again */
    parts *cache =
        !direct && count && count <= PARTS_CACHE_MAX ? malloc(count * sizeof *cache) : NULL;
    for (size_t i = 0; i < count; i++) {
        double v = values[i];
        if (!isfinite(v)) {
            free(cache);
            nibw_free(nw);
            dira_shortest(v, vs);
            return afail(diag, DIR_ERANGE, (uint64_t)-1,
                         "value %s at index %zu is not a finite number", vs, i);
        }
        parts p;
        split_value(v, &p);
        if (direct && ok[conf_lo]) {
            /* the common value: written at once */
            int inx;
            int n = emit_common(nw->st + nw->ns, &p, conf_lo / 2, conf_lo % 2, classic, &inx);
            if (n > 0 && (!inx || opt.allow_inexact)) {
                inexact += (uint64_t)inx;
                nw->ns += (size_t)n;
                total[conf_lo] += (uint64_t)n;
                last_len = (uint64_t)n;
                if (nw->ns >= STAGE_NIBBLES && nibw_flush(nw, 0) != 0) {
                    nibw_free(nw);
                    return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
                }
                continue;
            }
        }
        if (cache) cache[i] = p;
        digs dg;
        int nl, nr;
        /* the digit counts: at once where the digits are those of ip and
         * frac, else from the digits (the reference's rounding, integers
         * past 2^64) */
        const int plain = p.isint ? p.a < (classic ? TWO53 : 18446744073709551616.0)
                                  : !classic || p.frac < (uint64_t)1 << 53;
        if (plain) {
            nl = b15_len(p.ip);
            nr = p.isint ? 0 : b15_len(p.frac);
        } else {
            make_digits(&p, classic, &dg);
            nl = dg.nl;
            nr = dg.nr;
        }
        /* (plain values read back exactly) */
        if (classic && !plain && !reference_exact_d(&p, &dg, v)) {
            if (!opt.allow_inexact) {
                free(cache);
                nibw_free(nw);
                dira_shortest(v, vs);
                return afail(diag, DIR_ERANGE, (uint64_t)-1,
                             "value %s at index %zu: the reference rounds its digits past 2^53, "
                             "so it would read back as another double (use self-describing or "
                             "allow inexact)",
                             vs, i);
            }
            inexact++;
        }
        int len[NCONF];
        conf_lengths(&p, nl, nr, classic, len);
        for (int c = conf_lo; c <= conf_hi; c += conf_step) {
            int n = len[c];
            if (classic) {
                if (n < 0) {
                    if (ok[c]) {
                        enum why w;
                        token_len_n(&p, nl, nr, c / 2, c % 2, classic, &w);
                        ok[c] = 0;
                        fail_index[c] = i;
                        fail_why[c] = w;
                    }
                } else {
                    total[c] += 1 + (uint64_t)n;
                }
            } else if (n < 0 || n > ESCAPE_LEN) {
                total[c] += 1 + ESCAPE_LEN;
                if (n < 0) forced[c]++;
            } else {
                total[c] += 1 + (uint64_t)n;
            }
        }
        if (direct && ok[conf_lo]) {
            if (plain) make_digits(&p, classic, &dg);
            last_len =
                (uint64_t)emit_value(nw, &p, &dg, v, conf_lo / 2, conf_lo % 2, classic, &n_escaped);
            if (nw->ns >= STAGE_NIBBLES && nibw_flush(nw, 0) != 0) {
                nibw_free(nw);
                return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
            }
        }
    }
    /* the shortest configuration; self-describing prefers one that holds
     * every value without an escape, as the convention's readers can then
     * read all of them */
    /* classic auto also needs the final value to survive the padding rule
     * (checked for the chosen configuration once written); a configuration
     * where it does not is the last resort, with allow_inexact */
    int tail_ok[NCONF];
    for (int c = 0; c < NCONF; c++)
        tail_ok[c] = 1;
    if (classic && count > 0 && conf_lo != conf_hi) {
        parts p;
        split_value(values[count - 1], &p);
        for (int c = conf_lo; c <= conf_hi; c += conf_step)
            if (ok[c])
                tail_ok[c] = classic_last_reads_back(&p, values[count - 1], c / 2, c % 2,
                                                     (int)(total[c] % 2));
    }
    int conf = -1;
    for (int c = conf_lo; c <= conf_hi; c += conf_step) {
        if (!ok[c]) continue;
        if (conf < 0 || (tail_ok[c] && !tail_ok[conf]) ||
            (tail_ok[c] == tail_ok[conf] &&
             ((forced[c] == 0 && forced[conf] != 0) ||
              ((forced[c] == 0) == (forced[conf] == 0) && total[c] < total[conf]))))
            conf = c;
    }
    if (conf < 0) {
        free(cache);
        nibw_free(nw);
        int c = conf_hi; /* fixed, or the last auto tried: capacity 2 */
        double v = values[fail_index[c]];
        dira_shortest(v, vs);
        return afail(diag, DIR_ERANGE, (uint64_t)-1, "value %s at index %zu: %s%s", vs,
                     fail_index[c], why_text(fail_why[c], c / 2),
                     opt.capacity == DIRA_CAPACITY_AUTO
                         ? " (no classic configuration holds every value)"
                         : "");
    }
    int cap = conf / 2, ldz = conf % 2;
    uint64_t digits = total[conf];
    if (decide_after_pass1 && (digits + 1) / 2 > bin_bytes) {
        enc = DIRA_ENCODING_BINARY;
        free(cache);
        cache = NULL;
        nibw_free(nw);
        nw = NULL;
    }
    if (enc == DIRA_ENCODING_AUTO) enc = DIRA_ENCODING_DIGITS;
    if (enc == DIRA_ENCODING_BINARY) {
        count = 0;
        cap = ldz = 0;
        digits = 0;
    }
    const uint64_t nvalues = enc == DIRA_ENCODING_BINARY ? 0 : count;
    const uint64_t payload = enc == DIRA_ENCODING_BINARY ? bin_bytes : (digits + 1) / 2;
    const unsigned channels = opt.alpha ? 4 : 3;
    const uint64_t stream_bytes = classic ? digits / 2 : body + payload;
    uint32_t width = opt.width;
    if (!width && enc == DIRA_ENCODING_DIGITS) width = default_width(count);
    if (!width) { /* binary: near square */
        uint64_t px_needed = (stream_bytes + channels - 1) / channels;
        uint64_t w = (uint64_t)ceil(sqrt((double)px_needed));
        if (w == 0) w = 1;
        width = w > DIR_MAX_DIM ? DIR_MAX_DIM + 1 : (uint32_t)w;
    }
    if (width > DIR_MAX_DIM) {
        free(cache);
        nibw_free(nw);
        return afail(diag, DIR_ELIMIT, (uint64_t)-1,
                     "default width %u over the limit of %u: give a width", width, DIR_MAX_DIM);
    }
    uint64_t row = (uint64_t)width * channels;
    uint64_t height = (stream_bytes + row - 1) / row;
    if (height == 0) height = 1;
    if (height > DIR_MAX_DIM || (uint64_t)width * height > DIR_MAX_PIXELS) {
        free(cache);
        nibw_free(nw);
    }
    if (height > DIR_MAX_DIM)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1,
                     "%llu rows of %u pixels needed, over the limit of %u: give a larger width",
                     (unsigned long long)height, width, DIR_MAX_DIM);
    if ((uint64_t)width * height > DIR_MAX_PIXELS)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%llu pixels, over the limit of %llu",
                     (unsigned long long)((uint64_t)width * height),
                     (unsigned long long)DIR_MAX_PIXELS);
    size_t size = (size_t)(row * height);

    /* Pass 2: write the strings. */
    if (!direct && nw && nw->cap < start + digits / 2 + 2) {
        size_t ncap = start + (size_t)(digits / 2) + 2;
        uint8_t *nb = realloc(nw->out, ncap > size ? ncap : size);
        if (!nb) {
            free(cache);
            nibw_free(nw);
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory (%zu bytes)", size);
        }
        nw->out = nb;
        nw->cap = ncap > size ? ncap : size;
    }
    for (size_t i = 0; !direct && i < count; i++) {
        parts p;
        if (cache)
            p = cache[i];
        else
            split_value(values[i], &p);
        int inx; /* counted in pass 1 */
        int n = emit_common(nw->st + nw->ns, &p, cap, ldz, classic, &inx);
        if (n > 0) {
            nw->ns += (size_t)n;
            last_len = (uint64_t)n;
        } else {
            digs dg;
            make_digits(&p, classic, &dg);
            last_len = (uint64_t)emit_value(nw, &p, &dg, values[i], cap, ldz, classic, &n_escaped);
        }
        if (nw->ns >= STAGE_NIBBLES && nibw_flush(nw, 0) != 0) {
            free(cache);
            nibw_free(nw);
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
        }
    }
    free(cache);
    cache = NULL;
    /* the pixels: the stream's bytes, then zeros */
    uint8_t *px;
    if (nw) {
        if (nibw_flush(nw, 1) != 0) {
            nibw_free(nw);
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory (%zu bytes)", size);
        }
        /* classic: the final odd digit is dropped, as the reference does */
        size_t used = nw->at;
        if (classic && digits % 2) nw->out[--used] = 0;
        px = nw->out;
        if (nw->cap < size) {
            px = realloc(nw->out, size);
            if (!px) {
                nibw_free(nw);
                return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory (%zu bytes)", size);
            }
        }
        free(nw);
        nw = NULL;
        if (used < size) memset(px + used, 0, size - used);
    } else {
        px = calloc(size, 1);
        if (!px) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory (%zu bytes)", size);
    }
    const uint64_t last_start = (classic ? 0 : 2 * body) + digits - (count ? last_len : 0);

    if (classic && count > 0) {
        /* The final value runs into the padding: check that the decoding
         * rule gives it back. */
        const uint8_t *s = px;
        uint64_t end = (uint64_t)size * 2;
        uint64_t first = last_start + 1;
        uint64_t e = end;
        parts p;
        split_value(values[count - 1], &p);
        /* minimum length the string's own characters demand */
        double r = 0;
        int good = 0;
        if (first < end) {
            uint64_t minlen =
                cap == 2 && first + 1 >= end
                    ? (uint64_t)cap + (uint64_t)ldz /* as the decoder */
                    : classic_min_len(nib(s, first), cap == 2 ? nib(s, first + 1) : 0, cap, ldz);
            while (e > first + minlen && nib(s, e - 1) == 0)
                e--;
            if (e - first <= DIRA_MAX_TOKEN) {
                uint8_t tt[DIRA_MAX_TOKEN];
                const char *msg;
                for (uint64_t k = first; k < e; k++)
                    tt[k - first] = (uint8_t)nib(s, k);
                if (parse_token(tt, (size_t)(e - first), cap, ldz, 1, &r, &msg) == DIR_OK)
                    good = memcmp(&r, &values[count - 1], sizeof r) == 0;
            }
        }
        if (!good) {
            if (!opt.allow_inexact) {
                free(px);
                dira_shortest(values[count - 1], vs);
                return afail(diag, DIR_ERANGE, (uint64_t)-1,
                             "value %s at index %zu: last in a classic image, it would not read "
                             "back (%s; use self-describing or allow inexact)",
                             vs, count - 1,
                             digits % 2 ? "odd digit count: last digit dropped"
                                        : "its last digits look like padding");
            }
            if (reference_exact(&p, values[count - 1])) inexact++;
        }
    }

    if (!classic) {
        uint8_t *h = px;
        uint64_t total_values = 0;
        for (size_t i = 0; i < src->ntensors; i++)
            total_values += dira_tensor_elements(&src->tensors[i]);
        if (enc == DIRA_ENCODING_BINARY) {
            uint8_t *o = px + body;
            for (size_t i = 0; i < src->ntensors; i++) {
                const dira_tensor *tt = &src->tensors[i];
                uint64_t ne = dira_tensor_elements(tt);
                unsigned sz = dtypes[tt->dtype].size;
                if (src->native_f64) { /* the doubles of dira_encode */
                    const double *d = tt->data;
                    for (uint64_t k = 0; k < ne; k++) {
                        uint64_t bits;
                        memcpy(&bits, &d[k], sizeof bits);
                        for (unsigned b = 0; b < 8; b++)
                            o[b * ne + k] = (uint8_t)(bits >> (8 * b));
                    }
                } else {
                    shuffle(tt->data, ne, sz, o);
                }
                o += ne * sz;
            }
        }
        write_table(h + DIRA_HEADER_SIZE, src->tensors, src->ntensors, src->meta, src->nmeta);
        h[0] = HDR_MAGIC0;
        h[1] = HDR_MAGIC1;
        h[2] = HDR_MAGIC2;
        h[3] = HDR_MAGIC3;
        h[4] = DIRA_HEADER_VERSION;
        h[5] = (uint8_t)(cap | (ldz ? FLAG_LDZ : 0) | (opt.alpha ? FLAG_ALPHA : 0) |
                         (opt.normalised ? FLAG_NORMALISED : 0));
        h[6] = (uint8_t)enc;
        h[7] = 0;
        put_u64(h + 8, total_values);
        put_u64(h + 16, enc == DIRA_ENCODING_BINARY ? bin_bytes : digits);
        put_f64(h + 24, opt.normalised ? opt.norm_min : 0.0);
        put_f64(h + 32, opt.normalised ? opt.norm_max : 0.0);
        put_u32(h + 40, (uint32_t)src->table_size);
        uint32_t crc = dir_crc32(0, h, HDR2_CRC_OFFSET);
        crc = dir_crc32(crc, h + DIRA_HEADER_SIZE, (size_t)(src->table_size + payload));
        put_u32(h + HDR2_CRC_OFFSET, crc);
    }

    *pixels_out = px;
    *width_out = width;
    *height_out = (uint32_t)height;
    *channels_out = channels;
    if (info) {
        memset(info, 0, sizeof *info);
        info->classic = classic;
        info->capacity = cap;
        info->ldeczeroes = ldz;
        info->alpha = opt.alpha;
        info->normalised = opt.normalised;
        info->norm_min = opt.normalised ? opt.norm_min : 0;
        info->norm_max = opt.normalised ? opt.norm_max : 0;
        info->count = nvalues;
        if (!classic)
            for (size_t i = 0; i < src->ntensors; i++)
                info->count +=
                    enc == DIRA_ENCODING_BINARY ? dira_tensor_elements(&src->tensors[i]) : 0;
        info->stream_digits = classic ? digits - digits % 2 : digits;
        info->escaped = n_escaped;
        info->inexact = inexact;
        info->width = width;
        info->height = (uint32_t)height;
        info->channels = channels;
        info->version = classic ? 0 : DIRA_HEADER_VERSION;
        info->encoding = enc;
        info->payload_bytes = classic ? digits / 2 : payload;
        info->tensors = classic ? 1 : src->ntensors;
    }
    return DIR_OK;
}

dir_error dira_encode(const double *values, size_t count, const dira_options *opt, uint8_t **pixels,
                      uint32_t *width, uint32_t *height, unsigned *channels, dira_info *info,
                      dir_diag *diag)
{
    dir_diag_clear(diag);
    if (!values && count) return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    if ((uint64_t)count > DIRA_MAX_VALUES)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%zu values, over the limit of %llu", count,
                     (unsigned long long)DIRA_MAX_VALUES);
    dira_tensor one;
    memset(&one, 0, sizeof one);
    one.name = "";
    one.dtype = DIRA_F64;
    one.rank = 1;
    one.shape[0] = count;
    one.data = values;
    enc_src src = {&one, 1, NULL, 0, 8 + 2 + 2 + 8 + 8, (uint64_t)count * 8, 1};
    /* digits need finite values; binary holds any (non-finite values are
     * refused in digits mode by the digit passes, naming them) */
    int finite = 1;
    for (size_t i = 0; i < count && finite; i++)
        finite = isfinite(values[i]);
    int want_digits = (opt && (opt->classic || opt->encoding == DIRA_ENCODING_DIGITS));
    return encode_impl(finite || want_digits ? values : NULL, count, opt, &src, pixels, width,
                       height, channels, info, diag);
}

dir_error dira_encode_tensors(const dira_tensor *tensors, size_t count, const dira_meta *meta,
                              size_t meta_count, const dira_options *opt, uint8_t **pixels,
                              uint32_t *width, uint32_t *height, unsigned *channels,
                              dira_info *info, dir_diag *diag)
{
    dir_diag_clear(diag);
    if ((!tensors && count) || (!meta && meta_count))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    if (opt && opt->classic)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "classic images hold one flat list of numbers, not named tensors");
    enc_src src = {tensors, count, meta, meta_count, 0, 0, 0};
    uint64_t elements = 0;
    dir_error e = check_tensors(tensors, count, meta, meta_count, &src.table_size, &elements,
                                &src.bin_bytes, diag);
    if (e != DIR_OK) return e;
    if (opt && opt->normalised)
        for (size_t i = 0; i < count; i++)
            if (tensors[i].dtype != DIRA_F64)
                return afail(diag, DIR_EINVAL, (uint64_t)-1,
                             "normalisation is recorded for float64 values only");
    int want = opt ? opt->encoding : DIRA_ENCODING_AUTO;
    double *vals = NULL;
    if (want != DIRA_ENCODING_BINARY && elements) {
        /* the digits source: every element as its exact double */
        vals = malloc((size_t)elements * sizeof *vals);
        if (!vals)
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory for %llu values",
                         (unsigned long long)elements);
        size_t k = 0;
        for (size_t i = 0; i < count && vals; i++) {
            uint64_t ne = dira_tensor_elements(&tensors[i]);
            for (uint64_t j = 0; j < ne; j++) {
                int exact;
                double v = element_double(tensors[i].data, tensors[i].dtype, j, &exact);
                if (!exact || !isfinite(v)) {
                    free(vals);
                    vals = NULL;
                    if (want == DIRA_ENCODING_DIGITS) {
                        char vs[DIRA_NUMBER_BUFSIZE];
                        dira_shortest(v, vs);
                        return afail(diag, DIR_ERANGE, (uint64_t)-1,
                                     "tensor " DIRA_NAME_FMT
                                     " element %llu (%s%s) has no exact finite "
                                     "double: it needs binary encoding",
                                     DIRA_NAME_ARG(tensors[i].name), (unsigned long long)j,
                                     exact ? vs : "an integer past 2^53", exact ? "" : "");
                    }
                    break;
                }
                vals[k++] = v;
            }
        }
    }
    static const double none = 0;
    e = encode_impl(vals ? vals : (want == DIRA_ENCODING_BINARY || elements ? NULL : &none),
                    (size_t)elements, opt, &src, pixels, width, height, channels, info, diag);
    free(vals);
    return e;
}

/* ------------------------------------------------------------------------ */
/* Decoder                                                                   */

/* The nibbles of b[0..n), high first, one per byte, then a DELIM sentinel
 * and NIB_PAD bytes more (malloc()ed); *delims counts the DELIM nibbles. */
#define NIB_PAD 8
static uint8_t *unpack_nibbles(const uint8_t *b, size_t n, uint64_t *delims)
{
    uint8_t *u = malloc(2 * n + 1 + NIB_PAD);
    if (!u) return NULL;
    uint64_t cnt = 0;
    size_t i = 0;
    /* eight bytes at a time, in halves of four: their nibbles spread into
     * the bytes of y, the first lowest; a byte of y is 15 when adding 1 sets
     * its bit 4 */
    for (; i + 8 <= n; i += 8) {
        uint64_t v = load_le64(b + i);
        for (int half = 0; half < 2; half++) {
            /* the four bytes into the low bytes of 16-bit lanes */
            uint64_t x = half ? v >> 32 : v & 0xFFFFFFFFull;
            x = (x | x << 16) & 0x0000FFFF0000FFFFull;
            x = (x | x << 8) & 0x00FF00FF00FF00FFull;
            uint64_t y = ((x >> 4) & 0x000F000F000F000Full) | ((x & 0x000F000F000F000Full) << 8);
            store_le64(u + 2 * i + 8 * (size_t)half, y);
            uint64_t f = ((y + 0x0101010101010101ull) & 0x1010101010101010ull) >> 4;
            cnt += (f * 0x0101010101010101ull) >> 56;
        }
    }
    for (; i < n; i++) {
        u[2 * i] = b[i] >> 4;
        u[2 * i + 1] = b[i] & 15u;
        cnt += (b[i] >> 4 == DELIM) + ((b[i] & 15u) == DELIM);
    }
    memset(u + 2 * n, DELIM, 1 + NIB_PAD);
    *delims = cnt;
    return u;
}

/* The first DELIM at or after p (a sentinel ends the nibbles): eight at a
 * time, as unpack_nibbles tests them. */
static inline const uint8_t *next_delim(const uint8_t *p)
{
    for (;;) {
        uint64_t y = load_le64(p);
        uint64_t f = (y + 0x0101010101010101ull) & 0x1010101010101010ull;
        if (f) return p + (__builtin_ctzll(f) >> 3);
        p += 8;
    }
}

/* Copies the data bytes of the pixels in stream order: all channels
 * (use_alpha, 4-channel images) or R,G,B only. */
static uint8_t *gather(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                       size_t stride, int use_alpha, size_t *size)
{
    unsigned per = use_alpha ? 4 : 3;
    size_t n = (size_t)width * height * per;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) return NULL;
    size_t k = 0;
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *r = pixels + (size_t)y * stride;
        if (per == channels) {
            memcpy(b + k, r, (size_t)width * per);
            k += (size_t)width * per;
        } else {
            for (uint32_t x = 0; x < width; x++) {
                b[k++] = r[x * channels];
                b[k++] = r[x * channels + 1];
                b[k++] = r[x * channels + 2];
            }
        }
    }
    *size = n;
    return b;
}

/* The data bytes in stream order: the pixels themselves when they are
 * already (packed rows, every channel a data byte), else a gathered copy,
 * which *copy then owns.  NULL when out of memory. */
static const uint8_t *stream_bytes(const uint8_t *pixels, uint32_t width, uint32_t height,
                                   unsigned channels, size_t stride, int use_alpha, size_t *size,
                                   uint8_t **copy)
{
    unsigned per = use_alpha ? 4 : 3;
    *copy = NULL;
    if (per == channels && stride == (size_t)width * channels) {
        *size = (size_t)width * height * per;
        return pixels;
    }
    *copy = gather(pixels, width, height, channels, stride, use_alpha, size);
    return *copy;
}

static int header_magic(const uint8_t *b, size_t n)
{
    return n >= DIRA_HEADER_SIZE_V1 && b[0] == HDR_MAGIC0 && b[1] == HDR_MAGIC1 &&
           b[2] == HDR_MAGIC2 && b[3] == HDR_MAGIC3;
}

/* Reads the header byte that sits where pixel p, channel c would be in a
 * stream with `per` bytes per pixel. */
static int peek_magic(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                      size_t stride, int use_alpha)
{
    unsigned per = use_alpha ? 4 : 3;
    uint8_t b[8];
    uint64_t avail = (uint64_t)width * height * per;
    if (avail < DIRA_HEADER_SIZE_V1) return 0;
    for (unsigned i = 0; i < 6; i++) {
        uint64_t pix = i / per;
        unsigned c = i % per;
        uint32_t x = (uint32_t)(pix % width), y = (uint32_t)(pix / width);
        b[i] = pixels[(size_t)y * stride + (size_t)x * channels + c];
    }
    if (!(b[0] == HDR_MAGIC0 && b[1] == HDR_MAGIC1 && b[2] == HDR_MAGIC2 && b[3] == HDR_MAGIC3))
        return 0;
    /* the alpha flag must match the byte order it was found in */
    return ((b[5] & FLAG_ALPHA) != 0) == (use_alpha != 0);
}

/* The first n stream bytes (n <= 48) in the byte order use_alpha gives;
 * returns 0 if the pixels hold fewer. */
static int peek_bytes(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                      size_t stride, int use_alpha, unsigned n, uint8_t *b)
{
    unsigned per = use_alpha ? 4 : 3;
    if ((uint64_t)width * height * per < n) return 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t pix = i / per;
        uint32_t x = (uint32_t)(pix % width), y = (uint32_t)(pix / width);
        b[i] = pixels[(size_t)y * stride + (size_t)x * channels + i % per];
    }
    return 1;
}

static unsigned absdiff(unsigned a, unsigned b)
{
    return a > b ? a - b : b - a;
}

/* The header bytes the damage heuristics know: the magic, the version, the
 * encoding and reserved bytes, the zero high bytes of the count and the
 * payload size, the zero min/max of an image that is not normalised. */
static const uint8_t damage_pos[] = {0,  1,  2,  3,  4,  6,  7,  12, 13, 14, 15, 20,
                                     21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                                     33, 34, 35, 36, 37, 38, 39, 41, 42, 43};

/* The value of header byte i if known, else -1. */
static int known_byte(unsigned i)
{
    for (size_t k = 0; k < sizeof damage_pos; k++)
        if (damage_pos[k] == i)
            return i < 4 ? (int)((unsigned)"\xff\x44\x52\x41"[i] & 0xFFu) : i == 4 ? 2 : 0;
    return -1;
}

/* Does the image look like a self-describing one shrunk by s (2: to 50%,
 * 4: to 25%)?  Its first row then blends the header's 16 pixels, now 16/s,
 * with the payload rows below them in a proportion a of about 1/s: where
 * the header is zeros the row is darker than the rows under it by a factor
 * q = 1 - a (most of its bytes below them), and its first byte, the magic's
 * ff 41 blended, brighter than that darkening alone would make it.  Rows 1
 * on (payload) stand for what was blended in.  A payload of (near) zeros
 * leaves the header alone, scaled by a.  Natural images, whose rows are
 * alike, and noise, which is not darker in the first row, do not match;
 * the thresholds were set on ImageMagick's filters (docs/FORMAT.md A.4). */
static int shrunk_header(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                         size_t stride, unsigned per, unsigned s)
{
    unsigned n = 16 / s;
    if (width < n || height < 2) return 0;
    unsigned rows = s == 2 ? 4 : 2;
    if (rows > height - 1) rows = height - 1;
#define SHRUNK_AT(r, k) pixels[(size_t)(r)*stride + (size_t)((k) / per) * channels + (k) % per]
    double m[32]; /* per * n <= 32 */
    for (unsigned k = 0; k < per * n; k++) {
        unsigned sum = 0;
        for (unsigned r = 1; r <= rows; r++)
            sum += SHRUNK_AT(r, k);
        m[k] = (double)sum / rows;
    }
    double t0 = 0; /* the first byte's share of the header: the magic's ff, 41 */
    for (unsigned i = 0; i < s; i++)
        if (known_byte(per * i) > 0) t0 += known_byte(per * i);
    t0 /= s;
    double s0 = 0, s1 = 0;
    unsigned nz = 0, below = 0;
    for (unsigned j = 1; j < n; j++)
        for (unsigned c = 0; c < per; c++) {
            int zero = 1;
            for (unsigned i = 0; i < s && zero; i++)
                zero = known_byte(per * (s * j + i) + c) == 0;
            if (!zero) continue;
            unsigned k = per * j + c;
            s0 += SHRUNK_AT(0, k);
            s1 += m[k];
            below += SHRUNK_AT(0, k) < m[k];
            nz++;
        }
    double b0 = SHRUNK_AT(0, 0), m0 = m[0];
#undef SHRUNK_AT
    if (nz == 0) return 0;
    double mu0 = s0 / nz, mu1 = s1 / nz;
    if (mu1 < 12) { /* a dark payload: the header alone, scaled */
        double a = (b0 - m0) / t0;
        return a >= 0.08 && a <= 0.8 && mu0 <= mu1 + 18 * a && b0 >= m0 + 8;
    }
    double q = mu0 / mu1, a = 1 - q;
    return q >= 0.25 && q <= 0.85 && b0 - q * m0 >= (s == 2 ? 0.3 : 0.5) * a * t0 &&
           below * 5 >= nz * 3;
}

/* Does the image start with what a self-describing header becomes after a
 * lossy re-encode or a resize?  The header's known bytes (damage_pos) are
 * compared with what the pixels hold: a mean difference of at most 40
 * (lossy WebP's chroma subsampling moves single bytes by 40 or more, but
 * keeps the runs of zeros near zero).  A classic image's bytes are digit
 * pairs spread over 0..0xEE, far from that template.  Or the image looks
 * like one shrunk to 50% or 25% (shrunk_header); a classic image, whose
 * first byte is always f0..fe (its first value's delimiter f and a digit),
 * never is taken for one. */
static int damaged_header(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                          size_t stride, uint8_t magic[4])
{
    for (int use_alpha = channels == 4; use_alpha >= 0; use_alpha--) {
        uint8_t b[48];
        if (!peek_bytes(pixels, width, height, channels, stride, use_alpha, 48, b)) continue;
        unsigned sum = 0;
        for (size_t k = 0; k < sizeof damage_pos; k++)
            sum += absdiff(b[damage_pos[k]], (unsigned)known_byte(damage_pos[k]));
        unsigned per = use_alpha ? 4 : 3;
        if ((b[0] >= 0xA0 && sum <= 40u * (unsigned)sizeof damage_pos) ||
            (b[0] < 0xF0 && (shrunk_header(pixels, width, height, channels, stride, per, 2) ||
                             shrunk_header(pixels, width, height, channels, stride, per, 4)))) {
            memcpy(magic, b, 4);
            return 1;
        }
    }
    return 0;
}

static const char damage_hint[] =
    "the image was probably re-encoded lossily or resized (lossy WebP?); pack the numbers again";

int dira_is_self_describing(const uint8_t *pixels, uint32_t width, uint32_t height,
                            unsigned channels)
{
    if (!pixels || width == 0 || height == 0 || (channels != 3 && channels != 4)) return 0;
    size_t stride = (size_t)width * channels;
    if (channels == 4 && peek_magic(pixels, width, height, channels, stride, 1)) return 1;
    return peek_magic(pixels, width, height, channels, stride, 0);
}

/* A checked self-describing header (version 1 or 2). */
typedef struct self_hdr {
    unsigned version;
    int cap, ldz, normalised, encoding;
    double nmin, nmax;
    uint64_t count;   /* values */
    uint64_t payload; /* digits (digits encoding) or bytes (binary) */
    const uint8_t *table;
    uint64_t table_size;
    uint32_t ntensors, nmeta;
    const uint8_t *data; /* the value stream or binary payload */
    uint64_t data_off;   /* its offset in the stream */
} self_hdr;

/* Walks the tensor table; with `out` NULL only checks it (and adds up the
 * bytes it needs as names, keys and values with their NULs in *strings),
 * else fills out[]/meta[] with names copied to *sp. */
static dir_error walk_table(const self_hdr *h, uint64_t max_values, uint64_t *strings,
                            uint64_t *bytes, dira_tensor *out, dira_meta *meta, char **sp,
                            dir_diag *diag)
{
    const uint8_t *p = h->table + 8, *end = h->table + h->table_size;
    const uint64_t base = DIRA_HEADER_SIZE;
    uint64_t off = 0, values = 0, str = 0;
#define NEED(k, what)                                                                              \
    do {                                                                                           \
        if ((uint64_t)(end - p) < (uint64_t)(k))                                                   \
            return afail(diag, DIR_ESYNTAX, base + (uint64_t)(p - h->table),                       \
                         "tensor table ends inside %s", what);                                     \
    } while (0)
    for (uint32_t i = 0; i < h->ntensors; i++) {
        NEED(2, "a tensor name length");
        size_t nl = (size_t)get_le(p, 2);
        NEED(2 + nl + 2, "a tensor name");
        const uint8_t *name = p + 2;
        p += 2 + nl;
        unsigned dt = p[0], rank = p[1];
        p += 2;
        if (dt >= DIRA_DTYPE_COUNT)
            return afail(diag, DIR_ESYNTAX, base + (uint64_t)(p - 2 - h->table),
                         "tensor %u: unknown dtype %u", i, dt);
        if (rank > DIRA_MAX_RANK)
            return afail(diag, DIR_ESYNTAX, base + (uint64_t)(p - 1 - h->table),
                         "tensor %u: rank %u over the limit of %d", i, rank, DIRA_MAX_RANK);
        NEED(8 * (uint64_t)rank + 8, "a tensor shape");
        dira_tensor t;
        t.rank = rank;
        for (unsigned k = 0; k < rank; k++, p += 8)
            t.shape[k] = get_u64(p);
        uint64_t to = get_u64(p);
        p += 8;
        uint64_t ne = dira_tensor_elements(&t), sz = dtypes[dt].size;
        if (ne == UINT64_MAX || ne > DIRA_MAX_BYTES / sz || off + ne * sz > DIRA_MAX_BYTES)
            return afail(diag, DIR_ELIMIT, base + (uint64_t)(p - h->table),
                         "tensor %u: data over the limit of %llu bytes", i,
                         (unsigned long long)DIRA_MAX_BYTES);
        if (to != off)
            return afail(diag, DIR_ESYNTAX, base + (uint64_t)(p - 8 - h->table),
                         "tensor %u: offset %llu, expected %llu (tensors are stored in order, "
                         "back to back)",
                         i, (unsigned long long)to, (unsigned long long)off);
        values += ne;
        if (values > max_values)
            return afail(diag, DIR_ELIMIT, 8, "tensor table declares over %llu values",
                         (unsigned long long)max_values);
        if (out) {
            memcpy(*sp, name, nl);
            (*sp)[nl] = '\0';
            out[i].name = *sp;
            *sp += nl + 1;
            out[i].dtype = (dira_dtype)dt;
            out[i].rank = rank;
            memcpy(out[i].shape, t.shape, sizeof t.shape[0] * rank);
        }
        str += nl + 1;
        off += ne * sz;
    }
    for (uint32_t i = 0; i < h->nmeta; i++) {
        for (int kv = 0; kv < 2; kv++) {
            NEED(4, "a metadata length");
            uint64_t l = get_u32(p);
            NEED(4 + l, "a metadata string");
            if (out) {
                memcpy(*sp, p + 4, (size_t)l);
                (*sp)[l] = '\0';
                if (kv == 0)
                    meta[i].key = *sp;
                else
                    meta[i].value = *sp;
                *sp += l + 1;
            }
            str += l + 1;
            p += 4 + l;
        }
    }
#undef NEED
    if (p != end)
        return afail(diag, DIR_ESYNTAX, base + (uint64_t)(p - h->table),
                     "%llu bytes after the last entry of the tensor table",
                     (unsigned long long)(end - p));
    if (values != h->count)
        return afail(diag, DIR_ESYNTAX, 8,
                     "array header declares %llu values, its tensors hold %llu",
                     (unsigned long long)h->count, (unsigned long long)values);
    if (h->encoding == DIRA_ENCODING_BINARY && off != h->payload)
        return afail(diag, DIR_ESYNTAX, 16,
                     "array header declares %llu payload bytes, its tensors hold %llu",
                     (unsigned long long)h->payload, (unsigned long long)off);
    if (strings) *strings = str;
    if (bytes) *bytes = off;
    return DIR_OK;
}

static dir_error parse_self(const uint8_t *b, size_t n, int use_alpha, uint64_t max_values,
                            self_hdr *h, dir_diag *diag)
{
    memset(h, 0, sizeof *h);
    if (!header_magic(b, n)) return afail(diag, DIR_ESYNTAX, 0, "no self-describing header");
    h->version = b[4];
    if (b[4] != 1 && b[4] != 2)
        return afail(diag, DIR_ESYNTAX, 4, "array header version %u, this reader knows 1 and 2",
                     b[4]);
    const uint64_t fixed = h->version == 1 ? DIRA_HEADER_SIZE_V1 : DIRA_HEADER_SIZE;
    if (n < fixed) return afail(diag, DIR_ESYNTAX, 0, "array header cut short by the image");
    unsigned flags = b[5];
    unsigned cap = flags & FLAG_CAPACITY_MASK;
    if (cap > 2)
        return afail(diag, DIR_ESYNTAX, 5, "array header capacity %u out of range (0..2)", cap);
    if (flags & FLAG_RESERVED)
        return afail(diag, DIR_ESYNTAX, 5, "array header flags 0x%02x use reserved bits", flags);
    if (((flags & FLAG_ALPHA) != 0) != (use_alpha != 0))
        return afail(diag, DIR_ESYNTAX, 5, "array header alpha flag does not match the pixels");
    h->encoding = DIRA_ENCODING_DIGITS;
    if (h->version == 1) {
        if (b[6] || b[7])
            return afail(diag, DIR_ESYNTAX, 6, "array header reserved bytes are not zero");
    } else {
        if (b[6] > DIRA_ENCODING_BINARY)
            return afail(diag, DIR_ESYNTAX, 6, "array header encoding %u unknown (0..1)", b[6]);
        if (b[7]) return afail(diag, DIR_ESYNTAX, 7, "array header reserved byte is not zero");
        h->encoding = b[6];
        if (h->encoding == DIRA_ENCODING_BINARY && (cap || (flags & FLAG_LDZ)))
            return afail(diag, DIR_ESYNTAX, 5,
                         "array header: a binary payload has no capacity or lDecZeroes");
    }
    h->cap = (int)cap;
    h->ldz = (flags & FLAG_LDZ) != 0;
    h->normalised = (flags & FLAG_NORMALISED) != 0;
    h->count = get_u64(b + 8);
    h->payload = get_u64(b + 16);
    h->nmin = get_f64(b + 24);
    h->nmax = get_f64(b + 32);
    uint64_t after = (uint64_t)n - fixed; /* bytes after the fixed header */
    if (h->version == 2) {
        h->table_size = get_u32(b + 40);
        if (h->table_size < 8 || h->table_size > DIRA_MAX_TABLE || h->table_size > after)
            return afail(diag, DIR_ESYNTAX, 40,
                         "array header declares a tensor table of %llu bytes (8 to %llu, and "
                         "the pixels hold %llu)",
                         (unsigned long long)h->table_size, (unsigned long long)DIRA_MAX_TABLE,
                         (unsigned long long)after);
        h->table = b + fixed;
        h->ntensors = get_u32(h->table);
        h->nmeta = get_u32(h->table + 4);
        if (h->ntensors > DIRA_MAX_TENSORS || h->nmeta > DIRA_MAX_META)
            return afail(diag, DIR_ELIMIT, fixed,
                         "tensor table declares %u tensors and %u metadata pairs (limits %d, %d)",
                         h->ntensors, h->nmeta, DIRA_MAX_TENSORS, DIRA_MAX_META);
        after -= h->table_size;
    }
    h->data_off = fixed + h->table_size;
    h->data = b + h->data_off;
    uint64_t data_bytes;
    if (h->encoding == DIRA_ENCODING_DIGITS) {
        uint64_t avail = after * 2;
        if (h->payload > avail)
            return afail(diag, DIR_ESYNTAX, 16,
                         "array header declares %llu digits, the pixels hold %llu after the "
                         "header",
                         (unsigned long long)h->payload, (unsigned long long)avail);
        if (h->count > h->payload / 2)
            return afail(diag, DIR_ESYNTAX, 8,
                         "array header declares %llu values in only %llu digits",
                         (unsigned long long)h->count, (unsigned long long)h->payload);
        data_bytes = (h->payload + 1) / 2;
    } else {
        if (h->payload > after)
            return afail(diag, DIR_ESYNTAX, 16,
                         "array header declares %llu payload bytes, the pixels hold %llu after "
                         "the header",
                         (unsigned long long)h->payload, (unsigned long long)after);
        data_bytes = h->payload;
    }
    if (h->count > max_values)
        return afail(diag, DIR_ELIMIT, 8,
                     "array header declares %llu values, over the limit of %llu",
                     (unsigned long long)h->count, (unsigned long long)max_values);
    if (h->normalised ? !(isfinite(h->nmin) && isfinite(h->nmax) && h->nmin <= h->nmax)
                      : (get_u64(b + 24) != 0 || get_u64(b + 32) != 0))
        return afail(diag, DIR_ESYNTAX, 24, "array header normalisation min/max are invalid");
    const unsigned crc_off = h->version == 1 ? HDR_CRC_OFFSET : HDR2_CRC_OFFSET;
    uint32_t crc = dir_crc32(0, b, crc_off);
    crc = dir_crc32(crc, b + fixed, (size_t)(h->table_size + data_bytes));
    uint32_t want = get_u32(b + crc_off);
    if (crc != want)
        return afail(diag, DIR_ECRC, crc_off,
                     "array CRC mismatch: header says %08x, data gives %08x; the image was "
                     "probably re-encoded lossily or resized",
                     want, crc);
    if (h->encoding == DIRA_ENCODING_DIGITS && (h->payload & 1) && (h->data[data_bytes - 1] & 15u))
        return afail(diag, DIR_ESYNTAX, h->data_off + data_bytes - 1,
                     "nonzero padding digit after the value stream");
    for (size_t k = (size_t)(h->data_off + data_bytes); k < n; k++)
        if (b[k])
            return afail(diag, DIR_ESYNTAX, k, "nonzero byte %u at byte %zu after the value stream",
                         b[k], k);
    if (h->version == 2) {
        dir_error e = walk_table(h, max_values, NULL, NULL, NULL, NULL, NULL, diag);
        if (e != DIR_OK) return e;
    }
    return DIR_OK;
}

/* Reads the value stream of a digits payload into vals[0..count). */
static dir_error read_digit_stream(const self_hdr *h, double *vals, dir_diag *diag)
{
    char vs[DIRA_NUMBER_BUFSIZE];
    const uint64_t digits = h->payload, count = h->count, base = h->data_off;
    uint64_t pos = 0, ndel;
    /* the digits one per byte, a DELIM sentinel at digits */
    uint8_t *u = unpack_nibbles(h->data, (size_t)((digits + 1) / 2), &ndel);
    if (!u) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    u[digits] = DELIM;
    dir_error err = DIR_OK;
    for (uint64_t i = 0; i < count; i++) {
        if (pos >= digits || u[pos] != DELIM) {
            err = afail(diag, DIR_ESYNTAX, base + pos / 2,
                        "value %llu: expected 'f' at digit %llu of the value stream",
                        (unsigned long long)i, (unsigned long long)pos);
            goto done;
        }
        pos++;
        if (u[pos] == DELIM && pos < digits) { /* escape */
            pos++;
            if (digits - pos < ESCAPE_DIGITS) {
                err = afail(diag, DIR_ESYNTAX, base + pos / 2,
                            "value %llu: escape cut short by the end of the stream",
                            (unsigned long long)i);
                goto done;
            }
            uint64_t bits = 0;
            for (int k = 0; k < ESCAPE_DIGITS; k++) {
                unsigned d = u[pos + (uint64_t)k];
                if (d == DELIM || bits > (UINT64_MAX - d) / 15) {
                    err = afail(diag, DIR_ESYNTAX, base + pos / 2, "value %llu: malformed escape",
                                (unsigned long long)i);
                    goto done;
                }
                bits = bits * 15 + d;
            }
            pos += ESCAPE_DIGITS;
            double v;
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v)) {
                dira_shortest(v, vs);
                err = afail(diag, DIR_ESYNTAX, base + pos / 2,
                            "value %s at index %llu: an escape holds a non-finite number", vs,
                            (unsigned long long)i);
                goto done;
            }
            vals[i] = v;
            continue;
        }
        uint64_t st = pos;
        pos = (uint64_t)(next_delim(u + pos) - u); /* the sentinel stops it at digits */
        if (pos - st > DIRA_MAX_TOKEN) {
            err = afail(diag, DIR_ESYNTAX, base + st / 2,
                        "value %llu: value string longer than %d digits", (unsigned long long)i,
                        DIRA_MAX_TOKEN);
            goto done;
        }
        const char *msg = "";
        if (parse_token(u + st, (size_t)(pos - st), h->cap, h->ldz, 0, &vals[i], &msg) != DIR_OK) {
            err = afail(diag, DIR_ESYNTAX, base + st / 2, "value %llu: %s", (unsigned long long)i,
                        msg);
            goto done;
        }
    }
    if (pos != digits)
        err = afail(diag, DIR_ESYNTAX, base + pos / 2, "%llu digits after the last of %llu values",
                    (unsigned long long)(digits - pos), (unsigned long long)count);
done:
    free(u);
    return err;
}

static void fill_info(const self_hdr *h, int use_alpha, dira_info *info)
{
    if (!info) return;
    info->classic = 0;
    info->capacity = h->cap;
    info->ldeczeroes = h->ldz;
    info->alpha = use_alpha;
    info->normalised = h->normalised;
    info->norm_min = h->normalised ? h->nmin : 0;
    info->norm_max = h->normalised ? h->nmax : 0;
    info->count = h->count;
    info->stream_digits = h->encoding == DIRA_ENCODING_DIGITS ? h->payload : 0;
    info->version = h->version;
    info->encoding = h->encoding;
    info->payload_bytes = h->encoding == DIRA_ENCODING_DIGITS ? (h->payload + 1) / 2 : h->payload;
    info->tensors = h->version == 1 ? 1 : h->ntensors;
}

/* Binary payload: tensor i's bytes, unshuffled, into out (C order, LE). */
static dir_error read_binary(const self_hdr *h, const dira_tensor *tt, uint8_t *const *outs,
                             dir_diag *diag)
{
    const uint8_t *p = h->data;
    for (uint32_t i = 0; i < h->ntensors; i++) {
        uint64_t ne = dira_tensor_elements(&tt[i]);
        unsigned sz = dtypes[tt[i].dtype].size;
        if (tt[i].dtype == DIRA_BOOL)
            for (uint64_t k = 0; k < ne; k++)
                if (p[k] > 1)
                    return afail(diag, DIR_ESYNTAX, h->data_off + (uint64_t)(p - h->data) + k,
                                 "tensor %u: bool element %llu is %u, not 0 or 1", i,
                                 (unsigned long long)k, p[k]);
        unshuffle(p, ne, sz, outs[i]);
        p += ne * sz;
    }
    return DIR_OK;
}

/* The tensors of a checked version-2 header, in one allocation. */
static dir_error build_tensors(const self_hdr *h0, uint64_t max_values, dira_tensors **out,
                               dir_diag *diag)
{
    const self_hdr hh = *h0, *hp = &hh;
#define h (*hp)
    uint64_t strings = 0, bytes = 0;
    dir_error e = walk_table(&h, max_values, &strings, &bytes, NULL, NULL, NULL, diag);
    if (e != DIR_OK) return e;
    size_t head = sizeof(dira_tensors) + h.ntensors * sizeof(dira_tensor) +
                  h.nmeta * sizeof(dira_meta) + (size_t)strings;
    head = (head + 15) & ~(size_t)15;
    uint8_t *blk = malloc(head + (size_t)bytes + 1);
    double *vals = NULL;
    if (blk && h.encoding == DIRA_ENCODING_DIGITS && h.count) {
        vals = malloc((size_t)h.count * sizeof *vals);
        if (!vals) {
            free(blk);
            blk = NULL;
        }
    }
    if (!blk)
        return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory for %llu bytes of tensors",
                     (unsigned long long)bytes);
    dira_tensors *ts = (dira_tensors *)blk;
    memset(ts, 0, sizeof *ts);
    ts->count = h.ntensors;
    ts->tensors = (dira_tensor *)(blk + sizeof *ts);
    ts->meta_count = h.nmeta;
    ts->meta = (dira_meta *)(blk + sizeof *ts + h.ntensors * sizeof(dira_tensor));
    memset(ts->tensors, 0, h.ntensors * sizeof(dira_tensor));
    char *sp = (char *)(ts->meta + h.nmeta);
    e = walk_table(&h, max_values, NULL, NULL, ts->tensors, ts->meta, &sp, diag);
    uint8_t *d = blk + head;
    uint8_t **outs = e == DIR_OK ? calloc(h.ntensors ? h.ntensors : 1, sizeof *outs) : NULL;
    if (e == DIR_OK && !outs) e = afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    for (uint32_t i = 0; e == DIR_OK && i < h.ntensors; i++) {
        ts->tensors[i].data = d;
        outs[i] = d;
        d += dira_tensor_elements(&ts->tensors[i]) * dtypes[ts->tensors[i].dtype].size;
    }
    if (e == DIR_OK && h.encoding == DIRA_ENCODING_BINARY) {
        e = read_binary(&h, ts->tensors, outs, diag);
    } else if (e == DIR_OK) {
        if (h.count) e = read_digit_stream(&h, vals, diag);
        uint64_t k = 0;
        for (uint32_t i = 0; e == DIR_OK && i < h.ntensors; i++) {
            const dira_tensor *t = &ts->tensors[i];
            uint64_t ne = dira_tensor_elements(t);
            for (uint64_t j = 0; j < ne; j++, k++)
                if (store_element(outs[i], t->dtype, j, vals[k]) != 0) {
                    char vs[DIRA_NUMBER_BUFSIZE];
                    dira_shortest(vals[k], vs);
                    e = afail(diag, DIR_ESYNTAX, (uint64_t)-1,
                              "value %s at index %llu does not fit tensor " DIRA_NAME_FMT " (%s)",
                              vs, (unsigned long long)k, DIRA_NAME_ARG(t->name),
                              dtypes[t->dtype].name);
                    break;
                }
        }
    }
#undef h
    free(outs);
    free(vals);
    if (e != DIR_OK) {
        free(blk);
        return e;
    }
    *out = ts;
    return DIR_OK;
}

static dir_error decode_self(const uint8_t *b, size_t n, int use_alpha, uint64_t max_values,
                             double **values_out, size_t *count_out, dira_info *info,
                             dir_diag *diag)
{
    self_hdr h;
    dir_error e = parse_self(b, n, use_alpha, max_values, &h, diag);
    if (e != DIR_OK) return e;
    double *vals = NULL;
    if (h.count) {
        vals = malloc((size_t)h.count * sizeof *vals);
        if (!vals)
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory for %llu values",
                         (unsigned long long)h.count);
    }
    if (h.encoding == DIRA_ENCODING_DIGITS) {
        e = read_digit_stream(&h, vals, diag);
    } else {
        /* every tensor unshuffled, then converted to doubles */
        dira_tensors *ts = NULL;
        e = build_tensors(&h, max_values, &ts, diag);
        uint64_t k = 0;
        for (size_t i = 0; e == DIR_OK && i < ts->count; i++) {
            const dira_tensor *t = &ts->tensors[i];
            uint64_t ne = dira_tensor_elements(t);
            for (uint64_t j = 0; j < ne; j++) {
                int exact;
                vals[k++] = element_double(t->data, t->dtype, j, &exact);
                if (!exact) {
                    e = afail(diag, DIR_ERANGE, (uint64_t)-1,
                              "tensor " DIRA_NAME_FMT
                              " element %llu: a %s integer with no exact double "
                              "(read the tensors instead)",
                              DIRA_NAME_ARG(t->name), (unsigned long long)j, dtypes[t->dtype].name);
                    break;
                }
            }
        }
        free(ts);
    }
    if (e != DIR_OK) {
        free(vals);
        return e;
    }
    *values_out = vals;
    *count_out = (size_t)h.count;
    fill_info(&h, use_alpha, info);
    return DIR_OK;
}

/* Reads the first m values of a classic stream of unpacked nibbles u from
 * *pos (each string ended by a DELIM, which m < the DELIM count
 * guarantees), with cap and ldz constants where inlined.  Returns how many
 * were read: fewer when one is malformed, *pos then at its start (the
 * caller reads it again to name the error); else *pos after the last 'f'. */
static ALWAYS_INLINE uint64_t classic_run(const uint8_t *u, uint64_t *pos, uint64_t m, int cap,
                                          int ldz, double *vals)
{
    uint64_t p = *pos, i;
    for (i = 0; i < m; i++) {
        uint64_t e = (uint64_t)(next_delim(u + p) - u);
        const char *msg;
        if (e - p > DIRA_MAX_TOKEN ||
            parse_token(u + p, (size_t)(e - p), cap, ldz, 1, &vals[i], &msg) != DIR_OK)
            break;
        p = e + 1;
    }
    *pos = p;
    return i;
}

static dir_error decode_classic(const uint8_t *b, size_t n, int cap, int ldz, uint64_t max_values,
                                double **values_out, size_t *count_out, dira_info *info,
                                dir_diag *diag)
{
    uint64_t nd = (uint64_t)n * 2;
    uint64_t count = 0, first = UINT64_MAX;
    uint8_t *u = unpack_nibbles(b, n, &count);
    if (!u) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    if (count == 0) {
        free(u);
        return afail(diag, DIR_ESYNTAX, 0,
                     "no 'f' delimiter in the pixel data: not an IMGArrays image");
    }
    if (count > max_values) {
        free(u);
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "%llu values, over the limit of %llu",
                     (unsigned long long)count, (unsigned long long)max_values);
    }
    double *vals = malloc((size_t)count * sizeof *vals);
    if (!vals) {
        free(u);
        return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory for %llu values",
                     (unsigned long long)count);
    }
    first = (uint64_t)(next_delim(u) - u);
    uint64_t pos = first + 1;
    /* all values but the last, each ended by its 'f', in a loop made for
     * the configuration; an error stops it early and is named below */
    uint64_t done;
    switch (cap * 2 + ldz) {
    case 0: done = classic_run(u, &pos, count - 1, 0, 0, vals); break;
    case 1: done = classic_run(u, &pos, count - 1, 0, 1, vals); break;
    case 2: done = classic_run(u, &pos, count - 1, 1, 0, vals); break;
    case 3: done = classic_run(u, &pos, count - 1, 1, 1, vals); break;
    case 4: done = classic_run(u, &pos, count - 1, 2, 0, vals); break;
    default: done = classic_run(u, &pos, count - 1, 2, 1, vals); break;
    }
    for (uint64_t i = done; i < count; i++) {
        uint64_t st = pos;
        /* the sentinel at nd stops the search */
        pos = pos < nd ? (uint64_t)(next_delim(u + pos) - u) : nd;
        uint64_t e = pos;
        if (i == count - 1) {
            /* Final value: trailing zero digits are padding, down to the
             * length the string's own characters demand. */
            /* the first characters are read only where the string has
             * them (capacity 0 has none) */
            unsigned c0 = cap >= 1 && st < e ? u[st] : 0;
            unsigned c1 = cap == 2 && st + 1 < e ? u[st + 1] : 0;
            uint64_t minlen = (cap == 1 && st >= e) || (cap == 2 && st + 1 >= e)
                                  ? (uint64_t)cap + (uint64_t)ldz
                                  : classic_min_len(c0, c1, cap, ldz);
            while (e > st + minlen && u[e - 1] == 0)
                e--;
        }
        if (e - st > DIRA_MAX_TOKEN) {
            free(vals);
            free(u);
            return afail(diag, DIR_ESYNTAX, st / 2,
                         "value %llu: value string of %llu digits, over the limit of %d",
                         (unsigned long long)i, (unsigned long long)(e - st), DIRA_MAX_TOKEN);
        }
        const char *msg = "";
        if (parse_token(u + st, (size_t)(e - st), cap, ldz, 1, &vals[i], &msg) != DIR_OK) {
            free(vals);
            free(u);
            return afail(diag, DIR_ESYNTAX, st / 2, "value %llu (byte %llu): %s",
                         (unsigned long long)i, (unsigned long long)(st / 2), msg);
        }
        pos++; /* skip the next 'f' */
    }
    free(u);
    *values_out = vals;
    *count_out = (size_t)count;
    if (info) {
        info->classic = 1;
        info->capacity = cap;
        info->ldeczeroes = ldz;
        info->count = count;
        info->stream_digits = nd - first;
    }
    return DIR_OK;
}

dir_error dira_decode(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                      size_t stride, const dira_options *opt, double **values, size_t *count,
                      dira_info *info, dir_diag *diag)
{
    dir_diag_clear(diag);
    if (!pixels || !values || !count || width == 0 || height == 0)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    *values = NULL;
    *count = 0;
    if (channels != 3 && channels != 4)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "arrays live in RGB or RGBA pixels, not %u-channel ones", channels);
    if (width > DIR_MAX_DIM || height > DIR_MAX_DIM || (uint64_t)width * height > DIR_MAX_PIXELS)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "image %ux%u over the limits", width, height);
    if (stride == 0) stride = (size_t)width * channels;
    if (stride < (size_t)width * channels)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "stride smaller than a row");
    uint64_t max_values = DIRA_MAX_VALUES;
    if (opt && opt->max_values && opt->max_values < max_values) max_values = opt->max_values;
    if (info) {
        memset(info, 0, sizeof *info);
        info->width = width;
        info->height = height;
        info->channels = channels;
    }
    int use_alpha = -1;
    if (channels == 4 && peek_magic(pixels, width, height, channels, stride, 1))
        use_alpha = 1;
    else if (peek_magic(pixels, width, height, channels, stride, 0))
        use_alpha = 0;
    if (use_alpha < 0) {
        uint8_t m[4];
        if ((!opt || !opt->classic) && damaged_header(pixels, width, height, channels, stride, m))
            return afail(diag, DIR_ESYNTAX, 0,
                         "self-describing array header present but damaged (magic %02x %02x "
                         "%02x %02x, not ff 44 52 41): %s",
                         m[0], m[1], m[2], m[3], damage_hint);
        if (!opt || !opt->classic)
            return afail(diag, DIR_EINVAL, 0,
                         "no self-describing array header; a classic IMGArrays image needs its "
                         "configuration (classic decoding with capacity, ldeczeroes, alpha)");
        if (opt->capacity < 0 || opt->capacity > 2 ||
            (opt->ldeczeroes != 0 && opt->ldeczeroes != 1))
            return afail(diag, DIR_EINVAL, (uint64_t)-1,
                         "classic decoding needs capacity 0, 1 or 2 and ldeczeroes 0 or 1");
        if (opt->alpha && channels != 4)
            return afail(diag, DIR_EINVAL, (uint64_t)-1,
                         "alpha asked for, but the image has no alpha channel");
        size_t n;
        uint8_t *b = NULL;
        const uint8_t *data =
            stream_bytes(pixels, width, height, channels, stride, opt->alpha != 0, &n, &b);
        if (!data) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
        dir_error e = decode_classic(data, n, opt->capacity, opt->ldeczeroes, max_values, values,
                                     count, info, diag);
        free(b);
        if (e == DIR_OK && info) info->alpha = opt->alpha != 0;
        return e;
    }
    size_t n;
    uint8_t *b = NULL;
    const uint8_t *data = stream_bytes(pixels, width, height, channels, stride, use_alpha, &n, &b);
    if (!data) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    dir_error e = decode_self(data, n, use_alpha, max_values, values, count, info, diag);
    free(b);
    return e;
}

/* ------------------------------------------------------------------------ */
/* Normalisation                                                             */

dir_error dira_normalise(double *values, size_t count, double *min, double *max, dir_diag *diag)
{
    char vs[DIRA_NUMBER_BUFSIZE];
    dir_diag_clear(diag);
    if ((!values && count) || !min || !max)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    *min = *max = 0;
    if (count == 0) return DIR_OK;
    double lo = values[0], hi = values[0];
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i])) {
            dira_shortest(values[i], vs);
            return afail(diag, DIR_ERANGE, (uint64_t)-1,
                         "value %s at index %zu is not a finite number", vs, i);
        }
        if (values[i] < lo) lo = values[i];
        if (values[i] > hi) hi = values[i];
    }
    double range = hi - lo;
    if (!isfinite(range))
        return afail(diag, DIR_ERANGE, (uint64_t)-1, "range from %g to %g overflows a double", lo,
                     hi);
    for (size_t i = 0; i < count; i++)
        values[i] = range == 0 ? 0.5 : (values[i] - lo) / range;
    *min = lo;
    *max = hi;
    return DIR_OK;
}

void dira_unnormalise(double *values, size_t count, double min, double max)
{
    if (!values) return;
    double range = max - min;
    for (size_t i = 0; i < count; i++)
        values[i] = range == 0 ? min : values[i] * range + min;
}

/* ------------------------------------------------------------------------ */
/* Statistics and heatmap                                                    */

/* One step of Neumaier's compensated summation. */
static void neumaier_add(double *sum, double *comp, double x)
{
    double s = *sum + x;
    if (fabs(*sum) >= fabs(x))
        *comp += (*sum - s) + x;
    else
        *comp += (x - s) + *sum;
    *sum = s;
}

dir_error dira_stats_compute(const double *values, size_t count, dira_stats *stats, dir_diag *diag)
{
    char vs[DIRA_NUMBER_BUFSIZE];
    dir_diag_clear(diag);
    if ((!values && count) || !stats)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    memset(stats, 0, sizeof *stats);
    stats->count = count;
    if (count == 0) return DIR_OK;
    double lo = values[0], hi = values[0];
    double sum = 0, comp = 0, ssum = 0, scomp = 0;
    for (size_t i = 0; i < count; i++) {
        double v = values[i];
        if (!isfinite(v)) {
            dira_shortest(v, vs);
            return afail(diag, DIR_ERANGE, (uint64_t)-1,
                         "value %s at index %zu is not a finite number", vs, i);
        }
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        /* Neumaier summation of the values (one rounding at the end), and
         * of the values in units of 1/count, which stays finite when the
         * plain sum overflows */
        neumaier_add(&sum, &comp, v);
        neumaier_add(&ssum, &scomp, v / (double)count);
    }
    stats->min = lo;
    stats->max = hi;
    double total = sum + comp;
    stats->mean = isfinite(total) ? total / (double)count : ssum + scomp;
    return DIR_OK;
}

/* Diverging map (ColorBrewer RdBu end and middle colours), white at zero. */
void dira_colour(double value, double scale, uint8_t rgb[3])
{
    static const double neg[3][3] = {{255, 255, 255}, {146, 197, 222}, {33, 102, 172}};
    static const double pos[3][3] = {{255, 255, 255}, {244, 165, 130}, {178, 24, 43}};
    double t = 0;
    if (scale > 0 && isfinite(value)) t = value / scale;
    if (isnan(t)) t = 0;
    const double(*ramp)[3] = t < 0 ? neg : pos;
    t = fabs(t);
    if (t > 1) t = 1;
    int seg = t < 0.5 ? 0 : 1;
    double f = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    for (int c = 0; c < 3; c++) {
        double x = ramp[seg][c] + (ramp[seg + 1][c] - ramp[seg][c]) * f;
        rgb[c] = (uint8_t)lround(x);
    }
}

dir_error dira_heatmap(const double *values, size_t count, uint32_t rows, uint32_t cols,
                       uint8_t **rgb, uint32_t *width, uint32_t *height, dira_stats *stats,
                       dir_diag *diag)
{
    return dira_heatmap_scaled(values, count, rows, cols, 0, rgb, width, height, stats, diag);
}

dir_error dira_heatmap_scaled(const double *values, size_t count, uint32_t rows, uint32_t cols,
                              double scale, uint8_t **rgb, uint32_t *width, uint32_t *height,
                              dira_stats *stats, dir_diag *diag)
{
    dir_diag_clear(diag);
    if (!values || !rgb || !width || !height)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    if (!(scale >= 0) || !isfinite(scale))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "the colour scale must be finite and >= 0");
    *rgb = NULL;
    if (count == 0) return afail(diag, DIR_EINVAL, (uint64_t)-1, "no values to draw");
    if ((rows == 0) != (cols == 0))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "give both rows and columns, or neither");
    uint64_t r = rows, c = cols;
    if (r == 0) {
        c = (uint64_t)ceil(sqrt((double)count));
        while (c * c < count)
            c++;
        while (c > 1 && (c - 1) * (c - 1) >= count)
            c--;
        r = (count + c - 1) / c;
    }
    if (r * c < count)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "shape %llux%llu has %llu cells for %zu values", (unsigned long long)r,
                     (unsigned long long)c, (unsigned long long)(r * c), count);
    if (r > DIR_MAX_DIM || c > DIR_MAX_DIM || r * c > DIR_MAX_PIXELS)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "heatmap %llux%llu over the limits",
                     (unsigned long long)r, (unsigned long long)c);
    dira_stats st;
    dir_error e = dira_stats_compute(values, count, &st, diag);
    if (e != DIR_OK) return e;
    if (scale == 0) scale = fmax(fabs(st.min), fabs(st.max));
    size_t cells = (size_t)(r * c);
    uint8_t *out = malloc(cells * 3);
    if (!out) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    for (size_t i = 0; i < cells; i++) {
        if (i < count)
            dira_colour(values[i], scale, out + 3 * i);
        else
            out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = DIRA_HEATMAP_EMPTY;
    }
    *rgb = out;
    *width = (uint32_t)c;
    *height = (uint32_t)r;
    if (stats) *stats = st;
    return DIR_OK;
}

/* ------------------------------------------------------------------------ */
/* Tensors out                                                               */

/* One unnamed 1-D float64 tensor holding vals (taken over). */
static dir_error wrap_values(double *vals, size_t n, dira_tensors **out, dir_diag *diag)
{
    size_t head = sizeof(dira_tensors) + sizeof(dira_tensor);
    head = (head + 15) & ~(size_t)15;
    uint8_t *blk = malloc(head + n * sizeof(double) + 1);
    if (!blk) {
        dir_free(vals);
        return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    }
    dira_tensors *ts = (dira_tensors *)blk;
    dira_tensor *t = (dira_tensor *)(blk + sizeof *ts);
    memset(ts, 0, sizeof *ts);
    memset(t, 0, sizeof *t);
    ts->count = 1;
    ts->tensors = t;
    t->name = "";
    t->dtype = DIRA_F64;
    t->rank = 1;
    t->shape[0] = n;
    uint8_t *d = blk + head;
    for (size_t i = 0; i < n; i++)
        put_f64(d + 8 * i, vals[i]);
    t->data = d;
    dir_free(vals);
    *out = ts;
    return DIR_OK;
}

dir_error dira_decode_tensors(const uint8_t *pixels, uint32_t width, uint32_t height,
                              unsigned channels, size_t stride, const dira_options *opt,
                              dira_tensors **out, dira_info *info, dir_diag *diag)
{
    dir_diag_clear(diag);
    if (!pixels || !out || width == 0 || height == 0)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    *out = NULL;
    if (channels != 3 && channels != 4)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "arrays live in RGB or RGBA pixels, not %u-channel ones", channels);
    if (width > DIR_MAX_DIM || height > DIR_MAX_DIM || (uint64_t)width * height > DIR_MAX_PIXELS)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1, "image %ux%u over the limits", width, height);
    if (stride == 0) stride = (size_t)width * channels;
    if (stride < (size_t)width * channels)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "stride smaller than a row");
    uint64_t max_values = DIRA_MAX_VALUES;
    if (opt && opt->max_values && opt->max_values < max_values) max_values = opt->max_values;
    int use_alpha = -1;
    if (channels == 4 && peek_magic(pixels, width, height, channels, stride, 1))
        use_alpha = 1;
    else if (peek_magic(pixels, width, height, channels, stride, 0))
        use_alpha = 0;
    size_t n;
    uint8_t *b =
        use_alpha < 0 ? NULL : gather(pixels, width, height, channels, stride, use_alpha, &n);
    if (use_alpha >= 0 && !b) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    if (use_alpha < 0 || b[4] == 1) {
        /* classic or version 1 (or a damaged header: dira_decode says so):
         * the values as one tensor */
        free(b);
        double *v;
        size_t cnt;
        dir_error e =
            dira_decode(pixels, width, height, channels, stride, opt, &v, &cnt, info, diag);
        if (e != DIR_OK) return e;
        return wrap_values(v, cnt, out, diag);
    }
    self_hdr h;
    dira_tensors *ts = NULL;
    dir_error e = parse_self(b, n, use_alpha, max_values, &h, diag);
    if (e == DIR_OK) e = build_tensors(&h, max_values, &ts, diag);
    free(b);
    if (e != DIR_OK) return e;
    if (info) {
        memset(info, 0, sizeof *info);
        info->width = width;
        info->height = height;
        info->channels = channels;
        fill_info(&h, use_alpha, info);
    }
    *out = ts;
    return DIR_OK;
}

/* ------------------------------------------------------------------------ */
/* Tensor heatmaps                                                           */

/* Element i of t as a double. */
static double heat_value(const dira_tensor *t, uint64_t i)
{
    double d;
    dira_element_double(t, i, &d);
    return d;
}

/* The bits of |d|: non-negative doubles sort as their bit patterns do. */
static uint64_t heat_mag_bits(double d)
{
    d = fabs(d);
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* Most candidates heat_kth_magnitude copies (32 MiB) rather than reading
 * the tensor again. */
#define HEAT_SELECT_COPY ((uint64_t)1 << 22)

/* The k-th smallest (1-based) of the finite magnitudes |v| of t's n
 * elements, exactly, by a radix select on their bits, 16 at a time: `hist`
 * holds the histogram of the top 16 bits (65536 counts, filled by the
 * caller's pass over the values, and used here as scratch).  Once the
 * values sharing the bits found so far are few (HEAT_SELECT_COPY), they are
 * copied and the rest is found among them; otherwise another pass over the
 * tensor counts the next 16 bits.  -1 when out of memory. */
static double heat_kth_magnitude(const dira_tensor *t, uint64_t n, uint64_t k, uint64_t *hist)
{
    uint64_t prefix = 0, *cand = NULL, m = 0;
    for (int shift = 48;; shift -= 16) {
        if (shift < 48) {
            memset(hist, 0, 65536 * sizeof *hist);
            if (cand) {
                for (uint64_t j = 0; j < m; j++)
                    hist[(cand[j] >> shift) & 0xFFFF]++;
            } else {
                for (uint64_t i = 0; i < n; i++) {
                    double d = heat_value(t, i);
                    if (!isfinite(d)) continue;
                    uint64_t u = heat_mag_bits(d);
                    if (u >> (shift + 16) == prefix) hist[(u >> shift) & 0xFFFF]++;
                }
            }
        }
        uint64_t digit = 0;
        while (digit < 65535 && hist[digit] < k)
            k -= hist[digit++];
        prefix = prefix << 16 | digit;
        if (shift == 0) break;
        uint64_t count = hist[digit];
        if (cand) {
            /* keep the candidates with this digit */
            uint64_t w = 0;
            for (uint64_t j = 0; j < m; j++)
                if (cand[j] >> shift == prefix) cand[w++] = cand[j];
            m = w;
        } else if (count <= HEAT_SELECT_COPY) {
            cand = malloc((size_t)(count ? count : 1) * sizeof *cand);
            if (!cand) return -1;
            for (uint64_t i = 0; i < n; i++) {
                double d = heat_value(t, i);
                if (!isfinite(d)) continue;
                uint64_t u = heat_mag_bits(d);
                if (u >> shift == prefix) cand[m++] = u;
            }
        }
    }
    free(cand);
    double r;
    memcpy(&r, &prefix, sizeof r);
    return r;
}

/* The smallest factor f with ceil(len / f) <= max (max >= 1). */
static uint64_t heat_factor(uint64_t len, uint64_t max)
{
    return len <= max ? 1 : (len + max - 1) / max;
}

dir_error dira_heatmap_tensor(const dira_tensor *t, const dira_heat_options *opt_in, dira_heat *out,
                              dir_diag *diag)
{
    dir_diag_clear(diag);
    dira_heat_options opt;
    if (opt_in)
        opt = *opt_in;
    else
        memset(&opt, 0, sizeof opt);
    if (!t || !out || (unsigned)t->dtype >= DIRA_DTYPE_COUNT || t->rank > DIRA_MAX_RANK)
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid argument");
    memset(out, 0, sizeof *out);
    if (!(opt.scale >= 0) || !isfinite(opt.scale) || !(opt.percentile >= 0) ||
        opt.percentile > 100 || (opt.tile_rows == 0) != (opt.tile_cols == 0))
        return afail(diag, DIR_EINVAL, (uint64_t)-1, "invalid heatmap option");
    uint64_t n = dira_tensor_elements(t);
    if (n == 0 || n == UINT64_MAX)
        return afail(diag, DIR_EINVAL, (uint64_t)-1,
                     "tensor " DIRA_NAME_FMT " has no values to draw", DIRA_NAME_ARG(t->name));
    if (n > DIR_MAX_PIXELS)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1,
                     "tensor " DIRA_NAME_FMT ": %llu values, over %llu cells",
                     DIRA_NAME_ARG(t->name), (unsigned long long)n,
                     (unsigned long long)DIR_MAX_PIXELS);
    /* the layout: rows x cols of the tensor, before tiling */
    uint64_t rows, cols;
    if (t->rank == 0) {
        rows = cols = 1;
    } else if (t->rank == 1) {
        cols = n < 1024 ? n : 1024;
        rows = (n + cols - 1) / cols;
    } else {
        cols = t->shape[t->rank - 1];
        rows = n / cols;
    }
    /* tiles: each row (or column) of a 2-D layout as an R x C tile */
    uint64_t R = opt.tile_rows, C = opt.tile_cols, tiles = 1, gr = 1, gc = 1;
    int by_cols = 0;
    if (R) {
        if (cols == R * C)
            tiles = rows;
        else if (t->rank == 2 && rows == R * C)
            tiles = cols, by_cols = 1;
        else
            return afail(diag, DIR_EINVAL, (uint64_t)-1,
                         "tensor " DIRA_NAME_FMT
                         ": --tiles %llux%llu needs rows or columns of %llu values",
                         DIRA_NAME_ARG(t->name), (unsigned long long)R, (unsigned long long)C,
                         (unsigned long long)(R * C));
        gc = (uint64_t)ceil(sqrt((double)tiles));
        if (gc == 0) gc = 1;
        gr = (tiles + gc - 1) / gc;
    }
    /* the reduction: untiled, the layout is one "tile" of rows x cols; the
     * smallest factor per axis that brings the picture within
     * DIRA_HEAT_MAX_SIDE cells a side, blocks never straddling two tiles */
    uint64_t TR = R ? R : rows, TC = R ? C : cols; /* a tile's rows and columns */
    const uint64_t MAX = DIRA_HEAT_MAX_SIDE;
    uint64_t rmax = (MAX + 1) / gr - 1, cmax = (MAX + 1) / gc - 1; /* cells a tile may have */
    if (rmax < 1 || cmax < 1)
        return afail(diag, DIR_ELIMIT, (uint64_t)-1,
                     "heatmap of " DIRA_NAME_FMT ": %llu tiles in a grid of %llu x %llu are "
                     "over %llu cells a side even at one cell a tile",
                     DIRA_NAME_ARG(t->name), (unsigned long long)tiles, (unsigned long long)gr,
                     (unsigned long long)gc, (unsigned long long)MAX);
    uint64_t fy = heat_factor(TR, rmax), fx = heat_factor(TC, cmax);
    uint64_t CR = (TR + fy - 1) / fy, CC = (TC + fx - 1) / fx; /* a tile's drawn cells */
    uint64_t W = gc * (CC + 1) - 1, H = gr * (CR + 1) - 1;

    /* statistics over every value, read from the tensor (no copy); the
     * percentile's first histogram in the same pass */
    uint64_t *hist = NULL;
    if (opt.scale == 0 && !(hist = calloc(65536, sizeof *hist)))
        return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    uint64_t fin = 0;
    double lo = INFINITY, hi = -INFINITY, sum = 0, comp = 0;
    for (uint64_t i = 0; i < n; i++) {
        double d = heat_value(t, i);
        if (!isfinite(d)) {
            out->nonfinite++;
            continue;
        }
        fin++;
        if (hist) hist[heat_mag_bits(d) >> 48]++;
        if (d < lo) lo = d;
        if (d > hi) hi = d;
        neumaier_add(&sum, &comp, d);
    }
    double mean = fin ? (sum + comp) / (double)fin : 0, var = 0, vcomp = 0;
    for (uint64_t i = 0; i < n; i++) {
        double d = heat_value(t, i);
        if (isfinite(d)) neumaier_add(&var, &vcomp, (d - mean) * (d - mean));
    }
    double scale = opt.scale;
    if (scale == 0 && fin) {
        double pct = opt.percentile == 0 ? 99.5 : opt.percentile;
        uint64_t k = (uint64_t)ceil(pct / 100.0 * (double)fin);
        if (k == 0) k = 1;
        if (k > fin) k = fin;
        scale = heat_kth_magnitude(t, n, k, hist);
        if (scale < 0) {
            free(hist);
            return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
        }
        if (!(scale > 0)) scale = fmax(fabs(lo), fabs(hi)); /* mostly zeros: the largest */
    }
    free(hist);
    if (!isfinite(scale)) scale = 0;
    out->scale = scale;
    out->count = n;
    out->min = fin ? lo : 0;
    out->max = fin ? hi : 0;
    out->mean = mean;
    out->std = fin ? sqrt((var + vcomp) / (double)fin) : 0;

    uint8_t *rgb = malloc((size_t)(W * H * 3));
    if (!rgb) return afail(diag, DIR_ENOMEM, (uint64_t)-1, "out of memory");
    memset(rgb, DIRA_HEAT_PAD, (size_t)(W * H * 3));
    static const uint8_t clip_lo[3] = {DIRA_CLIP_LOW}, clip_hi[3] = {DIRA_CLIP_HIGH};
    /* each drawn cell: its block of fy x fx values (fewer at the edges), in
     * the colour of the block's finite value of largest magnitude (the first
     * of equal ones), black if the block holds a non-finite value */
    for (uint64_t y = 0; y < H; y++) {
        uint64_t ty = y / (CR + 1), cy = y % (CR + 1);
        if (cy == CR) continue; /* the gap between tiles */
        for (uint64_t x = 0; x < W; x++) {
            uint64_t tx = x / (CC + 1), cx = x % (CC + 1), tile = ty * gc + tx;
            if (cx == CC || tile >= tiles) continue;
            uint64_t r1 = (cy + 1) * fy < TR ? (cy + 1) * fy : TR;
            uint64_t c1 = (cx + 1) * fx < TC ? (cx + 1) * fx : TC;
            int any = 0, nonfinite = 0;
            double best = 0;
            for (uint64_t r = cy * fy; r < r1; r++)
                for (uint64_t c = cx * fx; c < c1; c++) {
                    uint64_t k = r * TC + c, i; /* k: the index in the tile */
                    if (!R)
                        i = k;
                    else
                        i = by_cols ? k * cols + tile : tile * cols + k;
                    if (i >= n) continue; /* past the last value: padding */
                    double d = heat_value(t, i);
                    if (!isfinite(d)) {
                        nonfinite = 1;
                        continue;
                    }
                    if (scale > 0 && d < -scale) out->clipped_low++;
                    if (scale > 0 && d > scale) out->clipped_high++;
                    if (!any || fabs(d) > fabs(best)) best = d;
                    any = 1;
                }
            uint8_t *p = rgb + 3 * (y * W + x);
            if (nonfinite)
                p[0] = p[1] = p[2] = 0;
            else if (!any)
                continue;
            else if (scale > 0 && best < -scale)
                memcpy(p, clip_lo, 3);
            else if (scale > 0 && best > scale)
                memcpy(p, clip_hi, 3);
            else
                dira_colour(best, scale, p);
        }
    }
    out->rows = (uint32_t)H;
    out->cols = (uint32_t)W;
    out->rgb = rgb;
    out->tiled = R ? 1 + by_cols : 0;
    out->grid_rows = (uint32_t)(R ? gr : 0);
    out->grid_cols = (uint32_t)(R ? gc : 0);
    out->block_rows = (uint32_t)fy;
    out->block_cols = (uint32_t)fx;
    return DIR_OK;
}
