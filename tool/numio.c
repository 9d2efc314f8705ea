/* SPDX-License-Identifier: MIT */
/* numio.c -- number files for dirtool: JSON through json-c, CSV, .npy. */
#include "numio.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dir.h"
#include "image_io.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

numio_format numio_format_from_name(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot) return NUMIO_UNKNOWN;
    if (strcasecmp(dot, ".json") == 0) return NUMIO_JSON;
    if (strcasecmp(dot, ".csv") == 0) return NUMIO_CSV;
    if (strcasecmp(dot, ".npy") == 0) return NUMIO_NPY;
    return NUMIO_UNKNOWN;
}

static uint64_t limit_of(uint64_t max_values)
{
    return max_values && max_values < DIRA_MAX_VALUES ? max_values : DIRA_MAX_VALUES;
}

/* A growable array of doubles. */
typedef struct vec {
    double *v;
    size_t n, cap;
} vec;

static int vec_push(vec *a, double d)
{
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 1024;
        double *nv = realloc(a->v, nc * sizeof *nv);
        if (!nv) return -1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = d;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

/* Checks the json-c tree: arrays of numbers only; counts the numbers. */
static int json_check(json_object *o, uint64_t *n, uint64_t limit, char *err, size_t errlen)
{
    size_t len = json_object_array_length(o);
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(o, i);
        json_type t = json_object_get_type(e);
        if (t == json_type_array) {
            if (json_check(e, n, limit, err, errlen)) return -1;
        } else if (t == json_type_double || t == json_type_int) {
            if (++*n > limit)
                return fail(err, errlen, "more than %llu numbers", (unsigned long long)limit);
        } else {
            return fail(err, errlen, "element %llu is a %s, not a number", (unsigned long long)*n,
                        json_type_to_name(t));
        }
    }
    return 0;
}

/* The numbers of a JSON text in document order, each converted once from
 * its own text (json-c clamps integers past 64 bits and reads -0 as 0).
 * skip_strings: string literals (object keys) are skipped; otherwise one is
 * an error.  expect: how many the parsed tree holds (UINT64_MAX: unknown,
 * counted in a first pass). */
static int scan_numbers(const char *text, size_t len, uint64_t expect, int skip_strings,
                        double **values, size_t *count, char *err, size_t errlen)
{
    if (expect == UINT64_MAX) {
        expect = 0;
        for (size_t i = 0; i < len; i++) {
            char c = text[i];
            if (c == '"' && skip_strings) {
                for (i++; i < len && text[i] != '"'; i++)
                    if (text[i] == '\\') i++;
            } else if (c == '-' || c == '+' || isalnum((unsigned char)c) || c == '.') {
                while (i + 1 < len && (isalnum((unsigned char)text[i + 1]) || text[i + 1] == '-' ||
                                       text[i + 1] == '+' || text[i + 1] == '.'))
                    i++;
                expect++;
            }
        }
        if (expect > DIRA_MAX_VALUES)
            return fail(err, errlen, "more than %llu numbers", (unsigned long long)DIRA_MAX_VALUES);
    }
    double *v = expect ? malloc((size_t)expect * sizeof *v) : NULL;
    if (expect && !v)
        return fail(err, errlen, "out of memory for %llu numbers", (unsigned long long)expect);
    size_t n = 0, i = 0;
    while (i < len) {
        char c = text[i];
        if (c == '-' || c == '+' || isalnum((unsigned char)c) || c == '.') {
            size_t st = i;
            while (i < len && (isalnum((unsigned char)text[i]) || text[i] == '-' ||
                               text[i] == '+' || text[i] == '.'))
                i++;
            char buf[400];
            size_t tl = i - st;
            if (tl >= sizeof buf) {
                free(v);
                return fail(err, errlen, "number at index %zu is %zu characters long", n, tl);
            }
            memcpy(buf, text + st, tl);
            buf[tl] = '\0';
            double d;
            const char *b = buf + (buf[0] == '-' || buf[0] == '+');
            if (strcasecmp(b, "nan") == 0) {
                d = NAN;
            } else if (strcasecmp(b, "infinity") == 0 || strcasecmp(b, "inf") == 0) {
                d = buf[0] == '-' ? -INFINITY : INFINITY;
            } else {
                char *end;
                errno = 0;
                d = strtod(buf, &end);
                if (*end) {
                    free(v);
                    return fail(err, errlen, "'%s' at index %zu is not a number", buf, n);
                }
                if (errno == ERANGE && isinf(d)) {
                    free(v);
                    return fail(err, errlen, "number %s at index %zu overflows a double", buf, n);
                }
            }
            if (n >= expect) {
                free(v);
                return fail(err, errlen, "JSON numbers do not match the parsed document");
            }
            v[n++] = d;
        } else if (c == '"' && skip_strings) {
            for (i++; i < len && text[i] != '"'; i++)
                if (text[i] == '\\') i++;
            i++;
        } else if (c == '"') {
            free(v);
            return fail(err, errlen, "unexpected string at byte %zu", i);
        } else { /* structure and white space (strict mode: no comments) */
            i++;
        }
    }
    if (n != expect) {
        free(v);
        return fail(err, errlen, "JSON numbers do not match the parsed document");
    }
    *values = v;
    *count = n;
    return 0;
}

