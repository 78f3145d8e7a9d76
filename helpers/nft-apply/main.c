// SPDX-License-Identifier: GPL-2.0-only
/*
 * nft-apply: make warren's nftables table match a policy, atomically and idempotently.
 * See docs/nft-apply.md.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

static const struct cmd_entry {
	const char *name;
	int (*fn)(int argc, char *argv[]);
} cmds[] = {
    {"apply", apply_main},
    {"show", show_main},
    {"delete", delete_main},
};

static void usage(FILE *f)
{
	fputs("usage: nft-apply [apply] POLICY.json [--check]\n"
	      "       nft-apply show [TABLE]\n"
	      "       nft-apply delete [TABLE] [--check]\n",
	      f);
}

int main(int argc, char *argv[])
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return json_out_fail(EXIT_INVALID, "missing command or policy file");
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	if (argv[1][0] != '-')
		return apply_main(argc, argv); /* nft-apply POLICY.json [--check] */
	usage(stderr);
	return json_out_fail(EXIT_INVALID, "unknown command \"%s\"", argv[1]);
}
