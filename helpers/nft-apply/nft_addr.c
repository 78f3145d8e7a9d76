// SPDX-License-Identifier: GPL-2.0-only
/* Small value parsers for the nft policy: IPv4 and IPv6 CIDRs, ports, protocol names, range
 * merging. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "num.h"
#include "nft_policy.h"

bool nft_parse_cidr(struct nft_range *r, const char *s, struct err *err)
{
	char buf[32], *slash;
	struct in_addr a;
	unsigned int len = 32;
	uint32_t addr, mask;

	if (strlen(s) >= sizeof(buf))
		return err_set(err, "\"%.40s\" is not an IPv4 address or CIDR", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!addr_prefix_parse(&len, slash, 32))
			return err_set(err, "\"%s\" has an invalid prefix length", s);
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return err_set(err, "\"%s\" is not an IPv4 address or CIDR", s);
	addr = ntohl(a.s_addr);
	mask = len ? ~0U << (32 - len) : 0;
	if (addr & ~mask)
		return err_set(err, "\"%s\" has host bits set beyond /%u", s, len);
	r->lo = addr;
	r->hi = addr | ~mask;
	return true;
}

bool nft_parse_cidr6(struct nft_range6 *r, const char *s, struct err *err)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned int len = 128, i;
	uint8_t a[16], mask;

	if (strlen(s) >= sizeof(buf))
		return err_set(err, "\"%.50s\" is not an IPv6 address or CIDR", s);
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash++ = '\0';
		if (!addr_prefix_parse(&len, slash, 128))
			return err_set(err, "\"%s\" has an invalid prefix length", s);
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return err_set(err, "\"%s\" is not an IPv6 address or CIDR", s);
	for (i = 0; i < 16; i++) {
		mask = len >= 8 * (i + 1) ? 0xff
		       : len <= 8 * i	  ? 0
					  : (uint8_t)(0xff << (8 * (i + 1) - len));
		if (a[i] & (uint8_t)~mask)
			return err_set(err, "\"%s\" has host bits set beyond /%u", s, len);
		r->lo[i] = a[i];
		r->hi[i] = a[i] | (uint8_t)~mask;
	}
	return true;
}

static bool port_number(uint32_t *p, const char *s, const char **end)
{
	uint64_t v;

	if (!num_parse_u64(s, 1, 65535, &v, end))
		return false;
	*p = (uint32_t)v;
	return true;
}

bool nft_parse_port(struct nft_range *r, json_t *v, struct err *err)
{
	const char *s, *end;

	if (json_is_integer(v)) {
		json_int_t p = json_integer_value(v);

		if (p < 1 || p > 65535)
			return err_set(err, "port %lld is out of range 1-65535", (long long)p);
		r->lo = r->hi = (uint32_t)p;
		return true;
	}
	if (!json_is_string(v))
		return err_set(err, "a port must be an integer or a \"LO-HI\" string");
	s = json_string_value(v);
	if (!port_number(&r->lo, s, &end) || *end != '-' || !port_number(&r->hi, end + 1, &end) ||
	    *end || r->lo > r->hi)
		return err_set(err, "\"%.40s\" is not a port range LO-HI within 1-65535", s);
	return true;
}

static const struct {
	const char *name;
	uint8_t number;
	bool ports;
} protos[] = {
    {"icmp", 1, false}, {"tcp", 6, true},  {"udp", 17, true},	{"gre", 47, false},
    {"esp", 50, false}, {"ah", 51, false}, {"sctp", 132, true}, {"udplite", 136, true},
};

uint8_t nft_proto_number(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(name, protos[i].name))
			return protos[i].number;
	return 0;
}

bool nft_proto_has_ports(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].number == proto)
			return protos[i].ports;
	return false;
}

static int range_cmp(const void *a, const void *b)
{
	const struct nft_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

size_t nft_ranges_merge(struct nft_range *r, size_t n)
{
	size_t i, out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1; i < n; i++) {
		if (r[out].hi == UINT32_MAX || r[i].lo <= r[out].hi + 1) {
			if (r[i].hi > r[out].hi)
				r[out].hi = r[i].hi;
			continue;
		}
		r[++out] = r[i];
	}
	return out + 1;
}

bool nft_addr6_next(uint8_t out[static 16], const uint8_t a[static 16])
{
	int i;

	memcpy(out, a, 16);
	for (i = 15; i >= 0; i--)
		if (++out[i])
			return true;
	return false;
}

static int range6_cmp(const void *a, const void *b)
{
	const struct nft_range6 *x = a, *y = b;
	int c = memcmp(x->lo, y->lo, 16);

	return c ? c : memcmp(x->hi, y->hi, 16);
}

size_t nft_ranges6_merge(struct nft_range6 *r, size_t n)
{
	uint8_t next[16];
	size_t i, out = 0;

	if (!n)
		return 0;
	qsort(r, n, sizeof(*r), range6_cmp);
	for (i = 1; i < n; i++) {
		if (!nft_addr6_next(next, r[out].hi) || memcmp(r[i].lo, next, 16) <= 0) {
			if (memcmp(r[i].hi, r[out].hi, 16) > 0)
				memcpy(r[out].hi, r[i].hi, 16);
			continue;
		}
		r[++out] = r[i];
	}
	return out + 1;
}
