/* SPDX-License-Identifier: MIT */
/* tensorio.c -- tensor files for dirtool: .npy, .npz (libzip), safetensors
 * (json-c), nested JSON and 2-D CSV.  See tensorio.h. */
#include "tensorio.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#include "image_io.h"
#include "numio.h"

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

void tio_free(tio_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->count; i++) {
        free((void *)s->t[i].name);
        free((void *)s->t[i].data);
    }
    for (size_t i = 0; i < s->meta_count; i++) {
        free((void *)s->meta[i].key);
        free((void *)s->meta[i].value);
    }
    free(s->t);
    free(s->meta);
    memset(s, 0, sizeof *s);
}

tio_format tio_format_from_name(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot) return TIO_UNKNOWN;
    if (strcasecmp(dot, ".json") == 0) return TIO_JSON;
    if (strcasecmp(dot, ".csv") == 0) return TIO_CSV;
    if (strcasecmp(dot, ".npy") == 0) return TIO_NPY;
    if (strcasecmp(dot, ".npz") == 0) return TIO_NPZ;
    if (strcasecmp(dot, ".safetensors") == 0) return TIO_SAFETENSORS;
    return TIO_UNKNOWN;
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Appends a tensor taking over name and data (freed on failure). */
static int add_tensor(tio_set *s, char *name, dira_dtype dt, unsigned rank, const uint64_t *shape,
                      void *data, char *err, size_t errlen)
{
    if (s->count >= DIRA_MAX_TENSORS) {
        free(name);
        free(data);
        return fail(err, errlen, "more than %d tensors", DIRA_MAX_TENSORS);
    }
    dira_tensor *nt = realloc(s->t, (s->count + 1) * sizeof *nt);
    if (!nt || !name) {
        free(name);
        free(data);
        if (nt) s->t = nt;
        return fail(err, errlen, "out of memory");
    }
    s->t = nt;
    dira_tensor *t = &s->t[s->count++];
    memset(t, 0, sizeof *t);
    t->name = name;
    t->dtype = dt;
    t->rank = rank;
    memcpy(t->shape, shape, rank * sizeof *shape);
    t->data = data;
    return 0;
}

static int add_meta(tio_set *s, char *key, char *value, char *err, size_t errlen)
{
    dira_meta *nm = realloc(s->meta, (s->meta_count + 1) * sizeof *nm);
    if (!nm || !key || !value) {
        free(key);
        free(value);
        if (nm) s->meta = nm;
        return fail(err, errlen, "out of memory");
    }
    s->meta = nm;
    s->meta[s->meta_count].key = key;
    s->meta[s->meta_count].value = value;
    s->meta_count++;
    return 0;
}

/* Total bytes of n elements of size sz, checked against the core's limit. */
static int data_size(uint64_t n, size_t sz, uint64_t *bytes)
{
    if (n > DIRA_MAX_BYTES / sz) return -1;
    *bytes = n * sz;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* .npy                                                                      */

static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* numpy's descr kind and size for each dtype ('\0' kind: none). */
static const struct {
    char kind;
    unsigned size;
} npy_kinds[DIRA_DTYPE_COUNT] = {
    {'f', 8}, {'f', 4}, {'f', 2}, {0, 2},   {'i', 1}, {'i', 2}, {'i', 4},
    {'i', 8}, {'u', 1}, {'u', 2}, {'u', 4}, {'u', 8}, {'b', 1},
};

/* C-order copy of a Fortran-order array: element (i0..ik) sits at
 * i0 + d0 * (i1 + d1 * (...)) in `in`. */
static void fortran_to_c(const uint8_t *in, uint8_t *out, unsigned rank, const uint64_t *shape,
                         uint64_t n, size_t sz)
{
    uint64_t idx[DIRA_MAX_RANK] = {0}, stride[DIRA_MAX_RANK];
    uint64_t st = 1;
    for (unsigned k = 0; k < rank; k++) {
        stride[k] = st;
        st *= shape[k];
    }
    uint64_t f = 0; /* Fortran offset of idx */
    for (uint64_t c = 0; c < n; c++) {
        memcpy(out + c * sz, in + f * sz, sz);
        /* next C-order index: the last dimension fastest */
        for (unsigned k = rank; k-- > 0;) {
            if (++idx[k] < shape[k]) {
                f += stride[k];
                break;
            }
            f -= stride[k] * (idx[k] - 1);
            idx[k] = 0;
        }
    }
}

int tio_parse_npy(const uint8_t *d, size_t len, const char *name, tio_set *s, char *err,
                  size_t errlen)
{
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
    char h[65537];
    memcpy(h, d + hoff, hlen);
    h[hlen] = '\0';
    if (strlen(h) != hlen) return fail(err, errlen, ".npy header contains a NUL byte");
    const char *p = numio_npy_dict_value(h, "descr");
    char descr[16] = {0};
    char rec[96];
    if (numio_npy_structured(p, rec, sizeof rec))
        return fail(err, errlen,
                    ".npy holds a structured (record) dtype, %s, which is not supported (save each "
                    "field as its own array)",
                    rec);
    if (!p || (*p != '\'' && *p != '"')) return fail(err, errlen, ".npy header has no 'descr'");
    {
        char q = *p++;
        size_t k = 0;
        while (*p && *p != q && k < sizeof descr - 1)
            descr[k++] = *p++;
        if (*p != q) return fail(err, errlen, ".npy dtype is not a simple type string");
    }
    p = numio_npy_dict_value(h, "fortran_order");
    int fortran = p && strncmp(p, "True", 4) == 0;
    if (!p || (!fortran && strncmp(p, "False", 5) != 0))
        return fail(err, errlen, ".npy header has no valid 'fortran_order'");
    p = numio_npy_dict_value(h, "shape");
    if (!p || *p != '(') return fail(err, errlen, ".npy header has no 'shape'");
    p++;
    uint64_t shape[DIRA_MAX_RANK], n = 1;
    unsigned rank = 0;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')') break;
        if (!isdigit((unsigned char)*p)) return fail(err, errlen, ".npy shape is malformed");
        if (rank == DIRA_MAX_RANK)
            return fail(err, errlen, ".npy shape has more than %d dimensions", DIRA_MAX_RANK);
        errno = 0;
        char *end;
        unsigned long long dim = strtoull(p, &end, 10);
        if (errno || dim > DIRA_MAX_BYTES)
            return fail(err, errlen, ".npy dimension over the limit of %llu",
                        (unsigned long long)DIRA_MAX_BYTES);
        p = end;
        shape[rank++] = dim;
        if (dim && n > DIRA_MAX_BYTES / dim)
            return fail(err, errlen, ".npy shape holds more than %llu elements",
                        (unsigned long long)DIRA_MAX_BYTES);
        n *= dim;
    }
    char order = descr[0], kind = descr[1];
    char *end;
    long size = strtol(descr + 2, &end, 10);
    int dt = -1;
    for (int k = 0; k < DIRA_DTYPE_COUNT; k++)
        if (npy_kinds[k].kind == kind && (long)npy_kinds[k].size == size && !*end &&
            end != descr + 2)
            dt = k;
    if (!(order == '<' || order == '>' || order == '|' || order == '=') || dt < 0)
        return fail(err, errlen, ".npy dtype '%s' not supported (f2, f4, f8, i1..i8, u1..u8, b1)",
                    descr);
    uint64_t bytes;
    if (data_size(n, (size_t)size, &bytes))
        return fail(err, errlen, ".npy data over the limit of %llu bytes",
                    (unsigned long long)DIRA_MAX_BYTES);
    size_t data = hoff + hlen;
    if (bytes > len - data)
        return fail(err, errlen, ".npy declares %llu elements of %ld bytes, the file holds %zu",
                    (unsigned long long)n, size, len - data);
    if (len - data != bytes)
        return fail(err, errlen, ".npy has %llu bytes after its %llu elements",
                    (unsigned long long)(len - data - bytes), (unsigned long long)n);
    uint8_t *v = malloc(bytes ? (size_t)bytes : 1);
    if (!v) return fail(err, errlen, "out of memory");
    const uint8_t *src = d + data;
    uint8_t *tmp = NULL;
    if (order == '>' && size > 1) { /* to little-endian */
        tmp = malloc(bytes ? (size_t)bytes : 1);
        if (!tmp) {
            free(v);
            return fail(err, errlen, "out of memory");
        }
        for (uint64_t i = 0; i < n; i++)
            for (long b = 0; b < size; b++)
                tmp[i * (uint64_t)size + (uint64_t)b] =
                    src[i * (uint64_t)size + (uint64_t)(size - 1 - b)];
        src = tmp;
    }
    if (fortran && rank > 1)
        fortran_to_c(src, v, rank, shape, n, (size_t)size);
    else
        memcpy(v, src, (size_t)bytes);
    free(tmp);
    if (dt == DIRA_BOOL)
        for (uint64_t i = 0; i < n; i++)
            if (v[i] > 1) {
                unsigned bad = v[i];
                free(v);
                return fail(err, errlen, ".npy bool element %llu is %u, not 0 or 1",
                            (unsigned long long)i, bad);
            }
    return add_tensor(s, dupn(name, strlen(name)), (dira_dtype)dt, rank, shape, v, err, errlen);
}

