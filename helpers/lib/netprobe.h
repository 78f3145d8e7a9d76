/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reachability probes of hosts, run in parallel with one deadline: an ICMP echo over an
 * unprivileged ICMP datagram socket (SOCK_DGRAM/IPPROTO_ICMP or IPPROTO_ICMPV6; the caller's
 * group must lie in net.ipv4.ping_group_range, else the socket fails with EACCES), or a TCP
 * connect. Library code: returns -errno, never prints.
 */
#ifndef WARREN_NETPROBE_H
#define WARREN_NETPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "err.h"

#define NETPROBE_TIMEOUT_MS	1000 /* the default */
#define NETPROBE_TIMEOUT_MAX_MS 5000 /* well under zabbix_agentd's Timeout */

struct netprobe {
	struct wg_endpoint addr; /* the port is 0 for an ICMP echo */
	bool tcp;
	/* Results of netprobe_run: 0 (answered), -ETIMEDOUT, or the socket's error (-EACCES when
	 * ping_group_range excludes the caller, -ECONNREFUSED, -EHOSTUNREACH, ...). */
	int result;
	bool local; /* the error is on this host (no socket), not the far side's */
	int64_t rtt_ns;
	int fd, seq;
	int64_t sent_ns;
};

/* "192.168.10.1" or "2001:db8::1" (ICMP echo), "192.168.10.1:22" or "[2001:db8::1]:443" (TCP
 * connect). Numeric only: no resolver. */
bool netprobe_parse(struct netprobe *p, const char *text, struct err *err);
/* Runs every probe of @p at once, all within @timeout_ms; each gets its result. Returns 0, or
 * -ENOMEM / -EINVAL for @timeout_ms out of 1..NETPROBE_TIMEOUT_MAX_MS. */
int netprobe_run(struct netprobe *p, size_t n, int timeout_ms);

#endif
