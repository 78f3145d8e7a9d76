// SPDX-License-Identifier: GPL-2.0-only
/* Finding a running container from its cgroup and /proc, and testing its tun device. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lxc_run.h"

ssize_t lxc_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	while ((size_t)len + 1 < size && (n = read(fd, buf + len, size - 1 - (size_t)len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			close(fd);
			return ret;
		}
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return len;
}

/* The parent pid from /proc/PID/stat; the command name may hold spaces and parentheses. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024];
	const char *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (lxc_read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/*
 * The pid namespace levels of @pid (fields of "NSpid:") and its pid in the innermost one; 0
 * when unreadable.
 */
static int nspid(pid_t pid, long *inner)
{
	char path[64], buf[4096], *p, *end;
	int levels = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (lxc_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nNSpid:")))
		return 0;
	for (p += 7; *p && *p != '\n'; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		*inner = v;
		levels++;
	}
	return levels;
}

/*
 * Searches the cgroup directory @dir and its sub-cgroups (systemd moves itself into init.scope)
 * for the container's init: pid 1 of a pid namespace one level below ours. 0 when not found.
 */
static pid_t find_init(const char *dir, int own_levels, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	pid_t found = 0;
	long inner = 0;
	int pid;
	FILE *f;
	DIR *d;

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
		return 0;
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fscanf(f, "%d", &pid) == 1)
		if (pid > 0 && nspid(pid, &inner) == own_levels + 1 && inner == 1)
			found = pid;
	fclose(f);
	if (found || depth >= 4 || !(d = opendir(dir)))
		return found;
	while (!found && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < sizeof(path))
			found = find_init(path, own_levels, depth + 1);
	}
	closedir(d);
	return found;
}

int lxc_run_find(const struct lxc_cg_mounts *mounts, const char *name, pid_t *monitor, pid_t *init)
{
	/* Where LXC puts a container's processes: its default, Proxmox's (lxc.cgroup.dir.container
	 * lxc/ID with the inner "ns"), and LXC 3's. */
	static const char *const layouts[][2] = {
	    {"lxc.payload.", ""}, {"lxc/", "/ns"}, {"lxc/", ""}};
	static const enum lxc_cg_ctrl order[] = {LXC_CG_V2,	 LXC_CG_FREEZER, LXC_CG_MEMORY,
						 LXC_CG_CPUACCT, LXC_CG_CPUSET,	 LXC_CG_DEVICES};
	char dir[PATH_MAX], sub[LXC_NAME_BUF];
	long self_inner = 0;
	int own = nspid(getpid(), &self_inner);
	size_t i, j;

	*monitor = *init = 0;
	if (!own)
		return -ENOSYS;
	for (i = 0; !*init && i < sizeof(order) / sizeof(order[0]); i++) {
		const struct lxc_cg_mount *m = &mounts->m[order[i]];

		if (!m->dir[0] || strcmp(m->root, "/"))
			continue; /* not mounted, or only part of the hierarchy is visible here */
		for (j = 0; !*init && j < sizeof(layouts) / sizeof(layouts[0]); j++) {
			if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", layouts[j][0], name,
					     layouts[j][1]) >= sizeof(sub) ||
			    (size_t)snprintf(dir, sizeof(dir), "%s/%s", m->dir, sub) >= sizeof(dir))
				continue;
			*init = find_init(dir, own, 0);
		}
	}
	if (!*init)
		return -ESRCH;
	*monitor = parent_of(*init);
	return 0;
}

bool lxc_run_tun_node(pid_t init)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/root/dev/net/tun", (int)init);
	return !stat(path, &st) && S_ISCHR(st.st_mode) && major(st.st_rdev) == 10 &&
	       minor(st.st_rdev) == 200;
}

/* In a child: become the container's root in its user and mount namespaces, then open the tun. */
static int tun_open_as_root(int userns, int mntns)
{
	int fd;

	if (setns(userns, CLONE_NEWUSER) || setns(mntns, CLONE_NEWNS))
		return 3;
	/* setgroups may be denied there (/proc/PID/setgroups); the groups are then kept. */
	(void)setgroups(0, NULL);
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return 3;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0)
		return 0;
	return errno == EACCES || errno == EPERM ? 1 : errno == ENOENT || errno == ENXIO ? 2 : 3;
}

int lxc_run_tun_open(pid_t init)
{
	char path[64];
	int userns, mntns, status, ret;
	pid_t child;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)init);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)init);
	mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (mntns < 0) {
		ret = -errno;
		close(userns);
		return ret;
	}
	child = fork();
	if (child == 0)
		_exit(tun_open_as_root(userns, mntns));
	ret = child < 0 ? -errno : 0;
	close(userns);
	close(mntns);
	if (ret)
		return ret;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status))
		return -ECHILD;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 1;
	case 1:
		return 0;
	case 2:
		return -ENOENT;
	default:
		return -EPERM;
	}
}
