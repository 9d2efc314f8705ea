/* SPDX-License-Identifier: MIT */
/* v2params.h -- one "key=value" setting of the v2 payload encoder's
 * parameters (core/v2.h's dir2_params), for the experiment drivers
 * dir-bench-v2 and dir-bench-v2-entropy.  0 on success, -1 for an unknown
 * key or a value that is not an integer. */
#ifndef DIR_BENCH_V2PARAMS_H
#define DIR_BENCH_V2PARAMS_H

#include <stdio.h>
#include <string.h>

#include "v2.h"

static inline int v2_set_param(dir2_params *p, const char *kv)
{
    char k[64];
    int v;
    if (sscanf(kv, "%63[^=]=%d", k, &v) != 2) return -1;
    /* clang-format off */
#define F(n) if (!strcmp(k, #n)) { p->n = v; return 0; }
    F(palette) F(pal_order) F(pal_predict) F(pal_level_boost) F(pal_small_boost) F(green) F(predict) F(b_bias)
    F(none_bias) F(est_span) F(est_match) F(cost_step) F(refs) F(fills) F(smallpal_max)
    F(method) F(level) F(workers) F(trials) F(alpha_last) F(pal16) F(pal16_bias) F(zstrategy) F(zsearch) F(zchain)
    F(zminmatch) F(ztarget) F(zwindow)
#undef F
    /* clang-format on */
    return -1;
}

#endif
