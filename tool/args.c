/* SPDX-License-Identifier: MIT */
/* args.c -- dirtool's command-line conventions (args.h). */
#include "args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dir.h"

int tool_arg_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    *value = NULL;
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0') return 0;
    if (*i + 1 >= argc) return -1;
    *value = argv[++*i];
    return 1;
}

int tool_arg_flag(const char *arg, const char *name)
{
    return strcmp(arg, name) == 0;
}

int tool_arg_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "dirtool%s%s: ", cmd && *cmd ? " " : "", cmd ? cmd : "");
    vfprintf(stderr, fmt, ap);
}

int tool_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (dirtool%s%s --help)\n", cmd && *cmd ? " " : "", cmd ? cmd : "");
    return TOOL_EXIT_USAGE;
}

int tool_failure(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return TOOL_EXIT_FAILURE;
}

int tool_encode_args(const char *cmd, int argc, char **argv, dir_encode_options *opt,
                     char **rest, int *nrest, int *ngiven)
{
    const char *given[16], *given_flag[16]; /* option names, and as typed */
    size_t ng = 0, nopts;
    const dir_option *opts = dir_options(&nopts);
    dir_diag diag;
    int npreset = 0;
    dir_encode_options_default(opt);
    *nrest = 0;
    rest[(*nrest)++] = argv[0];
    /* The preset first, wherever it stands, then the options it leaves. */
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m = tool_arg_value(argc, argv, &i, "--preset", &v);
        if (m < 0) return tool_usage_error(cmd, "--preset needs a value");
        if (m > 0 && dir_option_set(opt, "preset", v, &diag) != DIR_OK)
            return tool_usage_error(cmd, "%s", diag.message);
        npreset += m > 0;
    }
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        int matched = 0;
        for (size_t k = 0; k < nopts && !matched; k++) {
            char flag[40];
            snprintf(flag, sizeof flag, "--%s", opts[k].name);
            int m = tool_arg_value(argc, argv, &i, flag, &v);
            if (m < 0) return tool_usage_error(cmd, "%s needs a value", flag);
            if (m == 0) continue;
            matched = 1;
            if (strcmp(opts[k].name, "preset") == 0) break; /* applied above */
            if (dir_option_set(opt, opts[k].name, v, &diag) != DIR_OK)
                return tool_usage_error(cmd, "%s", diag.message);
            if (ng < sizeof given / sizeof given[0]) {
                given_flag[ng] = NULL;
                given[ng++] = opts[k].name;
            }
        }
        if (matched) continue;
        if (tool_arg_flag(argv[i], "--interleaved")) {
            opt->layout = DIR_LAYOUT_INTERLEAVED;
            if (ng < sizeof given / sizeof given[0]) {
                given_flag[ng] = "--interleaved";
                given[ng++] = "layout";
            }
        } else {
            rest[(*nrest)++] = argv[i];
        }
    }
    /* An option given that the others make meaningless is an error, not
     * something to ignore silently; the core's message, which starts with
     * the option's name, gives the reason. */
    for (size_t k = 0; k < ng; k++)
        if (dir_option_check(opt, given[k], &diag) != DIR_OK) {
            size_t skip =
                strncmp(diag.message, given[k], strlen(given[k])) == 0 ? strlen(given[k]) : 0;
            if (given_flag[k])
                return tool_usage_error(cmd, "%s (--layout interleaved)%s", given_flag[k],
                                        diag.message + skip);
            return tool_usage_error(cmd, "--%s%s", given[k], diag.message + skip);
        }
    *ngiven = (int)ng + npreset;
    return 0;
}
