// SPDX-License-Identifier: GPL-2.0-only
/*
 * input_policy "drop": what any host needs around warren's own input rules, so that only the
 * listed services are reachable. The chain's policy is drop too, but the last rule goes to
 * in_drop first, so every refused packet is counted and (rate-limited) logged.
 *   head:  ct state invalid drop
 *   (bans first, then warren's VPN, WireGuard and input rules: nft_build.c; the ports "input"
 *   lists stay governed on every interface, loopback included, as with input_policy "accept")
 *   tail:  iif lo accept
 *          ct state established,related accept
 *          icmp type 3 accept; icmp type 11-12 accept            (unreachable/frag-needed, ...)
 *          icmp type 8 limit rate 10/second burst 20 accept     (echo-request)
 *          icmpv6 type 1-4 accept     (unreachable, packet-too-big, time-exceeded, param-problem)
 *          icmpv6 type 130-136 accept (MLD query/report/done, router solicitation/advertisement,
 *                                      neighbour solicitation/advertisement: not redirect, 137)
 *          icmpv6 type 143 accept     (MLDv2 report)
 *          icmpv6 type 128 limit rate 10/second burst 20 accept (echo-request)
 *          udp dport PORT accept                                 (without wg_sources)
 *          iifname IF accept             (peers that reached here: those without an access list)
 *          goto in_drop
 */
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nft_build.h"
#include "nft_expr.h"

#define ECHO_RATE  10 /* per second */
#define ECHO_BURST 20

static const struct {
	uint8_t proto, lo, hi;
	bool limited;
} icmp_ok[] = {
    {IPPROTO_ICMP, 3, 3, false},       {IPPROTO_ICMP, 11, 12, false},
    {IPPROTO_ICMP, 8, 8, true},	       {IPPROTO_ICMPV6, 1, 4, false},
    {IPPROTO_ICMPV6, 130, 136, false}, {IPPROTO_ICMPV6, 143, 143, false},
    {IPPROTO_ICMPV6, 128, 128, true},
};

static int simple(struct nft_desired *d, int verdict, uint32_t ct_mask)
{
	struct nft_rb b;
	int ret;

	if ((ret = nft_rule_begin(d, &b, "input")))
		return ret;
	if (ct_mask)
		nft_m_ct_state(&b, ct_mask);
	else
		nft_m_iif(&b, 1 /* lo */);
	nft_x_verdict(&b, verdict, NULL);
	return nft_rule_end(d, &b);
}

int nft_input_head(struct nft_desired *d, const struct nft_policy *pol)
{
	if (!(pol->flags & NFT_POLICY_INPUT_DROP))
		return 0;
	return simple(d, NF_DROP, 1 /* invalid */);
}

int nft_input_tail(struct nft_desired *d, const struct nft_policy *pol)
{
	struct nft_rb b;
	size_t i;
	int ret;

	if (!(pol->flags & NFT_POLICY_INPUT_DROP))
		return 0;
	if ((ret = simple(d, NF_ACCEPT, 0)) ||
	    (ret = simple(d, NF_ACCEPT, 6 /* established | related */)))
		return ret;
	for (i = 0; i < sizeof(icmp_ok) / sizeof(icmp_ok[0]); i++) {
		if ((ret = nft_rule_begin(d, &b, "input")))
			return ret;
		nft_m_icmp_type(&b, icmp_ok[i].proto, icmp_ok[i].lo, icmp_ok[i].hi);
		if (icmp_ok[i].limited)
			nft_x_limit(&b, ECHO_RATE, 1, ECHO_BURST);
		nft_x_verdict(&b, NF_ACCEPT, NULL);
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if (!(pol->flags & NFT_POLICY_HAS_WG_SOURCES)) {
		if ((ret = nft_rule_begin(d, &b, "input")))
			return ret;
		nft_m_l4proto(&b, IPPROTO_UDP);
		nft_m_dport(&b, pol->listen_port);
		nft_x_verdict(&b, NF_ACCEPT, NULL);
		if ((ret = nft_rule_end(d, &b)))
			return ret;
	}
	if ((ret = nft_rule_begin(d, &b, "input")))
		return ret;
	nft_m_iifname(&b, pol->iface);
	nft_x_verdict(&b, NF_ACCEPT, NULL);
	if ((ret = nft_rule_end(d, &b)) || (ret = nft_rule_begin(d, &b, "input")))
		return ret;
	nft_x_verdict(&b, NFT_GOTO, "in_drop");
	return nft_rule_end(d, &b);
}
