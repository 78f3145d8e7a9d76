/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nf_tables on the one netlink wrapper (nl.h: socket, timeouts, dumps, extended ACKs): the
 * ruleset generation id, and one batch per transaction whose begin message carries the
 * generation id the batch was computed against.
 */
#ifndef WARREN_NFT_NL_H
#define WARREN_NFT_NL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "err.h"
#include "nl.h"

/* A NETLINK_NETFILTER socket from nl_open: 0 or -errno. Close with nl_close. */
int nft_nl_open(struct nl_sock *nl);
/* Reads the ruleset generation id (NFT_MSG_GETGEN). */
int nft_nl_genid(struct nl_sock *nl, uint32_t *genid);

/*
 * A growable batch: begin (with the generation id) ... end, sent in one sendmsg so that the
 * kernel commits it whole or not at all. Every message asks for an ACK; errors are mapped back
 * to the message that caused them through its description.
 */
struct nft_batch {
	char *buf;
	size_t len, cap;
	uint32_t seq0, nmsgs; /* messages between begin and end */
	char (*what)[48];     /* description of message i, for error messages */
	size_t what_cap;
};

int nft_batch_init(struct nft_batch *b, uint32_t genid);
/* Room for one message of up to 64 KiB at the end of the buffer: returns its header, or NULL. */
struct nlmsghdr *nft_batch_reserve(struct nft_batch *b);
/* Seals the message that @nlh started: sets its seq and ACK flag and records @what. */
int nft_batch_push(struct nft_batch *b, struct nlmsghdr *nlh, const char *what);
int nft_batch_end(struct nft_batch *b);
void nft_batch_free(struct nft_batch *b);
/*
 * Sends the batch and drains every reply. -ERESTART means the ruleset changed after the batch
 * was computed; err describes the failing message and the kernel's extended ACK text.
 */
int nft_batch_send(struct nl_sock *nl, struct nft_batch *b, struct err *err);

#endif
