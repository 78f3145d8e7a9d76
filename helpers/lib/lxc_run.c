// SPDX-License-Identifier: GPL-2.0-only
/* Finding a running container from /proc alone: its monitor process and the monitor's child. */
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

#define MONITOR_TAG "[lxc monitor] "

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

static pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v <= 0 || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

static bool same_dir(const char *a, size_t alen, const char *b)
{
	char pa[PATH_MAX];
	struct stat sa, sb;
	size_t blen = strlen(b);

	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	while (blen > 1 && b[blen - 1] == '/')
		blen--;
	if (alen == blen && !memcmp(a, b, alen))
		return true;
	if (alen >= sizeof(pa))
		return false;
	memcpy(pa, a, alen);
	pa[alen] = '\0';
	return !stat(pa, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Is @pid the monitor of LXCPATH/NAME? Its title is "[lxc monitor] LXCPATH NAME". */
static bool is_monitor(pid_t pid, const char *lxcpath, const char *name)
{
	char path[64], buf[PATH_MAX + 128];
	const char *sp;
	size_t tag = strlen(MONITOR_TAG);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = lxc_read_file(path, buf, sizeof(buf));
	if (n <= (ssize_t)tag || strncmp(buf, MONITOR_TAG, tag))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	sp = strrchr(buf + tag, ' ');
	if (!sp || strcmp(sp + 1, name))
		return false;
	return same_dir(buf + tag, (size_t)(sp - buf) - tag, lxcpath);
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

static pid_t child_of(pid_t parent)
{
	char path[64], buf[256];
	struct dirent *de;
	pid_t pid = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent, (int)parent);
	if (lxc_read_file(path, buf, sizeof(buf)) >= 0)
		return parse_pid(buf);
	d = opendir("/proc");
	if (!d)
		return 0;
	while (!pid && (de = readdir(d))) {
		pid_t p = parse_pid(de->d_name);

		if (p && parent_of(p) == parent)
			pid = p;
	}
	closedir(d);
	return pid;
}

int lxc_run_find(const char *lxcpath, const char *name, pid_t *monitor, pid_t *init)
{
	struct dirent *de;
	DIR *d;

	*monitor = *init = 0;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		pid_t pid = parse_pid(de->d_name);

		if (pid && is_monitor(pid, lxcpath, name)) {
			*monitor = pid;
			break;
		}
	}
	closedir(d);
	if (!*monitor)
		return -ESRCH;
	*init = child_of(*monitor);
	return *init ? 0 : -ESRCH;
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
