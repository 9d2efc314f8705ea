/* SPDX-License-Identifier: MIT */
/* options.c -- the encoder options, defined once: names, ranges, help text
 * and presets.  dirtool, the ImageMagick coders and the GIMP export dialogs
 * build their option parsing and their widgets from this table. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "dir.h"

enum option_id {
    OPT_PRESET,
    OPT_FILTER,
    OPT_BACKEND,
    OPT_LEVEL,
    OPT_SEARCH,
    OPT_LAYOUT,
    OPT_CODES,
    OPT_VERSION,
    OPT_THREADS
};

static const char *const preset_choices[] = {"fast", "default", "smallest", NULL};
static const char *const filter_choices[] = {"none", "sub", "auto", NULL};
static const char *const backend_choices[] = {"none", "zstd", "lzma", NULL};
static const char *const search_choices[] = {"estimate", "trial", NULL};
static const char *const layout_choices[] = {"ordered", "interleaved", NULL};
static const char *const codes_choices[] = {"auto", "smallest", "zstd", NULL};
static const char *const version_choices[] = {"auto", "1", "2", NULL};

/* In display order; the index is the option_id. */
static const dir_option option_table[] = {
    {"preset", DIR_OPTION_CHOICE, "Preset",
     "the starting values of every other option, which override it",
     preset_choices, 0, 2, "default"},
    {"filter", DIR_OPTION_CHOICE, "Filter",
     "none, the sub filter, or auto (version 2: a predictor per section, by the search; "
     "version 1: tries none and sub, keeps the smaller)",
     filter_choices, 0, 2, "auto"},
    {"backend", DIR_OPTION_CHOICE, "Back end",
     "zstd, none (the method's own streams only) or lzma (smaller, slower to read)",
     backend_choices, 0, 2, "zstd"},
    {"level", DIR_OPTION_INT, "Level", "zstd compression level: higher is smaller and slower",
     NULL, 1, 22, "9"},
    {"search", DIR_OPTION_CHOICE, "Search",
     "how filter auto chooses: from estimates, or by compressing each candidate (slower)",
     search_choices, 0, 1, "estimate"},
    {"layout", DIR_OPTION_CHOICE, "Layout",
     "payloads grouped by code and field, or section by section",
     layout_choices, 0, 1, "ordered"},
    {"codes", DIR_OPTION_CHOICE, "Codes",
     "the method's smallest codification, entry lists written raw for zstd, or auto",
     codes_choices, 0, 2, "auto"},
    {"version", DIR_OPTION_CHOICE, "Format version",
     "auto (version 1 in the seed-pure mode, 2 otherwise), or 1 for readers of version 1 only",
     version_choices, 0, 2, "auto"},
    {"threads", DIR_OPTION_INT, "Threads",
     "threads for large images (zstd jobs): 0 one per processor, 1 the calling thread only",
     NULL, 0, 64, "0"},
};

#define OPTION_COUNT (sizeof option_table / sizeof option_table[0])

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static dir_error
fail(dir_diag *diag, dir_error err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dir_vfail(diag, err, (uint64_t)-1, (uint64_t)-1, fmt, ap);
    va_end(ap);
    return err;
}

const dir_option *dir_options(size_t *count)
{
    if (count) *count = OPTION_COUNT;
    return option_table;
}

static int option_index(const char *name)
{
    if (!name) return -1;
    for (size_t i = 0; i < OPTION_COUNT; i++)
        if (strcmp(option_table[i].name, name) == 0) return (int)i;
    return -1;
}

const dir_option *dir_option_find(const char *name)
{
    int i = option_index(name);
    return i < 0 ? NULL : &option_table[i];
}

static int choice_index(const dir_option *o, const char *value)
{
    for (int i = 0; o->choices[i]; i++)
        if (strcmp(o->choices[i], value) == 0) return i;
    return -1;
}

/* "none, sub or auto" */
static void choice_list(const dir_option *o, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; o->choices[i] && n < size; i++) {
        const char *sep = i == 0 ? "" : o->choices[i + 1] ? ", " : " or ";
        int w = snprintf(buf + n, size - n, "%s%s", sep, o->choices[i]);
        if (w < 0) break;
        n += (size_t)w;
    }
}

