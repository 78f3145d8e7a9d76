// SPDX-License-Identifier: GPL-2.0-only
/* Netlink sockets in another namespace, dumps with NLM_F_DUMP_INTR retry, genl lookups. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nlroute.h"

#define DUMP_BUF     32768
#define DUMP_RETRIES 5

static unsigned int next_seq(void)
{
	static unsigned int seq;

	if (!seq)
		seq = (unsigned int)time(NULL);
	return ++seq;
}

static int socket_setup(struct mnl_socket *nl)
{
	struct timeval tv = {.tv_sec = NLROUTE_TIMEOUT_MS / 1000,
			     .tv_usec = (NLROUTE_TIMEOUT_MS % 1000) * 1000};
	int one = 1, fd = mnl_socket_get_fd(nl);

	/* Extended ACKs are best effort: old kernels lack them. */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	return 0;
}

int nlroute_open(pid_t pid, int proto, struct mnl_socket **out)
{
	struct mnl_socket *nl = NULL;
	int self = -1, target = -1, ret;
	char path[64];

	*out = NULL;
	if (pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		target = open(path, O_RDONLY | O_CLOEXEC);
		if (self < 0 || target < 0) {
			ret = -errno;
			goto out;
		}
		if (setns(target, CLONE_NEWNET) < 0) {
			ret = -errno;
			goto out;
		}
	}
	nl = mnl_socket_open2(proto, SOCK_CLOEXEC);
	ret = nl ? socket_setup(nl) : -errno;
	if (self >= 0 && setns(self, CLONE_NEWNET) < 0 && !ret)
		ret = -errno;
out:
	if (ret && nl)
		mnl_socket_close(nl);
	else
		*out = nl;
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return ret;
}

void nlroute_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}

struct talk {
	mnl_cb_t cb;
	void *data;
	bool intr; /* the kernel's view changed during the dump */
};

static int talk_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = true;
	return t->cb(nlh, t->data);
}

/* Sends @req and runs @cb on every reply until the dump ends or the ACK arrives. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data, bool *intr)
{
	struct talk t = {.cb = cb, .data = data};
	unsigned int portid = mnl_socket_get_portid(nl);
	char *buf;
	ssize_t n;
	int ret = 0;

	buf = malloc(DUMP_BUF);
	if (!buf)
		return -ENOMEM;
	req->nlmsg_seq = next_seq();
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, DUMP_BUF);
		if (n < 0) {
			ret = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			break;
		}
		ret = mnl_cb_run(buf, (size_t)n, req->nlmsg_seq, portid, talk_cb, &t);
		if (ret < 0) {
			ret = -errno;
			break;
		}
		if (ret == MNL_CB_STOP) {
			ret = 0;
			break;
		}
	}
	if (intr)
		*intr = t.intr;
out:
	free(buf);
	return ret;
}

static struct nlroute_link *find_link(struct nlroute_links *links, int index)
{
	size_t i;

	for (i = 0; i < links->n; i++)
		if (links->v[i].index == index)
			return &links->v[i];
	return NULL;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if ((type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) ||
	    (type == IFLA_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) < 0) ||
	    (type == IFLA_LINKINFO && mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0))
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int info_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, IFLA_INFO_MAX) < 0 ||
	    (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	     mnl_attr_validate(attr, MNL_TYPE_STRING) < 0))
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct nlroute_links *links = data;
	struct nlroute_link *l, *v;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, tb) < 0 || !tb[IFLA_IFNAME])
		return MNL_CB_OK;
	v = realloc(links->v, (links->n + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	links->v = v;
	l = &v[links->n++];
	memset(l, 0, sizeof(*l));
	l->index = ifm->ifi_index;
	l->flags = ifm->ifi_flags;
	snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6) {
		const unsigned char *m = mnl_attr_get_payload(tb[IFLA_ADDRESS]);

		snprintf(l->mac, sizeof(l->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
			 m[3], m[4], m[5]);
	}
	if (tb[IFLA_LINKINFO] &&
	    mnl_attr_parse_nested(tb[IFLA_LINKINFO], info_attr_cb, info) >= 0 &&
	    info[IFLA_INFO_KIND])
		snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(info[IFLA_INFO_KIND]));
	return MNL_CB_OK;
}

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {}, *a;
	struct nlroute_links *links = data;
	struct nlroute_addr *v;
	struct nlroute_link *l;
	size_t want;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
		return MNL_CB_OK;
	/* IFA_LOCAL is the local address on point-to-point links; IFA_ADDRESS elsewhere. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	want = ifa->ifa_family == AF_INET ? 4 : ifa->ifa_family == AF_INET6 ? 16 : 0;
	l = find_link(links, (int)ifa->ifa_index);
	if (!a || !want || mnl_attr_get_payload_len(a) != want || !l)
		return MNL_CB_OK;
	v = realloc(l->addrs, (l->n_addrs + 1) * sizeof(*v));
	if (!v)
		return MNL_CB_ERROR;
	l->addrs = v;
	v = &v[l->n_addrs++];
	v->family = ifa->ifa_family;
	v->prefixlen = ifa->ifa_prefixlen;
	inet_ntop(ifa->ifa_family, mnl_attr_get_payload(a), v->addr, sizeof(v->addr));
	return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, int type, size_t hdrlen, mnl_cb_t cb,
		struct nlroute_links *links, bool *intr)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;

	nlh->nlmsg_type = (unsigned short)type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	g = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	g->rtgen_family = AF_UNSPEC;
	return talk(nl, nlh, cb, links, intr);
}

static int by_index(const void *a, const void *b)
{
	const struct nlroute_link *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

int nlroute_links(struct mnl_socket *rtnl, struct nlroute_links *links)
{
	bool intr = true;
	int ret = 0, tries;

	memset(links, 0, sizeof(*links));
	for (tries = 0; intr && tries < DUMP_RETRIES; tries++) {
		bool ai = false;

		nlroute_links_free(links);
		ret = dump(rtnl, RTM_GETLINK, sizeof(struct ifinfomsg), link_cb, links, &intr);
		if (!ret)
			ret =
			    dump(rtnl, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, links, &ai);
		if (ret)
			break;
		intr |= ai;
	}
	if (!ret && intr)
		ret = -EAGAIN;
	if (ret)
		nlroute_links_free(links);
	else if (links->n)
		qsort(links->v, links->n, sizeof(*links->v), by_index);
	return ret;
}

void nlroute_links_free(struct nlroute_links *links)
{
	size_t i;

	for (i = 0; i < links->n; i++)
		free(links->v[i].addrs);
	free(links->v);
	links->v = NULL;
	links->n = 0;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	int *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

int nlroute_genl_family(struct mnl_socket *genl, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int id = 0, ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = talk(genl, nlh, family_cb, &id, NULL);
	if (ret)
		return ret;
	return id > 0 ? id : -ENOENT;
}
