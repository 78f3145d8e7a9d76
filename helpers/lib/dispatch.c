// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "dispatch.h"
#include "out.h"

int dispatch(int argc, char *argv[], const struct dispatch_cmd *cmds, size_t n, const char *usage,
	     int (*fallback)(int argc, char *argv[]))
{
	size_t i;

	if (argc < 2) {
		fputs(usage, stderr);
		return json_out_fail(EXIT_INVALID, "missing command");
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	if (fallback && argv[1][0] != '-')
		return fallback(argc, argv);
	fputs(usage, stderr);
	return json_out_fail(EXIT_INVALID, "unknown command \"%s\"", argv[1]);
}
