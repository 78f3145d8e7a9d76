/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A container's runtime state, read only from /proc and the cgroup file systems: never through
 * liblxc's command socket, which has no receive timeout (lxc #4707). Nothing here waits on the
 * container's monitor.
 */
#ifndef WARREN_LXC_RUN_H
#define WARREN_LXC_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum lxc_cg_ctrl {
	LXC_CG_V2, /* the unified hierarchy */
	LXC_CG_MEMORY,
	LXC_CG_CPUACCT,
	LXC_CG_CPUSET,
	LXC_CG_FREEZER,
	LXC_CG_DEVICES,
	LXC_CG_COUNT,
};

struct lxc_cg_mount {
	char dir[PATH_MAX];  /* mount point; "" when not mounted */
	char root[PATH_MAX]; /* the hierarchy's path that is mounted there, usually "/" */
};

struct lxc_cg_mounts {
	struct lxc_cg_mount m[LXC_CG_COUNT];
};

enum {
	LXC_USAGE_MEMORY = 1U << 0,
	LXC_USAGE_MEMORY_LIMIT = 1U << 1,
	LXC_USAGE_CPU = 1U << 2,
	LXC_USAGE_CPUS = 1U << 3,
};

struct lxc_usage {
	unsigned int has;
	uint64_t memory;	 /* bytes in use */
	uint64_t memory_limit;	 /* bytes; not set when unlimited */
	uint64_t cpu_usec;	 /* CPU time used since start */
	unsigned int cpus;	 /* CPUs in the effective cpuset */
	const char *memory_from; /* "v1" or "v2" */
	const char *cpu_from;
};

/* Reads up to @size - 1 bytes of a small file and NUL-terminates; returns length or -errno. */
ssize_t lxc_read_file(const char *path, char *buf, size_t size);

/* Parses /proc/self/mountinfo for the cgroup mounts. */
int lxc_cg_mounts(struct lxc_cg_mounts *mounts);

#define LXC_NAME_BUF 96

/*
 * Finds the running container's init from its cgroup, never from a process title (anyone can
 * name a process "[lxc monitor] PATH NAME"): the first mounted hierarchy that has the
 * container's cgroup (lxc.payload.NAME, Proxmox's lxc/ID/ns, or lxc/NAME) and, in it or a
 * sub-cgroup, pid 1 of a pid namespace one level below ours. Works the same for containers
 * started in the foreground (Proxmox: lxc-start -F) and daemonized ones. @monitor is init's
 * parent (the monitor, or lxc-start -F). 0 when found; -ESRCH when not running.
 */
int lxc_run_find(const struct lxc_cg_mounts *mounts, const char *name, pid_t *monitor, pid_t *init);

/*
 * The directory of the container's cgroup for @ctrl: the payload cgroup of @pid
 * (lxc.payload.NAME, or lxc/ID on Proxmox), not the sub-cgroup init sits in. -ENOENT when
 * the controller is not mounted.
 */
int lxc_cg_dir(const struct lxc_cg_mounts *mounts, enum lxc_cg_ctrl ctrl, pid_t pid,
	       const char *name, char *dir, size_t size);
/* Memory and CPU use from cgroup v1 controllers where mounted, else from v2. */
int lxc_cg_usage(const struct lxc_cg_mounts *mounts, pid_t pid, const char *name,
		 struct lxc_usage *usage);
/* Whether the freezer (v1) or cgroup.freeze (v2) holds the container: 1, 0 or -errno. */
int lxc_cg_frozen(const struct lxc_cg_mounts *mounts, pid_t pid, const char *name);
/* Whether the v1 device cgroup lets the container open c 10:200: 1, 0, or -ENOENT (no v1). */
int lxc_cg_tun_allowed(const struct lxc_cg_mounts *mounts, pid_t pid, const char *name);
/* Whether /dev/net/tun inside the container is the tun character device (10:200). */
bool lxc_run_tun_node(pid_t init);
/*
 * Whether the container's root can open /dev/net/tun for reading and writing: a child enters
 * the container's user and mount namespaces as uid 0 there and tries. 1 when it opened, 0 when
 * refused (owner or mode), -ENOENT when there is no node, -errno when the test itself failed.
 * Opening the tun creates no interface. The device cgroup is not tested here (the child stays
 * in the host's cgroup): see lxc_cg_tun_allowed.
 */
int lxc_run_tun_open(pid_t init);

#endif