int numio_parse_json_numbers(const char *text, size_t len, uint64_t max_values, double **values,
                             size_t *count, char *err, size_t errlen)
{
    (void)max_values;
    *values = NULL;
    *count = 0;
    return scan_numbers(text, len, UINT64_MAX, 1, values, count, err, errlen);
}

json_object *numio_json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    if (len > (size_t)INT32_MAX) {
        fail(err, errlen, "JSON text over 2 GiB");
        return NULL;
    }
    size_t first = 0;
    while (first < len && isspace((unsigned char)text[first]))
        first++;
    if (first == len) {
        fail(err, errlen, len ? "empty file (only white space)" : "empty file");
        return NULL;
    }
    /* json-c ends its parse at a NUL byte as at the end of the text, so
     * anything after one would be ignored; JSON text holds none (not even
     * inside strings, where it is written \u0000) */
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        fail(err, errlen, "invalid JSON at byte %zu: a NUL byte (JSON text holds none)",
             (size_t)(nul - text));
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (!root && jerr == json_tokener_continue) {
        /* json-c cannot know a number ("3.25") or a literal is complete
         * until it is told the input ends: a NUL after the text does */
        root = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        end = len;
        if (!root || jerr != json_tokener_success) {
            json_object_put(root);
            json_tokener_free(tok);
            fail(err, errlen, "the JSON text ends early (at byte %zu)", len);
            return NULL;
        }
    }
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        fail(err, errlen, "invalid JSON at byte %zu: %s", end,
             json_tokener_error_desc(jerr == json_tokener_success ? json_tokener_continue : jerr));
        return NULL;
    }
    return root;
}

int numio_parse_json(const char *text, size_t len, uint64_t max_values, double **values,
                     size_t *count, char *err, size_t errlen)
{
    *values = NULL;
    *count = 0;
    if (len > (size_t)INT32_MAX) return fail(err, errlen, "JSON text over 2 GiB");
    /* json-c validates the document and its shape; strict mode refuses
     * what JSON does not allow (leading zeros, trailing commas, comments),
     * but still takes the NaN and Infinity that Python writes, for the
     * encoder to name */
    char e2[200];
    json_object *root = numio_json_parse(text, len, e2, sizeof e2);
    if (!root) return fail(err, errlen, "%s", e2);
    if (json_object_get_type(root) != json_type_array) {
        json_object_put(root);
        return fail(err, errlen, "the JSON document is not an array");
    }
    uint64_t expect = 0;
    int rc = json_check(root, &expect, limit_of(max_values), err, errlen);
    json_object_put(root);
    if (rc) return -1;
    return scan_numbers(text, len, expect, 0, values, count, err, errlen);
}

int numio_format_json(const double *values, size_t count, char **out, size_t *outlen, char *err,
                      size_t errlen)
{
    *out = NULL;
    json_object *a =
        json_object_new_array_ext(count ? (int)(count < INT32_MAX ? count : INT32_MAX) : 1);
    if (!a) return fail(err, errlen, "out of memory");
    char num[DIRA_NUMBER_BUFSIZE];
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i])) {
            json_object_put(a);
            dira_shortest(values[i], num);
            return fail(err, errlen, "value %s at index %zu cannot be written as JSON", num, i);
        }
        dira_shortest(values[i], num);
        json_object *d = json_object_new_double_s(values[i], num);
        if (!d || json_object_array_add(a, d)) {
            json_object_put(d);
            json_object_put(a);
            return fail(err, errlen, "out of memory");
        }
    }
    size_t n = 0;
    const char *s = json_object_to_json_string_length(a, JSON_C_TO_STRING_PLAIN, &n);
    char *copy = s ? malloc(n + 2) : NULL;
    if (!copy) {
        json_object_put(a);
        return fail(err, errlen, "out of memory");
    }
    memcpy(copy, s, n);
    copy[n++] = '\n';
    copy[n] = '\0';
    json_object_put(a);
    *out = copy;
    *outlen = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                       */

