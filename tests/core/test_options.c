/* SPDX-License-Identifier: MIT */
/* The encoder option table: every entry is well formed, values parse and
 * print back, bad values give their specific message, presets set what they
 * say, and -quality maps onto the presets. */
#include <string.h>

#include "dir.h"
#include "testutil.h"

static void check_error(const char *name, const char *value, const char *message)
{
    dir_encode_options opt;
    dir_diag diag;
    dir_encode_options_default(&opt);
    CHECK_EQ_INT(dir_option_set(&opt, name, value, &diag), DIR_EINVAL);
    if (strcmp(diag.message, message) != 0) {
        fprintf(stderr, "%s=%s: message '%s', expected '%s'\n", name, value ? value : "(null)",
                diag.message, message);
        test_failures++;
    }
}

int main(void)
{
    size_t n = 0;
    const dir_option *table = dir_options(&n);
    CHECK(n >= 6);
    dir_encode_options def;
    dir_encode_options_default(&def);
    for (size_t i = 0; i < n; i++) {
        const dir_option *o = &table[i];
        CHECK(o->name && o->label && o->help && o->default_value);
        CHECK(dir_option_find(o->name) == o);
        char buf[32];
        /* The default options hold every option's documented default. */
        CHECK_EQ_INT(dir_option_get(&def, o->name, buf, sizeof buf), DIR_OK);
        if (strcmp(buf, o->default_value) != 0) {
            fprintf(stderr, "%s: default '%s', table says '%s'\n", o->name, buf, o->default_value);
            test_failures++;
        }
        if (o->kind == DIR_OPTION_CHOICE) {
            int k = 0;
            for (; o->choices[k]; k++) {
                /* Every choice parses and prints back (a preset resets the
                 * others, so compare through a fresh set). */
                dir_encode_options opt = def;
                CHECK_EQ_INT(dir_option_set(&opt, o->name, o->choices[k], NULL), DIR_OK);
                CHECK_EQ_INT(dir_option_get(&opt, o->name, buf, sizeof buf), DIR_OK);
                CHECK(strcmp(buf, o->choices[k]) == 0);
            }
            CHECK_EQ_INT(o->min, 0);
            CHECK_EQ_INT(o->max, k - 1);
        } else {
            CHECK(o->choices == NULL);
            CHECK(o->min <= o->max);
            for (int v = o->min; v <= o->max; v++) {
                dir_encode_options opt = def;
                char in[16];
                snprintf(in, sizeof in, "%d", v);
                CHECK_EQ_INT(dir_option_set(&opt, o->name, in, NULL), DIR_OK);
                CHECK_EQ_INT(dir_option_get(&opt, o->name, buf, sizeof buf), DIR_OK);
                CHECK(strcmp(buf, in) == 0);
            }
        }
    }
    CHECK(dir_option_find("nonsense") == NULL);
    CHECK(dir_option_find(NULL) == NULL);

    check_error("level", "23", "invalid value '23' for level: expected an integer from 1 to 22");
    check_error("level", "0", "invalid value '0' for level: expected an integer from 1 to 22");
    check_error("level", "5x", "invalid value '5x' for level: expected an integer from 1 to 22");
    check_error("level", "", "invalid value '' for level: expected an integer from 1 to 22");
    check_error("filter", "paeth", "invalid value 'paeth' for filter: expected none, sub or auto");
    check_error("backend", "brotli", "invalid value 'brotli' for backend: expected none, zstd or lzma");
    check_error("search", "guess", "invalid value 'guess' for search: expected estimate or trial");
    check_error("preset", "best",
                "invalid value 'best' for preset: expected fast, default or smallest");
    check_error("threads", "65", "invalid value '65' for threads: expected an integer from 0 to 64");
    check_error("threads", "-1", "invalid value '-1' for threads: expected an integer from 0 to 64");
    check_error("speed", "1", "unknown option 'speed'");
    check_error("level", NULL, "option level needs a value");

    /* Presets. */
    dir_encode_options opt;
    char buf[16];
    dir_encode_options_default(&opt);
    CHECK_EQ_INT(dir_option_set(&opt, "preset", "fast", NULL), DIR_OK);
    CHECK_EQ_INT(opt.level, 3);
    CHECK_EQ_INT(opt.filter, DIR_FILTER_NONE);
    CHECK_EQ_INT(dir_option_set(&opt, "level", "5", NULL), DIR_OK);
    CHECK_EQ_INT(dir_option_get(&opt, "preset", buf, sizeof buf), DIR_OK);
    CHECK(strcmp(buf, "custom") == 0);
    CHECK_EQ_INT(dir_option_set(&opt, "preset", "smallest", NULL), DIR_OK);
    CHECK_EQ_INT(opt.backend, DIR_BACKEND_LZMA);
    CHECK_EQ_INT(opt.search, DIR_SEARCH_TRIAL);
    CHECK_EQ_INT(dir_option_applies(&opt, "level"), 0);
    CHECK_EQ_INT(dir_option_get(&opt, "search", buf, sizeof buf), DIR_OK);
    CHECK(strcmp(buf, "trial") == 0);
    CHECK_EQ_INT(dir_option_get(&opt, "backend", buf, sizeof buf), DIR_OK);
    CHECK(strcmp(buf, "lzma") == 0);
    CHECK_EQ_INT(dir_option_set(&opt, "preset", "default", NULL), DIR_OK);
    /* Field by field: memcmp would also compare the padding, which is
     * indeterminate (it failed under clang with ASan). */
    CHECK(opt.filter == def.filter && opt.layout == def.layout && opt.backend == def.backend &&
          opt.level == def.level && opt.codes == def.codes && opt.search == def.search &&
          opt.format_version == def.format_version && opt.progress == def.progress &&
          opt.progress_user == def.progress_user && opt.threads == def.threads);
    /* threads is not part of a preset: a preset keeps it, and a preset
     * with other threads still reads as that preset */
    CHECK_EQ_INT(dir_option_set(&opt, "threads", "1", NULL), DIR_OK);
    CHECK_EQ_INT(dir_option_set(&opt, "preset", "fast", NULL), DIR_OK);
    CHECK_EQ_INT(opt.threads, 1);
    CHECK_EQ_INT(dir_option_get(&opt, "preset", buf, sizeof buf), DIR_OK);
    CHECK(strcmp(buf, "fast") == 0);
    CHECK_EQ_INT(dir_option_applies(&opt, "threads"), 1);
    opt.backend = DIR_BACKEND_LZMA;
    CHECK_EQ_INT(dir_option_applies(&opt, "threads"), 0);
    CHECK_EQ_INT(dir_option_set(&opt, "preset", "default", NULL), DIR_OK);
    opt.threads = 0;
    CHECK_EQ_INT(dir_option_get(&opt, "level", buf, 1), DIR_EBUFFER); /* "9" and its NUL */

    /* Whether an option has an effect. */
    CHECK_EQ_INT(dir_option_applies(&def, "level"), 1);
    opt = def;
    opt.backend = DIR_BACKEND_NONE;
    CHECK_EQ_INT(dir_option_applies(&opt, "level"), 0);
    CHECK_EQ_INT(dir_option_applies(&opt, "filter"), 1);
    CHECK_EQ_INT(dir_option_applies(&opt, "nonsense"), 0);
    /* layout and codes: version 1 only (asked for, or version auto in the
     * seed-pure mode, where the image decides); search: filter auto and
     * version 2; threads: zstd and version 2. */
    CHECK_EQ_INT(dir_option_applies(&def, "layout"), 0);
    CHECK_EQ_INT(dir_option_applies(&def, "codes"), 0);
    CHECK_EQ_INT(dir_option_applies(&def, "search"), 1);
    CHECK_EQ_INT(dir_option_applies(&def, "threads"), 1);
    opt = def;
    opt.format_version = 1;
    CHECK_EQ_INT(dir_option_applies(&opt, "layout"), 1);
    CHECK_EQ_INT(dir_option_applies(&opt, "codes"), 1);
    CHECK_EQ_INT(dir_option_applies(&opt, "search"), 0);
    CHECK_EQ_INT(dir_option_applies(&opt, "threads"), 0);
    opt = def;
    opt.backend = DIR_BACKEND_NONE;
    opt.filter = DIR_FILTER_NONE;
    CHECK_EQ_INT(dir_option_applies(&opt, "layout"), 1);
    CHECK_EQ_INT(dir_option_applies(&opt, "search"), 0);
    opt.format_version = 2;
    CHECK_EQ_INT(dir_option_applies(&opt, "layout"), 0);

    /* dir_option_check: the reason, starting with the option's name and
     * naming what makes it meaningless. */
    {
        static const struct {
            const char *settings[3][2];
            const char *name, *message;
        } cases[] = {
            {{{"backend", "none"}},
             "level",
             "level does not apply with backend none: it is the zstd level (backend zstd)"},
            {{{"filter", "none"}},
             "search",
             "search does not apply with filter none: it is how filter auto chooses (filter auto)"},
            {{{"version", "1"}}, "search", "search does not apply with format version 1, "},
            {{{"version", "1"}},
             "threads",
             "threads does not apply with format version 1: it applies to version 2 with backend "
             "zstd"},
            {{{"backend", "lzma"}}, "threads", "threads does not apply with backend lzma: "},
            {{{"version", "2"}},
             "codes",
             "codes does not apply with format version 2: it applies to format version 1 only "
             "(version 1)"},
            {{{NULL}},
             "layout",
             "layout does not apply with backend zstd and filter auto, which write format version "
             "2: "},
            {{{"backend", "none"}, {"filter", "sub"}},
             "codes",
             "codes does not apply with backend none and filter sub, "},
        };
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
            dir_diag diag;
            opt = def;
            for (int j = 0; j < 3 && cases[k].settings[j][0]; j++)
                CHECK_EQ_INT(
                    dir_option_set(&opt, cases[k].settings[j][0], cases[k].settings[j][1], NULL),
                    DIR_OK);
            CHECK_EQ_INT(dir_option_applies(&opt, cases[k].name), 0);
            CHECK_EQ_INT(dir_option_check(&opt, cases[k].name, &diag), DIR_EINVAL);
            CHECK(strncmp(diag.message, cases[k].message, strlen(cases[k].message)) == 0);
            if (strncmp(diag.message, cases[k].message, strlen(cases[k].message)) != 0)
                fprintf(stderr, "  %s: '%s'\n", cases[k].name, diag.message);
        }
        CHECK_EQ_INT(dir_option_check(&def, "level", NULL), DIR_OK);
        CHECK_EQ_INT(dir_option_check(&def, "filter", NULL), DIR_OK);
        CHECK_EQ_INT(dir_option_check(&def, "nonsense", NULL), DIR_EINVAL);
    }

    /* -quality. */
    CHECK(dir_preset_for_quality(0) == NULL);
    CHECK(dir_preset_for_quality(101) == NULL);
    CHECK(strcmp(dir_preset_for_quality(1), "fast") == 0);
    CHECK(strcmp(dir_preset_for_quality(39), "fast") == 0);
    CHECK(strcmp(dir_preset_for_quality(40), "default") == 0);
    CHECK(strcmp(dir_preset_for_quality(89), "default") == 0);
    CHECK(strcmp(dir_preset_for_quality(90), "smallest") == 0);
    CHECK(strcmp(dir_preset_for_quality(100), "smallest") == 0);
    TEST_DONE();
}