int tio_format_npy(const dira_tensor *t, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    char kind = npy_kinds[t->dtype].kind;
    unsigned size = npy_kinds[t->dtype].size;
    if (!kind)
        return fail(err, errlen,
                    "tensor " DIRA_NAME_FMT
                    " is %s, which .npy has no dtype for (use .safetensors)",
                    DIRA_NAME_ARG(t->name), dira_dtype_name(t->dtype));
    char h[1024];
    int hl = snprintf(h, sizeof h, "{'descr': '%c%c%u', 'fortran_order': False, 'shape': (",
                      size == 1 ? '|' : '<', kind, size);
    for (unsigned k = 0; k < t->rank; k++)
        hl += snprintf(h + hl, sizeof h - (size_t)hl, "%s%llu", k ? ", " : "",
                       (unsigned long long)t->shape[k]);
    hl += snprintf(h + hl, sizeof h - (size_t)hl, "%s), }", t->rank == 1 ? "," : "");
    size_t total = 10 + (size_t)hl + 1;
    size_t pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)hl + pad + 1;
    uint64_t n = dira_tensor_elements(t), bytes = n * size;
    size_t len = 10 + hlen + (size_t)bytes;
    uint8_t *b = malloc(len);
    if (!b) return fail(err, errlen, "out of memory");
    memcpy(b, npy_magic, 6);
    b[6] = 1;
    b[7] = 0;
    b[8] = (uint8_t)(hlen & 0xFF);
    b[9] = (uint8_t)(hlen >> 8);
    memcpy(b + 10, h, (size_t)hl);
    memset(b + 10 + hl, ' ', pad);
    b[10 + hlen - 1] = '\n';
    if (bytes) memcpy(b + 10 + hlen, t->data, (size_t)bytes);
    *out = b;
    *outlen = len;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* .npz (libzip)                                                             */