int numio_parse_csv(const char *text, size_t len, uint64_t max_values, double **values,
                    size_t *count, char *err, size_t errlen)
{
    vec a = {0};
    uint64_t limit = limit_of(max_values);
    size_t i = 0, line = 1, line_start = 0;
    int after_value = 0; /* a value since the last comma on this line */
    int after_comma = 0; /* a comma not yet followed by a value */
    *values = NULL;
    *count = 0;
    while (i < len) {
        char c = text[i];
        if (c == '\n') {
            if (after_comma) goto empty_field;
            after_value = 0;
            line++;
            line_start = ++i;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (c == ',') {
            if (!after_value) goto empty_field;
            after_value = 0;
            after_comma = 1;
            i++;
            continue;
        }
        size_t st = i;
        while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != ' ' && text[i] != '\t' &&
               text[i] != '\r')
            i++;
        char buf[400];
        size_t tl = i - st;
        if (tl >= sizeof buf) {
            free(a.v);
            return fail(err, errlen, "line %zu: field of %zu characters", line, tl);
        }
        memcpy(buf, text + st, tl);
        buf[tl] = '\0';
        char *end;
        errno = 0;
        double d = strtod(buf, &end);
        if (*end || end == buf) {
            free(a.v);
            return fail(err, errlen, "line %zu, column %zu: '%s' is not a number", line,
                        st - line_start + 1, buf);
        }
        if (errno == ERANGE && isinf(d)) {
            free(a.v);
            return fail(err, errlen, "line %zu: number %s overflows a double", line, buf);
        }
        if (a.n >= limit) {
            free(a.v);
            return fail(err, errlen, "more than %llu numbers", (unsigned long long)limit);
        }
        if (vec_push(&a, d)) {
            free(a.v);
            return fail(err, errlen, "out of memory");
        }
        after_value = 1;
        after_comma = 0;
    }
    if (after_comma) goto empty_field;
    *values = a.v;
    *count = a.n;
    return 0;
empty_field:
    free(a.v);
    return fail(err, errlen, "line %zu: empty field", line);
}

int numio_format_csv(const double *values, size_t count, char **out, size_t *outlen, char *err,
                     size_t errlen)
{
    *out = NULL;
    if (count > SIZE_MAX / DIRA_NUMBER_BUFSIZE - 1) return fail(err, errlen, "too many values");
    char *s = malloc(count * DIRA_NUMBER_BUFSIZE + 1);
    if (!s) return fail(err, errlen, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(values[i])) {
            char num[DIRA_NUMBER_BUFSIZE];
            dira_shortest(values[i], num);
            free(s);
            return fail(err, errlen, "value %s at index %zu cannot be written as CSV", num, i);
        }
        n += dira_shortest(values[i], s + n);
        s[n++] = '\n';
    }
    s[n] = '\0';
    *out = s;
    *outlen = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* .npy                                                                      */

static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

const char *numio_npy_dict_value(const char *h, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) {
        snprintf(pat, sizeof pat, "\"%s\"", key);
        p = strstr(h, pat);
    }
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

int numio_npy_structured(const char *descr, char *text, size_t size)
{
    if (!descr || *descr != '[') return 0;
    size_t k = 0;
    int depth = 0;
    for (const char *p = descr; *p && k + 4 < size; p++) {
        text[k++] = *p;
        if (*p == '[' || *p == '(') depth++;
        if ((*p == ']' || *p == ')') && --depth == 0) break;
    }
    if (depth && k + 4 >= size) {
        memcpy(text + k, "...", 3);
        k += 3;
    }
    text[k] = '\0';
    return 1;
}

