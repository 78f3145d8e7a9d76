/* SPDX-License-Identifier: GPL-2.0-only */
/* Allowed-IP ranges (CIDR) and endpoints: parsing with the fix named, canonical text, order. */
#ifndef WARREN_ADDR_H
#define WARREN_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"

struct wg_allowedip {
	uint16_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
};

struct wg_endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	};
};

#define ADDR_STR_LEN (INET6_ADDRSTRLEN + 8) /* "[v6]:65535" or "v6/128" and NUL */

/* "10.0.0.0/8", "fd00::/64", or a bare address (a host route). Rejects host bits set. */
bool addr_allowedip_parse(struct wg_allowedip *aip, const char *text, struct err *err);
void addr_allowedip_str(char buf[static ADDR_STR_LEN], const struct wg_allowedip *aip);
int addr_allowedip_cmp(const struct wg_allowedip *a, const struct wg_allowedip *b);
/* Whether range @outer holds all of range @inner (true for equal ranges). */
bool addr_allowedip_contains(const struct wg_allowedip *outer, const struct wg_allowedip *inner);

/* "host:port" or "[v6]:port"; host names are resolved (first result, IPv4 preferred). */
bool addr_endpoint_parse(struct wg_endpoint *ep, const char *text, struct err *err);
/* A numeric "a.b.c.d:port" or "[v6]:port", as devices report them: no resolver involved. */
bool addr_endpoint_parse_numeric(struct wg_endpoint *ep, const char *text);
void addr_endpoint_str(char buf[static ADDR_STR_LEN], const struct wg_endpoint *ep);
bool addr_endpoint_eq(const struct wg_endpoint *a, const struct wg_endpoint *b);
bool addr_endpoint_is_set(const struct wg_endpoint *ep);

/* A prefix length 0..@max: decimal digits only (no sign, no whitespace, no leading zero). */
bool addr_prefix_parse(unsigned int *len, const char *text, unsigned int max);
/* A port number 1..65535 from text. */
bool addr_port_parse(uint16_t *port, const char *text);

#endif
