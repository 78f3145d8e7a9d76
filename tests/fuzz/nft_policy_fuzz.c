// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer harness for nft-apply's policy parser and validator, including the sources directly
 * as wireguard-tools' src/fuzz/ does. Nothing talks to the kernel: parsing and validation only.
 */
#include "../../helpers/lib/addr.c"
#include "../../helpers/lib/err.c"
#include "../../helpers/lib/json_get.c"
#include "../../helpers/lib/num.c"
#include "../../helpers/nft-apply/nft_addr.c"
#include "../../helpers/nft-apply/nft_check.c"
#include "../../helpers/nft-apply/nft_policy.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nft_policy pol;
	struct err err = {{0}};
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!root)
		return 0;
	if (nft_policy_parse(&pol, root, &err)) {
		if (pol.vpn.lo > pol.vpn.hi || !pol.iface[0])
			__builtin_trap();
		nft_policy_free(&pol);
	} else if (!err.msg[0]) {
		__builtin_trap(); /* every refusal must say why */
	}
	json_decref(root);
	return 0;
}
