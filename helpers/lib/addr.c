// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "num.h"

static bool host_bits_clear(const uint8_t *addr, unsigned int bits, unsigned int cidr)
{
	unsigned int i;

	for (i = cidr; i < bits; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

static void clear_host_bits(uint8_t *addr, unsigned int bits, unsigned int cidr)
{
	unsigned int i;

	for (i = cidr; i < bits; i++)
		addr[i / 8] &= ~(0x80 >> (i % 8));
}

bool addr_allowedip_parse(struct wg_allowedip *aip, const char *text, struct err *err)
{
	char host[INET6_ADDRSTRLEN + 1], fixed[ADDR_STR_LEN];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned int bits, cidr;

	memset(aip, 0, sizeof(*aip));
	if (hlen == 0 || hlen >= sizeof(host))
		return err_set(err, "\"%.64s\" is not an IP range in CIDR form", text);
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &aip->ip4) == 1) {
		aip->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, host, &aip->ip6) == 1) {
		aip->family = AF_INET6;
		bits = 128;
	} else {
		return err_set(err, "\"%.64s\" is not an IP range in CIDR form", text);
	}
	if (slash) {
		if (!addr_prefix_parse(&cidr, slash + 1, bits))
			return err_set(err, "\"%.64s\" has an invalid prefix length (0-%u)", text,
				       bits);
	} else {
		cidr = bits;
	}
	aip->cidr = (uint8_t)cidr;
	if (!host_bits_clear((const uint8_t *)&aip->ip6, bits, aip->cidr)) {
		clear_host_bits((uint8_t *)&aip->ip6, bits, aip->cidr);
		addr_allowedip_str(fixed, aip);
		return err_set(err, "\"%.64s\" has host bits set; did you mean \"%s\"?", text,
			       fixed);
	}
	return true;
}

void addr_allowedip_str(char buf[static ADDR_STR_LEN], const struct wg_allowedip *aip)
{
	char host[INET6_ADDRSTRLEN];

	inet_ntop(aip->family, &aip->ip6, host, sizeof(host));
	snprintf(buf, ADDR_STR_LEN, "%s/%u", host, aip->cidr);
}

int addr_allowedip_cmp(const struct wg_allowedip *a, const struct wg_allowedip *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->ip6, &b->ip6, a->family == AF_INET ? 4 : 16);
	if (r)
		return r;
	return (int)a->cidr - (int)b->cidr;
}

bool addr_allowedip_contains(const struct wg_allowedip *outer, const struct wg_allowedip *inner)
{
	const uint8_t *o = (const uint8_t *)&outer->ip6, *i = (const uint8_t *)&inner->ip6;
	unsigned int full = outer->cidr / 8, rest = outer->cidr % 8;

	if (outer->family != inner->family || outer->cidr > inner->cidr)
		return false;
	if (memcmp(o, i, full))
		return false;
	return !rest || !((o[full] ^ i[full]) & (0xff00 >> rest));
}

bool addr_prefix_parse(unsigned int *len, const char *text, unsigned int max)
{
	unsigned int v = 0;
	size_t i;

	for (i = 0; text[i]; i++) {
		if (text[i] < '0' || text[i] > '9' || i >= 3 || (i == 1 && text[0] == '0'))
			return false;
		v = v * 10 + (unsigned int)(text[i] - '0');
	}
	if (!i || v > max)
		return false;
	*len = v;
	return true;
}

bool addr_port_parse(uint16_t *port, const char *text)
{
	uint64_t v;

	if (!num_parse_u64(text, 1, 65535, &v, NULL))
		return false;
	*port = (uint16_t)v;
	return true;
}

bool addr_endpoint_parse(struct wg_endpoint *ep, const char *text, struct err *err)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_ADDRCONFIG};
	struct addrinfo *res = NULL, *ai, *pick = NULL;
	char host[256];
	const char *colon, *hs = text;
	size_t hlen;
	uint16_t port;
	int rc;

	memset(ep, 0, sizeof(*ep));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return err_set(err, "\"%.80s\" is not host:port or [v6]:port", text);
		hs = text + 1;
		hlen = (size_t)(close - hs);
		colon = close + 1;
		hints.ai_family = AF_INET6;
		hints.ai_flags |= AI_NUMERICHOST;
	} else {
		colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon)
			return err_set(err, "\"%.80s\" is not host:port or [v6]:port", text);
		hlen = (size_t)(colon - text);
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return err_set(err, "\"%.80s\" is not host:port or [v6]:port", text);
	if (!addr_port_parse(&port, colon + 1))
		return err_set(err, "\"%.80s\" has an invalid port (1-65535)", text);
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	hints.ai_flags &= ~AI_ADDRCONFIG;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc)
		return err_set(err, "cannot resolve \"%.80s\": %s", host, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
		if (ai->ai_family == AF_INET6 && !pick)
			pick = ai;
	}
	if (!pick) {
		freeaddrinfo(res);
		return err_set(err, "\"%.80s\" has no IPv4 or IPv6 address", host);
	}
	memcpy(&ep->sa, pick->ai_addr, pick->ai_addrlen);
	if (ep->sa.sa_family == AF_INET)
		ep->sin.sin_port = htons(port);
	else
		ep->sin6.sin6_port = htons(port);
	freeaddrinfo(res);
	return true;
}

bool addr_endpoint_parse_numeric(struct wg_endpoint *ep, const char *text)
{
	const char *colon = strrchr(text, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hlen = colon ? (size_t)(colon - text) : 0;
	uint16_t port;

	memset(ep, 0, sizeof(*ep));
	if (!hlen || hlen >= sizeof(host) || !addr_port_parse(&port, colon + 1))
		return false;
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &ep->sin6.sin6_addr) != 1)
			return false;
		ep->sin6.sin6_family = AF_INET6;
		ep->sin6.sin6_port = htons(port);
		return true;
	}
	if (inet_pton(AF_INET, host, &ep->sin.sin_addr) != 1)
		return false;
	ep->sin.sin_family = AF_INET;
	ep->sin.sin_port = htons(port);
	return true;
}

void addr_endpoint_str(char buf[static ADDR_STR_LEN], const struct wg_endpoint *ep)
{
	char host[INET6_ADDRSTRLEN];

	if (ep->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->sin.sin_addr, host, sizeof(host));
		snprintf(buf, ADDR_STR_LEN, "%s:%u", host, ntohs(ep->sin.sin_port));
	} else if (ep->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep->sin6.sin6_addr, host, sizeof(host));
		snprintf(buf, ADDR_STR_LEN, "[%s]:%u", host, ntohs(ep->sin6.sin6_port));
	} else {
		buf[0] = '\0';
	}
}

bool addr_endpoint_is_set(const struct wg_endpoint *ep)
{
	return ep->sa.sa_family == AF_INET || ep->sa.sa_family == AF_INET6;
}

bool addr_endpoint_eq(const struct wg_endpoint *a, const struct wg_endpoint *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->sin.sin_port == b->sin.sin_port &&
		       a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->sin6.sin6_port == b->sin6.sin6_port &&
		       !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr, 16) &&
		       a->sin6.sin6_scope_id == b->sin6.sin6_scope_id;
	return true;
}
