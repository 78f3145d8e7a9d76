// SPDX-License-Identifier: GPL-2.0-only
/*
 * Is a listen port free? Both the kernel module and wireguard-go bind UDP on the IPv4 and the
 * IPv6 wildcard address (IPV6_V6ONLY), in the network namespace the interface was created in.
 * A test bind of each, without SO_REUSEADDR, answers for the caller's namespace. It is stricter
 * than wireguard-go, which binds with SO_REUSEADDR and so can share a port with another socket
 * that set it too: such a port is reported in use.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wgdev.h"

static int try_bind(int family, uint16_t port)
{
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int fd, one = 1, ret = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) /* no IPv6 here: WireGuard binds IPv4 only */
		return family == AF_INET6 && errno == EAFNOSUPPORT ? 0 : -errno;
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		ret = -errno;
	else if (family == AF_INET6 ? bind(fd, (struct sockaddr *)&in6, sizeof(in6))
				    : bind(fd, (struct sockaddr *)&in, sizeof(in)))
		ret = family == AF_INET6 && errno == EADDRNOTAVAIL ? 0 : -errno;
	close(fd);
	return ret;
}

int wgdev_port_check(uint16_t port)
{
	int ret = try_bind(AF_INET, port);

	return ret ? ret : try_bind(AF_INET6, port);
}
