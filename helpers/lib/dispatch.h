/* SPDX-License-Identifier: GPL-2.0-only */
/* The command table every helper's main() dispatches through, as wg(8) does. */
#ifndef WARREN_DISPATCH_H
#define WARREN_DISPATCH_H

#include <stddef.h>

struct dispatch_cmd {
	const char *name;
	int (*fn)(int argc, char *argv[]); /* argv[0] is the command's name */
};

/*
 * Runs the command named by argv[1]. -h/--help prints @usage on stdout. When argv[1] names no
 * command, @fallback (if any) gets all of argv when argv[1] does not start with '-' (as in
 * `nft-apply POLICY.json`); otherwise @usage goes to stderr with the failure object, exit 2.
 */
int dispatch(int argc, char *argv[], const struct dispatch_cmd *cmds, size_t n, const char *usage,
	     int (*fallback)(int argc, char *argv[]));

#define DISPATCH(argc, argv, cmds, usage, fallback)                                                \
	dispatch((argc), (argv), (cmds), sizeof(cmds) / sizeof((cmds)[0]), (usage), (fallback))

#endif
