// SPDX-License-Identifier: GPL-2.0-only
/*
 * Keys are concatenations of fields, each padded to 4 bytes, in network byte order. Single-field
 * interval sets hold a start element and an end element (one past the range, flagged
 * INTERVAL_END); concatenated interval sets hold one element with a start key and an end key.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <linux/netfilter/nf_tables.h>

#include "nft_elems.h"

struct key {
	uint8_t lo[NFT_KEY_MAX], hi[NFT_KEY_MAX];
	size_t off;
};

static void put_addr(struct key *k, uint32_t lo, uint32_t hi)
{
	uint32_t a = htonl(lo), b = htonl(hi);

	memcpy(k->lo + k->off, &a, 4);
	memcpy(k->hi + k->off, &b, 4);
	k->off += 4;
}

static void put_addr6(struct key *k, const struct nft_range6 *r)
{
	memcpy(k->lo + k->off, r->lo, 16);
	memcpy(k->hi + k->off, r->hi, 16);
	k->off += 16;
}

static void put_proto(struct key *k, uint8_t p)
{
	k->lo[k->off] = k->hi[k->off] = p;
	k->off += 4;
}

static void put_port(struct key *k, uint32_t lo, uint32_t hi)
{
	uint16_t a = htons((uint16_t)lo), b = htons((uint16_t)hi);

	memcpy(k->lo + k->off, &a, 2);
	memcpy(k->hi + k->off, &b, 2);
	k->off += 4;
}

static int add_concat(struct nft_mset *s, const struct key *k)
{
	struct nft_elem e;

	memset(&e, 0, sizeof(e));
	memcpy(e.key, k->lo, sizeof(e.key));
	memcpy(e.key_end, k->hi, sizeof(e.key_end));
	return nft_mset_add(s, &e);
}

static int add_ranges(struct nft_mset *s, const struct nft_range *r, size_t n)
{
	struct nft_elem e;
	uint32_t v;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		v = htonl(r[i].lo);
		memcpy(e.key, &v, 4);
		if (nft_mset_add(s, &e))
			return -ENOMEM;
		if (r[i].hi == UINT32_MAX)
			continue;
		v = htonl(r[i].hi + 1);
		memcpy(e.key, &v, 4);
		e.flags = NFT_SET_ELEM_INTERVAL_END;
		if (nft_mset_add(s, &e))
			return -ENOMEM;
	}
	return 0;
}

/* The IPv6 counterpart of add_ranges: a start element and an end one past the range. */
static int add_ranges6(struct nft_mset *s, const struct nft_range6 *r, size_t n)
{
	struct nft_elem e;
	size_t i;

	for (i = 0; s && i < n; i++) {
		memset(&e, 0, sizeof(e));
		memcpy(e.key, r[i].lo, 16);
		if (nft_mset_add(s, &e))
			return -ENOMEM;
		memset(&e, 0, sizeof(e));
		if (!nft_addr6_next(e.key, r[i].hi))
			continue;
		e.flags = NFT_SET_ELEM_INTERVAL_END;
		if (nft_mset_add(s, &e))
			return -ENOMEM;
	}
	return 0;
}

static int peer_elems(struct nft_model *m, const struct nft_peer *p)
{
	struct nft_mset *set;
	uint32_t addr = htonl(p->addr);
	struct nft_elem e;
	struct key k;
	size_t i, j;

	if (!(p->flags & NFT_PEER_HAS_ACCESS))
		return 0;
	memset(&e, 0, sizeof(e));
	memcpy(e.key, &addr, 4);
	if (nft_mset_add(nft_model_find_set(m, "restricted"), &e))
		return -ENOMEM;
	for (i = 0; i < p->naccess; i++) {
		const struct nft_access *a = &p->access[i];

		set = nft_model_find_set(m, !a->proto	 ? "peer_net"
					    : !a->nports ? "peer_proto"
							 : "peer_svc");
		for (j = 0; j < (a->nports ? a->nports : 1); j++) {
			memset(&k, 0, sizeof(k));
			put_addr(&k, p->addr, p->addr);
			put_addr(&k, a->dst.lo, a->dst.hi);
			if (a->proto)
				put_proto(&k, a->proto);
			if (a->nports)
				put_port(&k, a->ports[j].lo, a->ports[j].hi);
			if (add_concat(set, &k))
				return -ENOMEM;
		}
	}
	return 0;
}

/* The ports the input rules govern: per protocol, the union of every entry's ports. */
static int input_services(struct nft_mset *set, const struct nft_policy *pol)
{
	struct nft_range *r;
	size_t i, j, n, total = 0;
	uint8_t protos[] = {6, 17, 132, 136};
	struct key k;
	int ret = 0;

	for (i = 0; i < pol->ninputs; i++)
		total += pol->inputs[i].nports;
	r = calloc(total + 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (j = 0; j < sizeof(protos) && !ret; j++) {
		for (n = 0, i = 0; i < pol->ninputs; i++)
			if (pol->inputs[i].proto == protos[j]) {
				memcpy(r + n, pol->inputs[i].ports,
				       pol->inputs[i].nports * sizeof(*r));
				n += pol->inputs[i].nports;
			}
		n = nft_ranges_merge(r, n);
		for (i = 0; i < n && !ret; i++) {
			memset(&k, 0, sizeof(k));
			put_proto(&k, protos[j]);
			put_port(&k, r[i].lo, r[i].hi);
			ret = add_concat(set, &k);
		}
	}
	free(r);
	return ret;
}

static int input_elems(struct nft_model *m, const struct nft_policy *pol)
{
	struct nft_mset *allow = nft_model_find_set(m, "in_allow");
	struct nft_mset *allow6 = nft_model_find_set(m, "in_allow6"); /* only with IPv6 sources */
	const struct nft_input *in;
	size_t i, s, p;
	struct key k;

	for (i = 0; i < pol->ninputs; i++) {
		in = &pol->inputs[i];
		for (s = 0; s < in->nsources; s++)
			for (p = 0; p < in->nports; p++) {
				memset(&k, 0, sizeof(k));
				put_addr(&k, in->sources[s].lo, in->sources[s].hi);
				put_proto(&k, in->proto);
				put_port(&k, in->ports[p].lo, in->ports[p].hi);
				if (add_concat(allow, &k))
					return -ENOMEM;
			}
		for (s = 0; allow6 && s < in->nsources6; s++)
			for (p = 0; p < in->nports; p++) {
				memset(&k, 0, sizeof(k));
				put_addr6(&k, &in->sources6[s]);
				put_proto(&k, in->proto);
				put_port(&k, in->ports[p].lo, in->ports[p].hi);
				if (add_concat(allow6, &k))
					return -ENOMEM;
			}
	}
	return input_services(nft_model_find_set(m, "in_svc"), pol);
}

int nft_elems_fill(struct nft_model *m, const struct nft_policy *pol)
{
	size_t i;
	int ret;

	if ((ret =
		 add_ranges(nft_model_find_set(m, "wg_src"), pol->wg_sources, pol->nwg_sources)) ||
	    (ret = add_ranges6(nft_model_find_set(m, "wg_src6"), pol->wg_sources6,
			       pol->nwg_sources6)) ||
	    (ret = add_ranges(nft_model_find_set(m, "deny_nets"), pol->deny, pol->ndeny)) ||
	    (ret = add_ranges(nft_model_find_set(m, "allow_nets"), pol->allow, pol->nallow)) ||
	    (ret = input_elems(m, pol)))
		return ret;
	for (i = 0; i < pol->npeers; i++)
		if ((ret = peer_elems(m, &pol->peers[i])))
			return ret;
	return 0;
}
