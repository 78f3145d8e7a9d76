// SPDX-License-Identifier: GPL-2.0-only
/*
 * warren-enrolld: devices enroll themselves into the VPN with a fleet token over HTTPS.
 * See docs/enroll.md.
 */
#include <signal.h>

#include "cmd.h"
#include "dispatch.h"
#include "key.h"
#include "out.h"

static const struct dispatch_cmd cmds[] = {
    {"serve", serve_main},
    {"token", token_main},
    {"secret", secret_main},
};

static const char usage[] =
    "usage: warren-enrolld serve CONFIG.json\n"
    "       warren-enrolld token create --tokens FILE --secret FILE --id ID --profile P\n"
    "                [--uses N] [--rate N] [--expires-in S | --expires-at T] [--pool CIDR]\n"
    "                [--prefix P] [--interface IF]\n"
    "       warren-enrolld token list --tokens FILE [--state FILE]\n"
    "       warren-enrolld token revoke --tokens FILE ID [--check]\n"
    "       warren-enrolld secret --out FILE\n";

int main(int argc, char *argv[])
{
	signal(SIGPIPE, SIG_IGN);
	if (key_init() < 0)
		return json_out_fail(EXIT_RUNTIME, "libsodium failed to initialise");
	return DISPATCH(argc, argv, cmds, usage, NULL);
}
