// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <sodium.h>

#include "nl.h"

#define NL_TIMEOUT_SEC 10

static int nl_setup(struct nl_sock *s, int bus, unsigned int timeout_ms)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	int one = 1, fd;

	s->mnl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->mnl)
		return -errno;
	fd = mnl_socket_get_fd(s->mnl);
	/* Best effort: older kernels lack these, and the replies stay correct without them. */
	mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

int nl_open_netns(struct nl_sock *s, int bus, pid_t pid, unsigned int timeout_ms)
{
	int self = -1, target = -1, ret;
	char path[64];

	memset(s, 0, sizeof(*s));
	if (pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		target = open(path, O_RDONLY | O_CLOEXEC);
		if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) < 0) {
			ret = -errno;
			goto out;
		}
	}
	ret = nl_setup(s, bus, timeout_ms);
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0 && !ret)
		ret = -errno;
out:
	if (ret)
		nl_close(s);
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return ret;
}

int nl_open(struct nl_sock *s, int bus)
{
	return nl_open_netns(s, bus, 0, NL_TIMEOUT_SEC * 1000);
}

void nl_close(struct nl_sock *s)
{
	if (s->mnl)
		mnl_socket_close(s->mnl);
	s->mnl = NULL;
}

uint32_t nl_next_seq(struct nl_sock *s)
{
	return ++s->seq;
}

struct nlmsghdr *nl_msg(struct nl_sock *s, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = nl_next_seq(s);
	return nlh;
}

struct nlmsghdr *nl_genl_msg(struct nl_sock *s, void *buf, uint16_t family, uint8_t cmd,
			     uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = nl_msg(s, buf, family, flags);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct talk {
	struct nl_sock *s;
	mnl_cb_t cb;
	void *data;
	bool intr;
};

const char *nl_ext_ack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e;
	const struct nlattr *attr;
	size_t off, end = nlh->nlmsg_len;

	if (nlh->nlmsg_type != NLMSG_ERROR || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    end < mnl_nlmsg_size(sizeof(*e)))
		return NULL;
	e = mnl_nlmsg_get_payload(nlh);
	/* With NETLINK_CAP_ACK the original request is not echoed back. */
	off = MNL_NLMSG_HDRLEN + sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg) || e->msg.nlmsg_len > end)
			return NULL;
		off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
	}
	if (off >= end)
		return NULL;
	for (attr = (const struct nlattr *)((const char *)nlh + off);
	     mnl_attr_ok(attr, (int)((const char *)nlh + end - (const char *)attr));
	     attr = mnl_attr_next(attr))
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(attr);
	return NULL;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *ext;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	ext = nl_ext_ack_msg(nlh);
	if (ext)
		snprintf(t->s->ext_msg, sizeof(t->s->ext_msg), "%s", ext);
	if (e->error == 0)
		return MNL_CB_STOP;
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; libmnl 1.0.4 does not fall back to its default for a NULL ctl entry. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err = 0;

	(void)data;
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(err)))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0) {
		errno = -err;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = true;
	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

int nl_talk(struct nl_sock *s, const struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct talk t = {.s = s, .cb = cb, .data = data};
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {[NLMSG_ERROR] = error_cb, [NLMSG_DONE] = done_cb};
	char *buf;
	ssize_t n;
	int ret;

	s->ext_msg[0] = '\0';
	buf = malloc(NL_RECV_SIZE);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(s->mnl, buf, NL_RECV_SIZE);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		ret = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, s->portid, data_cb, &t, ctl,
				  NLMSG_MIN_TYPE);
		/* Replies can carry keys (a device dump holds the private key). */
		sodium_memzero(buf, (size_t)n);
		if (ret == MNL_CB_ERROR) {
			ret = errno ? -errno : -EPROTO;
			goto out;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	ret = t.intr ? -EINTR : 0;
out:
	free(buf);
	return ret;
}

int nl_read_consistent(struct nl_sock *s, int (*read)(struct nl_sock *s, void *data), void *data,
		       unsigned int tries)
{
	unsigned int i;
	int ret;

	for (i = 0; i < tries; i++) {
		ret = read(s, data);
		if (ret != -EINTR)
			return ret;
	}
	return -EAGAIN;
}

static int family_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    !mnl_attr_validate(attr, MNL_TYPE_U16))
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, data) < 0 ? MNL_CB_ERROR
										     : MNL_CB_OK;
}

int nl_genl_family(struct nl_sock *s, const char *name, uint16_t *id)
{
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	*id = 0;
	nlh = nl_genl_msg(s, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_talk(s, nlh, family_cb, id);
	if (ret)
		return ret;
	return *id ? 0 : -ENOENT;
}