dir_error dir_encode_options_preset(dir_encode_options *opt, const char *preset, dir_diag *diag)
{
    int p = preset ? choice_index(&option_table[OPT_PRESET], preset) : -1;
    if (!opt || p < 0) {
        char list[64];
        choice_list(&option_table[OPT_PRESET], list, sizeof list);
        return fail(diag, DIR_EINVAL, "invalid preset '%s': expected %s", preset ? preset : "",
                    list);
    }
    dir_progress_fn progress = opt->progress;
    void *user = opt->progress_user;
    unsigned threads = opt->threads; /* not a choice of the format: kept */
    dir_encode_options_default(opt);
    opt->progress = progress;
    opt->progress_user = user;
    opt->threads = threads;
    switch (p) {
    case 0: /* fast: no filter (no predictor estimates), a quick zstd level */
        opt->filter = DIR_FILTER_NONE;
        opt->level = 3;
        break;
    case 2: /* smallest: lzma, every candidate compressed */
        opt->backend = DIR_BACKEND_LZMA;
        opt->search = DIR_SEARCH_TRIAL;
        break;
    default:
        break;
    }
    return DIR_OK;
}

static dir_error option_text(const dir_encode_options *opt, int id, char *buf, size_t size);

/* The preset whose option values *opt has, or -1: every other option of the
 * table reads the same. */
static int current_preset(const dir_encode_options *opt)
{
    for (int p = 0; preset_choices[p]; p++) {
        dir_encode_options q;
        int same = 1;
        dir_encode_options_default(&q);
        dir_encode_options_preset(&q, preset_choices[p], NULL);
        for (int id = OPT_PRESET + 1; id < (int)OPTION_COUNT && same; id++) {
            if (id == OPT_THREADS) continue;
            char a[32], b[32];
            same = option_text(opt, id, a, sizeof a) == DIR_OK &&
                   option_text(&q, id, b, sizeof b) == DIR_OK && strcmp(a, b) == 0;
        }
        if (same) return p;
    }
    return -1;
}

dir_error dir_option_set(dir_encode_options *opt, const char *name, const char *value,
                         dir_diag *diag)
{
    int id = option_index(name);
    if (id < 0) return fail(diag, DIR_EINVAL, "unknown option '%s'", name ? name : "");
    const dir_option *o = &option_table[id];
    if (!opt || !value) return fail(diag, DIR_EINVAL, "option %s needs a value", o->name);
    if (o->kind == DIR_OPTION_INT) {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max)
            return fail(diag, DIR_EINVAL,
                        "invalid value '%s' for %s: expected an integer from %d to %d", value,
                        o->name, o->min, o->max);
        switch ((enum option_id)id) {
        case OPT_LEVEL: opt->level = (int)v; break;
        case OPT_THREADS: opt->threads = (unsigned)v; break;
        default: break;
        }
        return DIR_OK;
    }
    int c = choice_index(o, value);
    if (c < 0) {
        char list[96];
        choice_list(o, list, sizeof list);
        return fail(diag, DIR_EINVAL, "invalid value '%s' for %s: expected %s", value, o->name,
                    list);
    }
    switch ((enum option_id)id) {
    case OPT_PRESET: return dir_encode_options_preset(opt, value, diag);
    case OPT_FILTER: opt->filter = (dir_filter)c; break;
    case OPT_BACKEND: opt->backend = (dir_backend)c; break;
    case OPT_LAYOUT: opt->layout = (dir_layout)c; break;
    case OPT_CODES: opt->codes = (dir_codes)c; break;
    case OPT_SEARCH: opt->search = (dir_search)c; break;
    case OPT_VERSION: opt->format_version = (unsigned)c; break;
    case OPT_LEVEL:
    case OPT_THREADS: break;
    }
    return DIR_OK;
}

dir_error dir_option_get(const dir_encode_options *opt, const char *name, char *buf, size_t size)
{
    int id = option_index(name);
    if (id < 0 || !opt || !buf || size == 0) return DIR_EINVAL;
    return option_text(opt, id, buf, size);
}

