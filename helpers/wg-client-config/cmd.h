/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WG_CLIENT_CONFIG_CMD_H
#define WG_CLIENT_CONFIG_CMD_H

#include <stdbool.h>

#include <jansson.h>

#include "err.h"

struct opts {
	const char *arg; /* the spec (write, sync) or the peer name (remove, qr) */
	const char *dir;
	bool check, terminal;
};

/* The flags a command may take, for cmd_opts (also getopt_long's codes: keep them above 255). */
enum { CMD_OPT_CHECK = 0x100, CMD_OPT_TERMINAL = 0x200 };
/* Parses "ARG --dir DIR [--check] [--terminal]", refusing the flags not in @allowed. */
int cmd_opts(struct opts *o, int argc, char *argv[], unsigned int allowed);
/* 0 when @dir can be echoed in the JSON result; else prints the failure and returns its code. */
int cmd_check_dir(const char *dir);
/*
 * The spec from the file @arg, or from stdin when @arg is "-" (read with read(2) into a buffer
 * that is wiped, since it may hold inline keys). NULL with @err set on failure.
 */
json_t *cmd_load_spec(const char *arg, struct err *err);

int write_main(int argc, char *argv[]);
int sync_main(int argc, char *argv[]);
int remove_main(int argc, char *argv[]);
int qr_main(int argc, char *argv[]);

#endif
