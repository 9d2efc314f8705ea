/* SPDX-License-Identifier: MIT */
/* test_vectors.c -- the reference library's 23 vectors, both directions:
 * dira_format_value must write exactly the encoded string, and
 * dira_parse_value must read it back as the same double (bit for bit). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"
#include "testutil.h"

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int main(void)
{
    const char *path = shared_path("imgarrays-reference/vectors.tsv");
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) TEST_DONE();
    char line[512];
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[5];
        int nf = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, "\t", &save); tok && nf < 5;
             tok = strtok_r(NULL, "\t", &save))
            fields[nf++] = tok;
        CHECK_EQ_INT(nf, 5);
        if (nf != 5) continue;
        double value = strtod(fields[0], NULL);
        int cap = atoi(fields[1]);
        int ldz = strcmp(fields[2], "yes") == 0;
        CHECK(ldz || strcmp(fields[2], "no") == 0);
        double by_ref = strtod(fields[4], NULL);
        rows++;

        char buf[DIRA_TOKEN_BUFSIZE];
        dir_diag diag;
        dir_error e = dira_format_value(value, cap, ldz, buf, sizeof buf, &diag);
        CHECK_EQ_INT(e, DIR_OK);
        if (!ieq(buf, fields[3])) {
            fprintf(stderr, "vector %s cap %d ldz %d: wrote %s, expected %s\n", fields[0], cap, ldz,
                    buf, fields[3]);
            test_failures++;
        }
        double back = 0;
        e = dira_parse_value(fields[3], strlen(fields[3]), cap, ldz, &back, &diag);
        CHECK_EQ_INT(e, DIR_OK);
        if (!same_bits(back, value) || !same_bits(back, by_ref)) {
            fprintf(stderr, "vector %s: read %s back as %.17g (reference %.17g)\n", fields[0],
                    fields[3], back, by_ref);
            test_failures++;
        }
    }
    fclose(f);
    CHECK_EQ_INT(rows, 23);
    TEST_DONE();
}
