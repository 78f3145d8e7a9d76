// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cross-field validation. Concatenated interval sets refuse overlapping elements, so two entries
 * that would produce overlapping keys are reported here, by field, before any netlink traffic.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_check.h"

static bool meets(const struct nft_range *a, const struct nft_range *b)
{
	return a->lo <= b->hi && b->lo <= a->hi;
}

static bool meets6(const struct nft_range6 *a, const struct nft_range6 *b)
{
	return memcmp(a->lo, b->hi, 16) <= 0 && memcmp(b->lo, a->hi, 16) <= 0;
}

static bool sources6_self_overlap(const struct nft_range6 *r, size_t n, size_t *x, size_t *y)
{
	for (*x = 0; *x < n; (*x)++)
		for (*y = *x + 1; *y < n; (*y)++)
			if (meets6(&r[*x], &r[*y]))
				return true;
	return false;
}

static const struct nft_range any_port = {0, 65535};

/* Whether two port lists share a port; an empty list means every port. */
static bool ports_meet(const struct nft_range *a, size_t na, const struct nft_range *b, size_t nb)
{
	size_t i, j;

	for (i = 0; i < (na ? na : 1); i++)
		for (j = 0; j < (nb ? nb : 1); j++)
			if (meets(na ? &a[i] : &any_port, nb ? &b[j] : &any_port))
				return true;
	return false;
}

static bool ports_self_overlap(const struct nft_range *p, size_t n, size_t *x, size_t *y)
{
	for (*x = 0; *x < n; (*x)++)
		for (*y = *x + 1; *y < n; (*y)++)
			if (meets(&p[*x], &p[*y]))
				return true;
	return false;
}

/* Two entries of one peer land in the same set when both name no protocol, or the same protocol
 * with or without ports. */
static bool access_overlap(const struct nft_access *a, const struct nft_access *b)
{
	if (a->proto != b->proto || !meets(&a->dst, &b->dst))
		return false;
	if (!a->proto || (!a->nports && !b->nports))
		return true;
	if (!a->nports || !b->nports)
		return false;
	return ports_meet(a->ports, a->nports, b->ports, b->nports);
}

static char *addr_str(char buf[static INET_ADDRSTRLEN], uint32_t host)
{
	struct in_addr a = {htonl(host)};

	return (char *)inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static bool check_peer(const struct nft_policy *pol, size_t i, struct err *err)
{
	const struct nft_peer *p = &pol->peers[i];
	char buf[INET_ADDRSTRLEN];
	size_t j, k, x, y;

	if (p->addr < pol->vpn.lo || p->addr > pol->vpn.hi)
		return err_set(err, "field \"peers[%zu].address\": %s is outside vpn_subnet", i,
			       addr_str(buf, p->addr));
	for (j = 0; j < p->naccess; j++) {
		if (ports_self_overlap(p->access[j].ports, p->access[j].nports, &x, &y))
			return err_set(err,
				       "field \"peers[%zu].access[%zu].ports[%zu]\": overlaps "
				       "ports[%zu]",
				       i, j, y, x);
		for (k = 0; k < j; k++)
			if (access_overlap(&p->access[j], &p->access[k]))
				return err_set(err,
					       "field \"peers[%zu].access[%zu]\": overlaps "
					       "access[%zu] (same destination, protocol and port)",
					       i, j, k);
	}
	return true;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool check_peers(const struct nft_policy *pol, struct err *err)
{
	char buf[INET_ADDRSTRLEN];
	uint64_t *idx;
	size_t i;
	bool ok = true;

	for (i = 0; i < pol->npeers; i++)
		if (!check_peer(pol, i, err))
			return false;
	if (pol->npeers < 2)
		return true;
	idx = calloc(pol->npeers, sizeof(*idx));
	if (!idx)
		return err_set(err, "out of memory");
	for (i = 0; i < pol->npeers; i++)
		idx[i] = (uint64_t)pol->peers[i].addr << 32 | i;
	qsort(idx, pol->npeers, sizeof(*idx), u64_cmp);
	for (i = 1; i < pol->npeers && ok; i++)
		if (idx[i] >> 32 == idx[i - 1] >> 32)
			ok = err_set(err, "field \"peers[%u].address\": %s is also peers[%u]",
				     (unsigned int)(idx[i] & 0xffffffff),
				     addr_str(buf, (uint32_t)(idx[i] >> 32)),
				     (unsigned int)(idx[i - 1] & 0xffffffff));
	free(idx);
	return ok;
}

static bool input_overlap(const struct nft_input *a, const struct nft_input *b)
{
	size_t i, j;

	if (a->proto != b->proto || !ports_meet(a->ports, a->nports, b->ports, b->nports))
		return false;
	for (i = 0; i < a->nsources; i++)
		for (j = 0; j < b->nsources; j++)
			if (meets(&a->sources[i], &b->sources[j]))
				return true;
	for (i = 0; i < a->nsources6; i++)
		for (j = 0; j < b->nsources6; j++)
			if (meets6(&a->sources6[i], &b->sources6[j]))
				return true;
	return false;
}

static bool check_inputs(const struct nft_policy *pol, struct err *err)
{
	const struct nft_input *in;
	size_t i, j, x, y;

	for (i = 0; i < pol->ninputs; i++) {
		in = &pol->inputs[i];
		if (ports_self_overlap(in->ports, in->nports, &x, &y))
			return err_set(err, "field \"input[%zu].ports[%zu]\": overlaps ports[%zu]",
				       i, y, x);
		/* Indexes are per family: the JSON list's own only when it holds one family. */
		if (ports_self_overlap(in->sources, in->nsources, &x, &y))
			return err_set(
			    err, "field \"input[%zu].sources\": IPv4 entries %zu and %zu overlap",
			    i, x, y);
		if (sources6_self_overlap(in->sources6, in->nsources6, &x, &y))
			return err_set(
			    err, "field \"input[%zu].sources\": IPv6 entries %zu and %zu overlap",
			    i, x, y);
		for (j = 0; j < i; j++)
			if (input_overlap(in, &pol->inputs[j]))
				return err_set(
				    err,
				    "field \"input[%zu]\": overlaps input[%zu] (\"%s\"): "
				    "same protocol, port and source",
				    i, j, pol->inputs[j].name);
	}
	return true;
}

bool nft_policy_check(struct nft_policy *pol, struct err *err)
{
	pol->nwg_sources = nft_ranges_merge(pol->wg_sources, pol->nwg_sources);
	pol->nwg_sources6 = nft_ranges6_merge(pol->wg_sources6, pol->nwg_sources6);
	pol->nallow = nft_ranges_merge(pol->allow, pol->nallow);
	pol->ndeny = nft_ranges_merge(pol->deny, pol->ndeny);
	return check_peers(pol, err) && check_inputs(pol, err);
}
