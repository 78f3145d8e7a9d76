/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Container configuration, as read from disk: a plain LXC config (/var/lib/lxc/NAME/config,
 * "lxc.key = value") or a Proxmox one (/etc/pve/lxc/ID.conf, "key: value" plus raw lxc.* keys).
 * Only the settings warren decides on are kept; the rest is ignored. HAS_* bits tell "not set"
 * from "zero".
 */
#ifndef WARREN_LXC_CONF_H
#define WARREN_LXC_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum lxc_conf_kind {
	LXC_CONF_LXC, /* lxc.* = value */
	LXC_CONF_PVE, /* key: value (Proxmox) */
};

enum {
	LXC_HAS_MEMORY = 1U << 0,
	LXC_HAS_SWAP = 1U << 1,
	LXC_HAS_CORES = 1U << 2,
	LXC_HAS_DISK = 1U << 3,
	LXC_HAS_AUTOSTART = 1U << 4,
	LXC_HAS_UNPRIV = 1U << 5, /* Proxmox "unprivileged:" line */
};

#define LXC_CONF_MAX_IDMAPS 16
#define LXC_CONF_MAX_NETS   32 /* Proxmox: net0 to net31; 130 bytes each */
#define LXC_NAME_MAX	    64

struct lxc_idmap {
	char type; /* 'u', 'g' or 'b' */
	unsigned long nsid, hostid, range;
};

struct lxc_conf_net {
	char type[16]; /* "veth", "empty", ... */
	char name[16]; /* interface name inside the container */
	char link[16]; /* host bridge */
	char ipv4[64]; /* "dhcp", "manual", an address/prefix or "" */
	char hwaddr[18];
};

struct lxc_conf {
	enum lxc_conf_kind kind;
	unsigned int has;
	uint64_t memory; /* bytes */
	uint64_t swap;	 /* bytes */
	uint64_t disk;	 /* bytes */
	unsigned int cores;
	bool autostart;
	bool unpriv;	/* Proxmox "unprivileged: 1" */
	bool tun_mount; /* /dev/net/tun is bind-mounted or passed through */
	bool tun_allow; /* the device cgroup lets the container open 10:200 */
	char hostname[LXC_NAME_MAX];
	char rootfs[256];
	size_t n_idmaps;
	struct lxc_idmap idmaps[LXC_CONF_MAX_IDMAPS];
	size_t n_nets; /* highest used net index + 1 */
	struct lxc_conf_net nets[LXC_CONF_MAX_NETS];
};

/* Parses @len bytes of configuration text. On failure @err names the line and the bad value. */
bool lxc_conf_parse(struct lxc_conf *conf, enum lxc_conf_kind kind, const char *buf, size_t len,
		    struct err *err);
/* Reads and parses @path: -ENOENT when missing, -EINVAL when malformed (see @err), -errno. */
int lxc_conf_load(struct lxc_conf *conf, enum lxc_conf_kind kind, const char *path,
		  struct err *err);

/* The container is unprivileged: root inside maps to a non-root host id. */
bool lxc_conf_unprivileged(const struct lxc_conf *conf);

/* "1073741824", "1G", "512M", "8G", "1024K" (binary units) into bytes. */
bool lxc_conf_parse_size(const char *s, uint64_t *bytes);
/*
 * A Proxmox disk size, as pve-common's parse_size reads it: "N" or "N.N", then K, M, G or T,
 * optionally followed by "iB" ("8G", "8.5G", "8GiB"). A bare number is bytes; a fraction of a
 * byte is dropped.
 */
bool lxc_pve_parse_size(const char *s, uint64_t *bytes);
/* A cpuset list such as "0", "0-3" or "0,2-3" into its number of CPUs. */
bool lxc_conf_parse_cpuset(const char *s, unsigned int *count);
/* An LXC container name or Proxmox CT id: [A-Za-z0-9_.-], 1..63 bytes, not "." or "..". */
bool lxc_name_valid(const char *name);
/* A Proxmox CT id: 100..999999999 is what Proxmox allocates; any 1..999999999 is accepted. */
bool lxc_ctid_valid(const char *name);

#endif