static dir_error option_text(const dir_encode_options *opt, int id, char *buf, size_t size)
{
    const char *s = NULL;
    switch ((enum option_id)id) {
    case OPT_PRESET: {
        int p = current_preset(opt);
        s = p < 0 ? "custom" : preset_choices[p];
        break;
    }
    case OPT_FILTER: s = dir_filter_name(opt->filter); break;
    case OPT_BACKEND: s = dir_backend_name(opt->backend); break;
    case OPT_LAYOUT: s = dir_layout_name(opt->layout); break;
    case OPT_CODES: s = dir_codes_name(opt->codes); break;
    case OPT_SEARCH: s = opt->search == DIR_SEARCH_TRIAL ? "trial" : "estimate"; break;
    case OPT_VERSION: s = opt->format_version <= 2 ? version_choices[opt->format_version] : "?"; break;
    case OPT_LEVEL:
    case OPT_THREADS: {
        int w = snprintf(buf, size, "%d", id == OPT_LEVEL ? opt->level : (int)opt->threads);
        return w < 0 || (size_t)w >= size ? DIR_EBUFFER : DIR_OK;
    }
    }
    if (strlen(s) >= size) return DIR_EBUFFER;
    memcpy(buf, s, strlen(s) + 1);
    return DIR_OK;
}

/* Version 1 may be written: asked for, or version auto in the seed-pure mode
 * (back end none, filter none), where the image decides. */
static int may_write_v1(const dir_encode_options *opt)
{
    return opt->format_version == 1 ||
           (opt->format_version == 0 && opt->backend == DIR_BACKEND_NONE &&
            opt->filter == DIR_FILTER_NONE);
}

/* Version 2 may be written: everything but version 1 asked for. */
static int may_write_v2(const dir_encode_options *opt)
{
    return opt->format_version != 1;
}

/* Why option `id` has no effect given the others, in *opt, as a message
 * starting with the option's name; NULL when it has one. */
static const char *not_applying(const dir_encode_options *opt, int id, char *buf, size_t size)
{
    const char *backend = dir_backend_name(opt->backend);
    const char *filter = dir_filter_name(opt->filter);
    switch ((enum option_id)id) {
    case OPT_LEVEL:
        if (opt->backend == DIR_BACKEND_ZSTD) return NULL;
        snprintf(buf, size,
                 "level does not apply with backend %s: it is the zstd level (backend zstd)",
                 backend);
        return buf;
    case OPT_SEARCH:
        if (opt->filter != DIR_FILTER_AUTO)
            snprintf(buf, size,
                     "search does not apply with filter %s: it is how filter auto chooses "
                     "(filter auto)",
                     filter);
        else if (!may_write_v2(opt))
            snprintf(buf, size,
                     "search does not apply with format version 1, whose filter auto "
                     "always compresses both filters: it applies to version 2");
        else
            return NULL;
        return buf;
    case OPT_THREADS:
        if (!may_write_v2(opt))
            snprintf(buf, size,
                     "threads does not apply with format version 1: it applies to version 2 "
                     "with backend zstd");
        else if (opt->backend != DIR_BACKEND_ZSTD)
            snprintf(buf, size,
                     "threads does not apply with backend %s: it is the number of zstd jobs "
                     "(backend zstd)",
                     backend);
        else
            return NULL;
        return buf;
    case OPT_LAYOUT:
    case OPT_CODES:
        if (may_write_v1(opt)) return NULL;
        if (opt->format_version == 2)
            snprintf(buf, size,
                     "%s does not apply with format version 2: it applies to format version 1 "
                     "only (version 1)",
                     option_table[id].name);
        else
            snprintf(buf, size,
                     "%s does not apply with backend %s and filter %s, which write format "
                     "version 2: it applies to format version 1 only (version 1, or backend "
                     "none with filter none)",
                     option_table[id].name, backend, filter);
        return buf;
    default: return NULL;
    }
}

int dir_option_applies(const dir_encode_options *opt, const char *name)
{
    char buf[256];
    int id = option_index(name);
    if (id < 0 || !opt) return 0;
    return not_applying(opt, id, buf, sizeof buf) == NULL;
}

dir_error dir_option_check(const dir_encode_options *opt, const char *name, dir_diag *diag)
{
    char buf[256];
    int id = option_index(name);
    if (id < 0) return fail(diag, DIR_EINVAL, "unknown option '%s'", name ? name : "");
    if (!opt) return fail(diag, DIR_EINVAL, "no options to check %s against", name);
    const char *why = not_applying(opt, id, buf, sizeof buf);
    return why ? fail(diag, DIR_EINVAL, "%s", why) : DIR_OK;
}

const char *dir_preset_for_quality(unsigned quality)
{
    if (quality == 0 || quality > 100) return NULL;
    return quality < 40 ? "fast" : quality < 90 ? "default" : "smallest";
}
