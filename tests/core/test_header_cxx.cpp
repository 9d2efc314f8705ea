// SPDX-License-Identifier: MIT
// The public header compiles as C++ and links with C linkage.
#include "dir.h"

int main()
{
    dir_limits lim;
    dir_limits_default(&lim);
    return dir_strerror(DIR_OK) != nullptr && lim.max_width == DIR_MAX_DIM ? 0 : 1;
}
