/* SPDX-License-Identifier: MIT */
/*
 * weights-gen.c -- the project's sample weights: a 784-100-10 network
 * (ReLU hidden layer, linear output, squared error against one-hot targets)
 * trained with plain SGD on seeded synthetic digits: the glyphs of a 5x7
 * bitmap font scaled to 15x21, shifted at random in a 28x28 canvas, with
 * noise.  Nothing comes from a third party; the seed fixes every number.
 *
 * Only +, -, *, / and comparisons are used (no libm), and the build turns off
 * floating-point contraction, so the weights are the same bit for bit with
 * any IEEE-754 C compiler.
 *
 * Output (stdout): one JSON array of 79,510 doubles in Keras order --
 * W1 (784 x 100, input-major), b1 (100), W2 (100 x 10), b2 (10) -- each in
 * its shortest round-trip form.  --hidden N trains a 784-N-10 network
 * instead (the benchmark's `large` set is N = 400: 318,010 weights);
 * --tensors prints them as named tensors with their shapes instead, a JSON
 * object {"W1": 784 x N, "b1": N, "W2": N x 10, "b2": 10}.  With --shape 796x100 the heatmap shows W1
 * as rows 0..783 (one row per input pixel, one column per hidden unit), b1
 * as row 784, W2 as rows 785..794 and b2 at the start of row 795.
 * The training summary goes to stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"

#define IN        784
#define HID_DEFAULT 100
#define HID_MAX     4096
#define OUT       10
#define SEED      0x5EED2026u
#define EPOCHS    4
#define PER_EPOCH 4000
#define RATE      0.01

/* 5x7 glyphs of the digits, one byte per row, bit 4 = leftmost column. */
static const uint8_t font[10][7] = {
    {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}, /* 0 */
    {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}, /* 1 */
    {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}, /* 2 */
    {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}, /* 3 */
    {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}, /* 4 */
    {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}, /* 5 */
    {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}, /* 6 */
    {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}, /* 7 */
    {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}, /* 8 */
    {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}, /* 9 */
};

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    /* splitmix64 */
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double uniform(rng *r)
{
    return (double)(next(r) >> 11) / 9007199254740992.0;
}

/* One synthetic digit: the glyph scaled 3x, shifted, with noise. */
static void draw(rng *r, int digit, double *x)
{
    int ox = 4 + (int)(next(r) % 7); /* 4..10: the 15-wide glyph fits */
    int oy = 2 + (int)(next(r) % 4); /* 2..5: the 21-high glyph fits */
    for (int i = 0; i < IN; i++)
        x[i] = 0.1 * uniform(r);
    for (int gy = 0; gy < 7; gy++)
        for (int gx = 0; gx < 5; gx++) {
            if (!(font[digit][gy] >> (4 - gx) & 1)) continue;
            for (int dy = 0; dy < 3; dy++)
                for (int dx = 0; dx < 3; dx++) {
                    int px = ox + gx * 3 + dx, py = oy + gy * 3 + dy;
                    x[py * 28 + px] = 0.7 + 0.3 * uniform(r);
                }
        }
}

/* The hidden width: 100, or --hidden N (the benchmark's `large` set is
 * 784-400-10, 318,010 weights); the arithmetic is the same for any N. */
static int HID = HID_DEFAULT;

typedef struct net {
    double (*w1)[HID_MAX], *b1, (*w2)[OUT], b2[OUT];
} net;

static int forward(const net *n, const double *x, double *h, double *y)
{
    for (int j = 0; j < HID; j++)
        h[j] = n->b1[j];
    for (int i = 0; i < IN; i++) {
        if (x[i] == 0) continue;
        for (int j = 0; j < HID; j++)
            h[j] += x[i] * n->w1[i][j];
    }
    for (int j = 0; j < HID; j++)
        if (h[j] < 0) h[j] = 0;
    int best = 0;
    for (int k = 0; k < OUT; k++) {
        y[k] = n->b2[k];
        for (int j = 0; j < HID; j++)
            y[k] += h[j] * n->w2[j][k];
        if (y[k] > y[best]) best = k;
    }
    return best;
}

