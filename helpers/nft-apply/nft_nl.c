// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <arpa/inet.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "nft_nl.h"

#define MSG_ROOM (64 * 1024 + 4096) /* one message: a 16-bit attribute list plus headers */

int nft_nl_open(struct nl_sock *nl)
{
	return nl_open(nl, NETLINK_NETFILTER);
}

static int genid_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr;

	mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) == NFTA_GEN_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = ntohl(mnl_attr_get_u32(attr));
	}
	return MNL_CB_OK;
}

int nft_nl_genid(struct nl_sock *nl, uint32_t *genid)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh =
	    nl_msg(nl, buf, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN, NLM_F_ACK);
	struct nfgenmsg *g;

	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	*genid = 0;
	return nl_talk(nl, nlh, genid_cb, genid);
}

static struct nlmsghdr *batch_ctl(struct nft_batch *b, uint16_t type)
{
	struct nlmsghdr *nlh = nft_batch_reserve(b);
	struct nfgenmsg *g;

	if (!nlh)
		return NULL;
	nlh = mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(NFNL_SUBSYS_NFTABLES);
	return nlh;
}

int nft_batch_init(struct nft_batch *b, uint32_t genid)
{
	struct nlmsghdr *nlh;

	memset(b, 0, sizeof(*b));
	b->seq0 = (uint32_t)time(NULL) << 8;
	nlh = batch_ctl(b, NFNL_MSG_BATCH_BEGIN);
	if (!nlh)
		return -ENOMEM;
	/* The kernel refuses the whole batch (-ERESTART) if the ruleset moved past @genid. */
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	nlh->nlmsg_seq = b->seq0;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

struct nlmsghdr *nft_batch_reserve(struct nft_batch *b)
{
	if (b->cap - b->len < MSG_ROOM) {
		size_t cap = b->cap ? b->cap * 2 : 4 * MSG_ROOM;
		char *buf = realloc(b->buf, cap);

		if (!buf)
			return NULL;
		b->buf = buf;
		b->cap = cap;
	}
	memset(b->buf + b->len, 0, MSG_ROOM);
	return (struct nlmsghdr *)(b->buf + b->len);
}

int nft_batch_push(struct nft_batch *b, struct nlmsghdr *nlh, const char *what)
{
	if (nlh->nlmsg_len > MSG_ROOM)
		return -EMSGSIZE;
	if (b->nmsgs == b->what_cap) {
		size_t cap = b->what_cap ? b->what_cap * 2 : 64;
		void *w = realloc(b->what, cap * sizeof(*b->what));

		if (!w)
			return -ENOMEM;
		b->what = w;
		b->what_cap = cap;
	}
	snprintf(b->what[b->nmsgs], sizeof(b->what[0]), "%s", what);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = b->seq0 + 1 + b->nmsgs++;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

int nft_batch_end(struct nft_batch *b)
{
	struct nlmsghdr *nlh = batch_ctl(b, NFNL_MSG_BATCH_END);

	if (!nlh)
		return -ENOMEM;
	nlh->nlmsg_seq = b->seq0 + 1 + b->nmsgs;
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

void nft_batch_free(struct nft_batch *b)
{
	free(b->buf);
	free(b->what);
	memset(b, 0, sizeof(*b));
}

static void describe(const struct nft_batch *b, const struct nlmsghdr *nlh, int error,
		     struct err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t i = e->msg.nlmsg_seq - b->seq0;
	const char *ext = nl_ext_ack_msg(nlh);

	if (error == -ERESTART)
		err_set(err, "the ruleset changed while this apply was computed; nothing was "
			     "applied, run again");
	else if (i >= 1 && i <= b->nmsgs)
		err_set(err, "the kernel rejected %s: %s%s%s; nothing was applied", b->what[i - 1],
			strerror(-error), ext ? ": " : "", ext ? ext : "");
	else
		err_set(err, "the kernel rejected the batch: %s%s%s; nothing was applied",
			strerror(-error), ext ? ": " : "", ext ? ext : "");
}

int nft_batch_send(struct nl_sock *nl, struct nft_batch *b, struct err *err)
{
	int fd = mnl_socket_get_fd(nl->mnl), size = (int)b->len + 65536, ret = 0;
	uint32_t acks = 0;
	const struct nlmsghdr *nlh;
	char *buf;
	ssize_t n;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	buf = malloc(NL_RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl->mnl, b->buf, b->len) < 0) {
		ret = -errno;
		err_set(err, "cannot send the batch (%zu bytes): %s", b->len, strerror(errno));
		goto out;
	}
	/* The kernel handles the batch inside sendmsg: every reply is queued by now. */
	while ((n = recv(fd, buf, NL_RECV_SIZE, MSG_DONTWAIT)) > 0) {
		int len = (int)n;

		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR ||
			    nlh->nlmsg_len < sizeof(*nlh) + sizeof(*e))
				continue;
			if (e->error && !ret) {
				ret = e->error;
				describe(b, nlh, e->error, err);
			}
			acks++;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !ret) {
		ret = -errno;
		err_set(err, "reading the kernel's replies: %s", strerror(errno));
	}
	if (!ret && acks < b->nmsgs) {
		ret = -EIO;
		err_set(err, "the kernel acknowledged %u of %u messages", acks, b->nmsgs);
	}
out:
	free(buf);
	return ret;
}
