/* SPDX-License-Identifier: MIT */
/* diag.h -- internal to core/: filling a dir_diag, shared by the image codec
 * (dir.c) and the arrays (array.c).  Not installed, not part of the API. */
#ifndef DIR_DIAG_H
#define DIR_DIAG_H

#include <stdarg.h>

#include "dir.h"

/* Records err, offset, section and the formatted message in diag (which may
 * be NULL) and returns err. */
dir_error dir_vfail(dir_diag *diag, dir_error err, uint64_t offset, uint64_t section,
                    const char *fmt, va_list ap);

/* Resets diag (which may be NULL) to DIR_OK with an empty message. */
void dir_diag_clear(dir_diag *diag);

#endif
