/* SPDX-License-Identifier: MIT */
/* v1_reader FILE... -- built against the version-1 decoder of commit bd0aac2
 * (the last release that knows only version 1, taken from the git history
 * by meson.build), reads each version-2 file and checks that it refuses it at
 * the version byte, with DIR_EVERSION and "unsupported version 2", in
 * dir_probe, dir_decode and dir_declared_size (given the first 112 bytes, as
 * stream readers such as the ImageMagick coder do), never garbage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"

int main(int argc, char **argv)
{
    int failures = 0;
    if (argc < 2) return 2;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 1;
        }
        static unsigned char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        dir_diag d;
        dir_info info;
        uint64_t declared;
        unsigned char px[16];
        dir_error e[3];
        char msg[3][sizeof d.message];
        e[0] = dir_probe(buf, n, NULL, &info, &d);
        memcpy(msg[0], d.message, sizeof d.message);
        e[1] = dir_decode(buf, n, NULL, px, sizeof px, NULL, NULL, &d);
        memcpy(msg[1], d.message, sizeof d.message);
        e[2] =
            dir_declared_size(buf, n < DIR_HEADER_SIZE ? n : DIR_HEADER_SIZE, NULL, &declared, &d);
        memcpy(msg[2], d.message, sizeof d.message);
        for (int k = 0; k < 3; k++) {
            int ok = e[k] == DIR_EVERSION && strstr(msg[k], "unsupported version 2") != NULL;
            printf("%s (%zu bytes): %s: %d \"%s\"%s\n", argv[i], n,
                   k == 0   ? "probe"
                   : k == 1 ? "decode"
                            : "declared size",
                   e[k], msg[k], ok ? "" : "  <-- FAIL");
            failures += !ok;
        }
    }
    return failures ? 1 : 0;
}
