/* SPDX-License-Identifier: GPL-2.0-only */
/* Builders for the handful of nf_tables expressions warren's rules use, on top of libnftnl. */
#ifndef WARREN_NFT_EXPR_H
#define WARREN_NFT_EXPR_H

#include <stdbool.h>
#include <stdint.h>

struct nftnl_rule;

/* A rule under construction; any allocation failure sets @oom and later calls do nothing. */
struct nft_rb {
	struct nftnl_rule *r;
	bool oom;
};

void nft_x_meta(struct nft_rb *b, uint32_t key, uint32_t dreg);
void nft_x_cmp(struct nft_rb *b, uint32_t sreg, uint32_t op, const void *data, uint32_t len);
void nft_x_payload(struct nft_rb *b, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg);
void nft_x_bitwise(struct nft_rb *b, uint32_t reg, uint32_t len, const void *mask,
		   const void * xor);
void nft_x_lookup(struct nft_rb *b, uint32_t sreg, const char *set);
void nft_x_verdict(struct nft_rb *b, int verdict, const char *chain);
/* ct KEY (NFT_CT_STATE, NFT_CT_DIRECTION, ...) into @dreg. */
void nft_x_ct(struct nft_rb *b, uint32_t key, uint32_t dreg);
void nft_x_limit(struct nft_rb *b, uint64_t rate, uint64_t unit, uint32_t burst);
void nft_x_log(struct nft_rb *b, const char *prefix);
void nft_x_counter_ref(struct nft_rb *b, const char *name);
void nft_x_masq(struct nft_rb *b);
/* tcp option maxseg size set rt mtu: lowers the MSS to the route's MTU less the headers. */
void nft_x_clamp_mss(struct nft_rb *b);

/* Matches built from the above. */
void nft_m_iifname(struct nft_rb *b, const char *ifname);
void nft_m_oifname(struct nft_rb *b, const char *ifname);
void nft_m_oifname_not(struct nft_rb *b, const char *ifname);
void nft_m_ipv4(struct nft_rb *b);
void nft_m_ipv6(struct nft_rb *b);
/* meta iif INDEX (lo is 1 in every namespace) */
void nft_m_iif(struct nft_rb *b, uint32_t ifindex);
/* ct state & @mask != 0 (bits: invalid 1, established 2, related 4, new 8, untracked 64) */
void nft_m_ct_state(struct nft_rb *b, uint32_t mask);
/* meta l4proto @proto and the first transport byte (the ICMP type) within @lo-@hi */
void nft_m_icmp_type(struct nft_rb *b, uint8_t proto, uint8_t lo, uint8_t hi);
void nft_m_l4proto(struct nft_rb *b, uint8_t proto);
void nft_m_dport(struct nft_rb *b, uint16_t port);
/* tcp flags syn / syn,rst: a SYN or SYN-ACK, IPv4 or IPv6. */
void nft_m_tcp_syn(struct nft_rb *b);
/* Loads ip saddr (4 bytes) into @reg. */
void nft_l_saddr(struct nft_rb *b, uint32_t reg);
void nft_l_daddr(struct nft_rb *b, uint32_t reg);
/* Loads ip6 saddr (16 bytes, four 32-bit registers) into @reg. */
void nft_l_saddr6(struct nft_rb *b, uint32_t reg);
void nft_l_l4proto(struct nft_rb *b, uint32_t reg);
void nft_l_dport(struct nft_rb *b, uint32_t reg);

#endif
