// SPDX-License-Identifier: GPL-2.0-only
/* Interfaces and addresses: two rtnetlink dumps through nl.h, read again when interrupted. */
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

#define DUMP_RETRIES 5

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

static int dump(struct nl_sock *nl, uint16_t type, size_t hdrlen, mnl_cb_t cb,
		struct nlroute_links *links)
{
	char buf[NL_MSG_SIZE];
	struct nlmsghdr *nlh = nl_msg(nl, buf, type, NLM_F_DUMP);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, hdrlen);

	g->rtgen_family = AF_UNSPEC;
	return nl_talk(nl, nlh, cb, links);
}

static int by_index(const void *a, const void *b)
{
	const struct nlroute_link *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Links, then addresses; either dump interrupted by a change (-EINTR) reads both again. */
static int links_once(struct nl_sock *rtnl, void *data)
{
	struct nlroute_links *links = data;
	int ret;

	nlroute_links_free(links);
	ret = dump(rtnl, RTM_GETLINK, sizeof(struct ifinfomsg), link_cb, links);
	if (!ret)
		ret = dump(rtnl, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, links);
	return ret;
}

int nlroute_links(struct nl_sock *rtnl, struct nlroute_links *links)
{
	int ret;

	memset(links, 0, sizeof(*links));
	ret = nl_read_consistent(rtnl, links_once, links, DUMP_RETRIES);
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
