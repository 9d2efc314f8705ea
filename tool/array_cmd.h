/* SPDX-License-Identifier: MIT */
/* array_cmd.h -- `dirtool array pack|unpack|heatmap`. */
#ifndef DIRTOOL_ARRAY_CMD_H
#define DIRTOOL_ARRAY_CMD_H

/* argv[0] is "array".  Returns the process exit status: 0 success, 1 a
 * failure (reported on stderr), 2 a usage error. */
int dirtool_array_main(int argc, char **argv);

#endif
