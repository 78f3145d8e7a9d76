// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ruleset (inet TABLE), constant in size. Traffic from the VPN interface IF is judged per
 * packet, not only when a flow starts: a peer whose access shrinks loses its open flows at once.
 * Only replies to connections started from elsewhere (ct direction reply) skip the peer rules.
 *   input and forward, first (with bans): ip saddr @ban4 drop; ip6 saddr @ban6 drop
 *   input (filter hook input):
 *     iifname IF ip daddr @deny_nets goto in_drop
 *     iifname IF ct state established,related ct direction reply accept
 *     iifname IF ip saddr . ip daddr [. meta l4proto [. th dport]] @peer_{net,proto,svc} accept
 *     iifname IF ip saddr @restricted goto in_drop
 *     udp dport PORT ip saddr @wg_src accept; udp dport PORT goto wg_drop     (with wg_sources)
 *     ip saddr . meta l4proto . th dport @in_allow accept                     (with input)
 *     meta l4proto . th dport @in_svc goto in_drop                             (with input)
 *   forward (filter hook forward):
 *     tcp flags syn / syn,rst tcp option maxseg size set rt mtu          (unless mss_clamp false)
 *     iifname IF ip daddr @deny_nets goto fwd_drop
 *     iifname IF ct state established,related ct direction reply accept
 *     iifname IF ip saddr . ip daddr [. meta l4proto [. th dport]] @peer_{net,proto,svc} accept
 *     iifname IF ip saddr @restricted goto fwd_drop
 *     iifname IF oifname IF goto fwd_drop                          (unless peer_to_peer)
 *     iifname IF ip daddr @allow_nets accept
 *     iifname IF goto fwd_drop
 *   postrouting (nat):  ip saddr VPN oifname != IF masquerade
 *   fwd_drop, wg_drop, in_drop:  limit ... log prefix "PREFIX ... drop: "; counter name X drop
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft_build.h"
#include "nft_elems.h"
#include "nft_expr.h"

/* The first 32-bit register: the kernel reports it as NFT_REG_1, so warren names it so. */
#define R0 NFT_REG_1

enum { T_IPV4 = 7, T_IPV6 = 8, T_PROTO = 12, T_SERVICE = 13 };
#define CAT(a, b) ((a) << 6 | (b))
#define IC	  (NFT_SET_INTERVAL | NFT_SET_CONCAT)

static const struct setdef {
	const char *name;
	uint32_t flags, key_type;
	uint8_t nfields, fl[4];
} setdefs[] = {
    {"wg_src", NFT_SET_INTERVAL, T_IPV4, 1, {4}},
    {"deny_nets", NFT_SET_INTERVAL, T_IPV4, 1, {4}},
    {"allow_nets", NFT_SET_INTERVAL, T_IPV4, 1, {4}},
    {"restricted", 0, T_IPV4, 1, {4}},
    {"in_svc", IC, CAT(T_PROTO, T_SERVICE), 2, {1, 2}},
    {"in_allow", IC, CAT(CAT(T_IPV4, T_PROTO), T_SERVICE), 3, {4, 1, 2}},
    {"peer_net", IC, CAT(T_IPV4, T_IPV4), 2, {4, 4}},
    {"peer_proto", IC, CAT(CAT(T_IPV4, T_IPV4), T_PROTO), 3, {4, 4, 1}},
    {"peer_svc", IC, CAT(CAT(CAT(T_IPV4, T_IPV4), T_PROTO), T_SERVICE), 4, {4, 4, 1, 2}},
};

/* With IPv6 input sources: ip6 saddr . meta l4proto . th dport. */
static const struct setdef allow6def = {
    "in_allow6", IC, CAT(CAT(T_IPV6, T_PROTO), T_SERVICE), 3, {16, 1, 2}};

/* With IPv6 wg_sources. */
static const struct setdef wg6def = {"wg_src6", NFT_SET_INTERVAL, T_IPV6, 1, {16}};

