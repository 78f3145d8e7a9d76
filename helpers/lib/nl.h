/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one netlink wrapper: sockets with extended ACKs, request/response with every ACK
 * drained and matched to its sequence number, multi-part dumps, NLM_F_DUMP_INTR, and
 * generic-netlink family resolution.
 */
#ifndef WARREN_NL_H
#define WARREN_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Size of a request buffer; requests that could grow check against it. */
#define NL_MSG_SIZE 8192

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	char ext_msg[256]; /* the kernel's extended-ACK message for the last error, if any */
};

int nl_open(struct nl_sock *s, int bus);
void nl_close(struct nl_sock *s);
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
/* Resolves a generic-netlink family id; -ENOENT when the family is not registered. */
int nl_genl_family(struct nl_sock *s, const char *name, uint16_t *id);

#endif
