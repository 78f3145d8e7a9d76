// SPDX-License-Identifier: GPL-2.0-only
/*
 * zabbix-wg-stats: WireGuard statistics for Zabbix (low-level discovery and one master item per
 * interface) and Prometheus, from one read of each device, as an unprivileged user.
 * See docs/zabbix.md.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "dispatch.h"
#include "key.h"
#include "out.h"

static const struct dispatch_cmd cmds[] = {
    {"discovery", discovery_main},   {"get", get_main},
    {"prometheus", prometheus_main}, {"site-discovery", site_discovery_main},
    {"site-get", site_get_main},
};

static const char usage[] =
    "usage: zabbix-wg-stats discovery [IFACE...] [--state STATE.json|DIR ...] "
    "[--shard K/N]\n"
    "       zabbix-wg-stats discovery --interfaces [--shard-peers N] [--state ...]\n"
    "       zabbix-wg-stats get IFACE [--state STATE.json|DIR ...] [--shard K/N]\n"
    "       zabbix-wg-stats prometheus [IFACE...] [--state STATE.json|DIR ...] [--compat]\n"
    "                        [--sites FILE] [--probe-timeout MS]\n"
    "       zabbix-wg-stats site-discovery [--sites FILE]\n"
    "       zabbix-wg-stats site-get [--sites FILE] [--probe-timeout MS]\n";

int main(int argc, char *argv[])
{
	/* The device read carries the private key: no core dumps, no ptrace. */
	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	return DISPATCH(argc, argv, cmds, usage, NULL);
}
