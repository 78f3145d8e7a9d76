// SPDX-License-Identifier: GPL-2.0-only
/*
 * A container's cgroups, v1 and v2: where they are mounted, which directory is the container's,
 * and what it uses. Hybrid hosts (v1 controllers plus a v2 mount at /sys/fs/cgroup/unified)
 * read memory and CPU from v1, as LXC places the limits there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lxc_run.h"

static const char *const ctrl_names[LXC_CG_COUNT] = {
    [LXC_CG_V2] = "",		[LXC_CG_MEMORY] = "memory",   [LXC_CG_CPUACCT] = "cpuacct",
    [LXC_CG_CPUSET] = "cpuset", [LXC_CG_FREEZER] = "freezer", [LXC_CG_DEVICES] = "devices",
};

/* Mount points escape space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static bool has_token(const char *list, const char *tok)
{
	size_t n = strlen(tok);
	const char *p = list;

	while ((p = strstr(p, tok))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

static void set_mount(struct lxc_cg_mount *m, const char *root, const char *dir)
{
	if (m->dir[0] || strlen(root) >= sizeof(m->root) || strlen(dir) >= sizeof(m->dir))
		return;
	strcpy(m->root, root);
	strcpy(m->dir, dir);
	unescape(m->root);
	unescape(m->dir);
}

int lxc_cg_mounts(struct lxc_cg_mounts *mounts)
{
	char *line = NULL, root[PATH_MAX], dir[PATH_MAX], fstype[32], opts[1024];
	size_t cap = 0;
	FILE *f;
	int i;

	memset(mounts, 0, sizeof(*mounts));
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s", root, dir) != 2 ||
		    sscanf(sep + 3, "%31s %*s %1023s", fstype, opts) != 2)
			continue;
		if (!strcmp(fstype, "cgroup2")) {
			set_mount(&mounts->m[LXC_CG_V2], root, dir);
		} else if (!strcmp(fstype, "cgroup")) {
			for (i = LXC_CG_V2 + 1; i < LXC_CG_COUNT; i++)
				if (has_token(opts, ctrl_names[i]))
					set_mount(&mounts->m[i], root, dir);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* Cuts @path after the container's own cgroup: ".../lxc.payload.NAME" or ".../lxc/NAME". */
static void container_part(char *path, const char *name)
{
	static const char *const fmts[] = {"/lxc.payload.", "/lxc/"};
	char comp[128];
	size_t i, n;
	char *p;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(comp, sizeof(comp), "%s%s", fmts[i], name);
		n = strlen(comp);
		for (p = strstr(path, comp); p; p = strstr(p + 1, comp))
			if (p[n] == '/' || p[n] == '\0') {
				p[n] = '\0';
				return;
			}
	}
}

