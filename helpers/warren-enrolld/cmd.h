/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WARREN_ENROLLD_CMD_H
#define WARREN_ENROLLD_CMD_H

int serve_main(int argc, char *argv[]);
int token_main(int argc, char *argv[]);
int secret_main(int argc, char *argv[]);

#endif
