/* SPDX-License-Identifier: MIT */
/* numio.c -- number files for dirtool: JSON through json-c, CSV, and the
 * .npy header helpers of tensorio.c. */
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
