// SPDX-License-Identifier: GPL-2.0-only
/* The configuration, state, tun and usage parts of the lxc-probe document. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "probe.h"

static json_t *opt_u64(bool has, uint64_t v)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

static json_t *idmaps(const struct lxc_conf *c)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < c->n_idmaps; i++) {
		const struct lxc_idmap *m = &c->idmaps[i];
		char type[2] = {m->type, '\0'};

		json_array_append_new(
		    a, json_pack("{s:s,s:I,s:I,s:I}", "type", type, "nsid", (json_int_t)m->nsid,
				 "hostid", (json_int_t)m->hostid, "range", (json_int_t)m->range));
	}
	return a;
}

static json_t *nets(const struct lxc_conf *c)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < c->n_nets; i++) {
		const struct lxc_conf_net *n = &c->nets[i];

		/* Only the indexes the config uses: net10 alone is one entry, not eleven. */
		if (!n->type[0] && !n->name[0] && !n->link[0] && !n->ipv4[0] && !n->hwaddr[0])
			continue;
		json_array_append_new(a,
				      json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "index", (json_int_t)i,
						"type", n->type, "name", n->name, "link", n->link,
						"ipv4", n->ipv4, "hwaddr", n->hwaddr));
	}
	return a;
}

/* The disk limit: Proxmox's rootfs size, or the size of a loop-backed LXC rootfs image. */
static json_t *disk(const struct lxc_conf *c)
{
	struct stat st;

	if (c->has & LXC_HAS_DISK)
		return json_integer((json_int_t)c->disk);
	if (!strncmp(c->rootfs, "loop:", 5) && !stat(c->rootfs + 5, &st) && S_ISREG(st.st_mode))
		return json_integer((json_int_t)st.st_size);
	return json_null();
}

int probe_config(struct probe *p, json_t *doc)
{
	const struct lxc_conf *c = &p->conf;
	json_t *limits;

	limits =
	    json_pack("{s:o,s:o,s:o,s:o}", "memory", opt_u64(c->has & LXC_HAS_MEMORY, c->memory),
		      "swap", opt_u64(c->has & LXC_HAS_SWAP, c->swap), "cores",
		      opt_u64(c->has & LXC_HAS_CORES, c->cores), "disk", disk(c));
	if (!limits || json_object_set_new(doc, "limits", limits) ||
	    json_object_set_new(doc, "idmaps", idmaps(c)) ||
	    json_object_set_new(doc, "net", nets(c)) ||
	    json_object_set_new(doc, "unprivileged", json_boolean(lxc_conf_unprivileged(c))) ||
	    json_object_set_new(doc, "autostart", json_boolean(c->autostart)) ||
	    json_object_set_new(doc, "hostname", json_string(c->hostname)) ||
	    json_object_set_new(doc, "rootfs", json_string(c->rootfs))) {
		err_set(&p->err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int probe_state(struct probe *p, json_t *doc)
{
	const char *state = "stopped";
	int ret;

	ret = lxc_cg_mounts(&p->mounts);
	if (ret) {
		err_set(&p->err, "reading the cgroup mounts: %s", strerror(-ret));
		return ret;
	}
	ret = lxc_run_find(&p->mounts, p->name, &p->monitor, &p->init);
	if (ret && ret != -ESRCH) {
		err_set(&p->err, "finding the container's init: %s", strerror(-ret));
		return ret;
	}
	if (p->init) {
		state = lxc_cg_frozen(&p->mounts, p->init, p->name) == 1 ? "frozen" : "running";
	}
	if (json_object_set_new(doc, "state", json_string(state)) ||
	    json_object_set_new(doc, "init_pid", p->init ? json_integer(p->init) : json_null())) {
		err_set(&p->err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/*
 * Stopped: what the configuration promises (a bind mount plus a device rule). Running: the
 * device node inside, the v1 device cgroup where there is one (v2 uses BPF: the config), and
 * whether the container's root can really open the node (owner and mode, as seen from inside).
 */
int probe_tun(struct probe *p, json_t *doc)
{
	bool configured = p->conf.tun_mount && p->conf.tun_allow, usable = configured;
	json_t *node = json_null(), *allowed = json_null(), *opens = json_null(), *detail;

	if (p->init) {
		bool has_node = lxc_run_tun_node(p->init);
		int a = lxc_cg_tun_allowed(&p->mounts, p->init, p->name);
		int o = has_node ? lxc_run_tun_open(p->init) : 0;
		bool is_allowed = a < 0 ? p->conf.tun_allow : a == 1;

		node = json_boolean(has_node);
		allowed = json_boolean(is_allowed);
		opens = o < 0 ? json_null() : json_boolean(o == 1);
		usable = has_node && is_allowed && o == 1;
	}
	detail = json_pack("{s:b,s:o,s:o,s:o}", "configured", configured, "device", node, "allowed",
			   allowed, "root_can_open", opens);
	if (!detail || json_object_set_new(doc, "tun_detail", detail) ||
	    json_object_set_new(doc, "tun", json_boolean(usable))) {
		err_set(&p->err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

int probe_usage(struct probe *p, json_t *doc)
{
	struct lxc_usage u;
	json_t *o;

	if (!p->init)
		return json_object_set_new(doc, "usage", json_null()) ? -ENOMEM : 0;
	lxc_cg_usage(&p->mounts, p->init, p->name, &u);
	o = json_pack("{s:o,s:o,s:o,s:o,s:s?,s:s?}", "memory",
		      opt_u64(u.has & LXC_USAGE_MEMORY, u.memory), "memory_limit",
		      opt_u64(u.has & LXC_USAGE_MEMORY_LIMIT, u.memory_limit), "cpu_usec",
		      opt_u64(u.has & LXC_USAGE_CPU, u.cpu_usec), "cpus",
		      opt_u64(u.has & LXC_USAGE_CPUS, u.cpus), "memory_from", u.memory_from,
		      "cpu_from", u.cpu_from);
	if (!o || json_object_set_new(doc, "usage", o)) {
		err_set(&p->err, "out of memory");
		return -ENOMEM;
	}
	return 0;
}
