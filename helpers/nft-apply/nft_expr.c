// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include "nft_expr.h"

static struct nftnl_expr *add(struct nft_rb *b, const char *name)
{
	struct nftnl_expr *e;

	if (b->oom)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e) {
		b->oom = true;
		return NULL;
	}
	nftnl_rule_add_expr(b->r, e);
	return e;
}

void nft_x_meta(struct nft_rb *b, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = add(b, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
}

void nft_x_cmp(struct nft_rb *b, uint32_t sreg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = add(b, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

void nft_x_payload(struct nft_rb *b, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = add(b, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

void nft_x_bitwise(struct nft_rb *b, uint32_t reg, uint32_t len, const void *mask, const void * xor)
{
	struct nftnl_expr *e = add(b, "bitwise");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
}

void nft_x_lookup(struct nft_rb *b, uint32_t sreg, const char *set)
{
	struct nftnl_expr *e = add(b, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, 0);
}

void nft_x_verdict(struct nft_rb *b, int verdict, const char *chain)
{
	struct nftnl_expr *e = add(b, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}

void nft_x_ct(struct nft_rb *b, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = add(b, "ct");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
}

void nft_x_limit(struct nft_rb *b, uint64_t rate, uint64_t unit, uint32_t burst)
{
	struct nftnl_expr *e = add(b, "limit");

	if (!e)
		return;
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, rate);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, unit);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, burst);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
}

void nft_x_log(struct nft_rb *b, const char *prefix)
{
	struct nftnl_expr *e = add(b, "log");

	if (!e)
		return;
	nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, prefix);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, 4); /* warning, the kernel's default */
}

void nft_x_counter_ref(struct nft_rb *b, const char *name)
{
	struct nftnl_expr *e = add(b, "objref");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
}

void nft_x_masq(struct nft_rb *b)
{
	add(b, "masq");
}

void nft_x_clamp_mss(struct nft_rb *b)
{
	struct nftnl_expr *e = add(b, "rt");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_RT_KEY, NFT_RT_TCPMSS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RT_DREG, NFT_REG_1);
	if (!(e = add(b, "byteorder")))
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
	if (!(e = add(b, "exthdr")))
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
	nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, 2 /* TCPOPT_MAXSEG */);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_SREG, NFT_REG_1);
}

static void ifname_cmp(struct nft_rb *b, uint32_t key, uint32_t op, const char *ifname)
{
	char name[16] = {0};

	strncpy(name, ifname, sizeof(name) - 1);
	nft_x_meta(b, key, NFT_REG_1);
	nft_x_cmp(b, NFT_REG_1, op, name, sizeof(name));
}

void nft_m_iifname(struct nft_rb *b, const char *ifname)
{
	ifname_cmp(b, NFT_META_IIFNAME, NFT_CMP_EQ, ifname);
}

void nft_m_oifname(struct nft_rb *b, const char *ifname)
{
	ifname_cmp(b, NFT_META_OIFNAME, NFT_CMP_EQ, ifname);
}

void nft_m_oifname_not(struct nft_rb *b, const char *ifname)
{
	ifname_cmp(b, NFT_META_OIFNAME, NFT_CMP_NEQ, ifname);
}

void nft_m_ipv4(struct nft_rb *b)
{
	uint8_t v = NFPROTO_IPV4;

	nft_x_meta(b, NFT_META_NFPROTO, NFT_REG_1);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &v, 1);
}

void nft_m_ipv6(struct nft_rb *b)
{
	uint8_t v = NFPROTO_IPV6;

	nft_x_meta(b, NFT_META_NFPROTO, NFT_REG_1);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &v, 1);
}

void nft_m_iif(struct nft_rb *b, uint32_t ifindex)
{
	nft_x_meta(b, NFT_META_IIF, NFT_REG_1);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &ifindex, 4);
}

void nft_m_ct_state(struct nft_rb *b, uint32_t mask)
{
	uint32_t zero = 0;

	nft_x_ct(b, NFT_CT_STATE, NFT_REG_1);
	nft_x_bitwise(b, NFT_REG_1, 4, &mask, &zero);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_NEQ, &zero, 4);
}

void nft_m_icmp_type(struct nft_rb *b, uint8_t proto, uint8_t lo, uint8_t hi)
{
	nft_m_l4proto(b, proto);
	nft_x_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
	if (lo == hi) {
		nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &lo, 1);
		return;
	}
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_GTE, &lo, 1);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_LTE, &hi, 1);
}

void nft_m_l4proto(struct nft_rb *b, uint8_t proto)
{
	nft_x_meta(b, NFT_META_L4PROTO, NFT_REG_1);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &proto, 1);
}

void nft_m_tcp_syn(struct nft_rb *b)
{
	uint8_t mask = 0x06 /* syn | rst */, syn = 0x02, zero = 0;

	nft_m_l4proto(b, IPPROTO_TCP);
	nft_x_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1);
	nft_x_bitwise(b, NFT_REG_1, 1, &mask, &zero);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &syn, 1);
}

void nft_m_dport(struct nft_rb *b, uint16_t port)
{
	uint16_t be = htons(port);

	nft_l_dport(b, NFT_REG_1);
	nft_x_cmp(b, NFT_REG_1, NFT_CMP_EQ, &be, 2);
}

void nft_l_saddr(struct nft_rb *b, uint32_t reg)
{
	nft_x_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, reg);
}

void nft_l_daddr(struct nft_rb *b, uint32_t reg)
{
	nft_x_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, reg);
}

void nft_l_saddr6(struct nft_rb *b, uint32_t reg)
{
	nft_x_payload(b, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, reg);
}

void nft_l_l4proto(struct nft_rb *b, uint32_t reg)
{
	nft_x_meta(b, NFT_META_L4PROTO, reg);
}

void nft_l_dport(struct nft_rb *b, uint32_t reg)
{
	nft_x_payload(b, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg);
}
