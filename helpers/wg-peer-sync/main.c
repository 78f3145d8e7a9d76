// SPDX-License-Identifier: GPL-2.0-only
/*
 * wg-peer-sync: make a live WireGuard interface match a desired state, changing only
 * what differs. See docs/wg-peer-sync.md.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "dispatch.h"
#include "key.h"
#include "out.h"

static const struct dispatch_cmd cmds[] = {
    {"sync", sync_main},     {"show", show_main},     {"genkey", genkey_main},
    {"genpsk", genpsk_main}, {"pubkey", pubkey_main},
};

static const char usage[] = "usage: wg-peer-sync sync STATE.json [--check] [--allow-empty]\n"
			    "              [--overlay FILE --overlay-pool CIDR]\n"
			    "       wg-peer-sync show IFACE\n"
			    "       wg-peer-sync genkey|genpsk [--out FILE | --count N]\n"
			    "       wg-peer-sync pubkey < private.keys\n";

int main(int argc, char *argv[])
{
	/* A socket or pipe that closes early is an error to report, never a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	return DISPATCH(argc, argv, cmds, usage, NULL);
}