int tio_parse_npz(const uint8_t *data, size_t len, tio_set *s, char *err, size_t errlen)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return fail(err, errlen, "out of memory");
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (!za) {
        int rc = fail(err, errlen, "not a valid .npz (zip) file: %s", zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    zip_int64_t entries = zip_get_num_entries(za, 0);
    int rc = 0;
    uint64_t total = 0;
    if (entries > DIRA_MAX_TENSORS) {
        rc = fail(err, errlen, ".npz has %lld members, over the limit of %d", (long long)entries,
                  DIRA_MAX_TENSORS);
        entries = 0;
    }
    for (zip_int64_t i = 0; rc == 0 && i < entries; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
            !(st.valid & ZIP_STAT_NAME)) {
            rc = fail(err, errlen, ".npz member %lld: %s", (long long)i,
                      zip_error_strerror(zip_get_error(za)));
            break;
        }
        size_t nl = strlen(st.name);
        if (nl < 5 || strcmp(st.name + nl - 4, ".npy") != 0) {
            rc = fail(err, errlen, ".npz member '%s' is not a .npy file", st.name);
            break;
        }
        /* the declared size, checked before anything is allocated */
        if (st.size > DIRA_MAX_BYTES + 65536 || total + st.size > DIRA_MAX_BYTES + 65536) {
            rc = fail(err, errlen, ".npz member '%s' declares %llu bytes, over the limit", st.name,
                      (unsigned long long)st.size);
            break;
        }
        total += st.size;
        uint8_t *buf = malloc(st.size ? (size_t)st.size : 1);
        zip_file_t *zf = buf ? zip_fopen_index(za, (zip_uint64_t)i, 0) : NULL;
        if (!zf) {
            rc = fail(err, errlen, ".npz member '%s': %s", st.name,
                      buf ? zip_error_strerror(zip_get_error(za)) : "out of memory");
            free(buf);
            break;
        }
        zip_int64_t got = zip_fread(zf, buf, st.size);
        uint8_t extra;
        zip_int64_t more = got == (zip_int64_t)st.size ? zip_fread(zf, &extra, 1) : 0;
        if (got != (zip_int64_t)st.size || more != 0) {
            rc = fail(err, errlen, ".npz member '%s' is damaged: %s", st.name,
                      got < 0 || more < 0 ? zip_error_strerror(zip_file_get_error(zf))
                                          : "its size differs from its header");
            zip_fclose(zf);
            free(buf);
            break;
        }
        zip_fclose(zf);
        char name[DIRA_MAX_NAME + 1];
        size_t tl = nl - 4 < DIRA_MAX_NAME ? nl - 4 : DIRA_MAX_NAME;
        memcpy(name, st.name, tl);
        name[tl] = '\0';
        char e2[256];
        if (tio_parse_npy(buf, (size_t)st.size, name, s, e2, sizeof e2))
            rc = fail(err, errlen, ".npz member '%s': %s", st.name, e2);
        free(buf);
    }
    zip_discard(za);
    return rc;
}

int tio_format_npz(const tio_set *s, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    if (s->count == 0) {
        /* libzip writes nothing for an archive without entries; a zip file
         * is then its end-of-central-directory record alone, the 22 bytes
         * np.savez writes for no arrays */
        static const uint8_t eocd[22] = {'P', 'K', 5, 6};
        uint8_t *b = malloc(sizeof eocd);
        if (!b) return fail(err, errlen, "out of memory");
        memcpy(b, eocd, sizeof eocd);
        *out = b;
        *outlen = sizeof eocd;
        return 0;
    }
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
    if (!za) {
        if (mem) zip_source_free(mem);
        zip_error_fini(&ze);
        return fail(err, errlen, "cannot create a zip archive in memory");
    }
    zip_error_fini(&ze);
    zip_source_keep(mem);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        uint8_t *npy;
        size_t n;
        if (tio_format_npy(&s->t[i], &npy, &n, err, errlen)) {
            rc = -1;
            break;
        }
        char name[DIRA_MAX_NAME + 16];
        if (s->t[i].name[0])
            snprintf(name, sizeof name, "%s.npy", s->t[i].name);
        else
            snprintf(name, sizeof name, "arr_%zu.npy", i);
        zip_source_t *fs = zip_source_buffer(za, npy, n, 1); /* freed by libzip */
        zip_int64_t idx = fs ? zip_file_add(za, name, fs, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (fs)
                zip_source_free(fs);
            else
                free(npy);
            rc = fail(err, errlen, "cannot add '%s' to the archive: %s", name,
                      zip_error_strerror(zip_get_error(za)));
            break;
        }
        /* as np.savez: stored, not compressed; and dated 1980-01-01 00:00
         * (the first DOS date, Python's ZipInfo default) rather than now,
         * so that the same tensors always give the same bytes */
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
        zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0);
    }
    if (rc) {
        zip_discard(za);
        zip_source_free(mem);
        return -1;
    }
    if (zip_close(za) != 0) {
        rc = fail(err, errlen, "cannot write the archive: %s",
                  zip_error_strerror(zip_get_error(za)));
        zip_discard(za);
        zip_source_free(mem);
        return rc;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(mem, &st) != 0 || zip_source_open(mem) != 0) {
        zip_source_free(mem);
        return fail(err, errlen, "cannot read the archive back from memory");
    }
    uint8_t *buf = malloc(st.size ? (size_t)st.size : 1);
    zip_int64_t got = buf ? zip_source_read(mem, buf, st.size) : -1;
    zip_source_close(mem);
    zip_source_free(mem);
    if (got != (zip_int64_t)st.size) {
        free(buf);
        return fail(err, errlen, "cannot read the archive back from memory");
    }
    *out = buf;
    *outlen = (size_t)st.size;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* safetensors                                                               */

