/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * From a validated policy to the desired table: libnftnl objects to send and the model to compare
 * with the live table. The rule count is fixed; peers, networks and input sources only add set
 * elements. See docs/nft-apply.md for the ruleset.
 */
#ifndef WARREN_NFT_BUILD_H
#define WARREN_NFT_BUILD_H

#include "err.h"
#include "nft_model.h"
#include "nft_policy.h"

struct nftnl_table;
struct nftnl_chain;
struct nftnl_set;
struct nftnl_obj;
struct nftnl_rule;

#define NFT_BUILD_MAX 16

struct nft_desired {
	struct nft_model model;
	struct nftnl_table *table;
	struct nftnl_chain *chains[NFT_BUILD_MAX];
	struct nftnl_set *sets[NFT_BUILD_MAX];
	struct nftnl_obj *objs[NFT_BUILD_MAX];
	struct nftnl_rule *rules[2 * NFT_BUILD_MAX];
	size_t nchains, nsets, nobjs, nrules;
};

/* Returns 0 or -ENOMEM. */
int nft_build(struct nft_desired *d, const struct nft_policy *pol);
void nft_desired_free(struct nft_desired *d);

#endif
