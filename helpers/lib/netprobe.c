// SPDX-License-Identifier: GPL-2.0-only
/* Probes of far hosts: ICMP echo over unprivileged datagram sockets, or TCP connect. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netprobe.h"

#define PAYLOAD "warren-netprobe!" /* 16 bytes, checked in the reply */

bool netprobe_parse(struct netprobe *p, const char *text, struct err *err)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (inet_pton(AF_INET, text, &p->addr.sin.sin_addr) == 1) {
		p->addr.sin.sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &p->addr.sin6.sin6_addr) == 1) {
		p->addr.sin6.sin6_family = AF_INET6;
		return true;
	}
	if (addr_endpoint_parse_numeric(&p->addr, text)) {
		p->tcp = true;
		return true;
	}
	return err_set(err,
		       "\"%.64s\" is not an address (ICMP echo) or ADDRESS:PORT / [ADDRESS]:PORT "
		       "(TCP connect)",
		       text);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static socklen_t addr_len(const struct netprobe *p)
{
	return p->addr.sa.sa_family == AF_INET ? sizeof(p->addr.sin) : sizeof(p->addr.sin6);
}

static void done(struct netprobe *p, int result)
{
	p->result = result;
	if (!result)
		p->rtt_ns = now_ns() - p->sent_ns;
	close(p->fd);
	p->fd = -1;
}

/* Opens the socket and sends the echo or starts the connect; 0 while the probe is pending. */
static int start(struct netprobe *p, int seq)
{
	bool v4 = p->addr.sa.sa_family == AF_INET;
	int proto = p->tcp ? 0 : v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	unsigned char pkt[8 + sizeof(PAYLOAD) - 1] = {0};

	p->fd = socket(p->addr.sa.sa_family,
		       (p->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (p->fd < 0) {
		p->local = true;
		return -errno;
	}
	p->seq = seq & 0xffff;
	p->sent_ns = now_ns();
	if (connect(p->fd, &p->addr.sa, addr_len(p)) < 0 && errno != EINPROGRESS)
		return -errno;
	if (p->tcp)
		return 0;
	/* Type, code, checksum (the kernel's), identifier (the kernel's), sequence. */
	pkt[0] = v4 ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	pkt[6] = (unsigned char)(p->seq >> 8);
	pkt[7] = (unsigned char)p->seq;
	memcpy(pkt + 8, PAYLOAD, sizeof(PAYLOAD) - 1);
	if (send(p->fd, pkt, sizeof(pkt), 0) < 0)
		return -errno;
	return 0;
}

/* The socket is ready: 1 if the probe is answered or failed (p->result set), 0 to wait on. */
static int ready(struct netprobe *p)
{
	bool v4 = p->addr.sa.sa_family == AF_INET;
	unsigned char buf[256];
	socklen_t len = sizeof(int);
	int soerr = 0;
	ssize_t got;

	if (p->tcp) {
		if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		done(p, -soerr);
		return 1;
	}
	got = recv(p->fd, buf, sizeof(buf), 0);
	if (got < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		done(p, -errno);
		return 1;
	}
	if (got < 8 + (ssize_t)sizeof(PAYLOAD) - 1 ||
	    buf[0] != (v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY) ||
	    ((buf[6] << 8) | buf[7]) != p->seq || memcmp(buf + 8, PAYLOAD, sizeof(PAYLOAD) - 1))
		return 0; /* not our answer */
	done(p, 0);
	return 1;
}

int netprobe_run(struct netprobe *p, size_t n, int timeout_ms)
{
	struct pollfd *pfd;
	int64_t deadline;
	size_t i, pending = 0, k;
	int ret;

	if (timeout_ms < 1 || timeout_ms > NETPROBE_TIMEOUT_MAX_MS)
		return -EINVAL;
	pfd = calloc(n + 1, sizeof(*pfd));
	if (!pfd)
		return -ENOMEM;
	deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	for (i = 0; i < n; i++) {
		p[i].result = -ETIMEDOUT;
		p[i].local = false;
		p[i].rtt_ns = 0;
		ret = start(&p[i], (int)(getpid() + i));
		if (ret) {
			if (p[i].fd >= 0)
				done(&p[i], ret);
			else
				p[i].result = ret;
			continue;
		}
		pending++;
	}
	while (pending) {
		int64_t left = deadline - now_ns();

		if (left <= 0)
			break;
		for (i = 0, k = 0; i < n; i++)
			if (p[i].fd >= 0)
				pfd[k++] = (struct pollfd){.fd = p[i].fd,
							   .events = p[i].tcp ? POLLOUT : POLLIN};
		ret = poll(pfd, k, (int)((left + 999999) / 1000000));
		if (ret < 0 && errno != EINTR)
			break;
		for (i = 0, k = 0; ret > 0 && i < n; i++) {
			if (p[i].fd < 0)
				continue;
			if (pfd[k++].revents && ready(&p[i]))
				pending--;
		}
	}
	for (i = 0; i < n; i++)
		if (p[i].fd >= 0)
			done(&p[i], -ETIMEDOUT);
	free(pfd);
	return 0;
}
