// SPDX-License-Identifier: GPL-2.0-only
/*
 * wg-peer-sync: make a live WireGuard interface match a desired state, changing only
 * what differs. See docs/wg-peer-sync.md.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "key.h"
#include "out.h"

static const struct cmd_entry {
	const char *name;
	int (*fn)(int argc, char *argv[]);
} cmds[] = {
    {"sync", sync_main},     {"show", show_main},     {"genkey", genkey_main},
    {"genpsk", genpsk_main}, {"pubkey", pubkey_main},
};

static void usage(FILE *f)
{
	fputs("usage: wg-peer-sync sync STATE.json [--check] [--allow-empty]\n"
	      "       wg-peer-sync show IFACE\n"
	      "       wg-peer-sync genkey|genpsk [--out FILE]\n"
	      "       wg-peer-sync pubkey < private.key\n",
	      f);
}

int main(int argc, char *argv[])
{
	size_t i;

	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	if (argc < 2) {
		usage(stderr);
		return json_out_fail(EXIT_INVALID, "missing command");
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	usage(stderr);
	return json_out_fail(EXIT_INVALID, "unknown command \"%s\"", argv[1]);
}
