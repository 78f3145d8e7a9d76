// SPDX-License-Identifier: GPL-2.0-only
/*
 * zabbix-wg-stats: WireGuard statistics for Zabbix (low-level discovery and one master item per
 * interface) and Prometheus, from one read of each device, as an unprivileged user.
 * See docs/zabbix.md.
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
    {"discovery", discovery_main},
    {"get", get_main},
    {"prometheus", prometheus_main},
};

static void usage(FILE *f)
{
	fputs("usage: zabbix-wg-stats discovery [IFACE...] [--state STATE.json|DIR ...] "
	      "[--shard K/N]\n"
	      "       zabbix-wg-stats discovery --interfaces [--shard-peers N] [--state ...]\n"
	      "       zabbix-wg-stats get IFACE [--state STATE.json|DIR ...] [--shard K/N]\n"
	      "       zabbix-wg-stats prometheus [IFACE...] [--state STATE.json|DIR ...]\n",
	      f);
}

int main(int argc, char *argv[])
{
	size_t i;

	/* The device read carries the private key: no core dumps, no ptrace. */
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