int numio_parse_npy(const uint8_t *d, size_t len, uint64_t max_values, double **values,
                    size_t *count, char *err, size_t errlen)
{
    *values = NULL;
    *count = 0;
    if (len < 10 || memcmp(d, npy_magic, 6) != 0) return fail(err, errlen, "not a .npy file");
    unsigned major = d[6];
    size_t hlen, hoff;
    if (major == 1) {
        hlen = (size_t)d[8] | (size_t)d[9] << 8;
        hoff = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return fail(err, errlen, ".npy header truncated");
        hlen = (size_t)d[8] | (size_t)d[9] << 8 | (size_t)d[10] << 16 | (size_t)d[11] << 24;
        hoff = 12;
    } else {
        return fail(err, errlen, ".npy version %u.%u not supported (1 to 3)", major, d[7]);
    }
    if (hlen > 65536 || hlen > len - hoff)
        return fail(err, errlen, ".npy header length %zu invalid for a %zu-byte file", hlen, len);
    char *h = malloc(hlen + 1);
    if (!h) return fail(err, errlen, "out of memory");
    memcpy(h, d + hoff, hlen);
    h[hlen] = '\0';
    if (strlen(h) != hlen) {
        free(h);
        return fail(err, errlen, ".npy header contains a NUL byte");
    }
    const char *p = numio_npy_dict_value(h, "descr");
    char descr[8] = {0};
    char rec[96];
    if (numio_npy_structured(p, rec, sizeof rec)) {
        free(h);
        return fail(err, errlen,
                    ".npy holds a structured (record) dtype, %s, which is not supported (save each "
                    "field as its own array)",
                    rec);
    }
    if (!p || (*p != '\'' && *p != '"')) {
        free(h);
        return fail(err, errlen, ".npy header has no 'descr'");
    }
    {
        char q = *p++;
        size_t k = 0;
        while (*p && *p != q && k < sizeof descr - 1)
            descr[k++] = *p++;
        if (*p != q) {
            free(h);
            return fail(err, errlen, ".npy dtype not supported");
        }
    }
    p = numio_npy_dict_value(h, "fortran_order");
    int fortran = p && strncmp(p, "True", 4) == 0;
    if (!p || (!fortran && strncmp(p, "False", 5) != 0)) {
        free(h);
        return fail(err, errlen, ".npy header has no valid 'fortran_order'");
    }
    p = numio_npy_dict_value(h, "shape");
    if (!p || *p != '(') {
        free(h);
        return fail(err, errlen, ".npy header has no 'shape'");
    }
    p++;
    uint64_t n = 1;
    int dims = 0;
    uint64_t limit = limit_of(max_values);
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')') break;
        if (!isdigit((unsigned char)*p)) {
            free(h);
            return fail(err, errlen, ".npy shape is malformed");
        }
        errno = 0;
        char *end;
        unsigned long long dim = strtoull(p, &end, 10);
        if (errno || dim > limit) {
            free(h);
            return fail(err, errlen, ".npy dimension %s over the limit of %llu values",
                        errno ? "(overflow)" : "", (unsigned long long)limit);
        }
        p = end;
        dims++;
        if (dim && n > limit / dim) {
            free(h);
            return fail(err, errlen, ".npy shape holds more than %llu values",
                        (unsigned long long)limit);
        }
        n *= dim;
    }
    free(h);
    if (fortran && dims > 1)
        return fail(err, errlen, ".npy in Fortran order is not supported; save it in C order");
    char order = descr[0];
    char kind = descr[1];
    int size = atoi(descr + 2);
    if (!(order == '<' || order == '>' || order == '|' || order == '=') ||
        !((kind == 'f' && (size == 4 || size == 8)) ||
          ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8))))
        return fail(err, errlen, ".npy dtype '%s' not supported (f4, f8, i1..i8, u1..u8)", descr);
    int big = order == '>';
    size_t data = hoff + hlen;
    if (n > (len - data) / (size_t)size)
        return fail(err, errlen, ".npy declares %llu values of %d bytes, the file holds %zu bytes",
                    (unsigned long long)n, size, len - data);
    if ((len - data) != n * (size_t)size)
        return fail(err, errlen, ".npy has %zu bytes after its %llu values",
                    len - data - (size_t)n * (size_t)size, (unsigned long long)n);
    double *v = n ? malloc((size_t)n * sizeof *v) : NULL;
    if (n && !v) return fail(err, errlen, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *q = d + data + i * (size_t)size;
        uint64_t u = 0;
        for (int k = 0; k < size; k++)
            u |= (uint64_t)q[big ? size - 1 - k : k] << (8 * k);
        double x;
        if (kind == 'f' && size == 8) {
            memcpy(&x, &u, sizeof x);
        } else if (kind == 'f') {
            uint32_t u32 = (uint32_t)u;
            float fl;
            memcpy(&fl, &u32, sizeof fl);
            x = fl;
        } else if (kind == 'u') {
            x = (double)u;
            /* 2^64 - 1 rounds up to 2^64, which no uint64_t holds: check
             * the range before converting back (the conversion is UB). */
            if (size == 8 && u > ((uint64_t)1 << 53) &&
                (x >= 18446744073709551616.0 || (uint64_t)x != u)) {
                free(v);
                return fail(err, errlen, ".npy value %llu at index %llu has no exact double",
                            (unsigned long long)u, (unsigned long long)i);
            }
        } else {
            int64_t s;
            if (size < 8 && (u >> (8 * size - 1)) & 1) u |= ~(uint64_t)0 << (8 * size);
            memcpy(&s, &u, sizeof s);
            x = (double)s;
            if (size == 8 && (x >= 9223372036854775808.0 || (int64_t)x != s)) {
                free(v);
                return fail(err, errlen, ".npy value %lld at index %llu has no exact double",
                            (long long)s, (unsigned long long)i);
            }
        }
        v[i] = x;
    }
    *values = v;
    *count = (size_t)n;
    return 0;
}

