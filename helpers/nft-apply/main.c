// SPDX-License-Identifier: GPL-2.0-only
/*
 * nft-apply: make warren's nftables table match a policy, atomically and idempotently.
 * See docs/nft-apply.md.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "dispatch.h"
#include "out.h"

static const struct dispatch_cmd cmds[] = {
    {"apply", apply_main},
    {"show", show_main},
    {"delete", delete_main},
};

static const char usage[] = "usage: nft-apply [apply] POLICY.json [--check]\n"
			    "       nft-apply show [TABLE]\n"
			    "       nft-apply delete [TABLE] [--check]\n";

int main(int argc, char *argv[])
{
	return DISPATCH(argc, argv, cmds, usage, apply_main);
}