/* Ban sets: timeouts, elements added by fail2ban and never compared or flushed by nft-apply. */
static const struct setdef bandefs[] = {
    {"ban4", NFT_SET_TIMEOUT, T_IPV4, 1, {4}},
    {"ban6", NFT_SET_TIMEOUT, T_IPV6, 1, {16}},
};

static const char *const drops[] = {"fwd_drop", "wg_drop", "in_drop"};

static int add_set(struct nft_desired *d, const struct setdef *def)
{
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t len = 0;
	uint8_t i;

	if (!s)
		return -ENOMEM;
	d->sets[d->nsets++] = s;
	for (i = 0; i < def->nfields; i++)
		len += (def->fl[i] + 3U) & ~3U;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, d->model.table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, def->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, def->flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, def->key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, len);
	nftnl_set_set_u32(s, NFTNL_SET_ID, (uint32_t)d->nsets);
	if (def->nfields > 1)
		nftnl_set_set_data(s, NFTNL_SET_DESC_CONCAT, def->fl, def->nfields);
	return nft_model_set(&d->model, s);
}

static int add_chain(struct nft_desired *d, const char *name, const char *type, uint32_t hook,
		     int32_t prio, uint32_t policy)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (!c)
		return -ENOMEM;
	d->chains[d->nchains++] = c;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, d->model.table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	if (type) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, policy);
	}
	return nft_model_chain(&d->model, c);
}

static int add_counter(struct nft_desired *d, const char *name)
{
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o)
		return -ENOMEM;
	d->objs[d->nobjs++] = o;
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, d->model.table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, NFPROTO_INET);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	return nft_model_obj(&d->model, o);
}