int numio_format_npy(const double *values, size_t count, uint8_t **out, size_t *outlen, char *err,
                     size_t errlen)
{
    *out = NULL;
    char h[128];
    int hl =
        snprintf(h, sizeof h, "{'descr': '<f8', 'fortran_order': False, 'shape': (%zu,), }", count);
    /* pad with spaces so that the data starts on a 64-byte boundary, end
     * with a newline */
    size_t total = 10 + (size_t)hl + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)hl + pad + 1;
    if (count > (SIZE_MAX - 10 - hlen) / 8) return fail(err, errlen, "too many values");
    size_t n = 10 + hlen + count * 8;
    uint8_t *b = malloc(n);
    if (!b) return fail(err, errlen, "out of memory");
    memcpy(b, npy_magic, 6);
    b[6] = 1;
    b[7] = 0;
    b[8] = (uint8_t)(hlen & 0xFF);
    b[9] = (uint8_t)(hlen >> 8);
    memcpy(b + 10, h, (size_t)hl);
    memset(b + 10 + hl, ' ', pad);
    b[10 + hlen - 1] = '\n';
    uint8_t *q = b + 10 + hlen;
    for (size_t i = 0; i < count; i++) {
        uint64_t u;
        memcpy(&u, &values[i], sizeof u);
        for (int k = 0; k < 8; k++)
            *q++ = (uint8_t)(u >> (8 * k));
    }
    *out = b;
    *outlen = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

/* The type of a number file read from standard input, by its content: the
 * .npy magic, a JSON array, else CSV. */
static numio_format sniff_format(const uint8_t *data, size_t size)
{
    if (size >= 6 && memcmp(data, "\x93NUMPY", 6) == 0) return NUMIO_NPY;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') continue;
        return data[i] == '[' ? NUMIO_JSON : NUMIO_CSV;
    }
    return NUMIO_CSV;
}

int numio_read(const char *path, double **values, size_t *count, char *err, size_t errlen)
{
    int from_stdin = strcmp(path, "-") == 0;
    numio_format f = numio_format_from_name(path);
    if (f == NUMIO_UNKNOWN && !from_stdin)
        return fail(err, errlen, "'%s': unknown number file type (use .json, .csv or .npy)", path);
    uint8_t *data;
    size_t size;
    char e2[256];
    if (tool_read_file(path, &data, &size, e2, sizeof e2)) return fail(err, errlen, "%s", e2);
    if (from_stdin) f = sniff_format(data, size);
    int rc;
    if (f == NUMIO_NPY)
        rc = numio_parse_npy(data, size, 0, values, count, e2, sizeof e2);
    else if (f == NUMIO_JSON)
        rc = numio_parse_json((const char *)data, size, 0, values, count, e2, sizeof e2);
    else
        rc = numio_parse_csv((const char *)data, size, 0, values, count, e2, sizeof e2);
    free(data);
    if (rc) return fail(err, errlen, "'%s': %s", path, e2);
    return 0;
}

int numio_write(const char *path, const double *values, size_t count, char *err, size_t errlen)
{
    /* Standard output gets JSON. */
    numio_format f = strcmp(path, "-") == 0 ? NUMIO_JSON : numio_format_from_name(path);
    if (f == NUMIO_UNKNOWN)
        return fail(err, errlen, "'%s': unknown number file type (use .json, .csv or .npy)", path);
    void *buf = NULL;
    size_t n = 0;
    char e2[256];
    int rc;
    if (f == NUMIO_NPY)
        rc = numio_format_npy(values, count, (uint8_t **)&buf, &n, e2, sizeof e2);
    else if (f == NUMIO_JSON)
        rc = numio_format_json(values, count, (char **)&buf, &n, e2, sizeof e2);
    else
        rc = numio_format_csv(values, count, (char **)&buf, &n, e2, sizeof e2);
    if (rc) return fail(err, errlen, "'%s': %s", path, e2);
    rc = tool_write_file_atomic(path, buf, n, e2, sizeof e2);
    free(buf);
    if (rc) return fail(err, errlen, "%s", e2);
    return 0;
}
