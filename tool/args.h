/* SPDX-License-Identifier: MIT */
/* args.h -- dirtool's command-line conventions, shared by every command:
 * `--opt value` and `--opt=value`, `--help` for every command, `-` for
 * standard input and output, and one exit-code scheme. */
#ifndef DIRTOOL_ARGS_H
#define DIRTOOL_ARGS_H

/* Exit status of every dirtool command. */
enum {
    TOOL_EXIT_OK = 0,      /* done */
    TOOL_EXIT_FAILURE = 1, /* the work failed: a bad file, I/O, a value the format cannot hold */
    TOOL_EXIT_USAGE = 2    /* the command line is wrong: nothing was read or written */
};

/* If argv[*i] is `name` ("--level") followed by a value, or `name=value`,
 * sets *value, moves *i past what it used and returns 1.  Returns 0 if
 * argv[*i] is another argument, and -1 (with *value NULL) if it is `name`
 * with no value after it. */
int tool_arg_value(int argc, char **argv, int *i, const char *name, const char **value);

/* 1 if arg is the flag `name` exactly (a flag takes no "=value"). */
int tool_arg_flag(const char *arg, const char *name);

/* 1 for "--help" or "-h". */
int tool_arg_help(const char *arg);

struct dir_encode_options;

/* The .dir encoder's options among argv, from the core's option table
 * (dir_options): --preset first wherever it stands, then every --NAME VALUE
 * (or --NAME=VALUE) and --interleaved, each checked against the others
 * (dir_option_check: an option that has no effect is an error).  Sets *opt
 * (from the defaults), copies the other arguments, in order, to rest
 * (argc entries; rest[0] = argv[0]) and sets *nrest and *ngiven (how many
 * encoder options were given, the preset included).  Returns 0, or
 * TOOL_EXIT_USAGE after printing "dirtool CMD: ..." on stderr. */
int tool_encode_args(const char *cmd, int argc, char **argv, struct dir_encode_options *opt,
                     char **rest, int *nrest, int *ngiven);

/* Prints "dirtool CMD: MESSAGE (dirtool CMD --help)" on stderr and returns
 * TOOL_EXIT_USAGE. */
int tool_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints "dirtool CMD: MESSAGE" on stderr and returns TOOL_EXIT_FAILURE. */
int tool_failure(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
