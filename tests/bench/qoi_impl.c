/* SPDX-License-Identifier: MIT */
/* qoi_impl.c -- the one translation unit that compiles Debian's qoi.h
 * (libqoi-dev) implementation for the benchmark. */
#define QOI_IMPLEMENTATION
#include <qoi.h>