int nft_rule_begin(struct nft_desired *d, struct nft_rb *b, const char *chain)
{
	b->oom = false;
	b->r = nftnl_rule_alloc();
	if (!b->r)
		return -ENOMEM;
	d->rules[d->nrules++] = b->r;
	nftnl_rule_set_str(b->r, NFTNL_RULE_TABLE, d->model.table);
	nftnl_rule_set_str(b->r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(b->r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	return 0;
}

/* The rule goes into the model as built; registers and defaults are those the kernel reports. */
int nft_rule_end(struct nft_desired *d, struct nft_rb *b)
{
	if (b->oom)
		return -ENOMEM;
	return nft_model_rule(&d->model, b->r);
}

static int drop_chain(struct nft_desired *d, const struct nft_policy *pol, size_t i)
{
	static const char *const what[] = {"fwd", "wg", "input"};
	char prefix[NFT_POLICY_PREFIX_MAX + 32];
	struct nft_rb b;
	int ret;

	if ((ret = add_chain(d, drops[i], NULL, 0, 0, 0)) || (ret = add_counter(d, drops[i])))
		return ret;
	if (pol->flags & NFT_POLICY_LOG) {
		snprintf(prefix, sizeof(prefix), "%s %s drop: ", pol->log_prefix, what[i]);
		if ((ret = nft_rule_begin(d, &b, drops[i])))
			return ret;
		nft_x_limit(&b, pol->log_rate, pol->log_unit, pol->log_burst);
		nft_x_log(&b, prefix);
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if ((ret = nft_rule_begin(d, &b, drops[i])))
		return ret;
	nft_x_counter_ref(&b, drops[i]);
	nft_x_verdict(&b, NF_DROP, NULL);
	return nft_rule_end(d, &b);
}

/*
 * One rule in @chain for traffic from the VPN interface: iifname IF [ipv4 and a lookup of
 * @fields keys in @set] then @verdict (to @target).
 */
static int vpn_rule(struct nft_desired *d, const struct nft_policy *pol, const char *chain,
		    const char *set, const char *fields, int verdict, const char *target)
{
	uint32_t reg = NFT_REG32_00;
	struct nft_rb b;
	int ret;

	if ((ret = nft_rule_begin(d, &b, chain)))
		return ret;
	nft_m_iifname(&b, pol->iface);
	if (set) {
		nft_m_ipv4(&b);
		for (; *fields; fields++, reg++) {
			uint32_t r = reg == NFT_REG32_00 ? R0 : reg;

			if (*fields == 's')
				nft_l_saddr(&b, r);
			else if (*fields == 'd')
				nft_l_daddr(&b, r);
			else if (*fields == 'p')
				nft_l_l4proto(&b, r);
			else
				nft_l_dport(&b, r);
		}
		nft_x_lookup(&b, R0, set);
	}
	nft_x_verdict(&b, verdict, target);
	return nft_rule_end(d, &b);
}

/* iifname IF ct state established,related ct direction reply accept */
static int reply_rule(struct nft_desired *d, const struct nft_policy *pol, const char *chain)
{
	uint8_t reply = 1; /* IP_CT_DIR_REPLY */
	struct nft_rb b;
	int ret;

	if ((ret = nft_rule_begin(d, &b, chain)))
		return ret;
	nft_m_iifname(&b, pol->iface);
	nft_m_ct_state(&b, 6 /* established | related */);
	nft_x_ct(&b, NFT_CT_DIRECTION, R0);
	nft_x_cmp(&b, R0, NFT_CMP_EQ, &reply, 1);
	nft_x_verdict(&b, NF_ACCEPT, NULL);
	return nft_rule_end(d, &b);
}

/*
 * The per-peer part, the same for input and forward: replies pass; then the peers' own lists;
 * then a restricted peer (one with a list) is dropped. @drop is the chain that drops.
 */
static int peer_rules(struct nft_desired *d, const struct nft_policy *pol, const char *chain,
		      const char *drop)
{
	int ret;

	if ((ret = reply_rule(d, pol, chain)) ||
	    (ret = vpn_rule(d, pol, chain, "peer_net", "sd", NF_ACCEPT, NULL)) ||
	    (ret = vpn_rule(d, pol, chain, "peer_proto", "sdp", NF_ACCEPT, NULL)) ||
	    (ret = vpn_rule(d, pol, chain, "peer_svc", "sdpt", NF_ACCEPT, NULL)))
		return ret;
	return vpn_rule(d, pol, chain, "restricted", "s", NFT_GOTO, drop);
}

/* ip saddr @ban4 drop; ip6 saddr @ban6 drop: every protocol, first in @chain. */
static int ban_rules(struct nft_desired *d, const struct nft_policy *pol, const char *chain)
{
	uint8_t fam[] = {NFPROTO_IPV4, NFPROTO_IPV6};
	struct nft_rb b;
	size_t i;
	int ret;

	if (!(pol->flags & NFT_POLICY_BANS))
		return 0;
	for (i = 0; i < 2; i++) {
		if ((ret = nft_rule_begin(d, &b, chain)))
			return ret;
		nft_x_meta(&b, NFT_META_NFPROTO, R0);
		nft_x_cmp(&b, R0, NFT_CMP_EQ, &fam[i], 1);
		if (i == 0)
			nft_l_saddr(&b, R0);
		else
			nft_x_payload(&b, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, R0);
		nft_x_lookup(&b, R0, bandefs[i].name);
		nft_x_verdict(&b, NF_DROP, NULL);
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	return 0;
}

/*
 * ip saddr . meta l4proto . th dport @in_allow accept; the same for ip6 saddr and @in_allow6
 * (four registers for the address: the kernel reports the fifth 32-bit one as NFT_REG_2); then
 * meta l4proto . th dport @in_svc goto in_drop.
 */
static int service_rules(struct nft_desired *d, const struct nft_policy *pol)
{
	struct nft_rb b;
	int ret;

	if ((ret = nft_rule_begin(d, &b, "input")))
		return ret;
	nft_m_ipv4(&b);
	nft_l_saddr(&b, R0);
	nft_l_l4proto(&b, NFT_REG32_01);
	nft_l_dport(&b, NFT_REG32_02);
	nft_x_lookup(&b, R0, "in_allow");
	nft_x_verdict(&b, NF_ACCEPT, NULL);
	if ((ret = nft_rule_end(d, &b)))
		return ret;
	if (pol->flags & NFT_POLICY_HAS_INPUT6) {
		if ((ret = nft_rule_begin(d, &b, "input")))
			return ret;
		nft_m_ipv6(&b);
		nft_l_saddr6(&b, R0);
		nft_l_l4proto(&b, NFT_REG_2);
		nft_l_dport(&b, NFT_REG32_05);
		nft_x_lookup(&b, R0, "in_allow6");
		nft_x_verdict(&b, NF_ACCEPT, NULL);
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if ((ret = nft_rule_begin(d, &b, "input")))
		return ret;
	nft_l_l4proto(&b, R0);
	nft_l_dport(&b, NFT_REG32_01);
	nft_x_lookup(&b, R0, "in_svc");
	nft_x_verdict(&b, NFT_GOTO, "in_drop");
	return nft_rule_end(d, &b);
}

/* udp dport PORT ip6 saddr @wg_src6 accept (with IPv6 wg_sources) */
static int wg6_rule(struct nft_desired *d, const struct nft_policy *pol)
{
	struct nft_rb b;
	int ret;

	if (!(pol->flags & NFT_POLICY_HAS_WG6))
		return 0;
	if ((ret = nft_rule_begin(d, &b, "input")))
		return ret;
	nft_m_l4proto(&b, IPPROTO_UDP);
	nft_m_dport(&b, pol->listen_port);
	nft_m_ipv6(&b);
	nft_l_saddr6(&b, R0);
	nft_x_lookup(&b, R0, "wg_src6");
	nft_x_verdict(&b, NF_ACCEPT, NULL);
	return nft_rule_end(d, &b);
}

static int input_rules(struct nft_desired *d, const struct nft_policy *pol)
{
	struct nft_rb b;
	int ret;

	/* Peers reach the gateway itself only as they reach anything: never the DMZ side. */
	if ((ret = ban_rules(d, pol, "input")) || (ret = nft_input_head(d, pol)) ||
	    (ret = vpn_rule(d, pol, "input", "deny_nets", "d", NFT_GOTO, "in_drop")) ||
	    (ret = peer_rules(d, pol, "input", "in_drop")))
		return ret;
	if (pol->flags & NFT_POLICY_HAS_WG_SOURCES) {
		if ((ret = nft_rule_begin(d, &b, "input")))
			return ret;
		nft_m_l4proto(&b, IPPROTO_UDP);
		nft_m_dport(&b, pol->listen_port);
		nft_m_ipv4(&b);
		nft_l_saddr(&b, R0);
		nft_x_lookup(&b, R0, "wg_src");
		nft_x_verdict(&b, NF_ACCEPT, NULL);
		if ((ret = nft_rule_end(d, &b)) || (ret = wg6_rule(d, pol)) ||
		    (ret = nft_rule_begin(d, &b, "input")))
			return ret;
		nft_m_l4proto(&b, IPPROTO_UDP);
		nft_m_dport(&b, pol->listen_port);
		nft_x_verdict(&b, NFT_GOTO, "wg_drop");
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if (pol->ninputs && (ret = service_rules(d, pol)))
		return ret;
	return nft_input_tail(d, pol);
}

static int forward_rules(struct nft_desired *d, const struct nft_policy *pol)
{
	struct nft_rb b;
	int ret;

	if ((ret = ban_rules(d, pol, "forward")))
		return ret;
	if (pol->flags & NFT_POLICY_MSS_CLAMP) {
		if ((ret = nft_rule_begin(d, &b, "forward")))
			return ret;
		nft_m_tcp_syn(&b);
		nft_x_clamp_mss(&b);
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if ((ret = vpn_rule(d, pol, "forward", "deny_nets", "d", NFT_GOTO, "fwd_drop")) ||
	    (ret = peer_rules(d, pol, "forward", "fwd_drop")))
		return ret;
	if (!(pol->flags & NFT_POLICY_PEER_TO_PEER)) {
		if ((ret = nft_rule_begin(d, &b, "forward")))
			return ret;
		nft_m_iifname(&b, pol->iface);
		nft_m_oifname(&b, pol->iface);
		nft_x_verdict(&b, NFT_GOTO, "fwd_drop");
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if ((ret = vpn_rule(d, pol, "forward", "allow_nets", "d", NF_ACCEPT, NULL)))
		return ret;
	return vpn_rule(d, pol, "forward", NULL, NULL, NFT_GOTO, "fwd_drop");
}

static int nat_rules(struct nft_desired *d, const struct nft_policy *pol)
{
	uint32_t mask = htonl(~(pol->vpn.hi - pol->vpn.lo)), net = htonl(pol->vpn.lo), zero = 0;
	struct nft_rb b;
	int ret;

	if (!(pol->flags & NFT_POLICY_MASQUERADE))
		return 0;
	if ((ret = add_chain(d, "postrouting", "nat", NF_INET_POST_ROUTING, pol->prio_nat,
			     NF_ACCEPT)) ||
	    (ret = nft_rule_begin(d, &b, "postrouting")))
		return ret;
	nft_m_ipv4(&b);
	nft_l_saddr(&b, R0);
	nft_x_bitwise(&b, R0, 4, &mask, &zero);
	nft_x_cmp(&b, R0, NFT_CMP_EQ, &net, 4);
	nft_m_oifname_not(&b, pol->iface);
	nft_x_masq(&b);
	return nft_rule_end(d, &b);
}

int nft_build(struct nft_desired *d, const struct nft_policy *pol)
{
	size_t i;
	int ret;

	memset(d, 0, sizeof(*d));
	nft_model_init(&d->model, pol->table);
	d->model.exists = true;
	d->table = nftnl_table_alloc();
	if (!d->table)
		return -ENOMEM;
	nftnl_table_set_str(d->table, NFTNL_TABLE_NAME, pol->table);
	nftnl_table_set_u32(d->table, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_u32(d->table, NFTNL_TABLE_FLAGS, 0);
	if ((ret = nft_model_table(&d->model, d->table)))
		return ret;
	for (i = 0; i < sizeof(setdefs) / sizeof(setdefs[0]); i++)
		if ((ret = add_set(d, &setdefs[i])))
			return ret;
	for (i = 0; (pol->flags & NFT_POLICY_BANS) && i < 2; i++)
		if ((ret = add_set(d, &bandefs[i])))
			return ret;
	if ((pol->flags & NFT_POLICY_HAS_INPUT6) && (ret = add_set(d, &allow6def)))
		return ret;
	if ((pol->flags & NFT_POLICY_HAS_WG6) && (ret = add_set(d, &wg6def)))
		return ret;
	if ((ret = add_chain(d, "input", "filter", NF_INET_LOCAL_IN, pol->prio_filter,
			     pol->flags & NFT_POLICY_INPUT_DROP ? NF_DROP : NF_ACCEPT)) ||
	    (ret = add_chain(d, "forward", "filter", NF_INET_FORWARD, pol->prio_filter, NF_ACCEPT)))
		return ret;
	for (i = 0; i < sizeof(drops) / sizeof(drops[0]); i++)
		if ((ret = drop_chain(d, pol, i)))
			return ret;
	if ((ret = input_rules(d, pol)) || (ret = forward_rules(d, pol)) ||
	    (ret = nat_rules(d, pol)) || (ret = nft_elems_fill(&d->model, pol)))
		return ret;
	nft_model_finish(&d->model);
	return 0;
}

void nft_desired_free(struct nft_desired *d)
{
	size_t i;

	for (i = 0; i < d->nchains; i++)
		nftnl_chain_free(d->chains[i]);
	for (i = 0; i < d->nsets; i++)
		nftnl_set_free(d->sets[i]);
	for (i = 0; i < d->nobjs; i++)
		nftnl_obj_free(d->objs[i]);
	for (i = 0; i < d->nrules; i++)
		nftnl_rule_free(d->rules[i]);
	if (d->table)
		nftnl_table_free(d->table);
	nft_model_free(&d->model);
	memset(d, 0, sizeof(*d));
}
