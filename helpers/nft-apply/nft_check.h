/* SPDX-License-Identifier: GPL-2.0-only */
/* Semantic checks of a parsed nft policy: peers inside the VPN subnet, no duplicates, no overlaps.
 */
#ifndef WARREN_NFT_CHECK_H
#define WARREN_NFT_CHECK_H

#include "nft_policy.h"

/* Merges the plain CIDR lists and refuses what the kernel's interval sets would reject. */
bool nft_policy_check(struct nft_policy *pol, struct err *err);

#endif
