/* SPDX-License-Identifier: MIT */
/* args.c -- dirtool's command-line conventions (args.h). */
#include "args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
