/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef LXC_PROBE_H
#define LXC_PROBE_H

#include <jansson.h>
#include <sys/types.h>

#include "err.h"
#include "lxc_conf.h"
#include "lxc_run.h"

struct probe {
	const char *name;    /* LXC name, or the Proxmox CT id */
	const char *lxcpath; /* where the runtime lives: Proxmox runs CTs from /var/lib/lxc too */
	char config[PATH_MAX];
	struct lxc_conf conf;
	pid_t monitor, init; /* 0 when stopped */
	struct lxc_cg_mounts mounts;
	struct err err;
};

/* Each fills part of @doc; 0 or -errno with p->err set. */
int probe_config(struct probe *p, json_t *doc);
int probe_state(struct probe *p, json_t *doc);
int probe_tun(struct probe *p, json_t *doc);
int probe_net(struct probe *p, json_t *doc);
int probe_usage(struct probe *p, json_t *doc);

#endif
