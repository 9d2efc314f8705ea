/* SPDX-License-Identifier: MIT */
/* numio.h -- dirtool's number text: JSON (json-c) and CSV, and the .npy
 * header helpers that tensorio.c's .npy reader uses.  Not part of the core
 * library.  Every reader gives back exact doubles: each number's text is
 * converted once with strtod. */
#ifndef DIRTOOL_NUMIO_H
#define DIRTOOL_NUMIO_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/* One JSON value over the whole of text (json-c, strict mode), for every
 * JSON reader of dirtool: a complete value at the very end of the input (a
 * bare number with no newline after it) is taken, since the end is signalled
 * to json-c; only white space may follow it (strict mode refuses anything
 * else).  NULL with err: "empty file", "the JSON text ends early (at byte
 * N)" or "invalid JSON at byte N: REASON". */
struct json_object *numio_json_parse(const char *text, size_t len, char *err, size_t errlen);

/* Parsers over memory.  JSON: an array of numbers, possibly nested (read in
 * order, flattened); NaN and Infinity literals are read (and refused later
 * by the array encoder).  CSV: numbers separated by commas and/or white
 * space, one or more per line.  At most `max_values` (0: DIRA_MAX_VALUES)
 * numbers.
 * On success *values is malloc()ed (NULL when *count is 0).  Return 0, or
 * -1 with a specific reason (index, line, byte) in err. */
int numio_parse_json(const char *text, size_t len, uint64_t max_values, double **values,
                     size_t *count, char *err, size_t errlen);
/* The numbers of any JSON text (object keys skipped) in document order,
 * each converted once with strtod; the text must already be valid JSON. */
int numio_parse_json_numbers(const char *text, size_t len, uint64_t max_values, double **values,
                             size_t *count, char *err, size_t errlen);
int numio_parse_csv(const char *text, size_t len, uint64_t max_values, double **values,
                    size_t *count, char *err, size_t errlen);

/* Writers to a malloc()ed buffer.  JSON: one flat array, each double in its
 * shortest round-trip form (dira_shortest), built with json-c.  CSV: one
 * value per line, same form.  Non-finite values are refused.  Return 0, or
 * -1 with err. */
int numio_format_json(const double *values, size_t count, char **out, size_t *outlen, char *err,
                      size_t errlen);
int numio_format_csv(const double *values, size_t count, char **out, size_t *outlen, char *err,
                     size_t errlen);

/* In a .npy header dict, the value of 'key' (or "key"): a pointer just
 * after its colon and spaces, or NULL. */
const char *numio_npy_dict_value(const char *h, const char *key);

/* Whether a 'descr' value (from numio_npy_dict_value) is a structured
 * (record) dtype, a list of fields such as [('a', '<f4'), ('b', '<i2')];
 * then its text, cut to fit, in text[0..size). */
int numio_npy_structured(const char *descr, char *text, size_t size);

#endif
