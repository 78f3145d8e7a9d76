/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Read-only netlink queries with libmnl: interfaces and addresses over rtnetlink, and generic
 * netlink family lookups, optionally inside another process's network namespace. Every socket
 * has a receive timeout, so a query never blocks for long.
 */
#ifndef WARREN_NLROUTE_H
#define WARREN_NLROUTE_H

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct mnl_socket;

#define NLROUTE_TIMEOUT_MS 1000

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

/*
 * Opens and binds a netlink socket of @proto (NETLINK_ROUTE, NETLINK_GENERIC) in the network
 * namespace of @pid (0: the caller's). The caller returns to its own namespace before this
 * returns; the socket stays in the target's.
 */
int nlroute_open(pid_t pid, int proto, struct mnl_socket **out);
void nlroute_close(struct mnl_socket *nl);

/* Every interface with its addresses, sorted by index. Free with nlroute_links_free(). */
int nlroute_links(struct mnl_socket *rtnl, struct nlroute_links *links);
void nlroute_links_free(struct nlroute_links *links);

/* Resolves a generic netlink family: its id (> 0), or -ENOENT when not registered. */
int nlroute_genl_family(struct mnl_socket *genl, const char *name);

#endif
