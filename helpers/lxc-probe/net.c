// SPDX-License-Identifier: GPL-2.0-only
/*
 * The network part of the lxc-probe document, read inside the container's network namespace:
 * its interfaces and addresses (rtnetlink) and whether the "wireguard" generic netlink family
 * resolves there, that is whether kernel WireGuard is usable.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>

#include "nlroute.h"

/* Every netlink wait is bounded well inside the probe's 2 s budget. */
#define PROBE_NL_TIMEOUT_MS 1000
#include "probe.h"

static json_t *link_json(const struct nlroute_link *l)
{
	json_t *addrs = json_array(), *o;
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i;

	for (i = 0; addrs && i < l->n_addrs; i++) {
		snprintf(buf, sizeof(buf), "%s/%u", l->addrs[i].addr, l->addrs[i].prefixlen);
		json_array_append_new(addrs, json_string(buf));
	}
	o = json_pack("{s:s,s:i,s:b,s:I,s:s,s:s,s:o}", "name", l->name, "index", l->index, "up",
		      (l->flags & IFF_UP) != 0, "mtu", (json_int_t)l->mtu, "mac", l->mac, "kind",
		      l->kind, "addresses", addrs);
	return o;
}

int probe_net(struct probe *p, json_t *doc)
{
	struct nl_sock rtnl = {0}, genl = {0};
	uint16_t family;
	struct nlroute_links links = {};
	json_t *ifs = NULL, *kwg = json_null();
	size_t i;
	int ret;

	if (!p->init)
		goto set;
	ret = nl_open_netns(&rtnl, NETLINK_ROUTE, p->init, PROBE_NL_TIMEOUT_MS);
	if (!ret)
		ret = nl_open_netns(&genl, NETLINK_GENERIC, p->init, PROBE_NL_TIMEOUT_MS);
	if (ret) {
		err_set(&p->err, "entering the network namespace of pid %d: %s", (int)p->init,
			strerror(-ret));
		goto out;
	}
	ret = nlroute_links(&rtnl, &links);
	if (ret) {
		err_set(&p->err, "listing interfaces: %s", strerror(-ret));
		goto out;
	}
	ret = nl_genl_family(&genl, "wireguard", &family);
	if (ret < 0 && ret != -ENOENT) {
		err_set(&p->err, "resolving the wireguard netlink family: %s", strerror(-ret));
		goto out;
	}
	kwg = json_boolean(ret == 0);
	ifs = json_array();
	for (i = 0; ifs && i < links.n; i++)
		json_array_append_new(ifs, link_json(&links.v[i]));
set:
	ret = -ENOMEM;
	if (json_object_set_new(doc, "kernel_wireguard", kwg) ||
	    json_object_set_new(doc, "interfaces", ifs ? ifs : json_null())) {
		err_set(&p->err, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (ret)
		json_decref(kwg);
	nlroute_links_free(&links);
	nl_close(&rtnl);
	nl_close(&genl);
	return ret;
}