int lxc_cg_dir(const struct lxc_cg_mounts *mounts, enum lxc_cg_ctrl ctrl, pid_t pid,
	       const char *name, char *dir, size_t size)
{
	const struct lxc_cg_mount *m = &mounts->m[ctrl];
	char path[64], buf[8192], *line, *save = NULL, *cg = NULL;
	size_t rootlen = strlen(m->root);
	ssize_t n;

	if (!m->dir[0])
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	n = lxc_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (line = strtok_r(buf, "\n", &save); line && !cg; line = strtok_r(NULL, "\n", &save)) {
		char *ctrls = strchr(line, ':'), *p;

		if (!ctrls || !(p = strchr(ctrls + 1, ':')))
			continue;
		*p = '\0';
		if (ctrl == LXC_CG_V2 ? (!strcmp(line, "0:") && !ctrls[1])
				      : has_token(ctrls + 1, ctrl_names[ctrl]))
			cg = p + 1;
	}
	if (!cg)
		return -ENOENT;
	container_part(cg, name);
	/* A mount of a sub-tree (root "/a/b") shows the cgroup "/a/b/c" at DIR/c. */
	if (strcmp(m->root, "/") && !strncmp(cg, m->root, rootlen) &&
	    (cg[rootlen] == '/' || !cg[rootlen]))
		cg += rootlen;
	if ((size_t)snprintf(dir, size, "%s%s", m->dir, cg) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* Reads one number from DIR/FILE, or the value of KEY in a "key value" file. */
static int read_u64(const char *dir, const char *file, const char *key, uint64_t *v)
{
	char path[PATH_MAX + 64], buf[4096], *p = buf, *end;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	n = lxc_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (key) {
		size_t klen = strlen(key);
		char *line = buf;

		p = NULL;
		while (line && *line && !p) {
			if (!strncmp(line, key, klen) && line[klen] == ' ')
				p = line + klen + 1;
			else if ((line = strchr(line, '\n')))
				line++;
		}
		if (!p)
			return -ENOENT;
	}
	if (!strncmp(p, "max", 3))
		return -ERANGE;
	errno = 0;
	*v = strtoull(p, &end, 10);
	return errno || end == p ? -EINVAL : 0;
}

static int read_cpus(const char *dir, const char *file, unsigned int *cpus)
{
	char path[PATH_MAX + 64], buf[1024];
	unsigned int n = 0;
	unsigned long lo, hi;
	char *p = buf, *end;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (lxc_read_file(path, buf, sizeof(buf)) <= 0)
		return -ENOENT;
	while (*p >= '0' && *p <= '9') {
		lo = hi = strtoul(p, &end, 10);
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		n += hi >= lo ? (unsigned int)(hi - lo + 1) : 0;
		p = *end == ',' ? end + 1 : end;
	}
	*cpus = n;
	return n ? 0 : -ENOENT;
}

int lxc_cg_usage(const struct lxc_cg_mounts *mounts, pid_t pid, const char *name,
		 struct lxc_usage *u)
{
	char dir[PATH_MAX];
	uint64_t v;

	memset(u, 0, sizeof(*u));
	if (!lxc_cg_dir(mounts, LXC_CG_MEMORY, pid, name, dir, sizeof(dir))) {
		u->memory_from = "v1";
		if (!read_u64(dir, "memory.usage_in_bytes", NULL, &u->memory))
			u->has |= LXC_USAGE_MEMORY;
		if (!read_u64(dir, "memory.limit_in_bytes", NULL, &v) && v < (1ULL << 60)) {
			u->memory_limit = v;
			u->has |= LXC_USAGE_MEMORY_LIMIT;
		}
	} else if (!lxc_cg_dir(mounts, LXC_CG_V2, pid, name, dir, sizeof(dir)) &&
		   !read_u64(dir, "memory.current", NULL, &u->memory)) {
		u->memory_from = "v2";
		u->has |= LXC_USAGE_MEMORY;
		if (!read_u64(dir, "memory.max", NULL, &u->memory_limit))
			u->has |= LXC_USAGE_MEMORY_LIMIT;
	}
	if (!lxc_cg_dir(mounts, LXC_CG_CPUACCT, pid, name, dir, sizeof(dir)) &&
	    !read_u64(dir, "cpuacct.usage", NULL, &v)) {
		u->cpu_usec = v / 1000;
		u->cpu_from = "v1";
		u->has |= LXC_USAGE_CPU;
	} else if (!lxc_cg_dir(mounts, LXC_CG_V2, pid, name, dir, sizeof(dir)) &&
		   !read_u64(dir, "cpu.stat", "usage_usec", &u->cpu_usec)) {
		u->cpu_from = "v2";
		u->has |= LXC_USAGE_CPU;
	}
	if ((!lxc_cg_dir(mounts, LXC_CG_CPUSET, pid, name, dir, sizeof(dir)) &&
	     (!read_cpus(dir, "cpuset.effective_cpus", &u->cpus) ||
	      !read_cpus(dir, "cpuset.cpus", &u->cpus))) ||
	    (!lxc_cg_dir(mounts, LXC_CG_V2, pid, name, dir, sizeof(dir)) &&
	     !read_cpus(dir, "cpuset.cpus.effective", &u->cpus)))
		u->has |= LXC_USAGE_CPUS;
	return 0;
}

int lxc_cg_frozen(const struct lxc_cg_mounts *mounts, pid_t pid, const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], buf[256];
	int ret;

	ret = lxc_cg_dir(mounts, LXC_CG_FREEZER, pid, name, dir, sizeof(dir));
	if (!ret) {
		snprintf(path, sizeof(path), "%s/freezer.state", dir);
		if (lxc_read_file(path, buf, sizeof(buf)) > 0)
			return !strncmp(buf, "FROZEN", 6) || !strncmp(buf, "FREEZING", 8);
	}
	ret = lxc_cg_dir(mounts, LXC_CG_V2, pid, name, dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if (lxc_read_file(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	return strstr(buf, "frozen 1") != NULL;
}

int lxc_cg_tun_allowed(const struct lxc_cg_mounts *mounts, pid_t pid, const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], buf[16384], *line, *save = NULL;
	char type, maj[16], min[16], acc[8];
	int ret;

	ret = lxc_cg_dir(mounts, LXC_CG_DEVICES, pid, name, dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/devices.list", dir);
	if (lxc_read_file(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%c %15[0-9*]:%15[0-9*] %7s", &type, maj, min, acc) != 4)
			continue;
		if ((type == 'a' || type == 'c') && (!strcmp(maj, "*") || !strcmp(maj, "10")) &&
		    (!strcmp(min, "*") || !strcmp(min, "200")) && strchr(acc, 'r') &&
		    strchr(acc, 'w'))
			return 1;
	}
	return 0;
}
