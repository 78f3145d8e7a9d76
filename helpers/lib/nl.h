/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one netlink wrapper (rtnetlink, generic netlink, nf_tables): sockets with extended ACKs
 * and bounded send/receive timeouts, request/response with every ACK drained and matched to its
 * sequence number, multi-part dumps, NLM_F_DUMP_INTR with one retry loop, the extended-ACK
 * parser, and generic-netlink family resolution. No static buffers: safe from any thread.
 */
#ifndef WARREN_NL_H
#define WARREN_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libmnl/libmnl.h>

/* Size of a request buffer; requests that could grow check against it. */
#define NL_MSG_SIZE 8192
/* Receive buffer of nl_talk (on the heap): large enough for any dump message. */
#define NL_RECV_SIZE (64 * 1024)

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	char ext_msg[256]; /* the kernel's extended-ACK message for the last error, if any */
};

/* A bound socket with a 10 s receive/send timeout, in the caller's network namespace. */
int nl_open(struct nl_sock *s, int bus);
/*
 * The same in the network namespace of process @pid (0: the caller's), with @timeout_ms. The
 * caller is back in its own namespace when this returns; the socket stays in the target's.
 */
int nl_open_netns(struct nl_sock *s, int bus, pid_t pid, unsigned int timeout_ms);
void nl_close(struct nl_sock *s);
/* The next sequence number, for a header built elsewhere (libnftnl's, a batch). */
uint32_t nl_next_seq(struct nl_sock *s);
/* Puts a request header into @buf with the next sequence number. */
struct nlmsghdr *nl_msg(struct nl_sock *s, void *buf, uint16_t type, uint16_t flags);
/* Puts a generic-netlink request header. */
struct nlmsghdr *nl_genl_msg(struct nl_sock *s, void *buf, uint16_t family, uint8_t cmd,
			     uint8_t version, uint16_t flags);
/*
 * Sends @nlh and runs @cb on every reply until the dump ends or the ACK arrives.
 * Returns 0, -errno from the kernel, or -EINTR when a dump was interrupted
 * (NLM_F_DUMP_INTR): the caller starts the dump again.
 */
int nl_talk(struct nl_sock *s, const struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
/*
 * Runs @read (one or more dumps, starting from scratch each time) until it returns anything but
 * -EINTR, at most @tries times. Returns its result, or -EAGAIN when every try was interrupted.
 */
int nl_read_consistent(struct nl_sock *s, int (*read)(struct nl_sock *s, void *data), void *data,
		       unsigned int tries);
/* The kernel's extended-ACK text in an NLMSG_ERROR message, or NULL. */
const char *nl_ext_ack_msg(const struct nlmsghdr *nlh);
/* Resolves a generic-netlink family id; -ENOENT when the family is not registered. */
int nl_genl_family(struct nl_sock *s, const char *name, uint16_t *id);

#endif