int main(int argc, char **argv)
{
    int tensors = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--hidden") == 0 && i + 1 < argc) {
            HID = atoi(argv[++i]);
            if (HID < 1 || HID > HID_MAX) {
                fprintf(stderr, "weights-gen: --hidden takes 1 to %d\n", HID_MAX);
                return 2;
            }
        } else if (strcmp(argv[i], "--tensors") == 0) {
            tensors = 1;
        } else {
            fprintf(stderr, "usage: weights-gen [--hidden N] [--tensors]\n");
            return 2;
        }
    }
    static net n;
    n.w1 = calloc(IN, sizeof *n.w1);
    n.b1 = calloc((size_t)HID, sizeof *n.b1);
    n.w2 = calloc((size_t)HID, sizeof *n.w2);
    double *h = calloc((size_t)HID, sizeof *h), *dh = calloc((size_t)HID, sizeof *dh);
    if (!n.w1 || !n.b1 || !n.w2 || !h || !dh) {
        fprintf(stderr, "weights-gen: out of memory\n");
        return 1;
    }
    rng r = {SEED};
    /* Small uniform initialisation, so that what training learns (the
     * strokes of the digits) dominates the heatmap rather than the initial
     * noise. */
    const double a1 = 0.01, a2 = 0.1;
    for (int i = 0; i < IN; i++)
        for (int j = 0; j < HID; j++)
            n.w1[i][j] = (2 * uniform(&r) - 1) * a1;
    for (int j = 0; j < HID; j++)
        for (int k = 0; k < OUT; k++)
            n.w2[j][k] = (2 * uniform(&r) - 1) * a2;

    static double x[IN];
    double y[OUT], dy[OUT];
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        double loss = 0;
        for (int s = 0; s < PER_EPOCH; s++) {
            int d = (int)(next(&r) % 10);
            draw(&r, d, x);
            forward(&n, x, h, y);
            for (int k = 0; k < OUT; k++) {
                double t = k == d ? 1.0 : 0.0;
                dy[k] = y[k] - t;
                loss += dy[k] * dy[k];
            }
            for (int j = 0; j < HID; j++) {
                double g = 0;
                for (int k = 0; k < OUT; k++)
                    g += dy[k] * n.w2[j][k];
                dh[j] = h[j] > 0 ? g : 0;
            }
            for (int j = 0; j < HID; j++)
                for (int k = 0; k < OUT; k++)
                    n.w2[j][k] -= RATE * dy[k] * h[j];
            for (int k = 0; k < OUT; k++)
                n.b2[k] -= RATE * dy[k];
            for (int i = 0; i < IN; i++) {
                if (x[i] == 0) continue;
                for (int j = 0; j < HID; j++)
                    n.w1[i][j] -= RATE * dh[j] * x[i];
            }
            for (int j = 0; j < HID; j++)
                n.b1[j] -= RATE * dh[j];
        }
        fprintf(stderr, "epoch %d: mean squared error %.4f\n", epoch + 1, loss / PER_EPOCH);
    }
    int right = 0;
    for (int s = 0; s < 1000; s++) {
        int d = (int)(next(&r) % 10);
        draw(&r, d, x);
        right += forward(&n, x, h, y) == d;
    }
    fprintf(stderr, "accuracy on 1000 fresh synthetic digits: %d/1000\n", right);
    free(h);
    free(dh);

    char num[DIRA_NUMBER_BUFSIZE];
    int first = 1;
#define EMIT(v)                                                                                    \
    do {                                                                                           \
        dira_shortest((v), num);                                                                   \
        printf(first ? "%s" : ",%s", num);                                                         \
        first = 0;                                                                                 \
    } while (0)
    if (tensors) {
        /* {"W1": [[...] x HID] x 784, "b1": [...], "W2": [[...] x 10] x HID, "b2": [...]} */
        printf("{\"W1\":[");
        for (int i = 0; i < IN; i++) {
            printf(i ? ",[" : "[");
            first = 1;
            for (int j = 0; j < HID; j++)
                EMIT(n.w1[i][j]);
            putchar(']');
        }
        printf("],\"b1\":[");
        first = 1;
        for (int j = 0; j < HID; j++)
            EMIT(n.b1[j]);
        printf("],\"W2\":[");
        for (int j = 0; j < HID; j++) {
            printf(j ? ",[" : "[");
            first = 1;
            for (int k = 0; k < OUT; k++)
                EMIT(n.w2[j][k]);
            putchar(']');
        }
        printf("],\"b2\":[");
        first = 1;
        for (int k = 0; k < OUT; k++)
            EMIT(n.b2[k]);
        printf("]}\n");
        return ferror(stdout) ? 1 : 0;
    }
    putchar('[');
    for (int i = 0; i < IN; i++)
        for (int j = 0; j < HID; j++)
            EMIT(n.w1[i][j]);
    for (int j = 0; j < HID; j++)
        EMIT(n.b1[j]);
    for (int j = 0; j < HID; j++)
        for (int k = 0; k < OUT; k++)
            EMIT(n.w2[j][k]);
    for (int k = 0; k < OUT; k++)
        EMIT(n.b2[k]);
    printf("]\n");
    return ferror(stdout) ? 1 : 0;
}