static const char *const st_names[DIRA_DTYPE_COUNT] = {
    "F64", "F32", "F16", "BF16", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64", "BOOL"};

typedef struct st_entry {
    const char *name;
    int dtype;
    unsigned rank;
    uint64_t shape[DIRA_MAX_RANK];
    uint64_t begin, end;
} st_entry;

static int cmp_begin(const void *a, const void *b)
{
    const st_entry *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* A JSON integer >= 0 exactly as written (json-c clamps big ones). */
static int json_u64(json_object *o, uint64_t *out)
{
    if (!json_object_is_type(o, json_type_int)) return -1;
    const char *s = json_object_get_string(o);
    if (!s || !isdigit((unsigned char)s[0])) return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

/* A top-level member name of the header: its quoted text, and decoded. */
typedef struct st_key {
    const char *raw; /* the name as written, quotes included */
    size_t rawlen;
    const char *name; /* decoded (in `str`, which owns it) */
    size_t len;
    json_object *str;
} st_key;

/* The top-level member names of the header's object, which json-c has
 * already validated (it keeps only the last of two equal names, so they
 * are counted here, over the text): their spans in keys[0..max), and how
 * many there are. */
static size_t st_scan_keys(const char *h, size_t n, st_key *keys, size_t max)
{
    size_t count = 0;
    int depth = 0, want_key = 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '"') {
            size_t st = i;
            for (i++; i < n && h[i] != '"'; i++)
                if (h[i] == '\\') i++;
            if (i >= n) break; /* no closing quote (json-c has refused such text) */
            if (depth == 1 && want_key) {
                if (count < max) {
                    keys[count].raw = h + st;
                    keys[count].rawlen = i + 1 - st;
                }
                count++;
                want_key = 0;
            }
        } else if (c == '{' || c == '[') {
            if (++depth == 1) want_key = c == '{';
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            want_key = 1;
        }
    }
    return count;
}

static int cmp_key(const void *a, const void *b)
{
    const st_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void st_free_keys(st_key *k, size_t n)
{
    for (size_t i = 0; k && i < n; i++)
        json_object_put(k[i].str);
    free(k);
}

/* Refuses a name holding a NUL (json-c would cut it there) and a name
 * given twice (json-c would silently keep the last one's entry), in the
 * top-level object `root` parsed from h[0..n): a safetensors header, or a
 * JSON document of tensors (`format` "safetensors" or "JSON", `kind`
 * "safetensors header" or "JSON document", for the messages). */
static int st_check_keys(const char *h, size_t n, json_object *root, const char *format,
                         const char *kind, char *err, size_t errlen)
{
    const int safetensors = strcmp(format, "safetensors") == 0;
    size_t count = st_scan_keys(h, n, NULL, 0);
    if (count > DIRA_MAX_TENSORS + 1) /* checked before anything is allocated */
        return fail(err, errlen, "%s lists %zu tensors, over the limit of %d", kind, count,
                    DIRA_MAX_TENSORS);
    st_key *k = calloc(count ? count : 1, sizeof *k);
    if (!k) return fail(err, errlen, "out of memory");
    st_scan_keys(h, n, k, count);
    for (size_t i = 0; i < count; i++) {
        json_tokener *tok = json_tokener_new();
        k[i].str = tok ? json_tokener_parse_ex(tok, k[i].raw, (int)k[i].rawlen) : NULL;
        json_tokener_free(tok);
        if (!json_object_is_type(k[i].str, json_type_string)) {
            st_free_keys(k, count);
            return fail(err, errlen, "out of memory");
        }
        k[i].name = json_object_get_string(k[i].str);
        k[i].len = (size_t)json_object_get_string_len(k[i].str);
        if (memchr(k[i].name, '\0', k[i].len)) { /* json-c's keys would end there */
            int rl = k[i].rawlen > 200 ? 200 : (int)k[i].rawlen;
            int rc = fail(err, errlen,
                          "%s tensor name %.*s%s holds a NUL character (\\u0000), "
                          "which a tensor name cannot hold",
                          format, rl, k[i].raw, rl < (int)k[i].rawlen ? "..." : "");
            st_free_keys(k, count);
            return rc;
        }
    }
    int rc = 0;
    if (count != (size_t)json_object_object_length(root)) {
        qsort(k, count, sizeof *k, cmp_key);
        size_t i = 1;
        while (i < count && cmp_key(&k[i - 1], &k[i]) != 0)
            i++;
        if (i < count && safetensors && strcmp(k[i].name, "__metadata__") == 0)
            rc = fail(err, errlen, "%s has __metadata__ twice", kind);
        else if (i < count)
            rc = fail(err, errlen, "%s names a tensor twice: '%.200s'", kind, k[i].name);
        else
            rc = fail(err, errlen, "%s names a tensor twice", kind);
    }
    st_free_keys(k, count);
    return rc;
}

int tio_parse_safetensors(const uint8_t *d, size_t len, tio_set *s, char *err, size_t errlen)
{
    if (len < 8) return fail(err, errlen, "safetensors file of %zu bytes: no header length", len);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = hl << 8 | d[i];
    if (hl > TIO_MAX_ST_HEADER)
        return fail(err, errlen, "safetensors header of %llu bytes, over the limit of %u",
                    (unsigned long long)hl, TIO_MAX_ST_HEADER);
    if (hl > len - 8)
        return fail(err, errlen,
                    "safetensors header of %llu bytes, the file has %zu after the "
                    "length",
                    (unsigned long long)hl, len - 8);
    if (hl < 2 || d[8] != '{')
        return fail(err, errlen, "safetensors header does not start with '{'");
    json_tokener *tok = json_tokener_new();
    if (!tok) return fail(err, errlen, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *root = json_tokener_parse_ex(tok, (const char *)d + 8, (int)hl);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root && jerr == json_tokener_continue) /* an object is never complete at its end */
        return fail(err, errlen,
                    "safetensors header is not valid JSON (it ends early, at byte %zu)", used);
    if (!root || jerr != json_tokener_success) {
        json_object_put(root);
        return fail(
            err, errlen, "safetensors header is not valid JSON (byte %zu: %s)", used,
            json_tokener_error_desc(jerr == json_tokener_success ? json_tokener_continue : jerr));
    }
    for (size_t i = used; i < hl; i++)
        if (d[8 + i] != ' ') {
            json_object_put(root);
            return fail(err, errlen,
                        "safetensors header has byte 0x%02x after its JSON (only "
                        "spaces may pad it)",
                        d[8 + i]);
        }
    if (!json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return fail(err, errlen, "safetensors header is not a JSON object");
    }
    size_t n = (size_t)json_object_object_length(root);
    if (n > DIRA_MAX_TENSORS + 1) {
        json_object_put(root);
        return fail(err, errlen, "safetensors header lists %zu tensors, over the limit of %d", n,
                    DIRA_MAX_TENSORS);
    }
    if (st_check_keys((const char *)d + 8, used, root, "safetensors", "safetensors header", err,
                      errlen)) {
        json_object_put(root);
        return -1;
    }
    st_entry *e = calloc(n ? n : 1, sizeof *e);
    if (!e) {
        json_object_put(root);
        return fail(err, errlen, "out of memory");
    }
    const uint64_t data_len = len - 8 - hl;
    size_t ne = 0;
    int rc = 0;
    json_object_object_foreach(root, key, val)
    {
        if (rc) break;
        if (strcmp(key, "__metadata__") == 0) {
            if (!json_object_is_type(val, json_type_object)) {
                rc = fail(err, errlen, "safetensors __metadata__ is not an object");
                break;
            }
            json_object_object_foreach(val, mk, mv)
            {
                if (!json_object_is_type(mv, json_type_string)) {
                    rc = fail(err, errlen, "safetensors __metadata__ value of '%s' is not a string",
                              mk);
                    break;
                }
                if (s->meta_count >= DIRA_MAX_META) {
                    rc = fail(err, errlen, "safetensors __metadata__ has over %d entries",
                              DIRA_MAX_META);
                    break;
                }
                const char *vs = json_object_get_string(mv);
                if (add_meta(s, dupn(mk, strlen(mk)),
                             dupn(vs, (size_t)json_object_get_string_len(mv)), err, errlen)) {
                    rc = -1;
                    break;
                }
            }
            continue;
        }
        st_entry *t = &e[ne];
        t->name = key;
        json_object *dt, *sh, *off;
        if (!json_object_is_type(val, json_type_object) ||
            !json_object_object_get_ex(val, "dtype", &dt) ||
            !json_object_object_get_ex(val, "shape", &sh) ||
            !json_object_object_get_ex(val, "data_offsets", &off)) {
            rc = fail(err, errlen, "safetensors tensor '%s' needs dtype, shape and data_offsets",
                      key);
            break;
        }
        t->dtype = -1;
        const char *dts = json_object_get_string(dt);
        for (int k = 0; k < DIRA_DTYPE_COUNT && json_object_is_type(dt, json_type_string); k++)
            if (strcmp(dts, st_names[k]) == 0) t->dtype = k;
        if (t->dtype < 0) {
            rc = fail(err, errlen, "safetensors tensor '%s': dtype %s not supported", key,
                      json_object_is_type(dt, json_type_string) ? dts : "(not a string)");
            break;
        }
        if (!json_object_is_type(sh, json_type_array) ||
            json_object_array_length(sh) > DIRA_MAX_RANK) {
            rc = fail(err, errlen,
                      "safetensors tensor '%s': shape is not an array of at most %d "
                      "sizes",
                      key, DIRA_MAX_RANK);
            break;
        }
        t->rank = (unsigned)json_object_array_length(sh);
        uint64_t elems = 1;
        for (unsigned k = 0; k < t->rank && rc == 0; k++) {
            if (json_u64(json_object_array_get_idx(sh, k), &t->shape[k]))
                rc = fail(err, errlen, "safetensors tensor '%s': shape entry %u is not a size", key,
                          k);
            else if (t->shape[k] && elems > UINT64_MAX / t->shape[k])
                rc = fail(err, errlen, "safetensors tensor '%s': shape overflows", key);
            else
                elems *= t->shape[k];
        }
        if (rc) break;
        if (!json_object_is_type(off, json_type_array) || json_object_array_length(off) != 2 ||
            json_u64(json_object_array_get_idx(off, 0), &t->begin) ||
            json_u64(json_object_array_get_idx(off, 1), &t->end)) {
            rc =
                fail(err, errlen, "safetensors tensor '%s': data_offsets is not [begin, end]", key);
            break;
        }
        uint64_t bytes;
        if (data_size(elems, dira_dtype_size((dira_dtype)t->dtype), &bytes)) {
            rc = fail(err, errlen, "safetensors tensor '%s': over the limit of %llu bytes", key,
                      (unsigned long long)DIRA_MAX_BYTES);
            break;
        }
        if (t->begin > t->end || t->end > data_len) {
            rc = fail(err, errlen,
                      "safetensors tensor '%s': data_offsets [%llu, %llu] outside "
                      "the %llu data bytes",
                      key, (unsigned long long)t->begin, (unsigned long long)t->end,
                      (unsigned long long)data_len);
            break;
        }
        if (t->end - t->begin != bytes) {
            rc = fail(err, errlen,
                      "safetensors tensor '%s': %llu data bytes for a %s shape of "
                      "%llu bytes",
                      key, (unsigned long long)(t->end - t->begin), st_names[t->dtype],
                      (unsigned long long)bytes);
            break;
        }
        ne++;
    }
    if (rc == 0) {
        /* the buffer is entirely indexed: no overlap, no hole */
        qsort(e, ne, sizeof *e, cmp_begin);
        uint64_t at = 0;
        for (size_t i = 0; i < ne && rc == 0; i++) {
            if (e[i].begin < at)
                rc = fail(err, errlen, "safetensors tensors '%s' and '%s' overlap", e[i - 1].name,
                          e[i].name);
            else if (e[i].begin > at)
                rc = fail(err, errlen, "safetensors data has a hole of %llu bytes before '%s'",
                          (unsigned long long)(e[i].begin - at), e[i].name);
            at = e[i].end;
        }
        if (rc == 0 && at != data_len)
            rc = fail(err, errlen, "safetensors data has %llu bytes no tensor uses",
                      (unsigned long long)(data_len - at));
    }
    const uint8_t *base = d + 8 + hl;
    for (size_t i = 0; i < ne && rc == 0; i++) {
        size_t bytes = (size_t)(e[i].end - e[i].begin);
        uint8_t *v = malloc(bytes ? bytes : 1);
        if (!v) {
            rc = fail(err, errlen, "out of memory");
            break;
        }
        memcpy(v, base + e[i].begin, bytes);
        if (e[i].dtype == DIRA_BOOL)
            for (size_t k = 0; k < bytes && rc == 0; k++)
                if (v[k] > 1)
                    rc = fail(err, errlen, "safetensors tensor '%s': bool element %zu is %u",
                              e[i].name, k, v[k]);
        if (rc) {
            free(v);
            break;
        }
        rc = add_tensor(s, dupn(e[i].name, strlen(e[i].name)), (dira_dtype)e[i].dtype, e[i].rank,
                        e[i].shape, v, err, errlen);
    }
    free(e);
    json_object_put(root);
    return rc;
}

int tio_format_safetensors(const tio_set *s, uint8_t **out, size_t *outlen, char *err,
                           size_t errlen)
{
    *out = NULL;
    json_object *root = json_object_new_object();
    if (!root) return fail(err, errlen, "out of memory");
    int rc = 0;
    if (s->meta_count) {
        json_object *m = json_object_new_object();
        for (size_t i = 0; m && i < s->meta_count; i++)
            json_object_object_add(m, s->meta[i].key, json_object_new_string(s->meta[i].value));
        if (!m)
            rc = fail(err, errlen, "out of memory");
        else
            json_object_object_add(root, "__metadata__", m);
    }
    uint64_t at = 0;
    for (size_t i = 0; rc == 0 && i < s->count; i++) {
        const dira_tensor *t = &s->t[i];
        char name[32];
        const char *key = t->name;
        if (!key[0]) {
            snprintf(name, sizeof name, "arr_%zu", i);
            key = name;
        }
        if (json_object_object_get_ex(root, key, NULL)) {
            rc = fail(err, errlen, "two tensors are named '%s'", key);
            break;
        }
        uint64_t bytes = dira_tensor_elements(t) * dira_dtype_size(t->dtype);
        json_object *o = json_object_new_object(), *sh = json_object_new_array(),
                    *off = json_object_new_array();
        for (unsigned k = 0; k < t->rank; k++)
            json_object_array_add(sh, json_object_new_uint64(t->shape[k]));
        json_object_array_add(off, json_object_new_uint64(at));
        json_object_array_add(off, json_object_new_uint64(at + bytes));
        json_object_object_add(o, "dtype", json_object_new_string(st_names[t->dtype]));
        json_object_object_add(o, "shape", sh);
        json_object_object_add(o, "data_offsets", off);
        json_object_object_add(root, key, o);
        at += bytes;
    }
    if (rc) {
        json_object_put(root);
        return -1;
    }
    size_t jl = 0;
    const char *js = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN, &jl);
    size_t hl = (jl + 7) / 8 * 8; /* padded with spaces to 8 bytes, as the reference writer */
    size_t len = 8 + hl + (size_t)at;
    uint8_t *b = js ? malloc(len) : NULL;
    if (!b) {
        json_object_put(root);
        return fail(err, errlen, "out of memory");
    }
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, js, jl);
    memset(b + 8 + jl, ' ', hl - jl);
    uint8_t *p = b + 8 + hl;
    for (size_t i = 0; i < s->count; i++) {
        size_t bytes = (size_t)(dira_tensor_elements(&s->t[i]) * dira_dtype_size(s->t[i].dtype));
        if (bytes) memcpy(p, s->t[i].data, bytes);
        p += bytes;
    }
    json_object_put(root);
    *out = b;
    *outlen = len;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* JSON: nested arrays with shapes                                           */

/* The shape of a nested array; ragged nesting is an error. */
static int json_shape(json_object *o, unsigned depth, unsigned *rank, uint64_t *shape,
                      uint64_t *count, const char *what, char *err, size_t errlen)
{
    if (!json_object_is_type(o, json_type_array)) {
        json_type t = json_object_get_type(o);
        if (t != json_type_double && t != json_type_int)
            return fail(err, errlen, "%s: element %llu is a %s, not a number", what,
                        (unsigned long long)*count, json_type_to_name(t));
        if (*rank == UINT32_MAX) *rank = depth; /* the first number fixes the rank */
        if (depth != *rank)
            return fail(err, errlen, "%s: ragged nesting (a number at depth %u, others at %u)",
                        what, depth, *rank);
        ++*count;
        return 0;
    }
    if (depth >= DIRA_MAX_RANK)
        return fail(err, errlen, "%s: nested deeper than %d", what, DIRA_MAX_RANK);
    uint64_t len = json_object_array_length(o);
    if (*rank != UINT32_MAX && depth >= *rank)
        return fail(err, errlen, "%s: ragged nesting (an array at depth %u, numbers at %u)", what,
                    depth, *rank);
    if (shape[depth] == UINT64_MAX)
        shape[depth] = len;
    else if (shape[depth] != len)
        return fail(err, errlen,
                    "%s: ragged nesting: an array of %llu at depth %u where the first had %llu",
                    what, (unsigned long long)len, depth, (unsigned long long)shape[depth]);
    if (len == 0 && *rank == UINT32_MAX) *rank = depth + 1; /* [] or [[], []] */
    for (uint64_t i = 0; i < len; i++)
        if (json_shape(json_object_array_get_idx(o, (size_t)i), depth + 1, rank, shape, count, what,
                       err, errlen))
            return -1;
    return 0;
}

int tio_parse_json(const char *text, size_t len, tio_set *s, char *err, size_t errlen)
{
    char e2[256];
    json_object *root = numio_json_parse(text, len, e2, sizeof e2);
    if (!root) return fail(err, errlen, "%s", e2);
    int is_obj = json_object_is_type(root, json_type_object);
    /* a bare number is a scalar (what the writer gives for one) */
    if (!is_obj && !json_object_is_type(root, json_type_array) &&
        !json_object_is_type(root, json_type_double) && !json_object_is_type(root, json_type_int)) {
        json_object_put(root);
        return fail(err, errlen,
                    "the JSON document is neither a number, an array nor an object of arrays");
    }
    /* names with a NUL or given twice, before json-c's cut or kept-last
     * names are used */
    if (is_obj && st_check_keys(text, len, root, "JSON", "JSON document", err, errlen)) {
        json_object_put(root);
        return -1;
    }
    /* shapes from the tree; the exact numbers from the text (numio) */
    size_t nt = is_obj ? (size_t)json_object_object_length(root) : 1;
    if (nt > DIRA_MAX_TENSORS) {
        json_object_put(root);
        return fail(err, errlen, "more than %d tensors", DIRA_MAX_TENSORS);
    }
    typedef struct jshape {
        const char *key;
        unsigned rank;
        uint64_t shape[DIRA_MAX_RANK], count;
    } jshape;
    jshape *js = calloc(nt ? nt : 1, sizeof *js);
    if (!js) {
        json_object_put(root);
        return fail(err, errlen, "out of memory");
    }
    int rc = 0;
    uint64_t total = 0;
    size_t i = 0;
    if (!is_obj) {
        js[0].key = "";
        js[0].rank = UINT32_MAX;
        for (int d = 0; d < DIRA_MAX_RANK; d++)
            js[0].shape[d] = UINT64_MAX;
        rc = json_shape(root, 0, &js[0].rank, js[0].shape, &js[0].count, "the JSON array", err,
                        errlen);
        total = js[0].count;
    } else {
        /* json-c keeps the members in document order, as the text scan sees them */
        json_object_object_foreach(root, mk, mv)
        {
            if (rc) break;
            jshape *j = &js[i++];
            j->key = mk;
            j->rank = UINT32_MAX;
            for (int d = 0; d < DIRA_MAX_RANK; d++)
                j->shape[d] = UINT64_MAX;
            char what[96];
            snprintf(what, sizeof what, "tensor '%.64s'", mk);
            rc = json_shape(mv, 0, &j->rank, j->shape, &j->count, what, err, errlen);
            total += j->count;
            if (rc == 0 && total > DIRA_MAX_VALUES)
                rc = fail(err, errlen, "more than %llu numbers",
                          (unsigned long long)DIRA_MAX_VALUES);
        }
    }
    double *vals = NULL;
    size_t nv = 0;
    if (rc == 0 && numio_parse_json_numbers(text, len, 0, &vals, &nv, e2, sizeof e2))
        rc = fail(err, errlen, "%s", e2);
    if (rc == 0 && nv != total)
        rc = fail(err, errlen, "JSON numbers do not match the parsed document (a repeated key?)");
    size_t k = 0;
    for (i = 0; i < nt && rc == 0; i++) {
        jshape *j = &js[i];
        if (j->rank == UINT32_MAX) j->rank = 0; /* a bare number: a scalar */
        for (unsigned d = 0; d < j->rank; d++)
            if (j->shape[d] == UINT64_MAX) j->shape[d] = 0;
        uint8_t *v = malloc(j->count ? (size_t)j->count * 8 : 1);
        if (!v) {
            rc = fail(err, errlen, "out of memory");
            break;
        }
        for (uint64_t q = 0; q < j->count; q++) {
            uint64_t bits;
            memcpy(&bits, &vals[k + q], 8);
            for (int b = 0; b < 8; b++)
                v[q * 8 + (uint64_t)b] = (uint8_t)(bits >> (8 * b));
        }
        k += j->count;
        rc = add_tensor(s, dupn(j->key, strlen(j->key)), DIRA_F64, j->rank, j->shape, v, err,
                        errlen);
    }
    free(vals);
    free(js);
    json_object_put(root);
    return rc;
}

/* One element as JSON: integers exactly, floats in their shortest form. */
static json_object *json_element(const dira_tensor *t, uint64_t i, char *err, size_t errlen)
{
    size_t sz = dira_dtype_size(t->dtype);
    const uint8_t *p = (const uint8_t *)t->data + i * sz;
    uint64_t u = 0;
    for (size_t b = sz; b-- > 0;)
        u = u << 8 | p[b];
    switch (t->dtype) {
    case DIRA_I8: return json_object_new_int64((int8_t)u);
    case DIRA_I16: return json_object_new_int64((int16_t)u);
    case DIRA_I32: return json_object_new_int64((int32_t)u);
    case DIRA_I64: return json_object_new_int64((int64_t)u);
    case DIRA_U8:
    case DIRA_U16:
    case DIRA_U32:
    case DIRA_U64:
    case DIRA_BOOL: return json_object_new_uint64(u);
    default: break;
    }
    double v;
    dira_element_double(t, i, &v);
    char num[DIRA_NUMBER_BUFSIZE];
    dira_shortest(v, num);
    if (!isfinite(v)) {
        fail(err, errlen,
             "tensor " DIRA_NAME_FMT " element %llu is %s, which JSON cannot hold (use .npy, .npz "
             "or .safetensors)",
             DIRA_NAME_ARG(t->name), (unsigned long long)i, num);
        return NULL;
    }
    return json_object_new_double_s(v, num);
}

static json_object *json_nest(const dira_tensor *t, unsigned depth, uint64_t *at, char *err,
                              size_t errlen)
{
    if (depth == t->rank) return json_element(t, (*at)++, err, errlen);
    json_object *a = json_object_new_array();
    for (uint64_t i = 0; a && i < t->shape[depth]; i++) {
        json_object *e = json_nest(t, depth + 1, at, err, errlen);
        if (!e || json_object_array_add(a, e)) {
            json_object_put(e);
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

int tio_format_json(const tio_set *s, char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    snprintf(err, errlen, "out of memory");
    json_object *root;
    if (s->count == 1 && !s->t[0].name[0]) {
        uint64_t at = 0;
        root = json_nest(&s->t[0], 0, &at, err, errlen);
    } else {
        root = json_object_new_object();
        for (size_t i = 0; root && i < s->count; i++) {
            uint64_t at = 0;
            json_object *a = json_nest(&s->t[i], 0, &at, err, errlen);
            if (!a) {
                json_object_put(root);
                root = NULL;
                break;
            }
            json_object_object_add(root, s->t[i].name, a);
        }
    }
    if (!root) return -1;
    size_t n = 0;
    const char *js = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN, &n);
    char *copy = js ? malloc(n + 2) : NULL;
    if (!copy) {
        json_object_put(root);
        return fail(err, errlen, "out of memory");
    }
    memcpy(copy, js, n);
    copy[n++] = '\n';
    copy[n] = '\0';
    json_object_put(root);
    *out = copy;
    *outlen = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* CSV                                                                       */

int tio_parse_csv(const char *text, size_t len, tio_set *s, char *err, size_t errlen)
{
    double *v = NULL;
    size_t n = 0;
    char e2[256];
    if (numio_parse_csv(text, len, 0, &v, &n, e2, sizeof e2)) return fail(err, errlen, "%s", e2);
    /* values per line (the same tokens numio read) */
    uint64_t rows = 0, cols = 0, line = 0, in_line = 0, first_line = 0;
    int one_per_line = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            line++;
            if (in_line) {
                if (rows == 0) {
                    cols = in_line;
                    first_line = line;
                } else if (in_line != cols) {
                    free(v);
                    return fail(err, errlen,
                                "line %llu has %llu values, line %llu has %llu (a CSV tensor is "
                                "2-D: every line the same count)",
                                (unsigned long long)line, (unsigned long long)in_line,
                                (unsigned long long)first_line, (unsigned long long)cols);
                }
                if (in_line != 1) one_per_line = 0;
                rows++;
            }
            in_line = 0;
            continue;
        }
        char c = text[i];
        if (c == ',' || c == ' ' || c == '\t' || c == '\r') continue;
        in_line++;
        while (i + 1 < len && text[i + 1] != ',' && text[i + 1] != '\n' && text[i + 1] != ' ' &&
               text[i + 1] != '\t' && text[i + 1] != '\r')
            i++;
    }
    uint64_t shape[2] = {rows, cols};
    unsigned rank = one_per_line ? 1 : 2;
    if (one_per_line) shape[0] = n;
    uint8_t *d = malloc(n ? n * 8 : 1);
    if (!d) {
        free(v);
        return fail(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i], 8);
        for (int b = 0; b < 8; b++)
            d[i * 8 + (size_t)b] = (uint8_t)(bits >> (8 * b));
    }
    free(v);
    return add_tensor(s, dupn("", 0), DIRA_F64, rank, shape, d, err, errlen);
}

int tio_format_csv(const tio_set *s, char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    if (s->count != 1)
        return fail(err, errlen, "CSV holds one tensor, not %zu (use .npz or .safetensors)",
                    s->count);
    const dira_tensor *t = &s->t[0];
    if (t->rank > 2)
        return fail(err, errlen, "CSV holds 1-D or 2-D tensors; " DIRA_NAME_FMT " is %u-D",
                    DIRA_NAME_ARG(t->name), t->rank);
    uint64_t n = dira_tensor_elements(t);
    uint64_t cols = t->rank == 2 ? t->shape[1] : 1;
    if (n > SIZE_MAX / (DIRA_NUMBER_BUFSIZE + 2) - 1) return fail(err, errlen, "too many values");
    char *b = malloc((size_t)n * (DIRA_NUMBER_BUFSIZE + 2) + 2);
    if (!b) return fail(err, errlen, "out of memory");
    size_t k = 0;
    for (uint64_t i = 0; i < n; i++) {
        json_object *e = json_element(t, i, err, errlen);
        if (!e) {
            free(b);
            return -1;
        }
        size_t l = 0;
        const char *str = json_object_to_json_string_length(e, JSON_C_TO_STRING_PLAIN, &l);
        memcpy(b + k, str, l);
        k += l;
        json_object_put(e);
        b[k++] = (i + 1) % cols == 0 ? '\n' : ',';
    }
    b[k] = '\0';
    *out = b;
    *outlen = k;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */

static tio_format sniff(const uint8_t *d, size_t n)
{
    if (n >= 6 && memcmp(d, npy_magic, 6) == 0) return TIO_NPY;
    if (n >= 4 && memcmp(d, "PK\x03\x04", 4) == 0) return TIO_NPZ;
    if (n >= 9 && d[8] == '{' && (d[7] | d[6] | d[5] | d[4]) == 0) return TIO_SAFETENSORS;
    for (size_t i = 0; i < n; i++) {
        if (isspace(d[i])) continue;
        return d[i] == '[' || d[i] == '{' ? TIO_JSON : TIO_CSV;
    }
    return TIO_CSV;
}

int tio_read(const char *path, tio_set *s, char *err, size_t errlen)
{
    int from_stdin = strcmp(path, "-") == 0;
    tio_format f = tio_format_from_name(path);
    if (f == TIO_UNKNOWN && !from_stdin)
        return fail(err, errlen,
                    "'%s': unknown number file type (use .json, .csv, .npy, .npz or .safetensors)",
                    path);
    uint8_t *data;
    size_t size;
    char e2[512];
    if (tool_read_file(path, &data, &size, e2, sizeof e2)) return fail(err, errlen, "%s", e2);
    if (from_stdin) f = sniff(data, size);
    int rc;
    switch (f) {
    case TIO_NPY: rc = tio_parse_npy(data, size, "", s, e2, sizeof e2); break;
    case TIO_NPZ: rc = tio_parse_npz(data, size, s, e2, sizeof e2); break;
    case TIO_SAFETENSORS: rc = tio_parse_safetensors(data, size, s, e2, sizeof e2); break;
    case TIO_JSON: rc = tio_parse_json((const char *)data, size, s, e2, sizeof e2); break;
    default: rc = tio_parse_csv((const char *)data, size, s, e2, sizeof e2); break;
    }
    free(data);
    if (rc) {
        tio_free(s);
        return fail(err, errlen, "'%s': %s", path, e2);
    }
    return 0;
}

int tio_write(const char *path, const tio_set *s, char *err, size_t errlen)
{
    tio_format f = strcmp(path, "-") == 0 ? TIO_JSON : tio_format_from_name(path);
    void *buf = NULL;
    size_t n = 0;
    char e2[512];
    int rc;
    switch (f) {
    case TIO_NPY:
        if (s->count != 1) {
            rc = fail(e2, sizeof e2, ".npy holds one tensor, not %zu (use .npz or .safetensors)",
                      s->count);
            break;
        }
        rc = tio_format_npy(&s->t[0], (uint8_t **)&buf, &n, e2, sizeof e2);
        break;
    case TIO_NPZ: rc = tio_format_npz(s, (uint8_t **)&buf, &n, e2, sizeof e2); break;
    case TIO_SAFETENSORS:
        rc = tio_format_safetensors(s, (uint8_t **)&buf, &n, e2, sizeof e2);
        break;
    case TIO_JSON: rc = tio_format_json(s, (char **)&buf, &n, e2, sizeof e2); break;
    case TIO_CSV: rc = tio_format_csv(s, (char **)&buf, &n, e2, sizeof e2); break;
    default:
        return fail(err, errlen,
                    "'%s': unknown number file type (use .json, .csv, .npy, .npz or .safetensors)",
                    path);
    }
    if (rc) return fail(err, errlen, "'%s': %s", path, e2);
    rc = tool_write_file_atomic(path, buf, n, e2, sizeof e2);
    free(buf);
    if (rc) return fail(err, errlen, "%s", e2);
    return 0;
}
