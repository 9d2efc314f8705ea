/* SPDX-License-Identifier: MIT */
/* example.c -- a program outside the tree using the installed library:
 *   cc example.c $(pkg-config --cflags --libs direccional) -o example
 *   ./example FILE.dir
 * prints the image's size and the CRC-32 of its decoded pixels. */
#include <stdio.h>
#include <stdlib.h>

#include <direccional/dir.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.dir\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    /* The whole file in memory (the decoder checks every size it reads). */
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            unsigned char *b = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!b) {
                free(buf);
                fclose(f);
                return 1;
            }
            buf = b;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);

    dir_info info;
    dir_diag diag;
    void *px;
    if (dir_decode_alloc(buf, len, NULL, &px, &info, NULL, &diag) != DIR_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], diag.message);
        free(buf);
        return 1;
    }
    free(buf);
    printf("%ux%u, %u channels, pixel CRC-32 %08x\n", info.width, info.height, info.channels,
           dir_crc32(0, px, dir_decoded_size(&info)));
    dir_free(px);
    return 0;
}
