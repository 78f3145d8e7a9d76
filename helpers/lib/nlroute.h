/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interfaces and their addresses over rtnetlink, on a socket from nl.h (which may live in
 * another process's network namespace: nl_open_netns).
 */
#ifndef WARREN_NLROUTE_H
#define WARREN_NLROUTE_H

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "nl.h"

struct nlroute_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned int prefixlen;
	char addr[INET6_ADDRSTRLEN];
};

struct nlroute_link {
	int index;
	char name[IF_NAMESIZE];
	unsigned int flags; /* IFF_* */
	unsigned int mtu;
	char mac[18];  /* "" when the link has no Ethernet address */
	char kind[16]; /* "veth", "wireguard", ... or "" */
	size_t n_addrs;
	struct nlroute_addr *addrs;
};

struct nlroute_links {
	size_t n;
	struct nlroute_link *v;
};

/* Every interface with its addresses, sorted by index. Free with nlroute_links_free(). */
int nlroute_links(struct nl_sock *rtnl, struct nlroute_links *links);
void nlroute_links_free(struct nlroute_links *links);

#endif
