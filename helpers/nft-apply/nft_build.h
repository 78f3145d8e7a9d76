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
	struct nftnl_rule *rules[4 * NFT_BUILD_MAX];
	size_t nchains, nsets, nobjs, nrules;
};

struct nft_rb;

/* Returns 0 or -ENOMEM. */
int nft_build(struct nft_desired *d, const struct nft_policy *pol);
void nft_desired_free(struct nft_desired *d);

/* A new rule in @chain of @d, then its end: the rule goes into the model. 0 or -ENOMEM. */
int nft_rule_begin(struct nft_desired *d, struct nft_rb *b, const char *chain);
int nft_rule_end(struct nft_desired *d, struct nft_rb *b);
/*
 * input_policy "drop" (nft_base.c): the head goes first (invalid dropped), the tail last
 * (loopback, established, ICMP essentials, the WireGuard port, the VPN interface, then goto
 * in_drop). Both add nothing with input_policy "accept". 0 or -ENOMEM.
 */
int nft_input_head(struct nft_desired *d, const struct nft_policy *pol);
int nft_input_tail(struct nft_desired *d, const struct nft_policy *pol);

#endif
